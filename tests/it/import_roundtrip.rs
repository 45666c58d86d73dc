//! Round trips of `eventsc import` on a realistic corpus per layout
//! (`tests/fixtures/import/corpus/`, written by its `gen.py`): each input has
//! the Segment Public API rules its round trip must give back.
//!
//! - `importers_lose_nothing`: each layout's reader fills the import model with
//!   every schema node of the input (the model, rendered as rules here, equals
//!   the expected rules) and reports no warning.
//! - `round_trip_through_build`: `import` → `check` (no errors) → `build
//!   --target all` → `segment/rules.json` equals the expected rules, through
//!   `eventsc import` as a user runs it.
//!
//! Both compare JSON Schema nodes after one normalization, the documented
//! round-trip guarantee (README, "Import"): key order; `$schema` (the draft);
//! `id`/`$id` (editor ids) and rule timestamps; `type: [T]` is `T` and type
//! lists are sets (`integer` beside `number` is implied); `required` lists are sets (an empty one is absent);
//! `properties: {}`, `items: {}`, `additionalProperties: true` and empty
//! descriptions are absent; `null` admitted by a nullable enum is in both its
//! `type` and its `enum`; `const: v` is `enum: [v]`; numbers are compared as
//! numbers; a call's unconstrained `context`/`traits`/`properties` (`{}`) are
//! absent, and `required: ["properties"]`/`["traits"]` at the top of a rule is
//! implied by a required property; an `identity` label is the identity the
//! schema's required id states; the `owner` label `import --owner` gives what
//! the input gave no owner is the only label the round trip adds.

use crate::common::run;
use crate::common::*;
use eventsc::import::detect::{self, Input, Layout};
use eventsc::import::{Literal, Plan, Property, Type};
use serde_json::{Map, Value, json};
use std::path::PathBuf;

/// (layout, input relative to the corpus, expected rules).
const CASES: &[(Layout, &str, &str)] = &[
    (
        Layout::Segment,
        "segment/rules.json",
        "segment/expected.json",
    ),
    (
        Layout::SegmentConfigV1,
        "segment-config-v1/plan.json",
        "segment-config-v1/expected.json",
    ),
    (
        Layout::Typewriter,
        "typewriter/plan.json",
        "typewriter/expected.json",
    ),
    (
        Layout::Typewriter,
        "typewriter/plan-v7.json",
        "typewriter/expected-v7.json",
    ),
    (
        Layout::Rudderstack,
        "rudderstack",
        "rudderstack-expected.json",
    ),
    (
        Layout::Snowplow,
        "snowplow/schemas",
        "snowplow/expected.json",
    ),
    (
        Layout::Terraform,
        "terraform/main.tf",
        "terraform/expected.json",
    ),
];

fn corpus(rel: &str) -> PathBuf {
    root().join("tests/fixtures/import/corpus").join(rel)
}

fn input(path: &std::path::Path) -> Input {
    if path.is_dir() {
        Input::Dir(detect::read_dir(path).unwrap())
    } else {
        Input::File(std::fs::read_to_string(path).unwrap())
    }
}

