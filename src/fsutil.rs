//! Atomic file writes: a temporary file in the same directory, then a rename, so
//! a reader never sees half a file and a failed write leaves the old one intact.
//!
//! A file that is replaced keeps its permissions (`eventsc fmt` must not change
//! a plan's mode); a new file gets the default ones (`0666` less the umask), like
//! any file a compiler writes.
//!
//! [`write_atomic`] does not fsync: build outputs can be regenerated, and syncing
//! every one of 20,000 files costs seconds. [`create_durable`] writes a file that
//! must not exist yet and must survive a crash (audit records): it syncs the file
//! and its directory, and never replaces anything.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

fn dir_of(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// This process's id (asked once: a build may write 20,000 files).
fn pid() -> u32 {
    static PID: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    *PID.get_or_init(std::process::id)
}

/// A fresh temporary file next to `path`: `.<name>.<pid>-<n>.eventsc-tmp`.
fn create_temp(path: &Path) -> std::io::Result<(PathBuf, std::fs::File)> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    // Shortened, so the temporary name stays within the file system's limit.
    let name: String = path
        .file_name()
        .map(|n| n.to_string_lossy().chars().take(64).collect())
        .unwrap_or_default();
    let dir = dir_of(path);
    loop {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let tmp = dir.join(format!(".{name}.{}-{n}.eventsc-tmp", pid()));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
        {
            Ok(f) => return Ok((tmp, f)),
            // Left over by a process with the same id that was killed.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < 1_000_000 => {}
            Err(e) => return Err(e),
        }
    }
}

/// Creates `dir` and its parents; when a file stands in the way, says which (the
/// system's own message, "File exists", does not).
fn make_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| match dir.ancestors().find(|a| a.is_file()) {
        Some(file) => std::io::Error::new(
            e.kind(),
            format!("`{}` is a file, not a directory", file.display()),
        ),
        None => e,
    })
}

/// The permissions of the file at `path`, to keep when it is replaced.
fn permissions_to_keep(path: &Path) -> Option<std::fs::Permissions> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => Some(m.permissions()),
        _ => None,
    }
}

/// Writes `bytes` to a temporary file with the permissions `kept` (or the
/// default), renamed to `path`.
fn write_with(
    path: &Path,
    bytes: &[u8],
    kept: Option<std::fs::Permissions>,
) -> std::io::Result<()> {
    let (tmp, mut file) = create_temp(path)?;
    let result = (|| {
        file.write_all(bytes)?;
        if let Some(p) = kept {
            file.set_permissions(p)?;
        }
        drop(file);
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Writes `bytes` to `path` atomically (temp file + rename), creating its
/// directory when missing.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    make_dir(dir_of(path))?;
    write_with(path, bytes, permissions_to_keep(path))
}

/// Writes a new file at `path`, complete or not at all, and on disk when it
/// returns. Fails with [`std::io::ErrorKind::AlreadyExists`] when `path` exists,
/// which is then left untouched (the temporary file is hard-linked to its name,
/// which never replaces, then removed).
pub fn create_durable(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = dir_of(path);
    make_dir(dir)?;
    let (tmp, mut file) = create_temp(path)?;
    let result = (|| {
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        std::fs::hard_link(&tmp, path)
    })();
    let _ = std::fs::remove_file(&tmp);
    result?;
    std::fs::File::open(dir)?.sync_all()
}

/// [`write_atomic`] for many files: each directory is created once, and in a
/// directory this writer created, no file is looked for (none was there: a cold
/// build writes 20,000 files, and each look is a system call).
#[derive(Default)]
pub struct AtomicWriter {
    /// Directories seen, and whether this writer created them.
    made: std::collections::HashMap<PathBuf, bool>,
}

impl AtomicWriter {
    pub fn write(&mut self, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
        let dir = dir_of(path);
        let created = match self.made.get(dir) {
            Some(&created) => created,
            None => {
                let created = !dir.exists();
                make_dir(dir)?;
                self.made.insert(dir.to_path_buf(), created);
                created
            }
        };
        let kept = if created {
            None
        } else {
            permissions_to_keep(path)
        };
        write_with(path, bytes, kept)
    }

    /// Whether `path` is in a directory this writer created (so nothing was
    /// there before it).
    pub fn is_new(&self, path: &Path) -> bool {
        self.made.get(dir_of(path)).copied().unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_atomically_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b/out.json");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        let mut w = AtomicWriter::default();
        w.write(&dir.path().join("a/c.txt"), b"three").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        let names: Vec<_> = std::fs::read_dir(dir.path().join("a/b"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["out.json"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_writer_looks_for_existing_files_only_in_directories_it_did_not_create() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let old = dir.path().join("old/kept.json");
        std::fs::create_dir(dir.path().join("old")).unwrap();
        std::fs::write(&old, "old").unwrap();
        std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o640)).unwrap();
        let mut w = AtomicWriter::default();
        w.write(&old, b"new").unwrap();
        assert!(!w.is_new(&old));
        assert_eq!(std::fs::read(&old).unwrap(), b"new");
        let mode = std::fs::metadata(&old).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640, "the replaced file's mode is kept");
        let fresh = dir.path().join("new/deeper/a.json");
        assert!(!w.is_new(&fresh), "not created yet");
        w.write(&fresh, b"a").unwrap();
        assert!(w.is_new(&dir.path().join("new/deeper/b.json")));
        assert!(!w.is_new(&dir.path().join("elsewhere/c.json")));
    }

    #[test]
    fn create_durable_never_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("records/1.0.0.json");
        create_durable(&path, b"first").unwrap();
        let err = create_durable(&path, b"second").unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read(&path).unwrap(), b"first");
        let names: Vec<_> = std::fs::read_dir(dir.path().join("records"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["1.0.0.json"]);
    }

    #[cfg(unix)]
    #[test]
    fn keeps_the_mode_of_a_replaced_file_and_gives_new_ones_the_default() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let plan = dir.path().join("plan.events");
        std::fs::write(&plan, "old").unwrap();
        std::fs::set_permissions(&plan, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_atomic(&plan, b"new").unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&plan), 0o640);
        // A new file: what `std::fs::write` gives (0666 less the umask), not 0600.
        let reference = dir.path().join("reference");
        std::fs::write(&reference, "x").unwrap();
        let fresh = dir.path().join("fresh");
        write_atomic(&fresh, b"x").unwrap();
        assert_eq!(mode(&fresh), mode(&reference));
    }
}
