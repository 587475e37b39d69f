//! Help for later (issue 28, migration `024_planned_requests.sql`): planned requests
//! (`planned_requests`) and every call made about one (`planned_calls`), each a row before
//! it is asked of the provider and placed at most once (`start_placing`). Each neighbour
//! is asked at most once per request (a unique index). A request the desk must follow up
//! gets a `calls` row of kind `planned` and an urgent follow-up (`for_the_desk`).

use jiff::civil::DateTime;
use jiff::Timestamp;
use rusqlite::{params, Connection, OptionalExtension};
use rustc_hash::FxHashSet;

use super::participants::RegistryCache;
use super::{exec, UnknownWord};
use crate::domain::desk::FollowUpReason;
use crate::domain::planned::{CallResult, Purpose, Status};
use crate::domain::ranking::Candidate;

/// One planned request, as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    pub id: i64,
    pub neighbourhood: String,
    pub dialplan_number: String,
    pub category: String,
    /// The help's local time, in the neighbourhood's zone.
    pub at: DateTime,
    pub at_ts: Timestamp,
    pub cutoff: Timestamp,
    pub requester_id: Option<i64>,
    pub helper_id: Option<i64>,
    pub note: Option<String>,
    pub status: Status,
    /// `phone` or `desk`, once matched.
    pub matched_by: Option<String>,
    pub created_at: Timestamp,
    /// When its status last changed (when it was matched, for a matched one).
    pub decided_at: Option<Timestamp>,
}

/// One call about a planned request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    pub id: i64,
    pub request_id: i64,
    pub purpose: Purpose,
    pub participant_id: Option<i64>,
    pub created_at: Timestamp,
    pub placed_at: Option<Timestamp>,
    pub leg_sid: Option<String>,
    pub key: Option<String>,
    pub result: Option<CallResult>,
}

/// A new request, checked (`switchboard::planned::add`).
pub struct NewRequest<'a> {
    pub neighbourhood: &'a str,
    pub dialplan_number: &'a str,
    pub category: &'a str,
    pub at: DateTime,
    pub at_ts: Timestamp,
    pub cutoff: Timestamp,
    pub requester_id: i64,
    pub note: Option<&'a str>,
}

fn ts(seconds: i64) -> Timestamp {
    Timestamp::from_second(seconds).unwrap_or(Timestamp::UNIX_EPOCH)
}

fn unknown(column: &'static str, word: &str) -> anyhow::Error {
    UnknownWord { column, word: word.to_string() }.into()
}

const REQUEST_COLUMNS: &str =
    "id, neighbourhood, dialplan_number, category, at, at_ts, cutoff_at, requester_id, helper_id,
     note, status, matched_by, created_at, decided_at";

type RawRequest = (Request, String, String);

fn request_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawRequest> {
    Ok((
        Request {
            id: r.get(0)?,
            neighbourhood: r.get(1)?,
            dialplan_number: r.get(2)?,
            category: r.get(3)?,
            at: DateTime::constant(2000, 1, 1, 0, 0, 0, 0),
            at_ts: ts(r.get(5)?),
            cutoff: ts(r.get(6)?),
            requester_id: r.get(7)?,
            helper_id: r.get(8)?,
            note: r.get(9)?,
            status: Status::Asking,
            matched_by: r.get(11)?,
            created_at: ts(r.get(12)?),
            decided_at: r.get::<_, Option<i64>>(13)?.map(ts),
        },
        r.get(4)?,
        r.get(10)?,
    ))
}

fn request_finish((mut request, at, status): RawRequest) -> anyhow::Result<Request> {
    request.at = at.parse().map_err(|_| unknown("planned_requests.at", &at))?;
    request.status = Status::parse(&status).ok_or_else(|| unknown("planned_requests.status", &status))?;
    Ok(request)
}

const CALL_COLUMNS: &str = "id, request_id, purpose, participant_id, created_at, placed_at, leg_sid, key, result";

type RawCall = (Call, String, Option<String>);

fn call_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawCall> {
    Ok((
        Call {
            id: r.get(0)?,
            request_id: r.get(1)?,
            purpose: Purpose::Ask,
            participant_id: r.get(3)?,
            created_at: ts(r.get(4)?),
            placed_at: r.get::<_, Option<i64>>(5)?.map(ts),
            leg_sid: r.get(6)?,
            key: r.get(7)?,
            result: None,
        },
        r.get(2)?,
        r.get(8)?,
    ))
}

