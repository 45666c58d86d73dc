//! What the human renderer shows of a file: only the lines a report's labels
//! need, at their real line numbers, with long lines clipped around the labels
//! and control characters shown as symbols.
//!
//! miette reads its source through [`miette::SourceCode`]; given a whole file it
//! scans from the first byte for every label (a file with thousands of
//! diagnostics took minutes), prints lines of any length whole (and panics
//! formatting an underline past column 65,535), and writes control characters
//! such as a raw carriage return or an escape sequence to the terminal. An
//! [`Excerpt`] is built per report in time proportional to the lines it keeps,
//! each at most a few hundred bytes, whatever the file.

use crate::source::{SourceFile, floor_char_boundary};
use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

/// Lines longer than this (in bytes) are clipped around the labels.
const MAX_LINE: usize = 400;
/// Bytes kept on each side of a label's start and end on a clipped line.
const AROUND: usize = 60;
/// A label over more lines than this is shown on its first line only.
const MAX_LABEL_LINES: usize = 12;
/// Labels whose context lines are at most this many lines apart keep the lines
/// between them, so miette can show them in one snippet.
const MAX_GAP: usize = 10;
/// Marks text left out of a clipped line.
const ELIDED: &str = "…";

/// One kept line of the file.
#[derive(Debug)]
struct Kept {
    /// 0-based line number in the file.
    line: usize,
    /// Byte offsets in the file: the end of the line's content (before
    /// `\r\n` or `\n`) and the start of the next line.
    content_end: usize,
    next: usize,
    /// Offsets in the excerpt: the line's start, its terminator, its end.
    at: usize,
    term_at: usize,
    end: usize,
    /// The parts of the line kept, in order.
    pieces: Vec<Piece>,
}

/// A run of a line copied into the excerpt (`from..to` in the file, starting
/// at `at` in the excerpt), with the characters replaced by a longer symbol.
#[derive(Debug)]
struct Piece {
    from: usize,
    to: usize,
    at: usize,
    /// (file offset, bytes added) of each replaced character.
    wider: Vec<(usize, usize)>,
}

/// The lines of one file that one report needs (see the module doc).
#[derive(Debug)]
pub(crate) struct Excerpt {
    name: String,
    text: String,
    lines: Vec<Kept>,
    /// Excerpt offsets of the labels' starts and the byte columns they have in
    /// the file (miette's `file:line:col` header counts bytes).
    columns: Vec<(usize, usize)>,
}

impl Excerpt {
    /// The excerpt of `file` for labels at `spans` (byte ranges in the file);
    /// returns it and the spans as offsets into it.
    pub(crate) fn new(file: &SourceFile, spans: &[(usize, usize)]) -> (Excerpt, Vec<SourceSpan>) {
        let text = &file.text;
        let last_line = file.line_count() - 1;
        let content_end = |line: usize| {
            let start = file.line_start(line);
            let b = &text.as_bytes()[start..file.line_start(line + 1).max(start)];
            let b = b
                .strip_suffix(b"\n")
                .map_or(b, |b| b.strip_suffix(b"\r").unwrap_or(b));
            start + b.len()
        };
        // Spans within the text, on character boundaries, multi-line ones cut.
        let spans: Vec<(usize, usize)> = spans
            .iter()
            .map(|&(s, e)| {
                let s = floor_char_boundary(text, s.min(text.len()));
                let e = floor_char_boundary(text, e.min(text.len())).max(s);
                let first = file.line_index(s);
                let last = file.line_index(e.saturating_sub(1).max(s));
                if last - first > MAX_LABEL_LINES {
                    (s, content_end(first).max(s))
                } else {
                    (s, e)
                }
            })
            .collect();
        // The lines to keep: each label's lines and one on either side, and the
        // lines between labels that are close.
        let mut ranges: Vec<(usize, usize)> = spans
            .iter()
            .map(|&(s, e)| {
                let first = file.line_index(s);
                let last = file.line_index(e.saturating_sub(1).max(s));
                (first.saturating_sub(1), (last + 1).min(last_line))
            })
            .collect();
        ranges.sort_unstable();
        let mut merged: Vec<(usize, usize)> = Vec::new();
        for (a, b) in ranges {
            match merged.last_mut() {
                Some(m) if a <= m.1 + MAX_GAP + 1 => m.1 = m.1.max(b),
                _ => merged.push((a, b)),
            }
        }
        let mut points: Vec<usize> = spans.iter().flat_map(|&(s, e)| [s, e]).collect();
        points.sort_unstable();
        points.dedup();
        let mut ex = Excerpt {
            name: crate::visible::visible(&file.name).into_owned(),
            text: String::new(),
            lines: Vec::new(),
            columns: Vec::new(),
        };
        for (a, b) in merged {
            for line in a..=b {
                let start = file.line_start(line);
                let next = file.line_start(line + 1).max(start);
                let end = content_end(line).clamp(start, next);
                let here = &points[points.partition_point(|&p| p < start)..];
                let here = &here[..here.partition_point(|&p| p <= end)];
                ex.push_line(
                    text,
                    line,
                    start,
                    end,
                    next,
                    &windows(text, start, end, here),
                );
            }
        }
        let mapped = spans
            .iter()
            .map(|&(s, e)| {
                let (ms, me) = (ex.map(file, s), ex.map(file, e).max(ex.map(file, s)));
                ex.columns
                    .push((ms, s - file.line_start(file.line_index(s))));
                SourceSpan::new(ms.into(), me - ms)
            })
            .collect();
        (ex, mapped)
    }

