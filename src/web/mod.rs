//! The HTTP service: router, shared state, start and graceful shutdown.
//!
//! Axum only: it checks and parses each webhook (through `provider`) and hands it to
//! `switchboard::webhooks::answer`; the desk's pages call the switchboard's use cases.

pub mod client;
pub mod desk;
mod limits;
mod metrics;
pub mod server;
mod webhooks;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use tokio::net::TcpListener;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

use crate::clock::Clock;
use crate::config::Neighbourhoods;
use crate::switchboard::{Durability, Recordings, Settings, Store, Switchboard};

/// Everything `serve` needs, validated.
pub struct ServeConfig {
    pub db: PathBuf,
    pub neighbourhoods: Neighbourhoods,
    pub listen: SocketAddr,
    /// The URL the provider uses to reach this service, without a trailing slash. Empty means
    /// `http://` and the bound address (for local simulations).
    pub public_url: String,
    /// `None` only with `--insecure-skip-signature`.
    pub auth_token: Option<String>,
    pub clock: Arc<dyn Clock>,
    /// Anonymise call details older than this many months, daily; 0 keeps everything.
    pub retention_months: u32,
    /// Webhooks with a failed signature a second from one source (every webhook, when
    /// signatures are not checked); 0: no limit.
    pub rate_per_source: u32,
    /// When a commit is on disk (`--synchronous`).
    pub durability: Durability,
    /// The provider's REST API, for fetching voicemail recordings into the database and
    /// deleting them (and call records) at the provider; `None` without credentials.
    pub recordings: Option<Recordings>,
    /// The provider's REST API for ringing in waves; `None` without credentials (then
    /// only `dial` mode works).
    pub rest: Option<Arc<crate::provider::Client>>,
    /// The `FallbackUrl` of every call the service creates: a static document hosted
    /// elsewhere (`deploy/fallback-created-call.xml`), so that a neighbour or resident
    /// whose webhook fails is thanked instead of cut off.
    pub created_call_fallback: Option<url::Url>,
    /// How many connections at once, and how long one may take to send its headers.
    pub connections: server::ConnectionLimits,
    /// Proxies whose `X-Forwarded-For` names the client (`--trusted-proxy`).
    pub trusted_proxies: Vec<ipnet::IpNet>,
}

/// What the HTTP side shares: the switchboard's use cases, and what only the web needs
/// (the signature key, the rate limit, metrics, the desk's state).
pub struct AppState {
    pub switchboard: Arc<Switchboard>,
    /// `None` only with `--insecure-skip-signature`.
    pub auth_token: Option<String>,
    pub metrics: metrics::Metrics,
    pub rate_limit: limits::RateLimit,
    /// Proxies whose `X-Forwarded-For` names the client (`--trusted-proxy`).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    pub desk: desk::DeskState,
}

pub struct Application {
    listener: TcpListener,
    router: Router,
    connections: server::ConnectionLimits,
    pub state: Arc<AppState>,
}

