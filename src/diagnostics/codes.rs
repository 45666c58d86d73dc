//! Error codes for syntax and resolution errors. Governance rules are named, not
//! numbered; their documentation lives with each rule in `crate::rules`.
//! The documentation of every code is in [`crate::docs`].

pub(crate) const SYNTAX: &str = "E0001";
pub(crate) const UNCLOSED: &str = "E0002";
pub(crate) const UNTERMINATED_STRING: &str = "E0003";
pub(crate) const INVALID_ESCAPE: &str = "E0004";
pub(crate) const NESTING_TOO_DEEP: &str = "E0005";
pub(crate) const INVALID_UTF8: &str = "E0006";
pub(crate) const EMPTY_INPUT: &str = "E0007";
pub(crate) const UNKNOWN_DECLARATION: &str = "E0010";
pub(crate) const UNKNOWN_FIELD: &str = "E0011";
pub(crate) const DUPLICATE_FIELD: &str = "E0012";
pub(crate) const INVALID_VALUE: &str = "E0013";
pub(crate) const MISSING: &str = "E0014";
pub(crate) const MISSING_PLAN: &str = "E0020";
pub(crate) const DUPLICATE_PLAN: &str = "E0021";
pub(crate) const DUPLICATE_DECLARATION: &str = "E0022";
pub(crate) const DUPLICATE_EVENT: &str = "E0023";
pub(crate) const DUPLICATE_PROPERTY: &str = "E0024";
pub(crate) const UNRESOLVED: &str = "E0025";
pub(crate) const UNKNOWN_TYPE: &str = "E0030";
pub(crate) const UNKNOWN_MODIFIER: &str = "E0031";
pub(crate) const MODIFIER_MISUSE: &str = "E0032";
pub(crate) const DUPLICATE_MODIFIER: &str = "E0033";
pub(crate) const INVALID_BOUNDS: &str = "E0034";
pub(crate) const INVALID_DATE: &str = "E0035";
pub(crate) const INVALID_PERCENT: &str = "E0036";
pub(crate) const INVALID_SEMVER: &str = "E0037";
pub(crate) const INVALID_REGEX: &str = "E0038";
pub(crate) const EXAMPLE_MISMATCH: &str = "E0039";
pub(crate) const INVALID_DURATION: &str = "E0040";
pub(crate) const INVALID_NAME: &str = "E0041";
pub(crate) const UNKNOWN_RULE: &str = "E0042";
pub(crate) const ALLOW_WITHOUT_REASON: &str = "E0043";
pub(crate) const MISPLACED_DESCRIPTION: &str = "E0044";
pub(crate) const UNKNOWN_CHANGE_KIND: &str = "E0045";
pub(crate) const INVALID_UNION: &str = "E0046";

/// Documentation of an error code, shown by `eventsc explain` and in `docs/rules.md`.
pub struct CodeDoc {
    pub code: &'static str,
    pub title: &'static str,
    pub explanation: &'static str,
    pub bad: &'static str,
    pub good: &'static str,
}

