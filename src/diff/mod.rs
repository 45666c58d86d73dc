//! `eventsc diff`: what changed between two versions of a plan, field by field,
//! each change classified, and the semantic version the changes need.
//!
//! - `input` reads OLD and NEW: files, directories or `REV:PATH` from git, and
//!   runs the front end on each (no governance rules: only the plan's meaning).
//! - `engine` compares the two IRs and lists `Change`s, each of a kind
//!   from the registry [`kinds`] (its name, class and documentation:
//!   `eventsc explain <kind>`). What it compares is data, in `fields`: one
//!   table of field comparisons per compared thing, walked by one engine.
//! - `render` prints them as text, Markdown (a pull-request comment) or JSON.
//!
//! # Classes
//!
//! | class | meaning | version it needs |
//! |---|---|---|
//! | breaking | a payload valid before may be rejected now, or a consumer loses data it had (event or property removed, type changed, optional → required, nullable → not, enum value removed, bounds/length/pattern/format narrowed, identity narrowed, event renamed without `replaced_by`) | major |
//! | compatible | every payload valid before stays valid (event or optional property added, enum value added, constraints widened, required → optional) | minor |
//! | documentation | descriptions, tags, examples, and metadata without effect on payloads (source, flag, release, since, KPIs…) | patch |
//! | governance | needs a reviewer, shown apart: owners, consent purposes and their basis, retention, pii classes, status and deprecation, sunset moved earlier, rule settings and exceptions, QA thresholds, approvers | patch |
//!
//! Below 1.0.0 the needed bump shifts down one level (breaking → minor,
//! compatible and the rest → patch), as Cargo does for `0.x` versions.

pub(crate) mod engine;
mod fields;
pub(crate) mod input;
pub mod kinds;
pub(crate) mod render;

use crate::ir::Semver;
use crate::source::{SourceMap, Span};
use serde::Serialize;

pub(crate) use engine::diff;

/// How a change affects the plan's users.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Class {
    Breaking,
    Compatible,
    Documentation,
    Governance,
}

impl Class {
    pub(crate) const ALL: [Class; 4] = [
        Class::Breaking,
        Class::Compatible,
        Class::Documentation,
        Class::Governance,
    ];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Class::Breaking => "breaking",
            Class::Compatible => "compatible",
            Class::Documentation => "documentation",
            Class::Governance => "governance",
        }
    }

    /// The version bump a change of this class needs (for versions ≥ 1.0.0).
    pub(crate) fn bump(self) -> Bump {
        match self {
            Class::Breaking => Bump::Major,
            Class::Compatible => Bump::Minor,
            Class::Documentation | Class::Governance => Bump::Patch,
        }
    }
}

/// A semantic-version bump.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Bump {
    None,
    Patch,
    Minor,
    Major,
}

impl Bump {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Bump::None => "none",
            Bump::Patch => "patch",
            Bump::Minor => "minor",
            Bump::Major => "major",
        }
    }

    /// The smallest version after `v` that makes this bump (npm's `inc`: a
    /// pre-release is first completed: `2.0.0-rc.1` + major = `2.0.0`).
    pub(crate) fn apply(self, v: &Semver) -> Semver {
        let pre = !v.pre.is_empty();
        let (major, minor, patch) = (v.major, v.minor, v.patch);
        let (major, minor, patch) = match self {
            Bump::None => return v.clone(),
            Bump::Patch if pre => (major, minor, patch),
            Bump::Patch => (major, minor, patch + 1),
            Bump::Minor if pre && patch == 0 => (major, minor, 0),
            Bump::Minor => (major, minor + 1, 0),
            Bump::Major if pre && minor == 0 && patch == 0 => (major, 0, 0),
            Bump::Major => (major + 1, 0, 0),
        };
        Semver {
            major,
            minor,
            patch,
            pre: String::new(),
            build: String::new(),
        }
    }
}

/// A `.events` location: the file's name as shown to the user and a 1-based line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct Loc {
    pub file: String,
    pub line: usize,
}

impl std::fmt::Display for Loc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

impl Loc {
    pub(crate) fn of(sources: &SourceMap, span: Span) -> Option<Loc> {
        if (span.file.0 as usize) >= sources.len() {
            return None;
        }
        let f = sources.get(span.file);
        Some(Loc {
            file: f.name.clone(),
            line: f.line_col(span.start as usize).line,
        })
    }
}

