//! Ringing in waves, the transaction scripts: the caller waits on hold while this service
//! rings helpers itself through the provider's REST API.
//!
//! Each script is the same, inside the webhook's (or job's) transaction: load the search
//! (`store::waves::load`), step it (`domain::waves::step`, pure), store what changed
//! (`store::waves::save`), and carry out the commands: a new leg is stored and queued to
//! be created, a `Tell` runs the call flow, and whatever must be said to the provider goes
//! into an [`Outbound`] that `dispatch` sends only after the commit.

use rusqlite::Connection;

use super::commands::{Announce, Command as ToProvider, MoveCaller, NewLeg, Outbound, Play, Stop, Thank};
use super::step::{ranked, render, run_step, Report, Wanted};
use super::tx::Tx;
use super::Switchboard;
use crate::config::Neighbourhood;
use crate::domain::action::Action;
use crate::domain::call::NextHelper;
use crate::domain::call::{DialStatus, Event, Outcome, Phase, Step};
use crate::domain::callback::RequestStatus;
use crate::domain::phone::PhoneNumber;
use crate::domain::waves::{
    self, Caller, Candidate, Chances, Command, Hearer, LegEnd, Limits, SearchEvent, SearchStatus, Tell, WaveSize,
};
use crate::provider::WaveReport;
use crate::store::callbacks;
use crate::store::calls::{self, StoredCall};
use crate::store::waves as store;

fn limits(hood: &Neighbourhood) -> Limits {
    let r = &hood.dialplan.ringing;
    Limits::new(r.wave_size, r.max_helpers, r.max_wait_seconds, r.ring_timeout_seconds)
}

/// The caller's call as the search sees it.
fn caller(phase: &Phase) -> Caller {
    match phase {
        Phase::Holding { matched } => Caller::Holding { matched: *matched },
        Phase::Ended { outcome, .. } => Caller::Gone { matched: *outcome == Outcome::Matched },
        _ => Caller::Elsewhere,
    }
}

fn end(status: DialStatus) -> LegEnd {
    match status {
        DialStatus::Completed | DialStatus::Answered => LegEnd::Completed,
        DialStatus::NoAnswer => LegEnd::NoAnswer,
        DialStatus::Busy => LegEnd::Busy,
        DialStatus::Failed => LegEnd::Failed,
        DialStatus::Canceled => LegEnd::Canceled,
    }
}

