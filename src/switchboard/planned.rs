//! Help for later (issue 28): the use cases of a planned request and the search that asks
//! neighbours ahead.
//!
//! - `add`, `list`, `cancel`, `assign`: the desk's (and the command line's) use cases, on
//!   an `Act`, each writing its own audit entry; `coming` and `visible` for the desk's
//!   page, in the account's neighbourhoods only. They only write rows; every call they call
//!   for is a `planned_calls` row, placed by `due` (every minute) inside the ringing hours.
//! - `due`: one transaction every minute: calls whose end never came count as not
//!   answered; each asking request takes its next step (`domain::planned::next`): ask the
//!   best neighbour not yet asked by a REST-created call, or, past the cut-off, tell the
//!   requester honestly and give the desk an urgent follow-up; calls waiting for the
//!   ringing hours are placed.
//! - `webhook`: what a planned call says when picked up, its key (1 yes, 2 no: thanked),
//!   its end. A yes calls the requester back with the helper's first name, day and time.
//! - `at_start`: calls asked of the provider whose creation was never answered (the service
//!   stopped in between) count as never reported: nobody is rung twice.

use jiff::SignedDuration;
use rusqlite::Connection;

use super::commands::{Command, Outbound, PlannedCall};
use super::desk::Act;
use super::step::{default_voice, render};
use super::tx::Tx;
use super::where_to;
use super::Switchboard;
use crate::config::{Neighbourhood, Neighbourhoods};
use crate::domain::action::Action;
use crate::domain::audit::AuditAction;
use crate::domain::call::DialStatus;
use crate::domain::desk::FollowUpReason;
use crate::domain::participant::{Participant, StreetSaid};
use crate::domain::phone::PhoneNumber;
use crate::domain::planned::{self, say, Answer, By, CallResult, Purpose, Refused, Status};
use crate::provider::{Inbound, PlannedReport, PlannedWhat, Reported};
use crate::store::planned as store;
use crate::store::planned_where;

/// Seconds the requester's phone rings when they are told: as long as the good-morning
/// round's, for someone who needs a moment to reach the phone.
pub const RESIDENT_RING_SECONDS: u32 = super::round::RESIDENT_RING_SECONDS;

/// The longest note the desk may keep with a request.
pub const MAX_NOTE_CHARS: usize = 200;

/// A request as typed (the command line, later the desk's form).
#[derive(Clone, Debug, Default)]
pub struct Adding {
    /// The requester's phone number (in the register).
    pub from: String,
    /// The kind of help (a category key).
    pub kind: String,
    /// Local time in the neighbourhood's zone: `2026-12-08 10:00`.
    pub at: String,
    pub note: Option<String>,
    /// The neighbourhood's key; without it, the requester's only one.
    pub neighbourhood: Option<String>,
}

/// Why a request is not taken, naming the field.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AddError {
    #[error("--from: {0}")]
    Phone(String),
    #[error("--from: {0} is not in the register: add them first")]
    NotInRegister(String),
    #[error("--neighbourhood: '{key}' is not a neighbourhood here (known: {known})")]
    UnknownNeighbourhood { key: String, known: String },
    #[error("--neighbourhood: say which ({known})")]
    WhichNeighbourhood { known: String },
    #[error("--kind: '{key}' is not a kind of help in {neighbourhood} (known: {known})")]
    UnknownKind { key: String, neighbourhood: String, known: String },
    #[error("--kind: '{key}' cannot be planned in {neighbourhood} (the dialplan's [[category]] has no `later = true`; plannable: {plannable})")]
    NotPlannable { key: String, neighbourhood: String, plannable: String },
    #[error("--at: '{0}' is not a day and time like 2026-12-08 10:00")]
    At(String),
    #[error("--at: {0}")]
    When(Refused),
    #[error("--note: at most {MAX_NOTE_CHARS} characters")]
    NoteTooLong,
}

/// A request taken.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Added {
    pub id: i64,
    pub at: jiff::civil::DateTime,
    pub neighbourhood: String,
    /// Nobody is asked after this moment.
    pub cutoff: jiff::Timestamp,
}

fn at_of(text: &str) -> Option<jiff::civil::DateTime> {
    let text = text.trim();
    let with_seconds = if text.len() == 16 { format!("{text}:00") } else { text.to_string() };
    with_seconds.replacen(' ', "T", 1).parse().ok()
}

