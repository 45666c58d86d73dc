//! Hostile text against every encoder (issue 12, items 8, 10, 11, 12, 18, 19):
//! whatever a plan's author or a captured payload writes, each artifact and
//! each report stays valid for its reader and carries no live markup, formula
//! or terminal control sequence; personal data stays redacted; `check` reports
//! what would break in the warehouse or make a sample fail its own plan.
//!
//! Each test reproduces one item of the issue with the real CLI and reads the
//! output with a real reader where one exists (PyYAML and dbt's YAML loader).

use crate::common::tools::{Tool, require};
use crate::common::{self, Rng, run::eventsc};
use std::path::Path;
use std::process::Command;

/// Strings that have broken a reader somewhere: YAML's forbidden and
/// line-breaking characters, indicators, words YAML reads as other types,
/// Markdown, HTML, formulas, terminal escapes, bidi overrides.
const NASTY: &[&str] = &[
    "it\u{92}s (cp1252 quote mis-decoded as C1)",
    "next\u{85}line (NEL)",
    "line\u{2028}separator\u{2029}paragraph",
    "\u{feff}byte order mark",
    "non\u{fffe}characters\u{ffff}",
    "nul\u{0}bell\u{7}escape\u{1b}[31mred\u{1b}[0m del\u{7f}",
    "c1 \u{80}\u{9b}31m\u{9f} nbsp\u{a0}",
    "tab\tcr\rlf\ncrlf\r\n",
    "\"double\" 'single' \\back\\slash",
    "yes",
    "null",
    "~",
    "- item",
    "? key",
    ": value",
    "#comment",
    "a: b # c",
    "&anchor *alias !tag %directive @at `tick` |pipe >fold",
    " leading and trailing ",
    "0x1F",
    "1e3",
    "2026-01-01",
    "\u{202e}override\u{202c} \u{2066}isolate\u{2069}",
    "emoji 😀 \u{d7ff}\u{e000}\u{fffd}\u{10ffff}",
    "=HYPERLINK(\"http://evil.example\",\"click\")",
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "\tleading tab",
    "\rleading cr",
    "\u{ff1d}1+1 full-width equals",
    "<img src=x onerror=alert(1)> <script>alert(2)</script>",
    "[link](javascript:alert(1)) ![img](http://x/y.png)",
    "| table | break |",
    "`unbalanced code",
    "**bold** _em_ ~~strike~~ # heading",
];

/// `s` as a `.events` string literal: printable ASCII as is, everything else
/// as `\u{…}`.
fn literal(s: &str) -> String {
    let mut out = String::from('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            ' '..='~' => out.push(c),
            c => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
        }
    }
    out.push('"');
    out
}

/// A plan that carries every [`NASTY`] string as a plan title, descriptions,
/// tags and enum values, with a consent purpose whose id is longer than YAML's
/// limit on implicit keys.
fn nasty_plan() -> String {
    let consent = format!("c{}", "o".repeat(1100));
    let mut props = String::new();
    for (i, s) in NASTY.iter().enumerate() {
        props.push_str(&format!("  p{i}: string {}\n", literal(s)));
    }
    let values: Vec<String> = NASTY.iter().map(|s| literal(s)).collect();
    format!(
        r#"plan {title} {{
  use_case {title}
  sources  web
  tools    segment, dbt
  owner    @data
  version  "1.0.0"
  rules {{ "naming/event-case" = off }}
}}
owner @data {{ name {title}; email "data@example.com" }}
consent {consent} {{ basis legitimate_interest; description {title} }}
source web {{ kind web }}
event "Thing Happened" {{
  description {title}
  owner @data
  source web
  consent {consent}
  tags {values}
  choice: enum({values}) "one of the nasty strings"
{props}}}
event "=HYPERLINK(\"http://evil.example\") Clicked" {{
  description "@SUM(A1) -1 +1"
  owner @data
  source web
  consent {consent}
  formula: enum("=1+1", "@x", "-y", "+z", "\u{{ff1d}}w", "\tv", "plain") "-1"
}}
"#,
        title = literal(NASTY[0]),
        values = values.join(", "),
    )
}

/// Writes `text` as `plan.events` in a new temp dir.
fn plan_dir(text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("plan.events"), text).expect("plan written");
    dir
}

/// `eventsc build plan.events --out out --target TARGETS` in `dir`; the build must succeed.
fn build(dir: &Path, targets: &str) {
    let r = eventsc(
        dir,
        &["build", "plan.events", "--out", "out", "--target", targets],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.record);
}

