//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod run;
pub mod targets;

use eventsc::check::{Checked, check};
use eventsc::diagnostics::render::{render_human, render_short};
use eventsc::source::SourceMap;
use std::path::{Path, PathBuf};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Path relative to the crate root, with `/` separators (stable in snapshots).
pub fn rel(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// Loads files (or the `.events` files under a directory) with names relative to
/// the crate root, and checks them.
pub fn check_paths(paths: &[PathBuf]) -> (SourceMap, Checked) {
    let files = eventsc::load::expand(paths).expect("fixture paths exist");
    let mut sources = SourceMap::new();
    let mut pre = Vec::new();
    for f in files {
        let bytes = std::fs::read(&f).expect("fixture is readable");
        let (file, diag) = eventsc::load::decode(rel(&f), Some(f.clone()), bytes);
        let id = sources.add(file);
        if let Some(d) = diag {
            pre.push(d(id));
        }
    }
    let checked = check(&sources, pre);
    (sources, checked)
}

/// The short and human renderings, as snapshotted.
pub fn render_both(sources: &SourceMap, checked: &Checked) -> String {
    let short = render_short(&checked.diagnostics, sources);
    let human = render_human(&checked.diagnostics, sources, false);
    format!("--- short\n{short}--- human\n{human}")
}

/// Every `.events` file below a directory, sorted.
pub fn events_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    fn walk(d: &Path, out: &mut Vec<PathBuf>) {
        let Ok(rd) = std::fs::read_dir(d) else { return };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "events") {
                out.push(p);
            }
        }
    }
    walk(dir, &mut out);
    out.sort();
    out
}
