//! The typed clients (`typescript`, `python` targets), tested with the real tools
//! on every example and fixture plan:
//!
//! - every sample payload, written as a call of the generated client (`calls.ts`,
//!   `calls.py`), type-checks with `tsc --strict` (and stricter flags) and
//!   `mypy --strict` (and pyright);
//! - wrong calls (`wrong.ts`, `wrong.py`: a misspelt event, a missing required
//!   property, a wrong enum value, a wrong type, a property not in the plan) are
//!   each marked `// @ts-expect-error` / `# type: ignore[code]`, so a wrong call
//!   the types accept fails the check (an unused directive is an error);
//! - hand-written usage files (`tests/clients/usage.ts`, `usage.py`) on the
//!   e-commerce example bind real `@segment/analytics-node`/`analytics-next` and
//!   `segment-analytics-python` instances and make wrong calls of their own;
//! - at run time, every sample goes through the real analytics-node and
//!   segment-analytics-python to a local capture server (`tests/clients/send.*`),
//!   and `eventsc validate` on the capture passes with full coverage; no
//!   `onViolation` is reported for the samples, and calls that break a
//!   constraint the types cannot express (`bad()`) are each reported at their
//!   property; a denied consent purpose keeps its events from being sent.
//!
//! `scripts/setup.sh` installs the tools: `tests/clients/node_modules`
//! (typescript, pyright, analytics-node, analytics-next) and `.venv-clients`
//! (mypy, segment-analytics-python).

use crate::common::tools::{Tool, require};
use crate::common::{self, root};
use eventsc::ir::{Event, Format, Literal, Plan, Property, Traits, Type};
use eventsc::targets::client::{
    python_functions, python_view_functions, typescript_functions, typescript_view_functions,
};
use eventsc::targets::encode::sample_values::{Clock, Examples};
use eventsc::targets::samples::{Sample, samples};
use serde_json::{Map, Value, json};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Every plan the targets are tested on (examples and fixtures) and the
/// client fixtures (naming; page and screen calls and versions), once each,
/// with a name that is also a Python package name.
fn plans() -> Vec<(String, PathBuf)> {
    let mut out: Vec<(String, PathBuf)> = Vec::new();
    let fixtures = ["client-names", "client-calls"].map(|n| {
        (
            n.to_string(),
            root().join(format!("tests/fixtures/targets/{n}.events")),
        )
    });
    for (name, path) in common::plans()
        .into_iter()
        .chain(common::targets::plans())
        .chain(fixtures)
    {
        if !out.iter().any(|(_, p)| *p == path) {
            out.push((format!("plan_{}", name.replace('-', "_")), path));
        }
    }
    out
}

fn tools() -> PathBuf {
    require(Tool::NodeModules("tests/clients"))
}

fn venv() -> PathBuf {
    require(Tool::ClientsPython)
}

fn run(cmd: &mut Command, what: &str) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{what} does not start: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// One plan, checked, with its samples.
struct Checked {
    name: String,
    path: PathBuf,
    plan: Plan,
    samples: Vec<Sample>,
    /// Whether its samples are also sent through the analytics libraries (the
    /// other fixture plans are type-checked only).
    runtime: bool,
}

/// The plans of [`plans`], then every other single-file fixture plan that
/// checks without errors (`tests/fixtures/**/*.events` outside `multi/`: the
/// passing fixtures of every error code and rule), type-checked only.
fn checked_plans() -> Vec<Checked> {
    let mut out: Vec<Checked> = plans()
        .into_iter()
        .map(|(name, path)| {
            let (_, checked) = common::check_paths(std::slice::from_ref(&path));
            let plan = checked
                .ok()
                .unwrap_or_else(|| panic!("{name} has errors"))
                .clone();
            let samples = with_views(&plan, samples(&plan).collect());
            Checked {
                name,
                path,
                plan,
                samples,
                runtime: true,
            }
        })
        .collect();
    let fixtures = root().join("tests/fixtures");
    for path in common::events_files(&fixtures) {
        let rel = common::rel(&path);
        if rel.starts_with("tests/fixtures/multi/") || out.iter().any(|c| c.path == path) {
            continue;
        }
        let (_, checked) = common::check_paths(std::slice::from_ref(&path));
        let Some(plan) = checked.ok() else { continue };
        let name: String = rel
            .trim_start_matches("tests/fixtures/")
            .trim_end_matches(".events")
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        let plan = plan.clone();
        out.push(Checked {
            name: format!("fx_{name}"),
            path,
            samples: with_views(&plan, samples(&plan).collect()),
            plan,
            runtime: false,
        });
    }
    out
}

