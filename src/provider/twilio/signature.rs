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

/// Checks a signature in constant time, against the URL as given and the few spellings of
/// its port that Twilio may have signed instead (see `url_variants`).
pub fn verify(auth_token: &str, url: &str, params: &[(String, String)], header: &str) -> bool {
    let Ok(expected) = STANDARD.decode(header.trim()) else {
        return false;
    };
    url_variants(url).iter().any(|u| mac(auth_token, u, params).verify_slice(&expected).is_ok())
}

/// The URLs a genuine signature for `url` may have been computed over: the URL as given;
/// with its port removed, when it has one (any port); with the scheme's default port added,
/// when it has none.
///
/// This is what the official Python library does (twilio-python,
/// `twilio/request_validator.py`, `RequestValidator.validate`): it computes the signature
/// over `remove_port(uri)` (the netloc cut at its first `:`, when the URI has a port) and
/// over `add_port(uri)` (the URI unchanged when it has a port, else with `:443` for https
/// and `:80` otherwise), "since sig generation on back end is inconsistent", and accepts
/// either. Twilio's Security page adds that for voice callbacks over HTTPS the port is
/// dropped before signing, so a service on `https://host:8443` gets signatures over
/// `https://host/...`.
///
/// Only the port changes: scheme, user info, host, path and query stay byte for byte as
/// given (no normalising parser in between), so a signature for another host, path, query
/// or scheme still fails. Unlike the Python code, user info and IPv6 hosts are kept intact
/// (its `split(":")` would cut `user:pw@host` or `[::1]` short). Schemes other than http
/// and https get no variants.
fn url_variants(url: &str) -> Vec<String> {
    let mut out = vec![url.to_string()];
    let Some(parts) = split_port(url) else {
        return out;
    };
    let variant = match parts.port {
        Some(_) => format!("{}{}", parts.before, parts.after),
        None => format!("{}:{}{}", parts.before, parts.default_port, parts.after),
    };
    if !out.contains(&variant) {
        out.push(variant);
    }
    out
}

/// An http(s) URL cut around its port.
struct PortParts<'a> {
    /// Up to the end of the host.
    before: &'a str,
    /// The digits after the host's `:`, if there are any.
    port: Option<&'a str>,
    /// From the path on.
    after: &'a str,
    default_port: u16,
}

fn split_port(url: &str) -> Option<PortParts<'_>> {
    let (scheme, rest) = url.split_once("://")?;
    let default_port = match scheme.to_ascii_lowercase().as_str() {
        "https" => 443,
        "http" => 80,
        _ => return None,
    };
    let authority_start = scheme.len() + 3;
    let authority_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_len];
    // The host starts after any user info; an IPv6 host is in brackets and has colons.
    let host_start = authority.rfind('@').map_or(0, |at| at + 1);
    let host_and_port = &authority[host_start..];
    let host_len = if host_and_port.starts_with('[') {
        host_and_port.find(']')? + 1
    } else {
        host_and_port.find(':').unwrap_or(host_and_port.len())
    };
    let port_text = &host_and_port[host_len..];
    let port = match port_text.strip_prefix(':') {
        None if port_text.is_empty() => None,
        Some(digits) if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) => Some(digits),
        // `host:` with no digits, or anything else after the host: not a URL we rewrite.
        _ => return None,
    };
    let host_end = authority_start + host_start + host_len;
    let after_start = authority_start + authority_len;
    Some(PortParts { before: &url[..host_end], port, after: &url[after_start..], default_port })
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

    fn signed(url: &str) -> String {
        signature("12345", url, &params())
    }

    #[test]
    fn a_service_on_a_non_default_port_accepts_the_port_less_signature() {
        // Twilio drops the port of an HTTPS voice callback before signing.
        let served = "https://burenlijn.example.nl:8443/twilio/voice?s=3";
        assert!(verify("12345", served, &params(), &signed("https://burenlijn.example.nl/twilio/voice?s=3")));
        assert!(verify("12345", served, &params(), &signed(served)), "the URL as given");
        // The same for http, as the official library does.
        let plain = "http://127.0.0.1:8080/twilio/status";
        assert!(verify("12345", plain, &params(), &signed("http://127.0.0.1/twilio/status")));
        assert!(verify("12345", plain, &params(), &signed(plain)));
        // User info and IPv6 hosts keep their colons.
        let ipv6 = "https://[2001:db8::1]:8443/twilio/voice";
        assert!(verify("12345", ipv6, &params(), &signed("https://[2001:db8::1]/twilio/voice")));
        let user = "https://bl:secret@burenlijn.example.nl:8443/twilio/voice";
        assert!(verify("12345", user, &params(), &signed("https://bl:secret@burenlijn.example.nl/twilio/voice")));
    }

    #[test]
    fn the_default_port_is_added_when_the_url_has_none() {
        let served = "https://burenlijn.example.nl/twilio/voice";
        assert!(verify("12345", served, &params(), &signed("https://burenlijn.example.nl:443/twilio/voice")));
        let plain = "http://burenlijn.example.nl/twilio/voice";
        assert!(verify("12345", plain, &params(), &signed("http://burenlijn.example.nl:80/twilio/voice")));
        assert!(!verify("12345", plain, &params(), &signed("http://burenlijn.example.nl:443/twilio/voice")));
    }

    #[test]
    fn only_the_port_may_differ() {
        let served = "https://burenlijn.example.nl:8443/twilio/voice?s=3";
        for other in [
            // another port than the one served, or than the default
            "https://burenlijn.example.nl:9443/twilio/voice?s=3",
            "https://burenlijn.example.nl:443/twilio/voice?s=3",
            // another host, path, query or scheme
            "https://evil.example.nl/twilio/voice?s=3",
            "https://evil.example.nl:8443/twilio/voice?s=3",
            "https://burenlijn.example.nl.evil.example/twilio/voice?s=3",
            "https://burenlijn.example.nl/twilio/status?s=3",
            "https://burenlijn.example.nl/twilio/voice?s=4",
            "https://burenlijn.example.nl/twilio/voice",
            "http://burenlijn.example.nl/twilio/voice?s=3",
            "http://burenlijn.example.nl:8443/twilio/voice?s=3",
        ] {
            assert!(!verify("12345", served, &params(), &signed(other)), "{other}");
        }
        // A URL whose "port" is not a number, or another scheme, is checked only as given.
        assert_eq!(url_variants("https://host:x/p"), vec!["https://host:x/p".to_string()]);
        assert_eq!(url_variants("ftp://host:21/p"), vec!["ftp://host:21/p".to_string()]);
        assert_eq!(
            url_variants("https://host:8443"),
            vec!["https://host:8443".to_string(), "https://host".to_string()],
            "no path at all"
        );
    }
}
