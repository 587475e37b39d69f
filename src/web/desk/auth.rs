//! Passwords (argon2id), session tokens, CSRF tokens and the login slow-down.

use std::collections::HashMap;
use std::sync::Mutex;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::domain::desk::LoginFailures;

/// Hashes a password with argon2id (the crate's defaults: 19 MiB, 2 passes), as a PHC
/// string that holds its own salt and parameters. Slow on purpose: call it off the runtime.
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| anyhow::anyhow!("no randomness for a salt: {e}"))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| anyhow::anyhow!("{e}"))?;
    let hash = Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("cannot hash the password: {e}"))?;
    Ok(hash.to_string())
}

/// Checks a password against a stored hash. A missing account is checked against a
/// throw-away hash, so the answer takes as long either way.
pub fn verify_password(password: &str, stored: Option<&str>) -> bool {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash_password("no such user, no such password").unwrap_or_default());
    let (hash, real) = match stored {
        Some(h) => (h, true),
        None => (dummy.as_str(), false),
    };
    let Ok(parsed) = PasswordHash::new(hash) else { return false };
    Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok() && real
}

/// 32 random bytes, URL-safe base64: a session or CSRF token.
pub fn random_token() -> anyhow::Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness for a token: {e}"))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// What the database keeps of a session token.
pub fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares two tokens in constant time.
pub fn same_token(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// Failed logins per account name and per address, in memory (a restart forgets them,
/// which only ever makes the wait shorter).
#[derive(Default)]
pub struct Throttle {
    failures: Mutex<HashMap<String, LoginFailures>>,
}

impl Throttle {
    /// Seconds before another attempt on any of `keys` is checked.
    pub fn wait_seconds(&self, keys: &[String], now: i64) -> i64 {
        let map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        keys.iter().filter_map(|k| map.get(k)).map(|f| f.wait_seconds(now)).max().unwrap_or(0)
    }

    pub fn failed(&self, keys: &[String], now: i64) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > 10_000 {
            // Someone is trying many names: keep the slow-down, drop the oldest entries.
            map.retain(|_, f| now - f.last_at < crate::domain::desk::MAX_LOGIN_WAIT_SECONDS);
        }
        for k in keys {
            map.entry(k.clone()).or_default().failed(now);
        }
    }

    pub fn succeeded(&self, keys: &[String]) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        for k in keys {
            map.remove(k);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_themselves() {
        let hash = hash_password("de kat zit op de mat").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("de kat zit op de mat", Some(&hash)));
        assert!(!verify_password("de kat zit op de mat ", Some(&hash)));
        assert!(!verify_password("de kat zit op de mat", None));
        assert!(!verify_password("x", Some("not a hash")));
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let (a, b) = (random_token().unwrap(), random_token().unwrap());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), a);
        assert!(same_token(&a, &a.clone()));
        assert!(!same_token(&a, &b));
        assert!(!same_token(&a, ""));
    }
}
