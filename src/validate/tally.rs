//! Counting what was seen: per event (and per identify/group/page/screen/alias
//! call, per unplanned event name), the payloads, the valid ones, violations by
//! kind and the first examples; malformed lines; sample violating payloads.
//!
//! Each chunk of input gets its own [`Tally`]; chunks are merged in input order
//! (`Tally::merge`), so the result is the same for every `--jobs` and every
//! chunk size. Everything kept is bounded: a few examples per event, a few
//! samples, a capped number of distinct unplanned event names.

use super::kinds::{KINDS, Kind, Violation};
use rustc_hash::FxHashMap as HashMap;

/// Violations listed per event unless `--max-violations` says otherwise (all
/// are counted; the ones not listed are reported as "N more").
pub const EXAMPLES: usize = 10;
/// Malformed lines kept (all are counted).
pub(crate) const MALFORMED_KEPT: usize = 20;
/// Sample violating payloads kept (one per event at most).
pub(crate) const SAMPLES: usize = 20;
/// Violations kept with a sample.
pub(crate) const SAMPLE_VIOLATIONS: usize = 20;
/// Distinct unplanned event names counted one by one; the others are counted together.
pub const UNPLANNED_NAMES: usize = 1000;
/// Samples longer than this are not kept in full.
pub(crate) const SAMPLE_BYTES: usize = 64 * 1024;
/// Texts from payloads that are kept (an unplanned event's name, a
/// messageId, a pointer or value in a violation) are cut to this many bytes,
/// so what is kept stays small whatever the payloads hold.
pub(crate) const TEXT_KEPT: usize = 256;

/// `s` cut to [`TEXT_KEPT`] bytes (on a character boundary), marked with `…`.
pub(crate) fn clip(s: &str) -> std::borrow::Cow<'_, str> {
    if s.len() <= TEXT_KEPT {
        return s.into();
    }
    let mut end = TEXT_KEPT;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end]).into()
}

/// A violation as it is kept in an example or a sample.
fn kept(v: &Violation) -> Violation {
    Violation {
        kind: v.kind,
        pointer: clip(&v.pointer).into_owned(),
        expected: clip(&v.expected).into_owned(),
        found: clip(&v.found).into_owned(),
        loc: v.loc,
    }
}

/// Non-track calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Call {
    Identify,
    Group,
    Page,
    Screen,
    Alias,
}

impl Call {
    pub(crate) const ALL: [Call; 5] = [
        Call::Identify,
        Call::Group,
        Call::Page,
        Call::Screen,
        Call::Alias,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Call::Identify => "identify",
            Call::Group => "group",
            Call::Page => "page",
            Call::Screen => "screen",
            Call::Alias => "alias",
        }
    }
}

/// What a payload was counted as.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Target {
    /// A planned event, by index.
    Event(u32),
    Call(Call),
    /// A page or screen call named as one of the plan's named `page "…"` /
    /// `screen "…"` rules, by index into the model's views (calls of any
    /// other name are counted as their [`Call`]).
    View(u32),
    /// A track event the plan does not have.
    Unplanned(Box<str>),
    /// Unplanned events past the first [`UNPLANNED_NAMES`] distinct names.
    OtherUnplanned,
    /// No usable `type` (or `event`), or too large to read.
    Unknown,
}

/// One violation as an example, with the payload it came from.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Example {
    pub(crate) line: u64,
    pub(crate) message_id: Option<String>,
    pub(crate) violation: Violation,
}

/// A violating payload kept for the report.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Sample {
    pub(crate) line: u64,
    pub(crate) target: Target,
    /// The payload as read; `None` when it was too large to keep.
    pub(crate) raw: Option<String>,
    pub(crate) violations: Vec<Violation>,
}

/// Counts for one event or call.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Stats {
    pub(crate) seen: u64,
    /// Payloads with at least one defect.
    pub(crate) defective: u64,
    /// Payloads with warnings only.
    pub(crate) warned: u64,
    pub(crate) by_kind: [u64; KINDS],
    pub(crate) examples: Vec<Example>,
    pub(crate) first_line: u64,
}

impl Stats {
    pub(crate) fn valid(&self) -> u64 {
        self.seen - self.defective
    }

    fn merge(&mut self, other: Stats, limit: usize) {
        if self.seen == 0 || other.first_line < self.first_line {
            self.first_line = other.first_line;
        }
        self.seen += other.seen;
        self.defective += other.defective;
        self.warned += other.warned;
        for (a, b) in self.by_kind.iter_mut().zip(other.by_kind) {
            *a += b;
        }
        // Both lists are in input order; keep the first ones of both. (Several
        // unplanned names merge into one entry, so `other` may come earlier.)
        let mut merged = Vec::with_capacity(limit.min(EXAMPLES));
        let (mut a, mut b) = (
            std::mem::take(&mut self.examples).into_iter().peekable(),
            other.examples.into_iter().peekable(),
        );
        while merged.len() < limit {
            let take_a = match (a.peek(), b.peek()) {
                (Some(x), Some(y)) => x.line <= y.line,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (None, None) => break,
            };
            merged.extend(if take_a { a.next() } else { b.next() });
        }
        self.examples = merged;
    }
}

