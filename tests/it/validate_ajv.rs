//! Differential test of `eventsc validate` against an independent validator:
//! ajv 8 + ajv-formats (npm, pinned in tests/validate/) with the schemas of
//! `eventsc build --target jsonschema`.
//!
//! The corpus: every sample payload of the `samples` target, for every plan the
//! targets are tested on, plus systematic mutations of each (wrong types,
//! missing properties, nulls, values outside enums, bounds, lengths and
//! patterns, bad formats, list items, extra properties, envelope fields, consent
//! and sunset). Each payload gets a verdict from both: valid or invalid
//! (eventsc: no defect, warnings allowed). They must agree on every payload,
//! except for the mutations listed in [`BEYOND_JSON_SCHEMA`]: rules of the plan
//! that a JSON Schema cannot express; each of those must show up at least once,
//! so the list stays current.

use crate::common;
use crate::common::tools::{Tool, require};

use crate::common::root;
use eventsc::ir::{Format, Identity, Literal, Plan, Property, TraitsKind, Type};
use eventsc::validate::{model::Model, payload::Checker, tally::Tally};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

/// Mutations where eventsc and a JSON Schema validator disagree by design:
/// (category, eventsc's verdict, why).
const BEYOND_JSON_SCHEMA: &[(&str, Verdict, &str)] = &[
    (
        "consent-off",
        Verdict::Invalid,
        "a consent category switched off in context.consent.categoryPreferences is a privacy defect; a schema cannot tie a property to a preference elsewhere in the payload",
    ),
    (
        "after-sunset",
        Verdict::Invalid,
        "a deprecated event sent after its sunset date is a defect; a schema has no notion of the payload's date against the plan's",
    ),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Verdict {
    Valid,
    Invalid,
}

/// A payload as shown in failures (long ones cut).
fn shown(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 400 {
        format!("{}…", s.chars().take(400).collect::<String>())
    } else {
        s
    }
}

pub(crate) struct Case {
    /// What was done to the sample, for messages.
    pub(crate) label: String,
    /// The kind of mutation (for the list of intended differences).
    pub(crate) category: &'static str,
    pub(crate) payload: Value,
}

/// Sets the value at a JSON pointer (the parent must exist).
pub(crate) fn set(v: &mut Value, ptr: &str, new: Value) -> bool {
    match v.pointer_mut(ptr) {
        Some(slot) => {
            *slot = new;
            true
        }
        None => {
            let (parent, key) = ptr.rsplit_once('/').unwrap_or(("", ptr));
            match v.pointer_mut(parent).and_then(Value::as_object_mut) {
                Some(obj) => {
                    obj.insert(unescape(key), new);
                    true
                }
                None => false,
            }
        }
    }
}

pub(crate) fn remove(v: &mut Value, ptr: &str) -> bool {
    let (parent, key) = ptr.rsplit_once('/').unwrap_or(("", ptr));
    v.pointer_mut(parent)
        .and_then(Value::as_object_mut)
        .and_then(|o| o.remove(&unescape(key)))
        .is_some()
}

pub(crate) fn unescape(s: &str) -> String {
    s.replace("~1", "/").replace("~0", "~")
}

fn escape(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

/// Strings that are not in a format.
fn bad_formats(f: Format) -> &'static [&'static str] {
    match f {
        Format::Email => &["no-at-sign.example.com", "two@@example.com", "a@b"],
        Format::Uri => &["example.com/no-scheme", "http://exa mple.com", "1http://x"],
        Format::Uuid => &[
            "123e4567-e89b-12d3-a456",
            "123e4567e89b12d3a456426614174000",
        ],
        Format::Date => &["2026-02-30", "2026-13-01", "26-01-01", "2026-1-1"],
        Format::DateTime => &[
            "2026-11-25 10:00",
            "2026-11-25T25:00:00Z",
            "2026-11-25T10:00:00",
            "2026-02-30T10:00:00Z",
        ],
        Format::Ipv4 => &["256.1.1.1", "1.2.3", "01.2.3.4"],
        Format::Ipv6 => &["1::2::3", "12345::", "1:2:3:4:5:6:7:8:9"],
        Format::Hostname => &["-bad-.example.com", "under_score.com", "a..b"],
    }
}

/// Strings that are in a format (some unusual), which both must accept.
fn good_formats(f: Format) -> &'static [&'static str] {
    match f {
        Format::Email => &["first.last+tag@sub.example.co"],
        Format::Uri => &["urn:isbn:0451450523", "https://example.com/a%20b?q=1#f"],
        Format::Uuid => &["123E4567-E89B-12D3-A456-426614174000"],
        Format::Date => &["2028-02-29"],
        Format::DateTime => &["2026-11-25T10:00:00.123456+05:30", "2026-11-25t10:00:00z"],
        Format::Ipv4 => &["0.0.0.0"],
        Format::Ipv6 => &["::1", "2001:db8::8a2e:370:7334"],
        Format::Hostname => &["xn--bcher-kva.example"],
    }
}

