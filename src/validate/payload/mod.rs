//! Checks one payload against the model, in one pass over its bytes.
//!
//! The envelope is read first, keeping `properties`, `traits` and `context` as
//! raw JSON slices (validated, not built); then `context` and the properties are
//! walked with serde seeds that carry their part of the model, so no JSON tree
//! is ever allocated and strings are borrowed from the input. Violations are the
//! only allocations, and only when something is wrong.

use super::kinds::{Kind, Violation};
use super::model::{Checked, EventModel, Loc, Model, Object, Prop, TraitsModel, Ty};
use super::tally::{Call, Tally, Target};
use crate::ir::lower::is_multiple;
use crate::ir::values::{Date, format_number, is_rfc3339};
use crate::ir::{Format, Identity, Literal};
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::cell::Cell;
use std::fmt;

/// Segment's per-message limit (32 KB).
pub const MAX_PAYLOAD: usize = 32 * 1024;

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
        }
    }

    /// `; did you mean "X"?` for an unplanned event name, or nothing (a scan
    /// of the plan's events, remembered per name).
    fn suggest_event(&mut self, name: &str) -> String {
        if let Some(s) = self.suggestions.get(name) {
            return s.clone();
        }
        let hint = super::suggest::hint(self.model.suggest_event(name), |s| format!("{s:?}"));
        if self.suggestions.len() < SUGGESTIONS {
            self.suggestions.insert(name.into(), hint.clone());
        }
        hint
    }

    /// The violations of the last record checked.
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    /// A record that is not JSON (or not an object).
    pub fn malformed(&mut self, tally: &mut Tally, line: u64, message: String) {
        tally.malformed(line, message);
    }

    /// A record too large to read (far over the 32 KB limit).
    pub fn oversize(&mut self, tally: &mut Tally, line: u64, len: u64) {
        self.violations.clear();
        self.violations.push(size_violation(len));
        tally.add(Target::Unknown, line, None, &self.violations, None);
    }

    /// Checks one record (a line, or an element of a JSON array).
    pub fn record(&mut self, tally: &mut Tally, line: u64, bytes: &[u8]) {
        self.violations.clear();
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

    fn check(&mut self, env: &Envelope, len: usize) -> Result<Target, serde_json::Error> {
        let is_track = matches!(&env.ty, Field::Str(t) if t == "track");
        let eager_event = matches!(&env.event, Field::Str(n) if env.eager.is_some() && self.model.event(n) == env.eager);
        if env.eager.is_some() && !(is_track && eager_event) {
            // Properties were checked as a track event's, but the payload is
            // not one (or names another event): forget those violations.
            self.violations.drain(..env.eager_violations);
        }
        if len > MAX_PAYLOAD {
            self.violations.push(size_violation(len as u64));
        }
        match &env.message_id {
            Field::Str(s) if !s.is_empty() => {}
            f => self.push(
                Kind::Envelope,
                "/messageId",
                "a messageId string".into(),
                f.describe(),
                None,
            ),
        }
        let mut day = None;
        for (name, f) in [
            ("timestamp", &env.timestamp),
            ("originalTimestamp", &env.original_timestamp),
            ("sentAt", &env.sent_at),
            ("receivedAt", &env.received_at),
        ] {
            match f {
                Field::Absent => {}
                Field::Str(s) if is_rfc3339(s) => {
                    if day.is_none() {
                        day = utc_day(s);
                    }
                }
                f => self.push(
                    Kind::Envelope,
                    &format!("/{name}"),
                    "an RFC 3339 date-time string (like 2026-11-25T10:00:00Z)".into(),
                    f.describe(),
                    None,
                ),
            }
        }
        for (name, f) in [("userId", &env.user_id), ("anonymousId", &env.anonymous_id)] {
            if !matches!(f, Field::Absent | Field::Null | Field::Str(_)) {
                self.push(
                    Kind::Envelope,
                    &format!("/{name}"),
                    "a string".into(),
                    f.describe(),
                    None,
                );
            }
        }
        if !env.user_id.is_id() && !env.anonymous_id.is_id() {
            self.push(
                Kind::Envelope,
                "/userId",
                "a userId or an anonymousId".into(),
                "neither".into(),
                None,
            );
        }
        let ty = match &env.ty {
            Field::Str(s) => s.as_ref(),
            f => {
                self.push(
                    Kind::Envelope,
                    "/type",
                    "a type: track, identify, group, page, screen or alias".into(),
                    f.describe(),
                    None,
                );
                return Ok(Target::Unknown);
            }
        };
        if env.context_seen && !env.context.object {
            self.push(
                Kind::Envelope,
                "/context",
                "an object".into(),
                "not an object".into(),
                None,
            );
        }
        let ctx = &env.context;
        Ok(match ty {
            "track" => self.track(env, ctx, day)?,
            "identify" => {
                if let Some(t) = &self.model.identify {
                    self.traits(env, t)?;
                }
                Target::Call(Call::Identify)
            }
            "group" => {
                if !env.group_id.is_id() {
                    self.push(
                        Kind::Envelope,
                        "/groupId",
                        "a groupId (group calls carry one)".into(),
                        env.group_id.describe(),
                        None,
                    );
                }
                if let Some(t) = &self.model.group {
                    self.traits(env, t)?;
                }
                Target::Call(Call::Group)
            }
            "page" => Target::Call(Call::Page),
            "screen" => Target::Call(Call::Screen),
            "alias" => Target::Call(Call::Alias),
            other => {
                self.push(
                    Kind::Envelope,
                    "/type",
                    "a type: track, identify, group, page, screen or alias".into(),
                    quote(other),
                    None,
                );
                Target::Unknown
            }
        })
    }

    fn track(
        &mut self,
        env: &Envelope,
        ctx: &Context,
        day: Option<i64>,
    ) -> Result<Target, serde_json::Error> {
        let model = self.model;
        let name = match &env.event {
            Field::Str(s) if !s.is_empty() => s.as_ref(),
            f => {
                self.push(
                    Kind::Envelope,
                    "/event",
                    "the event name (track calls carry one)".into(),
                    f.describe(),
                    None,
                );
                return Ok(Target::Unknown);
            }
        };
        let Some(index) = model.event(name) else {
            let found = format!("{}{}", quote(name), self.suggest_event(name));
            self.push(
                Kind::UnplannedEvent,
                "/event",
                "an event of the plan".into(),
                found,
                Some(model.plan_loc),
            );
            return Ok(Target::Unplanned(super::tally::clip(name).into()));
        };
        let e = &model.events[index as usize];
        self.lifecycle(e, env, day);
        self.identity(e, env, ctx);
        if let Some((c, loc)) = e.consent {
            self.consent_off(c, loc, "the event");
        }
        if env.eager == Some(index) && self.violations.len() >= env.eager_violations {
            // Checked while reading: move those violations after the others,
            // where they are when the properties come before `event`.
            self.violations.rotate_left(env.eager_violations);
            return Ok(Target::Event(index));
        }
        let path = Path {
            parent: None,
            seg: Seg::Key("properties"),
        };
        match env.properties {
            Some(raw) => {
                let mut cx = Cx {
                    model,
                    out: &mut self.violations,
                    dup: &self.dup,
                    off: &self.off,
                };
                let seed = ObjSeed {
                    cx: &mut cx,
                    obj: &e.props,
                    extra: model.common.as_ref(),
                    path,
                    consent: e.consent.map(|c| c.0),
                    loc: e.loc,
                };
                seed.deserialize(&mut serde_json::Deserializer::from_str(raw.get()))?;
            }
            None => {
                let mut cx = Cx {
                    model,
                    out: &mut self.violations,
                    dup: &self.dup,
                    off: &self.off,
                };
                missing_required(&mut cx, &e.props, model.common.as_ref(), &path, &[]);
            }
        }
        Ok(Target::Event(index))
    }

    fn lifecycle(&mut self, e: &EventModel, env: &Envelope, day: Option<i64>) {
        if let (Some((sunset, loc)), Some(day)) = (e.sunset, day)
            && day > sunset.days_since_epoch()
        {
            let ts = [
                &env.timestamp,
                &env.original_timestamp,
                &env.sent_at,
                &env.received_at,
            ]
            .into_iter()
            .find_map(|f| match f {
                Field::Str(s) if is_rfc3339(s) => Some(s.to_string()),
                _ => None,
            })
            .unwrap_or_default();
            self.push(
                Kind::Sunset,
                "/event",
                format!("no payload after the sunset date {sunset}"),
                format!("sent at {ts}"),
                Some(loc),
            );
            return;
        }
        if let Some(loc) = e.deprecated {
            let expected = match &e.replaced_by {
                Some(r) => format!("{r:?} (replaces it)"),
                None => "an event that is not deprecated".into(),
            };
            self.push(
                Kind::DeprecatedEvent,
                "/event",
                expected,
                format!("{:?}, deprecated", &*e.name),
                Some(loc),
            );
        }
    }

    fn identity(&mut self, e: &EventModel, env: &Envelope, ctx: &Context) {
        let (ok, pointer, what) = match e.identity {
            Identity::Any => return,
            Identity::User => (env.user_id.is_id(), "/userId", "a userId"),
            Identity::Anonymous => (env.anonymous_id.is_id(), "/anonymousId", "an anonymousId"),
            Identity::Group => (
                ctx.group_id.is_id(),
                "/context/groupId",
                "a context.groupId",
            ),
        };
        if !ok {
            let found = match e.identity {
                Identity::User => env.user_id.describe(),
                Identity::Anonymous => env.anonymous_id.describe(),
                _ => ctx.group_id.describe(),
            };
            self.push(
                Kind::Identity,
                pointer,
                format!("{what} (`identity {}`)", e.identity),
                found,
                Some(e.identity_loc),
            );
        }
    }

    /// An event's or block's consent purpose switched off in the payload.
    fn consent_off(&mut self, c: u16, loc: Loc, what: &str) {
        if !self.off.get(c as usize).copied().unwrap_or(false) {
            return;
        }
        let cat = &self.model.categories[c as usize];
        self.push(
            Kind::Consent,
            &format!(
                "/context/consent/categoryPreferences/{}",
                escape_pointer(cat)
            ),
            format!("consent category `{cat}` granted for {what}"),
            format!("`{cat}`: false"),
            Some(loc),
        );
    }

    fn traits(&mut self, env: &Envelope, t: &TraitsModel) -> Result<(), serde_json::Error> {
        if let Some((c, loc)) = t.consent {
            self.consent_off(c, loc, "the traits");
        }
        let model = self.model;
        let path = Path {
            parent: None,
            seg: Seg::Key("traits"),
        };
        let mut cx = Cx {
            model,
            out: &mut self.violations,
            dup: &self.dup,
            off: &self.off,
        };
        match env.traits {
            Some(raw) => ObjSeed {
                cx: &mut cx,
                obj: &t.props,
                extra: None,
                path,
                consent: t.consent.map(|c| c.0),
                loc: t.loc,
            }
            .deserialize(&mut serde_json::Deserializer::from_str(raw.get())),
            None => {
                missing_required(&mut cx, &t.props, None, &path, &[]);
                Ok(())
            }
        }
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

/// The UTC day (days since 1970-01-01) of an RFC 3339 date-time.
pub fn utc_day(s: &str) -> Option<i64> {
    let date = Date::parse(s.get(..10)?).ok()?;
    let h: i64 = s.get(11..13)?.parse().ok()?;
    let m: i64 = s.get(14..16)?.parse().ok()?;
    let offset = match s.as_bytes().last()? {
        b'Z' | b'z' => 0,
        _ => {
            let off = s.get(s.len() - 6..)?;
            let sign = if off.starts_with('-') { -1 } else { 1 };
            let oh: i64 = off.get(1..3)?.parse().ok()?;
            let om: i64 = off.get(4..6)?.parse().ok()?;
            sign * (oh * 60 + om)
        }
    };
    let minutes = date.days_since_epoch() * 1440 + h * 60 + m - offset;
    Some(minutes.div_euclid(1440))
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
pub fn escape_pointer(s: &str) -> Cow<'_, str> {
    if s.contains(['~', '/']) {
        Cow::Owned(s.replace('~', "~0").replace('/', "~1"))
    } else {
        Cow::Borrowed(s)
    }
}

// ---------------------------------------------------------------------------
// The envelope.

/// A scalar field of the envelope.
#[derive(Default)]
enum Field<'de> {
    #[default]
    Absent,
    Null,
    Str(Cow<'de, str>),
    /// Another JSON type, described.
    Other(&'static str),
}

impl Field<'_> {
    /// A non-empty string id.
    fn is_id(&self) -> bool {
        matches!(self, Field::Str(s) if !s.is_empty())
    }

    fn describe(&self) -> String {
        match self {
            Field::Absent => "missing".into(),
            Field::Null => "null".into(),
            Field::Str(s) if s.is_empty() => "an empty string".into(),
            Field::Str(s) => quote(s),
            Field::Other(k) => (*k).into(),
        }
    }
}

struct FieldVisitor;

impl<'de> Visitor<'de> for FieldVisitor {
    type Value = Field<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Field::Null)
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Field::Other("a boolean"))
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Field::Other("a number"))
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Field::Other("a number"))
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Field::Other("a number"))
    }
    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Self::Value, E> {
        Ok(Field::Str(Cow::Borrowed(s)))
    }
    fn visit_str<E>(self, s: &str) -> Result<Self::Value, E> {
        Ok(Field::Str(Cow::Owned(s.to_string())))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Field::Other("a list"))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Field::Other("an object"))
    }
}