/// Steps the search of `call` with `event`, stores it and carries out its commands; `call`
/// is saved when the call flow changed it. Returns what the reporting leg hears (empty
/// when nothing), or `None` when the call has no search.
fn run(
    t: &mut Tx<'_>,
    hood: &Neighbourhood,
    call: &mut StoredCall,
    event: SearchEvent,
) -> anyhow::Result<Option<Vec<Action>>> {
    let (tx, sb, now) = (t.conn, t.sb, t.now);
    let Some(before) = t.search(&call.call_sid)? else { return Ok(None) };
    let request = t.request(&call.call_sid)?;
    let callback = match &request {
        Some(r) => Some(waves::Callback {
            status: r.status,
            resident_leg: callbacks::resident_leg(tx, r.id)?,
            spacing_minutes: hood.dialplan.ringing.callback_spacing_minutes,
        }),
        None => None,
    };
    // (A search that was won may go on: the winner's line dropped before the join.)
    let helpers: Vec<NextHelper> =
        if event.may_ring() && before.status != SearchStatus::Over { helpers(t, hood, call)? } else { Vec::new() };
    let candidates: Vec<Candidate> =
        helpers.iter().map(|h| Candidate { id: h.id, first_name: h.first_name.clone() }).collect();
    let limits = limits(hood);
    let chances = match limits.wave_size {
        WaveSize::Learned { .. } if !candidates.is_empty() => chances(t, hood, &before, &candidates)?,
        _ => Chances::default(),
    };
    let ctx = waves::Context {
        now,
        limits,
        caller: caller(&call.state.phase),
        callback: callback.as_ref(),
        helpers: &candidates,
        chances: &chances,
        attempts: call.state.attempts,
        records_tell: sb.rest.as_ref().is_some_and(|c| c.keeps_conference_records()),
    };
    let starting = event == SearchEvent::Start;
    let (after, commands) = waves::step(before.clone(), event, &ctx);
    if let (true, WaveSize::Learned { cap }) = (starting, limits.wave_size) {
        let rung: Vec<f64> = after.legs.iter().map(|l| chances.of(l.helper_id)).collect();
        tracing::info!(
            call = %call.call_sid,
            phones = rung.len(),
            cap,
            chance_of_a_yes = format!("{:.0}%", 100.0 * waves::sizing::chance_of_a_yes(&rung)),
            "the first wave is sized by who tends to say yes at this hour"
        );
    }
    store::save(tx, &call.call_sid, &before, &after, now)?;
    t.search_saved(&call.call_sid, after.status);
    let sid = call.call_sid.clone();
    let original = call.state.clone();
    let mut effects = Vec::new();
    let mut reply = Vec::new();
    for command in commands {
        match command {
            Command::Ring { attempt, helper_id } => {
                let Some(helper) = helpers.iter().find(|h| h.id == helper_id) else { continue };
                store::add_leg(tx, &sid, attempt, helper.id, &helper.phone, &helper.first_name, now)?;
                t.tell(ToProvider::Create(NewLeg {
                    call_sid: sid.clone(),
                    attempt,
                    to: helper.phone.clone(),
                    from: hood.dialplan.number.clone(),
                    timeout_seconds: hood.dialplan.ringing.ring_timeout_seconds,
                }));
                call.state.attempts = call.state.attempts.max(attempt);
            }
            // A leg without a CallSid yet is stopped when its creation answers.
            Command::Cancel { attempt, leg_sid: Some(leg_sid), answered } => {
                t.tell(ToProvider::Stop(Stop { leg_sid, answered, helper_leg: Some((sid.clone(), attempt)) }));
            }
            Command::Cancel { leg_sid: None, .. } => {}
            // Issue 31: a helper still hearing the request is thanked at once. (Without a
            // CallSid yet, a yes they still press is thanked as late.)
            Command::Thank { attempt, leg_sid: Some(leg_sid) } => {
                t.tell(ToProvider::Thank(Thank { leg_sid, call_sid: sid.clone(), attempt }));
            }
            Command::Thank { leg_sid: None, .. } => {}
            Command::MoveCallerOn => {
                tracing::info!(call = %sid, "the search is over without a yes: moving the held caller on");
                t.tell(ToProvider::MoveCaller(MoveCaller { call_sid: sid.clone(), seq: call.seq }));
            }
            Command::RetryRequestAt(at) => {
                if let Some(r) = &request {
                    callbacks::search_failed(tx, r.id, at)?;
                    t.request_changed(&sid);
                    tracing::info!(request = r.id, "no conversation with a neighbour this time; trying again later");
                }
            }
            Command::CallResident { helper_id } => {
                let Some(r) = &request else { continue };
                callbacks::calling(tx, r.id, helper_id)?;
                t.request_changed_to(&sid, |r| (r.status, r.helper_id) = (RequestStatus::Calling, Some(helper_id)));
                if let Some(to) = r.phone.as_deref().and_then(|p| PhoneNumber::from_stored(p).ok()) {
                    t.tell(ToProvider::CallResident(NewLeg {
                        call_sid: sid.clone(),
                        attempt: after.winner.unwrap_or(0),
                        to,
                        from: hood.dialplan.number.clone(),
                        timeout_seconds: hood.dialplan.ringing.ring_timeout_seconds.max(25),
                    }));
                }
            }
            Command::StopResident { leg_sid } => {
                t.tell(ToProvider::Stop(Stop { leg_sid, answered: false, helper_leg: None }))
            }
            Command::Tell { tell, hearer } => {
                tracing::info!(call = %sid, tell = ?tell, "the search tells the call flow");
                let announce = announce(&tell, &after, &sid, request.is_some());
                let step = run_step(t, hood, call, Event::Search(tell), Report::default())?;
                let attempts = call.state.attempts.max(step.state.attempts);
                call.state = step.state;
                call.state.attempts = attempts;
                effects.extend(step.effects);
                if let Some(mut announce) = announce {
                    // What the caller is told, as the call flow now says it (a provider
                    // that is given the words rather than asking for them needs it now).
                    let words = announcement(t, hood, call, announce.attempt)?;
                    announce.document = render(sb, &hood.voices, &sid, call.seq, &words);
                    t.tell(ToProvider::Announce(announce));
                }
                match hearer {
                    Hearer::Reporter => reply = step.reply,
                    Hearer::Leg(leg_sid) => {
                        let twiml = render(sb, &hood.voices, &sid, call.seq, &step.reply);
                        t.tell(ToProvider::Play(Play { leg_sid, twiml }));
                    }
                    Hearer::Nobody => {}
                }
            }
        }
    }
    // A step that changed nothing is not saved again (saving an ended call-back search
    // would give the desk a follow-up it should not have).
    if !effects.is_empty() || call.state != original {
        calls::save(tx, call, &effects, now)?;
    }
    Ok(Some(reply))
}