fn call_finish((mut call, purpose, result): RawCall) -> anyhow::Result<Call> {
    call.purpose = Purpose::parse(&purpose).ok_or_else(|| unknown("planned_calls.purpose", &purpose))?;
    call.result =
        result.map(|r| CallResult::parse(&r).ok_or_else(|| unknown("planned_calls.result", &r))).transpose()?;
    Ok(call)
}

/// Keeps a new request, asking. Returns its id.
pub fn add(conn: &Connection, new: &NewRequest<'_>, now: Timestamp) -> anyhow::Result<i64> {
    exec(
        conn,
        "INSERT INTO planned_requests (neighbourhood, dialplan_number, category, at, at_ts, cutoff_at, requester_id, note,
                                       status, taken_by, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'desk', ?10)",
        params![
            new.neighbourhood,
            new.dialplan_number,
            new.category,
            new.at.to_string(),
            new.at_ts.as_second(),
            new.cutoff.as_second(),
            new.requester_id,
            new.note,
            Status::Asking.as_str(),
            now.as_second()
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

pub fn load(conn: &Connection, id: i64) -> anyhow::Result<Option<Request>> {
    let sql = format!("SELECT {REQUEST_COLUMNS} FROM planned_requests WHERE id = ?1");
    conn.prepare_cached(&sql)?.query_row([id], request_row).optional()?.map(request_finish).transpose()
}

/// Every request, the soonest help first (the CLI's and the desk's list).
pub fn list(conn: &Connection) -> anyhow::Result<Vec<Request>> {
    let sql = format!("SELECT {REQUEST_COLUMNS} FROM planned_requests ORDER BY at_ts, id");
    let rows = conn.prepare_cached(&sql)?.query_map([], request_row)?.collect::<Result<Vec<_>, _>>()?;
    rows.into_iter().map(request_finish).collect()
}

/// The soonest request still to come that `requester` asked for, after `now`: what a
/// registered caller hears first at the menu (one row by the open requests' index, not the
/// whole table, on the webhook's path).
pub fn upcoming_for(conn: &Connection, requester: i64, now: Timestamp) -> anyhow::Result<Option<Request>> {
    // The open statuses by their one mapping (`Status::is_open`), as the index lists them.
    let open: Vec<String> =
        Status::ALL.into_iter().filter(|s| s.is_open()).map(|s| format!("'{}'", s.as_str())).collect();
    let sql = format!(
        "SELECT {REQUEST_COLUMNS} FROM planned_requests
         WHERE requester_id = ?1 AND at_ts > ?2 AND status IN ({})
         ORDER BY at_ts, id LIMIT 1",
        open.join(", ")
    );
    let row = conn.prepare_cached(&sql)?.query_row(params![requester, now.as_second()], request_row).optional()?;
    row.map(request_finish).transpose()
}

/// The neighbours of `neighbourhood` who help with `category`, by name: (id, name, phone),
/// whom the desk may match with a request by hand.
pub fn helpers_for(
    conn: &Connection,
    neighbourhood: &str,
    category: &str,
) -> anyhow::Result<Vec<(i64, String, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT p.id, p.name, p.phone FROM participants p
         JOIN offers o ON o.participant_id = p.id AND o.category = ?2
         WHERE EXISTS (SELECT 1 FROM memberships ms WHERE ms.participant_id = p.id AND ms.neighbourhood = ?1)
         ORDER BY p.name COLLATE NOCASE, p.id",
    )?;
    let rows = stmt.query_map([neighbourhood, category], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The requests still asking neighbours.
pub fn asking(conn: &Connection) -> anyhow::Result<Vec<i64>> {
    Ok(conn
        .prepare_cached("SELECT id FROM planned_requests WHERE status = 'asking' ORDER BY at_ts, id")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?)
}

/// The requests matched and not yet confirmed (the reminder the day before).
pub fn matched(conn: &Connection) -> anyhow::Result<Vec<i64>> {
    Ok(conn
        .prepare_cached("SELECT id FROM planned_requests WHERE status = 'matched' ORDER BY at_ts, id")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?)
}

/// The requests with a helper (matched or confirmed): the call afterwards.
pub fn with_helper(conn: &Connection) -> anyhow::Result<Vec<i64>> {
    Ok(conn
        .prepare_cached("SELECT id FROM planned_requests WHERE status IN ('matched', 'confirmed') ORDER BY at_ts, id")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?)
}

/// The helper of request `id` withdrew: no helper, asking again.
pub fn clear_helper(conn: &Connection, id: i64) -> anyhow::Result<()> {
    exec(conn, "UPDATE planned_requests SET helper_id = NULL, matched_by = NULL WHERE id = ?1", [id])?;
    Ok(())
}

/// Moves request `id` from one of `from` to `to`. Returns whether it moved.
pub fn set_status(conn: &Connection, id: i64, from: &[Status], to: Status, now: Timestamp) -> anyhow::Result<bool> {
    let from: Vec<&str> = from.iter().map(|s| s.as_str()).collect();
    let from = serde_json::to_string(&from)?;
    let moved = exec(
        conn,
        "UPDATE planned_requests SET status = ?2, decided_at = ?3
         WHERE id = ?1 AND status IN (SELECT value FROM json_each(?4))",
        params![id, to.as_str(), now.as_second(), from],
    )? == 1;
    if moved && !to.is_open() {
        // Over: its "where to" goes, here and at the provider.
        super::planned_where::forget(conn, id, now)?;
    }
    Ok(moved)
}

/// The helper of request `id`, found by phone (`phone`) or by the desk (`desk`).
pub fn set_helper(conn: &Connection, id: i64, helper_id: i64, matched_by: &str) -> anyhow::Result<()> {
    exec(
        conn,
        "UPDATE planned_requests SET helper_id = ?2, matched_by = ?3 WHERE id = ?1",
        params![id, helper_id, matched_by],
    )?;
    Ok(())
}

/// The calls made (or to be made) about request `id`, in order.
pub fn calls_of(conn: &Connection, request_id: i64) -> anyhow::Result<Vec<Call>> {
    let sql = format!("SELECT {CALL_COLUMNS} FROM planned_calls WHERE request_id = ?1 ORDER BY id");
    let rows = conn.prepare_cached(&sql)?.query_map([request_id], call_row)?.collect::<Result<Vec<_>, _>>()?;
    rows.into_iter().map(call_finish).collect()
}

pub fn load_call(conn: &Connection, id: i64) -> anyhow::Result<Option<Call>> {
    let sql = format!("SELECT {CALL_COLUMNS} FROM planned_calls WHERE id = ?1");
    conn.prepare_cached(&sql)?.query_row([id], call_row).optional()?.map(call_finish).transpose()
}

/// A call to make about request `id`, kept before it is placed. An asking call to a
/// neighbour already asked for this request is not kept (`None`): each is asked once.
pub fn add_call(
    conn: &Connection,
    request_id: i64,
    purpose: Purpose,
    participant_id: i64,
    now: Timestamp,
) -> anyhow::Result<Option<i64>> {
    let added = exec(
        conn,
        "INSERT INTO planned_calls (request_id, purpose, participant_id, created_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT DO NOTHING",
        params![request_id, purpose.as_str(), participant_id, now.as_second()],
    )?;
    Ok((added == 1).then(|| conn.last_insert_rowid()))
}

/// Call `id` is to be placed now. Returns false when it was placed already, or has a
/// result: it is placed at most once.
pub fn start_placing(conn: &Connection, id: i64, now: Timestamp) -> anyhow::Result<bool> {
    Ok(exec(
        conn,
        "UPDATE planned_calls SET placed_at = ?2 WHERE id = ?1 AND placed_at IS NULL AND result IS NULL",
        params![id, now.as_second()],
    )? == 1)
}

/// Calls kept but not yet placed (they wait for the ringing hours).
pub fn unplaced(conn: &Connection) -> anyhow::Result<Vec<Call>> {
    let sql =
        format!("SELECT {CALL_COLUMNS} FROM planned_calls WHERE placed_at IS NULL AND result IS NULL ORDER BY id");
    let rows = conn.prepare_cached(&sql)?.query_map([], call_row)?.collect::<Result<Vec<_>, _>>()?;
    rows.into_iter().map(call_finish).collect()
}

/// Calls placed at or before `before` whose end never came.
pub fn unreported(conn: &Connection, before: Timestamp) -> anyhow::Result<Vec<Call>> {
    let sql = format!(
        "SELECT {CALL_COLUMNS} FROM planned_calls WHERE result IS NULL AND placed_at IS NOT NULL AND placed_at <= ?1 ORDER BY id"
    );
    let rows = conn.prepare_cached(&sql)?.query_map([before.as_second()], call_row)?.collect::<Result<Vec<_>, _>>()?;
    rows.into_iter().map(call_finish).collect()
}

/// Calls placed whose creation the provider never answered (the service stopped in
/// between): at start, they count as never reported. Whether the provider placed them is
/// unknown, so they are not placed again.
pub fn placed_without_leg(conn: &Connection) -> anyhow::Result<Vec<Call>> {
    let sql = format!(
        "SELECT {CALL_COLUMNS} FROM planned_calls WHERE result IS NULL AND placed_at IS NOT NULL AND leg_sid IS NULL ORDER BY id"
    );
    let rows = conn.prepare_cached(&sql)?.query_map([], call_row)?.collect::<Result<Vec<_>, _>>()?;
    rows.into_iter().map(call_finish).collect()
}

/// Whether a neighbour is being asked about request `id` right now (an asking call
/// without a result).
pub fn asking_now(conn: &Connection, request_id: i64) -> anyhow::Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM planned_calls WHERE request_id = ?1 AND purpose = 'ask' AND result IS NULL")?
        .query_row([request_id], |_| Ok(()))
        .optional()?
        .is_some())
}

/// The call's `CallSid`.
pub fn set_leg(conn: &Connection, id: i64, leg_sid: &str) -> anyhow::Result<()> {
    exec(conn, "UPDATE planned_calls SET leg_sid = ?2 WHERE id = ?1 AND leg_sid IS NULL", params![id, leg_sid])?;
    Ok(())
}

/// What became of call `id`: kept once (the first result counts), except that a key
/// (yes, no, too late) replaces an end without a key that came first. Returns whether
/// it was kept.
pub fn set_result(
    conn: &Connection,
    id: i64,
    result: CallResult,
    key: Option<&str>,
    now: Timestamp,
) -> anyhow::Result<bool> {
    let a_key = matches!(result, CallResult::Yes | CallResult::No | CallResult::TooLate);
    Ok(exec(
        conn,
        "UPDATE planned_calls SET result = ?2, key = coalesce(?3, key), ended_at = coalesce(ended_at, ?4)
         WHERE id = ?1 AND (result IS NULL OR (?5 AND result IN ('no-key', 'no-answer', 'busy', 'failed', 'never-reported')))",
        params![id, result.as_str(), key, now.as_second(), a_key],
    )? == 1)
}

/// The document sent when call `id` was picked up, or after its key.
pub fn save_document(conn: &Connection, id: i64, after_key: bool, body: &str) -> anyhow::Result<()> {
    let sql = if after_key {
        "UPDATE planned_calls SET key_document = ?2 WHERE id = ?1 AND key_document IS NULL"
    } else {
        "UPDATE planned_calls SET answer_document = ?2 WHERE id = ?1 AND answer_document IS NULL"
    };
    exec(conn, sql, params![id, body])?;
    Ok(())
}

pub fn document(conn: &Connection, id: i64, after_key: bool) -> anyhow::Result<Option<String>> {
    let sql = if after_key {
        "SELECT key_document FROM planned_calls WHERE id = ?1"
    } else {
        "SELECT answer_document FROM planned_calls WHERE id = ?1"
    };
    Ok(conn.prepare_cached(sql)?.query_row([id], |r| r.get::<_, Option<String>>(0)).optional()?.flatten())
}

/// Everyone in the request's neighbourhood who offers its kind of help, with what the
/// ranking needs: who was asked for this request already, or withdrew on the reminder
/// (`asked_this_call`), who may
/// never be paired with the requester (left out), who helped them with this kind of help
/// before, and when each was last asked. Nobody is busy: a call now says nothing about then.
pub fn candidates(conn: &Connection, cache: &RegistryCache, request: &Request) -> anyhow::Result<Vec<Candidate>> {
    let (_, people) = super::participants::offering(conn, cache, &request.neighbourhood, &request.category)?;
    let ids = |sql: &str, p: &[&dyn rusqlite::ToSql]| -> anyhow::Result<FxHashSet<i64>> {
        let mut stmt = conn.prepare_cached(sql)?;
        let set = stmt.query_map(p, |r| r.get::<_, Option<i64>>(0))?.filter_map(|r| r.ok().flatten()).collect();
        Ok(set)
    };
    let asked = ids(
        "SELECT participant_id FROM planned_calls
         WHERE request_id = ?1 AND (purpose = 'ask' OR (purpose = 'remind' AND result = 'no'))",
        &[&request.id],
    )?;
    let requester = request.requester_id.unwrap_or(0);
    let apart =
        ids("SELECT CASE WHEN a = ?1 THEN b ELSE a END FROM do_not_pair WHERE a = ?1 OR b = ?1", &[&requester])?;
    let helped = ids(
        "SELECT m.helper_id FROM matches m JOIN participants p ON p.phone = m.caller_phone
         WHERE p.id = ?1 AND m.category = ?2",
        &[&requester, &request.category],
    )?;
    let mut last = conn.prepare_cached("SELECT last_asked_at FROM participants WHERE id = ?1")?;
    let mut out = Vec::new();
    for p in people.iter().filter(|p| !apart.contains(&p.id) && Some(p.id) != request.requester_id) {
        let last_asked: Option<i64> = last.query_row([p.id], |r| r.get(0)).optional()?.flatten();
        out.push(Candidate {
            participant: p.clone(),
            busy: false,
            asked_this_call: asked.contains(&p.id),
            helped_caller_before: helped.contains(&p.id),
            last_asked: last_asked.map(ts),
            likelihood: None,
        });
    }
    Ok(out)
}

/// Someone is erased (issue 28 §privacy): the planned calls to them are deleted at the
/// provider, and so is the "where to" of every request they asked for; the requests they
/// asked for that are still to come are cancelled (by the
/// desk: nobody is asked or called about them any more) and lose their note. Foreign keys
/// then clear the links to them.
pub fn forget_person(conn: &Connection, id: i64, now: Timestamp) -> anyhow::Result<()> {
    super::planned_where::forget_requester(conn, id, now)?;
    delete_legs(
        conn,
        "SELECT c.leg_sid FROM planned_calls c JOIN planned_requests r ON r.id = c.request_id
         WHERE (c.participant_id = ?1 OR r.requester_id = ?1) AND c.leg_sid IS NOT NULL",
        id,
        now,
    )?;
    exec(
        conn,
        "UPDATE planned_calls SET result = 'not-needed' WHERE result IS NULL AND placed_at IS NULL
         AND request_id IN (SELECT id FROM planned_requests WHERE requester_id = ?1)",
        [id],
    )?;
    exec(
        conn,
        "UPDATE planned_requests SET note = NULL,
                status = CASE WHEN status IN ('asking', 'matched', 'confirmed') THEN ?2 ELSE status END
         WHERE requester_id = ?1",
        params![id, Status::Cancelled(crate::domain::planned::By::Desk).as_str()],
    )?;
    Ok(())
}

/// Queues the delete at the provider of each call's record that `sql` (with `?1` = `id`)
/// selects.
fn delete_legs(conn: &Connection, sql: &str, id: i64, now: Timestamp) -> anyhow::Result<()> {
    let legs: Vec<String> = conn.prepare_cached(sql)?.query_map([id], |r| r.get(0))?.collect::<Result<_, _>>()?;
    for leg in &legs {
        super::provider_jobs::enqueue(conn, super::provider_jobs::Kind::DeleteCall, leg, None, now)?;
    }
    Ok(())
}

/// Retention, as for calls (`calls::anonymise_before`, which calls this): a request whose
/// help and last change are both before `before` keeps what the figures count (its
/// neighbourhood, kind of help, moment, status, how it was matched, and its calls' purposes
/// and results) and loses who asked, who helped, the note, to whom its calls went and the
/// documents they said; the records of its calls are deleted at the provider (jobs). Its
/// follow-up rows are calls, anonymised as calls. Returns how many requests.
pub fn anonymise_before(conn: &Connection, before: Timestamp, now: Timestamp) -> anyhow::Result<usize> {
    let ids: Vec<i64> = conn
        .prepare_cached(
            "SELECT id FROM planned_requests
             WHERE anonymised_at IS NULL AND at_ts < ?1 AND coalesce(decided_at, created_at) < ?1",
        )?
        .query_map([before.as_second()], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for id in &ids {
        super::planned_where::forget(conn, *id, now)?;
        delete_legs(conn, "SELECT leg_sid FROM planned_calls WHERE request_id = ?1 AND leg_sid IS NOT NULL", *id, now)?;
        exec(
            conn,
            "UPDATE planned_calls SET participant_id = NULL, leg_sid = NULL, answer_document = NULL, key_document = NULL
             WHERE request_id = ?1",
            [id],
        )?;
        exec(
            conn,
            "UPDATE planned_requests SET requester_id = NULL, helper_id = NULL, note = NULL, anonymised_at = ?2
             WHERE id = ?1",
            params![id, now.as_second()],
        )?;
    }
    Ok(ids.len())
}

/// What the database holds of help for later, for `bench crash` to hold against what the
/// phones did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Held {
    /// Requests kept.
    pub requests: i64,
    /// Neighbours asked (calls placed to ask).
    pub asked: i64,
    /// Requests with a helper.
    pub matched: i64,
    /// A neighbour asked more than once about one request.
    pub asked_twice: i64,
    /// Requests still asking without a call made since `since` (the last start).
    pub not_resumed: i64,
    /// Each participant's number, with how many planned calls were placed to them.
    pub placed_to: Vec<(String, i64)>,
    /// Each placed call asking a neighbour: its id and what became of it.
    pub asks: Vec<(i64, Option<String>)>,
}

pub fn held(conn: &Connection, since: Timestamp) -> anyhow::Result<Held> {
    let one = |sql: &str| -> anyhow::Result<i64> { Ok(conn.query_row(sql, [], |r| r.get(0))?) };
    let not_resumed: i64 = conn.query_row(
        "SELECT count(*) FROM planned_requests r WHERE r.status = 'asking'
         AND NOT EXISTS (SELECT 1 FROM planned_calls c WHERE c.request_id = r.id AND c.created_at >= ?1)",
        [since.as_second()],
        |r| r.get(0),
    )?;
    let placed_to = conn
        .prepare(
            "SELECT p.phone, (SELECT count(*) FROM planned_calls c WHERE c.participant_id = p.id AND c.placed_at IS NOT NULL)
             FROM participants p",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let asks = conn
        .prepare("SELECT id, result FROM planned_calls WHERE purpose = 'ask' AND placed_at IS NOT NULL ORDER BY id")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    Ok(Held {
        requests: one("SELECT count(*) FROM planned_requests")?,
        asked: one("SELECT count(*) FROM planned_calls WHERE purpose = 'ask' AND placed_at IS NOT NULL")?,
        matched: one("SELECT count(*) FROM planned_requests WHERE helper_id IS NOT NULL")?,
        asked_twice: one(
            "SELECT count(*) FROM (SELECT 1 FROM planned_calls WHERE purpose = 'ask' AND participant_id IS NOT NULL
             GROUP BY request_id, participant_id HAVING count(*) > 1)",
        )?,
        not_resumed,
        placed_to,
        asks,
    })
}

/// The desk follows request `id` up: a `calls` row (kind `planned`, naming the request in
/// `planned_id`, the requester as caller, outcome `unmatched`: red on the desk's lists; the
/// help figures leave these rows out) and a follow-up with `reason` (urgent when nobody was
/// found), once per request and reason. Returns the row's call sid.
pub fn for_the_desk(
    conn: &Connection,
    request: &Request,
    reason: FollowUpReason,
    now: Timestamp,
) -> anyhow::Result<String> {
    // Unique per request and reason; what the row is, and its request, are its columns.
    let n = FollowUpReason::ALL.iter().position(|r| *r == reason).unwrap_or(0);
    let sid = format!("PL{:014}{n:02}", request.id);
    let phone: Option<String> = match request.requester_id {
        Some(id) => conn.query_row("SELECT phone FROM participants WHERE id = ?1", [id], |r| r.get(0)).optional()?,
        None => None,
    };
    exec(
        conn,
        "INSERT INTO calls (call_sid, dialplan_number, from_number, caller_id, category, phase, outcome, started_at,
                            ended_at, seq, neighbourhood, kind, planned_id)
         VALUES (?1, ?2, ?3, ?4, ?5, 'ended', ?6, ?7, ?8, 0, ?9, ?10, ?11)
         ON CONFLICT (call_sid) DO NOTHING",
        params![
            sid,
            request.dialplan_number,
            phone,
            request.requester_id,
            request.category,
            crate::domain::call::Outcome::Unmatched.as_str(),
            request.created_at.as_second(),
            now.as_second(),
            request.neighbourhood,
            crate::domain::call::CallKind::Planned.as_str(),
            request.id
        ],
    )?;
    exec(
        conn,
        "INSERT INTO follow_ups (call_sid, reason, created_at, urgent) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (call_sid) DO NOTHING",
        params![sid, reason.as_str(), now.as_second(), reason == FollowUpReason::PlannedUnfilled],
    )?;
    Ok(sid)
}

