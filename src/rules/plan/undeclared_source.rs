use crate::ir::Plan;
use crate::rules::{Container, DefaultLevel, Finding, Rule, RuleDoc};

pub(crate) static DOC: RuleDoc = RuleDoc {
    name: "plan/undeclared-source",
    default: DefaultLevel::Error,
    summary: "An event's `source` is listed in the plan's `sources`.",
    why: "The plan's sources are the scope of the request: the catalog tasks, QA and sign-off are organised per source. An event from a source outside that scope has no task, no QA and no owner for its pipeline.",
    bad: "plan \"Shop\" { sources web }\nevent \"Order Completed\" { source server }",
    good: "plan \"Shop\" { sources web, server }\nevent \"Order Completed\" { source server }",
};

pub(crate) struct UndeclaredSource;

impl Rule for UndeclaredSource {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, plan: &Plan, out: &mut Vec<Finding>) {
        for (i, e) in plan.events.iter().enumerate() {
            let Some(src) = &e.source else { continue };
            if src.target.is_none() || plan.meta.sources.iter().any(|s| s.name == src.name) {
                continue;
            }
            let mut f = Finding::new(
                Container::Event(i),
                format!(
                    "source `{}` of \"{}\" is not one of the plan's sources",
                    src.name, e.name.value
                ),
                src.span,
                "not in the plan's `sources`",
            );
            f = match plan.meta.sources.last() {
                Some(last) => f
                    .secondary(last.span, "the plan's sources")
                    .help(format!("add `{}` to the plan's `sources`", src.name)),
                None => f.help(format!("list it in the plan: `sources {}`", src.name)),
            };
            out.push(f);
        }
    }
}
