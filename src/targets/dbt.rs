//! `dbt`: `dbt/sources.yml`, the warehouse tables Segment loads the plan's calls
//! into, with governance metadata and tests derived from the plan.
//!
//! One source, `segment`, in schema `tool dbt { schema … }` (default `segment`) and
//! database `tool dbt { database … }` (omitted by default: dbt's target database).
//! Its `config.meta` holds the plan (`plan`, `plan_version`, `owner`) and lookup
//! tables for masking and deletion jobs: `consent_purposes` (`basis`, `category`)
//! and `retention_policies` (`duration` as ISO 8601, `action`).
//!
//! Tables, in this order (Segment's warehouse layout):
//! - `tracks`: one row per track call; `event_text` carries an `accepted_values`
//!   test listing every event of the plan (deprecated ones included, as they are
//!   still sent), so an unplanned event fails in the warehouse;
//! - `identifies` / `groups` (when the plan has `identify` / `group`): the traits;
//! - one table per event, named as Segment names it: the event name through
//!   Segment's `go-snakecase` ([`snakecase`]: `"Trial Started"` → `trial_started`),
//!   sorted by table name. Events that land in the same table share it: their
//!   columns are merged, the first event by name gives the description and meta,
//!   and each event's tests get `config: {where: "event_text = '<event>'"}` so
//!   they only apply to its rows (likewise for an event whose table name is
//!   `tracks`, `identifies` or `groups`).
//!
//! Columns: Segment's standard ones (`id`, `received_at`, `sent_at`, `timestamp`,
//! `original_timestamp`, `user_id`, `anonymous_id`, and `event`/`event_text` on
//! track tables, `group_id` on `groups`), then each property (event properties,
//! then `common` ones on event tables). Object properties are flattened the way
//! Segment does (`utm.source` → `utm_source`); lists are one column (Segment
//! stringifies arrays). A property whose column name is a standard column is
//! dropped, as Segment drops it. `data_type` is Segment's warehouse type
//! (`varchar`, `bigint`, `double`, `boolean`, `timestamp`).
//!
//! Meta (`config.meta`): tables carry `event`, `owner`, `source`, `status`,
//! `consent`, `retention` (the event's, else the plan's), `identity` and, when
//! written, `flag`, `release`, `since`, `sunset`, `replaced_by`, `tags`; property
//! columns carry their effective `consent` and `retention` (a property has no
//! owner of its own: its table's `owner` is), and `pii` and `deprecated` when
//! set; `user_id` and `anonymous_id` carry `pii: identifier`.
//!
//! Tests (`data_tests`, arguments under `arguments:`, as dbt-core 1.11 expects):
//! `unique` + `not_null` on `id`; `not_null` on every required, non-nullable
//! property whose parent objects are required too; `accepted_values` on enum
//! columns (values with `'` doubled, since dbt quotes them into SQL); `not_null` on
//! the id the event's `identity` requires (`user_id`, `anonymous_id`,
//! `context_group_id`) and on `groups.group_id`.

use super::text::{self, Entry, Yaml};
use super::{Artifact, Context, Target};
use crate::ir::{Event, Identity, Plan, Property, Traits, Type};
use std::collections::BTreeMap;

pub struct Dbt;

impl Target for Dbt {
    fn name(&self) -> &'static str {
        "dbt"
    }

    fn description(&self) -> &'static str {
        "dbt/sources.yml: dbt sources for Segment's warehouse tables, with governance meta (owner, consent, retention, pii) and tests"
    }

    fn generate(&self, cx: &Context) -> Vec<Artifact> {
        vec![Artifact::text("dbt/sources.yml", sources_yml(cx.plan))]
    }
}

