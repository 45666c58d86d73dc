//! QA run records (`validate --record DIR`, `serve --record DIR`) and the
//! rip-cord they make computable.
//!
//! Each run leaves one small JSON file in `DIR`, named by its UTC time and
//! the payloads' hash, never overwritten. A run is a *guardrail breach* when
//! QA failed (coverage under the target or defects over the ceiling) or it
//! found a privacy defect (`consent`). The plan's rip-cord
//! (`qa { escalate_after N in DURATION }`) is pulled when N breaches of the
//! same plan (by title) fall within DURATION, ending with this run; the
//! report then says so and whom to alert (`ripcord`).

use super::kinds::Kind;
use super::model::Model;
use super::report::Summary;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

pub(crate) const FORMAT: &str = "eventsc-qa-run";

/// One QA run, as written to `DIR`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub(crate) struct RunRecord {
    pub(crate) format: String,
    pub(crate) format_version: u32,
    /// UTC, RFC 3339.
    pub(crate) date: String,
    /// Seconds since 1970 (what the windows are measured on).
    pub(crate) unix: i64,
    pub(crate) eventsc: String,
    pub(crate) plan: String,
    pub(crate) plan_version: String,
    pub(crate) plan_sources_sha256: String,
    pub(crate) payloads: String,
    pub(crate) payloads_sha256: String,
    pub(crate) passed: bool,
    pub(crate) coverage_met: bool,
    pub(crate) defects_met: bool,
    pub(crate) privacy_defects: u64,
    pub(crate) breach: bool,
}

impl RunRecord {
    pub(crate) fn of(summary: &Summary, unix: i64) -> RunRecord {
        let privacy_defects = summary
            .totals
            .violations
            .iter()
            .find(|k| k.kind == Kind::Consent)
            .map_or(0, |k| k.count);
        let p = &summary.provenance;
        RunRecord {
            format: FORMAT.into(),
            format_version: 1,
            date: p.date.clone(),
            unix,
            eventsc: p.eventsc.to_string(),
            plan: summary.plan.title.clone(),
            plan_version: summary.plan.version.clone(),
            plan_sources_sha256: p.plan_sources_sha256.clone(),
            payloads: summary.payloads.clone(),
            payloads_sha256: p.payloads_sha256.clone(),
            passed: summary.qa.passed,
            coverage_met: summary.qa.coverage.met,
            defects_met: summary.qa.defects.met,
            privacy_defects,
            breach: !summary.qa.passed || privacy_defects > 0,
        }
    }
}

/// Writes the record into `dir` (created when missing) as
/// `<UTC>-<payloads hash>.json`, with `-2`, `-3`… when that name is taken;
/// never replaces a file.
pub(crate) fn write(dir: &Path, record: &RunRecord, compact_date: &str) -> Result<PathBuf, String> {
    let mut bytes = serde_json::to_vec_pretty(record).map_err(|e| e.to_string())?;
    bytes.push(b'\n');
    let short: String = record.payloads_sha256.chars().take(12).collect();
    for n in 1..=99 {
        let name = if n == 1 {
            format!("{compact_date}-{short}.json")
        } else {
            format!("{compact_date}-{short}-{n}.json")
        };
        let path = dir.join(name);
        match crate::fsutil::create_durable(&path, &bytes) {
            Ok(()) => return Ok(path),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(format!("cannot write `{}`: {e}", path.display())),
        }
    }
    Err(format!(
        "cannot write a record in `{}`: 99 records of the same second and payloads exist",
        dir.display()
    ))
}

/// The records of `dir` (files that are not records are skipped), oldest
/// first; the files that could not be read, with why.
pub(crate) fn read_all(dir: &Path) -> (Vec<RunRecord>, Vec<String>) {
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return (out, skipped);
    };
    let mut paths: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    for p in paths {
        // Records are small; a large file there is not one.
        let text = match std::fs::metadata(&p) {
            Ok(m) if m.len() <= 64 * 1024 => std::fs::read_to_string(&p).ok(),
            _ => None,
        };
        match text.and_then(|t| serde_json::from_str::<RunRecord>(&t).ok()) {
            Some(r) if r.format == FORMAT => out.push(r),
            _ => skipped.push(p.display().to_string()),
        }
    }
    out.sort_by(|a, b| (a.unix, &a.date).cmp(&(b.unix, &b.date)));
    (out, skipped)
}

/// The rip-cord after a run.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub(crate) struct Ripcord {
    /// `2 in 48 hours`.
    pub(crate) trigger: String,
    pub(crate) threshold: u32,
    /// Dates of the breaches within the window (this run's included), oldest first.
    pub(crate) breaches: Vec<String>,
    pub(crate) pulled: bool,
    /// Who to alert (`@id (name)`), when pulled.
    pub(crate) alert: Vec<String>,
    /// Runs recorded for this plan, this one included.
    pub(crate) runs: usize,
}

/// Evaluates the rip-cord over the records of this plan, ending with `this`.
pub(crate) fn ripcord(model: &Model, records: &[RunRecord], this: &RunRecord) -> Ripcord {
    let w = model.info.qa.escalate_after;
    let window = (w.within.minutes() as i64).saturating_mul(60);
    let same_plan: Vec<&RunRecord> = records.iter().filter(|r| r.plan == this.plan).collect();
    let breaches: Vec<String> = same_plan
        .iter()
        .filter(|r| r.breach && r.unix <= this.unix && this.unix - r.unix <= window)
        .map(|r| r.date.clone())
        .collect();
    let pulled = this.breach && breaches.len() as u64 >= u64::from(w.count.max(1));
    Ripcord {
        trigger: model.info.escalate_after.clone(),
        threshold: w.count,
        breaches,
        pulled,
        alert: if pulled {
            model
                .info
                .ripcord
                .iter()
                .map(|o| format!("{} ({})", o.id, o.name))
                .collect()
        } else {
            Vec::new()
        },
        runs: same_plan.len(),
    }
}

/// Records the run in `dir`, reads the runs recorded there and puts the
/// rip-cord in the summary; the record's path.
pub(crate) fn record_run(
    model: &Model,
    summary: &mut Summary,
    dir: &Path,
    unix: i64,
    date: &crate::audit::Utc,
) -> Result<PathBuf, String> {
    let this = RunRecord::of(summary, unix);
    let path = write(dir, &this, &date.compact())?;
    let (records, _) = read_all(dir);
    summary.ripcord = Some(ripcord(model, &records, &this));
    Ok(path)
}
