//! The document targets (`spec`, `qa`): golden snapshots for every test plan and
//! example, determinism, and the Markdown structure (tables keep their column
//! count whatever the plan's text holds).

use crate::common::targets::*;

fn snapshot(target: &str) {
    for (name, path) in plans() {
        let artifacts = generate(target, &path);
        assert_eq!(
            artifacts,
            generate(target, &path),
            "{target} is not deterministic for {name}"
        );
        snapshot_settings(&format!("targets/{target}"))
            .bind(|| insta::assert_snapshot!(name.as_str(), render(&artifacts)));
        for a in &artifacts {
            check_tables(&name, &String::from_utf8_lossy(&a.bytes));
        }
    }
}

/// Counts the cells of a table row the way GFM does: split on `|` not escaped
/// by a backslash.
fn cells(row: &str) -> usize {
    let mut n: usize = 0;
    let mut escaped = false;
    for c in row.trim().chars() {
        match c {
            '\\' if !escaped => escaped = true,
            '|' if !escaped => n += 1,
            _ => escaped = false,
        }
        if c != '\\' {
            escaped = false;
        }
    }
    n.saturating_sub(1)
}

/// Every row of every table has as many cells as its header.
fn check_tables(name: &str, doc: &str) {
    let lines: Vec<&str> = doc.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].starts_with('|') {
            let width = cells(lines[i]);
            assert!(
                lines.get(i + 1).is_some_and(|l| l.starts_with("|---")),
                "{name}: table without a delimiter row at line {}",
                i + 1
            );
            while i < lines.len() && lines[i].starts_with('|') {
                assert_eq!(
                    cells(lines[i]),
                    width,
                    "{name}: line {} has a different number of cells: {}",
                    i + 1,
                    lines[i]
                );
                i += 1;
            }
        } else {
            i += 1;
        }
    }
}

#[test]
fn spec_snapshots() {
    snapshot("spec");
}

#[test]
fn qa_snapshots() {
    snapshot("qa");
}

#[test]
fn table_check_catches_a_broken_row() {
    let ok = "| a | b |\n|---|---|\n| x \\| y | z |\n";
    check_tables("ok", ok);
    let broken = "| a | b |\n|---|---|\n| x | y | z |\n";
    assert!(std::panic::catch_unwind(|| check_tables("broken", broken)).is_err());
}
