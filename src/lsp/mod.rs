//! `eventsc lsp`: the language server, over stdio (JSON-RPC, LSP 3.17).
//!
//! - [`workspace`] keeps the documents, their parsed declarations and the
//!   analysis of each plan (the same front end as `eventsc check`);
//! - one file per request: [`hover`], [`definition`], [`references`],
//!   [`completion`], [`symbols`], [`rename`]; [`diagnostics`] converts what the
//!   compiler reports; [`convert`] does URIs and UTF-16 positions;
//! - this file is the loop: document changes are applied as they come (all the
//!   waiting ones before analysing), diagnostics are published for every file
//!   whose list changed, and when a fast analysis left a plan lagging behind its
//!   text, the full analysis runs on another thread once the client has been
//!   idle for [`IDLE`] (its result is dropped if the text changed meanwhile),
//!   or at once when a request needs the plan.
//!
//! Nothing a client sends may stop the server: bad parameters get an error
//! response, unknown methods `MethodNotFound`, malformed messages are skipped
//! ([`transport`]), and a bug in a handler answers `InternalError` instead of
//! crashing (it is logged to stderr).

pub mod completion;
pub mod convert;
pub mod definition;
pub mod diagnostics;
pub mod formatting;
pub mod hover;
mod lookup;
pub mod references;
pub mod rename;
pub mod symbols;
pub mod transport;
pub mod workspace;

pub use lsp_types::Position;

use crossbeam_channel::Sender;
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response, ResponseError};
use lsp_types::{
    CompletionOptions, DidChangeTextDocumentParams, DidChangeWatchedFilesParams,
    DidChangeWatchedFilesRegistrationOptions, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, DocumentSymbolParams, FileChangeType, FileSystemWatcher,
    GlobPattern, GotoDefinitionParams, HoverParams, HoverProviderCapability, InitializeParams,
    OneOf, PositionEncodingKind, PublishDiagnosticsParams, ReferenceParams, Registration,
    RegistrationParams, RenameOptions, RenameParams, ServerCapabilities, ServerInfo,
    TextDocumentPositionParams, TextDocumentSyncCapability, TextDocumentSyncKind,
    TextDocumentSyncOptions, Uri,
};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::{BTreeSet, VecDeque};
use std::panic::AssertUnwindSafe;
use std::time::{Duration, Instant};
use workspace::{GroupKey, Workspace};

/// How long the client must be quiet before a lagging plan is fully re-analysed.
pub const IDLE: Duration = Duration::from_millis(200);

/// Runs the server on stdin/stdout until `exit` or the end of input.
pub fn run() -> Result<(), String> {
    let (connection, io) = transport::stdio().map_err(|e| format!("cannot start: {e}"))?;
    let result = serve(&connection);
    drop(connection);
    io.join();
    result
}

/// What the server offers.
pub fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(PositionEncodingKind::UTF16),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                ..TextDocumentSyncOptions::default()
            },
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: Default::default(),
        })),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(["@", ":", "(", "\""].map(String::from).to_vec()),
            ..CompletionOptions::default()
        }),
        document_symbol_provider: Some(OneOf::Left(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        ..ServerCapabilities::default()
    }
}

/// Serves one connection (also used by tests over an in-memory connection).
pub fn serve(connection: &Connection) -> Result<(), String> {
    let (id, params) = connection
        .initialize_start()
        .map_err(|e| format!("no initialize request: {e}"))?;
    let params: InitializeParams = match serde_json::from_value(params) {
        Ok(p) => p,
        Err(e) => {
            let _ = connection.sender.send(
                Response::new_err(
                    id,
                    ErrorCode::InvalidParams as i32,
                    format!("bad initialize parameters: {e}"),
                )
                .into(),
            );
            return Err(format!("bad initialize parameters: {e}"));
        }
    };
    let result = serde_json::json!({
        "capabilities": capabilities(),
        "serverInfo": ServerInfo {
            name: "eventsc".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        },
    });
    connection
        .initialize_finish(id, result)
        .map_err(|e| format!("initialization failed: {e}"))?;
    let mut server = Server::new(connection.sender.clone());
    server.start(&params);
    main_loop(connection, &mut server)
}

