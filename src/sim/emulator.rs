//! A phone network that behaves like Twilio, for the demo, the terminal simulator and the
//! tests. It posts signed, form-encoded webhooks to the real HTTP service and runs the
//! TwiML it gets back, verb by verb, following Twilio's documented behaviour:
//!
//! - relative URLs resolve against the URL of the document that holds them;
//! - a `<Gather>` without input falls through to the next verb;
//! - `<Dial><Number url>` runs the whisper document on the helper's leg after pickup; the
//!   legs are joined only if it ends without `<Hangup/>`; the Dial `action` then gets
//!   `DialCallStatus` (`completed` also for a declined whisper) and `DialBridged`;
//! - verbs after a `<Dial>` or `<Record>` with an `action` are never reached;
//! - `<Record>` posts `RecordingUrl`, `RecordingDuration` and `Digits=hangup` when the
//!   caller hangs up after speaking, `Digits` with the key when they press one of
//!   `finishOnKey`; a caller who speaks longer than `maxLength` is cut off there (the
//!   recording is `maxLength` long, the caller stays on the line, no `Digits`); with
//!   nothing recorded the next verb runs;
//! - the number's status callback gets `CallStatus=completed` when the call ends.
//!
//! Time is simulated: ringing, speaking and talking move a [`SimClock`] forward.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use url::Url;

use super::people::{HelperAction, Line, Phones};
use super::twiml::{speaking_seconds, Verb};
use super::webhook::{post_form, vonage_send, FETCH, NOTIFY_PAYLOAD};
pub use super::webhook::{EmulatorError, Wire};
use super::whisper::{self, Document, HelperLeg, WhisperEnd, WhisperFailure};
use crate::clock::SimClock;
use crate::provider::twilio::signature;

/// What one call did.
#[derive(Clone, Debug, Default)]
pub struct CallReport {
    pub call_sid: String,
    pub lines: Vec<Line>,
    pub requests: u32,
    pub slowest: Duration,
    pub total: Duration,
    /// Every document the service returned: the request's path and query, and the body.
    pub documents: Vec<(String, String)>,
    /// How long each webhook took, in order.
    pub latencies: Vec<Duration>,
    /// The service could not be reached and the number's fallback document ran.
    pub fell_back: bool,
}

pub struct Emulator {
    client: reqwest::Client,
    /// The number's Voice URL; the status callback is `status` beside it.
    voice_url: Url,
    auth_token: String,
    account_sid: String,
    clock: Option<Arc<SimClock>>,
    /// Send every webhook twice, as a provider retrying would, and insist on the same answer.
    pub repeat_every_request: bool,
    /// When the caller hangs up while a phone rings, also post the `<Dial>` action
    /// (`DialCallStatus=canceled`, `CallStatus=completed`) before the status callback.
    pub dial_action_after_hangup: bool,
    /// Real time to wait before each webhook, like people speaking and phones ringing
    /// (for load tests at a realistic pace).
    pub pause_between_requests: Duration,
    /// How long to keep retrying a webhook that fails to connect or answers 5xx, as the
    /// provider's connection retries do while a service restarts (zero: no retries).
    pub retry_for: Duration,
    /// The number's fallback document (e.g. `deploy/fallback.xml`), run when the Voice URL
    /// itself cannot be reached.
    pub fallback_twiml: Option<String>,
    /// The REST side (waves): created calls and conferences.
    pub network: Option<Arc<super::network::Network>>,
    /// A fault a test may ask for: the held caller's next wait document cannot be fetched
    /// (as when the service is restarting).
    pub lose_next_wait_fetch: std::sync::atomic::AtomicBool,
    /// A fault a test may ask for: the first wait document asked for after a helper pressed
    /// 1 cannot be fetched (with `Network::delay_next_join`, before that helper entered).
    pub fail_wait_fetch_after_a_yes: std::sync::atomic::AtomicBool,
    next_sid: AtomicU64,
    /// Whose wire: how webhooks are sent and documents read.
    wire: Wire,
    /// Vonage's REST side (`PUT /v1/calls/{uuid}`): the switchboard ends a helper's leg
    /// there when their whisper ends without a yes.
    pub vonage_rest: Option<Arc<super::vonage_rest::VonageRest>>,
    /// Without a simulated clock: the time webhooks are signed at (Vonage's tokens carry
    /// it), as the service's clock reads it (the system's, unless the service was started
    /// at another time, as the benchmarks do).
    pub wall_clock: Option<Arc<dyn crate::clock::Clock>>,
    /// Vonage: the event of a connect whose callee had answered arrives after the NCCO's
    /// next action was asked (its `notify`), not before. Nothing orders the two (Webhooks
    /// reference: events may come late, twice or out of order); by default the event comes
    /// first, and a test asks for this order by name.
    pub connect_events_late: bool,
}

struct Call<'p> {
    sid: String,
    from: String,
    to: String,
    phones: &'p mut dyn Phones,
    report: CallReport,
    rings: u32,
    /// `inbound`, or `outbound-api` for a call the switchboard created.
    direction: &'static str,
    /// Where the call's end is reported: the created call's `StatusCallback`, or (`None`)
    /// the number's status callback.
    status_url: Option<Url>,
    /// Vonage: a connect's event held back, to be posted after the next webhook
    /// (`Emulator::connect_events_late`).
    late_event: Option<(Url, Vec<(String, String)>)>,
}

impl Call<'_> {
    fn line(&mut self, line: Line) {
        self.phones.line(&line);
        self.report.lines.push(line);
    }

    fn base_params(&self) -> Vec<(String, String)> {
        self.params_with_status("in-progress")
    }

    fn params_with_status(&self, status: &str) -> Vec<(String, String)> {
        vec![
            ("AccountSid".into(), String::new()),
            ("ApiVersion".into(), "2010-04-01".into()),
            ("CallSid".into(), self.sid.clone()),
            ("CallStatus".into(), status.into()),
            ("Called".into(), self.to.clone()),
            ("Caller".into(), self.from.clone()),
            ("Direction".into(), self.direction.into()),
            ("From".into(), self.from.clone()),
            ("To".into(), self.to.clone()),
        ]
    }
}

