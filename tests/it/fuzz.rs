//! Fuzzing, one target per input format: `.events` sources (check, every
//! renderer, fmt), Segment rules JSON and tracking-plan CSV (import), payloads
//! (validate's framing and checks) and LSP messages (the server's handling).
//!
//! A deterministic, seeded mutation fuzzer (no coverage feedback; the stable
//! toolchain has no sanitizer coverage): inputs come from the repository's
//! fixtures and examples, mutated by byte edits, tokens of the format, long
//! runs (deep nesting, long lines, long strings) and splices. Each input must
//! not panic, must finish within [`PER_INPUT`], and must keep the invariants
//! the target states (fmt is idempotent and its output parses; an import that
//! reads its input writes a plan that parses; validate gives the same summary
//! for any chunking and number of jobs; the server answers every request
//! without an internal error).
//!
//! In `cargo test` each target runs for a few seconds. Longer, on demand:
//! `FUZZ_SECONDS=600 cargo test --release --test it fuzz::` (per target;
//! `FUZZ_ITERATIONS=N` caps the inputs instead, `FUZZ_SEED=N` picks another
//! sequence). A failing input is written to `target/fuzz-failures/` and its
//! path is in the failure message.

use crate::common::*;
use serde_json::{Value, json};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Longest time one input may take (a debug build on a loaded machine).
const PER_INPUT: Duration = Duration::from_secs(30);

/// splitmix64: small, seedable, the same on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }
}

/// How long each target runs: `FUZZ_SECONDS` (default 4) and at most
/// `FUZZ_ITERATIONS` inputs (default: no cap).
fn budget() -> (Duration, u64, u64) {
    let env = |k: &str| std::env::var(k).ok().and_then(|v| v.parse::<u64>().ok());
    (
        Duration::from_secs(env("FUZZ_SECONDS").unwrap_or(4)),
        env("FUZZ_ITERATIONS").unwrap_or(u64::MAX),
        env("FUZZ_SEED").unwrap_or(0x5EED),
    )
}

/// Runs `one` on inputs made by `make` until the budget is spent, on a worker
/// thread watched for hangs. A panic or hang writes the input to
/// `target/fuzz-failures/` and fails with its path.
fn fuzz(
    target: &'static str,
    make: impl Fn(&mut Rng) -> Vec<u8> + Send + 'static,
    one: impl Fn(&[u8]) + Send + 'static,
) {
    let (time, cap, seed) = budget();
    let current = Arc::new(Mutex::new(Vec::new()));
    let done = Arc::new(AtomicU64::new(0));
    let finished = Arc::new(AtomicU64::new(0));
    let worker = {
        let (current, done, finished) = (current.clone(), done.clone(), finished.clone());
        std::thread::spawn(move || {
            let mut rng = Rng(seed ^ target.len() as u64);
            let start = Instant::now();
            let mut n = 0;
            while n < cap && start.elapsed() < time {
                let input = make(&mut rng);
                *current.lock().unwrap_or_else(|e| e.into_inner()) = input.clone();
                one(&input);
                n += 1;
                done.store(n, Ordering::SeqCst);
            }
            eprintln!(
                "fuzz target `{target}`: {n} inputs in {:.1?} (FUZZ_SEED={seed})",
                start.elapsed()
            );
            finished.store(1, Ordering::SeqCst);
        })
    };
    let save = |why: &str| -> String {
        let input = current.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let dir = root().join("target/fuzz-failures");
        let _ = std::fs::create_dir_all(&dir);
        let n = done.load(Ordering::SeqCst);
        let path = dir.join(format!("{target}-{seed}-{n}.bin"));
        let _ = std::fs::write(&path, &input);
        format!(
            "fuzz target `{target}`: input {n} (FUZZ_SEED={seed}) {why}; saved to {}",
            path.display()
        )
    };
    let mut last = (0, Instant::now());
    loop {
        std::thread::sleep(Duration::from_millis(20));
        if finished.load(Ordering::SeqCst) == 1 || worker.is_finished() {
            break;
        }
        let n = done.load(Ordering::SeqCst);
        if n != last.0 {
            last = (n, Instant::now());
        } else if last.1.elapsed() > PER_INPUT {
            panic!("{}", save(&format!("ran over {PER_INPUT:?}")));
        }
    }
    if worker.join().is_err() {
        panic!("{}", save("panicked (see above)"));
    }
}

