//! The typed webhook events the switchboard consumes, whatever the provider: which of our
//! webhooks a request is (`Endpoint`, each with its path under the provider's prefix), and
//! what it reports (`Inbound`, `Reported`). Each provider module reads its own wire format
//! into these; nothing here knows a form field or a header.

use crate::domain::call::{DialStatus, Event};

/// Declares `Endpoint`, every one of them in `Endpoint::ALL`, and each one's path, from one
/// list: the router (through `from_path`), the signature check, the URLs we render, the
/// fuzz test and the route tests all go by it, so a new endpoint cannot be left out of any.
macro_rules! endpoints {
    ($($(#[$doc:meta])* $name:ident = $path:literal,)*) => {
        /// Which of our webhooks a request is, from its path (`/<provider prefix>/{path}`).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Endpoint {
            $($(#[$doc])* $name,)*
        }

        impl Endpoint {
            /// Every webhook endpoint, in the order they are declared.
            pub const ALL: [Endpoint; <[&str]>::len(&[$($path),*])] = [$(Endpoint::$name),*];

            /// The last segment of the endpoint's path: `/<provider prefix>/{path}`.
            pub const fn path(self) -> &'static str {
                match self {
                    $(Endpoint::$name => $path,)*
                }
            }
        }
    };
}

endpoints! {
    /// The number's Voice URL: a new call.
    Voice = "voice",
    Menu = "menu",
    HelperDone = "helper-done",
    Whisper = "whisper",
    WhisperKey = "whisper-key",
    /// Dial mode, Vonage: a helper's whisper ended without a yes and they heard their
    /// thanks (a `notify`): the switchboard ends their call (`Action::LetHelperGo`).
    WhisperOver = "whisper-over",
    DeskDone = "desk-done",
    Recorded = "recorded",
    /// The number's status callback.
    Status = "status",
    /// Waves: the caller's hold music (what a conference plays while waiting), asked for again and again.
    HoldWait = "hold-wait",
    /// Waves: the caller's hold ended (the conference's own end, or our redirect through the REST API).
    HoldDone = "hold-done",
    /// Waves: a helper's REST-created leg picked up.
    WaveWhisper = "wave-whisper",
    /// Waves: the key a helper pressed.
    WaveKey = "wave-key",
    /// Waves: the status callback of a helper's leg.
    WaveStatus = "wave-status",
    /// Waves: where a helper's leg still hearing the request is redirected (REST update
    /// with `Url`) when someone else said yes: they are thanked (issue 31).
    WaveThanks = "wave-thanks",
    /// The answer to "shall we call you back?".
    CallbackOffer = "callback-offer",
    /// A key in a participant's own settings (8 in the menu).
    Settings = "settings",
    /// Call back later: the resident's call (placed by us) picked up.
    ResidentAnswer = "resident-answer",
    /// Call back later: the status callback of the resident's call.
    ResidentStatus = "resident-status",
    /// Call back later: what the helper waiting for the resident hears (what a conference plays while waiting).
    HelperWait = "helper-wait",
    /// Waves: the status callback of the caller's conference (who entered it).
    Conference = "conference",
    /// Waves: what the held caller hears as their helper enters (an announcement to one
    /// participant: "Bert uit de Dorpsweg neemt nu op").
    Announce = "announce",
    /// The good-morning round: the resident's call (placed by us) picked up.
    RoundAnswer = "round-answer",
    /// The good-morning round: the key the resident pressed.
    RoundKey = "round-key",
    /// The good-morning round: the status callback of the resident's call.
    RoundStatus = "round-status",
    /// The good-morning round: a contact's call picked up, their key, its status callback.
    ContactAnswer = "contact-answer",
    ContactKey = "contact-key",
    ContactStatus = "contact-status",
    /// The good-morning round: the desk phone, rung when nobody confirmed, picked up.
    DeskAlert = "desk-alert",
    /// The call back that confirms a change asked for by phone (key 8): picked up, the
    /// key pressed, its status callback.
    ConfirmAnswer = "confirm-answer",
    ConfirmKey = "confirm-key",
    ConfirmStatus = "confirm-status",
    /// A call about a planned request (issue 28: help for later): picked up, the key
    /// pressed, its status callback.
    PlannedAnswer = "planned-answer",
    PlannedKey = "planned-key",
    PlannedStatus = "planned-status",
}

impl Endpoint {
    pub fn from_path(last_segment: &str) -> Option<Endpoint> {
        Endpoint::ALL.into_iter().find(|e| e.path() == last_segment)
    }

    /// A webhook of a call back that confirms a change asked for by phone.
    pub fn is_confirm(self) -> bool {
        matches!(self, Endpoint::ConfirmAnswer | Endpoint::ConfirmKey | Endpoint::ConfirmStatus)
    }

    /// A webhook of a call about a planned request.
    pub fn is_planned(self) -> bool {
        matches!(self, Endpoint::PlannedAnswer | Endpoint::PlannedKey | Endpoint::PlannedStatus)
    }

    /// A webhook of the good-morning round's own calls.
    pub fn is_round(self) -> bool {
        matches!(
            self,
            Endpoint::RoundAnswer
                | Endpoint::RoundKey
                | Endpoint::RoundStatus
                | Endpoint::ContactAnswer
                | Endpoint::ContactKey
                | Endpoint::ContactStatus
                | Endpoint::DeskAlert
        )
    }
}

/// A webhook, understood.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inbound {
    /// The caller's call (for a whisper: the parent call, not the helper's leg).
    pub call_sid: String,
    /// The document sequence number the request answers, for sequenced webhooks.
    pub seq: Option<u64>,
    pub from: String,
    pub to: String,
    /// What it reports: an event of the call flow, or a report of a created call.
    pub report: Reported,
    /// The report says the caller's call has already ended (a final call status on an
    /// action request): record it, ring nobody new.
    pub caller_gone: bool,
    /// The end of the held caller's conference says it took place (both were in it).
    pub conference_took_place: bool,
    /// Dial mode: (attempt, the helper's leg): the call the caller's dial placed to the
    /// helper, as its whisper or the dial's end names it.
    pub helper_leg: Option<(u32, String)>,
}

/// What a webhook reports: one of these, never two.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reported {
    /// Nothing that changes anything (a status callback for a call still ringing).
    Nothing,
    /// An event of the caller's call flow.
    Call(Event),
    /// From a helper's REST-created leg, or the resident's call when calling back (waves).
    Wave(WaveReport),
    /// From a call of the good-morning round.
    Round(RoundReport),
    /// From a call back that confirms a change asked for by phone.
    Confirm(ConfirmReport),
    /// From a call about a planned request.
    Planned(PlannedReport),
    /// Dial mode: the helper of `attempt` is to be let go: their call ended by the
    /// switchboard (a provider that joins the legs when a whisper ends).
    LetHelperGo { attempt: u32 },
}

