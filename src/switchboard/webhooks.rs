//! The use case behind every provider webhook: load -> step -> store -> render, in one
//! transaction on the store's thread; then, after the commit, what to tell the provider.
//!
//! Every request that changes a call carries the sequence number of the document it
//! answers (`?s=N`). A request for an older document is a retry: it gets the document
//! sent the first time and changes nothing.

use std::sync::Arc;

use anyhow::bail;
use rusqlite::Connection;

use super::callbacks::Origin;
use super::dispatch::{dispatch, Outbound};
use super::step::{default_voice, render, run_step, Report};
use super::tx::Tx;
use super::Switchboard;
use crate::config::Neighbourhood;
use crate::domain::action::{Action, Next};
use crate::domain::call::{self, CallState, Event};
use crate::domain::dialplan::Voices;
use crate::domain::phone::{CallerNumber, PhoneNumber};
use crate::domain::prompts::{PromptKey, Prompts};
use crate::provider::{Endpoint, Inbound, Reported};
use crate::store::calls::{self, StoredCall};
use crate::store::participants;

/// The document a webhook is answered with.
pub struct Answer {
    pub body: String,
    /// Something failed inside: `body` is the fallback document.
    pub failed: bool,
}

/// Answers one verified, parsed webhook. The transaction runs on the store's thread; what
/// it decided to tell the provider (ring, cancel, move a call) is sent only once it has
/// committed. Never fails: when something inside does, the caller still hears something.
pub async fn answer(sb: Arc<Switchboard>, endpoint: Endpoint, inbound: Inbound) -> Answer {
    let st = sb.clone();
    let to = inbound.to.clone();
    let call_sid = inbound.call_sid.clone();
    // A wait request that fails inside is still answered with a document that asks again.
    let wait_again = match &inbound.report {
        Reported::Call(Event::HoldTick) => Some(Next::HoldWait),
        Reported::Call(Event::HelperWaitTick { attempt }) => Some(Next::HelperWait { attempt: *attempt }),
        _ => None,
    };
    // A helper's whisper (dial mode) that fails inside still lets the helper go, never
    // puts them through (with a provider whose whisper joins the helper when it simply ends).
    let whisper_of = match &inbound.report {
        Reported::Call(Event::HelperAnswered { attempt } | Event::HelperKey { attempt, .. })
        | Reported::LetHelperGo { attempt } => Some(*attempt),
        _ => None,
    };
    // One write transaction, committed together with the other webhooks waiting.
    let outcome = sb.worker.write(move |tx| transaction(tx, &st, endpoint, inbound)).await;
    let error = match outcome {
        Ok((body, outbound)) => {
            // The desk's Now page follows every change (no one listening is fine).
            let _ = sb.changes.send(call_sid.clone());
            dispatch(sb.clone(), outbound);
            if endpoint == Endpoint::Recorded {
                // A voicemail was queued to be fetched into our own storage.
                sb.provider_jobs.notify_one();
            }
            return Answer { body, failed: false };
        }
        Err(e) => e,
    };
    tracing::error!(call = %call_sid, endpoint = endpoint.path(), error = %error, "webhook failed; sending the fallback document");
    Answer { body: fallback(&sb, endpoint, &to, &call_sid, wait_again, whisper_of), failed: true }
}

fn neighbourhood(state: &Switchboard, number: &str) -> Option<Arc<Neighbourhood>> {
    let number = PhoneNumber::parse(number).ok()?;
    state.neighbourhoods.by_number(number.as_str())
}

