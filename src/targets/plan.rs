//! `plan`: `plan.json`, the audit trail of the request the tracking plan answers.
//!
//! It records the objective (use case, KPIs), the data sources with their kinds,
//! tools, constraints, timeline and version; the work as a DAG of tasks with
//! stable ids, owners (and their backups as fallbacks), dependencies, and the
//! artifacts each task consumes and produces, with the context they carry
//! (schemas, samples, privacy notes); the error handling (retry limit, escalation
//! ladder in order, rip-cord trigger and recipients, fallbacks); success metrics
//! (coverage target, defect ceiling, events by status, governance findings from
//! `check`); the approvers; and a SHA-256 of the sources.
//!
//! The task graph follows the plan's `pattern`:
//!
//! - `pipeline`: requirements → one event-catalog task per source (in parallel)
//!   → `catalog-merge` gate → governance → qa → change-management;
//! - `diamond`: the same up to `catalog-merge`, then governance and qa in
//!   parallel, meeting at the `review-merge` gate before change-management.
//!
//! Task and artifact ids are stable: fixed words, and `catalog.<source id>` per
//! source (`catalog-unsourced` for events without one; source ids cannot hold
//! `-`, so no id clashes). The shape is published as `schemas/plan.schema.json`.

use super::encode::tracking_plan::{KpiView, WindowView, number, ref_id};
use super::{Artifact, Context, Target};
use crate::ir::{DeclKind, Pattern, Plan, Property, Ref, Status};
use serde::Serialize;
use sha2::{Digest, Sha256};

pub(crate) struct PlanTarget;

pub(crate) const PATH: &str = "plan.json";
pub(crate) const FORMAT: &str = "eventsc/plan";
pub(crate) const FORMAT_VERSION: u32 = 1;

impl Target for PlanTarget {
    fn name(&self) -> &'static str {
        "plan"
    }

    fn description(&self) -> &'static str {
        "plan.json: the audit trail (objective, sources, tasks as a DAG with owners and artifacts, error handling, success metrics, approvers, sources hash)"
    }

    fn generate(&self, cx: &Context) -> Vec<Artifact> {
        vec![Artifact::text(
            PATH,
            super::to_json_sized(&PlanJson::new(cx), super::size_hint(cx.sources, 2)),
        )]
    }
}

#[derive(Serialize)]
pub(crate) struct PlanJson<'a> {
    pub format: &'static str,
    pub format_version: u32,
    pub title: String,
    pub version: String,
    pub pattern: &'static str,
    pub objective: Objective<'a>,
    pub sources: Vec<SourceEntry>,
    pub tools: Vec<String>,
    pub constraints: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeline: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    pub owners: Vec<OwnerEntry>,
    pub tasks: Vec<Task>,
    pub artifacts: Vec<ArtifactEntry>,
    pub error_handling: ErrorHandling,
    pub success_metrics: SuccessMetrics,
    pub approvers: Vec<String>,
    pub sources_hash: SourcesHash,
}

#[derive(Serialize)]
pub(crate) struct Objective<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub use_case: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub kpis: Vec<KpiView<'a>>,
}

#[derive(Serialize)]
pub(crate) struct SourceEntry {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Listed in the plan's `sources`.
    pub in_plan: bool,
    pub events: usize,
}

#[derive(Serialize)]
pub(crate) struct OwnerEntry {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slack: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup: Option<String>,
}

#[derive(Serialize)]
pub(crate) struct Task {
    pub id: String,
    /// `requirements`, `catalog`, `merge_gate`, `governance`, `qa`, `change_management`.
    pub stage: &'static str,
    pub name: String,
    pub description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Who steps in when the owner is unavailable: the owner's backup.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fallback: Option<String>,
    pub contributors: Vec<String>,
    pub depends_on: Vec<String>,
    /// Artifact ids this task consumes.
    pub inputs: Vec<String>,
    /// Artifact ids this task produces.
    pub outputs: Vec<String>,
    /// What a gate checks before letting the work through.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gate: Option<String>,
}

