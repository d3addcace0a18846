//! JSON schemas for the TOML files people write (`pack.toml`, `tact.toml`,
//! rulebooks), so editors (Taplo, Even Better TOML) validate them as they are
//! typed. Generated from the types that parse the files; `tests/schemas.rs`
//! keeps the copies in `docs/schemas/` current.

use schemars::{Schema, SchemaGenerator, json_schema};

/// Each schema's file name and its JSON text.
pub fn all() -> Vec<(&'static str, String)> {
    let text = |s: Schema| {
        let mut v = s.to_value();
        sort_defaults(&mut v);
        serde_json::to_string_pretty(&v).expect("a schema serialises") + "\n"
    };
    vec![
        (
            "pack.schema.json",
            text(schemars::schema_for!(crate::pack::manifest::RawManifest)),
        ),
        (
            "tact.schema.json",
            text(schemars::schema_for!(crate::config::Raw)),
        ),
        (
            "rulebook.schema.json",
            text(schemars::schema_for!(crate::rulebook::Raw)),
        ),
    ]
}

/// Sorts the keys of `default` maps (a `HashMap` default comes out in any
/// order), so the same code gives the same schema text.
fn sort_defaults(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(map) => {
            if let Some(serde_json::Value::Object(d)) = map.get_mut("default") {
                d.sort_keys();
            }
            map.values_mut().for_each(sort_defaults);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(sort_defaults),
        _ => {}
    }
}

/// A rule entry: a level, or a table of `level` and the rule's options.
fn rule_entry() -> serde_json::Value {
    serde_json::json!({
        "anyOf": [
            { "enum": ["off", "info", "warn", "error"] },
            {
                "type": "object",
                "properties": { "level": { "enum": ["off", "info", "warn", "error"] } },
                "additionalProperties": true
            }
        ]
    })
}

/// A rulebook's `[rules]` table.
pub(crate) fn rule_entries(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "type": "object", "additionalProperties": rule_entry() })
}

/// A rulebook's `[channels.NAME]` tables.
pub(crate) fn channel_tables(_: &mut SchemaGenerator) -> Schema {
    let table = serde_json::json!({ "type": "object", "additionalProperties": rule_entry() });
    json_schema!({
        "type": "object",
        "properties": { "request": table, "message": table, "inmail": table },
        "additionalProperties": false
    })
}

/// `tact.toml`'s `[select]` table.
pub(crate) fn select(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "type": "object",
        "additionalProperties": {
            "anyOf": [
                { "type": "string", "description": "a rulebook name" },
                {
                    "type": "object",
                    "properties": {
                        "rulebook": { "type": "string" },
                        "channel": { "enum": ["request", "message", "inmail"] },
                        "followup": { "type": "boolean" }
                    },
                    "additionalProperties": false
                }
            ]
        }
    })
}
