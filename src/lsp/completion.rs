//! `textDocument/completion`, in context, from the token scanner (no parse, so
//! it works in the half-written line being edited): declaration keywords at the
//! top level, the fields of the block the cursor is in, types after `name:`,
//! modifiers after a type, declared names after `consent`, `retention`,
//! `source`, `use` (and in `consent(…)`, `retention(…)`), `@owners` wherever an
//! owner goes, the keyword values of fields like `status` or `basis`, event
//! names after `replaced_by`, rule names in `allow("…")`.

use super::workspace::Workspace;
use super::{Position, convert};
use crate::ir::{
    Basis, Constraint, EventNaming, Format, Identity, Level, Pattern, PiiClass, PropertyNaming,
    RetentionAction, SourceKind, Status,
};
use crate::syntax::ast::{DeclName, Item};
use crate::syntax::scan::{self, Tok, Token};
use crate::vocab::{self, Word};
use lsp_types::{CompletionItem, CompletionItemKind, CompletionTextEdit, Range, TextEdit};
use std::collections::BTreeSet;

/// Tools the targets know, offered after `tools` next to declared ones.
const KNOWN_TOOLS: &[&str] = &[
    "segment",
    "rudderstack",
    "amplitude",
    "mixpanel",
    "snowplow",
    "dbt",
];

/// The declared names of a plan, from its parsed declarations.
#[derive(Default)]
struct Names {
    owners: BTreeSet<String>,
    consents: BTreeSet<String>,
    retentions: BTreeSet<String>,
    sources: BTreeSet<String>,
    tools: BTreeSet<String>,
    enums: BTreeSet<String>,
    bundles: BTreeSet<String>,
    events: BTreeSet<String>,
    properties: BTreeSet<String>,
}

fn names(ws: &Workspace, group: &str) -> Names {
    let mut n = Names::default();
    for file in ws.group_asts(group) {
        for d in &file.decls {
            let name = match &d.name {
                Some(DeclName::Str(s)) => s.value.clone(),
                Some(DeclName::Owner(i)) => i.text.trim_start_matches('@').to_string(),
                Some(DeclName::Ident(i)) => i.text.clone(),
                None => String::new(),
            };
            let set = match d.kind.text.as_str() {
                "owner" => &mut n.owners,
                "consent" => &mut n.consents,
                "retention" => &mut n.retentions,
                "source" => &mut n.sources,
                "tool" => &mut n.tools,
                "enum" => &mut n.enums,
                "bundle" => &mut n.bundles,
                "event" => &mut n.events,
                _ => continue,
            };
            if !name.is_empty() {
                set.insert(name);
            }
            if matches!(d.kind.text.as_str(), "event" | "bundle") {
                for item in &d.block.items {
                    if let Item::Property(p) = item {
                        n.properties.insert(p.name.text.clone());
                    }
                }
            }
        }
    }
    n
}

/// The documentation of the word of the language under the cursor, as the
/// vocabulary has it (a declaration keyword, a field of the block it is in, a
/// type or a modifier), with its range in the document: for hover.
pub fn keyword_doc(
    ws: &Workspace,
    key: &str,
    pos: Position,
) -> Option<(String, std::ops::Range<usize>)> {
    let doc = ws.docs.get(key)?;
    let offset = convert::offset(&doc.file, pos);
    let chunk = *doc.chunk_at(offset)?;
    let text = ws.parsed.get(&chunk.file)?.text.as_str();
    let off = offset.checked_sub(chunk.start)?.min(text.len());
    let bytes = text.as_bytes();
    let is_word = |i: &usize| bytes[*i].is_ascii_alphanumeric() || bytes[*i] == b'_';
    let start = (0..off).rev().take_while(is_word).last().unwrap_or(off);
    let end = (off..bytes.len())
        .take_while(is_word)
        .last()
        .map_or(off, |i| i + 1);
    let w = text.get(start..end).filter(|w| !w.is_empty())?;
    let before = &text[..start];
    let (_, context) = context_of(before, &scan::tokens(before));
    let find = |words: &'static [Word]| words.iter().find(|t| t.name == w);
    let (what, doc) = match context {
        Context::TopLevel => ("declaration".to_string(), vocab::declaration(w)?.doc),
        Context::Field(block) => {
            let b = vocab::block(&block)?;
            (format!("field of {}", b.what), b.field(w)?.doc)
        }
        Context::Type => (
            "type".to_string(),
            find(vocab::TYPES)
                .or_else(|| find(vocab::TYPE_CONSTRUCTORS))?
                .doc,
        ),
        Context::Modifier => ("modifier".to_string(), vocab::modifier(w)?.doc),
        _ => return None,
    };
    Some((
        format!("**{what}** `{w}`\n\n{doc}"),
        chunk.start + start..chunk.start + end,
    ))
}

