//! The outside tools the tests drive, every one installed by `scripts/setup.sh`
//! (which `scripts/test.sh`, the CI command, runs first). A test that needs one
//! calls [`require`] before anything else: a missing tool fails the test at once
//! with one message ending "run scripts/setup.sh first", never a panic deep
//! inside a helper and never a silent skip.

use super::root;
use std::path::{Path, PathBuf};
use std::process::Command;

/// One outside tool.
#[derive(Clone, Copy, Debug)]
pub enum Tool {
    /// `.venv`: the packages of requirements-test.txt (dbt-core, dbt-duckdb,
    /// dbt-postgres, jsonschema, …). Gives its Python.
    Python,
    /// `.venv-clients`: the packages of requirements-clients.txt (mypy,
    /// segment-analytics-python). Gives the virtualenv's directory.
    ClientsPython,
    /// Node.js and the `npm ci` of the folder (relative to the crate root)
    /// holding a package-lock.json. Gives its `node_modules`.
    NodeModules(&'static str),
    /// Node.js alone. Gives `node`.
    Node,
    /// Vim. Gives `vim`.
    Vim,
    /// Neovim. Gives `nvim`.
    Neovim,
    /// Debian's Chromium. Gives its executable.
    Chromium,
    /// Debian's PostgreSQL server. Gives the newest `/usr/lib/postgresql/*/bin`.
    Postgres,
}

/// The tool's path, or a failed test saying it is missing: "… run
/// scripts/setup.sh first".
pub fn require(tool: Tool) -> PathBuf {
    locate(tool).unwrap_or_else(|missing| panic!("{}", message(&missing)))
}

/// The one message a missing tool fails a test with.
pub fn message(missing: &str) -> String {
    format!("{missing} is missing: run scripts/setup.sh first")
}

/// The tool's path, or what is missing (and what installs it).
pub fn locate(tool: Tool) -> Result<PathBuf, String> {
    match tool {
        Tool::Python => venv(".venv", "requirements-test.txt").map(|d| d.join("bin/python")),
        Tool::ClientsPython => venv(".venv-clients", "requirements-clients.txt"),
        Tool::NodeModules(dir) => {
            // setup.sh writes the stamp after `npm ci` succeeded.
            let modules = root().join(dir).join("node_modules");
            if !modules.join(".lock.sha256").is_file() {
                return Err(format!("{} (`npm ci` in {dir})", modules.display()));
            }
            locate(Tool::Node).map(|_| modules)
        }
        Tool::Node => runs("node", "Node.js (`node`)"),
        Tool::Vim => runs("vim", "`vim` (the Debian package vim)"),
        Tool::Neovim => runs("nvim", "`nvim` (the Debian package neovim)"),
        Tool::Chromium => {
            let exe = Path::new("/usr/bin/chromium");
            if exe.exists() {
                Ok(exe.to_path_buf())
            } else {
                Err("/usr/bin/chromium (the Debian package chromium)".to_string())
            }
        }
        Tool::Postgres => {
            let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.path().join("bin"))
                .filter(|b| b.join("initdb").exists() && b.join("pg_ctl").exists())
                .collect();
            found.sort();
            found.pop().ok_or_else(|| {
                "/usr/lib/postgresql/*/bin/initdb (the Debian package postgresql)".to_string()
            })
        }
    }
}

/// A virtualenv that setup.sh finished: it writes the stamp after `pip install`.
fn venv(dir: &str, requirements: &str) -> Result<PathBuf, String> {
    let venv = root().join(dir);
    if venv.join("bin/python").exists() && venv.join(".requirements.sha256").is_file() {
        Ok(venv)
    } else {
        Err(format!(
            "{} (a virtualenv with the packages of {requirements})",
            venv.display()
        ))
    }
}

/// A program on PATH that answers `--version`.
fn runs(program: &str, what: &str) -> Result<PathBuf, String> {
    match Command::new(program).arg("--version").output() {
        Ok(out) if out.status.success() => Ok(PathBuf::from(program)),
        _ => Err(what.to_string()),
    }
}

#[test]
fn a_missing_tool_fails_with_the_setup_message() {
    let missing = locate(Tool::NodeModules("tests/no-such-folder")).expect_err("missing");
    assert!(
        missing.contains("tests/no-such-folder/node_modules"),
        "{missing}"
    );
    assert_eq!(
        message(&missing),
        format!("{missing} is missing: run scripts/setup.sh first")
    );
    let panic = std::panic::catch_unwind(|| require(Tool::NodeModules("tests/no-such-folder")))
        .expect_err("require fails the test");
    let text = panic
        .downcast_ref::<String>()
        .expect("a formatted panic message");
    assert!(text.ends_with("run scripts/setup.sh first"), "{text}");
}
