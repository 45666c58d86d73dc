//! Golden outputs: the targets of [`GOLDEN`] on every plan (`common::plans()`),
//! compared byte for byte with the files under `tests/golden/<plan>/` (laid out
//! the way `eventsc build` lays out its output directory, without the manifest),
//! which are reviewed like code. `UPDATE_GOLDEN=1 cargo test --test it golden::`
//! rewrites them (and removes files those targets no longer produce); review the
//! diff. The other targets are insta snapshots (`tests/snapshots/targets/<name>/`,
//! tests/targets_*.rs); a test checks that every target is covered one way or
//! the other.

use crate::common;

use eventsc::targets::{Context, TARGETS, Target};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The targets whose outputs are golden files here.
const GOLDEN: &[&str] = &[
    "segment",
    "jsonschema",
    "dbt",
    "csv",
    "typescript",
    "python",
];

fn golden_targets() -> impl Iterator<Item = &'static &'static dyn Target> {
    TARGETS.iter().filter(|t| GOLDEN.contains(&t.name()))
}

fn files_below(dir: &Path) -> BTreeSet<String> {
    fn walk(base: &Path, d: &Path, out: &mut BTreeSet<String>) {
        let Ok(rd) = std::fs::read_dir(d) else { return };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(base, &p, out);
            } else if let Ok(rel) = p.strip_prefix(base) {
                out.insert(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(dir, dir, &mut out);
    out
}

#[test]
fn every_target_matches_its_golden_files() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut problems = Vec::new();
    let plans = common::plans();
    assert!(plans.len() >= 2);
    for (name, path) in &plans {
        let (sources, checked) = common::check_paths(std::slice::from_ref(path));
        let plan = checked
            .ok()
            .unwrap_or_else(|| panic!("{name} has errors: {:?}", checked.diagnostics));
        let cx = Context {
            plan,
            sources: &sources,
            warnings: &checked.diagnostics,
            options: Default::default(),
            plan_path: None,
        };
        let dir: PathBuf = common::root().join("tests/golden").join(name);
        let artifacts: Vec<_> = golden_targets().flat_map(|t| t.generate(&cx)).collect();
        let produced: BTreeSet<String> = artifacts.iter().map(|a| a.path.clone()).collect();
        if update {
            for stale in files_below(&dir).difference(&produced) {
                std::fs::remove_file(dir.join(stale)).expect("removes a stale golden file");
            }
            for a in &artifacts {
                let p = dir.join(&a.path);
                std::fs::create_dir_all(p.parent().expect("has a parent")).expect("mkdir");
                std::fs::write(&p, &a.bytes).expect("writes a golden file");
            }
            continue;
        }
        for a in &artifacts {
            let p = dir.join(&a.path);
            match std::fs::read(&p) {
                Ok(golden) if golden == a.bytes => {}
                Ok(_) => problems.push(format!("{} differs", common::rel(&p))),
                Err(_) => problems.push(format!("{} is missing", common::rel(&p))),
            }
        }
        for stale in files_below(&dir).difference(&produced) {
            problems.push(format!(
                "{} is no longer produced",
                common::rel(&dir.join(stale))
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "golden files out of date (rerun with UPDATE_GOLDEN=1 and review the diff):\n  {}",
        problems.join("\n  ")
    );
}

#[test]
fn every_target_has_golden_files_or_snapshots() {
    let snapshots = common::root().join("tests/snapshots/targets");
    let uncovered: Vec<&str> = TARGETS
        .iter()
        .map(|t| t.name())
        .filter(|n| !GOLDEN.contains(n) && !snapshots.join(n).is_dir())
        .collect();
    assert!(
        uncovered.is_empty(),
        "targets with neither golden files (add them to GOLDEN) nor snapshots under tests/snapshots/targets/<name>/: {uncovered:?}"
    );
}

#[test]
fn targets_give_the_same_bytes_every_time() {
    for (name, path) in common::plans() {
        let run = || {
            let (sources, checked) = common::check_paths(std::slice::from_ref(&path));
            let plan = checked.ok().expect("no errors").clone();
            let cx = Context {
                plan: &plan,
                sources: &sources,
                warnings: &[],
                options: Default::default(),
                plan_path: None,
            };
            TARGETS.iter().map(|t| t.generate(&cx)).collect::<Vec<_>>()
        };
        assert_eq!(run(), run(), "{name}");
    }
}
