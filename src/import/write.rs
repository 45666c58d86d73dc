//! The imported model as `.events` text: declarations for every owner, consent
//! purpose, retention policy and source the events name, the plan's naming styles
//! chosen to fit the names it imports, then the canonical layout of `fmt`.

use super::{Event, ImportError, Plan, Property, Traits, Type};
use crate::ir::{EventNaming, PropertyNaming};
use crate::rules::names;
use std::collections::BTreeSet;
use std::fmt::Write;

/// A string literal of the `.events` language.
pub use crate::syntax::quote;

fn type_text(t: &Type, out: &mut String) {
    match t {
        Type::String => out.push_str("string"),
        Type::Integer => out.push_str("integer"),
        Type::Number => out.push_str("number"),
        Type::Boolean => out.push_str("boolean"),
        Type::Datetime => out.push_str("datetime"),
        Type::Date => out.push_str("date"),
        Type::Enum(values) => {
            out.push_str("enum(");
            out.push_str(
                &values
                    .iter()
                    .map(|v| quote(v))
                    .collect::<Vec<_>>()
                    .join(", "),
            );
            out.push(')');
        }
        Type::List(inner) => {
            out.push_str("list(");
            type_text(inner, out);
            out.push(')');
        }
        Type::Object(props) => {
            out.push_str("object {\n");
            properties(props, out);
            out.push('}');
        }
    }
}

fn property(p: &Property, out: &mut String) {
    out.push_str(&p.name);
    out.push_str(": ");
    type_text(&p.ty, out);
    if p.required {
        out.push_str(" required");
    }
    if p.nullable {
        out.push_str(" nullable");
    }
    for (name, v) in [("min", &p.min), ("max", &p.max)] {
        if let Some(v) = v {
            let _ = write!(out, " {name}({v})");
        }
    }
    for (name, v) in [("min_length", p.min_length), ("max_length", p.max_length)] {
        if let Some(v) = v {
            let _ = write!(out, " {name}({v})");
        }
    }
    if let Some(v) = &p.pattern {
        let _ = write!(out, " pattern({})", quote(v));
    }
    if let Some(v) = &p.format {
        let _ = write!(out, " format({v})");
    }
    if let Some(rule) = p.allow {
        let _ = write!(out, " allow({}, reason {})", quote(rule), quote(KEPT));
    }
    if let Some(d) = &p.description {
        out.push(' ');
        out.push_str(&quote(d));
    }
    out.push('\n');
}

/// The reason given for a name that does not follow the plan's naming style.
const KEPT: &str = "imported: the name is kept as it is sent";

fn properties(props: &[Property], out: &mut String) {
    for p in props {
        property(p, out);
    }
}

fn traits(keyword: &str, t: &Traits, guessed_owner: bool, out: &mut String) {
    let _ = writeln!(out, "{keyword} {{");
    if let Some(d) = &t.description {
        let _ = writeln!(out, "description {}", quote(d));
    }
    if let Some(o) = &t.owner {
        if guessed_owner {
            out.push_str("// TODO(import): no owner in the input; the owner of most events is a placeholder.\n");
        }
        let _ = writeln!(out, "owner @{o}");
    }
    for (key, v) in [("consent", &t.consent), ("retention", &t.retention)] {
        if let Some(v) = v {
            let _ = writeln!(out, "{key} {v}");
        }
    }
    properties(&t.properties, out);
    out.push_str("}\n\n");
}

