use crate::ir::Plan;
use crate::rules::{Container, DefaultLevel, Finding, Rule, RuleDoc};

pub(crate) static DOC: RuleDoc = RuleDoc {
    name: "lifecycle/replaced-but-active",
    default: DefaultLevel::Warn,
    summary: "Only a `deprecated` event names a `replaced_by` event.",
    why: "`replaced_by` says implementers should send another event instead. On an event that is still planned or implemented, that contradicts its status: QA keeps expecting it, `validate` does not warn when it is seen, and the outputs present two events for one fact.",
    bad: "event \"Signup Completed\" {\n  status      implemented\n  replaced_by \"Trial Started\"\n}",
    good: "event \"Signup Completed\" {\n  status      deprecated\n  replaced_by \"Trial Started\"\n  sunset      2027-03-31\n}",
};

pub(crate) struct ReplacedButActive;

impl Rule for ReplacedButActive {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, plan: &Plan, out: &mut Vec<Finding>) {
        for (i, e) in plan.events.iter().enumerate() {
            let Some(replacement) = &e.replaced_by else {
                continue;
            };
            if e.is_deprecated() {
                continue;
            }
            let mut finding = Finding::new(
                Container::Event(i),
                format!(
                    "\"{}\" is replaced by \"{}\" but its status is `{}`",
                    e.name.value,
                    replacement.name,
                    e.status.value.as_str()
                ),
                replacement.span,
                "replacement named here",
            );
            if e.status_written {
                finding = finding.secondary(e.status.span, "status");
            }
            out.push(finding.help(
                "mark it `status deprecated` (with a `sunset` date), or remove `replaced_by`",
            ));
        }
    }
}
