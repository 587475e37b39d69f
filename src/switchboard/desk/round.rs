//! The good-morning round at the desk and on the command line: who is in it, how this
//! morning went, the log of its calls, enrolling, days away, a pause, taking someone out.
//! Only residents of the account's neighbourhoods are found.

use std::collections::HashMap;

use jiff::civil::Date;

use super::Act;
use crate::domain::audit::{AuditAction, RoundChange};
use crate::domain::phone::PhoneNumber;
pub use crate::store::round::{Contact, LogRow, Resident};
use crate::store::{desk as q, round as store};
use crate::switchboard::round::{self as use_case, EnrolError, Enrolling};

/// How many of the round's calls the desk's page lists.
pub const PAGE_LOG: u32 = 50;

/// What the round's page shows.
pub struct Seen {
    /// The residents the account may see, with this morning's stage of each.
    pub residents: Vec<(Resident, Option<String>)>,
    /// The newest calls to them.
    pub log: Vec<LogRow>,
    /// Participants the account may see who could be enrolled: (id, name, number).
    pub candidates: Vec<(i64, String, String)>,
}

/// The round's page on `today`.
pub fn seen(act: &Act<'_>, today: Date) -> anyhow::Result<Seen> {
    let stages: HashMap<i64, String> = store::mornings_on(act.conn, today)?.into_iter().collect();
    let residents = store::residents_in(act.conn, act.scope())?
        .into_iter()
        .map(|r| {
            let stage = stages.get(&r.participant_id).cloned();
            (r, stage)
        })
        .collect();
    let log = store::log_seen(act.conn, act.scope(), PAGE_LOG)?;
    let candidates = store::candidates(act.conn, act.scope())?;
    Ok(Seen { residents, log, candidates })
}

/// Everyone in the round the account may see, by name.
pub fn residents(act: &Act<'_>) -> anyhow::Result<Vec<Resident>> {
    store::residents_in(act.conn, act.scope())
}

/// Resident `id`, when they are in the round and the account may see them.
pub fn resident(act: &Act<'_>, id: i64) -> anyhow::Result<Option<Resident>> {
    if !visible(act, id)? {
        return Ok(None);
    }
    store::resident(act.conn, id)
}

/// Whether participant `id` is in the round and the account may see them.
pub fn visible(act: &Act<'_>, id: i64) -> anyhow::Result<bool> {
    store::resident_visible(act.conn, id, act.scope())
}

/// The round's calls, newest first: every call, or one resident's (also after they left
/// the round: their log stays). A limited account sees those of its residents in the round.
pub fn log(act: &Act<'_>, resident: Option<i64>, limit: u32) -> anyhow::Result<Vec<LogRow>> {
    match resident {
        _ if act.scope().is_all() => store::log(act.conn, resident, None, limit),
        Some(id) if !visible(act, id)? => Ok(Vec::new()),
        Some(_) => store::log(act.conn, resident, None, limit),
        None => store::log_seen(act.conn, act.scope(), limit),
    }
}

/// The participant with this number, when the account may see them.
pub fn participant_by_phone(act: &Act<'_>, phone: &PhoneNumber) -> anyhow::Result<Option<i64>> {
    if q::phone_hidden(act.conn, phone.as_str(), act.scope())? {
        return Ok(None);
    }
    Ok(crate::store::participants::find_by_phone(act.conn, phone)?.map(|p| p.id))
}

/// Why an enrolment was not made.
#[derive(Debug)]
pub enum NotEnrolled {
    /// A participant the account may not see.
    NotFound,
    Refused(EnrolError),
}

/// Enrols a resident (or changes their enrolment): audited. Returns the participant and
/// whether they were new to the round.
pub fn enrol(
    act: &Act<'_>,
    neighbourhoods: &crate::config::Neighbourhoods,
    form: &Enrolling,
) -> anyhow::Result<Result<(i64, bool), NotEnrolled>> {
    if let Ok(phone) = PhoneNumber::parse(&form.resident_phone) {
        if q::phone_hidden(act.conn, phone.as_str(), act.scope())? {
            return Ok(Err(NotEnrolled::NotFound));
        }
    }
    let enrolled = use_case::enrol(act.conn, neighbourhoods, form, act.who.actor.as_str(), act.now)?;
    Ok(enrolled.map_err(NotEnrolled::Refused))
}

/// Days away (`None`: none): audited. Whether the resident was found.
pub fn set_away(act: &Act<'_>, id: i64, away: Option<(Date, Date)>) -> anyhow::Result<bool> {
    if !visible(act, id)? {
        return Ok(false);
    }
    store::set_away(act.conn, id, away, act.now)?;
    act.audit(&AuditAction::ChangedRound(RoundChange::Away(away)), Some(id))?;
    Ok(true)
}

