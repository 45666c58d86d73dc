//! `eventsc targets`: the output targets `build --target` accepts, one per line.

use super::EXIT_OK;

/// List the targets `eventsc build --target` accepts, one per line.
///
/// Example:
///   eventsc targets
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub(crate) struct Args {}

pub(crate) fn run(_args: Args) -> u8 {
    let width = crate::targets::TARGETS
        .iter()
        .map(|t| t.name().len())
        .max()
        .unwrap_or(0);
    let text: String = crate::targets::TARGETS
        .iter()
        .map(|t| format!("{:width$}  {}\n", t.name(), t.description()))
        .collect();
    super::write_stdout(text.as_bytes());
    EXIT_OK
}
