//! eventsc: a compiler for tracking plans.
//!
//! # The pipeline
//!
//! Text goes through one path per stage (see ARCHITECTURE.md), re-exported here:
//!
//! - [`load::load`]: paths → a [`source::SourceMap`] (and E0006 for files that
//!   are not UTF-8);
//! - [`parse`]: every file cut into pieces at its declaration lines
//!   ([`syntax::pieces`], the one splitter) and each parsed → [`Parsed`];
//! - [`analyse`]: lowering (`ir::lower::lower`, the one lowering entry) into an
//!   [`ir::Plan`] and the governance [`rules`] → the plan and every diagnostic;
//! - [`check_with`]: `parse` → `analyse` as one call, streaming events when it
//!   can ([`Options`]: rules on or off, streaming, threads) → [`Checked`];
//!   [`check()`] is the default options;
//! - [`emit`]: a checked plan → the artifacts of the targets asked for.
//!
//! `eventsc check`, `build`, `validate`, `init` and `import` use [`check()`];
//! `diff` and the audit use [`check_with`] without the rules; the language server
//! keeps its own parsed pieces and calls [`analyse`]. [`diagnostics`] renders
//! what was found; [`cli`] is the command line; [`lsp_serve`] the language server;
//! [`vocab`] lists the words of the language.
#![forbid(unsafe_code)]

pub mod audit;
pub mod check;
pub mod cli;
pub mod diagnostics;
pub mod diff;
pub mod docs;
pub mod fmt;
pub mod fsutil;
pub mod import;
pub mod ir;
pub mod load;
pub(crate) mod lsp;
pub(crate) mod outdir;
pub(crate) mod project;
pub mod rules;
pub(crate) mod serve;
pub mod source;
pub mod starter;
pub(crate) mod status;
pub mod syntax;
pub mod synth;
pub mod targets;
pub mod validate;
pub mod visible;
pub mod vocab;

pub use check::{Checked, Options, Parsed, analyse, check, check_with, parse};
/// The language server over one connection (`eventsc lsp` on stdio; tests and
/// embedders on an in-memory connection), until the client exits.
pub use lsp::serve as lsp_serve;

/// The artifacts of the targets named in `targets` (`dbt`, `jsonschema`, …;
/// `eventsc targets` lists them) for a plan without errors, in that order;
/// `warnings` are the diagnostics `plan.json` counts; target options are the
/// defaults (`build`'s without flags). An unknown name is an error naming it.
pub fn emit(
    plan: &ir::Plan,
    sources: &source::SourceMap,
    warnings: &[diagnostics::Diagnostic],
    targets: &[&str],
) -> Result<Vec<targets::Artifact>, String> {
    let cx = targets::Context {
        plan,
        sources,
        warnings,
        options: targets::Options::default(),
        plan_path: None,
    };
    let mut out = Vec::new();
    for name in targets {
        let t = targets::find(name).ok_or_else(|| format!("no target is named `{name}`"))?;
        out.extend(t.generate(&cx));
    }
    Ok(out)
}
