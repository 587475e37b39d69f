//! The call flow: a pure state machine.
//!
//! `step(state, event, context) -> Step { state, reply, effects }`. The state is all there
//! is to know about a call between two webhooks; `reply` is what the leg that asked
//! hears next; `effects` are the facts to log. No I/O, no clock: `now` comes in.

mod kind;
pub use kind::CallKind;

use jiff::Timestamp;

use super::action::{Action, Next};
use super::dialplan::Dialplan;
use super::own::{self, Change, Confirm, Own};
use super::phone::{CallerNumber, PhoneNumber};
use super::prompts::{PromptKey, Prompts, Speech};
use super::waves::Tell;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallState {
    pub phase: Phase,
    /// Menu rounds heard after the first (silence or an unknown key).
    pub menu_rounds: u32,
    /// Times the caller pressed 9 to hear the menu again.
    pub menu_repeats: u32,
    pub category: Option<String>,
    pub started_at: Timestamp,
    pub search_started_at: Option<Timestamp>,
    /// Helpers rung so far.
    pub attempts: u32,
    pub ended_at: Option<Timestamp>,
    /// The language an unknown caller chose with the dialplan's digit (a prompt file's
    /// name); `None`: the participant's own from the register, or the dialplan's.
    pub language: Option<String>,
    /// Help for later (issue 28): the menu of it the caller is in, while `phase` is
    /// `Phase::Menu` (`later`).
    pub later: Option<Later>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Choosing from the menu.
    Menu,
    /// One helper's phone is ringing (or they are hearing the request).
    Ringing(Ring),
    /// The helper pressed 1; the two are talking.
    Connected(Ring),
    /// Ringing in waves: the caller waits on hold while the service rings helpers itself
    /// (see `waves`). `matched` once a helper said yes and was joined.
    Holding {
        matched: bool,
    },
    /// Ringing the desk phone.
    Desk,
    /// Recording a message for the desk.
    Voicemail,
    /// A registered participant's own settings (key 8 in the menu).
    Settings,
    /// A participant recording a message for the desk, from their own settings.
    Message,
    Ended {
        outcome: Outcome,
        from: Stage,
    },
}

/// The phase a call ended from, which decides how late reports may still change it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    Menu,
    Ringing,
    Connected,
    Desk,
    Voicemail,
    Settings,
    Message,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ring {
    /// 1 for the first helper rung in this call, 2 for the second, ...
    pub attempt: u32,
    pub helper_id: i64,
    pub helper_first_name: String,
    /// The key the helper pressed ("" when the whisper was posted without one).
    pub key: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Matched,
    Unmatched,
    Desk,
    Voicemail,
    Abandoned,
    /// A helper said yes, but the provider never reported the two being put through: the
    /// service was down from the yes until the call's end, so every report in between was
    /// lost, and a conversation looks the same in the provider's records as a yes that
    /// never reached the helper. The desk checks with the caller.
    Unconfirmed,
    /// A participant changed or heard their own settings (key 8): no request for help.
    OwnSettings,
    /// A participant left a message for the desk from their own settings.
    Message,
    /// Not a call that came in: a morning of the good-morning round on which nobody was
    /// reached, so the desk was alerted (`store::round::alert_desk`, a row of kind
    /// `CallKind::Round`).
    Round,
    /// A resident planned help for another day by phone (issue 28): a good end, but not a
    /// request for help now; the request is its own record (`planned_requests`), counted
    /// in the figures of help for later.
    Planned,
}

impl Outcome {
    /// Every outcome, in the order the desk lists them.
    pub const ALL: [Outcome; 10] = [
        Outcome::Matched,
        Outcome::Unmatched,
        Outcome::Desk,
        Outcome::Voicemail,
        Outcome::Abandoned,
        Outcome::Unconfirmed,
        Outcome::OwnSettings,
        Outcome::Message,
        Outcome::Round,
        Outcome::Planned,
    ];

    /// The word stored in `calls.outcome` (and shown by `calls --json`): the one mapping,
    /// with `parse` its inverse.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Matched => "matched",
            Outcome::Unmatched => "unmatched",
            Outcome::Desk => "desk",
            Outcome::Voicemail => "voicemail",
            Outcome::Abandoned => "abandoned",
            Outcome::Unconfirmed => "unconfirmed",
            Outcome::OwnSettings => "settings",
            Outcome::Message => "message",
            Outcome::Round => "round",
            Outcome::Planned => "planned",
        }
    }

    /// The outcome stored as `s`; `None` for a word no outcome is stored as.
    pub fn parse(s: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.as_str() == s)
    }

    /// Whether the desk should follow this call up (with `desk::FollowUpReason::for_outcome`;
    /// a round alert gets its urgent follow-up from the round itself).
    pub fn needs_follow_up(self) -> bool {
        matches!(
            self,
            Outcome::Unmatched | Outcome::Voicemail | Outcome::Abandoned | Outcome::Unconfirmed | Outcome::Message
        )
    }

    /// Whether the call asked for help (figures count these; own settings are not, nor
    /// the good-morning round's alerts, which the round counts itself).
    pub fn is_request(self) -> bool {
        !matches!(self, Outcome::OwnSettings | Outcome::Message | Outcome::Round | Outcome::Planned)
    }
}

/// How the desk colours a call, and which of the Now page's totals counts it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Colour {
    /// A good end: a neighbour was found, the caller spoke with the desk, or planned help.
    Green,
    /// Still going, or for the desk to check (a yes that was never confirmed).
    Amber,
    /// Nobody found, or the desk must act (a round alert).
    Red,
    /// Not a request for help: a participant's own settings, or a message for the desk.
    Grey,
}

impl Colour {
    /// Every colour, in the order of the Now page's totals.
    pub const ALL: [Colour; 4] = [Colour::Green, Colour::Amber, Colour::Red, Colour::Grey];

    /// The one rule for a call's colour: its outcome, or `None` while it is going. The
    /// row's border, its badge, the page's totals and the live updates all use it.
    pub fn of(outcome: Option<Outcome>) -> Colour {
        match outcome {
            None => Colour::Amber,
            // Issue 29: a good end is a person who took it, a neighbour or the desk.
            Some(Outcome::Matched | Outcome::Desk | Outcome::Planned) => Colour::Green,
            Some(Outcome::Unconfirmed) => Colour::Amber,
            Some(Outcome::Unmatched | Outcome::Voicemail | Outcome::Abandoned | Outcome::Round) => Colour::Red,
            Some(Outcome::OwnSettings | Outcome::Message) => Colour::Grey,
        }
    }

