//! Which plan a command reads: the paths named, or with none, the plan the
//! current directory is in (see [`crate::project`]), like cargo.

use crate::project::{self, Manifest, Root};
use std::path::{Component, Path, PathBuf};

/// A plan to read: its files (as the user would name them: relative to the
/// current directory when below it) and where it came from.
pub(crate) struct Plan {
    /// `None`: the paths named on the command line.
    pub root: Option<Root>,
    pub manifest: Option<Manifest>,
    pub paths: Vec<PathBuf>,
}

impl Plan {
    /// How the plan is named in a summary: `plan examples/shop`.
    pub(crate) fn label(&self) -> Option<String> {
        let root = self.root.as_ref()?;
        let cwd = std::env::current_dir().ok()?;
        let shown = relative(root.path(), &cwd);
        let shown = if shown.as_os_str().is_empty() {
            ".".to_string()
        } else {
            shown.display().to_string()
        };
        Some(match root {
            Root::Manifest(_) => format!("{shown}/{}", project::MANIFEST),
            _ => shown,
        })
    }
}

/// The plans named by `paths`: a single directory holding an `eventsc.toml`
/// is that manifest's plan; other paths are read as given (one plan). With no
/// path, the plan of the current directory (the nearest `eventsc.toml`, or
/// directory with exactly one file declaring `plan`, at or above it); when it
/// is in none and `every` is set, every plan below it, each on its own.
pub(crate) fn select(paths: &[PathBuf], every: bool) -> Result<Vec<Plan>, String> {
    let cwd =
        std::env::current_dir().map_err(|e| format!("cannot read the current directory: {e}"))?;
    let roots = match paths {
        [] => match project::root_at(&cwd) {
            Some(root) => vec![root],
            None if every => {
                let all = project::plans_below(&cwd);
                if all.is_empty() {
                    return Err(format!(
                        "no `.events` files in `{}` or below, and no plan above it",
                        cwd.display()
                    ));
                }
                all
            }
            None => return Err(no_plan_here(&cwd)),
        },
        [dir] if dir.join(project::MANIFEST).is_file() => {
            vec![Root::Manifest(
                std::path::absolute(dir).unwrap_or(dir.clone()),
            )]
        }
        _ => {
            return Ok(vec![Plan {
                root: None,
                manifest: None,
                paths: paths.to_vec(),
            }]);
        }
    };
    roots
        .into_iter()
        .map(|root| {
            // Loaded by its name from here, so that its errors read so.
            let manifest = match &root {
                Root::Manifest(d) => {
                    Some(Manifest::load(&relative(d, &cwd).join(project::MANIFEST))?)
                }
                _ => None,
            };
            let paths = project::files_of(&root)?
                .iter()
                .map(|f| relative(f, &cwd))
                .collect();
            Ok(Plan {
                root: Some(root),
                manifest,
                paths,
            })
        })
        .collect()
}

fn no_plan_here(cwd: &Path) -> String {
    format!(
        "`{}` is in no plan: no `{}` in it or above it, and no directory at or above it where exactly one `.events` file declares `plan`\n  name the plan's files or directory, or write an `{}` at the plan's root (`eventsc init` writes one)",
        cwd.display(),
        project::MANIFEST,
        project::MANIFEST
    )
}

/// `path` relative to `base` when both are absolute (`../x` when it is beside
/// it), else `path` as it is.
pub(crate) fn relative(path: &Path, base: &Path) -> PathBuf {
    if !path.is_absolute() || !base.is_absolute() {
        return path.to_path_buf();
    }
    let p: Vec<Component> = path.components().collect();
    let b: Vec<Component> = base.components().collect();
    let common = p.iter().zip(&b).take_while(|(x, y)| x == y).count();
    if common == 0 {
        return path.to_path_buf();
    }
    let mut out = PathBuf::new();
    for _ in common..b.len() {
        out.push("..");
    }
    for c in &p[common..] {
        out.push(c.as_os_str());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::relative;
    use std::path::Path;

    #[test]
    fn relative_paths() {
        assert_eq!(
            relative(Path::new("/a/b/c.events"), Path::new("/a")),
            Path::new("b/c.events")
        );
        assert_eq!(
            relative(Path::new("/a/b"), Path::new("/a/b")),
            Path::new("")
        );
        assert_eq!(
            relative(Path::new("/a/x.events"), Path::new("/a/b/c")),
            Path::new("../../x.events")
        );
        assert_eq!(
            relative(Path::new("x.events"), Path::new("/a")),
            Path::new("x.events")
        );
    }
}
