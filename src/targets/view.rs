//! The tracking plan as data: serde view structs built from the IR.
//!
//! The `json` and `yaml` targets serialise [`TrackingPlan`]; its shape is published
//! as `schemas/tracking-plan.schema.json` (tests validate every output against it).
//! The IR derives no `Serialize`: this module alone decides the public format, so
//! an IR refactoring cannot change it by accident. Absent optional values are
//! left out; lists are always present. Order follows the plan's source order.

use super::Context;
use crate::ir::{
    Allow, Duration, Effective, Event, Kpi, Plan, Property, Ref, Traits, Type, Window,
};
use serde::Serialize;
use serde_json::Value;

/// The value of the `format` key, so consumers can recognise the file.
pub const FORMAT: &str = "eventsc/tracking-plan";
/// Bumped on any incompatible change of the shape.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Serialize)]
pub struct TrackingPlan {
    pub format: &'static str,
    pub format_version: u32,
    pub plan: PlanView,
    pub owners: Vec<OwnerView>,
    pub consents: Vec<ConsentView>,
    pub retentions: Vec<RetentionView>,
    pub sources: Vec<SourceView>,
    pub tools: Vec<ToolView>,
    pub enums: Vec<EnumView>,
    /// Reusable groups of properties; events list the ones they `use`, and carry
    /// copies of their properties.
    pub bundles: Vec<BundleView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub common: Option<TraitsView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identify: Option<TraitsView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<TraitsView>,
    pub events: Vec<EventView>,
    pub kpis: Vec<KpiView>,
}

#[derive(Serialize)]
pub struct PlanView {
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub use_case: Option<String>,
    pub version: String,
    pub sources: Vec<String>,
    pub tools: Vec<String>,
    pub constraints: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeline: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retention: Option<String>,
    pub naming: NamingView,
    pub pattern: &'static str,
    pub qa: QaView,
    pub escalation: Vec<String>,
    pub ripcord: Vec<String>,
    pub approvers: Vec<String>,
    pub rules: Vec<RuleView>,
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
pub struct RuleView {
    pub rule: String,
    pub level: &'static str,
}

#[derive(Serialize)]
pub struct OwnerView {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slack: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup: Option<String>,
}

#[derive(Serialize)]
pub struct ConsentView {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub basis: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The consent manager's category (defaults to the id).
    pub category: String,
}

#[derive(Serialize)]
pub struct RetentionView {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration_iso8601: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Serialize)]
pub struct SourceView {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Serialize)]
pub struct ToolView {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baa: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workspace: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Serialize)]
pub struct EnumView {
    pub name: String,
    pub values: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Serialize)]
pub struct BundleView {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub properties: Vec<PropertyView>,
    pub location: String,
}

#[derive(Serialize)]
pub struct TraitsView {
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consent: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retention: Option<String>,
    pub bundles: Vec<String>,
    pub properties: Vec<PropertyView>,
    pub location: String,
}

#[derive(Serialize)]
pub struct EventView {
    pub name: String,
    /// The file-name form used by the per-event targets.
    pub slug: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// The event's consent purpose.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consent: Option<String>,
    /// The event's retention policy, else the plan's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retention: Option<String>,
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
    pub replaced_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flag: Option<String>,
    pub tags: Vec<String>,
    pub bundles: Vec<String>,
    /// The KPIs that depend on this event.
    pub kpis: Vec<String>,
    pub exceptions: Vec<ExceptionView>,
    pub properties: Vec<PropertyView>,
    pub location: String,
}

/// An `allow("rule", reason "…")` exception.
#[derive(Serialize)]
pub struct ExceptionView {
    pub rule: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Serialize)]
pub struct KpiView {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    pub events: Vec<String>,
    pub dimensions: Vec<String>,
    pub consumers: Vec<String>,
    pub location: String,
}

