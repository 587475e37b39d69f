//! Follow-up: the requests that still need a person, closed with a result, assigned, not
//! reached, opened again; and the call-back searches the desk starts and stops. Only
//! follow-ups of calls on the account's neighbourhoods' numbers are found; every change is
//! audited.

use jiff::civil::Date;
use jiff::Timestamp;

use super::Act;
use crate::domain::audit::AuditAction;
use crate::domain::desk::FollowUpResult;
pub use crate::store::callbacks::Request;
use crate::store::calls::CallLog;
use crate::store::desk::{self as q, Closed, FollowUp, Note, StepRow};
use crate::store::round::LogRow;
use crate::store::{accounts, callbacks, round};

#[path = "follow_up_searches.rs"]
mod searches;
pub use searches::*;

/// How many open follow-ups the page loads.
const OPEN_LIMIT: u32 = 500;

/// Whether there is a follow-up `id` the account may see.
pub fn visible(act: &Act<'_>, id: i64) -> anyhow::Result<bool> {
    q::follow_up_visible(act.conn, id, act.scope())
}

/// One open follow-up with its call, its call-back request, the notes about its caller
/// and, for the good-morning round, every call of that morning in order.
pub struct Open {
    pub up: FollowUp,
    pub row: CallLog,
    pub request: Option<Request>,
    pub notes: Vec<Note>,
    pub round: Vec<LogRow>,
    /// For the good-morning round: the resident's contacts, in the order they are called
    /// (none when the resident left the round since).
    pub contacts: Vec<round::Contact>,
}

/// Whose an open follow-up is, as the queue groups them: the participant (`p12`), the
/// number when the caller is not registered (`n+31…`), or the call itself when it was
/// anonymous (`f34`); a good-morning round's alarm (urgent) apart from the same person's
/// requests (`up12`). `store::desk::same_person_open` and `open_people_count` group alike.
pub fn person_of(item: &Open) -> String {
    let urgent = if item.up.urgent { "u" } else { "" };
    match (item.row.caller_id, &item.row.from) {
        (Some(id), _) => format!("{urgent}p{id}"),
        (None, Some(from)) if !item.row.anonymised => format!("{urgent}n{from}"),
        _ => format!("f{}", item.up.id),
    }
}

/// The open follow-ups the account may see, with the steps taken on them.
pub fn open(act: &Act<'_>) -> anyhow::Result<(Vec<Open>, Vec<StepRow>)> {
    let c = act.conn;
    let mut out = Vec::new();
    for (up, row) in q::open_follow_ups(c, OPEN_LIMIT, act.scope())? {
        let notes = q::notes_for(c, row.caller_id, row.from.as_deref())?;
        let request = callbacks::latest_for_call(c, &row.call_sid)?;
        let (round, contacts) = match row.morning_id {
            Some(morning) => {
                let mut calls = round::log(c, None, Some(morning), 50)?;
                calls.reverse();
                let contacts = match row.caller_id {
                    Some(resident) => round::resident(c, resident)?.map(|r| r.contacts).unwrap_or_default(),
                    None => Vec::new(),
                };
                (calls, contacts)
            }
            None => (Vec::new(), Vec::new()),
        };
        out.push(Open { up, row, request, notes, round, contacts });
    }
    let ids: Vec<i64> = out.iter().map(|i| i.up.id).collect();
    let steps = q::steps(c, &ids)?;
    Ok((out, steps))
}

/// The list was shown (`shown` people): audited.
pub fn viewed(act: &Act<'_>, shown: usize) -> anyhow::Result<()> {
    act.audit(&AuditAction::ViewedFollowUps { open: shown }, None)
}

/// The day list was printed (`shown` people): audited.
pub fn printed(act: &Act<'_>, shown: usize) -> anyhow::Result<()> {
    act.audit(&AuditAction::PrintedFollowUps { people: shown }, None)
}

/// The requests the desk took itself since `since` (and those still in progress) that the
/// account may see, each with its participant's name when registered.
pub fn taken(act: &Act<'_>, since: Timestamp) -> anyhow::Result<Vec<(Request, Option<String>)>> {
    let mut out = Vec::new();
    for r in callbacks::taken_at_desk(act.conn, since, act.scope())? {
        let name = match r.participant_id {
            Some(id) => q::participant_name(act.conn, id, &super::Scope::all())?,
            None => None,
        };
        out.push((r, name));
    }
    Ok(out)
}