    /// The colour's name in the desk's HTML and CSS (`data-status`, `.status.green`).
    pub fn as_str(self) -> &'static str {
        match self {
            Colour::Green => "green",
            Colour::Amber => "amber",
            Colour::Red => "red",
            Colour::Grey => "grey",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttemptResult {
    Accepted,
    Declined,
    NoAnswer,
    Busy,
    Failed,
    Canceled,
}

impl AttemptResult {
    pub fn as_str(self) -> &'static str {
        match self {
            AttemptResult::Accepted => "accepted",
            AttemptResult::Declined => "declined",
            AttemptResult::NoAnswer => "no-answer",
            AttemptResult::Busy => "busy",
            AttemptResult::Failed => "failed",
            AttemptResult::Canceled => "canceled",
        }
    }
}

/// How a dialled leg ended, as the provider reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DialStatus {
    Completed,
    Answered,
    NoAnswer,
    Busy,
    Failed,
    Canceled,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// The call came in.
    Incoming,
    /// A resident pressed 2 in their good-morning call: from here it is their call for
    /// help, as if they had called, without a second greeting (they were just greeted).
    AskedInTheRound,
    /// A key in the menu; `None` when nothing was pressed.
    MenuKey(Option<String>),
    /// A key in a participant's own settings; `None` when nothing was pressed.
    SettingsKey(Option<String>),
    /// A helper picked up and is about to hear the request.
    HelperAnswered {
        attempt: u32,
    },
    /// A helper pressed a key while hearing the request.
    HelperKey {
        attempt: u32,
        key: Option<String>,
    },
    /// The helper's leg ended. `bridged` is the provider's own word on whether the two
    /// were joined, when it gives one.
    HelperDialEnded {
        attempt: u32,
        status: DialStatus,
        bridged: Option<bool>,
    },
    DeskDialEnded {
        status: DialStatus,
    },
    Recorded {
        recording_url: Option<String>,
        duration_seconds: u32,
    },
    /// The caller's line is gone (hung up, or the provider ended the call).
    CallerGone,
    /// The sweep closes what was never reported (the service was down when it came, and
    /// Twilio does not send a status callback again): the call's end, or, in waves, the
    /// end of the winner's line after the call's. Like `CallerGone`, except that a yes
    /// nobody reported reaching the caller is not counted as a match.
    /// `unjoined_winner`, in waves: the attempt that said yes, if the provider never
    /// reported it entering the caller's conference. (In `dial` mode no report comes
    /// between the whisper's yes and the `<Dial>` action, so a call still connected when
    /// its end was lost is never confirmed.)
    EndNeverReported {
        unjoined_winner: Option<u32>,
    },
    /// Waves: the hold's wait document is asked for again (every few seconds).
    HoldTick,
    /// Call back later: the helper's wait document is asked for again.
    HelperWaitTick {
        attempt: u32,
    },
    /// Waves: the caller left the hold (moved there by us when the search ended, or the
    /// conversation with the helper ended).
    HoldEnded,
    /// Waves: what the search in waves tells the call flow (`waves::step`'s `Tell`: a
    /// helper's leg picked up or pressed a key, the winner is alone or dropped, the resident
    /// is alone).
    Search(Tell),
    /// The key after "shall we call you back?" (`None`: nothing pressed).
    CallbackKey(Option<String>),
    /// Call back later: the resident picked up; the helper who said yes is waiting.
    ResidentAnswered {
        helper_first_name: String,
        helper_street: Option<String>,
    },
    /// Call back later: the resident did not answer (`attempt` is the helper's yes).
    ResidentUnreachable {
        attempt: u32,
    },
    /// Waves: the provider asks what to announce to the held caller, whose helper said yes
    /// and is entering their conference (a participant announcement; issue 27).
    Announce {
        helper_first_name: String,
        helper_street: Option<String>,
    },
    /// Waves (issue 31): the helper of `attempt`, who picked up and still heard the request
    /// when someone else said yes, was redirected to be thanked; the provider asks what
    /// they hear.
    WaveThanks {
        attempt: u32,
    },
}

/// Facts to log, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    AttemptStarted {
        attempt: u32,
        helper_id: i64,
        phone: PhoneNumber,
    },
    HelperAnswered {
        attempt: u32,
    },
    HelperKey {
        attempt: u32,
        key: String,
    },
    /// The helper said yes: a match, with the wait since the category was chosen.
    Matched {
        attempt: u32,
        helper_id: i64,
        wait_seconds: i64,
    },
    /// The yes did not lead to a conversation after all.
    MatchUndone {
        attempt: u32,
    },
    AttemptEnded {
        attempt: u32,
        result: AttemptResult,
    },
    Voicemail {
        recording_url: String,
        duration_seconds: u32,
    },
    /// The resident wants to be called back as soon as a neighbour can help, first from
    /// `first_try_at` (the application opens the request, for the dialplan's hours).
    CallbackRequested {
        first_try_at: Timestamp,
    },
    /// The caller (recognised by caller ID alone) asked for a change to their own
    /// availability. Nothing changes yet: `confirm` says how it is confirmed (the
    /// switchboard calls the register's number back, or the desk arranges it).
    OwnSettingAsked {
        change: Change,
        confirm: Confirm,
    },
    /// Issue 28: the caller asked for `category` at local time `at` and heard it read back
    /// (the application takes the request: `switchboard::planned::add`).
    PlannedAsked {
        category: String,
        at: jiff::civil::DateTime,
    },
    /// Issue 28: after the read-back, the caller said where to (a recording at the
    /// provider, of the request just taken on this call).
    PlannedWhereTo {
        recording_url: String,
        duration_seconds: u32,
    },
    /// Issue 28: the caller cancelled their planned request `id` (asked twice); the
    /// helper is called and told.
    PlannedCancelled {
        id: i64,
    },
    /// Issue 28, a helper under 8 (`call::agenda`): open request `id` was said to them.
    /// It counts as asked: the search ahead does not ask them about it again.
    PlannedOffered {
        id: i64,
    },
    /// They passed on open request `id` (2): a no, thanked.
    PlannedPassed {
        id: i64,
    },
    /// They took open request `id` (1), as a yes on the call that asks ahead.
    PlannedTaken {
        id: i64,
    },
    /// They cannot help with request `id` after all (asked twice): the requester is told,
    /// and a new search starts.
    PlannedWithdrawn {
        id: i64,
    },
}

/// Who is calling, as far as the registry knows. Known by caller ID alone, which can be
/// spoofed: so only a first name, never the full name, is said to them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallerInfo {
    pub number: CallerNumber,
    pub first_name: Option<String>,
    pub street: Option<String>,
    /// A registered participant's own settings, for key 8; `None` for anyone else.
    pub own: Option<Own>,
    /// Their say (issue 27): a helper hears who they are only after a 1 (`street_said =
    /// after-yes`); and whether their requests go to the desk (`desk_only`).
    pub say: CallerSay,
    /// Issue 28: their soonest planned help to come, heard first when they call.
    pub planned: Option<Upcoming>,
}

/// What a caller's say changes in the call flow.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CallerSay {
    /// "Iemand uit de buurt" until the helper presses 1; then their name and street.
    pub anonymous_until_yes: bool,
    /// No neighbour is rung: the desk helps, and says it will call back.
    pub desk_only: bool,
}

impl CallerInfo {
    pub fn unknown(number: CallerNumber) -> CallerInfo {
        CallerInfo { number, first_name: None, street: None, own: None, say: CallerSay::default(), planned: None }
    }
}

/// A language the dialplan offers unknown callers: "For English, press 7".
#[derive(Clone, Copy, Debug)]
pub struct Offered<'a> {
    pub digit: u8,
    pub prompts: &'a Prompts,
}

/// The helper the ranking puts first for this call right now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NextHelper {
    pub id: i64,
    pub first_name: String,
    pub phone: PhoneNumber,
}

