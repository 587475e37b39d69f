//! Tells the provider what a committed transaction decided, on the async runtime: create
//! helper legs and the resident's call, stop phones, move the held caller on, speak on a
//! live leg. What the provider answers is recorded on the store's thread.

use std::sync::Arc;

use rusqlite::Connection;

pub use super::commands::Outbound;
use super::commands::{Announce, Command, ConfirmCall, MoveCaller, NewLeg, PlannedCall, Play, RoundCall, Stop};
use super::waves::{leg_ended, leg_failed, resident_failed};
use super::Switchboard;
use crate::domain::call::DialStatus;
use crate::domain::callback::RequestStatus;
use crate::domain::phone::PhoneNumber;
use crate::domain::waves::LegStatus;
use crate::provider::twilio;
use crate::provider::twilio::rest::{CallEvent, CreateCall, UpdateCall};
use crate::store::callbacks;
use crate::store::waves as store;

/// Tells the provider what a committed transaction decided. Runs on the async runtime;
/// database work goes to the store's thread.
pub fn dispatch(state: Arc<Switchboard>, out: Outbound) {
    if out.is_empty() {
        return;
    }
    let commands = out.into_commands();
    for command in &commands {
        if let Command::Changed(sid) = command {
            // The desk's Now page follows every change (no one listening is fine).
            let _ = state.changes.send(sid.clone());
        }
    }
    tokio::spawn(async move {
        let Some(rest) = state.rest.clone() else {
            tracing::error!("ringing in waves needs the REST API, but no credentials are configured");
            return;
        };
        // The held caller is told who comes first (their helper enters within seconds),
        // then phones are stopped, words played, and new calls placed: each kind in the
        // order it was decided.
        for command in &commands {
            if let Command::Announce(announce) = command {
                announce_helper(&state, &rest, announce).await;
            }
        }
        for command in &commands {
            if let Command::Stop(stop) = command {
                stop_phone(&state, &rest, stop).await;
            }
        }
        for command in &commands {
            if let Command::Play(Play { leg_sid, twiml }) = command {
                if let Err(e) = rest.update_call(leg_sid, &UpdateCall::Twiml(twiml.clone())).await {
                    tracing::warn!(leg = %leg_sid, error = %e, "could not speak to a helper's leg");
                }
            }
        }
        for command in &commands {
            if let Command::CallResident(resident) = command {
                tokio::spawn(call_resident(state.clone(), rest.clone(), resident.clone()));
            }
        }
        for command in &commands {
            let Command::MoveCaller(MoveCaller { call_sid: caller_sid, seq }) = command else { continue };
            match twilio::hold_done_url(&state.public_url, *seq) {
                Ok(url) => {
                    if let Err(e) = rest.update_call(caller_sid, &UpdateCall::Redirect(url)).await {
                        tracing::error!(call = %caller_sid, error = %e, "could not move the held caller on to the desk or voicemail");
                    }
                }
                Err(e) => tracing::error!(error = %e, "bad public URL"),
            }
        }
        let mut creates = Vec::new();
        for command in commands {
            match command {
                Command::Round(call) => {
                    tokio::spawn(create_round_call(state.clone(), rest.clone(), call));
                }
                Command::Confirm(call) => {
                    tokio::spawn(create_confirm_call(state.clone(), rest.clone(), call));
                }
                Command::Planned(call) => {
                    tokio::spawn(create_planned_call(state.clone(), rest.clone(), call));
                }
                Command::Create(leg) => creates.push(leg),
                _ => {}
            }
        }
        let creates: Vec<_> =
            creates.into_iter().map(|leg| tokio::spawn(create_leg(state.clone(), rest.clone(), leg))).collect();
        for c in creates {
            let _ = c.await;
        }
    });
}

/// Tells the held caller who is coming: a participant announcement on their conference
/// (Conference Participant resource, update with `AnnounceUrl`), heard by them alone. The
/// helper enters the conference by their own document, whatever becomes of this: a
/// refusal or a failure leaves the caller without the announcement, never without their
/// helper, and nothing waits for it. (Whether Twilio plays a participant announcement
/// while the conference has not yet started, or only once the helper is in, its
/// documentation does not say; either way it is heard as the helper comes.)
async fn announce_helper(state: &Arc<Switchboard>, rest: &twilio::rest::RestClient, announce: &Announce) {
    let url = match twilio::announce_url(&state.public_url, &announce.call_sid, announce.attempt) {
        Ok(url) => url,
        Err(e) => return tracing::error!(error = %e, "bad public URL"),
    };
    if let Err(e) = rest.announce_to_participant(&announce.conference_sid, &announce.call_sid, &url).await {
        tracing::warn!(call = %announce.call_sid, error = %e, "could not tell the held caller who is coming; they are put through all the same");
    }
}