pub static CODES: &[CodeDoc] = &[
    CodeDoc {
        code: SYNTAX,
        title: "syntax error",
        explanation: "The text does not follow the grammar at this point. The message says what was expected in this context and what was found; the help names the usual fix (a missing new line or `;` between fields, commas between modifiers, a percentage written with a space, …).",
        bad: "event \"Order Completed\" {\n  owner @growth source web\n}",
        good: "event \"Order Completed\" {\n  owner @growth; source web\n}",
    },
    CodeDoc {
        code: UNCLOSED,
        title: "block, list or argument list never closed",
        explanation: "A `{`, `(` or `[` has no matching closing delimiter. The error points at the opening one; when a new declaration starts inside the open block, that line is shown too.",
        bad: "event \"Order Completed\" {\n  owner @growth\n\nevent \"Order Refunded\" {\n  owner @growth\n}",
        good: "event \"Order Completed\" {\n  owner @growth\n}\n\nevent \"Order Refunded\" {\n  owner @growth\n}",
    },
    CodeDoc {
        code: UNTERMINATED_STRING,
        title: "unterminated string",
        explanation: "A string literal is not closed with `\"` before the end of its line. Strings cannot span lines; write a line break as `\\n`.",
        bad: "event \"Order Completed\" {\n  description \"The order was placed\n}",
        good: "event \"Order Completed\" {\n  description \"The order was placed\"\n}",
    },
    CodeDoc {
        code: INVALID_ESCAPE,
        title: "invalid escape in a string",
        explanation: "Strings accept the escapes `\\\"`, `\\\\`, `\\n`, `\\t` and `\\u{…}` (1 to 6 hex digits naming a Unicode scalar value). A backslash followed by anything else is an error, most often a regular expression that needs its backslashes doubled.",
        bad: "sku: string pattern(\"^\\d+$\")",
        good: "sku: string pattern(\"^\\\\d+$\")",
    },
    CodeDoc {
        code: NESTING_TOO_DEEP,
        title: "nesting too deep",
        explanation: "Blocks, lists and argument lists nest more than 32 levels deep. No tracking plan needs this; the limit keeps the compiler safe on any input.",
        bad: "payload: object { a: object { b: object { … 33 levels … } } }",
        good: "payload: object { a: string; b: string }",
    },
    CodeDoc {
        code: INVALID_UTF8,
        title: "file is not UTF-8",
        explanation: "`.events` files are UTF-8. The error gives the offset of the first byte that is not valid UTF-8; re-save the file as UTF-8.",
        bad: "(a file saved as Latin-1 with `é` written as byte 0xE9)",
        good: "(the same file saved as UTF-8)",
    },
    CodeDoc {
        code: EMPTY_INPUT,
        title: "empty input",
        explanation: "None of the files holds a declaration. A plan needs at least a `plan` block.",
        bad: "// nothing but comments",
        good: "plan \"Pipeline velocity\" { owner @analytics }\nowner @analytics { name \"Analytics\" }",
    },
    CodeDoc {
        code: UNKNOWN_DECLARATION,
        title: "unknown declaration",
        explanation: "A top-level block starts with a word that is not a kind of declaration. The kinds are `plan`, `owner`, `consent`, `retention`, `source`, `tool`, `enum`, `bundle`, `common`, `identify`, `group`, `event` and `kpi`.",
        bad: "events \"Order Completed\" { }",
        good: "event \"Order Completed\" { }",
    },
    CodeDoc {
        code: UNKNOWN_FIELD,
        title: "unknown field, or an item a block cannot hold",
        explanation: "The block does not have this field (the help suggests the closest one, or says which block it belongs to), or it holds something it cannot: a property in an `owner`, a field in an `object { }`.",
        bad: "event \"Order Completed\" {\n  ownr @growth\n}",
        good: "event \"Order Completed\" {\n  owner @growth\n}",
    },
    CodeDoc {
        code: DUPLICATE_FIELD,
        title: "field written twice",
        explanation: "A field that takes one value is written twice in the same block (or a rule is configured twice in `rules { }`). Both places are shown; keep one.",
        bad: "event \"Order Completed\" {\n  owner @growth\n  owner @revops\n}",
        good: "event \"Order Completed\" {\n  owner @growth\n}",
    },
    CodeDoc {
        code: INVALID_VALUE,
        title: "invalid value for a field",
        explanation: "The value has the wrong shape for the field (a string where a date is expected, two values where one is allowed), or is not one of the accepted words (`basis`, `kind`, `status`, `identity`, …); the help suggests the closest accepted word.",
        bad: "consent analytics { basis legitimate }",
        good: "consent analytics { basis legitimate_interest }",
    },
    CodeDoc {
        code: MISSING,
        title: "missing name or required field",
        explanation: "A declaration lacks its name or a field it cannot do without: a plan, event or KPI needs a quoted name, an owner an `@name`, a consent purpose its `basis`, a retention policy its `duration`, a KPI its `events`.",
        bad: "consent analytics { description \"Product analytics\" }",
        good: "consent analytics { basis legitimate_interest; description \"Product analytics\" }",
    },
    CodeDoc {
        code: MISSING_PLAN,
        title: "no `plan` block",
        explanation: "The files hold declarations but none of them is the `plan` block, which states the request the tracking plan answers. Exactly one file of a plan holds it.",
        bad: "event \"Order Completed\" { owner @growth }",
        good: "plan \"Checkout\" { owner @growth }\nevent \"Order Completed\" { owner @growth }",
    },
    CodeDoc {
        code: DUPLICATE_PLAN,
        title: "more than one `plan` block",
        explanation: "A tracking plan has exactly one `plan` block, even when it spans several files. Both blocks are shown; merge them, or check the files as separate plans.",
        bad: "plan \"Checkout\" { }\nplan \"Checkout v2\" { }",
        good: "plan \"Checkout\" { }",
    },
    CodeDoc {
        code: DUPLICATE_DECLARATION,
        title: "declared twice",
        explanation: "Two declarations of the same kind have the same name (or a plan has two `common`, `identify` or `group` blocks). Names are unique within their kind; both places are shown.",
        bad: "owner @growth { name \"Growth\" }\nowner @growth { name \"Growth team\" }",
        good: "owner @growth { name \"Growth\" }",
    },
    CodeDoc {
        code: DUPLICATE_EVENT,
        title: "event declared twice",
        explanation: "Two events have the same name and version. Declarations of one name are versions of one event (Segment's event versioning) when their `version`s differ (`version 2`; 1 when not written); the same name and version twice is this error. Names that differ only in case or spacing (\"order completed\" next to \"Order  Completed\") are distinct events to Segment: the rule `naming/confusable-name` reports them, an error by default that a plan can relax (`rules { }`, or `allow(...)` on the event) when both are really sent.",
        bad: "event \"Order Completed\" { }\nevent \"Order Completed\" { }",
        good: "event \"Order Completed\" { }\nevent \"Order Completed\" { version 2 }",
    },
    CodeDoc {
        code: DUPLICATE_PROPERTY,
        title: "property defined twice",
        explanation: "Two properties of one block have the same name, or an event's own property has the name of a property its `use`d bundle brings in. Both definitions are shown.",
        bad: "bundle Account { plan: Plan }\nevent \"Trial Started\" {\n  use Account\n  plan: string\n}",
        good: "bundle Account { plan: Plan }\nevent \"Trial Started\" {\n  use Account\n}",
    },
    CodeDoc {
        code: UNRESOLVED,
        title: "unknown name",
        explanation: "A reference (an `@owner`, a consent purpose, a retention policy, a source, an enum used as a type, a bundle, a `replaced_by` or KPI event) names nothing that is declared. The help names the closest declared name, or says when the name belongs to another kind.",
        bad: "event \"Order Completed\" { consent marketting }",
        good: "event \"Order Completed\" { consent marketing }",
    },
    CodeDoc {
        code: UNKNOWN_TYPE,
        title: "unknown type",
        explanation: "A property's type is not a built-in type (`string`, `integer`, `number`, `boolean`, `datetime`, `date`), an `enum(…)`, `list(T)`, `object { … }`, or the name of a declared enum.",
        bad: "quantity: int required",
        good: "quantity: integer required",
    },
    CodeDoc {
        code: UNKNOWN_MODIFIER,
        title: "unknown modifier",
        explanation: "After its type, a property takes the modifiers `required`, `nullable`, `min`, `max`, `min_length`, `max_length`, `pattern`, `format`, `pii`, `consent`, `retention`, `example`, `deprecated` and `allow`. The help suggests the closest one.",
        bad: "email: string requried",
        good: "email: string required",
    },
    CodeDoc {
        code: MODIFIER_MISUSE,
        title: "modifier misused",
        explanation: "The modifier does not apply to the property's type (`min` on a string, `pattern` on an integer, `format` on a `datetime`), or its arguments are wrong (`required(true)`, `min(\"1\")`).",
        bad: "name: string min(1)",
        good: "name: string min_length(1)",
    },
    CodeDoc {
        code: DUPLICATE_MODIFIER,
        title: "modifier written twice",
        explanation: "A property has the same modifier twice; keep one.",
        bad: "email: string required required",
        good: "email: string required",
    },
    CodeDoc {
        code: INVALID_BOUNDS,
        title: "bounds that no value satisfies",
        explanation: "`min` is greater than `max`, or `min_length` greater than `max_length`.",
        bad: "trial_days: integer min(90) max(1)",
        good: "trial_days: integer min(1) max(90)",
    },
    CodeDoc {
        code: INVALID_DATE,
        title: "invalid date",
        explanation: "Dates are written YYYY-MM-DD and must exist in the calendar: `2026-02-30` and `2026-13-01` are errors.",
        bad: "timeline 2026-02-30",
        good: "timeline 2026-02-28",
    },
    CodeDoc {
        code: INVALID_PERCENT,
        title: "invalid percentage",
        explanation: "A field that takes a percentage got a plain number, or a value outside 0%–100% (for `coverage`).",
        bad: "qa { coverage 95 }",
        good: "qa { coverage 95% }",
    },
    CodeDoc {
        code: INVALID_SEMVER,
        title: "invalid version",
        explanation: "`version` and `since` are semantic versions (semver 2.0.0): MAJOR.MINOR.PATCH, optionally `-prerelease` and `+build`, no leading zeros, no `v` prefix, in quotes.",
        bad: "version \"v1.3\"",
        good: "version \"1.3.0\"",
    },
    CodeDoc {
        code: INVALID_REGEX,
        title: "pattern does not compile",
        explanation: "A `pattern(\"…\")` is not a valid regular expression in the ECMA-262 subset that JSON Schema validators share (no look-around, no back-references).",
        bad: "currency: string pattern(\"^[A-Z{3}$\")",
        good: "currency: string pattern(\"^[A-Z]{3}$\")",
    },
    CodeDoc {
        code: EXAMPLE_MISMATCH,
        title: "example does not match the property",
        explanation: "An `example(…)` value does not satisfy the property's type and constraints (enum values, bounds, lengths, pattern, format). Examples become the sample payloads QA replays, so they must be valid.",
        bad: "trial_days: integer min(1) max(90) example(120)",
        good: "trial_days: integer min(1) max(90) example(14)",
    },
    CodeDoc {
        code: INVALID_DURATION,
        title: "invalid duration",
        explanation: "Durations are a whole number and a unit: `minutes`, `hours`, `days`, `weeks`, `months` or `years` (singular or plural).",
        bad: "retention standard { duration 13 monts }",
        good: "retention standard { duration 13 months }",
    },
    CodeDoc {
        code: INVALID_NAME,
        title: "invalid owner name",
        explanation: "Owner names are `@` followed by a lowercase letter or digit, then lowercase letters, digits, `.`, `_` or `-`.",
        bad: "owner @Growth { }",
        good: "owner @growth { }",
    },
    CodeDoc {
        code: UNKNOWN_RULE,
        title: "unknown rule",
        explanation: "A `rules { }` setting or an `allow(…)` names a rule that does not exist. `eventsc explain --list` lists every rule.",
        bad: "rules { \"naming/event_case\" = off }",
        good: "rules { \"naming/event-case\" = off }",
    },
    CodeDoc {
        code: ALLOW_WITHOUT_REASON,
        title: "exception without a reason",
        explanation: "An `allow(…)` silences a governance rule; reviewers need to know why. Give a non-empty `reason \"…\"`.",
        bad: "userId: string allow(\"naming/property-case\")",
        good: "userId: string allow(\"naming/property-case\", reason \"mobile SDK v1 sends it\")",
    },
    CodeDoc {
        code: MISPLACED_DESCRIPTION,
        title: "misplaced or repeated description",
        explanation: "A property's description is one string at the end of its line, after the modifiers.",
        bad: "email: string \"Login email\" required",
        good: "email: string required \"Login email\"",
    },
    CodeDoc {
        code: UNKNOWN_CHANGE_KIND,
        title: "unknown kind of change",
        explanation: "A `relax { }` setting names a kind of change `eventsc diff` does not report. `eventsc explain --list` lists every kind.",
        bad: "plan \"P\" {\n  relax { \"event-rename\" = documentation }\n}",
        good: "plan \"P\" {\n  relax { \"event-renamed\" = documentation }\n}",
    },
    CodeDoc {
        code: INVALID_UNION,
        title: "invalid union",
        explanation: "A union (`string | integer`) joins types of different JSON types: `string`, `integer` or `number`, `boolean`, `datetime`, `date`, `list(…)`, at most one of each JSON type (`string` and `datetime` are both strings, `integer` and `number` both numbers). An `object { … }`, an enum or `any` cannot be a member: values of several types are one enum (`enum(\"a\", 1)`), and `any` already holds every value. Null is not a member: write the modifier `nullable`.",
        bad: "event \"Order Completed\" {\n  order_id: string | datetime\n}",
        good: "event \"Order Completed\" {\n  order_id: string | integer nullable\n}",
    },
];
