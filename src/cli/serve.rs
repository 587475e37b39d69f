//! `serve`: the switchboard's web service, in two stages. `ServeSettings::from_args`
//! checks the flags and the environment once (every refusal happens there, before
//! anything starts); `run` warns about what is unusual, builds `web::ServeConfig` and
//! serves until Ctrl-C or SIGTERM.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{bail, Context as _};
use jiff::Timestamp;

use super::args::ServeArgs;
use super::runtime;
use super::settings::{PlanDirs, Settings};
use crate::clock::{self, Clock, StartedClock, SystemClock};
use crate::config::Neighbourhoods;
use crate::domain::dialplan::RingMode;
use crate::provider::twilio::rest::{RestClient, RestConfig, RestOptions};
use crate::provider::{Client, Provider};
use crate::switchboard::Recordings;
use crate::web::{Application, ServeConfig};

/// Everything `serve` needs, checked: the flags and the environment
/// (`TWILIO_AUTH_TOKEN`, `TWILIO_ACCOUNT_SID`, `TWILIO_API_BASE`, or for dialplans that
/// speak through Vonage `VONAGE_SIGNATURE_SECRET`, `VONAGE_APPLICATION_ID`,
/// `VONAGE_PRIVATE_KEY`, `VONAGE_API_BASE`; `BURENLIJN_NOW`).
pub struct ServeSettings {
    pub db: PathBuf,
    pub neighbourhoods: Neighbourhoods,
    /// Where the dialplans and prompts were read from, to read them again on SIGHUP.
    pub plans: PlanDirs,
    pub listen: SocketAddr,
    /// An http(s) URL without a query, as given.
    pub public_url: String,
    pub signatures: Signatures,
    /// `BURENLIJN_NOW`: the clock starts there instead of at the system's time.
    pub clock_start: Option<Timestamp>,
    /// Anonymise call details older than this many months, daily; 0 keeps everything.
    pub retention_months: u32,
    /// Webhooks a second from one source; 0: no limit.
    pub rate_per_source: u32,
    /// When a commit is on disk.
    pub durability: crate::switchboard::Durability,
    /// Set when a dialplan rings in waves: helpers are called through the REST API.
    pub waves: Option<WavesSettings>,
    /// The REST API for the desk's voicemail playback; `None` without `TWILIO_ACCOUNT_SID`.
    pub recordings: Option<RestConfig>,
    /// Vonage's REST API (`VONAGE_APPLICATION_ID`, `VONAGE_PRIVATE_KEY`, `VONAGE_API_BASE`)
    /// when the dialplans speak through Vonage and it is set: for the calls the switchboard
    /// places and the voicemail recordings.
    pub vonage_rest: Option<crate::provider::vonage::rest::RestConfig>,
    /// `--created-call-fallback-url`: the `FallbackUrl` of the calls the switchboard creates
    /// (required in waves; in dial mode, for the good-morning round's calls, when given).
    pub created_call_fallback: Option<url::Url>,
    /// `--trusted-proxy`, parsed.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// `--max-connections` and `--header-read-timeout`.
    pub connections: crate::web::server::ConnectionLimits,
}

/// Whether webhooks must carry a valid signature (the provider's secret: `auth_token`).
#[derive(Debug, PartialEq, Eq)]
pub enum Signatures {
    Checked {
        auth_token: String,
    },
    /// `--insecure-skip-signature`: local experiments only.
    NotChecked,
}

/// The REST API that places the helpers' calls when a dialplan rings in waves.
pub struct WavesSettings {
    pub rest: RestConfig,
    pub options: RestOptions,
    /// The `FallbackUrl` of every call the switchboard creates.
    pub created_call_fallback: url::Url,
}

