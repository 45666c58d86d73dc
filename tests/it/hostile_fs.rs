//! Hostile and careless uses of the file system (issue 12: "nothing lost"):
//! one test per reported item, each reproducing it as reported. The CLI's
//! messages are snapshotted under tests/snapshots/hostile_fs/.
//!
//! `EVENTSC_HOSTILE_BIN=/path/to/old/eventsc cargo test --test it hostile_fs::`
//! runs the same tests against another binary (an older build fails them).

use crate::common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const FULL: &str = "tests/fixtures/spec/full-example.events";
const PAYLOADS: &str = "tests/fixtures/validate/valid.ndjson";
const VALIDATE_PLAN: &str = "tests/fixtures/validate/plan.events";

fn bin() -> PathBuf {
    std::env::var_os("EVENTSC_HOSTILE_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_eventsc")))
}

struct Run {
    code: i32,
    stdout: String,
    record: String,
}

/// Runs `eventsc ARGS` in `dir` with `env`; stdout to `stdout` (a pipe if
/// None). A run that takes over two minutes (a hang) is killed and fails the
/// test instead of blocking the suite.
fn run_to(dir: &Path, args: &[&str], env: &[(&str, &str)], stdout: Option<Stdio>) -> Run {
    let piped = stdout.is_none();
    let child = Command::new(bin())
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("EVENTSC_LOCK_WAIT")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(stdout.unwrap_or(Stdio::piped()))
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || tx.send(child.wait_with_output()));
    let Ok(out) = rx.recv_timeout(std::time::Duration::from_secs(120)) else {
        let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
        panic!("eventsc {} hung", args.join(" "));
    };
    let out = out.expect("the binary finishes");
    let code = out.status.code().unwrap_or(-1);
    let stdout = if piped {
        String::from_utf8_lossy(&out.stdout).into_owned()
    } else {
        String::new()
    };
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let record = format!(
        "$ eventsc {}\nexit: {code}\n--- stdout\n{stdout}--- stderr\n{stderr}",
        args.join(" ")
    );
    Run {
        code,
        stdout,
        record,
    }
}

fn run(dir: &Path, args: &[&str]) -> Run {
    run_to(dir, args, &[], None)
}

fn snapshot(name: &str, record: &str) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(common::root().join("tests/snapshots/hostile_fs"));
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!(name, record));
}

/// A temporary directory holding `plan.events` (the language reference's
/// full example).
fn workspace() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::copy(common::root().join(FULL), tmp.path().join("plan.events")).expect("copy");
    tmp
}

