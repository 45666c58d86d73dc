//! Conversions between the protocol's terms and the compiler's: `file:` URIs and
//! paths, LSP positions (0-based line, UTF-16 column) and byte offsets.

use lsp_types::{Position, Range, Uri};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::source::SourceFile;

/// The path of a `file:` URI (percent-decoded), if it is one.
pub fn path_of(uri: &Uri) -> Option<PathBuf> {
    let scheme = uri.scheme()?.as_str();
    if !scheme.eq_ignore_ascii_case("file") {
        return None;
    }
    if let Some(auth) = uri.authority() {
        let host = auth.host().as_str();
        if !host.is_empty() && !host.eq_ignore_ascii_case("localhost") {
            return None;
        }
    }
    let decoded = percent_decode(uri.path().as_str())?;
    #[cfg(windows)]
    let decoded = decoded.trim_start_matches('/').to_string();
    Some(PathBuf::from(decoded))
}

/// The `file:` URI of an absolute path.
pub fn uri_of(path: &Path) -> Option<Uri> {
    let text = path.to_str()?;
    let mut s = String::from("file://");
    #[cfg(windows)]
    s.push('/');
    for b in text.replace('\\', "/").bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                s.push(b as char)
            }
            _ => s.push_str(&format!("%{b:02X}")),
        }
    }
    Uri::from_str(&s).ok()
}

/// A stable key for a document: the re-encoded path for `file:` URIs (so that
/// `%3A` and `:` name the same file), the URI text otherwise.
pub fn key_of(uri: &Uri) -> String {
    path_of(uri)
        .and_then(|p| uri_of(&p))
        .map_or_else(|| uri.as_str().to_string(), |u| u.as_str().to_string())
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The LSP position of a byte offset.
pub fn position(file: &SourceFile, offset: usize) -> Position {
    let (line, character) = file.utf16_position(offset);
    Position::new(line as u32, character as u32)
}

/// The LSP range of a byte range.
pub fn range(file: &SourceFile, start: usize, end: usize) -> Range {
    Range::new(position(file, start), position(file, end))
}

/// The byte offset of an LSP position (clamped to the text).
pub fn offset(file: &SourceFile, pos: Position) -> usize {
    file.offset_of_utf16(pos.line as usize, pos.character as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_uris_round_trip() {
        let p = Path::new("/tmp/a plan/π.events");
        let u = uri_of(p).expect("a URI");
        assert_eq!(u.as_str(), "file:///tmp/a%20plan/%CF%80.events");
        assert_eq!(path_of(&u).as_deref(), Some(p));
        let other = Uri::from_str("file:///tmp/a%20plan/%cf%80.events").expect("uri");
        assert_eq!(key_of(&other), u.as_str());
        let untitled = Uri::from_str("untitled:Untitled-1").expect("uri");
        assert_eq!(path_of(&untitled), None);
        assert_eq!(key_of(&untitled), "untitled:Untitled-1");
        for other in [
            "https://example.com/a.events",
            "file://server/share/a.events",
        ] {
            let u = Uri::from_str(other).expect("uri");
            assert_eq!(path_of(&u), None, "{other}");
        }
    }

    #[test]
    fn positions_are_utf16() {
        let f = SourceFile::new("x", None, "a\n😀b\n".to_string());
        assert_eq!(position(&f, 2 + 4), Position::new(1, 2));
        assert_eq!(offset(&f, Position::new(1, 2)), 6);
        assert_eq!(offset(&f, Position::new(9, 9)), f.text.len());
    }
}