/// One mutation of `input`: a byte edit, a token of the format, a long run,
/// a deleted, repeated or spliced range.
fn mutate(rng: &mut Rng, input: &[u8], tokens: &[&str], corpus: &[Vec<u8>]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(out.len() + 1);
        match rng.below(9) {
            0 if !out.is_empty() => {
                let i = rng.below(out.len());
                out[i] = rng.next() as u8;
            }
            1 | 2 => {
                let t = rng.pick(tokens).as_bytes().to_vec();
                out.splice(at..at, t);
            }
            3 if !out.is_empty() => {
                let from = at.min(out.len() - 1);
                let len = 1 + rng.below(32);
                out.drain(from..(from + len).min(out.len()));
            }
            4 if !out.is_empty() => {
                let from = rng.below(out.len());
                let len = 1 + rng.below(64.min(out.len() - from));
                let piece = out[from..from + len].to_vec();
                out.splice(at..at, piece);
            }
            5 => {
                // A long run: deep nesting, a long line, a long string.
                let t = rng.pick(tokens).as_bytes().to_vec();
                let n = [10, 40, 200, 3000][rng.below(4)];
                let run: Vec<u8> = t.iter().copied().cycle().take(t.len() * n).collect();
                out.splice(at..at, run);
            }
            6 => {
                let other = rng.pick(corpus);
                let from = rng.below(other.len() + 1);
                out.truncate(at);
                out.extend_from_slice(&other[from..]);
            }
            7 => {
                let weird: &[&[u8]] = &[
                    b"\r",
                    b"\0",
                    b"\x1b[31m",
                    b"\xff",
                    b"\xc3",
                    b"\xe2\x80\xae",
                    b"\t",
                    b"\r\n",
                    "😀".as_bytes(),
                    "\u{85}".as_bytes(),
                    "\u{feff}".as_bytes(),
                ];
                out.splice(at..at, rng.pick(weird).to_vec());
            }
            _ => {}
        }
    }
    out
}

fn read_corpus(paths: &[std::path::PathBuf]) -> Vec<Vec<u8>> {
    paths.iter().filter_map(|p| std::fs::read(p).ok()).collect()
}

fn files_with(dir: &std::path::Path, ext: &str) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    fn walk(d: &std::path::Path, ext: &str, out: &mut Vec<std::path::PathBuf>) {
        let Ok(rd) = std::fs::read_dir(d) else { return };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, ext, out);
            } else if p.extension().is_some_and(|x| x == ext) {
                out.push(p);
            }
        }
    }
    walk(dir, ext, &mut out);
    out.sort();
    out
}

const EVENTS_TOKENS: &[&str] = &[
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    ",",
    ";",
    ":",
    "=",
    "%",
    "\n",
    " ",
    "\"",
    "\\",
    "//",
    "@a",
    "\"x\"",
    "event \"A B Viewed\" {\n",
    "}\n",
    "plan \"P\" {\n",
    "owner @a { }\n",
    "enum E { \"a\" }\n",
    "bundle B { x: string }\n",
    "use B\n",
    "x: string required\n",
    "y: object {\n",
    "list(",
    "enum(",
    "min(1)",
    "max(-1.5)",
    "max_length(99999999999999999999)",
    "pattern(\"(a|b\")",
    "format(email)",
    "pii(contact)",
    "consent(c)",
    "retention(r)",
    "allow(\"naming/event-case\", reason \"r\")",
    "2026-02-30",
    "12.5%",
    "48 hours",
    "2 in 48 hours",
    "\"\\u{1F600}\"",
    "\"\\u{D800}\"",
    "\"\\q\"",
    "1.2.3",
    "-0",
    "1e5",
    "description",
    "owner",
    "consent",
    "retention",
    "status deprecated",
    "replaced_by \"A B Viewed\"",
    "sunset 2020-01-01",
    "sampling 150%",
    "identity group",
    "kpi \"K\" {",
];