impl Emulator {
    /// `base` is the service's public URL, e.g. `http://127.0.0.1:8080`.
    pub fn new(base: &str, auth_token: &str, clock: Option<Arc<SimClock>>) -> Result<Emulator, url::ParseError> {
        let voice_url = Url::parse(&format!("{}/twilio/voice", base.trim_end_matches('/')))?;
        Ok(Emulator {
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(15))
                .build()
                .expect("a plain HTTP client builds"),
            voice_url,
            auth_token: auth_token.to_string(),
            account_sid: "AC00000000000000000000000000000000".into(),
            clock,
            repeat_every_request: false,
            dial_action_after_hangup: false,
            pause_between_requests: Duration::ZERO,
            retry_for: Duration::ZERO,
            fallback_twiml: None,
            network: None,
            lose_next_wait_fetch: std::sync::atomic::AtomicBool::new(false),
            fail_wait_fetch_after_a_yes: std::sync::atomic::AtomicBool::new(false),
            next_sid: AtomicU64::new(1),
            wire: Wire::Twilio,
            vonage_rest: None,
            wall_clock: None,
            connect_events_late: false,
        })
    }

    /// The same network speaking Vonage's wire: the number's answer URL is `/vonage/voice`
    /// (asked with `GET`), its event URL `/vonage/status`; webhooks are JSON signed with
    /// `secret` (the application's signature secret), documents NCCO.
    pub fn new_vonage(
        base: &str,
        secret: crate::provider::vonage::jwt::SignatureSecret,
        clock: Option<Arc<SimClock>>,
    ) -> Result<Emulator, url::ParseError> {
        let mut emulator = Emulator::new(base, "", clock)?;
        emulator.voice_url = Url::parse(&format!("{}/vonage/voice", base.trim_end_matches('/')))?;
        emulator.wire = Wire::Vonage(secret);
        Ok(emulator)
    }

    fn is_vonage(&self) -> bool {
        matches!(self.wire, Wire::Vonage(_))
    }

    /// Reads a document as this wire's provider does.
    fn parse(&self, url: &Url, body: &str) -> Result<Vec<Verb>, EmulatorError> {
        self.wire.parse(body).map_err(|message| EmulatorError::Twiml { url: url.to_string(), message })
    }

    /// The simulated time now (the real time without a simulated clock).
    fn now(&self) -> jiff::Timestamp {
        match (&self.clock, &self.wall_clock) {
            (Some(clock), _) => crate::clock::Clock::now(clock.as_ref()),
            (None, Some(clock)) => clock.now(),
            (None, None) => jiff::Timestamp::now(),
        }
    }

    fn new_sid(&self, prefix: &str) -> String {
        let n = self.next_sid.fetch_add(1, Ordering::SeqCst);
        let nanos =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
        format!("{prefix}{:016x}{:016x}", u64::from(nanos) << 20 ^ u64::from(std::process::id()), n)
    }

    fn advance(&self, seconds: i64) {
        if let Some(clock) = &self.clock {
            clock.advance(seconds);
        }
    }

    pub fn voice_url(&self) -> &Url {
        &self.voice_url
    }

    pub fn status_url(&self) -> Url {
        self.voice_url.join("status").expect("a relative path joins")
    }

    /// POSTs a signed, form-encoded webhook; returns status and body.
    pub async fn post(&self, url: &Url, params: &[(String, String)]) -> Result<(u16, String), EmulatorError> {
        self.post_retrying(url, params, self.retry_for).await
    }

    async fn post_retrying(
        &self,
        url: &Url,
        params: &[(String, String)],
        retry_for: Duration,
    ) -> Result<(u16, String), EmulatorError> {
        let mut params = params.to_vec();
        for (k, v) in params.iter_mut() {
            if k == "AccountSid" {
                *v = self.account_sid.clone();
            }
        }
        if self.network.as_ref().is_some_and(|n| n.is_down()) {
            // The service cannot be reached (`Network::go_down_after_next_yes`): to Twilio the
            // same as a 5xx, neither is retried (11205).
            return Ok((503, "the service is down (emulated)".into()));
        }
        if matches!(self.wire, Wire::Twilio) {
            params.retain(|(k, _)| k != FETCH && k != NOTIFY_PAYLOAD);
        }
        let sig = signature(&self.auth_token, url.as_str(), &params);
        let deadline = Instant::now() + retry_for;
        // Twilio makes two connection attempts, and does not retry an answer, a 5xx
        // included (error 11205); `retry_for` is a kinder provider a test must ask for.
        let mut connection_attempts = 0;
        loop {
            let outcome = match &self.wire {
                Wire::Twilio => self.post_with_signature(url, &params, Some(&sig)).await,
                Wire::Vonage(secret) => vonage_send(&self.client, secret, url, &params, self.now()).await,
            };
            connection_attempts += 1;
            let could_not_connect = matches!(&outcome, Err(EmulatorError::Http { .. }));
            // Vonage tries twice more when it cannot connect or the answer is late, and a 5xx
            // triggers a retry ("Troubleshooting" guide; "Webhooks": "By returning an HTTP
            // 5xx response, a retry will be triggered").
            let server_error = matches!(&outcome, Ok((status, _)) if *status >= 500);
            if self.is_vonage() && (could_not_connect || server_error) && connection_attempts < 3 {
                tokio::time::sleep(Duration::from_millis(5)).await;
                continue;
            }
            if could_not_connect && connection_attempts < 2 {
                tokio::time::sleep(Duration::from_millis(5)).await;
                continue;
            }
            let retry = could_not_connect || matches!(&outcome, Ok((status, _)) if *status >= 500);
            if !retry || Instant::now() >= deadline {
                return outcome;
            }
            tokio::time::sleep(Duration::from_millis(40)).await;
        }
    }

    /// POSTs with any signature (or none): for testing refusals.
    pub async fn post_with_signature(
        &self,
        url: &Url,
        params: &[(String, String)],
        sig: Option<&str>,
    ) -> Result<(u16, String), EmulatorError> {
        post_form(&self.client, url, params, sig).await
    }

    async fn webhook(
        &self,
        call: &mut Call<'_>,
        url: &Url,
        params: &[(String, String)],
    ) -> Result<String, EmulatorError> {
        self.webhook_retrying(call, url, params, self.retry_for).await
    }

    async fn webhook_retrying(
        &self,
        call: &mut Call<'_>,
        url: &Url,
        params: &[(String, String)],
        retry_for: Duration,
    ) -> Result<String, EmulatorError> {
        if !self.pause_between_requests.is_zero() {
            // Half to one and a half times the pause, so calls do not march in step.
            let pause = self.pause_between_requests.mul_f64(0.5 + fastrand::f64());
            tokio::time::sleep(pause).await;
        }
        let started = Instant::now();
        let (status, body) = self.post_retrying(url, params, retry_for).await?;
        let took = started.elapsed();
        call.report.requests += 1;
        call.report.total += took;
        call.report.slowest = call.report.slowest.max(took);
        call.report.latencies.push(took);
        if status != 200 {
            return Err(EmulatorError::Status { url: url.to_string(), status, body });
        }
        let path = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        };
        call.report.documents.push((path, body.clone()));
        if self.repeat_every_request {
            let (status2, body2) = self.post(url, params).await?;
            call.report.requests += 1;
            if status2 != 200 || body2 != body {
                return Err(EmulatorError::NotIdempotent {
                    url: url.to_string(),
                    first: body,
                    second: format!("HTTP {status2}: {body2}"),
                });
            }
        }
        Ok(body)
    }

    /// Places a call from `from` to `to` and plays it to the end.
    pub async fn call(&self, from: &str, to: &str, phones: &mut dyn Phones) -> Result<CallReport, EmulatorError> {
        let sid = self.new_sid("CA");
        if let (Some(network), Some(helpers)) = (&self.network, phones.rest_helpers()) {
            network.script_helpers(helpers);
        }
        let mut call = Call {
            sid: sid.clone(),
            from: from.into(),
            to: to.into(),
            phones,
            report: CallReport { call_sid: sid, ..Default::default() },
            rings: 0,
            direction: "inbound",
            status_url: None,
            late_event: None,
        };
        let started = self.clock.as_ref().map(|c| crate::clock::Clock::now(c.as_ref()));
        let mut params = call.params_with_status("ringing");
        params.push((FETCH.into(), String::new()));
        let url = self.voice_url.clone();
        // With a fallback document, a Voice URL that cannot be reached is not retried: the
        // provider goes to the fallback.
        let retry_first = if self.fallback_twiml.is_some() { Duration::ZERO } else { self.retry_for };
        let first = self.webhook_retrying(&mut call, &url, &params, retry_first).await;
        let body = match (first, &self.fallback_twiml) {
            (Ok(body), _) => body,
            (Err(EmulatorError::Http { .. } | EmulatorError::Status { .. }), Some(fallback)) => {
                // The Voice URL is down: the provider runs the number's fallback document.
                // Its URLs (if any) are not ours, so only its verbs without callbacks run.
                let _ = self.run_caller_document(&mut call, &url, fallback).await?;
                call.report.fell_back = true;
                call.line(Line::CallEnded);
                // The number's status callback still reports the end of the call.
                self.status_callback(&mut call, "0").await?;
                return Ok(call.report);
            }
            (Err(e), _) => return Err(e),
        };
        self.play(call, url, body, started).await
    }

    /// A call the switchboard created (`Network::answer_as_caller`), picked up by someone
    /// who then acts as any caller does: every document runs as on a caller's own call
    /// (menus, `<Dial>`, `<Record>`, a conference), and its end goes to the call's
    /// `StatusCallback`. `phones` answers the menus (the first is the created call's own).
    pub async fn answer(
        &self,
        created: super::network::CreatedCall,
        phones: &mut dyn Phones,
    ) -> Result<CallReport, EmulatorError> {
        if let (Some(network), Some(helpers)) = (&self.network, phones.rest_helpers()) {
            network.script_helpers(helpers);
        }
        let mut call = Call {
            sid: created.sid.clone(),
            from: created.from,
            to: created.to,
            phones,
            report: CallReport { call_sid: created.sid, ..Default::default() },
            rings: 0,
            direction: "outbound-api",
            status_url: created.status_callback,
            late_event: None,
        };
        let started = self.clock.as_ref().map(|c| crate::clock::Clock::now(c.as_ref()));
        // Ringing, then picked up: the call's Url is asked for its first document.
        self.advance(8);
        let mut params = call.base_params();
        params.push((FETCH.into(), String::new()));
        let body = self.webhook(&mut call, &created.url, &params).await?;
        self.play(call, created.url, body, started).await
    }

    /// Runs documents from `body` (the answer to `url`) until the call is over, then its
    /// status callback and what happened on the legs the switchboard placed for it.
    async fn play(
        &self,
        mut call: Call<'_>,
        mut url: Url,
        mut body: String,
        started: Option<jiff::Timestamp>,
    ) -> Result<CallReport, EmulatorError> {
        let mut documents = 0;
        loop {
            documents += 1;
            if documents > 200 {
                return Err(EmulatorError::Runaway(documents));
            }
            match self.run_caller_document(&mut call, &url, &body).await? {
                Some((next_url, next_params, hung_up)) => {
                    let next_body = match (self.webhook(&mut call, &next_url, &next_params).await, &self.fallback_twiml)
                    {
                        (Ok(body), _) => body,
                        // The caller has hung up already: nobody hears the answer.
                        (Err(EmulatorError::Http { .. } | EmulatorError::Status { .. }), _) if hung_up => break,
                        // Any webhook that fails goes to the number's fallback (11205).
                        (Err(EmulatorError::Http { .. } | EmulatorError::Status { .. }), Some(fallback)) => {
                            let _ = self.run_caller_document(&mut call, &next_url, fallback).await?;
                            call.report.fell_back = true;
                            break;
                        }
                        (Err(e), _) => return Err(e),
                    };
                    if hung_up {
                        break;
                    }
                    url = next_url;
                    body = next_body;
                }
                None => break,
            }
        }
        call.line(Line::CallEnded);
        let duration = match (started, &self.clock) {
            (Some(s), Some(c)) => (crate::clock::Clock::now(c.as_ref()).as_second() - s.as_second()).to_string(),
            _ => "0".into(),
        };
        self.status_callback(&mut call, &duration).await?;
        if let Some(network) = &self.network {
            // What happened on the helper legs the switchboard placed itself.
            let lines = network.lines_when_done(&call.sid, Duration::from_secs(10)).await;
            for line in lines {
                if network.prints_lines() {
                    // Shown already, as it happened.
                    call.report.lines.push(line);
                } else {
                    call.line(line);
                }
            }
        }
        Ok(call.report)
    }

    /// The number's status callback: the call has ended.
    async fn status_callback(&self, call: &mut Call<'_>, duration: &str) -> Result<(), EmulatorError> {
        let mut status = call.params_with_status("completed");
        status.push(("CallDuration".into(), duration.to_string()));
        status.push(("SequenceNumber".into(), "0".into()));
        let status_url = call.status_url.clone().unwrap_or_else(|| self.status_url());
        match self.webhook(call, &status_url, &status).await {
            // Twilio does not send a status callback again: with a number's fallback (a
            // provider that behaves as documented) it is simply lost.
            Err(EmulatorError::Http { .. } | EmulatorError::Status { .. }) if self.fallback_twiml.is_some() => Ok(()),
            other => other.map(|_| ()),
        }
    }

    /// Runs one document on the caller's leg. Returns the next request to make, with
    /// whether the caller has hung up by then, or `None` when the call is over.
    async fn run_caller_document(
        &self,
        call: &mut Call<'_>,
        url: &Url,
        body: &str,
    ) -> Result<Option<(Url, Vec<(String, String)>, bool)>, EmulatorError> {
        let verbs = self.parse(url, body)?;
        let resolve = |u: &str| {
            url.join(u)
                .map_err(|e| EmulatorError::Twiml { url: url.to_string(), message: format!("bad URL '{u}': {e}") })
        };
        for verb in verbs {
            match verb {
                Verb::Say(text) | Verb::Play(text) => {
                    self.advance(speaking_seconds(&text));
                    call.line(Line::CallerHears(text));
                }
                Verb::Pause(s) => self.advance(i64::from(s)),
                Verb::Gather { action, timeout, action_on_empty, children } => {
                    let mut heard = Vec::new();
                    for child in children {
                        match child {
                            Verb::Say(t) | Verb::Play(t) => {
                                self.advance(speaking_seconds(&t));
                                call.line(Line::CallerHears(t.clone()));
                                heard.push(t);
                            }
                            // The slow line's pause before a choice (issue 27).
                            Verb::Pause(s) => self.advance(i64::from(s)),
                            _ => {}
                        }
                    }
                    let action = resolve(action.as_deref().unwrap_or(url.as_str()))?;
                    match call.phones.caller_key(&heard) {
                        Some(key) => {
                            call.line(Line::CallerPresses(key.clone()));
                            let mut params = call.base_params();
                            params.push(("Digits".into(), key));
                            return Ok(Some((action, params, false)));
                        }
                        None => {
                            call.line(Line::CallerSilent);
                            self.advance(i64::from(timeout));
                            if action_on_empty {
                                let mut params = call.base_params();
                                if self.is_vonage() {
                                    // Vonage's result says nothing was pressed: `timed_out`.
                                    params.push(("Digits".into(), String::new()));
                                }
                                return Ok(Some((action, params, false)));
                            }
                        }
                    }
                }
                Verb::Redirect(target) => return Ok(Some((resolve(&target)?, call.base_params(), false))),
                Verb::Dial { action, timeout, caller_id, number, url: whisper } => {
                    call.rings += 1;
                    if call.phones.caller_hangs_up_while_ringing(call.rings, &number) {
                        call.line(Line::Ringing { number });
                        self.advance(5);
                        call.line(Line::CallerHangsUp);
                        return match action {
                            Some(a) if self.dial_action_after_hangup => {
                                let mut params = call.params_with_status("completed");
                                params.push(("DialCallStatus".into(), "canceled".into()));
                                params.push(("DialCallSid".into(), self.new_sid("CA")));
                                params.push(("DialCallDuration".into(), "0".into()));
                                params.push(("DialBridged".into(), "false".into()));
                                Ok(Some((resolve(&a)?, params, true)))
                            }
                            _ => Ok(None),
                        };
                    }
                    let whisper = whisper.map(|w| resolve(&w)).transpose()?;
                    let (status, bridged, child, duration) =
                        self.dial(call, &number, caller_id.as_deref(), timeout, whisper).await?;
                    if self.is_vonage() {
                        // Vonage's `connect`: its `eventUrl` hears the callee leg's end (its
                        // answer is read only when the callee never answered; see
                        // `connect_overrides`), and otherwise the next action runs.
                        let Some(a) = action else { continue };
                        let target = resolve(&a)?;
                        let mut params = call.base_params();
                        params.push(("DialCallStatus".into(), status.into()));
                        params.push(("DialCallSid".into(), child));
                        params.push(("DialCallDuration".into(), duration.to_string()));
                        if self.connect_events_late && !connect_overrides(status) {
                            call.late_event = Some((target, params));
                            continue;
                        }
                        let Some(answer) = self.vonage_event(call, &target, &params).await? else { return Ok(None) };
                        if connect_overrides(status) && !self.parse(&target, &answer)?.is_empty() {
                            return Box::pin(self.run_caller_document(call, &target, &answer)).await;
                        }
                        continue;
                    }
                    match action {
                        Some(a) => {
                            let mut params = call.base_params();
                            params.push(("DialCallStatus".into(), status.into()));
                            params.push(("DialCallSid".into(), child));
                            params.push(("DialCallDuration".into(), duration.to_string()));
                            params.push(("DialBridged".into(), bridged.to_string()));
                            return Ok(Some((resolve(&a)?, params, false)));
                        }
                        None => continue,
                    }
                }
                Verb::Record { action, timeout, max_length, finish_on_key, asynchronous } => {
                    match call.phones.message_seconds() {
                        Some(spoken) => {
                            // Twilio stops at `maxLength`, and the call goes on to the action.
                            let seconds = spoken.min(max_length);
                            self.advance(i64::from(seconds));
                            call.line(Line::CallerRecords { seconds });
                            let finish = call.phones.record_finish_key().filter(|k| finish_on_key.contains(k.as_str()));
                            let (digits, hung_up) = match finish {
                                _ if spoken > max_length => (None, false),
                                Some(key) => {
                                    call.line(Line::CallerPresses(key.clone()));
                                    (Some(key), false)
                                }
                                None => (Some("hangup".to_string()), true),
                            };
                            let mut params = call.base_params();
                            let rec = self.new_sid("RE");
                            let recording_url = match self.wire {
                                Wire::Twilio => {
                                    format!(
                                        "https://api.twilio.com/2010-04-01/Accounts/{}/Recordings/{rec}",
                                        self.account_sid
                                    )
                                }
                                // The "Recording" guide's form: a file of the EU region's media API.
                                Wire::Vonage(_) => format!("https://api-eu.vonage.com/v1/files/{rec}"),
                            };
                            params.push(("RecordingUrl".into(), recording_url));
                            params.push(("RecordingDuration".into(), seconds.to_string()));
                            params.push(("RecordingSid".into(), rec));
                            if let Some(digits) = digits {
                                params.push(("Digits".into(), digits));
                            }
                            let action = resolve(action.as_deref().unwrap_or(url.as_str()))?;
                            if !asynchronous {
                                return Ok(Some((action, params, hung_up)));
                            }
                            // Vonage's `record` posts the recording on its own and the next
                            // action runs (after a hang-up there is none); its answer is not read.
                            params.retain(|(k, _)| k != "Digits");
                            if self.vonage_event(call, &action, &params).await?.is_none() {
                                return Ok(None);
                            }
                            if hung_up {
                                return Ok(None);
                            }
                        }
                        None => {
                            self.advance(i64::from(timeout));
                            call.line(Line::CallerSilent);
                        }
                    }
                }
                Verb::Notify { url: target, payload } => {
                    // Vonage posts the payload; an NCCO in the answer replaces this one, an
                    // empty one lets the next action run.
                    let target = resolve(&target)?;
                    let mut params = call.base_params();
                    params.push((NOTIFY_PAYLOAD.into(), payload));
                    let Some(answer) = self.vonage_event(call, &target, &params).await? else { return Ok(None) };
                    if let Some((late, params)) = call.late_event.take() {
                        // The connect's event, late: its answer is not read.
                        if self.vonage_event(call, &late, &params).await?.is_none() {
                            return Ok(None);
                        }
                    }
                    if !answer.trim().is_empty() && !self.parse(&target, &answer)?.is_empty() {
                        return Box::pin(self.run_caller_document(call, &target, &answer)).await;
                    }
                }
                Verb::Conference { action, name, wait_url, join_callback } => {
                    let wait_url = wait_url.map(|w| resolve(&w)).transpose()?;
                    let action = action.map(|a| resolve(&a)).transpose()?;
                    let join_callback = join_callback.map(|c| resolve(&c)).transpose()?;
                    match self.hold(call, &name, wait_url, action, join_callback).await? {
                        Held::Over => return Ok(None),
                        Held::Then(url, params, hung_up) => return Ok(Some((url, params, hung_up))),
                        // A conference without an action (TwiML `<Dial>`: "Twilio will move on
                        // to the next TwiML verb"), a conversation (Vonage: "when all the
                        // actions in the NCCO are complete, the Call ends", so the next runs).
                        Held::GoOn => {}
                    }
                }
                Verb::Hangup => return Ok(None),
            }
        }
        // The end of a document ends the call.
        Ok(None)
    }

    /// One of Vonage's event webhooks on the caller's call (a connect's event, a record's
    /// result, a notify): its answer; or, when it fails with a fallback configured, `None`
    /// after the application's fallback answer document ran ("Fallback URL is used when
    /// either the Answer or Event webhook fails or returns an HTTP error status", Voice API
    /// Webhooks Reference).
    async fn vonage_event(
        &self,
        call: &mut Call<'_>,
        url: &Url,
        params: &[(String, String)],
    ) -> Result<Option<String>, EmulatorError> {
        match (self.webhook(call, url, params).await, &self.fallback_twiml) {
            (Ok(answer), _) => Ok(Some(answer)),
            (Err(EmulatorError::Http { .. } | EmulatorError::Status { .. }), Some(fallback)) => {
                let fallback = fallback.clone();
                let _ = Box::pin(self.run_caller_document(call, url, &fallback)).await?;
                call.report.fell_back = true;
                Ok(None)
            }
            (Err(e), _) => Err(e),
        }
    }

    /// The caller waits in a conference of their own, hearing the wait document again and
    /// again, until a helper joins, the call is redirected, or the caller hangs up.
    async fn hold(
        &self,
        call: &mut Call<'_>,
        name: &str,
        wait_url: Option<Url>,
        action: Option<Url>,
        join_callback: Option<Url>,
    ) -> Result<Held, EmulatorError> {
        use super::network::ConferenceEvent;
        let Some(network) = self.network.clone() else {
            return Err(EmulatorError::Twiml {
                url: self.voice_url.to_string(),
                message: "a <Conference> needs the emulator's REST network (waves)".into(),
            });
        };
        let (events_tx, mut events) = tokio::sync::mpsc::unbounded_channel();
        // Vonage reports the move into the conversation (`transfer`) to the call's own
        // event URL.
        let join_callback = match self.is_vonage() {
            true => Some(call.status_url.clone().unwrap_or_else(|| self.status_url())),
            false => join_callback,
        };
        network.open_conference(name, &call.sid, events_tx, join_callback).await;
        // What the caller hears while nobody else is in the conference.
        enum Waiting {
            /// No `waitUrl`: Twilio's default hold music.
            Music,
            /// The next wait document to fetch.
            Document(Url),
            /// A wait document ran out of verbs without a `<Redirect>`: Twilio does not
            /// fetch it again (TwiML `<Conference>` docs), so the caller hears nothing.
            Silence,
        }
        let mut waiting = match wait_url {
            Some(url) => Waiting::Document(url),
            None => Waiting::Music,
        };
        // The `<Dial>` action after a conference: `DialCallStatus=answered`, without
        // `DialCallDuration` or `DialCallSid` (TwiML `<Dial>` docs, "attributes/action").
        let dial_action = |call: &Call<'_>, status: &str| match action.clone() {
            Some(a) => {
                let mut params = call.base_params();
                params.push(("DialCallStatus".into(), status.into()));
                Held::Then(a, params, false)
            }
            None => Held::GoOn,
        };
        let mut round = 0;
        let held_since = Instant::now();
        let outcome = loop {
            if call.phones.caller_hangs_up_on_hold(round) {
                call.line(Line::CallerHangsUp);
                break Held::Over;
            }
            round += 1;
            // A service that never moves the caller on. Vonage's hold music asks nothing of
            // the service, so there the caller waits (in real time) for its clock's ticks:
            // after an outage, as long as the service takes to find a lost report (a leg's
            // end: its ring time and two minutes, `waves::Limits::leg_lost_after_seconds`).
            if round > 500 && !(self.is_vonage() && held_since.elapsed() < VONAGE_HOLD_PATIENCE) {
                network.close_conference(name, &call.sid);
                return Err(EmulatorError::Runaway(round as usize));
            }
            // One round of waiting, in simulated time; helper legs move on in (scaled) real
            // time meanwhile.
            let mut seconds = 5;
            if let Waiting::Document(wait) = &waiting {
                let wait = wait.clone();
                let after_a_yes = self.fail_wait_fetch_after_a_yes.load(Ordering::SeqCst)
                    && network.pressed_one(&call.sid)
                    && self.fail_wait_fetch_after_a_yes.swap(false, Ordering::SeqCst);
                let fetched = if self.lose_next_wait_fetch.swap(false, Ordering::SeqCst) || after_a_yes {
                    Err(EmulatorError::Status { url: wait.to_string(), status: 502, body: "lost (emulated)".into() })
                } else {
                    self.webhook(call, &wait, &call.base_params()).await
                };
                let body = match fetched {
                    Ok(body) => body,
                    // A failed waitUrl fetch: the conference is not fully established and the
                    // call goes on to the `<Dial>` action (error 13238 / `<Conference>` docs).
                    // Which DialCallStatus Twilio sends then is not documented: the service
                    // must not rely on it.
                    Err(EmulatorError::Http { .. } | EmulatorError::Status { .. }) => {
                        // A helper who entered while the fetch was under way started the
                        // conference (`startConferenceOnEnter`): it is established, the wait
                        // is over and its document no longer matters. (What Twilio does with
                        // a wait fetch that fails after the start is not documented; the
                        // documented failure is that of a conference not yet started.)
                        if let Ok(ConferenceEvent::HelperJoined { number, ended, reported }) = events.try_recv() {
                            call.line(Line::Connected { number });
                            // The conversation outlasts the conference's report of the entry.
                            let _ = tokio::time::timeout(Duration::from_secs(20), reported).await;
                            self.advance(240);
                            let _ = ended.send(());
                            network.close_conference(name, &call.sid);
                            return Ok(dial_action(call, "answered"));
                        }
                        call.line(Line::NotReached { number: call.sid.clone(), status: "wait document failed".into() });
                        network.close_conference(name, &call.sid);
                        return Ok(dial_action(call, "failed"));
                    }
                    Err(e) => return Err(e),
                };
                seconds = 0;
                waiting = Waiting::Silence;
                for verb in self.parse(&wait, &body)? {
                    match verb {
                        Verb::Say(text) | Verb::Play(text) => {
                            seconds += speaking_seconds(&text);
                            call.line(Line::CallerHears(text));
                        }
                        Verb::Pause(s) => seconds += i64::from(s),
                        // Only a `<Redirect>` asks for the next wait document.
                        Verb::Redirect(target) => {
                            waiting = Waiting::Document(wait.join(&target).map_err(|e| EmulatorError::Twiml {
                                url: wait.to_string(),
                                message: format!("bad URL '{target}': {e}"),
                            })?);
                            break;
                        }
                        other => {
                            network.close_conference(name, &call.sid);
                            return Err(EmulatorError::Twiml {
                                url: wait.to_string(),
                                message: format!("{other:?} is not allowed in a wait document (13238)"),
                            });
                        }
                    }
                }
                if matches!(waiting, Waiting::Silence) {
                    call.line(Line::Silence { number: call.from.clone() });
                }
            }
            self.advance(seconds.max(1));
            let real = Duration::from_millis(network.ms_per_second() * seconds.max(1) as u64);
            match tokio::time::timeout(real, events.recv()).await {
                Ok(Some(ConferenceEvent::HelperJoined { number, ended, reported })) => {
                    call.line(Line::Connected { number });
                    // The conversation outlasts the conference's report of the entry.
                    let _ = tokio::time::timeout(Duration::from_secs(20), reported).await;
                    self.advance(240);
                    let _ = ended.send(());
                    break dial_action(call, "answered");
                }
                Ok(Some(ConferenceEvent::Redirect(url))) if self.is_vonage() => {
                    // A transfer: the NCCO at `url` is asked for (as any answer URL is) and
                    // replaces this one; the conversation is left.
                    let mut params = call.base_params();
                    params.push((FETCH.into(), String::new()));
                    break Held::Then(url, params, false);
                }
                Ok(Some(ConferenceEvent::Redirect(url))) => {
                    // A REST redirect of a call in `<Dial action>` also requests that action,
                    // whose answer Twilio ignores (TwiML changelog, 2021-05-13). In which order
                    // the two arrive is not documented; here the action comes first.
                    if let Held::Then(action_url, params, _) = dial_action(call, "completed") {
                        // Its answer is ignored, and so is its failure.
                        if let Err(e) = self.webhook(call, &action_url, &params).await {
                            if !matches!(e, EmulatorError::Http { .. } | EmulatorError::Status { .. }) {
                                return Err(e);
                            }
                        }
                    }
                    break Held::Then(url, call.base_params(), false);
                }
                Ok(Some(ConferenceEvent::Announce(url))) => self.announcement(call, &url).await?,
                Ok(Some(ConferenceEvent::Talk(ncco))) => self.spoken_into(call, &ncco)?,
                Ok(Some(ConferenceEvent::Twiml(twiml))) => {
                    // Inline TwiML takes the caller out of the conference and runs at once.
                    if let Held::Then(action_url, params, _) = dial_action(call, "completed") {
                        self.webhook(call, &action_url, &params).await?;
                    }
                    network.close_conference(name, &call.sid);
                    let here = self.voice_url.clone();
                    // TwiML sent with an update must use absolute URLs (15004): `here` is never used.
                    return Ok(match Box::pin(self.run_caller_document(call, &here, &twiml)).await? {
                        Some((url, params, hung_up)) => Held::Then(url, params, hung_up),
                        None => Held::Over,
                    });
                }
                Ok(Some(ConferenceEvent::Hangup)) | Ok(None) => break Held::Over,
                Err(_) => {}
            }
        };
        network.close_conference(name, &call.sid);
        Ok(outcome)
    }

    /// Speech played into the call where the caller waits (Vonage's `PUT
    /// /v1/calls/{uuid}/talk`, "Play text to speech into a call"): heard by them alone; they
    /// stay in the conversation.
    fn spoken_into(&self, call: &mut Call<'_>, ncco: &str) -> Result<(), EmulatorError> {
        let mut seconds = 0;
        for verb in self.parse(&self.voice_url, ncco)? {
            match verb {
                Verb::Say(text) => {
                    seconds += speaking_seconds(&text);
                    call.line(Line::CallerHears(text));
                }
                Verb::Pause(s) => seconds += i64::from(s),
                _ => {}
            }
        }
        self.advance(seconds);
        Ok(())
    }

    /// A participant announcement, heard by the caller alone where they wait: only
    /// `<Say>`, `<Play>` and `<Pause>` are played (`<Redirect>` is allowed but not followed
    /// here; anything else is error 13238). One that cannot be fetched is not heard, and
    /// the call goes on (what Twilio does then is not documented beyond its
    /// `announcement-fail` conference event).
    async fn announcement(&self, call: &mut Call<'_>, url: &Url) -> Result<(), EmulatorError> {
        let body = match self.webhook(call, url, &call.base_params()).await {
            Ok(body) => body,
            Err(EmulatorError::Http { .. } | EmulatorError::Status { .. }) => {
                call.line(Line::NotReached { number: call.sid.clone(), status: "announcement failed".into() });
                return Ok(());
            }
            Err(e) => return Err(e),
        };
        let mut seconds = 0;
        for verb in self.parse(url, &body)? {
            match verb {
                Verb::Say(text) | Verb::Play(text) => {
                    seconds += speaking_seconds(&text);
                    call.line(Line::CallerHears(text));
                }
                Verb::Pause(s) => seconds += i64::from(s),
                Verb::Redirect(_) => break,
                other => {
                    let message = format!("{other:?} is not allowed in an announcement (13238)");
                    return Err(EmulatorError::Twiml { url: url.to_string(), message });
                }
            }
        }
        self.advance(seconds);
        Ok(())
    }

    /// Rings one number. Returns DialCallStatus, DialBridged, the child CallSid and the
    /// talk time.
    async fn dial(
        &self,
        call: &mut Call<'_>,
        number: &str,
        caller_id: Option<&str>,
        timeout: u32,
        whisper: Option<Url>,
    ) -> Result<(&'static str, bool, String, u32), EmulatorError> {
        let child = self.new_sid("CA");
        call.line(Line::Ringing { number: number.to_string() });
        let Some(whisper) = whisper else {
            // The desk phone: no screening.
            return Ok(if call.phones.desk_answers() {
                call.line(Line::DeskAnswers);
                self.advance(180);
                ("completed", true, child, 180)
            } else {
                self.advance(i64::from(timeout));
                call.line(Line::NotReached { number: number.to_string(), status: "no-answer".into() });
                ("no-answer", false, child, 0)
            });
        };
        let action = call.phones.helper(number);
        let not_reached = |call: &mut Call<'_>, status: &'static str| {
            call.line(Line::NotReached { number: number.to_string(), status: status.into() });
        };
        match action {
            HelperAction::NoAnswer => {
                self.advance(i64::from(timeout));
                not_reached(call, "no-answer");
                return Ok(("no-answer", false, child, 0));
            }
            HelperAction::Busy => {
                self.advance(2);
                not_reached(call, "busy");
                return Ok(("busy", false, child, 0));
            }
            HelperAction::Failed => {
                self.advance(1);
                not_reached(call, "failed");
                return Ok(("failed", false, child, 0));
            }
            _ => self.advance(8),
        }
        let params = vec![
            ("AccountSid".to_string(), String::new()),
            ("ApiVersion".into(), "2010-04-01".into()),
            ("CallSid".into(), child.clone()),
            ("CallStatus".into(), "in-progress".into()),
            ("Direction".into(), "outbound-dial".into()),
            ("From".into(), caller_id.unwrap_or(&call.from).to_string()),
            ("ParentCallSid".into(), call.sid.clone()),
            ("To".into(), number.to_string()),
        ];
        if let Some(rest) = &self.vonage_rest {
            rest.ring(&child);
        }
        let mut leg = DialledLeg { emulator: self, call, leg: child.clone() };
        let ran = whisper::run(
            &mut leg,
            whisper::Helper { number, action: &action },
            Document::DialWhisper,
            whisper,
            &params,
        )
        .await;
        if let Some(rest) = &self.vonage_rest {
            rest.end(&child);
        }
        match ran {
            Ok(WhisperEnd::RanOut) => {
                // The whisper ended without a hang-up: the legs are joined.
                call.line(Line::Connected { number: number.to_string() });
                self.advance(240);
                Ok(("completed", true, child, 240))
            }
            Ok(_) => Ok(("completed", false, child, 0)),
            // The whisper's webhook failed: the helper's leg ends without being joined.
            // What Twilio reports to the `<Dial>` action then is not documented; the
            // service must be safe either way.
            Err(WhisperFailure::Webhook(EmulatorError::Http { .. } | EmulatorError::Status { .. }))
                if self.fallback_twiml.is_some() =>
            {
                call.line(Line::NotReached { number: number.to_string(), status: "whisper failed".into() });
                Ok(("completed", false, child, 0))
            }
            Err(WhisperFailure::Webhook(e)) => Err(e),
            Err(WhisperFailure::Twiml { url, message }) => Err(EmulatorError::Twiml { url, message }),
            Err(WhisperFailure::Runaway(n)) => Err(EmulatorError::Runaway(n)),
        }
    }
}

