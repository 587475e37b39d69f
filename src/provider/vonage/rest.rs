//! A small client for Vonage's Voice REST API: create a call, change or end it, read it, and
//! fetch and delete a recording.
//!
//! Facts (docs/vonage-facts.md; the request bodies are held to Vonage's own OpenAPI
//! description of the Voice API, `tests/vonage/voice.yml`, in `tests/it/vonage.rs`):
//! - `POST /v1/calls` (JSON): `to` (an array of endpoints, `{type: phone, number}`, digits
//!   without `+`), `from`, `answer_url` (an array) or `ncco`, `event_url` (an array),
//!   `machine_detection` (`continue`/`hangup`), `ringing_timer` (1–120 s, default 60),
//!   `length_timer` (1–7200 s). Answer: `201` with `uuid`, `status`, `direction`,
//!   `conversation_uuid`.
//! - `advanced_machine_detection` (`behavior`, `mode`, `beep_timeout`) is in today's API
//!   reference, not in the 2021 description we validate against.
//! - `PUT /v1/calls/{uuid}`: `{action: transfer, destination: {type: ncco, url: [..]}}` or
//!   `{.., destination: {type: ncco, ncco: [..]}}`, or `{action: hangup}`; `204` on success.
//! - `GET /v1/calls/{uuid}`: the call with its `status`.
//! - Recordings are fetched from the `recording_url` Vonage posted, with the same JWT, and
//!   deleted with `DELETE` on it.
//! - Regions: `api.nexmo.com` (global), `api-eu.vonage.com` (EU; the "Regions" guide); the
//!   default here is the EU one, as Burenlijn's users are Dutch.
//! - Capacity: 3 created calls a second, 15 other requests a second; beyond that `429`
//!   ("Troubleshooting" guide).
//!
//! Errors: a 4xx other than 429 is `Refused` (the same next time); 5xx, 429, a timeout or
//! no connection is passing (`is_passing`). Creating a call is never repeated after the
//! request may have reached Vonage (a timeout or a 5xx): a second call would ring the
//! helper twice. Only requests that change nothing twice (GET, DELETE, hangup) are retried.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use url::Url;

use super::jwt::ApplicationKey;
use super::ncco::NccoAction;

pub const GLOBAL_API_BASE: &str = "https://api.nexmo.com";
pub const EU_API_BASE: &str = "https://api-eu.vonage.com";

/// Hosts Vonage serves recordings from, besides the configured API base: the JWT is sent
/// to no other host.
pub const RECORDING_HOSTS: &[&str] = &["api.nexmo.com", "api-eu.vonage.com", "api-us.vonage.com", "api-ap.vonage.com"];

#[derive(Clone, Debug)]
pub struct RestConfig {
    pub key: ApplicationKey,
    pub api_base: Url,
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// Retries of a request that is safe to repeat.
    pub max_retries: u32,
    pub backoff: Duration,
}

impl RestConfig {
    /// The REST API's settings from the environment: `VONAGE_APPLICATION_ID`,
    /// `VONAGE_PRIVATE_KEY` (the path of the application's key file) and
    /// `VONAGE_API_BASE` (the EU region when unset). `None` when neither of the first two is
    /// set; either without the other, or a key that cannot be read, is refused naming it.
    pub fn from_lookup(env: &dyn Fn(&str) -> Option<String>) -> Result<Option<RestConfig>, String> {
        let set = |name: &str| env(name).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        let (id, key_path) = match (set("VONAGE_APPLICATION_ID"), set("VONAGE_PRIVATE_KEY")) {
            (None, None) => return Ok(None),
            (Some(_), None) => return Err("VONAGE_APPLICATION_ID is set but VONAGE_PRIVATE_KEY (the path of the application's private key file) is not".into()),
            (None, Some(_)) => return Err("VONAGE_PRIVATE_KEY is set but VONAGE_APPLICATION_ID is not".into()),
            (Some(id), Some(path)) => (id, path),
        };
        let pem = std::fs::read(&key_path).map_err(|e| format!("VONAGE_PRIVATE_KEY: cannot read {key_path}: {e}"))?;
        let key = ApplicationKey::new(&id, &pem).map_err(|e| format!("VONAGE_PRIVATE_KEY ({key_path}): {e}"))?;
        let base = set("VONAGE_API_BASE").unwrap_or_else(|| EU_API_BASE.to_string());
        let api_base = Url::parse(&base)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
            .ok_or_else(|| format!("VONAGE_API_BASE '{base}' is not an http(s) URL"))?;
        Ok(Some(RestConfig::new(key, api_base)))
    }

    pub fn new(key: ApplicationKey, api_base: Url) -> RestConfig {
        RestConfig {
            key,
            api_base,
            timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(3),
            max_retries: 2,
            backoff: Duration::from_millis(250),
        }
    }
}

