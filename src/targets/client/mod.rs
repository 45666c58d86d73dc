//! What the typed-client targets (`typescript`, `python`) share: the names they
//! give events and types, and the plan's shape as a compact JSON document that
//! the generated code reads at run time (serialising dates, the development
//! checks behind `onViolation`, consent gating).
//!
//! Naming is deterministic and collision-free: each generated name is derived
//! from the plan's name; a name that is a reserved word of the language (or one
//! of the client's own names) gets a suffix (`Event`, `_event`); a name already
//! taken by an earlier declaration (in plan order) gets `_` and the first 8 hex
//! digits of the SHA-256 of the plan's name. `eventsc status` and the
//! instrumentation spec use the same functions, so they name the same calls.

pub mod python;
pub mod typescript;

use crate::ir::{Event, Literal, Plan, Property, Type};
use rustc_hash::FxHashSet;
use std::fmt::Write;

/// The words of a name: runs of ASCII letters and digits; anything else
/// separates words. `split_case` also splits where a lower-case letter is
/// followed by an upper-case one (`orderCompleted` → `order`, `Completed`).
fn words(name: &str, split_case: bool) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = None;
    let bytes = name.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b.is_ascii_alphanumeric() {
            if split_case
                && let Some(s) = start
                && i > s
                && b.is_ascii_uppercase()
                && bytes[i - 1].is_ascii_lowercase()
            {
                out.push(&name[s..i]);
                start = Some(i);
            }
            if start.is_none() {
                start = Some(i);
            }
        } else if let Some(s) = start.take() {
            out.push(&name[s..i]);
        }
    }
    if let Some(s) = start {
        out.push(&name[s..]);
    }
    out
}

/// `"Order Completed"` → `orderCompleted`, `"CTA Clicked"` → `ctaClicked`,
/// `"order_completed"` → `orderCompleted`. The first word is lower-cased (whole
/// when it is all capitals), the others get an upper-case first letter.
pub fn lower_camel(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for (i, w) in words(name, false).into_iter().enumerate() {
        if i == 0 {
            if w.bytes().all(|b| !b.is_ascii_lowercase()) {
                out.push_str(&w.to_ascii_lowercase());
            } else {
                let mut c = w.chars();
                if let Some(f) = c.next() {
                    out.push(f.to_ascii_lowercase());
                    out.push_str(c.as_str());
                }
            }
        } else {
            push_capitalised(&mut out, w);
        }
    }
    identifier(out)
}

/// `"Order Completed"` → `OrderCompleted`.
pub fn pascal(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for w in words(name, false) {
        push_capitalised(&mut out, w);
    }
    identifier(out)
}

/// `"Order Completed"` → `order_completed`, `"orderCompleted"` → `order_completed`.
pub fn snake(name: &str) -> String {
    let parts: Vec<String> = words(name, true)
        .into_iter()
        .map(|w| w.to_ascii_lowercase())
        .collect();
    identifier(parts.join("_"))
}

fn push_capitalised(out: &mut String, w: &str) {
    let mut c = w.chars();
    if let Some(f) = c.next() {
        out.push(f.to_ascii_uppercase());
        out.push_str(c.as_str());
    }
}

/// An identifier from ASCII letters, digits and `_`: `_` before a leading
/// digit, `event` for an empty name.
fn identifier(s: String) -> String {
    if s.is_empty() {
        "event".into()
    } else if s.as_bytes()[0].is_ascii_digit() {
        format!("_{s}")
    } else {
        s
    }
}

/// Hands out names in one namespace: reserved words get `suffix`, a name taken
/// already gets `_` and the short hash of the plan's name for it.
pub struct Namer {
    taken: FxHashSet<String>,
    own: &'static [&'static str],
    reserved: &'static [&'static str],
    also_reserved: &'static [&'static str],
    suffix: &'static str,
}

impl Namer {
    /// `own`: the client's own names, reserved like the language's words.
    pub fn new(
        reserved: &'static [&'static str],
        own: &'static [&'static str],
        suffix: &'static str,
    ) -> Namer {
        Namer {
            taken: own.iter().map(|s| s.to_string()).collect(),
            own,
            reserved,
            also_reserved: &[],
            suffix,
        }
    }

    /// A free name for `base`, derived from the plan's name `source`.
    pub fn name(&mut self, mut base: String, source: &str) -> String {
        let b = base.as_str();
        if self.reserved.contains(&b) || self.also_reserved.contains(&b) || self.own.contains(&b) {
            base.push_str(self.suffix);
        }
        if self.taken.contains(&base) {
            base = format!("{base}_{}", super::short_hash(source));
            let stem = base.clone();
            let mut n = 2;
            while self.taken.contains(&base) {
                base = format!("{stem}_{n}");
                n += 1;
            }
        }
        self.taken.insert(base.clone());
        base
    }
}

