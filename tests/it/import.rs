//! `eventsc import`: every layout to a formatted `.events` plan; warnings for
//! what cannot be expressed; located errors (exit 2, nothing written) for
//! input that cannot be read. The round trips on the corpora are in
//! `import_roundtrip.rs`.

use crate::common::run::{self, Run};
use crate::common::*;

fn snapshot(name: &str, record: &str) {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path(root().join("tests/snapshots/import"));
    settings.bind(|| insta::assert_snapshot!(name, record));
}

fn import(args: &[&str], stdin: Option<&[u8]>) -> Run {
    let mut all = vec!["import"];
    all.extend_from_slice(args);
    run::eventsc(&root(), &all, stdin)
}

/// Every construct of issue 14 (the names `import_roundtrip::CONSTRUCTS`
/// uses) parses, checks with no error and formats, each in a small plan.
#[test]
fn every_construct_of_issue_14_checks_and_formats() {
    const HEAD: &str = "plan \"P\" {}\nowner @o {}\n";
    let probes: [(&str, &str); 15] = [
        (
            "quoted property names",
            "event \"A Happened\" {\n  owner @o\n  \"x y\": string allow(\"naming/property-case\", reason \"r\")\n}\n",
        ),
        ("any", "event \"A Happened\" {\n  owner @o\n  x: any\n}\n"),
        (
            "unions",
            "event \"A Happened\" {\n  owner @o\n  x: string | integer nullable\n}\n",
        ),
        (
            "number enums",
            "event \"A Happened\" {\n  owner @o\n  x: enum(1, 2.5, true)\n}\n",
        ),
        (
            "closed objects",
            "event \"A Happened\" {\n  owner @o\n  closed\n  x: object {\n    y: string\n  } closed\n}\n",
        ),
        (
            "multiple_of",
            "event \"A Happened\" {\n  owner @o\n  x: integer multiple_of(5)\n}\n",
        ),
        (
            "list items",
            "event \"A Happened\" {\n  owner @o\n  x: list(string max_length(3) nullable)\n  y: list(any)\n}\n",
        ),
        (
            "envelope",
            "envelope {\n  require_one_of userId, anonymousId\n  context: object {\n    ip: string not_pattern(\"^10\\\\.\")\n  }\n  type: string not_enum(\"alias\")\n}\n",
        ),
        (
            "not_pattern and not_enum on any property",
            "event \"A Happened\" {\n  owner @o\n  x: string not_pattern(\"^a\")\n  y: integer not_enum(1, 2)\n}\n",
        ),
        (
            "page and screen rules",
            "page {\n  owner @o\n  path: string\n}\npage \"Pricing\" {\n  owner @o\n}\nscreen \"Home\" {\n  owner @o\n  closed\n}\n",
        ),
        (
            "labels",
            "event \"A Happened\" {\n  owner @o\n  labels \"team:web\"\n}\n",
        ),
        (
            "event versions",
            "event \"A Happened\" {\n  version 2\n  owner @o\n}\nevent \"A Happened\" {\n  owner @o\n}\n",
        ),
        (
            "case variants",
            "event \"A Happened\" {\n  owner @o\n}\nevent \"a happened\" {\n  owner @o\n  allow(\"naming/confusable-name\", reason \"r\")\n  allow(\"naming/event-case\", reason \"r\")\n}\n",
        ),
        (
            "reserved names narrowed",
            "event \"A Happened\" {\n  owner @o\n  type: string\n  channel: string\n  id: string\n  timestamp: string\n}\n",
        ),
        (
            "quoted names in fmt",
            "event \"A Happened\" {\n  owner @o\n  \"$\": number allow(\"naming/property-case\", reason \"r\")\n}\n",
        ),
    ];
    let failing: Vec<&str> = probes
        .into_iter()
        .filter(|(_, body)| {
            let text = format!("{HEAD}{body}");
            let (_, checked) = eventsc::check::check_text("probe.events", &text);
            checked.diagnostics.iter().any(|d| d.is_error())
                || eventsc::fmt::format(eventsc::source::FileId(0), &text).is_err()
        })
        .map(|(name, _)| name)
        .collect();
    assert!(
        failing.is_empty(),
        "constructs that do not check or format: {failing:?}"
    );
}

