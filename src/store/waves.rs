//! Searches in waves: the search of a held caller and each helper's outbound leg.
//!
//! Each leg also has its row in `attempts` (so "busy", the log and the figures see it);
//! the one-open-attempt-per-helper index keeps a helper from ringing for two calls at
//! once, and `one_yes_per_call` keeps two yeses from both winning.

use jiff::Timestamp;
use rusqlite::{params, Connection, OptionalExtension};

use crate::domain::call::AttemptResult;
use crate::domain::phone::PhoneNumber;
use crate::domain::waves::{Leg, LegStatus, SearchStatus};

use super::exec;

/// A search and its legs, as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Search {
    pub call_sid: String,
    pub status: SearchStatus,
    pub winner_attempt: Option<u32>,
    pub started_at: Timestamp,
    /// When the winning yes was given.
    pub won_at: Option<Timestamp>,
    /// The caller's own conference, once the provider reported the caller entering it.
    pub conference_sid: Option<String>,
    pub legs: Vec<Leg>,
}

/// One leg with what the provider needs to reach it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LegInfo {
    pub attempt: u32,
    pub helper_id: Option<i64>,
    pub helper_first_name: String,
    pub leg_sid: Option<String>,
    pub status: LegStatus,
    /// The conference this leg entered, once the provider reported it.
    pub conference_sid: Option<String>,
    /// The leg's phone call is over.
    pub ended: bool,
    pub started_at: Timestamp,
}

pub fn start(conn: &Connection, call_sid: &str, now: Timestamp) -> anyhow::Result<()> {
    exec(conn, "INSERT INTO wave_searches (call_sid, status, started_at) VALUES (?1, 'searching', ?2) ON CONFLICT (call_sid) DO NOTHING", params![call_sid, now.as_second()])?;
    Ok(())
}

pub fn load(conn: &Connection, call_sid: &str) -> anyhow::Result<Option<Search>> {
    let row = conn
        .prepare_cached(
            "SELECT status, winner_attempt, started_at, won_at, conference_sid FROM wave_searches WHERE call_sid = ?1",
        )?
        .query_row([call_sid], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<u32>>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, Option<i64>>(3)?,
                r.get::<_, Option<String>>(4)?,
            ))
        })
        .optional()?;
    let Some((status, winner_attempt, started, won_at, conference_sid)) = row else { return Ok(None) };
    let legs = legs(conn, call_sid)?
        .into_iter()
        .map(|l| Leg {
            attempt: l.attempt,
            helper_id: l.helper_id.unwrap_or(0),
            status: l.status,
            started_at: l.started_at,
        })
        .collect();
    Ok(Some(Search {
        call_sid: call_sid.to_string(),
        status: SearchStatus::parse(&status).unwrap_or(SearchStatus::Over),
        winner_attempt,
        started_at: Timestamp::from_second(started)?,
        won_at: won_at.map(Timestamp::from_second).transpose()?,
        conference_sid,
        legs,
    }))
}

/// Whether the call is held in waves, and whether someone said yes.
pub fn status(conn: &Connection, call_sid: &str) -> anyhow::Result<Option<SearchStatus>> {
    let s: Option<String> = conn
        .prepare_cached("SELECT status FROM wave_searches WHERE call_sid = ?1")?
        .query_row([call_sid], |r| r.get(0))
        .optional()?;
    Ok(s.map(|s| SearchStatus::parse(&s).unwrap_or(SearchStatus::Over)))
}

