//! The language server, end to end: each test spawns `eventsc lsp`, speaks
//! JSON-RPC to it over stdio like an editor does, and checks its answers. The
//! plan under test is `tests/lsp/plan/` (three files), copied to a temporary
//! workspace folder. The last tests drive the server from a real client,
//! headless Neovim with its built-in LSP client.

use crate::common::tools::{Tool, require};
use crate::common::*;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(30);

/// A client talking to one `eventsc lsp` process.
struct Client {
    child: Child,
    stdin: ChildStdin,
    incoming: mpsc::Receiver<Value>,
    /// Messages received while waiting for something else.
    pending: VecDeque<Value>,
    next_id: i64,
    pub folder: Option<tempfile::TempDir>,
}

fn uri(path: &Path) -> String {
    let mut s = String::from("file://");
    for b in path.to_str().expect("UTF-8 path").bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                s.push(b as char)
            }
            _ => s.push_str(&format!("%{b:02X}")),
        }
    }
    s
}

/// A temporary copy of `tests/lsp/plan`.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for entry in std::fs::read_dir(root().join("tests/lsp/plan")).expect("plan dir") {
        let path = entry.expect("entry").path();
        std::fs::copy(&path, dir.path().join(path.file_name().expect("name"))).expect("copy");
    }
    dir
}

impl Client {
    fn spawn() -> Client {
        Client::spawn_with(&[])
    }

