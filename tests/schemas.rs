//! The JSON schemas in `docs/schemas/` are the ones the code generates
//! (`TACT_WRITE_SCHEMAS=1 cargo test --test schemas` rewrites them), and they
//! describe the files tact ships: unknown keys are refused, as tact does.

#[test]
fn the_committed_schemas_are_current() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/schemas");
    for (name, text) in tact::schema::all() {
        let path = dir.join(name);
        if std::env::var_os("TACT_WRITE_SCHEMAS").is_some() {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &text).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert_eq!(
            committed, text,
            "{name} is stale: run `TACT_WRITE_SCHEMAS=1 cargo test --test schemas`"
        );
    }
}

#[test]
fn the_schemas_know_every_key_and_refuse_others() {
    let schemas: std::collections::BTreeMap<_, serde_json::Value> = tact::schema::all()
        .into_iter()
        .map(|(n, t)| (n, serde_json::from_str(&t).unwrap()))
        .collect();
    let keys = |name: &str| -> Vec<String> {
        let s = &schemas[name];
        assert_eq!(
            s["additionalProperties"], false,
            "{name} refuses unknown keys"
        );
        s["properties"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect()
    };
    let pack = keys("pack.schema.json");
    for k in [
        "name",
        "version",
        "description",
        "license",
        "authors",
        "tact",
        "dependencies",
    ] {
        assert!(pack.contains(&k.to_owned()), "pack.toml: {k}");
    }
    let required = schemas["pack.schema.json"]["required"].as_array().unwrap();
    assert!(required.contains(&"tact".into()) && !required.contains(&"license".into()));
    let config = keys("tact.schema.json");
    for k in [
        "plugins",
        "rulebooks",
        "default_rulebook",
        "select",
        "limits",
        "template",
        "packs",
        "overrides",
    ] {
        assert!(config.contains(&k.to_owned()), "tact.toml: {k}");
    }
    let book = keys("rulebook.schema.json");
    for k in [
        "name",
        "description",
        "audience",
        "goal",
        "extends",
        "rules",
        "channels",
    ] {
        assert!(book.contains(&k.to_owned()), "rulebook: {k}");
    }
}