fn check_and_render(name: &str, bytes: &[u8]) -> (eventsc::source::SourceMap, bool) {
    use eventsc::diagnostics::render::{MessageFormat, render};
    let mut sources = eventsc::source::SourceMap::new();
    let (file, diag) = eventsc::load::decode(name.to_string(), None, bytes.to_vec());
    let id = sources.add(file);
    let pre: Vec<_> = diag.into_iter().map(|d| d(id)).collect();
    let checked = eventsc::check::check(&sources, pre);
    for format in [
        MessageFormat::Human,
        MessageFormat::Short,
        MessageFormat::Json,
        MessageFormat::Github,
    ] {
        render(format, &checked.diagnostics, &sources, true);
    }
    let syntax_error = checked
        .diagnostics
        .iter()
        .any(|d| matches!(d.code, "E0001" | "E0002" | "E0003" | "E0004" | "E0005"));
    (sources, syntax_error)
}

/// `.events`: check and every renderer never panic nor hang; `fmt` output is
/// formatted (idempotent) and parses without syntax errors.
#[test]
fn events_sources() {
    let mut paths = files_with(&root().join("tests/fixtures"), "events");
    paths.extend(files_with(&root().join("examples"), "events"));
    let corpus = read_corpus(&paths);
    assert!(corpus.len() > 20, "the corpus is read");
    let c = corpus.clone();
    fuzz(
        "events",
        move |rng| {
            let base = rng_pick(rng, &c);
            mutate(rng, base, EVENTS_TOKENS, &c)
        },
        |input| {
            let (sources, _) = check_and_render("fuzz.events", input);
            let text = &sources.get(eventsc::source::FileId(0)).text;
            if let Ok(out) = eventsc::fmt::format(eventsc::source::FileId(0), text) {
                let again = eventsc::fmt::format(eventsc::source::FileId(0), &out);
                assert_eq!(again.as_deref(), Ok(out.as_str()), "fmt is idempotent");
                let (_, syntax_error) = check_and_render("formatted.events", out.as_bytes());
                assert!(!syntax_error, "fmt's output parses:\n{out}");
            }
        },
    );
}

fn rng_pick<'a>(rng: &mut Rng, corpus: &'a [Vec<u8>]) -> &'a [u8] {
    &rng.pick(corpus)[..]
}

/// A JSON value replaced at a random place of `v` by a hostile one.
fn mutate_json(rng: &mut Rng, v: &mut Value) {
    let hostile = |rng: &mut Rng| -> Value {
        let texts = [
            "1e-7",
            "1e+20",
            "-0",
            "-0.0",
            "1.0",
            "123456789012345678901234567890",
            "5e-324",
            "18446744073709551616",
            "-9223372036854775809",
            "0.1",
            "3e0",
            "-1",
            "null",
            "true",
            "\"\"",
            "\"a\\r\\nb\\u0000\\u001b[31m\"",
            "\"Order Completed\"",
            "{}",
            "[]",
            "{\"type\": \"object\", \"properties\": {\"x\": {\"type\": \"string\"}}}",
            "{\"type\": \"array\", \"items\": {\"type\": \"integer\"}}",
            "{\"type\": [\"string\", \"null\"], \"enum\": [\"a\", null, 1, \"a\"]}",
            "{\"type\": \"string\", \"format\": \"date-time\", \"pattern\": \"(\"}",
            "[\"a\", \"a\", \"b\"]",
            "\"TRACK\"",
            "\"IDENTIFY\"",
            "\"@growth\"",
        ];
        let text: &&str = rng.pick(&texts);
        let mut value: Value = serde_json::from_str(text).unwrap_or(Value::Null);
        if rng.chance(6) {
            // Deep: wrap in objects or lists.
            for _ in 0..rng.below(80) {
                value = if rng.chance(2) {
                    json!({"type": "object", "properties": {"x": value}})
                } else {
                    json!({"type": "array", "items": value})
                };
            }
        }
        if rng.chance(8) {
            let n = [100, 5000][rng.below(2)];
            value = Value::Array((0..n).map(|i| json!(format!("v{}", i % 997))).collect());
        }
        value
    };
    let keys = [
        "type",
        "key",
        "version",
        "jsonSchema",
        "properties",
        "required",
        "items",
        "enum",
        "minimum",
        "maximum",
        "minLength",
        "maxLength",
        "minItems",
        "maxItems",
        "pattern",
        "format",
        "description",
        "labels",
        "owner",
        "rules",
        "traits",
        "context",
        "x y",
        "",
    ];
    let deeper = !rng.chance(3);
    match v {
        Value::Object(m) if !m.is_empty() && deeper => {
            let k = m
                .keys()
                .nth(rng.below(m.len()))
                .cloned()
                .unwrap_or_default();
            if let Some(child) = m.get_mut(&k) {
                mutate_json(rng, child);
            }
        }
        Value::Array(a) if !a.is_empty() && deeper => {
            let i = rng.below(a.len());
            mutate_json(rng, &mut a[i]);
        }
        Value::Object(m) => {
            if rng.chance(3) {
                let k = m.keys().nth(rng.below(m.len().max(1))).cloned();
                if let Some(k) = k {
                    m.remove(&k);
                }
            } else {
                m.insert(rng.pick(&keys).to_string(), hostile(rng));
            }
        }
        Value::Array(a) => {
            if rng.chance(2) && !a.is_empty() {
                let i = rng.below(a.len());
                a.push(a[i].clone());
            } else {
                a.push(hostile(rng));
            }
        }
        other => *other = hostile(rng),
    }
}

