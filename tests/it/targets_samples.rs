//! The `samples` target: golden snapshots, determinism, and an independent check
//! of every sample with Python `jsonschema` against schemas built (in Python) from
//! the tracking-plan data: types, required, enums, patterns, formats, bounds,
//! lengths, identity ids, consent, sunset.

use crate::common::root;
use crate::common::targets::*;

#[test]
fn samples_snapshots() {
    for (name, path) in plans() {
        let artifacts = generate("samples", &path);
        assert_eq!(
            artifacts,
            generate("samples", &path),
            "samples are not deterministic for {name}"
        );
        snapshot_settings("targets/samples")
            .bind(|| insta::assert_snapshot!(name, render(&artifacts)));
    }
}

fn check_samples(dir: &std::path::Path) -> std::process::Output {
    std::process::Command::new(python())
        .arg(root().join("tests/python/check_samples.py"))
        .arg(dir.join("plan/tracking-plan.json"))
        .arg(dir)
        .output()
        .expect("python runs")
}

#[test]
fn samples_validate_against_the_plan() {
    for (name, path) in plans() {
        let dir = tempfile::tempdir().expect("tempdir");
        write(dir.path(), &generate("json", &path));
        write(dir.path(), &generate("samples", &path));
        let out = check_samples(dir.path());
        assert!(
            out.status.success(),
            "{name}: samples do not match the plan:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// The independent check catches a wrong sample, so the test above can fail.
#[test]
fn the_sample_check_catches_bad_payloads() {
    let path = root().join("tests/fixtures/targets/kitchen-sink.events");
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), &generate("json", &path));
    write(dir.path(), &generate("samples", &path));
    let file = dir.path().join("samples/order-completed.json");
    let mut doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&file).expect("sample")).expect("json");
    doc["properties"]["currency"] = serde_json::json!("euro");
    doc["properties"]["items"][0]["category"] = serde_json::json!("toys");
    doc.as_object_mut().expect("object").remove("userId");
    std::fs::write(&file, serde_json::to_vec(&doc).expect("json")).expect("write");
    let out = check_samples(dir.path());
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success());
    for expected in [
        "'euro' does not match",
        "'toys' is not one of",
        "'userId' is a required property",
        "samples.ndjson does not hold",
    ] {
        assert!(
            report.contains(expected),
            "missing {expected:?} in:\n{report}"
        );
    }
}

/// Every sample validates, with Python `jsonschema`, against the payload schema
/// the `jsonschema` target writes for it (`schemas/<slug>.json`, same file stem).
#[test]
fn samples_validate_against_the_jsonschema_target() {
    for (name, path) in plans() {
        let dir = tempfile::tempdir().expect("tempdir");
        let schemas = write(dir.path(), &generate("jsonschema", &path));
        let samples = write(dir.path(), &generate("samples", &path));
        assert_eq!(
            schemas.len() + 1,
            samples.len(),
            "{name}: one sample per schema, plus samples.ndjson"
        );
        for schema in &schemas {
            let file = schema.file_name().expect("a file name");
            let sample = dir.path().join("samples").join(file);
            assert!(
                sample.exists(),
                "{name}: no sample for {}",
                schema.display()
            );
            validate_json(schema, &[sample]);
        }
    }
}
