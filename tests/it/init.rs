//! `eventsc init`: the starter plan checks clean (real checker, no errors and no
//! warnings) for many input combinations, one is snapshotted, its targets
//! validate, and every bad input gets a clear error listing what is accepted.

use crate::common;

use crate::common::root;
use crate::common::targets::{python, snapshot_settings, validate_json, write};
use eventsc::ir::{Constraint, SourceKind};
use eventsc::starter::{Request, render};
use std::process::Command;

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn starter(sources: &[&str], constraints: &[&str], timeline: Option<&str>) -> String {
    let r = Request::parse(
        "Tracking plan",
        "How fast do product trials turn into paid pipeline?",
        &strings(sources),
        &strings(&["segment", "dbt"]),
        &strings(constraints),
        timeline,
    )
    .expect("valid request");
    render(&r)
}

fn assert_clean(label: &str, text: &str) {
    let (sources, checked) = eventsc::check::check_text("plan.events", text);
    assert!(
        checked.diagnostics.is_empty(),
        "{label}: the starter plan is not clean:\n{}\n{text}",
        common::render_both(&sources, &checked)
    );
    let plan = checked.plan.as_ref().expect("plan");
    assert!(!plan.events.is_empty(), "{label}: no events");
    assert!(
        plan.events
            .iter()
            .all(|e| e.status.value == eventsc::ir::Status::Planned),
        "{label}: every event is planned"
    );
}

#[test]
fn starter_plans_check_clean() {
    let kinds: Vec<&str> = SourceKind::NAMES.to_vec();
    let constraints: Vec<&str> = Constraint::NAMES.to_vec();
    // Each kind alone, under each constraint alone and under none.
    for k in &kinds {
        assert_clean(k, &starter(&[k], &[], None));
        for c in &constraints {
            assert_clean(
                &format!("{k}+{c}"),
                &starter(&[k], &[c], Some("2026-12-15")),
            );
        }
    }
    // Everything at once, and the example.
    assert_clean("all", &starter(&kinds, &constraints, Some("2026-12-15")));
    assert_clean(
        "example",
        &starter(
            &["product", "web", "crm", "map", "billing"],
            &["gdpr", "ccpa"],
            Some("2026-12-15"),
        ),
    );
    // Pairs of kinds.
    for a in &kinds {
        for b in &kinds {
            assert_clean(&format!("{a}+{b}"), &starter(&[a, b], &["gdpr"], None));
        }
    }
}

#[test]
fn starter_plan_snapshot() {
    let text = starter(
        &["product", "web", "crm", "map", "billing"],
        &["gdpr", "ccpa"],
        Some("2026-12-15"),
    );
    snapshot_settings("init").bind(|| insta::assert_snapshot!("product-web-crm-map-billing", text));
}

/// The plan `init` writes builds into outputs that validate.
#[test]
fn starter_plan_outputs_validate() {
    let text = starter(SourceKind::NAMES, Constraint::NAMES, Some("2026-12-15"));
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("plan.events");
    std::fs::write(&file, &text).expect("write");
    let out = dir.path().join("out");
    let mut json = Vec::new();
    let mut plan = Vec::new();
    common::targets::with_context(&file, |cx| {
        for t in eventsc::targets::TARGETS {
            let written = write(&out, &t.generate(cx));
            match t.name() {
                "json" => json.push(written[0].clone()),
                "plan" => plan.push(written[0].clone()),
                _ => {}
            }
        }
    });
    validate_json(&root().join("schemas/tracking-plan.schema.json"), &json);
    validate_json(&root().join("schemas/plan.schema.json"), &plan);
    let check = Command::new(python())
        .arg(root().join("tests/python/check_samples.py"))
        .arg(&json[0])
        .arg(&out)
        .output()
        .expect("python runs");
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
}

