//! `pattern("…")` regular expressions, read the way JSON Schema validators read
//! them: ECMA-262 with the `u` flag (ajv's default), translated to the `regex`
//! crate's syntax so that payload checks agree with ajv.
//!
//! What the translation changes (ECMA-262 `u` → Rust `regex`):
//! - `\d` `\w` `\b` are ASCII in ECMA-262 and Unicode in Rust: `\d` → `[0-9]`,
//!   `\w` → `[0-9A-Za-z_]`, `\b` → `(?-u:\b)` (and their negations).
//! - `\s` is a fixed list in ECMA-262 (it has U+FEFF, not U+0085): spelled out.
//! - `.` does not match `\r`, U+2028 and U+2029 in ECMA-262 (Rust: only `\n`).
//! - Inside `[…]`, ECMA-262 reads `[`, `&&`, `--` and `~~` literally, Rust as
//!   nested classes and set operations: escaped. `[\b]` is a backspace.
//!
//! Differences that remain (patterns that `check` accepts with a meaning that
//! differs, all unusual in tracking plans): inline flags such as `(?i)` and the
//! escapes `\A` `\z` `\Q…\E` `\pN` (no braces) are Rust-only (ajv rejects the
//! schema); `[]` and `[^]` are ECMA-only (Rust rejects them, so `check` does);
//! Unicode property names accepted by one engine and not the other; `\p{…}`
//! tables follow each engine's Unicode version.

const WS: &str = r"\t\n\x0B\x0C\r \x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}\x{FEFF}";
const WORD: &str = "0-9A-Za-z_";

/// Translates an ECMA-262 (`u` flag) pattern into `regex` syntax.
pub(crate) fn ecma_to_rust(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut chars = pattern.chars().peekable();
    let mut in_class = false;
    // Inside a class: whether the next char is the first (after `[` or `[^`).
    let mut class_start = false;
    let mut prev_class_char: Option<char> = None;
    while let Some(c) = chars.next() {
        if in_class {
            let first = class_start;
            class_start = false;
            match c {
                '\\' => {
                    let Some(e) = chars.next() else {
                        out.push('\\');
                        break;
                    };
                    match e {
                        'd' => out.push_str("0-9"),
                        'w' => out.push_str(WORD),
                        's' => out.push_str(WS),
                        'D' => out.push_str("[^0-9]"),
                        'W' => {
                            out.push_str("[^");
                            out.push_str(WORD);
                            out.push(']');
                        }
                        'S' => {
                            out.push_str("[^");
                            out.push_str(WS);
                            out.push(']');
                        }
                        'b' => out.push_str(r"\x08"),
                        _ => {
                            out.push('\\');
                            out.push(e);
                        }
                    }
                    prev_class_char = Some(e);
                    continue;
                }
                ']' if !first => {
                    in_class = false;
                    out.push(']');
                }
                '^' if first && prev_class_char.is_none() => {
                    out.push('^');
                    class_start = true;
                    prev_class_char = Some('^');
                    continue;
                }
                '[' | '&' | '~' => {
                    out.push('\\');
                    out.push(c);
                }
                '-' if prev_class_char == Some('-') => out.push_str(r"\-"),
                _ => out.push(c),
            }
            prev_class_char = Some(c);
            continue;
        }
        match c {
            '\\' => {
                let Some(e) = chars.next() else {
                    out.push('\\');
                    break;
                };
                match e {
                    'd' => out.push_str("[0-9]"),
                    'D' => out.push_str("[^0-9]"),
                    'w' => {
                        out.push('[');
                        out.push_str(WORD);
                        out.push(']');
                    }
                    'W' => {
                        out.push_str("[^");
                        out.push_str(WORD);
                        out.push(']');
                    }
                    's' => {
                        out.push('[');
                        out.push_str(WS);
                        out.push(']');
                    }
                    'S' => {
                        out.push_str("[^");
                        out.push_str(WS);
                        out.push(']');
                    }
                    'b' => out.push_str(r"(?-u:\b)"),
                    'B' => out.push_str(r"(?-u:\B)"),
                    _ => {
                        out.push('\\');
                        out.push(e);
                    }
                }
            }
            '.' => out.push_str(r"[^\n\r\x{2028}\x{2029}]"),
            '[' => {
                in_class = true;
                class_start = true;
                prev_class_char = None;
                out.push('[');
            }
            _ => out.push(c),
        }
    }
    out
}

/// Compiles a plan pattern with ECMA-262 meaning; falls back to the pattern as
/// written if the translation does not compile (it always should).
pub fn compile(pattern: &str) -> Result<regex::Regex, regex::Error> {
    regex::Regex::new(&ecma_to_rust(pattern)).or_else(|_| regex::Regex::new(pattern))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, s: &str) -> bool {
        compile(p)
            .unwrap_or_else(|e| panic!("{p}: {e}"))
            .is_match(s)
    }

    #[test]
    fn ascii_classes() {
        assert!(m(r"^\d+$", "123"));
        assert!(
            !m(r"^\d+$", "١٢٣"),
            "Arabic-Indic digits are not \\d in ECMA-262"
        );
        assert!(!m(r"^\w+$", "été"));
        assert!(m(r"^\W$", "é"));
        assert!(m(r"^[\d.]+$", "1.5"));
        assert!(!m(r"^[\d.]+$", "1x5"));
        assert!(m(r"^[^\d]+$", "abc"));
        assert!(m(r"^[\D]+$", "abc"));
        assert!(!m(r"^[\D]+$", "a1"));
        assert!(m(r"\bcat\b", "a cat!"));
        assert!(m(r"\bcaf", "écaf"), "é is not a word character in ECMA-262");
    }

    #[test]
    fn whitespace_and_dot() {
        assert!(m(r"^\s$", "\u{feff}"));
        assert!(!m(r"^\s$", "\u{85}"));
        assert!(!m(r"^.$", "\r"));
        assert!(!m(r"^.$", "\u{2028}"));
        assert!(m(r"^.$", "😀"), "with the u flag, . is one code point");
        assert!(m(r"^[\S]+$", "ab"));
    }

    #[test]
    fn class_literals() {
        assert!(m(r"^[[]+$", "[["));
        assert!(m(r"^[a&&b]+$", "&a"));
        assert!(m(r"^[~~]$", "~"));
        assert!(m(r"^[\b]$", "\u{8}"));
        assert!(m("^[A-Z]{3}$", "EUR"));
        assert!(!m("^[A-Z]{3}$", "eur"));
        assert!(m(r"^[^\]]+$", "abc"));
        assert!(m(r"^[a\-z]+$", "-"));
    }

    #[test]
    fn everything_else_is_unchanged() {
        assert_eq!(ecma_to_rust("^(?:ab|c)+x{2,3}$"), "^(?:ab|c)+x{2,3}$");
        assert_eq!(ecma_to_rust(r"\u{1F600}\/"), r"\u{1F600}\/");
    }
}
