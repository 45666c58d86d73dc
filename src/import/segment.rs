//! Reading Segment's Public API tracking-plan rules: `{"rules": [...]}` (the body
//! of "Replace Rules in Tracking Plan", as the `segment` target writes it), the
//! API's responses and exports that wrap it (`{"data": {"rules": …}}`,
//! `{"trackingPlan": {…, "rules": …}}`, `{"data": {"trackingPlan": …}}`), a bare
//! array of rules, and typewriter's sanitized `plan.json` (rules whose schema
//! has `eventMetadata` and holds the event's properties directly).
//!
//! Each rule is `{"type", "key"?, "version", "jsonSchema"}`:
//!
//! - `TRACK` → an event named `key` (one `event` per version, `version N` when
//!   it is not 1); its schema's `properties.properties` holds the event's
//!   properties (`additionalProperties: false` there: `closed`), `description`
//!   its description, `labels` its fields (`owner`, `source`, `status`,
//!   `consent`, `retention`, `identity`, `flag`, `release`, `since`, `sunset`,
//!   `replaced_by`, `tags`) and its `key:value` labels (any other key). The
//!   `userId`, `anonymousId` or `context.groupId` that an `identity` adds are
//!   read back as that identity.
//! - `IDENTIFY` / `GROUP` → `identify` / `group` from `properties.traits`.
//! - `COMMON` → `common` from `properties.properties`; its other top-level
//!   fields (`context`, `userId`, …), its root `required` and its `anyOf` of
//!   `required` lists → `envelope { }` (`not: {pattern}` / `not: {enum}` →
//!   `not_pattern` / `not_enum`).
//! - `PAGE` / `SCREEN` → `page "key" { }` / `screen "key" { }` (`page { }` without a key).
//!
//! Property schemas are read by `schema` (`super::schema`). Keys with no plan meaning
//! (`createdAt`, `updatedAt`, an unset `deprecatedAt`, the editor's `id`,
//! `$schema`) are skipped and counted; anything else the plan cannot hold is a
//! warning with its JSON pointer.

use super::schema::{self, QUIET};
use super::{
    Envelope, Event, ImportError, Plan, Property, Report, Screen, Traits, Type, is_ident,
    is_owner_id, pointer_token,
};
use rustc_hash::{FxHashMap, FxHashSet};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// Reads rules JSON in any of the shapes above.
pub fn read(text: &str) -> Result<(Plan, Report), ImportError> {
    let root = parse_json(text)?;
    let mut b = Builder::default();
    feed(&mut b, &root)?;
    Ok(b.finish())
}

/// The rules of `root` (any of the shapes above) into `b`.
pub(crate) fn feed(b: &mut Builder, root: &Value) -> Result<(), ImportError> {
    let (rules, base, outer) = find_rules(root)?;
    if let Some((obj, at)) = outer {
        b.plan_fields(obj, &at, &["rules"]);
    }
    for (i, rule) in rules.iter().enumerate() {
        let at = format!("{base}/{i}");
        b.public_rule(rule, &at)?;
    }
    Ok(())
}

/// Parses JSON, errors located at `line:column`.
pub(crate) fn parse_json(text: &str) -> Result<Value, ImportError> {
    serde_json::from_str(text).map_err(|e| {
        let msg = strip_position(&e.to_string());
        let msg = match msg.as_str() {
            // serde_json stops at 128 levels rather than exhaust the stack.
            "recursion limit exceeded" => {
                "the JSON nests more than 128 levels deep, deeper than eventsc reads".to_string()
            }
            "number out of range" => {
                "a number too large for a 64-bit float (over 1.8e308)".to_string()
            }
            _ => format!("invalid JSON: {msg}"),
        };
        ImportError::new(format!("{}:{}", e.line(), e.column()), msg)
    })
}

const SHAPES: &str = "expected Segment rules: `{\"rules\": [...]}`, `{\"data\": {\"rules\": [...]}}`, `{\"trackingPlan\": {\"rules\": [...]}}` or an array of rules";

