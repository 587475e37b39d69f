//! Call back later: open requests, and the searches run for them.
//!
//! A search for an open request is a row in `calls` of its own (of kind
//! `CallKind::CallbackSearch`, the resident as its caller), so the wave machinery
//! (`store::waves`, `attempts`, `matches`) works for it unchanged.

use jiff::Timestamp;
use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::domain::callback::RequestStatus;
use crate::domain::phone::PhoneNumber;

use super::exec;

/// A unique call sid for call-back search number `try_number` for request `id`, started at
/// `now` (no provider call has it; what the row is, is its `kind`, never read from this).
pub fn search_sid(id: i64, try_number: u32, now: Timestamp) -> String {
    format!("CB{:016x}{:016x}", now.as_second() as u64, id as u64 * 1000 + u64::from(try_number))
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    pub id: i64,
    pub dialplan_number: String,
    pub call_sid: Option<String>,
    pub participant_id: Option<i64>,
    pub phone: Option<String>,
    pub category: String,
    pub status: RequestStatus,
    pub created_at: Timestamp,
    pub open_until: Timestamp,
    pub next_try_at: Timestamp,
    pub tries: u32,
    pub search_sid: Option<String>,
    pub helper_id: Option<i64>,
}

const COLUMNS: &str = "id, dialplan_number, call_sid, participant_id, phone, category, status, created_at, open_until, next_try_at, tries, search_sid, helper_id";

impl rusqlite::types::ToSql for RequestStatus {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(self.as_str().into())
    }
}

impl rusqlite::types::FromSql for RequestStatus {
    fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        let text = value.as_str()?;
        RequestStatus::parse(text).ok_or_else(|| {
            rusqlite::types::FromSqlError::Other(format!("unknown call-back request status {text:?}").into())
        })
    }
}

/// `'open', 'searching'`: a list of statuses for an SQL `IN (...)`.
pub(super) fn sql_list(statuses: &[RequestStatus]) -> String {
    statuses.iter().map(|s| format!("'{}'", s.as_str())).collect::<Vec<_>>().join(", ")
}

