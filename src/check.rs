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
