//! The QA workflow around `eventsc validate`: Segment batches unwrapped, and
//! (later in this file) scoping, suggestions, every violation listed,
//! duplicate keys, provenance and the run records of the rip-cord.

use crate::common;

use std::process::Command;

const PLAN: &str = "tests/fixtures/validate/plan.events";
const VALID: &str = "tests/fixtures/validate/valid.ndjson";

fn validate(dir: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    validate_at(dir, args, 1764930000)
}

/// `eventsc validate ARGS` in `dir`, at the time `epoch` (SOURCE_DATE_EPOCH).
fn validate_at(dir: &std::path::Path, args: &[&str], epoch: i64) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_eventsc"))
        .arg("validate")
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("SOURCE_DATE_EPOCH", epoch.to_string())
        .output()
        .expect("validate runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn json(stdout: &str) -> serde_json::Value {
    serde_json::from_str(stdout).expect("--format json prints JSON")
}

fn valid_lines() -> Vec<String> {
    std::fs::read_to_string(common::root().join(VALID))
        .expect("the fixture")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn segment_batches_are_unwrapped() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let lines = valid_lines();
    let plan = common::root().join(PLAN);
    let plan = plan.to_str().expect("UTF-8");
    // One NDJSON line per message, and the same messages as one batch (what
    // the browser's network tab shows), pretty-printed inside a JSON array.
    std::fs::write(dir.path().join("lines.ndjson"), lines.join("\n")).expect("writes");
    let batch = format!(
        "[\n{{\"batch\": [\n{}\n], \"sentAt\": \"2026-12-01T10:00:00Z\"}}\n]\n",
        lines.join(",\n")
    );
    std::fs::write(dir.path().join("batch.json"), &batch).expect("writes");
    let (code_a, a, _) = validate(
        dir.path(),
        &[plan, "--payloads", "lines.ndjson", "--format", "json"],
    );
    let (code_b, b, _) = validate(
        dir.path(),
        &[plan, "--payloads", "batch.json", "--format", "json"],
    );
    let (a, b) = (json(&a), json(&b));
    assert_eq!(code_a, code_b);
    assert_eq!(a["totals"], b["totals"]);
    assert_eq!(a["qa"], b["qa"]);
    assert_eq!(b["totals"]["records"], lines.len());
    assert!(
        b["events"]
            .as_array()
            .expect("rows")
            .iter()
            .all(|r| r["name"] != "(no usable type)"),
        "{b:#}"
    );
}

/// The commands the QA checklist prints, in the order printed: its code
/// spans that are `eventsc` command lines.
fn checklist_commands(md: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, part) in md.split('`').enumerate() {
        if i % 2 == 1 && part.starts_with("eventsc ") && part.split_whitespace().count() > 2 {
            out.push(part.to_string());
        }
    }
    out
}

fn copy_plan(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("the example").flatten() {
        let p = e.path();
        if p.extension().is_some_and(|x| x == "events") {
            std::fs::copy(&p, to.join(e.file_name())).expect("copies");
        }
    }
}

fn sh(dir: &std::path::Path, command: &str) -> std::process::Output {
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_eventsc"))
        .parent()
        .expect("the binary's folder")
        .to_path_buf();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    Command::new("sh")
        .args(["-c", command])
        .current_dir(dir)
        .env("PATH", path)
        .env("NO_COLOR", "1")
        .output()
        .expect("sh runs")
}

