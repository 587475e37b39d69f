//! Vonage's two JSON Web Tokens: the one on every webhook (checked here) and the one for
//! the REST API (made here).
//!
//! Facts (docs/vonage-facts.md):
//! - Signed webhooks: "the incoming webhook will include a JWT token in the authorization
//!   header which is signed with your signature secret" (HS256; "Signed webhooks" and
//!   "Webhooks" pages, "Decoding signed webhooks"); its claims carry `api_key`,
//!   `application_id`, `iat`, `jti` and `payload_hash`, a SHA-256 of the body ("compare a
//!   SHA-256 hash of the payload to the payload_hash field found in the JWT claims"). The
//!   Voice API signs its callbacks by default (Voice API Webhooks Reference).
//! - "In the rare case of an internal error, it is possible that the callback service will
//!   send an unsigned callback. By returning an HTTP 5xx response, a retry will be
//!   triggered" (Signed webhooks): so an unsigned request is refused, and the web layer
//!   should answer it with a 5xx, not a 4xx (left to the merger).
//! - The REST API takes `Authorization: Bearer <JWT>`, RS256 with the application's
//!   private key, claims `application_id`, `iat`, `jti` and optionally `exp`
//!   ("Authentication" page, JWT section).
//!
//! What a signature does not cover: the URL. Our own query (`call=`, `s=`) is protected by
//! TLS only, as for any JWT-signed webhook; the clock window and `payload_hash` bound a replay.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// How old a webhook's token may be, and how far ahead of our clock (a provider's clock
/// running fast) it may be issued.
pub const MAX_AGE_SECONDS: i64 = 300;
pub const MAX_AHEAD_SECONDS: i64 = 60;

/// The account's signature secret (HS256 key). Its `Debug` never shows it.
#[derive(Clone)]
pub struct SignatureSecret(String);

impl std::fmt::Debug for SignatureSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SignatureSecret(..)")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StartupError {
    #[error("VONAGE_SIGNATURE_SECRET is not set: Vonage's webhooks cannot be checked, and the switchboard does not run unchecked (the Vonage dashboard, API settings, shows the signature secret)")]
    Missing,
    #[error("VONAGE_SIGNATURE_SECRET is too short ({0} characters, at least {MIN_SECRET_CHARS}): copy the whole secret from the dashboard")]
    TooShort(usize),
}

/// Our own floor for a secret's length, so a truncated paste is noticed at start-up. (Vonage
/// only says "it's recommended that signature secrets be no less than 32 bits".)
pub const MIN_SECRET_CHARS: usize = 16;

/// The start-up check: no secret, no service.
pub fn check_startup(secret: Option<&str>) -> Result<SignatureSecret, StartupError> {
    let secret = secret.map(str::trim).filter(|s| !s.is_empty()).ok_or(StartupError::Missing)?;
    if secret.chars().count() < MIN_SECRET_CHARS {
        return Err(StartupError::TooShort(secret.chars().count()));
    }
    Ok(SignatureSecret(secret.to_string()))
}

/// The claims of a webhook's token that we read.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct WebhookClaims {
    pub iat: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload_hash: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("the request is not signed (no Authorization header)")]
    Unsigned,
    #[error("the Authorization header is not a Bearer token")]
    NotBearer,
    #[error("the token is not a valid HS256 token signed with our secret: {0}")]
    BadToken(String),
    #[error("the token was issued {0} s ago, more than {MAX_AGE_SECONDS} s")]
    TooOld(i64),
    #[error("the token is issued {0} s ahead of our clock")]
    FromTheFuture(i64),
    #[error("the token has expired")]
    Expired,
    #[error("the body has no payload_hash in the token")]
    NoPayloadHash,
    #[error("the body does not match the token's payload_hash")]
    WrongPayloadHash,
}

/// Hex SHA-256 of a body, as `payload_hash` holds it.
pub fn payload_hash(body: &[u8]) -> String {
    Sha256::digest(body).iter().map(|b| format!("{b:02x}")).collect()
}

