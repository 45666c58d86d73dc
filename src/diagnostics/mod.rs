//! One data model for every problem the compiler reports: syntax errors, resolution
//! errors and governance findings. A [`Diagnostic`] has a code (`E0001`… or a rule
//! name such as `naming/event-case`), a severity, a message, labelled spans (one
//! primary, any number of secondary, possibly in other files) and optional help.
//!
//! Rendering lives in [`render`]; this module never formats for a terminal.

pub mod codes;
pub mod render;

use crate::source::{SourceMap, Span};
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    /// Information: not a problem (a file checked alone because it belongs to
    /// no plan). Never fails a command, `--deny warnings` included.
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
    pub primary: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// `E0001`… for syntax and resolution errors, the rule name for governance findings.
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    pub labels: Vec<Label>,
    pub help: Option<String>,
}

impl Diagnostic {
    pub(crate) fn new(code: &'static str, severity: Severity, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity,
            message: message.into(),
            labels: Vec::new(),
            help: None,
        }
    }

    pub(crate) fn error(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(code, Severity::Error, message)
    }

    /// Adds the primary label: where the problem is.
    pub(crate) fn primary(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            message: message.into(),
            primary: true,
        });
        self
    }

    /// Adds a secondary label: related context (the other side of a duplicate, …).
    pub(crate) fn secondary(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            message: message.into(),
            primary: false,
        });
        self
    }

    pub(crate) fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub(crate) fn maybe_help(mut self, help: Option<String>) -> Self {
        if help.is_some() {
            self.help = help;
        }
        self
    }

    pub fn primary_span(&self) -> Option<Span> {
        self.labels
            .iter()
            .find(|l| l.primary)
            .or(self.labels.first())
            .map(|l| l.span)
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Sort key: file, position, code, message, so output is the same on every run.
    fn sort_key(&self) -> (u32, u32, u32, &str, &str) {
        let span = self.primary_span().unwrap_or_default();
        (span.file.0, span.start, span.end, self.code, &self.message)
    }
}

/// Orders diagnostics by location and removes exact duplicates.
pub fn sort(diags: &mut Vec<Diagnostic>) {
    diags.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    diags.dedup();
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

pub fn count(diags: &[Diagnostic]) -> Counts {
    let of = |s: Severity| diags.iter().filter(|d| d.severity == s).count();
    Counts {
        errors: of(Severity::Error),
        warnings: of(Severity::Warning),
        infos: of(Severity::Info),
    }
}

impl Counts {
    pub fn summary(self) -> String {
        fn plural(n: usize, word: &str) -> String {
            format!("{n} {word}{}", if n == 1 { "" } else { "s" })
        }
        let problems = match (self.errors, self.warnings) {
            (0, 0) => "no problems".to_string(),
            (e, 0) => plural(e, "error"),
            (0, w) => plural(w, "warning"),
            (e, w) => format!("{}, {}", plural(e, "error"), plural(w, "warning")),
        };
        match self.infos {
            0 => problems,
            n => format!("{problems} ({n} info)"),
        }
    }
}

/// The closest candidate by edit distance, if it is close enough to be a plausible typo.
pub(crate) fn suggest<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lower = word.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| {
            (
                strsim::damerau_levenshtein(&lower, &c.to_ascii_lowercase()),
                c,
            )
        })
        .filter(|&(d, c)| {
            let max = (word.chars().count().max(c.chars().count()) / 3).max(1);
            d <= max
                || (word.len() >= 3
                    && (c.to_ascii_lowercase().starts_with(&lower)
                        || lower.starts_with(&c.to_ascii_lowercase())))
        })
        .min_by_key(|&(d, c)| (d, c))
        .map(|(_, c)| c)
}

/// `did you mean `x`?` help text, given the candidate names.
pub(crate) fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    render: impl Fn(&str) -> String,
) -> Option<String> {
    suggest(word, candidates).map(|c| format!("did you mean `{}`?", render(c)))
}

/// A short list of names for a help message: "`a`, `b`, `c`".
pub(crate) fn list_names<S: AsRef<str>>(names: &[S]) -> String {
    names
        .iter()
        .map(|n| format!("`{}`", n.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Renders a one-line location for a span, e.g. `plan.events:3:5`.
pub(crate) fn location(sources: &SourceMap, span: Span) -> String {
    let f = sources.get(span.file);
    let lc = f.line_col(span.start as usize);
    format!("{}:{}:{}", f.name, lc.line, lc.column)
}
