//! CLI behaviour: help texts, exit codes and every message format, snapshotted.

use crate::common;

use std::process::Command;

/// Runs the binary from the crate root; returns a printable record of the run.
fn run(args: &[&str]) -> String {
    run_env(args, &[])
}

fn run_env(args: &[&str], env: &[(&str, &str)]) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_eventsc"));
    cmd.args(args)
        .current_dir(common::root())
        .env_remove("NO_COLOR");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("the binary runs");
    format!(
        "$ eventsc {}\nexit: {}\n--- stdout\n{}--- stderr\n{}",
        args.join(" "),
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn exit_code(record: &str) -> &str {
    record
        .lines()
        .nth(1)
        .unwrap_or("")
        .trim_start_matches("exit: ")
}

macro_rules! cli_snapshot {
    ($name:expr, $record:expr) => {{
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(common::root().join("tests/snapshots/cli"));
        settings.set_prepend_module_to_snapshot(false);
        settings.bind(|| insta::assert_snapshot!($name, $record));
    }};
}

const BROKEN: &str = "tests/fixtures/codes/E0025.fail.events";
const CLEAN: &str = "tests/fixtures/spec/full-example.events";
const WARNS: &str = "tests/fixtures/rules/docs/missing-description.fail.events";

#[test]
fn help() {
    for (name, args) in [
        ("help", vec!["--help"]),
        ("help-check", vec!["check", "--help"]),
        ("help-explain", vec!["explain", "--help"]),
    ] {
        let r = run(&args);
        assert_eq!(exit_code(&r), "0");
        cli_snapshot!(name, r);
    }
}

#[test]
fn check_exit_codes() {
    let clean = run(&["check", CLEAN]);
    assert_eq!(exit_code(&clean), "0");
    cli_snapshot!("check-clean", clean);

    let warns = run(&["check", WARNS, "--message-format", "short"]);
    assert_eq!(exit_code(&warns), "0", "warnings alone pass");
    let denied = run(&[
        "check",
        WARNS,
        "--message-format",
        "short",
        "--deny",
        "warnings",
    ]);
    assert_eq!(exit_code(&denied), "1", "--deny warnings fails on warnings");
    cli_snapshot!("check-deny-warnings", denied);

    let broken = run(&["check", BROKEN, "--message-format", "short"]);
    assert_eq!(exit_code(&broken), "1");
    cli_snapshot!("check-broken-short", broken);
}

#[test]
fn message_formats() {
    for format in ["human", "json", "github"] {
        let r = run(&[
            "check",
            BROKEN,
            "--message-format",
            format,
            "--color",
            "never",
        ]);
        assert_eq!(exit_code(&r), "1");
        cli_snapshot!(format!("format-{format}"), r);
    }
}

#[test]
fn json_lines_carry_the_documented_fields() {
    let out = Command::new(env!("CARGO_BIN_EXE_eventsc"))
        .args(["check", BROKEN, "--message-format", "json"])
        .current_dir(common::root())
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let mut n = 0;
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("each line is JSON");
        for key in [
            "severity",
            "code",
            "message",
            "file",
            "line",
            "column",
            "end_line",
            "end_column",
            "labels",
            "help",
        ] {
            assert!(v.get(key).is_some(), "missing `{key}` in {line}");
        }
        assert!(
            v["line"].as_u64().is_some_and(|l| l >= 1),
            "lines are 1-based"
        );
        assert!(
            v["column"].as_u64().is_some_and(|c| c >= 1),
            "columns are 1-based"
        );
        n += 1;
    }
    assert!(n >= 1);
}

#[test]
fn colour_follows_flags_and_no_color() {
    let always = run(&["check", BROKEN, "--color", "always"]);
    assert!(always.contains('\u{1b}'), "--color always colours");
    let no_color = run_env(&["check", BROKEN], &[("NO_COLOR", "1")]);
    assert!(!no_color.contains('\u{1b}'), "NO_COLOR disables colour");
    let never = run(&["check", BROKEN, "--color", "never"]);
    assert!(!never.contains('\u{1b}'));
}

#[test]
fn usage_and_io_errors_exit_2() {
    let cases = [
        ("missing-path", vec!["check", "does/not/exist.events"]),
        ("no-events-files", vec!["check", "docs"]),
        (
            "bad-format",
            vec!["check", CLEAN, "--message-format", "xml"],
        ),
        ("unknown-command", vec!["frobnicate"]),
        ("explain-unknown", vec!["explain", "naming/event_case"]),
    ];
    for (name, args) in cases {
        let r = run(&args);
        assert_eq!(exit_code(&r), "2", "{name}");
        cli_snapshot!(format!("usage-{name}"), r);
    }
}

#[test]
fn explain() {
    for (name, what) in [
        ("explain-code", "E0025"),
        ("explain-rule", "privacy/pii-without-consent"),
        ("explain-kind", "event-renamed"),
    ] {
        let r = run(&["explain", what]);
        assert_eq!(exit_code(&r), "0");
        cli_snapshot!(name, r);
    }
    let list = run(&["explain", "--list"]);
    assert_eq!(exit_code(&list), "0");
    cli_snapshot!("explain-list", list);
}

#[test]
fn stdin_is_a_plan() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_eventsc"))
        .args(["check", "-", "--message-format", "short"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawns");
    if let Some(mut stdin) = child.stdin.take() {
        use std::io::Write;
        let _ = stdin.write_all(b"plan \"From stdin\" { owner @x }\nowner @x { name \"X\" }\nevent \"bad name\" { owner @x; description \"d\" }\n");
    }
    let out = child.wait_with_output().expect("finishes");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("<stdin>:3:7: error[naming/event-case]"),
        "{err}"
    );
}