/// The imported plan parses, is already formatted, and `check` finds no error
/// in it.
fn assert_valid_plan(text: &str) {
    assert_eq!(
        eventsc::fmt::format(eventsc::source::FileId(0), text).as_deref(),
        Ok(text),
        "the output is formatted"
    );
    let (_, checked) = eventsc::check::check_text("imported.events", text);
    let errors: Vec<_> = checked
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| format!("{}: {}", d.code, d.message))
        .collect();
    assert!(errors.is_empty(), "{errors:?}\n{text}");
}

#[test]
fn segment_rules() {
    let r = import(
        &["segment", "tests/fixtures/import/segment-rules.json"],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.record);
    assert_valid_plan(&r.stdout);
    snapshot("segment-rules", &r.record);
    // Every keyword the plan cannot carry is named with its place; keys with
    // no plan meaning are counted in one line.
    for needle in [
        "/properties/app_version/title: keyword `title`",
        "/total/exclusiveMinimum",
        "keys with no plan meaning skipped: $schema 2, createdAt 1",
    ] {
        assert!(
            r.stderr.contains(needle),
            "no warning for {needle}:\n{}",
            r.stderr
        );
    }
    // What the plan now holds is kept.
    for kept in [
        "\"first name\": string",
        "multiple_of(5)",
        "} closed",
        "labels \"team:payments\"",
        "page \"Pricing\"",
        "anything: any",
        "mixed: string | number",
        "rating: enum(1, 2, 3)",
        "version 2",
        // `not` is a modifier of any property, not only in the envelope.
        "name: string required not_pattern(\"^test-\")",
        "plan: string not_enum(\"legacy\", \"trial\")",
    ] {
        // (Formatted: fields and types are padded to their block's widths.)
        let flat = r
            .stdout
            .split(' ')
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        assert!(flat.contains(kept), "{kept} is not kept:\n{}", r.stdout);
    }
}

#[test]
fn csv() {
    let r = import(&["csv", "tests/fixtures/import/tracking-plan.csv"], None);
    assert_eq!(r.code, 0, "{}", r.record);
    assert_valid_plan(&r.stdout);
    snapshot("csv", &r.record);
}

#[test]
fn out_file_and_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("plans/imported.events");
    let rules = std::fs::read(root().join("tests/fixtures/import/segment-rules.json")).unwrap();
    let r = import(
        &[
            "segment",
            "-",
            "--out",
            out.to_str().unwrap(),
            "--title",
            "From stdin",
        ],
        Some(&rules),
    );
    assert_eq!(r.code, 0, "{}", r.record);
    assert_eq!(r.stdout, "", "the plan goes to --out");
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.starts_with("plan \"From stdin\" {\n"), "{text}");
}

