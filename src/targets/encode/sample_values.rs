//! Example values for properties, for the sample payloads: the property's
//! `example(...)` when it has one, else the example of a same-named property
//! that fits (checked like `example(...)` is), else a value derived from its type
//! and constraints (first enum value, a string matching its pattern and format
//! and lengths, a number within its bounds, one list item, every object field).
//!
//! Values follow the same reading of constraints as the checker of `example(...)`
//! (src/ir/lower/properties.rs): on a list, `min_length`/`max_length` count
//! items and the other constraints apply to each item. Deterministic: no
//! randomness, no clock.

use crate::ir::lower::check_value;
use crate::ir::{Format, Plan, Property, Type, walk_properties};
use regex_syntax::hir::{Class, Hir, HirKind};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Fixed values used where a type needs a date or time.
pub struct Clock {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// RFC 3339, e.g. `2026-12-15T12:00:00.000Z`.
    pub timestamp: String,
}

/// The `example(...)` values of the plan by property name, in plan order: a
/// property without an example borrows the first one of a same-named property
/// that fits its own type and constraints (`order_id` looks the same everywhere).
#[derive(Default)]
pub struct Examples<'p> {
    by_name: BTreeMap<&'p str, Vec<&'p Value>>,
}

impl<'p> Examples<'p> {
    pub fn new(plan: &'p Plan) -> Examples<'p> {
        let mut by_name: BTreeMap<&'p str, Vec<&'p Value>> = BTreeMap::new();
        let mut add = |props: &'p [Property]| {
            walk_properties(props, &mut |p, _| {
                if let Some(ex) = &p.modifiers().example {
                    by_name.entry(&*p.name.value).or_default().push(&ex.value);
                }
            });
        };
        for t in plan.traits() {
            add(&t.properties);
        }
        for b in &plan.bundles {
            add(&b.properties);
        }
        for e in &plan.events {
            add(&e.properties);
        }
        Examples { by_name }
    }

    /// The value of a property in a sample payload: its example, else a fitting
    /// example of a same-named property, else one derived from its type.
    pub fn value(&self, p: &Property, clock: &Clock) -> Value {
        if let Some(ex) = &p.modifiers().example {
            return ex.value.clone();
        }
        if !has_object(&p.ty)
            && let Some(ex) = self.by_name.get(&*p.name.value).and_then(|c| {
                c.iter()
                    .find(|v| !v.is_null() && check_value(p, &p.ty, v).is_ok())
            })
        {
            return (*ex).clone();
        }
        match &p.ty {
            Type::Object(children) => Value::Object(self.object(children, clock)),
            Type::List(inner) if has_object(&inner.ty) => {
                let n = count(p);
                Value::Array((0..n).map(|_| self.item(inner, clock)).collect())
            }
            ty => derive(p, ty, clock),
        }
    }

    /// An item of a list that holds objects (the items are a property of
    /// their own: the modifiers inside `list( … )`).
    fn item(&self, p: &Property, clock: &Clock) -> Value {
        match &p.ty {
            Type::Object(children) => Value::Object(self.object(children, clock)),
            Type::List(inner) => {
                Value::Array((0..count(p)).map(|_| self.item(inner, clock)).collect())
            }
            ty => derive(p, ty, clock),
        }
    }

    /// The sample object of a list of properties (every included one).
    pub fn object(&self, props: &[Property], clock: &Clock) -> Map<String, Value> {
        props
            .iter()
            .filter(|p| included(p))
            .map(|p| (p.name.value.to_string(), self.value(p, clock)))
            .collect()
    }
}

fn has_object(t: &Type) -> bool {
    match t {
        Type::Object(_) => true,
        Type::List(inner) => has_object(&inner.ty),
        _ => false,
    }
}

/// Segment's HTTP Tracking API answers 400 Bad Request to an event over 32 KB
/// (its limit per call and per event of a batch). `constraints/unsatisfiable`
/// reports a property whose smallest value is bigger, and no string or list of
/// a sample is built longer (memory stays bounded whatever the plan says).
pub const SEGMENT_MAX_EVENT_BYTES: u64 = 32 * 1024;

/// Items in a sample list: at least one, within the length bounds.
fn count(p: &Property) -> u64 {
    let min = p.modifiers().min_length.as_ref().map_or(0, |m| m.value);
    let mut n = min.max(1);
    if let Some(max) = &p.modifiers().max_length {
        n = n.min(max.value);
    }
    n.min(SEGMENT_MAX_EVENT_BYTES)
}

/// The least bytes of JSON a sample value of a property takes, as samples
/// build them: strings of `min_length` characters, lists of `min_length` items
/// (at least one), objects with every property samples include. Saturating, so
/// any plan gets an answer.
pub fn min_bytes(p: &Property) -> u64 {
    min_bytes_of(p, &p.ty)
}