fn expected(rel: &str) -> Value {
    let text = std::fs::read_to_string(corpus(rel)).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn every_layout_is_detected_by_its_content() {
    for (layout, rel, _) in CASES {
        let path = corpus(rel);
        let found = match input(&path) {
            Input::File(t) => detect::detect_file(&path, &t),
            Input::Dir(files) => detect::detect_dir(&files),
        };
        // typewriter 7 wrote Config API v1 plans: the same reader.
        let want = if rel.ends_with("plan-v7.json") {
            Layout::SegmentConfigV1
        } else {
            *layout
        };
        assert_eq!(found, Ok(want), "{rel}");
    }
}

#[test]
fn importers_lose_nothing() {
    for (layout, rel, exp) in CASES {
        let (plan, report) = detect::read(*layout, &input(&corpus(rel))).unwrap();
        assert!(
            report.warnings.is_empty(),
            "{rel}: {} warnings, first: {}",
            report.warnings.len(),
            report.warnings[0]
        );
        assert!(
            plan.events.len() >= 100,
            "{rel}: {} events",
            plan.events.len()
        );
        let got = render(&plan);
        let diffs = compare(&expected(exp), &got);
        assert!(
            diffs.is_empty(),
            "{rel}: {} differences, first ones:\n{}",
            diffs.len(),
            diffs[..diffs.len().min(20)].join("\n")
        );
    }
}

/// `eventsc import` on every corpus: no warning (nothing there the plan cannot
/// hold), the keys with no plan meaning counted in one line, and `--format
/// json` listing what was kept (every rule and property of the input) and what
/// was lost (nothing).
#[test]
fn every_corpus_imports_quietly_and_lists_kept_and_lost() {
    let dir = tempfile::tempdir().unwrap();
    for (_, rel, exp) in CASES {
        let path = corpus(rel);
        let path = path.to_str().unwrap();
        let human = run::eventsc(
            dir.path(),
            &[
                "import",
                path,
                "--owner",
                "@analytics",
                "--out",
                "p.events",
                "--force",
            ],
            None,
        );
        assert_eq!(human.code, 0, "{rel}: {}", human.record);
        assert!(
            !human.stderr.contains("warning:"),
            "{rel}: {}",
            human.stderr
        );
        let skipped_lines: Vec<&str> = human
            .stderr
            .lines()
            .filter(|l| l.contains("with no plan meaning skipped"))
            .collect();
        let out = run::eventsc(
            dir.path(),
            &["import", path, "--owner", "@analytics", "--format", "json"],
            None,
        );
        assert_eq!(out.code, 0, "{rel}: {}", out.record);
        let report: Value = serde_json::from_str(&out.stdout).unwrap();
        assert_eq!(report["lost"], json!([]), "{rel}");
        // One line counts every skipped key, as the JSON lists them.
        let skipped: u64 = report["skipped"]
            .as_object()
            .unwrap()
            .values()
            .map(|n| n.as_u64().unwrap())
            .sum();
        match skipped {
            0 => assert!(skipped_lines.is_empty(), "{rel}: {skipped_lines:?}"),
            n => assert!(
                skipped_lines.len() == 1
                    && skipped_lines[0].contains(&format!("{n} keys with no plan meaning")),
                "{rel}: {n} skipped, {skipped_lines:?}"
            ),
        }
        // Kept: every rule and every property of the input.
        let expected = expected(exp);
        let rules = expected["rules"].as_array().unwrap();
        let of = |t: &str| rules.iter().filter(|r| r["type"] == t).count();
        let mut versions: std::collections::HashMap<&str, usize> = Default::default();
        for r in rules.iter().filter(|r| r["type"] == "TRACK") {
            *versions.entry(r["key"].as_str().unwrap()).or_default() += 1;
        }
        let versioned: usize = versions.values().filter(|&&n| n > 1).sum();
        let common = rules.iter().find(|r| r["type"] == "COMMON");
        let envelope = common.is_some_and(|r| {
            r["jsonSchema"]["properties"]
                .as_object()
                .is_some_and(|p| p.keys().any(|k| k != "properties"))
        });
        let properties: usize = rules
            .iter()
            .map(|r| count_properties(&r["jsonSchema"]))
            .sum();
        let kept = &report["kept"];
        assert_eq!(
            kept,
            &json!({
                "events": of("TRACK"),
                "event_versions": versioned,
                "properties": properties,
                "envelope": envelope,
                "common": common.is_some(),
                "identify": of("IDENTIFY") == 1,
                "group": of("GROUP") == 1,
                "pages": of("PAGE"),
                "screens": of("SCREEN"),
            }),
            "{rel}"
        );
        assert_eq!(report["check"]["errors"], 0, "{rel}");
    }
}

/// The properties a rule's schema declares, nested ones included (object
/// properties and list items of objects): the call's `properties`/`traits`
/// and, for COMMON, its other top-level fields (the envelope).
fn count_properties(schema: &Value) -> usize {
    fn props(node: &Value) -> usize {
        let own = node["properties"]
            .as_object()
            .map_or(0, |m| m.values().map(|p| 1 + props(p)).sum::<usize>());
        own + match &node["items"] {
            Value::Object(_) => props(&node["items"]),
            _ => 0,
        }
    }
    schema["properties"].as_object().map_or(0, |m| {
        m.iter()
            .map(|(k, v)| match k.as_str() {
                "properties" | "traits" => props(v),
                _ => 1 + props(v),
            })
            .sum()
    })
}

#[test]
fn round_trip_through_build() {
    for (_, rel, exp) in CASES {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let path = corpus(rel);
        let expected = expected(exp);
        {
            // The user's path: `eventsc import`.
            let imported = run::eventsc(
                d,
                &[
                    "import",
                    path.to_str().unwrap(),
                    "--out",
                    "imported.events",
                    "--owner",
                    &format!("@{IMPORT_OWNER}"),
                ],
                None,
            );
            assert_eq!(imported.code, 0, "{rel}: {}", imported.record);
            // "the plan checks with no problems", "… with 401 warnings": no error.
            let summary = imported.stderr.lines().last().unwrap_or_default();
            assert!(
                summary.contains("the plan checks with") && !summary.contains(" error"),
                "{rel}: {}",
                imported.stderr
            );
        }
        let rules = check_and_build(d, rel, "all");
        let diffs = compare(&expected, &rules);
        assert!(
            diffs.is_empty(),
            "{rel}: {} differences after the round trip, first ones:\n{}",
            diffs.len(),
            diffs[..diffs.len().min(20)].join("\n")
        );
    }
}

/// `rel` read by the library as `eventsc import` reads it.
fn library_import(layout: Layout, rel: &str) -> Plan {
    let (mut plan, _) = detect::read(layout, &input(&corpus(rel))).unwrap();
    if plan.title.trim().is_empty() {
        plan.title = "Imported tracking plan".to_string(); // as `eventsc import`
    }
    plan
}

/// `d/imported.events`: `plan` written as `eventsc import --owner @analytics` writes it.
fn write_plan(d: &std::path::Path, rel: &str, plan: &Plan) {
    let written = eventsc::import::write(
        plan,
        &eventsc::import::Options {
            owner: Some(IMPORT_OWNER.to_string()),
        },
    )
    .unwrap();
    assert!(written.formatted, "{rel}: the plan parses");
    std::fs::write(d.join("imported.events"), &written.text).unwrap();
}

/// `eventsc check` (no errors) and `eventsc build --target TARGET` of
/// `d/imported.events`: the rules of `segment/rules.json`.
fn check_and_build(d: &std::path::Path, rel: &str, target: &str) -> Value {
    let checked = run::eventsc(d, &["check", "imported.events"], None);
    assert_eq!(checked.code, 0, "{rel}: {}", checked.record);
    assert!(
        !checked.stderr.contains("error"),
        "{rel}: {}",
        checked.record
    );
    let built = run::eventsc(
        d,
        &[
            "build",
            "imported.events",
            "--target",
            target,
            "--out",
            "out",
        ],
        None,
    );
    assert_eq!(built.code, 0, "{rel}: {}", built.record);
    serde_json::from_str(&std::fs::read_to_string(d.join("out/segment/rules.json")).unwrap())
        .unwrap()
}

/// The round trip can fail: the corpus's plan with one property lost and one
/// field stated that the input did not have (`status planned`, which the
/// `segment` target then writes as a label) gives back rules that differ in
/// exactly those places.
#[test]
fn the_round_trip_fails_on_a_lost_or_added_node() {
    let (layout, rel, exp) = CASES[0];
    let expected = expected(exp);
    let mut plan = library_import(layout, rel);
    let lost = plan.events[0].properties.remove(0).name;
    let lost_from = plan.events[0].name.clone();
    plan.events[1].status = Some("planned".to_string());
    let added_to = plan.events[1].name.clone();
    let dir = tempfile::tempdir().unwrap();
    write_plan(dir.path(), rel, &plan);
    let diffs = compare(&expected, &check_and_build(dir.path(), rel, "segment"));
    let lost_token = lost.replace('~', "~0").replace('/', "~1");
    assert!(
        diffs
            .iter()
            .any(|d| d.starts_with(&format!("lost TRACK {lost_from:?}"))
                && d.contains(&format!("/properties/properties/properties/{lost_token}"))),
        "{diffs:?}"
    );
    assert!(
        diffs
            .iter()
            .any(|d| d.starts_with(&format!("added TRACK {added_to:?}")) && d.contains("labels")),
        "{diffs:?}"
    );
}

// ---- the import model as rules (what the `segment` target writes for it) ----

fn render(plan: &Plan) -> Value {
    let mut rules = Vec::new();
    if plan.envelope.is_some() || plan.common.is_some() {
        let mut props = Map::new();
        let mut required = Vec::new();
        let mut schema = Map::new();
        if let Some(env) = &plan.envelope {
            for p in &env.properties {
                props.insert(p.name.clone(), property(p));
                if p.required {
                    required.push(json!(p.name));
                }
            }
            if !env.require_one_of.is_empty() {
                let alts: Vec<Value> = env.require_one_of[0]
                    .iter()
                    .map(|n| json!({"required": [n]}))
                    .collect();
                schema.insert("anyOf".into(), Value::Array(alts));
            }
        }
        if let Some(c) = &plan.common {
            props.insert("properties".into(), object(&c.properties, c.closed));
            if let Some(d) = &c.description {
                schema.insert("description".into(), json!(d));
            }
        }
        schema.insert("properties".into(), Value::Object(props));
        schema.insert("required".into(), Value::Array(required));
        rules.push(json!({"type": "COMMON", "version": 1, "jsonSchema": schema}));
    }
    for (kind, t) in [("IDENTIFY", &plan.identify), ("GROUP", &plan.group)] {
        if let Some(t) = t {
            let mut s = json!({"properties": {"traits": object(&t.properties, t.closed)}});
            if let Some(d) = &t.description {
                s["description"] = json!(d);
            }
            rules.push(json!({"type": kind, "version": 1, "jsonSchema": s}));
        }
    }
    for sc in &plan.screens {
        let t = &sc.traits;
        let mut s = json!({"properties": {"properties": object(&t.properties, t.closed)}});
        if let Some(d) = &t.description {
            s["description"] = json!(d);
        }
        let mut rule = json!({"type": sc.keyword.to_uppercase(), "version": 1, "jsonSchema": s});
        if let Some(n) = &sc.name {
            rule["key"] = json!(n);
        }
        rules.push(rule);
    }
    for e in &plan.events {
        let mut s = json!({"properties": {"properties": object(&e.properties, e.closed)}});
        if let Some(d) = &e.description {
            s["description"] = json!(d);
        }
        if !e.labels.is_empty() {
            let labels: Map<String, Value> = e
                .labels
                .iter()
                .map(|l| {
                    let (k, v) = l.split_once(':').unwrap_or((l, ""));
                    (k.to_string(), json!(v))
                })
                .collect();
            s["labels"] = Value::Object(labels);
        }
        rules.push(json!({"type": "TRACK", "key": e.name, "version": e.version.unwrap_or(1), "jsonSchema": s}));
    }
    json!({ "rules": rules })
}

fn object(props: &[Property], closed: bool) -> Value {
    let mut o = Map::new();
    o.insert("type".into(), json!("object"));
    let mut members = Map::new();
    let mut required = Vec::new();
    for p in props {
        members.insert(p.name.clone(), property(p));
        if p.required {
            required.push(json!(p.name));
        }
    }
    o.insert("properties".into(), Value::Object(members));
    o.insert("required".into(), Value::Array(required));
    if closed {
        o.insert("additionalProperties".into(), json!(false));
    }
    Value::Object(o)
}

fn lit(l: &Literal) -> Value {
    match l {
        Literal::Str(s) => json!(s),
        Literal::Num(n) => serde_json::from_str(n).unwrap(),
        Literal::Bool(b) => json!(b),
    }
}

/// The JSON type names of a type.
fn types(t: &Type, out: &mut Vec<&'static str>) {
    let name = match t {
        Type::String | Type::Datetime | Type::Date => "string",
        Type::Integer => "integer",
        Type::Number => "number",
        Type::Boolean => "boolean",
        Type::List(_) => "array",
        Type::Object(_) => "object",
        Type::Any => return,
        Type::Union(ms) => {
            for m in ms {
                types(m, out);
            }
            return;
        }
        Type::Enum(values) => {
            // Numbers are `integer` when all are whole, else `number`.
            let fraction = values
                .iter()
                .any(|v| matches!(v, Literal::Num(n) if n.contains(['.', 'e', 'E'])));
            for v in values {
                let n = match v {
                    Literal::Str(_) => "string",
                    Literal::Bool(_) => "boolean",
                    Literal::Num(_) if fraction => "number",
                    Literal::Num(_) => "integer",
                };
                if !out.contains(&n) {
                    out.push(n);
                }
            }
            return;
        }
    };
    if !out.contains(&name) {
        out.push(name);
    }
}

fn property(p: &Property) -> Value {
    let mut o = Map::new();
    let mut ts = Vec::new();
    types(&p.ty, &mut ts);
    if p.nullable && !ts.is_empty() {
        ts.push("null");
    }
    match ts.as_slice() {
        [] => {}
        [one] => {
            o.insert("type".into(), json!(one));
        }
        _ => {
            o.insert("type".into(), json!(ts));
        }
    }
    match &p.ty {
        Type::Datetime => {
            o.insert("format".into(), json!("date-time"));
        }
        Type::Date => {
            o.insert("format".into(), json!("date"));
        }
        Type::Enum(values) => {
            let mut vs: Vec<Value> = values.iter().map(lit).collect();
            if p.nullable {
                vs.push(Value::Null);
            }
            o.insert("enum".into(), Value::Array(vs));
        }
        Type::List(item) => {
            o.insert("items".into(), property(item));
        }
        Type::Object(members) => {
            if let Value::Object(obj) = object(members, p.closed) {
                o.extend(obj.into_iter().filter(|(k, _)| k != "type"));
            }
        }
        _ => {}
    }
    let list = matches!(p.ty, Type::List(_));
    for (k, v) in [
        (if list { "minItems" } else { "minLength" }, p.min_length),
        (if list { "maxItems" } else { "maxLength" }, p.max_length),
    ] {
        if let Some(v) = v {
            o.insert(k.into(), json!(v));
        }
    }
    for (k, v) in [
        ("minimum", &p.min),
        ("maximum", &p.max),
        ("multipleOf", &p.multiple_of),
    ] {
        if let Some(v) = v {
            o.insert(k.into(), serde_json::from_str(v).unwrap());
        }
    }
    if let Some(v) = &p.pattern {
        o.insert("pattern".into(), json!(v));
    }
    if let Some(v) = &p.format {
        o.insert("format".into(), json!(v));
    }
    if let Some(v) = &p.not_pattern {
        o.insert("not".into(), json!({ "pattern": v }));
    }
    if !p.not_enum.is_empty() {
        let vs: Vec<Value> = p.not_enum.iter().map(lit).collect();
        o.insert("not".into(), json!({ "enum": vs }));
    }
    if let Some(d) = &p.description {
        o.insert("description".into(), json!(d));
    }
    Value::Object(o)
}

// ---- the normalizing comparison ----

/// The owner the round trips import with (`--owner @analytics`).
const IMPORT_OWNER: &str = "analytics";

/// A schema node in its normal form (see the module doc).
fn normal(v: &Value) -> Value {
    let Value::Object(o) = v else {
        return match v {
            Value::Number(n) => n
                .as_f64()
                .and_then(serde_json::Number::from_f64)
                .map_or(v.clone(), Value::Number),
            Value::Array(a) => Value::Array(a.iter().map(normal).collect()),
            _ => v.clone(),
        };
    };
    let mut out = Map::new();
    for (k, v) in o {
        match k.as_str() {
            "$schema" | "id" | "$id" | "eventMetadata" => {}
            "description" if v == "" => {}
            "additionalProperties" if v == true => {}
            "required" if v.as_array().is_some_and(Vec::is_empty) => {}
            "required" => {
                let mut names: Vec<String> = v
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_str().unwrap().to_string())
                    .collect();
                names.sort();
                names.dedup();
                out.insert(k.clone(), json!(names));
            }
            "properties" if v.as_object().is_some_and(Map::is_empty) => {}
            "items" if v.as_object().is_some_and(Map::is_empty) => {}
            "properties" => {
                let members: Map<String, Value> = v
                    .as_object()
                    .unwrap()
                    .iter()
                    .map(|(k, v)| (k.clone(), normal(v)))
                    .collect();
                out.insert(k.clone(), Value::Object(members));
            }
            "type" => {
                let mut ts: Vec<String> = match v {
                    Value::Array(a) => a.iter().map(|t| t.as_str().unwrap().to_string()).collect(),
                    t => vec![t.as_str().unwrap().to_string()],
                };
                ts.sort();
                ts.dedup();
                // `number` admits every integer.
                if ts.iter().any(|t| t == "number") {
                    ts.retain(|t| t != "integer");
                }
                out.insert(
                    k.clone(),
                    if ts.len() == 1 {
                        json!(ts[0])
                    } else {
                        json!(ts)
                    },
                );
            }
            "const" => {
                out.insert("enum".into(), json!([normal(v)]));
            }
            _ => {
                out.insert(k.clone(), normal(v));
            }
        }
    }
    // A nullable enum admits null in both its type and its values.
    if let Some(Value::Array(values)) = out.get("enum") {
        let enum_null = values.contains(&Value::Null);
        let type_null = match out.get("type") {
            Some(Value::Array(ts)) => ts.contains(&json!("null")),
            Some(t) => t == "null",
            None => false,
        };
        if enum_null || type_null {
            let mut values = values.clone();
            if !enum_null {
                values.push(Value::Null);
            }
            out.insert("enum".into(), Value::Array(values));
            if !type_null && let Some(t) = out.get("type").cloned() {
                let mut ts: Vec<String> = match t {
                    Value::Array(a) => a.iter().map(|t| t.as_str().unwrap().to_string()).collect(),
                    t => vec![t.as_str().unwrap().to_string()],
                };
                ts.push("null".into());
                ts.sort();
                out.insert("type".into(), json!(ts));
            }
        }
    }
    Value::Object(out)
}