/// A value of another JSON type than `ty`'s.
/// A value of another JSON type (none for `any`).
fn wrong_type(ty: &Type) -> Option<Value> {
    Some(match ty {
        Type::Any => return None,
        Type::Enum(e) if !e.is_strings() => json!({"a": 1}),
        Type::String | Type::Datetime | Type::Date | Type::Enum(_) => json!(42),
        Type::Integer | Type::Number => json!("1"),
        Type::Boolean => json!("true"),
        Type::List(_) => json!({"a": 1}),
        Type::Object(_) => json!([1]),
        // No union has an object member; a string when none holds strings
        // (a warehouse keeps it as text, where an object becomes columns).
        Type::Union(members)
            if !members
                .iter()
                .any(|m| matches!(m, Type::String | Type::Datetime | Type::Date)) =>
        {
            json!("not a member")
        }
        Type::Union(_) => json!({"a": 1}),
    })
}

/// Mutations of one property whose value sits at `ptr` in `base`.
fn mutate_property(base: &Value, ptr: &str, p: &Property, out: &mut Vec<Case>) {
    let name = &p.name.value;
    let mut case = |category: &'static str, label: String, f: &dyn Fn(&mut Value) -> bool| {
        let mut v = base.clone();
        if f(&mut v) {
            out.push(Case {
                label: format!("{ptr}: {label}"),
                category,
                payload: v,
            });
        }
    };
    let present = base.pointer(ptr).is_some();
    case("type", "wrong JSON type".into(), &|v| {
        wrong_type(&p.ty).is_some_and(|w| set(v, ptr, w))
    });
    case("null", "null".into(), &|v| set(v, ptr, Value::Null));
    let m = p.modifiers();
    if let Some(step) = &m.multiple_of
        && let Some(x) = eventsc::ir::lower::first_multiple(p)
    {
        let step = step.value.value;
        let integer = !p.ty.has(|t| matches!(t, Type::Number));
        // Off the grid: by 1 for an integer (step ≥ 2), else by half a step.
        let bad = if integer { x + 1.0 } else { x + step / 2.0 };
        let within = m.max.as_ref().is_none_or(|max| bad <= max.value.value);
        if within && (!integer || step >= 2.0) {
            let bad = if integer {
                json!(bad as i64)
            } else {
                json!(bad)
            };
            case("multiple", format!("{bad}"), &|v| set(v, ptr, bad.clone()));
        }
        let x = if integer { json!(x as i64) } else { json!(x) };
        case("multiple-ok", format!("{x}"), &|v| set(v, ptr, x.clone()));
    }
    if let Some(values) = &m.not_enum {
        for l in &values.value {
            case("not-enum", l.display(), &|v| set(v, ptr, l.to_json()));
        }
    }
    if let Some(pat) = &m.not_pattern
        && let Some(s) = eventsc::targets::encode::sample_values::from_pattern(&pat.value, None)
            .into_iter()
            .next()
    {
        case("not-pattern", format!("{s:?}"), &|v| set(v, ptr, json!(s)));
    }
    if present {
        case("missing", format!("`{name}` removed"), &|v| remove(v, ptr));
    }
    let mut items: Option<&Property> = None;
    let (min_len, max_len) = (
        p.modifiers().min_length.as_ref().map(|m| m.value),
        p.modifiers().max_length.as_ref().map(|m| m.value),
    );
    match &p.ty {
        Type::String => {
            if let Some(f) = &p.modifiers().format {
                for bad in bad_formats(f.value) {
                    case("format", format!("{bad:?}"), &|v| set(v, ptr, json!(bad)));
                }
                for good in good_formats(f.value) {
                    case("format-ok", format!("{good:?}"), &|v| {
                        set(v, ptr, json!(good))
                    });
                }
            }
            if p.modifiers().pattern.is_some() {
                for s in ["~~~", "", "١٢٣", "ABC\n"] {
                    case("pattern", format!("{s:?}"), &|v| set(v, ptr, json!(s)));
                }
            }
            if let Some(min) = min_len.filter(|m| *m > 0) {
                let s = "x".repeat(min as usize - 1);
                case("length", format!("{} chars", min - 1), &|v| {
                    set(v, ptr, json!(s))
                });
            }
            if let Some(max) = max_len.filter(|m| *m < 5000) {
                let s = "x".repeat(max as usize + 1);
                case("length", format!("{} chars", max + 1), &|v| {
                    set(v, ptr, json!(s))
                });
                // Lengths count code points: astral characters count once.
                if p.modifiers().pattern.is_none() && p.modifiers().format.is_none() && max > 0 {
                    let fits = "😀".repeat(max as usize);
                    case("length-ok", format!("{max} emoji"), &|v| {
                        set(v, ptr, json!(fits))
                    });
                    let over = "😀".repeat(max as usize + 1);
                    case("length", format!("{} emoji", max + 1), &|v| {
                        set(v, ptr, json!(over))
                    });
                }
            }
        }
        Type::Integer | Type::Number => {
            let int = matches!(p.ty, Type::Integer);
            if let Some(min) = &p.modifiers().min {
                let below = if int {
                    min.value.value - 1.0
                } else {
                    min.value.value - 0.5
                };
                case("bounds", format!("{below}"), &|v| set(v, ptr, json!(below)));
                case("bounds-ok", "the minimum".into(), &|v| {
                    set(v, ptr, Value::Number(min.value.json.clone()))
                });
            }
            if let Some(max) = &p.modifiers().max {
                let above = if int {
                    max.value.value + 1.0
                } else {
                    max.value.value + 0.5
                };
                case("bounds", format!("{above}"), &|v| set(v, ptr, json!(above)));
            }
            if int {
                let start = p
                    .modifiers()
                    .min
                    .as_ref()
                    .map_or(1.0, |m| m.value.value.ceil());
                case("type", "1.5-ish fraction".into(), &|v| {
                    set(v, ptr, json!(start + 0.5))
                });
                case("integer-float", format!("{start:.1}"), &|v| {
                    set(v, ptr, json!(start))
                });
            }
        }
        Type::Enum(e) => {
            case("enum", "\"not-in-enum\"".into(), &|v| {
                set(v, ptr, json!("not-in-enum"))
            });
            if let Some(first) = e.values.first().and_then(|l| l.as_str()) {
                let upper = first.to_uppercase();
                if upper != *first {
                    case("enum", format!("{upper:?}"), &|v| set(v, ptr, json!(upper)));
                }
            }
            // Values of the enum's own kinds: a number above its numbers,
            // the boolean it lacks.
            let numbers = e.values.iter().filter_map(|l| match l {
                Literal::Num(n) => n.as_f64(),
                _ => None,
            });
            if let Some(max) = numbers.reduce(f64::max) {
                let above = json!(max.floor() as i64 + 1);
                case("enum", format!("{above}"), &|v| set(v, ptr, above.clone()));
            }
            if e.values.iter().any(|l| matches!(l, Literal::Bool(_))) {
                for b in [true, false] {
                    if !e.values.contains(&Literal::Bool(b)) {
                        case("enum", format!("{b}"), &|v| set(v, ptr, json!(b)));
                    }
                }
            }
            for l in e.values.iter() {
                case("enum-ok", l.display(), &|v| set(v, ptr, l.to_json()));
            }
        }
        Type::Datetime => {
            for bad in bad_formats(Format::DateTime) {
                case("format", format!("{bad:?}"), &|v| set(v, ptr, json!(bad)));
            }
            for good in good_formats(Format::DateTime) {
                case("format-ok", format!("{good:?}"), &|v| {
                    set(v, ptr, json!(good))
                });
            }
        }
        Type::Date => {
            for bad in bad_formats(Format::Date) {
                case("format", format!("{bad:?}"), &|v| set(v, ptr, json!(bad)));
            }
        }
        Type::List(inner) => {
            let first = base.pointer(&format!("{ptr}/0")).cloned();
            if let Some(first) = &first {
                case("items", "an item of the wrong type".into(), &|v| {
                    wrong_type(&inner.ty).is_some_and(|w| set(v, &format!("{ptr}/0"), w))
                });
                if !inner.is_nullable() && !matches!(inner.ty, Type::Any) {
                    case("items", "a null item".into(), &|v| {
                        set(v, &format!("{ptr}/0"), Value::Null)
                    });
                }
                // The constraints written inside `list( … )`.
                if inner.mods.is_some() || inner.is_nullable() {
                    items = Some(inner);
                }
                if let Some(min) = min_len.filter(|m| *m > 0) {
                    let items = vec![first.clone(); min as usize - 1];
                    case("length", format!("{} items", min - 1), &|v| {
                        set(v, ptr, json!(items))
                    });
                }
                if let Some(max) = max_len.filter(|m| *m < 1000) {
                    let items = vec![first.clone(); max as usize + 1];
                    case("length", format!("{} items", max + 1), &|v| {
                        set(v, ptr, json!(items))
                    });
                }
            }
            case("list-empty", "an empty list".into(), &|v| {
                set(v, ptr, json!([]))
            });
        }
        Type::Boolean | Type::Object(_) | Type::Any | Type::Union(_) => {}
    }
    if let Some(inner) = items {
        mutate_property(base, &format!("{ptr}/0"), inner, out);
    }
}

