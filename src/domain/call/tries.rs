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

/// About how long a sentence takes to say: two and a half words a second, a clear pace (a
/// recording: four seconds). The emulator counts the same way.
pub fn speaking_seconds(text: &str) -> u32 {
    (text.split_whitespace().count() as u32 * 2).div_ceil(5)
}

/// `speaking_seconds` of everything said, plus the pauses between a menu's sentences.
pub fn said_seconds(say: &[Speech], pause_ms: u32) -> u32 {
    let spoken: u32 = say
        .iter()
        .map(|s| match s {
            Speech::Text { text, .. } => speaking_seconds(text),
            Speech::Audio(_) => 4,
        })
        .sum();
    spoken + (pause_ms * say.len().saturating_sub(1) as u32).div_ceil(1000)
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
