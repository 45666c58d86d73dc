pub(crate) mod missing_description;
