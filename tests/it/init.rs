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

/// The use cases of the tests: one phrase for each supported one, and one the
/// starter does not know.
const USE_CASES: &[&str] = &[
    "pipeline velocity",
    "How fast do new accounts reach their first key action? (activation)",
    "Why do accounts churn?",
    "Expansion revenue from existing accounts",
    "Which campaigns source pipeline? (attribution)",
    "Support load",
];

/// The source kinds of the workflow's request.
const REQUEST_KINDS: &[&str] = &["product", "web", "crm", "map", "billing"];

fn request(
    use_case: &str,
    sources: &[&str],
    constraints: &[&str],
    timeline: Option<&str>,
) -> Request {
    Request::parse(
        "",
        use_case,
        &strings(sources),
        &strings(&["segment", "dbt"]),
        &strings(constraints),
        timeline,
    )
    .expect("valid request")
}

fn starter(sources: &[&str], constraints: &[&str], timeline: Option<&str>) -> String {
    render(&request(
        "How fast do product trials turn into paid pipeline?",
        sources,
        constraints,
        timeline,
    ))
}

/// Every non-empty combination of the request's source kinds.
fn combinations() -> Vec<Vec<&'static str>> {
    (1u32..1 << REQUEST_KINDS.len())
        .map(|mask| {
            REQUEST_KINDS
                .iter()
                .enumerate()
                .filter(|(i, _)| mask & (1 << i) != 0)
                .map(|(_, k)| *k)
                .collect()
        })
        .collect()
}

/// No diagnostic at all, in `fmt` layout, every event planned, at least one KPI,
/// and the workflow's guardrails.
fn assert_clean(label: &str, text: &str) {
    let (sources, checked) = eventsc::check::check_text("plan.events", text);
    assert!(
        checked.diagnostics.is_empty(),
        "{label}: the starter plan is not clean:\n{}\n{text}",
        common::render_both(&sources, &checked)
    );
    let formatted = eventsc::fmt::format(eventsc::source::FileId(0), text).expect("formats");
    assert!(
        formatted == text,
        "{label}: the starter plan is not in fmt layout"
    );
    let plan = checked.plan.as_ref().expect("plan");
    assert!(!plan.events.is_empty(), "{label}: no events");
    assert!(!plan.kpis.is_empty(), "{label}: no KPI");
    assert!(
        plan.events
            .iter()
            .all(|e| e.status.value == eventsc::ir::Status::Planned),
        "{label}: every event is planned"
    );
    let squeezed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for needle in [
        "retry_limit 2",
        "escalation @analytics, @data-eng, @revops",
        "ripcord @data-eng, @legal",
        "owner @bi {",
        "backup @bi",
    ] {
        assert!(squeezed.contains(needle), "{label}: no `{needle}`");
    }
}

#[test]
fn starter_plans_check_clean() {
    // Every use case with every combination of the request's source kinds.
    for u in USE_CASES {
        for c in combinations() {
            let label = format!("{u} / {}", c.join(","));
            assert_clean(&label, &render(&request(u, &c, &[], None)));
            assert_clean(
                &label,
                &render(&request(u, &c, &["gdpr", "ccpa"], Some("2026-12-15"))),
            );
        }
    }
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
    // Everything at once.
    assert_clean("all", &starter(&kinds, &constraints, Some("2026-12-15")));
}

