//! Reading payloads: NDJSON (one payload per line) or a JSON array, plain or
//! gzip-compressed (detected by its magic bytes), from a file or stdin, in
//! chunks of complete records so memory stays constant whatever the input size.
//!
//! A record is a line (blank lines are skipped) or an element of the top-level
//! array, with the 1-based line it starts on. A record longer than
//! `MAX_RECORD` (8 MiB) is not kept in memory: it is skipped and reported by length.

use std::io::{self, BufRead, BufReader, Read};

/// Bytes read per chunk (a chunk always ends at a record boundary).
pub(crate) const CHUNK: usize = 1 << 20;
/// Records longer than this are reported by size without being read into memory.
pub(crate) const MAX_RECORD: usize = 8 << 20;

/// Opens the payloads: a path or `-` (stdin), gunzipping when the data starts
/// with the gzip magic bytes; the bytes as stored are read through `wrap`
/// (before any gunzip: the payloads' hash is the file's).
pub(crate) fn open_with(
    path: &std::path::Path,
    wrap: impl FnOnce(Box<dyn Read>) -> Box<dyn Read>,
) -> io::Result<Box<dyn Read>> {
    let inner: Box<dyn Read> = if path.as_os_str() == "-" {
        Box::new(io::stdin())
    } else {
        Box::new(std::fs::File::open(path)?)
    };
    let inner = wrap(inner);
    let mut r = BufReader::with_capacity(1 << 16, inner);
    let head = r.fill_buf()?;
    if head.starts_with(&[0x1f, 0x8b]) {
        Ok(Box::new(flate2::read::MultiGzDecoder::new(r)))
    } else {
        Ok(Box::new(r))
    }
}

/// Where a record is in its chunk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Record {
    /// `data[start..end]`.
    Bytes { start: usize, end: usize, line: u64 },
    /// A record over `MAX_RECORD` bytes, skipped.
    TooLarge { len: u64, line: u64 },
    /// Not a record: a broken array (the message says why).
    Broken { line: u64, message: &'static str },
}

/// A piece of the input holding complete records.
#[derive(Default)]
pub struct Chunk {
    pub data: Vec<u8>,
    pub records: Vec<Record>,
}

impl Chunk {
    pub(crate) fn bytes(&self, start: usize, end: usize) -> &[u8] {
        &self.data[start..end]
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Unknown,
    Lines,
    Array,
}

/// The array scanner's state (it persists across chunks).
#[derive(Clone, Copy, Debug, Default)]
struct ArrayState {
    /// 0 outside the array, 1 between its elements, more inside one.
    depth: u32,
    in_string: bool,
    escaped: bool,
    /// Seen the array's `[` / its closing `]`.
    opened: bool,
    closed: bool,
    /// The element being read: its first line.
    elem_line: Option<u64>,
    /// The element being read is too large to keep: its length so far.
    dropped: Option<u64>,
    /// The last separator was a comma (for `[1,]` and `[1,,2]`).
    after_comma: bool,
    /// Skipping the rest of a line of text outside the array (reported once).
    outside: bool,
}

/// Splits the input into chunks of complete records.
pub struct Framer<R> {
    reader: R,
    mode: Mode,
    /// The unfinished record at the end of the last chunk (already scanned).
    carry: Vec<u8>,
    /// Line number at the end of the scanned bytes (lines: of the unfinished line).
    line: u64,
    eof: bool,
    ended: bool,
    /// Past the byte-order mark (which only counts as the very first bytes).
    started: bool,
    /// Lines mode: skipping a line over [`MAX_RECORD`]: its line and length so far.
    skip: Option<(u64, u64)>,
    array: ArrayState,
    /// Bytes read per chunk.
    chunk: usize,
    /// Records longer than this are skipped.
    max_record: usize,
}

impl<R: Read> Framer<R> {
    pub(crate) fn new(reader: R) -> Self {
        Self::with_sizes(reader, CHUNK, MAX_RECORD)
    }

    /// A framer reading `chunk` bytes at a time and skipping records over
    /// `max_record` bytes (tests use tiny ones to cross every boundary).
    pub fn with_sizes(reader: R, chunk: usize, max_record: usize) -> Self {
        Framer {
            chunk: chunk.max(1),
            max_record,
            reader,
            mode: Mode::Unknown,
            carry: Vec::new(),
            line: 1,
            eof: false,
            ended: false,
            started: false,
            skip: None,
            array: ArrayState::default(),
        }
    }

