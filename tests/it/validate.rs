//! `eventsc validate`: payload fixtures under tests/fixtures/validate/ checked
//! against tests/fixtures/validate/plan.events; human, JSON and report outputs
//! snapshotted; every violation kind, malformed lines, gzip, JSON arrays, stdin,
//! `--jobs` and exit codes.

use crate::common;

use eventsc::validate::{self, input::Framer, kinds::Kind, model::Model, report};
use std::collections::BTreeSet;
use std::io::Write;
use std::process::{Command, Stdio};

const PLAN: &str = "tests/fixtures/validate/plan.events";
const VALID: &str = "tests/fixtures/validate/valid.ndjson";
const VALID_ARRAY: &str = "tests/fixtures/validate/valid.json";
const VIOLATIONS: &str = "tests/fixtures/validate/violations.ndjson";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn record(&self, args: &[&str]) -> String {
        format!(
            "$ eventsc {}\nexit: {}\n--- stdout\n{}--- stderr\n{}",
            args.join(" "),
            self.code,
            self.stdout,
            self.stderr
        )
    }

    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).expect("--format json prints JSON")
    }
}

fn run_with_stdin(args: &[&str], stdin: Option<&[u8]>) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_eventsc"));
    cmd.args(args)
        .current_dir(common::root())
        .env_remove("NO_COLOR")
        // Reports are dated (provenance): the same date on every run.
        .env("SOURCE_DATE_EPOCH", "1764930000")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("the binary runs");
    if let Some(bytes) = stdin {
        let mut pipe = child.stdin.take().expect("stdin is piped");
        pipe.write_all(bytes).expect("stdin accepts the payloads");
    }
    let out = child.wait_with_output().expect("the binary finishes");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn run(args: &[&str]) -> Run {
    run_with_stdin(args, None)
}

macro_rules! snapshot {
    ($name:expr, $value:expr) => {{
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(common::root().join("tests/snapshots/validate"));
        settings.set_prepend_module_to_snapshot(false);
        settings.bind(|| insta::assert_snapshot!($name, $value));
    }};
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temporary directory")
}

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(common::root().join(path)).expect("fixture is readable")
}

/// Kinds reported in a `--format json` result.
fn kinds(json: &serde_json::Value) -> BTreeSet<String> {
    json["totals"]["violations"]
        .as_object()
        .expect("violations by kind")
        .keys()
        .cloned()
        .collect()
}

