//! `burenlijn bench load`: complete calls against the real server, and in the same run two
//! baselines on the same machine: a bare axum handler returning a fixed TwiML document,
//! and the same handler committing one row per webhook durably first (its own SQLite file
//! in WAL with `synchronous=FULL`, one transaction per webhook, no grouping: the ceiling
//! for a durable answer on the machine at hand; issue 31).
//!
//! Both servers run as child processes of this one (so their peak memory is their own)
//! on loopback. Calls are played by the Twilio emulator with signed webhooks; helpers
//! accept, decline, let voicemail answer or do not answer in realistic proportions.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _};
use serde_json::json;

use super::percentile;
use crate::domain::participant::{ParticipantDetails, ParticipantInput};
use crate::sim::emulator::Emulator;
use crate::sim::people::{random_helper, HelperAction, Phones};
use crate::store::{participants, Store};

pub struct LoadOptions {
    pub calls: usize,
    pub concurrency: usize,
    pub participants: usize,
    /// Neighbourhoods on the install (1: the example alone).
    pub neighbourhoods: usize,
    pub seed: u64,
    /// Real milliseconds before each webhook of a call (0: as fast as possible).
    pub pace_ms: u64,
    /// The served database's `--synchronous` (`full` or `normal`).
    pub synchronous: String,
}

#[derive(Clone, Debug)]
pub struct Figures {
    pub calls: usize,
    pub webhooks: usize,
    pub calls_per_s: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub errors: usize,
    pub peak_rss_mb: f64,
}

impl Figures {
    fn json(&self) -> serde_json::Value {
        json!({
            "calls": self.calls, "webhooks": self.webhooks,
            "calls_per_s": round(self.calls_per_s), "p50_ms": round(self.p50_ms), "p99_ms": round(self.p99_ms),
            "max_ms": round(self.max_ms), "errors": self.errors, "peak_rss_mb": round(self.peak_rss_mb),
        })
    }
}

fn round(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

pub(crate) const TOKEN: &str = "bench-load-token";
pub(crate) const SWITCHBOARD: &str = "+31850000000";
/// A Tuesday morning: inside ringing and office hours.
pub(crate) const START: &str = "2026-11-24T10:15:00+01:00";

/// Helpers answer like people do: about a third say yes.
pub(crate) struct RandomPhones {
    pub(crate) rng: fastrand::Rng,
}

impl Phones for RandomPhones {
    fn caller_key(&mut self, _heard: &[String]) -> Option<String> {
        // Most callers press a category at once; a few hesitate or press a wrong key.
        match self.rng.u32(0..100) {
            0..=89 => Some(self.rng.u32(1..=4).to_string()),
            90..=94 => None,
            _ => Some("8".into()),
        }
    }

    fn helper(&mut self, _number: &str) -> HelperAction {
        random_helper(&mut self.rng)
    }

    fn desk_answers(&mut self) -> bool {
        self.rng.bool()
    }

    fn message_seconds(&mut self) -> Option<u32> {
        Some(self.rng.u32(5..60))
    }
}

/// A generated neighbourhood: `n` participants, most of them helping with one to three
/// kinds of help, some with hours, a few with near/far wishes.
pub fn generate_participants(n: usize, seed: u64) -> Vec<ParticipantDetails> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let categories: Vec<String> =
        ["shopping", "transport", "odd-jobs", "company"].iter().map(|s| s.to_string()).collect();
    let streets = [
        "Kerkstraat",
        "Molenweg",
        "Dorpsweg",
        "Schoolstraat",
        "Lindelaan",
        "Beukenlaan",
        "Stationsweg",
        "Raadhuisplein",
        "Julianastraat",
        "Wilhelminalaan",
    ];
    let hours = ["", "", "", "mon-fri 09:00-17:00", "mon-sat 08:00-20:00", "daily 10:00-16:00", "tue,thu 09:00-21:00"];
    let distances = ["any", "any", "any", "near", "not-own-street"];
    (0..n)
        .map(|i| {
            let offers: Vec<&str> = categories.iter().filter(|_| rng.u32(0..100) < 45).map(String::as_str).collect();
            let offers = if i % 7 == 0 { String::new() } else { offers.join(";") };
            let name = format!("Buur{i} Test");
            let phone = format!("+3162{:07}", i);
            let street = streets[rng.usize(..streets.len())];
            let postcode = format!("{} AB", 1200 + rng.u32(0..40));
            ParticipantDetails::parse(
                &ParticipantInput {
                    name: &name,
                    phone: &phone,
                    offers: &offers,
                    available: hours[rng.usize(..hours.len())],
                    street,
                    postcode: &postcode,
                    distance: distances[rng.usize(..distances.len())],
                    language: "",
                },
                &categories,
            )
            .expect("generated participants are valid")
        })
        .collect()
}

