//! Translates pest's "expected X" into messages a person understands.
//!
//! On a parse error we re-run pest with error detail switched on (only on the error
//! path, so the happy path stays fast) to learn the furthest position reached and
//! the tokens that would have been accepted there. The scanner then tells what was
//! found, which block we are in, and whether a block or string was never closed.

use super::scan::{self, Tok, Token};
use super::{EventsParser, Rule};
use crate::diagnostics::{Diagnostic, codes};
use crate::source::{FileId, Span};
use pest::Parser;

/// What the parser would have accepted at the error position.
#[derive(Default, Debug)]
struct Expected {
    close_brace: bool,
    open_brace: bool,
    open_paren: bool,
    close_paren: bool,
    close_bracket: bool,
    comma: bool,
    end_of_statement: bool,
    string: bool,
    name: bool,
    number: bool,
    owner: bool,
    ty: bool,
    colon: bool,
    equals: bool,
    kw_in: bool,
}

impl Expected {
    /// From the tokens pest expected, rendered with their `Display` (pest does not
    /// export the token type): `}` for a literal, `A..Z` for a range.
    fn from_tokens(tokens: &[String]) -> Expected {
        let mut e = Expected::default();
        for t in tokens {
            match t.as_str() {
                "}" => e.close_brace = true,
                "{" => e.open_brace = true,
                "(" => e.open_paren = true,
                ")" => e.close_paren = true,
                "]" => e.close_bracket = true,
                "," => e.comma = true,
                "\n" | ";" | "\r\n" | "\r" => e.end_of_statement = true,
                "\"" => e.string = true,
                "@" => e.owner = true,
                "list" | "enum" | "object" => e.ty = true,
                ":" => e.colon = true,
                "=" => e.equals = true,
                "in" => e.kw_in = true,
                "_" | "A..Z" | "a..z" => e.name = true,
                "0..9" => e.number = true,
                _ => {}
            }
        }
        e
    }

    /// Human phrases for what was expected, most specific first.
    fn phrases(&self, in_property: bool, in_parens: bool) -> Vec<&'static str> {
        let mut v = Vec::new();
        if self.ty {
            v.push("a type");
            return v;
        }
        if in_parens {
            if self.name || self.string || self.number || self.owner {
                v.push("an argument");
            }
            if self.comma {
                v.push("`,`");
            }
            if self.close_paren {
                v.push("`)`");
            }
            return v;
        }
        if self.close_paren {
            v.push("`)`");
        }
        if self.close_bracket {
            v.push("`]`");
        }
        if self.open_brace {
            v.push("`{`");
        }
        if self.colon {
            v.push("`:`");
        }
        if self.equals {
            v.push("`=`");
        }
        if self.kw_in {
            v.push("`in`");
        }
        if self.name {
            v.push(if in_property { "a modifier" } else { "a name" });
        }
        if self.string {
            v.push(if in_property {
                "a description string"
            } else {
                "a string"
            });
        }
        if self.number {
            v.push("a number");
        }
        if self.owner {
            v.push("an owner (`@name`)");
        }
        if self.comma {
            v.push("`,`");
        }
        if self.end_of_statement {
            v.push("`;`");
            v.push("a new line");
        }
        if self.close_brace {
            v.push("`}`");
        }
        v
    }
}

fn join_or(items: &[&str]) -> String {
    match items {
        [] => "something else".to_string(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} or {}", init.join(", "), last),
    }
}

/// How the token found at the error position reads in a message.
fn describe(text: &str, tok: Option<&Token>) -> String {
    match tok {
        None => "the end of the file".to_string(),
        Some(t) => match t.kind {
            Tok::Newline => "the end of the line".to_string(),
            Tok::Str { .. } => "a string".to_string(),
            Tok::Number => format!("the number `{}`", &text[t.start..t.end]),
            Tok::Other(c) if c.is_control() => format!("the character `{}`", c.escape_debug()),
            Tok::Other(c) => format!("the character `{c}`"),
            _ => format!("`{}`", &text[t.start..t.end]),
        },
    }
}

