//! `serve`: a local collector speaking Segment's tracking API, with a live QA
//! dashboard.
//!
//! [`segment`] turns requests into messages; [`collector`] appends each to the
//! capture file and checks it with `validate`'s engine; this module is the HTTP
//! side ([`http`]: a thread per connection): the tracking API with CORS, the
//! settings analytics.js fetches at load, the analytics.js bundle and a folder
//! of pages when asked to serve them, and the dashboard (`/`, polling
//! `/qa.json` and `/feed.json`).
//!
//! The dashboard and its data are only answered to a loopback `Host` when the
//! collector listens on loopback (a web page elsewhere cannot read them
//! through DNS rebinding), and never with CORS headers; only the tracking API
//! and the settings are open to other origins, as Segment's are.

/// A line on stderr; a closed stderr (the terminal went away) is not a
/// reason to stop collecting, unlike `eprintln!`, which panics.
macro_rules! note {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}
pub(crate) use note;

pub(crate) mod collector;
pub(crate) mod http;
pub(crate) mod segment;

use collector::Collector;
use http::{Request, Response};
use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

/// The dashboard page (no outside resources; it renders with `textContent`,
/// never HTML from the data).
pub(crate) const DASHBOARD: &str = include_str!("dashboard.html");

/// What to serve besides the tracking API.
#[derive(Debug, Default, Clone)]
pub(crate) struct Files {
    /// `@segment/analytics-next`'s `dist/umd` folder: `standalone.js` is served
    /// as `/analytics.js/v1/<writeKey>/analytics.min.js` and the other files as
    /// `/analytics-next/bundles/<name>`, where analytics.js loads them from.
    pub(crate) analytics_js: Option<PathBuf>,
    /// A folder served under `/app/` (the pages under test).
    pub(crate) static_dir: Option<PathBuf>,
    /// Only answer the dashboard to loopback `Host`s.
    pub(crate) loopback: bool,
}

/// Serves requests on `listener` (a thread per connection, up to
/// `limits.connections`) until `stop` is set.
pub(crate) fn run(
    listener: &TcpListener,
    collector: &Collector,
    files: &Files,
    limits: &http::Limits,
    stop: &AtomicBool,
) {
    http::serve(listener, limits, stop, |req| handle(req, collector, files));
}

type Reply = Response;

