use crate::ir::Plan;
use crate::rules::{Container, DefaultLevel, Finding, Rule, RuleDoc};
use unicode_normalization::UnicodeNormalization;

pub(crate) static DOC: RuleDoc = RuleDoc {
    name: "naming/confusable-name",
    default: DefaultLevel::Error,
    summary: "Event names hold no invisible characters (zero-width spaces, direction marks, controls), and no two event names look the same: differing only in invisible characters, Unicode normalisation (a precomposed `é` and `e` + U+0301), compatibility forms (full-width letters), case or spacing.",
    why: "Such names look alike to every reader but are different strings to Segment, the warehouse and every dashboard: events sent under one never count for the other, and nobody can see why. A name pasted from a document often carries a zero-width space or a decomposed accent.",
    bad: "event \"Order\\u{200B} Completed\" { … }\nevent \"Cafe\\u{301} Ordered\" { … }\nevent \"Café Ordered\" { … }",
    good: "event \"Order Completed\" { … }\nevent \"Café Ordered\" { … }",
};

pub(crate) struct ConfusableName;

/// Characters a reader does not see: Unicode's default-ignorable code points
/// (zero-width spaces and joiners, direction marks and embeddings, the soft
/// hyphen, variation selectors, tags…) and control characters.
pub(crate) fn is_invisible(c: char) -> bool {
    matches!(c as u32,
        0x00..=0x1F
        | 0x7F..=0x9F
        | 0xAD
        | 0x34F
        | 0x61C
        | 0x115F..=0x1160
        | 0x17B4..=0x17B5
        | 0x180B..=0x180F
        | 0x200B..=0x200F
        | 0x2028..=0x202E
        | 0x2060..=0x206F
        | 0x3164
        | 0xFE00..=0xFE0F
        | 0xFEFF
        | 0xFFA0
        | 0xFFF0..=0xFFF8
        | 0x1BCA0..=0x1BCA3
        | 0x1D173..=0x1D17A
        | 0xE0000..=0xE0FFF)
}

/// What a reader sees of a name: invisible characters dropped, compatibility
/// normalised (NFKC: `é` however encoded, full-width letters as ASCII), case
/// folded, runs of spaces as one.
pub(crate) fn visible_key(name: &str) -> String {
    let folded: String = if name.is_ascii() {
        name.chars()
            .filter(|c| !is_invisible(*c))
            .map(|c| c.to_ascii_lowercase())
            .collect()
    } else {
        let visible: String = name.chars().filter(|c| !is_invisible(*c)).collect();
        let lower = visible.nfkc().collect::<String>().to_lowercase();
        lower.nfkc().collect()
    };
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The name as a `.events` string would spell it, invisible characters as
/// `\u{…}` escapes, so that a message shows where they are.
fn shown(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if is_invisible(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// The first invisible character of a name, described.
fn first_invisible(name: &str) -> Option<String> {
    let c = name.chars().find(|c| is_invisible(*c))?;
    let what = match c as u32 {
        0x200B => " (zero width space)",
        0x200C => " (zero width non-joiner)",
        0x200D => " (zero width joiner)",
        0x200E | 0x200F | 0x061C => " (a direction mark)",
        0x202A..=0x202E | 0x2066..=0x2069 => " (a direction embedding or override)",
        0x2060 => " (word joiner)",
        0xFEFF => " (zero width no-break space, a byte order mark)",
        0xAD => " (soft hyphen)",
        0x00..=0x1F | 0x7F..=0x9F => " (a control character)",
        _ => "",
    };
    Some(format!("U+{:04X}{what}", c as u32))
}

impl Rule for ConfusableName {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, plan: &Plan, out: &mut Vec<Finding>) {
        let mut seen: rustc_hash::FxHashMap<String, usize> = Default::default();
        for (i, e) in plan.events.iter().enumerate() {
            // The versions of one name are one event: the current one speaks for them.
            if !e.is_current() {
                continue;
            }
            let name = &e.name.value;
            let key = visible_key(name);
            if let Some(&first) = seen.get(&key) {
                let other = &plan.events[first].name;
                let mut why = Vec::new();
                if name.chars().any(is_invisible) || other.value.chars().any(is_invisible) {
                    why.push("invisible characters");
                }
                let strip = |s: &str| s.chars().filter(|c| !is_invisible(*c)).collect::<String>();
                let (a, b) = (strip(name), strip(&other.value));
                if a.nfc().collect::<String>() == b.nfc().collect::<String>() && a != b {
                    why.push("Unicode normalisation (NFC and NFD)");
                } else if a.nfkc().collect::<String>() != a || b.nfkc().collect::<String>() != b {
                    why.push("Unicode compatibility forms");
                }
                if why.is_empty() {
                    why.push("case or spacing");
                }
                out.push(
                    Finding::new(
                        Container::Event(i),
                        format!(
                            "event \"{}\" looks the same as \"{}\"",
                            shown(name),
                            shown(&other.value)
                        ),
                        e.name.span,
                        "looks like the other",
                    )
                    .secondary(other.span, "this one")
                    .help(format!(
                        "they differ only in {}: to a reader they are one event, to every tool two; rename or remove one",
                        why.join(" and ")
                    )),
                );
                continue;
            }
            seen.insert(key, i);
            if let Some(c) = first_invisible(name) {
                let clean: String = name.chars().filter(|c| !is_invisible(*c)).collect();
                out.push(
                    Finding::new(
                        Container::Event(i),
                        format!(
                            "event name \"{}\" holds an invisible character, {c}",
                            shown(name)
                        ),
                        e.name.span,
                        "invisible character in this name",
                    )
                    .help(format!(
                        "remove it: \"{}\" (it was likely pasted with the name)",
                        shown(&clean)
                    )),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_fold_what_a_reader_cannot_see() {
        let same = [
            ("Order Completed", "Order\u{200B} Completed"),
            ("Café Ordered", "Cafe\u{301} Ordered"),
            ("Order Completed", "Ｏｒｄｅｒ Completed"),
            ("Order Completed", "order  completed"),
            ("Order Completed", "\u{FEFF}Order Completed\u{200E}"),
        ];
        for (a, b) in same {
            assert_eq!(visible_key(a), visible_key(b), "{a:?} {b:?}");
        }
        assert_ne!(
            visible_key("Order Completed"),
            visible_key("Order Complete")
        );
        assert_ne!(visible_key("Café Ordered"), visible_key("Cafe Ordered"));
        assert_eq!(shown("a\u{200B}b"), "a\\u{200b}b");
    }
}
