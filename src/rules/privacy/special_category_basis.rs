use super::{consent_based, consent_help, effective_basis};
use crate::ir::{Basis, Constraint, PiiClass, Plan};
use crate::rules::{
    DefaultLevel, Finding, Rule, RuleDoc, container_name, for_each_effective, with_origin,
};

pub(crate) static DOC: RuleDoc = RuleDoc {
    name: "privacy/special-category-basis",
    default: DefaultLevel::Error,
    summary: "Under `gdpr`, `pii(health)` and `pii(sensitive)` properties are covered by a consent purpose whose `basis` is `consent`.",
    why: "Special categories of personal data (GDPR Art. 9) may not be processed on legitimate interest or contract; explicit consent is the usual lawful ground for product analytics.",
    bad: "consent analytics { basis legitimate_interest }\nevent \"Symptom Logged\" {\n  consent analytics\n  symptom: string pii(health)\n}",
    good: "consent health_data { basis consent }\nevent \"Symptom Logged\" {\n  consent analytics\n  symptom: string pii(health) consent(health_data)\n}",
};

pub(crate) struct SpecialCategoryBasis;

impl Rule for SpecialCategoryBasis {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, plan: &Plan, out: &mut Vec<Finding>) {
        let Some(gdpr) = plan.meta.constraint_span(Constraint::Gdpr) else {
            return;
        };
        let candidates = consent_based(plan);
        for_each_effective(plan, &mut |at| {
            let c = at.container;
            let p = at.property;
            let Some(pii) = &p.modifiers().pii else {
                return;
            };
            if !matches!(pii.value, PiiClass::Health | PiiClass::Sensitive)
                || p.effective.consent().is_none()
            {
                return;
            }
            let basis = effective_basis(plan, p);
            if basis == Some(Basis::Consent) || basis.is_none() {
                return;
            }
            let consent = p.effective.consent().and_then(|i| plan.consents.get(i));
            let mut f = Finding::new(
                c,
                format!(
                    "`{}` in {} is special-category data (`pii({})`) but its consent purpose rests on `{}`",
                    at.dotted(),
                    container_name(plan, &c),
                    pii.value,
                    basis.map_or("no basis", |b| b.as_str())
                ),
                pii.span,
                "special-category data",
            )
            .secondary(gdpr, "gdpr applies")
            .on_property(at.path.to_vec());
            if let Some(b) = consent.and_then(|c| c.basis.as_ref()) {
                f = f.secondary(b.span, "this basis is not explicit consent");
            }
            f = f.help(consent_help(&candidates, "a purpose based on consent: "));
            out.push(with_origin(f, p));
        });
    }
}
