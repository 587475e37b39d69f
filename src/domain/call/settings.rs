//! A participant's own settings by phone (8), issue 27: only choices that apply, at most
//! five with the person (0) and the way back (`*`), besides 9 that says it again.
//!
//! - The top level: a week without calls (1) or "ring me again" (3), and what and when
//!   they are rung for (4), for those who are rung (and, for a helper with help for later,
//!   then their planned help and the open requests they may take: `agenda`); a resident's say over who comes (8)
//!   for those who are not; the other choices (5).
//! - "Andere keuzes" (5): not rung until they call (2), the good-morning round (6), the
//!   slow line (7), and a helper's say (8): the first three that apply.
//! - The say (8): helpers from near by (1), further away (2) or either (3), the two that
//!   are not the choice now, and whether their street is named before a yes (4).
//!
//! 0 is a person, as everywhere (the desk in office hours, a message for the desk
//! otherwise); `*` goes back to the start. On the top level and under "andere keuzes" a key
//! that is a choice on either works on both; the say's level has its own keys.

use super::menus::Common;
use super::{Phase, Stage, Stepper, BACK_KEY, MESSAGE_MAX_SECONDS};
use crate::domain::action::{Action, Next};
use crate::domain::own::{self, Change, Own, Pause};
use crate::domain::participant::{Distance, StreetSaid};
use crate::domain::prompts::{PromptKey, Speech};

/// The most choices one level of the settings says besides the person and the way back.
const MOST_CHOICES: usize = 3;

/// Where in the settings the caller is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Level {
    Top,
    Other,
    Say,
}

/// A choice on one level: its key, what it says, and what it does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Choice {
    key: &'static str,
    prompt: PromptKey,
    does: Does,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Does {
    Change(Change),
    ReadOut,
    Down(Level),
}

/// The choices on `level` for someone whose settings are `mine`, `today`, in the order
/// they are said.
fn choices(mine: &Own, level: Level, today: jiff::civil::Date) -> Vec<Choice> {
    let c = |key, prompt, does| Choice { key, prompt, does };
    let (paused, rung) = (mine.pause != Pause::No, mine.is_rung());
    let mut all = Vec::new();
    match level {
        Level::Top => {
            if paused {
                all.push(c("3", PromptKey::SettingsResume, Does::Change(Change::Resume)));
            } else if rung {
                all.push(c("1", PromptKey::SettingsPauseWeek, Does::Change(Change::week_from(today))));
            }
            // Issue 28: 4 leads on to a helper's help for later (`agenda`), when there is any.
            if !mine.agenda.is_empty() {
                all.push(c("4", PromptKey::SettingsHearAgenda, Does::ReadOut));
            } else if rung || mine.round.is_some() {
                all.push(c("4", PromptKey::SettingsHear, Does::ReadOut));
            }
            if !rung {
                all.push(c("8", PromptKey::SettingsSay, Does::Down(Level::Say)));
            }
            all.push(c("5", PromptKey::SettingsOther, Does::Down(Level::Other)));
        }
        Level::Other => {
            if rung && !paused {
                all.push(c("2", PromptKey::SettingsPauseOn, Does::Change(Change::PauseUntilFurtherNotice)));
            }
            match mine.round {
                Some(false) => all.push(c("6", PromptKey::SettingsRoundPause, Does::Change(Change::RoundPause))),
                Some(true) => all.push(c("6", PromptKey::SettingsRoundResume, Does::Change(Change::RoundResume))),
                None => {}
            }
            let slow = if mine.slow_line { PromptKey::SettingsSlowOff } else { PromptKey::SettingsSlowOn };
            all.push(c("7", slow, Does::Change(Change::SlowLine(!mine.slow_line))));
            if rung {
                all.push(c("8", PromptKey::SettingsSay, Does::Down(Level::Say)));
            }
            // A helper in the round who is not paused has four: the say is then set at the desk.
            all.truncate(MOST_CHOICES);
        }
        Level::Say => {
            for (key, from, prompt) in [
                ("1", Distance::Near, PromptKey::SayChooseNear),
                ("2", Distance::NotOwnStreet, PromptKey::SayChooseFurther),
                ("3", Distance::Any, PromptKey::SayChooseAny),
            ] {
                if mine.helpers_from != from {
                    all.push(c(key, prompt, Does::Change(Change::HelpersFrom(from))));
                }
            }
            let (other, prompt) = match mine.street {
                StreetSaid::Always => (StreetSaid::AfterYes, PromptKey::SayChooseStreetAfterYes),
                StreetSaid::AfterYes => (StreetSaid::Always, PromptKey::SayChooseStreetAlways),
            };
            all.push(c("4", prompt, Does::Change(Change::Street(other))));
        }
    }
    all
}

