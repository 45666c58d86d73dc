use crate::ir::Plan;
use crate::rules::{DefaultLevel, Finding, Rule, RuleDoc};

pub(crate) static DOC: RuleDoc = RuleDoc {
    name: "unused/allow",
    default: DefaultLevel::Warn,
    summary: "Every `allow(\"rule\", reason \"…\")` silences at least one finding of its rule.",
    why: "Exceptions outlive the problem they excused. A stale `allow` documents a problem that no longer exists and will hide the next real one.",
    bad: "event \"Order Completed\" {\n  allow(\"naming/event-case\", reason \"legacy\")   // the name is fine\n}",
    good: "event \"order_completed\" {\n  allow(\"naming/event-case\", reason \"legacy name kept for dashboards\")\n}",
};

/// Checked by the engine (it needs to know which exceptions were used);
/// see `crate::rules::engine`.
pub(crate) struct UnusedAllow;

impl Rule for UnusedAllow {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, _plan: &Plan, _out: &mut Vec<Finding>) {}
}
