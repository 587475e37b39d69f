//! Twilio's REST API, the few calls we make: create an outbound call, steer or end a live
//! call, fetch a recording, and delete a recording or a call record.
//!
//! Requests are form-encoded with the parameter names of Twilio's OpenAPI description
//! (`To`, `From`, `Url`, `StatusCallbackEvent` once per event, ...) and HTTP Basic auth with
//! the account SID and auth token. Every SID is checked before it goes into a path.
//!
//! 429 and 5xx answers, failed connections and timeouts are retried with exponential backoff
//! and jitter (a 429's `Retry-After` is honoured, capped); other 4xx answers are final.
//! Retrying a call creation after a timeout or a 5xx can, rarely, ring a helper twice: Twilio
//! has no idempotency key for calls, and a missed ring is worse than a double one.
//! Call creations are paced by a limiter that waits instead of failing.

use std::fmt;
use std::sync::Mutex;
use std::time::Duration;

use reqwest::header::{HeaderMap, ACCEPT, CONTENT_LENGTH, CONTENT_TYPE, RETRY_AFTER};
use reqwest::{Method, StatusCode};
use serde::Deserialize;
use tokio::time::Instant;
use url::Url;

/// The account's credentials and where the API lives.
#[derive(Clone)]
pub struct RestConfig {
    pub account_sid: String,
    pub auth_token: String,
    /// `https://api.twilio.com`, or a mock's address in tests.
    pub api_base: Url,
}

/// Never prints the auth token.
impl fmt::Debug for RestConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RestConfig")
            .field("account_sid", &self.account_sid)
            .field("auth_token", &"<redacted>")
            .field("api_base", &self.api_base.as_str())
            .finish()
    }
}

pub const DEFAULT_API_BASE: &str = "https://api.twilio.com";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("{0} is not set")]
    Missing(&'static str),
    #[error("{var} is not valid: {reason}")]
    Invalid { var: &'static str, reason: String },
}

impl RestConfig {
    /// From `TWILIO_ACCOUNT_SID`, `TWILIO_AUTH_TOKEN` and `TWILIO_API_BASE` (default
    /// `https://api.twilio.com`).
    pub fn from_env() -> Result<RestConfig, ConfigError> {
        RestConfig::from_lookup(|name| std::env::var(name).ok())
    }

    /// As `from_env`, with the variables from `lookup` (empty counts as unset).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<RestConfig, ConfigError> {
        let get = |name: &'static str| lookup(name).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        let account_sid = get("TWILIO_ACCOUNT_SID").ok_or(ConfigError::Missing("TWILIO_ACCOUNT_SID"))?;
        let auth_token = get("TWILIO_AUTH_TOKEN").ok_or(ConfigError::Missing("TWILIO_AUTH_TOKEN"))?;
        let api_base = get("TWILIO_API_BASE").unwrap_or_else(|| DEFAULT_API_BASE.to_string());
        let api_base = Url::parse(&api_base)
            .map_err(|e| ConfigError::Invalid { var: "TWILIO_API_BASE", reason: e.to_string() })?;
        RestConfig::new(account_sid, auth_token, api_base)
    }

    /// Checks the account SID (`AC` + 32 hex) and that `api_base` is an http(s) base URL.
    pub fn new(account_sid: String, auth_token: String, api_base: Url) -> Result<RestConfig, ConfigError> {
        if !is_sid("AC", &account_sid) {
            let reason = "expected AC followed by 32 hexadecimal digits".to_string();
            return Err(ConfigError::Invalid { var: "TWILIO_ACCOUNT_SID", reason });
        }
        if !matches!(api_base.scheme(), "http" | "https") || api_base.cannot_be_a_base() || api_base.host().is_none() {
            let reason = format!("{api_base} is not an http(s) URL");
            return Err(ConfigError::Invalid { var: "TWILIO_API_BASE", reason });
        }
        Ok(RestConfig { account_sid, auth_token, api_base })
    }
}

/// Timeouts, retries and pacing.
#[derive(Debug, Clone)]
pub struct RestOptions {
    /// The whole request, body included. Default 10 s.
    pub request_timeout: Duration,
    /// Default 5 s.
    pub connect_timeout: Duration,
    /// Retries after the first attempt. Default 3.
    pub max_retries: u32,
    /// The first retry waits about this long, each next one twice as long. Default 200 ms.
    pub base_backoff: Duration,
    /// No wait between attempts is longer, `Retry-After` included. Default 30 s.
    pub max_backoff: Duration,
    /// Outbound call creations per second, at most (Twilio's default limit is 1). Default 1.
    pub calls_per_second: f64,
}

impl Default for RestOptions {
    fn default() -> Self {
        RestOptions {
            request_timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(5),
            max_retries: 3,
            base_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(30),
            calls_per_second: 1.0,
        }
    }
}

/// The error body Twilio sends with a 4xx or 5xx.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TwilioError {
    pub code: Option<i64>,
    pub message: Option<String>,
    pub more_info: Option<String>,
    pub status: Option<u16>,
}

