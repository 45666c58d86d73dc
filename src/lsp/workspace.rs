//! The server's model of the plans it serves, and their analysis.
//!
//! - A **document** is an open editor buffer or a `.events` file of a workspace
//!   folder; its text is cut into pieces at its declaration lines
//!   (`syntax::pieces`, the splitter `check` uses), here called *chunks*, each
//!   parsed on its own with its own [`FileId`] and cached until its text changes.
//! - A **group** is one plan: the files of a plan root (`crate::project`: an
//!   `eventsc.toml`, a directory where exactly one file declares `plan`, a file
//!   that is a plan of its own, or a file with no root, alone), as `eventsc
//!   check` reads them, open or not. Only plans with an open document are held
//!   ([`Workspace::sync`]); plans are never merged. A document that is not a
//!   file (`untitled:`) is a plan of its own.
//! - **Analysis** is the compiler's front end, the same code as `eventsc check`:
//!   [`check::analyse`] over the chunks' parses (what parsed, and the headers of
//!   what did not), so it reports what `check` reports for the same text. When an edit only changed the
//!   bodies of events, a *fast* analysis lowers the plan's other declarations,
//!   the changed events and a stub of every other event (its name, `status` and
//!   `replaced_by`), and replaces only the changed events' diagnostics; a full
//!   analysis follows when the client is idle or a request needs the plan (see
//!   `lsp/mod.rs`), and corrects whatever an event's change did to others.
//! - A chunk that stops parsing mid-edit is what `check` makes of it: its
//!   syntax error, and its keyword and name, so that references to it are not
//!   reported as unknown while it is being typed.

use crate::check;
use crate::diagnostics::{self, Diagnostic};
use crate::ir::Plan;
use crate::project::{self, Root};
use crate::source::{FileId, SourceFile};
use crate::syntax::{self, ast};
use lsp_types::Uri;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::convert;
use crate::syntax::pieces;
use std::ops::Range;

pub type DocKey = String;
pub type GroupKey = String;

/// One document: its text, line index and chunks.
pub struct Doc {
    pub uri: Uri,
    pub path: Option<PathBuf>,
    pub file: SourceFile,
    /// `Some` while the document is open in the editor.
    pub version: Option<i32>,
    pub chunks: Vec<Chunk>,
    pub group: GroupKey,
    /// What was last published for it.
    pub published: Option<Vec<lsp_types::Diagnostic>>,
}

impl Doc {
    /// The chunk holding a byte offset (the earlier one at a boundary).
    pub fn chunk_at(&self, offset: usize) -> Option<&Chunk> {
        let i = self.chunks.partition_point(|c| c.end < offset);
        self.chunks.get(i.min(self.chunks.len().saturating_sub(1)))
    }
}

/// A top-level declaration of a document (see `chunks`).
#[derive(Clone, Copy, Debug)]
pub struct Chunk {
    pub start: usize,
    pub end: usize,
    pub file: FileId,
}

/// The parse of one chunk.
pub struct Parsed {
    pub text: String,
    /// The line after the chunk (the next declaration's first line), parsed
    /// with it when it does not parse (see `syntax::pieces::parse_piece`).
    lookahead: String,
    pub ast: Option<Arc<ast::File>>,
    pub syntax: Vec<Diagnostic>,
    /// When the text does not parse: the declaration's keyword and name.
    broken: Option<syntax::BrokenDecl>,
    /// When the text does not parse: the AST of the chunk it replaced, which
    /// completion reads names from while a declaration is being typed (never
    /// analysed: its spans point into a chunk that no longer exists).
    last_good: Option<Arc<ast::File>>,
    /// Every part of the chunk is accounted for (see `PieceParse::complete`).
    complete: bool,
    stub: Option<Arc<ast::File>>,
}

impl Parsed {
    /// The event name when the chunk is exactly one `event` declaration.
    fn event_name(&self) -> Option<&str> {
        match self.ast.as_deref()?.decls.as_slice() {
            [d] if d.kind.text == "event" => match &d.name {
                Some(ast::DeclName::Str(s)) => Some(&s.value),
                _ => None,
            },
            _ => None,
        }
    }
}

/// The result of analysing a group.
pub struct Analysis {
    /// The plan of the last full analysis.
    pub plan: Plan,
    /// Every diagnostic of the group, current.
    pub diagnostics: Vec<Diagnostic>,
    /// Every chunk parsed, so the rules ran.
    pub complete: bool,
    /// False after a fast analysis: `plan` lags behind the text.
    pub plan_current: bool,
}

