//! The warehouse as Segment loads the plan's calls: one dbt source per `.events`
//! source (its schema), its tables and columns, and every rule of the plan as a
//! [`Check`] on a table. `sources.yml` (tests) and the QA models are both
//! written from this one model, so they check the same things.

use super::snakecase;
use crate::ir::{
    Event, Format, Identity, Literal, Modifiers, Plan, Property, Ref, SourceKind, Traits,
    TraitsKind, Type,
};
use crate::source::{SourceMap, Span};
use crate::targets::hex;
use std::collections::BTreeMap;

/// An argument of a check, as written into YAML and Jinja.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Arg {
    /// A word eventsc wrote: a column name, a number, a date, a format name
    /// (only `[A-Za-z0-9_.+-]`).
    Word(String),
    /// Text of the plan, as hex of its UTF-8 bytes.
    Hex(String),
    HexList(Vec<String>),
    /// Words eventsc wrote: numbers, `true`/`false`, column names, kinds.
    Words(Vec<String>),
}

/// Which of a table's rows a check is for, besides its event
/// ([`Check::scope`]): the argument `within` of its test.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Within {
    /// Page or screen calls of this `name` (a named page or screen rule).
    Name(String),
    /// Page or screen calls of no name or none of these (the rule for every
    /// page or screen, where no named rule applies).
    NotNames(Vec<String>),
    /// Track calls of this `context.protocols.event_version`.
    Version(u32),
    /// Track calls of no version or none of these: those Segment checks
    /// against the oldest version.
    NotVersions(Vec<u32>),
}

impl Within {
    /// The argument: its one key and its values (names as hex, versions as
    /// numbers).
    pub(crate) fn arg(&self) -> (&'static str, Vec<String>) {
        match self {
            Within::Name(n) => ("names", vec![hex_text(n)]),
            Within::NotNames(ns) => ("not_names", ns.iter().map(|n| hex_text(n)).collect()),
            Within::Version(v) => ("versions", vec![v.to_string()]),
            Within::NotVersions(vs) => ("not_versions", vs.iter().map(u32::to_string).collect()),
        }
    }
}

/// One rule of the plan on one table: a generic test in `sources.yml` and, when
/// `qa`, a source of rows in `eventsc_qa_defects`.
#[derive(Clone, Debug)]
pub(crate) struct Check {
    /// The generic test (`eventsc_<test>`) and the condition in the macros.
    pub test: &'static str,
    /// The kind of violation `eventsc validate` reports (`required`, `enum`, …).
    pub rule: &'static str,
    pub column: Option<String>,
    pub args: Vec<(&'static str, Arg)>,
    /// The event name, or the call (`identify`, `group`, `page`, `screen`).
    pub subject: String,
    /// `track`, `identify`, `group`, `page`, `screen`.
    pub call: &'static str,
    /// The event whose rows it applies to, when several share the table.
    pub scope: Option<String>,
    /// Which rows of its event (or call) it applies to.
    pub within: Option<Within>,
    /// `file:line` of the rule, or `Segment spec`.
    pub location: String,
    /// Part of `validate`'s verdict (else a dbt test only, such as uniqueness).
    pub qa: bool,
}

pub(crate) struct Column {
    pub name: String,
    pub description: Option<String>,
    pub data_type: &'static str,
    pub meta: Vec<(&'static str, MetaValue)>,
}

pub(crate) enum MetaValue {
    Str(String),
    Bool(bool),
    List(Vec<String>),
}

pub(crate) struct Table {
    pub name: String,
    pub description: String,
    pub meta: Vec<(&'static str, MetaValue)>,
    pub tags: Vec<String>,
    pub columns: Vec<Column>,
    pub checks: Vec<Check>,
}

impl Table {
    fn new(name: impl Into<String>, description: impl Into<String>) -> Table {
        Table {
            name: name.into(),
            description: description.into(),
            meta: Vec::new(),
            tags: Vec::new(),
            columns: Vec::new(),
            checks: Vec::new(),
        }
    }

    /// Adds a column unless the table has one of that name (events sharing a table).
    fn column(&mut self, name: &str, data_type: &'static str, description: &str) -> &mut Column {
        let i = match self.columns.iter().position(|c| c.name == name) {
            Some(i) => i,
            None => {
                self.columns.push(Column {
                    name: name.into(),
                    description: (!description.is_empty()).then(|| description.to_string()),
                    data_type,
                    meta: Vec::new(),
                });
                self.columns.len() - 1
            }
        };
        &mut self.columns[i]
    }

    fn check(&mut self, c: Check) {
        self.checks.push(c);
    }

    /// The columns `add` makes, without its checks (another table has them).
    fn columns_only(&mut self, add: impl FnOnce(&mut Table)) {
        let mut probe = Table::new("", "");
        add(&mut probe);
        for c in probe.columns {
            if !self.has_column(&c.name) {
                self.columns.push(c);
            }
        }
    }

