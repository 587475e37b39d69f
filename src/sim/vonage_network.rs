//! Vonage's REST API on the emulator's network (ringing in waves): placing calls, changing
//! them, speaking into them, on the network's own port. Facts ("Voice API reference",
//! developer.vonage.com/api/voice, and `tests/vonage/voice.yml`), besides those of
//! `vonage_rest`:
//! - `POST /v1/calls`: `to` (an array with one `{type: phone, number}`, digits without
//!   `+`), `from` (`{type: phone, number}`), `answer_url` (an array), `event_url` (an
//!   array, optional), `ringing_timer` (default 60); `201` with `uuid`, `status`,
//!   `direction` and `conversation_uuid`;
//! - `PUT /v1/calls/{uuid}`: `hangup`, or `transfer` to an NCCO's URL or an NCCO; `204`;
//! - `PUT /v1/calls/{uuid}/talk`: `text` (required), `language`, `style`; `200` with
//!   `message` and `uuid` (the OpenAPI description's `StartTalkResponse`).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{post, put};
use serde_json::Value;
use url::Url;

use super::network::{Change, Changed, Network, NotPlaced, Placement, VonageWire};
use super::vonage_rest::{authorised_json, problem, update_action, VonageRest};

/// The API's state: the network, and the dial-mode legs updates to other calls go to.
#[derive(Clone)]
struct Api {
    net: Arc<Network>,
    dial_legs: Arc<VonageRest>,
}

/// Starts the emulator's network speaking Vonage's wire: its webhooks signed with `secret`
/// at the time `clock` says, its REST API Vonage's, which also updates `dial_legs`.
pub async fn start(
    secret: crate::provider::vonage::jwt::SignatureSecret,
    clock: Arc<dyn crate::clock::Clock>,
    dial_legs: Arc<VonageRest>,
) -> std::io::Result<Arc<Network>> {
    Network::start_on("", Some(VonageWire { secret, clock }), move |net| {
        axum::Router::new()
            .route("/v1/calls", post(create))
            .route("/v1/calls/{uuid}", put(update))
            .route("/v1/calls/{uuid}/talk", put(talk))
            .with_state(Api { net, dial_legs })
    })
    .await
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

async fn create(State(Api { net, .. }): State<Api>, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    let body = match authorised_json(&headers, &body) {
        Ok(body) => body,
        Err(refused) => return refused,
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

async fn update(
    State(Api { net, dial_legs }): State<Api>,
    Path(uuid): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
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
        Changed::NotHere => dial_legs.apply(uuid, action),
        Changed::Refused(status, why) => problem(StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST), why),
    }
}

async fn talk(
    State(Api { net, .. }): State<Api>,
    Path(uuid): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let body = match authorised_json(&headers, &body) {
        Ok(body) => body,
        Err(refused) => return refused,
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
