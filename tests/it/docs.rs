//! `docs/rules.md` is generated from the same documentation `eventsc explain`
//! prints. This test fails when they differ; `UPDATE_DOCS=1 cargo test --test it docs::`
//! rewrites the file.

use crate::common;

#[test]
fn rules_md_is_generated_from_the_docs() {
    let path = common::root().join("docs/rules.md");
    let want = eventsc::docs::markdown();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        eventsc::fsutil::write_atomic(&path, want.as_bytes()).expect("write docs/rules.md");
        return;
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "docs/rules.md is out of date: run `UPDATE_DOCS=1 cargo test --test it docs::`"
    );
}

#[test]
fn every_code_and_rule_is_explained() {
    for name in eventsc::docs::all_names() {
        let doc = eventsc::docs::find(name).expect("every listed name has docs");
        let text = eventsc::docs::explain(&doc);
        assert!(text.contains(name), "explain {name} names itself");
        assert!(text.lines().count() > 5, "explain {name} says something");
    }
}

#[test]
fn codes_are_unique_and_used_by_the_compiler_source() {
    let src = std::fs::read_to_string(common::root().join("src/diagnostics/codes.rs"))
        .unwrap_or_default();
    let mut seen = std::collections::BTreeSet::new();
    for c in eventsc::diagnostics::codes::CODES {
        assert!(seen.insert(c.code), "{} is documented twice", c.code);
        assert!(src.contains(&format!("\"{}\"", c.code)));
    }
}