#[test]
fn valid_payloads_pass() {
    let args = ["validate", PLAN, "--payloads", VALID];
    let r = run(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    snapshot!("valid-human", r.record(&args));

    let args = ["validate", PLAN, "--payloads", VALID, "--format", "json"];
    let r = run(&args);
    assert_eq!(r.code, 0);
    let json = r.json();
    assert_eq!(json["qa"]["passed"], true);
    assert_eq!(json["qa"]["coverage"]["observed"], 3);
    assert_eq!(json["qa"]["coverage"]["planned"], 4);
    assert_eq!(json["totals"]["defective"], 0);
    assert_eq!(
        kinds(&json),
        BTreeSet::from(["deprecated-event".into(), "unplanned-property".into()]),
        "warnings only"
    );
    snapshot!("valid-json", r.stdout);
}

#[test]
fn violations_fail_with_every_detail() {
    let dir = tmp();
    let report = dir.path().join("evidence.md");
    let report_arg = report.to_string_lossy().into_owned();
    let args = [
        "validate",
        PLAN,
        "--payloads",
        VIOLATIONS,
        "--report",
        &report_arg,
    ];
    let r = run(&args);
    assert_eq!(r.code, 1, "QA fails: {}", r.stderr);
    snapshot!(
        "violations-human",
        r.record(&[
            "validate",
            PLAN,
            "--payloads",
            VIOLATIONS,
            "--report",
            "evidence.md"
        ])
    );
    let md = std::fs::read_to_string(&report).expect("the report is written");
    snapshot!("violations-report", md);

    let json_args = [
        "validate",
        PLAN,
        "--payloads",
        VIOLATIONS,
        "--format",
        "json",
    ];
    let j = run(&json_args);
    assert_eq!(j.code, 1);
    snapshot!("violations-json", j.stdout);
}

#[test]
fn the_report_redacts_pii_and_names_the_ladder() {
    let dir = tmp();
    let report = dir.path().join("qa/evidence.md");
    let r = run(&[
        "validate",
        PLAN,
        "--payloads",
        VIOLATIONS,
        "--report",
        &report.to_string_lossy(),
    ]);
    assert_eq!(r.code, 1);
    let md = std::fs::read_to_string(&report).expect("the report is written, folders created");
    // Values of pii(...) properties appear in the payload fixture...
    let payloads = String::from_utf8(fixture(VIOLATIONS)).expect("UTF-8");
    for secret in ["ana@example.com", "Lyon", "ana at example"] {
        assert!(payloads.contains(secret));
        // ...and never in the report, in samples or in violation messages.
        assert!(!md.contains(secret), "`{secret}` leaked into the report");
    }
    assert!(md.contains("[redacted: pii(contact)]"));
    assert!(md.contains("[redacted: pii(location)]"));
    assert!(md.contains("## Escalation"));
    assert!(md.contains("1. @analytics (Analytics), analytics@example.com; backup @data-eng"));
    assert!(md.contains("2. @data-eng (Data Engineering), #data-eng"));
    assert!(md.contains("alert @data-eng, @legal"));

    // A passing run has no escalation section.
    let ok = dir.path().join("ok.md");
    let r = run(&[
        "validate",
        PLAN,
        "--payloads",
        VALID,
        "--report",
        &ok.to_string_lossy(),
    ]);
    assert_eq!(r.code, 0);
    let md = std::fs::read_to_string(&ok).expect("the report is written");
    assert!(md.contains("## Result: QA passed"));
    assert!(!md.contains("## Escalation"));
    assert!(md.contains("- Report Exported (`tests/fixtures/validate/plan.events:99`)"));
}

#[test]
fn every_violation_kind_is_reported() {
    // The fixture covers every kind but `size`, which needs a 32 KB payload.
    let dir = tmp();
    let big = dir.path().join("big.ndjson");
    let mut text = String::from_utf8(fixture(VIOLATIONS)).expect("UTF-8");
    let pad = "x".repeat(33 * 1024);
    text.push_str(&format!(
        "{{\"type\":\"page\",\"messageId\":\"big\",\"anonymousId\":\"a-1\",\"properties\":{{\"pad\":\"{pad}\"}}}}\n"
    ));
    std::fs::write(&big, text).expect("writes");
    let r = run(&[
        "validate",
        PLAN,
        "--payloads",
        &big.to_string_lossy(),
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 1);
    let json = r.json();
    let seen = kinds(&json);
    let all: BTreeSet<String> = Kind::ALL.iter().map(|k| k.name().to_string()).collect();
    assert_eq!(seen, all, "every kind has a payload that triggers it");
    let size = json["events"]
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["name"] == "page"))
        .expect("a page row");
    assert_eq!(size["examples"][0]["kind"], "size");
    assert_eq!(size["examples"][0]["pointer"], "");
    assert_eq!(size["examples"][0]["rule"], "Segment spec");
}

#[test]
fn each_fixture_line_breaks_what_its_message_id_says() {
    // Message ids of violations.ndjson name the kind they test (`<kind>-…`).
    let r = run(&[
        "validate",
        PLAN,
        "--payloads",
        VIOLATIONS,
        "--format",
        "json",
    ]);
    let json = r.json();
    let lib = load_model();
    let tally = validate::run(&lib, fixture(VIOLATIONS).as_slice(), 1).expect("reads");
    let summary = report::summarize(&lib, &tally, VIOLATIONS);
    // The CLI dates the run and hashes the payloads as it reads them.
    let without_provenance = |mut v: serde_json::Value| {
        v.as_object_mut().map(|o| o.remove("provenance"));
        v
    };
    assert_eq!(
        without_provenance(serde_json::to_value(&summary).expect("serializes")),
        without_provenance(json.clone()),
        "the library and the CLI agree"
    );
    for row in json["events"].as_array().expect("rows") {
        for ex in row["examples"].as_array().expect("examples") {
            let Some(id) = ex["message_id"].as_str() else {
                continue;
            };
            let kind = ex["kind"].as_str().expect("kind");
            let prefix = id.split('-').next().unwrap_or("");
            let ok = match prefix {
                "env" => kind == "envelope",
                "ok" => kind == "unplanned-property" || kind == "deprecated-event",
                "unplanned" => kind.starts_with("unplanned"),
                "sunset" => kind == "sunset" || kind == "deprecated-event",
                "not" => kind == "not-allowed",
                "unknown" => kind == "unknown-version",
                "mixed" => true,
                p => kind == p,
            };
            assert!(ok, "payload `{id}` reported `{kind}`");
        }
    }
}

