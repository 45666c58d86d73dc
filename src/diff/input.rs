//! Reading one side of a diff: a file, a directory, or `REV:PATH` from git
//! (`origin/main:plans`), into a [`SourceMap`]. The caller runs the front end
//! on it without the governance rules (`check::Options::without_rules`: a diff
//! needs the plan's meaning, not its lint findings).

use crate::diagnostics::Diagnostic;
use crate::source::{SourceFile, SourceMap};
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Where one side of the diff comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Spec {
    /// A file or directory on disk (or `-`).
    Path(PathBuf),
    /// `REV:PATH`: a path in a git revision; the path is relative to the current
    /// directory, as `git ls-tree` takes it.
    Git { rev: String, path: String },
}

impl Spec {
    /// An argument that names an existing file or directory is a path; otherwise
    /// `REV:PATH` is read from git.
    pub(crate) fn parse(arg: &str) -> Spec {
        if arg == "-" || Path::new(arg).exists() {
            return Spec::Path(PathBuf::from(arg));
        }
        match arg.split_once(':') {
            Some((rev, path)) if !rev.is_empty() => Spec::Git {
                rev: rev.to_string(),
                path: path.to_string(),
            },
            _ => Spec::Path(PathBuf::from(arg)),
        }
    }
}

impl fmt::Display for Spec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Spec::Path(p) => write!(f, "{}", p.display()),
            Spec::Git { rev, path } => write!(f, "{rev}:{path}"),
        }
    }
}

/// A problem reading a side: one line, exit code 2.
#[derive(Debug)]
pub(crate) struct InputError(pub String);

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for InputError {}

/// The files of one side, and what identifies them (to refuse comparing a
/// thing with itself).
pub(crate) struct Loaded {
    pub sources: SourceMap,
    /// Files that could not be decoded (E0006).
    pub diagnostics: Vec<Diagnostic>,
    /// Canonical paths, or `commit:path` for git.
    pub identity: Vec<String>,
}

/// Reads one side.
pub(crate) fn load(spec: &Spec) -> Result<Loaded, InputError> {
    match spec {
        Spec::Path(p) => load_path(p),
        Spec::Git { rev, path } => load_git(rev, path),
    }
}

fn load_path(p: &Path) -> Result<Loaded, InputError> {
    let loaded = crate::load::load(std::slice::from_ref(&p.to_path_buf()))
        .map_err(|e| InputError(e.to_string()))?;
    let identity = loaded
        .sources
        .files()
        .map(|(_, f)| match &f.path {
            Some(path) if path.as_os_str() != "-" => std::fs::canonicalize(path)
                .unwrap_or_else(|_| path.clone())
                .display()
                .to_string(),
            _ => "<stdin>".to_string(),
        })
        .collect();
    Ok(Loaded {
        sources: loaded.sources,
        diagnostics: loaded.diagnostics,
        identity,
    })
}

/// Runs git; its stdout, or its first line of stderr as the error.
fn git(args: &[&str], stdin: Option<&[u8]>) -> Result<Vec<u8>, String> {
    let mut child = Command::new("git")
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run git: {e}"))?;
    // Feed stdin from a thread so that a large output cannot block the writer.
    let feeder = match (stdin, child.stdin.take()) {
        (Some(input), Some(mut pipe)) => {
            let input = input.to_vec();
            Some(std::thread::spawn(move || {
                let _ = pipe.write_all(&input);
            }))
        }
        _ => None,
    };
    let out = child
        .wait_with_output()
        .map_err(|e| format!("git failed: {e}"))?;
    if let Some(f) = feeder {
        let _ = f.join();
    }
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let line = err
            .lines()
            .map(|l| l.trim_start_matches("fatal: ").trim())
            .find(|l| !l.is_empty())
            .unwrap_or("git failed")
            .to_string();
        return Err(line);
    }
    Ok(out.stdout)
}

