//! The imported model as `.events` text: declarations for every owner, consent
//! purpose, retention policy and source the plan names, the plan's naming
//! styles chosen to fit the names it imports, the exceptions and relaxed rules
//! that make it check with no errors, then the canonical layout of `fmt`.
//!
//! An imported plan checks clean with no hand edits:
//! - a name that does not follow the plan's naming style gets
//!   `allow("naming/…", reason "…")` (or, when there are many, the rule is set
//!   to `warn` in the plan's `rules { }`);
//! - events whose names differ only in case or look alike (distinct events to
//!   Segment) get `allow("naming/confusable-name", …)` after the first;
//! - without `--owner`, what has no owner sets `ownership/missing-owner` to
//!   `warn`;
//! - any other rule the input breaks (found by checking the written plan) is
//!   set to `warn`, each with a `// TODO(import)` comment saying why.

use super::{
    Envelope, Event, ImportError, Literal, Plan, Property, Screen, Traits, Type, is_ident,
};
use crate::ir::{EventNaming, PropertyNaming};
use crate::rules::names;
use crate::rules::naming::confusable_name;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write;

/// A string literal of the `.events` language.
use crate::syntax::quote;

/// What the writer is told beyond the plan.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// `--owner`: the owner of everything the input gives none (without `@`).
    pub owner: Option<String>,
}

/// The written plan and what was filled in for the user to review.
#[derive(Clone, Debug)]
pub struct Written {
    pub text: String,
    pub(crate) notes: Vec<String>,
    /// Rules set to `warn`, with why.
    pub(crate) relaxed: Vec<(String, String)>,
    /// False when `fmt` could not lay the text out (it does not parse: the
    /// language does not have a construct it uses yet).
    pub formatted: bool,
    /// What `check` finds in `text`.
    pub(crate) counts: crate::diagnostics::Counts,
}

/// At most this many `allow` exceptions per naming rule; beyond, the rule is
/// set to `warn` for the plan.
const MAX_ALLOWS: usize = 25;

/// The reason given for a name that does not follow the plan's naming style.
const KEPT: &str = "imported: the name is kept as it is sent";

fn literal(l: &Literal) -> String {
    match l {
        Literal::Str(s) => quote(s),
        Literal::Num(n) => n.clone(),
        Literal::Bool(b) => b.to_string(),
    }
}

fn literals(ls: &[Literal]) -> String {
    ls.iter().map(literal).collect::<Vec<_>>().join(", ")
}

fn type_text(t: &Type, out: &mut String) {
    match t {
        Type::String => out.push_str("string"),
        Type::Integer => out.push_str("integer"),
        Type::Number => out.push_str("number"),
        Type::Boolean => out.push_str("boolean"),
        Type::Datetime => out.push_str("datetime"),
        Type::Date => out.push_str("date"),
        Type::Any => out.push_str("any"),
        Type::Enum(values) => {
            out.push_str("enum(");
            out.push_str(&literals(values));
            out.push(')');
        }
        Type::Union(members) => {
            for (i, m) in members.iter().enumerate() {
                if i > 0 {
                    out.push_str(" | ");
                }
                type_text(m, out);
            }
        }
        Type::List(item) => {
            out.push_str("list(");
            type_text(&item.ty, out);
            modifiers(item, out);
            out.push(')');
        }
        Type::Object(props) => {
            out.push_str("object {\n");
            properties(props, out);
            out.push('}');
        }
    }
}

