//! Compares two plans, field by field. Declarations are matched by name; the
//! properties of events (own and from bundles), of `common`, `identify` and
//! `group` are compared recursively through objects and list items. Enums and
//! bundles are not compared on their own: what they change shows on every
//! property that uses them. Every change is of a kind from the registry
//! (`kinds.rs`), which fixes its class; the new plan's `relax { }` may then
//! reclassify or ignore kinds.

use super::kinds::{self, ChangeKind};
use super::{Change, Class, Loc, Report};
use crate::ir::*;
use crate::source::{SourceMap, Span, Spanned};
use std::collections::{BTreeSet, HashMap};

/// One side of the comparison.
#[derive(Clone, Copy)]
pub struct Side<'a> {
    pub plan: &'a Plan,
    pub sources: &'a SourceMap,
}

/// Compares OLD with NEW.
pub fn diff(old: Side, new: Side) -> Report {
    let mut d = Differ {
        old,
        new,
        out: Vec::new(),
    };
    d.plan_meta();
    d.owners();
    d.consents();
    d.retentions();
    d.sources_and_tools();
    d.traits();
    d.events();
    d.kpis();
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

struct Differ<'a> {
    old: Side<'a>,
    new: Side<'a>,
    out: Vec<Change>,
}

/// Where a change is: a subject, maybe a property path, and the spans on each side.
#[derive(Clone)]
struct At<'s> {
    subject: &'s str,
    property: Option<&'s str>,
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

