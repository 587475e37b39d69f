//! `X-Twilio-Signature`: HMAC-SHA1 over the URL and the sorted POST parameters.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha1::Sha1;

type HmacSha1 = Hmac<Sha1>;

fn mac(auth_token: &str, url: &str, params: &[(String, String)]) -> HmacSha1 {
    // Sorted by name, then by value, as the official libraries do.
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort();
    let mut mac = HmacSha1::new_from_slice(auth_token.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(url.as_bytes());
    for (name, value) in sorted {
        mac.update(name.as_bytes());
        mac.update(value.as_bytes());
    }
    mac
}

/// The signature Twilio sends for a POST to `url` with form `params`.
pub fn signature(auth_token: &str, url: &str, params: &[(String, String)]) -> String {
    STANDARD.encode(mac(auth_token, url, params).finalize().into_bytes())
}

/// Checks a signature in constant time. Like the official libraries, accepts the URL
/// with the scheme's default port added or removed.
pub fn verify(auth_token: &str, url: &str, params: &[(String, String)], header: &str) -> bool {
    let Ok(expected) = STANDARD.decode(header.trim()) else {
        return false;
    };
    url_variants(url).iter().any(|u| mac(auth_token, u, params).verify_slice(&expected).is_ok())
}

fn url_variants(url: &str) -> Vec<String> {
    let mut out = vec![url.to_string()];
    let Ok(parsed) = url::Url::parse(url) else {
        return out;
    };
    if parsed.port().is_some() {
        // A port that is not the scheme's default: no variants.
        return out;
    }
    let Some(port) = parsed.port_or_known_default() else {
        return out;
    };
    let host = parsed.host_str().unwrap_or_default().to_string();
    let without = parsed.to_string();
    // `Url` always drops a default port, so `without` has none; splice it in for `with`.
    let with = without.replacen(&format!("://{host}"), &format!("://{host}:{port}"), 1);
    for variant in [without, with] {
        if !out.contains(&variant) {
            out.push(variant);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> Vec<(String, String)> {
        [
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", "+14158675309"),
            ("Digits", "1234"),
            ("From", "+14158675309"),
            ("To", "+18005551212"),
        ]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
    }

    // Test vectors from the official Twilio libraries.
    #[test]
    fn official_test_vectors() {
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        assert_eq!(signature("12345", url, &params()), "RSOYDt4T1cUTdK1PDd93/VVr8B8=");
        let with_port = "https://mycompany.com:443/myapp.php?foo=1&bar=2";
        assert_eq!(signature("12345", with_port, &params()), "kvajT1Ptam85bY51eRf/AJRuM3w=");
    }

    #[test]
    fn verify_accepts_default_port_variants_and_refuses_forgeries() {
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        let with_port = "https://mycompany.com:443/myapp.php?foo=1&bar=2";
        assert!(verify("12345", url, &params(), "RSOYDt4T1cUTdK1PDd93/VVr8B8="));
        assert!(verify("12345", url, &params(), "kvajT1Ptam85bY51eRf/AJRuM3w="));
        assert!(verify("12345", with_port, &params(), "RSOYDt4T1cUTdK1PDd93/VVr8B8="));
        assert!(!verify("12346", url, &params(), "RSOYDt4T1cUTdK1PDd93/VVr8B8="));
        let mut tampered = params();
        tampered[2].1 = "1".into();
        assert!(!verify("12345", url, &tampered, "RSOYDt4T1cUTdK1PDd93/VVr8B8="));
        assert!(!verify("12345", url, &params(), "not base64!"));
        assert!(!verify("12345", url, &params(), ""));
    }
}
