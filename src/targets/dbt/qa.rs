//! The QA models: `eventsc_qa_defects` (one row per broken check per call in
//! the window: event, call type, column, rule, message id, the plan's
//! `file:line`, received at) and `eventsc_qa_summary` (one row: events in
//! scope, observed, coverage, defects, the plan's targets, passed), the verdict
//! `eventsc validate` gives for the same calls.
//!
//! The SQL is the macros' (`macros/eventsc.sql`); these files only pass them
//! the plan's checks as Jinja literals: numbers, words eventsc wrote, and hex.

use super::warehouse::{Arg, Check, Warehouse, hex_text};
use super::{DbtVersion, jinja_text};
use crate::ir::values::format_number;
use std::fmt::Write;

const HEADER: &str =
    "{#- Written by `eventsc build --target dbt` from the tracking plan; do not edit. -#}\n";

/// A Jinja string literal of a word eventsc wrote or of hex (neither holds a
/// quote or a backslash; anything else is dropped, defensively).
fn lit(out: &mut String, s: &str) {
    out.push('\'');
    out.extend(
        s.chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | '+' | ':')),
    );
    out.push('\'');
}

/// A Jinja list of [`lit`]s.
fn list(out: &mut String, items: &[String]) {
    out.push('[');
    for (i, h) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        lit(out, h);
    }
    out.push(']');
}

fn check_dict(out: &mut String, id: usize, c: &Check) {
    let _ = write!(out, "{{'id': {id}, 'test': ");
    lit(out, c.test);
    if let Some(col) = &c.column {
        out.push_str(", 'column': ");
        lit(out, col);
    }
    for (k, a) in &c.args {
        let _ = write!(out, ", '{k}': ");
        match a {
            Arg::Word(w) | Arg::Hex(w) => lit(out, w),
            Arg::HexList(l) | Arg::Words(l) => list(out, l),
        }
    }
    if let Some(e) = &c.scope {
        out.push_str(", 'event': ");
        lit(out, &hex_text(e));
    }
    if let Some(w) = &c.within {
        let (key, values) = w.arg();
        let _ = write!(out, ", 'within': {{'{key}': ");
        list(out, &values);
        out.push('}');
    }
    out.push('}');
}

/// `models/eventsc_qa_defects.sql`.
pub(crate) fn defects_sql(wh: &Warehouse) -> String {
    let mut checks = String::new();
    let mut tables = String::new();
    let mut id = 0;
    for src in &wh.sources {
        for t in &src.tables {
            let qa: Vec<&Check> = t.checks.iter().filter(|c| c.qa).collect();
            if qa.is_empty() {
                continue;
            }
            tables.push_str("  [source(");
            lit(&mut tables, &src.name);
            tables.push_str(", ");
            lit(&mut tables, &t.name);
            tables.push_str("), [\n");
            for c in qa {
                id += 1;
                tables.push_str("    ");
                check_dict(&mut tables, id, c);
                tables.push_str(",\n");
                let _ = write!(checks, "  [{id}");
                for text in [
                    c.subject.as_str(),
                    c.call,
                    c.column.as_deref().unwrap_or(""),
                    c.rule,
                    c.location.as_str(),
                ] {
                    checks.push_str(", ");
                    lit(&mut checks, &hex_text(text));
                }
                checks.push_str("],\n");
            }
            tables.push_str("  ]],\n");
        }
    }
    format!(
        "{HEADER}with checks as (\n{{{{ eventsc_qa_checks([\n{checks}]) }}}}\n),\n\
         hits as (\n{{{{ eventsc_qa_hits([\n{tables}]) }}}}\n)\n\
         select coalesce(h.event_text, c.event) as event, c.call_type, c.column_name, c.rule,\n\
         \x20 h.message_id, c.location, h.received_at\n\
         from hits h\n\
         join checks c on h.check_id = c.check_id\n"
    )
}

