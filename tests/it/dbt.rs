//! The `dbt` target against real dbt-core, on DuckDB and on PostgreSQL.
//!
//! For each plan, `eventsc build --target dbt,samples` writes the dbt project
//! and the sample payloads. The payloads, and systematic mutations of them
//! (the corpus of `validate_ajv`, kept to what a warehouse can hold: no wrong
//! JSON types but in union columns and list items, no null told apart from
//! missing but in list items, no objects inside lists; plus an
//! unplanned event and a group call without a groupId), get unique message
//! ids and are loaded by `tests/dbt/harness.py` into Segment-shaped tables, as
//! Segment's loader would. Then `dbt parse` and `dbt build` run, once for all
//! plans (dbt starts in seconds), with dbt's YAML JSON-schema checks switched
//! on for DuckDB, `--no-partial-parse` and `--show-all-deprecations`: no
//! deprecation, no warning, no error. Every generic test of the project must
//! fail on some plan (every rule broken at least once), and the QA models must
//! give `eventsc validate --format json`'s verdict on the same payloads:
//! events in scope and observed, defective payloads, passed, and the count of
//! each kind of defect per event. Needs `scripts/setup.sh` (dbt-core,
//! dbt-duckdb, dbt-postgres in .venv; Debian's PostgreSQL).

use crate::common;
use crate::validate_ajv::{Case, corpus, remove, set, unescape};

use eventsc::ir::{Literal, Plan, Property, Type};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

pub(crate) fn harness(args: &[&str]) -> String {
    let out = Command::new(common::venv_python())
        .arg(common::root().join("tests/dbt/harness.py"))
        .args(args)
        .env("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
        .output()
        .expect("python runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "harness {args:?} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// The JSON document the harness prints as its last line.
pub(crate) fn last_json(stdout: &str) -> Value {
    let last = stdout.lines().rev().find(|l| !l.trim().is_empty());
    serde_json::from_str(last.unwrap_or("")).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

fn utf8(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 temp path")
}

/// Builds the plan's `dbt` and `samples` targets with the real CLI into `out`.
pub(crate) fn build(plan: &Path, out: &Path, extra: &[&str]) {
    let run = Command::new(env!("CARGO_BIN_EXE_eventsc"))
        .arg("build")
        .arg(plan)
        .arg("--out")
        .arg(out)
        .args(["--target", "dbt,samples"])
        .args(extra)
        .current_dir(common::root())
        .output()
        .expect("eventsc runs");
    assert!(
        run.status.success(),
        "build of {} failed: {}",
        plan.display(),
        String::from_utf8_lossy(&run.stderr)
    );
}

pub(crate) fn samples(out: &Path) -> Vec<Value> {
    std::fs::read_to_string(out.join("samples/samples.ndjson"))
        .expect("samples.ndjson")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("a sample is JSON"))
        .collect()
}

/// The property at a JSON pointer of a payload (`/properties/…` of a track
/// call, `/traits/…`), with whether its parents are all required and not
/// nullable, and whether it is inside a list.
fn property_at<'p>(
    plan: &'p Plan,
    payload: &Value,
    ptr: &str,
) -> Option<(&'p Property, bool, bool)> {
    let mut segs = ptr.trim_start_matches('/').split('/').map(unescape);
    let root = segs.next()?;
    let mut props: Vec<&Property> = match (payload["type"].as_str()?, root.as_str()) {
        ("track", "properties") => {
            let e = plan.event_by_name(payload["event"].as_str()?)?;
            let mut v: Vec<&Property> = e.properties.iter().collect();
            if let Some(c) = &plan.common {
                v.extend(c.properties.iter());
            }
            v
        }
        ("identify", "traits") => plan.identify.as_ref()?.properties.iter().collect(),
        ("group", "traits") => plan.group.as_ref()?.properties.iter().collect(),
        _ => return None,
    };
    let (mut parents_required, mut in_list) = (true, false);
    let mut found: Option<&Property> = None;
    for seg in segs {
        if let Some(p) = found {
            parents_required &= p.is_required() && !p.is_nullable();
        }
        if seg.parse::<usize>().is_ok() {
            in_list = true;
            continue;
        }
        let p = *props.iter().find(|p| *p.name.value == *seg)?;
        let mut ty = &p.ty;
        while let Type::List(inner) = ty {
            ty = &inner.ty;
        }
        props = match ty {
            Type::Object(children) => children.iter().collect(),
            _ => Vec::new(),
        };
        found = Some(p);
    }
    found.map(|p| (p, parents_required, in_list))
}

/// The item property when `ptr` is the first item of a list that is in no
/// other list (`/properties/tags/0`).
fn list_item<'p>(plan: &'p Plan, payload: &Value, ptr: &str) -> Option<&'p Property> {
    let (list, last) = ptr.rsplit_once('/')?;
    let numeric = |s: &str| s.parse::<usize>().is_ok();
    if !numeric(last) || list.split('/').any(numeric) {
        return None;
    }
    match property_at(plan, payload, list) {
        Some((p, _, false)) => match &p.ty {
            Type::List(inner) => Some(inner),
            _ => None,
        },
        _ => None,
    }
}

