//! `segment`: `segment/rules.json`, the body of Segment's Public API call
//! "Replace Rules in Tracking Plan" (`PUT /tracking-plans/{id}/rules`).
//!
//! Shape (keys sorted; rules in the order COMMON, IDENTIFY, GROUP, PAGE, SCREEN
//! (the rule for every page or screen first, then by name), then TRACK by event
//! name):
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
//!       "description": "…", "labels": {"owner": "growth", "team": "web", …},
//!       "properties": {"context": {}, "traits": {},
//!         "properties": {"type": "object", "properties": {…}, "required": […]}},
//!       "required": ["properties"]}}
//! ]}
//! ```
//!
//! - `key` is the event name for TRACK rules, the page or screen name for the
//!   PAGE and SCREEN rules of `page "Pricing"`/`screen "Checkout"`, and absent
//!   otherwise (Segment's `RuleV1.key` is optional; COMMON, IDENTIFY, GROUP and
//!   the rules for every page or screen have none).
//! - The COMMON rule holds `common` in `properties.properties` and the
//!   `envelope`'s fields beside it at the top level of `properties` (its
//!   `context` and `traits`, when it declares them, replace the empty ones); the
//!   envelope's required fields are the rule's root `required`, and
//!   `require_one_of a, b` is the root `"anyOf": [{"required": ["a"]},
//!   {"required": ["b"]}]`.
//! - `version` is Segment's integer event version (matched against
//!   `context.protocols.event_version`): one TRACK rule per version of an event
//!   (`version N` in the plan; 1 when not written), in version order; COMMON,
//!   IDENTIFY and GROUP rules are version 1. The plan's semantic versions go into
//!   `labels.since`.
//! - `labels` (TRACK only: Segment supports labels on track and page events) are
//!   string key/values, and only what the event states: its `labels "key:value"`
//!   and, each when written on the event, `owner`, `source`, `status`, `consent`,
//!   `retention`, `flag`, `release`, `since`, `sunset`, `replaced_by` and `tags`
//!   (comma-separated). Defaults are not labels (an unwritten `status` is
//!   `planned`, the plan's `retention` applies to every event), nor is `identity`,
//!   which the schema already states (the id it requires); an event that states
//!   nothing has no `labels`. A `labels` key wins over the field of that name.
//! - Property schemas come from [`super::encode::schema`]. `required: ["properties"]` (or
//!   `["traits"]`) is added when a property is required, so a call without any
//!   properties is a violation too; not in the COMMON rule, which Segment applies
//!   to every call (identify and group calls carry no `properties`). The event's `identity` adds
//!   `userId` (user), `anonymousId` (anonymous) or `context.groupId` (group) to the
//!   required fields; `any` adds nothing, as Segment already rejects calls with
//!   neither id.
//! - Deprecated events stay in the rules (they are still sent until their sunset),
//!   labelled `status: deprecated` (the field `status deprecated` states it).

use super::encode::schema;
use super::encode::text::{self, JsonWriter};
use super::{Artifact, Context, Target};
use crate::ir::{Event, Identity, Plan, Property, Traits, TraitsKind};

pub(crate) struct Segment;

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

/// The request body, `{"rules": [...]}`, as pretty JSON with sorted keys,
/// written rule by rule straight into the text (a 10,000-event plan gives 45 MB).
fn rules_json(plan: &Plan) -> String {
    let mut out = String::with_capacity(4096 + plan.events.len() * 8192);
    text::json_object(&mut out, 0, |o| {
        o.array("rules", |a| {
            if plan.common.is_some() || plan.envelope.is_some() {
                a.item_object(|o| common_rule(o, plan));
            }
            for (kind, field, t) in [
                ("IDENTIFY", "traits", &plan.identify),
                ("GROUP", "traits", &plan.group),
            ] {
                if let Some(t) = t {
                    a.item_object(|o| traits_rule(o, kind, field, t));
                }
            }
            // Page then screen rules; the one for every page first, then by name.
            let mut views: Vec<&Traits> = plan.views.iter().collect();
            views.sort_by_key(|t| {
                (
                    t.kind != TraitsKind::Page,
                    t.name.as_ref().map(|n| &n.value),
                )
            });
            for t in views {
                let kind = if t.kind == TraitsKind::Page {
                    "PAGE"
                } else {
                    "SCREEN"
                };
                a.item_object(|o| traits_rule(o, kind, "properties", t));
            }
            let mut events: Vec<&Event> = plan.events.iter().collect();
            events.sort_by(|a, b| (&a.name.value, a.version()).cmp(&(&b.name.value, b.version())));
            for e in events {
                a.item_object(|o| track_rule(o, e));
            }
        });
    });
    out.push('\n');
    out
}