/// The header of the block that `open` opened, e.g. `event "Trial Started"`.
fn block_header(text: &str, toks: &[Token], open: &scan::Open) -> String {
    let line: Vec<&Token> = toks[open.line_first_token..]
        .iter()
        .take_while(|t| t.start < open.start)
        .collect();
    let from = line
        .iter()
        .rposition(|t| matches!(t.kind, Tok::Punct('{' | ';')))
        .map_or(0, |i| i + 1);
    line[from..]
        .iter()
        .filter(|t| !matches!(t.kind, Tok::Comment | Tok::Newline))
        .map(|t| &text[t.start..t.end])
        .collect::<Vec<_>>()
        .join(" ")
        .replace(" :", ":")
}

pub(crate) fn translate(
    file: FileId,
    text: &str,
    toks: &[Token],
    e: &pest::error::Error<Rule>,
) -> Diagnostic {
    let (at, mut expected) = detailed(text).unwrap_or_else(|| {
        let pos = match e.location {
            pest::error::InputLocation::Pos(p) => p,
            pest::error::InputLocation::Span((s, _)) => s,
        };
        (pos, Expected::default())
    });
    // Right after a name, digits would only continue that name: not worth listing.
    if at > 0
        && text
            .as_bytes()
            .get(at - 1)
            .is_some_and(|b| b.is_ascii_alphanumeric())
    {
        expected.number = false;
    }
    let span = |s: usize, e: usize| Span::new(file, s, e.max(s));
    let found_idx = toks
        .iter()
        .position(|t| (t.start >= at || t.end > at) && t.kind != Tok::Comment);
    let found = found_idx.map(|i| &toks[i]);
    let stack = scan::open_delimiters(toks, at);
    let innermost_brace = stack.iter().rev().find(|o| o.delim == '{');

    // A raw carriage return in a string: pest reads a lone `\r` as a line
    // break, which ends the string before its closing quote.
    if let Some((t, cr)) = toks
        .iter()
        .take_while(|t| t.start <= at)
        .chain(found)
        .filter(|t| matches!(t.kind, Tok::Str { .. }))
        .find_map(|t| lone_cr(&text[t.start..t.end]).map(|i| (t, t.start + i)))
    {
        return Diagnostic::error(codes::SYNTAX, "a raw carriage return inside a string")
            .primary(span(cr, cr + 1), "a carriage return (U+000D) that ends no line")
            .secondary(span(t.start, t.start + 1), "in this string")
            .help("a string stays on one line: delete the carriage return, or write it as `\\n` if a line break is meant");
    }

    // A string that runs to the end of its line.
    if let Some(t) = toks
        .iter()
        .take_while(|t| t.start <= at)
        .chain(found)
        .find(|t| t.kind == Tok::Str { terminated: false })
    {
        return Diagnostic::error(codes::UNTERMINATED_STRING, "unterminated string")
            .primary(span(t.start, t.start + 1), "this string is never closed")
            .help("close the string with `\"` on the same line; write a line break as `\\n`");
    }

    // The file ends inside a block, list or argument list.
    if found.is_none()
        && let Some(open) = stack.last()
    {
        if open.delim == '{'
            && let Some((o, c)) = misindented_open(text, toks, text.len())
        {
            let eof = text.len();
            return probably_unclosed(span(o, o + 1), span(c, c + 1), span(eof, eof));
        }
        let close = match open.delim {
            '{' => '}',
            '(' => ')',
            _ => ']',
        };
        let header = block_header(text, toks, open);
        let eof = text.len();
        return Diagnostic::error(codes::UNCLOSED, format!("`{}` is never closed", open.delim))
            .primary(
                span(open.start, open.start + 1),
                format!("this `{}` is never closed", open.delim),
            )
            .secondary(span(eof, eof), "the file ends here")
            .help(if header.is_empty() {
                format!("add `{close}` where it should end")
            } else {
                format!("add `{close}` to close `{header}`")
            });
    }

    // A new top-level declaration starts while a block is still open: the line
    // holding the error is a declaration line (`syntax::pieces::starts_decl`).
    if let (Some(i), Some(open)) = (found_idx, innermost_brace) {
        let line_start = text[..toks[i].start].rfind('\n').map_or(0, |p| p + 1);
        let first = toks.iter().position(|t| t.start >= line_start);
        if let Some(first) = first.filter(|&f| toks[f].start == line_start) {
            let t = &toks[first];
            let decl_like = super::pieces::starts_decl(&text[line_start..]);
            if decl_like && open.start < line_start {
                if let Some((o, c)) = misindented_open(text, toks, line_start) {
                    return probably_unclosed(span(o, o + 1), span(c, c + 1), span(t.start, t.end));
                }
                let header = block_header(text, toks, open);
                return Diagnostic::error(
                    codes::UNCLOSED,
                    format!("`{header}` is never closed before the next declaration"),
                )
                .primary(span(open.start, open.start + 1), "this `{` is never closed")
                .secondary(span(t.start, t.end), "a new declaration starts here")
                .help("add `}` at the end of the block");
            }
        }
    }

    // A closing delimiter that does not match the innermost open one.
    if let (Some(t), Some(open)) = (found, stack.last()) {
        let close = match open.delim {
            '{' => '}',
            '(' => ')',
            _ => ']',
        };
        if let Tok::Punct(c @ ('}' | ')' | ']')) = t.kind
            && c != close
        {
            return Diagnostic::error(codes::UNCLOSED, format!("`{}` is never closed", open.delim))
                .primary(
                    span(open.start, open.start + 1),
                    format!("this `{}` is never closed", open.delim),
                )
                .secondary(
                    span(t.start, t.end),
                    format!("expected `{close}` before this `{c}`"),
                )
                .help(format!("add `{close}`"));
        }
    }

    let found_text = describe(text, found);
    let (fs, fe) = found.map_or((text.len(), text.len()), |t| (t.start, t.end));
    let found_span = span(fs, if fe > fs { fe } else { fs });

    // A `}` with nothing to close.
    if matches!(found.map(|t| t.kind), Some(Tok::Punct('}'))) && innermost_brace.is_none() {
        return Diagnostic::error(codes::SYNTAX, "unexpected `}`: there is no block to close")
            .primary(found_span, "no `{` opened a block here")
            .help("remove this `}`, or check the braces above it");
    }

    let line_start = text[..at.min(text.len())].rfind('\n').map_or(0, |p| p + 1);
    let line_toks: Vec<&Token> = toks
        .iter()
        .filter(|t| t.start >= line_start && t.start < at && t.kind != Tok::Comment)
        .collect();
    let in_property = line_toks.len() >= 2
        && line_toks[0].kind == Tok::Ident
        && line_toks[1].kind == Tok::Punct(':');
    let in_parens = stack.last().is_some_and(|o| o.delim == '(');
    let phrases = expected.phrases(in_property && !in_parens, in_parens);
    let context = innermost_brace
        .map(|o| block_header(text, toks, o))
        .filter(|h| !h.is_empty());
    let message = if phrases.is_empty() {
        format!("unexpected {}", found_text.trim_start_matches("the "))
    } else {
        format!("expected {}, found {}", join_or(&phrases), found_text)
    };
    let mut d = Diagnostic::error(codes::SYNTAX, message).primary(
        found_span,
        match &context {
            Some(h) => format!("unexpected here, in `{h}`"),
            None => "unexpected here".to_string(),
        },
    );
    if let Some(open) = stack.iter().rev().find(|o| o.delim == '(')
        && expected.close_paren
    {
        d = d.secondary(span(open.start, open.start + 1), "`(` opened here");
    }
    d.maybe_help(hint(
        text,
        toks,
        found,
        &expected,
        in_property,
        context.as_deref(),
    ))
}

