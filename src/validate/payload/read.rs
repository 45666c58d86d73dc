//! Reading the envelope in one pass: the call's top-level fields (kept as
//! [`Field`]s, `properties` and `traits` as raw JSON), the context (`groupId`,
//! consent preferences). When `event` (and the context, if consent matters)
//! comes before `properties`, the properties are checked while reading.
//! The rules on what was read are in [`super::envelope`].

use super::other::{Other, other_types};
use super::visit::{Cx, ObjSeed, Path, Seg};
use super::{Checker, quote};
use crate::validate::model::{EventVersion, Model};
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::cell::Cell;
use std::fmt;

/// A scalar field of the envelope.
#[derive(Default)]
pub(super) enum Field<'de> {
    #[default]
    Absent,
    Null,
    Str(Cow<'de, str>),
    /// Another JSON type, described.
    Other(&'static str),
}

impl Field<'_> {
    /// A non-empty string id.
    pub(super) fn is_id(&self) -> bool {
        matches!(self, Field::Str(s) if !s.is_empty())
    }

    pub(super) fn describe(&self) -> String {
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

impl FieldVisitor {
    fn other<'de>(self, v: Other) -> Field<'de> {
        match v {
            Other::Null => Field::Null,
            v => Field::Other(v.kind()),
        }
    }
}

impl<'de> Visitor<'de> for FieldVisitor {
    type Value = Field<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    other_types!('de; unit bool i64 u64 f64 seq map);
    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Self::Value, E> {
        Ok(Field::Str(Cow::Borrowed(s)))
    }
    fn visit_str<E>(self, s: &str) -> Result<Self::Value, E> {
        Ok(Field::Str(Cow::Owned(s.to_string())))
    }
}

impl<'de> de::Deserialize<'de> for Field<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(FieldVisitor)
    }
}

/// An object key, borrowed when it has no escapes.
pub(super) struct Key<'de>(pub(super) Cow<'de, str>);

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
const ENVELOPE_KEYS: [&str; 14] = [
    "type",
    "name",
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
pub(super) struct Envelope<'de> {
    pub(super) ty: Field<'de>,
    pub(super) event: Field<'de>,
    /// A page or screen call's name.
    pub(super) name: Field<'de>,
    pub(super) message_id: Field<'de>,
    pub(super) user_id: Field<'de>,
    pub(super) anonymous_id: Field<'de>,
    pub(super) group_id: Field<'de>,
    pub(super) timestamp: Field<'de>,
    pub(super) original_timestamp: Field<'de>,
    pub(super) sent_at: Field<'de>,
    pub(super) received_at: Field<'de>,
    pub(super) properties: Option<&'de RawValue>,
    pub(super) traits: Option<&'de RawValue>,
    pub(super) context: Context<'de>,
    pub(super) context_seen: bool,
    /// The event whose properties were checked while reading (`event` came
    /// before `properties`), and how many violations that produced.
    pub(super) eager: Option<u32>,
    pub(super) eager_violations: usize,
}

/// Reads the envelope; `Err(kind)` when the value is not an object. Reads the
/// context on the way, and checks the properties on the way too when the event
/// (and the context, if consent matters) came before them.
pub(super) struct EnvelopeVisitor<'c, 'm> {
    pub(super) ck: &'c mut Checker<'m>,
}

