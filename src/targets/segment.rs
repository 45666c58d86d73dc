//! `segment`: `segment/rules.json`, the body of Segment's Public API call
//! "Replace Rules in Tracking Plan" (`PUT /tracking-plans/{id}/rules`).
//!
//! Shape (keys sorted; rules in the order COMMON, IDENTIFY, GROUP, then TRACK by
//! event name):
//!
//! ```json
//! {"rules": [
//!   {"type": "COMMON", "version": 1, "jsonSchema": {…"properties": {"context": {}, "traits": {},
//!       "properties": {"type": "object", "properties": {…common…}, "required": […]}}}},
//!   {"type": "IDENTIFY", "version": 1, "jsonSchema": {…"properties": {"context": {}, "properties": {},
//!       "traits": {"type": "object", "properties": {…}, "required": […]}}}},
//!   {"type": "GROUP", …same with the group traits…},
//!   {"type": "TRACK", "key": "Trial Started", "version": 1, "jsonSchema": {
//!       "$schema": "http://json-schema.org/draft-07/schema#", "type": "object",
//!       "description": "…", "labels": {"owner": "growth", "source": "product", …},
//!       "properties": {"context": {}, "traits": {},
//!         "properties": {"type": "object", "properties": {…}, "required": […]}},
//!       "required": ["properties"]}}
//! ]}
//! ```
//!
//! - `key` is the event name for TRACK rules and absent otherwise (Segment's
//!   `RuleV1.key` is optional; COMMON, IDENTIFY and GROUP rules have none).
//! - `version` is Segment's integer event version (matched against
//!   `context.protocols.event_version`); the plan has one definition per event, so
//!   every rule is version 1. The plan's semantic versions go into `labels.since`.
//! - `labels` (TRACK only: Segment supports labels on track and page events) are
//!   string key/values: `owner`, `source`, `status`, `consent`, `retention` (the event's, else the
//!   plan's default),
//!   `identity`, and when written `flag`, `release`, `since`, `sunset`,
//!   `replaced_by`, `tags` (comma-separated).
//! - Property schemas come from [`super::schema`]. `required: ["properties"]` (or
//!   `["traits"]`) is added when a property is required, so a call without any
//!   properties is a violation too; not in the COMMON rule, which Segment applies
//!   to every call (identify and group calls carry no `properties`). The event's `identity` adds
//!   `userId` (user), `anonymousId` (anonymous) or `context.groupId` (group) to the
//!   required fields; `any` adds nothing, as Segment already rejects calls with
//!   neither id.
//! - Deprecated events stay in the rules (they are still sent until their sunset),
//!   labelled `status: deprecated`.

use super::{Artifact, Context, Target, schema, text};
use crate::ir::{Event, Identity, Plan, Traits};
use serde_json::{Map, Value, json};

pub struct Segment;

const DRAFT_07: &str = "http://json-schema.org/draft-07/schema#";

impl Target for Segment {
    fn name(&self) -> &'static str {
        "segment"
    }

    fn description(&self) -> &'static str {
        "segment/rules.json: Segment Public API tracking-plan rules (the body of \"replace rules in tracking plan\")"
    }

    fn generate(&self, cx: &Context) -> Vec<Artifact> {
        vec![Artifact::text("segment/rules.json", rules_json(cx.plan))]
    }
}

/// The rules, in order.
pub fn rules(plan: &Plan) -> impl Iterator<Item = Value> + '_ {
    let traits = [
        ("COMMON", "properties", &plan.common),
        ("IDENTIFY", "traits", &plan.identify),
        ("GROUP", "traits", &plan.group),
    ];
    let mut events: Vec<&Event> = plan.events.iter().collect();
    events.sort_by(|a, b| a.name.value.cmp(&b.name.value));
    traits
        .into_iter()
        .filter_map(|(kind, field, t)| t.as_ref().map(|t| traits_rule(kind, field, t)))
        .chain(events.into_iter().map(|e| track_rule(plan, e)))
}

