//! Call back later: searching again for residents who asked to be called back, and the
//! desk stopping such a request.

use std::sync::Arc;

use rusqlite::Connection;

use super::commands::Outbound;
use super::dispatch::dispatch;
use super::tx::Tx;
use super::waves;
use super::Switchboard;
use crate::config::Neighbourhood;
use crate::domain::call::Phase;
use crate::domain::callback::RequestStatus;
use crate::domain::phone::PhoneNumber;
use crate::domain::waves::{callback_window, SearchEvent};
use crate::store::callbacks;
use crate::store::calls::{self, StoredCall};

/// Call back later: starts a search for every open request that is due, inside ringing
/// hours. Runs every minute from the web service (and from tests, after moving the clock).
pub async fn start_due_callbacks(state: Arc<Switchboard>) -> anyhow::Result<usize> {
    let st = state.clone();
    let (started, out) = state.worker.run(move |_| start_due(&st)).await??;
    dispatch(state, out);
    Ok(started)
}

pub(super) fn start_due(state: &Switchboard) -> anyhow::Result<(usize, Outbound)> {
    let now = state.clock.now();
    state.store.write(|tx| {
        let mut t = Tx::new(tx, state, now);
        callbacks::expire(tx, now)?;
        let mut started = 0;
        for request in callbacks::due(tx, now)? {
            let Some(hood) = state.neighbourhoods.by_number(&request.dialplan_number) else { continue };
            let plan = &hood.dialplan;
            if plan.ringing.mode != crate::domain::dialplan::RingMode::Waves {
                continue;
            }
            let local = now.to_zoned(plan.time_zone.clone()).datetime();
            if !callback_window(&plan.ringing.hours, local) {
                continue;
            }
            let sid = callbacks::search_sid(request.id, request.tries, now);
            let mut state_now = crate::domain::call::CallState::new(now);
            state_now.category = Some(request.category.clone());
            state_now.search_started_at = Some(now);
            state_now.phase = Phase::Holding { matched: false };
            let mut call = StoredCall {
                call_sid: sid.clone(),
                dialplan_number: request.dialplan_number.clone(),
                neighbourhood: Some(hood.key.clone()),
                from: request.phone.as_deref().and_then(|p| PhoneNumber::from_stored(p).ok()),
                caller_id: request.participant_id,
                kind: crate::domain::call::CallKind::CallbackSearch,
                state: state_now,
                seq: 1,
            };
            calls::insert(tx, &call, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>")?;
            calls::save(tx, &call, &[], now)?;
            callbacks::start_search(tx, request.id, &sid)?;
            waves::start(&mut t, &hood, &mut call)?;
            tracing::info!(request = request.id, search = %sid, "searching again for a resident who asked to be called back");
            started += 1;
        }
        Ok((started, t.finish()?))
    })
}

/// What became of the desk's "stop searching".
#[derive(Debug, PartialEq, Eq)]
pub enum StopOutcome {
    Stopped,
    /// The resident is being called right now (or the request is over already).
    TooLate,
    NotFound,
}

/// The desk stops a call-back request for the call of follow-up `follow_up_id`.
pub fn stop_callback(
    tx: &Connection,
    sb: &Switchboard,
    follow_up_id: i64,
    now: jiff::Timestamp,
) -> anyhow::Result<(StopOutcome, Option<callbacks::Request>, Outbound)> {
    let Some((_, call_sid, ..)) = callbacks::follow_up_call(tx, follow_up_id)? else {
        return Ok((StopOutcome::NotFound, None, Outbound::default()));
    };
    match callbacks::latest_for_call(tx, &call_sid)? {
        Some(request) => stop_request(tx, sb, request, now),
        None => Ok((StopOutcome::NotFound, None, Outbound::default())),
    }
}

/// The desk stops a call-back request: a search under way ends and its phones still
/// ringing stop.
pub fn stop_request(
    tx: &Connection,
    sb: &Switchboard,
    request: callbacks::Request,
    now: jiff::Timestamp,
) -> anyhow::Result<(StopOutcome, Option<callbacks::Request>, Outbound)> {
    let mut t = Tx::new(tx, sb, now);
    if !callbacks::stop(tx, request.id)? {
        return Ok((StopOutcome::TooLate, Some(request), t.finish()?));
    }
    if let Some(search) = request.search_sid.as_deref().filter(|_| request.status == RequestStatus::Searching) {
        let call = calls::load(tx, search)?;
        let hood = sb.neighbourhoods.by_number(&request.dialplan_number);
        if let (Some(mut call), Some(hood)) = (call, hood) {
            if waves::stop(&mut t, &hood, &mut call, SearchEvent::DeskStopped)? {
                callbacks::end_search_call(tx, search, now)?;
            }
        }
    }
    Ok((StopOutcome::Stopped, Some(request), t.finish()?))
}

/// Call back later: a search whose end never came (a status callback lost while the
/// service was down) is closed by the sweep like any call, but as a search: the request is
/// tried again later and the desk gets no follow-up for the search itself. Returns whether
/// `call` was such a search.
pub fn close_stale_search(t: &mut Tx<'_>, hood: &Neighbourhood, call: &StoredCall) -> anyhow::Result<bool> {
    let Some(request) = t.request(&call.call_sid)? else { return Ok(false) };
    waves::stop(t, hood, &mut call.clone(), SearchEvent::Lost)?;
    callbacks::end_search_call(t.conn, &call.call_sid, t.now)?;
    tracing::info!(request = request.id, search = %call.call_sid, "closed a call-back search whose end was never reported; the request is tried again");
    Ok(true)
}

/// Where a call-back request comes from.
#[derive(Clone, Copy, Debug)]
pub enum Origin<'a> {
    /// The resident pressed 1 in their call ("call me back when a neighbour can"); the
    /// first search is after the dialplan's spacing.
    Call { call_sid: &'a str, caller: Option<i64>, first_try_at: jiff::Timestamp },
    /// The desk starts the same search for a call it follows up; the first search is now.
    FollowUp { call_sid: &'a str, caller: Option<i64> },
    /// The desk took the request itself (no call came in), for the participant with that
    /// phone if there is one; the first search is now.
    Desk,
}

/// Why a call-back request was not opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refused {
    /// Calling back later needs a neighbourhood that rings in waves.
    NotInWaves,
    /// The kind of help is not one of the dialplan's; these are.
    UnknownCategory { known: Vec<String> },
    /// A request for this call is still in progress.
    InProgress,
}

/// An opened request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Opened {
    pub id: i64,
    pub participant: Option<i64>,
    pub open_until: jiff::Timestamp,
}