impl Application {
    /// Opens the database and binds the port (port 0 picks a free one).
    pub async fn build(config: ServeConfig) -> anyhow::Result<Application> {
        let (db, durability) = (config.db.clone(), config.durability);
        let (store, neighbourhoods) = tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
            let store = Arc::new(Store::open_with(&db, durability)?);
            crate::switchboard::memberships::settle(&store, &config.neighbourhoods)?;
            Store::start_checkpointer(&store, &db)?;
            Ok((store, config.neighbourhoods))
        })
        .await??;
        let listener =
            TcpListener::bind(config.listen).await.with_context(|| format!("cannot listen on {}", config.listen))?;
        let public_url = match config.public_url.trim_end_matches('/') {
            "" => format!("http://{}", listener.local_addr()?),
            url => url.to_string(),
        };
        let desk = desk::DeskState::new(&neighbourhoods, &public_url);
        let switchboard = Arc::new(Switchboard::new(
            store,
            Settings {
                neighbourhoods,
                public_url,
                clock: config.clock,
                retention_months: config.retention_months,
                rest: config.rest,
                recordings: config.recordings,
                created_call_fallback: config.created_call_fallback,
            },
        ));
        let state = Arc::new(AppState {
            switchboard,
            auth_token: config.auth_token,
            metrics: metrics::Metrics::default(),
            rate_limit: limits::RateLimit::new(config.rate_per_source),
            trusted_proxies: config.trusted_proxies,
            desk,
        });
        // Every provider's webhooks under its own prefix (`/{prefix}/{endpoint}`); those of a
        // provider the dialplans do not name are refused (`webhooks::webhook`).
        let webhooks = crate::provider::Provider::ALL
            .into_iter()
            .fold(Router::new(), |router, provider| {
                let handler =
                    move |state, peer, endpoint, received| webhooks::webhook(state, peer, endpoint, received, provider);
                let methods = if provider.answers_by_get() { get(handler).post(handler) } else { post(handler) };
                router.route(&format!("/{}/{{endpoint}}", provider.path_prefix()), methods)
            })
            .layer(RequestBodyLimitLayer::new(64 * 1024));
        let desk = desk::router().layer(axum::extract::DefaultBodyLimit::max(4 * 1024 * 1024));
        let router = Router::new()
            .merge(webhooks)
            .merge(desk)
            .route("/audio/where/{token}", get(where_to))
            .route("/audio/{language}/{file}", get(audio))
            .route("/healthz", get(healthz))
            .route("/metrics", get(metrics_page))
            .layer(TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, Duration::from_secs(10)))
            .with_state(state.clone());
        Ok(Application { listener, router, connections: config.connections.within_open_file_limit(), state })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("a bound listener has an address")
    }

    /// Serves until `shutdown` resolves, then lets in-flight requests finish. Calls whose
    /// end was never reported are closed at start and every ten minutes.
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        for note in machinery_notes(&self.state) {
            tracing::warn!("{note} (also on /healthz)");
        }
        let jobs = crate::switchboard::jobs::start(self.state.switchboard.clone()).await;
        tokio::spawn(desk::figures::warm(self.state.clone()));
        let state = self.state.clone();
        let sessions = tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_secs(600));
            loop {
                every.tick().await;
                let st = state.clone();
                if let Ok(Err(e)) | Err(e) = state.switchboard.worker.run(move |_| desk::purge_sessions(&st)).await {
                    tracing::error!(error = %e, "removing expired desk sessions failed");
                }
            }
        });
        let served =
            server::serve(self.listener, self.router, self.connections, Duration::from_secs(15), shutdown).await;
        sessions.abort();
        drop(jobs);
        served?;
        Ok(())
    }
}

/// What cannot work as the service was started, for whoever runs the server (`/healthz`
/// and the log at start); the desk's pages say it in the desk's own words.
pub fn machinery_notes(state: &AppState) -> Vec<String> {
    let mut notes = Vec::new();
    if state.switchboard.provider_api().is_none() {
        let provider = state.switchboard.provider();
        let (title, credentials) = (provider.title(), provider.credentials());
        notes.push(format!("without {title}'s REST API ({credentials}): voicemails and messages stay at {title}; waves, call-backs, the good-morning round and confirming changes by phone cannot call"));
    }
    notes
}

async fn healthz(State(state): State<Arc<AppState>>) -> Response {
    let ok = state.switchboard.worker.run(crate::switchboard::desk::now::ping).await;
    match ok {
        Ok(Ok(true)) => {
            let mut body = String::from("ok\n");
            for note in machinery_notes(&state) {
                body.push_str(&note);
                body.push('\n');
            }
            (StatusCode::OK, body).into_response()
        }
        _ => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n").into_response(),
    }
}

