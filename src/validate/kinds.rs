//! What a payload can break: the kinds of violations, their severity, and one
//! violation as reported.

use super::model::Loc;
use serde::Serialize;

macro_rules! kinds {
    ($($variant:ident => $name:literal, $defect:literal, $about:literal;)+) => {
        /// A kind of violation.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Kind { $($variant),+ }

        impl Kind {
            pub const ALL: &'static [Kind] = &[$(Kind::$variant),+];

            /// The stable name used in output.
            pub fn name(self) -> &'static str {
                match self { $(Kind::$variant => $name),+ }
            }

            /// Whether it is a defect (else a warning).
            pub(crate) fn is_defect(self) -> bool {
                match self { $(Kind::$variant => $defect),+ }
            }

            /// One line about what it means.
            pub(crate) fn about(self) -> &'static str {
                match self { $(Kind::$variant => $about),+ }
            }
        }
    };
}

kinds! {
    Malformed => "malformed", true, "not a JSON object";
    Envelope => "envelope", true, "Segment envelope: type, messageId, ids, timestamps";
    Size => "size", true, "over Segment's 32 KB per-message limit";
    Identity => "identity", true, "the id the event's `identity` requires is missing";
    UnplannedEvent => "unplanned-event", true, "a track event the plan does not have";
    UnknownVersion => "unknown-version", true, "a `context.protocols.event_version` the event does not have (checked against its oldest version)";
    DeprecatedEvent => "deprecated-event", false, "a deprecated event was seen";
    Sunset => "sunset", true, "a deprecated event was seen after its sunset date";
    Type => "type", true, "a value of the wrong JSON type";
    Required => "required", true, "a required property is missing";
    Null => "null", true, "null where the property is not nullable";
    Enum => "enum", true, "a value outside the enum";
    Pattern => "pattern", true, "a string that does not match `pattern(...)`";
    Format => "format", true, "a string not in its format (email, uri, date-time, …)";
    Bounds => "bounds", true, "a number outside `min(...)`/`max(...)`";
    Length => "length", true, "a string or list outside `min_length`/`max_length`";
    UnplannedProperty => "unplanned-property", false, "a property the plan does not have";
    Consent => "consent", true, "privacy: data sent while its consent category is switched off";
    Closed => "closed", true, "a key a `closed` object or block does not plan";
    NotAllowed => "not-allowed", true, "a value `not_pattern(...)` or `not_enum(...)` rules out";
}

pub(crate) const KINDS: usize = Kind::ALL.len();

impl Kind {
    pub(crate) fn index(self) -> usize {
        self as usize
    }

    pub(crate) fn severity(self) -> &'static str {
        if self.is_defect() {
            "defect"
        } else {
            "warning"
        }
    }
}

impl Serialize for Kind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// One broken rule in one payload.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Violation {
    pub(crate) kind: Kind,
    /// JSON pointer of the value (or of where a missing one belongs).
    pub(crate) pointer: String,
    pub(crate) expected: String,
    pub(crate) found: String,
    /// Where the rule is written in the plan; `None` for Segment's own rules.
    pub(crate) loc: Option<Loc>,
}
