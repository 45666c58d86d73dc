//! Helpers for the tests of the output targets: the plans every target is
//! snapshotted for, generating a target's artifacts, and the independent Python
//! JSON Schema validator.

use super::{check_paths, root};
use eventsc::targets::{Artifact, Context};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The plans every target is tested on: a snapshot name and the path checked.
/// Every plan under `examples/` (a directory or a `.events` file) is included.
pub fn plans() -> Vec<(String, PathBuf)> {
    let mut out = vec![
        (
            "full-example".to_string(),
            root().join("tests/fixtures/spec/full-example.events"),
        ),
        (
            "split-plan".to_string(),
            root().join("tests/fixtures/multi/split-plan"),
        ),
        (
            "kitchen-sink".to_string(),
            root().join("tests/fixtures/targets/kitchen-sink.events"),
        ),
        (
            "slug-clash".to_string(),
            root().join("tests/fixtures/targets/slug-clash.events"),
        ),
        (
            "issue-14".to_string(),
            root().join("tests/fixtures/targets/issue-14.events"),
        ),
        (
            "every-construct".to_string(),
            root().join("tests/fixtures/targets/every-construct.events"),
        ),
        (
            "calls".to_string(),
            root().join("tests/fixtures/targets/calls.events"),
        ),
    ];
    for p in super::example_plans() {
        out.push((format!("example-{}", super::stem(&p)), p));
    }
    out
}

/// Checks a plan (which must have no errors) and runs `f` with its context.
pub fn with_context<T>(path: &Path, f: impl FnOnce(&Context) -> T) -> T {
    let (sources, checked) = check_paths(&[path.to_path_buf()]);
    assert!(
        !checked.has_errors(),
        "{} has errors:\n{}",
        path.display(),
        super::render_both(&sources, &checked)
    );
    let plan = checked.plan.as_ref().expect("a checked plan");
    let warnings: Vec<_> = checked.diagnostics.clone();
    f(&Context {
        plan,
        sources: &sources,
        warnings: &warnings,
        options: Default::default(),
        plan_path: None,
    })
}

/// The artifacts of one target for one plan.
pub fn generate(target: &str, path: &Path) -> Vec<Artifact> {
    let t = eventsc::targets::find(target).unwrap_or_else(|| panic!("no target `{target}`"));
    with_context(path, |cx| t.generate(cx))
}

/// Every artifact as one text, for a snapshot: `=== path` then the contents.
pub fn render(artifacts: &[Artifact]) -> String {
    let mut s = String::new();
    for a in artifacts {
        s.push_str("=== ");
        s.push_str(&a.path);
        s.push('\n');
        s.push_str(&String::from_utf8_lossy(&a.bytes));
        if !a.bytes.ends_with(b"\n") {
            s.push_str("\n(no final newline)\n");
        }
    }
    s
}

/// Writes artifacts below `dir`; returns the written paths in order.
pub fn write(dir: &Path, artifacts: &[Artifact]) -> Vec<PathBuf> {
    artifacts
        .iter()
        .map(|a| {
            let p = dir.join(&a.path);
            std::fs::create_dir_all(p.parent().expect("a parent")).expect("mkdir");
            std::fs::write(&p, &a.bytes).expect("write");
            p
        })
        .collect()
}

/// The Python of the test virtualenv (created by `scripts/setup.sh`).
pub fn python() -> PathBuf {
    super::venv_python()
}

/// Validates instances against a schema with Python `jsonschema`; panics with its
/// report if the schema is not valid or any instance does not validate.
pub fn validate_json(schema: &Path, instances: &[PathBuf]) {
    let out = Command::new(python())
        .arg(root().join("tests/python/validate_json.py"))
        .arg(schema)
        .args(instances)
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "jsonschema rejected {} against {}:\n{}{}",
        instances
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
        schema.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs a snapshot assertion with snapshots under `tests/snapshots/<dir>`.
pub fn snapshot_settings(dir: &str) -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path(root().join("tests/snapshots").join(dir));
    settings
}
