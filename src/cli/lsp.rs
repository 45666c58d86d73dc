use super::{EXIT_FAIL, EXIT_OK};

/// Run the language server over stdin/stdout (for editors).
///
/// Diagnostics as you type (the same checks as `eventsc check`, for every
/// `.events` file of the workspace folder), hover, go to definition, find
/// references, completion, document outline and rename.
///
/// Examples:
///   eventsc lsp                       # started by the editor, not by hand
///   nvim: vim.lsp.start({ name = "eventsc", cmd = { "eventsc", "lsp" } })
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub(crate) struct Args {
    /// Accepted for clients that pass it; the server always speaks over stdio.
    #[arg(long)]
    pub stdio: bool,
}

pub(crate) fn run(_args: Args) -> u8 {
    match crate::lsp::run() {
        Ok(()) => EXIT_OK,
        Err(e) => {
            eprintln!("error: {e}");
            EXIT_FAIL
        }
    }
}
