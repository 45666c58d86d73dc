//! The vocabulary of the language, listed once: its declarations and nested
//! blocks with their fields, its property types and its modifiers, each with
//! its documentation, in canonical order.
//!
//! The grammar is structural (`grammar/events.pest` knows `kind name? { … }`,
//! not which kinds exist), so every stage that knows words reads them here:
//! the splitter (`syntax::pieces`, declaration keywords), lowering (which
//! fields a block takes, "did you mean", where a misplaced field belongs), the
//! formatter (the order of fields and modifiers, which declarations fit on one
//! line), the language server (completion and hover) and the test of the
//! editor grammars (`tests/it/editor.rs`). Adding a word here is the first step
//! of adding it to the language (see ARCHITECTURE.md); a test fails until every
//! reader knows it.

/// A word of the language and what it means.
#[derive(Debug)]
pub struct Word {
    pub name: &'static str,
    pub doc: &'static str,
}

const fn w(name: &'static str, doc: &'static str) -> Word {
    Word { name, doc }
}

/// A block: a top-level declaration (`event "…" { }`) or a nested one
/// (`naming { }`, `qa { }`, `rules { }`, `object { }`).
#[derive(Debug)]
pub struct Block {
    /// The word that opens it.
    pub keyword: &'static str,
    /// How the block is named in messages: "an `event`", "the `qa` block".
    pub what: &'static str,
    pub doc: &'static str,
    /// A top-level declaration (else nested).
    pub top_level: bool,
    /// Its fields, in canonical order (the order `fmt` writes them in).
    pub fields: &'static [Word],
    /// Fields that may be written more than once.
    pub repeatable: &'static [&'static str],
    /// It holds properties (`name: type …`).
    pub properties: bool,
    /// It holds rule settings (`"rule" = level`).
    pub settings: bool,
    /// It holds bare values (enum values).
    pub values: bool,
    /// `fmt` writes it on one line when it holds only simple fields.
    pub one_line: bool,
}

impl Block {
    const fn new(keyword: &'static str, what: &'static str, doc: &'static str) -> Block {
        Block {
            keyword,
            what,
            doc,
            top_level: true,
            fields: &[],
            repeatable: &[],
            properties: false,
            settings: false,
            values: false,
            one_line: false,
        }
    }

    /// The field named `name`, if the block takes it.
    pub fn field(&self, name: &str) -> Option<&'static Word> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The names of its fields, in canonical order.
    pub fn field_names(&self) -> impl Iterator<Item = &'static str> + use<> {
        self.fields.iter().map(|f| f.name)
    }
}

const DESCRIPTION: Word = w("description", "What it is, in a sentence.");
const USE: Word = w(
    "use",
    "`use Bundle`: brings in a bundle's properties, where it is written.",
);
const ALLOW: Word = w(
    "allow",
    "`allow(\"rule\", reason \"…\")`: an exception to a governance rule here.",
);

pub(crate) const PLAN: Block = Block {
    fields: &[
        w("use_case", "The business question the plan answers."),
        DESCRIPTION,
        w(
            "sources",
            "The declared sources the plan uses: `sources product, web`.",
        ),
        w(
            "tools",
            "The tools the data goes to: `segment`, `rudderstack`, `amplitude`, `mixpanel`, `snowplow`, `dbt`, …",
        ),
        w(
            "constraints",
            "Compliance profiles: `gdpr`, `ccpa`, `hipaa`, `coppa`.",
        ),
        w("timeline", "The delivery date: `2026-12-15`."),
        w("version", "The semantic version of the plan: `\"1.3.0\"`."),
        w("owner", "The accountable owner: `@team`."),
        w(
            "retention",
            "The default retention policy of every property.",
        ),
        w(
            "naming",
            "`naming { events object_action; properties snake_case }`: the naming conventions.",
        ),
        w(
            "pattern",
            "The task graph of `plan.json`: `pipeline` (default) or `diamond` (governance and QA in parallel).",
        ),
        w(
            "qa",
            "`qa { coverage 95%; defect_ceiling 2; retry_limit 2; escalate_after 2 in 48 hours }`.",
        ),
        w("escalation", "The escalation ladder, in order: `@a, @b`."),
        w("ripcord", "Who is alerted when `escalate_after` trips."),
        w("approvers", "Whose sign-off changes to the plan need."),
        w(
            "rules",
            "`rules { \"rule\" = error | warn | off }`: the level of each governance rule.",
        ),
        w(
            "relax",
            "`relax { \"kind\" = compatible | documentation | governance | ignore }`: how `eventsc diff` classifies a kind of change.",
        ),
    ],
    ..Block::new(
        "plan",
        "the `plan` block",
        "The plan: its title, objective, sources, owner and QA policy. A plan has exactly one.",
    )
};

