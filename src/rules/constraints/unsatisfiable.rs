//! `constraints/unsatisfiable`: a property whose constraints no value meets
//! together, so every payload carrying it fails, and the sample payloads could
//! not pass the plan.
//!
//! One function per kind of constraint ([`CHECKS`]); each asks the `samples`
//! target's own value builders (src/targets/encode/sample_values.rs) whether they find a
//! value, so that what `check` accepts is exactly what samples can be built
//! for. A new kind of constraint adds a function here and teaches the builders
//! to meet it.

use crate::ir::{Format, Plan, Property, Type};
use crate::rules::{At, DefaultLevel, Finding, Rule, RuleDoc, for_each_declared, with_origin};
use crate::targets::encode::sample_values::{
    SEGMENT_MAX_EVENT_BYTES, integer_in, min_bytes, satisfying_string,
};
use std::collections::HashMap;

pub(crate) static DOC: RuleDoc = RuleDoc {
    name: "constraints/unsatisfiable",
    default: DefaultLevel::Error,
    summary: "A property's constraints can all hold at once: its `pattern`, `format` and length bounds accept a common string, an integer's bounds hold a 64-bit integer, and its smallest value fits in an event Segment accepts (32 KB).",
    why: "A property no value can satisfy rejects every payload that carries it: the app cannot send it, QA fails on every event, and the sample payloads `eventsc` writes could not pass the plan. `pattern(\"^[a-z]+$\")` with `format(email)`, `format(uuid)` with `max_length(10)`, `min(100000000000000000000)` on an integer or `min_length(50000)` (Segment answers 400 Bad Request to an event over 32 KB) look fine one at a time.",
    bad: "event \"Signup Completed\" {\n  email:   string format(email) pattern(\"^[a-z]+$\")\n  user_id: string format(uuid) max_length(10)\n  visits:  integer min(100000000000000000000)\n}",
    good: "event \"Signup Completed\" {\n  email:   string format(email) pattern(\"^[a-z.]+@[a-z.]+$\")\n  user_id: string format(uuid)\n  visits:  integer min(0)\n}",
};

pub(crate) struct Unsatisfiable;

/// Why no value of a property can be valid: the finding's message (given the
/// property's dotted name), its label and its help.
struct Problem {
    message: String,
    label: &'static str,
    help: String,
}

/// What decides whether a string is found: name, pattern, format, lengths.
type StringKey<'p> = (
    &'p str,
    Option<&'p str>,
    Option<Format>,
    Option<u64>,
    Option<u64>,
);

/// What the checks share across properties: plans repeat constraints
/// (bundles, conventions), so each combination is searched once.
#[derive(Default)]
struct Searched<'p> {
    strings: HashMap<StringKey<'p>, bool>,
}

/// A check of one kind of constraint: `Some` when the property's constraints
/// of that kind (with the others they interact with) admit no value. The first
/// that finds a problem reports the property.
type Check = for<'p, 'w> fn(&mut Searched<'p>, &At<'p, 'w>) -> Option<Problem>;

/// The checks, in the order they are tried. The language's constraints each
/// belong to one (a new constraint gets its own function, or joins the one of
/// the type it bounds).
const CHECKS: &[Check] = &[size, string, integer_bounds];

/// What values are: the property, or the items of its list (a property of
/// their own, with the modifiers inside the parentheses), and their type.
fn item_type(p: &Property) -> (&Property, &Type) {
    let mut q = p;
    while let Type::List(inner) = &q.ty {
        q = inner;
    }
    (q, &q.ty)
}

/// Size: the smallest value (lists at their `min_length`, strings at theirs,
/// objects with all their properties, as samples hold them) fits in one event
/// Segment accepts. Reported at the innermost property too big, once.
fn size<'p>(_: &mut Searched<'p>, at: &At<'p, '_>) -> Option<Problem> {
    let p = at.property;
    let n = min_bytes(p);
    if n <= SEGMENT_MAX_EVENT_BYTES {
        return None;
    }
    let (_, ty) = item_type(p);
    if let Type::Object(children) = ty
        && children
            .iter()
            .any(|c| min_bytes(c) > SEGMENT_MAX_EVENT_BYTES)
    {
        // A property inside is reported.
        return None;
    }
    let all = if matches!(ty, Type::Object(_)) {
        " with all its properties"
    } else {
        ""
    };
    Some(Problem {
        message: format!(
            "the smallest `{}`{all} is {n} bytes of JSON: more than the 32 KB Segment accepts in one event",
            at.dotted()
        ),
        label: "no event can carry it",
        help: "Segment's API answers 400 Bad Request to an event over 32 KB: lower the `min_length` bounds".to_string(),
    })
}

