//! Hostile input (issue 12, items 13–16 and 21): shapes of input that made
//! `eventsc` hang, take quadratic time or memory, or panic. Each test runs the
//! real binary (or the library's streaming code) on a size where the old
//! behaviour ran for minutes, under a generous time limit: the point is
//! "finishes", not a timing threshold.

use crate::common::run::Run;
use crate::common::*;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn snapshot(name: &str, record: &str) {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path(root().join("tests/snapshots/hostile_input"));
    settings.bind(|| insta::assert_snapshot!(name, record));
}

/// Runs `eventsc ARGS` in `dir` and fails the test when it has not finished
/// within `limit` (the process is killed).
fn bounded(dir: &Path, args: &[&str], stdin: Option<Vec<u8>>, limit: Duration) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_eventsc"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let feeder = match (stdin, child.stdin.take()) {
        (Some(input), Some(mut pipe)) => Some(std::thread::spawn(move || {
            let _ = pipe.write_all(&input);
        })),
        _ => None,
    };
    let read = |pipe: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_end(&mut buf);
            }
            String::from_utf8_lossy(&buf).into_owned()
        })
    };
    let out = read(child.stdout.take().map(|p| Box::new(p) as _));
    let err = read(child.stderr.take().map(|p| Box::new(p) as _));
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("waits") {
            break s;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "`eventsc {}` did not finish within {limit:?}",
                args.join(" ")
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    if let Some(f) = feeder {
        let _ = f.join();
    }
    let code = status.code().unwrap_or(-1);
    let stdout = out.join().expect("stdout is read");
    let stderr = err.join().expect("stderr is read");
    let record = format!(
        "$ eventsc {}\nexit: {code}\n--- stdout\n{stdout}--- stderr\n{stderr}",
        args.join(" ")
    );
    Run {
        code,
        stdout,
        stderr,
        record,
    }
}

const LIMIT: Duration = Duration::from_secs(120);

/// Runs `f` on a thread and fails the test when it has not returned within
/// `limit` (the thread is left behind; the test process ends anyway).
fn within<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(limit)
        .unwrap_or_else(|_| panic!("did not finish (or panicked) within {limit:?}"))
}

/// The heads of a plan whose declarations are all on one line.
fn one_line_plan(events: usize, tail: &str) -> String {
    let mut parts = vec![
        "plan \"P\" { owner @a }".to_string(),
        "owner @a { name \"A\" }".to_string(),
    ];
    for i in 0..events {
        parts.push(format!(
            "event \"E{i} Viewed\" {{ owner @a; description \"x\" }}"
        ));
    }
    let mut text = parts.join("; ");
    text.push_str(tail);
    text.push('\n');
    text
}

/// Item 13: leading whitespace is dropped as it is read. With 64-byte reads,
/// the old framer rescanned (and kept) everything read so far for each read:
/// 4 MB of it meant ~65,000 scans of up to 4 MB.
#[test]
fn validate_framing_of_leading_whitespace_is_linear_and_bounded() {
    use eventsc::validate::input::{Chunk, Framer, Record};
    let mut input = Vec::new();
    for _ in 0..4096 {
        input.extend(std::iter::repeat_n(b' ', 1023));
        input.push(b'\n');
    }
    input.extend_from_slice(b"{\"type\":\"track\"}\n");
    // A blank line of 1 MB between records is not a record either.
    input.extend(std::iter::repeat_n(b'\t', 1 << 20));
    input.extend_from_slice(b"\n{}");
    let (lines, most) = within(LIMIT, move || {
        let mut framer = Framer::with_sizes(&input[..], 64, 1024);
        let mut chunk = Chunk::default();
        let mut lines = Vec::new();
        let mut most = 0;
        while framer.next(&mut chunk).expect("reads") {
            most = most.max(chunk.data.capacity());
            for r in &chunk.records {
                match *r {
                    Record::Bytes { line, .. } => lines.push(line),
                    other => panic!("not a payload: {other:?}"),
                }
            }
        }
        (lines, most)
    });
    assert_eq!(lines, vec![4097, 4099]);
    assert!(most <= 4096, "a chunk grew to {most} bytes");

    // Through the command, plain and gzip: the record's line is right.
    let dir = tempfile::tempdir().expect("temp dir");
    let plan = root().join("examples/ecommerce");
    let plan = plan.to_str().expect("UTF-8 path");
    let mut big = vec![b' '; 16 << 20];
    big.extend_from_slice(b"\n\n{\"type\":\"page\",\"anonymousId\":\"a\",\"messageId\":\"m\"}\n");
    std::fs::write(dir.path().join("ws.ndjson"), &big).expect("writes");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&big).expect("compresses");
    std::fs::write(
        dir.path().join("ws.ndjson.gz"),
        gz.finish().expect("compresses"),
    )
    .expect("writes");
    for file in ["ws.ndjson", "ws.ndjson.gz"] {
        let r = bounded(
            dir.path(),
            &["validate", plan, "--payloads", file, "--format", "json"],
            None,
            LIMIT,
        );
        assert_eq!(r.code, 1, "{}", r.record);
        let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
        assert_eq!(v["totals"]["records"], 1, "{}", r.stdout);
        assert_eq!(v["totals"]["malformed"], 0, "{}", r.stdout);
    }
}

