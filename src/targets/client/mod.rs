//! What the typed-client targets (`typescript`, `python`) share: the names they
//! give events and types, and the plan's shape as a compact JSON document that
//! the generated code reads at run time (serialising dates, the development
//! checks behind `onViolation`, consent gating).
//!
//! Both clients render one model of the plan's calls (`calls`: identify,
//! group, the page and screen rules, the events, each with its function, type,
//! bundles and properties), so they walk the plan the same way.
//!
//! Naming is deterministic and collision-free: each generated name is derived
//! from the plan's name (an older version of an event: the name and ` V<n>`;
//! a page or screen rule: `page`, `page <name>`), page and screen rules first,
//! then the current events, then the older versions; a name that is a reserved word of the language (or one
//! of the client's own names) gets a suffix (`Event`, `_event`); a name already
//! taken by an earlier declaration (in plan order) gets `_` and the first 8 hex
//! digits of the SHA-256 of the plan's name. `eventsc status` and the
//! instrumentation spec use the same functions, so they name the same calls.

pub(crate) mod python;
pub(crate) mod typescript;

use crate::ir::{Event, Literal, Plan, Property, Traits, TraitsKind, Type};
use crate::targets::{Artifact, Context, Target};
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
pub(crate) fn lower_camel(name: &str) -> String {
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
pub(crate) fn pascal(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for w in words(name, false) {
        push_capitalised(&mut out, w);
    }
    identifier(out)
}

/// `"Order Completed"` → `order_completed`, `"orderCompleted"` → `order_completed`.
pub(crate) fn snake(name: &str) -> String {
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

/// A typed-client target: one file, rendered from the plan, built only when
/// named (`--target all` leaves the clients out).
pub(crate) struct ClientTarget {
    pub(crate) name: &'static str,
    pub(crate) description: &'static str,
    pub(crate) path: &'static str,
    pub(crate) render: fn(&Plan) -> String,
}

impl Target for ClientTarget {
    fn name(&self) -> &'static str {
        self.name
    }

    fn description(&self) -> &'static str {
        self.description
    }

    fn generate(&self, cx: &Context) -> Vec<Artifact> {
        vec![Artifact::text(self.path, (self.render)(cx.plan))]
    }

    fn in_all(&self) -> bool {
        false
    }
}

/// Hands out names in one namespace: reserved words get `suffix`, a name taken
/// already gets `_` and the short hash of the plan's name for it.
pub(crate) struct Namer {
    taken: FxHashSet<String>,
    own: &'static [&'static str],
    reserved: &'static [&'static str],
    also_reserved: &'static [&'static str],
    suffix: &'static str,
}

impl Namer {
    /// `own`: the client's own names, reserved like the language's words.
    pub(crate) fn new(
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
    pub(crate) fn name(&mut self, mut base: String, source: &str) -> String {
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

/// The names a client gives a plan's calls, types and helpers.
pub(crate) struct Names {
    /// Per event: the function that sends it.
    pub(crate) functions: Vec<String>,
    /// Per event: its properties' type.
    pub(crate) event_types: Vec<String>,
    /// Per page or screen rule (`plan.views`): the function that sends it.
    pub(crate) view_functions: Vec<String>,
    /// Per page or screen rule: its properties' type.
    pub(crate) view_types: Vec<String>,
    /// Per named enum.
    pub(crate) enums: Vec<String>,
    /// Per bundle.
    pub(crate) bundles: Vec<String>,
}

/// What differs between the languages' naming.
pub(crate) struct Style {
    pub(crate) function: fn(&str) -> String,
    pub(crate) function_reserved: &'static [&'static str],
    pub(crate) function_suffix: &'static str,
    /// The client's own exported functions (`identify`, `setAnalytics`…).
    pub(crate) own_functions: &'static [&'static str],
    pub(crate) type_reserved: &'static [&'static str],
    pub(crate) type_suffix: &'static str,
    /// The client's own exported types.
    pub(crate) own_types: &'static [&'static str],
    /// Appended to an event's type name (`Properties`).
    pub(crate) event_type_suffix: &'static str,
}

/// The name a call is derived from: the event's name, with ` V<n>` for a
/// version older than the current one (`"Order Placed V1"` → `orderPlacedV1`,
/// `order_placed_v1`); `page`, `page Pricing` for page and screen rules.
fn event_base(e: &Event) -> String {
    if e.is_current() {
        e.name.value.clone()
    } else {
        format!("{} V{}", e.name.value, e.version())
    }
}

fn view_base(t: &Traits) -> String {
    match &t.name {
        Some(n) => format!("{} {}", t.kind.keyword(), n.value),
        None => t.kind.keyword().to_string(),
    }
}

