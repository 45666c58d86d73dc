//! The canonical layout of `.events` files (`eventsc fmt`).
//!
//! The formatter prints the AST ([`crate::syntax::ast`]) back as text, with the
//! comments the parser drops taken from the token scanner
//! ([`crate::syntax::scan::tokens`]) and attached to the code they sit on
//! (`comments.rs`). There are no options: like gofmt, one layout ends arguments.
//!
//! # The layout
//!
//! - Indentation is two spaces per level; lines end with `\n`; the file ends with
//!   exactly one newline; trailing whitespace is removed. Lines are never wrapped.
//! - **Declarations** keep their order. Exactly one blank line separates two
//!   top-level declarations, except that one-line declarations of the same kind
//!   written on consecutive lines stay together as a group, with their `{` aligned
//!   (`owner @growth    { name "Growth" }`).
//! - **One-line declarations**: `owner`, `consent`, `retention`, `source`, `tool`
//!   and `enum` (`vocab::Block::one_line`) are written on one line, items separated by `; `, when they hold only
//!   simple fields (and enum values), have no comment inside the braces and fit in
//!   `MAX_WIDTH` (100) columns. Every other block is written one item per line; an empty
//!   block without comments is `{}`.
//! - **Field order**: fields come first, in the canonical order of their block
//!   (the order [`crate::vocab`] lists them in, e.g. for an event:
//!   `description owner source consent status sampling retention since tags
//!   identity flag release replaced_by sunset allow`), unknown fields after them in
//!   the order written. Then, after one blank line, the body: `use`, properties,
//!   enum values and rule settings in the order written (the position of a `use`
//!   among the properties decides where the bundle's properties go, so it is kept).
//!   Single blank lines between body items are kept; longer runs become one. A
//!   declaration of an unknown kind is printed in the order written.
//! - **Columns**: the values of simple fields (`key value, value`) start in one
//!   column per block. Properties are aligned in two columns per block: `name:` is
//!   padded to the longest name of the block's one-line properties, and the type to
//!   the longest one-line type among the properties that have modifiers or a
//!   description (types longer than 16 characters, such as long inline enums, do
//!   not count: they are followed by one space). Modifiers and the description
//!   follow with single spaces.
//!   A property whose type holds a non-empty `object { … }` is written unpadded,
//!   `name: object {`, with its modifiers after the closing `}`.
//! - **Modifiers** are written in their canonical order ([`crate::vocab::MODIFIERS`]:
//!   `required nullable min max min_length max_length pattern format example pii
//!   consent retention deprecated allow`),
//!   unknown ones after them as written, and the description last.
//! - **Values** are separated by `, `; literals are kept as written (string escapes,
//!   number spelling). Enum values stay on one line when it fits in `MAX_WIDTH`
//!   and no comment sits among them; otherwise one per line, each followed by `,`.
//! - **Comments** are kept, verbatim (trailing spaces removed):
//!   a comment on the line of a piece of code stays at the end of that line, and
//!   the trailing comments of consecutive lines of a block are aligned one space
//!   after the longest of those lines (a blank line or a multi-line item starts a
//!   new run); a comment on its own line stays above the item that follows it
//!   (with a blank line after it if there was one); a comment after the last item
//!   of a block stays before the `}`; a comment inside an item that is printed on
//!   one line (between the values of a list written over several lines) moves
//!   above that item.
//!
//! Formatting never changes meaning: the IR of the output equals the IR of the
//! input (tests/fmt.rs checks it over every fixture and example), and
//! `format(format(x)) == format(x)`. A file with syntax errors is not formatted.

mod comments;
mod print;

use crate::diagnostics::Diagnostic;
use crate::source::FileId;
use crate::syntax;

/// The width up to which one-line declarations and enum value lists stay on one line.
pub(crate) const MAX_WIDTH: usize = 100;

/// Formats one file's text. Returns the syntax errors instead when it does not parse.
pub fn format(file: FileId, text: &str) -> Result<String, Vec<Diagnostic>> {
    let ast = parse_whole(file, text)?;
    Ok(format_ast(text, &ast))
}

/// Parses a file to format it: the whole AST, or the syntax errors (a partial
/// AST would drop what did not parse). A large file is parsed on every core.
pub(crate) fn parse_whole(file: FileId, text: &str) -> Result<syntax::ast::File, Vec<Diagnostic>> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let p = syntax::parse(file, text, syntax::pieces::threads_for(text.len(), cores));
    match p.file {
        Some(ast) if !p.diagnostics.iter().any(Diagnostic::is_error) => Ok(ast),
        _ => Err(p.diagnostics),
    }
}

/// Formats a parsed file; `text` is the text it was parsed from (for comments and
/// literals as written).
pub(crate) fn format_ast(text: &str, file: &syntax::ast::File) -> String {
    print::Printer::new(text).file(file)
}

