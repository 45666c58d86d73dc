//! Keeping personal data out of what `validate` prints and writes (the human
//! table, `--format json` and the `--report` evidence), unless `--show-values`.
//!
//! Personal data is recognised three ways, wherever it appears in a payload:
//! - by the plan: a property declared `pii(...)` (its value is replaced by
//!   `[redacted: pii(contact)]`), in an event, `common`, identify, group, a
//!   page or screen rule, or the `envelope` (a top-level field, or one inside
//!   `context`);
//! - by Segment's spec: the reserved traits that identify a person (`email`,
//!   `phone`, `firstName`/`first_name`, `lastName`, `name`, `username`,
//!   `birthday`, `address` and its parts, `avatar`), in
//!   `identify` traits and in `context.traits` (every value there is redacted),
//!   and `context.ip`, `context.location`, `context.device.advertisingId`; in
//!   track properties and group traits, names that say what they hold (any name
//!   containing `email` or `phone`, `ip`, `first_name`, `last_name`,
//!   `full_name`, `birthday`, `date_of_birth`, `street`, `postal_code`…);
//! - by shape: any other string that is, or contains, an email address or a
//!   phone number (`userId`, message ids, unplanned properties, event names,
//!   property names in pointers) has that part replaced by `[redacted: email]`
//!   or `[redacted: phone]`.
//!
//! Violations name a value in their `found` text; a violation at a personal
//! place keeps what it says about the value's kind and size but not the value.

use super::model::{Model, Object, Ty};
use super::tally::{Call, Target};
use regex::Regex;
use serde_json::Value;
use std::borrow::Cow;
use std::sync::LazyLock;

/// Email addresses, and phone numbers: `+` and 8 to 15 digits (with spaces,
/// dots, dashes or parentheses between), or the North American
/// `(555) 123-4567` / `555-123-4567` / `555.123.4567`.
static SHAPES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?P<email>[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})",
        r"|(?P<phone>(?:\+[0-9][0-9 ().-]{6,20}[0-9]",
        r"|\(?[0-9]{3}\)?[ .-][0-9]{3}[ .-][0-9]{4}))",
    ))
    .expect("a valid regex")
});

/// The digits of a phone candidate: 8 to 15 for `+…`, exactly 10 otherwise.
fn phone_digits_ok(s: &str) -> bool {
    let n = s.bytes().filter(u8::is_ascii_digit).count();
    if s.starts_with('+') {
        (8..=15).contains(&n)
    } else {
        n == 10
    }
}

/// `s` with every email address and phone number in it replaced by a marker.
pub(crate) fn scrub(s: &str) -> Cow<'_, str> {
    // Cheap test first: no `@` and fewer than 8 digits cannot match.
    if !s.contains('@') && s.bytes().filter(u8::is_ascii_digit).count() < 8 {
        return Cow::Borrowed(s);
    }
    let mut out = String::new();
    let mut last = 0;
    for c in SHAPES.captures_iter(s) {
        let Some(m) = c.get(0) else { continue };
        // A digit or letter right before or after: part of a longer token
        // (an id, a timestamp), not a phone number.
        let bytes = s.as_bytes();
        let glued = |i: Option<&u8>| i.is_some_and(|b| b.is_ascii_alphanumeric());
        let marker = if c.name("email").is_some() {
            "[redacted: email]"
        } else if phone_digits_ok(m.as_str())
            && !glued(m.start().checked_sub(1).and_then(|i| bytes.get(i)))
            && !glued(bytes.get(m.end()))
        {
            "[redacted: phone]"
        } else {
            continue;
        };
        out.push_str(&s[last..m.start()]);
        out.push_str(marker);
        last = m.end();
    }
    if last == 0 {
        return Cow::Borrowed(s);
    }
    out.push_str(&s[last..]);
    Cow::Owned(out)
}

/// Segment's reserved traits that identify a person, and their parts, as
/// [`norm`] writes them.
const PERSON_TRAITS: &[&str] = &[
    "email",
    "phone",
    "firstname",
    "lastname",
    "name",
    "username",
    "birthday",
    "address",
    "street",
    "city",
    "postalcode",
    "state",
    "country",
    "avatar",
];

/// Names that say they hold personal data wherever they appear.
fn personal_name(key: &str) -> bool {
    let k = norm(key);
    k.contains("email")
        || k.contains("phone")
        || matches!(
            k.as_str(),
            "ip" | "ipaddress"
                | "firstname"
                | "lastname"
                | "fullname"
                | "birthday"
                | "dateofbirth"
                | "dob"
                | "street"
                | "streetaddress"
                | "postalcode"
                | "zipcode"
                | "ssn"
                | "password"
        )
}

