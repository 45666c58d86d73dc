//! What is at a position: a reference to a declaration, a declaration's name,
//! or a property's name. Hover, definition, references and rename start here.

use crate::ir::{DeclKind, Plan, Property, walk_properties};
use crate::source::{FileId, Span};

/// What the cursor is on.
#[derive(Clone, Copy)]
pub enum Target<'p> {
    /// A named declaration (by kind and index), through a reference or its name.
    Decl(DeclKind, usize),
    /// A property's name, with the block it is declared in.
    Property(&'p Property, &'p str),
}

/// The thing under the cursor and the span of the word it was found by.
pub struct Found<'p> {
    pub target: Target<'p>,
    pub span: Span,
}

fn contains(span: Span, file: FileId, offset: usize) -> bool {
    span.file == file && (span.start as usize) <= offset && offset <= span.end as usize
}

/// What is at byte `offset` of chunk `file`.
pub fn at(plan: &Plan, file: FileId, offset: usize) -> Option<Found<'_>> {
    if let Some(r) = plan.refs.iter().find(|r| contains(r.span, file, offset)) {
        return Some(Found {
            target: Target::Decl(r.kind, r.target),
            span: r.span,
        });
    }
    for kind in DeclKind::ALL {
        let mut i = 0;
        while let Some(span) = plan.decl_name_span(kind, i) {
            if contains(span, file, offset) {
                return Some(Found {
                    target: Target::Decl(kind, i),
                    span,
                });
            }
            i += 1;
        }
    }
    let mut found = None;
    let containers = plan
        .events
        .iter()
        .map(|e| (e.properties.as_slice(), e.name.value.as_str()))
        .chain(
            plan.bundles
                .iter()
                .map(|b| (b.properties.as_slice(), b.name.value.as_str())),
        )
        .chain(
            plan.calls()
                .map(|t| (t.properties.as_slice(), t.kind.keyword())),
        );
    for (props, container) in containers {
        walk_properties(props, &mut |p, _| {
            if found.is_none()
                && p.origin == crate::ir::Origin::Own
                && contains(p.name.span, file, offset)
            {
                found = Some(Found {
                    target: Target::Property(p, container),
                    span: p.name.span,
                });
            }
        });
        if found.is_some() {
            break;
        }
    }
    found
}

/// Every place a declaration is named: its own name, and each reference. An
/// event's other versions (declarations of the same name) count as
/// references: they are one event.
pub fn occurrences(plan: &Plan, kind: DeclKind, index: usize) -> (Option<Span>, Vec<Span>) {
    let versions = versions(plan, kind, index);
    let mut refs: Vec<Span> = versions
        .iter()
        .filter(|&&i| i != index)
        .filter_map(|&i| plan.decl_name_span(kind, i))
        .collect();
    refs.extend(
        plan.refs
            .iter()
            .filter(|r| r.kind == kind && versions.contains(&r.target))
            .map(|r| r.span),
    );
    (plan.decl_name_span(kind, index), refs)
}

/// The declarations that are versions of declaration `index` (itself
/// included): for an event, every event of its name, current first; else
/// `index` alone.
pub fn versions(plan: &Plan, kind: DeclKind, index: usize) -> Vec<usize> {
    match plan.events.get(index) {
        Some(e) if kind == DeclKind::Event && e.is_versioned() => {
            let mut v: Vec<usize> = (0..plan.events.len())
                .filter(|&i| plan.events[i].name.value == e.name.value)
                .collect();
            v.sort_by_key(|&i| std::cmp::Reverse(plan.events[i].version()));
            v
        }
        _ => vec![index],
    }
}