/// Stops one phone at the provider. A call cancelled while still `queued` (where every
/// created call starts, and waits beyond the calls-per-second limit) gets no status
/// callback at all (Call resource, "Call Status values"), so a helper's leg is ended from
/// the answer to the cancel itself; a later status callback for it changes nothing. An
/// answer saying the call has ended already (21220) ends it too.
async fn stop_phone(state: &Arc<Switchboard>, rest: &twilio::rest::RestClient, stop: &Stop) {
    let update = if stop.answered { UpdateCall::Complete } else { UpdateCall::Cancel };
    let ended = match rest.update_call(&stop.leg_sid, &update).await {
        Ok(call) => final_status(call.status),
        Err(twilio::rest::RestError::Refused {
            error: Some(twilio::rest::TwilioError { code: Some(21220), .. }),
            ..
        }) => Some(DialStatus::Canceled),
        Err(e) => {
            tracing::warn!(leg = %stop.leg_sid, error = %e, "could not stop a phone");
            None
        }
    };
    let (Some(status), Some((call_sid, attempt))) = (ended, stop.helper_leg.clone()) else { return };
    let st = state.clone();
    match state.worker.write(move |tx| leg_ended(tx, &st, &call_sid, attempt, status)).await {
        Ok(out) => dispatch(state.clone(), out),
        Err(e) => tracing::error!(error = %e, "could not record the end of a cancelled leg"),
    }
}

/// A call's status as the provider gives it, when the call is over.
fn final_status(status: twilio::rest::CallStatus) -> Option<DialStatus> {
    use twilio::rest::CallStatus;
    match status {
        CallStatus::Canceled => Some(DialStatus::Canceled),
        CallStatus::Completed => Some(DialStatus::Completed),
        CallStatus::Busy => Some(DialStatus::Busy),
        CallStatus::Failed => Some(DialStatus::Failed),
        CallStatus::NoAnswer => Some(DialStatus::NoAnswer),
        CallStatus::Queued | CallStatus::Ringing | CallStatus::InProgress | CallStatus::Other => None,
    }
}

/// An outbound call for `leg`: its document and status callback URLs, our number as
/// caller ID, the dialplan's ring timeout.
fn outbound_call(
    urls: Result<(url::Url, url::Url), url::ParseError>,
    leg: &NewLeg,
    fallback_url: Option<&url::Url>,
) -> Option<CreateCall> {
    let (url, status_callback) = match urls {
        Ok(urls) => urls,
        Err(e) => {
            tracing::error!(error = %e, "bad public URL");
            return None;
        }
    };
    Some(CreateCall {
        to: leg.to.as_str().to_string(),
        from: leg.from.as_str().to_string(),
        url,
        status_callback: Some(status_callback),
        status_callback_events: vec![CallEvent::Completed],
        timeout_secs: Some(leg.timeout_seconds),
        machine_detection: None,
        fallback_url: fallback_url.cloned(),
    })
}

async fn call_resident(state: Arc<Switchboard>, rest: Arc<twilio::rest::RestClient>, leg: NewLeg) {
    let Some(create) = outbound_call(
        twilio::resident_urls(&state.public_url, &leg.call_sid),
        &leg,
        state.created_call_fallback.as_ref(),
    ) else {
        return;
    };
    match rest.create_call(&create).await {
        Ok(created) => {
            let sid = leg.call_sid.clone();
            let leg_sid = created.sid.clone();
            let res = state.worker.write(move |tx| calls_resident_leg(tx, &sid, &leg_sid)).await;
            match res {
                Ok(true) => {}
                Ok(false) => {
                    if let Err(e) = rest.update_call(&created.sid, &UpdateCall::Cancel).await {
                        tracing::warn!(error = %e, "could not cancel the resident's call");
                    }
                }
                Err(e) => tracing::error!(error = %e, "could not store the resident's call"),
            }
        }
        Err(e) => {
            tracing::warn!(search = %leg.call_sid, resident = %leg.to.masked(), error = %e, "could not call the resident back");
            let st = state.clone();
            match state.worker.write(move |tx| resident_failed(tx, &st, &leg.call_sid)).await {
                Ok(out) => dispatch(state, out),
                Err(e) => tracing::error!(error = %e, "could not record a failed call back"),
            }
        }
    }
}

