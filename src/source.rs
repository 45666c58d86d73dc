//! Source files, spans and positions.
//!
//! Every AST and IR node carries a [`Span`]: a file id and a byte range into that
//! file's text. Line and column numbers are computed only when a diagnostic is
//! rendered, from the per-file line index kept here.

use std::fmt;
use std::path::PathBuf;

/// Index of a file in a [`SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FileId(pub u32);

/// A byte range in one source file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub(crate) fn new(file: FileId, start: usize, end: usize) -> Span {
        Span {
            file,
            start: start as u32,
            end: end as u32,
        }
    }

    /// The smallest span covering both (which must be in the same file).
    pub(crate) fn to(self, other: Span) -> Span {
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    pub(crate) fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// A value together with the span it was read from.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub(crate) fn new(value: T, span: Span) -> Self {
        Spanned { value, span }
    }
}

impl<T: fmt::Display> fmt::Display for Spanned<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.value.fmt(f)
    }
}

/// One loaded source file.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The name shown in diagnostics: the path as given by the user.
    pub name: String,
    pub path: Option<PathBuf>,
    pub text: String,
    line_starts: Vec<u32>,
    /// Characters and UTF-16 units before each [`COLUMN_BLOCK`]-byte boundary,
    /// built on first use by a position on a long line (see [`SourceFile::units`]).
    blocks: std::sync::OnceLock<Vec<(u32, u32)>>,
}

/// Lines longer than this count their columns through the block table, so a
/// position on a line of megabytes costs a block, not the line.
const COLUMN_BLOCK: usize = 4096;

/// Characters and UTF-16 code units in a run of UTF-8 bytes (which may start or
/// end inside a character: continuation bytes count for nothing, a 4-byte
/// lead for two units).
fn count_units(bytes: &[u8]) -> (usize, usize) {
    let mut chars = 0;
    let mut wide = 0;
    for &b in bytes {
        chars += usize::from(b & 0xC0 != 0x80);
        wide += usize::from(b >= 0xF0);
    }
    (chars, chars + wide)
}

/// 1-based line and column; the column counts characters, not bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct LineCol {
    pub line: usize,
    pub column: usize,
}

