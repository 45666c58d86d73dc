//! Printing a diff [`Report`]: plain text for a terminal, Markdown for a
//! pull-request comment, JSON for tools. Same input, same bytes.

use super::{Change, Class, Report};

/// The labels of the two sides (`origin/main:plans`, `plans`).
pub(crate) struct Sides<'a> {
    pub old: &'a str,
    pub new: &'a str,
}

fn heading(class: Class) -> &'static str {
    match class {
        Class::Breaking => "Breaking",
        Class::Compatible => "Compatible",
        Class::Documentation => "Documentation",
        Class::Governance => "Governance (needs review)",
    }
}

fn what(c: &Change) -> String {
    match &c.property {
        Some(p) => format!("{} › {p}", c.subject),
        None => c.subject.clone(),
    }
}

fn summary(r: &Report) -> String {
    Class::ALL
        .iter()
        .map(|&c| format!("{} {}", r.count(c), c.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn version_line(r: &Report) -> String {
    match r.required_bump {
        super::Bump::None => format!(
            "version {} → {}: no bump needed",
            r.old_version, r.new_version
        ),
        b => format!(
            "version {} → {}: the changes need a {} bump (at least {})",
            r.old_version,
            r.new_version,
            b.as_str(),
            r.minimum_version
        ),
    }
}

pub(crate) fn human(r: &Report, sides: &Sides) -> String {
    let mut s = format!(
        "old: {} (version {})\nnew: {} (version {})\n",
        sides.old, r.old_version, sides.new, r.new_version
    );
    if r.changes.is_empty() {
        s.push_str("\nno changes\n");
    }
    for class in Class::ALL {
        let changes: Vec<&Change> = r.changes.iter().filter(|c| c.class == class).collect();
        if changes.is_empty() {
            continue;
        }
        s.push_str(&format!("\n{} ({})\n", heading(class), changes.len()));
        for c in changes {
            s.push_str(&format!("  {}: {}\n", what(c), c.message));
            let old = c.old.as_ref().map_or("-".to_string(), ToString::to_string);
            let new = c.new.as_ref().map_or("-".to_string(), ToString::to_string);
            s.push_str(&format!("      old {old}  new {new}\n"));
        }
    }
    s.push_str(&format!("\n{}\n{}\n", summary(r), version_line(r)));
    // Names, values and paths come from the plans: no control sequence reaches
    // the terminal.
    crate::visible::visible_lines(&s).into_owned()
}

use crate::targets::encode::markdown::{code, code_span, rich};

pub(crate) fn markdown(r: &Report, sides: &Sides) -> String {
    let mut s = String::from("### Tracking plan changes\n\n");
    s.push_str(&format!(
        "Comparing {} ({}) with {} ({}).\n\n",
        code_span(sides.old),
        code_span(&r.old_version.to_string()),
        code_span(sides.new),
        code_span(&r.new_version.to_string())
    ));
    let counts: Vec<String> = Class::ALL
        .iter()
        .map(|&c| {
            let n = r.count(c);
            if n > 0 && c == Class::Breaking {
                format!("**{n} breaking**")
            } else {
                format!("{n} {}", c.as_str())
            }
        })
        .collect();
    s.push_str(&format!("{}\n\n", counts.join(" · ")));
    s.push_str(&format!(
        "Version `{}` → `{}`: ",
        r.old_version, r.new_version
    ));
    match r.required_bump {
        super::Bump::None => s.push_str("no bump needed.\n"),
        b => s.push_str(&format!(
            "the changes need a **{}** bump (at least `{}`).\n",
            b.as_str(),
            r.minimum_version
        )),
    }
    if let Some(e) = r.version_error() {
        s.push_str(&format!("\n> **Error:** {}\n", rich(&e, false)));
    }
    for class in Class::ALL {
        let changes: Vec<&Change> = r.changes.iter().filter(|c| c.class == class).collect();
        if changes.is_empty() {
            continue;
        }
        s.push_str(&format!(
            "\n#### {} ({})\n\n| what | change | old | new |\n|---|---|---|---|\n",
            heading(class),
            changes.len()
        ));
        for c in changes {
            let loc =
                |l: &Option<super::Loc>| l.as_ref().map_or(String::new(), |l| code(&l.to_string()));
            s.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                code(&what(c)),
                rich(&c.message, true),
                loc(&c.old),
                loc(&c.new)
            ));
        }
    }
    s
}

pub(crate) fn json(r: &Report, sides: &Sides) -> String {
    let counts: serde_json::Map<String, serde_json::Value> = Class::ALL
        .iter()
        .map(|&c| (c.as_str().to_string(), r.count(c).into()))
        .collect();
    let v = serde_json::json!({
        "old": { "source": sides.old, "version": r.old_version },
        "new": { "source": sides.new, "version": r.new_version },
        "counts": counts,
        "required_bump": r.required_bump,
        "minimum_version": r.minimum_version,
        "version_ok": r.version_ok,
        "version_error": r.version_error(),
        "changes": r.changes,
    });
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}
