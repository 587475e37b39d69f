//! How a caller fares in the menu they are in (issue 27): silences, wrong keys, whether
//! more time was offered, and which menu. Kept in `CallState::menu_rounds`, one number the
//! store already keeps for every call, so the menus need no new column.

use crate::domain::prompts::Speech;

/// What a caller did in the menu they are in now. A second silence or a second wrong key
/// goes to a person (the desk in office hours, a message otherwise), never to a hang-up.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tries {
    /// Times nothing was pressed (0 to 3).
    pub silences: u32,
    /// Keys that were not one of the choices (0 to 3).
    pub wrong: u32,
    /// "Wilt u meer tijd? Toets 1." was said: it is offered once per call's menu.
    pub more_time_offered: bool,
    /// The caller is answering that offer now (a 1 is "yes, more time").
    pub at_offer: bool,
    /// Own settings: the caller is in "andere keuzes", one level down.
    pub other_choices: bool,
    /// The desk, or a message, was reached from one's own settings (no request for help).
    pub from_settings: bool,
    /// Own settings: the caller is choosing who helps them (8, then 8), one level down.
    pub say_choices: bool,
}

impl Tries {
    /// The tries kept in `menu_rounds`. A number written before issue 27 (the rounds heard
    /// after the first) reads as that many silences, at most three.
    pub fn from_stored(n: u32) -> Tries {
        Tries {
            silences: n & 3,
            wrong: (n >> 2) & 3,
            more_time_offered: n & 16 != 0,
            at_offer: n & 32 != 0,
            other_choices: n & 64 != 0,
            from_settings: n & 128 != 0,
            say_choices: n & 256 != 0,
        }
    }

    /// As stored in `menu_rounds`.
    pub fn stored(self) -> u32 {
        self.silences.min(3)
            | (self.wrong.min(3) << 2)
            | (u32::from(self.more_time_offered) << 4)
            | (u32::from(self.at_offer) << 5)
            | (u32::from(self.other_choices) << 6)
            | (u32::from(self.from_settings) << 7)
            | (u32::from(self.say_choices) << 8)
    }

    /// A fresh menu (a new one was chosen): nothing missed yet.
    pub fn fresh(self) -> Tries {
        Tries { from_settings: self.from_settings, ..Tries::default() }
    }
}

/// A caller who does nothing reaches a person within this many seconds of the end of the
/// greeting.
pub const PERSON_WITHIN_SECONDS: u32 = 60;

/// The shortest wait for a key.
const MIN_TIMEOUT: u32 = 3;

pub use crate::domain::prompts::speaking_seconds;

/// What `say` takes to say, with the voice's pauses between a menu's sentences (none
/// next to a pause of the slow line's, which takes their place).
pub fn said_seconds(say: &[Speech], pause_ms: u32) -> u32 {
    let spoken: u32 = say.iter().map(Speech::seconds).sum();
    let breaks = say.windows(2).filter(|w| !w.iter().any(|s| matches!(s, Speech::Pause(_)))).count() as u32;
    spoken + (pause_ms * breaks).div_ceil(1000)
}

/// How long the "more time" offer waits for its 1, so that a caller who pressed nothing
/// reaches a person within [`PERSON_WITHIN_SECONDS`]: what is left of the minute after the
/// menu (`menu_seconds` said, `timeout` waited) and the offer (`offer_seconds`), and the
/// few seconds before the desk rings (`after_seconds`); never more than `timeout`, never
/// less than three seconds.
pub fn offer_timeout(menu_seconds: u32, timeout: u32, offer_seconds: u32, after_seconds: u32) -> u32 {
    let used = menu_seconds + timeout + offer_seconds + after_seconds;
    PERSON_WITHIN_SECONDS.saturating_sub(used).clamp(MIN_TIMEOUT, timeout.max(MIN_TIMEOUT))
}

/// The wait for a key in a menu said again after "more time": twice the dialplan's, at most
/// thirty seconds.
pub fn more_timeout(timeout: u32) -> u32 {
    (timeout * 2).min(30)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tries_are_kept_in_one_number_and_read_back() {
        let all = Tries {
            silences: 2,
            wrong: 1,
            more_time_offered: true,
            at_offer: false,
            other_choices: true,
            from_settings: true,
            say_choices: true,
        };
        assert_eq!(Tries::from_stored(all.stored()), all);
        assert_eq!(Tries::from_stored(0), Tries::default());
        // A call stored before issue 27 (rounds heard after the first) reads as silences.
        assert_eq!(Tries::from_stored(2), Tries { silences: 2, ..Tries::default() });
        assert_eq!(all.fresh(), Tries { from_settings: true, ..Tries::default() });
    }

    #[test]
    fn the_offer_of_more_time_waits_what_is_left_of_the_minute() {
        assert_eq!(offer_timeout(20, 8, 5, 7), 8, "plenty left: the dialplan's wait");
        assert_eq!(offer_timeout(33, 8, 6, 7), 6);
        assert_eq!(offer_timeout(50, 8, 6, 7), 3, "never less than three seconds");
        assert_eq!(more_timeout(8), 16);
        assert_eq!(more_timeout(20), 30);
        assert_eq!(speaking_seconds("Wilt u meer tijd? Toets 1."), 3);
    }
}