#[derive(Default)]
pub struct Group {
    pub docs: BTreeSet<DocKey>,
    pub analysis: Option<Analysis>,
    /// Chunks removed since the last analysis, with their event name if they
    /// were a single event.
    removed: Vec<(FileId, Option<String>)>,
    /// Chunks added since the last analysis.
    added: Vec<FileId>,
    /// Something changed since the last analysis.
    pub dirty: bool,
    /// Counts changes, so that a full analysis made on another thread can tell
    /// whether it is still about the current text.
    generation: u64,
}

/// The inputs of a full analysis (see [`Workspace::full_job`]).
pub struct FullJob {
    pub group: GroupKey,
    generation: u64,
    files: Vec<(FileId, Arc<ast::File>)>,
    broken: Vec<syntax::BrokenDecl>,
    syntax: Vec<Diagnostic>,
    complete: bool,
}

/// A finished full analysis.
pub struct FullDone {
    pub group: GroupKey,
    generation: u64,
    analysis: Analysis,
}

impl FullJob {
    /// Runs the front end: the same code as `eventsc check` after parsing.
    pub fn run(self) -> FullDone {
        let parsed = check::Parsed {
            files: self
                .files
                .iter()
                .map(|(id, f)| (*id, std::borrow::Cow::Borrowed(f.as_ref())))
                .collect(),
            broken: self.broken,
            complete: self.complete,
            diagnostics: self.syntax,
        };
        let parsed_ok = parsed.ok();
        let (plan, diags) = check::analyse(parsed, &check::Options::default());
        FullDone {
            group: self.group,
            generation: self.generation,
            analysis: Analysis {
                plan,
                diagnostics: diags,
                complete: parsed_ok,
                plan_current: true,
            },
        }
    }
}

/// Which analysis ran (for tests and the log).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Fast,
    Full,
}

#[derive(Default)]
pub struct Workspace {
    /// The plan root of each file seen (see [`Workspace::sync`]).
    roots: HashMap<PathBuf, Root>,
    /// The plan root of each group of files.
    group_roots: HashMap<GroupKey, Root>,
    pub docs: BTreeMap<DocKey, Doc>,
    pub groups: BTreeMap<GroupKey, Group>,
    pub parsed: HashMap<FileId, Parsed>,
    /// Where each live chunk is: its document and its start offset.
    pub locations: HashMap<FileId, (DocKey, usize)>,
    next_file: u32,
}

impl Workspace {
    pub fn new() -> Workspace {
        Workspace {
            // FileId(0) is what `Span::default()` points at: never a chunk.
            next_file: 1,
            ..Workspace::default()
        }
    }

    /// The group a document belongs to: its plan (see [`crate::project`]), or
    /// for a document that is not a file, the document alone.
    fn group_of(&mut self, key: &str, path: Option<&Path>) -> GroupKey {
        let Some(path) = path else {
            return key.to_string();
        };
        if let Some(root) = self.roots.get(path) {
            return root.key();
        }
        let root = project::root_of_file(path);
        let g = root.key();
        self.roots.insert(path.to_path_buf(), root.clone());
        self.group_roots.insert(g.clone(), root);
        g
    }

    /// The plan root of a group, if it is a plan of files.
    pub fn root_of_group(&self, group: &str) -> Option<&Root> {
        self.group_roots.get(group)
    }

    /// Forgets which plan each file belongs to (files, manifests or `plan`
    /// declarations changed on disk); [`Workspace::sync`] works it out again.
    pub fn forget_roots(&mut self) {
        self.roots.clear();
    }