/// Help for later's figures: anonymous totals of the requests taken in `[from, until)`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PlannedFigures {
    /// Requests taken.
    pub made: i64,
    /// With a neighbour (by a yes on the phone or by the desk), whatever came after.
    pub matched: i64,
    /// Of those, matched by the desk by hand.
    pub matched_by_desk: i64,
    /// The helper confirmed the day before (a 1 on the reminder).
    pub confirmed: i64,
    pub happened: i64,
    pub not_happened: i64,
    pub cancelled_by_requester: i64,
    pub cancelled_by_helper: i64,
    pub cancelled_by_desk: i64,
    /// Nobody by the cut-off.
    pub unfilled: i64,
    /// The median hours between taking a request and the help.
    pub median_lead_hours: Option<i64>,
}

/// The requests taken in a period, read by `planned_requests_created` (migration 026).
const FIGURES_SQL: &str = "SELECT r.status, r.matched_by, r.at_ts - r.created_at,
        EXISTS (SELECT 1 FROM planned_calls c WHERE c.request_id = r.id AND c.purpose = ?4 AND c.result = ?5)
     FROM planned_requests r
     WHERE r.created_at >= ?1 AND r.created_at < ?2
       AND (?3 IS NULL OR r.dialplan_number IN (SELECT value FROM json_each(?3, '$.numbers')))";