#[derive(Serialize)]
pub(crate) struct ArtifactEntry {
    pub id: String,
    pub description: String,
    /// The task producing it; absent for the request itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub produced_by: Option<String>,
    pub consumed_by: Vec<String>,
    /// The `eventsc build` targets that write it.
    pub targets: Vec<&'static str>,
    /// Files it consists of (relative to the build directory, or the sources).
    pub files: Vec<String>,
    pub context: ArtifactContext,
}

/// What an artifact hands to the next task.
#[derive(Serialize, Default)]
pub(crate) struct ArtifactContext {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<String>,
    /// JSON Schema files of the payloads (the `jsonschema` target).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub schemas: Vec<String>,
    /// Sample payload files (the `samples` target).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub samples: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub kpis: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub constraints: Vec<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub privacy_notes: Vec<PrivacyNote>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub deprecations: Vec<Deprecation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub approvers: Vec<String>,
}

/// A property carrying personal data, with what governs it.
#[derive(Serialize)]
pub(crate) struct PrivacyNote {
    /// An event name, or `identify` / `group` / `common` / `envelope`, or a
    /// page or screen rule: `page`, `page "Pricing"`.
    pub container: String,
    /// Dotted path: `utm.source`, `items[].sku`.
    pub property: String,
    pub pii: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consent: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub basis: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retention: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retention_duration: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retention_action: Option<&'static str>,
}

#[derive(Serialize)]
pub(crate) struct Deprecation {
    pub event: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replaced_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sunset: Option<String>,
}

#[derive(Serialize)]
pub(crate) struct ErrorHandling {
    /// QA re-runs before the escalation ladder starts.
    pub retry_limit: u32,
    pub escalation_ladder: Vec<LadderStep>,
    pub ripcord: Ripcord,
    /// Owners' backups: who takes over a task when its owner is unavailable.
    pub fallbacks: Vec<Fallback>,
}

#[derive(Serialize)]
pub(crate) struct LadderStep {
    pub step: usize,
    pub owner: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup: Option<String>,
}

#[derive(Serialize)]
pub(crate) struct Ripcord {
    pub trigger: WindowView,
    pub recipients: Vec<String>,
}

#[derive(Serialize)]
pub(crate) struct Fallback {
    pub owner: String,
    pub backup: String,
}

#[derive(Serialize)]
pub(crate) struct SuccessMetrics {
    /// Percent of in-scope events that must be observed in QA.
    pub coverage_target: serde_json::Value,
    /// Events QA covers (not deprecated).
    pub events_in_scope: usize,
    /// In-scope events that must be observed to meet the coverage target.
    pub events_to_observe: usize,
    pub defect_ceiling: u32,
    pub events_by_status: EventsByStatus,
    pub governance_findings: Findings,
}

#[derive(Serialize)]
pub(crate) struct EventsByStatus {
    pub planned: usize,
    pub implemented: usize,
    pub deprecated: usize,
}

#[derive(Serialize)]
pub(crate) struct Findings {
    pub count: usize,
    pub by_rule: Vec<RuleCount>,
    pub findings: Vec<Finding>,
}

#[derive(Serialize)]
pub(crate) struct RuleCount {
    pub rule: String,
    pub count: usize,
}

