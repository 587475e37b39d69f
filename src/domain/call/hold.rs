//! What a caller on hold hears (ringing in waves), issue 27: kind words that change from
//! one wait document to the next, and every other time how long they have waited, so no
//! sentence is said more than three times in a row. The documents are counted in
//! `CallState::menu_rounds`, which the menu no longer needs once the caller is on hold.

use super::Stepper;
use crate::domain::action::{Action, Next};
use crate::domain::prompts::PromptKey;

/// The kind words, in turn.
const KIND_WORDS: [PromptKey; 3] = [PromptKey::HoldWaiting, PromptKey::HoldStillSearching, PromptKey::HoldThanks];

impl<'c, 'a> Stepper<'c, 'a> {
    /// One wait document: a kind word, a pause, every other time how long they have
    /// waited, a pause; then it is asked for again.
    pub(super) fn hold_music(&mut self) {
        // Six documents make a whole turn (three kind words, every other one the time).
        let n = self.state.menu_rounds % 6;
        self.state.menu_rounds = (n + 1) % 6;
        self.say(KIND_WORDS[(n % 3) as usize]);
        self.reply.push(Action::Pause(4));
        let since = self.state.search_started_at.unwrap_or(self.state.started_at);
        let minutes = (self.ctx.now.as_second() - since.as_second()).max(0) / 60;
        if n % 2 == 1 && minutes > 0 {
            let waited = if minutes == 1 {
                self.speech(PromptKey::HoldWaitedOne, &[])
            } else {
                self.speech(PromptKey::HoldWaited, &[("minutes", &minutes.to_string())])
            };
            self.reply.push(Action::Say(waited));
            self.reply.push(Action::Pause(4));
        }
        // Asked again and again while the caller waits. Twilio allows <Redirect> in a wait
        // document; saying so keeps the repeat from depending on the provider looping it.
        self.reply.push(Action::Redirect(Next::HoldWait));
    }
}