fn rss_peak_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

pub(crate) fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

pub(crate) struct Server {
    child: Child,
    pub(crate) base: String,
}

impl Server {
    pub(crate) async fn start(args: &[&str], port: u16, now: &str) -> anyhow::Result<Server> {
        Server::start_with_env(args, port, now, &[]).await
    }

    /// As `start`, with more environment (the REST API's account and base URL).
    pub(crate) async fn start_with_env(
        args: &[&str],
        port: u16,
        now: &str,
        env: &[(String, String)],
    ) -> anyhow::Result<Server> {
        let exe = std::env::current_exe()?;
        let base = format!("http://127.0.0.1:{port}");
        let child = Command::new(exe)
            .args(args)
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .env("TWILIO_AUTH_TOKEN", TOKEN)
            .env("BURENLIJN_NOW", now)
            // Errors only, unless asked for more (`BURENLIJN_SERVED_LOG=info`, docs/testing.md).
            .env("RUST_LOG", std::env::var("BURENLIJN_SERVED_LOG").unwrap_or_else(|_| "error".into()))
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .context("cannot start the server")?;
        let client = reqwest::Client::new();
        for _ in 0..200 {
            if client.get(format!("{base}/healthz")).send().await.is_ok() {
                return Ok(Server { child, base });
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        bail!("the server did not start")
    }

    pub(crate) fn stop(mut self) -> f64 {
        let rss = rss_peak_mb(self.child.id());
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        let _ = self.child.wait();
        rss
    }

    /// Kills the server without warning, as a crash or power cut would.
    pub(crate) fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Tally {
    latencies: Vec<f64>,
    errors: usize,
    calls: usize,
}

/// Runs `calls` tasks, `concurrency` at a time; each returns its webhook latencies.
async fn drive<F, Fut>(opts: &LoadOptions, one_call: F) -> (Tally, Duration)
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<Vec<Duration>, String>> + Send,
{
    let next = Arc::new(AtomicUsize::new(0));
    let tally = Arc::new(Mutex::new(Tally { latencies: Vec::new(), errors: 0, calls: 0 }));
    let one_call = Arc::new(one_call);
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..opts.concurrency.max(1) {
        let (next, tally, one_call, total) = (next.clone(), tally.clone(), one_call.clone(), opts.calls);
        workers.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i >= total {
                    break;
                }
                let outcome = one_call(i).await;
                let mut t = tally.lock().unwrap_or_else(|p| p.into_inner());
                match outcome {
                    Ok(lat) => {
                        t.calls += 1;
                        t.latencies.extend(lat.iter().map(|d| d.as_secs_f64() * 1000.0));
                    }
                    Err(e) => {
                        if t.errors < 3 {
                            eprintln!("error: {e}");
                        }
                        t.errors += 1;
                    }
                }
            }
        }));
    }
    for w in workers {
        let _ = w.await;
    }
    let elapsed = started.elapsed();
    let tally = Arc::try_unwrap(tally)
        .map(|m| m.into_inner().unwrap_or_else(|p| p.into_inner()))
        .unwrap_or_else(|_| Tally { latencies: vec![], errors: 0, calls: 0 });
    (tally, elapsed)
}

