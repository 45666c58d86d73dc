//! `textDocument/hover`: what a name stands for (an owner's details, a consent
//! purpose's basis, a retention policy, an enum's values, a bundle's properties,
//! an event, a KPI, a property's effective consent, retention and personal
//! data), what the vocabulary says of a keyword (a declaration, a field, a type,
//! a modifier), and the documentation of the diagnostics under the cursor.

use super::lookup::{self, Target};
use super::workspace::Workspace;
use super::{Position, convert};
use crate::ir::{Basis, DeclKind, Plan, Property};
use crate::source::Span;
use crate::targets::encode::markdown as md;
use lsp_types::{Hover, HoverContents, MarkupContent, MarkupKind};
use std::fmt::Write;

pub fn hover(ws: &Workspace, key: &str, pos: Position) -> Option<Hover> {
    let doc = ws.docs.get(key)?;
    let offset = convert::offset(&doc.file, pos);
    let (file, off) = ws.file_offset(key, offset)?;
    let analysis = ws.analysis_of(key)?;
    let mut sections = Vec::new();
    let mut range_span: Option<Span> = None;
    let mut range = None;
    if let Some(found) = lookup::at(&analysis.plan, file, off) {
        sections.push(describe(&analysis.plan, found.target));
        range_span = Some(found.span);
    } else if let Some((text, r)) = super::completion::keyword_doc(ws, key, pos) {
        // A word of the language: what the vocabulary says of it.
        sections.push(text);
        range = Some(convert::range(&doc.file, r.start, r.end));
    }
    // The documentation of the diagnostics here.
    let mut codes: Vec<&str> = Vec::new();
    for d in &analysis.diagnostics {
        let Some(span) = d.labels.iter().find(|l| l.primary).map(|l| l.span) else {
            continue;
        };
        if span.file == file
            && (span.start as usize) <= off
            && off <= span.end as usize
            && !codes.contains(&d.code)
        {
            codes.push(d.code);
            range_span.get_or_insert(span);
        }
    }
    for code in codes {
        if let Some(doc) = crate::docs::find(code) {
            sections.push(format!(
                "**{code}**\n\n```text\n{}```",
                crate::docs::explain(&doc)
            ));
        }
    }
    if sections.is_empty() {
        return None;
    }
    let range = range.or_else(|| {
        range_span
            .and_then(|s| ws.locate(s))
            .map(|(doc, s, e)| convert::range(&doc.file, s, e))
    });
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: sections.join("\n\n---\n\n"),
        }),
        range,
    })
}

fn basis_article(b: Basis) -> &'static str {
    match b {
        Basis::Consent => "GDPR Art. 6(1)(a): the person's consent",
        Basis::Contract => "GDPR Art. 6(1)(b): needed for a contract",
        Basis::LegalObligation => "GDPR Art. 6(1)(c): a legal obligation",
        Basis::VitalInterest => "GDPR Art. 6(1)(d): vital interests",
        Basis::PublicTask => "GDPR Art. 6(1)(e): a task in the public interest",
        Basis::LegitimateInterest => "GDPR Art. 6(1)(f): legitimate interests",
    }
}

/// Text from the plan as a Markdown paragraph: escaped (no HTML, link, image,
/// heading or emphasis of its own), its lines (LF, CRLF or CR) kept as hard
/// line breaks, which editors show (not `<br>`, which hovers may print).
fn para(text: &str) -> String {
    text.replace("\r\n", "\n")
        .replace('\r', "\n")
        .split('\n')
        .map(md::text)
        .collect::<Vec<_>>()
        .join("  \n")
}

/// A name from the plan, double-quoted and escaped (`"Order Completed"`).
fn quoted(name: &str) -> String {
    md::inline(&format!("{name:?}"))
}

fn owner_line(plan: &Plan, index: Option<usize>) -> String {
    index.and_then(|i| plan.owners.get(i)).map_or_else(
        || "none".to_string(),
        |o| format!("`@{}` ({})", o.id.value, md::inline(&o.display())),
    )
}

