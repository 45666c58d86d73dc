pub mod deprecated_without_replacement;
pub mod replaced_but_active;
pub mod replaced_by_deprecated;
pub mod since_after_plan_version;
pub mod sunset_before_release;
