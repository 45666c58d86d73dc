//! Editor support, tested with the real engines:
//!
//! - the VS Code TextMate grammar (`editors/vscode/syntaxes/events.tmLanguage.json`)
//!   is run by vscode-textmate on vscode-oniguruma (`tests/editor/tokenize.js`, Node)
//!   over every fixture, example and editor sample: the scopes of every token are an
//!   insta snapshot (`tests/snapshots/editor/`); in a file the grammar should fully
//!   understand, every non-blank token has a scope that is not just `meta.*`, and
//!   nothing is `invalid`; chosen tokens have the scope they are meant to have;
//! - the Vim syntax, ftplugin and indent files run in headless Vim (Debian `vim`):
//!   the syntax group at chosen positions, `commentstring`, and re-indenting the
//!   spec's example reproduces it.
//!
//! Node packages are installed by `scripts/setup.sh` (`npm ci` in `tests/editor`),
//! Vim by the same script when it runs as root; a missing tool fails the test with
//! what to run.

use crate::common::tools::{Tool, require};
use crate::common::*;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

const GRAMMAR: &str = "editors/vscode/syntaxes/events.tmLanguage.json";

/// Codes whose construct the grammar marks as invalid (or cannot follow): a file
/// reporting one of them is not expected to tokenize cleanly.
const GRAMMAR_INVALID: &[&str] = &[
    "E0001", "E0002", "E0003", "E0004", "E0005", "E0006", "E0010", "E0011", "E0031",
];

/// One token: its text and its scopes (`source.events` dropped, `.events` stripped).
#[derive(Debug, Clone)]
struct Token {
    text: String,
    scopes: Vec<String>,
}

type Tokenized = BTreeMap<String, Vec<Vec<Token>>>;

fn node_modules() -> PathBuf {
    require(Tool::NodeModules("tests/editor"))
}

/// Every file the grammar is run on: fixtures, examples and the editor samples.
fn highlighted_files() -> Vec<PathBuf> {
    let mut files = events_files(&root().join("tests/fixtures"));
    files.extend(events_files(&root().join("tests/editor/samples")));
    let examples = root().join("examples");
    if examples.is_dir() {
        files.extend(events_files(&examples));
    }
    files.sort();
    files
}

