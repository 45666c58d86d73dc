//! Targets: pure functions from a checked plan to files.
//!
//! Each target is one file implementing [`Target`]; [`TARGETS`] lists them. A target
//! never writes to disk and never reads the clock: `eventsc build` (src/cli/build.rs)
//! writes what they return, atomically, with a manifest. The same input gives the
//! same bytes on every machine.
//!
//! Not targets: the encoders they share, in [`encode`]. Running targets and
//! writing their files with the manifest is `crate::outdir`.

pub mod client;
pub(crate) mod csv;
pub(crate) mod dbt;
pub mod encode;
pub(crate) mod jsonschema;
pub(crate) mod segment;

pub(crate) mod json;
pub(crate) mod plan;
pub(crate) mod qa;
pub mod samples;
pub(crate) mod spec;
pub(crate) mod yaml;

use crate::diagnostics::Diagnostic;
use crate::ir::{Plan, Traits};
use crate::source::SourceMap;

/// One generated file: a path relative to the output directory (`/`-separated)
/// and its contents.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Artifact {
    pub path: String,
    pub bytes: Vec<u8>,
}

impl Artifact {
    pub(crate) fn text(path: impl Into<String>, text: String) -> Artifact {
        Artifact {
            path: path.into(),
            bytes: text.into_bytes(),
        }
    }
}

/// What a target gets: the checked plan (no errors), its sources (for `file:line`
/// locations and hashes) and the warnings `check` reported.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    pub plan: &'a Plan,
    pub sources: &'a SourceMap,
    pub warnings: &'a [Diagnostic],
    pub options: Options,
    /// The plan as named from the output folder (`build --out`), for the
    /// commands the QA checklist prints; `None` when not known.
    pub plan_path: Option<&'a str>,
}

/// Options of targets, from the command line (`build --dbt-version`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// The dbt line the `dbt` target writes YAML for.
    pub dbt_version: dbt::DbtVersion,
}

/// A target option: `build --TARGET-KEY VALUE` on the command line,
/// `[targets.TARGET] KEY = "VALUE"` in `eventsc.toml`.
#[derive(Debug)]
pub(crate) struct TargetOption {
    pub target: &'static str,
    pub key: &'static str,
    /// Sets the option from its text; the error says what is accepted.
    pub set: fn(&mut Options, &str) -> Result<(), String>,
}

/// Every target option (see [`TargetOption`]).
pub(crate) static TARGET_OPTIONS: &[TargetOption] = &[TargetOption {
    target: "dbt",
    key: "version",
    set: |o, v| {
        o.dbt_version = parse_dbt_version(v)?;
        Ok(())
    },
}];

/// A dbt-core version the `dbt` target writes for (`--dbt-version`).
pub(crate) fn parse_dbt_version(s: &str) -> Result<dbt::DbtVersion, String> {
    dbt::DbtVersion::parse(s).ok_or_else(|| {
        format!(
            "`{s}` is not a dbt-core version eventsc writes for: 1.8 or later, like 1.9 or 1.10.5"
        )
    })
}

pub trait Target: Sync {
    /// The name used with `--target`.
    fn name(&self) -> &'static str;
    /// One line for `eventsc targets`.
    fn description(&self) -> &'static str;
    fn generate(&self, cx: &Context) -> Vec<Artifact>;
    /// Whether `--target all` (the default) builds it. The typed clients are
    /// code for apps, built when asked for: a 10k-event plan's are 57 MB.
    fn in_all(&self) -> bool {
        true
    }
}

/// Every target, in the order `eventsc targets` lists them.
pub static TARGETS: &[&dyn Target] = &[
    &segment::Segment,
    &jsonschema::JsonSchema,
    &dbt::Dbt,
    &csv::Csv,
    &json::Json,
    &yaml::Yaml,
    &spec::Spec,
    &qa::Qa,
    &samples::Samples,
    &plan::PlanTarget,
    &client::typescript::TARGET,
    &client::python::TARGET,
];

pub fn find(name: &str) -> Option<&'static dyn Target> {
    TARGETS.iter().copied().find(|t| t.name() == name)
}

/// Pretty-printed JSON (two-space indent) with a final newline.
pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> String {
    to_json_sized(value, 0)
}

/// [`to_json`] into a buffer of `capacity` bytes reserved up front.
pub(crate) fn to_json_sized<T: serde::Serialize>(value: &T, capacity: usize) -> String {
    let mut bytes = Vec::with_capacity(capacity);
    match serde_json::to_writer_pretty(&mut bytes, value) {
        Ok(()) => {
            bytes.push(b'\n');
            // serde_json writes UTF-8 only.
            String::from_utf8(bytes)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
        }
        Err(e) => format!("{{\"error\": {:?}}}\n", e.to_string()),
    }
}

/// A generous guess at the size of an output that grows with the plan:
/// `per_byte` bytes per byte of `.events` source. Reserving it up front costs
/// nothing until it is written (the OS maps memory on first touch) and spares a
/// large output the copies, and fresh pages, of growing by doubling.
pub(crate) fn size_hint(sources: &SourceMap, per_byte: usize) -> usize {
    let source: usize = sources.files().map(|(_, f)| f.text.len()).sum();
    4096 + source.saturating_mul(per_byte)
}

