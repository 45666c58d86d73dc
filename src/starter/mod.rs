//! The starter plan `eventsc init` writes: from the inputs of the request an
//! analytics lead starts from (use case, source kinds, tools, constraints,
//! timeline) to a `.events` plan that `check` accepts with no errors and no
//! warnings, in `fmt` layout, answering its use case.
//!
//! - **The use case** is recognised from its words (`UseCase::detect`):
//!   pipeline velocity, activation, retention, expansion, attribution; anything
//!   else gets a generic plan whose KPI is a marked placeholder. The title comes
//!   from the use case.
//! - **The events** are data, in `catalog.events`: the standard events of each
//!   source kind, carrying the identifiers that join them across sources
//!   (`account_id`, `lead_id`, `opportunity_id`, `campaign_id`,
//!   `subscription_id`, and `userId` through `identity user`), each with one
//!   `example` shared by every event so the generated samples join.
//! - **The KPIs** are data too, one file per use case in `kpis/`: a KPI is kept
//!   when all its events are in the plan (they depend on the chosen sources).
//! - **The guardrails** of the workflow are the defaults: retry limit 2, the
//!   escalation ladder analytics data strategist → data engineering lead →
//!   revenue operations, a rip-cord that always alerts Data and Legal leadership,
//!   a BI publisher as the analytics strategist's fallback (QA cover). Every
//!   owner is a placeholder marked `TODO(init)`.
//! - **Tools** are accepted as users write them ("Segment", "dbt Cloud",
//!   "BigQuery") and mapped to a tool id and the targets that serve it
//!   ([`ToolInfo`]); `init` says what it did with each.
//!
//! [`Request::parse`] validates the inputs with errors that list what is
//! accepted. Pure: no I/O.
//!
//! Public only for the integration tests (tests/it): the starter plan `eventsc
//! init` writes.

use crate::fmt as layout;
use crate::ir::{Constraint, Date, SourceKind};
use crate::source::FileId;
use crate::syntax::ast::{Decl, FieldBody, Item, Value};
use std::fmt::Write;

/// The starter events, one declaration per event; the event's `source` is its kind.
const CATALOG: &str = include_str!("catalog.events");

/// What `eventsc init` was asked for, validated.
#[derive(Clone, Debug)]
pub struct Request {
    pub title: String,
    pub use_case: String,
    /// The use case recognised in [`Request::use_case`].
    pub kind: UseCase,
    pub sources: Vec<SourceKind>,
    /// The tools as the plan names them, with what each was written as.
    pub tools: Vec<ToolInfo>,
    pub constraints: Vec<Constraint>,
    pub timeline: Option<Date>,
}

/// The use cases the starter has KPIs for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UseCase {
    Pipeline,
    Activation,
    Retention,
    Expansion,
    Attribution,
    /// Anything else: a generic plan with a placeholder KPI.
    Generic,
}

impl UseCase {
    pub(crate) const SUPPORTED: [UseCase; 5] = [
        UseCase::Pipeline,
        UseCase::Activation,
        UseCase::Retention,
        UseCase::Expansion,
        UseCase::Attribution,
    ];

