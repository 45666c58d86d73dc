//! Comments for the formatter: the parser drops them, so they are taken from the
//! token scanner and attached to the items of each block by position.

use std::ops::Range;

/// One `// …` comment: its byte range and its text without trailing spaces.
#[derive(Clone, Debug)]
pub(crate) struct Comment {
    pub start: usize,
    pub end: usize,
    pub text: String,
}

/// Where the comments of one block (or of the file) go.
#[derive(Debug, Default)]
pub(crate) struct Attached {
    /// On the line of the opening `{`, before any item.
    pub open: Option<usize>,
    /// One entry per item, in source order.
    pub items: Vec<ItemComments>,
    /// After the last item, before the `}` (or the end of the file).
    pub end: Vec<usize>,
}

impl Attached {
    /// The comments of item `i` (none when the block has no comments at all).
    pub(crate) fn item(&self, i: usize) -> &ItemComments {
        static NONE: ItemComments = ItemComments {
            leading: Vec::new(),
            interior: Vec::new(),
            trailing: None,
        };
        self.items.get(i).unwrap_or(&NONE)
    }
}

#[derive(Debug, Default, Clone)]
pub(crate) struct ItemComments {
    /// Comments on the lines above the item.
    pub leading: Vec<usize>,
    /// Comments inside the item but outside its nested blocks (between the values
    /// of a list written over several lines): printed above the item, or, for enum
    /// values, beside the value they follow.
    pub interior: Vec<usize>,
    /// The comment at the end of the item's last line.
    pub trailing: Option<usize>,
}

/// An item to attach comments to: its byte range and the byte ranges of the
/// blocks nested in it (whose comments belong to those blocks).
pub(crate) struct Slot {
    pub range: Range<usize>,
    pub nested: Vec<Range<usize>>,
}

/// All comments of a file, with the positions of its line starts.
pub(crate) struct Comments<'a> {
    text: &'a str,
    pub list: Vec<Comment>,
    line_starts: Vec<usize>,
}

impl<'a> Comments<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        let list = comment_ranges(text)
            .into_iter()
            .map(|(start, end)| Comment {
                start,
                end,
                text: text[start..end].trim_end().to_string(),
            })
            .collect();
        let mut line_starts = vec![0];
        line_starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        Comments {
            text,
            list,
            line_starts,
        }
    }

    pub(crate) fn line(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }

    /// Indices of the comments that start inside `range`.
    pub(crate) fn within(&self, range: Range<usize>) -> Range<usize> {
        let lo = self.list.partition_point(|c| c.start < range.start);
        let hi = self.list.partition_point(|c| c.start < range.end);
        lo..hi.max(lo)
    }

    pub(crate) fn any_within(&self, range: Range<usize>) -> bool {
        !self.within(range).is_empty()
    }

    /// Whether an empty line separates `offset` from the code or comment before it.
    pub(crate) fn blank_before(&self, offset: usize) -> bool {
        let mut newlines = 0;
        for b in self.text.as_bytes()[..offset.min(self.text.len())]
            .iter()
            .rev()
        {
            match b {
                b'\n' => newlines += 1,
                b' ' | b'\t' | b'\r' => {}
                _ => return newlines >= 2,
            }
        }
        false
    }

    /// Whether an empty line separates `offset` from the code or comment after it.
    pub(crate) fn blank_after(&self, offset: usize) -> bool {
        let mut newlines = 0;
        for b in self.text.as_bytes()[offset.min(self.text.len())..].iter() {
            match b {
                b'\n' => newlines += 1,
                b' ' | b'\t' | b'\r' => {}
                _ => return newlines >= 2,
            }
        }
        false
    }

    /// The end of a span with the whitespace and comments that pest counts into
    /// it (a rule ending in an optional or repeated part takes the skipped
    /// trivia after it) taken off.
    pub(crate) fn trim_end(&self, start: usize, mut end: usize) -> usize {
        let bytes = self.text.as_bytes();
        loop {
            while end > start && matches!(bytes[end - 1], b' ' | b'\t' | b'\r' | b'\n') {
                end -= 1;
            }
            let i = self.list.partition_point(|c| c.end < end);
            match self.list.get(i) {
                Some(c) if c.end == end && c.start >= start => end = c.start,
                _ => return end,
            }
        }
    }

    /// Attaches the comments inside `inner` (a block's interior, or the whole file)
    /// to its items. `open_line` is the line of the block's `{`.
    pub(crate) fn attach(
        &self,
        inner: Range<usize>,
        open_line: Option<usize>,
        slots: &[Slot],
    ) -> Attached {
        let mut out = Attached {
            open: None,
            items: vec![ItemComments::default(); slots.len()],
            end: Vec::new(),
        };
        for ci in self.within(inner) {
            let c = &self.list[ci];
            // Slots are in source order and do not overlap: binary searches.
            let containing = slots
                .partition_point(|s| s.range.start <= c.start)
                .checked_sub(1)
                .filter(|&i| slots[i].range.contains(&c.start));
            if let Some(i) = containing {
                if !slots[i].nested.iter().any(|n| n.contains(&c.start)) {
                    out.items[i].interior.push(ci);
                }
                continue;
            }
            let line = self.line(c.start);
            let prev = slots
                .partition_point(|s| s.range.end <= c.start)
                .checked_sub(1);
            match prev {
                Some(p)
                    if self.line(slots[p].range.end.saturating_sub(1)) == line
                        && out.items[p].trailing.is_none() =>
                {
                    out.items[p].trailing = Some(ci);
                    continue;
                }
                None if open_line == Some(line) && out.open.is_none() => {
                    out.open = Some(ci);
                    continue;
                }
                _ => {}
            }
            let next = slots.partition_point(|s| s.range.start < c.end);
            match out.items.get_mut(next) {
                Some(item) => item.leading.push(ci),
                None => out.end.push(ci),
            }
        }
        out
    }
}

/// The byte ranges of the `// …` comments of a text (up to the line end, a `\r`
/// before the `\n` excluded), found as [`crate::syntax::scan::tokens`] finds
/// them: outside string literals, which end at their closing quote or the line's
/// end. A dedicated pass: it does not build the token list of a large file.
pub(crate) fn comment_ranges(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                i += 1;
                while i < b.len() {
                    match b[i] {
                        b'\\' if b.get(i + 1).is_some_and(|&c| c != b'\n') => i += 2,
                        b'"' => {
                            i += 1;
                            break;
                        }
                        b'\n' => break,
                        _ => i += 1,
                    }
                }
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                let start = i;
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                let end = if i > start && b[i - 1] == b'\r' {
                    i - 1
                } else {
                    i
                };
                out.push((start, end));
            }
            _ => i += 1,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::comment_ranges;
    use crate::syntax::scan::{Tok, tokens};

    fn by_tokens(text: &str) -> Vec<(usize, usize)> {
        tokens(text)
            .into_iter()
            .filter(|t| t.kind == Tok::Comment)
            .map(|t| (t.start, t.end))
            .collect()
    }

    #[test]
    fn finds_the_comments_the_token_scanner_finds() {
        let cases = [
            "a // c\nb",
            "\"// not a comment\" // a comment\r\n",
            "\"unterminated // still a string\n// comment",
            "\"esc \\\" // in string\" //c",
            "\"ends with backslash \\\n// c",
            "@a//b",
            "x: string//c\r",
            "",
            "/ / // c",
        ];
        for c in cases {
            assert_eq!(comment_ranges(c), by_tokens(c), "{c:?}");
        }
        let spec = include_str!("../../tests/fixtures/spec/full-example.events");
        assert_eq!(comment_ranges(spec), by_tokens(spec));
    }
}
