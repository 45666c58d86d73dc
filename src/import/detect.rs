//! Which layout an input is in, told by its content (`--from` overrides), and
//! the reader for each.
//!
//! | input | looked for | layout |
//! |---|---|---|
//! | directory | files at `<vendor>/<name>/jsonschema/<M-R-A>` | `snowplow` |
//! | directory | `*.yaml`/`*.yml` with `kind: tp`, `tracking-plan`, `events`, `properties`, `custom-types` or `categories` | `rudderstack` |
//! | file | `resource "segment_tracking_plan"` | `terraform` |
//! | file | a CSV header with `Type` and `Event` columns | `csv` |
//! | file | YAML with a rudder-cli `kind` | `rudderstack` |
//! | JSON | `trackingPlans`, rules with `eventMetadata`, or `events` beside `identify_traits` | `typewriter` |
//! | JSON | `rules.events` or `rules.global` | `segment-config-v1` |
//! | JSON | `rules` (an array), `data`/`trackingPlan` around it, or an array | `segment` |
//! | JSON | `self` with `vendor`, `name`, `version` | `snowplow` (one schema) |

use super::{ImportError, Plan, Report};
use serde_json::Value;
use std::path::Path;

/// The layouts `import` reads (`--from`; the help text is each one's doc).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Layout {
    /// Segment Public API rules (`{"rules": [...]}` and the exports that wrap it).
    Segment,
    /// Segment Config API v1 tracking plan (`rules.events`, `rules.global`…).
    SegmentConfigV1,
    /// typewriter's plan.json (any version).
    Typewriter,
    /// Terraform `segment_tracking_plan` resources (`json_schema = jsonencode({...})`).
    Terraform,
    /// A rudder-cli project directory (tp, events, properties, custom-types, categories).
    Rudderstack,
    /// A directory of Snowplow Iglu schemas (`<vendor>/<name>/jsonschema/<M-R-A>`).
    Snowplow,
    /// Segment's tracking-plan CSV (Type, Event, Name, Description, Status, Data Type, Permitted Values).
    Csv,
}

impl Layout {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Layout::Segment => "segment",
            Layout::SegmentConfigV1 => "segment-config-v1",
            Layout::Typewriter => "typewriter",
            Layout::Terraform => "terraform",
            Layout::Rudderstack => "rudderstack",
            Layout::Snowplow => "snowplow",
            Layout::Csv => "csv",
        }
    }
}

/// An input: one file's text, or the files of a directory (paths relative to
/// it, `/`-separated, sorted).
pub enum Input {
    File(String),
    Dir(Vec<(String, String)>),
}

const LOOKED_FOR: &str = "Segment rules JSON (`{\"rules\": [...]}`, `{\"data\": {\"rules\": …}}`, `{\"trackingPlan\": …}` or an array of rules), a Config API v1 plan (`rules.events`), typewriter's `plan.json`, Terraform with `resource \"segment_tracking_plan\"`, a tracking-plan CSV (`Type`, `Event` columns), rudder-cli YAML (`kind: tp`, `events`, `properties`…) or Snowplow Iglu schemas (`<vendor>/<name>/jsonschema/<M-R-A>`)";

/// The layout of a file's text.
pub fn detect_file(path: &Path, text: &str) -> Result<Layout, String> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let head = text.trim_start_matches('\u{feff}').trim_start();
    if head.starts_with('{') || head.starts_with('[') {
        if let Ok(root) = serde_json::from_str::<Value>(text) {
            if let Some(l) = detect_json(&root) {
                return Ok(l);
            }
        } else if ext == "json" {
            // Let the Segment reader report where the JSON breaks.
            return Ok(Layout::Segment);
        }
    }
    if text.contains("segment_tracking_plan") && (ext == "tf" || text.contains("resource")) {
        return Ok(Layout::Terraform);
    }
    if ext == "csv" || looks_like_csv(head) {
        return Ok(Layout::Csv);
    }
    if matches!(ext.as_str(), "yaml" | "yml") || super::rudderstack::kind_of(text).is_some() {
        return Ok(Layout::Rudderstack);
    }
    Err(format!(
        "cannot tell what this file holds; looked for {LOOKED_FOR} (name the layout with `--from`)"
    ))
}

