//! Calls, attempts, matches, voicemails and follow-ups.

use std::collections::HashMap;

use jiff::Timestamp;
use rusqlite::{params, Connection, OptionalExtension};

use super::{exec, kind_parse, UnknownWord};
use crate::domain::call::{CallKind, CallState, Effect, Later, Outcome, Phase, Ring, Stage};
use crate::domain::desk::FollowUpReason;
use crate::domain::phone::PhoneNumber;

/// A call as stored between two webhooks.
#[derive(Clone, Debug)]
pub struct StoredCall {
    pub call_sid: String,
    pub dialplan_number: String,
    /// The neighbourhood's key when the call started (stored with it, migration 018);
    /// `None` for calls from before.
    pub neighbourhood: Option<String>,
    pub from: Option<PhoneNumber>,
    pub caller_id: Option<i64>,
    /// What the call is (stored as itself, migration 019): the call id means nothing.
    pub kind: CallKind,
    pub state: CallState,
    pub seq: u64,
}

fn ts(secs: Option<i64>) -> Option<Timestamp> {
    secs.and_then(|s| Timestamp::from_second(s).ok())
}

fn stage_str(s: Stage) -> &'static str {
    match s {
        Stage::Menu => "menu",
        Stage::Ringing => "ringing",
        Stage::Connected => "connected",
        Stage::Desk => "desk",
        Stage::Voicemail => "voicemail",
        Stage::Settings => "settings",
        Stage::Message => "message",
    }
}

const STAGES: [Stage; 7] =
    [Stage::Menu, Stage::Ringing, Stage::Connected, Stage::Desk, Stage::Voicemail, Stage::Settings, Stage::Message];

fn stage_parse(s: &str) -> Option<Stage> {
    STAGES.into_iter().find(|st| stage_str(*st) == s)
}

/// The outcome stored as `word`: an unknown word is an error that names it, never read as
/// some other outcome.
pub(super) fn outcome_parse(word: &str) -> Result<Outcome, UnknownWord> {
    Outcome::parse(word).ok_or_else(|| UnknownWord { column: "calls.outcome", word: word.to_string() })
}

pub fn load(conn: &Connection, call_sid: &str) -> anyhow::Result<Option<StoredCall>> {
    let row = conn
        .prepare_cached(
            "SELECT dialplan_number, from_number, caller_id, category, phase, ended_from, outcome, menu_rounds, attempts,
                    started_at, search_started_at, ended_at, seq, menu_repeats, language, neighbourhood, kind, later
             FROM calls WHERE call_sid = ?1",
        )?
        .query_row(
            [call_sid],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, Option<i64>>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, Option<String>>(6)?,
                    r.get::<_, u32>(7)?,
                    r.get::<_, u32>(8)?,
                    r.get::<_, i64>(9)?,
                    r.get::<_, Option<i64>>(10)?,
                    r.get::<_, Option<i64>>(11)?,
                    r.get::<_, i64>(12)?,
                    r.get::<_, u32>(13)?,
                    r.get::<_, Option<String>>(14)?,
                    r.get::<_, Option<String>>(15)?,
                    r.get::<_, String>(16)?,
                    r.get::<_, Option<String>>(17)?,
                ))
            },
        )
        .optional()?;
    let Some((
        dialplan_number,
        from,
        caller_id,
        category,
        phase,
        ended_from,
        outcome,
        menu_rounds,
        attempts,
        started,
        search_started,
        ended,
        seq,
        menu_repeats,
        language,
        neighbourhood,
        kind,
        later,
    )) = row
    else {
        return Ok(None);
    };
    let ring = || -> anyhow::Result<Ring> {
        let (helper_id, first_name, key) = conn
            .prepare_cached(
                "SELECT helper_id, helper_first_name, key FROM attempts WHERE call_sid = ?1 AND attempt = ?2",
            )?
            .query_row(params![call_sid, attempts], |r| {
                Ok((r.get::<_, Option<i64>>(0)?, r.get::<_, String>(1)?, r.get::<_, Option<String>>(2)?))
            })?;
        Ok(Ring { attempt: attempts, helper_id: helper_id.unwrap_or(0), helper_first_name: first_name, key })
    };
    // A call held in waves is stored as 'ringing' (searching) or 'connected' (a yes), with
    // its search in `wave_searches`.
    let held = match phase.as_str() {
        "ringing" | "connected" => super::waves::status(conn, call_sid)?.is_some(),
        _ => false,
    };
    let phase = match phase.as_str() {
        "ringing" | "connected" if held => Phase::Holding { matched: phase == "connected" },
        "menu" => Phase::Menu,
        "ringing" => Phase::Ringing(ring()?),
        "connected" => Phase::Connected(ring()?),
        "desk" => Phase::Desk,
        "voicemail" => Phase::Voicemail,
        "settings" => Phase::Settings,
        "message" => Phase::Message,
        "ended" => Phase::Ended {
            outcome: match outcome.as_deref() {
                Some(word) => outcome_parse(word).map_err(|e| anyhow::anyhow!("call {call_sid}: {e}"))?,
                None => anyhow::bail!("call {call_sid}: ended without an outcome"),
            },
            from: match ended_from.as_deref() {
                // A row the switchboard wrote itself (a good-morning alert) ended nowhere.
                None => Stage::Menu,
                Some(word) => stage_parse(word)
                    .ok_or_else(|| anyhow::anyhow!("call {call_sid}: unknown calls.ended_from '{word}'"))?,
            },
        },
        other => anyhow::bail!("call {call_sid}: unknown calls.phase '{other}'"),
    };
    let state = CallState {
        phase,
        menu_rounds,
        menu_repeats,
        category,
        started_at: Timestamp::from_second(started)?,
        search_started_at: ts(search_started),
        attempts,
        ended_at: ts(ended),
        language,
        later: match later.as_deref() {
            None => None,
            Some(word) => Some(
                Later::parse(word).ok_or_else(|| anyhow::anyhow!("call {call_sid}: unknown calls.later '{word}'"))?,
            ),
        },
    };
    Ok(Some(StoredCall {
        call_sid: call_sid.to_string(),
        dialplan_number,
        neighbourhood,
        from: from.and_then(|f| PhoneNumber::from_stored(&f).ok()),
        caller_id,
        kind: kind_parse(&kind).map_err(|e| anyhow::anyhow!("call {call_sid}: {e}"))?,
        state,
        seq: seq as u64,
    }))
}

