//! `eventsc serve`: the collector is started on an ephemeral port with its
//! capture and report in a temporary folder, fed through the tracking API
//! (raw HTTP here; the real analytics.js in headless Chromium and
//! analytics-node in `serve_browser`), and must agree with `eventsc validate`
//! run on its capture: `/qa.json` byte for byte with `--format json`, the
//! summary printed on SIGTERM with the human output.

use crate::common;
use crate::common::tools::{Tool, require};

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const PLAN: &str = "tests/fixtures/validate/plan.events";
const VALID: &str = "tests/fixtures/validate/valid.ndjson";

pub struct Serve {
    child: Option<Child>,
    pub port: u16,
    pub capture: PathBuf,
    pub report: PathBuf,
    stderr: std::sync::mpsc::Receiver<String>,
}

pub struct Stopped {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Serve {
    /// Starts `eventsc serve PLAN --port 0 ARGS` with its capture and report in `dir`.
    pub fn start(plan: &str, dir: &Path, args: &[&str]) -> Serve {
        let capture = dir.join("captured.ndjson");
        let report = dir.join("evidence.md");
        let mut child = Command::new(env!("CARGO_BIN_EXE_eventsc"))
            .arg("serve")
            .arg(common::root().join(plan))
            .args(["--port", "0"])
            .arg("--capture")
            .arg(&capture)
            .arg("--report")
            .arg(&report)
            .args(args)
            .current_dir(common::root())
            .env("NO_COLOR", "1")
            .env("SOURCE_DATE_EPOCH", "1764930000")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("eventsc serve starts");
        let stderr = child.stderr.take().expect("stderr is piped");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut serve = Serve {
            child: Some(child),
            port: 0,
            capture,
            report,
            stderr: rx,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut seen = Vec::new();
        while serve.port == 0 {
            let left = deadline.saturating_duration_since(Instant::now());
            match serve.stderr.recv_timeout(left) {
                Ok(line) => {
                    if let Some(port) = line
                        .split("http://127.0.0.1:")
                        .nth(1)
                        .and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next())
                        .and_then(|p| p.parse().ok())
                    {
                        serve.port = port;
                    }
                    seen.push(line);
                }
                Err(_) => {
                    let out = serve.stop();
                    panic!(
                        "eventsc serve did not print its address: {}\n{}",
                        seen.join("\n"),
                        out.stderr
                    );
                }
            }
        }
        serve
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Sends SIGTERM and waits for the exit.
    pub fn stop(&mut self) -> Stopped {
        let mut child = self.child.take().expect("still running");
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        let mut stdout = String::new();
        if let Some(mut out) = child.stdout.take() {
            let _ = out.read_to_string(&mut stdout);
        }
        let status = child.wait().expect("eventsc serve exits");
        let mut stderr = Vec::new();
        while let Ok(line) = self.stderr.recv_timeout(Duration::from_secs(5)) {
            stderr.push(line);
        }
        Stopped {
            code: status.code().unwrap_or(-1),
            stdout,
            stderr: stderr.join("\n"),
        }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

pub struct Reply {
    pub status: u16,
    pub headers: String,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.lines().find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_string())
        })
    }
}

/// One HTTP/1.1 request on its own connection.
pub fn request(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Reply {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("the collector accepts");
    s.set_read_timeout(Some(Duration::from_secs(30)))
        .expect("a timeout");
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
        head.push_str(&format!("Host: 127.0.0.1:{port}\r\n"));
    }
    for (n, v) in headers {
        head.push_str(&format!("{n}: {v}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).expect("writes");
    s.write_all(body).expect("writes");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("reads the reply");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete reply");
    let headers = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = headers
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status");
    let mut body = raw[split + 4..].to_vec();
    if headers
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = unchunk(&body);
    }
    Reply {
        status,
        headers,
        body,
    }
}

fn unchunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(i) = b.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size = usize::from_str_radix(String::from_utf8_lossy(&b[..i]).trim(), 16).unwrap_or(0);
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&b[i + 2..i + 2 + size]);
        b = &b[i + 4 + size..];
    }
}

fn post(port: u16, path: &str, body: &str) -> Reply {
    request(
        port,
        "POST",
        path,
        &[("Content-Type", "application/json")],
        body.as_bytes(),
    )
}

