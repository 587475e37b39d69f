//! Where "now" comes from: the system clock, a clock started at `BURENLIJN_NOW`, or a
//! simulated clock that the phone emulator moves forward.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Instant;

use jiff::{SignedDuration, Timestamp};

pub trait Clock: Send + Sync {
    fn now(&self) -> Timestamp;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// Starts at a given instant and runs on in real time (for `BURENLIJN_NOW`).
pub struct StartedClock {
    start: Timestamp,
    since: Instant,
}

impl StartedClock {
    pub fn new(start: Timestamp) -> StartedClock {
        StartedClock { start, since: Instant::now() }
    }
}

impl Clock for StartedClock {
    fn now(&self) -> Timestamp {
        let elapsed = SignedDuration::try_from(self.since.elapsed()).unwrap_or(SignedDuration::ZERO);
        self.start.checked_add(elapsed).unwrap_or(self.start)
    }
}

/// A `StartedClock` that can also jump ahead (the crash harness's restart hours later).
pub struct JumpingClock {
    started: StartedClock,
    jumped: AtomicI64,
}

impl JumpingClock {
    pub fn new(start: Timestamp) -> JumpingClock {
        JumpingClock { started: StartedClock::new(start), jumped: AtomicI64::new(0) }
    }

    pub fn jump(&self, seconds: i64) {
        self.jumped.fetch_add(seconds, Ordering::SeqCst);
    }
}

impl Clock for JumpingClock {
    fn now(&self) -> Timestamp {
        let now = self.started.now();
        now.checked_add(SignedDuration::from_secs(self.jumped.load(Ordering::SeqCst))).unwrap_or(now)
    }
}

/// Simulated time, whole seconds, moved forward by whoever simulates the phones.
pub struct SimClock {
    seconds: AtomicI64,
}

impl SimClock {
    pub fn new(start: Timestamp) -> SimClock {
        SimClock { seconds: AtomicI64::new(start.as_second()) }
    }

    pub fn advance(&self, seconds: i64) {
        self.seconds.fetch_add(seconds.max(0), Ordering::SeqCst);
    }
}

impl Clock for SimClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_second(self.seconds.load(Ordering::SeqCst)).unwrap_or(Timestamp::UNIX_EPOCH)
    }
}

/// `BURENLIJN_NOW`, if set: an RFC 3339 time the clock starts at.
pub fn from_env() -> anyhow::Result<Option<Timestamp>> {
    from_lookup(|name| std::env::var(name).ok())
}

/// As `from_env`, with the variables from `lookup`.
pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> anyhow::Result<Option<Timestamp>> {
    match lookup("BURENLIJN_NOW") {
        Some(value) if !value.trim().is_empty() => {
            let ts: Timestamp = value.trim().parse().map_err(|e| {
                anyhow::anyhow!("BURENLIJN_NOW='{value}' is not an RFC 3339 time like 2026-11-24T10:15:00+01:00: {e}")
            })?;
            Ok(Some(ts))
        }
        _ => Ok(None),
    }
}

/// The moment `months` calendar months before `now` (for retention).
pub fn months_before(now: Timestamp, months: u32) -> anyhow::Result<Timestamp> {
    Ok(now.to_zoned(jiff::tz::TimeZone::UTC).checked_sub(jiff::Span::new().months(i64::from(months)))?.timestamp())
}