    /// Fills `chunk` (a recycled one is fine) with the next records; `false` at
    /// the end of the input.
    pub fn next(&mut self, chunk: &mut Chunk) -> io::Result<bool> {
        chunk.records.clear();
        chunk.data.clear();
        if self.ended {
            return Ok(false);
        }
        chunk.data.append(&mut self.carry);
        loop {
            let scanned = chunk.data.len();
            if !self.eof {
                chunk.data.resize(scanned + self.chunk, 0);
                let n = read_full(&mut self.reader, &mut chunk.data[scanned..])?;
                chunk.data.truncate(scanned + n);
                self.eof = n == 0;
            }
            let from = if self.mode == Mode::Unknown {
                if !self.started && chunk.data.starts_with(&[0xEF, 0xBB, 0xBF]) {
                    chunk.data.drain(..3);
                }
                self.started = true;
                // Leading whitespace is dropped as it is read (counting its
                // lines), so that a long run of it costs one pass and no memory.
                let ws = chunk
                    .data
                    .iter()
                    .position(|b| !b.is_ascii_whitespace())
                    .unwrap_or(chunk.data.len());
                self.line += memchr::memchr_iter(b'\n', &chunk.data[..ws]).count() as u64;
                chunk.data.drain(..ws);
                match chunk.data.first() {
                    Some(b'[') => self.mode = Mode::Array,
                    Some(_) => self.mode = Mode::Lines,
                    None if self.eof => {
                        self.ended = true;
                        return Ok(false);
                    }
                    None => continue,
                }
                0
            } else {
                scanned
            };
            let tail = match self.mode {
                Mode::Array => self.scan_array(chunk, from),
                _ => self.scan_lines(chunk, from),
            };
            if self.eof {
                self.finish(chunk, tail);
                self.ended = true;
                return Ok(!chunk.records.is_empty());
            }
            self.keep_tail(chunk, tail);
            if !chunk.records.is_empty() {
                return Ok(true);
            }
            chunk.data.clear();
            chunk.data.append(&mut self.carry);
        }
    }

    /// Moves the unfinished record starting at `tail` into the carry, or starts
    /// skipping it when it is too large.
    fn keep_tail(&mut self, chunk: &mut Chunk, mut tail: usize) {
        if self.mode == Mode::Lines {
            // A line's leading whitespace is not part of its record: a long
            // blank line is neither carried nor reported as too large.
            tail += chunk.data[tail..]
                .iter()
                .position(|b| !b.is_ascii_whitespace())
                .unwrap_or(chunk.data.len() - tail);
        }
        let len = chunk.data.len() - tail;
        if len > self.max_record {
            match self.mode {
                Mode::Array => self.array.dropped = Some(len as u64),
                _ => self.skip = Some((self.line, len as u64)),
            }
        } else {
            self.carry.extend_from_slice(&chunk.data[tail..]);
        }
        chunk.data.truncate(tail);
    }

    /// Frames what is left at the end of the input (from `tail`).
    fn finish(&mut self, chunk: &mut Chunk, tail: usize) {
        let end = chunk.data.len();
        match self.mode {
            Mode::Lines => {
                if let Some((line, len)) = self.skip.take() {
                    chunk.records.push(Record::TooLarge {
                        len: len + (end - tail) as u64,
                        line,
                    });
                } else {
                    push_trimmed(chunk, tail, end, self.line);
                }
            }
            Mode::Array => {
                let a = &mut self.array;
                if a.opened && !a.closed {
                    if let Some(len) = a.dropped.take() {
                        chunk.records.push(Record::TooLarge {
                            len: len + (end - tail) as u64,
                            line: a.elem_line.unwrap_or(self.line),
                        });
                    } else if let Some(line) = a.elem_line {
                        push_trimmed(chunk, tail, end, line);
                    }
                    a.elem_line = None;
                    a.closed = true;
                    chunk.records.push(Record::Broken {
                        line: self.line,
                        message: "the JSON array is not closed: `]` is missing at the end of the input",
                    });
                }
            }
            Mode::Unknown => {}
        }
    }