/// Issue 27: a yes that wins a live call's search (not a call back) tells the held caller
/// who is coming, on the conference they were reported to wait in. Without that report
/// (it is still on its way) nothing is announced; the helper is put through all the same.
fn announce(tell: &Tell, after: &waves::Search, sid: &str, callback: bool) -> Option<Announce> {
    let Tell::Key { attempt, verdict: Some(waves::Yes::Wins { .. }), .. } = tell else { return None };
    if callback || after.winner != Some(*attempt) {
        return None;
    }
    let Some(conference_sid) = after.conference.clone() else {
        tracing::info!(call = %sid, "the held caller's conference is not reported yet: no announcement of who comes");
        return None;
    };
    Some(Announce { conference_sid, call_sid: sid.to_string(), attempt: *attempt, document: String::new() })
}

/// The announcement the provider asks for: the winner's first name and street, in the
/// caller's language (the call flow says it); nothing when `attempt` is not (or no longer)
/// the helper on the way. Nothing is stored.
fn announcement(t: &mut Tx<'_>, hood: &Neighbourhood, call: &StoredCall, attempt: u32) -> anyhow::Result<Vec<Action>> {
    let search = t.search(&call.call_sid)?;
    let winner = search
        .as_ref()
        .filter(|s| s.status == SearchStatus::Matched)
        .and_then(|s| s.winner_leg())
        .filter(|l| l.attempt == attempt && !l.ended)
        .map(|l| l.helper_id);
    let Some(helper) = winner.map(|id| crate::store::participants::find(t.conn, id)).transpose()?.flatten() else {
        return Ok(Vec::new());
    };
    let event = Event::Announce {
        helper_first_name: helper.details.first_name().to_string(),
        helper_street: Some(helper.details.street.clone()).filter(|s| !s.is_empty()),
    };
    Ok(run_step(t, hood, call, event, Report::default())?.reply)
}

/// Sized waves: the chance of a yes now of the helpers offered and of those in flight,
/// from what was learned (their daypart, weekday or weekend, a recent no).
fn chances(t: &Tx<'_>, hood: &Neighbourhood, search: &waves::Search, offered: &[Candidate]) -> anyhow::Result<Chances> {
    let plan = &hood.dialplan;
    let learned = crate::store::participants::learned(t.conn, &t.sb.store.registry, &plan.time_zone, t.now)?;
    let local_now = t.now.to_zoned(plan.time_zone.clone()).datetime();
    let in_flight = search.legs.iter().filter(|l| l.status.in_flight()).map(|l| l.helper_id);
    Ok(offered.iter().map(|c| c.id).chain(in_flight).map(|id| (id, learned.chance(id, local_now))).collect())
}

