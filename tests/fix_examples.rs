//! `tact check --fix` on copies of every example: the fixed note is the one
//! snapshotted, `--diff` shows exactly that change without writing, and a
//! second `--fix` changes nothing.

mod common;
use common::Dir;

#[test]
fn fixing_the_examples() {
    let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut names: Vec<String> = std::fs::read_dir(&examples)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md"))
        .collect();
    names.sort();
    let mut fixed_all = String::new();
    for name in &names {
        let original = std::fs::read_to_string(examples.join(name)).unwrap();
        let d = Dir::new();
        d.write(name, &original);
        let diff = d
            .run(&["check", "--diff", "--unsafe-fixes", name], "")
            .stdout();
        assert_eq!(d.read(name), original, "{name}: --diff wrote the file");
        d.run(&["check", "--fix", "--unsafe-fixes", name], "");
        let fixed = d.read(name);
        if fixed == original {
            assert!(
                diff.is_empty(),
                "{name}: --diff shows a change --fix did not make:\n{diff}"
            );
            continue;
        }
        let want = tact::fix::unified_diff(&original, &fixed, name, name);
        assert_eq!(diff, want, "{name}: --diff and --fix disagree");
        d.run(&["check", "--fix", "--unsafe-fixes", name], "");
        assert_eq!(
            d.read(name),
            fixed,
            "{name}: a second --fix changed the note again"
        );
        fixed_all += &format!("=== {name}\n{diff}\n");
    }
    insta::assert_snapshot!(fixed_all);
}
