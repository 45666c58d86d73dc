//! `samples`: one valid Segment payload per event (`track`), for the `identify`
//! and `group` blocks, written as `samples/<slug>.json` (one line, keys sorted:
//! a JSON document that is also one-line NDJSON) and all together as
//! `samples/samples.ndjson` (identify, group, then events in plan order).
//!
//! QA replays them (`eventsc validate --payloads samples/samples.ndjson`), the
//! dbt tests load them as warehouse rows, and they document what a correct call
//! looks like. Property values come from [`super::encode::sample_values`]. Everything is fixed:
//! `messageId` is a UUID derived from the event name, `timestamp` is noon UTC on
//! the plan's timeline date (2026-01-01 without one), the day before `sunset`
//! for events retired by then. The ids a payload carries follow the event's
//! `identity`; `context.consent.categoryPreferences` grants the consent
//! categories of the event and its properties. Each version of a versioned
//! event has its sample (`samples/<slug>.v2.json`), carrying its version in
//! `context.protocols.event_version` (and its name and version in what
//! `messageId` is derived from).

use super::encode::sample_values::{self, Clock, Examples};
use super::every_view;
use super::{Artifact, Context, Target};
use crate::ir::{Date, Event, Identity, Plan, Property, Traits, TraitsKind, Type};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

pub(crate) struct Samples;

/// The ids carried by samples.
pub(crate) const USER_ID: &str = "qa-user-1";
pub(crate) const ANONYMOUS_ID: &str = "qa-anonymous-1";
pub(crate) const GROUP_ID: &str = "qa-group-1";

/// The date samples are dated when the plan has no timeline.
const DEFAULT_DATE: Date = Date {
    year: 2026,
    month: 1,
    day: 1,
};

impl Target for Samples {
    fn name(&self) -> &'static str {
        "samples"
    }

    fn description(&self) -> &'static str {
        "samples/<event>.json and samples/samples.ndjson: a valid example Segment payload per event, identify and group"
    }

    fn generate(&self, cx: &Context) -> Vec<Artifact> {
        let mut out = Vec::with_capacity(cx.plan.events.len() + 3);
        let mut ndjson = Vec::with_capacity(super::size_hint(cx.sources, 2));
        // Each sample is written as soon as it is made (not all held at once),
        // into a buffer that is reused: each file gets a copy of exactly its size.
        let mut line = Vec::with_capacity(64 * 1024);
        for s in samples(cx.plan) {
            // One line: each file is both a JSON document and a one-line NDJSON
            // file, so `eventsc validate --payloads samples/<slug>.json` reads it.
            line.clear();
            if serde_json::to_writer(&mut line, &s.payload).is_err() {
                line.clear();
            }
            line.push(b'\n');
            ndjson.extend_from_slice(&line);
            out.push(Artifact {
                path: s.path,
                bytes: line.clone(),
            });
        }
        out.push(Artifact {
            path: NDJSON.into(),
            bytes: ndjson,
        });
        out
    }
}

/// The path of the file holding every sample, one per line.
pub(crate) const NDJSON: &str = "samples/samples.ndjson";

/// One sample payload and the file it is written to.
///
/// Public only for the integration tests (tests/it).
pub struct Sample {
    pub path: String,
    pub payload: Value,
}

/// The sample file of each event, by event index.
pub(crate) fn event_paths(plan: &Plan) -> Vec<String> {
    super::event_slugs(plan)
        .into_iter()
        .map(|s| format!("samples/{s}.json"))
        .collect()
}

/// The sample file of the identify call.
pub(crate) const IDENTIFY_PATH: &str = "samples/identify.json";
/// The sample file of the group call.
pub(crate) const GROUP_PATH: &str = "samples/group.json";

/// Every sample of a plan, made one at a time: identify, group, then each event.
///
/// Public only for the integration tests (tests/it).
pub fn samples(plan: &Plan) -> impl Iterator<Item = Sample> + '_ {
    let base = plan
        .meta
        .timeline
        .as_ref()
        .map_or(DEFAULT_DATE, |t| t.value);
    let examples = Examples::new(plan);
    let clock = clock(base);
    let blocks = [(&plan.identify, IDENTIFY_PATH), (&plan.group, GROUP_PATH)]
        .into_iter()
        .filter_map(|(t, path)| Some((t.as_ref()?, None, path.to_string())));
    let views = plan
        .views
        .iter()
        .zip(super::view_stems(plan))
        .map(|(t, stem)| (t, every_view(plan, t), format!("samples/{stem}.json")));
    let calls: Vec<Sample> = blocks
        .chain(views)
        .map(|(t, every, path)| Sample {
            path,
            payload: with_envelope(
                plan,
                &examples,
                &clock,
                block(plan, &examples, &clock, t, every),
            ),
        })
        .collect();
    let events = plan
        .events
        .iter()
        .zip(event_paths(plan))
        .map(move |(e, path)| Sample {
            path,
            payload: track(plan, &examples, e, base),
        });
    calls.into_iter().chain(events)
}