/// Stores a new call with its first document. Returns false if the call already exists.
pub fn insert(conn: &Connection, call: &StoredCall, first_document: &str) -> anyhow::Result<bool> {
    let inserted = exec(
        conn,
        "INSERT OR IGNORE INTO calls (call_sid, dialplan_number, from_number, caller_id, phase, started_at, seq, neighbourhood, kind)
         VALUES (?1, ?2, ?3, ?4, 'menu', ?5, ?6, ?7, ?8)",
        params![
            call.call_sid,
            call.dialplan_number,
            call.from.as_ref().map(|p| p.as_str()),
            call.caller_id,
            call.state.started_at.as_second(),
            call.seq as i64,
            call.neighbourhood,
            call.kind.as_str()
        ],
    )?;
    if inserted == 0 {
        return Ok(false);
    }
    save_document(conn, &call.call_sid, call.seq, first_document)?;
    Ok(true)
}

pub fn save_document(conn: &Connection, call_sid: &str, seq: u64, body: &str) -> anyhow::Result<()> {
    exec(conn, "UPDATE calls SET seq = ?2 WHERE call_sid = ?1", params![call_sid, seq as i64])?;
    exec(
        conn,
        "INSERT OR REPLACE INTO webhook_responses (call_sid, seq, body) VALUES (?1, ?2, ?3)",
        params![call_sid, seq as i64, body],
    )?;
    Ok(())
}

pub fn document(conn: &Connection, call_sid: &str, seq: u64) -> anyhow::Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT body FROM webhook_responses WHERE call_sid = ?1 AND seq = ?2",
            params![call_sid, seq as i64],
            |r| r.get(0),
        )
        .optional()?)
}

