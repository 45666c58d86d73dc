pub(crate) mod deprecated_without_replacement;
pub(crate) mod replaced_but_active;
pub(crate) mod replaced_by_deprecated;
pub(crate) mod since_after_plan_version;
pub(crate) mod sunset_before_release;