    /// Makes the documents held those of the plans with an open document:
    /// each open document's plan is read from disk (its files not open), a
    /// document that moved to another plan is moved, and the documents of plans
    /// with no open document are dropped. Returns the URIs of the documents
    /// dropped (their diagnostics are to be cleared).
    pub fn sync(&mut self) -> Vec<Uri> {
        let open: Vec<(DocKey, Option<PathBuf>)> = self
            .docs
            .iter()
            .filter(|(_, d)| d.version.is_some())
            .map(|(k, d)| (k.clone(), d.path.clone()))
            .collect();
        let mut home: HashMap<DocKey, GroupKey> = HashMap::new();
        let mut members: BTreeMap<PathBuf, GroupKey> = BTreeMap::new();
        let mut done: BTreeSet<GroupKey> = BTreeSet::new();
        for (key, path) in &open {
            let g = self.group_of(key, path.as_deref());
            home.insert(key.clone(), g.clone());
            if !done.insert(g.clone()) {
                continue;
            }
            let Some(root) = self.group_roots.get(&g).cloned() else {
                continue;
            };
            let mut files = project::files_of(&root).unwrap_or_else(|e| {
                super::transport::log(&e);
                path.iter().cloned().collect()
            });
            if files.len() > MAX_FILES {
                super::transport::log(&format!(
                    "the plan at {} has more than {MAX_FILES} `.events` files: reading the first {MAX_FILES}",
                    root.path().display()
                ));
                files.truncate(MAX_FILES);
            }
            for f in files {
                self.roots.insert(f.clone(), root.clone());
                members.insert(f, g.clone());
            }
        }
        // Documents whose plan changed, or that no open plan holds.
        let mut dropped = Vec::new();
        let mut reopen = Vec::new();
        let keys: Vec<DocKey> = self.docs.keys().cloned().collect();
        for key in keys {
            let Some(doc) = self.docs.get(&key) else {
                continue;
            };
            let want = home
                .get(&key)
                .or_else(|| doc.path.as_ref().and_then(|p| members.get(p)));
            if want == Some(&doc.group) {
                continue;
            }
            let open = doc.version.is_some();
            let wanted = want.is_some();
            let Some(doc) = self.remove(&key) else {
                continue;
            };
            if open {
                reopen.push(doc);
            } else if !wanted {
                dropped.push(doc.uri);
            }
        }
        for doc in reopen {
            let text = doc.file.text.clone();
            self.set_text(doc.uri, doc.path, text, doc.version, None);
        }
        // The files of open plans not read yet.
        for path in members.keys() {
            let known =
                convert::uri_of(path).is_some_and(|u| self.docs.contains_key(&convert::key_of(&u)));
            if !known {
                self.load_file(path);
            }
        }
        dropped
    }

    /// (Re)reads a file from disk, unless it is open in the editor.
    pub fn load_file(&mut self, path: &Path) {
        let Some(uri) = convert::uri_of(path) else {
            return;
        };
        let key = convert::key_of(&uri);
        if self.docs.get(&key).is_some_and(|d| d.version.is_some()) {
            return;
        }
        // Not a FIFO or a device (it would block the server), bounded in size.
        let Ok(bytes) = crate::load::read_source(path) else {
            return;
        };
        let (file, problem) =
            crate::load::decode(path.display().to_string(), Some(path.to_path_buf()), bytes);
        let unreadable = problem.map(|make| make(FileId(0)));
        self.set_text(uri, Some(path.to_path_buf()), file.text, None, unreadable);
    }

    /// Sets a document's text (opening or creating it) and re-chunks it.
    /// `unreadable` is the load diagnostic of a file that is not UTF-8.
    pub fn set_text(
        &mut self,
        uri: Uri,
        path: Option<PathBuf>,
        text: String,
        version: Option<i32>,
        unreadable: Option<Diagnostic>,
    ) {
        let key = convert::key_of(&uri);
        let group = self.group_of(&key, path.as_deref());
        let old_chunks = match self.docs.get_mut(&key) {
            Some(doc) => {
                doc.version = version;
                doc.file = SourceFile::new(doc.file.name.clone(), doc.path.clone(), text);
                std::mem::take(&mut doc.chunks)
            }
            None => {
                let name = path
                    .as_ref()
                    .map_or_else(|| uri.as_str().to_string(), |p| p.display().to_string());
                self.docs.insert(
                    key.clone(),
                    Doc {
                        uri,
                        path: path.clone(),
                        file: SourceFile::new(name, path, text),
                        version,
                        chunks: Vec::new(),
                        group: group.clone(),
                        published: None,
                    },
                );
                Vec::new()
            }
        };
        let g = self.groups.entry(group).or_default();
        g.docs.insert(key.clone());
        g.dirty = true;
        g.generation += 1;
        let Some(doc) = self.docs.get(&key) else {
            return;
        };
        let pieces = if unreadable.is_some() {
            std::iter::once(0..doc.file.text.len()).collect()
        } else {
            pieces::ranges(&doc.file.text)
        };
        let n = old_chunks.len();
        self.replace_chunks(&key, old_chunks, 0, n, pieces, 0, unreadable);
    }

