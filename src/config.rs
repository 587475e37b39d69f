//! Dialplans and prompts, loaded and checked once at start-up.
//!
//! The example neighbourhood and the Dutch and English prompts are embedded in the
//! binary, so the demo runs without any files.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{bail, Context as _};

use crate::domain::dialplan::{self, Dialplan, Voices};
use crate::domain::prompts::Prompts;
use crate::provider::Provider;

pub const EXAMPLE_DIALPLAN: &str = include_str!("../dialplans/example.toml");

/// The example dialplan's text with `ringing.mode = "waves"`, every other line as it was.
pub fn example_dialplan_in_waves() -> String {
    const DIAL: &str = "mode = \"dial\"";
    // Were the line ever written otherwise, the text would silently stay in dial mode.
    assert_eq!(EXAMPLE_DIALPLAN.matches(DIAL).count(), 1, "dialplans/example.toml says `{DIAL}` once");
    EXAMPLE_DIALPLAN.replacen(DIAL, "mode = \"waves\"", 1)
}
/// The example dialplan through `provider`: its `provider` line (the example holds a voice
/// for each provider).
pub fn example_dialplan_through(provider: Provider) -> String {
    if provider == Provider::default() {
        return EXAMPLE_DIALPLAN.to_string();
    }
    // One line switches provider: the example has each provider's voice (`[voices.*]`).
    format!("provider = \"{}\"\n{EXAMPLE_DIALPLAN}", provider.name())
}
pub const EXAMPLE_PARTICIPANTS: &str = include_str!("../dialplans/example-participants.csv");
const EMBEDDED_PROMPTS: &[(&str, &str)] = &[
    ("nl", include_str!("../prompts/nl.toml")),
    ("en", include_str!("../prompts/en.toml")),
    ("tr", include_str!("../prompts/tr.toml")),
];

/// Every language the switchboard can speak, by its prompt file's name (`nl`, `en`, `tr`).
pub type Languages = BTreeMap<String, Arc<Prompts>>;

/// One phone number's dialplan with the prompts in its language.
pub struct Neighbourhood {
    /// The dialplan's file name without `.toml` (`example` for `dialplans/example.toml`):
    /// the name participants and desk accounts are given to.
    pub key: String,
    pub dialplan: Dialplan,
    /// The prompts in the dialplan's own language.
    pub prompts: Arc<Prompts>,
    /// The voice for each language (the dialplan's own for its language).
    pub voices: Voices,
    /// Every language a caller or a helper may hear here.
    pub languages: Arc<Languages>,
}

impl Neighbourhood {
    /// The prompts in `language`, or in the dialplan's own when it is `None` or not known.
    pub fn prompts_in(&self, language: Option<&str>) -> &Arc<Prompts> {
        language.and_then(|l| self.languages.get(l)).unwrap_or(&self.prompts)
    }
}

pub struct Neighbourhoods {
    by_number: HashMap<String, Arc<Neighbourhood>>,
    /// For calls on a number without a dialplan.
    pub fallback_prompts: Arc<Prompts>,
    /// Where recorded prompts live (`<dir>/audio/<language>/<prompt>.mp3`), if anywhere.
    pub audio_dir: Option<PathBuf>,
    /// Every language the switchboard speaks.
    pub languages: Arc<Languages>,
    /// The voice provider every dialplan names (`provider`): one install speaks through one.
    pub provider: Provider,
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

    /// A call's neighbourhood: the key stored on it when it started, or, for a call from
    /// before keys were stored, the neighbourhood whose dialplan has its number now.
    pub fn key_of_call(&self, stored: Option<&str>, dialplan_number: &str) -> Option<String> {
        stored.map(str::to_string).or_else(|| self.by_number(dialplan_number).map(|n| n.key.clone()))
    }

    /// The neighbourhood a call came in on, for its rules (office hours): the one with the
    /// key stored on it while that is still served, else the one with its number.
    pub fn of_call(&self, stored: Option<&str>, dialplan_number: &str) -> Option<&Arc<Neighbourhood>> {
        stored.and_then(|k| self.by_key(k)).or_else(|| self.by_number(dialplan_number))
    }

