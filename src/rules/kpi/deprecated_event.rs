use crate::ir::Plan;
use crate::rules::{Container, DefaultLevel, Finding, Rule, RuleDoc};

pub(crate) static DOC: RuleDoc = RuleDoc {
    name: "kpi/deprecated-event",
    default: DefaultLevel::Warn,
    summary: "A KPI does not depend on a deprecated event.",
    why: "When the deprecated event reaches its sunset, the KPI silently drops to zero. Move the KPI to the replacement before that happens.",
    bad: "kpi \"Signups\" { events \"Signup Completed\" }   // deprecated",
    good: "kpi \"Signups\" { events \"Trial Started\" }",
};

pub(crate) struct DeprecatedEvent;

impl Rule for DeprecatedEvent {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, plan: &Plan, out: &mut Vec<Finding>) {
        for (i, k) in plan.kpis.iter().enumerate() {
            for r in &k.events {
                let Some(e) = r.target.and_then(|t| plan.events.get(t)) else {
                    continue;
                };
                if !e.is_deprecated() {
                    continue;
                }
                let mut f = Finding::new(
                    Container::Kpi(i),
                    format!(
                        "KPI \"{}\" depends on deprecated event \"{}\"",
                        k.name.value, e.name.value
                    ),
                    r.span,
                    "deprecated event",
                )
                .secondary(e.status.span, "deprecated here");
                f = match &e.replaced_by {
                    Some(rep) => f.help(format!("use its replacement: \"{}\"", rep.name)),
                    None => f.help("move the KPI to the event that replaces it"),
                };
                out.push(f);
            }
        }
    }
}
