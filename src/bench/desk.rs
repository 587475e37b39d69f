//! `burenlijn bench desk`: the desk's pages on a big call log. Fills a database with a
//! made-up history (a million calls by default), starts the real server on loopback,
//! logs in like a browser, and times every page.

use std::time::Instant;

use anyhow::{bail, Context as _};
use jiff::Timestamp;

use super::load::{free_port, generate_participants, Server};
use super::percentile;
use crate::domain::desk::Role;
use crate::store::synthetic::PastCall;
use crate::store::{accounts, participants, synthetic, Store};

pub struct DeskOptions {
    pub calls: usize,
    pub participants: usize,
    /// The calls are spread over this many months before now.
    pub months: u32,
    pub requests: usize,
    pub seed: u64,
    /// Keep the generated database in this file (it must not exist yet).
    pub db: Option<std::path::PathBuf>,
}

pub struct PageFigures {
    pub page: String,
    pub first_ms: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub bytes: usize,
}

pub struct DeskReport {
    pub calls: usize,
    pub fill_seconds: f64,
    pub db_mb: f64,
    pub pages: Vec<PageFigures>,
    pub peak_rss_mb: f64,
    /// How long the server took, after start, to count the figures in advance.
    pub warm_up_seconds: f64,
}

const NOW: &str = "2026-11-24T10:15:00+01:00";
const CATEGORIES: [&str; 4] = ["shopping", "transport", "odd-jobs", "company"];

fn history<'a>(
    opts: &'a DeskOptions,
    people: &'a [(i64, String, String)],
    now: Timestamp,
) -> impl Iterator<Item = PastCall> + 'a {
    let mut rng = fastrand::Rng::with_seed(opts.seed);
    let span = i64::from(opts.months.max(1)) * 30 * 86_400;
    let step = span / opts.calls.max(1) as i64;
    (0..opts.calls).map(move |i| {
        let started_at =
            Timestamp::from_second(now.as_second() - span + i as i64 * step + rng.i64(0..step.max(1))).unwrap_or(now);
        let caller = &people[rng.usize(..people.len())];
        let roll = rng.u32(0..100);
        let outcome = match roll {
            0..=69 => "matched",
            70..=79 => "unmatched",
            80..=87 => "desk",
            88..=94 => "voicemail",
            _ => "abandoned",
        };
        let category =
            (outcome != "abandoned" || rng.bool()).then(|| CATEGORIES[rng.usize(..CATEGORIES.len())].to_string());
        let rings = if category.is_none() { 0 } else { rng.usize(1..=4) };
        let mut attempts = Vec::with_capacity(rings);
        for r in 0..rings {
            let h = &people[rng.usize(..people.len())];
            let last = r + 1 == rings;
            let result = if last && outcome == "matched" {
                "accepted"
            } else {
                ["declined", "no-answer", "busy"][rng.usize(..3)]
            };
            attempts.push((h.0, h.1.clone(), h.2.split(' ').next().unwrap_or("").to_string(), result));
        }
        let wait_seconds = (outcome == "matched").then(|| 20 + 25 * rings as i64);
        PastCall {
            call_sid: format!("CA{:032x}", (opts.seed as u128) << 64 | i as u128),
            from: caller.1.clone(),
            caller_id: Some(caller.0),
            category,
            outcome: if rings == 0 && outcome == "matched" { "abandoned" } else { outcome },
            started_at,
            attempts,
            wait_seconds,
            // Everything older than a week has been followed up.
            follow_up_closed: now.as_second() - started_at.as_second() > 7 * 86_400,
        }
    })
}