fn min_bytes_of(p: &Property, ty: &Type) -> u64 {
    let min_length = || p.modifiers().min_length.as_ref().map_or(0, |m| m.value);
    match ty {
        Type::String => 2u64.saturating_add(min_length()),
        // The items are a property of their own (their lengths inside the
        // parentheses).
        Type::List(inner) => {
            let n = min_length().max(1);
            let each = min_bytes_of(inner, &inner.ty).saturating_add(1);
            2u64.saturating_add(n.saturating_mul(each))
        }
        Type::Object(children) => children.iter().filter(|c| included(c)).fold(2, |n, c| {
            // `"name":value,`
            n.saturating_add(c.name.value.len() as u64 + 4)
                .saturating_add(min_bytes(c))
        }),
        _ => 1,
    }
}

/// Whether a sample includes a property: deprecated ones only when required.
pub fn included(p: &Property) -> bool {
    p.modifiers().deprecated.is_none() || p.is_required()
}

/// A value of type `ty` (the property's, or a member of its union) that
/// satisfies the property's constraints.
fn derive(p: &Property, ty: &Type, clock: &Clock) -> Value {
    match ty {
        Type::Any | Type::String => Value::String(string(p)),
        Type::Integer => integer(p),
        Type::Number => number(p),
        Type::Boolean => {
            // `true`, unless `not_enum` rules it out.
            let b = !p
                .modifiers()
                .not_enum
                .as_ref()
                .is_some_and(|n| n.value.contains(&crate::ir::Literal::Bool(true)));
            Value::Bool(b)
        }
        Type::Datetime => Value::String(clock.timestamp.clone()),
        Type::Date => Value::String(clock.date.clone()),
        Type::Enum(e) => {
            let excluded = |v: &crate::ir::Literal| {
                p.modifiers()
                    .not_enum
                    .as_ref()
                    .is_some_and(|n| n.value.contains(v))
            };
            e.values
                .iter()
                .find(|v| !excluded(v))
                .or(e.values.first())
                .map_or(Value::Null, crate::ir::Literal::to_json)
        }
        Type::List(inner) => Value::Array(
            (0..count(p))
                .map(|_| derive(inner, &inner.ty, clock))
                .collect(),
        ),
        // Objects are built by `Examples::value`, which knows the plan.
        Type::Object(_) => Value::Object(Map::new()),
        Type::Union(members) => members.first().map_or(Value::Null, |m| derive(p, m, clock)),
    }
}

/// Whether a derived number is ruled out by `not_enum`.
fn excluded_number(p: &Property, x: f64) -> bool {
    p.modifiers()
        .not_enum
        .as_ref()
        .is_some_and(|n| n.value.iter().any(|v| v.is_number(x)))
}

/// A multiple of the property's `multiple_of` within its bounds and not
/// excluded, when it has one.
fn multiple(p: &Property) -> Option<Value> {
    let step = p.modifiers().multiple_of.as_ref()?.value.value;
    let first = crate::ir::lower::first_multiple(p)?;
    let max = p
        .modifiers()
        .max
        .as_ref()
        .map_or(f64::INFINITY, |m| m.value.value);
    let x = (0..100)
        .map(|k| first + k as f64 * step)
        .take_while(|x| *x <= max)
        .find(|x| !excluded_number(p, *x))
        .unwrap_or(first);
    Some(if !p.ty.has(|t| matches!(t, Type::Number)) {
        Value::from(x as i64)
    } else {
        serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
    })
}

fn integer(p: &Property) -> Value {
    if let Some(v) = multiple(p) {
        return v;
    }
    Value::from(integer_in(p).unwrap_or(1))
}

/// A 64-bit integer within a property's bounds (1 when they allow it, else the
/// bound nearest to it); `None` when no 64-bit integer is within them.
/// Bounds are compared exactly as written (`min(9223372036854775808)` admits
/// no 64-bit integer, although as a double it equals `i64::MAX`), so a sample
/// passes exact readers (Python's) as well as double-based ones (ajv, validate).
pub fn integer_in(p: &Property) -> Option<i64> {
    /// A whole bound: the number itself, else its ceiling (`up`) or floor.
    fn whole(n: &crate::ir::Number, up: bool) -> i128 {
        if let Some(i) = n.json.as_i64() {
            return i128::from(i);
        }
        if let Some(u) = n.json.as_u64() {
            return i128::from(u);
        }
        // `as` saturates: beyond i128 is beyond i64 all the same.
        if up {
            n.value.ceil() as i128
        } else {
            n.value.floor() as i128
        }
    }
    let m = p.modifiers();
    let lo = m
        .min
        .as_ref()
        .map_or(i128::from(i64::MIN), |b| whole(&b.value, true))
        .max(i128::from(i64::MIN));
    let hi = m
        .max
        .as_ref()
        .map_or(i128::from(i64::MAX), |b| whole(&b.value, false))
        .min(i128::from(i64::MAX));
    if lo > hi {
        return None;
    }
    i64::try_from(1i128.clamp(lo, hi)).ok()
}

