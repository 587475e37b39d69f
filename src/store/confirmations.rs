//! Changes a participant asked for by phone, waiting for the call back that confirms them
//! (`own_confirmations`, migration `017_own_confirmations.sql`): caller ID can be spoofed,
//! so a change is applied only on a 1 on a call the switchboard made to the register's
//! number, in that webhook's transaction, with its audit entry.

use jiff::Timestamp;
use rusqlite::{params, Connection, OptionalExtension};

use super::exec;
use crate::domain::desk::FollowUpReason;
use crate::domain::own::{self, Change, Confirm, Confirmation};

/// The follow-up reason of a change the desk arranges (no call back possible, or it failed).
pub const DESK_REASON: FollowUpReason = FollowUpReason::OwnSetting;

/// One change asked for by phone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Asked {
    pub id: i64,
    pub participant_id: i64,
    /// The call it was asked in (`None` once that call is gone).
    pub call_sid: Option<String>,
    pub dialplan_number: String,
    pub change: Change,
    pub status: Confirmation,
    pub asked_at: Timestamp,
    pub expires_at: Timestamp,
    /// The call back's `CallSid`, once known.
    pub leg_sid: Option<String>,
    /// The latest document sent on the call back.
    pub seq: u64,
}

const COLUMNS: &str =
    "id, participant_id, call_sid, dialplan_number, change, back_on, status, asked_at, expires_at, leg_sid, seq";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(Asked, String, Option<String>, String)> {
    Ok((
        Asked {
            id: r.get(0)?,
            participant_id: r.get(1)?,
            call_sid: r.get(2)?,
            dialplan_number: r.get(3)?,
            change: Change::Resume,
            status: Confirmation::Pending,
            asked_at: Timestamp::from_second(r.get(7)?).unwrap_or(Timestamp::UNIX_EPOCH),
            expires_at: Timestamp::from_second(r.get(8)?).unwrap_or(Timestamp::UNIX_EPOCH),
            leg_sid: r.get(9)?,
            seq: r.get::<_, i64>(10)? as u64,
        },
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
    ))
}

fn finish((mut asked, kind, back_on, status): (Asked, String, Option<String>, String)) -> anyhow::Result<Asked> {
    let back_on = back_on.map(|d| d.parse()).transpose()?;
    asked.change = Change::from_stored(&kind, back_on)
        .ok_or_else(|| anyhow::anyhow!("confirmation {}: unknown change {kind}", asked.id))?;
    asked.status = Confirmation::parse(&status)
        .ok_or_else(|| anyhow::anyhow!("confirmation {}: unknown status {status}", asked.id))?;
    Ok(asked)
}

/// Keeps a change asked for in call `call_sid`. An earlier change of theirs still waiting
/// is replaced (the latest word counts). Without a call back (`Confirm::Desk`) it is for
/// the desk at once: a follow-up on the call. Returns its id.
pub fn ask(
    conn: &Connection,
    participant_id: i64,
    call_sid: &str,
    dialplan_number: &str,
    change: Change,
    confirm: Confirm,
    now: Timestamp,
) -> anyhow::Result<i64> {
    exec(
        conn,
        "UPDATE own_confirmations SET status = 'replaced', decided_at = ?2
         WHERE participant_id = ?1 AND status IN ('pending', 'calling', 'no-key')",
        params![participant_id, now.as_second()],
    )?;
    let (kind, back_on) = change.stored();
    let status = match confirm {
        Confirm::CallBack => Confirmation::Pending,
        Confirm::Desk => Confirmation::Desk,
    };
    exec(
        conn,
        "INSERT INTO own_confirmations (participant_id, call_sid, dialplan_number, change, back_on, status, asked_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            participant_id,
            call_sid,
            dialplan_number,
            kind,
            back_on.map(|d| d.to_string()),
            status.as_str(),
            now.as_second(),
            own::confirm_expires(now).as_second()
        ],
    )?;
    let id = conn.last_insert_rowid();
    if confirm == Confirm::Desk {
        for_the_desk(conn, call_sid, now)?;
    }
    Ok(id)
}

/// A follow-up for the desk on the call the change was asked in.
fn for_the_desk(conn: &Connection, call_sid: &str, now: Timestamp) -> anyhow::Result<()> {
    exec(
        conn,
        "INSERT INTO follow_ups (call_sid, reason, created_at) VALUES (?1, ?2, ?3) ON CONFLICT (call_sid) DO NOTHING",
        params![call_sid, DESK_REASON.as_str(), now.as_second()],
    )?;
    Ok(())
}

pub fn load(conn: &Connection, id: i64) -> anyhow::Result<Option<Asked>> {
    let sql = format!("SELECT {COLUMNS} FROM own_confirmations WHERE id = ?1");
    conn.prepare_cached(&sql)?.query_row([id], row).optional()?.map(finish).transpose()
}

/// The changes asked for in call `call_sid` still waiting for their call back to be placed.
pub fn waiting_in_call(conn: &Connection, call_sid: &str) -> anyhow::Result<Vec<i64>> {
    Ok(conn
        .prepare_cached("SELECT id FROM own_confirmations WHERE call_sid = ?1 AND status = 'pending'")?
        .query_map([call_sid], |r| r.get(0))?
        .collect::<Result<_, _>>()?)
}

