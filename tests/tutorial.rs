//! Runs docs/tutorial.md: each `<!-- file: PATH -->` block is written, and each
//! `$ tact …` command in a `console` block is run in a fresh folder, its
//! output compared with what the tutorial shows. The tutorial cannot go stale.

mod common;
use common::Dir;

#[test]
fn tutorial_steps_produce_the_output_it_shows() {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/tutorial.md")).unwrap();
    let d = Dir::new();
    let mut lines = text.lines().peekable();
    let mut pending_file: Option<String> = None;
    let mut commands = 0;
    while let Some(line) = lines.next() {
        if let Some(path) = line
            .strip_prefix("<!-- file: ")
            .and_then(|l| l.strip_suffix(" -->"))
        {
            pending_file = Some(path.to_owned());
            continue;
        }
        if !line.starts_with("```") {
            continue;
        }
        let block: Vec<&str> = lines
            .by_ref()
            .take_while(|l| !l.starts_with("```"))
            .collect();
        if let Some(path) = pending_file.take() {
            d.write(&path, &(block.join("\n") + "\n"));
            continue;
        }
        if line != "```console" {
            continue;
        }
        let (cmd, expected) = block
            .split_first()
            .expect("a console block starts with a command");
        let args: Vec<&str> = cmd
            .strip_prefix("$ tact ")
            .expect("console blocks run tact")
            .split_whitespace()
            .collect();
        let run = d.run(&args, "");
        let actual = run.stdout() + &run.stderr();
        assert_eq!(
            actual.trim_end(),
            expected.join("\n").trim_end(),
            "output of `{cmd}`"
        );
        commands += 1;
    }
    assert!(commands >= 5, "the tutorial runs its commands ({commands})");
}
