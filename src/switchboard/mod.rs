//! The application layer: the switchboard's use cases, between `web` (which only speaks
//! HTTP) and `store` (which only speaks SQL).
//!
//! Each webhook is one transaction script (`webhooks::answer`): load the call, run the
//! pure model (`domain::call::step`, and for a search in waves `domain::waves::step`),
//! store what changed, render the reply through `provider`, and only after the commit tell
//! the provider what was decided (`dispatch`). The background jobs (closing calls whose
//! end was lost, due call-backs, anonymising, the provider's jobs) live in `jobs`.

mod agenda;
mod ahead;
pub mod callbacks;
mod commands;
pub mod confirm;
pub mod desk;
pub mod dispatch;
pub mod jobs;
pub mod logins;
pub mod memberships;
pub mod planned;
pub mod provider_jobs;
pub mod register;
pub mod round;
mod step;
#[cfg(test)]
mod test_support;
mod tx;
pub mod upkeep;
mod waves;
pub mod webhooks;
pub mod where_to;

use std::sync::Arc;

use crate::clock::Clock;
use crate::config::{LiveNeighbourhoods, Neighbourhoods};
use crate::provider::{Client, Provider};
use crate::store::Worker;

/// The provider's REST API with the account's credentials, for fetching voicemails into
/// our own storage and deleting them (and call records) there (`provider_jobs`); the
/// browser only ever talks to us. The same account as ringing in waves, or only this.
pub struct Recordings(pub Client);

/// What the use cases need, shared by every request and job.
pub struct Switchboard {
    pub store: Arc<Store>,
    /// The thread that runs all database work of the service.
    pub worker: Worker,
    /// The dialplans and prompts being served (read again on SIGHUP).
    pub neighbourhoods: LiveNeighbourhoods,
    /// The URL the provider uses to reach this service, without a trailing slash.
    pub public_url: String,
    pub clock: Arc<dyn Clock>,
    /// Anonymise call details older than this many months, daily; 0 keeps everything.
    pub retention_months: u32,
    /// Each call that changed, for the desk's live Now page.
    pub changes: tokio::sync::broadcast::Sender<String>,
    /// The provider's REST API for ringing in waves and for the good-morning round's calls;
    /// `None` without credentials.
    pub rest: Option<Arc<Client>>,
    pub recordings: Option<Recordings>,
    /// The `FallbackUrl` of every call the service creates.
    pub created_call_fallback: Option<url::Url>,
    /// Wakes the runner of the provider jobs: something was queued.
    pub provider_jobs: tokio::sync::Notify,
    /// When this process started serving: what was stored before may have been followed
    /// by reports the provider sent while no process was listening.
    pub started_at: jiff::Timestamp,
    /// The jobs at start are done and the minute job has run once (the due call-backs and
    /// rounds at start): a harness moving a simulated clock waits for this first.
    pub jobs_ready: std::sync::atomic::AtomicBool,
}

/// What a `Switchboard` is made of, apart from its store.
pub struct Settings {
    pub neighbourhoods: Neighbourhoods,
    pub public_url: String,
    pub clock: Arc<dyn Clock>,
    pub retention_months: u32,
    pub rest: Option<Arc<Client>>,
    pub recordings: Option<Recordings>,
    pub created_call_fallback: Option<url::Url>,
}

impl Switchboard {
    pub fn new(store: Arc<Store>, settings: Settings) -> Switchboard {
        Switchboard {
            worker: Worker::start(store.clone()),
            store,
            neighbourhoods: LiveNeighbourhoods::new(settings.neighbourhoods),
            public_url: settings.public_url,
            started_at: settings.clock.now(),
            clock: settings.clock,
            retention_months: settings.retention_months,
            changes: tokio::sync::broadcast::channel(256).0,
            rest: settings.rest,
            recordings: settings.recordings,
            created_call_fallback: settings.created_call_fallback,
            provider_jobs: tokio::sync::Notify::new(),
            jobs_ready: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// The provider's REST API for recordings and deletes: the recordings client, or else
    /// the one that rings in waves (the same account).
    pub fn provider_api(&self) -> Option<&Client> {
        self.recordings.as_ref().map(|r| &r.0).or(self.rest.as_deref())
    }

    /// The voice provider the install speaks through (every dialplan names the same).
    pub fn provider(&self) -> Provider {
        self.neighbourhoods.current().provider
    }
}

/// The database the service opens (at start, for `web` and `cli`), and when a commit is on disk.
pub use crate::store::{Durability, Store};
pub use callbacks::start_due_callbacks;