impl ServeSettings {
    /// Checks `serve`'s flags, with the install's settings file and the environment
    /// variables from `env`.
    pub fn from_args(
        args: ServeArgs,
        settings: &Settings,
        env: impl Fn(&str) -> Option<String>,
    ) -> anyhow::Result<ServeSettings> {
        let ServeArgs {
            db,
            plans,
            listen,
            public_url,
            insecure_skip_signature,
            retention_months,
            rate_per_source,
            synchronous,
            calls_per_second,
            created_call_fallback_url,
            trusted_proxies,
            max_connections,
            header_read_timeout,
        } = args;
        let trusted_proxies = trusted_proxies
            .iter()
            .filter(|t| !t.trim().is_empty())
            .map(|t| crate::web::client::parse_trusted(t).map_err(anyhow::Error::msg))
            .collect::<anyhow::Result<Vec<_>>>()?;
        if max_connections == 0 {
            bail!("--max-connections must be at least 1");
        }
        if !(1..=300).contains(&header_read_timeout) {
            bail!("--header-read-timeout must be from 1 to 300 seconds, not {header_read_timeout}");
        }
        let connections = crate::web::server::ConnectionLimits {
            max_connections,
            header_read_timeout: std::time::Duration::from_secs(header_read_timeout),
        };
        let (neighbourhoods, plans) = settings.load_plans_from(plans)?;
        let parsed = url::Url::parse(&public_url)
            .with_context(|| format!("--public-url '{public_url}' is not a URL like https://burenlijn.example.nl"))?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.query().is_some() {
            bail!("--public-url must be an http(s) URL without a query, like https://burenlijn.example.nl");
        }
        let provider = neighbourhoods.provider;
        let signatures = if insecure_skip_signature {
            Signatures::NotChecked
        } else {
            match provider.webhook_secret(&env) {
                Ok(auth_token) => Signatures::Checked { auth_token },
                Err(why) => bail!("{why} (or pass --insecure-skip-signature for a local experiment)"),
            }
        };
        let clock_start = clock::from_lookup(&env)?;
        let in_waves: Vec<String> = neighbourhoods
            .all()
            .filter(|n| n.dialplan.ringing.mode == RingMode::Waves)
            .map(|n| n.dialplan.number.to_string())
            .collect();
        // The fallback of the calls the switchboard creates: required in waves, and used in
        // dial mode too when given (the good-morning round's calls).
        let created_call_fallback = match &created_call_fallback_url {
            Some(fallback) => {
                let url = url::Url::parse(fallback)
                    .ok()
                    .filter(|u| matches!(u.scheme(), "http" | "https"))
                    .with_context(|| format!("--created-call-fallback-url '{fallback}' is not an http(s) URL"))?;
                if url.host_str().is_some() && url.host_str() == parsed.host_str() {
                    tracing::warn!("--created-call-fallback-url is on the same host as --public-url: when this server is down, so is the fallback");
                }
                Some(url)
            }
            None => None,
        };
        let waves = if in_waves.is_empty() {
            None
        } else if provider == Provider::Vonage {
            // Vonage places the helpers' calls with the application's key (required below,
            // for every Vonage install); a created call that fails falls back to the
            // application's own `fallback_answer_url` (docs/connect.md), not a per-call URL.
            None
        } else {
            let rest = match RestConfig::from_lookup(&env) {
                Ok(c) => c,
                Err(e) => bail!("the dialplan for {} rings in waves (ringing.mode = \"waves\"), which places calls through Twilio's REST API, but {e}: set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN, or use mode = \"dial\"", in_waves.join(", ")),
            };
            if !(calls_per_second.is_finite() && calls_per_second > 0.0) {
                bail!("--calls-per-second must be a positive number, not {calls_per_second}");
            }
            // Twilio does not retry a webhook that fails: without a FallbackUrl, a neighbour
            // who picked up while this service restarts would be cut off without a word.
            let Some(created_call_fallback) = created_call_fallback.clone() else {
                bail!("the dialplan for {} rings in waves, so the calls the switchboard makes need a fallback: host a copy of deploy/fallback-created-call.xml on another server and pass its URL with --created-call-fallback-url (or BURENLIJN_CREATED_CALL_FALLBACK_URL)", in_waves.join(", "));
            };
            Some(WavesSettings {
                rest,
                options: RestOptions { calls_per_second, ..Default::default() },
                created_call_fallback,
            })
        };
        // The REST API (voicemail playback in the desk) needs the account SID as well.
        let recordings =
            if provider == Provider::Twilio && env("TWILIO_ACCOUNT_SID").is_some_and(|v| !v.trim().is_empty()) {
                Some(RestConfig::from_lookup(&env)?)
            } else {
                None
            };
        let vonage_rest = match provider {
            Provider::Vonage => {
                crate::provider::vonage::rest::RestConfig::from_lookup(&env).map_err(anyhow::Error::msg)?
            }
            Provider::Twilio => None,
        };
        // Issue 30: on Vonage, a helper's whisper that ends joins the helper to the caller
        // (`onAnswer`, docs/vonage-facts.md "Gaps"): a helper who says no is let go by ending
        // their call through the REST API. Without it, a no would be put through.
        if provider == Provider::Vonage && vonage_rest.is_none() {
            bail!("ringing through Vonage needs VONAGE_APPLICATION_ID and VONAGE_PRIVATE_KEY: a helper who says no is let go by ending their call through Vonage's REST API; without it they would be put through to the caller (docs/connect.md, \"Vonage\")");
        }
        Ok(ServeSettings {
            vonage_rest,
            db: settings.db(db),
            neighbourhoods,
            plans,
            listen,
            public_url,
            signatures,
            clock_start,
            retention_months,
            rate_per_source,
            durability: synchronous.durability(),
            waves,
            recordings,
            created_call_fallback,
            trusted_proxies,
            connections,
        })
    }
}

