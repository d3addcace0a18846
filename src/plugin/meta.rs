//! Reading a script's `fn meta()` map into the engine-neutral
//! [`RuleMeta`], once at load time.

use crate::finding::Level;
use crate::finding::Safety;
use crate::note::Channel;
use crate::rule::gate::{Condition, Requirement};
use crate::rule::meta::{Kind, Report, RuleMeta, check_trigger_limits};
use crate::rule::options::{OptionValue, Options};
use rhai::{Dynamic, Map};

/// A metadata problem and the key it concerns (to point at it in the source).
#[derive(Debug, Clone)]
pub struct MetaError {
    /// What is wrong.
    pub message: String,
    /// The offending key, when there is one.
    pub key: Option<String>,
}

const KEYS: [&str; 14] = [
    "summary",
    "level",
    "kind",
    "options",
    "triggers",
    "patterns",
    "trigger_options",
    "unless_options",
    "opening_options",
    "requires",
    "channels",
    "trigger_facts",
    "when",
    "report",
];

fn err(message: impl Into<String>, key: &str) -> MetaError {
    MetaError {
        message: message.into(),
        key: Some(key.to_owned()),
    }
}

fn string_list(map: &Map, key: &str) -> Result<Vec<String>, MetaError> {
    match map.get(key) {
        None => Ok(vec![]),
        Some(d) => {
            let arr = d.read_lock::<rhai::Array>().ok_or_else(|| {
                err(
                    format!("`{key}` must be an array of strings, not {}", d.type_name()),
                    key,
                )
            })?;
            arr.iter()
                .map(|v| {
                    v.clone()
                        .into_string()
                        .map_err(|t| err(format!("`{key}` must hold strings, found {t}"), key))
                })
                .collect()
        }
    }
}

/// Reads the map `meta()` returned. `doc_summary` (the first doc line) is
/// used when the map has no `summary`.
pub fn parse(value: Dynamic, doc_summary: Option<&str>) -> Result<RuleMeta, MetaError> {
    let type_name = value.type_name();
    let map = value.try_cast::<Map>().ok_or_else(|| MetaError {
        message: format!(
            "`meta()` must return an object map like #{{ level: \"warn\" }}, not {type_name}"
        ),
        key: None,
    })?;
    if let Some(k) = map.keys().find(|k| !KEYS.contains(&k.as_str())) {
        return Err(err(
            format!(
                "unknown metadata key `{k}`; expected one of: {}",
                KEYS.join(", ")
            ),
            k,
        ));
    }
    let text = |key: &str| -> Result<Option<String>, MetaError> {
        map.get(key)
            .map(|d| {
                d.clone()
                    .into_string()
                    .map_err(|t| err(format!("`{key}` must be a string, not {t}"), key))
            })
            .transpose()
    };
    let summary = match text("summary")?.or(doc_summary.map(str::to_owned)) {
        Some(s) if !s.trim().is_empty() => s.trim().to_owned(),
        _ => {
            return Err(MetaError {
                message:
                    "the rule has no summary: start the file with a `//!` doc line or set `summary`"
                        .into(),
                key: None,
            });
        }
    };
    let level = match text("level")? {
        None => Level::Warn,
        Some(l) => Level::parse(&l).ok_or_else(|| {
            err(
                format!("unknown level `{l}`; expected info, warn or error"),
                "level",
            )
        })?,
    };
    let kind = match text("kind")?.as_deref() {
        None | Some("check") => Kind::Check,
        Some("rewrite") => Kind::Rewrite,
        Some(k) => {
            return Err(err(
                format!("unknown kind `{k}`; expected check or rewrite"),
                "kind",
            ));
        }
    };
    let options = match map.get("options") {
        None => Options::new(),
        Some(d) => {
            let t = d.type_name();
            let m = d.read_lock::<Map>().ok_or_else(|| {
                err(
                    format!("`options` must be an object map, not {t}"),
                    "options",
                )
            })?;
            m.iter()
                .map(|(k, v)| {
                    option_value(v)
                        .map(|v| (k.to_string(), v))
                        .map_err(|e| err(format!("option `{k}`: {e}"), "options"))
                })
                .collect::<Result<Options, _>>()?
        }
    };
    let patterns = string_list(&map, "patterns")?;
    for p in &patterns {
        crate::matcher::regex(p).map_err(|e| err(e, "patterns"))?;
    }
    let trigger_options = string_list(&map, "trigger_options")?;
    let unless_options = string_list(&map, "unless_options")?;
    let opening_options = string_list(&map, "opening_options")?;
    let requires = string_list(&map, "requires")?
        .iter()
        .map(|entry| Requirement::parse(entry, &options).map_err(|e| err(e, "requires")))
        .collect::<Result<Vec<_>, _>>()?;
    for (key, name) in trigger_options
        .iter()
        .map(|n| ("trigger_options", n))
        .chain(unless_options.iter().map(|n| ("unless_options", n)))
        .chain(opening_options.iter().map(|n| ("opening_options", n)))
    {
        if options.get(name).and_then(|v| v.as_strings()).is_none() {
            return Err(err(
                format!("`{key}` entry `{name}` must name an option holding an array of strings"),
                key,
            ));
        }
    }
    let conditions = |key: &str| -> Result<Vec<Condition>, MetaError> {
        string_list(&map, key)?
            .iter()
            .map(|c| Condition::parse(c, &options, key).map_err(|e| err(e, key)))
            .collect()
    };
    let trigger_facts = conditions("trigger_facts")?;
    let when = conditions("when")?;
    let triggers = string_list(&map, "triggers")?;
    let phrase_options: Vec<String> = trigger_options
        .iter()
        .chain(&opening_options)
        .cloned()
        .collect();
    check_trigger_limits(&triggers, &patterns, &phrase_options, &options)
        .map_err(|(m, k)| err(m, k))?;
    let channels = string_list(&map, "channels")?
        .iter()
        .map(|c| Channel::parse(c).ok_or_else(|| err(Channel::unknown(c), "channels")))
        .collect::<Result<Vec<_>, _>>()?;
    let report = match map.get("report") {
        None => None,
        Some(d) => Some(report(
            d,
            kind,
            &triggers,
            &trigger_options,
            &patterns,
            &trigger_facts,
            &opening_options,
        )?),
    };
    Ok(RuleMeta {
        summary,
        level,
        kind,
        options,
        triggers,
        patterns,
        trigger_options,
        unless_options,
        opening_options,
        requires,
        trigger_facts,
        when,
        channels,
        report,
    })
}

