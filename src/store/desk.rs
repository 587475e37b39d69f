//! What the desk's pages read and the few things they change: the call log, one call's
//! timeline, follow-ups, notes, "do not pair", and the anonymous monthly figures.

use jiff::Timestamp;
use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension};

use super::calls::{self, read_logs, read_rows, CallLog, CallRow, CALL_ROW};
pub use super::scope::Scope;
use crate::domain::call::Outcome;
use crate::domain::callback::RequestStatus;
use crate::domain::desk::{percentile, FollowUpReason, FollowUpResult};

fn ts(secs: i64) -> Timestamp {
    Timestamp::from_second(secs).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// The same with unnumbered parameters: the scope's JSON twice.
const CALL_SEEN_UNNUMBERED: &str = "(c.neighbourhood IN (SELECT value FROM json_each(?, '$.keys')) OR (c.neighbourhood IS NULL AND c.dialplan_number IN (SELECT value FROM json_each(?, '$.numbers'))))";

/// A call (`c`) the scope (`?{n}`, `Scope::json`) may see, or any for `NULL`.
fn call_in(n: usize) -> String {
    format!("(?{n} IS NULL OR {})", super::scope::call_seen("c", &format!("?{n}"), &format!("?{n}")))
}

/// One participant's calls: their few thousand calls first, sorted, and only the page's
/// rows joined with the rest (rather than walking the whole log newest first looking
/// for them). `filter` is the `WHERE` clause; the participant's id is ?1, the page size
/// the last parameter.
fn participant_calls(filter: &str) -> String {
    format!(
        "{CALL_ROW} WHERE c.call_sid IN (SELECT c.call_sid FROM (SELECT call_sid FROM attempts WHERE helper_id = ?1 UNION SELECT call_sid FROM calls WHERE caller_id = ?1) s
        CROSS JOIN calls c ON c.call_sid = s.call_sid {filter} ORDER BY c.started_at DESC, c.call_sid DESC LIMIT ?)
      ORDER BY c.started_at DESC, c.call_sid DESC"
    )
}

/// Call-back searches that found nobody are not shown as calls: the request they were
/// for stays listed (on the follow-up page) until it is over, and one request may be tried
/// many times. (`callback-search` is `CallKind::CallbackSearch`.)
const NOT_A_QUIET_SEARCH: &str =
    "NOT (c.kind = 'callback-search' AND c.outcome = 'unmatched' AND c.ended_from = 'ringing')";

/// Calls still going, and calls started since `since`, newest first.
pub fn now_calls(conn: &Connection, since: Timestamp, limit: u32, scope: &Scope) -> anyhow::Result<Vec<CallRow>> {
    // Two index lookups rather than one `OR`, which would scan the whole log.
    let sql = format!(
        "{CALL_ROW} WHERE c.call_sid IN (SELECT call_sid FROM calls WHERE ended_at IS NULL UNION SELECT call_sid FROM calls WHERE started_at >= ?1)
         AND {NOT_A_QUIET_SEARCH} AND {} ORDER BY c.started_at DESC, c.call_sid DESC LIMIT ?2",
        call_in(3)
    );
    read_rows(conn, &sql, params![since.as_second(), limit, scope.json()])
}

/// Whether the Now page shows call `sid` at all (as `now_calls` chooses them, apart from
/// the day): a call-back search that found nobody is not shown, also when it changes live.
pub fn shown_now(conn: &Connection, sid: &str) -> anyhow::Result<bool> {
    Ok(conn
        .prepare_cached(&format!("SELECT count(*) FROM calls c WHERE c.call_sid = ?1 AND {NOT_A_QUIET_SEARCH}"))?
        .query_row([sid], |r| r.get::<_, i64>(0))?
        > 0)
}

/// How many calls started since `since`.
pub fn calls_since(conn: &Connection, since: Timestamp, scope: &Scope) -> anyhow::Result<i64> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT count(*) FROM calls c WHERE c.started_at >= ?1 AND {NOT_A_QUIET_SEARCH} AND {}",
            call_in(2)
        ))?
        .query_row(params![since.as_second(), scope.json()], |r| r.get(0))?)
}

/// The most recent calls in the neighbourhood `(key, number)` (all, for `None`) that the
/// scope allows, newest first, with their attempts (the command line's `calls`): the calls
/// stored with that key, and the older calls without one that came in on its number.
pub fn log_in(
    conn: &Connection,
    neighbourhood: Option<(&str, &str)>,
    limit: u32,
    scope: &Scope,
) -> anyhow::Result<Vec<CallLog>> {
    let (key, number) = neighbourhood.unzip();
    let sql = format!(
        "{CALL_ROW} WHERE (?1 IS NULL OR c.neighbourhood = ?1 OR (c.neighbourhood IS NULL AND c.dialplan_number = ?2))
           AND {} ORDER BY c.started_at DESC, c.rowid DESC LIMIT ?3",
        call_in(4)
    );
    read_logs(conn, &sql, params![key, number, limit, scope.json()])
}