/// Stores the resident's call. Returns whether it is still wanted (the helper may have left
/// while it was being created).
fn calls_resident_leg(tx: &Connection, search_sid: &str, leg_sid: &str) -> anyhow::Result<bool> {
    let Some(request) = callbacks::by_search(tx, search_sid)? else { return Ok(false) };
    callbacks::set_resident_leg(tx, request.id, leg_sid)?;
    Ok(request.status == RequestStatus::Calling)
}

/// A call the switchboard places to a person (not a helper's leg of a search): our number
/// as caller ID, no answering-machine detection (a voicemail box presses no key, which is
/// enough), its end reported when a status callback is given, and the fallback document.
fn own_call(
    state: &Switchboard,
    to: &PhoneNumber,
    from: &PhoneNumber,
    url: url::Url,
    status_callback: Option<url::Url>,
    timeout: u32,
) -> CreateCall {
    CreateCall {
        to: to.as_str().to_string(),
        from: from.as_str().to_string(),
        url,
        status_callback_events: if status_callback.is_some() { vec![CallEvent::Completed] } else { Vec::new() },
        status_callback,
        timeout_secs: Some(timeout),
        machine_detection: None,
        fallback_url: state.created_call_fallback.clone(),
    }
}

/// A call of the good-morning round: our number as caller ID, no answering machine
/// detection (a voicemail box presses no key, which is enough: not answered).
async fn create_round_call(state: Arc<Switchboard>, rest: Arc<twilio::rest::RestClient>, call: RoundCall) {
    let (url, status_callback) = match twilio::round_urls(&state.public_url, call.morning, call.who) {
        Ok(urls) => urls,
        Err(e) => {
            tracing::error!(error = %e, "bad public URL");
            return;
        }
    };
    if state.created_call_fallback.is_none() {
        tracing::warn!("a good-morning call without a FallbackUrl: set --created-call-fallback-url, or a webhook that fails cuts the call off without a word");
    }
    let create = own_call(&state, &call.to, &call.from, url, status_callback, call.timeout);
    match rest.create_call(&create).await {
        Ok(created) => {
            let sid = created.sid.clone();
            let c = call.clone();
            if let Err(e) = state.worker.write(move |tx| super::round::created(tx, &c, &sid)).await {
                tracing::error!(error = %e, "could not store a good-morning call's CallSid");
            }
        }
        Err(e) => {
            tracing::warn!(morning = call.morning, to = %call.to.masked(), error = %e, "could not place a good-morning call");
            let st = state.clone();
            match state
                .worker
                .write(move |tx| {
                    let mut t = super::tx::Tx::starting_now(tx, &st);
                    super::round::failed(&mut t, &call)?;
                    t.finish()
                })
                .await
            {
                Ok(out) => dispatch(state, out),
                Err(e) => tracing::error!(error = %e, "could not move a good-morning round on after a failed call"),
            }
        }
    }
}

/// Creates a call of our own (our number as caller ID, no answering machine detection) at
/// `urls` (what is heard when it is picked up, and its status callback): its `CallSid`, or
/// the provider's refusal; `None` when the public URL is bad (logged).
async fn create_own_call(
    state: &Switchboard,
    rest: &twilio::rest::RestClient,
    urls: Result<(url::Url, url::Url), url::ParseError>,
    (to, from, timeout): (&PhoneNumber, &PhoneNumber, u32),
) -> Option<Result<String, twilio::rest::RestError>> {
    let (url, status_callback) = match urls {
        Ok(urls) => urls,
        Err(e) => {
            tracing::error!(error = %e, "bad public URL");
            return None;
        }
    };
    let create = own_call(state, to, from, url, Some(status_callback), timeout);
    Some(rest.create_call(&create).await.map(|created| created.sid))
}

