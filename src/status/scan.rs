//! Finding tracking calls in one source file: a small lexer per language
//! (TypeScript/JavaScript, Python) that skips comments and reads string
//! literals, then a pass over its tokens for calls.
//!
//! What counts as a call:
//! - `x.track("Event", …)` (analytics.js), `x.track({ event: "Event", … })`
//!   (analytics-node), `x.track(user_id, "Event", …)` or `x.track(…,
//!   event="Event")` (segment-analytics-python): a raw call of that event; a
//!   `.track(` whose event is not a literal is counted as dynamic;
//! - `x.identify(` and `x.group(`;
//! - a call of a generated client's function (`orderCompleted(`,
//!   `t.order_completed(`), not its definition (`function …`, `def …`).
//!
//! Linear in the file's length; no backtracking, nesting depth only counted.

use rustc_hash::FxHashMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Lang {
    /// TypeScript and JavaScript (and JSX/TSX).
    Js,
    Python,
}

impl Lang {
    /// The language of a file, by extension; `None` for files not scanned.
    pub(crate) fn of(name: &str) -> Option<Lang> {
        if name.ends_with(".d.ts") || name.ends_with(".d.mts") || name.ends_with(".d.cts") {
            return None;
        }
        let ext = name.rsplit_once('.').map(|(_, e)| e)?;
        match ext {
            "js" | "jsx" | "mjs" | "cjs" | "ts" | "tsx" | "mts" | "cts" => Some(Lang::Js),
            "py" => Some(Lang::Python),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok<'a> {
    Ident(&'a str),
    /// A string literal's value.
    Str(String),
    /// A template or f-string with substitutions: not a fixed text.
    Dynamic,
    Punct(u8),
}

struct Token<'a> {
    tok: Tok<'a>,
    line: u32,
}

/// What one call is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Found {
    /// `.track(` with a literal event name.
    Track(String),
    /// `.track(` whose event name is not a literal.
    DynamicTrack,
    Identify,
    Group,
    /// A generated client's function: the event's index.
    Client(usize),
}

/// A call and its 1-based line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Call {
    pub found: Found,
    pub line: u32,
}

/// The calls in `text`; `functions` maps the generated client's function names
/// (of this language) to event indices.
pub(crate) fn calls(text: &str, lang: Lang, functions: &FxHashMap<&str, usize>) -> Vec<Call> {
    let toks = match lang {
        Lang::Js => lex_js(text),
        Lang::Python => lex_py(text),
    };
    let mut out = Vec::new();
    for i in 0..toks.len() {
        let Tok::Ident(name) = toks[i].tok else {
            continue;
        };
        if toks.get(i + 1).map(|t| &t.tok) != Some(&Tok::Punct(b'(')) {
            continue;
        }
        let prev = i.checked_sub(1).map(|p| &toks[p].tok);
        let dotted = prev == Some(&Tok::Punct(b'.'));
        let line = toks[i].line;
        let found = match name {
            "track" if dotted => Some(match track_event(&toks, i + 1, lang) {
                Some(e) => Found::Track(e),
                None => Found::DynamicTrack,
            }),
            "identify" if dotted => Some(Found::Identify),
            "group" if dotted => Some(Found::Group),
            _ => match prev {
                Some(Tok::Ident("function" | "def")) => None,
                _ => functions.get(name).map(|&e| Found::Client(e)),
            },
        };
        if let Some(found) = found {
            out.push(Call { found, line });
        }
    }
    out
}

