//! Tells the provider what a committed transaction decided, on the async runtime: create
//! helper legs and the resident's call, stop phones, move the held caller on, speak on a
//! live leg. What the provider answers is recorded on the store's thread.

use std::sync::Arc;

use rusqlite::Connection;

pub use super::commands::Outbound;
use super::commands::{Announce, Command, ConfirmCall, MoveCaller, NewLeg, PlannedCall, Play, RoundCall, Stop, Thank};
use super::waves::{leg_ended, leg_failed, resident_failed};
use super::Switchboard;
use crate::domain::call::DialStatus;
use crate::domain::callback::RequestStatus;
use crate::domain::phone::PhoneNumber;
use crate::domain::waves::LegStatus;
use crate::provider::{Client, NewCall, ProviderError, Purpose, Update};
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
        // then phones are stopped, helpers still listening thanked, words played, and new
        // calls placed: each kind in the order it was decided.
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
            if let Command::Thank(thank) = command {
                thank_helper(&state, &rest, thank).await;
            }
        }
        for command in &commands {
            if let Command::Play(Play { leg_sid, twiml }) = command {
                if let Err(e) = rest.update_call(&state.public_url, leg_sid, &Update::Play(twiml.clone())).await {
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
            match rest.update_call(&state.public_url, caller_sid, &Update::MoveOn { seq: *seq }).await {
                Ok(_) => {}
                Err(e @ ProviderError::PublicUrl(_)) => tracing::error!(error = %e, "bad public URL"),
                Err(e) => {
                    tracing::error!(call = %caller_sid, error = %e, "could not move the held caller on to the desk or voicemail")
                }
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
/// helper, and nothing waits for it. (Whether the provider plays a participant announcement
/// while the conference has not yet started, or only once the helper is in, its
/// documentation does not say; either way it is heard as the helper comes.)
async fn announce_helper(state: &Arc<Switchboard>, rest: &Client, announce: &Announce) {
    let (conference, call) = (&announce.conference_sid, &announce.call_sid);
    match rest.announce(&state.public_url, conference, call, announce.attempt, &announce.document).await {
        Ok(()) => {}
        Err(e @ ProviderError::PublicUrl(_)) => tracing::error!(error = %e, "bad public URL"),
        Err(e) => {
            tracing::warn!(call = %announce.call_sid, error = %e, "could not tell the held caller who is coming; they are put through all the same")
        }
    }
}

/// Stops one phone at the provider. A call cancelled while still `queued` (where every
/// created call starts, and waits beyond the calls-per-second limit) gets no status
/// callback at all (Call resource, "Call Status values"), so a helper's leg is ended from
/// the answer to the cancel itself; a later status callback for it changes nothing. An
/// answer saying the call has ended already (`ProviderError::AlreadyEnded`) ends it too.
async fn stop_phone(state: &Arc<Switchboard>, rest: &Client, stop: &Stop) {
    let update = if stop.answered { Update::HangUp } else { Update::Cancel };
    let ended = match rest.update_call(&state.public_url, &stop.leg_sid, &update).await {
        Ok(status) => status,
        Err(ProviderError::AlreadyEnded(_)) => Some(DialStatus::Canceled),
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

/// Issue 31: redirects a helper's leg that still hears the request, after someone else's
/// yes, to their thank-you (a REST update with `Url`; the provider then asks for that
/// document, and its `<Hangup/>` ends the call). Nothing waits for it and nothing is
/// recorded from its answer: the leg was cancelled in the transaction that decided it,
/// its end comes with its status callback, and a yes pressed before the redirect landed
/// is thanked as late. A call that has ended meanwhile (21220) is fine; any other refusal
/// leaves the helper to hear the request out, and a yes from them is thanked as late.
async fn thank_helper(state: &Arc<Switchboard>, rest: &Client, thank: &Thank) {
    let update = Update::Thank { call_sid: thank.call_sid.clone(), attempt: thank.attempt };
    match rest.update_call(&state.public_url, &thank.leg_sid, &update).await {
        Ok(_) => {}
        Err(ProviderError::AlreadyEnded(_)) => {
            tracing::debug!(leg = %thank.leg_sid, "a helper to thank had hung up already")
        }
        Err(e @ ProviderError::PublicUrl(_)) => tracing::error!(error = %e, "bad public URL"),
        Err(e) => {
            tracing::warn!(leg = %thank.leg_sid, error = %e, "could not thank a helper at once; a yes from them is thanked as late")
        }
    }
}

/// An outbound call for `leg` (a helper's, or the resident's): our number as caller ID,
/// the dialplan's ring timeout.
fn outbound_call(state: &Switchboard, leg: &NewLeg, purpose: Purpose) -> NewCall {
    NewCall {
        to: leg.to.clone(),
        from: leg.from.clone(),
        purpose,
        timeout_secs: leg.timeout_seconds,
        machine_detection: None,
        fallback_url: state.created_call_fallback.clone(),
    }
}

async fn call_resident(state: Arc<Switchboard>, rest: Arc<Client>, leg: NewLeg) {
    let create = outbound_call(&state, &leg, Purpose::Resident { search_sid: leg.call_sid.clone() });
    match rest.create_call(&state.public_url, &create).await {
        Err(e @ ProviderError::PublicUrl(_)) => tracing::error!(error = %e, "bad public URL"),
        Ok(created) => {
            let sid = leg.call_sid.clone();
            let leg_sid = created.clone();
            let res = state.worker.write(move |tx| calls_resident_leg(tx, &sid, &leg_sid)).await;
            match res {
                Ok(true) => {}
                Ok(false) => {
                    if let Err(e) = rest.update_call(&state.public_url, &created, &Update::Cancel).await {
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
/// enough), and the fallback document.
fn own_call(state: &Switchboard, to: &PhoneNumber, from: &PhoneNumber, purpose: Purpose, timeout: u32) -> NewCall {
    NewCall {
        to: to.clone(),
        from: from.clone(),
        purpose,
        timeout_secs: timeout,
        machine_detection: None,
        fallback_url: state.created_call_fallback.clone(),
    }
}

/// A call of the good-morning round: our number as caller ID, no answering machine
/// detection (a voicemail box presses no key, which is enough: not answered).
async fn create_round_call(state: Arc<Switchboard>, rest: Arc<Client>, call: RoundCall) {
    if state.created_call_fallback.is_none() {
        tracing::warn!("a good-morning call without a FallbackUrl: set --created-call-fallback-url, or a webhook that fails cuts the call off without a word");
    }
    let purpose = Purpose::Round { morning: call.morning, who: call.who };
    let create = own_call(&state, &call.to, &call.from, purpose, call.timeout);
    match rest.create_call(&state.public_url, &create).await {
        Err(e @ ProviderError::PublicUrl(_)) => tracing::error!(error = %e, "bad public URL"),
        Ok(created) => {
            let sid = created;
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

/// Creates a call of our own (our number as caller ID, no answering machine detection)
/// for `purpose`: its call's id, or the provider's refusal; `None` when the public URL is
/// bad (logged).
async fn create_own_call(
    state: &Switchboard,
    rest: &Client,
    purpose: Purpose,
    (to, from, timeout): (&PhoneNumber, &PhoneNumber, u32),
) -> Option<Result<String, ProviderError>> {
    let create = own_call(state, to, from, purpose, timeout);
    match rest.create_call(&state.public_url, &create).await {
        Err(e @ ProviderError::PublicUrl(_)) => {
            tracing::error!(error = %e, "bad public URL");
            None
        }
        created => Some(created),
    }
}

/// A call back that confirms a change asked for by phone (a voicemail box presses no 1:
/// nothing changes).
async fn create_confirm_call(state: Arc<Switchboard>, rest: Arc<Client>, call: ConfirmCall) {
    let purpose = Purpose::Confirm { id: call.id };
    match create_own_call(&state, &rest, purpose, (&call.to, &call.from, call.timeout)).await {
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
async fn create_planned_call(state: Arc<Switchboard>, rest: Arc<Client>, call: PlannedCall) {
    let purpose = Purpose::Planned { call: call.id };
    match create_own_call(&state, &rest, purpose, (&call.to, &call.from, call.timeout)).await {
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

async fn create_leg(state: Arc<Switchboard>, rest: Arc<Client>, leg: NewLeg) {
    let create = outbound_call(&state, &leg, Purpose::Leg { call_sid: leg.call_sid.clone(), attempt: leg.attempt });
    match rest.create_call(&state.public_url, &create).await {
        Err(e @ ProviderError::PublicUrl(_)) => tracing::error!(error = %e, "bad public URL"),
        Ok(created) => {
            let (l, sid) = (leg.clone(), created.clone());
            let status = state.worker.write(move |tx| store::set_leg_sid(tx, &l.call_sid, l.attempt, &sid)).await;
            match status {
                Ok(Some(s)) if !s.in_flight() && s != LegStatus::Accepted && s != LegStatus::Late => {
                    // Cancelled while it was being created.
                    let stop = Stop {
                        leg_sid: created.clone(),
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