/// Every command the QA checklist prints runs as printed, from where it says
/// to run them (the build's output folder): the replays of the samples pass,
/// each event's replay passes on its own (`--event`), the capture is
/// validated into the evidence report, and `eventsc serve` starts.
#[test]
fn every_command_of_the_qa_checklist_runs_as_written() {
    // Two examples, and a plan with an envelope, page and screen rules and
    // an event in two versions (each version's sample replays on its own:
    // an event counts once for coverage, whatever its versions).
    for example in [
        "examples/pipeline-velocity",
        "examples/ecommerce",
        "tests/fixtures/serve",
    ] {
        let dir = tempfile::tempdir().expect("a temp dir");
        let d = dir.path();
        copy_plan(&common::root().join(example), &d.join("plan"));
        let built = sh(d, "eventsc build plan --out out --target qa,samples");
        assert!(
            built.status.success(),
            "{}",
            String::from_utf8_lossy(&built.stderr)
        );
        let out = d.join("out");
        let md = std::fs::read_to_string(out.join("qa-checklist.md")).expect("the checklist");
        assert!(
            md.contains("in the folder that holds this checklist"),
            "{md}"
        );
        let commands = checklist_commands(&md);
        assert!(commands.len() > 5, "{commands:?}");
        // The capture the checklist asks for: here, the samples.
        std::fs::create_dir_all(out.join("qa")).expect("mkdir");
        std::fs::copy(
            out.join("samples/samples.ndjson"),
            out.join("qa/captured.ndjson"),
        )
        .expect("copies");
        let mut served = false;
        for command in &commands {
            if command.starts_with("eventsc serve ") {
                served = true;
                serve_runs(d, &out, command);
                continue;
            }
            let r = sh(&out, command);
            assert!(
                r.status.success(),
                "{example}: `{command}` failed in the output folder:\n{}\n{}",
                String::from_utf8_lossy(&r.stdout),
                String::from_utf8_lossy(&r.stderr)
            );
        }
        assert!(served, "the checklist offers `eventsc serve`");
        assert!(out.join("qa/evidence.md").is_file());
        // The validation of the capture is recorded for the rip-cord.
        let runs = std::fs::read_dir(out.join("qa/runs"))
            .expect("qa/runs")
            .count();
        assert_eq!(runs, 1, "one recorded run");
    }
}

/// The replays the QA checklist prints for page and screen rules
/// (`--event page`, `--event screen`) pass on their own sample, in a plan
/// with an envelope, named and unnamed page rules and a screen rule.
#[test]
fn the_checklists_page_and_screen_replays_pass_on_their_own() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let d = dir.path();
    copy_plan(
        &common::root().join("tests/fixtures/serve"),
        &d.join("plan"),
    );
    let built = sh(d, "eventsc build plan --out out --target qa,samples");
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let out = d.join("out");
    let md = std::fs::read_to_string(out.join("qa-checklist.md")).expect("the checklist");
    let calls: Vec<String> = checklist_commands(&md)
        .into_iter()
        .filter(|c| c.ends_with("--event page") || c.ends_with("--event screen"))
        .collect();
    // `page { }`, `page "Pricing"`, `screen "Checkout"`.
    assert_eq!(calls.len(), 3, "{calls:?}\n{md}");
    for command in &calls {
        let r = sh(&out, command);
        assert!(
            r.status.success(),
            "`{command}` failed in the output folder:\n{}\n{}",
            String::from_utf8_lossy(&r.stdout),
            String::from_utf8_lossy(&r.stderr)
        );
    }
}

/// Runs the checklist's `eventsc serve` command in a copy of the output
/// folder (on a free port: the only change), until it prints its address;
/// then stops it.
fn serve_runs(d: &std::path::Path, out: &std::path::Path, command: &str) {
    let copy = d.join("serve-run");
    std::fs::create_dir_all(&copy).expect("mkdir");
    for e in std::fs::read_dir(out).expect("out").flatten() {
        if e.path().is_file() {
            std::fs::copy(e.path(), copy.join(e.file_name())).expect("copies");
        }
    }
    let bin = env!("CARGO_BIN_EXE_eventsc");
    let line = format!("exec {} --port 0", command.replacen("eventsc", bin, 1));
    let mut child = Command::new("sh")
        .args(["-c", &line])
        .current_dir(&copy)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("serve starts");
    let mut first = String::new();
    let stderr = child.stderr.take().expect("piped");
    std::io::BufRead::read_line(&mut std::io::BufReader::new(stderr), &mut first).expect("reads");
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let status = child.wait().expect("exits");
    assert!(first.contains("collecting for"), "`{command}`: {first}");
    // No payload came: QA failed, reported on exit.
    assert_eq!(status.code(), Some(1), "`{command}`");
    assert!(copy.join("qa/evidence.md").is_file());
    let runs = std::fs::read_dir(copy.join("qa/runs"))
        .expect("qa/runs")
        .count();
    assert_eq!(runs, 1, "`{command}` records its run");
}

macro_rules! snapshot {
    ($name:expr, $value:expr) => {{
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(common::root().join("tests/snapshots/validate_workflow"));
        settings.set_prepend_module_to_snapshot(false);
        settings.bind(|| insta::assert_snapshot!($name, $value));
    }};
}

