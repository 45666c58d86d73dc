//! `eventsc validate`: replays captured Segment payloads against the plan.

use super::check::Output;
use super::{Color, EXIT_FAIL, EXIT_OK, usage_error};
use crate::diagnostics::render::MessageFormat;
use crate::validate::{self, model::Model};
use std::path::PathBuf;

/// Check captured Segment payloads against the plan (QA replay).
///
/// Reads NDJSON, a JSON array, or either gzipped, in one streaming pass, and
/// reports per event what was seen and what broke the plan. QA passes when the share of planned events seen reaches `qa { coverage }` and
/// the payloads with defects stay within `qa { defect_ceiling }`.
///
/// Examples:
///   eventsc validate examples/pipeline-velocity --payloads qa/payloads.ndjson
///   eventsc validate plan/ --payloads capture.ndjson.gz --report qa/evidence.md
///   cat capture.ndjson | eventsc validate plan/ --payloads - --format json
///
/// Exit codes: 0 QA passed, 1 QA failed (or the plan has errors), 2 usage error
/// or unreadable input.
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub(crate) struct Args {
    /// `.events` files or directories (every `.events` file below).
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// The payloads: a file (`.gz` is read transparently) or `-` for stdin.
    #[arg(long, value_name = "FILE")]
    pub payloads: PathBuf,
    /// Only these events count for coverage: an event name or a glob (`*`, `?`),
    /// or `identify`, `group`, `page`, `screen` for those calls alone; repeat
    /// for more. The other payloads are still checked.
    #[arg(long = "event", value_name = "NAME")]
    pub events: Vec<String>,
    /// Violations listed per event (all are counted; the others are
    /// reported as "N more").
    #[arg(long, value_name = "N", default_value_t = crate::validate::tally::EXAMPLES as u64, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub max_violations: u64,
    /// Keep a record of this run in DIR (one small JSON file per run, never
    /// overwritten) and evaluate the plan's rip-cord (`qa { escalate_after }`)
    /// over the recorded runs: the report says when it is pulled and whom to alert.
    #[arg(long, value_name = "DIR")]
    pub record: Option<PathBuf>,
    /// Write the Markdown evidence report to this file.
    #[arg(long, value_name = "FILE.md")]
    pub report: Option<PathBuf>,
    /// Replace the `--report` file if it exists.
    #[arg(long)]
    pub force: bool,
    /// How to print the results on stdout.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Show payload values as captured, personal data included, in the output
    /// and the report (by default values of `pii(...)` properties, Segment's
    /// personal traits and context fields, email addresses and phone numbers
    /// are redacted).
    #[arg(long)]
    pub show_values: bool,
    /// Threads checking payloads (the output is the same for any number).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub jobs: u16,
    /// How to print the plan's diagnostics, if it has errors.
    #[arg(long, value_enum, default_value_t = MessageFormat::Human)]
    pub message_format: MessageFormat,
    /// Colour in diagnostics (`NO_COLOR` is honoured with `auto`).
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    Human,
    Json,
}

pub(crate) fn run(args: Args) -> u8 {
    if args.payloads.as_os_str() == "-" && args.paths.iter().any(|p| p.as_os_str() == "-") {
        return usage_error(
            "the plan and the payloads cannot both come from stdin: pass the plan as files",
        );
    }
    let loaded = match crate::load::load(&args.paths) {
        Ok(l) => l,
        Err(e) => return usage_error(e),
    };
    // The report file is checked before any work: it must not be an input, nor
    // an existing file unless `--force` is given.
    let inputs = input_paths(&loaded.sources, &args.payloads);
    let inputs: Vec<&std::path::Path> = inputs.iter().map(PathBuf::as_path).collect();
    if let Some(path) = &args.report
        && let Err(e) = crate::fsutil::check_output_file(path, args.force, &inputs)
    {
        return usage_error(e);
    }
    let (plan, sources) = match checked_plan(loaded, args.message_format, args.color) {
        Ok(p) => p,
        Err(code) => return code,
    };
    // The IR is freed event by event as the model is built; the sources are not
    // needed any more either.
    let mut model = Model::compile(plan, &sources);
    model.show_values = args.show_values;
    if !args.events.is_empty() {
        match validate::scope::select(&model, &args.events) {
            Ok(selected) => model.restrict(&selected),
            Err(e) => return usage_error(e),
        }
    }
    drop(sources);
    let stats = Stats::start(&model);
    // The date is read first: a bad SOURCE_DATE_EPOCH is a usage error
    // before any work.
    let (unix, date) = match validate::provenance::now() {
        Ok(now) => now,
        Err(e) => return usage_error(e),
    };

    let mut hash = None;
    let reader = match validate::input::open_with(&args.payloads, |r| {
        let (r, h) = validate::provenance::Hashing::new(r);
        hash = Some(h);
        Box::new(r)
    }) {
        Ok(r) => r,
        Err(e) => {
            return usage_error(format!(
                "cannot read payloads `{}`: {e}",
                args.payloads.display()
            ));
        }
    };
    let framer = validate::input::Framer::new(reader);
    let tally = match validate::run_limited(
        &model,
        framer,
        args.jobs as usize,
        args.max_violations as usize,
    ) {
        Ok(t) => t,
        Err(e) => {
            return usage_error(format!(
                "cannot read payloads `{}`: {e}",
                args.payloads.display()
            ));
        }
    };
    if let Some(s) = stats {
        s.finish(tally.records);
    }
    let name = args.payloads.display().to_string();
    let mut summary = validate::report::summarize_with(&model, &tally, &name, args.show_values);
    summary.scope = args.events.clone();
    summary.provenance.date = date.rfc3339();
    if let Some(h) = hash {
        summary.provenance.payloads_sha256 = validate::provenance::hex(h.take());
    }
    if let Some(dir) = &args.record {
        match validate::record::record_run(&model, &mut summary, dir, unix, &date) {
            Ok(path) => {
                use std::io::Write as _;
                let _ = writeln!(
                    std::io::stderr(),
                    "validate: this run is recorded as `{}`",
                    path.display()
                );
            }
            Err(e) => return usage_error(e),
        }
    }
    if let Some(path) = &args.report {
        let md = summary.markdown(&model);
        if let Err(e) = crate::fsutil::write_output_file(path, md.as_bytes(), args.force, &inputs) {
            return usage_error(e);
        }
    }
    let text = match args.format {
        Format::Human => summary.human(),
        Format::Json => summary.json(),
    };
    super::write_stdout(text.as_bytes());
    if summary.qa.passed {
        EXIT_OK
    } else {
        EXIT_FAIL
    }
}

