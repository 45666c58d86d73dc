//! Atomic file writes: a temporary file in the same directory, then a rename, so
//! a reader never sees half a file and a failed write leaves the old one intact.
//!
//! A file that is replaced keeps its permissions (`eventsc fmt` must not change
//! a plan's mode); a new file gets the default ones (`0666` less the umask), like
//! any file a compiler writes.
//!
//! [`write_atomic`] does not fsync: build outputs can be regenerated, and syncing
//! every one of 20,000 files costs seconds. `create_durable` writes a file that
//! must not exist yet and must survive a crash (audit records): it syncs the file
//! and its directory, and never replaces anything.
//!
//! Public only for the integration tests (tests/it): atomic writes.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

pub(crate) fn dir_of(path: &Path) -> &Path {
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

/// The end of every temporary file's name.
pub(crate) const TEMP_SUFFIX: &str = ".eventsc-tmp";

/// The process id in a name [`create_temp`] makes (`.<name>.<pid>-<n>.eventsc-tmp`),
/// or `None` for any other name: only files of exactly this shape are ever
/// cleaned up as stale temporary files.
pub(crate) fn temp_name_pid(name: &str) -> Option<u32> {
    let rest = name.strip_prefix('.')?.strip_suffix(TEMP_SUFFIX)?;
    let (stem, id) = rest.rsplit_once('.')?;
    let (pid, n) = id.split_once('-')?;
    let digits = |s: &str| !s.is_empty() && s.len() <= 20 && s.bytes().all(|b| b.is_ascii_digit());
    if stem.is_empty() || stem.chars().count() > 64 || !digits(pid) || !digits(n) {
        return None;
    }
    pid.parse().ok()
}

/// A fresh temporary file next to `path`: `.<name>.<pid>-<n>.eventsc-tmp`.
pub(crate) fn create_temp(path: &Path) -> std::io::Result<(PathBuf, std::fs::File)> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    // Shortened, so the temporary name stays within the file system's limit.
    let name: String = path
        .file_name()
        .map(|n| n.to_string_lossy().chars().take(64).collect())
        .unwrap_or_default();
    let dir = dir_of(path);
    loop {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let tmp = dir.join(format!(".{name}.{}-{n}{TEMP_SUFFIX}", pid()));
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
pub(crate) fn make_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| match dir.ancestors().find(|a| a.is_file()) {
        Some(file) => std::io::Error::new(
            e.kind(),
            format!("`{}` is a file, not a directory", file.display()),
        ),
        None => e,
    })
}

/// The permissions of the file at `path`, to keep when it is replaced.
pub(crate) fn permissions_to_keep(path: &Path) -> Option<std::fs::Permissions> {
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
pub(crate) fn create_durable(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
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

/// Why a file named on the command line (`--out FILE`, `--report FILE`) was
/// not written. Each message names the file, and the flag when one would help.
#[derive(Debug)]
pub(crate) enum OutputError {
    /// The file exists and `--force` was not given.
    Exists(PathBuf),
    /// The file is one of the command's own inputs (even `--force` does not
    /// replace it).
    IsInput(PathBuf),
    IsDir(PathBuf),
    /// The file exists and is read-only.
    ReadOnly(PathBuf),
    Io(PathBuf, std::io::Error),
}

impl std::fmt::Display for OutputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OutputError::Exists(p) => write!(
                f,
                "`{}` already exists: pass --force to overwrite it, or write to another file",
                p.display()
            ),
            OutputError::IsInput(p) => write!(
                f,
                "`{}` is an input of this command; it is never overwritten (write to another file)",
                p.display()
            ),
            OutputError::IsDir(p) => {
                write!(f, "`{}` is a directory; name a file instead", p.display())
            }
            OutputError::ReadOnly(p) => write!(
                f,
                "`{}` is read-only; it is not overwritten (make it writable first)",
                p.display()
            ),
            OutputError::Io(p, e) => write!(f, "cannot write `{}`: {e}", p.display()),
        }
    }
}

impl std::error::Error for OutputError {}

/// Whether two paths name the same file (the same inode on Unix, so a hard
/// link or a symbolic link to it counts).
pub(crate) fn same_file(a: &Path, b: &Path) -> bool {
    let (Ok(ma), Ok(mb)) = (std::fs::metadata(a), std::fs::metadata(b)) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        ma.dev() == mb.dev() && ma.ino() == mb.ino()
    }
    #[cfg(not(unix))]
    {
        let _ = (ma, mb);
        matches!(
            (std::fs::canonicalize(a), std::fs::canonicalize(b)),
            (Ok(x), Ok(y)) if x == y
        )
    }
}

/// Where [`write_output_file`] will put the bytes.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum OutputPlace {
    /// A new file, or a regular file replaced atomically (through symbolic
    /// links: the link's target is replaced, the link kept).
    Replace(PathBuf),
    /// Something that is not a regular file (`/dev/stdout`, a FIFO): written in
    /// place, as `cat > FILE` would.
    Stream(PathBuf),
}

