use super::{Color, EXIT_FAIL, EXIT_OK, usage_error};
use crate::diagnostics::render::{MessageFormat, render};
use crate::diagnostics::{self, Diagnostic};
use crate::source::SourceMap;
use std::io::Write;
use std::path::PathBuf;

/// Check a plan: parse, resolve and run the governance rules.
///
/// Examples:
///   eventsc check examples/pipeline-velocity
///   eventsc check plan.events --message-format short
///   eventsc check plans/ --message-format github --deny warnings
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// `.events` files or directories (every `.events` file below); `-` reads stdin.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub output: Output,
}

#[derive(clap::Args, Clone)]
pub struct Output {
    /// How to print diagnostics.
    #[arg(long, value_enum, default_value_t = MessageFormat::Human)]
    pub message_format: MessageFormat,
    /// Colour in human output (`NO_COLOR` is honoured with `auto`).
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
    /// Treat warnings as errors for the exit code: `--deny warnings`.
    #[arg(long, value_enum)]
    pub deny: Option<Deny>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Deny {
    Warnings,
}

impl Output {
    /// Prints diagnostics (human and short to stderr, json and github to stdout)
    /// and a summary; returns whether the result counts as failed.
    pub fn report(&self, diags: &[Diagnostic], sources: &SourceMap, what: &str) -> bool {
        let counts = diagnostics::count(diags);
        let text = render(self.message_format, diags, sources, self.color.enabled());
        match self.message_format {
            MessageFormat::Human | MessageFormat::Short => {
                let mut err = std::io::stderr().lock();
                let _ = err.write_all(text.as_bytes());
                if self.message_format == MessageFormat::Human && !diags.is_empty() {
                    let _ = writeln!(err);
                }
                let _ = writeln!(err, "{what}: {}", counts.summary());
            }
            MessageFormat::Json | MessageFormat::Github => {
                super::write_stdout(text.as_bytes());
            }
        }
        counts.errors > 0 || (self.deny == Some(Deny::Warnings) && counts.warnings > 0)
    }
}

pub fn run(args: Args) -> u8 {
    let loaded = match crate::load::load(&args.paths) {
        Ok(l) => l,
        Err(e) => return usage_error(e),
    };
    let checked = crate::check::check(&loaded.sources, loaded.diagnostics);
    let files = loaded.sources.len();
    let what = match &checked.plan {
        Some(p) => format!(
            "checked {} file{} ({} event{})",
            files,
            if files == 1 { "" } else { "s" },
            p.events.len(),
            if p.events.len() == 1 { "" } else { "s" }
        ),
        None => format!(
            "checked {} file{}",
            files,
            if files == 1 { "" } else { "s" }
        ),
    };
    if args
        .output
        .report(&checked.diagnostics, &loaded.sources, &what)
    {
        EXIT_FAIL
    } else {
        EXIT_OK
    }
}
