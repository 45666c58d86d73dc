//! `eventsc serve`: a local Segment-compatible collector with a live QA dashboard.

use super::{Color, EXIT_FAIL, EXIT_OK, usage_error};
use crate::diagnostics::render::MessageFormat;
use crate::serve::{self, collector::Collector};
use crate::validate::model::Model;
use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Collect Segment payloads locally and QA them live.
///
/// Listens for Segment's tracking API (`/v1/batch`, `/v1/track`, …, the
/// shorthands analytics.js uses, gzip bodies; write keys are accepted and
/// ignored), checks every payload against the plan as it arrives, exactly as
/// `eventsc validate` does, and appends it to the capture file (NDJSON). Open
/// the printed address for the live dashboard; `/qa.json` is what
/// `eventsc validate --format json` prints for the capture.
///
/// Point analytics.js at it: set `analytics._cdn` to the collector's address
/// and load it from `/analytics.js/v1/<writeKey>/analytics.min.js` (with
/// `--analytics-js`); the settings it fetches send its events here. Server
/// libraries: set their host to the collector's address.
///
/// On Ctrl-C (SIGINT) or SIGTERM it writes the evidence report, keeps the
/// capture and prints the summary.
///
/// Examples:
///   eventsc serve plan/
///   eventsc serve plan/ --port 8787 --capture qa/run-3.ndjson --report qa/run-3.md
///   eventsc serve plan/ --analytics-js node_modules/@segment/analytics-next/dist/umd --static site/
///
/// Exit codes: 0 QA passed, 1 QA failed (or the plan has errors), 2 usage or
/// I/O error.
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub(crate) struct Args {
    /// `.events` files or directories (every `.events` file below).
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// The port to listen on (0: any free port, printed at start).
    #[arg(long, default_value_t = 8787)]
    pub port: u16,
    /// The address to listen on. Anything but loopback exposes the collector
    /// (and the payloads it shows) to the network.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: IpAddr,
    /// The capture file: every payload received, one per line.
    #[arg(long, value_name = "FILE", default_value = "qa/captured.ndjson")]
    pub capture: PathBuf,
    /// Continue an existing capture file (its payloads count too) instead of
    /// refusing to touch it.
    #[arg(long)]
    pub append: bool,
    /// The Markdown evidence report written on exit.
    #[arg(long, value_name = "FILE.md", default_value = "qa/evidence.md")]
    pub report: PathBuf,
    /// Violations listed per event (all are counted).
    #[arg(long, value_name = "N", default_value_t = crate::validate::tally::EXAMPLES as u64, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub max_violations: u64,
    /// Keep a record of this QA run in DIR when it stops, and evaluate the
    /// rip-cord over the recorded runs (as `validate --record`).
    #[arg(long, value_name = "DIR")]
    pub record: Option<PathBuf>,
    /// Replace the `--report` file if it exists.
    #[arg(long)]
    pub force: bool,
    /// `@segment/analytics-next`'s `dist/umd` folder, to serve analytics.js
    /// locally (`/analytics.js/v1/<writeKey>/analytics.min.js`).
    #[arg(long, value_name = "DIR")]
    pub analytics_js: Option<PathBuf>,
    /// A folder of pages served under `/app/` (the front end under test).
    #[arg(long = "static", value_name = "DIR")]
    pub static_dir: Option<PathBuf>,
    /// Connections served at once, each on its own thread (a new connection
    /// past this is answered 503).
    #[arg(long, value_name = "N", default_value_t = 64, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub max_connections: u16,
    /// How to print the plan's diagnostics, if it has errors.
    #[arg(long, value_enum, default_value_t = MessageFormat::Human)]
    pub message_format: MessageFormat,
    /// Colour in diagnostics (`NO_COLOR` is honoured with `auto`).
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
}

