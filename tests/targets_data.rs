//! The data targets (`json`, `yaml`, `plan`): golden snapshots for every test plan
//! and example, determinism, and validation of every output against the JSON
//! Schema published in `schemas/` with an independent validator (Python
//! `jsonschema`).

mod common;

use common::root;
use common::targets::*;

fn snapshot(target: &str) {
    for (name, path) in plans() {
        let artifacts = generate(target, &path);
        assert_eq!(
            artifacts,
            generate(target, &path),
            "{target} is not deterministic for {name}"
        );
        snapshot_settings(&format!("targets/{target}"))
            .bind(|| insta::assert_snapshot!(name, render(&artifacts)));
    }
}

#[test]
fn json_snapshots() {
    snapshot("json");
}

#[test]
fn yaml_snapshots() {
    snapshot("yaml");
}

/// The YAML file holds exactly the data of the JSON file.
#[test]
fn yaml_has_the_same_content_as_json() {
    for (name, path) in plans() {
        let json = generate("json", &path);
        let yaml = generate("yaml", &path);
        let from_json: serde_json::Value =
            serde_json::from_slice(&json[0].bytes).expect("json parses");
        let from_yaml: serde_json::Value =
            yaml_serde::from_slice(&yaml[0].bytes).expect("yaml parses");
        assert_eq!(from_json, from_yaml, "{name}: yaml and json differ");
    }
}

/// Every tracking-plan output validates against the published schema, and the
/// copy written next to it is that schema.
#[test]
fn json_validates_against_the_published_schema() {
    let schema = root().join("schemas/tracking-plan.schema.json");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut instances = Vec::new();
    for (name, path) in plans() {
        let artifacts = generate("json", &path);
        let copy = artifacts
            .iter()
            .find(|a| a.path == "plan/tracking-plan.schema.json")
            .expect("the schema is written next to the plan");
        assert_eq!(
            copy.bytes,
            std::fs::read(&schema).expect("schema"),
            "{name}: stale schema copy"
        );
        let written = write(&dir.path().join(&name), &artifacts);
        instances.push(written[0].clone());
    }
    validate_json(&schema, &instances);
}

/// The schema is strict: a document with an unknown key or a wrong type fails,
/// so the validation above can catch drift between the code and the schema.
#[test]
fn tracking_plan_schema_rejects_drift() {
    let schema = root().join("schemas/tracking-plan.schema.json");
    let path = root().join("tests/fixtures/spec/full-example.events");
    let artifacts = generate("json", &path);
    let mut doc: serde_json::Value = serde_json::from_slice(&artifacts[0].bytes).expect("json");
    doc["events"][0]["properties"][0]["surprise"] = serde_json::json!(true);
    doc["events"][1]["status"] = serde_json::json!("shipped");
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, serde_json::to_vec(&doc).expect("json")).expect("write");
    let out = std::process::Command::new(python())
        .arg(root().join("tests/python/validate_json.py"))
        .arg(&schema)
        .arg(&bad)
        .output()
        .expect("python runs");
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "drift was accepted");
    assert!(report.contains("surprise"), "{report}");
    assert!(report.contains("shipped"), "{report}");
}
