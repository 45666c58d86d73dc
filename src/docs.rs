//! Documentation of every error code, rule and kind of change, from one source:
//! `eventsc explain` prints it, and `docs/rules.md` is generated from it (a test
//! keeps them in sync).

use crate::diagnostics::codes::{CODES, CodeDoc};
use crate::diff::kinds::{self, ChangeKind};
use crate::rules::{DefaultLevel, REGISTRY, RuleDoc};
use std::fmt::Write;

pub enum Doc {
    Code(&'static CodeDoc),
    Rule(&'static RuleDoc),
    Change(&'static ChangeKind),
}

pub fn find(name: &str) -> Option<Doc> {
    let upper = name.to_ascii_uppercase();
    CODES
        .iter()
        .find(|c| c.code == upper)
        .map(Doc::Code)
        .or_else(|| {
            REGISTRY
                .iter()
                .map(|r| r.doc())
                .find(|d| d.name == name)
                .map(Doc::Rule)
        })
        .or_else(|| kinds::find(name).map(Doc::Change))
}

/// Every code, rule and change kind, for suggestions.
pub fn all_names() -> Vec<&'static str> {
    CODES
        .iter()
        .map(|c| c.code)
        .chain(REGISTRY.iter().map(|r| r.doc().name))
        .chain(kinds::KINDS.iter().map(|k| k.name))
        .collect()
}

/// What a class of change means for a plan's version.
fn class_meaning(class: crate::diff::Class) -> &'static str {
    use crate::diff::Class;
    match class {
        Class::Breaking => {
            "a payload valid before may be rejected now, or a consumer loses data it had: a major version"
        }
        Class::Compatible => "every payload valid before stays valid: a minor version",
        Class::Documentation => "no effect on payloads: a patch version",
        Class::Governance => "needs a reviewer, shown apart: a patch version",
    }
}

fn level(d: DefaultLevel) -> &'static str {
    match d {
        DefaultLevel::Error => "error",
        DefaultLevel::Warn => "warn",
    }
}

fn indent(s: &str) -> String {
    s.lines().map(|l| format!("    {l}\n")).collect()
}

/// The text `eventsc explain NAME` prints.
pub fn explain(doc: &Doc) -> String {
    let mut out = String::new();
    match doc {
        Doc::Code(c) => {
            let _ = writeln!(out, "{}: {}\n", c.code, c.title);
            let _ = writeln!(out, "{}\n", c.explanation);
            let _ = writeln!(out, "Erroneous example:\n\n{}", indent(c.bad));
            let _ = write!(out, "Corrected:\n\n{}", indent(c.good));
        }
        Doc::Rule(r) => {
            let _ = writeln!(out, "{} (default: {})\n", r.name, level(r.default));
            let _ = writeln!(out, "What it does: {}\n", r.summary);
            let _ = writeln!(out, "Why: {}\n", r.why);
            let _ = writeln!(out, "Reported:\n\n{}", indent(r.bad));
            let _ = writeln!(out, "Instead:\n\n{}", indent(r.good));
            let _ = write!(
                out,
                "Configure it in the plan: `rules {{ \"{0}\" = error | warn | off }}`;\nexcuse one event or property: `allow(\"{0}\", reason \"…\")`.\n",
                r.name
            );
        }
        Doc::Change(k) => {
            let _ = writeln!(out, "{} ({})\n", k.name, k.class.as_str());
            let _ = writeln!(out, "{}\n", k.doc);
            let _ = writeln!(
                out,
                "Class: {}, {}.\n",
                k.class.as_str(),
                class_meaning(k.class)
            );
            let _ = writeln!(
                out,
                "Reported by `eventsc diff OLD NEW` (and in audit records) as kind `{}`.",
                k.name
            );
            let _ = writeln!(
                out,
                "Relax it in the new plan: `plan {{ relax {{ \"{}\" = compatible | documentation | governance | ignore }} }}`.",
                k.name
            );
        }
    }
    out
}