/// Segment's snake_case for table and column names: a port of
/// `github.com/segmentio/go-snakecase` (ASCII letters and digits are kept, every
/// other byte separates words, an uppercase letter starts a word).
pub fn snakecase(s: &str) -> String {
    let b = s.as_bytes();
    let lower_or_digit = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    let mut idx = 0;
    while idx < b.len()
        && (lower_or_digit(b[idx])
            || (b[idx] == b'_' && idx + 1 < b.len() && lower_or_digit(b[idx + 1])))
    {
        idx += 1;
    }
    if idx == b.len() {
        return s.to_string();
    }
    if idx > 0 && b[idx - 1].is_ascii_digit() {
        idx -= 1;
    }
    let mut out: Vec<u8> = b[..idx].to_vec();
    while idx < b.len() {
        if !b[idx].is_ascii_alphanumeric() {
            idx += 1;
            continue;
        }
        if !out.is_empty() {
            out.push(b'_');
        }
        while idx < b.len() && (b[idx].is_ascii_uppercase() || b[idx].is_ascii_digit()) {
            out.push(b[idx].to_ascii_lowercase());
            idx += 1;
        }
        while idx < b.len() && lower_or_digit(b[idx]) {
            out.push(b[idx]);
            idx += 1;
        }
    }
    // Only ASCII bytes were pushed.
    String::from_utf8_lossy(&out).into_owned()
}

struct Column {
    name: String,
    description: Option<String>,
    data_type: &'static str,
    meta: Vec<Entry>,
    tests: Vec<Yaml>,
}

impl Column {
    fn standard(name: &str, data_type: &'static str, description: &str) -> Column {
        Column {
            name: name.into(),
            description: Some(description.into()),
            data_type,
            meta: Vec::new(),
            tests: Vec::new(),
        }
    }

    fn yaml(self) -> Yaml {
        let mut m = vec![("name".into(), Yaml::str(self.name))];
        if let Some(d) = self.description {
            m.push(("description".into(), Yaml::str(d)));
        }
        m.push(("data_type".into(), Yaml::str(self.data_type)));
        if !self.meta.is_empty() {
            m.push(config_meta(self.meta));
        }
        if !self.tests.is_empty() {
            m.push(("data_tests".into(), Yaml::List(self.tests)));
        }
        Yaml::Map(m)
    }
}

struct Table {
    name: String,
    description: String,
    meta: Vec<Entry>,
    columns: Vec<Column>,
}

impl Table {
    /// Adds a column; when the table has one of that name already (two events
    /// sharing a table), only the new column's tests are added to it.
    fn add(&mut self, c: Column) {
        match self.columns.iter_mut().find(|x| x.name == c.name) {
            Some(old) => {
                for t in c.tests {
                    if !old.tests.contains(&t) {
                        old.tests.push(t);
                    }
                }
            }
            None => self.columns.push(c),
        }
    }

    fn yaml(self) -> Yaml {
        let mut m = vec![
            ("name".into(), Yaml::str(self.name)),
            ("description".into(), Yaml::str(self.description)),
        ];
        if !self.meta.is_empty() {
            m.push(config_meta(self.meta));
        }
        m.push((
            "columns".into(),
            Yaml::List(self.columns.into_iter().map(Column::yaml).collect()),
        ));
        Yaml::Map(m)
    }
}

fn config_meta(meta: Vec<Entry>) -> Entry {
    (
        "config".into(),
        Yaml::Map(vec![("meta".into(), Yaml::Map(meta))]),
    )
}

fn not_null() -> Yaml {
    Yaml::str("not_null")
}

fn accepted_values<'a>(values: impl Iterator<Item = &'a String>) -> Yaml {
    let values = values.map(|v| Yaml::str(v.replace('\'', "''"))).collect();
    Yaml::Map(vec![(
        "accepted_values".into(),
        Yaml::Map(vec![(
            "arguments".into(),
            Yaml::Map(vec![("values".into(), Yaml::List(values))]),
        )]),
    )])
}

/// The columns every table has.
fn standard_columns(table: &mut Table) {
    let mut id = Column::standard(
        "id",
        "varchar",
        "The call's messageId: unique per call, used by Segment to deduplicate.",
    );
    id.tests = vec![Yaml::str("unique"), not_null()];
    table.add(id);
    for (name, what) in [
        (
            "received_at",
            "When Segment received the call (the sort key).",
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
        table.add(Column::standard(name, "timestamp", what));
    }
    for (name, what) in [
        ("user_id", "The userId of the call."),
        ("anonymous_id", "The anonymousId of the call."),
    ] {
        let mut c = Column::standard(name, "varchar", what);
        c.meta = vec![("pii".into(), Yaml::str("identifier"))];
        table.add(c);
    }
}

fn track_columns(table: &mut Table) {
    table.add(Column::standard(
        "event",
        "varchar",
        "The event name in snake_case (the name of its table).",
    ));
    table.add(Column::standard(
        "event_text",
        "varchar",
        "The event name as sent.",
    ));
}

fn data_type(ty: &Type) -> &'static str {
    match ty {
        Type::Integer => "bigint",
        Type::Number => "double",
        Type::Boolean => "boolean",
        Type::Datetime => "timestamp",
        _ => "varchar",
    }
}

