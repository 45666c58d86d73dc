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
//! - Rows: identify traits, group traits, the page then screen rules (type
//!   `Page`/`Screen`; the rule for every page first, with an empty Event like
//!   identify's, then each named rule by name: its name in Event, one row
//!   with its description and one per property, like an event's), then each
//!   track event (sorted by name, the versions of one by version): one event
//!   row (empty Name, the event's description) and one row per property.
//!   The plan's `common` properties and its `envelope` belong to Segment's
//!   common JSON schema, which the CSV does not carry (`segment/rules.json`
//!   has them as the COMMON rule).
//! - A plan with a versioned event (`version N`, Segment's event versioning)
//!   gets a last column, `Version`: the version on every row of a versioned
//!   event's declarations, empty on the other rows (Segment's CSV documentation
//!   names no column for it; its editor shows a tab per version). Plans
//!   without versions keep the seven columns.
//! - Name: the property path; object members as `parent.child`, list items as
//!   `list.$` (Segment's notation), members of objects in lists as `list.$.child`.
//! - Status: `Required` or `Optional` (empty for list items).
//! - Data Type: `string`, `integer`, `number`, `boolean`, `array`, `object`,
//!   `any`, or `Date time` for `datetime`; dates are `string`, enums the kinds
//!   of their values; a union lists its members' (`integer, boolean`);
//!   `nullable` (on a property or on list items) appends `, null`
//!   (`string, null`).
//! - Permitted Values: for enums the values, regex-escaped and joined with `|`;
//!   for `pattern(…)` the pattern; for dates `^\d{4}-\d{2}-\d{2}$`. Other
//!   constraints (bounds, lengths, formats) are only in the JSON rules.
//!
//! Cells a spreadsheet would run as formulas (CSV injection: starting with `=`,
//! `+`, `-`, `@`, tab, CR, LF or a full-width `＝＋－＠`, after any spaces) are
//! neutralised as OWASP recommends, in both files: the cell is quoted and gets
//! a leading `'` (`"'=HYPERLINK(…)"`), which spreadsheets hide and read as
//! "text". A Permitted Values expression is kept a valid, equivalent regex
//! instead: its first character goes into a class (`=x|y` → `[=]x|y`). Cells
//! holding `;` or a tab are quoted too, for spreadsheets that split on those.
//! `eventsc import csv` removes both again, so a plan survives the round trip;
//! Segment's own reader keeps the `'`, so an event named `=Sale Made` would
//! arrive there as `'=Sale Made`.
//!
//! `csv/catalog.csv` is the governance catalog, one row per event (or identify,
//! group, common block) and one per property of it, nested ones included:
//!
//! ```text
//! kind,event,property,type,required,nullable,description,owner,source,status,consent,retention,pii,deprecated,location
//! ```
//!
//! `kind` is `track`, `identify`, `group`, `common`, `envelope`, `page` or
//! `screen` (`event` is a named page or screen rule's name, empty for the rule
//! of every page); a plan with a versioned event gets a last column,
//! `version`, as above; `owner`, `consent` and
//! `retention` are the effective ones (owner as `@id`, written `"'@id"` like any
//! cell starting with `@`, see above); `status` and `source` are
//! the event's; booleans are `true`/`false`; `location` is the `file:line` where
//! the event or property is declared (a bundle's property: the bundle's line).

use super::encode::text::csv_record;
use super::{Artifact, Context, Target};
use crate::ir::{Event, Literal, Plan, Property, Traits, TraitsKind, Type};
use crate::source::{SourceMap, Span};
use std::borrow::Cow;

pub(crate) struct Csv;

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

/// The events sorted by name (the versions of one by version).
fn sorted_events(plan: &Plan) -> Vec<&Event> {
    let mut events: Vec<&Event> = plan.events.iter().collect();
    events.sort_by(|a, b| {
        a.name
            .value
            .cmp(&b.name.value)
            .then(a.version().cmp(&b.version()))
    });
    events
}

