//! The front end as one pipeline: parse → lower → rules.
//!
//! Every command that needs a plan goes through [`check_with`] (`check`, `build`,
//! `validate`, `init` and `import` with the default [`Options`], `diff` and the
//! audit without the rules); the language server, which keeps its own parsed
//! pieces, enters after parsing with [`analyse`]. So they all report the same
//! diagnostics for the same text.
//!
//! 1. **Parse**: every file is cut into pieces at its declaration lines
//!    (`syntax::pieces`, the one splitter) and each piece is parsed on its own; a
//!    piece that does not parse gets its syntax error and, when its header reads,
//!    becomes a `syntax::BrokenDecl` (references to it are not errors).
//! 2. **Lower**: `ir::lower::lower`, the one lowering entry, over the parsed
//!    declarations.
//! 3. **Rules**: when every file parsed and [`Options::rules`] is on; findings
//!    inside a declaration that already has an error are held back.
//!
//! With [`Options::streaming`] (the default) a plan is never held as a whole
//! syntax tree: events are parsed on worker threads while earlier ones are
//! lowered, each tree freed once lowered. When a piece does not parse into the
//! declaration its first line announced, the plan is parsed first instead, so
//! the result is always the one of steps 1–3.

use crate::diagnostics::{self, Diagnostic};
use crate::ir::{self, Plan};
use crate::source::{FileId, SourceMap, Span};
use crate::syntax::{self, ast, pieces};
use std::borrow::Cow;

/// How to run the front end.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Run the governance rules (`diff` and the audit need the plan's meaning,
    /// not its lint findings).
    pub rules: bool,
    /// Parse events while earlier ones are lowered, so the whole syntax tree is
    /// never held (the result is the same either way).
    pub streaming: bool,
    /// Threads that parse (0: one per core). Files, and events, are parsed in
    /// parallel only above `syntax::pieces::PARALLEL_BYTES`.
    pub threads: usize,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            rules: true,
            streaming: true,
            threads: 0,
        }
    }
}

impl Options {
    /// The plan's meaning only: no governance rules.
    pub(crate) fn without_rules() -> Options {
        Options {
            rules: false,
            ..Options::default()
        }
    }

    fn threads(&self) -> usize {
        match self.threads {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        }
    }
}

/// The result of checking a plan.
pub struct Checked {
    /// The plan, when every file parsed (it may still have resolution errors).
    pub plan: Option<Plan>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Checked {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// The plan, if it has no errors.
    pub fn ok(&self) -> Option<&Plan> {
        if self.has_errors() {
            None
        } else {
            self.plan.as_ref()
        }
    }

    /// The plan if it has no errors, else the diagnostics to report.
    pub fn into_ok(self) -> Result<Plan, Vec<Diagnostic>> {
        match self.plan {
            Some(plan) if !self.has_errors() => Ok(plan),
            _ => Err(self.diagnostics),
        }
    }

    /// The plan if it has no errors, else only the errors (for `diff`, which
    /// reports what stops a side from being compared).
    pub(crate) fn into_plan_or_errors(self) -> Result<Plan, Vec<Diagnostic>> {
        self.into_ok().map_err(|mut d| {
            d.retain(Diagnostic::is_error);
            d
        })
    }
}

/// Checks a plan with the default [`Options`]. `pre` are diagnostics from
/// loading (undecodable files), whose files are not parsed.
pub fn check(sources: &SourceMap, pre: Vec<Diagnostic>) -> Checked {
    check_with(sources, pre, &Options::default())
}

/// Checks source text held in memory (tests, `init`, `import`).
pub fn check_text(name: &str, text: &str) -> (SourceMap, Checked) {
    let mut sources = SourceMap::new();
    sources.add(crate::source::SourceFile::new(name, None, text.to_string()));
    let checked = check(&sources, Vec::new());
    (sources, checked)
}

/// The front end: parses, lowers and (with [`Options::rules`]) runs the rules.
pub fn check_with(sources: &SourceMap, pre: Vec<Diagnostic>, opts: &Options) -> Checked {
    if opts.streaming
        && pre.is_empty()
        && let Some(checked) = check_streamed(sources, opts)
    {
        return checked;
    }
    let skip: Vec<FileId> = pre
        .iter()
        .filter_map(Diagnostic::primary_span)
        .map(|s| s.file)
        .collect();
    let mut parsed = parse(sources, &skip, opts);
    let ok = parsed.ok();
    parsed.diagnostics.splice(0..0, pre);
    let (plan, diagnostics) = analyse(parsed, opts);
    Checked {
        plan: ok.then_some(plan),
        diagnostics,
    }
}

/// The files of a plan, parsed (step 1).
pub struct Parsed<'a> {
    /// Each file's declarations that parsed, borrowed (the language server keeps
    /// its trees) or owned (then each tree is freed as soon as it is lowered).
    pub(crate) files: Vec<(FileId, Cow<'a, ast::File>)>,
    /// The declarations that did not parse.
    pub(crate) broken: Vec<syntax::BrokenDecl>,
    /// False when some part of some file is not in `files` or `broken` (then a
    /// missing `plan` is not reported: it may be in that part).
    pub(crate) complete: bool,
    /// The syntax errors (and any diagnostics that came before).
    pub(crate) diagnostics: Vec<Diagnostic>,
}

impl Parsed<'_> {
    /// Whether every file parsed: then the rules run.
    pub(crate) fn ok(&self) -> bool {
        self.complete && self.broken.is_empty()
    }
}