    /// The languages the switchboard speaks, by their prompt files' names, sorted.
    pub fn language_keys(&self) -> Vec<String> {
        self.languages.keys().cloned().collect()
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
                    "no embedded prompts for language '{language}' (there are nl, en and tr); pass --prompts DIR"
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

/// Every prompt file: the embedded ones, or every `*.toml` in `dir`; each checked alike
/// (its voice is checked where the provider is known: `check_voices`).
pub fn load_languages(dir: Option<&Path>) -> Result<Languages, Vec<String>> {
    let names: Vec<String> = match dir {
        None => EMBEDDED_PROMPTS.iter().map(|(l, _)| l.to_string()).collect(),
        Some(dir) => {
            let entries = std::fs::read_dir(dir).map_err(|e| vec![format!("{}: {e}", dir.display())])?;
            let mut names: Vec<String> = entries
                .filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().to_string()))
                .collect();
            names.sort();
            names
        }
    };
    let mut languages = Languages::new();
    let mut errors = Vec::new();
    for name in names {
        match load_prompts(dir, &name) {
            Ok(p) => {
                let file = prompt_file(dir, &name);
                if p.language != name {
                    errors.push(format!("{file}: language: says '{}', the file is named '{name}'", p.language));
                }
                languages.insert(name, Arc::new(p));
            }
            Err(e) => errors.extend(e),
        }
    }
    if errors.is_empty() {
        Ok(languages)
    } else {
        Err(errors)
    }
}

/// How a prompt file is named in a message: its path, or the embedded one's.
fn prompt_file(dir: Option<&Path>, name: &str) -> String {
    dir.map(|d| d.join(format!("{name}.toml")).display().to_string())
        .unwrap_or_else(|| format!("prompts/{name}.toml (embedded)"))
}

/// Each prompt file's voice on `provider` (its `[voices.<provider>]`, else `[voice]`)
/// against that provider's list: every problem as one line naming the file and field.
pub fn check_voices(languages: &Languages, provider: Provider, dir: Option<&Path>) -> Vec<String> {
    let mut errors = Vec::new();
    for (name, p) in languages {
        let file = prompt_file(dir, name);
        let field = if p.voices.contains_key(provider.name()) {
            format!("voices.{}", provider.name())
        } else {
            "voice".to_string()
        };
        let voice = p.voice_for(provider.name());
        match provider.voices().for_language(&voice.language) {
            None => errors.push(format!(
                "{file}: {field}.language: {} has no voices known here for '{}'",
                provider.title(),
                voice.language
            )),
            Some(names) if !names.contains(&voice.name.as_str()) => errors.push(format!(
                "{file}: {field}.name: '{}' is not a {} voice of {}; use one of: {} (or give [voices.{}])",
                voice.name,
                voice.language,
                provider.title(),
                names.join(", "),
                provider.name()
            )),
            Some(_) => {}
        }
    }
    errors
}

/// A dialplan checked against every language: its own, the ones it offers callers, and
/// the names of its kinds of help in each.
pub fn check_dialplan_in(source: &str, file: &str, languages: &Languages) -> Result<Dialplan, Vec<String>> {
    let plan = dialplan::parse_for_providers(source, Provider::KNOWN)
        .map_err(|errs| errs.iter().map(|e| format!("{file}: {e}")).collect::<Vec<_>>())?;
    let mut errors = Vec::new();
    let there_are = || languages.keys().cloned().collect::<Vec<_>>().join(", ");
    match languages.get(&plan.language) {
        Some(own) => errors.extend(dialplan::check_prompts(&plan, own).iter().map(|e| format!("{file}: {e}"))),
        None => errors.push(format!(
            "{file}: field `language`: there is no prompts/{}.toml (there are: {})",
            plan.language,
            there_are()
        )),
    }
    for offered in &plan.caller_languages {
        if !languages.contains_key(&offered.key) {
            errors.push(format!(
                "{file}: field `caller_language.key`: there is no prompts/{}.toml (there are: {})",
                offered.key,
                there_are()
            ));
        }
    }
    for (name, prompts) in languages {
        if *name != plan.language {
            errors.extend(dialplan::check_category_names(&plan, prompts).iter().map(|e| format!("{file}: {e}")));
        }
    }
    if errors.is_empty() {
        Ok(plan)
    } else {
        Err(errors)
    }
}