#[test]
fn errors_are_located_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, &str, &str); 11] = [
        (
            "json-syntax",
            "segment",
            "{\"rules\": [\n  {\"type\": \"TRACK\",}\n]}",
        ),
        ("json-shape", "segment", "{\"events\": []}"),
        ("rules-not-array", "segment", "{\"rules\": {}}"),
        (
            "unknown-rule-type",
            "segment",
            "{\"rules\": [{\"type\": \"TRACKING\", \"jsonSchema\": {}}]}",
        ),
        (
            "track-without-key",
            "segment",
            "{\"rules\": [{\"type\": \"TRACK\", \"jsonSchema\": {}}]}",
        ),
        (
            "csv-unclosed-quote",
            "csv",
            "Type,Event,Name,Data Type\nTrack,\"Order Completed,x,string\n",
        ),
        (
            "csv-field-count",
            "csv",
            "Type,Event,Name,Data Type\nTrack,Order Completed,x\n",
        ),
        (
            "csv-missing-column",
            "csv",
            "Type,Event,Name\nTrack,Order Completed,x\n",
        ),
        (
            "csv-unknown-row-type",
            "csv",
            "Type,Event,Name,Data Type\nAlias,,x,string\n",
        ),
        (
            "csv-bad-version",
            "csv",
            "Type,Event,Name,Data Type,Version\nTrack,Order Completed,,,two\n",
        ),
        (
            "csv-version-on-page",
            "csv",
            "Type,Event,Name,Data Type,Version\nPage,Pricing,,,2\n",
        ),
    ];
    for (name, format, input) in cases {
        let file = dir.path().join(format!("{name}.in"));
        std::fs::write(&file, input).unwrap();
        let out = dir.path().join(format!("{name}.events"));
        let r = run::eventsc(
            dir.path(),
            &[
                "import",
                format,
                &format!("{name}.in"),
                "--out",
                out.to_str().unwrap(),
            ],
            None,
        );
        assert_eq!(r.code, 2, "{name}: {}", r.record);
        assert_eq!(
            r.stderr.lines().count(),
            1,
            "{name}: one line: {}",
            r.stderr
        );
        assert!(!out.exists(), "{name}: nothing is written");
        let record = r.record.replace(out.to_str().unwrap(), "OUT");
        snapshot(&format!("error-{name}"), &record);
    }
    let missing = import(&["segment", "does/not/exist.json"], None);
    assert_eq!(missing.code, 2);
    assert!(
        missing
            .stderr
            .starts_with("error: `does/not/exist.json` does not exist"),
        "{}",
        missing.stderr
    );
}

#[test]
fn help() {
    let r = import(&["--help"], None);
    assert_eq!(r.code, 0);
    snapshot("help", &r.record);
}

/// For every example: `build --target segment` → `import segment` → `build
/// --target segment` gives byte-identical rules, and our own rules import without
/// a warning (everything they say has a place in the plan).
#[test]
fn segment_round_trip_over_every_example() {
    // The example plans that are folders (examples/frontend-qa is a how-to
    // without a plan of its own).
    let examples: Vec<_> = crate::common::example_plans()
        .into_iter()
        .filter(|p| p.is_dir())
        .collect();
    assert!(examples.len() >= 3, "{examples:?}");
    for example in examples {
        let name = example.file_name().unwrap().to_string_lossy().into_owned();
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let first = run::eventsc(
            d,
            &[
                "build",
                example.to_str().unwrap(),
                "--target",
                "segment",
                "--out",
                "first",
            ],
            None,
        );
        assert_eq!(first.code, 0, "{name}: {}", first.record);
        let imported = run::eventsc(
            d,
            &[
                "import",
                "first/segment/rules.json",
                "--out",
                "imported.events",
                "--owner",
                "@analytics",
            ],
            None,
        );
        assert_eq!(imported.code, 0, "{name}: {}", imported.record);
        assert!(
            !imported.stderr.contains("warning:"),
            "{name}: our own rules import with warnings:\n{}",
            imported.stderr
        );
        assert!(
            imported.stderr.contains("the plan checks with no problems"),
            "{name}: {}",
            imported.stderr
        );
        let second = run::eventsc(
            d,
            &[
                "build",
                "imported.events",
                "--target",
                "segment",
                "--out",
                "second",
            ],
            None,
        );
        assert_eq!(second.code, 0, "{name}: {}", second.record);
        let a = std::fs::read(d.join("first/segment/rules.json")).unwrap();
        let b = std::fs::read(d.join("second/segment/rules.json")).unwrap();
        if a != b {
            panic!(
                "{name}: the rules differ after a round trip:\n{}",
                eventsc::fmt::unified_diff(
                    "segment/rules.json",
                    &String::from_utf8_lossy(&a),
                    &String::from_utf8_lossy(&b)
                )
            );
        }
    }
}