impl<'de> de::Deserialize<'de> for Field<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(FieldVisitor)
    }
}

/// An object key, borrowed when it has no escapes.
struct Key<'de>(Cow<'de, str>);

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Borrowed(s)))
            }
            fn visit_str<E>(self, s: &str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(s.to_string())))
            }
        }
        d.deserialize_str(V)
    }
}

/// The envelope keys whose repetition changes the verdict.
const ENVELOPE_KEYS: [&str; 13] = [
    "type",
    "event",
    "messageId",
    "userId",
    "anonymousId",
    "groupId",
    "timestamp",
    "originalTimestamp",
    "sentAt",
    "receivedAt",
    "properties",
    "traits",
    "context",
];

#[derive(Default)]
struct Envelope<'de> {
    ty: Field<'de>,
    event: Field<'de>,
    message_id: Field<'de>,
    user_id: Field<'de>,
    anonymous_id: Field<'de>,
    group_id: Field<'de>,
    timestamp: Field<'de>,
    original_timestamp: Field<'de>,
    sent_at: Field<'de>,
    received_at: Field<'de>,
    properties: Option<&'de RawValue>,
    traits: Option<&'de RawValue>,
    context: Context<'de>,
    context_seen: bool,
    /// The event whose properties were checked while reading (`event` came
    /// before `properties`), and how many violations that produced.
    eager: Option<u32>,
    eager_violations: usize,
}