/// The constraints of a string, as written: what the message lists.
fn written(p: &Property) -> Vec<String> {
    let m = p.modifiers();
    let mut out = Vec::new();
    if let Some(pat) = &m.pattern {
        out.push(format!("pattern({:?})", pat.value));
    }
    if let Some(f) = &m.format {
        out.push(format!("format({})", f.value));
    }
    if let Some(n) = &m.min_length {
        out.push(format!("min_length({})", n.value));
    }
    if let Some(n) = &m.max_length {
        out.push(format!("max_length({})", n.value));
    }
    out
}

fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => format!("`{one}`"),
        [init @ .., last] => format!(
            "{} and `{last}`",
            init.iter()
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The lengths every value of a format has: least, most (if bounded), and the
/// sentence saying so.
fn format_lengths(f: Format) -> Option<(u64, Option<u64>, &'static str)> {
    match f {
        Format::Uuid => Some((
            36,
            Some(45),
            "a `uuid` has 36 characters (45 as `urn:uuid:…`)",
        )),
        Format::Date => Some((10, Some(10), "a `date` has 10 characters")),
        Format::DateTime => Some((20, None, "a `date-time` has at least 20 characters")),
        Format::Ipv4 => Some((7, Some(15), "an `ipv4` address has 7 to 15 characters")),
        Format::Ipv6 => Some((2, Some(45), "an `ipv6` address has 2 to 45 characters")),
        Format::Email => Some((5, None, "an `email` has at least 5 characters (`a@b.c`)")),
        _ => None,
    }
}

/// Why no string satisfies a property, when a format's lengths say so.
fn length_reason(p: &Property) -> Option<&'static str> {
    let m = p.modifiers();
    let (lo, hi, why) = format_lengths(m.format.as_ref()?.value)?;
    let max_short = m.max_length.as_ref().is_some_and(|n| n.value < lo);
    let min_long = hi.is_some_and(|hi| m.min_length.as_ref().is_some_and(|n| n.value > hi));
    (max_short || min_long).then_some(why)
}

/// Strings: `pattern`, `format`, `min_length` and `max_length` (outside lists:
/// there they count items) accept a common string. One of them alone always
/// does (a format's example, a padded or cut name), except a pattern, which
/// may match nothing.
fn string<'p>(seen: &mut Searched<'p>, at: &At<'p, '_>) -> Option<Problem> {
    // A list's items have their own constraints (inside the parentheses).
    let (p, ty) = item_type(at.property);
    if !matches!(ty, Type::String) {
        return None;
    }
    let m = p.modifiers();
    let lengths = m.min_length.is_some() || m.max_length.is_some();
    let together =
        usize::from(m.pattern.is_some()) + usize::from(m.format.is_some()) + usize::from(lengths);
    if together == 0 || (together == 1 && m.pattern.is_none()) {
        return None;
    }
    // The name is a candidate too (`sample order id`), so it is in the key.
    let key = (
        &*p.name.value,
        m.pattern.as_ref().map(|x| &*x.value),
        m.format.as_ref().map(|x| x.value),
        m.min_length.as_ref().map(|x| x.value),
        m.max_length.as_ref().map(|x| x.value),
    );
    let found = *seen
        .strings
        .entry(key)
        .or_insert_with(|| satisfying_string(p).is_some());
    if found {
        return None;
    }
    let help = match length_reason(p) {
        Some(why) => format!("{why}: relax the length bounds or the format"),
        None => "relax one of them; if a string does satisfy them all, give it with `example(\"…\")` (eventsc found none)".to_string(),
    };
    Some(Problem {
        message: format!(
            "no string satisfies {} of `{}` together",
            and_list(&written(p)),
            at.dotted()
        ),
        label: "no value can be valid",
        help,
    })
}

/// Integers: `min` and `max` hold a 64-bit integer (what payloads, JSON
/// readers and warehouses carry); `min` > `max` is E0034 already.
fn integer_bounds<'p>(_: &mut Searched<'p>, at: &At<'p, '_>) -> Option<Problem> {
    let p = at.property;
    let (q, ty) = item_type(p);
    if !matches!(ty, Type::Integer) || integer_in(q).is_some() {
        return None;
    }
    Some(Problem {
        message: format!(
            "no 64-bit integer is within the bounds of `{}`",
            at.dotted()
        ),
        label: "no value can be valid",
        help: "payloads carry integers between -9223372036854775808 and 9223372036854775807: bring the bounds within them, or make it a `number`".to_string(),
    })
}

impl Rule for Unsatisfiable {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, plan: &Plan, out: &mut Vec<Finding>) {
        let mut seen = Searched::default();
        for_each_declared(plan, &mut |at| {
            let p = at.property;
            if p.modifiers().example.is_some() {
                // Checked against every constraint when the plan is lowered.
                return;
            }
            let Some(problem) = CHECKS.iter().find_map(|check| check(&mut seen, at)) else {
                return;
            };
            let f = Finding::new(at.container, problem.message, p.name.span, problem.label)
                .help(problem.help)
                .on_property(at.path.to_vec());
            out.push(with_origin(f, p));
        });
    }
}