/// The samples, and a page or screen call per rule of the plan when the
/// samples have none: the rule's properties (a named rule's with the unnamed
/// one's), values as the samples make them.
fn with_views(plan: &Plan, mut samples: Vec<Sample>) -> Vec<Sample> {
    let sampled = samples
        .iter()
        .any(|s| matches!(s.payload["type"].as_str(), Some("page" | "screen")));
    if sampled {
        return samples;
    }
    let examples = Examples::new(plan);
    let clock = Clock {
        date: "2026-12-01".into(),
        timestamp: "2026-12-01T12:00:00.000Z".into(),
    };
    for (i, t) in plan.views.iter().enumerate() {
        let kind = if is_page(t) { "page" } else { "screen" };
        let mut props = Map::new();
        if t.name.is_some()
            && let Some(every) = every_view(plan, t)
        {
            props.extend(examples.object(&every.properties, &clock));
        }
        props.extend(examples.object(&t.properties, &clock));
        let mut p = Map::new();
        p.insert("type".into(), json!(kind));
        // The unnamed rule's call names a page of its own.
        let name = t.name.as_ref().map_or("Home", |n| n.value.as_str());
        p.insert("name".into(), json!(name));
        p.insert("userId".into(), json!("qa-user-1"));
        p.insert("properties".into(), Value::Object(props));
        samples.push(Sample {
            path: format!("views/{i}.json"),
            payload: Value::Object(p),
        });
    }
    samples
}

fn is_page(t: &Traits) -> bool {
    t.kind == eventsc::ir::TraitsKind::Page
}

/// The unnamed page (or screen) rule of a rule's kind.
fn every_view<'p>(plan: &'p Plan, t: &Traits) -> Option<&'p Traits> {
    plan.views
        .iter()
        .find(|v| v.kind == t.kind && v.name.is_none())
}

/// The properties a page or screen call carries (the unnamed rule's too).
fn view_props<'p>(plan: &'p Plan, t: &'p Traits) -> Vec<&'p Property> {
    let every = t.name.as_ref().and(every_view(plan, t));
    every
        .into_iter()
        .flat_map(|e| &e.properties)
        .filter(|p| !t.properties.iter().any(|q| q.name.value == p.name.value))
        .chain(&t.properties)
        .collect()
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
    std::fs::write(path, text).expect("writes");
}

fn generate(target: &str, path: &Path, dir: &Path) {
    for a in common::targets::generate(target, path) {
        let p = dir.join(&a.path);
        std::fs::create_dir_all(p.parent().expect("a parent")).expect("mkdir");
        std::fs::write(p, &a.bytes).expect("writes");
    }
}

/// What a sample is: which call, with which id, properties and options.
enum Call<'p> {
    Identify,
    Group,
    Track(usize, &'p Event),
    /// A page or screen rule (index in `plan.views`).
    View(usize, &'p Traits),
}

fn calls<'a>(c: &'a Checked) -> Vec<(Call<'a>, &'a Map<String, Value>)> {
    let mut out = Vec::new();
    let mut events = c.plan.events.iter().enumerate();
    for s in &c.samples {
        let p = s.payload.as_object().expect("an object");
        let call = match p["type"].as_str() {
            Some("identify") => Call::Identify,
            Some("group") => Call::Group,
            Some(kind @ ("page" | "screen")) => {
                // The named rule for the sample's name, else the unnamed one.
                let rule = |named: bool| {
                    c.plan.views.iter().enumerate().find(|(_, t)| {
                        is_page(t) == (kind == "page")
                            && match &t.name {
                                Some(n) => named && p.get("name") == Some(&json!(n.value)),
                                None => !named,
                            }
                    })
                };
                let (i, t) = rule(true)
                    .or_else(|| rule(false))
                    .expect("a rule per view sample");
                Call::View(i, t)
            }
            _ => {
                let (i, e) = events.next().expect("an event per track sample");
                Call::Track(i, e)
            }
        };
        out.push((call, p));
    }
    out
}

fn body(p: &Map<String, Value>) -> Value {
    p.get("properties")
        .or_else(|| p.get("traits"))
        .cloned()
        .unwrap_or_else(|| json!({}))
}

