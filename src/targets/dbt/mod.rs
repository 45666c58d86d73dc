//! `dbt`: a dbt project for the warehouse Segment loads the plan into, with
//! every rule of the plan as a test and the QA verdict of `eventsc validate`
//! as two models. Files, under `dbt/`:
//!
//! - `dbt_project.yml`: project `eventsc` (profile `eventsc`); run it as it is,
//!   or install it as a local package of your own project;
//! - `models/sources.yml`: one dbt source per `.events` source, named after it,
//!   in the schema Segment loads it into (the source's `schema`, default its id
//!   as Segment's source slug; `database` from the source, else `tool dbt`).
//!   Events of no source go to a source `segment` in `tool dbt { schema }`
//!   (default `segment`). Each source has Segment's tables: `tracks`, `pages`
//!   (web, product and unknown kinds), `screens` (mobile, product, unknown),
//!   `identifies` and `users` (with `identify { }`), `groups` and `accounts`
//!   (with `group { }`), and one table per event (Segment's snake_case of its
//!   name, [`snakecase`]), with the standard columns, the `context_*` columns
//!   analytics.js fills (ip, user agent, locale, library, page, campaign, and
//!   one `context_consent_category_preferences_*` per consent category of the
//!   plan) and one column per property (objects flattened, lists as one
//!   column). Tags: `segment` on the standard tables; an event table's status
//!   (`planned`, `implemented`, `deprecated`), `owner:<id>`, `consent:<id>`,
//!   so `dbt test --exclude tag:planned` skips tables that do not exist yet.
//!   Meta as before: the plan's lookup tables on the source, an event's labels
//!   on its table, consent/retention/pii on columns. The envelope's checks are
//!   on every table of calls; page and screen rules on `pages` and `screens`
//!   (a named rule's on the rows of its `name`); a versioned event's checks on
//!   the rows of their `context_protocols_event_version` (the oldest
//!   version's on rows of none or of an unknown one), as `validate` checks
//!   them ([`warehouse::Within`]).
//! - `macros/eventsc.sql`: the generic tests (`eventsc_required`,
//!   `eventsc_accepted_values`, `eventsc_range`, `eventsc_length`,
//!   `eventsc_pattern`, `eventsc_format`, `eventsc_integer`, `eventsc_identity`,
//!   `eventsc_consent`, `eventsc_sunset`, `eventsc_planned_event`,
//!   `eventsc_has_id`, `eventsc_unique`, `eventsc_table_exists`; for issue
//!   14's constructs `eventsc_accepted_literals`, `eventsc_multiple_of`,
//!   `eventsc_not_pattern`, `eventsc_rejected_values`,
//!   `eventsc_rejected_literals`, `eventsc_union`, `eventsc_closed`,
//!   `eventsc_list_length`, `eventsc_items` (lists' items from their JSON
//!   text, on PostgreSQL and DuckDB), `eventsc_one_of` (the envelope's
//!   `require_one_of`)) and the QA
//!   macros, dispatched per adapter; no package to download. What a warehouse
//!   cannot check is listed in README (the dbt section): a union's or mixed
//!   enum's column holds text, where `"1"` and `1` read alike;
//! - `models/eventsc_qa_defects.sql`, `models/eventsc_qa_summary.sql`,
//!   `models/eventsc_qa.yml`: the QA verdict over a window of `received_at`.
//!
//! Safety: no text of the plan reaches SQL, and none reaches Jinja unescaped.
//! Texts dbt renders (descriptions, meta, tags, names) have every `{` written
//! as `{{ '{' }}` ([`jinja_text`]); values the SQL needs (enum values, event
//! names, patterns, locations) are written as hex of their UTF-8 bytes and
//! decoded by the warehouse (`eventsc_text`); numbers, dates and column names
//! are words eventsc wrote, checked again by the macros.

mod qa;
mod sources;
pub(crate) mod warehouse;

pub(crate) use warehouse::STANDARD;

use super::{Artifact, Context, Target};

pub(crate) struct Dbt;

