//! `eventsc import`: an adoption path for teams whose tracking plan lives
//! elsewhere. A reader ([`segment`]: Segment Public API rules JSON; [`csv`]:
//! Segment's tracking-plan CSV) fills the small model below; [`write`] turns it into
//! `.events` text in the canonical layout ([`crate::fmt`]).
//!
//! Nothing is dropped silently: what the `.events` language cannot say (a JSON
//! Schema keyword it does not model, a property name that is not an identifier, an
//! unknown label…) becomes a [`Warning`] naming the event and the place in the
//! input. Input that cannot be read at all (malformed JSON or CSV, an unknown rule
//! type) is an [`ImportError`] with its location, and nothing is written.

pub mod csv;
pub mod segment;
mod write;

pub use write::write;

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

/// Input that cannot be imported; `at` is `line:column`, a JSON pointer or empty.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportError {
    pub at: String,
    pub message: String,
}

impl ImportError {
    pub fn new(at: impl Into<String>, message: impl Into<String>) -> Self {
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
    pub common: Option<Traits>,
    pub identify: Option<Traits>,
    pub group: Option<Traits>,
    pub events: Vec<Event>,
}

/// The properties of `common`, `identify` or `group`.
#[derive(Clone, Debug, Default)]
pub struct Traits {
    pub description: Option<String>,
    /// `identify` and `group` only.
    pub owner: Option<String>,
    pub consent: Option<String>,
    pub retention: Option<String>,
    pub properties: Vec<Property>,
}

#[derive(Clone, Debug, Default)]
pub struct Event {
    pub name: String,
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
    pub properties: Vec<Property>,
    /// Rules this event is exempt from (`naming/event-case` for a name kept as sent).
    pub allows: Vec<&'static str>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Property {
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
    pub description: Option<String>,
    /// A rule this property is exempt from (`naming/property-case`).
    pub allow: Option<&'static str>,
}

impl Property {
    pub fn new(name: impl Into<String>, ty: Type) -> Property {
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
    Enum(Vec<String>),
    List(Box<Type>),
    Object(Vec<Property>),
}

/// `[A-Za-z_][A-Za-z0-9_]*`: a property, consent, retention or source name.
pub fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `[a-z0-9][a-z0-9._-]*`: an owner id (without `@`).
pub fn is_owner_id(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
}
