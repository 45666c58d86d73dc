//! `eventsc fmt`: idempotence, meaning preservation and comment preservation over
//! every fixture and example, and snapshots of messy inputs (tests/fixtures/fmt/).

use crate::common::run;
use crate::common::*;
use eventsc::source::FileId;
use eventsc::syntax::scan::{Tok, tokens};
use std::path::PathBuf;

/// Every `.events` file of the fixtures and the examples.
fn corpus() -> Vec<PathBuf> {
    let mut files = events_files(&root().join("tests/fixtures"));
    files.extend(events_files(&root().join("examples")));
    files
}

/// The IR of a file, spans aside: a Debug dump with every span (and the offset of
/// each `required`/`nullable` flag) blanked out and
/// the reference index (kept in lowering order) sorted.
fn ir_dump(text: &str) -> Option<String> {
    let (_, checked) = eventsc::check::check_text("plan.events", text);
    let mut plan = checked.plan?;
    let mut refs: Vec<String> = plan
        .refs
        .iter()
        .map(|r| format!("{:?} {}", r.kind, r.target))
        .collect();
    refs.sort();
    plan.refs.clear();
    let span = regex::Regex::new(
        r"Span \{ file: FileId\(\d+\), start: \d+, end: \d+ \}|(?:Flag\(Some\()\d+\)\)",
    )
    .unwrap();
    let dump = format!("{plan:?}\nrefs: {refs:?}");
    Some(span.replace_all(&dump, "_").replace(", ", ",\n"))
}

fn comment_texts(text: &str) -> Vec<String> {
    let mut v: Vec<String> = tokens(text)
        .into_iter()
        .filter(|t| t.kind == Tok::Comment)
        .map(|t| text[t.start..t.end].trim_end().to_string())
        .collect();
    v.sort();
    v
}

#[test]
fn idempotent_meaning_and_comment_preserving_over_every_fixture_and_example() {
    let mut formatted_count = 0;
    let mut skipped = Vec::new();
    for path in corpus() {
        let Ok(text) = std::fs::read_to_string(&path) else {
            skipped.push(rel(&path));
            continue;
        };
        let parsed = eventsc::syntax::parse(FileId(0), &text, 0);
        let syntax_ok = parsed.file.is_some() && !parsed.diagnostics.iter().any(|d| d.is_error());
        let formatted = eventsc::fmt::format(FileId(0), &text);
        assert_eq!(
            formatted.is_ok(),
            syntax_ok,
            "{}: fmt refuses exactly the files with syntax errors",
            rel(&path)
        );
        let Ok(once) = formatted else {
            skipped.push(rel(&path));
            continue;
        };
        formatted_count += 1;
        let name = rel(&path);
        let twice = eventsc::fmt::format(FileId(0), &once)
            .unwrap_or_else(|d| panic!("{name}: the formatted text does not parse: {d:?}"));
        assert!(
            once == twice,
            "{name}: fmt is not idempotent:\n{}",
            eventsc::fmt::unified_diff(&name, &once, &twice)
        );
        let (before, after) = (ir_dump(&text), ir_dump(&once));
        assert!(before.is_some(), "{name}: parsed but has no IR");
        if before != after {
            panic!(
                "{name}: formatting changed the IR:\n{}",
                eventsc::fmt::unified_diff(
                    &name,
                    &before.unwrap_or_default(),
                    &after.unwrap_or_default()
                )
            );
        }
        assert_eq!(
            comment_texts(&text),
            comment_texts(&once),
            "{name}: comments were lost or changed"
        );
        assert!(
            once.ends_with('\n') || once.is_empty(),
            "{name}: no final newline"
        );
        assert!(
            !once.lines().any(|l| l.ends_with(' ')),
            "{name}: trailing whitespace"
        );
    }
    assert!(
        formatted_count > 100,
        "only {formatted_count} files formatted"
    );
    assert!(
        skipped.iter().any(|s| s.contains("fixtures/fmt/")),
        "the syntax-error input of fmt is among the skipped: {skipped:?}"
    );
}

