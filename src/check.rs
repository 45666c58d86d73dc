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

/// Parses every file, in parallel when there are several.
pub fn parse_all(sources: &SourceMap, skip: &[FileId]) -> Vec<(FileId, syntax::Parsed)> {
    let files: Vec<(FileId, &str)> = sources
        .files()
        .filter(|(id, _)| !skip.contains(id))
        .map(|(id, f)| (id, f.text.as_str()))
        .collect();
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(files.len());
    if threads <= 1 {
        return files
            .into_iter()
            .map(|(id, t)| (id, syntax::parse(id, t)))
            .collect();
    }
    let chunk = files.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = files
            .chunks(chunk)
            .map(|c| {
                s.spawn(move || {
                    c.iter()
                        .map(|&(id, t)| (id, syntax::parse(id, t)))
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
    let mut complete = skip.is_empty();
    for (id, p) in parsed {
        diagnostics.extend(p.diagnostics);
        match p.file {
            Some(f) => files.push((id, f)),
            None => complete = false,
        }
    }
    let refs: Vec<(FileId, &ast::File)> = files.iter().map(|(id, f)| (*id, f)).collect();
    let (plan, lowered) = check_parsed(&refs, complete);
    diagnostics.extend(lowered);
    let plan = complete.then_some(plan);
    diagnostics::sort(&mut diagnostics);
    Checked { plan, diagnostics }
}

/// The part of [`check`] after parsing, shared with the language server (which
/// parses each declaration on its own and caches the result): lowers the files
/// and, when every file parsed (`complete`), runs the rules. The diagnostics are
/// not sorted.
pub fn check_parsed(files: &[(FileId, &ast::File)], complete: bool) -> (Plan, Vec<Diagnostic>) {
    let rule_names = crate::rules::names();
    let (plan, mut diagnostics) = ir::lower::lower(files, &rule_names, complete);
    if complete {
        diagnostics.extend(crate::rules::run(&plan));
    }
    (plan, diagnostics)
}

/// Checks source text held in memory (tests, the language server).
pub fn check_text(name: &str, text: &str) -> (SourceMap, Checked) {
    let mut sources = SourceMap::new();
    sources.add(crate::source::SourceFile::new(name, None, text.to_string()));
    let checked = check(&sources, Vec::new());
    (sources, checked)
}
