//! The tracking plan as data: serde view structs built from the IR.
//!
//! The `json` and `yaml` targets serialise [`TrackingPlan`]; its shape is published
//! as `schemas/tracking-plan.schema.json` (tests validate every output against it).
//! The IR derives no `Serialize`: this module alone decides the public format, so
//! an IR refactoring cannot change it by accident. Absent optional values are
//! left out; lists are always present, except on properties, where false flags
//! and empty constraints and exceptions are left out too (a plan holds many
//! properties). Order follows the plan's source order.

use crate::ir::{
    Allow, Duration, Effective, Event, Kpi, Literal, Plan, Property, Ref, Traits, Type, Window,
};
use crate::targets::Context;
use serde::Serialize;
use serde_json::Value;

/// The value of the `format` key, so consumers can recognise the file.
pub const FORMAT: &str = "eventsc/tracking-plan";
/// Bumped on any incompatible change of the shape.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Serialize)]
pub struct TrackingPlan<'a> {
    pub format: &'static str,
    pub format_version: u32,
    pub plan: PlanView<'a>,
    pub owners: Vec<OwnerView<'a>>,
    pub consents: Vec<ConsentView<'a>>,
    pub retentions: Vec<RetentionView<'a>>,
    pub sources: Vec<SourceView<'a>>,
    pub tools: Vec<ToolView<'a>>,
    pub enums: Vec<EnumView<'a>>,
    /// Reusable groups of properties; events list the ones they `use`, and carry
    /// copies of their properties.
    pub bundles: Vec<BundleView<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub common: Option<TraitsView<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identify: Option<TraitsView<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<TraitsView<'a>>,
    /// `envelope { }`: the payload's own top-level fields, on every call.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub envelope: Option<TraitsView<'a>>,
    /// The page and screen rules, in source order; left out when none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub views: Vec<TraitsView<'a>>,
    pub events: Events<'a>,
    pub kpis: Vec<KpiView<'a>>,
}

#[derive(Serialize)]
pub struct PlanView<'a> {
    pub title: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub use_case: Option<&'a str>,
    pub version: String,
    pub sources: Vec<&'a str>,
    pub tools: Vec<&'a str>,
    pub constraints: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeline: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retention: Option<&'a str>,
    pub naming: NamingView,
    pub pattern: &'static str,
    pub qa: QaView,
    pub escalation: Vec<&'a str>,
    pub ripcord: Vec<&'a str>,
    pub approvers: Vec<&'a str>,
    pub rules: Vec<RuleView<'a>>,
    pub location: String,
}

#[derive(Serialize)]
pub struct NamingView {
    pub events: &'static str,
    pub properties: &'static str,
}

#[derive(Serialize)]
pub struct QaView {
    /// Percent, 0–100.
    pub coverage: Value,
    pub defect_ceiling: u32,
    pub retry_limit: u32,
    pub escalate_after: WindowView,
}

/// `escalate_after COUNT in WITHIN`.
#[derive(Serialize)]
pub struct WindowView {
    pub count: u32,
    /// As written: `48 hours`.
    pub within: String,
    /// ISO 8601: `PT48H`.
    pub within_iso8601: String,
    /// The whole guardrail as written in the plan: `escalate_after 2 in 48 hours`.
    pub expression: String,
}

impl WindowView {
    pub fn new(w: Window) -> WindowView {
        WindowView {
            count: w.count,
            within: w.within.to_string(),
            within_iso8601: w.within.iso8601(),
            expression: window_expression(w),
        }
    }
}

/// `escalate_after 2 in 48 hours`.
pub fn window_expression(w: Window) -> String {
    format!("escalate_after {} in {}", w.count, w.within)
}

#[derive(Serialize)]
pub struct RuleView<'a> {
    pub rule: &'a str,
    pub level: &'static str,
}

#[derive(Serialize)]
pub struct OwnerView<'a> {
    pub id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slack: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup: Option<&'a str>,
}

#[derive(Serialize)]
pub struct ConsentView<'a> {
    pub id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub basis: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<&'a str>,
    /// The consent manager's category (defaults to the id).
    pub category: &'a str,
}

#[derive(Serialize)]
pub struct RetentionView<'a> {
    pub id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration_iso8601: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<&'a str>,
}