fn event(e: &Event, out: &mut String) {
    let _ = writeln!(out, "event {} {{", quote(&e.name));
    let mut field = |key: &str, value: Option<String>| {
        if let Some(v) = value {
            let _ = writeln!(out, "{key} {v}");
        }
    };
    field("description", e.description.as_deref().map(quote));
    field("owner", e.owner.as_ref().map(|o| format!("@{o}")));
    field("source", e.source.clone());
    field("consent", e.consent.clone());
    field("status", e.status.clone());
    field("retention", e.retention.clone());
    field("since", e.since.as_deref().map(quote));
    if !e.tags.is_empty() {
        field(
            "tags",
            Some(
                e.tags
                    .iter()
                    .map(|t| quote(t))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        );
    }
    field("identity", e.identity.clone());
    field("flag", e.flag.as_deref().map(quote));
    field("release", e.release.clone());
    field("replaced_by", e.replaced_by.as_deref().map(quote));
    field("sunset", e.sunset.clone());
    for rule in &e.allows {
        let _ = writeln!(out, "allow({}, reason {})", quote(rule), quote(KEPT));
    }
    properties(&e.properties, out);
    out.push_str("}\n\n");
}

/// Chooses the naming styles most imported names follow (the defaults on a tie)
/// and gives every other name an `allow` exception: the names are data contracts
/// already in use. Returns how many names got one.
fn choose_naming(plan: &mut Plan) -> (Option<EventNaming>, Option<PropertyNaming>, usize) {
    let event_styles = [
        EventNaming::ObjectAction,
        EventNaming::SnakeCase,
        EventNaming::CamelCase,
    ];
    let fits = |style: EventNaming, plan: &Plan| {
        plan.events
            .iter()
            .filter(|e| names::event_problem(&e.name, style).is_none())
            .count()
    };
    let mut events = EventNaming::ObjectAction;
    for style in event_styles {
        if fits(style, plan) > fits(events, plan) {
            events = style;
        }
    }
    let mut exceptions = 0;
    for e in &mut plan.events {
        if names::event_problem(&e.name, events).is_some() {
            e.allows.push("naming/event-case");
            exceptions += 1;
        }
    }
    let mut names_all = Vec::new();
    let traits = [&plan.common, &plan.identify, &plan.group];
    for t in traits.into_iter().flatten() {
        collect_names(&t.properties, &mut names_all);
    }
    for e in &plan.events {
        collect_names(&e.properties, &mut names_all);
    }
    let count = |style: PropertyNaming| {
        names_all
            .iter()
            .filter(|n| names::property_ok(n, style))
            .count()
    };
    let properties = if count(PropertyNaming::CamelCase) > count(PropertyNaming::SnakeCase) {
        PropertyNaming::CamelCase
    } else {
        PropertyNaming::SnakeCase
    };
    let mut mark = |props: &mut Vec<Property>| mark_properties(props, properties, &mut exceptions);
    for t in [&mut plan.common, &mut plan.identify, &mut plan.group]
        .into_iter()
        .flatten()
    {
        mark(&mut t.properties);
    }
    for e in &mut plan.events {
        mark(&mut e.properties);
    }
    (
        (events != EventNaming::ObjectAction).then_some(events),
        (properties != PropertyNaming::SnakeCase).then_some(properties),
        exceptions,
    )
}

fn collect_names(props: &[Property], out: &mut Vec<String>) {
    for p in props {
        out.push(p.name.clone());
        if let Some(children) = members(&p.ty) {
            collect_names(children, out);
        }
    }
}

fn members(t: &Type) -> Option<&Vec<Property>> {
    match t {
        Type::List(inner) => members(inner),
        Type::Object(children) => Some(children),
        _ => None,
    }
}

fn members_mut(t: &mut Type) -> Option<&mut Vec<Property>> {
    match t {
        Type::List(inner) => members_mut(inner),
        Type::Object(children) => Some(children),
        _ => None,
    }
}

fn mark_properties(props: &mut [Property], style: PropertyNaming, exceptions: &mut usize) {
    for p in props {
        if !names::property_ok(&p.name, style) {
            p.allow = Some("naming/property-case");
            *exceptions += 1;
        }
        if let Some(children) = members_mut(&mut p.ty) {
            mark_properties(children, style, exceptions);
        }
    }
}

/// The owner most events name (the first in alphabetical order on a tie).
fn usual_owner(plan: &Plan) -> Option<String> {
    let mut counts: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for e in &plan.events {
        if let Some(o) = &e.owner {
            *counts.entry(o).or_default() += 1;
        }
    }
    let best = counts.values().copied().max()?;
    counts
        .into_iter()
        .find(|(_, n)| *n == best)
        .map(|(o, _)| o.to_string())
}

/// The plan as `.events` text in the canonical layout, and notes on what was
/// filled in (placeholders, naming exceptions) for the user to review.
pub fn write(plan: &Plan) -> Result<(String, Vec<String>), ImportError> {
    let mut plan = plan.clone();
    let mut notes = Vec::new();
    let (event_naming, property_naming, exceptions) = choose_naming(&mut plan);
    if exceptions > 0 {
        let (names, verb) = if exceptions == 1 {
            ("name", "does")
        } else {
            ("names", "do")
        };
        notes.push(format!(
            "{exceptions} {names} that {verb} not follow the plan's naming style got an `allow` exception (kept as sent)"
        ));
    }
    let ownerless = plan.events.iter().filter(|e| e.owner.is_none()).count();
    if ownerless > 0 {
        notes.push(format!(
            "{ownerless} event{} no owner in the input: add `owner @team` (`check` reports them)",
            if ownerless == 1 { " has" } else { "s have" }
        ));
    }
    let guessed_owner = usual_owner(&plan);
    let mut guessed: Vec<&str> = Vec::new();
    for (keyword, t) in [("identify", &mut plan.identify), ("group", &mut plan.group)] {
        if let Some(t) = t
            && t.owner.is_none()
            && let Some(o) = &guessed_owner
        {
            t.owner = Some(o.clone());
            guessed.push(keyword);
            notes.push(format!(
                "`{keyword}` has no owner in the input: @{o}, the owner of most events, is a placeholder (marked TODO)"
            ));
        }
    }
    let plan = &plan;
    let mut owners = BTreeSet::new();
    let mut consents = BTreeSet::new();
    let mut retentions = BTreeSet::new();
    let mut sources = BTreeSet::new();
    for e in &plan.events {
        owners.extend(e.owner.as_deref());
        consents.extend(e.consent.as_deref());
        retentions.extend(e.retention.as_deref());
        sources.extend(e.source.as_deref());
    }
    for t in [&plan.common, &plan.identify, &plan.group]
        .into_iter()
        .flatten()
    {
        owners.extend(t.owner.as_deref());
        consents.extend(t.consent.as_deref());
        retentions.extend(t.retention.as_deref());
    }
    let mut out = String::new();
    let _ = writeln!(out, "plan {} {{", quote(&plan.title));
    // The plan is at least as new as its newest event (`since`), so that the
    // import checks clean (`lifecycle/since-after-plan-version`).
    let newest = plan
        .events
        .iter()
        .filter_map(|e| crate::ir::Semver::parse(e.since.as_deref()?).ok())
        .max_by(|a, b| a.precedence(b));
    if let Some(v) =
        newest.filter(|v| v.precedence(&crate::ir::Semver::DEFAULT) == std::cmp::Ordering::Greater)
    {
        let _ = writeln!(out, "version {}", quote(&v.to_string()));
    }
    if !sources.is_empty() {
        let list: Vec<&str> = sources.iter().copied().collect();
        let _ = writeln!(out, "sources {}", list.join(", "));
    }
    if event_naming.is_some() || property_naming.is_some() {
        out.push_str("naming {\n");
        if let Some(n) = event_naming {
            let _ = writeln!(out, "events {n}");
        }
        if let Some(n) = property_naming {
            let _ = writeln!(out, "properties {n}");
        }
        out.push_str("}\n");
    }
    out.push_str("}\n\n");
    for o in &owners {
        let _ = writeln!(out, "owner @{o} {{}}");
    }
    if !consents.is_empty() {
        out.push_str("\n// TODO(import): lawful bases are not in the input; `consent` is the strictest, review each.\n");
        notes.push(
            "consent purposes got `basis consent` as a placeholder (marked TODO)".to_string(),
        );
    }
    for c in &consents {
        let _ = writeln!(out, "consent {c} {{ basis consent }}");
    }
    if !retentions.is_empty() {
        out.push_str("\n// TODO(import): retention periods are not in the input; 13 months is a placeholder.\n");
        notes.push(
            "retention policies got `duration 13 months` as a placeholder (marked TODO)"
                .to_string(),
        );
    }
    for r in &retentions {
        let _ = writeln!(out, "retention {r} {{ duration 13 months }}");
    }
    for s in &sources {
        let _ = writeln!(out, "source {s} {{}}");
    }
    out.push('\n');
    for (keyword, t) in [
        ("common", &plan.common),
        ("identify", &plan.identify),
        ("group", &plan.group),
    ] {
        if let Some(t) = t {
            traits(keyword, t, guessed.contains(&keyword), &mut out);
        }
    }
    for e in &plan.events {
        event(e, &mut out);
    }
    crate::fmt::format(crate::source::FileId(0), &out)
        .map(|text| (text, notes))
        .map_err(|diags| {
            ImportError::new(
                "",
                format!(
                    "the imported plan does not parse (a bug in `eventsc import`): {}",
                    diags.first().map_or("", |d| d.message.as_str())
                ),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::quote;

    #[test]
    fn quoting() {
        assert_eq!(
            quote("a \"b\" \\ c\nd\te\u{1}"),
            r#""a \"b\" \\ c\nd\te\u{1}""#
        );
    }
}
