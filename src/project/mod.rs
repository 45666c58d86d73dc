//! Plan roots: which `.events` files make up a plan, the same for the command
//! line and the language server.
//!
//! - A directory holding an **`eventsc.toml`** is a plan root; the manifest
//!   ([`manifest`]) lists the plan's files (include and exclude globs, default
//!   every `.events` file below) and its build settings.
//! - Without a manifest, a directory is a plan root when **exactly one of its
//!   own `.events` files declares `plan`**. Where several of a directory's own
//!   files declare `plan`, each of them is a plan of its own (a file root).
//! - A file belongs to the **nearest root at or above it**: a nested root takes
//!   its own subtree. The search upward stops at a repository's root (a
//!   directory holding `.git`) and at the file system's root.
//! - A file with no root is analysed alone, with an information diagnostic
//!   saying so ([`alone_note`]).
//!
//! "Declares `plan`": a line that starts a top-level `plan` declaration (the
//! splitter's rule, [`crate::syntax::pieces::starts_decl`]).

pub(crate) mod manifest;

use crate::diagnostics::{Diagnostic, Severity};
use crate::source::{FileId, Span};
pub(crate) use manifest::Manifest;
use std::path::{Path, PathBuf};

/// The manifest's file name.
pub(crate) const MANIFEST: &str = "eventsc.toml";

/// Directories never searched for a plan's files.
const SKIPPED: &[&str] = &["node_modules", "target"];

/// The code of the information diagnostic of a file analysed alone.
pub(crate) const ALONE: &str = "plan-root";

/// A plan root.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Root {
    /// A directory with an `eventsc.toml`.
    Manifest(PathBuf),
    /// A directory exactly one of whose own files declares `plan`.
    Dir(PathBuf),
    /// A file declaring `plan` next to others that do too: a plan of its own.
    File(PathBuf),
    /// A file with no root: analysed alone. `excluded` names the manifest whose
    /// globs leave it out, if that is why.
    Alone {
        file: PathBuf,
        excluded: Option<PathBuf>,
    },
}

impl Root {
    /// A stable key naming the plan (the language server's group).
    pub(crate) fn key(&self) -> String {
        match self {
            Root::Manifest(d) => format!("manifest:{}", d.display()),
            Root::Dir(d) => format!("dir:{}", d.display()),
            Root::File(f) => format!("file:{}", f.display()),
            Root::Alone { file, .. } => format!("alone:{}", file.display()),
        }
    }

    /// The directory or file the plan is named after.
    pub(crate) fn path(&self) -> &Path {
        match self {
            Root::Manifest(p) | Root::Dir(p) | Root::File(p) => p,
            Root::Alone { file, .. } => file,
        }
    }
}

/// What a directory's own entries make of it.
enum DirKind {
    Manifest,
    /// Exactly one own `.events` file declares `plan`.
    Plan,
    /// These own files declare `plan` (two or more): each is a plan.
    Several(Vec<PathBuf>),
    None,
}

fn dir_kind(dir: &Path) -> DirKind {
    if dir.join(MANIFEST).is_file() {
        return DirKind::Manifest;
    }
    let mut plans: Vec<PathBuf> = own_events(dir)
        .into_iter()
        .filter(|f| declares_plan(f))
        .collect();
    match plans.len() {
        0 => DirKind::None,
        1 => DirKind::Plan,
        _ => {
            plans.sort();
            DirKind::Several(plans)
        }
    }
}

/// The `.events` files directly in a directory (hidden ones skipped), sorted.
fn own_events(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = entries(dir)
        .into_iter()
        .filter(|(p, is_dir)| !is_dir && p.extension().is_some_and(|e| e == "events"))
        .map(|(p, _)| p)
        .collect();
    out.sort();
    out
}

/// A directory's entries, with whether each is a directory: hidden ones
/// skipped, and the directories `node_modules` and `target` (dependencies and
/// build output); a symbolic link to a directory is not followed.
fn entries(dir: &Path) -> Vec<(PathBuf, bool)> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<(PathBuf, bool)> = rd
        .flatten()
        .filter_map(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            let is_dir = e.file_type().ok()?.is_dir();
            let skip = name.starts_with('.') || (is_dir && SKIPPED.contains(&name.as_ref()));
            (!skip).then(|| (e.path(), is_dir))
        })
        .collect();
    out.sort();
    out
}

/// Whether a file declares `plan`: a line that starts a top-level `plan`
/// declaration. Unreadable files do not.
pub(crate) fn declares_plan(path: &Path) -> bool {
    let Ok(bytes) = crate::load::read_source(path) else {
        return false;
    };
    text_declares_plan(&String::from_utf8_lossy(&bytes))
}

/// Whether a text declares `plan` (see [`declares_plan`]).
pub(crate) fn text_declares_plan(text: &str) -> bool {
    crate::syntax::pieces::decl_lines(text)
        .into_iter()
        .any(|at| text[at..].starts_with("plan"))
}

/// Whether the upward search stops after this directory.
fn is_boundary(dir: &Path) -> bool {
    dir.join(".git").exists()
}