/// The event name of a `.track(` call whose `(` is at `open`.
fn track_event(toks: &[Token], open: usize, lang: Lang) -> Option<String> {
    // The arguments at the call's top level, as token ranges.
    let mut args: Vec<(usize, usize)> = Vec::new();
    let mut depth = 0usize;
    let mut start = open + 1;
    let mut i = open + 1;
    while i < toks.len() {
        match toks[i].tok {
            Tok::Punct(b'(' | b'[' | b'{') => depth += 1,
            Tok::Punct(b')' | b']' | b'}') if depth > 0 => depth -= 1,
            Tok::Punct(b')') => {
                if i > start {
                    args.push((start, i));
                }
                break;
            }
            Tok::Punct(b',') if depth == 0 => {
                args.push((start, i));
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    let literal = |(a, b): (usize, usize)| match &toks[a..b] {
        [
            Token {
                tok: Tok::Str(s), ..
            },
        ] => Some(s.clone()),
        _ => None,
    };
    match lang {
        Lang::Js => {
            let &first = args.first()?;
            if let Some(s) = literal(first) {
                return Some(s);
            }
            // analytics-node: `track({ …, event: "Name", … })`.
            if toks[first.0].tok != Tok::Punct(b'{') {
                return None;
            }
            let mut depth = 0usize;
            for j in first.0..first.1 {
                match &toks[j].tok {
                    Tok::Punct(b'(' | b'[' | b'{') => depth += 1,
                    Tok::Punct(b')' | b']' | b'}') => depth = depth.saturating_sub(1),
                    Tok::Ident("event") if depth == 1 => {
                        if let (Some(Tok::Punct(b':')), Some(Tok::Str(s))) = (
                            toks.get(j + 1).map(|t| &t.tok),
                            toks.get(j + 2).map(|t| &t.tok),
                        ) && matches!(
                            toks.get(j + 3).map(|t| &t.tok),
                            Some(Tok::Punct(b',' | b'}'))
                        ) {
                            return Some(s.clone());
                        }
                    }
                    Tok::Str(k) if depth == 1 && k == "event" => {
                        if let (Some(Tok::Punct(b':')), Some(Tok::Str(s))) = (
                            toks.get(j + 1).map(|t| &t.tok),
                            toks.get(j + 2).map(|t| &t.tok),
                        ) {
                            return Some(s.clone());
                        }
                    }
                    _ => {}
                }
            }
            None
        }
        Lang::Python => {
            // `event="Name"`, else the second positional argument.
            for &(a, b) in &args {
                if let [
                    Token {
                        tok: Tok::Ident("event"),
                        ..
                    },
                    Token {
                        tok: Tok::Punct(b'='),
                        ..
                    },
                    Token {
                        tok: Tok::Str(s), ..
                    },
                ] = &toks[a..b]
                {
                    return Some(s.clone());
                }
            }
            let positional: Vec<(usize, usize)> = args
                .iter()
                .copied()
                .filter(|&(a, b)| {
                    !(b > a + 1
                        && matches!(toks[a].tok, Tok::Ident(_))
                        && toks[a + 1].tok == Tok::Punct(b'='))
                })
                .collect();
            positional.get(1).copied().and_then(literal)
        }
    }
}

/// Counts lines while lexing.
struct Cursor<'a> {
    text: &'a str,
    b: &'a [u8],
    i: usize,
    line: u32,
}

impl<'a> Cursor<'a> {
    fn new(text: &'a str) -> Cursor<'a> {
        Cursor {
            text,
            b: text.as_bytes(),
            i: 0,
            line: 1,
        }
    }

    fn peek(&self, k: usize) -> Option<u8> {
        self.b.get(self.i + k).copied()
    }

    fn bump(&mut self) -> Option<u8> {
        let c = *self.b.get(self.i)?;
        self.i += 1;
        if c == b'\n' {
            self.line += 1;
        }
        Some(c)
    }

    fn ident(&mut self, start_ok: fn(u8) -> bool, cont: fn(u8) -> bool) -> Option<&'a str> {
        let c = self.peek(0)?;
        if !start_ok(c) {
            return None;
        }
        let start = self.i;
        while self.peek(0).is_some_and(cont) {
            self.i += 1;
        }
        Some(&self.text[start..self.i])
    }

    /// A quoted string after its opening `quote` (consumed): its value, with
    /// `\` escapes read when `escapes`; stops at an unescaped newline unless
    /// `multiline` (an unterminated literal ends there).
    fn string(&mut self, quote: &[u8], escapes: bool, multiline: bool) -> String {
        let mut out = Vec::new();
        loop {
            if self.b[self.i..].starts_with(quote) {
                self.i += quote.len();
                break;
            }
            let Some(c) = self.peek(0) else { break };
            if c == b'\n' && !multiline {
                break;
            }
            if c == b'\\' {
                self.bump();
                let Some(e) = self.peek(0) else { break };
                if !escapes {
                    out.push(b'\\');
                    out.push(e);
                    self.bump();
                    continue;
                }
                self.bump();
                match e {
                    b'n' => out.push(b'\n'),
                    b't' => out.push(b'\t'),
                    b'r' => out.push(b'\r'),
                    b'0' => out.push(0),
                    b'\n' => {}
                    b'u' | b'x' => {
                        let (n, braced) = if e == b'x' {
                            (2, false)
                        } else if self.peek(0) == Some(b'{') {
                            self.bump();
                            (0, true)
                        } else {
                            (4, false)
                        };
                        let start = self.i;
                        if braced {
                            while self.peek(0).is_some_and(|c| c.is_ascii_hexdigit()) {
                                self.i += 1;
                            }
                        } else {
                            while self.i - start < n
                                && self.peek(0).is_some_and(|c| c.is_ascii_hexdigit())
                            {
                                self.i += 1;
                            }
                        }
                        let hex = &self.text[start..self.i];
                        if braced && self.peek(0) == Some(b'}') {
                            self.i += 1;
                        }
                        let ch = u32::from_str_radix(hex, 16).ok().and_then(char::from_u32);
                        let mut buf = [0u8; 4];
                        out.extend_from_slice(
                            ch.unwrap_or('\u{fffd}').encode_utf8(&mut buf).as_bytes(),
                        );
                    }
                    other => out.push(other),
                }
                continue;
            }
            out.push(c);
            self.bump();
        }
        String::from_utf8(out)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }
}

fn js_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c == b'$'
}

fn js_cont(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'$'
}

fn py_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_'
}