#[derive(Debug, thiserror::Error)]
pub enum RestError {
    #[error("not a {kind} SID: {value:?} (expected {kind} followed by 32 hexadecimal digits)")]
    InvalidSid { kind: &'static str, value: String },
    #[error("Twilio refused the request ({}): {}", status_and_code(*.status, .error.as_ref()), message(.error.as_ref(), .body))]
    Refused { status: u16, error: Option<TwilioError>, body: String },
    #[error("Twilio kept failing ({}) after {attempts} attempts: {}", status_and_code(*.status, .error.as_ref()), message(.error.as_ref(), .body))]
    GaveUp { status: u16, attempts: u32, error: Option<TwilioError>, body: String },
    #[error("could not reach Twilio (attempts: {attempts}): {}", chain(.source))]
    Transport { attempts: u32, source: reqwest::Error },
    #[error("unexpected answer from Twilio ({status}): {reason}")]
    UnexpectedBody { status: u16, reason: String },
    #[error("could not build the HTTP client: {0}")]
    Client(reqwest::Error),
}

/// An error and its causes: reqwest's own message does not say why a connection failed.
fn chain(error: &dyn std::error::Error) -> String {
    let mut out = error.to_string();
    let mut cause = error.source();
    while let Some(e) = cause {
        out.push_str(": ");
        out.push_str(&e.to_string());
        cause = e.source();
    }
    out
}

fn status_and_code(status: u16, error: Option<&TwilioError>) -> String {
    match error.and_then(|e| e.code) {
        Some(code) => format!("{status}, code {code}"),
        None => status.to_string(),
    }
}

fn message(error: Option<&TwilioError>, body: &str) -> String {
    match error.and_then(|e| e.message.as_deref()) {
        Some(message) => message.to_string(),
        None if body.trim().is_empty() => "no details".to_string(),
        None => body.trim().to_string(),
    }
}

pub type Result<T, E = RestError> = std::result::Result<T, E>;

impl RestError {
    /// Twilio answered 404: no such resource (for a delete: it is already gone).
    pub fn is_not_found(&self) -> bool {
        matches!(self, RestError::Refused { status: 404, .. })
    }

    /// Twilio failed for a while (5xx or 429 after the retries) or could not be reached or
    /// did not answer in time: a passing fault, worth asking again later. Everything else
    /// (a refusal, an answer we cannot read) will be the same next time.
    pub fn is_passing(&self) -> bool {
        match self {
            RestError::GaveUp { .. } | RestError::Transport { .. } => true,
            RestError::InvalidSid { .. }
            | RestError::Refused { .. }
            | RestError::UnexpectedBody { .. }
            | RestError::Client(_) => false,
        }
    }
}

/// A call as the API describes it; fields we do not use are ignored.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CallResource {
    pub sid: String,
    pub status: CallStatus,
    #[serde(default)]
    pub to: Option<String>,
    #[serde(default)]
    pub from: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CallStatus {
    Queued,
    Ringing,
    InProgress,
    Completed,
    Busy,
    Failed,
    NoAnswer,
    Canceled,
    /// A status this code does not know yet.
    #[serde(other)]
    Other,
}

/// A recording's metadata.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct RecordingResource {
    pub sid: String,
    #[serde(default)]
    pub call_sid: Option<String>,
    /// Seconds, as a string (as the API sends it); `None` while processing.
    #[serde(default)]
    pub duration: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
}

/// A conference, as `GET .../Conferences.json` lists it.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct ConferenceResource {
    pub sid: String,
    #[serde(default)]
    pub friendly_name: Option<String>,
    /// `init`, `in-progress` or `completed`.
    #[serde(default)]
    pub status: Option<String>,
    /// The call whose exit ended the conference (`endConferenceOnExit`), once it ended.
    #[serde(default)]
    pub call_sid_ending_conference: Option<String>,
}

/// A conference's status, as the list's `Status` filter takes it (`conference_enum_status`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConferenceStatus {
    /// Created, not yet started.
    Init,
    InProgress,
    Completed,
}

impl ConferenceStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ConferenceStatus::Init => "init",
            ConferenceStatus::InProgress => "in-progress",
            ConferenceStatus::Completed => "completed",
        }
    }
}

/// Someone in a conference in progress, as `GET .../Participants.json` lists them.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct ParticipantResource {
    pub call_sid: String,
}

#[derive(Deserialize)]
struct ParticipantPage {
    #[serde(default)]
    participants: Vec<ParticipantResource>,
}

#[derive(Deserialize)]
struct ConferencePage {
    #[serde(default)]
    conferences: Vec<ConferenceResource>,
}

pub use crate::provider::commands::{Recording, MAX_RECORDING_BYTES};

/// The call progress events a status callback reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallEvent {
    Initiated,
    Ringing,
    Answered,
    Completed,
}

impl CallEvent {
    fn as_str(self) -> &'static str {
        match self {
            CallEvent::Initiated => "initiated",
            CallEvent::Ringing => "ringing",
            CallEvent::Answered => "answered",
            CallEvent::Completed => "completed",
        }
    }
}

