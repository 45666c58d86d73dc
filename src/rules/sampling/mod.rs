pub(crate) mod range;
