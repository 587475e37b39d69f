//! The register's changes: each one only for whom the account may see, each with its own
//! audit entry in the name of who acts.

use jiff::civil::Date;

use super::marks::audit_marks;
use super::read::{find, find_by_phone};
use super::{Imported, Participant, Saved, UpdateError};
use crate::domain::audit::AuditAction;
use crate::domain::participant::{ParticipantDetails, Say};
use crate::domain::phone::PhoneNumber;
use crate::registry::Row;
use crate::store::desk as q;
use crate::store::participants as store;
use crate::switchboard::desk::{Act, Scope};
use crate::switchboard::register::kept_with;

/// Notes in the log that the account looked at participant `id`; false (and nothing
/// written) when they may not see them.
pub fn viewed(act: &Act<'_>, id: i64) -> anyhow::Result<bool> {
    if find(act, id)?.is_none() {
        return Ok(false);
    }
    act.audit(&AuditAction::ViewedParticipant, Some(id))?;
    Ok(true)
}

/// Registers someone new in these neighbourhoods; `None` when the number is registered
/// already (for anyone: one number is one person).
pub fn add(act: &Act<'_>, details: &ParticipantDetails, neighbourhoods: &[String]) -> anyhow::Result<Option<i64>> {
    if store::find_by_phone(act.conn, &details.phone)?.is_some() {
        return Ok(None);
    }
    let (id, _) = store::upsert(act.conn, details, act.now)?;
    store::set_neighbourhoods(act.conn, id, neighbourhoods)?;
    act.audit(&AuditAction::AddedParticipant, Some(id))?;
    audit_marks(act, id, &Say::DEFAULT, details.say.as_ref())?;
    Ok(Some(id))
}

/// Adds someone, or updates whoever has the number (the command line's `add`), giving
/// them exactly these neighbourhoods. An account may not change someone it cannot see.
pub fn add_or_update(
    act: &Act<'_>,
    details: &ParticipantDetails,
    neighbourhoods: &[String],
) -> anyhow::Result<(i64, Saved)> {
    if let Some(p) = store::find_by_phone(act.conn, &details.phone)? {
        anyhow::ensure!(act.scope().sees_member(&p.neighbourhoods), "this number belongs to someone out of reach");
    }
    let (id, saved) = store::upsert(act.conn, details, act.now)?;
    store::set_neighbourhoods(act.conn, id, neighbourhoods)?;
    let action = if saved == Saved::Added { AuditAction::AddedParticipant } else { AuditAction::ChangedParticipant };
    act.audit(&action, Some(id))?;
    Ok((id, saved))
}

/// Changes someone's details and neighbourhoods: the ones `chosen`, and those the account
/// cannot see (it can neither show nor take them away).
pub fn update(
    act: &Act<'_>,
    id: i64,
    details: &ParticipantDetails,
    chosen: Vec<String>,
) -> anyhow::Result<Result<(), UpdateError>> {
    let Some(had) = find(act, id)? else { return Ok(Err(UpdateError::NotFound)) };
    match store::update(act.conn, id, details, act.now) {
        Ok(()) => {}
        Err(UpdateError::Db(e)) => return Err(e),
        Err(e) => return Ok(Err(e)),
    }
    set_neighbourhoods(act, id, chosen, &had.neighbourhoods)?;
    act.audit(&AuditAction::ChangedParticipant, Some(id))?;
    audit_marks(act, id, had.details.say(), details.say.as_ref())?;
    Ok(Ok(()))
}

/// Gives a participant the neighbourhoods `chosen`, keeping those of `had` the account
/// cannot see.
fn set_neighbourhoods(act: &Act<'_>, id: i64, chosen: Vec<String>, had: &[String]) -> anyhow::Result<()> {
    store::set_neighbourhoods(act.conn, id, &kept_with(chosen, had, act.scope()))
}

/// Pauses (up to the day `until`, the first day back, or until resumed) or resumes
/// someone; false when the account may not see them.
pub fn set_paused(act: &Act<'_>, id: i64, paused: bool, until: Option<Date>) -> anyhow::Result<bool> {
    if find(act, id)?.is_none() || !store::set_paused_by_id(act.conn, id, paused, until, act.now)? {
        return Ok(false);
    }
    let action = if paused { AuditAction::PausedParticipant { until } } else { AuditAction::ResumedParticipant };
    act.audit(&action, Some(id))?;
    Ok(true)
}

