//! `textDocument/prepareRename` and `textDocument/rename`: renames a declaration
//! (owner, consent purpose, retention policy, source, tool, enum, bundle, event,
//! KPI) and every reference to it, across the files of the plan. Each place is
//! rewritten the way it is written (`@name`, `"Name"` or `name`).

use super::lookup::{self, Target};
use super::workspace::Workspace;
use super::{Position, convert};
use crate::ir::DeclKind;
use lsp_types::{PrepareRenameResponse, TextEdit, Uri, WorkspaceEdit};
use std::collections::HashMap;

pub fn prepare(ws: &Workspace, key: &str, pos: Position) -> Option<PrepareRenameResponse> {
    let doc = ws.docs.get(key)?;
    let (file, off) = ws.file_offset(key, convert::offset(&doc.file, pos))?;
    let plan = &ws.analysis_of(key)?.plan;
    let found = lookup::at(plan, file, off)?;
    let Target::Decl(kind, index) = found.target else {
        return None;
    };
    let (doc, s, e) = ws.locate(found.span)?;
    Some(PrepareRenameResponse::RangeWithPlaceholder {
        range: convert::range(&doc.file, s, e),
        placeholder: plan.decl_name(kind, index)?.to_string(),
    })
}

/// The edits, or why the rename cannot be done.
#[allow(clippy::mutable_key_type)] // lsp-types keys `WorkspaceEdit::changes` by `Uri`.
pub fn rename(
    ws: &Workspace,
    key: &str,
    pos: Position,
    new_name: &str,
) -> Result<Option<WorkspaceEdit>, String> {
    let Some(doc) = ws.docs.get(key) else {
        return Ok(None);
    };
    let Some((file, off)) = ws.file_offset(key, convert::offset(&doc.file, pos)) else {
        return Ok(None);
    };
    let Some(analysis) = ws.analysis_of(key) else {
        return Ok(None);
    };
    let plan = &analysis.plan;
    let Some(found) = lookup::at(plan, file, off) else {
        return Err("there is no declaration here to rename".into());
    };
    let Target::Decl(kind, index) = found.target else {
        return Err("only declarations can be renamed (owners, consent purposes, retention policies, sources, tools, enums, bundles, events, KPIs)".into());
    };
    let name = valid_name(kind, new_name)?;
    let mut i = 0;
    while let Some(existing) = plan.decl_name(kind, i) {
        let same = match kind {
            DeclKind::Event => {
                crate::ir::lower::event_key(existing) == crate::ir::lower::event_key(&name)
            }
            _ => existing == name,
        };
        // The event's other versions are renamed with it.
        if same && i != index && existing != plan.decl_name(kind, index).unwrap_or_default() {
            return Err(format!(
                "{} `{}` already exists",
                kind.noun(),
                kind.render(existing)
            ));
        }
        i += 1;
    }
    let (declaration, refs) = lookup::occurrences(plan, kind, index);
    let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
    for span in declaration.into_iter().chain(refs) {
        let Some((doc, s, e)) = ws.locate(span) else {
            continue;
        };
        let written = &doc.file.text[s..e];
        let text = if written.starts_with('"') {
            quote(&name)
        } else if written.starts_with('@') {
            format!("@{name}")
        } else {
            name.clone()
        };
        changes
            .entry(doc.uri.clone())
            .or_default()
            .push(TextEdit::new(convert::range(&doc.file, s, e), text));
    }
    Ok(Some(WorkspaceEdit::new(changes)))
}

/// The new name as the language wants it for this kind of declaration.
fn valid_name(kind: DeclKind, new_name: &str) -> Result<String, String> {
    let name = new_name.trim();
    match kind {
        DeclKind::Owner => {
            let name = name.strip_prefix('@').unwrap_or(name);
            if crate::syntax::is_owner_id(name) {
                Ok(name.to_string())
            } else {
                Err(format!(
                    "`@{name}` is not an owner name: a lowercase letter or digit, then letters, digits, `.`, `_` or `-`"
                ))
            }
        }
        DeclKind::Event | DeclKind::Kpi => {
            if name.is_empty() || name.contains('\n') {
                Err(format!("a {} needs a name on one line", kind.noun()))
            } else {
                Ok(name.to_string())
            }
        }
        _ => {
            if crate::syntax::is_ident(name) {
                Ok(name.to_string())
            } else {
                Err(format!(
                    "`{name}` is not a {} name: a letter or `_`, then letters, digits or `_`",
                    kind.noun()
                ))
            }
        }
    }
}

use crate::syntax::quote;
