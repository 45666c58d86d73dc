use crate::ir::Plan;
use crate::rules::{Container, DefaultLevel, Finding, Rule, RuleDoc};

pub(crate) static DOC: RuleDoc = RuleDoc {
    name: "lifecycle/replaced-by-deprecated",
    default: DefaultLevel::Error,
    summary: "`replaced_by` does not point to an event that is itself deprecated.",
    why: "Migrating to an event that is also on its way out means migrating twice; point straight at the event that lives on.",
    bad: "event \"Signup Completed\" { status deprecated; replaced_by \"Account Created\" }\nevent \"Account Created\"  { status deprecated; replaced_by \"Trial Started\" }",
    good: "event \"Signup Completed\" { status deprecated; replaced_by \"Trial Started\" }",
};

pub(crate) struct ReplacedByDeprecated;

impl Rule for ReplacedByDeprecated {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, plan: &Plan, out: &mut Vec<Finding>) {
        for (i, e) in plan.events.iter().enumerate() {
            let Some(r) = &e.replaced_by else { continue };
            let Some(target) = r.target.and_then(|t| plan.events.get(t)) else {
                continue;
            };
            if !target.is_deprecated() {
                continue;
            }
            let mut f = Finding::new(
                Container::Event(i),
                format!(
                    "\"{}\" is replaced by \"{}\", which is deprecated too",
                    e.name.value, target.name.value
                ),
                r.span,
                "points to a deprecated event",
            )
            .secondary(target.status.span, "deprecated here");
            let mut end = target;
            let mut seen = vec![e.name.value.as_str()];
            while let Some(next) = end
                .replaced_by
                .as_ref()
                .and_then(|r| r.target)
                .and_then(|t| plan.events.get(t))
            {
                if seen.contains(&next.name.value.as_str()) || !end.is_deprecated() {
                    break;
                }
                seen.push(&end.name.value);
                end = next;
            }
            f = if !end.is_deprecated() {
                f.help(format!(
                    "point it at the event that replaces both: `replaced_by \"{}\"`",
                    end.name.value
                ))
            } else {
                f.help("point it at an event that is not deprecated")
            };
            out.push(f);
        }
    }
}