/// The file-name form of an event name, shared by every target that writes one
/// file per event: lowercase, each run of non-alphanumerics becomes one `-`, no
/// `-` at either end (`"Trial Started"` → `trial-started`). Non-ASCII letters and
/// digits are kept (lowercased).
pub(crate) fn slug(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// The longest slug kept whole, in bytes: with the hash suffix and `.json`
/// the file name stays far below the 255 bytes file systems allow (and the
/// temporary file's name, which adds some 30, too).
pub(crate) const MAX_SLUG_BYTES: usize = 120;

/// Whether a file stem is a name Windows reserves for a device whatever the
/// extension (`con`, `nul`, `com1`, `lpt9`, …: `con.json` cannot be created
/// there).
///
/// Public only for the integration tests (tests/it).
pub fn is_windows_reserved(stem: &str) -> bool {
    let base = stem
        .split('.')
        .next()
        .unwrap_or("")
        .trim_end_matches([' ', '.']);
    let lower = base.to_ascii_lowercase();
    match lower.as_str() {
        "con" | "prn" | "aux" | "nul" | "conin$" | "conout$" => true,
        _ => ["com", "lpt"].iter().any(|p| {
            lower.strip_prefix(p).is_some_and(|n| {
                matches!(n, "0" | "1" | "2" | "3" | "4" | "5" | "6" | "7" | "8" | "9")
                    || matches!(n, "\u{b9}" | "\u{b2}" | "\u{b3}")
            })
        }),
    }
}

/// A file-name stem per event (by event index), unique within the plan, valid
/// on every file system and the same in every per-event output (`schemas/`,
/// `samples/`): the [`slug`] of the name, unless it is empty, is `identify` or
/// `group` (files of their own), is a name Windows reserves (`con`, `nul`,
/// `com1`, …), is longer than [`MAX_SLUG_BYTES`] (then it is cut there), or is
/// shared with another event; then `-` and the first 8 hex digits of the
/// SHA-256 of the name are appended (`event-…` for an empty slug). Names that
/// still meet (a name made to look like another's hashed slug) get `-` and
/// their position in the plan. So two names never share a file (`"X Y
/// Ordered"` and `"X-Y Ordered"`), and a plan that passes `check` always
/// builds, whatever its names. The versions of one event share its stem, and
/// a version above 1 adds `.vN` (`order-completed.v2`: a slug has no `.`, so
/// no other name can meet it).
pub(crate) fn event_slugs(plan: &Plan) -> Vec<String> {
    let slugs: Vec<String> = plan.events.iter().map(|e| slug(&e.name.value)).collect();
    let mut count = rustc_hash::FxHashMap::default();
    count.reserve(slugs.len());
    // One count per name: the versions of an event are not a clash.
    for (s, _) in slugs
        .iter()
        .zip(&plan.events)
        .filter(|(_, e)| e.is_current())
    {
        *count.entry(s.as_str()).or_insert(0usize) += 1;
    }
    let clashes: Vec<bool> = slugs
        .iter()
        .map(|s| {
            s.is_empty()
                || s == "identify"
                || s == "group"
                || s.len() > MAX_SLUG_BYTES
                || is_windows_reserved(s)
                || count.get(s.as_str()).is_some_and(|n| *n > 1)
        })
        .collect();
    let mut out: Vec<String> = plan
        .events
        .iter()
        .zip(slugs.iter().zip(clashes))
        .map(|(e, (s, clash))| {
            if !clash {
                return s.clone();
            }
            let hex = short_hash(&e.name.value);
            let mut cut = s.len().min(MAX_SLUG_BYTES);
            while !s.is_char_boundary(cut) {
                cut -= 1;
            }
            let s = s[..cut].trim_end_matches('-');
            if s.is_empty() {
                format!("event-{hex}")
            } else {
                format!("{s}-{hex}")
            }
        })
        .zip(&plan.events)
        .map(|(s, e)| match e.version() {
            1 => s,
            v => format!("{s}.v{v}"),
        })
        .collect();
    let mut seen = rustc_hash::FxHashMap::default();
    let mut again = Vec::new();
    for (i, s) in out.iter().enumerate() {
        if seen.insert(s.clone(), i).is_some() {
            again.push(i);
        }
    }
    for i in again {
        let mut unique = format!("{}-{}", out[i], i + 1);
        while seen.contains_key(&unique) {
            unique = format!("{unique}-{}", i + 1);
        }
        seen.insert(unique.clone(), i);
        out[i] = unique;
    }
    out
}

/// What the documents add to a versioned event's title: ` (version 2,
/// current)`, ` (version 1)`; nothing for an event with one version.
pub(crate) fn version_suffix(e: &crate::ir::Event) -> String {
    match (e.is_versioned(), e.is_current()) {
        (false, _) => String::new(),
        (true, true) => format!(" (version {}, current)", e.version()),
        (true, false) => format!(" (version {})", e.version()),
    }
}

/// `bytes` in lower-case hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(2 * bytes.len());
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// The first 4 bytes of the SHA-256 of `s`, in hex: a short, stable suffix that
/// tells apart names that would otherwise clash.
pub(crate) fn short_hash(s: &str) -> String {
    use sha2::{Digest, Sha256};
    hex(&Sha256::digest(s.as_bytes())[..4])
}

/// The rule for every page (or screen) of `t`'s kind, when the plan has one.
pub(crate) fn every_view<'p>(plan: &'p Plan, t: &Traits) -> Option<&'p Traits> {
    plan.views
        .iter()
        .find(|v| v.kind == t.kind && v.name.is_none())
}