/// Reads the envelope; `Err(kind)` when the value is not an object. Reads the
/// context on the way, and checks the properties on the way too when the event
/// (and the context, if consent matters) came before them.
struct EnvelopeVisitor<'c, 'm> {
    ck: &'c mut Checker<'m>,
}

impl<'de> DeserializeSeed<'de> for EnvelopeVisitor<'_, '_> {
    type Value = Result<Envelope<'de>, &'static str>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for EnvelopeVisitor<'_, '_> {
    type Value = Result<Envelope<'de>, &'static str>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a payload object")
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Err("null"))
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Err("a boolean"))
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Err("a number"))
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Err("a number"))
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Err("a number"))
    }
    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(Err("a string"))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Err("a list"))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut env = Envelope::default();
        let mut seen = 0u32;
        while let Some(Key(key)) = map.next_key()? {
            let bit = ENVELOPE_KEYS
                .iter()
                .position(|k| *k == key.as_ref())
                .map_or(0, |i| 1u32 << i);
            if seen & bit != 0 {
                self.ck.dup.set(true);
            }
            seen |= bit;
            let field = match key.as_ref() {
                "type" => &mut env.ty,
                "event" => &mut env.event,
                "messageId" => &mut env.message_id,
                "userId" => &mut env.user_id,
                "anonymousId" => &mut env.anonymous_id,
                "groupId" => &mut env.group_id,
                "timestamp" => &mut env.timestamp,
                "originalTimestamp" => &mut env.original_timestamp,
                "sentAt" => &mut env.sent_at,
                "receivedAt" => &mut env.received_at,
                "properties" => {
                    let ck = &mut *self.ck;
                    let model = ck.model;
                    let eager = match (&env.event, &env.ty) {
                        (Field::Str(name), Field::Absent) => model.event(name),
                        (Field::Str(name), Field::Str(t)) if t == "track" => model.event(name),
                        _ => None,
                    };
                    match eager {
                        Some(i) if env.context_seen || model.categories.is_empty() => {
                            let e = &model.events[i as usize];
                            let before = ck.violations.len();
                            let mut cx = Cx {
                                model,
                                out: &mut ck.violations,
                                dup: &ck.dup,
                                off: &ck.off,
                            };
                            map.next_value_seed(ObjSeed {
                                cx: &mut cx,
                                obj: &e.props,
                                extra: model.common.as_ref(),
                                path: Path {
                                    parent: None,
                                    seg: Seg::Key("properties"),
                                },
                                consent: e.consent.map(|c| c.0),
                                loc: e.loc,
                            })?;
                            env.eager = Some(i);
                            env.eager_violations = ck.violations.len() - before;
                            env.properties = None;
                        }
                        _ => {
                            env.properties = Some(map.next_value()?);
                            env.eager = None;
                        }
                    }
                    continue;
                }
                "traits" => {
                    env.traits = Some(map.next_value()?);
                    continue;
                }
                "context" => {
                    let ck = &mut *self.ck;
                    env.context = map.next_value_seed(ContextVisitor {
                        model: ck.model,
                        off: &mut ck.off,
                        any_off: &mut ck.any_off,
                        dup: &ck.dup,
                    })?;
                    env.context_seen = true;
                    continue;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            *field = map.next_value()?;
        }
        Ok(Ok(env))
    }
}