/// The same, for whoever has this number (the command line); `None` when nobody the
/// account sees has it, or their id.
pub fn set_paused_by_phone(
    act: &Act<'_>,
    phone: &PhoneNumber,
    paused: bool,
    until: Option<Date>,
) -> anyhow::Result<Option<i64>> {
    let Some(p) = find_by_phone(act, phone)? else { return Ok(None) };
    Ok(set_paused(act, p.id, paused, until)?.then_some(p.id))
}

/// Adds a note to someone's page; false when the account may not see them.
pub fn add_note(act: &Act<'_>, id: i64, note: &str) -> anyhow::Result<bool> {
    if find(act, id)?.is_none() {
        return Ok(false);
    }
    q::add_note(act.conn, Some(id), None, None, act.who.actor.as_str(), note, act.now)?;
    act.audit(&AuditAction::AddedNote, Some(id))?;
    Ok(true)
}

/// Never pairs two people (`apart`), or lifts that; an entry in each one's log. False
/// when the account may not see both.
pub fn keep_apart(act: &Act<'_>, id: i64, other: i64, apart: bool) -> anyhow::Result<bool> {
    if find(act, id)?.is_none() || find(act, other)?.is_none() {
        return Ok(false);
    }
    q::set_do_not_pair(act.conn, id, other, apart, act.now)?;
    let action =
        |other| if apart { AuditAction::SetDoNotPair { other } } else { AuditAction::RemovedDoNotPair { other } };
    act.audit(&action(other), Some(id))?;
    act.audit(&action(id), Some(other))?;
    Ok(true)
}

/// What became of a request to erase someone.
#[derive(Debug, PartialEq, Eq)]
pub enum Erased {
    Done,
    /// Nobody the account may see.
    NotFound,
    /// They also belong to a neighbourhood the account cannot see: erasing takes a person
    /// out of every neighbourhood, so only an account that sees all of theirs may.
    Elsewhere,
}

/// Whether an account with `scope` may erase `p`: only when it sees every neighbourhood
/// they belong to.
pub fn may_erase(scope: &Scope, p: &Participant) -> bool {
    p.neighbourhoods.iter().all(|k| scope.sees_key(k))
}

/// Erases a person on request (`store::participants::erase`).
pub fn erase(act: &Act<'_>, id: i64) -> anyhow::Result<Erased> {
    let Some(p) = find(act, id)? else { return Ok(Erased::NotFound) };
    if !may_erase(act.scope(), &p) {
        return Ok(Erased::Elsewhere);
    }
    // Help for later first, while their requests still name them: their planned calls go
    // at the provider, their requests to come are cancelled.
    crate::store::planned::forget_person(act.conn, id, act.now)?;
    if !store::erase(act.conn, id, act.now)? {
        return Ok(Erased::NotFound);
    }
    act.audit(&AuditAction::ErasedParticipant, Some(id))?;
    Ok(Erased::Done)
}

/// Notes in the log that the account downloaded the register.
pub fn exported(act: &Act<'_>) -> anyhow::Result<()> {
    act.audit(&AuditAction::ExportedParticipants, None)
}

/// Writes one chunk of checked rows of an import, each with its neighbourhoods and whether
/// they replace the ones the participant has. Refuses the chunk when someone in it has
/// moved out of the account's reach.
pub fn import_chunk(act: &Act<'_>, rows: &[Row], assigned: &[(Vec<String>, bool)]) -> anyhow::Result<Imported> {
    let mut keyed = Vec::with_capacity(rows.len());
    for (row, (keys, replace)) in rows.iter().zip(assigned) {
        match store::find_by_phone(act.conn, &row.details.phone)? {
            Some(p) if !act.scope().sees_member(&p.neighbourhoods) => {
                anyhow::bail!("line {}: moved out of reach during the import", row.line)
            }
            Some(p) if *replace => keyed.push((kept_with(keys.clone(), &p.neighbourhoods, act.scope()), true)),
            _ => keyed.push((keys.clone(), *replace)),
        }
    }
    store::import(act.conn, crate::registry::with_assigned(rows, &keyed), act.now)
}

/// Notes in the log what a whole import did (after its last chunk).
pub fn imported(act: &Act<'_>, done: Imported) -> anyhow::Result<()> {
    act.audit(&AuditAction::ImportedParticipants { added: done.added, updated: done.updated }, None)
}

/// Puts everyone who belongs to no neighbourhood in `key` (an install that gets its
/// first second neighbourhood); returns how many.
pub fn join_all_without(act: &Act<'_>, key: &str) -> anyhow::Result<usize> {
    anyhow::ensure!(act.scope().is_all(), "only an account that sees every neighbourhood may");
    store::join_all_without(act.conn, key)
}