/// The names a client gives a plan's events, types and helpers.
pub struct Names {
    /// Per event: the function that sends it.
    pub functions: Vec<String>,
    /// Per event: its properties' type.
    pub event_types: Vec<String>,
    /// Per named enum.
    pub enums: Vec<String>,
    /// Per bundle.
    pub bundles: Vec<String>,
}

/// What differs between the languages' naming.
pub struct Style {
    pub function: fn(&str) -> String,
    pub function_reserved: &'static [&'static str],
    pub function_suffix: &'static str,
    /// The client's own exported functions (`identify`, `setAnalytics`…).
    pub own_functions: &'static [&'static str],
    pub type_reserved: &'static [&'static str],
    pub type_suffix: &'static str,
    /// The client's own exported types.
    pub own_types: &'static [&'static str],
    /// Appended to an event's type name (`Properties`).
    pub event_type_suffix: &'static str,
}

pub fn names(plan: &Plan, style: &Style) -> Names {
    let mut functions = Namer::new(
        style.function_reserved,
        style.own_functions,
        style.function_suffix,
    );
    let functions = plan
        .events
        .iter()
        .map(|e| functions.name((style.function)(&e.name.value), &e.name.value))
        .collect();
    let mut types = Namer::new(style.type_reserved, style.own_types, style.type_suffix);
    // The language's reserved words are no type names either.
    types.also_reserved = style.function_reserved;
    let enums = plan
        .enums
        .iter()
        .map(|e| types.name(e.name.value.clone(), &e.name.value))
        .collect();
    let bundles = plan
        .bundles
        .iter()
        .map(|b| types.name(b.name.value.clone(), &b.name.value))
        .collect();
    let event_types = plan
        .events
        .iter()
        .map(|e| {
            types.name(
                format!("{}{}", pascal(&e.name.value), style.event_type_suffix),
                &e.name.value,
            )
        })
        .collect();
    Names {
        functions,
        event_types,
        enums,
        bundles,
    }
}

/// The generated TypeScript function of each event (by event index): what
/// `eventsc status` looks for and what the spec and QA checklist name.
pub fn typescript_functions(plan: &Plan) -> Vec<String> {
    names(plan, &typescript::STYLE).functions
}

/// The generated Python function of each event (by event index).
pub fn python_functions(plan: &Plan) -> Vec<String> {
    names(plan, &python::STYLE).functions
}

/// The properties a call of event `e` carries: the plan's `common` ones that
/// the event does not declare itself, then the event's own (bundles included).
pub fn common_props<'p>(plan: &'p Plan, e: &Event) -> Vec<&'p Property> {
    plan.common
        .as_ref()
        .map(|c| {
            c.properties
                .iter()
                .filter(|p| e.property(&p.name.value).is_none())
                .collect()
        })
        .unwrap_or_default()
}