pub(crate) const NAMING: Block = Block {
    top_level: false,
    fields: &[
        w(
            "events",
            "How event names are written: `object_action` (\"Order Completed\"), `snake_case`, `camel_case`.",
        ),
        w(
            "properties",
            "How property names are written: `snake_case`, `camel_case`.",
        ),
    ],
    ..Block::new(
        "naming",
        "the `naming` block",
        "The naming conventions of events and properties.",
    )
};

pub(crate) const QA: Block = Block {
    top_level: false,
    fields: &[
        w(
            "coverage",
            "The share of planned events that must be observed in QA: `95%`.",
        ),
        w(
            "defect_ceiling",
            "The most defects QA may find and still pass.",
        ),
        w(
            "retry_limit",
            "QA re-runs before the escalation ladder starts.",
        ),
        w(
            "escalate_after",
            "Guardrail breaches within a window that pull the rip-cord: `2 in 48 hours`.",
        ),
    ],
    ..Block::new("qa", "the `qa` block", "The QA policy of the plan.")
};

pub(crate) const RULES: Block = Block {
    top_level: false,
    settings: true,
    ..Block::new(
        "rules",
        "the `rules` block",
        "Governance rule levels: `\"docs/missing-description\" = error`.",
    )
};

pub(crate) const RELAX: Block = Block {
    top_level: false,
    settings: true,
    ..Block::new(
        "relax",
        "the `relax` block",
        "Kinds of change `eventsc diff` classifies otherwise for this plan: `\"event-renamed\" = documentation`.",
    )
};

pub(crate) const OWNER: Block = Block {
    fields: &[
        w("name", "The owner's name as people know it."),
        w("email", "Where to reach the owner by email."),
        w("slack", "Where to reach the owner on Slack: `\"#growth\"`."),
        w(
            "backup",
            "The substitute when the owner is unavailable: `@team`.",
        ),
        DESCRIPTION,
    ],
    one_line: true,
    ..Block::new(
        "owner",
        "an `owner`",
        "A team or person accountable for events: `owner @growth { name \"Growth\" }`.",
    )
};

pub(crate) const CONSENT: Block = Block {
    fields: &[
        w(
            "basis",
            "The lawful basis (GDPR Art. 6): `consent`, `contract`, `legal_obligation`, `vital_interest`, `public_task`, `legitimate_interest`.",
        ),
        DESCRIPTION,
        w(
            "category",
            "The consent-manager category payloads name this purpose by (default: its id).",
        ),
    ],
    one_line: true,
    ..Block::new(
        "consent",
        "a `consent` purpose",
        "A purpose personal data is processed for, with its lawful basis.",
    )
};

pub(crate) const RETENTION: Block = Block {
    fields: &[
        w("duration", "How long data is kept: `13 months`."),
        w("action", "What happens then: `delete` or `anonymize`."),
        DESCRIPTION,
    ],
    one_line: true,
    ..Block::new(
        "retention",
        "a `retention` policy",
        "How long data is kept, and what happens to it then.",
    )
};

pub(crate) const SOURCE: Block = Block {
    fields: &[
        w(
            "kind",
            "`product`, `web`, `mobile`, `server`, `crm`, `map`, `billing`, `support` or `other`.",
        ),
        w(
            "database",
            "The warehouse database Segment loads this source into (the dbt target's sources).",
        ),
        w(
            "schema",
            "The warehouse schema Segment loads this source into (default: the source's id).",
        ),
        DESCRIPTION,
    ],
    one_line: true,
    ..Block::new("source", "a `source`", "Where events are sent from.")
};

pub(crate) const TOOL: Block = Block {
    fields: &[
        w(
            "baa",
            "Whether a HIPAA business associate agreement is signed: `true` or `false`.",
        ),
        w("workspace", "The tool's workspace."),
        w(
            "database",
            "The warehouse database the tables live in (dbt).",
        ),
        w("schema", "The warehouse schema the tables live in (dbt)."),
        DESCRIPTION,
    ],
    one_line: true,
    ..Block::new(
        "tool",
        "a `tool`",
        "A destination's settings (a tool needs no declaration to be used).",
    )
};

