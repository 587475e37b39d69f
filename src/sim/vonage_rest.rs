//! Vonage's REST side on loopback. `VonageRest` alone serves dial mode: `PUT
//! /v1/calls/{uuid}` ends (or transfers) a leg the caller's own call rings. With the REST
//! network (`Network::start_vonage`, ringing in waves) `routes` serves the API on the
//! network's port: `POST /v1/calls` places a call, `PUT /v1/calls/{uuid}` changes it, `PUT
//! /v1/calls/{uuid}/talk` speaks into it; a dial-mode leg's update goes to `VonageRest`.
//! Facts ("Voice API reference", developer.vonage.com/api/voice, and `tests/vonage/voice.yml`):
//! - every request carries `Authorization: Bearer` with the application's JWT (RS256 with
//!   its private key, claims `application_id`, `iat`, `jti`; "Authentication" guide);
//! - the body is JSON with `action`: `hangup`, `mute`, `unmute`, `earmuff`, `unearmuff`, or
//!   `transfer` with a `destination`; success is `204 No Content`;
//! - a call Vonage does not know (or no longer knows) answers `404`;
//! - `POST /v1/calls`: `to` (an array with one `{type: phone, number}`, digits without
//!   `+`), `from` (`{type: phone, number}`), `answer_url` (an array), `event_url` (an
//!   array, optional), `ringing_timer` (default 60); `201` with `uuid`, `status`,
//!   `direction` and `conversation_uuid`;
//! - `PUT /v1/calls/{uuid}/talk`: `text` (required), `language`, `style`; `200` with
//!   `message` and `uuid` (the OpenAPI description's `StartTalkResponse`).
//!
//! The application's key here is the one made for tests and published in `tests/vonage/`:
//! the emulator trusts only it, and nothing real does.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{post, put};
use serde_json::Value;

use super::network::{Change, Changed, Network, NotPlaced, Placement};
use url::Url;

/// The test application's private key (PEM), for the service's REST client in the sandbox.
pub const TEST_PRIVATE_KEY: &str = include_str!("../../tests/vonage/test-private-key.pem");
const TEST_PUBLIC_KEY: &str = include_str!("../../tests/vonage/test-public-key.pem");
/// The test application's id.
pub const TEST_APPLICATION_ID: &str = "aaaaaaaa-0000-4000-8000-000000000000";

#[derive(Default)]
struct Legs {
    /// Legs ringing or talking now.
    live: HashSet<String>,
    /// Every accepted update, by leg, in order (`hangup`, `transfer`, ...).
    updates: HashMap<String, Vec<String>>,
}

pub struct VonageRest {
    pub api_base: Url,
    legs: Mutex<Legs>,
    changed: tokio::sync::Notify,
}

