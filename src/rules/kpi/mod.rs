pub mod deprecated_event;
pub mod unknown_dimension;
