//! The typed, resolved plan.
//!
//! Every node keeps its [`Span`]. References ([`Ref`]) keep the name as written and,
//! once resolved, the index of their target. Effective owner, consent and retention
//! are computed once, in [`lower`], and stored on each property.
//!
//! Nothing here parses or reports; see [`lower`] for how the IR is built.

pub mod lower;
pub mod qa;
pub mod values;

use crate::source::{Span, Spanned};
use serde::Serialize;
use std::num::NonZeroU32;
pub use values::{Date, Duration, Format, Semver, TimeUnit};

/// Text shared between the places that hold it: property names and descriptions
/// repeat across events (bundles copy them into every event that uses them), so
/// lowering interns them and each copy is a pointer.
pub type Text = std::sync::Arc<str>;

/// Defines a keyword enum: a closed set of words with their spelling in the language.
macro_rules! keywords {
    ($(#[$m:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const NAMES: &'static [&'static str] = &[$($text),+];

            pub(crate) fn parse(s: &str) -> Option<Self> {
                match s { $($text => Some($name::$variant),)+ _ => None }
            }

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
    };
}

keywords!(
    /// Lawful basis (GDPR Art. 6).
    Basis {
        Consent => "consent",
        Contract => "contract",
        LegalObligation => "legal_obligation",
        VitalInterest => "vital_interest",
        PublicTask => "public_task",
        LegitimateInterest => "legitimate_interest",
    }
);

keywords!(RetentionAction { Delete => "delete", Anonymize => "anonymize" });

keywords!(SourceKind {
    Product => "product",
    Web => "web",
    Mobile => "mobile",
    Server => "server",
    Crm => "crm",
    Map => "map",
    Billing => "billing",
    Support => "support",
    Other => "other",
});

keywords!(Constraint { Gdpr => "gdpr", Ccpa => "ccpa", Hipaa => "hipaa", Coppa => "coppa" });

keywords!(EventNaming {
    ObjectAction => "object_action",
    SnakeCase => "snake_case",
    CamelCase => "camel_case",
});

keywords!(PropertyNaming { SnakeCase => "snake_case", CamelCase => "camel_case" });

keywords!(Pattern { Pipeline => "pipeline", Diamond => "diamond" });

keywords!(Status { Planned => "planned", Implemented => "implemented", Deprecated => "deprecated" });

keywords!(Identity { User => "user", Anonymous => "anonymous", Group => "group", Any => "any" });

keywords!(PiiClass {
    Identifier => "identifier",
    Contact => "contact",
    Location => "location",
    Financial => "financial",
    Health => "health",
    Sensitive => "sensitive",
});

keywords!(
    /// A severity level in `rules { }`.
    Level { Error => "error", Warn => "warn", Off => "off" }
);

keywords!(
    /// The class a plan gives a kind of change in `relax { }` (`ignore`: left
    /// out of `eventsc diff`'s report and of the version it needs).
    ChangeLevel {
        Breaking => "breaking",
        Compatible => "compatible",
        Documentation => "documentation",
        Governance => "governance",
        Ignore => "ignore",
    }
);

/// A reference to a declaration, by name; `target` is its index once resolved.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Ref {
    pub name: String,
    pub span: Span,
    pub target: Option<usize>,
}

impl Ref {
    pub(crate) fn new(name: impl Into<String>, span: Span) -> Ref {
        Ref {
            name: name.into(),
            span,
            target: None,
        }
    }
}

/// The kinds of named declarations that references point at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DeclKind {
    Owner,
    Consent,
    Retention,
    Source,
    Tool,
    Enum,
    Bundle,
    Event,
    Kpi,
}

impl DeclKind {
    pub(crate) const ALL: [DeclKind; 9] = [
        DeclKind::Owner,
        DeclKind::Consent,
        DeclKind::Retention,
        DeclKind::Source,
        DeclKind::Tool,
        DeclKind::Enum,
        DeclKind::Bundle,
        DeclKind::Event,
        DeclKind::Kpi,
    ];

