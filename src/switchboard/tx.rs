//! One context per transaction of the switchboard (issue 26 §3): the connection, the
//! switchboard, the clock's value for the whole transaction, who acts, what the
//! transaction has loaded (each record once), and the commands to carry out after the
//! commit. A use case takes `&mut Tx` instead of threading `(tx, sb, now, out)` through
//! every call.
//!
//! The searches a transaction touched are finished in one place, `finish`, which is also
//! the only way to get the commands out: a call-back search that is over without a yes
//! ends its own call row there, whatever entry point moved it.

use std::collections::HashMap;

use rusqlite::Connection;

use super::commands::{Command, Outbound};
use super::Switchboard;
use crate::domain::audit::{Actor, AuditAction};
use crate::domain::call::{NextHelper, Phase};
use crate::domain::participant::Participant;
use crate::domain::waves::{Search, SearchStatus};
use crate::store::callbacks::{self, Request};

pub struct Tx<'a> {
    /// The transaction (a savepoint of the writer's group commit).
    pub conn: &'a Connection,
    pub sb: &'a Switchboard,
    /// The clock, read once for the whole transaction.
    pub now: jiff::Timestamp,
    /// Who acts: the participant by phone for a webhook; nobody for a scheduled job (none
    /// writes an audit entry) or for a desk use case (the desk writes its own, `desk::Act`).
    pub actor: Option<Actor>,
    /// What to tell the provider once the transaction has committed.
    out: Outbound,
    loaded: Loaded,
    /// The searches this transaction moved, in order, to be finished before the commit.
    touched: Vec<String>,
}

/// What a transaction has loaded, by call (or participant), so each is loaded once.
#[derive(Default)]
struct Loaded {
    participants: HashMap<i64, Option<Participant>>,
    /// A search's call-back request, by the search's call.
    requests: HashMap<String, Option<Request>>,
    searches: HashMap<String, Stored>,
    /// The helpers ranked for a call by its step (a key in the menu, in waves), for its
    /// search to start with: the register is ranked once.
    ranked: Option<(String, Vec<NextHelper>)>,
}

/// A search as this transaction knows it.
enum Stored {
    /// As loaded (`None`: the call has no search).
    Loaded(Option<Search>),
    /// Saved since with this status (loaded again when more is needed).
    Saved(SearchStatus),
}

