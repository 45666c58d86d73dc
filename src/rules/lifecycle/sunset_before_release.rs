use crate::ir::Plan;
use crate::rules::{Container, DefaultLevel, Finding, Rule, RuleDoc};

pub(crate) static DOC: RuleDoc = RuleDoc {
    name: "lifecycle/sunset-before-release",
    default: DefaultLevel::Error,
    summary: "An event's `sunset` date is after its `release` date.",
    why: "An event retired on or before the day it ships is never valid: `validate` would report every payload of it as sent after its sunset. One of the two dates is wrong.",
    bad: "event \"Promo Viewed\" {\n  release 2027-02-01\n  sunset  2027-01-15\n}",
    good: "event \"Promo Viewed\" {\n  release 2027-02-01\n  sunset  2027-06-30\n}",
};

pub(crate) struct SunsetBeforeRelease;

impl Rule for SunsetBeforeRelease {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, plan: &Plan, out: &mut Vec<Finding>) {
        for (i, e) in plan.events.iter().enumerate() {
            let (Some(release), Some(sunset)) = (&e.release, &e.sunset) else {
                continue;
            };
            if sunset.value > release.value {
                continue;
            }
            let when = if sunset.value == release.value {
                "on the day it is released".to_string()
            } else {
                format!("before it is released ({})", release.value)
            };
            out.push(
                Finding::new(
                    Container::Event(i),
                    format!("\"{}\" is sunset on {}, {when}", e.name.value, sunset.value),
                    sunset.span,
                    "sunset",
                )
                .secondary(release.span, "release")
                .help("the sunset must come after the release: fix one of the dates"),
            );
        }
    }
}