#[derive(Serialize)]
pub struct PropertyView {
    pub name: String,
    /// The type as written in `.events`: `list(string)`, `Plan`, `enum("a", "b")`.
    #[serde(rename = "type")]
    pub type_expr: String,
    #[serde(flatten)]
    pub shape: TypeView,
    pub required: bool,
    pub nullable: bool,
    pub deprecated: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub constraints: ConstraintsView,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pii: Option<&'static str>,
    pub effective: EffectiveView,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub example: Option<Value>,
    /// The bundle it was copied from by `use`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bundle: Option<String>,
    pub exceptions: Vec<ExceptionView>,
    pub location: String,
}

/// The structure of a type; lists nest their item type in `items`.
#[derive(Serialize)]
pub struct TypeView {
    /// `string`, `integer`, `number`, `boolean`, `datetime`, `date`, `enum`, `list`, `object`.
    pub kind: &'static str,
    /// The JSON type a value is carried as.
    pub json_type: &'static str,
    /// `format` a JSON Schema would use for this kind (`date-time`, `date`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub json_format: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enum_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub items: Option<Box<TypeView>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub properties: Option<Vec<PropertyView>>,
}

/// The constraints as written. On a list, `min_length`/`max_length` bound the
/// number of items and the others apply to each item.
#[derive(Serialize, Default)]
pub struct ConstraintsView {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minimum: Option<serde_json::Number>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maximum: Option<serde_json::Number>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_length: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<&'static str>,
}

/// Owner, consent purpose and retention policy that apply to a property, all
/// things considered (its own, else its container's, else the plan's retention).
#[derive(Serialize)]
pub struct EffectiveView {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consent: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retention: Option<String>,
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
pub fn ref_id(plan: &Plan, kind: crate::ir::DeclKind, r: &Ref) -> String {
    r.target
        .and_then(|i| plan.decl_name(kind, i))
        .unwrap_or(&r.name)
        .to_string()
}

fn opt_ref(plan: &Plan, kind: crate::ir::DeclKind, r: &Option<Ref>) -> Option<String> {
    r.as_ref().map(|r| ref_id(plan, kind, r))
}

fn text(s: &Option<crate::source::Spanned<String>>) -> Option<String> {
    s.as_ref().map(|s| s.value.clone())
}

fn duration(d: &Duration) -> (String, String) {
    (d.to_string(), d.iso8601())
}

fn exceptions(allows: &[Allow]) -> Vec<ExceptionView> {
    allows
        .iter()
        .map(|a| ExceptionView {
            rule: a.rule.value.clone(),
            reason: text(&a.reason),
        })
        .collect()
}

/// The effective retention of an event or traits block: its own, else the plan's.
pub fn container_retention<'p>(plan: &'p Plan, own: &Option<Ref>) -> Option<&'p str> {
    let r = own.as_ref().or(plan.meta.retention.as_ref())?;
    r.target.map(|i| plan.retentions[i].id.value.as_str())
}

