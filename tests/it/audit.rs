//! Audit records (`eventsc::audit`) and `eventsc log`: records are dated, carry
//! the sources' hashes and the diff against the newest earlier record, are never
//! overwritten, and read back as a history.

use crate::common::run;
use crate::common::*;
use eventsc::audit::{self, Utc};
use std::path::{Path, PathBuf};

fn record(dir: &Path, plan_file: &str, at: i64) -> Result<PathBuf, String> {
    let path = root().join(plan_file);
    let (sources, checked) = check_paths(&[path]);
    let plan = checked.plan.as_ref().expect("the fixture parses");
    let warnings: Vec<_> = checked.diagnostics.clone();
    let cx = eventsc::targets::Context {
        plan,
        sources: &sources,
        warnings: &warnings,
        options: Default::default(),
        plan_path: None,
    };
    let plan_json = audit::plan_json(&cx)?;
    assert_eq!(plan_json["format"], "eventsc/plan");
    audit::write(dir, plan, &sources, plan_json, Utc::from_unix(at))
}

fn snapshot(name: &str, record: &str) {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path(root().join("tests/snapshots/audit"));
    settings.bind(|| insta::assert_snapshot!(name, record));
}

#[test]
fn records_diff_against_the_newest_earlier_one_and_log_reads_them() {
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit");
    let first = record(
        &audit,
        "tests/fixtures/diff/properties/old.events",
        1_795_600_000,
    )
    .unwrap();
    assert!(
        first.ends_with("1.3.0-20261125T094640Z.json"),
        "{}",
        first.display()
    );
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&first).unwrap()).unwrap();
    assert_eq!(
        v["diff"],
        serde_json::Value::Null,
        "the first record has nothing to compare with"
    );
    assert_eq!(
        v["sources"][0]["path"],
        "tests/fixtures/diff/properties/old.events"
    );
    let text =
        std::fs::read_to_string(root().join("tests/fixtures/diff/properties/old.events")).unwrap();
    let file_hash = sha256_hex(text.as_bytes());
    assert_eq!(v["sources"][0]["sha256"], file_hash.as_str());
    // The same listing `sha256sum` prints, hashed: what `plan.json` records too.
    let listing = format!("{file_hash}  tests/fixtures/diff/properties/old.events\n");
    assert_eq!(v["sources_sha256"], sha256_hex(listing.as_bytes()).as_str());
    assert_eq!(v["sources"][0]["text"], text);
    assert_eq!(v["created"], "2026-11-25T09:46:40Z");

    let second = record(
        &audit,
        "tests/fixtures/diff/properties/new.events",
        1_795_700_000,
    )
    .unwrap();
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&second).unwrap()).unwrap();
    assert_eq!(v["diff"]["against"], "1.3.0-20261125T094640Z.json");
    assert_eq!(v["diff"]["counts"]["breaking"], 14);
    assert_eq!(v["diff"]["version_ok"], false);
    assert!(
        v["diff"]["changes"]
            .as_array()
            .is_some_and(|c| c.len() == 28)
    );

    // An older timestamp does not change which record is the newest.
    let third = record(
        &audit,
        "tests/fixtures/diff/documentation/new.events",
        1_795_800_000,
    )
    .unwrap();
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&third).unwrap()).unwrap();
    assert_eq!(v["diff"]["against"], "1.4.0-20261126T133320Z.json");

    std::fs::write(audit.join("notes.json"), "{}").unwrap();
    let log = run::eventsc(dir.path(), &["log", "audit"], None);
    assert_eq!(log.code, 0, "{}", log.record);
    snapshot("log", &log.record);
}