    /// How the kind is named in messages.
    pub(crate) fn noun(self) -> &'static str {
        match self {
            DeclKind::Owner => "owner",
            DeclKind::Consent => "consent purpose",
            DeclKind::Retention => "retention policy",
            DeclKind::Source => "source",
            DeclKind::Tool => "tool",
            DeclKind::Enum => "enum",
            DeclKind::Bundle => "bundle",
            DeclKind::Event => "event",
            DeclKind::Kpi => "KPI",
        }
    }

    /// The declaration keyword.
    pub(crate) fn keyword(self) -> &'static str {
        match self {
            DeclKind::Owner => "owner",
            DeclKind::Consent => "consent",
            DeclKind::Retention => "retention",
            DeclKind::Source => "source",
            DeclKind::Tool => "tool",
            DeclKind::Enum => "enum",
            DeclKind::Bundle => "bundle",
            DeclKind::Event => "event",
            DeclKind::Kpi => "kpi",
        }
    }

    /// How a name of this kind is written in source: `@x`, `"X"` or `x`.
    pub(crate) fn render(self, name: &str) -> String {
        match self {
            DeclKind::Owner => format!("@{name}"),
            DeclKind::Event | DeclKind::Kpi => format!("{name:?}"),
            _ => name.to_string(),
        }
    }
}

/// One resolved reference: where it is written and what it points at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RefSite {
    pub kind: DeclKind,
    pub target: usize,
    pub span: Span,
}

/// The whole plan: every declaration of every file, in source order.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    pub meta: PlanMeta,
    pub owners: Vec<Owner>,
    pub consents: Vec<Consent>,
    pub retentions: Vec<Retention>,
    pub sources: Vec<Source>,
    pub tools: Vec<Tool>,
    pub enums: Vec<EnumDef>,
    pub bundles: Vec<Bundle>,
    pub common: Option<Traits>,
    pub identify: Option<Traits>,
    pub group: Option<Traits>,
    /// `envelope { … }`: the payload's top-level fields, on every call
    /// (Segment's COMMON rule beside `common`).
    pub envelope: Option<Traits>,
    /// `page { … }`, `page "Pricing" { … }`, `screen …`: the page and screen
    /// rules, in source order (kind `Page` or `Screen`, `name` the one page or
    /// screen, none for all of them).
    pub views: Vec<Traits>,
    pub events: Vec<Event>,
    pub kpis: Vec<Kpi>,
    /// Every resolved reference, in source order (for `unused/declaration`,
    /// find-references and rename).
    pub refs: Vec<RefSite>,
}

#[derive(Clone, Debug, Default)]
pub struct PlanMeta {
    pub title: Spanned<String>,
    pub span: Span,
    pub description: Option<Spanned<String>>,
    pub use_case: Option<Spanned<String>>,
    pub sources: Vec<Ref>,
    pub tools: Vec<Spanned<String>>,
    pub constraints: Vec<Spanned<Constraint>>,
    pub timeline: Option<Spanned<Date>>,
    /// Defaults to `0.1.0`, spanning the plan's name.
    pub version: Spanned<Semver>,
    /// Whether the plan writes its `version`.
    pub version_written: bool,
    pub owner: Option<Ref>,
    pub retention: Option<Ref>,
    pub naming: Naming,
    pub pattern: Spanned<Pattern>,
    pub qa: Qa,
    /// Defaults to the plan's owner.
    pub escalation: Vec<Ref>,
    /// Defaults to the escalation ladder.
    pub ripcord: Vec<Ref>,
    /// Defaults to the plan's owner.
    pub approvers: Vec<Ref>,
    pub rules: Vec<RuleSetting>,
    /// `relax { "event-renamed" = documentation }`: kinds of change the plan
    /// classifies otherwise (see `diff::kinds`).
    pub relax: Vec<ChangeSetting>,
}

impl Default for Spanned<String> {
    fn default() -> Self {
        Spanned::new(String::new(), Span::default())
    }
}

impl Default for Spanned<Semver> {
    fn default() -> Self {
        Spanned::new(Semver::DEFAULT, Span::default())
    }
}

impl Default for Spanned<Pattern> {
    fn default() -> Self {
        Spanned::new(Pattern::Pipeline, Span::default())
    }
}

impl PlanMeta {
    pub(crate) fn constraint_span(&self, c: Constraint) -> Option<Span> {
        self.constraints
            .iter()
            .find(|x| x.value == c)
            .map(|x| x.span)
    }
}

#[derive(Clone, Copy, Debug)]
pub struct Naming {
    pub events: EventNaming,
    pub properties: PropertyNaming,
    pub span: Option<Span>,
}

impl Default for Naming {
    fn default() -> Self {
        Naming {
            events: EventNaming::ObjectAction,
            properties: PropertyNaming::SnakeCase,
            span: None,
        }
    }
}

/// `escalate_after COUNT in WITHIN`
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub count: u32,
    pub within: Duration,
}