/// Takes a request for help at a later day and hour: checked field by field (a kind of
/// help the dialplan marks `later = true`, within 14 days, not inside its lead time), kept
/// as asking, audited. The search starts at the next minute's `due`.
pub fn add(act: &Act<'_>, hoods: &Neighbourhoods, adding: &Adding) -> anyhow::Result<Result<Added, AddError>> {
    let phone = match PhoneNumber::parse(&adding.from) {
        Ok(p) => p,
        Err(e) => return Ok(Err(AddError::Phone(e.to_string()))),
    };
    // Someone the account may not see is, for it, not in the register.
    let Some(requester) = crate::store::participants::find_by_phone(act.conn, &phone)?
        .filter(|p| act.scope().sees_member(&p.neighbourhoods))
    else {
        return Ok(Err(AddError::NotInRegister(phone.as_str().to_string())));
    };
    let hood = match &adding.neighbourhood {
        Some(key) => match hoods.by_key(key) {
            Some(h) if act.scope().sees_key(key) => h.clone(),
            _ => {
                return Ok(Err(AddError::UnknownNeighbourhood { key: key.clone(), known: hoods.keys().join(", ") }));
            }
        },
        None => {
            let theirs: Vec<&String> = requester
                .neighbourhoods
                .iter()
                .filter(|k| hoods.by_key(k).is_some() && act.scope().sees_key(k))
                .collect();
            match (theirs.as_slice(), hoods.only()) {
                ([one], _) => hoods.by_key(one).cloned().expect("checked above"),
                ([], Some(only)) if act.scope().sees_key(only) => hoods.by_key(only).cloned().expect("the only one"),
                _ => return Ok(Err(AddError::WhichNeighbourhood { known: hoods.keys().join(", ") })),
            }
        }
    };
    let plan = &hood.dialplan;
    let kind = adding.kind.trim().to_ascii_lowercase();
    if !plan.has_category(&kind) {
        let known = plan.categories.iter().map(|c| c.key.as_str()).collect::<Vec<_>>().join(", ");
        return Ok(Err(AddError::UnknownKind { key: kind, neighbourhood: hood.key.clone(), known }));
    }
    let Some(lead) = plan.later(&kind) else {
        let plannable: Vec<&str> =
            plan.categories.iter().filter(|c| c.later.is_some()).map(|c| c.key.as_str()).collect();
        let plannable = if plannable.is_empty() { "none".to_string() } else { plannable.join(", ") };
        return Ok(Err(AddError::NotPlannable { key: kind, neighbourhood: hood.key.clone(), plannable }));
    };
    let Some(at) = at_of(&adding.at) else { return Ok(Err(AddError::At(adding.at.clone()))) };
    let at_ts = match planned::check_when(&plan.time_zone, act.now, at, lead) {
        Ok(ts) => ts,
        Err(refused) => return Ok(Err(AddError::When(refused))),
    };
    let note = adding.note.as_deref().map(str::trim).filter(|n| !n.is_empty());
    if note.is_some_and(|n| n.chars().count() > MAX_NOTE_CHARS) {
        return Ok(Err(AddError::NoteTooLong));
    }
    let cutoff = planned::cutoff(at_ts, plan.ringing.later_cutoff_hours);
    let new = store::NewRequest {
        neighbourhood: &hood.key,
        dialplan_number: plan.number.as_str(),
        category: &kind,
        at,
        at_ts,
        cutoff,
        requester_id: requester.id,
        note,
    };
    let id = store::add(act.conn, &new, act.now)?;
    act.audit(&AuditAction::AddedPlannedRequest { id }, Some(requester.id))?;
    tracing::info!(planned = id, neighbourhood = %hood.key, category = %kind, "a request for later was taken");
    Ok(Ok(Added { id, at, neighbourhood: hood.key.clone(), cutoff }))
}

/// One call about a request, as listed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListedCall {
    pub purpose: Purpose,
    /// To whom: a first name (never a number).
    pub to: Option<String>,
    pub placed_at: Option<jiff::Timestamp>,
    pub result: Option<CallResult>,
}

/// A request as listed for the desk and the command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listed {
    pub id: i64,
    pub kind: String,
    pub at: jiff::civil::DateTime,
    pub neighbourhood: String,
    /// The requester's and the helper's names (the desk's view).
    pub requester: Option<String>,
    pub helper: Option<String>,
    /// What the desk and the drivers' day list need to reach them.
    pub requester_phone: Option<PhoneNumber>,
    pub requester_street: Option<String>,
    pub helper_phone: Option<PhoneNumber>,
    pub status: Status,
    pub note: Option<String>,
    pub calls: Vec<ListedCall>,
}

/// Every request the account may see, the soonest first, with the calls made for it.
pub fn list(act: &Act<'_>) -> anyhow::Result<Vec<Listed>> {
    let mut out = Vec::new();
    for r in store::list(act.conn)? {
        if !act.scope().sees_key(&r.neighbourhood) {
            continue;
        }
        let person = |id: Option<i64>| -> anyhow::Result<Option<Participant>> {
            Ok(match id {
                Some(id) => crate::store::participants::find(act.conn, id)?,
                None => None,
            })
        };
        let (requester, helper) = (person(r.requester_id)?, person(r.helper_id)?);
        let mut calls = Vec::new();
        for c in store::calls_of(act.conn, r.id)? {
            let to = match c.participant_id {
                Some(id) => crate::store::participants::find(act.conn, id)?.map(|p| p.details.first_name().to_string()),
                None => None,
            };
            calls.push(ListedCall { purpose: c.purpose, to, placed_at: c.placed_at, result: c.result });
        }
        out.push(Listed {
            id: r.id,
            kind: r.category.clone(),
            at: r.at,
            neighbourhood: r.neighbourhood.clone(),
            requester: requester.as_ref().map(|p| p.details.name.clone()),
            helper: helper.as_ref().map(|p| p.details.name.clone()),
            requester_phone: requester.as_ref().map(|p| p.details.phone.clone()),
            requester_street: requester.map(|p| p.details.street).filter(|s| !s.trim().is_empty()),
            helper_phone: helper.map(|p| p.details.phone),
            status: r.status,
            note: r.note.clone(),
            calls,
        });
    }
    Ok(out)
}

/// Whether the account acting may see request `id` (its neighbourhood).
pub fn visible(act: &Act<'_>, id: i64) -> anyhow::Result<bool> {
    Ok(store::load(act.conn, id)?.is_some_and(|r| act.scope().sees_key(&r.neighbourhood)))
}

/// A request on the desk's day list, with the neighbours it may be matched with by hand
/// (while it is open or unfilled).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Coming {
    pub request: Listed,
    /// (name, phone) of each neighbour of its neighbourhood who helps with its kind, the
    /// requester left out.
    pub helpers: Vec<(String, PhoneNumber)>,
}

/// Whether a request still needs the desk: nobody found yet.
pub fn needs_a_helper(status: Status) -> bool {
    matches!(status, Status::Asking | Status::Unfilled)
}

/// The day list of `day` for the drivers, printed: its requests, and an audit entry (a
/// printed list holds names, streets and numbers).
pub fn printed(act: &Act<'_>, from: jiff::civil::Date, day: jiff::civil::Date) -> anyhow::Result<Vec<Coming>> {
    let requests: Vec<Coming> = coming(act, from)?.into_iter().filter(|c| c.request.at.date() == day).collect();
    act.audit(&crate::domain::audit::AuditAction::PrintedPlanned { requests: requests.len() }, None)?;
    Ok(requests)
}