/// Mutations of every property of `props` (and, depth first, of their
/// objects and of the first item of lists of objects) inside the object at `ptr`.
fn mutate_object(base: &Value, ptr: &str, props: &[Property], closed: bool, out: &mut Vec<Case>) {
    if base.pointer(ptr).is_none() {
        return;
    }
    let mut extra = base.clone();
    if set(&mut extra, &format!("{ptr}/zz_unplanned"), json!(1)) {
        out.push(Case {
            label: format!("{ptr}: an unplanned property"),
            category: if closed {
                "closed-extra"
            } else {
                "extra-property"
            },
            payload: extra,
        });
    }
    for p in props {
        let child = format!("{ptr}/{}", escape(&p.name.value));
        mutate_property(base, &child, p, out);
        let (mut ty, mut owner) = (&p.ty, p);
        let mut at = child.clone();
        while let Type::List(inner) = ty {
            ty = &inner.ty;
            owner = inner;
            at.push_str("/0");
        }
        if let Type::Object(children) = ty {
            let closed = owner.modifiers().closed.is_some();
            mutate_object(base, &at, children, closed, out);
        }
    }
}

/// The sample payloads of a plan and their mutations.
pub(crate) fn corpus(plan: &Plan, samples: &[Value]) -> Vec<Case> {
    let mut out = Vec::new();
    for s in samples {
        out.push(Case {
            label: "the sample".into(),
            category: "valid",
            payload: s.clone(),
        });
        let ty = s["type"].as_str().unwrap_or("");
        let (root, props, closed, identity, event) = match ty {
            "track" => {
                let name = s["event"].as_str().unwrap_or("");
                // The version the sample names (the oldest without one).
                let version = s
                    .pointer("/context/protocols/event_version")
                    .and_then(Value::as_u64);
                let Some(e) = plan
                    .events
                    .iter()
                    .filter(|e| *e.name.value == *name)
                    .find(|e| version.is_none_or(|v| u64::from(e.version()) == v))
                else {
                    continue;
                };
                // A version the event does not have, or not as an integer:
                // `unknown-version` to `validate`, no schema to ajv.
                if e.is_versioned() {
                    for (label, v) in [
                        ("99", json!(99)),
                        ("\"2\"", json!("2")),
                        ("2.5", json!(2.5)),
                    ] {
                        let mut payload = s.clone();
                        payload["context"]["protocols"]["event_version"] = v;
                        out.push(Case {
                            label: format!("/context/protocols/event_version = {label}"),
                            category: "unknown-version",
                            payload,
                        });
                    }
                }
                let mut props: Vec<Property> = e.properties.clone();
                if let Some(c) = &plan.common {
                    props.extend(c.properties.iter().cloned());
                }
                let closed = e.closed().is_some()
                    || plan.common.as_ref().is_some_and(|c| c.closed.is_some());
                ("/properties", props, closed, e.identity(), Some(e))
            }
            "identify" | "group" => {
                let t = if ty == "identify" {
                    &plan.identify
                } else {
                    &plan.group
                };
                let Some(t) = t else { continue };
                let closed = t.closed.is_some();
                ("/traits", t.properties.clone(), closed, Identity::Any, None)
            }
            "page" | "screen" => {
                // The rule for the page's name, and the one for every page.
                let name = s["name"].as_str();
                let page = ty == "page";
                let kind = |t: &&eventsc::ir::Traits| (t.kind == TraitsKind::Page) == page;
                let named = plan
                    .views
                    .iter()
                    .filter(kind)
                    .find(|t| t.name.is_some() && t.name.as_ref().map(|n| &*n.value) == name);
                let every = plan.views.iter().filter(kind).find(|t| t.name.is_none());
                let rules: Vec<_> = named.into_iter().chain(every).collect();
                if rules.is_empty() {
                    continue;
                }
                let props = rules.iter().flat_map(|t| t.properties.iter().cloned());
                let closed = rules.iter().any(|t| t.closed.is_some());
                ("/properties", props.collect(), closed, Identity::Any, None)
            }
            _ => continue,
        };
        mutate_object(s, root, &props, closed, &mut out);
        // Common properties the sample leaves out: one wrong value each.
        if ty == "track"
            && let Some(c) = &plan.common
        {
            for p in &c.properties {
                let ptr = format!("/properties/{}", escape(&p.name.value));
                let mut v = s.clone();
                if s.pointer(&ptr).is_none()
                    && wrong_type(&p.ty).is_some_and(|w| set(&mut v, &ptr, w))
                {
                    out.push(Case {
                        label: format!("{ptr}: common property of the wrong type"),
                        category: "type",
                        payload: v,
                    });
                }
            }
        }
        // The envelope's fields, at the payload's top level; and none of
        // `require_one_of`'s fields.
        if let Some(envelope) = &plan.envelope {
            mutate_object(s, "", &envelope.properties, false, &mut out);
            let names = &envelope.require_one_of;
            let mut v = s.clone();
            for n in names {
                remove(&mut v, &format!("/{}", escape(&n.value)));
            }
            if !names.is_empty() {
                out.push(Case {
                    label: "none of require_one_of".into(),
                    category: "envelope",
                    payload: v,
                });
            }
        }
        let mut env = |category: &'static str, label: &str, f: &dyn Fn(&mut Value) -> bool| {
            let mut v = s.clone();
            if f(&mut v) {
                out.push(Case {
                    label: label.into(),
                    category,
                    payload: v,
                });
            }
        };
        env("envelope", "messageId removed", &|v| {
            remove(v, "/messageId")
        });
        env("envelope", "messageId empty", &|v| {
            set(v, "/messageId", json!(""))
        });
        env("envelope", "timestamp not RFC 3339", &|v| {
            set(v, "/timestamp", json!("25/11/2026 10:00"))
        });
        env("envelope", "no userId nor anonymousId", &|v| {
            let a = remove(v, "/userId");
            let b = remove(v, "/anonymousId");
            a || b
        });
        if ty == "track" {
            env("envelope", "properties not an object", &|v| {
                set(v, "/properties", json!([]))
            });
        }
        match identity {
            Identity::User => env("identity", "userId removed (identity user)", &|v| {
                set(v, "/anonymousId", json!("anon-1")) && remove(v, "/userId")
            }),
            Identity::Anonymous => env("identity", "anonymousId removed", &|v| {
                set(v, "/userId", json!("user-1")) && remove(v, "/anonymousId")
            }),
            Identity::Group => env("identity", "context.groupId removed", &|v| {
                remove(v, "/context/groupId")
            }),
            Identity::Any => {}
        }
        // Consent: switch off each category the sample grants.
        let cats: Vec<String> = s
            .pointer("/context/consent/categoryPreferences")
            .and_then(Value::as_object)
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default();
        for cat in cats {
            let ptr = format!("/context/consent/categoryPreferences/{}", escape(&cat));
            env(
                "consent-off",
                &format!("consent `{cat}` switched off"),
                &|v| set(v, &ptr, json!(false)),
            );
        }
        if let Some(e) = event
            && let Some(sunset) = &e.sunset
        {
            let after = format!("{}-01-01T12:00:00Z", sunset.value.year + 1);
            env("after-sunset", "sent a year after the sunset", &|v| {
                set(v, "/timestamp", json!(after))
            });
        }
    }
    out
}