/// The one way a call-back request is opened (by the call flow, by the desk, by the CLI):
/// checked against the neighbourhood's dialplan, open for its `callback_hours`.
pub fn open(
    tx: &Connection,
    hood: &Neighbourhood,
    phone: &PhoneNumber,
    category: &str,
    origin: Origin<'_>,
    now: jiff::Timestamp,
) -> anyhow::Result<Result<Opened, Refused>> {
    let plan = &hood.dialplan;
    if plan.ringing.mode != crate::domain::dialplan::RingMode::Waves {
        return Ok(Err(Refused::NotInWaves));
    }
    if !plan.has_category(category) {
        return Ok(Err(Refused::UnknownCategory { known: plan.categories.iter().map(|c| c.key.clone()).collect() }));
    }
    let open_until = now + jiff::SignedDuration::from_hours(i64::from(plan.ringing.callback_hours));
    let number = plan.number.as_str();
    let (call_sid, participant, first_try_at) = match origin {
        Origin::Call { call_sid, caller, first_try_at } => (Some(call_sid), caller, first_try_at),
        Origin::FollowUp { call_sid, caller } => {
            if callbacks::in_progress_for_call(tx, call_sid)? {
                return Ok(Err(Refused::InProgress));
            }
            (Some(call_sid), caller, now)
        }
        Origin::Desk => (None, crate::store::participants::find_by_phone(tx, phone)?.map(|p| p.id), now),
    };
    let id = callbacks::open(tx, number, call_sid, participant, phone, category, now, open_until, first_try_at)?;
    tracing::info!(request = id, phone = %phone.masked(), "a call-back request was opened");
    Ok(Ok(Opened { id, participant, open_until }))
}

#[cfg(test)]
mod tests {
    use super::super::commands::Command;
    use super::super::test_support::{switchboard, TUESDAY_MORNING};
    use super::*;
    use crate::clock::Clock;
    use crate::domain::waves::SearchStatus;

    /// A request the desk took is searched for at once: its own call row, the first wave;
    /// the desk stopping it ends that search. A dial-mode neighbourhood refuses it.
    #[test]
    fn a_request_is_searched_for_when_due_and_the_desk_can_stop_it() {
        let sb = switchboard(true, TUESDAY_MORNING);
        let hood = sb.neighbourhoods.by_number("+31850000000").unwrap();
        let jan = PhoneNumber::parse("020-1234567").unwrap();
        let now = sb.clock.now();
        let opened = sb.store.write(|tx| open(tx, &hood, &jan, "shopping", Origin::Desk, now)).unwrap().unwrap();
        let refused = sb.store.write(|tx| open(tx, &hood, &jan, "gardening", Origin::Desk, now)).unwrap();
        assert!(matches!(refused, Err(Refused::UnknownCategory { .. })), "{refused:?}");

        let (started, out) = start_due(&sb).unwrap();
        assert_eq!(started, 1);
        let creates = out.commands().iter().filter(|c| matches!(c, Command::Create(_))).count();
        // The example's learned waves, nothing learned yet: three at even odds (issue 31).
        assert_eq!((creates, out.commands().len()), (3, 3), "{out:?}");
        let (again, out) = start_due(&sb).unwrap();
        assert_eq!((again, out.is_empty()), (0, true), "searching already");

        let request = sb.store.write(|tx| callbacks::find(tx, opened.id)).unwrap().unwrap();
        assert_eq!(request.status, RequestStatus::Searching);
        let search = request.search_sid.clone().unwrap();
        let (outcome, _, out) = sb.store.write(|tx| stop_request(tx, &sb, request, sb.clock.now())).unwrap();
        assert_eq!(outcome, StopOutcome::Stopped);
        assert!(out.is_empty(), "legs without a CallSid yet are stopped when their creation answers: {out:?}");
        let status = sb.store.write(|tx| crate::store::waves::status(tx, &search)).unwrap();
        assert_eq!(status, Some(SearchStatus::Over));

        let dial = switchboard(false, TUESDAY_MORNING);
        let hood = dial.neighbourhoods.by_number("+31850000000").unwrap();
        let refused = dial.store.write(|tx| open(tx, &hood, &jan, "shopping", Origin::Desk, now)).unwrap();
        assert_eq!(refused.unwrap_err(), Refused::NotInWaves);
    }
}
