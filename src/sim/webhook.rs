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