/// When something inside fails, the caller still hears something and, where there is a
/// desk, is put through to it.
fn fallback(
    state: &Switchboard,
    endpoint: Endpoint,
    to: &str,
    call_sid: &str,
    wait_again: Option<Next>,
    whisper_of: Option<u32>,
) -> String {
    let hood = neighbourhood(state, to);
    let (prompts, voice): (Arc<Prompts>, Voices) = match &hood {
        Some(h) => (h.prompts.clone(), h.voices.clone()),
        None => (state.neighbourhoods.current().fallback_prompts.clone(), default_voice(state)),
    };
    let mut actions = Vec::new();
    if let Some(attempt) = whisper_of {
        actions.push(Action::LetHelperGo { attempt });
        return render(state, &voice, call_sid, 0, &actions);
    }
    if matches!(
        endpoint,
        Endpoint::Whisper
            | Endpoint::WhisperKey
            | Endpoint::WaveWhisper
            | Endpoint::WaveKey
            | Endpoint::WaveThanks
            | Endpoint::ContactAnswer
            | Endpoint::ContactKey
            | Endpoint::DeskAlert
            | Endpoint::ConfirmAnswer
            | Endpoint::ConfirmKey
            | Endpoint::PlannedAnswer
            | Endpoint::PlannedKey
    ) {
        actions.push(Action::Hangup);
    } else if let Some(wait) = wait_again {
        // A wait document may not dial. Twilio never fetches a wait document again by
        // itself, so a short silence, and a `<Redirect>` that asks for it again.
        actions.push(Action::Pause(2));
        actions.push(Action::Redirect(wait));
    } else if !matches!(
        endpoint,
        Endpoint::Status
            | Endpoint::WaveStatus
            | Endpoint::Conference
            | Endpoint::ResidentStatus
            | Endpoint::RoundStatus
            | Endpoint::ContactStatus
            | Endpoint::ConfirmStatus
            | Endpoint::PlannedStatus
            | Endpoint::Announce
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

/// Runs one webhook as one transaction (`Tx::webhook`: by phone) and returns the document
/// to send, with what to tell the provider after the transaction has committed.
fn transaction(
    tx: &Connection,
    sb: &Switchboard,
    endpoint: Endpoint,
    inbound: Inbound,
) -> anyhow::Result<(String, Outbound)> {
    let mut t = Tx::webhook(tx, sb);
    let body = handle(&mut t, endpoint, inbound)?;
    Ok((body, t.finish()?))
}

/// Runs one webhook inside its transaction and returns the document to send.
fn handle(t: &mut Tx<'_>, endpoint: Endpoint, inbound: Inbound) -> anyhow::Result<String> {
    let (tx, state) = (t.conn, t.sb);
    let mut endpoint = endpoint;
    if endpoint.is_confirm() {
        return super::confirm::webhook(t, &inbound);
    }
    if endpoint.is_planned() {
        return super::planned::webhook(t, &inbound);
    }
    if endpoint.is_round() {
        let body = match super::round::webhook(t, endpoint, &inbound)? {
            super::round::Reply::Document(body) => body,
            super::round::Reply::AsIfTheyCalled(call) => incoming(t, &call, Event::AskedInTheRound)?,
        };
        // A good-morning call that became a call for help (2) ends as that call too.
        if endpoint != Endpoint::RoundStatus
            || inbound.event().is_none()
            || calls::load(tx, &inbound.call_sid)?.is_none()
        {
            return Ok(body);
        }
        endpoint = Endpoint::Status;
    }
    if endpoint == Endpoint::Voice {
        return incoming(t, &inbound, Event::Incoming);
    }
    let Some(call) = calls::load(tx, &inbound.call_sid)? else {
        if matches!(endpoint, Endpoint::Status | Endpoint::WaveStatus | Endpoint::Conference) {
            // A status callback for a leg we never saw (a helper's leg, say).
            return Ok(render(state, &default_voice(state), &inbound.call_sid, 0, &[]));
        }
        bail!("webhook for a call that was never started here");
    };
    let Some(hood) = state.neighbourhoods.by_number(&call.dialplan_number) else {
        bail!("the call's dialplan {} is no longer loaded", call.dialplan_number);
    };
    if let Reported::Wave(report) = inbound.report.clone() {
        let (stored, reply) = super::waves::apply_report(t, &hood, call, report)?;
        log_step(&stored, endpoint);
        return Ok(render(state, &hood.voices, &stored.call_sid, stored.seq, &reply));
    }
    if let Some((attempt, leg)) = &inbound.helper_leg {
        // So that anonymising the call or erasing the helper deletes it at the provider.
        calls::set_attempt_leg(tx, &call.call_sid, *attempt, leg)?;
    }
    if let Reported::LetHelperGo { attempt } = inbound.report {
        return let_helper_go(t, &hood, &call, attempt);
    }
    let report = Report { caller_gone: inbound.caller_gone, conference_took_place: inbound.conference_took_place };
    let Some(event) = inbound.event() else {
        return Ok(render(state, &hood.voices, &call.call_sid, call.seq, &[]));
    };
    let stepped = Stepped { hood: &hood, endpoint, event, report };
    match endpoint {
        Endpoint::Status | Endpoint::Whisper | Endpoint::WhisperKey | Endpoint::HoldWait | Endpoint::HelperWait => {
            unnumbered(t, call, stepped)
        }
        _ => numbered(t, call, stepped, inbound.seq.unwrap_or(0)),
    }
}

/// Dial mode, on a provider whose whisper joins the helper to the caller when it ends
/// (`Action::LetHelperGo`): the helper of `attempt` has heard their thanks, and their call is ended
/// through the REST API (the leg as its whisper named it). Meanwhile they hear a short
/// silence, after which they are let go again (the hang-up asked once more), so a failed
/// hang-up never puts them through. Nothing of the call flow changes.
fn let_helper_go(t: &mut Tx<'_>, hood: &Neighbourhood, call: &StoredCall, attempt: u32) -> anyhow::Result<String> {
    match calls::attempt_leg(t.conn, &call.call_sid, attempt)? {
        Some(leg_sid) => {
            t.tell(super::commands::Command::Stop(super::commands::Stop { leg_sid, answered: true, helper_leg: None }))
        }
        None => tracing::warn!(call = %call.call_sid, attempt, "a helper to let go whose call is not known"),
    }
    let silence = [Action::Pause(LET_GO_SILENCE_SECONDS), Action::LetHelperGo { attempt }];
    Ok(render(t.sb, &hood.voices, &call.call_sid, call.seq, &silence))
}

/// How long a helper being let go hears silence before the hang-up is asked again.
const LET_GO_SILENCE_SECONDS: u32 = 10;

/// One event of a call's own flow, as a webhook brought it.
struct Stepped<'h> {
    hood: &'h Neighbourhood,
    endpoint: Endpoint,
    event: Event,
    report: Report,
}

/// A report that answers no document of ours (a status callback, a whisper, a wait):
/// stepped, saved, and the search told.
fn unnumbered(t: &mut Tx<'_>, mut call: StoredCall, stepped: Stepped<'_>) -> anyhow::Result<String> {
    let Stepped { hood, endpoint, event, report } = stepped;
    let before = call.state.phase.clone();
    let gone = event == Event::CallerGone;
    let step = run_step(t, hood, &call, event, report)?;
    call.state = step.state;
    save(t, hood, &call, &step.effects)?;
    if endpoint == Endpoint::Status && gone {
        // A change asked for in this call: its number is called back, now the line is free.
        super::confirm::caller_gone(t, &call.call_sid)?;
    }
    if endpoint == Endpoint::HoldWait {
        super::waves::tick(t, &call)?;
    } else if is_held(&before) || is_held(&call.state.phase) {
        super::waves::after_caller_step(t, &before, &call, report)?;
    }
    if !matches!(endpoint, Endpoint::HoldWait | Endpoint::HelperWait) {
        log_step(&call, endpoint);
    }
    Ok(render(t.sb, &hood.voices, &call.call_sid, call.seq, &step.reply))
}

/// A request that answers document `seq` of ours: a retry gets the same document again;
/// otherwise stepped, the next document stored with the call, and the search told.
fn numbered(t: &mut Tx<'_>, mut call: StoredCall, stepped: Stepped<'_>, seq: u64) -> anyhow::Result<String> {
    let Stepped { hood, endpoint, event, report } = stepped;
    if seq < call.seq {
        // A retry of a request we already answered.
        tracing::info!(call = %call.call_sid, endpoint = endpoint.path(), seq, "repeated webhook: sending the same document again");
        return match calls::document(t.conn, &call.call_sid, seq + 1)? {
            Some(body) => Ok(body),
            None => bail!("no document {} stored for a repeated webhook", seq + 1),
        };
    }
    if seq > call.seq {
        bail!("webhook answers document {seq}, but only {} was sent", call.seq);
    }
    let before = call.state.phase.clone();
    let step = run_step(t, hood, &call, event, report)?;
    call.state = step.state;
    call.seq = seq + 1;
    let body = render(t.sb, &hood.voices, &call.call_sid, call.seq, &step.reply);
    save(t, hood, &call, &step.effects)?;
    calls::save_document(t.conn, &call.call_sid, call.seq, &body)?;
    if endpoint == Endpoint::HoldDone && is_held(&before) && is_held(&call.state.phase) {
        super::waves::held_again(t, hood, &call)?;
    } else if is_held(&before) || is_held(&call.state.phase) {
        super::waves::after_caller_step(t, &before, &call, report)?;
    }
    log_step(&call, endpoint);
    Ok(body)
}
/// Saves a step of the caller's call; a call-back request it asked for is opened.
fn save(
    t: &mut Tx<'_>,
    hood: &Neighbourhood,
    call: &StoredCall,
    effects: &[crate::domain::call::Effect],
) -> anyhow::Result<()> {
    let (tx, now) = (t.conn, t.now);
    calls::save(tx, call, effects, now)?;
    // Help for later by phone (issue 28): a request taken, or cancelled.
    super::planned::by_phone(t, hood, call, effects)?;
    // A helper's help for later under 8: heard, passed, taken, or withdrawn.
    super::planned::helper_by_phone(t, call, effects)?;
    for effect in effects {
        let crate::domain::call::Effect::CallbackRequested { first_try_at, .. } = effect else { continue };
        let (Some(phone), Some(category)) = (&call.from, call.state.category.as_deref()) else { continue };
        let origin = Origin::Call { call_sid: &call.call_sid, caller: call.caller_id, first_try_at: *first_try_at };
        if let Err(refused) = super::callbacks::open(tx, hood, phone, category, origin, now)? {
            tracing::error!(call = %call.call_sid, ?refused, "the call-back request the caller asked for could not be opened");
        }
    }
    Ok(())
}

fn is_held(phase: &call::Phase) -> bool {
    matches!(phase, call::Phase::Holding { .. })
}

/// A new call: the first step of the call flow (`event`: `Incoming`). Also the good-morning
/// call of a resident who pressed 2 (`AskedInTheRound`, `inbound` then has the resident
/// as `from`).
fn incoming(t: &mut Tx<'_>, inbound: &Inbound, event: Event) -> anyhow::Result<String> {
    let (tx, state, now) = (t.conn, t.sb, t.now);
    if calls::load(tx, &inbound.call_sid)?.is_some() {
        if let Some(body) = calls::document(tx, &inbound.call_sid, 1)? {
            return Ok(body);
        }
    }
    let Some(hood) = neighbourhood(state, &inbound.to) else {
        tracing::warn!(to = %crate::domain::phone::mask(&inbound.to), "a call came in on a number without a dialplan");
        let prompts = state.neighbourhoods.current().fallback_prompts.clone();
        let actions = [Action::Say(prompts.speech(PromptKey::NumberNotInUse, &[])), Action::Hangup];
        return Ok(render(state, &default_voice(state), &inbound.call_sid, 0, &actions));
    };
    let number = CallerNumber::from_provider(&inbound.from);
    let caller = match number.number() {
        Some(n) => participants::find_by_phone(tx, n)?,
        None => None,
    };
    if let Some(p) = &caller {
        t.knew_participant(p);
        // "No good-morning call until I call again": they called again.
        super::round::called_again(t, p.id)?;
    }
    let mut call = StoredCall {
        call_sid: inbound.call_sid.clone(),
        dialplan_number: hood.dialplan.number.as_str().to_string(),
        neighbourhood: Some(hood.key.clone()),
        from: number.number().cloned(),
        caller_id: caller.as_ref().map(|p| p.id),
        kind: crate::domain::call::CallKind::Incoming,
        // A participant's own language comes from the register at every step (`run_step`).
        state: CallState::new(now),
        seq: 1,
    };
    let step = run_step(t, &hood, &call, event, Report::default())?;
    call.state = step.state;
    let body = render(state, &hood.voices, &call.call_sid, call.seq, &step.reply);
    calls::insert(tx, &call, &body)?;
    save(t, &hood, &call, &step.effects)?;
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
        call::Phase::Settings => "own-settings",
        call::Phase::Message => "message-for-the-desk",
        call::Phase::Ended { .. } => "ended",
    };
    tracing::info!(call = %call.call_sid, endpoint = endpoint.path(), phase, outcome = call.state.outcome().map(|o| o.as_str()).unwrap_or("-"), "call stepped");
}