/// Every file below `dir` (links not followed) with its bytes, by relative path.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, d: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        let Ok(rd) = std::fs::read_dir(d) else { return };
        for e in rd.flatten() {
            let p = e.path();
            let ty = e.file_type().expect("file type");
            let rel = p
                .strip_prefix(base)
                .expect("below")
                .to_string_lossy()
                .replace('\\', "/");
            if ty.is_dir() {
                walk(base, &p, out);
            } else if ty.is_symlink() {
                let target = std::fs::read_link(&p).expect("link");
                out.insert(rel, format!("-> {}", target.display()).into_bytes());
            } else {
                out.insert(rel, std::fs::read(&p).expect("readable"));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn manifest(out: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(out.join(".eventsc-manifest.json")).expect("manifest");
    serde_json::from_str(&text).expect("JSON")
}

fn set_manifest(out: &Path, m: &serde_json::Value) {
    std::fs::write(out.join(".eventsc-manifest.json"), m.to_string()).expect("write");
}

/// Item 1: a manifest entry `schemas/x` where `out/schemas` is a symbolic link
/// to another directory must not delete the file there; nor may a build write
/// through the link.
#[cfg(unix)]
#[test]
fn item_01_no_write_or_delete_through_a_symlinked_directory() {
    let tmp = workspace();
    let dir = tmp.path();
    std::fs::create_dir(dir.join("victim")).expect("mkdir");
    std::fs::write(dir.join("victim/x.json"), "precious").expect("write");
    std::fs::write(dir.join("victim/trial-started.json"), "precious too").expect("write");
    let victim = tree(&dir.join("victim"));

    // Committed by a pull request: a link and a manifest that lists a file
    // behind it, with the right hash.
    std::fs::create_dir(dir.join("out")).expect("mkdir");
    std::os::unix::fs::symlink("../victim", dir.join("out/schemas")).expect("symlink");
    set_manifest(
        &dir.join("out"),
        &serde_json::json!({"generator": "eventsc", "version": 2, "targets": {
            "csv": {"schemas/x.json": sha256(b"precious")}
        }}),
    );
    // Building only csv: the entry is stale, and the link is on its way.
    let r = run(
        dir,
        &["build", "plan.events", "--out", "out", "--target", "csv"],
    );
    assert_eq!(r.code, 0, "{}", r.record);
    snapshot("item-01-stale-entry-behind-a-link", &r.record);
    assert!(
        tree(&dir.join("victim")) == victim,
        "the victim is untouched"
    );

    // Building everything would write schemas/ through the link: refused
    // before anything is written.
    let before = tree(&dir.join("out"));
    let r = run(dir, &["build", "plan.events", "--out", "out"]);
    assert_eq!(r.code, 2, "{}", r.record);
    snapshot("item-01-write-through-a-link", &r.record);
    assert!(
        tree(&dir.join("victim")) == victim,
        "the victim is untouched"
    );
    assert!(tree(&dir.join("out")) == before, "nothing was written");
}

/// Item 2: `build . --out .`, the plan added to a target's list in the
/// manifest, build again: the input must stay.
#[test]
fn item_02_a_forged_manifest_never_deletes_an_input_or_an_events_file() {
    let tmp = workspace();
    let dir = tmp.path();
    std::fs::create_dir(dir.join("more")).expect("mkdir");
    std::fs::write(dir.join("more/notes.EVENTS"), "// not an input").expect("write");
    let r = run(dir, &["build", ".", "--out", "."]);
    assert_eq!(r.code, 0, "{}", r.record);
    let plan = std::fs::read(dir.join("plan.events")).expect("read");
    let mut m = manifest(dir);
    m["targets"]["csv"]["plan.events"] = sha256(&plan).into();
    m["targets"]["csv"]["more/notes.EVENTS"] = sha256(b"// not an input").into();
    set_manifest(dir, &m);
    let r = run(dir, &["build", ".", "--out", "."]);
    assert_eq!(r.code, 0, "{}", r.record);
    snapshot("item-02-forged-manifest", &r.record);
    assert_eq!(std::fs::read(dir.join("plan.events")).expect("kept"), plan);
    assert!(dir.join("more/notes.EVENTS").exists());

    // The manifest of an older eventsc (lists, no hashes) is read, and
    // nothing it lists is removed.
    set_manifest(
        dir,
        &serde_json::json!({"generator": "eventsc", "targets": {"csv": ["plan.events", "more/notes.EVENTS", "old.csv"]}}),
    );
    std::fs::write(dir.join("old.csv"), "a,b").expect("write");
    let r = run(dir, &["build", ".", "--out", "."]);
    assert_eq!(r.code, 0, "{}", r.record);
    snapshot("item-02-older-manifest", &r.record);
    assert!(dir.join("plan.events").exists() && dir.join("old.csv").exists());
}

/// Item 3: files no manifest lists (a user's own `plan.json`, or
/// `samples/samples.ndjson`) must not be overwritten without `--force`; the
/// build fails before writing anything.
#[test]
fn item_03_files_eventsc_did_not_write_are_not_overwritten_without_force() {
    let tmp = workspace();
    let dir = tmp.path();
    let out = dir.join("out");
    std::fs::create_dir_all(out.join("samples")).expect("mkdir");
    std::fs::write(out.join("plan.json"), "my own plan.json").expect("write");
    std::fs::write(out.join("samples/samples.ndjson"), "{\"captured\":1}\n").expect("write");
    let before = tree(&out);
    let r = run(dir, &["build", "plan.events", "--out", "out"]);
    assert_eq!(r.code, 2, "{}", r.record);
    snapshot("item-03-refused", &r.record);
    let mut after = tree(&out);
    after.remove(".eventsc-lock");
    assert!(after == before, "nothing written, no temporary file left");
    assert!(!out.join("schemas").exists(), "no directory left behind");

    // With --force they are replaced, and said so.
    let r = run(dir, &["build", "plan.events", "--out", "out", "--force"]);
    assert_eq!(r.code, 0, "{}", r.record);
    snapshot("item-03-forced", &r.record);
    assert_ne!(
        std::fs::read(out.join("plan.json")).expect("read"),
        b"my own plan.json"
    );

    // A generated file edited by hand is not eventsc's any more either.
    std::fs::write(out.join("qa-checklist.md"), "my notes").expect("write");
    let text = std::fs::read_to_string(dir.join("plan.events")).expect("read");
    std::fs::write(dir.join("plan.events"), text.replace("1.3.0", "1.4.0")).expect("write");
    let r = run(dir, &["build", "plan.events", "--out", "out"]);
    assert_eq!(r.code, 2, "{}", r.record);
    snapshot("item-03-edited-output", &r.record);
    assert_eq!(
        std::fs::read(out.join("qa-checklist.md")).expect("kept"),
        b"my notes"
    );

    // A file of an earlier build that changed is kept when it goes stale.
    let r = run(dir, &["build", "plan.events", "--out", "out", "--force"]);
    assert_eq!(r.code, 0, "{}", r.record);
    std::fs::write(out.join("schemas/signup-completed.json"), "edited").expect("write");
    let start = text.find("event \"Signup Completed\"").expect("event");
    std::fs::write(dir.join("plan.events"), &text[..start]).expect("write");
    let r = run(dir, &["build", "plan.events", "--out", "out"]);
    assert_eq!(r.code, 0, "{}", r.record);
    snapshot("item-03-changed-stale-file-kept", &r.record);
    assert_eq!(
        std::fs::read(out.join("schemas/signup-completed.json")).expect("kept"),
        b"edited"
    );
}

/// Item 4: `validate --report FILE` and `import --out FILE` replaced any
/// existing file, the captured payloads or the plan itself included.
#[test]
fn item_04_report_and_import_outputs_need_force_and_never_replace_inputs() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    std::fs::copy(common::root().join(VALIDATE_PLAN), dir.join("plan.events")).expect("copy");
    std::fs::copy(common::root().join(PAYLOADS), dir.join("capture.ndjson")).expect("copy");
    std::fs::write(dir.join("evidence.md"), "last week's evidence").expect("write");
    let originals = tree(dir);
    let validate = |report: &str, force: bool| {
        let mut args = vec![
            "validate",
            "plan.events",
            "--payloads",
            "capture.ndjson",
            "--report",
            report,
        ];
        if force {
            args.push("--force");
        }
        run(dir, &args)
    };
    let mut records = Vec::new();
    for (report, force) in [
        ("capture.ndjson", false),
        ("capture.ndjson", true),
        ("plan.events", true),
        ("evidence.md", false),
    ] {
        let r = validate(report, force);
        assert_eq!(r.code, 2, "{}", r.record);
        assert_eq!(r.stdout, "", "refused before the replay");
        records.push(r.record);
    }
    assert!(tree(dir) == originals, "every file as it was");
    let r = validate("evidence.md", true);
    assert_eq!(r.code, 0, "{}", r.record);
    assert!(
        std::fs::read_to_string(dir.join("evidence.md"))
            .expect("read")
            .starts_with('#')
    );

    std::fs::copy(
        common::root().join("tests/fixtures/import/segment-rules.json"),
        dir.join("rules.json"),
    )
    .expect("copy");
    let rules = std::fs::read(dir.join("rules.json")).expect("read");
    let plan = std::fs::read(dir.join("plan.events")).expect("read");
    for args in [
        ["import", "segment", "rules.json", "--out", "plan.events"].as_slice(),
        &[
            "import",
            "segment",
            "rules.json",
            "--out",
            "rules.json",
            "--force",
        ],
    ] {
        let r = run(dir, args);
        assert_eq!(r.code, 2, "{}", r.record);
        records.push(r.record);
    }
    assert_eq!(std::fs::read(dir.join("plan.events")).expect("read"), plan);
    assert_eq!(std::fs::read(dir.join("rules.json")).expect("read"), rules);
    let r = run(
        dir,
        &[
            "import",
            "segment",
            "rules.json",
            "--out",
            "plan.events",
            "--force",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.record);
    snapshot("item-04-refused", &records.join("\n"));
}

/// Item 5: `fmt` replaced a symlinked `.events` file by a regular file (the
/// real target stayed unformatted), broke hard links and rewrote read-only
/// files.
#[cfg(unix)]
#[test]
fn item_05_fmt_writes_through_links_keeps_hard_links_and_modes_and_refuses_read_only() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let messy =
        |title: &str| format!("plan \"{title}\" {{   owner @a }}\nowner @a {{ name \"A\" }}\n");
    std::fs::create_dir_all(dir.join("shared")).expect("mkdir");
    std::fs::create_dir_all(dir.join("plans")).expect("mkdir");
    std::fs::write(dir.join("shared/real.events"), messy("Linked")).expect("write");
    std::os::unix::fs::symlink("../shared/real.events", dir.join("plans/link.events"))
        .expect("symlink");
    std::fs::write(dir.join("plans/hard.events"), messy("Hard")).expect("write");
    std::fs::set_permissions(
        dir.join("plans/hard.events"),
        std::fs::Permissions::from_mode(0o640),
    )
    .expect("chmod");
    std::fs::hard_link(dir.join("plans/hard.events"), dir.join("other-name.events"))
        .expect("hard link");
    std::fs::write(dir.join("plans/locked.events"), messy("Locked")).expect("write");
    std::fs::set_permissions(
        dir.join("plans/locked.events"),
        std::fs::Permissions::from_mode(0o444),
    )
    .expect("chmod");

    let r = run(dir, &["fmt", "plans"]);
    assert_eq!(r.code, 2, "{}", r.record);
    snapshot("item-05-fmt", &r.record);
    let link = std::fs::symlink_metadata(dir.join("plans/link.events")).expect("link");
    assert!(link.file_type().is_symlink(), "the link stays a link");
    let real = std::fs::read_to_string(dir.join("shared/real.events")).expect("read");
    assert!(
        real.starts_with("plan \"Linked\" {\n  owner @a\n}"),
        "{real}"
    );
    let hard = std::fs::metadata(dir.join("plans/hard.events")).expect("meta");
    assert_eq!(hard.nlink(), 2, "the hard link is kept");
    assert_eq!(hard.mode() & 0o777, 0o640, "the mode is kept");
    assert_eq!(
        std::fs::read(dir.join("other-name.events")).expect("read"),
        std::fs::read(dir.join("plans/hard.events")).expect("read"),
        "both names see the formatted text"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("plans/locked.events")).expect("read"),
        messy("Locked"),
        "a read-only file is left alone"
    );
    let names: Vec<String> = std::fs::read_dir(dir.join("plans"))
        .expect("read")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().all(|n| !n.ends_with(".eventsc-tmp")),
        "no temporary file left: {names:?}"
    );
}

