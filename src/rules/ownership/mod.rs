pub(crate) mod missing_owner;