#[derive(Clone, Copy, Debug)]
pub struct Qa {
    /// Percent, 0–100.
    pub coverage: f64,
    pub defect_ceiling: u32,
    pub retry_limit: u32,
    pub escalate_after: Window,
    pub span: Option<Span>,
}

impl Default for Qa {
    fn default() -> Self {
        Qa {
            coverage: 100.0,
            defect_ceiling: 0,
            retry_limit: 2,
            escalate_after: Window {
                count: 2,
                within: Duration {
                    amount: 48,
                    unit: TimeUnit::Hour,
                },
            },
            span: None,
        }
    }
}

#[derive(Clone, Debug)]
pub struct RuleSetting {
    pub rule: Spanned<String>,
    pub level: Spanned<Level>,
    pub span: Span,
}

/// One setting of `relax { }`.
#[derive(Clone, Debug)]
pub struct ChangeSetting {
    pub kind: Spanned<String>,
    pub level: Spanned<ChangeLevel>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Owner {
    /// Without the `@`.
    pub id: Spanned<String>,
    pub name: Option<Spanned<String>>,
    pub email: Option<Spanned<String>>,
    pub slack: Option<Spanned<String>>,
    pub description: Option<Spanned<String>>,
    pub backup: Option<Ref>,
    pub span: Span,
}

impl Owner {
    /// The display name, else `@id`.
    pub fn display(&self) -> String {
        self.name
            .as_ref()
            .map_or_else(|| format!("@{}", self.id.value), |n| n.value.clone())
    }
}

#[derive(Clone, Debug)]
pub struct Consent {
    pub id: Spanned<String>,
    pub basis: Option<Spanned<Basis>>,
    pub description: Option<Spanned<String>>,
    /// The consent manager's category id; defaults to the purpose id.
    pub category: Option<Spanned<String>>,
    pub span: Span,
}

impl Consent {
    pub fn category(&self) -> &str {
        self.category.as_ref().map_or(&self.id.value, |c| &c.value)
    }
}

#[derive(Clone, Debug)]
pub struct Retention {
    pub id: Spanned<String>,
    pub duration: Option<Spanned<Duration>>,
    pub action: Option<Spanned<RetentionAction>>,
    pub description: Option<Spanned<String>>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Source {
    pub id: Spanned<String>,
    pub kind: Option<Spanned<SourceKind>>,
    /// The warehouse database its tables live in (dbt target; default: the
    /// `tool dbt { database }`, else dbt's target database).
    pub database: Option<Spanned<String>>,
    /// The warehouse schema Segment loads it into (default: its id, as the
    /// Segment source slug).
    pub schema: Option<Spanned<String>>,
    pub description: Option<Spanned<String>>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Tool {
    pub id: Spanned<String>,
    pub baa: Option<Spanned<bool>>,
    pub workspace: Option<Spanned<String>>,
    pub database: Option<Spanned<String>>,
    pub schema: Option<Spanned<String>>,
    pub description: Option<Spanned<String>>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct EnumDef {
    pub name: Spanned<String>,
    pub values: Vec<Spanned<Literal>>,
    pub description: Option<Spanned<String>>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Bundle {
    pub name: Spanned<String>,
    pub description: Option<Spanned<String>>,
    pub properties: Vec<Property>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TraitsKind {
    Common,
    Identify,
    Group,
    /// `envelope`: its properties are the payload's top-level fields.
    Envelope,
    /// `page` and `screen`: their properties are the call's `properties`.
    Page,
    Screen,
}

impl TraitsKind {
    pub(crate) fn keyword(self) -> &'static str {
        match self {
            TraitsKind::Common => "common",
            TraitsKind::Identify => "identify",
            TraitsKind::Group => "group",
            TraitsKind::Envelope => "envelope",
            TraitsKind::Page => "page",
            TraitsKind::Screen => "screen",
        }
    }

    /// Where the call carries the block's properties: `properties`, `traits`,
    /// or (the envelope) the payload itself.
    pub fn field(self) -> Option<&'static str> {
        match self {
            TraitsKind::Common | TraitsKind::Page | TraitsKind::Screen => Some("properties"),
            TraitsKind::Identify | TraitsKind::Group => Some("traits"),
            TraitsKind::Envelope => None,
        }
    }
}

/// `common`, `identify`, `group`, `envelope`, `page` or `screen`: a block of
/// properties of a kind of call.
#[derive(Clone, Debug)]
pub struct Traits {
    pub kind: TraitsKind,
    pub description: Option<Spanned<String>>,
    pub owner: Option<Ref>,
    pub consent: Option<Ref>,
    pub retention: Option<Ref>,
    pub uses: Vec<Ref>,
    pub properties: Vec<Property>,
    pub allows: Vec<Allow>,
    /// The field `closed`: no traits (properties) besides those listed.
    pub closed: Option<Span>,
    /// `page "Pricing"`, `screen "Checkout"`: the one page or screen (Segment's
    /// `name`); none for every page or screen, and for the other kinds.
    pub name: Option<Spanned<String>>,
    /// `envelope`'s `require_one_of userId, anonymousId`: the payload carries at
    /// least one of these fields (Segment's `anyOf` of `required`).
    pub require_one_of: Vec<Spanned<String>>,
    /// The keyword (`identify`), for diagnostics.
    pub keyword_span: Span,
    pub span: Span,
}

#[derive(Clone, Debug)]
/// The rarely written fields are boxed: a plan may have 100,000 events.
pub struct Event {
    pub name: Spanned<String>,
    pub description: Option<Spanned<String>>,
    pub owner: Option<Ref>,
    pub source: Option<Ref>,
    pub consent: Option<Ref>,
    /// Defaults to `planned` (with the span of the event name).
    pub status: Spanned<Status>,
    pub status_written: bool,
    /// Percent; the range is checked by `sampling/range`.
    pub sampling: Option<Box<Spanned<f64>>>,
    pub retention: Option<Box<Ref>>,
    pub since: Option<Box<Spanned<Semver>>>,
    pub tags: Vec<Spanned<String>>,
    /// The rarely written fields (the feature flag, labels, `closed`), boxed:
    /// read them with `Event::flag`, `Event::labels` and [`Event::closed`].
    pub extra: Option<Box<EventExtra>>,
    pub identity: Option<Spanned<Identity>>,
    pub release: Option<Spanned<Date>>,
    pub replaced_by: Option<Box<Ref>>,
    pub sunset: Option<Spanned<Date>>,
    pub uses: Vec<Ref>,
    /// Own properties and those brought in by `use`, in the order written.
    pub properties: Vec<Property>,
    pub allows: Vec<Allow>,
    pub span: Span,
}

/// An event's rarely written fields.
#[derive(Clone, Debug, Default)]
pub struct EventExtra {
    /// The feature flag gating its instrumentation.
    pub flag: Option<Spanned<String>>,
    /// Segment's labels, `key:value` each (`labels "team:web"`).
    pub labels: Vec<Spanned<String>>,
    /// The field `closed`: no properties besides those listed.
    pub closed: Option<Span>,
    /// The field `version 2` (Segment's event versions; 1 when not written).
    pub version: Option<Spanned<u32>>,
    /// Another declaration of this name has a higher version: this one is
    /// not the current version (set by lowering).
    pub superseded: bool,
    /// A `version` is written but is not a positive whole number (reported):
    /// the event is left out of the check of duplicate versions.
    pub bad_version: bool,
}

impl Event {
    /// The event's version (`version 2`; 1 when not written).
    pub fn version(&self) -> u32 {
        self.extra
            .as_ref()
            .and_then(|x| x.version.as_ref())
            .map_or(1, |v| v.value)
    }

    /// The `version` field as written, when it is.
    pub fn version_field(&self) -> Option<&Spanned<u32>> {
        self.extra.as_ref().and_then(|x| x.version.as_ref())
    }

    /// Whether this is the current (highest) version of its name: what a
    /// reference by name means.
    pub fn is_current(&self) -> bool {
        self.extra.as_ref().is_none_or(|x| !x.superseded)
    }

    /// Whether the plan declares several versions of this name.
    pub fn is_versioned(&self) -> bool {
        self.extra
            .as_ref()
            .is_some_and(|x| x.superseded || x.version.is_some())
    }

    /// The feature flag gating its instrumentation (`flag "…"`).
    pub(crate) fn flag(&self) -> Option<&Spanned<String>> {
        self.extra.as_ref().and_then(|x| x.flag.as_ref())
    }

    /// Segment's labels (`labels "team:web"`).
    pub(crate) fn labels(&self) -> &[Spanned<String>] {
        self.extra.as_ref().map_or(&[], |x| &x.labels)
    }

    /// Where the field `closed` is written, when it is.
    pub fn closed(&self) -> Option<Span> {
        self.extra.as_ref().and_then(|x| x.closed)
    }
}

impl Event {
    pub fn identity(&self) -> Identity {
        self.identity.as_ref().map_or(Identity::Any, |i| i.value)
    }

    pub(crate) fn sampling(&self) -> f64 {
        self.sampling.as_ref().map_or(100.0, |s| s.value)
    }

    pub fn is_deprecated(&self) -> bool {
        self.status.value == Status::Deprecated
    }

    pub(crate) fn property(&self, name: &str) -> Option<&Property> {
        self.properties.iter().find(|p| &*p.name.value == name)
    }
}

#[derive(Clone, Debug)]
pub struct Kpi {
    pub name: Spanned<String>,
    pub description: Option<Spanned<String>>,
    pub owner: Option<Ref>,
    pub events: Vec<Ref>,
    pub dimensions: Vec<Spanned<String>>,
    pub consumers: Vec<Spanned<String>>,
    pub span: Span,
}

/// `allow("rule", reason "…")`
#[derive(Clone, Debug)]
pub struct Allow {
    pub rule: Spanned<String>,
    pub reason: Option<Spanned<String>>,
    pub span: Span,
}

/// Where a property was declared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    Own,
    /// Copied from a bundle by a `use` (boxed: most properties are their own).
    Bundle(Box<BundleUse>),
}

/// The bundle a property was copied from, and the `use` that brought it in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BundleUse {
    pub bundle: usize,
    pub use_span: Span,
}

/// Owner, consent and retention that apply to a property, all things considered:
/// indices into the plan's owners, consents and retentions (stored in 32 bits, as
/// there is one of these per property).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Effective {
    owner: Option<NonZeroU32>,
    consent: Option<NonZeroU32>,
    retention: Option<NonZeroU32>,
    unresolved: bool,
}

/// `i + 1`, so that `None` takes no room.
fn index32(i: Option<usize>) -> Option<NonZeroU32> {
    i.and_then(|i| u32::try_from(i + 1).ok())
        .and_then(NonZeroU32::new)
}

fn index_of(i: Option<NonZeroU32>) -> Option<usize> {
    i.map(|i| i.get() as usize - 1)
}

impl Effective {
    pub(crate) fn new(
        owner: Option<usize>,
        consent: Option<usize>,
        retention: Option<usize>,
        unresolved: bool,
    ) -> Effective {
        Effective {
            owner: index32(owner),
            consent: index32(consent),
            retention: index32(retention),
            unresolved,
        }
    }