#[derive(Serialize)]
pub struct SourceView<'a> {
    pub id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<&'a str>,
}

#[derive(Serialize)]
pub struct ToolView<'a> {
    pub id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baa: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workspace: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<&'a str>,
}

#[derive(Serialize)]
pub struct EnumView<'a> {
    pub name: &'a str,
    pub values: Vec<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<&'a str>,
}

#[derive(Serialize)]
pub struct BundleView<'a> {
    pub name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<&'a str>,
    pub properties: Vec<PropertyView<'a>>,
    pub location: String,
}

#[derive(Serialize)]
pub struct TraitsView<'a> {
    pub kind: &'static str,
    /// A named page or screen rule's name (`page "Pricing"`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<&'a str>,
    /// A page or screen rule's file stem (`samples/<slug>.json`,
    /// `schemas/<slug>.json`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consent: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retention: Option<&'a str>,
    pub bundles: Vec<&'a str>,
    /// The envelope's `require_one_of`; left out when empty.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub require_one_of: Vec<&'a str>,
    /// `closed`: no properties (traits) besides those listed; left out when not.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub closed: bool,
    pub properties: Vec<PropertyView<'a>>,
    pub location: String,
}

#[derive(Serialize)]
pub struct EventView<'a> {
    pub name: &'a str,
    /// The file-name form used by the per-event targets.
    pub slug: String,
    /// Segment's event version; left out for an event declared once without
    /// `version`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<u32>,
    /// An older version of a versioned event (another declaration of its name
    /// has a higher version); left out when not.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub superseded: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<&'a str>,
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<&'a str>,
    /// The event's consent purpose.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consent: Option<&'a str>,
    /// The event's retention policy, else the plan's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retention: Option<&'a str>,
    pub identity: &'static str,
    /// Percent, 0–100.
    pub sampling: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub release: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sunset: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replaced_by: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flag: Option<&'a str>,
    pub tags: Vec<&'a str>,
    /// Segment's labels (`key:value`); left out when none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<&'a str>,
    /// `closed`: no properties besides those listed; left out when not.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub closed: bool,
    pub bundles: Vec<&'a str>,
    /// The KPIs that depend on this event.
    pub kpis: Vec<&'a str>,
    pub exceptions: Vec<ExceptionView<'a>>,
    pub properties: Vec<PropertyView<'a>>,
    pub location: String,
}

/// The plan's events, serialized one at a time: each event's view is built
/// when it is written and dropped after, so a plan of 10,000 events never holds
/// all their views at once.
pub struct Events<'a> {
    cx: Context<'a>,
    slugs: Vec<String>,
}

impl Serialize for Events<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let events = &self.cx.plan.events;
        let mut seq = s.serialize_seq(Some(events.len()))?;
        for (i, (e, slug)) in events.iter().zip(&self.slugs).enumerate() {
            seq.serialize_element(&event(&self.cx, i, e, slug))?;
        }
        seq.end()
    }
}

/// An `allow("rule", reason "…")` exception.
#[derive(Serialize)]
pub struct ExceptionView<'a> {
    pub rule: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'a str>,
}

#[derive(Serialize)]
pub struct KpiView<'a> {
    pub name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<&'a str>,
    pub events: Vec<&'a str>,
    pub dimensions: Vec<&'a str>,
    pub consumers: Vec<&'a str>,
    pub location: String,
}

#[derive(Serialize)]
pub struct PropertyView<'a> {
    pub name: &'a str,
    /// The type as written in `.events`: `list(string)`, `Plan`, `enum("a", "b")`.
    #[serde(rename = "type")]
    pub type_expr: String,
    #[serde(flatten)]
    pub shape: TypeView<'a>,
    pub required: bool,
    /// Left out when false.
    #[serde(skip_serializing_if = "is_false")]
    pub nullable: bool,
    /// Left out when false.
    #[serde(skip_serializing_if = "is_false")]
    pub deprecated: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<&'a str>,
    /// Left out when there are none.
    #[serde(skip_serializing_if = "ConstraintsView::is_empty")]
    pub constraints: ConstraintsView<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pii: Option<&'static str>,
    pub effective: EffectiveView<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub example: Option<&'a Value>,
    /// The bundle it was copied from by `use`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bundle: Option<&'a str>,
    /// Left out when there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub exceptions: Vec<ExceptionView<'a>>,
    pub location: String,
}

