//! What `eventsc diff` compares, as data: for each compared thing (the plan
//! block, owners, consent purposes, retention policies, sources, tools,
//! `common`/`identify`/`group`, events, properties, KPIs), the list of its
//! fields, in the order their changes are reported. Each [`Field`] says how
//! to read the field from one side, which kind(s) of change it gives
//! (`kinds.rs`) and how the old and new values are shown; one generic walker
//! (`engine.rs`, `Differ::walk`) compares two things through their list.
//!
//! A new field is one entry here. What cannot be a plain field comparison
//! (types, identity, sunset, exceptions, rule settings, nested properties)
//! is a [`How::Code`] entry naming the engine's code path and the kinds it
//! reports. Matching declarations by name (added / removed) is [`Decls`];
//! events (renames), traits blocks and properties are matched by the engine.

use super::engine::{At, Bound, Differ};
use super::kinds::{self, ChangeKind};
use crate::ir::*;
use crate::source::{Span, Spanned};
use std::borrow::Cow;
use std::ops::Deref;

/// A value read from one side, as shown, with where it is written.
pub(super) type Shown<'x> = Option<(Cow<'x, str>, Span)>;

/// A list of names read from one side, with where its first one is written.
pub(super) type Names<'x> = (Vec<Cow<'x, str>>, Option<Span>);

/// One compared field: what the messages call it and how it is compared.
pub(super) struct Field<T: 'static> {
    pub what: &'static str,
    pub how: How<T>,
}

/// How a field is compared, and the kinds of change it gives.
pub(super) enum How<T: 'static> {
    /// Compared and shown by its text: "WHAT changed from `a` to `b`",
    /// "WHAT `b` added", "WHAT `a` removed".
    Value(&'static ChangeKind, for<'x> fn(&'x T) -> Shown<'x>),
    /// Like `Value`, but first compared by `differ` (a number or a JSON
    /// value, whose text is not what it is), and only read when they differ.
    ValueIf(
        &'static ChangeKind,
        fn(&T, &T) -> bool,
        for<'x> fn(&'x T) -> Shown<'x>,
    ),
    /// Compared by its text, not shown (a description): "WHAT changed",
    /// "WHAT added", "WHAT removed".
    Text(
        &'static ChangeKind,
        for<'x> fn(&'x T) -> Option<(&'x str, Span)>,
    ),
    /// A list of names: one change, "WHAT: added `x`; removed `y`" (or
    /// "order changed").
    Set(&'static ChangeKind, for<'x> fn(&'x T) -> Names<'x>),
    /// A keyword that is written or not: the kind and message when it is
    /// set, and when it is unset.
    Flag {
        get: fn(&T) -> bool,
        set: (&'static ChangeKind, &'static str),
        unset: (&'static ChangeKind, &'static str),
    },
    /// A lower (`true`) or upper bound: narrowed or widened, added (narrowed)
    /// or removed (widened).
    Bound(bool, for<'x> fn(&'x T) -> Option<Bound<'x>>),
    /// A constraint whose values cannot be ordered (pattern, format…):
    /// narrowed when added or changed, widened when removed; shown quoted
    /// when the flag is set.
    Constraint(bool, for<'x> fn(&'x T) -> Option<Cow<'x, str>>),
    /// Compared by a code path of the engine, which reports these kinds (read
    /// by the test that every registered kind has a place here).
    Code(
        #[cfg_attr(not(test), allow(dead_code))] &'static [&'static ChangeKind],
        fn(&mut Differ, &At, &T, &T),
    ),
}

#[cfg(test)]
impl<T> How<T> {
    /// The kinds of change this comparison may report.
    pub(super) fn kinds(&self) -> Vec<&'static ChangeKind> {
        match self {
            How::Value(k, _) | How::ValueIf(k, _, _) | How::Text(k, _) | How::Set(k, _) => {
                vec![*k]
            }
            How::Flag { set, unset, .. } => vec![set.0, unset.0],
            How::Bound(..) | How::Constraint(..) => {
                vec![&kinds::CONSTRAINT_NARROWED, &kinds::CONSTRAINT_WIDENED]
            }
            How::Code(k, _) => k.to_vec(),
        }
    }
}

