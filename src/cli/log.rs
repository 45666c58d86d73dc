//! `eventsc log DIR`: the history of a plan from its audit records (see
//! [`crate::audit`]).

use super::{EXIT_OK, usage_error};
use std::path::PathBuf;

/// Show the history of a plan: one line per audit record, oldest first.
///
/// Each line gives the version, the date (UTC) and how many breaking, compatible,
/// documentation and governance changes the build had since the record before it.
/// `eventsc build … --record DIR` writes the records.
///
/// Example:
///   eventsc log audit/
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub(crate) struct Args {
    /// The directory of audit records.
    pub dir: PathBuf,
}

pub(crate) fn run(args: Args) -> u8 {
    match crate::audit::log(&args.dir) {
        Ok(table) => {
            super::write_stdout(table.as_bytes());
            EXIT_OK
        }
        Err(e) => usage_error(e),
    }
}
