//! Running targets and writing what they produce into an output directory.
//!
//! Every file is written atomically ([`write_atomic`]); a file whose bytes are
//! already on disk is left untouched. The manifest `.eventsc-manifest.json` in the
//! output directory records, per target, the files a build wrote:
//!
//! ```json
//! {"generator": "eventsc", "targets": {"csv": ["csv/catalog.csv", …], "dbt": […]}}
//! ```
//!
//! A build of some targets replaces their entries and removes the files those
//! targets wrote before and no longer produce; other targets' entries and files are
//! kept. Nothing that is not listed in the manifest is ever removed, only regular
//! files are, and never directories. Paths read from a manifest are checked: an
//! entry that is absolute or leaves the directory (`..`) is ignored.

use super::{Artifact, Context, Target, text};
use crate::fsutil::write_atomic;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

/// The manifest's file name, in the output directory.
pub const MANIFEST: &str = ".eventsc-manifest.json";

/// Runs the targets (in parallel) and returns their artifacts, in target order.
pub fn generate(
    targets: &[&'static dyn Target],
    cx: &Context,
) -> Vec<(&'static str, Vec<Artifact>)> {
    std::thread::scope(|s| {
        let handles: Vec<_> = targets
            .iter()
            .map(|t| (t.name(), s.spawn(move || t.generate(cx))))
            .collect();
        handles
            .into_iter()
            .map(|(name, h)| {
                let artifacts = match h.join() {
                    Ok(a) => a,
                    Err(panic) => std::panic::resume_unwind(panic),
                };
                (name, artifacts)
            })
            .collect()
    })
}

/// What a build did to the output directory.
#[derive(Debug, Default)]
pub struct Report {
    /// Files written (new or changed), relative to the output directory.
    pub written: Vec<String>,
    /// Files whose bytes were already on disk.
    pub unchanged: Vec<String>,
    /// Files of earlier builds that this build no longer produces, removed.
    pub removed: Vec<String>,
    /// Problems that did not stop the build (an unreadable manifest).
    pub warnings: Vec<String>,
}

#[derive(Debug)]
pub enum WriteError {
    Io(PathBuf, std::io::Error),
    /// A target produced a path that is not a plain relative path (a bug).
    BadPath(String),
    /// Two artifacts have the same path (a bug).
    Duplicate(String),
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WriteError::Io(p, e) => write!(f, "cannot write `{}`: {e}", p.display()),
            WriteError::BadPath(p) => write!(
                f,
                "internal error: a target produced the path `{p}`, which is not a relative path inside the output directory"
            ),
            WriteError::Duplicate(p) => {
                write!(f, "internal error: two artifacts have the path `{p}`")
            }
        }
    }
}

impl std::error::Error for WriteError {}

/// A relative, `/`-separated path that stays inside the directory.
pub fn is_safe_relative(p: &str) -> bool {
    !p.is_empty()
        && !p.starts_with('/')
        && !p.contains(['\\', ':', '\0'])
        && p.split('/').all(|c| !c.is_empty() && c != "." && c != "..")
}

/// Writes the artifacts into `out`, updates the manifest and removes stale files.
pub fn write(out: &Path, produced: &[(&str, Vec<Artifact>)]) -> Result<Report, WriteError> {
    let mut report = Report::default();
    let mut paths = BTreeSet::new();
    for (_, artifacts) in produced {
        for a in artifacts {
            if !is_safe_relative(&a.path) || a.path == MANIFEST {
                return Err(WriteError::BadPath(a.path.clone()));
            }
            if !paths.insert(a.path.as_str()) {
                return Err(WriteError::Duplicate(a.path.clone()));
            }
        }
    }
    std::fs::create_dir_all(out).map_err(|e| WriteError::Io(out.to_path_buf(), e))?;

    let manifest_path = out.join(MANIFEST);
    let mut manifest = read_manifest(&manifest_path, &mut report.warnings);

    let all: Vec<&Artifact> = produced.iter().flat_map(|(_, a)| a).collect();
    for (a, written) in all.iter().zip(write_all(out, &all)?) {
        if written {
            report.written.push(a.path.clone());
        } else {
            report.unchanged.push(a.path.clone());
        }
    }

    // Files the selected targets wrote before and no longer produce; a file
    // another target still claims (or that this build wrote) stays.
    let mut stale = BTreeSet::new();
    for (target, _) in produced {
        if let Some(old) = manifest.remove(*target) {
            stale.extend(old);
        }
    }
    for (target, artifacts) in produced {
        manifest.insert(
            target.to_string(),
            artifacts.iter().map(|a| a.path.clone()).collect(),
        );
    }
    let claimed: BTreeSet<&String> = manifest.values().flatten().collect();
    for p in stale.iter().filter(|p| !claimed.contains(p)) {
        let path = out.join(p);
        match std::fs::symlink_metadata(&path) {
            Ok(m) if m.is_file() => {
                std::fs::remove_file(&path).map_err(|e| WriteError::Io(path.clone(), e))?;
                report.removed.push(p.clone());
            }
            _ => {}
        }
    }

    let text = manifest_text(&manifest);
    if !same_bytes(&manifest_path, text.as_bytes()) {
        write_atomic(&manifest_path, text.as_bytes())
            .map_err(|e| WriteError::Io(manifest_path.clone(), e))?;
    }
    Ok(report)
}

