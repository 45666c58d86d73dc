//! Plan roots and `eventsc.toml` on the command line: `check` and `build` with
//! no argument find the plan the current directory is in; outside any plan,
//! `check` checks every plan below, each on its own, and a file with no root
//! alone with an information diagnostic (in every format); the manifest's
//! files, build defaults and target options; its errors at `file:line:col`;
//! `init` writes one.

use crate::common::run::eventsc;
use crate::common::*;
use std::path::Path;

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path(root().join("tests/snapshots/plan_roots"));
    s.set_prepend_module_to_snapshot(false);
    s
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

const PLAN: &str = "plan \"Shop\" { owner @shop }\nowner @shop { name \"Shop\" }\n";
const EVENT: &str =
    "event \"Cart Viewed\" {\n  description \"A cart was viewed.\"\n  owner @shop\n}\n";

/// A repository (its `.git` bounds the search upward) holding: a plan
/// directory `shop/` with a nested plan `shop/admin/`, a directory of two
/// single-file plans `solo/`, and `loose/` with a file in no plan.
fn repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::create_dir(d.join(".git")).expect(".git");
    write(d, "shop/plan.events", PLAN);
    write(d, "shop/events/cart.events", EVENT);
    write(
        d,
        "shop/admin/plan.events",
        "plan \"Admin\" { owner @admin }\nowner @admin { name \"Admin\" }\n",
    );
    write(d, "solo/a.events", PLAN);
    write(
        d,
        "solo/b.events",
        "plan \"B\" { owner @b }\nowner @b { name \"B\" }\n",
    );
    write(d, "loose/orphan.events", EVENT);
    dir
}

#[test]
fn check_with_no_argument_finds_the_plan_or_checks_every_plan_below() {
    let repo = repository();
    let d = repo.path();
    let mut record = String::new();
    // Inside a plan, from a subdirectory: that plan, its nested plan left out.
    let r = eventsc(&d.join("shop/events"), &["check"], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    record.push_str(&r.record);
    // Outside any plan: every plan below, each on its own (the orphan alone,
    // with a note; it has no `plan`, so E0020).
    for format in ["human", "short", "json", "github"] {
        let r = eventsc(d, &["check", "--message-format", format], None);
        assert_eq!(r.code, 1, "{}", r.stderr);
        record.push_str(&r.record);
    }
    // A directory of single-file plans.
    let r = eventsc(&d.join("solo"), &["check"], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    record.push_str(&r.record);
    // `build` needs one plan.
    let r = eventsc(&d.join("loose"), &["build", "--out", "out"], None);
    assert_eq!(r.code, 2);
    record.push_str(&r.record.replace(&d.display().to_string(), "REPO"));
    settings().bind(|| insta::assert_snapshot!("check-no-argument", record));
}

#[test]
fn the_manifest_selects_files_and_gives_build_its_defaults() {
    let repo = repository();
    let d = repo.path();
    write(
        d,
        "shop/eventsc.toml",
        "[plan]\nexclude = [\"drafts/**\"]\n\n[build]\nout = \"site/out\"\ntargets = [\"dbt\", \"csv\"]\n\n[targets.dbt]\nversion = \"1.9\"\n",
    );
    // A draft that would break the plan, excluded by the manifest.
    write(d, "shop/drafts/wip.events", "event \"Broken\" {\n");
    let r = eventsc(&d.join("shop/events"), &["check"], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("checked 2 files"), "{}", r.stderr);
    // `check DIR` on the manifest's directory reads the manifest too.
    let r = eventsc(d, &["check", "shop"], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // `build` with no argument: the manifest's out dir, targets and options.
    let r = eventsc(&d.join("shop/events"), &["build"], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = d.join("shop/site/out");
    let mut top: Vec<String> = std::fs::read_dir(&out)
        .expect("out")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    top.sort();
    assert_eq!(top, ["csv", "dbt"]);
    // The dbt version from the manifest gives what --dbt-version gives.
    let r = eventsc(
        d,
        &[
            "build",
            "shop/plan.events",
            "shop/events/cart.events",
            "--out",
            "cli",
            "--target",
            "dbt",
            "--dbt-version",
            "1.9",
        ],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let sources =
        |o: &Path| std::fs::read_to_string(o.join("dbt/models/sources.yml")).expect("sources.yml");
    assert_eq!(sources(&out), sources(&d.join("cli")));
    // From the excluded directory too, `check` reads the manifest's plan.
    let r = eventsc(&d.join("shop/drafts"), &["check"], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("checked 2 files"), "{}", r.stderr);
}

#[test]
fn manifest_errors_point_at_the_place() {
    let repo = repository();
    let d = repo.path();
    let mut record = String::new();
    for (i, manifest) in [
        "[build]\nout = \"out\"\ntarget = [\"dbt\"]\n",
        "[build]\ntargets = [\"dbtt\"]\n",
        "[targets.dbt]\nversion = \"1.2\"\n",
        "[targets.dbt]\nversoin = \"1.9\"\n",
        "[plan]\nfiles = [\"../elsewhere/*.events\"]\n",
        "[plan\n",
    ]
    .iter()
    .enumerate()
    {
        write(d, "shop/eventsc.toml", manifest);
        let r = eventsc(&d.join("shop"), &["check"], None);
        assert_eq!(r.code, 2, "{i}: {}", r.stderr);
        assert!(r.stderr.starts_with("error: "), "{}", r.stderr);
        let shown = r.stderr.replace(&d.display().to_string(), "REPO");
        record.push_str(&format!("--- {manifest}{shown}"));
    }
    settings().bind(|| insta::assert_snapshot!("manifest-errors", record));
}

#[test]
fn init_writes_the_manifest_next_to_the_plan() {
    let repo = repository();
    let d = repo.path();
    let args = [
        "init",
        "--use-case",
        "activation",
        "--sources",
        "product",
        "--out",
        "new/plan.events",
    ];
    let r = eventsc(d, &args, None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let manifest = std::fs::read_to_string(d.join("new/eventsc.toml")).expect("eventsc.toml");
    settings().bind(|| insta::assert_snapshot!("init-manifest", manifest));
    // The plan checks and builds with no argument from its directory.
    let r = eventsc(&d.join("new"), &["check"], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("no problems"), "{}", r.stderr);
    let r = eventsc(&d.join("new"), &["build", "--target", "segment"], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(d.join("new/out/segment").is_dir());
    // Again with --force: the same manifest is kept as it is; another one is
    // only replaced with --force, and nothing is written without it.
    let mut forced = args.to_vec();
    forced.push("--force");
    assert_eq!(eventsc(d, &forced, None).code, 0);
    write(d, "other/eventsc.toml", "[build]\nout = \"x\"\n");
    let mut other = args.to_vec();
    let last = other.len() - 1;
    other[last] = "other/plan.events";
    let r = eventsc(d, &other, None);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("eventsc.toml` already exists"),
        "{}",
        r.stderr
    );
    assert!(!d.join("other/plan.events").exists());
    other.push("--force");
    assert_eq!(eventsc(d, &other, None).code, 0);
    assert_eq!(
        std::fs::read_to_string(d.join("other/eventsc.toml")).expect("replaced"),
        manifest
    );
}
