//! `eventsc init`: writes a starter plan from the request (template in
//! [`crate::starter`]) and its `eventsc.toml`. The plan is checked before it is
//! written; an existing file is only replaced with `--force`.

use super::{EXIT_OK, usage_error};
use crate::starter::{self, Request};
use std::path::PathBuf;

/// Write a starter plan from a request: use case, sources, tools, constraints.
///
/// The plan answers its use case (pipeline velocity, activation, retention,
/// expansion, attribution, or a generic one): KPIs over its events, identifiers
/// that join the events across sources, the workflow's guardrails (retry limit 2,
/// escalation ladder, a rip-cord to Data and Legal), placeholder owners marked
/// TODO(init), consent purposes and retention policies fitting the constraints;
/// `eventsc check` accepts it with no errors or warnings.
///
/// Examples:
///   eventsc init --use_case "pipeline velocity" --sources "product,crm" --tools "Segment,dbt"
///   eventsc init --use-case "How fast do trials turn into paid pipeline?" \
///     --sources product,web,crm,map,billing --tools segment,dbt \
///     --constraints gdpr,ccpa --timeline 2026-12-15
///   eventsc init --use-case "Mobile engagement" --sources mobile --out plans/mobile.events
///   eventsc init --use-case "Support load" --sources support --out - > plan.events
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub(crate) struct Args {
    /// The business question the plan answers (also `--use_case`). Recognised:
    /// pipeline velocity, activation, retention, expansion, attribution; anything
    /// else gets a generic plan with a KPI to fill in.
    #[arg(long, alias = "use_case", alias = "usecase")]
    pub use_case: String,
    /// Source kinds, comma-separated, any case: product, web, mobile, server, crm, map, billing, support, other.
    #[arg(long, value_delimiter = ',', required = true)]
    pub sources: Vec<String>,
    /// Tools, comma-separated, as you write them ("Segment", "dbt Cloud", "BigQuery", "Amplitude", …).
    #[arg(long, value_delimiter = ',', default_value = "segment")]
    pub tools: Vec<String>,
    /// Compliance profiles, comma-separated, any case: gdpr, ccpa, hipaa, coppa.
    #[arg(long, value_delimiter = ',')]
    pub constraints: Vec<String>,
    /// Delivery date, YYYY-MM-DD.
    #[arg(long)]
    pub timeline: Option<String>,
    /// The plan's title (default: the title of the use case, e.g. "Pipeline velocity").
    #[arg(long)]
    pub title: Option<String>,
    /// The file to write (`-` for standard output); an `eventsc.toml` is
    /// written next to it.
    #[arg(long, default_value = "plan.events")]
    pub out: PathBuf,
    /// Replace the file (and a different `eventsc.toml`) if it exists.
    #[arg(long)]
    pub force: bool,
}

pub(crate) fn run(args: Args) -> u8 {
    let request = match Request::parse(
        args.title.as_deref().unwrap_or(""),
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
        report(&request, &checked, "-");
        return EXIT_OK;
    }
    // The plan's manifest, next to it: checked before anything is written.
    let manifest = args
        .out
        .parent()
        .unwrap_or(std::path::Path::new(""))
        .join(crate::project::MANIFEST);
    let ours = std::fs::read(&manifest).is_ok_and(|b| b == MANIFEST.as_bytes());
    if !ours && !args.force && manifest.exists() {
        return usage_error(format!(
            "`{}` already exists (a directory holds one plan): pass --force to overwrite it, or write the plan into another directory",
            manifest.display()
        ));
    }
    if let Err(e) = crate::fsutil::write_output_file(&args.out, text.as_bytes(), args.force, &[]) {
        return usage_error(e);
    }
    if !ours
        && let Err(e) =
            crate::fsutil::write_output_file(&manifest, MANIFEST.as_bytes(), true, &[&args.out])
    {
        return usage_error(e);
    }
    report(&request, &checked, &args.out.display().to_string());
    EXIT_OK
}

/// The `eventsc.toml` written next to the plan: it marks the plan's root, so
/// `eventsc check` and `eventsc build` run with no argument in its directory.
const MANIFEST: &str = r#"# The tracking plan in this directory (docs/language.md, "eventsc.toml").
# `eventsc check` and `eventsc build` with no argument find this file upward.

[plan]
# The plan's files, globs relative to this file (default: every .events file
# below, except those of a nested plan).
# files = ["**/*.events"]
# exclude = ["drafts/**"]

[build]
out = "out"
targets = ["all"]

# Target options: [targets.NAME] KEY = "VALUE" is `build --NAME-KEY VALUE`.
# [targets.dbt]
# version = "1.10.5"
"#;

/// What `init` made of the request, on stderr: the use case recognised, the KPIs,
/// what each tool maps to, and the next step.
fn report(request: &Request, checked: &crate::check::Checked, out: &str) {
    let (events, kpis) = checked.plan.as_ref().map_or((0, Vec::new()), |p| {
        (
            p.events.len(),
            p.kpis.iter().map(|k| k.name.value.clone()).collect(),
        )
    });
    let sources: Vec<&str> = request.sources.iter().map(|k| k.as_str()).collect();
    let mut s = format!(
        "wrote {out} ({events} planned events for {}): \"{}\", use case {}\n",
        sources.join(", "),
        request.title,
        request.kind.as_str()
    );
    if !kpis.is_empty() {
        s.push_str(&format!("  KPIs: {}\n", kpis.join("; ")));
    }
    for t in &request.tools {
        s.push_str(&format!(
            "  tool \"{}\" → {}: {}\n",
            t.written, t.id, t.note
        ));
    }
    if out != "-" {
        s.push_str(&format!(
            "next: edit the TODO(init) placeholders, then eventsc check {out}\n"
        ));
    }
    eprint!("{s}");
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_manifest_written_loads() {
        let m = crate::project::Manifest::parse(
            std::path::Path::new("p/eventsc.toml"),
            super::MANIFEST,
        )
        .expect("init's eventsc.toml parses");
        assert_eq!(m.out.as_deref(), Some(std::path::Path::new("p/out")));
        assert_eq!(m.targets, Some(vec!["all".to_string()]));
    }
}