/// Checks a webhook: the `Authorization` header's token is HS256 with our secret, issued
/// within the clock window around `now` (Unix seconds, passed in), and, when there is a
/// body, its `payload_hash` is the body's. A `GET` (the answer webhook) has no body to hash.
pub fn verify(
    secret: &SignatureSecret,
    authorization: Option<&str>,
    body: &[u8],
    now: i64,
) -> Result<WebhookClaims, VerifyError> {
    let header = authorization.ok_or(VerifyError::Unsigned)?;
    let token = header
        .strip_prefix("Bearer ")
        .or_else(|| header.strip_prefix("bearer "))
        .map(str::trim)
        .ok_or(VerifyError::NotBearer)?;
    let mut validation = Validation::new(Algorithm::HS256);
    // The clock is ours to pass in: `iat` and `exp` are checked below, not against the system's.
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    let data =
        jsonwebtoken::decode::<WebhookClaims>(token, &DecodingKey::from_secret(secret.0.as_bytes()), &validation)
            .map_err(|e| VerifyError::BadToken(e.to_string()))?;
    let claims = data.claims;
    let age = now - claims.iat;
    if age > MAX_AGE_SECONDS {
        return Err(VerifyError::TooOld(age));
    }
    if -age > MAX_AHEAD_SECONDS {
        return Err(VerifyError::FromTheFuture(-age));
    }
    if claims.exp.is_some_and(|exp| exp < now) {
        return Err(VerifyError::Expired);
    }
    if !body.is_empty() {
        let expected = payload_hash(body);
        let given = claims.payload_hash.as_deref().ok_or(VerifyError::NoPayloadHash)?;
        let same: bool =
            subtle::ConstantTimeEq::ct_eq(given.to_ascii_lowercase().as_bytes(), expected.as_bytes()).into();
        if !same {
            return Err(VerifyError::WrongPayloadHash);
        }
    }
    Ok(claims)
}

/// Signs webhook claims as Vonage does: for tests and the emulator, never for the service.
pub fn sign_webhook(secret: &SignatureSecret, claims: &WebhookClaims) -> String {
    jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &EncodingKey::from_secret(secret.0.as_bytes()))
        .expect("HS256 signing with a byte key cannot fail")
}

/// The application's identity for the REST API: its id and its private key (PEM).
#[derive(Clone)]
pub struct ApplicationKey {
    pub application_id: String,
    key: EncodingKey,
}

impl std::fmt::Debug for ApplicationKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApplicationKey").field("application_id", &self.application_id).finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("the Vonage application id is empty")]
    NoApplicationId,
    #[error("the Vonage private key is not an RSA private key in PEM: {0}")]
    NotAKey(String),
}

#[derive(Serialize)]
struct ApplicationClaims<'a> {
    application_id: &'a str,
    iat: i64,
    exp: i64,
    jti: &'a str,
}

/// How long a REST token lives: one request's worth, with room for a slow clock.
pub const APPLICATION_TOKEN_SECONDS: i64 = 900;

impl ApplicationKey {
    pub fn new(application_id: &str, private_key_pem: &[u8]) -> Result<ApplicationKey, KeyError> {
        let application_id = application_id.trim();
        if application_id.is_empty() {
            return Err(KeyError::NoApplicationId);
        }
        let key = EncodingKey::from_rsa_pem(private_key_pem).map_err(|e| KeyError::NotAKey(e.to_string()))?;
        Ok(ApplicationKey { application_id: application_id.to_string(), key })
    }

