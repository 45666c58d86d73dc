use crate::ir::{Constraint, Plan};
use crate::rules::{
    DefaultLevel, Finding, Rule, RuleDoc, container_name, for_each_effective, with_origin,
};

pub(crate) static DOC: RuleDoc = RuleDoc {
    name: "privacy/pii-without-retention",
    default: DefaultLevel::Error,
    summary: "Under `gdpr`, a `pii(...)` property has an effective retention policy (its own, its event's, or the plan's default).",
    why: "GDPR's storage-limitation principle (Art. 5(1)(e)) requires personal data to be kept no longer than necessary. Without a retention policy there is no deletion job to build.",
    bad: "plan \"Shop\" { constraints gdpr }\nevent \"Signup Completed\" {\n  email: string pii(contact)\n}",
    good: "plan \"Shop\" { constraints gdpr; retention standard }\nretention standard { duration 13 months; action delete }",
};

pub(crate) struct PiiWithoutRetention;

impl Rule for PiiWithoutRetention {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, plan: &Plan, out: &mut Vec<Finding>) {
        let Some(gdpr) = plan.meta.constraint_span(Constraint::Gdpr) else {
            return;
        };
        let help = match plan.retentions.first() {
            Some(r) => format!(
                "add `retention({0})` to the property, `retention {0}` to its block, or a default `retention` to the plan",
                r.id.value
            ),
            None => "declare a retention policy (`retention standard { duration 13 months; action delete }`) and make it the plan's default `retention`".to_string(),
        };
        for_each_effective(plan, &mut |at| {
            let c = at.container;
            let p = at.property;
            let (Some(pii), None) = (&p.modifiers().pii, p.effective.retention()) else {
                return;
            };
            if p.effective.unresolved() {
                return;
            }
            let f = Finding::new(
                c,
                format!(
                    "`{}` in {} is personal data under gdpr but has no retention policy",
                    at.dotted(),
                    container_name(plan, &c)
                ),
                pii.span,
                "personal data kept indefinitely",
            )
            .secondary(gdpr, "gdpr applies")
            .on_property(at.path.to_vec())
            .help(help.clone());
            out.push(with_origin(f, p));
        });
    }
}
