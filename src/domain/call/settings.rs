//! A participant's own settings by phone (8), issue 27: only choices that apply, at most
//! five, the rarer ones one level down ("andere keuzes", 5: not rung until they call, the
//! good-morning round, the slow line on or off, 7); 0 is a person, as everywhere
//! (the desk in office hours, a message for the desk otherwise); `*` goes back to the
//! start; 9 says it again. A key that applies works on either level.

use super::menus::Common;
use super::{Phase, Stage, Stepper, BACK_KEY, MESSAGE_MAX_SECONDS};
use crate::domain::action::{Action, Next};
use crate::domain::own::{self, Change, Own, Pause};
use crate::domain::prompts::{PromptKey, Speech};

impl<'c, 'a> Stepper<'c, 'a> {
    /// The settings' sentences on the level the caller is on.
    fn settings_speech(&self, mine: &Own, after_change: bool) -> Vec<Speech> {
        let other = self.tries().other_choices;
        let mut say = Vec::new();
        if after_change {
            say.push(self.speech(PromptKey::SettingsMore, &[]));
        } else if other {
            say.push(self.speech(PromptKey::SettingsOtherIntro, &[]));
        } else {
            say.push(self.speech(PromptKey::SettingsIntro, &[]));
            say.extend(self.pause_now());
        }
        let paused = mine.pause != Pause::No;
        let mut keys = Vec::new();
        if other && !after_change {
            if !paused {
                keys.push(PromptKey::SettingsPauseOn);
            }
            // In the good-morning round: 6 pauses it (until they call again) or resumes it.
            match mine.round {
                Some(false) => keys.push(PromptKey::SettingsRoundPause),
                Some(true) => keys.push(PromptKey::SettingsRoundResume),
                None => {}
            }
            // Issue 27: the slow line, on or off (7), for every participant.
            keys.push(if mine.slow_line { PromptKey::SettingsSlowOff } else { PromptKey::SettingsSlowOn });
        } else {
            keys.push(if paused { PromptKey::SettingsResume } else { PromptKey::SettingsPauseWeek });
            keys.push(PromptKey::SettingsHear);
            // "Andere keuzes" always holds the slow line (7), whatever else it holds.
            keys.push(PromptKey::SettingsOther);
        }
        keys.push(if self.desk_open() { PromptKey::MenuDeskOpen } else { PromptKey::SettingsMessage });
        keys.extend([PromptKey::SettingsBack, PromptKey::MenuRepeatHint]);
        say.extend(keys.into_iter().map(|k| self.speech(k, &[])));
        say
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
            self.menu();
            return;
        };
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
        let today = self.local_now().date();
        let paused = mine.pause != Pause::No;
        let applies = matches!((key.as_str(), paused), ("1" | "2", false) | ("3", true) | ("4", _))
            || (key == "6" && mine.round.is_some())
            || key == "7";
        if applies {
            // A choice made: the silences and wrong keys so far no longer count.
            let fresh = self.tries().fresh();
            self.set_tries(fresh);
        }
        match key.as_str() {
            "1" if !paused => self.ask(&mine, Change::week_from(today)),
            "2" if !paused => self.ask(&mine, Change::PauseUntilFurtherNotice),
            "3" if paused => self.ask(&mine, Change::Resume),
            "4" => {
                self.read_out(&mine);
                self.settings_menu(true);
            }
            "5" if !self.tries().other_choices => {
                let mut t = self.tries().fresh();
                t.other_choices = true;
                self.set_tries(t);
                self.settings_menu(false);
            }
            "6" if mine.round.is_some() => {
                let change = if mine.round == Some(true) { Change::RoundResume } else { Change::RoundPause };
                self.ask(&mine, change);
            }
            "7" => self.ask(&mine, Change::SlowLine(!mine.slow_line)),
            BACK_KEY => {
                self.state.phase = Phase::Menu;
                self.set_tries(Default::default());
                self.menu();
            }
            _ if self.wrong_key() => self.settings_menu(false),
            _ => self.person_from_settings(),
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