/// One change between OLD and NEW.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Change {
    pub class: Class,
    /// A stable identifier of the kind of change (`property-removed`, `type-changed`…).
    pub kind: &'static str,
    /// What changed: `event "Trial Started"`, `identify`, `plan`, `consent analytics`…
    pub subject: String,
    /// The property, as a path (`utm.campaign`, `items[].sku`), when the change is
    /// about one.
    pub property: Option<String>,
    pub message: String,
    pub old: Option<Loc>,
    pub new: Option<Loc>,
}

/// The result of comparing two plans.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Report {
    /// Sorted by class, then in plan order.
    pub changes: Vec<Change>,
    pub old_version: Semver,
    pub new_version: Semver,
    /// The bump the changes need (already shifted for `0.x`).
    pub required_bump: Bump,
    /// The smallest version NEW may carry.
    pub minimum_version: Semver,
    /// NEW's version is at least [`Report::minimum_version`].
    pub version_ok: bool,
}

impl Report {
    pub(crate) fn count(&self, class: Class) -> usize {
        self.changes.iter().filter(|c| c.class == class).count()
    }

    /// Why the version is not acceptable, if it is not.
    pub(crate) fn version_error(&self) -> Option<String> {
        if self.version_ok {
            return None;
        }
        let why = match self.required_bump {
            Bump::None => "it is lower than the old version".to_string(),
            b => {
                let cause = self
                    .changes
                    .iter()
                    .map(|c| c.class)
                    .min()
                    .map_or("changes", Class::as_str);
                format!("{cause} changes need a {} bump", b.as_str())
            }
        };
        Some(format!(
            "the new version {} is lower than required: {why} (at least {})",
            self.new_version, self.minimum_version
        ))
    }

    pub(crate) fn new(mut changes: Vec<Change>, old: Semver, new: Semver) -> Report {
        changes.sort_by_key(|c| c.class);
        let mut required = changes
            .iter()
            .map(|c| c.class.bump())
            .max()
            .unwrap_or(Bump::None);
        if old.major == 0 {
            required = match required {
                Bump::Major => Bump::Minor,
                Bump::Minor => Bump::Patch,
                b => b,
            };
        }
        let minimum = required.apply(&old);
        let version_ok = new.precedence(&minimum) != std::cmp::Ordering::Less;
        Report {
            changes,
            old_version: old,
            new_version: new,
            required_bump: required,
            minimum_version: minimum,
            version_ok,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Semver {
        Semver::parse(s).unwrap()
    }

    #[test]
    fn bumps() {
        assert_eq!(Bump::Major.apply(&v("1.3.2")), v("2.0.0"));
        assert_eq!(Bump::Minor.apply(&v("1.3.2")), v("1.4.0"));
        assert_eq!(Bump::Patch.apply(&v("1.3.2")), v("1.3.3"));
        assert_eq!(Bump::None.apply(&v("1.3.2")), v("1.3.2"));
        assert_eq!(Bump::Major.apply(&v("2.0.0-rc.1")), v("2.0.0"));
        assert_eq!(Bump::Major.apply(&v("2.1.0-rc.1")), v("3.0.0"));
        assert_eq!(Bump::Minor.apply(&v("1.4.0-beta")), v("1.4.0"));
        assert_eq!(Bump::Patch.apply(&v("1.4.1-beta")), v("1.4.1"));
    }

    #[test]
    fn zero_major_shifts_down() {
        let change = |class| Change {
            class,
            kind: "x",
            subject: String::new(),
            property: None,
            message: String::new(),
            old: None,
            new: None,
        };
        let r = Report::new(vec![change(Class::Breaking)], v("0.3.0"), v("0.4.0"));
        assert_eq!(r.required_bump, Bump::Minor);
        assert!(r.version_ok);
        let r = Report::new(vec![change(Class::Breaking)], v("1.3.0"), v("1.4.0"));
        assert_eq!(r.minimum_version, v("2.0.0"));
        assert!(!r.version_ok);
        assert!(
            r.version_error()
                .unwrap()
                .contains("breaking changes need a major bump")
        );
        let r = Report::new(vec![], v("1.3.0"), v("1.2.0"));
        assert!(
            r.version_error()
                .unwrap()
                .contains("lower than the old version")
        );
    }
}
