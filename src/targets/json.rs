//! `json`: the tracking plan as data, `plan/tracking-plan.json`, for other tools
//! and CDP scripts. The shape is [`super::encode::tracking_plan::TrackingPlan`], published as
//! `schemas/tracking-plan.schema.json`, which is also written next to the file.

use super::encode::tracking_plan::TrackingPlan;
use super::{Artifact, Context, Target};

pub(crate) struct Json;

/// The published JSON Schema of the tracking plan (draft-07).
pub(crate) const SCHEMA: &str = include_str!("../../schemas/tracking-plan.schema.json");

impl Target for Json {
    fn name(&self) -> &'static str {
        "json"
    }

    fn description(&self) -> &'static str {
        "plan/tracking-plan.json: the tracking plan as data (events, properties, types, effective owner/consent/retention), with its JSON Schema"
    }

    fn generate(&self, cx: &Context) -> Vec<Artifact> {
        vec![
            Artifact::text("plan/tracking-plan.json", render(cx)),
            Artifact::text("plan/tracking-plan.schema.json", SCHEMA.to_string()),
        ]
    }
}

/// The tracking plan as pretty-printed JSON with a final newline.
pub(crate) fn render(cx: &Context) -> String {
    super::to_json_sized(&TrackingPlan::new(cx), super::size_hint(cx.sources, 12))
}