/// The Markdown description of a target.
pub fn describe(plan: &Plan, target: Target<'_>) -> String {
    let mut s = String::new();
    match target {
        Target::Decl(DeclKind::Owner, i) => {
            let Some(o) = plan.owners.get(i) else {
                return s;
            };
            let _ = writeln!(s, "**owner** `@{}`", o.id.value);
            if let Some(n) = &o.name {
                let _ = writeln!(s, "\n{}", para(&n.value));
            }
            for (label, v) in [("email", &o.email), ("slack", &o.slack)] {
                if let Some(v) = v {
                    let _ = writeln!(s, "\n{label}: {}", md::inline(&v.value));
                }
            }
            if let Some(b) = &o.backup {
                let _ = writeln!(s, "\nbackup: {}", owner_line(plan, b.target));
            }
            if let Some(d) = &o.description {
                let _ = writeln!(s, "\n{}", para(&d.value));
            }
        }
        Target::Decl(DeclKind::Consent, i) => {
            let Some(c) = plan.consents.get(i) else {
                return s;
            };
            let _ = writeln!(s, "**consent purpose** `{}`", c.id.value);
            match &c.basis {
                Some(b) => {
                    let _ = writeln!(s, "\nbasis: `{}`, {}", b.value, basis_article(b.value));
                }
                None => {
                    let _ = writeln!(s, "\nbasis: not given");
                }
            }
            if let Some(d) = &c.description {
                let _ = writeln!(s, "\n{}", para(&d.value));
            }
            let _ = writeln!(s, "\nconsent-manager category: `{}`", c.category());
        }
        Target::Decl(DeclKind::Retention, i) => {
            let Some(r) = plan.retentions.get(i) else {
                return s;
            };
            let _ = writeln!(s, "**retention policy** `{}`", r.id.value);
            let keep = r.duration.as_ref().map_or_else(
                || "no duration given".to_string(),
                |d| format!("kept {}", d.value),
            );
            let action = r
                .action
                .as_ref()
                .map_or_else(String::new, |a| format!(", then {}d", a.value));
            let _ = writeln!(s, "\n{keep}{action}");
            if let Some(d) = &r.description {
                let _ = writeln!(s, "\n{}", para(&d.value));
            }
        }
        Target::Decl(DeclKind::Source, i) => {
            let Some(src) = plan.sources.get(i) else {
                return s;
            };
            let _ = writeln!(s, "**source** `{}`", src.id.value);
            if let Some(k) = &src.kind {
                let _ = writeln!(s, "\nkind: `{}`", k.value);
            }
            for (label, v) in [("database", &src.database), ("schema", &src.schema)] {
                if let Some(v) = v {
                    let _ = writeln!(s, "\n{label}: {}", md::code_span(&v.value));
                }
            }
            if let Some(d) = &src.description {
                let _ = writeln!(s, "\n{}", para(&d.value));
            }
        }
        Target::Decl(DeclKind::Tool, i) => {
            let Some(t) = plan.tools.get(i) else {
                return s;
            };
            let _ = writeln!(s, "**tool** `{}`", t.id.value);
            if let Some(b) = &t.baa {
                let _ = writeln!(s, "\nBAA signed: {}", b.value);
            }
            for (label, v) in [
                ("workspace", &t.workspace),
                ("database", &t.database),
                ("schema", &t.schema),
            ] {
                if let Some(v) = v {
                    let _ = writeln!(s, "\n{label}: {}", md::code_span(&v.value));
                }
            }
            if let Some(d) = &t.description {
                let _ = writeln!(s, "\n{}", para(&d.value));
            }
        }
        Target::Decl(DeclKind::Enum, i) => {
            let Some(e) = plan.enums.get(i) else {
                return s;
            };
            let _ = writeln!(s, "**enum** {}", md::code_span(&e.name.value));
            let values: Vec<String> = e
                .values
                .iter()
                .map(|v| md::code_span(&v.value.display()))
                .collect();
            let _ = writeln!(s, "\nvalues: {}", values.join(", "));
            if let Some(d) = &e.description {
                let _ = writeln!(s, "\n{}", para(&d.value));
            }
        }
        Target::Decl(DeclKind::Bundle, i) => {
            let Some(b) = plan.bundles.get(i) else {
                return s;
            };
            let _ = writeln!(s, "**bundle** {}", md::code_span(&b.name.value));
            if let Some(d) = &b.description {
                let _ = writeln!(s, "\n{}", para(&d.value));
            }
            let _ = writeln!(s);
            for p in &b.properties {
                let _ = writeln!(s, "- {}", property_line(p));
            }
        }
        Target::Decl(DeclKind::Event, i) => {
            let Some(e) = plan.events.get(i) else {
                return s;
            };
            let _ = writeln!(s, "**event** {}", quoted(&e.name.value));
            if e.is_versioned() {
                let all = super::lookup::versions(plan, DeclKind::Event, i);
                let listed: Vec<String> = all
                    .iter()
                    .rev()
                    .filter_map(|&j| plan.events.get(j))
                    .map(|v| v.version().to_string())
                    .collect();
                let _ = writeln!(
                    s,
                    "\nversion {}{} · versions: {}",
                    e.version(),
                    if e.is_current() { " (current)" } else { "" },
                    listed.join(", ")
                );
            }
            if let Some(d) = &e.description {
                let _ = writeln!(s, "\n{}", para(&d.value));
            }
            let _ = writeln!(
                s,
                "\nstatus: `{}` · owner: {} · {} propert{}",
                e.status.value,
                owner_line(plan, e.owner.as_ref().and_then(|r| r.target)),
                e.properties.len(),
                if e.properties.len() == 1 { "y" } else { "ies" }
            );
            if let Some(r) = &e.replaced_by {
                let _ = writeln!(s, "\nreplaced by {}", quoted(&r.name));
            }
        }
        Target::Decl(DeclKind::Kpi, i) => {
            let Some(k) = plan.kpis.get(i) else {
                return s;
            };
            let _ = writeln!(s, "**KPI** {}", quoted(&k.name.value));
            if let Some(d) = &k.description {
                let _ = writeln!(s, "\n{}", para(&d.value));
            }
            let events: Vec<String> = k.events.iter().map(|e| quoted(&e.name)).collect();
            let _ = writeln!(s, "\nevents: {}", events.join(", "));
        }
        Target::Property(p, container) => {
            let _ = writeln!(
                s,
                "**property** {} of {}",
                md::code_span(&p.name.value),
                md::inline(container)
            );
            let _ = writeln!(s, "\n{}", property_line(p));
            let own_consent = p.modifiers().consent.as_ref().and_then(|r| r.target);
            let consent = p.effective.consent().and_then(|i| plan.consents.get(i));
            let _ = writeln!(
                s,
                "\nconsent: {}",
                consent.map_or_else(
                    || "none".to_string(),
                    |c| format!(
                        "`{}`{}{}",
                        c.id.value,
                        c.basis
                            .as_ref()
                            .map_or_else(String::new, |b| format!(" (basis `{}`)", b.value)),
                        if own_consent.is_some() {
                            ", set here"
                        } else {
                            ", inherited"
                        }
                    )
                )
            );
            let own_retention = p.modifiers().retention.as_ref().and_then(|r| r.target);
            let retention = p.effective.retention().and_then(|i| plan.retentions.get(i));
            let _ = writeln!(
                s,
                "\nretention: {}",
                retention.map_or_else(
                    || "none".to_string(),
                    |r| format!(
                        "`{}`{}{}",
                        r.id.value,
                        r.duration
                            .as_ref()
                            .map_or_else(String::new, |d| format!(" ({})", d.value)),
                        if own_retention.is_some() {
                            ", set here"
                        } else {
                            ", inherited"
                        }
                    )
                )
            );
            let _ = writeln!(
                s,
                "\npersonal data: {}",
                p.modifiers()
                    .pii
                    .as_ref()
                    .map_or_else(|| "no".to_string(), |c| format!("yes, `{}`", c.value))
            );
            let _ = writeln!(s, "\nowner: {}", owner_line(plan, p.effective.owner()));
            if let Some(d) = &p.description {
                let _ = writeln!(s, "\n{}", para(&d.value));
            }
        }
    }
    s.trim_end().to_string()
}

/// `name`: `type` modifiers — description
fn property_line(p: &Property) -> String {
    let mut mods = Vec::new();
    if p.is_required() {
        mods.push("required".to_string());
    }
    if p.is_nullable() {
        mods.push("nullable".to_string());
    }
    if let Some(f) = &p.modifiers().format {
        mods.push(format!("format({})", f.value));
    }
    if let Some(c) = &p.modifiers().pii {
        mods.push(format!("pii({})", c.value));
    }
    if p.modifiers().deprecated.is_some() {
        mods.push("deprecated".to_string());
    }
    let mut line = format!(
        "{}: {}",
        md::code_span(&p.name.value),
        md::code_span(&p.ty.display())
    );
    if !mods.is_empty() {
        line.push(' ');
        line.push_str(&mods.join(" "));
    }
    if let Some(d) = &p.description {
        line.push_str(" — ");
        line.push_str(&para(&d.value));
    }
    line
}