/// A call back that confirms a change asked for by phone (a voicemail box presses no 1:
/// nothing changes).
async fn create_confirm_call(state: Arc<Switchboard>, rest: Arc<twilio::rest::RestClient>, call: ConfirmCall) {
    let urls = twilio::confirm_urls(&state.public_url, call.id);
    match create_own_call(&state, &rest, urls, (&call.to, &call.from, call.timeout)).await {
        None => {}
        Some(Ok(sid)) => {
            let c = call.clone();
            if let Err(e) = state.worker.write(move |tx| super::confirm::created(tx, &c, &sid)).await {
                tracing::error!(error = %e, "could not store a confirming call's CallSid");
            }
        }
        Some(Err(e)) => {
            tracing::warn!(confirmation = call.id, to = %call.to.masked(), error = %e, "could not call back to confirm a change; the desk is told");
            let st = state.clone();
            if let Err(e) = state.worker.write(move |tx| super::confirm::failed(tx, &st, &call)).await {
                tracing::error!(error = %e, "could not hand a change asked for by phone to the desk");
            }
        }
    }
}

/// A call about a planned request (a voicemail box presses no key: for a neighbour asked,
/// not answered, and the next is asked).
async fn create_planned_call(state: Arc<Switchboard>, rest: Arc<twilio::rest::RestClient>, call: PlannedCall) {
    let urls = twilio::planned_urls(&state.public_url, call.id);
    match create_own_call(&state, &rest, urls, (&call.to, &call.from, call.timeout)).await {
        None => {}
        Some(Ok(sid)) => {
            let id = call.id;
            if let Err(e) = state.worker.write(move |tx| crate::store::planned::set_leg(tx, id, &sid)).await {
                tracing::error!(error = %e, "could not store a planned call's CallSid");
            }
        }
        Some(Err(e)) => {
            tracing::warn!(planned_call = call.id, to = %call.to.masked(), error = %e, "could not place a call about a planned request");
            let st = state.clone();
            match state.worker.write(move |tx| super::planned::failed(tx, &st, call.id)).await {
                Ok(out) => dispatch(state.clone(), out),
                Err(e) => tracing::error!(error = %e, "could not record a planned call that failed"),
            }
        }
    }
}

async fn create_leg(state: Arc<Switchboard>, rest: Arc<twilio::rest::RestClient>, leg: NewLeg) {
    let Some(create) = outbound_call(
        twilio::wave_urls(&state.public_url, &leg.call_sid, leg.attempt),
        &leg,
        state.created_call_fallback.as_ref(),
    ) else {
        return;
    };
    match rest.create_call(&create).await {
        Ok(created) => {
            let (l, sid) = (leg.clone(), created.sid.clone());
            let status = state.worker.write(move |tx| store::set_leg_sid(tx, &l.call_sid, l.attempt, &sid)).await;
            match status {
                Ok(Some(s)) if !s.in_flight() && s != LegStatus::Accepted && s != LegStatus::Late => {
                    // Cancelled while it was being created.
                    let stop = Stop {
                        leg_sid: created.sid.clone(),
                        answered: false,
                        helper_leg: Some((leg.call_sid.clone(), leg.attempt)),
                    };
                    stop_phone(&state, &rest, &stop).await;
                }
                Err(e) => tracing::error!(error = %e, "could not store a helper leg's CallSid"),
                _ => {}
            }
        }
        Err(e) => {
            tracing::warn!(call = %leg.call_sid, attempt = leg.attempt, helper = %leg.to.masked(), error = %e, "could not ring a helper");
            let st = state.clone();
            match state.worker.write(move |tx| leg_failed(tx, &st, &leg)).await {
                Ok(out) => dispatch(state, out),
                Err(e) => tracing::error!(error = %e, "could not move a search on after a failed leg"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{switchboard, TUESDAY_MORNING};
    use super::*;

    /// Every changed call reaches the desk's live page, also two in one transaction, before
    /// anything is asked of the provider (here there is no REST API at all).
    #[tokio::test]
    async fn every_changed_call_goes_to_the_live_page() {
        let test = switchboard(false, TUESDAY_MORNING);
        let mut changes = test.sb.changes.subscribe();
        let sb = Arc::new(test.sb);
        let mut out = Outbound::default();
        out.push(Command::Changed("GM1".into()));
        out.push(Command::Changed("GM2".into()));
        dispatch(sb.clone(), out);
        assert_eq!(changes.try_recv().unwrap(), "GM1");
        assert_eq!(changes.try_recv().unwrap(), "GM2");
        dispatch(sb, Outbound::default());
        assert!(changes.try_recv().is_err(), "nothing told, nothing sent");
    }
}