impl TrackingPlan {
    pub fn new(cx: &Context) -> TrackingPlan {
        use crate::ir::DeclKind as K;
        let plan = cx.plan;
        let m = &plan.meta;
        let ids = |refs: &[Ref], kind| refs.iter().map(|r| ref_id(plan, kind, r)).collect();
        let slugs = super::event_slugs(plan);
        TrackingPlan {
            format: FORMAT,
            format_version: FORMAT_VERSION,
            plan: PlanView {
                title: m.title.value.clone(),
                description: text(&m.description),
                use_case: text(&m.use_case),
                version: m.version.value.to_string(),
                sources: ids(&m.sources, K::Source),
                tools: m.tools.iter().map(|t| t.value.clone()).collect(),
                constraints: m.constraints.iter().map(|c| c.value.as_str()).collect(),
                timeline: m.timeline.as_ref().map(|d| d.value.to_string()),
                owner: opt_ref(plan, K::Owner, &m.owner),
                retention: opt_ref(plan, K::Retention, &m.retention),
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
                        rule: r.rule.value.clone(),
                        level: r.level.value.as_str(),
                    })
                    .collect(),
                location: cx.sources.location(m.span),
            },
            owners: plan
                .owners
                .iter()
                .map(|o| OwnerView {
                    id: o.id.value.clone(),
                    name: text(&o.name),
                    email: text(&o.email),
                    slack: text(&o.slack),
                    description: text(&o.description),
                    backup: opt_ref(plan, K::Owner, &o.backup),
                })
                .collect(),
            consents: plan
                .consents
                .iter()
                .map(|c| ConsentView {
                    id: c.id.value.clone(),
                    basis: c.basis.as_ref().map(|b| b.value.as_str()),
                    description: text(&c.description),
                    category: c.category().to_string(),
                })
                .collect(),
            retentions: plan
                .retentions
                .iter()
                .map(|r| {
                    let d = r.duration.as_ref().map(|d| duration(&d.value));
                    RetentionView {
                        id: r.id.value.clone(),
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
                    id: s.id.value.clone(),
                    kind: s.kind.as_ref().map(|k| k.value.as_str()),
                    description: text(&s.description),
                })
                .collect(),
            tools: plan
                .tools
                .iter()
                .map(|t| ToolView {
                    id: t.id.value.clone(),
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
                    name: e.name.value.clone(),
                    values: e.values.iter().map(|v| v.value.clone()).collect(),
                    description: text(&e.description),
                })
                .collect(),
            bundles: plan
                .bundles
                .iter()
                .map(|b| BundleView {
                    name: b.name.value.clone(),
                    description: text(&b.description),
                    properties: properties(cx, &b.properties),
                    location: cx.sources.location(b.span),
                })
                .collect(),
            common: plan.common.as_ref().map(|t| traits(cx, t)),
            identify: plan.identify.as_ref().map(|t| traits(cx, t)),
            group: plan.group.as_ref().map(|t| traits(cx, t)),
            events: plan
                .events
                .iter()
                .enumerate()
                .map(|(i, e)| event(cx, i, e, &slugs[i]))
                .collect(),
            kpis: Self::kpis(cx),
        }
    }

    /// The KPIs of the plan.
    pub fn kpis(cx: &Context) -> Vec<KpiView> {
        cx.plan.kpis.iter().map(|k| kpi(cx, k)).collect()
    }
}