/// Item 8: every string reaches `dbt/models/sources.yml` and `plan/tracking-plan.yaml`
/// intact, read by PyYAML's safe loader and by dbt's own YAML loader.
#[test]
fn yaml_carries_every_character_to_real_readers() {
    let dir = plan_dir(&nasty_plan());
    build(dir.path(), "dbt,yaml");
    let script = r#"
import json, sys, yaml
from dbt.clients.yaml_helper import load_yaml_text
def strings(v, out):
    if isinstance(v, str): out.add(v)
    elif isinstance(v, dict):
        for k, x in v.items(): strings(k, out); strings(x, out)
    elif isinstance(v, list):
        for x in v: strings(x, out)
    return out
found = {}
for path in sys.argv[1:]:
    text = open(path, encoding="utf-8").read()
    a = strings(yaml.safe_load(text), set())
    b = strings(load_yaml_text(text), set())
    assert a == b, path
    found[path] = sorted(a)
print(json.dumps(found))
"#;
    let out = Command::new(common::venv_python())
        .args([
            "-c",
            script,
            "out/dbt/models/sources.yml",
            "out/plan/tracking-plan.yaml",
        ])
        .current_dir(dir.path())
        .env("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "a YAML reader failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let found: std::collections::BTreeMap<String, Vec<String>> =
        serde_json::from_slice(&out.stdout).expect("the script prints JSON");
    for (file, strings) in &found {
        for s in NASTY {
            assert!(
                strings.iter().any(|x| x == s),
                "{file} does not carry {s:?} intact"
            );
        }
    }
    let long_key = format!("c{}", "o".repeat(1100));
    assert!(
        found["out/dbt/models/sources.yml"].contains(&long_key),
        "the long consent id is a key of sources.yml"
    );
}

/// Item 10: no cell of either CSV file starts like a formula once read by a
/// CSV reader (Python's `csv`, as a spreadsheet splits it), and `eventsc import
/// csv` reads the guarded cells back to the plan's texts.
#[test]
fn csv_cells_never_start_a_formula_and_import_reads_them_back() {
    let dir = plan_dir(&nasty_plan());
    build(dir.path(), "csv");
    let script = r#"
import csv, json, sys
rows = []
for path in sys.argv[1:]:
    with open(path, newline="", encoding="utf-8") as f:
        rows += [[path] + r for r in csv.reader(f)]
print(json.dumps(rows))
"#;
    let out = Command::new(common::venv_python())
        .args([
            "-c",
            script,
            "out/csv/catalog.csv",
            "out/csv/segment-tracking-plan.csv",
        ])
        .current_dir(dir.path())
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Vec<Vec<String>> = serde_json::from_slice(&out.stdout).expect("JSON rows");
    let starts = [
        '=', '+', '-', '@', '\t', '\r', '\n', '\u{ff1d}', '\u{ff0b}', '\u{ff0d}', '\u{ff20}',
    ];
    let mut guarded = 0;
    for row in &rows {
        for cell in &row[1..] {
            assert!(
                !cell.trim_start_matches(' ').starts_with(starts),
                "{}: a spreadsheet runs {cell:?} as a formula",
                row[0]
            );
            guarded += usize::from(cell.starts_with('\''));
        }
    }
    assert!(guarded > 10, "the nasty plan has formulas to guard");

    let text = std::fs::read_to_string(dir.path().join("out/csv/segment-tracking-plan.csv"))
        .expect("the CSV was written");
    let (plan, _) = eventsc::import::csv::read(&text).expect("import reads its own CSV");
    let thing = plan
        .events
        .iter()
        .find(|e| e.name == "Thing Happened")
        .expect("the event is imported");
    for (i, s) in NASTY.iter().enumerate() {
        let p = thing
            .properties
            .iter()
            .find(|p| p.name == format!("p{i}"))
            .expect("every property is imported");
        // The importer trims cells (a guarded one keeps the spaces after its `'`).
        assert_eq!(
            p.description.as_deref().map(str::trim),
            Some(s.trim()),
            "p{i}"
        );
    }
    let formula = plan
        .events
        .iter()
        .find(|e| e.name == "=HYPERLINK(\"http://evil.example\") Clicked")
        .expect("the event named like a formula is imported by its name");
    assert_eq!(formula.description.as_deref(), Some("@SUM(A1) -1 +1"));
    let p = &formula.properties[0];
    assert_eq!(p.description.as_deref(), Some("-1"));
    assert_eq!(
        format!("{:?}", p.ty),
        format!(
            "{:?}",
            eventsc::import::Type::Enum(
                ["=1+1", "@x", "-y", "+z", "\u{ff1d}w", "\tv", "plain"]
                    .map(|v| eventsc::import::Literal::Str(v.to_string()))
                    .to_vec()
            )
        )
    );
}

/// Runs `tests/hostile/markdown_check.py` (GitHub's cmark-gfm) on Markdown
/// files in `dir`; panics with what a reader would see wrong: live tags,
/// foreign links, texts that do not come out intact.
fn assert_markdown_safe(dir: &Path, files: &[&str], expected: &[String]) {
    let list = dir.join("expected.json");
    std::fs::write(&list, serde_json::to_string(expected).expect("JSON")).expect("written");
    let out = Command::new(common::venv_python())
        .arg(common::root().join("tests/hostile/markdown_check.py"))
        .arg(&list)
        .args(files)
        .current_dir(dir)
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let problems: Vec<String> = report
        .as_object()
        .expect("an object")
        .iter()
        .filter(|(_, r)| r["bad"] != serde_json::json!([]) || r["missing"] != serde_json::json!([]))
        .map(|(f, r)| format!("{f}: {r:#}"))
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// `s` as a document shows it: control characters and bidi overrides escaped
/// (`\u{1b}`), line breaks and tabs as they are.
fn shown(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => c.to_string(),
            c if eventsc::visible::is_hidden(c) => format!("\\u{{{:x}}}", c as u32),
            c => c.to_string(),
        })
        .collect()
}

/// Item 11: the instrumentation spec and the QA checklist render every text of
/// the plan as text on GitHub: no live HTML, no injected link or image, no
/// broken table or code span.
#[test]
fn documents_render_plan_text_as_text() {
    let dir = plan_dir(&nasty_plan());
    build(dir.path(), "spec,qa");
    let texts: Vec<String> = NASTY.iter().map(|s| shown(s)).collect();
    assert_markdown_safe(dir.path(), &["out/instrumentation-spec.md"], &texts);
    // The checklist carries the plan's title and event names, not descriptions.
    assert_markdown_safe(
        dir.path(),
        &["out/qa-checklist.md"],
        &[
            shown(NASTY[0]),
            "=HYPERLINK(\"http://evil.example\") Clicked".into(),
        ],
    );
}

