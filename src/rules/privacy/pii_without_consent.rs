use crate::ir::Plan;
use crate::rules::{
    DefaultLevel, Finding, Rule, RuleDoc, container_name, for_each_effective, with_origin,
};

pub(crate) static DOC: RuleDoc = RuleDoc {
    name: "privacy/pii-without-consent",
    default: DefaultLevel::Error,
    summary: "A `pii(...)` property has an effective consent purpose (its own `consent(...)`, else its event's `consent`).",
    why: "Personal data may only be collected for a stated purpose. Without one, consent managers cannot gate the property and legal cannot answer what it is used for.",
    bad: "event \"Signup Completed\" {\n  email: string pii(contact)\n}",
    good: "event \"Signup Completed\" {\n  consent analytics\n  email: string pii(contact)\n}",
};

pub(crate) struct PiiWithoutConsent;

impl Rule for PiiWithoutConsent {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, plan: &Plan, out: &mut Vec<Finding>) {
        let help = match plan.consents.first() {
            Some(c) => format!("add `consent({0})` to the property, or `consent {0}` to its block", c.id.value),
            None => "declare a consent purpose (`consent analytics { basis legitimate_interest }`) and reference it".to_string(),
        };
        for_each_effective(plan, &mut |at| {
            let c = at.container;
            let p = at.property;
            let (Some(pii), None) = (&p.modifiers().pii, p.effective.consent()) else {
                return;
            };
            if p.effective.unresolved() {
                return;
            }
            let f = Finding::new(
                c,
                format!(
                    "`{}` in {} is personal data (`pii({})`) but no consent purpose covers it",
                    at.dotted(),
                    container_name(plan, &c),
                    pii.value
                ),
                pii.span,
                "personal data without a consent purpose",
            )
            .on_property(at.path.to_vec())
            .help(help.clone());
            out.push(with_origin(f, p));
        });
    }
}