/// A rule in normal form, keyed by (type, key, version). `expected`: the
/// expected rules, when this is a rule got: the `owner` label of `--owner`
/// is then not an addition where the expected rule has no owner.
fn normal_rule(
    rule: &Value,
    expected: Option<&std::collections::BTreeMap<String, Value>>,
) -> (String, Value) {
    let kind = rule["type"].as_str().unwrap().to_string();
    let key = rule
        .get("key")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let version = rule.get("version").and_then(Value::as_u64).unwrap_or(1);
    let id = format!("{kind} {key:?} v{version}");
    let mut schema = normal(&rule["jsonSchema"]);
    if let Value::Object(s) = &mut schema {
        if s.get("type").is_some_and(|t| t == "object") {
            s.remove("type");
        }
        if let Some(Value::Object(props)) = s.get_mut("properties") {
            props.retain(|_, v| !is_empty_call_field(v));
            if props.is_empty() {
                s.remove("properties");
            }
        }
        if let Some(Value::Array(req)) = s.get_mut("required") {
            req.retain(|r| r != "properties" && r != "traits");
            if req.is_empty() {
                s.remove("required");
            }
        }
        if let Some(Value::Object(labels)) = s.get_mut("labels") {
            // eventsc's `identity` label (older outputs) is read as the
            // identity, which the schema states by the id it requires.
            labels.remove("identity");
            // `import --owner @analytics` owns what the input gave no owner:
            // that owner is the one label the round trip may add.
            if let Some(exp) = expected {
                let had_owner = exp
                    .get(&id)
                    .and_then(|r| r.get("labels"))
                    .is_some_and(|l| l.get("owner").is_some());
                if !had_owner && labels.get("owner").is_some_and(|o| o == IMPORT_OWNER) {
                    labels.remove("owner");
                }
            }
            if labels.is_empty() {
                s.remove("labels");
            }
        }
    }
    (id, schema)
}

