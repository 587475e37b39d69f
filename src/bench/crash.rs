//! `burenlijn bench crash`: the crash harness. Complete calls run against the real server
//! while it is killed with SIGKILL at random moments and started again; the emulator
//! retries webhooks as the provider's connection retries do, and runs the number's
//! fallback document (`deploy/fallback.xml`) when the Voice URL is down. Afterwards the
//! database must agree with what the phones did: no match lost or counted twice, no
//! helper left ringing, every call with an outcome. In waves, requests for help later
//! (issue 28) ask neighbours ahead meanwhile: none lost, a search cut off by a kill goes on
//! after the restart, nobody is asked twice about one request or called twice for one
//! stored call, and no yes a neighbour heard thanked is lost.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rusqlite::Connection;
use serde_json::json;

use super::load::{free_port, prepare_database, RandomPhones, Server, START, SWITCHBOARD, TOKEN};
use crate::sim::emulator::{CallReport, Emulator};
use crate::sim::people::{HelperAction, Line};

pub struct CrashOptions {
    pub calls: usize,
    pub concurrency: usize,
    pub kills: usize,
    pub seed: u64,
    /// Ring in waves: the example dialplan with `mode = "waves"`, helpers' calls placed
    /// through the emulator's REST API.
    pub waves: bool,
    /// A provider kinder than Twilio, asked for by name: webhooks that cannot connect or
    /// answer 5xx are tried again for this long. Zero (the default) is Twilio's documented
    /// model: two connection attempts, no retry of a 5xx, then the fallback.
    pub kinder_retries: Duration,
    /// Explain each extra match on stderr.
    pub explain: bool,
    /// The served database's `--synchronous` (`full` or `normal`).
    pub synchronous: String,
    /// Whose wire the calls come through, with that provider's retry model: Twilio (two
    /// connection attempts, no retry of a 5xx, then the number's fallback document) or
    /// Vonage (two retries of a connection or a 5xx, then the application's fallback answer
    /// URL: `deploy/fallback-vonage.json`).
    pub provider: crate::provider::Provider,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrashReport {
    pub calls_run: usize,
    pub kills: usize,
    pub fell_back: usize,
    pub call_errors: usize,
    pub matches_heard: usize,
    pub matches_stored: usize,
    pub matches_lost: usize,
    pub matches_extra: usize,
    /// Calls whose yes the provider never confirmed (the service was down from the yes to
    /// the call's end): not counted as matches, the desk checks them. Split by what the
    /// phones did: the two did talk, or the yes never reached the helper.
    pub unconfirmed_talked: usize,
    pub unconfirmed_not_talked: usize,
    /// Unconfirmed calls the desk has no open follow-up for.
    pub unconfirmed_unfollowed: usize,
    pub calls_without_outcome: usize,
    pub helpers_left_ringing: usize,
    /// Waves: callers put through to a helper more than once.
    pub joined_twice: usize,
    /// Waves: helpers left alone on an empty line.
    pub left_alone: usize,
    /// Waves: residents in the good-morning round, due as the run starts, and the calls
    /// the round placed to them.
    pub round_residents: usize,
    pub round_calls: usize,
    /// Round calls placed more often than the round stored them (a call made twice for one
    /// try, or a resident called twice for one morning's try across a restart).
    pub round_calls_doubled: usize,
    /// Waves: help for later (issue 28), what was checked of it.
    pub planned: PlannedTally,
}

impl CrashReport {
    pub fn ok(&self) -> bool {
        self.call_errors == 0
            && self.matches_lost == 0
            && self.matches_extra == 0
            && self.unconfirmed_unfollowed == 0
            && self.calls_without_outcome == 0
            && self.helpers_left_ringing == 0
            && self.joined_twice == 0
            && self.left_alone == 0
            && self.round_calls_doubled == 0
            && self.planned.ok()
    }

