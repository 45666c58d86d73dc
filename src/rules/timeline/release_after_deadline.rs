use crate::ir::Plan;
use crate::rules::{Container, DefaultLevel, Finding, Rule, RuleDoc};

pub(crate) static DOC: RuleDoc = RuleDoc {
    name: "timeline/release-after-deadline",
    default: DefaultLevel::Warn,
    summary: "An event's `release` date is not after the plan's `timeline`.",
    why: "The timeline is the delivery date of the request. An event that ships later cannot be part of the QA and sign-off planned for that date; either the date or the scope has to move.",
    bad: "plan \"Shop\" { timeline 2026-12-15 }\nevent \"Order Completed\" { release 2027-01-10 }",
    good: "plan \"Shop\" { timeline 2026-12-15 }\nevent \"Order Completed\" { release 2026-12-10 }",
};

pub(crate) struct ReleaseAfterDeadline;

impl Rule for ReleaseAfterDeadline {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, plan: &Plan, out: &mut Vec<Finding>) {
        let Some(deadline) = &plan.meta.timeline else {
            return;
        };
        for (i, e) in plan.events.iter().enumerate() {
            let Some(release) = &e.release else { continue };
            if release.value <= deadline.value {
                continue;
            }
            let late = release.value.days_since_epoch() - deadline.value.days_since_epoch();
            out.push(
                Finding::new(
                    Container::Event(i),
                    format!(
                        "\"{}\" is released on {}, {late} day{} after the plan's timeline ({})",
                        e.name.value,
                        release.value,
                        if late == 1 { "" } else { "s" },
                        deadline.value
                    ),
                    release.span,
                    "after the deadline",
                )
                .secondary(deadline.span, "the plan's timeline")
                .help("move the release before the timeline, or move the timeline"),
            );
        }
    }
}