/// The JSON kinds a column of the type holds (`string`, `number`,
/// `boolean`, `list`), `None` for lists, objects and `any`.
fn kinds(ty: &Type) -> Option<Vec<&'static str>> {
    let one = |t: &Type| match t {
        Type::String | Type::Date | Type::Datetime => Some("string"),
        Type::Integer | Type::Number => Some("number"),
        Type::Boolean => Some("boolean"),
        Type::List(_) => Some("list"),
        _ => None,
    };
    let mut out: Vec<&'static str> = match ty {
        Type::Enum(e) => e
            .json_types()
            .into_iter()
            .map(|t| if t == "integer" { "number" } else { t })
            .collect(),
        Type::Union(members) => members.iter().map(one).collect::<Option<_>>()?,
        t => vec![one(t).filter(|k| *k != "list")?],
    };
    out.dedup();
    Some(out)
}

/// Whether a value keeps its meaning in the property's column: typed
/// columns hold values of their kind, text columns of several kinds any.
fn fits(ty: &Type, v: &Value) -> bool {
    match kinds(ty).as_deref() {
        Some(["number"]) => v.is_number(),
        Some(["boolean"]) => v.is_boolean(),
        Some(["string"]) => v.is_string(),
        Some(_) => !v.is_null(),
        None => false,
    }
}

/// Whether every value with the text the warehouse holds for `v` (of the
/// kinds the column holds) is in `banned`.
fn all_banned(ty: &Type, v: &Value, banned: &[Literal]) -> bool {
    let text = match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let kinds = kinds(ty).unwrap_or_default();
    let is = |l: &Literal| match l {
        Literal::Str(s) => kinds.contains(&"string") && *s == text,
        Literal::Num(n) => {
            kinds.contains(&"number") && n.as_f64().is_some_and(|x| text.parse() == Ok(x))
        }
        Literal::Bool(b) => kinds.contains(&"boolean") && b.to_string() == text,
    };
    let mut readings = 0;
    if kinds.contains(&"string") {
        readings += 1;
        if !banned.iter().any(|l| matches!(l, Literal::Str(_)) && is(l)) {
            return false;
        }
    }
    if kinds.contains(&"number") && serde_json::from_str::<serde_json::Number>(&text).is_ok() {
        readings += 1;
        if !banned.iter().any(|l| matches!(l, Literal::Num(_)) && is(l)) {
            return false;
        }
    }
    if kinds.contains(&"boolean") && (text == "true" || text == "false") {
        readings += 1;
        if !banned
            .iter()
            .any(|l| matches!(l, Literal::Bool(_)) && is(l))
        {
            return false;
        }
    }
    readings > 0
}