/// What the cursor is completing.
enum Context {
    TopLevel,
    /// The start of a statement in a block opened by `keyword`.
    Field(String),
    /// After `name:`.
    Type,
    /// After a property's type.
    Modifier,
    /// The values of field `key` in block `block`.
    Value {
        block: String,
        key: String,
    },
    /// Inside `call(`.
    Argument(String),
    /// Inside the string argument of `allow(`.
    RuleName,
    /// Inside the string after `replaced_by` or a KPI's `events`.
    EventName,
    None,
}

pub fn completion(ws: &Workspace, key: &str, pos: Position) -> Option<Vec<CompletionItem>> {
    let doc = ws.docs.get(key)?;
    let offset = convert::offset(&doc.file, pos);
    let chunk = *doc.chunk_at(offset)?;
    let parsed = ws.parsed.get(&chunk.file)?;
    let off = offset.checked_sub(chunk.start)?.min(parsed.text.len());
    let before = parsed.text.get(..off)?;
    let toks = scan::tokens(before);
    let (word_start, context) = context_of(before, &toks);
    let replace = Range::new(convert::position(&doc.file, chunk.start + word_start), pos);
    let names = names(ws, &doc.group);
    let mut items = Vec::new();
    let mut add = |label: String, kind: CompletionItemKind, detail: &str| {
        items.push(CompletionItem {
            label: label.clone(),
            kind: Some(kind),
            detail: (!detail.is_empty()).then(|| detail.to_string()),
            text_edit: Some(CompletionTextEdit::Edit(TextEdit::new(replace, label))),
            ..CompletionItem::default()
        });
    };
    // A word of the language, with its documentation.
    let mut vocab_items = Vec::new();
    let mut word = |name: &str, doc: &str, kind: CompletionItemKind, detail: &str| {
        vocab_items.push(CompletionItem {
            label: name.to_string(),
            kind: Some(kind),
            detail: Some(detail.to_string()),
            documentation: Some(lsp_types::Documentation::MarkupContent(
                lsp_types::MarkupContent {
                    kind: lsp_types::MarkupKind::Markdown,
                    value: doc.to_string(),
                },
            )),
            text_edit: Some(CompletionTextEdit::Edit(TextEdit::new(
                replace,
                name.to_string(),
            ))),
            ..CompletionItem::default()
        });
    };
    let keywords =
        |add: &mut dyn FnMut(String, CompletionItemKind, &str), words: &[&str], detail: &str| {
            for w in words {
                add(w.to_string(), CompletionItemKind::ENUM_MEMBER, detail);
            }
        };
    match context {
        Context::TopLevel => {
            for b in vocab::DECLARATIONS {
                word(b.keyword, b.doc, CompletionItemKind::KEYWORD, "declaration");
            }
        }
        Context::Field(block) => {
            for f in vocab::block(&block).map_or(&[][..], |b| b.fields) {
                word(f.name, f.doc, CompletionItemKind::KEYWORD, "field");
            }
        }
        Context::Type => {
            for t in vocab::TYPES.iter().chain(vocab::TYPE_CONSTRUCTORS) {
                word(t.name, t.doc, CompletionItemKind::TYPE_PARAMETER, "type");
            }
            for e in &names.enums {
                add(e.clone(), CompletionItemKind::ENUM, "enum");
            }
        }
        Context::Modifier => {
            for m in vocab::MODIFIERS {
                word(m.name, m.doc, CompletionItemKind::KEYWORD, "modifier");
            }
        }
        Context::Argument(call) => match call.as_str() {
            "consent" => names
                .consents
                .iter()
                .for_each(|c| add(c.clone(), CompletionItemKind::REFERENCE, "consent purpose")),
            "retention" => names
                .retentions
                .iter()
                .for_each(|r| add(r.clone(), CompletionItemKind::REFERENCE, "retention policy")),
            "pii" => keywords(&mut add, PiiClass::NAMES, "personal data class"),
            "format" => {
                let formats: Vec<&str> = Format::ALL.iter().map(|(n, _)| *n).collect();
                keywords(&mut add, &formats, "format")
            }
            "list" => {
                for t in vocab::TYPES.iter().chain(vocab::TYPE_CONSTRUCTORS) {
                    word(t.name, t.doc, CompletionItemKind::TYPE_PARAMETER, "type");
                }
                for e in &names.enums {
                    add(e.clone(), CompletionItemKind::ENUM, "enum");
                }
            }
            "allow" => add(
                "reason".into(),
                CompletionItemKind::KEYWORD,
                "why the exception",
            ),
            _ => {}
        },
        Context::RuleName => {
            for r in crate::rules::names() {
                add(r.to_string(), CompletionItemKind::CONSTANT, "rule");
            }
        }
        Context::EventName => {
            for e in &names.events {
                add(e.clone(), CompletionItemKind::EVENT, "event");
            }
        }
        Context::Value { block, key } => {
            let owners = |add: &mut dyn FnMut(String, CompletionItemKind, &str)| {
                for o in &names.owners {
                    add(format!("@{o}"), CompletionItemKind::REFERENCE, "owner");
                }
            };
            match (block.as_str(), key.as_str()) {
                (_, "owner" | "backup" | "escalation" | "ripcord" | "approvers") => {
                    owners(&mut add)
                }
                (_, "consent") => names
                    .consents
                    .iter()
                    .for_each(|c| add(c.clone(), CompletionItemKind::REFERENCE, "consent purpose")),
                (_, "retention") => names.retentions.iter().for_each(|r| {
                    add(r.clone(), CompletionItemKind::REFERENCE, "retention policy")
                }),
                (_, "source" | "sources") => names
                    .sources
                    .iter()
                    .for_each(|s| add(s.clone(), CompletionItemKind::REFERENCE, "source")),
                (_, "use") => names
                    .bundles
                    .iter()
                    .for_each(|b| add(b.clone(), CompletionItemKind::STRUCT, "bundle")),
                (_, "tools") => {
                    let all: BTreeSet<&str> = names
                        .tools
                        .iter()
                        .map(String::as_str)
                        .chain(KNOWN_TOOLS.iter().copied())
                        .collect();
                    for t in all {
                        add(t.to_string(), CompletionItemKind::REFERENCE, "tool");
                    }
                }
                ("naming", "events") => keywords(&mut add, EventNaming::NAMES, "naming"),
                ("naming", "properties") => keywords(&mut add, PropertyNaming::NAMES, "naming"),
                (_, "status") => keywords(&mut add, Status::NAMES, "status"),
                (_, "identity") => keywords(&mut add, Identity::NAMES, "identity"),
                (_, "basis") => keywords(&mut add, Basis::NAMES, "lawful basis"),
                (_, "action") => keywords(&mut add, RetentionAction::NAMES, "retention action"),
                ("source", "kind") => keywords(&mut add, SourceKind::NAMES, "source kind"),
                (_, "pattern") => keywords(&mut add, Pattern::NAMES, "pattern"),
                (_, "constraints") => keywords(&mut add, Constraint::NAMES, "constraint"),
                (_, "baa") => keywords(&mut add, &["true", "false"], "boolean"),
                ("rules", _) => keywords(&mut add, Level::NAMES, "level"),
                ("kpi", "dimensions") => names
                    .properties
                    .iter()
                    .for_each(|p| add(p.clone(), CompletionItemKind::FIELD, "property")),
                (_, "replaced_by") | ("kpi", "events") => {
                    for e in &names.events {
                        add(crate::syntax::quote(e), CompletionItemKind::EVENT, "event");
                    }
                }
                _ => {}
            }
        }
        Context::None => {}
    }
    vocab_items.extend(items);
    Some(vocab_items)
}

