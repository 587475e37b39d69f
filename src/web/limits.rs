//! Per-source rate limit on webhooks: a token bucket per client address. With signatures
//! checked, only requests whose signature fails take a token (`web::webhooks::webhook`), so
//! the provider itself is never refused; with `--insecure-skip-signature`, every request
//! does. The address is `web::client::address`: the peer's, or the one a
//! `--trusted-proxy` passes on.
//!
//! A flood from many addresses must not grow memory or the log without bound: at most
//! `MAX_SOURCES` buckets are kept (a full bucket is forgotten first, as it changes
//! nothing; then the longest unseen), and refused webhooks are logged at most once every
//! `LOG_EVERY`, as one line that counts them (`Refusals`).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The most sources whose buckets are kept.
pub const MAX_SOURCES: usize = 10_000;
/// Refused webhooks are logged at most this often.
pub const LOG_EVERY: Duration = Duration::from_secs(60);

pub struct RateLimit {
    /// Requests a second, sustained; 0 turns the limit off.
    per_second: f64,
    burst: f64,
    buckets: Mutex<HashMap<IpAddr, (f64, Instant)>>,
    refusals: Mutex<Refusals>,
}

impl RateLimit {
    pub fn new(per_second: u32) -> RateLimit {
        RateLimit {
            per_second: f64::from(per_second),
            burst: f64::from(per_second) * 2.0,
            buckets: Mutex::new(HashMap::new()),
            refusals: Mutex::new(Refusals::default()),
        }
    }

    /// Takes one token for `source`; false when it has none left.
    pub fn allow(&self, source: IpAddr, now: Instant) -> bool {
        if self.per_second <= 0.0 {
            return true;
        }
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() >= MAX_SOURCES && !buckets.contains_key(&source) {
            self.make_room(&mut buckets, now);
        }
        let (tokens, seen) = buckets.entry(source).or_insert((self.burst, now));
        *tokens = (*tokens + now.saturating_duration_since(*seen).as_secs_f64() * self.per_second).min(self.burst);
        *seen = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// Forgets the buckets that are full again (a new one would be the same), and if that
    /// is not enough, the older half: so each forgetting frees many places, and a flood
    /// costs little per request.
    fn make_room(&self, buckets: &mut HashMap<IpAddr, (f64, Instant)>, now: Instant) {
        let refill = Duration::from_secs_f64(self.burst / self.per_second);
        buckets.retain(|_, (_, seen)| now.saturating_duration_since(*seen) < refill);
        if buckets.len() < MAX_SOURCES {
            return;
        }
        let mut seen: Vec<Instant> = buckets.values().map(|(_, seen)| *seen).collect();
        let middle = seen.len() / 2;
        let (_, median, _) = seen.select_nth_unstable(middle);
        let median = *median;
        buckets.retain(|_, (_, seen)| *seen > median);
        if buckets.len() >= MAX_SOURCES {
            // Every bucket was seen at the same instant: any half will do.
            let mut kept = 0;
            buckets.retain(|_, _| {
                kept += 1;
                kept <= MAX_SOURCES / 2
            });
        }
    }

    /// How many buckets are kept.
    pub fn sources(&self) -> usize {
        self.buckets.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// Counts a refused webhook; returns the line to log when one is due.
    pub fn refused(&self, why: Refused, now: Instant) -> Option<Summary> {
        self.refusals.lock().unwrap_or_else(|p| p.into_inner()).count(why, now)
    }
}

/// Why a webhook was refused before anything was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refused {
    /// A missing or wrong signature (403).
    Forged,
    /// Too many from one source (429).
    OverRate,
}

/// The refusals since the last line in the log.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub forged: u64,
    pub over_rate: u64,
}

/// Decides when refused webhooks are logged: the first at once, then at most one line
/// every `LOG_EVERY`, counting all refused since the line before. Pure: the time is
/// passed in.
#[derive(Debug, Default)]
pub struct Refusals {
    since: Summary,
    last_line: Option<Instant>,
}

impl Refusals {
    pub fn count(&mut self, why: Refused, now: Instant) -> Option<Summary> {
        match why {
            Refused::Forged => self.since.forged += 1,
            Refused::OverRate => self.since.over_rate += 1,
        }
        let due = self.last_line.is_none_or(|last| now.saturating_duration_since(last) >= LOG_EVERY);
        if !due {
            return None;
        }
        self.last_line = Some(now);
        Some(std::mem::take(&mut self.since))
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
    fn a_flood_from_many_sources_keeps_the_map_bounded() {
        let limit = RateLimit::new(10);
        let t0 = Instant::now();
        let mut most = 0;
        for i in 0..100_000u32 {
            let source = IpAddr::from(std::net::Ipv4Addr::from(0x0a00_0000 + i));
            // A forgery a microsecond: none of the buckets is full again.
            assert!(limit.allow(source, t0 + Duration::from_micros(u64::from(i))));
            most = most.max(limit.sources());
        }
        assert!(most <= MAX_SOURCES, "{most}");
        assert!(limit.sources() >= MAX_SOURCES / 2, "the newest are kept: {}", limit.sources());
        // All at the same instant too (the fallback when no half is older).
        let limit = RateLimit::new(10);
        for i in 0..30_000u32 {
            limit.allow(IpAddr::from(std::net::Ipv6Addr::from(u128::from(i))), t0);
        }
        assert!(limit.sources() <= MAX_SOURCES, "{}", limit.sources());
    }

    #[test]
    fn a_source_seen_recently_keeps_its_bucket_through_a_flood() {
        let limit = RateLimit::new(10);
        let t0 = Instant::now();
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        assert_eq!((0..25).filter(|_| limit.allow(a, t0)).count(), 20, "its burst spent");
        for i in 0..(3 * MAX_SOURCES as u32) {
            let at = t0 + Duration::from_micros(u64::from(i));
            limit.allow(IpAddr::from(std::net::Ipv4Addr::from(0x0a00_0000 + i)), at);
            if i % 1000 == 0 {
                assert!(!limit.allow(a, at), "still over its limit at {i}");
            }
        }
    }

    #[test]
    fn refusals_are_logged_at_most_once_a_minute_with_their_count() {
        let mut log = Refusals::default();
        let t0 = Instant::now();
        let at = |s: u64| t0 + Duration::from_secs(s);
        assert_eq!(log.count(Refused::Forged, at(0)), Some(Summary { forged: 1, over_rate: 0 }), "the first at once");
        for s in 1..60 {
            assert_eq!(log.count(Refused::Forged, at(s)), None);
            assert_eq!(log.count(Refused::OverRate, at(s)), None);
        }
        assert_eq!(
            log.count(Refused::OverRate, at(60)),
            Some(Summary { forged: 59, over_rate: 60 }),
            "a minute later: one line, counting all since the last"
        );
        assert_eq!(log.count(Refused::Forged, at(61)), None);
        // A quiet hour, then the next refusal is logged at once.
        assert_eq!(log.count(Refused::Forged, at(3600)), Some(Summary { forged: 2, over_rate: 0 }));
    }

    #[test]
    fn the_limit_counts_refusals() {
        let limit = RateLimit::new(10);
        let t0 = Instant::now();
        assert!(limit.refused(Refused::Forged, t0).is_some());
        assert!((0..1000).all(|_| limit.refused(Refused::Forged, t0).is_none()));
        assert_eq!(limit.refused(Refused::Forged, t0 + LOG_EVERY), Some(Summary { forged: 1001, over_rate: 0 }));
    }
}
