//! eventsc: a compiler for tracking plans.
//!
//! Stages (see ARCHITECTURE.md): [`load`] reads files into a [`source::SourceMap`];
//! [`syntax`] parses each into an AST; [`ir::lower`] builds the typed, resolved IR;
//! [`rules`] runs the governance rules; [`diagnostics`] renders what was found.
//! [`check`] chains the front end; [`cli`] is the command line; [`lsp`] the
//! language server.
#![forbid(unsafe_code)]

pub mod audit;
pub mod check;
pub mod cli;
pub mod diagnostics;
pub mod diff;
pub mod docs;
pub mod fmt;
pub mod fsutil;
pub mod import;
pub mod ir;
pub mod load;
pub mod lsp;
pub mod rules;
pub mod serve;
pub mod source;
pub mod starter;
pub mod status;
pub mod syntax;
pub mod synth;
pub mod targets;
pub mod validate;
pub mod visible;
pub mod vocab;
