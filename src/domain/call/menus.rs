//! The main menu (issue 27): at most five choices (the kinds of help and a person, 0), and
//! 8 as a sixth for a participant who has settings to change; 9 says it again. A silence
//! is answered with more time, once; a second silence or a second wrong key goes to a
//! person (the desk in office hours, a message otherwise), within a minute of the greeting.

use super::slow;
use super::tries::{self, Tries};
use super::{Phase, Stepper, MAX_MENU_REPEATS, OWN_SETTINGS_KEY, PERSON_KEY, REPEAT_KEY};
use crate::domain::action::{Action, Next};
use crate::domain::dialplan::RingMode;
use crate::domain::prompts::{PromptKey, Speech};

/// Where a key in a menu leads, before the menu's own choices are looked at.
pub(super) enum Common {
    /// 0: a person; 9: the menu again.
    Person,
    Again,
    /// The answer to "Wilt u meer tijd? Toets 1.": yes.
    MoreTime,
    /// Nothing pressed; `true` when it was the second time (a person now).
    Silence(bool),
    /// Any other key: the menu's own.
    Choice(String),
}

impl<'c, 'a> Stepper<'c, 'a> {
    pub(super) fn tries(&self) -> Tries {
        Tries::from_stored(self.state.menu_rounds)
    }

    pub(super) fn set_tries(&mut self, tries: Tries) {
        self.state.menu_rounds = tries.stored();
    }

    /// Whether this caller hears 8: a participant in the register who is rung to help, is
    /// paused, or is in the good-morning round, or on the slow line (to turn it off). A
    /// resident who only asks does not.
    pub(super) fn hears_own_settings(&self) -> bool {
        // Issue 27: every registered participant, as every one of them may choose who
        // helps them; a resident who is never rung hears it as that say.
        self.ctx.caller.own.is_some()
    }

    /// What every menu does with 0, 9, silence and the answer to "more time?".
    pub(super) fn common(&mut self, key: Option<String>) -> Common {
        let mut t = self.tries();
        let at_offer = t.at_offer;
        t.at_offer = false;
        self.set_tries(t);
        match key.as_deref() {
            Some(PERSON_KEY) => Common::Person,
            Some("1") if at_offer => Common::MoreTime,
            Some(REPEAT_KEY) if self.state.menu_repeats < MAX_MENU_REPEATS => {
                self.state.menu_repeats += 1;
                Common::Again
            }
            None => {
                t.silences += 1;
                self.set_tries(t);
                // The slow line said the menu twice already: a person now (the minute).
                Common::Silence(t.silences > 1 || t.more_time_offered || self.slow_line())
            }
            Some(other) => Common::Choice(other.to_string()),
        }
    }

    /// A key that is not one of the choices. The first time the menu is said again; the
    /// second time a person takes over. Returns whether the menu is to be said again.
    pub(super) fn wrong_key(&mut self) -> bool {
        let mut t = self.tries();
        t.wrong += 1;
        self.set_tries(t);
        if t.wrong > 1 {
            self.say(PromptKey::MenuWrongAgain);
            self.say(PromptKey::MenuGiveUp);
            false
        } else {
            self.say(PromptKey::MenuUnknownKey);
            true
        }
    }

    /// The first silence: "Ik hoorde geen toets. Wilt u meer tijd? Toets 1.", waiting no
    /// longer than the minute allows. `menu` is what the menu said, `next` where it reports.
    pub(super) fn offer_more_time(&mut self, menu: &[Speech], next: Next) {
        let plan = self.ctx.dialplan;
        let say = vec![self.speech(PromptKey::MenuNoInput, &[]), self.speech(PromptKey::MenuMoreTime, &[])];
        let after = [self.speech(PromptKey::MenuGiveUp, &[]), self.speech(PromptKey::ToDesk, &[])];
        // The menu as it was said: the first one also said how to hear it again.
        let hint = tries::said_seconds(&[self.speech(PromptKey::MenuRepeatHint, &[])], 0) + 1;
        let timeout = tries::offer_timeout(
            tries::said_seconds(menu, plan.voice.pause_ms) + hint,
            plan.menu.timeout_seconds,
            tries::said_seconds(&say, plan.voice.pause_ms),
            tries::said_seconds(&after, 0),
        );
        self.set_tries(Tries { more_time_offered: true, at_offer: true, ..self.tries() });
        self.reply.push(Action::Gather { say, timeout_seconds: timeout, next });
        self.reply.push(Action::Redirect(next));
    }

    /// Whether the caller is a participant on the slow line (issue 27).
    pub(super) fn slow_line(&self) -> bool {
        self.ctx.caller.own.as_ref().is_some_and(|o| o.slow_line)
    }