/// The Calls page's filters. Dates are instants: the web layer turns the neighbourhood's
/// calendar days into them.
#[derive(Clone, Debug, Default)]
pub struct CallFilter {
    pub from: Option<Timestamp>,
    pub until: Option<Timestamp>,
    /// Calls that ended so, or (`Some(None)`) calls still going.
    pub outcome: Option<Option<Outcome>>,
    /// A category key, or `none` for calls in which no category was chosen.
    pub category: Option<String>,
    /// Calls in which this participant asked or was rung.
    pub participant: Option<i64>,
    /// Only calls before this one in the log's order (paging).
    pub before: Option<(Timestamp, String)>,
    /// Only calls the account may see.
    pub scope: Scope,
}

/// One page of the log, newest first, using the `calls_by_start` index.
pub fn calls(conn: &Connection, filter: &CallFilter, limit: u32) -> anyhow::Result<Vec<CallRow>> {
    let mut clauses: Vec<&str> = vec![NOT_A_QUIET_SEARCH];
    let mut values: Vec<Value> = Vec::new();
    if let Some(from) = filter.from {
        clauses.push("c.started_at >= ?");
        values.push(Value::Integer(from.as_second()));
    }
    if let Some(until) = filter.until {
        clauses.push("c.started_at < ?");
        values.push(Value::Integer(until.as_second()));
    }
    match filter.outcome {
        None => {}
        Some(None) => clauses.push("c.ended_at IS NULL"),
        Some(Some(outcome)) => {
            clauses.push("c.outcome = ?");
            values.push(Value::Text(outcome.as_str().to_string()));
        }
    }
    match filter.category.as_deref() {
        None => {}
        Some("none") => clauses.push("c.category IS NULL"),
        Some(category) => {
            clauses.push("c.category = ?");
            values.push(Value::Text(category.to_string()));
        }
    }

    if let Some(scope) = filter.scope.json() {
        clauses.push(CALL_SEEN_UNNUMBERED);
        values.push(Value::Text(scope.clone()));
        values.push(Value::Text(scope));
    }
    if let Some((at, sid)) = &filter.before {
        clauses.push("(c.started_at, c.call_sid) < (?, ?)");
        values.push(Value::Integer(at.as_second()));
        values.push(Value::Text(sid.clone()));
    }
    let wher = format!("WHERE {}", clauses.join(" AND "));
    values.push(Value::Integer(i64::from(limit)));
    let sql = match filter.participant {
        Some(id) => {
            // The participant's id is ?1; the other values follow it.
            values.insert(0, Value::Integer(id));
            participant_calls(&wher)
        }
        None => format!("{CALL_ROW} {wher} ORDER BY c.started_at DESC, c.call_sid DESC LIMIT ?"),
    };
    read_rows(conn, &sql, params_from_iter(values))
}

#[derive(Clone, Debug)]
pub struct FollowUp {
    pub id: i64,
    pub call_sid: String,
    pub reason: FollowUpReason,
    pub created_at: Timestamp,
    pub closed_at: Option<Timestamp>,
    pub result: Option<String>,
    pub note: Option<String>,
    pub closed_by: Option<String>,
    /// Call backs that reached nobody.
    pub tries: i64,
    /// The day to try again (YYYY-MM-DD, the desk's time zone), after one that reached nobody.
    pub try_again_on: Option<String>,
    /// The desk account it is assigned to: (id, name).
    pub assigned_to: Option<(i64, String)>,
    /// A message from a neighbour: the call they most recently helped with (within a week).
    pub about_call: Option<String>,
    /// The good-morning round reached nobody: at the top of the queue, red on the Now page.
    pub urgent: bool,
}

/// Everything about one call, for its timeline: the call as the log has it, with its
/// follow-up.
#[derive(Clone, Debug)]
pub struct CallDetail {
    pub log: CallLog,
    pub follow_up: Option<FollowUp>,
}