fn figures(mut tally: Tally, elapsed: Duration, rss: f64) -> Figures {
    tally.latencies.sort_by(|a, b| a.total_cmp(b));
    Figures {
        calls: tally.calls,
        webhooks: tally.latencies.len(),
        calls_per_s: tally.calls as f64 / elapsed.as_secs_f64().max(1e-9),
        p50_ms: percentile(&tally.latencies, 50.0),
        p99_ms: percentile(&tally.latencies, 99.0),
        max_ms: tally.latencies.last().copied().unwrap_or(0.0),
        errors: tally.errors,
        peak_rss_mb: rss,
    }
}

pub struct LoadReport {
    pub ours: Figures,
    pub baseline: Figures,
    /// The bare handler that commits one row per webhook durably.
    pub durable: Figures,
    pub options: (usize, usize, usize, u64),
    pub neighbourhoods: usize,
    pub pace_ms: u64,
    pub synchronous: String,
}

impl LoadReport {
    pub fn json(&self) -> serde_json::Value {
        json!({
            "ours": self.ours.json(),
            "baseline": self.baseline.json(),
            "durable_baseline": self.durable.json(),
            "ratio": ratio(&self.ours, &self.baseline),
            "ratio_durable": ratio(&self.ours, &self.durable),
            "calls": self.options.0, "concurrency": self.options.1, "participants": self.options.2, "seed": self.options.3, "pace_ms": self.pace_ms, "synchronous": self.synchronous, "neighbourhoods": self.neighbourhoods,
        })
    }

    pub fn table(&self) -> String {
        let row = |name: &str, f: &Figures| {
            format!(
                "{name:<10} {:>8} {:>9} {:>10.1} {:>8.2} {:>8.2} {:>8.2} {:>7} {:>9.1}\n",
                f.calls, f.webhooks, f.calls_per_s, f.p50_ms, f.p99_ms, f.max_ms, f.errors, f.peak_rss_mb
            )
        };
        let mut out = format!(
            "{} calls, {} at a time, {} participants in {} neighbourhood(s), seed {}, {} ms between webhooks, synchronous={}\n\n{:<10} {:>8} {:>9} {:>10} {:>8} {:>8} {:>8} {:>7} {:>9}\n",
            self.options.0, self.options.1, self.options.2, self.neighbourhoods, self.options.3, self.pace_ms, self.synchronous, "", "calls", "webhooks", "calls/s", "p50 ms", "p99 ms", "max ms", "errors", "RSS MB"
        );
        out.push_str(&row("burenlijn", &self.ours));
        out.push_str(&row("baseline", &self.baseline));
        out.push_str(&row("durable", &self.durable));
        for (name, other) in [("ratio", &self.baseline), ("ratio dur.", &self.durable)] {
            out.push_str(&format!(
                "{:<10} {:>8} {:>9} {:>10.2} {:>8} {:>8.2} {:>8} {:>7} {:>9.2}\n",
                name,
                "",
                "",
                self.ours.calls_per_s / other.calls_per_s.max(1e-9),
                "",
                self.ours.p99_ms / other.p99_ms.max(1e-9),
                "",
                "",
                self.ours.peak_rss_mb / other.peak_rss_mb.max(1e-9)
            ));
        }
        out.push_str("(baseline: a bare handler with a fixed document; durable: the same, committing one row per webhook first, WAL, synchronous=FULL, no grouping)\n");
        out
    }
}

/// Ours against a baseline: throughput, p99 and memory as ratios.
fn ratio(ours: &Figures, other: &Figures) -> serde_json::Value {
    json!({
        "calls_per_s": round(ours.calls_per_s / other.calls_per_s.max(1e-9)),
        "p99_ms": round(ours.p99_ms / other.p99_ms.max(1e-9)),
        "peak_rss_mb": round(ours.peak_rss_mb / other.peak_rss_mb.max(1e-9)),
    })
}