/// The file stem of each page and screen rule, by index in `plan.views`:
/// `page_all` / `screen_all` for the rule of every page (screen), `page_` /
/// `screen_` and the name's [`slug`] for a named one (`page "Pricing"` →
/// `page_pricing`). An event's stem never holds `_`, so no view's file can
/// be an event's. A slug that is empty, is `all`, is longer than
/// [`MAX_SLUG_BYTES`] or is shared with another rule of its kind gets `-` and
/// the first 8 hex digits of the SHA-256 of the name appended (cut first).
pub(crate) fn view_stems(plan: &Plan) -> Vec<String> {
    let slugs: Vec<Option<String>> = plan
        .views
        .iter()
        .map(|t| t.name.as_ref().map(|n| slug(&n.value)))
        .collect();
    let mut count = rustc_hash::FxHashMap::default();
    for (s, t) in slugs.iter().zip(&plan.views) {
        if let Some(s) = s {
            *count.entry((t.kind, s.as_str())).or_insert(0usize) += 1;
        }
    }
    plan.views
        .iter()
        .zip(&slugs)
        .map(|(t, s)| {
            let kind = t.kind.keyword();
            let (Some(s), Some(name)) = (s, &t.name) else {
                return format!("{kind}_all");
            };
            let clash = s.is_empty()
                || s == "all"
                || s.len() > MAX_SLUG_BYTES
                || count.get(&(t.kind, s.as_str())).is_some_and(|n| *n > 1);
            if !clash {
                return format!("{kind}_{s}");
            }
            let mut cut = s.len().min(MAX_SLUG_BYTES);
            while !s.is_char_boundary(cut) {
                cut -= 1;
            }
            let s = s[..cut].trim_end_matches('-');
            let hex = short_hash(&name.value);
            if s.is_empty() {
                format!("{kind}_{hex}")
            } else {
                format!("{kind}_{s}-{hex}")
            }
        })
        .collect()
}

/// The scalar facts about an event that targets attach as labels or metadata
/// (owner, source, status, consent, retention, identity, flag, release, since,
/// sunset, replaced_by), in that order; absent ones are left out. With the plan,
/// the effective facts (the status and identity every event has, the plan's
/// retention when the event has none: dbt's meta); without it, only what the
/// event states (Segment's labels, which add nothing the plan did not say).
pub(crate) fn event_labels(
    plan: Option<&Plan>,
    e: &crate::ir::Event,
) -> Vec<(&'static str, String)> {
    let name = |r: Option<&crate::ir::Ref>| r.map(|r| r.name.clone());
    let effective = plan.is_some();
    let retention = e
        .retention
        .as_deref()
        .or(plan.and_then(|p| p.meta.retention.as_ref()));
    [
        ("owner", name(e.owner.as_ref())),
        ("source", name(e.source.as_ref())),
        (
            "status",
            (effective || e.status_written).then(|| e.status.value.as_str().to_string()),
        ),
        ("consent", name(e.consent.as_ref())),
        ("retention", name(retention)),
        (
            "identity",
            effective.then(|| e.identity().as_str().to_string()),
        ),
        ("flag", e.flag().map(|f| f.value.clone())),
        ("release", e.release.as_ref().map(|d| d.value.to_string())),
        ("since", e.since.as_ref().map(|v| v.value.to_string())),
        ("sunset", e.sunset.as_ref().map(|d| d.value.to_string())),
        ("replaced_by", name(e.replaced_by.as_deref())),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.map(|v| (k, v)))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::slug;

    #[test]
    fn slugs() {
        assert_eq!(slug("Trial Started"), "trial-started");
        assert_eq!(slug("  CTA -- Clicked!  "), "cta-clicked");
        assert_eq!(slug("order_completed"), "order-completed");
        assert_eq!(slug("Café Ordered"), "café-ordered");
        assert_eq!(slug("!!!"), "");
    }

    #[test]
    fn windows_reserved_names() {
        use super::is_windows_reserved;
        for r in [
            "con",
            "CON",
            "nul",
            "aux",
            "prn",
            "com1",
            "lpt9",
            "com\u{b9}",
            "nul.txt",
            "con.tar.gz",
            "con ",
        ] {
            assert!(is_windows_reserved(r), "{r}");
        }
        for ok in [
            "cons", "console", "com", "com10", "lpt", "null", "xcon", "icon",
        ] {
            assert!(!is_windows_reserved(ok), "{ok}");
        }
    }
}