    /// Applies an edit to an open document: replaces the bytes `start..end`
    /// (clamped to the text), then re-splits and re-parses only the chunks
    /// around the edit.
    pub fn edit(&mut self, key: &str, start: usize, end: usize, new_text: &str) {
        let Some(doc) = self.docs.get_mut(key) else {
            return;
        };
        let text = &doc.file.text;
        let start = crate::source::floor_char_boundary(text, start.min(text.len()));
        let end = crate::source::floor_char_boundary(text, end.clamp(start, text.len()));
        doc.file.replace(start, end, new_text);
        let old_ranges: Vec<std::ops::Range<usize>> =
            doc.chunks.iter().map(|c| c.start..c.end).collect();
        let (first, last, pieces) =
            pieces::resplit(&doc.file.text, &old_ranges, start, end, new_text.len());
        let delta = new_text.len() as i64 - (end - start) as i64;
        let old = std::mem::take(&mut doc.chunks);
        if let Some(g) = self.groups.get_mut(&doc.group) {
            g.dirty = true;
            g.generation += 1;
        }
        self.replace_chunks(key, old, first, last, pieces, delta, None);
    }

    /// Records the version of a document after its `edit`s.
    pub fn edited(&mut self, key: &str, version: Option<i32>) {
        if let Some(doc) = self.docs.get_mut(key) {
            doc.version = version;
        }
    }

    /// Removes a document (closed and not part of a folder, or deleted).
    pub fn remove(&mut self, key: &str) -> Option<Doc> {
        let doc = self.docs.remove(key)?;
        let group_key = doc.group.clone();
        for c in &doc.chunks {
            self.drop_chunk(&group_key, c.file);
        }
        if let Some(g) = self.groups.get_mut(&group_key) {
            g.docs.remove(key);
            g.dirty = true;
            g.generation += 1;
            if g.docs.is_empty() {
                self.groups.remove(&group_key);
            }
        }
        Some(doc)
    }

    fn drop_chunk(&mut self, group: &str, id: FileId) {
        self.locations.remove(&id);
        let name = self
            .parsed
            .get(&id)
            .and_then(Parsed::event_name)
            .map(str::to_string);
        self.parsed.remove(&id);
        if let Some(g) = self.groups.get_mut(group) {
            if let Some(i) = g.added.iter().position(|a| *a == id) {
                g.added.swap_remove(i);
            } else {
                g.removed.push((id, name));
            }
        }
    }

    /// Replaces the chunks `first..last` of a document (`old` are its chunks
    /// before the change) with `pieces` of its current text, and shifts the
    /// chunks after them by `delta`. A piece whose text is that of a replaced
    /// chunk keeps that chunk's parse and file (when that chunk did not parse,
    /// only if the line after it is also the same); the others are parsed.
    #[allow(clippy::too_many_arguments)]
    fn replace_chunks(
        &mut self,
        key: &str,
        old: Vec<Chunk>,
        first: usize,
        last: usize,
        pieces: Vec<Range<usize>>,
        delta: i64,
        unreadable: Option<Diagnostic>,
    ) {
        let Some(doc) = self.docs.get(key) else {
            return;
        };
        let group = doc.group.clone();
        let text = doc.file.text.as_str();
        let lookahead = |r: &Range<usize>| -> &str {
            let rest = &text[r.end..];
            &rest[..rest.find('\n').map_or(rest.len(), |i| i + 1)]
        };
        let (first, last) = (
            first.min(old.len()),
            last.clamp(first.min(old.len()), old.len()),
        );
        let replaced = &old[first..last];
        // Replaced chunks by what was parsed, to reuse.
        let mut by_text: HashMap<&str, Vec<FileId>> = HashMap::new();
        if unreadable.is_none() {
            for c in replaced.iter().rev() {
                if let Some(p) = self.parsed.get(&c.file) {
                    by_text.entry(p.text.as_str()).or_default().push(c.file);
                }
            }
        }
        let mut middle = Vec::with_capacity(pieces.len());
        let mut added = Vec::new();
        let mut new_parsed = Vec::new();
        for piece in &pieces {
            let r = piece.clone();
            let reuse = by_text.get_mut(&text[r.clone()]).and_then(|ids| {
                let i = ids.iter().rposition(|id| {
                    self.parsed
                        .get(id)
                        .is_some_and(|p| p.ast.is_some() || p.lookahead == lookahead(piece))
                })?;
                Some(ids.remove(i))
            });
            let id = match reuse {
                Some(id) => id,
                None => {
                    let id = FileId(self.next_file);
                    self.next_file = self.next_file.wrapping_add(1).max(1);
                    new_parsed.push((
                        id,
                        parse_chunk(id, &text[r.clone()], lookahead(piece), unreadable.as_ref()),
                    ));
                    added.push(id);
                    id
                }
            };
            middle.push(Chunk {
                start: r.start,
                end: r.end,
                file: id,
            });
        }
        drop(by_text);
        self.parsed.extend(new_parsed);
        let kept: BTreeSet<FileId> = middle.iter().map(|c| c.file).collect();
        let removed: Vec<FileId> = replaced
            .iter()
            .map(|c| c.file)
            .filter(|f| !kept.contains(f))
            .collect();
        // A chunk that stopped parsing keeps the AST of the one it replaced, for
        // completion only (the analysis is `check`'s): the removed chunk that
        // started at the same place (an edit inside a declaration does not
        // move its start), or the only one removed.
        if unreadable.is_none() {
            for c in middle.iter().filter(|c| added.contains(&c.file)) {
                if self.parsed.get(&c.file).is_none_or(|p| p.ast.is_some()) {
                    continue;
                }
                let replaced_by_start = replaced
                    .iter()
                    .find(|o| o.start == c.start && removed.contains(&o.file))
                    .map(|o| o.file)
                    .or_else(|| (removed.len() == 1 && added.len() == 1).then(|| removed[0]));
                let last_good = replaced_by_start.and_then(|r| {
                    let p = self.parsed.get(&r)?;
                    p.ast.clone().or_else(|| p.last_good.clone())
                });
                if let Some(p) = self.parsed.get_mut(&c.file) {
                    p.last_good = last_good;
                }
            }
        }
        for id in removed {
            self.drop_chunk(&group, id);
        }
        let shift = |c: &Chunk| Chunk {
            start: (c.start as i64 + delta) as usize,
            end: (c.end as i64 + delta) as usize,
            file: c.file,
        };
        let mut chunks: Vec<Chunk> = Vec::with_capacity(first + middle.len() + old.len() - last);
        chunks.extend_from_slice(&old[..first]);
        chunks.extend(middle.iter().copied());
        chunks.extend(old[last..].iter().map(shift));
        let moved = if delta == 0 {
            &chunks[first..first + middle.len()]
        } else {
            &chunks[first..]
        };
        for c in moved {
            self.locations.insert(c.file, (key.to_string(), c.start));
        }
        if let Some(g) = self.groups.get_mut(&group) {
            g.added.extend(added);
        }
        if let Some(doc) = self.docs.get_mut(key) {
            doc.chunks = chunks;
        }
    }