/// Checks that a file named on the command line may be written, before any
/// work is done: it must not be a directory nor one of `inputs`; an existing
/// regular file is only replaced with `force` (and never when read-only). A
/// device or FIFO (`/dev/stdout`) is written in place and needs no `force`.
///
/// Every command that writes a file the user names goes through this (and
/// [`write_output_file`]), so "never overwrite without `--force`" holds in one
/// place.
pub(crate) fn check_output_file(
    path: &Path,
    force: bool,
    inputs: &[&Path],
) -> Result<OutputPlace, OutputError> {
    let owned = || path.to_path_buf();
    if inputs.iter().any(|i| same_file(i, path)) {
        return Err(OutputError::IsInput(owned()));
    }
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(OutputPlace::Replace(owned()));
        }
        Err(e) => return Err(OutputError::Io(owned(), e)),
    };
    if meta.is_dir() {
        return Err(OutputError::IsDir(owned()));
    }
    if !meta.is_file() {
        return Ok(OutputPlace::Stream(owned()));
    }
    if !force {
        return Err(OutputError::Exists(owned()));
    }
    if meta.permissions().readonly() {
        return Err(OutputError::ReadOnly(owned()));
    }
    // Through symbolic links: the real file is replaced, the link stays one.
    let real = std::fs::canonicalize(path).map_err(|e| OutputError::Io(owned(), e))?;
    Ok(OutputPlace::Replace(real))
}

/// Writes a file named on the command line after [`check_output_file`]:
/// atomically (a reader never sees half of it), keeping the mode of a file it
/// replaces.
pub(crate) fn write_output_file(
    path: &Path,
    bytes: &[u8],
    force: bool,
    inputs: &[&Path],
) -> Result<(), OutputError> {
    match check_output_file(path, force, inputs)? {
        OutputPlace::Replace(real) => {
            write_atomic(&real, bytes).map_err(|e| OutputError::Io(path.to_path_buf(), e))
        }
        OutputPlace::Stream(p) => std::fs::OpenOptions::new()
            .write(true)
            .open(&p)
            .and_then(|mut f| f.write_all(bytes))
            .map_err(|e| OutputError::Io(path.to_path_buf(), e)),
    }
}

/// Replaces the contents of an existing file the user owns (`eventsc fmt`):
/// through a symbolic link the real file is rewritten (the link stays one);
/// its mode is kept; a file with other hard links is rewritten in place, so
/// every link sees the new text (its old bytes are first saved, synced, in a
/// temporary file next to it, removed once the new ones are on disk); a
/// read-only file is refused.
pub(crate) fn rewrite_file(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    let owned = || path.to_path_buf();
    let real = std::fs::canonicalize(path).map_err(|e| OutputError::Io(owned(), e))?;
    let meta = std::fs::metadata(&real).map_err(|e| OutputError::Io(owned(), e))?;
    if meta.permissions().readonly() {
        return Err(OutputError::ReadOnly(owned()));
    }
    #[cfg(unix)]
    let linked = {
        use std::os::unix::fs::MetadataExt;
        meta.nlink() > 1
    };
    #[cfg(not(unix))]
    let linked = false;
    if !linked {
        return write_atomic(&real, bytes).map_err(|e| OutputError::Io(owned(), e));
    }
    let in_place = || -> std::io::Result<()> {
        let old = std::fs::read(&real)?;
        let (backup, mut file) = create_temp(&real)?;
        let saved = file.write_all(&old).and_then(|()| file.sync_all());
        drop(file);
        if let Err(e) = saved {
            let _ = std::fs::remove_file(&backup);
            return Err(e);
        }
        let mut target = std::fs::OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(&real)?;
        target.write_all(bytes)?;
        target.sync_all()?;
        std::fs::remove_file(&backup)
    };
    in_place().map_err(|e| OutputError::Io(owned(), e))
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
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        let names: Vec<_> = std::fs::read_dir(dir.path().join("a/b"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["out.json"]);
    }

    #[test]
    fn only_names_of_temporary_files_match_the_pattern() {
        let dir = tempfile::tempdir().unwrap();
        let (tmp, _) = create_temp(&dir.path().join("x".repeat(300))).unwrap();
        let name = tmp.file_name().unwrap().to_str().unwrap();
        assert_eq!(temp_name_pid(name), Some(std::process::id()));
        assert_eq!(temp_name_pid(".plan.json.12-3.eventsc-tmp"), Some(12));
        for other in [
            "plan.json.12-3.eventsc-tmp",
            ".plan.json.12-3.eventsc-tmp.bak",
            "..12-3.eventsc-tmp",
            ".plan.json.12.eventsc-tmp",
            ".plan.json.a-3.eventsc-tmp",
            ".plan.json.12-.eventsc-tmp",
            ".notes.eventsc-tmp",
        ] {
            assert_eq!(temp_name_pid(other), None, "{other}");
        }
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
