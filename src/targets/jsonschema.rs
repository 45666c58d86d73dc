//! `jsonschema`: one standalone draft-07 JSON Schema per event, validating the
//! whole Segment payload, plus `identify.json` and `group.json` for the traits
//! calls and one per page and screen rule. Any validator can use them (they are
//! the contract `eventsc validate` implements and is tested against: the ajv
//! differential, tests/it/validate_ajv.rs).
//!
//! Which schema a payload answers to: a track call's by its `event` (and
//! version, below); identify and group by `type`; a page (screen) call named N
//! `schemas/page_<slug of N>.json` when the plan has `page "N"`, else
//! `schemas/page_all.json` (the rule for every page), else none (the plan says
//! nothing about that page). A named rule's schema holds the rule for every
//! page's properties too (a page is checked against both, as `validate` does),
//! with `name` const and required; `closed` on either closes both. Page and
//! screen stems hold `_`, which no event's stem does.
//!
//! The plan's `envelope { }` is merged into every schema rather than written
//! as a schema of its own: a payload is then checked by one schema, as a
//! validator in a pipeline picks one per payload. Its fields sit beside the
//! built-in ones at the top level (where both type a field, `context` or
//! `userId`, under `allOf` of the two), its required fields join the root
//! `required`, and `require_one_of a, b` is `"allOf": [{"anyOf":
//! [{"required": ["a"]}, {"required": ["b"]}]}]` (`userId, anonymousId` is
//! Segment's own rule, which the root `anyOf` below already states). Objects
//! it declares are open unless `closed` (the libraries add their own keys to
//! `context`).
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
use crate::source::Spanned;

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
                    traits_schema(b, plan, kind, t)
                });
            }
        }
        for (t, stem) in plan.views.iter().zip(super::view_stems(plan)) {
            file(format!("schemas/{stem}.json"), &|b| {
                view_schema(b, plan, t, super::every_view(plan, t))
            });
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
    /// `track`, `identify`, `group`, `page` or `screen`.
    kind: &'a str,
    /// `properties` or `traits`: the field holding the typed properties.
    field: &'a str,
    /// The event name (track calls).
    event: Option<&'a str>,
    /// The page or screen name (a named page or screen rule).
    name: Option<&'a str>,
    identity: Identity,
    /// `closed`: no properties (traits) besides the typed ones.
    closed: bool,
    /// The plan's `envelope { }`: its fields on every call.
    envelope: Option<&'a Traits>,
}