/// Parses every file except `skip` (step 1), in parallel when there are several
/// or one is large.
pub fn parse<'a>(sources: &SourceMap, skip: &[FileId], opts: &Options) -> Parsed<'a> {
    let files: Vec<(FileId, &str)> = sources
        .files()
        .filter(|(id, _)| !skip.contains(id))
        .map(|(id, f)| (id, f.text.as_str()))
        .collect();
    let cores = opts.threads();
    let results: Vec<(FileId, syntax::Recovered)> = match files.as_slice() {
        [(id, text)] => vec![(
            *id,
            syntax::parse_file(*id, text, pieces::threads_for(text.len(), cores)),
        )],
        _ if cores <= 1 || files.len() <= 1 => files
            .iter()
            .map(|&(id, t)| (id, syntax::parse_file(id, t, 0)))
            .collect(),
        _ => {
            let chunk = files.len().div_ceil(cores.min(files.len()));
            std::thread::scope(|s| {
                let handles: Vec<_> = files
                    .chunks(chunk)
                    .map(|c| {
                        s.spawn(move || {
                            c.iter()
                                .map(|&(id, t)| (id, syntax::parse_file(id, t, 0)))
                                .collect::<Vec<_>>()
                        })
                    })
                    .collect();
                handles
                    .into_iter()
                    .flat_map(|h| h.join().unwrap_or_default())
                    .collect()
            })
        }
    };
    let mut parsed = Parsed {
        files: Vec::with_capacity(results.len()),
        broken: Vec::new(),
        complete: skip.is_empty(),
        diagnostics: Vec::new(),
    };
    for (id, r) in results {
        parsed.diagnostics.extend(r.diagnostics);
        parsed.complete &= r.complete;
        parsed.broken.extend(r.broken);
        parsed.files.push((id, Cow::Owned(r.file)));
    }
    parsed
}

/// Steps 2 and 3 on parsed files: the plan (lowered from what parsed) and every
/// diagnostic, `parsed.diagnostics` included, sorted. The rules run when
/// every file parsed and [`Options::rules`] is on.
pub fn analyse(parsed: Parsed<'_>, opts: &Options) -> (Plan, Vec<Diagnostic>) {
    let run_rules = opts.rules && parsed.ok();
    // A broken `plan` declaration still counts as the plan being there.
    let has_broken_plan = parsed.broken.iter().any(|b| b.kind.text == "plan");
    // Only the declarations' spans are needed after lowering (to hold back
    // findings inside declarations with errors).
    let decl_spans: Vec<(FileId, Vec<Span>)> = parsed
        .files
        .iter()
        .map(|(id, f)| (*id, f.decls.iter().map(|d| d.span).collect()))
        .collect();
    let rule_names = crate::rules::names();
    let change_kinds = crate::diff::kinds::names();
    let cx = ir::lower::Context {
        first_file: parsed.files.first().map(|(id, _)| *id),
        broken: &parsed.broken,
        complete: parsed.complete && !has_broken_plan,
        rule_names: &rule_names,
        change_kinds: &change_kinds,
    };
    let (plan, lowered) = ir::lower::lower(&mut ir::lower::Decls::new(parsed.files), &cx);
    let mut diagnostics = parsed.diagnostics;
    diagnostics.extend(lowered);
    if run_rules {
        let findings = rules(&plan, &decl_spans, &diagnostics);
        diagnostics.extend(findings);
    }
    diagnostics::sort(&mut diagnostics);
    (plan, diagnostics)
}

