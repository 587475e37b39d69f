//! Command-line interface: flags -> validated settings -> calls into the modules.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{bail, Context as _};
use clap::{Args, Parser, Subcommand};

use crate::clock::{self, Clock, StartedClock, SystemClock};
use crate::config::{self, Neighbourhoods};
use crate::domain::participant::{ParticipantDetails, ParticipantInput};
use crate::domain::phone::PhoneNumber;
use crate::store::calls::CallLog;
use crate::store::{calls, participants, Store};

#[derive(Parser)]
#[command(name = "burenlijn", version, about = "A telephone-first neighbour-help switchboard")]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct DbArg {
    /// The SQLite database file
    #[arg(long, env = "BURENLIJN_DB", default_value = "burenlijn.db")]
    db: PathBuf,
}

#[derive(Args, Clone)]
struct PlansArgs {
    /// Folder with one dialplan (*.toml) per phone number [default: the embedded example]
    #[arg(long)]
    dialplans: Option<PathBuf>,
    /// Folder with the prompt files (nl.toml, en.toml, audio/) [default: the embedded prompts]
    #[arg(long)]
    prompts: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the switchboard: Twilio webhooks under /twilio/
    Serve {
        #[command(flatten)]
        db: DbArg,
        #[command(flatten)]
        plans: PlansArgs,
        /// Address to listen on
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: std::net::SocketAddr,
        /// The public URL Twilio calls, e.g. https://burenlijn.example.nl (used to check signatures)
        #[arg(long)]
        public_url: String,
        /// Accept webhooks without a valid X-Twilio-Signature. Only for local experiments
        #[arg(long)]
        insecure_skip_signature: bool,
        /// Anonymise call details older than this many months, daily (0: keep everything)
        #[arg(long, default_value_t = 24)]
        retention_months: u32,
        /// Webhooks a second accepted from one source address (0: no limit)
        #[arg(long, default_value_t = 50)]
        rate_per_source: u32,
        /// Waves: outbound calls to helpers placed per second, at most (Twilio's default account limit is 1)
        #[arg(long, default_value_t = 1.0)]
        calls_per_second: f64,
    },
    /// Run one complete example call and print what everyone hears
    Demo {
        /// Keep the demo's database in this file [default: a temporary file]
        #[arg(long)]
        db: Option<PathBuf>,
        /// Ring in waves: the caller waits on hold while two neighbours at a time are rung
        /// through the provider's REST API (emulated on this machine)
        #[arg(long)]
        waves: bool,
    },
    /// Play a call in the terminal: you are the caller and every helper
    Simulate {
        /// Keep the database in this file [default: a temporary file]
        #[arg(long)]
        db: Option<PathBuf>,
        #[command(flatten)]
        plans: PlansArgs,
        /// Participants CSV to load when the database has none [default: the example participants]
        #[arg(long)]
        participants: Option<PathBuf>,
        /// The caller's number (or "anonymous")
        #[arg(long, default_value = "+31201234567")]
        from: String,
        /// The number called [default: the first dialplan's]
        #[arg(long)]
        to: Option<String>,
    },
    /// Dialplans
    Dialplan {
        #[command(subcommand)]
        command: DialplanCommand,
    },
    /// The register of participants
    Participants {
        #[command(subcommand)]
        command: ParticipantsCommand,
    },
    /// Desk accounts (the web pages under /desk/)
    Desk {
        #[command(subcommand)]
        command: DeskCommand,
    },
    /// Copy the database to FILE with SQLite's online backup (safe while serving)
    Backup {
        file: PathBuf,
        #[command(flatten)]
        db: DbArg,
    },
    /// Remove numbers, names and recordings from calls older than N months (counts stay)
    Anonymise {
        #[arg(long)]
        older_than_months: u32,
        #[command(flatten)]
        db: DbArg,
    },
    /// Benchmarks that print figures
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
    /// The call log, newest first
    Calls {
        #[command(flatten)]
        db: DbArg,
        /// Print a JSON array instead of a table
        #[arg(long)]
        json: bool,
        /// At most this many calls
        #[arg(long, default_value_t = 100)]
        limit: u32,
        /// Time zone for the table's times
        #[arg(long, default_value = "Europe/Amsterdam")]
        tz: String,
    },
    /// Call back later: requests still open (a resident waits for a neighbour), or a new one
    Requests {
        #[command(subcommand)]
        command: Option<RequestsCommand>,
        #[command(flatten)]
        db: DbArg,
        /// Also the requests that are over (connected, unanswered, expired)
        #[arg(long)]
        all: bool,
    },
}