    /// The owner (an index into `Plan::owners`).
    pub(crate) fn owner(&self) -> Option<usize> {
        index_of(self.owner)
    }

    /// The consent purpose (an index into `Plan::consents`).
    pub(crate) fn consent(&self) -> Option<usize> {
        index_of(self.consent)
    }

    /// The retention policy (an index into `Plan::retentions`).
    pub(crate) fn retention(&self) -> Option<usize> {
        index_of(self.retention)
    }

    /// A consent or retention written on the way to this property did not resolve
    /// (already an error): rules about missing consent/retention stay quiet.
    pub(crate) fn unresolved(&self) -> bool {
        self.unresolved
    }
}

/// A number as written, kept exactly (so `1` stays an integer in JSON Schema).
#[derive(Clone, Debug, PartialEq)]
pub struct Number {
    pub value: f64,
    pub json: serde_json::Number,
}

impl Number {
    pub(crate) fn is_integer(&self) -> bool {
        self.value.fract() == 0.0
    }
}

#[derive(Clone, Debug)]
pub struct Property {
    pub name: Spanned<Text>,
    pub ty: Type,
    pub ty_span: Span,
    pub required: Flag,
    pub nullable: Flag,
    pub description: Option<Spanned<Text>>,
    /// The other modifiers, boxed and absent when none is written: a plan has
    /// hundreds of thousands of properties. Read them with [`Property::modifiers`]
    /// (lowering makes the box when it writes the first one).
    pub mods: Option<Box<Modifiers>>,
    pub origin: Origin,
    pub effective: Effective,
    pub span: Span,
}

/// Where a flag modifier (`required`, `nullable`) of a property is written, in 4
/// bytes instead of an `Option<Span>`'s 16: the keyword's offset (plus one, so
/// that "not written" takes no room). Both keywords are 8 bytes long and sit in
/// their property's file, which gives back the span.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Flag(Option<NonZeroU32>);

impl Flag {
    /// The length of `required` and of `nullable`.
    const LEN: u32 = 8;
    pub(crate) const NONE: Flag = Flag(None);

