//! Reading typewriter's `plan.json`, whichever version wrote it:
//!
//! - typewriter 8 and later (Public API): `{"id", "name", "rules": [...]}`, each
//!   rule's schema sanitized (`eventMetadata`, the event's properties directly
//!   under `jsonSchema.properties`): read by [`super::segment`];
//! - typewriter 7 (Config API v1): `{"name", "display_name", "rules": {"events":
//!   [...], "global", "identify", "group"}}`; its local plans, `{"events": [...],
//!   "identify_traits", "group_traits"}`: read by [`super::segment_config`];
//! - `{"trackingPlans": [plan, …]}` (several plans in one file): each of the
//!   above, merged into one plan.

use super::segment::{self, Builder};
use super::{ImportError, Plan, Report, segment_config};
use serde_json::Value;

pub(crate) fn read(text: &str) -> Result<(Plan, Report), ImportError> {
    let root = segment::parse_json(text)?;
    let mut b = Builder::default();
    match root.get("trackingPlans") {
        Some(Value::Array(plans)) => {
            for (i, p) in plans.iter().enumerate() {
                one(&mut b, p, &format!("/trackingPlans/{i}"))?;
            }
        }
        Some(_) => {
            return Err(ImportError::new(
                "/trackingPlans",
                "`trackingPlans` must be an array",
            ));
        }
        None => one(&mut b, &root, "")?,
    }
    Ok(b.finish())
}

/// Whether `root` is one of typewriter's own shapes (not also a plain Segment export).
pub(crate) fn looks_like(root: &Value) -> bool {
    let sanitized = |rules: &Value| {
        rules.as_array().is_some_and(|r| {
            r.iter().any(|rule| {
                rule.get("jsonSchema")
                    .and_then(|s| s.get("eventMetadata"))
                    .is_some()
            })
        })
    };
    root.get("trackingPlans").is_some_and(Value::is_array)
        || root.get("rules").is_some_and(sanitized)
        || (root.get("events").is_some_and(Value::is_array)
            && (root.get("identify_traits").is_some() || root.get("group_traits").is_some()))
}

fn one(b: &mut Builder, plan: &Value, at: &str) -> Result<(), ImportError> {
    let obj = plan.as_object().ok_or_else(|| {
        ImportError::new(
            if at.is_empty() { "/" } else { at },
            "expected a typewriter plan: `{\"rules\": [...]}` or `{\"rules\": {\"events\": [...]}}`",
        )
    })?;
    if segment_config::looks_like(obj) {
        segment_config::feed(b, obj, at)
    } else if obj.get("rules").is_some_and(Value::is_array) {
        if at.is_empty() {
            segment::feed(b, plan)
        } else {
            // The rules' pointers are under this plan.
            let rules = obj
                .get("rules")
                .and_then(Value::as_array)
                .map_or(&[][..], Vec::as_slice);
            b.plan_fields(obj, at, &["rules"]);
            for (i, rule) in rules.iter().enumerate() {
                b.public_rule(rule, &format!("{at}/rules/{i}"))?;
            }
            Ok(())
        }
    } else {
        Err(ImportError::new(
            if at.is_empty() { "/" } else { at },
            "expected a typewriter plan: `{\"rules\": [...]}` or `{\"rules\": {\"events\": [...]}}`",
        ))
    }
}
