//! Markdown building blocks for the document targets (`spec`, `qa`): escaping of
//! user text for paragraphs and table cells, code spans, tables, anchors, and
//! the labels both documents use for owners, consents, retentions and types.
//!
//! Everything the plan's authors wrote goes through [`text`] or [`code`] so a
//! `|`, `*` or newline in a description cannot break a table or the layout.

use crate::ir::{Identity, Literal, Plan, Property, Ref, Type};
use std::fmt::Write;

/// User text, escaped for GitHub-flavoured Markdown (paragraphs and table cells):
/// punctuation that would format is backslash-escaped (`<` and `&` included, so
/// no HTML tag or entity is read; `[`, `]` and `!`, so no link or image; `$`,
/// GitHub's math; a `#`, `-`, `+`, `=` or `1.` that would start a heading, list
/// item or underline), CR is dropped and LF becomes `<br>` (a table row or list
/// item stays one line).
pub(crate) fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    push_text(&mut out, s);
    out
}

/// Appends [`text`]`(s)`.
pub(crate) fn push_text(out: &mut String, s: &str) {
    push_escaped(out, s, true);
}

/// `s` escaped as [`text`] does, for a place that cannot start a block (after
/// other text on its line, or in a table cell, whose content is inline): a
/// leading `-`, `#` or `1.` needs no escape there.
pub(crate) fn inline(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    push_inline(&mut out, s);
    out
}

/// Appends [`inline`]`(s)`.
pub(crate) fn push_inline(out: &mut String, s: &str) {
    push_escaped(out, s, false);
}

fn push_escaped(out: &mut String, s: &str, line_start: bool) {
    // Fast path: nothing to escape.
    if s.bytes().all(|b| {
        b.is_ascii_alphanumeric()
            || matches!(
                b,
                b' ' | b',' | b'.' | b':' | b'/' | b'(' | b')' | b'\'' | b'"' | b'?' | b'@'
            )
    }) && !(line_start && s.starts_with(|c: char| c.is_ascii_digit()))
    {
        out.push_str(s);
        return;
    }
    // A paragraph starting like a list item or a setext underline.
    let digits = s.chars().take_while(char::is_ascii_digit).count();
    let lead = s.chars().nth(digits);
    let block_marker = match lead {
        _ if !line_start => None,
        Some('-' | '+' | '=') if digits == 0 => Some(0),
        Some('.' | ')') if digits > 0 => Some(digits),
        _ => None,
    };
    // Only spaces so far: a `#` here would start a heading.
    let mut at_start = line_start;
    for (i, c) in s.chars().enumerate() {
        if block_marker == Some(i) {
            out.push('\\');
        }
        let heading = at_start && c == '#';
        at_start &= c == ' ';
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '!' | '&' | '$' => {
                out.push('\\');
                out.push(c);
            }
            '#' if heading => {
                out.push('\\');
                out.push(c);
            }
            '\r' => {}
            '\n' => out.push_str("<br>"),
            '\t' => out.push('\t'),
            // Shown as `\u{1b}`: the backslash escaped.
            c if crate::visible::is_hidden(c) => {
                out.push('\\');
                crate::visible::push_escape(out, c);
            }
            c => out.push(c),
        }
    }
}

/// A code span for a table cell: fenced with enough backticks, `|` escaped (GFM
/// removes the backslash before the code span is read), newlines as spaces.
pub(crate) fn code(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    push_code(&mut out, s);
    out
}

/// Appends [`code`]`(s)`.
pub(crate) fn push_code(out: &mut String, s: &str) {
    push_code_span(out, s, true);
}

/// A code span outside a table (a paragraph, a list item, a heading): as
/// [`code`], but `|` as it is (a backslash there would be shown).
pub(crate) fn code_span(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    push_code_span(&mut out, s, false);
    out
}