/// A top-level field every Segment call may carry, as the schemas type it.
#[derive(Clone, Copy)]
enum Field<'a> {
    /// A non-empty string.
    Id,
    /// A string or null (`userId`, `anonymousId` when the identity does not require it).
    MaybeId,
    /// An object.
    Object,
    /// `context` of a `group`-identity event: `groupId` required.
    GroupContext,
    /// `{"const": …, "type": "string"}`.
    Const(&'a str),
    DateTime,
    /// `properties` or `traits`: the typed properties.
    Typed,
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
        let env = self.envelope;
        o.str("$schema", schema::DRAFT_07);
        // `require_one_of` (beside Segment's own rule on the two ids, which
        // `anyOf` already states).
        if let Some(names) = env
            .map(|e| &e.require_one_of)
            .filter(|n| !n.is_empty() && !is_the_ids_rule(n))
        {
            o.array("allOf", |a| {
                a.item_object(|o| {
                    o.array("anyOf", |a| {
                        for n in names {
                            a.item_object(|o| o.array("required", |a| a.item_str(&n.value)));
                        }
                    })
                })
            });
        }
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
        let maybe = |name: &str| {
            if id == Some(name) {
                Field::Id
            } else {
                Field::MaybeId
            }
        };
        let mut fields: Vec<(&str, Field)> = vec![
            ("anonymousId", maybe("anonymousId")),
            (
                "context",
                if group {
                    Field::GroupContext
                } else {
                    Field::Object
                },
            ),
            ("integrations", Field::Object),
            ("messageId", Field::Id),
            ("originalTimestamp", Field::DateTime),
            (self.field, Field::Typed),
            ("receivedAt", Field::DateTime),
            ("sentAt", Field::DateTime),
            ("timestamp", Field::DateTime),
            ("type", Field::Const(self.kind)),
            ("userId", maybe("userId")),
        ];
        if let Some(event) = self.event {
            fields.push(("event", Field::Const(event)));
        }
        if let Some(name) = self.name {
            fields.push(("name", Field::Const(name)));
        }
        if group_call {
            fields.push(("groupId", Field::Id));
        }
        // The envelope's fields beside (or, under `allOf`, on top of) them.
        let mut entries: Vec<(&str, Option<Field>, Option<&Property>)> = fields
            .into_iter()
            .map(|(n, f)| (n, Some(f), None))
            .collect();
        for p in env.iter().flat_map(|e| e.properties.iter()) {
            match entries.iter_mut().find(|(n, _, _)| **n == *p.name.value) {
                Some(entry) => entry.2 = entry.2.or(Some(p)),
                None => entries.push((&p.name.value, None, Some(p))),
            }
        }
        entries.sort_by(|a, b| a.0.cmp(b.0));
        let mut required = false;
        let mut props = Some(props);
        o.object("properties", |o| {
            let mut field = |o: &mut JsonWriter, f: Field| match f {
                Field::Id => id_schema(o),
                Field::MaybeId => o.array("type", |a| {
                    a.item_str("string");
                    a.item_str("null");
                }),
                Field::Object => o.str("type", "object"),
                Field::GroupContext => requires_id(o, "groupId"),
                Field::Const(value) => {
                    o.str("const", value);
                    o.str("type", "string");
                }
                Field::DateTime => {
                    o.str("format", "date-time");
                    o.str("type", "string");
                }
                Field::Typed => {
                    if let Some(props) = props.take() {
                        required = schema::closed_object(o, props, self.closed);
                    }
                }
            };
            for (name, f, p) in entries.iter().copied() {
                o.object(name, |o| match (f, p) {
                    (Some(f), None) => field(o, f),
                    (None, Some(p)) => schema::property(o, p),
                    (Some(f), Some(p)) => o.array("allOf", |a| {
                        a.item_object(|o| field(o, f));
                        a.item_object(|o| schema::property(o, p));
                    }),
                    (None, None) => {}
                });
            }
        });
        // Segment deduplicates on messageId: every captured call carries one.
        o.array("required", |a| {
            let mut listed: Vec<&str> = vec!["type", "messageId"];
            listed.extend(self.event.map(|_| "event"));
            listed.extend(self.name.map(|_| "name"));
            if required {
                listed.push(self.field);
            }
            if group_call {
                listed.push("groupId");
            }
            listed.extend(id);
            if group {
                listed.push("context");
            }
            for p in env.iter().flat_map(|e| e.properties.iter()) {
                if p.is_required() && !listed.contains(&&*p.name.value) {
                    listed.push(&p.name.value);
                }
            }
            for n in listed {
                a.item_str(n);
            }
        });
        o.str("title", self.title);
        o.str("type", "object");
    }
}

/// `require_one_of userId, anonymousId`: Segment's own rule, which every
/// schema states already.
fn is_the_ids_rule(names: &[Spanned<String>]) -> bool {
    names.len() == 2
        && names
            .iter()
            .all(|n| n.value == "userId" || n.value == "anonymousId")
        && names[0].value != names[1].value
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
        name: None,
        identity: e.identity(),
        // A closed `common` block closes every event too (its properties are
        // every event's).
        closed: e.closed().is_some() || plan.common.as_ref().is_some_and(|c| c.closed.is_some()),
        envelope: plan.envelope.as_ref(),
    };
    p.render(out, e.properties.iter().chain(common))
}

/// Appends the schema of an identify or group call's payload (`kind`), as pretty JSON.
pub(crate) fn traits_schema(out: &mut String, plan: &Plan, kind: &str, t: &Traits) {
    let p = Payload {
        title: kind,
        description: t.description.as_ref().map(|d| d.value.as_str()),
        kind,
        field: "traits",
        event: None,
        name: None,
        identity: Identity::Any,
        closed: t.closed.is_some(),
        envelope: plan.envelope.as_ref(),
    };
    p.render(out, t.properties.iter())
}

/// Appends the schema of a page or screen call's payload for the rule `t`, as
/// pretty JSON: a named rule's properties, then those of the rule for every
/// page (screen) `every`, which applies to it too (as `common` does to events).
pub(crate) fn view_schema(out: &mut String, plan: &Plan, t: &Traits, every: Option<&Traits>) {
    let title = Plan::view_label(t);
    let every = every.filter(|e| !std::ptr::eq(*e, t));
    let p = Payload {
        title: &title,
        description: t.description.as_ref().map(|d| d.value.as_str()),
        kind: t.kind.keyword(),
        field: "properties",
        event: None,
        name: t.name.as_ref().map(|n| n.value.as_str()),
        identity: Identity::Any,
        closed: t.closed.is_some() || every.is_some_and(|e| e.closed.is_some()),
        envelope: plan.envelope.as_ref(),
    };
    let extra = every.iter().flat_map(|e| e.properties.iter());
    p.render(out, t.properties.iter().chain(extra))
}
