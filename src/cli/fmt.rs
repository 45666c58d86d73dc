//! `eventsc fmt`: rewrites `.events` files in the canonical layout (see
//! [`crate::fmt`]), or with `--check` shows what would change.

use super::check::Output;
use super::{Color, EXIT_FAIL, EXIT_OK, usage_error};
use crate::diagnostics::Diagnostic;
use crate::diagnostics::render::MessageFormat;
use crate::source::SourceMap;
use std::io::Write;
use std::path::PathBuf;

/// Format `.events` files in the one canonical layout.
///
/// Files with syntax errors are reported and left untouched. With `-`, reads
/// standard input and writes the formatted text to standard output.
///
/// Examples:
///   eventsc fmt plans/
///   eventsc fmt --check plans/        # CI: exit 1 and a diff if anything would change
///   eventsc fmt - < plan.events
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub(crate) struct Args {
    /// `.events` files or directories (every `.events` file below); `-` for stdin.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Write nothing; print a unified diff of what would change and exit 1 if
    /// anything would.
    #[arg(long)]
    pub check: bool,
    /// How to print syntax errors.
    #[arg(long, value_enum, default_value_t = MessageFormat::Human)]
    pub message_format: MessageFormat,
    /// Colour in human output (`NO_COLOR` is honoured with `auto`).
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
}

pub(crate) fn run(args: Args) -> u8 {
    let files = match crate::load::expand(&args.paths) {
        Ok(f) => f,
        Err(e) => return usage_error(e),
    };
    let mut sources = SourceMap::new();
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    let mut changed = 0usize;
    let mut unchanged = 0usize;
    let mut unwritable = 0usize;
    let mut out = std::io::stdout().lock();
    for path in files {
        let stdin = path.as_os_str() == "-";
        let read = if stdin {
            crate::load::read_stdin()
        } else {
            crate::load::read_source(&path)
        };
        let bytes = match read {
            Ok(b) => b,
            Err(e) => return usage_error(e),
        };
        let name = if stdin {
            "<stdin>".to_string()
        } else {
            path.display().to_string()
        };
        let (file, bad_utf8) = crate::load::decode(name.clone(), Some(path.clone()), bytes);
        let id = sources.add(file);
        if let Some(d) = bad_utf8 {
            diagnostics.push(d(id));
            continue;
        }
        let text = sources.get(id).text.clone();
        let formatted = match crate::fmt::parse_whole(id, &text) {
            Ok(ast) => {
                let formatted = crate::fmt::format_ast(&text, &ast);
                // Freeing a large tree costs tens of milliseconds; the memory
                // goes back when the command ends.
                std::mem::forget(ast);
                formatted
            }
            Err(diags) => {
                diagnostics.extend(diags);
                continue;
            }
        };
        if formatted == text {
            unchanged += 1;
        } else {
            changed += 1;
        }
        let written = if args.check {
            out.write_all(crate::fmt::unified_diff(&name, &text, &formatted).as_bytes())
        } else if stdin {
            out.write_all(formatted.as_bytes())
        } else if formatted != text {
            // A file that cannot be written is reported; the others are
            // still formatted.
            if let Err(e) = crate::fsutil::rewrite_file(&path, formatted.as_bytes()) {
                usage_error(e);
                unwritable += 1;
                changed -= 1;
            }
            Ok(())
        } else {
            Ok(())
        };
        if let Err(e) = written {
            super::stdout_failed(&e);
        }
    }
    if let Err(e) = out.flush() {
        super::stdout_failed(&e);
    }
    drop(out);
    let verb = if args.check {
        "would reformat"
    } else {
        "reformatted"
    };
    let mut what = format!(
        "{verb} {changed} file{}, {unchanged} already formatted",
        if changed == 1 { "" } else { "s" }
    );
    if unwritable > 0 {
        what.push_str(&format!(", {unwritable} not written"));
    }
    crate::diagnostics::sort(&mut diagnostics);
    let only_stdin = args.paths.iter().all(|p| p.as_os_str() == "-");
    let failed = if diagnostics.is_empty() {
        // Writing to stdout (an editor's format-on-save): nothing else to say.
        if args.check || !only_stdin {
            eprintln!("{what}");
        }
        false
    } else {
        let output = Output {
            message_format: args.message_format,
            color: args.color,
            deny: None,
        };
        output.report(&diagnostics, &sources, &what)
    };
    if unwritable > 0 {
        super::EXIT_USAGE
    } else if failed || (args.check && changed > 0) {
        EXIT_FAIL
    } else {
        EXIT_OK
    }
}