/// Stores the state after a step and logs its effects.
pub fn save(conn: &Connection, call: &StoredCall, effects: &[Effect], now: Timestamp) -> anyhow::Result<()> {
    let s = &call.state;
    let sid = call.call_sid.as_str();
    let (phase, ended_from, outcome) = match &s.phase {
        Phase::Menu => ("menu", None, None),
        Phase::Ringing(_) => ("ringing", None, None),
        Phase::Connected(_) => ("connected", None, None),
        Phase::Holding { matched: false } => ("ringing", None, None),
        Phase::Holding { matched: true } => ("connected", None, None),
        Phase::Desk => ("desk", None, None),
        Phase::Voicemail => ("voicemail", None, None),
        Phase::Settings => ("settings", None, None),
        Phase::Message => ("message", None, None),
        Phase::Ended { outcome, from } => ("ended", Some(stage_str(*from)), Some(outcome.as_str())),
    };
    exec(
        conn,
        "UPDATE calls SET category = ?2, phase = ?3, ended_from = ?4, outcome = ?5, menu_rounds = ?6, attempts = ?7,
                          search_started_at = ?8, ended_at = ?9, menu_repeats = ?10, language = ?11,
                          later = ?12
         WHERE call_sid = ?1",
        params![
            sid,
            s.category,
            phase,
            ended_from,
            outcome,
            s.menu_rounds,
            s.attempts,
            s.search_started_at.map(|t| t.as_second()),
            s.ended_at.map(|t| t.as_second()),
            s.menu_repeats,
            s.language,
            s.later.map(Later::as_str)
        ],
    )?;
    let at = now.as_second();
    for effect in effects {
        match effect {
            Effect::AttemptStarted { attempt, helper_id, phone } => {
                let first_name = match &s.phase {
                    Phase::Ringing(r) | Phase::Connected(r) if r.attempt == *attempt => r.helper_first_name.clone(),
                    _ => String::new(),
                };
                exec(conn,
                    // Only a repeat of the same attempt is ignored; a second open attempt for the
                    // same helper is refused by the database.
                    "INSERT INTO attempts (call_sid, attempt, helper_id, helper_phone, helper_first_name, started_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                     ON CONFLICT (call_sid, attempt) DO NOTHING",
                    params![sid, attempt, helper_id, phone.as_str(), first_name, at],
                )?;
                super::participants::mark_asked(conn, *helper_id, now)?;
            }
            Effect::HelperAnswered { attempt } => {
                exec(
                    conn,
                    "UPDATE attempts SET answered_at = coalesce(answered_at, ?3) WHERE call_sid = ?1 AND attempt = ?2",
                    params![sid, attempt, at],
                )?;
            }
            Effect::HelperKey { attempt, key } => {
                exec(conn,
                    "UPDATE attempts SET key = ?3, answered_at = coalesce(answered_at, ?4) WHERE call_sid = ?1 AND attempt = ?2 AND key IS NULL",
                    params![sid, attempt, key, at],
                )?;
            }
            Effect::Matched { attempt, helper_id, wait_seconds } => {
                exec(
                    conn,
                    "UPDATE attempts SET result = 'accepted' WHERE call_sid = ?1 AND attempt = ?2",
                    params![sid, attempt],
                )?;
                exec(conn,
                    "INSERT OR REPLACE INTO matches (call_sid, attempt, helper_id, caller_phone, category, accepted_at, wait_seconds)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    params![sid, attempt, helper_id, call.from.as_ref().map(|p| p.as_str()), s.category.as_deref().unwrap_or(""), at, wait_seconds],
                )?;
            }
            Effect::MatchUndone { attempt } => {
                exec(conn, "DELETE FROM matches WHERE call_sid = ?1 AND attempt = ?2", params![sid, attempt])?;
            }
            Effect::AttemptEnded { attempt, result } => {
                exec(conn,
                    "UPDATE attempts SET result = ?3, ended_at = coalesce(ended_at, ?4) WHERE call_sid = ?1 AND attempt = ?2",
                    params![sid, attempt, result.as_str(), at],
                )?;
            }
            // Opened by the application layer (`switchboard::callbacks::open`), the one way
            // a call-back request is opened.
            Effect::CallbackRequested { .. } => {}
            // Help for later (issue 28): taken and cancelled by the application layer
            // (`switchboard::step::planned_effects`, with `switchboard::planned`).
            Effect::PlannedAsked { .. }
            | Effect::PlannedWhereTo { .. }
            | Effect::PlannedCancelled { .. }
            | Effect::PlannedOffered { .. }
            | Effect::PlannedPassed { .. }
            | Effect::PlannedTaken { .. }
            | Effect::PlannedWithdrawn { .. } => {}
            // Nothing changes yet: caller ID proves nothing (`confirmations`).
            Effect::OwnSettingAsked { change, confirm } => {
                if let Some(id) = call.caller_id {
                    super::confirmations::ask(conn, id, sid, &call.dialplan_number, *change, *confirm, now)?;
                }
            }
            Effect::Voicemail { recording_url, duration_seconds } => {
                // An update, not a replace: replacing the row would cascade to its local copy.
                exec(conn,
                    "INSERT INTO voicemails (call_sid, recording_url, duration_seconds, created_at) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (call_sid) DO UPDATE SET recording_url = excluded.recording_url, duration_seconds = excluded.duration_seconds",
                    params![sid, recording_url, duration_seconds, at],
                )?;
                // Fetched into our own storage after this commits, then deleted at the provider.
                super::provider_jobs::enqueue(
                    conn,
                    super::provider_jobs::Kind::FetchRecording,
                    recording_url,
                    Some(sid),
                    now,
                )?;
            }
        }
    }
    // Follow-ups follow the outcome: open while the desk has something to do.
    if let Some(outcome) = s.outcome() {
        if let Some(reason) = FollowUpReason::for_call(s, s.ended_at.unwrap_or(now)) {
            exec(
                conn,
                "INSERT INTO follow_ups (call_sid, reason, created_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (call_sid) DO UPDATE SET reason = excluded.reason WHERE closed_at IS NULL",
                params![sid, reason.as_str(), at],
            )?;
            if outcome == crate::domain::call::Outcome::Message {
                message_about(conn, sid, call.caller_id, now)?;
            }
        } else {
            // A change asked for by phone that the desk arranges stays theirs to do.
            exec(
                conn,
                "DELETE FROM follow_ups WHERE call_sid = ?1 AND closed_at IS NULL AND reason <> ?2",
                params![sid, super::confirmations::DESK_REASON.as_str()],
            )?;
        }
        // Helped now: their earlier calls for this (or no chosen) kind of help need no call
        // back any more. (A call-back search closes them when its resident is put through.)
        if outcome == Outcome::Matched && call.kind != CallKind::CallbackSearch {
            close_follow_ups_of_helped(
                conn,
                call.caller_id,
                call.from.as_ref().map(|p| p.as_str()),
                s.category.as_deref(),
                sid,
                now,
            )?;
        }
    }
    Ok(())
}

/// The language of the helper rung as `attempt` of a call (`None`: the neighbourhood's).
pub fn helper_language(conn: &Connection, call_sid: &str, attempt: u32) -> anyhow::Result<Option<String>> {
    Ok(conn
        .prepare_cached(
            "SELECT p.language FROM attempts a JOIN participants p ON p.id = a.helper_id WHERE a.call_sid = ?1 AND a.attempt = ?2",
        )?
        .query_row(params![call_sid, attempt], |r| r.get::<_, Option<String>>(0))
        .optional()?
        .flatten())
}

/// How far back a neighbour's message looks for the call they helped with.
const MESSAGE_LOOKS_BACK_DAYS: i64 = 7;