pub struct Context<'a> {
    pub now: Timestamp,
    pub dialplan: &'a Dialplan,
    /// The caller's language (`CallState::language`, or the dialplan's).
    pub prompts: &'a Prompts,
    /// The language of the helper this event is about (the whisper is in it, whatever the
    /// caller's); the dialplan's when none is.
    pub helper_prompts: &'a Prompts,
    /// The dialplan's other languages for unknown callers, each on its digit.
    pub offered: &'a [Offered<'a>],
    pub caller: &'a CallerInfo,
    /// Filled in by the caller of `step` when [`wants_helper`] says so.
    pub next_helper: Option<NextHelper>,
    /// The provider says, with this report, that the caller has already hung up: record
    /// what the report tells, but ring nobody new.
    pub caller_gone: bool,
    /// This caller already started the dialplan's maximum of searches in the last 24
    /// hours: the desk decides, no neighbour is rung.
    pub caller_over_limit: bool,
    /// This is the search for a resident who asked to be called back (no caller on hold).
    pub callback: bool,
    /// The held caller's hold ended while their search still runs, or before the helper
    /// who said yes entered: Twilio moves a call on to the `<Dial>` action when its wait
    /// document cannot be fetched. The caller goes back on hold.
    pub hold_goes_on: bool,
    /// `dial` mode: the helper's yes was stored before the service last started, so its
    /// answer (and the `<Dial>` action that says whether the two were bridged) may have
    /// been lost while the service was down. The caller's end alone then proves nothing:
    /// the call waits for the `<Dial>` action, and without it is closed as unconfirmed.
    pub yes_before_start: bool,
    /// Issue 27: the helper this event is about asked for the slow line: a longer wait
    /// for their 1 or 2 (`slow::WHISPER_TIMEOUT`).
    pub helper_slow_line: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub state: CallState,
    pub reply: Vec<Action>,
    pub effects: Vec<Effect>,
}

impl CallState {
    pub fn new(started_at: Timestamp) -> CallState {
        CallState {
            phase: Phase::Menu,
            menu_rounds: 0,
            menu_repeats: 0,
            category: None,
            started_at,
            search_started_at: None,
            attempts: 0,
            ended_at: None,
            language: None,
            later: None,
        }
    }

    pub fn outcome(&self) -> Option<Outcome> {
        match self.phase {
            Phase::Ended { outcome, .. } => Some(outcome),
            _ => None,
        }
    }
}

/// The category for which a helper may be needed by this event, if any. The caller of
/// `step` then ranks the candidates and passes the first in `Context::next_helper`.
pub fn wants_helper<'s>(state: &'s CallState, event: &Event, dialplan: &'s Dialplan) -> Option<&'s str> {
    match (&state.phase, event) {
        // In waves only to know that someone can be rung at all; the wave rings the rest.
        // Help for later: only "now" rings anyone.
        (Phase::Menu, Event::MenuKey(Some(key))) if state.later.is_some() => {
            (state.later == Some(Later::NowOrLater) && key == "1").then_some(state.category.as_deref()).flatten()
        }
        (Phase::Menu, Event::MenuKey(Some(key))) => dialplan.category_for_digit(key).map(|c| c.key.as_str()),
        (Phase::Ringing(_) | Phase::Connected(_), Event::HelperDialEnded { .. }) => state.category.as_deref(),
        _ => None,
    }
}

/// The key that repeats a menu; dialplans never give it (or 8) to a kind of help.
const REPEAT_KEY: &str = "9";
/// A person, in every menu: the desk in office hours, a message for the desk otherwise.
/// It means nothing else anywhere.
const PERSON_KEY: &str = "0";
/// Back to the start (from one's own settings): a key no kind of help can take.
const BACK_KEY: &str = "*";
/// After this many repeats in one call, 9 counts as a key the menu does not know, so a
/// caller whose phone keeps sending it still reaches someone.
const MAX_MENU_REPEATS: u32 = 5;
/// The key for a registered participant's own settings.
const OWN_SETTINGS_KEY: &str = "8";
/// The longest message a participant can leave for the desk from their own settings.
pub const MESSAGE_MAX_SECONDS: u32 = 120;

pub fn step(state: CallState, event: Event, ctx: &Context<'_>) -> Step {
    let mut s = Stepper { ctx, state, reply: Vec::new(), effects: Vec::new() };
    s.handle(event);
    Step { state: s.state, reply: s.reply, effects: s.effects }
}

struct Stepper<'c, 'a> {
    ctx: &'c Context<'a>,
    state: CallState,
    reply: Vec<Action>,
    effects: Vec<Effect>,
}

impl<'c, 'a> Stepper<'c, 'a> {
    fn handle(&mut self, event: Event) {
        let phase = self.state.phase.clone();
        // One match in two parts, in this order: the first arm that fits wins.
        if let Some((phase, event)) = self.menu_dial_and_desk(phase, event) {
            self.waves_and_ends(phase, event);
        }
    }

