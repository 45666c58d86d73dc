//! Reading Snowplow Iglu self-describing schemas: a directory laid out as an
//! Iglu repository, `[schemas/]<vendor>/<name>/jsonschema/<MODEL-REVISION-ADDITION>`,
//! each file a JSON Schema with `self: {vendor, name, format, version}`.
//!
//! - Each `<vendor>/<name>` is an event named `<name>` with the label
//!   `vendor:<vendor>`; its properties are the schema's `properties`,
//!   `required` and `additionalProperties: false` (`closed`, the Iglu default
//!   for most schemas) at the top of the schema; its `description` the event's.
//! - Each MODEL is an event version (`version 2` for `2-0-0`): a new model is a
//!   breaking change, as a new Segment event version is. Within a model the
//!   highest REVISION-ADDITION is kept (it accepts what the earlier ones did);
//!   the earlier ones are named in one warning.
//! - Two schemas of one name from different vendors: the second is named
//!   `<vendor>/<name>`.
//!
//! Property schemas are read by [`super::schema`].

use super::schema::{self, QUIET};
use super::segment::parse_json;
use super::{Event, ImportError, Plan, Report, pointer_token};
use serde_json::Value;
use std::collections::BTreeMap;

/// `(vendor, name, model, revision, addition)` of a path ending in
/// `<vendor>/<name>/jsonschema/<M-R-A>`.
pub(crate) fn schema_path(path: &str) -> Option<(String, String, u64, u64, u64)> {
    let parts: Vec<&str> = path.split('/').collect();
    let [.., vendor, name, format, version] = parts.as_slice() else {
        return None;
    };
    if *format != "jsonschema" {
        return None;
    }
    let (m, r, a) = schema_ver(version)?;
    Some((vendor.to_string(), name.to_string(), m, r, a))
}

/// `1-0-2` → (1, 0, 2).
fn schema_ver(v: &str) -> Option<(u64, u64, u64)> {
    let mut it = v.split('-').map(|n| {
        (!n.is_empty() && n.len() <= 9 && n.bytes().all(|b| b.is_ascii_digit()))
            .then(|| n.parse::<u64>().ok())
            .flatten()
    });
    let out = (it.next()??, it.next()??, it.next()??);
    it.next().is_none().then_some(out)
}

/// Reads the schemas of a directory (paths relative to it).
pub(crate) fn read(files: &[(String, String)]) -> Result<(Plan, Report), ImportError> {
    let mut report = Report::default();
    // (vendor, name) → model → (revision, addition, path, text), the highest kept.
    type Versions<'f> = BTreeMap<u64, Vec<(u64, u64, &'f str, &'f str)>>;
    let mut schemas: BTreeMap<(String, String), Versions> = BTreeMap::new();
    for (path, text) in files {
        match schema_path(path) {
            Some((vendor, name, m, r, a)) => schemas
                .entry((vendor, name))
                .or_default()
                .entry(m)
                .or_default()
                .push((r, a, path, text)),
            None => report.warn(
                "plan",
                path.clone(),
                "not an Iglu schema path (`<vendor>/<name>/jsonschema/<M-R-A>`); skipped",
            ),
        }
    }
    if schemas.is_empty() {
        return Err(ImportError::new(
            "",
            "no Iglu schema found (files at `<vendor>/<name>/jsonschema/<M-R-A>`)",
        ));
    }
    let mut plan = Plan::default();
    let mut taken: BTreeMap<String, String> = BTreeMap::new();
    for ((vendor, name), models) in &schemas {
        let event_name = match taken.get(name) {
            Some(v) if v != vendor => format!("{vendor}/{name}"),
            _ => {
                taken.insert(name.clone(), vendor.clone());
                name.clone()
            }
        };
        let several = models.len() > 1;
        for (model, mut revisions) in models.clone() {
            revisions.sort_by_key(|(r, a, _, _)| (*r, *a));
            let Some(&(_, _, path, text)) = revisions.last() else {
                continue;
            };
            if revisions.len() > 1 {
                let older: Vec<&str> = revisions[..revisions.len() - 1]
                    .iter()
                    .map(|(_, _, p, _)| *p)
                    .collect();
                report.warn(
                    &format!("event {event_name:?}"),
                    path.to_string(),
                    format!(
                        "the latest schema of model {model} is kept; it replaces {}",
                        older.join(", ")
                    ),
                );
            }
            let root = parse_json(text)
                .map_err(|e| ImportError::new(format!("{path}:{}", e.at), e.message))?;
            let mut e = event(&mut report, &event_name, vendor, &root, path)?;
            if several || model != 1 {
                e.version = Some(model);
            }
            plan.events.push(e);
        }
    }
    if plan.title.is_empty() {
        let vendors: std::collections::BTreeSet<&str> =
            schemas.keys().map(|(v, _)| v.as_str()).collect();
        plan.title = format!(
            "Snowplow schemas of {}",
            vendors.into_iter().collect::<Vec<_>>().join(", ")
        );
    }
    Ok((plan, report))
}