pub(crate) fn run(args: Args) -> u8 {
    let loaded = match crate::load::load(&args.paths) {
        Ok(l) => l,
        Err(e) => return usage_error(e),
    };
    // The report is checked before anything starts: it must not be an input
    // (a plan file, the capture), nor an existing file unless `--force`.
    let inputs = super::validate::input_paths(&loaded.sources, &args.capture);
    let inputs: Vec<&std::path::Path> = inputs.iter().map(PathBuf::as_path).collect();
    if let Err(e) = crate::fsutil::check_output_file(&args.report, args.force, &inputs) {
        return usage_error(e);
    }
    let (plan, sources) =
        match super::validate::checked_plan(loaded, args.message_format, args.color) {
            Ok(p) => p,
            Err(code) => return code,
        };
    for (what, dir) in [
        ("--analytics-js", &args.analytics_js),
        ("--static", &args.static_dir),
    ] {
        if let Some(d) = dir
            && !d.is_dir()
        {
            return usage_error(format!("{what} `{}` is not a folder", d.display()));
        }
    }
    if let Some(d) = &args.analytics_js
        && !d.join("standalone.js").is_file()
    {
        return usage_error(format!(
            "--analytics-js `{}` has no standalone.js: pass the `dist/umd` folder of @segment/analytics-next",
            d.display()
        ));
    }
    let plan_lines: Vec<Vec<Box<str>>> = sources
        .files()
        .map(|(_, f)| f.text.lines().map(Into::into).collect())
        .collect();
    let model = Model::compile(plan, &sources);
    drop(sources);

    // The capture: new, or continued with --append.
    let capture = &args.capture;
    let exists = capture.exists();
    if exists && !args.append {
        return usage_error(format!(
            "the capture `{}` exists: pass --append to continue it, or name another with --capture",
            capture.display()
        ));
    }
    if let Err(e) = crate::validate::provenance::now() {
        return usage_error(e);
    }
    let (resumed, unterminated) = if exists {
        match serve::resume(&model, capture, args.max_violations as usize) {
            Ok(r) => r,
            Err(e) => {
                return usage_error(format!("cannot continue `{}`: {e}", capture.display()));
            }
        }
    } else {
        use sha2::Digest;
        let tally = crate::validate::tally::Tally::with_limit(args.max_violations as usize);
        ((tally, 0, sha2::Sha256::new()), false)
    };
    let lines = resumed.1;
    if let Some(dir) = capture.parent().filter(|d| !d.as_os_str().is_empty())
        && let Err(e) = std::fs::create_dir_all(dir)
    {
        return usage_error(format!("cannot create `{}`: {e}", dir.display()));
    }
    let file = match std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(capture)
    {
        Ok(f) => f,
        Err(e) => return usage_error(format!("cannot write `{}`: {e}", capture.display())),
    };
    let mut sink = std::io::BufWriter::with_capacity(1 << 16, file);
    if unterminated && let Err(e) = sink.write_all(b"\n") {
        return usage_error(format!("cannot write `{}`: {e}", capture.display()));
    }
    let name = capture.display().to_string();
    let collector = Collector::new(&model, plan_lines, name, Box::new(sink), resumed);

    let addr = SocketAddr::new(args.host, args.port);
    let listener = match std::net::TcpListener::bind(addr) {
        Ok(l) => l,
        Err(e) => return usage_error(format!("cannot listen on {addr}: {e}")),
    };
    let bound = listener
        .local_addr()
        .unwrap_or(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), args.port));
    let loopback = args.host.is_loopback();
    if !loopback {
        crate::serve::note!(
            "warning: listening on {} (not loopback): anyone who can reach this machine can send payloads and read the dashboard, with the payloads it shows",
            args.host
        );
    }
    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = Arc::clone(&stop);
        if let Err(e) = ctrlc::set_handler(move || stop.store(true, Ordering::SeqCst)) {
            return usage_error(format!("cannot handle Ctrl-C: {e}"));
        }
    }
    let base = format!("http://{bound}");
    let mut banner = format!(
        "eventsc serve: collecting for {:?} {} on {base}\n  dashboard     {base}/\n  tracking API  {base}/v1 (analytics.js: apiHost \"{bound}/v1\", protocol \"http\")\n  capture       {}{}\n  report        {} (written on exit)\n",
        model.info.title,
        model.info.version,
        capture.display(),
        if exists {
            format!(" (continued: {lines} lines already)")
        } else {
            String::new()
        },
        args.report.display(),
    );
    if args.analytics_js.is_some() {
        banner.push_str(&format!(
            "  analytics.js  {base}/analytics.js/v1/<writeKey>/analytics.min.js (set analytics._cdn = \"{base}\")\n"
        ));
    }
    if args.static_dir.is_some() {
        banner.push_str(&format!("  pages         {base}/app/\n"));
    }
    banner.push_str("Stop with Ctrl-C or SIGTERM.\n");
    crate::serve::note!("{}", banner.trim_end());

    let files = serve::Files {
        analytics_js: args.analytics_js.clone(),
        static_dir: args.static_dir.clone(),
        loopback,
    };
    let limits = serve::http::Limits {
        connections: args.max_connections.into(),
        ..serve::http::Limits::default()
    };
    serve::run(&listener, &collector, &files, &limits, &stop);

    if let Err(e) = collector.flush() {
        crate::serve::note!("error: cannot write `{}`: {e}", capture.display());
    }
    let mut summary = collector.summary();
    let mut failed: Option<u8> = None;
    if let Some(dir) = &args.record {
        let recorded = crate::validate::provenance::now().and_then(|(unix, date)| {
            crate::validate::record::record_run(&model, &mut summary, dir, unix, &date)
        });
        match recorded {
            Ok(path) => crate::serve::note!(
                "eventsc serve: this run is recorded as `{}`",
                path.display()
            ),
            // The report and the capture are still written.
            Err(e) => failed = Some(usage_error(e)),
        }
    }
    let md = summary.markdown(&model);
    let mut code = if summary.qa.passed {
        EXIT_OK
    } else {
        EXIT_FAIL
    };
    let inputs = [capture.as_path()];
    if let Err(e) =
        crate::fsutil::write_output_file(&args.report, md.as_bytes(), args.force, &inputs)
    {
        code = usage_error(e);
    } else {
        crate::serve::note!(
            "eventsc serve: stopped; capture `{}`, report `{}`",
            capture.display(),
            args.report.display()
        );
    }
    let _ = std::io::stdout()
        .lock()
        .write_all(summary.human().as_bytes());
    failed.unwrap_or(code)
}
