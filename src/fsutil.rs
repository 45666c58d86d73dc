//! Atomic file writes: a temporary file in the same directory, then a rename, so
//! a reader never sees half a file and a failed write leaves the old one intact.
//!
//! [`write_atomic`] does not fsync: build outputs can be regenerated, and syncing
//! every one of 20,000 files costs seconds. [`write_durable`] also syncs the file
//! and its directory, for what must survive a crash (audit records).

use std::io::Write;
use std::path::Path;

fn dir_of(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

fn write(path: &Path, bytes: &[u8], durable: bool) -> std::io::Result<()> {
    let dir = dir_of(path);
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".eventsc-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    if durable {
        tmp.as_file().sync_all()?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    if durable {
        std::fs::File::open(dir)?.sync_all()?;
    }
    Ok(())
}

/// Writes `bytes` to `path` atomically (temp file + rename).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write(path, bytes, false)
}

/// Like [`write_atomic`], and the data is on disk when it returns.
pub fn write_durable(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write(path, bytes, true)
}