    pub fn json(&self) -> serde_json::Value {
        json!({
            "calls_run": self.calls_run, "kills": self.kills, "fell_back": self.fell_back, "call_errors": self.call_errors,
            "matches_heard": self.matches_heard, "matches_stored": self.matches_stored, "matches_lost": self.matches_lost,
            "matches_extra": self.matches_extra, "unconfirmed_talked": self.unconfirmed_talked,
            "unconfirmed_not_talked": self.unconfirmed_not_talked, "unconfirmed_unfollowed": self.unconfirmed_unfollowed,
            "calls_without_outcome": self.calls_without_outcome,
            "helpers_left_ringing": self.helpers_left_ringing, "joined_twice": self.joined_twice, "left_alone": self.left_alone,
            "round_residents": self.round_residents, "round_calls": self.round_calls, "round_calls_doubled": self.round_calls_doubled,
            "planned_requests": self.planned.taken, "planned_kept": self.planned.kept, "planned_asked": self.planned.asked,
            "planned_matched": self.planned.matched, "planned_asked_twice": self.planned.asked_twice,
            "planned_calls_doubled": self.planned.calls_doubled, "planned_yes_lost": self.planned.yes_lost,
            "planned_not_resumed": self.planned.not_resumed,
            "ok": self.ok(),
        })
    }

    pub fn table(&self) -> String {
        format!(
            "calls run               {}\nkills (SIGKILL)         {}\ncalls to the fallback   {}\ncalls that failed       {}\nmatches the phones had  {}\nmatches stored          {}\nmatches lost            {}\nmatches counted twice   {}\nunconfirmed: desk checks {} (talked {}, did not {}; without a follow-up {})\ncalls without outcome   {}\nhelpers left ringing    {}\njoined twice            {}\nleft on an empty line   {}\nround: residents {}, calls {}, doubled {}\n{}{}\n",
            self.calls_run, self.kills, self.fell_back, self.call_errors, self.matches_heard, self.matches_stored, self.matches_lost,
            self.matches_extra, self.unconfirmed_talked + self.unconfirmed_not_talked, self.unconfirmed_talked, self.unconfirmed_not_talked,
            self.unconfirmed_unfollowed, self.calls_without_outcome, self.helpers_left_ringing, self.joined_twice, self.left_alone,
            self.round_residents, self.round_calls, self.round_calls_doubled, self.planned.line(),
            if self.ok() { "OK: nothing lost, nothing doubled, every call ended" } else { "FAILED" }
        )
    }
}

/// The clock the server starts with: the harness's simulated start plus real time since.
fn now_for(started: Instant) -> String {
    let start: jiff::Timestamp = START.parse().expect("a valid constant");
    let now = start + jiff::SignedDuration::try_from(started.elapsed()).unwrap_or(jiff::SignedDuration::ZERO);
    now.to_string()
}

pub async fn run(opts: CrashOptions) -> anyhow::Result<CrashReport> {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("crash.db");
    prepare_database(&db, 300, opts.seed)?;
    let port = free_port()?;
    let base = format!("http://127.0.0.1:{port}");
    let mut served = Served::new(&opts, &db, &base, port);
    let vonage = if opts.provider == crate::provider::Provider::Vonage {
        Some(start_vonage(dir.path(), &mut served, opts.waves).await?)
    } else {
        None
    };
    let (network, round_phones, taken) = if opts.waves {
        let (network, phones) = start_network(&opts, dir.path(), &db, &mut served, vonage.clone()).await?;
        let taken = take_planned(&db, &dir.path().join("dialplans"))?;
        (Some(network), phones, taken)
    } else {
        (None, Vec::new(), 0)
    };
    served.start().await?;
    let emulator = Arc::new(emulator(&opts, (&base, served.clock.clone()), network.clone(), vonage)?);
    let progress = Progress::default();
    let killer = spawn_killer(served.clone(), progress.clone(), &opts);
    let reports = run_calls(emulator, progress.clone(), &opts).await;
    progress.done.store(true, Ordering::SeqCst);
    let kills = killer.await.unwrap_or(0);
    let restarted = served.start_once_more_later(&db, taken > 0).await?;
    let conn = Connection::open(&db)?;
    let round = RoundTally::of(&conn, network.as_deref(), &round_phones)?;
    let planned = PlannedTally::of(&conn, network.as_deref(), taken, restarted).await?;
    tally(&conn, &opts, &reports, kills, round, planned)
}

/// The served process: how it is started, and the one running now (`None` while it is
/// down between a kill and its restart).
#[derive(Clone)]
struct Served {
    args: Vec<String>,
    env: Vec<(String, String)>,
    port: u16,
    started: Instant,
    server: Arc<Mutex<Option<Server>>>,
    /// The served clock as the harness sees it (START, real time since, and the jump of
    /// the restart hours later): Vonage's tokens are signed on it.
    clock: Arc<crate::clock::JumpingClock>,
}

impl Served {
    fn new(opts: &CrashOptions, db: &std::path::Path, base: &str, port: u16) -> Served {
        let db = db.display().to_string();
        let args =
            ["serve", "--db", &db, "--public-url", base, "--rate-per-source", "0", "--synchronous", &opts.synchronous];
        Served {
            args: args.iter().map(|s| s.to_string()).collect(),
            env: Vec::new(),
            port,
            started: Instant::now(),
            server: Arc::new(Mutex::new(None)),
            clock: Arc::new(crate::clock::JumpingClock::new(START.parse().expect("a valid constant"))),
        }
    }