/// A list of every code and rule with its one-line summary.
pub(crate) fn list() -> String {
    let mut out = String::from("Error codes:\n");
    for c in CODES {
        let _ = writeln!(out, "  {}  {}", c.code, c.title);
    }
    out.push_str("\nGovernance rules (default level):\n");
    let width = REGISTRY
        .iter()
        .map(|r| r.doc().name.len())
        .max()
        .unwrap_or(0);
    for r in REGISTRY {
        let d = r.doc();
        let _ = writeln!(
            out,
            "  {:width$}  {:5}  {}",
            d.name,
            level(d.default),
            first_sentence(d.summary)
        );
    }
    out.push_str("\nKinds of change (`eventsc diff`, class):\n");
    let width = kinds::KINDS.iter().map(|k| k.name.len()).max().unwrap_or(0);
    for k in kinds::KINDS {
        let _ = writeln!(
            out,
            "  {:width$}  {:13}  {}",
            k.name,
            k.class.as_str(),
            first_sentence(k.doc)
        );
    }
    out
}

fn first_sentence(s: &str) -> &str {
    s.split_once(". ")
        .map_or(s, |(a, _)| a)
        .trim_end_matches('.')
}

fn anchor(s: &str) -> String {
    s.to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// `docs/rules.md`.
pub fn markdown() -> String {
    let mut out = String::new();
    out.push_str("# Error codes, governance rules and kinds of change\n\n");
    out.push_str(
        "<!-- Generated from src/diagnostics/codes.rs, src/rules/** and src/diff/kinds.rs: do not edit.\n",
    );
    out.push_str("     Regenerate with `UPDATE_DOCS=1 cargo test --test docs`. -->\n\n");
    out.push_str("Every entry is also available as `eventsc explain <code-rule-or-kind>`.\n\n");
    out.push_str("## Governance rules\n\n");
    out.push_str(
        "Levels are set per plan in `plan { rules { \"rule/name\" = error | warn | off } }`;\n",
    );
    out.push_str("a justified exception silences one rule for one event or property:\n");
    out.push_str("`allow(\"rule/name\", reason \"…\")`.\n\n");
    out.push_str("| rule | default | what it checks |\n|---|---|---|\n");
    for r in REGISTRY {
        let d = r.doc();
        let _ = writeln!(
            out,
            "| [`{}`](#{}) | {} | {} |",
            d.name,
            anchor(d.name),
            level(d.default),
            d.summary.replace('|', "\\|")
        );
    }
    out.push('\n');
    for r in REGISTRY {
        let d = r.doc();
        let _ = writeln!(out, "### {}\n", d.name);
        let _ = writeln!(out, "Default: **{}**\n", level(d.default));
        let _ = writeln!(out, "{}\n", d.summary);
        let _ = writeln!(out, "**Why:** {}\n", d.why);
        let _ = writeln!(out, "Reported:\n\n```events\n{}\n```\n", d.bad);
        let _ = writeln!(out, "Instead:\n\n```events\n{}\n```\n", d.good);
    }
    out.push_str("## Error codes\n\n| code | meaning |\n|---|---|\n");
    for c in CODES {
        let _ = writeln!(
            out,
            "| [{}](#{}) | {} |",
            c.code,
            anchor(&format!("{} {}", c.code, c.title)),
            c.title
        );
    }
    out.push('\n');
    for c in CODES {
        let _ = writeln!(out, "### {} {}\n", c.code, c.title);
        let _ = writeln!(out, "{}\n", c.explanation);
        let _ = writeln!(out, "Erroneous:\n\n```events\n{}\n```\n", c.bad);
        let _ = writeln!(out, "Corrected:\n\n```events\n{}\n```\n", c.good);
    }
    out.push_str("## Kinds of change\n\n");
    out.push_str(
        "`eventsc diff` classifies every change by its kind (`eventsc explain <kind>`).\n",
    );
    out.push_str(
        "A plan can relax a kind: `plan { relax { \"event-renamed\" = documentation } }`\n",
    );
    out.push_str(
        "reclassifies it, `= ignore` leaves it out of the report and the needed version.\n\n",
    );
    out.push_str("| kind | class | meaning |\n|---|---|---|\n");
    for k in kinds::KINDS {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} |",
            k.name,
            k.class.as_str(),
            k.doc.replace('|', "\\|")
        );
    }
    out
}
