//! Deterministic text encoders shared by targets: pretty JSON with sorted keys,
//! YAML scalars and RFC 4180 CSV.
//!
//! Targets build their output with these instead of relying on a serializer's map
//! order or quoting rules, so the bytes never depend on crate features (such as
//! `serde_json/preserve_order`) or library versions.

use serde_json::Value;
use std::borrow::Cow;

/// Pretty JSON (two-space indent, keys sorted at every level) and a final newline.
pub(crate) fn json_pretty(v: &Value) -> String {
    let mut out = String::new();
    write_json(&mut out, v, 0);
    out.push('\n');
    out
}

pub(crate) fn indent(out: &mut String, level: usize) {
    const SPACES: &str = "                                                                ";
    let mut n = 2 * level;
    while n > 0 {
        let k = n.min(SPACES.len());
        out.push_str(&SPACES[..k]);
        n -= k;
    }
}

/// Pretty JSON written straight into a string, in the layout of [`json_pretty`],
/// without building a [`Value`] first. The caller writes object keys in sorted
/// order (as [`json_pretty`] would print them).
///
/// ```text
/// json_object(&mut out, 0, |o| {
///     o.str("a", "x");
///     o.array("b", |a| a.item_raw("1"));
/// });  // {"a": "x", "b": [1]} over five lines
/// ```
pub(crate) struct JsonWriter<'o> {
    out: &'o mut String,
    /// The level of the object or array being written.
    level: usize,
    empty: bool,
}

/// Writes an object at an indentation level (the caller wrote what comes before
/// it on its line); `body` writes its entries.
pub(crate) fn json_object(out: &mut String, level: usize, body: impl FnOnce(&mut JsonWriter)) {
    json_nested(out, level, ['{', '}'], body);
}

fn json_nested(
    out: &mut String,
    level: usize,
    [open, close]: [char; 2],
    body: impl FnOnce(&mut JsonWriter),
) {
    out.push(open);
    let mut w = JsonWriter {
        out,
        level,
        empty: true,
    };
    body(&mut w);
    if !w.empty {
        w.out.push('\n');
        indent(w.out, level);
    }
    w.out.push(close);
}

impl JsonWriter<'_> {
    /// Starts the next entry: its key in an object, none in an array.
    fn entry(&mut self, key: Option<&str>) {
        self.out.push_str(if self.empty { "\n" } else { ",\n" });
        self.empty = false;
        indent(self.out, self.level + 1);
        if let Some(k) = key {
            json_string(self.out, k);
            self.out.push_str(": ");
        }
    }

    fn nested(
        &mut self,
        key: Option<&str>,
        brackets: [char; 2],
        body: impl FnOnce(&mut JsonWriter),
    ) {
        self.entry(key);
        json_nested(self.out, self.level + 1, brackets, body);
    }

    /// `"key": "value"`.
    pub(crate) fn str(&mut self, key: &str, value: &str) {
        self.entry(Some(key));
        json_string(self.out, value);
    }

    /// `"key": value`, the value as given (a number, `true`, `null`…).
    pub(crate) fn raw(&mut self, key: &str, value: impl std::fmt::Display) {
        use std::fmt::Write;
        self.entry(Some(key));
        let _ = write!(self.out, "{value}");
    }

    /// `"key": {…}`.
    pub(crate) fn object(&mut self, key: &str, body: impl FnOnce(&mut JsonWriter)) {
        self.nested(Some(key), ['{', '}'], body);
    }

    /// `"key": […]`.
    pub(crate) fn array(&mut self, key: &str, body: impl FnOnce(&mut JsonWriter)) {
        self.nested(Some(key), ['[', ']'], body);
    }

    /// An array item: `"value"`.
    pub(crate) fn item_str(&mut self, value: &str) {
        self.entry(None);
        json_string(self.out, value);
    }

    /// An array item as given (`null`, a number…).
    pub(crate) fn item_raw(&mut self, value: &str) {
        self.entry(None);
        self.out.push_str(value);
    }

    /// An array item: `{…}`.
    pub(crate) fn item_object(&mut self, body: impl FnOnce(&mut JsonWriter)) {
        self.nested(None, ['{', '}'], body);
    }

    /// An entry (`key` in an object, none in an array) holding a JSON value.
    fn value(&mut self, key: Option<&str>, v: &Value) {
        self.entry(key);
        write_json(self.out, v, self.level + 1);
    }
}