    /// The flag written at `span` (the keyword, `Flag::LEN` bytes).
    pub(crate) fn at(span: Span) -> Flag {
        debug_assert_eq!(span.end - span.start, Flag::LEN);
        Flag(span.start.checked_add(1).and_then(NonZeroU32::new))
    }

    pub(crate) fn is_set(self) -> bool {
        self.0.is_some()
    }

    /// Where the keyword is written, in `file` (its property's; the size tests
    /// check it survives the packing).
    #[cfg(test)]
    fn span(self, file: crate::source::FileId) -> Option<Span> {
        self.0.map(|s| Span {
            file,
            start: s.get() - 1,
            end: s.get() - 1 + Flag::LEN,
        })
    }
}

/// A property's modifiers other than `required` and `nullable`.
#[derive(Clone, Debug, Default)]
pub struct Modifiers {
    // Boxed too: each is rare.
    pub min: Option<Box<Spanned<Number>>>,
    pub max: Option<Box<Spanned<Number>>>,
    /// `multiple_of(n)`, n > 0.
    pub multiple_of: Option<Box<Spanned<Number>>>,
    pub min_length: Option<Box<Spanned<u64>>>,
    pub max_length: Option<Box<Spanned<u64>>>,
    pub pattern: Option<Box<Spanned<String>>>,
    /// `not_pattern("re")`: strings must not match.
    pub not_pattern: Option<Box<Spanned<String>>>,
    pub format: Option<Spanned<Format>>,
    /// `not_enum(…)`: values that are not allowed (strings, numbers, booleans).
    pub not_enum: Option<Box<Spanned<Vec<Literal>>>>,
    /// `closed` on an `object`: no keys besides its properties.
    pub closed: Option<Span>,
    pub pii: Option<Spanned<PiiClass>>,
    pub consent: Option<Box<Ref>>,
    pub retention: Option<Box<Ref>>,
    pub example: Option<Box<Spanned<serde_json::Value>>>,
    pub deprecated: Option<Span>,
    pub allows: Vec<Allow>,
}

/// The modifiers of a property that has none.
static NO_MODIFIERS: Modifiers = Modifiers {
    min: None,
    max: None,
    multiple_of: None,
    min_length: None,
    max_length: None,
    pattern: None,
    not_pattern: None,
    format: None,
    not_enum: None,
    closed: None,
    pii: None,
    consent: None,
    retention: None,
    example: None,
    deprecated: None,
    allows: Vec::new(),
};

impl Property {
    pub fn is_required(&self) -> bool {
        self.required.is_set()
    }