/// `--event` narrows coverage to the events named (or globbed); the other
/// payloads are still checked.
#[test]
fn event_scopes_coverage() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let d = dir.path();
    let lines = valid_lines();
    // One "Order Completed" and one broken "Cart Viewed".
    let broken = lines[1].replace("\"item_count\": 3", "\"item_count\": -3");
    std::fs::write(d.join("p.ndjson"), format!("{}\n{broken}\n", lines[0])).expect("writes");
    std::fs::copy(common::root().join(PLAN), d.join("plan.events")).expect("copies");
    let plan = "plan.events";
    let run = |extra: &[&str]| {
        let mut args = vec![plan, "--payloads", "p.ndjson", "--format", "json"];
        args.extend_from_slice(extra);
        let (code, out, err) = validate(d, &args);
        (
            code,
            if code == 2 {
                serde_json::Value::Null
            } else {
                json(&out)
            },
            err,
        )
    };
    let (code, all, _) = run(&[]);
    assert_eq!(code, 1, "2 of 4 events seen, under the 75% target");
    assert_eq!(all["qa"]["coverage"]["planned"], 4);
    assert!(all.get("scope").is_none());

    let (code, one, _) = run(&["--event", "Order Completed"]);
    assert_eq!(code, 0, "{one:#}");
    assert_eq!(one["scope"], serde_json::json!(["Order Completed"]));
    assert_eq!(one["qa"]["coverage"]["planned"], 1);
    assert_eq!(one["qa"]["coverage"]["observed"], 1);
    assert_eq!(
        one["qa"]["defects"]["payloads"], 1,
        "other events are still checked"
    );
    assert_eq!(one["never_seen"], serde_json::json!([]));

    let (_, glob, _) = run(&["--event", "*Viewed", "--event", "Seat ?dded"]);
    assert_eq!(glob["qa"]["coverage"]["planned"], 2);
    assert_eq!(glob["qa"]["coverage"]["observed"], 1);

    for call in ["identify", "group", "page", "screen"] {
        let (code, calls, _) = run(&["--event", call]);
        assert_eq!(calls["qa"]["coverage"]["planned"], 0, "{call}");
        assert_eq!(code, 0, "{call}");
    }

    let (code, _, err) = run(&["--event", "order complete"]);
    assert_eq!(code, 2);
    assert!(err.contains("did you mean \"Order Completed\""), "{err}");

    let (_, human, _) = validate(d, &[plan, "--payloads", "p.ndjson", "--event", "Order*"]);
    snapshot!("event-scope-human", human);
}

/// Unplanned events, properties and traits name the closest planned one.
#[test]
fn did_you_mean_for_events_properties_and_traits() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let d = dir.path();
    let lines = valid_lines();
    let payloads = [
        lines[0].replace("\"Order Completed\"", "\"order completed\""),
        lines[1].replace("\"item_count\"", "\"item_cont\""),
        lines[3].replace("\"age\"", "\"agee\""),
        lines[1].replace("\"Cart Viewed\"", "\"Totally Unrelated\""),
    ];
    std::fs::write(d.join("p.ndjson"), payloads.join("\n")).expect("writes");
    std::fs::copy(common::root().join(PLAN), d.join("plan.events")).expect("copies");
    let plan = "plan.events";
    let (_, out, _) = validate(d, &[plan, "--payloads", "p.ndjson", "--format", "json"]);
    let v = json(&out);
    let expected: Vec<String> = v["events"]
        .as_array()
        .expect("rows")
        .iter()
        .flat_map(|r| r["examples"].as_array().cloned().unwrap_or_default())
        .map(|e| {
            format!(
                "{} {}",
                e["pointer"].as_str().unwrap_or(""),
                e["found"].as_str().unwrap_or("")
            )
        })
        .collect();
    for want in [
        "/event \"order completed\"; did you mean \"Order Completed\"?",
        "/properties/item_cont `item_cont`, not planned; did you mean `item_count`?",
        "/traits/agee `agee`, not planned; did you mean `age`?",
        "/event \"Totally Unrelated\"",
    ] {
        assert!(expected.iter().any(|e| e == want), "{want}\n{expected:#?}");
    }
    let (_, human, _) = validate(d, &[plan, "--payloads", "p.ndjson"]);
    snapshot!("did-you-mean-human", human);
}