/// The rules array, its pointer, and the object around it (the tracking plan's
/// own fields: name, description…) with its pointer.
#[allow(clippy::type_complexity)]
pub(crate) fn find_rules(
    root: &Value,
) -> Result<(&Vec<Value>, String, Option<(&Map<String, Value>, String)>), ImportError> {
    let mut node = root;
    let mut at = String::new();
    loop {
        match node {
            Value::Array(a) => return Ok((a, at, None)),
            Value::Object(o) => {
                if let Some(rules) = o.get("rules") {
                    return match rules {
                        Value::Array(a) => Ok((a, format!("{at}/rules"), Some((o, at)))),
                        _ => Err(ImportError::new(
                            format!("{at}/rules"),
                            "`rules` must be an array",
                        )),
                    };
                }
                match ["data", "trackingPlan", "tracking_plan"]
                    .iter()
                    .find_map(|k| o.get(*k).map(|v| (k, v)))
                {
                    Some((k, v)) if v.is_object() || v.is_array() => {
                        at = format!("{at}/{k}");
                        node = v;
                    }
                    _ => {
                        return Err(ImportError::new(
                            if at.is_empty() { "/".to_string() } else { at },
                            SHAPES,
                        ));
                    }
                }
            }
            _ => {
                return Err(ImportError::new(
                    if at.is_empty() { "/" } else { &at },
                    SHAPES,
                ));
            }
        }
    }
}

/// serde_json appends " at line L column C"; the location is given separately.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

/// Segment's labels that are fields of the plan's events (the labels the
/// `segment` target writes for them).
pub(crate) const LABELS: &[&str] = &[
    "owner",
    "source",
    "status",
    "consent",
    "retention",
    "identity",
    "flag",
    "release",
    "since",
    "sunset",
    "replaced_by",
    "tags",
];

/// The kinds of rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Track,
    Identify,
    Group,
    Common,
    Page,
    Screen,
}

impl Kind {
    pub(crate) fn parse(s: &str) -> Option<Kind> {
        Some(match s.to_ascii_uppercase().as_str() {
            "TRACK" => Kind::Track,
            "IDENTIFY" => Kind::Identify,
            "GROUP" => Kind::Group,
            "COMMON" => Kind::Common,
            "PAGE" => Kind::Page,
            "SCREEN" => Kind::Screen,
            _ => return None,
        })
    }
}

/// One rule, from whichever layout.
pub(crate) struct Rule<'v> {
    pub(crate) kind: Kind,
    pub(crate) key: Option<&'v str>,
    pub(crate) version: u64,
    pub(crate) schema: Option<&'v Map<String, Value>>,
    /// The rule's pointer (rule-level warnings).
    pub(crate) at: String,
    /// The schema's pointer.
    pub(crate) schema_at: String,
    /// A description kept beside the schema (Config API v1).
    pub(crate) description: Option<String>,
    /// typewriter's sanitized form: the properties (or traits) directly under
    /// the schema's `properties`.
    pub(crate) lifted: bool,
}

/// What [`Builder::head`] reads.
struct Head<'s> {
    description: Option<String>,
    labels: Option<(&'s Value, String)>,
    required: Vec<&'s str>,
}

/// Builds a plan from rules, whatever layout they came in.
#[derive(Default)]
pub(crate) struct Builder {
    pub(crate) plan: Plan,
    pub(crate) report: Report,
    /// (name, version) → index in `plan.events`.
    events: HashMap<(String, u64), usize>,
    /// The page and screen rules read: (keyword, name).
    screens: FxHashSet<(&'static str, Option<String>)>,
}

impl Builder {
    pub(crate) fn finish(mut self) -> (Plan, Report) {
        // Several versions of an event: each says its version.
        let mut versions: HashMap<&str, usize> = HashMap::new();
        for e in &self.plan.events {
            *versions.entry(e.name.as_str()).or_default() += 1;
        }
        let several: std::collections::HashSet<String> = versions
            .into_iter()
            .filter(|(_, n)| *n > 1)
            .map(|(k, _)| k.to_string())
            .collect();
        for e in &mut self.plan.events {
            if e.version.is_none() && several.contains(&e.name) {
                e.version = Some(1);
            }
        }
        (self.plan, self.report)
    }

