//! Twilio webhooks: verify -> parse -> load -> step -> store -> render.
//!
//! Every request that changes a call carries the sequence number of the document it
//! answers (`?s=N`). A request for an older document is a retry: it gets the document
//! sent the first time and changes nothing.

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;

use anyhow::bail;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use rusqlite::Connection;

use super::limits::RateLimit;
use super::step::{render, run_step};
use super::waves::Outbound;
use super::AppState;
use crate::config::Neighbourhood;
use crate::domain::action::{Action, Next};
use crate::domain::call::{self, CallState, Event};
use crate::domain::dialplan::Voice;
use crate::domain::phone::{CallerNumber, PhoneNumber};
use crate::domain::prompts::{PromptKey, Prompts};
use crate::provider::twilio::{self, Endpoint, Inbound};
use crate::store::calls::{self, StoredCall};
use crate::store::participants;

pub async fn webhook(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(endpoint): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let started = Instant::now();
    let Some(endpoint) = Endpoint::from_path(&endpoint) else {
        return (StatusCode::NOT_FOUND, "no such webhook\n").into_response();
    };
    let source = RateLimit::source(peer, &headers);
    let form = twilio::parse_pairs(&body);
    let query = twilio::parse_pairs(uri.query().unwrap_or("").as_bytes());
    // The per-source limit counts failed signatures only, so a burst of genuine webhooks
    // (every call at once comes from Twilio's few addresses) is never refused for rate.
    // That needs the signature checked first, for every request, and that stays cheap: the
    // form is at most 64 KB (the router's body limit) and the check is one HMAC-SHA1 over
    // it per spelling of the URL (at most two) — microseconds for a real webhook's form,
    // well under a millisecond for the largest — with no database work before it. A forgery
    // under the limit gets 403; once its source is over the limit, each further forgery
    // gets 429 for that same small cost and nothing more (no database, nothing stored).
    // Without a token (`--insecure-skip-signature`) nothing can be verified, so every
    // request counts against the limit, as before.
    let refused_for_rate = match &state.auth_token {
        Some(token) => {
            let path_and_query = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
            let url = format!("{}{}", state.public_url, path_and_query);
            let signature = headers.get("X-Twilio-Signature").and_then(|v| v.to_str().ok()).unwrap_or("");
            if twilio::verify(token, &url, &form, signature) {
                false
            } else if state.rate_limit.allow(source, started) {
                state.metrics.refused_signature.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(
                    endpoint = endpoint.path(),
                    "refused a webhook with a missing or wrong X-Twilio-Signature"
                );
                return (StatusCode::FORBIDDEN, "signature does not match\n").into_response();
            } else {
                true
            }
        }
        None => !state.rate_limit.allow(source, started),
    };
    if refused_for_rate {
        state.metrics.refused_rate.fetch_add(1, Ordering::Relaxed);
        tracing::warn!("refused a webhook: too many from one source");
        return (StatusCode::TOO_MANY_REQUESTS, [(header::RETRY_AFTER, "1")], "too many requests\n").into_response();
    }
    let inbound = match twilio::parse(endpoint, &query, &form) {
        Ok(i) => i,
        Err(e) => {
            state.metrics.refused_malformed.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(endpoint = endpoint.path(), error = %e, "refused a malformed webhook");
            return (StatusCode::BAD_REQUEST, format!("{e}\n")).into_response();
        }
    };
    let st = state.clone();
    let to = inbound.to.clone();
    let call_sid = inbound.call_sid.clone();
    // A wait request that fails inside is still answered with a document that asks again.
    let wait_again = match &inbound.event {
        Some(Event::HoldTick) => Some(Next::HoldWait),
        Some(Event::HelperWaitTick { attempt }) => Some(Next::HelperWait { attempt: *attempt }),
        _ => None,
    };
    let outcome = state.worker.run(move |_| handle(&st, endpoint, inbound)).await;
    let body = match outcome {
        Ok(Ok((xml, outbound))) => {
            // The desk's Now page follows every change (no one listening is fine).
            let _ = state.changes.send(call_sid.clone());
            // Only now that the transaction has committed: ring, cancel, move calls.
            super::waves::dispatch(state.clone(), outbound);
            if endpoint == Endpoint::Recorded {
                // A voicemail was queued to be fetched into our own storage.
                state.provider_jobs.notify_one();
            }
            xml
        }
        Ok(Err(e)) => {
            state.metrics.failed.fetch_add(1, Ordering::Relaxed);
            tracing::error!(call = %call_sid, endpoint = endpoint.path(), error = %e, "webhook failed; sending the fallback document");
            fallback(&state, endpoint, &to, &call_sid, wait_again)
        }
        Err(e) => {
            state.metrics.failed.fetch_add(1, Ordering::Relaxed);
            tracing::error!(call = %call_sid, endpoint = endpoint.path(), error = %e, "webhook task failed; sending the fallback document");
            fallback(&state, endpoint, &to, &call_sid, wait_again)
        }
    };
    state.metrics.observe(started.elapsed());
    tracing::debug!(call = %call_sid, endpoint = endpoint.path(), micros = started.elapsed().as_micros() as u64, "webhook answered");
    ([(header::CONTENT_TYPE, "text/xml; charset=utf-8")], body).into_response()
}

