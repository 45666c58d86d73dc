//! `textDocument/documentSymbol`: the outline of a document (its declarations,
//! their properties, enum values and nested objects), from the parsed chunks,
//! so it needs no analysis and survives a declaration that does not parse.

use super::convert;
use super::workspace::Workspace;
use crate::source::Span;
use crate::syntax::ast::{self, DeclName, Item, TypeExpr, Value};
use lsp_types::{DocumentSymbol, SymbolKind};

pub fn symbols(ws: &Workspace, key: &str) -> Option<Vec<DocumentSymbol>> {
    let doc = ws.docs.get(key)?;
    let mut out = Vec::new();
    for chunk in &doc.chunks {
        let Some(ast) = ws.parsed.get(&chunk.file).and_then(|p| p.ast.as_ref()) else {
            continue;
        };
        let at = |span: Span| {
            convert::range(
                &doc.file,
                chunk.start + span.start as usize,
                chunk.start + span.end as usize,
            )
        };
        for d in &ast.decls {
            out.push(declaration(d, &at));
        }
    }
    Some(out)
}

fn kind_of(keyword: &str) -> SymbolKind {
    match keyword {
        "plan" => SymbolKind::MODULE,
        "event" => SymbolKind::EVENT,
        "owner" => SymbolKind::OBJECT,
        "consent" | "retention" => SymbolKind::KEY,
        "source" | "tool" => SymbolKind::PACKAGE,
        "enum" => SymbolKind::ENUM,
        "bundle" | "common" | "identify" | "group" | "envelope" | "page" | "screen" => {
            SymbolKind::STRUCT
        }
        "kpi" => SymbolKind::FUNCTION,
        _ => SymbolKind::NULL,
    }
}

#[allow(deprecated)] // `DocumentSymbol::deprecated` must be written out.
fn symbol(
    name: String,
    detail: Option<String>,
    kind: SymbolKind,
    range: lsp_types::Range,
    selection: lsp_types::Range,
    children: Vec<DocumentSymbol>,
) -> DocumentSymbol {
    DocumentSymbol {
        name,
        detail,
        kind,
        tags: None,
        deprecated: None,
        range,
        selection_range: selection,
        children: (!children.is_empty()).then_some(children),
    }
}

fn declaration(d: &ast::Decl, at: &impl Fn(Span) -> lsp_types::Range) -> DocumentSymbol {
    let (name, selection) = match &d.name {
        Some(DeclName::Str(s)) => (s.value.clone(), s.span),
        Some(DeclName::Owner(i)) | Some(DeclName::Ident(i)) => (i.text.clone(), i.span),
        None => (d.kind.text.clone(), d.kind.span),
    };
    let children = block_children(&d.block, at);
    symbol(
        name,
        Some(d.kind.text.clone()),
        kind_of(&d.kind.text),
        at(d.span),
        at(selection),
        children,
    )
}

fn block_children(
    block: &ast::Block,
    at: &impl Fn(Span) -> lsp_types::Range,
) -> Vec<DocumentSymbol> {
    let mut out = Vec::new();
    for item in &block.items {
        match item {
            Item::Property(p) => {
                let mut ty = &p.ty;
                while let TypeExpr::List(inner, _) = ty {
                    ty = &inner.item;
                }
                let children = match ty {
                    TypeExpr::Object(b, _) => block_children(b, at),
                    _ => Vec::new(),
                };
                let detail = type_text(&p.ty);
                out.push(symbol(
                    p.name.text.clone(),
                    Some(detail),
                    SymbolKind::FIELD,
                    at(p.span),
                    at(p.name.span),
                    children,
                ));
            }
            Item::Values(values, _) => {
                for v in values {
                    if let Value::Str(s) = v {
                        out.push(symbol(
                            s.value.clone(),
                            None,
                            SymbolKind::ENUM_MEMBER,
                            at(s.span),
                            at(s.span),
                            Vec::new(),
                        ));
                    }
                }
            }
            _ => {}
        }
    }
    out
}

fn type_text(t: &TypeExpr) -> String {
    match t {
        TypeExpr::Named(i) => i.text.clone(),
        TypeExpr::List(inner, _) => format!("list({})", type_text(&inner.item)),
        TypeExpr::Enum(values, _) => format!(
            "enum({})",
            values
                .iter()
                .map(|v| match v {
                    Value::Str(s) => format!("{:?}", s.value),
                    Value::Number(t) | Value::Word(t) => t.text.clone(),
                    _ => "…".to_string(),
                })
                .collect::<Vec<_>>()
                .join(", ")
        ),
        TypeExpr::Object(..) => "object".to_string(),
        TypeExpr::Union(members, _) => members
            .iter()
            .map(type_text)
            .collect::<Vec<_>>()
            .join(" | "),
    }
}
