//! Synthetic plans for benchmarks and tests: N events × P properties, valid,
//! deterministic, with no warnings.
//!
//! Public only for the integration tests (tests/it): synthetic plans of any
//! size.

use std::fmt::Write;

/// The synthetic plan's text: deterministic, valid, no warnings.
pub fn plan_text(events: usize, properties: usize) -> String {
    let mut s = String::with_capacity(events * properties * 60);
    s.push_str("plan \"Synthetic benchmark\" {\n  use_case \"Benchmark\"\n  sources product, web, server\n  tools segment, dbt\n  constraints gdpr\n  timeline 2026-12-15\n  version \"1.0.0\"\n  owner @analytics\n  retention standard\n}\n\n");
    s.push_str("owner @analytics { name \"Analytics\" }\nowner @growth { name \"Growth\"; backup @analytics }\n");
    s.push_str(
        "consent analytics { basis legitimate_interest }\nconsent marketing { basis consent }\n",
    );
    s.push_str("retention standard { duration 13 months; action delete }\n");
    s.push_str(
        "source product { kind product }\nsource web { kind web }\nsource server { kind server }\n",
    );
    s.push_str("enum Tier { \"free\", \"pro\", \"enterprise\" }\n");
    s.push_str("bundle Context {\n  account_id: string required \"Account\"\n  tier: Tier required \"Tier\"\n}\n\n");
    let sources = ["product", "web", "server"];
    let objects = [
        "Order", "Cart", "Product", "Trial", "Invoice", "Report", "Widget", "Page",
    ];
    let actions = [
        "Viewed",
        "Created",
        "Updated",
        "Deleted",
        "Shared",
        "Exported",
        "Completed",
        "Paid",
    ];
    for i in 0..events {
        let name = format!(
            "{} {} {}",
            objects[i % objects.len()],
            i,
            actions[(i / objects.len()) % actions.len()]
        );
        let _ = writeln!(s, "event \"{name}\" {{");
        let _ = writeln!(s, "  description \"Synthetic event number {i}.\"");
        let _ = writeln!(
            s,
            "  owner @{}",
            if i % 2 == 0 { "growth" } else { "analytics" }
        );
        let _ = writeln!(s, "  source {}", sources[i % sources.len()]);
        s.push_str("  consent analytics\n  use Context\n");
        for j in 0..properties.saturating_sub(2) {
            let line = match j % 6 {
                0 => format!("  field_{j}: string required max_length(120) \"Text field {j}\""),
                1 => format!("  field_{j}: integer min(0) max(1000) \"Count {j}\""),
                2 => format!("  field_{j}: number nullable \"Amount {j}\""),
                3 => format!("  field_{j}: enum(\"a\", \"b\", \"c\") required \"Choice {j}\""),
                4 => format!("  field_{j}: datetime \"Time {j}\""),
                _ => format!(
                    "  field_{j}: string format(email) pii(contact) consent(marketing) \"Contact {j}\""
                ),
            };
            s.push_str(&line);
            s.push('\n');
        }
        s.push_str("}\n\n");
    }
    s
}
