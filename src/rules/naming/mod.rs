pub mod event_case;
pub mod property_case;