fn number(p: &Property) -> Value {
    if let Some(v) = multiple(p) {
        return v;
    }
    if let Some(min) = &p.modifiers().min
        && 1.5 < min.value.value
    {
        return Value::Number(min.value.json.clone());
    }
    if let Some(max) = &p.modifiers().max
        && 1.5 > max.value.value
    {
        return Value::Number(max.value.json.clone());
    }
    serde_json::Number::from_f64(1.5).map_or(Value::Null, Value::Number)
}

/// A string satisfying the property's pattern, format and (outside lists)
/// length bounds, when one of the candidates does; else the first candidate
/// (`constraints/unsatisfiable` reports the property then).
fn string(p: &Property) -> String {
    satisfying_string(p).unwrap_or_else(|| candidates(p).swap_remove(0))
}

/// A string satisfying the property's pattern, format and (outside lists)
/// length bounds, if one of the candidates does.
pub fn satisfying_string(p: &Property) -> Option<String> {
    let (min_len, max_len) = lengths(p);
    // Read as `validate` reads it (ECMA-262), so a sample passes `validate`.
    let regex = p
        .modifiers()
        .pattern
        .as_ref()
        .and_then(|pat| crate::validate::pattern::compile(&pat.value).ok());
    let format = p.modifiers().format.as_ref().map(|f| f.value);
    let not_regex = p
        .modifiers()
        .not_pattern
        .as_ref()
        .and_then(|pat| crate::validate::pattern::compile(&pat.value).ok());
    let not_enum = p.modifiers().not_enum.as_ref();
    let ok = |s: &str| {
        let n = s.chars().count();
        min_len.is_none_or(|m| n >= m)
            && max_len.is_none_or(|m| n <= m)
            && regex.as_ref().is_none_or(|r| r.is_match(s))
            && format.is_none_or(|f| f.matches(s))
            && not_regex.as_ref().is_none_or(|r| !r.is_match(s))
            && not_enum.is_none_or(|n| !n.value.iter().any(|v| v.as_str() == Some(s)))
    };
    candidates(p).into_iter().find(|c| ok(c))
}

/// The strings tried for a property: from its pattern, its format's example,
/// its name (padded or cut to its length bounds).
fn candidates(p: &Property) -> Vec<String> {
    let (min_len, max_len) = lengths(p);
    let mut out: Vec<String> = Vec::new();
    if let Some(pat) = &p.modifiers().pattern {
        out.extend(from_pattern(&pat.value, min_len));
    }
    if let Some(f) = p.modifiers().format.as_ref().map(|f| f.value) {
        out.extend(format_examples(f).iter().map(|s| s.to_string()));
    }
    let base = format!("sample {}", p.name.value.replace('_', " "));
    let fitted = fit(&base, min_len, max_len);
    // Other first letters, for `not_pattern` and `not_enum`.
    let others = ['z', '0', '_'].map(|c| fit(&format!("{c}{base}"), min_len, max_len));
    out.push(base);
    out.push(fitted);
    out.extend(others);
    out
}

/// A string's length bounds (a list's items have their own, inside the
/// parentheses).
fn lengths(p: &Property) -> (Option<usize>, Option<usize>) {
    (
        p.modifiers().min_length.as_ref().map(|m| m.value as usize),
        p.modifiers().max_length.as_ref().map(|m| m.value as usize),
    )
}

/// Pads with `x` up to `min` characters (at most 32 KiB) and cuts at `max`.
fn fit(s: &str, min: Option<usize>, max: Option<usize>) -> String {
    let mut out: String = s.chars().take(max.unwrap_or(usize::MAX)).collect();
    let n = out.chars().count();
    if let Some(min) = min.map(|m| m.min(SEGMENT_MAX_EVENT_BYTES as usize))
        && n < min
    {
        out.extend(std::iter::repeat_n('x', min - n));
    }
    out
}

/// Values of each format, a documentation-safe one first (RFC 2606 / 5737 /
/// 3849 names), then others for length bounds and patterns the first misses:
/// the shortest and longest usual forms, upper case.
pub fn format_examples(f: Format) -> &'static [&'static str] {
    match f {
        Format::Email => &["user@example.com", "a@b.co"],
        Format::Uri => &["https://example.com/", "urn:a"],
        Format::Uuid => &[
            "123e4567-e89b-42d3-a456-426614174000",
            "123E4567-E89B-42D3-A456-426614174000",
            "urn:uuid:123e4567-e89b-42d3-a456-426614174000",
        ],
        Format::Date => &["2026-01-01"],
        Format::DateTime => &["2026-01-01T12:00:00.000Z", "2026-01-01T12:00:00Z"],
        Format::Ipv4 => &["192.0.2.1", "0.0.0.0", "198.51.100.255"],
        Format::Ipv6 => &[
            "2001:db8::1",
            "::",
            "0000:0000:0000:0000:0000:ffff:255.255.255.255",
        ],
        Format::Hostname => &["example.com", "a"],
    }
}

