//! Reading the files of a plan: paths, directories (every `.events` file below,
//! in sorted order) and `-` for standard input.
//!
//! Problems reading a path are [`LoadError`]s (usage/I-O, exit code 2). A file that
//! is read but is not UTF-8 becomes a diagnostic at the first bad byte.

use crate::diagnostics::{Diagnostic, codes};
use crate::source::{SourceFile, SourceMap, Span};
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

#[derive(Debug)]
pub enum LoadError {
    NotFound(PathBuf),
    Unreadable(PathBuf, std::io::Error),
    NoEventsFiles(PathBuf),
    NotEventsFile(PathBuf),
    /// A FIFO, device, socket or directory where a file was expected: reading
    /// it could block forever or never end.
    NotRegular(PathBuf, &'static str),
    /// Larger than `MAX_SOURCE_BYTES`.
    TooLarge(PathBuf),
}

/// The largest `.events` file (or standard input) read: 256 MiB, more than
/// twice a 100,000-event plan. A larger input is refused before it fills memory.
pub(crate) const MAX_SOURCE_BYTES: u64 = 256 * 1024 * 1024;

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::NotFound(p) => write!(f, "`{}` does not exist", p.display()),
            LoadError::Unreadable(p, e) => write!(f, "cannot read `{}`: {e}", p.display()),
            LoadError::NoEventsFiles(p) => write!(
                f,
                "no `.events` files in `{}` (searched it and every folder below)",
                p.display()
            ),
            LoadError::NotEventsFile(p) => write!(
                f,
                "`{}` is not a `.events` file (pass it anyway by naming a `.events` file or a directory)",
                p.display()
            ),
            LoadError::NotRegular(p, kind) => write!(
                f,
                "`{}` is {kind}, not a regular file: eventsc reads regular files only (pipe it through standard input with `-` instead)",
                p.display()
            ),
            LoadError::TooLarge(p) => write!(
                f,
                "`{}` is larger than {} MiB, the limit for one input file",
                p.display(),
                MAX_SOURCE_BYTES / (1024 * 1024)
            ),
        }
    }
}

/// What a file that is not a regular file is, for messages.
fn kind_of(meta: &std::fs::Metadata) -> &'static str {
    let ty = meta.file_type();
    if ty.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ty.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if ty.is_char_device() || ty.is_block_device() {
            return "a device";
        }
        if ty.is_socket() {
            return "a socket";
        }
    }
    "not a regular file"
}

/// Reads a plan file: a regular file (through symbolic links) of at most
/// [`MAX_SOURCE_BYTES`]. A FIFO or a device (a link to `/dev/zero`) is refused
/// before it is opened, so reading never blocks nor runs forever.
pub(crate) fn read_source(path: &Path) -> Result<Vec<u8>, LoadError> {
    let unreadable = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::NotFound => LoadError::NotFound(path.to_path_buf()),
        _ => LoadError::Unreadable(path.to_path_buf(), e),
    };
    let regular = |meta: &std::fs::Metadata| {
        if meta.is_file() {
            Ok(())
        } else {
            Err(LoadError::NotRegular(path.to_path_buf(), kind_of(meta)))
        }
    };
    regular(&std::fs::metadata(path).map_err(unreadable)?)?;
    let file = std::fs::File::open(path).map_err(unreadable)?;
    // Again on what was opened: the name may have been replaced meanwhile.
    let meta = file.metadata().map_err(unreadable)?;
    regular(&meta)?;
    if meta.len() > MAX_SOURCE_BYTES {
        return Err(LoadError::TooLarge(path.to_path_buf()));
    }
    read_bounded(file, path)
}

/// Reads standard input, at most [`MAX_SOURCE_BYTES`].
pub(crate) fn read_stdin() -> Result<Vec<u8>, LoadError> {
    read_bounded(std::io::stdin().lock(), Path::new("<stdin>"))
}

fn read_bounded(input: impl Read, path: &Path) -> Result<Vec<u8>, LoadError> {
    let mut buf = Vec::new();
    input
        .take(MAX_SOURCE_BYTES + 1)
        .read_to_end(&mut buf)
        .map_err(|e| LoadError::Unreadable(path.to_path_buf(), e))?;
    if buf.len() as u64 > MAX_SOURCE_BYTES {
        return Err(LoadError::TooLarge(path.to_path_buf()));
    }
    Ok(buf)
}

impl std::error::Error for LoadError {}

/// The files of a plan.
pub struct Loaded {
    pub sources: SourceMap,
    /// Files that could be read but not decoded (E0006).
    pub diagnostics: Vec<Diagnostic>,
}

/// Expands directories into the `.events` files below them, sorted by path.
pub fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>, LoadError> {
    let mut out = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            out.push(p.clone());
            continue;
        }
        let meta = std::fs::metadata(p).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => LoadError::NotFound(p.clone()),
            _ => LoadError::Unreadable(p.clone(), e),
        })?;
        if meta.is_dir() {
            let mut found = Vec::new();
            walk(p, &mut found)?;
            if found.is_empty() {
                return Err(LoadError::NoEventsFiles(p.clone()));
            }
            found.sort();
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    // The same file named twice (`dir` and `dir/a.events`, `./dir`) is read once.
    let mut seen = std::collections::HashSet::new();
    out.retain(|p| {
        p.as_os_str() == "-" || seen.insert(std::fs::canonicalize(p).unwrap_or_else(|_| p.clone()))
    });
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), LoadError> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| LoadError::Unreadable(dir.to_path_buf(), e))?;
    for entry in entries {
        let entry = entry.map_err(|e| LoadError::Unreadable(dir.to_path_buf(), e))?;
        let path = entry.path();
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let ty = entry
            .file_type()
            .map_err(|e| LoadError::Unreadable(path.clone(), e))?;
        if ty.is_dir() {
            walk(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "events") {
            out.push(path);
        }
    }
    Ok(())
}

/// Reads the given files and directories.
pub fn load(paths: &[PathBuf]) -> Result<Loaded, LoadError> {
    let mut sources = SourceMap::new();
    let mut diagnostics = Vec::new();
    for path in expand(paths)? {
        let (name, bytes) = if path.as_os_str() == "-" {
            ("<stdin>".to_string(), read_stdin()?)
        } else {
            (path.display().to_string(), read_source(&path)?)
        };
        let (file, diag) = decode(name, Some(path), bytes);
        let id = sources.add(file);
        if let Some(d) = diag {
            diagnostics.push(d(id));
        }
    }
    Ok(Loaded {
        sources,
        diagnostics,
    })
}

/// Decodes bytes as UTF-8; on failure keeps a lossy copy (so the error can be
/// shown in context) and reports the first invalid byte.
#[allow(clippy::type_complexity)]
pub fn decode(
    name: String,
    path: Option<PathBuf>,
    bytes: Vec<u8>,
) -> (
    SourceFile,
    Option<Box<dyn FnOnce(crate::source::FileId) -> Diagnostic>>,
) {
    match String::from_utf8(bytes) {
        Ok(text) => (SourceFile::new(name, path, text), None),
        Err(e) => {
            let offset = e.utf8_error().valid_up_to();
            let bad = e.as_bytes()[offset];
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let file = SourceFile::new(name, path, text);
            let diag = move |id| {
                Diagnostic::error(
                    codes::INVALID_UTF8,
                    format!("the file is not valid UTF-8: byte 0x{bad:02X} at offset {offset}"),
                )
                .primary(Span::new(id, offset, offset + 3), "invalid UTF-8 here")
                .help("save the file as UTF-8 (it may be Latin-1 or UTF-16)")
            };
            (file, Some(Box::new(diag)))
        }
    }
}
