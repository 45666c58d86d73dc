use crate::ir::{Constraint, PiiClass, Plan};
use crate::rules::{
    DefaultLevel, Finding, Rule, RuleDoc, container_name, for_each_effective, with_origin,
};

pub static DOC: RuleDoc = RuleDoc {
    name: "privacy/hipaa-phi",
    default: DefaultLevel::Error,
    summary: "Under `hipaa`, `pii(health)` properties may only be in a plan whose every tool is declared with `baa true`.",
    why: "Protected health information may only flow to vendors that signed a Business Associate Agreement. Every tool of the plan receives the events, so every one of them needs a BAA.",
    bad: "plan \"Care\" { constraints hipaa; tools segment, amplitude }\ntool segment { baa true }\n// amplitude: no declaration, so no BAA",
    good: "plan \"Care\" { constraints hipaa; tools segment, amplitude }\ntool segment   { baa true }\ntool amplitude { baa true }",
};

pub struct HipaaPhi;

impl Rule for HipaaPhi {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, plan: &Plan, out: &mut Vec<Finding>) {
        let Some(hipaa) = plan.meta.constraint_span(Constraint::Hipaa) else {
            return;
        };
        let uncovered: Vec<_> = plan
            .meta
            .tools
            .iter()
            .filter(|t| {
                !plan
                    .tools
                    .iter()
                    .any(|d| d.id.value == t.value && d.baa.as_ref().is_some_and(|b| b.value))
            })
            .collect();
        if uncovered.is_empty() {
            return;
        }
        let names = uncovered
            .iter()
            .map(|t| format!("`{}`", t.value))
            .collect::<Vec<_>>()
            .join(", ");
        for_each_effective(plan, &mut |at| {
            let c = at.container;
            let p = at.property;
            if p.pii.as_ref().is_none_or(|x| x.value != PiiClass::Health) {
                return;
            }
            let mut f = Finding::new(
                c,
                format!(
                    "`{}` in {} is health data under hipaa, but {names} have no BAA",
                    at.dotted(),
                    container_name(plan, &c)
                ),
                p.pii.as_ref().map_or(p.name.span, |x| x.span),
                "protected health information",
            )
            .secondary(hipaa, "hipaa applies")
            .on_property(at.path.to_vec());
            for t in &uncovered {
                let decl = plan.tools.iter().find(|d| d.id.value == t.value);
                f = match decl.and_then(|d| d.baa.as_ref()) {
                    Some(b) => {
                        f.secondary(b.span, format!("`{}` is declared without a BAA", t.value))
                    }
                    None => f.secondary(
                        t.span,
                        format!("`{}` has no `tool {} {{ baa true }}`", t.value, t.value),
                    ),
                };
            }
            f = f.help("declare `baa true` on every tool once the agreement is signed, or remove the tool from the plan");
            out.push(with_origin(f, p));
        });
    }
}