#[cfg(test)]
mod tests {
    use super::super::commands::Command;
    use super::super::test_support::{statements, switchboard, TestSwitchboard, TUESDAY_MORNING};
    use super::*;
    use crate::provider::{ParseError, Provider, Webhook};

    /// A webhook as the default provider sends it: its query and its form.
    fn parse(endpoint: Endpoint, query: &[(String, String)], form: &[(String, String)]) -> Result<Inbound, ParseError> {
        let encode = |p: &[(String, String)]| form_urlencoded::Serializer::new(String::new()).extend_pairs(p).finish();
        let (query, body, headers) = (encode(query), encode(form), Default::default());
        Provider::default()
            .parse(endpoint, &Webhook { url: "", query: &query, headers: &headers, body: body.as_bytes() })
    }

    const SID: &str = "CA00000000000000000000000000000003";

    fn inbound(endpoint: Endpoint, query: &[(&str, &str)], form: &[(&str, &str)]) -> Inbound {
        let pairs = |p: &[(&str, &str)]| p.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<Vec<_>>();
        let mut form = pairs(form);
        form.extend(pairs(&[("CallSid", SID), ("From", "+31612345678"), ("To", "+31850000000")]));
        parse(endpoint, &pairs(query), &form).unwrap()
    }

    /// In waves: a call comes in (the menu, nothing for the provider), the caller presses
    /// 1 (on hold, and the first wave's legs for the provider, after the commit); the
    /// same request again gets the same document, and nothing more is rung.
    #[test]
    fn a_key_in_the_menu_puts_the_caller_on_hold_and_rings_the_first_wave_once() {
        let sb = switchboard(true, TUESDAY_MORNING);
        let run = |endpoint, inbound| sb.store.write(|tx| transaction(tx, &sb, endpoint, inbound)).unwrap();
        let (menu, out) = run(Endpoint::Voice, inbound(Endpoint::Voice, &[], &[]));
        assert!(menu.contains("<Gather") && menu.contains("s=1"), "{menu}");
        assert!(out.is_empty(), "{out:?}");

        let key = || inbound(Endpoint::Menu, &[("s", "1")], &[("Digits", "1")]);
        let (hold, out) = run(Endpoint::Menu, key());
        let creates = out.commands().iter().filter(|c| matches!(c, Command::Create(_))).count();
        // The example's learned waves, nothing learned yet: three at even odds (issue 31).
        assert_eq!((creates, out.commands().len()), (3, 3), "{out:?}");
        let call = sb.store.write(|tx| calls::load(tx, SID)).unwrap().unwrap();
        assert_eq!(call.state.phase, call::Phase::Holding { matched: false });
        assert_eq!(call.state.category.as_deref(), Some("shopping"));

        let (again, out) = run(Endpoint::Menu, key());
        assert_eq!(again, hold, "a repeated request gets the document sent, byte for byte");
        assert!(out.is_empty(), "{out:?}");
    }

