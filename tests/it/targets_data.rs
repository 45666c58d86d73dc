//! The data targets (`json`, `yaml`, `plan`): golden snapshots for every test plan
//! and example, determinism, and validation of every output against the JSON
//! Schema published in `schemas/` with an independent validator (Python
//! `jsonschema`).

use crate::common::root;
use crate::common::targets::*;

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

#[test]
fn plan_snapshots() {
    snapshot("plan");
}

/// Every plan.json validates against the published schema.
#[test]
fn plan_validates_against_the_published_schema() {
    let schema = root().join("schemas/plan.schema.json");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut instances = Vec::new();
    for (name, path) in plans() {
        let written = write(&dir.path().join(&name), &generate("plan", &path));
        instances.push(written[0].clone());
    }
    validate_json(&schema, &instances);
}

fn plan_json_of_text(text: &str) -> serde_json::Value {
    let (sources, checked) = eventsc::check::check_text("plan.events", text);
    assert!(!checked.has_errors(), "{:?}", checked.diagnostics);
    let plan = checked.plan.as_ref().expect("plan");
    let cx = eventsc::targets::Context {
        plan,
        sources: &sources,
        warnings: &checked.diagnostics,
        options: Default::default(),
        plan_path: None,
    };
    let t = eventsc::targets::find("plan").expect("plan target");
    serde_json::from_slice(&t.generate(&cx)[0].bytes).expect("json")
}

fn strs(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|s| s.as_str().expect("string").to_string())
        .collect()
}

/// The task graph is a DAG listed in dependency order, whose artifacts flow
/// from producers to consumers; returns `id → depends_on`.
fn check_dag(doc: &serde_json::Value) -> Vec<(String, Vec<String>)> {
    use std::collections::{BTreeMap, BTreeSet};
    let tasks = doc["tasks"].as_array().expect("tasks");
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut ancestors: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut producer: BTreeMap<String, String> = BTreeMap::new();
    let mut out = Vec::new();
    for t in tasks {
        let id = t["id"].as_str().expect("id").to_string();
        let deps = strs(&t["depends_on"]);
        let mut anc = BTreeSet::new();
        for d in &deps {
            assert!(
                seen.contains(d),
                "{id} depends on {d}, not listed before it"
            );
            anc.insert(d.clone());
            anc.extend(ancestors[d].iter().cloned());
        }
        for input in strs(&t["inputs"]) {
            match producer.get(&input) {
                Some(p) => assert!(
                    anc.contains(p),
                    "{id} consumes {input} from {p}, not an ancestor"
                ),
                None => assert_eq!(
                    input, "request",
                    "{id} consumes {input}, which nothing produced"
                ),
            }
        }
        for output in strs(&t["outputs"]) {
            assert!(
                producer.insert(output.clone(), id.clone()).is_none(),
                "{output} produced twice"
            );
        }
        assert!(seen.insert(id.clone()), "task id {id} twice");
        ancestors.insert(id.clone(), anc);
        out.push((id, deps));
    }
    // The artifact list agrees with the tasks.
    for a in doc["artifacts"].as_array().expect("artifacts") {
        let id = a["id"].as_str().expect("id");
        assert_eq!(
            a["produced_by"].as_str(),
            producer.get(id).map(String::as_str),
            "{id}"
        );
        let consumers: Vec<String> = tasks
            .iter()
            .filter(|t| strs(&t["inputs"]).iter().any(|i| i == id))
            .map(|t| t["id"].as_str().expect("id").to_string())
            .collect();
        assert_eq!(strs(&a["consumed_by"]), consumers, "{id}");
    }
    // One sink: change management, reachable from everything.
    let last = out.last().expect("tasks").0.clone();
    assert_eq!(last, "change-management");
    assert_eq!(
        ancestors[&last].len(),
        out.len() - 1,
        "every task leads to change management"
    );
    out
}

fn deps<'a>(graph: &'a [(String, Vec<String>)], id: &str) -> &'a [String] {
    &graph
        .iter()
        .find(|(t, _)| t == id)
        .unwrap_or_else(|| panic!("no task {id}"))
        .1
}