impl<'c, 'a> Stepper<'c, 'a> {
    fn level(&self) -> Level {
        match (self.tries().other_choices, self.tries().say_choices) {
            (_, true) => Level::Say,
            (true, false) => Level::Other,
            (false, false) => Level::Top,
        }
    }

    /// The settings' sentences on the level the caller is on (after a change: the top).
    fn settings_speech(&self, mine: &Own, after_change: bool) -> Vec<Speech> {
        let level = if after_change { Level::Top } else { self.level() };
        let mut say = Vec::new();
        match level {
            _ if after_change => say.push(self.speech(PromptKey::SettingsMore, &[])),
            Level::Top => {
                say.push(self.speech(PromptKey::SettingsIntro, &[]));
                say.extend(self.pause_now());
            }
            Level::Other => say.push(self.speech(PromptKey::SettingsOtherIntro, &[])),
            Level::Say => say.extend(self.say_now(mine)),
        }
        let today = self.local_now().date();
        let mut keys: Vec<PromptKey> = choices(mine, level, today).into_iter().map(|c| c.prompt).collect();
        keys.push(if self.desk_open() { PromptKey::MenuDeskOpen } else { PromptKey::SettingsMessage });
        keys.extend([PromptKey::SettingsBack, PromptKey::MenuRepeatHint]);
        say.extend(keys.into_iter().map(|k| self.speech(k, &[])));
        say
    }

    /// A resident's say as it is now (issue 27): who helps, and when their street is named.
    fn say_now(&self, mine: &Own) -> Vec<Speech> {
        let from = match mine.helpers_from {
            Distance::Any => PromptKey::SayNowAny,
            Distance::Near => PromptKey::SayNowNear,
            Distance::NotOwnStreet => PromptKey::SayNowFurther,
        };
        let street = match mine.street {
            StreetSaid::Always => PromptKey::SayStreetNowAlways,
            StreetSaid::AfterYes => PromptKey::SayStreetNowAfterYes,
        };
        [PromptKey::SayIntro, from, street].into_iter().map(|k| self.speech(k, &[])).collect()
    }

    /// A participant's own settings: where they stand first (or what was just changed),
    /// then the choices that apply to them.
    pub(super) fn settings_menu(&mut self, after_change: bool) {
        if self.ctx.caller_gone {
            self.end(super::Outcome::OwnSettings, Stage::Settings);
            return;
        }
        let Some(mine) = self.ctx.caller.own.clone() else {
            self.state.phase = Phase::Menu;
            return self.menu();
        };
        if after_change {
            let mut t = self.tries();
            t.other_choices = false;
            t.say_choices = false;
            self.set_tries(t);
        }
        let (say, timeout_seconds) = self.as_said(self.settings_speech(&mine, after_change));
        self.reply.push(Action::Gather { say, timeout_seconds, next: Next::Settings });
        // Reached only when nothing was pressed.
        self.reply.push(Action::Redirect(Next::Settings));
    }

