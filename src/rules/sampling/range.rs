use crate::ir::Plan;
use crate::ir::values::format_number;
use crate::rules::{Container, DefaultLevel, Finding, Rule, RuleDoc};

pub(crate) static DOC: RuleDoc = RuleDoc {
    name: "sampling/range",
    default: DefaultLevel::Error,
    summary: "An event's `sampling` is between 0% and 100%.",
    why: "Sampling is the share of occurrences sent; anything outside 0–100% is a typo that would make volume-based QA and dashboards wrong.",
    bad: "event \"Page Scrolled\" { sampling 150% }",
    good: "event \"Page Scrolled\" { sampling 15% }",
};

pub(crate) struct Range;

impl Rule for Range {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, plan: &Plan, out: &mut Vec<Finding>) {
        for (i, e) in plan.events.iter().enumerate() {
            let Some(s) = &e.sampling else { continue };
            if (0.0..=100.0).contains(&s.value) {
                continue;
            }
            out.push(
                Finding::new(
                    Container::Event(i),
                    format!(
                        "sampling of \"{}\" is {}%, outside 0%–100%",
                        e.name.value,
                        format_number(s.value)
                    ),
                    s.span,
                    "out of range",
                )
                .help("sampling is the share of occurrences sent: 0% to 100%"),
            );
        }
    }
}