/// Segment rules JSON and tracking-plan CSV: an input `import` reads is
/// written as a plan that parses, is formatted, and checks without syntax
/// errors; nothing panics or hangs.
#[test]
fn import_inputs() {
    let mut json_paths = files_with(&root().join("tests/fixtures/import"), "json");
    let mut rules = Vec::new();
    for p in example_plans() {
        for a in targets::generate("segment", &p) {
            if a.path.ends_with("rules.json") {
                rules.push(a.bytes.clone());
            }
        }
    }
    json_paths.sort();
    let mut json = read_corpus(&json_paths);
    json.extend(rules);
    let csv = read_corpus(&files_with(&root().join("tests/fixtures/import"), "csv"));
    assert!(!json.is_empty() && !csv.is_empty(), "the corpus is read");
    let (j, c) = (json.clone(), csv.clone());
    fuzz(
        "import",
        move |rng| {
            if rng.chance(3) {
                let mut out = vec![b'c'];
                let base = rng_pick(rng, &c);
                out.extend(mutate(
                    rng,
                    base,
                    &[
                        ",",
                        "\"",
                        "\n",
                        "\r\n",
                        "Track",
                        "object",
                        "array",
                        ".",
                        ".$",
                        "|",
                        "a.b.c.d.e.f.g.h",
                    ],
                    &c,
                ));
                return out;
            }
            let base = rng_pick(rng, &j);
            let mut out = vec![b'j'];
            match serde_json::from_slice::<Value>(base) {
                Ok(mut v) if !rng.chance(5) => {
                    for _ in 0..1 + rng.below(6) {
                        mutate_json(rng, &mut v);
                    }
                    out.extend(serde_json::to_vec(&v).unwrap_or_default());
                }
                _ => out.extend(mutate(
                    rng,
                    base,
                    &["{", "}", "[", "]", ",", ":", "\"", "1e-7", "-0", "null"],
                    &j,
                )),
            }
            out
        },
        |input| {
            let (kind, body) = input.split_first().unwrap_or((&b'j', &[]));
            let text = String::from_utf8_lossy(body);
            let read = if *kind == b'c' {
                eventsc::import::csv::read(&text)
            } else {
                eventsc::import::segment::read(&text)
            };
            let Ok((plan, _)) = read else { return };
            let out = match eventsc::import::write(&plan, &eventsc::import::Options::default()) {
                Ok(w) => w.text,
                Err(e) => panic!("the import wrote no plan: {}", e.message),
            };
            assert_eq!(
                eventsc::fmt::format(eventsc::source::FileId(0), &out).as_deref(),
                Ok(out.as_str()),
                "the imported plan is formatted"
            );
            let (_, syntax_error) = check_and_render("imported.events", out.as_bytes());
            assert!(!syntax_error, "the imported plan parses:\n{out}");
        },
    );
}

