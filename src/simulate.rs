//! The demo and the terminal phone: a real server on loopback, driven by the emulator.

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context as _;
use jiff::civil::Weekday;
use jiff::tz::TimeZone;
use jiff::Timestamp;

use crate::clock::{Clock, SimClock};
use crate::config::{Neighbourhoods, EXAMPLE_PARTICIPANTS};
use crate::provider::twilio::emulator::{CallReport, Emulator, HelperAction, Line, Phones, Script};
use crate::store::{calls, participants};
use crate::web::{AppState, Application, ServeConfig};

/// A running switchboard on loopback with a simulated clock.
pub struct Sandbox {
    pub state: Arc<AppState>,
    pub clock: Arc<SimClock>,
    pub emulator: Emulator,
    pub db: PathBuf,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
    _tmp: Option<tempfile::TempDir>,
}

impl Sandbox {
    /// Starts the service. Without `db`, a fresh database in a temporary folder. When the
    /// registry is empty, `participants_csv` (or the example participants) is imported.
    pub async fn start(
        db: Option<PathBuf>,
        neighbourhoods: Neighbourhoods,
        start: Timestamp,
        participants_csv: Option<String>,
    ) -> anyhow::Result<Sandbox> {
        Sandbox::start_with(db, neighbourhoods, start, participants_csv, None).await
    }

    /// As `start`, with a REST client for fetching voicemail recordings.
    pub async fn start_with(
        db: Option<PathBuf>,
        neighbourhoods: Neighbourhoods,
        start: Timestamp,
        participants_csv: Option<String>,
        recordings: Option<crate::web::desk::calls::Recordings>,
    ) -> anyhow::Result<Sandbox> {
        Sandbox::start_full(db, neighbourhoods, start, participants_csv, recordings, false).await
    }

    /// As `start`, with the emulator's REST API and conferences, so dialplans may ring in
    /// waves: the service's REST client points at the emulator.
    pub async fn start_waves(
        db: Option<PathBuf>,
        neighbourhoods: Neighbourhoods,
        start: Timestamp,
        participants_csv: Option<String>,
    ) -> anyhow::Result<Sandbox> {
        Sandbox::start_full(db, neighbourhoods, start, participants_csv, None, true).await
    }

    async fn start_full(
        db: Option<PathBuf>,
        neighbourhoods: Neighbourhoods,
        start: Timestamp,
        participants_csv: Option<String>,
        recordings: Option<crate::web::desk::calls::Recordings>,
        waves: bool,
    ) -> anyhow::Result<Sandbox> {
        let (db, tmp) = match db {
            Some(db) => (db, None),
            None => {
                let tmp = tempfile::tempdir()?;
                (tmp.path().join("burenlijn.db"), Some(tmp))
            }
        };
        let clock = Arc::new(SimClock::new(start));
        let token = format!("sim-{}-{}", std::process::id(), Timestamp::now().as_nanosecond());
        let categories = neighbourhoods.categories();
        let (network, rest) = if waves {
            use crate::provider::twilio::rest::{RestClient, RestConfig, RestOptions};
            let network = crate::provider::twilio::network::Network::start(&token).await?;
            let config = RestConfig::new(network.account_sid.clone(), token.clone(), network.api_base.clone())?;
            let options = RestOptions {
                base_backoff: std::time::Duration::from_millis(5),
                calls_per_second: 200.0,
                ..RestOptions::default()
            };
            (Some(network), Some(Arc::new(RestClient::new(config, options)?)))
        } else {
            (None, None)
        };
        let app = Application::build(ServeConfig {
            db: db.clone(),
            neighbourhoods,
            listen: "127.0.0.1:0".parse()?,
            public_url: String::new(),
            auth_token: Some(token.clone()),
            clock: clock.clone(),
            retention_months: 24,
            rate_per_source: 0,
            recordings,
            rest,
        })
        .await?;
        let state = app.state.clone();
        let csv = participants_csv.unwrap_or_else(|| EXAMPLE_PARTICIPANTS.to_string());
        let now = clock.now();
        let st = state.clone();
        tokio::task::spawn_blocking(move || {
            st.store.write(|tx| {
                if participants::list(tx)?.is_empty() {
                    let rows = crate::registry::parse(&csv, &categories).map_err(|errs| {
                        anyhow::anyhow!("{}", errs.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n"))
                    })?;
                    for row in &rows {
                        participants::upsert(tx, row, now)?;
                    }
                }
                Ok(())
            })
        })
        .await??;
        let mut emulator = Emulator::new(&state.public_url, &token, Some(clock.clone()))?;
        emulator.network = network;
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(app.run(async {
            let _ = rx.await;
        }));
        Ok(Sandbox { state, clock, emulator, db, shutdown: Some(tx), server: Some(server), _tmp: tmp })
    }

    pub async fn stop(mut self) -> anyhow::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            server.await??;
        }
        Ok(())
    }

    /// The log entry of one call.
    pub async fn call_log(&self, call_sid: &str) -> anyhow::Result<Option<calls::CallLog>> {
        let st = self.state.clone();
        let sid = call_sid.to_string();
        tokio::task::spawn_blocking(move || {
            st.store.read(|c| Ok(calls::log(c, 1000)?.into_iter().find(|l| l.call_sid == sid)))
        })
        .await?
    }
}

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
/// example rings two neighbours at a time while the caller waits on hold). Returns whether
/// it ended in a match.
pub async fn demo(db: Option<PathBuf>, waves: bool) -> anyhow::Result<bool> {
    let start = crate::clock::from_env()?.unwrap_or_else(default_demo_start);
    let sandbox = if waves {
        Sandbox::start_waves(db, Neighbourhoods::embedded_in_waves(), start, None).await?
    } else {
        Sandbox::start(db, Neighbourhoods::embedded(), start, None).await?
    };
    let tz = TimeZone::get("Europe/Amsterdam")?;
    println!("Burenlijn demo: Voorbeeldwijk, {}", start.to_zoned(tz).strftime("%A %Y-%m-%d %H:%M %Z"));
    println!("Jan de Vries (020-1234567) calls +31 85 000 0000 and asks for help with shopping.");
    if waves {
        println!("Jan waits on hold while the switchboard rings two neighbours at a time through the REST API");
        println!("(an emulated one on this machine). Anja does not answer, Bert and Carla press 2, Dirk presses 1.");
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
    println!("{}", serde_json::to_string_pretty(&crate::cli::call_to_json(&log))?);
    print_summary(&report);
    let matched = log.outcome.as_deref() == Some("matched");
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
        network.random_helpers(start.as_second() as u64, crate::bench::load::random_helper);
        network.print_lines();
        println!("Calling {to} from {} at {} (simulated time). This neighbourhood rings in waves: the neighbours answer at random.", opts.from, start);
    } else {
        println!("Calling {to} from {} at {} (simulated time). Helpers are asked what they do.", opts.from, start);
    }
    println!();
    let mut phones = Terminal { pending: Default::default() };
    let report = sandbox.emulator.call(&opts.from, &to, &mut phones).await?;
    if let Some(log) = sandbox.call_log(&report.call_sid).await? {
        println!();
        println!("{}", serde_json::to_string_pretty(&crate::cli::call_to_json(&log))?);
    }
    print_summary(&report);
    sandbox.stop().await
}