/// `{}` or `{"type": "object"}`: a call field the rule does not constrain.
fn is_empty_call_field(v: &Value) -> bool {
    v.as_object()
        .is_some_and(|o| o.iter().all(|(k, v)| k == "type" && v == "object"))
}

/// Every difference between the expected rules and the rules got, each a
/// line naming the rule and the JSON pointer: `lost` (in the input, not in
/// the output) or `added`/`changed`.
fn compare(expected: &Value, got: &Value) -> Vec<String> {
    let index = |v: &Value, exp: Option<&std::collections::BTreeMap<String, Value>>| {
        let mut m = std::collections::BTreeMap::new();
        for r in v["rules"].as_array().unwrap() {
            let (id, s) = normal_rule(r, exp);
            m.insert(id, s);
        }
        m
    };
    let exp = index(expected, None);
    let got = index(got, Some(&exp));
    let mut diffs = Vec::new();
    for (id, e) in &exp {
        match got.get(id) {
            None => diffs.push(format!("lost rule {id}")),
            Some(g) => diff(&format!("{id} "), e, g, &mut diffs),
        }
    }
    for id in got.keys() {
        if !exp.contains_key(id) {
            diffs.push(format!("added rule {id}"));
        }
    }
    diffs
}

fn diff(at: &str, e: &Value, g: &Value, out: &mut Vec<String>) {
    match (e, g) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in a {
                let here = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
                match b.get(k) {
                    None => out.push(format!("lost {here}: {v}")),
                    Some(w) => diff(&here, v, w, out),
                }
            }
            for (k, v) in b {
                if !a.contains_key(k) {
                    out.push(format!("added {at}/{k}: {v}"));
                }
            }
        }
        _ if e != g => out.push(format!("changed {at}: {e} → {g}")),
        _ => {}
    }
}

