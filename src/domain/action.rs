//! Provider-neutral instructions for one leg of a call.
//!
//! The call flow returns these; a provider module turns them into its own wire format.
//! `Next` names where the provider reports back, never a URL.

use super::phone::PhoneNumber;
use super::prompts::Speech;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    Say(Speech),
    /// Speak, and wait for one key. When nothing is pressed the next action runs.
    Gather {
        say: Vec<Speech>,
        timeout_seconds: u32,
        next: Next,
    },
    Redirect(Next),
    /// Ring one helper. `whisper` runs on the helper's side after they pick up; the two
    /// are joined only if it ends without hanging up.
    DialHelper {
        number: PhoneNumber,
        caller_id: PhoneNumber,
        timeout_seconds: u32,
        whisper: Next,
        done: Next,
    },
    /// Put the caller through to the desk phone.
    DialDesk {
        number: PhoneNumber,
        timeout_seconds: u32,
        done: Next,
    },
    /// Record a message after a beep.
    Record {
        max_seconds: u32,
        silence_seconds: u32,
        done: Next,
    },
    /// Silence for a few seconds (between kind words on hold).
    Pause(u32),
    /// Waves: the caller waits on hold, hearing `wait` again and again, until a helper
    /// joins or we move the call on; then `done` is asked.
    Hold {
        wait: Next,
        done: Next,
    },
    /// Waves, on a helper's leg: join the caller who is on hold. (Call back later: the
    /// resident, called by us, joins the helper who waits.)
    JoinHold,
    /// Call back later, on the helper's leg: wait in the conference, hearing `wait` again
    /// and again, until the resident we are calling joins.
    WaitInHold {
        wait: Next,
    },
    Hangup,
    /// Dial mode, ending a helper's whisper without a yes (a no, silence, the caller gone):
    /// the helper's call ends and is never joined to the caller's. Where the provider joins
    /// the two as soon as the whisper's document ends, the switchboard ends the helper's call
    /// through the REST API instead, when the provider reports `Next::WhisperOver`.
    LetHelperGo {
        attempt: u32,
    },
}

/// Where the provider reports what happened next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    Menu,
    HelperDone {
        attempt: u32,
    },
    Whisper {
        attempt: u32,
    },
    WhisperKey {
        attempt: u32,
    },
    DeskDone,
    Recorded,
    HoldWait,
    HoldDone,
    WaveKey {
        attempt: u32,
    },
    /// The answer to "shall we call you back?".
    CallbackOffer,
    /// A key in a participant's own settings.
    Settings,
    /// Call back later: what the helper who waits for the resident hears, again and again.
    HelperWait {
        attempt: u32,
    },
    /// The conference's status callback: who entered it (`participant-join`).
    ConferenceEvents,
    /// The good-morning round: the resident's key, on try `n` of morning `morning`.
    RoundKey {
        morning: i64,
        n: u32,
    },
    /// The good-morning round: contact `index`'s key.
    ContactKey {
        morning: i64,
        index: usize,
    },
    /// The call back that confirms a change asked for by phone: the key, answering
    /// document `seq` of confirmation `id`.
    ConfirmKey {
        id: i64,
        seq: u64,
    },
    /// A call about a planned request (issue 28): the key pressed on planned call `call`.
    PlannedKey {
        call: i64,
    },
    /// Dial mode: the whisper of `attempt` ended without a yes and the helper has heard
    /// their thanks: their call is to be ended (`Action::LetHelperGo`).
    WhisperOver {
        attempt: u32,
    },
}