/// A test that applies to the rows of one event only, when `scope` names it
/// (a table several calls share): `config: {where: "event_text = '…'"}`.
fn scoped(test: Yaml, scope: Option<&str>) -> Yaml {
    let Some(event) = scope else { return test };
    let config = (
        "config".into(),
        Yaml::Map(vec![(
            "where".into(),
            Yaml::str(format!("event_text = '{}'", event.replace('\'', "''"))),
        )]),
    );
    match test {
        Yaml::Str(name) => Yaml::Map(vec![(name, Yaml::Map(vec![config]))]),
        Yaml::Map(mut entries) => {
            if let Some((_, Yaml::Map(body))) = entries.first_mut() {
                body.push(config);
            }
            Yaml::Map(entries)
        }
        other => other,
    }
}

/// Adds the columns of properties (flattening objects) to a table.
fn property_columns<'a>(
    plan: &Plan,
    table: &mut Table,
    props: impl Iterator<Item = &'a Property>,
    prefix: &str,
    parents_required: bool,
    scope: Option<&str>,
) {
    for p in props {
        let name = if prefix.is_empty() {
            snakecase(&p.name.value)
        } else {
            snakecase(&format!("{prefix}_{}", p.name.value))
        };
        let required = parents_required && p.is_required() && !p.is_nullable();
        if let Type::Object(children) = &p.ty {
            property_columns(plan, table, children.iter(), &name, required, scope);
            continue;
        }
        if name.is_empty() || STANDARD.contains(&name.as_str()) {
            continue;
        }
        let mut c = Column {
            name,
            description: p.description.as_ref().map(|d| d.value.to_string()),
            data_type: data_type(&p.ty),
            meta: property_meta(plan, p),
            tests: Vec::new(),
        };
        if required {
            c.tests.push(scoped(not_null(), scope));
        }
        if let Type::Enum(e) = &p.ty {
            c.tests
                .push(scoped(accepted_values(e.values.iter()), scope));
        }
        table.add(c);
    }
}

