use crate::ir::{Constraint, Plan};
use crate::rules::{DefaultLevel, Finding, Rule, RuleDoc, container_name, effective_properties, with_origin};

pub static DOC: RuleDoc = RuleDoc {
    name: "privacy/pii-without-retention",
    default: DefaultLevel::Error,
    summary: "Under `gdpr`, a `pii(...)` property has an effective retention policy (its own, its event's, or the plan's default).",
    why: "GDPR's storage-limitation principle (Art. 5(1)(e)) requires personal data to be kept no longer than necessary. Without a retention policy there is no deletion job to build.",
    bad: "plan \"Shop\" { constraints gdpr }\nevent \"Signup Completed\" {\n  email: string pii(contact)\n}",
    good: "plan \"Shop\" { constraints gdpr; retention standard }\nretention standard { duration 13 months; action delete }",
};

pub struct PiiWithoutRetention;

impl Rule for PiiWithoutRetention {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, plan: &Plan, out: &mut Vec<Finding>) {
        let Some(gdpr) = plan.meta.constraint_span(Constraint::Gdpr) else { return };
        let example = plan.retentions.first().map_or("standard", |r| r.id.value.as_str());
        for (c, at) in effective_properties(plan) {
            let p = at.property;
            let (Some(pii), None) = (&p.pii, p.effective.retention) else { continue };
            if p.retention.as_ref().is_some_and(|r| r.target.is_none()) {
                continue;
            }
            let f = Finding::new(
                c.clone(),
                format!("`{}` in {} is personal data under gdpr but has no retention policy", at.dotted, container_name(plan, &c)),
                pii.span,
                "personal data kept indefinitely",
            )
            .secondary(gdpr, "gdpr applies")
            .on_property(at.path)
            .help(format!("add `retention({example})` to the property, `retention {example}` to its block, or a default `retention` to the plan"));
            out.push(with_origin(f, p));
        }
    }
}
