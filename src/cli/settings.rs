//! The install's settings, found the same way by every command: a flag, else its
//! environment variable (clap reads both), else the settings file, else the default.
//!
//! The settings file is `--config FILE` (or `BURENLIJN_CONFIG`), else
//! `/etc/burenlijn/burenlijn.toml` when it exists:
//!
//! ```toml
//! db = "/var/lib/burenlijn/burenlijn.db"
//! dialplans = "/etc/burenlijn/dialplans"
//! prompts = "/etc/burenlijn/prompts"
//! ```
//!
//! Every key may be left out; any other key is refused with its name. A relative path is
//! read from the file's own folder.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use serde::Deserialize;

use super::args::{DbArg, PlansArgs};
use crate::config::{self, Neighbourhoods};

/// Where the settings file is looked for when neither `--config` nor `BURENLIJN_CONFIG` names one.
pub const DEFAULT_FILE: &str = "/etc/burenlijn/burenlijn.toml";

/// The database when neither a flag, `BURENLIJN_DB` nor the settings file names one.
const DEFAULT_DB: &str = "burenlijn.db";

/// The keys of the settings file.
#[derive(Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
struct File {
    db: Option<PathBuf>,
    dialplans: Option<PathBuf>,
    prompts: Option<PathBuf>,
}

/// The settings file as read once at start (empty when there is none).
#[derive(Debug, Default)]
pub struct Settings {
    file: File,
    /// The file they were read from.
    path: Option<PathBuf>,
}

/// Where the dialplans and prompts are read from; `None` is the embedded example / prompts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PlanDirs {
    pub dialplans: Option<PathBuf>,
    pub prompts: Option<PathBuf>,
}

impl PlanDirs {
    pub fn load(&self) -> anyhow::Result<Neighbourhoods> {
        config::load(self.dialplans.as_deref(), self.prompts.as_deref())
    }
}

impl Settings {
    /// No settings file.
    pub fn none() -> Settings {
        Settings::default()
    }

    /// Reads `given` (`--config` / `BURENLIJN_CONFIG`: it must exist), else `DEFAULT_FILE`
    /// when it exists.
    pub fn load(given: Option<&Path>) -> anyhow::Result<Settings> {
        let path = match given {
            Some(path) => path.to_path_buf(),
            None if Path::new(DEFAULT_FILE).exists() => PathBuf::from(DEFAULT_FILE),
            None => return Ok(Settings::none()),
        };
        let text = std::fs::read_to_string(&path).with_context(|| {
            format!("cannot read the settings file {} (--config, BURENLIJN_CONFIG)", path.display())
        })?;
        Settings::parse(&text, &path)
    }

    /// The settings in `text`, read from the file at `path`.
    pub(super) fn parse(text: &str, path: &Path) -> anyhow::Result<Settings> {
        let mut file: File = toml::from_str(text).map_err(|e| {
            let message = e.message().trim_end();
            // An unknown key is named on its own line; any other problem where toml says.
            let unknown = message.strip_prefix("unknown field `").and_then(|m| m.split('`').next());
            let line = match unknown {
                Some(key) => text
                    .lines()
                    .position(|l| l.trim_start().strip_prefix(key).is_some_and(|r| r.trim_start().starts_with('=')))
                    .map(|i| i + 1),
                None => None,
            }
            .or_else(|| e.span().map(|s| text[..s.start].matches('\n').count() + 1));
            match line {
                Some(line) => anyhow::anyhow!("{}:{line}: {message}", path.display()),
                None => anyhow::anyhow!("{}: {message}", path.display()),
            }
        })?;
        let folder = path.parent().unwrap_or(Path::new(""));
        for p in [&mut file.db, &mut file.dialplans, &mut file.prompts].into_iter().flatten() {
            if p.is_relative() {
                *p = folder.join(&*p);
            }
        }
        Ok(Settings { file, path: Some(path.to_path_buf()) })
    }

    /// The database: `--db`, `BURENLIJN_DB`, `db` in the settings file, or `burenlijn.db`.
    pub fn db(&self, arg: DbArg) -> PathBuf {
        arg.db.or_else(|| self.file.db.clone()).unwrap_or_else(|| PathBuf::from(DEFAULT_DB))
    }