    fn push_line(
        &mut self,
        text: &str,
        line: usize,
        start: usize,
        end: usize,
        next: usize,
        windows: &[(usize, usize)],
    ) {
        let at = self.text.len();
        let mut pieces = Vec::with_capacity(windows.len());
        let mut pos = start;
        for &(from, to) in windows {
            if from > pos {
                self.text.push_str(ELIDED);
            }
            let mut wider = Vec::new();
            let piece_at = self.text.len();
            for (i, c) in text[from..to].char_indices() {
                match symbol(c) {
                    Some(s) => {
                        wider.push((from + i, s.len_utf8() - c.len_utf8()));
                        self.text.push(s);
                    }
                    None => self.text.push(c),
                }
            }
            pieces.push(Piece {
                from,
                to,
                at: piece_at,
                wider,
            });
            pos = to;
        }
        if pos < end {
            self.text.push_str(ELIDED);
        }
        let term_at = self.text.len();
        self.text.push_str(&text[end..next]);
        self.lines.push(Kept {
            line,
            content_end: end,
            next,
            at,
            term_at,
            end: self.text.len(),
            pieces,
        });
    }

    /// The excerpt offset of a file offset (a label's start or end).
    fn map(&self, file: &SourceFile, p: usize) -> usize {
        let line = file.line_index(p);
        let k = self.lines.partition_point(|l| l.line <= line);
        let Some(l) = k.checked_sub(1).map(|k| &self.lines[k]) else {
            return 0;
        };
        if p >= l.next {
            return l.end;
        }
        if p >= l.content_end {
            return l.term_at + (p - l.content_end);
        }
        let i = l.pieces.partition_point(|x| x.from <= p);
        match i.checked_sub(1).map(|i| &l.pieces[i]) {
            Some(x) if p <= x.to => {
                let extra: usize = x.wider.iter().take_while(|w| w.0 < p).map(|w| w.1).sum();
                x.at + (p - x.from) + extra
            }
            Some(x) => x.at + x.to - x.from,
            None => l.at,
        }
    }

    /// The kept line holding an excerpt offset.
    fn line_at(&self, offset: usize) -> usize {
        self.lines
            .partition_point(|l| l.at <= offset)
            .saturating_sub(1)
    }
}

/// The parts of the line `start..end` to keep around `points`: the whole line
/// when it is short, else a window around each point (the line's start when
/// there is none), on character boundaries.
fn windows(text: &str, start: usize, end: usize, points: &[usize]) -> Vec<(usize, usize)> {
    if end - start <= MAX_LINE {
        return vec![(start, end)];
    }
    let ceil = |mut i: usize| {
        while i < end && !text.is_char_boundary(i) {
            i += 1;
        }
        i
    };
    let around: Vec<(usize, usize)> = if points.is_empty() {
        vec![(start, ceil(start + 2 * AROUND))]
    } else {
        points
            .iter()
            .map(|&p| {
                (
                    floor_char_boundary(text, p.saturating_sub(AROUND).max(start)),
                    ceil((p + AROUND).min(end)),
                )
            })
            .collect()
    };
    let mut out: Vec<(usize, usize)> = Vec::new();
    for (a, b) in around {
        match out.last_mut() {
            Some(w) if a <= w.1 + ELIDED.len() => w.1 = w.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

/// The visible symbol shown for a control character (which would move the
/// cursor or start an escape sequence in a terminal) or a bidi control (see
/// [`crate::visible`]); tabs stay.
fn symbol(c: char) -> Option<char> {
    match c {
        '\t' => None,
        '\0'..='\x1f' => char::from_u32(0x2400 + c as u32),
        '\x7f' => Some('\u{2421}'),
        // C1 controls, bidi overrides and isolates (which reorder the line).
        c if crate::visible::is_hidden(c) => Some('\u{fffd}'),
        _ => None,
    }
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        if self.lines.is_empty() {
            return Err(MietteError::OutOfBounds);
        }
        let s = span.offset();
        let mut a = self.line_at(s);
        let mut b = self.line_at((s + span.len()).saturating_sub(1).max(s));
        // Only lines that follow each other in the file form a snippet.
        if self.lines[b].line - self.lines[a].line != b - a {
            return Err(MietteError::OutOfBounds);
        }
        for _ in 0..before {
            if a > 0 && self.lines[a - 1].line + 1 == self.lines[a].line {
                a -= 1;
            }
        }
        for _ in 0..after {
            if b + 1 < self.lines.len() && self.lines[b].line + 1 == self.lines[b + 1].line {
                b += 1;
            }
        }
        let (first, last) = (&self.lines[a], &self.lines[b]);
        let column = if before == 0 {
            self.columns.iter().find(|c| c.0 == s).map_or(0, |c| c.1)
        } else {
            0
        };
        // miette merges two snippets when the first's `line + line_count`
        // reaches the second's line; its own sources count the line breaks
        // from the start of the file, which this keeps.
        let line_count = last.line + usize::from(last.term_at < last.end);
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            &self.text.as_bytes()[first.at..last.end],
            SourceSpan::new(first.at.into(), last.end - first.at),
            first.line,
            column,
            line_count,
        )))
    }
}