/// The structure of a type; lists nest their item type in `items`.
#[derive(Serialize)]
pub struct TypeView<'a> {
    /// `string`, `integer`, `number`, `boolean`, `datetime`, `date`, `enum`, `list`, `object`.
    pub kind: &'static str,
    /// The JSON type a value is carried as.
    pub json_type: &'static str,
    /// `format` a JSON Schema would use for this kind (`date-time`, `date`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub json_format: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enum_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub items: Option<Box<TypeView<'a>>>,
    /// The members of a union.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub members: Option<Vec<TypeView<'a>>>,
    /// On a list's items: `null` is allowed; left out when not.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub item_nullable: bool,
    /// On a list's items: the constraints written inside `list( … )`.
    #[serde(skip_serializing_if = "ConstraintsView::is_empty")]
    pub item_constraints: ConstraintsView<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub properties: Option<Vec<PropertyView<'a>>>,
}

/// The constraints as written. On a list, `min_length`/`max_length` bound the
/// number of items.
#[derive(Serialize, Default)]
pub struct ConstraintsView<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minimum: Option<serde_json::Number>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maximum: Option<serde_json::Number>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_length: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pattern: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multiple_of: Option<serde_json::Number>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_pattern: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_enum: Option<Vec<Value>>,
    /// An object that admits no other keys.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub closed: bool,
}

impl<'a> ConstraintsView<'a> {
    /// The constraints of a property (or of a list's items) as written.
    pub fn of(p: &'a Property) -> Self {
        let m = p.modifiers();
        ConstraintsView {
            minimum: m.min.as_ref().map(|n| n.value.json.clone()),
            maximum: m.max.as_ref().map(|n| n.value.json.clone()),
            min_length: m.min_length.as_ref().map(|n| n.value),
            max_length: m.max_length.as_ref().map(|n| n.value),
            pattern: m.pattern.as_ref().map(|s| s.value.as_str()),
            format: m.format.as_ref().map(|f| f.value.as_str()),
            multiple_of: m.multiple_of.as_ref().map(|n| n.value.json.clone()),
            not_pattern: m.not_pattern.as_ref().map(|s| s.value.as_str()),
            not_enum: m
                .not_enum
                .as_ref()
                .map(|v| v.value.iter().map(Literal::to_json).collect()),
            closed: m.closed.is_some(),
        }
    }
}

impl ConstraintsView<'_> {
    pub fn is_empty(&self) -> bool {
        self.multiple_of.is_none()
            && self.not_pattern.is_none()
            && self.not_enum.is_none()
            && !self.closed
            && self.minimum.is_none()
            && self.maximum.is_none()
            && self.min_length.is_none()
            && self.max_length.is_none()
            && self.pattern.is_none()
            && self.format.is_none()
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// Owner, consent purpose and retention policy that apply to a property, all
/// things considered (its own, else its container's, else the plan's retention).
#[derive(Serialize)]
pub struct EffectiveView<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consent: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retention: Option<&'a str>,
}

/// A percentage or other measure as JSON: `95`, `12.5`.
pub fn number(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        Value::from(x as i64)
    } else {
        serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
    }
}

/// The id a resolved reference points at (its name as written, when unresolved).
pub fn ref_id<'a>(plan: &'a Plan, kind: crate::ir::DeclKind, r: &'a Ref) -> &'a str {
    r.target
        .and_then(|i| plan.decl_name(kind, i))
        .unwrap_or(&r.name)
}

fn opt_ref<'a>(plan: &'a Plan, kind: crate::ir::DeclKind, r: Option<&'a Ref>) -> Option<&'a str> {
    r.map(|r| ref_id(plan, kind, r))
}

fn text<S: std::ops::Deref<Target = str>>(s: &Option<crate::source::Spanned<S>>) -> Option<&str> {
    s.as_ref().map(|s| &*s.value)
}

fn duration(d: &Duration) -> (String, String) {
    (d.to_string(), d.iso8601())
}