fn default_voice(state: &AppState) -> Voice {
    state.neighbourhoods.all().next().map(|n| n.dialplan.voice.clone()).unwrap_or(Voice {
        name: "Polly.Lotte".into(),
        language: "nl-NL".into(),
        rate: None,
    })
}

fn neighbourhood<'s>(state: &'s AppState, number: &str) -> Option<&'s Arc<Neighbourhood>> {
    let number = PhoneNumber::parse(number).ok()?;
    state.neighbourhoods.by_number(number.as_str())
}

/// When something inside fails, the caller still hears something and, where there is a
/// desk, is put through to it.
fn fallback(state: &AppState, endpoint: Endpoint, to: &str, call_sid: &str, wait_again: Option<Next>) -> String {
    let hood = neighbourhood(state, to);
    let (prompts, voice): (&Prompts, Voice) = match hood {
        Some(h) => (&h.prompts, h.dialplan.voice.clone()),
        None => (&state.neighbourhoods.fallback_prompts, default_voice(state)),
    };
    let mut actions = Vec::new();
    if matches!(endpoint, Endpoint::Whisper | Endpoint::WhisperKey | Endpoint::WaveWhisper | Endpoint::WaveKey) {
        actions.push(Action::Hangup);
    } else if let Some(wait) = wait_again {
        // A wait document may not dial. Twilio never fetches a wait document again by
        // itself, so a short silence, and a `<Redirect>` that asks for it again.
        actions.push(Action::Pause(2));
        actions.push(Action::Redirect(wait));
    } else if !matches!(
        endpoint,
        Endpoint::Status | Endpoint::WaveStatus | Endpoint::Conference | Endpoint::ResidentStatus
    ) {
        actions.push(Action::Say(prompts.speech(PromptKey::SomethingWentWrong, &[])));
        match hood.and_then(|h| h.dialplan.desk.phone.clone()) {
            Some(desk) => actions.push(Action::DialDesk {
                number: desk,
                timeout_seconds: 30,
                done: crate::domain::action::Next::DeskDone,
            }),
            None => actions.push(Action::Hangup),
        }
    }
    // `desk-done?s=0` matches no document, so a report after this fallback changes nothing;
    // a wait request's own call is kept, so the wait goes on.
    let sid = if wait_again.is_some() { call_sid } else { "CA0" };
    render(state, &voice, sid, 0, &actions)
}