/// The desk's day list: the requests for `from` (a local day) and later, and every unfilled
/// one, that the account may see; by day, those without a helper first, then those still to
/// come, then the rest (cancelled, over), each by time.
pub fn coming(act: &Act<'_>, from: jiff::civil::Date) -> anyhow::Result<Vec<Coming>> {
    let mut requests: Vec<Listed> =
        list(act)?.into_iter().filter(|r| r.at.date() >= from || r.status == Status::Unfilled).collect();
    let rank = |s: Status| match s {
        _ if needs_a_helper(s) => 0,
        _ if s.is_open() => 1,
        _ => 2,
    };
    requests.sort_by_key(|r| (r.at.date(), rank(r.status), r.at, r.id));
    let mut out = Vec::new();
    for request in requests {
        let mut helpers = Vec::new();
        if needs_a_helper(request.status) {
            let Some(r) = store::load(act.conn, request.id)? else { continue };
            for (id, name, phone) in store::helpers_for(act.conn, &r.neighbourhood, &r.category)? {
                if Some(id) == r.requester_id {
                    continue;
                }
                if let Ok(phone) = PhoneNumber::from_stored(&phone) {
                    helpers.push((name, phone));
                }
            }
        }
        out.push(Coming { request, helpers });
    }
    Ok(out)
}

/// The kinds of help that may be planned in the neighbourhoods `scope` sees (the
/// dialplans' `later = true`), each once, in the dialplans' order.
pub fn plannable_kinds(hoods: &Neighbourhoods, scope: &super::desk::Scope) -> Vec<String> {
    let mut kinds: Vec<String> = Vec::new();
    for hood in hoods.all().filter(|h| scope.sees_key(&h.key)) {
        for c in hood.dialplan.categories.iter().filter(|c| c.later.is_some()) {
            if !kinds.contains(&c.key) {
                kinds.push(c.key.clone());
            }
        }
    }
    kinds
}

/// Why a request cannot be cancelled or assigned.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ChangeError {
    #[error("there is no request {0}")]
    NoSuchRequest(i64),
    #[error("request {id} is {} already", status.as_str())]
    NotOpen { id: i64, status: Status },
    #[error("--helper: {0}")]
    Phone(String),
    #[error("--helper: {0} is not in the register of that neighbourhood")]
    NotAHelper(String),
    #[error("--helper: the requester cannot help themselves")]
    IsRequester,
}

/// Cancels request `id` for `by`: whoever did not cancel it is told by a call (kept as a
/// row, placed inside the ringing hours): the helper when the requester or the desk
/// cancels, the requester when the helper or the desk does. Calls still waiting are not
/// placed any more.
pub fn cancel(act: &Act<'_>, id: i64, by: By) -> anyhow::Result<Result<(), ChangeError>> {
    let Some(r) = store::load(act.conn, id)?.filter(|r| act.scope().sees_key(&r.neighbourhood)) else {
        return Ok(Err(ChangeError::NoSuchRequest(id)));
    };
    if !r.status.is_open() || !store::set_status(act.conn, id, &[r.status], Status::Cancelled(by), act.now)? {
        return Ok(Err(ChangeError::NotOpen { id, status: r.status }));
    }
    let mut told = Vec::new();
    if by != By::Helper {
        told.extend(r.helper_id);
    }
    if by != By::Requester {
        told.extend(r.requester_id);
    }
    for participant in told {
        store::add_call(act.conn, id, Purpose::TellCancelled, participant, act.now)?;
    }
    act.audit(&AuditAction::CancelledPlannedRequest { id }, r.requester_id)?;
    tracing::info!(planned = id, by = ?by, "a request for later was cancelled");
    Ok(Ok(()))
}

/// A match the desk made by hand: `helper` helps with request `id` (asking, or unfilled
/// when the desk found someone after all). The requester is told by a call, as after a yes.
pub fn assign(act: &Act<'_>, id: i64, helper: &str) -> anyhow::Result<Result<(), ChangeError>> {
    let Some(r) = store::load(act.conn, id)?.filter(|r| act.scope().sees_key(&r.neighbourhood)) else {
        return Ok(Err(ChangeError::NoSuchRequest(id)));
    };
    let phone = match PhoneNumber::parse(helper) {
        Ok(p) => p,
        Err(e) => return Ok(Err(ChangeError::Phone(e.to_string()))),
    };
    let Some(p) = crate::store::participants::find_by_phone(act.conn, &phone)?
        .filter(|p| p.neighbourhoods.contains(&r.neighbourhood))
    else {
        return Ok(Err(ChangeError::NotAHelper(phone.as_str().to_string())));
    };
    if Some(p.id) == r.requester_id {
        return Ok(Err(ChangeError::IsRequester));
    }
    if !store::set_status(act.conn, id, &[Status::Asking, Status::Unfilled], Status::Matched, act.now)? {
        return Ok(Err(ChangeError::NotOpen { id, status: r.status }));
    }
    store::set_helper(act.conn, id, p.id, "desk")?;
    if let Some(requester) = r.requester_id {
        store::add_call(act.conn, id, Purpose::TellMatched, requester, act.now)?;
    }
    act.audit(&AuditAction::AssignedPlannedRequest { id, helper: p.id }, r.requester_id)?;
    Ok(Ok(()))
}