#[test]
fn use_cases_are_recognised_and_give_their_kpis() {
    use eventsc::starter::UseCase;
    let cases = [
        ("pipeline velocity", UseCase::Pipeline, "Pipeline velocity"),
        (
            "How fast do trials turn into paid pipeline?",
            UseCase::Pipeline,
            "Pipeline velocity",
        ),
        ("Activation", UseCase::Activation, "Activation rate"),
        ("reduce churn", UseCase::Retention, "Subscription churn"),
        (
            "seat expansion and upsell",
            UseCase::Expansion,
            "Expansion MRR",
        ),
        (
            "marketing attribution",
            UseCase::Attribution,
            "Campaign-sourced leads",
        ),
    ];
    for (text, kind, kpi) in cases {
        let r = request(text, REQUEST_KINDS, &[], None);
        assert_eq!(r.kind, kind, "{text}");
        let plan = render(&r);
        assert!(
            plan.contains(&format!("kpi \"{kpi}\"")),
            "{text}: no KPI {kpi}"
        );
        assert!(!plan.contains("TODO(init): none of"), "{text}");
    }
    // An unknown use case: a generic plan titled after it, with a KPI to fill in.
    let r = request("Support load", &["web"], &[], None);
    assert_eq!(r.kind, UseCase::Generic);
    let plan = render(&r);
    assert!(plan.contains("plan \"Support load\""), "{plan}");
    assert!(
        plan.contains("TODO(init): the starter has no KPIs for this use case"),
        "{plan}"
    );
}

/// The KPIs of every use case, over every combination of sources, are computed
/// on DuckDB from the dbt sources and samples the plan builds into.
#[test]
fn kpis_are_computed_from_the_dbt_sources_on_duckdb() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut outs = Vec::new();
    for (i, u) in USE_CASES.iter().enumerate() {
        for (j, c) in combinations().iter().enumerate() {
            let case = dir.path().join(format!("{i}-{j}"));
            std::fs::create_dir_all(&case).expect("mkdir");
            let file = case.join("plan.events");
            std::fs::write(&file, render(&request(u, c, &["gdpr"], None))).expect("write");
            let out = case.join("out");
            common::targets::with_context(&file, |cx| {
                for t in eventsc::targets::TARGETS {
                    if ["json", "dbt", "samples"].contains(&t.name()) {
                        write(&out, &t.generate(cx));
                    }
                }
            });
            outs.push(out);
        }
    }
    let run = Command::new(python())
        .arg(root().join("tests/python/kpi_joins.py"))
        .args(&outs)
        .output()
        .expect("python runs");
    assert!(
        run.status.success(),
        "{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
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
        err.contains("wrote plan.events (20 planned events"),
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
        ("bad-tool", &["--sources", "web", "--tools", "segment,+++"]),
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

/// The workflow's request, typed verbatim with `eventsc init` in place of its
/// command name, for each use case: the plan checks with no problem, is in `fmt`
/// layout, builds every target, and its rip-cord alerts Data and Legal.
#[test]
fn the_request_verbatim_gives_a_plan_that_builds() {
    for (i, use_case) in USE_CASES.iter().enumerate() {
        let dir = tempfile::tempdir().expect("tempdir");
        let args = [
            "init",
            "--use_case",
            use_case,
            "--sources",
            "Product, CRM",
            "--tools",
            "Segment,dbt Cloud,BigQuery",
        ];
        let (code, out, err) = eventsc(&args, dir.path());
        assert_eq!(code, 0, "{use_case}: {err}");
        assert!(out.is_empty());
        if i == 0 {
            snapshot_settings("init").bind(|| insta::assert_snapshot!("request-verbatim", err));
        }
        let (code, _, err) = eventsc(&["check", "plan.events"], dir.path());
        assert_eq!(code, 0, "{use_case}: {err}");
        assert!(err.contains("no problems"), "{use_case}: {err}");
        let (code, out, _) = eventsc(&["fmt", "--check", "plan.events"], dir.path());
        assert_eq!(code, 0, "{use_case}: not in fmt layout: {out}");
        let (code, _, err) = eventsc(&["build", "plan.events", "--out", "out"], dir.path());
        assert_eq!(code, 0, "{use_case}: {err}");
        let plan: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(dir.path().join("out/plan.json")).expect("plan.json"),
        )
        .expect("json");
        let text = plan.to_string();
        assert!(
            text.contains("\"legal\"") && text.contains("\"data-eng\""),
            "{use_case}: plan.json names Legal and Data"
        );
    }
}