/// A participant's own change by phone: the register (the ranking sees it at once: the
/// register's version is bumped by the trigger), and the audit log, by phone.
/// Links a neighbour's message to the call they most recently helped with, within a week.
fn message_about(conn: &Connection, sid: &str, caller_id: Option<i64>, now: Timestamp) -> anyhow::Result<()> {
    let Some(id) = caller_id else { return Ok(()) };
    let since = now.as_second() - MESSAGE_LOOKS_BACK_DAYS * 86_400;
    exec(
        conn,
        "UPDATE follow_ups SET about_call = (
             SELECT m.call_sid FROM matches m WHERE m.helper_id = ?2 AND m.accepted_at >= ?3 AND m.call_sid <> ?1
             ORDER BY m.accepted_at DESC LIMIT 1)
         WHERE call_sid = ?1 AND closed_at IS NULL",
        params![sid, id, since],
    )?;
    Ok(())
}

/// Someone was put through to a neighbour in call `helped_in`: the open follow-ups of their
/// earlier calls that only asked the desk to call back because nobody could help (nobody
/// found, hung up, not confirmed) for the same kind of help, or before choosing one, are
/// closed as solved by a neighbour, by the switchboard. A message they left stays open:
/// the desk promised to call back about it.
pub fn close_follow_ups_of_helped(
    conn: &Connection,
    caller_id: Option<i64>,
    from: Option<&str>,
    category: Option<&str>,
    helped_in: &str,
    now: Timestamp,
) -> anyhow::Result<usize> {
    if caller_id.is_none() && from.is_none() {
        return Ok(0);
    }
    Ok(exec(
        conn,
        "UPDATE follow_ups SET closed_at = ?5, result = 'solved-by-neighbour', closed_by = 'Burenlijn'
         WHERE closed_at IS NULL AND reason IN (SELECT value FROM json_each(?6))
           AND call_sid IN (SELECT call_sid FROM calls WHERE call_sid <> ?4
                              AND ((?1 IS NOT NULL AND caller_id = ?1) OR (?2 IS NOT NULL AND from_number = ?2))
                              AND (category IS NULL OR category = ?3))",
        params![caller_id, from, category, helped_in, now.as_second(), closed_by_help()],
    )?)
}

/// The follow-up reasons that helping the caller closes, as a JSON array for `json_each`.
fn closed_by_help() -> String {
    let words: Vec<&str> = FollowUpReason::ALL.iter().filter(|r| r.closed_by_help()).map(|r| r.as_str()).collect();
    serde_json::to_string(&words).expect("words are JSON")
}

/// One call as the log shows it, to the desk's pages, `burenlijn calls`, the demo and
/// the tests: the call with its caller, its match (the helper and the wait), its
/// voicemail and whether it needed a follow-up. `A` is what is read of the helpers rung:
/// nothing on the desk's lists (`CallRow`, which show only `rung`), each of them in a
/// `CallLog`. Every reader goes through `CALL_ROW`.
#[derive(Clone, Debug)]
pub struct LogEntry<A> {
    pub call_sid: String,
    pub dialplan_number: String,
    /// The neighbourhood's key stored when the call started; `None` for calls from before
    /// migration 018 (`Neighbourhoods::key_of_call` then asks the dialplans).
    pub neighbourhood: Option<String>,
    /// What the call is: one that came in, a call-back search, a round's alert.
    pub kind: CallKind,
    /// A round's alert: the morning it is about.
    pub morning_id: Option<i64>,
    pub started_at: Timestamp,
    /// When a category was chosen and the search began.
    pub search_started_at: Option<Timestamp>,
    pub ended_at: Option<Timestamp>,
    pub from: Option<String>,
    pub caller_id: Option<i64>,
    pub caller_name: Option<String>,
    pub caller_street: Option<String>,
    pub category: Option<String>,
    pub phase: String,
    /// `None` while the call is going.
    pub outcome: Option<Outcome>,
    /// How many helpers were rung (the call's own count).
    pub rung: u32,
    pub attempts: A,
    pub helper_id: Option<i64>,
    pub helper_phone: Option<String>,
    pub helper_first_name: Option<String>,
    pub wait_seconds: Option<i64>,
    pub voicemail_url: Option<String>,
    pub voicemail_seconds: Option<i64>,
    /// `open` or `closed` when the call needed a follow-up.
    pub follow_up: Option<String>,
    pub anonymised: bool,
    /// Whether the voicemail's audio is in our own storage yet (`recordings`); until then
    /// it is still being fetched from the provider.
    pub voicemail_stored: bool,
    /// How often fetching the voicemail from the provider failed so far, while it is still
    /// being tried.
    pub voicemail_failed_tries: Option<u32>,
}

/// A line of the desk's Now and Calls pages: a call without its attempts.
pub type CallRow = LogEntry<()>;

/// A call with the helpers rung for it, in order.
pub type CallLog = LogEntry<Vec<Attempt>>;

/// One helper rung for a call.
#[derive(Clone, Debug)]
pub struct Attempt {
    pub attempt: u32,
    pub helper_id: Option<i64>,
    pub phone: Option<String>,
    pub first_name: String,
    pub started_at: Timestamp,
    pub answered_at: Option<Timestamp>,
    pub key: Option<String>,
    pub result: Option<String>,
    pub ended_at: Option<Timestamp>,
}