/// A payload with a repeated key is judged as Segment and JSON parsers read
/// it: the last value wins (envelope, properties, consent preferences).
#[test]
fn repeated_keys_are_read_as_parsers_read_them() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let d = dir.path();
    std::fs::copy(common::root().join(PLAN), d.join("plan.events")).expect("copies");
    let lines = valid_lines();
    let cart = &lines[1];
    let payloads = [
        // A bad value first, a good one last: valid.
        cart.replace("\"item_count\": 3", "\"item_count\": -3, \"item_count\": 3"),
        // A good value first, a bad one last: a defect.
        cart.replace(
            "\"item_count\": 3",
            "\"item_count\": 3, \"item_count\": \"three\"",
        ),
        // The event named twice: the last name counts.
        cart.replace(
            "\"event\": \"Cart Viewed\"",
            "\"event\": \"Nope\", \"event\": \"Cart Viewed\"",
        ),
        // Consent switched off, then on: granted.
        lines[0].replace(
            "\"Advertising\": true",
            "\"Advertising\": false, \"Advertising\": true",
        ),
    ];
    std::fs::write(d.join("p.ndjson"), payloads.join("\n")).expect("writes");
    let (_, out, _) = validate(
        d,
        &["plan.events", "--payloads", "p.ndjson", "--format", "json"],
    );
    let v = json(&out);
    let row = |name: &str| {
        v["events"]
            .as_array()
            .expect("rows")
            .iter()
            .find(|r| r["name"] == name)
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(row("Cart Viewed")["seen"], 3, "{v:#}");
    assert_eq!(row("Cart Viewed")["defective"], 1, "{v:#}");
    assert_eq!(row("Cart Viewed")["examples"][0]["line"], 2);
    assert_eq!(row("Cart Viewed")["examples"][0]["kind"], "type");
    assert_eq!(row("Order Completed")["defective"], 0, "{v:#}");
    assert!(v["totals"]["violations"].get("consent").is_none(), "{v:#}");
    assert_eq!(v["totals"]["records"], 4);
}

/// Every violation is counted; `--max-violations N` lists N per event and
/// says how many more there are.
#[test]
fn every_violation_is_listed_or_counted_as_more() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let d = dir.path();
    std::fs::copy(common::root().join(PLAN), d.join("plan.events")).expect("copies");
    let lines = valid_lines();
    // One payload with two violations, then four more with one each.
    let two = lines[1]
        .replace("\"item_count\": 3", "\"item_count\": -3")
        .replace("[\"spring\", \"sale\"]", "[\"a\", \"b\", \"c\", \"d\"]");
    let mut payloads = vec![two];
    for _ in 0..4 {
        payloads.push(lines[1].replace("\"item_count\": 3", "\"item_count\": -1"));
    }
    std::fs::write(d.join("p.ndjson"), payloads.join("\n")).expect("writes");
    let (_, out, _) = validate(
        d,
        &["plan.events", "--payloads", "p.ndjson", "--format", "json"],
    );
    let v = json(&out);
    let cart = v["events"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["name"] == "Cart Viewed")
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        cart["examples"].as_array().map(Vec::len),
        Some(6),
        "{cart:#}"
    );
    assert!(cart.get("unlisted").is_none());
    let (_, human, _) = validate(
        d,
        &[
            "plan.events",
            "--payloads",
            "p.ndjson",
            "--max-violations",
            "2",
        ],
    );
    assert!(
        human.contains("… and 4 more violations (--max-violations N lists more)"),
        "{human}"
    );
    snapshot!("max-violations-human", human);
    let (code, _, err) = validate(
        d,
        &[
            "plan.events",
            "--payloads",
            "p.ndjson",
            "--max-violations",
            "0",
        ],
    );
    assert_eq!(code, 2, "{err}");
}

