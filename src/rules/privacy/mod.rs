pub(crate) mod coppa;
pub(crate) mod hipaa_phi;
pub(crate) mod pii_without_consent;
pub(crate) mod pii_without_retention;
pub(crate) mod special_category_basis;

use crate::ir::{Basis, Plan, Property};

/// The basis of a property's effective consent purpose, if any.
pub(crate) fn effective_basis(plan: &Plan, p: &Property) -> Option<Basis> {
    p.effective
        .consent()
        .and_then(|i| plan.consents.get(i))
        .and_then(|c| c.basis.as_ref())
        .map(|b| b.value)
}

/// Names of consent purposes declared with `basis consent`, for help texts.
pub(crate) fn consent_based(plan: &Plan) -> Vec<&str> {
    plan.consents
        .iter()
        .filter(|c| c.basis.as_ref().is_some_and(|b| b.value == Basis::Consent))
        .map(|c| c.id.value.as_str())
        .collect()
}

/// The help of a finding a purpose with `basis consent` would fix: the first
/// such purpose (`cover` says what it is), or how to declare one.
pub(crate) fn consent_help(candidates: &[&str], cover: &str) -> String {
    match candidates.first() {
        Some(id) => format!("cover it with {cover}`consent({id})`"),
        None => "declare a purpose with `basis consent` and add `consent(id)` to the property"
            .to_string(),
    }
}
