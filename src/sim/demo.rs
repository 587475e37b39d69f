//! The demo and the terminal phone: whole calls through a `Sandbox`, printed as they happen.

use std::io::{BufRead, Write};
use std::path::PathBuf;

use anyhow::Context as _;
use jiff::civil::Weekday;
use jiff::tz::TimeZone;
use jiff::Timestamp;

use super::emulator::CallReport;
use super::people::{HelperAction, Line, Phones, Script};
use super::sandbox::Sandbox;
use crate::config::Neighbourhoods;

mod sizing;
mod slow_line;

/// The next weekday at 10:15 in Amsterdam: inside ringing and office hours.
pub fn default_demo_start() -> Timestamp {
    let tz = TimeZone::get("Europe/Amsterdam").unwrap_or(TimeZone::UTC);
    let mut date = Timestamp::now().to_zoned(tz.clone()).date();
    while matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday) {
        date = date.tomorrow().unwrap_or(date);
    }
    date.at(10, 15, 0, 0).to_zoned(tz).map(|z| z.timestamp()).unwrap_or_else(|_| Timestamp::now())
}

fn print_summary(report: &CallReport) {
    let avg = if report.requests > 0 { report.total.as_secs_f64() * 1000.0 / f64::from(report.requests) } else { 0.0 };
    println!();
    println!(
        "{} webhooks answered: average {:.1} ms, slowest {:.1} ms (debug builds are slower)",
        report.requests,
        avg,
        report.slowest.as_secs_f64() * 1000.0
    );
}

/// `burenlijn demo`: one complete call in the example neighbourhood (with `waves`, the
/// caller waits on hold while the switchboard rings as many neighbours as make a yes
/// likely, `sizing`). Returns whether
/// it ended in a match.
pub async fn demo(db: Option<PathBuf>, waves: bool, slow_line: bool) -> anyhow::Result<bool> {
    let start = crate::clock::from_env()?.unwrap_or_else(default_demo_start);
    if slow_line {
        return slow_line::demo(db, start).await;
    }
    let in_waves = Neighbourhoods::embedded_in_waves();
    let wave_size = in_waves.all().next().map(|n| n.dialplan.ringing.wave_size);
    let sandbox = if waves {
        Sandbox::start_waves(db, in_waves, start, None).await?
    } else {
        Sandbox::start(db, Neighbourhoods::embedded(), start, None).await?
    };
    let tz = TimeZone::get("Europe/Amsterdam")?;
    println!("Burenlijn demo: Voorbeeldwijk, {}", start.to_zoned(tz).strftime("%A %Y-%m-%d %H:%M %Z"));
    println!("Jan de Vries (020-1234567) calls +31 85 000 0000 and asks for help with shopping.");
    if waves {
        println!("Jan waits on hold while the switchboard rings neighbours through the REST API (an emulated one");
        if let Some(size) = wave_size {
            println!("on this machine): {}.", sizing::explain(size));
        }
        println!("Anja does not answer, Bert and Carla press 2, Dirk presses 1.");
    } else {
        println!("Anja does not answer, Bert presses 2, Dirk presses 1.");
    }
    println!();
    let mut script = Script::keys(&["1"])
        .helper("+31610000001", HelperAction::NoAnswer)
        .helper("+31610000002", HelperAction::Decline)
        .helper("+31610000003", HelperAction::Decline)
        .helper("+31610000004", HelperAction::Accept);
    script.desk_answers = true;
    script.print = true;
    if let Some(network) = &sandbox.emulator.network {
        // The neighbours' phones ring at the same time as Jan waits: shown as it happens.
        network.print_lines();
    }
    let report = sandbox.emulator.call("+31201234567", "+31850000000", &mut script).await?;
    let log = sandbox.call_log(&report.call_sid).await?.context("the call is not in the log")?;
    println!();
    println!("The log entry (as `burenlijn calls --json` shows it):");
    println!("{}", serde_json::to_string_pretty(&log.to_json())?);
    print_summary(&report);
    let matched = log.outcome == Some(crate::domain::call::Outcome::Matched);
    sandbox.stop().await?;
    Ok(matched)
}

/// The terminal phone: you are the caller and every helper.
struct Terminal {
    pending: std::collections::HashMap<String, HelperAction>,
}