    /// The tracking plan's own fields around its rules: `name` (the title),
    /// ids and timestamps (skipped), anything else a warning.
    pub(crate) fn plan_fields(&mut self, obj: &Map<String, Value>, at: &str, handled: &[&str]) {
        for (k, v) in obj {
            let here = format!("{at}/{}", pointer_token(k));
            match k.as_str() {
                k if handled.contains(&k) => {}
                "name" | "display_name" | "displayName" => {
                    if let Some(n) = v.as_str().filter(|n| !n.trim().is_empty()) {
                        // Config API names are paths (`workspaces/x/tracking-plans/rs_…`).
                        if !n.contains('/') || self.plan.title.is_empty() {
                            self.plan.title = n.to_string();
                        }
                    }
                }
                "description" if v.as_str().is_some_and(str::is_empty) || v.is_null() => {}
                "id" | "slug" | "resourceSchemaId" | "workspaceId" | "createdAt" | "updatedAt"
                | "create_time" | "update_time" | "pagination" | "type" | "sourceIds" => {
                    self.report.skip(k)
                }
                _ => self.report.warn(
                    "plan",
                    here,
                    format!("tracking plan field `{k}` is not modelled; dropped"),
                ),
            }
        }
    }

    /// A rule of the Public API (`{"type", "key", "version", "jsonSchema"}`).
    pub(crate) fn public_rule(&mut self, rule: &Value, at: &str) -> Result<(), ImportError> {
        let obj = rule
            .as_object()
            .ok_or_else(|| ImportError::new(at, "a rule must be an object"))?;
        let kind = match obj.get("type") {
            Some(Value::String(s)) => Kind::parse(s).ok_or_else(|| {
                ImportError::new(
                    format!("{at}/type"),
                    format!(
                        "unknown rule type `{s}` (expected TRACK, IDENTIFY, GROUP, COMMON, PAGE or SCREEN)"
                    ),
                )
            })?,
            _ => {
                return Err(ImportError::new(
                    format!("{at}/type"),
                    "a rule needs a `type` string",
                ));
            }
        };
        let schema = schema_of(obj, "jsonSchema", at, "`jsonSchema` must be an object")?;
        let version = version(obj.get("version"), at)?;
        let key = match obj.get("key") {
            Some(Value::String(s)) if !s.trim().is_empty() => Some(s.as_str()),
            _ => None,
        };
        let subject = subject(kind, key);
        for (k, v) in obj {
            match k.as_str() {
                "type" | "key" | "version" | "jsonSchema" => {}
                "createdAt" | "updatedAt" | "id" => self.report.skip(k),
                "deprecatedAt" if is_unset_date(v) => self.report.skip(k),
                _ => self.report.warn(
                    &subject,
                    format!("{at}/{}", pointer_token(k)),
                    format!("rule field `{k}` is not modelled; dropped"),
                ),
            }
        }
        let lifted = schema.is_some_and(|s| s.contains_key("eventMetadata"));
        self.rule(Rule {
            kind,
            key,
            version,
            schema,
            at: at.to_string(),
            schema_at: format!("{at}/jsonSchema"),
            description: None,
            lifted,
        })
    }

    pub(crate) fn rule(&mut self, r: Rule) -> Result<(), ImportError> {
        match r.kind {
            Kind::Track => self.track(r),
            Kind::Identify | Kind::Group => {
                let keyword = if r.kind == Kind::Identify {
                    "identify"
                } else {
                    "group"
                };
                let t = self.traits(keyword, &r, "traits");
                let slot = if r.kind == Kind::Identify {
                    &mut self.plan.identify
                } else {
                    &mut self.plan.group
                };
                if slot.is_some() {
                    self.report.warn(
                        keyword,
                        &r.at,
                        format!("a second {keyword} rule: only the first is kept"),
                    );
                } else {
                    *slot = Some(t);
                }
                Ok(())
            }
            Kind::Common => {
                self.common(&r);
                Ok(())
            }
            Kind::Page | Kind::Screen => {
                let keyword = if r.kind == Kind::Page {
                    "page"
                } else {
                    "screen"
                };
                let traits = self.traits(keyword, &r, "properties");
                let name = r.key.map(str::to_string);
                if !self.screens.insert((keyword, name.clone())) {
                    self.report.warn(
                        &subject(r.kind, r.key),
                        &r.at,
                        format!(
                            "a second {keyword} rule for the same name: only the first is kept"
                        ),
                    );
                } else {
                    self.plan.screens.push(Screen {
                        keyword,
                        name,
                        traits,
                    });
                }
                Ok(())
            }
        }
    }

