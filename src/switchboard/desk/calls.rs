//! The call log: a page of calls, one call's timeline, its voicemail. Only calls on the
//! numbers of the account's neighbourhoods are found.

use super::Act;
use crate::domain::audit::AuditAction;
use crate::store::{desk as q, participants, provider_jobs};

/// Whether there is a call `sid` the account may see (a call it may not see does not
/// exist, as far as it knows).
pub fn visible(act: &Act<'_>, sid: &str) -> anyhow::Result<bool> {
    q::call_visible(act.conn, sid, act.scope())
}

/// One page of the log, newest first: `filter`'s calls among those the account may see.
pub fn list(act: &Act<'_>, filter: &q::CallFilter, limit: u32) -> anyhow::Result<Vec<crate::store::calls::CallRow>> {
    let filter = q::CallFilter { scope: act.scope().clone(), ..filter.clone() };
    q::calls(act.conn, &filter, limit)
}

/// The most recent calls (at most `limit`) in the neighbourhood `(key, number)` (all, for
/// `None`) the account may see, newest first, with their attempts.
pub fn log(
    act: &Act<'_>,
    neighbourhood: Option<(&str, &str)>,
    limit: u32,
) -> anyhow::Result<Vec<crate::store::calls::CallLog>> {
    q::log_in(act.conn, neighbourhood, limit, act.scope())
}

/// A participant the account may see whose name (street, number) matches.
#[derive(Clone, Debug)]
pub struct Match {
    pub id: i64,
    pub name: String,
    pub street: String,
}

/// Participants the account may see whose name, street, postcode or number holds `who`.
pub fn find_participants(act: &Act<'_>, who: &str, limit: u32) -> anyhow::Result<Vec<Match>> {
    Ok(participants::search(act.conn, who, limit, act.scope())?
        .into_iter()
        .map(|p| Match { id: p.id, name: p.details.name, street: p.details.street })
        .collect())
}

/// The name of participant `id`, when the account may see them.
pub fn participant_name(act: &Act<'_>, id: i64) -> anyhow::Result<Option<String>> {
    q::participant_name(act.conn, id, act.scope())
}

/// One call with its follow-up, and the notes about its caller; the view of a known
/// caller's call is audited. `None` when the account may not see it.
pub fn read(act: &Act<'_>, sid: &str) -> anyhow::Result<Option<(q::CallDetail, Vec<q::Note>)>> {
    let Some(detail) = q::call_detail(act.conn, sid, act.scope())? else { return Ok(None) };
    let log = &detail.log;
    let notes = q::notes_for(act.conn, log.caller_id, log.from.as_deref())?;
    if log.caller_id.is_some() || log.from.is_some() {
        act.audit(&AuditAction::ViewedCall { sid: sid.to_string() }, log.caller_id)?;
    }
    Ok(Some((detail, notes)))
}

/// A call's voicemail, as the desk plays it.
#[derive(Debug, PartialEq, Eq)]
pub enum Voicemail {
    /// No call the account may see, or no message in it.
    NotFound,
    /// Not fetched from the provider yet.
    NotYet,
    /// Our own copy: its content type and the audio.
    Audio(String, Vec<u8>),
}

/// Plays a voicemail from our own copy: audited.
pub fn play_voicemail(act: &Act<'_>, sid: &str) -> anyhow::Result<Voicemail> {
    if q::voicemail_url(act.conn, sid, act.scope())?.is_none() {
        return Ok(Voicemail::NotFound);
    }
    let Some((content_type, audio)) = provider_jobs::audio(act.conn, sid)? else { return Ok(Voicemail::NotYet) };
    let caller = q::caller_of_call(act.conn, sid)?;
    act.audit(&AuditAction::PlayedVoicemail { sid: sid.to_string() }, caller)?;
    Ok(Voicemail::Audio(content_type, audio))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Clock;
    use crate::domain::call::Phase;
    use crate::switchboard::desk::{read_here, write_here, Acting, Scope};
    use crate::switchboard::test_support::{stored_call, switchboard, TUESDAY_MORNING};

    #[test]
    fn a_call_outside_the_scope_is_not_found_and_reading_one_is_audited_in_the_actors_name() {
        let sb = switchboard(false, TUESDAY_MORNING);
        let now = sb.clock.now();
        sb.store.write(|tx| Ok(stored_call(tx, "CA1", "+31612345678", "shopping", Phase::Menu, now))).unwrap();
        let elsewhere = Acting::account("ann", Scope::only(vec!["other".into()], vec!["+31859999999".into()]));
        assert!(!read_here(&sb.store, &elsewhere, now, |act| visible(act, "CA1")).unwrap());
        assert!(write_here(&sb.store, &elsewhere, now, |act| read(act, "CA1")).unwrap().is_none());
        let mine = Acting::account("bob", Scope::only(vec!["example".into()], vec!["+31850000000".into()]));
        assert!(write_here(&sb.store, &mine, now, |act| read(act, "CA1")).unwrap().is_some());
        let filter = q::CallFilter::default();
        assert_eq!(read_here(&sb.store, &elsewhere, now, |act| list(act, &filter, 10)).unwrap().len(), 0);
        assert_eq!(read_here(&sb.store, &mine, now, |act| list(act, &filter, 10)).unwrap().len(), 1);
        let log = sb
            .store
            .read(|c| crate::store::accounts::audit_log(c, &crate::store::accounts::AuditFilter::default(), 10))
            .unwrap();
        assert_eq!(log.len(), 1);
        assert_eq!(log[0].user_name, "bob");
    }

    #[test]
    fn a_call_stays_with_the_neighbourhood_it_started_in_and_an_older_call_goes_by_its_number() {
        let sb = switchboard(false, TUESDAY_MORNING);
        let now = sb.clock.now();
        sb.store.write(|tx| Ok(stored_call(tx, "CA1", "+31612345678", "shopping", Phase::Menu, now))).unwrap();
        sb.store.write(|tx| Ok(stored_call(tx, "CA2", "+31612345679", "shopping", Phase::Menu, now))).unwrap();
        sb.store
            .write(|tx| Ok(tx.execute("UPDATE calls SET neighbourhood = NULL WHERE call_sid = 'CA2'", [])?))
            .unwrap();
        // The number +31850000000 has moved to "east" since; CA1 started in "example".
        let example = Acting::account("ann", Scope::only(vec!["example".into()], vec![]));
        let east = Acting::account("bob", Scope::only(vec!["east".into()], vec!["+31850000000".into()]));
        let filter = q::CallFilter::default();
        let sids = |who: &Acting| -> Vec<String> {
            let rows = read_here(&sb.store, who, now, |act| list(act, &filter, 10)).unwrap();
            let mut sids: Vec<String> = rows.into_iter().map(|r| r.call_sid).collect();
            sids.sort();
            sids
        };
        assert_eq!(sids(&example), ["CA1"]);
        assert_eq!(sids(&east), ["CA2"]);
        assert!(read_here(&sb.store, &example, now, |act| visible(act, "CA1")).unwrap());
        assert!(!read_here(&sb.store, &east, now, |act| visible(act, "CA1")).unwrap());
    }
}
