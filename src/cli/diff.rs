//! `eventsc diff OLD NEW`: the changes between two versions of a plan, each
//! classified, and the version they need (see [`crate::diff`]).

use super::check::Output;
use super::{Color, EXIT_FAIL, EXIT_OK, usage_error};
use crate::diagnostics::render::MessageFormat;
use crate::diff::input::{self, Spec};
use crate::diff::render::{self, Sides};
use crate::diff::{Class, engine::Side};

/// Compare two versions of a plan: every change classified, and the version it needs.
///
/// OLD and NEW are `.events` files, directories (every `.events` file below), or
/// `REV:PATH` read from git (`origin/main:plans`; the path is relative to the
/// current directory). Changes are breaking, compatible, documentation or
/// governance (needs review); the new plan's `version` must be bumped enough.
///
/// Examples:
///   eventsc diff origin/main:plans plans
///   eventsc diff v1.3.0:plans plans --format markdown > comment.md
///   eventsc diff old.events new.events --fail-on breaking --fail-on governance
///
/// Exit codes: 0 ok; 1 a plan has errors, the new version is too low, or a
/// `--fail-on` class has changes; 2 usage or I/O error (unreadable git revision,
/// OLD and NEW the same).
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub(crate) struct Args {
    /// The old plan: file, directory or REV:PATH.
    pub old: String,
    /// The new plan: file, directory or REV:PATH.
    pub new: String,
    /// How to print the changes.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Exit 1 when there are changes of this class (may be repeated).
    #[arg(long, value_enum)]
    pub fail_on: Vec<FailOn>,
    /// How to print errors found in either plan.
    #[arg(long, value_enum, default_value_t = MessageFormat::Human)]
    pub message_format: MessageFormat,
    /// Colour in human diagnostics (`NO_COLOR` is honoured with `auto`).
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    /// Plain text.
    Human,
    /// A Markdown section, for a pull-request comment.
    Markdown,
    /// One JSON object.
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum FailOn {
    Breaking,
    Governance,
    /// Any change at all.
    Any,
}

type SideResult = Result<
    (
        input::Loaded,
        Result<crate::ir::Plan, Vec<crate::diagnostics::Diagnostic>>,
    ),
    input::InputError,
>;

fn read(spec: &Spec) -> SideResult {
    let mut loaded = input::load(spec)?;
    let pre = std::mem::take(&mut loaded.diagnostics);
    let plan = crate::check::check_with(
        &loaded.sources,
        pre,
        &crate::check::Options::without_rules(),
    )
    .into_plan_or_errors();
    Ok((loaded, plan))
}

pub(crate) fn run(args: Args) -> u8 {
    let (old_spec, new_spec) = (Spec::parse(&args.old), Spec::parse(&args.new));
    // Both sides are read and lowered at the same time.
    let (old, new) = std::thread::scope(|s| {
        let old = s.spawn(|| read(&old_spec));
        let new = read(&new_spec);
        (old.join(), new)
    });
    let old = match old {
        Ok(r) => r,
        Err(_) => return usage_error("reading the old plan failed unexpectedly"),
    };
    let (old, new) = match (old, new) {
        (Ok(o), Ok(n)) => (o, n),
        (Err(e), _) | (_, Err(e)) => return usage_error(e),
    };
    if !old.0.identity.is_empty() && old.0.identity == new.0.identity {
        let hint = match &new_spec {
            Spec::Path(p) => format!(
                "compare it with a git revision, e.g. `eventsc diff origin/main:{} {}`",
                p.display(),
                p.display()
            ),
            Spec::Git { .. } => "name two different revisions".to_string(),
        };
        return usage_error(format!(
            "OLD and NEW are the same (`{}`): nothing to compare; {hint}",
            args.new
        ));
    }
    let output = Output {
        message_format: args.message_format,
        color: args.color,
        deny: None,
    };
    let (old_plan, new_plan) = match (old.1, new.1) {
        (Ok(o), Ok(n)) => (o, n),
        (o, n) => {
            for (label, sources, result) in [
                ("old plan", &old.0.sources, &o),
                ("new plan", &new.0.sources, &n),
            ] {
                if let Err(diags) = result {
                    output.report(diags, sources, &format!("{label} has errors"));
                }
            }
            return EXIT_FAIL;
        }
    };
    let report = crate::diff::diff(
        Side {
            plan: &old_plan,
            sources: &old.0.sources,
        },
        Side {
            plan: &new_plan,
            sources: &new.0.sources,
        },
    );
    let sides = Sides {
        old: &args.old,
        new: &args.new,
    };
    let text = match args.format {
        Format::Human => render::human(&report, &sides),
        Format::Markdown => render::markdown(&report, &sides),
        Format::Json => render::json(&report, &sides),
    };
    super::write_stdout(text.as_bytes());
    let mut failed = false;
    if let Some(e) = report.version_error() {
        eprintln!("error: {e}");
        failed = true;
    }
    for f in &args.fail_on {
        let hit = match f {
            FailOn::Breaking => report.count(Class::Breaking) > 0,
            FailOn::Governance => report.count(Class::Governance) > 0,
            FailOn::Any => !report.changes.is_empty(),
        };
        if hit {
            let what = match f {
                FailOn::Breaking => "breaking changes",
                FailOn::Governance => "governance changes",
                FailOn::Any => "changes",
            };
            eprintln!("error: --fail-on: the new plan has {what}");
            failed = true;
        }
    }
    // As above: the process ends; freeing the plans would only cost time.
    std::mem::forget(report);
    std::mem::forget((old_plan, new_plan, old.0, new.0));
    if failed { EXIT_FAIL } else { EXIT_OK }
}