/// A language server run in `dir`: sends `messages` (method, params, whether
/// it is a request: requests get ids 1, 2, …) and returns the results of the
/// requests, in order.
fn lsp_session(dir: &Path, messages: &[(&str, serde_json::Value, bool)]) -> Vec<serde_json::Value> {
    use std::io::{BufRead, BufReader, Read, Write};
    let mut child = Command::new(env!("CARGO_BIN_EXE_eventsc"))
        .arg("lsp")
        .current_dir(dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("eventsc lsp starts");
    let mut stdin = child.stdin.take().expect("stdin");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut results = Vec::new();
    let mut id = 0;
    for (method, params, request) in messages {
        let mut msg = serde_json::json!({"jsonrpc": "2.0", "method": method, "params": params});
        if *request {
            id += 1;
            msg["id"] = serde_json::json!(id);
        }
        let body = serde_json::to_vec(&msg).expect("JSON");
        write!(stdin, "Content-Length: {}\r\n\r\n", body.len()).expect("write");
        stdin.write_all(&body).expect("write");
        stdin.flush().expect("flush");
        if !*request {
            continue;
        }
        // Reads until the answer to this request (notifications are skipped).
        loop {
            let mut len = 0;
            loop {
                let mut line = String::new();
                assert!(
                    stdout.read_line(&mut line).expect("read") > 0,
                    "the server ended"
                );
                let line = line.trim_end();
                if line.is_empty() {
                    break;
                }
                if let Some(n) = line.strip_prefix("Content-Length: ") {
                    len = n.parse().expect("a length");
                }
            }
            let mut body = vec![0; len];
            stdout.read_exact(&mut body).expect("read");
            let v: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
            if v["id"] == serde_json::json!(id) {
                results.push(v["result"].clone());
                break;
            }
        }
    }
    drop(stdin);
    let _ = child.kill();
    let _ = child.wait();
    results
}

/// Item 11 in the editor: the language server's hovers are Markdown with the
/// plan's texts (descriptions, names, enum values, an owner's name) escaped,
/// as the documents are: read by cmark-gfm, they hold no live HTML, link or
/// image, and every text comes out intact.
#[test]
fn hovers_render_plan_text_as_text() {
    let text = nasty_plan();
    let dir = plan_dir(&text);
    let path = dir.path().join("plan.events");
    let uri = format!("file://{}", path.display());
    let position = |needle: &str| {
        let offset = text.find(needle).unwrap_or_else(|| panic!("{needle:?}")) + 1;
        let before = &text[..offset];
        let line = before.matches('\n').count();
        let start = before.rfind('\n').map_or(0, |i| i + 1);
        let character: usize = before[start..].chars().map(char::len_utf16).sum();
        serde_json::json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}})
    };
    let mut messages = vec![
        (
            "initialize",
            serde_json::json!({"processId": null, "rootUri": null, "capabilities": {}}),
            true,
        ),
        ("initialized", serde_json::json!({}), false),
        (
            "textDocument/didOpen",
            serde_json::json!({"textDocument": {"uri": uri, "languageId": "events", "version": 1, "text": text}}),
            false,
        ),
    ];
    let mut needles: Vec<String> = vec![
        "Thing Happened".into(),
        r#"HYPERLINK(\"http://evil.example\") Clicked"#.into(),
        "@data {".into(),
        "choice:".into(),
        "formula:".into(),
    ];
    needles.extend((0..NASTY.len()).map(|i| format!("  p{i}:")));
    for n in &needles {
        let at = position(n.trim_start());
        messages.push(("textDocument/hover", at, true));
    }
    let results = lsp_session(dir.path(), &messages);
    let hovers: Vec<String> = results[1..]
        .iter()
        .zip(&needles)
        .map(|(r, n)| {
            r["contents"]["value"]
                .as_str()
                .unwrap_or_else(|| panic!("a hover over {n:?}: {r}"))
                .to_string()
        })
        .collect();
    std::fs::write(dir.path().join("hovers.md"), hovers.join("\n\n---\n\n")).expect("written");
    let texts: Vec<String> = NASTY.iter().map(|s| shown(s)).collect();
    assert_markdown_safe(dir.path(), &["hovers.md"], &texts);
}

/// Payloads as an attacker (or a broken client) sends them: HTML, Markdown,
/// code fences and terminal escapes in event names, message ids, property
/// names and values.
fn nasty_payloads() -> String {
    let lines = [
        serde_json::json!({"type": "track", "event": "<img src=x onerror=alert(1)>",
            "messageId": "`|<script>alert(1)</script>\n# id", "anonymousId": "a-1",
            "timestamp": "2026-12-01T10:00:00Z",
            "properties": {"[x](javascript:alert(2))": "<b>bold</b> | ``` fence"}}),
        serde_json::json!({"type": "track", "event": "Thing Happened", "messageId": "m```2\u{1b}[2J",
            "anonymousId": "a-1", "timestamp": "2026-12-01T10:00:00Z",
            "properties": {"choice": "<iframe src=//evil> | ```", "p0": 5,
                "\u{1b}]8;;http://evil\u{7}link": "![i](http://x/i.png)"}}),
        serde_json::json!({"type": "track", "event": "Thing\u{202e}Happened\u{1b}[0m", "messageId": "m3",
            "anonymousId": "a-1", "timestamp": "2026-12-01T10:00:00Z", "properties": {}}),
    ];
    let mut out: String = lines.iter().map(|l| format!("{l}\n")).collect();
    out.push_str("{\"type\": \"track\", \"event\": \"<svg onload=alert(3)>\n");
    out
}

/// Item 11: the `validate --report` evidence renders payload text as text on
/// GitHub: no live tag from an event name, no link from a property name, no
/// code fence closed early by a value.
#[test]
fn evidence_report_renders_payload_text_as_text() {
    let dir = plan_dir(&nasty_plan());
    std::fs::write(dir.path().join("payloads.ndjson"), nasty_payloads()).expect("written");
    let r = eventsc(
        dir.path(),
        &[
            "validate",
            "plan.events",
            "--payloads",
            "payloads.ndjson",
            "--report",
            "evidence.md",
        ],
        None,
    );
    assert_eq!(r.code, 1, "{}", r.record);
    assert_markdown_safe(
        dir.path(),
        &["evidence.md"],
        &[
            shown(NASTY[0]),
            "<img src=x onerror=alert(1)>".into(),
            "`|<script>alert(1)</script>\n# id".into(),
            // Control characters are shown escaped, as Rust's `{:?}` does.
            r"m```2\u{1b}[2J".into(),
            r"Thing\u{202e}Happened\u{1b}[0m".into(),
            r"\u{1b}]8;;http://evil\u{7}link".into(),
            "[x](javascript:alert(2))".into(),
            "<iframe src=//evil> | ```".into(),
        ],
    );
}

/// Item 11: `diff --format markdown` (a pull-request comment) renders the
/// names and values of changes as text.
#[test]
fn diff_markdown_renders_plan_text_as_text() {
    let old = nasty_plan();
    let new = old.replacen(
        "choice: enum(",
        r#"choice: enum("<script>alert(9)</script> | `x` ```", "#,
        1,
    ) + r#"
event "<img src=x onerror=alert(1)> [a](http://evil.example) Clicked" {
  description "new"
  owner @data
  source web
}
"#;
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("old.events"), old).expect("written");
    std::fs::write(dir.path().join("new.events"), new).expect("written");
    let r = eventsc(
        dir.path(),
        &["diff", "old.events", "new.events", "--format", "markdown"],
        None,
    );
    // Exit 1: the version was not bumped (the Markdown says so too).
    assert_eq!(r.code, 1, "{}", r.record);
    std::fs::write(dir.path().join("diff.md"), &r.stdout).expect("written");
    assert_markdown_safe(
        dir.path(),
        &["diff.md"],
        &[
            "<script>alert(9)</script> | `x` ```".into(),
            "<img src=x onerror=alert(1)> [a](http://evil.example) Clicked".into(),
        ],
    );
}

/// No byte of `out` is a control character that drives a terminal (ESC, the
/// other C0 controls but tab and line feed, DEL, C1) nor a bidi override or
/// isolate; with colour, ESC only starts our own SGR colour sequences.
fn assert_terminal_safe(what: &str, out: &str, colour: bool) {
    let chars: Vec<char> = out.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let sgr = colour
            && c == '\u{1b}'
            && chars.get(i + 1) == Some(&'[')
            && chars[i + 2..]
                .iter()
                .find(|c| !(c.is_ascii_digit() || **c == ';'))
                == Some(&'m');
        let bad = (eventsc::visible::is_hidden(c) && c != '\n' && c != '\t') && !sgr;
        assert!(
            !bad,
            "{what}: {:?} at {i} reaches the terminal:\n{}",
            c,
            out.escape_debug()
        );
    }
}