    /// Analyses every group that changed; returns which ran, per group.
    pub fn analyze_dirty(&mut self) -> Vec<(GroupKey, Kind)> {
        let dirty: Vec<GroupKey> = self
            .groups
            .iter()
            .filter(|(_, g)| g.dirty)
            .map(|(k, _)| k.clone())
            .collect();
        dirty
            .into_iter()
            .map(|k| {
                let kind = self.analyze(&k, false);
                (k, kind)
            })
            .collect()
    }

    /// Whether some group's plan lags behind its text (after a fast analysis).
    pub fn needs_full(&self) -> bool {
        self.groups
            .values()
            .any(|g| g.analysis.as_ref().is_some_and(|a| !a.plan_current))
    }

    /// The groups whose plan lags behind their text.
    pub fn lagging(&self) -> Vec<GroupKey> {
        self.groups
            .iter()
            .filter(|(_, g)| g.dirty || g.analysis.as_ref().is_some_and(|a| !a.plan_current))
            .map(|(k, _)| k.clone())
            .collect()
    }

    /// Makes the plan of a document's group current (for requests that need it).
    pub fn ensure_current(&mut self, key: &str) -> Option<GroupKey> {
        let group = self.docs.get(key)?.group.clone();
        let g = self.groups.get(&group)?;
        if g.dirty || g.analysis.as_ref().is_none_or(|a| !a.plan_current) {
            self.analyze(&group, true);
            return Some(group);
        }
        None
    }

    /// Analyses a group: fast when possible (and `full` is not asked), else full.
    pub fn analyze(&mut self, key: &str, full: bool) -> Kind {
        let unchanged = self
            .groups
            .get(key)
            .is_some_and(|g| g.added.is_empty() && g.removed.is_empty() && g.analysis.is_some());
        let kind = if !full && (unchanged || self.try_fast(key)) {
            Kind::Fast
        } else {
            self.full(key);
            Kind::Full
        };
        if let Some(g) = self.groups.get_mut(key) {
            g.dirty = false;
            g.removed.clear();
            g.added.clear();
        }
        kind
    }

    /// The chunks of a group in document order (documents sorted by key).
    fn group_chunks(&self, key: &str) -> Vec<FileId> {
        let Some(g) = self.groups.get(key) else {
            return Vec::new();
        };
        g.docs
            .iter()
            .filter_map(|d| self.docs.get(d))
            .flat_map(|d| d.chunks.iter().map(|c| c.file))
            .collect()
    }

