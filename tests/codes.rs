//! Every diagnostic code in the source is in the error reference
//! (`tact::codes::ALL`), and the reference lists no code the source lacks.

use std::collections::BTreeSet;

#[test]
fn the_error_reference_lists_every_code_in_the_source() {
    let pattern = regex::Regex::new(r#""(tact::[a-z0-9_-]+(?:::[a-z0-9_-]+)*)""#).unwrap();
    let mut used = BTreeSet::new();
    for entry in walkdir::WalkDir::new("src") {
        let entry = entry.unwrap();
        if entry.path().extension().is_some_and(|e| e == "rs")
            && !entry.path().ends_with("codes.rs")
        {
            let text = std::fs::read_to_string(entry.path()).unwrap();
            for c in pattern.captures_iter(&text) {
                used.insert(c[1].to_owned());
            }
        }
    }
    let listed: BTreeSet<String> = tact::codes::ALL.iter().map(|c| c.code.to_owned()).collect();
    let missing: Vec<_> = used.difference(&listed).collect();
    let stale: Vec<_> = listed.difference(&used).collect();
    assert!(
        missing.is_empty(),
        "codes used but not in src/codes.rs: {missing:?}"
    );
    assert!(
        stale.is_empty(),
        "codes in src/codes.rs no longer used: {stale:?}"
    );
}

#[test]
fn the_readme_lists_every_code() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let missing: Vec<_> = tact::codes::ALL
        .iter()
        .filter(|c| !readme.contains(&format!("`{}`", c.code)))
        .map(|c| c.code)
        .collect();
    assert!(
        missing.is_empty(),
        "README.md's error reference lacks {missing:?}"
    );
}