fn main_loop(connection: &Connection, server: &mut Server) -> Result<(), String> {
    let mut queue: VecDeque<Message> = VecDeque::new();
    let jobs = server.jobs_rx.clone();
    loop {
        let msg = match queue.pop_front() {
            Some(m) => m,
            None => {
                let idle = server.ws.needs_full() && !server.job_running;
                let timeout = if idle {
                    IDLE
                } else {
                    Duration::from_secs(3600)
                };
                crossbeam_channel::select! {
                    recv(connection.receiver) -> m => match m {
                        Ok(m) => m,
                        Err(_) => return Ok(()),
                    },
                    recv(jobs) -> done => {
                        if let Ok(done) = done {
                            server.job_done(done);
                        }
                        continue;
                    },
                    default(timeout) => {
                        if idle {
                            server.start_job();
                        }
                        continue;
                    },
                }
            }
        };
        match msg {
            Message::Request(req) => {
                if req.method == "shutdown" {
                    return match connection.handle_shutdown(&req) {
                        Ok(_) => Ok(()),
                        Err(e) => Err(e.to_string()),
                    };
                }
                server.on_request(req);
            }
            Message::Notification(n) => {
                if n.method == "exit" {
                    return Ok(());
                }
                server.on_notification(n);
                // Apply the document changes already waiting, then analyse once.
                if queue.is_empty() {
                    while let Ok(next) = connection.receiver.try_recv() {
                        match next {
                            Message::Notification(n) if is_document_sync(&n.method) => {
                                server.on_notification(n)
                            }
                            other => {
                                queue.push_back(other);
                                break;
                            }
                        }
                    }
                }
                server.analyze();
            }
            Message::Response(_) => {}
        }
    }
}

fn is_document_sync(method: &str) -> bool {
    matches!(
        method,
        "textDocument/didOpen" | "textDocument/didChange" | "textDocument/didClose"
    )
}

/// The server's state and handlers.
pub struct Server {
    sender: Sender<Message>,
    pub ws: Workspace,
    log: bool,
    /// Documents opened or changed since the last publication: their
    /// diagnostics are published even when the list is the same, so a client
    /// hears back after every change.
    touched: BTreeSet<String>,
    /// Full analyses run on a thread of their own; their results come back here.
    jobs_tx: Sender<Option<workspace::FullDone>>,
    jobs_rx: crossbeam_channel::Receiver<Option<workspace::FullDone>>,
    job_running: bool,
    job_started: Instant,
}

fn log_enabled() -> bool {
    std::env::var_os("EVENTSC_LSP_LOG").is_some_and(|v| !v.is_empty())
}

impl Server {
    pub fn new(sender: Sender<Message>) -> Server {
        let (jobs_tx, jobs_rx) = crossbeam_channel::unbounded();
        Server {
            sender,
            ws: Workspace::new(),
            log: log_enabled(),
            touched: BTreeSet::new(),
            jobs_tx,
            jobs_rx,
            job_running: false,
            job_started: Instant::now(),
        }
    }