/// Where a string's text has a carriage return that is not part of `\r\n`.
fn lone_cr(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    memchr::memchr_iter(b'\r', b).find(|&i| b.get(i + 1) != Some(&b'\n'))
}

fn probably_unclosed(open: Span, close: Span, end: Span) -> Diagnostic {
    Diagnostic::error(codes::UNCLOSED, "`{` is never closed")
        .primary(open, "this `{` is probably never closed")
        .secondary(
            close,
            "this `}` closes it by indentation, but is taken by the enclosing block",
        )
        .secondary(end, "parsing stops here")
        .help("add the missing `}` before the one marked")
}

/// A targeted hint for the common mistakes.
fn hint(
    text: &str,
    toks: &[Token],
    found: Option<&Token>,
    expected: &Expected,
    in_property: bool,
    context: Option<&str>,
) -> Option<String> {
    let found = found?;
    let word = &text[found.start..found.end];
    let prev = toks
        .iter()
        .rev()
        .find(|t| t.end <= found.start && t.kind != Tok::Comment);
    if let Some(h) = token_hint(text, toks, found, prev) {
        return Some(h);
    }
    if expected.ty {
        return Some(
            "a property needs a type after `:`: `string`, `integer`, `number`, `boolean`, `datetime`, `date`, an enum name, `enum(\"a\", \"b\")`, `list(T)` or `object { … }`".into(),
        );
    }
    if expected.kw_in && found.kind == Tok::Punct('%') {
        return Some("write a percentage without a space: `95%`".into());
    }
    if expected.kw_in && found.kind == Tok::Ident {
        return Some(
            "duration units are `minutes`, `hours`, `days`, `weeks`, `months` and `years`".into(),
        );
    }
    if found.kind == Tok::Punct(',') && in_property {
        return Some(
            "modifiers are separated by spaces, not commas: `x: string required max_length(40)`"
                .into(),
        );
    }
    if found.kind == Tok::Punct(',') && context.is_some_and(|c| c.starts_with("enum")) {
        return Some("enum values are quoted strings: `enum Plan { \"free\", \"pro\" }`".into());
    }
    if expected.open_brace && !expected.end_of_statement {
        let header_kind = toks
            .iter()
            .rev()
            .filter(|t| t.end <= found.start)
            .take_while(|t| t.kind != Tok::Newline)
            .last()
            .map(|t| &text[t.start..t.end]);
        if matches!(header_kind, Some("event" | "plan" | "kpi")) && found.kind == Tok::Ident {
            return Some(format!(
                "names of events, plans and KPIs are quoted strings: `{} \"…\" {{`",
                header_kind.unwrap_or("event")
            ));
        }
        return Some("a declaration's body is a block in braces: `kind name { … }`".into());
    }
    if expected.end_of_statement
        && matches!(found.kind, Tok::Ident | Tok::Str { .. } | Tok::Owner)
        && matches!(
            prev.map(|p| p.kind),
            Some(Tok::Ident | Tok::Str { .. } | Tok::Owner | Tok::Number)
        )
        && !in_property
    {
        return Some(format!(
            "put each field on its own line, or end the previous one with `;` before `{word}`"
        ));
    }
    if let Tok::Other(c) = found.kind {
        if c == '#' {
            return Some("comments start with `//`".into());
        }
        if c == '\'' {
            return Some("strings use double quotes: `\"…\"`".into());
        }
        if !c.is_ascii() {
            return Some(
                "names are ASCII letters, digits and `_`; put other text in a string".into(),
            );
        }
    }
    None
}

