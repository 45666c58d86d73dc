//! A small lexical scanner that knows strings and comments. The parser proper is
//! pest; this scanner serves the places that need tokens without a parse: the
//! nesting guard run before parsing, the translation of pest errors (which block
//! are we in, where was an unclosed brace opened), comment extraction for `fmt`, and
//! completion context in the language server.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tok {
    /// `// ...` up to (not including) the newline.
    Comment,
    Newline,
    /// A string literal; `terminated` is false when the line or file ends first.
    Str {
        terminated: bool,
    },
    /// Identifier or word (`[A-Za-z_][A-Za-z0-9_-]*`).
    Ident,
    Number,
    /// `@name`
    Owner,
    Punct(char),
    /// Any other character.
    Other(char),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: Tok,
    pub start: usize,
    pub end: usize,
}

/// Tokenizes the whole text. Spaces and tabs are skipped.
pub fn tokens(text: &str) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        let b = bytes[i];
        let kind = match b {
            b' ' | b'\t' | b'\r' => {
                i += 1;
                continue;
            }
            b'\n' => {
                i += 1;
                Tok::Newline
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                if i > start && bytes[i - 1] == b'\r' {
                    out.push(Token {
                        kind: Tok::Comment,
                        start,
                        end: i - 1,
                    });
                    continue;
                }
                Tok::Comment
            }
            b'"' => {
                i += 1;
                let mut terminated = false;
                while i < bytes.len() {
                    match bytes[i] {
                        b'\\' if bytes.get(i + 1).is_some_and(|&c| c != b'\n') => i += 2,
                        b'"' => {
                            i += 1;
                            terminated = true;
                            break;
                        }
                        b'\n' => break,
                        _ => i += 1,
                    }
                }
                Tok::Str { terminated }
            }
            b'@' => {
                i += 1;
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric() || matches!(bytes[i], b'.' | b'_' | b'-'))
                {
                    i += 1;
                }
                Tok::Owner
            }
            b'0'..=b'9' => {
                while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'.') {
                    i += 1;
                }
                Tok::Number
            }
            b'-' if bytes.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                i += 1;
                while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'.') {
                    i += 1;
                }
                Tok::Number
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric() || matches!(bytes[i], b'_' | b'-'))
                {
                    i += 1;
                }
                Tok::Ident
            }
            b'{' | b'}' | b'(' | b')' | b'[' | b']' | b',' | b';' | b':' | b'=' | b'%' | b'-' => {
                i += 1;
                Tok::Punct(b as char)
            }
            _ => {
                let c = text[i..].chars().next().unwrap_or('\u{FFFD}');
                i += c.len_utf8().max(1);
                Tok::Other(c)
            }
        };
        out.push(Token {
            kind,
            start,
            end: i,
        });
    }
    out
}

/// An open delimiter and the tokens that introduced it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Open {
    pub delim: char,
    pub start: usize,
    /// Index (into the token list) of the first token of the line holding the delimiter.
    pub line_first_token: usize,
}

/// The stack of delimiters still open at byte offset `pos`.
pub(crate) fn open_delimiters(toks: &[Token], pos: usize) -> Vec<Open> {
    let mut stack: Vec<Open> = Vec::new();
    // How many of each kind are open: a closer with no opener of its kind does
    // not search the stack (which would make `((((…]]]]` quadratic); a search
    // that finds one pops what it passed, so the searches add up to linear.
    let mut open = [0usize; 3];
    let kind = |c: char| match c {
        '{' | '}' => 0,
        '(' | ')' => 1,
        _ => 2,
    };
    let mut line_first = 0;
    for (idx, t) in toks.iter().enumerate() {
        if t.start >= pos {
            break;
        }
        match t.kind {
            Tok::Newline => line_first = idx + 1,
            Tok::Punct(c @ ('{' | '(' | '[')) => {
                open[kind(c)] += 1;
                stack.push(Open {
                    delim: c,
                    start: t.start,
                    line_first_token: line_first,
                });
            }
            Tok::Punct(c @ ('}' | ')' | ']')) => {
                if open[kind(c)] == 0 {
                    continue;
                }
                let want = match c {
                    '}' => '{',
                    ')' => '(',
                    _ => '[',
                };
                if let Some(i) = stack.iter().rposition(|o| o.delim == want) {
                    for o in stack.drain(i..) {
                        open[kind(o.delim)] -= 1;
                    }
                }
            }
            _ => {}
        }
    }
    stack
}

/// The first place where delimiters nest deeper than `limit`, if any.
pub(crate) fn too_deep(toks: &[Token], limit: usize) -> Option<usize> {
    let mut depth = 0usize;
    for t in toks {
        match t.kind {
            Tok::Punct('{' | '(' | '[') => {
                depth += 1;
                if depth > limit {
                    return Some(t.start);
                }
            }
            Tok::Punct('}' | ')' | ']') => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}