fn traits(cx: &Context, t: &Traits) -> TraitsView {
    use crate::ir::DeclKind as K;
    let plan = cx.plan;
    TraitsView {
        kind: t.kind.keyword(),
        description: text(&t.description),
        owner: opt_ref(plan, K::Owner, &t.owner),
        consent: opt_ref(plan, K::Consent, &t.consent),
        retention: container_retention(plan, &t.retention).map(str::to_string),
        bundles: t.uses.iter().map(|r| ref_id(plan, K::Bundle, r)).collect(),
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

fn event(cx: &Context, index: usize, e: &Event, slug: &str) -> EventView {
    use crate::ir::DeclKind as K;
    let plan = cx.plan;
    EventView {
        name: e.name.value.clone(),
        slug: slug.to_string(),
        description: text(&e.description),
        status: e.status.value.as_str(),
        source: opt_ref(plan, K::Source, &e.source),
        owner: opt_ref(plan, K::Owner, &e.owner),
        consent: opt_ref(plan, K::Consent, &e.consent),
        retention: container_retention(plan, &e.retention).map(str::to_string),
        identity: e.identity().as_str(),
        sampling: number(e.sampling()),
        since: e.since.as_ref().map(|v| v.value.to_string()),
        release: e.release.as_ref().map(|d| d.value.to_string()),
        sunset: e.sunset.as_ref().map(|d| d.value.to_string()),
        replaced_by: opt_ref(plan, K::Event, &e.replaced_by),
        flag: text(&e.flag),
        tags: e.tags.iter().map(|t| t.value.clone()).collect(),
        bundles: e.uses.iter().map(|r| ref_id(plan, K::Bundle, r)).collect(),
        kpis: kpis_of(plan, index)
            .into_iter()
            .map(str::to_string)
            .collect(),
        exceptions: exceptions(&e.allows),
        properties: properties(cx, &e.properties),
        location: cx.sources.location(e.span),
    }
}

fn kpi(cx: &Context, k: &Kpi) -> KpiView {
    use crate::ir::DeclKind as K;
    let plan = cx.plan;
    KpiView {
        name: k.name.value.clone(),
        description: text(&k.description),
        owner: opt_ref(plan, K::Owner, &k.owner),
        events: k.events.iter().map(|r| ref_id(plan, K::Event, r)).collect(),
        dimensions: k.dimensions.iter().map(|d| d.value.clone()).collect(),
        consumers: k.consumers.iter().map(|c| c.value.clone()).collect(),
        location: cx.sources.location(k.span),
    }
}

pub fn properties(cx: &Context, props: &[Property]) -> Vec<PropertyView> {
    props.iter().map(|p| property(cx, p)).collect()
}

fn effective(plan: &Plan, e: &Effective) -> EffectiveView {
    EffectiveView {
        owner: e.owner.map(|i| plan.owners[i].id.value.clone()),
        consent: e.consent.map(|i| plan.consents[i].id.value.clone()),
        retention: e.retention.map(|i| plan.retentions[i].id.value.clone()),
    }
}

fn property(cx: &Context, p: &Property) -> PropertyView {
    let plan = cx.plan;
    PropertyView {
        name: p.name.value.clone(),
        type_expr: p.ty.display(),
        shape: type_view(cx, &p.ty),
        required: p.is_required(),
        nullable: p.is_nullable(),
        deprecated: p.deprecated.is_some(),
        description: text(&p.description),
        constraints: ConstraintsView {
            minimum: p.min.as_ref().map(|n| n.value.json.clone()),
            maximum: p.max.as_ref().map(|n| n.value.json.clone()),
            min_length: p.min_length.as_ref().map(|n| n.value),
            max_length: p.max_length.as_ref().map(|n| n.value),
            pattern: text(&p.pattern),
            format: p.format.as_ref().map(|f| f.value.as_str()),
        },
        pii: p.pii.as_ref().map(|c| c.value.as_str()),
        effective: effective(plan, &p.effective),
        example: p.example.as_ref().map(|e| e.value.clone()),
        bundle: match &p.origin {
            crate::ir::Origin::Bundle { bundle, .. } => {
                plan.bundles.get(*bundle).map(|b| b.name.value.clone())
            }
            crate::ir::Origin::Own => None,
        },
        exceptions: exceptions(&p.allows),
        location: cx.sources.location(p.span),
    }
}

/// The `kind` name of a type.
pub fn kind_name(t: &Type) -> &'static str {
    match t {
        Type::String => "string",
        Type::Integer => "integer",
        Type::Number => "number",
        Type::Boolean => "boolean",
        Type::Datetime => "datetime",
        Type::Date => "date",
        Type::Enum(_) => "enum",
        Type::List(_) => "list",
        Type::Object(_) => "object",
    }
}

fn type_view(cx: &Context, t: &Type) -> TypeView {
    TypeView {
        kind: kind_name(t),
        json_type: t.json_type(),
        json_format: match t {
            Type::Datetime => Some("date-time"),
            Type::Date => Some("date"),
            _ => None,
        },
        enum_name: match t {
            Type::Enum(e) => e.named.as_ref().map(|r| r.name.clone()),
            _ => None,
        },
        values: match t {
            Type::Enum(e) => Some(e.values.clone()),
            _ => None,
        },
        items: match t {
            Type::List(inner) => Some(Box::new(type_view(cx, inner))),
            _ => None,
        },
        properties: match t {
            Type::Object(props) => Some(properties(cx, props)),
            _ => None,
        },
    }
}