fn push_code_span(out: &mut String, s: &str, in_table: bool) {
    let plain = |c: char| !matches!(c, '`' | '|' | '\n' | '\r') && !crate::visible::is_hidden(c);
    if !s.is_empty() && s.chars().all(plain) {
        out.push('`');
        out.push_str(s);
        out.push('`');
        return;
    }
    let mut body = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' | '\r' => body.push(' '),
            '|' if in_table => body.push_str("\\|"),
            '\t' => body.push('\t'),
            c if crate::visible::is_hidden(c) => crate::visible::push_escape(&mut body, c),
            c => body.push(c),
        }
    }
    let longest = longest_run(&body, '`');
    let fence = "`".repeat(longest + 1);
    let pad = if body.starts_with('`') || body.ends_with('`') || body.trim().is_empty() {
        " "
    } else {
        ""
    };
    let _ = write!(out, "{fence}{pad}{body}{pad}{fence}");
}

/// Text that marks code the Markdown way, `` `like this` ``, with parts that
/// came from a plan or a payload (a validation message, a diff's change):
/// outside double-quoted strings (values are quoted as `{:?}` quotes them), a
/// backtick that opens a word (at the start, or after anything but a letter or
/// digit) and the next backtick that closes one (at the end, or before anything but a
/// letter, digit or backtick) enclose a code span written by [`code`] (or
/// [`code_span`] outside a table); everything else, other backticks included,
/// is escaped by [`text`]. Whatever the parts hold, nothing but text and code
/// spans comes out.
pub(crate) fn rich(s: &str, in_table: bool) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let bytes = s.as_bytes();
    let (mut i, mut plain, mut quoted) = (0, 0, false);
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quoted => i += 2,
            b'"' => {
                quoted = !quoted;
                i += 1;
            }
            b'`' if !quoted => {
                let opens = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
                let close = s[i + 1..].find('`').map(|k| i + 1 + k).filter(|&c| {
                    c > i + 1
                        && bytes
                            .get(c + 1)
                            .is_none_or(|b| !b.is_ascii_alphanumeric() && *b != b'`')
                });
                match close {
                    Some(c) if opens => {
                        push_inline(&mut out, &s[plain..i]);
                        push_code_span(&mut out, &s[i + 1..c], in_table);
                        i = c + 1;
                        plain = i;
                    }
                    // Escaped by `push_text` with the rest.
                    _ => i += 1,
                }
            }
            _ => i += 1,
        }
    }
    push_inline(&mut out, &s[plain..]);
    out
}

/// The backtick fence for a code block holding `body`: longer than any run of
/// backticks in it (at least three), so the body cannot close it.
pub(crate) fn fence(body: &str) -> String {
    "`".repeat(longest_run(body, '`').max(2) + 1)
}

fn longest_run(s: &str, c: char) -> usize {
    let (mut best, mut cur) = (0, 0);
    for x in s.chars() {
        if x == c {
            cur += 1;
            best = best.max(cur);
        } else {
            cur = 0;
        }
    }
    best
}

/// A link to an anchor in the same document.
pub(crate) fn link(label: &str, anchor: &str) -> String {
    format!("[{}](#{anchor})", text(label))
}

/// An HTML anchor to put before a heading (stable, unlike generated heading ids).
pub(crate) fn anchor(id: &str) -> String {
    format!("<a id=\"{id}\"></a>\n")
}

/// A Markdown table; cells must already be escaped.
pub(crate) fn table(out: &mut String, header: &[&str], rows: &[Vec<String>]) {
    let _ = writeln!(out, "| {} |", header.join(" | "));
    let _ = writeln!(
        out,
        "|{}|",
        header.iter().map(|_| "---").collect::<Vec<_>>().join("|")
    );
    for r in rows {
        out.push_str("| ");
        for (i, c) in r.iter().enumerate() {
            if i > 0 {
                out.push_str(" | ");
            }
            out.push_str(if c.is_empty() { "—" } else { c });
        }
        out.push_str(" |\n");
    }
    out.push('\n');
}

/// A two-column table of labelled facts.
pub(crate) fn facts(out: &mut String, rows: &[(&str, String)]) {
    out.push_str("| | |\n|---|---|\n");
    for (k, v) in rows {
        let v = if v.is_empty() { "—" } else { v.as_str() };
        let _ = writeln!(out, "| {k} | {v} |");
    }
    out.push('\n');
}