fn write_json(out: &mut String, v: &Value, level: usize) {
    match v {
        Value::Array(items) => json_nested(out, level, ['[', ']'], |w| {
            for item in items {
                w.value(None, item);
            }
        }),
        // Already sorted unless serde_json keeps insertion order.
        Value::Object(map) if map.keys().is_sorted() => json_object(out, level, |w| {
            for (k, v) in map {
                w.value(Some(k), v);
            }
        }),
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            json_object(out, level, |w| {
                for (k, v) in entries {
                    w.value(Some(k), v);
                }
            });
        }
        Value::String(s) => json_string(out, s),
        other => {
            use std::fmt::Write;
            let _ = write!(out, "{other}");
        }
    }
}

/// A JSON string literal (also a valid YAML double-quoted scalar).
///
/// Runs of characters that need no escape are copied whole: in generated
/// artifacts that is nearly every string.
pub(crate) fn json_string(out: &mut String, s: &str) {
    push_quoted(out, s, must_escape);
}

/// Whether the character whose first byte is `bytes[i]` is escaped in a
/// double-quoted string: `"`, `\`, and every character a YAML reader rejects
/// or reads as a line break: C0 controls, DEL, C1 controls (U+0080–U+009F,
/// NEL among them: a cp1252 `’` mis-decoded is U+0092), U+2028 and U+2029
/// (YAML 1.1 line breaks), U+FEFF (a byte order mark) and the noncharacters
/// U+FFFE and U+FFFF, which YAML 1.2 excludes from its printable set. JSON
/// readers accept the escapes too, so JSON and YAML share this set.
///
/// It holds only for the first byte of a character (continuation bytes are
/// 0x80–0xBF and never match a first byte tested here).
pub(crate) fn must_escape(bytes: &[u8], i: usize) -> bool {
    let b = bytes[i];
    let next = |k: usize| bytes.get(i + k).copied();
    match b {
        0x00..=0x1f | b'"' | b'\\' | 0x7f => true,
        // C1: C2 80–9F in UTF-8.
        0xc2 => matches!(next(1), Some(0x80..=0x9f)),
        // U+2028, U+2029: E2 80 A8/A9.
        0xe2 => next(1) == Some(0x80) && matches!(next(2), Some(0xa8 | 0xa9)),
        // U+FEFF: EF BB BF; U+FFFE, U+FFFF: EF BF BE/BF.
        0xef => matches!(
            (next(1), next(2)),
            (Some(0xbb), Some(0xbf)) | (Some(0xbf), Some(0xbe | 0xbf))
        ),
        _ => false,
    }
}

/// The characters [`must_escape`] escapes, one `char` at a time (the reference
/// its tests compare with).
#[cfg(test)]
pub(crate) fn must_escape_char(c: char) -> bool {
    matches!(
        c,
        '"' | '\\' | '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
    ) || c.is_control()
}

/// `s` double-quoted, with the characters for which `escape(bytes, i)` holds
/// (`i`: the index of their first byte; it must hold for no byte that is not
/// the first of a character) escaped as JSON does: `\"`, `\\`, `\n`, `\r`, `\t`,
/// else `\uXXXX`. Runs of other characters are copied whole.
pub(crate) fn push_quoted(out: &mut String, s: &str, escape: impl Fn(&[u8], usize) -> bool) {
    out.push('"');
    let bytes = s.as_bytes();
    let (mut start, mut i) = (0, 0);
    while i < bytes.len() {
        if !escape(bytes, i) {
            i += 1;
            continue;
        }
        out.push_str(&s[start..i]);
        let c = s[i..].chars().next().unwrap_or_default();
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => {
                use std::fmt::Write;
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
        }
        i += c.len_utf8();
        start = i;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// `s` quoted the obvious way, a character at a time, escaping those for which
/// `escape` holds as [`push_quoted`] does: the reference its tests compare with.
#[cfg(test)]
pub(crate) fn quoted_one_char_at_a_time(s: &str, escape: impl Fn(char) -> bool) -> String {
    let mut out = String::from('"');
    for c in s.chars() {
        match c {
            c if !escape(c) => out.push(c),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push_str(&format!("\\u{:04x}", c as u32)),
        }
    }
    out.push('"');
    out
}

/// A YAML scalar for a string: plain when that cannot be misread (as a number,
/// boolean, null, date, anchor, comment…), else double-quoted with JSON escapes,
/// which YAML 1.1 and 1.2 parsers read the same way.
pub(crate) fn yaml_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    push_yaml_str(&mut out, s);
    out
}

/// [`yaml_str`], appended to `out`.
pub(crate) fn push_yaml_str(out: &mut String, s: &str) {
    if yaml_plain_ok(s) {
        out.push_str(s);
    } else {
        json_string(out, s);
    }
}

/// A mapping key and its `:`, written by `scalar`. YAML readers accept implicit
/// keys of at most 1024 characters (YAML 1.2, 7.4.2; PyYAML and libyaml fail
/// past it), so a longer key is written explicitly: `? key`, then the `:` on
/// the next line at the key's column (spaces).
pub(crate) fn push_yaml_key(
    out: &mut String,
    key: &str,
    column: usize,
    scalar: fn(&mut String, &str),
) {
    let start = out.len();
    scalar(out, key);
    // Bytes bound characters from above: count only when it could matter.
    if out.len() - start > 1000 && out[start..].chars().count() > 1000 {
        out.insert_str(start, "? ");
        out.push('\n');
        for _ in 0..column {
            out.push(' ');
        }
    }
    out.push(':');
}

fn yaml_plain_ok(s: &str) -> bool {
    const WORDS: &[&str] = &[
        "y", "n", "yes", "no", "true", "false", "on", "off", "null", "nan", "inf",
    ];
    let b = s.as_bytes();
    let Some(&first) = b.first() else {
        return false;
    };
    if !(first.is_ascii_alphabetic() || first == b'_') || b.last() == Some(&b' ') {
        return false;
    }
    // Only these ASCII characters, and no two spaces in a row.
    let mut space = false;
    for &c in b {
        if c == b' ' {
            if space {
                return false;
            }
            space = true;
            continue;
        }
        space = false;
        if !(c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b'/' | b'@')) {
            return false;
        }
    }
    s.len() > 5 || !WORDS.iter().any(|w| w.eq_ignore_ascii_case(s))
}

