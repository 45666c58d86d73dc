pub mod deprecated_without_replacement;
pub mod replaced_by_deprecated;
