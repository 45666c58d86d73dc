//! The JSON types a visitor does not look into. serde calls one `visit_*`
//! method per JSON type; a visitor writes the ones it reads and takes the
//! others from [`other_types!`], which skips the value (a list or an object is
//! read through, never built) and hands what it was, an [`Other`], to the
//! visitor's own `other` method (an inherent method: it says what such a value
//! gives, or reports it).

use super::scalar::format_float;

/// A value a visitor does not look into: its JSON type, and a boolean's or a
/// number's value (for messages).
#[derive(Clone, Copy)]
pub(super) enum Other {
    Null,
    Bool(bool),
    I64(i64),
    U64(u64),
    F64(f64),
    Str,
    List,
    Object,
}

impl Other {
    /// What the value is: "null", "a boolean", "a number", "a string", "a
    /// list", "an object".
    pub(super) fn kind(self) -> &'static str {
        match self {
            Other::Null => "null",
            Other::Bool(_) => "a boolean",
            Other::I64(_) | Other::U64(_) | Other::F64(_) => "a number",
            Other::Str => "a string",
            Other::List => "a list",
            Other::Object => "an object",
        }
    }

    /// The value as a message shows it: a boolean or a number by its value,
    /// anything else (strings too: they may be personal data) by its kind.
    pub(super) fn shown(self) -> String {
        match self {
            Other::Bool(b) => b.to_string(),
            Other::I64(v) => v.to_string(),
            Other::U64(v) => v.to_string(),
            Other::F64(v) => format_float(v),
            other => other.kind().into(),
        }
    }
}

/// The `visit_*` methods of a `Visitor<$de>` for the JSON types listed (any of
/// `unit bool i64 u64 f64 str seq map`): each skips the value and returns
/// `Ok(self.other(Other::…))`.
macro_rules! other_types {
    ($de:lifetime; $($ty:ident)*) => { $( $crate::validate::payload::other::other_types!(@ $de $ty); )* };
    (@ $de:lifetime unit) => {
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(self.other($crate::validate::payload::other::Other::Null))
        }
    };
    (@ $de:lifetime bool) => {
        fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
            Ok(self.other($crate::validate::payload::other::Other::Bool(v)))
        }
    };
    (@ $de:lifetime i64) => {
        fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
            Ok(self.other($crate::validate::payload::other::Other::I64(v)))
        }
    };
    (@ $de:lifetime u64) => {
        fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
            Ok(self.other($crate::validate::payload::other::Other::U64(v)))
        }
    };
    (@ $de:lifetime f64) => {
        fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
            Ok(self.other($crate::validate::payload::other::Other::F64(v)))
        }
    };
    (@ $de:lifetime str) => {
        fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
            Ok(self.other($crate::validate::payload::other::Other::Str))
        }
    };
    (@ $de:lifetime seq) => {
        fn visit_seq<A: serde::de::SeqAccess<$de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
            Ok(self.other($crate::validate::payload::other::Other::List))
        }
    };
    (@ $de:lifetime map) => {
        fn visit_map<A: serde::de::MapAccess<$de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            while map.next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?.is_some() {}
            Ok(self.other($crate::validate::payload::other::Other::Object))
        }
    };
}
pub(super) use other_types;