/// Runs one webhook in one transaction and returns the document to send, with what to
/// tell the provider after the transaction has committed.
fn handle(state: &AppState, endpoint: Endpoint, inbound: Inbound) -> anyhow::Result<(String, Outbound)> {
    let now = state.clock.now();
    let mut out = Outbound::default();
    let body = state.store.write(|tx| {
        if endpoint == Endpoint::Voice {
            return incoming(tx, state, &inbound, now);
        }
        let Some(mut call) = calls::load(tx, &inbound.call_sid)? else {
            if matches!(endpoint, Endpoint::Status | Endpoint::WaveStatus | Endpoint::Conference) {
                // A status callback for a leg we never saw (a helper's leg, say).
                return Ok(render(state, &default_voice(state), &inbound.call_sid, 0, &[]));
            }
            bail!("webhook for a call that was never started here");
        };
        let Some(hood) = state.neighbourhoods.by_number(&call.dialplan_number).cloned() else {
            bail!("the call's dialplan {} is no longer loaded", call.dialplan_number);
        };
        let voice = &hood.dialplan.voice;
        if let Some(report) = inbound.wave.clone() {
            let (stored, reply) = super::waves::apply_report(tx, state, &hood, call, report, now, &mut out)?;
            log_step(&stored, endpoint);
            return Ok(render(state, voice, &stored.call_sid, stored.seq, &reply));
        }
        let before = call.state.phase.clone();
        let Some(event) = inbound.event.clone() else {
            return Ok(render(state, voice, &call.call_sid, call.seq, &[]));
        };
        match endpoint {
            Endpoint::Status | Endpoint::Whisper | Endpoint::WhisperKey | Endpoint::HoldWait | Endpoint::HelperWait => {
                let step = run_step(tx, &state.store.registry, &hood, &call, event, now, inbound.caller_gone)?;
                call.state = step.state;
                calls::save(tx, &call, &step.effects, now)?;
                if endpoint == Endpoint::HoldWait {
                    super::waves::tick(tx, state, &call, now, &mut out)?;
                } else if is_held(&before) || is_held(&call.state.phase) {
                    super::waves::after_caller_step(tx, state, &hood, &before, &call, now, &mut out)?;
                }
                if !matches!(endpoint, Endpoint::HoldWait | Endpoint::HelperWait) {
                    log_step(&call, endpoint);
                }
                Ok(render(state, voice, &call.call_sid, call.seq, &step.reply))
            }
            _ => {
                let seq = inbound.seq.unwrap_or(0);
                if seq < call.seq {
                    // A retry of a request we already answered.
                    tracing::info!(call = %call.call_sid, endpoint = endpoint.path(), seq, "repeated webhook: sending the same document again");
                    return match calls::document(tx, &call.call_sid, seq + 1)? {
                        Some(body) => Ok(body),
                        None => bail!("no document {} stored for a repeated webhook", seq + 1),
                    };
                }
                if seq > call.seq {
                    bail!("webhook answers document {seq}, but only {} was sent", call.seq);
                }
                let step = run_step(tx, &state.store.registry, &hood, &call, event, now, inbound.caller_gone)?;
                call.state = step.state;
                call.seq = seq + 1;
                let body = render(state, voice, &call.call_sid, call.seq, &step.reply);
                calls::save(tx, &call, &step.effects, now)?;
                calls::save_document(tx, &call.call_sid, call.seq, &body)?;
                if is_held(&before) || is_held(&call.state.phase) {
                    super::waves::after_caller_step(tx, state, &hood, &before, &call, now, &mut out)?;
                }
                log_step(&call, endpoint);
                Ok(body)
            }
        }
    })?;
    Ok((body, out))
}

fn is_held(phase: &call::Phase) -> bool {
    matches!(phase, call::Phase::Holding { .. })
}