    /// A menu's sentences as the caller hears them, and the wait for a key after them: the
    /// slow line says it twice with a pause before each choice, and waits longer within
    /// the minute (`slow`); anyone else hears it as it is.
    pub(super) fn as_said(&self, say: Vec<Speech>) -> (Vec<Speech>, u32) {
        if !self.slow_line() {
            return (say, self.menu_timeout());
        }
        let mut body = say;
        let hint = self.speech(PromptKey::MenuRepeatHint, &[]);
        let hint = (body.last() == Some(&hint)).then(|| body.pop()).flatten();
        let plan = self.ctx.dialplan;
        let before = [self.speech(PromptKey::MenuGiveUp, &[]), self.speech(PromptKey::ToDesk, &[])];
        let minute = slow::Minute {
            pause_ms: plan.voice.pause_ms,
            before_person: tries::said_seconds(&before, 0),
            timeout: plan.menu.timeout_seconds,
        };
        slow::as_said(&body, self.speech(PromptKey::SlowAgain, &[]), hint, minute)
    }

    /// The wait for a key after a menu: longer once the caller asked for more time.
    pub(super) fn menu_timeout(&self) -> u32 {
        let (timeout, t) = (self.ctx.dialplan.menu.timeout_seconds, self.tries());
        if t.more_time_offered && t.silences > 0 {
            tries::more_timeout(timeout)
        } else {
            timeout
        }
    }

    /// The main menu's sentences: languages (unknown callers), the kinds of help, a person,
    /// own settings (8, for those who have them), and once, how to hear it again.
    pub(super) fn menu_speech(&self) -> Vec<Speech> {
        let plan = self.ctx.dialplan;
        let mut say = Vec::new();
        if self.ctx.caller.own.is_none() && self.state.language.is_none() {
            // Unknown callers: one short sentence in each other language, in that language,
            // before the menu (not one of its choices: it is for those who do not follow it).
            for o in self.ctx.offered {
                say.push(o.prompts.speech(PromptKey::LanguageOffer, &[("digit", &o.digit.to_string())]));
            }
        }
        say.push(self.speech(PromptKey::MenuIntro, &[]));
        let prompts = self.p();
        for cat in &plan.categories {
            let name = prompts.category(&cat.key).unwrap_or(&cat.key);
            say.push(self.speech(PromptKey::MenuItem, &[("category", name), ("digit", &cat.digit.to_string())]));
        }
        say.push(self.speech(if self.desk_open() { PromptKey::MenuDeskOpen } else { PromptKey::MenuDeskClosed }, &[]));
        if let Some(mine) = &self.ctx.caller.own {
            say.push(
                self.speech(if mine.only_a_say() { PromptKey::MenuOwnSay } else { PromptKey::MenuOwnSettings }, &[]),
            );
        }
        if self.tries() == Tries::default() && self.state.menu_repeats == 0 {
            // Said once, the first time: 9 repeats the menu at any time.
            say.push(self.speech(PromptKey::MenuRepeatHint, &[]));
        }
        say
    }

    pub(super) fn menu(&mut self) {
        if self.ctx.caller_gone {
            self.end(super::Outcome::Abandoned, super::Stage::Menu);
            return;
        }
        let (say, timeout_seconds) = self.as_said(self.menu_speech());
        self.reply.push(Action::Gather { say, timeout_seconds, next: Next::Menu });
        // Reached only when nothing was pressed.
        self.reply.push(Action::Redirect(Next::Menu));
    }

    pub(super) fn menu_key(&mut self, key: Option<String>) {
        let plan = self.ctx.dialplan;
        let digit = match self.common(key) {
            Common::Person => return self.desk_or_voicemail(false),
            Common::Again => return self.menu(),
            Common::MoreTime => {
                self.say(PromptKey::MenuMoreTimeGiven);
                return self.menu();
            }
            Common::Silence(true) => {
                self.say(PromptKey::MenuGiveUp);
                return self.desk_or_voicemail(false);
            }
            Common::Silence(false) => {
                let menu = self.menu_speech();
                return self.offer_more_time(&menu, Next::Menu);
            }
            Common::Choice(digit) => digit,
        };
        let category = plan.category_for_digit(&digit).map(|c| c.key.clone());
        if self.ctx.caller.own.is_none() && self.state.language.is_none() && self.offered(&digit).is_some() {
            // The rest of the call in the language chosen: the menu again, in it.
            self.state.language = self.offered(&digit).map(|o| o.prompts.language.clone());
            self.set_tries(Tries::default());
            self.menu();
        } else if digit == OWN_SETTINGS_KEY && self.hears_own_settings() {
            self.state.phase = Phase::Settings;
            self.set_tries(Tries::default());
            self.settings_menu(false);
        } else if category.is_some() && self.ctx.caller_over_limit {
            self.state.category = category;
            self.say(PromptKey::CallerLimit);
            self.desk_or_voicemail(false);
        } else if category.is_some() && self.ctx.caller.say.desk_only {
            // Issue 27: the desk helps this resident itself; a message, then a call back.
            self.state.category = category;
            self.say(PromptKey::DeskOnly);
            self.voicemail();
        } else if category.as_deref().is_some_and(|c| self.asks_now_or_later(c)) {
            // Issue 28: now, or another day (`later`).
            self.state.category = category;
            self.now_or_later();
        } else if category.is_some() {
            self.state.category = category;
            self.state.search_started_at = Some(self.ctx.now);
            self.set_tries(Tries::default());
            if plan.ringing.mode == RingMode::Waves {
                self.hold();
            } else {
                self.try_next_helper(true);
            }
        } else if self.wrong_key() {
            self.menu();
        } else {
            self.desk_or_voicemail(false);
        }
    }
}