/// The sample of an identify or group call, or of a page or screen call for
/// the rule `t` (with the properties of the rule for every page or screen,
/// `every`, which applies to it too): the ids, the block's properties
/// (`traits` or `properties`) and the consent they need.
fn block(
    plan: &Plan,
    examples: &Examples,
    clock: &Clock,
    t: &Traits,
    every: Option<&Traits>,
) -> Value {
    let kind = t.kind.keyword();
    let mut p = envelope(kind, t.name.as_ref().map_or(kind, |n| &*n.value), clock);
    if matches!(t.kind, TraitsKind::Page | TraitsKind::Screen) {
        p.insert("name".into(), json!(view_name(plan, t)));
    }
    if t.kind == TraitsKind::Group {
        p.insert("groupId".into(), json!(GROUP_ID));
    }
    p.insert("userId".into(), json!(USER_ID));
    let mut props = Map::new();
    let mut lists: Vec<&[Property]> = Vec::with_capacity(2);
    for b in every.into_iter().chain([t]) {
        props.extend(examples.object(&b.properties, clock));
        lists.push(&b.properties);
    }
    let field = t.kind.field().unwrap_or("properties");
    p.insert(field.into(), Value::Object(props));
    let consent = t
        .consent
        .as_ref()
        .or(every.and_then(|e| e.consent.as_ref()));
    let cx = consent_context(plan, consent.and_then(|r| r.target), &lists);
    p.insert("context".into(), Value::Object(cx));
    Value::Object(p)
}

/// The `name` of a page or screen rule's sample: the rule's, or for the rule
/// of every page (screen) a name no rule of its kind has (`Other page`, else
/// `Other page 2`, …), so that only that rule applies.
fn view_name(plan: &Plan, t: &Traits) -> String {
    if let Some(n) = &t.name {
        return n.value.to_string();
    }
    let taken = |name: &str| {
        plan.views
            .iter()
            .any(|v| v.kind == t.kind && v.name.as_ref().is_some_and(|n| *n.value == *name))
    };
    let base = format!("Other {}", t.kind.keyword());
    let mut name = base.clone();
    let mut n = 1;
    while taken(&name) {
        n += 1;
        name = format!("{base} {n}");
    }
    name
}

/// A sample with the plan's `envelope { }` filled in: each of its fields
/// (a declared object's members added to what the sample holds there, any
/// other value replacing the sample's, except the call's own `type`, `event`,
/// `name` and `messageId`), and the first of `require_one_of` when the sample
/// has none of them.
fn with_envelope(plan: &Plan, examples: &Examples, clock: &Clock, mut payload: Value) -> Value {
    let (Some(env), Value::Object(p)) = (&plan.envelope, &mut payload) else {
        return payload;
    };
    for (k, v) in examples.object(&env.properties, clock) {
        match (p.get_mut(&k), v) {
            (Some(Value::Object(have)), Value::Object(add)) => {
                for (k, v) in add {
                    have.entry(k).or_insert(v);
                }
            }
            (Some(_), _) if matches!(&*k, "type" | "event" | "name" | "messageId") => {}
            (_, v) => {
                p.insert(k, v);
            }
        }
    }
    let names = &env.require_one_of;
    if let Some(first) = names.first()
        && !names.iter().any(|n| p.contains_key(&*n.value))
    {
        let value = env
            .properties
            .iter()
            .find(|q| *q.name.value == *first.value)
            .map_or_else(|| json!(USER_ID), |q| examples.value(q, clock));
        p.insert(first.value.to_string(), value);
    }
    payload
}

fn clock(date: Date) -> Clock {
    Clock {
        date: date.to_string(),
        timestamp: format!("{date}T12:00:00.000Z"),
    }
}

/// The common envelope: type, messageId, timestamp.
fn envelope(kind: &str, name: &str, clock: &Clock) -> Map<String, Value> {
    let mut p = Map::new();
    p.insert("type".into(), json!(kind));
    p.insert("messageId".into(), json!(message_id(kind, name)));
    p.insert("timestamp".into(), json!(clock.timestamp));
    p
}

