//! Vonage's REST side on loopback, as far as dial mode needs it: `PUT /v1/calls/{uuid}`
//! ends (or transfers) a leg the caller's own call rings. Ringing in waves, the emulator's
//! network serves the rest of the API (`vonage_network`), and passes a dial-mode leg's
//! update on to this.
//! Facts ("Voice API reference", developer.vonage.com/api/voice, and `tests/vonage/voice.yml`):
//! - every request carries `Authorization: Bearer` with the application's JWT (RS256 with
//!   its private key, claims `application_id`, `iat`, `jti`; "Authentication" guide);
//! - the body is JSON with `action`: `hangup`, `mute`, `unmute`, `earmuff`, `unearmuff`, or
//!   `transfer` with a `destination`; success is `204 No Content`;
//! - a call Vonage does not know (or no longer knows) answers `404`.
//!
//! The application's key here is the one made for tests and published in `tests/vonage/`:
//! the emulator trusts only it, and nothing real does.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::put;
use serde_json::Value;
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

pub(super) fn problem(status: StatusCode, title: &str) -> Response {
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

/// A request's JSON body, when it carries the test application's token; or the refusal.
pub(super) fn authorised_json(headers: &HeaderMap, body: &[u8]) -> Result<Value, Response> {
    if !authorised(headers) {
        return Err(problem(StatusCode::UNAUTHORIZED, "Invalid Token"));
    }
    serde_json::from_slice::<Value>(body)
        .map_err(|_| problem(StatusCode::BAD_REQUEST, "Bad Request: the body is not JSON"))
}

/// An update's body, checked as Vonage checks it: its `action`, or the refusal.
pub(super) fn update_action(headers: &HeaderMap, body: &[u8]) -> Result<(String, Value), Response> {
    let body = authorised_json(headers, body)?;
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
    pub(super) fn apply(&self, uuid: String, action: String) -> Response {
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