/// A value that breaks one constraint of a property (or list item) that the
/// types cannot express, and the value's JSON type is still right, with the
/// path below the property where it is reported (`/0` for a list's first
/// item); `None` when it has none.
fn breaking_value(p: &Property, sample: &Value) -> Option<(Value, String)> {
    let m = p.modifiers();
    let here = |v: Value| Some((v, String::new()));
    // A value `not_enum` rules out, of a kind the type takes.
    if let Some(values) = &m.not_enum
        && let Some(v) = values
            .value
            .iter()
            .map(Literal::to_json)
            .find(|v| takes(&p.ty, v))
    {
        return here(v);
    }
    // A union's constraints apply to the member of the sample's kind.
    let ty = match &p.ty {
        Type::Union(members) => members.iter().find(|t| takes(t, sample))?,
        t => t,
    };
    match ty {
        Type::Integer | Type::Number => {
            let integer = matches!(ty, Type::Integer);
            // An integer's value must stay an exact integer (a JSON integer the
            // types take): none beyond 2^53.
            let number = |x: f64| {
                if integer {
                    (x.abs() < 9e15).then(|| json!(x as i64))
                } else {
                    Some(json!(x))
                }
            };
            if let Some(v) = m
                .min
                .as_ref()
                .and_then(|n| number(n.value.value.floor() - 1.0))
            {
                return here(v);
            }
            if let Some(v) = m
                .max
                .as_ref()
                .and_then(|n| number(n.value.value.ceil() + 1.0))
            {
                return here(v);
            }
            let step = m.multiple_of.as_ref()?.value.value;
            let x = sample.as_f64()?;
            let off = if integer { x + 1.0 } else { x + step / 2.0 };
            if is_multiple(off, step) {
                return None;
            }
            number(off).map(|v| (v, String::new()))
        }
        Type::String => {
            if let Some(f) = &m.format {
                return here(json!(match f.value {
                    Format::Email => "not-an-email",
                    Format::Uri => "no scheme",
                    Format::Uuid => "not-a-uuid",
                    Format::Date => "2026-02-30",
                    Format::DateTime => "yesterday",
                    Format::Ipv4 => "300.1.1.1",
                    Format::Ipv6 => "1::2::3",
                    Format::Hostname => "-bad-",
                }));
            }
            if let Some(pat) = &m.pattern {
                let re = eventsc::validate::pattern::compile(&pat.value).expect("compiles");
                return ["", "!", "zz ~ not matching", "0"]
                    .into_iter()
                    .find(|s| !re.is_match(s))
                    .and_then(|s| here(json!(s)));
            }
            if let Some(pat) = &m.not_pattern {
                let re = eventsc::validate::pattern::compile(&pat.value).expect("compiles");
                return ["test", "", "a", "0", "x-test", "test-0"]
                    .into_iter()
                    .find(|s| re.is_match(s))
                    .and_then(|s| here(json!(s)));
            }
            if let Some(max) = &m.max_length {
                return here(json!("x".repeat(max.value as usize + 1)));
            }
            match &m.min_length {
                Some(min) if min.value > 0 => here(json!("")),
                _ => None,
            }
        }
        Type::List(item) => {
            let first = sample.as_array().and_then(|a| a.first()).cloned()?;
            if let Some(max) = &m.max_length {
                return here(Value::Array(vec![first; max.value as usize + 1]));
            }
            if let Some(min) = &m.min_length
                && min.value > 0
            {
                return here(json!([]));
            }
            let (v, below) = breaking_value(item, &first)?;
            Some((json!([v]), format!("/0{below}")))
        }
        _ => None,
    }
}

/// Whether `x` is a multiple of `step`, within float error (as validate decides).
fn is_multiple(x: f64, step: f64) -> bool {
    let q = x / step;
    (q - q.round()).abs() < 1e-9
}

/// Whether a type takes values of `v`'s JSON kind (as a union picks its member).
fn takes(t: &Type, v: &Value) -> bool {
    match (t, v) {
        (Type::Union(members), v) => members.iter().any(|m| takes(m, v)),
        (Type::Any, _) => true,
        (Type::String | Type::Datetime | Type::Date, Value::String(_)) => true,
        (Type::Integer, Value::Number(n)) => n.as_f64().is_some_and(|x| x.fract() == 0.0),
        (Type::Number, Value::Number(_)) => true,
        (Type::Boolean, Value::Bool(_)) => true,
        (Type::List(_), Value::Array(_)) => true,
        (Type::Object(_), Value::Object(_)) => true,
        _ => false,
    }
}

/// The calls that break a constraint the types cannot express: per property
/// of the call that has one, the sample's properties with that value, and
/// the path where it must be reported.
fn bad_bodies(planned: &[&Property], props: &Value) -> Vec<(Value, String)> {
    let mut out = Vec::new();
    for prop in planned {
        let Some(sample) = props.get(&*prop.name.value) else {
            continue;
        };
        if let Some((v, below)) = breaking_value(prop, sample) {
            let mut b = props.clone();
            b[&*prop.name.value] = v;
            let path = format!(
                "/properties/{}{below}",
                prop.name.value.replace('~', "~0").replace('/', "~1")
            );
            out.push((b, path));
        }
    }
    out
}