/// The plan's shape for the generated code's run time, as one JSON document:
///
/// ```text
/// {"version": "1.3.0",
///  "consents": [[id, category], …],
///  "events": [{"name", "consent"?, "identity", "x"?, "props": [prop…]}, …],
///  "identify"?: {"consent"?, "x"?, "props"}, "group"?: {…}}
/// prop = {"n": name, "r"?: 1 (required),
///         "c"?: consent index (when it differs from the container's),
///         constraints…, type…}
/// constraints = "u"?: 1 (nullable), "min"?, "max"?, "mul"? (multiple_of),
///         "minLen"?, "maxLen"?, "pat"?, "npat"? (not_pattern), "fmt"?,
///         "ne"?: [values] (not_enum), "x"?: 1 (closed)
/// type = "t": "a" any | "s" string | "i" integer | "n" number | "b" boolean |
///        "t" datetime | "d" date | "e" enum | "l" list | "o" object | "u" union,
///        "e"?: [values] (enum), "i"?: {constraints…, type…} (list item),
///        "p"?: [prop…] (object), "m"?: [{type…}…] (union members)
/// ```
///
/// The constraints are those `eventsc validate` applies: on a list the
/// lengths count items, and its item carries its own; a union's member is
/// the first of the value's JSON kind, and the constraints that apply to it
/// are checked. `pattern` rewrites a `pattern(...)` (and `not_pattern`) for
/// the target language's engine.
pub fn meta_json(plan: &Plan, pattern: &dyn Fn(&str) -> String) -> String {
    let mut w = Meta {
        out: String::with_capacity(1024),
        pattern,
    };
    w.out.push('{');
    w.key("version");
    w.string(&plan.meta.version.value.to_string());
    w.out.push(',');
    w.key("consents");
    w.out.push('[');
    for (i, c) in plan.consents.iter().enumerate() {
        if i > 0 {
            w.out.push(',');
        }
        w.out.push('[');
        w.string(&c.id.value);
        w.out.push(',');
        w.string(c.category());
        w.out.push(']');
    }
    w.out.push_str("],");
    w.key("events");
    w.out.push('[');
    for (i, e) in plan.events.iter().enumerate() {
        if i > 0 {
            w.out.push(',');
        }
        w.out.push('{');
        w.key("name");
        w.string(&e.name.value);
        w.out.push(',');
        w.key("identity");
        w.string(e.identity().as_str());
        let consent = e.consent.as_ref().and_then(|r| r.target);
        if let Some(c) = consent {
            let _ = write!(w.out, ",\"consent\":{c}");
        }
        // A closed `common` block closes every event.
        if e.closed().is_some() || plan.common.as_ref().is_some_and(|c| c.closed.is_some()) {
            w.out.push_str(",\"x\":1");
        }
        w.out.push(',');
        w.key("props");
        let common = common_props(plan, e);
        let props: Vec<&Property> = common.into_iter().chain(e.properties.iter()).collect();
        w.props(&props, consent);
        w.out.push('}');
    }
    w.out.push(']');
    for t in [&plan.identify, &plan.group].into_iter().flatten() {
        w.out.push(',');
        w.key(t.kind.keyword());
        w.out.push('{');
        let consent = t.consent.as_ref().and_then(|r| r.target);
        if let Some(c) = consent {
            let _ = write!(w.out, "\"consent\":{c},");
        }
        if t.closed.is_some() {
            w.out.push_str("\"x\":1,");
        }
        w.key("props");
        let props: Vec<&Property> = t.properties.iter().collect();
        w.props(&props, consent);
        w.out.push('}');
    }
    w.out.push('}');
    w.out
}

struct Meta<'a> {
    out: String,
    pattern: &'a dyn Fn(&str) -> String,
}