    pub(crate) fn has_column(&self, name: &str) -> bool {
        self.columns.iter().any(|c| c.name == name)
    }
}

pub(crate) struct Source {
    pub name: String,
    pub description: String,
    pub database: Option<String>,
    pub schema: String,
    pub kind: Option<SourceKind>,
    pub tables: Vec<Table>,
}

/// What the QA summary needs, from the plan's QA policy (`ir::qa`).
pub(crate) struct Qa {
    /// The events QA covers (`ir::qa::in_scope`), by name: an event with
    /// versions once, observed when a call of any version is seen.
    pub in_scope: Vec<String>,
    /// How many of them must be observed (`Qa::required_observed`).
    pub required: usize,
    pub coverage: f64,
    pub defect_ceiling: u32,
}

pub(crate) struct Warehouse {
    pub sources: Vec<Source>,
    pub qa: Qa,
}

/// Column names Segment writes itself; a property of the same name is dropped.
pub(crate) const STANDARD: &[&str] = &[
    "id",
    "received_at",
    "sent_at",
    "timestamp",
    "original_timestamp",
    "user_id",
    "anonymous_id",
    "event",
    "event_text",
    "group_id",
    "uuid_ts",
    "loaded_at",
];

/// The tables every Segment source may have, in this order.
const CALL_TABLES: &[&str] = &["tracks", "pages", "screens", "identifies", "groups"];
const STATE_TABLES: &[&str] = &["users", "accounts"];

/// The `context_*` columns analytics.js and the mobile libraries fill.
const CONTEXT: &[(&str, &str)] = &[
    ("context_ip", "The client's IP address (context.ip)."),
    (
        "context_user_agent",
        "The browser's user agent (context.userAgent).",
    ),
    ("context_locale", "The client's locale (context.locale)."),
    (
        "context_library_name",
        "The Segment library that sent the call (context.library.name).",
    ),
    (
        "context_library_version",
        "Its version (context.library.version).",
    ),
    (
        "context_page_path",
        "The page's path when the call was made (context.page.path).",
    ),
    ("context_page_referrer", "context.page.referrer."),
    ("context_page_search", "context.page.search."),
    ("context_page_title", "context.page.title."),
    ("context_page_url", "context.page.url."),
    (
        "context_campaign_name",
        "The UTM campaign (context.campaign.name).",
    ),
    ("context_campaign_source", "context.campaign.source."),
    ("context_campaign_medium", "context.campaign.medium."),
    ("context_campaign_term", "context.campaign.term."),
    ("context_campaign_content", "context.campaign.content."),
];

const SEGMENT_SPEC: &str = "Segment spec";

/// The column of a consent category's preference (`false`: denied).
pub(crate) fn consent_column(category: &str) -> String {
    snakecase(&format!("context_consent_categoryPreferences_{category}"))
}

/// Hex of a text's UTF-8 bytes.
pub(crate) fn hex_text(s: &str) -> String {
    hex(s.as_bytes())
}

/// A regular expression in the subset every warehouse's engine reads alike
/// (POSIX ARE, RE2, Java): the check of a `format(...)`, as `validate` makes it
/// (leap days and the length limits of emails and host names aside).
pub(crate) fn format_regex(f: Format) -> &'static str {
    match f {
        Format::Email => {
            "^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+([.][A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?([.][A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+$"
        }
        Format::Uri => "^[A-Za-z][A-Za-z0-9+.-]*:[^[:space:][:cntrl:]<>\"{}|\\\\^`]*$",
        Format::Uuid => {
            "^(urn:uuid:)?[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$"
        }
        Format::Date => concat!(
            "^[0-9]{4}-((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)|02-(0[1-9]|1[0-9]|2[0-9]))",
            "$"
        ),
        Format::DateTime => {
            "^[0-9]{4}-((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)|02-(0[1-9]|1[0-9]|2[0-9]))[Tt]([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)([.][0-9]+)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$"
        }
        Format::Ipv4 => {
            "^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])[.]){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$"
        }
        Format::Ipv6 => {
            "^(([0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}|([0-9A-Fa-f]{1,4}:){1,7}:|([0-9A-Fa-f]{1,4}:){1,6}:[0-9A-Fa-f]{1,4}|([0-9A-Fa-f]{1,4}:){1,5}(:[0-9A-Fa-f]{1,4}){1,2}|([0-9A-Fa-f]{1,4}:){1,4}(:[0-9A-Fa-f]{1,4}){1,3}|([0-9A-Fa-f]{1,4}:){1,3}(:[0-9A-Fa-f]{1,4}){1,4}|([0-9A-Fa-f]{1,4}:){1,2}(:[0-9A-Fa-f]{1,4}){1,5}|[0-9A-Fa-f]{1,4}:(:[0-9A-Fa-f]{1,4}){1,6}|:((:[0-9A-Fa-f]{1,4}){1,7}|:))$"
        }
        Format::Hostname => {
            "^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?([.][A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
        }
    }
}

fn data_type(ty: &Type) -> &'static str {
    match ty {
        Type::Integer => "bigint",
        Type::Number => "double",
        Type::Boolean => "boolean",
        Type::Datetime => "timestamp",
        Type::Enum(e) => match e.json_types()[..] {
            ["integer"] => "bigint",
            ["number"] => "double",
            ["boolean"] => "boolean",
            _ => "varchar",
        },
        _ => "varchar",
    }
}

/// A literal as the text a warehouse column holds (and as a SQL literal for
/// numbers and booleans).
fn literal_text(l: &Literal) -> String {
    match l {
        Literal::Str(s) => s.clone(),
        Literal::Num(n) => n.to_string(),
        Literal::Bool(b) => b.to_string(),
    }
}

/// The JSON kinds of a union's members (`integer`, `number`, `boolean`,
/// `list`), or `None` when one holds strings: then any text may be one.
fn union_kinds(members: &[Type]) -> Option<Vec<String>> {
    let mut kinds = Vec::new();
    for m in members {
        kinds.push(
            match m {
                Type::Integer => "integer",
                Type::Number => "number",
                Type::Boolean => "boolean",
                Type::List(_) => "list",
                _ => return None,
            }
            .to_string(),
        );
    }
    Some(kinds)
}

/// `min`/`max` of a number, as the arguments of a check.
fn bound_args(m: &Modifiers) -> Vec<(&'static str, Arg)> {
    let mut args = Vec::new();
    if let Some(n) = &m.min {
        args.push(("min", Arg::Word(n.value.json.to_string())));
    }
    if let Some(n) = &m.max {
        args.push(("max", Arg::Word(n.value.json.to_string())));
    }
    args
}

/// `min_length`/`max_length` (of a string or a list), as `min`/`max`.
fn length_args(m: &Modifiers) -> Vec<(&'static str, Arg)> {
    let mut args = Vec::new();
    if let Some(n) = &m.min_length {
        args.push(("min", Arg::Word(n.value.to_string())));
    }
    if let Some(n) = &m.max_length {
        args.push(("max", Arg::Word(n.value.to_string())));
    }
    args
}

/// The JSON kinds a list's items may be (`integer`: a whole number), or
/// `None` for `any` and enums (checked by their values).
fn item_kinds(ty: &Type) -> Option<Vec<String>> {
    let mut kinds = Vec::new();
    for m in ty.members() {
        let k = match m {
            Type::String | Type::Date | Type::Datetime => "string",
            Type::Integer => "integer",
            Type::Number => "number",
            Type::Boolean => "boolean",
            Type::List(_) => "array",
            Type::Object(_) => "object",
            Type::Enum(_) | Type::Any | Type::Union(_) => return None,
        };
        kinds.push(k.to_string());
    }
    Some(kinds)
}

/// What a property's column holds, for `not_enum` and `not_pattern`.
enum Held {
    Strings,
    Numbers,
    Booleans,
    /// Text of values of several JSON kinds (`string`, `number`, `boolean`).
    Texts(Vec<&'static str>),
    /// Timestamps, JSON text of lists, flattened objects, anything.
    Other,
}

fn held(ty: &Type) -> Held {
    let kind = |t: &Type| match t {
        Type::String | Type::Datetime | Type::Date => "string",
        Type::Integer | Type::Number => "number",
        Type::Boolean => "boolean",
        _ => "other",
    };
    match ty {
        Type::String | Type::Date => Held::Strings,
        Type::Integer | Type::Number => Held::Numbers,
        Type::Boolean => Held::Booleans,
        Type::Enum(e) if e.is_strings() => Held::Strings,
        Type::Enum(e) => match data_type(ty) {
            "bigint" | "double" => Held::Numbers,
            "boolean" => Held::Booleans,
            _ => Held::Texts(
                e.json_types()
                    .into_iter()
                    .map(|t| if t == "integer" { "number" } else { t })
                    .collect(),
            ),
        },
        Type::Union(members) => Held::Texts(members.iter().map(kind).collect()),
        _ => Held::Other,
    }
}

/// Whether every value a column text may stand for (a string, a number, a
/// boolean, by the kinds the column holds) is one of `banned`.
fn banned_text(text: &str, kinds: &[&str], banned: &[Literal]) -> bool {
    let mut readings = 0;
    if kinds.contains(&"string") {
        readings += 1;
        if !banned.iter().any(|l| l.as_str() == Some(text)) {
            return false;
        }
    }
    if kinds.contains(&"number")
        && serde_json::from_str::<serde_json::Number>(text).is_ok()
        && let Ok(x) = text.parse::<f64>()
    {
        readings += 1;
        if !banned.iter().any(|l| l.is_number(x)) {
            return false;
        }
    }
    if kinds.contains(&"boolean") && (text == "true" || text == "false") {
        readings += 1;
        if !banned.contains(&Literal::Bool(text == "true")) {
            return false;
        }
    }
    readings > 0
}

/// The columns Segment makes of properties under `prefix` (objects flattened)
/// and the prefixes of their objects' columns (checked by the object, if
/// `closed`, else open).
fn leaf_columns<'p>(
    props: impl Iterator<Item = &'p Property>,
    prefix: &str,
    columns: &mut std::collections::BTreeSet<String>,
    objects: &mut std::collections::BTreeSet<String>,
) {
    for p in props {
        let name = if prefix.is_empty() {
            snakecase(&p.name.value)
        } else {
            snakecase(&format!("{prefix}_{}", p.name.value))
        };
        if name.is_empty() {
            continue;
        }
        if matches!(p.ty, Type::Object(_)) {
            objects.insert(format!("{name}_"));
        } else {
            columns.insert(name);
        }
    }
}

/// Where the checks of one container (an event, identify, group, a page or
/// screen rule, the envelope) go.
struct Scope<'a> {
    subject: &'a str,
    call: &'static str,
    /// The event, when its table is shared.
    event: Option<&'a str>,
    within: Option<Within>,
    /// The envelope's top-level fields: `userId` and `anonymousId` are
    /// Segment's own columns.
    envelope: bool,
}