    /// The prompts: `--prompts`, `BURENLIJN_PROMPTS`, `prompts` in the settings file, or none
    /// (the embedded ones).
    pub fn prompts(&self, arg: Option<PathBuf>) -> Option<PathBuf> {
        arg.or_else(|| self.file.prompts.clone())
    }

    /// The dialplans and prompts, each from its flag, its variable or the settings file.
    pub fn plan_dirs(&self, arg: PlansArgs) -> PlanDirs {
        PlanDirs {
            dialplans: arg.dialplans.or_else(|| self.file.dialplans.clone()),
            prompts: self.prompts(arg.prompts),
        }
    }

    /// Loads the install's dialplans and prompts. When nothing names the dialplans, says on
    /// standard error that the embedded example is used.
    pub fn load_plans(&self, arg: PlansArgs) -> anyhow::Result<Neighbourhoods> {
        Ok(self.load_plans_from(arg)?.0)
    }

    /// As `load_plans`, with where they were read from.
    pub fn load_plans_from(&self, arg: PlansArgs) -> anyhow::Result<(Neighbourhoods, PlanDirs)> {
        let dirs = self.plan_dirs(arg);
        if dirs.dialplans.is_none() {
            eprintln!("{}", self.fallback_note());
        }
        Ok((dirs.load()?, dirs))
    }

    /// The line said when the embedded example is used for want of dialplans.
    pub fn fallback_note(&self) -> String {
        let file = self.path.as_deref().map(|p| p.display().to_string()).unwrap_or_else(|| DEFAULT_FILE.to_string());
        format!(
            "note: no dialplans configured (--dialplans, BURENLIJN_DIALPLANS, or `dialplans` in {file}): using the embedded example neighbourhood"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> anyhow::Result<Settings> {
        Settings::parse(text, Path::new("/etc/burenlijn/burenlijn.toml"))
    }

    #[test]
    fn the_file_holds_three_paths_relative_ones_from_its_folder() {
        let s = parse("db = \"/var/lib/burenlijn/burenlijn.db\"\ndialplans = \"dialplans\"\n").unwrap();
        assert_eq!(s.db(DbArg { db: None }), PathBuf::from("/var/lib/burenlijn/burenlijn.db"));
        let dirs = s.plan_dirs(PlansArgs { dialplans: None, prompts: None });
        assert_eq!(dirs.dialplans, Some(PathBuf::from("/etc/burenlijn/dialplans")));
        assert_eq!(dirs.prompts, None);
    }

    #[test]
    fn a_flag_or_its_variable_goes_before_the_file() {
        let s = parse("db = \"/a.db\"\ndialplans = \"/d\"\nprompts = \"/p\"\n").unwrap();
        assert_eq!(s.db(DbArg { db: Some("/b.db".into()) }), PathBuf::from("/b.db"));
        let dirs = s.plan_dirs(PlansArgs { dialplans: Some("/e".into()), prompts: None });
        assert_eq!(dirs, PlanDirs { dialplans: Some("/e".into()), prompts: Some("/p".into()) });
        assert_eq!(Settings::none().db(DbArg { db: None }), PathBuf::from("burenlijn.db"));
    }

    #[test]
    fn an_unknown_key_is_refused_by_name_with_its_line() {
        let e = parse("db = \"/a.db\"\ndialplan = \"/d\"\n").unwrap_err().to_string();
        assert!(e.starts_with("/etc/burenlijn/burenlijn.toml:2: unknown field `dialplan`"), "{e}");
        assert!(e.contains("expected one of `db`, `dialplans`, `prompts`"), "{e}");
        let e = parse("db = 3\n").unwrap_err().to_string();
        assert!(e.starts_with("/etc/burenlijn/burenlijn.toml:1: "), "{e}");
    }

    #[test]
    fn the_fallback_note_names_the_ways_to_configure() {
        let note = Settings::none().fallback_note();
        assert!(note.contains("--dialplans") && note.contains("BURENLIJN_DIALPLANS") && note.contains(DEFAULT_FILE));
        assert!(note.contains("embedded example"));
    }
}