    /// Asks the client to report changes to `.events` files and manifests, when
    /// it can register for them (the plans are read when a document opens).
    fn start(&mut self, params: &InitializeParams) {
        let dynamic = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|d| d.dynamic_registration)
            .unwrap_or(false);
        if !dynamic {
            return;
        }
        let watchers: Vec<FileSystemWatcher> = ["**/*.events", "**/eventsc.toml"]
            .iter()
            .map(|g| FileSystemWatcher {
                glob_pattern: GlobPattern::String(g.to_string()),
                kind: None,
            })
            .collect();
        let params = RegistrationParams {
            registrations: vec![Registration {
                id: "eventsc-watched-files".into(),
                method: "workspace/didChangeWatchedFiles".into(),
                register_options: serde_json::to_value(DidChangeWatchedFilesRegistrationOptions {
                    watchers,
                })
                .ok(),
            }],
        };
        let _ = self.sender.send(
            Request::new(
                "eventsc/register-watchers".to_string().into(),
                "client/registerCapability".into(),
                params,
            )
            .into(),
        );
    }

    /// Reads the plans of the open documents and drops the others (see
    /// `Workspace::sync`), clearing what was published for dropped files.
    fn sync(&mut self) {
        for uri in self.ws.sync() {
            self.touched.remove(&convert::key_of(&uri));
            self.clear(uri);
        }
    }

    fn analyze(&mut self) {
        let t = Instant::now();
        let ran = self.ws.analyze_dirty();
        if ran.is_empty() {
            return;
        }
        if self.log {
            for (g, kind) in &ran {
                transport::log(&format!(
                    "{kind:?} analysis of {g} in {:.1} ms",
                    t.elapsed().as_secs_f64() * 1000.0
                ));
            }
        }
        let groups: Vec<GroupKey> = ran.into_iter().map(|(g, _)| g).collect();
        self.publish(&groups);
    }

    /// Starts the full analysis of a group whose plan lags behind (after a fast
    /// analysis), on another thread: edits keep getting fast answers meanwhile.
    fn start_job(&mut self) {
        let Some(job) = self.ws.lagging().first().and_then(|g| self.ws.full_job(g)) else {
            return;
        };
        let tx = self.jobs_tx.clone();
        let spawned = std::thread::Builder::new()
            .name("lsp-analysis".into())
            .spawn(move || {
                let done = std::panic::catch_unwind(AssertUnwindSafe(|| job.run())).ok();
                let _ = tx.send(done);
            });
        match spawned {
            Ok(_) => {
                self.job_running = true;
                self.job_started = Instant::now();
            }
            Err(e) => transport::log(&format!("cannot start an analysis thread: {e}")),
        }
    }

    fn job_done(&mut self, done: Option<workspace::FullDone>) {
        self.job_running = false;
        let Some(done) = done else {
            transport::log("internal error in a full analysis");
            return;
        };
        let group = done.group.clone();
        let used = self.ws.apply_full(done);
        if self.log {
            transport::log(&format!(
                "Full analysis (idle) of {group} in {:.1} ms{}",
                self.job_started.elapsed().as_secs_f64() * 1000.0,
                if used { "" } else { ", stale: dropped" }
            ));
        }
        if used {
            self.publish(&[group]);
        }
    }

    /// Makes the plan of a document current before a request that reads it.
    fn refresh(&mut self, uri: &Uri) -> String {
        let key = convert::key_of(uri);
        if let Some(g) = self.ws.ensure_current(&key) {
            self.publish(&[g]);
        }
        key
    }

    /// Publishes the diagnostics of every document of these groups whose list
    /// changed (and of open documents never published).
    fn publish(&mut self, groups: &[GroupKey]) {
        for g in groups {
            for (key, diags) in diagnostics::by_document(&self.ws, g) {
                let Some(doc) = self.ws.docs.get_mut(&key) else {
                    continue;
                };
                let changed = match &doc.published {
                    Some(old) => *old != diags || self.touched.contains(&key),
                    None => doc.version.is_some() || !diags.is_empty(),
                };
                if !changed {
                    continue;
                }
                let params = PublishDiagnosticsParams {
                    uri: doc.uri.clone(),
                    diagnostics: diags.clone(),
                    version: doc.version,
                };
                doc.published = Some(diags);
                self.notify::<lsp_types::notification::PublishDiagnostics>(params);
            }
        }
        self.touched.clear();
    }

    fn notify<N: lsp_types::notification::Notification>(&self, params: N::Params) {
        let _ = self
            .sender
            .send(Notification::new(N::METHOD.to_string(), params).into());
    }

    /// Clears the diagnostics of a document that left the workspace.
    fn clear(&self, uri: Uri) {
        self.notify::<lsp_types::notification::PublishDiagnostics>(PublishDiagnosticsParams {
            uri,
            diagnostics: Vec::new(),
            version: None,
        });
    }

    pub fn on_notification(&mut self, n: Notification) {
        let method = n.method.clone();
        let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| self.notification(n)));
        match outcome {
            Ok(Ok(())) => {}
            Ok(Err(e)) => transport::log(&format!("ignored `{method}`: {e}")),
            Err(_) => transport::log(&format!("internal error while handling `{method}`")),
        }
    }

    fn notification(&mut self, n: Notification) -> Result<(), String> {
        match n.method.as_str() {
            "textDocument/didOpen" => {
                let p: DidOpenTextDocumentParams = parse(n.params)?;
                let doc = p.text_document;
                self.touched.insert(convert::key_of(&doc.uri));
                let path = convert::path_of(&doc.uri);
                self.ws
                    .set_text(doc.uri, path, doc.text, Some(doc.version), None);
                self.sync();
            }
            "textDocument/didChange" => {
                let p: DidChangeTextDocumentParams = parse(n.params)?;
                let key = convert::key_of(&p.text_document.uri);
                if !self.ws.docs.contains_key(&key) {
                    return Err("a change to a document that is not open".into());
                }
                self.touched.insert(key.clone());
                for change in p.content_changes {
                    let Some(doc) = self.ws.docs.get(&key) else {
                        break;
                    };
                    let (start, end) = match change.range {
                        Some(r) => (
                            convert::offset(&doc.file, r.start),
                            convert::offset(&doc.file, r.end),
                        ),
                        None => (0, doc.file.text.len()),
                    };
                    self.ws.edit(&key, start, end, &change.text);
                }
                self.ws.edited(&key, Some(p.text_document.version));
            }
            "textDocument/didClose" => {
                let p: DidCloseTextDocumentParams = parse(n.params)?;
                let key = convert::key_of(&p.text_document.uri);
                // The file on disk counts again; the plan is dropped when no
                // document of it is open.
                if let Some(doc) = self.ws.docs.get_mut(&key) {
                    doc.version = None;
                }
                match convert::path_of(&p.text_document.uri).filter(|p| p.is_file()) {
                    Some(path) => self.ws.load_file(&path),
                    None => {
                        if let Some(doc) = self.ws.remove(&key) {
                            self.clear(doc.uri);
                        }
                    }
                }
                self.sync();
            }
            "workspace/didChangeWatchedFiles" => {
                let p: DidChangeWatchedFilesParams = parse(n.params)?;
                // Files, manifests or `plan` declarations changed: which plan
                // each file belongs to is worked out again.
                self.ws.forget_roots();
                for change in p.changes {
                    let Some(path) = convert::path_of(&change.uri) else {
                        continue;
                    };
                    let key = convert::key_of(&change.uri);
                    let held = self.ws.docs.get(&key).map(|d| d.version.is_some());
                    match (held, change.typ == FileChangeType::DELETED) {
                        (Some(false), true) => {
                            if let Some(doc) = self.ws.remove(&key) {
                                self.clear(doc.uri);
                            }
                        }
                        (Some(false), false) => self.ws.load_file(&path),
                        _ => {}
                    }
                }
                self.sync();
            }
            _ => {}
        }
        Ok(())
    }

    pub fn on_request(&mut self, req: Request) {
        let id = req.id.clone();
        let method = req.method.clone();
        let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| self.request(req)));
        let response = match outcome {
            Ok(result) => Response {
                id,
                response_result: result,
            },
            Err(_) => {
                transport::log(&format!("internal error while handling `{method}`"));
                Response::new_err(
                    id,
                    ErrorCode::InternalError as i32,
                    format!("internal error while handling `{method}` (see the server's log)"),
                )
            }
        };
        let _ = self.sender.send(response.into());
    }

    fn request(&mut self, req: Request) -> Result<Value, ResponseError> {
        let json = |v: Result<Value, serde_json::Error>| {
            v.map_err(|e| error(ErrorCode::InternalError, e.to_string()))
        };
        match req.method.as_str() {
            "textDocument/hover" => {
                let p: HoverParams = params(req.params)?;
                let at = p.text_document_position_params;
                let key = self.refresh(&at.text_document.uri);
                json(serde_json::to_value(hover::hover(
                    &self.ws,
                    &key,
                    at.position,
                )))
            }
            "textDocument/definition" => {
                let p: GotoDefinitionParams = params(req.params)?;
                let at = p.text_document_position_params;
                let key = self.refresh(&at.text_document.uri);
                json(serde_json::to_value(definition::definition(
                    &self.ws,
                    &key,
                    at.position,
                )))
            }
            "textDocument/references" => {
                let p: ReferenceParams = params(req.params)?;
                let at = p.text_document_position;
                let key = self.refresh(&at.text_document.uri);
                json(serde_json::to_value(references::references(
                    &self.ws,
                    &key,
                    at.position,
                    p.context.include_declaration,
                )))
            }
            "textDocument/prepareRename" => {
                let p: TextDocumentPositionParams = params(req.params)?;
                let key = self.refresh(&p.text_document.uri);
                json(serde_json::to_value(rename::prepare(
                    &self.ws, &key, p.position,
                )))
            }
            "textDocument/rename" => {
                let p: RenameParams = params(req.params)?;
                let at = p.text_document_position;
                let key = self.refresh(&at.text_document.uri);
                match rename::rename(&self.ws, &key, at.position, &p.new_name) {
                    Ok(edit) => json(serde_json::to_value(edit)),
                    Err(message) => Err(error(ErrorCode::RequestFailed, message)),
                }
            }
            "textDocument/completion" => {
                let p: lsp_types::CompletionParams = params(req.params)?;
                let at = p.text_document_position;
                let key = convert::key_of(&at.text_document.uri);
                json(serde_json::to_value(completion::completion(
                    &self.ws,
                    &key,
                    at.position,
                )))
            }
            "textDocument/documentSymbol" => {
                let p: DocumentSymbolParams = params(req.params)?;
                let key = convert::key_of(&p.text_document.uri);
                json(serde_json::to_value(symbols::symbols(&self.ws, &key)))
            }
            "textDocument/formatting" => {
                let p: lsp_types::DocumentFormattingParams = params(req.params)?;
                let key = convert::key_of(&p.text_document.uri);
                json(serde_json::to_value(formatting::formatting(&self.ws, &key)))
            }
            other => Err(error(
                ErrorCode::MethodNotFound,
                format!("`{other}` is not supported"),
            )),
        }
    }
}

fn error(code: ErrorCode, message: String) -> ResponseError {
    ResponseError {
        code: code as i32,
        message,
        data: None,
    }
}

fn params<P: DeserializeOwned>(value: Value) -> Result<P, ResponseError> {
    serde_json::from_value(value)
        .map_err(|e| error(ErrorCode::InvalidParams, format!("invalid parameters: {e}")))
}

fn parse<P: DeserializeOwned>(value: Value) -> Result<P, String> {
    serde_json::from_value(value).map_err(|e| format!("invalid parameters: {e}"))
}