fn ts(s: i64) -> Timestamp {
    Timestamp::from_second(s).unwrap_or(Timestamp::UNIX_EPOCH)
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<Request> {
    Ok(Request {
        id: r.get(0)?,
        dialplan_number: r.get(1)?,
        call_sid: r.get(2)?,
        participant_id: r.get(3)?,
        phone: r.get(4)?,
        category: r.get(5)?,
        status: r.get(6)?,
        created_at: ts(r.get(7)?),
        open_until: ts(r.get(8)?),
        next_try_at: ts(r.get(9)?),
        tries: r.get(10)?,
        search_sid: r.get(11)?,
        helper_id: r.get(12)?,
    })
}

/// A new open request (opened through `switchboard::callbacks::open`). Returns its id.
#[allow(clippy::too_many_arguments)]
pub fn open(
    conn: &Connection,
    dialplan_number: &str,
    call_sid: Option<&str>,
    participant_id: Option<i64>,
    phone: &PhoneNumber,
    category: &str,
    now: Timestamp,
    open_until: Timestamp,
    first_try_at: Timestamp,
) -> anyhow::Result<i64> {
    exec(conn,
        "INSERT INTO callback_requests (dialplan_number, call_sid, participant_id, phone, category, status, created_at, open_until, next_try_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?9, ?6, ?7, ?8)",
        params![dialplan_number, call_sid, participant_id, phone.as_str(), category, now.as_second(), open_until.as_second(), first_try_at.as_second(), RequestStatus::Open],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Requests still in progress (or all of them) on the scope's numbers, oldest first.
pub fn list(conn: &Connection, all: bool, scope: &super::scope::Scope) -> anyhow::Result<Vec<Request>> {
    let filter = if all { "1".into() } else { format!("status IN ({})", sql_list(&RequestStatus::IN_PROGRESS)) };
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM callback_requests WHERE {filter} AND (?1 IS NULL OR dialplan_number IN (SELECT value FROM json_each(?1, '$.numbers'))) ORDER BY created_at, id"))?;
    let rows = stmt.query_map([scope.json()], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Open requests whose next try is due.
pub fn due(conn: &Connection, now: Timestamp) -> anyhow::Result<Vec<Request>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM callback_requests WHERE status = ?2 AND next_try_at <= ?1 ORDER BY next_try_at, id"
    ))?;
    let rows = stmt.query_map(params![now.as_second(), RequestStatus::Open], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Requests left open past their end: expired (the desk follows them up).
pub fn expire(conn: &Connection, now: Timestamp) -> anyhow::Result<usize> {
    Ok(exec(
        conn,
        "UPDATE callback_requests SET status = ?2 WHERE status = ?3 AND open_until <= ?1",
        params![now.as_second(), RequestStatus::Expired, RequestStatus::Open],
    )?)
}

pub fn by_search(conn: &Connection, search_sid: &str) -> anyhow::Result<Option<Request>> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM callback_requests WHERE search_sid = ?1"))?
        .query_row([search_sid], from_row)
        .optional()?)
}

pub fn start_search(conn: &Connection, id: i64, search_sid: &str) -> anyhow::Result<()> {
    exec(
        conn,
        "UPDATE callback_requests SET status = ?3, search_sid = ?2, tries = tries + 1 WHERE id = ?1",
        params![id, search_sid, RequestStatus::Searching],
    )?;
    Ok(())
}

/// The search found nobody: try again at `next_try_at` (or expire).
pub fn search_failed(conn: &Connection, id: i64, next_try_at: Timestamp) -> anyhow::Result<()> {
    exec(conn,
        "UPDATE callback_requests SET status = CASE WHEN open_until <= ?2 THEN ?3 ELSE ?4 END, next_try_at = ?2 WHERE id = ?1",
        params![id, next_try_at.as_second(), RequestStatus::Expired, RequestStatus::Open],
    )?;
    Ok(())
}

/// A helper said yes: the resident is being called.
pub fn calling(conn: &Connection, id: i64, helper_id: i64) -> anyhow::Result<()> {
    exec(
        conn,
        "UPDATE callback_requests SET status = ?3, helper_id = ?2 WHERE id = ?1",
        params![id, helper_id, RequestStatus::Calling],
    )?;
    Ok(())
}

pub fn set_resident_leg(conn: &Connection, id: i64, leg_sid: &str) -> anyhow::Result<()> {
    exec(conn, "UPDATE callback_requests SET resident_leg_sid = ?2 WHERE id = ?1", params![id, leg_sid])?;
    Ok(())
}

/// The resident's call, once the provider has created it.
pub fn resident_leg(conn: &Connection, id: i64) -> anyhow::Result<Option<String>> {
    Ok(conn
        .query_row("SELECT resident_leg_sid FROM callback_requests WHERE id = ?1", [id], |r| r.get(0))
        .optional()?
        .flatten())
}

/// How a request that reached a resident ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Finished {
    Connected,
    Unanswered,
}

/// The request is over: the resident was put through, or did not answer.
pub fn finish(conn: &Connection, id: i64, finished: Finished) -> anyhow::Result<()> {
    let status = match finished {
        Finished::Connected => RequestStatus::Connected,
        Finished::Unanswered => RequestStatus::Unanswered,
    };
    exec(
        conn,
        "UPDATE callback_requests SET status = ?2 WHERE id = ?1 AND status IN (?3, ?4)",
        params![id, status, RequestStatus::Searching, RequestStatus::Calling],
    )?;
    Ok(())
}

/// Ends a search's own call row that found nobody, without a follow-up for the desk (the
/// request itself stays open, or expires and is listed).
pub fn end_search_call(conn: &Connection, search_sid: &str, now: Timestamp) -> anyhow::Result<()> {
    exec(
        conn,
        "UPDATE calls SET phase = 'ended', ended_from = 'ringing', outcome = ?3, ended_at = ?2 WHERE call_sid = ?1",
        params![search_sid, now.as_second(), crate::domain::call::Outcome::Unmatched.as_str()],
    )?;
    Ok(())
}

/// What a follow-up's call gives a call-back request: (dialplan number, call, caller,
/// number, kind of help); `None` for an unknown follow-up.
pub type FollowUpCall = (String, String, Option<i64>, Option<String>, Option<String>);

pub fn follow_up_call(conn: &Connection, follow_up_id: i64) -> anyhow::Result<Option<FollowUpCall>> {
    Ok(conn
        .query_row(
            "SELECT c.dialplan_number, c.call_sid, c.caller_id, c.from_number, c.category FROM follow_ups f JOIN calls c ON c.call_sid = f.call_sid WHERE f.id = ?1",
            [follow_up_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .optional()?)
}

/// Requests the desk took itself (no call of theirs): those in progress, and those made
/// since `since`; newest first.
pub fn taken_at_desk(conn: &Connection, since: Timestamp, scope: &super::scope::Scope) -> anyhow::Result<Vec<Request>> {
    let in_progress = sql_list(&RequestStatus::IN_PROGRESS);
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM callback_requests WHERE call_sid IS NULL AND (status IN ({in_progress}) OR created_at >= ?1) AND (?2 IS NULL OR dialplan_number IN (SELECT value FROM json_each(?2, '$.numbers'))) ORDER BY created_at DESC, id DESC LIMIT 100"
    ))?;
    let rows = stmt.query_map(rusqlite::params![since.as_second(), scope.json()], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn find(conn: &Connection, id: i64) -> anyhow::Result<Option<Request>> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM callback_requests WHERE id = ?1"))?
        .query_row([id], from_row)
        .optional()?)
}

/// The newest call-back request for a call (for the desk's follow-up page).
pub fn latest_for_call(conn: &Connection, call_sid: &str) -> anyhow::Result<Option<Request>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM callback_requests WHERE call_sid = ?1 ORDER BY id DESC LIMIT 1"
        ))?
        .query_row([call_sid], from_row)
        .optional()?)
}