fn eventsc(args: &[&str], cwd: &std::path::Path) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_eventsc"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("the binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const EXAMPLE: &[&str] = &[
    "init",
    "--use-case",
    "How fast do product trials turn into paid pipeline?",
    "--sources",
    "product,web,crm,map,billing",
    "--tools",
    "segment,dbt",
    "--constraints",
    "gdpr,ccpa",
    "--timeline",
    "2026-12-15",
];

#[test]
fn init_writes_a_plan_that_check_accepts_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (code, _, err) = eventsc(EXAMPLE, dir.path());
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("wrote plan.events (19 planned events"),
        "{err}"
    );
    let written = std::fs::read_to_string(dir.path().join("plan.events")).expect("written");
    assert_eq!(
        written,
        starter(
            &["product", "web", "crm", "map", "billing"],
            &["gdpr", "ccpa"],
            Some("2026-12-15")
        )
    );
    let (code, _, err) = eventsc(&["check", "plan.events"], dir.path());
    assert_eq!(code, 0);
    assert!(err.contains("no problems"), "{err}");

    // Refuses to overwrite; the file stays as it was.
    std::fs::write(dir.path().join("plan.events"), "// mine\n").expect("write");
    let (code, _, err) = eventsc(EXAMPLE, dir.path());
    assert_eq!(code, 2);
    assert_eq!(
        err,
        "error: `plan.events` already exists: pass --force to overwrite it, or write to another file\n"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("plan.events")).expect("kept"),
        "// mine\n"
    );
    let mut forced = EXAMPLE.to_vec();
    forced.push("--force");
    let (code, _, _) = eventsc(&forced, dir.path());
    assert_eq!(code, 0);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("plan.events")).expect("replaced"),
        written
    );

    // `--out -` prints the plan; `--out DIR` is refused.
    let mut stdout = EXAMPLE.to_vec();
    stdout.extend(["--out", "-"]);
    let (code, out, _) = eventsc(&stdout, dir.path());
    assert_eq!(code, 0);
    assert_eq!(out, written);
    let mut to_dir = EXAMPLE.to_vec();
    to_dir.extend(["--out", "."]);
    let (code, _, err) = eventsc(&to_dir, dir.path());
    assert_eq!(code, 2);
    assert!(err.contains("`.` is a directory"), "{err}");
}

#[test]
fn bad_inputs_are_usage_errors_listing_what_is_accepted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cases: &[(&str, &[&str])] = &[
        ("unknown-source", &["--sources", "product,erp"]),
        (
            "unknown-constraint",
            &["--sources", "web", "--constraints", "gdpr,sox"],
        ),
        (
            "bad-date",
            &["--sources", "web", "--timeline", "2026-02-30"],
        ),
        (
            "bad-date-shape",
            &["--sources", "web", "--timeline", "15/12/2026"],
        ),
        (
            "bad-tool",
            &["--sources", "web", "--tools", "segment,big query"],
        ),
        ("empty-sources", &["--sources", ","]),
    ];
    let mut record = String::new();
    for (name, extra) in cases {
        let mut args = vec!["init", "--use-case", "U"];
        args.extend_from_slice(extra);
        let (code, out, err) = eventsc(&args, dir.path());
        assert_eq!(code, 2, "{name}");
        assert!(out.is_empty());
        record.push_str(&format!("--- {name}: eventsc {}\n{err}", args.join(" ")));
    }
    let (code, _, err) = eventsc(&["init", "--use-case", " ", "--sources", "web"], dir.path());
    assert_eq!(code, 2);
    record.push_str(&format!("--- empty-use-case\n{err}"));
    assert!(
        std::fs::read_dir(dir.path()).expect("dir").next().is_none(),
        "nothing is written on bad input"
    );
    snapshot_settings("init").bind(|| insta::assert_snapshot!("errors", record));
}

#[test]
fn init_help() {
    let (code, out, _) = eventsc(&["init", "--help"], &root());
    assert_eq!(code, 0);
    snapshot_settings("init").bind(|| insta::assert_snapshot!("help", out));
}
