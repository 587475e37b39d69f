//! Every sentence the switchboard speaks, loaded from `prompts/<language>.toml`.
//!
//! Code names a prompt by its [`PromptKey`]; the words live only in the prompt files.
//! A recorded audio file for a prompt without placeholders replaces text-to-speech.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

/// What is spoken: a text for the provider's voice, or a recorded file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Speech {
    /// Words for the provider's voice in `language` (a prompt file's name, like `nl`).
    Text { text: String, language: String },
    /// A path relative to the audio folder, e.g. `nl/not_emergency.mp3`.
    Audio(String),
    /// Silence of this many seconds in a menu: the slow line's pause before each choice
    /// (issue 27; `<Pause length>` in TwiML).
    Pause(u32),
}

impl Speech {
    pub fn text(language: &str, text: impl Into<String>) -> Speech {
        Speech::Text { text: text.into(), language: language.to_string() }
    }

    /// About how long it takes to say (a recording: four seconds).
    pub fn seconds(&self) -> u32 {
        match self {
            Speech::Text { text, .. } => speaking_seconds(text),
            Speech::Audio(_) => 4,
            Speech::Pause(seconds) => *seconds,
        }
    }
}

/// About how long a sentence takes to say: two and a half words a second, a clear pace.
/// The emulator counts the same way.
pub fn speaking_seconds(text: &str) -> u32 {
    (text.split_whitespace().count() as u32 * 2).div_ceil(5)
}

macro_rules! prompt_keys {
    ($($variant:ident => $name:literal [$($ph:literal),*]),* $(,)?) => {
        /// The name of one spoken sentence.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
        pub enum PromptKey { $($variant),* }

        impl PromptKey {
            pub const ALL: &'static [PromptKey] = &[$(PromptKey::$variant),*];

            pub fn name(self) -> &'static str {
                match self { $(PromptKey::$variant => $name),* }
            }

            /// The placeholders this sentence may use.
            pub fn placeholders(self) -> &'static [&'static str] {
                match self { $(PromptKey::$variant => &[$($ph),*]),* }
            }
        }
    };
}