#[derive(Serialize)]
pub(crate) struct Finding {
    pub rule: String,
    pub severity: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

#[derive(Serialize)]
pub(crate) struct SourcesHash {
    pub algorithm: &'static str,
    /// SHA-256 of the `sha256sum`-style listing of `files` (see [`sources_hash`]).
    pub value: String,
    pub files: Vec<FileHash>,
}

#[derive(Serialize)]
pub(crate) struct FileHash {
    /// The file in the source map (not written out).
    #[serde(skip)]
    pub file: crate::source::FileId,
    pub name: String,
    pub bytes: usize,
    pub sha256: String,
}

/// The hash of the sources, stable across runs and machines for the same file
/// names and contents: each file's SHA-256 (its contents read once), and the
/// SHA-256 of the `sha256sum`-style listing of them, `<hash>  <name>\n` per file in
/// name order. Audit records use the same hashes.
pub(crate) fn sources_hash(sources: &crate::source::SourceMap) -> SourcesHash {
    let mut files: Vec<FileHash> = sources
        .files()
        .map(|(file, f)| FileHash {
            file,
            name: f.name.replace('\\', "/"),
            bytes: f.text.len(),
            sha256: super::hex(&Sha256::digest(f.text.as_bytes())),
        })
        .collect();
    files.sort_by(|a, b| a.name.cmp(&b.name));
    let mut all = Sha256::new();
    for f in &files {
        all.update(format!("{}  {}\n", f.sha256, f.name).as_bytes());
    }
    SourcesHash {
        algorithm: "sha256",
        value: super::hex(&all.finalize()),
        files,
    }
}

/// A task as the graph below describes it; [`task`] resolves owners.
struct Step {
    id: String,
    stage: &'static str,
    name: String,
    description: String,
    owner: Option<usize>,
    contributors: Vec<usize>,
    depends_on: Vec<String>,
    inputs: Vec<String>,
    outputs: Vec<String>,
    gate: Option<String>,
}

fn task(plan: &Plan, s: Step) -> Task {
    let oid = |i: usize| oid(plan, i);
    Task {
        id: s.id,
        stage: s.stage,
        name: s.name,
        description: s.description,
        owner: s.owner.map(oid),
        fallback: backup_id(plan, s.owner),
        contributors: s
            .contributors
            .into_iter()
            .filter(|&c| Some(c) != s.owner)
            .map(oid)
            .collect(),
        depends_on: s.depends_on,
        inputs: s.inputs,
        outputs: s.outputs,
        gate: s.gate,
    }
}

/// An owner's id.
fn oid(plan: &Plan, i: usize) -> String {
    plan.owners[i].id.value.clone()
}

fn oids(plan: &Plan, owners: &[usize]) -> Vec<String> {
    owners.iter().map(|&i| oid(plan, i)).collect()
}

/// The ids of owner references (as written when one does not resolve).
fn owner_ids(plan: &Plan, refs: &[Ref]) -> Vec<String> {
    refs.iter()
        .map(|r| ref_id(plan, DeclKind::Owner, r).to_string())
        .collect()
}

fn owner_id(plan: &Plan, r: &Option<Ref>) -> Option<String> {
    r.as_ref()
        .map(|r| ref_id(plan, DeclKind::Owner, r).to_string())
}

fn backup_id(plan: &Plan, owner: Option<usize>) -> Option<String> {
    owner.and_then(|o| owner_id(plan, &plan.owners[o].backup))
}

fn owner_index(r: &Option<Ref>) -> Option<usize> {
    r.as_ref().and_then(|r| r.target)
}

/// Distinct owner ids, in first-seen order.
fn distinct(ids: impl IntoIterator<Item = usize>) -> Vec<usize> {
    let mut out: Vec<usize> = Vec::new();
    for i in ids {
        if !out.contains(&i) {
            out.push(i);
        }
    }
    out
}

/// Ids of the catalog tasks and the events each covers: one per declared
/// source of the plan (plus any other source events use), then one for events
/// without a source; at least one.
fn catalog_groups(plan: &Plan) -> Vec<(String, Option<usize>, Vec<usize>)> {
    let mut sources: Vec<usize> = plan.meta.sources.iter().filter_map(|r| r.target).collect();
    for e in &plan.events {
        if let Some(s) = e.source.as_ref().and_then(|r| r.target)
            && !sources.contains(&s)
        {
            sources.push(s);
        }
    }
    let source_of = |i: usize| plan.events[i].source.as_ref().and_then(|r| r.target);
    let mut groups: Vec<(String, Option<usize>, Vec<usize>)> = sources
        .into_iter()
        .map(|s| {
            let evs = (0..plan.events.len())
                .filter(|&i| source_of(i) == Some(s))
                .collect();
            (
                format!("catalog.{}", plan.sources[s].id.value),
                Some(s),
                evs,
            )
        })
        .collect();
    let unsourced: Vec<usize> = (0..plan.events.len())
        .filter(|&i| source_of(i).is_none())
        .collect();
    if !unsourced.is_empty() || groups.is_empty() {
        groups.push(("catalog-unsourced".into(), None, unsourced));
    }
    groups
}

fn privacy_notes(plan: &Plan) -> Vec<PrivacyNote> {
    let mut out = Vec::new();
    let mut add = |container: &str, props: &[Property]| {
        for (path, p) in super::encode::markdown::flatten(props) {
            let Some(class) = &p.modifiers().pii else {
                continue;
            };
            let consent = p.effective.consent().map(|c| &plan.consents[c]);
            let retention = p.effective.retention().map(|r| &plan.retentions[r]);
            out.push(PrivacyNote {
                container: container.to_string(),
                property: path,
                pii: class.value.as_str(),
                consent: consent.map(|c| c.id.value.clone()),
                basis: consent
                    .and_then(|c| c.basis.as_ref())
                    .map(|b| b.value.as_str()),
                retention: retention.map(|r| r.id.value.clone()),
                retention_duration: retention
                    .and_then(|r| r.duration.as_ref())
                    .map(|d| d.value.to_string()),
                retention_action: retention
                    .and_then(|r| r.action.as_ref())
                    .map(|a| a.value.as_str()),
            });
        }
    };
    for t in plan.calls() {
        add(&Plan::view_label(t), &t.properties);
    }
    for e in &plan.events {
        add(&e.name.value, &e.properties);
    }
    out
}

impl<'a> PlanJson<'a> {
    /// plan.json, one section at a time in the file's order: each section is
    /// built by a function of its own below, the task graph by [`Workflow`].
    pub(crate) fn new(cx: &Context<'a>) -> PlanJson<'a> {
        let plan = cx.plan;
        let m = &plan.meta;
        let (tasks, artifacts) = Workflow::new(cx).build();
        PlanJson {
            format: FORMAT,
            format_version: FORMAT_VERSION,
            title: m.title.value.clone(),
            version: m.version.value.to_string(),
            pattern: m.pattern.value.as_str(),
            objective: objective(cx),
            sources: sources(plan),
            tools: m.tools.iter().map(|t| t.value.clone()).collect(),
            constraints: constraints(plan),
            timeline: m.timeline.as_ref().map(|t| t.value.to_string()),
            owner: owner_id(plan, &m.owner),
            owners: owners(plan),
            tasks,
            artifacts,
            error_handling: error_handling(plan),
            success_metrics: success_metrics(cx),
            approvers: owner_ids(plan, &m.approvers),
            sources_hash: sources_hash(cx.sources),
        }
    }
}

/// `objective`: the use case, the description and the KPIs.
fn objective<'a>(cx: &Context<'a>) -> Objective<'a> {
    let m = &cx.plan.meta;
    Objective {
        use_case: m.use_case.as_ref().map(|u| u.value.clone()),
        description: m.description.as_ref().map(|d| d.value.clone()),
        kpis: super::encode::tracking_plan::TrackingPlan::kpis(cx),
    }
}