fn py_cont(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

fn lex_js(text: &str) -> Vec<Token<'_>> {
    let mut c = Cursor::new(text);
    let mut out: Vec<Token> = Vec::with_capacity(text.len() / 4);
    while let Some(ch) = c.peek(0) {
        let line = c.line;
        match ch {
            b'/' if c.peek(1) == Some(b'/') => {
                while c.peek(0).is_some_and(|x| x != b'\n') {
                    c.i += 1;
                }
            }
            b'/' if c.peek(1) == Some(b'*') => {
                c.i += 2;
                while c.peek(0).is_some() && !(c.peek(0) == Some(b'*') && c.peek(1) == Some(b'/')) {
                    c.bump();
                }
                c.i = (c.i + 2).min(c.b.len());
            }
            b'/' if regex_allowed(out.last().map(|t| &t.tok)) => {
                // A regular expression literal: skipped (it may hold quotes).
                c.i += 1;
                let mut class = false;
                while let Some(x) = c.peek(0) {
                    if x == b'\n' {
                        break;
                    }
                    c.i += 1;
                    match x {
                        b'\\' => c.i = (c.i + 1).min(c.b.len()),
                        b'[' => class = true,
                        b']' => class = false,
                        b'/' if !class => break,
                        _ => {}
                    }
                }
                out.push(Token {
                    tok: Tok::Dynamic,
                    line,
                });
            }
            b'"' | b'\'' => {
                c.i += 1;
                let s = c.string(&[ch], true, false);
                out.push(Token {
                    tok: Tok::Str(s),
                    line,
                });
            }
            b'`' => {
                c.i += 1;
                let tok = template(&mut c);
                out.push(Token { tok, line });
            }
            _ if js_start(ch) => {
                let id = c.ident(js_start, js_cont).unwrap_or_default();
                out.push(Token {
                    tok: Tok::Ident(id),
                    line,
                });
            }
            _ => common(&mut c, ch, line, &mut out),
        }
    }
    out
}

/// What both languages read alike: numbers (not names), white space, and one
/// token per ASCII punctuation character (other characters are skipped).
fn common<'a>(c: &mut Cursor<'a>, ch: u8, line: u32, out: &mut Vec<Token<'a>>) {
    if ch.is_ascii_digit() {
        while c
            .peek(0)
            .is_some_and(|x| x.is_ascii_alphanumeric() || x == b'.' || x == b'_')
        {
            c.i += 1;
        }
        out.push(Token {
            tok: Tok::Dynamic,
            line,
        });
        return;
    }
    c.bump();
    if ch.is_ascii() && !ch.is_ascii_whitespace() {
        out.push(Token {
            tok: Tok::Punct(ch),
            line,
        });
    }
}

/// Whether a `/` after this token starts a regular expression (else it divides).
fn regex_allowed(prev: Option<&Tok>) -> bool {
    match prev {
        None => true,
        Some(Tok::Punct(p)) => !matches!(p, b')' | b']' | b'}'),
        Some(Tok::Ident(k)) => matches!(
            *k,
            "return"
                | "typeof"
                | "case"
                | "in"
                | "of"
                | "delete"
                | "void"
                | "throw"
                | "new"
                | "yield"
                | "await"
        ),
        Some(_) => false,
    }
}

/// A template literal after its backtick: its text when it has no `${`.
fn template<'a>(c: &mut Cursor<'a>) -> Tok<'a> {
    let start = c.i;
    let mut dynamic = false;
    let mut depth = 0usize;
    while let Some(x) = c.peek(0) {
        if depth == 0 {
            match x {
                b'`' => {
                    let body = &c.text[start..c.i];
                    c.i += 1;
                    if dynamic || body.contains('\\') {
                        return Tok::Dynamic;
                    }
                    return Tok::Str(body.to_string());
                }
                b'\\' => {
                    c.bump();
                }
                b'$' if c.peek(1) == Some(b'{') => {
                    dynamic = true;
                    depth = 1;
                    c.bump();
                }
                _ => {}
            }
        } else if x == b'{' {
            depth += 1;
        } else if x == b'}' {
            depth -= 1;
        }
        c.bump();
    }
    Tok::Dynamic
}