fn tokenize(files: &[PathBuf]) -> Tokenized {
    node_modules();
    let out = Command::new("node")
        .current_dir(root())
        .arg("tests/editor/tokenize.js")
        .arg(GRAMMAR)
        .args(files.iter().map(|f| rel(f)))
        .output()
        .expect("`node` runs (install Node.js 18 or later)");
    assert!(
        out.status.success(),
        "tokenize.js failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&out.stdout).expect("tokenize.js prints JSON");
    let mut result = Tokenized::new();
    for (file, lines) in json.as_object().expect("an object of files") {
        let lines = lines
            .as_array()
            .expect("lines")
            .iter()
            .map(|line| {
                line.as_array()
                    .expect("tokens")
                    .iter()
                    .map(|t| Token {
                        text: t["text"].as_str().expect("text").to_string(),
                        scopes: t["scopes"]
                            .as_array()
                            .expect("scopes")
                            .iter()
                            .filter_map(Value::as_str)
                            .filter(|s| *s != "source.events")
                            .map(|s| s.trim_end_matches(".events").to_string())
                            .collect(),
                    })
                    .collect()
            })
            .collect();
        result.insert(file.clone(), lines);
    }
    result
}

/// The scopes of every non-blank token, one line per token.
fn render(lines: &[Vec<Token>]) -> String {
    let mut out = String::new();
    for (i, tokens) in lines.iter().enumerate() {
        for t in tokens.iter().filter(|t| !t.text.trim().is_empty()) {
            out.push_str(&format!(
                "{:>3} {:?} {}\n",
                i + 1,
                t.text,
                t.scopes.join(" ")
            ));
        }
    }
    out
}

/// Files with a diagnostic the grammar is expected to mark (checked as a plan:
/// a directory of `multi/` is one plan).
fn files_with_grammar_errors(files: &[PathBuf]) -> BTreeSet<String> {
    let mut groups: BTreeMap<PathBuf, Vec<PathBuf>> = BTreeMap::new();
    for f in files {
        let key = if rel(f).starts_with("tests/fixtures/multi/") {
            f.parent().expect("a folder").to_path_buf()
        } else {
            f.clone()
        };
        groups.entry(key).or_default().push(f.clone());
    }
    let mut out = BTreeSet::new();
    for (_, paths) in groups {
        let (sources, checked) = check_paths(&paths);
        for d in &checked.diagnostics {
            if GRAMMAR_INVALID.contains(&d.code)
                && let Some(span) = d.primary_span()
            {
                out.insert(sources.get(span.file).name.clone());
            }
        }
    }
    out
}

#[test]
fn textmate_scopes_of_every_fixture_and_example() {
    let files = highlighted_files();
    let tokenized = tokenize(&files);
    assert_eq!(tokenized.len(), files.len(), "every file was tokenized");
    let with_errors = files_with_grammar_errors(&files);
    let mut problems = Vec::new();
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path(root().join("tests/snapshots/editor"));
    settings.bind(|| {
        for (file, lines) in &tokenized {
            let name = file
                .trim_start_matches("tests/")
                .trim_end_matches(".events")
                .replace('/', "__");
            insta::assert_snapshot!(name, render(lines));
            if with_errors.contains(file) {
                continue;
            }
            for (i, tokens) in lines.iter().enumerate() {
                for t in tokens {
                    let meaningful = t.scopes.iter().any(|s| !s.starts_with("meta."));
                    if !t.text.trim().is_empty() && !meaningful {
                        problems.push(format!("{file}:{}: {:?} has no scope", i + 1, t.text));
                    }
                    if let Some(s) = t.scopes.iter().find(|s| s.starts_with("invalid.")) {
                        problems.push(format!("{file}:{}: {:?} is {s}", i + 1, t.text));
                    }
                }
            }
        }
    });
    assert!(
        problems.is_empty(),
        "tokens of valid files the grammar did not understand:\n{}",
        problems.join("\n")
    );
}

/// The scopes of the first token `token` at or after the text `line` (on the
/// first line that contains it).
fn scopes_of<'a>(lines: &'a [Vec<Token>], source: &str, line: &str, token: &str) -> &'a [String] {
    let (index, at) = source
        .lines()
        .enumerate()
        .find_map(|(i, l)| l.find(line).map(|c| (i, c)))
        .unwrap_or_else(|| panic!("no line contains {line:?}"));
    let mut start = 0;
    for t in &lines[index] {
        if start >= at && t.text == token {
            return &t.scopes;
        }
        start += t.text.len();
    }
    panic!("no token {token:?} after {line:?}: {:?}", lines[index])
}

