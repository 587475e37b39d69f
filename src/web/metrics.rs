//! `/metrics` in Prometheus' text format: calls and attempts from the database, webhook
//! latency and refusals from memory. Counts only; no numbers, no names.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

const BUCKETS: [f64; 10] = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 2.5];

#[derive(Default)]
pub struct Metrics {
    buckets: [AtomicU64; 10],
    count: AtomicU64,
    sum_micros: AtomicU64,
    pub refused_signature: AtomicU64,
    pub refused_malformed: AtomicU64,
    pub refused_rate: AtomicU64,
    pub failed: AtomicU64,
}

impl Metrics {
    pub fn observe(&self, took: Duration) {
        let secs = took.as_secs_f64();
        for (i, le) in BUCKETS.iter().enumerate() {
            if secs <= *le {
                self.buckets[i].fetch_add(1, Ordering::Relaxed);
            }
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_micros.fetch_add(took.as_micros() as u64, Ordering::Relaxed);
    }

    /// The text format; `calls` and `attempts` are (label, count) from the database.
    pub fn render(&self, calls: &[(String, i64)], attempts: &[(String, i64)], open_follow_ups: i64) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "# HELP burenlijn_calls_total Calls by outcome (in_progress: not ended yet).\n# TYPE burenlijn_calls_total counter");
        for (outcome, n) in calls {
            let _ = writeln!(out, "burenlijn_calls_total{{outcome=\"{outcome}\"}} {n}");
        }
        let _ = writeln!(
            out,
            "# HELP burenlijn_attempts_total Helpers rung, by result.\n# TYPE burenlijn_attempts_total counter"
        );
        for (result, n) in attempts {
            let _ = writeln!(out, "burenlijn_attempts_total{{result=\"{result}\"}} {n}");
        }
        let _ = writeln!(out, "# HELP burenlijn_follow_ups_open Calls the desk still has to follow up.\n# TYPE burenlijn_follow_ups_open gauge\nburenlijn_follow_ups_open {open_follow_ups}");
        let _ = writeln!(
            out,
            "# HELP burenlijn_webhook_seconds Time to answer a webhook.\n# TYPE burenlijn_webhook_seconds histogram"
        );
        for (i, le) in BUCKETS.iter().enumerate() {
            let _ = writeln!(
                out,
                "burenlijn_webhook_seconds_bucket{{le=\"{le}\"}} {}",
                self.buckets[i].load(Ordering::Relaxed)
            );
        }
        let count = self.count.load(Ordering::Relaxed);
        let _ = writeln!(out, "burenlijn_webhook_seconds_bucket{{le=\"+Inf\"}} {count}");
        let _ = writeln!(out, "burenlijn_webhook_seconds_sum {}", self.sum_micros.load(Ordering::Relaxed) as f64 / 1e6);
        let _ = writeln!(out, "burenlijn_webhook_seconds_count {count}");
        let _ = writeln!(out, "# HELP burenlijn_webhooks_refused_total Webhooks refused or failed, by reason.\n# TYPE burenlijn_webhooks_refused_total counter");
        for (reason, n) in [
            ("signature", &self.refused_signature),
            ("malformed", &self.refused_malformed),
            ("rate", &self.refused_rate),
            ("internal", &self.failed),
        ] {
            let _ =
                writeln!(out, "burenlijn_webhooks_refused_total{{reason=\"{reason}\"}} {}", n.load(Ordering::Relaxed));
        }
        out
    }
}