/// Pauses the round for a resident, or resumes it: audited. Whether the resident was found.
pub fn set_paused(act: &Act<'_>, id: i64, paused: bool) -> anyhow::Result<bool> {
    if !visible(act, id)? {
        return Ok(false);
    }
    store::set_paused(act.conn, id, paused, act.now)?;
    let change = if paused { RoundChange::Paused } else { RoundChange::Resumed };
    act.audit(&AuditAction::ChangedRound(change), Some(id))?;
    Ok(true)
}

/// Takes resident `id` out of the round (their log stays): audited. The resident as they
/// were in it (for the desk to undo it with `enrol` and `restore`), or `None` when they
/// were not in it.
pub fn remove(act: &Act<'_>, id: i64) -> anyhow::Result<Option<Resident>> {
    let Some(was) = resident(act, id)? else { return Ok(None) };
    if !store::remove(act.conn, id)? {
        return Ok(None);
    }
    act.audit(&AuditAction::RemovedFromRound, Some(id))?;
    Ok(Some(was))
}

/// What an enrolment had besides its time, days and contacts, put back when the desk undoes
/// taking a resident out of the round.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Kept {
    pub away: Option<(Date, Date)>,
    pub paused: bool,
}

/// Enrols again (`enrol`) and puts back the days away and the pause: each audited.
pub fn enrol_again(
    act: &Act<'_>,
    neighbourhoods: &crate::config::Neighbourhoods,
    form: &Enrolling,
    kept: &Kept,
) -> anyhow::Result<Result<(i64, bool), NotEnrolled>> {
    let enrolled = enrol(act, neighbourhoods, form)?;
    if let Ok((id, _)) = enrolled {
        if kept.away.is_some() {
            set_away(act, id, kept.away)?;
        }
        if kept.paused {
            set_paused(act, id, true)?;
        }
    }
    Ok(enrolled)
}

/// Takes the resident with this number out of the round: audited. Whether they were in it.
pub fn remove_by_phone(act: &Act<'_>, phone: &PhoneNumber) -> anyhow::Result<bool> {
    if q::phone_hidden(act.conn, phone.as_str(), act.scope())? {
        return Ok(false);
    }
    use_case::remove(act.conn, phone, act.who.actor.as_str(), act.now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Clock;
    use crate::switchboard::desk::{read_here, write_here, Acting, Scope};
    use crate::switchboard::test_support::{participant, switchboard, TUESDAY_MORNING};

    #[test]
    fn a_resident_outside_the_scope_is_not_found_and_changes_are_audited() {
        let sb = switchboard(false, TUESDAY_MORNING);
        let now = sb.clock.now();
        let hoods = sb.neighbourhoods.current();
        let resident = participant(&sb, "020-1234567");
        let cli = Acting::command_line();
        let form = Enrolling {
            resident_phone: resident.details.phone.as_str().to_string(),
            at: "09:30".into(),
            days: "ma-vr".into(),
            contacts: vec!["06-10000001".into()],
            ..Default::default()
        };
        let enrolled = write_here(&sb.store, &cli, now, |act| enrol(act, &hoods, &form)).unwrap();
        assert!(enrolled.is_ok(), "{enrolled:?}");
        let elsewhere = Acting::account("ann", Scope::only(vec!["other".into()], vec![]));
        assert!(read_here(&sb.store, &elsewhere, now, residents).unwrap().is_empty());
        assert!(!write_here(&sb.store, &elsewhere, now, |act| set_paused(act, resident.id, true)).unwrap());
        let refused = write_here(&sb.store, &elsewhere, now, |act| enrol(act, &hoods, &form)).unwrap();
        assert!(matches!(refused, Err(NotEnrolled::NotFound)), "{refused:?}");
        let mine = Acting::account("bob", Scope::only(vec!["example".into()], vec![]));
        assert_eq!(read_here(&sb.store, &mine, now, residents).unwrap().len(), 1);
        assert!(write_here(&sb.store, &mine, now, |act| set_paused(act, resident.id, true)).unwrap());
        let log = sb
            .store
            .read(|c| crate::store::accounts::audit_log(c, &crate::store::accounts::AuditFilter::default(), 10))
            .unwrap();
        let who: Vec<&str> = log.iter().map(|e| e.user_name.as_str()).collect();
        assert_eq!(who, ["bob", "#cli"]);
    }
}
