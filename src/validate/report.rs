//! The results of a run: the QA verdict (coverage and defects against the plan's
//! `qa { }`), per-event rows, never-seen events, malformed lines and sample
//! payloads, as one [`Summary`] rendered three ways: a human table, JSON for
//! machines, and the Markdown evidence report for the QA checklist.
//!
//! Deterministic: rows follow the plan's order (then identify, group, page,
//! screen, alias, unplanned events by first appearance); no clock, no hash order.

use super::kinds::{Kind, Violation};
use super::model::{Model, ViewModel};
use super::redact;
use super::tally::{Call, Example, Stats, Tally, Target};
use crate::targets::encode::markdown::{code, code_span, fence, inline, rich, text as md};
use serde::Serialize;
use serde_json::Value;
use std::fmt::Write;

/// Never-seen events listed in the human output before "… and N more".
const HUMAN_NEVER_SEEN: usize = 20;

#[derive(Serialize, Debug)]
pub struct Summary {
    pub(crate) plan: PlanRef,
    /// The payload file as given (`-` for stdin).
    pub(crate) payloads: String,
    /// `--event` patterns: the events QA covers in this run (all when empty).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) scope: Vec<String>,
    pub(crate) provenance: Provenance,
    pub qa: Qa,
    pub totals: Totals,
    pub events: Vec<Row>,
    pub(crate) never_seen: Vec<NeverSeen>,
    pub(crate) malformed: Vec<Malformed>,
    pub(crate) samples: Vec<SampleOut>,
    /// `--show-values`: payload values kept as they are, personal data included.
    #[serde(skip)]
    pub(crate) values_shown: bool,
    /// With `--record DIR`: the rip-cord over the recorded runs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) ripcord: Option<super::record::Ripcord>,
}

/// Where the results come from: enough to tell two runs apart and to check
/// that a report is about the payloads and plan at hand.
#[derive(Serialize, Debug, Clone, Default)]
pub(crate) struct Provenance {
    /// When the results were made, UTC (`SOURCE_DATE_EPOCH`, in seconds,
    /// fixes it: reproducible reports).
    pub(crate) date: String,
    pub(crate) eventsc: &'static str,
    /// SHA-256 of the payload bytes as read (the file as stored, gzip or not).
    pub(crate) payloads_sha256: String,
    /// SHA-256 of the plan's sources, as plan.json's `sources_hash`.
    pub(crate) plan_sources_sha256: String,
}

#[derive(Serialize, Debug)]
pub(crate) struct PlanRef {
    pub(crate) title: String,
    pub(crate) version: String,
}

#[derive(Serialize, Debug)]
pub struct Qa {
    pub(crate) passed: bool,
    pub coverage: Coverage,
    pub(crate) defects: Defects,
}

#[derive(Serialize, Debug)]
pub struct Coverage {
    /// Planned events that are not deprecated.
    pub(crate) planned: u64,
    pub(crate) observed: u64,
    /// Planned events that must be observed to meet the target.
    pub(crate) required: u64,
    /// Percent, 100 when nothing is planned.
    pub(crate) percent: f64,
    pub(crate) target: f64,
    pub met: bool,
}

/// The event column of the table is padded to at most this width (longer
/// names run over; a format width must stay under 65,536).
const MAX_COLUMN: usize = 80;

#[derive(Serialize, Debug)]
pub(crate) struct Defects {
    /// Payloads with at least one defect (malformed lines included).
    pub(crate) payloads: u64,
    pub(crate) ceiling: u32,
    pub(crate) met: bool,
}

#[derive(Serialize, Debug)]
pub struct Totals {
    pub records: u64,
    pub(crate) valid: u64,
    pub defective: u64,
    /// Payloads with warnings and no defect.
    pub(crate) warned: u64,
    pub(crate) malformed: u64,
    /// Violations by kind (kinds with none left out), in the order of
    /// `eventsc validate`'s kinds.
    pub(crate) violations: KindCounts,
}

