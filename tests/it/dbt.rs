//! The `dbt` target against real dbt-core on DuckDB.
//!
//! For each plan, `eventsc build --target dbt,samples` writes `sources.yml` and the
//! sample payloads; `tests/dbt/harness.py` makes a throwaway dbt project around
//! `sources.yml`, loads the sample payloads into a DuckDB file as the warehouse
//! tables (as Segment's loader would: `tracks`, one table per event, `identifies`,
//! `groups`), and runs
//! `dbt parse` and `dbt test`
//! with dbt's YAML JSON-schema checks switched on for DuckDB,
//! `--no-partial-parse` and `--show-all-deprecations`. Both must pass with no
//! deprecation or other warning. Then seeded bad rows (an unplanned event, an
//! enum value outside its list, a NULL required property) must make exactly the
//! matching tests fail. Needs `scripts/setup.sh` (dbt-core, dbt-duckdb in .venv).

use crate::common;

use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;

fn harness(args: &[&str]) -> String {
    let out = Command::new(common::venv_python())
        .arg(common::root().join("tests/dbt/harness.py"))
        .args(args)
        .env("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
        .output()
        .expect("python runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "harness {args:?} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// The JSON summary the harness prints as its last line.
fn summary(stdout: &str) -> Value {
    let last = stdout.lines().rev().find(|l| !l.trim().is_empty());
    serde_json::from_str(last.unwrap_or("")).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

/// Makes `dir` a dbt project around `sources.yml` with a DuckDB warehouse
/// holding valid rows (and bad ones with `--seed-bad`); returns what the harness
/// says the bad rows must make fail.
fn project(dir: &Path, sources_yml: &Path, samples: &Path, extra: &[&str]) -> Value {
    let mut args = vec![
        "project",
        dir.to_str().expect("a UTF-8 temp path"),
        sources_yml.to_str().expect("a UTF-8 temp path"),
        samples.to_str().expect("a UTF-8 temp path"),
    ];
    args.extend_from_slice(extra);
    summary(&harness(&args))
}

/// Builds the plan's `dbt` and `samples` targets with the real CLI; returns the
/// paths of `sources.yml` and `samples.ndjson`.
fn build_sources(plan: &Path, out: &Path) -> (PathBuf, PathBuf) {
    let status = Command::new(env!("CARGO_BIN_EXE_eventsc"))
        .arg("build")
        .arg(plan)
        .arg("--out")
        .arg(out)
        .args(["--target", "dbt,samples"])
        .current_dir(common::root())
        .status()
        .expect("eventsc runs");
    assert!(status.success(), "build of {} failed", plan.display());
    let sources = out.join("dbt/sources.yml");
    assert!(sources.exists(), "sources.yml was written");
    let samples = out.join("samples/samples.ndjson");
    assert!(samples.exists(), "samples.ndjson was written");
    (sources, samples)
}

/// Runs dbt commands (`["parse", "+", "test"]`) in one process; one summary each.
fn dbt(dir: &Path, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["dbt", dir.to_str().expect("a UTF-8 temp path")];
    all.extend_from_slice(args);
    match summary(&harness(&all)) {
        Value::Array(list) => list,
        other => panic!("expected a list of summaries: {other}"),
    }
}

fn assert_clean(name: &str, what: &str, s: &Value) {
    assert_eq!(s["success"], json!(true), "{name}: dbt {what} failed: {s}");
    assert_eq!(s["deprecations"], json!([]), "{name}: dbt {what}: {s}");
    assert_eq!(s["warnings"], json!([]), "{name}: dbt {what}: {s}");
    assert_eq!(s["failed"], json!([]), "{name}: dbt {what}: {s}");
}

#[test]
fn sources_parse_and_pass_on_duckdb_without_deprecations() {
    for (name, plan) in common::plans() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let (sources, samples) = build_sources(&plan, &tmp.path().join("out"));
        let dir = tmp.path().join("project");
        assert_eq!(project(&dir, &sources, &samples, &[]), json!([]));
        let runs = dbt(&dir, &["parse", "+", "test"]);
        assert_eq!(runs.len(), 2);
        assert_clean(&name, "parse", &runs[0]);
        assert_clean(&name, "test", &runs[1]);
    }
}

#[test]
fn seeded_bad_rows_fail_the_matching_tests() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let plan = common::root().join("tests/fixtures/spec/full-example.events");
    let (sources, samples) = build_sources(&plan, &tmp.path().join("out"));
    let dir = tmp.path().join("project");
    let expected = project(&dir, &sources, &samples, &["--seed-bad"]);
    // The three kinds of bad row, each caught by the test the plan implies.
    assert_eq!(
        expected,
        json!([
            {"test": "accepted_values", "table": "tracks", "column": "event_text"},
            {"test": "accepted_values", "table": "invoice_paid", "column": "plan"},
            {"test": "not_null", "table": "invoice_paid", "column": "account_id"},
        ])
    );
    let s = dbt(&dir, &["test"]).remove(0);
    assert_eq!(s["success"], json!(false), "{s}");
    let mut failed = s["failed"].as_array().cloned().unwrap_or_default();
    let mut want = expected.as_array().cloned().unwrap_or_default();
    let key = |v: &Value| v.to_string();
    failed.sort_by_key(key);
    want.sort_by_key(key);
    assert_eq!(failed, want, "exactly the seeded rows fail: {s}");
    assert_eq!(s["deprecations"], json!([]), "{s}");
}

/// The harness would hide nothing: YAML in the old style (top-level `meta`, test
/// arguments not under `arguments:`, an unknown key) is reported.
#[test]
fn the_harness_reports_deprecations() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("project");
    let old = tmp.path().join("old.yml");
    std::fs::write(
        &old,
        "version: 2\nsources:\n  - name: segment\n    meta: {owner: x}\n    tables:\n      - name: tracks\n        columns:\n          - name: event_text\n            colour: red\n            data_tests:\n              - accepted_values:\n                  values: [a]\n",
    )
    .expect("write");
    let no_samples = tmp.path().join("none.ndjson");
    std::fs::write(&no_samples, "").expect("write");
    project(&dir, &old, &no_samples, &[]);
    let s = dbt(&dir, &["parse"]).remove(0);
    let text = s["deprecations"].to_string();
    for d in [
        "PropertyMovedToConfigDeprecation",
        "MissingArgumentsPropertyInGenericTestDeprecation",
        "CustomKeyInObjectDeprecation",
    ] {
        assert!(text.contains(d), "{d} not reported: {s}");
    }
}