/// Declarations matched by name: those on one side only are added or
/// removed, the others compared through `fields`.
pub(super) struct Decls<T: 'static> {
    pub list: fn(&Plan) -> &[T],
    pub name: fn(&T) -> &Spanned<String>,
    /// What a change is about: `owner @growth`, `kpi "Activation"`.
    pub subject: fn(&str) -> String,
    pub added: &'static ChangeKind,
    pub removed: &'static ChangeKind,
    pub fields: &'static [Field<T>],
}

// ---- readers ----------------------------------------------------------------

fn written<S: Deref<Target = str>>(x: &Option<Spanned<S>>) -> Option<(&str, Span)> {
    x.as_ref().map(|s| (&*s.value, s.span))
}

fn string(x: &Option<Spanned<String>>) -> Shown<'_> {
    x.as_ref().map(|s| (s.value.as_str().into(), s.span))
}

fn shown<V: std::fmt::Display>(x: Option<&Spanned<V>>) -> Shown<'static> {
    x.map(|s| (s.value.to_string().into(), s.span))
}

/// A reference, shown by the name it points at.
fn name<R: std::borrow::Borrow<Ref>>(r: &Option<R>) -> Shown<'_> {
    r.as_ref()
        .map(R::borrow)
        .map(|r| (r.name.as_str().into(), r.span))
}

/// An owner reference, shown as `@id`.
fn owner(r: &Option<Ref>) -> Shown<'static> {
    r.as_ref().map(|r| (format!("@{}", r.name).into(), r.span))
}

fn refs(v: &[Ref]) -> Names<'_> {
    (
        v.iter().map(|r| r.name.as_str().into()).collect(),
        v.first().map(|r| r.span),
    )
}

fn people(v: &[Ref]) -> Names<'static> {
    (
        v.iter().map(|r| format!("@{}", r.name).into()).collect(),
        v.first().map(|r| r.span),
    )
}

fn strings(v: &[Spanned<String>]) -> Names<'_> {
    (
        v.iter().map(|s| s.value.as_str().into()).collect(),
        v.first().map(|s| s.span),
    )
}

// ---- the entries ------------------------------------------------------------

const fn value<T>(
    what: &'static str,
    kind: &'static ChangeKind,
    get: for<'x> fn(&'x T) -> Shown<'x>,
) -> Field<T> {
    Field {
        what,
        how: How::Value(kind, get),
    }
}

const fn value_if<T>(
    what: &'static str,
    kind: &'static ChangeKind,
    differ: fn(&T, &T) -> bool,
    get: for<'x> fn(&'x T) -> Shown<'x>,
) -> Field<T> {
    Field {
        what,
        how: How::ValueIf(kind, differ, get),
    }
}

const fn text<T>(
    what: &'static str,
    kind: &'static ChangeKind,
    get: for<'x> fn(&'x T) -> Option<(&'x str, Span)>,
) -> Field<T> {
    Field {
        what,
        how: How::Text(kind, get),
    }
}

const fn set<T>(
    what: &'static str,
    kind: &'static ChangeKind,
    get: for<'x> fn(&'x T) -> Names<'x>,
) -> Field<T> {
    Field {
        what,
        how: How::Set(kind, get),
    }
}

const fn flag<T>(
    what: &'static str,
    get: fn(&T) -> bool,
    set: (&'static ChangeKind, &'static str),
    unset: (&'static ChangeKind, &'static str),
) -> Field<T> {
    Field {
        what,
        how: How::Flag { get, set, unset },
    }
}

const fn bound<T>(
    what: &'static str,
    lower: bool,
    get: for<'x> fn(&'x T) -> Option<Bound<'x>>,
) -> Field<T> {
    Field {
        what,
        how: How::Bound(lower, get),
    }
}

const fn constraint<T>(
    what: &'static str,
    quoted: bool,
    get: for<'x> fn(&'x T) -> Option<Cow<'x, str>>,
) -> Field<T> {
    Field {
        what,
        how: How::Constraint(quoted, get),
    }
}

const fn code<T>(
    what: &'static str,
    kinds: &'static [&'static ChangeKind],
    code: fn(&mut Differ, &At, &T, &T),
) -> Field<T> {
    Field {
        what,
        how: How::Code(kinds, code),
    }
}