/// The events in the order they are named: the current versions (every
/// unversioned event) in plan order, then the older versions, so the current
/// version keeps the plain name and an event literally named like an older
/// version's call (`"Order Placed V1"`) keeps it too (the older version's call
/// then gets the hash suffix).
fn naming_order(plan: &Plan) -> impl Iterator<Item = (usize, &Event)> {
    let current = plan
        .events
        .iter()
        .enumerate()
        .filter(|(_, e)| e.is_current());
    let older = plan
        .events
        .iter()
        .enumerate()
        .filter(|(_, e)| !e.is_current());
    current.chain(older)
}

pub(crate) fn names(plan: &Plan, style: &Style) -> Names {
    let mut functions = Namer::new(
        style.function_reserved,
        style.own_functions,
        style.function_suffix,
    );
    // The page and screen calls first: `page()` and `screen()` keep their names.
    let named = |namer: &mut Namer, base: String, derive: &dyn Fn(&str) -> String| {
        namer.name(derive(&base), &base)
    };
    let view_functions: Vec<String> = plan
        .views
        .iter()
        .map(|t| named(&mut functions, view_base(t), &style.function))
        .collect();
    let mut event_functions = vec![String::new(); plan.events.len()];
    for (i, e) in naming_order(plan) {
        event_functions[i] = named(&mut functions, event_base(e), &style.function);
    }
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
    let type_name = |base: &str| format!("{}{}", pascal(base), style.event_type_suffix);
    let view_types = plan
        .views
        .iter()
        .map(|t| named(&mut types, view_base(t), &type_name))
        .collect();
    let mut event_types = vec![String::new(); plan.events.len()];
    for (i, e) in naming_order(plan) {
        event_types[i] = named(&mut types, event_base(e), &type_name);
    }
    Names {
        functions: event_functions,
        event_types,
        view_functions,
        view_types,
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

/// The generated TypeScript function of each page and screen rule (by index
/// in `plan.views`).
pub fn typescript_view_functions(plan: &Plan) -> Vec<String> {
    names(plan, &typescript::STYLE).view_functions
}

/// The generated Python function of each page and screen rule.
pub fn python_view_functions(plan: &Plan) -> Vec<String> {
    names(plan, &python::STYLE).view_functions
}

/// What a generated call sends.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum CallKind {
    Identify,
    Group,
    /// The event of this index.
    Track(usize),
    /// The page or screen rule of this index in `plan.views`.
    View(usize),
}

/// One generated call and its type, as both clients write them.
pub(crate) struct Call<'p> {
    pub(crate) kind: CallKind,
    /// The block of an identify, group, page or screen call.
    pub(crate) traits: Option<&'p Traits>,
    pub(crate) function: &'p str,
    pub(crate) type_name: &'p str,
    /// The bundles its type extends, in order of first use.
    pub(crate) bundles: Vec<usize>,
    /// Its type's own members: the extra ones first (`common`'s, the unnamed
    /// page rule's) that it does not declare itself, then its own.
    pub(crate) props: Vec<&'p Property>,
    /// Whether a property is required (then so is the argument).
    pub(crate) required: bool,
}

/// Every call a client generates, in the module's order: identify, group,
/// the page and screen rules, then the events (plan order).
pub(crate) fn calls<'p>(plan: &'p Plan, names: &'p Names) -> Vec<Call<'p>> {
    let mut out = Vec::new();
    for t in [&plan.identify, &plan.group].into_iter().flatten() {
        let (kind, function, type_name) = match t.kind {
            TraitsKind::Group => (CallKind::Group, "group", "GroupTraits"),
            _ => (CallKind::Identify, "identify", "IdentifyTraits"),
        };
        let (bundles, props) = split_bundles(&t.properties);
        out.push(Call {
            kind,
            traits: Some(t),
            function,
            type_name,
            bundles,
            props,
            required: t.properties.iter().any(Property::is_required),
        });
    }
    for (i, t) in plan.views.iter().enumerate() {
        // The rule's own properties and those of the unnamed rule, inlined:
        // two rules' bundles could clash.
        let props = view_props(plan, t);
        out.push(Call {
            kind: CallKind::View(i),
            traits: Some(t),
            function: &names.view_functions[i],
            type_name: &names.view_types[i],
            bundles: Vec::new(),
            required: props.iter().any(|p| p.is_required()),
            props,
        });
    }
    for (i, e) in plan.events.iter().enumerate() {
        let (bundles, own) = split_bundles(&e.properties);
        out.push(Call {
            kind: CallKind::Track(i),
            traits: None,
            function: &names.functions[i],
            type_name: &names.event_types[i],
            bundles,
            props: common_props(plan, e).into_iter().chain(own).collect(),
            required: common_props(plan, e)
                .into_iter()
                .chain(e.properties.iter())
                .any(Property::is_required),
        });
    }
    out
}

