use crate::ir::Plan;
use crate::rules::names::{convert_case, event_problem};
use crate::rules::{Container, DefaultLevel, Finding, Rule, RuleDoc};

pub(crate) static DOC: RuleDoc = RuleDoc {
    name: "naming/event-case",
    default: DefaultLevel::Error,
    summary: "Event names follow the plan's `naming.events` style (default `object_action`: Title Case words, the past-tense action last).",
    why: "Event names are the keys of every dashboard, warehouse table and destination mapping. One style, chosen once, keeps `Order Completed` from also arriving as `order_completed` and `completeOrder`, which splits every metric built on it.",
    bad: "event \"completed order\" { … }",
    good: "event \"Order Completed\" { … }",
};

pub(crate) struct EventCase;

impl Rule for EventCase {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, plan: &Plan, out: &mut Vec<Finding>) {
        let style = plan.meta.naming.events;
        for (i, e) in plan.events.iter().enumerate() {
            let Some(problem) = event_problem(&e.name.value, style) else {
                continue;
            };
            let fixed = convert_case(&e.name.value, style.as_str());
            let mut f = Finding::new(
                Container::Event(i),
                format!(
                    "event name \"{}\" is not `{}`: {problem}",
                    e.name.value, style
                ),
                e.name.span,
                format!("not `{style}`"),
            );
            f = if event_problem(&fixed, style).is_none() && fixed != e.name.value {
                f.help(format!(
                    "rename it \"{fixed}\", or keep it with `allow(\"{}\", reason \"…\")`",
                    DOC.name
                ))
            } else {
                f.help(format!("write the object, then what happened to it: \"Order Completed\"; or keep it with `allow(\"{}\", reason \"…\")`", DOC.name))
            };
            out.push(f);
        }
    }
}
