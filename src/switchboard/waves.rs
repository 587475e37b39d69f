//! Ringing in waves, the transaction scripts: the caller waits on hold while this service
//! rings helpers itself through the provider's REST API.
//!
//! Inside a webhook's transaction, `domain::waves` decides (ring more, give up, who wins)
//! and `store::waves` records it; what must be said to the provider (create a leg, cancel
//! one, move the caller on) is collected in an [`Outbound`] and sent by `dispatch` only
//! after the transaction has committed.

use rusqlite::Connection;

use super::commands::{NewLeg, Outbound, Stop};
use super::step::{ranked, render, run_step, Wanted};
use super::Switchboard;
use crate::config::Neighbourhood;
use crate::domain::call::{DialStatus, Event, Outcome, Phase, Step};
use crate::domain::callback::RequestStatus;
use crate::domain::phone::PhoneNumber;
use crate::domain::waves::{self, Decision, LegStatus, Limits, Yes};
use crate::provider::twilio::WaveReport;
use crate::store::callbacks;
use crate::store::calls::{self, StoredCall};
use crate::store::waves as store;

fn limits(hood: &Neighbourhood) -> Limits {
    let r = &hood.dialplan.ringing;
    Limits::new(r.wave_size, r.max_helpers, r.max_wait_seconds, r.ring_timeout_seconds)
}

/// Marks legs cancelled and queues their cancellation at the provider.
pub(super) fn cancel_legs(
    tx: &Connection,
    call_sid: &str,
    attempts: &[u32],
    now: jiff::Timestamp,
    out: &mut Outbound,
) -> anyhow::Result<()> {
    let legs = store::legs(tx, call_sid)?;
    for attempt in attempts {
        let Some(leg) = legs.iter().find(|l| l.attempt == *attempt) else { continue };
        if store::set_leg_status(tx, call_sid, *attempt, LegStatus::Canceled, now)? {
            // A leg without a CallSid yet is cancelled when its creation answers.
            if let Some(sid) = &leg.leg_sid {
                out.cancel.push(Stop {
                    leg_sid: sid.clone(),
                    answered: leg.status == LegStatus::Answered,
                    helper_leg: Some((call_sid.to_string(), *attempt)),
                });
            }
        }
    }
    Ok(())
}

/// After any change to a search: ring more helpers, wait, or give up.
pub fn advance(
    tx: &Connection,
    state: &Switchboard,
    hood: &Neighbourhood,
    call: &StoredCall,
    now: jiff::Timestamp,
    out: &mut Outbound,
) -> anyhow::Result<()> {
    let Some(search) = store::load(tx, &call.call_sid)? else { return Ok(()) };
    let category = call.state.category.clone().unwrap_or_default();
    let caller = match call.caller_id {
        Some(id) => crate::store::participants::find(tx, id)?,
        None => None,
    };
    let wanted = Wanted { category: &category, now, limit: usize::MAX };
    let helpers = ranked(tx, &state.store.registry, hood, call, caller.as_ref(), wanted)?;
    match waves::next(search.status, &search.legs, limits(hood), search.started_at, now, helpers.len()) {
        Decision::Ring(n) => {
            let mut attempt =
                store::legs(tx, &call.call_sid)?.iter().map(|l| l.attempt).max().unwrap_or(0).max(call.state.attempts);
            for helper in helpers.into_iter().take(n as usize) {
                attempt += 1;
                store::add_leg(tx, &call.call_sid, attempt, helper.id, &helper.phone, &helper.first_name, now)?;
                out.create.push(NewLeg {
                    call_sid: call.call_sid.clone(),
                    attempt,
                    to: helper.phone,
                    from: hood.dialplan.number.clone(),
                    timeout_seconds: hood.dialplan.ringing.ring_timeout_seconds,
                });
            }
            let mut stored = call.clone();
            stored.state.attempts = attempt;
            calls::save(tx, &stored, &[], now)?;
        }
        Decision::GiveUp { cancel } => {
            store::give_up(tx, &call.call_sid, now)?;
            cancel_legs(tx, &call.call_sid, &cancel, now, out)?;
            if let Some(request) = callbacks::by_search(tx, &call.call_sid)? {
                // Call back later: nobody this time; try again later, inside ringing hours.
                let next = waves::next_callback_try(now, hood.dialplan.ringing.callback_spacing_minutes);
                callbacks::search_failed(tx, request.id, next)?;
                tracing::info!(request = request.id, "nobody could help the resident this time; trying again later");
            } else if call.state.phase == (Phase::Holding { matched: false }) {
                out.move_caller = Some((call.call_sid.clone(), call.seq));
            }
            tracing::info!(call = %call.call_sid, "no neighbour said yes within the limits: moving the caller on");
        }
        Decision::Wait | Decision::Done => {}
    }
    Ok(())
}

