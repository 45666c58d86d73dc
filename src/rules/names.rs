//! Naming styles: checking names and converting between styles, for the naming
//! rules and their suggestions.

use crate::ir::{EventNaming, PropertyNaming};

/// Past participles that do not end in `ed`.
pub(crate) const IRREGULAR: &[&str] = &[
    "Paid",
    "Sent",
    "Won",
    "Lost",
    "Shown",
    "Seen",
    "Built",
    "Bought",
    "Sold",
    "Made",
    "Read",
    "Set",
    "Done",
    "Given",
    "Taken",
    "Held",
    "Left",
    "Kept",
    "Found",
    "Spent",
    "Begun",
    "Run",
    "Written",
    "Chosen",
    "Hidden",
    "Met",
    "Put",
    "Cut",
    "Hit",
    "Reset",
    "Upheld",
    "Withdrawn",
];

/// A name split into words: `orderId` → [order, Id], `Order Completed` → [Order, Completed].
pub(crate) struct Words(pub Vec<String>);

impl Words {
    pub(crate) fn split(name: &str) -> Words {
        let mut words = Vec::new();
        let mut cur = String::new();
        let chars: Vec<char> = name.chars().collect();
        for (i, &c) in chars.iter().enumerate() {
            if !c.is_alphanumeric() {
                if !cur.is_empty() {
                    words.push(std::mem::take(&mut cur));
                }
                continue;
            }
            let prev = i.checked_sub(1).map(|j| chars[j]);
            let next = chars.get(i + 1).copied();
            let boundary = match prev {
                Some(p) if c.is_uppercase() => {
                    p.is_lowercase()
                        || p.is_ascii_digit()
                        || (p.is_uppercase() && next.is_some_and(char::is_lowercase))
                }
                _ => false,
            };
            if boundary && !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            cur.push(c);
        }
        if !cur.is_empty() {
            words.push(cur);
        }
        Words(words)
    }

    fn lower(&self) -> Vec<String> {
        self.0.iter().map(|w| w.to_lowercase()).collect()
    }

    pub(crate) fn snake(&self) -> String {
        self.lower().join("_")
    }

    pub(crate) fn camel(&self) -> String {
        self.lower()
            .iter()
            .enumerate()
            .map(|(i, w)| if i == 0 { w.clone() } else { capitalize(w) })
            .collect()
    }

    /// Title Case, keeping acronyms (`CTA`).
    pub(crate) fn title(&self) -> String {
        self.0
            .iter()
            .map(|w| {
                if w.len() > 1 && w.chars().all(|c| c.is_uppercase() || c.is_ascii_digit()) {
                    w.clone()
                } else {
                    capitalize(&w.to_lowercase())
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

fn capitalize(w: &str) -> String {
    let mut c = w.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

pub(crate) fn is_snake(s: &str) -> bool {
    let mut parts = s.split('_');
    let first = parts.next().unwrap_or("");
    first.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && first
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && parts.all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

pub(crate) fn is_camel(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && s.chars().all(|c| c.is_ascii_alphanumeric())
}

/// Why a name is not `object_action`, if it is not.
pub(crate) fn object_action_problem(name: &str) -> Option<String> {
    if name != name.trim() || name.contains("  ") {
        return Some("words are separated by single spaces".into());
    }
    let words: Vec<&str> = name.split(' ').collect();
    if words.len() < 2 {
        return Some("it needs at least two words: the object, then a past-tense action".into());
    }
    for w in &words {
        if !w
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        {
            return Some(format!(
                "each word starts with an uppercase letter or a digit, and `{w}` does not"
            ));
        }
        if !w.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Some(format!("words are letters and digits, and `{w}` is not"));
        }
    }
    let last = words[words.len() - 1];
    if !(last.ends_with("ed") || IRREGULAR.contains(&last)) {
        return Some(format!(
            "the last word is the action, in the past tense (`Completed`, `Viewed`, `Paid`), and `{last}` is not"
        ));
    }
    None
}

/// The name rewritten in a style.
pub(crate) fn convert_case(name: &str, style: &str) -> String {
    let w = Words::split(name);
    match style {
        "snake_case" => w.snake(),
        "camel_case" => w.camel(),
        _ => w.title(),
    }
}

pub(crate) fn event_problem(name: &str, style: EventNaming) -> Option<String> {
    match style {
        EventNaming::ObjectAction => object_action_problem(name),
        EventNaming::SnakeCase => (!is_snake(name))
            .then(|| "snake_case names are lowercase words joined by `_`".to_string()),
        EventNaming::CamelCase => (!is_camel(name)).then(|| {
            "camel_case names start lowercase, with each further word capitalized and no separators"
                .to_string()
        }),
    }
}

pub(crate) fn property_ok(name: &str, style: PropertyNaming) -> bool {
    match style {
        PropertyNaming::SnakeCase => is_snake(name),
        PropertyNaming::CamelCase => is_camel(name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_and_converts() {
        assert_eq!(convert_case("orderId", "snake_case"), "order_id");
        assert_eq!(convert_case("order_id", "camel_case"), "orderId");
        assert_eq!(convert_case("CTAClicked", "object_action"), "CTA Clicked");
        assert_eq!(
            convert_case("order completed", "object_action"),
            "Order Completed"
        );
        assert_eq!(
            convert_case("HTTPRequest2Sent", "snake_case"),
            "http_request2_sent"
        );
    }

    #[test]
    fn object_action() {
        assert!(object_action_problem("Order Completed").is_none());
        assert!(object_action_problem("CTA Clicked").is_none());
        assert!(object_action_problem("Invoice Paid").is_none());
        assert!(object_action_problem("3D Model Built").is_none());
        assert!(object_action_problem("Completed").is_some());
        assert!(object_action_problem("order completed").is_some());
        assert!(object_action_problem("Order  Completed").is_some());
        assert!(object_action_problem("Complete Order").is_some());
    }

    #[test]
    fn styles() {
        assert!(
            is_snake("trial_days")
                && is_snake("a1_b2")
                && !is_snake("orderId")
                && !is_snake("a__b")
        );
        assert!(is_camel("orderId") && !is_camel("OrderId") && !is_camel("order_id"));
    }
}