    pub fn is_nullable(&self) -> bool {
        self.nullable.is_set()
    }

    /// The modifiers other than `required` and `nullable` (all absent when none
    /// is written).
    pub fn modifiers(&self) -> &Modifiers {
        self.mods.as_deref().unwrap_or(&NO_MODIFIERS)
    }
}

#[derive(Clone, Debug)]
pub enum Type {
    /// Any JSON value (`any`).
    Any,
    String,
    Integer,
    Number,
    Boolean,
    Datetime,
    Date,
    Enum(Box<EnumType>),
    /// `list(T modifier*)`: the items, as a property (named after the list) whose
    /// type and modifiers apply to each item.
    List(Box<Property>),
    Object(Vec<Property>),
    /// `string | integer`: two members or more, each of a different JSON type,
    /// none an object, an enum or a union. The property's modifiers apply to the
    /// members they make sense for.
    Union(Box<[Type]>),
}

/// A value of an enum or of `not_enum`: a string, a number as written, a boolean.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Literal {
    Str(String),
    Num(serde_json::Number),
    Bool(bool),
}

impl Literal {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Literal::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Literal::Str(s) => serde_json::Value::String(s.clone()),
            Literal::Num(n) => serde_json::Value::Number(n.clone()),
            Literal::Bool(b) => serde_json::Value::Bool(*b),
        }
    }

    /// The JSON Schema type of the value: `integer` for a number without a
    /// fraction.
    pub(crate) fn json_type(&self) -> &'static str {
        match self {
            Literal::Str(_) => "string",
            Literal::Num(n) if n.as_f64().is_some_and(|x| x.fract() != 0.0) => "number",
            Literal::Num(_) => "integer",
            Literal::Bool(_) => "boolean",
        }
    }

    /// As written in `.events`: `"a"` (quoted), `1`, `true`.
    pub fn display(&self) -> String {
        match self {
            Literal::Str(s) => format!("{s:?}"),
            Literal::Num(n) => n.to_string(),
            Literal::Bool(b) => b.to_string(),
        }
    }

    /// As JSON text: `"a"`, `1`, `true`.
    pub(crate) fn json_text(&self) -> String {
        match self {
            Literal::Str(s) => serde_json::Value::String(s.clone()).to_string(),
            other => other.display(),
        }
    }

    /// Whether a JSON value is this value (numbers compared by value: `1` and
    /// `1.0` are one value, as in JSON Schema).
    pub(crate) fn matches(&self, v: &serde_json::Value) -> bool {
        match (self, v) {
            (Literal::Str(a), serde_json::Value::String(b)) => a == b,
            (Literal::Num(a), serde_json::Value::Number(b)) => a.as_f64() == b.as_f64(),
            (Literal::Bool(a), serde_json::Value::Bool(b)) => a == b,
            _ => false,
        }
    }

    /// Whether this is the number `x`.
    pub(crate) fn is_number(&self, x: f64) -> bool {
        matches!(self, Literal::Num(n) if n.as_f64() == Some(x))
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct EnumType {
    /// The named enum, for `plan: Plan`; `None` for inline `enum("a", "b")`.
    pub named: Option<Box<Ref>>,
    /// Shared by every property with the same values (lowering interns them: a
    /// named enum used by thousands of events has one list).
    pub values: std::sync::Arc<[Literal]>,
}

impl EnumType {
    /// The JSON Schema types of the values, in the order of their first value
    /// (`number` instead of `integer` when a number has a fraction).
    pub fn json_types(&self) -> Vec<&'static str> {
        let fraction = self.values.iter().any(|v| v.json_type() == "number");
        let mut out: Vec<&'static str> = Vec::new();
        for v in self.values.iter() {
            let t = match v.json_type() {
                "integer" if fraction => "number",
                t => t,
            };
            if !out.contains(&t) {
                out.push(t);
            }
        }
        if out.is_empty() {
            out.push("string");
        }
        out
    }

    /// Whether every value is a string (every enum before issue 14).
    pub fn is_strings(&self) -> bool {
        self.values.iter().all(|v| matches!(v, Literal::Str(_)))
    }
}