/// The caller's own call changed (a step of the call flow ran): start the search when the
/// caller was just put on hold; stop it when they left.
pub fn after_caller_step(
    tx: &Connection,
    state: &Switchboard,
    hood: &Neighbourhood,
    before: &Phase,
    call: &StoredCall,
    now: jiff::Timestamp,
    out: &mut Outbound,
) -> anyhow::Result<()> {
    let holding = matches!(call.state.phase, Phase::Holding { .. });
    if holding && !matches!(before, Phase::Holding { .. }) {
        store::start(tx, &call.call_sid, now)?;
        return advance(tx, state, hood, call, now, out);
    }
    if !holding {
        if let Some(search) = store::load(tx, &call.call_sid)? {
            // The caller hung up, or left the hold: nobody rings for them any more.
            store::give_up(tx, &call.call_sid, now)?;
            let winner_leg = match search.winner_attempt {
                Some(w) => store::legs(tx, &call.call_sid)?.into_iter().find(|l| l.attempt == w),
                None => None,
            };
            if search.status != waves::SearchStatus::Matched {
                cancel_legs(tx, &call.call_sid, &waves::caller_gone(&search.legs), now, out)?;
            } else if let Some(winner) = winner_leg.filter(|l| l.ended && l.conference_sid.is_none()) {
                // The helper who said yes is gone already without ever entering: the two
                // never talked (their leg's end was reported before the caller's).
                if callbacks::by_search(tx, &call.call_sid)?.is_none() {
                    let event = Event::WinnerDropped { attempt: winner.attempt };
                    let step = run_step(tx, &state.store.registry, hood, call, event, now, false)?;
                    let mut stored = call.clone();
                    stored.state = step.state;
                    calls::save(tx, &stored, &step.effects, now)?;
                }
            } else if let (Some(caller_conference), Some(winner)) =
                (search.conference_sid.as_deref(), search.winner_attempt)
            {
                // The winner's entry was reported before the caller's end: they may have
                // entered a conference of their own after the caller's had ended.
                let legs = store::legs(tx, &call.call_sid)?;
                if let Some(leg) = legs.iter().find(|l| l.attempt == winner) {
                    if let (Some(entered), Some(leg_sid)) = (leg.conference_sid.as_deref(), leg.leg_sid.as_deref()) {
                        if waves::entered_alone(Some(caller_conference), entered, true)
                            && callbacks::by_search(tx, &call.call_sid)?.is_none()
                        {
                            let step = tell_winner_alone(tx, state, hood, call, winner, leg_sid, now, out)?;
                            let mut stored = call.clone();
                            stored.state = step.state;
                            calls::save(tx, &stored, &step.effects, now)?;
                        }
                    }
                }
            }
        }
    }
    Ok(())
}

/// The helper who said yes is alone in a conference (the caller hung up just before the
/// join): the step that tells them so, on their line, through the REST API.
#[allow(clippy::too_many_arguments)]
fn tell_winner_alone(
    tx: &Connection,
    state: &Switchboard,
    hood: &Neighbourhood,
    call: &StoredCall,
    attempt: u32,
    leg_sid: &str,
    now: jiff::Timestamp,
    out: &mut Outbound,
) -> anyhow::Result<Step> {
    let step = run_step(tx, &state.store.registry, hood, call, Event::WinnerAlone { attempt }, now, false)?;
    tracing::info!(call = %call.call_sid, attempt, "the caller hung up just before the neighbour who said yes was joined: telling them");
    out.play = Some((leg_sid.to_string(), render(state, &hood.dialplan.voice, &call.call_sid, call.seq, &step.reply)));
    Ok(Step { reply: Vec::new(), ..step })
}

