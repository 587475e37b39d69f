//! Per-source rate limit on webhooks: a token bucket per client address. With signatures
//! checked, only requests whose signature fails take a token (`web::webhooks::webhook`), so
//! the provider itself is never refused; with `--insecure-skip-signature`, every request
//! does. Behind a reverse proxy on the same machine, the address is taken from
//! `X-Forwarded-For`; from anyone else that header is ignored.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::Instant;

use axum::http::HeaderMap;

pub struct RateLimit {
    /// Requests a second, sustained; 0 turns the limit off.
    per_second: f64,
    burst: f64,
    buckets: Mutex<HashMap<IpAddr, (f64, Instant)>>,
}

impl RateLimit {
    pub fn new(per_second: u32) -> RateLimit {
        RateLimit {
            per_second: f64::from(per_second),
            burst: f64::from(per_second) * 2.0,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    pub fn source(peer: SocketAddr, headers: &HeaderMap) -> IpAddr {
        if peer.ip().is_loopback() {
            let forwarded = headers
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(',').next_back())
                .and_then(|v| v.trim().parse().ok());
            if let Some(ip) = forwarded {
                return ip;
            }
        }
        peer.ip()
    }

    /// Takes one token for `source`; false when it has none left.
    pub fn allow(&self, source: IpAddr, now: Instant) -> bool {
        if self.per_second <= 0.0 {
            return true;
        }
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() > 10_000 {
            buckets.retain(|_, (_, seen)| now.duration_since(*seen).as_secs() < 60);
        }
        let (tokens, seen) = buckets.entry(source).or_insert((self.burst, now));
        *tokens = (*tokens + now.duration_since(*seen).as_secs_f64() * self.per_second).min(self.burst);
        *seen = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_source_gets_its_burst_then_its_rate() {
        let limit = RateLimit::new(10);
        let (a, b): (IpAddr, IpAddr) = ("192.0.2.1".parse().unwrap(), "192.0.2.2".parse().unwrap());
        let t0 = Instant::now();
        assert_eq!((0..25).filter(|_| limit.allow(a, t0)).count(), 20);
        assert!(limit.allow(b, t0), "another source has its own bucket");
        assert!(!limit.allow(a, t0));
        assert!(limit.allow(a, t0 + Duration::from_millis(150)), "tokens come back at the rate");
        assert!(RateLimit::new(0).allow(a, t0));
    }

    #[test]
    fn forwarded_addresses_count_only_from_a_local_proxy() {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", "203.0.113.9, 198.51.100.7".parse().unwrap());
        assert_eq!(
            RateLimit::source("127.0.0.1:5000".parse().unwrap(), &headers),
            "198.51.100.7".parse::<IpAddr>().unwrap()
        );
        assert_eq!(
            RateLimit::source("192.0.2.5:5000".parse().unwrap(), &headers),
            "192.0.2.5".parse::<IpAddr>().unwrap()
        );
    }
}
