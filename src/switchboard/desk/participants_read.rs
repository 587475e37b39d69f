//! The register as the desk and the command line read it: only whom the account may see.

use std::collections::HashMap;

use jiff::Timestamp;

use super::{AuditEntry, CallRow, Note, Participant, Resident, StepRow};
use crate::domain::audit::Actor;
use crate::domain::phone::PhoneNumber;
use crate::registry::Row;
use crate::store::accounts::{audit_log, AuditFilter};
use crate::store::desk as q;
use crate::store::participants as store;
use crate::switchboard::desk::Act;

/// How many of a person's own changes by phone their page lists.
const CHANGES_BY_PHONE_ON_THE_PAGE: u32 = 5;
/// How many of their latest calls their page lists.
const CALLS_ON_THE_PAGE: u32 = 10;

/// The participants the account may see whose name, street, postcode or number holds
/// `text` (all of them for an empty text), by name, at most `limit`.
pub fn search(act: &Act<'_>, text: &str, limit: u32) -> anyhow::Result<Vec<Participant>> {
    store::search(act.conn, text, limit, act.scope())
}

/// Everyone the account may see, by name.
pub fn list(act: &Act<'_>) -> anyhow::Result<Vec<Participant>> {
    store::list_in(act.conn, act.scope())
}

/// When each of these participants was last rung for someone, and when they joined.
pub fn asked_and_joined(act: &Act<'_>, ids: &[i64]) -> anyhow::Result<HashMap<i64, (Option<Timestamp>, Timestamp)>> {
    store::asked_and_joined(act.conn, ids)
}

/// Participant `id`, only if the account may see them; `None` otherwise.
pub fn find(act: &Act<'_>, id: i64) -> anyhow::Result<Option<Participant>> {
    store::find_in(act.conn, id, act.scope())
}

/// The participant with this number, only if the account may see them.
pub fn find_by_phone(act: &Act<'_>, phone: &PhoneNumber) -> anyhow::Result<Option<Participant>> {
    Ok(store::find_by_phone(act.conn, phone)?.filter(|p| act.scope().sees_member(&p.neighbourhoods)))
}

/// What a person's page shows of their past: notes, follow-up steps, their latest calls
/// (as caller and as helper), when they joined, their own latest changes by phone (8 in
/// the menu) and their place in the good-morning round.
pub struct History {
    pub notes: Vec<Note>,
    pub steps: Vec<StepRow>,
    pub calls: Vec<CallRow>,
    pub joined: Option<Timestamp>,
    pub by_phone: Vec<AuditEntry>,
    pub round: Option<Resident>,
}

/// Everything a person's page shows, for an account that may see them.
pub struct Page {
    pub participant: Participant,
    pub history: History,
    /// Who they are never paired with (of those the account sees): (id, name).
    pub apart: Vec<(i64, String)>,
    /// Everyone the account sees, to choose from.
    pub everyone: Vec<Participant>,
}

fn history(act: &Act<'_>, p: &Participant) -> anyhow::Result<History> {
    let c = act.conn;
    let filter = q::CallFilter { participant: Some(p.id), scope: act.scope().clone(), ..Default::default() };
    let by_phone = AuditFilter {
        participant: Some(p.id),
        user_name: Some(Actor::Phone.as_str().to_string()),
        ..Default::default()
    };
    Ok(History {
        notes: q::notes_for(c, Some(p.id), Some(p.details.phone.as_str()))?,
        steps: q::steps_of_participant(c, p.id)?,
        calls: q::calls(c, &filter, CALLS_ON_THE_PAGE)?,
        joined: store::asked_and_joined(c, &[p.id])?.get(&p.id).map(|(_, joined)| *joined),
        by_phone: audit_log(c, &by_phone, CHANGES_BY_PHONE_ON_THE_PAGE)?,
        round: crate::store::round::resident(c, p.id)?,
    })
}

/// A person's page, if the account may see them.
pub fn page(act: &Act<'_>, id: i64) -> anyhow::Result<Option<Page>> {
    let Some(participant) = find(act, id)? else { return Ok(None) };
    Ok(Some(Page {
        history: history(act, &participant)?,
        apart: store::apart_in(act.conn, id, act.scope())?,
        everyone: list(act)?,
        participant,
    }))
}

/// Everyone the account sees as CSV (the import's columns). Reading: `exported` writes
/// the audit entry.
pub fn export(act: &Act<'_>) -> anyhow::Result<String> {
    crate::registry::export(&list(act)?)
}

/// The same, its header row in Dutch (for the desk in Dutch; it imports back the same).
pub fn export_dutch(act: &Act<'_>) -> anyhow::Result<String> {
    crate::registry::export_dutch(&list(act)?)
}

/// The lines of rows whose number belongs to someone the account may not change
/// (registered only in neighbourhoods it cannot see).
pub fn outside(act: &Act<'_>, rows: &[Row]) -> anyhow::Result<Vec<u64>> {
    let mut lines = Vec::new();
    for row in rows {
        if let Some(p) = store::find_by_phone(act.conn, &row.details.phone)? {
            if !act.scope().sees_member(&p.neighbourhoods) {
                lines.push(row.line);
            }
        }
    }
    Ok(lines)
}