/// Lower case without `_`, `-` and spaces: `first_name`, `firstName` and
/// `First Name` are one name.
fn norm(key: &str) -> String {
    key.chars()
        .filter(|c| !matches!(c, '_' | '-' | ' '))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The class of a value recognised as personal by its place alone.
const PERSONAL: &str = "personal data";

/// Redacts a whole payload in place: the sample payloads of the evidence.
pub(crate) fn payload(model: &Model, target: &Target, v: &mut Value) {
    let Value::Object(map) = v else { return };
    for (key, val) in map.iter_mut() {
        match key.as_str() {
            "properties" | "traits" => {
                let (obj, extra) = planned(model, target, key);
                let identify = matches!(target, Target::Call(Call::Identify)) && key == "traits";
                object(model, obj, extra, identify, val);
            }
            // Segment's personal context fields, then the envelope's
            // `pii(...)` fields inside `context`.
            "context" => {
                context(val);
                envelope_field(model, key, val);
            }
            _ => {
                if !envelope_field(model, key, val) {
                    scrub_all(val);
                }
            }
        }
    }
}

/// Redacts a top-level field as the envelope plans it (its `pii(...)`, or
/// its type's); false when the envelope does not plan it.
fn envelope_field(model: &Model, key: &str, val: &mut Value) -> bool {
    let Some(e) = model.envelope.as_ref() else {
        return false;
    };
    let Some(i) = e.props.find(&model.names, key) else {
        return false;
    };
    let p = &e.props.props[i];
    match p.pii {
        Some(c) => hide(val, &format!("pii({c})")),
        None => typed(model, &p.ty, false, val),
    }
    true
}

/// The planned properties of a payload's `properties` or `traits`.
fn planned<'m>(
    model: &'m Model,
    target: &Target,
    key: &str,
) -> (Option<&'m Object>, Option<&'m Object>) {
    match (target, key) {
        (Target::Event(i), "properties") => (
            model.events.get(*i as usize).map(|e| &e.props),
            model.common.as_ref(),
        ),
        (Target::Call(Call::Identify), "traits") => {
            (model.identify.as_ref().map(|t| &t.props), None)
        }
        (Target::Call(Call::Group), "traits") => (model.group.as_ref().map(|t| &t.props), None),
        // A named page or screen rule, with the one for every page (or screen).
        (Target::View(i), "properties") => {
            let v = model.views.get(*i as usize);
            let every = v.and_then(|v| model.view_rules(v.page, None).1);
            (
                v.map(|v| &v.traits.props),
                every.map(|e| &model.views[e as usize].traits.props),
            )
        }
        (Target::Call(c @ (Call::Page | Call::Screen)), "properties") => {
            let every = model.view_rules(*c == Call::Page, None).1;
            (every.map(|e| &model.views[e as usize].traits.props), None)
        }
        _ => (None, None),
    }
}

fn object(
    model: &Model,
    obj: Option<&Object>,
    extra: Option<&Object>,
    identify: bool,
    v: &mut Value,
) {
    let Value::Object(map) = v else {
        scrub_all(v);
        return;
    };
    let names = &model.names;
    for (k, val) in map.iter_mut() {
        let p = obj
            .and_then(|o| o.find(names, k).map(|i| &o.props[i]))
            .or_else(|| extra.and_then(|e| e.find(names, k).map(|i| &e.props[i])));
        let class = match p.and_then(|p| p.pii) {
            Some(c) => Some(format!("pii({c})")),
            None if (identify && PERSON_TRAITS.contains(&norm(k).as_str())) || personal_name(k) => {
                Some(PERSONAL.to_string())
            }
            None => None,
        };
        match (class, p) {
            (Some(c), _) => hide(val, &c),
            (None, Some(p)) => typed(model, &p.ty, identify, val),
            (None, None) => object_or_scrub(model, identify, val),
        }
    }
}

/// A value of a planned type: its planned members are looked up.
fn typed(model: &Model, ty: &Ty, identify: bool, v: &mut Value) {
    match (ty, v) {
        (Ty::Object(o), v) => object(model, Some(o), None, identify, v),
        (Ty::List { item, .. }, Value::Array(items)) => {
            for x in items {
                typed(model, item, identify, x);
            }
        }
        (_, v) => scrub_all(v),
    }
}

/// An unplanned value: its members' names and every string are looked at.
fn object_or_scrub(model: &Model, identify: bool, v: &mut Value) {
    match v {
        Value::Object(_) => object(model, None, None, identify, v),
        Value::Array(items) => {
            for x in items {
                object_or_scrub(model, identify, x);
            }
        }
        v => scrub_all(v),
    }
}

/// `context`: `traits` and `ip`, `location`, `device.advertisingId` are
/// personal; the rest is scrubbed by shape.
fn context(v: &mut Value) {
    let Value::Object(map) = v else {
        scrub_all(v);
        return;
    };
    for (k, val) in map.iter_mut() {
        match k.as_str() {
            "traits" => hide_leaves(val, PERSONAL),
            "ip" | "location" => hide_leaves(val, PERSONAL),
            "device" => {
                if let Value::Object(d) = val {
                    for (dk, dv) in d.iter_mut() {
                        if dk == "advertisingId" {
                            hide(dv, PERSONAL);
                        } else {
                            scrub_all(dv);
                        }
                    }
                } else {
                    scrub_all(val);
                }
            }
            _ => scrub_all(val),
        }
    }
}