fn load_git(rev: &str, path: &str) -> Result<Loaded, InputError> {
    let what = format!("{rev}:{path}");
    let bad = |why: String| InputError(format!("cannot read `{what}` from git: {why}"));
    let commit = git(
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            "--end-of-options",
            &format!("{rev}^{{commit}}"),
        ],
        None,
    )
    .map_err(|e| {
        if e == "git failed" {
            bad(format!(
                "`{rev}` is not a commit, branch or tag of this repository"
            ))
        } else {
            bad(e)
        }
    })?;
    let commit = String::from_utf8_lossy(&commit).trim().to_string();
    if commit.is_empty() {
        return Err(bad(format!(
            "`{rev}` is not a commit, branch or tag of this repository"
        )));
    }
    let pathspec = if path.is_empty() { "." } else { path };
    let list = |recursive: bool| -> Result<Vec<(String, String, String)>, InputError> {
        let mut args = vec!["ls-tree", "-z", "--full-name"];
        if recursive {
            args.push("-r");
        }
        args.extend([commit.as_str(), "--", pathspec]);
        let listing = git(&args, None).map_err(bad)?;
        // `<mode> SP <type> SP <object> TAB <path>` NUL
        let mut entries = Vec::new();
        for entry in listing.split(|&b| b == 0).filter(|e| !e.is_empty()) {
            let entry = String::from_utf8_lossy(entry);
            let Some((meta, file)) = entry.split_once('\t') else {
                continue;
            };
            let mut parts = meta.split(' ');
            let (_, kind, object) = (parts.next(), parts.next(), parts.next());
            if let (Some(kind), Some(object)) = (kind, object) {
                entries.push((kind.to_string(), object.to_string(), file.to_string()));
            }
        }
        Ok(entries)
    };
    // A file named exactly is read whatever its extension (like `check`).
    let top = list(false)?;
    if top.is_empty() {
        return Err(bad(format!("`{pathspec}` does not exist in `{rev}`")));
    }
    let mut entries: Vec<(String, String)> = match top.as_slice() {
        [(kind, object, file)] if kind == "blob" => vec![(object.clone(), file.clone())],
        _ => list(true)?
            .into_iter()
            .filter(|(kind, _, file)| kind == "blob" && file.ends_with(".events"))
            .map(|(_, object, file)| (object, file))
            .collect(),
    };
    if entries.is_empty() {
        return Err(bad(format!(
            "no `.events` files in `{pathspec}` (searched it and every folder below)"
        )));
    }
    entries.sort_by(|a, b| a.1.cmp(&b.1));
    let request: String = entries.iter().map(|(o, _)| format!("{o}\n")).collect();
    let blobs = git(&["cat-file", "--batch"], Some(request.as_bytes())).map_err(bad)?;
    let mut sources = SourceMap::new();
    let mut diagnostics = Vec::new();
    let mut rest: &[u8] = &blobs;
    let mut identity = Vec::new();
    for (object, file) in &entries {
        // `<object> SP blob SP <size> LF <contents> LF`
        let header_end = rest
            .iter()
            .position(|&b| b == b'\n')
            .ok_or_else(|| bad("unexpected output of `git cat-file`".into()))?;
        let header = String::from_utf8_lossy(&rest[..header_end]).to_string();
        let size: usize = header
            .rsplit(' ')
            .next()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| bad(format!("unexpected output of `git cat-file`: {header}")))?;
        let start = header_end + 1;
        let bytes = rest
            .get(start..start + size)
            .ok_or_else(|| bad("truncated output of `git cat-file`".into()))?
            .to_vec();
        rest = rest.get(start + size + 1..).unwrap_or(&[]);
        let name = format!("{rev}:{file}");
        let (f, diag) = crate::load::decode(name, None, bytes);
        let id = sources.add(f);
        if let Some(d) = diag {
            diagnostics.push(d(id));
        }
        identity.push(format!("{commit}:{file}:{object}"));
    }
    Ok(Loaded {
        sources,
        diagnostics,
        identity,
    })
}

/// A source map of in-memory files (tests, audit records).
pub(crate) fn sources_of(files: &[(String, String)]) -> SourceMap {
    let mut sources = SourceMap::new();
    for (name, text) in files {
        sources.add(SourceFile::new(name.clone(), None, text.clone()));
    }
    sources
}
