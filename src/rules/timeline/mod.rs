pub mod release_after_deadline;
