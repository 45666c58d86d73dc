use crate::ir::{Constraint, PiiClass, Plan};
use crate::rules::{
    Container, DefaultLevel, Finding, Rule, RuleDoc, container_name, for_each_effective,
};

pub(crate) static DOC: RuleDoc = RuleDoc {
    name: "privacy/hipaa-phi",
    default: DefaultLevel::Error,
    summary: "Under `hipaa`, `pii(health)` properties may only be in a plan whose every tool is declared with `baa true`.",
    why: "Protected health information may only flow to vendors that signed a Business Associate Agreement. Every tool of the plan receives the events, so every one of them needs a BAA.",
    bad: "plan \"Care\" { constraints hipaa; tools segment, amplitude }\ntool segment { baa true }\n// amplitude: no declaration, so no BAA",
    good: "plan \"Care\" { constraints hipaa; tools segment, amplitude }\ntool segment   { baa true }\ntool amplitude { baa true }",
};

pub(crate) struct HipaaPhi;

impl Rule for HipaaPhi {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, plan: &Plan, out: &mut Vec<Finding>) {
        let Some(hipaa) = plan.meta.constraint_span(Constraint::Hipaa) else {
            return;
        };
        let mut health = Vec::new();
        for_each_effective(plan, &mut |at| {
            if let Some(p) = at
                .property
                .modifiers()
                .pii
                .as_ref()
                .filter(|p| p.value == PiiClass::Health)
            {
                health.push((p.span, at.dotted(), at.container));
            }
        });
        health.sort_by_key(|(span, ..)| *span);
        health.dedup_by_key(|(span, ..)| *span);
        let Some((first_span, first_name, first_container)) = health.first() else {
            return;
        };
        for t in &plan.meta.tools {
            let decl = plan.tools.iter().find(|d| d.id.value == t.value);
            if decl.and_then(|d| d.baa.as_ref()).is_some_and(|b| b.value) {
                continue;
            }
            let others = health.len() - 1;
            let mut f = Finding::new(
                Container::Plan,
                format!(
                    "`{}` receives health data under hipaa but has no BAA ({} `pii(health)` propert{})",
                    t.value,
                    health.len(),
                    if health.len() == 1 { "y" } else { "ies" }
                ),
                t.span,
                "no Business Associate Agreement",
            )
            .secondary(hipaa, "hipaa applies");
            if let Some(b) = decl.and_then(|d| d.baa.as_ref()) {
                f = f.secondary(b.span, "declared without a BAA");
            }
            f = f.secondary(
                *first_span,
                if others == 0 {
                    format!(
                        "`{first_name}` in {} is health data",
                        container_name(plan, first_container)
                    )
                } else {
                    format!(
                        "`{first_name}` in {} is health data (and {others} more)",
                        container_name(plan, first_container)
                    )
                },
            );
            f = f.help(match decl {
                Some(_) => format!("once the agreement is signed, declare `tool {} {{ baa true }}`; otherwise remove `{}` from the plan's tools", t.value, t.value),
                None => format!("declare `tool {} {{ baa true }}` once the agreement is signed, or remove it from the plan's tools", t.value),
            });
            out.push(f);
        }
    }
}