/// Every minute: calls whose end never came count as not answered; each asking request
/// takes its next step; calls waiting for the ringing hours are placed. One transaction;
/// what to ask of the provider is returned.
pub fn due(sb: &Switchboard) -> anyhow::Result<Outbound> {
    let now = sb.clock.now();
    sb.store.write(|tx| {
        let mut t = Tx::new(tx, sb, now);
        let before = now - SignedDuration::from_mins(planned::UNREPORTED_MINUTES);
        for call in store::unreported(tx, before)? {
            tracing::warn!(planned_call = call.id, "a planned call's end was never reported: counted as not answered");
            ended(&mut t, &call, CallResult::NeverReported)?;
        }
        for id in store::asking(tx)? {
            advance(&mut t, id)?;
        }
        for id in store::matched(tx)? {
            remind(&mut t, id)?;
        }
        for id in store::with_helper(tx)? {
            afterwards(&mut t, id)?;
        }
        for call in store::unplaced(tx)? {
            place(&mut t, &call)?;
        }
        // "Where to" of requests whose time has passed goes (those over went already).
        if planned_where::forget_over(tx, now)? > 0 {
            sb.provider_jobs.notify_one();
        }
        t.finish()
    })
}

/// At start: calls asked of the provider whose creation was never answered count as never
/// reported (whether the provider placed them is unknown; they are not placed again).
pub fn at_start(sb: &Switchboard) -> anyhow::Result<(usize, Outbound)> {
    sb.store.write(|tx| {
        let mut t = Tx::starting_now(tx, sb);
        let calls = store::placed_without_leg(tx)?;
        for call in &calls {
            ended(&mut t, call, CallResult::NeverReported)?;
        }
        Ok((calls.len(), t.finish()?))
    })
}

/// The provider could not create planned call `id`.
pub fn failed(tx: &Connection, sb: &Switchboard, id: i64) -> anyhow::Result<Outbound> {
    let mut t = Tx::starting_now(tx, sb);
    if let Some(call) = store::load_call(tx, id)? {
        ended(&mut t, &call, CallResult::Failed)?;
    }
    t.finish()
}

fn hood_of(sb: &Switchboard, r: &store::Request) -> Option<std::sync::Arc<Neighbourhood>> {
    sb.neighbourhoods.current().by_key(&r.neighbourhood).cloned()
}

/// Whether anyone may be called about a request of `hood` at `now`: inside the ringing hours.
fn may_call(hood: &Neighbourhood, now: jiff::Timestamp) -> bool {
    let local = planned::local(&hood.dialplan.time_zone, now);
    planned::next_call_moment(&hood.dialplan.ringing.hours, local) == Some(local)
}

/// Call `call` has ended with `result` (a key's result is kept by `webhook`): a neighbour
/// who was asked and did not say yes makes way for the next; a requester who could not be
/// told goes to the desk.
fn ended(t: &mut Tx<'_>, call: &store::Call, result: CallResult) -> anyhow::Result<()> {
    let kept = store::set_result(t.conn, call.id, result, None, t.now)?;
    let Some(r) = store::load(t.conn, call.request_id)? else { return Ok(()) };
    match call.purpose {
        Purpose::Ask => advance(t, r.id),
        Purpose::TellMatched | Purpose::TellUnfilled | Purpose::TellCancelled | Purpose::TellWithdrawn
            if kept && !result.reached() && call.participant_id == r.requester_id =>
        {
            tracing::warn!(planned = r.id, "the requester could not be told; the desk is");
            store::for_the_desk(t.conn, &r, FollowUpReason::PlannedNotTold, t.now)?;
            Ok(())
        }
        _ => Ok(()),
    }
}

/// The next step of request `id`'s search (`domain::planned::next`).
fn advance(t: &mut Tx<'_>, id: i64) -> anyhow::Result<()> {
    let Some(r) = store::load(t.conn, id)? else { return Ok(()) };
    let Some(hood) = hood_of(t.sb, &r) else { return Ok(()) };
    let search = planned::Search { status: r.status, asking_now: store::asking_now(t.conn, id)?, cutoff: r.cutoff };
    // Without the REST API nobody can be asked: at the cut-off the desk takes it over.
    let in_hours = t.sb.rest.is_some() && may_call(&hood, t.now);
    let first = if in_hours && search.status == Status::Asking && !search.asking_now && t.now < r.cutoff {
        first_to_ask(t, &hood, &r)?
    } else {
        None
    };
    match planned::next(search, t.now, in_hours, first) {
        planned::Next::Wait => Ok(()),
        planned::Next::Ask(helper) => {
            let Some(call) = store::add_call(t.conn, id, Purpose::Ask, helper, t.now)? else { return Ok(()) };
            crate::store::participants::mark_asked(t.conn, helper, t.now)?;
            tracing::info!(planned = id, helper, "asking a neighbour ahead");
            let call = store::load_call(t.conn, call)?.expect("just added");
            place(t, &call)
        }
        planned::Next::Unfilled => {
            if !store::set_status(t.conn, id, &[Status::Asking], Status::Unfilled, t.now)? {
                return Ok(());
            }
            tracing::info!(planned = id, "nobody found by the cut-off: the requester and the desk are told");
            store::for_the_desk(t.conn, &r, FollowUpReason::PlannedUnfilled, t.now)?;
            if let Some(requester) = r.requester_id {
                if let Some(call) = store::add_call(t.conn, id, Purpose::TellUnfilled, requester, t.now)? {
                    let call = store::load_call(t.conn, call)?.expect("just added");
                    place(t, &call)?;
                }
            }
            Ok(())
        }
    }
}

