//! The compiler's diagnostics as LSP diagnostics: one per problem, at its primary
//! label, with the code, the help, and every other label as related information.
//! The documentation of the code (what `eventsc explain` prints) is shown by
//! hover over the diagnostic's range (see `hover.rs`).

use super::convert;
use super::workspace::{DocKey, Workspace};
use crate::diagnostics::{Diagnostic, Severity};
use lsp_types::{
    DiagnosticRelatedInformation, DiagnosticSeverity, DiagnosticTag, Location, NumberOrString,
};
use std::collections::BTreeMap;

/// The diagnostics of a group's analysis, by document (every document of the
/// group has an entry, possibly empty).
pub fn by_document(ws: &Workspace, group: &str) -> BTreeMap<DocKey, Vec<lsp_types::Diagnostic>> {
    let mut out: BTreeMap<DocKey, Vec<lsp_types::Diagnostic>> = BTreeMap::new();
    let Some(g) = ws.groups.get(group) else {
        return out;
    };
    for key in &g.docs {
        out.insert(key.clone(), Vec::new());
    }
    if let Some(a) = &g.analysis {
        for d in &a.diagnostics {
            if let Some((key, diag)) = to_lsp(ws, d) {
                out.entry(key).or_default().push(diag);
            }
        }
    }
    // A file with no plan root: the note `eventsc check` gives it.
    if let Some(root) = ws.root_of_group(group)
        && let Some(note) = crate::project::alone_note(root, crate::source::FileId(0))
    {
        for list in out.values_mut() {
            list.insert(
                0,
                lsp_types::Diagnostic {
                    range: lsp_types::Range::default(),
                    severity: Some(DiagnosticSeverity::INFORMATION),
                    code: Some(NumberOrString::String(note.code.to_string())),
                    source: Some("eventsc".into()),
                    message: match &note.help {
                        Some(h) => format!("{}\nhelp: {h}", note.message),
                        None => note.message.clone(),
                    },
                    ..lsp_types::Diagnostic::default()
                },
            );
        }
    }
    out
}

/// Converts one diagnostic; `None` when its primary span is in a chunk that no
/// longer exists (a stale span from a declaration being edited).
pub fn to_lsp(ws: &Workspace, d: &Diagnostic) -> Option<(DocKey, lsp_types::Diagnostic)> {
    let primary = d.labels.iter().find(|l| l.primary).or(d.labels.first())?;
    let (doc, start, end) = ws.locate(primary.span)?;
    let key = convert::key_of(&doc.uri);
    let mut message = d.message.clone();
    if !primary.message.is_empty() {
        message.push('\n');
        message.push_str(&primary.message);
    }
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let related: Vec<DiagnosticRelatedInformation> = d
        .labels
        .iter()
        .filter(|l| !std::ptr::eq(*l, primary))
        .filter_map(|l| {
            let (doc, s, e) = ws.locate(l.span)?;
            Some(DiagnosticRelatedInformation {
                location: Location::new(doc.uri.clone(), convert::range(&doc.file, s, e)),
                message: if l.message.is_empty() {
                    "related".to_string()
                } else {
                    l.message.clone()
                },
            })
        })
        .collect();
    let tags = (d.code == "unused/declaration" || d.code == "unused/allow")
        .then(|| vec![DiagnosticTag::UNNECESSARY]);
    Some((
        key,
        lsp_types::Diagnostic {
            range: convert::range(&doc.file, start, end),
            severity: Some(match d.severity {
                Severity::Error => DiagnosticSeverity::ERROR,
                Severity::Warning => DiagnosticSeverity::WARNING,
                Severity::Info => DiagnosticSeverity::INFORMATION,
            }),
            code: Some(NumberOrString::String(d.code.to_string())),
            code_description: None,
            source: Some("eventsc".to_string()),
            message,
            related_information: (!related.is_empty()).then_some(related),
            tags,
            data: None,
        },
    ))
}