/// Whether a warehouse can hold what a mutation did, so that the QA models
/// can see what `validate` sees.
fn representable(plan: &Plan, case: &Case) -> bool {
    // Page and screen calls (the differential corpus has them): their samples,
    // whose mutations [`property_at`] does not map to warehouse columns yet
    // (it knows track, identify and group) — dbt's own page/screen payloads
    // (tests/fixtures/dbt/calls.ndjson) cover what breaks them.
    if matches!(case.payload["type"].as_str(), Some("page" | "screen")) {
        return case.category == "valid";
    }
    let ptr = case.label.split_once(": ").map_or("", |(p, _)| p);
    let prop = || property_at(plan, &case.payload, ptr);
    let value = || case.payload.pointer(ptr).unwrap_or(&Value::Null);
    // An item of a list (JSON text, which keeps JSON types): its kind, null,
    // enum and, for items of one type, their constraints are checked.
    if let Some(item) = list_item(plan, &case.payload, ptr) {
        let one_type = !matches!(item.ty, Type::Union(_));
        return match case.category {
            "items" | "type" | "null" | "enum" => true,
            "bounds" | "bounds-ok" | "multiple" | "multiple-ok" | "length" | "length-ok"
            | "pattern" | "format" | "format-ok" | "not-enum" | "not-pattern" | "integer-float"
            | "enum-ok" => one_type,
            _ => false,
        };
    }
    match case.category {
        "valid" | "consent-off" | "after-sunset" | "identity" | "extra-property" => true,
        "envelope" => case.label == "no userId nor anonymousId",
        // A missing value the warehouse sees as such: not in a list, not a
        // whole object, no optional parent, not required and nullable.
        "missing" => prop().is_some_and(|(p, parents, list)| {
            let hidden = list || matches!(p.ty, Type::Object(_));
            let unchecked = p.is_required() && (!parents || p.is_nullable());
            !hidden && !unchecked
        }),
        "format" | "format-ok" => {
            prop().is_some_and(|(p, _, list)| !list && matches!(p.ty, Type::String | Type::Date))
        }
        "length" | "length-ok" => {
            prop().is_some_and(|(p, _, list)| !list && matches!(p.ty, Type::String | Type::List(_)))
        }
        "list-empty" => prop().is_some_and(|(p, _, list)| !list && matches!(p.ty, Type::List(_))),
        "pattern" | "bounds" | "bounds-ok" | "integer-float" => {
            prop().is_some_and(|(_, _, list)| !list)
        }
        // A value of a kind the column holds (else the loader makes it NULL).
        "enum" => prop().is_some_and(|(p, _, list)| !list && fits(&p.ty, value())),
        "multiple" | "multiple-ok" => {
            prop().is_some_and(|(p, _, list)| !list && matches!(p.ty, Type::Integer | Type::Number))
        }
        "not-pattern" => prop().is_some_and(|(p, _, list)| {
            !list && kinds(&p.ty).is_some_and(|k| k == ["string"]) && value().is_string()
        }),
        // The warehouse holds the text of a union's value: it tells a banned
        // value only when every value of that text is banned.
        "not-enum" => prop().is_some_and(|(p, _, list)| {
            let banned = p.modifiers().not_enum.as_ref().map(|b| &b.value[..]);
            !list && fits(&p.ty, value()) && banned.is_some_and(|b| all_banned(&p.ty, value(), b))
        }),
        // A key the plan lacks becomes a column (not inside a list: JSON text).
        "closed-extra" => !ptr.split('/').any(|s| s.parse::<usize>().is_ok()),
        // A union of no string member tells an object from its members.
        "type" => prop().is_some_and(|(p, _, list)| {
            !list
                && matches!(&p.ty, Type::Union(_))
                && kinds(&p.ty).is_some_and(|k| !k.contains(&"string"))
        }),
        // Wrong JSON types (the loader makes them NULL), nulls (a warehouse
        // cannot tell them from missing values), what is inside objects in
        // lists.
        _ => false,
    }
}

/// The corpus of a plan as a warehouse can hold it, each payload with its
/// own message id.
pub(crate) fn warehouse_corpus(plan: &Plan, samples: &[Value]) -> Vec<Value> {
    let mut out: Vec<Value> = corpus(plan, samples)
        .into_iter()
        .filter(|c| representable(plan, c))
        .map(|c| c.payload)
        .collect();
    if let Some(track) = samples.iter().find(|s| s["type"] == "track") {
        let mut v = track.clone();
        set(&mut v, "/event", json!("Unplanned Thing Happened"));
        out.push(v);
    }
    if let Some(group) = samples.iter().find(|s| s["type"] == "group") {
        let mut v = group.clone();
        remove(&mut v, "/groupId");
        out.push(v);
    }
    for (i, v) in out.iter_mut().enumerate() {
        set(v, "/messageId", json!(format!("m-{i}")));
    }
    out
}

pub(crate) fn write_ndjson(path: &Path, payloads: &[Value]) {
    let mut text = String::new();
    for p in payloads {
        text.push_str(&p.to_string());
        text.push('\n');
    }
    std::fs::write(path, text).expect("write payloads");
}