/// The dbt line the YAML is written for (`build --dbt-version`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DbtVersion {
    /// dbt-core 1.8 to 1.10.4: `meta` and `tags` beside `config`, test
    /// arguments inline.
    Legacy,
    /// dbt-core 1.10.5 and later: `meta` and `tags` under `config:`, test
    /// arguments under `arguments:`.
    #[default]
    Current,
}

impl DbtVersion {
    /// `1.8`, `1.9`, `1.10`, `1.10.4`, `1.10.5`, `1.11`, `2.0`…; `None` for
    /// anything else or a version before 1.8.
    pub(crate) fn parse(s: &str) -> Option<DbtVersion> {
        let mut parts = s.trim().trim_start_matches('v').split('.');
        let mut num = || -> Option<Option<u32>> {
            match parts.next() {
                None => Some(None),
                Some(p) => p.parse().ok().map(Some),
            }
        };
        let major = num()??;
        let minor = num()?.unwrap_or(0);
        let patch = num()?.unwrap_or(0);
        if num()?.is_some() {
            return None;
        }
        match (major, minor) {
            (0, _) | (1, 0..=7) => None,
            (1, 8 | 9) => Some(DbtVersion::Legacy),
            (1, 10) if patch < 5 => Some(DbtVersion::Legacy),
            _ => Some(DbtVersion::Current),
        }
    }

    /// `require-dbt-version` of the project.
    fn requirement(self) -> &'static str {
        match self {
            DbtVersion::Legacy => ">=1.8.0",
            DbtVersion::Current => ">=1.10.5",
        }
    }
}

/// Text dbt renders as Jinja, made literal: every `{` becomes `{{ '{' }}`,
/// which Jinja renders back to `{`; nothing else starts a Jinja tag.
pub(crate) fn jinja_text(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains('{') {
        std::borrow::Cow::Owned(s.replace('{', "{{ '{' }}"))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

impl Target for Dbt {
    fn name(&self) -> &'static str {
        "dbt"
    }

    fn description(&self) -> &'static str {
        "dbt/: a dbt project: sources for Segment's warehouse tables with governance meta and every plan rule as a test, and the QA verdict as models"
    }

    fn generate(&self, cx: &Context) -> Vec<Artifact> {
        let version = cx.options.dbt_version;
        let wh = warehouse::build(cx.plan, cx.sources);
        vec![
            Artifact::text("dbt/dbt_project.yml", project_yml(version)),
            Artifact::text("dbt/macros/eventsc.sql", MACROS.to_string()),
            Artifact::text(
                "dbt/models/sources.yml",
                sources::sources_yml(cx.plan, &wh, version),
            ),
            Artifact::text("dbt/models/eventsc_qa.yml", qa::models_yml(version)),
            Artifact::text("dbt/models/eventsc_qa_defects.sql", qa::defects_sql(&wh)),
            Artifact::text("dbt/models/eventsc_qa_summary.sql", qa::summary_sql(&wh)),
        ]
    }
}

/// The generic tests and QA macros (static: the plan reaches them as arguments).
const MACROS: &str = include_str!("eventsc.sql");

fn project_yml(version: DbtVersion) -> String {
    format!(
        "# Written by `eventsc build --target dbt`; do not edit.\n\
         # Run it as a project (a profile named `eventsc`), or install it as a local\n\
         # package of yours (packages.yml: `- local: path/to/dbt`).\n\
         name: eventsc\n\
         config-version: 2\n\
         profile: eventsc\n\
         require-dbt-version: \"{}\"\n\
         model-paths: [\"models\"]\n\
         macro-paths: [\"macros\"]\n\
         vars:\n\
         \x20 # The QA window on received_at: since (ISO date or date-time; default\n\
         \x20 # eventsc_qa_days before now) and until (default: no end).\n\
         \x20 eventsc_qa_days: 7\n\
         models:\n\
         \x20 eventsc:\n\
         \x20   +materialized: table\n\
         \x20   +tags: [\"eventsc_qa\"]\n",
        version.requirement()
    )
}