/// A property's modifiers after its type (not its description).
fn modifiers(p: &Property, out: &mut String) {
    if p.required {
        out.push_str(" required");
    }
    if p.nullable && !matches!(p.ty, Type::Any) {
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
    if let Some(v) = &p.multiple_of {
        let _ = write!(out, " multiple_of({v})");
    }
    if p.closed {
        out.push_str(" closed");
    }
    if let Some(v) = &p.not_pattern {
        let _ = write!(out, " not_pattern({})", quote(v));
    }
    if !p.not_enum.is_empty() {
        let _ = write!(out, " not_enum({})", literals(&p.not_enum));
    }
    if let Some(rule) = p.allow {
        let _ = write!(out, " allow({}, reason {})", quote(rule), quote(KEPT));
    }
}

/// A property name: as it is when it is an identifier, else quoted.
fn name_text(name: &str) -> String {
    if is_ident(name) {
        name.to_string()
    } else {
        quote(name)
    }
}

fn property(p: &Property, out: &mut String) {
    out.push_str(&name_text(&p.name));
    out.push_str(": ");
    type_text(&p.ty, out);
    modifiers(p, out);
    if let Some(d) = &p.description {
        out.push(' ');
        out.push_str(&quote(d));
    }
    out.push('\n');
}

fn properties(props: &[Property], out: &mut String) {
    for p in props {
        property(p, out);
    }
}

fn traits_body(t: &Traits, out: &mut String) {
    if let Some(d) = &t.description {
        let _ = writeln!(out, "description {}", quote(d));
    }
    if let Some(o) = &t.owner {
        let _ = writeln!(out, "owner @{o}");
    }
    for (key, v) in [("consent", &t.consent), ("retention", &t.retention)] {
        if let Some(v) = v {
            let _ = writeln!(out, "{key} {v}");
        }
    }
    if t.closed {
        out.push_str("closed\n");
    }
    properties(&t.properties, out);
}

fn traits(keyword: &str, t: &Traits, out: &mut String) {
    let _ = writeln!(out, "{keyword} {{");
    traits_body(t, out);
    out.push_str("}\n\n");
}

fn screen(s: &Screen, out: &mut String) {
    match &s.name {
        Some(n) => {
            let _ = writeln!(out, "{} {} {{", s.keyword, quote(n));
        }
        None => {
            let _ = writeln!(out, "{} {{", s.keyword);
        }
    }
    traits_body(&s.traits, out);
    out.push_str("}\n\n");
}

fn envelope(env: &Envelope, out: &mut String) {
    out.push_str("envelope {\n");
    for names in &env.require_one_of {
        let list: Vec<String> = names.iter().map(|n| name_text(n)).collect();
        let _ = writeln!(out, "require_one_of {}", list.join(", "));
    }
    properties(&env.properties, out);
    out.push_str("}\n\n");
}

fn event(e: &Event, out: &mut String) {
    let _ = writeln!(out, "event {} {{", quote(&e.name));
    let mut field = |key: &str, value: Option<String>| {
        if let Some(v) = value {
            let _ = writeln!(out, "{key} {v}");
        }
    };
    let list = |items: &[String]| {
        (!items.is_empty()).then(|| {
            items
                .iter()
                .map(|t| quote(t))
                .collect::<Vec<_>>()
                .join(", ")
        })
    };
    field("version", e.version.map(|v| v.to_string()));
    field("description", e.description.as_deref().map(quote));
    field("owner", e.owner.as_ref().map(|o| format!("@{o}")));
    field("source", e.source.clone());
    field("consent", e.consent.clone());
    field("status", e.status.clone());
    field("retention", e.retention.clone());
    field("since", e.since.as_deref().map(quote));
    field("tags", list(&e.tags));
    field("labels", list(&e.labels));
    field("identity", e.identity.clone());
    field("flag", e.flag.as_deref().map(quote));
    field("release", e.release.clone());
    field("replaced_by", e.replaced_by.as_deref().map(quote));
    field("sunset", e.sunset.clone());
    if e.closed {
        out.push_str("closed\n");
    }
    for (rule, reason) in &e.allows {
        let _ = writeln!(out, "allow({}, reason {})", quote(rule), quote(reason));
    }
    properties(&e.properties, out);
    out.push_str("}\n\n");
}

/// Every property list of the plan (events, traits, envelope, pages).
fn property_lists_mut(plan: &mut Plan) -> Vec<&mut Vec<Property>> {
    let mut lists: Vec<&mut Vec<Property>> = Vec::new();
    if let Some(env) = &mut plan.envelope {
        lists.push(&mut env.properties);
    }
    for t in [&mut plan.common, &mut plan.identify, &mut plan.group]
        .into_iter()
        .flatten()
    {
        lists.push(&mut t.properties);
    }
    for s in &mut plan.screens {
        lists.push(&mut s.traits.properties);
    }
    for e in &mut plan.events {
        lists.push(&mut e.properties);
    }
    lists
}

fn members_mut(t: &mut Type) -> Option<&mut Vec<Property>> {
    match t {
        Type::List(item) => members_mut(&mut item.ty),
        Type::Object(children) => Some(children),
        _ => None,
    }
}

fn each_property(props: &mut [Property], f: &mut dyn FnMut(&mut Property)) {
    for p in props {
        f(p);
        if let Some(children) = members_mut(&mut p.ty) {
            each_property(children, f);
        }
    }
}

/// The plan being written: its `rules { }` settings and notes.
struct Fixes {
    relaxed: Vec<(String, String)>,
    notes: Vec<String>,
}

impl Fixes {
    fn relax(&mut self, rule: &str, why: String) {
        if !self.relaxed.iter().any(|(r, _)| r == rule) {
            self.relaxed.push((rule.to_string(), why));
        }
    }
}

/// Chooses the naming styles most imported names follow (the defaults on a
/// tie) and gives every other name an `allow` exception (or relaxes the rule
/// when there are many): the names are data contracts already in use.
fn choose_naming(
    plan: &mut Plan,
    fixes: &mut Fixes,
) -> (Option<EventNaming>, Option<PropertyNaming>) {
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
    let mut best = fits(events, plan);
    for style in event_styles {
        let n = fits(style, plan);
        if n > best {
            events = style;
            best = n;
        }
    }
    let off = plan.events.len() - best;
    if off > MAX_ALLOWS {
        fixes.relax(
            "naming/event-case",
            format!("{off} imported event names do not follow `{events}`; they are data contracts already in use"),
        );
    } else if off > 0 {
        for e in &mut plan.events {
            if names::event_problem(&e.name, events).is_some() {
                e.allows.push(("naming/event-case", KEPT.to_string()));
            }
        }
        fixes.notes.push(format!(
            "{off} event name{} that do{} not follow the plan's naming style got an `allow` exception (kept as sent)",
            if off == 1 { "" } else { "s" },
            if off == 1 { "es" } else { "" }
        ));
    }
    let mut snake = 0usize;
    let mut camel = 0usize;
    let mut total = 0usize;
    for list in property_lists_mut(plan) {
        each_property(list, &mut |p| {
            if p.name.is_empty() {
                return;
            }
            total += 1;
            snake += usize::from(names::property_ok(&p.name, PropertyNaming::SnakeCase));
            camel += usize::from(names::property_ok(&p.name, PropertyNaming::CamelCase));
        });
    }
    let (properties, fit) = if camel > snake {
        (PropertyNaming::CamelCase, camel)
    } else {
        (PropertyNaming::SnakeCase, snake)
    };
    let off = total - fit;
    if off > MAX_ALLOWS {
        fixes.relax(
            "naming/property-case",
            format!("{off} imported property names do not follow `{properties}`; they are data contracts already in use"),
        );
    } else if off > 0 {
        for list in property_lists_mut(plan) {
            each_property(list, &mut |p| {
                if !p.name.is_empty() && !names::property_ok(&p.name, properties) {
                    p.allow = Some("naming/property-case");
                }
            });
        }
        fixes.notes.push(format!(
            "{off} property name{} that do{} not follow the plan's naming style got an `allow` exception (kept as sent)",
            if off == 1 { "" } else { "s" },
            if off == 1 { "es" } else { "" }
        ));
    }
    (
        (events != EventNaming::ObjectAction).then_some(events),
        (properties != PropertyNaming::SnakeCase).then_some(properties),
    )
}

/// Events whose names look the same to a reader (differing only in case,
/// spacing, Unicode forms or invisible characters) are distinct to Segment,
/// and kept so: each name after the first that looks like it gets an `allow`
/// of `naming/confusable-name` (the rule that reports them). Versions of one
/// event share their name and are not variants.
fn case_variants(plan: &mut Plan) -> usize {
    // The first name seen for each visible key.
    let mut first: HashMap<String, String> = HashMap::new();
    let mut n = 0;
    for e in &mut plan.events {
        let key = confusable_name::visible_key(&e.name);
        match first.get(&key) {
            Some(f) if *f != e.name => {
                e.allows.push((
                    "naming/confusable-name",
                    "imported: Segment keeps events whose names differ in case or look alike apart"
                        .to_string(),
                ));
                n += 1;
            }
            Some(_) => {}
            None => {
                first.insert(key, e.name.clone());
            }
        }
    }
    n
}

/// Gives what has no owner `owner`; without one, says what has none
/// (`3 events, identify and 1 page rule`).
fn owners(plan: &mut Plan, owner: Option<&str>) -> Option<String> {
    let fill = |slot: &mut Option<String>| {
        slot.is_none()
            && match owner {
                Some(o) => {
                    *slot = Some(o.to_string());
                    false
                }
                None => true,
            }
    };
    let mut events = 0;
    for e in &mut plan.events {
        events += usize::from(fill(&mut e.owner));
    }
    let mut parts = Vec::new();
    if events > 0 {
        parts.push(format!(
            "{events} event{}",
            if events == 1 { "" } else { "s" }
        ));
    }
    for (keyword, t) in [("identify", &mut plan.identify), ("group", &mut plan.group)] {
        if let Some(t) = t
            && fill(&mut t.owner)
        {
            parts.push(keyword.to_string());
        }
    }
    let mut screens = 0;
    for s in &mut plan.screens {
        screens += usize::from(fill(&mut s.traits.owner));
    }
    if screens > 0 {
        parts.push(format!(
            "{screens} page or screen rule{}",
            if screens == 1 { "" } else { "s" }
        ));
    }
    match parts.as_slice() {
        [] => None,
        [one] => Some(one.clone()),
        [init @ .., last] => Some(format!("{} and {last}", init.join(", "))),
    }
}

/// The plan as `.events` text in the canonical layout, with what was filled
/// in for the user to review.
pub fn write(plan: &Plan, opts: &Options) -> Result<Written, ImportError> {
    let mut plan = plan.clone();
    let mut fixes = Fixes {
        relaxed: Vec::new(),
        notes: Vec::new(),
    };
    let (event_naming, property_naming) = choose_naming(&mut plan, &mut fixes);
    let variants = case_variants(&mut plan);
    if variants > 0 {
        fixes.notes.push(format!(
            "{variants} event{} whose names differ only in case or look alike got `allow(\"naming/confusable-name\")` (distinct events to Segment)", if variants == 1 { "" } else { "s" }
        ));
    }
    if let Some(missing) = owners(&mut plan, opts.owner.as_deref()) {
        fixes.relax(
            "ownership/missing-owner",
            format!("the input names no owner for {missing}: give each an `owner @team` (or import with `--owner @team`)"),
        );
    }
    let body = body(&plan, &mut fixes.notes);
    let header =
        |relaxed: &[(String, String)]| header(&plan, event_naming, property_naming, relaxed);
    let mut text = header(&fixes.relaxed);
    text.push_str(&body);
    // Whatever else the input breaks is relaxed, with the first finding as the reason.
    let (_, checked) = crate::check::check_text("imported.events", &text);
    let mut found: BTreeMap<&str, (usize, String)> = BTreeMap::new();
    for d in checked
        .diagnostics
        .iter()
        .filter(|d| d.is_error() && d.code.contains('/'))
    {
        let entry = found.entry(d.code).or_insert((0, d.message.clone()));
        entry.0 += 1;
    }
    // A rule set to `warn` only lowers its findings' severity: the text
    // written next checks with these counts (one check of a large plan, not two).
    let mut counts = crate::diagnostics::count(&checked.diagnostics);
    let lowered: usize = found.values().map(|(n, _)| n).sum();
    counts.errors -= lowered;
    counts.warnings += lowered;
    if !found.is_empty() {
        for (rule, (n, first)) in found {
            fixes.relax(
                rule,
                format!(
                    "the input breaks it {n} time{} (first: {first})",
                    if n == 1 { "" } else { "s" }
                ),
            );
        }
        text = header(&fixes.relaxed);
        text.push_str(&body);
    }
    let (text, formatted) = match crate::fmt::format(crate::source::FileId(0), &text) {
        Ok(t) => (t, true),
        Err(_) => (indent(&text), false),
    };
    Ok(Written {
        text,
        notes: fixes.notes,
        relaxed: fixes.relaxed,
        formatted,
        counts,
    })
}

/// The `plan { }` block: title, version, sources, naming, relaxed rules.
fn header(
    plan: &Plan,
    event_naming: Option<EventNaming>,
    property_naming: Option<PropertyNaming>,
    relaxed: &[(String, String)],
) -> String {
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
    let sources: BTreeSet<&str> = plan
        .events
        .iter()
        .filter_map(|e| e.source.as_deref())
        .collect();
    if !sources.is_empty() {
        let list: Vec<&str> = sources.into_iter().collect();
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
    if !relaxed.is_empty() {
        out.push_str("rules {\n");
        for (rule, why) in relaxed {
            let _ = writeln!(out, "// TODO(import): {}", why.replace('\n', " "));
            let _ = writeln!(out, "{} = warn", quote(rule));
        }
        out.push_str("}\n");
    }
    out.push_str("}\n\n");
    out
}

/// Everything after the `plan { }` block.
fn body(plan: &Plan, notes: &mut Vec<String>) -> String {
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
    let screens = plan.screens.iter().map(|s| &s.traits);
    for t in [&plan.common, &plan.identify, &plan.group]
        .into_iter()
        .flatten()
        .chain(screens)
    {
        owners.extend(t.owner.as_deref());
        consents.extend(t.consent.as_deref());
        retentions.extend(t.retention.as_deref());
    }
    let mut out = String::with_capacity(plan.events.len() * 512);
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
    if let Some(env) = &plan.envelope {
        envelope(env, &mut out);
    }
    for (keyword, t) in [
        ("common", &plan.common),
        ("identify", &plan.identify),
        ("group", &plan.group),
    ] {
        if let Some(t) = t {
            traits(keyword, t, &mut out);
        }
    }
    for s in &plan.screens {
        screen(s, &mut out);
    }
    for e in &plan.events {
        event(e, &mut out);
    }
    out
}

/// Indents text by its braces (two spaces a level) when `fmt` cannot lay it
/// out, so that it still reads well.
fn indent(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    let mut depth: usize = 0;
    for line in text.lines() {
        let (opens, closes_first, closes) = braces(line);
        let level = depth.saturating_sub(closes_first);
        if !line.is_empty() {
            for _ in 0..level {
                out.push_str("  ");
            }
        }
        out.push_str(line);
        out.push('\n');
        depth = (depth + opens).saturating_sub(closes);
    }
    out
}

/// The `{` and `}` of a line outside strings and comments, and how many `}`
/// lead it.
fn braces(line: &str) -> (usize, usize, usize) {
    let (mut opens, mut closes, mut leading) = (0, 0, 0);
    let mut in_string = false;
    let mut escaped = false;
    let mut start = true;
    let mut prev_slash = false;
    for c in line.chars() {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '/' if prev_slash => break,
            '{' => opens += 1,
            '}' => {
                closes += 1;
                if start {
                    leading += 1;
                }
            }
            _ => {}
        }
        prev_slash = c == '/';
        if c != '}' && !c.is_whitespace() {
            start = false;
        }
    }
    (opens, leading, closes)
}

#[cfg(test)]
mod tests {
    use super::{indent, quote};

    #[test]
    fn quoting() {
        assert_eq!(
            quote("a \"b\" \\ c\nd\te\u{1}"),
            r#""a \"b\" \\ c\nd\te\u{1}""#
        );
    }

    #[test]
    fn indenting() {
        assert_eq!(
            indent("a {\nb: object {\nc: \"}\" // }\n}\n}\n"),
            "a {\n  b: object {\n    c: \"}\" // }\n  }\n}\n"
        );
    }
}