/// Where a created call's document comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// Asked (GET) when the call is answered.
    Url(Url),
    /// Run when the call is answered.
    Ncco(Vec<NccoAction>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MachineDetection {
    /// Report `machine` on the event URL and go on.
    Continue,
    Hangup,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CreateCall {
    /// E.164 (with or without `+`).
    pub to: String,
    /// One of the application's numbers, E.164.
    pub from: String,
    pub answer: Answer,
    /// Where its events go; `None`: the application's own event URL ("Required unless
    /// `event_url` is configured at the application level", `createCall`).
    pub event_url: Option<Url>,
    pub machine_detection: Option<MachineDetection>,
    /// Seconds of ringing before `timeout` (1–120).
    pub ringing_timer: Option<u32>,
    /// Longest call in seconds after it is answered (1–7200).
    pub length_timer: Option<u32>,
}

fn digits(number: &str) -> String {
    number.trim().trim_start_matches('+').to_string()
}

impl CreateCall {
    /// The JSON body, as Vonage's description of `createCall` has it.
    pub fn body(&self) -> serde_json::Value {
        let mut body = serde_json::json!({
            "to": [{ "type": "phone", "number": digits(&self.to) }],
            "from": { "type": "phone", "number": digits(&self.from) },
        });
        let object = body.as_object_mut().expect("an object");
        if let Some(event_url) = &self.event_url {
            object.insert("event_url".into(), serde_json::json!([event_url.as_str()]));
            object.insert("event_method".into(), "POST".into());
        }
        match &self.answer {
            Answer::Url(url) => {
                object.insert("answer_url".into(), serde_json::json!([url.as_str()]));
                object.insert("answer_method".into(), "GET".into());
            }
            Answer::Ncco(ncco) => {
                object.insert("ncco".into(), serde_json::to_value(ncco).expect("NCCO actions serialize"));
            }
        }
        if let Some(m) = self.machine_detection {
            object.insert("machine_detection".into(), serde_json::to_value(m).expect("a word"));
        }
        if let Some(t) = self.ringing_timer {
            object.insert("ringing_timer".into(), t.clamp(1, 120).into());
        }
        if let Some(t) = self.length_timer {
            object.insert("length_timer".into(), t.clamp(1, 7200).into());
        }
        body
    }
}

/// A change to a live call.
#[derive(Debug, Clone, PartialEq)]
pub enum UpdateCall {
    /// Fetch the NCCO at this URL and run it now, instead of the current one.
    TransferUrl(Url),
    /// Run this NCCO (a JSON array of actions) now.
    TransferNcco(serde_json::Value),
    /// End the call, whatever its state.
    Hangup,
}

impl UpdateCall {
    pub fn body(&self) -> serde_json::Value {
        match self {
            UpdateCall::TransferUrl(url) => serde_json::json!({
                "action": "transfer",
                "destination": { "type": "ncco", "url": [url.as_str()] },
            }),
            UpdateCall::TransferNcco(ncco) => serde_json::json!({
                "action": "transfer",
                "destination": { "type": "ncco", "ncco": ncco },
            }),
            UpdateCall::Hangup => serde_json::json!({ "action": "hangup" }),
        }
    }

    /// Asking twice does what asking once does (a hangup); a transfer would start the
    /// document again.
    fn repeatable(&self) -> bool {
        matches!(self, UpdateCall::Hangup)
    }
}

/// Speech played into a live call (`PUT /v1/calls/{uuid}/talk`, "Play text to speech into
/// a call"): heard on that leg, whatever conversation it is in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Talk {
    /// The text, SSML inside `<speak>` as in an NCCO's `talk`.
    pub text: String,
    pub language: String,
    pub style: u32,
}

/// What Vonage answers to a created call.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CreatedCall {
    pub uuid: String,
    pub status: Option<String>,
    pub direction: Option<String>,
    pub conversation_uuid: Option<String>,
}

/// A call as `GET /v1/calls/{uuid}` describes it; fields we do not use are ignored.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CallInfo {
    pub uuid: String,
    pub status: Option<String>,
    pub conversation_uuid: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum RestError {
    #[error("not a Vonage call uuid: {0:?}")]
    InvalidUuid(String),
    #[error("Vonage refused the request ({status}): {body}")]
    Refused { status: u16, body: String },
    #[error("Vonage failed ({status}) after {attempts} attempts: {body}")]
    Failed { status: u16, attempts: u32, body: String },
    #[error("could not reach Vonage (attempts: {attempts}): {reason}")]
    Transport { attempts: u32, reason: String },
    #[error("Vonage may or may not have carried it out: {0} (not sent again: a call would ring twice, a transfer start again)")]
    Unknown(String),
    #[error("unexpected answer from Vonage ({status}): {reason}")]
    UnexpectedBody { status: u16, reason: String },
    #[error("not a Vonage recording URL: {0}")]
    NotVonage(String),
    #[error("could not build the HTTP client: {0}")]
    Client(String),
}

