//! The one declaration splitter, and parsing a file a piece at a time.
//!
//! **A top-level declaration starts at a line that begins, in column 1, with a
//! declaration keyword (`DECL_KINDS`) followed by a space, a tab or `{`, and
//! that holds a `{`** (`starts_decl`). Strings never span lines, so such a line
//! is never inside a string; `fmt` indents everything nested, so in a formatted
//! file it is never inside a block either. A file is cut at these lines into
//! *pieces* (`ranges`): each piece is one declaration (with the comments and
//! blank lines after it), and the piece before the first declaration line holds
//! what comes before it. Every piece is parsed as if it were a whole file
//! (`parse_piece`), so one broken declaration cannot hide the others.
//!
//! This one rule is used by everything that needs to know where declarations
//! start: parsing for `check`, `build`, `diff`, `validate` and `fmt` (pieces are
//! parsed in parallel and, for `check`, streamed: `parse_pieces`), recovery
//! after syntax errors, the syntax error for a block left open before the next
//! declaration, `fmt --check`'s piecewise diff, and the language server, which
//! keeps one parsed piece per declaration and re-splits only around an edit
//! (`resplit`). So they all agree on any text, broken or not.

use super::ast;
use super::fast;
use super::{BrokenDecl, DECL_KINDS};
use crate::diagnostics::Diagnostic;
use crate::source::FileId;
use std::ops::Range;

/// Whether the text from a line's start on begins a top-level declaration: a
/// declaration keyword in column 1, then a space, a tab or `{`, and a `{` on the
/// line.
pub(crate) fn starts_decl(line: &str) -> bool {
    let b = line.as_bytes();
    let kw = b.iter().take_while(|c| c.is_ascii_lowercase()).count();
    if kw == 0 || !matches!(b.get(kw), Some(b' ' | b'\t' | b'{')) {
        return false;
    }
    if !DECL_KINDS.contains(&&line[..kw]) {
        return false;
    }
    let end = memchr::memchr(b'\n', b).unwrap_or(b.len());
    memchr::memchr(b'{', &b[kw..end]).is_some()
}

/// The offsets of the lines that start a top-level declaration ([`starts_decl`]).
pub(crate) fn decl_lines(text: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut pos = 0;
    while pos < bytes.len() {
        if bytes[pos].is_ascii_lowercase() && starts_decl(&text[pos..]) {
            out.push(pos);
        }
        match memchr::memchr(b'\n', &bytes[pos..]) {
            Some(nl) => pos += nl + 1,
            None => break,
        }
    }
    out
}

/// The pieces of a text: cut at every declaration line, contiguous, in order,
/// covering all of it; at least one (`0..0` for an empty text).
pub(crate) fn ranges(text: &str) -> Vec<Range<usize>> {
    bounds_to_ranges(&decl_lines(text), text.len())
}

fn bounds_to_ranges(lines: &[usize], len: usize) -> Vec<Range<usize>> {
    let mut out = Vec::with_capacity(lines.len() + 1);
    let mut start = 0;
    for &l in lines {
        if l > start {
            out.push(start..l);
            start = l;
        }
    }
    if start < len || out.is_empty() {
        out.push(start..len);
    }
    out
}