pub(crate) const ENUM: Block = Block {
    fields: &[DESCRIPTION],
    values: true,
    one_line: true,
    ..Block::new(
        "enum",
        "an `enum`",
        "A named list of allowed values: `enum Plan { \"free\", \"pro\" }`.",
    )
};

pub(crate) const BUNDLE: Block = Block {
    fields: &[DESCRIPTION],
    properties: true,
    ..Block::new(
        "bundle",
        "a `bundle`",
        "A reusable group of properties, brought into events with `use`.",
    )
};

const CLOSED: Word = w(
    "closed",
    "No properties besides those listed (JSON Schema `additionalProperties: false`).",
);

pub(crate) const COMMON: Block = Block {
    fields: &[DESCRIPTION, CLOSED, USE],
    repeatable: &["use"],
    properties: true,
    ..Block::new(
        "common",
        "the `common` block",
        "Properties every track event may carry.",
    )
};

const TRAITS_FIELDS: &[Word] = &[
    DESCRIPTION,
    w("owner", "The owner of these traits: `@team`."),
    w(
        "consent",
        "The consent purpose of these traits (properties may override it).",
    ),
    w(
        "retention",
        "The retention policy of these traits (properties may override it).",
    ),
    CLOSED,
    USE,
    ALLOW,
];

pub(crate) const IDENTIFY: Block = Block {
    fields: TRAITS_FIELDS,
    repeatable: &["use", "allow"],
    properties: true,
    ..Block::new(
        "identify",
        "the `identify` block",
        "User traits (Segment's identify call).",
    )
};

pub(crate) const GROUP: Block = Block {
    fields: TRAITS_FIELDS,
    repeatable: &["use", "allow"],
    properties: true,
    ..Block::new(
        "group",
        "the `group` block",
        "Account traits (Segment's group call).",
    )
};

pub(crate) const ENVELOPE: Block = Block {
    fields: &[
        DESCRIPTION,
        w(
            "require_one_of",
            "`require_one_of userId, anonymousId`: every call carries at least one of these fields (Segment's `anyOf` of `required`).",
        ),
    ],
    properties: true,
    ..Block::new(
        "envelope",
        "the `envelope` block",
        "The payload's top-level fields on every call (`context`, `userId`, `anonymousId`, `integrations`, …): Segment's COMMON rule. Track properties stay in `common`.",
    )
};

pub(crate) const PAGE: Block = Block {
    fields: TRAITS_FIELDS,
    repeatable: &["use", "allow"],
    properties: true,
    ..Block::new(
        "page",
        "a `page` rule",
        "The properties of page calls (Segment's page call): `page { … }` for every page, `page \"Pricing\" { … }` for one.",
    )
};

pub(crate) const SCREEN: Block = Block {
    fields: TRAITS_FIELDS,
    repeatable: &["use", "allow"],
    properties: true,
    ..Block::new(
        "screen",
        "a `screen` rule",
        "The properties of screen calls (Segment's screen call): `screen { … }` for every screen, `screen \"Checkout\" { … }` for one.",
    )
};

pub(crate) const EVENT: Block = Block {
    fields: &[
        w(
            "version",
            "Segment's event version: `version 2` (a positive integer, default 1). Several `event`s may share a name when their versions differ; the highest is current, and a payload picks one with `context.protocols.event_version`.",
        ),
        DESCRIPTION,
        w("owner", "Who is accountable for the event: `@team`."),
        w("source", "The declared source that sends it."),
        w(
            "consent",
            "The consent purpose its data is processed for (properties may override it).",
        ),
        w(
            "status",
            "`planned` (default), `implemented` or `deprecated`.",
        ),
        w(
            "sampling",
            "The share of occurrences sent: `50%` (default 100%).",
        ),
        w(
            "retention",
            "Its retention policy (overrides the plan's default).",
        ),
        w("since", "The plan version that introduced it: `\"1.2.0\"`."),
        w("tags", "Free labels: `\"funnel\", \"trial\"`."),
        w(
            "labels",
            "Segment's labels, `key:value` each: `\"platform:web\", \"team:growth\"`.",
        ),
        w(
            "identity",
            "The id a payload must carry: `user`, `anonymous`, `group` or `any` (default).",
        ),
        w("flag", "The feature flag gating its instrumentation."),
        w("release", "When it ships: `2026-12-10`."),
        w(
            "replaced_by",
            "The event that replaces it: `\"Order Completed\"`.",
        ),
        w("sunset", "When it stops being sent: `2027-03-31`."),
        CLOSED,
        USE,
        ALLOW,
    ],
    repeatable: &["use", "allow"],
    properties: true,
    ..Block::new(
        "event",
        "an `event`",
        "A tracked event and its properties: `event \"Order Completed\" { … }`.",
    )
};