    fn full(&mut self, key: &str) {
        if let Some(job) = self.full_job(key) {
            self.apply_full(job.run());
        }
    }

    /// What the full analysis of a group needs, detached from the workspace so
    /// that it can run on another thread while edits keep coming.
    pub fn full_job(&self, key: &str) -> Option<FullJob> {
        let g = self.groups.get(key)?;
        let mut job = FullJob {
            group: key.to_string(),
            generation: g.generation,
            files: Vec::new(),
            broken: Vec::new(),
            syntax: Vec::new(),
            complete: true,
        };
        for doc in g.docs.iter().filter_map(|d| self.docs.get(d)) {
            for c in &doc.chunks {
                let Some(p) = self.parsed.get(&c.file) else {
                    continue;
                };
                job.syntax.extend(p.syntax.iter().cloned());
                if let Some(ast) = &p.ast {
                    job.files.push((c.file, ast.clone()));
                }
                job.broken.extend(p.broken.iter().cloned());
                // As `syntax::parse_file` has it: a file that is one
                // declaration that does not parse is not complete.
                job.complete &= p.complete && (p.ast.is_some() || doc.chunks.len() > 1);
            }
        }
        Some(job)
    }

    /// Installs the result of a full analysis, unless the group changed since
    /// its job was made (then it is stale: the fast analysis of the change is
    /// there, and another full one will follow). Returns whether it was used.
    pub fn apply_full(&mut self, done: FullDone) -> bool {
        let Some(g) = self.groups.get_mut(&done.group) else {
            return false;
        };
        if g.generation != done.generation {
            return false;
        }
        g.analysis = Some(done.analysis);
        true
    }

    /// The fast analysis, when the change since the last analysis only touched
    /// event bodies (same event names). Returns whether it ran.
    fn try_fast(&mut self, key: &str) -> bool {
        let Some(g) = self.groups.get(key) else {
            return false;
        };
        let Some(prev) = &g.analysis else {
            return false;
        };
        if !prev.complete || (g.added.is_empty() && g.removed.is_empty()) {
            return false;
        }
        let mut removed_names = Vec::new();
        for (_, name) in &g.removed {
            match name {
                Some(n) => removed_names.push(n.as_str()),
                None => return false,
            }
        }
        let mut added_names = Vec::new();
        for id in &g.added {
            match self.parsed.get(id).and_then(Parsed::event_name) {
                Some(n) => added_names.push(n),
                None => return false,
            }
        }
        removed_names.sort_unstable();
        added_names.sort_unstable();
        if removed_names != added_names {
            return false;
        }
        let added: BTreeSet<FileId> = g.added.iter().copied().collect();
        let removed: BTreeSet<FileId> = g.removed.iter().map(|(id, _)| *id).collect();
        let ids = self.group_chunks(key);
        // Stubs for the events that did not change.
        for id in &ids {
            if added.contains(id) {
                continue;
            }
            if let Some(p) = self.parsed.get_mut(id)
                && p.stub.is_none()
                && let Some(stub) = stub_of(p.ast.as_deref())
            {
                p.stub = Some(Arc::new(stub));
            }
        }
        let mut files = Vec::with_capacity(ids.len());
        let mut syntax = Vec::new();
        for id in &ids {
            let Some(p) = self.parsed.get(id) else {
                continue;
            };
            let Some(ast) = &p.ast else {
                return false;
            };
            let lowered = match &p.stub {
                _ if added.contains(id) => {
                    syntax.extend(p.syntax.iter().cloned());
                    ast
                }
                Some(stub) => stub,
                None => ast,
            };
            files.push((*id, std::borrow::Cow::Borrowed(lowered.as_ref())));
        }
        let parsed = check::Parsed {
            files,
            broken: Vec::new(),
            complete: true,
            diagnostics: syntax,
        };
        let (_, lowered) = check::analyse(parsed, &check::Options::default());
        let Some(g) = self.groups.get_mut(key) else {
            return false;
        };
        let Some(analysis) = g.analysis.as_mut() else {
            return false;
        };
        let primary_file = |d: &Diagnostic| d.primary_span().map(|s| s.file);
        let mut diags: Vec<Diagnostic> = std::mem::take(&mut analysis.diagnostics)
            .into_iter()
            .filter(|d| {
                primary_file(d).is_none_or(|f| !removed.contains(&f) && !added.contains(&f))
            })
            .collect();
        // The syntax diagnostics of the added chunks are among `lowered`.
        diags.extend(
            lowered
                .into_iter()
                .filter(|d| primary_file(d).is_some_and(|f| added.contains(&f))),
        );
        diagnostics::sort(&mut diags);
        analysis.diagnostics = diags;
        analysis.plan_current = false;
        true
    }