/// `sources`: every declared source, whether the plan lists it and how many
/// events it sends.
fn sources(plan: &Plan) -> Vec<SourceEntry> {
    plan.sources
        .iter()
        .enumerate()
        .map(|(i, s)| SourceEntry {
            id: s.id.value.clone(),
            kind: s.kind.as_ref().map(|k| k.value.as_str()),
            description: s.description.as_ref().map(|d| d.value.clone()),
            in_plan: plan.meta.sources.iter().any(|r| r.target == Some(i)),
            events: plan
                .events
                .iter()
                .filter(|e| e.source.as_ref().and_then(|r| r.target) == Some(i))
                .count(),
        })
        .collect()
}

/// The plan's `constraints`, in order.
fn constraints(plan: &Plan) -> Vec<&'static str> {
    plan.meta
        .constraints
        .iter()
        .map(|c| c.value.as_str())
        .collect()
}

/// `owners`: every owner with its contacts and backup.
fn owners(plan: &Plan) -> Vec<OwnerEntry> {
    plan.owners
        .iter()
        .map(|o| OwnerEntry {
            id: o.id.value.clone(),
            name: o.name.as_ref().map(|n| n.value.clone()),
            email: o.email.as_ref().map(|n| n.value.clone()),
            slack: o.slack.as_ref().map(|n| n.value.clone()),
            backup: owner_id(plan, &o.backup),
        })
        .collect()
}

