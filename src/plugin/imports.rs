//! `import "helpers" as h;` inside a rule resolves only to `.rhai` files of the
//! same pack: never outside its folder, never from another pack.

use rhai::{Engine, EvalAltResult, Module, ModuleResolver, Position, Scope, Shared};
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, RwLock};

/// Where a pack's files are.
#[derive(Debug, Clone)]
pub enum PackRoot {
    /// A folder on disk.
    Disk(PathBuf),
    /// Rules sitting directly in a plugin folder: that folder also holds
    /// other packs, so imports may name only files beside the rule.
    Flat(PathBuf),
    /// Files embedded in the binary: path relative to the pack → contents.
    Embedded(Arc<HashMap<String, &'static str>>),
}

/// The module resolver of the engine; learns pack roots as packs are found.
#[derive(Debug, Clone, Default)]
pub struct PackResolver {
    roots: Arc<RwLock<HashMap<String, PackRoot>>>,
}

impl PackResolver {
    /// Sets where pack `name` lives (replacing what was known).
    pub fn set_root(&self, name: &str, root: PackRoot) {
        self.roots
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(name.to_owned(), root);
    }
}

fn deny(path: &str, why: &str, pos: Position) -> Box<EvalAltResult> {
    Box::new(EvalAltResult::ErrorInModule(
        path.to_owned(),
        Box::new(EvalAltResult::ErrorRuntime(why.into(), pos)),
        pos,
    ))
}

thread_local! {
    /// Imports being resolved on this thread, to refuse a cycle instead of
    /// recursing until the stack runs out.
    static RESOLVING: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
}

impl ModuleResolver for PackResolver {
    fn resolve(
        &self,
        engine: &Engine,
        source: Option<&str>,
        path: &str,
        pos: Position,
    ) -> Result<Shared<Module>, Box<EvalAltResult>> {
        // A rule's AST source is its id, `<pack>/<name>`.
        let pack = source.and_then(|s| s.split('/').next()).unwrap_or("");
        let rel = Path::new(path);
        if rel.is_absolute() || rel.components().any(|c| !matches!(c, Component::Normal(_))) {
            return Err(deny(
                path,
                "imports must be relative paths inside the rule's own pack (no `..`, no absolute paths)",
                pos,
            ));
        }
        let rel = format!("{}.rhai", path.trim_end_matches(".rhai"));
        let root = self
            .roots
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(pack)
            .cloned();
        let text = match root {
            None => {
                return Err(deny(
                    path,
                    &format!("pack `{pack}` has no files to import from"),
                    pos,
                ));
            }
            Some(PackRoot::Embedded(files)) => files
                .get(&rel)
                .map(|s| s.to_string())
                .ok_or_else(|| deny(path, &format!("no module `{rel}` in pack `{pack}`"), pos))?,
            Some(PackRoot::Flat(_)) if rel.contains('/') => {
                return Err(deny(
                    path,
                    "rules directly in a plugin folder may import only files beside them",
                    pos,
                ));
            }
            Some(PackRoot::Disk(dir) | PackRoot::Flat(dir)) => {
                let full = dir.join(&rel);
                let inside = match (full.canonicalize(), dir.canonicalize()) {
                    (Ok(f), Ok(d)) => f.starts_with(d),
                    _ => false,
                };
                if !inside {
                    return Err(deny(
                        path,
                        &format!("no module `{rel}` inside pack `{pack}`"),
                        pos,
                    ));
                }
                super::discover::read_text(&full)
                    .map_err(|e| deny(path, &format!("cannot read `{rel}`: {e}"), pos))?
            }
        };
        let mut ast = engine
            .compile(&text)
            .map_err(|e| deny(path, &e.to_string(), pos))?;
        ast.set_source(format!("{pack}/{}", path.trim_end_matches(".rhai")));
        let key = format!("{pack}/{rel}");
        if RESOLVING.with(|r| r.borrow().contains(&key)) {
            return Err(deny(path, "imports form a cycle", pos));
        }
        RESOLVING.with(|r| r.borrow_mut().push(key));
        let module = Module::eval_ast_as_new(Scope::new(), &ast, engine);
        RESOLVING.with(|r| r.borrow_mut().pop());
        let module = module?;
        Ok(Shared::new(module))
    }
}
