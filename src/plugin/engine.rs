//! The one sandboxed Rhai engine every rule runs in.

use serde::Deserialize;

/// Per-call limits on rule scripts. Set in `tact.toml` under `[limits]`.
#[derive(Debug, Clone, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Operations one rule call may run (an endless loop ends here): the
    /// limit that decides, the same on an idle and on a loaded machine.
    pub operations: u64,
    /// Wall-clock milliseconds one rule call may take: a generous last resort
    /// for work the operation count does not see (Rhai checking the size of
    /// huge data), far above what any rule within its operations needs.
    pub time_ms: u64,
    /// Notes a rule may fail on in one run before tact stops calling it (one
    /// diagnostic then says on how many notes it was skipped).
    pub max_failures: usize,
    /// Depth of nested function calls (deep recursion ends here).
    pub call_depth: usize,
    /// Depth of nested expressions at compile time.
    pub expr_depth: usize,
    /// Largest string a script may build, in bytes.
    pub string_size: usize,
    /// Largest array a script may build.
    pub array_size: usize,
    /// Largest object map a script may build.
    pub map_size: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            operations: 3_000_000,
            time_ms: 10_000,
            max_failures: 20,
            call_depth: 32,
            expr_depth: 64,
            string_size: 1 << 20,
            array_size: 10_000,
            map_size: 10_000,
        }
    }
}

thread_local! {
    /// When the rule call running on this thread started (see [`timed`]).
    static CALL_STARTED: std::cell::Cell<Option<std::time::Instant>> = const { std::cell::Cell::new(None) };
}

/// Runs `f` (one rule call) under the engine's wall-clock budget.
pub fn timed<T>(f: impl FnOnce() -> T) -> T {
    CALL_STARTED.with(|s| s.set(Some(std::time::Instant::now())));
    let out = f();
    CALL_STARTED.with(|s| s.set(None));
    out
}

/// Builds the engine: the rule API registered, limits set, strict variables on,
/// no module imports, no `eval`, and `print`/`debug` sent to stderr so they
/// never mix with machine output. The `no_time` feature removes the clock;
/// Rhai has no file, network or environment access to begin with.
pub fn build(limits: &Limits, resolver: super::imports::PackResolver) -> rhai::Engine {
    let mut engine = rhai::Engine::new();
    engine
        .set_max_operations(limits.operations)
        .set_max_call_levels(limits.call_depth)
        .set_max_expr_depths(limits.expr_depth, limits.expr_depth)
        .set_max_string_size(limits.string_size)
        .set_max_array_size(limits.array_size)
        .set_max_map_size(limits.map_size)
        .set_max_modules(16)
        .set_max_variables(1_000)
        .set_max_functions(1_000)
        .set_strict_variables(true)
        .set_optimization_level(rhai::OptimizationLevel::Full)
        // The interner is one lock shared by all threads; without it rule calls
        // run in parallel.
        .set_max_strings_interned(0)
        .set_module_resolver(resolver)
        .disable_symbol("eval");
    let budget = std::time::Duration::from_millis(limits.time_ms);
    engine.on_progress(move |ops| {
        // Reading the clock every few hundred operations costs nothing measurable.
        if ops % 256 == 0
            && CALL_STARTED
                .with(|s| s.get())
                .is_some_and(|t| t.elapsed() > budget)
        {
            Some(rhai::Dynamic::from("time budget exceeded"))
        } else {
            None
        }
    });
    engine.on_print(|s| eprintln!("[rule print] {s}"));
    engine.on_debug(|s, src, pos| {
        eprintln!(
            "[rule debug] {}{pos:?}: {s}",
            src.map(|s| format!("{s} ")).unwrap_or_default()
        )
    });
    super::api::register(&mut engine);
    engine
}