/// The plan a file belongs to: the nearest root at or above it. A relative
/// path is taken from the current directory (the root's paths are absolute).
pub(crate) fn root_of_file(file: &Path) -> Root {
    let file = &std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf());
    let mut dir = file.parent();
    while let Some(d) = dir {
        match dir_kind(d) {
            DirKind::Manifest => {
                let root = d.to_path_buf();
                return match Manifest::load(&d.join(MANIFEST)) {
                    Ok(m) if !m.includes(file) => Root::Alone {
                        file: file.to_path_buf(),
                        excluded: Some(d.join(MANIFEST)),
                    },
                    // A manifest that does not load: the plan reports it.
                    _ => Root::Manifest(root),
                };
            }
            DirKind::Plan => return Root::Dir(d.to_path_buf()),
            DirKind::Several(plans) if plans.iter().any(|p| p == file) => {
                return Root::File(file.to_path_buf());
            }
            _ => {}
        }
        if is_boundary(d) {
            break;
        }
        dir = d.parent();
    }
    Root::Alone {
        file: file.to_path_buf(),
        excluded: None,
    }
}

/// The plan a directory is in (where `eventsc check` with no argument runs):
/// the nearest manifest or plan directory at or above it.
pub(crate) fn root_at(dir: &Path) -> Option<Root> {
    let dir = &std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    let mut at = Some(dir.as_path());
    while let Some(d) = at {
        match dir_kind(d) {
            DirKind::Manifest => return Some(Root::Manifest(d.to_path_buf())),
            DirKind::Plan => return Some(Root::Dir(d.to_path_buf())),
            _ => {}
        }
        if is_boundary(d) {
            break;
        }
        at = d.parent();
    }
    None
}

/// The files of a plan, sorted. For a directory root, every `.events` file
/// below it but those of nested roots (a manifest's globs filter them further);
/// a manifest that does not load is an error naming its file, line and column.
pub(crate) fn files_of(root: &Root) -> Result<Vec<PathBuf>, String> {
    match root {
        Root::File(f) | Root::Alone { file: f, .. } => Ok(vec![f.clone()]),
        Root::Dir(d) => {
            let mut out = Vec::new();
            below(d, &mut out);
            out.sort();
            Ok(out)
        }
        Root::Manifest(d) => {
            let manifest = Manifest::load(&d.join(MANIFEST))?;
            let mut out = Vec::new();
            below(d, &mut out);
            out.retain(|f| manifest.includes(f));
            out.sort();
            Ok(out)
        }
    }
}

/// The `.events` files of a root directory's plan: its own, and those of the
/// directories below that are not roots themselves (minus the files that are
/// plans of their own there).
fn below(root: &Path, out: &mut Vec<PathBuf>) {
    out.extend(own_events(root));
    for (sub, is_dir) in entries(root) {
        if is_dir {
            walk_member(&sub, out);
        }
    }
}

fn walk_member(dir: &Path, out: &mut Vec<PathBuf>) {
    match dir_kind(dir) {
        DirKind::Manifest | DirKind::Plan => return,
        DirKind::Several(plans) => {
            out.extend(own_events(dir).into_iter().filter(|f| !plans.contains(f)))
        }
        DirKind::None => out.extend(own_events(dir)),
    }
    for (sub, is_dir) in entries(dir) {
        if is_dir {
            walk_member(&sub, out);
        }
    }
}

/// Every plan below a directory that is in none (see [`root_at`]): its plan
/// roots (nested ones too), the files that are plans of their own, and the
/// files with no root, each alone; in path order.
pub(crate) fn plans_below(dir: &Path) -> Vec<Root> {
    let mut out = Vec::new();
    find_plans(dir, false, &mut out);
    out
}

/// `inside`: `dir` is below a root, whose plan holds the files in no nested one.
fn find_plans(dir: &Path, inside: bool, out: &mut Vec<Root>) {
    let mut inside = inside;
    match dir_kind(dir) {
        DirKind::Manifest => {
            out.push(Root::Manifest(dir.to_path_buf()));
            inside = true;
        }
        DirKind::Plan => {
            out.push(Root::Dir(dir.to_path_buf()));
            inside = true;
        }
        DirKind::Several(plans) => {
            for f in own_events(dir) {
                if plans.contains(&f) {
                    out.push(Root::File(f));
                } else if !inside {
                    out.push(Root::Alone {
                        file: f,
                        excluded: None,
                    });
                }
            }
        }
        DirKind::None if !inside => out.extend(own_events(dir).into_iter().map(|f| Root::Alone {
            file: f,
            excluded: None,
        })),
        DirKind::None => {}
    }
    for (sub, is_dir) in entries(dir) {
        if is_dir {
            find_plans(&sub, inside, out);
        }
    }
}

/// The information diagnostic of a file analysed alone (at its start).
pub(crate) fn alone_note(root: &Root, file: FileId) -> Option<Diagnostic> {
    let Root::Alone { excluded, .. } = root else {
        return None;
    };
    let message = match excluded {
        Some(m) => format!(
            "this file is left out of its plan by `{}`: it is checked alone",
            m.display()
        ),
        None => "this file belongs to no plan: it is checked alone".to_string(),
    };
    let help = match excluded {
        Some(_) => "add it to the manifest's `files`, or remove it from `exclude`".to_string(),
        None => format!(
            "a plan's root is a directory holding an `{MANIFEST}`, or one where exactly one `.events` file declares `plan`; none is at or above this file (docs/language.md#plans-and-roots)"
        ),
    };
    Some(
        Diagnostic::new(ALONE, Severity::Info, message)
            .primary(Span::new(file, 0, 0), "checked alone")
            .help(help),
    )
}