    /// `eventsc lsp ARGS…`
    fn spawn_with(args: &[&str]) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_eventsc"))
            .arg("lsp")
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("eventsc lsp starts");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut length = None;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(v) = line.strip_prefix("Content-Length: ") {
                        length = v.parse::<usize>().ok();
                    }
                }
                let mut body = vec![0; length.expect("Content-Length")];
                if reader.read_exact(&mut body).is_err() {
                    return;
                }
                let msg: Value = serde_json::from_slice(&body).expect("the server sends JSON");
                if tx.send(msg).is_err() {
                    return;
                }
            }
        });
        Client {
            child,
            stdin,
            incoming: rx,
            pending: VecDeque::new(),
            next_id: 1,
            folder: None,
        }
    }

    /// Starts a server on a copy of the test plan, initialized.
    fn start() -> Client {
        let folder = workspace();
        let mut c = Client::spawn();
        c.initialize(Some(folder.path()));
        c.folder = Some(folder);
        c
    }

    fn initialize(&mut self, folder: Option<&Path>) -> Value {
        let folders = folder.map(|f| json!([{ "uri": uri(f), "name": "plan" }]));
        let result = self.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": folder.map(uri),
                "capabilities": {},
                "workspaceFolders": folders,
            }),
        );
        self.notify("initialized", json!({}));
        result
    }

    fn path(&self, name: &str) -> PathBuf {
        self.folder.as_ref().expect("a folder").path().join(name)
    }

    fn uri(&self, name: &str) -> String {
        uri(&self.path(name))
    }

    fn text(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).expect("readable")
    }

    fn send(&mut self, msg: Value) {
        let body = msg.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("write");
        self.stdin.flush().expect("flush");
    }

    fn send_raw(&mut self, bytes: &[u8]) {
        self.stdin.write_all(bytes).expect("write");
        self.stdin.flush().expect("flush");
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request and returns the whole response (`result` or `error`).
    fn call(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        self.wait(|m| m.get("id") == Some(&json!(id)) && m.get("method").is_none())
    }

    /// Sends a request and returns its result (failing on an error response).
    fn request(&mut self, method: &str, params: Value) -> Value {
        let response = self.call(method, params);
        assert!(
            response.get("error").is_none(),
            "{method} failed: {response}"
        );
        response["result"].clone()
    }

    /// The next message matching `pred` (others are kept for later).
    fn wait(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.pending.iter().position(&pred) {
            return self.pending.remove(i).expect("present");
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let msg = self
                .incoming
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("no answer in {TIMEOUT:?}; got {:?}", self.pending));
            if pred(&msg) {
                return msg;
            }
            self.pending.push_back(msg);
        }
    }

    /// The next diagnostics published for a document.
    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        let msg = self.wait(|m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
        });
        msg["params"]["diagnostics"]
            .as_array()
            .expect("a list")
            .clone()
    }

    fn open(&mut self, name: &str) -> String {
        let text = self.text(name);
        let uri = self.uri(name);
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "events", "version": 1, "text": text } }),
        );
        uri
    }

    /// Replaces the first occurrence of `old` in an open document (incremental change).
    fn replace(&mut self, name: &str, text: &mut String, old: &str, new: &str, version: i32) {
        let start = text
            .find(old)
            .unwrap_or_else(|| panic!("{old:?} in {name}"));
        let range = json!({ "start": pos(text, start), "end": pos(text, start + old.len()) });
        text.replace_range(start..start + old.len(), new);
        let uri = self.uri(name);
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": uri, "version": version },
                "contentChanges": [{ "range": range, "text": new }],
            }),
        );
    }

    /// Position parameters for the `nth` occurrence of `needle` (plus `shift`
    /// characters into it).
    fn at(&self, name: &str, needle: &str, nth: usize, shift: usize) -> Value {
        let text = self.text(name);
        let offset = text
            .match_indices(needle)
            .nth(nth)
            .unwrap_or_else(|| panic!("{needle:?} #{nth} in {name}"))
            .0
            + shift;
        json!({ "textDocument": { "uri": self.uri(name) }, "position": pos(&text, offset) })
    }

    fn shutdown(mut self) {
        let r = self.call("shutdown", Value::Null);
        assert!(r.get("error").is_none(), "shutdown: {r}");
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                assert!(status.success(), "the server exits cleanly: {status}");
                return;
            }
            assert!(Instant::now() < deadline, "the server did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The LSP position (UTF-16) of a byte offset.
fn pos(text: &str, offset: usize) -> Value {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    let character: usize = before[start..].chars().map(char::len_utf16).sum();
    json!({ "line": line, "character": character })
}

fn codes(diags: &[Value]) -> Vec<String> {
    diags
        .iter()
        .map(|d| d["code"].as_str().unwrap_or("").to_string())
        .collect()
}

fn hover_text(client: &mut Client, name: &str, needle: &str, nth: usize) -> String {
    let at = client.at(name, needle, nth, 1);
    let r = client.request("textDocument/hover", at);
    r["contents"]["value"]
        .as_str()
        .unwrap_or_else(|| panic!("a hover for {needle:?}: {r}"))
        .to_string()
}

// --- Tests -------------------------------------------------------------------

#[test]
fn initialize_announces_the_features() {
    // VS Code's client passes `--stdio`.
    let mut c = Client::spawn_with(&["--stdio"]);
    let r = c.initialize(None);
    let caps = &r["capabilities"];
    assert_eq!(caps["positionEncoding"], "utf-16");
    assert_eq!(caps["textDocumentSync"]["change"], 2, "incremental sync");
    for feature in [
        "hoverProvider",
        "definitionProvider",
        "referencesProvider",
        "documentSymbolProvider",
        "documentFormattingProvider",
    ] {
        assert_eq!(caps[feature], true, "{feature}");
    }
    assert_eq!(caps["renameProvider"]["prepareProvider"], true);
    assert!(caps["completionProvider"]["triggerCharacters"].is_array());
    assert_eq!(r["serverInfo"]["name"], "eventsc");
    c.shutdown();
}

#[test]
fn diagnostics_are_published_on_open_and_change() {
    let mut c = Client::start();
    let uri = c.open("events.events");
    assert_eq!(
        c.diagnostics(&uri),
        Vec::<Value>::new(),
        "the plan is clean"
    );

    // An unknown owner: E0025 with the help, at the reference.
    let mut text = c.text("events.events");
    c.replace(
        "events.events",
        &mut text,
        "owner   @growth",
        "owner   @growht",
        2,
    );
    let diags = c.diagnostics(&uri);
    assert_eq!(codes(&diags), ["E0025"], "{diags:?}");
    let d = &diags[0];
    assert_eq!(d["severity"], 1);
    assert_eq!(d["source"], "eventsc");
    let at = text.find("@growht").expect("edited");
    assert_eq!(d["range"]["start"], pos(&text, at));
    assert_eq!(d["range"]["end"], pos(&text, at + "@growht".len()));
    let message = d["message"].as_str().expect("message");
    assert!(message.starts_with("unknown owner `@growht`"), "{message}");
    assert!(
        message.contains("help: did you mean `@growth`?"),
        "{message}"
    );

    // Fixed again: the list is cleared.
    c.replace("events.events", &mut text, "@growht", "@growth", 3);
    assert_eq!(c.diagnostics(&uri), Vec::<Value>::new());

    // A rule finding with related information in another file: a duplicate
    // property brought in by a bundle (E0024) points at the bundle.
    c.replace(
        "events.events",
        &mut text,
        "  items: integer",
        "  cart_id: string\n  items: integer",
        4,
    );
    let diags = c.diagnostics(&uri);
    assert_eq!(codes(&diags), ["E0024"], "{diags:?}");
    let related = diags[0]["relatedInformation"].as_array().expect("related");
    assert!(
        related
            .iter()
            .any(|r| r["location"]["uri"] == c.uri("governance.events")),
        "{related:?}"
    );

    // A governance rule: a deprecated event without `sunset` (a warning, with
    // the rule's name as code).
    c.replace("events.events", &mut text, "  cart_id: string\n", "", 5);
    assert_eq!(c.diagnostics(&uri), Vec::<Value>::new());
    c.replace("events.events", &mut text, "  sunset  2027-01-31\n", "", 6);
    let diags = c.diagnostics(&uri);
    assert_eq!(
        codes(&diags),
        ["lifecycle/deprecated-without-replacement"],
        "{diags:?}"
    );
    assert_eq!(diags[0]["severity"], 2);
    c.shutdown();
}

#[test]
fn a_change_in_one_file_updates_the_diagnostics_of_another() {
    let mut c = Client::start();
    let events = c.open("events.events");
    assert_eq!(c.diagnostics(&events), Vec::<Value>::new());
    let gov = c.open("governance.events");
    assert_eq!(c.diagnostics(&gov), Vec::<Value>::new());
    // Renaming the consent purpose by hand breaks the references in events.events.
    let mut text = c.text("governance.events");
    c.replace(
        "governance.events",
        &mut text,
        "consent marketing",
        "consent mrketing",
        2,
    );
    let diags = c.diagnostics(&events);
    assert_eq!(codes(&diags), ["E0025"], "{diags:?}");
    let gov_diags = c.diagnostics(&gov);
    assert_eq!(codes(&gov_diags), ["unused/declaration"], "{gov_diags:?}");
    assert_eq!(gov_diags[0]["tags"], json!([1]), "unnecessary");
    c.shutdown();
}

#[test]
fn hover_explains_names_and_properties() {
    let mut c = Client::start();
    c.open("events.events");
    let owner = hover_text(&mut c, "events.events", "@growth", 0);
    assert!(owner.contains("**owner** `@growth`"), "{owner}");
    assert!(
        owner.contains("Growth") && owner.contains("slack: #growth"),
        "{owner}"
    );
    let analytics = hover_text(&mut c, "governance.events", "@analytics", 0);
    assert!(
        analytics.contains("email: analytics@example.com"),
        "{analytics}"
    );
    assert!(analytics.contains("backup: `@growth`"), "{analytics}");

    let consent = hover_text(&mut c, "events.events", "analytics\n", 0);
    assert!(
        consent.contains("**consent purpose** `analytics`"),
        "{consent}"
    );
    assert!(
        consent.contains("basis: `legitimate_interest`, GDPR Art. 6(1)(f)"),
        "{consent}"
    );

    let retention = hover_text(&mut c, "events.events", "short_pii", 0);
    assert!(
        retention.contains("**retention policy** `short_pii`")
            && retention.contains("kept 30 days, then anonymized"),
        "{retention}"
    );

    let tier = hover_text(&mut c, "governance.events", "Tier required", 0);
    assert!(
        tier.contains("**enum** `Tier`")
            && tier.contains("`\"free\"`, `\"pro\"`, `\"enterprise\"`"),
        "{tier}"
    );

    let bundle = hover_text(&mut c, "events.events", "Cart\n", 0);
    assert!(bundle.contains("**bundle** `Cart`"), "{bundle}");
    assert!(
        bundle.contains("- `cart_id`: `string` required — Cart identifier"),
        "{bundle}"
    );
    assert!(
        bundle.contains("- `tier`: `Tier` required — Plan tier"),
        "{bundle}"
    );

    let email = hover_text(&mut c, "events.events", "email:", 0);
    assert!(
        email.contains("**property** `email` of Cart Viewed"),
        "{email}"
    );
    assert!(
        email.contains("consent: `marketing` (basis `consent`), set here"),
        "{email}"
    );
    assert!(
        email.contains("retention: `short_pii` (30 days), set here"),
        "{email}"
    );
    assert!(email.contains("personal data: yes, `contact`"), "{email}");
    assert!(email.contains("owner: `@growth` (Growth)"), "{email}");

    let items = hover_text(&mut c, "events.events", "items:", 0);
    assert!(
        items.contains("consent: `analytics` (basis `legitimate_interest`), inherited"),
        "{items}"
    );
    assert!(
        items.contains("retention: `standard` (13 months), inherited"),
        "{items}"
    );
    assert!(items.contains("personal data: no"), "{items}");

    let event = hover_text(&mut c, "events.events", "\"Cart Viewed\"\n", 0);
    assert!(event.contains("**event** \"Cart Viewed\""), "{event}");

    // Nothing to say on a comment.
    let none = c.request("textDocument/hover", c.at("plan.events", "A plan", 0, 0));
    assert_eq!(none, Value::Null);
    c.shutdown();
}

#[test]
fn hover_over_a_diagnostic_shows_its_documentation() {
    let mut c = Client::start();
    let uri = c.open("events.events");
    assert_eq!(c.diagnostics(&uri), Vec::<Value>::new());
    let mut text = c.text("events.events");
    c.replace("events.events", &mut text, "  sunset  2027-01-31\n", "", 2);
    let diags = c.diagnostics(&uri);
    assert_eq!(diags.len(), 1);
    let r = c.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": diags[0]["range"]["start"] }),
    );
    let value = r["contents"]["value"].as_str().expect("hover");
    assert!(
        value.contains("**lifecycle/deprecated-without-replacement**")
            && value.contains("What it does:"),
        "{value}"
    );
    c.shutdown();
}

