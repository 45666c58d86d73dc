//! Syntax: text → [`ast::File`].
//!
//! pest does the parsing (`grammar/events.pest`); [`build`] turns pest pairs into the
//! AST with one function per grammar rule; [`errors`] turns pest's "expected X" into
//! messages a person understands. A scan for over-deep nesting runs first, so that
//! no input can exhaust the stack.

pub mod ast;
mod build;
mod errors;
pub mod fast;
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

/// Parses one file's text.
pub fn parse(file: FileId, text: &str) -> Parsed {
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

/// Parses one file's text with the hand-written parser ([`fast`]), falling back to
/// [`parse`] (and its diagnostics) when that one does not accept the input. The
/// result is the same as [`parse`]'s, only faster on valid input.
pub fn parse_fast(file: FileId, text: &str) -> Parsed {
    match fast::parse(file, text) {
        Some(ast) => Parsed {
            file: Some(ast),
            diagnostics: Vec::new(),
        },
        None => parse(file, text),
    }
}