prompt_keys! {
    GreetingKnown => "greeting_known" ["daypart", "name", "neighbourhood"],
    GreetingUnknown => "greeting_unknown" ["daypart", "neighbourhood"],
    DaypartMorning => "daypart_morning" [],
    DaypartAfternoon => "daypart_afternoon" [],
    DaypartEvening => "daypart_evening" [],
    NotEmergency => "not_emergency" [],
    MenuIntro => "menu_intro" [],
    MenuItem => "menu_item" ["category", "digit"],
    MenuDeskOpen => "menu_desk_open" [],
    MenuDeskClosed => "menu_desk_closed" [],
    MenuNoInput => "menu_no_input" [],
    MenuUnknownKey => "menu_unknown_key" [],
    MenuGiveUp => "menu_give_up" [],
    MenuRepeatHint => "menu_repeat_hint" [],
    MenuWrongAgain => "menu_wrong_again" [],
    MenuMoreTime => "menu_more_time" [],
    MenuMoreTimeGiven => "menu_more_time_given" [],
    Searching => "searching" ["category"],
    SearchingNext => "searching_next" [],
    CallerLimit => "caller_limit" [],
    Nobody => "nobody" [],
    ToDesk => "to_desk" [],
    DeskUnavailable => "desk_unavailable" [],
    DeskClosed => "desk_closed" [],
    VoicemailIntro => "voicemail_intro" [],
    VoicemailAskNumber => "voicemail_ask_number" [],
    VoicemailCallback => "voicemail_callback" ["when"],
    VoicemailThanks => "voicemail_thanks" [],
    VoicemailHangUp => "voicemail_hang_up" [],
    WhenNow => "when_now" [],
    WhenToday => "when_today" ["time"],
    WhenTomorrow => "when_tomorrow" ["time"],
    WhenWeekday => "when_weekday" ["weekday", "time"],
    WhenSoon => "when_soon" [],
    TimeWholeHour => "time_whole_hour" ["hour"],
    TimeHourMinutes => "time_hour_minutes" ["hour", "minutes"],
    GoodbyeMatched => "goodbye_matched" [],
    GoodbyeDesk => "goodbye_desk" [],
    WhisperIntro => "whisper_intro" ["daypart", "helper", "neighbourhood"],
    WhisperRequestStreet => "whisper_request_street" ["caller", "street", "category"],
    WhisperRequestName => "whisper_request_name" ["caller", "category"],
    WhisperRequestUnknown => "whisper_request_unknown" ["category"],
    WhisperQuestion => "whisper_question" [],
    WhisperRepeatHint => "whisper_repeat_hint" [],
    WhisperAccepted => "whisper_accepted" [],
    WhisperWhoStreet => "whisper_who_street" ["caller", "street"],
    WhisperWhoName => "whisper_who_name" ["caller"],
    DeskOnly => "desk_only" [],
    WhisperDeclined => "whisper_declined" [],
    WhisperNoInput => "whisper_no_input" [],
    WhisperCallerGone => "whisper_caller_gone" [],
    HoldWaiting => "hold_waiting" [],
    HoldStillSearching => "hold_still_searching" [],
    HoldThanks => "hold_thanks" [],
    HoldWaitedOne => "hold_waited_one" [],
    HoldWaited => "hold_waited" ["minutes"],
    HoldConnecting => "hold_connecting" [],
    WaveAccepted => "wave_accepted" [],
    WaveAlreadyFound => "wave_already_found" [],
    WaveSearchOver => "wave_search_over" [],
    CallbackOffer => "callback_offer" [],
    CallbackPromise => "callback_promise" [],
    CallbackHelperWait => "callback_helper_wait" ["caller"],
    CallbackGoodNews => "callback_good_news" ["helper", "street"],
    CallbackGoodNewsName => "callback_good_news_name" ["helper"],
    AnnounceHelper => "announce_helper" ["helper", "street"],
    AnnounceHelperName => "announce_helper_name" ["helper"],
    CallbackResidentNoAnswer => "callback_resident_no_answer" ["caller"],
    CallbackHelperStillWaiting => "callback_helper_still_waiting" ["caller"],
    WaveCallerLeft => "wave_caller_left" [],
    CallbackHelperLeft => "callback_helper_left" ["helper"],
    MenuOwnSettings => "menu_own_settings" [],
    SettingsIntro => "settings_intro" [],
    SettingsNowPausedUntil => "settings_now_paused_until" ["date"],
    SettingsNowPaused => "settings_now_paused" [],
    SettingsPauseWeek => "settings_pause_week" [],
    SettingsPauseOn => "settings_pause_on" [],
    SettingsResume => "settings_resume" [],
    SettingsHear => "settings_hear" [],
    SettingsMessage => "settings_message" [],
    SettingsBack => "settings_back" [],
    SettingsOther => "settings_other" [],
    SettingsOtherIntro => "settings_other_intro" [],
    SettingsMore => "settings_more" [],
    SettingsPausedUntil => "settings_paused_until" ["date"],
    SettingsPaused => "settings_paused" [],
    SettingsResumed => "settings_resumed" [],
    SettingsOffers => "settings_offers" ["categories"],
    SettingsNoOffers => "settings_no_offers" [],
    SettingsHours => "settings_hours" ["hours"],
    SettingsHoursAny => "settings_hours_any" ["hours"],
    SettingsGoodbye => "settings_goodbye" [],
    MessageIntro => "message_intro" [],
    MessageThanks => "message_thanks" [],
    DateSpoken => "date_spoken" ["weekday", "day", "month"],
    ListAnd => "list_and" ["first", "last"],
    DaysRange => "days_range" ["first", "last"],
    HoursSpan => "hours_span" ["from", "until"],
    HoursOnDays => "hours_on_days" ["days", "hours"],
    HoursEveryDay => "hours_every_day" ["hours"],
    LanguageOffer => "language_offer" ["digit"],
    SettingsRoundPause => "settings_round_pause" [],
    SettingsRoundResume => "settings_round_resume" [],
    SettingsRoundPaused => "settings_round_paused" [],
    SettingsRoundResumed => "settings_round_resumed" [],
    RoundGreeting => "round_greeting" ["daypart", "name"],
    ChangePauseWeek => "change_pause_week" ["date"],
    ChangePause => "change_pause" [],
    ChangeResume => "change_resume" [],
    ChangeRoundPause => "change_round_pause" [],
    ChangeRoundResume => "change_round_resume" [],
    SettingsAskedCallBack => "settings_asked_call_back" ["change"],
    SettingsAskedDesk => "settings_asked_desk" ["change"],
    ConfirmGreeting => "confirm_greeting" ["daypart", "name"],
    ConfirmQuestion => "confirm_question" ["change"],
    ConfirmThanks => "confirm_thanks" [],
    ConfirmKept => "confirm_kept" [],
    ConfirmNoKey => "confirm_no_key" [],
    ConfirmTooLate => "confirm_too_late" [],
    RoundWhatItIs => "round_what_it_is" [],
    RoundQuestion => "round_question" [],
    RoundAsk => "round_ask" [],
    RoundFine => "round_fine" [],
    RoundNoKey => "round_no_key" [],
    RoundUnknownKey => "round_unknown_key" [],
    ContactAlert => "contact_alert" ["resident", "street"],
    ContactAlertName => "contact_alert_name" ["resident"],
    ContactQuestion => "contact_question" ["resident"],
    ContactThanks => "contact_thanks" ["resident"],
    ContactNotNow => "contact_not_now" [],
    DeskAlert => "desk_alert" ["resident"],
    NumberNotInUse => "number_not_in_use" [],
    SomethingWentWrong => "something_went_wrong" [],
    SlowAgain => "slow_again" [],
    SettingsSlowOn => "settings_slow_on" [],
    SettingsSlowOff => "settings_slow_off" [],
    ChangeSlowOn => "change_slow_on" [],
    ChangeSlowOff => "change_slow_off" [],
    SettingsSlowOnDone => "settings_slow_on_done" [],
    SettingsSlowOffDone => "settings_slow_off_done" [],
    WhisperSayWho => "whisper_say_who" [],
    MenuOwnSay => "menu_own_say" [],
    SettingsSay => "settings_say" [],
    SayIntro => "say_intro" [],
    SayNowAny => "say_now_any" [],
    SayNowNear => "say_now_near" [],
    SayNowFurther => "say_now_further" [],
    SayStreetNowAlways => "say_street_now_always" [],
    SayStreetNowAfterYes => "say_street_now_after_yes" [],
    SayChooseNear => "say_choose_near" [],
    SayChooseFurther => "say_choose_further" [],
    SayChooseAny => "say_choose_any" [],
    SayChooseStreetAfterYes => "say_choose_street_after_yes" [],
    SayChooseStreetAlways => "say_choose_street_always" [],
    ChangeHelpersAny => "change_helpers_any" [],
    ChangeHelpersNear => "change_helpers_near" [],
    ChangeHelpersFurther => "change_helpers_further" [],
    ChangeStreetAlways => "change_street_always" [],
    ChangeStreetAfterYes => "change_street_after_yes" [],
    SayDone => "say_done" ["say"],
    PlannedWhen => "planned_when" ["date", "time"],
    PlannedGreeting => "planned_greeting" ["daypart", "name"],
    PlannedAsk => "planned_ask" ["caller", "street", "category", "when"],
    PlannedAskName => "planned_ask_name" ["caller", "category", "when"],
    PlannedQuestion => "planned_question" [],
    PlannedNoKey => "planned_no_key" [],
    PlannedWhere => "planned_where" ["caller", "street"],
    PlannedWhereTo => "planned_where_to" ["caller"],
    PlannedYes => "planned_yes" ["caller"],
    PlannedTaken => "planned_taken" [],
    PlannedMatched => "planned_matched" ["helper", "when"],
    PlannedUnfilled => "planned_unfilled" ["when"],
    PlannedCancelled => "planned_cancelled" ["when"],
    PlannedGoodbye => "planned_goodbye" [],
    PlannedRemind => "planned_remind" ["caller", "street", "when"],
    PlannedRemindName => "planned_remind_name" ["caller", "when"],
    PlannedRemindQuestion => "planned_remind_question" [],
    PlannedRemindConfirmed => "planned_remind_confirmed" ["caller"],
    PlannedRemindWithdrawn => "planned_remind_withdrawn" [],
    PlannedAfterwards => "planned_afterwards" [],
    PlannedAfterwardsFine => "planned_afterwards_fine" [],
    PlannedAfterwardsNot => "planned_afterwards_not" [],
    LaterNowOrLater => "later_now_or_later" [],
    LaterWhichDay => "later_which_day" [],
    LaterChoice => "later_choice" ["what", "digit"],
    LaterToday => "later_today" ["date"],
    LaterTomorrow => "later_tomorrow" ["date"],
    LaterLaterDay => "later_later_day" [],
    LaterWhichPart => "later_which_part" ["date"],
    LaterMorning => "later_morning" [],
    LaterAfternoon => "later_afternoon" [],
    LaterEvening => "later_evening" [],
    LaterLaterHour => "later_later_hour" [],
    LaterHourChoice => "later_hour_choice" ["what", "digit"],
    LaterHalf => "later_half" ["hour", "next"],
    LaterCheck => "later_check" ["when"],
    LaterCheckHalf => "later_check_half" ["hour", "next"],
    LaterCheckSharp => "later_check_sharp" ["hour"],
    LaterCheckChange => "later_check_change" [],
    LaterYouHave => "later_you_have" ["when", "helper"],
    LaterYouAsked => "later_you_asked" ["when"],
    LaterCancelOrMenu => "later_cancel_or_menu" [],
    LaterCancelSure => "later_cancel_sure" ["when"],
    LaterBack => "later_back" [],
    LaterDeskOpen => "later_desk_open" [],
    LaterDeskClosed => "later_desk_closed" [],
    LaterUnknownCaller => "later_unknown_caller" [],
    LaterKept => "later_kept" [],
    LaterTooFar => "later_too_far" ["latest"],
    LaterTooSoon => "later_too_soon" ["earliest"],
    LaterNoSuchTime => "later_no_such_time" [],
    LaterTaken => "later_taken" ["when"],
    LaterCancelledHelper => "later_cancelled_helper" ["helper"],
    LaterCancelled => "later_cancelled" [],
    LaterWhereAsk => "later_where_ask" [],
    SettingsHearAgenda => "settings_hear_agenda" [],
    AgendaIntro => "agenda_intro" [],
    AgendaMine => "agenda_mine" [],
    AgendaOpen => "agenda_open" [],
    AgendaMineItem => "agenda_mine_item" ["when", "caller", "street", "category"],
    AgendaMineItemName => "agenda_mine_item_name" ["when", "caller", "category"],
    AgendaCancelChoice => "agenda_cancel_choice" [],
    AgendaNext => "agenda_next" [],
    AgendaLast => "agenda_last" [],
    AgendaCancelSure => "agenda_cancel_sure" ["caller", "when"],
    AgendaWithdrawn => "agenda_withdrawn" ["caller"],
    AgendaPassed => "agenda_passed" [],
    AgendaNoMore => "agenda_no_more" [],
    AgendaGone => "agenda_gone" [],
    PlannedWithdrawn => "planned_withdrawn" ["when"],
}

