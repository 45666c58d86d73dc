//! `textDocument/definition`: from a reference (an owner, consent purpose,
//! retention policy, source, tool, enum, bundle, or an event named by
//! `replaced_by` or a KPI) to the declaration's name; an event with several
//! versions goes to each of them, the current first.

use super::lookup::{self, Target};
use super::workspace::Workspace;
use super::{Position, convert};
use lsp_types::{GotoDefinitionResponse, Location};

pub fn definition(ws: &Workspace, key: &str, pos: Position) -> Option<GotoDefinitionResponse> {
    let doc = ws.docs.get(key)?;
    let (file, off) = ws.file_offset(key, convert::offset(&doc.file, pos))?;
    let plan = &ws.analysis_of(key)?.plan;
    let found = lookup::at(plan, file, off)?;
    let spans: Vec<_> = match found.target {
        // An event with several versions: each of them, the current first.
        Target::Decl(kind, i) => lookup::versions(plan, kind, i)
            .into_iter()
            .filter_map(|i| plan.decl_name_span(kind, i))
            .collect(),
        Target::Property(p, _) => vec![p.name.span],
    };
    let mut locations: Vec<Location> = spans
        .into_iter()
        .filter_map(|span| {
            let (doc, s, e) = ws.locate(span)?;
            Some(Location::new(
                doc.uri.clone(),
                convert::range(&doc.file, s, e),
            ))
        })
        .collect();
    match locations.len() {
        0 => None,
        1 => locations.pop().map(GotoDefinitionResponse::Scalar),
        _ => Some(GotoDefinitionResponse::Array(locations)),
    }
}
