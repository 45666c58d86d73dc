//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod run;
pub mod targets;
pub mod tools;

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

/// Every plan under `examples/`: its directories and its top-level `.events`
/// files, in name order.
pub fn example_plans() -> Vec<PathBuf> {
    let mut plans: Vec<PathBuf> = std::fs::read_dir(root().join("examples"))
        .expect("examples/ exists")
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            if p.is_dir() {
                holds_a_plan(p)
            } else {
                p.extension().is_some_and(|x| x == "events")
            }
        })
        .collect();
    plans.sort();
    plans
}

/// A folder of `examples/` is a plan when it or a folder in it (not
/// `node_modules`) holds `.events` files; the others are how-tos that use
/// the plans (`examples/frontend-qa` QAs `examples/ecommerce`).
fn holds_a_plan(dir: &Path) -> bool {
    let events = |d: &Path| {
        std::fs::read_dir(d)
            .into_iter()
            .flatten()
            .flatten()
            .any(|e| e.path().extension().is_some_and(|x| x == "events"))
    };
    events(dir)
        || std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .any(|p| p.is_dir() && !p.ends_with("node_modules") && events(&p))
}

/// A plan's name for snapshots: its file or directory name without extension.
pub fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The plans every target is tested on, with a stable name: the full example of
/// the language reference, a plan split over several files, the targets' edge
/// cases, and every plan under `examples/` (a directory or a single `.events` file).
pub fn plans() -> Vec<(String, PathBuf)> {
    let mut out = vec![
        (
            "spec-full-example".to_string(),
            root().join("tests/fixtures/spec/full-example.events"),
        ),
        (
            "multi-split-plan".to_string(),
            root().join("tests/fixtures/multi/split-plan"),
        ),
        (
            "targets-edge-cases".to_string(),
            root().join("tests/fixtures/targets/edge-cases.events"),
        ),
        (
            "targets-issue-14".to_string(),
            root().join("tests/fixtures/targets/issue-14.events"),
        ),
        (
            "targets-every-construct".to_string(),
            root().join("tests/fixtures/targets/every-construct.events"),
        ),
    ];
    for p in example_plans() {
        out.push((format!("examples-{}", stem(&p)), p));
    }
    out
}

/// The Python of the test virtualenv (`scripts/setup.sh` creates it).
pub fn venv_python() -> PathBuf {
    tools::require(tools::Tool::Python)
}

/// xorshift64*: a fixed-seed generator, so CI runs the same cases every time.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    /// True `percent` times in a hundred.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}