impl Meta<'_> {
    fn key(&mut self, k: &str) {
        self.string(k);
        self.out.push(':');
    }

    fn string(&mut self, s: &str) {
        super::encode::text::json_string(&mut self.out, s);
    }

    fn props(&mut self, props: &[&Property], consent: Option<usize>) {
        self.out.push('[');
        for (i, p) in props.iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            self.prop(p, consent);
        }
        self.out.push(']');
    }

    fn prop(&mut self, p: &Property, consent: Option<usize>) {
        self.out.push('{');
        self.key("n");
        self.string(&p.name.value);
        if p.is_required() {
            self.out.push_str(",\"r\":1");
        }
        let own = p.effective.consent();
        if own.is_some() && own != consent {
            let _ = write!(self.out, ",\"c\":{}", own.unwrap_or_default());
        }
        self.constraints(p);
        self.ty(&p.ty, own);
        self.out.push('}');
    }

    /// `u` (nullable) and the value constraints of a property or list item,
    /// each after a comma.
    fn constraints(&mut self, p: &Property) {
        let m = p.modifiers();
        if p.is_nullable() {
            self.out.push_str(",\"u\":1");
        }
        if let Some(n) = &m.min {
            let _ = write!(self.out, ",\"min\":{}", n.value.json);
        }
        if let Some(n) = &m.max {
            let _ = write!(self.out, ",\"max\":{}", n.value.json);
        }
        if let Some(n) = &m.multiple_of {
            let _ = write!(self.out, ",\"mul\":{}", n.value.json);
        }
        if let Some(n) = &m.min_length {
            let _ = write!(self.out, ",\"minLen\":{}", n.value);
        }
        if let Some(n) = &m.max_length {
            let _ = write!(self.out, ",\"maxLen\":{}", n.value);
        }
        for (key, pat) in [("pat", &m.pattern), ("npat", &m.not_pattern)] {
            if let Some(pat) = pat {
                self.out.push(',');
                self.key(key);
                let translated = (self.pattern)(&pat.value);
                self.string(&translated);
            }
        }
        if let Some(f) = &m.format {
            self.out.push(',');
            self.key("fmt");
            self.string(f.value.as_str());
        }
        if let Some(values) = &m.not_enum {
            self.out.push(',');
            self.key("ne");
            self.literals(&values.value);
        }
        if m.closed.is_some() {
            self.out.push_str(",\"x\":1");
        }
    }

    fn literals(&mut self, values: &[Literal]) {
        self.out.push('[');
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            match v {
                Literal::Str(s) => self.string(s),
                other => self.out.push_str(&other.json_text()),
            }
        }
        self.out.push(']');
    }

    /// `"t"` and what the type needs (`e`, `i`, `p`, `m`), after an open object.
    fn ty(&mut self, ty: &Type, consent: Option<usize>) {
        self.out.push(',');
        self.key("t");
        let code = match ty {
            Type::Any => "a",
            Type::String => "s",
            Type::Integer => "i",
            Type::Number => "n",
            Type::Boolean => "b",
            Type::Datetime => "t",
            Type::Date => "d",
            Type::Enum(_) => "e",
            Type::List(_) => "l",
            Type::Object(_) => "o",
            Type::Union(_) => "u",
        };
        self.string(code);
        match ty {
            Type::Enum(e) => {
                self.out.push(',');
                self.key("e");
                self.literals(&e.values);
            }
            Type::List(item) => {
                // The item: its type and its own constraints.
                self.out.push_str(",\"i\":{");
                let at = self.out.len();
                self.constraints(item);
                self.ty(&item.ty, consent);
                // Drop the leading comma.
                self.out.remove(at);
                self.out.push('}');
            }
            Type::Object(children) => {
                self.out.push(',');
                self.key("p");
                let props: Vec<&Property> = children.iter().collect();
                self.props(&props, consent);
            }
            Type::Union(members) => {
                self.out.push_str(",\"m\":[");
                for (i, m) in members.iter().enumerate() {
                    if i > 0 {
                        self.out.push(',');
                    }
                    self.out.push('{');
                    let at = self.out.len();
                    self.ty(m, consent);
                    self.out.remove(at);
                    self.out.push('}');
                }
                self.out.push(']');
            }
            _ => {}
        }
    }
}

/// `s` as a single-quoted string literal, valid in JavaScript and in Python,
/// for text that is JSON (no raw line breaks or control characters): only `\`
/// and `'` are escaped, so the plan's JSON stays readable and is copied in runs.
pub fn push_single_quoted(out: &mut String, s: &str) {
    out.reserve(s.len() + 2);
    out.push('\'');
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        if matches!(b, b'\\' | b'\'' | b'\n' | b'\r') {
            out.push_str(&s[start..i]);
            out.push_str(match b {
                b'\\' => "\\\\",
                b'\'' => "\\'",
                b'\n' => "\\n",
                _ => "\\r",
            });
            start = i + 1;
        }
    }
    out.push_str(&s[start..]);
    out.push('\'');
}

/// A one-line summary of a property's constraints and governance, for doc
/// comments: `min(0) · format(uri) · pii(contact) · consent(marketing)`.
pub fn constraints(plan: &Plan, p: &Property) -> String {
    let m = p.modifiers();
    let mut parts = value_constraints(p);
    if let Type::List(item) = &p.ty {
        let mut of_item = value_constraints(item);
        if item.is_nullable() {
            of_item.insert(0, "nullable".into());
        }
        if !of_item.is_empty() {
            parts.push(format!("items({})", of_item.join(" ")));
        }
    }
    if let Some(c) = &m.pii {
        parts.push(format!("pii({})", c.value));
    }
    if let Some(c) = m.consent.as_ref().and_then(|r| r.target) {
        parts.push(format!("consent({})", plan.consents[c].id.value));
    }
    parts.join(" · ")
}

