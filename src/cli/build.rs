//! `eventsc build`: check a plan, then compile it into the selected targets'
//! artifacts in an output directory (see `outdir` for the manifest).

use super::check::Output;
use super::{EXIT_FAIL, EXIT_OK, usage_error};
use crate::diagnostics::{did_you_mean, list_names};
use crate::outdir;
use crate::targets::dbt::DbtVersion;
use crate::targets::{self, Context, Target};
use std::path::PathBuf;

/// Build a plan's artifacts: check it, then write every selected target's files.
///
/// Nothing is written when the plan has errors. Files are written atomically; a
/// manifest (`DIR/.eventsc-manifest.json`, with each file's SHA-256) lets the
/// next build remove the files it no longer produces, and never anything else.
/// A file in DIR that eventsc did not write is never overwritten without
/// `--force`; every file is checked before any is written.
///
/// Examples:
///   eventsc build examples/pipeline-velocity --out out/
///   eventsc build plan.events --out out/ --target segment,dbt
///   eventsc build plans/ --out out/ --record audit/   (then `eventsc log audit/`)
///   eventsc targets    (lists the targets)
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub(crate) struct Args {
    /// `.events` files or directories (every `.events` file below); `-` reads
    /// stdin. A directory holding an `eventsc.toml` is that manifest's plan.
    /// None: the plan the current directory is in (the nearest `eventsc.toml`,
    /// or directory with exactly one file declaring `plan`, at or above it).
    pub paths: Vec<PathBuf>,
    /// Output directory (created when missing); default: `[build] out` of the
    /// plan's `eventsc.toml`.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Overwrite files in DIR that eventsc did not write (or that changed since
    /// it wrote them). Inputs are never overwritten.
    #[arg(long)]
    pub force: bool,
    /// Targets to build, comma-separated, or `all` (every target but the typed
    /// clients, `typescript` and `python`, which are built when named); default:
    /// `[build] targets` of the plan's `eventsc.toml`, else `all`.
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub target: Option<Vec<String>>,
    /// The dbt-core version the `dbt` target writes for: `1.8` to `1.10.4` (meta
    /// and tags beside `config`, test arguments inline) or `1.10.5` and later
    /// (the default: under `config:` and `arguments:`); also `[targets.dbt]
    /// version` in `eventsc.toml`.
    #[arg(long, value_name = "VERSION", value_parser = targets::parse_dbt_version)]
    pub dbt_version: Option<DbtVersion>,
    /// Also write an audit record of this build into DIR (see `eventsc log`).
    #[arg(long, value_name = "DIR")]
    pub record: Option<PathBuf>,
    #[command(flatten)]
    pub output: Output,
}

/// The targets named on the command line, in registry order; an unknown name is
/// a usage error that lists the valid ones.
pub(crate) fn select(names: &[String]) -> Result<Vec<&'static dyn Target>, String> {
    let valid: Vec<&str> = targets::TARGETS.iter().map(|t| t.name()).collect();
    let mut wanted = Vec::new();
    for raw in names {
        let name = raw.trim();
        if name == "all" {
            wanted.extend(
                targets::TARGETS
                    .iter()
                    .filter(|t| t.in_all())
                    .map(|t| t.name()),
            );
        } else if targets::find(name).is_some() {
            wanted.push(name);
        } else {
            let mut all = valid.clone();
            all.push("all");
            let hint = did_you_mean(name, all.iter().copied(), |c| c.to_string())
                .map(|h| format!("; {h}"))
                .unwrap_or_default();
            let shown = if name.is_empty() {
                "an empty target name".to_string()
            } else {
                format!("unknown target `{name}`")
            };
            return Err(format!(
                "{shown}{hint}\n  valid targets: {} (`eventsc targets` describes them)",
                list_names(&all)
            ));
        }
    }
    Ok(targets::TARGETS
        .iter()
        .copied()
        .filter(|t| wanted.contains(&t.name()))
        .collect())
}