impl EnvelopeVisitor<'_, '_> {
    fn other<'de>(self, v: Other) -> Result<Envelope<'de>, &'static str> {
        Err(v.kind())
    }
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
    other_types!('de; unit bool i64 u64 f64 str seq);
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
                "name" => &mut env.name,
                "properties" => {
                    let ck = &mut *self.ck;
                    let model = ck.model;
                    let eager = match (&env.event, &env.ty) {
                        (Field::Str(name), Field::Absent) => model.event(name),
                        (Field::Str(name), Field::Str(t)) if t == "track" => model.event(name),
                        _ => None,
                    };
                    // The context says which version (and which consent).
                    let context_free = |i| model.categories.is_empty() && !model.is_versioned(i);
                    match eager {
                        Some(i) if env.context_seen || context_free(i) => {
                            let i = model
                                .version(i, env.context.event_version)
                                .unwrap_or_else(|oldest| oldest);
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
pub(super) struct Context<'de> {
    pub(super) group_id: Field<'de>,
    /// `protocols.event_version`: which version of the event it is.
    pub(super) event_version: EventVersion,
    /// Whether the context was an object.
    pub(super) object: bool,
}

struct ContextVisitor<'a> {
    model: &'a Model,
    off: &'a mut Vec<bool>,
    any_off: &'a mut bool,
    dup: &'a Cell<bool>,
}

impl ContextVisitor<'_> {
    /// A context that is not an object (the envelope rules report it).
    fn other<'de>(self, _: Other) -> Context<'de> {
        Context::default()
    }
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
    other_types!('de; unit bool i64 u64 f64 str seq);
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
                "protocols" => {
                    ctx.event_version = map.next_value::<Protocols>()?.0;
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

impl ConsentSeed<'_> {
    /// Consent that is not an object switches nothing off.
    fn other(self, _: Other) {}
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
    other_types!('de; unit bool i64 u64 f64 str seq);
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

/// `protocols: { event_version: … }`, Segment's choice of an event version.
struct Protocols(EventVersion);

impl<'de> de::Deserialize<'de> for Protocols {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl V {
            fn other(self, _: Other) -> Protocols {
                Protocols(EventVersion::Absent)
            }
        }
        impl<'de> Visitor<'de> for V {
            type Value = Protocols;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("protocols")
            }
            other_types!('de; unit bool i64 u64 f64 str seq);
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Protocols, A::Error> {
                let mut version = EventVersion::Absent;
                while let Some(Key(key)) = map.next_key()? {
                    if key == "event_version" {
                        version = map.next_value::<Version>()?.0;
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(Protocols(version))
            }
        }
        d.deserialize_any(V)
    }
}

/// The value of `event_version`: an integer (`2` or `2.0`), else described.
struct Version(EventVersion);

impl<'de> de::Deserialize<'de> for Version {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl V {
            fn other(self, v: Other) -> Version {
                Version(match v {
                    Other::Null => EventVersion::Absent,
                    v => EventVersion::Other(v.kind()),
                })
            }
        }
        impl<'de> Visitor<'de> for V {
            type Value = Version;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an event version")
            }
            fn visit_u64<E>(self, n: u64) -> Result<Version, E> {
                Ok(Version(EventVersion::Int(n)))
            }
            fn visit_i64<E>(self, n: i64) -> Result<Version, E> {
                Ok(Version(match u64::try_from(n) {
                    Ok(n) => EventVersion::Int(n),
                    Err(_) => EventVersion::Other("a negative number"),
                }))
            }
            fn visit_f64<E>(self, n: f64) -> Result<Version, E> {
                // Whole numbers up to 2^53 are exact as floats (`2.0` is 2);
                // larger ones (`1e300`, integers past u64) are no version.
                Ok(Version(if n < 0.0 {
                    EventVersion::Other("a negative number")
                } else if n.fract() != 0.0 {
                    EventVersion::Other("a number that is not a whole number")
                } else if n < 9_007_199_254_740_992.0 {
                    EventVersion::Int(n as u64)
                } else {
                    EventVersion::Other("a number too large to be a version")
                }))
            }
            other_types!('de; unit bool str seq map);
        }
        d.deserialize_any(V)
    }
}

/// A consent preference: `Some(bool)` when it is a boolean.
struct Pref(Option<bool>);

impl<'de> de::Deserialize<'de> for Pref {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl V {
            fn other(self, _: Other) -> Pref {
                Pref(None)
            }
        }
        impl<'de> Visitor<'de> for V {
            type Value = Pref;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a boolean")
            }
            fn visit_bool<E>(self, b: bool) -> Result<Pref, E> {
                Ok(Pref(Some(b)))
            }
            other_types!('de; unit i64 u64 f64 str seq map);
        }
        d.deserialize_any(V)
    }
}
