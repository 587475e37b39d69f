//! What a caller on hold hears (ringing in waves), issue 27: kind words that change from
//! one wait document to the next, and every other time how long they have waited, so no
//! sentence is said twice in a row (the issue allows three). The documents are counted in
//! `CallState::menu_rounds`, which the menu no longer needs once the caller is on hold.

use super::Stepper;
use crate::domain::action::{Action, Next};
use crate::domain::prompts::PromptKey;

/// The kind words, in turn.
const KIND_WORDS: [PromptKey; 3] = [PromptKey::HoldWaiting, PromptKey::HoldStillSearching, PromptKey::HoldThanks];

impl<'c, 'a> Stepper<'c, 'a> {
    /// One wait document: two kind words in turn, each followed by a pause; every other
    /// time (after the first minute) the second is how long they have waited instead. The
    /// turn never says one sentence twice in a row, across documents too.
    pub(super) fn hold_music(&mut self) {
        // Six documents make a whole turn (three kind words, every other one the time).
        let n = self.state.menu_rounds % 6;
        self.state.menu_rounds = (n + 1) % 6;
        let (first, second) = (KIND_WORDS[(2 * n % 3) as usize], KIND_WORDS[((2 * n + 1) % 3) as usize]);
        self.say(first);
        self.reply.push(Action::Pause(4));
        let since = self.state.search_started_at.unwrap_or(self.state.started_at);
        let minutes = (self.ctx.now.as_second() - since.as_second()).max(0) / 60;
        let waited = match minutes {
            _ if n.is_multiple_of(2) => None,
            0 => None,
            1 => Some(self.speech(PromptKey::HoldWaitedOne, &[])),
            _ => Some(self.speech(PromptKey::HoldWaited, &[("minutes", &minutes.to_string())])),
        };
        self.reply.push(Action::Say(waited.unwrap_or_else(|| self.speech(second, &[]))));
        self.reply.push(Action::Pause(4));
        // Asked again and again while the caller waits. Twilio allows <Redirect> in a wait
        // document; saying so keeps the repeat from depending on the provider looping it.
        self.reply.push(Action::Redirect(Next::HoldWait));
    }

    /// One wait document after a yes, while the helper enters: a pause, and every third
    /// time a word that they are being put through, so the line is never silent for long.
    pub(super) fn hold_connecting(&mut self) {
        let n = self.state.menu_rounds % 3;
        self.state.menu_rounds = (n + 1) % 3;
        if n == 2 {
            self.say(PromptKey::HoldConnecting);
        }
        self.reply.push(Action::Pause(4));
        self.reply.push(Action::Redirect(Next::HoldWait));
    }
}