/// `csv/segment-tracking-plan.csv`.
pub(crate) fn tracking_plan(plan: &Plan) -> String {
    let mut w = SegmentCsv {
        out: String::with_capacity(4096 + plan.events.len() * 2048),
        versions: has_versions(plan),
        version: String::new(),
        permitted: String::new(),
    };
    w.version = "Version".into();
    w.record(&[
        "Type",
        "Event",
        "Name",
        "Description",
        "Status",
        "Data Type",
        "Permitted Values",
    ]);
    w.version.clear();
    for (kind, traits) in [("Identify", &plan.identify), ("Group", &plan.group)] {
        if let Some(t) = traits {
            w.rows(kind, "", &t.properties, "");
        }
    }
    // Page then screen rules (as segment/rules.json orders them): a named
    // rule's rows carry its name in Event, after a row with its description,
    // like a track event's.
    for t in sorted_views(plan) {
        let kind = if t.kind == TraitsKind::Page {
            "Page"
        } else {
            "Screen"
        };
        let name = t.name.as_ref().map_or("", |n| &*n.value);
        if !name.is_empty() {
            let description = t.description.as_ref().map_or("", |d| d.value.as_str());
            w.record(&[kind, name, "", description, "", "", ""]);
        }
        w.rows(kind, name, &t.properties, "");
    }
    for e in sorted_events(plan) {
        if e.is_versioned() {
            w.version = e.version().to_string();
        }
        let description = e.description.as_ref().map_or("", |d| d.value.as_str());
        w.record(&["Track", &e.name.value, "", description, "", "", ""]);
        w.rows("Track", &e.name.value, &e.properties, "");
        w.version.clear();
    }
    w.out
}

/// The page and screen rules in Segment's order: pages, then screens; the
/// rule for every page (screen) first, then by name.
fn sorted_views(plan: &Plan) -> Vec<&Traits> {
    let mut views: Vec<&Traits> = plan.views.iter().collect();
    views.sort_by_key(|t| {
        (
            t.kind != TraitsKind::Page,
            t.name.as_ref().map(|n| &n.value),
        )
    });
    views
}

/// Whether the plan has a versioned event: then both files get a last column,
/// `Version` (`version` in the catalog), the version of a versioned event's
/// rows (empty on the others), as Segment's editor shows a tab per version.
/// Other plans' files keep their columns.
fn has_versions(plan: &Plan) -> bool {
    plan.events.iter().any(|e| e.is_versioned())
}

/// Writes the rows of `segment-tracking-plan.csv`.
struct SegmentCsv {
    out: String,
    /// The `Version` column is written.
    versions: bool,
    /// Its value on the rows being written.
    version: String,
    /// A buffer reused from row to row.
    permitted: String,
}

impl SegmentCsv {
    fn record(&mut self, fields: &[&str]) {
        if self.versions {
            let mut all = fields.to_vec();
            all.push(&self.version);
            csv_record(&mut self.out, &all);
        } else {
            csv_record(&mut self.out, fields);
        }
    }

    fn rows(&mut self, kind: &str, event: &str, props: &[Property], prefix: &str) {
        for p in props {
            let path = join(prefix, &p.name.value);
            let status = if p.is_required() {
                "Required"
            } else {
                "Optional"
            };
            let data_type = segment_type(&p.ty, p.is_nullable());
            let mut permitted = std::mem::take(&mut self.permitted);
            permitted_values(
                &mut permitted,
                &p.ty,
                p.modifiers().pattern.as_ref().map(|s| s.value.as_str()),
            );
            let description = p.description.as_ref().map_or("", |d| &*d.value);
            self.record(&[
                kind,
                event,
                &path,
                description,
                status,
                &data_type,
                &permitted,
            ]);
            self.permitted = permitted;
            self.nested(kind, event, &p.ty, &path);
        }
    }

    /// Rows for the members of an object and the items of a list.
    fn nested(&mut self, kind: &str, event: &str, ty: &Type, path: &str) {
        match ty {
            Type::Object(children) => self.rows(kind, event, children, path),
            Type::List(inner) => {
                let item = format!("{path}.$");
                let mut permitted = std::mem::take(&mut self.permitted);
                let pattern = inner.modifiers().pattern.as_ref().map(|p| p.value.as_str());
                permitted_values(&mut permitted, &inner.ty, pattern);
                self.record(&[
                    kind,
                    event,
                    &item,
                    "",
                    "",
                    &segment_type(&inner.ty, inner.is_nullable()),
                    &permitted,
                ]);
                self.permitted = permitted;
                self.nested(kind, event, &inner.ty, &item);
            }
            _ => {}
        }
    }
}

