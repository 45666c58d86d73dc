//! The generated JSON Schemas, checked by an independent implementation (Python
//! `jsonschema`, through `tests/jsonschema/check.py`):
//! - every schema of the `jsonschema` target and every rule of `segment/rules.json`
//!   passes the draft-07 meta-schema (`Draft7Validator.check_schema`), for every plan;
//! - the schemas of the full example accept and reject the payloads the plan says
//!   they should: this pins the contract `eventsc validate` implements.

use crate::common;

use eventsc::targets::{Context, TARGETS};
use serde_json::{Value, json};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

fn check(request: &Value) -> Value {
    let mut child = Command::new(common::venv_python())
        .arg(common::root().join("tests/jsonschema/check.py"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(request.to_string().as_bytes())
        .expect("writes the request");
    let out = child.wait_with_output().expect("finishes");
    assert!(
        out.status.success(),
        "check.py failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("check.py prints JSON")
}

/// Writes every target's artifacts for a plan into `dir`; returns the JSON files
/// holding schemas (the `jsonschema` target's and `segment/rules.json`).
fn write_schemas(plan: &Path, dir: &Path) -> Vec<String> {
    let (sources, checked) = common::check_paths(&[plan.to_path_buf()]);
    let p = checked.ok().expect("the plan has no errors");
    let cx = Context {
        plan: p,
        sources: &sources,
        warnings: &[],
        options: Default::default(),
        plan_path: None,
    };
    let mut files = Vec::new();
    for t in TARGETS
        .iter()
        .filter(|t| ["jsonschema", "segment"].contains(&t.name()))
    {
        for a in t.generate(&cx) {
            let path = dir.join(&a.path);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(&path, &a.bytes).expect("write");
            files.push(path.to_string_lossy().into_owned());
        }
    }
    files
}

#[test]
fn every_schema_passes_the_draft_07_meta_schema() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut files = Vec::new();
    for (name, plan) in common::plans() {
        files.extend(write_schemas(&plan, &tmp.path().join(name)));
    }
    // A control: an invalid schema must be reported, or the check proves nothing.
    let bad = tmp.path().join("bad.json");
    std::fs::write(&bad, r#"{"type": "strnig", "required": "x"}"#).expect("write");
    let bad = bad.to_string_lossy().into_owned();
    let mut request = files.clone();
    request.push(bad.clone());
    let result = check(&json!({ "meta": request }));
    assert!(result["meta"][&bad].is_string(), "{result}");
    for f in &files {
        assert_eq!(result["meta"][f], Value::Null, "{f}: {}", result["meta"][f]);
    }
    assert!(files.len() >= 7, "{files:?}");
}

#[test]
fn schemas_accept_and_reject_payloads_as_the_plan_says() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let plan = common::root().join("tests/fixtures/spec/full-example.events");
    write_schemas(&plan, tmp.path());
    let file = |f: &str| tmp.path().join(f).to_string_lossy().into_owned();

    let trial = |props: Value| {
        json!({"type": "track", "event": "Trial Started", "anonymousId": "a-1",
               "messageId": "m-1", "timestamp": "2026-11-25T10:00:00Z", "properties": props})
    };
    let ok_props = json!({"account_id": "acc-1", "plan": "pro", "trial_days": 14});
    let with = |k: &str, v: Value| {
        let mut p = ok_props.clone();
        p[k] = v;
        trial(p)
    };
    let without = |k: &str| {
        let mut p = ok_props.clone();
        p.as_object_mut().expect("object").remove(k);
        trial(p)
    };
    let invoice = |ids: Value, currency: &str| {
        let mut v = json!({"type": "track", "event": "Invoice Paid",
            "properties": {"account_id": "acc-1", "plan": "free", "amount_cents": 0, "currency": currency}});
        for (k, x) in ids.as_object().expect("object") {
            v[k] = x.clone();
        }
        v
    };
    let ts = "schemas/trial-started.json";
    let ip = "schemas/invoice-paid.json";
    // (why, schema file, payload, valid?)
    let mut cases: Vec<(&str, &str, Value, bool)> = vec![
        (
            "a call without messageId",
            ts,
            {
                let mut v = trial(ok_props.clone());
                if let Some(o) = v.as_object_mut() {
                    o.remove("messageId");
                }
                v
            },
            false,
        ),
        ("a planned payload", ts, trial(ok_props.clone()), true),
        (
            "a required property is missing",
            ts,
            without("trial_days"),
            false,
        ),
        (
            "an enum value outside the list",
            ts,
            with("plan", json!("gold")),
            false,
        ),
        ("below min(1)", ts, with("trial_days", json!(0)), false),
        ("above max(90)", ts, with("trial_days", json!(91)), false),
        (
            "an integer must be whole",
            ts,
            with("trial_days", json!(1.5)),
            false,
        ),
        (
            "nullable accepts null",
            ts,
            with("referrer", Value::Null),
            true,
        ),
        (
            "not nullable rejects null",
            ts,
            with("account_id", Value::Null),
            false,
        ),
        (
            "unplanned properties are allowed",
            ts,
            with("extra", json!(1)),
            true,
        ),
        (
            "nested max_length",
            ts,
            with("utm", json!({"campaign": "x".repeat(121)})),
            false,
        ),
        (
            "nested object typed",
            ts,
            with("utm", json!({"source": "ads", "campaign": "c"})),
            true,
        ),
        (
            "list items typed",
            ts,
            with("steps_completed", json!(["a", 1])),
            false,
        ),
        (
            "a common property is typed",
            ts,
            with("app_version", json!(3)),
            false,
        ),
        (
            "no properties at all",
            ts,
            json!({"type": "track", "event": "Trial Started", "userId": "u"}),
            false,
        ),
        (
            "the event name is exact",
            ts,
            {
                let mut v = trial(ok_props.clone());
                v["event"] = json!("Trial started");
                v
            },
            false,
        ),
        (
            "the call type is exact",
            ts,
            {
                let mut v = trial(ok_props.clone());
                v["type"] = json!("page");
                v
            },
            false,
        ),
        (
            "identity any: no id",
            ts,
            {
                let mut v = trial(ok_props.clone());
                v.as_object_mut().expect("o").remove("anonymousId");
                v
            },
            false,
        ),
        (
            "identity any: empty ids do not count",
            ts,
            {
                let mut v = trial(ok_props.clone());
                v["anonymousId"] = json!("");
                v["userId"] = Value::Null;
                v
            },
            false,
        ),
        (
            "identity any: userId alone",
            ts,
            {
                let mut v = trial(ok_props.clone());
                v.as_object_mut().expect("o").remove("anonymousId");
                v["userId"] = json!("u-1");
                v
            },
            true,
        ),
        (
            "identity user: anonymousId is not enough",
            ip,
            invoice(json!({"anonymousId": "a-1"}), "EUR"),
            false,
        ),
        (
            "identity user: userId",
            ip,
            invoice(json!({"userId": "u-1"}), "EUR"),
            true,
        ),
        (
            "pattern",
            ip,
            invoice(json!({"userId": "u-1"}), "eur"),
            false,
        ),
        (
            "identify: traits",
            "schemas/identify.json",
            json!({"type": "identify", "userId": "u-1", "traits": {"email": "a@b.example"}}),
            true,
        ),
        (
            "identify: a required trait is missing",
            "schemas/identify.json",
            json!({"type": "identify", "userId": "u-1", "traits": {}}),
            false,
        ),
        (
            "group: groupId is required",
            "schemas/group.json",
            json!({"type": "group", "userId": "u-1", "traits": {"name": "Acme"}}),
            false,
        ),
        (
            "group: a group call",
            "schemas/group.json",
            json!({"type": "group", "userId": "u-1", "groupId": "g-1", "traits": {"name": "Acme", "seats": 3}}),
            true,
        ),
        (
            "group: seats below min(1)",
            "schemas/group.json",
            json!({"type": "group", "userId": "u-1", "groupId": "g-1", "traits": {"name": "Acme", "seats": 0}}),
            false,
        ),
    ];
    // The Segment rule of "Invoice Paid" (rules: COMMON, IDENTIFY, GROUP, then
    // events by name) enforces the same identity.
    let rule = "/rules/3/jsonSchema";
    // Every captured call carries a messageId; the cases above leave it out for
    // brevity, except the one about a missing messageId.
    for (why, _, p, _) in &mut cases {
        if let Some(obj) = p.as_object_mut()
            && !why.contains("messageId")
        {
            obj.entry("messageId").or_insert(json!("m-1"));
        }
    }
    let mut request: Vec<Value> = cases
        .iter()
        .map(|(_, f, p, _)| json!({"schema": file(f), "payload": p}))
        .collect();
    request.push(
        json!({"schema": file("segment/rules.json"), "pointer": rule,
        "payload": invoice(json!({"anonymousId": "a-1"}), "EUR")}),
    );
    request.push(
        json!({"schema": file("segment/rules.json"), "pointer": rule,
        "payload": invoice(json!({"userId": "u-1"}), "EUR")}),
    );
    let result = check(&json!({ "cases": request }));
    let got = result["cases"].as_array().expect("cases");
    for ((why, f, payload, valid), r) in cases.iter().zip(got) {
        assert_eq!(
            r["valid"],
            json!(valid),
            "{why} ({f}): {payload} → {}",
            r["errors"]
        );
    }
    assert_eq!(
        got[cases.len()]["valid"],
        json!(false),
        "segment rule: {}",
        got[cases.len()]
    );
    assert_eq!(
        got[cases.len() + 1]["valid"],
        json!(true),
        "segment rule: {}",
        got[cases.len() + 1]
    );
}