/// A UUID (version 4 layout) derived from the call type and name, so every run
/// gives the same id and different samples different ids.
pub(crate) fn message_id(kind: &str, name: &str) -> String {
    let digest = Sha256::digest(format!("eventsc sample\0{kind}\0{name}").as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex = super::hex(&b);
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

fn track(plan: &Plan, examples: &Examples, e: &Event, base: Date) -> Value {
    // A retired event is sampled the day before its sunset.
    let date = match &e.sunset {
        Some(s) if s.value <= base => date_from_days(s.value.days_since_epoch() - 1),
        _ => base,
    };
    let clock = clock(date);
    let mut p = if e.is_versioned() {
        // Each version's sample has an id of its own.
        envelope(
            "track",
            &format!("{}\0v{}", e.name.value, e.version()),
            &clock,
        )
    } else {
        envelope("track", &e.name.value, &clock)
    };
    p.insert("event".into(), json!(e.name.value));
    match e.identity() {
        Identity::User | Identity::Any => {
            p.insert("userId".into(), json!(USER_ID));
        }
        Identity::Anonymous => {
            p.insert("anonymousId".into(), json!(ANONYMOUS_ID));
        }
        Identity::Group => {
            p.insert("userId".into(), json!(USER_ID));
        }
    }
    let mut props = Map::new();
    if let Some(common) = &plan.common {
        props.extend(examples.object(&common.properties, &clock));
    }
    props.extend(examples.object(&e.properties, &clock));
    p.insert("properties".into(), Value::Object(props));
    let common = plan.common.as_ref().map_or(&[][..], |c| &c.properties);
    let mut cx = consent_context(
        plan,
        e.consent.as_ref().and_then(|r| r.target),
        &[common, &e.properties],
    );
    if e.identity() == Identity::Group {
        cx.insert("groupId".into(), json!(GROUP_ID));
    }
    if e.is_versioned() {
        // Segment picks the version from here (an integer); without it,
        // Protocols checks a payload against the oldest version.
        cx.insert("protocols".into(), json!({ "event_version": e.version() }));
    }
    p.insert("context".into(), Value::Object(cx));
    with_envelope(plan, examples, &clock, Value::Object(p))
}

/// `{"consent": {"categoryPreferences": {category: true, …}}}` granting the
/// consent purposes of a container and of every property the sample includes.
fn consent_context(plan: &Plan, own: Option<usize>, lists: &[&[Property]]) -> Map<String, Value> {
    fn collect(props: &[Property], used: &mut Vec<usize>) {
        for p in props.iter().filter(|p| sample_values::included(p)) {
            used.extend(p.effective.consent());
            let mut ty = &p.ty;
            while let Type::List(inner) = ty {
                ty = &inner.ty;
            }
            if let Type::Object(children) = ty {
                collect(children, used);
            }
        }
    }
    let mut used: Vec<usize> = own.into_iter().collect();
    for props in lists {
        collect(props, &mut used);
    }
    let mut prefs = Map::new();
    for c in used {
        prefs.insert(plan.consents[c].category().to_string(), Value::Bool(true));
    }
    let mut cx = Map::new();
    if !prefs.is_empty() {
        cx.insert(
            "consent".into(),
            json!({ "categoryPreferences": Value::Object(prefs) }),
        );
    }
    cx
}

/// The date `days` days after 1970-01-01 (inverse of `Date::days_since_epoch`).
pub(crate) fn date_from_days(days: i64) -> Date {
    let (year, month, day) = crate::ir::values::civil_from_days(days);
    Date {
        year: year.clamp(0, 9999) as u16,
        month: month as u8,
        day: day as u8,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip() {
        for s in ["1970-01-01", "2026-03-01", "2028-02-29", "2027-12-31"] {
            let d = Date::parse(s).unwrap();
            assert_eq!(date_from_days(d.days_since_epoch()), d);
        }
        let d = Date::parse("2027-03-01").unwrap();
        assert_eq!(
            date_from_days(d.days_since_epoch() - 1).to_string(),
            "2027-02-28"
        );
    }

    #[test]
    fn message_ids_are_uuids() {
        let id = message_id("track", "Trial Started");
        assert!(crate::ir::Format::Uuid.matches(&id), "{id}");
        assert_eq!(id, message_id("track", "Trial Started"));
        assert_ne!(id, message_id("track", "Invoice Paid"));
    }
}