impl Type {
    /// How the type is written in `.events`.
    pub fn display(&self) -> String {
        match self {
            Type::Any => "any".into(),
            Type::String => "string".into(),
            Type::Integer => "integer".into(),
            Type::Number => "number".into(),
            Type::Boolean => "boolean".into(),
            Type::Datetime => "datetime".into(),
            Type::Date => "date".into(),
            Type::Enum(e) => match &e.named {
                Some(r) => r.name.clone(),
                None => format!(
                    "enum({})",
                    e.values
                        .iter()
                        .map(Literal::display)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            },
            Type::List(t) => format!("list({})", t.ty.display()),
            Type::Object(_) => "object".into(),
            Type::Union(members) => members
                .iter()
                .map(Type::display)
                .collect::<Vec<_>>()
                .join(" | "),
        }
    }

    /// The members of a union, or the type itself.
    pub(crate) fn members(&self) -> &[Type] {
        match self {
            Type::Union(members) => members,
            t => std::slice::from_ref(t),
        }
    }

    /// Whether the type, or a member of the union, is one `f` accepts.
    pub fn has(&self, f: impl Fn(&Type) -> bool) -> bool {
        self.members().iter().any(f)
    }

    /// The JSON Schema types this type is carried as, in order (none for `any`).
    pub fn json_types(&self) -> Vec<&'static str> {
        let mut out: Vec<&'static str> = Vec::new();
        for m in self.members() {
            let ts = match m {
                Type::Any => Vec::new(),
                Type::Enum(e) => e.json_types(),
                t => vec![t.json_type()],
            };
            for t in ts {
                if !out.contains(&t) {
                    out.push(t);
                }
            }
        }
        out
    }

    /// The JSON type name this type is carried as (`any` for `any`, which
    /// has no JSON Schema `type`).
    pub(crate) fn json_type(&self) -> &'static str {
        match self {
            Type::Any => "any",
            Type::String | Type::Datetime | Type::Date => "string",
            Type::Enum(e) => e.json_types()[0],
            Type::Integer => "integer",
            Type::Number => "number",
            Type::Boolean => "boolean",
            Type::List(_) => "array",
            Type::Object(_) => "object",
            Type::Union(members) => members.first().map_or("any", Type::json_type),
        }
    }
}