/// Each layout is told from its content; the summary names it.
#[test]
fn layouts_are_detected() {
    for (input, layout) in [
        ("tests/fixtures/import/corpus/segment/rules.json", "segment"),
        (
            "tests/fixtures/import/corpus/segment-config-v1/plan.json",
            "segment-config-v1",
        ),
        (
            "tests/fixtures/import/corpus/typewriter/plan.json",
            "typewriter",
        ),
        (
            "tests/fixtures/import/corpus/terraform/main.tf",
            "terraform",
        ),
        ("tests/fixtures/import/corpus/rudderstack", "rudderstack"),
        ("tests/fixtures/import/corpus/snowplow/schemas", "snowplow"),
        ("tests/fixtures/import/tracking-plan.csv", "csv"),
    ] {
        let r = import(&[input, "--owner", "@analytics"], None);
        assert_eq!(r.code, 0, "{input}: {}", r.stderr);
        assert!(
            r.stderr.contains(&format!(" from {layout}: ")),
            "{input}: {}",
            r.stderr
        );
    }
}

/// What cannot be told apart is explained: what was looked for, and `--from`.
#[test]
fn undetectable_inputs_say_what_was_looked_for() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("other.json"), "{\"events\": {}}").unwrap();
    std::fs::create_dir(dir.path().join("empty")).unwrap();
    std::fs::write(dir.path().join("empty/notes.txt"), "hello").unwrap();
    for (name, input) in [("file", "other.json"), ("dir", "empty")] {
        let r = run::eventsc(dir.path(), &["import", input], None);
        assert_eq!(r.code, 2, "{}", r.record);
        assert!(r.stderr.contains("--from"), "{}", r.stderr);
        snapshot(&format!("undetectable-{name}"), &r.record);
    }
    // --from overrides the content: the Segment reader then says what is wrong.
    let r = run::eventsc(
        dir.path(),
        &["import", "other.json", "--from", "segment"],
        None,
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("expected Segment rules"), "{}", r.stderr);
    let bad_owner = run::eventsc(
        dir.path(),
        &["import", "other.json", "--owner", "@Growth Team"],
        None,
    );
    assert_eq!(bad_owner.code, 2);
    assert!(
        bad_owner.stderr.contains("`--owner @Growth Team`"),
        "{}",
        bad_owner.stderr
    );
}

/// `--format json`: what was kept, what was lost (with pointers), what was
/// skipped, which rules were relaxed, and the plan when there is no `--out`.
#[test]
fn json_report() {
    let r = import(
        &[
            "tests/fixtures/import/segment-rules.json",
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.record);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["layout"], "segment");
    assert_eq!(v["kept"]["events"], 3);
    assert_eq!(v["skipped"]["createdAt"], 1);
    assert!(v["lost"].as_array().unwrap().iter().any(|w| {
        w["at"]
            .as_str()
            .unwrap()
            .ends_with("/total/exclusiveMinimum")
    }));
    assert_eq!(v["relaxed"][0]["rule"], "ownership/missing-owner");
    assert!(v["plan"].as_str().unwrap().starts_with("plan "));
    let mut shown = v.clone();
    shown["plan"] = serde_json::json!("…");
    snapshot(
        "json-report",
        &serde_json::to_string_pretty(&shown).unwrap(),
    );
}