/// The voices of a neighbourhood: its dialplan's for its own language, each other
/// language's from its prompt file.
fn voices_of(plan: &Dialplan, languages: &Languages, provider: Provider) -> Voices {
    languages.iter().filter(|(name, _)| **name != plan.language).fold(
        Voices::single(plan.voice.clone()),
        |v, (name, p)| {
            let voice = p.voice_for(provider.name());
            v.with(name, &voice.name, &voice.language)
        },
    )
}

/// Parses a dialplan and checks it against every prompt file (`load_languages`): every
/// problem as one line.
pub fn check_dialplan(
    source: &str,
    file: &str,
    prompts_dir: Option<&Path>,
) -> Result<(Dialplan, Languages), Vec<String>> {
    // The voice is checked against the provider's list here, where a dialplan meets the
    // provider: the domain takes the list as plain data (`KnownVoices`) and keeps the span of
    // `voice.name`, so the error names its line; the list itself lives with the provider.
    let languages = load_languages(prompts_dir)?;
    let plan = check_dialplan_in(source, file, &languages)?;
    let provider = plan.provider.as_deref().and_then(Provider::from_name).unwrap_or_default();
    let errors = check_voices(&languages, provider, prompts_dir);
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok((plan, languages))
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
    let languages = Arc::new(load_languages(prompts_dir).map_err(|e| anyhow::anyhow!("{}", e.join("\n")))?);
    let mut errors = Vec::new();
    let mut provider: Option<(Provider, &str)> = None;
    for Source { file, key, text: source } in &sources {
        if !valid_key(key) {
            errors.push(format!(
                "{file}: the file name is the neighbourhood's key ('{key}'): use lower-case letters, digits, '-' and '_' only"
            ));
            continue;
        }
        match check_dialplan_in(source, file, &languages) {
            Ok(plan) => {
                let Some(prompts) = languages.get(&plan.language).cloned() else { continue };
                let named = plan.provider.as_deref().and_then(Provider::from_name).unwrap_or_default();
                let voices = voices_of(&plan, &languages, named);
                match provider {
                    Some((first, first_file)) if first != named => errors.push(format!(
                        "{file}: field `provider`: '{}', but {first_file} says '{}': one install speaks through one provider",
                        named.name(),
                        first.name()
                    )),
                    Some(_) => {}
                    None => provider = Some((named, file)),
                }
                let number = plan.number.as_str().to_string();
                if by_number.contains_key(&number) {
                    errors.push(format!("{file}: field `number`: {number} is used by another dialplan too"));
                    continue;
                }
                by_number.insert(
                    number,
                    Arc::new(Neighbourhood {
                        key: key.clone(),
                        dialplan: plan,
                        prompts,
                        voices,
                        languages: languages.clone(),
                    }),
                );
            }
            Err(errs) => errors.extend(errs),
        }
    }
    if let Some((provider, _)) = provider {
        errors.extend(check_voices(&languages, provider, prompts_dir));
    }
    if !errors.is_empty() {
        bail!("{}", errors.join("\n"));
    }
    let fallback_prompts = match languages.get("nl") {
        Some(p) => p.clone(),
        None => languages.values().next().cloned().context("no prompts loaded")?,
    };
    Ok(Neighbourhoods {
        by_number,
        fallback_prompts,
        audio_dir: prompts_dir.map(|d| d.join("audio")),
        languages,
        provider: provider.map(|(p, _)| p).unwrap_or_default(),
    })
}