#[test]
fn a_record_is_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let first = record(
        dir.path(),
        "tests/fixtures/diff/zero-major/old.events",
        1_795_600_000,
    )
    .unwrap();
    let before = std::fs::read(&first).unwrap();
    let again = record(
        dir.path(),
        "tests/fixtures/diff/zero-major/old.events",
        1_795_600_000,
    );
    let err = again.expect_err("same version and second: refused");
    assert!(
        err.contains("already exists; records are never overwritten"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(&first).unwrap(),
        before,
        "the record is untouched"
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp") || n.ends_with(".eventsc-tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn log_errors() {
    let dir = tempfile::tempdir().unwrap();
    let empty = run::eventsc(dir.path(), &["log", "."], None);
    assert_eq!(empty.code, 2);
    assert!(
        empty.stderr.contains("no audit records in `.`"),
        "{}",
        empty.stderr
    );
    let missing = run::eventsc(dir.path(), &["log", "nope"], None);
    assert_eq!(missing.code, 2);
    assert!(
        missing
            .stderr
            .contains("is not a directory of audit records"),
        "{}",
        missing.stderr
    );
    std::fs::write(
        dir.path().join("1.0.0-20261125T193000Z.json"),
        "{\"eventsc_record\": 1,",
    )
    .unwrap();
    let broken = run::eventsc(dir.path(), &["log", "."], None);
    assert_eq!(broken.code, 2);
    snapshot("log-broken-record", &broken.record);
}

#[test]
fn a_record_that_cannot_be_written_is_an_error_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let plan =
        std::fs::read_to_string(root().join("tests/fixtures/diff/zero-major/old.events")).unwrap();
    std::fs::write(d.join("plan.events"), &plan).unwrap();
    // The records directory is a file.
    std::fs::write(d.join("audit"), "").unwrap();
    let not_dir = build_record(d, "plan.events", "1795600000");
    assert_eq!(not_dir.code, 2, "{}", not_dir.record);
    assert!(
        not_dir
            .stderr
            .contains("error: audit record: cannot read `audit`"),
        "{}",
        not_dir.stderr
    );
    // A record name longer than the file system allows (a 250-character
    // pre-release version).
    std::fs::remove_file(d.join("audit")).unwrap();
    std::fs::create_dir(d.join("audit")).unwrap();
    let long = format!("1.0.0-{}", "a".repeat(250));
    let with_long = regex::Regex::new(r#"version "[^"]*""#)
        .unwrap()
        .replace(&plan, format!("version \"{long}\"").as_str())
        .into_owned();
    assert_ne!(with_long, plan, "the fixture writes a version");
    std::fs::write(d.join("plan.events"), with_long).unwrap();
    let too_long = build_record(d, "plan.events", "1795600000");
    assert_eq!(too_long.code, 2, "{}", too_long.record);
    assert!(
        too_long
            .stderr
            .contains(&format!("error: audit record: cannot write `audit/{long}-")),
        "{}",
        too_long.stderr
    );
    let left: Vec<_> = std::fs::read_dir(d.join("audit")).unwrap().collect();
    assert!(left.is_empty(), "no record and no temporary file: {left:?}");
}

fn build_record(dir: &Path, plan: &str, epoch: &str) -> run::Run {
    let mut cmd_env = std::process::Command::new(env!("CARGO_BIN_EXE_eventsc"));
    let out = cmd_env
        .args([
            "build", plan, "--target", "plan", "--out", "out", "--record", "audit",
        ])
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("SOURCE_DATE_EPOCH", epoch)
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let code = out.status.code().unwrap_or(-1);
    run::Run {
        code,
        record: format!("exit: {code}\n--- stdout\n{stdout}--- stderr\n{stderr}"),
        stdout,
        stderr,
    }
}

#[test]
fn build_record_then_log() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let fixture =
        |case: &str, side: &str| root().join(format!("tests/fixtures/diff/{case}/{side}.events"));
    std::fs::copy(fixture("zero-major", "old"), d.join("plan.events")).unwrap();
    let first = build_record(d, "plan.events", "1795600000");
    assert_eq!(first.code, 0, "{}", first.record);
    assert!(
        first
            .stderr
            .contains("build: recorded `audit/0.3.1-20261125T094640Z.json`"),
        "{}",
        first.stderr
    );
    let rec: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(d.join("audit/0.3.1-20261125T094640Z.json")).unwrap(),
    )
    .unwrap();
    let built: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("out/plan.json")).unwrap()).unwrap();
    assert_eq!(
        rec["plan"], built,
        "the record holds this build's plan.json"
    );

    // The same second again: refused, the record untouched.
    let again = build_record(d, "plan.events", "1795600000");
    assert_eq!(again.code, 2, "{}", again.record);
    assert!(
        again
            .stderr
            .contains("already exists; records are never overwritten"),
        "{}",
        again.stderr
    );

    std::fs::copy(fixture("zero-major", "new"), d.join("plan.events")).unwrap();
    let second = build_record(d, "plan.events", "1795700000");
    assert_eq!(second.code, 0, "{}", second.record);
    let log = run::eventsc(d, &["log", "audit"], None);
    assert_eq!(log.code, 0, "{}", log.record);
    snapshot("build-record-log", &log.record);
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The plan a record holds is the `plan.json` the `plan` target writes, read
/// back, for every example (the record converts the target's data directly).
#[test]
fn the_recorded_plan_is_the_plan_target_s_plan_json() {
    for dir in [
        "examples/ecommerce",
        "examples/health",
        "examples/pipeline-velocity",
    ] {
        let (sources, checked) = check_paths(&[root().join(dir)]);
        let plan = checked.plan.as_ref().expect("the example parses");
        let cx = eventsc::targets::Context {
            plan,
            sources: &sources,
            warnings: &checked.diagnostics,
            options: Default::default(),
            plan_path: None,
        };
        let written = eventsc::targets::find("plan")
            .expect("the plan target")
            .generate(&cx);
        let bytes = &written
            .iter()
            .find(|a| a.path == "plan.json")
            .expect("plan.json")
            .bytes;
        let read_back: serde_json::Value = serde_json::from_slice(bytes).expect("JSON");
        assert_eq!(audit::plan_json(&cx).expect("recorded"), read_back, "{dir}");
    }
}