/// Changes asked for at or before `before` whose call back was never placed (the end of
/// the call they were asked in was never reported).
pub fn waiting_since(conn: &Connection, before: Timestamp) -> anyhow::Result<Vec<i64>> {
    Ok(conn
        .prepare_cached("SELECT id FROM own_confirmations WHERE status = 'pending' AND asked_at <= ?1 ORDER BY id")?
        .query_map([before.as_second()], |r| r.get(0))?
        .collect::<Result<_, _>>()?)
}

/// The call back of `id` is to be placed now. Returns false when it was placed already
/// (or is no longer waiting): it is placed once.
pub fn start_calling(conn: &Connection, id: i64, now: Timestamp) -> anyhow::Result<bool> {
    Ok(exec(
        conn,
        "UPDATE own_confirmations SET status = 'calling', placed_at = ?2 WHERE id = ?1 AND status = 'pending'",
        params![id, now.as_second()],
    )? == 1)
}

/// The call back's `CallSid`.
pub fn set_leg(conn: &Connection, id: i64, leg_sid: &str) -> anyhow::Result<()> {
    exec(conn, "UPDATE own_confirmations SET leg_sid = ?2 WHERE id = ?1", params![id, leg_sid])?;
    Ok(())
}

/// Moves `id` to `status` (from one still open). Returns whether it moved.
pub fn decide(conn: &Connection, id: i64, status: Confirmation, now: Timestamp) -> anyhow::Result<bool> {
    Ok(exec(
        conn,
        "UPDATE own_confirmations SET status = ?2, decided_at = ?3
         WHERE id = ?1 AND status IN ('pending', 'calling', 'no-key')",
        params![id, status.as_str(), now.as_second()],
    )? == 1)
}

/// The call back ended without a key: still open (a key on its way counts) until it expires.
pub fn ended_without_key(conn: &Connection, id: i64) -> anyhow::Result<bool> {
    Ok(exec(conn, "UPDATE own_confirmations SET status = 'no-key' WHERE id = ?1 AND status = 'calling'", [id])? == 1)
}

/// The call back could not be placed: the desk arranges it, as without a call back.
pub fn failed(conn: &Connection, id: i64, now: Timestamp) -> anyhow::Result<()> {
    if decide(conn, id, Confirmation::Failed, now)? {
        if let Some(call_sid) = load(conn, id)?.and_then(|a| a.call_sid) {
            for_the_desk(conn, &call_sid, now)?;
        }
    }
    Ok(())
}

/// Changes not confirmed in time expire (nothing changes). Returns how many.
pub fn expire(conn: &Connection, now: Timestamp) -> anyhow::Result<usize> {
    Ok(exec(
        conn,
        "UPDATE own_confirmations SET status = 'expired', decided_at = ?1
         WHERE status IN ('pending', 'calling', 'no-key') AND expires_at <= ?1",
        [now.as_second()],
    )?)
}

/// Document `seq` sent on the call back of `id`, and that it was the latest.
pub fn save_document(conn: &Connection, id: i64, seq: u64, body: &str) -> anyhow::Result<()> {
    exec(
        conn,
        "INSERT INTO own_confirmation_documents (confirmation_id, seq, body) VALUES (?1, ?2, ?3)
         ON CONFLICT (confirmation_id, seq) DO NOTHING",
        params![id, seq as i64, body],
    )?;
    exec(conn, "UPDATE own_confirmations SET seq = max(seq, ?2) WHERE id = ?1", params![id, seq as i64])?;
    Ok(())
}

/// Document `seq` as it was sent on the call back of `id`.
pub fn document(conn: &Connection, id: i64, seq: u64) -> anyhow::Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT body FROM own_confirmation_documents WHERE confirmation_id = ?1 AND seq = ?2")?
        .query_row(params![id, seq as i64], |r| r.get(0))
        .optional()?)
}

/// Makes a confirmed change: in the register (or the good-morning round), in the
/// caller's transaction (which writes its audit entry, `switchboard::confirm`).
pub fn apply(conn: &Connection, participant_id: i64, change: Change, now: Timestamp) -> anyhow::Result<()> {
    // Issue 27: the slow line and a resident's say are not about being rung.
    match change {
        Change::SlowLine(on) => return super::participants::set_slow_line(conn, participant_id, Some(on)),
        Change::HelpersFrom(from) => return super::participants::set_helpers_from(conn, participant_id, from),
        Change::Street(street) => return super::participants::set_street_said(conn, participant_id, street),
        _ => {}
    }
    if change.is_round() {
        super::round::set_paused(conn, participant_id, change == Change::RoundPause, now)?;
        return Ok(());
    }
    let (paused, until) = change.register();
    super::participants::set_paused_by_id(conn, participant_id, paused, until, now)?;
    Ok(())
}

/// Retention: changes asked for before `before` go, and the records of their call backs
/// are deleted at the provider. Returns how many went.
pub fn anonymise_before(conn: &Connection, before: Timestamp, now: Timestamp) -> anyhow::Result<usize> {
    let legs: Vec<String> = conn
        .prepare_cached("SELECT leg_sid FROM own_confirmations WHERE asked_at < ?1 AND leg_sid IS NOT NULL")?
        .query_map([before.as_second()], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for leg in &legs {
        super::provider_jobs::enqueue(conn, super::provider_jobs::Kind::DeleteCall, leg, None, now)?;
    }
    Ok(exec(conn, "DELETE FROM own_confirmations WHERE asked_at < ?1", [before.as_second()])?)
}