/// `error_handling`: retry limit, escalation ladder, rip-cord, fallbacks.
fn error_handling(plan: &Plan) -> ErrorHandling {
    let m = &plan.meta;
    ErrorHandling {
        retry_limit: m.qa.retry_limit,
        escalation_ladder: m
            .escalation
            .iter()
            .filter_map(|r| r.target)
            .enumerate()
            .map(|(i, o)| LadderStep {
                step: i + 1,
                owner: oid(plan, o),
                backup: backup_id(plan, Some(o)),
            })
            .collect(),
        ripcord: Ripcord {
            trigger: WindowView::new(m.qa.escalate_after),
            recipients: owner_ids(plan, &m.ripcord),
        },
        fallbacks: (0..plan.owners.len())
            .filter_map(|o| {
                backup_id(plan, Some(o)).map(|b| Fallback {
                    owner: oid(plan, o),
                    backup: b,
                })
            })
            .collect(),
    }
}

/// `success_metrics`: the QA policy's figures (from the IR), events by status
/// and the governance findings `check` reported.
fn success_metrics(cx: &Context) -> SuccessMetrics {
    let plan = cx.plan;
    let m = &plan.meta;
    let status_count = |s: Status| plan.events.iter().filter(|e| e.status.value == s).count();
    let in_scope = plan.qa_in_scope();
    SuccessMetrics {
        coverage_target: number(m.qa.coverage),
        events_in_scope: in_scope,
        events_to_observe: m.qa.required_observed(in_scope),
        defect_ceiling: m.qa.defect_ceiling,
        events_by_status: EventsByStatus {
            planned: status_count(Status::Planned),
            implemented: status_count(Status::Implemented),
            deprecated: status_count(Status::Deprecated),
        },
        governance_findings: findings(cx),
    }
}

/// The warnings `check` reported: counted by rule (in rule order) and listed.
fn findings(cx: &Context) -> Findings {
    let mut by_rule: Vec<RuleCount> = Vec::new();
    for d in cx.warnings {
        match by_rule.iter_mut().find(|r| r.rule == d.code) {
            Some(r) => r.count += 1,
            None => by_rule.push(RuleCount {
                rule: d.code.to_string(),
                count: 1,
            }),
        }
    }
    by_rule.sort_by(|a, b| a.rule.cmp(&b.rule));
    Findings {
        count: cx.warnings.len(),
        by_rule,
        findings: cx
            .warnings
            .iter()
            .map(|d| Finding {
                rule: d.code.to_string(),
                severity: d.severity.as_str(),
                message: d.message.clone(),
                location: d.primary_span().map(|s| cx.sources.location(s)),
            })
            .collect(),
    }
}

/// The task graph (`tasks`, `artifacts`), one stage at a time in the order
/// of the module's description; [`Workflow::build`] runs the stages.
struct Workflow<'c, 'a> {
    cx: &'c Context<'a>,
    plan: &'a Plan,
    /// The plan's owner: owner of the tasks no one else owns.
    owner: Option<usize>,
    approvers: Vec<usize>,
    slugs: Vec<String>,
    tasks: Vec<Task>,
    artifacts: Vec<ArtifactEntry>,
}

impl<'c, 'a> Workflow<'c, 'a> {
    fn new(cx: &'c Context<'a>) -> Self {
        let plan = cx.plan;
        Workflow {
            cx,
            plan,
            owner: owner_index(&plan.meta.owner),
            approvers: plan
                .meta
                .approvers
                .iter()
                .filter_map(|r| r.target)
                .collect(),
            slugs: super::event_slugs(plan),
            tasks: Vec::new(),
            artifacts: Vec::new(),
        }
    }

    fn build(mut self) -> (Vec<Task>, Vec<ArtifactEntry>) {
        self.request();
        self.requirements();
        let catalogs = self.catalogs();
        self.catalog_merge(catalogs);
        self.governance();
        self.qa();
        let (deps, inputs) = self.review_merge();
        self.change_management(deps, inputs);
        // Who consumes what, from the tasks' inputs.
        for a in &mut self.artifacts {
            a.consumed_by = self
                .tasks
                .iter()
                .filter(|t| t.inputs.contains(&a.id))
                .map(|t| t.id.clone())
                .collect();
        }
        (self.tasks, self.artifacts)
    }