#[derive(Subcommand)]
enum RequestsCommand {
    /// The desk starts the search for a request it took itself: neighbours are rung (in
    /// ringing hours) and the resident is called back when one says yes
    New {
        /// The resident's phone
        #[arg(long)]
        phone: String,
        /// The kind of help, as in the dialplan (e.g. shopping)
        #[arg(long)]
        category: String,
        /// The switchboard number whose dialplan to use [default: the only one]
        #[arg(long)]
        number: Option<String>,
        #[command(flatten)]
        db: DbArg,
        #[command(flatten)]
        plans: PlansArgs,
    },
}

#[derive(Subcommand)]
enum DeskCommand {
    /// Add a desk account; asks for the password (or reads one line from standard input)
    AddUser {
        name: String,
        /// desk: calls, follow-up, participants, figures; coordinator: also users, erasing, audit log
        #[arg(long, default_value = "desk")]
        role: String,
        #[command(flatten)]
        db: DbArg,
    },
    /// Set a new password for an account (ends its sessions)
    Passwd {
        name: String,
        #[command(flatten)]
        db: DbArg,
    },
    /// List the desk accounts
    Users {
        #[command(flatten)]
        db: DbArg,
    },
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Complete calls against the real server, and a bare axum baseline, in one run
    Load {
        /// Complete calls to play
        #[arg(long, default_value_t = 2000)]
        calls: usize,
        /// Calls in progress at the same time
        #[arg(long, default_value_t = 200)]
        concurrency: usize,
        /// Size of the generated neighbourhood
        #[arg(long, default_value_t = 3000)]
        participants: usize,
        #[arg(long, default_value_t = 7)]
        seed: u64,
        /// Real milliseconds before each webhook of a call, like people speaking and phones
        /// ringing; 0 sends them back to back (a saturation test)
        #[arg(long, default_value_t = 0)]
        pace_ms: u64,
        /// Print one JSON object instead of a table
        #[arg(long)]
        json: bool,
    },
    /// Time until yes: ringing strategies compared on a simulated neighbourhood
    Match {
        /// Simulated months
        #[arg(long, default_value_t = 60)]
        months: u32,
        #[arg(long, default_value_t = 7)]
        seed: u64,
        #[arg(long, default_value_t = 540)]
        households: usize,
        #[arg(long, default_value_t = 84)]
        helpers: usize,
        /// Requests a year (about 139 matches a year at Anna Zorgt)
        #[arg(long, default_value_t = 165.0)]
        requests_per_year: f64,
        /// Also write a bar chart of the waits to this SVG file
        #[arg(long)]
        svg: Option<PathBuf>,
        /// Print one JSON object instead of a table
        #[arg(long)]
        json: bool,
    },
    /// The desk's pages on a big call log (a million calls by default)
    Desk {
        #[arg(long, default_value_t = 1_000_000)]
        calls: usize,
        #[arg(long, default_value_t = 3000)]
        participants: usize,
        /// The calls are spread over this many months
        #[arg(long, default_value_t = 36)]
        months: u32,
        /// Timed requests per page (after a first, untimed-for-p99 one)
        #[arg(long, default_value_t = 20)]
        requests: usize,
        #[arg(long, default_value_t = 7)]
        seed: u64,
        /// Keep the generated database in this (new) file
        #[arg(long)]
        db: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// The crash harness: calls while the server is killed and restarted; nothing may be lost
    Crash {
        #[arg(long, default_value_t = 300)]
        calls: usize,
        #[arg(long, default_value_t = 20)]
        concurrency: usize,
        /// How often the server is killed with SIGKILL
        #[arg(long, default_value_t = 20)]
        kills: usize,
        #[arg(long, default_value_t = 7)]
        seed: u64,
        /// Ring in waves: helpers' calls placed through the (emulated) REST API
        #[arg(long)]
        waves: bool,
        #[arg(long)]
        json: bool,
    },
    /// The bare baseline server that `bench load` starts
    #[command(hide = true)]
    BaselineServer {
        #[arg(long)]
        listen: std::net::SocketAddr,
    },
}

#[derive(Subcommand)]
enum DialplanCommand {
    /// Check a dialplan and its prompts; every problem with its line and field
    Check {
        file: PathBuf,
        /// Folder with the prompt files [default: the embedded prompts]
        #[arg(long)]
        prompts: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum ParticipantsCommand {
    /// Import a CSV (name,phone,offers,available,street,postcode,distance); all or nothing
    Import {
        file: PathBuf,
        #[command(flatten)]
        db: DbArg,
        #[command(flatten)]
        plans: PlansArgs,
    },
    /// Write all participants as CSV in the import format
    Export {
        #[command(flatten)]
        db: DbArg,
    },
    /// List all participants
    List {
        #[command(flatten)]
        db: DbArg,
    },
    /// Add a participant, or update the one with the same phone number
    Add {
        #[command(flatten)]
        db: DbArg,
        #[command(flatten)]
        plans: PlansArgs,
        #[arg(long)]
        name: String,
        #[arg(long)]
        phone: String,
        /// Categories, separated by ';' (e.g. "shopping;transport"); empty for someone who only asks
        #[arg(long, default_value = "")]
        offers: String,
        /// When they may be rung, e.g. "mon-fri 09:00-17:00; sat 10:00-12:00" [default: whenever the dialplan rings]
        #[arg(long, default_value = "")]
        available: String,
        #[arg(long, default_value = "")]
        street: String,
        #[arg(long, default_value = "")]
        postcode: String,
        /// any, near, or not-own-street
        #[arg(long, default_value = "any")]
        distance: String,
    },
    /// Stop ringing someone for a while
    Pause {
        phone: String,
        #[command(flatten)]
        db: DbArg,
        /// The pause ends on this date (YYYY-MM-DD) [default: until resumed]
        #[arg(long)]
        until: Option<jiff::civil::Date>,
    },
    /// Ring someone again
    Resume {
        phone: String,
        #[command(flatten)]
        db: DbArg,
    },
}

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Serve {
            db,
            plans,
            listen,
            public_url,
            insecure_skip_signature,
            retention_months,
            rate_per_source,
            calls_per_second,
        } => serve(
            db.db,
            plans,
            listen,
            public_url,
            insecure_skip_signature,
            retention_months,
            rate_per_source,
            calls_per_second,
        ),
        Command::Backup { file, db } => {
            if file.exists() && std::fs::canonicalize(&file).ok() == std::fs::canonicalize(&db.db).ok() {
                bail!("the backup file is the database itself");
            }
            let store = Store::open(&db.db)?;
            store.backup_to(&file)?;
            let copy = Store::open(&file)?;
            let (calls, people) = copy.read(crate::store::calls::totals)?;
            println!(
                "backed up {} to {}: {calls} calls, {people} participants, integrity ok",
                db.db.display(),
                file.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Anonymise { older_than_months, db } => {
            let store = Store::open(&db.db)?;
            let now = jiff::Timestamp::now();
            let before = crate::clock::months_before(now, older_than_months)?;
            let mut n = 0;
            loop {
                let batch = store.write(|tx| calls::anonymise_before(tx, before, now, 1000))?;
                n += batch;
                if batch < 1000 {
                    break;
                }
            }
            println!("anonymised {n} calls older than {older_than_months} months");
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo { db, waves } => {
            let matched = runtime()?.block_on(crate::sim::demo::demo(db, waves))?;
            Ok(if matched { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
        Command::Simulate { db, plans, participants, from, to } => {
            let neighbourhoods = load_plans(&plans)?;
            let participants_csv = participants
                .map(|p| std::fs::read_to_string(&p).with_context(|| format!("cannot read {}", p.display())))
                .transpose()?;
            runtime()?.block_on(crate::sim::demo::simulate(crate::sim::demo::SimulateOptions {
                db,
                neighbourhoods,
                participants_csv,
                from,
                to,
            }))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Dialplan { command: DialplanCommand::Check { file, prompts } } => {
            let source = std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
            match config::check_dialplan(&source, &file.display().to_string(), prompts.as_deref()) {
                Ok((plan, prompts)) => {
                    println!(
                        "{}: ok: {} on {}, {} categories, prompts in '{}'",
                        file.display(),
                        plan.name,
                        plan.number,
                        plan.categories.len(),
                        prompts.language
                    );
                    if plan.ringing.mode == crate::domain::dialplan::RingMode::Waves {
                        println!("note: ringing.mode = \"waves\" rings neighbours through Twilio's REST API: `serve` needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN");
                    }
                    Ok(ExitCode::SUCCESS)
                }
                Err(errors) => {
                    for e in errors {
                        eprintln!("{e}");
                    }
                    Ok(ExitCode::FAILURE)
                }
            }
        }
        Command::Participants { command } => participants_command(command),
        Command::Desk { command } => desk_command(command),
        Command::Bench { command: BenchCommand::Load { calls, concurrency, participants, seed, pace_ms, json } } => {
            let report = runtime()?.block_on(crate::bench::load::run(crate::bench::load::LoadOptions {
                calls,
                concurrency,
                participants,
                seed,
                pace_ms,
            }))?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report.json())?);
            } else {
                print!("{}", report.table());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench {
            command: BenchCommand::Match { months, seed, households, helpers, requests_per_year, svg, json },
        } => {
            if helpers == 0 || helpers > households || months == 0 {
                bail!("--helpers must be between 1 and --households, and --months at least 1");
            }
            let report = crate::bench::matching::run(&crate::bench::matching::MatchOptions {
                months,
                seed,
                households,
                helpers,
                requests_per_year,
            });
            if let Some(path) = svg {
                std::fs::write(&path, report.svg()).with_context(|| format!("cannot write {}", path.display()))?;
            }
            if json {
                println!("{}", serde_json::to_string_pretty(&report.json())?);
            } else {
                print!("{}", report.table());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench { command: BenchCommand::Crash { calls, concurrency, kills, seed, waves, json } } => {
            let report = runtime()?.block_on(crate::bench::crash::run(crate::bench::crash::CrashOptions {
                calls,
                concurrency,
                kills,
                seed,
                waves,
                kinder_retries: std::time::Duration::from_secs(20),
            }))?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report.json())?);
            } else {
                print!("{}", report.table());
            }
            Ok(if report.ok() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
        Command::Bench { command: BenchCommand::Desk { calls, participants, months, requests, seed, db, json } } => {
            if participants == 0 || requests == 0 {
                bail!("--participants and --requests must be at least 1");
            }
            let report = runtime()?.block_on(crate::bench::desk::run(crate::bench::desk::DeskOptions {
                calls,
                participants,
                months,
                requests,
                seed,
                db,
            }))?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report.json())?);
            } else {
                print!("{}", report.table());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench { command: BenchCommand::BaselineServer { listen } } => {
            runtime()?.block_on(crate::bench::load::baseline_server(listen))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Requests { command: Some(RequestsCommand::New { phone, category, number, db, plans }), .. } => {
            requests_new(&db.db, &plans, &phone, &category, number.as_deref())
        }
        Command::Requests { command: None, db, all } => {
            let store = Store::open(&db.db)?;
            let requests = store.read(|c| crate::store::callbacks::list(c, all))?;
            if requests.is_empty() {
                println!("no open requests");
            }
            for r in requests {
                let phone =
                    r.phone.as_deref().map(|p| crate::domain::phone::mask(p).to_string()).unwrap_or_else(|| "-".into());
                println!(
                    "#{:<4} {:<11} {:<12} {:<14} open until {}  next try {}  tries {}",
                    r.id, r.status, r.category, phone, r.open_until, r.next_try_at, r.tries
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Calls { db, json, limit, tz } => {
            let tz = jiff::tz::TimeZone::get(&tz)
                .with_context(|| format!("--tz '{tz}' is not a time zone like Europe/Amsterdam"))?;
            let store = Store::open(&db.db)?;
            let log = store.read(|c| calls::log(c, limit))?;
            if json {
                let items: Vec<serde_json::Value> = log.iter().map(CallLog::to_json).collect();
                println!("{}", serde_json::to_string_pretty(&items)?);
            } else {
                print_calls(&log, &tz);
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn requests_new(
    db: &std::path::Path,
    plans: &PlansArgs,
    phone: &str,
    category: &str,
    number: Option<&str>,
) -> anyhow::Result<ExitCode> {
    let neighbourhoods = load_plans(plans)?;
    let hood = match number {
        Some(n) => {
            let n = crate::domain::phone::PhoneNumber::parse(n).map_err(|e| anyhow::anyhow!("--number: {e}"))?;
            neighbourhoods.by_number(n.as_str()).cloned().with_context(|| format!("no dialplan for {n}"))?
        }
        None => {
            let all: Vec<_> = neighbourhoods.all().cloned().collect();
            match all.as_slice() {
                [one] => one.clone(),
                _ => bail!("there are {} dialplans: say which with --number", all.len()),
            }
        }
    };
    if !hood.dialplan.has_category(category) {
        let known: Vec<&str> = hood.dialplan.categories.iter().map(|c| c.key.as_str()).collect();
        bail!("--category '{category}' is not in the dialplan (known: {})", known.join(", "));
    }
    if hood.dialplan.ringing.mode != crate::domain::dialplan::RingMode::Waves {
        bail!(
            "the dialplan for {} rings with mode = \"dial\"; calling back later needs mode = \"waves\"",
            hood.dialplan.number
        );
    }
    let phone = crate::domain::phone::PhoneNumber::parse(phone).map_err(|e| anyhow::anyhow!("--phone: {e}"))?;
    let now = clock::from_env()?.unwrap_or_else(jiff::Timestamp::now);
    let open_until = now + jiff::SignedDuration::from_hours(i64::from(hood.dialplan.ringing.callback_hours));
    let store = Store::open(db)?;
    let id = store.write(|tx| {
        let participant = crate::store::participants::find_by_phone(tx, &phone)?;
        crate::store::callbacks::open(
            tx,
            hood.dialplan.number.as_str(),
            None,
            participant.map(|p| p.id),
            &phone,
            category,
            now,
            open_until,
            now,
        )
    })?;
    println!("request #{id} is open until {open_until}: the switchboard rings neighbours (in ringing hours) and calls {} back when one says yes", phone.masked());
    Ok(ExitCode::SUCCESS)
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread().enable_all().build()?)
}

fn load_plans(plans: &PlansArgs) -> anyhow::Result<Neighbourhoods> {
    config::load(plans.dialplans.as_deref(), plans.prompts.as_deref())
}

#[allow(clippy::too_many_arguments)]
fn serve(
    db: PathBuf,
    plans: PlansArgs,
    listen: std::net::SocketAddr,
    public_url: String,
    skip_signature: bool,
    retention_months: u32,
    rate_per_source: u32,
    calls_per_second: f64,
) -> anyhow::Result<ExitCode> {
    let neighbourhoods = load_plans(&plans)?;
    let parsed = url::Url::parse(&public_url)
        .with_context(|| format!("--public-url '{public_url}' is not a URL like https://burenlijn.example.nl"))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.query().is_some() {
        bail!("--public-url must be an http(s) URL without a query, like https://burenlijn.example.nl");
    }
    let auth_token = match (std::env::var("TWILIO_AUTH_TOKEN").ok().filter(|t| !t.is_empty()), skip_signature) {
        (Some(token), _) => Some(token),
        (None, true) => None,
        (None, false) => bail!("TWILIO_AUTH_TOKEN is not set: it is needed to check that webhooks come from Twilio (or pass --insecure-skip-signature for a local experiment)"),
    };
    if skip_signature {
        tracing::warn!("--insecure-skip-signature: webhooks are NOT checked; anyone who can reach this port can change calls. Never use this on a real number");
        eprintln!(
            "WARNING: --insecure-skip-signature: webhook signatures are not checked. Never use this on a real number."
        );
    }
    let auth_token = if skip_signature { None } else { auth_token };
    let clock: Arc<dyn Clock> = match clock::from_env()? {
        Some(start) => {
            tracing::warn!(%start, "BURENLIJN_NOW is set: the clock starts there (tests and demos only)");
            Arc::new(StartedClock::new(start))
        }
        None => Arc::new(SystemClock),
    };
    let waves: Vec<String> = neighbourhoods
        .all()
        .filter(|n| n.dialplan.ringing.mode == crate::domain::dialplan::RingMode::Waves)
        .map(|n| n.dialplan.number.to_string())
        .collect();
    let rest = if waves.is_empty() {
        None
    } else {
        let config = match crate::provider::twilio::rest::RestConfig::from_env() {
            Ok(c) => c,
            Err(e) => bail!("the dialplan for {} rings in waves (ringing.mode = \"waves\"), which places calls through Twilio's REST API, but {e}: set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN, or use mode = \"dial\"", waves.join(", ")),
        };
        if !(calls_per_second.is_finite() && calls_per_second > 0.0) {
            bail!("--calls-per-second must be a positive number, not {calls_per_second}");
        }
        let options = crate::provider::twilio::rest::RestOptions { calls_per_second, ..Default::default() };
        Some(Arc::new(crate::provider::twilio::rest::RestClient::new(config, options)?))
    };
    // The REST API (voicemail playback in the desk) needs the account SID as well.
    let recordings = if std::env::var("TWILIO_ACCOUNT_SID").is_ok_and(|v| !v.trim().is_empty()) {
        let config = crate::provider::twilio::rest::RestConfig::from_env()?;
        Some(crate::web::desk::calls::Recordings(crate::provider::twilio::rest::RestClient::new(
            config,
            Default::default(),
        )?))
    } else {
        tracing::warn!("TWILIO_ACCOUNT_SID is not set: the desk cannot play voicemail messages");
        None
    };
    let numbers: Vec<String> =
        neighbourhoods.all().map(|n| format!("{} ({})", n.dialplan.number, n.dialplan.name)).collect();
    runtime()?.block_on(async move {
        let app = crate::web::Application::build(crate::web::ServeConfig { db, neighbourhoods, listen, public_url: public_url.clone(), auth_token, clock, retention_months, rate_per_source, recordings, rest, created_call_fallback: None }).await?;
        tracing::info!(address = %app.local_addr(), public_url = %public_url, numbers = %numbers.join(", "), "Burenlijn is listening; Voice URL {}/twilio/voice, status callback {}/twilio/status", public_url.trim_end_matches('/'), public_url.trim_end_matches('/'));
        app.run(crate::web::shutdown_signal()).await
    })?;
    Ok(ExitCode::SUCCESS)
}

/// A new password: asked twice on a terminal (not echoed), or one line from standard input.
fn read_new_password(name: &str) -> anyhow::Result<String> {
    use std::io::IsTerminal;
    let password = if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password(format!("New password for {name}: "))?;
        let again = rpassword::prompt_password("The same password again: ")?;
        if first != again {
            bail!("the two passwords differ; nothing was changed");
        }
        first
    } else {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        line.trim_end_matches(['\r', '\n']).to_string()
    };
    crate::domain::desk::check_new_password(name, &password)
        .map_err(|e| anyhow::anyhow!("{e}; nothing was changed"))?;
    Ok(password)
}

fn desk_command(command: DeskCommand) -> anyhow::Result<ExitCode> {
    use crate::domain::desk::{check_user_name, Role};
    use crate::store::accounts;
    let now = jiff::Timestamp::now();
    match command {
        DeskCommand::AddUser { name, role, db } => {
            let name = check_user_name(&name).map_err(|e| anyhow::anyhow!("{e}"))?;
            let role =
                Role::parse(&role).with_context(|| format!("--role '{role}' is not one of desk, coordinator"))?;
            let store = Store::open(&db.db)?;
            if store.read(|c| accounts::find_user(c, &name))?.is_some() {
                bail!("there is already a user called '{name}' (use `burenlijn desk passwd` to set a new password)");
            }
            let hash = crate::web::desk::hash_password(&read_new_password(&name)?)?;
            store.write(|tx| {
                accounts::add_user(tx, &name, role, &hash, now)?;
                accounts::audit(tx, now, "(command line)", "added user", None, &format!("{name} ({})", role.as_str()))
            })?;
            println!("added {} '{name}'; they can log in at /desk/login", role.as_str());
            Ok(ExitCode::SUCCESS)
        }
        DeskCommand::Passwd { name, db } => {
            let store = Store::open(&db.db)?;
            let Some(user) = store.read(|c| accounts::find_user(c, &name))? else {
                bail!("there is no user called '{name}' (see `burenlijn desk users`)");
            };
            let hash = crate::web::desk::hash_password(&read_new_password(&user.name)?)?;
            store.write(|tx| {
                accounts::set_password(tx, &user.name, &hash)?;
                accounts::audit(tx, now, "(command line)", "set password", None, &user.name)
            })?;
            println!("new password set for '{}'; their sessions have ended", user.name);
            Ok(ExitCode::SUCCESS)
        }
        DeskCommand::Users { db } => {
            let store = Store::open(&db.db)?;
            let users = store.read(accounts::users)?;
            println!("{:<30} {:<12} STATUS", "NAME", "ROLE");
            for u in users {
                println!("{:<30} {:<12} {}", u.name, u.role.as_str(), if u.disabled { "disabled" } else { "active" });
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn participants_command(command: ParticipantsCommand) -> anyhow::Result<ExitCode> {
    let now = jiff::Timestamp::now();
    match command {
        ParticipantsCommand::Import { file, db, plans } => {
            let categories = load_plans(&plans)?.categories();
            let text = std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let rows = match crate::registry::parse(&text, &categories) {
                Ok(rows) => rows,
                Err(errors) => {
                    for e in &errors {
                        eprintln!("{}: {e}", file.display());
                    }
                    eprintln!("nothing imported: fix the {} problem(s) above and try again", errors.len());
                    return Ok(ExitCode::FAILURE);
                }
            };
            let store = Store::open(&db.db)?;
            let (added, updated) = store.write(|tx| {
                let (mut added, mut updated) = (0, 0);
                for row in &rows {
                    match participants::upsert(tx, row, now)?.1 {
                        participants::Saved::Added => added += 1,
                        participants::Saved::Updated => updated += 1,
                    }
                }
                Ok((added, updated))
            })?;
            println!("imported {}: {added} added, {updated} updated", file.display());
            Ok(ExitCode::SUCCESS)
        }
        ParticipantsCommand::Export { db } => {
            let store = Store::open(&db.db)?;
            let all = store.read(participants::list)?;
            print!("{}", crate::registry::export(&all)?);
            Ok(ExitCode::SUCCESS)
        }
        ParticipantsCommand::List { db } => {
            let store = Store::open(&db.db)?;
            let all = store.read(participants::list)?;
            let today = now.to_zoned(jiff::tz::TimeZone::system()).date();
            println!("{:<24} {:<14} {:<28} {:<26} {:<20} STATUS", "NAME", "PHONE", "OFFERS", "AVAILABLE", "STREET");
            for p in &all {
                let d = &p.details;
                let status = match (p.is_paused_on(today), p.paused_until) {
                    (true, Some(until)) => format!("paused until {until}"),
                    (true, None) => "paused".to_string(),
                    _ => "active".to_string(),
                };
                let available = if d.available.is_empty() { "(ringing hours)" } else { d.available.as_str() };
                println!(
                    "{:<24} {:<14} {:<28} {:<26} {:<20} {}",
                    d.name,
                    d.phone.as_str(),
                    d.offers.join(";"),
                    available,
                    d.street,
                    status
                );
            }
            println!("{} participants", all.len());
            Ok(ExitCode::SUCCESS)
        }
        ParticipantsCommand::Add { db, plans, name, phone, offers, available, street, postcode, distance } => {
            let categories = load_plans(&plans)?.categories();
            let input = ParticipantInput {
                name: &name,
                phone: &phone,
                offers: &offers,
                available: &available,
                street: &street,
                postcode: &postcode,
                distance: &distance,
            };
            let details = match ParticipantDetails::parse(&input, &categories) {
                Ok(d) => d,
                Err(e) => {
                    eprintln!("not saved: --{e}");
                    return Ok(ExitCode::FAILURE);
                }
            };
            let store = Store::open(&db.db)?;
            let (_, saved) = store.write(|tx| participants::upsert(tx, &details, now))?;
            println!(
                "{} {} ({})",
                if saved == participants::Saved::Added { "added" } else { "updated" },
                details.name,
                details.phone
            );
            Ok(ExitCode::SUCCESS)
        }
        ParticipantsCommand::Pause { phone, db, until } => set_paused(&db.db, &phone, true, until, now),
        ParticipantsCommand::Resume { phone, db } => set_paused(&db.db, &phone, false, None, now),
    }
}

fn set_paused(
    db: &Path,
    phone: &str,
    paused: bool,
    until: Option<jiff::civil::Date>,
    now: jiff::Timestamp,
) -> anyhow::Result<ExitCode> {
    let phone = PhoneNumber::parse(phone)?;
    let store = Store::open(db)?;
    if !store.write(|tx| participants::set_paused(tx, &phone, paused, until, now))? {
        eprintln!("nobody with phone {phone} is registered");
        return Ok(ExitCode::FAILURE);
    }
    match (paused, until) {
        (true, Some(d)) => println!("{phone} paused until {d}"),
        (true, None) => println!("{phone} paused until resumed"),
        (false, _) => println!("{phone} will be rung again"),
    }
    Ok(ExitCode::SUCCESS)
}

fn print_calls(log: &[CallLog], tz: &jiff::tz::TimeZone) {
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

/// Serving logs every call at info level; the other commands keep the terminal for
/// their own output.
pub fn default_log_filter(cli: &Cli) -> &'static str {
    match cli.command {
        Command::Serve { .. } => "info",
        _ => "warn",
    }
}
