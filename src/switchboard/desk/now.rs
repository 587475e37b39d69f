//! The Now page: today's calls, the urgent follow-ups, what came in since one's last visit,
//! each change to a call as it happens; and the counts the service's health pages show.

use jiff::Timestamp;

use super::Act;
use crate::store::calls::CallRow;
use crate::store::desk::{self as q, Urgent};
use crate::store::{accounts, calls, provider_jobs, Store};

/// What the Now page shows.
pub struct Today {
    /// Calls still going and calls since `midnight`, newest first.
    pub rows: Vec<CallRow>,
    /// The account's previous login, and how many calls started since.
    pub since_last: Option<(Timestamp, i64)>,
    pub urgent: Vec<Urgent>,
}

/// The Now page's calls since `midnight` (at most 300), and what else it shows.
pub fn today(act: &Act<'_>, midnight: Timestamp) -> anyhow::Result<Today> {
    let rows = q::now_calls(act.conn, midnight, 300, act.scope())?;
    let urgent = q::urgent_follow_ups(act.conn, act.scope())?;
    let since_last = match accounts::previous_login(act.conn, act.who.actor.as_str())? {
        Some(at) => Some((at, q::calls_since(act.conn, at, act.scope())?)),
        None => None,
    };
    Ok(Today { rows, since_last, urgent })
}

/// How many people the account may see have something open (the menu shows it on every
/// page, and the follow-up page the same number).
pub fn open_follow_ups(act: &Act<'_>) -> anyhow::Result<i64> {
    q::open_people_count(act.conn, act.scope())
}

/// One change seen live: whether the session (by its token's hash) still holds, the
/// changed call when the account may see it, and the open follow-ups.
pub struct Live {
    pub session: Option<accounts::Session>,
    pub call: Option<Changed>,
    pub open: i64,
}

/// A changed call as the Now page takes it: its row, or gone from the page (a call-back
/// search that found nobody, which the page never lists: `store::desk::now_calls`), so
/// that the live page counts exactly what the page counted on load.
pub enum Changed {
    Row(Box<CallRow>),
    Gone(String),
}

/// What the Now page's live stream sends for a change to call `sid`.
pub fn live(act: &Act<'_>, token_hash: &str, sid: &str) -> anyhow::Result<Live> {
    let session = accounts::session(act.conn, token_hash)?;
    let call = match q::call_visible(act.conn, sid, act.scope())? {
        true if !q::shown_now(act.conn, sid)? => Some(Changed::Gone(sid.to_string())),
        true => calls::row(act.conn, sid)?.map(|r| Changed::Row(Box::new(r))),
        false => None,
    };
    Ok(Live { session, call, open: open_follow_ups(act)? })
}

/// What `/metrics` counts: calls by outcome, attempts by result, open follow-ups; and the
/// provider's jobs.
pub type Counts = (q::Counts, Vec<(provider_jobs::Kind, i64, i64)>);

/// The service's counts for `/metrics`.
pub fn health_counts(store: &Store) -> anyhow::Result<Counts> {
    store.read(|c| Ok((q::counts(c)?, provider_jobs::counts(c)?)))
}

/// Whether the database answers (`/healthz`).
pub fn ping(store: &Store) -> anyhow::Result<bool> {
    store.read(q::ping)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Clock;
    use crate::domain::call::Phase;
    use crate::switchboard::desk::{read_here, Acting, Scope};
    use crate::switchboard::test_support::{stored_call, switchboard, TUESDAY_MORNING};

    #[test]
    fn the_live_row_of_a_call_is_only_sent_to_an_account_that_may_see_it() {
        let sb = switchboard(false, TUESDAY_MORNING);
        let now = sb.clock.now();
        sb.store.write(|tx| Ok(stored_call(tx, "CA1", "+31612345678", "shopping", Phase::Menu, now))).unwrap();
        let elsewhere = Acting::account("ann", Scope::only(vec!["other".into()], vec!["+31859999999".into()]));
        let seen = read_here(&sb.store, &elsewhere, now, |act| live(act, "nohash", "CA1")).unwrap();
        assert!(seen.call.is_none() && seen.session.is_none());
        let all = Acting::account("ann", Scope::all());
        assert!(read_here(&sb.store, &all, now, |act| live(act, "nohash", "CA1")).unwrap().call.is_some());
        let midnight = now - jiff::SignedDuration::from_hours(10);
        assert_eq!(read_here(&sb.store, &elsewhere, now, |act| today(act, midnight)).unwrap().rows.len(), 0);
        assert_eq!(read_here(&sb.store, &all, now, |act| today(act, midnight)).unwrap().rows.len(), 1);
    }
}