    /// A report from a helper's leg of `search`'s wave (`n`: its attempt).
    fn leg(endpoint: Endpoint, search: &str, n: &str, form: &[(&str, &str)]) -> Inbound {
        let pairs = |p: &[(&str, &str)]| p.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<Vec<_>>();
        let mut form = pairs(form);
        form.extend(pairs(&[("CallSid", "CA00000000000000000000000000000009"), ("To", "+31850000000")]));
        parse(endpoint, &pairs(&[("call", search), ("n", n)]), &form).unwrap()
    }

    /// Runs one webhook, returning the statements its transaction ran.
    fn traced(sb: &TestSwitchboard, endpoint: Endpoint, inbound: Inbound) -> Vec<String> {
        sb.store.write(|tx| Ok(statements(tx, || transaction(tx, sb, endpoint, inbound).unwrap()).1)).unwrap()
    }

    /// How many of `all` contain `sql`.
    fn count(all: &[String], sql: &str) -> usize {
        all.iter().filter(|s| s.contains(sql)).count()
    }

    const SEARCH: &str =
        "SELECT status, winner_attempt, started_at, won_at, conference_sid, over_at FROM wave_searches";
    /// A search's status alone: part of loading a call that may be held (`calls::load`),
    /// and how finishing a search used to start.
    const STATUS: &str = "SELECT status FROM wave_searches";
    const REQUEST: &str = "FROM callback_requests WHERE search_sid = ?1";
    const CALL: &str = "menu_rounds, attempts";
    const CALLER: &str = "FROM participants p WHERE p.id = ?1";
    /// One ranking of the register: who is busy elsewhere.
    const RANKING: &str = "SELECT helper_id FROM attempts WHERE ended_at IS NULL AND call_sid <> ?1";

