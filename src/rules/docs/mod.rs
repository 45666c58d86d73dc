pub mod missing_description;
