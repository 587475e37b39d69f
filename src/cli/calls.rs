//! `calls`: the call log, newest first, as a table or as JSON.

use std::io::Write as _;
use std::process::ExitCode;

use anyhow::Context as _;

use super::args::CallsArgs;
use super::load_plans;
use crate::store::calls::{self, CallLog};
use crate::store::Store;

pub fn run(CallsArgs { db, json, limit, tz, neighbourhood, plans }: CallsArgs) -> anyhow::Result<ExitCode> {
    let tz = jiff::tz::TimeZone::get(&tz)
        .with_context(|| format!("--tz '{tz}' is not a time zone like Europe/Amsterdam"))?;
    let hoods = load_plans(&plans)?;
    let number = match neighbourhood.as_deref() {
        Some(key) => match hoods.by_key(key) {
            Some(hood) => Some(hood.dialplan.number.as_str().to_string()),
            None => {
                eprintln!("--neighbourhood: unknown neighbourhood '{key}' (there are: {})", hoods.keys().join(", "));
                return Ok(ExitCode::FAILURE);
            }
        },
        None => None,
    };
    let store = Store::open(&db.db)?;
    let log = store.read(|c| calls::log_on(c, number.as_deref(), limit))?;
    // A call's neighbourhood is the one whose dialplan has the number it came in on.
    let key_of = |c: &CallLog| hoods.by_number(&c.dialplan_number).map(|h| h.key.clone());
    if json {
        let items: Vec<serde_json::Value> = log
            .iter()
            .map(|c| {
                let mut item = c.to_json();
                item["neighbourhood"] = serde_json::json!(key_of(c));
                item
            })
            .collect();
        writeln!(std::io::stdout().lock(), "{}", serde_json::to_string_pretty(&items)?)?;
    } else {
        print_table(&log, &tz)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The log as a table. Written with `?`, so that `burenlijn calls | head` ends quietly when
/// `head` has read enough (a closed pipe is an error here, and `main` takes it for done).
fn print_table(log: &[CallLog], tz: &jiff::tz::TimeZone) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{:<17} {:<14} {:<10} {:<10} {:<14} {:>5}  ATTEMPTS",
        "STARTED", "FROM", "CATEGORY", "OUTCOME", "HELPER", "WAIT"
    )?;
    for c in log {
        let started = c.started_at.to_zoned(tz.clone()).strftime("%Y-%m-%d %H:%M").to_string();
        let attempts: Vec<String> = c
            .attempts
            .iter()
            .map(|a| format!("{} {}", a.first_name, a.result.as_deref().unwrap_or("ringing")))
            .collect();
        writeln!(
            out,
            "{:<17} {:<14} {:<10} {:<10} {:<14} {:>5}  {}",
            started,
            c.from.as_deref().unwrap_or("anonymous"),
            c.category.as_deref().unwrap_or("-"),
            c.outcome.as_deref().unwrap_or("in progress"),
            c.helper_phone.as_deref().unwrap_or("-"),
            c.wait_seconds.map(|w| format!("{w}s")).unwrap_or_else(|| "-".into()),
            attempts.join(", ")
        )?;
    }
    writeln!(out, "{} {}", log.len(), if log.len() == 1 { "call" } else { "calls" })
}