#[test]
fn malformed_lines_are_counted_and_validation_goes_on() {
    let r = run(&[
        "validate",
        PLAN,
        "--payloads",
        VIOLATIONS,
        "--format",
        "json",
    ]);
    let json = r.json();
    assert_eq!(json["totals"]["malformed"], 3);
    let lines: Vec<u64> = json["malformed"]
        .as_array()
        .expect("malformed")
        .iter()
        .map(|m| m["line"].as_u64().expect("line"))
        .collect();
    assert_eq!(lines, vec![6, 10, 13]);
    assert_eq!(
        json["malformed"][0]["message"],
        "not JSON: EOF while parsing an object at line 6 column 40"
    );
    // Lines after the malformed ones were still checked.
    assert_eq!(json["totals"]["records"], 52);
}

#[test]
fn json_arrays_give_the_same_results() {
    let ndjson = run(&["validate", PLAN, "--payloads", VALID, "--format", "json"]).json();
    let array = run(&[
        "validate",
        PLAN,
        "--payloads",
        VALID_ARRAY,
        "--format",
        "json",
    ]);
    assert_eq!(array.code, 0);
    let array = array.json();
    assert_eq!(array["totals"], ndjson["totals"]);
    assert_eq!(array["qa"], ndjson["qa"]);
    // Lines are those of the array file (one element per line after `[`).
    let line = |j: &serde_json::Value| j["events"][1]["examples"][0]["line"].as_u64();
    assert_eq!(line(&ndjson), Some(9));
    assert_eq!(line(&array), Some(10));
}

#[test]
fn broken_arrays_are_reported() {
    let dir = tmp();
    let path = dir.path().join("broken.json");
    let one = String::from_utf8(fixture(VALID)).expect("UTF-8");
    let first = one.lines().next().expect("a line");
    std::fs::write(
        &path,
        format!("[\n{first},\n,\n{first}\n] trailing\n[{first}"),
    )
    .expect("writes");
    let r = run(&[
        "validate",
        PLAN,
        "--payloads",
        &path.to_string_lossy(),
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 1);
    let json = r.json();
    assert_eq!(json["totals"]["records"], 5);
    assert_eq!(json["totals"]["malformed"], 3);
    let messages: Vec<String> = json["malformed"]
        .as_array()
        .expect("malformed")
        .iter()
        .map(|m| format!("{}: {}", m["line"], m["message"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(
        messages,
        vec![
            "3: an empty element in the JSON array (two commas in a row, or a comma before `]`)",
            "5: text outside the JSON array",
            "6: text outside the JSON array",
        ]
    );
}

#[test]
fn gzip_input_is_read_transparently() {
    let dir = tmp();
    let gz = dir.path().join("violations.ndjson.gz");
    let mut enc = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).expect("creates"),
        flate2::Compression::default(),
    );
    enc.write_all(&fixture(VIOLATIONS)).expect("compresses");
    enc.finish().expect("finishes");
    let gz_arg = gz.to_string_lossy().into_owned();
    let plain = run(&["validate", PLAN, "--payloads", VIOLATIONS]);
    let zipped = run(&["validate", PLAN, "--payloads", &gz_arg]);
    assert_eq!(zipped.code, 1);
    assert_eq!(zipped.stdout.replace(&gz_arg, VIOLATIONS), plain.stdout);

    // A truncated gzip stream is unreadable input.
    let bytes = std::fs::read(&gz).expect("reads");
    let cut = dir.path().join("cut.ndjson.gz");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).expect("writes");
    let args = ["validate", PLAN, "--payloads", &cut.to_string_lossy()];
    let r = run(&args);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.starts_with("error: cannot read payloads `"));
}