/// A plan whose event name, description and comments hold control sequences
/// (escaped in strings, raw in a comment and a description), with an error
/// and a warning next to them so diagnostics quote those lines.
const TERMINAL_PLAN: &str = "plan \"T\" { owner @data; sources web; version \"1.0.0\" }\n\
owner @data { name \"Data\" }\n\
consent analytics { basis legitimate_interest }\n\
source web { kind web }\n\
// clear the screen: \u{1b}[2J\u{1b}[H and a link \u{1b}]8;;http://evil\u{7}click\u{1b}]8;;\u{7} \u{9b}31m\n\
event \"Thing\\u{1b}[2J Happened\\u{202e}\" {\n\
  description \"raw \u{1b}[31mred\u{1b}[0m \u{202e}txt.exe\"\n\
  owner @nobody\n\
  source web\n\
  consent analytics\n\
}\n\
// \u{1b}]0;retitled\u{7} raw, before a finding\n\
event \"Bad\\u{1b}[2J name\\u{9b}0m\" { description \"x\"; owner @data; source web; consent analytics }\n";

/// Item 11: `check` prints no control sequence from the plan, in every format.
#[test]
fn check_output_shows_control_characters_escaped() {
    let dir = plan_dir(TERMINAL_PLAN);
    for format in ["human", "short", "github", "json"] {
        let r = eventsc(
            dir.path(),
            &["check", "plan.events", "--message-format", format],
            None,
        );
        assert_eq!(r.code, 1, "{}", r.record);
        assert!(r.record.contains("@nobody"), "{}", r.record);
        assert_terminal_safe(&format!("check {format}"), &r.record, false);
        if format == "human" || format == "github" {
            snapshot(&format!("check-control-characters-{format}"), &r.record);
        }
    }
    let r = eventsc(
        dir.path(),
        &["check", "plan.events", "--color", "always"],
        None,
    );
    assert_terminal_safe("check --color always", &r.stderr, true);
    assert!(r.stderr.contains("\u{241b}[31mred"), "{}", r.stderr);
}

fn snapshot(name: &str, text: &str) {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path(common::root().join("tests/snapshots/hostile"));
    settings.bind(|| insta::assert_snapshot!(name, text));
}

/// Item 11: `validate`'s human output, `diff`, `log` and `import` show
/// control characters from payloads, plans, audit records and imported files
/// escaped; so do usage errors naming a path.
#[test]
fn validate_diff_log_and_errors_show_control_characters_escaped() {
    let dir = plan_dir(&nasty_plan());
    std::fs::write(dir.path().join("payloads.ndjson"), nasty_payloads()).expect("written");
    let r = eventsc(
        dir.path(),
        &["validate", "plan.events", "--payloads", "payloads.ndjson"],
        None,
    );
    assert_eq!(r.code, 1, "{}", r.record);
    assert_terminal_safe("validate", &r.record, false);
    assert!(r.stdout.contains(r"m```2\u{1b}[2J"), "{}", r.stdout);

    let bad_path = "capture\u{1b}[2J.ndjson";
    let r = eventsc(
        dir.path(),
        &["validate", "plan.events", "--payloads", bad_path],
        None,
    );
    assert_eq!(r.code, 2, "{}", r.record);
    assert_terminal_safe("validate with a missing file", &r.stderr, false);

    let old = TERMINAL_PLAN.replace("@nobody", "@data").replace(
        "version \"1.0.0\" }",
        "version \"1.0.0\"; rules { \"naming/event-case\" = off; \"naming/confusable-name\" = off } }",
    );
    std::fs::write(dir.path().join("old.events"), &old).expect("written");
    std::fs::write(
        dir.path().join("new.events"),
        old.replace("Happened", "Done\\u{1b}]0;title\\u{7}"),
    )
    .expect("written");
    let r = eventsc(dir.path(), &["diff", "old.events", "new.events"], None);
    assert_terminal_safe("diff", &r.record, false);
    assert!(r.stdout.contains(r"\u{1b}"), "{}", r.record);

    let r = eventsc(
        dir.path(),
        &[
            "build",
            "old.events",
            "--out",
            "out",
            "--target",
            "json",
            "--record",
            "audit",
        ],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.record);
    let record = std::fs::read_dir(dir.path().join("audit"))
        .expect("the audit dir")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "json"))
        .expect("a record");
    let mut v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&record).expect("read")).expect("JSON");
    v["version"] = serde_json::json!("1.0.0\u{1b}[2J\u{9b}0m");
    std::fs::write(&record, serde_json::to_vec(&v).expect("JSON")).expect("write");
    let r = eventsc(dir.path(), &["log", "audit"], None);
    assert_eq!(r.code, 0, "{}", r.record);
    assert_terminal_safe("log", &r.record, false);
    assert!(r.stdout.contains(r"1.0.0\u{1b}[2J\u{9b}0m"), "{}", r.stdout);

    // `import`'s warnings, notes and summary quote names from the input.
    let export = r#"{"name": "Plan\u001b[2J", "rules": [
 {"type": "TRACK", "key": "Order\u001b]0;x\u0007 Done", "version": 1,
  "jsonSchema": {"properties": {"properties": {"type": "object", "properties": {
     "x\u001b[31m": {"type": "string", "format": "weird"},
     "y": {"oneOf": [{"type": "string"}]}
  }}}}}
]}"#;
    std::fs::write(dir.path().join("export.json"), export).expect("written");
    let r = eventsc(dir.path(), &["import", "segment", "export.json"], None);
    assert_eq!(r.code, 0, "{}", r.record);
    assert_terminal_safe("import", &r.stderr, false);
    for shown in [
        r"Order\u{1b}]0;x\u{7} Done",
        r"x\u{1b}[31m",
        r"Plan\u{1b}[2J",
    ] {
        assert!(r.stderr.contains(shown), "{shown} in {}", r.stderr);
    }
}

const PRIVACY_PLAN: &str = r#"plan "Privacy" { owner @data; sources web; version "1.0.0" }
owner @data { name "Data" }
consent analytics { basis legitimate_interest }
source web { kind web }
identify {
  owner @data
  consent analytics
  email: string format(email) pii(contact) "Login email"
  tier: enum("free", "pro")
}
event "Thing Happened" {
  description "Something happened."
  owner @data
  source web
  consent analytics
  receipt_email: string required format(email) pii(contact) "Where the receipt goes"
  note: string "Free text"
  count: integer
}
"#;