    /// The schema-level keys every rule may have; returns the ones left for the caller.
    fn schema_keys<'s>(
        &mut self,
        subject: &str,
        schema: &'s Map<String, Value>,
        at: &str,
        own: &[&str],
    ) -> Vec<(&'s String, &'s Value)> {
        let mut rest = Vec::new();
        for (key, v) in schema {
            let k = key.as_str();
            match k {
                k if own.contains(&k) => rest.push((key, v)),
                q if QUIET.contains(&q) => self.report.skip(q),
                "eventMetadata" => self.report.skip(k),
                "type" if v == "object" => {}
                _ => self.report.warn(
                    subject,
                    format!("{at}/{}", pointer_token(k)),
                    format!("keyword `{k}` is not modelled; dropped"),
                ),
            }
        }
        rest
    }

    /// The keys a TRACK, IDENTIFY, GROUP, PAGE or SCREEN rule's schema shares:
    /// its description, labels (with their pointer) and root `required` (not
    /// in the sanitized form, where `required` lists the properties).
    fn head<'s>(
        &mut self,
        subject: &str,
        schema: &'s Map<String, Value>,
        at: &str,
        lifted: bool,
    ) -> Head<'s> {
        let rest = self.schema_keys(
            subject,
            schema,
            at,
            &[
                "description",
                "labels",
                "properties",
                "required",
                "additionalProperties",
            ],
        );
        let mut head = Head {
            description: None,
            labels: None,
            required: Vec::new(),
        };
        for (k, v) in rest {
            let here = format!("{at}/{k}");
            match k.as_str() {
                "description" => head.description = self.description(subject, v, &here),
                "labels" => head.labels = Some((v, here)),
                "required" if !lifted => match v.as_array() {
                    Some(a) => head.required = names(a),
                    None => self
                        .report
                        .warn(subject, &here, "`required` is not a list; dropped"),
                },
                "additionalProperties" if !lifted => self.report.warn(
                    subject,
                    &here,
                    "`additionalProperties` on the call is not modelled (`closed` closes the properties); dropped",
                ),
                _ => {}
            }
        }
        head
    }

    fn description(&mut self, subject: &str, v: &Value, at: &str) -> Option<String> {
        match v {
            Value::String(s) if s.is_empty() => None,
            Value::String(s) => Some(s.clone()),
            Value::Null => None,
            _ => {
                self.report.warn(subject, at, "not a string; dropped");
                None
            }
        }
    }

    /// The object holding the typed properties (`properties.properties` or
    /// `properties.traits`): its members and whether it is closed.
    fn payload_object(&mut self, subject: &str, v: &Value, at: &str) -> (Vec<Property>, bool) {
        let Some(o) = v.as_object() else {
            self.report
                .warn(subject, at, "not an object schema; dropped");
            return (Vec::new(), false);
        };
        for (k, v) in o {
            match k.as_str() {
                "properties" | "required" | "additionalProperties" => {}
                "type" if v == "object" => {}
                "type"
                    if v.as_array().is_some_and(|a| {
                        a.iter().all(|t| t == "object" || t == "null") && !a.is_empty()
                    }) => {}
                q if QUIET.contains(&q) => self.report.skip(q),
                "description" if v.as_str().is_some_and(str::is_empty) => {}
                _ => self.report.warn(
                    subject,
                    format!("{at}/{}", pointer_token(k)),
                    format!("keyword `{k}` is not modelled; dropped"),
                ),
            }
        }
        let mut r = schema::Reader::new(&mut self.report);
        r.members(subject, o, at)
    }

    /// `labels`: the plan's event fields, then `key:value` labels.
    fn labels(&mut self, subject: &str, e: &mut Event, labels: &Value, at: &str) {
        let Some(labels) = labels.as_object() else {
            self.report
                .warn(subject, at, "`labels` is not an object; dropped");
            return;
        };
        for (k, v) in labels {
            let here = format!("{at}/{}", pointer_token(k));
            let Some(v) = v.as_str() else {
                self.report.warn(
                    subject,
                    &here,
                    format!("label `{k}` is not a string; dropped"),
                );
                continue;
            };
            if !LABELS.contains(&k.as_str()) || !field_label(e, k, v) {
                e.labels.push(format!("{k}:{v}"));
            }
        }
    }

    fn track(&mut self, r: Rule) -> Result<(), ImportError> {
        let Some(name) = r.key else {
            return Err(ImportError::new(
                format!("{}/key", r.at),
                "a TRACK rule needs a `key` (the event name)",
            ));
        };
        let subject = format!("event {name:?}");
        let mut e = Event {
            name: name.to_string(),
            version: (r.version != 1).then_some(r.version),
            description: r.description.clone(),
            ..Event::default()
        };
        if let Some(schema) = r.schema {
            let at = &r.schema_at;
            let head = self.head(&subject, schema, at, r.lifted);
            if head.description.is_some() {
                e.description = head.description;
            }
            if let Some((labels, here)) = head.labels {
                self.labels(&subject, &mut e, labels, &here);
            }
            let required = head.required;
            if r.lifted {
                let mut reader = schema::Reader::new(&mut self.report);
                (e.properties, e.closed) = reader.members(&subject, schema, at);
            } else if let Some(props) = schema.get("properties") {
                self.track_payload(
                    &subject,
                    &mut e,
                    props,
                    &required,
                    &format!("{at}/properties"),
                );
                for req in &required {
                    let handled = match *req {
                        "properties" => {
                            if !e.properties.iter().any(|p| p.required) {
                                self.report.warn(
                                    &subject,
                                    format!("{at}/required"),
                                    "the call must carry `properties` though no property is required: not modelled; dropped",
                                );
                            }
                            true
                        }
                        "userId" => e.identity.as_deref() == Some("user"),
                        "anonymousId" => e.identity.as_deref() == Some("anonymous"),
                        "context" => e.identity.as_deref() == Some("group"),
                        _ => false,
                    };
                    if !handled {
                        self.report.warn(
                            &subject,
                            format!("{at}/required"),
                            format!("`{req}` is required at the top of the call: not modelled on an event (the envelope holds such rules); dropped"),
                        );
                    }
                }
            } else if required.contains(&"properties") {
                self.report.warn(
                    &subject,
                    format!("{at}/required"),
                    "the call must carry `properties`: not modelled; dropped",
                );
            }
        }
        let slot = (e.name.clone(), r.version);
        if self.events.contains_key(&slot) {
            self.report.warn(
                &subject,
                &r.at,
                format!(
                    "a second rule for version {} of this event: only the first is kept",
                    r.version
                ),
            );
            return Ok(());
        }
        self.events.insert(slot, self.plan.events.len());
        self.plan.events.push(e);
        Ok(())
    }

    /// A track rule's `properties` (`context`, `traits`, `properties`, ids).
    fn track_payload(
        &mut self,
        subject: &str,
        e: &mut Event,
        props: &Value,
        required: &[&str],
        at: &str,
    ) {
        let Some(props) = props.as_object() else {
            self.report
                .warn(subject, at, "`properties` is not an object; dropped");
            return;
        };
        // What `identity` adds to a track rule, read back as the identity.
        let has = |k: &str| required.contains(&k) && props.contains_key(k);
        let group = has("context")
            && props
                .get("context")
                .and_then(|c| c.get("required"))
                .and_then(Value::as_array)
                .is_some_and(|r| r.iter().any(|x| x == "groupId"));
        let implied = if has("userId") {
            Some("user")
        } else if has("anonymousId") {
            Some("anonymous")
        } else if group {
            Some("group")
        } else {
            None
        };
        match (&e.identity, implied) {
            (None, Some(i)) => e.identity = Some(i.to_string()),
            (Some(label), Some(i)) if label != i => self.report.warn(
                subject,
                at,
                format!("the `identity` label says `{label}` but the schema requires the id of `{i}`; the label is kept"),
            ),
            _ => {}
        }
        for (k, v) in props {
            let here = format!("{at}/{}", pointer_token(k));
            match k.as_str() {
                "properties" => {
                    let (p, closed) = self.payload_object(subject, v, &here);
                    e.properties = p;
                    e.closed = closed;
                }
                "userId" if implied == Some("user") && is_string_schema(v) => {}
                "anonymousId" if implied == Some("anonymous") && is_string_schema(v) => {}
                "context" if implied == Some("group") && is_group_context(v) => {}
                _ if is_unconstrained(v) => {}
                _ => self.report.warn(
                    subject,
                    here,
                    format!("constraints on the call's `{k}` are not modelled on an event (the envelope holds such rules); dropped"),
                ),
            }
        }
    }

    /// `identify`, `group`, `page` and `screen`: the typed properties are at
    /// `properties.<field>`.
    fn traits(&mut self, keyword: &str, r: &Rule, field: &str) -> Traits {
        let subject = subject(r.kind, r.key);
        let mut t = Traits {
            description: r.description.clone(),
            ..Traits::default()
        };
        let Some(schema) = r.schema else { return t };
        let at = &r.schema_at;
        let head = self.head(&subject, schema, at, r.lifted);
        if head.description.is_some() {
            t.description = head.description;
        }
        let required = head.required;
        if let Some((v, here)) = head.labels {
            let mut e = Event::default();
            self.labels(&subject, &mut e, v, &here);
            t.owner = e.owner.take();
            t.consent = e.consent.take();
            t.retention = e.retention.take();
            let mut rest: Vec<String> = e.labels;
            for (what, set) in [
                ("owner", e.owner.is_some()),
                ("source", e.source.is_some()),
                ("status", e.status.is_some()),
                ("identity", e.identity.is_some()),
                ("flag", e.flag.is_some()),
                ("release", e.release.is_some()),
                ("since", e.since.is_some()),
                ("sunset", e.sunset.is_some()),
                ("replaced_by", e.replaced_by.is_some()),
                ("tags", !e.tags.is_empty()),
            ] {
                if set {
                    rest.push(what.to_string());
                }
            }
            for l in rest {
                self.report.warn(
                    &subject,
                    format!(
                        "{here}/{}",
                        pointer_token(l.split(':').next().unwrap_or(&l))
                    ),
                    format!("label `{l}` has no place on `{keyword}`; dropped"),
                );
            }
        }
        if r.lifted {
            let mut reader = schema::Reader::new(&mut self.report);
            (t.properties, t.closed) = reader.members(&subject, schema, at);
            return t;
        }
        if let Some(props) = schema.get("properties") {
            let pat = format!("{at}/properties");
            let Some(props) = props.as_object() else {
                self.report
                    .warn(&subject, &pat, "`properties` is not an object; dropped");
                return t;
            };
            for (k, v) in props {
                let here = format!("{pat}/{}", pointer_token(k));
                if k == field {
                    (t.properties, t.closed) = self.payload_object(&subject, v, &here);
                } else if !is_unconstrained(v) {
                    self.report.warn(
                        &subject,
                        here,
                        format!("constraints on the call's `{k}` are not modelled on `{keyword}` (the envelope holds such rules); dropped"),
                    );
                }
            }
        }
        for req in required {
            if req == field && t.properties.iter().any(|p| p.required) {
                continue;
            }
            self.report.warn(
                &subject,
                format!("{at}/required"),
                format!("`{req}` is required at the top of the call: not modelled on `{keyword}`; dropped"),
            );
        }
        t
    }

    /// The COMMON rule: `common` and `envelope`.
    fn common(&mut self, r: &Rule) {
        let subject = "common".to_string();
        if self.plan.common.is_some() || self.plan.envelope.is_some() {
            self.report.warn(
                &subject,
                &r.at,
                "a second COMMON rule: only the first is kept",
            );
            return;
        }
        let Some(schema) = r.schema else { return };
        let at = &r.schema_at;
        let rest = self.schema_keys(
            &subject,
            schema,
            at,
            &["description", "labels", "properties", "required", "anyOf"],
        );
        let mut common = Traits::default();
        let mut env = Envelope::default();
        let mut required: Vec<&str> = Vec::new();
        for (k, v) in &rest {
            let here = format!("{at}/{k}");
            match k.as_str() {
                "description" => common.description = self.description(&subject, v, &here),
                "labels" => {
                    let mut e = Event::default();
                    self.labels(&subject, &mut e, v, &here);
                    common.consent = e.consent.take();
                    common.retention = e.retention.take();
                    let mut dropped = e.labels;
                    if let Some(o) = e.owner {
                        dropped.push(format!("owner:{o}"));
                    }
                    for l in dropped {
                        self.report.warn(
                            &subject,
                            &here,
                            format!("label `{l}` has no place on `common`; dropped"),
                        );
                    }
                }
                "required" => match v.as_array() {
                    Some(a) => required = names(a),
                    None => self
                        .report
                        .warn(&subject, &here, "`required` is not a list; dropped"),
                },
                "anyOf" => self.require_one_of(&subject, &mut env, v, &here),
                _ => {}
            }
        }
        let required_set: FxHashSet<&str> = required.iter().copied().collect();
        if let Some(props) = schema.get("properties") {
            let pat = format!("{at}/properties");
            match props.as_object() {
                None => self
                    .report
                    .warn(&subject, &pat, "`properties` is not an object; dropped"),
                Some(props) => {
                    for (k, v) in props {
                        let here = format!("{pat}/{}", pointer_token(k));
                        if k == "properties" {
                            let (p, closed) = self.payload_object(&subject, v, &here);
                            common.properties = p;
                            common.closed = closed;
                            continue;
                        }
                        if is_unconstrained(v) && !required_set.contains(k.as_str()) {
                            continue;
                        }
                        let Some(s) = v.as_object() else {
                            self.report
                                .warn(&subject, &here, "not an object schema; dropped");
                            continue;
                        };
                        let mut reader = schema::Reader::new(&mut self.report);
                        if let Some(p) = reader.property("envelope", k, s, &here) {
                            env.properties.push(p);
                        }
                    }
                }
            }
        }
        let mut index: FxHashMap<String, usize> = env
            .properties
            .iter()
            .enumerate()
            .map(|(i, p)| (p.name.clone(), i))
            .collect();
        for req in required {
            if req == "properties" {
                self.report.warn(
                    &subject,
                    format!("{at}/required"),
                    "every call must carry `properties`: not modelled (identify and group calls have none); dropped",
                );
                continue;
            }
            match index.get(req) {
                Some(&i) => env.properties[i].required = true,
                None => {
                    let mut p = Property::new(req, Type::Any);
                    p.required = true;
                    index.insert(req.to_string(), env.properties.len());
                    env.properties.push(p);
                }
            }
        }
        let has_common = !common.properties.is_empty()
            || common.closed
            || common.description.is_some()
            || common.consent.is_some()
            || common.retention.is_some();
        if has_common {
            self.plan.common = Some(common);
        }
        if !env.properties.is_empty() || !env.require_one_of.is_empty() {
            self.plan.envelope = Some(env);
        }
    }

    /// `anyOf: [{"required": ["userId"]}, {"required": ["anonymousId"]}]`.
    fn require_one_of(&mut self, subject: &str, env: &mut Envelope, v: &Value, at: &str) {
        let names: Option<Vec<String>> = v.as_array().and_then(|a| {
            a.iter()
                .map(|alt| {
                    let o = alt.as_object()?;
                    if o.len() != 1 {
                        return None;
                    }
                    let req = o.get("required")?.as_array()?;
                    match req.as_slice() {
                        [one] => one.as_str().map(str::to_string),
                        _ => None,
                    }
                })
                .collect()
        });
        match names {
            Some(n) if n.len() >= 2 => env.require_one_of.push(n),
            _ => self.report.warn(
                subject,
                at,
                "only an `anyOf` of single `required` names (`require_one_of`) is modelled; dropped",
            ),
        }
    }
}

