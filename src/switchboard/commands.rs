//! What a committed transaction tells the provider: helper legs to create, phones to
//! stop, the held caller to move on, the resident to call back, words to play on a live
//! leg. Collected inside the transaction, sent by `dispatch` after the commit.

use crate::domain::phone::PhoneNumber;

/// A helper's leg to create at the provider.
#[derive(Clone, Debug)]
pub struct NewLeg {
    pub call_sid: String,
    pub attempt: u32,
    pub to: PhoneNumber,
    pub from: PhoneNumber,
    pub timeout_seconds: u32,
}

/// A phone to stop at the provider: a helper's leg, or the resident called back.
#[derive(Clone, Debug)]
pub struct Stop {
    pub leg_sid: String,
    /// Answered already: `Status=completed` ends it; otherwise `Status=canceled`.
    pub answered: bool,
    /// A helper's leg: (the search's call, the attempt), so it can be ended from the
    /// answer to the cancel itself.
    pub helper_leg: Option<(String, u32)>,
}

/// A call of the good-morning round to create at the provider.
#[derive(Clone, Debug)]
pub struct RoundCall {
    pub morning: i64,
    pub who: crate::domain::round::Who,
    pub to: PhoneNumber,
    pub from: PhoneNumber,
    pub timeout: u32,
}

/// A call back that confirms a change asked for by phone, to create at the provider.
#[derive(Clone, Debug)]
pub struct ConfirmCall {
    /// The change's confirmation.
    pub id: i64,
    /// The register's number.
    pub to: PhoneNumber,
    pub from: PhoneNumber,
    pub timeout: u32,
}

/// What to tell the provider once the transaction has committed.
#[derive(Debug, Default)]
pub struct Outbound {
    pub create: Vec<NewLeg>,
    /// Phones to stop.
    pub cancel: Vec<Stop>,
    /// The held caller, to move to the hold's action (desk or voicemail).
    pub move_caller: Option<MoveCaller>,
    /// Call back later: ring the resident (the search's own call sid is `call_sid`).
    pub call_resident: Option<NewLeg>,
    /// A document to play on a live leg now.
    pub play: Option<Play>,
    /// The good-morning round: calls to create.
    pub round: Vec<RoundCall>,
    /// Call backs that confirm changes asked for by phone.
    pub confirm: Vec<ConfirmCall>,
    /// Calls rows that changed outside a webhook (the round alerting the desk), for the
    /// desk's live Now page.
    pub changed: Vec<String>,
}

/// The held caller's call, redirected to the hold's action for document `seq`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MoveCaller {
    pub call_sid: String,
    pub seq: u64,
}

/// A document (TwiML, rendered) to run on a live leg through the REST API.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Play {
    pub leg_sid: String,
    pub twiml: String,
}

impl Outbound {
    pub fn is_empty(&self) -> bool {
        self.create.is_empty()
            && self.cancel.is_empty()
            && self.move_caller.is_none()
            && self.call_resident.is_none()
            && self.play.is_none()
            && self.round.is_empty()
            && self.confirm.is_empty()
            && self.changed.is_empty()
    }
}