/// Strings matching a pattern (read as `validate` reads it, ECMA-262): the
/// shortest one, then ones with more repetitions (for length bounds), none
/// longer than 32 KiB. Empty when the pattern cannot be parsed.
pub fn from_pattern(pattern: &str, min_len: Option<usize>) -> Vec<String> {
    let parse = |p: &str| regex_syntax::Parser::new().parse(p).ok();
    let Some(hir) =
        parse(&crate::validate::pattern::ecma_to_rust(pattern)).or_else(|| parse(pattern))
    else {
        return Vec::new();
    };
    let mut extras = vec![0u32, 1, 2, 4, 8, 16];
    if let Some(m) = min_len {
        extras.push(m.min(SEGMENT_MAX_EVENT_BYTES as usize) as u32);
    }
    let mut out: Vec<String> = Vec::new();
    for extra in extras {
        let mut s = String::new();
        if generate(&hir, extra, &mut s) && !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

/// Appends a string matched by `hir`; repetitions run `extra` times more than
/// their minimum (within their maximum). False when nothing can match (an empty
/// class) or the string grows past 32 KiB.
fn generate(hir: &Hir, extra: u32, out: &mut String) -> bool {
    if out.len() > SEGMENT_MAX_EVENT_BYTES as usize {
        return false;
    }
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => true,
        HirKind::Literal(lit) => {
            out.push_str(&String::from_utf8_lossy(&lit.0));
            true
        }
        HirKind::Class(class) => match pick(class) {
            Some(c) => {
                out.push(c);
                true
            }
            None => false,
        },
        HirKind::Repetition(r) => {
            let want = r.min.saturating_add(extra);
            let n = r.max.map_or(want, |max| want.min(max));
            for _ in 0..n {
                let before = out.len();
                if !generate(&r.sub, extra, out) {
                    return false;
                }
                if out.len() == before {
                    // The same (empty) string every time: bounded time.
                    break;
                }
            }
            true
        }
        HirKind::Capture(c) => generate(&c.sub, extra, out),
        HirKind::Concat(parts) => parts.iter().all(|h| generate(h, extra, out)),
        HirKind::Alternation(alts) => alts.iter().any(|h| {
            let len = out.len();
            let ok = generate(h, extra, out);
            if !ok {
                out.truncate(len);
            }
            ok
        }),
    }
}

/// A readable character of a class: a letter or digit when it has one, else its
/// first printable character, else its first character.
fn pick(class: &Class) -> Option<char> {
    const PREFERRED: &str = "aAx0b1_-. ";
    let ranges: Vec<(char, char)> = match class {
        Class::Unicode(c) => c.ranges().iter().map(|r| (r.start(), r.end())).collect(),
        Class::Bytes(c) => c
            .ranges()
            .iter()
            .filter(|r| r.start() < 0x80)
            .map(|r| (r.start() as char, (r.end().min(0x7f)) as char))
            .collect(),
    };
    let contains = |c: char| ranges.iter().any(|&(a, b)| a <= c && c <= b);
    PREFERRED
        .chars()
        .find(|&c| contains(c))
        .or_else(|| {
            ranges.iter().find_map(|&(a, b)| {
                (a..=b)
                    .take(256)
                    .find(|c| !c.is_control() && !c.is_whitespace())
            })
        })
        .or_else(|| ranges.first().map(|r| r.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first(p: &str) -> String {
        from_pattern(p, None).remove(0)
    }

    #[test]
    fn patterns() {
        for p in [
            "^[A-Z]{3}$",
            "^[a-z]+(-[a-z]+)*$",
            "^\\d{4}-\\d{2}$",
            "^(pro|enterprise)$",
            "^[^@\\s]+@[^@\\s]+$",
            "ab?c*d+",
            "^SKU-[0-9A-F]{6}$",
            "(?i)^hello$",
            "^\\w+\\.\\w+$",
            "^[\\p{L}]{2,}$",
        ] {
            let s = first(p);
            assert!(regex::Regex::new(p).unwrap().is_match(&s), "{p} → {s:?}");
        }
        assert_eq!(first("^[A-Z]{3}$"), "AAA");
        assert_eq!(first("^(pro|enterprise)$"), "pro");
        // More repetitions are offered for length bounds.
        let longer = from_pattern("^[a-z]+$", Some(5));
        assert!(longer.iter().any(|s| s.len() == 5), "{longer:?}");
    }
}