/// `closed` written (other keys rejected: breaking) or removed.
const CLOSED_SET: (&ChangeKind, &str) = (
    &kinds::CONSTRAINT_NARROWED,
    "closed: keys besides the planned ones are rejected",
);
const CLOSED_UNSET: (&ChangeKind, &str) = (
    &kinds::CONSTRAINT_WIDENED,
    "no longer closed: other keys are accepted",
);

// ---- the plan block ---------------------------------------------------------

fn rules(m: &PlanMeta) -> Vec<(&str, &'static str, Span)> {
    m.rules
        .iter()
        .map(|r| (r.rule.value.as_str(), r.level.value.as_str(), r.span))
        .collect()
}

fn relaxed(m: &PlanMeta) -> Vec<(&str, &'static str, Span)> {
    m.relax
        .iter()
        .map(|r| (r.kind.value.as_str(), r.level.value.as_str(), r.span))
        .collect()
}

fn naming_span(m: &PlanMeta) -> Span {
    m.naming.span.unwrap_or(m.span)
}

fn qa_span(m: &PlanMeta) -> Span {
    m.qa.span.unwrap_or(m.span)
}

pub(super) static PLAN: [Field<PlanMeta>; 21] = [
    value("title", &kinds::PLAN_TITLE_CHANGED, |m| {
        Some((m.title.value.as_str().into(), m.title.span))
    }),
    text("description", &kinds::PLAN_DESCRIPTION_CHANGED, |m| {
        written(&m.description)
    }),
    text("use case", &kinds::PLAN_USE_CASE_CHANGED, |m| {
        written(&m.use_case)
    }),
    set("sources", &kinds::PLAN_SOURCES_CHANGED, |m| {
        refs(&m.sources)
    }),
    set("tools", &kinds::PLAN_TOOLS_CHANGED, |m| strings(&m.tools)),
    set("constraints", &kinds::PLAN_CONSTRAINTS_CHANGED, |m| {
        (
            m.constraints
                .iter()
                .map(|c| c.value.as_str().into())
                .collect(),
            m.constraints.first().map(|c| c.span),
        )
    }),
    value("timeline", &kinds::PLAN_TIMELINE_CHANGED, |m| {
        shown(m.timeline.as_ref())
    }),
    value("owner", &kinds::OWNER_CHANGED, |m| owner(&m.owner)),
    value("default retention", &kinds::PLAN_RETENTION_CHANGED, |m| {
        name(&m.retention)
    }),
    value("event naming", &kinds::PLAN_NAMING_CHANGED, |m| {
        Some((m.naming.events.as_str().into(), naming_span(m)))
    }),
    value("property naming", &kinds::PLAN_NAMING_CHANGED, |m| {
        Some((m.naming.properties.as_str().into(), naming_span(m)))
    }),
    value("pattern", &kinds::PLAN_PATTERN_CHANGED, |m| {
        Some((m.pattern.value.as_str().into(), m.pattern.span))
    }),
    value("QA coverage", &kinds::PLAN_QA_CHANGED, |m| {
        Some((format!("{}%", m.qa.coverage).into(), qa_span(m)))
    }),
    value("QA defect ceiling", &kinds::PLAN_QA_CHANGED, |m| {
        Some((m.qa.defect_ceiling.to_string().into(), qa_span(m)))
    }),
    value("QA retry limit", &kinds::PLAN_QA_CHANGED, |m| {
        Some((m.qa.retry_limit.to_string().into(), qa_span(m)))
    }),
    value("QA escalate_after", &kinds::PLAN_QA_CHANGED, |m| {
        let w = m.qa.escalate_after;
        Some((format!("{} in {}", w.count, w.within).into(), qa_span(m)))
    }),
    set("escalation ladder", &kinds::PLAN_PEOPLE_CHANGED, |m| {
        people(&m.escalation)
    }),
    set("rip-cord recipients", &kinds::PLAN_PEOPLE_CHANGED, |m| {
        people(&m.ripcord)
    }),
    set("approvers", &kinds::PLAN_PEOPLE_CHANGED, |m| {
        people(&m.approvers)
    }),
    code("rule", &[&kinds::PLAN_RULE_CHANGED], |d, at, o, n| {
        d.settings(&kinds::PLAN_RULE_CHANGED, at, "rule", &rules(o), &rules(n))
    }),
    code(
        "kind of change",
        &[&kinds::PLAN_RELAX_CHANGED],
        |d, at, o, n| {
            d.settings(
                &kinds::PLAN_RELAX_CHANGED,
                at,
                "kind of change",
                &relaxed(o),
                &relaxed(n),
            )
        },
    ),
];

