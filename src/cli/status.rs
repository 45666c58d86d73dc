//! `eventsc status`: which planned events the application code sends, and where.

use super::check::Output;
use super::{Color, EXIT_FAIL, EXIT_OK, usage_error};
use crate::diagnostics::render::MessageFormat;
use crate::ir::Plan;
use crate::status::{self, Site, Status};
use serde_json::{Value, json};
use std::fmt::Write;
use std::path::PathBuf;

/// Find the plan's events in application code (like `ampli status`).
///
/// Scans TypeScript, JavaScript and Python files below each `--code` path for
/// `analytics.track("…")` calls (analytics.js, analytics-node,
/// segment-analytics-python), `identify`/`group` calls, and calls of the
/// generated clients (`--target typescript`, `--target python`), and reports per
/// planned event where it is sent (file:line), the planned events nothing sends,
/// calls of events the plan does not have (with the closest planned name) and
/// calls of deprecated events. Symbolic links are not followed; `node_modules`,
/// `.git`, `target`, `dist`, virtualenvs and caches are skipped.
///
/// Examples:
///   eventsc status examples/ecommerce --code src/
///   eventsc status plan/ --code web/src --code services/ --fail-on missing,unplanned
///   eventsc status plan/ --code . --format json
///
/// Exit codes: 0 ok, 1 the plan has errors or a `--fail-on` condition holds,
/// 2 usage or I/O error.
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub(crate) struct Args {
    /// `.events` files or directories (every `.events` file below).
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Application code to scan: directories or files (repeatable).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub code: Vec<PathBuf>,
    /// Exit 1 when any of these holds: `missing` (a planned event nothing
    /// sends), `unplanned` (a call of an event the plan does not have),
    /// `deprecated` (a call of a deprecated event). Comma-separated.
    #[arg(long, value_enum, value_delimiter = ',', value_name = "LIST")]
    pub fail_on: Vec<FailOn>,
    /// How to print the report on stdout.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Threads reading files (default: the number of cores).
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub jobs: Option<u16>,
    /// How to print the plan's diagnostics, if it has errors.
    #[arg(long, value_enum, default_value_t = MessageFormat::Human)]
    pub message_format: MessageFormat,
    /// Colour in diagnostics (`NO_COLOR` is honoured with `auto`).
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum FailOn {
    Missing,
    Unplanned,
    Deprecated,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    Human,
    Json,
}

pub(crate) fn run(args: Args) -> u8 {
    let loaded = match crate::load::load(&args.paths) {
        Ok(l) => l,
        Err(e) => return usage_error(e),
    };
    let files = match status::files(&args.code) {
        Ok(f) => f,
        Err(e) => return usage_error(e),
    };
    let checked = crate::check::check(&loaded.sources, loaded.diagnostics);
    let plan = match checked.into_ok() {
        Ok(plan) => plan,
        Err(diagnostics) => {
            let output = Output {
                message_format: args.message_format,
                color: args.color,
                deny: None,
            };
            output.report(&diagnostics, &loaded.sources, "plan");
            return EXIT_FAIL;
        }
    };
    let jobs = args.jobs.map_or_else(
        || std::thread::available_parallelism().map_or(1, |n| n.get()),
        usize::from,
    );
    let st = status::status(&plan, &files, jobs);
    let text = match args.format {
        Format::Human => human(&plan, &st),
        Format::Json => crate::targets::to_json(&to_json(&plan, &st)),
    };
    super::write_stdout(text.as_bytes());
    let failed = args.fail_on.iter().any(|f| match f {
        FailOn::Missing => !st.missing(&plan).is_empty(),
        FailOn::Unplanned => !st.unplanned.is_empty(),
        FailOn::Deprecated => !st.deprecated(&plan).is_empty(),
    });
    if failed { EXIT_FAIL } else { EXIT_OK }
}

fn site(s: &Site) -> String {
    format!("{}:{}", s.file, s.line)
}

/// What `eventsc status` prints for people.
pub(crate) fn human(plan: &Plan, st: &Status) -> String {
    let mut out = String::new();
    let missing = st.missing(plan);
    let deprecated = st.deprecated(plan);
    let planned = plan.events.iter().filter(|e| !e.is_deprecated()).count();
    let sent = planned - missing.len();
    let _ = writeln!(
        out,
        "status: {sent} of {planned} planned events sent, {} missing, {} unplanned {}, {} deprecated {} ({} files scanned{})",
        missing.len(),
        st.unplanned.len(),
        plural(st.unplanned.len(), "call"),
        deprecated.len(),
        plural(deprecated.len(), "call"),
        st.files_scanned,
        if st.files_skipped > 0 {
            format!(", {} skipped: too large or not UTF-8", st.files_skipped)
        } else {
            String::new()
        }
    );
    let width = plan
        .events
        .iter()
        .map(|e| e.name.value.chars().count())
        .max()
        .unwrap_or(0)
        .min(40);
    let sent: Vec<usize> = (0..plan.events.len())
        .filter(|&i| !st.events[i].is_empty())
        .collect();
    if !sent.is_empty() {
        out.push_str("\nsent:\n");
        for i in sent {
            let e = &plan.events[i];
            let sites: Vec<String> = st.events[i].iter().map(site).collect();
            let _ = writeln!(
                out,
                "  {:width$}  {}{}",
                e.name.value,
                sites.join(", "),
                if e.is_deprecated() {
                    "  (deprecated)"
                } else {
                    ""
                }
            );
        }
    }
    for (what, sites) in [("identify", &st.identify), ("group", &st.group)] {
        if !sites.is_empty() {
            let list: Vec<String> = sites.iter().map(site).collect();
            let _ = writeln!(out, "  {:width$}  {}", format!("({what})"), list.join(", "));
        }
    }
    if !missing.is_empty() {
        out.push_str("\nmissing (planned, nothing sends them):\n");
        for i in missing {
            let _ = writeln!(out, "  {}", plan.events[i].name.value);
        }
    }
    if !st.unplanned.is_empty() {
        out.push_str("\nunplanned (not in the plan):\n");
        for (s, name, hint) in &st.unplanned {
            let _ = write!(out, "  {}  {name:?}", site(s));
            if let Some(h) = hint {
                let _ = write!(out, ": did you mean {h:?}?");
            }
            out.push('\n');
        }
    }
    if !deprecated.is_empty() {
        out.push_str("\ndeprecated (still sent):\n");
        for (i, s) in deprecated {
            let e = &plan.events[i];
            let _ = write!(out, "  {}  {:?}", site(s), e.name.value);
            if let Some(r) = &e.replaced_by {
                let _ = write!(out, ": use {:?} instead", r.name);
            }
            if let Some(d) = &e.sunset {
                let _ = write!(out, " (sunset {})", d.value);
            }
            out.push('\n');
        }
    }
    if !st.dynamic.is_empty() {
        let list: Vec<String> = st.dynamic.iter().map(site).collect();
        let _ = writeln!(
            out,
            "\n{} {} with an event name that is not a literal (not matched): {}",
            st.dynamic.len(),
            plural(st.dynamic.len(), "call"),
            list.join(", ")
        );
    }
    out
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        word.to_string()
    } else {
        format!("{word}s")
    }
}