impl Plan {
    /// The span of the name of declaration `index` of `kind`.
    pub(crate) fn decl_name_span(&self, kind: DeclKind, index: usize) -> Option<Span> {
        Some(match kind {
            DeclKind::Owner => self.owners.get(index)?.id.span,
            DeclKind::Consent => self.consents.get(index)?.id.span,
            DeclKind::Retention => self.retentions.get(index)?.id.span,
            DeclKind::Source => self.sources.get(index)?.id.span,
            DeclKind::Tool => self.tools.get(index)?.id.span,
            DeclKind::Enum => self.enums.get(index)?.name.span,
            DeclKind::Bundle => self.bundles.get(index)?.name.span,
            DeclKind::Event => self.events.get(index)?.name.span,
            DeclKind::Kpi => self.kpis.get(index)?.name.span,
        })
    }

    /// The name of declaration `index` of `kind`.
    pub(crate) fn decl_name(&self, kind: DeclKind, index: usize) -> Option<&str> {
        Some(match kind {
            DeclKind::Owner => &self.owners.get(index)?.id.value,
            DeclKind::Consent => &self.consents.get(index)?.id.value,
            DeclKind::Retention => &self.retentions.get(index)?.id.value,
            DeclKind::Source => &self.sources.get(index)?.id.value,
            DeclKind::Tool => &self.tools.get(index)?.id.value,
            DeclKind::Enum => &self.enums.get(index)?.name.value,
            DeclKind::Bundle => &self.bundles.get(index)?.name.value,
            DeclKind::Event => &self.events.get(index)?.name.value,
            DeclKind::Kpi => &self.kpis.get(index)?.name.value,
        })
    }

    pub(crate) fn owner(&self, r: &Option<Ref>) -> Option<&Owner> {
        r.as_ref().and_then(|r| r.target).map(|i| &self.owners[i])
    }

    /// The current version of the event named `name`.
    pub fn event_by_name(&self, name: &str) -> Option<&Event> {
        self.events
            .iter()
            .find(|e| e.name.value == name && e.is_current())
    }

    /// The blocks of properties that are not events: common, identify, group
    /// (not the envelope, nor page and screen rules: see [`Plan::calls`]).
    pub(crate) fn traits(&self) -> impl Iterator<Item = &Traits> {
        [&self.common, &self.identify, &self.group]
            .into_iter()
            .flatten()
    }

    /// Every block of properties that is not an event: common, identify,
    /// group, the envelope, then the page and screen rules.
    pub(crate) fn calls(&self) -> impl Iterator<Item = &Traits> {
        self.traits()
            .chain(self.envelope.as_ref())
            .chain(self.views.iter())
    }

    /// How a page or screen rule is named in messages: `page "Pricing"`, `page`.
    pub(crate) fn view_label(t: &Traits) -> String {
        match &t.name {
            Some(n) => format!("{} {:?}", t.kind.keyword(), n.value),
            None => t.kind.keyword().to_string(),
        }
    }
}

/// Visits a property and, depth first, the properties of its objects and lists.
pub(crate) fn walk_properties<'a>(
    props: &'a [Property],
    f: &mut impl FnMut(&'a Property, &[&'a str]),
) {
    fn go<'a>(
        props: &'a [Property],
        path: &mut Vec<&'a str>,
        f: &mut impl FnMut(&'a Property, &[&'a str]),
    ) {
        for p in props {
            f(p, path);
            let mut ty = &p.ty;
            while let Type::List(inner) = ty {
                ty = &inner.ty;
            }
            if let Type::Object(children) = ty {
                path.push(&p.name.value);
                go(children, path, f);
                path.pop();
            }
        }
    }
    go(props, &mut Vec::new(), f);
}

#[cfg(test)]
mod tests {
    /// A plan may have hundreds of thousands of properties and a hundred thousand
    /// events: these sizes are what `validate` and `check` peak memory rests on.
    #[test]
    fn node_sizes_stay_small() {
        use std::mem::size_of;
        assert!(size_of::<super::Property>() <= 152);
        assert!(size_of::<super::Event>() <= 472);
        assert_eq!(size_of::<super::Flag>(), 4);
    }

    #[test]
    fn a_flag_gives_back_its_keyword_span() {
        use crate::source::{FileId, Span};
        let at = Span::new(FileId(3), 40, 48);
        assert_eq!(super::Flag::at(at).span(FileId(3)), Some(at));
        assert_eq!(super::Flag::NONE.span(FileId(3)), None);
        assert!(super::Flag::at(at).is_set() && !super::Flag::NONE.is_set());
    }
}
