//! `eventsc targets`: the output targets `build --target` accepts, one per line.

use super::EXIT_OK;

/// List the targets `eventsc build --target` accepts, one per line.
///
/// Example:
///   eventsc targets
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {}

pub fn run(_args: Args) -> u8 {
    let width = crate::targets::TARGETS
        .iter()
        .map(|t| t.name().len())
        .max()
        .unwrap_or(0);
    for t in crate::targets::TARGETS {
        println!("{:width$}  {}", t.name(), t.description());
    }
    EXIT_OK
}