#[test]
fn messy_inputs() {
    let dir = root().join("tests/fixtures/fmt");
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path(root().join("tests/snapshots/fmt"));
    settings.bind(|| {
        for path in events_files(&dir) {
            let text = std::fs::read_to_string(&path).unwrap();
            let name = path
                .file_name()
                .unwrap()
                .to_string_lossy()
                .trim_end_matches(".events")
                .to_string();
            let out = match eventsc::fmt::format(FileId(0), &text) {
                Ok(f) => f,
                Err(diags) => {
                    let mut sources = eventsc::source::SourceMap::new();
                    sources.add(eventsc::source::SourceFile::new(rel(&path), None, text));
                    format!(
                        "syntax errors:\n{}",
                        eventsc::diagnostics::render::render_short(&diags, &sources)
                    )
                }
            };
            insta::assert_snapshot!(name, out);
        }
    });
}

#[test]
fn crlf_tabs_and_bom_are_normalised() {
    let text =
        "\u{FEFF}owner @a {\r\n\tname \"A\"\r\n}\r\n\r\n\r\nsource web { kind web } // c\r\n";
    let out = eventsc::fmt::format(FileId(0), text).unwrap();
    assert_eq!(
        out,
        "owner @a { name \"A\" }\n\nsource web { kind web } // c\n"
    );
}

#[test]
fn empty_and_comment_only_files() {
    assert_eq!(eventsc::fmt::format(FileId(0), "").unwrap(), "");
    assert_eq!(eventsc::fmt::format(FileId(0), "\n\n").unwrap(), "");
    assert_eq!(
        eventsc::fmt::format(FileId(0), "// a\n\n\n// b   \n").unwrap(),
        "// a\n\n// b\n"
    );
}

fn cli_snapshot(name: &str, record: &str) {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path(root().join("tests/snapshots/fmt"));
    settings.bind(|| insta::assert_snapshot!(name, record));
}

#[test]
fn cli_check_then_write_then_check_again() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("plans")).unwrap();
    let messy = std::fs::read(root().join("tests/fixtures/fmt/layout.events")).unwrap();
    std::fs::write(dir.path().join("plans/a.events"), &messy).unwrap();
    let clean = eventsc::fmt::format(FileId(0), std::str::from_utf8(&messy).unwrap()).unwrap();
    std::fs::write(dir.path().join("plans/b.events"), &clean).unwrap();

    let check = run::eventsc(dir.path(), &["fmt", "--check", "plans"], None);
    assert_eq!(check.code, 1, "{}", check.record);
    cli_snapshot("cli-check-diff", &check.record);
    assert_eq!(
        std::fs::read(dir.path().join("plans/a.events")).unwrap(),
        messy,
        "--check writes nothing"
    );

    let write = run::eventsc(dir.path(), &["fmt", "plans"], None);
    assert_eq!(write.code, 0, "{}", write.record);
    assert_eq!(write.stdout, "");
    assert_eq!(write.stderr, "reformatted 1 file, 1 already formatted\n");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("plans/a.events")).unwrap(),
        clean
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("plans"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".events"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");

    let again = run::eventsc(dir.path(), &["fmt", "--check", "plans"], None);
    assert_eq!(again.code, 0, "{}", again.record);
    assert_eq!(again.stdout, "");
}

#[test]
fn cli_syntax_errors_are_reported_and_the_file_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let broken = std::fs::read(root().join("tests/fixtures/fmt/syntax-error.fail.events")).unwrap();
    std::fs::write(dir.path().join("broken.events"), &broken).unwrap();
    std::fs::write(dir.path().join("ok.events"), "source web{kind web}\n").unwrap();
    let r = run::eventsc(
        dir.path(),
        &[
            "fmt",
            "broken.events",
            "ok.events",
            "--message-format",
            "short",
        ],
        None,
    );
    assert_eq!(r.code, 1);
    cli_snapshot("cli-syntax-error", &r.record);
    assert_eq!(
        std::fs::read(dir.path().join("broken.events")).unwrap(),
        broken
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("ok.events")).unwrap(),
        "source web { kind web }\n",
        "the other files are still formatted"
    );
    let human = run::eventsc(dir.path(), &["fmt", "--check", "broken.events"], None);
    assert_eq!(human.code, 1);
    assert!(human.stderr.contains("E0002"), "{}", human.stderr);
}