#[test]
fn stdin_is_read_with_a_dash() {
    let file = run(&[
        "validate",
        PLAN,
        "--payloads",
        VIOLATIONS,
        "--format",
        "json",
    ]);
    let piped = run_with_stdin(
        &["validate", PLAN, "--payloads", "-", "--format", "json"],
        Some(&fixture(VIOLATIONS)),
    );
    assert_eq!(piped.code, 1);
    let mut a = file.json();
    let b = piped.json();
    assert_eq!(b["payloads"], "-");
    a["payloads"] = "-".into();
    assert_eq!(a, b);
}

#[test]
fn jobs_do_not_change_the_output() {
    let one = run(&[
        "validate",
        PLAN,
        "--payloads",
        VIOLATIONS,
        "--format",
        "json",
    ]);
    for jobs in ["2", "5"] {
        let many = run(&[
            "validate",
            PLAN,
            "--payloads",
            VIOLATIONS,
            "--format",
            "json",
            "--jobs",
            jobs,
        ]);
        assert_eq!(many.stdout, one.stdout, "--jobs {jobs}");
        assert_eq!(many.code, one.code);
    }
}

fn load_model() -> Model {
    let (sources, checked) = common::check_paths(&[common::root().join(PLAN)]);
    let plan = checked.ok().expect("the fixture plan has no errors");
    Model::compile(plan.clone(), &sources)
}

/// Tiny chunks put chunk boundaries inside records, strings and escapes; the
/// tallies of many chunks, merged in order, give the same summary for any
/// number of jobs.
#[test]
fn chunk_boundaries_and_merging_do_not_change_the_results() {
    let model = load_model();
    for path in [VIOLATIONS, VALID_ARRAY] {
        let bytes = fixture(path);
        let whole = validate::run(&model, bytes.as_slice(), 1).expect("reads");
        let expected = report::summarize(&model, &whole, path).json();
        for chunk in [1, 7, 64, 1000] {
            for jobs in [1, 3] {
                let framer = Framer::with_sizes(bytes.as_slice(), chunk, 1 << 20);
                let t = validate::run_with(&model, framer, jobs).expect("reads");
                let got = report::summarize(&model, &t, path).json();
                assert_eq!(got, expected, "{path}: chunk {chunk}, jobs {jobs}");
            }
        }
    }
}

/// Records over the framer's limit are reported by size without being kept.
#[test]
fn huge_records_are_skipped_by_size() {
    let model = load_model();
    let valid = String::from_utf8(fixture(VALID)).expect("UTF-8");
    let first = valid.lines().next().expect("a line");
    let huge = format!("{{\"pad\":\"{}\"}}", "y".repeat(5000));
    let ndjson = format!("{first}\n{huge}\n{first}\n{huge}");
    let array = format!("[{first},\n{huge},\n{first},{huge}]");
    for (name, text) in [("ndjson", ndjson), ("array", array)] {
        for chunk in [16, 4096] {
            let framer = Framer::with_sizes(text.as_bytes(), chunk, 1000);
            let t = validate::run_with(&model, framer, 1).expect("reads");
            let s = report::summarize(&model, &t, name);
            assert_eq!(s.totals.records, 4, "{name} chunk {chunk}");
            let unknown = s
                .events
                .iter()
                .find(|r| r.call == "unknown")
                .expect("too-large records are counted apart");
            assert_eq!(unknown.seen, 2, "{name} chunk {chunk}");
            assert_eq!(unknown.examples[0].found, format!("{} bytes", huge.len()));
            assert_eq!(unknown.examples[0].line, 2);
            assert_eq!(
                s.events[0].seen, 2,
                "{name}: records after a huge one are read"
            );
        }
    }
}

#[test]
fn usage_errors_exit_2() {
    let cases: &[(&str, &[&str])] = &[
        (
            "usage-missing-payloads-file",
            &[
                "validate",
                PLAN,
                "--payloads",
                "tests/fixtures/validate/nope.ndjson",
            ],
        ),
        ("usage-no-payloads-flag", &["validate", PLAN]),
        (
            "usage-jobs-zero",
            &["validate", PLAN, "--payloads", VALID, "--jobs", "0"],
        ),
        ("usage-both-stdin", &["validate", "-", "--payloads", "-"]),
        (
            "usage-report-unwritable",
            &[
                "validate",
                PLAN,
                "--payloads",
                VALID,
                "--report",
                "tests/fixtures/validate",
            ],
        ),
    ];
    for (name, args) in cases {
        let r = run(args);
        assert_eq!(r.code, 2, "{name}: {}", r.stderr);
        let record = r.record(args);
        // The OS error text varies; keep the part eventsc writes.
        let record = match record.find("`: ") {
            Some(i) if name.ends_with("unwritable") => format!("{}`: …\n", &record[..i]),
            _ => record,
        };
        snapshot!(*name, record);
    }
}