// ---------------------------------------------------------------------------
// The context: `groupId` and consent preferences.

#[derive(Default)]
struct Context<'de> {
    group_id: Field<'de>,
    /// Whether the context was an object.
    object: bool,
}

struct ContextVisitor<'a> {
    model: &'a Model,
    off: &'a mut Vec<bool>,
    any_off: &'a mut bool,
    dup: &'a Cell<bool>,
}

impl<'de> DeserializeSeed<'de> for ContextVisitor<'_> {
    type Value = Context<'de>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ContextVisitor<'_> {
    type Value = Context<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a context object")
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Context::default())
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Context::default())
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Context::default())
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Context::default())
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Context::default())
    }
    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(Context::default())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Context::default())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut ctx = Context {
            object: true,
            ..Context::default()
        };
        let (mut group, mut consent) = (false, false);
        while let Some(Key(key)) = map.next_key()? {
            match key.as_ref() {
                "groupId" => {
                    if std::mem::replace(&mut group, true) {
                        self.dup.set(true);
                    }
                    ctx.group_id = map.next_value()?;
                }
                "consent" if !self.model.categories.is_empty() => {
                    if std::mem::replace(&mut consent, true) {
                        self.dup.set(true);
                    }
                    map.next_value_seed(ConsentSeed {
                        model: self.model,
                        off: self.off,
                        any_off: self.any_off,
                        prefs: false,
                        dup: self.dup,
                    })?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(ctx)
    }
}

/// `consent: { categoryPreferences: { "<category>": bool } }` (`prefs`: inside
/// `categoryPreferences`).
struct ConsentSeed<'a> {
    model: &'a Model,
    off: &'a mut Vec<bool>,
    any_off: &'a mut bool,
    prefs: bool,
    dup: &'a Cell<bool>,
}

impl<'de> DeserializeSeed<'de> for ConsentSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ConsentSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("consent preferences")
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut keys: Vec<Cow<'de, str>> = Vec::new();
        while let Some(Key(key)) = map.next_key()? {
            if keys.contains(&key) {
                self.dup.set(true);
            } else if keys.len() < 64 {
                keys.push(key.clone());
            }
            if !self.prefs {
                if key == "categoryPreferences" {
                    map.next_value_seed(ConsentSeed {
                        model: self.model,
                        off: &mut *self.off,
                        any_off: &mut *self.any_off,
                        prefs: true,
                        dup: self.dup,
                    })?;
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
                continue;
            }
            if map.next_value::<Pref>()?.0 == Some(false) {
                for (i, cat) in self.model.categories.iter().enumerate() {
                    if **cat == *key {
                        self.off[i] = true;
                        *self.any_off = true;
                    }
                }
            }
        }
        Ok(())
    }
}

/// A consent preference: `Some(bool)` when it is a boolean.
struct Pref(Option<bool>);