/// Answering-machine detection on a created call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MachineDetection {
    /// `AnsweredBy` as soon as a human or machine is recognised.
    Enable,
    /// Waits for the end of a machine's greeting (the beep).
    DetectMessageEnd,
}

impl MachineDetection {
    fn as_str(self) -> &'static str {
        match self {
            MachineDetection::Enable => "Enable",
            MachineDetection::DetectMessageEnd => "DetectMessageEnd",
        }
    }
}

/// An outbound call: ring `to` from `from`; when answered, Twilio POSTs to `url`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateCall {
    /// E.164.
    pub to: String,
    /// Our own Twilio number, E.164.
    pub from: String,
    /// The document to run when the call is answered (the whisper).
    pub url: Url,
    pub status_callback: Option<Url>,
    /// Sent only with a `status_callback`; empty means Twilio's default (`completed`).
    pub status_callback_events: Vec<CallEvent>,
    /// Seconds of ringing before `no-answer` (Twilio's default is 60).
    pub timeout_secs: Option<u32>,
    pub machine_detection: Option<MachineDetection>,
    /// Requested (POST) when a webhook of this call fails: Twilio does not retry a 5xx
    /// (error 11205), and a created call without one whose webhook fails is ended.
    pub fallback_url: Option<Url>,
}

/// A change to a live call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpdateCall {
    /// Fetch and run the document at this URL now (POST).
    Redirect(Url),
    /// Run this TwiML document now.
    Twiml(String),
    /// End a call that is queued or ringing (`Status=canceled`).
    Cancel,
    /// End a call whatever its state (`Status=completed`).
    Complete,
}

impl CreateCall {
    /// The form body, parameters in a fixed order.
    pub fn form(&self) -> String {
        let mut form = form_urlencoded::Serializer::new(String::new());
        form.append_pair("To", &self.to).append_pair("From", &self.from);
        form.append_pair("Url", self.url.as_str()).append_pair("Method", "POST");
        if let Some(fallback) = &self.fallback_url {
            form.append_pair("FallbackUrl", fallback.as_str()).append_pair("FallbackMethod", "POST");
        }
        if let Some(callback) = &self.status_callback {
            form.append_pair("StatusCallback", callback.as_str()).append_pair("StatusCallbackMethod", "POST");
            for event in &self.status_callback_events {
                form.append_pair("StatusCallbackEvent", event.as_str());
            }
        }
        if let Some(timeout) = self.timeout_secs {
            form.append_pair("Timeout", &timeout.to_string());
        }
        if let Some(detection) = self.machine_detection {
            form.append_pair("MachineDetection", detection.as_str());
        }
        form.finish()
    }
}

impl UpdateCall {
    /// The form body.
    pub fn form(&self) -> String {
        let mut form = form_urlencoded::Serializer::new(String::new());
        match self {
            UpdateCall::Redirect(url) => form.append_pair("Url", url.as_str()).append_pair("Method", "POST"),
            UpdateCall::Twiml(twiml) => form.append_pair("Twiml", twiml),
            UpdateCall::Cancel => form.append_pair("Status", "canceled"),
            UpdateCall::Complete => form.append_pair("Status", "completed"),
        };
        form.finish()
    }
}

/// `prefix` followed by 32 hexadecimal digits, as in the API's patterns (`^CA[0-9a-fA-F]{32}$`).
pub fn is_sid(prefix: &str, s: &str) -> bool {
    s.len() == prefix.len() + 32
        && s.starts_with(prefix)
        && s.as_bytes()[prefix.len()..].iter().all(u8::is_ascii_hexdigit)
}

fn check_sid<'a>(kind: &'static str, s: &'a str) -> Result<&'a str> {
    if is_sid(kind, s) {
        Ok(s)
    } else {
        Err(RestError::InvalidSid { kind, value: s.chars().take(64).collect() })
    }
}

/// The recording SID in a `RecordingUrl` as webhooks send it
/// (`https://api.twilio.com/2010-04-01/Accounts/AC.../Recordings/RE...`, with or without an
/// extension), if it is one.
pub fn recording_sid_from_url(recording_url: &str) -> Option<String> {
    let url = Url::parse(recording_url.trim()).ok()?;
    let mut segments: Vec<&str> = url.path_segments()?.collect();
    if segments.last() == Some(&"") {
        segments.pop();
    }
    let last = segments.pop()?;
    if segments.pop()? != "Recordings" {
        return None;
    }
    let sid = match last.rsplit_once('.') {
        Some((sid, "mp3" | "wav" | "json")) => sid,
        Some(_) => return None,
        None => last,
    };
    is_sid("RE", sid).then(|| sid.to_string())
}

/// Paces call creations: each gets the next free slot, `1 / rate` seconds after the one
/// before (a token bucket holding one token).
#[derive(Debug)]
struct Pacer {
    interval: Duration,
    next_free: Option<Instant>,
}

impl Pacer {
    fn new(per_second: f64) -> Pacer {
        let per_second = if per_second.is_finite() && per_second > 0.0 { per_second } else { 1.0 };
        Pacer { interval: Duration::from_secs_f64(1.0 / per_second), next_free: None }
    }