#[test]
fn a_plan_with_errors_is_reported_and_nothing_is_validated() {
    let args = [
        "validate",
        "tests/fixtures/codes/E0025.fail.events",
        "--payloads",
        VALID,
        "--message-format",
        "short",
    ];
    let r = run(&args);
    assert_eq!(r.code, 1);
    assert!(r.stdout.is_empty());
    snapshot!("plan-with-errors", r.record(&args));
}

#[test]
fn help() {
    let r = run(&["validate", "--help"]);
    assert_eq!(r.code, 0);
    snapshot!("help-validate", r.stdout);
}

/// The top-level entries of a JSON object in the order written, values raw.
fn entries(line: &str) -> Option<Vec<(String, Box<serde_json::value::RawValue>)>> {
    use serde::de::{Deserializer, MapAccess, Visitor};
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Vec<(String, Box<serde_json::value::RawValue>)>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(entry) = map.next_entry()? {
                out.push(entry);
            }
            Ok(out)
        }
    }
    serde_json::Deserializer::from_str(line)
        .deserialize_map(V)
        .ok()
}

/// Properties are checked while reading when `event` (and `context`) come
/// before them, later otherwise: the results, down to the order of each
/// payload's violations, must not depend on the order of the top-level keys.
#[test]
fn key_order_does_not_change_the_results() {
    type Entries = Vec<(String, Box<serde_json::value::RawValue>)>;
    type Order = Box<dyn Fn(&mut Entries)>;
    let model = load_model();
    let text = String::from_utf8(fixture(VIOLATIONS)).expect("UTF-8");
    let render = |entries: &Entries| {
        let fields: Vec<String> = entries
            .iter()
            .map(|(k, v)| format!("{}:{}", serde_json::Value::String(k.clone()), v.get()))
            .collect();
        format!("{{{}}}", fields.join(","))
    };
    let rank = |first: &'static [&'static str]| {
        move |e: &mut Entries| {
            e.sort_by_key(|(k, _)| first.iter().position(|f| f == k).unwrap_or(first.len()))
        }
    };
    let orders: Vec<Order> = vec![
        Box::new(|e: &mut Entries| e.sort_by(|a, b| a.0.cmp(&b.0))),
        Box::new(rank(&["context", "event", "properties"])),
        Box::new(rank(&["event", "properties", "context", "type"])),
        Box::new(rank(&["properties", "type", "event"])),
        Box::new(|e: &mut Entries| e.reverse()),
    ];
    // Everything about one payload, its violations in order.
    let one = |line: &str| {
        let tally = validate::run(&model, line.as_bytes(), 1).expect("reads");
        let mut json = serde_json::to_value(report::summarize(&model, &tally, "x")).expect("json");
        for s in json["samples"].as_array_mut().expect("samples") {
            s["payload"] = serde_json::Value::Null;
        }
        json
    };
    let mut checked = 0;
    for line in text.lines() {
        let Some(original) = entries(line) else {
            continue;
        };
        let expected = one(line);
        for (i, order) in orders.iter().enumerate() {
            let mut e = original.clone();
            order(&mut e);
            assert_eq!(one(&render(&e)), expected, "order {i} of {line}");
        }
        checked += 1;
    }
    assert!(checked > 40);
}

#[test]
fn lines_that_are_not_utf8_are_malformed() {
    let dir = tmp();
    let path = dir.path().join("latin1.ndjson");
    let valid = fixture(VALID);
    let mut bytes = valid.clone();
    bytes.extend_from_slice(b"{\"type\":\"page\",\"name\":\"caf\xE9\"}\n");
    bytes.extend_from_slice(&valid);
    std::fs::write(&path, bytes).expect("writes");
    let r = run(&[
        "validate",
        PLAN,
        "--payloads",
        &path.to_string_lossy(),
        "--format",
        "json",
    ]);
    let json = r.json();
    assert_eq!(json["totals"]["malformed"], 1);
    assert_eq!(json["totals"]["records"], 19);
    assert_eq!(json["malformed"][0]["line"], 10);
    assert_eq!(
        json["malformed"][0]["message"],
        "not UTF-8: invalid byte 0xE9 at column 27"
    );
}