    /// Recognises a use case from its words: the first whose keywords occur.
    pub(crate) fn detect(text: &str) -> UseCase {
        let t = text.to_lowercase();
        let words: &[(UseCase, &[&str])] = &[
            (
                UseCase::Pipeline,
                &["pipeline", "velocity", "sales cycle", "win rate", "deal"],
            ),
            (
                UseCase::Attribution,
                &[
                    "attribution",
                    "attribute",
                    "campaign",
                    "channel",
                    "utm",
                    "sourced",
                ],
            ),
            (
                UseCase::Expansion,
                &[
                    "expansion",
                    "expand",
                    "upsell",
                    "upgrade",
                    "seat",
                    "net revenue retention",
                    "nrr",
                ],
            ),
            (
                UseCase::Retention,
                &[
                    "retention",
                    "retain",
                    "churn",
                    "cancel",
                    "stickiness",
                    "returning",
                ],
            ),
            (
                UseCase::Activation,
                &[
                    "activation",
                    "activate",
                    "onboarding",
                    "time to value",
                    "aha",
                    "adoption",
                ],
            ),
        ];
        words
            .iter()
            .find(|(_, ws)| ws.iter().any(|w| t.contains(w)))
            .map_or(UseCase::Generic, |(u, _)| *u)
    }

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            UseCase::Pipeline => "pipeline velocity",
            UseCase::Activation => "activation",
            UseCase::Retention => "retention",
            UseCase::Expansion => "expansion",
            UseCase::Attribution => "attribution",
            UseCase::Generic => "generic",
        }
    }

    /// The plan's title when the request gives none.
    fn title(self, use_case: &str) -> String {
        match self {
            UseCase::Pipeline => "Pipeline velocity".into(),
            UseCase::Activation => "Activation".into(),
            UseCase::Retention => "Retention".into(),
            UseCase::Expansion => "Expansion".into(),
            UseCase::Attribution => "Attribution".into(),
            UseCase::Generic => {
                let t = use_case.trim().trim_end_matches(['?', '.', '!']);
                let mut c = t.chars();
                match c.next() {
                    Some(f) if t.chars().count() <= 60 => f.to_uppercase().chain(c).collect(),
                    _ => "Tracking plan".into(),
                }
            }
        }
    }

    /// The KPIs of the use case, as `.events` text (data files).
    fn kpis(self) -> &'static str {
        match self {
            UseCase::Pipeline => include_str!("kpis/pipeline.events"),
            UseCase::Activation => include_str!("kpis/activation.events"),
            UseCase::Retention => include_str!("kpis/retention.events"),
            UseCase::Expansion => include_str!("kpis/expansion.events"),
            UseCase::Attribution => include_str!("kpis/attribution.events"),
            UseCase::Generic => "",
        }
    }
}

/// A tool of the request: the id the plan uses and what eventsc makes for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ToolInfo {
    /// As the user wrote it.
    pub written: String,
    /// The plan's identifier (`segment`, `dbt`, `bigquery`).
    pub id: String,
    /// What `eventsc init` did with it, for its report.
    pub note: String,
}

/// Known tools: spellings (lowercase, spaces and punctuation removed) → id, note.
const TOOLS: &[(&[&str], &str, &str)] = &[
    (
        &["segment", "twiliosegment", "segmentprotocols"],
        "segment",
        "targets segment (Protocols tracking plan), jsonschema, csv (tracking-plan upload), samples",
    ),
    (
        &["rudderstack", "rudder"],
        "rudderstack",
        "targets jsonschema (RudderStack tracking plans take JSON Schema), samples",
    ),
    (
        &["amplitude", "ampli", "amplitudedata"],
        "amplitude",
        "targets jsonschema and csv (Amplitude Data imports), typed clients when built",
    ),
    (
        &["mixpanel", "mixpanellexicon"],
        "mixpanel",
        "targets jsonschema and csv (Lexicon schemas)",
    ),
    (
        &["snowplow", "iglu"],
        "snowplow",
        "target jsonschema (self-describing schemas)",
    ),
    (&["avo"], "avo", "targets jsonschema and csv"),
    (
        &["dbt", "dbtcloud", "dbtcore", "getdbt"],
        "dbt",
        "target dbt (sources with tests per event)",
    ),
    (
        &["snowflake"],
        "snowflake",
        "warehouse: the dbt target's sources point at it",
    ),
    (
        &["bigquery", "googlebigquery", "bq"],
        "bigquery",
        "warehouse: the dbt target's sources point at it",
    ),
    (
        &["redshift", "amazonredshift"],
        "redshift",
        "warehouse: the dbt target's sources point at it",
    ),
    (
        &["databricks"],
        "databricks",
        "warehouse: the dbt target's sources point at it",
    ),
    (
        &["postgres", "postgresql"],
        "postgres",
        "warehouse: the dbt target's sources point at it",
    ),
    (
        &["duckdb"],
        "duckdb",
        "warehouse: the dbt target's sources point at it",
    ),
    (&["looker"], "looker", "BI: named among the KPIs' consumers"),
    (
        &["lookerstudio", "datastudio"],
        "looker_studio",
        "BI: named among the KPIs' consumers",
    ),
    (
        &["tableau"],
        "tableau",
        "BI: named among the KPIs' consumers",
    ),
    (
        &["mode", "modeanalytics"],
        "mode",
        "BI: named among the KPIs' consumers",
    ),
    (
        &["metabase"],
        "metabase",
        "BI: named among the KPIs' consumers",
    ),
    (
        &["powerbi"],
        "power_bi",
        "BI: named among the KPIs' consumers",
    ),
    (&["hex"], "hex", "BI: named among the KPIs' consumers"),
    (
        &["salesforce", "sfdc"],
        "salesforce",
        "the CRM: events of source kind crm",
    ),
    (
        &["hubspot"],
        "hubspot",
        "CRM / marketing automation: events of source kinds crm and map",
    ),
    (
        &["marketo"],
        "marketo",
        "marketing automation: events of source kind map",
    ),
    (
        &["stripe"],
        "stripe",
        "billing: events of source kind billing",
    ),
    (
        &["zendesk", "intercom"],
        "zendesk",
        "support desk: events of source kind support",
    ),
    (
        &["googleanalytics", "ga4", "ga", "googleanalytics4"],
        "ga4",
        "targets jsonschema and csv",
    ),
    (
        &["braze"],
        "braze",
        "engagement: receives the tracked events",
    ),
];

fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

impl ToolInfo {
    /// A tool as users write it: a known one by any of its spellings, any other
    /// by its name made an identifier (`Looker Studio` → `looker_studio`).
    pub(crate) fn parse(written: &str) -> Result<ToolInfo, String> {
        let key = squash(written);
        // "Zendesk" and "Intercom" share a note but keep their own id.
        if let Some((_, id, note)) = TOOLS
            .iter()
            .find(|(names, _, _)| names.contains(&key.as_str()))
        {
            let id = if key == "intercom" { "intercom" } else { id };
            return Ok(ToolInfo {
                written: written.to_string(),
                id: id.to_string(),
                note: note.to_string(),
            });
        }
        let mut id = String::new();
        for c in written.trim().chars().flat_map(char::to_lowercase) {
            if c.is_ascii_alphanumeric() {
                id.push(c);
            } else if !id.is_empty() && !id.ends_with('_') {
                id.push('_');
            }
        }
        let id = id.trim_end_matches('_').to_string();
        if id.is_empty() {
            return Err(format!(
                "invalid tool name `{written}` in --tools: name the tool, e.g. Segment, dbt, Amplitude, BigQuery"
            ));
        }
        let id = if id.starts_with(|c: char| c.is_ascii_digit()) {
            format!("tool_{id}")
        } else {
            id
        };
        Ok(ToolInfo {
            written: written.to_string(),
            note: "not a tool eventsc knows: listed in the plan's tools, no dedicated target"
                .into(),
            id,
        })
    }
}