/// `(file, line, character)` of every location.
fn places(locations: &Value) -> Vec<(String, u64, u64)> {
    let mut v: Vec<(String, u64, u64)> = locations
        .as_array()
        .expect("locations")
        .iter()
        .map(|l| {
            let uri = l["uri"].as_str().expect("uri");
            (
                uri.rsplit('/').next().expect("name").to_string(),
                l["range"]["start"]["line"].as_u64().expect("line"),
                l["range"]["start"]["character"]
                    .as_u64()
                    .expect("character"),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn definition_and_references_cross_files() {
    let mut c = Client::start();
    c.open("events.events");
    let cases: &[(&str, &str, usize, &str, &str)] = &[
        // (file, needle, nth, file of the declaration, its needle)
        (
            "events.events",
            "@growth",
            0,
            "governance.events",
            "@growth    {",
        ),
        (
            "events.events",
            "analytics\n",
            0,
            "governance.events",
            "analytics { basis",
        ),
        (
            "events.events",
            "marketing",
            0,
            "governance.events",
            "marketing { basis",
        ),
        (
            "events.events",
            "short_pii",
            0,
            "governance.events",
            "short_pii {",
        ),
        (
            "plan.events",
            "standard",
            0,
            "governance.events",
            "standard  {",
        ),
        ("events.events", "web\n", 0, "governance.events", "web    {"),
        (
            "governance.events",
            "Tier required",
            0,
            "governance.events",
            "Tier {",
        ),
        ("events.events", "Cart\n", 0, "governance.events", "Cart {"),
        (
            "events.events",
            "\"Cart Viewed\"\n",
            0,
            "events.events",
            "\"Cart Viewed\" {",
        ),
        (
            "events.events",
            "\"Cart Viewed\",",
            0,
            "events.events",
            "\"Cart Viewed\" {",
        ),
    ];
    for (file, needle, nth, decl_file, decl_needle) in cases {
        let at = c.at(file, needle, *nth, 1);
        let r = c.request("textDocument/definition", at);
        let want = c.at(decl_file, decl_needle, 0, 0);
        assert_eq!(r["uri"], want["textDocument"]["uri"], "{needle}: {r}");
        assert_eq!(r["range"]["start"], want["position"], "{needle}: {r}");
    }

    // Every reference to @analytics, with and without its declaration.
    let mut at = c.at("governance.events", "@analytics", 0, 2);
    at["context"] = json!({ "includeDeclaration": true });
    let with = places(&c.request("textDocument/references", at.clone()));
    assert_eq!(
        with,
        [
            ("events.events".to_string(), 12, 10),
            ("events.events".to_string(), 30, 9),
            ("governance.events".to_string(), 0, 6),
            ("plan.events".to_string(), 4, 12),
        ]
    );
    at["context"] = json!({ "includeDeclaration": false });
    let without = places(&c.request("textDocument/references", at));
    assert_eq!(without.len(), 3);

    // The bundle: two `use` lines.
    let mut at = c.at("governance.events", "Cart {", 0, 0);
    at["context"] = json!({ "includeDeclaration": false });
    let uses = places(&c.request("textDocument/references", at));
    assert_eq!(
        uses,
        [
            ("events.events".to_string(), 5, 6),
            ("events.events".to_string(), 15, 6),
        ]
    );
    // An event named by `replaced_by` and by a KPI.
    let mut at = c.at("events.events", "\"Cart Viewed\" {", 0, 1);
    at["context"] = json!({ "includeDeclaration": false });
    let refs = places(&c.request("textDocument/references", at));
    assert_eq!(refs.len(), 2, "{refs:?}");
    c.shutdown();
}

#[test]
fn completion_in_context() {
    let mut c = Client::start();
    let uri = c.open("events.events");
    assert_eq!(c.diagnostics(&uri), Vec::<Value>::new());
    let mut text = c.text("events.events");
    let mut version = 1;
    // Replaces `old` by `new` (where `|` marks the cursor), completes, undoes.
    let mut complete = |c: &mut Client, text: &mut String, old: &str, new: &str| -> Vec<String> {
        let cursor = new.find('|').expect("a cursor");
        let new = new.replace('|', "");
        version += 1;
        c.replace("events.events", text, old, &new, version);
        let offset = text.find(&new).expect("inserted") + cursor;
        let r = c.request(
            "textDocument/completion",
            json!({ "textDocument": { "uri": uri }, "position": pos(text, offset) }),
        );
        let items = r.as_array().cloned().unwrap_or_default();
        let labels: Vec<String> = items
            .iter()
            .map(|i| i["label"].as_str().expect("label").to_string())
            .collect();
        version += 1;
        c.replace("events.events", text, &new, old, version);
        labels
    };
    let has = |labels: &[String], want: &[&str]| {
        for w in want {
            assert!(labels.iter().any(|l| l == w), "{w} in {labels:?}");
        }
    };
    // Field keywords at the start of a statement in an event.
    let fields = complete(&mut c, &mut text, "  items:", "  sta|\n  items:");
    has(
        &fields,
        &["status", "sampling", "replaced_by", "owner", "use", "allow"],
    );
    assert!(!fields.iter().any(|l| l == "use_case"), "{fields:?}");
    // Types after `name:`.
    let types = complete(&mut c, &mut text, "  items:", "  count: |\n  items:");
    has(&types, &["string", "integer", "list", "object", "Tier"]);
    // Modifiers after a type.
    let mods = complete(
        &mut c,
        &mut text,
        "  items:",
        "  count: integer re|\n  items:",
    );
    has(
        &mods,
        &["required", "nullable", "pii", "consent", "retention"],
    );
    // Declared names after `consent`, `source`, `use`, in `retention(…)`.
    let consents = complete(
        &mut c,
        &mut text,
        "consent analytics\n  use Cart\n  email",
        "consent m|\n  use Cart\n  email",
    );
    assert_eq!(consents, ["analytics", "marketing"]);
    let sources = complete(
        &mut c,
        &mut text,
        "source  web\n  consent analytics\n  use Cart\n  email",
        "source  |\n  consent analytics\n  use Cart\n  email",
    );
    assert_eq!(sources, ["server", "web"]);
    let bundles = complete(
        &mut c,
        &mut text,
        "  use Cart\n  email",
        "  use C|\n  email",
    );
    assert_eq!(bundles, ["Cart"]);
    let retentions = complete(&mut c, &mut text, "retention(short_pii)", "retention(s|");
    assert_eq!(retentions, ["short_pii", "standard"]);
    // Owners.
    let owners = complete(
        &mut c,
        &mut text,
        "owner   @growth\n  source  web\n  consent analytics\n  use Cart\n  email",
        "owner   @g|\n  source  web\n  consent analytics\n  use Cart\n  email",
    );
    assert_eq!(owners, ["@analytics", "@growth"]);
    // Keyword values and event names.
    let status = complete(&mut c, &mut text, "status  deprecated", "status  d|");
    assert_eq!(status, ["planned", "implemented", "deprecated"]);
    let replaced = complete(
        &mut c,
        &mut text,
        "replaced_by \"Cart Viewed\"",
        "replaced_by \"C|",
    );
    assert_eq!(replaced, ["Cart Opened", "Cart Viewed", "Checkout Started"]);
    // Rule names in `allow("…")`, formats and personal-data classes in modifiers.
    let rules = complete(
        &mut c,
        &mut text,
        "  items:",
        "  allow(\"nam|\", reason \"x\")\n  items:",
    );
    has(
        &rules,
        &["naming/event-case", "privacy/pii-without-consent"],
    );
    let formats = complete(&mut c, &mut text, "format(email)", "format(e|)");
    has(&formats, &["email", "uri", "date-time"]);
    let pii = complete(&mut c, &mut text, "pii(contact)", "pii(|)");
    has(&pii, &["contact", "health", "sensitive"]);
    // Declaration keywords at the top level.
    let top = complete(
        &mut c,
        &mut text,
        "kpi \"Checkout rate\"",
        "ev|\nkpi \"Checkout rate\"",
    );
    has(&top, &["event", "owner", "consent", "bundle", "kpi"]);
    // Nothing inside a comment or a description.
    let none = complete(
        &mut c,
        &mut text,
        "\"A cart was viewed.\"",
        "\"A cart was v|",
    );
    assert!(none.is_empty(), "{none:?}");
    c.shutdown();
}

#[test]
fn document_symbols_outline_the_file() {
    let mut c = Client::start();
    c.open("governance.events");
    let r = c.request(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": c.uri("governance.events") } }),
    );
    let symbols = r.as_array().expect("symbols");
    let names: Vec<(&str, &str)> = symbols
        .iter()
        .map(|s| {
            (
                s["name"].as_str().expect("name"),
                s["detail"].as_str().expect("detail"),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            ("@analytics", "owner"),
            ("@growth", "owner"),
            ("analytics", "consent"),
            ("marketing", "consent"),
            ("standard", "retention"),
            ("short_pii", "retention"),
            ("web", "source"),
            ("server", "source"),
            ("Tier", "enum"),
            ("Cart", "bundle"),
        ]
    );
    let tier: Vec<&str> = symbols[8]["children"]
        .as_array()
        .expect("values")
        .iter()
        .map(|s| s["name"].as_str().expect("name"))
        .collect();
    assert_eq!(tier, ["free", "pro", "enterprise"]);
    let cart = &symbols[9]["children"];
    assert_eq!(cart[0]["name"], "cart_id");
    assert_eq!(cart[0]["detail"], "string");
    assert_eq!(cart[1]["detail"], "Tier");
    assert_eq!(symbols[9]["kind"], 23, "struct");
    c.shutdown();
}

#[test]
fn formatting_applies_the_fmt_layout() {
    let mut c = Client::start();
    c.open("governance.events");
    let uri = c.uri("governance.events");
    let mut text = c.text("governance.events");
    let formatted = eventsc::fmt::format(eventsc::source::FileId(0), &text).expect("formats");
    let request = |c: &mut Client| {
        c.request(
            "textDocument/formatting",
            json!({ "textDocument": { "uri": uri }, "options": { "tabSize": 2, "insertSpaces": true } }),
        )
    };
    // Messy spacing: one edit with exactly what `eventsc fmt` writes.
    c.replace(
        "governance.events",
        &mut text,
        "owner @analytics {",
        "owner     @analytics   {",
        2,
    );
    assert_eq!(
        eventsc::fmt::format(eventsc::source::FileId(0), &text).as_deref(),
        Ok(formatted.as_str()),
        "the messy text formats back"
    );
    let edits = request(&mut c);
    let edits = edits.as_array().expect("edits");
    assert_eq!(edits.len(), 1, "{edits:?}");
    assert_eq!(edits[0]["newText"], json!(formatted));
    // A syntax error: nothing is formatted.
    c.replace(
        "governance.events",
        &mut text,
        "owner @growth ",
        "owner @growth { ",
        3,
    );
    assert_eq!(request(&mut c), Value::Null);
    c.shutdown();
}

#[test]
fn rename_a_declaration_across_files() {
    let mut c = Client::start();
    c.open("events.events");
    let at = c.at("events.events", "@growth", 0, 2);
    let prepared = c.request("textDocument/prepareRename", at.clone());
    assert_eq!(prepared["placeholder"], "growth");
    let mut params = at.clone();
    params["newName"] = json!("@growth-team");
    let edit = c.request("textDocument/rename", params);
    let changes = edit["changes"].as_object().expect("changes");
    let mut count = 0;
    for (uri, edits) in changes {
        for e in edits.as_array().expect("edits") {
            assert_eq!(e["newText"], "@growth-team", "{uri}");
            count += 1;
        }
    }
    // The declaration, its `backup` use, and two events.
    assert_eq!(count, 4, "{edit}");
    assert!(changes.contains_key(&c.uri("governance.events")));

    // An event: its name and the places that quote it.
    let mut params = c.at("events.events", "\"Cart Viewed\" {", 0, 1);
    params["newName"] = json!("Cart \"Seen\"");
    let edit = c.request("textDocument/rename", params);
    let edits = edit["changes"][c.uri("events.events")]
        .as_array()
        .expect("edits")
        .clone();
    assert_eq!(edits.len(), 3);
    assert!(
        edits
            .iter()
            .all(|e| e["newText"] == "\"Cart \\\"Seen\\\"\"")
    );

    // Refused: a bad name, a name in use, something that is not a declaration.
    let mut params = at.clone();
    params["newName"] = json!("Growth Team");
    let r = c.call("textDocument/rename", params);
    assert!(
        r["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("is not an owner name")),
        "{r}"
    );
    let mut params = at;
    params["newName"] = json!("analytics");
    let r = c.call("textDocument/rename", params);
    assert_eq!(
        r["error"]["message"], "owner `@analytics` already exists",
        "{r}"
    );
    let mut params = c.at("events.events", "items:", 0, 1);
    params["newName"] = json!("count");
    let r = c.call("textDocument/rename", params);
    assert!(
        r["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("only declarations")),
        "{r}"
    );
    c.shutdown();
}

#[test]
fn malformed_input_never_stops_the_server() {
    let mut c = Client::start();
    let uri = c.open("events.events");
    assert_eq!(c.diagnostics(&uri), Vec::<Value>::new());
    // Not JSON, not JSON-RPC, no Content-Length: skipped.
    c.send_raw(b"Content-Length: 9\r\n\r\n{not json");
    c.send_raw(b"Content-Length: 10\r\n\r\n{\"what\":1}");
    c.send_raw(b"X-Nothing: 1\r\n\r\n");
    // Bad parameters, an unknown method, an unknown document, positions off the end.
    let r = c.call("textDocument/hover", json!({ "textDocument": 42 }));
    assert_eq!(r["error"]["code"], -32602, "{r}");
    let r = c.call("textDocument/frobnicate", json!({}));
    assert_eq!(r["error"]["code"], -32601, "{r}");
    let r = c.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": "file:///nowhere/x.events" }, "position": { "line": 0, "character": 0 } }),
    );
    assert_eq!(r, Value::Null);
    for method in [
        "textDocument/hover",
        "textDocument/definition",
        "textDocument/completion",
        "textDocument/prepareRename",
    ] {
        let r = c.call(
            method,
            json!({ "textDocument": { "uri": uri }, "position": { "line": 9999, "character": 9999 } }),
        );
        assert!(r.get("error").is_none(), "{method}: {r}");
    }
    c.notify("textDocument/didChange", json!({ "nonsense": true }));
    c.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": uri, "version": 2 },
            "contentChanges": [{ "range": { "start": { "line": 999, "character": 0 }, "end": { "line": 0, "character": 0 } }, "text": "" }],
        }),
    );
    // Still serving.
    let r = c.request(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": uri } }),
    );
    assert_eq!(r.as_array().map(Vec::len), Some(4));
    c.shutdown();
}

#[test]
fn a_file_that_stops_parsing_keeps_the_last_good_analysis() {
    let mut c = Client::start();
    let uri = c.open("events.events");
    assert_eq!(c.diagnostics(&uri), Vec::<Value>::new());
    let mut text = c.text("events.events");
    // Mid-edit: an unterminated string in the first event.
    c.replace(
        "events.events",
        &mut text,
        "\"A cart was viewed.\"",
        "\"A cart was",
        2,
    );
    let diags = c.diagnostics(&uri);
    assert_eq!(codes(&diags), ["E0003"], "{diags:?}");
    // Hover elsewhere still works, from the last good declaration.
    let r = c.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": pos(&text, text.find("total_cents").expect("p") + 1) }),
    );
    assert!(
        r["contents"]["value"]
            .as_str()
            .is_some_and(|v| v.contains("**property** `total_cents`")),
        "{r}"
    );
    // References into the broken event still resolve (its last good AST).
    let mut at = c.at("governance.events", "marketing {", 0, 0);
    at["context"] = json!({ "includeDeclaration": false });
    let r = c.request("textDocument/references", at);
    assert!(r.as_array().is_some(), "{r}");
    // Typing an unclosed brace: the error stays in the declaration.
    c.replace(
        "events.events",
        &mut text,
        "\"A cart was",
        "\"A cart was viewed.\"",
        3,
    );
    assert_eq!(c.diagnostics(&uri), Vec::<Value>::new());
    c.replace(
        "events.events",
        &mut text,
        "  items: integer min(0) \"Items in the cart\"",
        "  items: object {",
        4,
    );
    let diags = c.diagnostics(&uri);
    assert_eq!(codes(&diags), ["E0002"], "{diags:?}");
    c.shutdown();
}

#[test]
fn fast_analysis_is_corrected_by_the_full_one() {
    // Removing the only use of `marketing` changes another declaration's
    // diagnostics (unused/declaration in governance.events): the fast analysis
    // of the edited event cannot see it; the full one that follows does.
    let mut c = Client::start();
    let events = c.open("events.events");
    assert_eq!(c.diagnostics(&events), Vec::<Value>::new());
    let gov = c.open("governance.events");
    assert_eq!(c.diagnostics(&gov), Vec::<Value>::new());
    let mut text = c.text("events.events");
    c.replace("events.events", &mut text, " consent(marketing)", "", 2);
    let diags = c.diagnostics(&gov);
    assert_eq!(codes(&diags), ["unused/declaration"], "{diags:?}");
    assert!(
        diags[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("marketing"))
    );
    c.shutdown();
}

#[test]
fn diagnostics_match_eventsc_check_on_every_fixture() {
    let mut c = Client::spawn();
    c.initialize(None);
    let mut mismatches = Vec::new();
    let files: Vec<PathBuf> = events_files(&root().join("tests/fixtures"))
        .into_iter()
        .filter(|p| !rel(p).starts_with("tests/fixtures/multi/"))
        .collect();
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue; // the non-UTF-8 fixture: an editor would not send it
        };
        let (sources, checked) = check_paths(std::slice::from_ref(path));
        let want: Vec<String> = checked
            .diagnostics
            .iter()
            .map(|d| {
                let span = d.primary_span().expect("span");
                let f = sources.get(span.file);
                let (line, col) = f.utf16_position(span.start as usize);
                format!("{line}:{col} {} {}", d.code, d.message)
            })
            .collect();
        let uri = format!("untitled:{}", rel(path));
        c.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "events", "version": 1, "text": text } }),
        );
        let got: Vec<String> = c.diagnostics(&uri).iter().map(published_line).collect();
        let mut want_sorted = want.clone();
        want_sorted.sort();
        let mut got_sorted = got.clone();
        got_sorted.sort();
        if want_sorted != got_sorted {
            mismatches.push(format!(
                "{}:\n  check: {want:?}\n  lsp:   {got:?}",
                rel(path)
            ));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    c.shutdown();
}