/// Item 14: a syntax error at the end of a very long line. The hint looked at
/// the tokens of the error's line by rescanning the line for each of them
/// (30,000 events on one line: minutes).
#[test]
fn syntax_error_at_the_end_of_a_long_line_is_linear() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = one_line_plan(30_000, "; event \"Z\" { owner @a @b }");
    std::fs::write(dir.path().join("long.events"), &text).expect("writes");
    let r = bounded(
        dir.path(),
        &["check", "--message-format", "short", "long.events"],
        None,
        LIMIT,
    );
    assert_eq!(r.code, 1, "{}", r.record);
    assert!(
        r.stderr
            .contains("error[E0001]: expected `,`, `;`, a new line or `}`, found `@b`"),
        "{}",
        r.record
    );
}

/// Item 15: diagnostics past column 65,535 panicked in miette (exit 101); long
/// lines are now clipped around the labels, in `check`, `build` and `diff`,
/// in every message format.
#[test]
fn diagnostics_past_column_65535_render_in_every_format() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = one_line_plan(2_000, "; event \"Z\" { owner @a @b }");
    std::fs::write(dir.path().join("long.events"), &text).expect("writes");
    std::fs::write(dir.path().join("old.events"), one_line_plan(1, "")).expect("writes");
    let mut record = String::new();
    for format in ["human", "short", "json", "github"] {
        for args in [
            vec!["check", "long.events"],
            vec!["build", "long.events", "--out", "out"],
            vec!["diff", "old.events", "long.events"],
        ] {
            let mut args = args.clone();
            args.extend(["--message-format", format]);
            let r = bounded(dir.path(), &args, None, LIMIT);
            assert!(r.code == 1 || r.code == 2, "{}", r.record);
            assert!(!r.stderr.contains("panicked"), "{}", r.record);
            assert!(r.stdout.len() + r.stderr.len() < 4000, "{}", r.record);
            if args[0] == "check" {
                record.push_str(&r.record);
            }
        }
    }
    snapshot("column-past-65535", &record);
}

/// The human renderer read each label's lines by scanning its file from the
/// start: 3,000 warnings in a 3 MB plan took minutes.
#[test]
fn many_diagnostics_in_a_large_file_render_in_linear_time() {
    let dir = tempfile::tempdir().expect("temp dir");
    let plan = eventsc::synth::plan_text(3_000, 20);
    let plan: String = plan
        .lines()
        .filter(|l| !l.starts_with("  description \"Synthetic"))
        .flat_map(|l| [l, "\n"])
        .collect();
    std::fs::write(dir.path().join("plan.events"), plan).expect("writes");
    let r = bounded(dir.path(), &["check", "plan.events"], None, LIMIT);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stderr.matches("docs/missing-description").count(), 3_000);
}

/// Item 21: a raw carriage return in a string was "expected a string, found a
/// string"; it is named, pointed at and shown as a symbol.
#[test]
fn raw_carriage_return_in_a_string() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("cr.events"),
        "plan \"P\" {\n  owner @a\n}\n\nowner @a { name \"Ana\rlytics\" }\n",
    )
    .expect("writes");
    let human = bounded(dir.path(), &["check", "cr.events"], None, LIMIT);
    let short = bounded(
        dir.path(),
        &["check", "cr.events", "--message-format", "short"],
        None,
        LIMIT,
    );
    assert_eq!(human.code, 1);
    assert!(!human.stderr.contains('\r'), "{}", human.stderr);
    snapshot(
        "raw-carriage-return",
        &format!("{}{}", human.record, short.record),
    );
}
