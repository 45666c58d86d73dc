//! Reading Segment's Public API tracking-plan rules: `{"rules": [...]}` (the body
//! of "Replace Rules in Tracking Plan", as the `segment` target writes it, or an
//! export from Segment) or a bare array of rules.
//!
//! Each rule is `{"type", "key"?, "version", "jsonSchema"}`:
//!
//! - `TRACK` → an event named `key`; its schema's `properties.properties` holds
//!   the event's properties, `description` its description, `labels` its fields
//!   (`owner`, `source`, `status`, `consent`, `retention`, `identity`, `flag`,
//!   `release`, `since`, `sunset`, `replaced_by`, `tags`). The `userId`,
//!   `anonymousId` or `context.groupId` that an `identity` adds are read back as
//!   that identity.
//! - `IDENTIFY` / `GROUP` → `identify` / `group` from `properties.traits`;
//!   `COMMON` → `common` from `properties.properties`.
//! - `PAGE` and `SCREEN` rules have no place in a plan: a warning each.
//!
//! Property schemas are read as the `segment` target writes them (see
//! `targets::schema`): `type` (with `"null"` for nullable), `format` (`date-time` and
//! `date` on a plain string become `datetime` and `date`), `enum`, `items`,
//! `properties`/`required`, `minimum`/`maximum`, `minLength`/`maxLength`,
//! `minItems`/`maxItems`, `pattern`, `description`. Any other keyword is a warning.

use super::{Event, ImportError, Plan, Property, Traits, Type, Warning, is_ident, is_owner_id};
use crate::syntax::MAX_NESTING;
use rustc_hash::{FxHashMap, FxHashSet};
use serde_json::{Map, Number, Value};

