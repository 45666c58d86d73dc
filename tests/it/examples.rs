//! The bundled examples are real plans: each directory under `examples/` (and
//! each `.events` file directly in it) is one plan that checks with no
//! diagnostics at all, not even a warning. The outputs built from them are
//! snapshotted by the target tests, not here. They are in `fmt` layout.

use crate::common::*;

#[test]
fn every_example_checks_without_diagnostics() {
    let plans = example_plans();
    let mut failures = Vec::new();
    for plan in &plans {
        let (sources, checked) = check_paths(std::slice::from_ref(plan));
        if !checked.diagnostics.is_empty() {
            failures.push(format!(
                "{}:\n{}",
                rel(plan),
                eventsc::diagnostics::render::render_short(&checked.diagnostics, &sources)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "examples with diagnostics:\n{}",
        failures.join("\n")
    );
}

#[test]
fn there_are_at_least_three_examples_with_events() {
    let plans = example_plans();
    assert!(
        plans.len() >= 3,
        "expected at least three example plans, found {}: {:?}",
        plans.len(),
        plans.iter().map(|p| rel(p)).collect::<Vec<_>>()
    );
    // An example that is empty (or whose directory holds no `.events` file) would
    // not fail the check above in a useful way: each must hold a real plan.
    for plan in &plans {
        let (_, checked) = check_paths(std::slice::from_ref(plan));
        let events = checked.plan.as_ref().map_or(0, |p| p.events.len());
        assert!(
            events >= 10,
            "{} holds {events} events; an example should be a realistic plan",
            rel(plan)
        );
    }
}

/// The library's pipeline (`check_with` → `emit`) gives the bytes `eventsc
/// build` writes, target by target; an unknown target is an error.
#[test]
fn the_library_pipeline_emits_what_build_writes() {
    let plan_dir = root().join("examples/ecommerce");
    let out = tempfile::tempdir().expect("temp dir");
    let r = crate::common::run::eventsc(
        &root(),
        &[
            "build",
            &rel(&plan_dir),
            "--out",
            &out.path().display().to_string(),
            "--target",
            "csv,dbt",
        ],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.record);
    let (sources, checked) = check_paths(std::slice::from_ref(&plan_dir));
    let warnings = checked.diagnostics.clone();
    let plan = checked.into_ok().expect("the example checks");
    let artifacts =
        eventsc::emit(&plan, &sources, &warnings, &["csv", "dbt"]).expect("known targets");
    assert!(artifacts.len() > 2);
    for a in &artifacts {
        let written = std::fs::read(out.path().join(&a.path)).expect("build wrote it");
        assert!(
            written == a.bytes,
            "{} differs from what build wrote",
            a.path
        );
    }
    let err = eventsc::emit(&plan, &sources, &warnings, &["nope"]).expect_err("unknown");
    assert!(err.contains("`nope`"), "{err}");
}

/// The examples are in the one canonical layout: `eventsc fmt --check
/// examples/` reformats nothing (the project keeps the layout it teaches).
#[test]
fn examples_are_in_fmt_layout() {
    let r = crate::common::run::eventsc(&root(), &["fmt", "--check", "examples/"], None);
    assert_eq!(
        r.code, 0,
        "`eventsc fmt examples/` would reformat:\n{}{}",
        r.stdout, r.stderr
    );
}