/// The pieces after an edit that replaced `start..end` of the old text (whose
/// pieces were `old`) with `new_len` bytes, as `(first, last, pieces)`: the old
/// pieces `first..last` are replaced by `pieces`, those from `last` on are
/// unchanged (shifted by the change in length). Whether a line starts a
/// declaration depends on that line alone, so only the lines the edit touched
/// are looked at again. A piece that ends where the edited line starts is
/// replaced too: a broken piece is parsed with the line after it
/// ([`parse_piece`]), which the edit changed.
pub(crate) fn resplit(
    text: &str,
    old: &[Range<usize>],
    start: usize,
    end: usize,
    new_len: usize,
) -> (usize, usize, Vec<Range<usize>>) {
    let delta = new_len as i64 - (end - start) as i64;
    let line_start = text[..start.min(text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let edit_end = (start + new_len).min(text.len());
    // Declaration lines: the old ones before the edited lines, those found
    // again in the edited lines, and the old ones after the edit, shifted.
    let mut lines: Vec<usize> = old
        .iter()
        .map(|r| r.start)
        .filter(|&s| s < line_start && starts_decl_at(text, s))
        .collect();
    let mut pos = line_start;
    while pos <= edit_end && pos < text.len() {
        if starts_decl(&text[pos..]) {
            lines.push(pos);
        }
        match memchr::memchr(b'\n', &text.as_bytes()[pos..]) {
            Some(nl) => pos += nl + 1,
            None => break,
        }
    }
    lines.extend(
        old.iter()
            .map(|r| r.start)
            .filter(|&s| s > end)
            .map(|s| (s as i64 + delta) as usize)
            .filter(|&s| s > edit_end),
    );
    let new = bounds_to_ranges(&lines, text.len());
    // The unchanged pieces at both ends.
    let shifted =
        |r: &Range<usize>| (r.start as i64 + delta) as usize..(r.end as i64 + delta) as usize;
    // A piece ending where the edited line starts is replaced too: its
    // lookahead line changed.
    let first = old
        .iter()
        .zip(&new)
        .take_while(|(o, n)| o == n && o.end < line_start)
        .count();
    let mut tail = old
        .iter()
        .rev()
        .zip(new.iter().rev())
        .take_while(|(o, n)| o.start > end && shifted(o) == **n)
        .count();
    tail = tail.min(old.len() - first).min(new.len() - first);
    let last = old.len() - tail;
    (first, last, new[first..new.len() - tail].to_vec())
}

/// Whether `s` (a line start of `text`) starts a declaration.
fn starts_decl_at(text: &str, s: usize) -> bool {
    text.get(s..).is_some_and(starts_decl)
}

/// The keyword and name of the declaration starting at `start`, as far as they
/// parse (without the block).
pub(crate) fn decl_header(
    file: FileId,
    text: &str,
    start: usize,
) -> Option<(ast::Ident, Option<ast::DeclName>)> {
    fast::decl_header(file, text, start)
}

/// What parsing one piece gives.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct PieceParse {
    /// The piece's declarations, when it parsed.
    pub file: Option<ast::File>,
    pub diagnostics: Vec<Diagnostic>,
    /// When it did not parse and starts with a declaration line: that
    /// declaration's keyword and name, as far as they read (so that references
    /// to it are not reported as unknown).
    pub broken: Option<BrokenDecl>,
}

impl PieceParse {
    /// Whether every part of the piece is accounted for: it parsed, or it is
    /// one declaration whose header was read.
    pub(crate) fn complete(&self) -> bool {
        self.file.is_some() || self.broken.is_some()
    }
}

/// Parses `text[start..end]` as if it were a whole file (spans stay absolute).
/// When it does not parse, the error is pest's on the piece together with the
/// line after it (the next declaration's first line), so that a block left open
/// reads "never closed before the next declaration".
pub(crate) fn parse_piece(file: FileId, text: &str, start: usize, end: usize) -> PieceParse {
    if let Some((f, diagnostics)) = fast::parse_range(file, text, start, end) {
        return PieceParse {
            file: Some(f),
            diagnostics,
            broken: None,
        };
    }
    let broken = starts_decl_at(text, start)
        .then(|| fast::decl_header(file, text, start))
        .flatten()
        .map(|(kind, name)| BrokenDecl { kind, name });
    PieceParse {
        file: None,
        diagnostics: piece_error(file, text, start, end),
        broken,
    }
}

/// The syntax error of a piece that does not parse (see [`parse_piece`]).
fn piece_error(file: FileId, text: &str, start: usize, end: usize) -> Vec<Diagnostic> {
    let next_line = text.get(end..).map_or(0, |rest| {
        memchr::memchr(b'\n', rest.as_bytes()).map_or(rest.len(), |i| i + 1)
    });
    let seen = end + next_line;
    let mut diags = super::parse_with_pest(file, &text[start..seen]).diagnostics;
    for d in &mut diags {
        for l in &mut d.labels {
            l.span.start += start as u32;
            l.span.end += start as u32;
            if l.span.start as usize == seen
                && seen < text.len()
                && l.message == "the file ends here"
            {
                l.message = "the next declaration starts here".to_string();
            }
        }
    }
    diags
}

/// A file parsed piece by piece ([`parse_file`]).
pub struct Recovered {
    /// Every declaration that parsed.
    pub file: ast::File,
    pub diagnostics: Vec<Diagnostic>,
    /// Declarations that did not parse (empty when the file parsed).
    pub(crate) broken: Vec<BrokenDecl>,
    /// False when some part of the file could not be attributed to a declaration.
    pub complete: bool,
}

impl Recovered {
    /// Whether the whole file parsed.
    pub(crate) fn parsed(&self) -> bool {
        self.complete && self.broken.is_empty()
    }
}

/// Parses a file: every piece (`ranges`) on its own, on `threads` workers (0:
/// on this thread; `threads_for` picks a number by size); the declarations of the pieces that parse are kept, and each
/// piece that does not gets its error. So one typo does not hide the rest of the
/// file, and its declarations do not turn into "unknown name" errors elsewhere.
pub fn parse_file(file: FileId, text: &str, threads: usize) -> Recovered {
    let pieces: Vec<Piece<'_>> = ranges(text)
        .into_iter()
        .map(|r| Piece {
            file,
            text,
            start: r.start,
            end: r.end,
        })
        .collect();
    let single = pieces.len() == 1;
    parse_pieces(&pieces, threads, |parsed, _| {
        let mut out = Recovered {
            file: ast::File { decls: Vec::new() },
            diagnostics: Vec::new(),
            broken: Vec::new(),
            complete: true,
        };
        for p in parsed {
            // A file that is one declaration that does not parse is not
            // complete (a missing `plan` is not reported for it).
            out.complete &= p.complete() && (p.file.is_some() || !single);
            out.diagnostics.extend(p.diagnostics);
            out.broken.extend(p.broken);
            if let Some(f) = p.file {
                out.file.decls.extend(f.decls);
            }
        }
        out
    })
}

/// Files (or, for `check`, the events of a plan) larger than this are parsed on
/// several threads.
pub(crate) const PARALLEL_BYTES: usize = 1 << 20;

/// The workers to parse `bytes` of text with, out of `cores`: none (this
/// thread) up to [`PARALLEL_BYTES`].
pub(crate) fn threads_for(bytes: usize, cores: usize) -> usize {
    if bytes > PARALLEL_BYTES && cores > 1 {
        cores
    } else {
        0
    }
}

/// A range of a file's text to parse as if it were a whole file.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Piece<'t> {
    pub file: FileId,
    pub text: &'t str,
    pub start: usize,
    pub end: usize,
}
/// Where the consumer of [`parse_pieces`] puts the trees it is done with: they go
/// back to the workers, which free them. Memory freed by the thread that
/// allocated it takes mimalloc's fast path; freed by the consumer, every block
/// would take the slower cross-thread path, on the consumer's critical path.
#[derive(Clone, Copy)]
pub(crate) struct Recycle<'a>(Option<&'a crossbeam_channel::Sender<ast::Decl>>);