    /// Issue 26 §3: one webhook loads the call, its search and its request once, and a key
    /// in the menu ranks the register once (the search rings from the same ranking). Before
    /// (fb45e21) the menu key ranked twice, and a helper's yes loaded the search twice, the
    /// call twice and the caller twice.
    #[test]
    fn one_report_loads_each_record_once_and_a_key_ranks_once() {
        let sb = switchboard(true, TUESDAY_MORNING);
        let sid = SID;
        sb.store.write(|tx| transaction(tx, &sb, Endpoint::Voice, inbound(Endpoint::Voice, &[], &[]))).unwrap();
        let key = traced(&sb, Endpoint::Menu, inbound(Endpoint::Menu, &[("s", "1")], &[("Digits", "1")]));
        eprintln!("menu key: {} statements, {} rankings", key.len(), count(&key, RANKING));
        assert_eq!(count(&key, RANKING), 1, "the register ranked once: {key:#?}");
        assert_eq!((count(&key, CALL), count(&key, SEARCH)), (1, 1), "the search started: {key:#?}");

        let answered = traced(&sb, Endpoint::WaveWhisper, leg(Endpoint::WaveWhisper, sid, "1", &[]));
        let yes = traced(&sb, Endpoint::WaveKey, leg(Endpoint::WaveKey, sid, "1", &[("Digits", "1")]));
        for (what, all) in [("answered", &answered), ("yes", &yes)] {
            let loads = [CALL, SEARCH, STATUS, REQUEST, CALLER].map(|sql| count(all, sql));
            eprintln!("{what}: {} statements; call, search, status, request, caller: {loads:?}", all.len());
            assert!(loads.iter().all(|&n| n <= 1), "{what}: call, search, status, request, caller {loads:?}: {all:#?}");
        }
    }

