//! `textDocument/formatting`: the `eventsc fmt` layout, as one edit replacing the
//! whole document. Like `eventsc fmt`, a document with syntax errors is left as it
//! is (the response is `null`); an already formatted one gets no edits.

use super::convert;
use super::workspace::Workspace;
use crate::source::FileId;
use lsp_types::TextEdit;

pub fn formatting(ws: &Workspace, key: &str) -> Option<Vec<TextEdit>> {
    let doc = ws.docs.get(key)?;
    let text = &doc.file.text;
    let formatted = crate::fmt::format(FileId(0), text).ok()?;
    if formatted == *text {
        return Some(Vec::new());
    }
    Some(vec![TextEdit {
        range: convert::range(&doc.file, 0, text.len()),
        new_text: formatted,
    }])
}