/// Call back later: the helper who said yes is gone before the two could talk. The request
/// stays open and is tried again later; this search ends (without a follow-up).
fn reopen_callback(
    tx: &Connection,
    hood: &Neighbourhood,
    search_sid: &str,
    request_id: i64,
    winner: u32,
    now: jiff::Timestamp,
) -> anyhow::Result<()> {
    store::unwin(tx, search_sid, winner)?;
    store::give_up(tx, search_sid, now)?;
    callbacks::search_failed(
        tx,
        request_id,
        waves::next_callback_try(now, hood.dialplan.ringing.callback_spacing_minutes),
    )
}

/// A report from a helper's leg, inside the webhook's transaction. Returns the document
/// for the helper's leg.
pub fn report(
    tx: &Connection,
    state: &Switchboard,
    hood: &Neighbourhood,
    mut call: StoredCall,
    report: WaveReport,
    now: jiff::Timestamp,
    out: &mut Outbound,
) -> anyhow::Result<(StoredCall, Step)> {
    let sid = call.call_sid.clone();
    let legs = store::legs(tx, &sid)?;
    let step = match report {
        WaveReport::Answered { attempt } => {
            let leg = legs.iter().find(|l| l.attempt == attempt);
            let still_wanted = leg.is_some_and(|l| l.status.in_flight());
            if still_wanted {
                store::set_leg_status(tx, &sid, attempt, LegStatus::Answered, now)?;
            }
            let first_name = leg.map(|l| l.helper_first_name.clone()).unwrap_or_default();
            run_step(
                tx,
                &state.store.registry,
                hood,
                &call,
                Event::WaveAnswered { attempt, helper_first_name: first_name, still_wanted },
                now,
                false,
            )?
        }
        WaveReport::Key { attempt, key } => {
            let helper_id = legs.iter().find(|l| l.attempt == attempt).and_then(|l| l.helper_id).unwrap_or(0);
            if key.as_deref() == Some("1") && store::yes_after_the_end(tx, &sid, attempt)? {
                tracing::info!(call = %sid, attempt, "a yes arrived after its line had ended: it never reached the caller");
            }
            store::record_key(tx, &sid, attempt, key.as_deref().unwrap_or(""), now)?;
            let verdict = if key.as_deref() == Some("1") {
                let search = store::load(tx, &sid)?;
                let verdict = match &search {
                    Some(s) => waves::yes(s.status, &s.legs, attempt, matches!(call.state.phase, Phase::Ended { .. })),
                    None => Yes::CallerGone,
                };
                let verdict = match verdict {
                    Yes::Wins { cancel } if store::win(tx, &sid, attempt, now)? => {
                        cancel_legs(tx, &sid, &cancel, now, out)?;
                        // Should the caller hang up in the moment between this commit and the
                        // helper entering the conference, the conference's report of that entry
                        // tells (`WaveReport::Entered`), and the helper is told.
                        tracing::info!(call = %sid, attempt, "a neighbour said yes first: joining them to the caller");
                        if let Some(request) = callbacks::by_search(tx, &sid)? {
                            callbacks::calling(tx, request.id, helper_id)?;
                            if let Some(to) = request.phone.as_deref().and_then(|p| PhoneNumber::from_stored(p).ok()) {
                                out.call_resident = Some(NewLeg {
                                    call_sid: sid.clone(),
                                    attempt,
                                    to,
                                    from: hood.dialplan.number.clone(),
                                    timeout_seconds: hood.dialplan.ringing.ring_timeout_seconds.max(25),
                                });
                            }
                        }
                        Yes::Wins { cancel }
                    }
                    Yes::Wins { .. } => Yes::AlreadyFound,
                    other => {
                        store::set_leg_status(tx, &sid, attempt, LegStatus::Late, now)?;
                        other
                    }
                };
                Some(verdict)
            } else {
                store::set_leg_status(tx, &sid, attempt, LegStatus::Declined, now)?;
                None
            };
            let step = run_step(
                tx,
                &state.store.registry,
                hood,
                &call,
                Event::WaveKey { attempt, helper_id, key, verdict },
                now,
                false,
            )?;
            if step.state.phase == (Phase::Holding { matched: false }) {
                // A no: the next helper rings at once.
                let mut next = call.clone();
                next.state = step.state.clone();
                advance(tx, state, hood, &next, now, out)?;
                call = calls::load(tx, &sid)?.unwrap_or(next);
            }
            step
        }
        WaveReport::Entered { participant, conference } => {
            let quiet = Step { state: call.state.clone(), reply: Vec::new(), effects: Vec::new() };
            if participant == sid {
                store::caller_entered(tx, &sid, &conference)?;
                return Ok((call, quiet));
            }
            let Some(search) = store::load(tx, &sid)? else { return Ok((call, quiet)) };
            let request = callbacks::by_search(tx, &sid)?;
            let Some(attempt) = store::leg_entered(tx, &sid, &participant, &conference)? else {
                // Call back later: the resident entering the helper's conference.
                let Some(request) = request.filter(|r| r.status == RequestStatus::Connected) else {
                    return Ok((call, quiet));
                };
                if callbacks::resident_leg(tx, request.id)?.as_deref() != Some(participant.as_str()) {
                    return Ok((call, quiet));
                }
                let Some(winner) = search.winner_attempt.and_then(|w| legs.iter().find(|l| l.attempt == w)) else {
                    return Ok((call, quiet));
                };
                if !waves::entered_alone(winner.conference_sid.as_deref(), &conference, winner.ended) {
                    return Ok((call, quiet));
                }
                tracing::info!(
                    request = request.id,
                    "the helper's line dropped just before the resident was joined: the request stays open"
                );
                reopen_callback(tx, hood, &sid, request.id, winner.attempt, now)?;
                let event = Event::ResidentAlone {
                    attempt: winner.attempt,
                    helper_first_name: winner.helper_first_name.clone(),
                };
                let step = run_step(tx, &state.store.registry, hood, &call, event, now, false)?;
                out.play = Some((participant, render(state, &hood.dialplan.voice, &sid, call.seq, &step.reply)));
                return Ok((call, Step { reply: Vec::new(), ..step }));
            };
            let joined_to_caller = matches!(
                call.state.phase,
                Phase::Holding { matched: true } | Phase::Ended { outcome: Outcome::Matched, .. }
            );
            let caller_ended = matches!(call.state.phase, Phase::Ended { .. });
            if search.winner_attempt == Some(attempt)
                && joined_to_caller
                && request.is_none()
                && waves::entered_alone(search.conference_sid.as_deref(), &conference, caller_ended)
            {
                let step = tell_winner_alone(tx, state, hood, &call, attempt, &participant, now, out)?;
                return Ok((call, step));
            }
            quiet
        }
        WaveReport::Ended { attempt, status } => {
            let leg = legs.iter().find(|l| l.attempt == attempt);
            if let Some(leg) = leg.filter(|l| l.status.in_flight()) {
                let ended = match status {
                    // Hung up while hearing the request, without a key: a no.
                    DialStatus::Completed | DialStatus::Answered if leg.status == LegStatus::Answered => {
                        LegStatus::Declined
                    }
                    DialStatus::Completed | DialStatus::Answered => LegStatus::NoAnswer,
                    DialStatus::NoAnswer => LegStatus::NoAnswer,
                    DialStatus::Busy => LegStatus::Busy,
                    DialStatus::Failed => LegStatus::Failed,
                    DialStatus::Canceled => LegStatus::Canceled,
                };
                store::set_leg_status(tx, &sid, attempt, ended, now)?;
            }
            store::end_leg(tx, &sid, attempt, now)?;
            let caller_left_matched = matches!(call.state.phase, Phase::Ended { outcome: Outcome::Matched, .. });
            let search = store::load(tx, &sid)?.filter(|s| {
                s.winner_attempt == Some(attempt)
                    && (call.state.phase == (Phase::Holding { matched: true }) || caller_left_matched)
            });
            if let Some(search) = search {
                let entered = leg.is_some_and(|l| l.conference_sid.is_some());
                let dropped = match callbacks::by_search(tx, &sid)? {
                    // The caller ended too, and this helper never entered: they never talked.
                    None if caller_left_matched => !entered,
                    // Their yes never reached the caller, who still hears the hold's kind
                    // words: the search goes on.
                    None => waves::winner_dropped(entered, search.won_at, now) && store::unwin(tx, &sid, attempt)?,
                    // Call back later: they left while we were calling the resident, whose
                    // phone stops ringing; the request stays open.
                    Some(request) if request.status == RequestStatus::Calling => {
                        reopen_callback(tx, hood, &sid, request.id, attempt, now)?;
                        if let Some(resident) = callbacks::resident_leg(tx, request.id)? {
                            out.cancel.push(Stop { leg_sid: resident, answered: false, helper_leg: None });
                        }
                        true
                    }
                    Some(_) => false,
                };
                if dropped {
                    tracing::info!(call = %sid, attempt, "the line of the neighbour who said yes dropped before the join");
                    let step =
                        run_step(tx, &state.store.registry, hood, &call, Event::WinnerDropped { attempt }, now, false)?;
                    call.state = step.state;
                    calls::save(tx, &call, &step.effects, now)?;
                }
            }
            advance(tx, state, hood, &call, now, out)?;
            call = calls::load(tx, &sid)?.unwrap_or(call);
            Step { state: call.state.clone(), reply: Vec::new(), effects: Vec::new() }
        }
        WaveReport::ResidentAnswered => {
            let winner = store::load(tx, &sid)?.and_then(|s| s.winner_attempt);
            let request = callbacks::by_search(tx, &sid)?;
            // The helper who said yes (also when their line has dropped since).
            let helper_id = winner
                .and_then(|a| legs.iter().find(|l| l.attempt == a))
                .and_then(|l| l.helper_id)
                .or(request.as_ref().and_then(|r| r.helper_id));
            let helper = match helper_id {
                Some(id) => crate::store::participants::find(tx, id)?,
                None => None,
            };
            let (first_name, street) = match &helper {
                Some(p) => {
                    (p.details.first_name().to_string(), Some(p.details.street.clone()).filter(|s| !s.is_empty()))
                }
                None => (String::new(), None),
            };
            if let Some(request) = request.filter(|r| r.status == RequestStatus::Calling) {
                callbacks::finish(tx, request.id, callbacks::Finished::Connected)?;
                // The desk need not call them back any more.
                if let Some(original) = &request.call_sid {
                    callbacks::close_follow_up_of(tx, original, now)?;
                }
            }
            run_step(
                tx,
                &state.store.registry,
                hood,
                &call,
                Event::ResidentAnswered { helper_first_name: first_name, helper_street: street },
                now,
                false,
            )?
        }
        WaveReport::ResidentEnded { status } => {
            // Not (or no longer) calling the resident for this search: nothing to do.
            let Some(request) = callbacks::by_search(tx, &sid)?
                .filter(|r| matches!(r.status, RequestStatus::Calling | RequestStatus::Connected))
            else {
                return Ok((call.clone(), Step { state: call.state, reply: Vec::new(), effects: Vec::new() }));
            };
            let winner = store::load(tx, &sid)?.and_then(|s| s.winner_attempt).unwrap_or(0);
            let answered = request.status == RequestStatus::Connected;
            if status == DialStatus::Completed && answered {
                let step = run_step(tx, &state.store.registry, hood, &call, Event::HoldEnded, now, false)?;
                Step { reply: Vec::new(), ..step }
            } else {
                callbacks::finish(tx, request.id, callbacks::Finished::Unanswered)?;
                let step = run_step(
                    tx,
                    &state.store.registry,
                    hood,
                    &call,
                    Event::ResidentUnreachable { attempt: winner },
                    now,
                    false,
                )?;
                // Said to the helper who waits; the desk follows the resident up.
                if let Some(leg_sid) = legs.iter().find(|l| l.attempt == winner).and_then(|l| l.leg_sid.clone()) {
                    out.play = Some((leg_sid, render(state, &hood.dialplan.voice, &sid, call.seq, &step.reply)));
                }
                tracing::info!(request = request.id, "the resident did not answer the call back; the desk follows up");
                Step { reply: Vec::new(), ..step }
            }
        }
    };
    Ok((call, step))
}

