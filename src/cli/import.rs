//! `eventsc import segment|csv FILE`: writes a formatted `.events` plan from a
//! tracking plan kept elsewhere (see [`crate::import`]).

use super::{EXIT_OK, usage_error};
use crate::import::{self, ImportError};
use std::io::Write;
use std::path::PathBuf;

/// Import a tracking plan from Segment: rules JSON or the tracking-plan CSV.
///
/// Writes a formatted `.events` plan to `--out` (or standard output). What the
/// plan cannot express is listed as warnings on standard error, each naming the
/// event and the place in the input; nothing is dropped silently. Placeholders the
/// input cannot fill (a consent purpose's lawful basis, a retention period) are
/// marked `TODO(import)` in the plan.
///
/// Examples:
///   eventsc import segment rules.json --out plans/imported.events
///   eventsc import csv tracking-plan.csv --title "Mobile app" > app.events
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// What the file holds.
    #[arg(value_enum)]
    pub format: Format,
    /// The file to read (`-` for standard input).
    pub file: PathBuf,
    /// Where to write the plan (standard output if absent).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace the `--out` file if it exists.
    #[arg(long)]
    pub force: bool,
    /// The plan's title.
    #[arg(long, default_value = "Imported tracking plan")]
    pub title: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Segment Public API rules JSON (`{"rules": [...]}`), as `build --target segment` writes it.
    Segment,
    /// Segment's tracking-plan CSV (Type, Event, Name, Description, Status, Data Type, Permitted Values).
    Csv,
}

pub fn run(args: Args) -> u8 {
    let name = args.file.display().to_string();
    let input: Vec<&std::path::Path> = Some(args.file.as_path())
        .filter(|p| p.as_os_str() != "-")
        .into_iter()
        .collect();
    if let Some(path) = &args.out
        && let Err(e) = crate::fsutil::check_output_file(path, args.force, &input)
    {
        return usage_error(e);
    }
    let read = if args.file.as_os_str() == "-" {
        crate::load::read_stdin()
    } else {
        crate::load::read_source(&args.file)
    };
    let bytes = match read {
        Ok(b) => b,
        Err(e) => return usage_error(e),
    };
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            return usage_error(format!(
                "{name}: not UTF-8 text (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ));
        }
    };
    let result = match args.format {
        Format::Segment => import::segment::read(&text, &args.title),
        Format::Csv => import::csv::read(&text, &args.title),
    };
    let located = |e: ImportError| {
        if e.at.is_empty() {
            format!("{name}: {}", e.message)
        } else if e.at.starts_with('/') {
            format!("{name}: at {}: {}", e.at, e.message)
        } else {
            format!("{name}:{}: {}", e.at, e.message)
        }
    };
    let (plan, warnings) = match result {
        Ok(r) => r,
        Err(e) => return usage_error(located(e)),
    };
    let (out, notes) = match import::write(&plan) {
        Ok(t) => t,
        Err(e) => return usage_error(located(e)),
    };
    let mut err = std::io::stderr().lock();
    for w in &warnings {
        let _ = writeln!(err, "warning: {w}");
    }
    for n in &notes {
        let _ = writeln!(err, "note: {n}");
    }
    match &args.out {
        Some(path) => {
            if let Err(e) =
                crate::fsutil::write_output_file(path, out.as_bytes(), args.force, &input)
            {
                return usage_error(e);
            }
        }
        None => {
            super::write_stdout(out.as_bytes());
        }
    }
    let (_, checked) = crate::check::check_text("imported.events", &out);
    let counts = crate::diagnostics::count(&checked.diagnostics);
    let _ = writeln!(
        err,
        "imported {} event{}, {} warning{}; the plan checks with {}",
        plan.events.len(),
        if plan.events.len() == 1 { "" } else { "s" },
        warnings.len(),
        if warnings.len() == 1 { "" } else { "s" },
        counts.summary()
    );
    EXIT_OK
}