    /// The menu, own settings, messages, ringing in `dial` mode, the desk and voicemail;
    /// what does not fit is handed back for `waves_and_ends`.
    fn menu_dial_and_desk(&mut self, phase: Phase, event: Event) -> Option<(Phase, Event)> {
        match (phase, event) {
            (Phase::Menu, Event::Incoming) => {
                // Caller ID can be spoofed: a known number hears its first name, no more.
                let greeting = match &self.ctx.caller.first_name {
                    Some(name) => self.speech(
                        PromptKey::GreetingKnown,
                        &[("daypart", &self.daypart()), ("name", name), ("neighbourhood", &self.ctx.dialplan.name)],
                    ),
                    None => self.speech(
                        PromptKey::GreetingUnknown,
                        &[("daypart", &self.daypart()), ("neighbourhood", &self.ctx.dialplan.name)],
                    ),
                };
                self.reply.push(Action::Say(greeting));
                self.say(PromptKey::NotEmergency);
                if self.ctx.caller.planned.is_some() {
                    self.upcoming();
                } else {
                    self.menu();
                }
            }
            (Phase::Menu, Event::AskedInTheRound) => {
                self.say(PromptKey::NotEmergency);
                self.menu();
            }
            (Phase::Menu, Event::MenuKey(key)) if self.state.later.is_some() => self.later_key(key),
            (Phase::Menu, Event::MenuKey(key)) => self.menu_key(key),
            (Phase::Settings, Event::SettingsKey(key)) => self.settings_key(key),
            (Phase::Ended { outcome: Outcome::Planned, .. }, Event::Recorded { recording_url, duration_seconds })
                if self.state.later == Some(Later::WhereTo) =>
            {
                self.where_to_recorded(recording_url, duration_seconds)
            }
            (Phase::Message, Event::Recorded { recording_url, duration_seconds }) => {
                let outcome = self.message_saved(recording_url, duration_seconds);
                self.say(PromptKey::MessageThanks);
                self.reply.push(Action::Hangup);
                self.end(outcome, Stage::Message);
            }
            (Phase::Ended { from: Stage::Message, .. }, Event::Recorded { recording_url, duration_seconds }) => {
                // The participant hung up after their message; the recording is reported after.
                let outcome = self.message_saved(recording_url, duration_seconds);
                self.state.phase = Phase::Ended { outcome, from: Stage::Message };
                self.reply.push(Action::Hangup);
            }
            (Phase::Ringing(ring), Event::HelperAnswered { attempt })
                if ring.attempt == attempt && ring.key.is_none() =>
            {
                self.effects.push(Effect::HelperAnswered { attempt });
                self.whisper(&ring);
            }
            (_, Event::HelperAnswered { attempt }) => self.caller_gone_to_helper(Some(attempt)),
            (Phase::Ringing(ring), Event::HelperKey { attempt, key }) if ring.attempt == attempt => {
                self.helper_key(ring, key)
            }
            (Phase::Connected(ring), Event::HelperKey { attempt, .. }) if ring.attempt == attempt => {
                // The same keypress delivered twice.
                self.say(PromptKey::WhisperAccepted);
                self.say(PromptKey::WhisperSayWho);
            }
            (_, Event::HelperKey { attempt, key }) => {
                self.effects.push(Effect::HelperKey { attempt, key: key.unwrap_or_default() });
                self.caller_gone_to_helper(Some(attempt));
            }
            (Phase::Ringing(ring), Event::HelperDialEnded { attempt, status, bridged }) if ring.attempt == attempt => {
                let result = match status {
                    DialStatus::Completed | DialStatus::Answered if bridged == Some(true) => AttemptResult::Accepted,
                    DialStatus::Completed | DialStatus::Answered => AttemptResult::Declined,
                    DialStatus::NoAnswer => AttemptResult::NoAnswer,
                    DialStatus::Busy => AttemptResult::Busy,
                    DialStatus::Failed => AttemptResult::Failed,
                    DialStatus::Canceled => AttemptResult::Canceled,
                };
                if result == AttemptResult::Accepted {
                    // The provider joined them although no keypress reached us: believe it.
                    self.matched(&ring);
                    self.effects.push(Effect::AttemptEnded { attempt, result });
                    self.say(PromptKey::GoodbyeMatched);
                    self.reply.push(Action::Hangup);
                    self.end(Outcome::Matched, Stage::Connected);
                } else {
                    self.effects.push(Effect::AttemptEnded { attempt, result });
                    self.try_next_helper(false);
                }
            }
            (Phase::Connected(ring), Event::HelperDialEnded { attempt, bridged, .. }) if ring.attempt == attempt => {
                if bridged == Some(false) {
                    self.effects.push(Effect::MatchUndone { attempt });
                    self.effects.push(Effect::AttemptEnded { attempt, result: AttemptResult::Canceled });
                    self.try_next_helper(false);
                } else {
                    self.effects.push(Effect::AttemptEnded { attempt, result: AttemptResult::Accepted });
                    self.say(PromptKey::GoodbyeMatched);
                    self.reply.push(Action::Hangup);
                    self.end(Outcome::Matched, Stage::Connected);
                }
            }
            (Phase::Desk, Event::DeskDialEnded { status }) if self.tries().from_settings => match status {
                // A participant who pressed 0 in their own settings: no request for help.
                DialStatus::Completed | DialStatus::Answered => {
                    self.say(PromptKey::SettingsGoodbye);
                    self.reply.push(Action::Hangup);
                    self.end(Outcome::OwnSettings, Stage::Desk);
                }
                _ => {
                    self.say(PromptKey::DeskUnavailable);
                    self.message();
                }
            },
            (Phase::Desk, Event::DeskDialEnded { status }) => match status {
                DialStatus::Completed | DialStatus::Answered => {
                    self.say(PromptKey::GoodbyeDesk);
                    self.reply.push(Action::Hangup);
                    self.end(Outcome::Desk, Stage::Desk);
                }
                _ => {
                    self.say(PromptKey::DeskUnavailable);
                    self.voicemail();
                }
            },
            (
                Phase::Ended { from: Stage::Desk, outcome: Outcome::Unmatched },
                Event::DeskDialEnded { status: DialStatus::Completed | DialStatus::Answered },
            ) => {
                // The desk talked to the caller; the hang-up was reported first.
                self.state.phase = Phase::Ended { outcome: Outcome::Desk, from: Stage::Desk };
                self.reply.push(Action::Hangup);
            }
            (Phase::Voicemail, Event::Recorded { recording_url, duration_seconds }) => {
                let outcome = self.voicemail_saved(recording_url, duration_seconds);
                self.say(PromptKey::VoicemailThanks);
                self.reply.push(Action::Hangup);
                self.end(outcome, Stage::Voicemail);
            }
            (
                Phase::Ended { from: Stage::Voicemail, outcome: Outcome::Unmatched },
                Event::Recorded { recording_url, duration_seconds },
            ) => {
                let outcome = self.voicemail_saved(recording_url, duration_seconds);
                self.state.phase = Phase::Ended { outcome, from: Stage::Voicemail };
                self.reply.push(Action::Hangup);
            }
            other => return Some(other),
        }
        None
    }