/// The first `{` whose matching `}` is less indented than the line that opened it:
/// with consistent indentation, that brace is the one really left open (its `}`
/// was taken by an enclosing block). Returns the `{` and that `}`.
fn misindented_open(text: &str, toks: &[Token], before: usize) -> Option<(usize, usize)> {
    // The current line's indentation, measured once per line.
    let indent_at = |ls: usize| {
        let line = &text.as_bytes()[ls..];
        line.iter()
            .take_while(|b| matches!(b, b' ' | b'\t'))
            .count()
    };
    let mut line_start = 0;
    let mut indent = indent_at(0);
    let mut stack: Vec<(usize, usize)> = Vec::new();
    for t in toks.iter().take_while(|t| t.start < before) {
        match t.kind {
            Tok::Newline => {
                line_start = t.end;
                indent = indent_at(line_start);
            }
            Tok::Punct('{') => stack.push((t.start, indent)),
            Tok::Punct('}') => {
                let Some((open, open_indent)) = stack.pop() else {
                    continue;
                };
                let first_on_line = line_start + indent == t.start;
                if first_on_line && indent < open_indent {
                    return Some((open, t.start));
                }
            }
            _ => {}
        }
    }
    None
}

/// Re-parses with pest's error detail to get the furthest position and the tokens
/// expected there.
fn detailed(text: &str) -> Option<(usize, Expected)> {
    // The flag is process-wide; serialise detailed re-parses so that files parsed
    // in parallel cannot switch it off under each other.
    static DETAIL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = DETAIL.lock().unwrap_or_else(|e| e.into_inner());
    pest::set_error_detail(true);
    let result = EventsParser::parse(Rule::file, text);
    pest::set_error_detail(false);
    let err = result.err()?;
    let attempts = err.parse_attempts()?;
    Some((
        attempts.max_position,
        Expected::from_tokens(
            &attempts
                .expected_tokens()
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
        ),
    ))
}