/// The names of a `required` list, each once, in first-seen order.
fn names(a: &[Value]) -> Vec<&str> {
    let mut seen = FxHashSet::default();
    a.iter()
        .filter_map(Value::as_str)
        .filter(|n| seen.insert(*n))
        .collect()
}

/// A subschema that constrains nothing: `{}`, `{"type": "object"}`, ids only.
fn is_unconstrained(v: &Value) -> bool {
    match v {
        Value::Bool(true) => true,
        Value::Object(o) => o.iter().all(|(k, v)| {
            QUIET.contains(&k.as_str())
                || (k == "type" && v == "object")
                || (k == "properties" && v.as_object().is_some_and(Map::is_empty))
                || (k == "required" && v.as_array().is_some_and(Vec::is_empty))
                || (k == "description" && v.as_str().is_some_and(str::is_empty))
        }),
        _ => false,
    }
}

fn is_string_schema(v: &Value) -> bool {
    v.as_object()
        .is_some_and(|o| o.len() == 1 && o.get("type").is_some_and(|t| t == "string"))
}

/// `{"properties": {"groupId": {"type": "string"}}, "required": ["groupId"], "type": "object"}`.
fn is_group_context(v: &Value) -> bool {
    let Some(o) = v.as_object() else { return false };
    o.iter().all(|(k, v)| match k.as_str() {
        "type" => v == "object",
        "required" => v
            .as_array()
            .is_some_and(|a| a.len() == 1 && a[0] == "groupId"),
        "properties" => v
            .as_object()
            .is_some_and(|p| p.len() == 1 && p.get("groupId").is_some_and(is_string_schema)),
        _ => false,
    })
}