/// A call that breaks the plan's `envelope { userId: … }` constraints: the
/// first track call that passes a `userId`, with one its constraints rule out.
fn envelope_bad(c: &Checked) -> Option<(&Event, Map<String, Value>)> {
    let field = c
        .plan
        .envelope
        .iter()
        .flat_map(|t| &t.properties)
        .find(|p| &*p.name.value == "userId")?;
    calls(c).into_iter().find_map(|(call, p)| {
        let Call::Track(_, e) = call else { return None };
        let (v, _) = breaking_value(field, p.get("userId")?)?;
        let mut p = p.clone();
        p.insert("userId".into(), v);
        Some((e, p))
    })
}

/// One wrong call of each kind for an event, page or screen: (what, property
/// changed, the wrong properties, the mypy error code).
fn wrong_bodies(planned: &[&Property], props: &Value) -> Vec<(&'static str, Value, &'static str)> {
    let obj = props.as_object().cloned().unwrap_or_default();
    let mut out = Vec::new();
    if let Some(p) = planned.iter().find(|p| p.is_required()) {
        let mut b = obj.clone();
        b.remove(&*p.name.value);
        out.push((
            "a missing required property",
            Value::Object(b),
            "typeddict-item",
        ));
    }
    if let Some(p) = planned
        .iter()
        .find(|p| matches!(p.ty, Type::Enum(_)) && obj.contains_key(&*p.name.value))
    {
        let mut b = obj.clone();
        b.insert(p.name.value.to_string(), json!("not-a-planned-value"));
        out.push(("a wrong enum value", Value::Object(b), "typeddict-item"));
    }
    if let Some((p, v)) = planned.iter().find_map(|p| {
        if !obj.contains_key(&*p.name.value) {
            return None;
        }
        match p.ty {
            Type::String => Some((p, json!(12345))),
            Type::Integer | Type::Number => Some((p, json!("12"))),
            Type::Boolean => Some((p, json!("yes"))),
            _ => None,
        }
    }) {
        let mut b = obj.clone();
        b.insert(p.name.value.to_string(), v);
        out.push(("a wrong type", Value::Object(b), "typeddict-item"));
    }
    let mut b = obj;
    b.insert("not_in_the_plan".into(), json!(1));
    out.push((
        "a property not in the plan",
        Value::Object(b),
        "typeddict-unknown-key",
    ));
    out
}

// ---------------------------------------------------------------------------
// TypeScript

/// The sample's `context` without `protocols`, which the client sets itself
/// (`event_version` of a versioned event, `plan_version`).
fn context(p: &Map<String, Value>) -> Option<Value> {
    let mut cx = p.get("context")?.as_object()?.clone();
    cx.remove("protocols");
    (!cx.is_empty()).then_some(Value::Object(cx))
}

fn ts_options(p: &Map<String, Value>, with_user: bool) -> String {
    let mut o = Map::new();
    if with_user && let Some(u) = p.get("userId") {
        o.insert("userId".into(), u.clone());
    }
    for key in ["anonymousId", "timestamp", "messageId"] {
        if let Some(v) = p.get(key) {
            o.insert(key.into(), v.clone());
        }
    }
    if let Some(cx) = context(p) {
        o.insert("context".into(), cx);
    }
    Value::Object(o).to_string()
}

