//! A made-up call history for benchmarks: many calls written in one go, in the same tables
//! and shapes the webhooks write.

use jiff::Timestamp;
use rusqlite::{params, Transaction};

/// One past call and what happened in it.
pub struct PastCall {
    pub call_sid: String,
    pub from: String,
    pub caller_id: Option<i64>,
    pub category: Option<String>,
    pub outcome: &'static str,
    pub started_at: Timestamp,
    /// (helper id, helper phone, first name, result) per ring, in order.
    pub attempts: Vec<(i64, String, String, &'static str)>,
    pub wait_seconds: Option<i64>,
    pub follow_up_closed: bool,
}

pub fn insert(tx: &Transaction<'_>, calls: &[PastCall]) -> anyhow::Result<()> {
    let mut call = tx.prepare_cached(
        "INSERT INTO calls (call_sid, dialplan_number, from_number, caller_id, category, phase, ended_from, outcome, attempts, started_at, search_started_at, ended_at, seq)
         VALUES (?1, '+31850000000', ?2, ?3, ?4, 'ended', 'ringing', ?5, ?6, ?7, ?8, ?9, 5)",
    )?;
    let mut attempt = tx.prepare_cached(
        "INSERT INTO attempts (call_sid, attempt, helper_id, helper_phone, helper_first_name, started_at, answered_at, key, result, ended_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    let mut matched = tx.prepare_cached(
        "INSERT INTO matches (call_sid, attempt, helper_id, caller_phone, category, accepted_at, wait_seconds) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    let mut follow_up = tx.prepare_cached("INSERT INTO follow_ups (call_sid, reason, created_at, closed_at, result, closed_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?;
    for c in calls {
        let start = c.started_at.as_second();
        let search = c.category.as_ref().map(|_| start + 20);
        let end = start + 30 + 25 * c.attempts.len() as i64;
        call.execute(params![
            c.call_sid,
            c.from,
            c.caller_id,
            c.category,
            c.outcome,
            c.attempts.len() as i64,
            start,
            search,
            end
        ])?;
        for (i, (helper, phone, name, result)) in c.attempts.iter().enumerate() {
            let at = start + 20 + 25 * i as i64;
            let answered = (*result == "accepted" || *result == "declined").then_some(at + 8);
            let key = match *result {
                "accepted" => Some("1"),
                "declined" => Some("2"),
                _ => None,
            };
            attempt.execute(params![
                c.call_sid,
                i as i64 + 1,
                helper,
                phone,
                name,
                at,
                answered,
                key,
                result,
                at + 20
            ])?;
            if *result == "accepted" {
                matched.execute(params![
                    c.call_sid,
                    i as i64 + 1,
                    helper,
                    c.from,
                    c.category.as_deref().unwrap_or(""),
                    at + 10,
                    c.wait_seconds.unwrap_or(0)
                ])?;
            }
        }
        if matches!(c.outcome, "unmatched" | "voicemail" | "abandoned") {
            let closed = c.follow_up_closed.then_some(end + 86_400);
            follow_up.execute(params![
                c.call_sid,
                c.outcome,
                end,
                closed,
                c.follow_up_closed.then_some("solved-by-neighbour"),
                c.follow_up_closed.then_some("bench")
            ])?;
        }
    }
    Ok(())
}
