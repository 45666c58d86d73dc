//! Running targets and writing what they produce into an output directory,
//! without ever losing a file that is not eventsc's.
//!
//! The manifest `.eventsc-manifest.json` in the output directory records, per
//! target, each file a build wrote with the SHA-256 of its bytes:
//!
//! ```json
//! {"generator": "eventsc", "version": 2,
//!  "targets": {"csv": {"csv/catalog.csv": "<sha256 hex>", …}, "dbt": {…}}}
//! ```
//!
//! A build runs in three steps, under a lock (`.eventsc-lock`: a second build
//! into the same directory waits for the first, up to [`LOCK_WAIT`]):
//!
//! 1. **Stage.** Targets run one per core; each file they produce is checked and
//!    written to a temporary file next to its place. A file already holding
//!    the same bytes is left alone. An existing file is only replaced when the
//!    manifest lists it with the hash of its current bytes (eventsc wrote it
//!    and nobody changed it since) or with `--force`; never when it is an input
//!    of the build. No path leaves the real output directory: a directory on
//!    the way that is a symbolic link stops the build, as does a name longer
//!    than a file system allows.
//! 2. **Commit.** If any file was refused, every temporary file (and every
//!    directory the build made) is removed and nothing has changed. Otherwise the
//!    temporary files are renamed into place.
//! 3. **Clean up.** Files the selected targets wrote before and no longer produce
//!    are removed, each only if it is still a regular file with the bytes the
//!    manifest recorded, is not a `.events` file nor an input, and is reached
//!    without a symbolic link; otherwise it is kept and reported. Temporary
//!    files left by a killed eventsc (`.<name>.<pid>-<n>.eventsc-tmp`, of a
//!    process that is gone) are removed. Directories are never removed, except
//!    the empty ones a failed build made.
//!
//! Manifest paths are checked: an entry that is absolute or leaves the
//! directory (`..`) is ignored. A manifest of an older eventsc (lists without
//! hashes) is read; its files are replaced when regenerated but, having no
//! hash, never removed.

use crate::fsutil;
use crate::targets::encode::text;
use crate::targets::{Artifact, Context, Target, hex};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

/// The manifest's file name, in the output directory.
pub const MANIFEST: &str = ".eventsc-manifest.json";
/// The lock file's name, in the output directory.
pub const LOCK: &str = ".eventsc-lock";
/// How long a build waits for another build into the same directory (the
/// environment variable `EVENTSC_LOCK_WAIT`, in seconds, changes it).
pub const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(60);
/// The longest file or directory name most file systems accept, in bytes.
pub const MAX_NAME_BYTES: usize = 255;

/// What a build did to the output directory.
#[derive(Debug, Default)]
pub struct Report {
    /// Files written (new or changed), relative to the output directory.
    pub written: Vec<String>,
    /// Files whose bytes were already on disk.
    pub unchanged: Vec<String>,
    /// Files of earlier builds that this build no longer produces, removed.
    pub removed: Vec<String>,
    /// Files that eventsc did not write (or that changed since), replaced
    /// because of `--force`.
    pub forced: Vec<String>,
    /// Stale temporary files of killed builds, removed.
    pub temporaries: Vec<String>,
    /// Problems that did not stop the build (an unreadable manifest, a file
    /// of an earlier build that is kept because it changed).
    pub warnings: Vec<String>,
}