    /// Ringing in waves and calling back, the caller gone, ends never reported, and what
    /// fits nothing.
    fn waves_and_ends(&mut self, phase: Phase, event: Event) {
        match (phase, event) {
            (
                Phase::Holding { matched: true } | Phase::Ended { outcome: Outcome::Matched, .. },
                Event::Search(Tell::WinnerAlone { attempt }),
            ) if !self.ctx.callback => {
                // Said to the helper, on their line, through the provider's REST API.
                self.say(PromptKey::WaveCallerLeft);
                self.reply.push(Action::Hangup);
                self.effects.push(Effect::MatchUndone { attempt });
                self.effects.push(Effect::AttemptEnded { attempt, result: AttemptResult::Canceled });
                // The caller hung up before anyone could help: the desk calls them back.
                self.state.phase = Phase::Ended { outcome: Outcome::Abandoned, from: Stage::Ringing };
                self.state.ended_at = Some(self.state.ended_at.unwrap_or(self.ctx.now));
            }
            (Phase::Holding { matched: true }, Event::Search(Tell::WinnerDropped { attempt })) => {
                // The caller never noticed: they still hear the hold's kind words, and the
                // next helpers are rung. (Call back later: the request stays open, and the
                // resident's phone, if it rings already, stops.)
                self.effects.push(Effect::MatchUndone { attempt });
                self.effects.push(Effect::AttemptEnded { attempt, result: AttemptResult::Canceled });
                self.state.phase = Phase::Holding { matched: false };
            }
            (Phase::Ended { outcome: Outcome::Matched, .. }, Event::Search(Tell::WinnerDropped { attempt }))
                if !self.ctx.callback =>
            {
                // The caller's call ended (their line, or the provider's fallback while this
                // service was down) and the helper who said yes never entered: the two never
                // talked. The desk calls the caller back.
                self.effects.push(Effect::MatchUndone { attempt });
                self.effects.push(Effect::AttemptEnded { attempt, result: AttemptResult::Canceled });
                self.state.phase = Phase::Ended { outcome: Outcome::Abandoned, from: Stage::Ringing };
            }
            (Phase::Holding { matched: true }, Event::HelperWaitTick { attempt }) if self.ctx.callback => {
                let caller = self.ctx.caller.first_name.clone().unwrap_or_default();
                let still = self.speech(PromptKey::CallbackHelperStillWaiting, &[("caller", &caller)]);
                self.reply.push(Action::Pause(5));
                self.reply.push(Action::Say(still));
                // Asked again and again until the resident joins (a wait document may redirect).
                self.reply.push(Action::Redirect(Next::HelperWait { attempt }));
            }
            // A stray wait request (the search moved on meanwhile): a short pause, and the
            // wait document is asked for again. Twilio never repeats a wait document by
            // itself, so every one ends in a `<Redirect>`; the next request hears what the
            // new state says.
            (_, Event::HelperWaitTick { attempt }) => {
                self.reply.push(Action::Pause(1));
                self.reply.push(Action::Redirect(Next::HelperWait { attempt }));
            }
            // Heard by the held caller alone, as their helper enters: first name and street,
            // never a number. Only <Say>, <Play>, <Pause> and <Redirect> may be in it (13238).
            (Phase::Holding { matched: true }, Event::Announce { helper_first_name, helper_street })
                if !self.ctx.callback =>
            {
                let said = match &helper_street {
                    Some(street) => {
                        self.speech(PromptKey::AnnounceHelper, &[("helper", &helper_first_name), ("street", street)])
                    }
                    None => self.speech(PromptKey::AnnounceHelperName, &[("helper", &helper_first_name)]),
                };
                self.reply.push(Action::Say(said));
            }
            // Too late (the caller left, the helper dropped): nothing to say, and no <Hangup>.
            (_, Event::Announce { .. }) => {}
            // Whatever became of the call since: thanked for picking up, and let go. Nothing
            // changes (their leg was cancelled when the yes won).
            (_, Event::WaveThanks { .. }) => self.already_found(),
            // After a yes: no "still searching" while the helper enters (who comes is said as
            // they enter), but never a long silence either: "Een moment nog" every third
            // wait document, in case the helper's line is slow or lost (the sweep decides).
            (Phase::Holding { matched: true }, Event::HoldTick) if !self.ctx.callback => self.hold_connecting(),
            (Phase::Holding { .. }, Event::HoldTick) => self.hold_music(),
            (_, Event::HoldTick) => {
                self.reply.push(Action::Pause(1));
                self.reply.push(Action::Redirect(Next::HoldWait));
            }
            (Phase::Holding { .. }, Event::HoldEnded) if self.ctx.hold_goes_on => {
                self.reply.push(Action::Hold { wait: Next::HoldWait, done: Next::HoldDone });
            }
            (Phase::Holding { matched: true }, Event::HoldEnded) => {
                self.say(PromptKey::GoodbyeMatched);
                self.reply.push(Action::Hangup);
                self.end(Outcome::Matched, Stage::Connected);
            }
            (Phase::Holding { matched: false }, Event::HoldEnded) => {
                self.say(PromptKey::Nobody);
                self.desk_or_voicemail(true);
            }
            (
                Phase::Holding { matched: false },
                Event::Search(Tell::Answered { attempt, helper_first_name, still_wanted: true }),
            ) => {
                self.effects.push(Effect::HelperAnswered { attempt });
                let ring = Ring { attempt, helper_id: 0, helper_first_name, key: None };
                self.whisper_to(&ring, Next::WaveKey { attempt });
            }
            (Phase::Holding { matched: true }, Event::Search(Tell::Answered { .. })) => self.already_found(),
            (_, Event::Search(Tell::Answered { .. })) => self.caller_gone_to_helper(None),
            (phase, Event::Search(Tell::Key { attempt, helper_id, key, verdict })) => {
                self.wave_key(phase, attempt, helper_id, key, verdict)
            }
            (Phase::Holding { matched: false }, Event::CallbackKey(key)) => {
                if key.as_deref() == Some("1") {
                    let spacing =
                        jiff::SignedDuration::from_mins(i64::from(self.ctx.dialplan.ringing.callback_spacing_minutes));
                    self.effects.push(Effect::CallbackRequested { first_try_at: self.ctx.now + spacing });
                    self.say(PromptKey::CallbackPromise);
                    self.reply.push(Action::Hangup);
                    self.end(Outcome::Unmatched, Stage::Ringing);
                } else if key.as_deref() == Some(REPEAT_KEY) && self.state.menu_repeats < MAX_MENU_REPEATS {
                    self.state.menu_repeats += 1;
                    self.callback_offer();
                } else {
                    self.voicemail();
                }
            }
            (Phase::Holding { matched: true }, Event::ResidentAnswered { helper_first_name, helper_street }) => {
                let news = match &helper_street {
                    Some(street) => {
                        self.speech(PromptKey::CallbackGoodNews, &[("helper", &helper_first_name), ("street", street)])
                    }
                    None => self.speech(PromptKey::CallbackGoodNewsName, &[("helper", &helper_first_name)]),
                };
                self.reply.push(Action::Say(news));
                self.reply.push(Action::JoinHold);
            }
            (Phase::Holding { matched: false }, Event::ResidentAnswered { helper_first_name, .. })
                if self.ctx.callback =>
            {
                // The helper's line dropped while the resident's phone rang.
                self.helper_left_the_resident(&helper_first_name);
            }
            (Phase::Holding { matched: true }, Event::Search(Tell::ResidentAlone { attempt, helper_first_name })) => {
                // The helper's line dropped in the moment between the good news and the join.
                self.helper_left_the_resident(&helper_first_name);
                self.effects.push(Effect::MatchUndone { attempt });
                self.effects.push(Effect::AttemptEnded { attempt, result: AttemptResult::Canceled });
                self.state.phase = Phase::Holding { matched: false };
            }
            (Phase::Holding { matched: true }, Event::ResidentUnreachable { attempt }) => {
                // Said to the helper who is waiting; the desk follows the resident up.
                let caller = self.ctx.caller.first_name.clone().unwrap_or_default();
                let said = self.speech(PromptKey::CallbackResidentNoAnswer, &[("caller", &caller)]);
                self.reply.push(Action::Say(said));
                self.reply.push(Action::Hangup);
                self.effects.push(Effect::MatchUndone { attempt });
                self.end(Outcome::Unmatched, Stage::Connected);
            }
            (Phase::Connected(ring), Event::CallerGone) if self.ctx.yes_before_start => {
                // The helper's line ends with the caller's; whether they were bridged, the
                // `<Dial>` action will say (DialBridged). Until then: no outcome.
                self.effects.push(Effect::AttemptEnded { attempt: ring.attempt, result: AttemptResult::Accepted });
                self.state.ended_at = Some(self.state.ended_at.unwrap_or(self.ctx.now));
            }
            (phase, Event::CallerGone) => self.caller_gone(phase),
            (Phase::Connected(ring), Event::EndNeverReported { .. }) => {
                self.effects.push(Effect::AttemptEnded { attempt: ring.attempt, result: AttemptResult::Accepted });
                self.effects.push(Effect::MatchUndone { attempt: ring.attempt });
                // When the caller's end came (`yes_before_start`), that is when it ended.
                let ended = self.state.ended_at;
                self.end(Outcome::Unconfirmed, Stage::Connected);
                self.state.ended_at = ended.or(self.state.ended_at);
            }
            (Phase::Holding { matched: true }, Event::EndNeverReported { unjoined_winner: Some(attempt) }) => {
                self.effects.push(Effect::MatchUndone { attempt });
                self.end(Outcome::Unconfirmed, Stage::Connected);
            }
            (
                Phase::Ended { outcome: Outcome::Matched, from: Stage::Connected },
                Event::EndNeverReported { unjoined_winner: Some(attempt) },
            ) => {
                // The caller's end came, but the winner's entry and end never did.
                self.effects.push(Effect::MatchUndone { attempt });
                self.state.phase = Phase::Ended { outcome: Outcome::Unconfirmed, from: Stage::Connected };
            }
            (phase @ Phase::Ended { .. }, Event::EndNeverReported { .. }) => self.state.phase = phase,
            (phase, Event::EndNeverReported { .. }) => self.caller_gone(phase),
            (Phase::Ended { .. }, _) => self.reply.push(Action::Hangup),
            (_, _) => {
                // A report that does not fit the call (the application layer filters duplicates,
                // so this is a provider oddity): keep the state, end this document kindly.
                self.say(PromptKey::SomethingWentWrong);
                self.reply.push(Action::Hangup);
            }
        }
    }