#[test]
fn the_comparison_fails_on_a_lost_node() {
    let rules = expected("segment/expected.json");
    let mut damaged = rules.clone();
    // Drop one deep keyword of one rule.
    let first_track = damaged["rules"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|r| r["type"] == "TRACK")
        .unwrap();
    let props = first_track["jsonSchema"]["properties"]["properties"]["properties"]
        .as_object_mut()
        .unwrap();
    let (name, _) = props
        .iter()
        .next()
        .map(|(k, v)| (k.clone(), v.clone()))
        .unwrap();
    props.remove(&name);
    assert!(compare(&rules, &rules).is_empty());
    let diffs = compare(&rules, &damaged);
    assert!(
        diffs
            .iter()
            .any(|d| d.starts_with("lost ") && d.contains(&name)),
        "{diffs:?}"
    );
}

/// One small Segment export per construct of issue 14 (named as in
/// `import::every_construct_of_issue_14_checks_and_formats`).
const CONSTRUCTS: &[(&str, &str)] = &[
    (
        "baseline",
        r#"{"rules": [{"type": "TRACK", "key": "Order Completed", "version": 1, "jsonSchema": {"description": "An order is paid", "properties": {"properties": {"type": "object", "properties": {
            "order_id": {"type": "string", "pattern": "^o-", "description": "The order"}, "total": {"type": "number", "minimum": 0},
            "items": {"type": "array", "items": {"type": "object", "properties": {"sku": {"type": "string"}, "qty": {"type": "integer", "minimum": 1}}, "required": ["sku"]}, "minItems": 1},
            "coupon": {"type": ["string", "null"], "maxLength": 20}, "currency": {"type": "string", "enum": ["EUR", "USD"]},
            "paid_at": {"type": "string", "format": "date-time"}}, "required": ["order_id", "total"]}}, "required": ["properties"]}},
            {"type": "IDENTIFY", "version": 1, "jsonSchema": {"properties": {"traits": {"type": "object", "properties": {"email": {"type": "string", "format": "email"}}}}}},
            {"type": "GROUP", "version": 1, "jsonSchema": {"properties": {"traits": {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}}}}]}"#,
    ),
    (
        "quoted property names",
        r#"{"rules": [{"type": "TRACK", "key": "Search Run", "version": 1, "jsonSchema": {"properties": {"properties": {"type": "object", "properties": {
            "workspace id": {"type": "string"}, "page type": {"type": "string", "description": "Where"}, "$": {"type": "number"}, "logged in": {"type": "boolean"}},
            "required": ["workspace id"]}}}}]}"#,
    ),
    (
        "any",
        r#"{"rules": [{"type": "TRACK", "key": "Payload Sent", "version": 1, "jsonSchema": {"properties": {"properties": {"type": "object", "properties": {
            "payload": {}, "meta": {"description": "Anything"}}, "required": ["payload"]}}}}]}"#,
    ),
    (
        "unions",
        r#"{"rules": [{"type": "TRACK", "key": "Item Added", "version": 1, "jsonSchema": {"properties": {"properties": {"type": "object", "properties": {
            "item_id": {"type": ["string", "integer"]}, "amount": {"type": ["integer", "number", "string"]}, "price": {"type": ["string", "number", "null"], "maxLength": 12, "minimum": 0}}}}}}]}"#,
    ),
    (
        "number enums",
        r#"{"rules": [{"type": "TRACK", "key": "Level Reached", "version": 1, "jsonSchema": {"properties": {"properties": {"type": "object", "properties": {
            "level": {"type": "integer", "enum": [1, 2, 3]}, "ratio": {"type": "number", "enum": [0.5, 1, 1.5]},
            "beta": {"type": "boolean", "enum": [true]}, "size": {"type": ["string", "null"], "enum": ["s", "m"]}}}}}}]}"#,
    ),
    (
        "closed objects",
        r#"{"rules": [{"type": "TRACK", "key": "Order Placed", "version": 1, "jsonSchema": {"properties": {"properties": {"type": "object", "additionalProperties": false, "properties": {
            "address": {"type": "object", "additionalProperties": false, "properties": {"city": {"type": "string"}}},
            "lines": {"type": "array", "items": {"type": "object", "additionalProperties": false, "properties": {"sku": {"type": "string"}}}}}}}}}]}"#,
    ),
    (
        "multiple_of",
        r#"{"rules": [{"type": "TRACK", "key": "Seats Bought", "version": 1, "jsonSchema": {"properties": {"properties": {"type": "object", "properties": {
            "seats": {"type": "integer", "multipleOf": 5, "minimum": 5}, "amount": {"type": "number", "multipleOf": 0.01}}}}}}]}"#,
    ),
    (
        "list items",
        r#"{"rules": [{"type": "TRACK", "key": "Tags Set", "version": 1, "jsonSchema": {"properties": {"properties": {"type": "object", "properties": {
            "tags": {"type": "array", "items": {"type": ["string", "null"], "maxLength": 20}, "maxItems": 5},
            "scores": {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 10}}, "extra": {"type": "array"}}}}}}]}"#,
    ),
    (
        "envelope",
        r#"{"rules": [{"type": "COMMON", "version": 1, "jsonSchema": {"type": "object", "properties": {
            "context": {"type": "object", "properties": {"ip": {"type": "string", "not": {"pattern": "^10\\."}}, "locale": {"type": "string"}}, "required": ["locale"]},
            "type": {"type": "string", "not": {"enum": ["alias"]}}, "userId": {"type": ["string", "null"], "maxLength": 64}},
            "required": ["context"], "anyOf": [{"required": ["userId"]}, {"required": ["anonymousId"]}]}}]}"#,
    ),
    (
        "not_pattern and not_enum on any property",
        r#"{"rules": [{"type": "TRACK", "key": "Account Named", "version": 1, "jsonSchema": {"properties": {"properties": {"type": "object", "properties": {
            "name": {"type": "string", "not": {"pattern": "^test-"}}, "tier": {"type": "string", "not": {"enum": ["legacy"]}}}}}}}]}"#,
    ),
    (
        "page and screen rules",
        r#"{"rules": [{"type": "PAGE", "version": 1, "jsonSchema": {"properties": {"properties": {"type": "object", "properties": {"path": {"type": "string"}}, "required": ["path"]}}}},
            {"type": "PAGE", "key": "Pricing", "version": 1, "jsonSchema": {"properties": {"properties": {"type": "object", "properties": {"plan": {"type": "string"}}}}}},
            {"type": "SCREEN", "key": "Home", "version": 1, "jsonSchema": {"properties": {"properties": {"type": "object", "additionalProperties": false, "properties": {"tab": {"type": "string"}}}}}}]}"#,
    ),
    (
        "labels",
        r#"{"rules": [{"type": "TRACK", "key": "Report Opened", "version": 1, "jsonSchema": {"labels": {"team": "growth", "platform": "web"}, "properties": {"properties": {"type": "object", "properties": {"report": {"type": "string"}}}}}}]}"#,
    ),
    (
        "event versions",
        r#"{"rules": [{"type": "TRACK", "key": "Signed Up", "version": 1, "jsonSchema": {"properties": {"properties": {"type": "object", "properties": {"plan": {"type": "string"}}}}}},
            {"type": "TRACK", "key": "Signed Up", "version": 2, "jsonSchema": {"properties": {"properties": {"type": "object", "properties": {"plan": {"type": "string"}, "seats": {"type": "integer"}}, "required": ["plan"]}}}}]}"#,
    ),
    (
        "case variants",
        r#"{"rules": [{"type": "TRACK", "key": "New Event", "version": 1, "jsonSchema": {"properties": {"properties": {"type": "object", "properties": {"a": {"type": "string"}}}}}},
            {"type": "TRACK", "key": "new event", "version": 1, "jsonSchema": {"properties": {"properties": {"type": "object", "properties": {"b": {"type": "string"}}}}}}]}"#,
    ),
    (
        "reserved names narrowed",
        r#"{"rules": [{"type": "TRACK", "key": "Message Sent", "version": 1, "jsonSchema": {"properties": {"properties": {"type": "object", "properties": {
            "type": {"type": "string"}, "channel": {"type": "string"}, "id": {"type": "string"}, "timestamp": {"type": "string"}}}}}}]}"#,
    ),
];

