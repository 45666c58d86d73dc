//! `validate --event PATTERN`: the events a run covers. A pattern is an
//! event name, or a glob (`*` any run of characters, `?` one character), or
//! `identify` / `group` / `page` / `screen` for those calls alone (no event then counts for
//! coverage: a replay of the identify sample passes on its own); the
//! selected events are QA's scope for coverage (`ir::qa`: a run narrows
//! the scope, never widens it). Payloads of other events are still checked
//! and counted.

use super::model::Model;

/// Whether `name` matches `pattern` (`*`, `?`; everything else literal).
/// Linear in practice: the classic backtracking to the last `*` only.
pub(crate) fn glob(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    let (mut i, mut j) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while j < n.len() {
        if i < p.len() && (p[i] == '?' || p[i] == n[j]) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == '*' {
            star = Some((i, j));
            i += 1;
        } else if let Some((si, sj)) = star {
            i = si + 1;
            j = sj + 1;
            star = Some((si, sj + 1));
        } else {
            return false;
        }
    }
    p[i..].iter().all(|&c| c == '*')
}

/// The events each pattern selects, as a flag per event of the model; an
/// error naming a pattern that selects nothing (with the closest event name).
pub(crate) fn select(model: &Model, patterns: &[String]) -> Result<Vec<bool>, String> {
    let mut selected = vec![false; model.events.len()];
    for pat in patterns {
        let mut any = matches!(pat.as_str(), "identify" | "group" | "page" | "screen");
        for (i, e) in model.events.iter().enumerate() {
            if glob(pat, &e.name) {
                selected[i] = true;
                any = true;
            }
        }
        if !any {
            let hint = super::suggest::closest(pat, model.events.iter().map(|e| &*e.name))
                .map_or_else(String::new, |s| format!(": did you mean {s:?}?"));
            return Err(format!(
                "--event {pat:?} matches no event of the plan{hint}"
            ));
        }
    }
    Ok(selected)
}

#[cfg(test)]
mod tests {
    use super::glob;

    #[test]
    fn globs() {
        assert!(glob("Order Completed", "Order Completed"));
        assert!(!glob("Order Completed", "order completed"));
        assert!(glob("Order *", "Order Completed"));
        assert!(glob("*", ""));
        assert!(glob("*ed", "Order Completed"));
        assert!(glob("O?der*", "Order Completed"));
        assert!(!glob("Order", "Order Completed"));
        assert!(glob("a*b*c", "a-b-b-c"));
        assert!(!glob("a*b*c", "a-b-b-d"));
        assert!(glob("a*", "aé"));
        let long = "a".repeat(2000);
        assert!(!glob(&format!("{}b", "*a".repeat(50)), &long));
    }
}