/// Who may be rung for `call`'s search now: as its step ranked them earlier in this
/// transaction (the menu key that put the caller on hold), or else ranked now.
fn helpers(t: &mut Tx<'_>, hood: &Neighbourhood, call: &StoredCall) -> anyhow::Result<Vec<NextHelper>> {
    if let Some(helpers) = t.take_ranked(&call.call_sid) {
        return Ok(helpers);
    }
    let category = call.state.category.clone().unwrap_or_default();
    let caller_participant = match call.caller_id {
        Some(id) => t.participant(id)?,
        None => None,
    };
    let wanted = Wanted { category: &category, limit: usize::MAX };
    ranked(t, hood, call, caller_participant.as_ref(), wanted)
}

/// The caller's own call changed (a step of the call flow ran): start the search when the
/// caller was just put on hold; stop it when they left (`report`: what the request that
/// brought it said).
pub fn after_caller_step(t: &mut Tx<'_>, before: &Phase, call: &StoredCall, report: Report) -> anyhow::Result<()> {
    let Some(hood) = t.sb.neighbourhoods.by_number(&call.dialplan_number) else { return Ok(()) };
    let hood = &hood;
    let holding = matches!(call.state.phase, Phase::Holding { .. });
    let mut call = call.clone();
    if holding && !matches!(before, Phase::Holding { .. }) {
        store::start(t.conn, &call.call_sid, t.now)?;
        t.search_started(&call.call_sid);
        run(t, hood, &mut call, SearchEvent::Start)?;
    } else if !holding {
        // The caller hung up, or left the hold: nobody rings for them any more.
        let event = SearchEvent::CallerLeft { conference_took_place: report.conference_took_place };
        run(t, hood, &mut call, event)?;
    }
    Ok(())
}

/// With each hold-music request: rings more helpers or gives up searches that waited too
/// long; moves on again a caller still on hold well after their search ended.
pub fn tick(t: &mut Tx<'_>, call: &StoredCall) -> anyhow::Result<()> {
    let Some(hood) = t.sb.neighbourhoods.by_number(&call.dialplan_number) else { return Ok(()) };
    run(t, &hood, &mut call.clone(), SearchEvent::Tick)?;
    Ok(())
}

/// A report from a helper's leg (or the resident's call), stepped and saved; returns the
/// call as saved and what the reporting leg hears.
pub fn apply_report(
    t: &mut Tx<'_>,
    hood: &Neighbourhood,
    mut call: StoredCall,
    report: WaveReport,
) -> anyhow::Result<(StoredCall, Vec<Action>)> {
    let event = match report {
        WaveReport::Answered { attempt } => SearchEvent::Answered { attempt },
        WaveReport::Key { attempt, key } => SearchEvent::Key { attempt, key },
        WaveReport::Ended { attempt, status } => SearchEvent::LegEnded { attempt, end: end(status) },
        WaveReport::Entered { participant, conference } if participant == call.call_sid => {
            SearchEvent::CallerEntered { conference }
        }
        WaveReport::Entered { participant, conference } => SearchEvent::Entered { participant, conference },
        WaveReport::ResidentAnswered => {
            let reply = resident_answered(t, hood, &mut call)?;
            return Ok((call, reply));
        }
        WaveReport::Announce { attempt } => {
            let reply = announcement(t, hood, &call, attempt)?;
            return Ok((call, reply));
        }
        WaveReport::Thanks { attempt } => {
            // Said, nothing stored: the leg was cancelled when the yes won.
            let reply = run_step(t, hood, &call, Event::WaveThanks { attempt }, Report::default())?.reply;
            return Ok((call, reply));
        }
        WaveReport::ResidentEnded { status } => {
            resident_ended(t, hood, &mut call, status)?;
            return Ok((call, Vec::new()));
        }
    };
    let reply = match run(t, hood, &mut call, event.clone())? {
        Some(reply) => reply,
        // A report for a call without a search: the call flow answers it alone.
        None => match event {
            SearchEvent::Answered { attempt } => {
                let e =
                    Event::Search(Tell::Answered { attempt, helper_first_name: String::new(), still_wanted: false });
                run_step(t, hood, &call, e, Report::default())?.reply
            }
            SearchEvent::Key { attempt, key } => {
                let verdict = (key.as_deref() == Some("1")).then_some(waves::Yes::CallerGone);
                let e = Event::Search(Tell::Key { attempt, helper_id: 0, key, verdict });
                run_step(t, hood, &call, e, Report::default())?.reply
            }
            _ => Vec::new(),
        },
    };
    Ok((call, reply))
}

