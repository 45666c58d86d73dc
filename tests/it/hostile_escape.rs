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

/// Item 8: every string reaches `dbt/sources.yml` and `plan/tracking-plan.yaml`
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
            "out/dbt/sources.yml",
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
        found["out/dbt/sources.yml"].contains(&long_key),
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
    let (plan, _) = eventsc::import::csv::read(&text, "t").expect("import reads its own CSV");
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
                    .map(String::from)
                    .to_vec()
            )
        )
    );
}
