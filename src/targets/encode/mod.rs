//! The encoders targets share; none of them is a target and none writes a file.
//!
//! - `text`: deterministic text encoders (pretty JSON with sorted keys, YAML
//!   scalars, RFC 4180 CSV with cells guarded against formulas);
//! - `schema`: JSON Schema (draft-07) of plan properties, for `segment` and
//!   `jsonschema`;
//! - `markdown`: escaping and tables for the documents (`spec`, `qa`, and
//!   `validate --report`, `diff --format markdown`);
//! - `tracking_plan`: the plan as data, the serde views whose shape `json`
//!   and `yaml` publish (`schemas/tracking-plan.schema.json`), and the KPI,
//!   window and retention views `plan`, `spec` and `qa` share;
//! - [`sample_values`]: a value for each property (its example, a same-named
//!   property's, or one built from its type and constraints), for `samples`
//!   and the `constraints/unsatisfiable` rule.

pub(crate) mod markdown;
/// Public only for the integration tests (tests/it): values that satisfy a property.
pub mod sample_values;
pub(crate) mod schema;
pub(crate) mod text;
pub(crate) mod tracking_plan;
