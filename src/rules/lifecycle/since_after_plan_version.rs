use crate::ir::Plan;
use crate::rules::{Container, DefaultLevel, Finding, Rule, RuleDoc};

pub(crate) static DOC: RuleDoc = RuleDoc {
    name: "lifecycle/since-after-plan-version",
    default: DefaultLevel::Warn,
    summary: "An event's `since` version is not newer than the plan's `version`.",
    why: "`since` records the plan version an event was added in. A version the plan has not reached yet is a typo, or the plan's version was not bumped with the change (which `eventsc diff` then misjudges).",
    bad: "plan \"Shop\" { version \"1.2.0\" }\nevent \"Order Completed\" { since \"1.3.0\" }",
    good: "plan \"Shop\" { version \"1.3.0\" }\nevent \"Order Completed\" { since \"1.3.0\" }",
};

pub(crate) struct SinceAfterPlanVersion;

impl Rule for SinceAfterPlanVersion {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, plan: &Plan, out: &mut Vec<Finding>) {
        let version = &plan.meta.version;
        let label = if plan.meta.version_written {
            "the plan's version"
        } else {
            "this plan writes no `version` (so it is 0.1.0)"
        };
        for (i, e) in plan.events.iter().enumerate() {
            let Some(since) = &e.since else { continue };
            if since.value.precedence(&version.value) != std::cmp::Ordering::Greater {
                continue;
            }
            out.push(
                Finding::new(
                    Container::Event(i),
                    format!(
                        "\"{}\" is marked since {}, newer than the plan's version {}",
                        e.name.value, since.value, version.value
                    ),
                    since.span,
                    "newer than the plan",
                )
                .secondary(version.span, label)
                .help("bump the plan's `version` with this change, or correct `since`"),
            );
        }
    }
}