/// `models/eventsc_qa_summary.sql`.
pub(crate) fn summary_sql(wh: &Warehouse) -> String {
    let mut tracks = String::new();
    for src in &wh.sources {
        if src.tables.iter().any(|t| t.name == "tracks") {
            tracks.push_str("  source(");
            lit(&mut tracks, &src.name);
            tracks.push_str(", 'tracks'),\n");
        }
    }
    let mut names = String::new();
    for e in &wh.qa.in_scope {
        names.push_str("  ");
        lit(&mut names, &hex_text(e));
        names.push_str(",\n");
    }
    format!(
        "{HEADER}{{{{ eventsc_qa_summary(\n  ref('eventsc_qa_defects'),\n  [\n{tracks}  ],\n  [\n{names}  ],\n  {},\n  '{}',\n  '{}',\n) }}}}\n",
        wh.qa.required,
        format_number(wh.qa.coverage),
        wh.qa.defect_ceiling
    )
}

/// `models/eventsc_qa.yml`: the models' documentation and the QA gate test.
pub(crate) fn models_yml(v: DbtVersion) -> String {
    let cols = |list: &[(&str, &str)]| -> String {
        let mut out = String::new();
        for (name, what) in list {
            let _ = writeln!(
                out,
                "      - name: {name}\n        description: {}",
                crate::targets::encode::text::yaml_str(&jinja_text(what))
            );
        }
        out
    };
    // The defects the warehouse can report: every kind `validate` counts
    // as a defect but the two a loaded row cannot have (not an object, over
    // 32 KB), named as `validate` names them.
    let kinds: Vec<&str> = crate::validate::kinds::Kind::ALL
        .iter()
        .filter(|k| k.is_defect())
        .map(|k| k.name())
        .filter(|k| !matches!(*k, "malformed" | "size"))
        .collect();
    let rule = format!(
        "The kind of violation, as `eventsc validate` names it: {}.",
        kinds.join(", ")
    );
    let gate = match v {
        DbtVersion::Current => {
            "              config:\n                tags: [\"eventsc_qa_gate\"]\n"
        }
        DbtVersion::Legacy => "              tags: [\"eventsc_qa_gate\"]\n",
    };
    format!(
        "# Written by `eventsc build --target dbt` from the tracking plan; do not edit.\n\
         version: 2\n\
         models:\n\
         \x20 - name: eventsc_qa_defects\n\
         \x20   description: \"One row per broken rule per call received in the QA window (vars eventsc_qa_since, eventsc_qa_until, eventsc_qa_days): what `eventsc validate` reports as defects.\"\n\
         \x20   columns:\n{}\
         \x20 - name: eventsc_qa_summary\n\
         \x20   description: \"The QA verdict over the window, as `eventsc validate` gives it: coverage of the planned events and defective calls against the plan's qa {{ }} targets.\"\n\
         \x20   columns:\n{}\
         \x20       data_tests:\n\
         \x20         - eventsc_true:\n{gate}",
        cols(&[
            (
                "event",
                "The event name (as sent, for unplanned events), or the call: identify, group, page, screen."
            ),
            ("call_type", "track, identify, group, page or screen."),
            (
                "column_name",
                "The warehouse column of the rule (empty for a rule on the whole call)."
            ),
            ("rule", &rule),
            ("message_id", "The call's messageId (the id column)."),
            (
                "location",
                "file:line of the rule in the .events plan, or `Segment spec`."
            ),
            ("received_at", "When Segment received the call."),
        ]),
        cols(&[
            (
                "events_in_scope",
                "Planned events that count for coverage (not deprecated)."
            ),
            (
                "events_observed",
                "Of those, the events seen in the window."
            ),
            (
                "coverage_percent",
                "events_observed / events_in_scope, in percent (100 when none is in scope)."
            ),
            ("coverage_target", "The plan's qa { coverage }."),
            (
                "coverage_met",
                "Whether coverage_percent reaches coverage_target."
            ),
            (
                "defect_count",
                "Calls with at least one defect (distinct message ids in eventsc_qa_defects)."
            ),
            ("defect_ceiling", "The plan's qa { defect_ceiling }."),
            (
                "defects_met",
                "Whether defect_count is at most defect_ceiling."
            ),
            (
                "passed",
                "The verdict: coverage_met and defects_met (its test fails when QA fails)."
            ),
        ]),
    )
}