impl Inbound {
    /// The event for the call flow: its own, or, when the good-morning call to a resident
    /// ends, `CallerGone`, since that call may have become a call for help (2) that ends
    /// with it.
    pub fn event(&self) -> Option<Event> {
        match &self.report {
            Reported::Call(event) => Some(event.clone()),
            Reported::Round(RoundReport {
                who: crate::domain::round::Who::Resident(_),
                what: RoundWhat::Ended(_),
                ..
            }) => Some(Event::CallerGone),
            Reported::Nothing
            | Reported::Wave(_)
            | Reported::Round(_)
            | Reported::Confirm(_)
            | Reported::Planned(_)
            | Reported::LetHelperGo { .. } => None,
        }
    }
}

/// What a call back that confirms a change reports (its call is `Inbound::call_sid`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfirmReport {
    /// The change's confirmation.
    pub id: i64,
    pub what: ConfirmWhat,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfirmWhat {
    /// Picked up: the document is asked for.
    Answered,
    /// A key (`None`: nothing pressed), answering document `seq`.
    Key { seq: u64, key: Option<String> },
    /// The call is over, with its final status.
    Ended(DialStatus),
}

/// What a call about a planned request reports (its call is `Inbound::call_sid`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedReport {
    /// The planned call (`planned_calls.id`).
    pub call: i64,
    pub what: PlannedWhat,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlannedWhat {
    /// Picked up: the document is asked for.
    Answered,
    /// A key (`None`: nothing pressed).
    Key(Option<String>),
    /// The call is over, with its final status.
    Ended(DialStatus),
}

/// What a call of the good-morning round reports (its call is `Inbound::call_sid`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoundReport {
    pub morning: i64,
    pub who: crate::domain::round::Who,
    pub what: RoundWhat,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RoundWhat {
    /// Picked up: the document is asked for.
    Answered,
    /// A key (`None`: nothing pressed).
    Key(Option<String>),
    /// The call is over, with its final status.
    Ended(DialStatus),
}

/// What a helper's outbound leg (waves) reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WaveReport {
    /// Picked up: the whisper document is asked for.
    Answered { attempt: u32 },
    /// A key (`None`: nothing pressed).
    Key { attempt: u32, key: Option<String> },
    /// The leg's call is over, with its final status.
    Ended { attempt: u32, status: DialStatus },
    /// Call back later: the resident picked up.
    ResidentAnswered,
    /// Call back later: the resident's call is over, with its final status.
    ResidentEnded { status: DialStatus },
    /// A call (`participant`: the caller's own, or a helper's leg) entered conference
    /// `conference` (`participant-join`).
    Entered { participant: String, conference: String },
    /// The announcement to the held caller that the helper of `attempt` is coming is
    /// asked for.
    Announce { attempt: u32 },
    /// The helper of `attempt`, redirected after someone else's yes while hearing the
    /// request, asks for their thank-you (issue 31).
    Thanks { attempt: u32 },
}

/// A webhook that cannot be read: what is wrong, naming the parameter.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ParseError(pub String);