impl PromptKey {
    /// Whether a helper hears this sentence (on their own line): it is said in the
    /// helper's language. Everything else is said to the caller, in theirs.
    pub fn heard_by_helper(self) -> bool {
        use PromptKey::*;
        matches!(
            self,
            WhisperIntro
                | WhisperRequestStreet
                | WhisperRequestName
                | WhisperRequestUnknown
                | WhisperQuestion
                | WhisperRepeatHint
                | WhisperAccepted
                | WhisperSayWho
                | WhisperWhoStreet
                | WhisperWhoName
                | WhisperDeclined
                | WhisperNoInput
                | WhisperCallerGone
                | WaveAccepted
                | WaveAlreadyFound
                | WaveSearchOver
                | WaveCallerLeft
                | CallbackHelperWait
                | CallbackHelperStillWaiting
                | CallbackResidentNoAnswer
        )
    }
}

/// One language's prompts, validated.
#[derive(Clone, Debug)]
pub struct Prompts {
    pub language: String,
    texts: BTreeMap<&'static str, String>,
    categories: BTreeMap<String, String>,
    weekdays: [String; 7],
    months: [String; 12],
    audio: BTreeSet<&'static str>,
    /// The default provider's voice for this language: used wherever it is not the
    /// dialplan's own language (whose `[voice]` is used for it).
    pub voice: PromptVoice,
    /// Other providers' voices for this language (`[voices.<provider>]`), by provider name.
    pub voices: BTreeMap<String, PromptVoice>,
}