/// `eventsc validate PLAN --payloads CAPTURE --format FORMAT`, with the
/// capture named as serve names it.
pub fn validate(plan: &str, capture: &Path, format: &str) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_eventsc"))
        .arg("validate")
        .arg(common::root().join(plan))
        .arg("--payloads")
        .arg(capture)
        .args(["--format", format])
        .current_dir(common::root())
        .env("NO_COLOR", "1")
        .env("SOURCE_DATE_EPOCH", "1764930000")
        .output()
        .expect("validate runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn valid_lines() -> Vec<String> {
    std::fs::read_to_string(common::root().join(VALID))
        .expect("the fixture")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(bytes).expect("gzips");
    gz.finish().expect("gzips")
}

#[test]
fn collects_the_tracking_api_and_agrees_with_validate() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let mut serve = Serve::start(PLAN, dir.path(), &[]);
    let port = serve.port;
    let valid = valid_lines();

    // A batch, as the server libraries send it (pretty-printed: one line each in the capture).
    let batch = format!(
        "{{\"batch\": [{},\n{}], \"sentAt\": \"2026-12-01T10:00:01Z\", \"writeKey\": \"k\"}}",
        valid[0], valid[1]
    );
    let r = post(port, "/v1/batch", &batch);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.text(), "{\"success\":true}");

    // analytics.js's shorthand, without `type`, gzipped, with a Basic-auth write key.
    let track = r#"{"messageId": "t-1", "timestamp": "2026-12-01T10:00:00Z", "event": "Cart Viewed", "anonymousId": "a-1", "properties": {"item_count": -3}}"#;
    let r = request(
        port,
        "POST",
        "/v1/t",
        &[
            ("Content-Type", "text/plain"),
            ("Content-Encoding", "gzip"),
            ("Authorization", "Basic cWEtd3JpdGUta2V5Og=="),
            ("Origin", "http://shop.localhost:3000"),
        ],
        &gzip(track.as_bytes()),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        r.header("Access-Control-Allow-Origin").as_deref(),
        Some("http://shop.localhost:3000")
    );
    // The per-call paths of the server libraries.
    for (path, line) in [("/v1/identify", &valid[3]), ("/v1/group", &valid[4])] {
        assert_eq!(post(port, path, line).status, 200);
    }
    // A typo'd event and a body that is not JSON: captured, counted.
    let r = post(
        port,
        "/v1/track",
        r#"{"messageId": "t-2", "event": "order completed", "userId": "u-1"}"#,
    );
    assert_eq!(r.status, 200);
    let r = post(port, "/v1/batch", "{\"batch\": [");
    assert_eq!(r.status, 400);
    assert!(r.text().contains("batch"), "{}", r.text());
    assert_eq!(post(port, "/v1/nope", "{}").status, 404);

    // CORS preflight, as a browser sends it before a POST with Authorization.
    let r = request(
        port,
        "OPTIONS",
        "/v1/t",
        &[
            ("Origin", "http://shop.localhost:3000"),
            ("Access-Control-Request-Method", "POST"),
            (
                "Access-Control-Request-Headers",
                "authorization,content-type",
            ),
        ],
        b"",
    );
    assert_eq!(r.status, 204);
    assert_eq!(
        r.header("Access-Control-Allow-Headers").as_deref(),
        Some("authorization,content-type")
    );
    assert!(
        r.header("Access-Control-Allow-Methods")
            .is_some_and(|m| m.contains("POST"))
    );

    // The settings analytics.js loads: its events come back here.
    let r = request(port, "GET", "/v1/projects/qa-key/settings", &[], b"");
    assert_eq!(r.status, 200);
    let settings: serde_json::Value = serde_json::from_slice(&r.body).expect("JSON settings");
    assert_eq!(
        settings["integrations"]["Segment.io"]["apiHost"],
        format!("127.0.0.1:{port}/v1")
    );
    assert_eq!(settings["integrations"]["Segment.io"]["protocol"], "http");

    // The dashboard and its data.
    let r = request(port, "GET", "/", &[], b"");
    assert_eq!(r.status, 200);
    assert!(r.text().contains("Live QA"));
    assert!(r.header("Access-Control-Allow-Origin").is_none());
    let feed: serde_json::Value =
        serde_json::from_slice(&request(port, "GET", "/feed.json?after=0", &[], b"").body)
            .expect("JSON feed");
    let items = feed["items"].as_array().expect("items");
    let lines: Vec<u64> = items.iter().filter_map(|i| i["line"].as_u64()).collect();
    assert_eq!(lines, vec![3, 6, 7], "{feed:#}");
    assert_eq!(
        items[0]["violations"][0]["pointer"],
        "/properties/item_count"
    );
    assert!(
        items[0]["violations"][0]["plan_line"]
            .as_str()
            .is_some_and(|l| l.starts_with("item_count:")),
        "{feed:#}"
    );
    assert!(items[2]["malformed"].is_string(), "{feed:#}");
    let after: serde_json::Value =
        serde_json::from_slice(&request(port, "GET", "/feed.json?after=2", &[], b"").body)
            .expect("JSON feed");
    assert_eq!(after["items"].as_array().map(Vec::len), Some(1));

    // /qa.json is what validate prints for the capture.
    let qa = request(port, "GET", "/qa.json", &[], b"").text();
    let (code, json) = validate(PLAN, &serve.capture, "json");
    assert_eq!(qa, json);
    assert_eq!(code, 1);
    let capture = std::fs::read_to_string(&serve.capture).expect("the capture");
    assert_eq!(capture.lines().count(), 7, "{capture}");
    assert!(
        capture
            .lines()
            .nth(2)
            .is_some_and(|l| l.starts_with("{\"type\":\"track\","))
    );

    let stopped = serve.stop();
    assert_eq!(stopped.code, 1, "{}", stopped.stderr);
    let (_, human) = validate(PLAN, &serve.capture, "human");
    assert_eq!(stopped.stdout, human);
    let report = std::fs::read_to_string(&serve.report).expect("the report is written on exit");
    assert!(report.starts_with("# QA evidence"), "{report}");
    assert_eq!(
        std::fs::read_to_string(&serve.capture).expect("the capture is kept"),
        capture
    );
}

