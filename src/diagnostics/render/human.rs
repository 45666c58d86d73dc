use super::excerpt::Excerpt;
use crate::diagnostics::{Diagnostic, Severity};
use crate::source::{FileId, SourceMap};
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan};
use std::fmt;

/// A [`Diagnostic`] adapted to miette. miette shows one source per report, so labels
/// in other files become related reports, each with its own source.
#[derive(Debug)]
struct Report {
    code: Option<String>,
    severity: miette::Severity,
    message: String,
    help: Option<String>,
    source: Option<Excerpt>,
    labels: Vec<LabeledSpan>,
    related: Vec<Report>,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report {}

impl miette::Diagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.code
            .as_ref()
            .map(|c| Box::new(c) as Box<dyn fmt::Display>)
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.related.is_empty() {
            None
        } else {
            Some(Box::new(
                self.related.iter().map(|r| r as &dyn miette::Diagnostic),
            ))
        }
    }
}

/// The report's labels in one file, as miette takes them: with their spans
/// into that file's [`Excerpt`].
fn labels_in(
    sources: &SourceMap,
    file: FileId,
    labels: &[&crate::diagnostics::Label],
) -> (Excerpt, Vec<LabeledSpan>) {
    let spans: Vec<(usize, usize)> = labels
        .iter()
        .map(|l| (l.span.start as usize, l.span.end as usize))
        .collect();
    let (excerpt, mapped) = Excerpt::new(sources.get(file), &spans);
    let labels = labels
        .iter()
        .zip(mapped)
        .map(|(l, span)| {
            let msg =
                (!l.message.is_empty()).then(|| crate::visible::visible(&l.message).into_owned());
            if l.primary {
                LabeledSpan::new_primary_with_span(msg, span)
            } else {
                LabeledSpan::new_with_span(msg, span)
            }
        })
        .collect();
    (excerpt, labels)
}

fn to_report(d: &Diagnostic, sources: &SourceMap) -> Report {
    let primary_file = d.primary_span().map(|s| s.file);
    // The files in the order their first label comes: the primary one first.
    let mut files: Vec<(FileId, Vec<&crate::diagnostics::Label>)> = Vec::new();
    if let Some(f) = primary_file {
        files.push((f, Vec::new()));
    }
    for l in &d.labels {
        match files.iter_mut().find(|(f, _)| *f == l.span.file) {
            Some((_, v)) => v.push(l),
            None => files.push((l.span.file, vec![l])),
        }
    }
    let mut files = files.into_iter();
    let (source, labels) = match primary_file.and_then(|_| files.next()) {
        Some((f, ls)) => {
            let (excerpt, labels) = labels_in(sources, f, &ls);
            (Some(excerpt), labels)
        }
        None => (None, Vec::new()),
    };
    let related = files
        .map(|(file, ls)| {
            let (excerpt, labels) = labels_in(sources, file, &ls);
            Report {
                code: None,
                severity: miette::Severity::Advice,
                message: format!(
                    "related: {}",
                    crate::visible::visible(&sources.get(file).name)
                ),
                help: None,
                source: Some(excerpt),
                labels,
                related: Vec::new(),
            }
        })
        .collect();
    Report {
        code: None,
        severity: match d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        },
        message: String::new(),
        help: d
            .help
            .as_ref()
            .map(|h| crate::visible::visible_lines(h).into_owned()),
        source,
        labels,
        related,
    }
}

/// `error[E0011]: message`: the severity and code lead the message line, as in
/// rustc, so a log search for `error` or a code finds every diagnostic.
fn header(out: &mut String, d: &Diagnostic, color: bool) {
    let (on, off) = match (color, d.severity) {
        (false, _) => ("", ""),
        (true, Severity::Error) => ("\x1b[1;31m", "\x1b[0m"),
        (true, Severity::Warning) => ("\x1b[1;33m", "\x1b[0m"),
        (true, Severity::Info) => ("\x1b[1;36m", "\x1b[0m"),
    };
    let (bold, unbold) = if color {
        ("\x1b[1m", "\x1b[0m")
    } else {
        ("", "")
    };
    out.push_str(&format!(
        "{on}{}[{}]{off}{bold}: {}{unbold}\n",
        d.severity.as_str(),
        d.code,
        crate::visible::visible_lines(&d.message)
    ));
}

/// miette's graphical report for each diagnostic. Width is fixed so that output
/// is the same on every terminal (and in snapshots).
pub fn render_human(diags: &[Diagnostic], sources: &SourceMap, color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false)
        .with_context_lines(1);
    let mut out = String::new();
    for (i, d) in diags.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        header(&mut out, d, color);
        let report = to_report(d, sources);
        let mut s = String::new();
        if handler.render_report(&mut s, &report).is_ok() {
            // miette's first line is its severity glyph before the (empty) message:
            // the header above says it in words, as rustc does.
            let body = s.split_once('\n').map_or("", |(_, rest)| rest);
            out.push_str(body);
        }
        if !out.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}
