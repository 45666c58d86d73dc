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
pub use errors::DECL_KINDS;
mod fast;
pub mod pieces;
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

/// Parses a large file on several threads: the text is cut at lines that start a
/// top-level declaration (`event "…" {` in column 1; strings never span lines, so
/// such a line cannot be inside one), and the pieces are parsed in parallel. If any
/// piece does not parse, the file is parsed as a whole with [`parse_recovering`], so
/// the result is always the same as the sequential one.
pub fn parse_parallel(file: FileId, text: &str, threads: usize) -> Recovered {
    let cuts = cut_points(text, threads);
    if cuts.len() <= 2 {
        return parse_recovering(file, text);
    }
    let pieces: Vec<Option<(ast::File, Vec<Diagnostic>)>> = std::thread::scope(|s| {
        let handles: Vec<_> = cuts
            .windows(2)
            .map(|w| {
                let (a, b) = (w[0], w[1]);
                s.spawn(move || fast::parse_range(file, text, a, b))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().ok().flatten())
            .collect()
    });
    if pieces.iter().any(Option::is_none) {
        return parse_recovering(file, text);
    }
    let mut decls = Vec::new();
    let mut diagnostics = Vec::new();
    for (f, d) in pieces.into_iter().flatten() {
        decls.extend(f.decls);
        diagnostics.extend(d);
    }
    Recovered {
        file: ast::File { decls },
        diagnostics,
        broken: Vec::new(),
        complete: true,
    }
}

/// `threads + 1` offsets (0, …, len) cutting the text into pieces of similar size,
/// each cut at the start of a line that starts a declaration.
fn cut_points(text: &str, threads: usize) -> Vec<usize> {
    let mut cuts = vec![0];
    let step = text.len() / threads.max(1);
    for k in 1..threads {
        let target = (k * step).max(cuts[cuts.len() - 1] + 1);
        let mut pos = target;
        let found = loop {
            let Some(nl) = text.get(pos..).and_then(|t| t.find('\n')) else {
                break None;
            };
            let line = pos + nl + 1;
            let rest = &text[line..];
            let kw_len = rest.bytes().take_while(u8::is_ascii_lowercase).count();
            let is_decl = errors::DECL_KINDS.contains(&&rest[..kw_len])
                && rest[kw_len..].starts_with([' ', '{'])
                && rest
                    .lines()
                    .next()
                    .is_some_and(|l| l.trim_end().ends_with('{'));
            if is_decl {
                break Some(line);
            }
            pos = line;
        };
        match found {
            Some(c) if c < text.len() => cuts.push(c),
            _ => break,
        }
    }
    cuts.push(text.len());
    cuts.dedup();
    cuts
}

/// A declaration that did not parse: its kind and name as far as they could be
/// read, so that references to it are not reported as unknown.
#[derive(Clone, Debug, PartialEq)]
pub struct BrokenDecl {
    pub kind: ast::Ident,
    pub name: Option<ast::DeclName>,
}

/// The result of [`parse_recovering`].
pub struct Recovered {
    /// Every declaration that parsed.
    pub file: ast::File,
    pub diagnostics: Vec<Diagnostic>,
    /// Declarations that did not parse (empty when the file parsed).
    pub broken: Vec<BrokenDecl>,
    /// False when some part of the file could not be attributed to a declaration.
    pub complete: bool,
}

/// Parses a file for checking: when it has syntax errors, keeps every top-level
/// declaration that parses and reports an error for each one that does not, so one
/// typo does not hide the rest of the file (and its declarations do not turn into
/// "unknown name" errors elsewhere). Declarations are found at lines that start, in
/// column 1, with a declaration keyword, an optional name and `{`.
///
/// Formatting must not use this: a partial AST would drop the broken parts.
pub fn parse_recovering(file: FileId, text: &str) -> Recovered {
    if let Some((ast, diagnostics)) = fast::parse(file, text) {
        return Recovered {
            file: ast,
            diagnostics,
            broken: Vec::new(),
            complete: true,
        };
    }
    let whole = parse_with_pest(file, text);
    let toks = scan::tokens(text);
    let starts = decl_starts(text, &toks);
    if starts.len() < 2 && starts.first().is_none_or(|&s| s == 0) {
        return Recovered {
            file: ast::File { decls: Vec::new() },
            diagnostics: whole.diagnostics,
            broken: header(file, text, &starts),
            complete: false,
        };
    }
    // Chunks: [0, s0), [s0, s1), …, [sn, len). The first error is pest's error for
    // the whole file (its best message); later broken chunks get their own.
    let first_error = whole
        .diagnostics
        .iter()
        .filter_map(Diagnostic::primary_span)
        .map(|s| s.start as usize)
        .min()
        .unwrap_or(0);
    let mut bounds = vec![0];
    bounds.extend(starts.iter().copied().filter(|&s| s > 0));
    bounds.push(text.len());
    let mut decls = Vec::new();
    let mut diagnostics = Vec::new();
    let mut broken = Vec::new();
    let mut complete = true;
    let mut reported_first = false;
    for w in bounds.windows(2) {
        let (start, end) = (w[0], w[1]);
        if let Some((f, d)) = fast::parse_range(file, text, start, end) {
            decls.extend(f.decls);
            diagnostics.extend(d);
            continue;
        }
        match fast::decl_header(file, text, start) {
            Some((kind, name)) if starts.contains(&start) => broken.push(BrokenDecl { kind, name }),
            _ => complete = false,
        }
        if !reported_first && first_error < end {
            diagnostics.extend(whole.diagnostics.iter().cloned());
            reported_first = true;
        } else {
            diagnostics.extend(chunk_error(file, text, start, end));
        }
    }
    if !reported_first {
        diagnostics.extend(whole.diagnostics);
    }
    Recovered {
        file: ast::File { decls },
        diagnostics,
        broken,
        complete,
    }
}

fn header(file: FileId, text: &str, starts: &[usize]) -> Vec<BrokenDecl> {
    starts
        .first()
        .and_then(|&s| fast::decl_header(file, text, s))
        .map(|(kind, name)| BrokenDecl { kind, name })
        .into_iter()
        .collect()
}

/// Offsets of lines that start a top-level declaration: a declaration keyword in
/// column 1, an optional name, then `{` on the same line.
fn decl_starts(text: &str, toks: &[scan::Token]) -> Vec<usize> {
    use scan::Tok;
    let mut out = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        let at_line_start = t.start == 0 || text.as_bytes().get(t.start - 1) == Some(&b'\n');
        if !at_line_start
            || t.kind != Tok::Ident
            || !errors::DECL_KINDS.contains(&&text[t.start..t.end])
        {
            continue;
        }
        let mut j = i + 1;
        if matches!(
            toks.get(j).map(|t| t.kind),
            Some(Tok::Str { terminated: true } | Tok::Owner | Tok::Ident)
        ) {
            j += 1;
        }
        if toks.get(j).map(|t| t.kind) == Some(Tok::Punct('{')) {
            out.push(t.start);
        }
    }
    out
}

/// The error of a chunk that does not parse, from pest on that chunk alone.
fn chunk_error(file: FileId, text: &str, start: usize, end: usize) -> Vec<Diagnostic> {
    let chunk = &text[start..end];
    let mut diags = parse_with_pest(file, chunk).diagnostics;
    for d in &mut diags {
        for l in &mut d.labels {
            l.span.start += start as u32;
            l.span.end += start as u32;
            if l.span.start as usize == end && end < text.len() && l.message == "the file ends here"
            {
                l.message = "the next declaration starts here".to_string();
            }
        }
    }
    diags
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
