//! `csv`: two spreadsheets (RFC 4180: comma-separated, fields quoted when they hold
//! a comma, quote or line break, CRLF line ends).
//!
//! `csv/segment-tracking-plan.csv` follows the columns of Segment's tracking-plan
//! editor and CSV upload (Name, Description, Status, Data Type, Permitted Values),
//! with two leading columns saying which call a row belongs to:
//!
//! ```text
//! Type,Event,Name,Description,Status,Data Type,Permitted Values
//! Identify,,email,Login email,Required,string,
//! Track,Trial Started,,A workspace started a free trial.,,,
//! Track,Trial Started,plan,Plan at the time of the event,Required,string,free|pro|enterprise
//! Track,Trial Started,utm.source,,Optional,string,
//! Track,Trial Started,steps_completed,…,Optional,array,
//! Track,Trial Started,steps_completed.$,,,string,
//! ```
//!
//! - Rows: identify traits, group traits, then each track event (sorted by name):
//!   one event row (empty Name, the event's description) and one row per property.
//!   The plan's `common` properties belong to Segment's common JSON schema, which
//!   the CSV does not carry (`segment/rules.json` has them as the COMMON rule).
//! - Name: the property path; object members as `parent.child`, list items as
//!   `list.$` (Segment's notation), members of objects in lists as `list.$.child`.
//! - Status: `Required` or `Optional` (empty for list items).
//! - Data Type: `string`, `integer`, `number`, `boolean`, `array`, `object`, or
//!   `Date time` for `datetime`; dates and enums are `string`; `nullable` appends
//!   `, null` (`string, null`).
//! - Permitted Values: for enums the values, regex-escaped and joined with `|`;
//!   for `pattern(…)` the pattern; for dates `^\d{4}-\d{2}-\d{2}$`. Other
//!   constraints (bounds, lengths, formats) are only in the JSON rules.
//!
//! `csv/catalog.csv` is the governance catalog, one row per event (or identify,
//! group, common block) and one per property of it, nested ones included:
//!
//! ```text
//! kind,event,property,type,required,nullable,description,owner,source,status,consent,retention,pii,deprecated,location
//! ```
//!
//! `kind` is `track`, `identify`, `group` or `common`; `owner`, `consent` and
//! `retention` are the effective ones (owner as `@id`); `status` and `source` are
//! the event's; booleans are `true`/`false`; `location` is the `file:line` where
//! the event or property is declared (a bundle's property: the bundle's line).

use super::{Artifact, Context, Target, text::csv_record};
use crate::ir::{Event, Plan, Property, Traits, Type};
use crate::source::SourceMap;

pub struct Csv;

impl Target for Csv {
    fn name(&self) -> &'static str {
        "csv"
    }

    fn description(&self) -> &'static str {
        "csv/segment-tracking-plan.csv (Segment's tracking-plan upload format) and csv/catalog.csv (event × property governance catalog with file:line)"
    }

    fn generate(&self, cx: &Context) -> Vec<Artifact> {
        vec![
            Artifact::text("csv/catalog.csv", catalog(cx.plan, cx.sources)),
            Artifact::text("csv/segment-tracking-plan.csv", tracking_plan(cx.plan)),
        ]
    }
}

fn sorted_events(plan: &Plan) -> Vec<&Event> {
    let mut events: Vec<&Event> = plan.events.iter().collect();
    events.sort_by(|a, b| a.name.value.cmp(&b.name.value));
    events
}

/// `csv/segment-tracking-plan.csv`.
pub fn tracking_plan(plan: &Plan) -> String {
    let mut out = String::with_capacity(4096 + plan.events.len() * 2048);
    csv_record(
        &mut out,
        &[
            "Type",
            "Event",
            "Name",
            "Description",
            "Status",
            "Data Type",
            "Permitted Values",
        ],
    );
    for (kind, traits) in [("Identify", &plan.identify), ("Group", &plan.group)] {
        if let Some(t) = traits {
            segment_rows(&mut out, kind, "", &t.properties, "");
        }
    }
    for e in sorted_events(plan) {
        let description = e.description.as_ref().map_or("", |d| d.value.as_str());
        csv_record(
            &mut out,
            &["Track", &e.name.value, "", description, "", "", ""],
        );
        segment_rows(&mut out, "Track", &e.name.value, &e.properties, "");
    }
    out
}

fn segment_rows(out: &mut String, kind: &str, event: &str, props: &[Property], prefix: &str) {
    for p in props {
        let path = join(prefix, &p.name.value);
        let status = if p.is_required() {
            "Required"
        } else {
            "Optional"
        };
        let mut data_type = segment_type(&p.ty).to_string();
        if p.is_nullable() {
            data_type.push_str(", null");
        }
        let permitted = permitted_values(
            &p.ty,
            p.modifiers().pattern.as_ref().map(|s| s.value.as_str()),
        );
        let description = p.description.as_ref().map_or("", |d| &*d.value);
        csv_record(
            out,
            &[
                kind,
                event,
                &path,
                description,
                status,
                &data_type,
                &permitted,
            ],
        );
        nested_rows(out, kind, event, &p.ty, &path);
    }
}

/// Rows for the members of an object and the items of a list.
fn nested_rows(out: &mut String, kind: &str, event: &str, ty: &Type, path: &str) {
    match ty {
        Type::Object(children) => segment_rows(out, kind, event, children, path),
        Type::List(inner) => {
            let item = format!("{path}.$");
            let permitted = permitted_values(inner, None);
            csv_record(
                out,
                &[kind, event, &item, "", "", segment_type(inner), &permitted],
            );
            nested_rows(out, kind, event, inner, &item);
        }
        _ => {}
    }
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}.{name}")
    }
}