/// `prefix.name`, or the name alone at the top level.
fn join<'a>(prefix: &str, name: &'a str) -> Cow<'a, str> {
    if prefix.is_empty() {
        Cow::Borrowed(name)
    } else {
        Cow::Owned(format!("{prefix}.{name}"))
    }
}

/// The Data Type of a property: each JSON type it is carried as (a union's
/// members, an enum's kinds), joined with `, ` as Segment writes `null`;
/// `, null` appended when nullable.
fn segment_type(ty: &Type, nullable: bool) -> Cow<'static, str> {
    let mut names: Vec<&'static str> = Vec::new();
    for m in ty.members() {
        let kinds = match m {
            Type::Datetime => vec!["Date time"],
            Type::Any => vec!["any"],
            t => t.json_types(),
        };
        for k in kinds {
            if !names.contains(&k) {
                names.push(k);
            }
        }
    }
    if nullable && !matches!(ty, Type::Any) {
        names.push("null");
    }
    match names[..] {
        [one] => Cow::Borrowed(one),
        _ => Cow::Owned(names.join(", ")),
    }
}

/// The Permitted Values of a type, into `out` (cleared first).
fn permitted_values(out: &mut String, ty: &Type, pattern: Option<&str>) {
    out.clear();
    match ty {
        Type::Enum(e) => {
            for (i, v) in e.values.iter().enumerate() {
                if i > 0 {
                    out.push('|');
                }
                // What `regex::escape` gives.
                match v {
                    Literal::Str(s) => regex_syntax::escape_into(s, out),
                    other => out.push_str(&other.display()),
                }
            }
        }
        Type::Date => out.push_str(r"^\d{4}-\d{2}-\d{2}$"),
        _ => out.push_str(pattern.unwrap_or("")),
    }
    super::encode::text::csv_guard_regex(out);
}

/// One row of `catalog.csv`.
struct Row<'a> {
    kind: &'a str,
    event: &'a str,
    property: &'a str,
    ty: &'a str,
    required: bool,
    nullable: bool,
    description: &'a str,
    /// The owner's id, without the `@`.
    owner: Option<&'a str>,
    source: &'a str,
    status: &'a str,
    consent: &'a str,
    retention: &'a str,
    pii: &'a str,
    deprecated: bool,
    /// Where it is written (the row's `file:line`).
    at: Span,
    /// A versioned event's version (the `version` column).
    version: &'a str,
}

/// What a block's property rows share: its kind, event (or page or screen
/// name), source, status and version.
struct Block<'a> {
    kind: &'a str,
    event: &'a str,
    source: &'a str,
    status: &'a str,
    version: &'a str,
}

/// `csv/catalog.csv`.
pub(crate) fn catalog(plan: &Plan, sources: &SourceMap) -> String {
    let mut out = String::with_capacity(super::size_hint(sources, 4));
    let versions = has_versions(plan);
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
            "version",
        ][..if versions { 16 } else { 15 }],
    );
    let mut w = Writer {
        out: &mut out,
        plan,
        sources,
        default_retention: plan.meta.retention.as_ref().map_or("", |r| r.name.as_str()),
        owner: String::new(),
        location: String::new(),
        versions,
    };
    for t in plan.calls() {
        w.traits_rows(t);
    }
    for e in sorted_events(plan) {
        w.event_rows(e);
    }
    out
}

/// Writes the rows of `catalog.csv`.
struct Writer<'o, 'p> {
    out: &'o mut String,
    plan: &'p Plan,
    sources: &'p SourceMap,
    /// The plan's retention policy, for blocks that name none.
    default_retention: &'p str,
    /// Buffers reused from row to row: the owner's `@id`, the `file:line`.
    owner: String,
    location: String,
    /// The `version` column is written ([`has_versions`]).
    versions: bool,
}

