//! The desk's use cases: what a coordinator, a desk account, the command line or a
//! participant by phone may see and change in the register, the follow-ups, the calls and
//! the good-morning round. Each use case takes its context (`Act`: the connection, who
//! acts with what they may see, and the clock read once), filters by the account's
//! `Scope` in the query itself, and writes its own audit entry. `web::desk` and `cli` call
//! these and never `store`.

use std::sync::Arc;

use jiff::Timestamp;
use rusqlite::Connection;

pub use crate::domain::audit::Actor;
use crate::domain::audit::AuditAction;
pub use crate::store::scope::Scope;

use super::Switchboard;

pub mod accounts;
pub mod calls;
pub mod figures;
pub mod follow_up;
pub mod now;
pub mod participants;
pub mod round;
pub mod sessions;

/// The read models the desk's pages show.
pub use crate::store::calls::{CallLog, CallRow, LogEntry};
pub use crate::store::desk::{CallDetail, CallFilter, Closed, FollowUp, Note, StepRow, Urgent};

/// Who acts, and what they may see.
#[derive(Clone, Debug)]
pub struct Acting {
    pub actor: Actor,
    pub scope: Scope,
}

impl Acting {
    /// The command line on the server: sees everything.
    pub fn command_line() -> Acting {
        Acting { actor: Actor::CommandLine, scope: Scope::all() }
    }

    /// A desk account, limited to its scope.
    pub fn account(name: &str, scope: Scope) -> Acting {
        Acting { actor: Actor::Account(name.to_string()), scope }
    }
}

/// One desk use case's context: the connection (a transaction when it writes), who acts,
/// and the clock read once for the whole use case.
pub struct Act<'a> {
    pub conn: &'a Connection,
    pub who: &'a Acting,
    pub now: Timestamp,
}

impl Act<'_> {
    pub fn scope(&self) -> &Scope {
        &self.who.scope
    }

    /// Writes one audit entry in this transaction, in the name of who acts.
    pub fn audit(&self, action: &AuditAction, participant: Option<i64>) -> anyhow::Result<()> {
        crate::store::accounts::audit(self.conn, self.now, self.who.actor.as_str(), action, participant)
    }
}

/// Runs a reading use case on a read-only connection of its own, off the async runtime.
pub async fn read<T: Send + 'static>(
    sb: &Switchboard,
    who: Acting,
    f: impl FnOnce(&Act<'_>) -> anyhow::Result<T> + Send + 'static,
) -> anyhow::Result<T> {
    let store = Arc::clone(&sb.store);
    let now = sb.clock.now();
    tokio::task::spawn_blocking(move || store.read_only(|conn| f(&Act { conn, who: &who, now }))).await?
}

/// Runs a changing use case in one transaction on the store's worker (the same queue as
/// the webhooks).
pub async fn write<T: Send + 'static>(
    sb: &Switchboard,
    who: Acting,
    f: impl FnOnce(&Act<'_>) -> anyhow::Result<T> + Send + 'static,
) -> anyhow::Result<T> {
    let now = sb.clock.now();
    sb.worker.run(move |store| store.write(|tx| f(&Act { conn: tx, who: &who, now }))).await?
}

/// The same, for the command line: straight on the store, on this thread.
pub fn write_here<T>(
    store: &crate::store::Store,
    who: &Acting,
    now: Timestamp,
    f: impl FnOnce(&Act<'_>) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    store.write(|tx| f(&Act { conn: tx, who, now }))
}

/// The same as `write_here`, reading.
pub fn read_here<T>(
    store: &crate::store::Store,
    who: &Acting,
    now: Timestamp,
    f: impl FnOnce(&Act<'_>) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    store.read(|conn| f(&Act { conn, who, now }))
}
