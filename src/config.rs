//! Dialplans and prompts, loaded and checked once at start-up.
//!
//! The example neighbourhood and the Dutch and English prompts are embedded in the
//! binary, so the demo runs without any files.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{bail, Context as _};

use crate::domain::dialplan::{self, Dialplan, KnownVoices};
use crate::domain::prompts::Prompts;
use crate::provider::twilio;

pub const EXAMPLE_DIALPLAN: &str = include_str!("../dialplans/example.toml");

/// The example dialplan's text with `ringing.mode = "waves"`, every other line as it was.
pub fn example_dialplan_in_waves() -> String {
    const DIAL: &str = "mode = \"dial\"";
    // Were the line ever written otherwise, the text would silently stay in dial mode.
    assert_eq!(EXAMPLE_DIALPLAN.matches(DIAL).count(), 1, "dialplans/example.toml says `{DIAL}` once");
    EXAMPLE_DIALPLAN.replacen(DIAL, "mode = \"waves\"", 1)
}
pub const EXAMPLE_PARTICIPANTS: &str = include_str!("../dialplans/example-participants.csv");
const EMBEDDED_PROMPTS: &[(&str, &str)] =
    &[("nl", include_str!("../prompts/nl.toml")), ("en", include_str!("../prompts/en.toml"))];

/// One phone number's dialplan with the prompts in its language.
pub struct Neighbourhood {
    /// The dialplan's file name without `.toml` (`example` for `dialplans/example.toml`):
    /// the name participants and desk accounts are given to.
    pub key: String,
    pub dialplan: Dialplan,
    pub prompts: Arc<Prompts>,
}

pub struct Neighbourhoods {
    by_number: HashMap<String, Arc<Neighbourhood>>,
    /// For calls on a number without a dialplan.
    pub fallback_prompts: Arc<Prompts>,
    /// Where recorded prompts live (`<dir>/audio/<language>/<prompt>.mp3`), if anywhere.
    pub audio_dir: Option<PathBuf>,
}

impl Neighbourhoods {
    pub fn by_number(&self, number: &str) -> Option<&Arc<Neighbourhood>> {
        self.by_number.get(number)
    }

    pub fn all(&self) -> impl Iterator<Item = &Arc<Neighbourhood>> {
        self.by_number.values()
    }

    pub fn by_key(&self, key: &str) -> Option<&Arc<Neighbourhood>> {
        self.all().find(|n| n.key == key)
    }

    /// Every neighbourhood's key, sorted.
    pub fn keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = self.all().map(|n| n.key.clone()).collect();
        keys.sort();
        keys
    }

    /// The key of the only neighbourhood, when there is exactly one.
    pub fn only(&self) -> Option<&str> {
        let mut all = self.all();
        match (all.next(), all.next()) {
            (Some(one), None) => Some(one.key.as_str()),
            _ => None,
        }
    }

    /// Every category key some dialplan offers, sorted.
    pub fn categories(&self) -> Vec<String> {
        let mut keys: Vec<String> =
            self.all().flat_map(|n| n.dialplan.categories.iter().map(|c| c.key.clone())).collect();
        keys.sort();
        keys.dedup();
        keys
    }

    /// Each kind of help by its names as the prompts speak them, in lower case, with
    /// its key: `("boodschappen", "shopping")`, `("vervoer", "transport")` (the words before
    /// the first comma too), from every neighbourhood's prompts and the embedded Dutch and
    /// English ones; so a file may name a kind of help as people say it.
    pub fn category_names(&self) -> Vec<(String, String)> {
        let mut prompts: Vec<Arc<Prompts>> = self.all().map(|n| n.prompts.clone()).collect();
        for code in ["nl", "en"] {
            if let Ok(p) = load_prompts(None, code) {
                prompts.push(Arc::new(p));
            }
        }
        let mut names = Vec::new();
        for key in self.categories() {
            for p in &prompts {
                if let Some(spoken) = p.category(&key) {
                    let spoken = spoken.trim().to_lowercase();
                    let first = spoken.split(',').next().unwrap_or(&spoken).trim().to_string();
                    names.push((first, key.clone()));
                    names.push((spoken, key.clone()));
                }
            }
        }
        names.sort();
        names.dedup();
        names
    }

    /// The example neighbourhood with the embedded prompts.
    pub fn embedded() -> Neighbourhoods {
        load(None, None).expect("the embedded example dialplan and prompts are valid")
    }

    /// The example neighbourhood ringing in waves (`ringing.mode = "waves"`).
    pub fn embedded_in_waves() -> Neighbourhoods {
        let source = Source {
            file: "dialplans/example.toml (embedded, in waves)".into(),
            key: "example".into(),
            text: example_dialplan_in_waves(),
        };
        from_sources(vec![source], None).expect("the embedded example dialplan is valid in waves too")
    }
}

/// The neighbourhoods being served: replaced as a whole when the dialplans are read again
/// (`serve` on SIGHUP). Each request takes the current set once and keeps it to its end.
pub struct LiveNeighbourhoods(std::sync::RwLock<Arc<Neighbourhoods>>);

impl LiveNeighbourhoods {
    pub fn new(neighbourhoods: Neighbourhoods) -> LiveNeighbourhoods {
        LiveNeighbourhoods(std::sync::RwLock::new(Arc::new(neighbourhoods)))
    }