#[test]
fn the_dashboard_answers_loopback_hosts_only() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let runs = dir.path().join("runs");
    let mut serve = Serve::start(
        PLAN,
        dir.path(),
        &["--record", runs.to_str().expect("UTF-8")],
    );
    for path in ["/", "/qa.json", "/feed.json"] {
        let r = request(serve.port, "GET", path, &[("Host", "evil.example:80")], b"");
        assert_eq!(r.status, 403, "{path}");
        let r = request(serve.port, "GET", path, &[("Host", "localhost")], b"");
        assert_eq!(r.status, 200, "{path}");
    }
    // The tracking API answers any origin, as Segment's does.
    let r = request(
        serve.port,
        "GET",
        "/v1/projects/k/settings",
        &[("Host", "evil.example:80")],
        b"",
    );
    assert_eq!(r.status, 200);
    // Stopped with nothing received: QA failed, a breach recorded.
    let stopped = serve.stop();
    assert_eq!(stopped.code, 1);
    assert!(
        stopped
            .stdout
            .contains("rip-cord: not pulled: 1 guardrail breach within 24 hours"),
        "{}",
        stopped.stdout
    );
    assert_eq!(std::fs::read_dir(&runs).expect("the records").count(), 1);
}

#[test]
fn a_capture_is_continued_only_when_asked() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let capture = dir.path().join("captured.ndjson");
    let valid = valid_lines();
    // A capture from an earlier run, its last line unterminated.
    std::fs::write(&capture, format!("{}\n{}", valid[0], valid[1])).expect("writes");

    let out = Command::new(env!("CARGO_BIN_EXE_eventsc"))
        .args(["serve", PLAN, "--port", "0", "--capture"])
        .arg(&capture)
        .current_dir(common::root())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("pass --append"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let mut serve = Serve::start(PLAN, dir.path(), &["--append"]);
    let r = post(
        serve.port,
        "/v1/batch",
        &format!("{{\"batch\":[{}]}}", valid[2]),
    );
    assert_eq!(r.status, 200);
    let qa = request(serve.port, "GET", "/qa.json", &[], b"").text();
    let (_, json) = validate(PLAN, &serve.capture, "json");
    assert_eq!(qa, json);
    let v: serde_json::Value = serde_json::from_str(&qa).expect("JSON");
    assert_eq!(v["totals"]["records"], 3);
    serve.stop();
    let text = std::fs::read_to_string(&capture).expect("kept");
    assert_eq!(text.lines().count(), 3);
    assert!(text.ends_with('\n'));
}

