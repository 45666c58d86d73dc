//! `eventsc import`: an adoption path for teams whose tracking plan lives
//! elsewhere. A reader ([`segment`]: Segment Public API rules JSON; [`csv`]:
//! Segment's tracking-plan CSV) fills the small model below; [`write()`] turns it into
//! `.events` text in the canonical layout ([`crate::fmt`]).
//!
//! Nothing is dropped silently: what the `.events` language cannot say (a JSON
//! Schema keyword it does not model, a property name that is not an identifier, an
//! unknown label…) becomes a [`Warning`] naming the event and the place in the
//! input. Input that cannot be read at all (malformed JSON or CSV, an unknown rule
//! type) is an [`ImportError`] with its location, and nothing is written.
//!
//! Public only for the integration tests (tests/it): the importers' readers,
//! `write` and the model the round-trip tests build and compare.

// Public (for tests/it, see the module's doc): the readers they call
// (`csv::read`, `segment::read`, `detect`), `write` and the model below, which
// they build and compare. The rest is the crate's.
pub mod csv;
pub mod detect;
pub(crate) mod rudderstack;
pub(crate) mod schema;
pub mod segment;
pub(crate) mod segment_config;
pub(crate) mod snowplow;
pub(crate) mod terraform;
pub(crate) mod typewriter;
mod write;

pub use write::{Options, Written, write};

use std::fmt;

/// Something the input says that the plan does not carry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    /// `event "Order Completed"`, `identify`, …
    pub subject: String,
    /// Where in the input: a JSON pointer (`/rules/3/jsonSchema/…`) or `line N`.
    pub at: String,
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at {}: {}", self.subject, self.at, self.message)
    }
}

/// What a reader found besides the plan: the warnings, and the keys with no
/// plan meaning it skipped quietly (`createdAt`, the editor's `id`…), counted.
#[derive(Clone, Debug, Default)]
pub struct Report {
    pub warnings: Vec<Warning>,
    pub skipped: std::collections::BTreeMap<String, usize>,
}

impl Report {
    pub(crate) fn warn(
        &mut self,
        subject: &str,
        at: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.warnings.push(Warning {
            subject: subject.to_string(),
            at: at.into(),
            message: message.into(),
        });
    }

    /// A key with no plan meaning, skipped quietly.
    pub(crate) fn skip(&mut self, key: &str) {
        match self.skipped.get_mut(key) {
            Some(n) => *n += 1,
            None => {
                self.skipped.insert(key.to_string(), 1);
            }
        }
    }

    /// `12 keys with no plan meaning skipped: createdAt 4, id 8`.
    pub(crate) fn skipped_summary(&self) -> Option<String> {
        let total: usize = self.skipped.values().sum();
        if total == 0 {
            return None;
        }
        let list: Vec<String> = self
            .skipped
            .iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect();
        Some(format!(
            "{total} key{} with no plan meaning skipped: {}",
            if total == 1 { "" } else { "s" },
            list.join(", ")
        ))
    }
}

/// A JSON pointer token (RFC 6901).
pub(crate) fn pointer_token(key: &str) -> String {
    if key.contains(['~', '/']) {
        key.replace('~', "~0").replace('/', "~1")
    } else {
        key.to_string()
    }
}

/// Input that cannot be imported; `at` is `line:column`, a JSON pointer or empty.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportError {
    pub at: String,
    pub message: String,
}

impl ImportError {
    pub(crate) fn new(at: impl Into<String>, message: impl Into<String>) -> Self {
        ImportError {
            at: at.into(),
            message: message.into(),
        }
    }
}

/// A plan read from another format, before it is written as `.events`.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    pub title: String,
    /// Constraints on every call's top-level fields (Segment's COMMON rule
    /// beyond `properties`).
    pub envelope: Option<Envelope>,
    pub common: Option<Traits>,
    pub identify: Option<Traits>,
    pub group: Option<Traits>,
    /// `page { }`, `page "Name" { }`, `screen { }`, `screen "Name" { }`.
    pub screens: Vec<Screen>,
    pub events: Vec<Event>,
}