    /// "U wordt nu niet gebeld, tot en met dinsdag 8 december", when that is so.
    pub(super) fn pause_now(&self) -> Option<Speech> {
        match self.ctx.caller.own.as_ref()?.pause {
            Pause::No => None,
            Pause::Until { back_on } => {
                let date = own::spoken_date(self.p(), own::last_day(back_on));
                Some(self.speech(PromptKey::SettingsNowPausedUntil, &[("date", &date)]))
            }
            Pause::UntilFurtherNotice => Some(self.speech(PromptKey::SettingsNowPaused, &[])),
        }
    }

    pub(super) fn settings_key(&mut self, key: Option<String>) {
        let Some(mine) = self.ctx.caller.own.clone() else {
            // No longer in the register (erased since the call began): the main menu.
            self.state.phase = Phase::Menu;
            self.set_tries(Default::default());
            self.state.later = None;
            self.menu();
            return;
        };
        if matches!(self.state.later, Some(super::Later::Agenda(_))) {
            return self.agenda_key(key);
        }
        let key = match self.common(key) {
            Common::Person => return self.person_from_settings(),
            Common::Again => return self.settings_menu(false),
            Common::MoreTime => {
                self.say(PromptKey::MenuMoreTimeGiven);
                return self.settings_menu(false);
            }
            Common::Silence(true) => {
                self.say(PromptKey::MenuGiveUp);
                return self.person_from_settings();
            }
            Common::Silence(false) => {
                let said = self.settings_speech(&mine, false);
                return self.offer_more_time(&said, Next::Settings);
            }
            Common::Choice(key) => key,
        };
        if key == BACK_KEY {
            self.state.phase = Phase::Menu;
            self.set_tries(Default::default());
            return self.menu();
        }
        let today = self.local_now().date();
        let level = self.level();
        // The top level and "andere keuzes" share their keys; the say has its own.
        let levels: &[Level] = match level {
            Level::Say => &[Level::Say],
            Level::Top => &[Level::Top, Level::Other],
            Level::Other => &[Level::Other, Level::Top],
        };
        let choice =
            levels.iter().flat_map(|l| choices(&mine, *l, today)).find(|c| c.key == key && c.does != Does::Down(level));
        let Some(choice) = choice else {
            return if self.wrong_key() { self.settings_menu(false) } else { self.person_from_settings() };
        };
        // A choice made: the silences and wrong keys so far no longer count.
        self.set_tries(self.tries().fresh());
        match choice.does {
            Does::Change(change) => self.ask(&mine, change),
            Does::ReadOut => {
                self.read_out(&mine);
                self.after_read_out();
            }
            Does::Down(to) => {
                let mut t = self.tries().fresh();
                t.other_choices = to == Level::Other;
                t.say_choices = to == Level::Say;
                self.set_tries(t);
                self.settings_menu(false);
            }
        }
    }

    /// 0 in one's own settings (or a second silence or wrong key there): the desk in office
    /// hours, a message for the desk otherwise. Neither is a request for help.
    pub(super) fn person_from_settings(&mut self) {
        let mut t = self.tries().fresh();
        t.from_settings = true;
        self.set_tries(t);
        let plan = self.ctx.dialplan;
        match (&plan.desk.phone, self.desk_open()) {
            (Some(desk), true) => {
                self.say(PromptKey::ToDesk);
                self.reply.push(Action::DialDesk {
                    number: desk.clone(),
                    timeout_seconds: plan.desk.ring_timeout_seconds,
                    done: Next::DeskDone,
                });
                self.state.phase = Phase::Desk;
            }
            _ => self.message(),
        }
    }

    /// A participant's message for the desk.
    pub(super) fn message(&mut self) {
        if self.ctx.caller_gone {
            self.end(super::Outcome::OwnSettings, Stage::Settings);
            return;
        }
        self.say(PromptKey::MessageIntro);
        self.reply.push(Action::Record { max_seconds: MESSAGE_MAX_SECONDS, silence_seconds: 5, done: Next::Recorded });
        // Reached only when nothing was recorded.
        self.reply.push(Action::Redirect(Next::Recorded));
        self.state.phase = Phase::Message;
    }
}