/// `deprecatedAt` that Segment sets on every rule: the zero date or null.
fn is_unset_date(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty() || s.starts_with("0001-01-01"),
        _ => false,
    }
}

pub(crate) fn subject(kind: Kind, key: Option<&str>) -> String {
    match (kind, key) {
        (Kind::Track, Some(k)) => format!("event {k:?}"),
        (Kind::Identify, _) => "identify".to_string(),
        (Kind::Group, _) => "group".to_string(),
        (Kind::Common, _) => "common".to_string(),
        (Kind::Page, Some(k)) => format!("page {k:?}"),
        (Kind::Screen, Some(k)) => format!("screen {k:?}"),
        (Kind::Page, None) => "page".to_string(),
        (Kind::Screen, None) => "screen".to_string(),
        (Kind::Track, None) => "event".to_string(),
    }
}

/// A rule's `version`: a positive integer, 1 when absent.
pub(crate) fn version(v: Option<&Value>, at: &str) -> Result<u64, ImportError> {
    match v {
        None | Some(Value::Null) => Ok(1),
        Some(v) => schema::whole(v)
            .and_then(|n| u64::try_from(n).ok())
            .filter(|n| *n >= 1)
            .ok_or_else(|| {
                ImportError::new(
                    format!("{at}/version"),
                    "`version` must be a positive integer",
                )
            }),
    }
}