impl<'de> de::Deserialize<'de> for Pref {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Pref;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a boolean")
            }
            fn visit_bool<E>(self, b: bool) -> Result<Pref, E> {
                Ok(Pref(Some(b)))
            }
            fn visit_unit<E>(self) -> Result<Pref, E> {
                Ok(Pref(None))
            }
            fn visit_i64<E>(self, _: i64) -> Result<Pref, E> {
                Ok(Pref(None))
            }
            fn visit_u64<E>(self, _: u64) -> Result<Pref, E> {
                Ok(Pref(None))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Pref, E> {
                Ok(Pref(None))
            }
            fn visit_str<E>(self, _: &str) -> Result<Pref, E> {
                Ok(Pref(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Pref, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Pref(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Pref, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Pref(None))
            }
        }
        d.deserialize_any(V)
    }
}

// ---------------------------------------------------------------------------
// Properties and traits.

/// What the seeds share while walking one payload.
struct Cx<'m, 'a> {
    model: &'m Model,
    out: &'a mut Vec<Violation>,
    /// Set when a planned property is repeated.
    dup: &'a Cell<bool>,
    /// Consent purposes switched off, by purpose index.
    off: &'a [bool],
}

impl Cx<'_, '_> {
    fn push(&mut self, kind: Kind, path: &Path, expected: String, found: String, loc: Loc) {
        self.out.push(Violation {
            kind,
            pointer: path.pointer(),
            expected,
            found,
            loc: Some(loc),
        });
    }
}

#[derive(Clone, Copy)]
enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

/// Where a value is, as a chain of segments on the stack; a JSON pointer is
/// built only when a violation needs one.
#[derive(Clone, Copy)]
struct Path<'a> {
    parent: Option<&'a Path<'a>>,
    seg: Seg<'a>,
}

impl Path<'_> {
    fn pointer(&self) -> String {
        let mut segs = Vec::new();
        let mut p = Some(self);
        while let Some(x) = p {
            segs.push(x.seg);
            p = x.parent;
        }
        let mut out = String::new();
        for s in segs.iter().rev() {
            out.push('/');
            match s {
                Seg::Key(k) => out.push_str(&escape_pointer(k)),
                Seg::Index(i) => out.push_str(&i.to_string()),
            }
        }
        out
    }
}

/// Reports required properties not in `seen` (indices of `obj`, then of `extra`
/// offset by `obj.len()`).
fn missing_required(cx: &mut Cx, obj: &Object, extra: Option<&Object>, path: &Path, seen: &[bool]) {
    let n = obj.len();
    let is_seen = |i: usize| seen.get(i).copied().unwrap_or(false);
    for (i, p) in obj.props.iter().enumerate() {
        if p.required() && !is_seen(i) {
            missing(cx, p, path);
        }
    }
    if let Some(extra) = extra {
        for (i, p) in extra.props.iter().enumerate() {
            // A property of the event with the same name takes precedence.
            if p.required()
                && !is_seen(n + i)
                && obj
                    .find(&cx.model.names, cx.model.names.get(p.name))
                    .is_none()
            {
                missing(cx, p, path);
            }
        }
    }
}

fn missing(cx: &mut Cx, p: &Prop, path: &Path) {
    let model = cx.model;
    let name = model.names.get(p.name);
    let child = Path {
        parent: Some(path),
        seg: Seg::Key(name),
    };
    let expected = format!("required property `{name}` ({})", p.ty.expected(model));
    cx.push(Kind::Required, &child, expected, "missing".into(), p.loc);
}

/// The seen flags of an object's properties, on the stack when they fit.
enum Seen {
    Small(u128),
    Large(Vec<bool>),
}

impl Seen {
    fn new(n: usize) -> Seen {
        if n <= 128 {
            Seen::Small(0)
        } else {
            Seen::Large(vec![false; n])
        }
    }

    /// Marks `i` seen; whether it was already.
    fn set(&mut self, i: usize) -> bool {
        match self {
            Seen::Small(bits) => {
                let was = *bits & (1 << i) != 0;
                *bits |= 1 << i;
                was
            }
            Seen::Large(v) => std::mem::replace(&mut v[i], true),
        }
    }

    fn all(&self, n: usize, obj: &Object, extra: Option<&Object>) -> bool {
        let required = |i: usize| {
            if i < obj.len() {
                obj.props[i].required()
            } else {
                extra.is_some_and(|e| e.props[i - obj.len()].required())
            }
        };
        (0..n).all(|i| {
            !required(i)
                || match self {
                    Seen::Small(bits) => bits & (1 << i) != 0,
                    Seen::Large(v) => v[i],
                }
        })
    }

    fn to_vec(&self, n: usize) -> Vec<bool> {
        match self {
            Seen::Small(bits) => (0..n).map(|i| bits & (1 << i) != 0).collect(),
            Seen::Large(v) => v.clone(),
        }
    }
}

/// Validates an object against planned properties.
struct ObjSeed<'m, 'c, 'a, 'p> {
    cx: &'c mut Cx<'m, 'a>,
    obj: &'m Object,
    /// `common` properties, for track events.
    extra: Option<&'m Object>,
    path: Path<'p>,
    /// The container's effective consent purpose.
    consent: Option<u16>,
    /// Where the container is declared (for unplanned properties).
    loc: Loc,
}