/// `Growth (@growth)`, escaped.
pub(crate) fn owner(plan: &Plan, index: usize) -> String {
    let o = &plan.owners[index];
    match &o.name {
        Some(n) => format!("{} (@{})", text(&n.value), text(&o.id.value)),
        None => format!("@{}", text(&o.id.value)),
    }
}

/// The owner a reference points at, escaped; empty when absent.
pub(crate) fn owner_ref(plan: &Plan, r: &Option<Ref>) -> String {
    r.as_ref()
        .and_then(|r| r.target)
        .map_or_else(String::new, |i| owner(plan, i))
}

/// An owner's backup, escaped; empty when none.
pub(crate) fn backup_of(plan: &Plan, index: usize) -> String {
    owner_ref(plan, &plan.owners[index].backup)
}

/// `analytics (legitimate_interest)`, escaped.
pub(crate) fn consent(plan: &Plan, index: usize) -> String {
    let c = &plan.consents[index];
    match &c.basis {
        Some(b) => format!("{} ({})", text(&c.id.value), b.value),
        None => text(&c.id.value),
    }
}

/// `standard (13 months, delete)`, escaped.
pub(crate) fn retention(plan: &Plan, index: usize) -> String {
    let r = &plan.retentions[index];
    let mut parts = Vec::new();
    if let Some(d) = &r.duration {
        parts.push(d.value.to_string());
    }
    if let Some(a) = &r.action {
        parts.push(a.value.to_string());
    }
    if parts.is_empty() {
        text(&r.id.value)
    } else {
        format!("{} ({})", text(&r.id.value), parts.join(", "))
    }
}

/// What a payload must carry for an identity.
pub(crate) fn identity(i: Identity) -> &'static str {
    match i {
        Identity::User => "user: `userId` required",
        Identity::Anonymous => "anonymous: `anonymousId` required",
        Identity::Group => "group: `context.groupId` required",
        Identity::Any => "any: `userId` or `anonymousId`",
    }
}

/// Appends the constraints of a property, `; `-separated (nothing if none).
pub(crate) fn push_constraints(out: &mut String, p: &Property) {
    let m = p.modifiers();
    let simple = m.min.is_none()
        && m.max.is_none()
        && m.min_length.is_none()
        && m.max_length.is_none()
        && m.pattern.is_none()
        && m.format.is_none()
        && m.example.is_none()
        && m.deprecated.is_none()
        && m.multiple_of.is_none()
        && m.not_pattern.is_none()
        && m.not_enum.is_none()
        && m.closed.is_none()
        && !p.is_nullable()
        && !matches!(&p.ty, Type::List(item) if item.mods.is_some() || item.is_nullable())
        && !matches!(base(&p.ty), Type::Enum(_));
    if !simple {
        out.push_str(&constraints(p).join("; "));
    }
}

