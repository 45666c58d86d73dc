//! Syntax: text → [`ast::File`].
//!
//! `grammar/events.pest` is the grammar of record. `fast` is a hand-written parser
//! that mirrors it rule for rule and builds the same AST much faster; when it rejects
//! an input, pest parses it and `build` turns pest pairs into the AST with one
//! function per grammar rule; `errors` turns pest's "expected X" into
//! messages a person understands. A scan for over-deep nesting runs first, so that
//! no input can exhaust the stack.
//!
//! Public only for the integration tests (tests/it): the parsers, compared with
//! each other, and the tokens.

pub mod ast;
mod build;
mod errors;
/// The declaration keywords (from [`crate::vocab`]).
pub(crate) use crate::vocab::DECLARATION_KEYWORDS as DECL_KINDS;
mod fast;
pub mod pieces;
pub mod scan;

pub use pieces::{Recovered, parse_file};

use crate::diagnostics::{Diagnostic, codes};
use crate::source::{FileId, Span};
use pest::Parser;
use std::fmt::Write;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/events.pest"]
pub(crate) struct EventsParser;

/// Deepest nesting of `{`, `(` and `[` accepted.
pub(crate) const MAX_NESTING: usize = 32;

/// A file parsed as a whole: its AST when every declaration parsed, and any
/// problems.
pub struct Parsed {
    pub file: Option<ast::File>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses one file's text all or nothing (for `fmt`, which must not drop what
/// did not parse): [`parse_file`] on `threads` workers, the AST only when every
/// piece parsed.
pub fn parse(file: FileId, text: &str, threads: usize) -> Parsed {
    let r = parse_file(file, text, threads);
    let whole = r.parsed();
    Parsed {
        file: whole.then_some(r.file),
        diagnostics: r.diagnostics,
    }
}

/// `[A-Za-z_][A-Za-z0-9_]*`: a property, consent, retention or source name
/// (lowering, import and rename check names with it).
pub(crate) fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `[a-z0-9][a-z0-9._-]*`: an owner id (without `@`).
pub(crate) fn is_owner_id(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
}

/// A string literal of the language holding `s`: the inverse of how the parser
/// reads one (`"`, `\\`, newline and tab escaped, other control characters as
/// `\u{…}`). Every writer of `.events` text uses it (`import`, `init`, the
/// language server's rename and completion).
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:X}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A declaration that did not parse: its kind and name as far as they could be
/// read, so that references to it are not reported as unknown.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct BrokenDecl {
    pub kind: ast::Ident,
    pub name: Option<ast::DeclName>,
}

/// The fast parser alone on a whole text: `None` when it rejects the input
/// (`tests/it/parser_agreement.rs` compares it with [`parse_with_pest`]).
pub fn parse_fast(file: FileId, text: &str) -> Option<(ast::File, Vec<Diagnostic>)> {
    fast::parse(file, text)
}

/// Parses a whole text with pest only (the grammar of record: it reports the
/// error of a piece that does not parse, and tests compare it with the fast
/// parser).
pub fn parse_with_pest(file: FileId, text: &str) -> Parsed {
    let toks = scan::tokens(text);
    if let Some(pos) = scan::too_deep(&toks, MAX_NESTING) {
        let span = Span::new(file, pos, pos + 1);
        return Parsed {
            file: None,
            diagnostics: vec![
                Diagnostic::error(
                    codes::NESTING_TOO_DEEP,
                    format!("nesting is too deep (more than {MAX_NESTING} levels)"),
                )
                .primary(span, format!("level {} opens here", MAX_NESTING + 1))
                .help("flatten the structure: objects nested this deep are not a tracking plan"),
            ],
        };
    }
    match EventsParser::parse(Rule::file, text) {
        Ok(mut pairs) => {
            let mut b = build::Builder::new(file);
            let ast = pairs.next().map(|p| b.file(p));
            Parsed {
                file: ast,
                diagnostics: b.diagnostics,
            }
        }
        Err(e) => Parsed {
            file: None,
            diagnostics: vec![errors::translate(file, text, &toks, &e)],
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quoted_string_reads_back_as_it_was() {
        for s in [
            "",
            "plain",
            "a \"b\"",
            "back\\slash",
            "tab\there",
            "two\nlines",
            "\u{1}\u{7f}",
            "é😀",
        ] {
            let text = format!("plan {} {{}}\n", quote(s));
            let file = parse(FileId(0), &text, 0).file.expect("it parses");
            match &file.decls[0].name {
                Some(ast::DeclName::Str(v)) => assert_eq!(v.value, s),
                other => panic!("{text}: {other:?}"),
            }
        }
    }
}