impl<'de> DeserializeSeed<'de> for ObjSeed<'_, '_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ObjSeed<'_, '_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object")
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        self.not_object("null".into());
        Ok(())
    }
    fn visit_bool<E>(self, b: bool) -> Result<(), E> {
        self.not_object(b.to_string());
        Ok(())
    }
    fn visit_i64<E>(self, v: i64) -> Result<(), E> {
        self.not_object(v.to_string());
        Ok(())
    }
    fn visit_u64<E>(self, v: u64) -> Result<(), E> {
        self.not_object(v.to_string());
        Ok(())
    }
    fn visit_f64<E>(self, v: f64) -> Result<(), E> {
        self.not_object(format_float(v));
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        self.not_object("a string".into());
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        self.not_object("a list".into());
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        object(
            self.cx,
            self.obj,
            self.extra,
            &self.path,
            self.consent,
            self.loc,
            map,
        )
    }
}

impl ObjSeed<'_, '_, '_, '_> {
    fn not_object(self, found: String) {
        self.cx
            .push(Kind::Type, &self.path, "an object".into(), found, self.loc);
    }
}

fn object<'m, 'de, A: MapAccess<'de>>(
    cx: &mut Cx<'m, '_>,
    obj: &'m Object,
    extra: Option<&'m Object>,
    path: &Path,
    consent: Option<u16>,
    loc: Loc,
    mut map: A,
) -> Result<(), A::Error> {
    let n = obj.len() + extra.map_or(0, Object::len);
    let mut seen = Seen::new(n);
    let mut hint = 0;
    while let Some(Key(key)) = map.next_key()? {
        let names = &cx.model.names;
        let found = match obj.find_from(names, hint, &key) {
            Some(i) => {
                hint = i + 1;
                Some((i, &obj.props[i]))
            }
            None => extra.and_then(|e| e.find(names, &key).map(|i| (obj.len() + i, &e.props[i]))),
        };
        let child = Path {
            parent: Some(path),
            seg: Seg::Key(&key),
        };
        match found {
            Some((i, p)) => {
                if seen.set(i) {
                    cx.dup.set(true);
                }
                map.next_value_seed(ValSeed {
                    cx: &mut *cx,
                    prop: p,
                    ty: &p.ty,
                    item: false,
                    nullable: p.nullable(),
                    path: child,
                    consent,
                })?;
            }
            None => {
                map.next_value::<IgnoredAny>()?;
                let names = &cx.model.names;
                let planned = obj
                    .props
                    .iter()
                    .chain(extra.into_iter().flat_map(|e| e.props.iter()))
                    .map(|p| names.get(p.name));
                let hint = super::suggest::hint(super::suggest::closest(&key, planned), |s| {
                    format!("`{s}`")
                });
                // In a closed object (or block) another key is a defect.
                let closed = obj.closed || extra.is_some_and(|e| e.closed);
                cx.push(
                    if closed {
                        Kind::Closed
                    } else {
                        Kind::UnplannedProperty
                    },
                    &child,
                    if closed {
                        "only the planned keys (closed)".into()
                    } else {
                        "a property of the plan".into()
                    },
                    format!("`{key}`, not planned{hint}"),
                    loc,
                );
            }
        }
    }
    if !seen.all(n, obj, extra) {
        let seen = seen.to_vec(n);
        missing_required(cx, obj, extra, path, &seen);
    }
    Ok(())
}

/// Validates one value against a property's type (`item`: a list item, to
/// which the property's own constraints do not apply).
struct ValSeed<'m, 'c, 'a, 'p> {
    cx: &'c mut Cx<'m, 'a>,
    prop: &'m Prop,
    ty: &'m Ty,
    item: bool,
    /// Whether `null` passes (the property's `nullable`, or its items').
    nullable: bool,
    path: Path<'p>,
    /// The container's effective consent purpose.
    consent: Option<u16>,
}

impl<'de> DeserializeSeed<'de> for ValSeed<'_, '_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl ValSeed<'_, '_, '_, '_> {
    fn push(&mut self, kind: Kind, expected: String, found: String) {
        self.cx
            .push(kind, &self.path, expected, found, self.prop.loc);
    }

    /// Looks through the rarer constraints (checking them) and a union (taking
    /// the member of the value's JSON type) to the type the value is checked
    /// against; false when no member fits (reported).
    fn resolve(&mut self, v: &Val, found: impl Fn(&Self) -> String) -> bool {
        loop {
            match self.ty {
                Ty::Checked(c) => {
                    self.extra(c, v, &found);
                    self.ty = &c.ty;
                }
                Ty::Union(members) => match members.iter().find(|m| m.carries(v)) {
                    Some(m) => self.ty = m,
                    None => {
                        let found = found(self);
                        self.mismatch(found);
                        return false;
                    }
                },
                _ => return true,
            }
        }
    }

    /// `multiple_of`, `not_pattern`, `not_enum`.
    fn extra(&mut self, c: &Checked, v: &Val, found: &impl Fn(&Self) -> String) {
        match *v {
            Val::Num(x) => {
                if let Some(step) = c.multiple_of
                    && !is_multiple(x, step)
                {
                    let step = format_number(step);
                    let found = found(self);
                    self.push(
                        Kind::Bounds,
                        format!("a multiple of {step} (multiple_of({step}))"),
                        found,
                    );
                }
            }
            Val::Str(s) => {
                if let Some(i) = c.not_pattern
                    && let Some((source, re)) = self.cx.model.patterns.get(i as usize)
                    && re.is_match(s)
                {
                    let expected = format!("a string not matching /{source}/ (not_pattern)");
                    let found = found(self);
                    self.push(Kind::NotAllowed, expected, found);
                }
            }
            _ => {}
        }
        if let Some(i) = c.not_enum {
            let values = &self.cx.model.enums[i as usize];
            let hit = values.iter().any(|l| match (l, v) {
                (Literal::Str(a), Val::Str(b)) => a == b,
                (Literal::Num(_), Val::Num(x)) => l.is_number(*x),
                (Literal::Bool(a), Val::Bool(b)) => a == b,
                _ => false,
            });
            if hit {
                let expected = format!("none of {} (not_enum)", self.cx.model.enum_list(i));
                let found = found(self);
                self.push(Kind::NotAllowed, expected, found);
            }
        }
    }