fn ref_name(r: Option<&Ref>) -> Option<&str> {
    r.map(|r| r.name.as_str())
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

    /// An optional value compared by its text: added, removed or changed.
    #[allow(clippy::too_many_arguments)]
    fn field<T: PartialEq + std::fmt::Display>(
        &mut self,
        kind: &'static ChangeKind,
        at: &At,
        what: &str,
        old: Option<(T, Span)>,
        new: Option<(T, Span)>,
    ) {
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

    fn string_field<S: std::ops::Deref<Target = str>>(
        &mut self,
        kind: &'static ChangeKind,
        at: &At,
        what: &str,
        old: &Option<Spanned<S>>,
        new: &Option<Spanned<S>>,
    ) {
        let at = at.spans(old.as_ref().map(|s| s.span), new.as_ref().map(|s| s.span));
        let message = match (old, new) {
            (None, None) => return,
            (Some(a), Some(b)) if *a.value == *b.value => return,
            (Some(_), Some(_)) => format!("{what} changed"),
            (None, Some(_)) => format!("{what} added"),
            (Some(_), None) => format!("{what} removed"),
        };
        self.push(kind, &at, message);
    }

    fn ref_field<R: std::borrow::Borrow<Ref>>(
        &mut self,
        kind: &'static ChangeKind,
        at: &At,
        what: &str,
        old: &Option<R>,
        new: &Option<R>,
    ) {
        let (old, new) = (old.as_ref().map(R::borrow), new.as_ref().map(R::borrow));
        self.field(
            kind,
            at,
            what,
            old.map(|r| (r.name.as_str(), r.span)),
            new.map(|r| (r.name.as_str(), r.span)),
        );
    }

    /// An owner reference, shown as `@id`.
    fn owner_field(&mut self, at: &At, what: &str, old: &Option<Ref>, new: &Option<Ref>) {
        if ref_name(old.as_ref()) == ref_name(new.as_ref()) {
            return;
        }
        let show = |r: &Option<Ref>| r.as_ref().map(|r| (format!("@{}", r.name), r.span));
        let kind = if what == "backup" {
            &kinds::OWNER_BACKUP_CHANGED
        } else {
            &kinds::OWNER_CHANGED
        };
        self.field(kind, at, what, show(old), show(new));
    }

    /// A set of names: one change listing what was added and removed.
    #[allow(clippy::too_many_arguments)]
    fn set_field(
        &mut self,
        kind: &'static ChangeKind,
        at: &At,
        what: &str,
        old: &[&str],
        new: &[&str],
        spans: (Option<Span>, Option<Span>),
    ) {
        if old == new {
            return;
        }
        let a: BTreeSet<&str> = old.iter().copied().collect();
        let b: BTreeSet<&str> = new.iter().copied().collect();
        let added: Vec<&str> = new.iter().copied().filter(|x| !a.contains(x)).collect();
        let removed: Vec<&str> = old.iter().copied().filter(|x| !b.contains(x)).collect();
        let mut parts = Vec::new();
        if !added.is_empty() {
            parts.push(format!("added {}", list_text(&added)));
        }
        if !removed.is_empty() {
            parts.push(format!("removed {}", list_text(&removed)));
        }
        if parts.is_empty() {
            if old != new {
                parts.push("order changed".to_string());
            } else {
                return;
            }
        }
        let at = at.spans(spans.0, spans.1);
        self.push(kind, &at, format!("{what}: {}", parts.join("; ")));
    }

    // ---- the plan block ------------------------------------------------------

    fn plan_meta(&mut self) {
        let (op, np) = (self.old.plan, self.new.plan);
        let (o, n) = (&op.meta, &np.meta);
        let at = At::new("plan", Some(o.span), Some(n.span));
        self.field(
            &kinds::PLAN_TITLE_CHANGED,
            &at,
            "title",
            Some((&o.title.value, o.title.span)),
            Some((&n.title.value, n.title.span)),
        );
        self.string_field(
            &kinds::PLAN_DESCRIPTION_CHANGED,
            &at,
            "description",
            &o.description,
            &n.description,
        );
        self.string_field(
            &kinds::PLAN_USE_CASE_CHANGED,
            &at,
            "use case",
            &o.use_case,
            &n.use_case,
        );
        let names = |v: &'a [Ref]| v.iter().map(|r| r.name.as_str()).collect::<Vec<_>>();
        let first = |v: &[Ref]| v.first().map(|r| r.span);
        self.set_field(
            &kinds::PLAN_SOURCES_CHANGED,
            &at,
            "sources",
            &names(&o.sources),
            &names(&n.sources),
            (first(&o.sources), first(&n.sources)),
        );
        let tools =
            |v: &'a [Spanned<String>]| v.iter().map(|t| t.value.as_str()).collect::<Vec<_>>();
        self.set_field(
            &kinds::PLAN_TOOLS_CHANGED,
            &at,
            "tools",
            &tools(&o.tools),
            &tools(&n.tools),
            (
                o.tools.first().map(|t| t.span),
                n.tools.first().map(|t| t.span),
            ),
        );
        let cons =
            |v: &[Spanned<Constraint>]| v.iter().map(|c| c.value.as_str()).collect::<Vec<_>>();
        self.set_field(
            &kinds::PLAN_CONSTRAINTS_CHANGED,
            &at,
            "constraints",
            &cons(&o.constraints),
            &cons(&n.constraints),
            (
                o.constraints.first().map(|c| c.span),
                n.constraints.first().map(|c| c.span),
            ),
        );
        self.field(
            &kinds::PLAN_TIMELINE_CHANGED,
            &at,
            "timeline",
            o.timeline.as_ref().map(|t| (t.value, t.span)),
            n.timeline.as_ref().map(|t| (t.value, t.span)),
        );
        self.owner_field(&at, "owner", &o.owner, &n.owner);
        self.ref_field(
            &kinds::PLAN_RETENTION_CHANGED,
            &at,
            "default retention",
            &o.retention,
            &n.retention,
        );
        let span_or = |s: Option<Span>, d: Span| s.unwrap_or(d);
        self.field(
            &kinds::PLAN_NAMING_CHANGED,
            &at,
            "event naming",
            Some((o.naming.events, span_or(o.naming.span, o.span))),
            Some((n.naming.events, span_or(n.naming.span, n.span))),
        );
        self.field(
            &kinds::PLAN_NAMING_CHANGED,
            &at,
            "property naming",
            Some((o.naming.properties, span_or(o.naming.span, o.span))),
            Some((n.naming.properties, span_or(n.naming.span, n.span))),
        );
        self.field(
            &kinds::PLAN_PATTERN_CHANGED,
            &at,
            "pattern",
            Some((o.pattern.value, o.pattern.span)),
            Some((n.pattern.value, n.pattern.span)),
        );
        let (oq, nq) = (o.qa.span.unwrap_or(o.span), n.qa.span.unwrap_or(n.span));
        let pct = |v: f64| format!("{v}%");
        self.field(
            &kinds::PLAN_QA_CHANGED,
            &at,
            "QA coverage",
            Some((pct(o.qa.coverage), oq)),
            Some((pct(n.qa.coverage), nq)),
        );
        self.field(
            &kinds::PLAN_QA_CHANGED,
            &at,
            "QA defect ceiling",
            Some((o.qa.defect_ceiling, oq)),
            Some((n.qa.defect_ceiling, nq)),
        );
        self.field(
            &kinds::PLAN_QA_CHANGED,
            &at,
            "QA retry limit",
            Some((o.qa.retry_limit, oq)),
            Some((n.qa.retry_limit, nq)),
        );
        let window = |w: Window| format!("{} in {}", w.count, w.within);
        self.field(
            &kinds::PLAN_QA_CHANGED,
            &at,
            "QA escalate_after",
            Some((window(o.qa.escalate_after), oq)),
            Some((window(n.qa.escalate_after), nq)),
        );
        for (what, a, b) in [
            ("escalation ladder", &o.escalation, &n.escalation),
            ("rip-cord recipients", &o.ripcord, &n.ripcord),
            ("approvers", &o.approvers, &n.approvers),
        ] {
            let owners = |v: &[Ref]| v.iter().map(|r| format!("@{}", r.name)).collect::<Vec<_>>();
            let (x, y) = (owners(a), owners(b));
            let x: Vec<&str> = x.iter().map(String::as_str).collect();
            let y: Vec<&str> = y.iter().map(String::as_str).collect();
            self.set_field(
                &kinds::PLAN_PEOPLE_CHANGED,
                &at,
                what,
                &x,
                &y,
                (first(a), first(b)),
            );
        }
        let rules = |v: &'a [RuleSetting]| -> Vec<(&'a str, &'static str, Span)> {
            v.iter()
                .map(|r| (r.rule.value.as_str(), r.level.value.as_str(), r.span))
                .collect()
        };
        self.settings(
            &kinds::PLAN_RULE_CHANGED,
            &at,
            "rule",
            &rules(&o.rules),
            &rules(&n.rules),
        );
        let relax = |v: &'a [ChangeSetting]| -> Vec<(&'a str, &'static str, Span)> {
            v.iter()
                .map(|r| (r.kind.value.as_str(), r.level.value.as_str(), r.span))
                .collect()
        };
        self.settings(
            &kinds::PLAN_RELAX_CHANGED,
            &at,
            "kind of change",
            &relax(&o.relax),
            &relax(&n.relax),
        );
    }

    /// The settings of `rules { }` or `relax { }` (name, level, span), compared
    /// by name.
    fn settings(
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

    // ---- declarations --------------------------------------------------------

    /// Matches two lists of declarations by name: calls `both` for those on both
    /// sides and reports the others as added or removed.
    #[allow(clippy::too_many_arguments)]
    fn matched<T>(
        &mut self,
        old: &'a [T],
        new: &'a [T],
        name: fn(&T) -> &Spanned<String>,
        subject: fn(&str) -> String,
        added: &'static ChangeKind,
        removed: &'static ChangeKind,
        mut both: impl FnMut(&mut Self, &str, &'a T, &'a T),
    ) {
        let by_name: HashMap<&str, &T> = new.iter().map(|x| (name(x).value.as_str(), x)).collect();
        let old_names: BTreeSet<&str> = old.iter().map(|x| name(x).value.as_str()).collect();
        for o in old {
            let n = name(o);
            let subject = subject(&n.value);
            match by_name.get(n.value.as_str()) {
                Some(x) => both(self, &subject, o, x),
                None => {
                    let at = At::new(&subject, Some(n.span), None);
                    self.push(removed, &at, "removed".to_string());
                }
            }
        }
        for x in new {
            let n = name(x);
            if !old_names.contains(n.value.as_str()) {
                let subject = subject(&n.value);
                let at = At::new(&subject, None, Some(n.span));
                self.push(added, &at, "added".to_string());
            }
        }
    }

    fn owners(&mut self) {
        let (op, np) = (self.old.plan, self.new.plan);
        self.matched(
            &op.owners,
            &np.owners,
            |o| &o.id,
            |n| format!("owner @{n}"),
            &kinds::OWNER_ADDED,
            &kinds::OWNER_REMOVED,
            |d, subject, o, n| {
                let at = At::new(subject, Some(o.id.span), Some(n.id.span));
                d.string_field(&kinds::OWNER_DETAILS_CHANGED, &at, "name", &o.name, &n.name);
                d.string_field(
                    &kinds::OWNER_DETAILS_CHANGED,
                    &at,
                    "email",
                    &o.email,
                    &n.email,
                );
                d.string_field(
                    &kinds::OWNER_DETAILS_CHANGED,
                    &at,
                    "slack",
                    &o.slack,
                    &n.slack,
                );
                d.string_field(
                    &kinds::OWNER_DETAILS_CHANGED,
                    &at,
                    "description",
                    &o.description,
                    &n.description,
                );
                d.owner_field(&at, "backup", &o.backup, &n.backup);
            },
        );
    }

    fn consents(&mut self) {
        let (op, np) = (self.old.plan, self.new.plan);
        self.matched(
            &op.consents,
            &np.consents,
            |c| &c.id,
            |n| format!("consent {n}"),
            &kinds::CONSENT_ADDED,
            &kinds::CONSENT_REMOVED,
            |d, subject, o, n| {
                let at = At::new(subject, Some(o.id.span), Some(n.id.span));
                d.field(
                    &kinds::CONSENT_BASIS_CHANGED,
                    &at,
                    "lawful basis",
                    o.basis.as_ref().map(|b| (b.value, b.span)),
                    n.basis.as_ref().map(|b| (b.value, b.span)),
                );
                d.field(
                    &kinds::CONSENT_CATEGORY_CHANGED,
                    &at,
                    "consent-manager category",
                    Some((
                        o.category(),
                        o.category.as_ref().map_or(o.id.span, |c| c.span),
                    )),
                    Some((
                        n.category(),
                        n.category.as_ref().map_or(n.id.span, |c| c.span),
                    )),
                );
                d.string_field(
                    &kinds::CONSENT_DESCRIPTION_CHANGED,
                    &at,
                    "description",
                    &o.description,
                    &n.description,
                );
            },
        );
    }

    fn retentions(&mut self) {
        let (op, np) = (self.old.plan, self.new.plan);
        self.matched(
            &op.retentions,
            &np.retentions,
            |r| &r.id,
            |n| format!("retention {n}"),
            &kinds::RETENTION_ADDED,
            &kinds::RETENTION_REMOVED,
            |d, subject, o, n| {
                let at = At::new(subject, Some(o.id.span), Some(n.id.span));
                d.field(
                    &kinds::RETENTION_DURATION_CHANGED,
                    &at,
                    "duration",
                    o.duration.as_ref().map(|x| (x.value, x.span)),
                    n.duration.as_ref().map(|x| (x.value, x.span)),
                );
                d.field(
                    &kinds::RETENTION_ACTION_CHANGED,
                    &at,
                    "action",
                    o.action.as_ref().map(|x| (x.value, x.span)),
                    n.action.as_ref().map(|x| (x.value, x.span)),
                );
                d.string_field(
                    &kinds::RETENTION_DESCRIPTION_CHANGED,
                    &at,
                    "description",
                    &o.description,
                    &n.description,
                );
            },
        );
    }

    fn sources_and_tools(&mut self) {
        let (op, np) = (self.old.plan, self.new.plan);
        self.matched(
            &op.sources,
            &np.sources,
            |s| &s.id,
            |n| format!("source {n}"),
            &kinds::SOURCE_ADDED,
            &kinds::SOURCE_REMOVED,
            |d, subject, o, n| {
                let at = At::new(subject, Some(o.id.span), Some(n.id.span));
                d.field(
                    &kinds::SOURCE_CHANGED,
                    &at,
                    "kind",
                    o.kind.as_ref().map(|x| (x.value, x.span)),
                    n.kind.as_ref().map(|x| (x.value, x.span)),
                );
                for (what, a, b) in [
                    ("database", &o.database, &n.database),
                    ("schema", &o.schema, &n.schema),
                ] {
                    d.field(
                        &kinds::SOURCE_CHANGED,
                        &at,
                        what,
                        a.as_ref().map(|x| (x.value.as_str(), x.span)),
                        b.as_ref().map(|x| (x.value.as_str(), x.span)),
                    );
                }
                d.string_field(
                    &kinds::SOURCE_CHANGED,
                    &at,
                    "description",
                    &o.description,
                    &n.description,
                );
            },
        );
        let (op, np) = (self.old.plan, self.new.plan);
        self.matched(
            &op.tools,
            &np.tools,
            |t| &t.id,
            |n| format!("tool {n}"),
            &kinds::TOOL_ADDED,
            &kinds::TOOL_REMOVED,
            |d, subject, o, n| {
                let at = At::new(subject, Some(o.id.span), Some(n.id.span));
                d.field(
                    &kinds::TOOL_BAA_CHANGED,
                    &at,
                    "BAA",
                    o.baa.as_ref().map(|x| (x.value, x.span)),
                    n.baa.as_ref().map(|x| (x.value, x.span)),
                );
                for (what, a, b) in [
                    ("workspace", &o.workspace, &n.workspace),
                    ("database", &o.database, &n.database),
                    ("schema", &o.schema, &n.schema),
                ] {
                    d.field(
                        &kinds::TOOL_CHANGED,
                        &at,
                        what,
                        a.as_ref().map(|x| (x.value.as_str(), x.span)),
                        b.as_ref().map(|x| (x.value.as_str(), x.span)),
                    );
                }
                d.string_field(
                    &kinds::TOOL_CHANGED,
                    &at,
                    "description",
                    &o.description,
                    &n.description,
                );
            },
        );
    }

    // ---- traits and events ---------------------------------------------------

    fn traits(&mut self) {
        let (o, n) = (self.old.plan, self.new.plan);
        for (a, b) in [
            (&o.common, &n.common),
            (&o.identify, &n.identify),
            (&o.group, &n.group),
        ] {
            match (a, b) {
                (None, None) => {}
                (Some(a), None) => {
                    let at = At::new(a.kind.keyword(), Some(a.keyword_span), None);
                    let kind = if a.properties.is_empty() {
                        &kinds::EMPTY_TRAITS_REMOVED
                    } else {
                        &kinds::TRAITS_REMOVED
                    };
                    self.push(kind, &at, format!("`{}` block removed", a.kind.keyword()));
                }
                (None, Some(b)) => {
                    let at = At::new(b.kind.keyword(), None, Some(b.keyword_span));
                    self.push(
                        &kinds::TRAITS_ADDED,
                        &at,
                        format!("`{}` block added", b.kind.keyword()),
                    );
                    // Required traits constrain payloads from now on.
                    self.properties(&at, &[], &b.properties, "");
                }
                (Some(a), Some(b)) => {
                    let at = At::new(a.kind.keyword(), Some(a.keyword_span), Some(b.keyword_span));
                    self.string_field(
                        &kinds::DESCRIPTION_CHANGED,
                        &at,
                        "description",
                        &a.description,
                        &b.description,
                    );
                    self.owner_field(&at, "owner", &a.owner, &b.owner);
                    self.closed(&at, a.closed.is_some(), b.closed.is_some());
                    self.ref_field(
                        &kinds::CONSENT_CHANGED,
                        &at,
                        "consent purpose",
                        &a.consent,
                        &b.consent,
                    );
                    self.ref_field(
                        &kinds::RETENTION_CHANGED,
                        &at,
                        "retention",
                        &a.retention,
                        &b.retention,
                    );
                    self.allows(&at, &a.allows, &b.allows);
                    self.properties(&at, &a.properties, &b.properties, "");
                }
            }
        }
    }

    fn events(&mut self) {
        let (o, n) = (self.old.plan, self.new.plan);
        let new_by_name: HashMap<&str, &Event> = n
            .events
            .iter()
            .map(|e| (e.name.value.as_str(), e))
            .collect();
        let old_names: BTreeSet<&str> = o.events.iter().map(|e| e.name.value.as_str()).collect();
        let added: Vec<&Event> = n
            .events
            .iter()
            .filter(|e| !old_names.contains(e.name.value.as_str()))
            .collect();
        let mut renamed_to: BTreeSet<&str> = BTreeSet::new();
        for e in &o.events {
            let subject = format!("event {:?}", e.name.value);
            match new_by_name.get(e.name.value.as_str()) {
                Some(x) => self.event(&subject, e, x),
                None => {
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
                    let print = fingerprint(&e.properties);
                    let twin = added.iter().find(|a| {
                        !renamed_to.contains(a.name.value.as_str())
                            && !print.is_empty()
                            && fingerprint(&a.properties) == print
                    });
                    match twin {
                        Some(t) => {
                            renamed_to.insert(t.name.value.as_str());
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
            }
        }
        for e in added {
            if renamed_to.contains(e.name.value.as_str()) {
                continue;
            }
            let subject = format!("event {:?}", e.name.value);
            let at = At::new(&subject, None, Some(e.name.span));
            self.push(&kinds::EVENT_ADDED, &at, "added".to_string());
        }
    }

    fn event(&mut self, subject: &str, o: &Event, n: &Event) {
        let at = At::new(subject, Some(o.name.span), Some(n.name.span));
        self.string_field(
            &kinds::DESCRIPTION_CHANGED,
            &at,
            "description",
            &o.description,
            &n.description,
        );
        self.owner_field(&at, "owner", &o.owner, &n.owner);
        self.ref_field(&kinds::SOURCE_CHANGED, &at, "source", &o.source, &n.source);
        self.ref_field(
            &kinds::CONSENT_CHANGED,
            &at,
            "consent purpose",
            &o.consent,
            &n.consent,
        );
        self.ref_field(
            &kinds::RETENTION_CHANGED,
            &at,
            "retention",
            &o.retention,
            &n.retention,
        );
        self.field(
            &kinds::STATUS_CHANGED,
            &at,
            "status",
            Some((o.status.value, o.status.span)),
            Some((n.status.value, n.status.span)),
        );
        if o.sampling() != n.sampling() {
            self.field(
                &kinds::SAMPLING_CHANGED,
                &at,
                "sampling",
                Some((
                    format!("{}%", o.sampling()),
                    o.sampling.as_ref().map_or(o.name.span, |s| s.span),
                )),
                Some((
                    format!("{}%", n.sampling()),
                    n.sampling.as_ref().map_or(n.name.span, |s| s.span),
                )),
            );
        }
        self.field(
            &kinds::SINCE_CHANGED,
            &at,
            "since",
            o.since.as_ref().map(|s| (&s.value, s.span)),
            n.since.as_ref().map(|s| (&s.value, s.span)),
        );
        fn tags(e: &Event) -> Vec<&str> {
            e.tags.iter().map(|t| t.value.as_str()).collect()
        }
        self.set_field(
            &kinds::TAGS_CHANGED,
            &at,
            "tags",
            &tags(o),
            &tags(n),
            (
                o.tags.first().map(|t| t.span),
                n.tags.first().map(|t| t.span),
            ),
        );
        fn labels(e: &Event) -> Vec<&str> {
            e.labels().iter().map(|t| t.value.as_str()).collect()
        }
        self.set_field(
            &kinds::LABELS_CHANGED,
            &at,
            "labels",
            &labels(o),
            &labels(n),
            (
                o.labels().first().map(|t| t.span),
                n.labels().first().map(|t| t.span),
            ),
        );
        self.closed(&at, o.closed().is_some(), n.closed().is_some());
        self.identity(&at, o, n);
        self.field(
            &kinds::FLAG_CHANGED,
            &at,
            "feature flag",
            o.flag().map(|s| (&s.value, s.span)),
            n.flag().map(|s| (&s.value, s.span)),
        );
        self.field(
            &kinds::RELEASE_CHANGED,
            &at,
            "release date",
            o.release.as_ref().map(|s| (s.value, s.span)),
            n.release.as_ref().map(|s| (s.value, s.span)),
        );
        let event = |r: &Option<Box<Ref>>| r.as_ref().map(|r| (format!("{:?}", r.name), r.span));
        self.field(
            &kinds::REPLACED_BY_CHANGED,
            &at,
            "replaced_by",
            event(&o.replaced_by),
            event(&n.replaced_by),
        );
        self.sunset(&at, o, n);
        self.allows(&at, &o.allows, &n.allows);
        self.properties(&at, &o.properties, &n.properties, "");
    }

    /// `identity`: `any` accepts every payload the others accept.
    fn identity(&mut self, at: &At, o: &Event, n: &Event) {
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

    fn sunset(&mut self, at: &At, o: &Event, n: &Event) {
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

    fn allows(&mut self, at: &At, old: &[Allow], new: &[Allow]) {
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

    fn properties(&mut self, at: &At, old: &[Property], new: &[Property], prefix: &str) {
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
        let (om, nm) = (o.modifiers(), n.modifiers());
        let at = At {
            old: Some(o.name.span),
            new: Some(n.name.span),
            ..at.clone()
        };
        self.types(&at, &o.ty, &n.ty, at.property.unwrap_or_default());
        match (o.is_required(), n.is_required()) {
            (false, true) => self.push(
                &kinds::MADE_REQUIRED,
                &at,
                "optional → required".to_string(),
            ),
            (true, false) => self.push(
                &kinds::MADE_OPTIONAL,
                &at,
                "required → optional".to_string(),
            ),
            _ => {}
        }
        self.constraints(&at, o, n);
        self.field(
            &kinds::PII_CHANGED,
            &at,
            "pii class",
            om.pii.as_ref().map(|p| (p.value, p.span)),
            nm.pii.as_ref().map(|p| (p.value, p.span)),
        );
        self.ref_field(
            &kinds::CONSENT_CHANGED,
            &at,
            "consent purpose",
            &om.consent,
            &nm.consent,
        );
        self.ref_field(
            &kinds::RETENTION_CHANGED,
            &at,
            "retention",
            &om.retention,
            &nm.retention,
        );
        match (om.deprecated.is_some(), nm.deprecated.is_some()) {
            (false, true) => self.push(
                &kinds::PROPERTY_DEPRECATED,
                &at,
                "marked deprecated".to_string(),
            ),
            (true, false) => self.push(
                &kinds::PROPERTY_UNDEPRECATED,
                &at,
                "no longer deprecated".to_string(),
            ),
            _ => {}
        }
        if om.example.as_ref().map(|e| &e.value) != nm.example.as_ref().map(|e| &e.value) {
            self.field(
                &kinds::EXAMPLE_CHANGED,
                &at,
                "example",
                om.example.as_ref().map(|e| (e.value.to_string(), e.span)),
                nm.example.as_ref().map(|e| (e.value.to_string(), e.span)),
            );
        }
        self.string_field(
            &kinds::DESCRIPTION_CHANGED,
            &at,
            "description",
            &o.description,
            &n.description,
        );
        self.allows(&at, &om.allows, &nm.allows);
    }

    /// What a value must satisfy: nullability, bounds, lengths, patterns,
    /// formats, `multiple_of`, `not_…`, `closed` (of a property, or of a list's
    /// items).
    fn constraints(&mut self, at: &At, o: &Property, n: &Property) {
        let (om, nm) = (o.modifiers(), n.modifiers());
        match (o.is_nullable(), n.is_nullable()) {
            (true, false) => self.push(
                &kinds::MADE_NOT_NULLABLE,
                at,
                "nullable → not nullable".to_string(),
            ),
            (false, true) => self.push(
                &kinds::MADE_NULLABLE,
                at,
                "not nullable → nullable".to_string(),
            ),
            _ => {}
        }
        fn num(x: &Option<Box<Spanned<Number>>>) -> Option<Bound<'_>> {
            x.as_ref().map(|n| Bound::Number(&n.value))
        }
        self.bound(at, "min", num(&om.min), num(&nm.min), true);
        self.bound(at, "max", num(&om.max), num(&nm.max), false);
        let len = |x: &Option<Box<Spanned<u64>>>| x.as_ref().map(|n| Bound::Length(n.value));
        self.bound(
            at,
            "min_length",
            len(&om.min_length),
            len(&nm.min_length),
            true,
        );
        self.bound(
            at,
            "max_length",
            len(&om.max_length),
            len(&nm.max_length),
            false,
        );
        self.constraint(
            at,
            "pattern",
            om.pattern.as_ref().map(|p| p.value.as_str()),
            nm.pattern.as_ref().map(|p| p.value.as_str()),
        );
        self.constraint(
            at,
            "format",
            om.format.as_ref().map(|f| f.value.as_str()),
            nm.format.as_ref().map(|f| f.value.as_str()),
        );
        self.constraint(
            at,
            "multiple_of",
            om.multiple_of
                .as_ref()
                .map(|n| n.value.json.to_string())
                .as_deref(),
            nm.multiple_of
                .as_ref()
                .map(|n| n.value.json.to_string())
                .as_deref(),
        );
        self.constraint(
            at,
            "not_pattern",
            om.not_pattern.as_ref().map(|p| p.value.as_str()),
            nm.not_pattern.as_ref().map(|p| p.value.as_str()),
        );
        let not_enum = |m: &Modifiers| {
            m.not_enum.as_ref().map(|v| {
                v.value
                    .iter()
                    .map(Literal::display)
                    .collect::<Vec<_>>()
                    .join(", ")
            })
        };
        self.constraint(
            at,
            "not_enum",
            not_enum(om).as_deref(),
            not_enum(nm).as_deref(),
        );
        self.closed(at, om.closed.is_some(), nm.closed.is_some());
    }

    /// `closed` added (other keys rejected: breaking) or removed.
    fn closed(&mut self, at: &At, old: bool, new: bool) {
        match (old, new) {
            (false, true) => self.push(
                &kinds::CONSTRAINT_NARROWED,
                at,
                "closed: keys besides the planned ones are rejected".to_string(),
            ),
            (true, false) => self.push(
                &kinds::CONSTRAINT_WIDENED,
                at,
                "no longer closed: other keys are accepted".to_string(),
            ),
            _ => {}
        }
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
    fn constraint(&mut self, at: &At, what: &str, old: Option<&str>, new: Option<&str>) {
        if old == new {
            return;
        }
        let show = |v: &str| {
            if what == "pattern" || what == "not_pattern" {
                format!("{v:?}")
            } else {
                v.to_string()
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

    fn types(&mut self, at: &At, o: &Type, n: &Type, path: &str) {
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
                self.constraints(&here, a, b);
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

    fn kpis(&mut self) {
        let (op, np) = (self.old.plan, self.new.plan);
        self.matched(
            &op.kpis,
            &np.kpis,
            |k| &k.name,
            |n| format!("kpi {n:?}"),
            &kinds::KPI_ADDED,
            &kinds::KPI_REMOVED,
            |d, subject, o, n| {
                let at = At::new(subject, Some(o.name.span), Some(n.name.span));
                d.string_field(
                    &kinds::DESCRIPTION_CHANGED,
                    &at,
                    "description",
                    &o.description,
                    &n.description,
                );
                d.owner_field(&at, "owner", &o.owner, &n.owner);
                let events =
                    |k: &'a Kpi| k.events.iter().map(|r| r.name.as_str()).collect::<Vec<_>>();
                d.set_field(
                    &kinds::KPI_CHANGED,
                    &at,
                    "events",
                    &events(o),
                    &events(n),
                    (
                        o.events.first().map(|r| r.span),
                        n.events.first().map(|r| r.span),
                    ),
                );
                let strs = |v: &'a [Spanned<String>]| {
                    v.iter().map(|s| s.value.as_str()).collect::<Vec<_>>()
                };
                d.set_field(
                    &kinds::KPI_CHANGED,
                    &at,
                    "dimensions",
                    &strs(&o.dimensions),
                    &strs(&n.dimensions),
                    (
                        o.dimensions.first().map(|s| s.span),
                        n.dimensions.first().map(|s| s.span),
                    ),
                );
                d.set_field(
                    &kinds::KPI_CHANGED,
                    &at,
                    "consumers",
                    &strs(&o.consumers),
                    &strs(&n.consumers),
                    (
                        o.consumers.first().map(|s| s.span),
                        n.consumers.first().map(|s| s.span),
                    ),
                );
            },
        );
    }
}

/// A numeric bound or a length, compared as a number, shown as written.
#[derive(Clone, Copy)]
enum Bound<'a> {
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
fn path_of<'n>(prefix: &str, name: &'n str) -> std::borrow::Cow<'n, str> {
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
