//! A dialplan: one neighbourhood's phone number, menu, hours and limits.
//!
//! Parsed from TOML with errors that name the line and the field. Not for: the words
//! spoken (see `prompts`).

use jiff::tz::TimeZone;
use serde::Deserialize;
use toml::Spanned;

use super::hours::WeeklyHours;
use super::phone::PhoneNumber;
use super::prompts::{line_of, Prompts};
use super::waves::WaveSize;

#[derive(Clone, Debug)]
pub struct Dialplan {
    pub name: String,
    pub number: PhoneNumber,
    pub time_zone: TimeZone,
    pub time_zone_name: String,
    /// Selects `prompts/<language>.toml`.
    pub language: String,
    pub voice: Voice,
    pub desk: Desk,
    pub ringing: Ringing,
    pub menu: Menu,
    pub categories: Vec<Category>,
    /// Other languages offered to callers the register does not know, each on its digit
    /// (the dialplan's own `language` stays the default).
    pub caller_languages: Vec<CallerLanguage>,
    /// The voice provider its number is with, by the name `provider` gives it (`None`: not
    /// named, the switchboard's first); checked against `KnownProviders`.
    pub provider: Option<String>,
}

/// `[[caller_language]]`: "For English, press 7" switches the rest of the call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallerLanguage {
    /// A prompt file's name (`en` for `prompts/en.toml`).
    pub key: String,
    pub digit: u8,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Voice {
    /// The provider's voice name, e.g. `Polly.Lotte`.
    pub name: String,
    /// The provider's language code, e.g. `nl-NL`.
    pub language: String,
    /// Speaking rate, e.g. `90%`; `None` speaks at the voice's normal rate.
    pub rate: Option<String>,
    /// The pause between the options of a menu, in milliseconds (an SSML `<break>`).
    pub pause_ms: u32,
}

/// The voice for each language a neighbourhood speaks: its dialplan's own voice for its
/// language (and for any language not listed), and each other language's prompt file's
/// voice, at the dialplan's rate and pause.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Voices {
    default: Voice,
    others: Vec<(String, Voice)>,
}

impl Voices {
    pub fn single(voice: Voice) -> Voices {
        Voices { default: voice, others: Vec::new() }
    }

    /// Adds the voice of another language (`tr`, say): its name and language code, spoken
    /// at the default voice's rate and pause.
    pub fn with(mut self, language: &str, name: &str, code: &str) -> Voices {
        let voice = Voice { name: name.to_string(), language: code.to_string(), ..self.default.clone() };
        self.others.retain(|(l, _)| l != language);
        self.others.push((language.to_string(), voice));
        self
    }

    pub fn for_language(&self, language: &str) -> &Voice {
        self.others.iter().find(|(l, _)| l == language).map(|(_, v)| v).unwrap_or(&self.default)
    }
}

/// The pause between a menu's options when a dialplan names none: clear pauses help older
/// callers follow a menu (see the comment in `dialplans/example.toml`).
pub const DEFAULT_PAUSE_MS: u32 = 600;

#[derive(Clone, Debug)]
pub struct Desk {
    pub phone: Option<PhoneNumber>,
    pub office_hours: WeeklyHours,
    pub ring_timeout_seconds: u32,
    pub voicemail_max_seconds: u32,
}

#[derive(Clone, Debug)]
pub struct Ringing {
    pub hours: WeeklyHours,
    pub ring_timeout_seconds: u32,
    pub max_helpers: u32,
    pub max_wait_seconds: u32,
    /// Searches one caller may start in 24 hours; after that the desk decides.
    pub max_searches_per_caller_per_day: u32,
    /// How helpers are rung while the caller waits.
    pub mode: RingMode,
    /// In `waves` mode: how many helpers ring at once: a fixed number (`wave_size = 2`; 1 =
    /// one after another), or, the default (`wave_size = "learned"`, or none), as many as
    /// make a yes likely, at most `max_wave_size` (issue 31, `domain::waves::sizing`).
    pub wave_size: WaveSize,
    /// How long a "call me back" request stays open, in hours.
    pub callback_hours: u32,
    /// Minutes between two searches for an open "call me back" request.
    pub callback_spacing_minutes: u32,
    /// Help for later (issue 28): nobody is asked this many hours before the help; the
    /// requester is told honestly, and the desk follows it up.
    pub later_cutoff_hours: u32,
}

/// How helpers are rung while the caller waits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RingMode {
    /// One by one inside the caller's own call (no REST credentials needed).
    Dial,
    /// The caller waits on hold; the service rings helpers itself, several at a time (`wave_size`),
    /// through the provider's REST API.
    Waves,
}

