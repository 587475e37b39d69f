//! `calls`: the call log, newest first, as a table or as JSON.

use std::process::ExitCode;

use anyhow::Context as _;

use super::args::CallsArgs;
use crate::store::calls::{self, CallLog};
use crate::store::Store;

pub fn run(CallsArgs { db, json, limit, tz }: CallsArgs) -> anyhow::Result<ExitCode> {
    let tz = jiff::tz::TimeZone::get(&tz)
        .with_context(|| format!("--tz '{tz}' is not a time zone like Europe/Amsterdam"))?;
    let store = Store::open(&db.db)?;
    let log = store.read(|c| calls::log(c, limit))?;
    if json {
        let items: Vec<serde_json::Value> = log.iter().map(CallLog::to_json).collect();
        println!("{}", serde_json::to_string_pretty(&items)?);
    } else {
        print_table(&log, &tz);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_table(log: &[CallLog], tz: &jiff::tz::TimeZone) {
    println!(
        "{:<17} {:<14} {:<10} {:<10} {:<14} {:>5}  ATTEMPTS",
        "STARTED", "FROM", "CATEGORY", "OUTCOME", "HELPER", "WAIT"
    );
    for c in log {
        let started = c.started_at.to_zoned(tz.clone()).strftime("%Y-%m-%d %H:%M").to_string();
        let attempts: Vec<String> = c
            .attempts
            .iter()
            .map(|a| format!("{} {}", a.first_name, a.result.as_deref().unwrap_or("ringing")))
            .collect();
        println!(
            "{:<17} {:<14} {:<10} {:<10} {:<14} {:>5}  {}",
            started,
            c.from.as_deref().unwrap_or("anonymous"),
            c.category.as_deref().unwrap_or("-"),
            c.outcome.as_deref().unwrap_or("in progress"),
            c.helper_phone.as_deref().unwrap_or("-"),
            c.wait_seconds.map(|w| format!("{w}s")).unwrap_or_else(|| "-".into()),
            attempts.join(", ")
        );
    }
    println!("{} calls", log.len());
}