pub async fn run(opts: LoadOptions) -> anyhow::Result<LoadReport> {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("bench.db");
    prepare_database(&db, opts.participants, opts.seed)?;
    // Several neighbourhoods: the example dialplan again and again on numbers of its own,
    // the participants and the calls shared out among them in turn.
    let numbers: Arc<Vec<String>> = Arc::new((0..opts.neighbourhoods).map(neighbourhood_number).collect());
    let plans = dir.path().join("dialplans");
    if opts.neighbourhoods > 1 {
        std::fs::create_dir_all(&plans)?;
        for (i, number) in numbers.iter().enumerate() {
            let plan = crate::config::EXAMPLE_DIALPLAN.replacen(SWITCHBOARD, number, 1);
            std::fs::write(plans.join(format!("buurt-{i:03}.toml")), plan)?;
        }
        let store = Store::open(&db)?;
        store.write(|tx| {
            for id in crate::store::participants::ids(tx)? {
                participants::join(tx, id, &format!("buurt-{:03}", id as usize % opts.neighbourhoods))?;
            }
            Ok(())
        })?;
    }

    // Ours: complete calls through the emulator.
    let port = free_port()?;
    let db_arg = db.display().to_string();
    let plans_arg = plans.display().to_string();
    let mut args = vec!["serve", "--db", &db_arg, "--rate-per-source", "0", "--synchronous", &opts.synchronous];
    if opts.neighbourhoods > 1 {
        args.extend(["--dialplans", &plans_arg]);
    }
    let public_url = format!("http://127.0.0.1:{port}");
    args.extend(["--public-url", &public_url]);
    let server = Server::start(&args, port, START).await?;
    let mut emulator = Emulator::new(&server.base, TOKEN, None)?;
    emulator.pause_between_requests = Duration::from_millis(opts.pace_ms);
    let emulator = Arc::new(emulator);
    let seed = opts.seed;
    let (tally, elapsed) = drive(&opts, move |i| {
        let (emulator, numbers) = (emulator.clone(), numbers.clone());
        async move {
            let mut phones = RandomPhones { rng: fastrand::Rng::with_seed(seed.wrapping_add(i as u64)) };
            let from = format!("+3120{:07}", 1_000_000 + i);
            let to = &numbers[i % numbers.len()];
            emulator.call(&from, to, &mut phones).await.map(|r| r.latencies).map_err(|e| e.to_string())
        }
    })
    .await;
    let rss = server.stop();
    let ours = figures(tally, elapsed, rss);

    // The baselines: the same number of calls, each the same number of webhooks on
    // average, to a bare handler with a fixed document; then to the same committing one
    // row per webhook durably.
    let per_call = (ours.webhooks as f64 / ours.calls.max(1) as f64).round().max(1.0) as usize;
    let baseline = run_baseline(&opts, per_call, None).await?;
    let durable = run_baseline(&opts, per_call, Some(&dir.path().join("durable.db"))).await?;
    Ok(LoadReport {
        ours,
        baseline,
        durable,
        options: (opts.calls, opts.concurrency, opts.participants, opts.seed),
        neighbourhoods: opts.neighbourhoods,
        pace_ms: opts.pace_ms,
        synchronous: opts.synchronous.clone(),
    })
}

/// The environment variable that makes `bench baseline-server` commit one row per webhook
/// durably, to the SQLite file it names.
pub const DURABLE_BASELINE_DB: &str = "BURENLIJN_BASELINE_DB";

/// Plays the calls against a baseline server: bare, or with `durable` its database file.
async fn run_baseline(opts: &LoadOptions, per_call: usize, durable: Option<&Path>) -> anyhow::Result<Figures> {
    let port = free_port()?;
    let env: Vec<(String, String)> =
        durable.map(|db| (DURABLE_BASELINE_DB.to_string(), db.display().to_string())).into_iter().collect();
    let server = Server::start_with_env(&["bench", "baseline-server"], port, START, &env).await?;
    let client = reqwest::Client::new();
    let url = format!("{}/twilio/voice", server.base);
    let pace = Duration::from_millis(opts.pace_ms);
    let (tally, elapsed) = drive(opts, move |i| {
        let (client, url) = (client.clone(), url.clone());
        async move {
            let mut lat = Vec::with_capacity(per_call);
            for n in 0..per_call {
                if !pace.is_zero() {
                    tokio::time::sleep(pace.mul_f64(0.5 + fastrand::f64())).await;
                }
                let params = vec![
                    ("CallSid".to_string(), format!("CA{i:016}{n:016}")),
                    ("From".into(), "+31201234567".into()),
                    ("To".into(), SWITCHBOARD.into()),
                ];
                let sig = crate::provider::twilio::signature(TOKEN, &url, &params);
                let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(params.iter()).finish();
                let started = Instant::now();
                let resp = client
                    .post(&url)
                    .header("X-Twilio-Signature", sig)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .body(body)
                    .send()
                    .await
                    .map_err(|e| e.to_string())?;
                let ok = resp.status().is_success();
                resp.text().await.map_err(|e| e.to_string())?;
                lat.push(started.elapsed());
                if !ok {
                    return Err("baseline answered an error".into());
                }
            }
            Ok(lat)
        }
    })
    .await;
    let rss = server.stop();
    Ok(figures(tally, elapsed, rss))
}

