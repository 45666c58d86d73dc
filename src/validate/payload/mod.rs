//! Checks one payload against the model, in one pass over its bytes.
//!
//! The envelope is read first, keeping `properties`, `traits` and `context` as
//! raw JSON slices (validated, not built); then `context` and the properties are
//! walked with serde seeds that carry their part of the model, so no JSON tree
//! is ever allocated and strings are borrowed from the input. Violations are the
//! only allocations, and only when something is wrong.
//!
//! What goes where:
//! - this file: [`Checker`], one record from bytes to its tally (UTF-8, the
//!   size limit, JSON errors, a repeated key read again as the last value
//!   wins), and the helpers every part shares (`quote`, `escape_pointer`).
//! - `read.rs`: reading the envelope in one pass: its top-level fields
//!   (`Envelope`), the context (`Context`: `groupId`, consent
//!   preferences). A new field of the call or of `context` (say
//!   `context.protocols.event_version`) is read here.
//! - `envelope.rs`: the envelope rules: `messageId`, timestamps, `userId` /
//!   `anonymousId`, the call's `type` and what each type checks (track: the
//!   event, its lifecycle, identity and consent; identify/group: traits). A new
//!   rule on the call's fields, a new kind of call (page, screen) or choosing
//!   which version of an event applies goes here.
//! - `visit.rs`: the value visitors: objects of planned properties (unplanned,
//!   closed, required, repeated keys), lists and their items, unions, `null`,
//!   consent per property. A new shape of value is walked here.
//! - `scalar.rs`: the scalar checks on one value once its type is known:
//!   strings (length, pattern, format, date/date-time), numbers (integer,
//!   bounds, `multiple_of`), enums, `not_pattern` / `not_enum`, and how a
//!   value is shown (PII redacted). A new constraint on a scalar goes here.
//! - `other.rs`: the JSON types a visitor does not look into (skipped, then
//!   ignored or reported by the visitor's `other` method): one macro,
//!   `other_types!`, writes those `visit_*` methods for every visitor.

pub(super) mod envelope;
pub(super) mod other;
pub(super) mod read;
pub(super) mod scalar;
pub(super) mod visit;

use super::kinds::{Kind, Violation};
use super::model::{Loc, Model};
use super::tally::{Tally, Target};
use read::{EnvelopeVisitor, Field};
use serde::de::DeserializeSeed;
use std::borrow::Cow;
use std::cell::Cell;

/// Segment's per-message limit (32 KB).
pub(crate) const MAX_PAYLOAD: usize = 32 * 1024;

/// Checks payloads; keeps buffers between them.
pub struct Checker<'m> {
    model: &'m Model,
    violations: Vec<Violation>,
    /// Consent purposes switched off in the current payload, by purpose index.
    off: Vec<bool>,
    any_off: bool,
    /// A key was repeated in an object where it matters (the envelope, the
    /// context, consent preferences, planned properties): the payload is
    /// read again as JSON parsers read it, the last value winning.
    dup: Cell<bool>,
    /// "Did you mean" for unplanned event names, by name (bounded).
    suggestions: rustc_hash::FxHashMap<Box<str>, String>,
    /// What the last record was counted as (`None`: malformed).
    last: Option<Target>,
}

/// Unplanned event names whose suggestion is remembered.
const SUGGESTIONS: usize = 4096;

impl<'m> Checker<'m> {
    pub fn new(model: &'m Model) -> Self {
        Checker {
            model,
            violations: Vec::new(),
            off: vec![false; model.categories.len()],
            any_off: false,
            suggestions: Default::default(),
            dup: Cell::new(false),
            last: None,
        }
    }

    /// `; did you mean "X"?` for an unplanned event name, or nothing (a scan
    /// of the plan's events, remembered per name).
    fn suggest_event(&mut self, name: &str) -> String {
        if let Some(s) = self.suggestions.get(name) {
            return s.clone();
        }
        let hint =
            crate::validate::suggest::hint(self.model.suggest_event(name), |s| format!("{s:?}"));
        if self.suggestions.len() < SUGGESTIONS {
            self.suggestions.insert(name.into(), hint.clone());
        }
        hint
    }

    /// The violations of the last record checked.
    pub(crate) fn violations(&self) -> &[Violation] {
        &self.violations
    }

    /// What the last record checked was counted as: the event (the version
    /// its `context.protocols.event_version` picked), the call, the named
    /// page or screen rule; `None` when it was malformed.
    pub(crate) fn target(&self) -> Option<&Target> {
        self.last.as_ref()
    }

