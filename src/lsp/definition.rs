//! `textDocument/definition`: from a reference (an owner, consent purpose,
//! retention policy, source, tool, enum, bundle, or an event named by
//! `replaced_by` or a KPI) to the declaration's name.

use super::lookup::{self, Target};
use super::workspace::Workspace;
use super::{Position, convert};
use lsp_types::{GotoDefinitionResponse, Location};

pub fn definition(ws: &Workspace, key: &str, pos: Position) -> Option<GotoDefinitionResponse> {
    let doc = ws.docs.get(key)?;
    let (file, off) = ws.file_offset(key, convert::offset(&doc.file, pos))?;
    let plan = &ws.analysis_of(key)?.plan;
    let found = lookup::at(plan, file, off)?;
    let span = match found.target {
        Target::Decl(kind, i) => plan.decl_name_span(kind, i)?,
        Target::Property(p, _) => p.name.span,
    };
    let (doc, s, e) = ws.locate(span)?;
    Some(GotoDefinitionResponse::Scalar(Location::new(
        doc.uri.clone(),
        convert::range(&doc.file, s, e),
    )))
}