/// The reminder of matched request `id` the day before (`domain::planned::reminder`).
fn remind(t: &mut Tx<'_>, id: i64) -> anyhow::Result<()> {
    let Some(r) = store::load(t.conn, id)? else { return Ok(()) };
    let (Some(hood), Some(helper), Some(matched_at)) = (hood_of(t.sb, &r), r.helper_id, r.decided_at) else {
        return Ok(());
    };
    let tz = &hood.dialplan.time_zone;
    let tries: Vec<(jiff::civil::DateTime, bool, bool)> = store::calls_of(t.conn, id)?
        .into_iter()
        .filter(|c| c.purpose == Purpose::Remind && c.participant_id == Some(helper))
        .map(|c| {
            let placed = planned::local(tz, c.placed_at.unwrap_or(c.created_at));
            (placed, c.result.is_some_and(CallResult::reached), c.result.is_some())
        })
        .collect();
    let may = t.sb.rest.is_some() && may_call(&hood, t.now);
    match planned::reminder(r.at, planned::local(tz, matched_at), planned::local(tz, t.now), may, &tries) {
        planned::Reminder::Wait => Ok(()),
        planned::Reminder::Call(n) => {
            let Some(call) = store::add_call(t.conn, id, Purpose::Remind, helper, t.now)? else { return Ok(()) };
            tracing::info!(planned = id, helper, n, "reminding the helper the day before");
            let call = store::load_call(t.conn, call)?.expect("just added");
            place(t, &call)
        }
        planned::Reminder::ToDesk => {
            store::for_the_desk(t.conn, &r, FollowUpReason::PlannedNotConfirmed, t.now)?;
            Ok(())
        }
    }
}

/// The call afterwards of request `id` (when its kind of help asks for one): the next
/// morning, once.
fn afterwards(t: &mut Tx<'_>, id: i64) -> anyhow::Result<()> {
    let Some(r) = store::load(t.conn, id)? else { return Ok(()) };
    let (Some(hood), Some(requester)) = (hood_of(t.sb, &r), r.requester_id) else { return Ok(()) };
    if !hood.dialplan.afterwards(&r.category) {
        return Ok(());
    }
    let made = store::calls_of(t.conn, id)?.iter().any(|c| c.purpose == Purpose::Afterwards);
    let may = t.sb.rest.is_some() && may_call(&hood, t.now);
    let now = planned::local(&hood.dialplan.time_zone, t.now);
    if !planned::afterwards_due(r.at, now, may, made) {
        return Ok(());
    }
    let Some(call) = store::add_call(t.conn, id, Purpose::Afterwards, requester, t.now)? else { return Ok(()) };
    let call = store::load_call(t.conn, call)?.expect("just added");
    place(t, &call)
}

/// The best neighbour not yet asked, by the ranking on the day and hour of the help.
fn first_to_ask(t: &mut Tx<'_>, hood: &Neighbourhood, r: &store::Request) -> anyhow::Result<Option<i64>> {
    Ok(to_ask(t, hood, r)?.first().copied())
}

/// Every neighbour the search ahead would still ask for `r`, best first (none asked
/// before, none who may never be paired with the requester).
fn to_ask(t: &mut Tx<'_>, hood: &Neighbourhood, r: &store::Request) -> anyhow::Result<Vec<i64>> {
    super::ahead::ranked(t, hood, r, None)
}

/// Whether call `call` is still wanted for its request as it stands now.
fn still_wanted(purpose: Purpose, status: Status) -> bool {
    match purpose {
        Purpose::Ask => status == Status::Asking,
        Purpose::TellMatched => matches!(status, Status::Matched | Status::Confirmed),
        Purpose::TellUnfilled => status == Status::Unfilled,
        Purpose::TellCancelled => matches!(status, Status::Cancelled(_)),
        // Once someone else is found, the requester hears who comes instead.
        Purpose::TellWithdrawn => status == Status::Asking,
        Purpose::Remind => status == Status::Matched,
        Purpose::Afterwards => matches!(status, Status::Matched | Status::Confirmed),
    }
}

/// Places call `call` now, once, if it is still wanted and the ringing hours allow;
/// otherwise it waits (the next `due` looks again).
fn place(t: &mut Tx<'_>, call: &store::Call) -> anyhow::Result<()> {
    let Some(r) = store::load(t.conn, call.request_id)? else { return Ok(()) };
    if !still_wanted(call.purpose, r.status) {
        store::set_result(t.conn, call.id, CallResult::NotNeeded, None, t.now)?;
        return Ok(());
    }
    let Some(hood) = hood_of(t.sb, &r) else { return Ok(()) };
    if !may_call(&hood, t.now) {
        return Ok(());
    }
    let person = match call.participant_id {
        Some(id) => t.participant(id)?,
        None => None,
    };
    let (Some(person), true) = (person, t.sb.rest.is_some()) else {
        // Erased since, or no REST API: nobody can be called.
        return ended(t, call, CallResult::Failed);
    };
    if !store::start_placing(t.conn, call.id, t.now)? {
        return Ok(());
    }
    let timeout = match call.purpose {
        Purpose::Ask => hood.dialplan.ringing.ring_timeout_seconds,
        _ => RESIDENT_RING_SECONDS,
    };
    t.tell(Command::Planned(PlannedCall {
        id: call.id,
        to: person.details.phone.clone(),
        from: hood.dialplan.number.clone(),
        timeout,
    }));
    Ok(())
}