/// Splits comma-separated lists (clap gives one item per `,` already; this also
/// accepts `a, b`, `a;b` and repeated flags), trimming and dropping empty items.
fn items(values: &[String]) -> Vec<String> {
    values
        .iter()
        .flat_map(|v| v.split([',', ';']))
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// A source kind as users write it: any case, and the long names of the request
/// ("Marketing automation", "CRM", "Product").
fn source_kind(s: &str) -> Option<SourceKind> {
    let k = squash(s);
    let k = match k.as_str() {
        "marketingautomation" | "marketingautomationplatform" | "email" => "map",
        "app" | "webapp" | "saas" => "product",
        "website" | "site" | "marketingsite" => "web",
        "ios" | "android" | "mobileapp" => "mobile",
        "backend" | "serverside" | "api" => "server",
        "payments" | "subscriptions" => "billing",
        "helpdesk" | "supportdesk" => "support",
        other => other,
    };
    SourceKind::parse(k)
}

fn push_unique<T: PartialEq>(v: &mut Vec<T>, x: T) {
    if !v.contains(&x) {
        v.push(x);
    }
}

impl Request {
    /// Validates raw inputs. Errors name the bad value and list what is accepted.
    /// `title` empty means: the title of the use case.
    pub fn parse(
        title: &str,
        use_case: &str,
        sources: &[String],
        tools: &[String],
        constraints: &[String],
        timeline: Option<&str>,
    ) -> Result<Request, String> {
        if use_case.trim().is_empty() {
            return Err("--use-case is empty: describe the business question the plan answers, e.g. --use-case \"pipeline velocity\"".into());
        }
        let kind = UseCase::detect(use_case);
        let title = if title.trim().is_empty() {
            kind.title(use_case)
        } else {
            title.trim().to_string()
        };
        let mut kinds = Vec::new();
        for s in items(sources) {
            match source_kind(&s) {
                Some(k) => push_unique(&mut kinds, k),
                None => {
                    return Err(format!(
                        "unknown source kind `{s}` in --sources; accepted: {} (any case)",
                        SourceKind::NAMES.join(", ")
                    ));
                }
            }
        }
        if kinds.is_empty() {
            return Err(format!(
                "--sources is empty; list the source kinds the plan covers, from: {}",
                SourceKind::NAMES.join(", ")
            ));
        }
        let mut tool_list: Vec<ToolInfo> = Vec::new();
        for t in items(tools) {
            let info = ToolInfo::parse(&t)?;
            if !tool_list.iter().any(|x| x.id == info.id) {
                tool_list.push(info);
            }
        }
        let mut cons = Vec::new();
        for c in items(constraints) {
            match Constraint::parse(&squash(&c)) {
                Some(k) => push_unique(&mut cons, k),
                None => {
                    return Err(format!(
                        "unknown constraint `{c}` in --constraints; accepted: {} (any case)",
                        Constraint::NAMES.join(", ")
                    ));
                }
            }
        }
        let timeline = match timeline.map(str::trim).filter(|t| !t.is_empty()) {
            Some(t) => Some(Date::parse(t).map_err(|e| {
                let hint = if e.contains("YYYY-MM-DD") {
                    ", e.g. 2026-12-15"
                } else {
                    " (expected YYYY-MM-DD, e.g. 2026-12-15)"
                };
                format!("invalid --timeline `{t}`: {e}{hint}")
            })?),
            None => None,
        };
        Ok(Request {
            title,
            use_case: use_case.trim().to_string(),
            kind,
            sources: kinds,
            tools: tool_list,
            constraints: cons,
            timeline,
        })
    }

    fn has(&self, c: Constraint) -> bool {
        self.constraints.contains(&c)
    }

    fn has_source(&self, k: SourceKind) -> bool {
        self.sources.contains(&k)
    }
}

/// A string literal in `.events` syntax.
pub(crate) use crate::syntax::quote;

/// One declaration of a data file: its text and the values of its fields.
struct Entry<'a> {
    text: &'a str,
    decl: Decl,
}

impl Entry<'_> {
    fn words(&self, key: &str) -> Vec<&str> {
        self.decl
            .block
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Field(f) if f.key.text == key => match &f.body {
                    FieldBody::Values(v) => Some(v),
                    _ => None,
                },
                _ => None,
            })
            .flatten()
            .filter_map(|v| match v {
                Value::Word(w) => Some(w.text.as_str()),
                Value::Str(s) => Some(s.value.as_str()),
                _ => None,
            })
            .collect()
    }

    fn name(&self) -> &str {
        match &self.decl.name {
            Some(crate::syntax::ast::DeclName::Str(s)) => &s.value,
            _ => "",
        }
    }
}

/// The declarations of a data file (which a test keeps parsing).
fn entries(text: &str) -> Vec<Entry<'_>> {
    let Ok(file) = layout::parse_whole(FileId(0), text) else {
        return Vec::new();
    };
    file.decls
        .into_iter()
        .map(|decl| Entry {
            text: &text[decl.span.start as usize..decl.span.end as usize],
            decl,
        })
        .collect()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Purpose {
    Analytics,
    Marketing,
    Sales,
    Service,
}

impl Purpose {
    fn of(kind: SourceKind) -> Purpose {
        match kind {
            SourceKind::Crm => Purpose::Sales,
            SourceKind::Map => Purpose::Marketing,
            SourceKind::Billing | SourceKind::Support => Purpose::Service,
            _ => Purpose::Analytics,
        }
    }
}

