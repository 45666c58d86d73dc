//! Syntax: text → [`ast::File`].
//!
//! `grammar/events.pest` is the grammar of record. [`fast`] is a hand-written parser
//! that mirrors it rule for rule and builds the same AST much faster; when it rejects
//! an input, pest parses it and [`build`] turns pest pairs into the AST with one
//! function per grammar rule; [`errors`] turns pest's "expected X" into
//! messages a person understands. A scan for over-deep nesting runs first, so that
//! no input can exhaust the stack.

pub mod ast;
mod build;
mod errors;
mod fast;
pub mod scan;

use crate::diagnostics::{Diagnostic, codes};
use crate::source::{FileId, Span};
use pest::Parser;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/events.pest"]
pub struct EventsParser;

/// Deepest nesting of `{`, `(` and `[` accepted.
pub const MAX_NESTING: usize = 32;

/// The result of parsing one file: the AST when the file parsed, and any problems.
pub struct Parsed {
    pub file: Option<ast::File>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses one file's text: the fast hand-written parser first; when it rejects
/// the input, pest (the grammar of record) parses it again to report the error.
pub fn parse(file: FileId, text: &str) -> Parsed {
    if let Some((ast, diagnostics)) = fast::parse(file, text) {
        return Parsed {
            file: Some(ast),
            diagnostics,
        };
    }
    parse_with_pest(file, text)
}

/// The fast parser alone: `None` when it rejects the input (tests compare it with
/// [`parse_with_pest`]).
pub fn parse_fast(file: FileId, text: &str) -> Option<(ast::File, Vec<Diagnostic>)> {
    fast::parse(file, text)
}

/// Parses with pest only (the reference parser; used for errors and in tests).
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