/// Segment's snake_case for table and column names: a port of
/// `github.com/segmentio/go-snakecase` (ASCII letters and digits are kept, every
/// other byte separates words, an uppercase letter starts a word).
pub(crate) fn snakecase(s: &str) -> String {
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

#[cfg(test)]
mod tests {
    use super::warehouse::format_regex;
    use super::{DbtVersion, jinja_text, snakecase};
    use crate::ir::Format;

    #[test]
    fn dbt_versions() {
        for (v, want) in [
            ("1.8", Some(DbtVersion::Legacy)),
            ("1.9.4", Some(DbtVersion::Legacy)),
            ("1.10", Some(DbtVersion::Legacy)),
            ("1.10.4", Some(DbtVersion::Legacy)),
            ("1.10.5", Some(DbtVersion::Current)),
            ("1.11", Some(DbtVersion::Current)),
            ("2.0", Some(DbtVersion::Current)),
            ("v1.9", Some(DbtVersion::Legacy)),
            ("1.7", None),
            ("0.21", None),
            ("1", None),
            ("1.x", None),
            ("1.9.0.1", None),
            ("", None),
        ] {
            assert_eq!(DbtVersion::parse(v), want, "{v:?}");
        }
    }

    #[test]
    fn jinja_text_renders_back_to_itself() {
        assert_eq!(jinja_text("plain"), "plain");
        assert_eq!(
            jinja_text("{{ env_var('HOME') }}"),
            "{{ '{' }}{{ '{' }} env_var('HOME') }}"
        );
        assert_eq!(jinja_text("{% raw %}{#"), "{{ '{' }}% raw %}{{ '{' }}#");
    }

    /// The warehouse's format checks agree with `validate`'s on the cases of
    /// the differential tests (read here by the `regex` crate, an RE2 like
    /// DuckDB's and BigQuery's).
    #[test]
    fn format_regexes_agree_with_validate() {
        let cases: &[(Format, &[&str])] = &[
            (
                Format::Email,
                &[
                    "a@b.co",
                    "first.last+tag@sub.example.co",
                    "no-at-sign.example.com",
                    "two@@example.com",
                    "a@b",
                    "a..b@c.de",
                ],
            ),
            (
                Format::Uri,
                &[
                    "urn:isbn:0451450523",
                    "https://example.com/a%20b?q=1#f",
                    "example.com/no-scheme",
                    "http://exa mple.com",
                    "1http://x",
                    "a:b\\c",
                ],
            ),
            (
                Format::Uuid,
                &[
                    "123E4567-E89B-12D3-A456-426614174000",
                    "123e4567-e89b-12d3-a456",
                    "123e4567e89b12d3a456426614174000",
                ],
            ),
            (
                Format::Date,
                &[
                    "2028-02-29",
                    "2026-02-28",
                    "2026-02-30",
                    "2026-13-01",
                    "26-01-01",
                    "2026-1-1",
                    "2026-04-31",
                ],
            ),
            (
                Format::DateTime,
                &[
                    "2026-11-25T10:00:00.123456+05:30",
                    "2026-11-25t10:00:00z",
                    "2026-11-25 10:00",
                    "2026-11-25T25:00:00Z",
                    "2026-11-25T10:00:00",
                    "2026-02-30T10:00:00Z",
                ],
            ),
            (
                Format::Ipv4,
                &["0.0.0.0", "10.0.0.1", "256.1.1.1", "1.2.3", "01.2.3.4"],
            ),
            (
                Format::Ipv6,
                &[
                    "::1",
                    "2001:db8::8a2e:370:7334",
                    "1::2::3",
                    "12345::",
                    "1:2:3:4:5:6:7:8:9",
                    "::",
                ],
            ),
            (
                Format::Hostname,
                &[
                    "xn--bcher-kva.example",
                    "a.b",
                    "-bad-.example.com",
                    "under_score.com",
                    "a..b",
                ],
            ),
        ];
        for (f, values) in cases {
            let re = regex::Regex::new(format_regex(*f)).expect("compiles");
            for v in *values {
                assert_eq!(re.is_match(v), f.matches(v), "{f} {v:?}");
            }
        }
    }

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
