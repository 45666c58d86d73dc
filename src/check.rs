//! The front end as one call: parse every file, lower to IR, run the rules.
//! Every command that needs a checked plan (check, build, validate, lsp) goes
//! through [`check`].

use crate::diagnostics::{self, Diagnostic};
use crate::ir::{self, Plan};
use crate::source::{FileId, SourceMap};
use crate::syntax::{self, ast};

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
}

/// Files larger than this are parsed on several threads.
const PARALLEL_PARSE_BYTES: usize = 1 << 20;

/// Parses every file (recovering after syntax errors), in parallel when there are several.
pub fn parse_all(sources: &SourceMap, skip: &[FileId]) -> Vec<(FileId, syntax::Recovered)> {
    let files: Vec<(FileId, &str)> = sources
        .files()
        .filter(|(id, _)| !skip.contains(id))
        .map(|(id, f)| (id, f.text.as_str()))
        .collect();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    // One large file: split it between the cores.
    if let [(id, text)] = files.as_slice()
        && cores > 1
        && text.len() > PARALLEL_PARSE_BYTES
    {
        return vec![(*id, syntax::parse_parallel(*id, text, cores))];
    }
    let threads = cores.min(files.len());
    if threads <= 1 {
        return files
            .into_iter()
            .map(|(id, t)| (id, syntax::parse_recovering(id, t)))
            .collect();
    }
    let chunk = files.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = files
            .chunks(chunk)
            .map(|c| {
                s.spawn(move || {
                    c.iter()
                        .map(|&(id, t)| (id, syntax::parse_recovering(id, t)))
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

/// Checks a plan. `pre` are diagnostics from loading (undecodable files), whose
/// files are not parsed.
pub fn check(sources: &SourceMap, pre: Vec<Diagnostic>) -> Checked {
    if pre.is_empty()
        && let Some(checked) = check_streamed(sources)
    {
        return checked;
    }
    check_whole(sources, pre)
}

/// [`check`] by parsing every file first (the reference; for plans with syntax
/// errors, which need the recovery of `syntax::parse_recovering`).
fn check_whole(sources: &SourceMap, pre: Vec<Diagnostic>) -> Checked {
    let skip: Vec<FileId> = pre
        .iter()
        .filter_map(|d| d.primary_span())
        .map(|s| s.file)
        .collect();
    let mut diagnostics = pre;
    let parsed = parse_all(sources, &skip);
    let mut files: Vec<(FileId, ast::File)> = Vec::new();
    let mut broken = Vec::new();
    let mut complete = skip.is_empty();
    let mut parsed_ok = skip.is_empty();
    for (id, p) in parsed {
        diagnostics.extend(p.diagnostics);
        complete &= p.complete;
        parsed_ok &= p.complete && p.broken.is_empty();
        broken.extend(p.broken);
        files.push((id, p.file));
    }
    // A broken `plan` declaration still counts as the plan being there.
    let has_broken_plan = broken.iter().any(|b| b.kind.text == "plan");
    // Only the declarations' spans are needed after lowering (to hold back findings
    // inside declarations with errors); the ASTs are freed as they are lowered.
    let decl_spans: Vec<(FileId, Vec<crate::source::Span>)> = files
        .iter()
        .map(|(id, f)| (*id, f.decls.iter().map(|d| d.span).collect()))
        .collect();
    let rule_names = crate::rules::names();
    let (plan, lower_diags) =
        ir::lower::lower_owned(files, &broken, &rule_names, complete && !has_broken_plan);
    diagnostics.extend(lower_diags);
    let plan = if parsed_ok {
        let findings = run_rules(&plan, &decl_spans, &diagnostics);
        diagnostics.extend(findings);
        Some(plan)
    } else {
        None
    };
    diagnostics::sort(&mut diagnostics);
    Checked { plan, diagnostics }
}

/// Runs the rules. Findings inside a declaration that already has an error
/// (in `earlier`) are held back: they are usually consequences of that error (a
/// misspelt `owner` field also means "no owner").
fn run_rules(
    plan: &Plan,
    decl_spans: &[(FileId, Vec<crate::source::Span>)],
    earlier: &[Diagnostic],
) -> Vec<Diagnostic> {
    let with_errors: Vec<crate::source::Span> = earlier
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

/// The part of [`check`] after parsing, for the language server (which parses
/// each declaration on its own and keeps the ASTs): lowers the files, knowing the
/// declarations that did not parse (`broken`), and when everything parsed
/// (`parsed_ok`) runs the rules, holding back findings inside a declaration that
/// has an error (in `earlier`, or from lowering). `complete`: no part of any file
/// is missing (else a missing `plan` is not reported). Returns the plan and the
/// new diagnostics, not sorted.
pub fn check_parsed(
    files: &[(FileId, &ast::File)],
    broken: &[syntax::BrokenDecl],
    complete: bool,
    parsed_ok: bool,
    earlier: &[Diagnostic],
) -> (Plan, Vec<Diagnostic>) {
    let decl_spans: Vec<(FileId, Vec<crate::source::Span>)> = files
        .iter()
        .map(|(id, f)| (*id, f.decls.iter().map(|d| d.span).collect()))
        .collect();
    let rule_names = crate::rules::names();
    let (plan, mut diagnostics) =
        ir::lower::lower_with_broken(files, broken, &rule_names, complete);
    if parsed_ok {
        let all: Vec<Diagnostic> = earlier.iter().chain(&diagnostics).cloned().collect();
        let findings = run_rules(&plan, &decl_spans, &all);
        diagnostics.extend(findings);
    }
    (plan, diagnostics)
}

/// The span of the top-level declaration holding `span`, if any.
fn decl_containing(
    decls: &[(FileId, Vec<crate::source::Span>)],
    span: crate::source::Span,
) -> Option<crate::source::Span> {
    let (_, spans) = decls.iter().find(|(id, _)| *id == span.file)?;
    let i = spans.partition_point(|d| d.end < span.start);
    spans
        .get(i)
        .filter(|d| d.start <= span.start && span.end <= d.end)
        .copied()
}

/// Checks source text held in memory (tests, the language server).
pub fn check_text(name: &str, text: &str) -> (SourceMap, Checked) {
    let mut sources = SourceMap::new();
    sources.add(crate::source::SourceFile::new(name, None, text.to_string()));
    let checked = check(&sources, Vec::new());
    (sources, checked)
}

/// A top-level declaration in [`check_streamed`]: parsed already, or an event
/// parsed when lowering reaches it (by its index among the event pieces).
enum Slot {
    Ready(Option<Box<ast::Decl>>),
    Event(usize),
}

/// The declarations of a plan whose events are parsed as they are lowered
/// ([`syntax::pieces`]): the other declarations are parsed first, the events'
/// keywords and names are read from their first line for registration, and each
/// event piece must then parse into exactly that one declaration; when one does
/// not, `failed` is set and the plan is checked again by [`check_whole`].
struct Streamed<'it> {
    /// The keyword and name of each declaration, until registration is done.
    heads: Vec<(ast::Ident, Option<ast::DeclName>)>,
    slots: Vec<Slot>,
    /// Each declaration's span (known for events once parsed).
    spans: Vec<crate::source::Span>,
    /// Of each event piece: the declaration's index, the piece's index, where it
    /// starts and the span of the event's name as read from its first line.
    events: Vec<EventPiece>,
    /// Diagnostics of the parser, by piece.
    piece_diags: Vec<Vec<Diagnostic>>,
    parsed: &'it mut dyn Iterator<Item = syntax::pieces::ParsedPiece>,
    /// Gives lowered event trees back to the worker threads that parsed them.
    recycle: syntax::pieces::Recycle<'it>,
    /// Event pieces read from `parsed` so far.
    read: usize,
    failed: bool,
}

#[derive(Clone, Copy)]
struct EventPiece {
    decl: usize,
    piece: usize,
    start: usize,
    name: Option<crate::source::Span>,
}

impl Streamed<'_> {
    /// Reads the next event piece; returns its declaration if it is the one its
    /// first line announced: one declaration, starting where the piece does (so
    /// its keyword and name are the ones read from that line, as the parser reads
    /// them the same way; the name's span is compared as a check).
    fn next_event(&mut self) -> Option<ast::Decl> {
        let ev = *self.events.get(self.read)?;
        self.read += 1;
        let parsed = self.parsed.next().flatten();
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

    fn take(&mut self, i: usize) -> Option<std::borrow::Cow<'a, ast::Decl>> {
        let k = match self.slots.get_mut(i)? {
            Slot::Ready(d) => return d.take().map(|d| std::borrow::Cow::Owned(*d)),
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
        self.next_event().map(std::borrow::Cow::Owned)
    }

    fn done(&mut self, d: std::borrow::Cow<'a, ast::Decl>) {
        if let std::borrow::Cow::Owned(d) = d {
            self.recycle.free(d);
        }
    }
}

/// [`check`] without holding every file's syntax tree at once: the files are cut
/// into top-level declarations at the lines that start one
/// ([`syntax::pieces::decl_lines`]), and events are parsed (on other threads, a few
/// batches ahead) while earlier ones are lowered, each tree freed once lowered.
/// The result is the same as [`check_whole`]'s; `None` when some piece does not
/// parse as expected (a syntax error, or a declaration not at the start of a line),
/// and the caller checks the plan as a whole.
fn check_streamed(sources: &SourceMap) -> Option<Checked> {
    use syntax::pieces::{self, Piece};
    let mut heads = Vec::new();
    let mut slots = Vec::new();
    let mut spans = Vec::new();
    let mut files = Vec::new();
    let mut events = Vec::new();
    let mut event_pieces: Vec<Piece<'_>> = Vec::new();
    let mut piece_diags = Vec::new();
    for (id, f) in sources.files() {
        let text = f.text.as_str();
        let lines = pieces::decl_lines(text);
        let mut bounds = lines.clone();
        if bounds.first() != Some(&0) {
            bounds.insert(0, 0);
        }
        bounds.push(text.len());
        for w in bounds.windows(2) {
            let (start, end) = (w[0], w[1]);
            let piece = piece_diags.len();
            let is_event =
                text[start..].starts_with("event") && lines.binary_search(&start).is_ok();
            if is_event {
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
                spans.push(crate::source::Span::default());
                files.push(id);
                piece_diags.push(Vec::new());
            } else {
                let (parsed, diags) = syntax::pieces::parse_piece(id, text, start, end)?;
                for d in parsed.decls {
                    heads.push((d.kind.clone(), d.name.clone()));
                    spans.push(d.span);
                    files.push(id);
                    slots.push(Slot::Ready(Some(Box::new(d))));
                }
                piece_diags.push(diags);
            }
        }
    }
    let event_bytes: usize = event_pieces.iter().map(|p| p.end - p.start).sum();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = if cores > 1 && event_bytes > PARALLEL_PARSE_BYTES {
        cores - 1
    } else {
        0
    };
    let first_file = sources.files().next().map(|(id, _)| id);
    let rule_names = crate::rules::names();
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
            let (plan, diags) = ir::lower::lower_decls(&mut s, first_file, &[], &rule_names, true);
            s.finish();
            (plan, diags, (s.failed, s.spans, s.piece_diags))
        });
    let (failed, spans, piece_diags) = streamed;
    if failed {
        return None;
    }
    let mut decl_spans: Vec<(FileId, Vec<crate::source::Span>)> = Vec::new();
    for (file, span) in files.into_iter().zip(spans) {
        match decl_spans.last_mut() {
            Some((id, v)) if *id == file => v.push(span),
            _ => decl_spans.push((file, vec![span])),
        }
    }
    let mut diagnostics: Vec<Diagnostic> = piece_diags.into_iter().flatten().collect();
    diagnostics.extend(lower_diags);
    let findings = run_rules(&plan, &decl_spans, &diagnostics);
    diagnostics.extend(findings);
    diagnostics::sort(&mut diagnostics);
    Some(Checked {
        plan: Some(plan),
        diagnostics,
    })
}