/// Personal data in payloads: a `pii(...)` property, Segment's personal traits
/// and context fields, a `userId` and a message id that are email addresses,
/// an unplanned property, a free-text phone number, an event named after an
/// address. Each payload has a defect, so each is quoted in the evidence.
fn privacy_payloads() -> String {
    let lines = [
        serde_json::json!({"type": "track", "event": "Thing Happened",
            "messageId": "dave@example.com", "userId": "ana@example.com",
            "timestamp": "2026-12-01T10:00:00Z",
            "context": {"ip": "203.0.113.7",
                "traits": {"email": "ana@example.com", "address": {"street": "12 Yellowstone St"}}},
            "properties": {"receipt_email": "carol@example", "note": "call me at +33 6 12 34 56 78",
                "contact_email": "bob@example.com", "count": "many"}}),
        serde_json::json!({"type": "identify", "messageId": "m-2", "userId": "u-2",
            "timestamp": "2026-12-01T10:00:00Z",
            "traits": {"email": "ana@example.com", "firstName": "Zelda", "phone": "+1 415 555 0100",
                "tier": "gold"}}),
        serde_json::json!({"type": "track", "event": "erin@example.com", "messageId": "m-3",
            "anonymousId": "a-3", "timestamp": "2026-12-01T10:00:00Z", "properties": {}}),
    ];
    lines.iter().map(|l| format!("{l}\n")).collect()
}

const PERSONAL: &[&str] = &[
    "ana@example.com",
    "dave@example.com",
    "bob@example.com",
    "carol@example",
    "erin@example.com",
    "203.0.113.7",
    "Yellowstone",
    "Zelda",
    "415 555 0100",
    "6 12 34 56 78",
];

/// Item 12: the human output, `--format json` and the `--report` evidence of
/// `validate` hold no personal data; `--show-values` shows it.
#[test]
fn validate_redacts_personal_data_everywhere_unless_asked() {
    let dir = plan_dir(PRIVACY_PLAN);
    std::fs::write(dir.path().join("payloads.ndjson"), privacy_payloads()).expect("written");
    let run = |extra: &[&str]| {
        let mut args = vec![
            "validate",
            "plan.events",
            "--payloads",
            "payloads.ndjson",
            "--report",
            "evidence.md",
            "--force",
        ];
        args.extend_from_slice(extra);
        let r = eventsc(dir.path(), &args, None);
        assert_eq!(r.code, 1, "{}", r.record);
        let md = std::fs::read_to_string(dir.path().join("evidence.md")).expect("the report");
        (r, md)
    };
    for format in ["human", "json"] {
        let (r, md) = run(&["--format", format]);
        for (what, text) in [("output", &r.stdout), ("evidence", &md)] {
            for p in PERSONAL {
                assert!(!text.contains(p), "{format} {what} shows {p:?}:\n{text}");
            }
        }
        assert!(r.stdout.contains("[redacted: email]"), "{}", r.stdout);
        assert!(md.contains("[redacted: phone]"), "{md}");
    }
    let (r, md) = run(&["--show-values"]);
    for p in ["dave@example.com", "erin@example.com", "carol@example"] {
        assert!(
            r.stdout.contains(p),
            "--show-values hides {p:?}:\n{}",
            r.stdout
        );
    }
    for p in PERSONAL {
        assert!(
            md.contains(p),
            "--show-values hides {p:?} in the evidence:\n{md}"
        );
    }
}

/// Item 18: properties that Segment's loader puts into one warehouse column
/// are a `check` error (they were merged into one dbt column without a word).
#[test]
fn warehouse_column_collisions_are_reported() {
    let plan = r#"plan "P" { owner @data; rules { "naming/property-case" = off } }
owner @data { name "Data" }
event "Order Completed" {
  description "d"
  owner @data
  orderId:  string
  order_id: string
  OrderID:  string
  utm: object { source: string }
  utm_source: string
}
"#;
    let dir = plan_dir(plan);
    let r = eventsc(
        dir.path(),
        &[
            "build",
            "plan.events",
            "--out",
            "out",
            "--target",
            "dbt",
            "--message-format",
            "short",
        ],
        None,
    );
    assert_eq!(r.code, 1, "{}", r.record);
    assert!(!dir.path().join("out/dbt/sources.yml").exists());
    for column in ["`order_id`", "`utm_source`"] {
        assert!(
            r.stderr
                .contains(&format!("land in one warehouse column, {column}")),
            "{}",
            r.record
        );
    }
    assert_eq!(
        r.stderr.matches("segment/column-collision").count(),
        3,
        "{}",
        r.record
    );
}

const PATTERNS: &[&str] = &[
    r"^[A-Z]{3}$",
    r"^[a-z]+(-[a-z]+)*$",
    r"^\\d{4}$",
    r"^(pro|enterprise)$",
    r"^[^@\\s]+@[^@\\s]+$",
    r"^SKU-[0-9A-F]{6}$",
    r"^.{5,}$",
    r"^[a-z]{2}$",
    r"^[a-z.]+@example\\.com$",
    r"^[0-9a-f-]+$",
    r"^x+$",
    r"^https://",
];
const FORMATS: &[&str] = &[
    "email",
    "uri",
    "uuid",
    "date",
    "date-time",
    "ipv4",
    "ipv6",
    "hostname",
];
const BOUNDS: &[&str] = &[
    "0",
    "1",
    "-5",
    "10",
    "100",
    "2.5",
    "-0.5",
    "9007199254740993",
    "100000000000000000000",
    "-100000000000000000000",
    "9223372036854775807",
    "9223372036854775808",
];