/// Item 6: two builds into one directory at once mixed their outputs and left
/// orphans; a killed build left `.*.eventsc-tmp` files forever.
#[test]
fn item_06_concurrent_builds_wait_for_each_other_and_stale_temporaries_go() {
    let tmp = workspace();
    let dir = tmp.path();
    // The same plan, one event lighter, built at the same time as the full one.
    let text = std::fs::read_to_string(dir.join("plan.events")).expect("read");
    let start = text.find("event \"Signup Completed\"").expect("event");
    std::fs::write(dir.join("small.events"), &text[..start]).expect("write");
    let expected: Vec<_> = ["plan.events", "small.events"]
        .iter()
        .map(|plan| {
            let clean = format!("clean-{plan}");
            assert_eq!(run(dir, &["build", plan, "--out", &clean]).code, 0);
            tree(&dir.join(&clean))
        })
        .collect();
    for round in 0..3 {
        let out = format!("out{round}");
        let spawn = |plan: &str| {
            Command::new(bin())
                .args(["build", plan, "--out", &out])
                .current_dir(dir)
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("runs")
        };
        let (a, b) = (spawn("plan.events"), spawn("small.events"));
        let (a, b) = (
            a.wait_with_output().expect("a"),
            b.wait_with_output().expect("b"),
        );
        assert!(a.status.success() && b.status.success(), "{a:?} {b:?}");
        // Whichever finished last, the directory holds exactly its output.
        let got = tree(&dir.join(&out));
        assert!(
            expected.contains(&got),
            "round {round}: mixed outputs: {:?}",
            got.keys().collect::<Vec<_>>()
        );
    }

    // A build that holds the lock longer than the wait: a clear failure.
    let out = dir.join("locked");
    std::fs::create_dir(&out).expect("mkdir");
    let lock = std::fs::File::create(out.join(".eventsc-lock")).expect("lock file");
    lock.lock().expect("locked");
    let r = run_to(
        dir,
        &["build", "plan.events", "--out", "locked"],
        &[("EVENTSC_LOCK_WAIT", "0.2")],
        None,
    );
    assert_eq!(r.code, 2, "{}", r.record);
    snapshot("item-06-locked", &r.record.replace("0.2 s", "N s"));
    drop(lock);

    // Temporary files of a killed eventsc (a process id that cannot exist) go;
    // names that merely look alike stay.
    assert_eq!(
        run(dir, &["build", "plan.events", "--out", "temps"]).code,
        0
    );
    let out = dir.join("temps");
    let stale = [
        ".plan.json.4294967-0.eventsc-tmp",
        "schemas/.trial-started.json.4294967-12.eventsc-tmp",
    ];
    let alike = [
        "notes.eventsc-tmp",
        ".notes.eventsc-tmp",
        ".plan.json.4294967-0.eventsc-tmp.keep",
        "schemas/.x.4294967.eventsc-tmp",
    ];
    for name in stale.iter().chain(&alike) {
        std::fs::write(out.join(name), "left over").expect("write");
    }
    let r = run(dir, &["build", "plan.events", "--out", "temps"]);
    assert_eq!(r.code, 0, "{}", r.record);
    snapshot("item-06-stale-temporaries", &r.record);
    for name in stale {
        assert!(!out.join(name).exists(), "{name} removed");
    }
    for name in alike {
        assert!(out.join(name).exists(), "{name} kept");
    }
}