/// `eventsc validate --format json` on a payload file.
pub(crate) fn validate(plan: &Path, payloads: &Path) -> Value {
    let run = Command::new(env!("CARGO_BIN_EXE_eventsc"))
        .arg("validate")
        .arg(plan)
        .arg("--payloads")
        .arg(payloads)
        .args(["--format", "json"])
        .current_dir(common::root())
        .output()
        .expect("eventsc runs");
    assert!(
        matches!(run.status.code(), Some(0 | 1)),
        "validate failed: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    serde_json::from_slice(&run.stdout).expect("validate prints JSON")
}

const WARNINGS: &[&str] = &["deprecated-event", "unplanned-property"];

/// Asserts the QA models (`qa`, from the harness) give validate's verdict.
pub(crate) fn assert_same_verdict(name: &str, qa: &Value, validate: &Value) {
    let s = &qa["summary"];
    let v = &validate["qa"];
    let context = || format!("{name}: warehouse {s}\nvalidate {v}");
    assert_eq!(
        s["events_in_scope"],
        v["coverage"]["planned"],
        "{}",
        context()
    );
    assert_eq!(
        s["events_observed"],
        v["coverage"]["observed"],
        "{}",
        context()
    );
    let (a, b) = (
        s["coverage_percent"].as_f64().unwrap_or(-1.0),
        v["coverage"]["percent"].as_f64().unwrap_or(-2.0),
    );
    assert!((a - b).abs() < 1e-6, "{}", context());
    assert_eq!(s["defect_count"], v["defects"]["payloads"], "{}", context());
    assert_eq!(s["passed"], v["passed"], "{}", context());
    // Defects per event and kind.
    let mut warehouse: BTreeMap<(String, String), u64> = BTreeMap::new();
    for d in qa["defects"].as_array().into_iter().flatten() {
        let key = (
            d[0].as_str().unwrap_or("").to_string(),
            d[3].as_str().unwrap_or("").to_string(),
        );
        *warehouse.entry(key).or_default() += 1;
    }
    let mut replay: BTreeMap<(String, String), u64> = BTreeMap::new();
    for row in validate["events"].as_array().into_iter().flatten() {
        // The warehouse counts page and screen calls per call; validate has
        // a row per named rule (`page "Pricing"`) beside the call's.
        let event = match row["call"].as_str() {
            Some(call @ ("page" | "screen")) => call,
            _ => row["name"].as_str().unwrap_or(""),
        }
        .to_string();
        for (kind, n) in row["violations"].as_object().into_iter().flatten() {
            // (Versions of an event are rows of one name.)
            if !WARNINGS.contains(&kind.as_str()) {
                *replay.entry((event.clone(), kind.clone())).or_default() +=
                    n.as_u64().unwrap_or(0);
            }
        }
    }
    assert_eq!(
        warehouse, replay,
        "{name}: defects per (event, kind), warehouse vs validate"
    );
}

fn assert_clean(name: &str, s: &Value, failures_allowed: bool) {
    assert_eq!(s["deprecations"], json!([]), "{name}: {s}");
    assert_eq!(s["warnings"], json!([]), "{name}: {s}");
    assert_eq!(s["errors"], json!([]), "{name}: {s}");
    if !failures_allowed {
        assert_eq!(s["success"], json!(true), "{name}: {s}");
        assert_eq!(s["failed"], json!([]), "{name}: {s}");
    }
}

/// A window around every payload of the tests (samples are dated 2026).
pub(crate) const WINDOW: &str =
    r#"{"eventsc_qa_since": "2000-01-01", "eventsc_qa_until": "2100-01-01"}"#;

/// The plans of the DuckDB test: every plan the targets are tested on, and the
/// targets' kitchen sink (multi-database sources, shared tables, objects).
fn duckdb_plans() -> Vec<(String, PathBuf)> {
    let mut plans = common::plans();
    plans.push((
        "kitchen-sink".into(),
        common::root().join("tests/fixtures/targets/kitchen-sink.events"),
    ));
    // EVENTSC_DBT_PLANS=name,name: only these (to debug one plan).
    if let Ok(only) = std::env::var("EVENTSC_DBT_PLANS") {
        plans.retain(|(name, _)| only.split(',').any(|o| o == name));
    }
    plans
}

/// A temporary directory, kept when EVENTSC_KEEP_TMP is set (to debug).
pub(crate) fn tempdir() -> tempfile::TempDir {
    let mut t = tempfile::tempdir().expect("tempdir");
    if std::env::var_os("EVENTSC_KEEP_TMP").is_some() {
        eprintln!("keeping {}", t.path().display());
        t.disable_cleanup(true);
    }
    t
}

/// The plans whose generic tests run (between them, every kind of rule).
const TESTED: &[&str] = &[
    "spec-full-example",
    "kitchen-sink",
    "targets-issue-14",
    "targets-every-construct",
];

/// The generic tests of `macros/eventsc.sql` a broken payload can fail.
const RULE_TESTS: &[&str] = &[
    "eventsc_required",
    "eventsc_identity",
    "eventsc_has_id",
    "eventsc_accepted_values",
    "eventsc_planned_event",
    "eventsc_range",
    "eventsc_length",
    "eventsc_pattern",
    "eventsc_format",
    "eventsc_consent",
    "eventsc_sunset",
    "eventsc_true",
    "eventsc_accepted_literals",
    "eventsc_rejected_values",
    "eventsc_rejected_literals",
    "eventsc_not_pattern",
    "eventsc_multiple_of",
    "eventsc_union",
    "eventsc_closed",
    "eventsc_items",
    "eventsc_list_length",
];

#[test]
fn every_plan_builds_on_duckdb_and_its_qa_models_agree_with_validate() {
    let tmp = tempdir();
    let mut runs = Vec::new();
    for (name, plan) in duckdb_plans() {
        let out = tmp.path().join(format!("{name}-out"));
        build(&plan, &out, &[]);
        let (_, checked) = common::check_paths(std::slice::from_ref(&plan));
        let ir = checked.plan.as_ref().expect("a checked plan");
        let payloads = warehouse_corpus(ir, &samples(&out));
        let file = tmp.path().join(format!("{name}.ndjson"));
        write_ndjson(&file, &payloads);
        let dir = tmp.path().join(&name);
        harness(&["project", utf8(&dir), utf8(&out.join("dbt")), utf8(&file)]);
        runs.push((name, plan, dir, file));
    }
    // Every plan: parse, run the QA models. The generic tests (hundreds per
    // plan, each a query) on the plans that have every kind of rule.
    let mut args = vec!["dbt", "--vars", WINDOW];
    let mut shape = Vec::new();
    for (i, (name, _, dir, _)) in runs.iter().enumerate() {
        if i > 0 {
            args.push("+");
        }
        args.extend([utf8(dir), "parse", "+", utf8(dir), "run"]);
        let test = TESTED.contains(&name.as_str());
        if test {
            args.extend(["+", utf8(dir), "test"]);
        }
        shape.push(if test { 3 } else { 2 });
    }
    let results = last_json(&harness(&args));
    let mut results = results.as_array().expect("a list of summaries").iter();
    let mut failed_tests = BTreeSet::new();
    for ((name, plan, dir, file), n) in runs.iter().zip(shape) {
        let r: Vec<&Value> = results.by_ref().take(n).collect();
        assert_eq!(r.len(), n, "{name}: dbt ran fewer commands");
        assert_clean(&format!("{name} parse"), r[0], false);
        assert_clean(&format!("{name} run"), r[1], false);
        if let Some(test) = r.get(2) {
            assert_clean(&format!("{name} test"), test, true);
            for f in test["failed"].as_array().into_iter().flatten() {
                failed_tests.insert(f["test"].as_str().unwrap_or("").to_string());
            }
        }
        let qa = last_json(&harness(&["qa", utf8(dir)]));
        assert_same_verdict(name, &qa, &validate(plan, file));
    }
    for t in RULE_TESTS {
        assert!(
            failed_tests.contains(*t),
            "no broken payload made `{t}` fail: {failed_tests:?}"
        );
    }
}

/// A throwaway PostgreSQL cluster (Debian's server): `initdb` in a temp dir,
/// started on a free port (as `nobody` when the tests run as root: the server
/// refuses root), trusting local TCP connections; stopped when dropped.
pub(crate) struct Postgres {
    dir: tempfile::TempDir,
    bin: PathBuf,
    pub(crate) port: u16,
}

impl Postgres {
    fn bin_dir() -> PathBuf {
        common::tools::require(common::tools::Tool::Postgres)
    }

    /// A server program, run as `nobody` when this is root.
    fn command(&self, program: &str) -> Command {
        let exe = self.bin.join(program);
        let root = Command::new("id")
            .arg("-u")
            .output()
            .map(|o| o.stdout.starts_with(b"0\n"))
            .unwrap_or(false);
        if root {
            let mut c = Command::new("runuser");
            c.args(["-u", "nobody", "--"]).arg(&exe);
            c
        } else {
            Command::new(&exe)
        }
    }

    fn run(&self, program: &str, args: &[&str]) {
        let out = self
            .command(program)
            .args(args)
            .output()
            .expect("a PostgreSQL program runs");
        assert!(
            out.status.success(),
            "{program} {args:?} failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    pub(crate) fn start() -> Postgres {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777))
            .expect("chmod");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let pg = Postgres {
            bin: Self::bin_dir(),
            port,
            dir,
        };
        let data = pg.dir.path().join("data");
        let (data, sock) = (utf8(&data), utf8(pg.dir.path()));
        pg.run(
            "initdb",
            &[
                "-D",
                data,
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C",
                "-N",
            ],
        );
        let options = format!(
            "-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
        );
        let log = pg.dir.path().join("log");
        pg.run(
            "pg_ctl",
            &["-D", data, "-o", &options, "-l", utf8(&log), "-w", "start"],
        );
        pg
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let data = self.dir.path().join("data");
        let _ = self
            .command("pg_ctl")
            .args(["-D", utf8(&data), "-m", "immediate", "-w", "stop"])
            .output();
    }
}

/// `--dbt-version`: the YAML of dbt 1.8 to 1.10.4 (`meta` and `tags` beside
/// `config`, test arguments inline) on request; a version eventsc does not
/// write for is a usage error.
#[test]
fn dbt_version_picks_the_yaml() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let plan = common::root().join("tests/fixtures/targets/edge-cases.events");
    let plan = plan.to_str().expect("UTF-8");
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(common::root().join("tests/snapshots/dbt"));
    settings.set_prepend_module_to_snapshot(false);
    let bad = common::run::eventsc(
        tmp.path(),
        &[
            "build",
            plan,
            "--out",
            "out",
            "--target",
            "dbt",
            "--dbt-version",
            "1.7",
        ],
        None,
    );
    assert_eq!(bad.code, 2, "{}", bad.record);
    assert!(!tmp.path().join("out").exists(), "nothing written");
    let ok = common::run::eventsc(
        tmp.path(),
        &[
            "build",
            plan,
            "--out",
            "out",
            "--target",
            "dbt",
            "--dbt-version",
            "1.9",
        ],
        None,
    );
    assert_eq!(ok.code, 0, "{}", ok.record);
    let yaml = std::fs::read_to_string(tmp.path().join("out/dbt/models/sources.yml"))
        .expect("sources.yml");
    assert!(
        !yaml.contains("arguments:") && !yaml.contains("config:"),
        "{yaml}"
    );
    let project = std::fs::read_to_string(tmp.path().join("out/dbt/dbt_project.yml"))
        .expect("dbt_project.yml");
    assert!(
        project.contains("require-dbt-version: \">=1.8.0\""),
        "{project}"
    );
    settings.bind(|| {
        insta::assert_snapshot!("dbt-version-1.7", bad.record.replace(plan, "PLAN"));
        insta::assert_snapshot!("dbt-version-1.9-sources", yaml);
    });
}

/// The YAML for dbt 1.8 to 1.10.4 (`--dbt-version 1.9`) means the same
/// project to dbt: parsed by the installed dbt-core (1.11, which still reads
/// the older layout, with deprecations), its sources and tests equal those of
/// the default YAML. And the failing path of `eventsc_table_exists` on both:
/// an implemented event whose table Segment has not made fails it (every
/// other test on a missing table passes).
#[test]
fn older_dbt_yaml_is_the_same_project_and_a_missing_table_fails() {
    let tmp = tempdir();
    let plan = common::root().join("tests/fixtures/spec/full-example.events");
    // The first table with the test (an implemented event's).
    let new = tmp.path().join("new-out");
    build(&plan, &new, &[]);
    let sources: Value = yaml_serde::from_str(
        &std::fs::read_to_string(new.join("dbt/models/sources.yml")).expect("sources.yml"),
    )
    .expect("YAML");
    let (source, missing) = sources["sources"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|s| {
            let tables = s["tables"].as_array().into_iter().flatten();
            tables.map(move |t| (s, t))
        })
        .find(|(_, t)| t.to_string().contains("\"eventsc_table_exists\""))
        .and_then(|(s, t)| {
            Some((
                s["name"].as_str()?.to_string(),
                t["name"].as_str()?.to_string(),
            ))
        })
        .expect("a table with eventsc_table_exists");
    let select = format!("source:{source}.{missing}");
    let old = tmp.path().join("old-out");
    build(&plan, &old, &["--dbt-version", "1.9"]);
    let payloads = tmp.path().join("samples.ndjson");
    std::fs::copy(new.join("samples/samples.ndjson"), &payloads).expect("copies");
    let mut args = vec!["dbt".to_string(), "--vars".into(), WINDOW.into()];
    let mut dirs = Vec::new();
    for (name, out) in [("new", &new), ("old", &old)] {
        let dir = tmp.path().join(name);
        harness(&[
            "project",
            utf8(&dir),
            utf8(&out.join("dbt")),
            utf8(&payloads),
            "--without-table",
            &missing,
        ]);
        if !dirs.is_empty() {
            args.push("+".into());
        }
        args.extend([utf8(&dir).to_string(), "parse".into(), "+".into()]);
        args.extend([
            utf8(&dir).to_string(),
            "test".into(),
            "--select".into(),
            select.clone(),
        ]);
        dirs.push(dir);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let results = last_json(&harness(&args));
    let r = results.as_array().expect("a list of summaries");
    assert_eq!(r.len(), 4, "{results}");
    // The default YAML parses clean; the older one with deprecations only.
    assert_clean("new parse", &r[0], false);
    for (label, s) in [("old parse", &r[2]), ("old test", &r[3])] {
        assert_eq!(s["warnings"], json!([]), "{label}: {s}");
        assert_eq!(s["errors"], json!([]), "{label}: {s}");
    }
    assert_ne!(
        r[2]["deprecations"],
        json!([]),
        "dbt 1.11 reads the 1.9 YAML as older: {}",
        r[2]
    );
    // The missing table fails the test, in both layouts, and the other tests
    // of its table pass.
    for (label, s) in [("new test", &r[1]), ("old test", &r[3])] {
        assert_eq!(s["success"], json!(false), "{label}: {s}");
        assert_eq!(
            s["failed"],
            json!([{"test": "eventsc_table_exists", "table": missing, "column": null}]),
            "{label}: {s}"
        );
        assert!(s["passed"].as_u64().unwrap_or(0) > 0, "{label}: {s}");
    }
    // The same sources and tests.
    let new_manifest = last_json(&harness(&["manifest", utf8(&dirs[0])]));
    let old_manifest = last_json(&harness(&["manifest", utf8(&dirs[1])]));
    assert_eq!(new_manifest["sources"], old_manifest["sources"]);
    let (new_tests, old_tests) = (
        new_manifest["tests"].as_object().expect("tests"),
        old_manifest["tests"].as_object().expect("tests"),
    );
    // (Their ids differ: dbt hashes the YAML of their arguments; and the
    // older layout copies a table's tags onto its tests, where the newer one
    // leaves them on the table: `--exclude tag:planned` selects the same
    // tests either way, through the table.)
    let sorted = |m: &serde_json::Map<String, Value>| {
        let mut v: Vec<String> = m
            .values()
            .map(|t| json!({"name": t["name"], "kwargs": t["kwargs"]}).to_string())
            .collect();
        v.sort();
        v
    };
    let (new_tests, old_tests) = (sorted(new_tests), sorted(old_tests));
    assert!(new_tests.len() > 100, "{}", new_tests.len());
    assert!(
        new_tests == old_tests,
        "{} and {} tests; of the default YAML and not the older one: {:#?}\nthe other way: {:#?}",
        new_tests.len(),
        old_tests.len(),
        new_tests
            .iter()
            .filter(|t| !old_tests.contains(t))
            .collect::<Vec<_>>(),
        old_tests
            .iter()
            .filter(|t| !new_tests.contains(t))
            .collect::<Vec<_>>()
    );
}

/// The envelope, page and screen rules and event versions
/// (`tests/fixtures/dbt/calls.events`), on DuckDB and on PostgreSQL, with
/// hand-written calls (`calls.ndjson`) that pass and break each check: the
/// envelope's fields on every table of calls (`require_one_of` where the
/// table has a column for each field), a named page rule's checks on the
/// pages of its name only (with the rule for every page as its extra
/// properties), the rule for every page on the others, the checks of an
/// event's version on the calls of that version and the oldest version's on
/// the calls of none or of an unknown one (which break `unknown-version`).
/// The tests that fail are exactly those the calls break, the same on both
/// engines, and the QA models give `validate`'s verdict. A page name made of
/// SQL and Jinja reaches dbt as hex only.
#[test]
fn envelope_pages_screens_and_versions_on_duckdb_and_postgres() {
    let pg = Postgres::start();
    let port = pg.port.to_string();
    let tmp = tempdir();
    let plan = common::root().join("tests/fixtures/dbt/calls.events");
    let payloads = common::root().join("tests/fixtures/dbt/calls.ndjson");
    let out = tmp.path().join("out");
    build(&plan, &out, &[]);
    let yaml = std::fs::read_to_string(out.join("dbt/models/sources.yml")).expect("sources.yml");
    let defects = std::fs::read_to_string(out.join("dbt/models/eventsc_qa_defects.sql"))
        .expect("eventsc_qa_defects.sql");
    for text in [&yaml, &defects] {
        assert!(
            !text.contains("drop table") && !text.contains("env_var"),
            "{text}"
        );
    }
    // The envelope's columns on every table of calls, an event's too (its
    // checks are on `tracks`).
    let doc: Value = yaml_serde::from_str(&yaml).expect("YAML");
    for table in [
        "tracks",
        "pages",
        "identifies",
        "account_created",
        "order_placed",
    ] {
        let t = doc["sources"][0]["tables"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|t| t["name"] == table)
            .unwrap_or_else(|| panic!("a table {table}"));
        let has = |c: &str| {
            t["columns"]
                .to_string()
                .contains(&format!("\"name\":\"{c}\""))
        };
        assert!(
            has("context_app_version") && has("context_locale"),
            "{table}: {t}"
        );
    }
    let mut dirs = Vec::new();
    for engine in ["duckdb", "postgres"] {
        let dir = tmp.path().join(format!("calls-{engine}"));
        harness(&[
            "project",
            utf8(&dir),
            utf8(&out.join("dbt")),
            utf8(&payloads),
            "--engine",
            engine,
            "--port",
            &port,
        ]);
        dirs.push(dir);
    }
    let mut args = vec!["dbt", "--vars", WINDOW];
    for (i, dir) in dirs.iter().enumerate() {
        if i > 0 {
            args.push("+");
        }
        args.extend([utf8(dir), "parse", "+", utf8(dir), "run", "+"]);
        args.extend([utf8(dir), "test"]);
    }
    let results = last_json(&harness(&args));
    let results = results.as_array().expect("a list of summaries");
    assert_eq!(results.len(), 6, "{results:?}");
    let want: BTreeSet<(String, String, String)> = [
        ("eventsc_not_pattern", "tracks", "user_id"),
        ("eventsc_length", "tracks", "anonymous_id"),
        ("eventsc_format", "tracks", "context_ip"),
        ("eventsc_pattern", "tracks", "context_locale"),
        ("eventsc_required", "tracks", "user_id"),
        ("eventsc_required", "groups", "user_id"),
        ("eventsc_format", "identifies", "email"),
        ("eventsc_has_id", "groups", ""),
        ("eventsc_identity", "groups", "group_id"),
        ("eventsc_one_of", "groups", ""),
        ("eventsc_accepted_values", "groups", "plan"),
        ("eventsc_accepted_values", "pages", "plan_shown"),
        ("eventsc_required", "pages", "path"),
        ("eventsc_pattern", "pages", "coupon"),
        ("eventsc_format", "pages", "referrer"),
        ("eventsc_accepted_values", "pages", "variant"),
        ("eventsc_range", "screens", "cart_value"),
        ("eventsc_closed", "screens", ""),
        (
            "eventsc_accepted_literals",
            "order_placed",
            "context_protocols_event_version",
        ),
        ("eventsc_range", "order_placed", "total"),
        ("eventsc_required", "order_placed", "subtotal"),
        // The QA gate: these calls fail QA.
        ("eventsc_true", "", "passed"),
    ]
    .iter()
    .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
    .collect();
    for (dir, r) in dirs.iter().zip(results.chunks(3)) {
        let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("");
        assert_clean(&format!("{name} parse"), &r[0], false);
        assert_clean(&format!("{name} run"), &r[1], false);
        assert_clean(&format!("{name} test"), &r[2], true);
        let failed: BTreeSet<(String, String, String)> = r[2]["failed"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|f| {
                let s = |k: &str| f[k].as_str().unwrap_or("").to_string();
                (s("test"), s("table"), s("column"))
            })
            .collect();
        assert_eq!(failed, want, "{name}: the tests that failed");
        assert!(
            r[2]["passed"].as_u64().unwrap_or(0) > 40,
            "{name}: {}",
            r[2]
        );
        let qa = last_json(&harness(&["qa", utf8(dir)]));
        assert_same_verdict(name, &qa, &validate(&plan, &payloads));
        // The defective calls, by message id, are validate's.
        let ids: BTreeSet<&str> = qa["defects"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|d| d[4].as_str())
            .collect();
        let want_ids: BTreeSet<&str> = [
            "env-test-user",
            "env-short-anon",
            "env-bad-ip",
            "env-bad-locale",
            "env-no-user-id",
            "identify-bad-email",
            "group-only-group-id",
            "group-no-ids",
            "page-pricing-bad-enum",
            "page-pricing-no-path",
            "page-home-bad-referrer",
            "page-home-no-path",
            "page-hostile-bad-variant",
            "screen-checkout-bad",
            "v1-bad-total",
            "v2-no-subtotal",
            "v2-bad-total",
            "v7-unknown",
        ]
        .into_iter()
        .collect();
        assert_eq!(ids, want_ids, "{name}: defective calls");
    }
}