/// The constraints of a property, as short escaped phrases.
pub(crate) fn constraints(p: &Property) -> Vec<String> {
    let mut out = Vec::new();
    let mods = p.modifiers();
    if let Type::Enum(e) = base(&p.ty) {
        out.push(format!(
            "one of {}",
            e.values
                .iter()
                .map(|v| match v {
                    Literal::Str(s) => code(s),
                    other => code(&other.display()),
                })
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    // The constraints written inside `list( … )`.
    if let Type::List(item) = &p.ty
        && (item.mods.is_some() || item.is_nullable())
    {
        let inner = constraints(item);
        if !inner.is_empty() {
            out.push(format!("each item: {}", inner.join(", ")));
        }
    }
    if p.is_nullable() {
        out.push("nullable".into());
    }
    if let Some(m) = &mods.min {
        out.push(format!(
            "≥ {}",
            crate::ir::values::format_number(m.value.value)
        ));
    }
    if let Some(m) = &mods.max {
        out.push(format!(
            "≤ {}",
            crate::ir::values::format_number(m.value.value)
        ));
    }
    let unit = if matches!(p.ty, Type::List(_)) {
        "items"
    } else {
        "chars"
    };
    match (&mods.min_length, &mods.max_length) {
        (Some(a), Some(b)) if a.value == b.value => out.push(format!("exactly {} {unit}", a.value)),
        (Some(a), Some(b)) => out.push(format!("{}–{} {unit}", a.value, b.value)),
        (Some(a), None) => out.push(format!("≥ {} {unit}", a.value)),
        (None, Some(b)) => out.push(format!("≤ {} {unit}", b.value)),
        (None, None) => {}
    }
    if let Some(pat) = &mods.pattern {
        out.push(format!("pattern {}", code(&pat.value)));
    }
    if let Some(f) = &mods.format {
        out.push(format!("format {}", f.value));
    }
    if let Some(n) = &mods.multiple_of {
        out.push(format!(
            "multiple of {}",
            crate::ir::values::format_number(n.value.value)
        ));
    }
    if let Some(pat) = &mods.not_pattern {
        out.push(format!("not matching {}", code(&pat.value)));
    }
    if let Some(vs) = &mods.not_enum {
        out.push(format!(
            "not {}",
            vs.value
                .iter()
                .map(|v| match v {
                    Literal::Str(s) => code(s),
                    other => code(&other.display()),
                })
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if mods.closed.is_some() {
        out.push("closed (no other keys)".into());
    }
    if let Some(ex) = &mods.example {
        out.push(format!("example {}", code(&ex.value.to_string())));
    }
    if mods.deprecated.is_some() {
        out.push("**deprecated**".into());
    }
    out
}

fn base(t: &Type) -> &Type {
    match t {
        // The items' enum is listed with their constraints.
        Type::List(inner) if inner.mods.is_none() && !inner.is_nullable() => base(&inner.ty),
        t => t,
    }
}

/// Every property with its dotted path (`utm.source`, `items[].sku`), depth first.
pub(crate) fn flatten(props: &[Property]) -> Vec<(String, &Property)> {
    fn go<'a>(props: &'a [Property], prefix: &str, out: &mut Vec<(String, &'a Property)>) {
        for p in props {
            let mut path = String::with_capacity(prefix.len() + p.name.value.len());
            path.push_str(prefix);
            path.push_str(&p.name.value);
            let (mut ty, mut lists) = (&p.ty, 0);
            while let Type::List(item) = ty {
                ty = &item.ty;
                lists += 1;
            }
            let Type::Object(children) = ty else {
                out.push((path, p));
                continue;
            };
            // The members' prefix: `[]` per list level, then `.`.
            let mut inner = path.clone();
            inner.push_str(&"[]".repeat(lists));
            inner.push('.');
            out.push((path, p));
            go(children, &inner, out);
        }
    }
    let mut out = Vec::new();
    go(props, "", &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(text("a | b\nc *d*"), "a \\| b<br>c \\*d\\*");
        assert_eq!(text("<script>"), "\\<script\\>");
        assert_eq!(text("- a"), "\\- a");
        assert_eq!(text("12. b"), "12\\. b");
        assert_eq!(text("a-b 1.5"), "a-b 1.5");
        assert_eq!(code("a|b"), "`a\\|b`");
        assert_eq!(code("x`y"), "``x`y``");
        assert_eq!(code("`x"), "`` `x ``");
        assert_eq!(code_span("a|b"), "`a|b`");
        assert_eq!(code(""), "`  `");
        assert_eq!(text("$x$"), "\\$x\\$");
        assert_eq!(
            rich("expected `a|b`, found <i>`", true),
            "expected `a\\|b`, found \\<i\\>\\`"
        );
        assert_eq!(rich("x ``` y", false), "x \\`\\`\\` y");
        assert_eq!(
            rich("found \"a ```\" and `k`, (`v`)", false),
            "found \"a \\`\\`\\`\" and `k`, (`v`)"
        );
        assert_eq!(rich("it`s `x`y `z", false), "it\\`s \\`x\\`y \\`z");
        assert_eq!(
            rich(r#"added: "a `x` \"`y`\"" and `z`"#, false),
            r#"added: "a \`x\` \\"\`y\`\\"" and `z`"#
        );
        assert_eq!(text("a\u{1b}[2J\tb"), "a\\\\u{1b}\\[2J\tb");
        assert_eq!(code("a\u{1b}b\u{202e}"), "`a\\u{1b}b\\u{202e}`");
        assert_eq!(fence("a ```` b"), "`````");
        assert_eq!(fence("a"), "```");
    }
}
