//! The starter plan `eventsc init` writes: from the inputs a person gives an
//! analytics lead (use case, source kinds, tools, constraints, timeline) to a
//! `.events` plan that `check` accepts with no errors and no warnings.
//!
//! It holds the plan block, owners for the escalation ladder (analytics data
//! strategist → data engineering lead → revenue operations, plus legal for the
//! rip-cord under a compliance constraint), the consent purposes and retention
//! policies the chosen sources and constraints call for (only those used, so
//! nothing is flagged unused), and a standard set of events per source kind,
//! all `planned`. [`Request::parse`] validates the inputs with errors that list
//! what is accepted. Pure: no I/O.

use crate::ir::{Constraint, Date, SourceKind};
use std::fmt::Write;

/// What `eventsc init` was asked for, validated.
#[derive(Clone, Debug)]
pub struct Request {
    pub title: String,
    pub use_case: String,
    pub sources: Vec<SourceKind>,
    pub tools: Vec<String>,
    pub constraints: Vec<Constraint>,
    pub timeline: Option<Date>,
}

/// Splits comma-separated lists (clap gives one item per `,` already; this also
/// accepts `a, b` and repeated flags), trimming and dropping empty items.
fn items(values: &[String]) -> Vec<String> {
    values
        .iter()
        .flat_map(|v| v.split(','))
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

fn is_identifier(s: &str) -> bool {
    let mut c = s.chars();
    c.next()
        .is_some_and(|f| f.is_ascii_alphabetic() || f == '_')
        && c.all(|x| x.is_ascii_alphanumeric() || x == '_')
}

fn push_unique<T: PartialEq>(v: &mut Vec<T>, x: T) {
    if !v.contains(&x) {
        v.push(x);
    }
}

impl Request {
    /// Validates raw inputs. Errors name the bad value and list what is accepted.
    pub fn parse(
        title: &str,
        use_case: &str,
        sources: &[String],
        tools: &[String],
        constraints: &[String],
        timeline: Option<&str>,
    ) -> Result<Request, String> {
        if use_case.trim().is_empty() {
            return Err("--use-case is empty: describe the business question the plan answers, e.g. --use-case \"How fast do trials turn into paid pipeline?\"".into());
        }
        if title.trim().is_empty() {
            return Err("--title is empty".into());
        }
        let mut kinds = Vec::new();
        for s in items(sources) {
            match SourceKind::parse(&s) {
                Some(k) => push_unique(&mut kinds, k),
                None => {
                    return Err(format!(
                        "unknown source kind `{s}` in --sources; accepted: {}",
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
        let mut tool_names = Vec::new();
        for t in items(tools) {
            if !is_identifier(&t) {
                return Err(format!(
                    "invalid tool name `{t}` in --tools: use letters, digits and `_` (e.g. segment, rudderstack, amplitude, mixpanel, snowplow, dbt)"
                ));
            }
            push_unique(&mut tool_names, t);
        }
        let mut cons = Vec::new();
        for c in items(constraints) {
            match Constraint::parse(&c) {
                Some(k) => push_unique(&mut cons, k),
                None => {
                    return Err(format!(
                        "unknown constraint `{c}` in --constraints; accepted: {}",
                        Constraint::NAMES.join(", ")
                    ));
                }
            }
        }
        let timeline = match timeline {
            Some(t) => Some(Date::parse(t.trim()).map_err(|e| {
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
            title: title.trim().to_string(),
            use_case: use_case.trim().to_string(),
            sources: kinds,
            tools: tool_names,
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
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:X}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Who owns the events of a source kind, under which consent purpose and
/// retention, with which identity.
struct Catalog {
    owner: &'static str,
    consent: Purpose,
    retention: Option<&'static str>,
    description: &'static str,
    events: Vec<EventTemplate>,
}

struct EventTemplate {
    name: &'static str,
    description: &'static str,
    identity: Option<&'static str>,
    properties: &'static [&'static str],
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Purpose {
    Analytics,
    Marketing,
    Sales,
    Service,
}

impl Purpose {
    fn id(self) -> &'static str {
        match self {
            Purpose::Analytics => "analytics",
            Purpose::Marketing => "marketing",
            Purpose::Sales => "sales",
            Purpose::Service => "service",
        }
    }
}

const fn ev(
    name: &'static str,
    description: &'static str,
    identity: Option<&'static str>,
    properties: &'static [&'static str],
) -> EventTemplate {
    EventTemplate {
        name,
        description,
        identity,
        properties,
    }
}

fn catalog(kind: SourceKind) -> Catalog {
    match kind {
        SourceKind::Product => Catalog {
            owner: "analytics",
            consent: Purpose::Analytics,
            retention: None,
            description: "The product (web app), client-side",
            events: vec![
                ev(
                    "Account Created",
                    "A user created an account.",
                    Some("user"),
                    &[
                        "account_id:    string required \"Account that was created\"",
                        "signup_method: enum(\"email\", \"google\", \"sso\") required \"How the user signed up\"",
                    ],
                ),
                ev(
                    "Trial Started",
                    "An account started a free trial.",
                    None,
                    &[
                        "account_id: string required \"Account on trial\"",
                        "trial_days: integer required min(1) max(90) \"Trial length in days\"",
                    ],
                ),
                ev(
                    "Feature Used",
                    "A user used a key feature.",
                    None,
                    &[
                        "account_id: string required \"Account of the user\"",
                        "feature:    string required max_length(80) \"Feature identifier\"",
                    ],
                ),
                ev(
                    "User Invited",
                    "A user invited a teammate.",
                    Some("user"),
                    &[
                        "account_id:   string required \"Account the teammate joins\"",
                        "invitee_role: enum(\"admin\", \"member\") required \"Role offered\"",
                    ],
                ),
            ],
        },
        SourceKind::Web => Catalog {
            owner: "analytics",
            consent: Purpose::Analytics,
            retention: None,
            description: "The marketing website",
            events: vec![
                ev(
                    "Page Viewed",
                    "A visitor viewed a page of the website.",
                    None,
                    &[
                        "path:     string required \"URL path\"",
                        "referrer: string nullable \"document.referrer\"",
                    ],
                ),
                ev(
                    "CTA Clicked",
                    "A visitor clicked a call to action.",
                    None,
                    &[
                        "cta_id: string required \"Call to action identifier\"",
                        "path:   string required \"Page of the call to action\"",
                    ],
                ),
                ev(
                    "Demo Requested",
                    "A visitor asked for a demo.",
                    None,
                    &[
                        "form_id:      string required \"Form identifier\"",
                        "company_size: enum(\"1-10\", \"11-50\", \"51-200\", \"201+\") \"Company size stated\"",
                    ],
                ),
            ],
        },
        SourceKind::Mobile => Catalog {
            owner: "analytics",
            consent: Purpose::Analytics,
            retention: None,
            description: "The mobile apps",
            events: vec![
                ev(
                    "Application Opened",
                    "The app came to the foreground.",
                    None,
                    &["from_background: boolean required \"Resumed rather than launched\""],
                ),
                ev(
                    "Screen Viewed",
                    "A user viewed a screen of the app.",
                    None,
                    &["screen_name: string required \"Screen identifier\""],
                ),
                ev(
                    "Push Notification Opened",
                    "A user opened a push notification.",
                    None,
                    &["campaign_id: string required \"Campaign that sent it\""],
                ),
            ],
        },
        SourceKind::Server => Catalog {
            owner: "data-eng",
            consent: Purpose::Analytics,
            retention: None,
            description: "Backend services, server-side",
            events: vec![
                ev(
                    "API Request Completed",
                    "The public API answered a request.",
                    None,
                    &[
                        "endpoint:    string required \"Route template, e.g. /v1/orders/{id}\"",
                        "status_code: integer required min(100) max(599) \"HTTP status\"",
                        "duration_ms: integer min(0) \"Time to answer in milliseconds\"",
                    ],
                ),
                ev(
                    "Job Failed",
                    "A background job failed.",
                    None,
                    &[
                        "job_name:   string required \"Job identifier\"",
                        "error_code: string \"Error class\"",
                    ],
                ),
            ],
        },
        SourceKind::Crm => Catalog {
            owner: "revops",
            consent: Purpose::Sales,
            retention: None,
            description: "The CRM (leads, opportunities)",
            events: vec![
                ev(
                    "Lead Created",
                    "A lead entered the CRM.",
                    None,
                    &[
                        "lead_source: enum(\"inbound\", \"outbound\", \"partner\", \"event\") required \"Where the lead came from\"",
                    ],
                ),
                ev(
                    "Opportunity Created",
                    "A sales opportunity was opened.",
                    None,
                    &[
                        "opportunity_id: string required \"CRM opportunity id\"",
                        "amount:         number min(0) \"Expected deal size\"",
                    ],
                ),
                ev(
                    "Deal Won",
                    "An opportunity was won.",
                    None,
                    &[
                        "opportunity_id: string required \"CRM opportunity id\"",
                        "amount:         number required min(0) \"Deal size\"",
                    ],
                ),
                ev(
                    "Deal Lost",
                    "An opportunity was lost.",
                    None,
                    &[
                        "opportunity_id: string required \"CRM opportunity id\"",
                        "reason:         string \"Why it was lost\"",
                    ],
                ),
            ],
        },
        SourceKind::Map => Catalog {
            owner: "revops",
            consent: Purpose::Marketing,
            retention: None,
            description: "The marketing automation platform (email campaigns)",
            events: vec![
                ev(
                    "Email Sent",
                    "A campaign email was sent.",
                    Some("user"),
                    &["campaign_id: string required \"Campaign identifier\""],
                ),
                ev(
                    "Email Opened",
                    "A campaign email was opened.",
                    Some("user"),
                    &["campaign_id: string required \"Campaign identifier\""],
                ),
                ev(
                    "Email Link Clicked",
                    "A link in a campaign email was clicked.",
                    Some("user"),
                    &[
                        "campaign_id: string required \"Campaign identifier\"",
                        "url:         string required format(uri) \"Link target\"",
                    ],
                ),
                ev(
                    "Email Unsubscribed",
                    "A recipient unsubscribed from campaign emails.",
                    Some("user"),
                    &["campaign_id: string required \"Campaign of the unsubscribe link\""],
                ),
            ],
        },
        SourceKind::Billing => Catalog {
            owner: "revops",
            consent: Purpose::Service,
            retention: Some("finance"),
            description: "The billing system (subscriptions, invoices)",
            events: vec![
                ev(
                    "Subscription Started",
                    "An account started a paid subscription.",
                    Some("user"),
                    &[
                        "subscription_id:  string required \"Billing subscription id\"",
                        "billing_interval: enum(\"month\", \"year\") required \"Billing period\"",
                    ],
                ),
                ev(
                    "Invoice Paid",
                    "An invoice was paid.",
                    Some("user"),
                    &[
                        "invoice_id:   string required \"Billing invoice id\"",
                        "amount_cents: integer required min(0) \"Invoice total in cents\"",
                        "currency:     string required pattern(\"^[A-Z]{3}$\") example(\"EUR\") \"ISO 4217 code\"",
                    ],
                ),
                ev(
                    "Payment Failed",
                    "A payment attempt failed.",
                    Some("user"),
                    &[
                        "invoice_id:     string required \"Billing invoice id\"",
                        "failure_reason: string \"Processor's reason\"",
                    ],
                ),
                ev(
                    "Subscription Cancelled",
                    "An account cancelled its subscription.",
                    Some("user"),
                    &[
                        "subscription_id: string required \"Billing subscription id\"",
                        "reason:          string \"Reason given\"",
                    ],
                ),
            ],
        },
        SourceKind::Support => Catalog {
            owner: "revops",
            consent: Purpose::Service,
            retention: None,
            description: "The support desk",
            events: vec![
                ev(
                    "Ticket Created",
                    "A support ticket was opened.",
                    None,
                    &[
                        "ticket_id: string required \"Support ticket id\"",
                        "priority:  enum(\"low\", \"normal\", \"high\", \"urgent\") required \"Priority\"",
                    ],
                ),
                ev(
                    "Ticket Resolved",
                    "A support ticket was resolved.",
                    None,
                    &[
                        "ticket_id:        string required \"Support ticket id\"",
                        "resolution_hours: number min(0) \"Time to resolution in hours\"",
                    ],
                ),
            ],
        },
        SourceKind::Other => Catalog {
            owner: "analytics",
            consent: Purpose::Analytics,
            retention: None,
            description: "Another source",
            events: vec![ev(
                "Integration Connected",
                "An account connected an integration.",
                None,
                &["integration: string required \"Integration name\""],
            )],
        },
    }
}

/// The `.events` text of the starter plan.
pub fn render(r: &Request) -> String {
    let compliance = !r.constraints.is_empty();
    let gdpr_like = r.has(Constraint::Gdpr) || r.has(Constraint::Coppa);
    let people = r.has_source(SourceKind::Product)
        || r.has_source(SourceKind::Web)
        || r.has_source(SourceKind::Mobile);
    let accounts = r.has_source(SourceKind::Crm) || r.has_source(SourceKind::Billing);

    // What the events use decides which purposes and policies to declare.
    let mut purposes: Vec<Purpose> = Vec::new();
    let mut policies: Vec<&str> = vec!["standard"];
    for &k in &r.sources {
        let c = catalog(k);
        push_unique(&mut purposes, c.consent);
        if let Some(p) = c.retention {
            push_unique(&mut policies, p);
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
    let _ = writeln!(
        s,
        "// Starter tracking plan written by `eventsc init`. Every event is `planned`:\n\
         // review names and properties with each owner, add `email`/`slack` to the\n\
         // owners, then run `eventsc check` and `eventsc build`."
    );
    let _ = writeln!(s);
    let _ = writeln!(s, "plan {} {{", quote(&r.title));
    let _ = writeln!(s, "  use_case    {}", quote(&r.use_case));
    let _ = writeln!(
        s,
        "  sources     {}",
        r.sources
            .iter()
            .map(|k| k.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    if !r.tools.is_empty() {
        let _ = writeln!(s, "  tools       {}", r.tools.join(", "));
    }
    if compliance {
        let _ = writeln!(
            s,
            "  constraints {}",
            r.constraints
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if let Some(t) = &r.timeline {
        let _ = writeln!(s, "  timeline    {t}");
    }
    let _ = writeln!(s, "  version     \"0.1.0\"");
    let _ = writeln!(s, "  owner       @analytics");
    let _ = writeln!(s, "  retention   standard");
    let _ = writeln!(s, "  naming {{");
    let _ = writeln!(s, "    events      object_action");
    let _ = writeln!(s, "    properties  snake_case");
    let _ = writeln!(s, "  }}");
    let _ = writeln!(s, "  pattern     pipeline");
    let _ = writeln!(s, "  qa {{");
    let _ = writeln!(s, "    coverage        95%");
    let _ = writeln!(s, "    defect_ceiling  0");
    let _ = writeln!(s, "    retry_limit     2");
    let _ = writeln!(s, "    escalate_after  2 in 48 hours");
    let _ = writeln!(s, "  }}");
    let _ = writeln!(s, "  escalation  @analytics, @data-eng, @revops");
    if compliance {
        let _ = writeln!(s, "  ripcord     @data-eng, @legal");
        let _ = writeln!(s, "  approvers   @analytics, @data-eng, @legal");
    } else {
        let _ = writeln!(s, "  ripcord     @data-eng, @analytics");
        let _ = writeln!(s, "  approvers   @analytics, @data-eng");
    }
    let _ = writeln!(s, "}}\n");

    // Owners: the escalation ladder, and legal for the rip-cord.
    s.push_str("owner @analytics { name \"Analytics Data Strategist\"; backup @data-eng }\n");
    s.push_str("owner @data-eng  { name \"Data Engineering Lead\"; backup @analytics }\n");
    s.push_str("owner @revops    { name \"Revenue Operations\"; backup @analytics }\n");
    if compliance {
        s.push_str("owner @legal     { name \"Legal\"; description \"Privacy and compliance\" }\n");
    }
    s.push('\n');

    // Consent purposes.
    for p in &purposes {
        let line = match p {
            Purpose::Analytics if gdpr_like => {
                "consent analytics { basis consent; description \"Product and web analytics (opt-in under the ePrivacy rules)\" }"
            }
            Purpose::Analytics => {
                "consent analytics { basis legitimate_interest; description \"Product and web analytics\" }"
            }
            Purpose::Marketing => {
                "consent marketing { basis consent; description \"Lifecycle and campaign emails\" }"
            }
            Purpose::Sales => {
                "consent sales     { basis legitimate_interest; description \"B2B sales pipeline\" }"
            }
            Purpose::Service => {
                "consent service   { basis contract; description \"Providing the service: billing and support\" }"
            }
        };
        s.push_str(line);
        s.push('\n');
    }
    if r.has(Constraint::Ccpa) {
        s.push_str("// ccpa: honour \"Do Not Sell or Share\" opt-outs in the consent manager's categories.\n");
    }
    s.push('\n');

    // Retention policies.
    for p in &policies {
        let line = match *p {
            "standard" if gdpr_like => {
                "retention standard { duration 13 months; action delete; description \"Default for analytics data\" }"
            }
            "standard" => {
                "retention standard { duration 25 months; action delete; description \"Default for analytics data\" }"
            }
            "contact" => {
                "retention contact  { duration 24 months; action anonymize; description \"Contact details\" }"
            }
            _ => {
                "retention finance  { duration 7 years; action anonymize; description \"Financial records kept for bookkeeping\" }"
            }
        };
        s.push_str(line);
        s.push('\n');
    }
    s.push('\n');

    // Sources.
    for &k in &r.sources {
        let _ = writeln!(
            s,
            "source {:<8} {{ kind {}; description {} }}",
            k.as_str(),
            k.as_str(),
            quote(catalog(k).description)
        );
    }
    s.push('\n');

    if r.has(Constraint::Hipaa) {
        s.push_str("// hipaa: `pii(health)` may only flow to tools with a signed BAA; set `baa true` once signed.\n");
        for t in &r.tools {
            let _ = writeln!(s, "tool {t} {{ baa false }}");
        }
        s.push('\n');
    }

    if people {
        s.push_str("identify {\n  owner   @analytics\n  consent analytics\n");
        s.push_str("  email:      string format(email) pii(contact) consent(marketing) retention(contact) \"Login email\"\n");
        s.push_str("  created_at: datetime \"Signup time\"\n}\n\n");
    }
    if accounts {
        let _ = writeln!(
            s,
            "group {{\n  owner   @revops\n  consent {}\n  name:      string required \"Account name\"\n  plan:      string \"Subscription plan\"\n  employees: integer min(1) \"Company size\"\n}}\n",
            group_consent.id()
        );
    }

    for &k in &r.sources {
        let c = catalog(k);
        let _ = writeln!(s, "// Events of source {}: {}", k.as_str(), c.description);
        for e in &c.events {
            let _ = writeln!(s, "event {} {{", quote(e.name));
            let _ = writeln!(s, "  description {}", quote(e.description));
            let _ = writeln!(s, "  owner       @{}", c.owner);
            let _ = writeln!(s, "  source      {}", k.as_str());
            let _ = writeln!(s, "  consent     {}", c.consent.id());
            if let Some(ret) = c.retention {
                let _ = writeln!(s, "  retention   {ret}");
            }
            if let Some(i) = e.identity {
                let _ = writeln!(s, "  identity    {i}");
            }
            let _ = writeln!(s, "  status      planned");
            s.push('\n');
            for p in e.properties {
                let _ = writeln!(s, "  {p}");
            }
            let _ = writeln!(s, "}}\n");
        }
    }
    s.push_str(
        "// Add the KPIs the use case asks for, e.g.:\n\
         // kpi \"Trial to paid\" {\n\
         //   owner      @revops\n\
         //   events     \"Trial Started\", \"Subscription Started\"\n\
         //   dimensions account_id\n\
         //   consumers  \"Looker: Pipeline velocity\"\n\
         // }\n",
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn quoting() {
        assert_eq!(quote("a \"b\" \\ c\nd"), "\"a \\\"b\\\" \\\\ c\\nd\"");
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
        let e = Request::parse(
            "T",
            "U",
            &strings(&["web"]),
            &strings(&["big query"]),
            &[],
            None,
        )
        .unwrap_err();
        assert!(e.contains("`big query`"), "{e}");
    }
}