impl SourceFile {
    pub fn new(name: impl Into<String>, path: Option<PathBuf>, text: String) -> Self {
        let mut line_starts = vec![0u32];
        line_starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| (i + 1) as u32),
        );
        SourceFile {
            name: name.into(),
            path,
            text,
            line_starts,
            blocks: std::sync::OnceLock::new(),
        }
    }

    /// Characters and UTF-16 units in `text[start..end]` (both within the text).
    fn units(&self, start: usize, end: usize) -> (usize, usize) {
        let bytes = self.text.as_bytes();
        if end - start <= 2 * COLUMN_BLOCK {
            return count_units(&bytes[start..end]);
        }
        let blocks = self.blocks.get_or_init(|| {
            let mut acc = (0u32, 0u32);
            let mut out = vec![acc];
            for block in bytes.chunks(COLUMN_BLOCK) {
                let (c, u) = count_units(block);
                acc = (acc.0 + c as u32, acc.1 + u as u32);
                out.push(acc);
            }
            out
        });
        let before = |i: usize| {
            let k = i / COLUMN_BLOCK;
            let (c, u) = count_units(&bytes[k * COLUMN_BLOCK..i]);
            (blocks[k].0 as usize + c, blocks[k].1 as usize + u)
        };
        let (a, b) = (before(start), before(end));
        (b.0 - a.0, b.1 - a.1)
    }

    /// Replaces the bytes `start..end` (char boundaries) with `text`, updating the
    /// line index without rescanning the whole file (the language server edits
    /// large files a keystroke at a time).
    pub(crate) fn replace(&mut self, start: usize, end: usize, text: &str) {
        self.text.replace_range(start..end, text);
        self.blocks = std::sync::OnceLock::new();
        let delta = text.len() as i64 - (end - start) as i64;
        // Lines starting inside the replaced range go; the new text's come in.
        let first = self.line_starts.partition_point(|&s| (s as usize) <= start);
        let last = self.line_starts.partition_point(|&s| (s as usize) <= end);
        let inserted = text
            .bytes()
            .enumerate()
            .filter(|&(_, b)| b == b'\n')
            .map(|(i, _)| (start + i + 1) as u32);
        self.line_starts.splice(first..last, inserted);
        let shifted = first + text.bytes().filter(|&b| b == b'\n').count();
        for s in &mut self.line_starts[shifted..] {
            *s = (*s as i64 + delta) as u32;
        }
    }

    /// 0-based line index of a byte offset.
    pub(crate) fn line_index(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&(offset as u32)) {
            Ok(i) => i,
            Err(i) => i - 1,
        }
    }

    pub(crate) fn line_start(&self, line_index: usize) -> usize {
        self.line_starts
            .get(line_index)
            .map_or(self.text.len(), |&s| s as usize)
    }

    pub(crate) fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// The text of a 0-based line, without its line terminator.
    pub(crate) fn line_text(&self, line_index: usize) -> &str {
        let start = self.line_start(line_index);
        let end = self.line_start(line_index + 1).min(self.text.len());
        self.text[start..end].trim_end_matches(['\n', '\r'])
    }

    pub(crate) fn line_col(&self, offset: usize) -> LineCol {
        let offset = floor_char_boundary(&self.text, offset.min(self.text.len()));
        let line = self.line_index(offset);
        let start = self.line_start(line);
        LineCol {
            line: line + 1,
            column: self.units(start, offset).0 + 1,
        }
    }

    /// Byte offset of a 0-based line and a column in UTF-16 code units (LSP positions).
    pub(crate) fn offset_of_utf16(&self, line: usize, character: usize) -> usize {
        if line >= self.line_count() {
            return self.text.len();
        }
        let start = self.line_start(line);
        let text = self.line_text(line);
        let mut units = 0;
        for (i, c) in text.char_indices() {
            if units >= character {
                return start + i;
            }
            units += c.len_utf16();
        }
        start + text.len()
    }

    /// 0-based line and UTF-16 column of a byte offset (LSP positions).
    pub fn utf16_position(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(&self.text, offset.min(self.text.len()));
        let line = self.line_index(offset);
        let start = self.line_start(line);
        (line, self.units(start, offset).1)
    }
}

pub fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// All files of one plan.
#[derive(Debug, Default, Clone)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, file: SourceFile) -> FileId {
        self.files.push(file);
        FileId((self.files.len() - 1) as u32)
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub(crate) fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }

    pub(crate) fn len(&self) -> usize {
        self.files.len()
    }

    pub(crate) fn line_col(&self, span: Span) -> (LineCol, LineCol) {
        let f = self.get(span.file);
        (
            f.line_col(span.start as usize),
            f.line_col(span.end as usize),
        )
    }

    /// `file:line` of the start of a span, as written into generated artifacts.
    pub(crate) fn location(&self, span: Span) -> String {
        let mut out = String::new();
        self.push_location(&mut out, span);
        out
    }

    /// [`SourceMap::location`], appended to `out`.
    pub(crate) fn push_location(&self, out: &mut String, span: Span) {
        use std::fmt::Write;
        let f = self.get(span.file);
        // The line alone: no need to count the column's characters.
        let offset = floor_char_boundary(&f.text, (span.start as usize).min(f.text.len()));
        out.push_str(&f.name);
        let _ = write!(out, ":{}", f.line_index(offset) + 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Columns on a long line (through the block table) are those of a plain count.
    #[test]
    fn columns_on_long_lines() {
        let mut text = String::from("a\n");
        for i in 0..6000 {
            text.push_str(["x", "é", "€", "😀"][i % 4]);
        }
        text.push_str("\nz");
        let f = SourceFile::new("t", None, text.clone());
        let start = 2;
        for offset in (start..text.len()).step_by(997).chain([text.len() - 2]) {
            let offset = floor_char_boundary(&text, offset);
            let slice = &text[start..offset];
            assert_eq!(f.line_col(offset).column, slice.chars().count() + 1);
            assert_eq!(
                f.utf16_position(offset),
                (1, slice.chars().map(char::len_utf16).sum::<usize>())
            );
        }
        assert_eq!(f.line_col(text.len()), LineCol { line: 3, column: 2 });
    }
}