/// `line:col code first-line-of-message`, sorted, for every diagnostic `check`
/// reports in the files of a plan, by file name.
fn check_summary(paths: &[PathBuf]) -> std::collections::BTreeMap<String, Vec<String>> {
    let (sources, checked) = check_paths(paths);
    let mut out: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for d in &checked.diagnostics {
        let span = d.primary_span().expect("span");
        let f = sources.get(span.file);
        let (line, col) = f.utf16_position(span.start as usize);
        let name = f.name.rsplit('/').next().expect("name").to_string();
        out.entry(name)
            .or_default()
            .push(format!("{line}:{col} {} {}", d.code, d.message));
    }
    for v in out.values_mut() {
        v.sort();
    }
    out
}

/// `line:col code first-line-of-message` of a published diagnostic.
fn published_line(d: &Value) -> String {
    format!(
        "{}:{} {} {}",
        d["range"]["start"]["line"],
        d["range"]["start"]["character"],
        d["code"].as_str().unwrap_or(""),
        d["message"]
            .as_str()
            .unwrap_or("")
            .lines()
            .next()
            .unwrap_or("")
    )
}

/// Every diagnostics list published until the server is quiet, the last per
/// file name relative to the repository (empty lists left out).
fn published_until_quiet(c: &mut Client) -> BTreeMap<String, Vec<String>> {
    // A request answered after everything the notifications before it caused.
    c.request(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": "untitled:none" } }),
    );
    while let Ok(m) = c.incoming.recv_timeout(Duration::from_millis(100)) {
        c.pending.push_back(m);
    }
    let mut got = BTreeMap::new();
    let published: Vec<Value> = c
        .pending
        .iter()
        .filter(|m| m["method"] == "textDocument/publishDiagnostics")
        .cloned()
        .collect();
    c.pending.clear();
    for m in published {
        let uri = m["params"]["uri"].as_str().expect("uri");
        let name = uri
            .strip_prefix(&format!("{}/", self::uri(&root())))
            .unwrap_or(uri)
            .to_string();
        let mut list: Vec<String> = m["params"]["diagnostics"]
            .as_array()
            .expect("list")
            .iter()
            .map(published_line)
            .collect();
        list.sort();
        got.insert(name, list);
    }
    got.retain(|_, l: &mut Vec<String>| !l.is_empty());
    got
}