    /// A change to their own availability (1, 2, 3, 6). Caller ID alone proves nothing, so
    /// nothing changes on this call: the switchboard calls the number back and a 1 there
    /// makes it (the call ends now, so that the line is free), or, when it cannot place
    /// calls, the desk arranges it. "Ring me again" while not paused changes nothing.
    fn ask(&mut self, mine: &Own, change: Change) {
        if !change.changes_anything(mine.pause) {
            self.reply.push(Action::Say(change.done(self.p())));
            self.settings_menu(true);
            return;
        }
        self.effects.push(Effect::OwnSettingAsked { change, confirm: mine.confirm });
        let spoken = change.spoken(self.p());
        match mine.confirm {
            Confirm::CallBack => {
                let said = self.speech(PromptKey::SettingsAskedCallBack, &[("change", &spoken)]);
                self.reply.push(Action::Say(said));
                self.reply.push(Action::Hangup);
                self.end(Outcome::OwnSettings, Stage::Settings);
            }
            Confirm::Desk => {
                let said = self.speech(PromptKey::SettingsAskedDesk, &[("change", &spoken)]);
                self.reply.push(Action::Say(said));
                self.settings_menu(true);
            }
        }
    }

    /// Key 4: what they are rung for and when, read out plainly.
    fn read_out(&mut self, mine: &Own) {
        let prompts = self.p();
        let names: Vec<String> = self
            .ctx
            .dialplan
            .categories
            .iter()
            .filter(|c| mine.offers.contains(&c.key))
            .map(|c| prompts.category(&c.key).unwrap_or(&c.key).to_string())
            .collect();
        if names.is_empty() {
            self.say(PromptKey::SettingsNoOffers);
        } else {
            let said = self.speech(PromptKey::SettingsOffers, &[("categories", &own::spoken_list(prompts, &names))]);
            self.reply.push(Action::Say(said));
        }
        let said = if mine.available.is_empty() {
            let hours = own::spoken_hours(prompts, &self.ctx.dialplan.ringing.hours);
            self.speech(PromptKey::SettingsHoursAny, &[("hours", &hours)])
        } else {
            let hours = own::spoken_hours(prompts, &mine.available);
            self.speech(PromptKey::SettingsHours, &[("hours", &hours)])
        };
        self.reply.push(Action::Say(said));
        if let Some(now) = self.pause_now() {
            self.reply.push(Action::Say(now));
        }
    }

    /// A participant's word for the desk, kept like a voicemail.
    fn message_saved(&mut self, url: Option<String>, duration_seconds: u32) -> Outcome {
        if self.recording_saved(url, duration_seconds) {
            Outcome::Message
        } else {
            Outcome::OwnSettings
        }
    }

    fn try_next_helper(&mut self, first: bool) {
        if self.ctx.caller_gone {
            self.end(Outcome::Abandoned, Stage::Ringing);
            return;
        }
        let plan = self.ctx.dialplan;
        let waited = self.state.search_started_at.map(|t| self.ctx.now.as_second() - t.as_second()).unwrap_or(0);
        let within_limits =
            self.state.attempts < plan.ringing.max_helpers && waited < i64::from(plan.ringing.max_wait_seconds);
        let helper = match (&self.ctx.next_helper, within_limits) {
            (Some(helper), true) => helper.clone(),
            _ => {
                self.say(PromptKey::Nobody);
                self.desk_or_voicemail(true);
                return;
            }
        };
        self.state.attempts += 1;
        let attempt = self.state.attempts;
        if first {
            let category = self.category_name();
            let searching = self.speech(PromptKey::Searching, &[("category", &category)]);
            self.reply.push(Action::Say(searching));
        } else {
            self.say(PromptKey::SearchingNext);
        }
        self.effects.push(Effect::AttemptStarted { attempt, helper_id: helper.id, phone: helper.phone.clone() });
        self.reply.push(Action::DialHelper {
            number: helper.phone,
            caller_id: plan.number.clone(),
            timeout_seconds: plan.ringing.ring_timeout_seconds,
            whisper: Next::Whisper { attempt },
            done: Next::HelperDone { attempt },
        });
        self.state.phase =
            Phase::Ringing(Ring { attempt, helper_id: helper.id, helper_first_name: helper.first_name, key: None });
    }

    /// Waves: the caller waits on hold; the application layer rings the first wave.
    fn hold(&mut self) {
        if self.ctx.caller_gone {
            self.end(Outcome::Abandoned, Stage::Ringing);
            return;
        }
        if self.ctx.next_helper.is_none() {
            self.say(PromptKey::Nobody);
            self.desk_or_voicemail(true);
            return;
        }
        let category = self.category_name();
        let searching = self.speech(PromptKey::Searching, &[("category", &category)]);
        self.reply.push(Action::Say(searching));
        self.reply.push(Action::Hold { wait: Next::HoldWait, done: Next::HoldDone });
        self.state.phase = Phase::Holding { matched: false };
    }

    /// Call back later: said to the resident when the helper who said yes is gone. The
    /// request stays open.
    fn helper_left_the_resident(&mut self, helper_first_name: &str) {
        let sorry = self.speech(PromptKey::CallbackHelperLeft, &[("helper", helper_first_name)]);
        self.reply.push(Action::Say(sorry));
        self.reply.push(Action::Hangup);
    }

    fn already_found(&mut self) {
        self.say(PromptKey::WaveAlreadyFound);
        self.reply.push(Action::Hangup);
    }

    fn wave_key(
        &mut self,
        phase: Phase,
        attempt: u32,
        helper_id: i64,
        key: Option<String>,
        verdict: Option<super::waves::Yes>,
    ) {
        use super::waves::Yes;
        let key = key.unwrap_or_default();
        match verdict {
            Some(Yes::AlreadyWon) => {
                // The same yes delivered twice.
                self.say(PromptKey::WaveAccepted);
                self.reply.push(Action::JoinHold);
                return;
            }
            _ => self.effects.push(Effect::HelperKey { attempt, key: key.clone() }),
        }
        match verdict {
            Some(Yes::Wins { .. }) if phase == (Phase::Holding { matched: false }) => {
                let ring = Ring { attempt, helper_id, helper_first_name: String::new(), key: Some(key) };
                self.matched(&ring);
                if self.ctx.callback {
                    // The resident is called now; the helper waits in the conference.
                    let caller = self.ctx.caller.first_name.clone().unwrap_or_default();
                    let wait = self.speech(PromptKey::CallbackHelperWait, &[("caller", &caller)]);
                    self.reply.push(Action::Say(wait));
                    self.reply.push(Action::WaitInHold { wait: Next::HelperWait { attempt } });
                } else {
                    self.who_after_yes();
                    self.say(PromptKey::WaveAccepted);
                    self.reply.push(Action::JoinHold);
                }
                self.state.phase = Phase::Holding { matched: true };
            }
            Some(Yes::AlreadyFound) => self.already_found(),
            Some(Yes::SearchOver) => {
                self.say(PromptKey::WaveSearchOver);
                self.reply.push(Action::Hangup);
            }
            Some(_) => self.caller_gone_to_helper(None),
            None => {
                self.say(if key.is_empty() { PromptKey::WhisperNoInput } else { PromptKey::WhisperDeclined });
                self.reply.push(Action::Hangup);
            }
        }
    }