    /// When a creation asked for at `now` may go.
    fn reserve(&mut self, now: Instant) -> Instant {
        let slot = match self.next_free {
            Some(free) if free > now => free,
            _ => now,
        };
        self.next_free = Some(slot + self.interval);
        slot
    }
}

/// The wait before retry number `retry` (0 for the first): `base * 2^retry`, the upper half
/// of it random (`unit` in 0..1), at most `max`.
fn backoff(base: Duration, max: Duration, retry: u32, unit: f64) -> Duration {
    let full = base.saturating_mul(2u32.saturating_pow(retry.min(16))).min(max);
    full / 2 + full.mul_f64(unit.clamp(0.0, 1.0) / 2.0)
}

/// `Retry-After` in seconds (Twilio does not send the date form).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    value.parse::<u64>().ok().map(Duration::from_secs)
}

/// A client for one account. Cheap to share behind an `Arc`.
pub struct RestClient {
    config: RestConfig,
    options: RestOptions,
    http: reqwest::Client,
    pacer: Mutex<Pacer>,
}

impl fmt::Debug for RestClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RestClient").field("config", &self.config).field("options", &self.options).finish()
    }
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl RestClient {
    pub fn new(config: RestConfig, options: RestOptions) -> Result<RestClient> {
        let http = reqwest::Client::builder()
            .timeout(options.request_timeout)
            .connect_timeout(options.connect_timeout)
            .user_agent(concat!("burenlijn/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(RestError::Client)?;
        let pacer = Mutex::new(Pacer::new(options.calls_per_second));
        Ok(RestClient { config, options, http, pacer })
    }

    /// `POST /2010-04-01/Accounts/{AccountSid}/Calls.json`; waits for the pacer first.
    pub async fn create_call(&self, call: &CreateCall) -> Result<CallResource> {
        let url = self.url(&["Calls.json"]);
        let answer = self.send(Method::POST, url, Some(call.form()), true).await?;
        json(&answer)
    }

    /// `POST /2010-04-01/Accounts/{AccountSid}/Calls/{Sid}.json`.
    pub async fn update_call(&self, call_sid: &str, update: &UpdateCall) -> Result<CallResource> {
        let sid = check_sid("CA", call_sid)?;
        let url = self.url(&["Calls", &format!("{sid}.json")]);
        let answer = self.send(Method::POST, url, Some(update.form()), false).await?;
        json(&answer)
    }

    /// `GET /2010-04-01/Accounts/{AccountSid}/Recordings/{Sid}.json`: the metadata.
    pub async fn fetch_recording(&self, recording_sid: &str) -> Result<RecordingResource> {
        let sid = check_sid("RE", recording_sid)?;
        let url = self.url(&["Recordings", &format!("{sid}.json")]);
        let answer = self.send(Method::GET, url, None, false).await?;
        json(&answer)
    }

    /// `GET /2010-04-01/Accounts/{AccountSid}/Recordings/{Sid}.mp3`: the audio. (Twilio may
    /// redirect to its storage; credentials are not sent to another host.)
    pub async fn fetch_recording_media(&self, recording_sid: &str) -> Result<Recording> {
        let sid = check_sid("RE", recording_sid)?;
        let url = self.url(&["Recordings", &format!("{sid}.mp3")]);
        let answer = self.send(Method::GET, url, None, false).await?;
        let header = |name: reqwest::header::HeaderName| answer.headers.get(name).and_then(|v| v.to_str().ok());
        let content_type = header(CONTENT_TYPE).map(str::to_string);
        let content_length = header(CONTENT_LENGTH).and_then(|v| v.trim().parse().ok());
        Ok(Recording { bytes: answer.body, content_type, content_length })
    }

    /// The conferences named `friendly_name`, in progress and ended: two requests of
    /// `GET /2010-04-01/Accounts/{AccountSid}/Conferences.json?FriendlyName=...&Status=...`,
    /// `in-progress` first, then `completed`. Since 2026-09-30 the list without `Status`
    /// gives only conferences in progress, and ended ones need a request of their own
    /// (changelog 2026-06-10, "Conference list endpoint will default to in-progress
    /// conferences only"; 2026-07-08, the rollout moved to 2026-09-30). A conference that
    /// ends between the two requests is in both; its ended record is the later fact, so it
    /// is listed once, as ended. Conferences not yet started (`init`: nobody who starts one
    /// has entered) are not asked for. One page of up to 50 each, more than a search ever
    /// makes under one name. Either request failing fails the whole list: half the records
    /// cannot tell where a neighbour is.
    pub async fn list_conferences(&self, friendly_name: &str) -> Result<Vec<ConferenceResource>> {
        let in_progress = self.list_conferences_in(friendly_name, ConferenceStatus::InProgress).await?;
        let completed = self.list_conferences_in(friendly_name, ConferenceStatus::Completed).await?;
        let mut conferences: Vec<ConferenceResource> =
            in_progress.into_iter().filter(|c| !completed.iter().any(|ended| ended.sid == c.sid)).collect();
        conferences.extend(completed);
        Ok(conferences)
    }

    /// One request of the conference list: those named `friendly_name` with `status`.
    pub async fn list_conferences_in(
        &self,
        friendly_name: &str,
        status: ConferenceStatus,
    ) -> Result<Vec<ConferenceResource>> {
        let mut url = self.url(&["Conferences.json"]);
        url.query_pairs_mut()
            .append_pair("FriendlyName", friendly_name)
            .append_pair("Status", status.as_str())
            .append_pair("PageSize", "50");
        let answer = self.send(Method::GET, url, None, false).await?;
        let page: ConferencePage = json(&answer)?;
        Ok(page.conferences)
    }

    /// `GET /2010-04-01/Accounts/{AccountSid}/Conferences/{Sid}/Participants.json`: who
    /// is in a conference in progress (an ended one has nobody; the first page of 50).
    pub async fn list_participants(&self, conference_sid: &str) -> Result<Vec<ParticipantResource>> {
        let sid = check_sid("CF", conference_sid)?;
        let mut url = self.url(&["Conferences", sid, "Participants.json"]);
        url.query_pairs_mut().append_pair("PageSize", "50");
        let answer = self.send(Method::GET, url, None, false).await?;
        let page: ParticipantPage = json(&answer)?;
        Ok(page.participants)
    }

    /// `POST /2010-04-01/Accounts/{AccountSid}/Conferences/{Sid}/Participants/{CallSid}.json`
    /// with `AnnounceUrl`: "the URL we call ... for an announcement to the participant"
    /// (Conference Participant resource, update): heard by that participant alone. Sent
    /// once, never retried: an announcement that comes late is worth less than none.
    pub async fn announce_to_participant(&self, conference_sid: &str, call_sid: &str, url: &Url) -> Result<()> {
        let (conference, call) = (check_sid("CF", conference_sid)?, check_sid("CA", call_sid)?);
        let target = self.url(&["Conferences", conference, "Participants", &format!("{call}.json")]);
        let form = form_urlencoded::Serializer::new(String::new())
            .append_pair("AnnounceUrl", url.as_str())
            .append_pair("AnnounceMethod", "POST")
            .finish();
        let answer = self.send_tries(Method::POST, target, Some(form), false, 1).await?;
        let _: ParticipantResource = json(&answer)?;
        Ok(())
    }

    /// `DELETE /2010-04-01/Accounts/{AccountSid}/Recordings/{Sid}.json`: the provider's copy
    /// goes (204). A recording already gone is `Refused { status: 404 }` ([`RestError::is_not_found`]).
    pub async fn delete_recording(&self, recording_sid: &str) -> Result<()> {
        let sid = check_sid("RE", recording_sid)?;
        self.delete(self.url(&["Recordings", &format!("{sid}.json")])).await
    }

    /// `DELETE /2010-04-01/Accounts/{AccountSid}/Calls/{Sid}.json`: the call record goes from
    /// the provider's logs (204). A call already gone is `Refused { status: 404 }`.
    pub async fn delete_call(&self, call_sid: &str) -> Result<()> {
        let sid = check_sid("CA", call_sid)?;
        self.delete(self.url(&["Calls", &format!("{sid}.json")])).await
    }

    /// A DELETE, answered by 204 No Content.
    async fn delete(&self, url: Url) -> Result<()> {
        let answer = self.send(Method::DELETE, url, None, false).await?;
        if answer.status != StatusCode::NO_CONTENT {
            let reason = format!("a delete should answer 204 No Content: {:?}", snippet(&answer.body));
            return Err(RestError::UnexpectedBody { status: answer.status.as_u16(), reason });
        }
        Ok(())
    }

    /// `{api_base}/2010-04-01/Accounts/{AccountSid}/...`; every segment is percent-encoded.
    fn url(&self, tail: &[&str]) -> Url {
        let mut url = self.config.api_base.clone();
        url.set_query(None);
        url.set_fragment(None);
        url.path_segments_mut()
            .expect("RestConfig::new checked that api_base can be a base")
            .pop_if_empty()
            .extend(["2010-04-01", "Accounts", &self.config.account_sid])
            .extend(tail);
        url
    }

    async fn send(&self, method: Method, url: Url, form: Option<String>, paced: bool) -> Result<Answer> {
        let attempts = self.options.max_retries.saturating_add(1);
        self.send_tries(method, url, form, paced, attempts).await
    }

    /// `send`, tried at most `attempts` times.
    async fn send_tries(
        &self,
        method: Method,
        url: Url,
        form: Option<String>,
        paced: bool,
        attempts: u32,
    ) -> Result<Answer> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            if paced {
                let slot = self.pacer.lock().unwrap_or_else(|e| e.into_inner()).reserve(Instant::now());
                tokio::time::sleep_until(slot).await;
            }
            let mut request = self
                .http
                .request(method.clone(), url.clone())
                .basic_auth(&self.config.account_sid, Some(&self.config.auth_token))
                .header(ACCEPT, "application/json");
            if let Some(form) = &form {
                request = request.header(CONTENT_TYPE, "application/x-www-form-urlencoded").body(form.clone());
            }
            let outcome = match request.send().await {
                Ok(response) => {
                    let status = response.status();
                    let headers = response.headers().clone();
                    response.bytes().await.map(|body| Answer { status, headers, body: body.to_vec() })
                }
                Err(e) => Err(e),
            };
            let wait = match outcome {
                Ok(answer) if answer.status.is_success() => return Ok(answer),
                Ok(answer) => {
                    let status = answer.status.as_u16();
                    let error = serde_json::from_slice::<TwilioError>(&answer.body).ok();
                    let body = snippet(&answer.body);
                    let retryable = answer.status == StatusCode::TOO_MANY_REQUESTS || answer.status.is_server_error();
                    if !retryable {
                        return Err(RestError::Refused { status, error, body });
                    }
                    if attempt >= attempts {
                        return Err(RestError::GaveUp { status, attempts, error, body });
                    }
                    tracing::warn!(%status, attempt, "Twilio REST: retrying {method} {}", url.path());
                    let backoff = self.backoff(attempt);
                    match retry_after(&answer.headers) {
                        Some(after) => after.min(self.options.max_backoff).max(backoff),
                        None => backoff,
                    }
                }
                Err(e) if (e.is_connect() || e.is_timeout()) && attempt < attempts => {
                    tracing::warn!(attempt, "Twilio REST: retrying {method} {}: {e}", url.path());
                    self.backoff(attempt)
                }
                Err(e) => return Err(RestError::Transport { attempts: attempt, source: e }),
            };
            tokio::time::sleep(wait).await;
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        backoff(self.options.base_backoff, self.options.max_backoff, attempt.saturating_sub(1), fastrand::f64())
    }
}

fn json<T: serde::de::DeserializeOwned>(answer: &Answer) -> Result<T> {
    serde_json::from_slice(&answer.body).map_err(|e| RestError::UnexpectedBody {
        status: answer.status.as_u16(),
        reason: format!("{e} in {:?}", snippet(&answer.body)),
    })
}

/// The start of a body, as text, for error messages.
fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut out: String = text.chars().take(300).collect();
    if out.len() < text.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const CA: &str = "CA0123456789abcdef0123456789ABCDEF";
    const RE: &str = "RE0123456789abcdef0123456789abcdef";

    fn call() -> CreateCall {
        CreateCall {
            to: "+31610000001".into(),
            from: "+31850000000".into(),
            url: Url::parse("https://burenlijn.example/twilio/whisper?call=CA1&s=2").unwrap(),
            status_callback: None,
            status_callback_events: vec![],
            timeout_secs: None,
            machine_detection: None,
            fallback_url: None,
        }
    }

    #[test]
    fn create_call_form_minimal() {
        assert_eq!(
            call().form(),
            "To=%2B31610000001&From=%2B31850000000\
             &Url=https%3A%2F%2Fburenlijn.example%2Ftwilio%2Fwhisper%3Fcall%3DCA1%26s%3D2&Method=POST"
        );
    }

    #[test]
    fn create_call_form_full_repeats_the_event_parameter() {
        let full = CreateCall {
            status_callback: Some(Url::parse("https://burenlijn.example/twilio/status").unwrap()),
            status_callback_events: vec![
                CallEvent::Initiated,
                CallEvent::Ringing,
                CallEvent::Answered,
                CallEvent::Completed,
            ],
            timeout_secs: Some(20),
            machine_detection: Some(MachineDetection::DetectMessageEnd),
            fallback_url: Some(Url::parse("https://elsewhere.example/fallback-created-call.xml").unwrap()),
            ..call()
        };
        assert_eq!(
            full.form(),
            "To=%2B31610000001&From=%2B31850000000\
             &Url=https%3A%2F%2Fburenlijn.example%2Ftwilio%2Fwhisper%3Fcall%3DCA1%26s%3D2&Method=POST\
             &FallbackUrl=https%3A%2F%2Felsewhere.example%2Ffallback-created-call.xml&FallbackMethod=POST\
             &StatusCallback=https%3A%2F%2Fburenlijn.example%2Ftwilio%2Fstatus&StatusCallbackMethod=POST\
             &StatusCallbackEvent=initiated&StatusCallbackEvent=ringing&StatusCallbackEvent=answered\
             &StatusCallbackEvent=completed&Timeout=20&MachineDetection=DetectMessageEnd"
        );
    }

    #[test]
    fn events_without_a_callback_are_not_sent() {
        let odd = CreateCall { status_callback_events: vec![CallEvent::Answered], ..call() };
        assert!(!odd.form().contains("StatusCallbackEvent"));
    }

    #[test]
    fn update_call_forms() {
        let url = Url::parse("https://burenlijn.example/twilio/menu?s=4").unwrap();
        assert_eq!(
            UpdateCall::Redirect(url).form(),
            "Url=https%3A%2F%2Fburenlijn.example%2Ftwilio%2Fmenu%3Fs%3D4&Method=POST"
        );
        assert_eq!(
            UpdateCall::Twiml("<Response><Say>Dag & tot ziens</Say></Response>".into()).form(),
            "Twiml=%3CResponse%3E%3CSay%3EDag+%26+tot+ziens%3C%2FSay%3E%3C%2FResponse%3E"
        );
        assert_eq!(UpdateCall::Cancel.form(), "Status=canceled");
        assert_eq!(UpdateCall::Complete.form(), "Status=completed");
    }

    #[test]
    fn sids() {
        assert!(is_sid("CA", CA));
        assert!(is_sid("RE", RE));
        assert!(!is_sid("RE", CA));
        assert!(!is_sid("CA", &CA[..33]));
        assert!(!is_sid("CA", &format!("{CA}0")));
        assert!(!is_sid("CA", "CA0123456789abcdef0123456789abcdeg"));
        assert!(!is_sid("CA", "ca0123456789abcdef0123456789abcdef"));
        assert!(!is_sid("CA", "CA0123456789abcdef0123456789abc/.."));
        assert!(!is_sid("CA", "CA0123456789abcdef0123456789abcdé"));
        assert!(!is_sid("CA", ""));
        assert!(matches!(check_sid("CA", "../../x"), Err(RestError::InvalidSid { kind: "CA", .. })));
    }

    #[test]
    fn recording_sids_from_urls() {
        let base = "https://api.twilio.com/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Recordings";
        for url in
            [format!("{base}/{RE}"), format!("{base}/{RE}.mp3"), format!("{base}/{RE}.wav"), format!("{base}/{RE}/")]
        {
            assert_eq!(recording_sid_from_url(&url).as_deref(), Some(RE), "{url}");
        }
        for url in [
            format!("{base}/{CA}"),
            format!("{base}/{RE}.exe"),
            format!("{base}/{}", &RE[..33]),
            format!("https://api.twilio.com/2010-04-01/Accounts/AC1/Calls/{RE}"),
            RE.to_string(),
            "".to_string(),
            "https://api.twilio.com/".to_string(),
        ] {
            assert_eq!(recording_sid_from_url(&url), None, "{url}");
        }
    }

    #[test]
    fn the_pacer_spaces_creations_at_the_rate() {
        let t0 = Instant::now();
        let mut pacer = Pacer::new(2.0);
        let slots: Vec<Duration> = (0..5).map(|_| pacer.reserve(t0) - t0).collect();
        assert_eq!(slots, [0, 500, 1000, 1500, 2000].map(Duration::from_millis));
        // After a quiet spell a creation goes at once, and the next waits a full interval.
        let later = t0 + Duration::from_secs(10);
        assert_eq!(pacer.reserve(later), later);
        assert_eq!(pacer.reserve(later + Duration::from_millis(100)), later + Duration::from_millis(500));
        // A nonsensical rate falls back to one per second.
        assert_eq!(Pacer::new(0.0).interval, Duration::from_secs(1));
        assert_eq!(Pacer::new(f64::NAN).interval, Duration::from_secs(1));
    }

    #[test]
    fn backoff_doubles_with_jitter_in_the_upper_half() {
        let base = Duration::from_millis(200);
        let max = Duration::from_secs(30);
        assert_eq!(backoff(base, max, 0, 0.0), Duration::from_millis(100));
        assert_eq!(backoff(base, max, 0, 1.0), Duration::from_millis(200));
        assert_eq!(backoff(base, max, 2, 0.0), Duration::from_millis(400));
        assert_eq!(backoff(base, max, 2, 1.0), Duration::from_millis(800));
        assert_eq!(backoff(base, max, 40, 1.0), max);
    }

    #[test]
    fn retry_after_seconds() {
        let mut headers = HeaderMap::new();
        assert_eq!(retry_after(&headers), None);
        headers.insert(RETRY_AFTER, "3".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(3)));
        headers.insert(RETRY_AFTER, "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap());
        assert_eq!(retry_after(&headers), None);
    }

    #[test]
    fn config_from_the_environment() {
        fn env(vars: &[(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
            let vars = vars.to_vec();
            move |name: &str| vars.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_string())
        }
        let sid = ("TWILIO_ACCOUNT_SID", "AC0123456789abcdef0123456789abcdef");
        let token = ("TWILIO_AUTH_TOKEN", "s3cr3t-token");
        let config = RestConfig::from_lookup(env(&[sid, token])).unwrap();
        assert_eq!(config.api_base.as_str(), "https://api.twilio.com/");
        assert!(!format!("{config:?}").contains("s3cr3t"));
        assert!(format!("{config:?}").contains("<redacted>"));

        let missing = RestConfig::from_lookup(env(&[sid])).unwrap_err();
        assert_eq!(missing.to_string(), "TWILIO_AUTH_TOKEN is not set");
        let missing = RestConfig::from_lookup(env(&[("TWILIO_ACCOUNT_SID", " "), token])).unwrap_err();
        assert_eq!(missing.to_string(), "TWILIO_ACCOUNT_SID is not set");
        let bad = RestConfig::from_lookup(env(&[("TWILIO_ACCOUNT_SID", "AC123"), token])).unwrap_err();
        assert!(bad.to_string().starts_with("TWILIO_ACCOUNT_SID is not valid"), "{bad}");
        let bad = RestConfig::from_lookup(env(&[sid, token, ("TWILIO_API_BASE", "mailto:x@y")])).unwrap_err();
        assert!(bad.to_string().starts_with("TWILIO_API_BASE is not valid"), "{bad}");
        let mock =
            RestConfig::from_lookup(env(&[sid, token, ("TWILIO_API_BASE", "http://127.0.0.1:4010/prefix/")])).unwrap();
        let client = RestClient::new(mock, RestOptions::default()).unwrap();
        assert!(!format!("{client:?}").contains("s3cr3t"));
        assert_eq!(
            client.url(&["Calls", "x.json"]).as_str(),
            "http://127.0.0.1:4010/prefix/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Calls/x.json"
        );
    }

    #[test]
    fn error_messages() {
        let error = TwilioError {
            code: Some(21211),
            message: Some("The 'To' number is not a valid phone number".into()),
            more_info: Some("https://www.twilio.com/docs/errors/21211".into()),
            status: Some(400),
        };
        let refused = RestError::Refused { status: 400, error: Some(error), body: String::new() };
        assert_eq!(
            refused.to_string(),
            "Twilio refused the request (400, code 21211): The 'To' number is not a valid phone number"
        );
        let plain = RestError::Refused { status: 404, error: None, body: "Not Found\n".into() };
        assert_eq!(plain.to_string(), "Twilio refused the request (404): Not Found");
        let empty = RestError::GaveUp { status: 503, attempts: 4, error: None, body: String::new() };
        assert_eq!(empty.to_string(), "Twilio kept failing (503) after 4 attempts: no details");
        assert_eq!(snippet("é".repeat(400).as_bytes()).chars().count(), 301);
    }

    /// Issue 30: a burst of 5xx (`502 Unable to fetch page`) outlasting the retries is a
    /// passing fault, asked again later; a refusal is not.
    #[test]
    fn which_failures_pass() {
        let gave_up = RestError::GaveUp { status: 502, attempts: 4, error: None, body: "Unable to fetch page".into() };
        assert!(gave_up.is_passing());
        assert!(!RestError::Refused { status: 404, error: None, body: String::new() }.is_passing());
        assert!(!RestError::UnexpectedBody { status: 200, reason: "not JSON".into() }.is_passing());
        assert!(!RestError::InvalidSid { kind: "CF", value: "x".into() }.is_passing());
    }

    #[test]
    fn a_recording_is_checked_before_the_provider_s_copy_goes() {
        let rec = |bytes: &[u8], content_type: Option<&str>, content_length: Option<u64>| Recording {
            bytes: bytes.to_vec(),
            content_type: content_type.map(str::to_string),
            content_length,
        };
        let mp3 = b"ID3\x04\x00\x00\x00\x00\x00\x00 a message";
        assert_eq!(rec(mp3, Some("audio/mpeg"), Some(mp3.len() as u64)).check(), Ok("audio/mpeg"));
        assert_eq!(rec(mp3, None, None).check(), Ok("audio/mpeg"));
        assert_eq!(rec(b"\xff\xfb\x90\x00frame", Some("Audio/MPEG; charset=x"), None).check(), Ok("audio/mpeg"));
        assert_eq!(rec(b"RIFF\x24\x00\x00\x00WAVEfmt ", Some("audio/x-wav"), None).check(), Ok("audio/wav"));
        let refused = [
            rec(b"", Some("audio/mpeg"), Some(0)),
            rec(mp3, Some("audio/mpeg"), Some(mp3.len() as u64 + 1)),
            rec(mp3, Some("text/html"), None),
            rec(mp3, Some("application/json"), None),
            rec(b"<html>not found</html>", Some("audio/mpeg"), None),
            rec(b"{\"code\":20404}", None, None),
            rec(b"RIFF\x24\x00\x00\x00AVI LIST", Some("audio/wav"), None),
            rec(&vec![0xFF; MAX_RECORDING_BYTES + 1], Some("audio/mpeg"), None),
        ];
        for r in refused {
            assert!(r.check().is_err(), "{r:?}");
        }
    }

    #[test]
    fn call_resources_ignore_unknown_fields() {
        let body = br#"{"sid":"CA0123456789abcdef0123456789abcdef","status":"in-progress","to":"+31610000001","from":null,"price":"-0.01","subresource_uris":{}}"#;
        let call: CallResource = serde_json::from_slice(body).unwrap();
        assert_eq!(call.status, CallStatus::InProgress);
        assert_eq!(call.to.as_deref(), Some("+31610000001"));
        assert_eq!(call.from, None);
        let call: CallResource = serde_json::from_slice(br#"{"sid":"CA1","status":"teleported"}"#).unwrap();
        assert_eq!(call.status, CallStatus::Other);
    }
}