/// The files a command reads (the plan's, and `data`, unless stdin): what
/// an output file must not be.
pub(super) fn input_paths(
    sources: &crate::source::SourceMap,
    data: &std::path::Path,
) -> Vec<PathBuf> {
    sources
        .files()
        .filter_map(|(_, f)| f.path.clone())
        .chain(Some(data.to_path_buf()))
        .filter(|p| p.as_os_str() != "-")
        .collect()
}

/// The checked plan and its sources, or its diagnostics printed and exit 1.
pub(super) fn checked_plan(
    loaded: crate::load::Loaded,
    message_format: MessageFormat,
    color: Color,
) -> Result<(crate::ir::Plan, crate::source::SourceMap), u8> {
    let checked = crate::check::check(&loaded.sources, loaded.diagnostics);
    let sources = loaded.sources;
    match checked.into_ok() {
        Ok(plan) => Ok((plan, sources)),
        Err(diagnostics) => {
            let output = Output {
                message_format,
                color,
                deny: None,
            };
            output.report(&diagnostics, &sources, "plan");
            Err(EXIT_FAIL)
        }
    }
}

/// With `EVENTSC_STATS=1`, how time and memory split between loading the plan
/// and streaming the payloads, on stderr (for bench/validate.sh; Linux only for
/// memory: `/proc/self/status`, and the peak is reset between the two phases
/// through `/proc/self/clear_refs`).
struct Stats {
    start: std::time::Instant,
    cpu: f64,
}

impl Stats {
    fn start(model: &Model) -> Option<Stats> {
        if std::env::var_os("EVENTSC_STATS").is_none_or(|v| v.is_empty()) {
            return None;
        }
        let (rss, hwm) = memory();
        let cpu = cpu_seconds();
        eprintln!(
            "stats: plan loaded in {cpu:.2} s CPU: peak RSS {} MB, RSS now {} MB, compiled model ~{:.1} MB",
            hwm / 1024,
            rss / 1024,
            model.approx_bytes() as f64 / 1e6
        );
        // Reset the peak so the next one is the streaming phase's.
        let _ = std::fs::write("/proc/self/clear_refs", "5");
        Some(Stats {
            start: std::time::Instant::now(),
            cpu,
        })
    }

    fn finish(self, records: u64) {
        let secs = self.start.elapsed().as_secs_f64();
        let cpu = cpu_seconds() - self.cpu;
        let (rss, hwm) = memory();
        eprintln!(
            "stats: streamed {records} records in {secs:.2} s wall, {cpu:.2} s CPU ({:.0} per CPU second): peak RSS while streaming {} MB, RSS now {} MB",
            records as f64 / cpu.max(1e-9),
            hwm / 1024,
            rss / 1024
        );
    }
}

/// User + system CPU time of the process (all threads, finished ones
/// included), from `/proc/self/stat` in clock ticks of 1/100 s; 0 elsewhere.
fn cpu_seconds() -> f64 {
    let text = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = text
        .rsplit_once(')')
        .map_or(vec![], |(_, rest)| rest.split_whitespace().collect());
    // After `pid (comm)`: state is field 3, utime 14, stime 15.
    let tick = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (tick(11) + tick(12)) / 100.0
}

/// (VmRSS, VmHWM) in KB; zeros where unavailable.
fn memory() -> (u64, u64) {
    let text = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}
