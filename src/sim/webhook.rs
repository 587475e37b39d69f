//! Webhooks as the provider sends them: form-encoded POSTs signed with the auth token.

use url::Url;

use crate::provider::twilio::signature;

#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    #[error("request to {url} failed: {source}")]
    Http { url: String, source: reqwest::Error },
    #[error("{url} answered HTTP {status}: {body}")]
    Status { url: String, status: u16, body: String },
    #[error("invalid TwiML from {url}: {message}")]
    Twiml { url: String, message: String },
    #[error("a repeated request to {url} got a different answer:\nfirst:  {first}\nsecond: {second}")]
    NotIdempotent { url: String, first: String, second: String },
    #[error("the call did not end after {0} documents")]
    Runaway(usize),
}

pub async fn post_form(
    client: &reqwest::Client,
    url: &Url,
    params: &[(String, String)],
    sig: Option<&str>,
) -> Result<(u16, String), EmulatorError> {
    let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(params.iter()).finish();
    let mut req = client.post(url.clone()).header("Content-Type", "application/x-www-form-urlencoded").body(body);
    if let Some(sig) = sig {
        req = req.header("X-Twilio-Signature", sig);
    }
    let resp = req.send().await.map_err(|source| EmulatorError::Http { url: url.to_string(), source })?;
    let status = resp.status().as_u16();
    let text = resp.text().await.map_err(|source| EmulatorError::Http { url: url.to_string(), source })?;
    Ok((status, text))
}

/// POSTs a form signed with `auth_token`, as the provider does.
pub async fn signed_post(
    client: &reqwest::Client,
    auth_token: &str,
    url: &Url,
    params: &[(String, String)],
) -> Result<(u16, String), EmulatorError> {
    let sig = signature(auth_token, url.as_str(), params);
    post_form(client, url, params, Some(&sig)).await
}

/// Which provider's wire the emulator speaks: how it sends webhooks and reads documents.
pub enum Wire {
    /// Form posts signed with `X-Twilio-Signature`; documents are TwiML.
    Twilio,
    /// JSON posts (and `GET` for documents) with a JWT signed with the signature secret;
    /// documents are NCCO.
    Vonage(crate::provider::vonage::jwt::SignatureSecret),
}

impl Wire {
    /// Reads a document as this wire's provider does: TwiML or NCCO.
    pub fn parse(&self, body: &str) -> Result<Vec<super::twiml::Verb>, String> {
        match self {
            Wire::Twilio => super::twiml::parse_twiml(body),
            Wire::Vonage(_) => super::ncco::parse_ncco(body),
        }
    }
}

/// Marks a request that asks for a document (Vonage's answer webhook, an `onAnswer` or a
/// transfer's URL), which Vonage sends as a `GET`; stripped before anything is sent.
pub const FETCH: &str = "\u{1}fetch";
/// Carries a `notify` action's payload (JSON); stripped before anything is sent.
pub const NOTIFY_PAYLOAD: &str = "\u{1}notify";

fn param<'p>(params: &'p [(String, String)], name: &str) -> Option<&'p str> {
    params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// A number as Vonage writes it: E.164 digits without `+`.
fn vonage_number(n: &str) -> String {
    n.trim_start_matches('+').to_string()
}

