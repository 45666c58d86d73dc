use crate::diagnostics::{Diagnostic, location};
use crate::source::SourceMap;
use std::fmt::Write;

/// `file:line:col: error[code]: message`, one line each; help follows indented.
pub fn render_short(diags: &[Diagnostic], sources: &SourceMap) -> String {
    let mut out = String::new();
    for d in diags {
        let loc = d
            .primary_span()
            .map(|s| format!("{}: ", crate::visible::visible(&location(sources, s))))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{loc}{}[{}]: {}",
            d.severity.as_str(),
            d.code,
            crate::visible::visible(&d.message)
        );
    }
    out
}