/// The desk stops looking: the request is closed. Only a request still waiting for its next
/// try or being searched for can be stopped (not while the resident is being called).
/// Returns whether it was.
pub fn stop(conn: &Connection, id: i64) -> anyhow::Result<bool> {
    let sql = format!(
        "UPDATE callback_requests SET status = ?2 WHERE id = ?1 AND status IN ({})",
        sql_list(&RequestStatus::STOPPABLE)
    );
    Ok(exec(conn, &sql, params![id, RequestStatus::Closed])? == 1)
}

/// The resident was called back and put through to a neighbour: the follow-up of the call
/// the request came from is done (solved by a neighbour, closed by the switchboard).
pub fn close_follow_up_of(conn: &Connection, call_sid: &str, now: Timestamp) -> anyhow::Result<()> {
    exec(conn,
        "UPDATE follow_ups SET closed_at = ?2, result = 'solved-by-neighbour', closed_by = 'Burenlijn' WHERE call_sid = ?1 AND closed_at IS NULL",
        params![call_sid, now.as_second()],
    )?;
    Ok(())
}

/// Whether a call-back request for this call is still in progress.
pub fn in_progress_for_call(conn: &Connection, call_sid: &str) -> anyhow::Result<bool> {
    let sql = format!(
        "SELECT count(*) FROM callback_requests WHERE call_sid = ?1 AND status IN ({})",
        sql_list(&RequestStatus::IN_PROGRESS)
    );
    let n: i64 = conn.prepare_cached(&sql)?.query_row([call_sid], |r| r.get(0))?;
    Ok(n > 0)
}