pub async fn run(opts: DeskOptions) -> anyhow::Result<DeskReport> {
    let dir = tempfile::tempdir()?;
    let db = match &opts.db {
        Some(path) if path.exists() => bail!("{} exists already; give a new file for --db", path.display()),
        Some(path) => path.clone(),
        None => dir.path().join("desk-bench.db"),
    };
    let now: Timestamp = NOW.parse()?;
    let started = Instant::now();
    let password = "bench password for the desk";
    {
        let store = Store::open(&db)?;
        let rows = generate_participants(opts.participants, opts.seed);
        let people = store.write(|tx| {
            let mut people = Vec::new();
            for row in &rows {
                let (id, _) = participants::upsert(tx, row, now)?;
                people.push((id, row.phone.as_str().to_string(), row.name.clone()));
            }
            Ok(people)
        })?;
        let mut batch = Vec::with_capacity(20_000);
        for call in history(&opts, &people, now) {
            batch.push(call);
            if batch.len() == 20_000 {
                store.write(|tx| synthetic::insert(tx, &batch))?;
                store.checkpoint()?;
                batch.clear();
            }
        }
        store.write(|tx| synthetic::insert(tx, &batch))?;
        let hash = crate::web::desk::hash_password(password)?;
        store.write(|tx| Ok(accounts::add_user(tx, "bench", Role::Coordinator, &hash, &[], now)?))?;
        store.checkpoint()?;
    }
    let fill_seconds = started.elapsed().as_secs_f64();
    let db_mb = std::fs::metadata(&db).map(|m| m.len() as f64 / 1_048_576.0).unwrap_or(0.0);

    let port = free_port()?;
    let db_arg = db.display().to_string();
    let base_url = format!("http://127.0.0.1:{port}");
    let server =
        Server::start(&["serve", "--db", &db_arg, "--public-url", &base_url, "--retention-months", "0"], port, NOW)
            .await?;
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
    // Measure the running service, not its first seconds: wait until the figures it counts
    // in advance at start are ready (the time this takes is reported).
    let waiting = Instant::now();
    loop {
        let metrics = http.get(format!("{}/metrics", server.base)).send().await?.text().await?;
        if metrics.contains("burenlijn_desk_figures_ready 1") || waiting.elapsed().as_secs() > 60 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let warm_up_seconds = waiting.elapsed().as_secs_f64();
    let cookie = login(&http, &server.base, password).await?;
    let some_call = format!("/desk/calls/CA{:032x}", (opts.seed as u128) << 64 | (opts.calls / 2) as u128);
    let deep = format!("/desk/calls?before={}~CA", now.as_second() - i64::from(opts.months) * 15 * 86_400);
    let pages: Vec<(String, String)> = vec![
        ("now".into(), "/desk/now".into()),
        ("calls".into(), "/desk/calls".into()),
        ("calls, outcome filter".into(), "/desk/calls?outcome=voicemail".into()),
        ("calls, category + month".into(), "/desk/calls?category=transport&from=2026-10-01&until=2026-10-31".into()),
        ("calls, one participant".into(), "/desk/calls?participant=17".into()),
        ("calls, half-way back".into(), deep),
        ("one call".into(), some_call),
        ("follow-up".into(), "/desk/follow-up".into()),
        ("participants".into(), "/desk/participants".into()),
        ("figures (this year)".into(), "/desk/figures".into()),
        ("figures (last year)".into(), "/desk/figures?year=2025".into()),
        ("figures CSV".into(), "/desk/figures.csv".into()),
    ];
    let mut out = Vec::new();
    for (name, path) in pages {
        let mut times = Vec::with_capacity(opts.requests);
        let mut first = 0.0;
        let mut bytes = 0;
        for i in 0..=opts.requests {
            let t = Instant::now();
            let response = http.get(format!("{}{path}", server.base)).header("Cookie", &cookie).send().await?;
            let status = response.status();
            let body = response.bytes().await?;
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            if !status.is_success() {
                bail!("{path} answered {status}");
            }
            bytes = body.len();
            if i == 0 {
                first = ms;
            } else {
                times.push(ms);
            }
        }
        times.sort_by(|a, b| a.total_cmp(b));
        out.push(PageFigures {
            page: name,
            first_ms: first,
            p50_ms: percentile(&times, 50.0),
            p99_ms: percentile(&times, 99.0),
            max_ms: *times.last().unwrap_or(&0.0),
            bytes,
        });
    }
    let peak_rss_mb = server.stop();
    Ok(DeskReport { calls: opts.calls, fill_seconds, db_mb, pages: out, peak_rss_mb, warm_up_seconds })
}

/// `name=value` of the cookie `name` that a response sets.
fn set_cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .and_then(|v| v.split(';').next())
        .map(str::to_string)
}

async fn login(http: &reqwest::Client, base: &str, password: &str) -> anyhow::Result<String> {
    let form = http.get(format!("{base}/desk/login")).send().await?;
    let login_cookie = set_cookie(&form, "burenlijn_login").context("the login page sets its cookie")?;
    let token = login_cookie.trim_start_matches("burenlijn_login=").to_string();
    let done = http
        .post(format!("{base}/desk/login"))
        .header("Cookie", &login_cookie)
        .form(&[("name", "bench"), ("password", password), ("csrf", token.as_str()), ("next", "/desk/now")])
        .send()
        .await?;
    set_cookie(&done, "burenlijn_desk").context("logging in gives a session cookie")
}

impl DeskReport {
    pub fn json(&self) -> serde_json::Value {
        let r = |x: f64| (x * 100.0).round() / 100.0;
        serde_json::json!({
            "calls": self.calls,
            "fill_seconds": r(self.fill_seconds),
            "warm_up_seconds": r(self.warm_up_seconds),
            "db_mb": r(self.db_mb),
            "peak_rss_mb": r(self.peak_rss_mb),
            "pages": self.pages.iter().map(|p| serde_json::json!({
                "page": p.page, "first_ms": r(p.first_ms), "p50_ms": r(p.p50_ms), "p99_ms": r(p.p99_ms), "max_ms": r(p.max_ms), "bytes": p.bytes,
            })).collect::<Vec<_>>(),
        })
    }

    pub fn table(&self) -> String {
        let mut s = format!(
            "Desk pages with {} logged calls (database {:.0} MB, filled in {:.0} s; server peak RSS {:.0} MB)\nmeasured after the server counted two years of figures in advance ({:.1} s after start)\n\n{:<26} {:>10} {:>9} {:>9} {:>9} {:>9}\n",
            self.calls, self.db_mb, self.fill_seconds, self.peak_rss_mb, self.warm_up_seconds, "page", "first ms", "p50 ms", "p99 ms", "max ms", "KB"
        );
        for p in &self.pages {
            s.push_str(&format!(
                "{:<26} {:>10.1} {:>9.1} {:>9.1} {:>9.1} {:>9.1}\n",
                p.page,
                p.first_ms,
                p.p50_ms,
                p.p99_ms,
                p.max_ms,
                p.bytes as f64 / 1024.0
            ));
        }
        let slowest = self.pages.iter().map(|p| p.p99_ms.max(p.first_ms)).fold(0.0, f64::max);
        s.push_str(&format!("\nslowest page (first or p99): {slowest:.1} ms; target: under 100 ms\n"));
        s
    }
}