/// The follow-up reason in column `i`: an unknown word is an error that names it.
fn reason_at(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<FollowUpReason> {
    let word = r.get_ref(i)?.as_str()?;
    FollowUpReason::parse(word)
        .ok_or_else(|| super::UnknownWord { column: "follow_ups.reason", word: word.to_string() }.at(i))
}

fn follow_up_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<FollowUp> {
    Ok(FollowUp {
        id: r.get(0)?,
        call_sid: r.get(1)?,
        reason: reason_at(r, 2)?,
        created_at: ts(r.get(3)?),
        closed_at: r.get::<_, Option<i64>>(4)?.map(ts),
        result: r.get(5)?,
        note: r.get(6)?,
        closed_by: r.get(7)?,
        tries: r.get(8)?,
        try_again_on: r.get(9)?,
        assigned_to: match (r.get::<_, Option<i64>>(10)?, r.get::<_, Option<String>>(11)?) {
            (Some(id), Some(name)) => Some((id, name)),
            _ => None,
        },
        about_call: r.get(12)?,
        urgent: r.get(13)?,
    })
}

const FOLLOW_UP: &str = "SELECT f.id, f.call_sid, f.reason, f.created_at, f.closed_at, f.result, f.note, f.closed_by,
    f.tries, f.try_again_on, f.assigned_to, (SELECT u.name FROM desk_users u WHERE u.id = f.assigned_to), f.about_call, f.urgent FROM follow_ups f";

/// Whether there is a call `call_sid` the account may see.
pub fn call_visible(conn: &Connection, call_sid: &str, scope: &Scope) -> anyhow::Result<bool> {
    Ok(conn
        .prepare_cached(&format!("SELECT EXISTS (SELECT 1 FROM calls c WHERE c.call_sid = ?1 AND {})", call_in(2)))?
        .query_row(params![call_sid, scope.json()], |r| r.get(0))?)
}

/// Whether there is a follow-up `id` of a call the account may see.
pub fn follow_up_visible(conn: &Connection, id: i64, scope: &Scope) -> anyhow::Result<bool> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT EXISTS (SELECT 1 FROM follow_ups f JOIN calls c ON c.call_sid = f.call_sid WHERE f.id = ?1 AND {})",
            call_in(2)
        ))?
        .query_row(params![id, scope.json()], |r| r.get(0))?)
}

/// Whether there is a call-back request `id` on a number the account may see.
pub fn request_visible(conn: &Connection, id: i64, scope: &Scope) -> anyhow::Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM callback_requests c WHERE c.id = ?1
               AND (?2 IS NULL OR c.dialplan_number IN (SELECT value FROM json_each(?2, '$.numbers'))))",
        )?
        .query_row(params![id, scope.json()], |r| r.get(0))?)
}

/// A participant (`p`) in one of the neighbourhoods of the scope's JSON array (`?{n}`), or
/// any for `NULL`.
fn member_in(n: usize) -> String {
    format!("(?{n} IS NULL OR EXISTS (SELECT 1 FROM memberships ms WHERE ms.participant_id = p.id AND ms.neighbourhood IN (SELECT value FROM json_each(?{n}))))")
}

/// The name of participant `id`, when the account may see them.
pub fn participant_name(conn: &Connection, id: i64, scope: &Scope) -> anyhow::Result<Option<String>> {
    Ok(conn
        .prepare_cached(&format!("SELECT p.name FROM participants p WHERE p.id = ?1 AND {}", member_in(2)))?
        .query_row(params![id, scope.keys_json()], |r| r.get(0))
        .optional()?)
}

/// Whether a participant with this number exists whom the account may not see.
pub fn phone_hidden(conn: &Connection, phone: &str, scope: &Scope) -> anyhow::Result<bool> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT EXISTS (SELECT 1 FROM participants p WHERE p.phone = ?1 AND NOT {})",
            member_in(2)
        ))?
        .query_row(params![phone, scope.keys_json()], |r| r.get(0))?)
}

/// One call, if the account may see it.
pub fn call_detail(conn: &Connection, call_sid: &str, scope: &Scope) -> anyhow::Result<Option<CallDetail>> {
    if !call_visible(conn, call_sid, scope)? {
        return Ok(None);
    }
    let Some(log) = calls::call_log(conn, call_sid)? else { return Ok(None) };
    let follow_up =
        conn.query_row(&format!("{FOLLOW_UP} WHERE call_sid = ?1"), [call_sid], follow_up_row).optional()?;
    Ok(Some(CallDetail { log, follow_up }))
}

/// The recording of a call's voicemail, if it still has one and the account may see it.
pub fn voicemail_url(conn: &Connection, call_sid: &str, scope: &Scope) -> anyhow::Result<Option<String>> {
    Ok(conn
        .query_row(
            &format!("SELECT v.recording_url FROM voicemails v JOIN calls c ON c.call_sid = v.call_sid WHERE v.call_sid = ?1 AND {}", call_in(2)),
            params![call_sid, scope.json()],
            |r| r.get(0),
        )
        .optional()?)
}

