use super::column_collision::{Report, check_tables};
use crate::ir::Plan;
use crate::rules::{DefaultLevel, Finding, Rule, RuleDoc};

pub(crate) static DOC: RuleDoc = RuleDoc {
    name: "segment/warehouse-column",
    default: DefaultLevel::Warn,
    summary: "No property or trait lands in a warehouse column Segment fills itself (`id`, `timestamp`, `received_at`, `event`, `uuid_ts`, …).",
    why: "Segment's warehouse loader adds properties and traits as un-prefixed columns next to its own, and discards a property named like one of its reserved columns (https://segment.com/docs/connections/storage/warehouses/schema/): an `id` or `timestamp` property reaches every other destination but not the warehouse, and the dbt sources leave it out. Only warehouse destinations lose it, so this is a warning; rename the property when the plan is loaded into a warehouse.",
    bad: "event \"Order Completed\" {\n  id:        string\n  timestamp: datetime\n}",
    good: "event \"Order Completed\" {\n  order_id:     string\n  completed_at: datetime\n}",
};

pub(crate) struct WarehouseColumn;

impl Rule for WarehouseColumn {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, plan: &Plan, out: &mut Vec<Finding>) {
        check_tables(Report::SegmentColumns, plan, out);
    }
}
