//! `eventsc synth`: writes a synthetic plan for benchmarks (hidden command).

use super::{EXIT_OK, usage_error};
use std::path::PathBuf;

/// Write a synthetic plan of N events × P properties (for benchmarks).
#[derive(clap::Args)]
pub(crate) struct Args {
    /// Number of events.
    #[arg(long, default_value_t = 1000)]
    pub events: usize,
    /// Properties per event.
    #[arg(long, default_value_t = 20)]
    pub properties: usize,
    /// Output file (stdout if absent).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace the `--out` file if it exists.
    #[arg(long)]
    pub force: bool,
}

pub(crate) fn run(args: Args) -> u8 {
    let text = crate::synth::plan_text(args.events, args.properties);
    match args.out {
        Some(path) => {
            match crate::fsutil::write_output_file(&path, text.as_bytes(), args.force, &[]) {
                Ok(()) => EXIT_OK,
                Err(e) => usage_error(e),
            }
        }
        None => {
            super::write_stdout(text.as_bytes());
            EXIT_OK
        }
    }
}