#[test]
fn textmate_scopes_follow_the_language() {
    let sample = root().join("tests/editor/samples/contextual.events");
    let full = root().join("tests/fixtures/spec/full-example.events");
    let bad_escape = root().join("tests/fixtures/codes/E0004.fail.events");
    let bad_modifier = root().join("tests/fixtures/codes/E0031.fail.events");
    let bad_field = root().join("tests/fixtures/codes/E0011.fail.events");
    let all = [&sample, &full, &bad_escape, &bad_modifier, &bad_field].map(|p| p.to_path_buf());
    let tokenized = tokenize(&all);
    #[rustfmt::skip]
    let expectations: &[(&PathBuf, &str, &str, &str)] = &[
        // Contextual keywords: the same word as property, field, declaration, modifier.
        (&sample, "status: Status", "status", "variable.other.property"),
        (&sample, "status: Status", "Status", "entity.name.type.enum"),
        (&sample, "  source: string required", "source", "variable.other.property"),
        (&sample, "  source product", "source", "keyword.other.field"),
        (&sample, "  source product", "product", "variable.other.reference.source"),
        (&sample, "source product { kind", "source", "keyword.declaration.source"),
        (&sample, "source product { kind", "product", "entity.name.declaration.source"),
        (&sample, "source product { kind", "kind", "keyword.other.field"),
        (&sample, "identify: string max_length", "identify", "variable.other.property"),
        (&sample, "  consent analytics", "consent", "keyword.other.field"),
        (&sample, "  consent analytics", "analytics", "variable.other.reference.consent"),
        (&sample, "consent analytics { basis", "consent", "keyword.declaration.consent"),
        (&sample, "consent analytics { basis", "analytics", "entity.name.declaration.consent"),
        (&sample, "pii(contact) consent(analytics)", "consent", "storage.modifier"),
        (&sample, "pii(contact) consent(analytics)", "analytics", "variable.other.reference.consent"),
        (&sample, "    retention: datetime", "retention", "variable.other.property"),
        (&sample, "  retention standard", "standard", "variable.other.reference.retention"),
        (&sample, "  plan: enum(", "plan", "variable.other.property"),
        (&sample, "  plan: enum(", "enum", "storage.type.enum"),
        (&sample, "  use Source", "Source", "entity.name.type.bundle"),
        (&sample, "kpi \"Status changes\"", "kpi", "keyword.declaration.kpi"),
        (&sample, "dimensions status", "status", "variable.other.property"),
        // Names, owners, types, modifiers.
        (&sample, "event \"Status Changed\"", "Status Changed", "entity.name.event"),
        (&sample, "event \"Status Changed\"", "event", "keyword.declaration.event"),
        (&sample, "owner @analytics {", "@analytics", "entity.name.declaration.owner"),
        (&sample, "  owner @analytics", "@analytics", "variable.other.owner"),
        (&sample, "backup @data-eng", "@data-eng", "variable.other.owner"),
        (&sample, "tags: list(list(string))", "list", "storage.type.list"),
        (&sample, "tags: list(list(string))", "string", "support.type.primitive"),
        (&sample, "tags: list(list(string))", "min_length", "storage.modifier"),
        (&sample, "status: Status required", "required", "storage.modifier"),
        (&sample, "window: object {", "object", "storage.type.object"),
        (&sample, "format(date-time)", "date-time", "constant.language"),
        (&sample, "pii(contact)", "contact", "constant.language"),
        // Literals.
        (&sample, "min(-10.5)", "-10.5", "constant.numeric"),
        (&sample, "sampling 12.5%", "12.5%", "constant.numeric.percentage"),
        (&sample, "release 2026-01-01", "2026-01-01", "constant.other.date"),
        (&sample, "duration 2 years", "2", "constant.numeric.duration"),
        (&sample, "duration 2 years", "years", "keyword.other.unit.duration"),
        (&sample, "escalate_after 3 in 2 days", "in", "keyword.operator.in"),
        (&sample, "baa false", "false", "constant.language.boolean"),
        (&sample, "basis consent", "consent", "constant.language"),
        (&sample, "Tab\\there", "\\t", "constant.character.escape"),
        (&sample, "Tab\\there", "\\u{1F600}", "constant.character.escape"),
        (&sample, "Tab\\there", "\\\\", "constant.character.escape"),
        (&sample, "pattern(\"^[a-z]+", "\\\\", "constant.character.escape"),
        (&sample, "plan \"Contextual", "\\\"", "constant.character.escape"),
        (&sample, "// Editor sample", "//", "comment.line.double-slash"),
        // A value list continued on the next line after a comma.
        (&sample, "          web", "web", "variable.other.reference.source"),
        // Multi-line arguments.
        (&sample, "    reason \"legacy", "reason", "keyword.other.argument"),
        // Rule settings.
        (&sample, "\"docs/missing-description\" = warn", "=", "keyword.operator.assignment"),
        (&sample, "\"docs/missing-description\" = warn", "warn", "constant.language.level"),
        (&full, "sources     product", "sources", "keyword.other.field"),
        (&full, "escalation  @analytics", "@revops", "variable.other.owner"),
        // What the grammar marks as invalid.
        (&bad_escape, "pattern(", "\\d", "invalid.illegal.escape"),
        (&bad_modifier, "requried", "requried", "invalid.illegal.modifier"),
        (&bad_field, "ownr", "ownr", "invalid.illegal.field"),
    ];
    let mut failures = Vec::new();
    for (path, line, token, scope) in expectations {
        let source = std::fs::read_to_string(path).expect("readable");
        let lines = &tokenized[&rel(path)];
        let scopes = scopes_of(lines, &source, line, token);
        if !scopes
            .iter()
            .any(|s| s == scope || s.starts_with(&format!("{scope}.")))
        {
            failures.push(format!(
                "{}: {token:?} on {line:?} should be {scope}, is {scopes:?}",
                rel(path)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn vscode_extension_manifest_matches_the_grammar() {
    let dir = root().join("editors/vscode");
    let read = |p: &str| -> Value {
        serde_json::from_str(&std::fs::read_to_string(dir.join(p)).expect("readable"))
            .unwrap_or_else(|e| panic!("{p} is not JSON: {e}"))
    };
    let manifest = read("package.json");
    let language = &manifest["contributes"]["languages"][0];
    assert_eq!(language["id"], "events");
    assert_eq!(language["extensions"][0], ".events");
    let config = read(language["configuration"].as_str().expect("configuration"));
    assert_eq!(config["comments"]["lineComment"], "//");
    let pairs = config["autoClosingPairs"].to_string();
    for p in ["\"{\"", "\"(\"", "\"[\"", "\"\\\"\""] {
        assert!(pairs.contains(p), "auto-closing pair {p} in {pairs}");
    }
    let grammar_entry = &manifest["contributes"]["grammars"][0];
    assert_eq!(grammar_entry["language"], "events");
    assert_eq!(grammar_entry["scopeName"], "source.events");
    let grammar = read(grammar_entry["path"].as_str().expect("path"));
    assert_eq!(grammar["scopeName"], "source.events");
    // The client starts `eventsc lsp`.
    let main = manifest["main"].as_str().expect("main");
    let js = std::fs::read_to_string(dir.join(main)).expect("extension.js");
    assert!(
        js.contains("args: ['lsp']"),
        "the client runs `eventsc lsp`"
    );
    let status = Command::new(require(Tool::Node))
        .arg("--check")
        .arg(dir.join(main))
        .status()
        .expect("`node` runs");
    assert!(status.success(), "{main} is valid JavaScript");
}

/// The extension is complete for the marketplace: repository, licence file,
/// README, `vsce` pinned as a devDependency, Restricted Mode declared with the
/// server path restricted; its server path resolution passes its unit tests
/// (node), and `vsce package` makes the `.vsix` offline.
#[test]
fn vscode_extension_packages() {
    let dir = root().join("editors/vscode");
    let manifest: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("package.json")).expect("package.json"),
    )
    .expect("JSON");
    assert!(manifest["repository"]["url"].is_string(), "repository");
    assert_eq!(manifest["license"], "MIT");
    let licence = std::fs::read_to_string(dir.join("LICENSE")).expect("LICENSE");
    assert!(licence.starts_with("MIT License"));
    assert!(dir.join("README.md").is_file());
    let vsce = manifest["devDependencies"]["@vscode/vsce"]
        .as_str()
        .expect("@vscode/vsce is a devDependency");
    assert!(
        vsce.chars().all(|c| c.is_ascii_digit() || c == '.'),
        "pinned: {vsce}"
    );
    let untrusted = &manifest["capabilities"]["untrustedWorkspaces"];
    assert_eq!(untrusted["supported"], "limited");
    assert_eq!(
        untrusted["restrictedConfigurations"],
        serde_json::json!(["eventsc.server.path"])
    );

    let modules = require(Tool::NodeModules("editors/vscode"));
    let out = Command::new(require(Tool::Node))
        .args(["--test", "test/"])
        .current_dir(&dir)
        .output()
        .expect("`node` runs");
    assert!(
        out.status.success(),
        "the extension's unit tests:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );

    let bin = modules.join(".bin/vsce");
    let target = tempfile::tempdir().expect("temp dir");
    let vsix = target.path().join("eventsc.vsix");
    let out = Command::new(&bin)
        .args(["package", "--out"])
        .arg(&vsix)
        .current_dir(&dir)
        // No network: a proxy that refuses every connection.
        .env("HTTPS_PROXY", "http://127.0.0.1:9")
        .env("HTTP_PROXY", "http://127.0.0.1:9")
        .env("npm_config_offline", "true")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("vsce runs");
    assert!(
        out.status.success(),
        "vsce package:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let size = std::fs::metadata(&vsix).expect("the .vsix").len();
    assert!(size > 1000, "{size} bytes");
    // What the package holds: the extension, its grammar, licence and README,
    // its run-time dependency; not its tests nor vsce.
    let listing = Command::new(&bin)
        .args(["ls"])
        .current_dir(&dir)
        .env("HTTPS_PROXY", "http://127.0.0.1:9")
        .env("npm_config_offline", "true")
        .output()
        .expect("vsce ls");
    let files = String::from_utf8_lossy(&listing.stdout);
    for f in [
        "extension.js",
        "server-path.js",
        "LICENSE",
        "README.md",
        "syntaxes/events.tmLanguage.json",
    ] {
        assert!(
            files.lines().any(|l| l == f),
            "{f} in the package:\n{files}"
        );
    }
    assert!(
        !files.contains("test/"),
        "no tests in the package:\n{files}"
    );
    assert!(!files.contains("@vscode/vsce"), "no vsce in the package");
}

// --- Vim -------------------------------------------------------------------

fn vim(script: &str, file: &Path) -> String {
    let out_file = tempfile::NamedTempFile::new().expect("temp file");
    let script_file = tempfile::NamedTempFile::new().expect("temp file");
    std::fs::write(script_file.path(), script).expect("write script");
    let status = Command::new(require(Tool::Vim))
        .current_dir(root())
        .args(["-N", "-u", "NONE", "-i", "NONE", "-n", "-es"])
        .args(["--cmd", "set rtp^=editors/vim"])
        .args(["-c", "filetype plugin indent on", "-c", "syntax on"])
        .arg("-c")
        .arg(format!("edit {}", file.display()))
        .env("OUT", out_file.path())
        .arg("-c")
        .arg(format!("source {}", script_file.path().display()))
        .args(["-c", "qa!"])
        .status()
        .expect("vim runs");
    assert!(status.success(), "vim exited with {status}");
    std::fs::read_to_string(out_file.path()).expect("vim wrote its answer")
}

#[test]
fn vim_syntax_groups_at_chosen_positions() {
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "spec/full-example",
            "plan \"Pipeline",
            "plan",
            "eventsDeclString",
        ),
        (
            "spec/full-example",
            "plan \"Pipeline",
            "Pipeline",
            "eventsDeclTitle",
        ),
        (
            "spec/full-example",
            "  sources     product",
            "sources",
            "eventsField",
        ),
        (
            "spec/full-example",
            "  sources     product",
            "web",
            "eventsWord",
        ),
        (
            "spec/full-example",
            "  sources     product",
            "// declared",
            "eventsComment",
        ),
        (
            "spec/full-example",
            "timeline    2026",
            "2026-12-15",
            "eventsDate",
        ),
        (
            "spec/full-example",
            "coverage        95%",
            "95%",
            "eventsPercent",
        ),
        (
            "spec/full-example",
            "escalate_after  2 in",
            "in",
            "eventsWindowIn",
        ),
        (
            "spec/full-example",
            "escalate_after  2 in",
            "hours",
            "eventsUnit",
        ),
        (
            "spec/full-example",
            "owner @analytics { name",
            "owner",
            "eventsDeclOwner",
        ),
        (
            "spec/full-example",
            "owner @analytics { name",
            "@analytics",
            "eventsDeclOwnerName",
        ),
        (
            "spec/full-example",
            "owner @analytics { name",
            "name",
            "eventsField",
        ),
        (
            "spec/full-example",
            "owner @analytics { name",
            "backup",
            "eventsField",
        ),
        (
            "spec/full-example",
            "owner @analytics { name",
            "@data-eng",
            "eventsOwner",
        ),
        (
            "spec/full-example",
            "consent analytics {",
            "analytics",
            "eventsDeclName",
        ),
        (
            "spec/full-example",
            "tool segment { baa",
            "false",
            "eventsBoolean",
        ),
        (
            "spec/full-example",
            "event \"Trial Started\"",
            "event",
            "eventsDeclEvent",
        ),
        (
            "spec/full-example",
            "event \"Trial Started\"",
            "Trial",
            "eventsEventName",
        ),
        (
            "spec/full-example",
            "  source   product",
            "source",
            "eventsField",
        ),
        (
            "spec/full-example",
            "trial_days: integer",
            "trial_days",
            "eventsPropertyName",
        ),
        (
            "spec/full-example",
            "trial_days: integer",
            "integer",
            "eventsType",
        ),
        (
            "spec/full-example",
            "trial_days: integer",
            "required",
            "eventsModifier",
        ),
        (
            "spec/full-example",
            "trial_days: integer",
            "90",
            "eventsNumber",
        ),
        (
            "spec/full-example",
            "trial_days: integer",
            "Trial length",
            "eventsString",
        ),
        (
            "spec/full-example",
            "  plan:       Plan",
            "Plan",
            "eventsEnumType",
        ),
        (
            "spec/full-example",
            "    source:   string",
            "source",
            "eventsPropertyName",
        ),
        (
            "spec/full-example",
            "steps_completed: list",
            "list",
            "eventsListType",
        ),
        (
            "spec/full-example",
            "steps_completed: list",
            "string",
            "eventsType",
        ),
        (
            "spec/full-example",
            "utm: object",
            "object",
            "eventsObjectType",
        ),
        (
            "spec/full-example",
            "email:   string",
            "pii",
            "eventsModifier",
        ),
        (
            "spec/full-example",
            "email:   string",
            "consent",
            "eventsModifier",
        ),
        (
            "editor-sample",
            "status: Status",
            "status",
            "eventsPropertyName",
        ),
        (
            "editor-sample",
            "status: Status",
            "Status",
            "eventsEnumType",
        ),
        (
            "editor-sample",
            "  source: string required",
            "source",
            "eventsPropertyName",
        ),
        (
            "editor-sample",
            "  status deprecated",
            "status",
            "eventsField",
        ),
        ("editor-sample", "Tab\\there", "\\t", "eventsEscape"),
        ("editor-sample", "Tab\\there", "\\u{1F600}", "eventsEscape"),
        ("editor-sample", "= warn", "warn", "eventsLevel"),
        (
            "editor-sample",
            "\"docs/missing-description\" =",
            "docs",
            "eventsRuleSetting",
        ),
        (
            "editor-sample",
            "    reason \"legacy",
            "reason",
            "eventsArgKey",
        ),
        ("editor-sample", "min(-10.5)", "-10.5", "eventsNumber"),
        ("codes/E0004.fail", "pattern(", "\\d", "eventsEscapeError"),
        // `list(object { … })`: its properties, modifiers and descriptions (a
        // `)` in one does not end the list), and the lines after it.
        (
            "nested-lists",
            "    product_id:",
            "product_id",
            "eventsPropertyName",
        ),
        ("nested-lists", "    product_id:", "string", "eventsType"),
        (
            "nested-lists",
            "    product_id:",
            "required",
            "eventsModifier",
        ),
        ("nested-lists", "    product_id:", "Catalog", "eventsString"),
        ("nested-lists", "    price:", "min", "eventsModifier"),
        ("nested-lists", "    labels:", "enum", "eventsInlineEnum"),
        ("nested-lists", "    labels:", "new", "eventsString"),
        (
            "nested-lists",
            "  }) required",
            "required",
            "eventsModifier",
        ),
        ("nested-lists", "  }) required", "Items", "eventsString"),
        // `list(enum("a", "b"))`: the values are strings.
        ("nested-lists", "  sizes:", "sizes", "eventsPropertyName"),
        ("nested-lists", "  sizes:", "enum", "eventsInlineEnum"),
        ("nested-lists", "  sizes:", "\"s\"", "eventsString"),
        ("nested-lists", "  sizes:", "Sizes", "eventsString"),
        ("nested-lists", "  total:", "total", "eventsPropertyName"),
        ("nested-lists", "  total:", "number", "eventsType"),
        ("nested-lists", "  total:", "min", "eventsModifier"),
    ];
    let mut by_file: BTreeMap<&str, Vec<(usize, usize, &str, &str)>> = BTreeMap::new();
    for (file, line, token, group) in cases {
        let source = std::fs::read_to_string(case_path(file)).expect("readable");
        let (l, text) = source
            .lines()
            .enumerate()
            .find(|(_, l)| l.contains(line))
            .unwrap_or_else(|| panic!("{file}: no line contains {line:?}"));
        let col = text
            .find(token)
            .unwrap_or_else(|| panic!("{file}: {token:?} not on {line:?}"));
        by_file
            .entry(file)
            .or_default()
            .push((l + 1, col + 1, token, group));
    }
    let mut failures = Vec::new();
    for (file, positions) in by_file {
        let list = positions
            .iter()
            .map(|(l, c, _, _)| format!("[{l}, {c}]"))
            .collect::<Vec<_>>()
            .join(", ");
        let script = format!(
            "call writefile(map([{list}], {{_, p -> synIDattr(synID(p[0], p[1], 1), 'name')}}), $OUT)\n"
        );
        let answer = vim(&script, &case_path(file));
        let groups: Vec<&str> = answer.lines().collect();
        assert_eq!(
            groups.len(),
            positions.len(),
            "vim answered for every position"
        );
        for ((l, c, token, want), got) in positions.iter().zip(groups) {
            if got != *want {
                failures.push(format!(
                    "{file}:{l}:{c} {token:?}: want {want}, got {got:?}"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn case_path(name: &str) -> PathBuf {
    if name == "editor-sample" {
        root().join("tests/editor/samples/contextual.events")
    } else if name == "nested-lists" {
        root().join("tests/editor/samples/nested-lists.events")
    } else {
        root().join(format!("tests/fixtures/{name}.events"))
    }
}

#[test]
fn vim_filetype_commentstring_and_indent() {
    let file = root().join("tests/fixtures/spec/full-example.events");
    let answer = vim(
        "call writefile([&filetype, &commentstring, &shiftwidth, &expandtab, b:current_syntax], $OUT)\n",
        &file,
    );
    assert_eq!(
        answer.lines().collect::<Vec<_>>(),
        ["events", "// %s", "2", "1", "events"]
    );

    // Re-indenting with every line flush left gives back the spec's example
    // and a plan of nested lists in `fmt` layout (`list(object {` opens one
    // level, `})` closes it).
    for file in [
        file,
        root().join("tests/editor/samples/nested-lists.events"),
    ] {
        let original = std::fs::read_to_string(&file).expect("readable");
        let flat: String = original
            .lines()
            .map(|l| format!("{}\n", l.trim_start()))
            .collect();
        let dir = tempfile::tempdir().expect("temp dir");
        let flat_file = dir.path().join("flat.events");
        std::fs::write(&flat_file, flat).expect("write");
        let reindented = vim(
            "normal! gg=G\ncall writefile(getline(1, '$'), $OUT)\n",
            &flat_file,
        );
        let want: Vec<&str> = original.lines().collect();
        let got: Vec<&str> = reindented.lines().collect();
        assert_eq!(got, want, "gg=G re-indents {} as written", file.display());
    }
}

// --- The vocabulary ----------------------------------------------------------

/// A plan using every word of the vocabulary (`eventsc::vocab`): every
/// declaration with every field, the nested blocks, every type and every
/// modifier; with what each word is, and where.
fn vocabulary_sample() -> (String, Vec<(usize, usize, &'static str, &'static str)>) {
    use eventsc::vocab;
    let mut text = String::new();
    // (line, byte column, word, what it is)
    let mut words = Vec::new();
    let line = |text: &mut String, s: &str| {
        text.push_str(s);
        text.push('\n');
    };
    let mut at = |text: &str, word: &'static str, what: &'static str| {
        let l = text.lines().count();
        let last = text.lines().last().unwrap_or("");
        let col = last.find(word).expect("the word is on the line");
        words.push((l, col, word, what));
    };
    for b in vocab::DECLARATIONS {
        let name = match b.keyword {
            "plan" | "event" | "kpi" | "page" | "screen" => " \"X\"",
            "owner" => " @x",
            "common" | "identify" | "group" | "envelope" => "",
            _ => " x",
        };
        line(&mut text, &format!("{}{name} {{", b.keyword));
        at(&text, b.keyword, "declaration");
        for f in b.fields {
            let nested = vocab::block(f.name).filter(|n| !n.top_level);
            match (f.name, nested) {
                (_, Some(n)) => {
                    line(&mut text, &format!("  {} {{", f.name));
                    at(&text, f.name, "field");
                    for g in n.fields {
                        line(&mut text, &format!("    {} x", g.name));
                        at(&text, g.name, "field");
                    }
                    line(&mut text, "  }");
                }
                ("allow", None) => {
                    line(
                        &mut text,
                        "  allow(\"docs/missing-description\", reason \"x\")",
                    );
                    at(&text, f.name, "field");
                }
                ("owner" | "backup", None) => {
                    line(&mut text, &format!("  {} @x", f.name));
                    at(&text, f.name, "field");
                }
                (_, None) => {
                    line(&mut text, &format!("  {} x", f.name));
                    at(&text, f.name, "field");
                }
            }
        }
        if b.keyword == "event" {
            // Property names that hold no keyword (`at` finds a word's first
            // occurrence on its line).
            for t in vocab::TYPES {
                line(&mut text, &format!("  p: {}", t.name));
                at(&text, t.name, "type");
            }
            line(&mut text, "  p: list(string)");
            at(&text, "list", "type");
            line(&mut text, "  p: enum(\"a\", \"b\")");
            at(&text, "enum", "type");
            line(&mut text, "  p: object {");
            at(&text, "object", "type");
            line(&mut text, "    x: string");
            line(&mut text, "  }");
            for m in vocab::MODIFIERS {
                let written = match (m.flag, m.name) {
                    (true, _) => m.name.to_string(),
                    (false, "allow") => "allow(\"docs/missing-description\", reason \"x\")".into(),
                    (false, "pattern") => "pattern(\"^a$\")".into(),
                    (false, "example") => "example(\"a\")".into(),
                    (false, _) => format!("{}(x)", m.name),
                };
                line(&mut text, &format!("  p: integer {written} \"d\""));
                at(&text, m.name, "modifier");
            }
        }
        line(&mut text, "}");
        line(&mut text, "");
    }
    (text, words)
}

/// Both editor grammars highlight every word of the vocabulary as what it is:
/// a word added to `eventsc::vocab` fails this test until the TextMate grammar
/// and the Vim syntax know it.
#[test]
fn editor_grammars_know_every_word_of_the_vocabulary() {
    let (text, words) = vocabulary_sample();
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("vocabulary.events");
    std::fs::write(&file, &text).expect("write the sample");
    // TextMate.
    let tokenized = tokenize(std::slice::from_ref(&file));
    let lines = tokenized.values().next().expect("the sample");
    let mut failures = Vec::new();
    for &(l, col, word, what) in &words {
        let mut start = 0;
        let token = lines[l - 1].iter().find(|t| {
            let found = start == col && t.text == word;
            start += t.text.len();
            found
        });
        let scopes = token.map(|t| t.scopes.clone()).unwrap_or_default();
        let ok = |prefix: &str| scopes.iter().any(|s| s.starts_with(prefix));
        let good = match what {
            "declaration" => ok(&format!("keyword.declaration.{word}")),
            "field" => ok("keyword.other.field"),
            "type" => ok("support.type") || ok("storage.type"),
            _ => ok("storage.modifier"),
        } && !ok("invalid");
        if !good {
            failures.push(format!("TextMate: {what} `{word}` on line {l}: {scopes:?}"));
        }
    }
    // Vim: the syntax group at each word.
    let mut script = String::from("let out = []\n");
    for &(l, col, _, _) in &words {
        script.push_str(&format!(
            "call add(out, synIDattr(synID({l}, {}, 1), 'name'))\n",
            col + 1
        ));
    }
    script.push_str("call writefile(out, $OUT)\n");
    let groups = vim(&script, &file);
    for (&(l, _, word, what), group) in words.iter().zip(groups.lines()) {
        let good = match what {
            "declaration" => group.starts_with("eventsDecl"),
            "field" => group == "eventsField",
            "type" => {
                group == "eventsType"
                    || group == "eventsListType"
                    || group == "eventsInlineEnum"
                    || group == "eventsObjectType"
            }
            _ => group == "eventsModifier",
        };
        if !good {
            failures.push(format!("Vim: {what} `{word}` on line {l}: {group:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{}\n\nthe sample:\n{text}",
        failures.join("\n")
    );
}
