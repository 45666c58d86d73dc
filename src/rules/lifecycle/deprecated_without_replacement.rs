use crate::ir::Plan;
use crate::rules::{Container, DefaultLevel, Finding, Rule, RuleDoc};

pub(crate) static DOC: RuleDoc = RuleDoc {
    name: "lifecycle/deprecated-without-replacement",
    default: DefaultLevel::Warn,
    summary: "A `deprecated` event names its `replaced_by` event and a `sunset` date.",
    why: "Deprecation is a migration: implementers need to know what to send instead and by when the old event stops being accepted, or it lingers forever.",
    bad: "event \"Signup Completed\" {\n  status deprecated\n}",
    good: "event \"Signup Completed\" {\n  status      deprecated\n  replaced_by \"Trial Started\"\n  sunset      2027-03-31\n}",
};

pub(crate) struct DeprecatedWithoutReplacement;

impl Rule for DeprecatedWithoutReplacement {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, plan: &Plan, out: &mut Vec<Finding>) {
        for (i, e) in plan.events.iter().enumerate() {
            if !e.is_deprecated() {
                continue;
            }
            let missing: Vec<&str> = [
                ("replaced_by", e.replaced_by.is_none()),
                ("sunset", e.sunset.is_none()),
            ]
            .into_iter()
            .filter_map(|(n, m)| m.then_some(n))
            .collect();
            if missing.is_empty() {
                continue;
            }
            let list = missing
                .iter()
                .map(|m| format!("`{m}`"))
                .collect::<Vec<_>>()
                .join(" and ");
            out.push(
                Finding::new(
                    Container::Event(i),
                    format!("deprecated event \"{}\" has no {list}", e.name.value),
                    e.status.span,
                    "deprecated here",
                )
                .help("say what replaces it and when it stops: `replaced_by \"…\"` and `sunset YYYY-MM-DD`"),
            );
        }
    }
}