/// How many files are written at once: each write waits for its `fsync`, and
/// the file system commits concurrent ones together, so a build of thousands of
/// files is many times faster with several in flight, even on one core.
const WRITERS: usize = 16;

/// Writes every artifact whose bytes differ from the file on disk; returns, per
/// artifact, whether it was written.
fn write_all(out: &Path, all: &[&Artifact]) -> Result<Vec<bool>, WriteError> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let next = AtomicUsize::new(0);
    let one = |a: &Artifact| -> Result<bool, WriteError> {
        let path = out.join(&a.path);
        if same_bytes(&path, &a.bytes) {
            return Ok(false);
        }
        write_atomic(&path, &a.bytes).map_err(|e| WriteError::Io(path, e))?;
        Ok(true)
    };
    let results: Vec<Vec<(usize, Result<bool, WriteError>)>> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..WRITERS.min(all.len()))
            .map(|_| {
                s.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(a) = all.get(i) else { break };
                        let r = one(a);
                        let failed = r.is_err();
                        done.push((i, r));
                        if failed {
                            // Stop handing out work; others finish their file.
                            next.store(all.len(), Ordering::Relaxed);
                            break;
                        }
                    }
                    done
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| match w.join() {
                Ok(d) => d,
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    });
    let mut written = vec![false; all.len()];
    let mut first_error: Option<(usize, WriteError)> = None;
    for (i, r) in results.into_iter().flatten() {
        match r {
            Ok(w) => written[i] = w,
            Err(e) => {
                if first_error.as_ref().is_none_or(|(j, _)| i < *j) {
                    first_error = Some((i, e));
                }
            }
        }
    }
    match first_error {
        Some((_, e)) => Err(e),
        None => Ok(written),
    }
}

fn same_bytes(path: &Path, bytes: &[u8]) -> bool {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_file() && m.len() == bytes.len() as u64 => {
            std::fs::read(path).is_ok_and(|old| old == bytes)
        }
        _ => false,
    }
}

/// The previous manifest's entries (empty when there is none); an unreadable
/// one is reported and treated as empty.
fn read_manifest(path: &Path, warnings: &mut Vec<String>) -> BTreeMap<String, BTreeSet<String>> {
    let mut out = BTreeMap::new();
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return out,
        Err(e) => {
            warnings.push(format!(
                "cannot read `{}` ({e}): files of earlier builds are not removed",
                path.display()
            ));
            return out;
        }
    };
    let targets = serde_json::from_slice::<Value>(&bytes)
        .ok()
        .and_then(|v| v.get("targets").and_then(Value::as_object).cloned());
    let Some(targets) = targets else {
        warnings.push(format!(
            "`{}` is not an eventsc manifest: it is replaced, and files of earlier builds are not removed",
            path.display()
        ));
        return out;
    };
    for (target, files) in targets {
        let files = files
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .filter(|p| is_safe_relative(p) && *p != MANIFEST)
            .map(str::to_string)
            .collect();
        out.insert(target, files);
    }
    out
}

fn manifest_text(manifest: &BTreeMap<String, BTreeSet<String>>) -> String {
    let targets: Map<String, Value> = manifest
        .iter()
        .map(|(t, files)| (t.clone(), json!(files)))
        .collect();
    text::json_pretty(&json!({
        "generator": "eventsc",
        "targets": targets,
    }))
}

#[cfg(test)]
mod tests {
    use super::is_safe_relative;

    #[test]
    fn safe_paths() {
        for ok in ["a.json", "schemas/x.json", "a/b/c"] {
            assert!(is_safe_relative(ok), "{ok}");
        }
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../b",
            "a//b",
            "./a",
            "a\\b",
            "C:x",
            "a/",
        ] {
            assert!(!is_safe_relative(bad), "{bad}");
        }
    }
}
