//! `jsonschema`: one standalone draft-07 JSON Schema per event, validating the
//! whole Segment payload, plus `identify.json` and `group.json` for the traits
//! calls. Any validator can use them (they are the contract `eventsc validate`
//! implements and is tested against).
//!
//! Files: `schemas/<slug>.json` with the event name's [`slug`](super::slug)
//! (`"Trial Started"` → `schemas/trial-started.json`), `schemas/identify.json`,
//! `schemas/group.json`. An event whose slug is empty, is `identify` or `group`,
//! is a device name Windows reserves (`con`, `nul`, `com1`, …), is longer than
//! 120 bytes (then cut there), or is shared with another event (`"X Y Ordered"`
//! and `"X-Y Ordered"`) gets `-` and the first 8 hex digits of the SHA-256 of
//! its name appended ([`super::event_slugs`], which `samples/` uses too): every
//! event gets a file of its own, valid on every file system, whatever its name.
//! Each version of an event has its own file: version 1 keeps the event's stem,
//! a higher one adds `.vN` (`schemas/order-completed.v2.json`); which one a
//! payload answers to is its `context.protocols.event_version` (the oldest
//! version without one, as Segment does), which the schemas themselves do not
//! constrain.
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
//!     "messageId": {"type": "string", "minLength": 1},
//!     "timestamp": {"type": "string", "format": "date-time"},   // also originalTimestamp, sentAt, receivedAt
//!     "context": {"type": "object"}, "integrations": {"type": "object"},
//!     "properties": {"type": "object", "properties": {…}, "required": […]}
//!   },
//!   "required": ["type", "messageId", "event", "properties"],
//!   "anyOf": [ …identity… ]
//! }
//! ```
//!
//! - `properties` holds the event's properties, then the `common` ones (an event
//!   property wins over a common one of the same name); each is typed as
//!   [`super::encode::schema`] describes. `"properties"` is required only when one of them is.
//! - Identity, where "carries an id" means the field is present and a non-empty string:
//!   `user` → `userId` required, `{"type": "string", "minLength": 1}`;
//!   `anonymous` → the same for `anonymousId`;
//!   `group` → `context` required with `{"required": ["groupId"], "properties":
//!   {"groupId": {"type": "string", "minLength": 1}}}`, and one of the two ids as for `any`
//!   (Segment rejects any call without a userId or an anonymousId);
//!   `any` (the default) → `"anyOf"` of two branches, one requiring each id as above.
//! - `identify.json`: `type` const `identify`, `traits` (the identify block), identity `any`.
//!   `group.json`: `type` const `group`, `groupId` required (non-empty string),
//!   `traits` (the group block), identity `any`.
//! - `additionalProperties` is set only by `closed` (`false` in the object it
//!   closes: an `object { … } closed`, or `properties`/`traits` for the field
//!   `closed` of the event, of `common` (every event) or of identify/group):
//!   otherwise unplanned fields and properties are allowed (`validate` reports
//!   unplanned properties as warnings).

use super::encode::schema;
use super::encode::text::{self, JsonWriter};
use super::{Artifact, Context, Target};
use crate::ir::{Event, Identity, Plan, Property, Traits};

pub(crate) struct JsonSchema;

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
        // Each schema is written into a buffer that is reused; its file gets a
        // copy of exactly its size.
        let mut buf = String::with_capacity(64 * 1024);
        let mut file = |path: String, write: &dyn Fn(&mut String)| {
            buf.clear();
            write(&mut buf);
            out.push(Artifact::text(path, buf.clone()));
        };
        for (kind, t) in [("identify", &plan.identify), ("group", &plan.group)] {
            if let Some(t) = t {
                file(format!("schemas/{kind}.json"), &|b| {
                    traits_schema(b, kind, t)
                });
            }
        }
        for (e, name) in plan.events.iter().zip(file_names(plan)) {
            file(format!("schemas/{name}.json"), &|b| {
                track_schema(b, plan, e)
            });
        }
        out
    }
}

/// The file stem of each event's schema, by event index (the plan's
/// [`event_slugs`](super::event_slugs), shared with every per-event output).
pub(crate) fn file_names(plan: &Plan) -> Vec<String> {
    super::event_slugs(plan)
}

/// `{"minLength": 1, "type": "string"}`: an id, a non-empty string.
fn id_schema(o: &mut JsonWriter) {
    o.raw("minLength", 1);
    o.str("type", "string");
}

/// `{"properties": {id: …}, "required": [id], "type": "object"}`.
fn requires_id(o: &mut JsonWriter, id: &str) {
    o.object("properties", |o| o.object(id, id_schema));
    o.array("required", |a| a.item_str(id));
    o.str("type", "object");
}

