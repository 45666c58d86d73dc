use crate::ir::Plan;
use crate::rules::{DefaultLevel, Finding, Rule, RuleDoc, container_name, effective_properties, with_origin};

pub static DOC: RuleDoc = RuleDoc {
    name: "privacy/pii-without-consent",
    default: DefaultLevel::Error,
    summary: "A `pii(...)` property has an effective consent purpose (its own `consent(...)`, else its event's `consent`).",
    why: "Personal data may only be collected for a stated purpose. Without one, consent managers cannot gate the property and legal cannot answer what it is used for.",
    bad: "event \"Signup Completed\" {\n  email: string pii(contact)\n}",
    good: "event \"Signup Completed\" {\n  consent analytics\n  email: string pii(contact)\n}",
};

pub struct PiiWithoutConsent;

impl Rule for PiiWithoutConsent {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, plan: &Plan, out: &mut Vec<Finding>) {
        let example = plan.consents.first().map_or("analytics", |c| c.id.value.as_str());
        for (c, at) in effective_properties(plan) {
            let p = at.property;
            let (Some(pii), None) = (&p.pii, p.effective.consent) else { continue };
            if p.consent.as_ref().is_some_and(|r| r.target.is_none()) {
                continue;
            }
            let f = Finding::new(
                c.clone(),
                format!("`{}` in {} is personal data (`pii({})`) but no consent purpose covers it", at.dotted, container_name(plan, &c), pii.value),
                pii.span,
                "personal data without a consent purpose",
            )
            .on_property(at.path)
            .help(format!("add `consent({example})` to the property, or `consent {example}` to its block"));
            out.push(with_origin(f, p));
        }
    }
}
