//! Reading Segment's Config API v1 tracking plans (also typewriter's
//! `plan.json` up to version 7, and its older local plans):
//!
//! ```json
//! {"name": "workspaces/acme/tracking-plans/rs_…", "display_name": "Acme",
//!  "create_time": "…", "update_time": "…",
//!  "rules": {
//!    "global":   {JSON Schema of every call: context, traits, properties},
//!    "events":   [{"name": "Order Completed", "description": "…", "version": 1,
//!                  "rules": {JSON Schema of the call}}],
//!    "identify": {JSON Schema of the identify call},
//!    "group":    {JSON Schema of the group call}}}
//! ```
//!
//! `identify_traits` / `group_traits` (older plans) hold the same schemas as
//! `identify` / `group`; typewriter's local plans put `events`,
//! `identify_traits` and `group_traits` at the top. Each schema is read as the
//! `jsonSchema` of the Public API rule of the same kind ([`super::segment`]):
//! `global` is the COMMON rule.

use super::segment::{self, Builder, Kind, Rule};
use super::{ImportError, Plan, Report, pointer_token};
use serde_json::{Map, Value};

/// Reads a Config API v1 tracking plan.
pub(crate) fn read(text: &str) -> Result<(Plan, Report), ImportError> {
    let root = segment::parse_json(text)?;
    let mut b = Builder::default();
    let obj = root.as_object().ok_or_else(|| {
        ImportError::new(
            "/",
            "expected a Config API tracking plan: `{\"rules\": {\"events\": [...]}}`",
        )
    })?;
    feed(&mut b, obj, "")?;
    Ok(b.finish())
}

/// Whether `obj` looks like a Config API plan (or its `rules` object).
pub(crate) fn looks_like(obj: &Map<String, Value>) -> bool {
    match obj.get("rules") {
        Some(Value::Object(r)) => r.contains_key("events") || r.contains_key("global"),
        _ => obj.get("events").is_some_and(Value::is_array),
    }
}

/// The plan `obj` (at pointer `at`) into `b`.
pub(crate) fn feed(b: &mut Builder, obj: &Map<String, Value>, at: &str) -> Result<(), ImportError> {
    let (rules, rules_at) = match obj.get("rules") {
        Some(Value::Object(r)) => {
            b.plan_fields(obj, at, &["rules"]);
            (r, format!("{at}/rules"))
        }
        Some(_) => {
            return Err(ImportError::new(
                format!("{at}/rules"),
                "`rules` must be an object with `events`",
            ));
        }
        None if obj.get("events").is_some_and(Value::is_array) => (obj, at.to_string()),
        None => {
            return Err(ImportError::new(
                if at.is_empty() { "/" } else { at },
                "expected a Config API tracking plan: `{\"rules\": {\"events\": [...]}}`",
            ));
        }
    };
    for (k, v) in rules {
        let here = format!("{rules_at}/{}", pointer_token(k));
        match k.as_str() {
            "events" => {
                let events = v
                    .as_array()
                    .ok_or_else(|| ImportError::new(&here, "`events` must be an array"))?;
                for (i, e) in events.iter().enumerate() {
                    event(b, e, &format!("{here}/{i}"))?;
                }
            }
            "global" | "identify" | "group" | "identify_traits" | "group_traits" => {
                let kind = match k.as_str() {
                    "global" => Kind::Common,
                    "identify" | "identify_traits" => Kind::Identify,
                    _ => Kind::Group,
                };
                match v {
                    Value::Null => {}
                    Value::Array(a) if a.is_empty() => {}
                    Value::Object(s) if s.is_empty() => {}
                    Value::Object(s) => b.rule(Rule {
                        kind,
                        key: None,
                        version: 1,
                        schema: Some(s),
                        at: here.clone(),
                        schema_at: here,
                        description: None,
                        lifted: false,
                    })?,
                    _ => b.report.warn(
                        &segment::subject(kind, None),
                        here,
                        format!("`{k}` is not a JSON Schema object; dropped"),
                    ),
                }
            }
            // The plan-level fields of typewriter's local plans, beside `events`.
            _ if std::ptr::eq(rules, obj) => {
                b.plan_fields(&Map::from_iter([(k.clone(), v.clone())]), at, &[]);
            }
            _ => b.report.warn(
                "plan",
                here,
                format!("rules field `{k}` is not modelled; dropped"),
            ),
        }
    }
    Ok(())
}

/// `{"name", "description", "version", "rules"}`.
fn event(b: &mut Builder, e: &Value, at: &str) -> Result<(), ImportError> {
    let obj = e
        .as_object()
        .ok_or_else(|| ImportError::new(at, "an event must be an object"))?;
    let name = match obj.get("name") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.as_str(),
        _ => {
            return Err(ImportError::new(
                format!("{at}/name"),
                "an event needs a `name`",
            ));
        }
    };
    let subject = format!("event {name:?}");
    let schema = segment::schema_of(
        obj,
        "rules",
        at,
        "`rules` must be an object (the event's JSON Schema)",
    )?;
    let mut description = None;
    for (k, v) in obj {
        match k.as_str() {
            "name" | "rules" | "version" => {}
            "description" => match v {
                Value::String(d) if !d.is_empty() => description = Some(d.clone()),
                Value::String(_) | Value::Null => {}
                _ => b.report.warn(
                    &subject,
                    format!("{at}/description"),
                    "not a string; dropped",
                ),
            },
            "create_time" | "update_time" | "id" => b.report.skip(k),
            _ => b.report.warn(
                &subject,
                format!("{at}/{}", pointer_token(k)),
                format!("event field `{k}` is not modelled; dropped"),
            ),
        }
    }
    b.rule(Rule {
        kind: Kind::Track,
        key: Some(name),
        version: segment::version(obj.get("version"), at)?,
        schema,
        at: at.to_string(),
        schema_at: format!("{at}/rules"),
        description,
        lifted: false,
    })
}