/// The desk accounts a follow-up may be assigned to: (id, name), enabled ones only.
pub fn assignees(act: &Act<'_>) -> anyhow::Result<Vec<(i64, String)>> {
    Ok(accounts::users(act.conn)?.into_iter().filter(|u| !u.disabled).map(|u| (u.id, u.name)).collect())
}

/// The follow-ups closed since `since` (at most 200), newest first, each with its call.
pub fn closed(act: &Act<'_>, since: Timestamp) -> anyhow::Result<Vec<(FollowUp, CallLog)>> {
    q::closed_follow_ups(act.conn, since, 200, act.scope())
}

/// The open follow-ups of the same person as `id` the account may see, oldest first.
pub fn person_open(act: &Act<'_>, id: i64) -> anyhow::Result<Vec<i64>> {
    q::same_person_open(act.conn, id, act.scope())
}

/// Closes follow-up `id` and the person's other open ones (one call back answers for
/// all), the note kept once, with the first: each audited.
pub fn close(act: &Act<'_>, id: i64, result: FollowUpResult, note: &str) -> anyhow::Result<Closed> {
    if !visible(act, id)? {
        return Ok(Closed::NotFound);
    }
    let mut ids = person_open(act, id)?;
    if ids.is_empty() {
        ids.push(id);
    }
    let mut outcome = Closed::AlreadyClosed;
    for (i, each) in ids.into_iter().enumerate() {
        let user = act.who.actor.as_str();
        let closed = q::close_follow_up(act.conn, each, result, if i == 0 { note } else { "" }, user, act.now)?;
        if closed == Closed::Closed {
            let caller = q::caller_of_follow_up(act.conn, each)?;
            act.audit(&AuditAction::ClosedFollowUp { id: each, result }, caller)?;
            outcome = Closed::Closed;
        } else if each == id {
            outcome = closed;
        }
    }
    Ok(outcome)
}

/// A call back to the person of follow-up `id` reached nobody: counted on their open
/// follow-ups, to try again on `day`, with the desk's `note` on the try (may be empty);
/// audited. `false` when nothing is open.
pub fn not_reached(act: &Act<'_>, id: i64, day: Date, note: &str) -> anyhow::Result<bool> {
    let ids = person_open(act, id)?;
    if ids.is_empty() {
        return Ok(false);
    }
    q::not_reached(act.conn, &ids, &day.to_string(), note, act.who.actor.as_str(), act.now)?;
    let caller = q::caller_of_follow_up(act.conn, id)?;
    act.audit(&AuditAction::NotReachedOnCallBack { id, try_again_on: day }, caller)?;
    Ok(true)
}

/// What became of an assignment.
#[derive(Debug, PartialEq, Eq)]
pub enum Assigned {
    Done,
    /// Nothing of the person is open.
    NothingOpen,
    /// No enabled desk account has that id.
    NoSuchAccount,
}

/// Assigns the open follow-ups of the person of follow-up `id` to a desk account (or to
/// nobody): audited.
pub fn assign(act: &Act<'_>, id: i64, to: Option<i64>) -> anyhow::Result<Assigned> {
    let ids = person_open(act, id)?;
    if ids.is_empty() {
        return Ok(Assigned::NothingOpen);
    }
    let to = match to {
        None => None,
        Some(to) => match assignees(act)?.into_iter().find(|(id, _)| *id == to) {
            Some(found) => Some(found),
            None => return Ok(Assigned::NoSuchAccount),
        },
    };
    q::assign(act.conn, &ids, to.as_ref().map(|(i, n)| (*i, n.as_str())), act.who.actor.as_str(), act.now)?;
    let caller = q::caller_of_follow_up(act.conn, id)?;
    act.audit(&AuditAction::AssignedFollowUp { id, to: to.map(|(_, name)| name) }, caller)?;
    Ok(Assigned::Done)
}

/// Opens a closed follow-up again: audited. `false` when it was open already.
pub fn reopen(act: &Act<'_>, id: i64) -> anyhow::Result<bool> {
    if !visible(act, id)? || !q::reopen(act.conn, id, act.who.actor.as_str(), act.now)? {
        return Ok(false);
    }
    let caller = q::caller_of_follow_up(act.conn, id)?;
    act.audit(&AuditAction::ReopenedFollowUp { id }, caller)?;
    Ok(true)
}

#[cfg(test)]
#[path = "follow_up_tests.rs"]
mod tests;