/// Everything counted over a part of the input.
#[derive(Clone, Debug)]
pub struct Tally {
    /// Violations kept as examples per event (`--max-violations`).
    pub(crate) limit: usize,
    /// Records read (payloads, malformed or not).
    pub records: u64,
    pub malformed: u64,
    /// Payloads (malformed included) with at least one defect.
    pub defective: u64,
    pub(crate) warned: u64,
    pub(crate) by_kind: [u64; KINDS],
    pub(crate) targets: HashMap<Target, Stats>,
    /// Distinct unplanned names counted one by one.
    pub(crate) unplanned_names: usize,
    pub(crate) malformed_lines: Vec<(u64, String)>,
    pub(crate) samples: Vec<Sample>,
}

impl Default for Tally {
    fn default() -> Self {
        Tally::with_limit(EXAMPLES)
    }
}

impl Tally {
    /// A tally keeping `limit` violations per event as examples.
    pub(crate) fn with_limit(limit: usize) -> Tally {
        Tally {
            limit,
            records: 0,
            malformed: 0,
            defective: 0,
            warned: 0,
            by_kind: [0; KINDS],
            targets: HashMap::default(),
            unplanned_names: 0,
            malformed_lines: Vec::new(),
            samples: Vec::new(),
        }
    }

    pub(crate) fn malformed(&mut self, line: u64, message: String) {
        self.records += 1;
        self.malformed += 1;
        self.defective += 1;
        self.by_kind[Kind::Malformed.index()] += 1;
        if self.malformed_lines.len() < MALFORMED_KEPT {
            self.malformed_lines.push((line, message));
        }
    }

    /// Counts one payload and its violations.
    pub(crate) fn add(
        &mut self,
        target: Target,
        line: u64,
        message_id: Option<&str>,
        violations: &[Violation],
        raw: Option<&[u8]>,
    ) {
        self.records += 1;
        let defect = violations.iter().any(|v| v.kind.is_defect());
        let warning = !defect && !violations.is_empty();
        self.defective += defect as u64;
        self.warned += warning as u64;
        let keep_sample = defect
            && self.samples.len() < SAMPLES
            && !self.samples.iter().any(|s| s.target == target);
        if keep_sample {
            self.samples.push(Sample {
                line,
                target: target.clone(),
                raw: raw
                    .filter(|r| r.len() <= SAMPLE_BYTES)
                    .map(|r| String::from_utf8_lossy(r).into_owned()),
                violations: violations
                    .iter()
                    .take(SAMPLE_VIOLATIONS)
                    .map(kept)
                    .collect(),
            });
        }
        let stats = self.targets.entry(target).or_default();
        if stats.seen == 0 {
            stats.first_line = line;
        }
        stats.seen += 1;
        stats.defective += defect as u64;
        stats.warned += warning as u64;
        for v in violations {
            self.by_kind[v.kind.index()] += 1;
            stats.by_kind[v.kind.index()] += 1;
            if stats.examples.len() < self.limit {
                stats.examples.push(Example {
                    line,
                    message_id: message_id.map(|m| clip(m).into_owned()),
                    violation: kept(v),
                });
            }
        }
    }

    /// Adds the tally of the next part of the input (parts must come in order).
    pub(crate) fn merge(&mut self, other: Tally) {
        self.records += other.records;
        self.malformed += other.malformed;
        self.defective += other.defective;
        self.warned += other.warned;
        for (a, b) in self.by_kind.iter_mut().zip(other.by_kind) {
            *a += b;
        }
        for m in other.malformed_lines {
            if self.malformed_lines.len() >= MALFORMED_KEPT {
                break;
            }
            self.malformed_lines.push(m);
        }
        // Unplanned names in the order they first appeared, so the cap keeps
        // the same names however the input was split.
        let mut parts: Vec<(Target, Stats)> = other.targets.into_iter().collect();
        parts.sort_by_key(|(_, s)| s.first_line);
        let mut renamed: HashMap<Target, Target> = HashMap::default();
        for (target, stats) in parts {
            let target = match target {
                Target::Unplanned(name) => {
                    let t = Target::Unplanned(name);
                    if self.targets.contains_key(&t) {
                        t
                    } else if self.unplanned_names < UNPLANNED_NAMES {
                        self.unplanned_names += 1;
                        t
                    } else {
                        renamed.insert(t, Target::OtherUnplanned);
                        Target::OtherUnplanned
                    }
                }
                t => t,
            };
            let limit = self.limit;
            self.targets.entry(target).or_default().merge(stats, limit);
        }
        for mut s in other.samples {
            if let Some(t) = renamed.get(&s.target) {
                s.target = t.clone();
            }
            if self.samples.len() < SAMPLES && !self.samples.iter().any(|x| x.target == s.target) {
                self.samples.push(s);
            }
        }
    }

    pub(crate) fn stats(&self, target: &Target) -> Option<&Stats> {
        self.targets.get(target)
    }
}
