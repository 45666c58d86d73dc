//! Audit records: a dated, never-overwritten record of each build of a plan, and
//! the change log they make (`eventsc log DIR`).
//!
//! A record is `DIR/<version>-<UTC timestamp>.json` (`1.4.0-20261125T193000Z.json`):
//!
//! ```json
//! {
//!   "eventsc_record": 1,
//!   "version": "1.4.0",
//!   "created": "2026-11-25T19:30:00Z",
//!   "sources": [{"path": "plans/shop.events", "sha256": "…", "text": "…"}],
//!   "sources_sha256": "…",
//!   "plan": { … the plan JSON of this build … },
//!   "diff": {"against": "1.3.0-20261120T101010Z.json", "old_version": "1.3.0",
//!            "required_bump": "major", "minimum_version": "2.0.0", "version_ok": false,
//!            "counts": {"breaking": 1, …}, "changes": [ … as `diff --format json` … ]}
//! }
//! ```
//!
//! The sources' text is kept so that the next record can be compared with this
//! one exactly as `eventsc diff` compares two plans; `sources_sha256` is the same hash as
//! `plan.json`'s (`targets::plan::sources_hash`). The first record has `"diff": null`. Writing
//! never replaces a file: a record that already exists is refused. The clock is
//! read by the caller (`SOURCE_DATE_EPOCH` fixes it, for reproducible runs).
//!
//! Public only for the integration tests (tests/it): the audit record and its
//! clock.

use crate::diff::{Class, engine::Side};
use crate::ir::Plan;
use crate::source::SourceMap;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// The format version of records.
pub(crate) const FORMAT: u64 = 1;

/// A point in time, UTC, to the second.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Utc {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
}

impl Utc {
    /// From seconds since 1970-01-01T00:00:00Z.
    pub fn from_unix(secs: i64) -> Utc {
        let rem = secs.rem_euclid(86_400);
        let (year, month, day) = crate::ir::values::civil_from_days(secs.div_euclid(86_400));
        Utc {
            year,
            month,
            day,
            hour: (rem / 3600) as u32,
            minute: (rem % 3600 / 60) as u32,
            second: (rem % 60) as u32,
        }
    }

    /// `2026-11-25T19:30:00Z`
    pub(crate) fn rfc3339(&self) -> String {
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }

