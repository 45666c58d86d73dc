//! Renderers for diagnostics: `human` (miette graphical), `short`
//! (`file:line:col: error[code]: message`), `json` (one object per line) and
//! `github` (workflow annotations). All take the same [`Diagnostic`] list.

mod excerpt;
mod github;
mod human;
mod json;
mod short;

pub use github::render_github;
pub use human::render_human;
pub use json::render_json;
pub use short::render_short;

use super::Diagnostic;
use crate::source::SourceMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum MessageFormat {
    /// Graphical report with source excerpts (miette).
    Human,
    /// One line per diagnostic: `file:line:col: severity[code]: message`.
    Short,
    /// One JSON object per line.
    Json,
    /// GitHub Actions workflow annotations.
    Github,
}

/// Renders diagnostics in the given format. `color` applies to `human` only.
pub fn render(
    format: MessageFormat,
    diags: &[Diagnostic],
    sources: &SourceMap,
    color: bool,
) -> String {
    match format {
        MessageFormat::Human => render_human(diags, sources, color),
        MessageFormat::Short => render_short(diags, sources),
        MessageFormat::Json => render_json(diags, sources),
        MessageFormat::Github => render_github(diags, sources),
    }
}
