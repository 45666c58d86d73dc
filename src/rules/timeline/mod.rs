pub(crate) mod release_after_deadline;