impl<'a> Scope<'a> {
    /// Every row of a table of `call`s.
    fn call(subject: &'a str, call: &'static str) -> Scope<'a> {
        Scope {
            subject,
            call,
            event: None,
            within: None,
            envelope: false,
        }
    }
}

struct Builder<'a> {
    plan: &'a Plan,
    sources: &'a SourceMap,
    /// The versions of each versioned event, ascending.
    versions: BTreeMap<&'a str, Vec<u32>>,
}

/// The column of `context.protocols.event_version`.
pub(crate) const VERSION_COLUMN: &str = "context_protocols_event_version";

/// The versions of each versioned event of the plan, ascending.
fn event_versions(plan: &Plan) -> BTreeMap<&str, Vec<u32>> {
    let mut m: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
    for e in plan.events.iter().filter(|e| e.is_versioned()) {
        m.entry(e.name.value.as_str())
            .or_default()
            .push(e.version());
    }
    for v in m.values_mut() {
        v.sort_unstable();
        v.dedup();
    }
    m
}

impl Builder<'_> {
    fn loc(&self, span: Span) -> String {
        self.sources.location(span)
    }

    fn check(
        &self,
        s: &Scope,
        test: &'static str,
        rule: &'static str,
        column: Option<&str>,
        args: Vec<(&'static str, Arg)>,
        location: String,
    ) -> Check {
        Check {
            test,
            rule,
            column: column.map(str::to_string),
            args,
            subject: s.subject.to_string(),
            call: s.call,
            scope: s.event.map(str::to_string),
            within: s.within.clone(),
            location,
            qa: true,
        }
    }

    /// A dbt test that is no rule of `validate` (uniqueness, an id column
    /// Segment always fills, a table that must exist).
    fn test_only(&self, s: &Scope, test: &'static str, column: Option<&str>) -> Check {
        let mut c = self.check(s, test, test, column, vec![], String::new());
        c.qa = false;
        c
    }

    fn category_column(&self, consent: usize) -> Option<String> {
        self.plan
            .consents
            .get(consent)
            .map(|c| consent_column(c.category()))
    }

    /// The columns and checks of properties (objects flattened as Segment
    /// does); `container`: the effective consent of the enclosing object,
    /// event or block.
    #[allow(clippy::too_many_arguments)]
    fn properties<'p>(
        &self,
        table: &mut Table,
        s: &Scope,
        props: impl Iterator<Item = &'p Property>,
        prefix: &str,
        parents_required: bool,
        container: Option<usize>,
        seen: &mut Vec<String>,
    ) {
        for p in props {
            if prefix.is_empty() {
                // An event's own property hides a `common` one of that name.
                if seen.contains(&p.name.value.to_string()) {
                    continue;
                }
                seen.push(p.name.value.to_string());
            }
            let name = if prefix.is_empty() {
                snakecase(&p.name.value)
            } else {
                snakecase(&format!("{prefix}_{}", p.name.value))
            };
            let required = parents_required && p.is_required() && !p.is_nullable();
            let consent = p.effective.consent();
            if let Type::Object(children) = &p.ty {
                let mut inner = Vec::new();
                self.properties(
                    table,
                    s,
                    children.iter(),
                    &name,
                    required,
                    consent,
                    &mut inner,
                );
                if let Some(at) = p.modifiers().closed
                    && !name.is_empty()
                {
                    let check = self.closed(s, children.iter(), &name, Vec::new(), at);
                    table.check(check);
                }
                continue;
            }
            let own = s.envelope && prefix.is_empty();
            if name.is_empty() || (STANDARD.contains(&name.as_str()) && !own) {
                continue;
            }
            let description = p.description.as_ref().map_or("", |d| &d.value);
            let meta = self.property_meta(p);
            let column = table.column(&name, data_type(&p.ty), description);
            if column.meta.is_empty() {
                column.meta = meta;
            }
            // A page rule's `path`, `referrer`…: Segment's columns, its words.
            if column.description.is_none() && !description.is_empty() {
                column.description = Some(description.to_string());
            }
            let loc = self.loc(p.span);
            let col = Some(name.as_str());
            let m = p.modifiers();
            if required {
                table.check(self.check(s, "required", "required", col, vec![], loc.clone()));
            }
            match &p.ty {
                // Numbers and booleans in a typed column: SQL literals.
                Type::Enum(e) if !e.is_strings() && data_type(&p.ty) != "varchar" => {
                    let values = e.values.iter().map(literal_text).collect();
                    table.check(self.check(
                        s,
                        "accepted_literals",
                        "enum",
                        col,
                        vec![("values", Arg::Words(values))],
                        loc.clone(),
                    ));
                }
                // Strings, or values of several kinds: the column holds their
                // text (a string "1" reads as the number 1: not told apart).
                Type::Enum(e) => {
                    let values = e
                        .values
                        .iter()
                        .map(|l| hex_text(&literal_text(l)))
                        .collect();
                    table.check(self.check(
                        s,
                        "accepted_values",
                        "enum",
                        col,
                        vec![("values", Arg::HexList(values))],
                        loc.clone(),
                    ));
                }
                Type::Integer | Type::Number => {
                    if matches!(p.ty, Type::Integer) {
                        table.check(self.check(s, "integer", "type", col, vec![], loc.clone()));
                    }
                    let args = bound_args(m);
                    if !args.is_empty() {
                        table.check(self.check(s, "range", "bounds", col, args, loc.clone()));
                    }
                }
                Type::String => {
                    let args = length_args(m);
                    if !args.is_empty() {
                        table.check(self.check(s, "length", "length", col, args, loc.clone()));
                    }
                    if let Some(f) = &m.format {
                        table.check(self.format(s, col, f.value, loc.clone()));
                    }
                    if let Some(pat) = &m.pattern {
                        table.check(self.check(
                            s,
                            "pattern",
                            "pattern",
                            col,
                            vec![("pattern", Arg::Hex(hex_text(&pat.value)))],
                            loc.clone(),
                        ));
                    }
                }
                Type::Date => table.check(self.format(s, col, Format::Date, loc.clone())),
                // Timestamps are typed by the warehouse; lists are JSON text.
                // `any` and unions: any JSON text.
                // A union of no string member: the text must read as one
                // of its members (with one, any text may be a string).
                Type::Union(members) => {
                    if let Some(kinds) = union_kinds(members) {
                        table.check(self.check(
                            s,
                            "union",
                            "type",
                            col,
                            vec![("kinds", Arg::Words(kinds))],
                            loc.clone(),
                        ));
                    }
                }
                Type::List(inner) => self.list_rules(table, s, p, inner, col, &loc),
                Type::Datetime | Type::Boolean | Type::Object(_) | Type::Any => {}
            }
            self.value_rules(table, s, p, col, &loc);
            if let Some(c) = consent
                && Some(c) != container
                && let Some(pref) = self.category_column(c)
            {
                let at = m.consent.as_ref().map_or(p.span, |r| r.span);
                table.check(self.check(
                    s,
                    "consent",
                    "consent",
                    col,
                    vec![("preference", Arg::Word(pref))],
                    self.loc(at),
                ));
            }
        }
    }

    /// The checks of `multiple_of`, `not_pattern` and `not_enum`, where the
    /// column holds what they judge.
    fn value_rules(
        &self,
        table: &mut Table,
        s: &Scope,
        p: &Property,
        col: Option<&str>,
        loc: &str,
    ) {
        let m = p.modifiers();
        let held = held(&p.ty);
        if let Some(step) = &m.multiple_of
            && matches!(p.ty, Type::Integer | Type::Number)
        {
            table.check(self.check(
                s,
                "multiple_of",
                "bounds",
                col,
                vec![("step", Arg::Word(step.value.json.to_string()))],
                loc.to_string(),
            ));
        }
        if let Some(pat) = &m.not_pattern
            && matches!(held, Held::Strings)
        {
            table.check(self.check(
                s,
                "not_pattern",
                "not-allowed",
                col,
                vec![("pattern", Arg::Hex(hex_text(&pat.value)))],
                loc.to_string(),
            ));
        }
        let Some(banned) = &m.not_enum else {
            return;
        };
        let banned = &banned.value;
        let literals = |keep: fn(&Literal) -> bool| -> Vec<String> {
            banned
                .iter()
                .filter(|l| keep(l))
                .map(literal_text)
                .collect()
        };
        let (test, values) = match held {
            Held::Strings => (
                "rejected_values",
                Arg::HexList(
                    banned
                        .iter()
                        .filter_map(Literal::as_str)
                        .map(hex_text)
                        .collect(),
                ),
            ),
            Held::Numbers => (
                "rejected_literals",
                Arg::Words(literals(|l| matches!(l, Literal::Num(_)))),
            ),
            Held::Booleans => (
                "rejected_literals",
                Arg::Words(literals(|l| matches!(l, Literal::Bool(_)))),
            ),
            Held::Texts(kinds) => {
                let mut texts: Vec<String> = Vec::new();
                for t in banned.iter().map(literal_text) {
                    if banned_text(&t, &kinds, banned) && !texts.contains(&t) {
                        texts.push(t);
                    }
                }
                (
                    "rejected_values",
                    Arg::HexList(texts.iter().map(|t| hex_text(t)).collect()),
                )
            }
            Held::Other => return,
        };
        if matches!(&values, Arg::HexList(v) | Arg::Words(v) if v.is_empty()) {
            return;
        }
        table.check(self.check(
            s,
            test,
            "not-allowed",
            col,
            vec![("values", values)],
            loc.to_string(),
        ));
    }

    /// The checks of a list (JSON text): its number of items, and each item's
    /// kind, nullability, enum and constraints (a list's items that are
    /// lists or objects: their kind only).
    fn list_rules(
        &self,
        table: &mut Table,
        s: &Scope,
        p: &Property,
        inner: &Property,
        col: Option<&str>,
        loc: &str,
    ) {
        let m = p.modifiers();
        let bounds = length_args(m);
        if !bounds.is_empty() {
            table.check(self.check(s, "list_length", "length", col, bounds, loc.to_string()));
        }
        let mut item = |item: &str, rule: &'static str, args: Vec<(&'static str, Arg)>| {
            let mut all = vec![("item", Arg::Word(item.to_string()))];
            all.extend(args);
            table.check(self.check(s, "items", rule, col, all, loc.to_string()));
        };
        if matches!(inner.ty, Type::Any) {
            return;
        }
        if !inner.is_nullable() {
            item("null", "null", Vec::new());
        }
        let im = inner.modifiers();
        match &inner.ty {
            Type::Enum(e) => {
                let strings = e.values.iter().filter_map(Literal::as_str).map(hex_text);
                let literals = e.values.iter().filter(|l| l.as_str().is_none());
                item(
                    "enum",
                    "enum",
                    vec![
                        ("values", Arg::HexList(strings.collect())),
                        ("literals", Arg::Words(literals.map(literal_text).collect())),
                    ],
                );
            }
            ty => {
                if let Some(kinds) = item_kinds(ty) {
                    item("kinds", "type", vec![("kinds", Arg::Words(kinds))]);
                }
            }
        }
        match &inner.ty {
            Type::Integer | Type::Number => {
                let args = bound_args(im);
                if !args.is_empty() {
                    item("range", "bounds", args);
                }
                if let Some(n) = &im.multiple_of {
                    let step = Arg::Word(n.value.json.to_string());
                    item("multiple_of", "bounds", vec![("step", step)]);
                }
            }
            Type::String => {
                let args = length_args(im);
                if !args.is_empty() {
                    item("length", "length", args);
                }
                if let Some(f) = &im.format {
                    item(
                        "format",
                        "format",
                        vec![("pattern", Arg::Hex(hex_text(format_regex(f.value))))],
                    );
                }
                if let Some(pat) = &im.pattern {
                    item(
                        "pattern",
                        "pattern",
                        vec![("pattern", Arg::Hex(hex_text(&pat.value)))],
                    );
                }
            }
            Type::Date => {
                item(
                    "format",
                    "format",
                    vec![("pattern", Arg::Hex(hex_text(format_regex(Format::Date))))],
                );
            }
            Type::Datetime => {
                let re = format_regex(Format::DateTime);
                item(
                    "format",
                    "format",
                    vec![("pattern", Arg::Hex(hex_text(re)))],
                );
            }
            _ => {}
        }
        if let Some(pat) = &im.not_pattern
            && inner
                .ty
                .has(|t| matches!(t, Type::String | Type::Date | Type::Datetime))
        {
            item(
                "not_pattern",
                "not-allowed",
                vec![("pattern", Arg::Hex(hex_text(&pat.value)))],
            );
        }
        if let Some(banned) = &im.not_enum {
            // Strings and booleans by their text (hex), numbers as literals.
            for kind in ["string", "number", "boolean"] {
                let texts: Vec<String> = banned
                    .value
                    .iter()
                    .filter(|l| match l {
                        Literal::Str(_) => kind == "string",
                        Literal::Num(_) => kind == "number",
                        Literal::Bool(_) => kind == "boolean",
                    })
                    .map(literal_text)
                    .collect();
                if texts.is_empty() {
                    continue;
                }
                let (test, values) = match kind {
                    "number" => ("rejected_literals", Arg::Words(texts)),
                    _ => (
                        "rejected_values",
                        Arg::HexList(texts.iter().map(|t| hex_text(t)).collect()),
                    ),
                };
                let mut args = vec![("values", values)];
                if kind == "boolean" {
                    args.push(("kind", Arg::Word(kind.into())));
                }
                item(test, "not-allowed", args);
            }
        }
    }

    /// A `closed` block or object: no column of another key under `prefix`
    /// (a block: none but Segment's own and `context_*`) holds a value.
    fn closed<'p>(
        &self,
        s: &Scope,
        props: impl Iterator<Item = &'p Property>,
        prefix: &str,
        mut open: Vec<String>,
        at: Span,
    ) -> Check {
        let (mut columns, mut objects) = Default::default();
        leaf_columns(props, prefix, &mut columns, &mut objects);
        open.extend(objects);
        let mut args = Vec::new();
        if !prefix.is_empty() {
            args.push(("prefix", Arg::Word(format!("{prefix}_"))));
        }
        args.push(("planned", Arg::Words(columns.into_iter().collect())));
        if !open.is_empty() {
            args.push(("open", Arg::Words(open)));
        }
        self.check(s, "closed", "closed", None, args, self.loc(at))
    }

    fn format(&self, s: &Scope, col: Option<&str>, f: Format, loc: String) -> Check {
        self.check(
            s,
            "format",
            "format",
            col,
            vec![
                ("format", Arg::Word(f.as_str().to_string())),
                ("pattern", Arg::Hex(hex_text(format_regex(f)))),
            ],
            loc,
        )
    }

    fn property_meta(&self, p: &Property) -> Vec<(&'static str, MetaValue)> {
        let plan = self.plan;
        let mut m = Vec::new();
        let e = &p.effective;
        if let Some(i) = e.consent() {
            m.push(("consent", MetaValue::Str(plan.consents[i].id.value.clone())));
        }
        if let Some(i) = e.retention() {
            m.push((
                "retention",
                MetaValue::Str(plan.retentions[i].id.value.clone()),
            ));
        }
        if let Some(pii) = &p.modifiers().pii {
            m.push(("pii", MetaValue::Str(pii.value.as_str().into())));
        }
        if p.modifiers().deprecated.is_some() {
            m.push(("deprecated", MetaValue::Bool(true)));
        }
        m
    }

    /// A table-level consent check: the container's purpose denied.
    fn consent(&self, table: &mut Table, s: &Scope, consent: Option<&Ref>) {
        if let Some(r) = consent
            && let Some(c) = r.target
            && let Some(pref) = self.category_column(c)
        {
            table.check(self.check(
                s,
                "consent",
                "consent",
                None,
                vec![("preference", Arg::Word(pref))],
                self.loc(r.span),
            ));
        }
    }

    /// The standard columns, tests and checks of a table of calls.
    fn call_table(&self, table: &mut Table, call: &'static str) {
        table.column(
            "id",
            "varchar",
            "The call's messageId: unique per call, used by Segment to deduplicate.",
        );
        let s = Scope::call(call, call);
        table.check(self.test_only(&s, "unique", Some("id")));
        table.check(self.test_only(&s, "required", Some("id")));
        for (name, what) in [
            (
                "received_at",
                "When Segment received the call (the sort key; the QA window).",
            ),
            ("sent_at", "When the library sent the call (device clock)."),
            (
                "timestamp",
                "When the call happened, corrected for clock skew.",
            ),
            (
                "original_timestamp",
                "When the call happened, by the device clock.",
            ),
        ] {
            table.column(name, "timestamp", what);
        }
        for (name, what) in [
            ("user_id", "The userId of the call."),
            ("anonymous_id", "The anonymousId of the call."),
        ] {
            table.column(name, "varchar", what).meta =
                vec![("pii", MetaValue::Str("identifier".into()))];
        }
        for (name, what) in CONTEXT {
            let c = table.column(name, "varchar", what);
            if *name == "context_ip" {
                c.meta = vec![("pii", MetaValue::Str("identifier".into()))];
            }
        }
        let mut cats: Vec<&str> = self.plan.consents.iter().map(|c| c.category()).collect();
        cats.sort_unstable();
        cats.dedup();
        for cat in cats {
            let what = format!(
                "The consent manager's preference for the category {cat:?} \
                 (context.consent.categoryPreferences): false means denied."
            );
            table.column(&consent_column(cat), "boolean", &what);
        }
    }

    fn track_columns(&self, table: &mut Table) {
        table.column(
            "event",
            "varchar",
            "The event name in snake_case (the name of its table).",
        );
        table.column("event_text", "varchar", "The event name as sent.");
    }

    fn traits_table(&self, t: &Traits, name: &str, call: &'static str, what: &str) -> Table {
        let mut table = Table::new(
            name,
            t.description
                .as_ref()
                .map_or_else(|| what.to_string(), |d| d.value.clone()),
        );
        table.meta = self.traits_meta(t);
        self.call_table(&mut table, call);
        let s = Scope::call(call, call);
        table.check(self.check(&s, "has_id", "envelope", None, vec![], SEGMENT_SPEC.into()));
        if call == "group" {
            table.column("group_id", "varchar", "The groupId of the call.");
            table.check(self.check(
                &s,
                "identity",
                "envelope",
                Some("group_id"),
                vec![],
                SEGMENT_SPEC.into(),
            ));
        }
        self.block(&mut table, &s, t, None, &[]);
        self.envelope(&mut table, call);
        table
    }

    /// The checks of a block of properties (identify, group, a page or screen
    /// rule) on its table: its consent, properties and `closed`; `extra`: the
    /// rule for every page (or screen), whose properties a named rule's add
    /// to (as `common`'s do to an event's) and whose consent and `closed`
    /// apply when the named rule has none; `own`: the columns of the call's
    /// own fields, which `closed` leaves alone.
    fn block(
        &self,
        table: &mut Table,
        s: &Scope,
        t: &Traits,
        extra: Option<&Traits>,
        own: &[&str],
    ) {
        let consent = t
            .consent
            .as_ref()
            .or(extra.and_then(|e| e.consent.as_ref()));
        self.consent(table, s, consent);
        let container = consent.and_then(|r| r.target);
        let props = || {
            let extra = extra.into_iter().flat_map(|e| e.properties.iter());
            t.properties.iter().chain(extra)
        };
        self.properties(table, s, props(), "", true, container, &mut Vec::new());
        if let Some(at) = t.closed.or(extra.and_then(|e| e.closed)) {
            let mut check = self.closed(s, props(), "", vec!["context_".into()], at);
            for (k, a) in &mut check.args {
                if let ("planned", Arg::Words(planned)) = (*k, a) {
                    planned.extend(own.iter().map(|c| c.to_string()));
                    planned.sort();
                    planned.dedup();
                }
            }
            table.check(check);
        }
    }

    /// The page or screen rules on the `pages` or `screens` table: a named
    /// rule's checks on the calls of its name, with the rule for every page
    /// (or screen) as its extra properties; the rule for every one on the
    /// calls no named rule is for. What `validate` checks a call against.
    fn views(&self, table: &mut Table, kind: TraitsKind, call: &'static str) {
        let rules = || self.plan.views.iter().filter(move |t| t.kind == kind);
        let every = rules().find(|t| t.name.is_none());
        let mut names = Vec::new();
        for t in rules() {
            if let Some(n) = &t.name {
                let s = Scope {
                    within: Some(Within::Name(n.value.clone())),
                    ..Scope::call(call, call)
                };
                self.block(table, &s, t, every, &["category", "name"]);
                names.push(n.value.clone());
            }
        }
        if let Some(t) = every {
            let s = Scope {
                within: (!names.is_empty()).then_some(Within::NotNames(names)),
                ..Scope::call(call, call)
            };
            self.block(table, &s, t, None, &["category", "name"]);
        }
    }

    /// The envelope's checks on a table of calls: `userId` and `anonymousId`
    /// on Segment's columns, `context` flattened (`context_*`), and
    /// `require_one_of` when each of its fields has a column here. The
    /// warehouse has no column for the other top-level fields
    /// (`integrations`, fields of your own): they are not checked here.
    fn envelope(&self, table: &mut Table, call: &'static str) {
        let Some(env) = &self.plan.envelope else {
            return;
        };
        let s = Scope {
            envelope: true,
            ..Scope::call(call, call)
        };
        let loaded = env
            .properties
            .iter()
            .filter(|p| matches!(&*p.name.value, "userId" | "anonymousId" | "context"));
        self.properties(table, &s, loaded, "", true, None, &mut Vec::new());
        let names: Vec<&str> = env
            .require_one_of
            .iter()
            .map(|n| n.value.as_str())
            .collect();
        // `userId` or `anonymousId`: Segment's own rule (`has_id`).
        let ids = ["userId", "anonymousId"];
        if names.is_empty() || (names.len() == 2 && names.iter().all(|n| ids.contains(n))) {
            return;
        }
        let columns: Option<Vec<String>> = names
            .iter()
            .map(|n| {
                let c = match *n {
                    "userId" => "user_id",
                    "anonymousId" => "anonymous_id",
                    "groupId" => "group_id",
                    _ => return None,
                };
                table.has_column(c).then(|| c.to_string())
            })
            .collect();
        if let Some(columns) = columns {
            table.check(self.check(
                &s,
                "one_of",
                "required",
                None,
                vec![("columns", Arg::Words(columns))],
                self.loc(env.keyword_span),
            ));
        }
    }

    fn traits_meta(&self, t: &Traits) -> Vec<(&'static str, MetaValue)> {
        let mut m = Vec::new();
        for (k, r) in [
            ("owner", &t.owner),
            ("consent", &t.consent),
            ("retention", &t.retention),
        ] {
            if let Some(r) = r {
                m.push((k, MetaValue::Str(r.name.clone())));
            }
        }
        if t.retention.is_none()
            && let Some(r) = &self.plan.meta.retention
        {
            m.push(("retention", MetaValue::Str(r.name.clone())));
        }
        m
    }

    /// A state table (`users`, `accounts`): the latest traits per id.
    fn state_table(&self, t: &Traits, name: &str, what: &str) -> Table {
        let mut table = Table::new(name, what);
        table.meta = self.traits_meta(t);
        table.column(
            "id",
            "varchar",
            if name == "users" {
                "The userId (identifies.user_id)."
            } else {
                "The groupId (groups.group_id)."
            },
        );
        table.column(
            "received_at",
            "timestamp",
            "When the latest call was received.",
        );
        let s = Scope::call(name, "identify");
        table.check(self.test_only(&s, "required", Some("id")));
        // Columns only: the latest values are checked on the calls.
        table.columns_only(|probe| {
            let props = t.properties.iter();
            self.properties(probe, &s, props, "", true, None, &mut Vec::new());
        });
        table
    }

    /// The columns and checks of one event in its table.
    fn event(&self, table: &mut Table, e: &Event, shared: bool) {
        let mut s = Scope {
            event: shared.then_some(e.name.value.as_str()),
            ..Scope::call(&e.name.value, "track")
        };
        // A version's checks on the calls of its version; the oldest's on the
        // calls of no version or of one the plan does not have (which break
        // `unknown-version`), as Segment checks them.
        if let Some(all) = self.versions.get(e.name.value.as_str()) {
            table.column(
                VERSION_COLUMN,
                "bigint",
                "The event version the call names (context.protocols.event_version); a call of none, or of one the plan does not have, is checked against the oldest version.",
            );
            if all.first() == Some(&e.version()) {
                table.check(self.check(
                    &s,
                    "accepted_literals",
                    "unknown-version",
                    Some(VERSION_COLUMN),
                    vec![(
                        "values",
                        Arg::Words(all.iter().map(u32::to_string).collect()),
                    )],
                    self.loc(e.name.span),
                ));
                s.within = (all.len() > 1).then(|| Within::NotVersions(all[1..].to_vec()));
            } else {
                s.within = Some(Within::Version(e.version()));
            }
        }
        if let Some(sunset) = &e.sunset {
            table.check(self.check(
                &s,
                "sunset",
                "sunset",
                Some("timestamp"),
                vec![("sunset", Arg::Word(sunset.value.to_string()))],
                self.loc(sunset.span),
            ));
        }
        let id = match e.identity() {
            Identity::User => Some("user_id"),
            Identity::Anonymous => Some("anonymous_id"),
            Identity::Group => {
                table.column(
                    "context_group_id",
                    "varchar",
                    "The groupId in the call's context.",
                );
                Some("context_group_id")
            }
            Identity::Any => None,
        };
        if let Some(id) = id {
            let at = e.identity.as_ref().map_or(e.name.span, |i| i.span);
            table.check(self.check(&s, "identity", "identity", Some(id), vec![], self.loc(at)));
        }
        self.consent(table, &s, e.consent.as_ref());
        let container = e.consent.as_ref().and_then(|r| r.target);
        let mut seen = Vec::new();
        self.properties(
            table,
            &s,
            e.properties.iter(),
            "",
            true,
            container,
            &mut seen,
        );
        if let Some(common) = &self.plan.common {
            self.properties(
                table,
                &s,
                common.properties.iter(),
                "",
                true,
                container,
                &mut seen,
            );
        }
        // `closed` on the event, or on `common` (closing every event).
        if let Some(at) = e
            .closed()
            .or_else(|| self.plan.common.as_ref().and_then(|c| c.closed))
        {
            let common = self.plan.common.iter().flat_map(|c| c.properties.iter());
            let props = e.properties.iter().chain(common);
            let check = self.closed(&s, props, "", vec!["context_".into()], at);
            table.check(check);
        }
    }

    fn event_meta(&self, e: &Event) -> Vec<(&'static str, MetaValue)> {
        let mut m = vec![("event", MetaValue::Str(e.name.value.clone()))];
        m.extend(
            crate::targets::event_labels(Some(self.plan), e)
                .into_iter()
                .map(|(k, v)| (k, MetaValue::Str(v))),
        );
        if !e.labels().is_empty() {
            m.push((
                "labels",
                MetaValue::List(e.labels().iter().map(|l| l.value.clone()).collect()),
            ));
        }
        if !e.tags.is_empty() {
            m.push((
                "tags",
                MetaValue::List(e.tags.iter().map(|t| t.value.clone()).collect()),
            ));
        }
        m
    }

    fn event_tags(&self, e: &Event) -> Vec<String> {
        let mut tags = vec![e.status.value.as_str().to_string()];
        if let Some(o) = &e.owner {
            tags.push(format!("owner:{}", o.name));
        }
        if let Some(c) = &e.consent {
            tags.push(format!("consent:{}", c.name));
        }
        tags
    }
}