/// This repository opened at its root, as VS Code and the README's Neovim
/// configurations open it: every file opened gets exactly what `eventsc check`
/// reports for its plan (the example's directory, a multi-file fixture's
/// directory, a single-file fixture alone), the files of its plan too, and
/// nothing is published for files of other plans. A file with no plan root
/// (a fixture without `plan` among single-file plans) is checked alone, with
/// the information diagnostic `eventsc check` gives it.
#[test]
fn a_repository_of_plans_gets_for_each_file_what_check_gives_its_plan() {
    let mut c = Client::spawn();
    c.initialize(Some(&root()));
    // Each file opened, and the files of its plan by the rule the README
    // states (worked out here by hand).
    let mut cases: Vec<(PathBuf, Vec<PathBuf>)> = Vec::new();
    for example in ["ecommerce", "health", "pipeline-velocity"] {
        let files = events_files(&root().join("examples").join(example));
        for f in files.iter().take(2) {
            cases.push((f.clone(), files.clone()));
        }
    }
    let multi = root().join("tests/fixtures/multi");
    for dir in [
        "split-plan",
        "recovery-keeps-other-declarations",
        "duplicate-across-files",
    ] {
        let files = events_files(&multi.join(dir));
        cases.push((files[files.len() - 1].clone(), files.clone()));
    }
    for alone in [
        "multi/missing-plan-with-parse-error/a.events",
        "codes/E0025.fail.events",
        "codes/E0020.fail.events",
        "rules/privacy/pii-without-consent.fail.events",
        "spec/full-example.events",
    ] {
        let f = root().join("tests/fixtures").join(alone);
        cases.push((f.clone(), vec![f]));
    }
    let mut failures = Vec::new();
    for (path, plan) in &cases {
        let r = rel(path);
        let text = std::fs::read_to_string(path).expect("readable");
        // A file that is its plan but declares none: no root, alone.
        let alone = plan.len() == 1 && !text.lines().any(|l| l.starts_with("plan "));
        let mut want = check_summary(plan)
            .into_iter()
            .map(|(name, list)| {
                let full = plan
                    .iter()
                    .find(|p| p.file_name().is_some_and(|n| n.to_string_lossy() == name))
                    .expect("a file of the plan");
                (rel(full), list)
            })
            .collect::<BTreeMap<String, Vec<String>>>();
        if alone {
            let list = want.entry(r.clone()).or_default();
            list.push("0:0 plan-root this file belongs to no plan: it is checked alone".into());
            list.sort();
        }
        let uri = uri(path);
        c.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "events", "version": 1, "text": text } }),
        );
        let got = published_until_quiet(&mut c);
        if got != want {
            failures.push(format!("{r}:\n  check: {want:?}\n  lsp:   {got:?}"));
        }
        // Closing the plan's last open file clears what was published for it.
        c.notify(
            "textDocument/didClose",
            json!({ "textDocument": { "uri": uri } }),
        );
        let after = published_until_quiet(&mut c);
        if !after.is_empty() {
            failures.push(format!("{r}: still published after closing: {after:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    c.shutdown();
}

/// A client that can register file watchers is asked to; a file of an open
/// plan changed on disk is read again, one created joins the plan, and a
/// directory that becomes a plan of its own leaves it.
#[test]
fn watched_files_are_registered_and_followed() {
    let folder = workspace();
    let mut c = Client::spawn();
    let r = c.request(
        "initialize",
        json!({
            "processId": null,
            "rootUri": uri(folder.path()),
            "capabilities": { "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": true } } },
        }),
    );
    assert!(r["capabilities"].is_object());
    c.notify("initialized", json!({}));
    let reg = c.wait(|m| m["method"] == "client/registerCapability");
    let registration = &reg["params"]["registrations"][0];
    assert_eq!(registration["method"], "workspace/didChangeWatchedFiles");
    let globs: Vec<&str> = registration["registerOptions"]["watchers"]
        .as_array()
        .expect("watchers")
        .iter()
        .filter_map(|w| w["globPattern"].as_str())
        .collect();
    assert_eq!(globs, ["**/*.events", "**/eventsc.toml"]);
    c.send(json!({ "jsonrpc": "2.0", "id": reg["id"], "result": null }));
    c.folder = Some(folder);

    let uri = c.open("events.events");
    assert_eq!(c.diagnostics(&uri), Vec::<Value>::new());
    // Another file of the plan, not open, changes on disk: an owner goes away.
    let governance = c.path("governance.events");
    let before = std::fs::read_to_string(&governance).expect("governance.events");
    std::fs::write(&governance, "").expect("write");
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": c.uri("governance.events"), "type": 2 }] }),
    );
    assert!(codes(&c.diagnostics(&uri)).contains(&"E0025".to_string()));
    // A new file in a subdirectory brings it back.
    std::fs::create_dir(c.path("more")).expect("mkdir");
    std::fs::write(c.path("more/governance.events"), &before).expect("write");
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": c.uri("more/governance.events"), "type": 1 }] }),
    );
    assert_eq!(c.diagnostics(&uri), Vec::<Value>::new());
    // The subdirectory becomes a plan of its own: its file leaves this plan.
    std::fs::write(
        c.path("more/plan.events"),
        "plan \"Other\" { owner @growth }\n",
    )
    .expect("write");
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": c.uri("more/plan.events"), "type": 1 }] }),
    );
    assert!(codes(&c.diagnostics(&uri)).contains(&"E0025".to_string()));
    c.shutdown();
}