/// Where the word being completed starts, and what it completes.
fn context_of(text: &str, toks: &[Token]) -> (usize, Context) {
    let end = text.len();
    if let Some(last) = toks.last()
        && last.end == end
    {
        let rest = &toks[..toks.len() - 1];
        match last.kind {
            Tok::Comment | Tok::Str { terminated: true } | Tok::Number => {
                return (end, Context::None);
            }
            Tok::Str { terminated: false } => return (last.start + 1, string_context(text, rest)),
            Tok::Ident | Tok::Owner => return (last.start, context_of_tokens(text, rest)),
            _ => {}
        }
    }
    (end, context_of_tokens(text, toks))
}

/// A string being written: a rule name in `allow(`, an event name after
/// `replaced_by` or a KPI's `events`.
fn string_context(text: &str, toks: &[Token]) -> Context {
    match context_of_tokens(text, toks) {
        Context::Argument(call) if call == "allow" => Context::RuleName,
        Context::Value { block, key }
            if key == "replaced_by" || (block == "kpi" && key == "events") =>
        {
            Context::EventName
        }
        _ => Context::None,
    }
}

/// The context after `toks` (the tokens before the word being completed).
fn context_of_tokens(text: &str, toks: &[Token]) -> Context {
    let stack = scan::open_delimiters(toks, usize::MAX);
    let Some(open) = stack.last() else {
        return if statement(toks).is_empty() {
            Context::TopLevel
        } else {
            Context::None
        };
    };
    let Some(open_index) = toks.iter().position(|t| t.start == open.start) else {
        return Context::None;
    };
    match open.delim {
        '(' => open_index
            .checked_sub(1)
            .and_then(|i| toks.get(i))
            .filter(|t| t.kind == Tok::Ident)
            .map_or(Context::None, |t| {
                Context::Argument(word(text, t).to_string())
            }),
        '{' => {
            let block = block_keyword(text, &toks[..open_index], stack.len());
            match statement(&toks[open_index + 1..]).as_slice() {
                [] => Context::Field(block),
                [name, colon] if name.kind == Tok::Ident && colon.kind == Tok::Punct(':') => {
                    Context::Type
                }
                [name, colon, ..] if name.kind == Tok::Ident && colon.kind == Tok::Punct(':') => {
                    Context::Modifier
                }
                [key, ..] if key.kind == Tok::Ident => Context::Value {
                    block,
                    key: word(text, key).to_string(),
                },
                [s, ..] if matches!(s.kind, Tok::Str { .. }) && block == "rules" => {
                    Context::Value {
                        block,
                        key: String::new(),
                    }
                }
                _ => Context::None,
            }
        }
        _ => Context::None,
    }
}