/// Item 17: "X Y Ordered" / "X-Y Ordered" gave "two artifacts have the
/// path"; a long event name passed `check` but failed `build` ("File name too
/// long"); `con.json` was generated; zero-width and NFD variants counted as
/// different events. Now every name gets a file of its own that every file
/// system accepts, and `check` reports names that only look the same.
#[test]
fn item_17_names_that_break_paths_build_and_confusable_names_are_reported() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let allow = "allow(\"naming/event-case\", reason \"legacy\")";
    let long = format!("{} Ordered", "Extremely Long".repeat(25));
    let mut plan = String::from("plan \"P\" { owner @a }\nowner @a { name \"A\" }\n");
    for name in [
        "X Y Ordered",
        "X-Y Ordered",
        "CON",
        "Nul",
        "Com1",
        "Identify",
        long.as_str(),
    ] {
        plan.push_str(&format!(
            "event \"{name}\" {{ description \"d\"; owner @a; {allow} }}\n"
        ));
    }
    std::fs::write(dir.join("plan.events"), &plan).expect("write");
    let r = run(dir, &["check", "plan.events", "--message-format", "short"]);
    assert_eq!(r.code, 0, "{}", r.record);
    let r = run(dir, &["build", "plan.events", "--out", "out"]);
    assert_eq!(r.code, 0, "{}", r.record);
    let mut names: Vec<String> = std::fs::read_dir(dir.join("out/schemas"))
        .expect("schemas")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for n in &names {
        let stem = n.trim_end_matches(".json");
        assert!(n.len() <= 255 - 40, "{n}: room for the temporary name too");
        assert!(
            !eventsc::targets::is_windows_reserved(stem),
            "{n} is reserved on Windows"
        );
    }
    assert_eq!(names.len(), 7, "one schema per event");
    snapshot("item-17-file-names", &names.join("\n"));

    // Confusable names: reported by `check`, so nothing is built.
    let confusable = format!(
        "plan \"P\" {{ owner @a }}\nowner @a {{ name \"A\" }}\n\
         event \"Order Completed\" {{ description \"d\"; owner @a }}\n\
         event \"Order\\u{{200B}} Completed\" {{ description \"d\"; owner @a; {allow} }}\n\
         event \"Caf\u{e9} Ordered\" {{ description \"d\"; owner @a; {allow} }}\n\
         event \"Cafe\\u{{301}} Ordered\" {{ description \"d\"; owner @a; {allow} }}\n"
    );
    std::fs::write(dir.join("confusable.events"), confusable).expect("write");
    let r = run(
        dir,
        &[
            "build",
            "confusable.events",
            "--out",
            "out2",
            "--message-format",
            "short",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.record);
    snapshot("item-17-confusable", &r.record);
    assert!(!dir.join("out2").exists());
}