#[derive(Debug)]
pub enum WriteError {
    Io(PathBuf, std::io::Error),
    /// `--out` names something that is not a directory.
    OutNotDir(PathBuf),
    /// `--out` names the root directory or the home directory (or above it).
    OutDangerous(PathBuf, &'static str),
    /// Another build holds the lock for longer than the wait.
    Locked(PathBuf),
    /// A directory on the way to an output file is a symbolic link.
    Symlink(PathBuf),
    /// A directory on the way to an output file is a file.
    NotDir(PathBuf),
    /// An output file's name is longer than file systems allow.
    NameTooLong(PathBuf),
    /// Files that would be overwritten: eventsc did not write them (or they
    /// changed since), and `--force` was not given; or inputs of the build, or
    /// directories, which nothing replaces.
    Refused(Vec<Refusal>),
    /// A target produced a path that is not a plain relative path (a bug).
    BadPath(String),
    /// Two artifacts have the same path (a bug).
    Duplicate(String),
}

/// A file the build would have to overwrite and may not.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Refusal {
    pub path: PathBuf,
    pub why: Why,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Why {
    /// Not in the manifest (eventsc did not write it).
    NotOurs,
    /// In the manifest, but its bytes changed since.
    Changed,
    /// Not a regular file (a symbolic link, a FIFO…).
    NotRegular,
    /// An input of this build.
    Input,
    /// A directory.
    Directory,
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WriteError::Io(p, e) => write!(f, "cannot write `{}`: {e}", p.display()),
            WriteError::OutNotDir(p) => write!(
                f,
                "--out `{}` is a file, not a directory: --out names the directory to write the artifacts into",
                p.display()
            ),
            WriteError::OutDangerous(p, what) => write!(
                f,
                "--out `{}` is {what}: refusing to build into it (choose a directory of its own, e.g. `--out build/events`)",
                p.display()
            ),
            WriteError::Locked(p) => write!(
                f,
                "another eventsc build is writing into `{}` (it holds `{}`); nothing was written: try again when it has finished",
                p.display(),
                p.join(LOCK).display()
            ),
            WriteError::Symlink(p) => write!(
                f,
                "`{}` is a symbolic link: eventsc does not write through links inside the output directory; nothing was written (remove the link, or build into another directory)",
                p.display()
            ),
            WriteError::NotDir(p) => write!(
                f,
                "cannot write into `{}`: it is a file, not a directory; nothing was written",
                p.display()
            ),
            WriteError::NameTooLong(p) => write!(
                f,
                "cannot write `{}`: a name in it is longer than {MAX_NAME_BYTES} bytes, the limit of file systems; nothing was written",
                p.display()
            ),
            WriteError::Refused(list) => {
                let force = list
                    .iter()
                    .any(|r| matches!(r.why, Why::NotOurs | Why::Changed | Why::NotRegular));
                writeln!(
                    f,
                    "the build would overwrite {} that eventsc may not replace; nothing was written:",
                    if list.len() == 1 { "a file" } else { "files" }
                )?;
                const SHOWN: usize = 20;
                for r in list.iter().take(SHOWN) {
                    let why = match r.why {
                        Why::NotOurs => "eventsc did not write it",
                        Why::Changed => "it changed since eventsc wrote it",
                        Why::NotRegular => "not a regular file",
                        Why::Input => "an input of this build: never overwritten",
                        Why::Directory => "a directory",
                    };
                    writeln!(f, "  {} ({why})", r.path.display())?;
                }
                if list.len() > SHOWN {
                    writeln!(f, "  … and {} more", list.len() - SHOWN)?;
                }
                let (them, it) = if list.len() == 1 {
                    ("it", "it")
                } else {
                    ("them", "them")
                };
                if force {
                    write!(
                        f,
                        "  help: move {them} away, or pass --force to overwrite {it}"
                    )
                } else {
                    write!(f, "  help: build into another directory")
                }
            }
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

/// How a build treats files already in the output directory.
#[derive(Debug, Default)]
pub struct Options {
    /// Overwrite files eventsc did not write (never inputs).
    pub force: bool,
    /// The build's input files: never written nor removed.
    pub inputs: Vec<PathBuf>,
}

/// A file's identity: device and inode on Unix, the canonical path elsewhere.
#[derive(Clone, PartialEq, Eq, Hash)]
struct FileKey(#[cfg(unix)] (u64, u64), #[cfg(not(unix))] PathBuf);

fn file_key(path: &Path, meta: &std::fs::Metadata) -> Option<FileKey> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let _ = path;
        Some(FileKey((meta.dev(), meta.ino())))
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        std::fs::canonicalize(path).ok().map(FileKey)
    }
}

/// The manifest: per target, each file with the hash of its bytes (`None`
/// when an older eventsc wrote the manifest without hashes).
type Manifest = BTreeMap<String, BTreeMap<String, Option<String>>>;

/// Checks `--out` without creating anything: not a file, not `/`, not the
/// home directory nor one of its parents.
pub fn check_out(out: &Path) -> Result<(), WriteError> {
    match std::fs::metadata(out) {
        Ok(m) if !m.is_dir() => return Err(WriteError::OutNotDir(out.to_path_buf())),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(WriteError::Io(out.to_path_buf(), e)),
    }
    if let Ok(real) = std::fs::canonicalize(out) {
        if real.parent().is_none() {
            return Err(WriteError::OutDangerous(
                out.to_path_buf(),
                "the root of the file system",
            ));
        }
        let home = std::env::var_os("HOME")
            .filter(|h| !h.is_empty())
            .and_then(|h| std::fs::canonicalize(h).ok());
        if let Some(home) = home {
            if home == real {
                return Err(WriteError::OutDangerous(
                    out.to_path_buf(),
                    "your home directory",
                ));
            }
            if home.starts_with(&real) {
                return Err(WriteError::OutDangerous(
                    out.to_path_buf(),
                    "a parent of your home directory",
                ));
            }
        }
    }
    Ok(())
}

/// [`check_out`], then creates the directory when missing; returns its real
/// path.
fn prepare_out(out: &Path) -> Result<PathBuf, WriteError> {
    check_out(out)?;
    fsutil::make_dir(out).map_err(|e| WriteError::Io(out.to_path_buf(), e))?;
    std::fs::canonicalize(out).map_err(|e| WriteError::Io(out.to_path_buf(), e))
}

/// Takes the output directory's lock, waiting for another build to finish
/// (with a message) up to [`LOCK_WAIT`]. The lock is released when the file
/// is dropped (or the process ends, even killed); the file itself stays.
fn lock(root: &Path, shown: &Path) -> Result<std::fs::File, WriteError> {
    let path = root.join(LOCK);
    if std::fs::symlink_metadata(&path).is_ok_and(|m| !m.is_file()) {
        return Err(WriteError::Refused(vec![Refusal {
            path: shown.join(LOCK),
            why: Why::NotRegular,
        }]));
    }
    let file = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(&path)
        .map_err(|e| WriteError::Io(shown.join(LOCK), e))?;
    let wait = std::env::var("EVENTSC_LOCK_WAIT")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map_or(LOCK_WAIT, std::time::Duration::from_secs_f64);
    let started = std::time::Instant::now();
    let mut told = false;
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(file),
            Err(std::fs::TryLockError::WouldBlock) => {}
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(WriteError::Io(shown.join(LOCK), e));
            }
        }
        if started.elapsed() >= wait {
            return Err(WriteError::Locked(shown.to_path_buf()));
        }
        if !told {
            eprintln!(
                "build: waiting for another eventsc build into `{}` to finish (up to {} s)…",
                shown.display(),
                wait.as_secs_f64()
            );
            told = true;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// Runs the targets and writes what they produce into `out`, then updates the
/// manifest and removes stale files (see the module documentation).
///
/// Targets run on as many threads as there are cores, heaviest first; each
/// thread stages a target's files as soon as the target has produced them and
/// drops them, so at most one target's output per thread is in memory.
pub fn build(
    out: &Path,
    targets: &[&'static dyn Target],
    cx: &Context,
    options: &Options,
) -> Result<Report, WriteError> {
    let root = prepare_out(out)?;
    let _lock = lock(&root, out)?;
    let manifest_path = root.join(MANIFEST);
    let mut report = Report::default();
    let old = read_manifest(&manifest_path, out, &mut report.warnings);
    let inputs: HashSet<FileKey> = options
        .inputs
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok().and_then(|m| file_key(p, &m)))
        .collect();
    // Who wrote each path, with which hash, in any target's entry.
    let recorded: HashMap<&str, &Option<String>> = old
        .values()
        .flat_map(|files| files.iter().map(|(p, h)| (p.as_str(), h)))
        .collect();
    let place = Place {
        root: &root,
        shown: out,
        recorded: &recorded,
        inputs: &inputs,
        force: options.force,
        made: std::sync::Mutex::new(Vec::new()),
    };

    let staged = run_all(&place, targets, cx);
    let made = std::mem::take(&mut *place.made.lock().unwrap_or_else(|e| e.into_inner()));
    let done = match check_staged(staged) {
        Ok(done) => done,
        Err((e, temps)) => {
            unstage(&root, temps, made);
            return Err(e);
        }
    };

    // Commit: every file was checked; rename the temporary files into place.
    let mut committed = 0;
    let mut failure = None;
    'commit: for d in &done {
        for f in &d.files {
            if let Some(tmp) = &f.temp {
                if let Err(e) = std::fs::rename(tmp, root.join(&f.path)) {
                    failure = Some(WriteError::Io(out.join(&f.path), e));
                    break 'commit;
                }
                committed += 1;
            }
        }
    }
    if let Some(e) = failure {
        // Not expected (each temporary file is in its file's directory): what
        // was renamed is recorded so that the next build knows it as ours.
        let mut manifest = old.clone();
        let mut left = committed;
        for d in &done {
            let entry = manifest.entry(d.target.to_string()).or_default();
            for f in &d.files {
                if f.temp.is_some() && left > 0 {
                    left -= 1;
                    entry.insert(f.path.clone(), Some(f.hash.clone()));
                }
            }
        }
        let temps = done
            .iter()
            .flat_map(|d| &d.files)
            .filter_map(|f| f.temp.clone());
        unstage(&root, temps, Vec::new());
        let _ = write_manifest(&manifest_path, &manifest, out);
        return Err(e);
    }
    for d in &done {
        for f in &d.files {
            let p = f.path.clone();
            match f.state {
                State::Unchanged => report.unchanged.push(p),
                State::Forced => {
                    report.forced.push(p.clone());
                    report.written.push(p);
                }
                State::Write => report.written.push(p),
            }
        }
    }

    // Files the selected targets wrote before and no longer produce; a file
    // another target still claims (or that this build wrote) stays.
    let mut manifest = old.clone();
    let mut stale: BTreeMap<String, Option<String>> = BTreeMap::new();
    for d in &done {
        if let Some(files) = manifest.remove(d.target) {
            stale.extend(files);
        }
    }
    for d in &done {
        let files = d
            .files
            .iter()
            .map(|f| (f.path.clone(), Some(f.hash.clone())))
            .collect();
        manifest.insert(d.target.to_string(), files);
    }
    let claimed: BTreeSet<&String> = manifest.values().flat_map(|m| m.keys()).collect();
    let stale: Vec<(String, Option<String>)> = stale
        .into_iter()
        .filter(|(p, _)| !claimed.contains(p))
        .collect();
    for (p, hash) in stale {
        match remove_stale(&root, out, &p, hash.as_deref(), &inputs) {
            Ok(true) => report.removed.push(p),
            Ok(false) => {}
            Err(why) => report
                .warnings
                .push(format!("kept `{}`: {why}", out.join(&p).display())),
        }
    }
    write_manifest(&manifest_path, &manifest, out)?;

    // Temporary files of killed builds, in the directories this one wrote to.
    let dirs: BTreeSet<&str> = done
        .iter()
        .flat_map(|d| d.files.iter())
        .map(|f| f.path.rsplit_once('/').map_or("", |(dir, _)| dir))
        .collect();
    for dir in dirs {
        report
            .temporaries
            .extend(remove_stale_temporaries(&root, dir));
    }
    Ok(report)
}

