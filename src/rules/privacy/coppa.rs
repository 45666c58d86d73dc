use super::{consent_based, consent_help, effective_basis};
use crate::ir::{Basis, Constraint, PiiClass, Plan};
use crate::rules::{
    DefaultLevel, Finding, Rule, RuleDoc, container_name, for_each_effective, with_origin,
};

pub(crate) static DOC: RuleDoc = RuleDoc {
    name: "privacy/coppa",
    default: DefaultLevel::Error,
    summary: "Under `coppa`, `pii(contact)` and `pii(location)` properties are covered by a consent purpose with `basis consent`.",
    why: "COPPA requires verifiable parental consent before collecting a child's contact details or geolocation; no other basis will do.",
    bad: "plan \"Kids\" { constraints coppa }\nconsent analytics { basis legitimate_interest }\nidentify { consent analytics; email: string pii(contact) }",
    good: "consent parental { basis consent; description \"Verified parental consent\" }\nidentify { consent parental; email: string pii(contact) }",
};

pub(crate) struct Coppa;

impl Rule for Coppa {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, plan: &Plan, out: &mut Vec<Finding>) {
        let Some(coppa) = plan.meta.constraint_span(Constraint::Coppa) else {
            return;
        };
        let candidates = consent_based(plan);
        for_each_effective(plan, &mut |at| {
            let c = at.container;
            let p = at.property;
            let Some(pii) = &p.modifiers().pii else {
                return;
            };
            if !matches!(pii.value, PiiClass::Contact | PiiClass::Location) {
                return;
            }
            if effective_basis(plan, p) == Some(Basis::Consent) {
                return;
            }
            let f = Finding::new(
                c,
                format!(
                    "`{}` in {} is a child's {} data under coppa and needs a consent-based purpose",
                    at.dotted(),
                    container_name(plan, &c),
                    pii.value
                ),
                pii.span,
                "needs verifiable parental consent",
            )
            .secondary(coppa, "coppa applies")
            .on_property(at.path.to_vec())
            .help(consent_help(&candidates, ""));
            out.push(with_origin(f, p));
        });
    }
}