fn node_modules() -> std::path::PathBuf {
    require(Tool::NodeModules("tests/validate"))
}

fn ajv_verdicts(schemas: &Path, corpus: &Path) -> Vec<String> {
    node_modules();
    let out = Command::new("node")
        .arg(root().join("tests/validate/ajv_verdicts.js"))
        .arg(schemas)
        .arg(corpus)
        .output()
        .expect("node runs (install Node.js)");
    assert!(
        out.status.success(),
        "ajv_verdicts.js failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

/// One plan's corpus with eventsc's verdicts, and the schema folder.
struct Run {
    name: String,
    dir: tempfile::TempDir,
    cases: Vec<Case>,
    ours: Vec<Verdict>,
}

fn runs(with_schemas: bool) -> Vec<Run> {
    let mut plans = common::targets::plans();
    plans.push((
        "validate".into(),
        root().join("tests/fixtures/validate/plan.events"),
    ));
    plans.push((
        "versions".into(),
        root().join("tests/fixtures/versions/orders.events"),
    ));
    plans
        .into_iter()
        .map(|(name, path)| {
            let dir = tempfile::tempdir().expect("tempdir");
            if with_schemas {
                common::targets::write(dir.path(), &common::targets::generate("jsonschema", &path));
            }
            let samples: Vec<Value> = common::targets::generate("samples", &path)
                .iter()
                .filter(|a| a.path.ends_with(".ndjson"))
                .flat_map(|a| {
                    String::from_utf8_lossy(&a.bytes)
                        .lines()
                        .map(|l| serde_json::from_str(l).expect("samples are JSON"))
                        .collect::<Vec<Value>>()
                })
                .collect();
            let (sources, checked) = common::check_paths(std::slice::from_ref(&path));
            let plan = checked.ok().expect("no errors");
            let cases = corpus(plan, &samples);
            let model = Model::compile(plan.clone(), &sources);
            let mut checker = Checker::new(&model);
            let ours = cases
                .iter()
                .enumerate()
                .map(|(i, case)| {
                    let mut tally = Tally::default();
                    let line = serde_json::to_string(&case.payload).expect("json");
                    checker.record(&mut tally, i as u64 + 1, line.as_bytes());
                    if tally.defective > 0 {
                        Verdict::Invalid
                    } else {
                        Verdict::Valid
                    }
                })
                .collect();
            Run {
                name,
                dir,
                cases,
                ours,
            }
        })
        .collect()
}

/// The mutations break what they say they break (checked on eventsc alone,
/// for the kinds whose verdict does not depend on the property).
#[test]
fn the_corpus_mutations_do_what_they_say() {
    let expected: &[(&str, Verdict)] = &[
        ("valid", Verdict::Valid),
        ("type", Verdict::Invalid),
        ("format", Verdict::Invalid),
        ("format-ok", Verdict::Valid),
        ("length", Verdict::Invalid),
        ("length-ok", Verdict::Valid),
        ("bounds", Verdict::Invalid),
        ("bounds-ok", Verdict::Valid),
        ("enum", Verdict::Invalid),
        ("items", Verdict::Invalid),
        ("extra-property", Verdict::Valid),
        ("closed-extra", Verdict::Invalid),
        ("multiple", Verdict::Invalid),
        ("multiple-ok", Verdict::Valid),
        ("not-enum", Verdict::Invalid),
        ("not-pattern", Verdict::Invalid),
        ("enum-ok", Verdict::Valid),
        ("envelope", Verdict::Invalid),
        ("unknown-version", Verdict::Invalid),
        ("identity", Verdict::Invalid),
        ("consent-off", Verdict::Invalid),
        ("after-sunset", Verdict::Invalid),
    ];
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    let mut wrong = Vec::new();
    for run in runs(false) {
        for (case, ours) in run.cases.iter().zip(&run.ours) {
            *seen.entry(case.category).or_default() += 1;
            if let Some((_, v)) = expected.iter().find(|(c, _)| *c == case.category)
                && v != ours
            {
                wrong.push(format!(
                    "{}: {} ({}): {ours:?}\n    {}",
                    run.name,
                    case.label,
                    case.category,
                    shown(&case.payload)
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    for (c, _) in expected {
        assert!(seen.contains_key(c), "no `{c}` mutation in the corpus");
    }
    let total: usize = seen.values().sum();
    assert!(total > 2000, "a corpus of a few thousand payloads: {total}");
    // Every kind of call is in it, versions beyond the first, and the envelope's
    // own fields mutated.
    let runs = runs(false);
    let payloads = || runs.iter().flat_map(|r| r.cases.iter()).map(|c| &c.payload);
    for ty in ["track", "identify", "group", "page", "screen"] {
        assert!(
            payloads().any(|p| p["type"] == ty),
            "no {ty} call in the corpus"
        );
    }
    assert!(payloads().any(|p| p["type"] == "page" && p["name"].is_string()));
    assert!(payloads().any(|p| p.pointer("/context/protocols/event_version") == Some(&json!(3))));
    assert!(
        runs.iter()
            .flat_map(|r| r.cases.iter())
            .any(|c| c.label.starts_with("/context/locale")),
        "the envelope's fields are mutated"
    );
}

#[test]
fn eventsc_and_ajv_agree_on_every_payload() {
    let mut total = 0;
    let mut differences: BTreeMap<&str, usize> = BTreeMap::new();
    let mut disagreements = Vec::new();
    for run in runs(true) {
        let file = run.dir.path().join("corpus.ndjson");
        let text: String = run
            .cases
            .iter()
            .map(|c| format!("{}\n", c.payload))
            .collect();
        std::fs::write(&file, &text).expect("writes the corpus");
        let theirs = ajv_verdicts(&run.dir.path().join("schemas"), &file);
        assert_eq!(
            theirs.len(),
            run.cases.len(),
            "{}: one verdict per payload",
            run.name
        );
        for (i, ((case, ours), ajv)) in run.cases.iter().zip(&run.ours).zip(&theirs).enumerate() {
            let theirs = if ajv == "valid" {
                Verdict::Valid
            } else {
                Verdict::Invalid
            };
            total += 1;
            if *ours == theirs {
                continue;
            }
            match BEYOND_JSON_SCHEMA
                .iter()
                .find(|(c, _, _)| *c == case.category)
            {
                Some((c, v, _)) if v == ours => *differences.entry(c).or_default() += 1,
                _ => disagreements.push(format!(
                    "{} line {}: {} ({}): eventsc {ours:?}, ajv {ajv}\n    {}",
                    run.name,
                    i + 1,
                    case.label,
                    case.category,
                    shown(&case.payload)
                )),
            }
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} of {total} payloads get different verdicts:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
    for (c, _, why) in BEYOND_JSON_SCHEMA {
        assert!(
            differences.contains_key(c),
            "the listed difference `{c}` ({why}) never happened: remove it from the list"
        );
    }
    eprintln!("{total} payloads; intended differences: {differences:?}");
}
