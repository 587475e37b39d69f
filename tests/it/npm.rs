//! The npm packages some tests need (prism for `rest.rs`, playwright-core and axe-core for
//! `browser.rs`), installed by the tests themselves on first use: `npm ci` of the folder's
//! own package-lock.json when its `node_modules` is missing.
//!
//! Safe when tests run in parallel, as threads of one process (`cargo test`: a mutex, and
//! each folder is tried once) and as separate processes (`cargo nextest`): each process
//! installs into a fresh temporary folder beside `node_modules` and renames its result into
//! place. A rename onto a `node_modules` that another process put there first fails; that
//! process won, and its packages are used. No partly installed `node_modules` is ever seen.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, PoisonError};

/// Each folder's outcome, so a failure is reported by every test without installing again.
static INSTALLED: Mutex<BTreeMap<PathBuf, Result<PathBuf, String>>> = Mutex::new(BTreeMap::new());

/// The `node_modules` of `folder` (relative to the crate, e.g. `tests/prism`), installed by
/// `npm ci` with `env` set if it is not there yet. `Err` is one sentence that says what is
/// missing and how to get it.
pub fn node_modules(folder: &str, env: &[(&str, &str)]) -> Result<PathBuf, String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(folder);
    let mut installed = INSTALLED.lock().unwrap_or_else(PoisonError::into_inner);
    installed.entry(dir.clone()).or_insert_with(|| install(folder, &dir, env)).clone()
}

/// `Ok` when `program --version` runs; otherwise one sentence: `needed_for` needs
/// `program`, which is missing, and `install` gets it.
pub fn require(program: &str, needed_for: &str, install: &str) -> Result<(), String> {
    match Command::new(program).arg("--version").output() {
        Ok(out) if out.status.success() => Ok(()),
        Ok(out) => {
            Err(format!("{needed_for} need `{program}`, but `{program} --version` failed ({}); {install}", out.status))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Err(format!("{needed_for} need `{program}`, which is not installed (not found on PATH); {install}"))
        }
        Err(e) => Err(format!("{needed_for} need `{program}`, which does not run ({e}); {install}")),
    }
}

const NODE_INSTALL: &str = "install it with `apt-get install nodejs npm`";

fn install(folder: &str, dir: &Path, env: &[(&str, &str)]) -> Result<PathBuf, String> {
    let needed_for = format!("the tests using the npm packages of {folder}");
    require("node", &needed_for, NODE_INSTALL)?;
    let modules = dir.join("node_modules");
    if modules.is_dir() {
        return Ok(modules);
    }
    require("npm", &needed_for, NODE_INSTALL)?;
    // Removed when dropped, also when the install fails; `.gitignore` ignores it meanwhile.
    let tmp = tempfile::Builder::new()
        .prefix(".npm-ci-")
        .tempdir_in(dir)
        .map_err(|e| format!("cannot make a temporary folder in {}: {e}", dir.display()))?;
    for file in ["package.json", "package-lock.json"] {
        std::fs::copy(dir.join(file), tmp.path().join(file))
            .map_err(|e| format!("cannot copy {folder}/{file} for npm ci: {e}"))?;
    }
    eprintln!("installing the npm packages of {folder} (npm ci) ...");
    let out = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--prefix"])
        .arg(tmp.path())
        .envs(env.iter().copied())
        .output()
        .map_err(|e| format!("npm ci for {folder} did not start ({e}); {NODE_INSTALL}"))?;
    if !out.status.success() {
        return Err(format!(
            "npm ci for {folder} failed ({}); its output:\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    match std::fs::rename(tmp.path().join("node_modules"), &modules) {
        Ok(()) => {
            eprintln!("installed the npm packages of {folder}");
            Ok(modules)
        }
        // Another test process renamed its install into place first: use that one.
        Err(_) if modules.is_dir() => {
            eprintln!("another test process installed the npm packages of {folder} first; using those");
            Ok(modules)
        }
        Err(e) => Err(format!("cannot move the npm packages into {}: {e}", modules.display())),
    }
}