/// A unified diff (3 lines of context) from `old` to `new`, with `name` in both
/// headers; empty when they are equal.
///
/// Public only for the integration tests (tests/it).
pub fn unified_diff(name: &str, old: &str, new: &str) -> String {
    if old == new {
        return String::new();
    }
    let old_lines: Vec<&str> = old.split_inclusive('\n').collect();
    let new_lines: Vec<&str> = new.split_inclusive('\n').collect();
    // Myers' diff is O(N·D): on a large file that changes everywhere it takes
    // minutes. Formatting keeps declarations in order, so the diff is computed
    // one declaration at a time (old and new are cut at the lines that start a
    // declaration), which keeps every piece small and the result deterministic.
    // Cut points that do not pair up (a declaration written indented) give a
    // diff of the whole text instead; pieces that pair up wrongly still give a
    // correct diff, only a longer one.
    let cuts = |text: &str, lines: usize| {
        let mut v = vec![0];
        v.extend(decl_lines(text).into_iter().filter(|&l| l > 0));
        v.push(lines);
        v.dedup();
        v
    };
    let (a, b) = (cuts(old, old_lines.len()), cuts(new, new_lines.len()));
    let ops = if a.len() == b.len() {
        a.windows(2)
            .zip(b.windows(2))
            .flat_map(|(o, n)| {
                similar::capture_diff_slices(
                    similar::Algorithm::Myers,
                    &old_lines[o[0]..o[1]],
                    &new_lines[n[0]..n[1]],
                )
                .into_iter()
                .map(move |op| shift(op, o[0], n[0]))
            })
            .collect()
    } else {
        similar::capture_diff_slices(similar::Algorithm::Myers, &old_lines, &new_lines)
    };
    let shown = name.trim_start_matches('/');
    let mut out = format!("--- a/{shown}\n+++ b/{shown}\n");
    for group in similar::group_diff_ops(ops, 3) {
        let (Some(first), Some(last)) = (group.first(), group.last()) else {
            continue;
        };
        let old_range = first.old_range().start..last.old_range().end;
        let new_range = first.new_range().start..last.new_range().end;
        out.push_str(&format!(
            "@@ -{} +{} @@\n",
            hunk_range(old_range),
            hunk_range(new_range)
        ));
        for op in &group {
            let (tag_old, tag_new) = match op.tag() {
                similar::DiffTag::Equal => (Some(' '), None),
                similar::DiffTag::Delete => (Some('-'), None),
                similar::DiffTag::Insert => (None, Some('+')),
                similar::DiffTag::Replace => (Some('-'), Some('+')),
            };
            if let Some(t) = tag_old {
                for line in &old_lines[op.old_range()] {
                    push_line(&mut out, t, line);
                }
            }
            if let Some(t) = tag_new {
                for line in &new_lines[op.new_range()] {
                    push_line(&mut out, t, line);
                }
            }
        }
    }
    out
}

/// The 0-based lines that start a top-level declaration
/// ([`syntax::pieces::decl_lines`], the one splitter).
fn decl_lines(text: &str) -> Vec<usize> {
    let (mut offset, mut line) = (0, 0);
    syntax::pieces::decl_lines(text)
        .into_iter()
        .map(|start| {
            line += memchr::memchr_iter(b'\n', &text.as_bytes()[offset..start]).count();
            offset = start;
            line
        })
        .collect()
}

fn shift(op: similar::DiffOp, old: usize, new: usize) -> similar::DiffOp {
    use similar::DiffOp::*;
    match op {
        Equal {
            old_index,
            new_index,
            len,
        } => Equal {
            old_index: old_index + old,
            new_index: new_index + new,
            len,
        },
        Delete {
            old_index,
            old_len,
            new_index,
        } => Delete {
            old_index: old_index + old,
            old_len,
            new_index: new_index + new,
        },
        Insert {
            old_index,
            new_index,
            new_len,
        } => Insert {
            old_index: old_index + old,
            new_index: new_index + new,
            new_len,
        },
        Replace {
            old_index,
            old_len,
            new_index,
            new_len,
        } => Replace {
            old_index: old_index + old,
            old_len,
            new_index: new_index + new,
            new_len,
        },
    }
}

/// `start,len` of a hunk header, as `diff -u` writes it.
fn hunk_range(r: std::ops::Range<usize>) -> String {
    let len = r.end - r.start;
    match len {
        1 => format!("{}", r.start + 1),
        0 => format!("{},0", r.start),
        _ => format!("{},{}", r.start + 1, len),
    }
}

fn push_line(out: &mut String, tag: char, line: &str) {
    out.push(tag);
    out.push_str(line);
    if !line.ends_with('\n') {
        out.push_str("\n\\ No newline at end of file\n");
    }
}