/// The round trip construct by construct: each whose language support has
/// landed imports, checks with no errors, builds, and gives its rules back
/// (`round_trip_through_build` then runs the whole corpora).
#[test]
fn round_trip_per_construct() {
    let probed = [
        "quoted property names",
        "any",
        "unions",
        "number enums",
        "closed objects",
        "multiple_of",
        "list items",
        "envelope",
        "not_pattern and not_enum on any property",
        "page and screen rules",
        "labels",
        "event versions",
        "case variants",
        "reserved names narrowed",
    ];
    assert_eq!(
        CONSTRUCTS[1..].iter().map(|c| c.0).collect::<Vec<_>>(),
        probed,
        "a case per probed construct"
    );
    for (name, rules) in CONSTRUCTS {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("rules.json"), rules).unwrap();
        let imported = run::eventsc(
            d,
            &[
                "import",
                "rules.json",
                "--out",
                "imported.events",
                "--owner",
                "@analytics",
            ],
            None,
        );
        assert_eq!(imported.code, 0, "{name}: {}", imported.record);
        // Nothing dropped, and no error in the plan.
        let summary = imported.stderr.lines().last().unwrap_or_default();
        assert!(
            !imported.stderr.contains("warning:")
                && summary.contains("the plan checks with")
                && !summary.contains(" error"),
            "{name}: {}",
            imported.record
        );
        let built = run::eventsc(
            d,
            &[
                "build",
                "imported.events",
                "--target",
                "segment",
                "--out",
                "out",
            ],
            None,
        );
        let plan = std::fs::read_to_string(d.join("imported.events")).unwrap_or_default();
        assert_eq!(built.code, 0, "{name}: {}\n{plan}", built.record);
        let got: Value = serde_json::from_str(
            &std::fs::read_to_string(d.join("out/segment/rules.json")).unwrap(),
        )
        .unwrap();
        let want: Value = serde_json::from_str(rules).unwrap();
        let diffs = compare(&want, &got);
        assert!(
            diffs.is_empty(),
            "{name}: {} differences after the round trip:\n{}\n{plan}",
            diffs.len(),
            diffs.join("\n")
        );
    }
}