async fn metrics_page(State(state): State<Arc<AppState>>) -> Response {
    let st = state.clone();
    let counts = state
        .switchboard
        .worker
        .run(move |_| crate::switchboard::desk::now::health_counts(&st.switchboard.store))
        .await;
    match counts {
        Ok(Ok(((calls, attempts, open), jobs))) => {
            let mut text = state.metrics.render(&calls, &attempts, open);
            text.push_str("# HELP burenlijn_provider_jobs Requests the provider still has to get (fetch a voicemail or a \"where to\", delete a recording or a call record), and how many of them have failed before.\n# TYPE burenlijn_provider_jobs gauge\n");
            for (kind, waiting, failing) in jobs {
                let kind = kind.as_str();
                text.push_str(&format!("burenlijn_provider_jobs{{kind=\"{kind}\",state=\"waiting\"}} {waiting}\nburenlijn_provider_jobs{{kind=\"{kind}\",state=\"failed_before\"}} {failing}\n"));
            }
            let ready = state.desk.figures_ready.load(std::sync::atomic::Ordering::Relaxed) as u8;
            text.push_str(&format!("# HELP burenlijn_desk_figures_ready 1 when the figures counted in advance at start are ready.\n# TYPE burenlijn_desk_figures_ready gauge\nburenlijn_desk_figures_ready {ready}\n"));
            ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response()
        }
        _ => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n").into_response(),
    }
}

/// A planned request's "where to" (issue 28), from our own copy, fetched by the provider
/// for `<Play>` to a helper who is asked or reminded. The token (128 random bits) is the
/// authorisation: it is in no URL but the documents of those calls, and it is served only
/// while the request is to come; anything else is 404. Never cached.
async fn where_to(State(state): State<Arc<AppState>>, Path(token): Path<String>) -> Response {
    match crate::switchboard::where_to::audio(&state.switchboard, token).await {
        Ok(Some((content_type, audio))) => {
            ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "no-store".to_string())], audio)
                .into_response()
        }
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => {
            tracing::error!(error = %e, "reading a \"where to\" failed");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}

/// Recorded prompts, fetched by the provider for `<Play>`.
async fn audio(State(state): State<Arc<AppState>>, Path((language, file)): Path<(String, String)>) -> Response {
    let safe = |s: &str| {
        !s.is_empty()
            && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.')
            && !s.starts_with('.')
    };
    let Some(dir) = state.switchboard.neighbourhoods.current().audio_dir.clone() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if !safe(&language) || !safe(&file) || !file.ends_with(".mp3") {
        return StatusCode::NOT_FOUND.into_response();
    }
    match tokio::fs::read(dir.join(language).join(file)).await {
        Ok(bytes) => ([(header::CONTENT_TYPE, "audio/mpeg")], bytes).into_response(),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

/// Puts dialplans and prompts read again in place of the ones being served (`serve` on
/// SIGHUP), after the checks of start-up: the provider stays the one it started with, a dialplan that rings in waves needs the REST
/// API `serve` was started with, and with several neighbourhoods nobody may belong to
/// none. On an error nothing changes, and the ones being served stay. Calls already under
/// way finish with the dialplan they started with.
pub async fn reload(state: &AppState, neighbourhoods: crate::config::Neighbourhoods) -> anyhow::Result<()> {
    use crate::domain::dialplan::RingMode;
    let sb = &state.switchboard;
    let in_waves: Vec<String> = neighbourhoods
        .all()
        .filter(|n| n.dialplan.ringing.mode == RingMode::Waves)
        .map(|n| n.dialplan.number.to_string())
        .collect();
    let provider = sb.provider();
    if neighbourhoods.provider != provider {
        anyhow::bail!(
            "the dialplans name provider '{}', but this service speaks through '{}': start it again to change provider",
            neighbourhoods.provider.name(),
            provider.name()
        );
    }
    if sb.rest.is_none() && !in_waves.is_empty() {
        anyhow::bail!(
            "the dialplan for {} rings in waves, but this service was started without {}'s REST API: start it again with {} and --created-call-fallback-url",
            in_waves.join(", "),
            provider.title(),
            provider.account_setting()
        );
    }
    let neighbourhoods = Arc::new(neighbourhoods);
    let checked = neighbourhoods.clone();
    sb.worker.run(move |store| crate::switchboard::memberships::settle(store, &checked)).await??;
    state.desk.reload(&neighbourhoods);
    sb.neighbourhoods.replace(neighbourhoods);
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