/// Item 20: writing to a full stdout panicked (`explain`, `targets`, `synth`)
/// or exited 0 with the output lost (`check --message-format json`,
/// `validate`). Every command that prints to stdout now exits 2 and says why.
#[cfg(target_os = "linux")]
#[test]
fn item_20_a_full_stdout_is_an_error_for_every_command() {
    let tmp = workspace();
    let dir = tmp.path();
    std::fs::copy(common::root().join(PAYLOADS), dir.join("capture.ndjson")).expect("copy");
    std::fs::copy(common::root().join(VALIDATE_PLAN), dir.join("v.events")).expect("copy");
    std::fs::create_dir(dir.join("audit")).expect("mkdir");
    // A plan with a warning, so that `check --message-format json` prints one.
    let text = std::fs::read_to_string(dir.join("plan.events")).expect("read");
    let warn = text.replace("description \"A workspace started a free trial.\"", "");
    assert_ne!(warn, text);
    std::fs::write(dir.join("warn.events"), warn).expect("write");
    assert_eq!(
        run(
            dir,
            &["build", "plan.events", "--out", "o", "--record", "audit"]
        )
        .code,
        0
    );
    let commands: &[&[&str]] = &[
        &["explain", "E0001"],
        &["explain", "--list"],
        &["targets"],
        &["synth", "--events", "3"],
        &["check", "warn.events", "--message-format", "json"],
        &["validate", "v.events", "--payloads", "capture.ndjson"],
        &[
            "validate",
            "v.events",
            "--payloads",
            "capture.ndjson",
            "--format",
            "json",
        ],
        &["diff", "plan.events", "v.events", "--format", "json"],
        &["fmt", "-"],
        &["log", "audit"],
        &["import", "segment", "rules.json"],
        &["init", "--use-case", "x", "--sources", "web", "--out", "-"],
        &["--help"],
        &["check", "--help"],
        &["--version"],
    ];
    std::fs::copy(
        common::root().join("tests/fixtures/import/segment-rules.json"),
        dir.join("rules.json"),
    )
    .expect("copy");
    let mut records = Vec::new();
    for args in commands {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full");
        let stdin = if args.first() == Some(&"fmt") {
            Some(std::fs::File::open(dir.join("plan.events")).expect("plan"))
        } else {
            None
        };
        let out = Command::new(bin())
            .args(*args)
            .current_dir(dir)
            .env("NO_COLOR", "1")
            .stdin(stdin.map_or(Stdio::null(), Stdio::from))
            .stdout(Stdio::from(full))
            .stderr(Stdio::piped())
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let last = stderr.lines().last().unwrap_or("");
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(
            last, "error: cannot write to standard output: No space left on device (os error 28)",
            "{args:?}"
        );
        records.push(format!("$ eventsc {} > /dev/full\nexit: 2", args.join(" ")));
    }
    snapshot("item-20-full-stdout", &records.join("\n"));
}