// ---- owners, consent purposes, retention policies, sources, tools -----------

pub(super) static OWNERS: Decls<Owner> = Decls {
    list: |p| &p.owners,
    name: |o| &o.id,
    subject: |n| format!("owner @{n}"),
    added: &kinds::OWNER_ADDED,
    removed: &kinds::OWNER_REMOVED,
    fields: &[
        text("name", &kinds::OWNER_DETAILS_CHANGED, |o| written(&o.name)),
        text("email", &kinds::OWNER_DETAILS_CHANGED, |o| {
            written(&o.email)
        }),
        text("slack", &kinds::OWNER_DETAILS_CHANGED, |o| {
            written(&o.slack)
        }),
        text("description", &kinds::OWNER_DETAILS_CHANGED, |o| {
            written(&o.description)
        }),
        value("backup", &kinds::OWNER_BACKUP_CHANGED, |o| owner(&o.backup)),
    ],
};

pub(super) static CONSENTS: Decls<Consent> = Decls {
    list: |p| &p.consents,
    name: |c| &c.id,
    subject: |n| format!("consent {n}"),
    added: &kinds::CONSENT_ADDED,
    removed: &kinds::CONSENT_REMOVED,
    fields: &[
        value("lawful basis", &kinds::CONSENT_BASIS_CHANGED, |c| {
            c.basis.as_ref().map(|b| (b.value.as_str().into(), b.span))
        }),
        value(
            "consent-manager category",
            &kinds::CONSENT_CATEGORY_CHANGED,
            |c| {
                Some((
                    c.category().into(),
                    c.category.as_ref().map_or(c.id.span, |x| x.span),
                ))
            },
        ),
        text("description", &kinds::CONSENT_DESCRIPTION_CHANGED, |c| {
            written(&c.description)
        }),
    ],
};

pub(super) static RETENTIONS: Decls<Retention> = Decls {
    list: |p| &p.retentions,
    name: |r| &r.id,
    subject: |n| format!("retention {n}"),
    added: &kinds::RETENTION_ADDED,
    removed: &kinds::RETENTION_REMOVED,
    fields: &[
        value("duration", &kinds::RETENTION_DURATION_CHANGED, |r| {
            shown(r.duration.as_ref())
        }),
        value("action", &kinds::RETENTION_ACTION_CHANGED, |r| {
            r.action.as_ref().map(|a| (a.value.as_str().into(), a.span))
        }),
        text("description", &kinds::RETENTION_DESCRIPTION_CHANGED, |r| {
            written(&r.description)
        }),
    ],
};

pub(super) static SOURCES: Decls<Source> = Decls {
    list: |p| &p.sources,
    name: |s| &s.id,
    subject: |n| format!("source {n}"),
    added: &kinds::SOURCE_ADDED,
    removed: &kinds::SOURCE_REMOVED,
    fields: &[
        value("kind", &kinds::SOURCE_CHANGED, |s| {
            s.kind.as_ref().map(|k| (k.value.as_str().into(), k.span))
        }),
        value("database", &kinds::SOURCE_CHANGED, |s| string(&s.database)),
        value("schema", &kinds::SOURCE_CHANGED, |s| string(&s.schema)),
        text("description", &kinds::SOURCE_CHANGED, |s| {
            written(&s.description)
        }),
    ],
};

pub(super) static TOOLS: Decls<Tool> = Decls {
    list: |p| &p.tools,
    name: |t| &t.id,
    subject: |n| format!("tool {n}"),
    added: &kinds::TOOL_ADDED,
    removed: &kinds::TOOL_REMOVED,
    fields: &[
        value("BAA", &kinds::TOOL_BAA_CHANGED, |t| shown(t.baa.as_ref())),
        value("workspace", &kinds::TOOL_CHANGED, |t| string(&t.workspace)),
        value("database", &kinds::TOOL_CHANGED, |t| string(&t.database)),
        value("schema", &kinds::TOOL_CHANGED, |t| string(&t.schema)),
        text("description", &kinds::TOOL_CHANGED, |t| {
            written(&t.description)
        }),
    ],
};