    /// A record that is not JSON (or not an object).
    pub(crate) fn malformed(&mut self, tally: &mut Tally, line: u64, message: String) {
        tally.malformed(line, message);
    }

    /// A record too large to read (far over the 32 KB limit).
    pub(crate) fn oversize(&mut self, tally: &mut Tally, line: u64, len: u64) {
        self.violations.clear();
        self.violations.push(size_violation(len));
        self.last = Some(Target::Unknown);
        tally.add(Target::Unknown, line, None, &self.violations, None);
    }

    /// Checks one record (a line, or an element of a JSON array).
    pub fn record(&mut self, tally: &mut Tally, line: u64, bytes: &[u8]) {
        self.violations.clear();
        self.last = None;
        if self.any_off {
            self.off.iter_mut().for_each(|o| *o = false);
            self.any_off = false;
        }
        // One UTF-8 check for the whole record: strings are then read without
        // checking each again.
        let text = match std::str::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                return tally.malformed(
                    line,
                    format!(
                        "not UTF-8: invalid byte 0x{:02X} at column {}",
                        bytes[e.valid_up_to()],
                        e.valid_up_to() + 1
                    ),
                );
            }
        };
        let mut de = serde_json::Deserializer::from_str(text);
        let env = match (EnvelopeVisitor { ck: self })
            .deserialize(&mut de)
            .and_then(|env| de.end().map(|()| env))
        {
            Ok(Ok(env)) => env,
            Ok(Err(kind)) => {
                return tally.malformed(line, format!("{kind}, not a JSON object"));
            }
            Err(e) => return tally.malformed(line, json_error(&e, line)),
        };
        let target = match self.check(&env, bytes.len()) {
            Ok(t) => t,
            Err(e) => return tally.malformed(line, json_error(&e, line)),
        };
        if let Some(e) = &self.model.envelope {
            self.envelope_fields(text, e);
        }
        if self.dup.replace(false)
            && let Some(last_wins) = last_value_wins(text)
        {
            // Judged as Segment and every JSON parser read it: the last
            // value of a repeated key. (The rewrite has no repeated key, so
            // this happens once.)
            drop(env);
            return self.record(tally, line, last_wins.as_bytes());
        }
        let message_id = match &env.message_id {
            Field::Str(s) if !s.is_empty() && !self.violations.is_empty() => Some(s.as_ref()),
            _ => None,
        };
        self.last = Some(target.clone());
        tally.add(target, line, message_id, &self.violations, Some(bytes));
    }

    fn push(
        &mut self,
        kind: Kind,
        pointer: &str,
        expected: String,
        found: String,
        loc: Option<Loc>,
    ) {
        self.violations.push(Violation {
            kind,
            pointer: pointer.to_string(),
            expected,
            found,
            loc,
        });
    }
}

/// The payload as JSON parsers read it, without repeated keys (the last
/// value of each kept), keys in sorted order.
fn last_value_wins(text: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(text).ok()?;
    serde_json::to_string(&v).ok()
}

fn size_violation(len: u64) -> Violation {
    Violation {
        kind: Kind::Size,
        pointer: String::new(),
        expected: format!("at most {MAX_PAYLOAD} bytes (Segment's 32 KB limit)"),
        found: format!("{len} bytes"),
        loc: None,
    }
}

/// serde_json's message, with the line counted in the input file.
fn json_error(e: &serde_json::Error, line: u64) -> String {
    let text = e.to_string();
    let msg = text
        .rsplit_once(" at line ")
        .map_or(text.as_str(), |(m, _)| m);
    if e.line() == 0 {
        return format!("not JSON: {msg}");
    }
    let at_line = line + e.line() as u64 - 1;
    format!("not JSON: {msg} at line {at_line} column {}", e.column())
}

fn quote(s: &str) -> String {
    const MAX: usize = 60;
    if s.chars().count() <= MAX {
        format!("{s:?}")
    } else {
        let cut: String = s.chars().take(MAX).collect();
        format!("{cut:?}…")
    }
}

/// Escapes a JSON pointer segment (RFC 6901).
pub(crate) fn escape_pointer(s: &str) -> Cow<'_, str> {
    if s.contains(['~', '/']) {
        Cow::Owned(s.replace('~', "~0").replace('/', "~1"))
    } else {
        Cow::Borrowed(s)
    }
}