/// Serves until Ctrl-C or SIGTERM, then lets the requests in flight finish.
pub fn run(settings: ServeSettings) -> anyhow::Result<ExitCode> {
    let ServeSettings {
        db,
        neighbourhoods,
        plans,
        listen,
        public_url,
        signatures,
        clock_start,
        retention_months,
        rate_per_source,
        durability,
        waves,
        recordings,
        vonage_rest,
        created_call_fallback: dial_fallback,
        trusted_proxies,
        connections,
    } = settings;
    let auth_token = match signatures {
        Signatures::Checked { auth_token } => Some(auth_token),
        Signatures::NotChecked => {
            tracing::warn!("--insecure-skip-signature: webhooks are NOT checked; anyone who can reach this port can change calls. Never use this on a real number");
            eprintln!(
                "WARNING: --insecure-skip-signature: webhook signatures are not checked. Never use this on a real number."
            );
            None
        }
    };
    let clock: Arc<dyn Clock> = match clock_start {
        Some(start) => {
            tracing::warn!(%start, "BURENLIJN_NOW is set: the clock starts there (tests and demos only)");
            Arc::new(StartedClock::new(start))
        }
        None => Arc::new(SystemClock),
    };
    let (rest, created_call_fallback) = match waves {
        Some(WavesSettings { rest, options, created_call_fallback }) => {
            (Some(Arc::new(Client::Twilio(RestClient::new(rest, options)?))), Some(created_call_fallback))
        }
        // Ringing by `<Dial>`: the REST API still places the good-morning round's calls,
        // with the account's credentials when they are set.
        None => (
            recordings
                .clone()
                .map(|c| RestClient::new(c, Default::default()))
                .transpose()?
                .map(|c| Arc::new(Client::Twilio(c))),
            dial_fallback,
        ),
    };
    let vonage = |config: crate::provider::vonage::rest::RestConfig| -> anyhow::Result<Client> {
        Ok(Client::Vonage(crate::provider::vonage::rest::RestClient::new(config)?))
    };
    let rest = match &vonage_rest {
        Some(config) => Some(Arc::new(vonage(config.clone())?)),
        None => rest,
    };
    let recordings = match (recordings, vonage_rest) {
        (_, Some(config)) => Some(Recordings(vonage(config)?)),
        (Some(config), None) => Some(Recordings(Client::Twilio(RestClient::new(config, Default::default())?))),
        (None, None) => {
            tracing::warn!(
                "{} is not set: the desk cannot play voicemail messages",
                neighbourhoods.provider.account_setting()
            );
            None
        }
    };
    let prefix = neighbourhoods.provider.path_prefix();
    let numbers: Vec<String> =
        neighbourhoods.all().map(|n| format!("{} ({})", n.dialplan.number, n.dialplan.name)).collect();
    let config = ServeConfig {
        db,
        neighbourhoods,
        listen,
        public_url: public_url.clone(),
        auth_token,
        clock,
        retention_months,
        rate_per_source,
        durability,
        recordings,
        rest,
        created_call_fallback,
        connections,
        trusted_proxies,
    };
    runtime()?.block_on(async move {
        let app = Application::build(config).await?;
        let base = public_url.trim_end_matches('/');
        tracing::info!(address = %app.local_addr(), public_url = %public_url, numbers = %numbers.join(", "), "Burenlijn is listening; Voice URL {base}/{prefix}/voice, status callback {base}/{prefix}/status");
        tokio::spawn(reload_on_sighup(app.state.clone(), plans));
        app.run(crate::web::shutdown_signal()).await
    })?;
    Ok(ExitCode::SUCCESS)
}