/// Item 21: `--out` naming a file said "File exists"; `--out /` was accepted;
/// a link to `/dev/zero` or a FIFO named `*.events` hung.
#[cfg(unix)]
#[test]
fn item_21_out_checks_and_non_regular_inputs() {
    let tmp = workspace();
    let dir = tmp.path();
    std::fs::write(dir.join("afile"), "x").expect("write");
    let mut records = Vec::new();
    // An older binary would write into `/`: only the binary under test is
    // given it.
    let outs: &[&str] = if std::env::var_os("EVENTSC_HOSTILE_BIN").is_some() {
        &["afile"]
    } else {
        &["afile", "/"]
    };
    for out in outs {
        let r = run(dir, &["build", "plan.events", "--out", out]);
        assert_eq!(r.code, 2, "{}", r.record);
        records.push(r.record);
    }
    // The home directory, and the directories above it.
    let home = dir.join("home/me");
    std::fs::create_dir_all(&home).expect("mkdir");
    for out in ["home/me", "home", "home/me/../me"] {
        let r = run_to(
            dir,
            &["build", "plan.events", "--out", out],
            &[("HOME", home.to_str().expect("utf-8"))],
            None,
        );
        assert_eq!(r.code, 2, "{}", r.record);
        records.push(r.record);
    }
    assert_eq!(std::fs::read_dir(&home).expect("read").count(), 0);
    snapshot("item-21-out", &records.join("\n"));

    let plans = dir.join("plans");
    std::fs::create_dir(&plans).expect("mkdir");
    std::fs::copy(dir.join("plan.events"), plans.join("a.events")).expect("copy");
    std::os::unix::fs::symlink("/dev/zero", plans.join("zero.events")).expect("symlink");
    let fifo = Command::new("mkfifo")
        .arg(plans.join("pipe.events"))
        .status()
        .expect("mkfifo runs");
    assert!(fifo.success());
    let mut records = Vec::new();
    for args in [
        ["check", "plans"].as_slice(),
        &["check", "plans/pipe.events"],
        &["check", "plans/zero.events"],
        &["fmt", "--check", "plans/pipe.events"],
        &["build", "plans", "--out", "o"],
    ] {
        // A hang would keep this test waiting: each run must end promptly.
        let r = run(dir, args);
        assert_eq!(r.code, 2, "{}", r.record);
        records.push(r.record);
    }
    snapshot("item-21-non-regular-inputs", &records.join("\n"));
}

