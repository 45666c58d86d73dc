pub(crate) mod confusable_name;
pub(crate) mod event_case;
pub(crate) mod property_case;
