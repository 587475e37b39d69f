//! Searches in waves: the search of a held caller and each helper's outbound leg.
//!
//! Each leg also has its row in `attempts` (so "busy", the log and the figures see it);
//! the one-open-attempt-per-helper index keeps a helper from ringing for two calls at
//! once, and `one_yes_per_call` keeps two yeses from both winning.

use jiff::Timestamp;
use rusqlite::{params, Connection, OptionalExtension};

use crate::domain::call::AttemptResult;
use crate::domain::phone::PhoneNumber;
use crate::domain::waves::{Leg, LegStatus, Search, SearchStatus};

use super::exec;

pub fn start(conn: &Connection, call_sid: &str, now: Timestamp) -> anyhow::Result<()> {
    exec(conn, "INSERT INTO wave_searches (call_sid, status, started_at) VALUES (?1, 'searching', ?2) ON CONFLICT (call_sid) DO NOTHING", params![call_sid, now.as_second()])?;
    Ok(())
}

pub fn load(conn: &Connection, call_sid: &str) -> anyhow::Result<Option<Search>> {
    let row = conn
        .prepare_cached(
            "SELECT status, winner_attempt, started_at, won_at, conference_sid, over_at FROM wave_searches WHERE call_sid = ?1",
        )?
        .query_row([call_sid], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<u32>>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, Option<i64>>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, Option<i64>>(5)?,
            ))
        })
        .optional()?;
    let Some((status, winner, started, won_at, conference, over_at)) = row else { return Ok(None) };
    let status = SearchStatus::parse(&status).unwrap_or(SearchStatus::Over);
    Ok(Some(Search {
        status,
        started_at: Timestamp::from_second(started)?,
        // Only a search that is over has an end (a row of an older version may lack it).
        over_at: over_at.filter(|_| status == SearchStatus::Over).map(Timestamp::from_second).transpose()?,
        winner,
        won_at: won_at.map(Timestamp::from_second).transpose()?,
        conference,
        legs: legs(conn, call_sid)?,
    }))
}

/// Stores what a step of the search changed (`before` as loaded, `after` as `step`
/// returned it). New legs are stored by `add_leg`, as they are rung.
pub fn save(conn: &Connection, call_sid: &str, before: &Search, after: &Search, now: Timestamp) -> anyhow::Result<()> {
    let row = |s: &Search| (s.status, s.winner, s.won_at, s.over_at, s.conference.clone());
    if row(before) != row(after) {
        exec(conn,
            "UPDATE wave_searches SET status = ?2, winner_attempt = ?3, won_at = ?4, over_at = ?5, conference_sid = ?6 WHERE call_sid = ?1",
            params![call_sid, after.status.as_str(), after.winner, after.won_at.map(|t| t.as_second()), after.over_at.map(|t| t.as_second()), after.conference],
        )?;
    }
    for leg in &after.legs {
        let Some(old) = before.leg(leg.attempt) else { continue };
        let attempt = leg.attempt;
        if let (None, Some(key)) = (&old.key, &leg.key) {
            record_key(conn, call_sid, attempt, key, now)?;
        }
        if old.status != leg.status {
            exec(
                conn,
                "UPDATE wave_legs SET status = ?3 WHERE call_sid = ?1 AND attempt = ?2",
                params![call_sid, attempt, leg.status.as_str()],
            )?;
            if leg.status == LegStatus::Answered {
                exec(
                    conn,
                    "UPDATE attempts SET answered_at = coalesce(answered_at, ?3) WHERE call_sid = ?1 AND attempt = ?2",
                    params![call_sid, attempt, now.as_second()],
                )?;
            } else if let Some(result) = attempt_result(leg.status) {
                exec(
                    conn,
                    "UPDATE attempts SET result = ?3 WHERE call_sid = ?1 AND attempt = ?2",
                    params![call_sid, attempt, result.as_str()],
                )?;
            }
        }
        if old.conference != leg.conference {
            exec(
                conn,
                "UPDATE wave_legs SET conference_sid = ?3 WHERE call_sid = ?1 AND attempt = ?2",
                params![call_sid, attempt, leg.conference],
            )?;
        }
        if leg.ended && !old.ended {
            end_leg(conn, call_sid, attempt, now)?;
        }
    }
    Ok(())
}

/// Whether the call is held in waves, and whether someone said yes.
pub fn status(conn: &Connection, call_sid: &str) -> anyhow::Result<Option<SearchStatus>> {
    let s: Option<String> = conn
        .prepare_cached("SELECT status FROM wave_searches WHERE call_sid = ?1")?
        .query_row([call_sid], |r| r.get(0))
        .optional()?;
    Ok(s.map(|s| SearchStatus::parse(&s).unwrap_or(SearchStatus::Over)))
}