impl<'a> Tx<'a> {
    /// A transaction in which nobody in particular acts (a scheduled job, or the desk's
    /// use case that writes its own audit).
    pub fn new(conn: &'a Connection, sb: &'a Switchboard, now: jiff::Timestamp) -> Tx<'a> {
        Tx { conn, sb, now, actor: None, out: Outbound::default(), loaded: Loaded::default(), touched: Vec::new() }
    }

    /// A job's transaction, the clock read now.
    pub fn starting_now(conn: &'a Connection, sb: &'a Switchboard) -> Tx<'a> {
        Tx::new(conn, sb, sb.clock.now())
    }

    /// A webhook's transaction: whoever is on the phone acts (a caller, a resident, a
    /// helper), the clock read now.
    pub fn webhook(conn: &'a Connection, sb: &'a Switchboard) -> Tx<'a> {
        Tx { actor: Some(Actor::Phone), ..Tx::starting_now(conn, sb) }
    }

    pub fn tell(&mut self, command: Command) {
        self.out.push(command);
    }

    /// Writes one audit entry in this transaction, in the name of who acts. A transaction
    /// in which nobody acts refuses (and is rolled back): a change without a who.
    pub fn audit(&self, action: &AuditAction, participant: Option<i64>) -> anyhow::Result<()> {
        let Some(actor) = &self.actor else {
            anyhow::bail!("an audit entry ({}) in a transaction in which nobody acts", action.as_str());
        };
        crate::store::accounts::audit(self.conn, self.now, actor.as_str(), action, participant)
    }

    /// A participant (a caller), loaded once per transaction.
    pub fn participant(&mut self, id: i64) -> anyhow::Result<Option<Participant>> {
        if let Some(p) = self.loaded.participants.get(&id) {
            return Ok(p.clone());
        }
        let p = crate::store::participants::find(self.conn, id)?;
        self.loaded.participants.insert(id, p.clone());
        Ok(p)
    }

    /// A participant loaded otherwise (by phone), so it is not loaded again.
    pub fn knew_participant(&mut self, p: &Participant) {
        self.loaded.participants.insert(p.id, Some(p.clone()));
    }

    /// The call-back request whose search is `search_sid`, loaded once per transaction
    /// (until `request_changed`).
    pub fn request(&mut self, search_sid: &str) -> anyhow::Result<Option<Request>> {
        if let Some(r) = self.loaded.requests.get(search_sid) {
            return Ok(r.clone());
        }
        let r = callbacks::by_search(self.conn, search_sid)?;
        self.loaded.requests.insert(search_sid.to_string(), r.clone());
        Ok(r)
    }

    /// The request of `search_sid` was changed as `change` says (as the store did): not
    /// loaded again.
    pub fn request_changed_to(&mut self, search_sid: &str, change: impl FnOnce(&mut Request)) {
        if let Some(Some(r)) = self.loaded.requests.get_mut(search_sid) {
            change(r);
        }
    }

    /// The request of `search_sid` was changed: loaded again when next asked for.
    pub fn request_changed(&mut self, search_sid: &str) {
        self.loaded.requests.remove(search_sid);
    }

    /// The search of `call_sid`, loaded once per transaction (until it is saved).
    pub fn search(&mut self, call_sid: &str) -> anyhow::Result<Option<Search>> {
        if let Some(Stored::Loaded(s)) = self.loaded.searches.get(call_sid) {
            return Ok(s.clone());
        }
        let s = crate::store::waves::load(self.conn, call_sid)?;
        self.loaded.searches.insert(call_sid.to_string(), Stored::Loaded(s.clone()));
        Ok(s)
    }

    /// The search of `call_sid` was saved with `status`: it is finished before the commit.
    pub fn search_saved(&mut self, call_sid: &str, status: SearchStatus) {
        self.loaded.searches.insert(call_sid.to_string(), Stored::Saved(status));
        self.search_touched(call_sid);
    }

    /// The search of `call_sid` was started (stored anew): loaded again when next asked
    /// for, and finished before the commit.
    pub fn search_started(&mut self, call_sid: &str) {
        self.loaded.searches.remove(call_sid);
        self.search_touched(call_sid);
    }

    /// The search of `call_sid` (or its call) changed: it is finished before the commit.
    pub fn search_touched(&mut self, call_sid: &str) {
        if !self.touched.iter().any(|s| s == call_sid) {
            self.touched.push(call_sid.to_string());
        }
    }

    /// The helpers ranked for `call_sid` in this transaction, for its search to start with.
    pub fn keep_ranked(&mut self, call_sid: &str, helpers: Vec<NextHelper>) {
        self.loaded.ranked = Some((call_sid.to_string(), helpers));
    }

    /// The helpers ranked for `call_sid` earlier in this transaction, if any (once).
    pub fn take_ranked(&mut self, call_sid: &str) -> Option<Vec<NextHelper>> {
        match self.loaded.ranked.take() {
            Some((sid, helpers)) if sid == call_sid => Some(helpers),
            other => {
                self.loaded.ranked = other;
                None
            }
        }
    }

    fn search_status(&mut self, call_sid: &str) -> anyhow::Result<Option<SearchStatus>> {
        Ok(match self.loaded.searches.get(call_sid) {
            Some(Stored::Saved(status)) => Some(*status),
            Some(Stored::Loaded(s)) => s.as_ref().map(|s| s.status),
            None => crate::store::waves::status(self.conn, call_sid)?,
        })
    }

    /// Call back later: a search that found nobody ends its own call row (without a
    /// follow-up: the request stays open, or expires and is listed). After every change
    /// of the transaction, so after the call's state is saved.
    fn finish_searches(&mut self) -> anyhow::Result<()> {
        for sid in std::mem::take(&mut self.touched) {
            if self.search_status(&sid)? != Some(SearchStatus::Over) || self.request(&sid)?.is_none() {
                continue;
            }
            let Some(call) = crate::store::calls::load(self.conn, &sid)? else { continue };
            if call.state.phase == (Phase::Holding { matched: false }) {
                callbacks::end_search_call(self.conn, &sid, self.now)?;
            }
        }
        Ok(())
    }

    /// Finishes the searches the transaction moved and hands on what to tell the
    /// provider, for `dispatch` after the commit.
    pub fn finish(mut self) -> anyhow::Result<Outbound> {
        self.finish_searches()?;
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::super::commands::Play;
    use super::super::test_support::{switchboard, TUESDAY_MORNING};
    use super::*;

    #[test]
    fn a_transaction_reads_the_clock_once_and_hands_on_what_it_was_told_in_order() {
        let sb = switchboard(false, TUESDAY_MORNING);
        let out = sb
            .store
            .write(|conn| {
                let mut t = Tx::starting_now(conn, &sb);
                assert_eq!(t.now, TUESDAY_MORNING.parse::<jiff::Timestamp>().unwrap());
                sb.clock.advance(60);
                assert_eq!(t.now, TUESDAY_MORNING.parse::<jiff::Timestamp>().unwrap(), "the transaction's own time");
                t.tell(Command::Changed("CA1".into()));
                t.tell(Command::Play(Play { leg_sid: "CA2".into(), twiml: "a".into() }));
                t.tell(Command::Play(Play { leg_sid: "CA2".into(), twiml: "b".into() }));
                t.finish()
            })
            .unwrap();
        let kinds: Vec<String> = out.commands().iter().map(|c| format!("{c:?}")).collect();
        assert_eq!(kinds.len(), 3, "{kinds:?}");
        assert!(kinds[0].starts_with("Changed(\"CA1\")") && kinds[2].contains("twiml: \"b\""), "{kinds:?}");
    }

    /// A webhook's transaction writes its audit entries as the participant by phone; a
    /// job's, in which nobody acts, refuses to write one.
    #[test]
    fn a_webhook_audits_by_phone_and_a_job_audits_nothing() {
        let sb = switchboard(false, TUESDAY_MORNING);
        let action = AuditAction::RoundResumedCalledTheLine;
        let (by_phone, job) = sb
            .store
            .write(|conn| {
                Tx::webhook(conn, &sb).audit(&action, None)?;
                let job = Tx::starting_now(conn, &sb).audit(&action, None).is_err();
                let who: String = conn.query_row("SELECT user_name FROM audit_log", [], |r| r.get(0))?;
                Ok((who, job))
            })
            .unwrap();
        assert_eq!(by_phone, Actor::Phone.as_str());
        assert!(job, "a job wrote an audit entry");
    }
}