// --- A real client: headless Neovim ---------------------------------------------

/// What the test does through Neovim's client, after the README's
/// configuration: the Lua writes what the client saw.
const NVIM_HARNESS: &str = r#"
local out, file = os.getenv('OUT'), os.getenv('FILE')
local lines = {}
local function say(s) table.insert(lines, s) end
local function diags(buf)
  local ds = vim.diagnostic.get(buf)
  table.sort(ds, function(a, b) return a.lnum < b.lnum end)
  local r = {}
  for _, d in ipairs(ds) do
    local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code) or ''
    table.insert(r, string.format('%d:%d %s %s', d.lnum, d.col, code, (d.message:gsub('\n.*', ''))))
  end
  return r
end
vim.cmd('edit ' .. file)
local buf = vim.api.nvim_get_current_buf()
say('filetype: ' .. vim.bo[buf].filetype)
local function attached()
  local cs = vim.lsp.get_clients and vim.lsp.get_clients({ bufnr = buf }) or vim.lsp.buf_get_clients(buf)
  return next(cs) ~= nil
end
say('attached: ' .. tostring(vim.wait(20000, attached, 20)))
local function request(method, params)
  local res = vim.lsp.buf_request_sync(buf, method, params, 10000)
  for _, r in pairs(res or {}) do
    if r.result then return r.result end
  end
end
local function at(line, character)
  return { textDocument = { uri = vim.uri_from_bufnr(buf) }, position = { line = line, character = character } }