fn legs(conn: &Connection, call_sid: &str) -> anyhow::Result<Vec<Leg>> {
    let mut stmt = conn.prepare_cached(
        "SELECT w.attempt, w.helper_id, a.helper_first_name, w.leg_sid, w.status, w.conference_sid, w.ended_at IS NOT NULL, w.started_at, a.key
         FROM wave_legs w JOIN attempts a ON a.call_sid = w.call_sid AND a.attempt = w.attempt
         WHERE w.call_sid = ?1 ORDER BY w.attempt",
    )?;
    let rows = stmt.query_map([call_sid], |r| {
        Ok(Leg {
            attempt: r.get(0)?,
            helper_id: r.get::<_, Option<i64>>(1)?.unwrap_or(0),
            helper_first_name: r.get(2)?,
            leg_sid: r.get(3)?,
            status: LegStatus::parse(&r.get::<_, String>(4)?).unwrap_or(LegStatus::Failed),
            conference: r.get(5)?,
            ended: r.get(6)?,
            started_at: Timestamp::from_second(r.get(7)?).unwrap_or(Timestamp::UNIX_EPOCH),
            key: r.get(8)?,
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

/// The leg's phone call is over (the provider's final status): the helper is free again.
fn end_leg(conn: &Connection, call_sid: &str, attempt: u32, now: Timestamp) -> anyhow::Result<()> {
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

/// The key a helper pressed.
fn record_key(conn: &Connection, call_sid: &str, attempt: u32, key: &str, now: Timestamp) -> anyhow::Result<()> {
    exec(conn,
        "UPDATE attempts SET key = ?3, answered_at = coalesce(answered_at, ?4) WHERE call_sid = ?1 AND attempt = ?2 AND key IS NULL",
        params![call_sid, attempt, key, now.as_second()],
    )?;
    Ok(())
}

/// A match whose join the provider never reported, its winner's leg without an end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnconfirmedJoin {
    pub call_sid: String,
    pub winner_leg_sid: String,
    /// The caller's conference, if its report came.
    pub caller_conference: Option<String>,
}

/// Matches in waves whose winner's entry into a conference was never reported, and whose
/// winner's leg, placed before `before`, has no end yet (`close_stale_legs` closes it
/// after a quarter of an hour, so each is looked at for that long at most).
pub fn unconfirmed_joins(conn: &Connection, before: Timestamp) -> anyhow::Result<Vec<UnconfirmedJoin>> {
    let mut stmt = conn.prepare_cached(
        "SELECT s.call_sid, l.leg_sid, s.conference_sid FROM wave_searches s
         JOIN wave_legs l ON l.call_sid = s.call_sid AND l.attempt = s.winner_attempt
         WHERE s.status = 'matched' AND l.conference_sid IS NULL AND l.leg_sid IS NOT NULL
           AND l.ended_at IS NULL AND l.started_at < ?1
         ORDER BY l.started_at",
    )?;
    let rows = stmt.query_map([before.as_second()], |r| {
        Ok(UnconfirmedJoin { call_sid: r.get(0)?, winner_leg_sid: r.get(1)?, caller_conference: r.get(2)? })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The calls with a search whose call has not ended: the ones a held caller may still be
/// waiting on (`switchboard::jobs::tick_held`).
pub fn open_searches(conn: &Connection) -> anyhow::Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT s.call_sid FROM wave_searches s JOIN calls c ON c.call_sid = s.call_sid
         WHERE c.ended_at IS NULL ORDER BY s.started_at",
    )?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Winners' legs that `close_stale_legs(before)` is about to close without their entry
/// into a conference ever having been reported: (call, attempt).
pub fn stale_unjoined_winners(conn: &Connection, before: Timestamp) -> anyhow::Result<Vec<(String, u32)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT s.call_sid, l.attempt FROM wave_searches s
         JOIN wave_legs l ON l.call_sid = s.call_sid AND l.attempt = s.winner_attempt
         WHERE s.status = 'matched' AND l.conference_sid IS NULL AND l.ended_at IS NULL AND l.started_at < ?1",
    )?;
    let rows = stmt.query_map([before.as_second()], |r| Ok((r.get(0)?, r.get(1)?)))?;
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

/// What the database holds for one call rung in waves, as lines of text (the crash
/// harness explains a match the phones did not have with it).
pub fn explain(conn: &Connection, call_sid: &str) -> anyhow::Result<String> {
    let mut text = format!("call {call_sid}\n");
    let call: Option<String> = conn
        .query_row(
            "SELECT phase || ' ' || coalesce(outcome, '-') || ' ended_from=' || coalesce(ended_from, '-') FROM calls WHERE call_sid = ?1",
            [call_sid],
            |r| r.get(0),
        )
        .optional()?;
    text.push_str(&format!("  state {}\n", call.unwrap_or_default()));
    let search: Option<String> = conn
        .query_row(
            "SELECT status || ' winner=' || coalesce(winner_attempt, '-') || ' conference=' || coalesce(conference_sid, '-') FROM wave_searches WHERE call_sid = ?1",
            [call_sid],
            |r| r.get(0),
        )
        .optional()?;
    text.push_str(&format!("  search {}\n", search.unwrap_or_default()));
    let mut stmt = conn.prepare(
        "SELECT attempt || ' ' || status || ' leg=' || coalesce(leg_sid, '-') || ' conference=' || coalesce(conference_sid, '-') || ' ended=' || (ended_at IS NOT NULL) FROM wave_legs WHERE call_sid = ?1 ORDER BY attempt",
    )?;
    for leg in stmt.query_map([call_sid], |r| r.get::<_, String>(0))? {
        text.push_str(&format!("  leg {}\n", leg?));
    }
    Ok(text)
}