    /// Starts the server with the clock at the harness's start plus real time since.
    async fn start(&mut self) -> anyhow::Result<()> {
        self.started = Instant::now();
        self.restart().await
    }

    /// Starts it again after a kill, on the same port, with the clock running on.
    async fn restart(&self) -> anyhow::Result<()> {
        let argv: Vec<&str> = self.args.iter().map(String::as_str).collect();
        let server = Server::start_with_env(&argv, self.port, &now_for(self.started), &self.env).await?;
        *self.lock() = Some(server);
        Ok(())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Server>> {
        self.server.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// One more start, three hours and ten minutes later: what the service does on start-up
    /// by then counts too. Twilio does not send a status callback again, so the end of a
    /// call reported while the service was down is lost: calls are closed after three
    /// hours, helper legs after a quarter of an hour. With requests for help later, it runs
    /// until each still asking has had a call made since (its search resumed; at most 20
    /// seconds). Returns the clock it started with.
    async fn start_once_more_later(&self, db: &std::path::Path, planned: bool) -> anyhow::Result<jiff::Timestamp> {
        if let Some(s) = self.lock().take() {
            s.stop();
        }
        let later: jiff::Timestamp =
            now_for(self.started).parse::<jiff::Timestamp>()? + jiff::SignedDuration::from_mins(190);
        self.clock.jump(190 * 60);
        let argv: Vec<&str> = self.args.iter().map(String::as_str).collect();
        let server = Server::start_with_env(&argv, self.port, &later.to_string(), &self.env).await?;
        if planned {
            let conn = Connection::open(db)?;
            let until = Instant::now() + Duration::from_secs(20);
            while crate::store::planned::held(&conn, later)?.not_resumed > 0 && Instant::now() < until {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            // The calls just placed are answered before the server goes.
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        server.stop();
        Ok(later)
    }
}

/// Waves: the example dialplan ringing in waves, and the REST API the service places the
/// helpers' calls through (the emulator's, on loopback), with the good-morning round's
/// residents enrolled. Returns the network and the residents' numbers.
async fn start_network(
    opts: &CrashOptions,
    dir: &std::path::Path,
    db: &std::path::Path,
    served: &mut Served,
    vonage: Option<Arc<crate::sim::vonage_rest::VonageRest>>,
) -> anyhow::Result<(Arc<crate::sim::network::Network>, Vec<String>)> {
    let plans = dir.join("dialplans");
    std::fs::create_dir_all(&plans)?;
    let network = match vonage {
        // The Vonage dialplan (in waves) is written by `start_vonage`; the API is the
        // network's, which passes dial-mode legs on to `dial_legs`.
        Some(dial_legs) => {
            let secret = crate::provider::vonage::jwt::check_startup(Some(TOKEN))?;
            let network = crate::sim::vonage_network::start(secret, served.clock.clone(), dial_legs).await?;
            served.env.retain(|(k, _)| k != "VONAGE_API_BASE");
            served.env.push(("VONAGE_API_BASE".into(), network.api_base.to_string()));
            network
        }
        None => {
            std::fs::write(plans.join("waves.toml"), crate::config::example_dialplan_in_waves())?;
            crate::sim::network::Network::start(TOKEN).await?
        }
    };
    network.random_helpers(opts.seed ^ 0xA5A5, crate::sim::people::random_helper);
    network.retry_webhooks_for(opts.kinder_retries);
    // Restarts here take real time (tens to hundreds of milliseconds), people's
    // patience emulated time: someone alone on a line waits longer than a restart.
    network.patience_at_least(Duration::from_secs(3));
    // The good-morning round: residents due as the run starts, called through the
    // same REST API while the server dies; some answer, some do not, some voicemails.
    let phones = enrol_round(db, "waves")?;
    let actions = [HelperAction::Accept, HelperAction::NoAnswer, HelperAction::Silent];
    network.script_helpers(phones.iter().enumerate().map(|(i, p)| (p.clone(), actions[i % 3].clone())).collect());
    if network.is_vonage() {
        return Ok((network, phones));
    }
    served.args.extend([
        "--dialplans".to_string(),
        plans.display().to_string(),
        "--calls-per-second".to_string(),
        "1000".to_string(),
        "--created-call-fallback-url".to_string(),
        crate::sim::network::created_call_fallback_url(&network).to_string(),
    ]);
    served.env.push(("TWILIO_ACCOUNT_SID".into(), network.account_sid.clone()));
    served.env.push(("TWILIO_API_BASE".into(), network.api_base.to_string()));
    Ok((network, phones))
}

/// Vonage: the example dialplan through Vonage (dial mode, or `waves`), the application's
/// REST API (the emulator's, on loopback, with the test application's key) and its
/// signature secret.
async fn start_vonage(
    dir: &std::path::Path,
    served: &mut Served,
    waves: bool,
) -> anyhow::Result<Arc<crate::sim::vonage_rest::VonageRest>> {
    use crate::sim::vonage_rest::{VonageRest, TEST_APPLICATION_ID, TEST_PRIVATE_KEY};
    let plans = dir.join("dialplans");
    std::fs::create_dir_all(&plans)?;
    let plan = crate::config::example_dialplan_through(crate::provider::Provider::Vonage);
    // In waves the neighbourhood is `waves`, as on Twilio (`start_network`).
    let (file, plan) = match waves {
        true => ("waves.toml", plan.replacen("mode = \"dial\"", "mode = \"waves\"", 1)),
        false => ("example.toml", plan),
    };
    std::fs::write(plans.join(file), plan)?;
    let key = dir.join("vonage-test-application.key");
    std::fs::write(&key, TEST_PRIVATE_KEY)?;
    let rest = VonageRest::start().await?;
    served.args.extend(["--dialplans".to_string(), plans.display().to_string()]);
    served.env.extend([
        ("VONAGE_SIGNATURE_SECRET".to_string(), TOKEN.to_string()),
        ("VONAGE_APPLICATION_ID".to_string(), TEST_APPLICATION_ID.to_string()),
        ("VONAGE_PRIVATE_KEY".to_string(), key.display().to_string()),
        ("VONAGE_API_BASE".to_string(), rest.api_base.to_string()),
    ]);
    Ok(rest)
}

fn emulator(
    opts: &CrashOptions,
    (base, clock): (&str, Arc<dyn crate::clock::Clock>),
    network: Option<Arc<crate::sim::network::Network>>,
    vonage: Option<Arc<crate::sim::vonage_rest::VonageRest>>,
) -> anyhow::Result<Emulator> {
    let mut emulator = match &vonage {
        None => {
            let mut emulator = Emulator::new(base, TOKEN, None)?;
            // The number's fallback document (the desk).
            emulator.fallback_twiml = Some(include_str!("../../deploy/fallback.xml").to_string());
            emulator
        }
        Some(_) => {
            let secret = crate::provider::vonage::jwt::check_startup(Some(TOKEN))?;
            let mut emulator = Emulator::new_vonage(base, secret, None)?;
            // The application's fallback answer URL's document (the desk).
            emulator.fallback_twiml = Some(include_str!("../../deploy/fallback-vonage.json").to_string());
            emulator
        }
    };
    emulator.vonage_rest = vonage;
    // The served clock starts at START (BURENLIJN_NOW): Vonage's tokens are signed on it.
    emulator.wall_clock = Some(clock);
    // The provider's documented retry model, unless kinder retries are asked for.
    emulator.retry_for = opts.kinder_retries;
    emulator.pause_between_requests = Duration::from_millis(10);
    emulator.network = network;
    Ok(emulator)
}

/// How far the run is: the calls are done, how many kills happened, the killer gave up.
#[derive(Clone, Default)]
struct Progress {
    done: Arc<AtomicBool>,
    killed: Arc<AtomicUsize>,
    killer_gone: Arc<AtomicBool>,
}

/// The killer: SIGKILL at random moments, then start again on the same port. Every kill
/// asked for happens while calls are still to come: the calls are cut in `kills + 1`
/// parts, and a part does not start before the kill that comes before it (or before the
/// killer gave up on a failed restart), so a quick run cannot end before its kills.
/// Returns how many kills there were.
fn spawn_killer(served: Served, progress: Progress, opts: &CrashOptions) -> tokio::task::JoinHandle<usize> {
    let mut rng = fastrand::Rng::with_seed(opts.seed ^ 0x5EED);
    let kills = opts.kills;
    tokio::spawn(async move {
        let Progress { done, killed, killer_gone } = progress;
        while killed.load(Ordering::SeqCst) < kills && !done.load(Ordering::SeqCst) {
            tokio::time::sleep(Duration::from_millis(rng.u64(150..600))).await;
            if done.load(Ordering::SeqCst) {
                break;
            }
            let victim = served.lock().take();
            if let Some(victim) = victim {
                victim.kill();
                killed.fetch_add(1, Ordering::SeqCst);
            }
            tokio::time::sleep(Duration::from_millis(rng.u64(20..200))).await;
            if let Err(e) = served.restart().await {
                eprintln!("restart failed: {e}");
                break;
            }
        }
        killer_gone.store(true, Ordering::SeqCst);
        killed.load(Ordering::SeqCst)
    })
}

type Reports = Vec<Result<CallReport, String>>;

/// Runs the calls, `opts.concurrency` at a time, each after the kills of the parts before
/// its own. Returns what each phone heard, or why the call failed.
async fn run_calls(emulator: Arc<Emulator>, progress: Progress, opts: &CrashOptions) -> Reports {
    let reports: Arc<Mutex<Reports>> = Arc::new(Mutex::new(Vec::new()));
    let next = Arc::new(AtomicUsize::new(0));
    let mut workers = Vec::new();
    for _ in 0..opts.concurrency.max(1) {
        let (emulator, reports, next, total, seed) =
            (emulator.clone(), reports.clone(), next.clone(), opts.calls, opts.seed);
        let (progress, kills) = (progress.clone(), opts.kills);
        workers.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i >= total {
                    break;
                }
                // Call `i` is in part `i * (kills + 1) / total`: that many kills come first.
                let kills_before = (i * (kills + 1) / total).min(kills);
                while progress.killed.load(Ordering::SeqCst) < kills_before
                    && !progress.killer_gone.load(Ordering::SeqCst)
                {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
                let mut phones = RandomPhones { rng: fastrand::Rng::with_seed(seed.wrapping_add(i as u64)) };
                let from = format!("+3120{:07}", 2_000_000 + i);
                let outcome = emulator.call(&from, SWITCHBOARD, &mut phones).await.map_err(|e| e.to_string());
                reports.lock().unwrap_or_else(|p| p.into_inner()).push(outcome);
            }
        }));
    }
    for w in workers {
        let _ = w.await;
    }
    Arc::try_unwrap(reports).map(|m| m.into_inner().unwrap_or_else(|p| p.into_inner())).unwrap_or_default()
}

/// The good-morning round's calls: how many the network placed, and to how many residents
/// more than the round stored.
#[derive(Default)]
struct RoundTally {
    residents: usize,
    calls: usize,
    doubled: usize,
}

impl RoundTally {
    fn of(
        conn: &Connection,
        network: Option<&crate::sim::network::Network>,
        phones: &[String],
    ) -> anyhow::Result<RoundTally> {
        let mut tally = RoundTally { residents: phones.len(), ..RoundTally::default() };
        let Some(network) = network else { return Ok(tally) };
        for phone in phones {
            let placed = network.calls_created_to(phone, "round-answer") as usize;
            let stored = crate::store::round::calls_to_resident(conn, phone)?;
            tally.calls += placed;
            if placed as i64 > stored {
                tally.doubled += 1;
            }
        }
        Ok(tally)
    }
}

/// Requests for help later taken before the run (waves): transport, two days after the
/// run's start at 10:00, from residents not in the round.
const PLANNED_REQUESTS: usize = 10;

/// Takes the requests for help later as the command line does. Returns how many.
fn take_planned(db: &std::path::Path, plans: &std::path::Path) -> anyhow::Result<usize> {
    let hoods = crate::config::load(Some(plans), None)?;
    let store = crate::store::Store::open(db)?;
    let start: jiff::Timestamp = START.parse()?;
    let day =
        start.to_zoned(jiff::tz::TimeZone::get("Europe/Amsterdam")?).date().checked_add(jiff::Span::new().days(2))?;
    let at = format!("{day} 10:00");
    let cli = crate::switchboard::desk::Acting::command_line();
    store.write(|tx| {
        let act =
            crate::switchboard::desk::Act { conn: tx, who: &cli, now: start - jiff::SignedDuration::from_hours(1) };
        let people = crate::store::participants::list(tx)?;
        for p in people.iter().skip(ROUND_RESIDENTS).take(PLANNED_REQUESTS) {
            let adding = crate::switchboard::planned::Adding {
                from: p.details.phone.as_str().to_string(),
                kind: "transport".into(),
                at: at.clone(),
                ..Default::default()
            };
            if let Err(e) = crate::switchboard::planned::add(&act, &hoods, &adding)? {
                anyhow::bail!("a request for later could not be taken: {e}");
            }
        }
        Ok(PLANNED_REQUESTS)
    })
}

/// Help for later in the run: what the database holds against what the phones did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlannedTally {
    /// Requests taken before the run, and how many the database still holds.
    pub taken: usize,
    pub kept: usize,
    /// Neighbours asked, and requests with a helper.
    pub asked: usize,
    pub matched: usize,
    /// A neighbour asked twice about one request.
    pub asked_twice: usize,
    /// Numbers called more often than the database stored calls to them.
    pub calls_doubled: usize,
    /// Neighbours thanked for their yes whose yes is not stored.
    pub yes_lost: usize,
    /// Requests still asking that had no call since the last start (a search not resumed).
    pub not_resumed: usize,
}

impl PlannedTally {
    async fn of(
        conn: &Connection,
        network: Option<&crate::sim::network::Network>,
        taken: usize,
        restarted: jiff::Timestamp,
    ) -> anyhow::Result<PlannedTally> {
        let Some(network) = network.filter(|_| taken > 0) else { return Ok(PlannedTally::default()) };
        let held = crate::store::planned::held(conn, restarted)?;
        let calls_doubled = held
            .placed_to
            .iter()
            .filter(|(phone, stored)| i64::from(network.calls_created_to(phone, "planned-answer")) > *stored)
            .count();
        // The sentence a neighbour hears after their yes is taken, up to the requester's name.
        let prompts = crate::domain::prompts::Prompts::parse(include_str!("../../prompts/nl.toml"), &[])
            .map_err(|e| anyhow::anyhow!("prompts: {e:?}"))?;
        let thanked = prompts.text(crate::domain::prompts::PromptKey::PlannedYes, &[("caller", "\u{0}")]);
        let thanked = thanked.split('\u{0}').next().unwrap_or_default().to_string();
        let mut yes_lost = 0;
        for (id, result) in &held.asks {
            let lines = network.lines_when_done(&format!("planned-{id}"), Duration::ZERO).await;
            let heard_thanks =
                lines.iter().any(|l| matches!(l, Line::HelperHears { text, .. } if text.starts_with(&thanked)));
            if heard_thanks && result.as_deref() != Some("yes") {
                yes_lost += 1;
            }
        }
        Ok(PlannedTally {
            taken,
            kept: held.requests as usize,
            asked: held.asked as usize,
            matched: held.matched as usize,
            asked_twice: held.asked_twice as usize,
            calls_doubled,
            yes_lost,
            not_resumed: held.not_resumed as usize,
        })
    }