    fn task(&mut self, step: Step) {
        self.tasks.push(task(self.plan, step));
    }

    /// The names of events, each once (the versions of an event are one).
    fn event_names(&self, evs: &[usize]) -> Vec<String> {
        let events = &self.plan.events;
        let mut names: Vec<String> = Vec::with_capacity(evs.len());
        for &i in evs {
            let e = &events[i];
            // Only a versioned event's name can come again.
            if !e.is_versioned() || !names.contains(&e.name.value) {
                names.push(e.name.value.clone());
            }
        }
        names
    }

    fn schemas(&self, evs: &[usize]) -> Vec<String> {
        evs.iter()
            .map(|&i| format!("schemas/{}.json", self.slugs[i]))
            .collect()
    }

    fn samples(&self, evs: &[usize]) -> Vec<String> {
        evs.iter()
            .map(|&i| format!("samples/{}.json", self.slugs[i]))
            .collect()
    }

    fn all(&self) -> Vec<usize> {
        (0..self.plan.events.len()).collect()
    }

    /// The request itself: the sources.
    fn request(&mut self) {
        self.artifacts.push(ArtifactEntry {
            id: "request".into(),
            description: "The request as written: the `.events` files (use case, KPIs, sources, tools, constraints, timeline).".into(),
            produced_by: None,
            consumed_by: vec![],
            targets: vec![],
            files: self.cx.sources.files().map(|(_, f)| f.name.clone()).collect(),
            context: ArtifactContext {
                constraints: constraints(self.plan),
                ..Default::default()
            },
        });
    }

    /// Requirements.
    fn requirements(&mut self) {
        let plan = self.plan;
        let kpi_owners: Vec<usize> = plan
            .kpis
            .iter()
            .filter_map(|k| owner_index(&k.owner))
            .collect();
        self.task(Step {
            id: "requirements".into(),
            stage: "requirements",
            name: "Requirements".into(),
            description: "Turn the use case and KPIs into the events, sources and constraints the plan must cover.".into(),
            owner: self.owner,
            contributors: distinct(kpi_owners),
            depends_on: vec![],
            inputs: vec!["request".into()],
            outputs: vec!["requirements".into()],
            gate: None,
        });
        self.artifacts.push(ArtifactEntry {
            id: "requirements".into(),
            description: "The objective: use case, KPIs with their events and dimensions, sources, constraints, timeline.".into(),
            produced_by: Some("requirements".into()),
            consumed_by: vec![],
            targets: vec!["plan"],
            files: vec![PATH.into()],
            context: ArtifactContext {
                kpis: plan.kpis.iter().map(|k| k.name.value.clone()).collect(),
                constraints: constraints(plan),
                ..Default::default()
            },
        });
    }

    /// One catalog task per source, in parallel; their ids.
    fn catalogs(&mut self) -> Vec<String> {
        let plan = self.plan;
        let mut catalog_ids = Vec::new();
        for (id, source, evs) in catalog_groups(plan) {
            let owners = distinct(
                evs.iter()
                    .filter_map(|&i| owner_index(&plan.events[i].owner)),
            );
            // The owner of most of the source's events (the first on a tie).
            let main = owners
                .iter()
                .copied()
                .max_by_key(|&o| {
                    let n = evs
                        .iter()
                        .filter(|&&i| owner_index(&plan.events[i].owner) == Some(o))
                        .count();
                    (n, std::cmp::Reverse(owners.iter().position(|&x| x == o)))
                })
                .or(self.owner);
            let (name, what) = match source {
                Some(s) => {
                    let src = &plan.sources[s];
                    let kind = src
                        .kind
                        .as_ref()
                        .map_or(String::new(), |k| format!(" ({})", k.value));
                    (
                        format!("Event catalog: {}", src.id.value),
                        format!(
                            "Specify the events of source {}{kind}: names, properties, types and constraints.",
                            src.id.value
                        ),
                    )
                }
                None => (
                    "Event catalog: events without a source".to_string(),
                    "Specify the events that name no source.".to_string(),
                ),
            };
            self.task(Step {
                id: id.to_string(),
                stage: "catalog",
                name: name.clone(),
                description: what,
                owner: main,
                contributors: owners,
                depends_on: vec!["requirements".into()],
                inputs: vec!["requirements".into()],
                outputs: vec![id.clone()],
                gate: None,
            });
            self.artifacts.push(ArtifactEntry {
                id: id.clone(),
                description: format!("{name}: the event definitions and their payload schemas."),
                produced_by: Some(id.clone()),
                consumed_by: vec![],
                targets: vec!["jsonschema", "samples"],
                files: self.schemas(&evs),
                context: ArtifactContext {
                    events: self.event_names(&evs),
                    schemas: self.schemas(&evs),
                    samples: self.samples(&evs),
                    ..Default::default()
                },
            });
            catalog_ids.push(id);
        }
        catalog_ids
    }