/// The number of the `i`-th neighbourhood of the benchmark: the example's for the first.
fn neighbourhood_number(i: usize) -> String {
    if i == 0 {
        SWITCHBOARD.to_string()
    } else {
        format!("+318500{:05}", 10_000 + i)
    }
}

pub(crate) fn prepare_database(db: &Path, n: usize, seed: u64) -> anyhow::Result<()> {
    let store = Store::open(db)?;
    let rows = generate_participants(n, seed);
    let now = jiff::Timestamp::now();
    store.write(|tx| {
        for row in &rows {
            participants::upsert(tx, row, now)?;
        }
        Ok(())
    })
}

/// The bare baseline: one fixed TwiML document for every POST. With `durable`, each POST
/// first commits one row (the CallSid and the time) to that SQLite file, in WAL with
/// `synchronous=FULL`, one transaction per webhook: what a durable answer costs at least,
/// without any grouping of commits. (A stand-in for another service, not ours: its one
/// table is its own.)
pub async fn baseline_server(listen: std::net::SocketAddr, durable: Option<std::path::PathBuf>) -> anyhow::Result<()> {
    use axum::routing::{get, post};
    const DOC: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Response><Say voice="Polly.Lotte" language="nl-NL">Goedemorgen. Fijn dat u belt.</Say><Gather input="dtmf" numDigits="1" timeout="8" action="menu?s=1" method="POST"><Say voice="Polly.Lotte" language="nl-NL">Voor boodschappen, toets 1.</Say></Gather><Redirect method="POST">menu?s=1</Redirect></Response>"#;
    type Db = Arc<Mutex<rusqlite::Connection>>;
    let db: Option<Db> = match durable {
        Some(path) => {
            let conn = rusqlite::Connection::open(&path).with_context(|| format!("cannot open {}", path.display()))?;
            conn.pragma_update(None, "journal_mode", "WAL")?;
            conn.pragma_update(None, "synchronous", "FULL")?;
            conn.execute_batch("CREATE TABLE IF NOT EXISTS hits (call_sid TEXT NOT NULL, at INTEGER NOT NULL)")?;
            Some(Arc::new(Mutex::new(conn)))
        }
        None => None,
    };
    let answer = move |body: String| {
        let db = db.clone();
        async move {
            if let Some(db) = db {
                let sid = form_urlencoded::parse(body.as_bytes())
                    .find(|(k, _)| k == "CallSid")
                    .map(|(_, v)| v.into_owned())
                    .unwrap_or_default();
                let committed = tokio::task::spawn_blocking(move || {
                    let conn = db.lock().unwrap_or_else(|p| p.into_inner());
                    let at = jiff::Timestamp::now().as_millisecond();
                    conn.execute("INSERT INTO hits (call_sid, at) VALUES (?1, ?2)", rusqlite::params![sid, at])
                })
                .await;
                if !matches!(committed, Ok(Ok(1))) {
                    return Err(axum::http::StatusCode::INTERNAL_SERVER_ERROR);
                }
            }
            Ok(([(axum::http::header::CONTENT_TYPE, "text/xml; charset=utf-8")], DOC))
        }
    };
    let app = axum::Router::new().route("/twilio/{endpoint}", post(answer)).route("/healthz", get(|| async { "ok\n" }));
    let listener = tokio::net::TcpListener::bind(listen).await?;
    axum::serve(listener, app).with_graceful_shutdown(crate::web::shutdown_signal()).await?;
    Ok(())
}