/// Help for later's figures of the requests taken in `[from, until)` in the
/// neighbourhoods `scope` sees.
pub fn figures(
    conn: &Connection,
    from: Timestamp,
    until: Timestamp,
    scope: &super::scope::Scope,
) -> anyhow::Result<PlannedFigures> {
    let mut stmt = conn.prepare_cached(FIGURES_SQL)?;
    let mut rows = stmt.query(params![
        from.as_second(),
        until.as_second(),
        scope.json(),
        Purpose::Remind.as_str(),
        CallResult::Yes.as_str()
    ])?;
    let mut f = PlannedFigures::default();
    let mut leads = Vec::new();
    while let Some(r) = rows.next()? {
        let word: String = r.get(0)?;
        let status = Status::parse(&word).ok_or_else(|| unknown("planned_requests.status", &word))?;
        let matched_by: Option<String> = r.get(1)?;
        f.made += 1;
        f.matched += i64::from(matched_by.is_some());
        f.matched_by_desk += i64::from(matched_by.as_deref() == Some("desk"));
        f.confirmed += i64::from(r.get::<_, bool>(3)?);
        match status {
            Status::Happened => f.happened += 1,
            Status::NotHappened => f.not_happened += 1,
            Status::Cancelled(crate::domain::planned::By::Requester) => f.cancelled_by_requester += 1,
            Status::Cancelled(crate::domain::planned::By::Helper) => f.cancelled_by_helper += 1,
            Status::Cancelled(crate::domain::planned::By::Desk) => f.cancelled_by_desk += 1,
            Status::Unfilled => f.unfilled += 1,
            Status::Asking | Status::Matched | Status::Confirmed => {}
        }
        leads.push(r.get::<_, i64>(2)?);
    }
    f.median_lead_hours = crate::domain::desk::percentile(&mut leads, 50).map(|s| (s + 1800) / 3600);
    Ok(f)
}

