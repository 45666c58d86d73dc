//! The command line: one file per command, each thin over the library.
//!
//! Exit codes: 0 success (warnings allowed unless `--deny warnings`), 1 the plan has
//! errors (or, for other commands, their check failed), 2 usage or I/O error.

mod build;
mod check;
mod diff;
mod explain;
mod fmt;
mod import;
mod init;
mod log;
mod lsp;
mod plans;
mod serve;
mod status;
mod synth;
mod targets;
mod validate;

use clap::{Parser, Subcommand, ValueEnum};
use std::io::IsTerminal;
use std::process::ExitCode;

pub(crate) const EXIT_OK: u8 = 0;
pub(crate) const EXIT_FAIL: u8 = 1;
pub(crate) const EXIT_USAGE: u8 = 2;

#[derive(Parser)]
#[command(
    name = "eventsc",
    version,
    about = "A compiler for tracking plans: checks `.events` files against governance rules and compiles them into the artifacts analytics teams ship.",
    after_help = "Examples:\n  eventsc check examples/pipeline-velocity\n  eventsc check plans/ --message-format github\n  eventsc explain privacy/pii-without-consent\n\nExit codes: 0 ok, 1 the plan has errors, 2 usage or I/O error.",
    disable_help_subcommand = true
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Check(check::Args),
    Build(build::Args),
    Targets(targets::Args),
    Diff(diff::Args),
    Explain(explain::Args),
    Fmt(fmt::Args),
    Import(import::Args),
    Log(log::Args),
    Validate(validate::Args),
    Serve(serve::Args),
    Status(status::Args),
    Init(init::Args),
    Lsp(lsp::Args),
    #[command(hide = true)]
    Synth(synth::Args),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Color {
    Auto,
    Always,
    Never,
}

impl Color {
    /// Whether to colour output written to stderr. `NO_COLOR` (non-empty) turns
    /// colour off unless `--color always` asks for it.
    pub(crate) fn enabled(self) -> bool {
        match self {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::io::stderr().is_terminal()
            }
        }
    }
}

/// Parses the command line and runs the command.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            // `--help` and `--version` print to stdout: a failed write is an error.
            if !e.use_stderr() {
                write_stdout(e.render().to_string().as_bytes());
                return ExitCode::from(EXIT_OK);
            }
            let _ = e.print();
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let code = match cli.command {
        Command::Check(a) => check::run(a),
        Command::Build(a) => build::run(a),
        Command::Targets(a) => targets::run(a),
        Command::Diff(a) => diff::run(a),
        Command::Explain(a) => explain::run(a),
        Command::Fmt(a) => fmt::run(a),
        Command::Import(a) => import::run(a),
        Command::Log(a) => log::run(a),
        Command::Init(a) => init::run(a),
        Command::Lsp(a) => lsp::run(a),
        Command::Synth(a) => synth::run(a),
        Command::Validate(a) => validate::run(a),
        Command::Serve(a) => serve::run(a),
        Command::Status(a) => status::run(a),
    };
    ExitCode::from(code)
}

/// Writes `bytes` to standard output and flushes it. When that fails the
/// process ends with exit code 2, so no command exits 0 with its output lost
/// (a full disk: "cannot write to standard output: No space left on device").
/// A reader that went away (`| head`) ends it quietly, as other Unix tools do.
pub(crate) fn write_stdout(bytes: &[u8]) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(bytes).and_then(|()| out.flush()) {
        stdout_failed(&e);
    }
}

/// Ends the process after a failed write to standard output (see
/// [`write_stdout`]).
pub(crate) fn stdout_failed(e: &std::io::Error) -> ! {
    if e.kind() != std::io::ErrorKind::BrokenPipe {
        eprintln!("error: cannot write to standard output: {e}");
    }
    std::process::exit(EXIT_USAGE.into())
}

/// Prints a usage or I/O error the way every command does, and returns exit code 2.
/// Paths and names in it are shown through [`crate::visible`].
pub(crate) fn usage_error(message: impl std::fmt::Display) -> u8 {
    eprintln!(
        "error: {}",
        crate::visible::visible_lines(&message.to_string())
    );
    EXIT_USAGE
}