/// The follow-ups (`f`) of calls the scope's JSON array (`?{n}`) allows.
fn follow_up_in(n: usize) -> String {
    format!("(?{n} IS NULL OR call_sid IN (SELECT c.call_sid FROM calls c WHERE {}))", call_in(n))
}

/// Each follow-up with its call.
fn with_calls(conn: &Connection, ups: Vec<FollowUp>) -> anyhow::Result<Vec<(FollowUp, CallLog)>> {
    let mut out = Vec::with_capacity(ups.len());
    for up in ups {
        if let Some(row) = calls::call_log(conn, &up.call_sid)? {
            out.push((up, row));
        }
    }
    Ok(out)
}

/// Open follow-ups, oldest first, each with its call.
pub fn open_follow_ups(conn: &Connection, limit: u32, scope: &Scope) -> anyhow::Result<Vec<(FollowUp, CallLog)>> {
    let ups = conn
        .prepare_cached(&format!(
            "{FOLLOW_UP} WHERE closed_at IS NULL AND {} ORDER BY urgent DESC, created_at, id LIMIT ?1",
            follow_up_in(2)
        ))?
        .query_map(params![limit, scope.json()], follow_up_row)?
        .collect::<Result<Vec<_>, _>>()?;
    with_calls(conn, ups)
}

/// The open urgent follow-ups (the good-morning round reached nobody), oldest first: the
/// follow-up, the resident's name and street, its reason, and when.
pub fn urgent_follow_ups(conn: &Connection, scope: &Scope) -> anyhow::Result<Vec<Urgent>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT u.id, u.call_sid, coalesce(p.name, ''), coalesce(p.street, ''), u.reason, u.created_at
         FROM (SELECT id, call_sid, reason, created_at FROM follow_ups WHERE closed_at IS NULL AND urgent = 1 AND {}) u
         JOIN calls c ON c.call_sid = u.call_sid LEFT JOIN participants p ON p.id = c.caller_id
         ORDER BY u.created_at, u.id",
        follow_up_in(1)
    ))?;
    let rows = stmt
        .query_map([scope.json()], |r| {
            Ok(Urgent {
                id: r.get(0)?,
                call_sid: r.get(1)?,
                name: r.get(2)?,
                street: r.get(3)?,
                reason: reason_at(r, 4)?,
                created_at: ts(r.get(5)?),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// An open urgent follow-up, for the Now page.
#[derive(Clone, Debug)]
pub struct Urgent {
    pub id: i64,
    pub call_sid: String,
    pub name: String,
    pub street: String,
    pub reason: FollowUpReason,
    pub created_at: Timestamp,
}

/// How many people the desk has something open for (issue 29: the menu and the follow-up
/// page count the same): one per participant, per number when the caller is not
/// registered, per call when it was anonymous; a good-morning round's alarm apart from the
/// same person's requests. The same grouping as `switchboard::desk::follow_up::person_of`.
pub fn open_people_count(conn: &Connection, scope: &Scope) -> anyhow::Result<i64> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT count(DISTINCT CASE
                 WHEN c.caller_id IS NOT NULL THEN f.urgent || 'p' || c.caller_id
                 WHEN c.from_number IS NOT NULL AND c.anonymised_at IS NULL THEN f.urgent || 'n' || c.from_number
                 ELSE 'f' || f.id END)
             FROM follow_ups f JOIN calls c ON c.call_sid = f.call_sid
             WHERE f.closed_at IS NULL AND {}",
            call_in(1)
        ))?
        .query_row([scope.json()], |r| r.get(0))?)
}

/// How many follow-ups (calls) are open, for `/metrics`.
pub fn open_follow_up_count(conn: &Connection, scope: &Scope) -> anyhow::Result<i64> {
    Ok(conn
        .prepare_cached(&format!("SELECT count(*) FROM follow_ups WHERE closed_at IS NULL AND {}", follow_up_in(1)))?
        .query_row([scope.json()], |r| r.get(0))?)
}

/// The number a follow-up's call came in on.
pub fn follow_up_number(conn: &Connection, id: i64) -> anyhow::Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT c.dialplan_number FROM follow_ups f JOIN calls c ON c.call_sid = f.call_sid WHERE f.id = ?1",
            [id],
            |r| r.get(0),
        )
        .optional()?)
}

#[derive(Debug, PartialEq, Eq)]
pub enum Closed {
    Closed,
    /// Someone else closed it first; nothing changed.
    AlreadyClosed,
    NotFound,
}