fn word<'t>(text: &'t str, t: &Token) -> &'t str {
    text.get(t.start..t.end).unwrap_or("")
}

/// The tokens of the statement at the end of `toks`: after the last newline,
/// `;`, `{` or `}`, comments left out.
fn statement(toks: &[Token]) -> Vec<Token> {
    let start = toks
        .iter()
        .rposition(|t| {
            matches!(
                t.kind,
                Tok::Newline | Tok::Punct(';') | Tok::Punct('{') | Tok::Punct('}')
            )
        })
        .map_or(0, |i| i + 1);
    toks[start..]
        .iter()
        .copied()
        .filter(|t| t.kind != Tok::Comment)
        .collect()
}

/// The word that opened a block, from the tokens before its `{`: a declaration
/// keyword (`event`) at the top level, `naming`, `qa` or `rules` in the plan,
/// `object` for a property's type.
fn block_keyword(text: &str, head: &[Token], depth: usize) -> String {
    let head = statement(head);
    if head.iter().any(|t| t.kind == Tok::Punct(':')) {
        return "object".to_string();
    }
    let first = head.first().map(|t| word(text, t)).unwrap_or_default();
    if depth == 1 || matches!(first, "naming" | "qa" | "rules") {
        first.to_string()
    } else {
        String::new()
    }
}