/// Call back later: a search that found nobody ends its own call row (without a follow-up:
/// the request stays open, or expires and is listed). Run after the call's state is saved.
pub fn finish_search_call(tx: &Connection, search_sid: &str, now: jiff::Timestamp) -> anyhow::Result<()> {
    if store::status(tx, search_sid)? == Some(waves::SearchStatus::Over)
        && callbacks::by_search(tx, search_sid)?.is_some()
    {
        if let Some(call) = calls::load(tx, search_sid)? {
            if call.state.phase == (Phase::Holding { matched: false }) {
                callbacks::end_search_call(tx, search_sid, now)?;
            }
        }
    }
    Ok(())
}

/// The resident's call could not be placed: as if they did not answer.
pub(super) fn resident_failed(state: &Switchboard, search_sid: &str) -> anyhow::Result<Outbound> {
    let now = state.clock.now();
    state.store.write(|tx| {
        let mut out = Outbound::default();
        let Some(call) = calls::load(tx, search_sid)? else { return Ok(out) };
        let Some(hood) = state.neighbourhoods.by_number(&call.dialplan_number).cloned() else { return Ok(out) };
        let (mut stored, step) =
            report(tx, state, &hood, call, WaveReport::ResidentEnded { status: DialStatus::Failed }, now, &mut out)?;
        stored.state = step.state;
        calls::save(tx, &stored, &step.effects, now)?;
        Ok(out)
    })
}