/// A helper's leg rung by `<Dial>`: its time is the simulated clock, its webhooks go
/// through the caller's call (retried and checked like the caller's own).
struct DialledLeg<'e, 'c, 'p> {
    emulator: &'e Emulator,
    call: &'c mut Call<'p>,
    /// The helper's leg (its CallSid, or Vonage's uuid).
    leg: String,
}

impl HelperLeg for DialledLeg<'_, '_, '_> {
    type Error = EmulatorError;

    async fn pass(&mut self, seconds: i64) {
        self.emulator.advance(seconds);
    }

    async fn post(&mut self, url: &Url, params: &[(String, String)]) -> Result<String, EmulatorError> {
        let answer = self.emulator.webhook(self.call, url, params).await?;
        if let (true, Some(rest)) = (params.iter().any(|(k, _)| k == NOTIFY_PAYLOAD), &self.emulator.vonage_rest) {
            // A `notify` in a whisper asks the switchboard to end this leg through the REST
            // API, which takes real time: the leg ends where the hang-up lands, so it is
            // waited for here (two seconds at most: ample on loopback), which keeps the
            // simulated time the same from run to run.
            rest.wait_for_hangup(&self.leg, Duration::from_secs(2)).await;
        }
        Ok(answer)
    }

    fn ended_by_switchboard(&self) -> bool {
        self.emulator.vonage_rest.as_ref().is_some_and(|rest| rest.hung_up(&self.leg))
    }

    async fn fetch(&mut self, url: &Url, params: &[(String, String)]) -> Result<String, EmulatorError> {
        let mut params = params.to_vec();
        params.push((FETCH.into(), String::new()));
        self.emulator.webhook(self.call, url, &params).await
    }

    fn parse(&self, body: &str) -> Result<Vec<Verb>, String> {
        self.emulator.wire.parse(body)
    }

    fn line(&mut self, line: Line) {
        self.call.line(line);
    }
}

/// How long (real time) a caller on Vonage's hold music waits for the service at most.
const VONAGE_HOLD_PATIENCE: Duration = Duration::from_secs(240);

/// How a caller's wait in a conference ended.
enum Held {
    /// The call is over.
    Over,
    /// The next document is asked for at this URL (with these fields; whether the caller
    /// has hung up by then).
    Then(Url, Vec<(String, String)>, bool),
    /// The document goes on with its next verb.
    GoOn,
}

/// Whether the answer to a `connect`'s event replaces the caller's NCCO. Vonage's NCCO
/// reference says a synchronous connect's `eventUrl` "can return an NCCO that overrides the
/// current NCCO when a timeout occurs" ("when a call moves to specific states", which it does
/// not list; its "Fallback NCCO" example is for a callee who does not answer). So here only
/// the states of a callee who never answered override; after an answered leg ends
/// (`completed`) the answer is not read and the next action runs. The service must be safe
/// either way.
fn connect_overrides(dial_status: &str) -> bool {
    matches!(dial_status, "no-answer" | "busy" | "failed")
}