/// The warehouse of a checked plan.
pub(crate) fn build(plan: &Plan, sources: &SourceMap) -> Warehouse {
    let b = Builder {
        plan,
        sources,
        versions: event_versions(plan),
    };
    let tool = plan.tools.iter().find(|t| t.id.value == "dbt");
    let default_db = tool
        .and_then(|t| t.database.as_ref())
        .map(|d| d.value.clone());

    // One dbt source per `.events` source; events without one (or plans
    // without sources) go to `segment`, in the `tool dbt { schema }`.
    let mut out: Vec<Source> = plan
        .sources
        .iter()
        .map(|s| Source {
            name: s.id.value.clone(),
            description: s.description.as_ref().map_or_else(
                || format!("Segment source `{}`: its warehouse schema.", s.id.value),
                |d| d.value.clone(),
            ),
            database: s
                .database
                .as_ref()
                .map(|d| d.value.clone())
                .or_else(|| default_db.clone()),
            schema: s
                .schema
                .as_ref()
                .map_or_else(|| snakecase(&s.id.value), |x| x.value.clone()),
            kind: s.kind.as_ref().map(|k| k.value),
            tables: Vec::new(),
        })
        .collect();
    let mut by_source: Vec<Vec<&Event>> = vec![Vec::new(); out.len()];
    let mut orphans: Vec<&Event> = Vec::new();
    for e in &plan.events {
        match e.source.as_ref().and_then(|r| r.target) {
            Some(i) if i < by_source.len() => by_source[i].push(e),
            _ => orphans.push(e),
        }
    }
    if !orphans.is_empty() || out.is_empty() {
        let schema = tool
            .and_then(|t| t.schema.as_ref())
            .map_or_else(|| "segment".to_string(), |s| s.value.clone());
        match out.iter().position(|s| s.name == "segment") {
            Some(i) => by_source[i].extend(orphans),
            None => {
                out.push(Source {
                    name: "segment".into(),
                    description: "Segment warehouse tables of events that name no source.".into(),
                    database: default_db.clone(),
                    schema,
                    kind: None,
                    tables: Vec::new(),
                });
                by_source.push(orphans);
            }
        }
    }

    let names: Vec<String> = {
        let mut v: Vec<&Event> = plan.events.iter().collect();
        v.sort_by(|a, b| a.name.value.cmp(&b.name.value));
        let mut names: Vec<String> = v.iter().map(|e| hex_text(&e.name.value)).collect();
        // Versions of an event share its name.
        names.dedup();
        names
    };
    let plan_loc = b.loc(plan.meta.span);
    for (source, events) in out.iter_mut().zip(by_source) {
        source.tables = b.source_tables(source.kind, events, &names, &plan_loc);
    }
    let mut in_scope: Vec<String> = plan
        .events
        .iter()
        .filter(|e| crate::ir::qa::in_scope(e))
        .map(|e| e.name.value.clone())
        .collect();
    in_scope.sort();
    Warehouse {
        sources: out,
        qa: Qa {
            required: plan.meta.qa.required_observed(in_scope.len()),
            in_scope,
            coverage: plan.meta.qa.coverage,
            defect_ceiling: plan.meta.qa.defect_ceiling,
        },
    }
}