impl Prompts {
    /// The voice of this language on `provider` (its name): its own `[voices.<provider>]`,
    /// else `[voice]` (which the provider's list then decides on).
    pub fn voice_for(&self, provider: &str) -> &PromptVoice {
        self.voices.get(provider).unwrap_or(&self.voice)
    }
}

/// A prompt file's voice: the provider's voice name and language code.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PromptVoice {
    pub name: String,
    pub language: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{field}: {message}", line.map(|l| format!("line {l}, ")).unwrap_or_default())]
pub struct PromptError {
    pub line: Option<usize>,
    pub field: String,
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPrompts {
    language: String,
    weekdays: Vec<String>,
    months: Vec<String>,
    voice: PromptVoice,
    #[serde(default)]
    voices: BTreeMap<String, PromptVoice>,
    #[serde(default)]
    categories: BTreeMap<String, toml::Spanned<String>>,
    say: BTreeMap<String, toml::Spanned<String>>,
}

/// Words that must never be spoken: people who help are neighbours, not volunteers.
const FORBIDDEN_WORDS: &[&str] = &["vrijwilliger", "volunteer", "gönüllü"];

impl Prompts {
    /// Parses and checks a prompt file. `audio_files` names the prompt keys that have a
    /// recording (found by the caller of this function, which owns the file system).
    pub fn parse(source: &str, audio_files: &[String]) -> Result<Prompts, Vec<PromptError>> {
        let raw: RawPrompts = toml::from_str(source).map_err(|e| {
            vec![PromptError {
                line: e.span().map(|s| line_of(source, s.start)),
                field: "prompts".into(),
                message: e.message().to_string(),
            }]
        })?;
        let mut errors = Vec::new();
        let mut texts = BTreeMap::new();
        for (name, text) in &raw.say {
            let line = Some(line_of(source, text.span().start));
            let Some(key) = PromptKey::ALL.iter().find(|k| k.name() == name) else {
                errors.push(PromptError {
                    line,
                    field: format!("say.{name}"),
                    message: "is not a known prompt".into(),
                });
                continue;
            };
            if let Err(message) = check_text(text.get_ref(), key.placeholders()) {
                errors.push(PromptError { line, field: format!("say.{name}"), message });
            }
            texts.insert(key.name(), text.get_ref().clone());
        }
        for key in PromptKey::ALL {
            if !raw.say.contains_key(key.name()) {
                errors.push(PromptError {
                    line: None,
                    field: format!("say.{}", key.name()),
                    message: "is missing".into(),
                });
            }
        }
        let mut categories = BTreeMap::new();
        for (key, text) in &raw.categories {
            if let Err(message) = check_text(text.get_ref(), &[]) {
                let line = Some(line_of(source, text.span().start));
                errors.push(PromptError { line, field: format!("categories.{key}"), message });
            }
            categories.insert(key.clone(), text.get_ref().clone());
        }
        let weekdays: [String; 7] = match raw.weekdays.try_into() {
            Ok(days) => days,
            Err(_) => {
                errors.push(PromptError {
                    line: None,
                    field: "weekdays".into(),
                    message: "needs seven names, Monday first".into(),
                });
                Default::default()
            }
        };
        let months: [String; 12] = match raw.months.try_into() {
            Ok(months) => months,
            Err(_) => {
                errors.push(PromptError {
                    line: None,
                    field: "months".into(),
                    message: "needs twelve names, January first".into(),
                });
                Default::default()
            }
        };
        let mut audio = BTreeSet::new();
        for file_key in audio_files {
            match PromptKey::ALL.iter().find(|k| k.name() == file_key) {
                Some(k) if k.placeholders().is_empty() => {
                    audio.insert(k.name());
                }
                Some(k) => errors.push(PromptError {
                    line: None,
                    field: format!("audio {}", k.name()),
                    message: "this prompt has placeholders, so it cannot be a recording".into(),
                }),
                None => errors.push(PromptError {
                    line: None,
                    field: format!("audio {file_key}"),
                    message: "no prompt has this name".into(),
                }),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Prompts {
            language: raw.language,
            texts,
            categories,
            weekdays,
            months,
            audio,
            voice: raw.voice,
            voices: raw.voices,
        })
    }

    /// The spoken name of a category, if this language has one.
    pub fn category(&self, key: &str) -> Option<&str> {
        self.categories.get(key).map(String::as_str)
    }

    pub fn weekday(&self, monday_zero: usize) -> &str {
        &self.weekdays[monday_zero % 7]
    }

    /// A month's name, January = 0.
    pub fn month(&self, january_zero: usize) -> &str {
        &self.months[january_zero % 12]
    }

    /// "Goedemorgen", "Goedemiddag" or "Goedenavond" for a local hour (0–23).
    pub fn daypart(&self, hour: i8) -> String {
        let key = match hour {
            0..=11 => PromptKey::DaypartMorning,
            12..=17 => PromptKey::DaypartAfternoon,
            _ => PromptKey::DaypartEvening,
        };
        self.text(key, &[])
    }

    /// The text of a prompt with its placeholders filled in.
    pub fn text(&self, key: PromptKey, vars: &[(&str, &str)]) -> String {
        let template = self.texts.get(key.name()).map(String::as_str).unwrap_or("");
        fill(template, vars)
    }

    /// What to play or say for a prompt.
    pub fn speech(&self, key: PromptKey, vars: &[(&str, &str)]) -> Speech {
        if self.audio.contains(key.name()) {
            return Speech::Audio(format!("{}/{}.mp3", self.language, key.name()));
        }
        Speech::Text { text: self.text(key, vars), language: self.language.clone() }
    }
}

fn fill(template: &str, vars: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                if let Some((_, value)) = vars.iter().find(|(k, _)| *k == name) {
                    out.push_str(value);
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

fn check_text(text: &str, allowed: &[&str]) -> Result<(), String> {
    if text.trim().is_empty() {
        return Err("is empty".into());
    }
    let lower = text.to_lowercase();
    if let Some(word) = FORBIDDEN_WORDS.iter().find(|w| lower.contains(*w)) {
        return Err(format!("uses the word '{word}'; say 'buur' or 'deelnemer' instead"));
    }
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            return Err("has a '{' without '}'".into());
        };
        let name = &after[..close];
        if !allowed.contains(&name) {
            return Err(if allowed.is_empty() {
                format!("uses {{{name}}}, but this prompt takes no placeholders")
            } else {
                format!(
                    "uses {{{name}}}; it may use {}",
                    allowed.iter().map(|a| format!("{{{a}}}")).collect::<Vec<_>>().join(", ")
                )
            });
        }
        rest = &after[close + 1..];
    }
    Ok(())
}

/// 1-based line number of a byte offset.
pub(crate) fn line_of(source: &str, offset: usize) -> usize {
    source[..offset.min(source.len())].matches('\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    const NL: &str = include_str!("../../prompts/nl.toml");
    const EN: &str = include_str!("../../prompts/en.toml");
    const TR: &str = include_str!("../../prompts/tr.toml");

    #[test]
    fn shipped_prompts_are_complete() {
        let nl = Prompts::parse(NL, &[]).unwrap();
        assert_eq!(nl.language, "nl");
        assert_eq!(nl.category("shopping"), Some("boodschappen"));
        let en = Prompts::parse(EN, &[]).unwrap();
        assert_eq!(en.language, "en");
        let tr = Prompts::parse(TR, &[]).unwrap();
        assert_eq!((tr.language.as_str(), tr.voice.language.as_str()), ("tr", "tr-TR"));
        assert!(TR.starts_with("# TASLAK / DRAFT"), "marked as a draft in its first line");
    }

    #[test]
    fn placeholders_are_filled() {
        let nl = Prompts::parse(NL, &[]).unwrap();
        let text = nl.text(PromptKey::MenuItem, &[("category", "boodschappen"), ("digit", "1")]);
        assert!(text.contains("boodschappen") && text.contains('1'), "{text}");
        assert!(!text.contains('{'));
    }

    #[test]
    fn errors_name_line_and_field() {
        let bad = NL.replace("Voor {category}, toets {digit}.", "Voor {categorie}, toets {digit}.");
        let errors = Prompts::parse(&bad, &[]).unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        let msg = errors[0].to_string();
        assert!(msg.starts_with("line "), "{msg}");
        assert!(msg.contains("say.menu_item: uses {categorie}; it may use {category}, {digit}"), "{msg}");
    }

    #[test]
    fn the_word_volunteer_is_refused() {
        let bad = NL.replace("Ik zoek nu een buur", "Ik zoek nu een vrijwilliger");
        let errors = Prompts::parse(&bad, &[]).unwrap_err();
        assert!(errors[0].to_string().contains("uses the word 'vrijwilliger'"), "{errors:?}");
    }

    #[test]
    fn missing_prompts_are_listed() {
        let bad: String = NL.lines().filter(|l| !l.starts_with("nobody")).collect::<Vec<_>>().join("\n");
        let errors = Prompts::parse(&bad, &[]).unwrap_err();
        assert_eq!(errors[0].to_string(), "say.nobody: is missing");
    }

    #[test]
    fn recordings_replace_plain_prompts_only() {
        let nl = Prompts::parse(NL, &["not_emergency".into()]).unwrap();
        assert_eq!(nl.speech(PromptKey::NotEmergency, &[]), Speech::Audio("nl/not_emergency.mp3".into()));
        let errors = Prompts::parse(NL, &["menu_item".into()]).unwrap_err();
        assert!(errors[0].message.contains("placeholders"));
    }

    #[test]
    fn fill_leaves_text_without_braces_alone() {
        assert_eq!(fill("a {x} b {y", &[("x", "1")]), "a 1 b {y");
    }
}