fn describe(kind: SourceKind) -> &'static str {
    match kind {
        SourceKind::Product => "The product (web app), client-side",
        SourceKind::Web => "The marketing website",
        SourceKind::Mobile => "The mobile apps",
        SourceKind::Server => "Backend services, server-side",
        SourceKind::Crm => "The CRM (leads, opportunities), a cloud source",
        SourceKind::Map => "The marketing automation platform (email campaigns), a cloud source",
        SourceKind::Billing => "The billing system (subscriptions, invoices), a cloud source",
        SourceKind::Support => "The support desk, a cloud source",
        SourceKind::Other => "Another source",
    }
}

/// The starter plan, in `fmt` layout.
pub fn render(r: &Request) -> String {
    let text = draft(r);
    // The draft is written by hand above; the formatter gives it the one layout.
    layout::format(FileId(0), &text).unwrap_or(text)
}

/// What the plan holds for a request, before formatting.
fn draft(r: &Request) -> String {
    let compliance = !r.constraints.is_empty();
    let gdpr_like = r.has(Constraint::Gdpr) || r.has(Constraint::Coppa);
    let people = r.has_source(SourceKind::Product)
        || r.has_source(SourceKind::Web)
        || r.has_source(SourceKind::Mobile);
    let accounts = r.has_source(SourceKind::Crm) || r.has_source(SourceKind::Billing);

    // The events of the chosen kinds, in the order of the request's sources.
    let catalog = entries(CATALOG);
    let mut events: Vec<(SourceKind, &Entry)> = Vec::new();
    for &k in &r.sources {
        for e in catalog.iter().filter(|e| e.words("source") == [k.as_str()]) {
            events.push((k, e));
        }
    }
    let names: Vec<&str> = events.iter().map(|(_, e)| e.name()).collect();
    let kpi_file = entries(r.kind.kpis());
    let kpis: Vec<&Entry> = kpi_file
        .iter()
        .filter(|k| k.words("events").iter().all(|e| names.contains(e)))
        .collect();

    // What the events use decides which purposes and policies to declare.
    let mut purposes: Vec<Purpose> = Vec::new();
    let mut policies: Vec<&str> = vec!["standard"];
    for (k, _) in &events {
        push_unique(&mut purposes, Purpose::of(*k));
        if *k == SourceKind::Billing {
            push_unique(&mut policies, "finance");
        }
    }
    if people {
        push_unique(&mut purposes, Purpose::Analytics);
        push_unique(&mut purposes, Purpose::Marketing);
        push_unique(&mut policies, "contact");
    }
    let group_consent = if r.has_source(SourceKind::Crm) {
        Purpose::Sales
    } else {
        Purpose::Service
    };
    if accounts {
        push_unique(&mut purposes, group_consent);
    }
    let mut s = String::new();
    s.push_str(
        "// Starter tracking plan written by `eventsc init`. Every event is `planned`.\n\
         // TODO(init): replace each owner's placeholder name and email with the real\n\
         // person or team, review events and properties with them, then run\n\
         // `eventsc check` and `eventsc build`.\n\n",
    );
    let _ = writeln!(s, "plan {} {{", quote(&r.title));
    let _ = writeln!(s, "  use_case {}", quote(&r.use_case));
    let _ = writeln!(
        s,
        "  sources {}",
        join(r.sources.iter().map(|k| k.as_str()))
    );
    if !r.tools.is_empty() {
        let _ = writeln!(s, "  tools {}", join(r.tools.iter().map(|t| t.id.as_str())));
    }
    if compliance {
        let _ = writeln!(
            s,
            "  constraints {}",
            join(r.constraints.iter().map(|c| c.as_str()))
        );
    }
    if let Some(t) = &r.timeline {
        let _ = writeln!(s, "  timeline {t}");
    }
    s.push_str(
        "  version \"0.1.0\"\n  owner @analytics\n  retention standard\n\
         \x20 naming {\n    events object_action\n    properties snake_case\n  }\n\
         \x20 pattern pipeline\n\
         \x20 qa {\n    coverage 95%\n    defect_ceiling 0\n    retry_limit 2\n    escalate_after 2 in 48 hours\n  }\n\
         \x20 // The workflow's guardrails: two failed QA runs climb the ladder; two\n\
         \x20 // breaches within 48 hours pull the rip-cord to Data and Legal leadership.\n\
         \x20 escalation @analytics, @data-eng, @revops\n\
         \x20 ripcord @data-eng, @legal\n\
         \x20 approvers @analytics, @data-eng, @legal\n}\n\n",
    );

    // Owners: the escalation ladder, Legal for the rip-cord, the BI publisher as
    // the analytics strategist's fallback (QA cover). All placeholders.
    s.push_str(
        "// TODO(init): owners are placeholders: put the real names, emails or Slack channels.\n",
    );
    s.push_str("owner @analytics { name \"Analytics Data Strategist\"; email \"analytics@example.com\"; backup @bi }\n");
    s.push_str("owner @bi { name \"BI Publisher (covers QA)\"; email \"bi@example.com\"; backup @analytics }\n");
    s.push_str("owner @data-eng { name \"Data Engineering Lead\"; email \"data-eng@example.com\"; backup @analytics }\n");
    s.push_str("owner @revops { name \"Revenue Operations\"; email \"revops@example.com\"; backup @analytics }\n");
    s.push_str("owner @legal { name \"Legal leadership\"; email \"legal@example.com\" }\n\n");

    for p in &purposes {
        let line = match p {
            Purpose::Analytics if gdpr_like => {
                "consent analytics { basis consent; description \"Product and web analytics (ePrivacy: opt-in)\" }"
            }
            Purpose::Analytics => {
                "consent analytics { basis legitimate_interest; description \"Product and web analytics\" }"
            }
            Purpose::Marketing => {
                "consent marketing { basis consent; description \"Lifecycle and campaign emails\" }"
            }
            Purpose::Sales => {
                "consent sales { basis legitimate_interest; description \"B2B sales pipeline\" }"
            }
            Purpose::Service => {
                "consent service { basis contract; description \"Providing the service: billing and support\" }"
            }
        };
        s.push_str(line);
        s.push('\n');
    }
    if r.has(Constraint::Ccpa) {
        s.push_str("// ccpa: honour \"Do Not Sell or Share\" opt-outs in the consent manager's categories.\n");
    }
    s.push('\n');

    for p in &policies {
        let line = match *p {
            "standard" if gdpr_like => {
                "retention standard { duration 13 months; action delete; description \"Default for analytics data\" }"
            }
            "standard" => {
                "retention standard { duration 25 months; action delete; description \"Default for analytics data\" }"
            }
            "contact" => {
                "retention contact { duration 24 months; action anonymize; description \"Contact details\" }"
            }
            _ => {
                "retention finance { duration 7 years; action anonymize; description \"Financial records kept for bookkeeping\" }"
            }
        };
        s.push_str(line);
        s.push('\n');
    }
    s.push('\n');

    for &k in &r.sources {
        let _ = writeln!(
            s,
            "source {} {{ kind {}; description {} }}",
            k.as_str(),
            k.as_str(),
            quote(describe(k))
        );
    }
    s.push('\n');

    if r.has(Constraint::Hipaa) {
        s.push_str("// hipaa: `pii(health)` may only flow to tools with a signed BAA; set `baa true` once signed.\n");
        for t in &r.tools {
            let _ = writeln!(s, "tool {} {{ baa false }}", t.id);
        }
        s.push('\n');
    }

    if people {
        s.push_str("identify {\n  owner @analytics\n  consent analytics\n");
        s.push_str("  email: string format(email) pii(contact) consent(marketing) retention(contact) \"Login email\"\n");
        s.push_str("  created_at: datetime \"Signup time\"\n}\n\n");
    }
    if accounts {
        let consent = match group_consent {
            Purpose::Sales => "sales",
            _ => "service",
        };
        let _ = writeln!(
            s,
            "group {{\n  owner @revops\n  consent {consent}\n  name: string required \"Account name\"\n  plan: string \"Subscription plan\"\n  employees: integer min(1) \"Company size\"\n}}\n"
        );
    }

    let mut last = None;
    for (k, e) in &events {
        if last != Some(*k) {
            let _ = writeln!(s, "// Events of source {}: {}", k.as_str(), describe(*k));
            last = Some(*k);
        }
        s.push_str(e.text);
        s.push_str("\n\n");
    }

    let _ = writeln!(
        s,
        "// KPIs: what the use case \"{}\" asks the events to answer.",
        r.kind.as_str()
    );
    if kpis.is_empty() {
        generic_kpi(&mut s, r, &events);
    }
    for k in &kpis {
        s.push_str(k.text);
        s.push_str("\n\n");
    }
    s
}