/// Payloads: validate frames and checks any bytes (NDJSON, arrays, broken
/// ones) without panicking or hanging, and gives the same summary whatever
/// the chunk size and the number of jobs.
#[test]
fn payload_streams() {
    use eventsc::validate::{self, input::Framer, model::Model, report};
    let plan = root().join("examples/ecommerce");
    let (sources, checked) = check_paths(std::slice::from_ref(&plan));
    let model = Arc::new(Model::compile(
        checked.into_ok().expect("the example has no errors"),
        &sources,
    ));
    let samples = targets::generate("samples", &plan)
        .into_iter()
        .find(|a| a.path == "samples/samples.ndjson")
        .expect("samples.ndjson")
        .bytes;
    let lines: Vec<Vec<u8>> = samples
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(<[u8]>::to_vec)
        .collect();
    let corpus = lines.clone();
    fuzz(
        "payloads",
        move |rng| {
            let n = 1 + rng.below(12);
            let mut records: Vec<Vec<u8>> = Vec::new();
            for _ in 0..n {
                let base = rng_pick(rng, &corpus);
                let rec = match serde_json::from_slice::<Value>(base) {
                    Ok(mut v) if rng.chance(2) => {
                        for _ in 0..1 + rng.below(4) {
                            mutate_json(rng, &mut v);
                        }
                        serde_json::to_vec(&v).unwrap_or_default()
                    }
                    _ if rng.chance(2) => base.to_vec(),
                    _ => mutate(
                        rng,
                        base,
                        &[
                            "{", "}", "[", "]", ",", "\"", "\n", " ", "\\", "null", "1e999",
                        ],
                        &corpus,
                    ),
                };
                records.push(rec);
            }
            let mut out = Vec::new();
            if rng.chance(3) {
                out.push(b'[');
                for (i, r) in records.iter().enumerate() {
                    if i > 0 {
                        out.extend_from_slice(if rng.chance(10) { b",," } else { b",\n" });
                    }
                    out.extend_from_slice(r);
                }
                if !rng.chance(8) {
                    out.push(b']');
                }
            } else {
                for r in &records {
                    out.extend_from_slice(r);
                    out.extend_from_slice(if rng.chance(10) { b"\r\n \n" } else { b"\n" });
                }
            }
            if rng.chance(6) {
                let ws = vec![b' '; rng.below(5000)];
                out.splice(0..0, ws);
            }
            let chunk = 1 + rng.below(64);
            let mut tagged = (chunk as u32).to_le_bytes().to_vec();
            tagged.extend(out);
            tagged
        },
        move |input| {
            let (head, body) = input.split_at(4.min(input.len()));
            let chunk = u32::from_le_bytes(head.try_into().unwrap_or([1, 0, 0, 0])) as usize;
            let summary = |framer: Framer<&[u8]>, jobs: usize| {
                let tally = validate::run_with(&model, framer, jobs).expect("reads from memory");
                serde_json::to_string(&report::summarize(&model, &tally, "fuzz"))
                    .expect("serialises")
            };
            let whole = summary(Framer::with_sizes(body, 1 << 20, 1 << 20), 1);
            let small = summary(Framer::with_sizes(body, chunk, 1 << 20), 2);
            if whole != small {
                let at = whole
                    .bytes()
                    .zip(small.bytes())
                    .position(|(a, b)| a != b)
                    .unwrap_or(whole.len().min(small.len()));
                let around = |s: &str| {
                    let from = eventsc::source::floor_char_boundary(s, at.saturating_sub(150));
                    let to = eventsc::source::floor_char_boundary(s, (at + 150).min(s.len()));
                    s[from..to].to_string()
                };
                panic!(
                    "chunks of {chunk} bytes and 2 jobs change the summary at byte {at}:\n  whole: …{}…\n  small: …{}…",
                    around(&whole),
                    around(&small)
                );
            }
        },
    );
}