/// Runs the rules (step 3). Findings inside a declaration that already has an
/// error (in `earlier`) are held back: they are usually consequences of that
/// error (a misspelt `owner` field also means "no owner").
fn rules(
    plan: &Plan,
    decl_spans: &[(FileId, Vec<Span>)],
    earlier: &[Diagnostic],
) -> Vec<Diagnostic> {
    let with_errors: Vec<Span> = earlier
        .iter()
        .filter(|d| d.is_error())
        .filter_map(Diagnostic::primary_span)
        .filter_map(|s| decl_containing(decl_spans, s))
        .collect();
    crate::rules::run(plan)
        .into_iter()
        .filter(|d| {
            d.primary_span()
                .and_then(|s| decl_containing(decl_spans, s))
                .is_none_or(|decl| !with_errors.contains(&decl))
        })
        .collect()
}

/// The span of the top-level declaration holding `span`, if any.
fn decl_containing(decls: &[(FileId, Vec<Span>)], span: Span) -> Option<Span> {
    let (_, spans) = decls.iter().find(|(id, _)| *id == span.file)?;
    let i = spans.partition_point(|d| d.end < span.start);
    spans
        .get(i)
        .filter(|d| d.start <= span.start && span.end <= d.end)
        .copied()
}

/// A top-level declaration in [`check_streamed`]: parsed already, or an event
/// parsed when lowering reaches it (by its index among the event pieces).
enum Slot {
    Ready(Option<Box<ast::Decl>>),
    Event(usize),
}

/// The declarations of a plan whose events are parsed as they are lowered
/// ([`syntax::pieces::parse_pieces`]): the other declarations are parsed first,
/// the events' keywords and names are read from their first line for
/// registration, and each event piece must then parse into exactly that one
/// declaration; when one does not, `failed` is set and the plan is parsed first.
struct Streamed<'it> {
    /// The keyword and name of each declaration, until registration is done.
    heads: Vec<(ast::Ident, Option<ast::DeclName>)>,
    slots: Vec<Slot>,
    /// Each declaration's span (known for events once parsed).
    spans: Vec<Span>,
    /// Of each event piece: the declaration's index, the piece's index, where it
    /// starts and the span of the event's name as read from its first line.
    events: Vec<EventPiece>,
    /// Diagnostics of the parser, by piece.
    piece_diags: Vec<Vec<Diagnostic>>,
    parsed: &'it mut dyn Iterator<Item = pieces::PieceParse>,
    /// Gives lowered event trees back to the worker threads that parsed them.
    recycle: pieces::Recycle<'it>,
    /// Event pieces read from `parsed` so far.
    read: usize,
    failed: bool,
}

#[derive(Clone, Copy)]
struct EventPiece {
    decl: usize,
    piece: usize,
    start: usize,
    name: Option<Span>,
}

impl Streamed<'_> {
    /// Reads the next event piece; returns its declaration if it is the one its
    /// first line announced: one declaration, starting where the piece does (so
    /// its keyword and name are the ones read from that line, as the parser reads
    /// them the same way; the name's span is compared as a check).
    fn next_event(&mut self) -> Option<ast::Decl> {
        let ev = *self.events.get(self.read)?;
        self.read += 1;
        let parsed = self
            .parsed
            .next()
            .and_then(|p| Some((p.file?, p.diagnostics)));
        match parsed {
            Some((mut f, diags))
                if f.decls.len() == 1
                    && f.decls[0].kind.span.start as usize == ev.start
                    && f.decls[0].name.as_ref().map(ast::DeclName::span) == ev.name =>
            {
                let d = f.decls.pop()?;
                self.spans[ev.decl] = d.span;
                self.piece_diags[ev.piece] = diags;
                Some(d)
            }
            _ => {
                self.failed = true;
                None
            }
        }
    }

    /// Reads the next event piece, to check it only (its tree is given back).
    fn skip_event(&mut self) {
        if let Some(d) = self.next_event() {
            self.recycle.free(d);
        }
    }

    /// Reads the event pieces not lowered (so that all of them are checked).
    fn finish(&mut self) {
        while self.read < self.events.len() && !self.failed {
            self.skip_event();
        }
    }
}