    /// The document and byte offset of a span's start and end, if its chunk is live.
    pub fn locate(&self, span: crate::source::Span) -> Option<(&Doc, usize, usize)> {
        let (key, start) = self.locations.get(&span.file)?;
        let doc = self.docs.get(key)?;
        let s = start + span.start as usize;
        let e = start + span.end as usize;
        (e <= doc.file.text.len()).then_some((doc, s, e))
    }

    /// The chunk's file and the offset inside it of a document offset.
    pub fn file_offset(&self, key: &str, offset: usize) -> Option<(FileId, usize)> {
        let doc = self.docs.get(key)?;
        let c = doc.chunk_at(offset)?;
        Some((c.file, offset.saturating_sub(c.start)))
    }

    /// The analysis of a document's group.
    pub fn analysis_of(&self, key: &str) -> Option<&Analysis> {
        let doc = self.docs.get(key)?;
        self.groups.get(&doc.group)?.analysis.as_ref()
    }

    /// The ASTs of a group's chunks, the last good one of a chunk that does not
    /// parse: for completion, which needs names, not an analysis.
    pub fn group_asts(&self, group: &str) -> Vec<&ast::File> {
        self.group_chunks(group)
            .into_iter()
            .filter_map(|id| {
                let p = self.parsed.get(&id)?;
                p.ast.as_deref().or(p.last_good.as_deref())
            })
            .collect()
    }
}

/// At most this many files of one plan are read (a plan root high above the
/// file opened must not make the server read the whole disk).
pub const MAX_FILES: usize = 5000;

/// Parses one chunk as `check` parses a piece (with the line after it, see
/// `syntax::pieces::parse_piece`).
fn parse_chunk(id: FileId, text: &str, lookahead: &str, unreadable: Option<&Diagnostic>) -> Parsed {
    if let Some(d) = unreadable {
        return Parsed {
            text: text.to_string(),
            lookahead: String::new(),
            ast: None,
            syntax: vec![relocate(d.clone(), id)],
            broken: None,
            last_good: None,
            complete: false,
            stub: None,
        };
    }
    let p = if lookahead.is_empty() {
        pieces::parse_piece(id, text, 0, text.len())
    } else {
        pieces::parse_piece(id, &format!("{text}{lookahead}"), 0, text.len())
    };
    Parsed {
        text: text.to_string(),
        lookahead: lookahead.to_string(),
        complete: p.complete(),
        ast: p.file.map(Arc::new),
        syntax: p.diagnostics,
        broken: p.broken,
        last_good: None,
        stub: None,
    }
}

/// An event's stand-in for the fast analysis: its name, `status` and
/// `replaced_by` (what other events' rules read of it).
fn stub_of(ast: Option<&ast::File>) -> Option<ast::File> {
    let ast = ast?;
    let [d] = ast.decls.as_slice() else {
        return None;
    };
    if d.kind.text != "event" {
        return None;
    }
    let items = d
        .block
        .items
        .iter()
        .filter(|i| {
            matches!(i, ast::Item::Field(f) if f.key.text == "status" || f.key.text == "replaced_by")
        })
        .cloned()
        .collect();
    Some(ast::File {
        decls: vec![ast::Decl {
            kind: d.kind.clone(),
            name: d.name.clone(),
            block: ast::Block {
                items,
                span: d.block.span,
            },
            span: d.span,
        }],
    })
}