// ---- common, identify, group ------------------------------------------------

/// A `common`, `identify` or `group` block on both sides (one on one side
/// only is `traits-added` / `traits-removed`, by the engine).
pub(super) static TRAITS: [Field<Traits>; 8] = [
    text("description", &kinds::DESCRIPTION_CHANGED, |t| {
        written(&t.description)
    }),
    value("owner", &kinds::OWNER_CHANGED, |t| owner(&t.owner)),
    flag("closed", |t| t.closed.is_some(), CLOSED_SET, CLOSED_UNSET),
    value("consent purpose", &kinds::CONSENT_CHANGED, |t| {
        name(&t.consent)
    }),
    value("retention", &kinds::RETENTION_CHANGED, |t| {
        name(&t.retention)
    }),
    set("require_one_of", &kinds::REQUIRE_ONE_OF_CHANGED, |t| {
        strings(&t.require_one_of)
    }),
    code("exceptions", EXCEPTIONS, |d, at, o, n| {
        d.allows(at, &o.allows, &n.allows)
    }),
    code("properties", PROPERTIES, |d, at, o, n| {
        d.properties(at, &o.properties, &n.properties, "")
    }),
];

/// What `Differ::allows` reports.
const EXCEPTIONS: &[&ChangeKind] = &[&kinds::EXCEPTION_ADDED, &kinds::EXCEPTION_REMOVED];

/// What `Differ::properties` reports itself (the rest is in [`PROPERTY`]).
const PROPERTIES: &[&ChangeKind] = &[
    &kinds::PROPERTY_ADDED,
    &kinds::REQUIRED_PROPERTY_ADDED,
    &kinds::PROPERTY_REMOVED,
];

// ---- events -----------------------------------------------------------------

/// An event on both sides (added, removed and renamed events are the
/// engine's `events`).
pub(super) static EVENT: [Field<Event>; 18] = [
    text("description", &kinds::DESCRIPTION_CHANGED, |e| {
        written(&e.description)
    }),
    value("owner", &kinds::OWNER_CHANGED, |e| owner(&e.owner)),
    value("source", &kinds::SOURCE_CHANGED, |e| name(&e.source)),
    value("consent purpose", &kinds::CONSENT_CHANGED, |e| {
        name(&e.consent)
    }),
    value("retention", &kinds::RETENTION_CHANGED, |e| {
        name(&e.retention)
    }),
    value("status", &kinds::STATUS_CHANGED, |e| {
        Some((e.status.value.as_str().into(), e.status.span))
    }),
    value_if(
        "sampling",
        &kinds::SAMPLING_CHANGED,
        |o, n| o.sampling() != n.sampling(),
        |e| {
            Some((
                format!("{}%", e.sampling()).into(),
                e.sampling.as_ref().map_or(e.name.span, |s| s.span),
            ))
        },
    ),
    value("since", &kinds::SINCE_CHANGED, |e| {
        shown(e.since.as_deref())
    }),
    set("tags", &kinds::TAGS_CHANGED, |e| strings(&e.tags)),
    set("labels", &kinds::LABELS_CHANGED, |e| strings(e.labels())),
    flag("closed", |e| e.closed().is_some(), CLOSED_SET, CLOSED_UNSET),
    code(
        "identity",
        &[&kinds::IDENTITY_WIDENED, &kinds::IDENTITY_CHANGED],
        |d, at, o, n| d.identity(at, o, n),
    ),
    value("feature flag", &kinds::FLAG_CHANGED, |e| {
        e.flag().map(|s| (s.value.as_str().into(), s.span))
    }),
    value("release date", &kinds::RELEASE_CHANGED, |e| {
        shown(e.release.as_ref())
    }),
    value("replaced_by", &kinds::REPLACED_BY_CHANGED, |e| {
        e.replaced_by
            .as_ref()
            .map(|r| (format!("{:?}", r.name).into(), r.span))
    }),
    code(
        "sunset",
        &[&kinds::SUNSET_MOVED_EARLIER, &kinds::SUNSET_CHANGED],
        |d, at, o, n| d.sunset(at, o, n),
    ),
    code("exceptions", EXCEPTIONS, |d, at, o, n| {
        d.allows(at, &o.allows, &n.allows)
    }),
    code("properties", PROPERTIES, |d, at, o, n| {
        d.properties(at, &o.properties, &n.properties, "")
    }),
];