/// Without `--owner`, what has no owner relaxes `ownership/missing-owner` with
/// a TODO(import) saying what; with it, everything is owned and nothing relaxed.
#[test]
fn owner() {
    let without = import(&["tests/fixtures/import/tracking-plan.csv"], None);
    assert!(
        without
            .stdout
            .contains("// TODO(import): the input names no owner for 2 events, identify, group and 1 page or screen rule"),
        "{}",
        without.stdout
    );
    let with = import(
        &[
            "tests/fixtures/import/tracking-plan.csv",
            "--owner",
            "@growth",
        ],
        None,
    );
    assert!(
        !with
            .stdout
            .contains("TODO(import): the input names no owner")
    );
    assert!(with.stdout.contains("owner @growth {}"), "{}", with.stdout);
    // (The plan is formatted: `owner` may be padded to its block's field width.)
    assert_eq!(
        with.stdout
            .lines()
            .filter(|l| l.starts_with("  owner ") && l.trim_end().ends_with(" @growth"))
            .count(),
        5,
        "{}",
        with.stdout
    );
}

/// Every reader's errors are located (file:line:col or a JSON pointer) and
/// nothing is written.
#[test]
fn layout_errors_are_located() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("bad.tf"),
        "resource \"segment_tracking_plan\" \"x\" {\n  rules = [ {\n",
    )
    .unwrap();
    std::fs::create_dir_all(d.join("rudder")).unwrap();
    std::fs::write(d.join("rudder/tp.yaml"), "kind: tp\nspec: [unclosed\n").unwrap();
    std::fs::create_dir_all(d.join("iglu/com.acme/x/jsonschema")).unwrap();
    std::fs::write(d.join("iglu/com.acme/x/jsonschema/1-0-0"), "{\"self\": ").unwrap();
    std::fs::write(
        d.join("config.json"),
        "{\"rules\": {\"events\": [{\"rules\": {}}]}}",
    )
    .unwrap();
    for (name, input) in [
        ("terraform", "bad.tf"),
        ("rudderstack", "rudder"),
        ("snowplow", "iglu"),
        ("config-v1", "config.json"),
    ] {
        let r = run::eventsc(d, &["import", input, "--out", "out.events"], None);
        assert_eq!(r.code, 2, "{name}: {}", r.record);
        assert!(!d.join("out.events").exists(), "{name}");
        snapshot(&format!("error-{name}"), &r.record);
    }
}

/// A rule the input breaks (here a reserved Segment name redefined as a
/// property) is set to `warn` with a TODO(import) saying why and how often:
/// the plan checks with no errors.
#[test]
fn rules_the_input_breaks_are_relaxed() {
    let rules = r#"{"rules": [{"type": "TRACK", "key": "Order Completed", "version": 1,
        "jsonSchema": {"labels": {"owner": "shop"}, "properties": {"properties": {"type": "object",
        "properties": {"anonymousId": {"type": "string"}, "total": {"type": "number"}}}}}}]}"#;
    let r = import(&["-"], Some(rules.as_bytes()));
    assert_eq!(r.code, 0, "{}", r.record);
    assert!(
        r.stdout.contains("\"segment/reserved-name\" = warn"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("// TODO(import): the input breaks it 1 time (first: "),
        "{}",
        r.stdout
    );
    let summary = r.stderr.lines().last().unwrap();
    assert!(
        summary.contains("the plan checks with") && !summary.contains("error"),
        "{}",
        r.stderr
    );
    // The summary's counts (the first check, the relaxed rules' findings as
    // warnings) are what `check` finds in the written plan.
    let (_, checked) = eventsc::check::check_text("imported.events", &r.stdout);
    let counts = eventsc::diagnostics::count(&checked.diagnostics);
    assert!(
        summary.ends_with(&format!("the plan checks with {}", counts.summary())),
        "{summary}"
    );
    snapshot("relaxed-rule", &r.record);
}