/// SIGHUP (`systemctl reload`): the dialplans and prompts are read and checked again; when
/// they are all good they are served from then on, otherwise every problem is logged with
/// its file, line and field, and the ones being served stay.
async fn reload_on_sighup(state: Arc<crate::web::AppState>, plans: PlanDirs) {
    use tokio::signal::unix::{signal, SignalKind};
    let mut hangups = match signal(SignalKind::hangup()) {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = %e, "cannot listen for SIGHUP: dialplans are only read at start");
            return;
        }
    };
    while hangups.recv().await.is_some() {
        let dirs = plans.clone();
        let loaded = tokio::task::spawn_blocking(move || dirs.load()).await;
        let outcome = match loaded {
            Ok(Ok(neighbourhoods)) => {
                let numbers: Vec<String> =
                    neighbourhoods.all().map(|n| format!("{} ({})", n.dialplan.number, n.key)).collect();
                crate::web::reload(&state, neighbourhoods).await.map(|()| numbers)
            }
            Ok(Err(e)) => Err(e),
            Err(e) => Err(e.into()),
        };
        match outcome {
            Ok(numbers) => tracing::info!(numbers = %numbers.join(", "), "dialplans and prompts read again"),
            Err(e) => tracing::error!(error = %e, "dialplans not read again: the ones being served stay"),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use clap::Parser as _;

    use super::*;
    use crate::cli::args::{Cli, Command};

    const SID: &str = "AC0123456789abcdef0123456789abcdef";

    /// `serve` with these flags (besides `--public-url` when not given) and environment.
    fn settings(flags: &[&str], env: &[(&str, &str)]) -> anyhow::Result<ServeSettings> {
        let mut argv = vec!["burenlijn", "serve"];
        if !flags.contains(&"--public-url") {
            argv.extend(["--public-url", "https://burenlijn.example.nl"]);
        }
        argv.extend(flags);
        let Command::Serve(args) = Cli::try_parse_from(argv)?.command else { unreachable!("parsed as serve") };
        let env: HashMap<String, String> = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        ServeSettings::from_args(args, &Settings::none(), |name| env.get(name).cloned())
    }

    fn refusal(flags: &[&str], env: &[(&str, &str)]) -> String {
        match settings(flags, env) {
            Ok(_) => panic!("serve {flags:?} with {env:?} was accepted"),
            Err(e) => format!("{e:#}"),
        }
    }

    /// A folder with the example dialplan rung in waves.
    fn waves_plans() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("buurt.toml"), crate::config::example_dialplan_in_waves()).unwrap();
        dir
    }

    #[test]
    fn refusals_name_the_flag_or_variable() {
        let token = [("TWILIO_AUTH_TOKEN", "t")];
        assert_eq!(
            refusal(&["--public-url", "burenlijn.example.nl"], &token),
            "--public-url 'burenlijn.example.nl' is not a URL like https://burenlijn.example.nl: relative URL without a base"
        );
        for url in ["ftp://burenlijn.example.nl", "https://burenlijn.example.nl/?x=1"] {
            assert_eq!(
                refusal(&["--public-url", url], &token),
                "--public-url must be an http(s) URL without a query, like https://burenlijn.example.nl"
            );
        }
        assert_eq!(refusal(&[], &[("TWILIO_AUTH_TOKEN", "")]), "TWILIO_AUTH_TOKEN is not set: it is needed to check that webhooks come from Twilio (or pass --insecure-skip-signature for a local experiment)");
        assert!(refusal(&[], &[("TWILIO_AUTH_TOKEN", "t"), ("BURENLIJN_NOW", "tomorrow")])
            .starts_with("BURENLIJN_NOW='tomorrow' is not an RFC 3339 time"));
        assert_eq!(
            refusal(&[], &[("TWILIO_AUTH_TOKEN", "t"), ("TWILIO_ACCOUNT_SID", "AC1")]),
            "TWILIO_ACCOUNT_SID is not valid: expected AC followed by 32 hexadecimal digits"
        );
    }

    #[test]
    fn ringing_in_waves_needs_the_rest_api_and_a_positive_pace() {
        let plans = waves_plans();
        let dialplans = plans.path().to_str().unwrap();
        assert_eq!(
            refusal(&["--dialplans", dialplans], &[("TWILIO_AUTH_TOKEN", "t")]),
            "the dialplan for +31850000000 rings in waves (ringing.mode = \"waves\"), which places calls through Twilio's REST API, but TWILIO_ACCOUNT_SID is not set: set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN, or use mode = \"dial\""
        );
        let env = [("TWILIO_AUTH_TOKEN", "t"), ("TWILIO_ACCOUNT_SID", SID)];
        for pace in ["0", "-1", "NaN", "inf"] {
            assert_eq!(
                refusal(&["--dialplans", dialplans, &format!("--calls-per-second={pace}")], &env),
                format!("--calls-per-second must be a positive number, not {}", pace.parse::<f64>().unwrap())
            );
        }
        assert!(refusal(&["--dialplans", dialplans], &env).contains("pass its URL with --created-call-fallback-url"));
        let fallback = ["--created-call-fallback-url", "https://elsewhere.example/fallback-created-call.xml"];
        assert_eq!(
            refusal(&["--dialplans", dialplans, "--created-call-fallback-url", "elsewhere"], &env),
            "--created-call-fallback-url 'elsewhere' is not an http(s) URL"
        );
        let s = settings(&[&["--dialplans", dialplans, "--calls-per-second", "2.5"][..], &fallback].concat(), &env)
            .unwrap();
        assert_eq!(s.waves.as_ref().map(|w| w.options.calls_per_second), Some(2.5));
        assert_eq!(
            s.waves.map(|w| w.created_call_fallback.to_string()),
            Some("https://elsewhere.example/fallback-created-call.xml".to_string())
        );
        assert!(s.recordings.is_some(), "the same credentials play voicemail");
    }

    /// The shipped unit trusts Caddy on the same machine, and its connection limit stays
    /// below its open-file limit.
    #[test]
    fn the_shipped_unit_trusts_its_proxy_and_keeps_connections_below_its_file_limit() {
        let unit = include_str!("../../deploy/burenlijn.service");
        let exec: String = unit
            .lines()
            .skip_while(|l| !l.starts_with("ExecStart="))
            .take_while(|l| l.starts_with("ExecStart=") || l.starts_with("    "))
            .map(|l| l.trim_start_matches("ExecStart=").trim_end_matches('\\'))
            .collect::<Vec<_>>()
            .join(" ");
        let argv: Vec<&str> = std::iter::once("burenlijn").chain(exec.split_whitespace().skip(1)).collect();
        let Command::Serve(args) = Cli::try_parse_from(&argv).unwrap().command else { panic!("{argv:?}") };
        assert_eq!(args.trusted_proxies, ["127.0.0.1"]);
        // Issue 26: the unit names the settings file every other command finds by default,
        // and that file (deploy/burenlijn.toml) holds the install's paths.
        let cli = Cli::try_parse_from(&argv).unwrap();
        assert_eq!(cli.config.as_deref(), Some(std::path::Path::new(super::super::settings::DEFAULT_FILE)));
        let shipped = Settings::parse(include_str!("../../deploy/burenlijn.toml"), cli.config.as_deref().unwrap())
            .expect("deploy/burenlijn.toml is a valid settings file");
        assert_eq!(shipped.db(args.db.clone()), PathBuf::from("/var/lib/burenlijn/burenlijn.db"));
        assert_eq!(
            shipped.plan_dirs(args.plans.clone()),
            PlanDirs {
                dialplans: Some("/etc/burenlijn/dialplans".into()),
                prompts: Some("/etc/burenlijn/prompts".into())
            }
        );
        let files: usize = unit.lines().find_map(|l| l.strip_prefix("LimitNOFILE=")).unwrap().parse().unwrap();
        assert!(args.max_connections + 64 <= files, "{} connections, {files} files", args.max_connections);
        assert!(unit.contains("MemoryMax=256M"));
    }

    #[test]
    fn a_trusted_proxy_is_an_address_or_a_network() {
        assert_eq!(
            refusal(&["--trusted-proxy", "caddy"], &[("TWILIO_AUTH_TOKEN", "t")]),
            "--trusted-proxy 'caddy' is not an address or network like 127.0.0.1 or 10.0.0.0/8"
        );
        let s = settings(&["--trusted-proxy", "127.0.0.1,10.0.0.0/8"], &[("TWILIO_AUTH_TOKEN", "t")]).unwrap();
        assert_eq!(s.trusted_proxies.iter().map(|n| n.to_string()).collect::<Vec<_>>(), ["127.0.0.1/32", "10.0.0.0/8"]);
        assert!(
            refusal(&["--header-read-timeout", "0"], &[("TWILIO_AUTH_TOKEN", "t")]).contains("from 1 to 300 seconds")
        );
        assert_eq!(
            refusal(&["--max-connections", "0"], &[("TWILIO_AUTH_TOKEN", "t")]),
            "--max-connections must be at least 1"
        );
    }

    #[test]
    fn the_pace_is_not_checked_when_nothing_rings_in_waves() {
        let s = settings(&["--calls-per-second", "0"], &[("TWILIO_AUTH_TOKEN", "t")]).unwrap();
        assert!(s.waves.is_none() && s.recordings.is_none() && s.clock_start.is_none());
        assert_eq!(s.signatures, Signatures::Checked { auth_token: "t".into() });
    }

    #[test]
    fn skipping_signatures_ignores_a_token_and_the_clock_can_start_elsewhere() {
        let env = [("TWILIO_AUTH_TOKEN", "t"), ("BURENLIJN_NOW", "2026-11-24T10:15:00+01:00")];
        let s = settings(&["--insecure-skip-signature"], &env).unwrap();
        assert_eq!(s.signatures, Signatures::NotChecked);
        assert_eq!(s.clock_start, Some("2026-11-24T09:15:00Z".parse().unwrap()));
        assert_eq!(settings(&["--insecure-skip-signature"], &[]).unwrap().signatures, Signatures::NotChecked);
    }
}