impl CallRow {
    pub fn with_attempts(self, attempts: Vec<Attempt>) -> CallLog {
        LogEntry {
            call_sid: self.call_sid,
            dialplan_number: self.dialplan_number,
            neighbourhood: self.neighbourhood,
            kind: self.kind,
            morning_id: self.morning_id,
            started_at: self.started_at,
            search_started_at: self.search_started_at,
            ended_at: self.ended_at,
            from: self.from,
            caller_id: self.caller_id,
            caller_name: self.caller_name,
            caller_street: self.caller_street,
            category: self.category,
            phase: self.phase,
            outcome: self.outcome,
            rung: self.rung,
            attempts,
            helper_id: self.helper_id,
            helper_phone: self.helper_phone,
            helper_first_name: self.helper_first_name,
            wait_seconds: self.wait_seconds,
            voicemail_url: self.voicemail_url,
            voicemail_seconds: self.voicemail_seconds,
            follow_up: self.follow_up,
            anonymised: self.anonymised,
            voicemail_stored: self.voicemail_stored,
            voicemail_failed_tries: self.voicemail_failed_tries,
        }
    }
}

impl CallLog {
    /// One call as JSON, in the shape `burenlijn calls --json` promises.
    pub fn to_json(&self) -> serde_json::Value {
        let c = self;
        serde_json::json!({
        "call_sid": c.call_sid,
        "from": c.from.clone().unwrap_or_else(|| "anonymous".into()),
        "category": c.category,
        "outcome": c.outcome.map(Outcome::as_str),
        "helper": c.helper_phone,
        "attempts": c.attempts.iter().map(|a| serde_json::json!({
            "phone": a.phone,
            "result": a.result,
            "key": a.key,
            "started_at": a.started_at.to_string(),
        })).collect::<Vec<_>>(),
        "started_at": c.started_at.to_string(),
        "ended_at": c.ended_at.map(|t| t.to_string()),
        "wait_seconds": c.wait_seconds,
        "voicemail": c.voicemail_url,
        "follow_up": c.follow_up,
        "dialplan": c.dialplan_number,
        "neighbourhood": c.neighbourhood,
        "anonymised": c.anonymised,
        })
    }
}

/// The columns of a `LogEntry` and the joins they need, from `calls c` (each call once:
/// a call has at most one match, voicemail and follow-up); add a `WHERE`, an `ORDER BY`
/// and a `LIMIT`, and read it with `read_rows` or `read_logs`.
pub(super) const CALL_ROW: &str =
    "SELECT c.call_sid, c.dialplan_number, c.started_at, c.search_started_at, c.ended_at, c.from_number, c.caller_id,
            p.name, p.street, c.category, c.phase, c.outcome, c.attempts,
            m.helper_id, a.helper_phone, a.helper_first_name, m.wait_seconds, v.recording_url, v.duration_seconds,
            CASE WHEN f.call_sid IS NULL THEN NULL WHEN f.closed_at IS NULL THEN 'open' ELSE 'closed' END,
            c.anonymised_at IS NOT NULL, rec.call_sid IS NOT NULL,
            (SELECT pj.tries FROM provider_jobs pj WHERE pj.kind = 'fetch-recording' AND pj.call_sid = c.call_sid),
            c.neighbourhood, c.kind, c.morning_id
     FROM calls c
     LEFT JOIN participants p ON p.id = c.caller_id
     LEFT JOIN matches m ON m.call_sid = c.call_sid
     LEFT JOIN attempts a ON a.call_sid = m.call_sid AND a.attempt = m.attempt
     LEFT JOIN voicemails v ON v.call_sid = c.call_sid
     LEFT JOIN follow_ups f ON f.call_sid = c.call_sid
     LEFT JOIN recordings rec ON rec.call_sid = c.call_sid";

/// The calls that `sql` (a query on `CALL_ROW`) selects, in its order.
pub(super) fn read_rows(conn: &Connection, sql: &str, params: impl rusqlite::Params) -> anyhow::Result<Vec<CallRow>> {
    Ok(conn.prepare_cached(sql)?.query_map(params, from_row)?.collect::<Result<Vec<_>, _>>()?)
}

