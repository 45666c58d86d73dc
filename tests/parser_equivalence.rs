//! The hand-written parser (`syntax::fast`) against the pest parser: on every
//! fixture and example, on formatted copies of them, and on thousands of small
//! mutations of them, the fast parser must either build exactly pest's AST (spans
//! included) or give up, and it must give up exactly when pest reports a problem.

mod common;

use common::*;
use eventsc::source::FileId;
use eventsc::syntax;

fn corpus() -> Vec<(String, String)> {
    let mut files = events_files(&root().join("tests/fixtures"));
    files.extend(events_files(&root().join("examples")));
    let mut out: Vec<(String, String)> = files
        .iter()
        .filter_map(|p| Some((rel(p), std::fs::read_to_string(p).ok()?)))
        .collect();
    let formatted: Vec<(String, String)> = out
        .iter()
        .filter_map(|(n, t)| {
            Some((
                format!("{n} (formatted)"),
                eventsc::fmt::format(FileId(0), t).ok()?,
            ))
        })
        .collect();
    out.extend(formatted);
    out
}

/// Checks one input; returns whether pest accepted it.
fn agree(name: &str, text: &str) -> bool {
    let pest = syntax::parse(FileId(0), text);
    let fast = syntax::fast::parse(FileId(0), text);
    let pest_ok = pest.file.is_some() && !pest.diagnostics.iter().any(|d| d.is_error());
    if pest_ok {
        assert!(
            fast.is_some(),
            "{name}: pest accepts it, the fast parser does not:\n{text}"
        );
        assert!(
            fast == pest.file,
            "{name}: the ASTs differ:\n{text}\n--- pest\n{:#?}\n--- fast\n{:#?}",
            pest.file,
            fast
        );
    } else {
        assert!(
            fast.is_none(),
            "{name}: pest rejects it ({:?}), the fast parser accepts it:\n{text}",
            pest.diagnostics.first().map(|d| &d.message)
        );
    }
    pest_ok
}

#[test]
fn same_ast_on_every_fixture_and_example() {
    let corpus = corpus();
    let accepted = corpus.iter().filter(|(n, t)| agree(n, t)).count();
    assert!(accepted > 200, "only {accepted} inputs parsed");
}

#[test]
fn same_ast_on_synthetic_plans() {
    let text = eventsc::cli::synth_plan_text(20, 20);
    assert!(agree("synth", &text));
}

/// A small deterministic generator (no dependency needed for this).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

const SNIPPETS: &[&str] = &[
    " ",
    "\n",
    "\r\n",
    "\r",
    "\t",
    ";",
    ",",
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    ":",
    "\"",
    "//",
    "@",
    "%",
    "-",
    ".",
    "0",
    "12",
    "in",
    "a",
    "_",
    "=",
    "\\",
    "\\u{41}",
    "\u{FEFF}",
    "é",
    "list",
    "enum",
    "object",
    "2 in 3 days",
    "1 day",
    "2026-01-01",
    "x: string",
    "\"s\"",
    ",\n",
    "\n}",
];

fn char_floor(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[test]
fn same_verdict_on_mutations() {
    let mut rng = Lcg(0x5eed);
    let mut accepted = 0;
    let mut rejected = 0;
    for (name, text) in corpus() {
        if text.is_empty() {
            continue;
        }
        for m in 0..50 {
            let mut t = text.clone();
            for _ in 0..1 + rng.next(2) {
                let at = char_floor(&t, rng.next(t.len() + 1));
                match rng.next(3) {
                    0 => t.insert_str(at, SNIPPETS[rng.next(SNIPPETS.len())]),
                    1 => {
                        let end = char_floor(&t, (at + 1 + rng.next(4)).min(t.len()));
                        t.replace_range(at..end, "");
                    }
                    _ => {
                        let end = char_floor(&t, (at + 1 + rng.next(12)).min(t.len()));
                        let dup = t[at..end].to_string();
                        t.insert_str(end, &dup);
                    }
                }
            }
            if agree(&format!("{name} mutation {m}"), &t) {
                accepted += 1;
            } else {
                rejected += 1;
            }
        }
    }
    // Both outcomes must be well represented for the test to mean something.
    assert!(
        accepted > 1000 && rejected > 1000,
        "accepted {accepted}, rejected {rejected}"
    );
}
