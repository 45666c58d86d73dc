//! Governance rules and the engine that runs them.
//!
//! A rule is one file with one unit struct implementing `Rule`: its [`RuleDoc`]
//! (name, default level, what/why, a bad and a good example) and a `check` that
//! reports `Finding`s. Rules never decide severity: the `engine` applies the
//! default level, the plan's `rules { }` block and the `allow(...)` exceptions.
//!
//! To add a rule: write `src/rules/<category>/<name>.rs`, add it to `REGISTRY`,
//! add `tests/fixtures/rules/<category>/<name>.{fail,pass}.events`, and run
//! `UPDATE_DOCS=1 cargo test --test docs` to regenerate `docs/rules.md`.

pub(crate) mod engine;
pub(crate) mod names;

pub(crate) mod constraints;
pub(crate) mod docs;
pub(crate) mod kpi;
pub(crate) mod lifecycle;
pub(crate) mod naming;
pub(crate) mod ownership;
pub(crate) mod plan;
pub(crate) mod privacy;
pub(crate) mod sampling;
pub(crate) mod segment;
pub(crate) mod timeline;
pub(crate) mod unused;

pub(crate) use engine::run;
pub(crate) use names::convert_case;

use crate::diagnostics::Label;
use crate::ir::{Plan, Property, TraitsKind};
use crate::source::Span;

/// A level a rule can be set to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DefaultLevel {
    Error,
    Warn,
}

/// The documentation of a rule, shown by `eventsc explain` and in `docs/rules.md`.
pub struct RuleDoc {
    pub name: &'static str,
    pub default: DefaultLevel,
    /// One line: what the rule checks.
    pub summary: &'static str,
    /// Why it matters.
    pub why: &'static str,
    /// A plan excerpt the rule reports…
    pub bad: &'static str,
    /// …and the same excerpt fixed.
    pub good: &'static str,
}

/// Where a finding is, for matching `allow(...)` exceptions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Container {
    Plan,
    Event(usize),
    Traits(TraitsKind),
    /// A page or screen rule: its index in `Plan::views`.
    View(usize),
    Bundle(usize),
    Kpi(usize),
    Declaration,
}

/// What a rule reports. The engine turns it into a [`crate::diagnostics::Diagnostic`].
#[derive(Clone, Debug)]
pub(crate) struct Finding {
    pub message: String,
    pub labels: Vec<Label>,
    pub help: Option<String>,
    pub container: Container,
    /// Index path of the property within its container (`[2, 0]`: first child of
    /// the third property), if the finding is about a property.
    pub property: Option<Vec<usize>>,
}

impl Finding {
    pub(crate) fn new(
        container: Container,
        message: impl Into<String>,
        span: Span,
        label: impl Into<String>,
    ) -> Finding {
        Finding {
            message: message.into(),
            labels: vec![Label {
                span,
                message: label.into(),
                primary: true,
            }],
            help: None,
            container,
            property: None,
        }
    }

    pub(crate) fn on_property(mut self, path: Vec<usize>) -> Self {
        self.property = Some(path);
        self
    }

    pub(crate) fn secondary(mut self, span: Span, label: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            message: label.into(),
            primary: false,
        });
        self
    }

    pub(crate) fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

pub(crate) trait Rule: Sync {
    fn doc(&self) -> &'static RuleDoc;
    fn check(&self, plan: &Plan, out: &mut Vec<Finding>);
}

/// Every rule, in the order of the language reference.
pub(crate) static REGISTRY: &[&dyn Rule] = &[
    &naming::event_case::EventCase,
    &naming::property_case::PropertyCase,
    &naming::confusable_name::ConfusableName,
    &ownership::missing_owner::MissingOwner,
    &docs::missing_description::MissingDescription,
    &privacy::pii_without_consent::PiiWithoutConsent,
    &privacy::pii_without_retention::PiiWithoutRetention,
    &privacy::special_category_basis::SpecialCategoryBasis,
    &privacy::hipaa_phi::HipaaPhi,
    &privacy::coppa::Coppa,
    &lifecycle::deprecated_without_replacement::DeprecatedWithoutReplacement,
    &lifecycle::replaced_by_deprecated::ReplacedByDeprecated,
    &lifecycle::replaced_but_active::ReplacedButActive,
    &lifecycle::sunset_before_release::SunsetBeforeRelease,
    &lifecycle::since_after_plan_version::SinceAfterPlanVersion,
    &segment::reserved_name::ReservedName,
    &segment::column_collision::ColumnCollision,
    &segment::warehouse_column::WarehouseColumn,
    &constraints::unsatisfiable::Unsatisfiable,
    &sampling::range::Range,
    &plan::undeclared_source::UndeclaredSource,
    &kpi::unknown_dimension::UnknownDimension,
    &kpi::deprecated_event::DeprecatedEvent,
    &timeline::release_after_deadline::ReleaseAfterDeadline,
    &unused::declaration::Declaration,
    &unused::allow::UnusedAllow,
];

