//! `eventsc status`: the report (human and JSON), `--fail-on`, what is skipped
//! (dependencies, comments, definitions, the generated client, symbolic
//! links), and usage errors. Runs the binary from the crate root on
//! `tests/fixtures/status/app` against the e-commerce example.

use crate::common::{self, run::eventsc};

const PLAN: &str = "examples/ecommerce";
const APP: &str = "tests/fixtures/status/app";

fn snapshot(name: &str, record: &str) {
    common::targets::snapshot_settings("status").bind(|| insta::assert_snapshot!(name, record));
}

#[test]
fn report_for_people() {
    let r = eventsc(&common::root(), &["status", PLAN, "--code", APP], None);
    assert_eq!(r.code, 0, "{}", r.record);
    snapshot("human", &r.record);
}

#[test]
fn report_as_json() {
    let r = eventsc(
        &common::root(),
        &["status", PLAN, "--code", APP, "--format", "json"],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.record);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
    assert_eq!(v["summary"]["unplanned"], 2);
    assert_eq!(v["unplanned"][0]["did_you_mean"], "Order Cancelled");
    assert_eq!(v["unplanned"][1]["did_you_mean"], "Order Completed");
    snapshot("json", &r.record);
}

#[test]
fn fail_on_each_condition() {
    for (cond, code) in [
        ("missing", 1),
        ("unplanned", 1),
        ("deprecated", 1),
        ("missing,unplanned,deprecated", 1),
    ] {
        let r = eventsc(
            &common::root(),
            &["status", PLAN, "--code", APP, "--fail-on", cond],
            None,
        );
        assert_eq!(r.code, code, "{cond}: {}", r.record);
    }
    // Code that sends only planned, current events passes every condition but `missing`.
    let r = eventsc(
        &common::root(),
        &[
            "status",
            PLAN,
            "--code",
            "tests/fixtures/status/app/web/generated",
            "--fail-on",
            "unplanned,deprecated",
        ],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.record);
}

#[test]
fn symbolic_links_are_not_followed() {
    let tmp = tempfile::tempdir().expect("a temp dir");
    let outside = tmp.path().join("outside");
    let code = tmp.path().join("code");
    std::fs::create_dir_all(&outside).expect("mkdir");
    std::fs::create_dir_all(&code).expect("mkdir");
    std::fs::write(
        outside.join("a.js"),
        "analytics.track(\"Order Completed\");\n",
    )
    .expect("writes");
    std::fs::write(code.join("b.js"), "analytics.track(\"Cart Viewed\");\n").expect("writes");
    std::os::unix::fs::symlink(&outside, code.join("linked-dir")).expect("symlink");
    std::os::unix::fs::symlink(outside.join("a.js"), code.join("linked.js")).expect("symlink");
    let plan = common::root().join(PLAN);
    let r = eventsc(
        tmp.path(),
        &[
            "status",
            &plan.to_string_lossy(),
            "--code",
            "code",
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.record);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
    assert_eq!(v["files_scanned"], 1, "{}", r.stdout);
    let sent: Vec<&str> = v["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["sent"] == true)
        .filter_map(|e| e["name"].as_str())
        .collect();
    assert_eq!(sent, ["Cart Viewed"]);
    // A symbolic link given as the code path is refused, not followed.
    let r = eventsc(
        tmp.path(),
        &[
            "status",
            &plan.to_string_lossy(),
            "--code",
            "code/linked-dir",
        ],
        None,
    );
    assert_eq!(r.code, 2, "{}", r.record);
}

#[test]
fn usage_errors() {
    let r = eventsc(
        &common::root(),
        &["status", PLAN, "--code", "tests/fixtures/status/nope"],
        None,
    );
    assert_eq!(r.code, 2);
    snapshot("missing-code-dir", &r.record);
    let r = eventsc(
        &common::root(),
        &["status", PLAN, "--code", APP, "--fail-on", "sometimes"],
        None,
    );
    assert_eq!(r.code, 2, "{}", r.record);
    let r = eventsc(
        &common::root(),
        &[
            "status",
            "tests/fixtures/codes/E0007.fail.events",
            "--code",
            APP,
        ],
        None,
    );
    assert_eq!(r.code, 1, "{}", r.record);
}