/// Call back later: the resident picked up; the helper who said yes waits for them.
fn resident_answered(t: &mut Tx<'_>, hood: &Neighbourhood, call: &mut StoredCall) -> anyhow::Result<Vec<Action>> {
    let (tx, now) = (t.conn, t.now);
    let search = t.search(&call.call_sid)?;
    let request = t.request(&call.call_sid)?;
    t.search_touched(&call.call_sid);
    // The helper who said yes (also when their line has dropped since).
    let helper_id = search
        .as_ref()
        .and_then(|s| s.winner_leg())
        .map(|l| l.helper_id)
        .or(request.as_ref().and_then(|r| r.helper_id));
    let helper = match helper_id {
        Some(id) => crate::store::participants::find(tx, id)?,
        None => None,
    };
    let (helper_first_name, helper_street) = match &helper {
        Some(p) => (p.details.first_name().to_string(), Some(p.details.street.clone()).filter(|s| !s.is_empty())),
        None => (String::new(), None),
    };
    if let Some(request) = request.filter(|r| r.status == RequestStatus::Calling) {
        callbacks::finish(tx, request.id, callbacks::Finished::Connected)?;
        t.request_changed_to(&call.call_sid, |r| r.status = RequestStatus::Connected);
        // The desk need not call them back any more, for this call nor for earlier ones
        // for the same kind of help.
        if let Some(original) = &request.call_sid {
            callbacks::close_follow_up_of(tx, original, now)?;
        }
        let (resident, phone, category) =
            (request.participant_id, request.phone.as_deref(), Some(request.category.as_str()));
        calls::close_follow_ups_of_helped(tx, resident, phone, category, &call.call_sid, now)?;
    }
    let event = Event::ResidentAnswered { helper_first_name, helper_street };
    let step = run_step(t, hood, call, event, Report::default())?;
    save_step(t, call, &step)?;
    Ok(step.reply)
}

/// Call back later: the resident's call is over.
fn resident_ended(
    t: &mut Tx<'_>,
    hood: &Neighbourhood,
    call: &mut StoredCall,
    status: DialStatus,
) -> anyhow::Result<()> {
    let sb = t.sb;
    // The call-back search is finished (`Tx::finish`) whatever became of the resident.
    t.search_touched(&call.call_sid);
    // Not (or no longer) calling the resident for this search: nothing to do.
    let Some(request) =
        t.request(&call.call_sid)?.filter(|r| matches!(r.status, RequestStatus::Calling | RequestStatus::Connected))
    else {
        return Ok(());
    };
    let winner = t.search(&call.call_sid)?.and_then(|s| s.winner_leg().cloned());
    if status == DialStatus::Completed && request.status == RequestStatus::Connected {
        let step = run_step(t, hood, call, Event::HoldEnded, Report::default())?;
        return save_step(t, call, &step);
    }
    callbacks::finish(t.conn, request.id, callbacks::Finished::Unanswered)?;
    if request.status == RequestStatus::Calling {
        t.request_changed_to(&call.call_sid, |r| r.status = RequestStatus::Unanswered);
    }
    let attempt = winner.as_ref().map(|l| l.attempt).unwrap_or(0);
    let step = run_step(t, hood, call, Event::ResidentUnreachable { attempt }, Report::default())?;
    // Said to the helper who waits; the desk follows the resident up.
    if let Some(leg_sid) = winner.and_then(|l| l.leg_sid) {
        t.tell(ToProvider::Play(Play {
            leg_sid,
            twiml: render(sb, &hood.voices, &call.call_sid, call.seq, &step.reply),
        }));
    }
    tracing::info!(request = request.id, "the resident did not answer the call back; the desk follows up");
    save_step(t, call, &step)
}