pub fn legs(conn: &Connection, call_sid: &str) -> anyhow::Result<Vec<LegInfo>> {
    let mut stmt = conn.prepare_cached(
        "SELECT w.attempt, w.helper_id, a.helper_first_name, w.leg_sid, w.status, w.conference_sid, w.ended_at IS NOT NULL, w.started_at
         FROM wave_legs w JOIN attempts a ON a.call_sid = w.call_sid AND a.attempt = w.attempt
         WHERE w.call_sid = ?1 ORDER BY w.attempt",
    )?;
    let rows = stmt.query_map([call_sid], |r| {
        Ok(LegInfo {
            attempt: r.get(0)?,
            helper_id: r.get(1)?,
            helper_first_name: r.get(2)?,
            leg_sid: r.get(3)?,
            status: LegStatus::parse(&r.get::<_, String>(4)?).unwrap_or(LegStatus::Failed),
            conference_sid: r.get(5)?,
            ended: r.get(6)?,
            started_at: Timestamp::from_second(r.get(7)?).unwrap_or(Timestamp::UNIX_EPOCH),
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A new leg: its attempt (the helper counts as busy from now on) and its wave row.
pub fn add_leg(
    conn: &Connection,
    call_sid: &str,
    attempt: u32,
    helper_id: i64,
    phone: &PhoneNumber,
    first_name: &str,
    now: Timestamp,
) -> anyhow::Result<()> {
    let at = now.as_second();
    exec(conn,
        "INSERT INTO attempts (call_sid, attempt, helper_id, helper_phone, helper_first_name, started_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![call_sid, attempt, helper_id, phone.as_str(), first_name, at],
    )?;
    exec(
        conn,
        "INSERT INTO wave_legs (call_sid, attempt, helper_id, status, started_at) VALUES (?1, ?2, ?3, 'ringing', ?4)",
        params![call_sid, attempt, helper_id, at],
    )?;
    super::participants::mark_asked(conn, helper_id, now)?;
    Ok(())
}

/// Stores the provider's CallSid of a leg. Returns the leg's status, so a leg that was
/// cancelled while it was being created can be cancelled at the provider too.
pub fn set_leg_sid(
    conn: &Connection,
    call_sid: &str,
    attempt: u32,
    leg_sid: &str,
) -> anyhow::Result<Option<LegStatus>> {
    exec(
        conn,
        "UPDATE wave_legs SET leg_sid = ?3 WHERE call_sid = ?1 AND attempt = ?2",
        params![call_sid, attempt, leg_sid],
    )?;
    let s: Option<String> = conn
        .prepare_cached("SELECT status FROM wave_legs WHERE call_sid = ?1 AND attempt = ?2")?
        .query_row(params![call_sid, attempt], |r| r.get(0))
        .optional()?;
    Ok(s.and_then(|s| LegStatus::parse(&s)))
}

fn attempt_result(status: LegStatus) -> Option<AttemptResult> {
    Some(match status {
        LegStatus::Ringing | LegStatus::Answered => return None,
        LegStatus::Accepted => AttemptResult::Accepted,
        LegStatus::Declined => AttemptResult::Declined,
        LegStatus::NoAnswer => AttemptResult::NoAnswer,
        LegStatus::Busy => AttemptResult::Busy,
        LegStatus::Failed => AttemptResult::Failed,
        LegStatus::Late | LegStatus::Canceled => AttemptResult::Canceled,
    })
}

/// Moves a leg on. Only a leg still in flight changes status (a late report of an older
/// state changes nothing); returns whether it changed.
pub fn set_leg_status(
    conn: &Connection,
    call_sid: &str,
    attempt: u32,
    status: LegStatus,
    now: Timestamp,
) -> anyhow::Result<bool> {
    let changed = exec(
        conn,
        "UPDATE wave_legs SET status = ?3 WHERE call_sid = ?1 AND attempt = ?2 AND status IN ('ringing', 'answered')",
        params![call_sid, attempt, status.as_str()],
    )? == 1;
    if changed {
        if status == LegStatus::Answered {
            exec(
                conn,
                "UPDATE attempts SET answered_at = coalesce(answered_at, ?3) WHERE call_sid = ?1 AND attempt = ?2",
                params![call_sid, attempt, now.as_second()],
            )?;
        } else if let Some(result) = attempt_result(status) {
            exec(
                conn,
                "UPDATE attempts SET result = ?3 WHERE call_sid = ?1 AND attempt = ?2",
                params![call_sid, attempt, result.as_str()],
            )?;
        }
    }
    Ok(changed)
}

/// The leg's phone call is over (the provider's final status): the helper is free again.
pub fn end_leg(conn: &Connection, call_sid: &str, attempt: u32, now: Timestamp) -> anyhow::Result<()> {
    let at = now.as_second();
    exec(
        conn,
        "UPDATE wave_legs SET ended_at = coalesce(ended_at, ?3) WHERE call_sid = ?1 AND attempt = ?2",
        params![call_sid, attempt, at],
    )?;
    exec(
        conn,
        "UPDATE attempts SET ended_at = coalesce(ended_at, ?3) WHERE call_sid = ?1 AND attempt = ?2",
        params![call_sid, attempt, at],
    )?;
    Ok(())
}

/// A yes from a leg whose end was reported before the key (Twilio sends the final status
/// callback as soon as a call ends, so a helper who pressed 1 and hung up at once may be
/// reported gone first): the leg was counted as a silent no, but it was a yes that never
/// reached the caller, as when a winner's line drops before the join. Run before the key
/// is recorded. Returns whether it was such a leg.
pub fn yes_after_the_end(conn: &Connection, call_sid: &str, attempt: u32) -> anyhow::Result<bool> {
    let changed = exec(
        conn,
        "UPDATE wave_legs SET status = 'canceled' WHERE call_sid = ?1 AND attempt = ?2 AND status = 'declined'
         AND ended_at IS NOT NULL
         AND EXISTS (SELECT 1 FROM attempts a WHERE a.call_sid = ?1 AND a.attempt = ?2 AND a.key IS NULL)",
        params![call_sid, attempt],
    )? == 1;
    if changed {
        exec(
            conn,
            "UPDATE attempts SET result = 'canceled' WHERE call_sid = ?1 AND attempt = ?2",
            params![call_sid, attempt],
        )?;
    }
    Ok(changed)
}

/// The key a helper pressed.
pub fn record_key(conn: &Connection, call_sid: &str, attempt: u32, key: &str, now: Timestamp) -> anyhow::Result<()> {
    exec(conn,
        "UPDATE attempts SET key = ?3, answered_at = coalesce(answered_at, ?4) WHERE call_sid = ?1 AND attempt = ?2 AND key IS NULL",
        params![call_sid, attempt, key, now.as_second()],
    )?;
    Ok(())
}

/// The first yes wins: returns true for exactly one attempt per call, however many press 1
/// at once (the update only succeeds while the search is still searching, and the unique
/// index refuses a second accepted leg).
pub fn win(conn: &Connection, call_sid: &str, attempt: u32, now: Timestamp) -> anyhow::Result<bool> {
    let won = exec(conn,
        "UPDATE wave_searches SET status = 'matched', winner_attempt = ?2, won_at = ?3 WHERE call_sid = ?1 AND status = 'searching'
         AND EXISTS (SELECT 1 FROM wave_legs WHERE call_sid = ?1 AND attempt = ?2 AND status IN ('ringing', 'answered'))",
        params![call_sid, attempt, now.as_second()],
    )? == 1;
    if won {
        exec(
            conn,
            "UPDATE wave_legs SET status = 'accepted' WHERE call_sid = ?1 AND attempt = ?2",
            params![call_sid, attempt],
        )?;
        exec(
            conn,
            "UPDATE attempts SET result = 'accepted' WHERE call_sid = ?1 AND attempt = ?2",
            params![call_sid, attempt],
        )?;
    }
    Ok(won)
}

/// The winner's yes never reached the caller (their line dropped before they entered the
/// conference): the search goes on, and that leg counts as cancelled. Returns whether it
/// was the winner.
pub fn unwin(conn: &Connection, call_sid: &str, attempt: u32) -> anyhow::Result<bool> {
    let undone = exec(conn,
        "UPDATE wave_searches SET status = 'searching', winner_attempt = NULL, won_at = NULL WHERE call_sid = ?1 AND status = 'matched' AND winner_attempt = ?2",
        params![call_sid, attempt],
    )? == 1;
    if undone {
        exec(
            conn,
            "UPDATE wave_legs SET status = 'canceled' WHERE call_sid = ?1 AND attempt = ?2",
            params![call_sid, attempt],
        )?;
        exec(
            conn,
            "UPDATE attempts SET result = 'canceled' WHERE call_sid = ?1 AND attempt = ?2",
            params![call_sid, attempt],
        )?;
    }
    Ok(undone)
}

/// The provider reports the caller entering their own conference.
pub fn caller_entered(conn: &Connection, call_sid: &str, conference_sid: &str) -> anyhow::Result<()> {
    exec(conn, "UPDATE wave_searches SET conference_sid = ?2 WHERE call_sid = ?1", params![call_sid, conference_sid])?;
    Ok(())
}

/// The provider reports a helper's leg entering a conference. Returns its attempt, or
/// `None` for a leg that is not one of this search's.
pub fn leg_entered(
    conn: &Connection,
    call_sid: &str,
    leg_sid: &str,
    conference_sid: &str,
) -> anyhow::Result<Option<u32>> {
    let attempt: Option<u32> = conn
        .prepare_cached("SELECT attempt FROM wave_legs WHERE call_sid = ?1 AND leg_sid = ?2")?
        .query_row(params![call_sid, leg_sid], |r| r.get(0))
        .optional()?;
    if let Some(attempt) = attempt {
        exec(
            conn,
            "UPDATE wave_legs SET conference_sid = ?3 WHERE call_sid = ?1 AND attempt = ?2",
            params![call_sid, attempt, conference_sid],
        )?;
    }
    Ok(attempt)
}

/// The search ended without a yes (limits reached or caller gone). Returns whether it was
/// still searching.
pub fn give_up(conn: &Connection, call_sid: &str, now: Timestamp) -> anyhow::Result<bool> {
    Ok(exec(
        conn,
        "UPDATE wave_searches SET status = 'over', over_at = ?2 WHERE call_sid = ?1 AND status = 'searching'",
        params![call_sid, now.as_second()],
    )? == 1)
}

/// When a search ended without a yes, if it did.
pub fn over_at(conn: &Connection, call_sid: &str) -> anyhow::Result<Option<Timestamp>> {
    let at: Option<i64> = conn
        .prepare_cached("SELECT over_at FROM wave_searches WHERE call_sid = ?1 AND status = 'over'")?
        .query_row([call_sid], |r| r.get(0))
        .optional()?
        .flatten();
    Ok(at.map(Timestamp::from_second).transpose()?)
}

/// Searches still looking for a helper (for the periodic check of time limits).
pub fn searching(conn: &Connection) -> anyhow::Result<Vec<String>> {
    let mut stmt =
        conn.prepare_cached("SELECT call_sid FROM wave_searches WHERE status = 'searching' ORDER BY started_at")?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// At start-up: legs the last process decided to place but never heard back about from
/// the provider (it stopped between the decision and the REST call, or before storing the
/// answer) count as failed, so a held caller's search moves on at once. Returns how many.
pub fn fail_unplaced_legs(conn: &Connection, now: Timestamp) -> anyhow::Result<usize> {
    let at = now.as_second();
    exec(conn,
        "UPDATE attempts SET result = coalesce(result, 'failed'), ended_at = ?1
         WHERE ended_at IS NULL AND (call_sid, attempt) IN (SELECT call_sid, attempt FROM wave_legs WHERE leg_sid IS NULL AND ended_at IS NULL AND status IN ('ringing', 'answered'))",
        [at],
    )?;
    Ok(exec(conn, "UPDATE wave_legs SET status = 'failed', ended_at = ?1 WHERE leg_sid IS NULL AND ended_at IS NULL AND status IN ('ringing', 'answered')", [at])?)
}

/// Ends helper legs started before `before` whose end was never reported (a status
/// callback lost while the service was down), so nobody stays marked as being rung.
/// Returns how many.
pub fn close_stale_legs(conn: &Connection, before: Timestamp, now: Timestamp) -> anyhow::Result<usize> {
    let at = now.as_second();
    exec(conn,
        "UPDATE wave_legs SET status = 'canceled' WHERE ended_at IS NULL AND started_at < ?1 AND status IN ('ringing', 'answered')",
        [before.as_second()],
    )?;
    exec(conn,
        "UPDATE attempts SET result = coalesce(result, 'canceled'), ended_at = ?2
         WHERE ended_at IS NULL AND started_at < ?1 AND (call_sid, attempt) IN (SELECT call_sid, attempt FROM wave_legs WHERE ended_at IS NULL)",
        params![before.as_second(), at],
    )?;
    Ok(exec(
        conn,
        "UPDATE wave_legs SET ended_at = ?2 WHERE ended_at IS NULL AND started_at < ?1",
        params![before.as_second(), at],
    )?)
}
