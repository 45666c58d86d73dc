pub mod missing_owner;