/// A random property line: a type, then constraints drawn independently, so
/// that some combinations cannot hold together.
fn random_property(rng: &mut Rng, name: &str, depth: usize) -> String {
    let mut mods = String::new();
    let ty = match rng.below(if depth < 2 { 9 } else { 7 }) {
        0 | 1 => {
            if rng.chance(30) {
                mods.push_str(&format!(" pattern(\"{}\")", rng.pick(PATTERNS)));
            }
            if rng.chance(25) {
                mods.push_str(&format!(" format({})", rng.pick(FORMATS)));
            }
            let (lo, hi) = (rng.below(20), rng.below(50));
            if rng.chance(25) {
                mods.push_str(&format!(" min_length({lo})"));
            }
            if rng.chance(25) {
                mods.push_str(&format!(
                    " max_length({})",
                    if rng.chance(80) { lo + hi } else { hi }
                ));
            }
            "string".to_string()
        }
        2 | 3 => {
            let integer = rng.chance(50);
            // Integer bounds are whole numbers (the language says so).
            let bounds: Vec<&str> = BOUNDS
                .iter()
                .copied()
                .filter(|b| !integer || !b.contains('.'))
                .collect();
            let (mut lo, mut hi) = (rng.pick(&bounds), rng.pick(&bounds));
            // Mostly in order (min > max is E0034, tested elsewhere).
            let num = |b: &str| b.parse::<f64>().unwrap_or(0.0);
            if num(lo) > num(hi) && rng.chance(80) {
                std::mem::swap(&mut lo, &mut hi);
            }
            if rng.chance(50) {
                mods.push_str(&format!(" min({lo})"));
            }
            if rng.chance(50) {
                mods.push_str(&format!(" max({hi})"));
            }
            if integer { "integer" } else { "number" }.to_string()
        }
        4 => rng.pick(&["boolean", "datetime", "date"]).to_string(),
        5 => "enum(\"a\", \"b-c\", \"d e\")".to_string(),
        6 => {
            if rng.chance(40) {
                mods.push_str(&format!(" min_length({})", rng.below(4)));
            }
            if rng.chance(20) {
                mods.push_str(&format!(" max_length({})", 1 + rng.below(3)));
            }
            "list(string)".to_string()
        }
        7 => format!("object {}", random_fields(rng, "f", 3, depth)),
        _ => format!("list(object {})", random_fields(rng, "g", 2, depth)),
    };
    if rng.chance(40) {
        mods.push_str(" required");
    }
    if rng.chance(15) {
        mods.push_str(" nullable");
    }
    format!("{name}: {ty}{mods}")
}

/// An object's braces and 1 to `most` random properties `{prefix}0`, `{prefix}1`….
fn random_fields(rng: &mut Rng, prefix: &str, most: usize, depth: usize) -> String {
    let fields: String = (0..1 + rng.below(most))
        .map(|i| {
            format!(
                "    {}\n",
                random_property(rng, &format!("{prefix}{i}"), depth + 1)
            )
        })
        .collect();
    format!("{{\n{fields}  }}")
}

fn random_plan(rng: &mut Rng) -> String {
    let mut text = String::from(
        "plan \"Random\" { owner @data; sources web; version \"1.0.0\" }\n\
         owner @data { name \"Data\" }\n\
         consent analytics { basis legitimate_interest }\n\
         source web { kind web }\n",
    );
    for e in 0..1 + rng.below(2) {
        let identity = rng.pick(&["any", "user", "anonymous", "group"]);
        text.push_str(&format!(
            "event \"Thing{e} Happened\" {{\n  description \"d\"\n  owner @data\n  source web\n  consent analytics\n  identity {identity}\n"
        ));
        for i in 0..1 + rng.below(4) {
            text.push_str(&format!(
                "  {}\n",
                random_property(rng, &format!("p{i}"), 0)
            ));
        }
        text.push_str("}\n");
    }
    text
}

/// What became of a plan in [`samples_pass`].
enum Outcome {
    /// `check` reported errors (their codes): no samples are built.
    Refused(Vec<String>),
    /// Its samples passed `validate` against it.
    Passed,
    /// It has nothing to sample (no events, identify or group).
    Empty,
}

/// Checks a plan; when `check` accepts it, builds its sample payloads and runs
/// `validate` on them against the same plan, failing the test with the plan,
/// the samples and the report when one does not pass.
fn samples_pass(paths: &[std::path::PathBuf], text: &str) -> Outcome {
    use eventsc::validate::{model::Model, run};
    let (sources, checked) = common::check_paths(paths);
    if checked.has_errors() {
        return Outcome::Refused(
            checked
                .diagnostics
                .iter()
                .filter(|d| d.severity == eventsc::diagnostics::Severity::Error)
                .map(|d| d.code.to_string())
                .collect(),
        );
    }
    let plan = checked.plan.as_ref().expect("a plan");
    let samples = eventsc::targets::find("samples").expect("the samples target");
    let artifacts = samples.generate(&eventsc::targets::Context {
        plan,
        sources: &sources,
        warnings: &[],
        options: Default::default(),
        plan_path: None,
    });
    let ndjson = artifacts
        .iter()
        .find(|a| a.path.ends_with("samples.ndjson"))
        .expect("samples.ndjson");
    let lines = ndjson
        .bytes
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .count() as u64;
    if lines == 0 {
        return Outcome::Empty;
    }
    let model = Model::compile(plan.clone(), &sources);
    let tally = run(&model, ndjson.bytes.as_slice(), 1).expect("validate runs");
    let summary = eventsc::validate::report::summarize_with(&model, &tally, "samples", true);
    assert!(
        tally.defective == 0 && tally.malformed == 0 && tally.records == lines,
        "the samples of {paths:?} fail the plan:\n{text}\n{}\n{}",
        String::from_utf8_lossy(&ndjson.bytes),
        summary.human()
    );
    Outcome::Passed
}

/// Item 19: whatever constraints a plan combines, either `check` reports them
/// (`constraints/unsatisfiable`, or an error of the language such as E0034) or
/// every sample payload `eventsc` writes for it passes `validate` against the
/// same plan. 400 plans from a seeded generator.
#[test]
fn samples_always_pass_their_own_plan() {
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let (mut validated, mut refused, mut unsatisfiable) = (0, 0, 0);
    let mut codes = std::collections::BTreeMap::new();
    let dir = tempfile::tempdir().expect("tempdir");
    for n in 0..400 {
        let text = random_plan(&mut rng);
        let path = dir.path().join(format!("plan{n}.events"));
        std::fs::write(&path, &text).expect("written");
        match samples_pass(std::slice::from_ref(&path), &text) {
            Outcome::Passed => validated += 1,
            Outcome::Empty => {}
            Outcome::Refused(errors) => {
                refused += 1;
                unsatisfiable +=
                    usize::from(errors.iter().any(|c| c == "constraints/unsatisfiable"));
                for c in errors {
                    *codes.entry(c).or_insert(0usize) += 1;
                }
            }
        }
    }
    // Not vacuous: most plans get samples, and the rule has work to do.
    assert!(
        validated > 200,
        "{validated} validated, {refused} refused: {codes:?}"
    );
    assert!(
        unsatisfiable > 20,
        "{unsatisfiable} plans reported unsatisfiable"
    );
}