/// What the staging step needs to decide about each file.
struct Place<'a> {
    /// The real output directory.
    root: &'a Path,
    /// The output directory as the user named it (for messages).
    shown: &'a Path,
    recorded: &'a HashMap<&'a str, &'a Option<String>>,
    inputs: &'a HashSet<FileKey>,
    force: bool,
    /// Directories this build created, to remove if it fails.
    made: std::sync::Mutex<Vec<PathBuf>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// The bytes are already there.
    Unchanged,
    /// New, or replacing a file of an earlier build.
    Write,
    /// Replacing a file eventsc did not write, with `--force`.
    Forced,
}

/// One staged file.
struct Staged {
    path: String,
    /// SHA-256 of its bytes, in hex.
    hash: String,
    state: State,
    /// The temporary file holding the bytes, to rename into place.
    temp: Option<PathBuf>,
}

/// What one target staged, in its order.
struct Done {
    target: &'static str,
    files: Vec<Staged>,
}

/// A target's outcome: staged, or refused files (with whatever it staged
/// before, so it can be removed), or an error.
type Outcome = Result<Done, (WriteError, Vec<Staged>)>;

/// Gathers the targets' outcomes: every staged file, or one error naming every
/// refused file (or the first other error, in target order) with the
/// temporary files to remove.
fn check_staged(staged: Vec<Outcome>) -> Result<Vec<Done>, (WriteError, Vec<PathBuf>)> {
    let mut refused = Vec::new();
    let mut other = None;
    let mut temps = Vec::new();
    let mut done = Vec::new();
    for s in staged {
        match s {
            Ok(d) => done.push(d),
            Err((e, files)) => {
                temps.extend(files.into_iter().filter_map(|f| f.temp));
                match e {
                    WriteError::Refused(list) => refused.extend(list),
                    e => {
                        other.get_or_insert(e);
                    }
                }
            }
        }
    }
    let mut all_paths = BTreeSet::new();
    for d in &done {
        for f in &d.files {
            if !all_paths.insert(f.path.as_str()) {
                other.get_or_insert_with(|| WriteError::Duplicate(f.path.clone()));
            }
        }
    }
    let error = other.or_else(|| {
        (!refused.is_empty()).then(|| {
            refused.sort();
            WriteError::Refused(refused)
        })
    });
    match error {
        None => Ok(done),
        Some(e) => {
            temps.extend(
                done.into_iter()
                    .flat_map(|d| d.files)
                    .filter_map(|f| f.temp),
            );
            Err((e, temps))
        }
    }
}

