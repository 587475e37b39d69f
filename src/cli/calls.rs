//! `calls`: the call log, newest first, as a table or as JSON.

use std::io::Write as _;
use std::process::ExitCode;

use anyhow::Context as _;

use super::args::{CallsArgs, NumbersArg};
use super::{number, print_json_list, Settings};
use crate::switchboard::desk::{calls, read_here, Acting, CallLog};
use crate::switchboard::Store;

pub fn run(
    CallsArgs { db, numbers, json, limit, tz, neighbourhood, plans }: CallsArgs,
    settings: &Settings,
) -> anyhow::Result<ExitCode> {
    let tz = jiff::tz::TimeZone::get(&tz)
        .with_context(|| format!("--tz '{tz}' is not a time zone like Europe/Amsterdam"))?;
    let hoods = settings.load_plans(plans)?;
    let only = match neighbourhood.as_deref() {
        Some(key) => match hoods.by_key(key) {
            Some(hood) => Some((key, hood.dialplan.number.as_str())),
            None => {
                eprintln!("--neighbourhood: unknown neighbourhood '{key}' (there are: {})", hoods.keys().join(", "));
                return Ok(ExitCode::FAILURE);
            }
        },
        None => None,
    };
    let store = Store::open(&settings.db(db))?;
    let now = crate::clock::from_env().ok().flatten().unwrap_or_else(jiff::Timestamp::now);
    let log = read_here(&store, &Acting::command_line(), now, |act| calls::log(act, only, limit))?;
    // A call's neighbourhood is the one stored when it started; for a call from before
    // that, the one whose dialplan has the number it came in on.
    let key_of = |c: &CallLog| hoods.key_of_call(c.neighbourhood.as_deref(), &c.dialplan_number);
    if json {
        let items: Vec<serde_json::Value> = log
            .iter()
            .map(|c| {
                let mut item = c.to_json();
                item["neighbourhood"] = serde_json::json!(key_of(c));
                mask_json(&mut item["from"], numbers);
                mask_json(&mut item["helper"], numbers);
                if let Some(attempts) = item["attempts"].as_array_mut() {
                    attempts.iter_mut().for_each(|a| mask_json(&mut a["phone"], numbers));
                }
                item
            })
            .collect();
        print_json_list(&items)?;
    } else {
        print_table(&log, &tz, numbers)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// A number in the JSON masked as everywhere else (`anonymous` and `null` stay).
fn mask_json(value: &mut serde_json::Value, numbers: NumbersArg) {
    if let Some(raw) = value.as_str().filter(|v| *v != "anonymous") {
        *value = serde_json::json!(number(raw, numbers));
    }
}

/// The log as a table. Written with `?`, so that `burenlijn calls | head` ends quietly when
/// `head` has read enough (a closed pipe is an error here, and `main` takes it for done).
fn print_table(log: &[CallLog], tz: &jiff::tz::TimeZone, numbers: NumbersArg) -> std::io::Result<()> {
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
            c.from.as_deref().map(|n| number(n, numbers)).unwrap_or_else(|| "anonymous".into()),
            c.category.as_deref().unwrap_or("-"),
            c.outcome.map(|o| o.as_str()).unwrap_or("in progress"),
            c.helper_phone.as_deref().map(|n| number(n, numbers)).unwrap_or_else(|| "-".into()),
            c.wait_seconds.map(|w| format!("{w}s")).unwrap_or_else(|| "-".into()),
            attempts.join(", ")
        )?;
    }
    writeln!(out, "{} {}", log.len(), if log.len() == 1 { "call" } else { "calls" })
}
