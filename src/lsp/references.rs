//! `textDocument/references`: every place a declaration is named, across the
//! files of the plan (its own name included when the client asks).

use super::lookup::{self, Target};
use super::workspace::Workspace;
use super::{Position, convert};
use lsp_types::Location;

pub fn references(
    ws: &Workspace,
    key: &str,
    pos: Position,
    include_declaration: bool,
) -> Option<Vec<Location>> {
    let doc = ws.docs.get(key)?;
    let (file, off) = ws.file_offset(key, convert::offset(&doc.file, pos))?;
    let plan = &ws.analysis_of(key)?.plan;
    let found = lookup::at(plan, file, off)?;
    let Target::Decl(kind, index) = found.target else {
        return Some(Vec::new());
    };
    let (declaration, refs) = lookup::occurrences(plan, kind, index);
    let declaration = declaration.filter(|_| include_declaration);
    Some(
        declaration
            .into_iter()
            .chain(refs)
            .filter_map(|span| {
                let (doc, s, e) = ws.locate(span)?;
                Some(Location::new(
                    doc.uri.clone(),
                    convert::range(&doc.file, s, e),
                ))
            })
            .collect(),
    )
}
