//! Governance rules and the engine that runs them.
//!
//! A rule is one file with one unit struct implementing [`Rule`]: its [`RuleDoc`]
//! (name, default level, what/why, a bad and a good example) and a `check` that
//! reports [`Finding`]s. Rules never decide severity: the [`engine`] applies the
//! default level, the plan's `rules { }` block and the `allow(...)` exceptions.
//!
//! To add a rule: write `src/rules/<category>/<name>.rs`, add it to [`REGISTRY`],
//! add `tests/fixtures/rules/<category>/<name>.{fail,pass}.events`, and run
//! `UPDATE_DOCS=1 cargo test --test docs` to regenerate `docs/rules.md`.

pub mod engine;
mod names;

pub mod docs;
pub mod kpi;
pub mod lifecycle;
pub mod naming;
pub mod ownership;
pub mod plan;
pub mod privacy;
pub mod sampling;
pub mod segment;
pub mod timeline;
pub mod unused;

pub use engine::run;
pub use names::{Words, convert_case};

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
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Container {
    Plan,
    Event(usize),
    Traits(TraitsKind),
    Bundle(usize),
    Kpi(usize),
    Declaration,
}

/// What a rule reports. The engine turns it into a [`crate::diagnostics::Diagnostic`].
#[derive(Clone, Debug)]
pub struct Finding {
    pub message: String,
    pub labels: Vec<Label>,
    pub help: Option<String>,
    pub container: Container,
    /// Index path of the property within its container (`[2, 0]`: first child of
    /// the third property), if the finding is about a property.
    pub property: Option<Vec<usize>>,
}

impl Finding {
    pub fn new(
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

    pub fn on_property(mut self, path: Vec<usize>) -> Self {
        self.property = Some(path);
        self
    }

    pub fn secondary(mut self, span: Span, label: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            message: label.into(),
            primary: false,
        });
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

pub trait Rule: Sync {
    fn doc(&self) -> &'static RuleDoc;
    fn check(&self, plan: &Plan, out: &mut Vec<Finding>);
}

/// Every rule, in the order of the language reference.
pub static REGISTRY: &[&dyn Rule] = &[
    &naming::event_case::EventCase,
    &naming::property_case::PropertyCase,
    &ownership::missing_owner::MissingOwner,
    &docs::missing_description::MissingDescription,
    &privacy::pii_without_consent::PiiWithoutConsent,
    &privacy::pii_without_retention::PiiWithoutRetention,
    &privacy::special_category_basis::SpecialCategoryBasis,
    &privacy::hipaa_phi::HipaaPhi,
    &privacy::coppa::Coppa,
    &lifecycle::deprecated_without_replacement::DeprecatedWithoutReplacement,
    &lifecycle::replaced_by_deprecated::ReplacedByDeprecated,
    &segment::reserved_name::ReservedName,
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

pub fn find(name: &str) -> Option<&'static dyn Rule> {
    REGISTRY.iter().copied().find(|r| r.doc().name == name)
}

/// A property reached while walking a container, with its index path.
pub struct PropertyAt<'a> {
    pub property: &'a Property,
    pub path: Vec<usize>,
    /// Dotted name, `utm.source`.
    pub dotted: String,
}

/// Every property of a list, depth first through objects and lists of objects.
pub fn properties_of(props: &[Property]) -> Vec<PropertyAt<'_>> {
    fn go<'a>(
        props: &'a [Property],
        path: &mut Vec<usize>,
        prefix: &str,
        out: &mut Vec<PropertyAt<'a>>,
    ) {
        for (i, p) in props.iter().enumerate() {
            path.push(i);
            let dotted = if prefix.is_empty() {
                p.name.value.clone()
            } else {
                format!("{prefix}.{}", p.name.value)
            };
            out.push(PropertyAt {
                property: p,
                path: path.clone(),
                dotted: dotted.clone(),
            });
            let mut ty = &p.ty;
            while let crate::ir::Type::List(t) = ty {
                ty = t;
            }
            if let crate::ir::Type::Object(children) = ty {
                go(children, path, &dotted, out);
            }
            path.pop();
        }
    }
    let mut out = Vec::new();
    go(props, &mut Vec::new(), "", &mut out);
    out
}

/// Every property as it applies at run time (event properties including those
/// brought in by bundles, and the properties of common/identify/group), with the
/// container they are reported against.
pub fn effective_properties(plan: &Plan) -> Vec<(Container, PropertyAt<'_>)> {
    let mut out = Vec::new();
    for (i, e) in plan.events.iter().enumerate() {
        out.extend(
            properties_of(&e.properties)
                .into_iter()
                .map(|p| (Container::Event(i), p)),
        );
    }
    for t in plan.traits() {
        out.extend(
            properties_of(&t.properties)
                .into_iter()
                .map(|p| (Container::Traits(t.kind), p)),
        );
    }
    out
}

/// Every property as declared, once: own properties of events and traits, and
/// the properties of bundles (not their copies in events).
pub fn declared_properties(plan: &Plan) -> Vec<(Container, PropertyAt<'_>)> {
    effective_properties(plan)
        .into_iter()
        .filter(|(_, p)| p.property.origin == crate::ir::Origin::Own)
        .chain(plan.bundles.iter().enumerate().flat_map(|(i, b)| {
            properties_of(&b.properties)
                .into_iter()
                .map(move |p| (Container::Bundle(i), p))
        }))
        .collect()
}

/// Adds a secondary label at the `use` line when a property came from a bundle.
pub fn with_origin(f: Finding, p: &Property) -> Finding {
    match &p.origin {
        crate::ir::Origin::Bundle { use_span, .. } => f.secondary(*use_span, "brought in here"),
        crate::ir::Origin::Own => f,
    }
}

/// How a property's container is named in messages.
pub fn container_name(plan: &Plan, c: &Container) -> String {
    match c {
        Container::Event(i) => format!("event \"{}\"", plan.events[*i].name.value),
        Container::Traits(k) => format!("`{}`", k.keyword()),
        Container::Bundle(i) => format!("bundle `{}`", plan.bundles[*i].name.value),
        Container::Kpi(i) => format!("KPI \"{}\"", plan.kpis[*i].name.value),
        Container::Plan | Container::Declaration => "the plan".into(),
    }
}
