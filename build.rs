//! Embeds the built-in `core` pack and the shipped rulebooks into the binary,
//! so tact works with no folders on disk.

use std::fmt::Write;
use std::path::Path;

fn collect(dir: &Path, root: &Path, out: &mut Vec<(String, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect(&path, root, out);
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("rhai" | "toml")
        ) {
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            out.push((
                rel,
                path.canonicalize().unwrap().to_string_lossy().into_owned(),
            ));
        }
    }
}

fn table(name: &str, files: &[(String, String)]) -> String {
    let mut s = format!(
        "/// Embedded files: (path relative to the folder, contents).\npub static {name}: &[(&str, &str)] = &[\n"
    );
    for (rel, abs) in files {
        writeln!(s, "    ({rel:?}, include_str!({abs:?})),").unwrap();
    }
    s.push_str("];\n");
    s
}

fn main() {
    // Read at run time: `env!` would bake in the folder the build script was
    // compiled in, and a target folder shared by worktrees would then embed
    // another checkout's files.
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let root = Path::new(&manifest_dir);
    let mut plugins = Vec::new();
    collect(
        &root.join("plugins/core"),
        &root.join("plugins"),
        &mut plugins,
    );
    let mut rulebooks = Vec::new();
    collect(
        &root.join("rulebooks"),
        &root.join("rulebooks"),
        &mut rulebooks,
    );
    let code = table("PLUGIN_FILES", &plugins) + &table("RULEBOOK_FILES", &rulebooks);
    let out = Path::new(&std::env::var("OUT_DIR").unwrap()).join("embedded.rs");
    std::fs::write(out, code).unwrap();
    println!("cargo:rerun-if-changed=plugins/core");
    println!("cargo:rerun-if-changed=rulebooks");
}
