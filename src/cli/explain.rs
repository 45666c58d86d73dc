use super::{EXIT_OK, usage_error};
use crate::diagnostics::did_you_mean;
use crate::docs;

/// Explain an error code, a governance rule or a kind of change (`eventsc diff`).
///
/// Examples:
///   eventsc explain E0025
///   eventsc explain privacy/pii-without-consent
///   eventsc explain event-renamed
///   eventsc explain --list
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub(crate) struct Args {
    /// An error code (`E0025`), a rule name (`naming/event-case`) or a kind of
    /// change (`event-renamed`).
    #[arg(required_unless_present = "list")]
    pub name: Option<String>,
    /// List every code, rule and kind of change.
    #[arg(long, conflicts_with = "name")]
    pub list: bool,
}

pub(crate) fn run(args: Args) -> u8 {
    if args.list {
        super::write_stdout(docs::list().as_bytes());
        return EXIT_OK;
    }
    let name = args.name.unwrap_or_default();
    match docs::find(&name) {
        Some(d) => {
            super::write_stdout(docs::explain(&d).as_bytes());
            EXIT_OK
        }
        None => {
            let hint = did_you_mean(&name, docs::all_names(), |c| c.to_string())
                .map(|h| format!("; {h}"))
                .unwrap_or_else(|| "; `eventsc explain --list` lists them all".to_string());
            usage_error(format!(
                "no error code, rule or kind of change is named `{name}`{hint}"
            ))
        }
    }
}