/// What a rule's JSON Schema holds besides the typed properties.
struct Rule<'a> {
    description: Option<&'a str>,
    /// `properties` or `traits`: the field holding the typed properties.
    field: &'a str,
    /// Whether a required property makes `field` required.
    require_field: bool,
    /// The rule's labels (empty: no `labels`).
    labels: Vec<(&'a str, String)>,
    identity: Identity,
    /// `closed`: `additionalProperties: false` in `field`.
    closed: bool,
    /// The COMMON rule's envelope: its properties beside `field` (replacing
    /// the empty `context` and `traits` when it declares them), its required
    /// ones in the root `required`, `require_one_of` as the root `anyOf`.
    envelope: Option<&'a Traits>,
}

/// A rule's JSON Schema: `context`, `traits` and `properties` as Segment's editor
/// writes them, with `field` holding the typed properties; keys sorted.
fn rule_schema(o: &mut JsonWriter, r: &Rule, props: &[Property]) {
    o.str("$schema", schema::DRAFT_07);
    let id = match r.identity {
        Identity::User => Some("userId"),
        Identity::Anonymous => Some("anonymousId"),
        Identity::Group | Identity::Any => None,
    };
    let group = r.identity == Identity::Group;
    let mut required = false;
    if let Some(env) = r.envelope.filter(|e| !e.require_one_of.is_empty()) {
        o.array("anyOf", |a| {
            for n in &env.require_one_of {
                a.item_object(|o| o.array("required", |a| a.item_str(&n.value)));
            }
        });
    }
    if let Some(d) = r.description {
        o.str("description", d);
    }
    if !r.labels.is_empty() {
        o.object("labels", |o| {
            for (k, v) in &r.labels {
                o.str(k, v);
            }
        });
    }
    if let Some(env) = r.envelope {
        o.object("properties", |o| {
            envelope_members(o, env, |o| {
                required = schema::closed_object(o, props.iter(), r.closed)
            })
        });
        let mut names = env
            .properties
            .iter()
            .filter(|p| p.is_required())
            .map(|p| &*p.name.value)
            .peekable();
        if names.peek().is_some() {
            o.array("required", |a| names.for_each(|n| a.item_str(n)));
        }
        o.str("type", "object");
        return;
    }
    o.object("properties", |o| {
        if id == Some("anonymousId") {
            o.object("anonymousId", |o| o.str("type", "string"));
        }
        if group {
            o.object("context", |o| {
                o.object("properties", |o| {
                    o.object("groupId", |o| o.str("type", "string"));
                });
                o.array("required", |a| a.item_str("groupId"));
                o.str("type", "object");
            });
        } else {
            o.object("context", |_| {});
        }
        for key in ["properties", "traits"] {
            if key == r.field {
                o.object(key, |o| {
                    required = schema::closed_object(o, props.iter(), r.closed)
                });
            } else {
                o.object(key, |_| {});
            }
        }
        if id == Some("userId") {
            o.object("userId", |o| o.str("type", "string"));
        }
    });
    let required = [
        (required && r.require_field).then_some(r.field),
        id,
        group.then_some("context"),
    ];
    if required.iter().any(Option::is_some) {
        o.array("required", |a| {
            for f in required.into_iter().flatten() {
                a.item_str(f);
            }
        });
    }
    o.str("type", "object");
}