    /// Frames the complete lines; returns where the unfinished one starts.
    fn scan_lines(&mut self, chunk: &mut Chunk, from: usize) -> usize {
        let mut start = 0;
        if let Some((line, len)) = self.skip {
            // The carry is empty while skipping: `chunk.data` holds new bytes only.
            match memchr::memchr(b'\n', &chunk.data) {
                Some(i) => {
                    chunk.records.push(Record::TooLarge {
                        len: len + i as u64,
                        line,
                    });
                    self.skip = None;
                    self.line += 1;
                    start = i + 1;
                }
                None => {
                    self.skip = Some((line, len + chunk.data.len() as u64));
                    chunk.data.clear();
                    return 0;
                }
            }
        }
        let mut search = from.max(start);
        while let Some(i) = memchr::memchr(b'\n', &chunk.data[search..]) {
            let end = search + i;
            push_trimmed(chunk, start, end, self.line);
            self.line += 1;
            start = end + 1;
            search = start;
        }
        start
    }

    /// Frames the complete elements; returns where the unfinished one starts.
    fn scan_array(&mut self, chunk: &mut Chunk, from: usize) -> usize {
        let a = &mut self.array;
        let mut line = self.line;
        // The carry starts with the element being read (unless it is dropped).
        let mut elem_start = (a.elem_line.is_some() && a.dropped.is_none()).then_some(0);
        let data = &chunk.data;
        let records = &mut chunk.records;
        let mut i = from;
        while i < data.len() {
            let b = data[i];
            if a.outside {
                // The rest of the line was reported with its start, perhaps
                // in an earlier chunk.
                match memchr::memchr(b'\n', &data[i..]) {
                    Some(k) => {
                        i += k;
                        a.outside = false;
                    }
                    None => i = data.len(),
                }
                continue;
            }
            if a.in_string {
                match b {
                    _ if a.escaped => a.escaped = false,
                    b'\\' => a.escaped = true,
                    b'"' => a.in_string = false,
                    b'\n' => line += 1,
                    _ => {}
                }
                i += 1;
                continue;
            }
            match b {
                b'\n' => line += 1,
                b' ' | b'\t' | b'\r' => {}
                b'[' if a.depth == 0 && !a.opened => {
                    a.opened = true;
                    a.depth = 1;
                }
                _ if a.depth == 0 => {
                    records.push(Record::Broken {
                        line,
                        message: "text outside the JSON array",
                    });
                    a.outside = true;
                    continue;
                }
                b',' | b']' if a.depth == 1 => {
                    let elem_line = a.elem_line.take().unwrap_or(line);
                    if let Some(len) = a.dropped.take() {
                        // A dropped element started before this chunk: its bytes
                        // here run from 0 to `i`.
                        records.push(Record::TooLarge {
                            len: len + i as u64,
                            line: elem_line,
                        });
                    } else if let Some(start) = elem_start.take() {
                        let (s, e) = trim(data, start, i);
                        records.push(Record::Bytes {
                            start: s,
                            end: e,
                            line: elem_line,
                        });
                    } else if b == b',' || a.after_comma {
                        records.push(Record::Broken {
                            line,
                            message: "an empty element in the JSON array (two commas in a row, or a comma before `]`)",
                        });
                    }
                    a.after_comma = b == b',';
                    if b == b']' {
                        a.depth = 0;
                        a.closed = true;
                    }
                }
                _ => {
                    if a.elem_line.is_none() {
                        a.elem_line = Some(line);
                        elem_start = Some(i);
                    }
                    match b {
                        b'"' => a.in_string = true,
                        b'[' | b'{' => a.depth = a.depth.saturating_add(1),
                        b']' | b'}' => a.depth = (a.depth - 1).max(1),
                        _ => {}
                    }
                }
            }
            i += 1;
        }
        self.line = line;
        if let Some(len) = &mut a.dropped {
            // Still inside a dropped element: nothing here is kept.
            *len += data.len() as u64;
            return data.len();
        }
        elem_start.unwrap_or(data.len())
    }
}

fn push_trimmed(chunk: &mut Chunk, start: usize, end: usize, line: u64) {
    let (s, e) = trim(&chunk.data, start, end);
    if s < e {
        chunk.records.push(Record::Bytes {
            start: s,
            end: e,
            line,
        });
    }
}

/// `data[start..end]` without surrounding whitespace, as a range.
fn trim(data: &[u8], start: usize, end: usize) -> (usize, usize) {
    let b = &data[start..end];
    let s = b.iter().position(|c| !c.is_ascii_whitespace());
    match s {
        None => (end, end),
        Some(s) => {
            let e = b
                .iter()
                .rposition(|c| !c.is_ascii_whitespace())
                .unwrap_or(s);
            (start + s, start + e + 1)
        }
    }
}

/// Reads until `buf` is full or the input ends; returns the bytes read.
fn read_full<R: Read>(r: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Frames `input` with a tiny chunk size simulation: returns (line, text) of
    /// every record, or a marker for the others.
    fn frame(input: &[u8]) -> Vec<(u64, String)> {
        let mut f = Framer::new(input);
        let mut chunk = Chunk::default();
        let mut out = Vec::new();
        while f.next(&mut chunk).expect("reads") {
            for r in &chunk.records {
                out.push(match *r {
                    Record::Bytes { start, end, line } => (
                        line,
                        String::from_utf8_lossy(chunk.bytes(start, end)).into_owned(),
                    ),
                    Record::TooLarge { len, line } => (line, format!("<too large: {len}>")),
                    Record::Broken { line, message } => (line, format!("<broken: {message}>")),
                });
            }
        }
        out
    }

    #[test]
    fn lines() {
        let got = frame(b"{\"a\":1}\n\n  {\"b\":2}  \r\n{\"c\":3}");
        assert_eq!(
            got,
            vec![
                (1, "{\"a\":1}".into()),
                (3, "{\"b\":2}".into()),
                (4, "{\"c\":3}".into())
            ]
        );
        assert!(frame(b"").is_empty());
        assert!(frame(b"\n \n").is_empty());
        assert_eq!(frame(b"\xEF\xBB\xBF{}\n"), vec![(1, "{}".into())]);
    }

    /// Frames with tiny chunks: every run of whitespace crosses many of them.
    fn frame_small(input: &[u8]) -> (Vec<Record>, usize) {
        let mut f = Framer::with_sizes(input, 7, 16);
        let mut chunk = Chunk::default();
        let mut out = Vec::new();
        let mut most = 0;
        while f.next(&mut chunk).expect("reads") {
            most = most.max(chunk.data.len());
            out.extend(chunk.records.iter().copied());
        }
        (out, most)
    }

    #[test]
    fn whitespace_is_dropped_as_it_is_read() {
        let mut input = vec![b' '; 5000];
        input.extend_from_slice(b"\n\t\n{}\n");
        input.extend(std::iter::repeat_n(b' ', 5000));
        input.extend_from_slice(b"\n{\"a\":1}");
        let (records, most) = frame_small(&input);
        assert_eq!(
            records,
            vec![
                Record::Bytes {
                    start: 0,
                    end: 2,
                    line: 3
                },
                Record::Bytes {
                    start: 0,
                    end: 7,
                    line: 5
                }
            ]
        );
        assert!(most < 64, "a chunk held {most} bytes");
        let mut array = vec![b'\n'; 3000];
        array.extend_from_slice(b"[{}]");
        let (records, most) = frame_small(&array);
        assert_eq!(
            records,
            vec![Record::Bytes {
                start: 0,
                end: 2,
                line: 3001
            }]
        );
        assert!(most < 64, "a chunk held {most} bytes");
    }

    #[test]
    fn arrays() {
        let got = frame(b"[\n  {\"a\": \"x,]\\\"\"},\n  {\"b\": [1, 2]}\n]\n");
        assert_eq!(
            got,
            vec![
                (2, "{\"a\": \"x,]\\\"\"}".into()),
                (3, "{\"b\": [1, 2]}".into())
            ]
        );
        assert!(frame(b" [ ] ").is_empty());
        let broken = frame(b"[{}, , {}]\n x");
        assert_eq!(broken.len(), 4, "{broken:?}");
        assert!(broken[1].1.contains("empty element"));
        assert!(broken[3].1.contains("outside"));
        // Text after the array is one record per line, however it is read.
        for chunk in [1, 3, 1 << 20] {
            let mut f = Framer::with_sizes(&b"[{}]\nabc def\nxyz"[..], chunk, 64);
            let mut c = Chunk::default();
            let mut lines = Vec::new();
            while f.next(&mut c).expect("reads") {
                lines.extend(c.records.iter().map(|r| match *r {
                    Record::Broken { line, .. } => line,
                    _ => 0,
                }));
            }
            assert_eq!(lines, vec![0, 2, 3], "chunks of {chunk}");
        }
        let open = frame(b"[{},\n{\"a\":");
        assert_eq!(open[1], (2, "{\"a\":".into()));
        assert!(open[2].1.contains("not closed"));
    }
}