/// As `read_rows`, each call with its attempts (read for all of them in one more query).
pub(super) fn read_logs(conn: &Connection, sql: &str, params: impl rusqlite::Params) -> anyhow::Result<Vec<CallLog>> {
    let rows = read_rows(conn, sql, params)?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let sids = serde_json::to_string(&rows.iter().map(|c| c.call_sid.as_str()).collect::<Vec<_>>())?;
    let mut by_call: HashMap<String, Vec<Attempt>> = HashMap::with_capacity(rows.len());
    let mut stmt = conn.prepare_cached(
        "SELECT call_sid, attempt, helper_id, helper_phone, helper_first_name, started_at, answered_at, key, result, ended_at
         FROM attempts WHERE call_sid IN (SELECT value FROM json_each(?1)) ORDER BY call_sid, attempt",
    )?;
    let mut found = stmt.query([sids])?;
    while let Some(r) = found.next()? {
        let attempt = Attempt {
            attempt: r.get(1)?,
            helper_id: r.get(2)?,
            phone: r.get(3)?,
            first_name: r.get(4)?,
            started_at: ts_or_epoch(r.get(5)?),
            answered_at: ts(r.get(6)?),
            key: r.get(7)?,
            result: r.get(8)?,
            ended_at: ts(r.get(9)?),
        };
        by_call.entry(r.get(0)?).or_default().push(attempt);
    }
    Ok(rows
        .into_iter()
        .map(|row| {
            let attempts = by_call.remove(&row.call_sid).unwrap_or_default();
            row.with_attempts(attempts)
        })
        .collect())
}

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<CallRow> {
    Ok(LogEntry {
        call_sid: r.get(0)?,
        dialplan_number: r.get(1)?,
        started_at: ts_or_epoch(r.get(2)?),
        search_started_at: ts(r.get(3)?),
        ended_at: ts(r.get(4)?),
        from: r.get(5)?,
        caller_id: r.get(6)?,
        caller_name: r.get(7)?,
        caller_street: r.get(8)?,
        category: r.get(9)?,
        phase: r.get(10)?,
        outcome: match r.get_ref(11)?.as_str_or_null()? {
            Some(word) => Some(outcome_parse(word).map_err(|e| e.at(11))?),
            None => None,
        },
        rung: r.get(12)?,
        attempts: (),
        helper_id: r.get(13)?,
        helper_phone: r.get(14)?,
        helper_first_name: r.get(15)?,
        wait_seconds: r.get(16)?,
        voicemail_url: r.get(17)?,
        voicemail_seconds: r.get(18)?,
        follow_up: r.get(19)?,
        anonymised: r.get(20)?,
        voicemail_stored: r.get(21)?,
        voicemail_failed_tries: r.get(22)?,
        neighbourhood: r.get(23)?,
        kind: kind_parse(r.get_ref(24)?.as_str()?).map_err(|e| e.at(24))?,
        morning_id: r.get(25)?,
    })
}

fn ts_or_epoch(secs: i64) -> Timestamp {
    Timestamp::from_second(secs).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// One call, without its attempts.
pub fn row(conn: &Connection, call_sid: &str) -> anyhow::Result<Option<CallRow>> {
    Ok(read_rows(conn, &format!("{CALL_ROW} WHERE c.call_sid = ?1"), [call_sid])?.into_iter().next())
}

/// One call with its attempts.
pub fn call_log(conn: &Connection, call_sid: &str) -> anyhow::Result<Option<CallLog>> {
    Ok(read_logs(conn, &format!("{CALL_ROW} WHERE c.call_sid = ?1"), [call_sid])?.into_iter().next())
}

/// The most recent calls, newest first.
pub fn log(conn: &Connection, limit: u32) -> anyhow::Result<Vec<CallLog>> {
    log_on(conn, None, limit)
}

/// The most recent calls in the neighbourhood `(key, number)` (all, for `None`), newest
/// first: the calls stored with that key, and the older calls without one that came in on
/// its number.
pub fn log_on(conn: &Connection, neighbourhood: Option<(&str, &str)>, limit: u32) -> anyhow::Result<Vec<CallLog>> {
    let (key, number) = neighbourhood.unzip();
    read_logs(
        conn,
        &format!(
            "{CALL_ROW} WHERE ?1 IS NULL OR c.neighbourhood = ?1 OR (c.neighbourhood IS NULL AND c.dialplan_number = ?2)
             ORDER BY c.started_at DESC, c.rowid DESC LIMIT ?3"
        ),
        params![key, number, limit],
    )
}

/// For the crash harness: the calls with a match, how many calls have no outcome or end,
/// and how many attempts have no end.
pub fn loose_ends(conn: &Connection) -> anyhow::Result<LooseEnds> {
    let sids = |sql: &str| -> anyhow::Result<Vec<String>> {
        Ok(conn.prepare(sql)?.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?)
    };
    Ok(LooseEnds {
        matched: sids("SELECT call_sid FROM matches")?,
        unconfirmed: sids("SELECT call_sid FROM calls WHERE outcome = 'unconfirmed'")?,
        unconfirmed_unfollowed: sids(
            "SELECT call_sid FROM calls c WHERE outcome = 'unconfirmed'
             AND NOT EXISTS (SELECT 1 FROM follow_ups f WHERE f.call_sid = c.call_sid AND f.closed_at IS NULL)",
        )?
        .len() as i64,
        without_outcome: conn.query_row(
            "SELECT count(*) FROM calls WHERE outcome IS NULL OR ended_at IS NULL",
            [],
            |r| r.get(0),
        )?,
        open_attempts: conn.query_row("SELECT count(*) FROM attempts WHERE ended_at IS NULL", [], |r| r.get(0))?,
    })
}

/// What the crash harness compares with what the phones did.
pub struct LooseEnds {
    /// Calls with a match.
    pub matched: Vec<String>,
    /// Calls whose yes was never confirmed (the desk checks them).
    pub unconfirmed: Vec<String>,
    /// Of those, how many have no open follow-up.
    pub unconfirmed_unfollowed: i64,
    pub without_outcome: i64,
    pub open_attempts: i64,
}

/// How many calls and participants there are (to show a backup holds them).
pub fn totals(conn: &Connection) -> anyhow::Result<(i64, i64)> {
    let calls = conn.query_row("SELECT count(*) FROM calls", [], |r| r.get(0))?;
    let people = conn.query_row("SELECT count(*) FROM participants", [], |r| r.get(0))?;
    Ok((calls, people))
}

/// When the yes of `call_sid`'s match was stored (seconds), if it has one.
pub fn match_accepted_at(conn: &Connection, call_sid: &str) -> anyhow::Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT max(accepted_at) FROM matches WHERE call_sid = ?1")?
        .query_row([call_sid], |r| r.get(0))?)
}

