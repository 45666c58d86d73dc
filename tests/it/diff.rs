//! `eventsc diff`: snapshot of every fixture pair (tests/fixtures/diff/<case>/old.events
//! and new.events), coverage of every class and kind of change, the output
//! formats, `--fail-on`, git revisions and the error paths.

use crate::common::run::{self, Run};
use crate::common::*;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn cases() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(root().join("tests/fixtures/diff"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn diff_case(case: &str, extra: &[&str]) -> Run {
    let old = format!("tests/fixtures/diff/{case}/old.events");
    let new = format!("tests/fixtures/diff/{case}/new.events");
    let mut args = vec!["diff", old.as_str(), new.as_str()];
    args.extend_from_slice(extra);
    run::eventsc(&root(), &args, None)
}

fn snapshot(name: &str, record: &str) {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path(root().join("tests/snapshots/diff"));
    settings.bind(|| insta::assert_snapshot!(name, record));
}

#[test]
fn every_case() {
    let cases = cases();
    assert!(cases.len() >= 8, "{cases:?}");
    for case in &cases {
        let r = diff_case(case, &[]);
        let expected = if ["version-not-bumped", "properties"].contains(&case.as_str()) {
            1
        } else {
            0
        };
        assert_eq!(r.code, expected, "{case}: {}", r.record);
        snapshot(case, &r.record);
    }
}

/// Every class and every kind of change of the registry appears in at least
/// one fixture pair.
#[test]
fn the_fixtures_cover_every_class_and_kind() {
    let mut kinds = BTreeSet::new();
    let mut classes = BTreeSet::new();
    for case in cases() {
        let r = diff_case(&case, &["--format", "json"]);
        let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON output");
        for c in v["changes"].as_array().unwrap() {
            kinds.insert(c["kind"].as_str().unwrap().to_string());
            classes.insert(c["class"].as_str().unwrap().to_string());
            assert!(
                c["old"].is_object() || c["new"].is_object(),
                "{case}: a change without a location: {c}"
            );
        }
    }
    assert_eq!(
        classes,
        ["breaking", "compatible", "documentation", "governance"]
            .map(String::from)
            .into()
    );
    let declared: BTreeSet<String> = eventsc::diff::kinds::KINDS
        .iter()
        .map(|k| k.name.to_string())
        .collect();
    let missing: Vec<_> = declared.difference(&kinds).collect();
    assert!(missing.is_empty(), "kinds no fixture shows: {missing:?}");
}

#[test]
fn formats() {
    for format in ["markdown", "json"] {
        let r = diff_case("properties", &["--format", format]);
        assert_eq!(r.code, 1, "the version is too low");
        snapshot(&format!("format-{format}"), &r.record);
    }
    let r = diff_case("properties", &["--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["required_bump"], "major");
    assert_eq!(v["minimum_version"], "2.0.0");
    assert_eq!(v["version_ok"], false);
    assert_eq!(v["counts"]["breaking"], 14);
}

#[test]
fn fail_on() {
    let breaking = diff_case("events", &["--fail-on", "breaking"]);
    assert_eq!(breaking.code, 1, "{}", breaking.record);
    assert!(
        breaking
            .stderr
            .contains("--fail-on: the new plan has breaking changes")
    );
    let gov = diff_case("documentation", &["--fail-on", "governance"]);
    assert_eq!(gov.code, 0, "{}", gov.record);
    let gov = diff_case(
        "governance",
        &["--fail-on", "breaking", "--fail-on", "governance"],
    );
    assert_eq!(gov.code, 1);
    assert!(!gov.stderr.contains("breaking changes"), "{}", gov.stderr);
    let any = diff_case("identical", &["--fail-on", "any"]);
    assert_eq!(any.code, 0, "{}", any.record);
    let any = diff_case("documentation", &["--fail-on", "any"]);
    assert_eq!(any.code, 1);
}

/// Events are matched by (name, version): a version bump (v1 → v1 + v2) is one
/// compatible `event-version-added`; a version dropped while the name stays is
/// a breaking `event-version-removed`; changes name the version of a versioned
/// event, in every format; and a plan relaxes the two kinds like any other.
#[test]
fn versions() {
    for format in ["markdown", "json"] {
        let r = diff_case("versions", &["--format", format]);
        assert_eq!(r.code, 0, "{}", r.record);
        snapshot(&format!("versions-{format}"), &r.record);
    }
    let kinds = |stdout: &str| -> Vec<(String, String, String)> {
        let v: serde_json::Value = serde_json::from_str(stdout).expect("JSON output");
        v["changes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                let s = |k: &str| c[k].as_str().unwrap_or_default().to_string();
                (s("subject"), s("kind"), s("class"))
            })
            .collect()
    };
    let changes = kinds(&diff_case("versions", &["--format", "json"]).stdout);
    let of = |subject: &str| -> Vec<&str> {
        changes
            .iter()
            .filter(|c| c.0 == subject)
            .map(|c| c.1.as_str())
            .collect()
    };
    assert_eq!(
        of(r#"event "Order Placed" version 2"#),
        ["event-version-added"]
    );
    assert_eq!(
        of(r#"event "Cart Viewed" version 1"#),
        ["event-version-removed"]
    );
    assert_eq!(
        of(r#"event "Coupon Applied" version 1"#),
        ["event-version-added-as-oldest"]
    );
    assert_eq!(of(r#"event "Cart Viewed" version 2"#), ["made-required"]);
    assert_eq!(of(r#"event "Refund Issued" version 2"#), ["event-added"]);

    // relax { } in the new plan reclassifies or ignores them.
    let dir = tempfile::tempdir().unwrap();
    let case = root().join("tests/fixtures/diff/versions");
    std::fs::copy(case.join("old.events"), dir.path().join("old.events")).unwrap();
    let new = std::fs::read_to_string(case.join("new.events")).unwrap();
    let relaxed = new.replacen(
        "  owner   @shop\n}",
        "  owner   @shop\n  relax {\n    \"event-version-removed\" = compatible\n    \"event-version-added\"   = ignore\n  }\n}",
        1,
    );
    assert_ne!(relaxed, new);
    std::fs::write(dir.path().join("new.events"), relaxed).unwrap();
    let r = run::eventsc(
        dir.path(),
        &["diff", "old.events", "new.events", "--format", "json"],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.record);
    let changes = kinds(&r.stdout);
    assert!(
        changes.iter().all(|c| c.1 != "event-version-added"),
        "{changes:?}"
    );
    let removed: Vec<_> = changes
        .iter()
        .filter(|c| c.1 == "event-version-removed")
        .collect();
    assert_eq!(removed.len(), 1, "{changes:?}");
    assert_eq!(removed[0].2, "compatible");

    // An older version retired as planned (deprecated, replaced by its own
    // event, i.e. the current version) is a removal after deprecation.
    let old = std::fs::read_to_string(case.join("old.events")).unwrap();
    let retired = old.replacen(
        "  description \"A cart was viewed.\"\n  owner       @shop\n",
        "  description \"A cart was viewed.\"\n  owner       @shop\n  status      deprecated\n  replaced_by \"Cart Viewed\"\n  sunset      2027-06-30\n",
        1,
    );
    assert_ne!(retired, old);
    std::fs::write(dir.path().join("old.events"), retired).unwrap();
    std::fs::write(dir.path().join("new.events"), &new).unwrap();
    let r = run::eventsc(
        dir.path(),
        &["diff", "old.events", "new.events", "--format", "json"],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.record);
    let changes = kinds(&r.stdout);
    let of = |subject: &str| -> Vec<(String, String)> {
        changes
            .iter()
            .filter(|c| c.0 == subject)
            .map(|c| (c.1.clone(), c.2.clone()))
            .collect()
    };
    assert_eq!(
        of(r#"event "Cart Viewed" version 1"#),
        [(
            "event-removed-after-deprecation".to_string(),
            "governance".to_string()
        )],
        "{}",
        r.record
    );
}

#[test]
fn directories_are_plans() {
    let r = run::eventsc(
        &root(),
        &[
            "diff",
            "tests/fixtures/multi/split-plan",
            "tests/fixtures/multi/split-plan/../split-plan/",
        ],
        None,
    );
    assert_eq!(r.code, 2, "the same directory twice: {}", r.record);
    let dir = tempfile::tempdir().unwrap();
    copy_dir(
        &root().join("tests/fixtures/multi/split-plan"),
        &dir.path().join("old"),
    );
    copy_dir(
        &root().join("tests/fixtures/multi/split-plan"),
        &dir.path().join("new"),
    );
    let r = run::eventsc(dir.path(), &["diff", "old", "new"], None);
    assert_eq!(r.code, 0, "{}", r.record);
    assert!(r.stdout.contains("no changes"), "{}", r.stdout);
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

fn git(dir: &Path, args: &[&str]) {
    let out = std::process::Command::new("git")
        .args([
            "-c",
            "user.name=test",
            "-c",
            "user.email=test@example.com",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A repository with the `properties` case committed as `plans/shop.events`,
/// and the new version in the working tree.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    git(p, &["init", "-q", "-b", "main"]);
    std::fs::create_dir(p.join("plans")).unwrap();
    let fixture = |f: &str| -> PathBuf { root().join("tests/fixtures/diff/properties").join(f) };
    std::fs::copy(fixture("old.events"), p.join("plans/shop.events")).unwrap();
    std::fs::write(p.join("plans/README.md"), "not a plan\n").unwrap();
    std::fs::create_dir(p.join("docs")).unwrap();
    std::fs::write(p.join("docs/README.md"), "no plans here\n").unwrap();
    git(p, &["add", "."]);
    git(p, &["commit", "-q", "-m", "old"]);
    std::fs::copy(fixture("new.events"), p.join("plans/shop.events")).unwrap();
    dir
}

#[test]
fn git_revisions() {
    let repo = repo();
    let p = repo.path();
    let r = run::eventsc(p, &["diff", "main:plans", "plans"], None);
    assert_eq!(r.code, 1, "{}", r.record);
    snapshot("git-main-vs-worktree", &r.record);
    // The same as comparing the fixture files.
    let files = diff_case("properties", &["--format", "json"]);
    let git_json = run::eventsc(
        p,
        &["diff", "main:plans", "plans", "--format", "json"],
        None,
    );
    let a: serde_json::Value = serde_json::from_str(&files.stdout).unwrap();
    let b: serde_json::Value = serde_json::from_str(&git_json.stdout).unwrap();
    assert_eq!(a["counts"], b["counts"]);
    // A single file by its path, from a subdirectory (paths are relative to it).
    let r = run::eventsc(
        &p.join("plans"),
        &["diff", "HEAD:shop.events", "shop.events"],
        None,
    );
    assert_eq!(r.code, 1, "{}", r.record);
    assert!(r.stdout.contains("old: HEAD:shop.events"), "{}", r.stdout);
    assert!(
        r.stdout.contains("HEAD:plans/shop.events:19"),
        "{}",
        r.stdout
    );
    // Both sides from git.
    git(p, &["commit", "-q", "-am", "new"]);
    let r = run::eventsc(p, &["diff", "HEAD~1:plans", "HEAD:plans"], None);
    assert_eq!(r.code, 1, "{}", r.record);
    assert!(r.stdout.contains("14 breaking"), "{}", r.stdout);
}

#[test]
fn errors_exit_2_with_one_line() {
    let repo = repo();
    let p = repo.path();
    let cases: [(&str, &[&str]); 6] = [
        (
            "same-file",
            &["diff", "plans/shop.events", "plans/shop.events"],
        ),
        ("same-revision", &["diff", "HEAD:plans", "main:plans"]),
        ("unknown-revision", &["diff", "nosuchbranch:plans", "plans"]),
        (
            "missing-path-in-revision",
            &["diff", "main:elsewhere", "plans"],
        ),
        ("no-events-in-revision", &["diff", "main:docs", "plans"]),
        ("missing-file", &["diff", "nope.events", "plans"]),
    ];
    for (name, args) in cases {
        let r = run::eventsc(p, args, None);
        assert_eq!(r.code, 2, "{name}: {}", r.record);
        assert_eq!(r.stdout, "", "{name}: nothing on stdout");
        assert_eq!(
            r.stderr.lines().count(),
            1,
            "{name}: one line: {}",
            r.stderr
        );
        snapshot(&format!("error-{name}"), &r.record);
    }
    let outside = tempfile::tempdir().unwrap();
    let r = run::eventsc(outside.path(), &["diff", "main:plans", "."], None);
    assert_eq!(r.code, 2, "{}", r.record);
    assert!(
        r.stderr
            .starts_with("error: cannot read `main:plans` from git"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_plan_with_errors_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        root().join("tests/fixtures/diff/zero-major/old.events"),
        dir.path().join("old.events"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("new.events"),
        "plan \"Shop\" {\n  owner @nobody\n}\n",
    )
    .unwrap();
    let r = run::eventsc(
        dir.path(),
        &[
            "diff",
            "old.events",
            "new.events",
            "--message-format",
            "short",
        ],
        None,
    );
    assert_eq!(r.code, 1, "{}", r.record);
    assert_eq!(r.stdout, "");
    snapshot("plan-with-errors", &r.record);
}

#[test]
fn help() {
    let r = run::eventsc(&root(), &["diff", "--help"], None);
    assert_eq!(r.code, 0);
    snapshot("help", &r.record);
}