/// Answers a webhook of a planned call. A repeated request gets the document sent the
/// first time and changes nothing.
pub(super) fn webhook(t: &mut Tx<'_>, inbound: &Inbound) -> anyhow::Result<String> {
    let sb = t.sb;
    let hang_up = || render(sb, &default_voice(sb), &inbound.call_sid, 0, &[Action::Hangup]);
    let Reported::Planned(PlannedReport { call: id, what }) = inbound.report.clone() else {
        // A status that is not final yet.
        return Ok(render(sb, &default_voice(sb), &inbound.call_sid, 0, &[]));
    };
    let Some(call) = store::load_call(t.conn, id)? else { return Ok(hang_up()) };
    match &call.leg_sid {
        Some(leg) if *leg != inbound.call_sid => {
            tracing::warn!(planned_call = id, "a planned call's webhook for another call than the one placed: ignored");
            return Ok(hang_up());
        }
        // Answered before its creation was stored.
        None if call.placed_at.is_some() => store::set_leg(t.conn, id, &inbound.call_sid)?,
        None => return Ok(hang_up()),
        Some(_) => {}
    }
    let Some(r) = store::load(t.conn, call.request_id)? else { return Ok(hang_up()) };
    let (Some(hood), Some(person)) = (
        hood_of(sb, &r),
        match call.participant_id {
            Some(p) => t.participant(p)?,
            None => None,
        },
    ) else {
        return Ok(hang_up());
    };
    let prompts = hood.prompts_in(person.details.language.as_deref()).clone();
    let when = say::when(&prompts, r.at);
    let hour = planned::local(&hood.dialplan.time_zone, t.now).hour();
    match what {
        PlannedWhat::Ended(status) => {
            let result = match status {
                DialStatus::Completed | DialStatus::Answered => CallResult::NoKey,
                DialStatus::NoAnswer => CallResult::NoAnswer,
                DialStatus::Busy => CallResult::Busy,
                DialStatus::Failed | DialStatus::Canceled => CallResult::Failed,
            };
            ended(t, &call, result)?;
            Ok(render(sb, &hood.voices, &inbound.call_sid, 0, &[]))
        }
        PlannedWhat::Answered => {
            if let Some(body) = store::document(t.conn, id, false)? {
                return Ok(body);
            }
            let requester = match r.requester_id {
                Some(p) => t.participant(p)?,
                None => None,
            };
            let requester_name = requester.as_ref().map(|p| p.details.first_name().to_string()).unwrap_or_default();
            let actions = match call.purpose {
                Purpose::Ask => asking(t, &r, &person, (&prompts, hour, &when), id, false)?,
                Purpose::TellMatched => {
                    let helper = match r.helper_id {
                        Some(h) => t.participant(h)?,
                        None => None,
                    };
                    let helper = helper.map(|h| h.details.first_name().to_string()).unwrap_or_default();
                    say::matched(&prompts, hour, person.details.first_name(), &helper, &when)
                }
                Purpose::TellUnfilled => say::unfilled(&prompts, hour, person.details.first_name(), &when),
                Purpose::TellCancelled => say::cancelled(&prompts, hour, person.details.first_name(), &when),
                Purpose::TellWithdrawn => say::withdrawn(&prompts, hour, person.details.first_name(), &when),
                Purpose::Remind => {
                    // The helper said yes: the street is said now.
                    let street = requester.as_ref().map(|p| p.details.street.trim()).filter(|s| !s.is_empty());
                    let requester = say::Requester { first_name: &requester_name, street };
                    // The helper who said yes needs to know where to go: it is said again.
                    let where_to = where_to::path(t.conn, r.id, t.now)?;
                    let first_name = person.details.first_name();
                    let where_to = where_to.as_deref();
                    let to = say::Helper { hour, first_name, requester, when: &when, call: id, where_to };
                    say::remind(&prompts, &to)
                }
                Purpose::Afterwards => say::afterwards(&prompts, hour, person.details.first_name(), id),
            };
            if !matches!(call.purpose, Purpose::Ask | Purpose::Remind | Purpose::Afterwards) {
                store::set_result(t.conn, id, CallResult::Heard, None, t.now)?;
            }
            let body = render(sb, &hood.voices, &inbound.call_sid, 0, &actions);
            store::save_document(t.conn, id, false, &body)?;
            Ok(body)
        }
        PlannedWhat::Key(key) => {
            if let Some(body) = store::document(t.conn, id, true)? {
                return Ok(body);
            }
            let requester = match r.requester_id {
                Some(p) => t.participant(p)?,
                None => None,
            };
            let requester_name = requester.as_ref().map(|p| p.details.first_name().to_string()).unwrap_or_default();
            if call.purpose == Purpose::Remind {
                let actions = match planned::remind_answer(r.status, key.as_deref()) {
                    planned::RemindAnswer::Confirm => {
                        store::set_result(t.conn, id, CallResult::Yes, key.as_deref(), t.now)?;
                        store::set_status(t.conn, r.id, &[Status::Matched], Status::Confirmed, t.now)?;
                        tracing::info!(planned = r.id, "the helper confirmed the day before");
                        say::remind_confirmed(&prompts, &requester_name)
                    }
                    planned::RemindAnswer::Withdraw => {
                        store::set_result(t.conn, id, CallResult::No, key.as_deref(), t.now)?;
                        if store::set_status(
                            t.conn,
                            r.id,
                            &[Status::Matched, Status::Confirmed],
                            Status::Asking,
                            t.now,
                        )? {
                            store::clear_helper(t.conn, r.id)?;
                            tracing::info!(planned = r.id, "the helper cannot after all: a new search starts");
                            advance(t, r.id)?;
                        }
                        say::remind_withdrawn(&prompts)
                    }
                    planned::RemindAnswer::TooLate => {
                        store::set_result(t.conn, id, CallResult::TooLate, key.as_deref(), t.now)?;
                        say::no(&prompts)
                    }
                    planned::RemindAnswer::Again => {
                        return Ok(render(sb, &hood.voices, &inbound.call_sid, 0, &say::remind_again(&prompts, id)));
                    }
                    planned::RemindAnswer::Silent => {
                        return Ok(render(sb, &hood.voices, &inbound.call_sid, 0, &say::goodbye(&prompts)));
                    }
                };
                let body = render(sb, &hood.voices, &inbound.call_sid, 0, &actions);
                store::save_document(t.conn, id, true, &body)?;
                return Ok(body);
            }
            if call.purpose == Purpose::Afterwards {
                return afterwards_key(t, &call, &r, key.as_deref(), (&hood, &prompts, &inbound.call_sid));
            }
            if call.purpose != Purpose::Ask {
                return Ok(hang_up());
            }
            let actions = match planned::answer(r.status, key.as_deref()) {
                Answer::Yes => {
                    store::set_result(t.conn, id, CallResult::Yes, key.as_deref(), t.now)?;
                    said_yes(t, &r, person.id)?;
                    let street = requester
                        .as_ref()
                        .filter(|p| street_before_yes(p).is_none())
                        .map(|p| p.details.street.as_str());
                    say::yes(&prompts, &requester_name, street.filter(|s| !s.trim().is_empty()))
                }
                Answer::TooLate => {
                    store::set_result(t.conn, id, CallResult::TooLate, key.as_deref(), t.now)?;
                    say::too_late(&prompts)
                }
                Answer::No => {
                    store::set_result(t.conn, id, CallResult::No, key.as_deref(), t.now)?;
                    say::no(&prompts)
                }
                Answer::Again => {
                    return Ok(render(sb, &hood.voices, &inbound.call_sid, 0, &say::ask_again(&prompts, id)));
                }
                Answer::Silent => {
                    return Ok(render(sb, &hood.voices, &inbound.call_sid, 0, &say::no_key(&prompts)));
                }
                Answer::Repeat => {
                    let again = asking(t, &r, &person, (&prompts, hour, &when), id, true)?;
                    return Ok(render(sb, &hood.voices, &inbound.call_sid, 0, &again));
                }
            };
            let body = render(sb, &hood.voices, &inbound.call_sid, 0, &actions);
            store::save_document(t.conn, id, true, &body)?;
            Ok(body)
        }
    }
}

