//! Compares two plans, field by field, through the tables of `fields.rs`:
//! one generic walker ([`Differ::walk`]) reads each field of a table from both
//! sides and reports its kind of change. Declarations are matched by name
//! (events by name and version: each version is a rule of its own); the
//! properties of events (own and from bundles), of `common`, `identify` and
//! `group` are compared recursively through objects and list items. Enums and
//! bundles are not compared on their own: what they change shows on every
//! property that uses them. Every change is of a kind from the registry
//! (`kinds.rs`), which fixes its class; the new plan's `relax { }` may then
//! reclassify or ignore kinds.

use super::fields::{self, Decls, Field, How, Names, Shown};
use super::kinds::{self, ChangeKind};
use super::{Change, Class, Loc, Report};
use crate::ir::*;
use crate::source::{SourceMap, Span};
use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};

/// One side of the comparison.
#[derive(Clone, Copy)]
pub(crate) struct Side<'a> {
    pub plan: &'a Plan,
    pub sources: &'a SourceMap,
}

/// Compares OLD with NEW.
pub(crate) fn diff(old: Side, new: Side) -> Report {
    let mut d = Differ {
        old,
        new,
        out: Vec::new(),
    };
    let (o, n) = (&old.plan.meta, &new.plan.meta);
    d.walk(
        &fields::PLAN,
        &At::new("plan", Some(o.span), Some(n.span)),
        o,
        n,
    );
    d.decls(&fields::OWNERS);
    d.decls(&fields::CONSENTS);
    d.decls(&fields::RETENTIONS);
    d.decls(&fields::SOURCES);
    d.decls(&fields::TOOLS);
    d.traits();
    d.events();
    d.decls(&fields::KPIS);
    let changes = relax(d.out, &new.plan.meta.relax);
    Report::new(
        changes,
        old.plan.meta.version.value.clone(),
        new.plan.meta.version.value.clone(),
    )
}

/// Applies the new plan's `relax { }`: each change of a kind it names gets the
/// class it gives, or is left out (`ignore`). A change to `relax { }` itself is
/// never relaxed.
fn relax(changes: Vec<Change>, settings: &[ChangeSetting]) -> Vec<Change> {
    if settings.is_empty() {
        return changes;
    }
    changes
        .into_iter()
        .filter_map(|mut c| {
            let level = settings
                .iter()
                .find(|s| s.kind.value == c.kind && c.kind != kinds::PLAN_RELAX_CHANGED.name)
                .map(|s| s.level.value);
            c.class = match level {
                None => return Some(c),
                Some(ChangeLevel::Ignore) => return None,
                Some(ChangeLevel::Breaking) => Class::Breaking,
                Some(ChangeLevel::Compatible) => Class::Compatible,
                Some(ChangeLevel::Documentation) => Class::Documentation,
                Some(ChangeLevel::Governance) => Class::Governance,
            };
            Some(c)
        })
        .collect()
}

pub(super) struct Differ<'a> {
    old: Side<'a>,
    new: Side<'a>,
    out: Vec<Change>,
}

/// Where a change is: a subject, maybe a property path, and the spans on each side.
#[derive(Clone)]
pub(super) struct At<'s> {
    subject: &'s str,
    pub(super) property: Option<&'s str>,
    old: Option<Span>,
    new: Option<Span>,
}

impl<'s> At<'s> {
    fn new(subject: &'s str, old: Option<Span>, new: Option<Span>) -> Self {
        At {
            subject,
            property: None,
            old,
            new,
        }
    }

    fn spans(&self, old: Option<Span>, new: Option<Span>) -> At<'s> {
        At {
            old: old.or(self.old),
            new: new.or(self.new),
            ..self.clone()
        }
    }
}