/// Closes a follow-up with its result. A note is kept with the caller (the participant,
/// or the number when the caller is not registered) for the next coordinator.
pub fn close_follow_up(
    conn: &Connection,
    id: i64,
    result: FollowUpResult,
    note: &str,
    user_name: &str,
    now: Timestamp,
) -> anyhow::Result<Closed> {
    // (call, closed at, caller's participant id, caller's number)
    type Found = (String, Option<i64>, Option<i64>, Option<String>);
    let found: Option<Found> = conn
        .query_row(
            "SELECT f.call_sid, f.closed_at, c.caller_id, c.from_number FROM follow_ups f JOIN calls c ON c.call_sid = f.call_sid WHERE f.id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let Some((call_sid, closed_at, caller_id, from)) = found else { return Ok(Closed::NotFound) };
    if closed_at.is_some() {
        return Ok(Closed::AlreadyClosed);
    }
    let note = note.trim();
    conn.execute(
        "UPDATE follow_ups SET closed_at = ?2, result = ?3, note = ?4, closed_by = ?5 WHERE id = ?1 AND closed_at IS NULL",
        params![id, now.as_second(), result.as_str(), (!note.is_empty()).then_some(note), user_name],
    )?;
    add_step(conn, id, Step::Closed, user_name, result.as_str(), "", now)?;
    if !note.is_empty() && (caller_id.is_some() || from.is_some()) {
        add_note(
            conn,
            caller_id,
            if caller_id.is_some() { None } else { from.as_deref() },
            Some(&call_sid),
            user_name,
            note,
            now,
        )?;
    }
    Ok(Closed::Closed)
}

/// A step in a follow-up's history, besides its opening.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    NotReached,
    Assigned,
    Unassigned,
    Reopened,
    Closed,
}

impl Step {
    pub fn as_str(self) -> &'static str {
        match self {
            Step::NotReached => "not-reached",
            Step::Assigned => "assigned",
            Step::Unassigned => "unassigned",
            Step::Reopened => "reopened",
            Step::Closed => "closed",
        }
    }
}

/// One step as the history shows it.
#[derive(Clone, Debug)]
pub struct StepRow {
    pub follow_up_id: i64,
    pub at: Timestamp,
    pub user_name: String,
    pub step: String,
    pub detail: String,
    /// The desk's note on the step ("Niet bereikt": who answered, when to call), or empty.
    pub note: String,
}

