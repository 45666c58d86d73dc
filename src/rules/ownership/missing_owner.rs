use crate::ir::Plan;
use crate::rules::{Container, DefaultLevel, Finding, Rule, RuleDoc};

pub(crate) static DOC: RuleDoc = RuleDoc {
    name: "ownership/missing-owner",
    default: DefaultLevel::Error,
    summary: "Every event, the `identify` and `group` blocks, and every `page` and `screen` rule name an owner.",
    why: "When an event breaks, someone has to fix it. Without an owner, QA defects, consent questions and deletion requests have nobody to go to.",
    bad: "event \"Order Completed\" {\n  description \"…\"\n}",
    good: "event \"Order Completed\" {\n  description \"…\"\n  owner @growth\n}",
};

pub(crate) struct MissingOwner;

impl Rule for MissingOwner {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, plan: &Plan, out: &mut Vec<Finding>) {
        let hint = match plan.owners.first() {
            Some(o) => format!("add `owner @{}` (or another declared owner)", o.id.value),
            None => {
                "declare an owner (`owner @team { name \"…\" }`) and add `owner @team`".to_string()
            }
        };
        for (i, e) in plan.events.iter().enumerate() {
            if e.owner.is_none() {
                out.push(
                    Finding::new(
                        Container::Event(i),
                        format!("event \"{}\" has no owner", e.name.value),
                        e.name.span,
                        "no `owner`",
                    )
                    .help(hint.clone()),
                );
            }
        }
        for t in [&plan.identify, &plan.group].into_iter().flatten() {
            if t.owner.is_none() {
                out.push(
                    Finding::new(
                        Container::Traits(t.kind),
                        format!("`{}` has no owner", t.kind.keyword()),
                        t.keyword_span,
                        "no `owner`",
                    )
                    .help(hint.clone()),
                );
            }
        }
        for (i, t) in plan.views.iter().enumerate() {
            if t.owner.is_none() {
                out.push(
                    Finding::new(
                        Container::View(i),
                        format!("`{}` has no owner", Plan::view_label(t)),
                        t.name.as_ref().map_or(t.keyword_span, |n| n.span),
                        "no `owner`",
                    )
                    .help(hint.clone()),
                );
            }
        }
    }
}