fn list_text(v: &[&str]) -> String {
    v.iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl<'a> Differ<'a> {
    fn push(&mut self, kind: &'static ChangeKind, at: &At, message: String) {
        self.out.push(Change {
            class: kind.class,
            kind: kind.name,
            subject: at.subject.to_string(),
            property: at.property.map(str::to_string),
            message,
            old: at.old.and_then(|s| Loc::of(self.old.sources, s)),
            new: at.new.and_then(|s| Loc::of(self.new.sources, s)),
        });
    }

    /// Compares O and N through `fields`, in order.
    pub(super) fn walk<T>(&mut self, fields: &[Field<T>], at: &At, o: &T, n: &T) {
        for f in fields {
            match &f.how {
                How::Value(kind, get) => self.value(kind, at, f.what, get(o), get(n)),
                How::ValueIf(kind, differ, get) => {
                    if differ(o, n) {
                        self.value(kind, at, f.what, get(o), get(n));
                    }
                }
                How::Text(kind, get) => self.text(kind, at, f.what, get(o), get(n)),
                How::Set(kind, get) => self.set(kind, at, f.what, get(o), get(n)),
                How::Flag { get, set, unset } => match (get(o), get(n)) {
                    (false, true) => self.push(set.0, at, set.1.to_string()),
                    (true, false) => self.push(unset.0, at, unset.1.to_string()),
                    _ => {}
                },
                How::Bound(lower, get) => self.bound(at, f.what, get(o), get(n), *lower),
                How::Constraint(quoted, get) => {
                    self.constraint(at, f.what, *quoted, get(o), get(n))
                }
                How::Code(_, code) => code(self, at, o, n),
            }
        }
    }

    /// Declarations matched by name, added, removed or compared.
    fn decls<T>(&mut self, t: &Decls<T>) {
        let (old, new) = ((t.list)(self.old.plan), (t.list)(self.new.plan));
        let by_name: HashMap<&str, &T> = new
            .iter()
            .map(|x| ((t.name)(x).value.as_str(), x))
            .collect();
        let old_names: BTreeSet<&str> = old.iter().map(|x| (t.name)(x).value.as_str()).collect();
        for o in old {
            let on = (t.name)(o);
            let subject = (t.subject)(&on.value);
            match by_name.get(on.value.as_str()) {
                Some(n) => {
                    let at = At::new(&subject, Some(on.span), Some((t.name)(n).span));
                    self.walk(t.fields, &at, o, n);
                }
                None => {
                    let at = At::new(&subject, Some(on.span), None);
                    self.push(t.removed, &at, "removed".to_string());
                }
            }
        }
        for x in new {
            let n = (t.name)(x);
            if !old_names.contains(n.value.as_str()) {
                let subject = (t.subject)(&n.value);
                let at = At::new(&subject, None, Some(n.span));
                self.push(t.added, &at, "added".to_string());
            }
        }
    }

    /// A value compared by its text: added, removed or changed.
    fn value(&mut self, kind: &'static ChangeKind, at: &At, what: &str, old: Shown, new: Shown) {
        let at = at.spans(old.as_ref().map(|(_, s)| *s), new.as_ref().map(|(_, s)| *s));
        let message = match (&old, &new) {
            (None, None) => return,
            (Some((a, _)), Some((b, _))) if a == b => return,
            (Some((a, _)), Some((b, _))) => format!("{what} changed from `{a}` to `{b}`"),
            (None, Some((b, _))) => format!("{what} `{b}` added"),
            (Some((a, _)), None) => format!("{what} `{a}` removed"),
        };
        self.push(kind, &at, message);
    }

    /// A text compared but not shown: added, removed or changed.
    fn text(
        &mut self,
        kind: &'static ChangeKind,
        at: &At,
        what: &str,
        old: Option<(&str, Span)>,
        new: Option<(&str, Span)>,
    ) {
        let at = at.spans(old.map(|(_, s)| s), new.map(|(_, s)| s));
        let message = match (old, new) {
            (None, None) => return,
            (Some((a, _)), Some((b, _))) if a == b => return,
            (Some(_), Some(_)) => format!("{what} changed"),
            (None, Some(_)) => format!("{what} added"),
            (Some(_), None) => format!("{what} removed"),
        };
        self.push(kind, &at, message);
    }

    /// A set of names: one change listing what was added and removed.
    fn set(&mut self, kind: &'static ChangeKind, at: &At, what: &str, old: Names, new: Names) {
        let ((old, old_span), (new, new_span)) = (old, new);
        if old == new {
            return;
        }
        let a: BTreeSet<&str> = old.iter().map(|x| &**x).collect();
        let b: BTreeSet<&str> = new.iter().map(|x| &**x).collect();
        let added: Vec<&str> = new
            .iter()
            .map(|x| &**x)
            .filter(|x| !a.contains(x))
            .collect();
        let removed: Vec<&str> = old
            .iter()
            .map(|x| &**x)
            .filter(|x| !b.contains(x))
            .collect();
        let mut parts = Vec::new();
        if !added.is_empty() {
            parts.push(format!("added {}", list_text(&added)));
        }
        if !removed.is_empty() {
            parts.push(format!("removed {}", list_text(&removed)));
        }
        if parts.is_empty() {
            parts.push("order changed".to_string());
        }
        let at = at.spans(old_span, new_span);
        self.push(kind, &at, format!("{what}: {}", parts.join("; ")));
    }

    /// The settings of `rules { }` or `relax { }` (name, level, span), compared
    /// by name.
    pub(super) fn settings(
        &mut self,
        kind: &'static ChangeKind,
        at: &At,
        what: &str,
        old: &[(&str, &str, Span)],
        new: &[(&str, &str, Span)],
    ) {
        fn find<'v>(v: &[(&str, &'v str, Span)], name: &str) -> Option<(&'v str, Span)> {
            v.iter().find(|s| s.0 == name).map(|s| (s.1, s.2))
        }
        let mut seen = BTreeSet::new();
        for &(name, _, _) in old.iter().chain(new) {
            if !seen.insert(name) {
                continue;
            }
            let (a, b) = (find(old, name), find(new, name));
            let at = at.spans(a.map(|x| x.1), b.map(|x| x.1));
            let message = match (a, b) {
                (Some((x, _)), Some((y, _))) if x == y => continue,
                (Some((x, _)), Some((y, _))) => {
                    format!("{what} `{name}` level changed from `{x}` to `{y}`")
                }
                (None, Some((y, _))) => format!("{what} `{name}` set to `{y}`"),
                (Some((x, _)), None) => {
                    format!("{what} `{name}` setting `{x}` removed (back to its default)")
                }
                (None, None) => continue,
            };
            self.push(kind, &at, message);
        }
    }

    // ---- traits and events ---------------------------------------------------

    /// `common`, `identify`, `group`, the envelope, then the page and screen
    /// rules (matched by kind and name).
    fn traits(&mut self) {
        let (o, n) = (self.old.plan, self.new.plan);
        let mut pairs: Vec<(Option<&Traits>, Option<&Traits>)> = [
            (&o.common, &n.common),
            (&o.identify, &n.identify),
            (&o.group, &n.group),
            (&o.envelope, &n.envelope),
        ]
        .into_iter()
        .map(|(a, b)| (a.as_ref(), b.as_ref()))
        .collect();
        let same = |a: &Traits, b: &Traits| {
            a.kind == b.kind
                && a.name.as_ref().map(|x| &x.value) == b.name.as_ref().map(|x| &x.value)
        };
        for a in &o.views {
            pairs.push((Some(a), n.views.iter().find(|b| same(a, b))));
        }
        for b in n
            .views
            .iter()
            .filter(|b| !o.views.iter().any(|a| same(a, b)))
        {
            pairs.push((None, Some(b)));
        }
        for (a, b) in pairs {
            let label = |t: &Traits| match t.kind {
                TraitsKind::Page | TraitsKind::Screen => format!("`{}` rule", Plan::view_label(t)),
                k => format!("`{}` block", k.keyword()),
            };
            match (a, b) {
                (None, None) => {}
                (Some(a), None) => {
                    let subject = Plan::view_label(a);
                    let at = At::new(&subject, Some(a.keyword_span), None);
                    let kind = if a.properties.is_empty() {
                        &kinds::EMPTY_TRAITS_REMOVED
                    } else {
                        &kinds::TRAITS_REMOVED
                    };
                    self.push(kind, &at, format!("{} removed", label(a)));
                }
                (None, Some(b)) => {
                    let subject = Plan::view_label(b);
                    let at = At::new(&subject, None, Some(b.keyword_span));
                    self.push(&kinds::TRAITS_ADDED, &at, format!("{} added", label(b)));
                    // Required traits constrain payloads from now on.
                    self.properties(&at, &[], &b.properties, "");
                }
                (Some(a), Some(b)) => {
                    let subject = Plan::view_label(a);
                    let at = At::new(&subject, Some(a.keyword_span), Some(b.keyword_span));
                    self.walk(&fields::TRAITS, &at, a, b);
                }
            }
        }
    }

    /// Events matched by name and version (Segment's event versioning: each
    /// version is a rule of its own). A name on one side only is an event added,
    /// removed or renamed; a version of a name both sides have is a version
    /// added or removed.
    fn events(&mut self) {
        let (o, n) = (self.old.plan, self.new.plan);
        let key = |e: &'a Event| (e.name.value.as_str(), e.version());
        let new_by_key: HashMap<(&str, u32), &Event> =
            n.events.iter().map(|e| (key(e), e)).collect();
        let old_keys: BTreeSet<(&str, u32)> = o.events.iter().map(key).collect();
        let (old_names, new_names) = (versions_by_name(&o.events), versions_by_name(&n.events));
        // A name declared with versions on either side: its changes name the version.
        let versioned: BTreeSet<&str> = o
            .events
            .iter()
            .chain(&n.events)
            .filter(|e| e.is_versioned())
            .map(|e| e.name.value.as_str())
            .collect();
        let subject = |e: &Event| {
            if versioned.contains(e.name.value.as_str()) {
                format!("event {:?} version {}", e.name.value, e.version())
            } else {
                format!("event {:?}", e.name.value)
            }
        };
        let added: Vec<&Event> = n
            .events
            .iter()
            .filter(|e| !old_names.contains_key(e.name.value.as_str()))
            .collect();
        let mut renamed_to: BTreeSet<(&str, u32)> = BTreeSet::new();
        for e in &o.events {
            let subject = subject(e);
            if let Some(x) = new_by_key.get(&key(e)) {
                let at = At::new(&subject, Some(e.name.span), Some(x.name.span));
                self.walk(&fields::EVENT, &at, e, x);
                continue;
            }
            let at = At::new(&subject, Some(e.name.span), None);
            if let Some(r) = &e.replaced_by {
                self.push(
                    &kinds::EVENT_REMOVED_AFTER_DEPRECATION,
                    &at,
                    format!(
                        "removed; it was {} and replaced by {:?}",
                        e.status.value, r.name
                    ),
                );
                continue;
            }
            if let Some(kept) = new_names.get(e.name.value.as_str()) {
                let others = versions_text(kept);
                self.push(
                    &kinds::EVENT_VERSION_REMOVED,
                    &at,
                    format!(
                        "version removed (the new plan keeps {others}): payloads that choose it with `context.protocols.event_version` are checked against another version; deprecate it first (`status deprecated`, `replaced_by`, `sunset`)"
                    ),
                );
                continue;
            }
            let print = fingerprint(&e.properties);
            let twin = added.iter().find(|a| {
                !renamed_to.contains(&key(a))
                    && !print.is_empty()
                    && fingerprint(&a.properties) == print
            });
            match twin {
                Some(t) => {
                    renamed_to.insert(key(t));
                    let at = at.spans(None, Some(t.name.span));
                    self.push(
                        &kinds::EVENT_RENAMED,
                        &at,
                        format!(
                            "renamed to {:?} without `replaced_by`: keep {:?} with `status deprecated` and `replaced_by {:?}` until its consumers have moved",
                            t.name.value, e.name.value, t.name.value
                        ),
                    );
                }
                None => self.push(
                    &kinds::EVENT_REMOVED,
                    &at,
                    "removed without `replaced_by`: deprecate it first (`status deprecated`, `replaced_by`, `sunset`)".to_string(),
                ),
            }
        }
        for e in &n.events {
            let k = key(e);
            if old_keys.contains(&k) || renamed_to.contains(&k) {
                continue;
            }
            let subject = subject(e);
            let at = At::new(&subject, None, Some(e.name.span));
            let Some(had) = old_names.get(k.0) else {
                self.push(&kinds::EVENT_ADDED, &at, "added".to_string());
                continue;
            };
            let v = e.version();
            let mut message = format!(
                "new version (the old plan has {}): payloads choose it with `context.protocols.event_version: {v}`",
                versions_text(had)
            );
            if had.iter().all(|&x| x > v) {
                message.push_str(
                    "; it is now the oldest version, which payloads without `event_version` are checked against: those that passed the old oldest version may fail",
                );
                self.push(&kinds::EVENT_VERSION_ADDED_AS_OLDEST, &at, message);
            } else {
                self.push(&kinds::EVENT_VERSION_ADDED, &at, message);
            }
        }
    }

    /// `identity`: `any` accepts every payload the others accept.
    pub(super) fn identity(&mut self, at: &At, o: &Event, n: &Event) {
        let (a, b) = (o.identity(), n.identity());
        if a == b {
            return;
        }
        let span = |e: &Event| e.identity.as_ref().map_or(e.name.span, |i| i.span);
        let at = at.spans(Some(span(o)), Some(span(n)));
        let (kind, how) = if b == Identity::Any {
            (&kinds::IDENTITY_WIDENED, "widened")
        } else {
            (&kinds::IDENTITY_CHANGED, "narrowed")
        };
        self.push(kind, &at, format!("identity {how} from `{a}` to `{b}`"));
    }

    pub(super) fn sunset(&mut self, at: &At, o: &Event, n: &Event) {
        let (a, b) = (o.sunset.as_ref(), n.sunset.as_ref());
        let at = at.spans(a.map(|s| s.span), b.map(|s| s.span));
        let earlier = &kinds::SUNSET_MOVED_EARLIER;
        let (kind, message) = match (a, b) {
            (None, None) => return,
            (Some(x), Some(y)) if x.value == y.value => return,
            (Some(x), Some(y)) if y.value < x.value => (
                earlier,
                format!("sunset moved earlier, from {} to {}", x.value, y.value),
            ),
            (Some(x), Some(y)) => (
                &kinds::SUNSET_CHANGED,
                format!("sunset moved later, from {} to {}", x.value, y.value),
            ),
            (None, Some(y)) => (earlier, format!("sunset {} set", y.value)),
            (Some(x), None) => (
                &kinds::SUNSET_CHANGED,
                format!("sunset {} removed", x.value),
            ),
        };
        self.push(kind, &at, message);
    }

    pub(super) fn allows(&mut self, at: &At, old: &[Allow], new: &[Allow]) {
        let key = |a: &Allow| a.rule.value.clone();
        let (a, b): (BTreeSet<String>, BTreeSet<String>) =
            (old.iter().map(key).collect(), new.iter().map(key).collect());
        for x in new.iter().filter(|x| !a.contains(&x.rule.value)) {
            let at = at.spans(None, Some(x.span));
            self.push(
                &kinds::EXCEPTION_ADDED,
                &at,
                format!("exception to `{}` added", x.rule.value),
            );
        }
        for x in old.iter().filter(|x| !b.contains(&x.rule.value)) {
            let at = at.spans(Some(x.span), None);
            self.push(
                &kinds::EXCEPTION_REMOVED,
                &at,
                format!("exception to `{}` removed", x.rule.value),
            );
        }
    }

    // ---- properties ----------------------------------------------------------

    pub(super) fn properties(&mut self, at: &At, old: &[Property], new: &[Property], prefix: &str) {
        // Usually both sides list the same properties in the same order.
        if old.len() == new.len()
            && old
                .iter()
                .zip(new)
                .all(|(o, n)| o.name.value == n.name.value)
        {
            for (o, n) in old.iter().zip(new) {
                let p = path_of(prefix, &o.name.value);
                let here = At {
                    property: Some(&p),
                    ..at.clone()
                };
                self.property(&here, o, n);
            }
            return;
        }
        let by_name: HashMap<&str, &Property> =
            new.iter().map(|p| (p.name.value.as_ref(), p)).collect();
        let old_names: BTreeSet<&str> = old.iter().map(|p| p.name.value.as_ref()).collect();
        for o in old {
            let path = path_of(prefix, &o.name.value);
            let mut here = at.clone();
            here.property = Some(&path);
            match by_name.get(o.name.value.as_ref()) {
                Some(n) => self.property(&here, o, n),
                None => {
                    let here = At {
                        old: Some(o.name.span),
                        ..here
                    };
                    self.push(
                        &kinds::PROPERTY_REMOVED,
                        &here,
                        "property removed".to_string(),
                    );
                }
            }
        }
        for n in new
            .iter()
            .filter(|n| !old_names.contains(n.name.value.as_ref()))
        {
            let path = path_of(prefix, &n.name.value);
            let here = At {
                property: Some(&path),
                new: Some(n.name.span),
                ..at.clone()
            };
            if n.is_required() {
                self.push(
                    &kinds::REQUIRED_PROPERTY_ADDED,
                    &here,
                    "required property added: payloads without it are rejected".to_string(),
                );
            } else {
                self.push(
                    &kinds::PROPERTY_ADDED,
                    &here,
                    "optional property added".to_string(),
                );
            }
        }
    }

    fn property(&mut self, at: &At, o: &Property, n: &Property) {
        let at = At {
            old: Some(o.name.span),
            new: Some(n.name.span),
            ..at.clone()
        };
        self.walk(&fields::PROPERTY, &at, o, n);
    }

    /// A lower bound (`lower`) or an upper bound: narrowed, widened, added, removed.
    fn bound(&mut self, at: &At, what: &str, old: Option<Bound>, new: Option<Bound>, lower: bool) {
        let (narrowed, widened) = (&kinds::CONSTRAINT_NARROWED, &kinds::CONSTRAINT_WIDENED);
        let (kind, message) = match (old, new) {
            (None, None) => return,
            (Some(a), Some(b)) if a.value() == b.value() => return,
            (Some(x), Some(y)) => {
                let (a, b) = (x.value(), y.value());
                let narrower = if lower { b > a } else { b < a };
                if narrower {
                    (narrowed, format!("{what} narrowed from {x} to {y}"))
                } else {
                    (widened, format!("{what} widened from {x} to {y}"))
                }
            }
            (None, Some(y)) => (narrowed, format!("{what}({y}) added")),
            (Some(x), None) => (widened, format!("{what}({x}) removed")),
        };
        self.push(kind, at, message);
    }

    /// A constraint whose values cannot be ordered (pattern, format): adding or
    /// changing one may reject payloads that passed.
    fn constraint(
        &mut self,
        at: &At,
        what: &str,
        quoted: bool,
        old: Option<Cow<str>>,
        new: Option<Cow<str>>,
    ) {
        if old == new {
            return;
        }
        let show = |v: Cow<str>| {
            if quoted {
                format!("{v:?}")
            } else {
                v.into_owned()
            }
        };
        let (kind, message) = match (old.map(show), new.map(show)) {
            (Some(a), Some(b)) => (
                &kinds::CONSTRAINT_NARROWED,
                format!("{what} changed from {a} to {b} (it may reject values that passed)"),
            ),
            (None, Some(b)) => (&kinds::CONSTRAINT_NARROWED, format!("{what}({b}) added")),
            (Some(a), None) => (&kinds::CONSTRAINT_WIDENED, format!("{what}({a}) removed")),
            (None, None) => return,
        };
        self.push(kind, at, message);
    }

    pub(super) fn types(&mut self, at: &At, o: &Type, n: &Type, path: &str) {
        match (o, n) {
            (Type::Enum(a), Type::Enum(b)) => {
                let removed: Vec<&Literal> =
                    a.values.iter().filter(|v| !b.values.contains(v)).collect();
                let added: Vec<&Literal> =
                    b.values.iter().filter(|v| !a.values.contains(v)).collect();
                let quoted =
                    |v: &[&Literal]| v.iter().map(|x| x.display()).collect::<Vec<_>>().join(", ");
                if !removed.is_empty() {
                    self.push(
                        &kinds::ENUM_VALUE_REMOVED,
                        at,
                        format!(
                            "enum value{} removed: {}",
                            plural(removed.len()),
                            quoted(&removed)
                        ),
                    );
                }
                if !added.is_empty() {
                    self.push(
                        &kinds::ENUM_VALUE_ADDED,
                        at,
                        format!(
                            "enum value{} added: {}",
                            plural(added.len()),
                            quoted(&added)
                        ),
                    );
                }
            }
            (Type::List(a), Type::List(b)) => {
                let items = format!("{path}[]");
                if same_kind(&a.ty, &b.ty) {
                    self.types(at, &a.ty, &b.ty, &items);
                } else if a.ty.members().iter().all(|m| contains(b.ty.members(), m)) {
                    self.push(
                        &kinds::TYPE_WIDENED,
                        at,
                        format!(
                            "list item type widened from `{}` to `{}`",
                            a.ty.display(),
                            b.ty.display()
                        ),
                    );
                } else {
                    self.push(
                        &kinds::LIST_ITEM_TYPE_CHANGED,
                        at,
                        format!(
                            "list item type changed from `{}` to `{}`",
                            a.ty.display(),
                            b.ty.display()
                        ),
                    );
                }
                // The constraints written inside `list( … )`.
                let here = At {
                    property: Some(&items),
                    ..at.clone()
                };
                self.walk(&fields::CONSTRAINTS, &here, a, b);
            }
            (a, b) if matches!(a, Type::Union(_)) || matches!(b, Type::Union(_)) => {
                let (am, bm) = (a.members(), b.members());
                if am.iter().all(|m| contains(bm, m)) {
                    if !bm.iter().all(|m| contains(am, m)) {
                        self.push(
                            &kinds::TYPE_WIDENED,
                            at,
                            format!("type widened from `{}` to `{}`", a.display(), b.display()),
                        );
                    }
                } else {
                    self.push(
                        &kinds::TYPE_CHANGED,
                        at,
                        format!("type changed from `{}` to `{}`", a.display(), b.display()),
                    );
                }
            }
            (a, Type::Any) if !matches!(a, Type::Any) => self.push(
                &kinds::TYPE_WIDENED,
                at,
                format!("type widened from `{}` to `any`", a.display()),
            ),
            (Type::Object(a), Type::Object(b)) => {
                self.properties(at, a, b, &format!("{path}."));
            }
            (a, b) if same_kind(a, b) => {}
            (a, b) => self.push(
                &kinds::TYPE_CHANGED,
                at,
                format!("type changed from `{}` to `{}`", a.display(), b.display()),
            ),
        }
    }
}