    /// `20261125T193000Z`, for file names.
    pub(crate) fn compact(&self) -> String {
        format!(
            "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }

    /// The current time, or `SOURCE_DATE_EPOCH` when set (reproducible builds).
    pub(crate) fn now() -> Result<Utc, String> {
        Ok(Utc::from_unix(Utc::now_unix()?))
    }

    /// [`Utc::now`] in seconds since 1970.
    pub(crate) fn now_unix() -> Result<i64, String> {
        if let Ok(v) = std::env::var("SOURCE_DATE_EPOCH") {
            return v
                .trim()
                .parse()
                .map_err(|_| format!("SOURCE_DATE_EPOCH={v:?} is not a number of seconds"));
        }
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_err(|_| "the system clock is before 1970".to_string())?
            .as_secs();
        Ok(secs as i64)
    }
}

/// The `plan.json` the `plan` target writes for this plan, as a JSON value
/// (converted from the target's data, not rendered and parsed back).
pub fn plan_json(cx: &crate::targets::Context) -> Result<Value, String> {
    serde_json::to_value(crate::targets::plan::PlanJson::new(cx))
        .map_err(|e| format!("plan.json cannot be recorded: {e}"))
}

/// A record read back from `DIR`.
#[derive(Clone, Debug)]
pub(crate) struct Record {
    pub file: String,
    pub value: Value,
}

impl Record {
    pub(crate) fn version(&self) -> &str {
        self.value["version"].as_str().unwrap_or("?")
    }

    pub(crate) fn created(&self) -> &str {
        self.value["created"].as_str().unwrap_or("")
    }

    /// The recorded sources as `(path, text)`.
    pub(crate) fn sources(&self) -> Vec<(String, String)> {
        self.value["sources"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| {
                        Some((
                            s["path"].as_str()?.to_string(),
                            s["text"].as_str()?.to_string(),
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Whether a file name looks like a record's: `<semver>-<YYYYMMDDTHHMMSSZ>.json`.
fn is_record_name(name: &str) -> bool {
    let Some(stem) = name.strip_suffix(".json") else {
        return false;
    };
    let Some((version, stamp)) = stem.rsplit_once('-') else {
        return false;
    };
    stamp.len() == 16
        && stamp.as_bytes()[8] == b'T'
        && stamp.ends_with('Z')
        && stamp[..8].bytes().all(|b| b.is_ascii_digit())
        && stamp[9..15].bytes().all(|b| b.is_ascii_digit())
        && crate::ir::Semver::parse(version).is_ok()
}

/// Every record in `dir`, oldest first. A file named like a record that is not
/// one is an error; other files are ignored. A missing directory has none.
pub(crate) fn read_all(dir: &Path) -> Result<Vec<Record>, String> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("cannot read `{}`: {e}", dir.display())),
    };
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot read `{}`: {e}", dir.display()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !is_record_name(&name) {
            continue;
        }
        let path = entry.path();
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
        let value: Value = serde_json::from_str(&text).map_err(|e| {
            let msg = e.to_string();
            let msg = msg
                .rsplit_once(" at line ")
                .map_or(msg.as_str(), |(m, _)| m);
            format!(
                "{}:{}:{}: not an audit record: {msg}",
                path.display(),
                e.line(),
                e.column()
            )
        })?;
        if value["eventsc_record"].as_u64() != Some(FORMAT) {
            return Err(format!(
                "{}: not an audit record of this version of eventsc (no `\"eventsc_record\": {FORMAT}`)",
                path.display()
            ));
        }
        out.push(Record { file: name, value });
    }
    out.sort_by(|a, b| (a.created(), a.file.as_str()).cmp(&(b.created(), b.file.as_str())));
    Ok(out)
}

/// The JSON of a diff between a recorded plan and this one (`null` without one).
fn diff_against(
    previous: Option<&Record>,
    plan: &Plan,
    sources: &SourceMap,
) -> Result<Value, String> {
    let Some(prev) = previous else {
        return Ok(Value::Null);
    };
    let old_sources = crate::diff::input::sources_of(&prev.sources());
    let old_plan = crate::check::check_with(
        &old_sources,
        Vec::new(),
        &crate::check::Options::without_rules(),
    )
    .into_plan_or_errors()
    .map_err(|d| {
        format!(
            "the newest record `{}` holds a plan that no longer checks ({}); move it aside to start a new history",
            prev.file,
            d.first().map_or("", |d| d.message.as_str())
        )
    })?;
    let report = crate::diff::diff(
        Side {
            plan: &old_plan,
            sources: &old_sources,
        },
        Side { plan, sources },
    );
    let counts: serde_json::Map<String, Value> = Class::ALL
        .iter()
        .map(|&c| (c.as_str().to_string(), report.count(c).into()))
        .collect();
    Ok(json!({
        "against": prev.file,
        "old_version": report.old_version,
        "required_bump": report.required_bump,
        "minimum_version": report.minimum_version,
        "version_ok": report.version_ok,
        "counts": counts,
        "changes": report.changes,
    }))
}

/// Writes a new record for this build; returns its path. Refuses to replace an
/// existing file.
pub fn write(
    dir: &Path,
    plan: &Plan,
    sources: &SourceMap,
    plan_json: Value,
    now: Utc,
) -> Result<PathBuf, String> {
    let previous = read_all(dir)?;
    let diff = diff_against(previous.last(), plan, sources)?;
    let hashes = crate::targets::plan::sources_hash(sources);
    let listed: Vec<Value> = hashes
        .files
        .iter()
        .map(|f| json!({"path": f.name, "sha256": f.sha256, "text": sources.get(f.file).text}))
        .collect();
    let version = plan.meta.version.value.to_string();
    let record = json!({
        "eventsc_record": FORMAT,
        "version": version,
        "created": now.rfc3339(),
        "sources": listed,
        "sources_sha256": hashes.value,
        "plan": plan_json,
        "diff": diff,
    });
    let name = format!("{version}-{}.json", now.compact());
    let path = dir.join(&name);
    let mut text = serde_json::to_string_pretty(&record).map_err(|e| e.to_string())?;
    text.push('\n');
    crate::fsutil::create_durable(&path, text.as_bytes()).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            format!(
                "the record `{}` already exists; records are never overwritten (build again in a second, or set another SOURCE_DATE_EPOCH)",
                path.display()
            )
        } else {
            format!("cannot write `{}`: {e}", path.display())
        }
    })?;
    Ok(path)
}

