//! The integration tests, in one binary (one link of the library instead of one per file).

mod audit;
mod build;
mod cli;
mod common;
mod dbt;
mod diff;
mod docs;
mod editor;
mod examples;
mod fixtures;
mod fmt;
mod golden;
mod hostile_escape;
mod hostile_fs;
mod import;
mod init;
mod jsonschema;
mod lsp;
mod parser_agreement;
mod serve;
mod targets_data;
mod targets_docs;
mod targets_samples;
mod validate;
mod validate_ajv;
mod validate_workflow;