/// Item 19, bounded memory: a `min_length` far beyond what Segment accepts
/// is reported by `check`, and when a plan allows it anyway, `build` writes
/// samples with strings of at most 32 Ki characters and lists of at most 32 Ki
/// items instead of aborting on a 100 TB allocation.
#[test]
fn huge_lengths_are_reported_and_samples_stay_bounded() {
    let plan = |allow: &str| {
        format!(
            r#"plan "P" {{ owner @data }}
owner @data {{ name "Data" }}
event "Essay Written" {{
  description "d"
  owner @data
  body: string pattern("^[a-z]+$") min_length(100000000000000){allow} "A very long text"
  pages: list(string) min_length(100000000000000){allow} "Very many pages"
}}
"#
        )
    };
    let dir = plan_dir(&plan(""));
    let r = eventsc(
        dir.path(),
        &["check", "plan.events", "--message-format", "short"],
        None,
    );
    assert_eq!(r.code, 1, "{}", r.record);
    for name in ["`body`", "`pages`"] {
        assert!(
            r.stdout.contains(&format!("the smallest {name} is"))
                || r.stderr.contains(&format!("the smallest {name} is")),
            "{}",
            r.record
        );
    }
    let dir = plan_dir(&plan(
        r#" allow("constraints/unsatisfiable", reason "tested")"#,
    ));
    build(dir.path(), "samples");
    let sample = std::fs::read(dir.path().join("out/samples/essay-written.json")).expect("sample");
    assert!(
        sample.len() < 1024 * 1024,
        "a sample of {} bytes",
        sample.len()
    );
}

/// Item 19 on real plans: the synthetic plans (`eventsc synth`), every fixture
/// `check` accepts (each `.events` file on its own) and every example get
/// samples that pass `validate` against them.
#[test]
fn samples_of_synthetic_plans_fixtures_and_examples_pass_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (events, properties) in [(1, 2), (8, 20), (120, 20), (30, 60)] {
        let text = eventsc::synth::plan_text(events, properties);
        let path = dir
            .path()
            .join(format!("synth-{events}-{properties}.events"));
        std::fs::write(&path, &text).expect("written");
        assert!(
            matches!(
                samples_pass(std::slice::from_ref(&path), &text),
                Outcome::Passed
            ),
            "the synthetic plan {events}×{properties} has errors"
        );
    }
    let root = common::root();
    let mut files = Vec::new();
    let mut stack = vec![root.join("tests/fixtures")];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("fixture dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "events") {
                files.push(vec![path]);
            }
        }
    }
    for entry in std::fs::read_dir(root.join("examples")).expect("examples") {
        let path = entry.expect("entry").path();
        let plan = std::fs::read_dir(&path).is_ok_and(|mut d| {
            d.any(|e| e.is_ok_and(|e| e.path().extension().is_some_and(|x| x == "events")))
        });
        if plan {
            files.push(vec![path]);
        }
    }
    files.sort();
    let (mut passed, mut refused) = (0, 0);
    for paths in &files {
        match samples_pass(paths, "") {
            Outcome::Passed => passed += 1,
            Outcome::Empty => {}
            Outcome::Refused(_) => refused += 1,
        }
    }
    // Not vacuous: most fixtures are valid plans, every example is.
    assert!(passed > 80, "{passed} plans passed, {refused} had errors");
}

/// A plan with an envelope, page and screen rules (one named with control
/// characters, markup and a code span) and an event with two versions.
const VIEWS_PLAN: &str = r#"plan "Views" { owner @web; version "1.0.0" }
owner @web { name "Web" }
envelope {
  require_one_of userId, anonymousId
  source_app: string max_length(8)
}
page { owner @web; path: string required }
page "Promo\u{1b}[2J <img src=x onerror=alert(1)> | `x`" {
  owner @web
  code: string required
}
screen "Checkout" { owner @web; cart_value: number min(0) }
event "Plan Selected" { description "Picked."; owner @web; plan: string required }
event "Plan Selected" { version 2; description "Picked, v2."; owner @web; plan: string required; seats: integer required }
"#;

/// Page and screen calls and versions as a hostile client sends them: names
/// with terminal escapes, bidi overrides and markup, a name of 20,000
/// characters, `event_version` of every JSON type and out of every range.
fn views_payloads() -> String {
    let promo = "Promo\u{1b}[2J <img src=x onerror=alert(1)> | `x`";
    let mut lines = vec![
        // The named rule, by its exact (hostile) name: `code` is missing.
        serde_json::json!({"type": "page", "name": promo, "messageId": "p-1", "anonymousId": "a",
            "properties": {"path": "/promo"}}),
        // No rule of its own: `page { }` only; the message id and an
        // envelope field carry escapes.
        serde_json::json!({"type": "page", "name": "\u{1b}]0;title\u{7}Pricing\u{202e}",
            "messageId": "p-2\u{1b}[31m<b>", "anonymousId": "a", "source_app": "\u{9b}31m\u{1b}[2J|`<i>`",
            "properties": {}}),
        serde_json::json!({"type": "page", "name": "<b>A".repeat(5000), "anonymousId": "a",
            "properties": {"path": 3}}),
        serde_json::json!({"type": "screen", "name": "\u{9b}31m", "messageId": "s-1", "userId": "u",
            "properties": {"cart_value": -1}}),
        serde_json::json!({"type": "screen", "name": "Checkout", "messageId": "s-2",
            "properties": {"cart_value": -1}}),
        // Markup where the dashboard shows a name and where it shows a payload.
        serde_json::json!({"type": "track", "event": "<img src=x onerror=window.__pwned=1>",
            "messageId": "t-1", "userId": "u", "properties": {}}),
        serde_json::json!({"type": "page", "name": "<svg onload=window.__pwned=2>",
            "messageId": "p-3\"><script>window.__pwned=3</script>", "userId": "u",
            "properties": {}}),
    ];
    let versions = [
        serde_json::json!("2\u{1b}[2J"),
        serde_json::json!(2.5),
        serde_json::json!(1e300),
        serde_json::json!(-1),
        serde_json::json!(-2.0),
        serde_json::json!(true),
        serde_json::json!({"v": 2}),
        serde_json::json!([2]),
        serde_json::json!(4_294_967_297u64),
    ];
    for (i, v) in versions.into_iter().enumerate() {
        lines.push(
            serde_json::json!({"type": "track", "event": "Plan Selected",
            "messageId": format!("v-{i}"), "userId": "u", "properties": {"plan": "pro"},
            "context": {"protocols": {"event_version": v}}}),
        );
    }
    let mut out: String = lines.iter().map(|l| format!("{l}\n")).collect();
    // Past what u64 holds, and a whole number past 2^53, as written.
    for (i, v) in ["18446744073709551616", "99999999999999999999999999", "1e16"]
        .iter()
        .enumerate()
    {
        out.push_str(&format!(
            "{{\"type\":\"track\",\"event\":\"Plan Selected\",\"messageId\":\"w-{i}\",\"userId\":\"u\",\
             \"properties\":{{\"plan\":\"pro\"}},\"context\":{{\"protocols\":{{\"event_version\":{v}}}}}}}\n"
        ));
    }
    out
}