/// One CSV record (RFC 4180): fields separated by commas, quoted when they hold a
/// comma, quote, CR or LF (quotes doubled), a semicolon or a tab (the separators
/// a spreadsheet may pick instead of the comma), or start or end with a space;
/// the line ends with CRLF as the RFC says.
///
/// A field a spreadsheet would run as a formula ([`csv_needs_guard`]) is written
/// with a `'` in front, as OWASP recommends against CSV injection: Excel,
/// LibreOffice and Google Sheets then show it as text (the `'` hidden), and
/// `eventsc import csv` removes it again ([`csv_unguard`]).
pub(crate) fn csv_record(out: &mut String, fields: &[&str]) {
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let guard = csv_needs_guard(f);
        let quote = guard
            || f.bytes()
                .any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n' | b';' | b'\t'))
            || f.starts_with(' ')
            || f.ends_with(' ');
        if quote {
            out.push('"');
            if guard {
                out.push('\'');
            }
            push_doubling_quotes(out, f);
            out.push('"');
        } else {
            out.push_str(f);
        }
    }
    out.push_str("\r\n");
}

fn push_doubling_quotes(out: &mut String, f: &str) {
    let mut rest = f;
    while let Some(i) = rest.find('"') {
        out.push_str(&rest[..=i]);
        out.push('"');
        rest = &rest[i + 1..];
    }
    out.push_str(rest);
}

/// The characters that make a spreadsheet read a cell starting with them as a
/// formula (OWASP, "CSV Injection"): `=`, `+`, `-`, `@`, tab, CR, LF, and the
/// full-width `＝`, `＋`, `－`, `＠` that spreadsheets fold to ASCII.
pub(crate) const CSV_FORMULA_STARTS: &[char] = &[
    '=', '+', '-', '@', '\t', '\r', '\n', '\u{ff1d}', '\u{ff0b}', '\u{ff0d}', '\u{ff20}',
];

/// Whether a cell is written with a leading `'`: after any leading spaces and
/// `'`s it starts like a formula. Counting the `'`s makes the guard reversible:
/// a text that itself starts with `'=` gets a second quote, and
/// [`csv_unguard`] removes exactly one.
pub(crate) fn csv_needs_guard(field: &str) -> bool {
    field
        .trim_start_matches([' ', '\''])
        .starts_with(CSV_FORMULA_STARTS)
}

/// A regular expression for a CSV cell (Segment's Permitted Values) that starts
/// like a formula: its first character `c` becomes the class `[c]`, which
/// matches the same strings, so the cell needs no `'` (which Segment would read
/// as part of the expression). [`csv_unguard_regex`] undoes it.
pub(crate) fn csv_guard_regex(re: &mut String) {
    if let Some(c) = re.chars().next().filter(|c| CSV_FORMULA_STARTS.contains(c)) {
        re.insert(c.len_utf8(), ']');
        re.insert(0, '[');
    }
}