/// The value modifiers of a property or list item, as written in `.events`.
fn value_constraints(p: &Property) -> Vec<String> {
    let m = p.modifiers();
    let mut parts: Vec<String> = Vec::new();
    if let Some(n) = &m.min {
        parts.push(format!("min({})", n.value.json));
    }
    if let Some(n) = &m.max {
        parts.push(format!("max({})", n.value.json));
    }
    if let Some(n) = &m.multiple_of {
        parts.push(format!("multiple_of({})", n.value.json));
    }
    if let Some(n) = &m.min_length {
        parts.push(format!("min_length({})", n.value));
    }
    if let Some(n) = &m.max_length {
        parts.push(format!("max_length({})", n.value));
    }
    if let Some(pat) = &m.pattern {
        parts.push(format!("pattern({:?})", pat.value));
    }
    if let Some(pat) = &m.not_pattern {
        parts.push(format!("not_pattern({:?})", pat.value));
    }
    if let Some(f) = &m.format {
        parts.push(format!("format({})", f.value));
    }
    if let Some(values) = &m.not_enum {
        let values: Vec<String> = values.value.iter().map(Literal::display).collect();
        parts.push(format!("not_enum({})", values.join(", ")));
    }
    if m.closed.is_some() {
        parts.push("closed".into());
    }
    parts
}

/// The doc lines of an event: description, owner, source, consent, status,
/// and the deprecation with its replacement (`replacement` names the call).
pub fn event_doc(plan: &Plan, e: &Event, replacement: Option<&str>) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    match &e.description {
        Some(d) => lines.extend(d.value.lines().map(str::to_string)),
        None => lines.push(format!("Sends the {:?} event.", e.name.value)),
    }
    lines.push(String::new());
    lines.push(format!("Event: {:?}", e.name.value));
    if let Some(o) = e.owner.as_ref() {
        let backup = plan
            .owner(&e.owner)
            .and_then(|o| o.backup.as_ref())
            .map(|b| format!(" (backup @{})", b.name))
            .unwrap_or_default();
        lines.push(format!("Owner: @{}{backup}", o.name));
    }
    if let Some(s) = &e.source {
        lines.push(format!("Source: {}", s.name));
    }
    if let Some(c) = e.consent.as_ref().and_then(|r| r.target) {
        let c = &plan.consents[c];
        match &c.basis {
            Some(b) => lines.push(format!("Consent: {} ({})", c.id.value, b.value)),
            None => lines.push(format!("Consent: {}", c.id.value)),
        }
    }
    lines.push(format!("Identity: {}", e.identity()));
    if !e.labels().is_empty() {
        let labels: Vec<&str> = e.labels().iter().map(|l| l.value.as_str()).collect();
        lines.push(format!("Labels: {}", labels.join(", ")));
    }
    if let Some(f) = e.flag() {
        lines.push(format!("Feature flag: {:?}", f.value));
    }
    if e.is_deprecated() {
        let mut d = "Deprecated".to_string();
        if let (Some(r), Some(call)) = (&e.replaced_by, replacement) {
            let _ = write!(d, ": use {call} ({:?}) instead", r.name);
        }
        if let Some(s) = &e.sunset {
            let _ = write!(d, "; sunset {}", s.value);
        }
        d.push('.');
        lines.push(d);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_conversions() {
        assert_eq!(lower_camel("Order Completed"), "orderCompleted");
        assert_eq!(lower_camel("CTA Clicked"), "ctaClicked");
        assert_eq!(lower_camel("order_completed"), "orderCompleted");
        assert_eq!(lower_camel("orderCompleted"), "orderCompleted");
        assert_eq!(lower_camel("3D Model Viewed"), "_3dModelViewed");
        assert_eq!(lower_camel("!!!"), "event");
        assert_eq!(pascal("Order Completed"), "OrderCompleted");
        assert_eq!(pascal("order_completed"), "OrderCompleted");
        assert_eq!(snake("Order Completed"), "order_completed");
        assert_eq!(snake("orderCompleted"), "order_completed");
        assert_eq!(snake("CTA Clicked"), "cta_clicked");
        assert_eq!(snake("Café Ordered"), "caf_ordered");
        assert_eq!(snake("3D Model Viewed"), "_3d_model_viewed");
    }

    #[test]
    fn namer_is_deterministic() {
        let mut n = Namer::new(&["delete"], &["identify"], "Event");
        assert_eq!(
            n.name("orderCompleted".into(), "Order Completed"),
            "orderCompleted"
        );
        let second = n.name("orderCompleted".into(), "Order_Completed");
        assert!(
            second.starts_with("orderCompleted_") && second.len() == 23,
            "{second}"
        );
        assert_eq!(n.name("delete".into(), "Delete"), "deleteEvent");
        assert_eq!(n.name("identify".into(), "Identify"), "identifyEvent");
    }
}