/// Hints that depend only on the tokens around the error, checked first.
fn token_hint(text: &str, toks: &[Token], found: &Token, prev: Option<&Token>) -> Option<String> {
    let word = &text[found.start..found.end];
    let idx = toks.iter().position(|t| t.start == found.start)?;
    let next = toks.get(idx + 1);
    // The tokens of the found token's line (one pass: a newline is always a
    // token of its own, and no other token spans one).
    let first = toks[..idx]
        .iter()
        .rposition(|t| t.kind == Tok::Newline)
        .map_or(0, |n| n + 1);
    let line: Vec<&Token> = toks[first..]
        .iter()
        .take_while(|t| t.kind != Tok::Newline)
        .filter(|t| t.kind != Tok::Comment)
        .collect();
    let prev_text = prev.map(|p| &text[p.start..p.end]);
    if found.kind == Tok::Ident
        && prev.is_some_and(|p| p.kind == Tok::Number && p.end == found.start)
    {
        return Some(format!(
            "`{}{word}` is not a number: write plain decimals (`1000`, `12.5`), and separate a unit with a space (`13 months`)",
            prev_text.unwrap_or("")
        ));
    }
    if let Some(o) = toks[..idx].iter().rposition(|t| t.kind == Tok::Punct('('))
        && o > 0
        && text[toks[o - 1].start..toks[o - 1].end] == *"allow"
        && toks.get(o + 1).is_some_and(|t| t.kind == Tok::Ident)
        && !toks[o..idx].iter().any(|t| t.kind == Tok::Punct(')'))
    {
        return Some(
            "the rule name is a quoted string: `allow(\"naming/event-case\", reason \"…\")`".into(),
        );
    }
    match found.kind {
        Tok::Number if word.matches('.').count() >= 2 => {
            return Some(format!("versions are quoted strings: `\"{word}\"`"));
        }
        Tok::Number if next.is_some_and(|n| n.start == found.end && n.kind == Tok::Ident) => {
            let unit = next.map_or("", |n| &text[n.start..n.end]);
            return Some(format!(
                "separate the number from `{unit}` with a space (`13 months`); numbers are plain decimals"
            ));
        }
        Tok::Number
            if word.starts_with('-')
                && prev.is_some_and(|p| p.kind == Tok::Number && p.end == found.start) =>
        {
            return Some("dates are written YYYY-MM-DD, e.g. `2026-12-15`".into());
        }
        Tok::Other('/') if prev.is_some_and(|p| p.kind == Tok::Number && p.end == found.start) => {
            return Some("dates are written YYYY-MM-DD, e.g. `2026-12-15`".into());
        }
        Tok::Other('\'') => return Some("strings use double quotes: `\"…\"`".into()),
        Tok::Other('#') => return Some("comments start with `//`".into()),
        Tok::Other('/') if text[found.end..].starts_with('*') => {
            return Some("comments start with `//` and run to the end of the line".into());
        }
        _ => {}
    }
    // `trial-days: integer`
    if let [first, colon, ..] = line.as_slice()
        && first.kind == Tok::Ident
        && colon.kind == Tok::Punct(':')
        && text[first.start..first.end].contains('-')
    {
        return Some(format!(
            "property names use `_`, not `-`: `{}`",
            text[first.start..first.end].replace('-', "_")
        ));
    }
    // `trial_days integer required`: a property without its colon.
    if let [first, second, ..] = line.as_slice()
        && first.kind == Tok::Ident
        && second.kind == Tok::Ident
        && found.start >= second.start
        && matches!(
            &text[second.start..second.end],
            "string"
                | "integer"
                | "number"
                | "boolean"
                | "datetime"
                | "date"
                | "list"
                | "enum"
                | "object"
        )
    {
        return Some(format!(
            "a property needs `:` after its name: `{}: {}`",
            &text[first.start..first.end],
            &text[second.start..second.end]
        ));
    }
    // `owner: @growth`: a field written like a property.
    if let [first, colon, ..] = line.as_slice()
        && first.kind == Tok::Ident
        && colon.kind == Tok::Punct(':')
        && found.start > colon.start
        && matches!(found.kind, Tok::Owner | Tok::Str { .. } | Tok::Number)
    {
        return Some(format!(
            "fields are written without `:`: `{} …`; properties take a type after `:`",
            &text[first.start..first.end]
        ));
    }
    // `x: array(string)` / `x: list<string>`
    if matches!(found.kind, Tok::Punct('(') | Tok::Other('<'))
        && prev.is_some_and(|p| p.kind == Tok::Ident)
        && toks
            .get(idx.wrapping_sub(2))
            .is_some_and(|t| t.kind == Tok::Punct(':'))
    {
        return Some(match prev_text {
            Some("list") => "write a list type with parentheses: `list(string)`".into(),
            _ => "lists are `list(T)`, inline enums `enum(\"a\", \"b\")`; other types take no arguments".into(),
        });
    }
    // `enum(oauth, sso)`
    if found.kind == Tok::Ident {
        let open = toks[..idx].iter().rposition(|t| t.kind == Tok::Punct('('));
        if let Some(o) = open
            && o > 0
            && text[toks[o - 1].start..toks[o - 1].end] == *"enum"
            && toks[o..idx]
                .iter()
                .all(|t| !matches!(t.kind, Tok::Punct(')')))
        {
            return Some("enum values are quoted strings: `enum(\"a\", \"b\")`".into());
        }
    }
    if found.kind == Tok::Punct(')') && prev.is_some_and(|p| p.kind == Tok::Punct('(')) {
        let before = toks.get(idx.wrapping_sub(2)).map(|t| &text[t.start..t.end]);
        if before == Some("enum") {
            return Some("an enum lists at least one value: `enum(\"a\", \"b\")`".into());
        }
    }
    // `escalate_after 2 in 48`
    if matches!(found.kind, Tok::Newline | Tok::Punct(';' | '}'))
        && prev.is_some_and(|p| p.kind == Tok::Number)
        && toks
            .get(idx.wrapping_sub(2))
            .is_some_and(|t| &text[t.start..t.end] == "in")
    {
        return Some("a window needs a unit: `2 in 48 hours`".into());
    }
    // A trailing comma at the end of the previous line.
    let before_newline = toks[..idx]
        .iter()
        .rev()
        .find(|t| t.kind != Tok::Newline && t.kind != Tok::Comment);
    if toks[..idx].last().is_some_and(|t| t.kind == Tok::Newline)
        && before_newline.is_some_and(|t| t.kind == Tok::Punct(','))
    {
        return Some(
            "the previous line ends with `,`: remove it, or continue the list on this line".into(),
        );
    }
    None
}