fn exceptions(allows: &[Allow]) -> Vec<ExceptionView<'_>> {
    allows
        .iter()
        .map(|a| ExceptionView {
            rule: &a.rule.value,
            reason: text(&a.reason),
        })
        .collect()
}

/// The effective retention of an event or traits block (an index into the
/// plan's retentions): its own, else the plan's.
pub fn container_retention_index(plan: &Plan, own: Option<&Ref>) -> Option<usize> {
    own.or(plan.meta.retention.as_ref())?.target
}

/// The id of [`container_retention_index`].
fn container_retention<'p>(plan: &'p Plan, own: Option<&Ref>) -> Option<&'p str> {
    container_retention_index(plan, own).map(|i| plan.retentions[i].id.value.as_str())
}

impl<'a> TrackingPlan<'a> {
    pub fn new(cx: &Context<'a>) -> TrackingPlan<'a> {
        use crate::ir::DeclKind as K;
        let plan = cx.plan;
        let m = &plan.meta;
        let ids = |refs: &'a [Ref], kind| refs.iter().map(|r| ref_id(plan, kind, r)).collect();
        let slugs = crate::targets::event_slugs(plan);
        TrackingPlan {
            format: FORMAT,
            format_version: FORMAT_VERSION,
            plan: PlanView {
                title: m.title.value.as_str(),
                description: text(&m.description),
                use_case: text(&m.use_case),
                version: m.version.value.to_string(),
                sources: ids(&m.sources, K::Source),
                tools: m.tools.iter().map(|t| t.value.as_str()).collect(),
                constraints: m.constraints.iter().map(|c| c.value.as_str()).collect(),
                timeline: m.timeline.as_ref().map(|d| d.value.to_string()),
                owner: opt_ref(plan, K::Owner, m.owner.as_ref()),
                retention: opt_ref(plan, K::Retention, m.retention.as_ref()),
                naming: NamingView {
                    events: m.naming.events.as_str(),
                    properties: m.naming.properties.as_str(),
                },
                pattern: m.pattern.value.as_str(),
                qa: QaView {
                    coverage: number(m.qa.coverage),
                    defect_ceiling: m.qa.defect_ceiling,
                    retry_limit: m.qa.retry_limit,
                    escalate_after: WindowView::new(m.qa.escalate_after),
                },
                escalation: ids(&m.escalation, K::Owner),
                ripcord: ids(&m.ripcord, K::Owner),
                approvers: ids(&m.approvers, K::Owner),
                rules: m
                    .rules
                    .iter()
                    .map(|r| RuleView {
                        rule: r.rule.value.as_str(),
                        level: r.level.value.as_str(),
                    })
                    .collect(),
                location: cx.sources.location(m.span),
            },
            owners: plan
                .owners
                .iter()
                .map(|o| OwnerView {
                    id: o.id.value.as_str(),
                    name: text(&o.name),
                    email: text(&o.email),
                    slack: text(&o.slack),
                    description: text(&o.description),
                    backup: opt_ref(plan, K::Owner, o.backup.as_ref()),
                })
                .collect(),
            consents: plan
                .consents
                .iter()
                .map(|c| ConsentView {
                    id: c.id.value.as_str(),
                    basis: c.basis.as_ref().map(|b| b.value.as_str()),
                    description: text(&c.description),
                    category: c.category(),
                })
                .collect(),
            retentions: plan
                .retentions
                .iter()
                .map(|r| {
                    let d = r.duration.as_ref().map(|d| duration(&d.value));
                    RetentionView {
                        id: r.id.value.as_str(),
                        duration: d.as_ref().map(|d| d.0.clone()),
                        duration_iso8601: d.map(|d| d.1),
                        action: r.action.as_ref().map(|a| a.value.as_str()),
                        description: text(&r.description),
                    }
                })
                .collect(),
            sources: plan
                .sources
                .iter()
                .map(|s| SourceView {
                    id: s.id.value.as_str(),
                    kind: s.kind.as_ref().map(|k| k.value.as_str()),
                    database: text(&s.database),
                    schema: text(&s.schema),
                    description: text(&s.description),
                })
                .collect(),
            tools: plan
                .tools
                .iter()
                .map(|t| ToolView {
                    id: t.id.value.as_str(),
                    baa: t.baa.as_ref().map(|b| b.value),
                    workspace: text(&t.workspace),
                    database: text(&t.database),
                    schema: text(&t.schema),
                    description: text(&t.description),
                })
                .collect(),
            enums: plan
                .enums
                .iter()
                .map(|e| EnumView {
                    name: e.name.value.as_str(),
                    values: e.values.iter().map(|v| v.value.to_json()).collect(),
                    description: text(&e.description),
                })
                .collect(),
            bundles: plan
                .bundles
                .iter()
                .map(|b| BundleView {
                    name: b.name.value.as_str(),
                    description: text(&b.description),
                    properties: properties(cx, &b.properties),
                    location: cx.sources.location(b.span),
                })
                .collect(),
            common: plan.common.as_ref().map(|t| traits(cx, t)),
            identify: plan.identify.as_ref().map(|t| traits(cx, t)),
            group: plan.group.as_ref().map(|t| traits(cx, t)),
            envelope: plan.envelope.as_ref().map(|t| traits(cx, t)),
            views: plan
                .views
                .iter()
                .zip(crate::targets::view_stems(plan))
                .map(|(t, stem)| TraitsView {
                    slug: Some(stem),
                    ..traits(cx, t)
                })
                .collect(),
            events: Events { cx: *cx, slugs },
            kpis: Self::kpis(cx),
        }
    }

    /// The KPIs of the plan.
    pub fn kpis(cx: &Context<'a>) -> Vec<KpiView<'a>> {
        cx.plan.kpis.iter().map(|k| kpi(cx, k)).collect()
    }
}

fn traits<'a>(cx: &Context<'a>, t: &'a Traits) -> TraitsView<'a> {
    use crate::ir::DeclKind as K;
    let plan = cx.plan;
    TraitsView {
        kind: t.kind.keyword(),
        name: t.name.as_ref().map(|n| n.value.as_str()),
        slug: None,
        description: text(&t.description),
        owner: opt_ref(plan, K::Owner, t.owner.as_ref()),
        consent: opt_ref(plan, K::Consent, t.consent.as_ref()),
        retention: container_retention(plan, t.retention.as_ref()),
        bundles: t.uses.iter().map(|r| ref_id(plan, K::Bundle, r)).collect(),
        require_one_of: t.require_one_of.iter().map(|n| n.value.as_str()).collect(),
        closed: t.closed.is_some(),
        properties: properties(cx, &t.properties),
        location: cx.sources.location(t.span),
    }
}

/// The names of the KPIs that depend on an event.
pub fn kpis_of(plan: &Plan, event: usize) -> Vec<&str> {
    plan.kpis
        .iter()
        .filter(|k| k.events.iter().any(|r| r.target == Some(event)))
        .map(|k| k.name.value.as_str())
        .collect()
}

fn event<'a>(cx: &Context<'a>, index: usize, e: &'a Event, slug: &str) -> EventView<'a> {
    use crate::ir::DeclKind as K;
    let plan = cx.plan;
    EventView {
        name: e.name.value.as_str(),
        slug: slug.to_string(),
        version: e.is_versioned().then(|| e.version()),
        superseded: !e.is_current(),
        description: text(&e.description),
        status: e.status.value.as_str(),
        source: opt_ref(plan, K::Source, e.source.as_ref()),
        owner: opt_ref(plan, K::Owner, e.owner.as_ref()),
        consent: opt_ref(plan, K::Consent, e.consent.as_ref()),
        retention: container_retention(plan, e.retention.as_deref()),
        identity: e.identity().as_str(),
        sampling: number(e.sampling()),
        since: e.since.as_ref().map(|v| v.value.to_string()),
        release: e.release.as_ref().map(|d| d.value.to_string()),
        sunset: e.sunset.as_ref().map(|d| d.value.to_string()),
        replaced_by: opt_ref(plan, K::Event, e.replaced_by.as_deref()),
        flag: e.flag().map(|f| f.value.as_str()),
        tags: e.tags.iter().map(|t| t.value.as_str()).collect(),
        labels: e.labels().iter().map(|l| l.value.as_str()).collect(),
        closed: e.closed().is_some(),
        bundles: e.uses.iter().map(|r| ref_id(plan, K::Bundle, r)).collect(),
        kpis: kpis_of(plan, index).into_iter().collect(),
        exceptions: exceptions(&e.allows),
        properties: properties(cx, &e.properties),
        location: cx.sources.location(e.span),
    }
}

fn kpi<'a>(cx: &Context<'a>, k: &'a Kpi) -> KpiView<'a> {
    use crate::ir::DeclKind as K;
    let plan = cx.plan;
    KpiView {
        name: k.name.value.as_str(),
        description: text(&k.description),
        owner: opt_ref(plan, K::Owner, k.owner.as_ref()),
        events: k.events.iter().map(|r| ref_id(plan, K::Event, r)).collect(),
        dimensions: k.dimensions.iter().map(|d| d.value.as_str()).collect(),
        consumers: k.consumers.iter().map(|c| c.value.as_str()).collect(),
        location: cx.sources.location(k.span),
    }
}

pub fn properties<'a>(cx: &Context<'a>, props: &'a [Property]) -> Vec<PropertyView<'a>> {
    props.iter().map(|p| property(cx, p)).collect()
}

fn effective<'a>(plan: &'a Plan, e: &Effective) -> EffectiveView<'a> {
    EffectiveView {
        owner: e.owner().map(|i| plan.owners[i].id.value.as_str()),
        consent: e.consent().map(|i| plan.consents[i].id.value.as_str()),
        retention: e.retention().map(|i| plan.retentions[i].id.value.as_str()),
    }
}