impl Builder<'_> {
    fn source_tables(
        &self,
        kind: Option<SourceKind>,
        mut events: Vec<&Event>,
        names: &[String],
        plan_loc: &str,
    ) -> Vec<Table> {
        let plan = self.plan;
        events.sort_by(|a, b| a.name.value.cmp(&b.name.value));
        let pages = !matches!(
            kind,
            Some(
                SourceKind::Mobile
                    | SourceKind::Server
                    | SourceKind::Crm
                    | SourceKind::Map
                    | SourceKind::Billing
                    | SourceKind::Support
            )
        );
        let screens = matches!(
            kind,
            None | Some(SourceKind::Mobile | SourceKind::Product | SourceKind::Other)
        );
        let mut standard: Vec<Table> = Vec::new();
        for &name in CALL_TABLES {
            let (call, what) = match name {
                "tracks" => (
                    "track",
                    "Every track call, one row each, with the standard columns.",
                ),
                "pages" if pages => ("page", "Every page call, one row each."),
                "screens" if screens => ("screen", "Every screen call, one row each."),
                "identifies" => match &plan.identify {
                    Some(t) => {
                        standard.push(self.traits_table(
                            t,
                            name,
                            "identify",
                            "Every identify call, one row each, with the user traits as columns.",
                        ));
                        continue;
                    }
                    None => continue,
                },
                "groups" => match &plan.group {
                    Some(t) => {
                        standard.push(self.traits_table(
                            t,
                            name,
                            "group",
                            "Every group call, one row each, with the group traits as columns.",
                        ));
                        continue;
                    }
                    None => continue,
                },
                _ => continue,
            };
            let mut t = Table::new(name, what);
            self.call_table(&mut t, call);
            let s = Scope::call(call, call);
            if name == "tracks" {
                self.track_columns(&mut t);
                if events.iter().any(|e| e.is_versioned()) {
                    t.column(
                        VERSION_COLUMN,
                        "bigint",
                        "The event version the call names (context.protocols.event_version).",
                    );
                }
                t.check(self.check(
                    &s,
                    "planned_event",
                    "unplanned-event",
                    Some("event_text"),
                    vec![("values", Arg::HexList(names.to_vec()))],
                    plan_loc.to_string(),
                ));
            } else {
                for (c, what) in [
                    ("name", "The page or screen name."),
                    ("category", "Its category."),
                ] {
                    t.column(c, "varchar", what);
                }
                if name == "pages" {
                    for c in ["path", "referrer", "search", "title", "url"] {
                        t.column(c, "varchar", "");
                    }
                }
            }
            t.check(self.check(&s, "has_id", "envelope", None, vec![], SEGMENT_SPEC.into()));
            match name {
                "pages" => self.views(&mut t, TraitsKind::Page, call),
                "screens" => self.views(&mut t, TraitsKind::Screen, call),
                _ => {}
            }
            self.envelope(&mut t, call);
            standard.push(t);
        }
        for (&name, block) in STATE_TABLES.iter().zip([&plan.identify, &plan.group]) {
            if let Some(t) = block {
                let what = if name == "users" {
                    "The latest traits of each user (identify calls upserted on user_id)."
                } else {
                    "The latest traits of each account (group calls upserted on group_id)."
                };
                standard.push(self.state_table(t, name, what));
            }
        }
        for t in &mut standard {
            t.tags.push("segment".into());
        }

        // Events by table name (two events may land in one table).
        let mut by_table: BTreeMap<String, Vec<&Event>> = BTreeMap::new();
        for e in events {
            let mut name = snakecase(&e.name.value);
            if name.is_empty() {
                // No ASCII letter or digit: Segment's table name would be empty.
                name = format!("event_{}", crate::targets::short_hash(&e.name.value));
            }
            match standard.iter_mut().find(|t| t.name == name) {
                Some(t) => {
                    self.track_columns(t);
                    self.event(t, e, true);
                }
                None => by_table.entry(name).or_default().push(e),
            }
        }
        let mut tables = standard;
        for (name, events) in by_table {
            // The table's description and meta: its (current) event's.
            let first = events.iter().find(|e| e.is_current()).unwrap_or(&events[0]);
            let mut t = Table::new(
                name,
                first
                    .description
                    .as_ref()
                    .map_or_else(String::new, |d| d.value.clone()),
            );
            t.meta = self.event_meta(first);
            let mut tags: Vec<String> = Vec::new();
            for e in &events {
                for tag in self.event_tags(e) {
                    if !tags.contains(&tag) {
                        tags.push(tag);
                    }
                }
            }
            t.tags = tags;
            self.call_table(&mut t, "track");
            self.track_columns(&mut t);
            // The envelope's columns (its checks are on `tracks`).
            t.columns_only(|probe| self.envelope(probe, "track"));
            // Several events (not versions of one) in the table.
            let shared = events.iter().any(|e| e.name.value != first.name.value);
            if events
                .iter()
                .any(|e| e.status.value == crate::ir::Status::Implemented)
            {
                let s = Scope::call(&first.name.value, "track");
                t.check(self.test_only(&s, "table_exists", None));
            }
            for e in events {
                self.event(&mut t, e, shared);
            }
            tables.push(t);
        }
        tables
    }
}