    fn whisper(&mut self, ring: &Ring) {
        self.whisper_to(ring, Next::WhisperKey { attempt: ring.attempt });
    }

    fn whisper_to(&mut self, ring: &Ring, next: Next) {
        let plan = self.ctx.dialplan;
        let caller = self.ctx.caller;
        // Said in the helper's own language, whatever the caller's.
        let category = self.category_name_in(self.ctx.helper_prompts);
        let daypart = self.daypart_in(self.ctx.helper_prompts);
        let intro = self.speech(
            PromptKey::WhisperIntro,
            &[("daypart", &daypart), ("helper", &ring.helper_first_name), ("neighbourhood", &plan.name)],
        );
        let request = match (&caller.first_name, &caller.street) {
            _ if caller.say.anonymous_until_yes => {
                self.speech(PromptKey::WhisperRequestUnknown, &[("category", &category)])
            }
            (Some(name), Some(street)) => self.speech(
                PromptKey::WhisperRequestStreet,
                &[("caller", name), ("street", street), ("category", &category)],
            ),
            (Some(name), None) => {
                self.speech(PromptKey::WhisperRequestName, &[("caller", name), ("category", &category)])
            }
            _ => self.speech(PromptKey::WhisperRequestUnknown, &[("category", &category)]),
        };
        let question = self.speech(PromptKey::WhisperQuestion, &[]);
        let hint = self.speech(PromptKey::WhisperRepeatHint, &[]);
        let timeout_seconds =
            if self.ctx.helper_slow_line { slow::WHISPER_TIMEOUT } else { slow::ORDINARY_WHISPER_TIMEOUT };
        self.reply.push(Action::Gather { say: vec![intro, request, question.clone(), hint], timeout_seconds, next });
        self.reply.push(Action::Gather { say: vec![question], timeout_seconds, next });
        // Nothing pressed twice (often a voicemail box): a no, thanked.
        self.say(PromptKey::WhisperNoInput);
        self.reply.push(Action::Hangup);
    }

    /// After a helper's yes, who they help, when the whisper did not say it.
    fn who_after_yes(&mut self) {
        let caller = self.ctx.caller;
        if !caller.say.anonymous_until_yes {
            return;
        }
        let who = match (&caller.first_name, &caller.street) {
            (Some(name), Some(street)) => {
                self.speech(PromptKey::WhisperWhoStreet, &[("caller", name), ("street", street)])
            }
            (Some(name), None) => self.speech(PromptKey::WhisperWhoName, &[("caller", name)]),
            _ => return,
        };
        self.reply.push(Action::Say(who));
    }

    fn helper_key(&mut self, ring: Ring, key: Option<String>) {
        if let Some(earlier) = &ring.key {
            // The same keypress delivered twice: answer as before, log nothing new.
            self.say(if earlier.is_empty() { PromptKey::WhisperNoInput } else { PromptKey::WhisperDeclined });
            self.reply.push(Action::LetHelperGo { attempt: ring.attempt });
            return;
        }
        if key.as_deref() == Some(REPEAT_KEY) && self.state.menu_repeats < MAX_MENU_REPEATS {
            // Not an answer: the request again (a phone that keeps sending 9 ends as a no).
            self.state.menu_repeats += 1;
            self.whisper(&ring);
            return;
        }
        let key = key.unwrap_or_default();
        self.effects.push(Effect::HelperKey { attempt: ring.attempt, key: key.clone() });
        if key == "1" {
            let ring = Ring { key: Some(key), ..ring };
            self.matched(&ring);
            self.who_after_yes();
            self.say(PromptKey::WhisperAccepted);
            // No hang-up: the provider now joins helper and caller. (Issue 27: the switchboard
            // cannot tell the caller who comes here, as it does in waves. This document runs
            // on the helper's leg only and may not dial (13201); a REST redirect of either leg
            // ends the `<Dial>`, and Twilio documents the second leg as disconnected then
            // (REST "Redirecting Live Calls"): the helper would be lost. So the helper is
            // asked to say their name first; waves with `wave_size = 1` has the switchboard
            // say it.)
            self.say(PromptKey::WhisperSayWho);
            self.state.phase = Phase::Connected(ring);
        } else {
            self.say(if key.is_empty() { PromptKey::WhisperNoInput } else { PromptKey::WhisperDeclined });
            self.reply.push(Action::LetHelperGo { attempt: ring.attempt });
            self.state.phase = Phase::Ringing(Ring { key: Some(key), ..ring });
        }
    }

    fn matched(&mut self, ring: &Ring) {
        let since = self.state.search_started_at.unwrap_or(self.state.started_at);
        let wait_seconds = (self.ctx.now.as_second() - since.as_second()).max(0);
        self.effects.push(Effect::Matched { attempt: ring.attempt, helper_id: ring.helper_id, wait_seconds });
    }

    /// The caller has gone: the helper is told and let go. `whisper`: the attempt whose
    /// whisper (dial mode) this is; `None` on a helper's own call (waves), which simply ends.
    fn caller_gone_to_helper(&mut self, whisper: Option<u32>) {
        self.say(PromptKey::WhisperCallerGone);
        self.reply.push(match whisper {
            Some(attempt) => Action::LetHelperGo { attempt },
            None => Action::Hangup,
        });
    }

    fn caller_gone(&mut self, phase: Phase) {
        match phase {
            Phase::Menu => self.end(Outcome::Abandoned, Stage::Menu),
            Phase::Ringing(ring) => {
                self.effects.push(Effect::AttemptEnded { attempt: ring.attempt, result: AttemptResult::Canceled });
                self.end(Outcome::Abandoned, Stage::Ringing);
            }
            Phase::Connected(ring) => {
                self.effects.push(Effect::AttemptEnded { attempt: ring.attempt, result: AttemptResult::Accepted });
                self.end(Outcome::Matched, Stage::Connected);
            }
            Phase::Holding { matched: true } => self.end(Outcome::Matched, Stage::Connected),
            Phase::Holding { matched: false } => self.end(Outcome::Abandoned, Stage::Ringing),
            Phase::Desk if self.tries().from_settings => self.end(Outcome::OwnSettings, Stage::Desk),
            Phase::Desk => self.end(Outcome::Unmatched, Stage::Desk),
            Phase::Voicemail => self.end(Outcome::Unmatched, Stage::Voicemail),
            Phase::Settings => self.end(Outcome::OwnSettings, Stage::Settings),
            Phase::Message => self.end(Outcome::OwnSettings, Stage::Message),
            Phase::Ended { .. } => {}
        }
    }