/// Reads `report`: a map with `message`, optional `help`, `replace` and `safe`.
/// The rule must declare phrases to report and nothing that needs a script.
fn report(
    d: &Dynamic,
    kind: Kind,
    triggers: &[String],
    trigger_options: &[String],
    patterns: &[String],
    trigger_facts: &[Condition],
    opening_options: &[String],
) -> Result<Report, MetaError> {
    let key = "report";
    let t = d.type_name();
    let m = d.read_lock::<Map>().ok_or_else(|| {
        err(
            format!("`report` must be an object map like #{{ message: \"...\" }}, not {t}"),
            key,
        )
    })?;
    if let Some(k) = m
        .keys()
        .find(|k| !["at", "message", "help", "replace", "safe"].contains(&k.as_str()))
    {
        return Err(err(
            format!("unknown `report` key `{k}`; expected at, message, help, replace or safe"),
            key,
        ));
    }
    let text = |k: &str| -> Result<Option<String>, MetaError> {
        m.get(k)
            .map(|v| {
                v.clone()
                    .into_string()
                    .map_err(|t| err(format!("`report.{k}` must be a string, not {t}"), key))
            })
            .transpose()
    };
    let message = text("message")?
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| err("`report` needs a `message`", key))?;
    let safe = match m.get("safe") {
        None => true,
        Some(v) => v
            .as_bool()
            .map_err(|t| err(format!("`report.safe` must be a boolean, not {t}"), key))?,
    };
    let replace = text("replace")?;
    if replace.is_some() && kind != Kind::Rewrite {
        return Err(err(
            "`report.replace` proposes an edit: set `kind: \"rewrite\"`",
            key,
        ));
    }
    let at_body = match text("at")?.as_deref() {
        None | Some("phrases") => false,
        Some("body") => true,
        Some(a) => {
            return Err(err(
                format!("unknown `report.at` `{a}`; expected phrases or body"),
                key,
            ));
        }
    };
    if at_body && replace.is_some() {
        return Err(err(
            "`report.replace` replaces a phrase found: not with `at: \"body\"`",
            key,
        ));
    }
    if !at_body && triggers.is_empty() && trigger_options.is_empty() {
        return Err(err(
            "`report` reports the rule's phrases: declare `triggers` or `trigger_options` (or `at: \"body\"`)",
            key,
        ));
    }
    if !patterns.is_empty() || !trigger_facts.is_empty() || !opening_options.is_empty() {
        return Err(err(
            "`report` reports phrases anywhere: a rule with `patterns`, `trigger_facts` or `opening_options` needs `check`",
            key,
        ));
    }
    Ok(Report {
        at_body,
        message,
        help: text("help")?,
        replace: replace.map(|r| (r, if safe { Safety::Safe } else { Safety::Unsafe })),
    })
}

/// An option default from a script, as the host keeps it.
fn option_value(v: &Dynamic) -> Result<OptionValue, String> {
    if let Ok(b) = v.as_bool() {
        return Ok(OptionValue::Bool(b));
    }
    if let Ok(i) = v.as_int() {
        return Ok(OptionValue::Int(i));
    }
    if let Ok(f) = v.as_float() {
        return Ok(OptionValue::Float(f));
    }
    if let Some(s) = v.read_lock::<rhai::ImmutableString>() {
        return Ok(OptionValue::Str(s.to_string()));
    }
    if let Some(a) = v.read_lock::<rhai::Array>() {
        return a
            .iter()
            .map(option_value)
            .collect::<Result<_, _>>()
            .map(OptionValue::List);
    }
    if let Some(m) = v.read_lock::<Map>() {
        return m
            .iter()
            .map(|(k, v)| option_value(v).map(|v| (k.to_string(), v)))
            .collect::<Result<_, _>>()
            .map(OptionValue::Table);
    }
    Err(format!(
        "{} is not an option value: use booleans, integers, floats, strings, arrays and maps",
        v.type_name()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_level_names_the_key() {
        let mut m = Map::new();
        m.insert("level".into(), "loud".into());
        let e = parse(Dynamic::from_map(m), Some("x")).unwrap_err();
        assert_eq!(e.key.as_deref(), Some("level"));
        assert!(e.message.contains("loud"));
    }

    #[test]
    fn unknown_key_is_an_error() {
        let mut m = Map::new();
        m.insert("levle".into(), "warn".into());
        assert!(
            parse(Dynamic::from_map(m), Some("x"))
                .unwrap_err()
                .message
                .contains("levle")
        );
    }
}
