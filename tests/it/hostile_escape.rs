//! Hostile text against every encoder (issue 12, items 8, 10, 11, 12, 18, 19):
//! whatever a plan's author or a captured payload writes, each artifact and
//! each report stays valid for its reader and carries no live markup, formula
//! or terminal control sequence; personal data stays redacted; `check` reports
//! what would break in the warehouse or make a sample fail its own plan.
//!
//! Each test reproduces one item of the issue with the real CLI and reads the
//! output with a real reader where one exists (PyYAML and dbt's YAML loader).

use crate::common::{self, run::eventsc};
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