fn sites_json(sites: &[Site]) -> Value {
    Value::Array(
        sites
            .iter()
            .map(|s| json!({"file": s.file, "line": s.line, "kind": s.kind}))
            .collect(),
    )
}

/// What `eventsc status --format json` prints.
pub(crate) fn to_json(plan: &Plan, st: &Status) -> Value {
    let missing = st.missing(plan);
    let deprecated = st.deprecated(plan);
    let events: Vec<Value> = plan
        .events
        .iter()
        .zip(&st.events)
        .map(|(e, sites)| {
            json!({
                "name": e.name.value,
                "status": e.status.value.as_str(),
                "sent": !sites.is_empty(),
                "calls": sites_json(sites),
            })
        })
        .collect();
    json!({
        "files_scanned": st.files_scanned,
        "files_skipped": st.files_skipped,
        "summary": {
            "planned": plan.events.iter().filter(|e| !e.is_deprecated()).count(),
            "missing": missing.len(),
            "unplanned": st.unplanned.len(),
            "deprecated": deprecated.len(),
            "dynamic": st.dynamic.len(),
        },
        "events": events,
        "identify": sites_json(&st.identify),
        "group": sites_json(&st.group),
        "missing": missing.iter().map(|&i| json!(plan.events[i].name.value)).collect::<Vec<_>>(),
        "unplanned": st.unplanned.iter().map(|(s, name, hint)| json!({
            "file": s.file, "line": s.line, "event": name, "did_you_mean": hint,
        })).collect::<Vec<_>>(),
        "deprecated": deprecated.iter().map(|(i, s)| {
            let e = &plan.events[*i];
            json!({
                "file": s.file, "line": s.line, "event": e.name.value,
                "replaced_by": e.replaced_by.as_ref().map(|r| r.name.clone()),
                "sunset": e.sunset.as_ref().map(|d| d.value.to_string()),
            })
        }).collect::<Vec<_>>(),
        "dynamic": sites_json(&st.dynamic),
    })
}