/// Replaces a value (not `null`) by the marker of its class.
fn hide(v: &mut Value, class: &str) {
    if !v.is_null() {
        *v = Value::String(format!("[redacted: {class}]"));
    }
}

/// Replaces every scalar inside a value (keeping objects' and lists' shape).
fn hide_leaves(v: &mut Value, class: &str) {
    match v {
        Value::Object(map) => map.values_mut().for_each(|x| hide_leaves(x, class)),
        Value::Array(items) => items.iter_mut().for_each(|x| hide_leaves(x, class)),
        v => hide(v, class),
    }
}

/// Scrubs every string inside a value by shape.
fn scrub_all(v: &mut Value) {
    match v {
        Value::String(s) => {
            if let Cow::Owned(x) = scrub(s) {
                *s = x;
            }
        }
        Value::Object(map) => {
            scrub_keys(map);
            map.values_mut().for_each(scrub_all);
        }
        Value::Array(items) => items.iter_mut().for_each(scrub_all),
        _ => {}
    }
}

/// Scrubs an object's keys by shape (an unplanned property named after an
/// email address); the order of the keys is kept.
fn scrub_keys(map: &mut serde_json::Map<String, Value>) {
    if !map.keys().any(|k| matches!(scrub(k), Cow::Owned(_))) {
        return;
    }
    let old = std::mem::take(map);
    for (k, v) in old {
        let k = scrub(&k).into_owned();
        map.insert(k, v);
    }
}

/// The class of personal data at a JSON pointer of a payload (the place a
/// violation names), if it is one: a `pii(...)` property, a person's
/// reserved trait, a telling name, or a personal context field.
pub(crate) fn at_pointer(model: &Model, target: &Target, pointer: &str) -> Option<String> {
    let segs: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect();
    let key = |i: usize| segs.get(i).map(String::as_str);
    let envelope = || {
        // A field the envelope plans (`userId pii(…)`, `context.ip` …).
        let e = model.envelope.as_ref()?;
        walk(model, At::Object(Some(&e.props), None), false, &segs)
    };
    match key(0)? {
        "context" => match (key(1), key(2)) {
            (Some("traits" | "ip" | "location"), _) | (Some("device"), Some("advertisingId")) => {
                Some(PERSONAL.into())
            }
            _ => envelope(),
        },
        first @ ("properties" | "traits") => {
            let (obj, extra) = planned(model, target, first);
            let identify = matches!(target, Target::Call(Call::Identify)) && first == "traits";
            walk(model, At::Object(obj, extra), identify, &segs[1..])
        }
        _ => envelope(),
    }
}

/// The class of personal data at the end of a path of keys below `at`, if a
/// step on the way is personal: a `pii(...)` property, a person's reserved
/// trait (`identify`), a telling name.
fn walk(model: &Model, mut at: At<'_>, identify: bool, segs: &[String]) -> Option<String> {
    for (depth, seg) in segs.iter().enumerate() {
        at = match at {
            At::List(item) if seg.parse::<usize>().is_ok() => At::of(item),
            At::Object(obj, extra) => {
                let names = &model.names;
                let p = obj
                    .and_then(|o| o.find(names, seg).map(|i| &o.props[i]))
                    .or_else(|| extra.and_then(|e| e.find(names, seg).map(|i| &e.props[i])));
                if let Some(c) = p.and_then(|p| p.pii) {
                    return Some(format!("pii({c})"));
                }
                if identify && depth == 0 && PERSON_TRAITS.contains(&norm(seg).as_str()) {
                    return Some(PERSONAL.into());
                }
                p.map_or(At::Unplanned, |p| At::of(&p.ty))
            }
            _ => At::Unplanned,
        };
        if personal_name(seg) {
            return Some(PERSONAL.into());
        }
    }
    None
}

/// Where a pointer is in the plan's types.
enum At<'m> {
    Object(Option<&'m Object>, Option<&'m Object>),
    List(&'m Ty),
    Unplanned,
}

impl<'m> At<'m> {
    fn of(ty: &'m Ty) -> At<'m> {
        match ty {
            Ty::Object(o) => At::Object(Some(o), None),
            Ty::List { item, .. } => At::List(item),
            _ => At::Unplanned,
        }
    }
}

/// A violation's `found` text at a personal place: what it says of the
/// value's kind, without the value (`"ana@example.com"` → `a string
/// (redacted: pii(contact))`); descriptions without a value (`missing`,
/// `null`, `3 characters`) stay.
pub(crate) fn found(found: &str, class: &str) -> String {
    let t = found.trim_start();
    if t.starts_with('"') {
        format!("a string (redacted: {class})")
    } else if t.starts_with(|c: char| c.is_ascii_digit() || c == '-') && !t.contains(' ') {
        format!("a number (redacted: {class})")
    } else if t == "true" || t == "false" {
        format!("a boolean (redacted: {class})")
    } else {
        found.to_string()
    }
}