    fn ok(&self) -> bool {
        self.kept == self.taken
            && self.asked_twice == 0
            && self.calls_doubled == 0
            && self.yes_lost == 0
            && self.not_resumed == 0
    }

    /// The table's line (none without requests for later).
    fn line(&self) -> String {
        if self.taken == 0 {
            return String::new();
        }
        format!(
            "later: requests {}, kept {}, neighbours asked {}, matched {}; asked twice {}, called twice {}, yes lost {}, searches not resumed {}\n",
            self.taken, self.kept, self.asked, self.matched, self.asked_twice, self.calls_doubled, self.yes_lost, self.not_resumed
        )
    }
}

/// Whether a line of a call is its caller put through to a helper (not to the desk).
fn to_a_helper(line: &Line) -> bool {
    matches!(line, Line::Connected { number } if number != "+31850000001")
}

/// Compares what the phones did with what the database holds.
fn tally(
    conn: &Connection,
    opts: &CrashOptions,
    reports: &Reports,
    kills: usize,
    round: RoundTally,
    planned: PlannedTally,
) -> anyhow::Result<CrashReport> {
    let call_errors = reports.iter().filter(|r| r.is_err()).count();
    for e in reports.iter().filter_map(|r| r.as_ref().err()).take(3) {
        eprintln!("call failed: {e}");
    }
    let ok: Vec<&CallReport> = reports.iter().filter_map(|r| r.as_ref().ok()).collect();
    // Put through to a helper, also when a webhook after the conversation failed and the
    // number's fallback ran then.
    let heard: Vec<&str> = ok.iter().filter(|r| r.lines.iter().any(to_a_helper)).map(|r| r.call_sid.as_str()).collect();
    let joined_twice = ok.iter().filter(|r| r.lines.iter().filter(|l| to_a_helper(l)).count() > 1).count();
    let left_alone =
        ok.iter().flat_map(|r| r.lines.iter()).filter(|l| matches!(l, Line::AloneInConference { .. })).count();
    let ends = crate::store::calls::loose_ends(conn)?;
    let stored = &ends.matched;
    // A conversation the service recorded as unconfirmed is not lost: the desk is asked to
    // check it. Nor is an unconfirmed yes that never reached the helper counted as a match.
    let unconfirmed = |sid: &str| ends.unconfirmed.iter().any(|u| u == sid);
    let unconfirmed_talked = heard.iter().filter(|sid| unconfirmed(sid)).count();
    if opts.explain {
        explain(conn, &ok, stored, &heard)?;
    }
    Ok(CrashReport {
        calls_run: reports.len(),
        kills,
        fell_back: ok.iter().filter(|r| r.fell_back).count(),
        call_errors,
        matches_heard: heard.len(),
        matches_stored: stored.len(),
        matches_lost: heard.iter().filter(|sid| !stored.iter().any(|s| s == *sid) && !unconfirmed(sid)).count(),
        matches_extra: stored.iter().filter(|s| !heard.contains(&s.as_str())).count(),
        unconfirmed_talked,
        unconfirmed_not_talked: ends.unconfirmed.len() - unconfirmed_talked,
        unconfirmed_unfollowed: ends.unconfirmed_unfollowed as usize,
        calls_without_outcome: ends.without_outcome as usize,
        helpers_left_ringing: ends.open_attempts as usize,
        joined_twice,
        left_alone,
        round_residents: round.residents,
        round_calls: round.calls,
        round_calls_doubled: round.doubled,
        planned,
    })
}

/// On stderr: each extra match and each helper left alone, with what the phones heard.
fn explain(conn: &Connection, ok: &[&CallReport], stored: &[String], heard: &[&str]) -> anyhow::Result<()> {
    let alone = ok.iter().filter(|r| r.lines.iter().any(|l| matches!(l, Line::AloneInConference { .. })));
    let extra = stored.iter().filter(|s| !heard.contains(&s.as_str())).map(|s| s.as_str());
    for sid in extra.chain(alone.map(|r| r.call_sid.as_str())) {
        eprintln!("{}", crate::store::waves::explain(conn, sid)?);
        if let Some(r) = ok.iter().find(|r| r.call_sid == sid) {
            for line in &r.lines {
                eprintln!("  {line:?}");
            }
        }
    }
    Ok(())
}

/// Residents in the good-morning round (waves): the register's first.
const ROUND_RESIDENTS: usize = 20;

/// Residents in neighbourhood `key`'s good-morning round, due a minute before the run's
/// start; each has the next one as contact. Returns their numbers.
fn enrol_round(db: &std::path::Path, key: &str) -> anyhow::Result<Vec<String>> {
    const RESIDENTS: usize = ROUND_RESIDENTS;
    let store = crate::store::Store::open(db)?;
    let start: jiff::Timestamp = START.parse()?;
    let local = start.to_zoned(jiff::tz::TimeZone::get("Europe/Amsterdam")?).time();
    let at = local.checked_sub(jiff::SignedDuration::from_mins(1))?;
    let enrolled_at = start - jiff::SignedDuration::from_hours(1);
    store.write(|tx| {
        let people = crate::store::participants::list(tx)?;
        let mut phones = Vec::new();
        for (i, p) in people.iter().take(RESIDENTS).enumerate() {
            let contact = &people[(i + 1) % people.len()];
            let contacts = [(contact.details.phone.clone(), Some(contact.id))];
            let e = crate::store::round::Enrol {
                participant_id: p.id,
                neighbourhood: key,
                at,
                days: 0b111_1111,
                retry_minutes: 10,
                tries: 3,
                contacts: &contacts,
            };
            crate::store::round::enrol(tx, &e, enrolled_at)?;
            phones.push(p.details.phone.as_str().to_string());
        }
        Ok(phones)
    })
}