/// A Permitted Values cell without the class [`csv_guard_regex`] put around its
/// first character: the character as `regex::escape` writes it.
pub(crate) fn csv_unguard_regex(re: &str) -> std::borrow::Cow<'_, str> {
    let mut chars = re.chars();
    if let (Some('['), Some(c), Some(']')) = (chars.next(), chars.next(), chars.next())
        && CSV_FORMULA_STARTS.contains(&c)
    {
        let mut out = regex_syntax::escape(&c.to_string());
        out.push_str(chars.as_str());
        return out.into();
    }
    re.into()
}

/// A cell as [`csv_record`] wrote it, without the `'` it put in front.
pub(crate) fn csv_unguard(field: &str) -> &str {
    match field.strip_prefix('\'') {
        Some(rest) if csv_needs_guard(field) => rest,
        _ => field,
    }
}

/// A YAML node, emitted in block style with two-space indents and entries in the
/// order given (callers decide the order; nothing is sorted here).
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Yaml {
    Str(Cow<'static, str>),
    Bool(bool),
    List(Vec<Yaml>),
    Map(Vec<(Cow<'static, str>, Yaml)>),
}

/// A map entry of a [`Yaml::Map`].
pub(crate) type Entry = (Cow<'static, str>, Yaml);

impl Yaml {
    /// A string scalar (borrowed when static, so repeated keys cost nothing).
    pub(crate) fn str(s: impl Into<Cow<'static, str>>) -> Yaml {
        Yaml::Str(s.into())
    }

    /// A YAML document (no `---`), ending with a newline (the dbt target
    /// writes its lists through [`emit_list`]; the tests read whole documents).
    #[cfg(test)]
    fn document(&self) -> String {
        let mut out = String::new();
        match self {
            Yaml::Map(entries) if !entries.is_empty() => emit_map(&mut out, entries, 0, false),
            Yaml::List(items) if !items.is_empty() => emit_list(&mut out, items, 0),
            other => {
                emit_inline(&mut out, other);
                out.push('\n');
            }
        }
        out
    }
}

/// Whether a node is written on its key's (or dash's) line: a scalar or an
/// empty collection.
fn is_inline(y: &Yaml) -> bool {
    match y {
        Yaml::List(items) => items.is_empty(),
        Yaml::Map(entries) => entries.is_empty(),
        _ => true,
    }
}

/// A scalar or an empty collection on the current line.
fn emit_inline(out: &mut String, y: &Yaml) -> bool {
    match y {
        Yaml::Str(s) => push_yaml_str(out, s),
        Yaml::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Yaml::List(items) if items.is_empty() => out.push_str("[]"),
        Yaml::Map(entries) if entries.is_empty() => out.push_str("{}"),
        _ => return false,
    }
    true
}

fn emit_map(
    out: &mut String,
    entries: &[(Cow<'static, str>, Yaml)],
    level: usize,
    first_inline: bool,
) {
    for (i, (k, v)) in entries.iter().enumerate() {
        if !(first_inline && i == 0) {
            indent(out, level);
        }
        push_yaml_key(out, k, 2 * level, push_yaml_str);
        if is_inline(v) {
            out.push(' ');
            emit_inline(out, v);
            out.push('\n');
            continue;
        }
        out.push('\n');
        match v {
            Yaml::Map(m) => emit_map(out, m, level + 1, false),
            Yaml::List(l) => emit_list(out, l, level + 1),
            _ => {}
        }
    }
}

/// Writes block-list items at an indentation level (for streaming a large document).
pub(crate) fn emit_list(out: &mut String, items: &[Yaml], level: usize) {
    for item in items {
        indent(out, level);
        out.push('-');
        if is_inline(item) {
            out.push(' ');
            emit_inline(out, item);
            out.push('\n');
            continue;
        }
        match item {
            Yaml::Map(m) => {
                out.push(' ');
                emit_map(out, m, level + 1, true)
            }
            Yaml::List(l) => {
                out.push('\n');
                emit_list(out, l, level + 1);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_keys_are_sorted_and_indented() {
        let v = json!({"b": [1, {"z": null, "a": "x\"y"}], "a": {}, "c": []});
        assert_eq!(
            json_pretty(&v),
            "{\n  \"a\": {},\n  \"b\": [\n    1,\n    {\n      \"a\": \"x\\\"y\",\n      \"z\": null\n    }\n  ],\n  \"c\": []\n}\n"
        );
    }

    #[test]
    fn json_strings_round_trip() {
        for s in [
            "plain",
            "tab\there",
            "new\nline",
            "quote\"back\\",
            "\u{1}\u{7f}",
            "é ☃ 😀",
            "\u{2028}",
            "a\u{2029}b\u{2027}\u{202a}\u{e2}",
            "",
            "\"",
            "ends with a tab\t",
            "it\u{92}s \u{85}\u{80}\u{9f}\u{a0}",
            "\u{feff}\u{fffe}\u{ffff}\u{fffd}\u{efbf}",
        ] {
            let mut out = String::new();
            json_string(&mut out, s);
            let back: String = serde_json::from_str(&out).unwrap();
            assert_eq!(back, s);
            let expected = quoted_one_char_at_a_time(s, must_escape_char);
            assert_eq!(out, expected, "{s:?}");
        }
    }

    #[test]
    fn yaml_scalars_read_back_as_the_same_string() {
        for s in [
            "segment",
            "trial_started",
            "yes",
            "No",
            "null",
            "~",
            "",
            "1.0",
            "2026-01-01",
            "@growth",
            "a: b",
            "- x",
            "#c",
            "x #c",
            "Workspace that performed the action",
            " lead",
            "it's",
            "\"q\"",
            "multi\nline",
            "é",
            "true",
            "on",
            "*x",
            "&x",
            "!x",
            "%x",
            "{a}",
            "[a]",
        ] {
            let y = format!("k: {}\n", yaml_str(s));
            let v: std::collections::BTreeMap<String, String> =
                yaml_serde::from_str(&y).unwrap_or_else(|e| panic!("{y:?}: {e}"));
            assert_eq!(v["k"], s, "{y}");
        }
    }

    #[test]
    fn yaml_documents_parse_back() {
        let y = Yaml::Map(vec![
            ("empty".into(), Yaml::Map(vec![])),
            ("none".into(), Yaml::List(vec![])),
            (
                "sources".into(),
                Yaml::List(vec![Yaml::Map(vec![
                    ("name".into(), Yaml::str("segment")),
                    ("flag".into(), Yaml::Bool(true)),
                    (
                        "tests".into(),
                        Yaml::List(vec![
                            Yaml::str("unique"),
                            Yaml::Map(vec![(
                                "accepted_values".into(),
                                Yaml::Map(vec![(
                                    "values".into(),
                                    Yaml::List(vec![Yaml::str("yes"), Yaml::str("a: b")]),
                                )]),
                            )]),
                            Yaml::List(vec![Yaml::str("x")]),
                        ]),
                    ),
                ])]),
            ),
        ]);
        let text = y.document();
        assert_eq!(
            text,
            "empty: {}\nnone: []\nsources:\n  - name: segment\n    flag: true\n    tests:\n      - unique\n      - accepted_values:\n          values:\n            - \"yes\"\n            - \"a: b\"\n      -\n        - x\n"
        );
        let v: serde_json::Value = yaml_serde::from_str(&text).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"empty": {}, "none": [], "sources": [{"name": "segment", "flag": true,
                "tests": ["unique", {"accepted_values": {"values": ["yes", "a: b"]}}, ["x"]]}]})
        );
    }

    #[test]
    fn csv_quotes_only_what_needs_it() {
        let mut out = String::new();
        csv_record(
            &mut out,
            &["a", "b,c", "say \"hi\"", "two\nlines", " pad", ""],
        );
        assert_eq!(
            out,
            "a,\"b,c\",\"say \"\"hi\"\"\",\"two\nlines\",\" pad\",\r\n"
        );
    }

    #[test]
    fn csv_formulas_are_guarded_and_the_guard_comes_off_again() {
        for (field, cell) in [
            ("=1+1", "\"'=1+1\""),
            ("+cmd|' /C calc'!A0", "\"'+cmd|' /C calc'!A0\""),
            ("-2", "\"'-2\""),
            ("@SUM(A1)", "\"'@SUM(A1)\""),
            ("\tx", "\"'\tx\""),
            ("\rx", "\"'\rx\""),
            ("\u{ff1d}1", "\"'\u{ff1d}1\""),
            ("  =x", "\"'  =x\""),
            ("'=x", "\"''=x\""),
            ("'plain", "'plain"),
            ("a=b", "a=b"),
            ("a;b", "\"a;b\""),
            ("=\"q\"", "\"'=\"\"q\"\"\""),
        ] {
            let mut out = String::new();
            csv_record(&mut out, &[field]);
            assert_eq!(out, format!("{cell}\r\n"), "{field:?}");
            let back = cell
                .strip_prefix('"')
                .and_then(|c| c.strip_suffix('"'))
                .map_or(cell.to_string(), |c| c.replace("\"\"", "\""));
            assert_eq!(csv_unguard(&back), field, "{cell:?}");
        }
    }
}
