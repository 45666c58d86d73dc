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
use crate::fsutil::{AtomicWriter, write_atomic};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

/// The manifest's file name, in the output directory.
pub const MANIFEST: &str = ".eventsc-manifest.json";

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

/// Runs the targets and writes what they produce into `out`, then updates the
/// manifest and removes stale files.
///
/// Targets run on as many threads as there are cores, heaviest first; each
/// thread writes a target's files as soon as the target has produced them and
/// drops them, so at most one target's output per thread is in memory.
pub fn build(
    out: &Path,
    targets: &[&'static dyn Target],
    cx: &Context,
) -> Result<Report, WriteError> {
    std::fs::create_dir_all(out).map_err(|e| WriteError::Io(out.to_path_buf(), e))?;
    let manifest_path = out.join(MANIFEST);
    let mut report = Report::default();
    let mut manifest = read_manifest(&manifest_path, &mut report.warnings);

    let done = run_all(out, targets, cx)?;
    let mut all_paths = BTreeSet::new();
    for d in &done {
        for p in &d.paths {
            if !all_paths.insert(p.as_str()) {
                return Err(WriteError::Duplicate(p.clone()));
            }
        }
    }
    for d in &done {
        for (p, w) in d.paths.iter().zip(&d.written) {
            if *w {
                report.written.push(p.clone());
            } else {
                report.unchanged.push(p.clone());
            }
        }
    }

    // Files the selected targets wrote before and no longer produce; a file
    // another target still claims (or that this build wrote) stays.
    let mut stale = BTreeSet::new();
    for d in &done {
        if let Some(old) = manifest.remove(d.target) {
            stale.extend(old);
        }
    }
    for d in &done {
        manifest.insert(d.target.to_string(), d.paths.iter().cloned().collect());
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
    let mut buf = Vec::new();
    if !same_bytes(&manifest_path, text.as_bytes(), &mut buf) {
        write_atomic(&manifest_path, text.as_bytes())
            .map_err(|e| WriteError::Io(manifest_path.clone(), e))?;
    }
    Ok(report)
}

/// What one target did: the paths it produced, in its order, and whether each
/// was written (or already on disk).
struct Done {
    target: &'static str,
    paths: Vec<String>,
    written: Vec<bool>,
}

/// The order targets are handed to threads in: the ones taking the longest
/// first (as measured on a 10,000-event plan), so the threads finish together.
/// Others follow in registry order.
const HEAVIEST_FIRST: &[&str] = &[
    "dbt",
    "json",
    "yaml",
    "samples",
    "jsonschema",
    "spec",
    "csv",
    "segment",
];

/// Runs every target on a pool of threads, writing each one's files as soon as
/// it has produced them; returns what each did, in target order. After the
/// first error no further target is started, and the first (in target order)
/// is returned.
fn run_all(
    out: &Path,
    targets: &[&'static dyn Target],
    cx: &Context,
) -> Result<Vec<Done>, WriteError> {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let rank = |t: &dyn Target| {
        HEAVIEST_FIRST
            .iter()
            .position(|n| *n == t.name())
            .unwrap_or(HEAVIEST_FIRST.len())
    };
    let mut order: Vec<usize> = (0..targets.len()).collect();
    order.sort_by_key(|&i| rank(targets[i]));
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, targets.len().max(1));
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let stats = std::env::var_os("EVENTSC_STATS").is_some_and(|v| !v.is_empty());
    let worker = || {
        let mut buf = Vec::new();
        let mut writer = AtomicWriter::default();
        let mut results = Vec::new();
        while !failed.load(Ordering::Relaxed) {
            let Some(&i) = order.get(next.fetch_add(1, Ordering::Relaxed)) else {
                break;
            };
            let t = targets[i];
            let started = std::time::Instant::now();
            let artifacts = t.generate(cx);
            let generated = started.elapsed();
            let bytes: usize = artifacts.iter().map(|a| a.bytes.len()).sum();
            let r = write_target(out, t.name(), artifacts, &mut writer, &mut buf);
            if stats {
                eprintln!(
                    "stats: {:<10} generate {:>6.3} s, write {:>6.3} s, {:>5} MB",
                    t.name(),
                    generated.as_secs_f64(),
                    (started.elapsed() - generated).as_secs_f64(),
                    bytes / 1_000_000
                );
            }
            if r.is_err() {
                failed.store(true, Ordering::Relaxed);
            }
            results.push((i, r));
        }
        results
    };
    let mut results: Vec<(usize, Result<Done, WriteError>)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads).map(|_| s.spawn(worker)).collect();
        handles
            .into_iter()
            .flat_map(|h| match h.join() {
                Ok(r) => r,
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    });
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

/// Writes one target's artifacts (each whose bytes differ from the file on disk).
fn write_target(
    out: &Path,
    target: &'static str,
    artifacts: Vec<Artifact>,
    writer: &mut AtomicWriter,
    buf: &mut Vec<u8>,
) -> Result<Done, WriteError> {
    let mut seen = BTreeSet::new();
    for a in &artifacts {
        if !is_safe_relative(&a.path) || a.path == MANIFEST {
            return Err(WriteError::BadPath(a.path.clone()));
        }
        if !seen.insert(a.path.as_str()) {
            return Err(WriteError::Duplicate(a.path.clone()));
        }
    }
    let mut done = Done {
        target,
        paths: Vec::with_capacity(artifacts.len()),
        written: Vec::with_capacity(artifacts.len()),
    };
    for a in artifacts {
        let path = out.join(&a.path);
        let write = writer.is_new(&path) || !same_bytes(&path, &a.bytes, buf);
        if write {
            writer
                .write(&path, &a.bytes)
                .map_err(|e| WriteError::Io(path, e))?;
        }
        done.paths.push(a.path);
        done.written.push(write);
    }
    Ok(done)
}

/// Whether the file at `path` holds exactly `bytes`; read in chunks into `buf`,
/// so comparing a large output costs no allocation.
fn same_bytes(path: &Path, bytes: &[u8], buf: &mut Vec<u8>) -> bool {
    use std::io::Read;
    const CHUNK: usize = 256 * 1024;
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_file() && m.len() == bytes.len() as u64 => {}
        _ => return false,
    }
    let Ok(mut file) = std::fs::File::open(path) else {
        return false;
    };
    buf.resize(CHUNK, 0);
    let mut rest = bytes;
    loop {
        // One byte more than is left: a file that grew meanwhile differs.
        let want = rest.len().min(CHUNK - 1) + 1;
        let n = match file.read(&mut buf[..want]) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return false,
        };
        if n == 0 {
            return rest.is_empty();
        }
        if n > rest.len() || buf[..n] != rest[..n] {
            return false;
        }
        rest = &rest[n..];
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