/// The request body, `{"rules": [...]}`, as pretty JSON with sorted keys. Each
/// rule is rendered as soon as it is built, so the whole body never exists as
/// one JSON value (it is large: a 10,000-event plan gives 40 MB).
pub fn rules_json(plan: &Plan) -> String {
    let mut out = String::with_capacity(4096 + plan.events.len() * 8192);
    out.push_str("{\n  \"rules\": [");
    let mut empty = true;
    for rule in rules(plan) {
        out.push_str(if empty { "\n" } else { ",\n" });
        empty = false;
        text::indent(&mut out, 2);
        text::json_pretty_at(&mut out, &rule, 2);
    }
    out.push_str(if empty { "]\n}\n" } else { "\n  ]\n}\n" });
    out
}

/// A rule's JSON Schema: `context`, `traits` and `properties` as Segment's editor
/// writes them, with `field` holding the typed properties.
fn rule_schema(
    description: Option<&str>,
    field: &str,
    object: Value,
    required: bool,
) -> Map<String, Value> {
    let mut props = Map::new();
    for key in ["context", "traits", "properties"] {
        props.insert(key.into(), json!({}));
    }
    props.insert(field.into(), object);
    let mut s = Map::new();
    s.insert("$schema".into(), DRAFT_07.into());
    s.insert("type".into(), "object".into());
    if let Some(d) = description {
        s.insert("description".into(), d.into());
    }
    s.insert("properties".into(), Value::Object(props));
    if required {
        s.insert("required".into(), json!([field]));
    }
    s
}

fn traits_rule(kind: &str, field: &str, t: &Traits) -> Value {
    let (object, required) = schema::object(t.properties.iter());
    // Segment applies the COMMON schema to every call, identify and group calls
    // included, which have no `properties`: it must not require them.
    let s = rule_schema(
        t.description.as_ref().map(|d| d.value.as_str()),
        field,
        object,
        required && kind != "COMMON",
    );
    json!({ "type": kind, "version": 1, "jsonSchema": s })
}

fn track_rule(plan: &Plan, e: &Event) -> Value {
    let (object, required) = schema::object(e.properties.iter());
    let mut s = rule_schema(
        e.description.as_ref().map(|d| d.value.as_str()),
        "properties",
        object,
        required,
    );
    s.insert("labels".into(), Value::Object(labels(plan, e)));
    let id = match e.identity() {
        Identity::User => Some("userId"),
        Identity::Anonymous => Some("anonymousId"),
        Identity::Group => None,
        Identity::Any => None,
    };
    if let Some(id) = id {
        if let Some(Value::Object(props)) = s.get_mut("properties") {
            props.insert(id.into(), json!({"type": "string"}));
        }
        push_required(&mut s, id);
    }
    if e.identity() == Identity::Group {
        if let Some(Value::Object(props)) = s.get_mut("properties") {
            props.insert(
                "context".into(),
                json!({
                    "type": "object",
                    "properties": {"groupId": {"type": "string"}},
                    "required": ["groupId"]
                }),
            );
        }
        push_required(&mut s, "context");
    }
    json!({
        "type": "TRACK",
        "key": e.name.value,
        "version": 1,
        "jsonSchema": s,
    })
}

fn push_required(s: &mut Map<String, Value>, field: &str) {
    let entry = s.entry("required").or_insert_with(|| json!([]));
    if let Value::Array(list) = entry {
        list.push(field.into());
    }
}

fn labels(plan: &Plan, e: &Event) -> Map<String, Value> {
    let mut l: Map<String, Value> = super::event_labels(plan, e)
        .into_iter()
        .map(|(k, v)| (k.to_string(), Value::String(v)))
        .collect();
    let mut put = |k: &str, v: Option<String>| {
        if let Some(v) = v {
            l.insert(k.into(), Value::String(v));
        }
    };
    if !e.tags.is_empty() {
        put(
            "tags",
            Some(
                e.tags
                    .iter()
                    .map(|t| t.value.as_str())
                    .collect::<Vec<_>>()
                    .join(","),
            ),
        );
    }
    l
}
