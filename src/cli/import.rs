//! `eventsc import FILE|DIR [--from LAYOUT]`: writes a formatted `.events` plan
//! from a tracking plan kept elsewhere (see [`crate::import`]).

use super::{EXIT_OK, usage_error};
use crate::import::detect::{self, Input, Layout};
use crate::import::{self, ImportError, Report};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Import a tracking plan from Segment, RudderStack, Snowplow or a CSV.
///
/// Reads Segment (rules exports, Config API v1, typewriter's plan.json,
/// Terraform), RudderStack (a rudder-cli project directory), Snowplow (a
/// directory of Iglu schemas) or a tracking-plan CSV. The layout is told from the content; `--from` names it. Writes a formatted
/// `.events` plan to `--out` (or standard output) that checks with no errors:
/// `--owner` gives an owner to what has none, and every rule the input breaks
/// is set to `warn` in the plan's `rules { }` with a `TODO(import)` comment. What
/// the plan cannot express is listed as warnings on standard error, each with
/// its JSON pointer (or line); keys with no plan meaning (timestamps, editor
/// ids) are counted in one line. `--format json` prints what was kept and lost.
///
/// Examples:
///   eventsc import rules.json --out plans/imported.events --owner @analytics
///   eventsc import plan.json --from typewriter --format json
///   eventsc import rudder-project/ --out imported.events
///   eventsc import iglu/schemas/ --out snowplow.events
///   eventsc import segment rules.json      (the layout as first argument, as before)
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub(crate) struct Args {
    /// The file or directory to read (`-` for standard input), after an
    /// optional layout (`segment` or `csv`, as `--from`).
    #[arg(required = true, num_args = 1..=2, value_name = "[LAYOUT] FILE|DIR")]
    pub inputs: Vec<String>,
    /// The input's layout (default: told from its content).
    #[arg(long, value_enum)]
    pub from: Option<Layout>,
    /// Where to write the plan (standard output if absent).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace the `--out` file if it exists.
    #[arg(long)]
    pub force: bool,
    /// The plan's title (default: the input's name for it, else "Imported tracking plan").
    #[arg(long)]
    pub title: Option<String>,
    /// The owner of every event, identify, group, page and screen the input
    /// gives none (`@team`).
    #[arg(long, value_name = "@TEAM")]
    pub owner: Option<String>,
    /// `human`: the plan on stdout (or --out), warnings on stderr; `json`: a
    /// report of what was kept and lost on stdout (with the plan when there is
    /// no --out).
    #[arg(long, value_enum, default_value_t = ReportFormat::Human)]
    pub format: ReportFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ReportFormat {
    Human,
    Json,
}

pub(crate) fn run(args: Args) -> u8 {
    let (positional_layout, file) = match args.inputs.as_slice() {
        [file] => (None, file.clone()),
        [layout, file] => match layout.as_str() {
            "segment" => (Some(Layout::Segment), file.clone()),
            "csv" => (Some(Layout::Csv), file.clone()),
            other => {
                return usage_error(format!(
                    "`{other}` is not a layout to name before the file (`segment` or `csv`; any layout with `--from`)"
                ));
            }
        },
        _ => return usage_error("expected one file or directory to import"),
    };
    let file_path = PathBuf::from(&file);
    let owner = match &args.owner {
        None => None,
        Some(o) => {
            let id = o.strip_prefix('@').unwrap_or(o);
            if !import::is_owner_id(id) {
                return usage_error(format!(
                    "`--owner {o}`: an owner is `@` and `[a-z0-9][a-z0-9._-]*` (e.g. `@analytics`)"
                ));
            }
            Some(id.to_string())
        }
    };
    let inputs: Vec<&Path> = Some(file_path.as_path())
        .filter(|p| p.as_os_str() != "-")
        .into_iter()
        .collect();
    if let Some(path) = &args.out
        && let Err(e) = crate::fsutil::check_output_file(path, args.force, &inputs)
    {
        return usage_error(e);
    }
    let is_dir = file != "-" && file_path.is_dir();
    let input = if is_dir {
        match detect::read_dir(&file_path) {
            Ok(files) => Input::Dir(files),
            Err(e) => return usage_error(e),
        }
    } else {
        match detect::read_text(&file_path, &file) {
            Ok(t) => Input::File(t),
            Err(e) => return usage_error(e),
        }
    };
    let layout = match args.from.or(positional_layout) {
        Some(l) => l,
        None => {
            let detected = match &input {
                Input::File(t) => detect::detect_file(&file_path, t),
                Input::Dir(files) => detect::detect_dir(files),
            };
            match detected {
                Ok(l) => l,
                Err(e) => return usage_error(format!("{file}: {e}")),
            }
        }
    };
    let located = |e: ImportError| {
        if e.at.is_empty() {
            format!("{file}: {}", e.message)
        } else if e.at.starts_with('/') {
            format!("{file}: at {}: {}", e.at, e.message)
        } else if is_dir {
            // A directory's readers name the file: `dir/file:line:col`.
            format!("{}/{}: {}", file.trim_end_matches('/'), e.at, e.message)
        } else {
            format!("{file}:{}: {}", e.at, e.message)
        }
    };
    let (mut plan, report) = match detect::read(layout, &input) {
        Ok(r) => r,
        Err(e) => return usage_error(located(e)),
    };
    match &args.title {
        Some(t) => plan.title = t.clone(),
        None if plan.title.trim().is_empty() => plan.title = "Imported tracking plan".to_string(),
        None => {}
    }
    let written = match import::write(&plan, &import::Options { owner }) {
        Ok(w) => w,
        Err(e) => return usage_error(located(e)),
    };
    if let Some(path) = &args.out
        && let Err(e) =
            crate::fsutil::write_output_file(path, written.text.as_bytes(), args.force, &inputs)
    {
        return usage_error(e);
    }
    let counts = written.counts;
    let summary = format!(
        "imported {} from {}: {} event{}, {} warning{}; the plan checks with {}",
        plan.title,
        layout.name(),
        plan.events.len(),
        if plan.events.len() == 1 { "" } else { "s" },
        report.warnings.len(),
        if report.warnings.len() == 1 { "" } else { "s" },
        counts.summary()
    );
    match args.format {
        ReportFormat::Json => {
            let json = json_report(
                layout,
                &plan,
                &report,
                &written,
                &counts,
                args.out.is_none(),
            );
            super::write_stdout(json.as_bytes());
        }
        ReportFormat::Human => {
            if args.out.is_none() {
                super::write_stdout(written.text.as_bytes());
            }
            let mut err = std::io::stderr().lock();
            // Names, titles and values in these come from the imported file:
            // control characters are shown escaped, as in check's messages.
            let shown = |s: String| crate::visible::visible_lines(&s).into_owned();
            for w in &report.warnings {
                let _ = writeln!(err, "warning: {}", shown(w.to_string()));
            }
            if let Some(s) = report.skipped_summary() {
                let _ = writeln!(err, "note: {}", shown(s.to_string()));
            }
            for n in &written.notes {
                let _ = writeln!(err, "note: {}", shown(n.to_string()));
            }
            for (rule, why) in &written.relaxed {
                let _ = writeln!(
                    err,
                    "note: `{rule}` is set to warn (TODO(import) in the plan): {}",
                    shown(why.to_string())
                );
            }
            if !written.formatted {
                let _ = writeln!(
                    err,
                    "note: the plan uses constructs this eventsc cannot parse yet; it is written unformatted"
                );
            }
            let _ = writeln!(err, "{}", shown(summary));
        }
    }
    EXIT_OK
}

/// `--format json`: what was kept, what was lost, what was skipped.
fn json_report(
    layout: Layout,
    plan: &import::Plan,
    report: &Report,
    written: &import::Written,
    counts: &crate::diagnostics::Counts,
    with_plan: bool,
) -> String {
    use serde_json::json;
    let mut properties = 0usize;
    fn count(props: &[import::Property], n: &mut usize) {
        for p in props {
            *n += 1;
            match &p.ty {
                import::Type::Object(m) => count(m, n),
                import::Type::List(item) => {
                    if let import::Type::Object(m) = &item.ty {
                        count(m, n);
                    }
                }
                _ => {}
            }
        }
    }
    for e in &plan.events {
        count(&e.properties, &mut properties);
    }
    for t in [&plan.common, &plan.identify, &plan.group]
        .into_iter()
        .flatten()
    {
        count(&t.properties, &mut properties);
    }
    for s in &plan.screens {
        count(&s.traits.properties, &mut properties);
    }
    if let Some(env) = &plan.envelope {
        count(&env.properties, &mut properties);
    }
    let lost: Vec<_> = report
        .warnings
        .iter()
        .map(|w| json!({"subject": w.subject, "at": w.at, "message": w.message}))
        .collect();
    let relaxed: Vec<_> = written
        .relaxed
        .iter()
        .map(|(r, why)| json!({"rule": r, "reason": why}))
        .collect();
    let mut out = json!({
        "layout": layout.name(),
        "title": plan.title,
        "kept": {
            "events": plan.events.len(),
            "event_versions": plan.events.iter().filter(|e| e.version.is_some()).count(),
            "properties": properties,
            "envelope": plan.envelope.is_some(),
            "common": plan.common.is_some(),
            "identify": plan.identify.is_some(),
            "group": plan.group.is_some(),
            "pages": plan.screens.iter().filter(|s| s.keyword == "page").count(),
            "screens": plan.screens.iter().filter(|s| s.keyword == "screen").count(),
        },
        "lost": lost,
        "skipped": report.skipped,
        "relaxed": relaxed,
        "notes": written.notes,
        "formatted": written.formatted,
        "check": {"errors": counts.errors, "warnings": counts.warnings},
    });
    if with_plan && let Some(o) = out.as_object_mut() {
        o.insert("plan".to_string(), json!(written.text));
    }
    let mut text = serde_json::to_string_pretty(&out).unwrap_or_default();
    text.push('\n');
    text
}