    /// A token for the REST API, issued at `now` (Unix seconds) with a fresh `jti`.
    pub fn mint(&self, now: i64, jti: &str) -> String {
        let claims = ApplicationClaims {
            application_id: &self.application_id,
            iat: now,
            exp: now + APPLICATION_TOKEN_SECONDS,
            jti,
        };
        jsonwebtoken::encode(&Header::new(Algorithm::RS256), &claims, &self.key)
            .expect("RS256 signing with a parsed key cannot fail")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_796_000_000;

    fn secret() -> SignatureSecret {
        check_startup(Some("0123456789abcdef0123456789abcdef")).unwrap()
    }

    fn token(secret: &SignatureSecret, iat: i64, body: &[u8]) -> String {
        let claims = WebhookClaims {
            iat,
            exp: None,
            jti: Some("c2f1a7c0-0000-4000-8000-000000000001".into()),
            api_key: Some("abcd1234".into()),
            application_id: Some("aaaaaaaa-bbbb-cccc-dddd-0123456789ab".into()),
            payload_hash: Some(payload_hash(body)),
        };
        format!("Bearer {}", sign_webhook(secret, &claims))
    }

    #[test]
    fn a_good_token_passes_and_says_who_signed() {
        let body = br#"{"status":"answered","uuid":"aaaaaaaa-bbbb-cccc-dddd-0123456789ab"}"#;
        let claims = verify(&secret(), Some(&token(&secret(), NOW - 2, body)), body, NOW).unwrap();
        assert_eq!(claims.api_key.as_deref(), Some("abcd1234"));
        // A GET has no body to hash.
        assert!(verify(&secret(), Some(&token(&secret(), NOW, b"")), b"", NOW).is_ok());
    }

    #[test]
    fn forged_old_and_tampered_requests_are_refused() {
        let body = br#"{"dtmf":{"digits":"1","timed_out":false}}"#;
        let forger = check_startup(Some("not-our-secret-not-our-secret-xx")).unwrap();
        let err = |auth: Option<&str>, body: &[u8]| verify(&secret(), auth, body, NOW).unwrap_err();
        assert!(matches!(err(Some(&token(&forger, NOW, body)), body), VerifyError::BadToken(_)));
        assert_eq!(err(None, body), VerifyError::Unsigned);
        assert_eq!(err(Some("Basic YWJjOmRlZg=="), body), VerifyError::NotBearer);
        assert!(matches!(err(Some("Bearer not.a.token"), body), VerifyError::BadToken(_)));
        assert_eq!(err(Some(&token(&secret(), NOW - 301, body)), body), VerifyError::TooOld(301));
        assert!(verify(&secret(), Some(&token(&secret(), NOW - 300, body)), body, NOW).is_ok());
        assert_eq!(err(Some(&token(&secret(), NOW + 61, body)), body), VerifyError::FromTheFuture(61));
        let other = br#"{"dtmf":{"digits":"2","timed_out":false}}"#;
        assert_eq!(err(Some(&token(&secret(), NOW, body)), other), VerifyError::WrongPayloadHash);
        // A token without a hash does not cover a body.
        let bare =
            WebhookClaims { iat: NOW, exp: None, jti: None, api_key: None, application_id: None, payload_hash: None };
        assert_eq!(err(Some(&format!("Bearer {}", sign_webhook(&secret(), &bare))), body), VerifyError::NoPayloadHash);
        let expired = WebhookClaims { exp: Some(NOW - 1), ..bare };
        assert_eq!(err(Some(&format!("Bearer {}", sign_webhook(&secret(), &expired))), b""), VerifyError::Expired);
        // A token of another algorithm (none, or HS512) is refused even with our secret.
        let hs512 = jsonwebtoken::encode(
            &Header::new(Algorithm::HS512),
            &WebhookClaims { iat: NOW, exp: None, jti: None, api_key: None, application_id: None, payload_hash: None },
            &EncodingKey::from_secret(b"0123456789abcdef0123456789abcdef"),
        )
        .unwrap();
        assert!(matches!(err(Some(&format!("Bearer {hs512}")), b""), VerifyError::BadToken(_)));
    }

    #[test]
    fn the_switchboard_does_not_start_without_a_secret() {
        assert_eq!(check_startup(None).unwrap_err(), StartupError::Missing);
        assert_eq!(check_startup(Some("  ")).unwrap_err(), StartupError::Missing);
        assert_eq!(check_startup(Some("short")).unwrap_err(), StartupError::TooShort(5));
        assert_eq!(format!("{:?}", secret()), "SignatureSecret(..)");
    }

    #[test]
    fn the_application_token_is_rs256_with_the_documented_claims() {
        let key = ApplicationKey::new(
            "aaaaaaaa-bbbb-cccc-dddd-0123456789ab",
            include_bytes!("../../../tests/vonage/test-private-key.pem"),
        )
        .unwrap();
        let token = key.mint(NOW, "jti-1");
        let public = DecodingKey::from_rsa_pem(include_bytes!("../../../tests/vonage/test-public-key.pem")).unwrap();
        let mut validation = Validation::new(Algorithm::RS256);
        validation.validate_exp = false;
        let claims = jsonwebtoken::decode::<serde_json::Value>(&token, &public, &validation).unwrap().claims;
        assert_eq!(
            claims,
            serde_json::json!({
                "application_id": "aaaaaaaa-bbbb-cccc-dddd-0123456789ab",
                "iat": NOW, "exp": NOW + APPLICATION_TOKEN_SECONDS, "jti": "jti-1"
            })
        );
        assert!(matches!(ApplicationKey::new("app", b"not a key"), Err(KeyError::NotAKey(_))));
        assert_eq!(ApplicationKey::new(" ", b"").unwrap_err(), KeyError::NoApplicationId);
        assert!(!format!("{key:?}").contains("PRIVATE"));
    }
}