/// Issue 14: page and screen names and event versions from payloads reach
/// the terminal, the JSON report, the Markdown evidence and `eventsc serve`'s
/// `/qa.json` and feed as text: control characters escaped, markup inert,
/// every `event_version` described (never a raw value), huge names never
/// quoted; the collector agrees with `validate` on them.
#[test]
fn page_screen_and_version_text_from_payloads_is_escaped() {
    let dir = plan_dir(VIEWS_PLAN);
    let payloads = views_payloads();
    std::fs::write(dir.path().join("payloads.ndjson"), &payloads).expect("written");
    let args = ["validate", "plan.events", "--payloads", "payloads.ndjson"];
    let r = eventsc(dir.path(), &args, None);
    assert_eq!(r.code, 1, "{}", r.record);
    assert_terminal_safe("validate", &r.record, false);
    for shown in [
        r#"page "Promo\u{1b}[2J <img src=x onerror=alert(1)> | `x`""#,
        r"[p-2\u{1b}[31m<b>]",
        r"/source_app: expected at most 8 characters",
        r"found a string",
        r"found a number that is not a whole number",
        r"found a number too large to be a version",
        r"found a negative number",
        r"found a boolean",
        r"found 4294967297",
    ] {
        assert!(r.stdout.contains(shown), "{shown} in\n{}", r.stdout);
    }
    assert!(
        !r.stdout.contains("<b>A<b>A"),
        "a page name is never quoted"
    );
    assert!(r.stdout.len() < 20_000, "{} bytes", r.stdout.len());

    let json = eventsc(
        dir.path(),
        &[&args[..], &["--format", "json", "--max-violations", "100"]].concat(),
        None,
    );
    let v: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    let rows: Vec<(&str, u64, u64)> = v["events"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap_or(""),
                r["seen"].as_u64().unwrap_or(0),
                r["defective"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("Plan Selected", 12, 12),
            ("Plan Selected", 0, 0),
            ("page", 3, 3),
            (
                r#"page "Promo\u{1b}[2J <img src=x onerror=alert(1)> | `x`""#,
                1,
                1
            ),
            // No rule for every screen: nothing to break.
            ("screen", 1, 0),
            (r#"screen "Checkout""#, 1, 1),
            ("<img src=x onerror=window.__pwned=1>", 1, 1),
        ],
        "{}",
        json.stdout
    );
    let versions: Vec<&str> = v["events"][0]["examples"]
        .as_array()
        .expect("examples")
        .iter()
        .filter(|e| e["kind"] == "unknown-version")
        .filter_map(|e| e["found"].as_str())
        .collect();
    assert_eq!(
        versions,
        [
            "a string",
            "a number that is not a whole number",
            "a number too large to be a version",
            "a negative number",
            "a negative number",
            "a boolean",
            "an object",
            "a list",
            "4294967297",
            "a number too large to be a version",
            "a number too large to be a version",
            "a number too large to be a version",
        ],
        "{}",
        json.stdout
    );

    let report = eventsc(
        dir.path(),
        &[&args[..], &["--report", "evidence.md"]].concat(),
        None,
    );
    assert_eq!(report.code, 1, "{}", report.record);
    assert_markdown_safe(
        dir.path(),
        &["evidence.md"],
        &[
            r#"page "Promo\u{1b}[2J <img src=x onerror=alert(1)> | `x`""#.into(),
            r"p-2\u{1b}[31m<b>".into(),
        ],
    );

    // The collector: the same payloads through the tracking API.
    let live = dir.path().join("live");
    std::fs::create_dir(&live).expect("a dir");
    let mut serve = crate::serve::Serve::start(
        dir.path().join("plan.events").to_str().expect("UTF-8"),
        &live,
        &[],
    );
    for line in payloads.lines() {
        let r = crate::serve::request(
            serve.port,
            "POST",
            "/v1/batch",
            &[("Content-Type", "application/json")],
            format!("{{\"batch\":[{line}]}}").as_bytes(),
        );
        assert_eq!(r.status, 200, "{}", r.text());
    }
    let plan = dir.path().join("plan.events");
    let plan = plan.to_str().expect("UTF-8");
    let qa = crate::serve::request(serve.port, "GET", "/qa.json", &[], b"").text();
    assert_eq!(qa, crate::serve::validate(plan, &serve.capture, "json").1);
    let feed = crate::serve::request(serve.port, "GET", "/feed.json?after=0", &[], b"").text();
    let feed: serde_json::Value = serde_json::from_str(&feed).expect("JSON feed");
    let events: Vec<&str> = feed["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["event"].as_str())
        .collect();
    assert_eq!(events.len(), 18, "{feed:#}");
    for e in &events {
        assert!(!e.chars().any(eventsc::visible::is_hidden), "{e:?}");
    }
    assert!(events.contains(&r#"page "Promo\u{1b}[2J <img src=x onerror=alert(1)> | `x`""#));

    // The dashboard in Chromium: every name shown as text, no markup from the
    // payloads, no handler run.
    let modules = require(Tool::NodeModules("examples/frontend-qa"));
    require(Tool::Chromium);
    let out = Command::new(require(Tool::Node))
        .arg(common::root().join("tests/hostile/dashboard.mjs"))
        .arg(format!("{}/", serve.url()))
        .arg(payloads.lines().count().to_string())
        .env("MODULES", &modules)
        .output()
        .expect("node runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let shown: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(shown["pwned"], serde_json::Value::Null, "{shown:#}");
    assert_eq!(shown["foreign"], serde_json::json!([]), "{shown:#}");
    assert_eq!(shown["dialogs"], serde_json::json!([]), "{shown:#}");
    assert_eq!(shown["scripts"], 1, "{shown:#}");
    let mut expected: Vec<String> = rows.iter().map(|r| r.0.to_string()).collect();
    expected[0].push_str(" v1");
    expected[1].push_str(" v2");
    assert_eq!(shown["rows"], serde_json::json!(expected), "{shown:#}");
    let headings: Vec<&str> = shown["feed"]
        .as_array()
        .expect("feed")
        .iter()
        .filter_map(|h| h.as_str())
        .collect();
    for h in [
        r#"page "Promo\u{1b}[2J <img src=x onerror=alert(1)> | `x`""#,
        "<img src=x onerror=window.__pwned=1>",
        "Plan Selected v1",
    ] {
        assert!(headings.contains(&h), "{h} in {headings:?}");
    }
    let stopped = serve.stop();
    assert_eq!(stopped.code, 1);
    assert_terminal_safe("serve", &stopped.stdout, false);
    assert_eq!(
        stopped.stdout,
        crate::serve::validate(plan, &serve.capture, "human").1
    );
}