/// Moves a diagnostic's labels to another file (for the load error of a file
/// that is not UTF-8, made before its chunk existed).
fn relocate(mut d: Diagnostic, file: FileId) -> Diagnostic {
    for l in &mut d.labels {
        l.span.file = file;
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    /// Edits applied one at a time leave the same text, line index and chunks
    /// as loading the result from scratch.
    #[test]
    fn incremental_edits_agree_with_a_fresh_load() {
        let base = "plan \"P\" {\n  owner @a\n}\n\nowner @a { name \"A\" }\nevent \"E\" {\n  description \"é😀\"\n  owner @a\n  x: string\n}\n";
        let edits: &[(usize, usize, &str)] = &[
            (0, 0, "// head\n"),
            (30, 31, "{"),
            (40, 40, "\n\n"),
            (5, 20, ""),
            (0, 0, "event \"F\" {\n}\n"),
            (60, 62, "\"unterminated\n"),
        ];
        let uri = Uri::from_str("untitled:x").expect("uri");
        let mut ws = Workspace::new();
        ws.set_text(uri.clone(), None, base.to_string(), Some(1), None);
        let key = convert::key_of(&uri);
        let mut text = base.to_string();
        for &(s, e, new) in edits {
            let s = crate::source::floor_char_boundary(&text, s.min(text.len()));
            let e = crate::source::floor_char_boundary(&text, e.clamp(s, text.len()));
            text.replace_range(s..e, new);
            ws.edit(&key, s, e, new);
            let doc = &ws.docs[&key];
            assert_eq!(doc.file.text, text);
            let fresh = SourceFile::new("x", None, text.clone());
            for o in 0..=text.len() {
                assert_eq!(doc.file.utf16_position(o), fresh.utf16_position(o), "{o}");
            }
            let ranges: Vec<_> = doc.chunks.iter().map(|c| c.start..c.end).collect();
            let want = pieces::ranges(&text);
            assert_eq!(ranges, want);
            for c in &doc.chunks {
                assert_eq!(ws.parsed[&c.file].text, text[c.start..c.end]);
                assert_eq!(ws.locations[&c.file].1, c.start);
            }
            ws.analyze(&doc.group.clone(), false);
        }
    }

    /// `line:col code message` of every diagnostic, as `check` reports a text.
    fn check_summary(text: &str) -> Vec<String> {
        let (sources, checked) = crate::check::check_text("x", text);
        let mut v: Vec<String> = checked
            .diagnostics
            .iter()
            .map(|d| {
                let s = d.primary_span().expect("span");
                let (l, c) = sources.get(s.file).utf16_position(s.start as usize);
                format!("{l}:{c} {} {}", d.code, d.message)
            })
            .collect();
        v.sort();
        v
    }

    fn lsp_summary(ws: &Workspace, group: &str) -> Vec<String> {
        let mut v: Vec<String> = ws.groups[group]
            .analysis
            .as_ref()
            .expect("analysed")
            .diagnostics
            .iter()
            .filter_map(|d| {
                let (doc, s, _) = ws.locate(d.primary_span()?)?;
                let (l, c) = doc.file.utf16_position(s);
                Some(format!("{l}:{c} {} {}", d.code, d.message))
            })
            .collect();
        v.sort();
        v
    }

    /// Seeded random edits, each analysed, then undone unless the text still
    /// parses (a third of those are kept): whenever the text parses, the full
    /// analysis reports exactly what `eventsc check` reports.
    #[test]
    fn random_edits_keep_the_analysis_equal_to_check() {
        let base = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/spec/full-example.events"
        ))
        .expect("fixture");
        let snippets = [
            "",
            "x",
            "{",
            "}",
            "\"",
            "\n",
            " ",
            "@",
            ":",
            ";",
            "(",
            "event \"Q\" {\n}\n",
            "  owner @nobody\n",
            "// c\n",
        ];
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let uri = Uri::from_str("untitled:plan").expect("uri");
        let key = convert::key_of(&uri);
        let mut ws = Workspace::new();
        ws.set_text(uri, None, base.clone(), Some(1), None);
        let group = ws.docs[&key].group.clone();
        ws.analyze(&group, false);
        let mut text = base;
        let mut compared = 0;
        for _ in 0..300 {
            let start = crate::source::floor_char_boundary(&text, next(text.len() + 1));
            let end = crate::source::floor_char_boundary(&text, (start + next(4)).min(text.len()));
            let insert = snippets[next(snippets.len())];
            let removed = text[start..end].to_string();
            text.replace_range(start..end, insert);
            ws.edit(&key, start, end, insert);
            ws.analyze(&group, false);
            // Keep the edit now and then when the text still parses, else undo it.
            let parses = crate::syntax::parse(FileId(0), &text, 0).file.is_some();
            if !(parses && next(3) == 0) {
                text.replace_range(start..start + insert.len(), &removed);
                ws.edit(&key, start, start + insert.len(), &removed);
                ws.analyze(&group, false);
            }
            assert_eq!(ws.docs[&key].file.text, text);
            if crate::syntax::parse(FileId(0), &text, 0).file.is_some() {
                ws.analyze(&group, true);
                assert_eq!(lsp_summary(&ws, &group), check_summary(&text), "{text}");
                compared += 1;
            }
        }
        assert!(compared > 50, "only {compared} comparisons");
    }
}