/// `calls.ts`: `run()` makes every sample's call, `bad()` calls that break a
/// constraint (and the paths expected to be reported); `wrong.ts`: calls the
/// types must reject.
fn ts_calls(c: &Checked) -> (String, String, Vec<(String, String)>) {
    let fns = typescript_functions(&c.plan);
    let view_fns = typescript_view_functions(&c.plan);
    let mut ok = String::from(
        "// Every sample of the plan as a call of the generated client (tests/it/clients.rs).\n\
         import * as t from \"./typescript/tracking\";\n\nexport const client = t;\n\nexport function run(): void {\n",
    );
    let mut wrong = String::from(
        "// Calls the generated types must reject, each marked (tests/it/clients.rs).\n\
         import * as t from \"./typescript/tracking\";\n\nexport const client = t;\n\nexport function wrong(): void {\n",
    );
    let mut bad = String::from("}\n\nexport function bad(): void {\n");
    let mut expected = Vec::new();
    for (call, p) in calls(c) {
        let props = body(p);
        match call {
            Call::Identify => {
                let _ = writeln!(
                    ok,
                    "  t.identify({}, {props}, {});",
                    p["userId"],
                    ts_options(p, false)
                );
            }
            Call::Group => {
                let _ = writeln!(
                    ok,
                    "  t.group({}, {props}, {});",
                    p["groupId"],
                    ts_options(p, true)
                );
            }
            Call::Track(i, e) => {
                let f = &fns[i];
                let opts = ts_options(p, true);
                let _ = writeln!(ok, "  t.{f}({props}, {opts});");
                let _ = writeln!(
                    wrong,
                    "  // @ts-expect-error a misspelt event\n  t.{f}Typo({props}, {opts});"
                );
                let planned: Vec<&Property> = e.properties.iter().collect();
                for (what, b, _) in wrong_bodies(&planned, &props) {
                    let _ = writeln!(wrong, "  // @ts-expect-error {what}\n  t.{f}({b}, {opts});");
                }
                for (b, path) in bad_bodies(&planned, &props) {
                    let _ = writeln!(bad, "  t.{f}({b}, {opts});");
                    expected.push((e.name.value.clone(), path));
                }
            }
            Call::View(i, t) => {
                let f = &view_fns[i];
                let mut opts = ts_options(p, true);
                if t.name.is_none() {
                    // The unnamed rule's call takes the name as an option.
                    opts = format!("{{ ...{opts}, name: {} }}", p["name"]);
                }
                let _ = writeln!(ok, "  t.{f}({props}, {opts});");
                let _ = writeln!(
                    wrong,
                    "  // @ts-expect-error a misspelt call\n  t.{f}Typo({props}, {opts});"
                );
                let planned = view_props(&c.plan, t);
                for (what, b, _) in wrong_bodies(&planned, &props) {
                    let _ = writeln!(wrong, "  // @ts-expect-error {what}\n  t.{f}({b}, {opts});");
                }
                let kind = if is_page(t) { "page" } else { "screen" };
                for (b, path) in bad_bodies(&planned, &props) {
                    let _ = writeln!(bad, "  t.{f}({b}, {opts});");
                    expected.push((kind.to_string(), path));
                }
            }
        }
    }
    if let Some((e, p)) = envelope_bad(c) {
        let f = &fns[c
            .plan
            .events
            .iter()
            .position(|x| std::ptr::eq(x, e))
            .expect("an event")];
        let _ = writeln!(bad, "  t.{f}({}, {});", body(&p), ts_options(&p, true));
        expected.push((e.name.value.clone(), "/userId".into()));
    }
    ok.push_str(&bad);
    ok.push_str("}\n");
    wrong.push_str("}\n");
    (ok, wrong, expected)
}

/// The strict flags the generated module must pass, on top of `--strict`.
const TSC_FLAGS: &[&str] = &[
    "--strict",
    "--noUncheckedIndexedAccess",
    "--exactOptionalPropertyTypes",
    "--noImplicitReturns",
    "--noUnusedLocals",
    "--noUnusedParameters",
    "--noPropertyAccessFromIndexSignature",
    "--noFallthroughCasesInSwitch",
    "--noImplicitOverride",
    "--skipLibCheck",
    "--target",
    "es2020",
    "--module",
    "commonjs",
    "--moduleResolution",
    "node10",
];

#[test]
fn typescript_clients_type_check_reject_wrong_calls_and_send_every_sample() {
    let tools = tools();
    let checked = checked_plans();
    let tmp = tempfile::tempdir().expect("a temp dir");
    let dir = tmp.path();
    std::os::unix::fs::symlink(&tools, dir.join("node_modules")).expect("symlinks node_modules");
    let mut files: Vec<String> = Vec::new();
    let mut expected_bad = Vec::new();
    for c in &checked {
        let d = dir.join(&c.name);
        generate("typescript", &c.path, &d);
        generate("samples", &c.path, &d);
        let (ok, wrong, bad) = ts_calls(c);
        write(&d.join("calls.ts"), &ok);
        write(&d.join("wrong.ts"), &wrong);
        files.push(format!("{}/calls.ts", c.name));
        files.push(format!("{}/wrong.ts", c.name));
        expected_bad.push(bad);
    }
    // The hand-written usage file, on the e-commerce example.
    let usage = std::fs::read_to_string(root().join("tests/clients/usage.ts")).expect("usage.ts");
    write(&dir.join("usage.ts"), &usage);
    files.push("usage.ts".into());
    // The module alone, in an ES module program without DOM or Node types: it
    // needs nothing but the language.
    let tsc = tools.join("typescript/bin/tsc");
    let mut alone = Command::new("node");
    alone
        .current_dir(dir)
        .arg(&tsc)
        .args(TSC_FLAGS)
        .args(["--noEmit", "--module", "es2020", "--lib", "es2020"]);
    for c in &checked {
        alone.arg(format!("{}/typescript/tracking.ts", c.name));
    }
    run(&mut alone, "tsc on the generated modules alone");
    // Everything, with the usage file's analytics libraries, compiled to JS.
    let mut all = Command::new("node");
    all.current_dir(dir)
        .arg(&tsc)
        .args(TSC_FLAGS)
        .args(["--lib", "es2020,dom", "--outDir", "js", "--rootDir", "."])
        .args(&files);
    run(
        &mut all,
        "tsc --strict on the clients, their samples and wrong calls",
    );

    // The constraint checks are exercised (a test that cannot fail is a defect).
    assert!(expected_bad.iter().map(Vec::len).sum::<usize>() >= 10);
    send_and_check(&checked, expected_bad, dir, |c, capture, denied| {
        let mut cmd = Command::new("node");
        cmd.current_dir(root().join("tests/clients"))
            .arg("send.js")
            .arg(dir.join("js").join(&c.name))
            .arg(capture)
            .args(denied);
        cmd
    });
}

