//! Parsing a plan a piece at a time, so that a large plan never holds its whole
//! syntax tree: [`decl_lines`] finds where top-level declarations start without
//! parsing, and [`parse_pieces`] parses pieces of text in order, on worker threads
//! that stay a few batches ahead of the consumer (which lowers each piece and frees
//! its tree). Whether the pieces really are the file's declarations is for the
//! caller to check (`check::check` compares each piece's declaration with the
//! header read here, and falls back to parsing the whole file otherwise).

use super::ast;
use super::fast;
use crate::diagnostics::Diagnostic;
use crate::source::FileId;

/// Offsets of the lines that look like the start of a top-level declaration: a
/// declaration keyword in column 1 followed by a space or `{`. A declaration that
/// does not start so is part of the piece before it; a line that looks so but is
/// not a declaration's start makes its pieces fail to parse.
pub fn decl_lines(text: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < text.len() {
        let rest = &text[pos..];
        let kw_len = rest.bytes().take_while(u8::is_ascii_lowercase).count();
        if kw_len > 0
            && super::errors::DECL_KINDS.contains(&&rest[..kw_len])
            && rest[kw_len..].starts_with([' ', '{'])
        {
            out.push(pos);
        }
        match memchr::memchr(b'\n', rest.as_bytes()) {
            Some(nl) => pos += nl + 1,
            None => break,
        }
    }
    out
}

/// The keyword and name of the declaration starting at `start`, as far as they
/// parse (without the block).
pub fn decl_header(
    file: FileId,
    text: &str,
    start: usize,
) -> Option<(ast::Ident, Option<ast::DeclName>)> {
    fast::decl_header(file, text, start)
}

/// Parses `text[start..end]` as if it were a whole file (spans stay absolute).
pub fn parse_piece(file: FileId, text: &str, start: usize, end: usize) -> ParsedPiece {
    fast::parse_range(file, text, start, end)
}

/// A range of a file's text to parse as if it were a whole file.
#[derive(Clone, Copy, Debug)]
pub struct Piece<'t> {
    pub file: FileId,
    pub text: &'t str,
    pub start: usize,
    pub end: usize,
}

/// What parsing a piece gives: its declarations and diagnostics, `None` when the
/// fast parser rejects it.
pub type ParsedPiece = Option<(ast::File, Vec<Diagnostic>)>;

/// Where the consumer of [`parse_pieces`] puts the trees it is done with: they go
/// back to the workers, which free them. Memory freed by the thread that
/// allocated it takes mimalloc's fast path; freed by the consumer, every block
/// would take the slower cross-thread path, on the consumer's critical path.
#[derive(Clone, Copy)]
pub struct Recycle<'a>(Option<&'a crossbeam_channel::Sender<ast::Decl>>);

impl Recycle<'_> {
    /// Frees `d` (on a worker when there are workers).
    pub fn free(&self, d: ast::Decl) {
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
pub fn parse_pieces<R>(
    pieces: &[Piece<'_>],
    threads: usize,
    consume: impl FnOnce(&mut dyn Iterator<Item = ParsedPiece>, Recycle<'_>) -> R,
) -> R {
    let parse = |p: &Piece<'_>| fast::parse_range(p.file, p.text, p.start, p.end);
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
            let (tx, rx) = crossbeam_channel::bounded::<Vec<ParsedPiece>>(1);
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
                // A worker that died (it cannot, short of a bug) counts as a
                // batch that did not parse, so the caller falls back.
                let batch = receivers[next_batch % threads]
                    .recv()
                    .unwrap_or_else(|_| vec![None; batches[next_batch].len()]);
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
        let collect = |it: &mut dyn Iterator<Item = ParsedPiece>, _: Recycle<'_>| {
            it.map(|p| p.map(|(f, _)| f)).collect::<Vec<_>>()
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
            it.flatten()
                .flat_map(|(f, _)| f.decls)
                .map(|d| recycle.free(d))
                .count()
        });
        assert_eq!(count, pieces.len());
    }
}