    fn mismatch(&mut self, found: String) {
        let kind = if matches!(self.ty, Ty::Enum(_)) {
            Kind::Enum
        } else {
            Kind::Type
        };
        let expected = self.ty.expected(self.cx.model);
        self.push(kind, expected, found);
    }

    /// A non-null value is present: its consent purpose must not be switched off
    /// (when it differs from its container's, which is checked there).
    fn present(&mut self) {
        if self.item {
            return;
        }
        if let Some((c, loc)) = self.prop.consent()
            && Some(c) != self.consent
            && self.cx.off.get(c as usize).copied().unwrap_or(false)
        {
            let cat = &self.cx.model.categories[c as usize];
            let expected = format!(
                "consent category `{cat}` granted for `{}`",
                self.cx.model.names.get(self.prop.name)
            );
            self.cx.push(
                Kind::Consent,
                &self.path,
                expected,
                format!("`{cat}`: false in context.consent.categoryPreferences"),
                loc,
            );
        }
    }

    /// A string as shown in messages: redacted for PII properties (unless
    /// `--show-values`).
    fn shown(&self, s: &str) -> String {
        match self.prop.pii {
            Some(class) if !self.cx.model.show_values => {
                format!("a string (redacted: pii({class}))")
            }
            _ => quote(s),
        }
    }

    fn number(&mut self, x: f64, integral: bool, text: impl Fn() -> String) {
        self.present();
        if !self.resolve(&Val::Num(x), |_| text()) {
            return;
        }
        let b = match self.ty {
            Ty::Enum(i) => {
                if !self.cx.model.enums[*i as usize]
                    .iter()
                    .any(|v| v.is_number(x))
                {
                    self.mismatch(text());
                }
                return;
            }
            Ty::Integer(b) => {
                if !integral && x.fract() != 0.0 {
                    self.push(Kind::Type, "an integer".into(), text());
                    return;
                }
                b
            }
            Ty::Number(b) => b,
            Ty::Any => return,
            _ => {
                self.mismatch(text());
                return;
            }
        };
        if x < b.min {
            self.push(
                Kind::Bounds,
                format!("≥ {} (min({}))", format_number(b.min), format_number(b.min)),
                text(),
            );
        } else if x > b.max {
            self.push(
                Kind::Bounds,
                format!("≤ {} (max({}))", format_number(b.max), format_number(b.max)),
                text(),
            );
        }
    }

    fn string(&mut self, s: &str) {
        self.present();
        if !self.resolve(&Val::Str(s), |me| me.shown(s)) {
            return;
        }
        match self.ty {
            Ty::String {
                format,
                pattern,
                len,
            } => {
                if !len.is_none() {
                    let n = s.chars().count() as u64;
                    if n < len.min as u64 {
                        self.push(
                            Kind::Length,
                            format!(
                                "at least {} (min_length({}))",
                                noun(len.min as u64, "character"),
                                len.min
                            ),
                            noun(n, "character"),
                        );
                    } else if n > len.max as u64 {
                        self.push(
                            Kind::Length,
                            format!(
                                "at most {} (max_length({}))",
                                noun(len.max as u64, "character"),
                                len.max
                            ),
                            noun(n, "character"),
                        );
                    }
                }
                if let Some(f) = format
                    && !f.matches(s)
                {
                    let found = self.shown(s);
                    self.push(Kind::Format, format_expected(*f), found);
                }
                if let Some(i) = pattern
                    && let Some((source, re)) = self.cx.model.patterns.get(*i as usize)
                    && !re.is_match(s)
                {
                    let found = self.shown(s);
                    self.push(
                        Kind::Pattern,
                        format!("a string matching /{source}/"),
                        found,
                    );
                }
            }
            Ty::Datetime => {
                if !is_rfc3339(s) {
                    let found = self.shown(s);
                    self.push(Kind::Format, format_expected(Format::DateTime), found);
                }
            }
            Ty::Date => {
                if Date::parse(s).is_err() {
                    let found = self.shown(s);
                    self.push(Kind::Format, format_expected(Format::Date), found);
                }
            }
            Ty::Enum(i) => {
                let ok = self.cx.model.enums[*i as usize]
                    .iter()
                    .any(|v| v.as_str() == Some(s));
                if !ok {
                    let found = self.shown(s);
                    self.mismatch(found);
                }
            }
            Ty::Any => {}
            _ => {
                let found = self.shown(s);
                self.mismatch(found);
            }
        }
    }
}

/// What a value is, for [`ValSeed::resolve`].
enum Val<'v> {
    Bool(bool),
    Num(f64),
    Str(&'v str),
    Seq,
    Map,
}

impl Ty {
    /// Whether the type (through its rarer constraints) is `any`.
    fn is_any(&self) -> bool {
        match self {
            Ty::Any => true,
            Ty::Checked(c) => c.ty.is_any(),
            _ => false,
        }
    }

