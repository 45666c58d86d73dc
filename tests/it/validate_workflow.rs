//! The QA workflow around `eventsc validate`: Segment batches unwrapped, and
//! (later in this file) scoping, suggestions, every violation listed,
//! duplicate keys, provenance and the run records of the rip-cord.

use crate::common;

use std::process::Command;

const PLAN: &str = "tests/fixtures/validate/plan.events";
const VALID: &str = "tests/fixtures/validate/valid.ndjson";

fn validate(dir: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_eventsc"))
        .arg("validate")
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("SOURCE_DATE_EPOCH", "1764930000")
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