impl Recycle<'_> {
    /// Frees `d` (on a worker when there are workers).
    pub(crate) fn free(&self, d: ast::Decl) {
        if let Some(tx) = self.0 {
            // When no worker listens any more, the tree is freed here.
            let _ = tx.send(d);
        }
    }
}

/// Pieces are handed to the workers in batches of at least this many bytes.
const BATCH_BYTES: usize = 64 << 10;

/// Parses `pieces` and gives `consume` an iterator over the results, in order.
/// With `threads` = 0 each piece is parsed when the iterator reaches it; else
/// `threads` workers parse batches of pieces ahead, each at most two batches ahead
/// of the consumer, so memory stays bounded, and free the trees the consumer
/// gives back through the [`Recycle`]. `consume` may stop early.
pub(crate) fn parse_pieces<R>(
    pieces: &[Piece<'_>],
    threads: usize,
    consume: impl FnOnce(&mut dyn Iterator<Item = PieceParse>, Recycle<'_>) -> R,
) -> R {
    let parse = |p: &Piece<'_>| parse_piece(p.file, p.text, p.start, p.end);
    if threads == 0 {
        return consume(&mut pieces.iter().map(parse), Recycle(None));
    }
    // Batches: consecutive pieces; batch k goes to worker k % threads.
    let mut batches: Vec<&[Piece<'_>]> = Vec::new();
    let (mut from, mut bytes) = (0, 0);
    for (i, p) in pieces.iter().enumerate() {
        bytes += p.end - p.start;
        if bytes >= BATCH_BYTES || i + 1 == pieces.len() {
            batches.push(&pieces[from..=i]);
            (from, bytes) = (i + 1, 0);
        }
    }
    let threads = threads.min(batches.len()).max(1);
    let (trash_tx, trash_rx) = crossbeam_channel::unbounded::<ast::Decl>();
    std::thread::scope(|s| {
        let mut receivers = Vec::with_capacity(threads);
        for w in 0..threads {
            let (tx, rx) = crossbeam_channel::bounded::<Vec<PieceParse>>(1);
            receivers.push(rx);
            let batches = &batches;
            let trash = trash_rx.clone();
            s.spawn(move || {
                for batch in batches.iter().skip(w).step_by(threads) {
                    trash.try_iter().for_each(drop);
                    if tx.send(batch.iter().map(parse).collect()).is_err() {
                        return; // the consumer stopped
                    }
                }
                // Until the consumer is done.
                trash.iter().for_each(drop);
            });
        }
        drop(trash_rx);
        let mut current = Vec::new().into_iter();
        let mut next_batch = 0;
        let mut results = std::iter::from_fn(|| {
            loop {
                if let Some(r) = current.next() {
                    return Some(r);
                }
                if next_batch == batches.len() {
                    return None;
                }
                // A worker that died (it cannot, short of a bug): its batch
                // is parsed here.
                let batch = receivers[next_batch % threads]
                    .recv()
                    .unwrap_or_else(|_| batches[next_batch].iter().map(parse).collect());
                next_batch += 1;
                current = batch.into_iter();
            }
        });
        let r = consume(&mut results, Recycle(Some(&trash_tx)));
        drop(trash_tx);
        drop(receivers);
        r
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decl_lines_finds_keywords_in_column_one() {
        let text =
            "plan \"P\" {\n}\n  event \"x\" {}\nevent \"A\" {\n  source web\n}\nevents x\nenum{}";
        let lines = decl_lines(text);
        let starts: Vec<&str> = lines.iter().map(|&i| &text[i..i + 4]).collect();
        assert_eq!(starts, ["plan", "even", "enum"]);
    }

    #[test]
    fn a_declaration_line_has_a_keyword_in_column_one_and_a_brace() {
        for yes in [
            "event \"A\" {",
            "event\t\"A\" {",
            "common {",
            "owner @a { name \"A\" }",
            "enum{}",
        ] {
            assert!(starts_decl(yes), "{yes:?}");
        }
        for no in [
            "event \"A\"",
            "event \"A\"\n{",
            " event \"A\" {",
            "events \"A\" {",
            "event: object {",
            "naming {",
            "",
        ] {
            assert!(!starts_decl(no), "{no:?}");
        }
    }

    fn texts(s: &str) -> Vec<&str> {
        ranges(s).into_iter().map(|r| &s[r]).collect()
    }

    #[test]
    fn one_piece_per_declaration() {
        let s = "// head\nplan \"P\" {\n  owner @a\n}\n\nowner @a { name \"}\" } // c\nenum E { \"a\" }; enum F { \"b\" }\n// tail\n";
        assert_eq!(
            texts(s),
            [
                "// head\n",
                "plan \"P\" {\n  owner @a\n}\n\n",
                "owner @a { name \"}\" } // c\n",
                "enum E { \"a\" }; enum F { \"b\" }\n// tail\n",
            ]
        );
        assert_eq!(texts(""), [""]);
        assert_eq!(texts("owner @a {}"), ["owner @a {}"]);
        // An unclosed brace ends at the next declaration line.
        let s = "event \"A\" {\n  utm: object {\n}\nevent \"B\" {\n}\n";
        assert_eq!(
            texts(s),
            ["event \"A\" {\n  utm: object {\n}\n", "event \"B\" {\n}\n"]
        );
    }

    /// Every edit of a text, re-split incrementally, gives the pieces of a
    /// split from scratch.
    #[test]
    fn resplit_agrees_with_a_split_from_scratch() {
        let base = "plan \"P\" {\n  owner @a\n}\n\nowner @a { name \"}\" }\nevent \"E\" {\n  x: object {\n    y: string\n  }\n}\n// end\n";
        let inserts = [
            "",
            "{",
            "}",
            "\n",
            "\"",
            "event \"F\" {\n",
            "e",
            ";",
            "// c\n",
            "x",
        ];
        for start in 0..=base.len() {
            for end in start..=(start + 3).min(base.len()) {
                for ins in inserts {
                    let mut text = base.to_string();
                    text.replace_range(start..end, ins);
                    let old = ranges(base);
                    let (first, last, new) = resplit(&text, &old, start, end, ins.len());
                    let delta = ins.len() as i64 - (end - start) as i64;
                    let mut got: Vec<Range<usize>> = old[..first].to_vec();
                    got.extend(new);
                    got.extend(old[last..].iter().map(|r| {
                        (r.start as i64 + delta) as usize..(r.end as i64 + delta) as usize
                    }));
                    assert_eq!(got, ranges(&text), "{start}..{end} <- {ins:?}");
                    // The piece ending at the edited line is always replaced.
                    let line = text[..start].rfind('\n').map_or(0, |i| i + 1);
                    assert!(
                        old[..first].iter().all(|r| r.end < line),
                        "{start}..{end} <- {ins:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_broken_piece_keeps_its_header_and_reads_the_next_line() {
        let text = "plan \"P\" {\n}\nevent \"A\" {\n  x: object {\n}\nevent \"B\" {\n}\n";
        let r = parse_file(FileId(0), text, 0);
        assert!(r.complete);
        assert_eq!(r.file.decls.len(), 2);
        assert_eq!(r.broken.len(), 1);
        assert_eq!(r.broken[0].kind.text, "event");
        assert_eq!(r.diagnostics.len(), 1);
        // The error reads as for the whole file: parsing stops at the next
        // declaration.
        let next = text.find("event \"B\"").expect("B") as u32;
        assert_eq!(r.diagnostics[0].code, "E0002");
        assert!(
            r.diagnostics[0].labels.iter().any(|l| l.span.start == next),
            "{:?}",
            r.diagnostics
        );
        // Text before the first declaration that does not parse.
        let r = parse_file(FileId(0), "}\nplan \"P\" {\n}\n", 0);
        assert!(!r.complete);
        assert_eq!(r.file.decls.len(), 1);
    }

    #[test]
    fn threads_give_the_same_results_in_order() {
        let text = crate::synth::plan_text(300, 5);
        let mut bounds = decl_lines(&text);
        bounds.push(text.len());
        let pieces: Vec<Piece<'_>> = bounds
            .windows(2)
            .map(|w| Piece {
                file: FileId(0),
                text: &text,
                start: w[0],
                end: w[1],
            })
            .collect();
        let collect = |it: &mut dyn Iterator<Item = PieceParse>, _: Recycle<'_>| {
            it.map(|p| p.file).collect::<Vec<_>>()
        };
        let sequential = parse_pieces(&pieces, 0, collect);
        assert!(sequential.iter().all(Option::is_some));
        for threads in 1..4 {
            assert_eq!(parse_pieces(&pieces, threads, collect), sequential);
        }
        // Stopping early does not hang.
        let first = parse_pieces(&pieces, 2, |it, _| it.next());
        assert!(first.is_some());
        // Trees given back are freed by the workers, also after the last batch.
        let count = parse_pieces(&pieces, 2, |it, recycle| {
            it.filter_map(|p| p.file)
                .flat_map(|f| f.decls)
                .map(|d| recycle.free(d))
                .count()
        });
        assert_eq!(count, pieces.len());
    }
}