/// `dial` mode: calls whose caller's end came while connected, after a yes stored before
/// the service last started, still waiting for the `<Dial>` action since before `before`.
pub fn awaiting_bridge_before(conn: &Connection, before: Timestamp) -> anyhow::Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT call_sid FROM calls WHERE phase = 'connected' AND ended_at IS NOT NULL AND ended_at < ?1 ORDER BY ended_at",
    )?;
    let sids = stmt.query_map([before.as_second()], |r| r.get(0))?.collect::<Result<Vec<String>, _>>()?;
    Ok(sids)
}

/// Calls started before `before` that never ended: their provider's last report was lost.
pub fn unfinished_before(conn: &Connection, before: Timestamp) -> anyhow::Result<Vec<String>> {
    let mut stmt = conn
        .prepare_cached("SELECT call_sid FROM calls WHERE ended_at IS NULL AND started_at < ?1 ORDER BY started_at")?;
    let sids = stmt.query_map([before.as_second()], |r| r.get(0))?.collect::<Result<Vec<String>, _>>()?;
    Ok(sids)
}

/// Searches (calls in which a category was chosen) from this number since `since`, other
/// than `call_sid`.
pub fn searches_since(conn: &Connection, from: &PhoneNumber, since: Timestamp, call_sid: &str) -> anyhow::Result<u32> {
    let n: i64 = conn.prepare_cached(
        "SELECT count(*) FROM calls WHERE from_number = ?1 AND started_at > ?2 AND category IS NOT NULL AND call_sid <> ?3",
    )?
    .query_row(params![from.as_str(), since.as_second(), call_sid], |r| r.get(0))?;
    Ok(n as u32)
}