/// The entries of the COMMON rule's `properties`, keys sorted: the envelope's
/// properties, `context` and `traits` (empty unless the envelope declares
/// them) and `properties` (the `common` block, written by `common`).
fn envelope_members(o: &mut JsonWriter, env: &Traits, common: impl FnOnce(&mut JsonWriter)) {
    let mut common = Some(common);
    let mut entries: Vec<(&str, Option<&Property>)> = env
        .properties
        .iter()
        .filter(|p| &*p.name.value != "properties")
        .map(|p| (&*p.name.value, Some(p)))
        .collect();
    for key in ["context", "properties", "traits"] {
        if !entries.iter().any(|(n, _)| *n == key) {
            entries.push((key, None));
        }
    }
    entries.sort_by(|a, b| a.0.cmp(b.0));
    entries.dedup_by(|a, b| a.0 == b.0);
    for (name, p) in entries {
        match p {
            Some(p) => o.object(name, |o| schema::property(o, p)),
            None if name == "properties" => {
                if let Some(f) = common.take() {
                    o.object(name, f);
                }
            }
            None => o.object(name, |_| {}),
        }
    }
}

/// The COMMON rule: `common` in `properties.properties` and the envelope's
/// fields at the top level (see [`Rule::envelope`]).
fn common_rule(o: &mut JsonWriter, plan: &Plan) {
    let (props, closed, common_description) = match &plan.common {
        Some(c) => (
            &c.properties[..],
            c.closed.is_some(),
            c.description.as_ref(),
        ),
        None => (&[][..], false, None),
    };
    let env = plan.envelope.as_ref();
    o.object("jsonSchema", |o| {
        let rule = Rule {
            description: common_description
                .or_else(|| env.and_then(|e| e.description.as_ref()))
                .map(|d| d.value.as_str()),
            field: "properties",
            // Segment applies the COMMON schema to every call, identify and group
            // calls included, which have no `properties`: it must not require them.
            require_field: false,
            labels: Vec::new(),
            identity: Identity::Any,
            closed,
            envelope: env,
        };
        rule_schema(o, &rule, props);
    });
    o.str("type", "COMMON");
    o.raw("version", 1);
}

fn traits_rule(o: &mut JsonWriter, kind: &str, field: &str, t: &Traits) {
    o.object("jsonSchema", |o| {
        let rule = Rule {
            description: t.description.as_ref().map(|d| d.value.as_str()),
            field,
            require_field: true,
            labels: Vec::new(),
            identity: Identity::Any,
            closed: t.closed.is_some(),
            envelope: None,
        };
        rule_schema(o, &rule, &t.properties);
    });
    if let Some(n) = &t.name {
        o.str("key", &n.value);
    }
    o.str("type", kind);
    o.raw("version", 1);
}

fn track_rule(o: &mut JsonWriter, e: &Event) {
    o.object("jsonSchema", |o| {
        let rule = Rule {
            description: e.description.as_ref().map(|d| d.value.as_str()),
            field: "properties",
            require_field: true,
            labels: event_labels(e),
            identity: e.identity(),
            closed: e.closed().is_some(),
            envelope: None,
        };
        rule_schema(o, &rule, &e.properties);
    });
    o.str("key", &e.name.value);
    o.str("type", "TRACK");
    o.raw("version", e.version());
}

/// The labels the event states (see the module's doc), keys sorted; empty when
/// it states none.
fn event_labels(e: &Event) -> Vec<(&str, String)> {
    let mut l = crate::targets::event_labels(None, e);
    if !e.tags.is_empty() {
        let tags: Vec<&str> = e.tags.iter().map(|t| t.value.as_str()).collect();
        l.push(("tags", tags.join(",")));
    }
    // The plan's own labels (`labels "team:growth"`, split at the first `:`)
    // win over the field of the same key.
    for label in e.labels() {
        if let Some((k, v)) = label.value.split_once(':') {
            l.retain(|(key, _)| *key != k);
            l.push((k, v.to_string()));
        }
    }
    l.sort_by_key(|(k, _)| *k);
    l.dedup_by_key(|(k, _)| *k);
    l
}