/// Lists the readers look names up in are read through maps: a `type` list of
/// 100,000 names, a COMMON rule requiring 60,000 top-level fields, 30,000
/// PAGE rules and a `required` list repeating one name 100,000 times each
/// take well under a second (minutes when each name was searched for in
/// those kept so far).
#[test]
fn readers_are_linear_in_type_lists_required_fields_and_page_rules() {
    let types: Vec<String> = (0..100_000).map(|i| format!("\"t{i}\"")).collect();
    let required: Vec<String> = (0..60_000).map(|i| format!("\"f{i}\"")).collect();
    let fields: Vec<String> = (0..60_000)
        .map(|i| format!(r#""f{i}": {{"type": "string"}}"#))
        .collect();
    let pages: Vec<String> = (0..30_000)
        .map(|i| format!(r#"{{"type": "PAGE", "key": "P{i}", "version": 1, "jsonSchema": {{}}}}"#))
        .collect();
    let again = vec!["\"properties\""; 100_000].join(",");
    let text = format!(
        r#"{{"rules": [
            {{"type": "TRACK", "key": "A", "version": 1, "jsonSchema": {{"required": [{again}], "properties": {{"properties": {{"type": "object", "properties": {{"x": {{"type": [{}]}}}}}}}}}}}},
            {{"type": "COMMON", "version": 1, "jsonSchema": {{"required": [{}], "properties": {{{}}}}}}},
            {}
        ]}}"#,
        types.join(","),
        required.join(","),
        fields.join(","),
        pages.join(",")
    );
    let start = std::time::Instant::now();
    let (plan, report) = eventsc::import::segment::read(&text).expect("reads");
    assert!(start.elapsed() < std::time::Duration::from_secs(20));
    assert_eq!(plan.screens.len(), 30_000);
    let env = plan.envelope.expect("an envelope");
    assert_eq!(env.properties.len(), 60_000);
    assert!(env.properties.iter().all(|p| p.required));
    // Each unknown type name warned once.
    let unknown = report
        .warnings
        .iter()
        .filter(|w| w.message.contains("is not a JSON Schema type"))
        .count();
    assert_eq!(unknown, 100_000);
}

/// The `csv` target's Page and Screen rows and its `Version` column come back
/// through `import csv`: the same rules (type, page name, event version) as
/// the plan that wrote them (a bad version: `error-csv-bad-version`).
#[test]
fn csv_keeps_page_and_screen_rules_and_versions() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let plan = root().join("tests/fixtures/targets/calls.events");
    let rules_of = |out: &str| -> Vec<(String, String, u64)> {
        let text = std::fs::read_to_string(d.join(out).join("segment/rules.json")).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let mut r: Vec<_> = v["rules"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["type"] != "COMMON")
            .map(|r| {
                (
                    r["type"].as_str().unwrap_or_default().to_string(),
                    r["key"].as_str().unwrap_or_default().to_string(),
                    r["version"].as_u64().unwrap_or_default(),
                )
            })
            .collect();
        r.sort();
        r
    };
    let built = run::eventsc(
        d,
        &[
            "build",
            plan.to_str().unwrap(),
            "--out",
            "a",
            "--target",
            "csv,segment",
        ],
        None,
    );
    assert_eq!(built.code, 0, "{}", built.record);
    let imported = run::eventsc(
        d,
        &[
            "import",
            "a/csv/segment-tracking-plan.csv",
            "--out",
            "imported.events",
            "--owner",
            "@web",
        ],
        None,
    );
    assert_eq!(imported.code, 0, "{}", imported.record);
    assert!(!imported.stderr.contains("warning:"), "{}", imported.record);
    let again = run::eventsc(
        d,
        &[
            "build",
            "imported.events",
            "--out",
            "b",
            "--target",
            "segment",
        ],
        None,
    );
    assert_eq!(again.code, 0, "{}", again.record);
    let (want, got) = (rules_of("a"), rules_of("b"));
    assert!(
        want.iter().any(|r| r.0 == "PAGE" && r.1.is_empty()),
        "{want:?}"
    );
    assert!(want.iter().any(|r| r.0 == "SCREEN"), "{want:?}");
    assert!(want.iter().any(|r| r.0 == "TRACK" && r.2 == 3), "{want:?}");
    assert_eq!(got, want);
}