fn lex_py(text: &str) -> Vec<Token<'_>> {
    let mut c = Cursor::new(text);
    let mut out: Vec<Token> = Vec::with_capacity(text.len() / 4);
    while let Some(ch) = c.peek(0) {
        let line = c.line;
        match ch {
            b'#' => {
                while c.peek(0).is_some_and(|x| x != b'\n') {
                    c.i += 1;
                }
            }
            b'"' | b'\'' => {
                let tok = py_string(&mut c, "");
                out.push(Token { tok, line });
            }
            _ if py_start(ch) => {
                let id = c.ident(py_start, py_cont).unwrap_or_default();
                // A string prefix (r, b, f, u and pairs) directly before a quote.
                if id.len() <= 2
                    && id.bytes().all(|b| b"rRbBfFuU".contains(&b))
                    && matches!(c.peek(0), Some(b'"' | b'\''))
                {
                    let tok = py_string(&mut c, id);
                    out.push(Token { tok, line });
                } else {
                    out.push(Token {
                        tok: Tok::Ident(id),
                        line,
                    });
                }
            }
            _ => common(&mut c, ch, line, &mut out),
        }
    }
    out
}

/// A Python string at its opening quote, after its `prefix`.
fn py_string<'a>(c: &mut Cursor<'a>, prefix: &str) -> Tok<'a> {
    let q = c.peek(0).unwrap_or(b'"');
    let triple = c.peek(1) == Some(q) && c.peek(2) == Some(q);
    let quote: &[u8] = match (q, triple) {
        (b'"', true) => b"\"\"\"",
        (b'\'', true) => b"'''",
        (b'"', false) => b"\"",
        _ => b"'",
    };
    c.i += quote.len();
    let raw = prefix.contains(['r', 'R']);
    let s = c.string(quote, !raw, triple);
    if prefix.contains(['f', 'F']) && s.contains('{') {
        Tok::Dynamic
    } else {
        Tok::Str(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str, lang: Lang) -> Vec<(Found, u32)> {
        let mut f = FxHashMap::default();
        f.insert("orderCompleted", 0);
        f.insert("order_completed", 1);
        calls(text, lang, &f)
            .into_iter()
            .map(|c| (c.found, c.line))
            .collect()
    }

    #[test]
    fn javascript_calls() {
        let js = r#"
// analytics.track("Commented Out")
/* analytics.track("Also Commented") */
analytics.track("Order Completed", { total: 1 });
window.analytics.track('Product Viewed');
client.track({ userId: "u", event: "Signup Completed", properties: { a: 1 } });
analytics.track(`Template Event`);
analytics.track(`Dynamic ${x}`);
analytics.track(name);
const re = /"/; analytics.identify("u1", {});
t.orderCompleted({ total: 2 });
export function orderCompleted(p) {}
analytics.group("g1");
"#;
        assert_eq!(
            found(js, Lang::Js),
            vec![
                (Found::Track("Order Completed".into()), 4),
                (Found::Track("Product Viewed".into()), 5),
                (Found::Track("Signup Completed".into()), 6),
                (Found::Track("Template Event".into()), 7),
                (Found::DynamicTrack, 8),
                (Found::DynamicTrack, 9),
                (Found::Identify, 10),
                (Found::Client(0), 11),
                (Found::Group, 13),
            ]
        );
    }

    #[test]
    fn python_calls() {
        let py = r#"
# analytics.track("u", "Commented Out")
analytics.track("u1", "Order Completed", {"total": 1})
analytics.track(user_id="u1", event='Product Viewed')
analytics.track("u1", f"Dynamic {x}")
client.track('u1', """Triple
Quoted""")
s = """analytics.track("u", "In A String")"""
t.order_completed({"total": 2}, user_id="u1")
def order_completed(p): pass
analytics.identify("u1", {"email": "a@b.c"})
"#;
        assert_eq!(
            found(py, Lang::Python),
            vec![
                (Found::Track("Order Completed".into()), 3),
                (Found::Track("Product Viewed".into()), 4),
                (Found::DynamicTrack, 5),
                (Found::Track("Triple\nQuoted".into()), 6),
                (Found::Client(1), 9),
                (Found::Identify, 11),
            ]
        );
    }

    #[test]
    fn languages_by_extension() {
        assert_eq!(Lang::of("a/b.tsx"), Some(Lang::Js));
        assert_eq!(Lang::of("a/b.d.ts"), None);
        assert_eq!(Lang::of("x.py"), Some(Lang::Python));
        assert_eq!(Lang::of("x.rs"), None);
        assert_eq!(Lang::of("Makefile"), None);
    }
}