/// Reads rules JSON.
pub fn read(text: &str, title: &str) -> Result<(Plan, Vec<Warning>), ImportError> {
    let root: Value = serde_json::from_str(text).map_err(|e| {
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
    })?;
    let (rules, base) = match &root {
        Value::Array(a) => (a, String::new()),
        Value::Object(o) => match o.get("rules") {
            Some(Value::Array(a)) => (a, "/rules".to_string()),
            Some(_) => return Err(ImportError::new("/rules", "`rules` must be an array")),
            None => {
                return Err(ImportError::new(
                    "/",
                    "expected `{\"rules\": [...]}` or an array of rules",
                ));
            }
        },
        _ => {
            return Err(ImportError::new(
                "/",
                "expected `{\"rules\": [...]}` or an array of rules",
            ));
        }
    };
    let mut r = Reader {
        warnings: Vec::new(),
        depth: 1,
    };
    let mut plan = Plan {
        title: title.to_string(),
        ..Plan::default()
    };
    // Segment keeps several versions of an event; the plan has one: the highest.
    // By name: the version kept, where it is, its index in `plan.events`.
    let mut versions: FxHashMap<String, (i64, String, usize)> = FxHashMap::default();
    for (i, rule) in rules.iter().enumerate() {
        let at = format!("{base}/{i}");
        let obj = rule
            .as_object()
            .ok_or_else(|| ImportError::new(&at, "a rule must be an object"))?;
        let kind = match obj.get("type") {
            Some(Value::String(s)) => s.as_str(),
            _ => {
                return Err(ImportError::new(
                    format!("{at}/type"),
                    "a rule needs a `type` string",
                ));
            }
        };
        let schema = match obj.get("jsonSchema") {
            Some(Value::Object(s)) => Some(s),
            Some(Value::Null) | None => None,
            Some(_) => {
                return Err(ImportError::new(
                    format!("{at}/jsonSchema"),
                    "`jsonSchema` must be an object",
                ));
            }
        };
        let version = match obj.get("version") {
            Some(v) => whole(v)
                .and_then(|n| i64::try_from(n).ok())
                .ok_or_else(|| {
                    ImportError::new(format!("{at}/version"), "`version` must be an integer")
                })?,
            None => 1,
        };
        for key in obj.keys() {
            if !["type", "key", "version", "jsonSchema"].contains(&key.as_str()) {
                let subject = rule_subject(kind, obj);
                r.warn(
                    &subject,
                    format!("{at}/{}", escape(key)),
                    format!("rule field `{key}` is not modelled; dropped"),
                );
            }
        }
        match kind {
            "TRACK" => {
                let name = match obj.get("key") {
                    Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
                    _ => {
                        return Err(ImportError::new(
                            format!("{at}/key"),
                            "a TRACK rule needs a `key` (the event name)",
                        ));
                    }
                };
                let e = r.track(&name, schema, &format!("{at}/jsonSchema"));
                match versions.get_mut(&name) {
                    Some((v, first_at, slot)) => {
                        let subject = format!("event {name:?}");
                        if version > *v {
                            r.warn(&subject, &*first_at, format!("version {v} dropped: the plan keeps one definition per event, the highest version ({version})"));
                            (*v, *first_at) = (version, at.clone());
                            plan.events[*slot] = e;
                        } else {
                            r.warn(&subject, &at, format!("version {version} dropped: the plan keeps one definition per event, the highest version ({v})"));
                        }
                    }
                    None => {
                        versions.insert(name.clone(), (version, at.clone(), plan.events.len()));
                        plan.events.push(e);
                    }
                }
            }
            "IDENTIFY" | "GROUP" | "COMMON" => {
                let (keyword, field) = match kind {
                    "IDENTIFY" => ("identify", "traits"),
                    "GROUP" => ("group", "traits"),
                    _ => ("common", "properties"),
                };
                let t = r.traits(keyword, field, schema, &format!("{at}/jsonSchema"));
                let slot = match kind {
                    "IDENTIFY" => &mut plan.identify,
                    "GROUP" => &mut plan.group,
                    _ => &mut plan.common,
                };
                if slot.is_some() {
                    r.warn(
                        keyword,
                        &at,
                        format!("a second {kind} rule: only the first is kept"),
                    );
                } else {
                    *slot = Some(t);
                }
            }
            "PAGE" | "SCREEN" => {
                let subject = rule_subject(kind, obj);
                r.warn(
                    &subject,
                    &at,
                    format!("{kind} rules have no place in a plan (it has events, identify, group and common); dropped"),
                );
            }
            other => {
                return Err(ImportError::new(
                    format!("{at}/type"),
                    format!(
                        "unknown rule type `{other}` (expected TRACK, IDENTIFY, GROUP, COMMON, PAGE or SCREEN)"
                    ),
                ));
            }
        }
    }
    Ok((plan, r.warnings))
}

/// serde_json appends " at line L column C"; the location is given separately.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

/// A JSON pointer token (RFC 6901).
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

fn rule_subject(kind: &str, obj: &Map<String, Value>) -> String {
    match (kind, obj.get("key").and_then(Value::as_str)) {
        ("TRACK", Some(k)) => format!("event {k:?}"),
        (k, Some(key)) => format!("{} rule {key:?}", k.to_lowercase()),
        (k, None) => format!("{} rule", k.to_lowercase()),
    }
}