fn incoming(tx: &Connection, state: &AppState, inbound: &Inbound, now: jiff::Timestamp) -> anyhow::Result<String> {
    if calls::load(tx, &inbound.call_sid)?.is_some() {
        if let Some(body) = calls::document(tx, &inbound.call_sid, 1)? {
            return Ok(body);
        }
    }
    let Some(hood) = neighbourhood(state, &inbound.to).cloned() else {
        tracing::warn!(to = %crate::domain::phone::mask(&inbound.to), "a call came in on a number without a dialplan");
        let prompts = &state.neighbourhoods.fallback_prompts;
        let actions = [Action::Say(prompts.speech(PromptKey::NumberNotInUse, &[])), Action::Hangup];
        return Ok(render(state, &default_voice(state), &inbound.call_sid, 0, &actions));
    };
    let number = CallerNumber::from_provider(&inbound.from);
    let caller = match number.number() {
        Some(n) => participants::find_by_phone(tx, n)?,
        None => None,
    };
    let mut call = StoredCall {
        call_sid: inbound.call_sid.clone(),
        dialplan_number: hood.dialplan.number.as_str().to_string(),
        from: number.number().cloned(),
        caller_id: caller.as_ref().map(|p| p.id),
        state: CallState::new(now),
        seq: 1,
    };
    let step = run_step(tx, &state.store.registry, &hood, &call, Event::Incoming, now, false)?;
    call.state = step.state;
    let body = render(state, &hood.dialplan.voice, &call.call_sid, call.seq, &step.reply);
    calls::insert(tx, &call, &body)?;
    calls::save(tx, &call, &step.effects, now)?;
    tracing::info!(call = %call.call_sid, from = %number.number().map(|n| n.masked().to_string()).unwrap_or_else(|| "withheld".into()), known = caller.is_some(), "call came in");
    Ok(body)
}

fn log_step(call: &StoredCall, endpoint: Endpoint) {
    let phase = match &call.state.phase {
        call::Phase::Menu => "menu",
        call::Phase::Ringing(_) => "ringing",
        call::Phase::Connected(_) => "connected",
        call::Phase::Holding { matched: false } => "holding",
        call::Phase::Holding { matched: true } => "held-and-joined",
        call::Phase::Desk => "desk",
        call::Phase::Voicemail => "voicemail",
        call::Phase::Ended { .. } => "ended",
    };
    tracing::info!(call = %call.call_sid, endpoint = endpoint.path(), phase, outcome = call.state.outcome().map(|o| o.as_str()).unwrap_or("-"), "call stepped");
}

/// Ends calls whose end the provider never reported (a status callback lost while the
/// service was down): after three hours without an end, a call is treated as if the
/// caller hung up, which also frees any helper still marked as rung for it.
pub fn sweep(state: &AppState) -> anyhow::Result<usize> {
    let now = state.clock.now();
    let before = now - jiff::SignedDuration::from_secs(participants::STALE_AFTER_SECONDS);
    // A helper's leg rings for at most a few minutes before it is answered or not: one
    // still ringing (or hearing the request) after a quarter of an hour lost its reports.
    let legs_before = now - jiff::SignedDuration::from_mins(15);
    let legs = state.store.write(|tx| crate::store::waves::close_stale_legs(tx, legs_before, now))?;
    if legs > 0 {
        tracing::info!(legs, "closed helper legs whose end was never reported");
    }
    let sids = state.store.read(|c| calls::unfinished_before(c, before))?;
    let mut ended = 0;
    for sid in sids {
        state.store.write(|tx| {
            let Some(mut call) = calls::load(tx, &sid)? else { return Ok(()) };
            let Some(hood) = state.neighbourhoods.by_number(&call.dialplan_number).cloned() else { return Ok(()) };
            if super::waves::close_stale_search(tx, &hood, &call, now)? {
                ended += 1;
                return Ok(());
            }
            let step = run_step(tx, &state.store.registry, &hood, &call, Event::CallerGone, now, true)?;
            call.state = step.state;
            calls::save(tx, &call, &step.effects, now)?;
            tracing::info!(call = %call.call_sid, outcome = call.state.outcome().map(|o| o.as_str()).unwrap_or("-"), "closed a call whose end was never reported");
            ended += 1;
            Ok(())
        })?;
    }
    Ok(ended)
}