    pub fn current(&self) -> Arc<Neighbourhoods> {
        self.0.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn by_number(&self, number: &str) -> Option<Arc<Neighbourhood>> {
        self.current().by_number(number).cloned()
    }

    pub fn replace(&self, neighbourhoods: Arc<Neighbourhoods>) {
        *self.0.write().unwrap_or_else(|p| p.into_inner()) = neighbourhoods;
    }
}

/// Loads prompts for `language` from `dir` (or the embedded ones when `dir` is `None`).
pub fn load_prompts(dir: Option<&Path>, language: &str) -> Result<Prompts, Vec<String>> {
    let (source, audio) = match dir {
        Some(dir) => {
            let path = dir.join(format!("{language}.toml"));
            let source = std::fs::read_to_string(&path).map_err(|e| vec![format!("{}: {e}", path.display())])?;
            (source, audio_files(dir, language))
        }
        None => match EMBEDDED_PROMPTS.iter().find(|(l, _)| *l == language) {
            Some((_, s)) => (s.to_string(), Vec::new()),
            None => {
                return Err(vec![format!(
                    "no embedded prompts for language '{language}' (there are nl and en); pass --prompts DIR"
                )])
            }
        },
    };
    let file = dir
        .map(|d| d.join(format!("{language}.toml")).display().to_string())
        .unwrap_or_else(|| format!("prompts/{language}.toml (embedded)"));
    Prompts::parse(&source, &audio).map_err(|errs| errs.iter().map(|e| format!("{file}: {e}")).collect())
}

fn audio_files(dir: &Path, language: &str) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir.join("audio").join(language)) else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().to_string();
            name.strip_suffix(".mp3").map(str::to_string)
        })
        .collect()
}

/// Parses a dialplan and checks it against its prompts; every problem as one line.
pub fn check_dialplan(
    source: &str,
    file: &str,
    prompts_dir: Option<&Path>,
) -> Result<(Dialplan, Prompts), Vec<String>> {
    // The voice is checked against the provider's list here, where a dialplan meets the
    // provider: the domain takes the list as plain data (`KnownVoices`) and keeps the span of
    // `voice.name`, so the error names its line; the list itself lives with the provider.
    let plan = dialplan::parse_with_voices(source, KnownVoices(twilio::voices::KNOWN))
        .map_err(|errs| errs.iter().map(|e| format!("{file}: {e}")).collect::<Vec<_>>())?;
    let prompts = load_prompts(prompts_dir, &plan.language)?;
    let errors: Vec<String> = dialplan::check_prompts(&plan, &prompts).iter().map(|e| format!("{file}: {e}")).collect();
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok((plan, prompts))
}

/// Loads every `*.toml` in `dialplans` (or the embedded example when `None`).
pub fn load(dialplans: Option<&Path>, prompts_dir: Option<&Path>) -> anyhow::Result<Neighbourhoods> {
    let mut sources: Vec<Source> = Vec::new();
    match dialplans {
        Some(dir) => {
            let entries =
                std::fs::read_dir(dir).with_context(|| format!("cannot read dialplan folder {}", dir.display()))?;
            let mut paths: Vec<PathBuf> = entries
                .filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect();
            paths.sort();
            for path in paths {
                let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
                let key = path.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_default();
                sources.push(Source { file: path.display().to_string(), key, text });
            }
            if sources.is_empty() {
                bail!("no dialplans (*.toml) in {}", dir.display());
            }
        }
        None => sources.push(Source {
            file: "dialplans/example.toml (embedded)".into(),
            key: "example".into(),
            text: EXAMPLE_DIALPLAN.into(),
        }),
    }
    from_sources(sources, prompts_dir)
}

/// One dialplan file: its name, its neighbourhood's key (the name without `.toml`), its text.
struct Source {
    file: String,
    key: String,
    text: String,
}

/// Whether `key` may name a neighbourhood: lower-case letters, digits, `-` and `_`, as it
/// is written in the participants CSV (`;` between keys) and in commands.
pub fn valid_key(key: &str) -> bool {
    key.chars().next().is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

/// Checks and loads dialplans.
fn from_sources(sources: Vec<Source>, prompts_dir: Option<&Path>) -> anyhow::Result<Neighbourhoods> {
    let mut by_number = HashMap::new();
    let mut prompts_by_language: HashMap<String, Arc<Prompts>> = HashMap::new();
    let mut errors = Vec::new();
    for Source { file, key, text: source } in &sources {
        if !valid_key(key) {
            errors.push(format!(
                "{file}: the file name is the neighbourhood's key ('{key}'): use lower-case letters, digits, '-' and '_' only"
            ));
            continue;
        }
        match check_dialplan(source, file, prompts_dir) {
            Ok((plan, prompts)) => {
                let prompts =
                    prompts_by_language.entry(prompts.language.clone()).or_insert_with(|| Arc::new(prompts)).clone();
                let number = plan.number.as_str().to_string();
                if by_number.contains_key(&number) {
                    errors.push(format!("{file}: field `number`: {number} is used by another dialplan too"));
                    continue;
                }
                by_number.insert(number, Arc::new(Neighbourhood { key: key.clone(), dialplan: plan, prompts }));
            }
            Err(errs) => errors.extend(errs),
        }
    }
    if !errors.is_empty() {
        bail!("{}", errors.join("\n"));
    }
    let fallback_prompts = match prompts_by_language.get("nl") {
        Some(p) => p.clone(),
        None => prompts_by_language.values().next().cloned().context("no prompts loaded")?,
    };
    Ok(Neighbourhoods { by_number, fallback_prompts, audio_dir: prompts_dir.map(|d| d.join("audio")) })
}