pub(crate) fn run(args: Args) -> u8 {
    let plan = match super::plans::select(&args.paths, false) {
        Ok(mut plans) if plans.len() == 1 => plans.remove(0),
        Ok(_) => return usage_error("build reads one plan"),
        Err(e) => return usage_error(e),
    };
    let manifest = plan.manifest.as_ref();
    let default_targets = vec!["all".to_string()];
    let names = args
        .target
        .as_ref()
        .or(manifest.and_then(|m| m.targets.as_ref()))
        .unwrap_or(&default_targets);
    let selected = match select(names) {
        Ok(s) => s,
        Err(message) => return usage_error(message),
    };
    let Some(out) = args.out.clone().or_else(|| {
        manifest
            .and_then(|m| m.out.as_deref())
            .map(|o| super::plans::relative(o, &std::env::current_dir().unwrap_or_default()))
    }) else {
        return usage_error(
            "no output directory: pass --out DIR (or set `[build] out` in the plan's eventsc.toml)",
        );
    };
    let mut target_options = manifest.map(|m| m.target_options()).unwrap_or_default();
    if let Some(v) = args.dbt_version {
        target_options.dbt_version = v;
    }
    if let Err(e) = outdir::check_out(&out) {
        return usage_error(e);
    }
    let loaded = match crate::load::load(&plan.paths) {
        Ok(l) => l,
        Err(e) => return usage_error(e),
    };
    let checked = crate::check::check(&loaded.sources, loaded.diagnostics);
    let files = loaded.sources.len();
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    let what = match &checked.plan {
        Some(p) => format!(
            "checked {} ({})",
            plural(files, "file"),
            plural(p.events.len(), "event")
        ),
        None => format!("checked {}", plural(files, "file")),
    };
    let failed = args
        .output
        .report(&checked.diagnostics, &loaded.sources, &what);
    let plan = match (&checked.plan, failed) {
        (Some(plan), false) => plan,
        _ => {
            eprintln!(
                "build: nothing written to `{}` (fix the errors above first)",
                out.display()
            );
            return EXIT_FAIL;
        }
    };
    let plan_path = crate::targets::qa::plan_from_out(&out, &loaded.sources);
    let cx = Context {
        plan,
        sources: &loaded.sources,
        warnings: &checked.diagnostics,
        options: target_options,
        plan_path: plan_path.as_deref(),
    };
    let options = outdir::Options {
        force: args.force,
        inputs: loaded
            .sources
            .files()
            .filter_map(|(_, f)| f.path.clone())
            .filter(|p| p.as_os_str() != "-")
            .collect(),
    };
    let report = match outdir::build(&out, &selected, &cx, &options) {
        Ok(r) => r,
        Err(e) => return usage_error(e),
    };
    for w in &report.warnings {
        eprintln!("warning: {w}");
    }
    for f in &report.forced {
        eprintln!(
            "build: replaced `{}`, which eventsc had not written (--force)",
            out.join(f).display()
        );
    }
    if !report.temporaries.is_empty() {
        eprintln!(
            "build: removed {} left by an interrupted eventsc",
            plural(report.temporaries.len(), "temporary file")
        );
    }
    eprintln!(
        "build: {} into `{}`: {} written, {} unchanged, {} removed",
        plural(selected.len(), "target"),
        out.display(),
        plural(report.written.len(), "file"),
        report.unchanged.len(),
        report.removed.len()
    );
    if let Some(dir) = &args.record {
        return record(dir, &cx);
    }
    EXIT_OK
}

/// Writes the audit record of this build (`--record DIR`).
fn record(dir: &std::path::Path, cx: &Context) -> u8 {
    let written = crate::audit::Utc::now().and_then(|now| {
        let plan_json = crate::audit::plan_json(cx)?;
        crate::audit::write(dir, cx.plan, cx.sources, plan_json, now)
    });
    match written {
        Ok(path) => {
            eprintln!("build: recorded `{}`", path.display());
            EXIT_OK
        }
        Err(e) => usage_error(format!("audit record: {e}")),
    }
}