impl Writer<'_, '_> {
    fn row(&mut self, r: &Row) {
        let b = |x: bool| if x { "true" } else { "false" };
        self.owner.clear();
        if let Some(o) = r.owner {
            self.owner.push('@');
            self.owner.push_str(o);
        }
        self.location.clear();
        self.sources.push_location(&mut self.location, r.at);
        csv_record(
            self.out,
            &[
                r.kind,
                r.event,
                r.property,
                r.ty,
                b(r.required),
                b(r.nullable),
                r.description,
                &self.owner,
                r.source,
                r.status,
                r.consent,
                r.retention,
                r.pii,
                b(r.deprecated),
                &self.location,
                r.version,
            ][..if self.versions { 16 } else { 15 }],
        );
    }

    fn traits_rows(&mut self, t: &Traits) {
        let block = Block {
            kind: t.kind.keyword(),
            event: t.name.as_ref().map_or("", |n| &*n.value),
            source: "",
            status: "",
            version: "",
        };
        self.row(&Row {
            kind: block.kind,
            event: block.event,
            property: "",
            ty: "",
            required: false,
            nullable: false,
            description: t.description.as_ref().map_or("", |d| d.value.as_str()),
            owner: t.owner.as_ref().map(|r| r.name.as_str()),
            source: "",
            status: "",
            consent: t.consent.as_ref().map_or("", |r| r.name.as_str()),
            retention: t
                .retention
                .as_ref()
                .map_or(self.default_retention, |r| r.name.as_str()),
            pii: "",
            deprecated: false,
            at: t.keyword_span,
            version: "",
        });
        self.property_rows(&block, &t.properties, "");
    }

    fn event_rows(&mut self, e: &Event) {
        let version = if e.is_versioned() {
            e.version().to_string()
        } else {
            String::new()
        };
        let block = Block {
            kind: "track",
            event: &e.name.value,
            source: e.source.as_ref().map_or("", |r| r.name.as_str()),
            status: e.status.value.as_str(),
            version: &version,
        };
        self.row(&Row {
            kind: block.kind,
            event: block.event,
            property: "",
            ty: "",
            required: false,
            nullable: false,
            description: e.description.as_ref().map_or("", |d| d.value.as_str()),
            owner: e.owner.as_ref().map(|r| r.name.as_str()),
            source: block.source,
            status: block.status,
            consent: e.consent.as_ref().map_or("", |r| r.name.as_str()),
            retention: e
                .retention
                .as_ref()
                .map_or(self.default_retention, |r| r.name.as_str()),
            pii: "",
            deprecated: e.is_deprecated(),
            at: e.span,
            version: block.version,
        });
        self.property_rows(&block, &e.properties, "");
    }

    fn property_rows(&mut self, block: &Block, props: &[Property], prefix: &str) {
        let plan = self.plan;
        for p in props {
            let path = join(prefix, &p.name.value);
            let e = &p.effective;
            let m = p.modifiers();
            self.row(&Row {
                kind: block.kind,
                event: block.event,
                property: &path,
                ty: &p.ty.display(),
                required: p.is_required(),
                nullable: p.is_nullable(),
                description: p.description.as_ref().map_or("", |d| &*d.value),
                owner: e.owner().map(|i| plan.owners[i].id.value.as_str()),
                source: block.source,
                status: block.status,
                consent: e
                    .consent()
                    .map_or("", |i| plan.consents[i].id.value.as_str()),
                retention: e
                    .retention()
                    .map_or("", |i| plan.retentions[i].id.value.as_str()),
                pii: m.pii.as_ref().map_or("", |c| c.value.as_str()),
                deprecated: m.deprecated.is_some(),
                at: p.span,
                version: block.version,
            });
            let mut ty = &p.ty;
            let mut child = path.into_owned();
            while let Type::List(inner) = ty {
                ty = &inner.ty;
                child.push_str(".$");
            }
            if let Type::Object(children) = ty {
                self.property_rows(block, children, &child);
            }
        }
    }
}
