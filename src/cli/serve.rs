//! `serve`: the switchboard's web service.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{bail, Context as _};

use super::args::ServeArgs;
use super::{load_plans, runtime};
use crate::clock::{self, Clock, StartedClock, SystemClock};

pub fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let ServeArgs {
        db,
        plans,
        listen,
        public_url,
        insecure_skip_signature: skip_signature,
        retention_months,
        rate_per_source,
        calls_per_second,
    } = args;
    let db = db.db;
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
        let app = crate::web::Application::build(crate::web::ServeConfig { db, neighbourhoods, listen, public_url: public_url.clone(), auth_token, clock, retention_months, rate_per_source, recordings, rest }).await?;
        tracing::info!(address = %app.local_addr(), public_url = %public_url, numbers = %numbers.join(", "), "Burenlijn is listening; Voice URL {}/twilio/voice, status callback {}/twilio/status", public_url.trim_end_matches('/'), public_url.trim_end_matches('/'));
        app.run(crate::web::shutdown_signal()).await
    })?;
    Ok(ExitCode::SUCCESS)
}
