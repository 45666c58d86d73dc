use crate::ir::Plan;
use crate::rules::{Container, DefaultLevel, Finding, Rule, RuleDoc};

pub(crate) static DOC: RuleDoc = RuleDoc {
    name: "docs/missing-description",
    default: DefaultLevel::Warn,
    summary: "Every event has a non-empty `description`.",
    why: "The description is what engineers implement and analysts query against; the instrumentation spec and the Segment schema carry it. An event without one gets implemented by guesswork.",
    bad: "event \"Order Completed\" {\n  owner @growth\n}",
    good: "event \"Order Completed\" {\n  description \"The customer completed checkout and the order was accepted.\"\n  owner @growth\n}",
};

pub(crate) struct MissingDescription;

impl Rule for MissingDescription {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, plan: &Plan, out: &mut Vec<Finding>) {
        for (i, e) in plan.events.iter().enumerate() {
            let empty = e
                .description
                .as_ref()
                .is_none_or(|d| d.value.trim().is_empty());
            if empty {
                out.push(
                    Finding::new(
                        Container::Event(i),
                        format!("event \"{}\" has no description", e.name.value),
                        e.name.span,
                        "no `description`",
                    )
                    .help("add `description \"…\"`: when it fires and what it means"),
                );
            }
        }
    }
}