/// The call that asks `helper` ahead about request `r` (planned call `id`): the request,
/// "where to" when there is one, then 1 or 2; `repeat` (9): the same without the greeting.
fn asking(
    t: &mut Tx<'_>,
    r: &store::Request,
    helper: &Participant,
    (prompts, hour, when): (&crate::domain::prompts::Prompts, i8, &str),
    id: i64,
    repeat: bool,
) -> anyhow::Result<Vec<Action>> {
    let requester = match r.requester_id {
        Some(p) => t.participant(p)?,
        None => None,
    };
    let requester_name = requester.as_ref().map(|p| p.details.first_name().to_string()).unwrap_or_default();
    let category = prompts.category(&r.category).unwrap_or(&r.category).to_string();
    let street = requester.as_ref().and_then(street_before_yes);
    let requester = say::Requester { first_name: &requester_name, street };
    let where_to = where_to::path(t.conn, r.id, t.now)?;
    let (first_name, where_to) = (helper.details.first_name(), where_to.as_deref());
    let to = say::Helper { hour, first_name, requester, when, call: id, where_to };
    Ok(if repeat { say::ask_repeat(prompts, &to, &category) } else { say::ask(prompts, &to, &category) })
}

/// The requester's key on the call afterwards: 1 the help happened; 2 it did not, and the
/// desk follows it up.
fn afterwards_key(
    t: &mut Tx<'_>,
    call: &store::Call,
    r: &store::Request,
    key: Option<&str>,
    (hood, prompts, call_sid): (&Neighbourhood, &crate::domain::prompts::Prompts, &str),
) -> anyhow::Result<String> {
    let actions = match planned::afterwards_answer(r.status, key) {
        planned::AfterwardsAnswer::Happened => {
            store::set_result(t.conn, call.id, CallResult::Yes, key, t.now)?;
            store::set_status(t.conn, r.id, &[Status::Matched, Status::Confirmed], Status::Happened, t.now)?;
            say::afterwards_fine(prompts)
        }
        planned::AfterwardsAnswer::NotHappened => {
            store::set_result(t.conn, call.id, CallResult::No, key, t.now)?;
            store::set_status(t.conn, r.id, &[Status::Matched, Status::Confirmed], Status::NotHappened, t.now)?;
            store::for_the_desk(t.conn, r, FollowUpReason::PlannedNotHappened, t.now)?;
            say::afterwards_not(prompts)
        }
        planned::AfterwardsAnswer::TooLate => {
            store::set_result(t.conn, call.id, CallResult::TooLate, key, t.now)?;
            say::afterwards_fine(prompts)
        }
        planned::AfterwardsAnswer::Again => {
            return Ok(render(t.sb, &hood.voices, call_sid, 0, &say::afterwards_again(prompts, call.id)));
        }
        planned::AfterwardsAnswer::Silent => {
            return Ok(render(t.sb, &hood.voices, call_sid, 0, &say::goodbye(prompts)))
        }
    };
    let body = render(t.sb, &hood.voices, call_sid, 0, &actions);
    store::save_document(t.conn, call.id, true, &body)?;
    Ok(body)
}

/// The requester's street as a helper hears it before saying yes: unless they want it said
/// only after a yes, or it is unknown.
fn street_before_yes(p: &Participant) -> Option<&str> {
    let street = p.details.street.trim();
    (p.details.say().street == StreetSaid::Always && !street.is_empty()).then_some(street)
}

