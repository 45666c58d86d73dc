//! `eventsc build` and `eventsc targets`: exit codes, nothing written on errors,
//! the manifest (stale files removed, nothing else), target selection, and the
//! same bytes on every run. Runs the binary in a temporary directory with
//! relative paths, so the snapshotted output is stable.

use crate::common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

const FULL: &str = "tests/fixtures/spec/full-example.events";

/// Runs the binary in `dir`; returns the exit code and a printable record.
fn run(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_eventsc"))
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .output()
        .expect("the binary runs");
    let code = out.status.code().unwrap_or(-1);
    (
        code,
        format!(
            "$ eventsc {}\nexit: {code}\n--- stdout\n{}--- stderr\n{}",
            args.join(" "),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

macro_rules! snapshot {
    ($name:expr, $record:expr) => {{
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(common::root().join("tests/snapshots/build"));
        settings.set_prepend_module_to_snapshot(false);
        settings.bind(|| insta::assert_snapshot!($name, $record));
    }};
}

/// A temporary directory holding `plan.events` (a copy of `plan`).
fn workspace(plan: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::copy(common::root().join(plan), tmp.path().join("plan.events")).expect("copy");
    tmp
}

/// Every file below `dir` with its bytes, by relative path.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, d: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        let Ok(rd) = std::fs::read_dir(d) else { return };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(base, &p, out);
            } else if let Ok(rel) = p.strip_prefix(base) {
                let bytes = std::fs::read(&p).expect("readable");
                out.insert(rel.to_string_lossy().replace('\\', "/"), bytes);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn manifest(dir: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join(".eventsc-manifest.json")).expect("manifest");
    serde_json::from_str(&text).expect("the manifest is JSON")
}

#[test]
fn help_and_targets() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (code, help) = run(tmp.path(), &["build", "--help"]);
    assert_eq!(code, 0);
    snapshot!("help-build", help);
    let (code, list) = run(tmp.path(), &["targets"]);
    assert_eq!(code, 0);
    snapshot!("targets", list);
    // One line per registered target.
    let stdout = list.split("--- stdout\n").nth(1).unwrap_or("");
    let lines = stdout
        .split("--- stderr")
        .next()
        .unwrap_or("")
        .lines()
        .count();
    assert_eq!(lines, eventsc::targets::TARGETS.len());
}

#[test]
fn a_plan_with_errors_writes_nothing() {
    let tmp = workspace("tests/fixtures/codes/E0025.fail.events");
    let (code, record) = run(
        tmp.path(),
        &[
            "build",
            "plan.events",
            "--out",
            "out",
            "--message-format",
            "short",
        ],
    );
    assert_eq!(code, 1);
    snapshot!("errors-write-nothing", record);
    assert!(!tmp.path().join("out").exists(), "no output directory");

    // An existing directory is left exactly as it was.
    let tmp = workspace("tests/fixtures/codes/E0025.fail.events");
    std::fs::create_dir(tmp.path().join("out")).expect("mkdir");
    std::fs::write(tmp.path().join("out/keep.txt"), "mine").expect("write");
    let (code, _) = run(tmp.path(), &["build", "plan.events", "--out", "out"]);
    assert_eq!(code, 1);
    assert_eq!(tree(&tmp.path().join("out")).len(), 1);

    // `--deny warnings` makes warnings count as errors: nothing written either.
    let tmp = workspace("tests/fixtures/rules/docs/missing-description.fail.events");
    let (code, _) = run(
        tmp.path(),
        &["build", "plan.events", "--out", "out", "--deny", "warnings"],
    );
    assert_eq!(code, 1);
    assert!(!tmp.path().join("out").exists());
    let (code, _) = run(tmp.path(), &["build", "plan.events", "--out", "out"]);
    assert_eq!(code, 0, "warnings alone do not stop a build");
}

#[test]
fn unknown_targets_are_usage_errors() {
    let tmp = workspace(FULL);
    for (name, list) in [
        ("unknown-target", "segment,dbtt"),
        ("unknown-target-no-suggestion", "frobnicate"),
        ("empty-target", "csv,"),
    ] {
        let (code, record) = run(
            tmp.path(),
            &["build", "plan.events", "--out", "out", "--target", list],
        );
        assert_eq!(code, 2, "{name}");
        snapshot!(format!("usage-{name}"), record);
    }
    assert!(
        !tmp.path().join("out").exists(),
        "usage errors write nothing"
    );
    let (code, record) = run(tmp.path(), &["build", "plan.events"]);
    assert_eq!(code, 2, "--out is required");
    snapshot!("usage-missing-out", record);
}

#[test]
fn same_bytes_on_every_run() {
    let tmp = workspace(FULL);
    let (code, first) = run(tmp.path(), &["build", "plan.events", "--out", "a"]);
    assert_eq!(code, 0);
    snapshot!("build-full-example", first);
    let (code, _) = run(tmp.path(), &["build", "plan.events", "--out", "b"]);
    assert_eq!(code, 0);
    let a = tree(&tmp.path().join("a"));
    assert!(a.len() > 5);
    assert_eq!(a, tree(&tmp.path().join("b")));
    // A second build into the same directory finds every file up to date.
    let (code, again) = run(tmp.path(), &["build", "plan.events", "--out", "a"]);
    assert_eq!(code, 0);
    // Every file but the manifest and the lock is an artifact.
    let unchanged = format!("0 files written, {} unchanged, 0 removed", a.len() - 2);
    assert!(again.contains(&unchanged), "{again}");
    assert_eq!(a, tree(&tmp.path().join("a")));
}

#[test]
fn the_manifest_removes_stale_files_and_nothing_else() {
    let tmp = workspace(FULL);
    let dir = tmp.path();
    let out = dir.join("out");
    let (code, _) = run(dir, &["build", "plan.events", "--out", "out"]);
    assert_eq!(code, 0);
    assert!(out.join("schemas/signup-completed.json").exists());
    // Files the user put there, next to and among the generated ones.
    std::fs::write(out.join("notes.txt"), "mine").expect("write");
    std::fs::write(out.join("schemas/custom.json"), "{}").expect("write");

    // The plan loses an event: its schema goes, nothing else does.
    let text = std::fs::read_to_string(dir.join("plan.events")).expect("read");
    let start = text
        .find("event \"Signup Completed\"")
        .expect("the event is there");
    std::fs::write(dir.join("plan.events"), &text[..start]).expect("write");
    let (code, record) = run(dir, &["build", "plan.events", "--out", "out"]);
    assert_eq!(code, 0, "{record}");
    snapshot!("build-removes-stale", record);
    assert!(!out.join("schemas/signup-completed.json").exists());
    assert!(out.join("schemas/trial-started.json").exists());
    assert_eq!(
        std::fs::read_to_string(out.join("notes.txt")).expect("kept"),
        "mine"
    );
    assert!(out.join("schemas/custom.json").exists());
    let m = manifest(&out);
    assert!(!m.to_string().contains("signup-completed"), "{m}");
    assert!(!m.to_string().contains("custom.json"), "{m}");

    // Building one target keeps the other targets' files and manifest entries.
    let before = tree(&out);
    let (code, record) = run(
        dir,
        &["build", "plan.events", "--out", "out", "--target", "dbt"],
    );
    assert_eq!(code, 0, "{record}");
    assert_eq!(before, tree(&out));
    assert_eq!(
        manifest(&out)["targets"]
            .as_object()
            .map(|t| t.len())
            .unwrap_or(0),
        eventsc::targets::TARGETS
            .iter()
            .filter(|t| t.in_all())
            .count()
    );
}

#[test]
fn manifest_entries_outside_the_directory_are_ignored() {
    let tmp = workspace(FULL);
    let dir = tmp.path();
    std::fs::create_dir(dir.join("out")).expect("mkdir");
    std::fs::write(dir.join("outside.txt"), "keep me").expect("write");
    std::fs::create_dir(dir.join("out/sub")).expect("mkdir");
    let abs = dir.join("outside.txt").to_string_lossy().into_owned();
    let hostile = serde_json::json!({
        "generator": "eventsc",
        "targets": {"csv": ["../outside.txt", abs, "sub", "./x", "csv/../../outside.txt"]}
    });
    std::fs::write(dir.join("out/.eventsc-manifest.json"), hostile.to_string()).expect("write");
    let (code, record) = run(dir, &["build", "plan.events", "--out", "out"]);
    assert_eq!(code, 0, "{record}");
    assert_eq!(
        std::fs::read_to_string(dir.join("outside.txt")).expect("kept"),
        "keep me"
    );
    assert!(
        dir.join("out/sub").is_dir(),
        "directories are never removed"
    );

    // A manifest that is not one is reported and replaced.
    std::fs::write(dir.join("out/.eventsc-manifest.json"), "not json").expect("write");
    let (code, record) = run(dir, &["build", "plan.events", "--out", "out"]);
    assert_eq!(code, 0, "{record}");
    snapshot!("build-bad-manifest", record);
    assert!(manifest(&dir.join("out"))["targets"].is_object());
}

#[test]
fn an_output_path_that_is_a_file_is_an_io_error() {
    let tmp = workspace(FULL);
    std::fs::write(tmp.path().join("out"), "a file").expect("write");
    let (code, record) = run(tmp.path(), &["build", "plan.events", "--out", "out"]);
    assert_eq!(code, 2, "{record}");
    assert!(
        record.contains("error: --out `out` is a file, not a directory"),
        "{record}"
    );
}

#[test]
fn a_target_directory_that_is_a_file_is_an_io_error_and_no_manifest_is_written() {
    let tmp = workspace(FULL);
    std::fs::create_dir(tmp.path().join("out")).expect("mkdir");
    std::fs::write(tmp.path().join("out/schemas"), "a file").expect("write");
    let (code, record) = run(tmp.path(), &["build", "plan.events", "--out", "out"]);
    assert_eq!(code, 2, "{record}");
    assert!(
        record.contains(
            "error: cannot write into `out/schemas`: it is a file, not a directory; nothing was written"
        ),
        "{record}"
    );
    assert!(
        !tmp.path().join("out/.eventsc-manifest.json").exists(),
        "a failed build records nothing in the manifest"
    );
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("out/schemas")).expect("read"),
        "a file",
        "the file in the way is left alone"
    );
}

#[test]
fn build_reads_the_same_paths_as_check() {
    // A directory plan, given as a relative path from the crate root.
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("out");
    let status = Command::new(env!("CARGO_BIN_EXE_eventsc"))
        .args(["build", "tests/fixtures/multi/split-plan", "--out"])
        .arg(&out)
        .current_dir(common::root())
        .output()
        .expect("runs");
    assert_eq!(status.status.code(), Some(0));
    assert!(out.join("schemas/page-viewed.json").exists());
    let (code, _) = run(tmp.path(), &["build", "missing.events", "--out", "o"]);
    assert_eq!(code, 2);
}