fn add_step(
    conn: &Connection,
    id: i64,
    step: Step,
    user_name: &str,
    detail: &str,
    note: &str,
    now: Timestamp,
) -> anyhow::Result<()> {
    conn.prepare_cached(
        "INSERT INTO follow_up_steps (follow_up_id, at, user_name, step, detail, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![id, now.as_second(), user_name, step.as_str(), detail, note.trim()])?;
    Ok(())
}

/// The open follow-ups of the same person as follow-up `id` (the same participant, or the
/// same number when the caller is not registered; an anonymous call is its own), in the
/// scope, oldest first; empty when `id` is not open or not in the scope. An urgent one
/// (the good-morning round) and the person's own requests are apart (issue 29): what the
/// desk does about a morning's alarm never closes their request for a lift, nor the other
/// way round. The desk's queue groups them the same way (`switchboard::desk::follow_up::person_of`).
pub fn same_person_open(conn: &Connection, id: i64, scope: &Scope) -> anyhow::Result<Vec<i64>> {
    let sql = format!(
        "SELECT f.id FROM follow_ups f JOIN calls c ON c.call_sid = f.call_sid
         JOIN (SELECT c0.caller_id, c0.from_number, f0.urgent FROM follow_ups f0 JOIN calls c0 ON c0.call_sid = f0.call_sid
               WHERE f0.id = ?1 AND f0.closed_at IS NULL) me
         WHERE f.closed_at IS NULL AND {} AND f.urgent = me.urgent
           AND (f.id = ?1
                OR (me.caller_id IS NOT NULL AND c.caller_id = me.caller_id)
                OR (me.caller_id IS NULL AND me.from_number IS NOT NULL AND c.caller_id IS NULL AND c.from_number = me.from_number))
         ORDER BY f.created_at, f.id",
        call_in(2)
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let ids = stmt.query_map(params![id, scope.json()], |r| r.get(0))?.collect::<Result<Vec<i64>, _>>()?;
    Ok(ids)
}

/// A call back that reached nobody: counted, to be tried again on `day` (YYYY-MM-DD),
/// with the desk's note on the try (may be empty); the follow-ups stay open.
pub fn not_reached(
    conn: &Connection,
    ids: &[i64],
    day: &str,
    note: &str,
    user_name: &str,
    now: Timestamp,
) -> anyhow::Result<()> {
    for &id in ids {
        conn.execute(
            "UPDATE follow_ups SET tries = tries + 1, try_again_on = ?2 WHERE id = ?1 AND closed_at IS NULL",
            params![id, day],
        )?;
        add_step(conn, id, Step::NotReached, user_name, day, note, now)?;
    }
    Ok(())
}

/// Assigns open follow-ups to a desk account (its id and name), or to nobody.
pub fn assign(
    conn: &Connection,
    ids: &[i64],
    to: Option<(i64, &str)>,
    user_name: &str,
    now: Timestamp,
) -> anyhow::Result<()> {
    for &id in ids {
        conn.execute(
            "UPDATE follow_ups SET assigned_to = ?2 WHERE id = ?1 AND closed_at IS NULL",
            params![id, to.map(|(u, _)| u)],
        )?;
        match to {
            Some((_, name)) => add_step(conn, id, Step::Assigned, user_name, name, "", now)?,
            None => add_step(conn, id, Step::Unassigned, user_name, "", "", now)?,
        }
    }
    Ok(())
}

/// Opens a closed follow-up again (its result and note are kept in the history).
pub fn reopen(conn: &Connection, id: i64, user_name: &str, now: Timestamp) -> anyhow::Result<bool> {
    let previous: Option<String> = conn
        .query_row("SELECT result FROM follow_ups WHERE id = ?1 AND closed_at IS NOT NULL", [id], |r| r.get(0))
        .optional()?
        .flatten();
    let changed = conn.execute(
        "UPDATE follow_ups SET closed_at = NULL, result = NULL, note = NULL, closed_by = NULL WHERE id = ?1 AND closed_at IS NOT NULL",
        [id],
    )?;
    if changed == 0 {
        return Ok(false);
    }
    add_step(conn, id, Step::Reopened, user_name, previous.as_deref().unwrap_or(""), "", now)?;
    Ok(true)
}

/// Follow-ups closed since `since`, newest first, with their calls.
pub fn closed_follow_ups(
    conn: &Connection,
    since: Timestamp,
    limit: u32,
    scope: &Scope,
) -> anyhow::Result<Vec<(FollowUp, CallLog)>> {
    let ups = conn
        .prepare_cached(&format!(
            "{FOLLOW_UP} WHERE f.closed_at >= ?1 AND {} ORDER BY f.closed_at DESC, f.id DESC LIMIT ?2",
            follow_up_in(3)
        ))?
        .query_map(params![since.as_second(), limit, scope.json()], follow_up_row)?
        .collect::<Result<Vec<_>, _>>()?;
    with_calls(conn, ups)
}

/// The steps of these follow-ups, oldest first.
pub fn steps(conn: &Connection, ids: &[i64]) -> anyhow::Result<Vec<StepRow>> {
    let json = serde_json::to_string(ids)?;
    let mut stmt = conn.prepare_cached(
        "SELECT follow_up_id, at, user_name, step, detail, note FROM follow_up_steps
         WHERE follow_up_id IN (SELECT value FROM json_each(?1)) ORDER BY at, id",
    )?;
    let rows = stmt
        .query_map([json], |r| {
            Ok(StepRow {
                follow_up_id: r.get(0)?,
                at: ts(r.get(1)?),
                user_name: r.get(2)?,
                step: r.get(3)?,
                detail: r.get(4)?,
                note: r.get(5)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// The steps of every follow-up of a participant's calls as caller, oldest first.
pub fn steps_of_participant(conn: &Connection, participant: i64) -> anyhow::Result<Vec<StepRow>> {
    let ids: Vec<i64> = conn
        .prepare_cached("SELECT f.id FROM follow_ups f JOIN calls c ON c.call_sid = f.call_sid WHERE c.caller_id = ?1")?
        .query_map([participant], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    steps(conn, &ids)
}

/// The caller (a participant) of a call, if known.
pub fn caller_of_call(conn: &Connection, call_sid: &str) -> anyhow::Result<Option<i64>> {
    Ok(conn
        .query_row("SELECT caller_id FROM calls WHERE call_sid = ?1", [call_sid], |r| r.get(0))
        .optional()?
        .flatten())
}

/// The caller (a participant) of a follow-up's call, if known.
pub fn caller_of_follow_up(conn: &Connection, id: i64) -> anyhow::Result<Option<i64>> {
    Ok(conn
        .query_row(
            "SELECT c.caller_id FROM follow_ups f JOIN calls c ON c.call_sid = f.call_sid WHERE f.id = ?1",
            [id],
            |r| r.get(0),
        )
        .optional()?
        .flatten())
}

/// What `/metrics` counts: calls by outcome, attempts by result, open follow-ups.
pub type Counts = (Vec<(String, i64)>, Vec<(String, i64)>, i64);

pub fn counts(conn: &Connection) -> anyhow::Result<Counts> {
    let pairs = |sql: &str| -> anyhow::Result<Vec<(String, i64)>> {
        let mut stmt = conn.prepare_cached(sql)?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    };
    let calls = pairs("SELECT coalesce(outcome, 'in_progress'), count(*) FROM calls GROUP BY 1 ORDER BY 1")?;
    let attempts = pairs("SELECT coalesce(result, 'ringing'), count(*) FROM attempts GROUP BY 1 ORDER BY 1")?;
    Ok((calls, attempts, open_follow_up_count(conn, &Scope::all())?))
}

/// Whether the database answers.
pub fn ping(conn: &Connection) -> anyhow::Result<bool> {
    Ok(conn.query_row("SELECT 1", [], |r| r.get::<_, i64>(0))? == 1)
}

/// A note about a person.
#[derive(Clone, Debug)]
pub struct Note {
    pub id: i64,
    pub at: Timestamp,
    pub author: String,
    pub text: String,
    pub call_sid: Option<String>,
}

pub fn add_note(
    conn: &Connection,
    participant_id: Option<i64>,
    phone: Option<&str>,
    call_sid: Option<&str>,
    author: &str,
    text: &str,
    now: Timestamp,
) -> anyhow::Result<()> {
    conn.execute(
        "INSERT INTO notes (participant_id, phone, call_sid, author, at, text) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![participant_id, phone, call_sid, author, now.as_second(), text.trim()],
    )?;
    Ok(())
}

/// Notes about a person: kept with the participant, or with their number.
pub fn notes_for(conn: &Connection, participant_id: Option<i64>, phone: Option<&str>) -> anyhow::Result<Vec<Note>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, at, author, text, call_sid FROM notes
         WHERE (?1 IS NOT NULL AND participant_id = ?1) OR (?2 IS NOT NULL AND phone = ?2) ORDER BY at DESC, id DESC LIMIT 100",
    )?;
    let rows = stmt
        .query_map(params![participant_id, phone], |r| {
            Ok(Note { id: r.get(0)?, at: ts(r.get(1)?), author: r.get(2)?, text: r.get(3)?, call_sid: r.get(4)? })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// The people `id` is never paired with: (id, name).
pub fn do_not_pair(conn: &Connection, id: i64) -> anyhow::Result<Vec<(i64, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT p.id, p.name FROM do_not_pair d JOIN participants p ON p.id = CASE WHEN d.a = ?1 THEN d.b ELSE d.a END
         WHERE d.a = ?1 OR d.b = ?1 ORDER BY p.name",
    )?;
    let rows = stmt.query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

pub fn set_do_not_pair(conn: &Connection, one: i64, other: i64, apart: bool, now: Timestamp) -> anyhow::Result<()> {
    let (a, b) = (one.min(other), one.max(other));
    if a == b {
        anyhow::bail!("a person cannot be kept apart from themselves");
    }
    if apart {
        conn.execute(
            "INSERT OR IGNORE INTO do_not_pair (a, b, created_at) VALUES (?1, ?2, ?3)",
            params![a, b, now.as_second()],
        )?;
    } else {
        conn.execute("DELETE FROM do_not_pair WHERE a = ?1 AND b = ?2", params![a, b])?;
    }
    Ok(())
}

/// Figures for one month (or one category in it): anonymous totals only.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Figures {
    /// `None` for the month's total over all categories; `Some("")` for calls in which no
    /// category was chosen.
    pub category: Option<String>,
    pub calls: i64,
    pub matched: i64,
    pub unmatched: i64,
    pub median_wait_seconds: Option<i64>,
    pub p90_wait_seconds: Option<i64>,
    pub helpers_active: i64,
    pub asked_and_helped: i64,
    /// Different registered residents who were put through to a neighbour.
    pub residents_helped: i64,
}

/// How the follow-ups opened in `[from, until)` were closed: (result, how many), and how
/// many are still open (result `None`). From `follow_ups_by_created`; a call is looked up
/// only to check an account's scope.
pub fn follow_up_results(
    conn: &Connection,
    from: Timestamp,
    until: Timestamp,
    scope: &Scope,
) -> anyhow::Result<Vec<(Option<String>, i64)>> {
    let sql = format!(
        "SELECT f.result, count(*) FROM follow_ups f INDEXED BY follow_ups_by_created
         WHERE f.created_at >= ?1 AND f.created_at < ?2
           AND (?3 IS NULL OR EXISTS (SELECT 1 FROM calls c WHERE c.call_sid = f.call_sid AND {}))
         GROUP BY f.result ORDER BY f.result",
        call_in(3)
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt
        .query_map(params![from.as_second(), until.as_second(), scope.json()], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// The figures of the calls started in `[from, until)` on `number` (every number, for
/// `None`): the total first, then per category. One pass over the month's calls (from the
/// `calls_by_start` index) and their matches.
pub fn figures(conn: &Connection, from: Timestamp, until: Timestamp, scope: &Scope) -> anyhow::Result<Vec<Figures>> {
    use std::collections::{BTreeMap, HashSet};
    #[derive(Default)]
    struct Tally {
        calls: i64,
        matched: i64,
        unmatched: i64,
        waits: Vec<i64>,
        helpers: HashSet<i64>,
        callers: HashSet<i64>,
        helped: HashSet<i64>,
    }
    let mut by_category: BTreeMap<String, Tally> = BTreeMap::new();
    let mut all = Tally::default();
    // Calls that came in (`callback-search` is `CallKind::CallbackSearch`; a `planned` row
    // is the desk's follow-up of a request for later, not a call: issue 28); a call whose caller was
    // called back later and helped counts as matched (its wait is not a wait on the line,
    // so it is left out of the waits). The call-back searches themselves are not calls;
    // requests the desk took itself (no call) count once each. Someone erased on request
    // is counted by the stand-in their calls keep (a negative number, never an id). A
    // participant's call for their own settings (or a message) asked for no help.
    let connected = RequestStatus::Connected.as_str();
    let in_progress = super::callbacks::sql_list(&RequestStatus::IN_PROGRESS);
    let (matched, unmatched) = (Outcome::Matched.as_str(), Outcome::Unmatched.as_str());
    let not_requests = Outcome::ALL
        .iter()
        .filter(|o| !o.is_request())
        .map(|o| format!("'{}'", o.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    let call_in = call_in(3);
    let sql = format!(
        "SELECT coalesce(c.category, ''), CASE WHEN called_back.helper_id IS NOT NULL THEN '{matched}' ELSE c.outcome END,
                coalesce(c.caller_id, -c.erased_caller), coalesce(m.helper_id, -m.erased_helper, called_back.helper_id), m.wait_seconds
         FROM calls c LEFT JOIN matches m ON m.call_sid = c.call_sid
         LEFT JOIN (SELECT call_sid, max(helper_id) AS helper_id FROM callback_requests WHERE call_sid IS NOT NULL AND status = '{connected}' GROUP BY call_sid) called_back
           ON called_back.call_sid = c.call_sid
         WHERE c.started_at >= ?1 AND c.started_at < ?2 AND c.kind NOT IN ('callback-search', 'planned') AND {call_in}
           AND c.phase NOT IN ('settings', 'message') AND coalesce(c.outcome, '') NOT IN ({not_requests})
         UNION ALL
         SELECT r.category, CASE WHEN r.status = '{connected}' THEN '{matched}' WHEN r.status IN ({in_progress}) THEN NULL ELSE '{unmatched}' END, r.participant_id, r.helper_id, NULL
         FROM callback_requests r WHERE r.call_sid IS NULL AND r.created_at >= ?1 AND r.created_at < ?2 AND (?3 IS NULL OR r.dialplan_number IN (SELECT value FROM json_each(?3, '$.numbers')))",
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(params![from.as_second(), until.as_second(), scope.json()])?;
    while let Some(r) = rows.next()? {
        let category: String = r.get(0)?;
        let outcome = match r.get_ref(1)?.as_str_or_null()? {
            Some(word) => Some(calls::outcome_parse(word)?),
            None => None,
        };
        let caller: Option<i64> = r.get(2)?;
        let helper: Option<i64> = r.get(3)?;
        let wait: Option<i64> = r.get(4)?;
        let t = by_category.entry(category).or_default();
        for t in [&mut *t, &mut all] {
            t.calls += 1;
            match outcome {
                Some(Outcome::Matched) => t.matched += 1,
                Some(_) => t.unmatched += 1,
                None => {}
            }
            if let Some(w) = wait {
                t.waits.push(w);
            }
            t.helpers.extend(helper);
            t.callers.extend(caller);
            if outcome == Some(Outcome::Matched) {
                t.helped.extend(caller);
            }
        }
    }
    let finish = |category: Option<String>, t: &mut Tally, helpers: &HashSet<i64>| Figures {
        category,
        calls: t.calls,
        matched: t.matched,
        unmatched: t.unmatched,
        median_wait_seconds: percentile(&mut t.waits, 50),
        p90_wait_seconds: percentile(&mut t.waits, 90),
        helpers_active: t.helpers.len() as i64,
        // People who asked (in this category) and also helped someone this month.
        asked_and_helped: t.callers.intersection(helpers).count() as i64,
        residents_helped: t.helped.len() as i64,
    };
    let helpers = all.helpers.clone();
    let mut out = vec![finish(None, &mut all, &helpers)];
    for (category, mut t) in by_category {
        out.push(finish(Some(category), &mut t, &helpers));
    }
    Ok(out)
}