// ---- properties -------------------------------------------------------------

/// A property on both sides (of an event, a bundle, traits, an object).
pub(super) static PROPERTY: [Field<Property>; 10] = [
    code(
        "type",
        &[
            &kinds::ENUM_VALUE_REMOVED,
            &kinds::ENUM_VALUE_ADDED,
            &kinds::TYPE_WIDENED,
            &kinds::TYPE_CHANGED,
            &kinds::LIST_ITEM_TYPE_CHANGED,
        ],
        |d, at, o, n| d.types(at, &o.ty, &n.ty, at.property.unwrap_or_default()),
    ),
    flag(
        "required",
        Property::is_required,
        (&kinds::MADE_REQUIRED, "optional → required"),
        (&kinds::MADE_OPTIONAL, "required → optional"),
    ),
    code("constraints", &[], |d, at, o, n| {
        d.walk(&CONSTRAINTS, at, o, n)
    }),
    value("pii class", &kinds::PII_CHANGED, |p| {
        p.modifiers()
            .pii
            .as_ref()
            .map(|x| (x.value.as_str().into(), x.span))
    }),
    value("consent purpose", &kinds::CONSENT_CHANGED, |p| {
        name(&p.modifiers().consent)
    }),
    value("retention", &kinds::RETENTION_CHANGED, |p| {
        name(&p.modifiers().retention)
    }),
    flag(
        "deprecated",
        |p| p.modifiers().deprecated.is_some(),
        (&kinds::PROPERTY_DEPRECATED, "marked deprecated"),
        (&kinds::PROPERTY_UNDEPRECATED, "no longer deprecated"),
    ),
    value_if(
        "example",
        &kinds::EXAMPLE_CHANGED,
        |o, n| {
            o.modifiers().example.as_ref().map(|e| &e.value)
                != n.modifiers().example.as_ref().map(|e| &e.value)
        },
        |p| {
            p.modifiers()
                .example
                .as_ref()
                .map(|e| (e.value.to_string().into(), e.span))
        },
    ),
    text("description", &kinds::DESCRIPTION_CHANGED, |p| {
        written(&p.description)
    }),
    code("exceptions", EXCEPTIONS, |d, at, o, n| {
        d.allows(at, &o.modifiers().allows, &n.modifiers().allows)
    }),
];

fn number(x: &Option<Box<Spanned<Number>>>) -> Option<Bound<'_>> {
    x.as_ref().map(|n| Bound::Number(&n.value))
}

fn length(x: &Option<Box<Spanned<u64>>>) -> Option<Bound<'static>> {
    x.as_ref().map(|n| Bound::Length(n.value))
}

/// What a value must satisfy (of a property, or of a list's items).
pub(super) static CONSTRAINTS: [Field<Property>; 11] = [
    flag(
        "nullable",
        Property::is_nullable,
        (&kinds::MADE_NULLABLE, "not nullable → nullable"),
        (&kinds::MADE_NOT_NULLABLE, "nullable → not nullable"),
    ),
    bound("min", true, |p| number(&p.modifiers().min)),
    bound("max", false, |p| number(&p.modifiers().max)),
    bound("min_length", true, |p| length(&p.modifiers().min_length)),
    bound("max_length", false, |p| length(&p.modifiers().max_length)),
    constraint("pattern", true, |p| {
        p.modifiers()
            .pattern
            .as_ref()
            .map(|x| x.value.as_str().into())
    }),
    constraint("format", false, |p| {
        p.modifiers()
            .format
            .as_ref()
            .map(|x| x.value.as_str().into())
    }),
    constraint("multiple_of", false, |p| {
        p.modifiers()
            .multiple_of
            .as_ref()
            .map(|x| x.value.json.to_string().into())
    }),
    constraint("not_pattern", true, |p| {
        p.modifiers()
            .not_pattern
            .as_ref()
            .map(|x| x.value.as_str().into())
    }),
    constraint("not_enum", false, |p| {
        p.modifiers().not_enum.as_ref().map(|v| {
            v.value
                .iter()
                .map(Literal::display)
                .collect::<Vec<_>>()
                .join(", ")
                .into()
        })
    }),
    flag(
        "closed",
        |p| p.modifiers().closed.is_some(),
        CLOSED_SET,
        CLOSED_UNSET,
    ),
];