impl<'a> ir::lower::DeclSource<'a> for Streamed<'_> {
    fn count(&self) -> usize {
        self.slots.len()
    }

    fn head(&self, i: usize) -> Option<(&ast::Ident, Option<&ast::DeclName>)> {
        self.heads.get(i).map(|(k, n)| (k, n.as_ref()))
    }

    fn registered(&mut self) {
        self.heads = Vec::new();
    }

    fn peek(&self, i: usize) -> Option<&ast::Decl> {
        match self.slots.get(i)? {
            Slot::Ready(d) => d.as_deref(),
            Slot::Event(_) => None,
        }
    }

    fn take(&mut self, i: usize) -> Option<Cow<'a, ast::Decl>> {
        let k = match self.slots.get_mut(i)? {
            Slot::Ready(d) => return d.take().map(|d| Cow::Owned(*d)),
            Slot::Event(k) => *k,
        };
        // Events are lowered in source order; the ones skipped (not registered)
        // are parsed, checked and dropped.
        while self.read < k && !self.failed {
            self.skip_event();
        }
        if self.failed || self.read != k {
            return None;
        }
        self.next_event().map(Cow::Owned)
    }

    fn done(&mut self, d: Cow<'a, ast::Decl>) {
        if let Cow::Owned(d) = d {
            self.recycle.free(d);
        }
    }
}

/// [`check_with`] without holding every file's syntax tree at once: events are
/// parsed (on other threads, a few batches ahead) while earlier ones are
/// lowered, each tree freed once lowered. `None` when some piece does not parse
/// as expected (a syntax error, or two declarations on one line), and the caller
/// parses the plan first.
fn check_streamed(sources: &SourceMap, opts: &Options) -> Option<Checked> {
    use pieces::Piece;
    let mut heads = Vec::new();
    let mut slots = Vec::new();
    let mut spans = Vec::new();
    let mut files = Vec::new();
    let mut events = Vec::new();
    let mut event_pieces: Vec<Piece<'_>> = Vec::new();
    let mut piece_diags = Vec::new();
    for (id, f) in sources.files() {
        let text = f.text.as_str();
        for r in pieces::ranges(text) {
            let (start, end) = (r.start, r.end);
            let piece = piece_diags.len();
            let rest = &text[start..];
            if rest.starts_with("event") && pieces::starts_decl(rest) {
                let head = pieces::decl_header(id, text, start)?;
                events.push(EventPiece {
                    decl: slots.len(),
                    piece,
                    start,
                    name: head.1.as_ref().map(ast::DeclName::span),
                });
                slots.push(Slot::Event(event_pieces.len()));
                event_pieces.push(Piece {
                    file: id,
                    text,
                    start,
                    end,
                });
                heads.push(head);
                spans.push(Span::default());
                files.push(id);
                piece_diags.push(Vec::new());
            } else {
                let p = pieces::parse_piece(id, text, start, end);
                for d in p.file?.decls {
                    heads.push((d.kind.clone(), d.name.clone()));
                    spans.push(d.span);
                    files.push(id);
                    slots.push(Slot::Ready(Some(Box::new(d))));
                }
                piece_diags.push(p.diagnostics);
            }
        }
    }
    let event_bytes: usize = event_pieces.iter().map(|p| p.end - p.start).sum();
    let cores = opts.threads();
    let threads = if cores > 1 && event_bytes > pieces::PARALLEL_BYTES {
        cores - 1
    } else {
        0
    };
    let rule_names = crate::rules::names();
    let change_kinds = crate::diff::kinds::names();
    let cx = ir::lower::Context {
        first_file: sources.files().next().map(|(id, _)| id),
        broken: &[],
        complete: true,
        rule_names: &rule_names,
        change_kinds: &change_kinds,
    };
    let (plan, lower_diags, streamed) =
        pieces::parse_pieces(&event_pieces, threads, |parsed, recycle| {
            let mut s = Streamed {
                recycle,
                heads,
                slots,
                spans,
                events,
                piece_diags,
                parsed,
                read: 0,
                failed: false,
            };
            let (plan, diags) = ir::lower::lower(&mut s, &cx);
            s.finish();
            (plan, diags, (s.failed, s.spans, s.piece_diags))
        });
    let (failed, spans, piece_diags) = streamed;
    if failed {
        return None;
    }
    let mut decl_spans: Vec<(FileId, Vec<Span>)> = Vec::new();
    for (file, span) in files.into_iter().zip(spans) {
        match decl_spans.last_mut() {
            Some((id, v)) if *id == file => v.push(span),
            _ => decl_spans.push((file, vec![span])),
        }
    }
    let mut diagnostics: Vec<Diagnostic> = piece_diags.into_iter().flatten().collect();
    diagnostics.extend(lower_diags);
    if opts.rules {
        let findings = rules(&plan, &decl_spans, &diagnostics);
        diagnostics.extend(findings);
    }
    diagnostics::sort(&mut diagnostics);
    Some(Checked {
        plan: Some(plan),
        diagnostics,
    })
}
