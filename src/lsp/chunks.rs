//! Splits a document into its top-level declarations ("chunks"), so that the
//! server parses only what changed: each chunk is parsed on its own (as a file
//! of its own, with its own `FileId`) and its AST is kept until its text changes.
//!
//! A chunk runs from the end of the previous one to the newline (or `;`) after
//! the `}` that closes its declaration, so the chunks of a document are exactly
//! its text and a file parses as the sequence of its chunks. Two declarations on
//! one line without `;` stay in one chunk (that is a syntax error, reported as for
//! the whole file). An unclosed `{` ends at the next line that starts, in column
//! 0, with a declaration keyword and holds a `{`: a syntax error stays inside
//! the declaration being edited instead of swallowing the rest of the file.

use std::ops::Range;

const KEYWORDS: &[&str] = crate::syntax::DECL_KINDS;

/// A chunk, and whether it was cut while a `{` was still open (then the line
/// after it, the next declaration's header, is parsed with it so that the error
/// reads as it does for the whole file: "never closed before the next
/// declaration").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Piece {
    pub range: Range<usize>,
    pub cut: bool,
}

/// The chunks of a text: contiguous, in order, covering all of it; at least one.
#[cfg(test)]
pub fn split(text: &str) -> Vec<Range<usize>> {
    pieces(text).into_iter().map(|p| p.range).collect()
}

/// The chunks of a text, contiguous, in order, covering all of it (at least
/// one), with the way each ended.
pub fn pieces(text: &str) -> Vec<Piece> {
    pieces_from(text, 0, |_| false)
}

/// Re-splits after an edit that replaced `start..end` of the old text (whose
/// chunks were `old`) with `new_len` bytes: returns `(first, last, pieces)`,
/// where the old chunks `first..last` are replaced by `pieces` and the old
/// chunks from `last` on are unchanged (shifted by the change in length). The
/// scan starts one chunk before the edit (its `cut` lookahead may have changed)
/// and stops at the first boundary past the edit that was a boundary before.
pub fn resplit(
    text: &str,
    old: &[Range<usize>],
    start: usize,
    end: usize,
    new_len: usize,
) -> (usize, usize, Vec<Piece>) {
    if old.is_empty() {
        return (0, 0, pieces(text));
    }
    let containing = old.partition_point(|r| r.end <= start).min(old.len() - 1);
    let first = containing.saturating_sub(1);
    let delta = new_len as i64 - (end - start) as i64;
    let edit_end = start + new_len;
    let mut last = old.len();
    let out = pieces_from(text, old[first].start, |b| {
        if b < edit_end {
            return false;
        }
        let Some(old_b) = usize::try_from(b as i64 - delta).ok().filter(|&o| o >= end) else {
            return false;
        };
        match old.binary_search_by(|r| r.start.cmp(&old_b)) {
            Ok(k) if k > first => {
                last = k;
                true
            }
            _ => false,
        }
    });
    (first, last, out)
}

/// Splits from `from` (a chunk boundary) on, until `stop` says yes at the end
/// of a piece (or the text ends).
fn pieces_from(text: &str, from: usize, mut stop: impl FnMut(usize) -> bool) -> Vec<Piece> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start = from;
    let mut depth = 0usize;
    let mut closed = false;
    let mut i = from;
    while i < bytes.len() {
        if depth > 0 && i > start && bytes[i - 1] == b'\n' && starts_declaration(&text[i..]) {
            out.push(Piece {
                range: start..i,
                cut: true,
            });
            start = i;
            depth = 0;
            closed = false;
            if stop(i) {
                return out;
            }
        }
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    if bytes[i] == b'\\' && bytes.get(i + 1).is_some_and(|&c| c != b'\n') {
                        i += 1;
                    }
                    i += 1;
                }
                if i < bytes.len() && bytes[i] == b'"' {
                    i += 1;
                }
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'{' | b'(' | b'[' => depth += 1,
            b'}' | b')' | b']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 && bytes[i] == b'}' {
                    closed = true;
                }
            }
            b'\n' | b';' if depth == 0 && closed => {
                out.push(Piece {
                    range: start..i + 1,
                    cut: false,
                });
                start = i + 1;
                closed = false;
                if stop(start) {
                    return out;
                }
            }
            _ => {}
        }
        i += 1;
    }
    if start < bytes.len() || out.is_empty() {
        out.push(Piece {
            range: start..bytes.len(),
            cut: false,
        });
    }
    out
}

