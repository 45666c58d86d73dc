//! `jsonschema`: one standalone draft-07 JSON Schema per event, validating the
//! whole Segment payload, plus `identify.json` and `group.json` for the traits
//! calls. Any validator can use them (they are the contract `eventsc validate`
//! implements and is tested against).
//!
//! Files: `schemas/<slug>.json` with the event name's [`slug`](super::slug)
//! (`"Trial Started"` → `schemas/trial-started.json`), `schemas/identify.json`,
//! `schemas/group.json`. An event whose slug is empty, is `identify` or `group`, or
//! is shared with another event gets `-` and the first 8 hex digits of the
//! SHA-256 of its name appended ([`super::event_slugs`], which `samples/` uses too).
//!
//! A track event's schema (keys sorted in the file):
//!
//! ```json
//! {
//!   "$schema": "http://json-schema.org/draft-07/schema#",
//!   "title": "Trial Started", "description": "…", "type": "object",
//!   "properties": {
//!     "type":  {"type": "string", "const": "track"},
//!     "event": {"type": "string", "const": "Trial Started"},
//!     "userId": {"type": ["string", "null"]}, "anonymousId": {"type": ["string", "null"]},
//!     "messageId": {"type": "string"},
//!     "timestamp": {"type": "string", "format": "date-time"},   // also originalTimestamp, sentAt, receivedAt
//!     "context": {"type": "object"}, "integrations": {"type": "object"},
//!     "properties": {"type": "object", "properties": {…}, "required": […]}
//!   },
//!   "required": ["type", "event", "properties"],
//!   "anyOf": [ …identity… ]
//! }
//! ```
//!
//! - `properties` holds the event's properties, then the `common` ones (an event
//!   property wins over a common one of the same name); each is typed as
//!   [`super::schema`] describes. `"properties"` is required only when one of them is.
//! - Identity, where "carries an id" means the field is present and a non-empty string:
//!   `user` → `userId` required, `{"type": "string", "minLength": 1}`;
//!   `anonymous` → the same for `anonymousId`;
//!   `group` → `context` required with `{"required": ["groupId"], "properties":
//!   {"groupId": {"type": "string", "minLength": 1}}}`;
//!   `any` (the default) → `"anyOf"` of two branches, one requiring each id as above.
//! - `identify.json`: `type` const `identify`, `traits` (the identify block), identity `any`.
//!   `group.json`: `type` const `group`, `groupId` required (non-empty string),
//!   `traits` (the group block), identity `any`.
//! - `additionalProperties` is never set, at any level: unplanned fields and
//!   properties are allowed (`validate` reports unplanned properties as warnings).

use super::{Artifact, Context, Target, schema, text};
use crate::ir::{Event, Identity, Plan, Traits};
use serde_json::{Map, Value, json};

pub struct JsonSchema;

const DRAFT_07: &str = "http://json-schema.org/draft-07/schema#";

impl Target for JsonSchema {
    fn name(&self) -> &'static str {
        "jsonschema"
    }

    fn description(&self) -> &'static str {
        "schemas/<event>.json: a standalone draft-07 JSON Schema of the whole Segment payload per event, identify and group"
    }

    fn generate(&self, cx: &Context) -> Vec<Artifact> {
        let plan = cx.plan;
        let mut out = Vec::with_capacity(plan.events.len() + 2);
        if let Some(t) = &plan.identify {
            out.push(Artifact::text(
                "schemas/identify.json",
                text::json_pretty(&identify_schema(t)),
            ));
        }
        if let Some(t) = &plan.group {
            out.push(Artifact::text(
                "schemas/group.json",
                text::json_pretty(&group_schema(t)),
            ));
        }
        for (i, name) in file_names(plan).into_iter().enumerate() {
            out.push(Artifact::text(
                format!("schemas/{name}.json"),
                text::json_pretty(&track_schema(plan, &plan.events[i])),
            ));
        }
        out
    }
}

/// The file stem of each event's schema, by event index (the plan's
/// [`event_slugs`](super::event_slugs), shared with every per-event output).
pub fn file_names(plan: &Plan) -> Vec<String> {
    super::event_slugs(plan)
}

