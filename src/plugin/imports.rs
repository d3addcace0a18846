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
    /// Imported modules, compiled and evaluated once: `pack/file.rhai` → module.
    modules: Arc<RwLock<HashMap<String, Shared<Module>>>>,
}

impl PackResolver {
    /// Sets where pack `name` lives (replacing what was known), and forgets
    /// its compiled modules: a reload reads them again.
    pub fn set_root(&self, name: &str, root: PackRoot) {
        self.roots
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(name.to_owned(), root);
        let prefix = format!("{name}/");
        self.modules
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|k, _| !k.starts_with(&prefix));
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
        let key = format!("{pack}/{rel}");
        if let Some(m) = self
            .modules
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
        {
            return Ok(m.clone());
        }
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
        if RESOLVING.with(|r| r.borrow().contains(&key)) {
            return Err(deny(path, "imports form a cycle", pos));
        }
        RESOLVING.with(|r| r.borrow_mut().push(key.clone()));
        let module = Module::eval_ast_as_new(Scope::new(), &ast, engine);
        RESOLVING.with(|r| r.borrow_mut().pop());
        let module = Shared::new(module?);
        self.modules
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, module.clone());
        Ok(module)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_imported_module_is_compiled_once_and_read_again_after_a_reload() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("helpers.rhai"), "fn one() { 1 }").unwrap();
        let resolver = PackResolver::default();
        resolver.set_root("p", PackRoot::Disk(dir.path().to_path_buf()));
        let mut engine = Engine::new();
        engine.set_module_resolver(resolver.clone());
        let first = resolver
            .resolve(&engine, Some("p/rule"), "helpers", Position::NONE)
            .unwrap();
        let again = resolver
            .resolve(&engine, Some("p/rule"), "helpers", Position::NONE)
            .unwrap();
        assert!(Shared::ptr_eq(&first, &again), "compiled once");
        std::fs::write(dir.path().join("helpers.rhai"), "fn two() { 2 }").unwrap();
        resolver.set_root("p", PackRoot::Disk(dir.path().to_path_buf()));
        let reloaded = resolver
            .resolve(&engine, Some("p/rule"), "helpers", Position::NONE)
            .unwrap();
        assert!(!Shared::ptr_eq(&first, &reloaded));
        let mut ast = engine.compile("import \"helpers\" as h; h::two()").unwrap();
        ast.set_source("p/rule");
        assert_eq!(engine.eval_ast::<i64>(&ast).unwrap(), 2);
    }
}
