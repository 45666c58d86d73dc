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
pub(crate) struct Args {
    /// `.events` files or directories (every `.events` file below); `-` reads
    /// stdin. A directory holding an `eventsc.toml` is that manifest's plan.
    /// None: the plan the current directory is in (the nearest `eventsc.toml`,
    /// or directory with exactly one file declaring `plan`, at or above it);
    /// outside any plan, every plan below it, each checked on its own.
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub output: Output,
}

#[derive(clap::Args, Clone)]
pub(crate) struct Output {
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
pub(crate) enum Deny {
    Warnings,
}

impl Output {
    /// Prints diagnostics (human and short to stderr, json and github to stdout)
    /// and a summary; returns whether the result counts as failed.
    pub(crate) fn report(&self, diags: &[Diagnostic], sources: &SourceMap, what: &str) -> bool {
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

pub(crate) fn run(args: Args) -> u8 {
    let plans = match super::plans::select(&args.paths, true) {
        Ok(p) => p,
        Err(e) => return usage_error(e),
    };
    let mut failed = false;
    for plan in &plans {
        match check_plan(plan, &args.output) {
            Ok(f) => failed |= f,
            Err(code) => return code,
        }
    }
    if failed { EXIT_FAIL } else { EXIT_OK }
}

/// Checks one plan and reports it; whether it failed, or the exit code of a
/// file that could not be read.
fn check_plan(plan: &super::plans::Plan, output: &Output) -> Result<bool, u8> {
    let loaded = crate::load::load(&plan.paths).map_err(usage_error)?;
    let mut checked = crate::check::check(&loaded.sources, loaded.diagnostics);
    let first = loaded.sources.files().next().map(|(id, _)| id);
    if let (Some(root), Some(first)) = (&plan.root, first)
        && let Some(note) = crate::project::alone_note(root, first)
    {
        checked.diagnostics.insert(0, note);
    }
    let files = loaded.sources.len();
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    let mut what = match &checked.plan {
        Some(p) => format!(
            "checked {} ({})",
            plural(files, "file"),
            plural(p.events.len(), "event")
        ),
        None => format!("checked {}", plural(files, "file")),
    };
    if let Some(label) = plan.label() {
        what = format!("{}: {what}", crate::visible::visible(&label));
    }
    Ok(output.report(&checked.diagnostics, &loaded.sources, &what))
}