/// Issue 28, a helper under 8: they heard request `request_id` on their own call, which
/// counts as being asked (the unique index: the search ahead leaves them out for it).
/// Kept as an asking call placed now, on no leg of its own, with `result` (`no-key` until
/// their key). Returns the row's id, also when they were asked before; `None` when the
/// row there is was asked by a call the switchboard placed.
pub fn asked_by_phone(
    conn: &Connection,
    request_id: i64,
    participant_id: i64,
    result: CallResult,
    now: Timestamp,
) -> anyhow::Result<Option<i64>> {
    exec(
        conn,
        "INSERT INTO planned_calls (request_id, purpose, participant_id, created_at, placed_at, result)
         VALUES (?1, 'ask', ?2, ?3, ?3, ?4)
         ON CONFLICT DO NOTHING",
        params![request_id, participant_id, now.as_second(), result.as_str()],
    )?;
    Ok(conn
        .prepare_cached(
            "SELECT id FROM planned_calls
             WHERE request_id = ?1 AND participant_id = ?2 AND purpose = 'ask' AND leg_sid IS NULL",
        )?
        .query_row([request_id, participant_id], |r| r.get(0))
        .optional()?)
}

/// Issue 28: the requests `helper` helps with that are still to come (matched or
/// confirmed), soonest first: what they hear under 8 as their planned help.
pub fn helping(conn: &Connection, helper: i64, now: Timestamp) -> anyhow::Result<Vec<Request>> {
    let sql = format!(
        "SELECT {REQUEST_COLUMNS} FROM planned_requests
         WHERE helper_id = ?1 AND at_ts > ?2 AND status IN ('matched', 'confirmed')
         ORDER BY at_ts, id"
    );
    let rows = conn
        .prepare_cached(&sql)?
        .query_map(params![helper, now.as_second()], request_row)?
        .collect::<Result<Vec<_>, _>>()?;
    rows.into_iter().map(request_finish).collect()
}