const LABELS: &[&str] = &[
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

struct Reader {
    warnings: Vec<Warning>,
    /// Delimiters (`{`, `(`) open around the properties being read, as the
    /// `.events` text will have them (an event's braces count one).
    depth: usize,
}

/// A JSON number that is a whole number (`3`, `3.0`, `3e2`), if it is one
/// within the range of `u64` or `i64`.
fn whole(v: &Value) -> Option<i128> {
    let n = v.as_number()?;
    if let Some(i) = n.as_i64() {
        return Some(i.into());
    }
    if let Some(u) = n.as_u64() {
        return Some(u.into());
    }
    let f = n.as_f64()?;
    (f.fract() == 0.0 && f >= i64::MIN as f64 && f < u64::MAX as f64).then_some(f as i128)
}

/// A JSON number as the `.events` language writes numbers (`-?[0-9]+(\.[0-9]+)?`):
/// `1e-7` is `0.0000001`, `1e+20` is `100000000000000000000`, `-0` is `0`.
/// Integers beyond 64 bits have been read as the nearest double (JSON
/// readers do the same); the plan stores bounds as doubles too.
fn decimal(n: &Number) -> String {
    if n.is_f64() {
        let f = n.as_f64().unwrap_or(0.0);
        if f == 0.0 {
            "0".to_string()
        } else {
            // `Display` of an f64 never uses an exponent and gives the
            // shortest digits that read back as the same number.
            format!("{f}")
        }
    } else {
        n.to_string()
    }
}

impl Reader {
    fn warn(&mut self, subject: &str, at: impl Into<String>, message: impl Into<String>) {
        self.warnings.push(Warning {
            subject: subject.to_string(),
            at: at.into(),
            message: message.into(),
        });
    }

    /// The keys of a rule's schema that the plan does not carry.
    fn schema_keys(
        &mut self,
        subject: &str,
        schema: &Map<String, Value>,
        at: &str,
        known: &[&str],
    ) {
        for (k, v) in schema {
            if known.contains(&k.as_str()) {
                continue;
            }
            if k == "$schema" || (k == "type" && v == "object") {
                continue;
            }
            self.warn(
                subject,
                format!("{at}/{}", escape(k)),
                format!("keyword `{k}` is not modelled; dropped"),
            );
        }
    }

    /// The object schema at `properties.<field>`, checked for content the plan
    /// does not carry in the other two of `context`, `traits`, `properties`.
    fn payload<'v>(
        &mut self,
        subject: &str,
        schema: &'v Map<String, Value>,
        field: &str,
        at: &str,
        allowed_extra: &[&str],
    ) -> Option<&'v Map<String, Value>> {
        let props = match schema.get("properties") {
            Some(Value::Object(p)) => p,
            Some(_) => {
                self.warn(
                    subject,
                    format!("{at}/properties"),
                    "`properties` is not an object; ignored",
                );
                return None;
            }
            None => return None,
        };
        for (k, v) in props {
            if k == field || allowed_extra.contains(&k.as_str()) {
                continue;
            }
            let empty = v.as_object().is_some_and(Map::is_empty);
            if !empty {
                self.warn(
                    subject,
                    format!("{at}/properties/{}", escape(k)),
                    format!("constraints on `{k}` are not modelled; dropped"),
                );
            }
        }
        match props.get(field) {
            Some(Value::Object(o)) => Some(o),
            Some(_) => {
                self.warn(
                    subject,
                    format!("{at}/properties/{field}"),
                    "not an object; ignored",
                );
                None
            }
            None => None,
        }
    }

    fn traits(
        &mut self,
        keyword: &str,
        field: &str,
        schema: Option<&Map<String, Value>>,
        at: &str,
    ) -> Traits {
        let mut t = Traits::default();
        let Some(schema) = schema else { return t };
        self.schema_keys(
            keyword,
            schema,
            at,
            &["description", "properties", "required", "labels"],
        );
        t.description = self.string_value(
            keyword,
            schema.get("description"),
            &format!("{at}/description"),
        );
        if let Some(labels) = schema.get("labels") {
            // `owner`, `consent` and `retention`, as on events; the rest has no place here.
            let mut e = Event {
                name: keyword.to_string(),
                ..Event::default()
            };
            self.labels(keyword, &mut e, labels, &format!("{at}/labels"));
            for (what, set) in [
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
                    self.warn(
                        keyword,
                        format!("{at}/labels/{what}"),
                        format!("label `{what}` has no place on `{keyword}`; dropped"),
                    );
                }
            }
            if keyword != "common" {
                t.owner = e.owner;
            } else if e.owner.is_some() {
                self.warn(
                    keyword,
                    format!("{at}/labels/owner"),
                    "`common` has no owner; dropped",
                );
            }
            t.consent = e.consent;
            t.retention = e.retention;
        }
        if let Some(obj) = self.payload(keyword, schema, field, at, &[]) {
            t.properties = self.object(keyword, obj, &format!("{at}/properties/{field}"));
        }
        t
    }

    fn track(&mut self, name: &str, schema: Option<&Map<String, Value>>, at: &str) -> Event {
        let subject = format!("event {name:?}");
        let mut e = Event {
            name: name.to_string(),
            ..Event::default()
        };
        let Some(schema) = schema else { return e };
        self.schema_keys(
            &subject,
            schema,
            at,
            &["description", "properties", "required", "labels"],
        );
        e.description = self.string_value(
            &subject,
            schema.get("description"),
            &format!("{at}/description"),
        );
        if let Some(labels) = schema.get("labels") {
            self.labels(&subject, &mut e, labels, &format!("{at}/labels"));
        }
        // What `identity` adds to a track rule, read back as the identity.
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let props = schema.get("properties").and_then(Value::as_object);
        let has = |k: &str| required.contains(&k) && props.is_some_and(|p| p.contains_key(k));
        let implied = if has("userId") {
            Some("user")
        } else if has("anonymousId") {
            Some("anonymous")
        } else if has("context")
            && props
                .and_then(|p| p.get("context"))
                .and_then(|c| c.get("required"))
                .and_then(Value::as_array)
                .is_some_and(|r| r.iter().any(|x| x == "groupId"))
        {
            Some("group")
        } else {
            None
        };
        match (&e.identity, implied) {
            (None, Some(i)) => e.identity = Some(i.to_string()),
            (Some(label), Some(i)) if label != i => self.warn(
                &subject,
                format!("{at}/labels/identity"),
                format!("the `identity` label says `{label}` but the schema requires the id of `{i}`; the label is kept"),
            ),
            _ => {}
        }
        let extra: &[&str] = match implied {
            Some("user") => &["userId"],
            Some("anonymous") => &["anonymousId"],
            Some("group") => &["context"],
            _ => &[],
        };
        if let Some(obj) = self.payload(&subject, schema, "properties", at, extra) {
            e.properties = self.object(&subject, obj, &format!("{at}/properties/properties"));
        }
        e
    }

    fn labels(&mut self, subject: &str, e: &mut Event, labels: &Value, at: &str) {
        let Some(labels) = labels.as_object() else {
            self.warn(subject, at, "`labels` is not an object; ignored");
            return;
        };
        for (k, v) in labels {
            let here = format!("{at}/{}", escape(k));
            let Some(v) = v.as_str() else {
                self.warn(
                    subject,
                    &here,
                    format!("label `{k}` is not a string; dropped"),
                );
                continue;
            };
            if !LABELS.contains(&k.as_str()) {
                self.warn(
                    subject,
                    &here,
                    format!("label `{k}: {v}` is not modelled; dropped"),
                );
                continue;
            }
            let bad = |what: &str| format!("label `{k}: {v}` is not {what}; dropped");
            match k.as_str() {
                "owner" => {
                    let id = v.trim_start_matches('@');
                    if is_owner_id(id) {
                        e.owner = Some(id.to_string());
                    } else {
                        self.warn(subject, &here, bad("an owner id (`[a-z0-9][a-z0-9._-]*`)"));
                    }
                }
                "source" | "consent" | "retention" => {
                    if is_ident(v) {
                        let slot = match k.as_str() {
                            "source" => &mut e.source,
                            "consent" => &mut e.consent,
                            _ => &mut e.retention,
                        };
                        *slot = Some(v.to_string());
                    } else {
                        self.warn(subject, &here, bad("a name (`[A-Za-z_][A-Za-z0-9_]*`)"));
                    }
                }
                "status" => {
                    if crate::ir::Status::parse(v).is_some() {
                        e.status = Some(v.to_string());
                    } else {
                        self.warn(subject, &here, bad("planned, implemented or deprecated"));
                    }
                }
                "identity" => {
                    if crate::ir::Identity::parse(v).is_some() {
                        e.identity = Some(v.to_string());
                    } else {
                        self.warn(subject, &here, bad("user, anonymous, group or any"));
                    }
                }
                "release" | "sunset" => {
                    if crate::ir::Date::parse(v).is_ok() {
                        let slot = if k == "release" {
                            &mut e.release
                        } else {
                            &mut e.sunset
                        };
                        *slot = Some(v.to_string());
                    } else {
                        self.warn(subject, &here, bad("a date (YYYY-MM-DD)"));
                    }
                }
                "since" => {
                    if crate::ir::Semver::parse(v).is_ok() {
                        e.since = Some(v.to_string());
                    } else {
                        self.warn(subject, &here, bad("a semantic version"));
                    }
                }
                "flag" => e.flag = Some(v.to_string()),
                "replaced_by" => e.replaced_by = Some(v.to_string()),
                _ => {
                    e.tags = v
                        .split(',')
                        .map(str::trim)
                        .filter(|t| !t.is_empty())
                        .map(str::to_string)
                        .collect();
                }
            }
        }
    }

    fn string_value(&mut self, subject: &str, v: Option<&Value>, at: &str) -> Option<String> {
        match v {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => {
                self.warn(subject, at, "not a string; dropped");
                None
            }
        }
    }

    /// The properties of an object schema (`{"type": "object", "properties": …, "required": …}`).
    fn object(&mut self, subject: &str, obj: &Map<String, Value>, at: &str) -> Vec<Property> {
        for k in obj.keys() {
            if !["type", "properties", "required", "description"].contains(&k.as_str()) {
                self.warn(
                    subject,
                    format!("{at}/{}", escape(k)),
                    format!("keyword `{k}` is not modelled; dropped"),
                );
            }
        }
        let required: Vec<&str> = obj
            .get("required")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        // Each name's first place in `required` (a map: the list may be long).
        let mut rank: FxHashMap<&str, usize> = FxHashMap::default();
        for (i, r) in required.iter().enumerate() {
            rank.entry(r).or_insert(i);
        }
        let Some(props) = obj.get("properties").and_then(Value::as_object) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (name, schema) in props {
            let here = format!("{at}/properties/{}", escape(name));
            if !is_ident(name) {
                self.warn(
                    subject,
                    &here,
                    format!("property name {name:?} is not an identifier (`[A-Za-z_][A-Za-z0-9_]*`); dropped"),
                );
                continue;
            }
            let Some(schema) = schema.as_object() else {
                self.warn(
                    subject,
                    &here,
                    "the property's schema is not an object; dropped",
                );
                continue;
            };
            if let Some(mut p) = self.property(subject, name, schema, &here) {
                p.required = rank.contains_key(name.as_str());
                out.push(p);
            }
        }
        // JSON objects have no order; `required` keeps that of the required
        // properties: they come first, in that order, then the optional ones.
        out.sort_by_key(|p| rank.get(p.name.as_str()).copied().unwrap_or(required.len()));
        for r in required {
            if !props.contains_key(r) {
                self.warn(
                    subject,
                    format!("{at}/required"),
                    format!("`{r}` is required but has no schema; dropped"),
                );
            }
        }
        out
    }

    fn property(
        &mut self,
        subject: &str,
        name: &str,
        s: &Map<String, Value>,
        at: &str,
    ) -> Option<Property> {
        let (ty, nullable) = self.ty(subject, s, at)?;
        let mut p = Property::new(name, ty);
        p.nullable = nullable;
        let known: &[&str] = match &p.ty {
            Type::String => &["minLength", "maxLength", "pattern", "format"],
            Type::Integer | Type::Number => &["minimum", "maximum"],
            Type::List(_) => &["minItems", "maxItems", "items"],
            Type::Object(_) => &["properties", "required"],
            Type::Datetime | Type::Date | Type::Enum(_) | Type::Boolean => &["format", "enum"],
        };
        for (k, v) in s {
            let here = format!("{at}/{}", escape(k));
            match k.as_str() {
                "type" | "description" | "enum" => {}
                "format" if matches!(p.ty, Type::Datetime | Type::Date) => {}
                k if !known.contains(&k) => self.warn(
                    subject,
                    &here,
                    format!("keyword `{k}` is not modelled on {} property; dropped", a_type(&p.ty)),
                ),
                "minimum" | "maximum" => match v {
                    Value::Number(n) => {
                        let slot = if k == "minimum" { &mut p.min } else { &mut p.max };
                        *slot = Some(decimal(n));
                    }
                    _ => self.warn(subject, &here, format!("`{k}` is not a number; dropped")),
                },
                "minLength" | "maxLength" | "minItems" | "maxItems" => match whole(v).and_then(|n| u64::try_from(n).ok()) {
                    Some(n) => {
                        let slot = if k.starts_with("min") {
                            &mut p.min_length
                        } else {
                            &mut p.max_length
                        };
                        *slot = Some(n);
                    }
                    None => self.warn(subject, &here, format!("`{k}` is not a whole number of 0 or more; dropped")),
                },
                "pattern" => match v.as_str() {
                    Some(pat) => p.pattern = Some(pat.to_string()),
                    None => self.warn(subject, &here, "`pattern` is not a string; dropped"),
                },
                "format" => match v.as_str() {
                    Some(f) if crate::ir::Format::parse(f).is_some() => p.format = Some(f.to_string()),
                    _ => self.warn(subject, &here, format!("format {v} is not one of email, uri, uuid, date, date-time, ipv4, ipv6, hostname; dropped")),
                },
                _ => {}
            }
        }
        p.description =
            self.string_value(subject, s.get("description"), &format!("{at}/description"));
        Some(p)
    }

    /// The type of a property schema and whether it admits `null`.
    fn ty(&mut self, subject: &str, s: &Map<String, Value>, at: &str) -> Option<(Type, bool)> {
        let here = format!("{at}/type");
        let mut nullable = false;
        let name = match s.get("type") {
            Some(Value::String(t)) => t.clone(),
            Some(Value::Array(ts)) => {
                let names: Vec<&str> = ts.iter().filter_map(Value::as_str).collect();
                nullable = names.contains(&"null");
                let rest: Vec<&str> = names.into_iter().filter(|t| *t != "null").collect();
                match rest.as_slice() {
                    [one] => one.to_string(),
                    [] => {
                        self.warn(
                            subject,
                            &here,
                            "a property that can only be null cannot be expressed; dropped",
                        );
                        return None;
                    }
                    [first, ..] => {
                        self.warn(
                            subject,
                            &here,
                            format!("several types {rest:?} cannot be expressed; `{first}` kept"),
                        );
                        first.to_string()
                    }
                }
            }
            None if s.contains_key("enum") => "string".to_string(),
            None if s.contains_key("properties") => "object".to_string(),
            _ => {
                self.warn(
                    subject,
                    &here,
                    "a property without a `type` (any value) cannot be expressed; dropped",
                );
                return None;
            }
        };
        if let Some(values) = s.get("enum") {
            let Some(values) = values.as_array() else {
                self.warn(
                    subject,
                    format!("{at}/enum"),
                    "`enum` is not an array; dropped",
                );
                return Some((Type::String, nullable));
            };
            let mut strings = Vec::new();
            let mut seen: FxHashSet<&str> = FxHashSet::default();
            for v in values {
                match v {
                    Value::Null => nullable = true,
                    Value::String(x) => {
                        if seen.insert(x) {
                            strings.push(x.clone());
                        }
                    }
                    other => self.warn(
                        subject,
                        format!("{at}/enum"),
                        format!("enum value {other} is not a string; dropped"),
                    ),
                }
            }
            if name != "string" {
                self.warn(subject, &here, format!("an enum of type `{name}` cannot be expressed; its values are kept as strings"));
            }
            if !strings.is_empty() {
                return Some((Type::Enum(strings), nullable));
            }
        }
        let ty = match name.as_str() {
            "string" => {
                let string_keywords = ["minLength", "maxLength", "pattern"]
                    .iter()
                    .any(|k| s.contains_key(*k));
                match s.get("format").and_then(Value::as_str) {
                    Some("date-time") if !string_keywords => Type::Datetime,
                    Some("date") if !string_keywords => Type::Date,
                    _ => Type::String,
                }
            }
            "integer" => Type::Integer,
            "number" => Type::Number,
            "boolean" => Type::Boolean,
            "array" | "object" if self.depth + 2 > MAX_NESTING => {
                self.warn(
                    subject,
                    at,
                    format!("nested more than {MAX_NESTING} levels deep, deeper than a `.events` plan can be; dropped"),
                );
                return None;
            }
            "array" => {
                self.depth += 1;
                let items = s.get("items");
                let item = match items {
                    Some(Value::Object(items)) => self.ty(subject, items, &format!("{at}/items")),
                    _ => None,
                };
                self.depth -= 1;
                let item = match items {
                    Some(Value::Object(items)) => match item {
                        Some((t, item_null)) => {
                            if item_null {
                                self.warn(subject, format!("{at}/items"), "nullable list items cannot be expressed; the items are not nullable");
                            }
                            self.item_keywords(subject, items, &t, &format!("{at}/items"));
                            t
                        }
                        None => return None,
                    },
                    _ => {
                        self.warn(
                            subject,
                            at,
                            "a list without an `items` schema cannot be expressed; dropped",
                        );
                        return None;
                    }
                };
                Type::List(Box::new(item))
            }
            "object" => {
                self.depth += 1;
                let members = self.object_members(subject, s, at);
                self.depth -= 1;
                Type::Object(members)
            }
            other => {
                self.warn(
                    subject,
                    &here,
                    format!("type `{other}` cannot be expressed; dropped"),
                );
                return None;
            }
        };
        Some((ty, nullable))
    }

    /// The members of an object-typed property.
    fn object_members(&mut self, subject: &str, s: &Map<String, Value>, at: &str) -> Vec<Property> {
        // Only `properties` and `required` are read here; the caller reports the rest.
        let mut only = Map::new();
        for k in ["properties", "required"] {
            if let Some(v) = s.get(k) {
                only.insert(k.to_string(), v.clone());
            }
        }
        self.object(subject, &only, at)
    }

    /// List items carry only their type: any other keyword is reported.
    fn item_keywords(&mut self, subject: &str, items: &Map<String, Value>, t: &Type, at: &str) {
        for k in items.keys() {
            let implied = match k.as_str() {
                "type" | "enum" | "items" => true,
                "format" => matches!(t, Type::Datetime | Type::Date),
                "properties" | "required" => matches!(t, Type::Object(_)),
                _ => false,
            };
            if !implied {
                self.warn(
                    subject,
                    format!("{at}/{}", escape(k)),
                    format!("keyword `{k}` on list items is not modelled; dropped"),
                );
            }
        }
    }
}

/// "a string", "an integer"…
fn a_type(t: &Type) -> &'static str {
    match t {
        Type::String => "a string",
        Type::Integer => "an integer",
        Type::Number => "a number",
        Type::Boolean => "a boolean",
        Type::Datetime => "a datetime",
        Type::Date => "a date",
        Type::Enum(_) => "an enum",
        Type::List(_) => "a list",
        Type::Object(_) => "an object",
    }
}