#[test]
fn task_graph_shapes() {
    let text = std::fs::read_to_string(root().join("tests/fixtures/spec/full-example.events"))
        .expect("fixture");
    assert!(text.contains("pattern     pipeline"));
    let pipeline = plan_json_of_text(&text);
    let diamond = plan_json_of_text(&text.replace("pattern     pipeline", "pattern     diamond"));
    assert_eq!(pipeline["pattern"], "pipeline");
    assert_eq!(diamond["pattern"], "diamond");
    let catalogs = [
        "catalog.product",
        "catalog.web",
        "catalog.crm",
        "catalog.billing",
    ];
    for (doc, is_diamond) in [(&pipeline, false), (&diamond, true)] {
        let g = check_dag(doc);
        let ids: Vec<&str> = g.iter().map(|(t, _)| t.as_str()).collect();
        let mut expected = vec!["requirements"];
        expected.extend(catalogs);
        expected.extend(["catalog-merge", "governance", "qa"]);
        if is_diamond {
            expected.push("review-merge");
        }
        expected.push("change-management");
        assert_eq!(ids, expected);
        assert!(deps(&g, "requirements").is_empty());
        for c in catalogs {
            assert_eq!(
                deps(&g, c),
                ["requirements"],
                "catalog tasks run in parallel"
            );
        }
        assert_eq!(
            deps(&g, "catalog-merge"),
            catalogs,
            "the gate waits for every source"
        );
        assert_eq!(deps(&g, "governance"), ["catalog-merge"]);
        if is_diamond {
            assert_eq!(
                deps(&g, "qa"),
                ["catalog-merge"],
                "governance and QA in parallel"
            );
            assert_eq!(deps(&g, "review-merge"), ["governance", "qa"]);
            assert_eq!(deps(&g, "change-management"), ["review-merge"]);
        } else {
            assert_eq!(deps(&g, "qa"), ["governance"], "in sequence");
            assert_eq!(deps(&g, "change-management"), ["qa"]);
        }
    }
    // Events without a source get a catalog task of their own.
    let unsourced = plan_json_of_text(
        "plan \"P\" { owner @a }\nowner @a { name \"A\" }\nevent \"Thing Done\" { description \"d\"; owner @a }\n",
    );
    let g = check_dag(&unsourced);
    assert_eq!(deps(&g, "catalog-merge"), ["catalog-unsourced"]);
}

#[test]
fn the_dag_check_catches_a_bad_graph() {
    let text = std::fs::read_to_string(root().join("tests/fixtures/spec/full-example.events"))
        .expect("fixture");
    let mut doc = plan_json_of_text(&text);
    doc["tasks"][0]["depends_on"] = serde_json::json!(["change-management"]);
    assert!(
        std::panic::catch_unwind(|| check_dag(&doc)).is_err(),
        "a cycle passed"
    );
}

#[test]
fn sources_hash_is_stable_and_tracks_content() {
    let text = std::fs::read_to_string(root().join("tests/fixtures/spec/full-example.events"))
        .expect("fixture");
    let a = plan_json_of_text(&text);
    let b = plan_json_of_text(&text);
    let c = plan_json_of_text(&text.replace("Trial length", "Trial length in days"));
    let hash = |d: &serde_json::Value| {
        d["sources_hash"]["value"]
            .as_str()
            .expect("hash")
            .to_string()
    };
    assert_eq!(hash(&a), hash(&b));
    assert_ne!(hash(&a), hash(&c));
    assert_eq!(hash(&a).len(), 64);
    // The per-file hash is the plain SHA-256 of the contents (as `sha256sum` gives).
    use sha2::Digest;
    let expected: String = sha2::Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(a["sources_hash"]["files"][0]["sha256"], expected.as_str());
}

/// Every file `plan.json` names as an artifact's content is written by a build
/// of every target (files of targets not registered in this build must belong
/// to an artifact that names such a target).
#[test]
fn plan_json_names_files_the_build_writes() {
    let registered: Vec<&str> = eventsc::targets::TARGETS.iter().map(|t| t.name()).collect();
    for (name, path) in plans() {
        let written: std::collections::BTreeSet<String> = with_context(&path, |cx| {
            eventsc::targets::TARGETS
                .iter()
                .flat_map(|t| t.generate(cx))
                .map(|a| a.path)
                .collect()
        });
        let doc: serde_json::Value =
            serde_json::from_slice(&generate("plan", &path)[0].bytes).expect("json");
        for a in doc["artifacts"].as_array().expect("artifacts") {
            if a["id"] == "request" {
                continue;
            }
            let targets = strs(&a["targets"]);
            let ctx = &a["context"];
            let mut files = strs(&a["files"]);
            for key in ["schemas", "samples"] {
                if ctx.get(key).is_some() {
                    files.extend(strs(&ctx[key]));
                }
            }
            for f in files {
                assert!(
                    written.contains(&f)
                        || targets.iter().any(|t| !registered.contains(&t.as_str())),
                    "{name}: artifact {} names {f}, which no target writes",
                    a["id"]
                );
            }
        }
    }
}

/// The plan with the envelope, page and screen rules, versions and hostile
/// names through the targets whose other plans are golden files
/// (tests/golden/): `csv` (page and screen rows, the version column) and
/// `jsonschema` (the envelope merged in, a schema per page and screen rule).
#[test]
fn calls_csv_and_jsonschema_snapshots() {
    let path = root().join("tests/fixtures/targets/calls.events");
    for target in ["csv", "jsonschema"] {
        let artifacts = generate(target, &path);
        snapshot_settings(&format!("targets/{target}"))
            .bind(|| insta::assert_snapshot!("calls", render(&artifacts)));
    }
}