/// What a requester asked for by phone (issue 28): a request taken (`add`, checked again),
/// or their planned help cancelled (`cancel`, by the requester: the helper is told). In the
/// webhook's transaction, audited as done by phone.
pub(super) fn by_phone(
    t: &Tx<'_>,
    hood: &Neighbourhood,
    call: &crate::store::calls::StoredCall,
    effects: &[crate::domain::call::Effect],
) -> anyhow::Result<()> {
    use crate::domain::call::Effect;
    let phone = super::desk::Acting { actor: super::desk::Actor::Phone, scope: super::desk::Scope::all() };
    let act = Act { conn: t.conn, who: &phone, now: t.now };
    for effect in effects {
        match effect {
            Effect::PlannedAsked { category, at } => {
                let Some(from) = &call.from else { continue };
                let adding = Adding {
                    from: from.as_str().to_string(),
                    kind: category.clone(),
                    at: at.strftime("%Y-%m-%d %H:%M").to_string(),
                    note: None,
                    neighbourhood: Some(hood.key.clone()),
                };
                match add(&act, &t.sb.neighbourhoods.current(), &adding)? {
                    Ok(added) => {
                        planned_where::taken_on(t.conn, added.id, &call.call_sid)?;
                        tracing::info!(call = %call.call_sid, planned = added.id, "a request for later by phone")
                    }
                    Err(e) => tracing::error!(call = %call.call_sid, "a request for later by phone was not taken: {e}"),
                }
            }
            Effect::PlannedWhereTo { recording_url, duration_seconds } => {
                let token = where_to::token()?;
                match planned_where::recorded(t.conn, &call.call_sid, recording_url, *duration_seconds, &token, t.now)?
                {
                    Some(id) => tracing::info!(call = %call.call_sid, planned = id, "\"where to\" recorded"),
                    None => tracing::warn!(call = %call.call_sid, "\"where to\" for no open request: deleted"),
                }
            }
            Effect::PlannedCancelled { id } => {
                let theirs = store::load(t.conn, *id)?
                    .is_some_and(|r| r.requester_id.is_some() && r.requester_id == call.caller_id);
                if !theirs {
                    tracing::warn!(call = %call.call_sid, planned = id, "not the caller's request: not cancelled");
                    continue;
                }
                if let Err(e) = cancel(&act, *id, By::Requester)? {
                    tracing::warn!(call = %call.call_sid, planned = id, "not cancelled by phone: {e}");
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// `helper` said yes to asking request `r` (on the call that asks ahead, or under 8): it is
/// matched, by phone, and the requester is called and told who comes.
fn said_yes(t: &mut Tx<'_>, r: &store::Request, helper: i64) -> anyhow::Result<()> {
    store::set_status(t.conn, r.id, &[Status::Asking], Status::Matched, t.now)?;
    store::set_helper(t.conn, r.id, helper, "phone")?;
    tracing::info!(planned = r.id, helper, "a neighbour said yes to a request for later");
    if let Some(requester) = r.requester_id {
        if let Some(tell) = store::add_call(t.conn, r.id, Purpose::TellMatched, requester, t.now)? {
            let tell = store::load_call(t.conn, tell)?.expect("just added");
            place(t, &tell)?;
        }
    }
    Ok(())
}

/// Issue 28, a helper under 8 took asking request `id` (`switchboard::agenda`): as a yes
/// on the call that asks ahead (their ask is kept as one with a 1), audited as by phone.
/// Returns false when it was no longer asking.
pub(super) fn taken_by_phone(t: &mut Tx<'_>, id: i64, helper: i64) -> anyhow::Result<bool> {
    let Some(r) = store::load(t.conn, id)?.filter(|r| r.status == Status::Asking) else { return Ok(false) };
    let ask = match store::asked_by_phone(t.conn, id, helper, CallResult::NoKey, t.now)? {
        Some(ask) => ask,
        None => return Ok(false),
    };
    if !store::set_result(t.conn, ask, CallResult::Yes, Some("1"), t.now)? {
        return Ok(false);
    }
    said_yes(t, &r, helper)?;
    t.audit(&AuditAction::AssignedPlannedRequest { id, helper }, r.requester_id)?;
    Ok(true)
}

/// Issue 28, the helper of request `id` cannot after all (said under 8, asked twice): it
/// asks again at once, without them; the requester is called and told. Returns false when
/// it is not theirs (any more).
pub(super) fn withdrawn_by_phone(t: &mut Tx<'_>, id: i64, helper: i64) -> anyhow::Result<bool> {
    let Some(r) = store::load(t.conn, id)?.filter(|r| r.helper_id == Some(helper)) else { return Ok(false) };
    if !store::set_status(t.conn, id, &[Status::Matched, Status::Confirmed], Status::Asking, t.now)? {
        return Ok(false);
    }
    store::clear_helper(t.conn, id)?;
    // Not asked again for it (one the desk matched by hand was never asked).
    store::asked_by_phone(t.conn, id, helper, CallResult::No, t.now)?;
    // Who comes, not told yet (waiting for the ringing hours), is not told any more.
    for waiting in store::calls_of(t.conn, id)? {
        if waiting.purpose == Purpose::TellMatched && waiting.placed_at.is_none() && waiting.result.is_none() {
            store::set_result(t.conn, waiting.id, CallResult::NotNeeded, None, t.now)?;
        }
    }
    tracing::info!(planned = id, helper, "the helper cannot after all (by phone): a new search starts");
    if let Some(requester) = r.requester_id {
        if let Some(tell) = store::add_call(t.conn, id, Purpose::TellWithdrawn, requester, t.now)? {
            let tell = store::load_call(t.conn, tell)?.expect("just added");
            place(t, &tell)?;
        }
    }
    advance(t, id)?;
    Ok(true)
}

/// Issue 28: what a helper did under 8 with their help for later (`domain::call::agenda`),
/// in the webhook's transaction: heard is asked, a 2 a no, a 1 a yes, and their planned
/// help withdrawn.
pub(super) fn helper_by_phone(
    t: &mut Tx<'_>,
    call: &crate::store::calls::StoredCall,
    effects: &[crate::domain::call::Effect],
) -> anyhow::Result<()> {
    let Some(helper) = call.caller_id else { return Ok(()) };
    use crate::domain::call::Effect;
    for effect in effects {
        let (done, id, not_done) = match *effect {
            Effect::PlannedOffered { id } => {
                store::asked_by_phone(t.conn, id, helper, CallResult::NoKey, t.now)?;
                continue;
            }
            Effect::PlannedPassed { id } => {
                if let Some(ask) = store::asked_by_phone(t.conn, id, helper, CallResult::NoKey, t.now)? {
                    store::set_result(t.conn, ask, CallResult::No, Some("2"), t.now)?;
                }
                continue;
            }
            Effect::PlannedTaken { id } => (taken_by_phone(t, id, helper)?, id, "taken by phone, but no longer asking"),
            Effect::PlannedWithdrawn { id } => {
                (withdrawn_by_phone(t, id, helper)?, id, "withdrawn by phone, but not theirs any more")
            }
            _ => continue,
        };
        if !done {
            tracing::warn!(call = %call.call_sid, planned = id, "{not_done}");
        }
    }
    Ok(())
}