/// `envelope { … }`: the payload's top-level fields.
#[derive(Clone, Debug, Default)]
pub struct Envelope {
    pub properties: Vec<Property>,
    /// Each a `require_one_of a, b` line (Segment's `anyOf` of `required`).
    pub require_one_of: Vec<Vec<String>>,
}

/// The properties of `common`, `identify` or `group`.
#[derive(Clone, Debug, Default)]
pub struct Traits {
    pub description: Option<String>,
    /// `identify` and `group` only.
    pub owner: Option<String>,
    pub consent: Option<String>,
    pub retention: Option<String>,
    /// No other properties (`additionalProperties: false`).
    pub closed: bool,
    pub properties: Vec<Property>,
}

/// A page or screen rule: all pages (`name` absent) or one.
#[derive(Clone, Debug, Default)]
pub struct Screen {
    /// `page` or `screen`.
    pub keyword: &'static str,
    pub name: Option<String>,
    pub traits: Traits,
}

#[derive(Clone, Debug, Default)]
pub struct Event {
    pub name: String,
    /// Segment's event version; `None` is 1.
    pub version: Option<u64>,
    pub description: Option<String>,
    pub owner: Option<String>,
    pub source: Option<String>,
    pub consent: Option<String>,
    pub retention: Option<String>,
    pub status: Option<String>,
    pub identity: Option<String>,
    pub flag: Option<String>,
    pub release: Option<String>,
    pub since: Option<String>,
    pub sunset: Option<String>,
    pub replaced_by: Option<String>,
    pub tags: Vec<String>,
    /// `key:value` labels.
    pub labels: Vec<String>,
    pub closed: bool,
    pub properties: Vec<Property>,
    /// Rules this event is exempt from, each with its reason.
    pub allows: Vec<(&'static str, String)>,
}

/// A literal of an enum: the value as written in the input.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Literal {
    Str(String),
    /// A JSON number as written (`1`, `0.5`).
    Num(String),
    Bool(bool),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Property {
    /// Any text: written as an identifier when it is one, else quoted.
    pub name: String,
    pub ty: Type,
    pub required: bool,
    pub nullable: bool,
    /// Numbers as written in the input (`1`, `0.5`).
    pub min: Option<String>,
    pub max: Option<String>,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub pattern: Option<String>,
    pub format: Option<String>,
    pub multiple_of: Option<String>,
    /// `object { … } closed`.
    pub closed: bool,
    /// `not: {pattern}` and `not: {enum}`.
    pub not_pattern: Option<String>,
    pub not_enum: Vec<Literal>,
    pub description: Option<String>,
    /// A rule this property is exempt from (`naming/property-case`).
    pub allow: Option<&'static str>,
}

impl Property {
    pub(crate) fn new(name: impl Into<String>, ty: Type) -> Property {
        Property {
            name: name.into(),
            ty,
            required: false,
            nullable: false,
            min: None,
            max: None,
            min_length: None,
            max_length: None,
            pattern: None,
            format: None,
            multiple_of: None,
            closed: false,
            not_pattern: None,
            not_enum: Vec::new(),
            description: None,
            allow: None,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Type {
    String,
    Integer,
    Number,
    Boolean,
    Datetime,
    Date,
    /// Any JSON value (no `type`).
    Any,
    Enum(Vec<Literal>),
    /// `string | integer`: never an object, never `null` (that is `nullable`).
    Union(Vec<Type>),
    /// The items: a nameless property carrying the item type and modifiers.
    List(Box<Property>),
    Object(Vec<Property>),
}

impl Type {
    /// A list of `item`, the items without modifiers.
    pub(crate) fn list(item: Type) -> Type {
        Type::List(Box::new(Property::new("", item)))
    }
}

pub(crate) use crate::syntax::{is_ident, is_owner_id};