fn segment_type(ty: &Type) -> &'static str {
    match ty {
        Type::Datetime => "Date time",
        t => t.json_type(),
    }
}

fn permitted_values(ty: &Type, pattern: Option<&str>) -> String {
    match ty {
        Type::Enum(e) => e
            .values
            .iter()
            .map(|v| regex::escape(v))
            .collect::<Vec<_>>()
            .join("|"),
        Type::Date => r"^\d{4}-\d{2}-\d{2}$".to_string(),
        _ => pattern.unwrap_or("").to_string(),
    }
}

/// One row of `catalog.csv`.
struct Row<'a> {
    kind: &'a str,
    event: &'a str,
    property: String,
    ty: String,
    required: bool,
    nullable: bool,
    description: &'a str,
    owner: String,
    source: &'a str,
    status: &'a str,
    consent: &'a str,
    retention: &'a str,
    pii: &'a str,
    deprecated: bool,
    location: String,
}

impl Row<'_> {
    fn write(&self, out: &mut String) {
        let b = |x: bool| if x { "true" } else { "false" };
        csv_record(
            out,
            &[
                self.kind,
                self.event,
                &self.property,
                &self.ty,
                b(self.required),
                b(self.nullable),
                self.description,
                &self.owner,
                self.source,
                self.status,
                self.consent,
                self.retention,
                self.pii,
                b(self.deprecated),
                &self.location,
            ],
        );
    }
}

/// What a block's property rows share: its kind, event, source and status.
struct Block<'a> {
    kind: &'a str,
    event: &'a str,
    source: &'a str,
    status: &'a str,
}

/// `csv/catalog.csv`.
pub fn catalog(plan: &Plan, sources: &SourceMap) -> String {
    let mut out = String::with_capacity(super::size_hint(sources, 4));
    csv_record(
        &mut out,
        &[
            "kind",
            "event",
            "property",
            "type",
            "required",
            "nullable",
            "description",
            "owner",
            "source",
            "status",
            "consent",
            "retention",
            "pii",
            "deprecated",
            "location",
        ],
    );
    let default_retention = plan.meta.retention.as_ref().map_or("", |r| r.name.as_str());
    for t in plan.traits() {
        traits_rows(&mut out, plan, sources, t, default_retention);
    }
    for e in sorted_events(plan) {
        let block = Block {
            kind: "track",
            event: &e.name.value,
            source: e.source.as_ref().map_or("", |r| r.name.as_str()),
            status: e.status.value.as_str(),
        };
        Row {
            kind: block.kind,
            event: block.event,
            property: String::new(),
            ty: String::new(),
            required: false,
            nullable: false,
            description: e.description.as_ref().map_or("", |d| d.value.as_str()),
            owner: e
                .owner
                .as_ref()
                .map_or(String::new(), |r| format!("@{}", r.name)),
            source: block.source,
            status: block.status,
            consent: e.consent.as_ref().map_or("", |r| r.name.as_str()),
            retention: e
                .retention
                .as_ref()
                .map_or(default_retention, |r| r.name.as_str()),
            pii: "",
            deprecated: e.is_deprecated(),
            location: sources.location(e.span),
        }
        .write(&mut out);
        property_rows(&mut out, plan, sources, &block, &e.properties, "");
    }
    out
}

fn traits_rows(
    out: &mut String,
    plan: &Plan,
    sources: &SourceMap,
    t: &Traits,
    default_retention: &str,
) {
    let block = Block {
        kind: t.kind.keyword(),
        event: "",
        source: "",
        status: "",
    };
    Row {
        kind: block.kind,
        event: "",
        property: String::new(),
        ty: String::new(),
        required: false,
        nullable: false,
        description: t.description.as_ref().map_or("", |d| d.value.as_str()),
        owner: t
            .owner
            .as_ref()
            .map_or(String::new(), |r| format!("@{}", r.name)),
        source: "",
        status: "",
        consent: t.consent.as_ref().map_or("", |r| r.name.as_str()),
        retention: t
            .retention
            .as_ref()
            .map_or(default_retention, |r| r.name.as_str()),
        pii: "",
        deprecated: false,
        location: sources.location(t.keyword_span),
    }
    .write(out);
    property_rows(out, plan, sources, &block, &t.properties, "");
}

fn property_rows(
    out: &mut String,
    plan: &Plan,
    sources: &SourceMap,
    block: &Block,
    props: &[Property],
    prefix: &str,
) {
    for p in props {
        let path = join(prefix, &p.name.value);
        let e = &p.effective;
        Row {
            kind: block.kind,
            event: block.event,
            property: path.clone(),
            ty: p.ty.display(),
            required: p.is_required(),
            nullable: p.is_nullable(),
            description: p.description.as_ref().map_or("", |d| &*d.value),
            owner: e
                .owner()
                .map_or(String::new(), |i| format!("@{}", plan.owners[i].id.value)),
            source: block.source,
            status: block.status,
            consent: e
                .consent()
                .map_or("", |i| plan.consents[i].id.value.as_str()),
            retention: e
                .retention()
                .map_or("", |i| plan.retentions[i].id.value.as_str()),
            pii: p.modifiers().pii.as_ref().map_or("", |c| c.value.as_str()),
            deprecated: p.modifiers().deprecated.is_some(),
            location: sources.location(p.span),
        }
        .write(out);
        let mut ty = &p.ty;
        let mut child = path;
        while let Type::List(inner) = ty {
            ty = inner;
            child.push_str(".$");
        }
        if let Type::Object(children) = ty {
            property_rows(out, plan, sources, block, children, &child);
        }
    }
}