impl VonageRest {
    /// Starts the REST endpoint on a free loopback port.
    pub async fn start() -> std::io::Result<Arc<VonageRest>> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let api_base = Url::parse(&format!("http://{}", listener.local_addr()?)).expect("a socket address is a URL");
        let rest = Arc::new(VonageRest { api_base, legs: Mutex::default(), changed: tokio::sync::Notify::new() });
        let app = axum::Router::new().route("/v1/calls/{uuid}", put(update)).with_state(rest.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(rest)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Legs> {
        self.legs.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A leg the emulator rings: it can be updated until it ends.
    pub fn ring(&self, uuid: &str) {
        self.lock().live.insert(uuid.to_string());
    }

    /// The leg has ended (however it ended): updates to it now answer 404.
    pub fn end(&self, uuid: &str) {
        self.lock().live.remove(uuid);
    }

    /// Whether the switchboard hung up `uuid` through the REST API.
    pub fn hung_up(&self, uuid: &str) -> bool {
        self.lock().updates.get(uuid).is_some_and(|u| u.iter().any(|a| a == "hangup"))
    }

    /// Every update accepted for `uuid`, in order.
    pub fn updates(&self, uuid: &str) -> Vec<String> {
        self.lock().updates.get(uuid).cloned().unwrap_or_default()
    }

    /// Waits (real time, at most `patience`) until `uuid` is hung up; whether it was.
    pub async fn wait_for_hangup(&self, uuid: &str, patience: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + patience;
        loop {
            let changed = self.changed.notified();
            if self.hung_up(uuid) {
                return true;
            }
            if tokio::time::timeout_at(deadline, changed).await.is_err() {
                return self.hung_up(uuid);
            }
        }
    }
}

fn problem(status: StatusCode, title: &str) -> Response {
    let body = serde_json::json!({ "type": "https://developer.nexmo.com/api-errors", "title": title });
    (status, axum::Json(body)).into_response()
}

/// Whether the request carries the test application's token.
pub(super) fn authorised(headers: &HeaderMap) -> bool {
    let Some(token) =
        headers.get("authorization").and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "))
    else {
        return false;
    };
    let Ok(key) = jsonwebtoken::DecodingKey::from_rsa_pem(TEST_PUBLIC_KEY.as_bytes()) else { return false };
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_required_spec_claims(&["iat"]);
    validation.validate_exp = false;
    jsonwebtoken::decode::<serde_json::Value>(token, &key, &validation)
        .is_ok_and(|t| t.claims["application_id"] == TEST_APPLICATION_ID && t.claims.get("jti").is_some())
}

/// An update's body, checked as Vonage checks it: its `action`, or the refusal.
fn update_action(headers: &HeaderMap, body: &[u8]) -> Result<(String, Value), Response> {
    if !authorised(headers) {
        return Err(problem(StatusCode::UNAUTHORIZED, "Invalid Token"));
    }
    let Ok(body) = serde_json::from_slice::<Value>(body) else {
        return Err(problem(StatusCode::BAD_REQUEST, "Bad Request: the body is not JSON"));
    };
    let action = body["action"].as_str().unwrap_or("").to_string();
    if !matches!(action.as_str(), "hangup" | "mute" | "unmute" | "earmuff" | "unearmuff" | "transfer") {
        return Err(problem(StatusCode::BAD_REQUEST, "Bad Request: unknown action"));
    }
    if action == "transfer" && body["destination"]["type"] != "ncco" {
        return Err(problem(StatusCode::BAD_REQUEST, "Bad Request: a transfer needs an ncco destination"));
    }
    Ok((action, body))
}

async fn update(
    State(rest): State<Arc<VonageRest>>,
    Path(uuid): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    match update_action(&headers, &body) {
        Ok((action, _)) => rest.apply(uuid, action),
        Err(refused) => refused,
    }
}

impl VonageRest {
    /// An accepted update of dial-mode leg `uuid`.
    fn apply(&self, uuid: String, action: String) -> Response {
        {
            let mut legs = self.lock();
            if !legs.live.contains(&uuid) {
                return problem(StatusCode::NOT_FOUND, "Not Found");
            }
            if action == "hangup" {
                legs.live.remove(&uuid);
            }
            legs.updates.entry(uuid).or_default().push(action);
        }
        self.changed.notify_waiters();
        StatusCode::NO_CONTENT.into_response()
    }
}

/// Vonage's REST API on the emulator's network (ringing in waves): placing calls, changing
/// them, speaking into them.
pub(super) fn routes() -> axum::Router<Arc<Network>> {
    axum::Router::new()
        .route("/v1/calls", post(create))
        .route("/v1/calls/{uuid}", put(update_on_network))
        .route("/v1/calls/{uuid}/talk", put(talk))
}

/// The first URL of an array field (`answer_url`, `event_url`).
fn first_url(body: &Value, field: &str) -> Option<Url> {
    body[field].as_array()?.first()?.as_str().and_then(|u| Url::parse(u).ok())
}

/// A number as Vonage writes it (digits) as the emulator keeps numbers (E.164).
fn e164(endpoint: &Value) -> Option<String> {
    let number = endpoint["number"].as_str()?;
    (endpoint["type"] == "phone" && !number.is_empty() && number.chars().all(|c| c.is_ascii_digit()))
        .then(|| format!("+{number}"))
}

async fn create(State(net): State<Arc<Network>>, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    if !net.is_vonage() {
        return problem(StatusCode::NOT_FOUND, "Not Found");
    }
    if !authorised(&headers) {
        return problem(StatusCode::UNAUTHORIZED, "Invalid Token");
    }
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return problem(StatusCode::BAD_REQUEST, "Bad Request: the body is not JSON");
    };
    let to = body["to"].as_array().filter(|t| t.len() == 1).and_then(|t| e164(&t[0]));
    let (Some(to), Some(from), Some(url)) = (to, e164(&body["from"]), first_url(&body, "answer_url")) else {
        return problem(StatusCode::BAD_REQUEST, "Bad Request: to, from and answer_url are required");
    };
    let timeout = body["ringing_timer"].as_i64().unwrap_or(60);
    if !(1..=120).contains(&timeout) {
        return problem(StatusCode::BAD_REQUEST, "Bad Request: ringing_timer must be 1-120");
    }
    // Without an event URL of its own, a call's events go to the application's; the
    // emulator's application has none besides the number's, which only the caller's side
    // uses: such events are not sent.
    let placement =
        Placement { to, from, url, status_callback: first_url(&body, "event_url"), fallback_url: None, timeout };
    match net.place(placement) {
        Ok(uuid) => {
            let answer = serde_json::json!({
                "uuid": uuid, "status": "started", "direction": "outbound", "conversation_uuid": format!("CON-{uuid}"),
            });
            (StatusCode::CREATED, axum::Json(answer)).into_response()
        }
        Err(NotPlaced::Unavailable) => problem(StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable (emulated)"),
        Err(NotPlaced::Refused(status)) => {
            problem(StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST), "Invalid number (emulated)")
        }
    }
}

async fn update_on_network(
    State(net): State<Arc<Network>>,
    Path(uuid): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let Some(vonage) = &net.vonage else { return problem(StatusCode::NOT_FOUND, "Not Found") };
    let (action, body) = match update_action(&headers, &body) {
        Ok(checked) => checked,
        Err(refused) => return refused,
    };
    let change = match action.as_str() {
        "hangup" => Change::Hangup,
        "transfer" => match (first_url(&body["destination"], "url"), body["destination"].get("ncco")) {
            (Some(url), _) => Change::Transfer(url),
            (None, Some(ncco)) => Change::TransferNcco(ncco.to_string()),
            (None, None) => return problem(StatusCode::BAD_REQUEST, "Bad Request: a transfer needs a url or an ncco"),
        },
        _ => return problem(StatusCode::BAD_REQUEST, "Bad Request: this emulator only hangs up and transfers"),
    };
    match net.change(&uuid, change) {
        Changed::Done => StatusCode::NO_CONTENT.into_response(),
        // Not a call this network placed: a leg the caller's own call rings, perhaps.
        Changed::NotHere => vonage.dial_legs.apply(uuid, action),
        Changed::Refused(status, why) => problem(StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST), why),
    }
}

async fn talk(
    State(net): State<Arc<Network>>,
    Path(uuid): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if !net.is_vonage() {
        return problem(StatusCode::NOT_FOUND, "Not Found");
    }
    if !authorised(&headers) {
        return problem(StatusCode::UNAUTHORIZED, "Invalid Token");
    }
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return problem(StatusCode::BAD_REQUEST, "Bad Request: the body is not JSON");
    };
    let Some(text) = body["text"].as_str() else {
        return problem(StatusCode::BAD_REQUEST, "Bad Request: text is required");
    };
    let ncco = serde_json::json!([{
        "action": "talk", "text": text, "language": body["language"], "style": body["style"],
    }]);
    match net.change(&uuid, Change::Talk(ncco.to_string())) {
        Changed::Done => {
            (StatusCode::OK, axum::Json(serde_json::json!({ "message": "Talk started", "uuid": uuid }))).into_response()
        }
        Changed::NotHere => problem(StatusCode::NOT_FOUND, "Not Found"),
        Changed::Refused(status, why) => problem(StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST), why),
    }
}