/// Whether a line starts a top-level declaration: a declaration keyword in
/// column 0, then a space or `{`, and a `{` on the line.
fn starts_declaration(line: &str) -> bool {
    let line = line.split('\n').next().unwrap_or("");
    KEYWORDS.iter().any(|k| {
        line.strip_prefix(k)
            .is_some_and(|rest| rest.starts_with([' ', '\t', '{']) && rest.contains('{'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<&str> {
        split(s).into_iter().map(|r| &s[r]).collect()
    }

    #[test]
    fn one_chunk_per_declaration() {
        let s = "// head\nplan \"P\" {\n  owner @a\n}\n\nowner @a { name \"}\" } // c\nenum E { \"a\" }; enum F { \"b\" }\n// tail\n";
        assert_eq!(
            texts(s),
            [
                "// head\nplan \"P\" {\n  owner @a\n}\n",
                "\nowner @a { name \"}\" } // c\n",
                "enum E { \"a\" };",
                " enum F { \"b\" }\n",
                "// tail\n",
            ]
        );
        assert_eq!(texts(""), [""]);
        assert_eq!(texts("owner @a {}"), ["owner @a {}"]);
    }

    #[test]
    fn same_line_declarations_stay_together() {
        assert_eq!(
            texts("owner @a {} owner @b {}\n"),
            ["owner @a {} owner @b {}\n"]
        );
    }

    /// Every edit of a text, re-split incrementally, gives the chunks of a
    /// split from scratch.
    #[test]
    fn resplit_agrees_with_split() {
        let base = "plan \"P\" {\n  owner @a\n}\n\nowner @a { name \"}\" }\nevent \"E\" {\n  x: object {\n    y: string\n  }\n}\n// end\n";
        let inserts = [
            "",
            "{",
            "}",
            "\n",
            "\"",
            "event \"F\" {\n",
            ";",
            "// c\n",
            "x",
        ];
        for start in 0..=base.len() {
            for end in start..=(start + 3).min(base.len()) {
                for ins in inserts {
                    let mut text = base.to_string();
                    text.replace_range(start..end, ins);
                    let old = split(base);
                    let (first, last, new) = resplit(&text, &old, start, end, ins.len());
                    let delta = ins.len() as i64 - (end - start) as i64;
                    let mut got: Vec<Range<usize>> = old[..first].to_vec();
                    got.extend(new.into_iter().map(|p| p.range));
                    got.extend(old[last..].iter().map(|r| {
                        (r.start as i64 + delta) as usize..(r.end as i64 + delta) as usize
                    }));
                    assert_eq!(got, split(&text), "{start}..{end} <- {ins:?}");
                }
            }
        }
    }

    #[test]
    fn an_unclosed_brace_ends_at_the_next_declaration() {
        let s = "event \"A\" {\n  utm: object {\n}\nevent \"B\" {\n}\n";
        assert_eq!(
            texts(s),
            ["event \"A\" {\n  utm: object {\n}\n", "event \"B\" {\n}\n"]
        );
        assert_eq!(
            pieces(s).iter().map(|p| p.cut).collect::<Vec<_>>(),
            [true, false]
        );
        // Indented or property-like lines do not count.
        let s = "event \"A\" {\n  x: object {\nevent: string\n  event \"B\" {\n}\n";
        assert_eq!(texts(s), [s]);
    }
}