pub(crate) const KPI: Block = Block {
    fields: &[
        DESCRIPTION,
        w("owner", "Who is accountable for the KPI: `@team`."),
        w("events", "The events the KPI is computed from."),
        w(
            "dimensions",
            "The properties it is sliced by: each must exist on one of its events.",
        ),
        w("consumers", "Where it is used: dashboards, dbt models."),
    ],
    ..Block::new(
        "kpi",
        "a `kpi`",
        "A business question the events must answer.",
    )
};

pub(crate) const OBJECT: Block = Block {
    top_level: false,
    properties: true,
    ..Block::new(
        "object",
        "an `object` type",
        "A nested object: `utm: object { source: string }`.",
    )
};

/// The top-level declarations, in the order their keywords are listed.
pub const DECLARATIONS: &[&Block] = &[
    &PLAN, &OWNER, &CONSENT, &RETENTION, &SOURCE, &TOOL, &ENUM, &BUNDLE, &COMMON, &ENVELOPE,
    &IDENTIFY, &GROUP, &PAGE, &SCREEN, &EVENT, &KPI,
];

/// Every block: the declarations, then the nested blocks.
pub const BLOCKS: &[&Block] = &[
    &PLAN, &OWNER, &CONSENT, &RETENTION, &SOURCE, &TOOL, &ENUM, &BUNDLE, &COMMON, &ENVELOPE,
    &IDENTIFY, &GROUP, &PAGE, &SCREEN, &EVENT, &KPI, &NAMING, &QA, &RULES, &RELAX, &OBJECT,
];

/// The declaration keywords, in order.
pub(crate) const DECLARATION_KEYWORDS: &[&str] = &[
    "plan",
    "owner",
    "consent",
    "retention",
    "source",
    "tool",
    "enum",
    "bundle",
    "common",
    "envelope",
    "identify",
    "group",
    "page",
    "screen",
    "event",
    "kpi",
];

/// The block opened by `keyword`.
pub fn block(keyword: &str) -> Option<&'static Block> {
    BLOCKS.iter().copied().find(|b| b.keyword == keyword)
}

/// The top-level declaration opened by `keyword`.
pub fn declaration(keyword: &str) -> Option<&'static Block> {
    DECLARATIONS.iter().copied().find(|b| b.keyword == keyword)
}

/// The one declaration that has a field, if only one has it (for "`sunset` is
/// a field of `event`" hints).
pub(crate) fn home_of(field: &str) -> Option<&'static Block> {
    let mut homes = DECLARATIONS.iter().filter(|b| b.field(field).is_some());
    match (homes.next(), homes.next()) {
        (Some(b), None) => Some(b),
        _ => None,
    }
}

/// Whether a word is a field of some declaration.
pub(crate) fn is_field(word: &str) -> bool {
    DECLARATIONS.iter().any(|b| b.field(word).is_some())
}

/// The built-in property types.
pub const TYPES: &[Word] = &[
    w("string", "Text."),
    w("integer", "A whole number."),
    w("number", "Any number."),
    w("boolean", "`true` or `false`."),
    w(
        "datetime",
        "A date and time, RFC 3339: `2026-12-01T10:00:00Z`.",
    ),
    w("date", "A calendar date: `2026-12-01`."),
    w(
        "any",
        "Any JSON value (JSON Schema `{}`): `payload: any`, `list(any)`.",
    ),
];

/// The type constructors: `list(T)`, `enum("a", "b")`, `object { … }`.
pub const TYPE_CONSTRUCTORS: &[Word] = &[
    w("list", "`list(T)`: a list of values of type T."),
    w(
        "enum",
        "`enum(\"a\", \"b\")`: one of the values listed (inline).",
    ),
    w("object", "`object { name: type … }`: a nested object."),
];