/// Issue 28: the requests of `neighbourhood` still asking before their cut-off, soonest
/// first, for kinds of help in `categories`, that `helper` was never asked about but on
/// their own call without answering yet (`asked_by_phone`, `no-key`): those a helper may
/// hear under 8 (the ranking then decides whether they fit).
pub fn open_for(
    conn: &Connection,
    neighbourhood: &str,
    categories: &[String],
    helper: i64,
    now: Timestamp,
) -> anyhow::Result<Vec<Request>> {
    let sql = format!(
        "SELECT {REQUEST_COLUMNS} FROM planned_requests r
         WHERE status = 'asking' AND at_ts > ?2 AND cutoff_at > ?2 AND neighbourhood = ?1
           AND category IN (SELECT value FROM json_each(?3))
           AND requester_id IS NOT ?4
           AND NOT EXISTS (SELECT 1 FROM planned_calls c
                           WHERE c.request_id = r.id AND c.participant_id = ?4 AND c.purpose = 'ask'
                             AND NOT (c.leg_sid IS NULL AND c.result = 'no-key'))
         ORDER BY at_ts, id"
    );
    let categories = serde_json::to_string(categories)?;
    let rows = conn
        .prepare_cached(&sql)?
        .query_map(params![neighbourhood, now.as_second(), categories, helper], request_row)?
        .collect::<Result<Vec<_>, _>>()?;
    rows.into_iter().map(request_finish).collect()
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    /// The figures read a period's requests by the index on `created_at`, not the table.
    #[test]
    fn the_figures_read_a_period_by_its_index() {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::store::migrations().to_latest(&mut conn).unwrap();
        let plan: Vec<String> = conn
            .prepare(&format!("EXPLAIN QUERY PLAN {}", super::FIGURES_SQL))
            .unwrap()
            .query_map(rusqlite::params![0, 1, None::<String>, "remind", "yes"], |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(plan.iter().any(|l| l.contains("USING INDEX planned_requests_created")), "{plan:?}");
    }
}