/// LSP: a session of random edits and requests on a document; every request
/// is answered within [`PER_INPUT`] and none with an internal error (a panic
/// in a handler).
#[test]
fn lsp_sessions() {
    let mut paths = files_with(&root().join("tests/fixtures"), "events");
    paths.extend(files_with(&root().join("examples"), "events"));
    let corpus = read_corpus(&paths);
    let c = corpus.clone();
    fuzz(
        "lsp",
        move |rng| {
            // The document, then the operations as JSON lines.
            let base = rng_pick(rng, &c);
            let doc = mutate(rng, base, EVENTS_TOKENS, &c);
            let mut out = serde_json::to_vec(&String::from_utf8_lossy(&doc)).unwrap_or_default();
            for _ in 0..1 + rng.below(12) {
                let character = [0, 1, 5, 17, 100, 70000][rng.below(6)];
                let pos = json!({"line": rng.below(40), "character": character});
                let pos2 = json!({"line": rng.below(40), "character": rng.below(30)});
                let text = rng.pick(EVENTS_TOKENS).repeat(1 + rng.below(3));
                let op = match rng.below(10) {
                    0..=3 => {
                        json!(["change", {"range": {"start": pos, "end": pos2}, "text": text}])
                    }
                    4 => json!(["textDocument/hover", pos]),
                    5 => json!(["textDocument/completion", pos]),
                    6 => json!(["textDocument/definition", pos]),
                    7 => json!(["textDocument/references", pos]),
                    8 => json!([
                        "textDocument/rename",
                        pos,
                        rng.pick(&["x", "new_name", "@b", "", "a b", "\"q\""])
                    ]),
                    _ => json!([
                        rng.pick(&[
                            "textDocument/documentSymbol",
                            "textDocument/formatting",
                            "textDocument/prepareRename",
                            "textDocument/hover"
                        ]),
                        pos
                    ]),
                };
                out.push(b'\n');
                out.extend(serde_json::to_vec(&op).unwrap_or_default());
            }
            out
        },
        lsp_session,
    );
}

fn lsp_session(input: &[u8]) {
    use lsp_server::{Connection, Message, Notification, Request, RequestId};
    let mut lines = input.split(|&b| b == b'\n');
    let doc: String = lines
        .next()
        .and_then(|l| serde_json::from_slice(l).ok())
        .unwrap_or_default();
    let (server, client) = Connection::memory();
    let thread = std::thread::spawn(move || eventsc::lsp_serve(&server));
    let mut next = 0;
    let mut request = |client: &Connection, method: &str, params: Value| -> Option<Value> {
        next += 1;
        let id = RequestId::from(next);
        client
            .sender
            .send(Message::Request(Request::new(
                id.clone(),
                method.to_string(),
                params,
            )))
            .ok()?;
        let deadline = Instant::now() + PER_INPUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match client.receiver.recv_timeout(left) {
                Ok(Message::Response(r)) if r.id == id => match r.response_result {
                    Ok(v) => return Some(v),
                    Err(e) => {
                        assert_ne!(e.code, -32603, "{method}: internal error: {}", e.message);
                        return None;
                    }
                },
                Ok(_) => {}
                Err(_) => panic!("{method}: no answer within {PER_INPUT:?}"),
            }
        }
    };
    let notify = |client: &Connection, method: &str, params: Value| {
        let _ = client.sender.send(Message::Notification(Notification::new(
            method.to_string(),
            params,
        )));
    };
    request(&client, "initialize", json!({"capabilities": {}}));
    notify(&client, "initialized", json!({}));
    let uri = "file:///fuzz/plan.events";
    notify(
        &client,
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "events", "version": 1, "text": doc}}),
    );
    let mut version = 1;
    for line in lines {
        let Ok(Value::Array(op)) = serde_json::from_slice::<Value>(line) else {
            continue;
        };
        let method = op.first().and_then(Value::as_str).unwrap_or("");
        let arg = op.get(1).cloned().unwrap_or(Value::Null);
        let doc_id = json!({"uri": uri});
        match method {
            "change" => {
                version += 1;
                notify(
                    &client,
                    "textDocument/didChange",
                    json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [arg]}),
                );
            }
            "textDocument/rename" => {
                let name = op.get(2).cloned().unwrap_or(Value::Null);
                request(
                    &client,
                    method,
                    json!({"textDocument": doc_id, "position": arg, "newName": name}),
                );
            }
            "textDocument/references" => {
                request(
                    &client,
                    method,
                    json!({"textDocument": doc_id, "position": arg, "context": {"includeDeclaration": true}}),
                );
            }
            "textDocument/documentSymbol" | "textDocument/formatting" => {
                request(
                    &client,
                    method,
                    json!({"textDocument": doc_id, "options": {"tabSize": 2, "insertSpaces": true}}),
                );
            }
            _ => {
                request(
                    &client,
                    method,
                    json!({"textDocument": doc_id, "position": arg}),
                );
            }
        }
    }
    request(&client, "shutdown", Value::Null);
    notify(&client, "exit", Value::Null);
    drop(client);
    let _ = thread.join();
}
