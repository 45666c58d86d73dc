pub(crate) mod deprecated_event;
pub(crate) mod unknown_dimension;