fn save_step(t: &Tx<'_>, call: &mut StoredCall, step: &Step) -> anyhow::Result<()> {
    if !step.effects.is_empty() || step.state != call.state {
        call.state = step.state.clone();
        calls::save(t.conn, call, &step.effects, t.now)?;
    }
    Ok(())
}

/// Starts the search of a call put on hold (a call-back search's own call row): the first
/// wave rings.
pub fn start(t: &mut Tx<'_>, hood: &Neighbourhood, call: &mut StoredCall) -> anyhow::Result<()> {
    store::start(t.conn, &call.call_sid, t.now)?;
    t.search_started(&call.call_sid);
    run(t, hood, call, SearchEvent::Start)?;
    Ok(())
}

/// Ends the search of `call` without a conversation: the desk stopped its request, or the
/// sweep closes a search whose end never came. Returns whether it was still searching.
pub fn stop(t: &mut Tx<'_>, hood: &Neighbourhood, call: &mut StoredCall, event: SearchEvent) -> anyhow::Result<bool> {
    let searching = t.search(&call.call_sid)?.is_some_and(|s| s.status == SearchStatus::Searching);
    run(t, hood, call, event)?;
    Ok(searching)
}

/// Runs `f` on the stored call `call_sid` and its neighbourhood, inside the caller's
/// transaction (for what the provider answered after a commit: `dispatch`, the jobs).
/// Returns what to tell the provider next; nothing when the call is not (or no longer) here.
fn on_call(
    tx: &Connection,
    sb: &Switchboard,
    call_sid: &str,
    f: impl FnOnce(&mut Tx<'_>, &Neighbourhood, StoredCall) -> anyhow::Result<()>,
) -> anyhow::Result<Outbound> {
    let Some(call) = calls::load(tx, call_sid)? else { return Ok(Outbound::default()) };
    let Some(hood) = sb.neighbourhoods.by_number(&call.dialplan_number) else { return Ok(Outbound::default()) };
    let mut t = Tx::starting_now(tx, sb);
    f(&mut t, &hood, call)?;
    t.finish()
}

/// The search of `call_sid` ticked by the clock (`jobs::tick_held`), when its caller is
/// still on hold and nobody has said yes: as a hold-music request ticks it. Not after a
/// yes: hold music that asks for its requests stops once the winner enters, so its ticks
/// after a yes mean the winner never came; the clock's go on through the conversation
/// and mean nothing of the kind (a winner whose entry report was lost would be cut off).
/// A yes that never reaches the caller is found when the winner's line ends.
pub(super) fn tick_held_call(tx: &Connection, sb: &Switchboard, call_sid: &str) -> anyhow::Result<Outbound> {
    on_call(tx, sb, call_sid, |t, _, call| {
        let searching = t.search(call_sid)?.is_some_and(|s| s.status != SearchStatus::Matched);
        match call.state.phase {
            Phase::Holding { matched: false } if searching => tick(t, &call),
            _ => Ok(()),
        }
    })
}

/// The resident's call could not be placed: as if they did not answer.
pub(super) fn resident_failed(tx: &Connection, sb: &Switchboard, search_sid: &str) -> anyhow::Result<Outbound> {
    on_call(tx, sb, search_sid, |t, hood, call| {
        let report = WaveReport::ResidentEnded { status: DialStatus::Failed };
        apply_report(t, hood, call, report).map(drop)
    })
}

/// A helper's leg is over at the provider (known from our own request, not a callback):
/// recorded as its status callback would have been.
pub(super) fn leg_ended(
    tx: &Connection,
    sb: &Switchboard,
    call_sid: &str,
    attempt: u32,
    status: DialStatus,
) -> anyhow::Result<Outbound> {
    on_call(tx, sb, call_sid, |t, hood, call| {
        apply_report(t, hood, call, WaveReport::Ended { attempt, status }).map(drop)
    })
}

/// A created leg failed at the provider: it ends, and the search moves on.
pub(super) fn leg_failed(tx: &Connection, sb: &Switchboard, leg: &NewLeg) -> anyhow::Result<Outbound> {
    on_call(tx, sb, &leg.call_sid, |t, hood, mut call| {
        run(t, hood, &mut call, SearchEvent::LegNotPlaced { attempt: leg.attempt })?;
        Ok(())
    })
}

/// The provider's records show that the winner of `call_sid`'s search is (or was) in
/// `conference`, without the caller (`alone`) or with them: recorded as the lost report
/// would have been. Returns what to tell the provider (a winner alone, if still on the
/// line, is told the caller has gone).
pub fn records_show_entry(
    tx: &Connection,
    sb: &Switchboard,
    call_sid: &str,
    winner_leg_sid: &str,
    conference: String,
    alone: bool,
) -> anyhow::Result<Outbound> {
    on_call(tx, sb, call_sid, |t, hood, mut call| {
        let participant = winner_leg_sid.to_string();
        if alone {
            run(t, hood, &mut call, SearchEvent::EnteredAlone { participant, conference })?;
            tracing::info!(call = %call_sid, "the provider's records show the neighbour who said yes entered after the caller had left: the match is undone");
        } else {
            run(t, hood, &mut call, SearchEvent::Entered { participant, conference })?;
            tracing::info!(call = %call_sid, "the provider's records show the neighbour who said yes with the caller: the lost report of their entry, found");
        }
        Ok(())
    })
}

/// The held caller goes back on hold (their hold ended while the search ran or the winner
/// was on the way): a new conference, whose report is still to come.
pub fn held_again(t: &mut Tx<'_>, hood: &Neighbourhood, call: &StoredCall) -> anyhow::Result<()> {
    run(t, hood, &mut call.clone(), SearchEvent::CallerHeldAgain)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{stored_call, switchboard, TUESDAY_MORNING};
    use super::*;

    /// A caller put on hold: the first wave rings as many different helpers as make a yes
    /// likely (the example's learned waves; with nothing learned yet, three at even odds
    /// make 87.5 %), each stored as a leg before it is asked of the provider; a tick right
    /// after rings nobody more.
    #[test]
    fn starting_a_search_rings_the_first_wave_and_stores_its_legs() {
        let sb = switchboard(true, TUESDAY_MORNING);
        let hood = sb.neighbourhoods.by_number("+31850000000").unwrap();
        let (out, search, again) = sb
            .store
            .write(|conn| {
                let mut t = Tx::starting_now(conn, &sb);
                let mut call = stored_call(
                    conn,
                    "CA00000000000000000000000000000001",
                    "020-1234567",
                    "shopping",
                    Phase::Holding { matched: false },
                    t.now,
                );
                start(&mut t, &hood, &mut call)?;
                let search = store::load(conn, &call.call_sid)?.expect("a search");
                let mut again = Tx::starting_now(conn, &sb);
                tick(&mut again, &call)?;
                Ok((t.finish()?, search, again.finish()?))
            })
            .unwrap();
        let legs: Vec<&NewLeg> = out
            .commands()
            .iter()
            .map(|c| match c {
                ToProvider::Create(leg) => leg,
                other => panic!("only new legs, not {other:?}"),
            })
            .collect();
        assert_eq!(legs.len(), 3, "{out:?}");
        let phones: std::collections::HashSet<_> = legs.iter().map(|l| &l.to).collect();
        assert_eq!(phones.len(), 3, "three different helpers");
        assert!(legs.iter().all(|l| l.call_sid == "CA00000000000000000000000000000001"
            && l.from.as_str() == "+31850000000"
            && l.timeout_seconds == 20));
        assert_eq!(search.status, SearchStatus::Searching);
        assert_eq!(search.legs.len(), 3, "each leg stored before it is created");
        assert!(again.is_empty(), "the first wave still rings: {again:?}");
    }

    /// Issue 27: only a yes that wins a live call's search announces its helper, and only
    /// on the conference the caller was reported to wait in.
    #[test]
    fn only_a_winning_yes_on_a_reported_conference_is_announced() {
        let now: jiff::Timestamp = TUESDAY_MORNING.parse().unwrap();
        let mut search = waves::Search::new(now);
        search.winner = Some(2);
        search.conference = Some("CF00000000000000000000000000000009".into());
        let key = |attempt, verdict| Tell::Key { attempt, helper_id: 7, key: Some("1".into()), verdict };
        let wins = Some(waves::Yes::Wins { cancel: vec![], thank: vec![] });
        let announced = announce(&key(2, wins.clone()), &search, "CA1", false);
        assert_eq!(
            announced,
            Some(Announce {
                conference_sid: "CF00000000000000000000000000000009".into(),
                call_sid: "CA1".into(),
                attempt: 2,
                document: String::new(),
            })
        );
        assert_eq!(announce(&key(2, wins.clone()), &search, "CA1", true), None, "a call back says it itself");
        assert_eq!(announce(&key(3, wins.clone()), &search, "CA1", false), None, "not the winner");
        assert_eq!(announce(&key(2, Some(waves::Yes::AlreadyWon)), &search, "CA1", false), None, "said once");
        assert_eq!(announce(&key(2, None), &search, "CA1", false), None, "a no");
        search.conference = None;
        assert_eq!(announce(&key(2, wins), &search, "CA1", false), None, "no conference reported yet");
    }

    /// Issue 26 §3: a search is finished in one place (`Tx::finish`), whichever entry point
    /// moved it. A hold-music tick (one of the entry points that did not finish its search
    /// at fb45e21) that gives up a call-back search ends the search's own call row, as the
    /// last report of its legs does; before, the row stayed on hold until the sweep.
    #[test]
    fn a_tick_that_gives_up_a_call_back_search_ends_its_call_row() {
        let sb = switchboard(true, TUESDAY_MORNING);
        let hood = sb.neighbourhoods.by_number("+31850000000").unwrap();
        let jan = PhoneNumber::parse("020-1234567").unwrap();
        let now = crate::clock::Clock::now(&*sb.clock);
        let origin = super::super::callbacks::Origin::Desk;
        sb.store.write(|tx| super::super::callbacks::open(tx, &hood, &jan, "shopping", origin, now)).unwrap().unwrap();
        assert_eq!(super::super::callbacks::start_due(&sb).unwrap().0, 1);
        let search: String = sb
            .store
            .write(|tx| Ok(tx.query_row("SELECT search_sid FROM callback_requests", [], |r| r.get(0))?))
            .unwrap();
        sb.clock.advance(3600);
        let (status, phase) = sb
            .store
            .write(|tx| {
                let mut t = Tx::starting_now(tx, &sb);
                let call = calls::load(tx, &search)?.expect("the search's call row");
                assert_eq!(call.state.phase, Phase::Holding { matched: false });
                tick(&mut t, &call)?;
                t.finish()?;
                Ok((store::status(tx, &search)?, calls::load(tx, &search)?.unwrap().state.phase))
            })
            .unwrap();
        assert_eq!(status, Some(SearchStatus::Over), "the search waited too long");
        assert!(matches!(phase, Phase::Ended { outcome: Outcome::Unmatched, .. }), "{phase:?}");
    }
}