// ---------------------------------------------------------------------------
// Python

/// A JSON value as a Python literal.
fn py(v: &Value) -> String {
    match v {
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        // A whole number as an int (Python's int is also a float).
        Value::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 9e15 => format!("{}", f as i64),
            _ => n.to_string(),
        },
        Value::String(s) => Value::String(s.clone()).to_string(),
        Value::Array(a) => format!("[{}]", a.iter().map(py).collect::<Vec<_>>().join(", ")),
        Value::Object(o) => format!(
            "{{{}}}",
            o.iter()
                .map(|(k, v)| format!("{}: {}", Value::String(k.clone()), py(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn py_options(p: &Map<String, Value>, with_user: bool) -> String {
    let mut o = Vec::new();
    if with_user && let Some(u) = p.get("userId") {
        o.push(format!("user_id={}", py(u)));
    }
    if let Some(v) = p.get("anonymousId") {
        o.push(format!("anonymous_id={}", py(v)));
    }
    if let Some(v) = p.get("timestamp") {
        o.push(format!("timestamp=_ts({})", py(v)));
    }
    if let Some(v) = p.get("messageId") {
        o.push(format!("message_id={}", py(v)));
    }
    if let Some(v) = context(p) {
        o.push(format!("context={}", py(&v)));
    }
    o.join(", ")
}

const PY_HEADER: &str = "import datetime as _dt\n\nfrom . import tracking as t\n\n\n\
def _ts(s: str) -> _dt.datetime:\n    return _dt.datetime.fromisoformat(s.replace(\"Z\", \"+00:00\"))\n\n\n";

fn py_calls(c: &Checked) -> (String, String) {
    let fns = python_functions(&c.plan);
    let view_fns = python_view_functions(&c.plan);
    let mut ok = format!(
        "\"\"\"Every sample of the plan as a call of the generated client (tests/it/clients.rs).\"\"\"\n\n{PY_HEADER}def run() -> None:\n"
    );
    let mut wrong = format!(
        "\"\"\"Calls the generated types must reject, each marked (tests/it/clients.rs).\"\"\"\n\n{PY_HEADER}def wrong() -> None:\n"
    );
    let mut bad = String::from("    pass\n\n\ndef bad() -> None:\n    pass\n");
    for (call, p) in calls(c) {
        let props = body(p);
        match call {
            Call::Identify => {
                let _ = writeln!(
                    ok,
                    "    t.identify({}, {}, {})",
                    py(&p["userId"]),
                    py(&props),
                    py_options(p, false)
                );
            }
            Call::Group => {
                let _ = writeln!(
                    ok,
                    "    t.group({}, {}, {})",
                    py(&p["groupId"]),
                    py(&props),
                    py_options(p, true)
                );
            }
            Call::Track(i, e) => {
                let f = &fns[i];
                let opts = py_options(p, true);
                // A deprecated event's call is reported by the type checker.
                let dep = if e.is_deprecated() {
                    "  # type: ignore[deprecated]"
                } else {
                    ""
                };
                let _ = writeln!(ok, "    t.{f}({}, {opts}){dep}", py(&props));
                let _ = writeln!(
                    wrong,
                    "    t.{f}_typo({}, {opts})  # type: ignore[attr-defined]",
                    py(&props)
                );
                // An event without a required property takes `Optional[…]`:
                // mypy then reports the argument, not the item.
                let optional = !c
                    .plan
                    .common
                    .iter()
                    .flat_map(|t| &t.properties)
                    .chain(&e.properties)
                    .any(Property::is_required);
                let planned: Vec<&Property> = e.properties.iter().collect();
                for (_, b, code) in wrong_bodies(&planned, &props) {
                    let code = if optional { "arg-type" } else { code };
                    let codes = if dep.is_empty() {
                        code.to_string()
                    } else {
                        format!("{code}, deprecated")
                    };
                    let _ = writeln!(
                        wrong,
                        "    t.{f}({}, {opts})  # type: ignore[{codes}]",
                        py(&b)
                    );
                }
                for (b, _) in bad_bodies(&planned, &props) {
                    let _ = writeln!(bad, "    t.{f}({}, {opts}){dep}", py(&b));
                }
            }
            Call::View(i, t) => {
                let f = &view_fns[i];
                let mut opts = py_options(p, true);
                if t.name.is_none() {
                    // The unnamed rule's call takes the name as a keyword.
                    opts = format!("name={}, {opts}", py(&p["name"]));
                }
                let _ = writeln!(ok, "    t.{f}({}, {opts})", py(&props));
                let _ = writeln!(
                    wrong,
                    "    t.{f}_typo({}, {opts})  # type: ignore[attr-defined]",
                    py(&props)
                );
                let planned = view_props(&c.plan, t);
                let optional = !planned.iter().any(|p| p.is_required());
                for (_, b, code) in wrong_bodies(&planned, &props) {
                    let code = if optional { "arg-type" } else { code };
                    let _ = writeln!(
                        wrong,
                        "    t.{f}({}, {opts})  # type: ignore[{code}]",
                        py(&b)
                    );
                }
                for (b, _) in bad_bodies(&planned, &props) {
                    let _ = writeln!(bad, "    t.{f}({}, {opts})", py(&b));
                }
            }
        }
    }
    if let Some((e, p)) = envelope_bad(c) {
        let i = c
            .plan
            .events
            .iter()
            .position(|x| std::ptr::eq(x, e))
            .expect("an event");
        let dep = if e.is_deprecated() {
            "  # type: ignore[deprecated]"
        } else {
            ""
        };
        let _ = writeln!(
            bad,
            "    t.{}({}, {}){dep}",
            fns[i],
            py(&body(&p)),
            py_options(&p, true)
        );
    }
    ok.push_str(&bad);
    wrong.push_str("    pass\n");
    (ok, wrong)
}

#[test]
fn python_clients_type_check_reject_wrong_calls_and_send_every_sample() {
    let venv = venv();
    let tools = tools();
    let checked = checked_plans();
    let tmp = tempfile::tempdir().expect("a temp dir");
    let dir = tmp.path();
    let mut packages = Vec::new();
    let mut expected_bad = Vec::new();
    for c in &checked {
        let d = dir.join(&c.name);
        generate("python", &c.path, &d);
        std::fs::rename(d.join("python/tracking.py"), d.join("tracking.py")).expect("moves");
        write(&d.join("__init__.py"), "");
        let (ok, wrong) = py_calls(c);
        write(&d.join("calls.py"), &ok);
        write(&d.join("wrong.py"), &wrong);
        packages.push(c.name.clone());
        expected_bad.push(ts_calls(c).2);
    }
    let usage = std::fs::read_to_string(root().join("tests/clients/usage.py")).expect("usage.py");
    write(&dir.join("usage.py"), &usage);
    let mut mypy = Command::new(venv.join("bin/mypy"));
    mypy.current_dir(dir)
        .args([
            "--strict",
            "--warn-unused-ignores",
            "--enable-error-code",
            "deprecated",
            "--no-incremental",
            "--cache-dir",
            "/dev/null",
        ])
        .args(&packages)
        .arg("usage.py");
    run(
        &mut mypy,
        "mypy --strict on the clients, their samples and wrong calls",
    );
    let mut pyright = Command::new("node");
    pyright
        .current_dir(dir)
        .arg(tools.join("pyright/index.js"))
        .arg("--pythonpath")
        .arg(venv.join("bin/python"))
        .args(packages.iter().map(|p| format!("{p}/tracking.py")))
        .args(packages.iter().map(|p| format!("{p}/calls.py")));
    run(&mut pyright, "pyright on the clients and their samples");

    send_and_check(&checked, expected_bad, dir, |c, capture, denied| {
        let mut cmd = Command::new(venv.join("bin/python"));
        cmd.arg(root().join("tests/clients/send.py"))
            .arg(dir)
            .arg(&c.name)
            .arg(capture)
            .args(denied);
        cmd
    });
}

// ---------------------------------------------------------------------------
// What both run times must show.

/// Sends each plan's calls through a runner (`send(plan, capture, denied
/// purpose)` makes its command) and checks what arrived; then the e-commerce
/// example with `advertising` denied.
fn send_and_check(
    checked: &[Checked],
    expected_bad: Vec<Vec<(String, String)>>,
    dir: &Path,
    send: impl Fn(&Checked, &Path, Option<&str>) -> Command,
) {
    let eventsc = env!("CARGO_BIN_EXE_eventsc");
    for (c, expected) in checked.iter().zip(expected_bad).filter(|(c, _)| c.runtime) {
        let capture = dir.join(format!("{}.ndjson", c.name));
        let out = run(
            &mut send(c, &capture, None),
            &format!("the runner on {}", c.name),
        );
        check_run(c, &out, &capture, &expected, eventsc);
    }
    // A purpose that is not granted keeps its events (and their properties) out.
    let c = checked
        .iter()
        .find(|c| c.name == "plan_examples_ecommerce")
        .expect("the e-commerce example");
    let capture = dir.join("denied.ndjson");
    run(
        &mut send(c, &capture, Some("advertising")),
        "the runner with advertising denied",
    );
    check_denied(c, &capture, "advertising");
}

/// The samples were sent without a violation and pass `eventsc validate` with
/// full coverage; every `bad()` call was reported at its property.
fn check_run(c: &Checked, out: &str, capture: &Path, expected: &[(String, String)], eventsc: &str) {
    let result: Value = serde_json::from_str(out).expect("the runner prints JSON");
    assert_eq!(
        result["violations"],
        json!([]),
        "{}: the samples are valid, yet onViolation reported",
        c.name
    );
    let bad = result["bad"].as_array().expect("bad");
    for (event, path) in expected {
        assert!(
            bad.iter()
                .any(|v| v["call"] == json!(event) && v["path"] == json!(path)),
            "{}: no violation reported for {event} at {path}; reported: {bad:?}",
            c.name
        );
    }
    // The bad calls were sent too: only the good ones are validated.
    let text = std::fs::read_to_string(capture).expect("the capture");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines.len(),
        c.samples.len() + expected.len(),
        "{}: every call arrives",
        c.name
    );
    let good = dir_file(
        capture,
        "good",
        &(lines[..c.samples.len()].join("\n") + "\n"),
    );
    // The client sets `event_version` for a versioned event only (the
    // test's calls leave `protocols` out of the context they pass).
    let version = c.plan.meta.version.value.to_string();
    for (i, l) in lines.iter().enumerate() {
        let v: Value = serde_json::from_str(l).expect("JSON");
        let mut expected = json!({"plan_version": version});
        if let Some(sample) = c.samples.get(i)
            && let Some(n) = sample.payload["context"]["protocols"].get("event_version")
        {
            expected["event_version"] = n.clone();
        }
        if let Some(sample) = c.samples.get(i) {
            assert_eq!(v["context"]["protocols"], expected, "{}: {l}", c.name);
            // The call the sample is: its type, event or page/screen name.
            for key in ["type", "event", "name"] {
                assert_eq!(
                    v.get(key),
                    sample.payload.get(key),
                    "{}: {key} of {l}",
                    c.name
                );
            }
        } else {
            assert_eq!(v["context"]["protocols"]["plan_version"], json!(version));
        }
    }
    let out = Command::new(eventsc)
        .arg("validate")
        .arg(&c.path)
        .arg("--payloads")
        .arg(&good)
        .args(["--format", "json"])
        .output()
        .expect("eventsc runs");
    let report: Value = serde_json::from_slice(&out.stdout).expect("validate prints JSON");
    assert!(
        out.status.success() && report["qa"]["passed"] == json!(true),
        "{}: validate fails on what the client sent:\n{}",
        c.name,
        String::from_utf8_lossy(&out.stdout)
    );
    let coverage = &report["qa"]["coverage"];
    assert_eq!(
        coverage["observed"], coverage["planned"],
        "{}: full coverage",
        c.name
    );
    assert_eq!(report["totals"]["defective"], json!(0), "{}", c.name);
}

fn dir_file(next_to: &Path, suffix: &str, text: &str) -> PathBuf {
    let p = next_to.with_extension(format!("{suffix}.ndjson"));
    std::fs::write(&p, text).expect("writes");
    p
}

/// With `purpose` denied, no event under it arrives, no property under it is
/// sent, and every payload's consent preferences say so when it was asked.
fn check_denied(c: &Checked, capture: &Path, purpose: &str) {
    let denied = c
        .plan
        .consents
        .iter()
        .position(|p| p.id.value == purpose)
        .expect("the purpose exists");
    let category = c.plan.consents[denied].category().to_string();
    let text = std::fs::read_to_string(capture).expect("the capture");
    let sent: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON"))
        .collect();
    let gated: Vec<&str> = c
        .plan
        .events
        .iter()
        .filter(|e| e.consent.as_ref().and_then(|r| r.target) == Some(denied))
        .map(|e| e.name.value.as_str())
        .collect();
    assert!(!gated.is_empty(), "the plan has events under {purpose}");
    for v in &sent {
        if let Some(name) = v["event"].as_str() {
            assert!(
                !gated.contains(&name),
                "{name} was sent with {purpose} denied"
            );
        }
        if let Some(prefs) = v["context"]["consent"]["categoryPreferences"].as_object()
            && let Some(granted) = prefs.get(&category)
        {
            assert_eq!(granted, &json!(false));
        }
    }
    // Everything else arrived (run() and bad()).
    let expected_total = c.samples.len() - gated.len();
    assert!(
        sent.len() >= expected_total,
        "{} sent, at least {expected_total} expected",
        sent.len()
    );
}