/// A numeric bound or a length, compared as a number, shown as written.
#[derive(Clone, Copy)]
pub(super) enum Bound<'a> {
    Number(&'a Number),
    Length(u64),
}

impl Bound<'_> {
    fn value(self) -> f64 {
        match self {
            Bound::Number(n) => n.value,
            Bound::Length(n) => n as f64,
        }
    }
}

impl std::fmt::Display for Bound<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Bound::Number(n) => write!(f, "{}", n.json),
            Bound::Length(n) => write!(f, "{n}"),
        }
    }
}

/// `prefix` + `name`, without allocating when there is no prefix.
fn path_of<'n>(prefix: &str, name: &'n str) -> Cow<'n, str> {
    if prefix.is_empty() {
        name.into()
    } else {
        format!("{prefix}{name}").into()
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Whether two types are the same kind (an enum is an enum, named or inline).
fn same_kind(a: &Type, b: &Type) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b) && !matches!(a, Type::Union(_))
}

/// Whether `t` is one of `members` (of the same kind; enums, lists and objects
/// by their written type).
fn contains(members: &[Type], t: &Type) -> bool {
    members
        .iter()
        .any(|m| same_kind(m, t) && m.display() == t.display())
}

/// The versions declared of each event name, in increasing order.
fn versions_by_name(events: &[Event]) -> HashMap<&str, Vec<u32>> {
    let mut out: HashMap<&str, Vec<u32>> = HashMap::new();
    for e in events {
        out.entry(e.name.value.as_str())
            .or_default()
            .push(e.version());
    }
    for v in out.values_mut() {
        v.sort_unstable();
    }
    out
}

/// `version 1`, `versions 1, 2`.
fn versions_text(v: &[u32]) -> String {
    let list = v.iter().map(u32::to_string).collect::<Vec<_>>().join(", ");
    format!("version{} {list}", plural(v.len()))
}

/// The shape of a list of properties, for recognising a renamed event.
fn fingerprint(props: &[Property]) -> Vec<String> {
    let mut out = Vec::new();
    walk_properties(props, &mut |p, path| {
        out.push(format!(
            "{}.{}:{}:{}",
            path.join("."),
            p.name.value,
            p.ty.display(),
            p.is_required()
        ));
    });
    out.sort();
    out
}
