//! The fast hand-written parser and the pest grammar must agree: on every input
//! both accept or both reject, and when they accept they build the same AST with
//! the same diagnostics. Inputs: every fixture and example, plus deterministic
//! mutations of them (truncations, deletions, insertions of grammar-relevant
//! characters, duplicated and swapped lines, random bytes).
//!
//! The same corpus is the robustness test: checking any of these inputs never
//! panics, and every diagnostic points at a place in a file.

use crate::common;

use eventsc::source::FileId;
use eventsc::syntax::{parse_fast, parse_with_pest};

use crate::common::Rng;

const ALPHABET: &[&str] = &[
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    ",",
    ";",
    ":",
    "\"",
    "@",
    "%",
    "-",
    "=",
    ".",
    "\n",
    "\t",
    " ",
    "//",
    "\\",
    "\\u{",
    "a",
    "Z",
    "_",
    "0",
    "9",
    "2026-12-15",
    "in",
    "list",
    "enum",
    "object",
    "required",
    "event",
    "\r\n",
    "é",
    "\u{FEFF}",
];

fn floor(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn mutate(rng: &mut Rng, text: &str) -> String {
    let len = text.len();
    let a = floor(text, rng.below(len + 1));
    let b = floor(text, (a + rng.below(40)).min(len));
    match rng.below(7) {
        0 => text[..a].to_string(),
        1 => format!("{}{}", &text[..a], &text[b..]),
        2 | 3 => {
            let ins = ALPHABET[rng.below(ALPHABET.len())];
            format!("{}{}{}", &text[..a], ins, &text[a..])
        }
        4 => {
            let lines: Vec<&str> = text.lines().collect();
            if lines.is_empty() {
                return String::new();
            }
            let i = rng.below(lines.len());
            let mut out: Vec<&str> = lines.clone();
            out.insert(i, lines[i]);
            out.join("\n")
        }
        5 => {
            let mut lines: Vec<&str> = text.lines().collect();
            if lines.len() > 1 {
                let i = rng.below(lines.len());
                let j = rng.below(lines.len());
                lines.swap(i, j);
            }
            lines.join("\n")
        }
        _ => {
            let n = rng.below(64);
            (0..n)
                .map(|_| char::from_u32(32 + rng.below(95) as u32).unwrap_or(' '))
                .collect()
        }
    }
}

fn corpus() -> Vec<(String, String)> {
    let root = common::root();
    let mut files = common::events_files(&root.join("tests/fixtures"));
    files.extend(common::events_files(&root.join("examples")));
    files
        .into_iter()
        .filter_map(|p| {
            std::fs::read_to_string(&p)
                .ok()
                .map(|t| (common::rel(&p), t))
        })
        .collect()
}

fn agree(name: &str, text: &str) {
    let fast = parse_fast(FileId(0), text);
    let pest = parse_with_pest(FileId(0), text);
    match (&fast, &pest.file) {
        (Some((ast, diags)), Some(pest_ast)) => {
            assert_eq!(ast, pest_ast, "ASTs differ for {name}:\n{text}");
            let mut a = diags.clone();
            let mut b = pest.diagnostics.clone();
            eventsc::diagnostics::sort(&mut a);
            eventsc::diagnostics::sort(&mut b);
            assert_eq!(a, b, "diagnostics differ for {name}:\n{text}");
        }
        (None, None) => {
            assert!(
                pest.diagnostics
                    .iter()
                    .any(|d| d.is_error() && d.primary_span().is_some()),
                "a rejected input gets a located error: {name}:\n{text}"
            );
        }
        (Some(_), None) => panic!("only the fast parser accepts {name}:\n{text:?}"),
        (None, Some(_)) => panic!("only pest accepts {name}:\n{text:?}"),
    }
}

#[test]
fn parsers_agree_on_fixtures_and_examples() {
    let corpus = corpus();
    assert!(corpus.len() > 50);
    for (name, text) in &corpus {
        agree(name, text);
    }
}

#[test]
fn parsers_agree_on_mutations() {
    let corpus = corpus();
    let mut rng = Rng(0x05EE_D0FE_7E47);
    let per_file = if std::env::var_os("EVENTSC_FUZZ_LONG").is_some() {
        2000
    } else {
        40
    };
    for (name, text) in &corpus {
        let mut t = text.clone();
        for i in 0..per_file {
            // Mostly one mutation of the original, sometimes stacked mutations.
            if i % 4 != 0 {
                t = text.clone();
            }
            t = mutate(&mut rng, &t);
            agree(&format!("{name} (mutation {i})"), &t);
        }
    }
}

#[test]
fn checking_mutated_plans_never_panics_and_always_locates() {
    let corpus = corpus();
    let mut rng = Rng(0xC0FF_EE00_1234);
    for (name, text) in corpus.iter().take(400) {
        for _ in 0..5 {
            let t = mutate(&mut rng, text);
            let (sources, checked) = eventsc::check::check_text("fuzz.events", &t);
            for d in &checked.diagnostics {
                let span = d
                    .primary_span()
                    .unwrap_or_else(|| panic!("unlocated diagnostic {d:?} in {name}"));
                assert!(span.end as usize <= sources.get(span.file).text.len() + 3);
            }
        }
    }
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = Rng(0xBAD_B17E5);
    for _ in 0..300 {
        let n = rng.below(200);
        let bytes: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
        let (file, diag) = eventsc::load::decode("bytes.events".into(), None, bytes);
        let mut sources = eventsc::source::SourceMap::new();
        let id = sources.add(file);
        let pre = diag.map(|d| vec![d(id)]).unwrap_or_default();
        let checked = eventsc::check::check(&sources, pre);
        let _ = eventsc::diagnostics::render::render_human(&checked.diagnostics, &sources, false);
    }
}

#[test]
fn parallel_parsing_equals_sequential() {
    let mut texts: Vec<String> = vec![eventsc::synth::plan_text(300, 8)];
    // Examples concatenated into one large file, and a copy with an error in the middle.
    let all: String = corpus()
        .into_iter()
        .filter(|(n, _)| n.starts_with("examples/"))
        .map(|(_, t)| t + "\n")
        .collect();
    texts.push(all.clone());
    let mid = all.len() / 2;
    let cut = all[mid..].find("\nevent ").map_or(mid, |p| mid + p + 1);
    texts.push(format!(
        "{}event \"Broken Event {{\n{}",
        &all[..cut],
        &all[cut..]
    ));
    for text in &texts {
        for threads in [2, 3, 7] {
            let par = eventsc::syntax::parse_file(FileId(0), text, threads);
            let seq = eventsc::syntax::parse_file(FileId(0), text, 0);
            assert_eq!(par.file, seq.file);
            assert_eq!(par.diagnostics, seq.diagnostics);
            assert_eq!(par.complete, seq.complete);
        }
    }
}