/// Item 21: the language server accepted header lines of any length, holding
/// each in memory. A 64 MiB header line is now skipped as it is read: the
/// server stays small and answers the next message.
#[cfg(target_os = "linux")]
#[test]
fn item_21_the_language_server_bounds_header_lines() {
    use std::io::{BufRead, BufReader, Read, Write};
    let mut child = Command::new(bin())
        .arg("lsp")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the server runs");
    let pid = child.id();
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || {
        let chunk = vec![b'X'; 1 << 20];
        for _ in 0..64 {
            stdin.write_all(&chunk).expect("write");
        }
        let body = r#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#;
        write!(
            stdin,
            "\r\n\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .expect("write");
        stdin.flush().expect("flush");
        stdin
    });
    let mut out = BufReader::new(child.stdout.take().expect("stdout"));
    let mut length = 0;
    loop {
        let mut line = String::new();
        assert!(
            out.read_line(&mut line).expect("read") > 0,
            "the server answers"
        );
        if let Some(v) = line.strip_prefix("Content-Length: ") {
            length = v.trim().parse().expect("a length");
        }
        if line == "\r\n" {
            break;
        }
    }
    let mut body = vec![0; length];
    out.read_exact(&mut body).expect("body");
    assert!(String::from_utf8_lossy(&body).contains("\"id\":1"));
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("status");
    let peak_kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM");
    assert!(
        peak_kb < 48 * 1024,
        "the server peaked at {peak_kb} kB reading a 64 MiB header line"
    );
    drop(writer.join().expect("writer"));
    let _ = child.kill();
    let _ = child.wait();
}