#[derive(Debug, Clone)]
pub(crate) struct KindCount {
    pub(crate) kind: Kind,
    pub(crate) count: u64,
}

/// Violation counts, as a JSON object `{kind: count}` in the order of the kinds.
#[derive(Debug, Clone, Default)]
pub(crate) struct KindCounts(pub Vec<KindCount>);

impl Serialize for KindCounts {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for k in &self.0 {
            m.serialize_entry(k.kind.name(), &k.count)?;
        }
        m.end()
    }
}

impl std::ops::Deref for KindCounts {
    type Target = [KindCount];
    fn deref(&self) -> &[KindCount] {
        &self.0
    }
}

#[derive(Serialize, Debug)]
pub struct Row {
    pub name: String,
    /// The event's version, when it has several (Segment's event versions).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) version: Option<u32>,
    /// `track`, `identify`, `group`, `page`, `screen`, `alias` or `unknown`.
    pub call: &'static str,
    /// `planned`, `deprecated`, `unplanned` or `n/a` (calls without a block).
    pub(crate) status: &'static str,
    /// Where it is declared.
    pub(crate) location: Option<String>,
    pub seen: u64,
    pub(crate) valid: u64,
    pub(crate) defective: u64,
    pub(crate) warned: u64,
    pub(crate) violations: KindCounts,
    pub examples: Vec<ExampleOut>,
    /// Violations counted but not listed in `examples` (`--max-violations`).
    #[serde(skip_serializing_if = "is_zero")]
    pub(crate) unlisted: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

#[derive(Serialize, Debug, Clone)]
pub struct ExampleOut {
    pub line: u64,
    pub(crate) message_id: Option<String>,
    pub(crate) kind: Kind,
    pub(crate) severity: &'static str,
    pub(crate) pointer: String,
    pub(crate) expected: String,
    pub found: String,
    /// `file:line` of the rule, or `Segment spec`.
    pub(crate) rule: String,
}

#[derive(Serialize, Debug)]
pub(crate) struct NeverSeen {
    pub(crate) name: String,
    pub(crate) location: String,
}

#[derive(Serialize, Debug)]
pub(crate) struct Malformed {
    pub(crate) line: u64,
    pub(crate) message: String,
}

#[derive(Serialize, Debug)]
pub(crate) struct SampleOut {
    pub(crate) line: u64,
    pub(crate) event: String,
    /// The payload with personal data redacted (see [`super::redact`]); `null`
    /// if it was too large to keep.
    pub(crate) payload: Value,
    pub(crate) violations: Vec<ExampleOut>,
}

fn counts(by_kind: &[u64]) -> KindCounts {
    KindCounts(
        Kind::ALL
            .iter()
            .zip(by_kind)
            .filter(|(_, n)| **n > 0)
            .map(|(k, n)| KindCount {
                kind: *k,
                count: *n,
            })
            .collect(),
    )
}

/// One violation as the outputs show it.
pub(crate) fn example(
    model: &Model,
    line: u64,
    message_id: Option<String>,
    v: &Violation,
) -> ExampleOut {
    ExampleOut {
        line,
        message_id,
        kind: v.kind,
        severity: v.kind.severity(),
        pointer: v.pointer.clone(),
        expected: v.expected.clone(),
        found: v.found.clone(),
        rule: v
            .loc
            .map_or_else(|| "Segment spec".to_string(), |l| model.location(l)),
    }
}

fn examples(model: &Model, ex: &[Example]) -> Vec<ExampleOut> {
    ex.iter()
        .map(|e| example(model, e.line, e.message_id.clone(), &e.violation))
        .collect()
}

/// Redacts the personal data of a payload in place (see [`super::redact`]).
pub(crate) fn redact(model: &Model, target: &Target, payload: &mut Value) {
    redact::payload(model, target, payload);
}

/// A violation without personal data: the value at a personal place, and any
/// email address or phone number in what it names (see [`super::redact`]).
pub(crate) fn private_example(model: &Model, target: &Target, e: &mut ExampleOut) {
    if let Some(class) = redact::at_pointer(model, target, &e.pointer) {
        e.found = redact::found(&e.found, &class);
    }
    e.found = redact::scrub(&e.found).into_owned();
    e.pointer = redact::scrub(&e.pointer).into_owned();
    if let Some(m) = &mut e.message_id {
        *m = redact::scrub(m).into_owned();
    }
}

/// What a payload was counted as, as the rows and the samples name it;
/// unless `show_values`, with email addresses and phone numbers scrubbed
/// (an unplanned event's name comes from the payload).
pub(crate) fn target_name(model: &Model, t: &Target, show_values: bool) -> String {
    let n = match t {
        Target::Event(i) => model.events[*i as usize].name.to_string(),
        Target::Call(c) => c.name().to_string(),
        Target::View(i) => view_label(&model.views[*i as usize]),
        Target::Unplanned(n) => n.to_string(),
        Target::OtherUnplanned => "(other unplanned events)".into(),
        Target::Unknown => "(no usable type)".into(),
    };
    if show_values {
        n
    } else {
        redact::scrub(&n).into_owned()
    }
}

/// The version of the event a payload was counted as, when it has several.
pub(crate) fn target_version(model: &Model, t: &Target) -> Option<u32> {
    match t {
        Target::Event(i) => model.events[*i as usize].version,
        _ => None,
    }
}

/// `page "Pricing"`: a named page or screen rule as its row names it.
fn view_label(v: &ViewModel) -> String {
    let kind = if v.page { "page" } else { "screen" };
    match &v.name {
        Some(n) => format!("{kind} {n:?}"),
        None => kind.to_string(),
    }
}

/// Builds the summary of a run, personal data redacted (`validate::redact`).
pub fn summarize(model: &Model, tally: &Tally, payloads: &str) -> Summary {
    summarize_with(model, tally, payloads, false)
}

/// [`summarize`]; with `show_values`, payload values are kept as they are,
/// personal data included (`validate --show-values`).
pub fn summarize_with(model: &Model, tally: &Tally, payloads: &str, show_values: bool) -> Summary {
    let empty = Stats::default();
    let private = |t: &Target, mut e: ExampleOut| {
        if !show_values {
            private_example(model, t, &mut e);
        }
        e
    };
    let name_of = |t: &Target| target_name(model, t, show_values);
    let row = |t: &Target, call, status, location: Option<String>| {
        let s = tally.stats(t).unwrap_or(&empty);
        Row {
            name: name_of(t),
            version: target_version(model, t),
            call,
            status,
            location,
            seen: s.seen,
            valid: s.valid(),
            defective: s.defective,
            warned: s.warned,
            violations: counts(&s.by_kind),
            examples: examples(model, &s.examples)
                .into_iter()
                .map(|e| private(t, e))
                .collect(),
            unlisted: s.by_kind.iter().sum::<u64>() - s.examples.len() as u64,
        }
    };
    let mut events = Vec::new();
    let mut never_seen = Vec::new();
    let mut observed = 0;
    // An event is observed when a payload of any of its versions is seen.
    let seen_names: std::collections::HashSet<&str> = model
        .events
        .iter()
        .enumerate()
        .filter(|(i, _)| {
            tally
                .stats(&Target::Event(*i as u32))
                .is_some_and(|s| s.seen > 0)
        })
        .map(|(_, e)| &*e.name)
        .collect();
    for (i, e) in model.events.iter().enumerate() {
        let t = Target::Event(i as u32);
        let status = if e.deprecated.is_some() {
            "deprecated"
        } else {
            "planned"
        };
        let r = row(&t, "track", status, Some(model.location(e.loc)));
        if e.in_scope {
            if seen_names.contains(&*e.name) {
                observed += 1;
            } else {
                never_seen.push(NeverSeen {
                    name: e.name.to_string(),
                    location: model.location(e.loc),
                });
            }
        }
        events.push(r);
    }
    for c in Call::ALL {
        let t = Target::Call(c);
        let view = |page| {
            model
                .view_rules(page, None)
                .1
                .map(|i| &model.views[i as usize].traits)
        };
        let block = match c {
            Call::Identify => model.identify.as_ref(),
            Call::Group => model.group.as_ref(),
            Call::Page => view(true),
            Call::Screen => view(false),
            Call::Alias => None,
        };
        if block.is_some() || tally.stats(&t).is_some() {
            let (status, loc) = match block {
                Some(b) => ("planned", Some(model.location(b.loc))),
                None => ("n/a", None),
            };
            events.push(row(&t, c.name(), status, loc));
        }
        // Then the named page (or screen) rules, one row each.
        for (i, v) in model.views.iter().enumerate() {
            let page = c == Call::Page;
            if v.name.is_some() && (page || c == Call::Screen) && v.page == page {
                let loc = Some(model.location(v.traits.loc));
                events.push(row(&Target::View(i as u32), c.name(), "planned", loc));
            }
        }
    }
    let mut others: Vec<(&Target, &Stats)> = tally
        .targets
        .iter()
        .filter(|(t, _)| matches!(t, Target::Unplanned(_)))
        .collect();
    others.sort_by(|a, b| (a.1.first_line, a.0).cmp(&(b.1.first_line, b.0)));
    for (t, _) in others {
        events.push(row(t, "track", "unplanned", None));
    }
    if tally.stats(&Target::OtherUnplanned).is_some() {
        events.push(row(&Target::OtherUnplanned, "track", "unplanned", None));
    }
    if tally.stats(&Target::Unknown).is_some() {
        events.push(row(&Target::Unknown, "unknown", "n/a", None));
    }

    let planned = model.planned().count() as u64;
    let qa = model.info.qa;
    let verdict = qa.verdict(planned, observed, tally.defective);
    let samples = tally
        .samples
        .iter()
        .map(|s| SampleOut {
            line: s.line,
            event: name_of(&s.target),
            payload: s
                .raw
                .as_deref()
                .and_then(|r| serde_json::from_str::<Value>(r).ok())
                .map_or(Value::Null, |mut v| {
                    if !show_values {
                        redact::payload(model, &s.target, &mut v);
                    }
                    v
                }),
            violations: s
                .violations
                .iter()
                .map(|v| private(&s.target, example(model, s.line, None, v)))
                .collect(),
        })
        .collect();
    Summary {
        plan: PlanRef {
            title: model.info.title.clone(),
            version: model.info.version.clone(),
        },
        payloads: payloads.to_string(),
        scope: Vec::new(),
        provenance: Provenance {
            date: String::new(),
            eventsc: env!("CARGO_PKG_VERSION"),
            payloads_sha256: String::new(),
            plan_sources_sha256: model.info.sources_sha256.clone(),
        },
        ripcord: None,
        qa: Qa {
            passed: verdict.passed,
            coverage: Coverage {
                planned,
                observed,
                required: verdict.required,
                percent: crate::ir::Qa::percent(planned, observed),
                target: qa.coverage,
                met: verdict.coverage_met,
            },
            defects: Defects {
                payloads: tally.defective,
                ceiling: qa.defect_ceiling,
                met: verdict.defects_met,
            },
        },
        totals: Totals {
            records: tally.records,
            valid: tally.records - tally.defective,
            defective: tally.defective,
            warned: tally.warned,
            malformed: tally.malformed,
            violations: counts(&tally.by_kind),
        },
        events,
        never_seen,
        malformed: tally
            .malformed_lines
            .iter()
            .map(|(line, message)| Malformed {
                line: *line,
                message: if show_values {
                    message.clone()
                } else {
                    redact::scrub(message).into_owned()
                },
            })
            .collect(),
        samples,
        values_shown: show_values,
    }
}

/// One decimal, rounded down (99.99% is not shown as 100%).
fn percent(p: f64) -> String {
    let s = format!("{:.1}", (p * 10.0 + 1e-9).floor() / 10.0);
    s.strip_suffix(".0").map_or(s.clone(), str::to_string)
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn kinds_text(v: &KindCounts) -> String {
    v.iter()
        .map(|k| format!("{} {}", k.kind.name(), k.count))
        .collect::<Vec<_>>()
        .join(", ")
}

fn example_line(e: &ExampleOut) -> String {
    use crate::visible::visible;
    let id = e
        .message_id
        .as_deref()
        .map_or(String::new(), |m| format!(" [{}]", visible(m)));
    let ptr = if e.pointer.is_empty() {
        "(payload)".into()
    } else {
        visible(&e.pointer)
    };
    format!(
        "line {}{id} {ptr}: expected {}, found {} ({} {}, {})",
        e.line,
        visible(&e.expected),
        visible(&e.found),
        e.severity,
        e.kind.name(),
        visible(&e.rule)
    )
}

impl Summary {
    fn coverage_text(&self) -> String {
        let c = &self.qa.coverage;
        let scope = if self.scope.is_empty() {
            String::new()
        } else {
            let events: Vec<String> = self.scope.iter().map(|p| format!("{p:?}")).collect();
            format!(" in the scope of --event {}", events.join(", "))
        };
        format!(
            "{}/{} planned events seen ({}%){scope}",
            c.observed,
            c.planned,
            percent(c.percent)
        )
    }

    fn defects_text(&self) -> String {
        plural(
            self.qa.defects.payloads,
            "payload with defects",
            "payloads with defects",
        )
    }

    /// The human table (stdout). Every text from the plan or the payloads is
    /// shown through [`crate::visible`]: no control sequence reaches the terminal.
    pub fn human(&self) -> String {
        use crate::visible::visible;
        let mut out = String::new();
        let t = &self.totals;
        let _ = writeln!(
            out,
            "validated {} from {} against {:?} {}\n",
            plural(t.records, "payload", "payloads"),
            visible(&self.payloads),
            self.plan.title,
            visible(&self.plan.version)
        );
        let rows: Vec<&Row> = self
            .events
            .iter()
            .filter(|r| r.seen > 0 || r.status == "planned" && r.call != "track")
            .collect();
        if rows.is_empty() {
            out.push_str("no payloads\n");
        } else {
            let label = |r: &Row| {
                let name = match r.version {
                    Some(v) => format!("{} v{v}", visible(&r.name)),
                    None => visible(&r.name).into_owned(),
                };
                match r.status {
                    "unplanned" => format!("{name} (unplanned)"),
                    "deprecated" => format!("{name} (deprecated)"),
                    _ => name,
                }
            };
            let w = rows
                .iter()
                .map(|r| label(r).chars().count())
                .max()
                .unwrap_or(5)
                .clamp(5, MAX_COLUMN);
            let _ = writeln!(
                out,
                "{:<w$}  {:>7}  {:>7}  {:>9}  {:>6}  violations",
                "event", "seen", "valid", "defective", "warned"
            );
            for r in rows {
                let _ = writeln!(
                    out,
                    "{:<w$}  {:>7}  {:>7}  {:>9}  {:>6}  {}",
                    label(r),
                    r.seen,
                    r.valid,
                    r.defective,
                    r.warned,
                    kinds_text(&r.violations)
                )
                .map(|_| ());
                for e in &r.examples {
                    let _ = writeln!(out, "    {}", example_line(e));
                }
                if r.unlisted > 0 {
                    let _ = writeln!(
                        out,
                        "    … and {} (--max-violations N lists more)",
                        unlisted(r.unlisted)
                    );
                }
            }
        }
        if !self.never_seen.is_empty() {
            let _ = writeln!(
                out,
                "\nnever seen ({}):",
                plural(
                    self.never_seen.len() as u64,
                    "planned event",
                    "planned events"
                )
            );
            for n in self.never_seen.iter().take(HUMAN_NEVER_SEEN) {
                let _ = writeln!(out, "    {:?} ({})", n.name, visible(&n.location));
            }
            if self.never_seen.len() > HUMAN_NEVER_SEEN {
                let _ = writeln!(
                    out,
                    "    … and {} more",
                    self.never_seen.len() - HUMAN_NEVER_SEEN
                );
            }
        }
        if t.malformed > 0 {
            let _ = writeln!(
                out,
                "\nmalformed: {}",
                plural(t.malformed, "record", "records")
            );
            for m in &self.malformed {
                let _ = writeln!(out, "    line {}: {}", m.line, visible(&m.message));
            }
            if t.malformed > self.malformed.len() as u64 {
                let _ = writeln!(
                    out,
                    "    … and {} more",
                    t.malformed - self.malformed.len() as u64
                );
            }
        }
        let _ = writeln!(
            out,
            "\npayloads: {} valid, {} with defects, {} with warnings only, {} malformed",
            t.valid, t.defective, t.warned, t.malformed
        );
        let c = &self.qa.coverage;
        let _ = writeln!(
            out,
            "coverage: {}, target {}%: {}",
            self.coverage_text(),
            percent(c.target),
            if c.met { "met" } else { "NOT met" }
        );
        let d = &self.qa.defects;
        let _ = writeln!(
            out,
            "defects:  {}, ceiling {}: {}",
            self.defects_text(),
            d.ceiling,
            if d.met { "within" } else { "OVER the ceiling" }
        );
        let _ = writeln!(
            out,
            "QA {}",
            if self.qa.passed { "passed" } else { "FAILED" }
        );
        if let Some(r) = &self.ripcord {
            let _ = writeln!(out, "rip-cord: {}", ripcord_text(r));
        }
        out
    }

    /// The JSON document (stdout with `--format json`).
    pub fn json(&self) -> String {
        let s = serde_json::to_string_pretty(self).unwrap_or_default();
        let mut s = crate::visible::json(&s).into_owned();
        s.push('\n');
        s
    }

    /// The Markdown evidence report.
    pub(crate) fn markdown(&self, model: &Model) -> String {
        let mut out = String::new();
        let t = &self.totals;
        let _ = writeln!(
            out,
            "# QA evidence: {} {}\n",
            inline(&self.plan.title),
            inline(&self.plan.version)
        );
        let _ = writeln!(
            out,
            "Generated by `eventsc validate` from {} ({}). {}\n",
            code_span(&self.payloads),
            plural(t.records, "record", "records"),
            if self.values_shown {
                "Values are shown as captured (`--show-values`): this report may hold personal data."
            } else {
                "Personal data is redacted: values of `pii(...)` properties, Segment's personal traits and context fields (`context.traits`, `context.ip`, …), and email addresses and phone numbers wherever they appear."
            }
        );
        let p = &self.provenance;
        let _ = writeln!(
            out,
            "| provenance | |\n|---|---|\n| date | {} |\n| eventsc | {} |\n| payloads | {}, sha256 {} |\n| plan sources | sha256 {} |\n",
            md(&p.date),
            p.eventsc,
            code(&self.payloads),
            code(&p.payloads_sha256),
            code(&p.plan_sources_sha256)
        );
        let _ = writeln!(
            out,
            "## Result: {}\n",
            if self.qa.passed {
                "QA passed"
            } else {
                "QA FAILED"
            }
        );
        let c = &self.qa.coverage;
        let d = &self.qa.defects;
        out.push_str("| check | measured | target | status |\n|---|---|---|---|\n");
        let _ = writeln!(
            out,
            "| coverage | {} | ≥ {}% | {} |",
            self.coverage_text(),
            percent(c.target),
            if c.met { "met" } else { "**not met**" }
        );
        let _ = writeln!(
            out,
            "| defects | {} | ≤ {} | {} |\n",
            self.defects_text(),
            d.ceiling,
            if d.met {
                "within the ceiling"
            } else {
                "**over the ceiling**"
            }
        );
        let _ = writeln!(
            out,
            "Payloads: {} read, {} valid, {} with defects, {} with warnings only, {} malformed.\n",
            t.records, t.valid, t.defective, t.warned, t.malformed
        );
        if !t.violations.is_empty() {
            out.push_str("| violation | severity | count | meaning |\n|---|---|---|---|\n");
            for k in t.violations.iter() {
                let _ = writeln!(
                    out,
                    "| `{}` | {} | {} | {} |",
                    k.kind.name(),
                    k.kind.severity(),
                    k.count,
                    rich(k.kind.about(), true)
                );
            }
            out.push('\n');
        }

        out.push_str("## Per event\n\n| event | call | status | declared | seen | valid | defective | warned | violations |\n|---|---|---|---|---|---|---|---|---|\n");
        for r in &self.events {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                md(&r.name),
                r.call,
                r.status,
                r.location.as_deref().map_or("—".into(), code),
                r.seen,
                r.valid,
                r.defective,
                r.warned,
                md(&kinds_text(&r.violations))
            );
        }
        out.push('\n');

        out.push_str("## Never seen\n\n");
        if self.never_seen.is_empty() {
            out.push_str("Every planned event was seen.\n\n");
        } else {
            for n in &self.never_seen {
                let _ = writeln!(out, "- {} ({})", md(&n.name), code_span(&n.location));
            }
            out.push('\n');
        }

        let with_examples: Vec<&Row> = self
            .events
            .iter()
            .filter(|r| !r.examples.is_empty())
            .collect();
        if !with_examples.is_empty() {
            out.push_str("## First violations per event\n\n");
            for r in with_examples {
                let _ = writeln!(out, "### {}\n", md(&r.name));
                for e in &r.examples {
                    let _ = writeln!(out, "- {}", md_example(e));
                }
                if r.unlisted > 0 {
                    let _ = writeln!(
                        out,
                        "- … and {} (`--max-violations N` lists more)",
                        unlisted(r.unlisted)
                    );
                }
                out.push('\n');
            }
        }

        if !self.malformed.is_empty() {
            out.push_str("## Malformed records\n\n");
            for m in &self.malformed {
                let _ = writeln!(out, "- line {}: {}", m.line, rich(&m.message, false));
            }
            if t.malformed > self.malformed.len() as u64 {
                let _ = writeln!(
                    out,
                    "- … and {} more",
                    t.malformed - self.malformed.len() as u64
                );
            }
            out.push('\n');
        }

        if !self.samples.is_empty() {
            out.push_str("## Sample violating payloads\n\nThe first violating payload of each event (up to 20), PII redacted.\n\n");
            for s in &self.samples {
                let _ = writeln!(out, "### line {}: {}\n", s.line, md(&s.event));
                for v in &s.violations {
                    let _ = writeln!(out, "- {}", md_example(v));
                }
                out.push('\n');
                if s.payload.is_null() {
                    out.push_str("(payload too large to show)\n\n");
                } else {
                    let pretty = serde_json::to_string_pretty(&s.payload).unwrap_or_default();
                    let pretty = crate::visible::json(&pretty);
                    let fence = fence(&pretty);
                    let _ = writeln!(out, "{fence}json\n{pretty}\n{fence}\n");
                }
            }
        }

        if let Some(r) = &self.ripcord {
            out.push_str("## Rip-cord\n\n");
            let _ = writeln!(out, "{}\n", md(&ripcord_text(r)));
            if !r.breaches.is_empty() {
                out.push_str("Guardrail breaches within the window (QA failed, or a privacy defect), this run's included:\n\n");
                for b in &r.breaches {
                    let _ = writeln!(out, "- {}", md(b));
                }
                out.push('\n');
            }
        }

        if !self.qa.passed {
            let i = &model.info;
            out.push_str("## Escalation\n\n");
            let _ = writeln!(
                out,
                "QA failed. Fix the defects and re-run `eventsc validate`, at most {} more time{}; then escalate along the ladder, in order:\n",
                i.qa.retry_limit,
                if i.qa.retry_limit == 1 { "" } else { "s" }
            );
            for (n, o) in i.escalation.iter().enumerate() {
                let _ = writeln!(out, "{}. {}", n + 1, md(&owner_text(o)));
            }
            if i.escalation.is_empty() {
                out.push_str("(the plan names no escalation ladder)\n");
            }
            let _ = writeln!(
                out,
                "\nRip-cord: when {} guardrail breaches (a QA run over the defect ceiling or under the coverage target, or a privacy defect) happen within {}, stop the release and alert {}.",
                i.escalate_after.split(" in ").next().unwrap_or(""),
                i.escalate_after.split(" in ").nth(1).unwrap_or(""),
                md(&i
                    .ripcord
                    .iter()
                    .map(|o| o.id.clone())
                    .collect::<Vec<_>>()
                    .join(", "))
            );
            let privacy = t
                .violations
                .iter()
                .find(|k| k.kind == Kind::Consent)
                .map_or(0, |k| k.count);
            if privacy > 0 {
                let _ = writeln!(
                    out,
                    "\nThis run found {}: it counts as a guardrail breach.",
                    plural(privacy, "privacy defect", "privacy defects")
                );
            }
        }
        out
    }
}

/// `3 more violations`.
fn unlisted(n: u64) -> String {
    plural(n, "more violation", "more violations")
}

/// The rip-cord's state in one sentence.
fn ripcord_text(r: &super::record::Ripcord) -> String {
    let within = r.trigger.split(" in ").nth(1).unwrap_or("");
    let breaches = plural(
        r.breaches.len() as u64,
        "guardrail breach",
        "guardrail breaches",
    );
    if r.pulled {
        format!(
            "PULLED: {breaches} within {within} (trigger `escalate_after {}`): stop the release and alert {}",
            r.trigger,
            if r.alert.is_empty() {
                "(the plan names no `ripcord`)".to_string()
            } else {
                r.alert.join(", ")
            }
        )
    } else {
        format!(
            "not pulled: {breaches} within {within} of the {} that pull it (trigger `escalate_after {}`; {} recorded)",
            r.threshold,
            r.trigger,
            plural(r.runs as u64, "run", "runs")
        )
    }
}

fn owner_text(o: &super::model::OwnerInfo) -> String {
    let mut s = format!("{} ({})", o.id, o.name);
    if let Some(c) = &o.contact {
        let _ = write!(s, ", {c}");
    }
    if let Some(b) = &o.backup {
        let _ = write!(s, "; backup {b}");
    }
    s
}

/// A violation as a list item. The message id, pointer and values come from
/// the payload and the plan: code spans and text escaped by the document
/// targets' Markdown encoder, whatever they hold.
fn md_example(e: &ExampleOut) -> String {
    let id = e
        .message_id
        .as_deref()
        .map_or(String::new(), |m| format!(" {}", code_span(m)));
    let ptr = if e.pointer.is_empty() {
        "(payload)".to_string()
    } else {
        code_span(&e.pointer)
    };
    format!(
        "line {}{id} {ptr}: expected {}, found {} ({} `{}`, rule {})",
        e.line,
        rich(&e.expected, false),
        rich(&e.found, false),
        e.severity,
        e.kind.name(),
        code_span(&e.rule)
    )
}