/// Removes temporary files, then the directories in `made` (deepest first)
/// that are empty.
fn unstage(root: &Path, temps: impl IntoIterator<Item = PathBuf>, mut made: Vec<PathBuf>) {
    for t in temps {
        let _ = std::fs::remove_file(t);
    }
    made.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
    for d in made {
        if d.starts_with(root) {
            // Fails, as it should, when the directory is not empty.
            let _ = std::fs::remove_dir(d);
        }
    }
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

/// Runs every target on a pool of threads, staging each one's files as soon
/// as it has produced them; returns what each did, in target order. After the
/// first error no further target is started (refused files do not stop the
/// others: every refused file is reported at once).
fn run_all(place: &Place, targets: &[&'static dyn Target], cx: &Context) -> Vec<Outcome> {
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
        let mut dirs = Dirs::default();
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
            let r = stage_target(place, t.name(), artifacts, &mut dirs, &mut buf);
            if stats {
                eprintln!(
                    "stats: {:<10} generate {:>6.3} s, write {:>6.3} s, {:>5} MB",
                    t.name(),
                    generated.as_secs_f64(),
                    (started.elapsed() - generated).as_secs_f64(),
                    bytes / 1_000_000
                );
            }
            if matches!(&r, Err((e, _)) if !matches!(e, WriteError::Refused(_))) {
                failed.store(true, Ordering::Relaxed);
            }
            results.push((i, r));
        }
        results
    };
    let mut results: Vec<(usize, Outcome)> = std::thread::scope(|s| {
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

/// The directories a staging thread has checked (or made) under the output
/// directory, so each is looked at once.
#[derive(Default)]
struct Dirs {
    /// Relative directory → whether this build created it (then no file is
    /// looked for in it: none was there).
    seen: HashMap<String, bool>,
}

impl Dirs {
    /// Makes sure the relative directory `dir` is a real directory under the
    /// output directory: each part is a directory (not a link, not a file),
    /// created when missing. Returns whether this build created it.
    fn ensure(&mut self, place: &Place, dir: &str) -> Result<bool, WriteError> {
        if dir.is_empty() {
            return Ok(false);
        }
        if let Some(&created) = self.seen.get(dir) {
            return Ok(created);
        }
        let (parent, _) = dir.rsplit_once('/').unwrap_or(("", dir));
        let parent_created = self.ensure(place, parent)?;
        let path = place.root.join(dir);
        let existing = if parent_created {
            // Nothing was there; another thread may have made it meanwhile.
            None
        } else {
            match std::fs::symlink_metadata(&path) {
                Ok(m) => Some(m),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(e) => return Err(WriteError::Io(place.shown.join(dir), e)),
            }
        };
        let kind = |m: &std::fs::Metadata| {
            if m.is_dir() {
                Ok(false)
            } else if m.file_type().is_symlink() {
                Err(WriteError::Symlink(place.shown.join(dir)))
            } else {
                Err(WriteError::NotDir(place.shown.join(dir)))
            }
        };
        let created = match existing {
            Some(m) => kind(&m)?,
            None => match std::fs::create_dir(&path) {
                Ok(()) => true,
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    match std::fs::symlink_metadata(&path) {
                        Ok(m) => kind(&m)?,
                        Err(e) => return Err(WriteError::Io(place.shown.join(dir), e)),
                    }
                }
                Err(e) => return Err(WriteError::Io(place.shown.join(dir), e)),
            },
        };
        if created && let Ok(mut made) = place.made.lock() {
            made.push(path);
        }
        self.seen.insert(dir.to_string(), created);
        Ok(created)
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// The SHA-256 of a file's bytes, read in chunks.
fn hash_file(path: &Path, buf: &mut Vec<u8>) -> Option<String> {
    use std::io::Read;
    let mut file = std::fs::File::open(path).ok()?;
    let mut hasher = Sha256::new();
    buf.resize(256 * 1024, 0);
    loop {
        match file.read(buf) {
            Ok(0) => return Some(hex(&hasher.finalize())),
            Ok(n) => hasher.update(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return None,
        }
    }
}

/// Checks one target's artifacts and writes each whose bytes differ from the
/// file on disk to a temporary file next to it.
fn stage_target(
    place: &Place,
    target: &'static str,
    artifacts: Vec<Artifact>,
    dirs: &mut Dirs,
    buf: &mut Vec<u8>,
) -> Outcome {
    let mut seen = BTreeSet::new();
    for a in &artifacts {
        if !is_safe_relative(&a.path) || a.path == MANIFEST || a.path == LOCK {
            return Err((WriteError::BadPath(a.path.clone()), Vec::new()));
        }
        if !seen.insert(a.path.as_str()) {
            return Err((WriteError::Duplicate(a.path.clone()), Vec::new()));
        }
        if a.path.split('/').any(|c| c.len() > MAX_NAME_BYTES) {
            return Err((
                WriteError::NameTooLong(place.shown.join(&a.path)),
                Vec::new(),
            ));
        }
    }
    let mut files = Vec::with_capacity(artifacts.len());
    let mut refused = Vec::new();
    for a in artifacts {
        let dir = a.path.rsplit_once('/').map_or("", |(d, _)| d);
        let fresh = match dirs.ensure(place, dir) {
            Ok(fresh) => fresh,
            Err(e) => return Err((e, files)),
        };
        let path = place.root.join(&a.path);
        let (state, kept) = if fresh {
            (State::Write, None)
        } else {
            match existing(place, &a.path, &path, &a.bytes, buf) {
                Ok(found) => found,
                Err(why) => {
                    refused.push(Refusal {
                        path: place.shown.join(&a.path),
                        why,
                    });
                    continue;
                }
            }
        };
        // An unchanged file keeps the hash its entry has (hashing 500 MB of
        // output on every build costs a third of a second). A wrong recorded
        // hash only makes the file look changed later: never removed, never
        // replaced without `--force`.
        let hash = match place.recorded.get(a.path.as_str()) {
            Some(Some(h)) if state == State::Unchanged => h.clone(),
            _ => sha256_hex(&a.bytes),
        };
        let temp = if state == State::Unchanged || !refused.is_empty() {
            None
        } else {
            match stage_file(&path, &a.bytes, kept) {
                Ok(t) => Some(t),
                Err(e) => return Err((WriteError::Io(place.shown.join(&a.path), e), files)),
            }
        };
        files.push(Staged {
            path: a.path,
            hash,
            state,
            temp,
        });
    }
    if refused.is_empty() {
        Ok(Done { target, files })
    } else {
        Err((WriteError::Refused(refused), files))
    }
}

/// What to do about the file at `path` (relative `rel`) that the build would
/// write `bytes` to: nothing (the same bytes), replace it (absent, or ours and
/// unchanged, or `--force`), or refuse. Also gives the mode to keep.
fn existing(
    place: &Place,
    rel: &str,
    path: &Path,
    bytes: &[u8],
    buf: &mut Vec<u8>,
) -> Result<(State, Option<std::fs::Permissions>), Why> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(_) => return Ok((State::Write, None)),
    };
    if meta.is_dir() {
        return Err(Why::Directory);
    }
    if meta.is_file() {
        if file_key(path, &meta).is_some_and(|k| place.inputs.contains(&k)) {
            return Err(Why::Input);
        }
        if same_bytes(path, &meta, bytes, buf) {
            return Ok((State::Unchanged, None));
        }
        let ours = match place.recorded.get(rel) {
            // Listed by an older eventsc, without a hash.
            Some(None) => true,
            // The bytes eventsc wrote last time, unchanged since.
            Some(Some(recorded)) => hash_file(path, buf).as_deref() == Some(recorded.as_str()),
            None => false,
        };
        let kept = Some(meta.permissions());
        if ours {
            return Ok((State::Write, kept));
        }
        if place.force {
            return Ok((State::Forced, kept));
        }
        return Err(if place.recorded.contains_key(rel) {
            Why::Changed
        } else {
            Why::NotOurs
        });
    }
    // A symbolic link (replaced by the file, its target untouched), a FIFO…
    if place.force {
        Ok((State::Forced, None))
    } else {
        Err(Why::NotRegular)
    }
}

/// Writes `bytes` to a new temporary file next to `path`, with the mode `kept`
/// (or the default); returns its path.
fn stage_file(
    path: &Path,
    bytes: &[u8],
    kept: Option<std::fs::Permissions>,
) -> std::io::Result<PathBuf> {
    use std::io::Write;
    let (tmp, mut file) = fsutil::create_temp(path)?;
    let result = (|| {
        file.write_all(bytes)?;
        if let Some(p) = kept {
            file.set_permissions(p)?;
        }
        Ok(())
    })();
    drop(file);
    match result {
        Ok(()) => Ok(tmp),
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// Whether the regular file at `path` holds exactly `bytes`; read in chunks
/// into `buf`, so comparing a large output costs no allocation.
fn same_bytes(path: &Path, meta: &std::fs::Metadata, bytes: &[u8], buf: &mut Vec<u8>) -> bool {
    use std::io::Read;
    const CHUNK: usize = 256 * 1024;
    if !meta.is_file() || meta.len() != bytes.len() as u64 {
        return false;
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

/// Removes the file of an earlier build at `rel`, if it is safe to: returns
/// whether it was removed (`false`: it is gone already), or why it is kept.
fn remove_stale(
    root: &Path,
    shown: &Path,
    rel: &str,
    hash: Option<&str>,
    inputs: &HashSet<FileKey>,
) -> Result<bool, String> {
    let lower = rel.to_ascii_lowercase();
    if lower.ends_with(".events") {
        return Err("eventsc never removes `.events` files".into());
    }
    // Every directory on the way must be a real one: a link could lead
    // outside the output directory.
    let mut dir = root.to_path_buf();
    let mut named = shown.to_path_buf();
    let parts: Vec<&str> = rel.split('/').collect();
    for part in &parts[..parts.len() - 1] {
        dir.push(part);
        named.push(part);
        match std::fs::symlink_metadata(&dir) {
            Ok(m) if m.is_dir() => {}
            Ok(m) if m.file_type().is_symlink() => {
                return Err(format!(
                    "`{}` is a symbolic link (eventsc removes nothing through one)",
                    named.display()
                ));
            }
            _ => return Ok(false),
        }
    }
    let path = root.join(rel);
    let meta = match std::fs::symlink_metadata(&path) {
        Ok(m) => m,
        Err(_) => return Ok(false),
    };
    if !meta.is_file() {
        return Err("not a regular file any more".into());
    }
    if file_key(&path, &meta).is_some_and(|k| inputs.contains(&k)) {
        return Err("an input of this build".into());
    }
    let Some(hash) = hash else {
        return Err("the manifest (of an older eventsc) has no hash of it".into());
    };
    let mut buf = Vec::new();
    if hash_file(&path, &mut buf).as_deref() != Some(hash) {
        return Err("it changed since eventsc wrote it".into());
    }
    std::fs::remove_file(&path)
        .map(|()| true)
        .map_err(|e| format!("cannot remove it: {e}"))
}

/// Removes temporary files of eventsc in the relative directory `dir` whose
/// process is gone (checked through `/proc` where there is one; elsewhere,
/// ones older than an hour). Returns their relative paths.
fn remove_stale_temporaries(root: &Path, dir: &str) -> Vec<String> {
    let mut removed = Vec::new();
    let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
        return removed;
    };
    let me = std::process::id();
    let proc_fs = Path::new("/proc/self").exists();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(fsutil::temp_name_pid) else {
            continue;
        };
        let Ok(meta) = entry.metadata() else { continue };
        if pid == me || !meta.is_file() {
            continue;
        }
        let gone = if proc_fs {
            !Path::new("/proc").join(pid.to_string()).exists()
        } else {
            meta.modified()
                .ok()
                .and_then(|m| m.elapsed().ok())
                .is_some_and(|age| age.as_secs() > 3600)
        };
        if gone && std::fs::remove_file(entry.path()).is_ok() {
            let name = name.to_string_lossy();
            removed.push(if dir.is_empty() {
                name.into_owned()
            } else {
                format!("{dir}/{name}")
            });
        }
    }
    removed.sort();
    removed
}

/// The previous manifest's entries (empty when there is none); an unreadable
/// one is reported and treated as empty.
fn read_manifest(path: &Path, shown: &Path, warnings: &mut Vec<String>) -> Manifest {
    let mut out = BTreeMap::new();
    let shown = shown.join(MANIFEST);
    let bytes = match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return out,
        Ok(m) if !m.is_file() => {
            warnings.push(format!(
                "`{}` is not a regular file: it is not read, and files of earlier builds are not removed",
                shown.display()
            ));
            return out;
        }
        _ => match crate::load::read_source(path) {
            Ok(b) => b,
            Err(e) => {
                warnings.push(format!("{e}: files of earlier builds are not removed"));
                return out;
            }
        },
    };
    let targets = serde_json::from_slice::<Value>(&bytes)
        .ok()
        .and_then(|v| v.get("targets").and_then(Value::as_object).cloned());
    let Some(targets) = targets else {
        warnings.push(format!(
            "`{}` is not an eventsc manifest: it is replaced, and files of earlier builds are not removed",
            shown.display()
        ));
        return out;
    };
    let usable = |p: &str| is_safe_relative(p) && p != MANIFEST && p != LOCK;
    let is_hash = |h: &str| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit());
    for (target, files) in targets {
        let files: BTreeMap<String, Option<String>> = match files {
            // This version: path → hash.
            Value::Object(map) => map
                .into_iter()
                .filter(|(p, _)| usable(p))
                .filter_map(|(p, h)| match h {
                    Value::String(h) if is_hash(&h) => Some((p, Some(h.to_ascii_lowercase()))),
                    // No hash known: listed, never removed.
                    Value::Null => Some((p, None)),
                    _ => None,
                })
                .collect(),
            // An older eventsc: a list of paths.
            Value::Array(list) => list
                .iter()
                .filter_map(Value::as_str)
                .filter(|p| usable(p))
                .map(|p| (p.to_string(), None))
                .collect(),
            _ => BTreeMap::new(),
        };
        out.insert(target, files);
    }
    out
}

/// Writes the manifest (unless it already holds these bytes).
fn write_manifest(path: &Path, manifest: &Manifest, shown: &Path) -> Result<(), WriteError> {
    let targets: Map<String, Value> = manifest
        .iter()
        .map(|(t, files)| {
            let files: Map<String, Value> = files
                .iter()
                .map(|(p, h)| (p.clone(), h.clone().map_or(Value::Null, Value::String)))
                .collect();
            (t.clone(), Value::Object(files))
        })
        .collect();
    let text = text::json_pretty(&json!({
        "generator": "eventsc",
        "version": 2,
        "targets": targets,
    }));
    let mut buf = Vec::new();
    let same = std::fs::symlink_metadata(path)
        .is_ok_and(|m| same_bytes(path, &m, text.as_bytes(), &mut buf));
    if same {
        return Ok(());
    }
    fsutil::write_atomic(path, text.as_bytes()).map_err(|e| WriteError::Io(shown.join(MANIFEST), e))
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
