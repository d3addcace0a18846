//! The rule model, independent of the script engine: what a rule declares
//! ([`meta::RuleMeta`]), its typed options ([`options::OptionValue`]), the
//! native facts and conditions the host checks before calling it
//! ([`gate`]), and script-free phrase rules ([`phrase`]). Scripts in Rhai
//! are one way to implement a rule; `plugin/` is the only module that knows it.

pub mod gate;
pub mod meta;
pub mod options;