// ---- KPIs -------------------------------------------------------------------

pub(super) static KPIS: Decls<Kpi> = Decls {
    list: |p| &p.kpis,
    name: |k| &k.name,
    subject: |n| format!("kpi {n:?}"),
    added: &kinds::KPI_ADDED,
    removed: &kinds::KPI_REMOVED,
    fields: &[
        text("description", &kinds::DESCRIPTION_CHANGED, |k| {
            written(&k.description)
        }),
        value("owner", &kinds::OWNER_CHANGED, |k| owner(&k.owner)),
        set("events", &kinds::KPI_CHANGED, |k| refs(&k.events)),
        set("dimensions", &kinds::KPI_CHANGED, |k| {
            strings(&k.dimensions)
        }),
        set("consumers", &kinds::KPI_CHANGED, |k| strings(&k.consumers)),
    ],
};

#[cfg(test)]
mod tests {
    use super::*;

    /// Every kind a table entry reports, and every kind the engine reports
    /// outside the tables (matching by name), with where it is reported.
    fn reported() -> Vec<(&'static ChangeKind, String)> {
        fn table<T>(out: &mut Vec<(&'static ChangeKind, String)>, name: &str, t: &[Field<T>]) {
            for f in t {
                for k in f.how.kinds() {
                    out.push((k, format!("{name}: {}", f.what)));
                }
            }
        }
        fn decls<T>(out: &mut Vec<(&'static ChangeKind, String)>, name: &str, d: &Decls<T>) {
            out.push((d.added, format!("{name}: added")));
            out.push((d.removed, format!("{name}: removed")));
            table(out, name, d.fields);
        }
        let mut out = Vec::new();
        table(&mut out, "plan", &PLAN);
        decls(&mut out, "owners", &OWNERS);
        decls(&mut out, "consents", &CONSENTS);
        decls(&mut out, "retentions", &RETENTIONS);
        decls(&mut out, "sources", &SOURCES);
        decls(&mut out, "tools", &TOOLS);
        table(&mut out, "traits", &TRAITS);
        table(&mut out, "event", &EVENT);
        table(&mut out, "property", &PROPERTY);
        table(&mut out, "constraints", &CONSTRAINTS);
        decls(&mut out, "kpis", &KPIS);
        // The named code paths of the engine that match things by name.
        for k in [
            &kinds::TRAITS_ADDED,
            &kinds::TRAITS_REMOVED,
            &kinds::EMPTY_TRAITS_REMOVED,
        ] {
            out.push((k, "Differ::traits".to_string()));
        }
        for k in [
            &kinds::EVENT_ADDED,
            &kinds::EVENT_REMOVED,
            &kinds::EVENT_REMOVED_AFTER_DEPRECATION,
            &kinds::EVENT_RENAMED,
            &kinds::EVENT_VERSION_ADDED,
            &kinds::EVENT_VERSION_ADDED_AS_OLDEST,
            &kinds::EVENT_VERSION_REMOVED,
        ] {
            out.push((k, "Differ::events".to_string()));
        }
        out
    }

    /// No dead kinds: every registered kind is reported by a table entry or a
    /// named code path.
    #[test]
    fn every_registered_kind_is_reported() {
        let reported = reported();
        for k in kinds::KINDS {
            assert!(
                reported.iter().any(|(r, _)| std::ptr::eq(*r, *k)),
                "{} is registered but never reported: give it a field in diff/fields.rs",
                k.name
            );
        }
    }

    /// Every kind a table entry reports is registered (`explain` lists it, a
    /// plan may relax it).
    #[test]
    fn every_reported_kind_is_registered() {
        for (k, at) in reported() {
            assert!(
                kinds::KINDS.iter().any(|r| std::ptr::eq(*r, k)),
                "{at} reports {}, which is not in kinds::KINDS",
                k.name
            );
        }
    }
}
