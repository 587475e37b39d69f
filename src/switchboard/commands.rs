//! What a committed transaction tells the provider: helper legs to create, phones to
//! stop, helpers to thank, the held caller to move on, the resident to call back, words to play on a live
//! leg. Collected inside the transaction, sent by `dispatch` after the commit.

use crate::domain::phone::PhoneNumber;

/// A helper's leg to create at the provider.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewLeg {
    pub call_sid: String,
    pub attempt: u32,
    pub to: PhoneNumber,
    pub from: PhoneNumber,
    pub timeout_seconds: u32,
}

/// A phone to stop at the provider: a helper's leg, or the resident called back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stop {
    pub leg_sid: String,
    /// Answered already: `Status=completed` ends it; otherwise `Status=canceled`.
    pub answered: bool,
    /// A helper's leg: (the search's call, the attempt), so it can be ended from the
    /// answer to the cancel itself.
    pub helper_leg: Option<(String, u32)>,
}

/// Issue 31: a helper's leg still hearing the request when someone else said yes, to be
/// redirected to their thank-you (which ends the call).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Thank {
    pub leg_sid: String,
    /// The search's call and the helper's attempt: the thank-you's URL names them.
    pub call_sid: String,
    pub attempt: u32,
}

/// A call of the good-morning round to create at the provider.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoundCall {
    pub morning: i64,
    pub who: crate::domain::round::Who,
    pub to: PhoneNumber,
    pub from: PhoneNumber,
    pub timeout: u32,
}

/// A call back that confirms a change asked for by phone, to create at the provider.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfirmCall {
    /// The change's confirmation.
    pub id: i64,
    /// The register's number.
    pub to: PhoneNumber,
    pub from: PhoneNumber,
    pub timeout: u32,
}

/// A call about a planned request (issue 28), to create at the provider: kept as a row
/// (`planned_calls`) before it is asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedCall {
    /// The planned call (`planned_calls.id`).
    pub id: i64,
    pub to: PhoneNumber,
    pub from: PhoneNumber,
    pub timeout: u32,
}

/// One thing to tell the provider once the transaction has committed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// A helper's leg to create.
    Create(NewLeg),
    /// A phone to stop.
    Stop(Stop),
    /// A helper who still hears the request, to thank and let go (someone else said yes).
    Thank(Thank),
    /// The held caller, to move to the hold's action (desk or voicemail).
    MoveCaller(MoveCaller),
    /// Call back later: ring the resident (the search's own call sid is `call_sid`).
    CallResident(NewLeg),
    /// A document to play on a live leg now.
    Play(Play),
    /// Tell the held caller who is coming (a participant announcement).
    Announce(Announce),
    /// A call of the good-morning round to create.
    Round(RoundCall),
    /// A call back that confirms a change asked for by phone.
    Confirm(ConfirmCall),
    /// A call about a planned request.
    Planned(PlannedCall),
    /// A calls row that changed outside a webhook (the round alerting the desk), for the
    /// desk's live Now page.
    Changed(String),
}

/// What to tell the provider once the transaction has committed: every command, in the
/// order it was decided. Two of a kind are both kept (a second `Play` on another leg, or on
/// the same one, does not replace the first), except that the held caller is moved on,
/// and the resident called back, once per call: a later one for the same call replaces
/// the earlier (it carries the later document).
#[derive(Debug, Default)]
pub struct Outbound {
    commands: Vec<Command>,
}

/// The held caller's call, redirected to the hold's action for document `seq`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MoveCaller {
    pub call_sid: String,
    pub seq: u64,
}

/// The held caller `call_sid`, waiting in conference `conference_sid`, is told that the
/// helper of `attempt` is coming (their first name and street): `document` is what they
/// hear, rendered by the provider (the `announce` webhook answers the same).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Announce {
    pub conference_sid: String,
    pub call_sid: String,
    pub attempt: u32,
    pub document: String,
}

/// A document (rendered by the provider) to run on a live leg through the REST API.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Play {
    pub leg_sid: String,
    pub twiml: String,
}

impl Outbound {
    pub fn push(&mut self, command: Command) {
        let same = |old: &Command| match (old, &command) {
            (Command::MoveCaller(a), Command::MoveCaller(b)) => a.call_sid == b.call_sid,
            (Command::CallResident(a), Command::CallResident(b)) => a.call_sid == b.call_sid,
            _ => false,
        };
        if let Some(old) = self.commands.iter_mut().find(|old| same(old)) {
            *old = command;
        } else {
            self.commands.push(command);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.commands.is_empty()
    }

    pub fn commands(&self) -> &[Command] {
        &self.commands
    }

    pub fn into_commands(self) -> Vec<Command> {
        self.commands
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn play(leg: &str, twiml: &str) -> Command {
        Command::Play(Play { leg_sid: leg.into(), twiml: twiml.into() })
    }

    fn move_caller(call: &str, seq: u64) -> Command {
        Command::MoveCaller(MoveCaller { call_sid: call.into(), seq })
    }

    #[test]
    fn a_second_play_is_kept_beside_the_first_in_order() {
        let mut out = Outbound::default();
        assert!(out.is_empty());
        out.push(play("CA1", "<Response><Say>one</Say></Response>"));
        out.push(play("CA2", "<Response><Say>two</Say></Response>"));
        out.push(play("CA1", "<Response><Say>three</Say></Response>"));
        assert!(!out.is_empty());
        assert_eq!(
            out.into_commands(),
            vec![
                play("CA1", "<Response><Say>one</Say></Response>"),
                play("CA2", "<Response><Say>two</Say></Response>"),
                play("CA1", "<Response><Say>three</Say></Response>"),
            ]
        );
    }

    #[test]
    fn two_stops_and_two_new_legs_are_all_kept() {
        let stop = |leg: &str| Command::Stop(Stop { leg_sid: leg.into(), answered: false, helper_leg: None });
        let mut out = Outbound::default();
        out.push(stop("CA1"));
        out.push(stop("CA1"));
        out.push(Command::Changed("CA9".into()));
        out.push(Command::Changed("CA9".into()));
        assert_eq!(out.commands().len(), 4);
    }

    #[test]
    fn the_held_caller_is_moved_on_once_per_call_with_the_latest_document() {
        let mut out = Outbound::default();
        out.push(move_caller("CA1", 3));
        out.push(play("CA7", "x"));
        out.push(move_caller("CA2", 1));
        out.push(move_caller("CA1", 4));
        assert_eq!(out.into_commands(), vec![move_caller("CA1", 4), play("CA7", "x"), move_caller("CA2", 1)]);
    }

    #[test]
    fn the_resident_is_called_back_once_per_search() {
        let leg = |sid: &str, attempt: u32| {
            Command::CallResident(NewLeg {
                call_sid: sid.into(),
                attempt,
                to: PhoneNumber::parse("06-10000001").unwrap(),
                from: PhoneNumber::parse("+31850000000").unwrap(),
                timeout_seconds: 25,
            })
        };
        let mut out = Outbound::default();
        out.push(leg("CB1", 1));
        out.push(leg("CB1", 2));
        out.push(leg("CB2", 1));
        assert_eq!(out.into_commands(), vec![leg("CB1", 2), leg("CB2", 1)]);
    }
}