/// The fields every Segment call may carry.
fn envelope(kind: &str) -> Map<String, Value> {
    let mut p = Map::new();
    p.insert("type".into(), json!({"type": "string", "const": kind}));
    p.insert("userId".into(), json!({"type": ["string", "null"]}));
    p.insert("anonymousId".into(), json!({"type": ["string", "null"]}));
    p.insert("messageId".into(), json!({"type": "string"}));
    for t in ["timestamp", "originalTimestamp", "sentAt", "receivedAt"] {
        p.insert(t.into(), json!({"type": "string", "format": "date-time"}));
    }
    p.insert("context".into(), json!({"type": "object"}));
    p.insert("integrations".into(), json!({"type": "object"}));
    p
}

fn id_schema() -> Value {
    json!({"type": "string", "minLength": 1})
}

/// A payload schema being built: the envelope, `properties` or `traits`, and
/// what is required.
struct Payload {
    title: String,
    description: Option<String>,
    props: Map<String, Value>,
    required: Vec<Value>,
    any_of: Option<Value>,
}

impl Payload {
    fn new(
        title: &str,
        description: Option<&str>,
        kind: &str,
        field: &str,
        object: (Value, bool),
    ) -> Payload {
        let mut props = envelope(kind);
        props.insert(field.into(), object.0);
        let mut required = vec![Value::from("type")];
        if kind == "track" {
            required.push("event".into());
        }
        if object.1 {
            required.push(field.into());
        }
        Payload {
            title: title.into(),
            description: description.map(str::to_string),
            props,
            required,
            any_of: None,
        }
    }

    /// Adds what `identity` requires.
    fn identity(&mut self, identity: Identity) {
        match identity {
            Identity::User | Identity::Anonymous => {
                let id = if identity == Identity::User {
                    "userId"
                } else {
                    "anonymousId"
                };
                self.props.insert(id.into(), id_schema());
                self.required.push(id.into());
            }
            Identity::Group => {
                self.props.insert(
                    "context".into(),
                    json!({
                        "type": "object",
                        "properties": {"groupId": id_schema()},
                        "required": ["groupId"]
                    }),
                );
                self.required.push("context".into());
            }
            Identity::Any => {
                let branch = |id: &str| {
                    json!({
                        "type": "object",
                        "properties": {id: id_schema()},
                        "required": [id]
                    })
                };
                self.any_of = Some(json!([branch("userId"), branch("anonymousId")]));
            }
        }
    }

    fn into_value(self) -> Value {
        let mut s = Map::new();
        s.insert("$schema".into(), DRAFT_07.into());
        s.insert("title".into(), self.title.into());
        if let Some(d) = self.description {
            s.insert("description".into(), d.into());
        }
        s.insert("type".into(), "object".into());
        s.insert("properties".into(), Value::Object(self.props));
        s.insert("required".into(), Value::Array(self.required));
        if let Some(a) = self.any_of {
            s.insert("anyOf".into(), a);
        }
        Value::Object(s)
    }
}

/// The schema of a track event's payload.
pub fn track_schema(plan: &Plan, e: &Event) -> Value {
    let common = plan.common.iter().flat_map(|c| c.properties.iter());
    let mut p = Payload::new(
        &e.name.value,
        e.description.as_ref().map(|d| d.value.as_str()),
        "track",
        "properties",
        schema::object(e.properties.iter().chain(common)),
    );
    p.props.insert(
        "event".into(),
        json!({"type": "string", "const": e.name.value}),
    );
    p.identity(e.identity());
    p.into_value()
}

/// The schema of an identify call's payload.
pub fn identify_schema(t: &Traits) -> Value {
    let mut p = Payload::new(
        "identify",
        t.description.as_ref().map(|d| d.value.as_str()),
        "identify",
        "traits",
        schema::object(t.properties.iter()),
    );
    p.identity(Identity::Any);
    p.into_value()
}

/// The schema of a group call's payload.
pub fn group_schema(t: &Traits) -> Value {
    let mut p = Payload::new(
        "group",
        t.description.as_ref().map(|d| d.value.as_str()),
        "group",
        "traits",
        schema::object(t.properties.iter()),
    );
    p.props.insert("groupId".into(), id_schema());
    p.required.push("groupId".into());
    p.identity(Identity::Any);
    p.into_value()
}