#[test]
fn cli_stdin_to_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let r = run::eventsc(dir.path(), &["fmt", "-"], Some(b"source web{kind web}\n"));
    assert_eq!(r.code, 0, "{}", r.record);
    assert_eq!(r.stdout, "source web { kind web }\n");
    let c = run::eventsc(
        dir.path(),
        &["fmt", "--check", "-"],
        Some(b"source web{kind web}\n"),
    );
    assert_eq!(c.code, 1);
    cli_snapshot("cli-stdin-check", &c.record);
    let bad = run::eventsc(dir.path(), &["fmt", "-"], Some(b"source web {\n"));
    assert_eq!(bad.code, 1);
    assert_eq!(bad.stdout, "", "nothing is written for a broken input");
}

#[test]
fn cli_usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let r = run::eventsc(dir.path(), &["fmt", "nope.events"], None);
    assert_eq!(r.code, 2);
    cli_snapshot("cli-missing-file", &r.record);
    let help = run::eventsc(dir.path(), &["fmt", "--help"], None);
    assert_eq!(help.code, 0);
    cli_snapshot("cli-help", &help.record);
}

#[test]
fn a_reader_that_stops_early_gets_no_message() {
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan.events");
    let bin = env!("CARGO_BIN_EXE_eventsc");
    let synth = Command::new(bin)
        .args(["synth", "--events", "300", "--out"])
        .arg(&plan)
        .output()
        .unwrap();
    assert!(synth.status.success());
    // More than a pipe holds, so the write fails whenever the reader closes.
    assert!(std::fs::metadata(&plan).unwrap().len() > 256 * 1024);
    let mut child = Command::new(bin)
        .args(["fmt", "-"])
        .stdin(std::fs::File::open(&plan).unwrap())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // like `| head` exiting
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "", "no message");
}

/// Applies a unified diff (as `fmt --check` prints it) to `old`.
fn apply_unified(old: &str, diff: &str) -> String {
    let old_lines: Vec<&str> = old.split_inclusive('\n').collect();
    let mut out = String::new();
    let mut next = 0; // next old line to copy
    let mut lines = diff.lines().skip(2).peekable();
    while let Some(header) = lines.next() {
        let ranges = header.trim_start_matches("@@ -").trim_end_matches(" @@");
        let (old_range, _) = ranges.split_once(" +").expect("hunk header");
        let (start, len) = old_range
            .split_once(',')
            .map_or((old_range, 1), |(s, l)| (s, l.parse().expect("len")));
        let start: usize = start.parse().expect("start");
        let first = if len == 0 { start } else { start - 1 };
        for l in &old_lines[next..first] {
            out.push_str(l);
        }
        next = first;
        while let Some(l) = lines.peek() {
            if l.starts_with("@@") {
                break;
            }
            let l = lines.next().expect("peeked");
            let no_newline = lines.peek().is_some_and(|n| n.starts_with('\\'));
            let body = &l[1..];
            match &l[..1] {
                " " => {
                    out.push_str(old_lines[next]);
                    next += 1;
                }
                "-" => next += 1,
                "+" => {
                    out.push_str(body);
                    if !no_newline {
                        out.push('\n');
                    }
                }
                _ => {}
            }
            if no_newline {
                lines.next();
            }
        }
    }
    for l in &old_lines[next..] {
        out.push_str(l);
    }
    out
}

/// `fmt --check`'s diff, applied to the input, gives exactly the formatted text
/// (the diff is computed one declaration at a time, so this is worth checking).
#[test]
fn check_diffs_apply_to_the_formatted_text() {
    let mut n = 0;
    let mut inputs: Vec<String> = corpus()
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect();
    inputs.push(eventsc::synth::plan_text(40, 6));
    for old in inputs {
        let Ok(new) = eventsc::fmt::format(FileId(0), &old) else {
            continue;
        };
        let diff = eventsc::fmt::unified_diff("x", &old, &new);
        if old == new {
            assert!(diff.is_empty());
            continue;
        }
        assert_eq!(apply_unified(&old, &diff), new, "diff:\n{diff}");
        n += 1;
    }
    assert!(n > 10, "enough files needed formatting: {n}");
}