/// A created leg failed at the provider: it ends, and the search moves on.
pub(super) fn leg_failed(state: &Switchboard, leg: &NewLeg) -> anyhow::Result<Outbound> {
    let now = state.clock.now();
    state.store.write(|tx| {
        let mut out = Outbound::default();
        store::set_leg_status(tx, &leg.call_sid, leg.attempt, LegStatus::Failed, now)?;
        store::end_leg(tx, &leg.call_sid, leg.attempt, now)?;
        if let Some(call) = calls::load(tx, &leg.call_sid)? {
            if let Some(hood) = state.neighbourhoods.by_number(&call.dialplan_number).cloned() {
                advance(tx, state, &hood, &call, now, &mut out)?;
                finish_search_call(tx, &leg.call_sid, now)?;
            }
        }
        Ok(out)
    })
}

/// A helper's leg is over at the provider (known from our own request, not a callback):
/// recorded as its status callback would have been.
pub(super) fn leg_ended(
    state: &Switchboard,
    call_sid: &str,
    attempt: u32,
    status: DialStatus,
) -> anyhow::Result<Outbound> {
    let now = state.clock.now();
    state.store.write(|tx| {
        let mut out = Outbound::default();
        let Some(call) = calls::load(tx, call_sid)? else { return Ok(out) };
        let Some(hood) = state.neighbourhoods.by_number(&call.dialplan_number).cloned() else { return Ok(out) };
        apply_report(tx, state, &hood, call, WaveReport::Ended { attempt, status }, now, &mut out)?;
        Ok(out)
    })
}