/// A property modifier.
#[derive(Debug)]
pub struct Modifier {
    pub name: &'static str,
    pub doc: &'static str,
    /// Written without arguments (`required`); else with them (`min(0)`).
    pub flag: bool,
}

const fn m(name: &'static str, flag: bool, doc: &'static str) -> Modifier {
    Modifier { name, doc, flag }
}

/// The modifiers, in canonical order (the order `fmt` writes them in).
pub const MODIFIERS: &[Modifier] = &[
    m(
        "required",
        true,
        "The property must be present (default: optional).",
    ),
    m("nullable", true, "`null` is allowed."),
    m(
        "closed",
        true,
        "On an `object`: no keys besides its properties (`additionalProperties: false`).",
    ),
    m(
        "min",
        false,
        "`min(n)`: the smallest number allowed, inclusive.",
    ),
    m(
        "max",
        false,
        "`max(n)`: the largest number allowed, inclusive.",
    ),
    m(
        "multiple_of",
        false,
        "`multiple_of(n)`: integers and numbers must be a multiple of n (n > 0).",
    ),
    m(
        "min_length",
        false,
        "`min_length(n)`: the shortest string (or, on a list, the fewest items) allowed.",
    ),
    m(
        "max_length",
        false,
        "`max_length(n)`: the longest string (or, on a list, the most items) allowed.",
    ),
    m(
        "pattern",
        false,
        "`pattern(\"regex\")`: strings must match (ECMA-262).",
    ),
    m(
        "not_pattern",
        false,
        "`not_pattern(\"regex\")`: strings must not match (ECMA-262).",
    ),
    m(
        "format",
        false,
        "`format(f)`: `email`, `uri`, `uuid`, `date`, `date-time`, `ipv4`, `ipv6` or `hostname`.",
    ),
    m(
        "not_enum",
        false,
        "`not_enum(\"a\", 1)`: values that are not allowed.",
    ),
    m(
        "example",
        false,
        "`example(value)`: an example value (used in samples); must satisfy the type.",
    ),
    m(
        "pii",
        false,
        "`pii(class)`: personal data: `identifier`, `contact`, `location`, `financial`, `health` or `sensitive`.",
    ),
    m(
        "consent",
        false,
        "`consent(id)`: the consent purpose of this property (overrides its container's).",
    ),
    m(
        "retention",
        false,
        "`retention(id)`: the retention policy of this property (overrides its container's).",
    ),
    m("deprecated", true, "Still accepted, flagged in outputs."),
    m(
        "allow",
        false,
        "`allow(\"rule\", reason \"…\")`: an exception to a governance rule for this property.",
    ),
];

/// The modifier named `name`.
pub(crate) fn modifier(name: &str) -> Option<&'static Modifier> {
    MODIFIERS.iter().find(|m| m.name == name)
}

/// The names of the modifiers, in canonical order.
pub(crate) fn modifier_names() -> impl Iterator<Item = &'static str> {
    MODIFIERS.iter().map(|m| m.name)
}

/// The names of the built-in types.
pub(crate) fn type_names() -> impl Iterator<Item = &'static str> {
    TYPES.iter().map(|t| t.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lists_agree() {
        let decls: Vec<&str> = DECLARATIONS.iter().map(|b| b.keyword).collect();
        assert_eq!(decls, DECLARATION_KEYWORDS);
        assert!(DECLARATIONS.iter().all(|b| b.top_level));
        assert!(BLOCKS[DECLARATIONS.len()..].iter().all(|b| !b.top_level));
        for b in BLOCKS {
            for r in b.repeatable {
                assert!(b.field(r).is_some(), "{} {r}", b.keyword);
            }
            let mut names: Vec<&str> = b.field_names().collect();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), b.fields.len(), "{}: a field twice", b.keyword);
        }
        let mut mods: Vec<&str> = modifier_names().collect();
        mods.sort_unstable();
        mods.dedup();
        assert_eq!(mods.len(), MODIFIERS.len());
    }

    #[test]
    fn homes() {
        assert_eq!(home_of("sunset").map(|b| b.keyword), Some("event"));
        assert_eq!(home_of("email").map(|b| b.keyword), Some("owner"));
        assert_eq!(home_of("events").map(|b| b.keyword), Some("kpi"));
        assert!(home_of("owner").is_none());
        assert!(is_field("description"));
        assert!(!is_field("coverage_x"));
    }
}
