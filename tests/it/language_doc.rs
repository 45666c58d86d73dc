//! `docs/language.md`, the language reference, is kept true: every fenced
//! `events` block in it is checked as the page says (see its last section),
//! and every keyword, error code and governance rule of the compiler is named
//! on it.

use crate::common::root;
use eventsc::diagnostics::Diagnostic;
use eventsc::diagnostics::render::render_short;
use eventsc::source::{SourceFile, SourceMap};
use std::collections::BTreeSet;

const PAGE: &str = "docs/language.md";

/// A fenced `events` block of the page.
struct Block {
    /// The line of its opening fence (1-based).
    line: usize,
    /// `plan` (a complete plan), `prelude`, `fragment` or `event-body`.
    kind: String,
    /// `expect=…`: the codes and rules it must report, exactly.
    expect: Option<BTreeSet<String>>,
    text: String,
}

fn page() -> String {
    std::fs::read_to_string(root().join(PAGE))
        .unwrap_or_else(|e| panic!("{PAGE} must exist (the language reference): {e}"))
}

/// The fenced blocks whose info string starts with `events`.
fn blocks(page: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut lines = page.lines().enumerate();
    while let Some((i, line)) = lines.next() {
        let Some(info) = line.strip_prefix("```") else {
            continue;
        };
        let mut words = info.split_whitespace();
        let is_events = words.next() == Some("events");
        let mut kind = "plan".to_string();
        let mut expect = None;
        for w in words {
            match w.strip_prefix("expect=") {
                Some(list) => expect = Some(list.split(',').map(str::to_string).collect()),
                None => kind = w.to_string(),
            }
        }
        let mut text = String::new();
        for (_, l) in lines.by_ref() {
            if l.starts_with("```") {
                break;
            }
            text.push_str(l);
            text.push('\n');
        }
        if is_events {
            assert!(
                ["plan", "prelude", "fragment", "event-body"].contains(&kind.as_str()),
                "{PAGE}:{}: unknown kind of block `{kind}`",
                i + 1
            );
            out.push(Block {
                line: i + 1,
                kind,
                expect,
                text,
            });
        }
    }
    out
}

/// Checks a block; returns the diagnostics its own lines cause and their
/// short rendering.
fn check_block(block: &Block, prelude: &str) -> (Vec<Diagnostic>, String) {
    let mut sources = SourceMap::new();
    let (own, range) = match block.kind.as_str() {
        "plan" | "prelude" => {
            let id = sources.add(SourceFile::new(
                format!("{PAGE}:{}", block.line),
                None,
                block.text.clone(),
            ));
            (id, 0..block.text.len())
        }
        kind => {
            sources.add(SourceFile::new("prelude", None, prelude.to_string()));
            let (head, tail) = if kind == "event-body" {
                ("event \"Example Viewed\" {\n", "}\n")
            } else {
                ("", "")
            };
            let text = format!("{head}{}{tail}", block.text);
            let id = sources.add(SourceFile::new(
                format!("{PAGE}:{} ({kind})", block.line),
                None,
                text,
            ));
            (id, head.len()..head.len() + block.text.len())
        }
    };
    let checked = eventsc::check::check(&sources, Vec::new());
    let own: Vec<Diagnostic> = checked
        .diagnostics
        .into_iter()
        .filter(|d| {
            d.primary_span()
                .is_some_and(|s| s.file == own && range.contains(&(s.start as usize)))
        })
        .collect();
    let shown = render_short(&own, &sources);
    (own, shown)
}

#[test]
fn every_example_checks_as_the_page_says() {
    let page = page();
    let blocks = blocks(&page);
    let preludes: Vec<&Block> = blocks.iter().filter(|b| b.kind == "prelude").collect();
    assert_eq!(preludes.len(), 1, "{PAGE} has one `events prelude` block");
    let prelude = &preludes[0].text;
    assert!(
        blocks.iter().any(|b| b.kind == "fragment") && blocks.iter().any(|b| b.kind == "plan"),
        "{PAGE} has complete plans and fragments"
    );
    let mut failures = Vec::new();
    for block in &blocks {
        let (diags, shown) = check_block(block, prelude);
        let codes: BTreeSet<String> = diags.iter().map(|d| d.code.to_string()).collect();
        let ok = match (&block.expect, block.kind.as_str()) {
            (Some(expect), _) => &codes == expect,
            (None, "plan" | "prelude") => diags.is_empty(),
            (None, _) => !diags.iter().any(Diagnostic::is_error),
        };
        if !ok {
            let wanted = match &block.expect {
                Some(e) => format!("exactly {e:?}"),
                None if matches!(block.kind.as_str(), "plan" | "prelude") => {
                    "no errors and no warnings".into()
                }
                None => "no errors".into(),
            };
            failures.push(format!(
                "{PAGE}:{} ({}): wanted {wanted}, got:\n{shown}",
                block.line, block.kind
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Whether the page names a word in backticks (`word`, `word(…)`, `word {`,
/// `word "…"`…) or as the target of a link.
fn named(page: &str, word: &str) -> bool {
    page.contains(&format!("`{word}`"))
        || page.contains(&format!("`{word}("))
        || page.contains(&format!("`{word} "))
        || page.contains(&format!("[{word}]("))
}

#[test]
fn every_keyword_code_and_rule_is_documented() {
    let page = page();
    let mut missing = Vec::new();
    for b in eventsc::vocab::BLOCKS {
        if !named(&page, b.keyword) {
            missing.push(format!("the block `{}`", b.keyword));
        }
        for f in b.fields {
            if !named(&page, f.name) {
                missing.push(format!("the field `{}` of {}", f.name, b.what));
            }
        }
    }
    for t in eventsc::vocab::TYPES
        .iter()
        .chain(eventsc::vocab::TYPE_CONSTRUCTORS)
    {
        if !named(&page, t.name) {
            missing.push(format!("the type `{}`", t.name));
        }
    }
    for m in eventsc::vocab::MODIFIERS {
        if !named(&page, m.name) {
            missing.push(format!("the modifier `{}`", m.name));
        }
    }
    for c in eventsc::diagnostics::codes::CODES {
        if !named(&page, c.code) {
            missing.push(format!("the error code {} ({})", c.code, c.title));
        }
    }
    for r in eventsc::rules::names() {
        if !named(&page, r) {
            missing.push(format!("the rule `{r}`"));
        }
    }
    assert!(
        missing.is_empty(),
        "{PAGE} does not name (document each where it belongs):\n  {}",
        missing.join("\n  ")
    );
}