    /// The catalog merge gate.
    fn catalog_merge(&mut self, catalog_ids: Vec<String>) {
        let plan = self.plan;
        self.task(Step {
            id: "catalog-merge".into(),
            stage: "merge_gate",
            name: "Merge gate: event catalog".into(),
            description: "Merge the per-source catalogs into one tracking plan.".into(),
            owner: self.owner,
            contributors: self.approvers.clone(),
            depends_on: catalog_ids.clone(),
            inputs: catalog_ids,
            outputs: vec!["event-catalog".into()],
            gate: Some(
                "every source's catalog is in and the plan checks with no errors (`eventsc check`)"
                    .into(),
            ),
        });
        let all = self.all();
        let mut samples = Vec::new();
        let mut schemas = Vec::new();
        if plan.identify.is_some() {
            samples.push(super::samples::IDENTIFY_PATH.to_string());
            schemas.push("schemas/identify.json".to_string());
        }
        if plan.group.is_some() {
            samples.push(super::samples::GROUP_PATH.to_string());
            schemas.push("schemas/group.json".to_string());
        }
        for stem in super::view_stems(plan) {
            samples.push(format!("samples/{stem}.json"));
            schemas.push(format!("schemas/{stem}.json"));
        }
        samples.extend(self.samples(&all));
        schemas.extend(self.schemas(&all));
        self.artifacts.push(ArtifactEntry {
            id: "event-catalog".into(),
            description: "The whole tracking plan: every event, identify and group, with schemas in the CDP's formats.".into(),
            produced_by: Some("catalog-merge".into()),
            consumed_by: vec![],
            targets: vec!["json", "yaml", "segment", "jsonschema", "csv"],
            files: vec![
                "plan/tracking-plan.json".into(),
                "plan/tracking-plan.yaml".into(),
                "segment/rules.json".into(),
                "csv/segment-tracking-plan.csv".into(),
            ],
            context: ArtifactContext {
                events: self.event_names(&all),
                schemas,
                samples,
                ..Default::default()
            },
        });
    }

    /// Governance mapping.
    fn governance(&mut self) {
        let plan = self.plan;
        self.task(Step {
            id: "governance".into(),
            stage: "governance",
            name: "Governance mapping".into(),
            description: "Map every property to its owner, consent purpose, retention policy and PII class; check the constraints.".into(),
            owner: self.owner,
            contributors: plan.meta.ripcord.iter().filter_map(|r| r.target).collect(),
            depends_on: vec!["catalog-merge".into()],
            inputs: vec!["event-catalog".into()],
            outputs: vec!["governance-map".into()],
            gate: None,
        });
        self.artifacts.push(ArtifactEntry {
            id: "governance-map".into(),
            description: "Owner, consent, retention and PII of every property, for masking and deletion jobs.".into(),
            produced_by: Some("governance".into()),
            consumed_by: vec![],
            targets: vec!["dbt", "csv"],
            files: vec!["dbt/models/sources.yml".into(), "csv/catalog.csv".into()],
            context: ArtifactContext {
                constraints: constraints(plan),
                privacy_notes: privacy_notes(plan),
                ..Default::default()
            },
        });
    }

    fn diamond(&self) -> bool {
        self.plan.meta.pattern.value == Pattern::Diamond
    }