/// Column names Segment reserves; a property of the same name is dropped.
pub const STANDARD: &[&str] = &[
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

fn property_meta(plan: &Plan, p: &Property) -> Vec<Entry> {
    let mut m = Vec::new();
    let e = &p.effective;
    if let Some(i) = e.consent() {
        m.push((
            "consent".into(),
            Yaml::str(plan.consents[i].id.value.clone()),
        ));
    }
    if let Some(i) = e.retention() {
        m.push((
            "retention".into(),
            Yaml::str(plan.retentions[i].id.value.clone()),
        ));
    }
    if let Some(pii) = &p.modifiers().pii {
        m.push(("pii".into(), Yaml::str(pii.value.as_str())));
    }
    if p.modifiers().deprecated.is_some() {
        m.push(("deprecated".into(), Yaml::Bool(true)));
    }
    m
}

fn event_meta(plan: &Plan, e: &Event) -> Vec<Entry> {
    let mut m = vec![("event".into(), Yaml::str(e.name.value.clone()))];
    m.extend(
        super::event_labels(plan, e)
            .into_iter()
            .map(|(k, v)| (k.into(), Yaml::str(v))),
    );
    if !e.tags.is_empty() {
        m.push((
            "tags".into(),
            Yaml::List(e.tags.iter().map(|t| Yaml::str(t.value.clone())).collect()),
        ));
    }
    m
}

fn traits_meta(plan: &Plan, t: &Traits) -> Vec<Entry> {
    let mut m = Vec::new();
    for (k, r) in [
        ("owner", &t.owner),
        ("consent", &t.consent),
        ("retention", &t.retention),
    ] {
        if let Some(r) = r {
            m.push((k.into(), Yaml::str(r.name.clone())));
        }
    }
    if t.retention.is_none()
        && let Some(r) = &plan.meta.retention
    {
        m.push(("retention".into(), Yaml::str(r.name.clone())));
    }
    m
}

fn traits_table(plan: &Plan, name: &str, description: &str, t: &Traits) -> Table {
    let mut table = Table {
        name: name.into(),
        description: t
            .description
            .as_ref()
            .map_or_else(|| description.to_string(), |d| d.value.clone()),
        meta: traits_meta(plan, t),
        columns: Vec::new(),
    };
    standard_columns(&mut table);
    if name == "groups" {
        let mut g = Column::standard("group_id", "varchar", "The groupId of the call.");
        g.tests.push(not_null());
        table.add(g);
    }
    property_columns(plan, &mut table, t.properties.iter(), "", true, None);
    table
}

/// The table of one or more events (events whose names Segment turns into the
/// same table name share it; each one's tests then only apply to its rows).
fn event_table(plan: &Plan, name: String, events: &[&Event]) -> Table {
    let first = events[0];
    let mut table = Table {
        name,
        description: first
            .description
            .as_ref()
            .map_or_else(String::new, |d| d.value.clone()),
        meta: event_meta(plan, first),
        columns: Vec::new(),
    };
    standard_columns(&mut table);
    track_columns(&mut table);
    let shared = events.len() > 1;
    for e in events {
        let scope = shared.then_some(e.name.value.as_str());
        add_event_columns(plan, &mut table, e, scope);
    }
    table
}

fn add_event_columns(plan: &Plan, table: &mut Table, e: &Event, scope: Option<&str>) {
    let id = match e.identity() {
        Identity::User => Some("user_id"),
        Identity::Anonymous => Some("anonymous_id"),
        Identity::Group => {
            table.add(Column::standard(
                "context_group_id",
                "varchar",
                "The groupId in the call's context.",
            ));
            Some("context_group_id")
        }
        Identity::Any => None,
    };
    let test = scoped(not_null(), scope);
    if let Some(id) = id
        && let Some(c) = table.columns.iter_mut().find(|c| c.name == id)
        && !c.tests.contains(&test)
    {
        c.tests.push(test);
    }
    property_columns(plan, table, e.properties.iter(), "", true, scope);
    if let Some(common) = &plan.common {
        property_columns(plan, table, common.properties.iter(), "", true, scope);
    }
}

fn source_meta(plan: &Plan) -> Vec<Entry> {
    let mut m = vec![
        ("plan".into(), Yaml::str(plan.meta.title.value.clone())),
        (
            "plan_version".into(),
            Yaml::str(plan.meta.version.value.to_string()),
        ),
    ];
    if let Some(o) = &plan.meta.owner {
        m.push(("owner".into(), Yaml::str(o.name.clone())));
    }
    let mut consents: Vec<_> = plan.consents.iter().collect();
    consents.sort_by(|a, b| a.id.value.cmp(&b.id.value));
    let consents: Vec<Entry> = consents
        .into_iter()
        .map(|c| {
            let mut v = Vec::new();
            if let Some(b) = &c.basis {
                v.push(("basis".into(), Yaml::str(b.value.as_str())));
            }
            v.push(("category".into(), Yaml::str(c.category().to_string())));
            (c.id.value.clone().into(), Yaml::Map(v))
        })
        .collect();
    if !consents.is_empty() {
        m.push(("consent_purposes".into(), Yaml::Map(consents)));
    }
    let mut retentions: Vec<_> = plan.retentions.iter().collect();
    retentions.sort_by(|a, b| a.id.value.cmp(&b.id.value));
    let retentions: Vec<Entry> = retentions
        .into_iter()
        .map(|r| {
            let mut v = Vec::new();
            if let Some(d) = &r.duration {
                v.push(("duration".into(), Yaml::str(d.value.iso8601())));
            }
            if let Some(a) = &r.action {
                v.push(("action".into(), Yaml::str(a.value.as_str())));
            }
            (r.id.value.clone().into(), Yaml::Map(v))
        })
        .collect();
    if !retentions.is_empty() {
        m.push(("retention_policies".into(), Yaml::Map(retentions)));
    }
    m
}

/// The whole `sources.yml`.
pub fn sources_yml(plan: &Plan) -> String {
    let dbt = plan.tools.iter().find(|t| t.id.value == "dbt");
    let schema = dbt
        .and_then(|t| t.schema.as_ref())
        .map_or("segment", |s| s.value.as_str());
    let database = dbt.and_then(|t| t.database.as_ref()).map(|d| &d.value);

    let mut events: Vec<&Event> = plan.events.iter().collect();
    events.sort_by(|a, b| a.name.value.cmp(&b.name.value));

    let mut tracks = Table {
        name: "tracks".into(),
        description: "Every track call, one row each, with the standard columns.".into(),
        meta: Vec::new(),
        columns: Vec::new(),
    };
    standard_columns(&mut tracks);
    track_columns(&mut tracks);
    if let Some(c) = tracks.columns.iter_mut().find(|c| c.name == "event_text") {
        c.tests
            .push(accepted_values(events.iter().map(|e| &e.name.value)));
    }

    let mut standard = vec![tracks];
    if let Some(t) = &plan.identify {
        standard.push(traits_table(
            plan,
            "identifies",
            "Every identify call, one row each, with the user traits as columns.",
            t,
        ));
    }
    if let Some(t) = &plan.group {
        standard.push(traits_table(
            plan,
            "groups",
            "Every group call, one row each, with the group traits as columns.",
            t,
        ));
    }
    // Events by table name (two events may land in one table).
    let mut by_table: BTreeMap<String, Vec<&Event>> = BTreeMap::new();
    for e in events {
        let mut name = snakecase(&e.name.value);
        if name.is_empty() {
            // No ASCII letter or digit: Segment's table name would be empty.
            name = format!("event_{}", super::short_hash(&e.name.value));
        }
        match standard.iter_mut().find(|t| t.name == name) {
            Some(t) => add_event_columns(plan, t, e, Some(&e.name.value)),
            None => by_table.entry(name).or_default().push(e),
        }
    }

    let mut source = vec![
        ("name".into(), Yaml::str("segment")),
        (
            "description".into(),
            Yaml::str(format!(
                "Segment warehouse tables of the tracking plan \"{}\" (version {}), generated by eventsc from the plan: do not edit.",
                plan.meta.title.value, plan.meta.version.value
            )),
        ),
    ];
    if let Some(d) = database {
        source.push(("database".into(), Yaml::str(d.clone())));
    }
    source.push(("schema".into(), Yaml::str(schema.to_string())));
    source.push(config_meta(source_meta(plan)));
    let head = Yaml::Map(vec![
        ("version".into(), Yaml::Int(2)),
        ("sources".into(), Yaml::List(vec![Yaml::Map(source)])),
    ]);
    // The tables are written one at a time (a large plan has thousands).
    let mut out = String::with_capacity(4096 + by_table.len() * 8192);
    out.push_str(&head.document());
    out.push_str("    tables:\n");
    for t in standard {
        text::emit_list(&mut out, &[t.yaml()], 3);
    }
    for (name, events) in by_table {
        let table = event_table(plan, name, &events);
        text::emit_list(&mut out, &[table.yaml()], 3);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::snakecase;

    #[test]
    fn snakecase_matches_go_snakecase() {
        // The cases of go-snakecase's own test suite.
        for (input, want) in [
            ("sample text", "sample_text"),
            ("sample-text", "sample_text"),
            ("sample_text", "sample_text"),
            ("sample___text", "sample_text"),
            ("sampleText", "sample_text"),
            (
                "inviteYourCustomersAddInvites",
                "invite_your_customers_add_invites",
            ),
            ("sample 2 Text", "sample_2_text"),
            ("   sample   2    Text   ", "sample_2_text"),
            ("   $#$sample   2    Text   ", "sample_2_text"),
            ("SAMPLE 2 TEXT", "sample_2_text"),
            ("___$$Base64Encode", "base64_encode"),
            ("FOO:BAR$BAZ", "foo_bar_baz"),
            ("FOO#BAR#BAZ", "foo_bar_baz"),
            ("something.com", "something_com"),
            ("$something%", "something"),
            ("•¶§ƒ˚foo˙∆˚¬", "foo"),
            ("Trial Started", "trial_started"),
            ("CTA Clicked", "cta_clicked"),
            ("utm_source", "utm_source"),
        ] {
            assert_eq!(snakecase(input), want, "{input:?}");
        }
    }
}
