//! Provider webhooks over HTTP: verify the signature, limit forgeries, parse (through
//! `provider`), and hand the request to `switchboard::webhooks::answer`.

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, FromRequest, Path, Request, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use super::limits::Refused;
use super::AppState;
use crate::provider::{Provider, Webhook};

/// A webhook as it was sent: the URL (signed with the form), the headers (the signature;
/// the client's address behind a trusted proxy) and the form as bytes.
pub struct Received {
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
}

impl<S: Send + Sync> FromRequest<S> for Received {
    type Rejection = BytesRejection;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (uri, headers) = (request.uri().clone(), request.headers().clone());
        Ok(Received { uri, headers, body: Bytes::from_request(request, state).await? })
    }
}

pub async fn webhook(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(endpoint): Path<String>,
    received: Received,
    provider: Provider,
) -> Response {
    let Received { uri, headers, body } = received;
    let started = Instant::now();
    // One install speaks through the provider its dialplans name: another's webhooks are
    // refused before anything is read (its signature could not be checked either).
    if provider != state.switchboard.provider() {
        return (StatusCode::NOT_FOUND, "this service does not speak through that provider\n").into_response();
    }
    let Some(endpoint) = provider.endpoint(&endpoint) else {
        return (StatusCode::NOT_FOUND, "no such webhook\n").into_response();
    };
    let source = super::client::address(peer, &headers, &state.trusted_proxies);
    let path_and_query = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let url = format!("{}{}", state.switchboard.public_url, path_and_query);
    let webhook = Webhook { url: &url, query: uri.query().unwrap_or(""), headers: &headers, body: &body };
    // The per-source limit counts failed signatures only, so a burst of genuine webhooks
    // (every call at once comes from the provider's few addresses) is never refused for rate.
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
            if provider.verify(token, &webhook, state.switchboard.clock.now().as_second()) {
                false
            } else if state.rate_limit.allow(source, started) {
                state.metrics.refused_signature.fetch_add(1, Ordering::Relaxed);
                log_refusal(&state, Refused::Forged, started);
                let status = StatusCode::from_u16(provider.refused_signature_status()).unwrap_or(StatusCode::FORBIDDEN);
                return (status, "signature does not match\n").into_response();
            } else {
                true
            }
        }
        None => !state.rate_limit.allow(source, started),
    };
    if refused_for_rate {
        state.metrics.refused_rate.fetch_add(1, Ordering::Relaxed);
        log_refusal(&state, Refused::OverRate, started);
        return (StatusCode::TOO_MANY_REQUESTS, [(header::RETRY_AFTER, "1")], "too many requests\n").into_response();
    }
    let inbound = match provider.parse(endpoint, &webhook) {
        Ok(i) => i,
        Err(e) => {
            state.metrics.refused_malformed.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(endpoint = endpoint.path(), error = %e, "refused a malformed webhook");
            return (StatusCode::BAD_REQUEST, format!("{e}\n")).into_response();
        }
    };
    let answered = crate::switchboard::webhooks::answer(state.switchboard.clone(), endpoint, inbound).await;
    if answered.failed {
        state.metrics.failed.fetch_add(1, Ordering::Relaxed);
    }
    state.metrics.observe(started.elapsed());
    tracing::debug!(endpoint = endpoint.path(), micros = started.elapsed().as_micros() as u64, "webhook answered");
    ([(header::CONTENT_TYPE, provider.content_type())], answered.body).into_response()
}

/// A flood of forgeries is one line a minute in the log, not one a request (the metrics
/// count every one).
fn log_refusal(state: &AppState, why: Refused, now: Instant) {
    if let Some(since) = state.rate_limit.refused(why, now) {
        tracing::warn!(
            forged = since.forged,
            over_rate = since.over_rate,
            "refused webhooks since the last such line: {} with a missing or wrong {}, {} too many from one source (at most one line a minute)",
            since.forged,
            state.switchboard.provider().signature_name(),
            since.over_rate
        );
    }
}