/// A placeholder KPI over the plan's first event, when the use case is not one
/// the starter knows or none of its KPIs has its events among the chosen sources.
fn generic_kpi(s: &mut String, r: &Request, events: &[(SourceKind, &Entry)]) {
    let Some((_, first)) = events.first() else {
        return;
    };
    let why = if r.kind == UseCase::Generic {
        format!(
            "the starter has no KPIs for this use case (it knows {})",
            UseCase::SUPPORTED.map(UseCase::as_str).join(", ")
        )
    } else {
        format!(
            "none of the {} KPIs has all its events among the chosen sources",
            r.kind.as_str()
        )
    };
    let _ = writeln!(
        s,
        "// TODO(init): {why}. Name the KPI, its events, the properties it is sliced"
    );
    let _ = writeln!(s, "// by (dimensions) and where it is read (consumers).");
    let owner = first
        .words("owner")
        .first()
        .copied()
        .unwrap_or("@analytics");
    let _ = writeln!(
        s,
        "kpi {} {{\n  description {}\n  owner {owner}\n  events {}\n  consumers \"BI dashboard: {}\"\n}}\n",
        quote(&format!("{}: first KPI", r.title)),
        quote(&format!(
            "TODO(init): what to measure for \"{}\"",
            r.use_case
        )),
        quote(first.name()),
        r.title.replace('"', "'"),
    );
}

