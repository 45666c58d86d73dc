//! Runs the rules: applies each rule's level (default, or the plan's `rules { }`),
//! honours `allow(...)` exceptions, and reports exceptions that silence nothing.

use super::{Container, Finding, REGISTRY, RuleDoc, unused};
use crate::diagnostics::{Diagnostic, Severity};
use crate::ir::{Allow, Level, Plan, Property, Type};
use crate::source::Span;
use std::collections::{HashMap, HashSet};

/// The level in force for a rule.
pub(crate) fn level(plan: &Plan, doc: &RuleDoc) -> Level {
    plan.meta
        .rules
        .iter()
        .find(|s| s.rule.value == doc.name)
        .map(|s| s.level.value)
        .unwrap_or(match doc.default {
            super::DefaultLevel::Error => Level::Error,
            super::DefaultLevel::Warn => Level::Warn,
        })
}

fn severity(level: Level) -> Option<Severity> {
    match level {
        Level::Error => Some(Severity::Error),
        Level::Warn => Some(Severity::Warning),
        Level::Off => None,
    }
}

/// Runs every rule over the plan and returns the findings as diagnostics.
pub(crate) fn run(plan: &Plan) -> Vec<Diagnostic> {
    let mut used: HashSet<Span> = HashSet::new();
    let mut out = Vec::new();
    for rule in REGISTRY {
        let doc = rule.doc();
        if doc.name == unused::allow::DOC.name {
            continue;
        }
        let Some(sev) = severity(level(plan, doc)) else {
            continue;
        };
        let mut findings = Vec::new();
        rule.check(plan, &mut findings);
        for f in findings {
            if let Some(a) = matching_allow(plan, &f, doc.name) {
                used.insert(a.span);
                continue;
            }
            out.push(to_diagnostic(f, doc.name, sev));
        }
    }
    if let Some(sev) = severity(level(plan, &unused::allow::DOC)) {
        let mut findings = Vec::new();
        unused_allows(plan, &used, &mut findings);
        out.extend(
            findings
                .into_iter()
                .map(|f| to_diagnostic(f, unused::allow::DOC.name, sev)),
        );
    }
    out
}

fn to_diagnostic(f: Finding, code: &'static str, severity: Severity) -> Diagnostic {
    Diagnostic {
        code,
        severity,
        message: f.message,
        labels: f.labels,
        help: f.help,
    }
}

/// The property at an index path, and every property on the way to it.
fn path_props<'a>(props: &'a [Property], path: &[usize]) -> Vec<&'a Property> {
    let mut out = Vec::new();
    let mut level = props;
    for &i in path {
        let Some(p) = level.get(i) else { break };
        out.push(p);
        let mut ty = &p.ty;
        while let Type::List(t) = ty {
            ty = &t.ty;
        }
        level = match ty {
            Type::Object(children) => children,
            _ => &[],
        };
    }
    out
}

/// The `allow` that silences `rule` for this finding: on the property (or an
/// enclosing object property), or on its event / traits block.
fn matching_allow<'a>(plan: &'a Plan, f: &Finding, rule: &str) -> Option<&'a Allow> {
    let (container_allows, props): (&[Allow], &[Property]) = match &f.container {
        Container::Event(i) => {
            let e = plan.events.get(*i)?;
            (&e.allows, &e.properties)
        }
        Container::Traits(k) => {
            let t = plan.calls().find(|t| t.kind == *k)?;
            (&t.allows, &t.properties)
        }
        Container::View(i) => {
            let t = plan.views.get(*i)?;
            (&t.allows, &t.properties)
        }
        Container::Bundle(i) => (&[], &plan.bundles.get(*i)?.properties),
        _ => return None,
    };
    let from_props = f
        .property
        .as_deref()
        .map(|path| path_props(props, path))
        .unwrap_or_default();
    from_props
        .iter()
        .rev()
        .flat_map(|p| p.modifiers().allows.iter())
        .chain(container_allows)
        .find(|a| a.rule.value == rule && a.reason.is_some())
}

fn unused_allows(plan: &Plan, used: &HashSet<Span>, out: &mut Vec<Finding>) {
    let known: HashSet<&str> = super::names().into_iter().collect();
    let levels: HashMap<&str, Level> = REGISTRY
        .iter()
        .map(|r| (r.doc().name, level(plan, r.doc())))
        .collect();
    let mut seen = HashSet::new();
    let mut report = |a: &Allow| {
        if used.contains(&a.span)
            || a.reason.is_none()
            || !known.contains(a.rule.value.as_str())
            || !seen.insert(a.span)
        {
            return;
        }
        let off = levels.get(a.rule.value.as_str()) == Some(&Level::Off);
        out.push(
            Finding::new(
                Container::Declaration,
                format!("this exception to `{}` silences nothing", a.rule.value),
                a.span,
                if off {
                    "the rule is turned off"
                } else {
                    "the rule does not fire here"
                },
            )
            .help(if off {
                format!(
                    "`{}` is `off` in `rules {{ }}`: remove this `allow`",
                    a.rule.value
                )
            } else {
                "remove the `allow`: stale exceptions hide the next real problem".to_string()
            }),
        );
    };
    fn walk(props: &[Property], report: &mut impl FnMut(&Allow)) {
        for p in props {
            p.modifiers().allows.iter().for_each(&mut *report);
            let mut ty = &p.ty;
            while let Type::List(t) = ty {
                ty = &t.ty;
            }
            if let Type::Object(children) = ty {
                walk(children, report);
            }
        }
    }
    for e in &plan.events {
        e.allows.iter().for_each(&mut report);
        walk(&e.properties, &mut report);
    }
    for t in plan.traits() {
        t.allows.iter().for_each(&mut report);
        walk(&t.properties, &mut report);
    }
    for b in &plan.bundles {
        walk(&b.properties, &mut report);
    }
}