/// The report and the JSON say where the results come from.
#[test]
fn provenance_is_in_the_report_and_the_json() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let d = dir.path();
    std::fs::copy(common::root().join(PLAN), d.join("plan.events")).expect("copies");
    std::fs::copy(common::root().join(VALID), d.join("p.ndjson")).expect("copies");
    let (_, out, _) = validate(
        d,
        &[
            "plan.events",
            "--payloads",
            "p.ndjson",
            "--format",
            "json",
            "--report",
            "e.md",
        ],
    );
    let v = json(&out);
    let p = &v["provenance"];
    assert_eq!(
        p["date"], "2025-12-05T10:20:00Z",
        "SOURCE_DATE_EPOCH=1764930000"
    );
    assert_eq!(p["eventsc"], env!("CARGO_PKG_VERSION"));
    let bytes = std::fs::read(d.join("p.ndjson")).expect("reads");
    use sha2::Digest;
    let want = sha2::Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>();
    assert_eq!(p["payloads_sha256"], want.as_str());
    assert_eq!(p["plan_sources_sha256"].as_str().map(str::len), Some(64));
    // gzip: the hash is the file's as stored.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, &bytes).expect("gzips");
    let gz = gz.finish().expect("gzips");
    std::fs::write(d.join("p.ndjson.gz"), &gz).expect("writes");
    let (_, out, _) = validate(
        d,
        &[
            "plan.events",
            "--payloads",
            "p.ndjson.gz",
            "--format",
            "json",
        ],
    );
    let want_gz = sha2::Sha256::digest(&gz)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>();
    assert_eq!(
        json(&out)["provenance"]["payloads_sha256"],
        want_gz.as_str()
    );
    let report = std::fs::read_to_string(d.join("e.md")).expect("the report");
    assert!(
        report.contains("| date | 2025-12-05T10:20:00Z |"),
        "{report}"
    );
    assert!(report.contains(&want), "{report}");
}

/// `--record DIR` keeps one record per run, and the rip-cord
/// (`escalate_after 2 in 24 hours` in the fixture plan) is evaluated over
/// them: pulled on the second breach within 24 hours, naming whom to alert.
#[test]
fn runs_are_recorded_and_the_rip_cord_is_pulled() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let d = dir.path();
    std::fs::copy(common::root().join(PLAN), d.join("plan.events")).expect("copies");
    std::fs::copy(common::root().join(VALID), d.join("good.ndjson")).expect("copies");
    let lines = valid_lines();
    std::fs::write(
        d.join("bad.ndjson"),
        lines[1].replace("\"item_count\": 3", "\"item_count\": -3"),
    )
    .expect("writes");
    let t0 = 1764930000;
    let run = |payloads: &str, at: i64| {
        let (code, out, err) = validate_at(
            d,
            &[
                "plan.events",
                "--payloads",
                payloads,
                "--record",
                "qa/runs",
                "--format",
                "json",
            ],
            at,
        );
        assert!(err.contains("recorded as `qa/runs/"), "{err}");
        (code, json(&out)["ripcord"].clone())
    };
    let (code, first) = run("bad.ndjson", t0);
    assert_eq!(code, 1);
    assert_eq!(first["pulled"], false, "{first:#}");
    assert_eq!(first["breaches"].as_array().map(Vec::len), Some(1));
    let (_, second) = run("bad.ndjson", t0 + 3600);
    assert_eq!(second["pulled"], true, "{second:#}");
    assert_eq!(
        second["alert"],
        serde_json::json!(["@data-eng (Data Engineering)", "@legal (Legal)"])
    );
    // A passing run is no breach: nothing to pull.
    let (code, third) = run("good.ndjson", t0 + 2 * 3600);
    assert_eq!(code, 0);
    assert_eq!(third["pulled"], false);
    assert_eq!(third["runs"], 3);
    // A breach 30 hours later is alone in its window.
    let (_, later) = run("bad.ndjson", t0 + 30 * 3600);
    assert_eq!(later["pulled"], false, "{later:#}");
    assert_eq!(later["breaches"].as_array().map(Vec::len), Some(1));
    let records = std::fs::read_dir(d.join("qa/runs"))
        .expect("the records")
        .count();
    assert_eq!(records, 4);
    // The same second and payloads again: a new record, none replaced.
    run("bad.ndjson", t0 + 30 * 3600);
    assert_eq!(
        std::fs::read_dir(d.join("qa/runs"))
            .expect("the records")
            .count(),
        5
    );

    // What the human output and the report say when it is pulled.
    let (_, human, _) = validate_at(
        d,
        &[
            "plan.events",
            "--payloads",
            "bad.ndjson",
            "--record",
            "qa/runs",
            "--report",
            "e.md",
        ],
        t0 + 31 * 3600,
    );
    let ripcord = human
        .lines()
        .find(|l| l.starts_with("rip-cord:"))
        .unwrap_or_default();
    assert!(
        ripcord.contains("PULLED: 3 guardrail breaches within 24 hours"),
        "{human}"
    );
    assert!(
        ripcord.contains("alert @data-eng (Data Engineering), @legal (Legal)"),
        "{human}"
    );
    let report = std::fs::read_to_string(d.join("e.md")).expect("the report");
    assert!(report.contains("## Rip-cord"), "{report}");
    assert!(report.contains("PULLED"), "{report}");
}
