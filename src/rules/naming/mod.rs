pub mod confusable_name;
pub mod event_case;
pub mod property_case;