fn reply(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Reply {
    Response::new(status, body)
        .header("Content-Type", content_type)
        .header("Cache-Control", "no-store")
}

fn json(status: u16, body: impl Into<Vec<u8>>) -> Reply {
    reply(status, "application/json; charset=utf-8", body)
}

/// CORS for the tracking API: any origin, with credentials (analytics.js may
/// send cookies), the headers it asks for.
fn cors(mut r: Reply, req: &Request) -> Reply {
    match req.header("Origin") {
        Some(origin) => {
            r.add("Access-Control-Allow-Origin", origin);
            r.add("Access-Control-Allow-Credentials", "true");
            r.add("Vary", "Origin");
        }
        None => r.add("Access-Control-Allow-Origin", "*"),
    }
    r
}

fn handle(req: &Request, collector: &Collector, files: &Files) -> Reply {
    let url = req.target.as_str();
    let path = url.split(['?', '#']).next().unwrap_or("");
    let query = url.split_once('?').map_or("", |(_, q)| q);
    let api = path.starts_with("/v1/");
    match (req.method.as_str(), path) {
        ("OPTIONS", _) if api => {
            let mut r = cors(reply(204, "text/plain", ""), req);
            r.add("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
            let asked = req
                .header("Access-Control-Request-Headers")
                .filter(|h| h.bytes().all(|b| b.is_ascii_graphic() || b == b' '))
                .unwrap_or("Content-Type, Authorization, Content-Encoding, X-Retry-Count");
            r.add("Access-Control-Allow-Headers", asked);
            r.add("Access-Control-Max-Age", "600");
            r
        }
        ("POST", _) if api => cors(ingest(req, path, collector), req),
        ("GET", _) if api => match settings_key(path) {
            Some(key) => {
                let host = req.header("Host").unwrap_or("127.0.0.1");
                cors(json(200, segment::settings(key, host)), req)
            }
            None => cors(
                json(404, "{\"success\":false,\"error\":\"not found\"}"),
                req,
            ),
        },
        ("GET", _) if !host_allowed(req, files) => reply(
            403,
            "text/plain; charset=utf-8",
            "eventsc serve answers its dashboard to localhost only\n",
        ),
        ("GET", "/") => reply(200, "text/html; charset=utf-8", DASHBOARD),
        ("GET", "/qa.json") => json(200, collector.summary().json()),
        ("GET", "/feed.json") => {
            let after = query
                .split('&')
                .find_map(|kv| kv.strip_prefix("after="))
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            let (items, last) = collector.feed_after(after);
            let body = serde_json::json!({ "last": last, "items": items });
            json(200, body.to_string())
        }
        ("GET", _) => match file_for(path, files) {
            Some(file) => match std::fs::read(&file) {
                Ok(bytes) => reply(200, content_type(&file), bytes),
                Err(_) => not_found(),
            },
            None => not_found(),
        },
        _ => reply(405, "text/plain; charset=utf-8", "method not allowed\n"),
    }
}

fn not_found() -> Reply {
    reply(404, "text/plain; charset=utf-8", "not found\n")
}

fn ingest(req: &Request, path: &str, collector: &Collector) -> Reply {
    let Some(endpoint) = segment::endpoint(path) else {
        return json(
            404,
            "{\"success\":false,\"error\":\"not a tracking API path\"}",
        );
    };
    let gzip = req
        .header("Content-Encoding")
        .is_some_and(|e| e.trim().eq_ignore_ascii_case("gzip"));
    let body = match segment::read_body(&req.body[..], gzip) {
        Ok(b) => b,
        Err(segment::BodyError::TooLarge) => {
            return json(413, "{\"success\":false,\"error\":\"body too large\"}");
        }
        Err(segment::BodyError::Encoding(e)) => {
            let body = serde_json::json!({"success": false, "error": format!("cannot read the body: {e}")});
            return json(400, body.to_string());
        }
    };
    let (result, refused) = match segment::messages(endpoint, &body) {
        Ok(messages) => (collector.ingest(&messages), None),
        Err((kept, why)) => (collector.ingest(&[kept]), Some(why)),
    };
    match (result, refused) {
        (Err(e), _) => {
            crate::serve::note!("eventsc serve: cannot write the capture: {e}");
            let body = serde_json::json!({"success": false, "error": format!("cannot write the capture: {e}")});
            json(500, body.to_string())
        }
        (Ok(()), Some(why)) => {
            let body = serde_json::json!({"success": false, "error": why});
            json(400, body.to_string())
        }
        (Ok(()), None) => json(200, "{\"success\":true}"),
    }
}

/// `/v1/projects/<writeKey>/settings` → the write key.
fn settings_key(path: &str) -> Option<&str> {
    let key = path
        .strip_prefix("/v1/projects/")?
        .strip_suffix("/settings")?;
    (!key.is_empty() && !key.contains('/')).then_some(key)
}

/// Whether the dashboard may answer this request.
fn host_allowed(req: &Request, files: &Files) -> bool {
    if !files.loopback {
        return true;
    }
    let Some(host) = req.header("Host") else {
        return true;
    };
    let name = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host.split(':').next().unwrap_or(""),
    };
    matches!(name, "127.0.0.1" | "localhost" | "::1")
}

/// The file a GET path names, if it is one we serve: never outside its folder.
fn file_for(path: &str, files: &Files) -> Option<PathBuf> {
    if let Some(dir) = &files.analytics_js {
        if let Some(rest) = path.strip_prefix("/analytics.js/v1/") {
            let (_key, name) = rest.split_once('/')?;
            if name == "analytics.min.js" || name == "analytics.js" {
                return Some(dir.join("standalone.js"));
            }
            return None;
        }
        if let Some(name) = path.strip_prefix("/analytics-next/bundles/") {
            return plain_name(name)
                .then(|| dir.join(name))
                .filter(|p| p.is_file());
        }
    }
    let dir = files.static_dir.as_ref()?;
    let rel = path.strip_prefix("/app/")?;
    let mut file = dir.clone();
    for part in rel.split('/').filter(|p| !p.is_empty()) {
        if !plain_name(part) {
            return None;
        }
        file.push(part);
    }
    if rel.is_empty() || rel.ends_with('/') {
        file.push("index.html");
    }
    // Symbolic links out of the folder are not followed.
    let root = dir.canonicalize().ok()?;
    let real = file.canonicalize().ok()?;
    (real.starts_with(&root) && real.is_file()).then_some(real)
}

/// A file name without separators or dots that would leave a folder, and
/// no hidden files.
fn plain_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && !name.contains(['/', '\\', '\0', '%'])
        && name.len() <= 255
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "txt" | "md" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Reads a capture to continue it (`--append`): its tally, its number of
/// lines and the hash of its bytes (with the line break added when it ends
/// without one), and whether it does.
pub(crate) fn resume(
    model: &crate::validate::model::Model,
    path: &Path,
    limit: usize,
) -> std::io::Result<((crate::validate::tally::Tally, u64, sha2::Sha256), bool)> {
    use sha2::Digest;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?.read_to_end(&mut bytes)?;
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first == Some(&b'[') {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "it is a JSON array, not NDJSON (one payload per line)",
        ));
    }
    if bytes.starts_with(&[0x1f, 0x8b]) {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "it is gzip-compressed; the capture must be plain NDJSON",
        ));
    }
    let lines = memchr::memchr_iter(b'\n', &bytes).count() as u64;
    let unterminated = bytes.last().is_some_and(|&b| b != b'\n');
    let framer = crate::validate::input::Framer::new(&bytes[..]);
    let tally = crate::validate::run_limited(model, framer, 1, limit)?;
    let mut hash = sha2::Sha256::new();
    hash.update(&bytes);
    if unterminated {
        hash.update(b"\n");
    }
    Ok(((tally, lines + unterminated as u64, hash), unterminated))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_stay_in_their_folder() {
        for bad in ["..", ".", ".git", "a/b", "a\\b", "%2e%2e", ""] {
            assert!(!plain_name(bad), "{bad}");
        }
        assert!(plain_name("407.bundle.61efa1acb302134c434b.js"));
        assert_eq!(settings_key("/v1/projects/abc/settings"), Some("abc"));
        assert_eq!(settings_key("/v1/projects//settings"), None);
        assert_eq!(settings_key("/v1/projects/a/b/settings"), None);
    }

    #[test]
    fn static_files() {
        let dir = tempfile::tempdir().expect("a temp dir");
        std::fs::write(dir.path().join("index.html"), "<p>hi</p>").expect("writes");
        let files = Files {
            static_dir: Some(dir.path().to_path_buf()),
            ..Files::default()
        };
        assert!(file_for("/app/", &files).is_some());
        assert!(file_for("/app/index.html", &files).is_some());
        assert!(file_for("/app/../index.html", &files).is_none());
        assert!(file_for("/app/missing.html", &files).is_none());
        assert!(file_for("/index.html", &files).is_none());
    }
}
