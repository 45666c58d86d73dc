//! Targets: pure functions from a checked plan to files.
//!
//! Each target is one file implementing [`Target`]; [`TARGETS`] lists them. A target
//! never writes to disk and never reads the clock: `eventsc build` (src/cli/build.rs)
//! writes what they return, atomically, with a manifest. The same input gives the
//! same bytes on every machine.

use crate::diagnostics::Diagnostic;
use crate::ir::Plan;
use crate::source::SourceMap;

/// One generated file: a path relative to the output directory (`/`-separated)
/// and its contents.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Artifact {
    pub path: String,
    pub bytes: Vec<u8>,
}

impl Artifact {
    pub fn text(path: impl Into<String>, text: String) -> Artifact {
        Artifact {
            path: path.into(),
            bytes: text.into_bytes(),
        }
    }
}

/// What a target gets: the checked plan (no errors), its sources (for `file:line`
/// locations and hashes) and the warnings `check` reported.
pub struct Context<'a> {
    pub plan: &'a Plan,
    pub sources: &'a SourceMap,
    pub warnings: &'a [Diagnostic],
}

pub trait Target: Sync {
    /// The name used with `--target`.
    fn name(&self) -> &'static str;
    /// One line for `eventsc targets`.
    fn description(&self) -> &'static str;
    fn generate(&self, cx: &Context) -> Vec<Artifact>;
}

/// Every target, in the order `eventsc targets` lists them.
pub static TARGETS: &[&dyn Target] = &[];

pub fn find(name: &str) -> Option<&'static dyn Target> {
    TARGETS.iter().copied().find(|t| t.name() == name)
}