#[test]
fn bad_options_are_usage_errors() {
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_eventsc"))
            .arg("serve")
            .arg(PLAN)
            .args(args)
            .current_dir(common::root())
            .output()
            .expect("runs")
    };
    let out = run(&["--analytics-js", "tests/fixtures"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("standalone.js"));
    let out = run(&["--static", "no/such/dir"]);
    assert_eq!(out.status.code(), Some(2));
    // An evidence report that is already there is not replaced without --force.
    let dir = tempfile::tempdir().expect("a temp dir");
    let report = dir.path().join("evidence.md");
    std::fs::write(&report, "the last run's evidence").expect("writes");
    let report = report.to_str().expect("UTF-8");
    let out = run(&["--port", "0", "--report", report]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--force"));
    assert_eq!(
        std::fs::read_to_string(report).expect("kept"),
        "the last run's evidence"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_eventsc"))
        .args([
            "serve",
            "tests/fixtures/codes/E0011.fail.events",
            "--port",
            "0",
        ])
        .current_dir(common::root())
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(1),
        "a plan with errors is not served"
    );
}

const EXAMPLE: &str = "examples/frontend-qa";
const SHOP: &str = "examples/ecommerce";

/// Runs `node SCRIPT` in the example with `COLLECTOR` set; its stdout.
fn node(script: &str, collector: &str) -> String {
    let dir = common::root().join(EXAMPLE);
    require(Tool::NodeModules(EXAMPLE));
    let out = Command::new("node")
        .arg(script)
        .current_dir(&dir)
        .env("COLLECTOR", collector)
        .output()
        .expect("node runs (install Node.js)");
    assert!(
        out.status.success(),
        "node {script} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `eventsc serve PLAN` serving analytics.js (@segment/analytics-next's
/// bundle) and the pages of `site` under `/app/`, for headless Chromium.
fn serve_for_the_browser(plan: &str, site: &str, dir: &Path) -> Serve {
    require(Tool::Chromium);
    require(Tool::NodeModules(EXAMPLE));
    let umd = common::root()
        .join(EXAMPLE)
        .join("node_modules/@segment/analytics-next/dist/umd");
    let site = common::root().join(site);
    Serve::start(
        plan,
        dir,
        &[
            "--analytics-js",
            umd.to_str().expect("a UTF-8 path"),
            "--static",
            site.to_str().expect("a UTF-8 path"),
        ],
    )
}

/// `/qa.json` after the browser is done, checked to be what `validate` says
/// of the capture; `validate --format json` parsed.
fn qa_agrees_with_validate(serve: &Serve, plan: &str) -> serde_json::Value {
    let qa = request(serve.port, "GET", "/qa.json", &[], b"").text();
    let (_, json) = validate(plan, &serve.capture, "json");
    assert_eq!(qa, json, "/qa.json and validate disagree");
    serde_json::from_str(&json).expect("JSON")
}

/// The rows the dashboard's DOM shows (as qa.mjs reads them) are the rows of
/// `validate --format json`, in its order, with its counts.
fn dashboard_rows_agree(shown: &serde_json::Value, v: &serde_json::Value) {
    let rows = shown["events"].as_array().expect("rows");
    let expected = v["events"].as_array().expect("rows");
    assert_eq!(rows.len(), expected.len(), "{shown:#}");
    for (row, want) in rows.iter().zip(expected) {
        assert_eq!(row["name"], want["name"]);
        assert_eq!(row["version"], want["version"], "{}", want["name"]);
        for k in ["seen", "valid", "defective", "warned"] {
            assert_eq!(row[k], want[k], "{} {k}", want["name"]);
        }
    }
}

/// The real clients: analytics.js (@segment/analytics-next, served by the
/// collector itself) in headless Chromium clicking through the example page,
/// and @segment/analytics-node. What the dashboard's DOM shows and
/// `/qa.json` must agree with `validate` on the capture.
#[test]
fn real_clients_agree_with_validate() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let mut serve = serve_for_the_browser(SHOP, &format!("{EXAMPLE}/site"), dir.path());
    let url = serve.url();

    node("server.mjs", &url);
    let shown: serde_json::Value =
        serde_json::from_str(&node("qa.mjs", &url)).expect("qa.mjs prints JSON");

    let v = qa_agrees_with_validate(&serve, SHOP);
    let json = v.to_string();

    // analytics-node: identify + 3 tracks in one batch; the page: a page view
    // and one payload per button (8).
    assert_eq!(v["totals"]["records"], 4 + 9, "{json}");
    assert_eq!(shown["received"], v["totals"]["records"]);
    assert_eq!(
        shown["verdict"],
        if v["qa"]["passed"] == true {
            "QA passed"
        } else {
            "QA FAILED"
        }
    );
    assert_eq!(shown["defects"], v["qa"]["defects"]["payloads"]);
    assert_eq!(
        shown["consent"],
        v["totals"]["violations"]["consent"].as_u64().unwrap_or(0)
    );
    dashboard_rows_agree(&shown, &v);
    let expected = v["events"].as_array().expect("rows");
    // What the page did, as validate reads it.
    let row = |name: &str| {
        expected
            .iter()
            .find(|r| r["name"] == name)
            .unwrap_or_else(|| panic!("a row for {name}: {json}"))
    };
    assert_eq!(row("Products Searched")["seen"], 2);
    assert_eq!(row("Products Searched")["defective"], 1);
    assert_eq!(row("Product Viewed")["defective"], 1);
    assert_eq!(row("products searched")["status"], "unplanned");
    assert_eq!(row("identify")["seen"], 3);
    assert_eq!(row("identify")["defective"], 1);
    assert_eq!(row("page")["seen"], 1);
    assert_eq!(row("Order Completed")["seen"], 2);
    assert_eq!(row("Order Completed")["defective"], 1);
    assert_eq!(v["totals"]["violations"]["consent"], 1);
    // Every violating payload is in the dashboard's feed, with its capture line.
    let feed = shown["feed"].as_array().expect("feed");
    let defective = v["totals"]["defective"].as_u64().unwrap_or(0)
        + v["totals"]["warned"].as_u64().unwrap_or(0);
    assert_eq!(feed.len() as u64, defective, "{shown:#}");
    assert_eq!(
        shown["consentDefects"],
        serde_json::json!(["Promotion Viewed"])
    );

    let stopped = serve.stop();
    assert_eq!(stopped.code, 1);
    let (_, human) = validate(SHOP, &serve.capture, "human");
    assert_eq!(stopped.stdout, human);
}

const PAGES: &str = "tests/fixtures/serve/pages.events";

/// analytics.js in headless Chromium against a plan with an `envelope { }`,
/// page rules (`page { }` for every page, `page "Pricing"`), a named screen
/// rule and an event with two versions (tests/fixtures/serve/site: one call
/// per button, some breaking the plan on purpose). Each call is judged by
/// the rules for its kind and name, a track by the version its
/// `context.protocols.event_version` names (the oldest without one), a
/// payload with neither userId nor anonymousId refused; the dashboard shows
/// page and screen calls by their rule's name and events by version, as
/// `validate` does.
#[test]
fn pages_screens_and_versions_from_analytics_js() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let mut serve = serve_for_the_browser(PAGES, "tests/fixtures/serve/site", dir.path());
    let shown: serde_json::Value =
        serde_json::from_str(&node("qa.mjs", &serve.url())).expect("qa.mjs prints JSON");
    let v = qa_agrees_with_validate(&serve, PAGES);
    dashboard_rows_agree(&shown, &v);

    let rows = v["events"].as_array().expect("rows");
    let row = |name: &str, version: Option<u32>| {
        rows.iter()
            .find(|r| r["name"] == name && r["version"].as_u64() == version.map(u64::from))
            .unwrap_or_else(|| panic!("a row for {name} {version:?}: {v:#}"))
    };
    let count = |r: &serde_json::Value, k: &str| r[k].as_u64().unwrap_or(0);
    let kinds = |r: &serde_json::Value| -> Vec<(String, String)> {
        r["examples"]
            .as_array()
            .expect("examples")
            .iter()
            .map(|e| {
                (
                    e["kind"].as_str().unwrap_or("").to_string(),
                    e["pointer"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect()
    };
    let pair = |k: &str, p: &str| (k.to_string(), p.to_string());
    // The page view on load and `page('About')`: only `page { }` applies.
    let every_page = row("page", None);
    assert_eq!(every_page["status"], "planned");
    assert_eq!(
        (count(every_page, "seen"), count(every_page, "defective")),
        (2, 0)
    );
    // `page('Pricing', …)`: `page "Pricing"` and `page { }` both apply.
    let pricing = row("page \"Pricing\"", None);
    assert_eq!(pricing["call"], "page");
    assert_eq!((count(pricing, "seen"), count(pricing, "valid")), (3, 1));
    assert_eq!(
        kinds(pricing),
        [
            pair("enum", "/properties/plan_shown"),
            pair("required", "/properties/plan_shown")
        ]
    );
    let checkout = row("screen \"Checkout\"", None);
    assert_eq!(checkout["call"], "screen");
    assert_eq!(
        (count(checkout, "seen"), count(checkout, "defective")),
        (2, 1)
    );
    assert_eq!(kinds(checkout), [pair("bounds", "/properties/cart_value")]);
    // Version 2 by `context.protocols.event_version: 2`.
    let v2 = row("Plan Selected", Some(2));
    assert_eq!((count(v2, "seen"), count(v2, "defective")), (2, 1));
    assert_eq!(kinds(v2), [pair("required", "/properties/seats")]);
    // No version, an unknown one, a string: checked against version 1; and
    // the beacon without ids.
    let v1 = row("Plan Selected", Some(1));
    assert_eq!((count(v1, "seen"), count(v1, "defective")), (5, 4));
    assert_eq!(
        kinds(v1),
        [
            pair("enum", "/properties/plan"),
            pair("unplanned-property", "/properties/seats"),
            pair("unknown-version", "/context/protocols/event_version"),
            pair("unknown-version", "/context/protocols/event_version"),
            pair("envelope", "/userId"),
        ]
    );
    // The dashboard names them as the report does.
    let labels: Vec<&str> = shown["events"]
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(|r| r["shown"].as_str())
        .collect();
    assert_eq!(
        labels,
        [
            "Plan Selected v1",
            "Plan Selected v2",
            "page",
            "page \"Pricing\"",
            "screen \"Checkout\""
        ]
    );
    let feed: Vec<(String, Option<u64>)> = shown["feed"]
        .as_array()
        .expect("feed")
        .iter()
        .map(|i| {
            (
                i["event"].as_str().unwrap_or("").into(),
                i["version"].as_u64(),
            )
        })
        .collect();
    assert_eq!(
        feed.len() as u64,
        count(&v["totals"], "defective"),
        "{shown:#}"
    );
    for (event, version) in [
        ("Plan Selected", Some(2)),
        ("Plan Selected", Some(1)),
        ("page \"Pricing\"", None),
        ("screen \"Checkout\"", None),
    ] {
        assert!(
            feed.contains(&(event.to_string(), version)),
            "{event} {version:?} in {feed:?}"
        );
    }
    // What analytics.js sent: the version where the page put it.
    let capture = std::fs::read_to_string(&serve.capture).expect("the capture");
    assert!(
        capture.contains(r#""protocols":{"event_version":2}"#),
        "{capture}"
    );
    let stopped = serve.stop();
    assert_eq!(stopped.code, 1);
    let (_, human) = validate(PAGES, &serve.capture, "human");
    assert_eq!(stopped.stdout, human);
    assert!(human.contains("page \"Pricing\"  "), "{human}");
}

#[test]
fn help() {
    let out = Command::new(env!("CARGO_BIN_EXE_eventsc"))
        .args(["serve", "--help"])
        .current_dir(common::root())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(common::root().join("tests/snapshots/serve"));
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        insta::assert_snapshot!("help", String::from_utf8_lossy(&out.stdout));
    });
}