/// One schema file, read as a plan of one event.
pub(crate) fn read_one(text: &str) -> Result<(Plan, Report), ImportError> {
    let root = parse_json(text)?;
    let (vendor, name) = match root.get("self") {
        Some(s) => (
            s.get("vendor").and_then(Value::as_str).unwrap_or_default(),
            s.get("name").and_then(Value::as_str).unwrap_or_default(),
        ),
        None => ("", ""),
    };
    if name.is_empty() {
        return Err(ImportError::new(
            "/self/name",
            "an Iglu schema names itself: `self: {vendor, name, format, version}`",
        ));
    }
    let mut report = Report::default();
    let mut e = event(&mut report, name, vendor, &root, "")?;
    if let Some((m, _, _)) = root
        .get("self")
        .and_then(|s| s.get("version"))
        .and_then(Value::as_str)
        .and_then(schema_ver)
        && m != 1
    {
        e.version = Some(m);
    }
    let plan = Plan {
        title: format!("Snowplow schema {vendor}/{name}"),
        events: vec![e],
        ..Plan::default()
    };
    Ok((plan, report))
}

/// The event of one self-describing schema; warnings point into `file`.
fn event(
    report: &mut Report,
    name: &str,
    vendor: &str,
    root: &Value,
    file: &str,
) -> Result<Event, ImportError> {
    let subject = format!("event {name:?}");
    let obj = root
        .as_object()
        .ok_or_else(|| ImportError::new(format!("{file}:/"), "a schema must be an object"))?;
    let at = |k: &str| {
        if file.is_empty() {
            format!("/{}", pointer_token(k))
        } else {
            format!("{file}#/{}", pointer_token(k))
        }
    };
    let mut e = Event {
        name: name.to_string(),
        ..Event::default()
    };
    if !vendor.is_empty() {
        e.labels.push(format!("vendor:{vendor}"));
    }
    for (k, v) in obj {
        match k.as_str() {
            "self" => {
                if let Some(s) = v.as_object() {
                    for (sk, sv) in s {
                        match sk.as_str() {
                            "vendor" | "name" | "version" => {}
                            "format" if sv == "jsonschema" => {}
                            _ => report.warn(
                                &subject,
                                format!("{}/{}", at("self"), pointer_token(sk)),
                                format!("`self.{sk}` is not modelled; dropped"),
                            ),
                        }
                    }
                }
            }
            "description" => match v.as_str() {
                Some(d) if !d.is_empty() => e.description = Some(d.to_string()),
                _ => {}
            },
            "type" if v == "object" => {}
            "properties" | "required" | "additionalProperties" => {}
            q if QUIET.contains(&q) => report.skip(q),
            _ => report.warn(
                &subject,
                at(k),
                format!("keyword `{k}` is not modelled; dropped"),
            ),
        }
    }
    let base = if file.is_empty() {
        String::new()
    } else {
        format!("{file}#")
    };
    let mut reader = schema::Reader::new(report);
    (e.properties, e.closed) = reader.members(&subject, obj, &base);
    Ok(e)
}