end
local function set_line(i, text) vim.api.nvim_buf_set_lines(buf, i, i + 1, false, { text }) end
-- 1. Diagnostics arrive for the file as it is on disk (a misspelt owner).
local got = vim.wait(20000, function() return #vim.diagnostic.get(buf) > 0 end, 20)
say('opened: ' .. tostring(got))
for _, l in ipairs(diags(buf)) do say(l) end
-- 2. Fix it in the buffer: the change is sent, the diagnostics go away.
for i = 0, vim.api.nvim_buf_line_count(buf) - 1 do
  local l = vim.api.nvim_buf_get_lines(buf, i, i + 1, false)[1]
  if l:find('@growht', 1, true) then set_line(i, (l:gsub('@growht', '@growth'))) end
end
got = vim.wait(20000, function() return #vim.diagnostic.get(buf) == 0 end, 20)
say('fixed: ' .. tostring(got))
-- 3. Break it again by typing a new line: an unknown consent purpose.
vim.api.nvim_buf_set_lines(buf, 1, 1, false, { '  consent mrketing' })
got = vim.wait(20000, function() return #vim.diagnostic.get(buf) > 0 end, 20)
say('typed: ' .. tostring(got))
for _, l in ipairs(diags(buf)) do say(l) end
vim.api.nvim_buf_set_lines(buf, 1, 2, false, {})
got = vim.wait(20000, function() return #vim.diagnostic.get(buf) == 0 end, 20)
say('removed: ' .. tostring(got))
-- 4. Hover and go to definition on the bundle `Cart` (line 6, `  use Cart`).
local h = request('textDocument/hover', at(5, 7))
local value = h and h.contents and (h.contents.value or h.contents[1] or '') or ''
say('hover: ' .. (value:match('[^\n]+') or ''))
local d = request('textDocument/definition', at(5, 7))
local loc = d and (d.uri and d or d[1])
if loc then say(string.format('definition: %s %d', loc.uri:match('[^/]+$'), loc.range.start.line)) end
-- 5. Completion of a property's type.
vim.api.nvim_buf_set_lines(buf, 6, 6, false, { '  note: str' })
local c = request('textDocument/completion', at(6, 11))
local found = false
for _, item in ipairs(c and (c.items or c) or {}) do
  if item.label == 'string' then found = true end
end
say('completion: string ' .. tostring(found))
vim.api.nvim_buf_set_lines(buf, 6, 7, false, {})
-- 6. Formatting: a line indented wrongly is put back in the fmt layout.
set_line(2, '        ' .. vim.api.nvim_buf_get_lines(buf, 2, 3, false)[1])
vim.fn.writefile(vim.api.nvim_buf_get_lines(buf, 0, -1, false), os.getenv('BEFORE'))
if vim.lsp.buf.format then vim.lsp.buf.format({ async = false }) else vim.lsp.buf.formatting_sync(nil, 10000) end
vim.fn.writefile(vim.api.nvim_buf_get_lines(buf, 0, -1, false), os.getenv('AFTER'))
vim.fn.writefile(lines, out)
vim.cmd('qa!')
"#;

/// The installed Neovim's `major.minor`.
fn nvim_version(nvim: &Path) -> (u32, u32) {
    let out = Command::new(nvim).arg("--version").output();
    let out = out
        .ok()
        .filter(|o| o.status.success())
        .expect("`nvim --version` runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let v = text
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("NVIM v"))
        .expect("NVIM vX.Y.Z");
    let mut parts = v.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    (parts.next().unwrap_or(0), parts.next().unwrap_or(0))
}

/// The README's Neovim configuration for a version: the ```lua block whose
/// first line names it (`-- Neovim 0.7 …`, `-- Neovim 0.8 to 0.10`, `-- Neovim
/// 0.11 and later`).
fn readme_nvim_config(version: (u32, u32)) -> String {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let blocks: Vec<&str> = readme
        .split("```lua\n")
        .skip(1)
        .filter_map(|b| b.split("```\n").next())
        .filter(|b| b.starts_with("-- Neovim "))
        .collect();
    let wanted = match version {
        (0, 0..=7) => "-- Neovim 0.7",
        (0, 8..=10) => "-- Neovim 0.8 to 0.10",
        _ => "-- Neovim 0.11 and later",
    };
    assert_eq!(
        blocks.len(),
        3,
        "the README has three Neovim configurations"
    );
    blocks
        .iter()
        .find(|b| b.starts_with(wanted))
        .unwrap_or_else(|| panic!("the README has a block starting `{wanted}`"))
        .to_string()
}

/// The README's configuration for the installed Neovim, followed literally
/// (the Vim files on the runtime path, `eventsc` on `PATH`), in headless
/// Neovim: diagnostics, hover, definition, completion and formatting.
#[test]
fn neovim_with_the_readme_configuration() {
    let nvim = require(Tool::Neovim);
    let config = readme_nvim_config(nvim_version(&nvim));
    let folder = workspace();
    std::fs::write(folder.path().join("eventsc.toml"), "").expect("manifest");
    let events = folder.path().join("events.events");
    let text = std::fs::read_to_string(&events).expect("readable");
    std::fs::write(
        &events,
        text.replacen("owner   @growth", "owner   @growht", 1),
    )
    .expect("write");
    let script = folder.path().join("test.lua");
    std::fs::write(
        &script,
        format!("vim.cmd('filetype plugin indent on')\n{config}\n{NVIM_HARNESS}"),
    )
    .expect("write");
    let out = folder.path().join("out.txt");
    let (before, after) = (
        folder.path().join("before.txt"),
        folder.path().join("after.txt"),
    );
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_eventsc"));
    let path = std::env::join_paths(
        std::iter::once(bin.parent().expect("bin dir").to_path_buf()).chain(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        )),
    )
    .expect("PATH");
    let status = Command::new(&nvim)
        .args(["--headless", "-u", "NONE", "-i", "NONE", "-n"])
        .arg("--cmd")
        .arg(format!(
            "set runtimepath^={}",
            root().join("editors/vim").display()
        ))
        .arg("-c")
        .arg(format!("luafile {}", script.display()))
        .current_dir(folder.path())
        .env("PATH", path)
        .env("OUT", &out)
        .env("FILE", &events)
        .env("BEFORE", &before)
        .env("AFTER", &after)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("nvim runs");
    assert!(status.success(), "nvim exited with {status}");
    let got = std::fs::read_to_string(&out).expect("the script wrote its answer");
    assert_eq!(
        got.lines().collect::<Vec<_>>(),
        [
            "filetype: events",
            "attached: true",
            "opened: true",
            "2:10 E0025 unknown owner `@growht`",
            "fixed: true",
            "typed: true",
            "1:10 E0025 unknown consent purpose `mrketing`",
            "5:2 E0012 `consent` is written twice in an `event`",
            "removed: true",
            "hover: **bundle** `Cart`",
            "definition: governance.events 14",
            "completion: string true",
        ],
        "{got}"
    );
    // Formatting gave what `eventsc fmt` gives.
    let before = std::fs::read(&before).expect("before");
    let run = crate::common::run::eventsc(folder.path(), &["fmt", "-"], Some(&before));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_ne!(
        run.stdout.as_bytes(),
        before.as_slice(),
        "the buffer needed formatting"
    );
    assert_eq!(std::fs::read_to_string(&after).expect("after"), run.stdout);
}

#[test]
fn positions_count_utf16_code_units() {
    let mut c = Client::start();
    let uri = c.open("events.events");
    assert_eq!(c.diagnostics(&uri), Vec::<Value>::new());
    let mut text = c.text("events.events");
    // An emoji (two UTF-16 units, four bytes) before the error on the same line.
    c.replace(
        "events.events",
        &mut text,
        "  owner   @growth\n",
        "  description \"😀 é\"; owner @growht\n",
        2,
    );
    let diags = c.diagnostics(&uri);
    let d = diags
        .iter()
        .find(|d| d["code"] == "E0025")
        .unwrap_or_else(|| panic!("{diags:?}"));
    let line = "  description \"😀 é\"; owner ";
    let character: usize = line.chars().map(char::len_utf16).sum();
    assert_eq!(d["range"]["start"]["character"], character, "{d}");
    assert_eq!(d["range"]["end"]["character"], character + "@growht".len());
    // Hover at a UTF-16 position after the emoji finds the diagnostic there.
    let r = c.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": { "line": 2, "character": character + 2 } }),
    );
    assert!(
        r["contents"]["value"]
            .as_str()
            .is_some_and(|v| v.starts_with("**E0025**")),
        "{r}"
    );
    assert_eq!(r["range"]["start"]["character"], character, "{r}");
    c.shutdown();
}

#[test]
fn files_created_changed_and_closed_are_followed() {
    let mut c = Client::start();
    let uri = c.open("events.events");
    assert_eq!(c.diagnostics(&uri), Vec::<Value>::new());
    let mut text = c.text("events.events");
    c.replace(
        "events.events",
        &mut text,
        "owner   @growth",
        "owner   @data",
        2,
    );
    assert_eq!(codes(&c.diagnostics(&uri)), ["E0025"]);
    // A new file of the folder declares the owner: the client reports it.
    let new = c.path("team.events");
    let new_uri = c.uri("team.events");
    std::fs::write(&new, "owner @data { name \"Data\" }\n").expect("write");
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": new_uri, "type": 1 }] }),
    );
    assert_eq!(c.diagnostics(&uri), Vec::<Value>::new());
    // Deleted again.
    std::fs::remove_file(&new).expect("remove");
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": new_uri, "type": 3 }] }),
    );
    assert_eq!(codes(&c.diagnostics(&uri)), ["E0025"]);
    // Closing the edited file without saving: the file on disk counts again.
    c.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": uri } }),
    );
    assert_eq!(c.diagnostics(&uri), Vec::<Value>::new());
    c.shutdown();
}

