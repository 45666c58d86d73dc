//! The QA policy: which events QA covers, how many must be observed, and when
//! a QA run passes. Computed here once and used by every stage that talks about
//! QA: the QA checklist and `plan.json` (the targets), `validate` and `serve`
//! (the verdict), the dbt QA models. Nothing else may restate these formulas.
//!
//! - **in scope**: every event that is not deprecated (`in_scope`), counted
//!   once whatever its versions (by its current version); it is observed when
//!   a payload of any of its versions is seen (each payload is still checked
//!   against its own version). A run may narrow the scope to some events
//!   (`validate --event`), never widen it;
//! - **required observed**: the fewest in-scope events that reach the coverage
//!   target (`Qa::required_observed`): `ceil(in_scope × coverage / 100)`;
//! - **met**: coverage is met when at least that many in-scope events were
//!   observed, defects when the payloads with a defect stay within the
//!   ceiling; QA passes when both are (`Qa::verdict`).

use super::{Event, Plan, Qa, Status};
use serde::Serialize;

/// Whether an event of this status counts for coverage.
pub(crate) fn status_in_scope(status: Status) -> bool {
    status != Status::Deprecated
}

/// Whether QA covers this event (it is not deprecated): an event with
/// versions counts once, by its current version.
pub(crate) fn in_scope(event: &Event) -> bool {
    status_in_scope(event.status.value) && event.is_current()
}

impl Plan {
    /// How many events QA covers.
    pub(crate) fn qa_in_scope(&self) -> usize {
        self.events.iter().filter(|e| in_scope(e)).count()
    }

    /// How many events QA checks for absence: deprecated ones, each once
    /// (by its current version, like `in_scope`).
    pub(crate) fn qa_deprecated(&self) -> usize {
        self.events
            .iter()
            .filter(|e| e.is_current() && !status_in_scope(e.status.value))
            .count()
    }
}

/// A QA run judged against `qa { }`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// In-scope events.
    pub in_scope: u64,
    /// In-scope events observed at least once.
    pub observed: u64,
    /// In-scope events that must be observed.
    pub required: u64,
    pub coverage_met: bool,
    /// Payloads with at least one defect.
    pub defective: u64,
    pub defects_met: bool,
    pub passed: bool,
}

impl Qa {
    /// The fewest of `in_scope` events that must be observed to reach the
    /// coverage target (0 when nothing is in scope).
    pub(crate) fn required_observed(&self, in_scope: usize) -> usize {
        // The epsilon keeps 95% of 20 at 19 despite 20 × 95 / 100 = 19.000000000000004.
        ((in_scope as f64) * self.coverage / 100.0 - 1e-9)
            .ceil()
            .max(0.0) as usize
    }

    /// Judges a run: `observed` of `in_scope` events seen, `defective`
    /// payloads with at least one defect.
    pub(crate) fn verdict(&self, in_scope: u64, observed: u64, defective: u64) -> Verdict {
        let required = self.required_observed(in_scope as usize) as u64;
        let coverage_met = observed >= required;
        let defects_met = defective <= u64::from(self.defect_ceiling);
        Verdict {
            in_scope,
            observed,
            required,
            coverage_met,
            defective,
            defects_met,
            passed: coverage_met && defects_met,
        }
    }

    /// Observed share of the in-scope events, in percent (100 when nothing is
    /// in scope).
    pub(crate) fn percent(in_scope: u64, observed: u64) -> f64 {
        if in_scope == 0 {
            100.0
        } else {
            observed as f64 * 100.0 / in_scope as f64
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn qa(coverage: f64, defect_ceiling: u32) -> Qa {
        Qa {
            coverage,
            defect_ceiling,
            ..Qa::default()
        }
    }

    #[test]
    fn required_observed() {
        assert_eq!(qa(95.0, 0).required_observed(2), 2);
        assert_eq!(qa(95.0, 0).required_observed(20), 19);
        assert_eq!(qa(100.0, 0).required_observed(10), 10);
        assert_eq!(qa(0.0, 0).required_observed(3), 0);
        assert_eq!(qa(33.3, 0).required_observed(3), 1);
        assert_eq!(qa(100.0, 0).required_observed(0), 0);
    }

    #[test]
    fn verdicts() {
        let v = qa(95.0, 1).verdict(20, 19, 1);
        assert!(v.coverage_met && v.defects_met && v.passed);
        let v = qa(95.0, 1).verdict(20, 18, 0);
        assert!(!v.coverage_met && !v.passed);
        let v = qa(95.0, 1).verdict(20, 20, 2);
        assert!(v.coverage_met && !v.defects_met && !v.passed);
        assert!(qa(100.0, 0).verdict(0, 0, 0).passed);
    }
}