    /// Whether a union member carries values like `v`.
    fn carries(&self, v: &Val) -> bool {
        matches!(
            (self, v),
            (Ty::Any, _)
                | (Ty::Boolean, Val::Bool(_))
                | (Ty::Integer(_) | Ty::Number(_), Val::Num(_))
                | (
                    Ty::String { .. } | Ty::Datetime | Ty::Date | Ty::Enum(_),
                    Val::Str(_)
                )
                | (Ty::List { .. }, Val::Seq)
                | (Ty::Object(_), Val::Map)
        )
    }
}

/// `1 item`, `2 items`.
fn noun(n: u64, one: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {one}s")
    }
}

fn format_expected(f: Format) -> String {
    match f {
        Format::DateTime => "an RFC 3339 date-time (like 2026-11-25T10:00:00Z)".into(),
        Format::Date => "a date YYYY-MM-DD".into(),
        f => format!("a string in format `{f}`"),
    }
}

fn format_float(v: f64) -> String {
    if v.is_finite() {
        format!("{v}")
    } else {
        "a number".into()
    }
}

impl<'de> Visitor<'de> for ValSeed<'_, '_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a value")
    }
    fn visit_unit<E>(mut self) -> Result<(), E> {
        if !self.ty.is_any() && !self.nullable {
            let expected = format!("{} (not nullable)", self.ty.expected(self.cx.model));
            self.push(Kind::Null, expected, "null".into());
        }
        Ok(())
    }
    fn visit_bool<E>(mut self, b: bool) -> Result<(), E> {
        self.present();
        if !self.resolve(&Val::Bool(b), |_| b.to_string()) {
            return Ok(());
        }
        match self.ty {
            Ty::Boolean | Ty::Any => {}
            Ty::Enum(i) if self.cx.model.enums[*i as usize].contains(&Literal::Bool(b)) => {}
            _ => self.mismatch(b.to_string()),
        }
        Ok(())
    }
    fn visit_i64<E>(mut self, v: i64) -> Result<(), E> {
        self.number(v as f64, true, || v.to_string());
        Ok(())
    }
    fn visit_u64<E>(mut self, v: u64) -> Result<(), E> {
        self.number(v as f64, true, || v.to_string());
        Ok(())
    }
    fn visit_f64<E>(mut self, v: f64) -> Result<(), E> {
        self.number(v, false, || format_float(v));
        Ok(())
    }
    fn visit_borrowed_str<E>(mut self, s: &'de str) -> Result<(), E> {
        self.string(s);
        Ok(())
    }
    fn visit_str<E>(mut self, s: &str) -> Result<(), E> {
        self.string(s);
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        self.present();
        if !self.resolve(&Val::Seq, |_| "a list".into()) {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            return Ok(());
        }
        let Ty::List {
            item,
            len,
            item_nullable,
        } = self.ty
        else {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            if !matches!(self.ty, Ty::Any) {
                self.mismatch("a list".into());
            }
            return Ok(());
        };
        let consent = self.prop.consent().map(|c| c.0).or(self.consent);
        let mut n = 0usize;
        loop {
            let path = Path {
                parent: Some(&self.path),
                seg: Seg::Index(n),
            };
            let seed = ValSeed {
                cx: &mut *self.cx,
                prop: self.prop,
                ty: item,
                item: true,
                nullable: *item_nullable,
                path,
                consent,
            };
            if seq.next_element_seed(seed)?.is_none() {
                break;
            }
            n += 1;
        }
        let n = n as u64;
        if n < len.min as u64 {
            self.push(
                Kind::Length,
                format!(
                    "at least {} (min_length({}))",
                    noun(len.min as u64, "item"),
                    len.min
                ),
                noun(n, "item"),
            );
        } else if n > len.max as u64 {
            self.push(
                Kind::Length,
                format!(
                    "at most {} (max_length({}))",
                    noun(len.max as u64, "item"),
                    len.max
                ),
                noun(n, "item"),
            );
        }
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        self.present();
        if !self.resolve(&Val::Map, |_| "an object".into()) {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            return Ok(());
        }
        let Ty::Object(obj) = self.ty else {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            if !matches!(self.ty, Ty::Any) {
                self.mismatch("an object".into());
            }
            return Ok(());
        };
        let consent = self.prop.consent().map(|c| c.0).or(self.consent);
        object(self.cx, obj, None, &self.path, consent, self.prop.loc, map)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_days() {
        let day = |s| utc_day(s).expect("a day");
        let d = Date::parse("2026-12-31").expect("date").days_since_epoch();
        assert_eq!(day("2026-12-31T23:59:59Z"), d);
        assert_eq!(day("2027-01-01T00:30:00+01:00"), d);
        assert_eq!(day("2027-01-01T01:30:00+01:00"), d + 1);
        assert_eq!(day("2026-12-31T20:00:00.5-05:00"), d + 1);
        assert_eq!(day("2026-12-31t10:00:00z"), d);
    }

    #[test]
    fn pointers_escape_segments() {
        assert_eq!(escape_pointer("a/b~c"), "a~1b~0c");
        let root = Path {
            parent: None,
            seg: Seg::Key("properties"),
        };
        let child = Path {
            parent: Some(&root),
            seg: Seg::Key("x/y"),
        };
        let item = Path {
            parent: Some(&child),
            seg: Seg::Index(2),
        };
        assert_eq!(item.pointer(), "/properties/x~1y/2");
    }
}