/// The emulator keeps one record of what happened on a call (its step's fields, in Twilio's
/// names, as `Call::base_params` builds them); this turns it into the body Vonage posts for
/// the same happening ("Voice API Webhooks Reference"):
/// - an `input`'s result: `dtmf: { digits, timed_out }` (`timed_out` when nothing was pressed);
/// - a `connect`'s callee leg: `status` (`timeout` when it rang out, `busy`, `failed`,
///   `completed`, `cancelled`), with the callee's `uuid` and `duration`;
/// - a call's own end, on its event URL: `status` (`completed`, `busy`, `failed`, `timeout`
///   when it rang out, `cancelled` when ended before it was answered), `duration`;
/// - a `record`'s result: `recording_url`, `recording_uuid`, `start_time`, `end_time`, `size`;
/// - a `notify`: its payload.
pub fn vonage_body(params: &[(String, String)], now: jiff::Timestamp) -> serde_json::Value {
    use serde_json::json;
    if let Some(payload) = param(params, NOTIFY_PAYLOAD) {
        return serde_json::from_str(payload).unwrap_or(serde_json::Value::Null);
    }
    let sid = param(params, "CallSid").unwrap_or("");
    let mut body = json!({
        "uuid": sid,
        "conversation_uuid": format!("CON-{sid}"),
        "from": vonage_number(param(params, "From").unwrap_or("")),
        "to": vonage_number(param(params, "To").unwrap_or("")),
        "timestamp": now.to_string(),
    });
    if let Some(url) = param(params, "RecordingUrl") {
        let seconds: i64 = param(params, "RecordingDuration").and_then(|d| d.parse().ok()).unwrap_or(0);
        let start = now.checked_sub(jiff::SignedDuration::from_secs(seconds)).unwrap_or(now);
        body["recording_url"] = json!(url);
        body["recording_uuid"] = json!(param(params, "RecordingSid").unwrap_or(""));
        body["start_time"] = json!(start.to_string());
        body["end_time"] = json!(now.to_string());
        body["size"] = json!(seconds * 16_000);
        return body;
    }
    if let Some(status) = param(params, "DialCallStatus") {
        let status = match status {
            "no-answer" => "timeout",
            "canceled" => "cancelled",
            other => other,
        };
        body["status"] = json!(status);
        body["direction"] = json!("outbound");
        if let Some(child) = param(params, "DialCallSid") {
            body["uuid"] = json!(child);
        }
        body["duration"] = json!(param(params, "DialCallDuration").unwrap_or("0"));
        return body;
    }
    if let Some(digits) = param(params, "Digits") {
        body["dtmf"] = json!({ "digits": digits, "timed_out": digits.is_empty() });
        return body;
    }
    // A call's end, in Vonage's words for it.
    let end = match param(params, "CallStatus") {
        Some(status @ ("completed" | "busy" | "failed")) => Some(status),
        Some("no-answer") => Some("timeout"),
        Some("canceled") => Some("cancelled"),
        _ => None,
    };
    if let Some(status) = end {
        body["status"] = json!(status);
        body["duration"] = json!(param(params, "CallDuration").unwrap_or("0"));
    }
    body
}

/// Sends a webhook as Vonage does: a document is asked for with `GET` (its fields in the
/// query), everything else is a JSON `POST`; each signed with a JWT (HS256 with the
/// signature secret, `iat` now, and the body's `payload_hash`).
pub async fn vonage_send(
    client: &reqwest::Client,
    secret: &crate::provider::vonage::jwt::SignatureSecret,
    url: &Url,
    params: &[(String, String)],
    now: jiff::Timestamp,
) -> Result<(u16, String), EmulatorError> {
    use crate::provider::vonage::jwt::{payload_hash, sign_webhook, WebhookClaims};
    let claims = |body: &[u8]| WebhookClaims {
        iat: now.as_second(),
        exp: None,
        jti: Some(format!("{:x}", fastrand::u64(..))),
        api_key: Some("emulator".into()),
        application_id: Some("aaaaaaaa-0000-4000-8000-000000000000".into()),
        payload_hash: (!body.is_empty()).then(|| payload_hash(body)),
    };
    let request = if param(params, FETCH).is_some() {
        let mut url = url.clone();
        let sid = param(params, "CallSid").unwrap_or("").to_string();
        url.query_pairs_mut()
            .append_pair("to", &vonage_number(param(params, "To").unwrap_or("")))
            .append_pair("from", &vonage_number(param(params, "From").unwrap_or("")))
            .append_pair("uuid", &sid)
            .append_pair("conversation_uuid", &format!("CON-{sid}"));
        let token = sign_webhook(secret, &claims(b""));
        client.get(url).header("Authorization", format!("Bearer {token}"))
    } else {
        let body = vonage_body(params, now).to_string();
        let token = sign_webhook(secret, &claims(body.as_bytes()));
        client
            .post(url.clone())
            .header("Content-Type", "application/json")
            .header("Authorization", format!("Bearer {token}"))
            .body(body)
    };
    let resp = request.send().await.map_err(|source| EmulatorError::Http { url: url.to_string(), source })?;
    let status = resp.status().as_u16();
    let text = resp.text().await.map_err(|source| EmulatorError::Http { url: url.to_string(), source })?;
    Ok((status, text))
}
