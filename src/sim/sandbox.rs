//! `Sandbox`: the real server on loopback with a fresh (or given) database and a simulated
//! clock, driven by the emulator; with `start_waves`, also the emulator's REST network.

use std::path::PathBuf;
use std::sync::Arc;

use jiff::Timestamp;

use super::emulator::Emulator;
use crate::clock::{Clock, SimClock};
use crate::config::{Neighbourhoods, EXAMPLE_PARTICIPANTS};
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
    /// The held callers' ticks on the simulated clock (Vonage).
    ticker: Option<tokio::task::JoinHandle<()>>,
    _tmp: Option<tempfile::TempDir>,
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(ticker) = self.ticker.take() {
            ticker.abort();
        }
    }
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
        recordings: Option<crate::switchboard::Recordings>,
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
        recordings: Option<crate::switchboard::Recordings>,
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
        // The emulator speaks the wire of the provider the dialplans name.
        let provider = neighbourhoods.provider;
        // On Vonage, the REST API lets a helper who says no go (`serve` requires it there).
        let vonage_rest = if provider == crate::provider::Provider::Vonage {
            Some(super::vonage_rest::VonageRest::start().await?)
        } else {
            None
        };
        let (network, rest) = if let (true, Some(dial_legs)) = (waves, &vonage_rest) {
            // Vonage's REST API on the network's port; dial-mode legs' updates pass through.
            let secret = crate::provider::vonage::jwt::check_startup(Some(&token))?;
            let network = super::vonage_network::start(secret, clock.clone(), dial_legs.clone()).await?;
            let rest = vonage_client(network.api_base.clone())?;
            (Some(network), Some(rest))
        } else if waves {
            use crate::provider::twilio::rest::{RestClient, RestConfig, RestOptions};
            let network = super::network::Network::start(&token).await?;
            let config = RestConfig::new(network.account_sid.clone(), token.clone(), network.api_base.clone())?;
            let options = RestOptions {
                base_backoff: std::time::Duration::from_millis(5),
                calls_per_second: 200.0,
                ..RestOptions::default()
            };
            (Some(network), Some(Arc::new(crate::provider::Client::Twilio(RestClient::new(config, options)?))))
        } else {
            (None, None)
        };
        let rest = match (&vonage_rest, rest) {
            (Some(emulated), None) => Some(vonage_client(emulated.api_base.clone())?),
            (_, rest) => rest,
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
            durability: crate::store::Durability::Full,
            recordings,
            rest,
            created_call_fallback: network.as_deref().map(super::network::created_call_fallback_url),
            connections: Default::default(),
            trusted_proxies: Vec::new(),
        })
        .await?;
        let state = app.state.clone();
        let csv = participants_csv.unwrap_or_else(|| EXAMPLE_PARTICIPANTS.to_string());
        let now = clock.now();
        let st = state.clone();
        tokio::task::spawn_blocking(move || {
            st.switchboard.store.write(|tx| {
                if participants::list(tx)?.is_empty() {
                    let keys = st.switchboard.neighbourhoods.current().keys();
                    let names = st.switchboard.neighbourhoods.current().category_names();
                    let languages = st.switchboard.neighbourhoods.current().language_keys();
                    let known = crate::registry::Known {
                        categories: &categories,
                        neighbourhoods: &keys,
                        names: &names,
                        languages: &languages,
                    };
                    let rows = crate::registry::parse(&csv, &known).map_err(|errs| {
                        anyhow::anyhow!("{}", errs.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n"))
                    })?;
                    for row in &rows {
                        let (id, _) = participants::upsert(tx, &row.details, now)?;
                        for key in row.neighbourhoods.iter().flatten() {
                            participants::join(tx, id, key)?;
                        }
                    }
                }
                // With one neighbourhood, everyone is in it (as at start-up).
                if let Some(key) = st.switchboard.neighbourhoods.current().only() {
                    participants::join_all_without(tx, key)?;
                }
                Ok(())
            })
        })
        .await??;
        let mut emulator = match provider {
            crate::provider::Provider::Twilio => {
                Emulator::new(&state.switchboard.public_url, &token, Some(clock.clone()))?
            }
            crate::provider::Provider::Vonage => {
                let secret = crate::provider::vonage::jwt::check_startup(Some(&token))?;
                Emulator::new_vonage(&state.switchboard.public_url, secret, Some(clock.clone()))?
            }
        };
        emulator.network = network;
        emulator.vonage_rest = vonage_rest;
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(app.run(async {
            let _ = rx.await;
        }));
        // The service ticks held callers' searches every few seconds of its clock
        // (`jobs::tick_held`); its timer runs on real time, which barely passes in a
        // sandbox: here it runs on the simulated clock instead. Only where held callers
        // bring no ticks of their own (Vonage's hold music asks nothing of the service).
        let ticker = (provider == crate::provider::Provider::Vonage).then(|| {
            let (sb, clock) = (state.switchboard.clone(), clock.clone());
            tokio::spawn(async move {
                let every = crate::switchboard::jobs::TICK_HELD_EVERY.as_secs() as i64;
                let mut last = crate::clock::Clock::now(clock.as_ref()).as_second();
                loop {
                    tokio::time::sleep(std::time::Duration::from_millis(2)).await;
                    let now = crate::clock::Clock::now(clock.as_ref()).as_second();
                    if now - last >= every {
                        last = now;
                        let _ = crate::switchboard::jobs::tick_held(sb.clone()).await;
                    }
                }
            })
        });
        // What the service does at start (its first minute job included) runs on the
        // clock as it is now, before anyone moves it.
        for _ in 0..10_000 {
            if state.switchboard.jobs_ready.load(std::sync::atomic::Ordering::SeqCst) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
        Ok(Sandbox { state, clock, emulator, db, shutdown: Some(tx), server: Some(server), ticker, _tmp: tmp })
    }

    pub async fn stop(mut self) -> anyhow::Result<()> {
        if let Some(ticker) = self.ticker.take() {
            ticker.abort();
        }
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
        tokio::task::spawn_blocking(move || st.switchboard.store.read(|c| calls::call_log(c, &sid))).await?
    }
}

/// The service's client of Vonage's REST API at `api_base` (the emulator's), with the test
/// application's key.
fn vonage_client(api_base: url::Url) -> anyhow::Result<Arc<crate::provider::Client>> {
    use crate::provider::vonage::{jwt::ApplicationKey, rest};
    let key =
        ApplicationKey::new(super::vonage_rest::TEST_APPLICATION_ID, super::vonage_rest::TEST_PRIVATE_KEY.as_bytes())?;
    let mut config = rest::RestConfig::new(key, api_base);
    config.backoff = std::time::Duration::from_millis(5);
    Ok(Arc::new(crate::provider::Client::Vonage(rest::RestClient::new(config)?)))
}