    /// QA plan: after the catalog in a diamond, after governance in a pipeline.
    fn qa(&mut self) {
        let plan = self.plan;
        let event_owners = distinct(plan.events.iter().filter_map(|e| owner_index(&e.owner)));
        let (qa_deps, qa_inputs) = if self.diamond() {
            (
                vec!["catalog-merge".to_string()],
                vec!["event-catalog".to_string()],
            )
        } else {
            (
                vec!["governance".to_string()],
                vec!["event-catalog".to_string(), "governance-map".to_string()],
            )
        };
        self.task(Step {
            id: "qa".into(),
            stage: "qa",
            name: "QA plan".into(),
            description: "Plan and run QA: unit tests, payload replay with `eventsc validate`, dashboard checks; collect the evidence.".into(),
            owner: self.owner,
            contributors: event_owners,
            depends_on: qa_deps,
            inputs: qa_inputs,
            outputs: vec!["qa-plan".into()],
            gate: None,
        });
        let mut qa_files = vec![
            super::qa::PATH.to_string(),
            super::samples::NDJSON.to_string(),
        ];
        qa_files.dedup();
        self.artifacts.push(ArtifactEntry {
            id: "qa-plan".into(),
            description: "The QA checklist and evidence plan with the sample payloads to replay."
                .into(),
            produced_by: Some("qa".into()),
            consumed_by: vec![],
            targets: vec!["qa", "samples"],
            files: qa_files,
            context: ArtifactContext {
                samples: vec![super::samples::NDJSON.to_string()],
                ..Default::default()
            },
        });
    }

    /// The diamond's review gate (none in a pipeline); what change management
    /// then depends on and takes in.
    fn review_merge(&mut self) -> (Vec<String>, Vec<String>) {
        if !self.diamond() {
            return (
                vec!["qa".to_string()],
                vec!["governance-map".to_string(), "qa-plan".to_string()],
            );
        }
        self.task(Step {
            id: "review-merge".into(),
            stage: "merge_gate",
            name: "Merge gate: governance and QA".into(),
            description: "Join the governance mapping and the QA plan before changes ship.".into(),
            owner: self.owner,
            contributors: self.approvers.clone(),
            depends_on: vec!["governance".into(), "qa".into()],
            inputs: vec!["governance-map".into(), "qa-plan".into()],
            outputs: vec!["release-candidate".into()],
            gate: Some("the governance map has no open privacy finding and the QA plan covers every in-scope event".into()),
        });
        self.artifacts.push(ArtifactEntry {
            id: "release-candidate".into(),
            description:
                "The tracking plan with its governance map and QA plan, ready for sign-off.".into(),
            produced_by: Some("review-merge".into()),
            consumed_by: vec![],
            targets: vec![],
            files: vec![],
            context: ArtifactContext {
                approvers: oids(self.plan, &self.approvers),
                ..Default::default()
            },
        });
        (
            vec!["review-merge".to_string()],
            vec!["release-candidate".to_string()],
        )
    }

    /// Change management.
    fn change_management(&mut self, depends_on: Vec<String>, inputs: Vec<String>) {
        let plan = self.plan;
        self.task(Step {
            id: "change-management".into(),
            stage: "change_management",
            name: "Change management".into(),
            description: "Version, document and get sign-off for the change; announce deprecations and sunsets.".into(),
            owner: self.owner,
            contributors: self.approvers.clone(),
            depends_on,
            inputs,
            outputs: vec!["change-set".into()],
            gate: None,
        });
        self.artifacts.push(ArtifactEntry {
            id: "change-set".into(),
            description: format!("Version {} of the plan: the instrumentation spec engineers implement, with deprecations, signed off by the approvers.", plan.meta.version.value),
            produced_by: Some("change-management".into()),
            consumed_by: vec![],
            targets: vec!["spec"],
            files: vec![super::spec::PATH.into()],
            context: ArtifactContext {
                deprecations: plan
                    .events
                    .iter()
                    .filter(|e| e.is_deprecated())
                    .map(|e| Deprecation {
                        event: e.name.value.clone(),
                        replaced_by: e.replaced_by.as_ref().map(|r| ref_id(plan, DeclKind::Event, r).to_string()),
                        sunset: e.sunset.as_ref().map(|d| d.value.to_string()),
                    })
                    .collect(),
                approvers: oids(plan, &self.approvers),
                ..Default::default()
            },
        });
    }
}
