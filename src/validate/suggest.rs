//! "Did you mean": the planned name closest to one a payload used, for
//! unplanned events, properties and traits (`"account created"` →
//! `"Account Created"`, `trial_dayz` → `trial_days`).
//!
//! Names are compared folded (lower case, letters and digits only), so case,
//! spaces, `_` and `-` never count; then by edit distance on the folded
//! names, within a third of the name's length (at most 3 edits).

/// A name folded for comparison.
pub(crate) fn fold(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The most edits allowed for a folded name of this length.
fn budget(len: usize) -> usize {
    (len / 3).clamp(1, 3)
}

/// The candidate closest to `name`, if one is close enough: equal once
/// folded, else the fewest edits within the budget (the first one on a tie).
pub(crate) fn closest<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let folded = fold(name);
    if folded.is_empty() {
        return None;
    }
    let limit = budget(folded.chars().count());
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let f = fold(c);
        if f == folded {
            return Some(c);
        }
        // Lengths that differ by more than the budget cannot be close.
        if f.chars().count().abs_diff(folded.chars().count()) > limit {
            continue;
        }
        let d = strsim::damerau_levenshtein(&f, &folded);
        if d <= limit && best.is_none_or(|(b, _)| d < b) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// ` (did you mean "X"?)`, or nothing.
pub(crate) fn hint(suggestion: Option<&str>, quote: fn(&str) -> String) -> String {
    suggestion.map_or_else(String::new, |s| format!("; did you mean {}?", quote(s)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        let events = ["Account Created", "Trial Started", "Order Completed"];
        assert_eq!(closest("account created", events), Some("Account Created"));
        assert_eq!(closest("account_created", events), Some("Account Created"));
        assert_eq!(closest("Acount Created", events), Some("Account Created"));
        assert_eq!(closest("Page Viewed", events), None);
        assert_eq!(closest("", events), None);
        let props = ["trial_days", "plan", "seats"];
        assert_eq!(closest("trial_dayz", props), Some("trial_days"));
        assert_eq!(closest("trialDays", props), Some("trial_days"));
        assert_eq!(closest("plans", props), Some("plan"));
        assert_eq!(closest("x", props), None);
    }
}
