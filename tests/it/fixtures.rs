//! Fixture-driven tests of `check`.
//!
//! - `tests/fixtures/**/*.events` (outside `multi/`): each file is a plan; its
//!   diagnostics (short and human formats, no colour) are an insta snapshot.
//! - `codes/E0025.fail.events`, `rules/privacy/pii-without-consent.fail-2.events`:
//!   a `fail` fixture must report the code or rule its name starts with; a `pass`
//!   fixture must report nothing at all.
//! - `multi/<name>/`: a directory is one plan of several files.
//! - `fmt/` and `diff/` hold inputs of other tests (tests/it/fmt.rs, tests/it/diff.rs),
//!   not plans to check; they are skipped here.
//! - Every error code and rule has at least one `fail` and one `pass` fixture.

use crate::common::*;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The code or rule a fixture is about, and whether it should fail.
fn expectation(path: &Path) -> Option<(String, bool)> {
    let rel = path.strip_prefix(root().join("tests/fixtures")).ok()?;
    let rel = rel.to_string_lossy().replace('\\', "/");
    let (kind, rest) = rel.split_once('/')?;
    let (name, suffix) = rest.split_once('.')?;
    let fail = suffix.starts_with("fail");
    let pass = suffix.starts_with("pass");
    if !fail && !pass {
        return None;
    }
    match kind {
        "codes" | "rules" => Some((name.to_string(), fail)),
        _ => None,
    }
}

fn check_expectation(path: &Path, codes: &BTreeSet<&str>) {
    let Some((name, fail)) = expectation(path) else {
        return;
    };
    if fail {
        assert!(
            codes.contains(name.as_str()),
            "{} should report `{name}`, but reported {codes:?}",
            rel(path)
        );
    } else {
        assert!(
            codes.is_empty(),
            "{} should be clean, but reported {codes:?}",
            rel(path)
        );
    }
}

#[test]
fn fixtures() {
    let dir = root().join("tests/fixtures");
    let files: Vec<PathBuf> = events_files(&dir)
        .into_iter()
        .filter(|p| {
            let r = rel(p);
            !["multi/", "fmt/", "diff/"]
                .iter()
                .any(|d| r.starts_with(&format!("tests/fixtures/{d}")))
        })
        .collect();
    assert!(!files.is_empty());
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path(root().join("tests/snapshots/fixtures"));
    settings.bind(|| {
        for path in &files {
            let (sources, checked) = check_paths(std::slice::from_ref(path));
            let codes: BTreeSet<&str> = checked.diagnostics.iter().map(|d| d.code).collect();
            let name = rel(path)
                .trim_start_matches("tests/fixtures/")
                .trim_end_matches(".events")
                .replace('/', "__");
            insta::assert_snapshot!(name, render_both(&sources, &checked));
            check_expectation(path, &codes);
        }
    });
}

#[test]
fn multi_file_plans() {
    let dir = root().join("tests/fixtures/multi");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path(root().join("tests/snapshots/multi"));
    settings.bind(|| {
        for d in &dirs {
            let (sources, checked) = check_paths(std::slice::from_ref(d));
            let name = d
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            insta::assert_snapshot!(name, render_both(&sources, &checked));
        }
    });
}

#[test]
fn every_code_and_rule_has_a_failing_and_a_passing_fixture() {
    let dir = root().join("tests/fixtures");
    let mut have: BTreeSet<(String, bool)> = BTreeSet::new();
    for p in events_files(&dir) {
        if let Some(e) = expectation(&p) {
            have.insert(e);
        }
    }
    let mut missing = Vec::new();
    // Codes and rules (kinds of change are covered by tests/fixtures/diff).
    let names: Vec<&str> = eventsc::docs::all_names()
        .into_iter()
        .filter(|n| eventsc::diff::kinds::find(n).is_none())
        .collect();
    for name in &names {
        for (fail, kind) in [(true, "fail"), (false, "pass")] {
            if !have.contains(&(name.to_string(), fail)) {
                let dir = if name.starts_with('E') {
                    "codes"
                } else {
                    "rules"
                };
                missing.push(format!("tests/fixtures/{dir}/{name}.{kind}.events"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "missing fixtures:\n  {}",
        missing.join("\n  ")
    );
    // And no fixture is about a code or rule that does not exist.
    let stray: Vec<_> = have
        .iter()
        .filter(|(n, _)| !names.contains(&n.as_str()))
        .collect();
    assert!(
        stray.is_empty(),
        "fixtures for unknown codes/rules: {stray:?}"
    );
}

/// The language reference's complete example is a fixture: the copy must match
/// the first ` ```events ` block of `docs/language.md` exactly.
#[test]
fn spec_example_is_current() {
    let page = root().join("docs/language.md");
    let text = std::fs::read_to_string(&page)
        .unwrap_or_else(|e| panic!("docs/language.md must exist (the language reference): {e}"));
    let start = text
        .find("```events\n")
        .expect("docs/language.md has an `events` block")
        + "```events\n".len();
    let len = text[start..].find("```\n").expect("the block is closed");
    let block = &text[start..start + len];
    let fixture = std::fs::read_to_string(root().join("tests/fixtures/spec/full-example.events"))
        .expect("fixture exists");
    assert_eq!(
        fixture, block,
        "tests/fixtures/spec/full-example.events differs from the first example of docs/language.md"
    );
}