impl RestError {
    pub fn is_not_found(&self) -> bool {
        matches!(self, RestError::Refused { status: 404, .. })
    }

    /// A fault that may pass: worth asking again later (never for a create whose outcome
    /// is `Unknown`: look the call up instead).
    pub fn is_passing(&self) -> bool {
        matches!(self, RestError::Failed { .. } | RestError::Transport { .. })
    }
}

pub type Result<T, E = RestError> = std::result::Result<T, E>;

fn valid_uuid(uuid: &str) -> Result<&str> {
    if (10..=64).contains(&uuid.len()) && uuid.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        Ok(uuid)
    } else {
        Err(RestError::InvalidUuid(uuid.chars().take(80).collect()))
    }
}

/// Whether a request may be sent again when its fate is unknown.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Repeat {
    Safe,
    Never,
}

pub struct RestClient {
    http: reqwest::Client,
    config: RestConfig,
}

impl std::fmt::Debug for RestClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RestClient").field("api_base", &self.config.api_base.as_str()).finish_non_exhaustive()
    }
}

/// A fresh `jti` for each token.
fn jti() -> String {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("the system's randomness");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

impl RestClient {
    pub fn new(config: RestConfig) -> Result<RestClient> {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.connect_timeout)
            .build()
            .map_err(|e| RestError::Client(e.to_string()))?;
        Ok(RestClient { http, config })
    }

    fn url(&self, path: &str) -> Url {
        let base = self.config.api_base.as_str().trim_end_matches('/');
        Url::parse(&format!("{base}{path}")).expect("the API base is a URL")
    }

    async fn send(
        &self,
        method: reqwest::Method,
        url: Url,
        body: Option<&serde_json::Value>,
        repeat: Repeat,
    ) -> Result<reqwest::Response> {
        let mut attempts = 0;
        loop {
            attempts += 1;
            let mut request =
                self.http.request(method.clone(), url.clone()).bearer_auth(self.config.key.mint(now(), &jti()));
            if let Some(body) = body {
                request = request
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(serde_json::to_vec(body).expect("JSON serializes"));
            }
            let may_retry = attempts <= self.config.max_retries;
            match request.send().await {
                Ok(response) if response.status().is_success() => return Ok(response),
                Ok(response) => {
                    let status = response.status().as_u16();
                    let body = response.text().await.unwrap_or_default();
                    // A 429 was not carried out: asking again is safe even for a create.
                    if may_retry && (status == 429 || (status >= 500 && repeat == Repeat::Safe)) {
                        tokio::time::sleep(self.config.backoff * attempts).await;
                        continue;
                    }
                    return Err(match status {
                        500.. if repeat == Repeat::Never => RestError::Unknown(format!("{status}: {}", body.trim())),
                        429 | 500.. => RestError::Failed { status, attempts, body },
                        _ => RestError::Refused { status, body },
                    });
                }
                Err(e) => {
                    // Not connected: the request never reached Vonage, so it may be sent again.
                    let unsent = e.is_connect();
                    if may_retry && (unsent || repeat == Repeat::Safe) {
                        tokio::time::sleep(self.config.backoff * attempts).await;
                        continue;
                    }
                    return Err(if !unsent && repeat == Repeat::Never {
                        RestError::Unknown(e.to_string())
                    } else {
                        RestError::Transport { attempts, reason: e.to_string() }
                    });
                }
            }
        }
    }

    async fn json<T: serde::de::DeserializeOwned>(response: reqwest::Response) -> Result<T> {
        let status = response.status().as_u16();
        let bytes = response.bytes().await.map_err(|e| RestError::UnexpectedBody { status, reason: e.to_string() })?;
        serde_json::from_slice(&bytes).map_err(|e| RestError::UnexpectedBody { status, reason: e.to_string() })
    }

    /// `POST /v1/calls`. Never repeated once it may have reached Vonage.
    pub async fn create_call(&self, call: &CreateCall) -> Result<CreatedCall> {
        let response =
            self.send(reqwest::Method::POST, self.url("/v1/calls"), Some(&call.body()), Repeat::Never).await?;
        Self::json(response).await
    }

    /// `PUT /v1/calls/{uuid}`.
    pub async fn update_call(&self, uuid: &str, update: &UpdateCall) -> Result<()> {
        let url = self.url(&format!("/v1/calls/{}", valid_uuid(uuid)?));
        let repeat = if update.repeatable() { Repeat::Safe } else { Repeat::Never };
        self.send(reqwest::Method::PUT, url, Some(&update.body()), repeat).await.map(drop)
    }

    /// `PUT /v1/calls/{uuid}/talk`. Never repeated once it may have reached Vonage: the
    /// caller would hear it twice.
    pub async fn talk(&self, uuid: &str, talk: &Talk) -> Result<()> {
        let url = self.url(&format!("/v1/calls/{}/talk", valid_uuid(uuid)?));
        let body = serde_json::to_value(talk).expect("a talk serializes");
        self.send(reqwest::Method::PUT, url, Some(&body), Repeat::Never).await.map(drop)
    }

    /// `GET /v1/calls/{uuid}`.
    pub async fn get_call(&self, uuid: &str) -> Result<CallInfo> {
        let url = self.url(&format!("/v1/calls/{}", valid_uuid(uuid)?));
        Self::json(self.send(reqwest::Method::GET, url, None, Repeat::Safe).await?).await
    }

    /// The recording's URL, if Vonage (or our configured API base) serves it: our JWT goes
    /// to no other host.
    pub fn recording_url(&self, recording_url: &str) -> Result<Url> {
        let url =
            Url::parse(recording_url).map_err(|_| RestError::NotVonage(recording_url.chars().take(200).collect()))?;
        let ours = url.host_str() == self.config.api_base.host_str() && url.port() == self.config.api_base.port();
        let vonage = url.scheme() == "https" && url.host_str().is_some_and(|h| RECORDING_HOSTS.contains(&h));
        if ours || vonage {
            Ok(url)
        } else {
            Err(RestError::NotVonage(recording_url.chars().take(200).collect()))
        }
    }

    /// The recording's audio, as Vonage serves it.
    pub async fn fetch_recording(&self, recording_url: &str) -> Result<Vec<u8>> {
        let url = self.recording_url(recording_url)?;
        let response = self.send(reqwest::Method::GET, url, None, Repeat::Safe).await?;
        let status = response.status().as_u16();
        let bytes = response.bytes().await.map_err(|e| RestError::UnexpectedBody { status, reason: e.to_string() })?;
        Ok(bytes.to_vec())
    }

    /// `DELETE` the recording at Vonage.
    pub async fn delete_recording(&self, recording_url: &str) -> Result<()> {
        let url = self.recording_url(recording_url)?;
        self.send(reqwest::Method::DELETE, url, None, Repeat::Safe).await.map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_name_what_is_missing_and_default_to_the_eu() {
        let key = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vonage/test-private-key.pem");
        let lookup = |pairs: Vec<(&'static str, &'static str)>| {
            move |name: &str| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string())
        };
        assert!(RestConfig::from_lookup(&lookup(vec![])).unwrap().is_none());
        let err = RestConfig::from_lookup(&lookup(vec![("VONAGE_APPLICATION_ID", "app")])).unwrap_err();
        assert!(err.contains("VONAGE_PRIVATE_KEY"), "{err}");
        let err = RestConfig::from_lookup(&lookup(vec![("VONAGE_PRIVATE_KEY", key)])).unwrap_err();
        assert!(err.contains("VONAGE_APPLICATION_ID"), "{err}");
        let missing = lookup(vec![("VONAGE_APPLICATION_ID", "app"), ("VONAGE_PRIVATE_KEY", "/nonexistent/key.pem")]);
        assert!(RestConfig::from_lookup(&missing).unwrap_err().contains("cannot read /nonexistent/key.pem"));
        let not_a_key = lookup(vec![("VONAGE_APPLICATION_ID", "app"), ("VONAGE_PRIVATE_KEY", "/dev/null")]);
        assert!(RestConfig::from_lookup(&not_a_key).unwrap_err().contains("not an RSA private key"));
        let config =
            RestConfig::from_lookup(&lookup(vec![("VONAGE_APPLICATION_ID", "app"), ("VONAGE_PRIVATE_KEY", key)]))
                .unwrap()
                .unwrap();
        assert_eq!(
            (config.key.application_id.as_str(), config.api_base.as_str()),
            ("app", "https://api-eu.vonage.com/")
        );
        let global = lookup(vec![
            ("VONAGE_APPLICATION_ID", "app"),
            ("VONAGE_PRIVATE_KEY", key),
            ("VONAGE_API_BASE", GLOBAL_API_BASE),
        ]);
        assert_eq!(RestConfig::from_lookup(&global).unwrap().unwrap().api_base.as_str(), "https://api.nexmo.com/");
        let bad =
            lookup(vec![("VONAGE_APPLICATION_ID", "app"), ("VONAGE_PRIVATE_KEY", key), ("VONAGE_API_BASE", "api")]);
        assert!(RestConfig::from_lookup(&bad).unwrap_err().contains("VONAGE_API_BASE"));
    }
}