/// Removes numbers, names, recordings and sent documents from at most `batch` calls that
/// started before `before`, and queues the deletion of their recordings and call records
/// at the provider (`provider_jobs::forget_call`), keeping what the anonymous totals need (times, category,
/// outcome, results, waits). Returns how many calls were anonymised; call it again until
/// that is less than `batch`, each time in its own short transaction, so webhooks in
/// between never wait long.
pub fn anonymise_before(conn: &Connection, before: Timestamp, now: Timestamp, batch: u32) -> anyhow::Result<usize> {
    let sids: Vec<String> = conn
        .prepare_cached(
            "SELECT call_sid FROM calls WHERE started_at < ?1 AND anonymised_at IS NULL AND ended_at IS NOT NULL ORDER BY started_at LIMIT ?2",
        )?
        .query_map(params![before.as_second(), batch], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for sid in &sids {
        // The recording goes here and at the provider, the call's records there (jobs).
        super::provider_jobs::forget_call(conn, sid, now)?;
        exec(
            conn,
            "UPDATE attempts SET helper_id = NULL, helper_phone = NULL, helper_first_name = '', leg_sid = NULL WHERE call_sid = ?1",
            [sid],
        )?;
        exec(conn, "UPDATE matches SET helper_id = NULL, caller_phone = NULL WHERE call_sid = ?1", [sid])?;
        exec(conn, "UPDATE wave_legs SET helper_id = NULL, leg_sid = NULL WHERE call_sid = ?1", [sid])?;
        exec(conn, "DELETE FROM voicemails WHERE call_sid = ?1", [sid])?;
        exec(conn, "DELETE FROM webhook_responses WHERE call_sid = ?1", [sid])?;
        exec(conn, "UPDATE follow_ups SET note = NULL WHERE call_sid = ?1", [sid])?;
        exec(
            conn,
            "UPDATE follow_up_steps SET note = '' WHERE follow_up_id IN (SELECT id FROM follow_ups WHERE call_sid = ?1)",
            [sid],
        )?;
        exec(
            conn,
            "UPDATE calls SET from_number = NULL, caller_id = NULL, anonymised_at = ?2 WHERE call_sid = ?1",
            params![sid, now.as_second()],
        )?;
    }
    // The good-morning round's calls from before then: numbers and call records go too.
    super::round::anonymise_before(conn, before, now)?;
    // Changes asked for by phone, and their call backs.
    super::confirmations::anonymise_before(conn, before, now)?;
    // Requests for help later (issue 28): who asked and helped go, their counts stay.
    super::planned::anonymise_before(conn, before, now)?;
    Ok(sids.len())
}

/// Anonymises every call that started before `before` (see `anonymise_before`), `batch`
/// calls to a transaction. Returns how many calls were anonymised.
pub fn anonymise_all_before(
    store: &super::Store,
    before: Timestamp,
    now: Timestamp,
    batch: u32,
) -> anyhow::Result<usize> {
    let mut total = 0;
    loop {
        let n = store.write(|tx| anonymise_before(tx, before, now, batch))?;
        total += n;
        if n < batch as usize {
            return Ok(total);
        }
    }
}

/// Dial mode: the provider's CallSid of attempt `attempt`'s leg, once known.
pub fn set_attempt_leg(conn: &Connection, call_sid: &str, attempt: u32, leg_sid: &str) -> anyhow::Result<()> {
    exec(
        conn,
        "UPDATE attempts SET leg_sid = ?3 WHERE call_sid = ?1 AND attempt = ?2 AND leg_sid IS NULL",
        params![call_sid, attempt, leg_sid],
    )?;
    Ok(())
}

/// Dial mode: the provider's id of attempt `attempt`'s leg, when known.
pub fn attempt_leg(conn: &Connection, call_sid: &str, attempt: u32) -> anyhow::Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT leg_sid FROM attempts WHERE call_sid = ?1 AND attempt = ?2",
            params![call_sid, attempt],
            |r| r.get::<_, Option<String>>(0),
        )
        .optional()?
        .flatten())
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    use crate::domain::call::{Outcome, Phase};

    fn conn() -> Connection {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::store::migrations().to_latest(&mut conn).unwrap();
        conn
    }

    fn ended(conn: &Connection, sid: &str, outcome: &str) {
        conn.execute(
            "INSERT INTO calls (call_sid, dialplan_number, phase, outcome, started_at, ended_at, seq)
             VALUES (?1, '+31850000000', 'ended', ?2, 10, 20, 1)",
            [sid, outcome],
        )
        .unwrap();
    }

    /// Issue 29: the Now page's live updates show exactly the calls the page lists on
    /// load: a call-back search that found nobody is in neither.
    #[test]
    fn the_now_page_and_its_live_updates_show_the_same_calls() {
        let conn = conn();
        ended(&conn, "CA1", "unmatched");
        ended(&conn, "CS1", "unmatched");
        conn.execute("UPDATE calls SET kind = 'callback-search', ended_from = 'ringing' WHERE call_sid = 'CS1'", [])
            .unwrap();
        let scope = crate::store::scope::Scope::all();
        let listed: Vec<String> = crate::store::desk::now_calls(&conn, jiff::Timestamp::UNIX_EPOCH, 10, &scope)
            .unwrap()
            .into_iter()
            .map(|r| r.call_sid)
            .collect();
        assert_eq!(listed, ["CA1"]);
        for sid in ["CA1", "CS1"] {
            assert_eq!(crate::store::desk::shown_now(&conn, sid).unwrap(), listed.iter().any(|l| l == sid), "{sid}");
        }
    }

    /// Every outcome a call is stored with is read back as itself, by the call flow's
    /// reader and by the desk's, including a good-morning alert's `round`.
    #[test]
    fn every_stored_outcome_is_read_back_as_itself() {
        let conn = conn();
        for o in Outcome::ALL {
            let sid = format!("CA{}", o.as_str());
            ended(&conn, &sid, o.as_str());
            let call = super::load(&conn, &sid).unwrap().unwrap();
            assert!(matches!(call.state.phase, Phase::Ended { outcome, .. } if outcome == o), "{o:?}");
            assert_eq!(super::row(&conn, &sid).unwrap().unwrap().outcome, Some(o));
        }
    }

    /// A word no outcome is stored as (a newer version's, a hand edit) is an error that
    /// names it, from every reader: never read as "nobody found".
    #[test]
    fn an_unknown_stored_outcome_is_an_error_that_names_it() {
        let conn = conn();
        // Past the table's CHECK, as a newer version's database or a hand edit would be.
        conn.pragma_update(None, "ignore_check_constraints", "ON").unwrap();
        ended(&conn, "CA1", "helped-later");
        let load = super::load(&conn, "CA1").unwrap_err().to_string();
        assert!(load.contains("'helped-later'") && load.contains("CA1"), "{load}");
        let row = format!("{:#}", super::row(&conn, "CA1").unwrap_err());
        assert!(row.contains("unknown calls.outcome 'helped-later'"), "{row}");
        let log = format!("{:#}", super::log(&conn, 10).unwrap_err());
        assert!(log.contains("'helped-later'"), "{log}");
    }

    /// So is a follow-up reason no `FollowUpReason` is stored as; a known one reads back
    /// as itself.
    #[test]
    fn an_unknown_follow_up_reason_is_an_error_that_names_it() {
        use crate::domain::desk::FollowUpReason;
        let conn = conn();
        ended(&conn, "GM1", Outcome::Round.as_str());
        conn.execute(
            "INSERT INTO follow_ups (call_sid, reason, created_at, urgent) VALUES ('GM1', ?1, 20, 1)",
            [FollowUpReason::RoundMissed.as_str()],
        )
        .unwrap();
        let scope = crate::store::scope::Scope::all();
        let urgent = crate::store::desk::urgent_follow_ups(&conn, &scope).unwrap();
        assert_eq!(urgent.iter().map(|u| u.reason).collect::<Vec<_>>(), [FollowUpReason::RoundMissed]);
        conn.pragma_update(None, "ignore_check_constraints", "ON").unwrap();
        conn.execute("UPDATE follow_ups SET reason = 'round-forgotten'", []).unwrap();
        let err = format!("{:#}", crate::store::desk::urgent_follow_ups(&conn, &scope).unwrap_err());
        assert!(err.contains("unknown follow_ups.reason 'round-forgotten'"), "{err}");
    }
}