/// The bundles a list of properties uses (in order of first use) and the
/// properties of its own.
fn split_bundles(props: &[Property]) -> (Vec<usize>, Vec<&Property>) {
    let mut bundles = Vec::new();
    let mut own = Vec::new();
    for p in props {
        match &p.origin {
            crate::ir::Origin::Bundle(u) => {
                if !bundles.contains(&u.bundle) {
                    bundles.push(u.bundle);
                }
            }
            crate::ir::Origin::Own => own.push(p),
        }
    }
    (bundles, own)
}

/// The unnamed page (or screen) rule, which applies to every page.
fn every_view<'p>(plan: &'p Plan, t: &Traits) -> Option<&'p Traits> {
    plan.views
        .iter()
        .find(|v| v.kind == t.kind && v.name.is_none())
}

/// The properties a page or screen call carries: for a named rule, those of
/// the unnamed rule of its kind that it does not declare, then its own (as
/// `eventsc validate` checks it: against both).
pub(crate) fn view_props<'p>(plan: &'p Plan, t: &'p Traits) -> Vec<&'p Property> {
    let every = t
        .name
        .as_ref()
        .and(every_view(plan, t))
        .map(|every| {
            every
                .properties
                .iter()
                .filter(|p| !t.properties.iter().any(|q| q.name.value == p.name.value))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    every.into_iter().chain(&t.properties).collect()
}

/// Whether a page or screen call is closed: its rule or the unnamed one is.
fn view_closed(plan: &Plan, t: &Traits) -> bool {
    t.closed.is_some()
        || t.name.is_some() && every_view(plan, t).is_some_and(|e| e.closed.is_some())
}

/// The consent purpose of a page or screen call: its rule's, else the unnamed one's.
fn view_consent(plan: &Plan, t: &Traits) -> Option<usize> {
    let own = t.consent.as_ref().and_then(|r| r.target);
    own.or_else(|| {
        t.name
            .as_ref()
            .and(every_view(plan, t))
            .and_then(|e| e.consent.as_ref().and_then(|r| r.target))
    })
}

/// The properties a call of event `e` carries: the plan's `common` ones that
/// the event does not declare itself, then the event's own (bundles included).
pub(crate) fn common_props<'p>(plan: &'p Plan, e: &Event) -> Vec<&'p Property> {
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
///  "events": [{"name", "consent"?, "identity", "x"?, "v"?: version, "props": [prop…]}, …],
///  "identify"?: {"consent"?, "x"?, "props"}, "group"?: {…},
///  "views"?: [{"name"?, "consent"?, "x"?, "props"}, …],
///  "envelope"?: [prop…]}
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
/// are checked. An event's `v` is its version, when it is versioned (sent as
/// `context.protocols.event_version`). `views` (present when the plan has page
/// or screen rules) are the page and screen calls by index in `plan.views`: a
/// named rule's properties include the unnamed rule's ([`view_props`]).
/// `envelope` (present when the plan's `envelope { }` declares `userId` or
/// `anonymousId`) holds those two fields: the ids a caller passes, which the
/// run time checks (the library fills the envelope's other fields).
/// `pattern` rewrites a `pattern(...)` (and `not_pattern`) for
/// the target language's engine.
pub(crate) fn meta_json(plan: &Plan, pattern: &dyn Fn(&str) -> String) -> String {
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
        if e.is_versioned() {
            let _ = write!(w.out, ",\"v\":{}", e.version());
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
        let props: Vec<&Property> = t.properties.iter().collect();
        let consent = t.consent.as_ref().and_then(|r| r.target);
        w.container(None, consent, t.closed.is_some(), &props);
    }
    if !plan.views.is_empty() {
        w.out.push(',');
        w.key("views");
        w.out.push('[');
        for (i, t) in plan.views.iter().enumerate() {
            if i > 0 {
                w.out.push(',');
            }
            let name = t.name.as_ref().map(|n| n.value.as_str());
            let props = view_props(plan, t);
            w.container(name, view_consent(plan, t), view_closed(plan, t), &props);
        }
        w.out.push(']');
    }
    let ids: Vec<&Property> = plan
        .envelope
        .iter()
        .flat_map(|t| &t.properties)
        .filter(|p| IDS.contains(&&*p.name.value))
        .collect();
    if !ids.is_empty() {
        w.out.push(',');
        w.key("envelope");
        w.props(&ids, None);
    }
    w.out.push('}');
    w.out
}

/// The envelope fields a caller of the client passes itself (with
/// analytics-node and segment-analytics-python).
const IDS: [&str; 2] = ["userId", "anonymousId"];

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

    /// `{"name"?, "consent"?, "x"?, "props"}`: an identify, group, page or
    /// screen call.
    fn container(
        &mut self,
        name: Option<&str>,
        consent: Option<usize>,
        closed: bool,
        props: &[&Property],
    ) {
        self.out.push('{');
        if let Some(n) = name {
            self.key("name");
            self.string(n);
            self.out.push(',');
        }
        if let Some(c) = consent {
            let _ = write!(self.out, "\"consent\":{c},");
        }
        if closed {
            self.out.push_str("\"x\":1,");
        }
        self.key("props");
        self.props(props, consent);
        self.out.push('}');
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
pub(crate) fn push_single_quoted(out: &mut String, s: &str) {
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
pub(crate) fn constraints(plan: &Plan, p: &Property) -> String {
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
pub(crate) fn event_doc(plan: &Plan, e: &Event, replacement: Option<&str>) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    match &e.description {
        Some(d) => lines.extend(d.value.lines().map(str::to_string)),
        None => lines.push(format!("Sends the {:?} event.", e.name.value)),
    }
    lines.push(String::new());
    lines.push(format!("Event: {:?}", e.name.value));
    if e.is_versioned() {
        let current = if e.is_current() {
            ""
        } else {
            " (an older version)"
        };
        lines.push(format!(
            "Version: {}{current}, sent as `context.protocols.event_version`",
            e.version()
        ));
    }
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

/// The doc line of a page or screen call's properties type.
pub(crate) fn view_type_doc(t: &Traits) -> String {
    let what = t.kind.keyword();
    match &t.name {
        Some(n) => format!("The properties of the {what} {:?}.", n.value),
        None => format!("The properties of a `{what}` call."),
    }
}

/// The doc line of an event's properties type: `The properties of "Order
/// Placed".`, with ` (version 2)` for a versioned event.
pub(crate) fn event_type_doc(e: &Event) -> String {
    if e.is_versioned() {
        format!(
            "The properties of {:?} (version {}).",
            e.name.value,
            e.version()
        )
    } else {
        format!("The properties of {:?}.", e.name.value)
    }
}

/// The doc lines of a page or screen call: description, which pages, owner
/// and consent.
pub(crate) fn view_doc(plan: &Plan, t: &Traits) -> Vec<String> {
    let what = t.kind.keyword();
    let mut lines: Vec<String> = Vec::new();
    match (&t.description, &t.name) {
        (Some(d), _) => lines.extend(d.value.lines().map(str::to_string)),
        (None, Some(n)) => lines.push(format!("Sends a `{what}` call for {:?}.", n.value)),
        (None, None) => lines.push(format!("Sends a `{what}` call.")),
    }
    lines.push(String::new());
    match &t.name {
        Some(n) => {
            lines.push(format!("Name: {:?}", n.value));
            if every_view(plan, t).is_some() {
                lines.push(format!(
                    "With the properties of every {what} (`{what} {{ }}`)."
                ));
            }
        }
        None => lines.push(format!("Rule: every {what} (the name is optional)")),
    }
    if let Some(o) = &t.owner {
        lines.push(format!("Owner: @{}", o.name));
    }
    if let Some(c) = view_consent(plan, t) {
        lines.push(format!("Consent: {}", plan.consents[c].id.value));
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
    fn versions_and_views_are_named_in_order() {
        let text = r#"plan "P" { owner @o }
owner @o { name "O" }
page { owner @o }
page "Pricing" { owner @o }
event "Order Placed" { owner @o }
event "Order Placed" { version 2; owner @o }
event "Order Placed V1" { owner @o }
event "Page" { owner @o }
"#;
        let (_, checked) = crate::check::check_text("p.events", text);
        let plan = checked.plan.expect("a plan");
        let ts = names(&plan, &typescript::STYLE);
        assert_eq!(ts.view_functions, ["page", "pagePricing"]);
        // The current version keeps the plain name, and so does the event
        // literally named like the older version's call.
        assert_eq!(ts.functions[1], "orderPlaced");
        assert_eq!(ts.functions[2], "orderPlacedV1");
        assert!(
            ts.functions[0].starts_with("orderPlacedV1_"),
            "{:?}",
            ts.functions
        );
        // `page()` is the unnamed page rule's.
        assert!(ts.functions[3].starts_with("page_"), "{:?}", ts.functions);
        assert_eq!(ts.view_types, ["PageProperties", "PagePricingProperties"]);
        assert_eq!(ts.event_types[1], "OrderPlacedProperties");
        let py = names(&plan, &python::STYLE);
        assert_eq!(py.view_functions, ["page", "page_pricing"]);
        assert_eq!(py.functions[1], "order_placed");
        assert_eq!(py.functions[2], "order_placed_v1");
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