/// A report from a helper's leg (or the resident's call), stepped and saved; returns the
/// call as saved and what the reporting leg hears.
pub fn apply_report(
    tx: &Connection,
    state: &Switchboard,
    hood: &Neighbourhood,
    call: StoredCall,
    wave_report: WaveReport,
    now: jiff::Timestamp,
    out: &mut Outbound,
) -> anyhow::Result<(StoredCall, Vec<crate::domain::action::Action>)> {
    let (mut stored, step) = report(tx, state, hood, call, wave_report, now, out)?;
    // A report that changed nothing is not saved again (saving an ended call-back search
    // would give the desk a follow-up it should not have).
    let changed = !step.effects.is_empty() || step.state != stored.state;
    let attempts = stored.state.attempts.max(step.state.attempts);
    stored.state = step.state;
    stored.state.attempts = attempts;
    if changed {
        calls::save(tx, &stored, &step.effects, now)?;
    }
    finish_search_call(tx, &stored.call_sid, now)?;
    Ok((stored, step.reply))
}

/// With each hold-music request: rings more helpers or gives up searches that waited too
/// long. A caller still on hold well after their search ended was not moved on (the
/// service died between deciding it and telling the provider): they are moved on now.
pub fn tick(
    tx: &Connection,
    state: &Switchboard,
    call: &StoredCall,
    now: jiff::Timestamp,
    out: &mut Outbound,
) -> anyhow::Result<()> {
    let Some(hood) = state.neighbourhoods.by_number(&call.dialplan_number).cloned() else { return Ok(()) };
    if let Some(over) = store::over_at(tx, &call.call_sid)? {
        if waves::move_on_again(over, now)
            && call.state.phase == (Phase::Holding { matched: false })
            && callbacks::by_search(tx, &call.call_sid)?.is_none()
        {
            tracing::warn!(call = %call.call_sid, "a caller is still on hold after their search ended: moving them on again");
            out.move_caller = Some((call.call_sid.clone(), call.seq));
        }
        return Ok(());
    }
    advance(tx, state, &hood, call, now, out)
}