/// The names of every rule (for `rules { }` and `allow(...)` validation).
pub fn names() -> Vec<&'static str> {
    REGISTRY.iter().map(|r| r.doc().name).collect()
}

/// A property reached while walking the plan: where it is and how to name it.
pub(crate) struct At<'a, 'w> {
    pub container: Container,
    pub property: &'a Property,
    /// Index path within the container (`[2, 0]`: first child of the third property).
    pub path: &'w [usize],
    /// The enclosing object properties, outermost first.
    pub parents: &'w [&'a Property],
}

impl At<'_, '_> {
    /// Dotted name, `utm.source`.
    pub(crate) fn dotted(&self) -> String {
        let mut s = String::new();
        for p in self.parents {
            s.push_str(&p.name.value);
            s.push('.');
        }
        s.push_str(&self.property.name.value);
        s
    }
}

/// Visits every property of a list, depth first through objects and lists of objects.
pub(crate) fn walk<'a>(
    container: Container,
    props: &'a [Property],
    f: &mut dyn FnMut(&At<'a, '_>),
) {
    fn go<'a>(
        container: &Container,
        props: &'a [Property],
        path: &mut Vec<usize>,
        parents: &mut Vec<&'a Property>,
        f: &mut dyn FnMut(&At<'a, '_>),
    ) {
        for (i, p) in props.iter().enumerate() {
            path.push(i);
            f(&At {
                container: *container,
                property: p,
                path,
                parents,
            });
            let mut ty = &p.ty;
            while let crate::ir::Type::List(t) = ty {
                ty = &t.ty;
            }
            if let crate::ir::Type::Object(children) = ty {
                parents.push(p);
                go(container, children, path, parents, f);
                parents.pop();
            }
            path.pop();
        }
    }
    go(&container, props, &mut Vec::new(), &mut Vec::new(), f);
}

/// Visits every property as it applies at run time: event properties including
/// those brought in by bundles, and the properties of common/identify/group.
pub(crate) fn for_each_effective<'a>(plan: &'a Plan, f: &mut dyn FnMut(&At<'a, '_>)) {
    for (i, e) in plan.events.iter().enumerate() {
        walk(Container::Event(i), &e.properties, f);
    }
    for t in plan.traits().chain(plan.envelope.as_ref()) {
        walk(Container::Traits(t.kind), &t.properties, f);
    }
    for (i, t) in plan.views.iter().enumerate() {
        walk(Container::View(i), &t.properties, f);
    }
}

/// Visits every property as declared, once: own properties of events and traits,
/// and the properties of bundles (not their copies in events).
pub(crate) fn for_each_declared<'a>(plan: &'a Plan, f: &mut dyn FnMut(&At<'a, '_>)) {
    for_each_effective(plan, &mut |at| {
        if at.property.origin == crate::ir::Origin::Own {
            f(at)
        }
    });
    for (i, b) in plan.bundles.iter().enumerate() {
        walk(Container::Bundle(i), &b.properties, f);
    }
}

/// Adds a secondary label at the `use` line when a property came from a bundle.
pub(crate) fn with_origin(f: Finding, p: &Property) -> Finding {
    match &p.origin {
        crate::ir::Origin::Bundle(u) => f.secondary(u.use_span, "brought in here"),
        crate::ir::Origin::Own => f,
    }
}

/// How a property's container is named in messages.
pub(crate) fn container_name(plan: &Plan, c: &Container) -> String {
    match c {
        Container::Event(i) => format!("event \"{}\"", plan.events[*i].name.value),
        Container::Traits(k) => format!("`{}`", k.keyword()),
        Container::View(i) => format!("`{}`", Plan::view_label(&plan.views[*i])),
        Container::Bundle(i) => format!("bundle `{}`", plan.bundles[*i].name.value),
        Container::Kpi(i) => format!("KPI \"{}\"", plan.kpis[*i].name.value),
        Container::Plan | Container::Declaration => "the plan".into(),
    }
}