fn property<'a>(cx: &Context<'a>, p: &'a Property) -> PropertyView<'a> {
    let plan = cx.plan;
    let m = p.modifiers();
    PropertyView {
        name: &p.name.value,
        type_expr: p.ty.display(),
        shape: type_view(cx, &p.ty),
        required: p.is_required(),
        nullable: p.is_nullable(),
        deprecated: m.deprecated.is_some(),
        description: text(&p.description),
        constraints: ConstraintsView::of(p),
        pii: m.pii.as_ref().map(|c| c.value.as_str()),
        effective: effective(plan, &p.effective),
        example: m.example.as_ref().map(|e| &e.value),
        bundle: match &p.origin {
            crate::ir::Origin::Bundle(u) => {
                plan.bundles.get(u.bundle).map(|b| b.name.value.as_str())
            }
            crate::ir::Origin::Own => None,
        },
        exceptions: exceptions(&m.allows),
        location: cx.sources.location(p.span),
    }
}

/// The `kind` name of a type.
pub fn kind_name(t: &Type) -> &'static str {
    match t {
        Type::Any => "any",
        Type::String => "string",
        Type::Integer => "integer",
        Type::Number => "number",
        Type::Boolean => "boolean",
        Type::Datetime => "datetime",
        Type::Date => "date",
        Type::Enum(_) => "enum",
        Type::List(_) => "list",
        Type::Object(_) => "object",
        Type::Union(_) => "union",
    }
}

fn type_view<'a>(cx: &Context<'a>, t: &'a Type) -> TypeView<'a> {
    TypeView {
        kind: kind_name(t),
        json_type: match t.json_types()[..] {
            [] => "any",
            [one] => one,
            _ => "mixed",
        },
        json_format: match t {
            Type::Datetime => Some("date-time"),
            Type::Date => Some("date"),
            _ => None,
        },
        enum_name: match t {
            Type::Enum(e) => e.named.as_ref().map(|r| r.name.as_str()),
            _ => None,
        },
        values: match t {
            Type::Enum(e) => Some(e.values.iter().map(Literal::to_json).collect()),
            _ => None,
        },
        items: match t {
            Type::List(inner) => {
                let mut items = type_view(cx, &inner.ty);
                items.item_nullable = inner.is_nullable();
                items.item_constraints = ConstraintsView::of(inner);
                Some(Box::new(items))
            }
            _ => None,
        },
        members: match t {
            Type::Union(members) => Some(members.iter().map(|m| type_view(cx, m)).collect()),
            _ => None,
        },
        item_nullable: false,
        item_constraints: ConstraintsView::default(),
        properties: match t {
            Type::Object(props) => Some(properties(cx, props)),
            _ => None,
        },
    }
}