/// The `samples` target writes a valid payload per event, identify and group,
/// dated before each sunset: replayed, every plan passes QA with no defect.
#[test]
fn the_samples_of_every_plan_pass() {
    let mut plans = common::targets::plans();
    plans.push(("validate".into(), common::root().join(PLAN)));
    for (name, path) in plans {
        let artifacts = common::targets::generate("samples", &path);
        let ndjson = artifacts
            .iter()
            .find(|a| a.path == "samples/samples.ndjson")
            .expect("samples.ndjson");
        let (sources, checked) = common::check_paths(std::slice::from_ref(&path));
        let model = Model::compile(checked.into_ok().expect("no errors"), &sources);
        let tally = validate::run(&model, ndjson.bytes.as_slice(), 1).expect("reads");
        let s = report::summarize(&model, &tally, "samples.ndjson");
        let problems: Vec<String> = s
            .events
            .iter()
            .flat_map(|r| r.examples.iter().map(move |e| format!("{}: {e:?}", r.name)))
            .filter(|e| !e.contains("DeprecatedEvent"))
            .collect();
        assert_eq!(s.totals.defective, 0, "{name}: {problems:#?}");
        assert!(problems.is_empty(), "{name}: {problems:#?}");
        assert!(
            s.qa.coverage.met,
            "{name}: every planned event has a sample"
        );
        assert_eq!(s.totals.records, tally.records);
    }
}

/// Distinct unplanned event names are counted one by one up to a cap, in the
/// order they first appear, however the input is split.
#[test]
fn unplanned_names_are_capped_the_same_way_for_any_split() {
    use eventsc::validate::tally::UNPLANNED_NAMES;
    let model = load_model();
    let n = UNPLANNED_NAMES + 200;
    let mut text = String::new();
    for round in 0..2 {
        for i in 0..n {
            // Names in a different order each round: the first round decides.
            let k = if round == 0 { i } else { n - 1 - i };
            text.push_str(&format!(
                "{{\"type\":\"track\",\"event\":\"Ghost {k} Seen\",\"messageId\":\"m{round}-{k}\",\"userId\":\"u\"}}\n"
            ));
        }
    }
    let summary = |chunk: usize, jobs: usize| {
        let framer = Framer::with_sizes(text.as_bytes(), chunk, 1 << 20);
        let t = validate::run_with(&model, framer, jobs).expect("reads");
        report::summarize(&model, &t, "ghosts").json()
    };
    let expected = summary(1 << 20, 1);
    let json: serde_json::Value = serde_json::from_str(&expected).expect("json");
    let unplanned: Vec<&serde_json::Value> = json["events"]
        .as_array()
        .expect("rows")
        .iter()
        .filter(|r| r["status"] == "unplanned")
        .collect();
    assert_eq!(
        unplanned.len(),
        UNPLANNED_NAMES + 1,
        "the cap, plus the rest together"
    );
    assert_eq!(unplanned[0]["name"], "Ghost 0 Seen");
    assert_eq!(unplanned[0]["seen"], 2);
    let last = unplanned[UNPLANNED_NAMES];
    assert_eq!(last["name"], "(other unplanned events)");
    assert_eq!(last["seen"], 400);
    let lines: Vec<u64> = last["examples"]
        .as_array()
        .expect("examples")
        .iter()
        .map(|e| e["line"].as_u64().expect("line"))
        .collect();
    assert_eq!(
        lines,
        (1001..1001 + validate::tally::EXAMPLES as u64).collect::<Vec<_>>(),
        "the first examples of all of them"
    );
    for (chunk, jobs) in [(3000, 1), (3000, 3), (50_000, 2)] {
        // (Not `assert_eq!`: the documents are long.)
        assert!(
            summary(chunk, jobs) == expected,
            "chunk {chunk}, jobs {jobs}"
        );
    }
}

