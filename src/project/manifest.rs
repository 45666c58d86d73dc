//! `eventsc.toml`, the plan manifest: marks a plan root and holds the
//! project's settings.
//!
//! ```toml
//! [plan]
//! files = ["**/*.events"]      # the plan's files, globs relative to this file
//! exclude = ["drafts/**"]      # left out (default: nothing)
//!
//! [build]                      # defaults of `eventsc build`
//! out = "out"                  # --out, relative to this file
//! targets = ["all"]            # --target
//!
//! [targets.dbt]                # target options: [targets.NAME] KEY = "value"
//! version = "1.10.5"           # is --NAME-KEY (here --dbt-version)
//! ```
//!
//! Every key is optional; an unknown key, a glob that does not compile or
//! leaves the plan's directory, an unknown target or option is an error at its
//! `file:line:col`.

use crate::diagnostics::did_you_mean;
use crate::targets;
use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Component, Path, PathBuf};
use toml::Spanned;

/// A loaded manifest.
#[derive(Debug)]
pub(crate) struct Manifest {
    /// Its directory: the plan root.
    pub dir: PathBuf,
    include: Option<GlobSet>,
    exclude: Option<GlobSet>,
    /// `[build] out`, joined to `dir`.
    pub out: Option<PathBuf>,
    /// `[build] targets`.
    pub targets: Option<Vec<String>>,
    /// `[targets.NAME]` options, in file order.
    pub options: Vec<(&'static targets::TargetOption, String)>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Raw {
    #[serde(default)]
    plan: RawPlan,
    #[serde(default)]
    build: RawBuild,
    #[serde(default)]
    targets: BTreeMap<Spanned<String>, BTreeMap<Spanned<String>, Spanned<toml::Value>>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawPlan {
    files: Option<Vec<Spanned<String>>>,
    exclude: Option<Vec<Spanned<String>>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawBuild {
    out: Option<Spanned<String>>,
    targets: Option<Vec<Spanned<String>>>,
}

/// The largest manifest read.
const MAX_BYTES: u64 = 1024 * 1024;

impl Manifest {
    /// Reads and checks a manifest. The error is `file:line:col: message` with
    /// the line and a caret.
    pub(crate) fn load(path: &Path) -> Result<Manifest, String> {
        let bytes = crate::load::read_source(path).map_err(|e| e.to_string())?;
        if bytes.len() as u64 > MAX_BYTES {
            return Err(format!("`{}` is larger than 1 MiB", path.display()));
        }
        let text =
            String::from_utf8(bytes).map_err(|_| format!("`{}` is not UTF-8", path.display()))?;
        Manifest::parse(path, &text).map_err(|(span, message)| located(path, &text, span, &message))
    }

    /// Parses a manifest's text; `path` names it and gives the plan's directory.
    pub(crate) fn parse(path: &Path, text: &str) -> Result<Manifest, (Range<usize>, String)> {
        let raw: Raw = toml::from_str(text)
            .map_err(|e| (e.span().unwrap_or(0..0), e.message().trim_end().to_string()))?;
        let dir = path.parent().unwrap_or(Path::new(".")).to_path_buf();
        let include = raw.plan.files.as_deref().map(globs).transpose()?;
        let exclude = raw.plan.exclude.as_deref().map(globs).transpose()?;
        let out = raw.build.out.map(|o| dir.join(o.into_inner()));
        let targets = match raw.build.targets {
            None => None,
            Some(list) => {
                let mut names = Vec::new();
                for t in list {
                    let name = t.get_ref();
                    if name != "all" && targets::find(name).is_none() {
                        let all = targets::TARGETS.iter().map(|t| t.name()).chain(["all"]);
                        let hint = did_you_mean(name, all, |c| c.to_string())
                            .map(|h| format!("; {h}"))
                            .unwrap_or_default();
                        return Err((t.span(), format!("unknown target `{name}`{hint}")));
                    }
                    names.push(t.into_inner());
                }
                Some(names)
            }
        };
        let mut options = Vec::new();
        for (target, table) in raw.targets {
            let known: Vec<&targets::TargetOption> = targets::TARGET_OPTIONS
                .iter()
                .filter(|o| o.target == target.get_ref())
                .collect();
            if known.is_empty() {
                let with = targets::TARGET_OPTIONS.iter().map(|o| o.target);
                let hint = did_you_mean(target.get_ref(), with, |c| c.to_string())
                    .map(|h| format!("; {h}"))
                    .unwrap_or_default();
                return Err((
                    target.span(),
                    format!("no target options for `{}`{hint}", target.get_ref()),
                ));
            }
            for (key, value) in table {
                let Some(option) = known.iter().find(|o| o.key == key.get_ref()) else {
                    let hint = did_you_mean(key.get_ref(), known.iter().map(|o| o.key), |c| {
                        c.to_string()
                    })
                    .map(|h| format!("; {h}"))
                    .unwrap_or_default();
                    return Err((
                        key.span(),
                        format!(
                            "`{}` is not an option of the `{}` target{hint}",
                            key.get_ref(),
                            target.get_ref()
                        ),
                    ));
                };
                let toml::Value::String(v) = value.get_ref() else {
                    return Err((
                        value.span(),
                        format!(
                            "write the value as a string: `{} = \"{}\"`",
                            key.get_ref(),
                            value.get_ref()
                        ),
                    ));
                };
                (option.set)(&mut targets::Options::default(), v).map_err(|e| (value.span(), e))?;
                options.push((*option, v.clone()));
            }
        }
        Ok(Manifest {
            dir,
            include,
            exclude,
            out,
            targets,
            options,
        })
    }

    /// Whether the manifest's globs take a file (a path below its directory).
    pub(crate) fn includes(&self, file: &Path) -> bool {
        let Ok(rel) = file.strip_prefix(&self.dir) else {
            return false;
        };
        self.include.as_ref().is_none_or(|g| g.is_match(rel))
            && !self.exclude.as_ref().is_some_and(|g| g.is_match(rel))
    }

    /// The target options with the manifest's settings applied.
    pub(crate) fn target_options(&self) -> targets::Options {
        let mut o = targets::Options::default();
        for (option, value) in &self.options {
            // Checked when the manifest was parsed.
            let _ = (option.set)(&mut o, value);
        }
        o
    }
}

/// Compiles globs relative to the plan's directory: no absolute path, no `..`.
fn globs(list: &[Spanned<String>]) -> Result<GlobSet, (Range<usize>, String)> {
    let mut set = GlobSetBuilder::new();
    for g in list {
        let p = Path::new(g.get_ref());
        if p.is_absolute()
            || p.components()
                .any(|c| matches!(c, Component::ParentDir | Component::Prefix(_)))
        {
            return Err((
                g.span(),
                "a glob is relative to the manifest's directory and stays below it (no `/…`, no `..`)"
                    .to_string(),
            ));
        }
        let glob = Glob::new(g.get_ref()).map_err(|e| (g.span(), e.kind().to_string()))?;
        set.add(glob);
    }
    set.build().map_err(|e| (0..0, e.to_string()))
}

/// `file:line:col: message`, then the line and a caret under the span.
fn located(path: &Path, text: &str, span: Range<usize>, message: &str) -> String {
    let start = crate::source::floor_char_boundary(text, span.start.min(text.len()));
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let line_no = text[..start].matches('\n').count() + 1;
    let col = text[line_start..start].chars().count() + 1;
    let line = crate::visible::visible(&text[line_start..line_end]);
    let width = text[start..span.end.clamp(start, line_end)]
        .chars()
        .count()
        .max(1);
    format!(
        "{}:{line_no}:{col}: {message}\n  |\n{line_no:>2}| {line}\n  | {}{}",
        path.display(),
        " ".repeat(col - 1),
        "^".repeat(width)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        let (span, message) = Manifest::parse(Path::new("p/eventsc.toml"), text).expect_err(text);
        located(Path::new("p/eventsc.toml"), text, span, &message)
    }

    #[test]
    fn a_full_manifest() {
        let m = Manifest::parse(
            Path::new("p/eventsc.toml"),
            "[plan]\nfiles = [\"**/*.events\"]\nexclude = [\"drafts/**\"]\n[build]\nout = \"out\"\ntargets = [\"segment\", \"dbt\"]\n[targets.dbt]\nversion = \"1.9\"\n",
        )
        .expect("parses");
        assert!(m.includes(Path::new("p/a.events")));
        assert!(m.includes(Path::new("p/x/b.events")));
        assert!(!m.includes(Path::new("p/drafts/c.events")));
        assert!(!m.includes(Path::new("q/a.events")));
        assert_eq!(m.out.as_deref(), Some(Path::new("p/out")));
        assert_eq!(m.targets, Some(vec!["segment".into(), "dbt".into()]));
        assert_ne!(
            m.target_options().dbt_version,
            targets::Options::default().dbt_version
        );
        let empty = Manifest::parse(Path::new("eventsc.toml"), "").expect("empty is fine");
        assert!(empty.includes(Path::new("a/b.events")));
        assert!(empty.options.is_empty());
    }

    #[test]
    fn errors_point_at_the_place() {
        assert_eq!(
            err("[build]\nout = \"out\"\ntarget = [\"dbt\"]\n"),
            "p/eventsc.toml:3:1: unknown field `target`, expected `out` or `targets`\n  |\n 3| target = [\"dbt\"]\n  | ^^^^^^"
        );
        assert!(
            err("[build]\ntargets = [\"dbtt\"]\n")
                .starts_with("p/eventsc.toml:2:12: unknown target `dbtt`; did you mean `dbt`?"),
            "{}",
            err("[build]\ntargets = [\"dbtt\"]\n")
        );
        assert!(err("[targets.dbt]\nversion = \"0.1\"\n").starts_with("p/eventsc.toml:2:11: "));
        assert!(err("[targets.dbt]\nversoin = \"1.9\"\n").contains("did you mean `version`?"));
        assert!(err("[targets.dbt]\nversion = 1.9\n").contains("write the value as a string"));
        assert!(
            err("[targets.csv]\nx = \"1\"\n")
                .starts_with("p/eventsc.toml:1:10: no target options for `csv`")
        );
        assert!(err("[plan]\nfiles = [\"../x/*.events\"]\n").contains("stays below it"));
        assert!(err("[plan]\nfiles = [\"/x/*.events\"]\n").contains("stays below it"));
        assert!(err("[plan]\nfiles = [\"a[\"]\n").starts_with("p/eventsc.toml:2:10: "));
        assert!(err("[plan\n").starts_with("p/eventsc.toml:1:"));
    }
}
