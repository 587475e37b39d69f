//! A desk session from its cookie: whether it still holds (the account enabled, opened a
//! page within `IDLE_SECONDS`, logged in within `MAX_SESSION_SECONDS`), what the account
//! may see (`scope_of`), and the sweep of sessions that no longer hold.

use std::sync::Arc;

use jiff::Timestamp;

use super::{Act, Acting, Scope};
use crate::config::Neighbourhoods;
use crate::store::accounts::{self, Session, User};
use crate::switchboard::Switchboard;

/// A session ends after this long without a page being opened ...
pub const IDLE_SECONDS: i64 = 2 * 60 * 60;
/// ... and at the latest this long after logging in.
pub const MAX_SESSION_SECONDS: i64 = 12 * 60 * 60;

/// Whether a session still holds at `now`.
pub fn holds(session: &Session, now: Timestamp) -> bool {
    let now = now.as_second();
    !session.user.disabled
        && now - session.last_seen_at <= IDLE_SECONDS
        && now - session.created_at <= MAX_SESSION_SECONDS
}

/// What an account may see: with no neighbourhoods of its own, all of them; otherwise its
/// own (their keys, and the numbers their dialplans have now, for what was stored without
/// a neighbourhood).
pub fn scope_of(user: &User, hoods: &Neighbourhoods) -> Scope {
    if user.neighbourhoods.is_empty() {
        return Scope::all();
    }
    let numbers = user
        .neighbourhoods
        .iter()
        .filter_map(|k| hoods.by_key(k))
        .map(|h| h.dialplan.number.as_str().to_string())
        .collect();
    Scope::only(user.neighbourhoods.clone(), numbers)
}

/// A session found by its token's hash.
pub enum Resumed {
    /// No such session: never logged in, or logged out.
    Unknown,
    /// It was there but no longer holds; it is gone now.
    Expired,
    Holds(Box<Holding>),
}

/// A session that holds, with what its account may see and its open follow-ups.
pub struct Holding {
    pub session: Session,
    pub scope: Scope,
    pub open_follow_ups: i64,
}

/// Finds the session, ends it when it no longer holds, and notes that it was used (at
/// most once a minute, to spare the writer).
pub async fn resume(sb: &Switchboard, token_hash: &str) -> anyhow::Result<Resumed> {
    let now = sb.clock.now();
    let hoods = sb.neighbourhoods.current();
    let store = Arc::clone(&sb.store);
    let h = token_hash.to_string();
    let found = tokio::task::spawn_blocking(move || {
        store.read_only(|conn| {
            let Some(session) = accounts::session(conn, &h)? else { return Ok(None) };
            let who = Acting::account(&session.user.name, scope_of(&session.user, &hoods));
            let open = super::now::open_follow_ups(&Act { conn, who: &who, now })?;
            Ok(Some((session, who.scope, open)))
        })
    })
    .await??;
    let Some((session, scope, open_follow_ups)) = found else { return Ok(Resumed::Unknown) };
    if !holds(&session, now) {
        let h = token_hash.to_string();
        sb.worker.run(move |store| store.write(|tx| accounts::delete_session(tx, &h))).await??;
        return Ok(Resumed::Expired);
    }
    if now.as_second() - session.last_seen_at >= 60 {
        let h = token_hash.to_string();
        sb.worker.run(move |store| store.write(|tx| accounts::touch_session(tx, &h, now))).await??;
    }
    Ok(Resumed::Holds(Box::new(Holding { session, scope, open_follow_ups })))
}

/// Removes the sessions that no longer hold (the service's periodic job).
pub fn purge(store: &crate::store::Store, now: Timestamp) -> anyhow::Result<usize> {
    let idle = Timestamp::from_second(now.as_second() - IDLE_SECONDS)?;
    let started = Timestamp::from_second(now.as_second() - MAX_SESSION_SECONDS)?;
    store.write(|tx| accounts::purge_sessions(tx, idle, started))
}
