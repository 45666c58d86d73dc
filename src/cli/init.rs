//! `eventsc init`: writes a starter plan from the request (template in
//! [`crate::starter`]). The plan is checked before it is written; an existing file
//! is only replaced with `--force`.

use super::{EXIT_OK, usage_error};
use crate::starter::{self, Request};
use std::path::PathBuf;

/// Write a starter plan from a request: use case, sources, tools, constraints.
///
/// The plan has the plan block, owners for the escalation ladder, consent purposes
/// and retention policies fitting the constraints, and standard events per source
/// kind (all `planned`); `eventsc check` accepts it with no errors or warnings.
///
/// Examples:
///   eventsc init --use-case "How fast do trials turn into paid pipeline?" \
///     --sources product,web,crm,map,billing --tools segment,dbt \
///     --constraints gdpr,ccpa --timeline 2026-12-15
///   eventsc init --use-case "Mobile engagement" --sources mobile --out plans/mobile.events
///   eventsc init --use-case "Support load" --sources support --out - > plan.events
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The business question the plan answers.
    #[arg(long)]
    pub use_case: String,
    /// Source kinds, comma-separated: product, web, mobile, server, crm, map, billing, support, other.
    #[arg(long, value_delimiter = ',', required = true)]
    pub sources: Vec<String>,
    /// Tools, comma-separated (segment, rudderstack, amplitude, mixpanel, snowplow, dbt, …).
    #[arg(long, value_delimiter = ',', default_value = "segment")]
    pub tools: Vec<String>,
    /// Compliance profiles, comma-separated: gdpr, ccpa, hipaa, coppa.
    #[arg(long, value_delimiter = ',')]
    pub constraints: Vec<String>,
    /// Delivery date, YYYY-MM-DD.
    #[arg(long)]
    pub timeline: Option<String>,
    /// The plan's title.
    #[arg(long, default_value = "Tracking plan")]
    pub title: String,
    /// The file to write (`-` for standard output).
    #[arg(long, default_value = "plan.events")]
    pub out: PathBuf,
    /// Replace the file if it exists.
    #[arg(long)]
    pub force: bool,
}

pub fn run(args: Args) -> u8 {
    let request = match Request::parse(
        &args.title,
        &args.use_case,
        &args.sources,
        &args.tools,
        &args.constraints,
        args.timeline.as_deref(),
    ) {
        Ok(r) => r,
        Err(e) => return usage_error(e),
    };
    let text = starter::render(&request);
    // The template must check clean; refuse to write it otherwise.
    let (_, checked) = crate::check::check_text("plan.events", &text);
    if let Some(d) = checked.diagnostics.first() {
        return usage_error(format!(
            "internal error: the starter plan does not check ({}: {}); please report it",
            d.code, d.message
        ));
    }
    if args.out.as_os_str() == "-" {
        super::write_stdout(text.as_bytes());
        return EXIT_OK;
    }
    if let Err(e) = crate::fsutil::write_output_file(&args.out, text.as_bytes(), args.force, &[]) {
        return usage_error(e);
    }
    let events = checked.plan.as_ref().map_or(0, |p| p.events.len());
    eprintln!(
        "wrote {} ({events} planned events for {}); next: eventsc check {}",
        args.out.display(),
        request
            .sources
            .iter()
            .map(|k| k.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        args.out.display()
    );
    EXIT_OK
}