    fn desk_or_voicemail(&mut self, nobody_found: bool) {
        if self.ctx.caller_gone {
            self.end(Outcome::Abandoned, Stage::Menu);
            return;
        }
        let plan = self.ctx.dialplan;
        match (&plan.desk.phone, self.desk_open()) {
            (Some(desk), true) => {
                // The desk for a request (never from one's own settings: see `settings`).
                self.state.menu_rounds = 0;
                self.say(PromptKey::ToDesk);
                self.reply.push(Action::DialDesk {
                    number: desk.clone(),
                    timeout_seconds: plan.desk.ring_timeout_seconds,
                    done: Next::DeskDone,
                });
                self.state.phase = Phase::Desk;
            }
            _ => {
                if nobody_found {
                    self.say(PromptKey::DeskClosed);
                }
                let held = self.state.phase == (Phase::Holding { matched: false });
                if held && nobody_found && self.ctx.caller.number != CallerNumber::Withheld {
                    // Waves: before the voicemail, offer to call back when a neighbour can.
                    self.callback_offer();
                } else {
                    self.voicemail();
                }
            }
        }
    }

    /// "Shall we call you back as soon as a neighbour can help? Press 1."
    fn callback_offer(&mut self) {
        let offer = self.speech(PromptKey::CallbackOffer, &[]);
        let (say, timeout_seconds) = if self.slow_line() {
            self.as_said(vec![offer])
        } else {
            (vec![offer], self.ctx.dialplan.menu.timeout_seconds)
        };
        self.reply.push(Action::Gather { say, timeout_seconds, next: Next::CallbackOffer });
        self.reply.push(Action::Redirect(Next::CallbackOffer));
    }

    fn voicemail(&mut self) {
        if self.ctx.caller_gone {
            // The desk did not answer and the caller did not wait.
            self.end(Outcome::Unmatched, Stage::Desk);
            return;
        }
        let when = self.callback_when();
        let callback = self.speech(PromptKey::VoicemailCallback, &[("when", &when)]);
        if self.ctx.caller.number == CallerNumber::Withheld {
            // Asked for their number before anything that sounds like the end of the call.
            self.say(PromptKey::VoicemailIntro);
            self.say(PromptKey::VoicemailAskNumber);
            self.reply.push(Action::Say(callback));
        } else {
            // The callback promise comes first: most callers hang up after their message.
            self.reply.push(Action::Say(callback));
            self.say(PromptKey::VoicemailIntro);
        }
        self.say(PromptKey::VoicemailHangUp);
        self.reply.push(Action::Record {
            max_seconds: self.ctx.dialplan.desk.voicemail_max_seconds,
            silence_seconds: 5,
            done: Next::Recorded,
        });
        // Reached only when nothing was recorded.
        self.reply.push(Action::Redirect(Next::Recorded));
        self.state.phase = Phase::Voicemail;
    }

    fn voicemail_saved(&mut self, url: Option<String>, duration_seconds: u32) -> Outcome {
        if self.recording_saved(url, duration_seconds) {
            Outcome::Voicemail
        } else {
            Outcome::Unmatched
        }
    }

    /// Keeps a recording that holds something; false when nothing was said.
    fn recording_saved(&mut self, url: Option<String>, duration_seconds: u32) -> bool {
        match url {
            Some(recording_url) if duration_seconds > 0 => {
                self.effects.push(Effect::Voicemail { recording_url, duration_seconds });
                true
            }
            _ => false,
        }
    }

    fn end(&mut self, outcome: Outcome, from: Stage) {
        self.state.phase = Phase::Ended { outcome, from };
        self.state.ended_at = Some(self.ctx.now);
    }

    fn local_now(&self) -> jiff::civil::DateTime {
        self.ctx.now.to_zoned(self.ctx.dialplan.time_zone.clone()).datetime()
    }

    fn desk_open(&self) -> bool {
        self.ctx.dialplan.desk.phone.is_some() && self.ctx.dialplan.desk.office_hours.contains(self.local_now())
    }

    fn daypart(&self) -> String {
        self.daypart_in(self.p())
    }

    fn daypart_in(&self, prompts: &Prompts) -> String {
        prompts.daypart(self.local_now().hour())
    }

    fn category_name(&self) -> String {
        self.category_name_in(self.p())
    }

    fn category_name_in(&self, prompts: &Prompts) -> String {
        let key = self.state.category.as_deref().unwrap_or_default();
        prompts.category(key).unwrap_or(key).to_string()
    }

    /// "today after 9 o'clock", "on Monday after 9 o'clock", ...: when the desk calls back.
    fn callback_when(&self) -> String {
        let prompts = self.p();
        let now = self.local_now();
        let Some(open) = self.ctx.dialplan.desk.office_hours.next_open(now) else {
            return prompts.text(PromptKey::WhenSoon, &[]);
        };
        if open == now {
            return prompts.text(PromptKey::WhenNow, &[]);
        }
        let hour = open.hour().to_string();
        let time = if open.minute() == 0 {
            prompts.text(PromptKey::TimeWholeHour, &[("hour", &hour)])
        } else {
            prompts.text(PromptKey::TimeHourMinutes, &[("hour", &hour), ("minutes", &format!("{:02}", open.minute()))])
        };
        let days_ahead = (open.date() - now.date()).get_days();
        match days_ahead {
            0 => prompts.text(PromptKey::WhenToday, &[("time", &time)]),
            1 => prompts.text(PromptKey::WhenTomorrow, &[("time", &time)]),
            _ => {
                let weekday = prompts.weekday(open.weekday().to_monday_zero_offset() as usize);
                prompts.text(PromptKey::WhenWeekday, &[("weekday", weekday), ("time", &time)])
            }
        }
    }

    /// A sentence in the language of whoever hears it: the helper's for what a helper
    /// hears, the caller's for the rest.
    fn speech(&self, key: PromptKey, vars: &[(&str, &str)]) -> Speech {
        if key.heard_by_helper() {
            self.ctx.helper_prompts.speech(key, vars)
        } else {
            self.p().speech(key, vars)
        }
    }

    /// The language offered on this key, if any.
    fn offered(&self, digit: &str) -> Option<&'a Offered<'a>> {
        let digit: u8 = digit.parse().ok()?;
        self.ctx.offered.iter().find(|o| o.digit == digit)
    }

    /// The caller's prompts: the language they chose in this very step, or the call's.
    fn p(&self) -> &'a Prompts {
        let chosen = self.state.language.as_deref();
        match self.ctx.offered.iter().find(|o| Some(o.prompts.language.as_str()) == chosen) {
            Some(o) => o.prompts,
            None => self.ctx.prompts,
        }
    }

    fn say(&mut self, key: PromptKey) {
        let speech = self.speech(key, &[]);
        self.reply.push(Action::Say(speech));
    }
}

mod agenda;
pub use agenda::At as AgendaAt;
mod hold;
mod later;
pub use later::{Later, Part, Upcoming};
mod menus;
mod settings;
pub mod slow;
pub mod tries;

#[cfg(test)]
mod tests;
