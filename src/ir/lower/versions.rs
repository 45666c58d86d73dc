//! Event versions (Segment's event versioning): several `event` declarations
//! may share a name when their `version`s differ; the highest is the current
//! one, and a reference by name (`replaced_by`, a KPI's `events`) means it.
//!
//! Registration reads only an event's first line, so it cannot tell versions
//! apart: it registers every declaration and resolves a name to the first.
//! Once the events are lowered, [`Lowerer::versions`] reports an exact
//! duplicate (same name and version, E0023) and drops it, marks the older
//! versions, and points every reference to a name at its current version:
//! an older version's `replaced_by "<its own name>"` is the current version
//! replacing it (on the current version it is E0013).

use super::Lowerer;
use crate::diagnostics::{Diagnostic, codes};
use crate::ir::{DeclKind, Event};
use crate::source::Spanned;
use std::collections::HashMap;

impl Lowerer<'_> {
    /// Reads the `version` field: a positive whole number.
    pub(super) fn event_version(&mut self, f: &crate::syntax::ast::Field) -> Option<Spanned<u32>> {
        let v = self.count(f)?;
        if v.value == 0 {
            self.diags.push(
                Diagnostic::error(codes::INVALID_VALUE, "an event's version starts at 1")
                    .primary(v.span, "expected a whole number ≥ 1")
                    .help("leave `version` out for the first version (1), write `version 2` for the next"),
            );
            return None;
        }
        Some(v)
    }

    /// Checks the versions of the events that share a name (called only
    /// when some name is declared more than once; see the module doc).
    pub(super) fn versions(&mut self, events: &mut Vec<Event>) {
        let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, e) in events.iter().enumerate() {
            by_name.entry(e.name.value.as_str()).or_default().push(i);
        }
        let mut groups: Vec<Vec<usize>> = by_name.into_values().filter(|g| g.len() > 1).collect();
        groups.sort_unstable();
        // Where a reference to each event goes: its name's current version.
        let mut to: Vec<usize> = (0..events.len()).collect();
        let mut dropped = vec![false; events.len()];
        for g in groups {
            let mut seen: HashMap<u32, usize> = HashMap::new();
            for &i in &g {
                if events[i].extra.as_ref().is_some_and(|x| x.bad_version) {
                    continue;
                }
                let v = events[i].version();
                if let Some(&first) = seen.get(&v) {
                    self.diags.push(duplicate(&events[first], &events[i]));
                    dropped[i] = true;
                } else {
                    seen.insert(v, i);
                }
            }
            let Some((_, &current)) = seen.iter().max_by_key(|(v, _)| **v) else {
                continue;
            };
            for &i in &g {
                to[i] = current;
                if i != current && !dropped[i] {
                    events[i].extra.get_or_insert_default().superseded = true;
                }
            }
        }
        // Indices after the exact duplicates are dropped.
        let mut new_index = Vec::with_capacity(events.len());
        let mut n = 0;
        for d in &dropped {
            new_index.push(n);
            if !d {
                n += 1;
            }
        }
        // (A plan with a declaration that did not parse registers names it
        // never lowers: an index past the events is left as it is.)
        let at = |i: usize| {
            to.get(i)
                .and_then(|&t| new_index.get(t))
                .copied()
                .unwrap_or(i)
        };
        for (i, e) in events.iter_mut().enumerate() {
            if let Some(r) = e.replaced_by.as_mut() {
                // Only an older version may name its own event: the
                // current version replaces it. The current one cannot.
                if r.name == e.name.value
                    && !dropped[i]
                    && !e.extra.as_ref().is_some_and(|x| x.superseded)
                {
                    self.diags.push(replaced_by_itself(r));
                }
                if let Some(t) = r.target.as_mut() {
                    *t = at(*t);
                }
            }
        }
        for r in self.refs.iter_mut().filter(|r| r.kind == DeclKind::Event) {
            r.target = at(r.target);
        }
        if let Some(names) = self.names.get_mut(&DeclKind::Event) {
            for (i, _) in names.values_mut() {
                *i = at(*i);
            }
        }
        let mut i = 0;
        events.retain(|_| {
            i += 1;
            !dropped[i - 1]
        });
    }
}

/// E0013: an event (its current version) whose `replaced_by` names itself.
pub(super) fn replaced_by_itself(r: &crate::ir::Ref) -> Diagnostic {
    Diagnostic::error(
        codes::INVALID_VALUE,
        format!("\"{}\" is replaced by itself", r.name),
    )
    .primary(r.span, "an event cannot replace itself")
    .help("name the event that replaces it; an older version (`version 1` beside `version 2`) may name its own event, meaning the current version")
}

/// E0023: two declarations of one event name and version.
fn duplicate(first: &Event, again: &Event) -> Diagnostic {
    let (what, help) = match again.version_field() {
        Some(v) => (
            format!(
                "event \"{}\" version {} is declared twice",
                again.name.value, v.value
            ),
            "an event's versions differ: change this `version`, or remove one declaration",
        ),
        None => (
            format!("event \"{}\" is declared twice", again.name.value),
            "event names are unique: rename or remove one (or, if it is a new version of the event, write `version 2` in it)",
        ),
    };
    let at = again.version_field().map_or(again.name.span, |v| v.span);
    let first_at = first.version_field().map_or(first.name.span, |v| v.span);
    Diagnostic::error(codes::DUPLICATE_EVENT, what)
        .primary(at, "declared again here")
        .secondary(first_at, "first declared here")
        .help(help)
}