impl RingMode {
    pub fn as_str(self) -> &'static str {
        match self {
            RingMode::Dial => "dial",
            RingMode::Waves => "waves",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Menu {
    pub timeout_seconds: u32,
    /// Read for older dialplans, no longer used (issue 27): a first silence is offered
    /// more time, a second goes to a person (`domain::call::tries`).
    pub repeats: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Category {
    pub digit: u8,
    pub key: String,
    /// Rings only helpers the desk marked as experienced in this kind of help
    /// (`experienced_only = true`; issue 27).
    pub experienced_only: bool,
    /// Help for later (issue 28): may be asked for a later day and hour (`later = true`),
    /// at least `later_min_hours` ahead.
    pub later: Option<super::planned::Lead>,
    /// Help for later: the requester is called the next morning to ask whether it went
    /// well (`later_afterwards`; on by default for transport, off for the rest).
    pub afterwards: bool,
    /// Help for later: after the read-back the requester may say where to, in a short
    /// recording (`later_where`; on by default for transport, off for the rest; only with
    /// `later = true`).
    pub where_to: bool,
}

impl Dialplan {
    pub fn category_for_digit(&self, digit: &str) -> Option<&Category> {
        let digit: u8 = digit.parse().ok()?;
        self.categories.iter().find(|c| c.digit == digit)
    }

    /// Whether kind of help `key` rings only helpers marked as experienced in it.
    pub fn experienced_only(&self, key: &str) -> bool {
        self.categories.iter().any(|c| c.key == key && c.experienced_only)
    }

    pub fn has_category(&self, key: &str) -> bool {
        self.categories.iter().any(|c| c.key == key)
    }

    /// Whether the requester of planned help of kind `key` is asked afterwards whether it
    /// went well.
    pub fn afterwards(&self, key: &str) -> bool {
        self.categories.iter().any(|c| c.key == key && c.later.is_some() && c.afterwards)
    }

    /// Whether the requester of planned help of kind `key` is asked where to, after the
    /// read-back (a short recording, played to the helpers who are asked).
    pub fn where_to(&self, key: &str) -> bool {
        self.categories.iter().any(|c| c.key == key && c.later.is_some() && c.where_to)
    }

    /// The lead time of kind of help `key` when it may be planned (`later = true`).
    pub fn later(&self, key: &str) -> Option<super::planned::Lead> {
        self.categories.iter().find(|c| c.key == key).and_then(|c| c.later)
    }
}

/// The voices a provider's text-to-speech has, by the provider's language code (`nl-NL`):
/// plain data, so the domain knows no provider. Whoever loads dialplans for real passes
/// the provider's table (`config::check_dialplan` passes each provider's, `provider::Provider::KNOWN`).
#[derive(Clone, Copy, Debug)]
pub struct KnownVoices<'a>(pub &'a [(&'a str, &'a [&'a str])]);

impl<'a> KnownVoices<'a> {
    /// The voice names known for a provider language code.
    pub fn for_language(self, language: &str) -> Option<&'a [&'a str]> {
        self.0.iter().find(|(l, _)| *l == language).map(|(_, names)| *names)
    }

    fn languages(self) -> Vec<&'a str> {
        self.0.iter().map(|(l, _)| *l).collect()
    }
}

/// The voice providers a switchboard speaks through, each by the name a dialplan's
/// `provider` gives it, with its voices: plain data, so the domain knows no provider. The
/// first is the one of a dialplan that names none.
#[derive(Clone, Copy, Debug)]
pub struct KnownProviders<'a>(pub &'a [(&'a str, KnownVoices<'a>)]);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}field `{field}`: {message}", line.map(|l| format!("line {l}, ")).unwrap_or_default())]
pub struct DialplanError {
    pub line: Option<usize>,
    pub field: String,
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    name: Spanned<String>,
    number: Spanned<String>,
    time_zone: Spanned<String>,
    language: Spanned<String>,
    voice: RawVoice,
    /// The voice at another provider (`[voices.<provider>]`), spoken when `provider` names it:
    /// switching provider is then one line.
    #[serde(default)]
    voices: std::collections::BTreeMap<String, Spanned<RawProviderVoice>>,
    #[serde(default)]
    provider: Option<Spanned<String>>,
    #[serde(default)]
    desk: RawDesk,
    ringing: RawRinging,
    #[serde(default)]
    menu: RawMenu,
    #[serde(default)]
    category: Vec<RawCategory>,
    #[serde(default)]
    caller_language: Vec<RawCallerLanguage>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCallerLanguage {
    key: Spanned<String>,
    digit: Spanned<u8>,
}

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct RawVoice {
    name: Spanned<String>,
    language: Spanned<String>,
    rate: Option<Spanned<String>>,
    pause_ms: Option<Spanned<u32>>,
}

/// `[voices.<provider>]`: that provider's voice name, and its language code when it
/// differs from `[voice]`'s; rate and pause are `[voice]`'s.
#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct RawProviderVoice {
    name: Spanned<String>,
    language: Option<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawDesk {
    phone: Option<Spanned<String>>,
    office_hours: Option<Spanned<String>>,
    ring_timeout_seconds: Option<Spanned<u32>>,
    voicemail_max_seconds: Option<Spanned<u32>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRinging {
    hours: Spanned<String>,
    ring_timeout_seconds: Spanned<u32>,
    max_helpers: Spanned<u32>,
    max_wait_seconds: Spanned<u32>,
    max_searches_per_caller_per_day: Option<Spanned<u32>>,
    mode: Option<Spanned<String>>,
    /// A number, or the word "learned": any TOML value, so that a wrong one is named.
    wave_size: Option<Spanned<toml::Value>>,
    max_wave_size: Option<Spanned<u32>>,
    callback_hours: Option<Spanned<u32>>,
    callback_spacing_minutes: Option<Spanned<u32>>,
    later_cutoff_hours: Option<Spanned<u32>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawMenu {
    timeout_seconds: Option<Spanned<u32>>,
    repeats: Option<Spanned<u32>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCategory {
    digit: Spanned<u8>,
    key: Spanned<String>,
    /// Any TOML value, so that a wrong one is named with its field (`true` or `false`).
    experienced_only: Option<Spanned<toml::Value>>,
    /// Help for later (issue 28): `true` or `false`, and the hours ahead it needs.
    later: Option<Spanned<toml::Value>>,
    later_min_hours: Option<Spanned<u32>>,
    later_afterwards: Option<Spanned<toml::Value>>,
    later_where: Option<Spanned<toml::Value>>,
}

/// The cap of learned waves when the dialplan sets none: four phones at once.
pub const DEFAULT_MAX_WAVE_SIZE: u32 = 4;

/// `ringing.wave_size` and `ringing.max_wave_size`: a fixed number of helpers at once
/// (1–5), or waves sized by what was learned (`"learned"`, or no `wave_size`), at most
/// `max_wave_size` (1–10) at once. A fixed size is kept as it was set: the cap is not read.
fn wave_size(c: &mut Check<'_>, raw: &RawRinging) -> Option<WaveSize> {
    let cap = c.range_or("ringing.max_wave_size", &raw.max_wave_size, (1, 10), "helpers", DEFAULT_MAX_WAVE_SIZE)?;
    let Some(size) = &raw.wave_size else { return Some(WaveSize::Learned { cap }) };
    match size.get_ref() {
        toml::Value::String(word) if word.trim() == "learned" => Some(WaveSize::Learned { cap }),
        // (`max_wave_size` only caps learned waves; beside a fixed size it changes nothing.)
        toml::Value::Integer(n) if (1..=5).contains(n) => Some(WaveSize::Fixed(*n as u32)),
        toml::Value::Integer(n) => c.fail(
            "ringing.wave_size",
            size.span(),
            format!("must be between 1 and 5 helpers, or \"learned\", not {n}"),
        ),
        other => c.fail(
            "ringing.wave_size",
            size.span(),
            format!("must be a number of helpers (1 to 5) or \"learned\", not {other}"),
        ),
    }
}

/// Earliest and latest minute of the day at which helpers may be rung.
const NO_RINGING_BEFORE: u16 = 7 * 60;
const NO_RINGING_AFTER: u16 = 22 * 60;

struct Check<'a> {
    source: &'a str,
    errors: Vec<DialplanError>,
}

impl Check<'_> {
    fn fail<T>(&mut self, field: &str, span: std::ops::Range<usize>, message: impl Into<String>) -> Option<T> {
        self.errors.push(DialplanError {
            line: Some(line_of(self.source, span.start)),
            field: field.to_string(),
            message: message.into(),
        });
        None
    }

    fn range(&mut self, field: &str, value: &Spanned<u32>, min: u32, max: u32, unit: &str) -> Option<u32> {
        let v = *value.get_ref();
        if v < min || v > max {
            return self.fail(field, value.span(), format!("must be between {min} and {max} {unit}, not {v}"));
        }
        Some(v)
    }

    /// An optional number within bounds, or `default` when it is absent.
    fn range_or(
        &mut self,
        field: &str,
        value: &Option<Spanned<u32>>,
        (min, max): (u32, u32),
        unit: &str,
        default: u32,
    ) -> Option<u32> {
        match value {
            Some(v) => self.range(field, v, min, max, unit),
            None => Some(default),
        }
    }

    fn phone(&mut self, field: &str, value: &Spanned<String>) -> Option<PhoneNumber> {
        match PhoneNumber::parse(value.get_ref()) {
            Ok(p) => Some(p),
            Err(e) => self.fail(field, value.span(), e.to_string()),
        }
    }

    fn hours(&mut self, field: &str, value: &Spanned<String>) -> Option<WeeklyHours> {
        match WeeklyHours::parse(value.get_ref()) {
            Ok(h) => Some(h),
            Err(e) => self.fail(field, value.span(), e.to_string()),
        }
    }
}

/// A digit a dialplan may give to a kind of help or a language: 0, 8 and 9 are taken.
fn menu_digit(digit: u8) -> Result<(), String> {
    if (1..=7).contains(&digit) {
        Ok(())
    } else {
        Err(format!(
            "must be 1 to 7 (0 is the desk, 8 a participant's own settings, 9 hears the menu again), not {digit}"
        ))
    }
}

/// Parses a dialplan without checking its voice against a provider (for tests and tools;
/// `serve` and `dialplan check` use `parse_with_voices`).
pub fn parse(source: &str) -> Result<Dialplan, Vec<DialplanError>> {
    parse_checked(source, Voicing::Unchecked)
}

/// Parses a dialplan and refuses a `voice.name` that is not one of `voices` for its
/// `voice.language` (or a language with no known voices), naming the line, the field and
/// the valid names: an invalid voice fails every `<Say>` it is used in.
pub fn parse_with_voices(source: &str, voices: KnownVoices) -> Result<Dialplan, Vec<DialplanError>> {
    parse_checked(source, Voicing::Voices(voices))
}

/// Parses a dialplan, refuses a `provider` that is not one of `providers` (naming the
/// line, the field and the names there are), and checks its voice as `parse_with_voices`
/// does against the voices of the provider it names (or of the first, when it names none).
pub fn parse_for_providers(source: &str, providers: KnownProviders) -> Result<Dialplan, Vec<DialplanError>> {
    parse_checked(source, Voicing::Providers(providers))
}

/// What a dialplan's voice is checked against.
#[derive(Clone, Copy)]
enum Voicing<'a> {
    Unchecked,
    Voices(KnownVoices<'a>),
    Providers(KnownProviders<'a>),
}

fn parse_checked(source: &str, voicing: Voicing) -> Result<Dialplan, Vec<DialplanError>> {
    let raw: Raw = toml::from_str(source).map_err(|e| {
        vec![DialplanError {
            line: e.span().map(|s| line_of(source, s.start)),
            field: field_of_toml_error(e.message()),
            message: e.message().trim().to_string(),
        }]
    })?;
    let mut c = Check { source, errors: Vec::new() };

    let name = raw.name.get_ref().trim().to_string();
    if name.is_empty() {
        c.fail::<()>("name", raw.name.span(), "must not be empty; it is spoken in the greeting");
    }
    let number = c.phone("number", &raw.number);
    let time_zone = match TimeZone::get(raw.time_zone.get_ref()) {
        Ok(tz) => Some(tz),
        Err(_) => c.fail(
            "time_zone",
            raw.time_zone.span(),
            format!("'{}' is not a time zone (for example Europe/Amsterdam)", raw.time_zone.get_ref()),
        ),
    };
    let language = raw.language.get_ref().trim().to_string();
    if language.is_empty() || !language.chars().all(|ch| ch.is_ascii_lowercase() || ch == '-') {
        c.fail::<()>("language", raw.language.span(), "must be a prompt file name like nl or en");
    }

    let (provider, voice) = provider_and_voice(&mut c, &raw, voicing);

    let desk_phone = raw.desk.phone.as_ref().and_then(|p| c.phone("desk.phone", p));
    let office_hours = match &raw.desk.office_hours {
        Some(h) => c.hours("desk.office_hours", h),
        None => Some(WeeklyHours::never()),
    };
    let desk_ring_timeout = match &raw.desk.ring_timeout_seconds {
        Some(v) => c.range("desk.ring_timeout_seconds", v, 5, 120, "seconds"),
        None => Some(25),
    };
    let voicemail_max = match &raw.desk.voicemail_max_seconds {
        Some(v) => c.range("desk.voicemail_max_seconds", v, 10, 600, "seconds"),
        None => Some(120),
    };

    let ringing_hours = c.hours("ringing.hours", &raw.ringing.hours);
    if let Some(hours) = &ringing_hours {
        match hours.span() {
            None => {
                c.fail::<()>("ringing.hours", raw.ringing.hours.span(), "must not be empty, or nobody is ever rung");
            }
            Some((start, end)) if start < NO_RINGING_BEFORE || end > NO_RINGING_AFTER => {
                c.fail::<()>(
                    "ringing.hours",
                    raw.ringing.hours.span(),
                    "helpers are never rung at night: keep ringing hours between 07:00 and 22:00",
                );
            }
            Some(_) => {}
        }
    }
    let ring_timeout = c.range("ringing.ring_timeout_seconds", &raw.ringing.ring_timeout_seconds, 5, 120, "seconds");
    let max_helpers = c.range("ringing.max_helpers", &raw.ringing.max_helpers, 1, 50, "helpers");
    let max_wait = c.range("ringing.max_wait_seconds", &raw.ringing.max_wait_seconds, 30, 1800, "seconds");
    let max_searches = match &raw.ringing.max_searches_per_caller_per_day {
        Some(v) => c.range("ringing.max_searches_per_caller_per_day", v, 1, 50, "searches"),
        None => Some(5),
    };
    let mode = match &raw.ringing.mode {
        Some(m) => match m.get_ref().trim() {
            "dial" => Some(RingMode::Dial),
            "waves" => Some(RingMode::Waves),
            other => c.fail("ringing.mode", m.span(), format!("must be \"dial\" or \"waves\", not \"{other}\"")),
        },
        None => Some(RingMode::Dial),
    };
    let wave_size = wave_size(&mut c, &raw.ringing);
    let callback_hours = c.range_or("ringing.callback_hours", &raw.ringing.callback_hours, (1, 168), "hours", 36);
    let callback_spacing =
        c.range_or("ringing.callback_spacing_minutes", &raw.ringing.callback_spacing_minutes, (5, 240), "minutes", 20);
    let later_cutoff_hours = c
        .range_or(
            "ringing.later_cutoff_hours",
            &raw.ringing.later_cutoff_hours,
            (1, 72),
            "hours",
            super::planned::DEFAULT_CUTOFF_HOURS,
        )
        .unwrap_or(super::planned::DEFAULT_CUTOFF_HOURS);

    let menu_timeout = match &raw.menu.timeout_seconds {
        Some(v) => c.range("menu.timeout_seconds", v, 3, 30, "seconds"),
        None => Some(8),
    };
    let menu_repeats = match &raw.menu.repeats {
        Some(v) => c.range("menu.repeats", v, 1, 5, "times"),
        None => Some(2),
    };

    let (categories, caller_languages) = check_menu_keys(&mut c, &raw.category, &raw.caller_language, &language);

    if !c.errors.is_empty() {
        return Err(c.errors);
    }
    // Every field below was checked above; an error would have returned.
    let (
        Some(number),
        Some(time_zone),
        Some(office_hours),
        Some(desk_ring_timeout),
        Some(voicemail_max),
        Some(ringing_hours),
        Some(ring_timeout),
        Some(max_helpers),
        Some(max_wait),
        Some(menu_timeout),
        Some(menu_repeats),
        Some(max_searches),
    ) = (
        number,
        time_zone,
        office_hours,
        desk_ring_timeout,
        voicemail_max,
        ringing_hours,
        ring_timeout,
        max_helpers,
        max_wait,
        menu_timeout,
        menu_repeats,
        max_searches,
    )
    else {
        return Err(vec![DialplanError { line: None, field: "dialplan".into(), message: "is incomplete".into() }]);
    };
    let (Some(mode), Some(wave_size), Some(callback_hours), Some(callback_spacing_minutes)) =
        (mode, wave_size, callback_hours, callback_spacing)
    else {
        return Err(vec![DialplanError { line: None, field: "ringing".into(), message: "is incomplete".into() }]);
    };
    Ok(Dialplan {
        name,
        number,
        time_zone,
        time_zone_name: raw.time_zone.get_ref().clone(),
        language,
        voice,
        desk: Desk {
            phone: desk_phone,
            office_hours,
            ring_timeout_seconds: desk_ring_timeout,
            voicemail_max_seconds: voicemail_max,
        },
        ringing: Ringing {
            hours: ringing_hours,
            ring_timeout_seconds: ring_timeout,
            max_helpers,
            max_wait_seconds: max_wait,
            max_searches_per_caller_per_day: max_searches,
            mode,
            wave_size,
            callback_hours,
            callback_spacing_minutes,
            later_cutoff_hours,
        },
        menu: Menu { timeout_seconds: menu_timeout, repeats: menu_repeats },
        caller_languages,
        categories,
        provider,
    })
}

/// The provider a dialplan names and the voice it speaks there (its `[voices.<provider>]`,
/// else `[voice]`), checked against `voicing`.
fn provider_and_voice(c: &mut Check<'_>, raw: &Raw, voicing: Voicing) -> (Option<String>, Voice) {
    let provider = raw.provider.as_ref().map(|p| p.get_ref().trim().to_string());
    let voices = match (voicing, &raw.provider) {
        (Voicing::Unchecked, _) => None,
        (Voicing::Voices(voices), _) => Some(voices),
        (Voicing::Providers(known), None) => known.0.first().map(|(_, voices)| *voices),
        (Voicing::Providers(known), Some(named)) => match known.0.iter().find(|(n, _)| Some(*n) == provider.as_deref())
        {
            Some((_, voices)) => Some(*voices),
            None => c.fail("provider", named.span(), not_a_provider(named.get_ref(), known)),
        },
    };
    if let Voicing::Providers(known) = voicing {
        for (named, at) in &raw.voices {
            if !known.0.iter().any(|(n, _)| n == named) {
                c.fail::<()>("voices", at.span(), not_a_provider(named, known));
            }
        }
    }
    // The voice of the provider the dialplan names: its `[voices.<provider>]`, else `[voice]`.
    let spoken = match provider.as_deref().and_then(|p| raw.voices.get(p)) {
        Some(other) => RawVoice {
            name: other.get_ref().name.clone(),
            language: other.get_ref().language.clone().unwrap_or_else(|| raw.voice.language.clone()),
            ..raw.voice.clone()
        },
        None => raw.voice.clone(),
    };
    let voice = check_voice(c, &spoken, voices);
    (provider, voice)
}

/// The refusal of a provider name the switchboard does not speak through.
fn not_a_provider(named: &str, known: KnownProviders) -> String {
    let names: Vec<&str> = known.0.iter().map(|(n, _)| *n).collect();
    format!("'{named}' is not a voice provider this switchboard speaks through; use one of: {}", names.join(", "))
}

/// The voice: its rate, its pause, and (when the provider's voices are given) that it is
/// one of them for its language.
fn check_voice(c: &mut Check<'_>, voice_raw: &RawVoice, voices: Option<KnownVoices>) -> Voice {
    let rate = match &voice_raw.rate {
        Some(r) => {
            let text = r.get_ref().trim();
            let ok =
                text.strip_suffix('%').and_then(|n| n.parse::<u32>().ok()).is_some_and(|n| (50..=150).contains(&n));
            if ok {
                Some(text.to_string())
            } else {
                c.fail("voice.rate", r.span(), "must be a percentage between 50% and 150%, like 90%")
            }
        }
        None => None,
    };
    let pause_ms =
        c.range_or("voice.pause_ms", &voice_raw.pause_ms, (0, 2000), "milliseconds", DEFAULT_PAUSE_MS).unwrap_or(0);
    let voice = Voice {
        name: voice_raw.name.get_ref().trim().to_string(),
        language: voice_raw.language.get_ref().trim().to_string(),
        rate,
        pause_ms,
    };
    if voice.name.is_empty() {
        c.fail::<()>("voice.name", voice_raw.name.span(), "must name a voice, like Polly.Lotte");
    } else if let Some(known) = voices {
        match known.for_language(&voice.language) {
            None => {
                c.fail::<()>(
                    "voice.language",
                    voice_raw.language.span(),
                    format!(
                        "the provider has no voices known here for '{}'; use one of: {}",
                        voice.language,
                        known.languages().join(", ")
                    ),
                );
            }
            Some(names) if !names.contains(&voice.name.as_str()) => {
                c.fail::<()>(
                    "voice.name",
                    voice_raw.name.span(),
                    format!(
                        "'{}' is not a {} voice of the provider; use one of: {}",
                        voice.name,
                        voice.language,
                        names.join(", ")
                    ),
                );
            }
            Some(_) => {}
        }
    }
    voice
}

/// The kinds of help and the caller's languages, each on its own digit of the menu.
fn check_menu_keys(
    c: &mut Check<'_>,
    raw_categories: &[RawCategory],
    raw_languages: &[RawCallerLanguage],
    language: &str,
) -> (Vec<Category>, Vec<CallerLanguage>) {
    let mut categories = Vec::new();
    if raw_categories.is_empty() {
        c.errors.push(DialplanError {
            line: None,
            field: "category".into(),
            message: "at least one [[category]] is needed".into(),
        });
    }
    for cat in raw_categories {
        let digit = *cat.digit.get_ref();
        let key = cat.key.get_ref().trim().to_string();
        if let Err(message) = menu_digit(digit) {
            c.fail::<()>("category.digit", cat.digit.span(), message);
            continue;
        }
        if categories.iter().any(|x: &Category| x.digit == digit) {
            c.fail::<()>("category.digit", cat.digit.span(), format!("digit {digit} is used twice"));
            continue;
        }
        if key.is_empty() || !key.chars().all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-') {
            c.fail::<()>(
                "category.key",
                cat.key.span(),
                format!("'{key}' must be lowercase letters, digits and '-', like odd-jobs"),
            );
            continue;
        }
        if categories.iter().any(|x: &Category| x.key == key) {
            c.fail::<()>("category.key", cat.key.span(), format!("'{key}' is used twice"));
            continue;
        }
        let experienced_only = match &cat.experienced_only {
            None => false,
            Some(v) => match v.get_ref().as_bool() {
                Some(b) => b,
                None => {
                    c.fail::<()>("category.experienced_only", v.span(), "must be true or false");
                    continue;
                }
            },
        };
        let Ok(later) = check_later(c, cat) else { continue };
        let afterwards = match &cat.later_afterwards {
            None => key == "transport",
            Some(v) => match v.get_ref().as_bool() {
                Some(b) => b,
                None => {
                    c.fail::<()>("category.later_afterwards", v.span(), "must be true or false");
                    continue;
                }
            },
        };
        let Ok(where_to) = check_where(c, cat, &key, later.is_some()) else { continue };
        categories.push(Category { digit, key, experienced_only, later, afterwards, where_to });
    }
    categories.sort_by_key(|c| c.digit);
    check_menu_size(c, raw_categories, categories.len());
    let mut caller_languages: Vec<CallerLanguage> = Vec::new();
    for lang in raw_languages {
        let digit = *lang.digit.get_ref();
        let key = lang.key.get_ref().trim().to_string();
        if let Err(message) = menu_digit(digit) {
            c.fail::<()>("caller_language.digit", lang.digit.span(), message);
        } else if categories.iter().any(|x| x.digit == digit) || caller_languages.iter().any(|x| x.digit == digit) {
            c.fail::<()>("caller_language.digit", lang.digit.span(), format!("digit {digit} is used twice"));
        } else if key.is_empty() || !key.chars().all(|ch| ch.is_ascii_lowercase() || ch == '-') {
            c.fail::<()>("caller_language.key", lang.key.span(), "must be a prompt file name like en or tr");
        } else if key == language || caller_languages.iter().any(|x| x.key == key) {
            c.fail::<()>(
                "caller_language.key",
                lang.key.span(),
                format!("'{key}' is offered twice (the dialplan's own language is always there)"),
            );
        } else {
            caller_languages.push(CallerLanguage { key, digit });
        }
    }
    (categories, caller_languages)
}

/// A kind of help's `later_where` (issue 28): `true` or `false`, and `true` only with
/// `later = true`; by default on for transport (when it is plannable), off for the rest.
fn check_where(c: &mut Check<'_>, cat: &RawCategory, key: &str, later: bool) -> Result<bool, ()> {
    match &cat.later_where {
        None => Ok(later && key == "transport"),
        Some(v) => match v.get_ref().as_bool() {
            None => c.fail("category.later_where", v.span(), "must be true or false").ok_or(()),
            Some(true) if !later => {
                c.fail("category.later_where", v.span(), "needs `later = true` in the same [[category]]").ok_or(())
            }
            Some(b) => Ok(b),
        },
    }
}

/// A kind of help's `later` and `later_min_hours` (issue 28): a lead time only with
/// `later = true`, between 1 hour and a week (the default is a day).
fn check_later(c: &mut Check<'_>, cat: &RawCategory) -> Result<Option<super::planned::Lead>, ()> {
    let later = match &cat.later {
        None => false,
        Some(v) => match v.get_ref().as_bool() {
            Some(b) => b,
            None => return c.fail("category.later", v.span(), "must be true or false").ok_or(()),
        },
    };
    match (&cat.later_min_hours, later) {
        (Some(h), false) => {
            c.fail("category.later_min_hours", h.span(), "needs `later = true` in the same [[category]]").ok_or(())
        }
        (Some(h), true) => match c.range("category.later_min_hours", h, 1, 168, "hours") {
            Some(min_hours) => Ok(Some(super::planned::Lead { min_hours })),
            None => Err(()),
        },
        (None, true) => Ok(Some(super::planned::Lead { min_hours: 24 })),
        (None, false) => Ok(None),
    }
}

/// The most choices one menu may say, besides the key that repeats it (9): five, so that
/// older callers can keep them in mind (AT&T's auto-attendant guidance; W3C, "Let users
/// avoid navigating voice menus"). A registered participant's main menu adds 8 as a sixth.
pub const MAX_MENU_CHOICES: usize = 5;

/// The main menu says every kind of help and 0 (a person): refused when that is more than
/// [`MAX_MENU_CHOICES`], naming the count. (The languages offered to unknown callers are said
/// before the menu, each in its own language, and are not counted as its choices.)
fn check_menu_size(c: &mut Check<'_>, raw_categories: &[RawCategory], kinds: usize) {
    let choices = kinds + 1;
    if choices <= MAX_MENU_CHOICES {
        return;
    }
    let span = raw_categories.get(MAX_MENU_CHOICES - 1).map(|r| r.digit.span()).unwrap_or(0..0);
    c.fail::<()>(
        "category",
        span,
        format!(
            "the main menu would say {choices} choices ({kinds} kinds of help and 0 for a person); \
             at most {MAX_MENU_CHOICES}, so that older callers can keep them in mind: \
             put kinds of help together, or leave the rarer ones to the desk"
        ),
    );
}

/// About how many seconds a caller who presses nothing waits for a person after the
/// greeting (issue 27): the longest main menu (a participant's, with 8 and how to hear it
/// again) said with its pauses, the wait for a key, the offer of more time and its
/// shortest wait, and what is said before the desk rings. The call flow keeps the offer's
/// wait within the minute; only a menu this long can break it.
pub fn silent_seconds(dialplan: &Dialplan, prompts: &Prompts) -> u32 {
    use super::prompts::{speaking_seconds, PromptKey as K};
    let said = |texts: &[String], pause_ms: u32| -> u32 {
        texts.iter().map(|t| speaking_seconds(t)).sum::<u32>()
            + (pause_ms * texts.len().saturating_sub(1) as u32).div_ceil(1000)
    };
    let mut menu = longest_menu(dialplan, prompts);
    menu.push(prompts.text(K::MenuRepeatHint, &[]));
    let offer = [prompts.text(K::MenuNoInput, &[]), prompts.text(K::MenuMoreTime, &[])];
    let before_the_desk = [prompts.text(K::MenuGiveUp, &[]), prompts.text(K::ToDesk, &[])];
    said(&menu, dialplan.voice.pause_ms)
        + dialplan.menu.timeout_seconds
        + said(&offer, dialplan.voice.pause_ms)
        + MIN_OFFER_SECONDS
        + said(&before_the_desk, 0)
}

/// The longest main menu without how to hear it again: a participant's, with 8.
fn longest_menu(dialplan: &Dialplan, prompts: &Prompts) -> Vec<String> {
    use super::prompts::{speaking_seconds, PromptKey as K};
    let mut menu = vec![prompts.text(K::MenuIntro, &[])];
    for cat in &dialplan.categories {
        let name = prompts.category(&cat.key).unwrap_or(&cat.key);
        menu.push(prompts.text(K::MenuItem, &[("category", name), ("digit", &cat.digit.to_string())]));
    }
    let desk = [prompts.text(K::MenuDeskOpen, &[]), prompts.text(K::MenuDeskClosed, &[])];
    menu.push(desk.into_iter().max_by_key(|t| speaking_seconds(t)).unwrap_or_default());
    // 8, as a helper or as a resident who only asks hears it: the longer of the two.
    let own = [prompts.text(K::MenuOwnSettings, &[]), prompts.text(K::MenuOwnSay, &[])];
    menu.push(own.into_iter().max_by_key(|t| speaking_seconds(t)).unwrap_or_default());
    menu
}

/// The same for a participant on the slow line (issue 27, `call::slow`): the longest main
/// menu said once with a pause before each choice (twice only when that fits), the
/// dialplan's wait (the shortest the slow line waits; it waits longer only within the
/// minute), and what is said before the desk rings. No offer of more time on the slow line.
pub fn slow_silent_seconds(dialplan: &Dialplan, prompts: &Prompts) -> u32 {
    use super::call::slow;
    use super::call::tries;
    use super::prompts::{PromptKey as K, Speech};
    let lang = prompts.language.as_str();
    let body: Vec<Speech> = longest_menu(dialplan, prompts).into_iter().map(|t| Speech::text(lang, t)).collect();
    let said = slow::slowed(&body, None, Some(prompts.speech(K::MenuRepeatHint, &[])));
    let before_the_desk = [prompts.speech(K::MenuGiveUp, &[]), prompts.speech(K::ToDesk, &[])];
    let minute = slow::Minute {
        pause_ms: dialplan.voice.pause_ms,
        before_person: tries::said_seconds(&before_the_desk, 0),
        timeout: dialplan.menu.timeout_seconds,
    };
    minute.silent_seconds(&said, dialplan.menu.timeout_seconds)
}

/// The shortest wait for a key after the offer of more time.
const MIN_OFFER_SECONDS: u32 = 3;

/// Checks that a dialplan and the prompts in its language fit together.
pub fn check_prompts(dialplan: &Dialplan, prompts: &Prompts) -> Vec<DialplanError> {
    let mut errors = check_category_names(dialplan, prompts);
    let silent = silent_seconds(dialplan, prompts);
    if silent > 60 && errors.is_empty() {
        errors.push(DialplanError {
            line: None,
            field: "menu".into(),
            message: format!(
                "a caller who presses nothing would reach a person after about {silent} seconds \
                 (the main menu, {} seconds' wait, the offer of more time); at most 60: use shorter \
                 names for the kinds of help in prompts/{}.toml, or a shorter menu.timeout_seconds",
                dialplan.menu.timeout_seconds, prompts.language
            ),
        });
    }
    let slow = slow_silent_seconds(dialplan, prompts);
    if slow > 60 && errors.is_empty() {
        errors.push(DialplanError {
            line: None,
            field: "menu".into(),
            message: format!(
                "a caller on the slow line who presses nothing would reach a person after about {slow} seconds \
                 (the main menu with a pause before each choice, {} seconds' wait); at most 60: use \
                 shorter names for the kinds of help in prompts/{}.toml, or a shorter menu.timeout_seconds",
                dialplan.menu.timeout_seconds, prompts.language
            ),
        });
    }
    if prompts.language != dialplan.language {
        errors.push(DialplanError {
            line: None,
            field: "language".into(),
            message: format!(
                "the prompts are in '{}', the dialplan asks for '{}'",
                prompts.language, dialplan.language
            ),
        });
    }
    errors
}

/// Every kind of help needs a spoken name in every language it may be said in (the
/// dialplan's own, one offered to callers, or a participant's).
pub fn check_category_names(dialplan: &Dialplan, prompts: &Prompts) -> Vec<DialplanError> {
    dialplan
        .categories
        .iter()
        .filter(|cat| prompts.category(&cat.key).is_none())
        .map(|cat| DialplanError {
            line: None,
            field: format!("category.key = \"{}\"", cat.key),
            message: format!("prompts/{}.toml has no spoken name for it under [categories]", prompts.language),
        })
        .collect()
}

fn field_of_toml_error(message: &str) -> String {
    // serde messages look like "missing field `number`" or "unknown field `nmuber`, expected ...".
    message.split('`').nth(1).map(str::to_string).unwrap_or_else(|| "dialplan".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = include_str!("../../dialplans/example.toml");

    fn errors(src: &str) -> Vec<String> {
        parse(src).err().unwrap_or_default().iter().map(|e| e.to_string()).collect()
    }

    #[test]
    fn example_parses() {
        let plan = parse(EXAMPLE).unwrap();
        assert_eq!(plan.number.as_str(), "+31850000000");
        assert_eq!(plan.desk.phone.as_ref().map(|p| p.as_str()), Some("+31850000001"));
        let keys: Vec<(u8, &str)> = plan.categories.iter().map(|c| (c.digit, c.key.as_str())).collect();
        assert_eq!(keys, vec![(1, "shopping"), (2, "transport"), (3, "odd-jobs"), (4, "company")]);
        assert_eq!(plan.category_for_digit("3").map(|c| c.key.as_str()), Some("odd-jobs"));
        assert_eq!(plan.category_for_digit("0"), None);
        assert_eq!(plan.category_for_digit("x"), None);
        let prompts = Prompts::parse(include_str!("../../prompts/nl.toml"), &[]).unwrap();
        assert!(check_prompts(&plan, &prompts).is_empty());
    }

    #[test]
    fn where_to_is_asked_for_plannable_transport_by_default_and_only_with_later() {
        let plan = parse(EXAMPLE).unwrap();
        assert!(plan.where_to("transport"), "on by default for a plannable transport");
        assert!(!plan.where_to("odd-jobs") && !plan.where_to("shopping"), "off for the rest");
        let on = EXAMPLE.replacen("key = \"odd-jobs\"", "key = \"odd-jobs\"\nlater_where = true", 1);
        assert!(parse(&on).unwrap().where_to("odd-jobs"));
        let off = EXAMPLE.replacen("key = \"transport\"", "key = \"transport\"\nlater_where = false", 1);
        assert!(!parse(&off).unwrap().where_to("transport"));
        let line_of = |src: &str| src.lines().position(|l| l.starts_with("later_where")).unwrap() + 1;
        let unplannable = EXAMPLE.replacen("key = \"shopping\"", "key = \"shopping\"\nlater_where = true", 1);
        assert_eq!(
            errors(&unplannable),
            [format!(
                "line {}, field `category.later_where`: needs `later = true` in the same [[category]]",
                line_of(&unplannable)
            )]
        );
        let bad = EXAMPLE.replacen("key = \"transport\"", "key = \"transport\"\nlater_where = \"ja\"", 1);
        assert_eq!(
            errors(&bad),
            [format!("line {}, field `category.later_where`: must be true or false", line_of(&bad))]
        );
        let unmarked = EXAMPLE.replace("later = true\nlater_min_hours = 24\n", "");
        assert!(!parse(&unmarked).unwrap().where_to("transport"), "not plannable: never asked where to");
    }

    #[test]
    fn a_kind_of_help_may_be_planned_with_a_lead_time_and_a_bad_field_is_named() {
        let plan = parse(EXAMPLE).unwrap();
        let day = Some(crate::domain::planned::Lead { min_hours: 24 });
        assert_eq!((plan.later("transport"), plan.later("odd-jobs"), plan.later("shopping")), (day, day, None));
        assert!(plan.afterwards("transport") && !plan.afterwards("odd-jobs"), "the example asks afterwards for lifts");
        assert_eq!(plan.ringing.later_cutoff_hours, 18, "the default cut-off");
        // The example without help for later, marked here field by field.
        let unmarked = EXAMPLE.replace("later = true\nlater_min_hours = 24\n", "");
        assert!(!unmarked.contains("\nlater"), "{unmarked}");
        let plan = parse(&unmarked).unwrap();
        assert_eq!(plan.later("transport"), None);
        let marked =
            unmarked.replacen("key = \"transport\"", "key = \"transport\"\nlater = true\nlater_min_hours = 48", 1);
        let marked = marked.replacen("key = \"odd-jobs\"", "key = \"odd-jobs\"\nlater = true", 1);
        let marked = marked.replacen("mode = \"dial\"", "mode = \"dial\"\nlater_cutoff_hours = 12", 1);
        let plan = parse(&marked).unwrap();
        assert_eq!(plan.later("transport"), Some(crate::domain::planned::Lead { min_hours: 48 }));
        assert_eq!(plan.later("odd-jobs"), Some(crate::domain::planned::Lead { min_hours: 24 }), "a day by default");
        assert_eq!((plan.later("shopping"), plan.ringing.later_cutoff_hours), (None, 12));
        assert!(plan.afterwards("transport") && !plan.afterwards("odd-jobs"), "on by default for transport only");
        let off = marked.replacen("later_min_hours = 48", "later_min_hours = 48\nlater_afterwards = false", 1);
        assert!(!parse(&off).unwrap().afterwards("transport"));
        let bad = marked.replacen("later_min_hours = 48", "later_min_hours = 48\nlater_afterwards = 1", 1);
        assert_eq!(
            errors(&bad),
            [format!(
                "line {}, field `category.later_afterwards`: must be true or false",
                bad.lines().position(|l| l.starts_with("later_afterwards")).unwrap() + 1
            )]
        );
        let line_of = |src: &str, field: &str| src.lines().position(|l| l.starts_with(field)).unwrap() + 1;
        let wrong = unmarked.replacen("key = \"transport\"", "key = \"transport\"\nlater = \"ja\"", 1);
        assert_eq!(
            errors(&wrong),
            [format!("line {}, field `category.later`: must be true or false", line_of(&wrong, "later ="))]
        );
        let alone = unmarked.replacen("key = \"transport\"", "key = \"transport\"\nlater_min_hours = 24", 1);
        assert_eq!(
            errors(&alone),
            [format!(
                "line {}, field `category.later_min_hours`: needs `later = true` in the same [[category]]",
                line_of(&alone, "later_min_hours")
            )]
        );
        let long =
            unmarked.replacen("key = \"transport\"", "key = \"transport\"\nlater = true\nlater_min_hours = 500", 1);
        assert_eq!(
            errors(&long),
            [format!(
                "line {}, field `category.later_min_hours`: must be between 1 and 168 hours, not 500",
                line_of(&long, "later_min_hours")
            )]
        );
        let cutoff = unmarked.replacen("mode = \"dial\"", "mode = \"dial\"\nlater_cutoff_hours = 0", 1);
        assert_eq!(
            errors(&cutoff),
            [format!(
                "line {}, field `ringing.later_cutoff_hours`: must be between 1 and 72 hours, not 0",
                line_of(&cutoff, "later_cutoff_hours")
            )]
        );
    }

    #[test]
    fn a_kind_of_help_may_ring_only_experienced_helpers() {
        let plan = parse(EXAMPLE).unwrap();
        assert!(!plan.experienced_only("shopping"), "not unless asked for");
        let marked = EXAMPLE.replacen("key = \"transport\"", "key = \"transport\"\nexperienced_only = true", 1);
        let plan = parse(&marked).unwrap();
        assert!(plan.experienced_only("transport") && !plan.experienced_only("shopping"));
        let wrong = EXAMPLE.replacen("key = \"transport\"", "key = \"transport\"\nexperienced_only = \"ja\"", 1);
        let line = wrong.lines().position(|l| l.contains("experienced_only")).unwrap() + 1;
        assert_eq!(errors(&wrong), [format!("line {line}, field `category.experienced_only`: must be true or false")]);
    }

    #[test]
    fn a_bad_field_is_named_with_its_line() {
        let src = EXAMPLE.replace("phone = \"+31850000001\"", "phone = \"12\"");
        let line = src.lines().position(|l| l.contains("phone = \"12\"")).unwrap() + 1;
        assert_eq!(
            errors(&src),
            vec![format!("line {line}, field `desk.phone`: '12' is not a valid phone number (for example 06-12345678 or +31 20 123 4567)")]
        );
    }

    #[test]
    fn night_ringing_is_refused() {
        let src = EXAMPLE.replace("hours = \"08:00-21:00\"", "hours = \"06:00-23:00\"");
        let errs = errors(&src);
        assert_eq!(errs.len(), 1);
        assert!(
            errs[0].ends_with(
                "field `ringing.hours`: helpers are never rung at night: keep ringing hours between 07:00 and 22:00"
            ),
            "{errs:?}"
        );
    }

    #[test]
    fn unknown_and_missing_fields() {
        let errs = errors(&EXAMPLE.replace("max_helpers", "max_helperz"));
        assert_eq!(errs.len(), 1);
        assert!(errs[0].contains("field `max_helperz`"), "{errs:?}");
        assert!(errs[0].starts_with("line "), "{errs:?}");
        let errs = errors(&EXAMPLE.replace("time_zone = \"Europe/Amsterdam\"", "time_zone = \"Europe/Amsterdamm\""));
        assert!(errs[0].contains("'Europe/Amsterdamm' is not a time zone"), "{errs:?}");
    }

    #[test]
    fn a_pause_between_options_is_given_in_milliseconds() {
        assert_eq!(parse(EXAMPLE).unwrap().voice.pause_ms, 600);
        assert_eq!(parse(&EXAMPLE.replace("pause_ms = 600\n", "")).unwrap().voice.pause_ms, DEFAULT_PAUSE_MS);
        let said = errors(&EXAMPLE.replace("pause_ms = 600", "pause_ms = 5000")).join("\n");
        assert!(said.contains("field `voice.pause_ms`: must be between 0 and 2000 milliseconds, not 5000"), "{said}");
    }

    #[test]
    fn duplicate_digits_and_bad_limits() {
        let src =
            EXAMPLE.replace("digit = 2", "digit = 1").replace("ring_timeout_seconds = 20", "ring_timeout_seconds = 2");
        let errs = errors(&src);
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert!(errs
            .iter()
            .any(|e| e.contains("field `ringing.ring_timeout_seconds`: must be between 5 and 120 seconds, not 2")));
        assert!(errs.iter().any(|e| e.contains("field `category.digit`: digit 1 is used twice")));
        for reserved in [8, 9] {
            let said = errors(&EXAMPLE.replacen("digit = 2", &format!("digit = {reserved}"), 1)).join("\n");
            assert!(said.contains("field `category.digit`: must be 1 to 7 (0 is the desk, 8 a participant's own settings, 9 hears the menu again)"), "{said}");
        }
    }

    #[test]
    fn ringing_mode_and_waves() {
        let defaults: String = EXAMPLE
            .lines()
            .filter(|l| !["mode =", "wave_size =", "max_wave_size =", "callback_"].iter().any(|p| l.starts_with(p)))
            .map(|l| format!("{l}\n"))
            .collect();
        let plan = parse(&defaults).unwrap();
        assert_eq!(
            (
                plan.ringing.mode,
                plan.ringing.wave_size,
                plan.ringing.callback_hours,
                plan.ringing.callback_spacing_minutes
            ),
            (RingMode::Dial, WaveSize::Learned { cap: 4 }, 36, 20)
        );
        let waves = EXAMPLE
            .replace("mode = \"dial\"", "mode = \"waves\"")
            .replace("wave_size = \"learned\"", "wave_size = 3")
            .replace("max_wave_size = 4\n", "")
            .replace("callback_hours = 36", "callback_hours = 12")
            .replace("callback_spacing_minutes = 20", "callback_spacing_minutes = 30");
        let plan = parse(&waves).unwrap();
        assert_eq!(
            (
                plan.ringing.mode,
                plan.ringing.wave_size,
                plan.ringing.callback_hours,
                plan.ringing.callback_spacing_minutes
            ),
            (RingMode::Waves, WaveSize::Fixed(3), 12, 30)
        );
        let cases = [
            (
                "mode = \"waves\"",
                "mode = \"all-at-once\"",
                "field `ringing.mode`: must be \"dial\" or \"waves\", not \"all-at-once\"",
            ),
            (
                "wave_size = 3",
                "wave_size = 9",
                "field `ringing.wave_size`: must be between 1 and 5 helpers, or \"learned\", not 9",
            ),
            (
                "wave_size = 3",
                "wave_size = \"big\"",
                "field `ringing.wave_size`: must be a number of helpers (1 to 5) or \"learned\", not \"big\"",
            ),
            (
                "callback_hours = 12",
                "callback_hours = 0",
                "field `ringing.callback_hours`: must be between 1 and 168 hours, not 0",
            ),
            (
                "callback_spacing_minutes = 30",
                "callback_spacing_minutes = 1",
                "field `ringing.callback_spacing_minutes`: must be between 5 and 240 minutes, not 1",
            ),
        ];
        for (good, bad, expected) in cases {
            let src = waves.replace(good, bad);
            let line = src.lines().position(|l| l == bad).unwrap() + 1;
            assert_eq!(errors(&src), vec![format!("line {line}, {expected}")]);
        }
    }

    #[test]
    fn learned_waves_are_the_default_and_capped_by_max_wave_size() {
        let learned = EXAMPLE.replace("mode = \"dial\"", "mode = \"waves\"");
        assert_eq!(parse(&learned).unwrap().ringing.wave_size, WaveSize::Learned { cap: 4 });
        let six = learned.replace("max_wave_size = 4", "max_wave_size = 6");
        assert_eq!(parse(&six).unwrap().ringing.wave_size, WaveSize::Learned { cap: 6 });
        let cases = [
            (
                "max_wave_size = 4",
                "max_wave_size = 11",
                "field `ringing.max_wave_size`: must be between 1 and 10 helpers, not 11",
            ),
            (
                "max_wave_size = 4",
                "max_wave_size = 0",
                "field `ringing.max_wave_size`: must be between 1 and 10 helpers, not 0",
            ),
        ];
        for (good, bad, expected) in cases {
            let src = learned.replace(good, bad);
            let line = src.lines().position(|l| l == bad).unwrap() + 1;
            assert_eq!(errors(&src), vec![format!("line {line}, {expected}")]);
        }
        // A fixed size rings that many, whatever the cap.
        let fixed = learned.replace("wave_size = \"learned\"", "wave_size = 2");
        assert_eq!(parse(&fixed).unwrap().ringing.wave_size, WaveSize::Fixed(2));
    }

    const VOICES: KnownVoices = KnownVoices(&[
        ("nl-NL", &["Polly.Lotte", "Polly.Ruben", "Polly.Laura-Neural"]),
        ("en-GB", &["Polly.Amy", "Polly.Brian"]),
    ]);

    #[test]
    fn a_voice_the_provider_does_not_have_is_refused_with_the_valid_names() {
        assert!(parse_with_voices(EXAMPLE, VOICES).is_ok());
        let src = EXAMPLE.replace("name = \"Polly.Lotte\"", "name = \"Polly.Lotta\"");
        assert!(parse(&src).is_ok(), "without a provider's list any name goes");
        let line = src.lines().position(|l| l == "name = \"Polly.Lotta\"").unwrap() + 1;
        let errs: Vec<String> = parse_with_voices(&src, VOICES).unwrap_err().iter().map(|e| e.to_string()).collect();
        assert_eq!(
            errs,
            vec![format!(
                "line {line}, field `voice.name`: 'Polly.Lotta' is not a nl-NL voice of the provider; \
                 use one of: Polly.Lotte, Polly.Ruben, Polly.Laura-Neural"
            )]
        );
        // A voice of another language is refused too: the name is checked per language.
        let src = EXAMPLE.replace("name = \"Polly.Lotte\"", "name = \"Polly.Amy\"");
        assert!(errors_with_voices(&src)[0].contains("'Polly.Amy' is not a nl-NL voice"));
        let src = EXAMPLE
            .replace("name = \"Polly.Lotte\"\nlanguage = \"nl-NL\"", "name = \"Polly.Amy\"\nlanguage = \"en-GB\"");
        assert!(src.contains("Polly.Amy") && parse_with_voices(&src, VOICES).is_ok(), "an en-GB voice for en-GB");
        // A language the provider has no voices for.
        let src = EXAMPLE.replace("language = \"nl-NL\"", "language = \"nl-nl\"");
        let line = src.lines().position(|l| l == "language = \"nl-nl\"").unwrap() + 1;
        assert_eq!(
            errors_with_voices(&src),
            vec![format!(
                "line {line}, field `voice.language`: the provider has no voices known here for 'nl-nl'; \
                 use one of: nl-NL, en-GB"
            )]
        );
    }

    /// A dialplan names its provider with one setting; an unknown name is refused naming
    /// the line, the field and the names there are, and the voice is checked against the
    /// voices of the provider it names (the first when it names none).
    #[test]
    fn a_dialplan_names_its_provider_and_its_voice_is_checked_against_that_provider() {
        const OTHER: KnownVoices = KnownVoices(&[("nl-NL", &["Koos"])]);
        let providers = KnownProviders(&[("first", VOICES), ("second", OTHER)]);
        // The example's voices at other providers, which these tests do not know: each a
        // `[voices.<provider>]` header and its `name`.
        let mut example = String::new();
        let mut skip = 0;
        for line in EXAMPLE.lines() {
            if line.starts_with("[voices.") {
                skip = 2;
            }
            if skip > 0 {
                skip -= 1;
                continue;
            }
            example.push_str(line);
            example.push('\n');
        }
        assert!(example.len() < EXAMPLE.len(), "the example has a voice at another provider");
        let named = |name: &str| example.replacen("\n[voice]", &format!("\nprovider = \"{name}\"\n\n[voice]"), 1);
        assert_eq!(parse_for_providers(&example, providers).unwrap().provider, None);
        assert_eq!(parse_for_providers(&named("first"), providers).unwrap().provider.as_deref(), Some("first"));
        let second = parse_for_providers(&named("second"), providers).unwrap_err();
        assert_eq!(second[0].field, "voice.name", "Polly.Lotte is no voice of the second");
        let koos = named("second").replace("name = \"Polly.Lotte\"", "name = \"Koos\"");
        assert_eq!(parse_for_providers(&koos, providers).unwrap().provider.as_deref(), Some("second"));
        // One line switches provider when the dialplan has the other's voice too.
        let both = format!("{}\n[voices.second]\nname = \"Koos\"\n", named("second"));
        let plan = parse_for_providers(&both, providers).unwrap();
        assert_eq!((plan.voice.name.as_str(), plan.voice.language.as_str()), ("Koos", "nl-NL"));
        assert_eq!(plan.voice.pause_ms, parse(EXAMPLE).unwrap().voice.pause_ms, "the pause is [voice]'s");
        let first = both.replace("provider = \"second\"", "provider = \"first\"");
        assert_eq!(parse_for_providers(&first, providers).unwrap().voice.name, "Polly.Lotte");
        // Its own voice is checked against its provider, naming the line.
        let wrong = both.replace("name = \"Koos\"", "name = \"Kees\"");
        let line = wrong.lines().position(|l| l == "name = \"Kees\"").unwrap() + 1;
        let errs = parse_for_providers(&wrong, providers).unwrap_err();
        assert_eq!((errs[0].field.as_str(), errs[0].line), ("voice.name", Some(line)), "{errs:?}");
        // A voice at a provider the switchboard does not speak through is refused.
        let unknown = format!("{}\n[voices.thrid]\nname = \"Koos\"\n", named("first"));
        let errs = parse_for_providers(&unknown, providers).unwrap_err();
        assert_eq!(errs[0].field, "voices", "{errs:?}");
        assert!(errs[0].message.contains("'thrid' is not a voice provider"), "{errs:?}");
        let src = named("thrid");
        let line = src.lines().position(|l| l == "provider = \"thrid\"").unwrap() + 1;
        let errs: Vec<String> =
            parse_for_providers(&src, providers).unwrap_err().iter().map(|e| e.to_string()).collect();
        assert_eq!(
            errs,
            vec![format!(
                "line {line}, field `provider`: 'thrid' is not a voice provider this switchboard speaks through; \
                 use one of: first, second"
            )]
        );
    }

    fn errors_with_voices(src: &str) -> Vec<String> {
        parse_with_voices(src, VOICES).err().unwrap_or_default().iter().map(|e| e.to_string()).collect()
    }

    #[test]
    fn a_main_menu_of_six_choices_is_refused_naming_the_count() {
        let fifth = "\n[[category]]\ndigit = 5\nkey = \"garden\"\n";
        let src = format!("{EXAMPLE}{fifth}");
        let line = src.lines().position(|l| l == "digit = 5").unwrap() + 1;
        assert_eq!(
            errors(&src),
            vec![format!(
                "line {line}, field `category`: the main menu would say 6 choices (5 kinds of help and 0 for a \
                 person); at most 5, so that older callers can keep them in mind: put kinds of help together, \
                 or leave the rarer ones to the desk"
            )]
        );
        assert!(parse(EXAMPLE).is_ok(), "four kinds of help and the desk: five");
    }

    #[test]
    fn a_menu_too_long_for_a_person_within_a_minute_is_refused() {
        let prompts = Prompts::parse(include_str!("../../prompts/nl.toml"), &[]).unwrap();
        let plan = parse(EXAMPLE).unwrap();
        assert!(silent_seconds(&plan, &prompts) <= 60, "{}", silent_seconds(&plan, &prompts));
        assert!(check_prompts(&plan, &prompts).is_empty());
        let slow = parse(&EXAMPLE.replace("timeout_seconds = 8", "timeout_seconds = 25")).unwrap();
        let said: Vec<String> = check_prompts(&slow, &prompts).iter().map(|e| e.to_string()).collect();
        assert_eq!(said.len(), 1, "{said:?}");
        assert!(said[0].starts_with("field `menu`: a caller who presses nothing would reach a person after about "));
    }

    #[test]
    fn the_slow_line_keeps_the_minute_too() {
        let prompts = Prompts::parse(include_str!("../../prompts/nl.toml"), &[]).unwrap();
        let plan = parse(EXAMPLE).unwrap();
        // Said once with its pauses, and without the offer of more time, the slow line's
        // main menu is shorter than the ordinary one's whole minute.
        assert!(slow_silent_seconds(&plan, &prompts) <= silent_seconds(&plan, &prompts));
        // Without the voice's breaks and with a short offer, the slow line's pauses weigh
        // more: a wait the ordinary minute affords and the slow one does not is refused.
        let short = include_str!("../../prompts/nl.toml")
            .replace("menu_no_input = \"Ik hoorde geen toets.\"", "menu_no_input = \"Geen toets.\"")
            .replace("menu_more_time = \"Wilt u meer tijd? Toets 1.\"", "menu_more_time = \"Toets 1.\"");
        let prompts = Prompts::parse(&short, &[]).unwrap();
        let quiet = EXAMPLE.replace("pause_ms = 600", "pause_ms = 0");
        let plan = parse(&quiet).unwrap();
        let (ordinary, slow) = (silent_seconds(&plan, &prompts), slow_silent_seconds(&plan, &prompts));
        assert!(slow > ordinary, "{slow} > {ordinary}");
        let timeout = plan.menu.timeout_seconds + 60 - ordinary;
        let plan = parse(&quiet.replace("timeout_seconds = 8", &format!("timeout_seconds = {timeout}"))).unwrap();
        assert!(silent_seconds(&plan, &prompts) <= 60);
        let said: Vec<String> = check_prompts(&plan, &prompts).iter().map(|e| e.to_string()).collect();
        assert_eq!(said.len(), 1, "{said:?}");
        assert!(said[0].starts_with("field `menu`: a caller on the slow line who presses nothing"), "{said:?}");
    }

    #[test]
    fn categories_need_spoken_names() {
        let src = EXAMPLE.replace("key = \"company\"", "key = \"knitting\"");
        let plan = parse(&src).unwrap();
        let prompts = Prompts::parse(include_str!("../../prompts/nl.toml"), &[]).unwrap();
        let errs: Vec<String> = check_prompts(&plan, &prompts).iter().map(|e| e.to_string()).collect();
        assert_eq!(
            errs,
            vec!["field `category.key = \"knitting\"`: prompts/nl.toml has no spoken name for it under [categories]"
                .to_string()]
        );
    }
}