    /// Call back later: a report of a call-back search's leg, the resident picking up: the
    /// search and its request are loaded once each.
    #[test]
    fn a_call_back_search_loads_its_search_and_request_once_per_report() {
        let mut sb = switchboard(true, TUESDAY_MORNING);
        sb.sb.rest = Some(super::super::test_support::rest_never_reached());
        let hood = sb.neighbourhoods.by_number("+31850000000").unwrap();
        let jan = PhoneNumber::parse("020-1234567").unwrap();
        let now = crate::clock::Clock::now(&*sb.clock);
        let origin = super::super::callbacks::Origin::Desk;
        sb.store.write(|tx| super::super::callbacks::open(tx, &hood, &jan, "shopping", origin, now)).unwrap().unwrap();
        let (started, _) = super::super::callbacks::start_due(&sb).unwrap();
        assert_eq!(started, 1);
        let search: String = sb
            .store
            .write(|tx| Ok(tx.query_row("SELECT search_sid FROM callback_requests", [], |r| r.get(0))?))
            .unwrap();
        let answered = traced(&sb, Endpoint::WaveWhisper, leg(Endpoint::WaveWhisper, &search, "1", &[]));
        let yes = traced(&sb, Endpoint::WaveKey, leg(Endpoint::WaveKey, &search, "1", &[("Digits", "1")]));
        let pairs = |p: &[(&str, &str)]| p.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<Vec<_>>();
        let form = pairs(&[("CallSid", "CA00000000000000000000000000000008"), ("To", "+31850000000")]);
        let resident = parse(Endpoint::ResidentAnswer, &pairs(&[("call", &search)]), &form).unwrap();
        let picked_up = traced(&sb, Endpoint::ResidentAnswer, resident);
        for (what, all) in [("answered", &answered), ("yes", &yes), ("the resident picked up", &picked_up)] {
            let loads = [CALL, SEARCH, STATUS, REQUEST].map(|sql| count(all, sql));
            eprintln!("{what}: {} statements; call, search, status, request: {loads:?}", all.len());
            assert!(loads.iter().all(|&n| n <= 1), "{what}: call, search, status, request {loads:?}: {all:#?}");
        }
    }
}
