//! Text from a plan or a payload, made safe to show: the characters that a
//! terminal or a document viewer would act on instead of showing (ESC starting
//! a colour or cursor sequence, the other C0 and C1 controls, DEL, bidi
//! overrides and isolates that reorder a line, line and paragraph separators)
//! are written as `\u{1b}`, the way Rust's `{:?}` writes them.
//!
//! One set, [`is_hidden`], used by every human output (`check`'s diagnostics,
//! `validate`, `log`, `diff`, usage errors) and by the Markdown encoder of the
//! documents and reports. Machine formats (JSON) escape with their own rules.
//!
//! Public only for the integration tests (tests/it): the characters every human
//! output escapes.

use std::borrow::Cow;
use std::fmt::Write;

/// Whether `c` is escaped rather than shown: C0 controls (tab, LF and CR
/// included: callers that keep line structure handle those first), DEL, C1
/// controls, the bidi marks, embeddings, overrides and isolates (U+061C,
/// U+200E, U+200F, U+202A–U+202E, U+2066–U+2069), U+2028, U+2029, and U+FEFF.
pub fn is_hidden(c: char) -> bool {
    matches!(
        c,
        '\u{0}'..='\u{1f}'
            | '\u{7f}'..='\u{9f}'
            | '\u{61c}'
            | '\u{200e}'
            | '\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{feff}'
    )
}

/// Appends the escape of a hidden character: `\n`, `\r`, `\t`, else `\u{…}`.
pub(crate) fn push_escape(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
}

fn escape_where(s: &str, hide: impl Fn(char) -> bool) -> Cow<'_, str> {
    let Some(first) = s.find(&hide) else {
        return Cow::Borrowed(s);
    };
    let mut out = String::with_capacity(s.len() + 8);
    out.push_str(&s[..first]);
    for c in s[first..].chars() {
        if hide(c) {
            push_escape(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `s` with every hidden character escaped, line breaks and tabs included: for
/// one field on one line (an event name, a message id, a path).
pub(crate) fn visible(s: &str) -> Cow<'_, str> {
    escape_where(s, is_hidden)
}

/// `s` with every hidden character escaped except LF and tab: for a block of
/// lines (a rendered table, a message of several lines).
pub(crate) fn visible_lines(s: &str) -> Cow<'_, str> {
    escape_where(s, |c| c != '\n' && c != '\t' && is_hidden(c))
}

/// JSON text (as serde_json writes it) with the hidden characters it leaves raw
/// (C1 controls, DEL, bidi overrides, U+2028…) as `\uXXXX` escapes: they can
/// only be inside strings, where the escape means the same, and a terminal
/// showing the JSON cannot act on them. Line breaks between values stay.
pub(crate) fn json(text: &str) -> Cow<'_, str> {
    let hide = |c: char| c != '\n' && is_hidden(c);
    let Some(first) = text.find(hide) else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len() + 16);
    out.push_str(&text[..first]);
    for c in text[first..].chars() {
        if hide(c) {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                let _ = write!(out, "\\u{u:04x}");
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_characters_are_escaped_like_debug_strings() {
        assert_eq!(visible("plain é 😀"), "plain é 😀");
        assert!(matches!(visible("plain"), Cow::Borrowed(_)));
        assert_eq!(visible("a\u{1b}[31mb"), "a\\u{1b}[31mb");
        assert_eq!(visible("x\ny\tz\r"), "x\\ny\\tz\\r");
        assert_eq!(visible_lines("x\ny\tz\r"), "x\ny\tz\\r");
        assert_eq!(
            visible("\u{92}\u{85}\u{202e}\u{2066}\u{200f}\u{2028}\u{feff}\u{7f}\u{0}"),
            "\\u{92}\\u{85}\\u{202e}\\u{2066}\\u{200f}\\u{2028}\\u{feff}\\u{7f}\\u{0}"
        );
        let j = serde_json::to_string(&"a\u{9b}\u{202e}\u{1b}").unwrap();
        let shown = json(&j);
        assert_eq!(shown, r#""a\u009b\u202e\u001b""#);
        assert_eq!(
            serde_json::from_str::<String>(&shown).unwrap(),
            "a\u{9b}\u{202e}\u{1b}"
        );
        // What Rust's Debug escapes of these, we escape the same way.
        for c in ['\u{1b}', '\u{7}', '\u{9b}', '\u{202e}', '\u{2069}'] {
            let debug = format!("{:?}", c.to_string());
            assert_eq!(format!("\"{}\"", visible(&c.to_string())), debug);
        }
    }
}