/// The history of `dir` as a table, oldest first.
pub(crate) fn log(dir: &Path) -> Result<String, String> {
    if !dir.is_dir() {
        return Err(format!(
            "`{}` is not a directory of audit records",
            dir.display()
        ));
    }
    let records = read_all(dir)?;
    if records.is_empty() {
        return Err(format!(
            "no audit records in `{}` (`eventsc build … --record {}` writes them)",
            dir.display(),
            dir.display()
        ));
    }
    let mut rows = vec![[
        "version".to_string(),
        "date (UTC)".to_string(),
        "breaking".to_string(),
        "compatible".to_string(),
        "documentation".to_string(),
        "governance".to_string(),
        "record".to_string(),
    ]];
    for r in &records {
        let count = |c: Class| -> String {
            match r.value["diff"]["counts"][c.as_str()].as_u64() {
                Some(n) => n.to_string(),
                None => "-".to_string(),
            }
        };
        let mut file = r.file.clone();
        if r.value["diff"].is_null() {
            file.push_str(" (first)");
        } else if r.value["diff"]["version_ok"] == Value::Bool(false) {
            file.push_str(&format!(
                " (version too low: needed {})",
                r.value["diff"]["minimum_version"].as_str().unwrap_or("?")
            ));
        }
        // Records are files anyone may have written: their texts are shown
        // through `visible`, no control sequence reaches the terminal.
        let shown = |s: &str| crate::visible::visible(s).into_owned();
        let file = shown(&file);
        rows.push([
            shown(r.version()),
            shown(r.created().replace('T', " ").trim_end_matches('Z')),
            count(Class::Breaking),
            count(Class::Compatible),
            count(Class::Documentation),
            count(Class::Governance),
            file,
        ]);
    }
    let widths: Vec<usize> = (0..7)
        // Padded to at most 80 columns: longer texts run over (and a format
        // width must stay under 65,536).
        .map(|i| {
            rows.iter()
                .map(|r| r[i].chars().count())
                .max()
                .unwrap_or(0)
                .min(80)
        })
        .collect();
    let mut out = String::new();
    for r in &rows {
        let line: Vec<String> = r
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c:<w$}", w = widths[i]))
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc() {
        assert_eq!(Utc::from_unix(0).rfc3339(), "1970-01-01T00:00:00Z");
        assert_eq!(
            Utc::from_unix(951_782_400).rfc3339(),
            "2000-02-29T00:00:00Z"
        );
        assert_eq!(
            Utc::from_unix(1_795_635_000).rfc3339(),
            "2026-11-25T19:30:00Z"
        );
        assert_eq!(Utc::from_unix(1_795_635_000).compact(), "20261125T193000Z");
        assert_eq!(Utc::from_unix(-1).rfc3339(), "1969-12-31T23:59:59Z");
    }

    #[test]
    fn record_names() {
        assert!(is_record_name("1.4.0-20261125T193000Z.json"));
        assert!(is_record_name("2.0.0-rc.1-20261125T193000Z.json"));
        assert!(!is_record_name("1.4.0.json"));
        assert!(!is_record_name("notes-20261125T193000Z.json"));
        assert!(!is_record_name("1.4.0-20261125T193000Z.txt"));
    }
}