fn ask(question: &str) -> Option<String> {
    tokio::task::block_in_place(|| {
        print!("{question}");
        let _ = std::io::stdout().flush();
        let mut line = String::new();
        match std::io::stdin().lock().read_line(&mut line) {
            Ok(0) | Err(_) => None,
            Ok(_) => Some(line.trim().to_string()),
        }
    })
}

impl Phones for Terminal {
    fn caller_key(&mut self, _heard: &[String]) -> Option<String> {
        let answer = ask("> your key as the caller (0-9, Enter for nothing): ")?;
        answer.chars().next().filter(|c| c.is_ascii_digit() || *c == '*' || *c == '#').map(|c| c.to_string())
    }

    fn caller_hangs_up_while_ringing(&mut self, _ring: u32, number: &str) -> bool {
        let question = format!("> {number} is ringing. What happens? [1] presses 1  [2] presses 2  [s] voicemail/silence  [h] picks up and hangs up  [n] no answer  [b] busy  [f] fails  [x] the caller hangs up: ");
        let action = match ask(&question).as_deref().unwrap_or("n") {
            "1" => HelperAction::Accept,
            "2" => HelperAction::Decline,
            "s" => HelperAction::Silent,
            "h" => HelperAction::HangUp,
            "b" => HelperAction::Busy,
            "f" => HelperAction::Failed,
            "x" => return true,
            other if other.len() == 1 && other.chars().all(|c| c.is_ascii_digit()) => {
                HelperAction::Key(other.to_string())
            }
            _ => HelperAction::NoAnswer,
        };
        self.pending.insert(number.to_string(), action);
        false
    }

    fn helper(&mut self, number: &str) -> HelperAction {
        self.pending.remove(number).unwrap_or(HelperAction::NoAnswer)
    }

    fn desk_answers(&mut self) -> bool {
        matches!(ask("> does the desk answer? [y/n]: ").as_deref(), Some("y" | "j" | "yes" | "ja"))
    }

    fn message_seconds(&mut self) -> Option<u32> {
        ask("> seconds of message the caller leaves (Enter for none): ")?.parse().ok()
    }

    fn line(&mut self, line: &Line) {
        println!("{line}");
    }
}

pub struct SimulateOptions {
    pub db: Option<PathBuf>,
    pub neighbourhoods: Neighbourhoods,
    pub participants_csv: Option<String>,
    pub from: String,
    pub to: Option<String>,
}

/// `burenlijn simulate`: play a call in the terminal.
pub async fn simulate(opts: SimulateOptions) -> anyhow::Result<()> {
    let start = crate::clock::from_env()?.unwrap_or_else(Timestamp::now);
    // Twilio sends `From` in E.164 (`+31301234567`), whatever way the number is written
    // here; anything that is not a number (`anonymous`) goes as it is.
    let from = crate::domain::phone::PhoneNumber::parse(&opts.from)
        .map(|n| n.as_str().to_string())
        .unwrap_or_else(|_| opts.from.clone());
    let to = match opts.to {
        Some(to) => to,
        None => opts
            .neighbourhoods
            .all()
            .next()
            .map(|n| n.dialplan.number.as_str().to_string())
            .context("no dialplan loaded")?,
    };
    let waves = opts.neighbourhoods.all().any(|n| n.dialplan.ringing.mode == crate::domain::dialplan::RingMode::Waves);
    let sandbox = if waves {
        Sandbox::start_waves(opts.db, opts.neighbourhoods, start, opts.participants_csv).await?
    } else {
        Sandbox::start(opts.db, opts.neighbourhoods, start, opts.participants_csv).await?
    };
    if let Some(network) = &sandbox.emulator.network {
        // In waves several phones ring at once, so the neighbours are not asked one by one:
        // they answer as people do (about a third say yes), shown as it happens.
        network.random_helpers(start.as_second() as u64, super::people::random_helper);
        network.print_lines();
        println!("Calling {to} from {from} at {start} (simulated time). This neighbourhood rings in waves: the neighbours answer at random.");
    } else {
        println!("Calling {to} from {from} at {start} (simulated time). Helpers are asked what they do.");
    }
    println!();
    let mut phones = Terminal { pending: Default::default() };
    let report = sandbox.emulator.call(&from, &to, &mut phones).await?;
    if let Some(log) = sandbox.call_log(&report.call_sid).await? {
        println!();
        println!("{}", serde_json::to_string_pretty(&log.to_json())?);
    }
    print_summary(&report);
    sandbox.stop().await
}