/// `line:col code first-line-of-message [related: file:line:col, …]` of a
/// published diagnostic.
fn lsp_line(d: &Value) -> String {
    let related: Vec<String> = d["relatedInformation"]
        .as_array()
        .map(|r| {
            r.iter()
                .map(|i| {
                    let uri = i["location"]["uri"].as_str().unwrap_or("");
                    let start = &i["location"]["range"]["start"];
                    format!(
                        "{}:{}:{}",
                        uri.rsplit('/').next().unwrap_or(""),
                        start["line"],
                        start["character"]
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    format!(
        "{}:{} {} {} {related:?}",
        d["range"]["start"]["line"],
        d["range"]["start"]["character"],
        d["code"].as_str().unwrap_or(""),
        d["message"]
            .as_str()
            .unwrap_or("")
            .lines()
            .next()
            .unwrap_or(""),
    )
}

/// The same line for what `check` reports in file `name` of `sources`.
fn check_lines(
    sources: &eventsc::source::SourceMap,
    checked: &eventsc::check::Checked,
    name: &str,
) -> Vec<String> {
    let base =
        |f: &eventsc::source::SourceFile| f.name.rsplit('/').next().unwrap_or("").to_string();
    let mut out: Vec<String> = checked
        .diagnostics
        .iter()
        .filter_map(|d| {
            let primary = d.labels.iter().find(|l| l.primary)?;
            let f = sources.get(primary.span.file);
            if base(f) != name {
                return None;
            }
            let (line, col) = f.utf16_position(primary.span.start as usize);
            let related: Vec<String> = d
                .labels
                .iter()
                .filter(|l| !l.primary)
                .map(|l| {
                    let f = sources.get(l.span.file);
                    let (line, col) = f.utf16_position(l.span.start as usize);
                    format!("{}:{line}:{col}", base(f))
                })
                .collect();
            Some(format!("{line}:{col} {} {} {related:?}", d.code, d.message))
        })
        .collect();
    out.sort();
    out
}

/// Issue 15: typing a new event above an existing one, one keystroke at a
/// time, never reports what `check` does not (it reported `"Product List
/// Viewed" is declared twice`, with no related location, for most keystrokes):
/// every set of diagnostics published is the one `check` gives for the text of
/// its version.
#[test]
fn typing_an_event_keystroke_by_keystroke_reports_what_check_reports() {
    let plan = root().join("examples/ecommerce");
    let folder = tempfile::tempdir().expect("temp dir");
    let files = events_files(&plan);
    for f in &files {
        std::fs::copy(f, folder.path().join(f.file_name().expect("name"))).expect("copy");
    }
    let mut c = Client::spawn();
    c.initialize(Some(folder.path()));
    c.folder = Some(folder);
    let name = "browsing.events";
    let uri = c.open(name);
    let mut text = c.text(name);
    let others: Vec<(String, String)> = files
        .iter()
        .map(|f| (rel(f), std::fs::read_to_string(f).expect("readable")))
        .collect();
    let check_text = |text: &str| {
        let mut sources = eventsc::source::SourceMap::new();
        for (n, t) in &others {
            let t = if n.ends_with(name) { text } else { t.as_str() };
            sources.add(eventsc::source::SourceFile::new(
                n.clone(),
                None,
                t.to_string(),
            ));
        }
        let checked = eventsc::check::check(&sources, Vec::new());
        check_lines(&sources, &checked, name)
    };
    let got: Vec<String> = {
        let mut v: Vec<String> = c.diagnostics(&uri).iter().map(lsp_line).collect();
        v.sort();
        v
    };
    assert_eq!(got, check_text(&text));
    let typed = "event \"Product Compared\" {\n  description \"A shopper compared two or more products side by side on the comparison page, to weigh price, ratings and features before choosing one.\"\n  owner    @ecommerce-analytics\n  source   storefront\n  consent  analytics\n  status   planned\n  since    \"1.3.0\"\n  tags     \"browse\", \"compare\"\n\n  list_id: string required example(\"compare_1\") \"Comparison list\"\n  use ProductList\n}\n";
    // On the blank line above the event.
    let at = text
        .find("\n\nevent \"Product List Viewed\"")
        .expect("the event to type above")
        + 1;
    let mut versions: std::collections::HashMap<i64, String> = Default::default();
    let mut compared = 0;
    let mut mismatches = Vec::new();
    for (i, ch) in typed.char_indices() {
        let offset = at + i;
        let version = i as i64 + 2;
        let range = json!({ "start": pos(&text, offset), "end": pos(&text, offset) });
        text.insert(offset, ch);
        versions.insert(version, text.clone());
        c.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": uri, "version": version },
                "contentChanges": [{ "range": range, "text": ch.to_string() }],
            }),
        );
        // Every set published until this keystroke's own arrives (a fast
        // analysis, then possibly a full one with the same version).
        loop {
            let msg = c.wait(|m| {
                m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
            });
            let v = msg["params"]["version"].as_i64().expect("a version");
            let mut got: Vec<String> = msg["params"]["diagnostics"]
                .as_array()
                .expect("a list")
                .iter()
                .map(lsp_line)
                .collect();
            got.sort();
            let want = check_text(&versions[&v]);
            if got != want {
                mismatches.push(format!("version {v}:\n  check: {want:?}\n  lsp:   {got:?}"));
            }
            compared += 1;
            if v == version {
                break;
            }
        }
    }
    assert!(compared >= typed.chars().count(), "{compared}");
    assert!(
        mismatches.is_empty(),
        "{} of {compared} published sets differ from check:\n{}",
        mismatches.len(),
        mismatches[..mismatches.len().min(5)].join("\n")
    );
    c.shutdown();
}

/// Hover over a word of the language shows what the vocabulary says of it
/// (`eventsc::vocab`): a field of the block it is in, a type, a modifier.
#[test]
fn hover_explains_the_words_of_the_language() {
    let mut c = Client::start();
    c.open("events.events");
    for (needle, shift, want) in [
        ("  owner   @growth", 2, "**field of an `event`** `owner`"),
        ("  source  web", 2, "**field of an `event`** `source`"),
        ("items: integer", 7, "**type** `integer`"),
        ("integer min(0)", 8, "**modifier** `min`"),
        ("  replaced_by", 2, "The event that replaces it"),
    ] {
        let at = c.at("events.events", needle, 0, shift);
        let r = c.request("textDocument/hover", at);
        assert!(
            r["contents"]["value"]
                .as_str()
                .is_some_and(|v| v.contains(want)),
            "{needle}: {r}"
        );
    }
    c.shutdown();
}

/// An event with two versions: no diagnostic for the shared name, hover lists
/// the versions, definition from a reference goes to each (the current
/// first), references and rename take every version.
#[test]
fn an_event_with_several_versions() {
    let folder = tempfile::tempdir().expect("temp dir");
    let text = "plan \"Versions\" {\n  owner @team\n}\nowner @team { name \"Team\" }\n\
                event \"Order Placed\" {\n  description \"Old.\"\n  owner @team\n}\n\
                event \"Order Placed\" {\n  version 2\n  description \"New.\"\n  owner @team\n}\n\
                kpi \"Orders\" {\n  owner @team\n  events \"Order Placed\"\n}\n";
    std::fs::write(folder.path().join("plan.events"), text).expect("write");
    let mut c = Client::spawn();
    c.initialize(Some(folder.path()));
    c.folder = Some(folder);
    let uri = c.open("plan.events");
    assert_eq!(codes(&c.diagnostics(&uri)), Vec::<String>::new());

    let hover = hover_text(&mut c, "plan.events", "\"Order Placed\"\n}", 0);
    assert!(
        hover.contains("version 2 (current) · versions: 1, 2"),
        "{hover}"
    );
    let hover = hover_text(&mut c, "plan.events", "\"Order Placed\" {", 0);
    assert!(hover.contains("version 1 · versions: 1, 2"), "{hover}");

    let at = c.at("plan.events", "\"Order Placed\"\n}", 0, 1);
    let r = c.request("textDocument/definition", at);
    let lines: Vec<u64> = r
        .as_array()
        .expect("a location per version")
        .iter()
        .map(|l| l["range"]["start"]["line"].as_u64().expect("line"))
        .collect();
    assert_eq!(lines, [8, 4], "{r}");

    let mut at = c.at("plan.events", "\"Order Placed\" {", 0, 1);
    at["context"] = json!({ "includeDeclaration": true });
    let refs = places(&c.request("textDocument/references", at.clone()));
    let refs: Vec<u64> = refs.iter().map(|(_, line, _)| *line).collect();
    assert_eq!(refs, [4, 8, 15]);

    at["newName"] = json!("Order Submitted");
    let edit = c.request("textDocument/rename", at);
    let edits = edit["changes"][c.uri("plan.events")]
        .as_array()
        .expect("edits")
        .clone();
    assert_eq!(edits.len(), 3, "{edit}");
    c.shutdown();
}