fn join<'a>(v: impl Iterator<Item = &'a str>) -> String {
    v.collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The starter's data files parse.
    #[test]
    fn data_files_parse() {
        let mut files = vec![("catalog.events", CATALOG)];
        for u in UseCase::SUPPORTED {
            files.push((u.as_str(), u.kpis()));
        }
        for (name, text) in files {
            let parsed = crate::fmt::parse_whole(crate::source::FileId(0), text);
            assert!(parsed.is_ok(), "{name} does not parse: {parsed:?}");
            assert!(!parsed.expect("parsed").decls.is_empty(), "{name} is empty");
        }
    }

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn quoting() {
        assert_eq!(quote("a \"b\" \\ c\nd"), "\"a \\\"b\\\" \\\\ c\\nd\"");
    }

    #[test]
    fn inputs_as_users_write_them() {
        let r = Request::parse(
            "",
            "pipeline velocity",
            &strings(&["Product, CRM", "MAP"]),
            &strings(&[
                "Segment",
                "dbt Cloud",
                "Looker Studio",
                "big query",
                "4chan",
            ]),
            &strings(&["GDPR"]),
            None,
        )
        .expect("valid");
        assert_eq!(r.title, "Pipeline velocity");
        assert_eq!(
            r.sources,
            [SourceKind::Product, SourceKind::Crm, SourceKind::Map]
        );
        let ids: Vec<&str> = r.tools.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(
            ids,
            ["segment", "dbt", "looker_studio", "bigquery", "tool_4chan"]
        );
        assert_eq!(r.constraints, [Constraint::Gdpr]);
    }

    #[test]
    fn bad_inputs_list_what_is_accepted() {
        let e =
            Request::parse("T", "U", &strings(&["product", "erp"]), &[], &[], None).unwrap_err();
        assert!(
            e.contains("`erp`") && e.contains("product, web, mobile"),
            "{e}"
        );
        let e = Request::parse("T", "U", &strings(&["web"]), &[], &strings(&["sox"]), None)
            .unwrap_err();
        assert!(
            e.contains("`sox`") && e.contains("gdpr, ccpa, hipaa, coppa"),
            "{e}"
        );
        let e =
            Request::parse("T", "U", &strings(&["web"]), &[], &[], Some("2026-02-30")).unwrap_err();
        assert!(e.contains("2026-02-30") && e.contains("YYYY-MM-DD"), "{e}");
        let e = Request::parse("T", " ", &strings(&["web"]), &[], &[], None).unwrap_err();
        assert!(e.contains("--use-case"), "{e}");
        let e = Request::parse("T", "U", &strings(&["web"]), &strings(&["+++"]), &[], None)
            .unwrap_err();
        assert!(e.contains("`+++`"), "{e}");
    }
}