/// `envelope { }` holds on every call (its fields' types and modifiers, the
/// required ones, nothing reported of what it does not name); a page or
/// screen call is checked against the rule for every page or screen and the
/// one for its `name` together; a name without a rule of its own meets only
/// the first.
#[test]
fn envelope_page_and_screen_calls_are_checked() {
    let plan = "tests/fixtures/validate/envelope.events";
    let payloads = "tests/fixtures/validate/envelope.ndjson";
    let args = ["validate", plan, "--payloads", payloads];
    let r = run(&args);
    assert_eq!(r.code, 1, "{}", r.stderr);
    for (id, pointer, kind) in [
        ("bad-enum", "/properties/plan_shown", "enum"),
        ("bad-page", "/properties/referrer", "type"),
        ("bad-page", "/properties/path", "required"),
        ("bad-screen", "/properties/cart_value", "bounds"),
        ("bad-screen", "/properties/extra", "closed"),
        ("bad-envelope", "/userId", "not-allowed"),
        ("bad-envelope", "/context", "required"),
        ("bad-context", "/context/ip", "format"),
        ("bad-context", "/context/library/name", "required"),
        ("bad-context", "/integrations/All", "type"),
    ] {
        assert!(
            r.stdout
                .lines()
                .any(|l| l.contains(&format!("[{id}] {pointer}:"))
                    && l.contains(&format!("(defect {kind},"))),
            "{id} {pointer} {kind}:\n{}",
            r.stdout
        );
    }
    for id in ["ok-page", "ok-screen"] {
        assert!(!r.stdout.contains(&format!("[{id}]")), "{}", r.stdout);
    }
    assert!(!r.stdout.contains("unplanned-property"), "{}", r.stdout);
    snapshot!("envelope-page-screen", r.record(&args));
}

/// `pii(...)` on the envelope's fields (a top-level field, one inside
/// `context`) keeps their values out of the report, the JSON and the
/// evidence, as on an event's properties.
#[test]
fn the_envelopes_pii_fields_are_redacted() {
    let dir = tmp();
    let plan = dir.path().join("plan.events");
    std::fs::write(
        &plan,
        r#"plan "P" {
  owner @a
}

owner @a { name "A" }

consent analytics { basis legitimate_interest }

envelope {
  userId: string pattern("^u-") pii(contact) consent(analytics) "The user"
  context: object {
    campaign: object {
      referrer: string max_length(3) pii(contact) consent(analytics) "Who referred the user"
    }
  }
}

event "Thing Happened" {
  description "A thing happened."
  owner @a
}
"#,
    )
    .expect("writes");
    let payloads = dir.path().join("p.ndjson");
    std::fs::write(
        &payloads,
        concat!(
            r#"{"type":"track","event":"Thing Happened","messageId":"m-1","userId":"zq-secret-user","timestamp":"2026-01-01T00:00:00Z","properties":{},"context":{"campaign":{"referrer":"zq-secret-referrer"}}}"#,
            "\n"
        ),
    )
    .expect("writes");
    let report = dir.path().join("evidence.md");
    let (plan, payloads, report_s) = (
        plan.to_string_lossy().into_owned(),
        payloads.to_string_lossy().into_owned(),
        report.to_string_lossy().into_owned(),
    );
    let human = run(&[
        "validate",
        &plan,
        "--payloads",
        &payloads,
        "--report",
        &report_s,
    ]);
    assert_eq!(human.code, 1, "{}", human.stderr);
    let json = run(&[
        "validate",
        &plan,
        "--payloads",
        &payloads,
        "--format",
        "json",
    ]);
    assert_eq!(json.code, 1, "{}", json.stderr);
    let md = std::fs::read_to_string(&report).expect("the report is written");
    for (what, text) in [
        ("human", &human.stdout),
        ("json", &json.stdout),
        ("report", &md),
    ] {
        // Both defects are reported...
        assert!(
            text.contains("userId") && text.contains("referrer"),
            "{what}: {text}"
        );
        // ...without the values.
        for secret in ["zq-secret-user", "zq-secret-referrer"] {
            assert!(!text.contains(secret), "{what}: `{secret}` leaked:\n{text}");
        }
    }
    assert!(md.contains("[redacted: pii(contact)]"), "{md}");
    // --show-values shows them.
    let shown = run(&["validate", &plan, "--payloads", &payloads, "--show-values"]);
    assert!(shown.stdout.contains("zq-secret-user"), "{}", shown.stdout);
}