fn detect_json(root: &Value) -> Option<Layout> {
    if super::typewriter::looks_like(root) {
        return Some(Layout::Typewriter);
    }
    match root {
        Value::Array(_) => Some(Layout::Segment),
        Value::Object(o) => {
            if super::segment_config::looks_like(o) {
                Some(Layout::SegmentConfigV1)
            } else if o.get("self").and_then(|s| s.get("vendor")).is_some() {
                Some(Layout::Snowplow)
            } else if ["rules", "data", "trackingPlan", "tracking_plan"]
                .iter()
                .any(|k| o.contains_key(*k))
            {
                Some(Layout::Segment)
            } else {
                None
            }
        }
        _ => None,
    }
}

fn looks_like_csv(head: &str) -> bool {
    let first = head.lines().next().unwrap_or("").to_ascii_lowercase();
    first.contains(',') && first.contains("type") && first.contains("event")
}

/// The layout of a directory's files.
pub fn detect_dir(files: &[(String, String)]) -> Result<Layout, String> {
    if files
        .iter()
        .any(|(p, _)| super::snowplow::schema_path(p).is_some())
    {
        return Ok(Layout::Snowplow);
    }
    if files
        .iter()
        .any(|(p, t)| is_yaml(p) && super::rudderstack::kind_of(t).is_some())
    {
        return Ok(Layout::Rudderstack);
    }
    Err(format!(
        "cannot tell what this directory holds; looked for Snowplow Iglu schemas (`<vendor>/<name>/jsonschema/<M-R-A>`) and rudder-cli YAML files (`kind: tp`, `events`, `properties`, `custom-types`, `categories`) among its {} file{} (name the layout with `--from`)",
        files.len(),
        if files.len() == 1 { "" } else { "s" }
    ))
}

/// At most this many files are read from a directory, this deep.
const MAX_FILES: usize = 100_000;
const MAX_DEPTH: usize = 16;

/// The regular files below `dir` (hidden ones skipped, symbolic links to
/// directories not followed), paths relative and `/`-separated, sorted.
pub fn read_dir(dir: &Path) -> Result<Vec<(String, String)>, String> {
    let mut paths = Vec::new();
    walk(dir, "", 0, &mut paths)?;
    paths.sort();
    let mut files = Vec::with_capacity(paths.len());
    for rel in paths {
        let full = dir.join(&rel);
        let name = full.display().to_string();
        files.push((rel, read_text(&full, &name)?));
    }
    Ok(files)
}

fn walk(dir: &Path, prefix: &str, depth: usize, out: &mut Vec<String>) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Err(format!(
            "{}: more than {MAX_DEPTH} directories deep",
            dir.display()
        ));
    }
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("{}: {e}", dir.display()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let rel = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}/{name}")
        };
        let ty = entry
            .file_type()
            .map_err(|e| format!("{}: {e}", entry.path().display()))?;
        if ty.is_dir() {
            walk(&entry.path(), &rel, depth + 1, out)?;
        } else if ty.is_file() || ty.is_symlink() && entry.path().is_file() {
            if out.len() >= MAX_FILES {
                return Err(format!("{}: more than {MAX_FILES} files", dir.display()));
            }
            out.push(rel);
        }
    }
    Ok(())
}

/// A file (`-`: standard input) as UTF-8 text, at most the load limit.
pub(crate) fn read_text(path: &Path, name: &str) -> Result<String, String> {
    let bytes = if name == "-" {
        crate::load::read_stdin()
    } else {
        crate::load::read_source(path)
    }
    .map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "{name}: not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })
}

pub(crate) fn is_yaml(path: &str) -> bool {
    path.ends_with(".yaml") || path.ends_with(".yml")
}

/// Reads an input in the given layout.
pub fn read(layout: Layout, input: &Input) -> Result<(Plan, Report), ImportError> {
    match (layout, input) {
        (Layout::Segment, Input::File(t)) => super::segment::read(t),
        (Layout::SegmentConfigV1, Input::File(t)) => super::segment_config::read(t),
        (Layout::Typewriter, Input::File(t)) => super::typewriter::read(t),
        (Layout::Terraform, Input::File(t)) => super::terraform::read(t),
        (Layout::Csv, Input::File(t)) => super::csv::read(t),
        (Layout::Rudderstack, Input::File(t)) => {
            super::rudderstack::read(&[("input.yaml".to_string(), t.clone())])
        }
        (Layout::Rudderstack, Input::Dir(files)) => super::rudderstack::read(files),
        (Layout::Snowplow, Input::File(t)) => super::snowplow::read_one(t),
        (Layout::Snowplow, Input::Dir(files)) => super::snowplow::read(files),
        (l, Input::Dir(_)) => Err(ImportError::new(
            "",
            format!("`--from {}` reads a file, not a directory", l.name()),
        )),
    }
}