/// A label that is one of the plan's event fields, onto the event; false when
/// its value does not fit the field (it is then kept as a `key:value` label).
fn field_label(e: &mut Event, k: &str, v: &str) -> bool {
    match k {
        "owner" => {
            let id = v.trim_start_matches('@');
            is_owner_id(id) && {
                e.owner = Some(id.to_string());
                true
            }
        }
        "source" | "consent" | "retention" => {
            is_ident(v) && {
                let slot = match k {
                    "source" => &mut e.source,
                    "consent" => &mut e.consent,
                    _ => &mut e.retention,
                };
                *slot = Some(v.to_string());
                true
            }
        }
        "status" => {
            crate::ir::Status::parse(v).is_some() && {
                e.status = Some(v.to_string());
                true
            }
        }
        "identity" => {
            crate::ir::Identity::parse(v).is_some() && {
                e.identity = Some(v.to_string());
                true
            }
        }
        "release" | "sunset" => {
            crate::ir::Date::parse(v).is_ok() && {
                *(if k == "release" {
                    &mut e.release
                } else {
                    &mut e.sunset
                }) = Some(v.to_string());
                true
            }
        }
        "since" => {
            crate::ir::Semver::parse(v).is_ok() && {
                e.since = Some(v.to_string());
                true
            }
        }
        "flag" => {
            e.flag = Some(v.to_string());
            true
        }
        "replaced_by" => {
            e.replaced_by = Some(v.to_string());
            true
        }
        "tags" => {
            e.tags = v
                .split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_string)
                .collect();
            true
        }
        _ => false,
    }
}
/// The JSON Schema under `key` of a rule: absent or `null` is none, anything
/// but an object is `error` at `at/key`.
pub(crate) fn schema_of<'v>(
    obj: &'v Map<String, Value>,
    key: &str,
    at: &str,
    error: &str,
) -> Result<Option<&'v Map<String, Value>>, ImportError> {
    match obj.get(key) {
        Some(Value::Object(s)) => Ok(Some(s)),
        Some(Value::Null) | None => Ok(None),
        Some(_) => Err(ImportError::new(format!("{at}/{key}"), error)),
    }
}