/// What a payload schema holds besides the envelope every Segment call may carry.
struct Payload<'a> {
    title: &'a str,
    description: Option<&'a str>,
    /// `track`, `identify` or `group`.
    kind: &'a str,
    /// `properties` or `traits`: the field holding the typed properties.
    field: &'a str,
    /// The event name (track calls).
    event: Option<&'a str>,
    identity: Identity,
    /// `closed`: no properties (traits) besides the typed ones.
    closed: bool,
}

impl Payload<'_> {
    /// Appends the schema as pretty JSON (keys sorted) with a final newline.
    fn render<'p>(&self, out: &mut String, props: impl Iterator<Item = &'p Property>) {
        text::json_object(out, 0, |o| self.entries(o, props));
        out.push('\n');
    }

    fn entries<'p>(&self, o: &mut JsonWriter, props: impl Iterator<Item = &'p Property>) {
        let (id, group) = match self.identity {
            Identity::User => (Some("userId"), false),
            Identity::Anonymous => (Some("anonymousId"), false),
            Identity::Group => (None, true),
            Identity::Any => (None, false),
        };
        let group_call = self.kind == "group";
        o.str("$schema", schema::DRAFT_07);
        // Segment rejects any call without a userId or an anonymousId.
        if id.is_none() {
            o.array("anyOf", |a| {
                a.item_object(|o| requires_id(o, "userId"));
                a.item_object(|o| requires_id(o, "anonymousId"));
            });
        }
        if let Some(d) = self.description {
            o.str("description", d);
        }
        let mut required = false;
        o.object("properties", |o| {
            let maybe_id = |o: &mut JsonWriter, name: &str| {
                if id == Some(name) {
                    o.object(name, id_schema);
                } else {
                    o.object(name, |o| {
                        o.array("type", |a| {
                            a.item_str("string");
                            a.item_str("null");
                        })
                    });
                }
            };
            let date_time = |o: &mut JsonWriter, name: &str| {
                o.object(name, |o| {
                    o.str("format", "date-time");
                    o.str("type", "string");
                })
            };
            let constant = |o: &mut JsonWriter, name: &str, value: &str| {
                o.object(name, |o| {
                    o.str("const", value);
                    o.str("type", "string");
                })
            };
            maybe_id(o, "anonymousId");
            if group {
                o.object("context", |o| requires_id(o, "groupId"));
            } else {
                o.object("context", |o| o.str("type", "object"));
            }
            if let Some(event) = self.event {
                constant(o, "event", event);
            }
            if group_call {
                o.object("groupId", id_schema);
            }
            o.object("integrations", |o| o.str("type", "object"));
            o.object("messageId", id_schema);
            date_time(o, "originalTimestamp");
            let mut props = Some(props);
            let mut typed = |o: &mut JsonWriter, name: &str| {
                if let Some(props) = props.take() {
                    o.object(name, |o| {
                        required = schema::closed_object(o, props, self.closed)
                    });
                }
            };
            if self.field == "properties" {
                typed(o, "properties");
            }
            date_time(o, "receivedAt");
            date_time(o, "sentAt");
            date_time(o, "timestamp");
            if self.field == "traits" {
                typed(o, "traits");
            }
            constant(o, "type", self.kind);
            maybe_id(o, "userId");
        });
        // Segment deduplicates on messageId: every captured call carries one.
        o.array("required", |a| {
            a.item_str("type");
            a.item_str("messageId");
            if self.event.is_some() {
                a.item_str("event");
            }
            if required {
                a.item_str(self.field);
            }
            if group_call {
                a.item_str("groupId");
            }
            if let Some(id) = id {
                a.item_str(id);
            }
            if group {
                a.item_str("context");
            }
        });
        o.str("title", self.title);
        o.str("type", "object");
    }
}

/// Appends the schema of a track event's payload, as pretty JSON.
pub(crate) fn track_schema(out: &mut String, plan: &Plan, e: &Event) {
    let common = plan.common.iter().flat_map(|c| c.properties.iter());
    let p = Payload {
        title: &e.name.value,
        description: e.description.as_ref().map(|d| d.value.as_str()),
        kind: "track",
        field: "properties",
        event: Some(&e.name.value),
        identity: e.identity(),
        // A closed `common` block closes every event too (its properties are
        // every event's).
        closed: e.closed().is_some() || plan.common.as_ref().is_some_and(|c| c.closed.is_some()),
    };
    p.render(out, e.properties.iter().chain(common))
}

/// Appends the schema of an identify or group call's payload (`kind`), as pretty JSON.
pub(crate) fn traits_schema(out: &mut String, kind: &str, t: &Traits) {
    let p = Payload {
        title: kind,
        description: t.description.as_ref().map(|d| d.value.as_str()),
        kind,
        field: "traits",
        event: None,
        identity: Identity::Any,
        closed: t.closed.is_some(),
    };
    p.render(out, t.properties.iter())
}
