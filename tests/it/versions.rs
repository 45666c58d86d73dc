//! Event versions (issue 14): two `event` declarations of one name with
//! different `version`s, through the front end and the targets. The plan is
//! `tests/fixtures/versions/orders.events`.

use crate::common::targets::{generate, render, snapshot_settings, validate_json, write};
use crate::common::*;
use std::path::PathBuf;

fn plan() -> PathBuf {
    root().join("tests/fixtures/versions/orders.events")
}

/// The versions are two events of one name; references mean the current one.
#[test]
fn the_highest_version_is_current_and_references_mean_it() {
    let (sources, checked) = check_paths(&[plan()]);
    assert!(
        checked.diagnostics.is_empty(),
        "{}",
        render_both(&sources, &checked)
    );
    let plan = checked.plan.expect("a plan");
    let placed: Vec<(u32, bool)> = plan
        .events
        .iter()
        .filter(|e| e.name.value == "Order Placed")
        .map(|e| (e.version(), e.is_current()))
        .collect();
    assert_eq!(placed, [(1, false), (2, true)]);
    let current = plan
        .events
        .iter()
        .position(|e| e.name.value == "Order Placed" && e.version() == 2);
    let refunded = plan.event_by_name("Order Refunded").expect("declared");
    assert_eq!(
        refunded.replaced_by.as_ref().and_then(|r| r.target),
        current
    );
    assert_eq!(plan.kpis[0].events[0].target, current);
    assert_eq!(
        plan.event_by_name("Order Placed").map(|e| e.version()),
        Some(2)
    );
}

/// Segment: one TRACK rule per version, `version` set, in version order.
#[test]
fn segment_writes_a_rule_per_version() {
    let a = generate("segment", &plan());
    let rules: serde_json::Value = serde_json::from_slice(&a[0].bytes).expect("JSON");
    let tracks: Vec<(String, u64)> = rules["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .filter(|r| r["type"] == "TRACK")
        .map(|r| {
            (
                r["key"].as_str().expect("key").to_string(),
                r["version"].as_u64().expect("version"),
            )
        })
        .collect();
    assert_eq!(
        tracks,
        [
            ("Order Placed".to_string(), 1),
            ("Order Placed".to_string(), 2),
            ("Order Refunded".to_string(), 1)
        ]
    );
    let v2 = &rules["rules"][1]["jsonSchema"]["properties"]["properties"];
    assert_eq!(v2["required"], serde_json::json!(["total", "subtotal"]));
}

/// One schema and one sample per version (version 1 keeps the event's file
/// name); each version's sample carries its version and passes its schema.
#[test]
fn a_schema_and_a_sample_per_version() {
    let schemas = generate("jsonschema", &plan());
    let samples = generate("samples", &plan());
    let names =
        |a: &[eventsc::targets::Artifact]| a.iter().map(|a| a.path.clone()).collect::<Vec<_>>();
    assert_eq!(
        names(&schemas),
        [
            "schemas/order-placed.json",
            "schemas/order-placed.v2.json",
            "schemas/order-refunded.json"
        ]
    );
    assert_eq!(
        names(&samples),
        [
            "samples/order-placed.json",
            "samples/order-placed.v2.json",
            "samples/order-refunded.json",
            "samples/samples.ndjson"
        ]
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let s = write(dir.path(), &schemas);
    let p = write(dir.path(), &samples);
    // Version 1's sample lacks the subtotal version 2 requires.
    validate_json(&s[0], &p[0..1]);
    validate_json(&s[1], &p[1..2]);
    let v1: serde_json::Value = serde_json::from_slice(&samples[0].bytes).expect("JSON");
    let v2: serde_json::Value = serde_json::from_slice(&samples[1].bytes).expect("JSON");
    assert_eq!(v1["context"]["protocols"]["event_version"], 1);
    assert_eq!(v2["context"]["protocols"]["event_version"], 2);
    assert_ne!(v1["messageId"], v2["messageId"]);
    let refunded: serde_json::Value = serde_json::from_slice(&samples[2].bytes).expect("JSON");
    assert!(refunded["context"].get("protocols").is_none());
}

/// The documents and the plan views name each version; the views follow
/// their published schema.
#[test]
fn documents_and_views_name_each_version() {
    let settings = snapshot_settings("versions");
    settings.bind(|| {
        for target in ["segment", "spec", "qa", "json", "plan"] {
            insta::assert_snapshot!(target, render(&generate(target, &plan())));
        }
    });
    let json = generate("json", &plan());
    let dir = tempfile::tempdir().expect("temp dir");
    let written = write(dir.path(), &json);
    validate_json(
        &root().join("schemas/tracking-plan.schema.json"),
        &written[..1],
    );
}

/// A row of validate's summary: name, version, seen, defective, violations.
type Row = (String, Option<u64>, u64, u64, Vec<String>);

/// `validate` picks the version from `context.protocols.event_version`;
/// without one, or with one the plan does not declare (reported), the oldest
/// version is the one checked, as Segment's Protocols does.
#[test]
fn validate_picks_the_version_from_the_context() {
    let dir = tempfile::tempdir().expect("temp dir");
    let payloads = root().join("tests/fixtures/versions/payloads.ndjson");
    let r = crate::common::run::eventsc(
        dir.path(),
        &[
            "validate",
            plan().to_str().expect("UTF-8"),
            "--payloads",
            payloads.to_str().expect("UTF-8"),
            "--format",
            "json",
        ],
        None,
    );
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
    let rows: Vec<Row> = v["events"]
        .as_array()
        .expect("rows")
        .iter()
        .filter(|r| r["seen"].as_u64() > Some(0))
        .map(|r| {
            (
                r["name"].as_str().expect("name").to_string(),
                r["version"].as_u64(),
                r["seen"].as_u64().expect("seen"),
                r["defective"].as_u64().expect("defective"),
                r["violations"]
                    .as_object()
                    .expect("violations")
                    .iter()
                    .map(|(k, n)| format!("{k} {n}"))
                    .collect(),
            )
        })
        .collect();
    let s = |x: &str| x.to_string();
    assert_eq!(
        rows,
        [
            // No version (line 2), "2" (a string, line 3) and 7 (unknown, line 4):
            // version 1, the oldest; the last two are reported.
            (
                s("Order Placed"),
                Some(1),
                3,
                2,
                vec![s("unknown-version 2")]
            ),
            // event_version 2 (line 1): version 2, which requires the subtotal.
            (s("Order Placed"), Some(2), 1, 1, vec![s("required 1")]),
            // 1.0 is the integer 1; an event with one version has version 1.
            (
                s("Order Refunded"),
                None,
                1,
                0,
                vec![s("deprecated-event 1")]
            ),
        ],
        "{}",
        r.stdout
    );
    // Each version's sample passes.
    let out = dir.path().join("out");
    let built = crate::common::run::eventsc(
        dir.path(),
        &[
            "build",
            plan().to_str().expect("UTF-8"),
            "--out",
            out.to_str().expect("UTF-8"),
            "--target",
            "samples",
        ],
        None,
    );
    assert_eq!(built.code, 0, "{}", built.record);
    let r = crate::common::run::eventsc(
        dir.path(),
        &[
            "validate",
            plan().to_str().expect("UTF-8"),
            "--payloads",
            out.join("samples/samples.ndjson").to_str().expect("UTF-8"),
        ],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.record);
}
