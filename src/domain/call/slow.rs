//! The slow line (issue 27): for a participant who asked for it (at the desk, in the CSV
//! or by phone under 8), a menu has a pause of [`PAUSE_BEFORE_CHOICE`] second before each
//! choice, is said twice before the wait, and the wait for a key is longer ([`KEY_TIMEOUT`]
//! instead of the dialplan's). A helper on the slow line gets [`WHISPER_TIMEOUT`] for their
//! 1 or 2.
//!
//! The minute wins: a caller who presses nothing reaches a person within
//! [`PERSON_WITHIN_SECONDS`] of the end of the greeting, on the slow line too. So the slow
//! line has fewer repeats, not a longer minute: a menu is said twice only when both
//! sayings, the dialplan's wait and what is said before a person fit in the minute (a long
//! main menu is said once, with its pauses); the first silence goes to a person (no offer
//! of more time); and the wait is what is left of the minute, never less than the
//! dialplan's own. `dialplan check` refuses a dialplan whose main menu, said once the slow
//! way with the dialplan's wait, would break the minute (`dialplan::slow_silent_seconds`).

use super::tries::{said_seconds, PERSON_WITHIN_SECONDS};
use crate::domain::prompts::Speech;

/// The longest wait for a key after a menu on the slow line (the dialplan's is 8).
pub const KEY_TIMEOUT: u32 = 12;
/// Silence before each choice of a menu, in seconds.
pub const PAUSE_BEFORE_CHOICE: u32 = 1;
/// The wait for a slow-line helper's 1 or 2 in the whisper (6 for anyone else).
pub const WHISPER_TIMEOUT: u32 = 12;
/// The wait for anyone else's 1 or 2 in the whisper.
pub const ORDINARY_WHISPER_TIMEOUT: u32 = 6;

/// What a slow menu must fit in with: the voice's pause between sentences, what is said
/// before a person takes over (seconds), and the dialplan's wait for a key.
#[derive(Clone, Copy, Debug)]
pub struct Minute {
    pub pause_ms: u32,
    pub before_person: u32,
    pub timeout: u32,
}

impl Minute {
    /// Seconds from the start of `said` to a person, for a caller who presses nothing.
    pub fn silent_seconds(self, said: &[Speech], wait: u32) -> u32 {
        said_seconds(said, self.pause_ms) + wait + self.before_person
    }

    /// The wait after `said`: what is left of the minute, at most [`KEY_TIMEOUT`], never
    /// less than the dialplan's own (which `dialplan check` keeps within the minute).
    pub fn wait(self, said: &[Speech]) -> u32 {
        let used = said_seconds(said, self.pause_ms) + self.before_person;
        PERSON_WITHIN_SECONDS.saturating_sub(used).clamp(self.timeout, KEY_TIMEOUT.max(self.timeout))
    }
}

/// `body` with a pause before each sentence after the first; said twice (`again`, "Ik zeg
/// het nog een keer.", between) when `again` is given; last the `hint` on how to hear it
/// again, if the menu says it.
pub fn slowed(body: &[Speech], again: Option<Speech>, hint: Option<Speech>) -> Vec<Speech> {
    let mut out = Vec::with_capacity(body.len() * 4 + 4);
    let once = |out: &mut Vec<Speech>| {
        for (i, s) in body.iter().enumerate() {
            if i > 0 {
                out.push(Speech::Pause(PAUSE_BEFORE_CHOICE));
            }
            out.push(s.clone());
        }
    };
    once(&mut out);
    if let Some(again) = again {
        out.extend([Speech::Pause(PAUSE_BEFORE_CHOICE), again, Speech::Pause(PAUSE_BEFORE_CHOICE)]);
        once(&mut out);
    }
    if let Some(hint) = hint {
        out.extend([Speech::Pause(PAUSE_BEFORE_CHOICE), hint]);
    }
    out
}

/// A menu as the slow line says it, and the wait after it: twice when that fits in the
/// minute with the dialplan's wait, once otherwise.
pub fn as_said(body: &[Speech], again: Speech, hint: Option<Speech>, minute: Minute) -> (Vec<Speech>, u32) {
    let twice = slowed(body, Some(again), hint.clone());
    let said = if minute.silent_seconds(&twice, minute.timeout) <= PERSON_WITHIN_SECONDS {
        twice
    } else {
        slowed(body, None, hint)
    };
    let wait = minute.wait(&said);
    (said, wait)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Speech {
        Speech::text("nl", s)
    }

    const MINUTE: Minute = Minute { pause_ms: 750, before_person: 7, timeout: 8 };

    #[test]
    fn a_short_slow_menu_pauses_before_each_choice_and_is_said_twice() {
        let (said, wait) =
            as_said(&[t("Waarmee?"), t("Toets 1."), t("Toets 0.")], t("Nog een keer."), Some(t("Toets 9.")), MINUTE);
        let p = Speech::Pause(1);
        let want = [
            t("Waarmee?"),
            p.clone(),
            t("Toets 1."),
            p.clone(),
            t("Toets 0."),
            p.clone(),
            t("Nog een keer."),
            p.clone(),
            t("Waarmee?"),
            p.clone(),
            t("Toets 1."),
            p.clone(),
            t("Toets 0."),
            p,
            t("Toets 9."),
        ];
        assert_eq!(said, want);
        assert_eq!(wait, KEY_TIMEOUT, "plenty of the minute left: twelve seconds");
    }

    #[test]
    fn a_long_slow_menu_is_said_once_and_waits_what_is_left_of_the_minute() {
        // Nine sentences of ten words: four seconds each, 36 said, 8 pauses: 44 seconds.
        let body: Vec<Speech> = (0..9).map(|_| t(&"woord ".repeat(10))).collect();
        let (said, wait) = as_said(&body, t("Nog een keer."), None, MINUTE);
        assert_eq!(said.len(), 17, "once, with a pause before each choice: {said:?}");
        assert_eq!(said_seconds(&said, MINUTE.pause_ms), 44, "no voice breaks beside a pause");
        assert_eq!(wait, 60 - 44 - 7);
        assert!(MINUTE.silent_seconds(&said, wait) <= PERSON_WITHIN_SECONDS);
        let longer: Vec<Speech> = (0..11).map(|_| t(&"woord ".repeat(10))).collect();
        let (said, wait) = as_said(&longer, t("Nog een keer."), None, MINUTE);
        assert_eq!((said.len(), wait), (21, 8), "never less than the dialplan's own wait");
    }
}
