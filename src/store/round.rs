//! The good-morning round (issue 16): who is in it (`round_residents`, `round_contacts`),
//! each morning of each resident (`round_mornings`, one per day, also across a crash), and
//! every call the round made (`round_calls`). The pure rules are `domain::round`.

use jiff::civil::{Date, Time};
use jiff::Timestamp;
use rusqlite::{params, Connection, OptionalExtension};

use super::scope::Scope;
use crate::domain::desk::FollowUpReason;
use crate::domain::phone::PhoneNumber;
use crate::domain::round::{Enrolment, Morning, RoundResult, Stage, Who};

/// The unique call sid of the `calls` row morning `id` gets when the desk is alerted (one
/// per morning; what the row is, and its morning, are its `kind` and `morning_id`, never
/// read from this).
fn alert_sid(id: i64) -> String {
    format!("GM{id:016}")
}

/// One contact of a resident, in their order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contact {
    pub phone: PhoneNumber,
    /// A registered participant, or `None` for a plain number (a relative).
    pub participant_id: Option<i64>,
    pub name: Option<String>,
    pub language: Option<String>,
}

/// A resident in the round, with what the call needs to say.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resident {
    pub participant_id: i64,
    pub name: String,
    pub phone: PhoneNumber,
    pub street: String,
    pub language: Option<String>,
    pub neighbourhood: String,
    pub enrolment: Enrolment,
    pub contacts: Vec<Contact>,
    /// When they were enrolled, or their enrolment last changed.
    pub changed_at: Timestamp,
}

impl Resident {
    pub fn first_name(&self) -> &str {
        self.name.split_whitespace().next().unwrap_or(&self.name)
    }
}

/// What the desk or the CLI enrols.
pub struct Enrol<'a> {
    pub participant_id: i64,
    pub neighbourhood: &'a str,
    pub at: Time,
    pub days: u8,
    pub retry_minutes: u32,
    pub tries: u32,
    /// Each contact's number, with the participant it belongs to (if any).
    pub contacts: &'a [(PhoneNumber, Option<i64>)],
}

/// Enrols a resident, or changes their enrolment (their contacts are replaced). Returns
/// whether they were new to the round.
pub fn enrol(tx: &Connection, e: &Enrol<'_>, now: Timestamp) -> anyhow::Result<bool> {
    let at = format!("{:02}:{:02}", e.at.hour(), e.at.minute());
    let existed = tx
        .query_row("SELECT 1 FROM round_residents WHERE participant_id = ?1", [e.participant_id], |_| Ok(()))
        .optional()?
        .is_some();
    tx.execute(
        "INSERT INTO round_residents (participant_id, neighbourhood, at, days, retry_minutes, tries, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)
         ON CONFLICT (participant_id) DO UPDATE SET neighbourhood = ?2, at = ?3, days = ?4, retry_minutes = ?5,
             tries = ?6, updated_at = ?7",
        params![e.participant_id, e.neighbourhood, at, e.days, e.retry_minutes, e.tries, now.as_second()],
    )?;
    tx.execute("DELETE FROM round_contacts WHERE resident_id = ?1", [e.participant_id])?;
    for (position, (phone, participant)) in e.contacts.iter().enumerate() {
        tx.execute(
            "INSERT INTO round_contacts (resident_id, position, phone, participant_id) VALUES (?1, ?2, ?3, ?4)",
            params![e.participant_id, position as i64, phone.as_str(), participant],
        )?;
    }
    Ok(!existed)
}

/// Takes a resident out of the round (their log stays). Returns whether they were in it.
pub fn remove(tx: &Connection, participant_id: i64) -> anyhow::Result<bool> {
    Ok(tx.execute("DELETE FROM round_residents WHERE participant_id = ?1", [participant_id])? > 0)
}

/// Away from .. until (inclusive), or `None` to clear it.
pub fn set_away(
    tx: &Connection,
    participant_id: i64,
    away: Option<(Date, Date)>,
    now: Timestamp,
) -> anyhow::Result<bool> {
    let (from, until) = match away {
        Some((f, u)) => (Some(f.to_string()), Some(u.to_string())),
        None => (None, None),
    };
    Ok(tx.execute(
        "UPDATE round_residents SET away_from = ?2, away_until = ?3, updated_at = ?4 WHERE participant_id = ?1",
        params![participant_id, from, until, now.as_second()],
    )? > 0)
}

/// No round until they call again (or the desk resumes it); `false` resumes it.
pub fn set_paused(tx: &Connection, participant_id: i64, paused: bool, now: Timestamp) -> anyhow::Result<bool> {
    Ok(tx.execute(
        "UPDATE round_residents SET paused = ?2, updated_at = ?3 WHERE participant_id = ?1 AND paused != ?2",
        params![participant_id, paused, now.as_second()],
    )? > 0)
}

const RESIDENT: &str = "SELECT r.participant_id, p.name, p.phone, p.street, p.language, r.neighbourhood, r.at, r.days,
        r.retry_minutes, r.tries, r.away_from, r.away_until, r.paused, r.updated_at
    FROM round_residents r JOIN participants p ON p.id = r.participant_id";

fn resident_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Resident> {
    let bad = |i: usize, e: String| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e.into());
    let phone: String = r.get(2)?;
    let at: String = r.get(6)?;
    let date = |i: usize| -> rusqlite::Result<Option<Date>> {
        r.get::<_, Option<String>>(i)?.map(|d| d.parse::<Date>().map_err(|e| bad(i, e.to_string()))).transpose()
    };
    let away = match (date(10)?, date(11)?) {
        (Some(f), Some(u)) => Some((f, u)),
        _ => None,
    };
    Ok(Resident {
        participant_id: r.get(0)?,
        name: r.get(1)?,
        phone: PhoneNumber::from_stored(&phone).map_err(|e| bad(2, e.to_string()))?,
        street: r.get(3)?,
        language: r.get(4)?,
        neighbourhood: r.get(5)?,
        enrolment: Enrolment {
            at: at.parse::<Time>().map_err(|e| bad(6, e.to_string()))?,
            days: r.get(7)?,
            retry_minutes: r.get(8)?,
            tries: r.get(9)?,
            contacts: 0,
            away,
            paused: r.get(12)?,
        },
        contacts: Vec::new(),
        changed_at: Timestamp::from_second(r.get(13)?).map_err(|e| bad(13, e.to_string()))?,
    })
}

fn with_contacts(conn: &Connection, mut resident: Resident) -> anyhow::Result<Resident> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.phone, c.participant_id, p.name, p.language FROM round_contacts c
         LEFT JOIN participants p ON p.id = c.participant_id WHERE c.resident_id = ?1 ORDER BY c.position",
    )?;
    let rows = stmt
        .query_map([resident.participant_id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Option<i64>>(1)?, r.get(2)?, r.get(3)?))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    for (phone, participant_id, name, language) in rows {
        resident.contacts.push(Contact { phone: PhoneNumber::from_stored(&phone)?, participant_id, name, language });
    }
    resident.enrolment.contacts = resident.contacts.len();
    Ok(resident)
}

/// A resident (`r`) of a neighbourhood the scope's JSON array of keys (`?{n}`) holds, or
/// any for `NULL`.
fn resident_in(n: usize) -> String {
    format!("(?{n} IS NULL OR r.neighbourhood IN (SELECT value FROM json_each(?{n})))")
}

/// Everyone in the round, by name.
pub fn residents(conn: &Connection) -> anyhow::Result<Vec<Resident>> {
    residents_in(conn, &Scope::all())
}

/// Everyone in the round the account may see, by name.
pub fn residents_in(conn: &Connection, scope: &Scope) -> anyhow::Result<Vec<Resident>> {
    let mut stmt =
        conn.prepare_cached(&format!("{RESIDENT} WHERE {} ORDER BY p.name COLLATE NOCASE, p.id", resident_in(1)))?;
    let rows = stmt.query_map([scope.keys_json()], resident_row)?.collect::<Result<Vec<_>, _>>()?;
    rows.into_iter().map(|r| with_contacts(conn, r)).collect()
}

/// Whether participant `id` is in the round, in a neighbourhood the account may see.
pub fn resident_visible(conn: &Connection, id: i64, scope: &Scope) -> anyhow::Result<bool> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT EXISTS (SELECT 1 FROM round_residents r WHERE r.participant_id = ?1 AND {})",
            resident_in(2)
        ))?
        .query_row(params![id, scope.keys_json()], |r| r.get(0))?)
}

/// The participants the account may see who are not in the round: (id, name, number).
pub fn candidates(conn: &Connection, scope: &Scope) -> anyhow::Result<Vec<(i64, String, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT p.id, p.name, p.phone FROM participants p
         WHERE (?1 IS NULL OR EXISTS (SELECT 1 FROM memberships ms WHERE ms.participant_id = p.id
                                      AND ms.neighbourhood IN (SELECT value FROM json_each(?1))))
           AND NOT EXISTS (SELECT 1 FROM round_residents r WHERE r.participant_id = p.id)
         ORDER BY p.name COLLATE NOCASE, p.id",
    )?;
    let rows = stmt.query_map([scope.keys_json()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn resident(conn: &Connection, participant_id: i64) -> anyhow::Result<Option<Resident>> {
    let found = conn
        .query_row(&format!("{RESIDENT} WHERE r.participant_id = ?1"), [participant_id], resident_row)
        .optional()?;
    found.map(|r| with_contacts(conn, r)).transpose()
}

/// Whether a participant's round is paused (`Some`), or `None` when they are not in the
/// round: what the call flow needs at every step, in one query.
pub fn paused(conn: &Connection, participant_id: i64) -> anyhow::Result<Option<bool>> {
    Ok(conn
        .prepare_cached("SELECT paused FROM round_residents WHERE participant_id = ?1")?
        .query_row([participant_id], |r| r.get(0))
        .optional()?)
}

/// The `CallSid` of a call of the round, once the provider has given it.
pub fn call_leg(conn: &Connection, morning_id: i64, who: Who) -> anyhow::Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT leg_sid FROM round_calls WHERE morning_id = ?1 AND who = ?2 AND n = ?3",
            params![morning_id, who.kind(), who.n()],
            |r| r.get(0),
        )
        .optional()?
        .flatten())
}

/// The last morning made (or given up) for a resident.
pub fn last_handled(conn: &Connection, participant_id: i64) -> anyhow::Result<Option<Date>> {
    let last: Option<String> =
        conn.query_row("SELECT max(date) FROM round_mornings WHERE resident_id = ?1", [participant_id], |r| r.get(0))?;
    Ok(last.and_then(|d| d.parse().ok()))
}

/// Whether a resident has had a morning before `date` (the first call says what the round is).
pub fn had_a_morning_before(conn: &Connection, participant_id: i64, date: Date) -> anyhow::Result<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM round_mornings WHERE resident_id = ?1 AND date < ?2 LIMIT 1",
            params![participant_id, date.to_string()],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// A stored morning.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredMorning {
    pub id: i64,
    pub resident_id: i64,
    pub dialplan_number: String,
    pub morning: Morning,
    pub started_at: Timestamp,
}

fn stage_parts(stage: &Stage) -> (&'static str, i64, Option<i64>) {
    match stage {
        Stage::CallingResident { n } => ("calling-resident", i64::from(*n), None),
        Stage::Waiting { n, next_at } => ("waiting", i64::from(*n), Some(next_at.as_second())),
        Stage::CallingContact { index } => ("calling-contact", *index as i64, None),
        Stage::Answered => ("answered", 0, None),
        Stage::AskedForHelp => ("asked-for-help", 0, None),
        Stage::Confirmed { index } => ("confirmed", *index as i64, None),
        Stage::DeskAlerted => ("desk-alerted", 0, None),
        Stage::Missed => ("missed", 0, None),
    }
}

fn stage_from(name: &str, n: i64, next_at: Option<i64>) -> Option<Stage> {
    Some(match name {
        "calling-resident" => Stage::CallingResident { n: n as u32 },
        "waiting" => Stage::Waiting { n: n as u32, next_at: Timestamp::from_second(next_at?).ok()? },
        "calling-contact" => Stage::CallingContact { index: n as usize },
        "answered" => Stage::Answered,
        "asked-for-help" => Stage::AskedForHelp,
        "confirmed" => Stage::Confirmed { index: n as usize },
        "desk-alerted" => Stage::DeskAlerted,
        "missed" => Stage::Missed,
        _ => return None,
    })
}

/// Stores a new morning. `None` when the resident has one for that date already: a
/// resident is never called twice for one morning, whatever happened in between.
pub fn start_morning(
    tx: &Connection,
    resident_id: i64,
    dialplan_number: &str,
    morning: &Morning,
    now: Timestamp,
) -> anyhow::Result<Option<i64>> {
    let (stage, n, next_at) = stage_parts(&morning.stage);
    let ended = morning.stage.is_over().then_some(now.as_second());
    let inserted = tx.execute(
        "INSERT INTO round_mornings (resident_id, date, dialplan_number, stage, stage_n, next_at, started_at, ended_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (resident_id, date) DO NOTHING",
        params![resident_id, morning.date.to_string(), dialplan_number, stage, n, next_at, now.as_second(), ended],
    )?;
    Ok((inserted > 0).then(|| tx.last_insert_rowid()))
}

pub fn save_morning(tx: &Connection, id: i64, stage: &Stage, now: Timestamp) -> anyhow::Result<()> {
    let (name, n, next_at) = stage_parts(stage);
    let ended = stage.is_over().then_some(now.as_second());
    tx.execute(
        "UPDATE round_mornings SET stage = ?2, stage_n = ?3, next_at = ?4, ended_at = coalesce(ended_at, ?5) WHERE id = ?1",
        params![id, name, n, next_at, ended],
    )?;
    Ok(())
}

const MORNING: &str =
    "SELECT id, resident_id, dialplan_number, date, stage, stage_n, next_at, started_at FROM round_mornings";

fn morning_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredMorning> {
    let bad = |i: usize, e: &str| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e.to_string().into())
    };
    let date: String = r.get(3)?;
    let stage: String = r.get(4)?;
    Ok(StoredMorning {
        id: r.get(0)?,
        resident_id: r.get(1)?,
        dialplan_number: r.get(2)?,
        morning: Morning {
            date: date.parse().map_err(|_| bad(3, "not a date"))?,
            stage: stage_from(&stage, r.get(5)?, r.get(6)?).ok_or_else(|| bad(4, "not a stage"))?,
        },
        started_at: Timestamp::from_second(r.get(7)?).map_err(|_| bad(7, "not a time"))?,
    })
}

pub fn morning(conn: &Connection, id: i64) -> anyhow::Result<Option<StoredMorning>> {
    Ok(conn.query_row(&format!("{MORNING} WHERE id = ?1"), [id], morning_row).optional()?)
}

/// Mornings not over yet (a try to make, a contact ringing).
pub fn open_mornings(conn: &Connection) -> anyhow::Result<Vec<StoredMorning>> {
    let mut stmt = conn.prepare_cached(&format!("{MORNING} WHERE ended_at IS NULL ORDER BY id"))?;
    let rows = stmt.query_map([], morning_row)?.collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Stores a call the round is about to make, before it is asked of the provider. `false`
/// when it was stored already (the same try twice).
pub fn add_call(
    tx: &Connection,
    morning_id: i64,
    who: Who,
    phone: Option<&PhoneNumber>,
    contact_id: Option<i64>,
    now: Timestamp,
) -> anyhow::Result<bool> {
    Ok(tx.execute(
        "INSERT INTO round_calls (morning_id, who, n, phone, contact_id, placed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (morning_id, who, n) DO NOTHING",
        params![morning_id, who.kind(), who.n(), phone.map(|p| p.as_str()), contact_id, now.as_second()],
    )? > 0)
}

pub fn set_call_leg(tx: &Connection, morning_id: i64, who: Who, leg_sid: &str) -> anyhow::Result<()> {
    tx.execute(
        "UPDATE round_calls SET leg_sid = ?4 WHERE morning_id = ?1 AND who = ?2 AND n = ?3",
        params![morning_id, who.kind(), who.n(), leg_sid],
    )?;
    Ok(())
}

/// Stores the result of a call (a key, or how it ended) as `RoundResult::replaces` says:
/// the first result, or a key over an end without a key reported before it (the two may
/// come in either order). Returns whether it was stored.
pub fn set_result(
    tx: &Connection,
    morning_id: i64,
    who: Who,
    result: RoundResult,
    key: Option<&str>,
    now: Timestamp,
) -> anyhow::Result<bool> {
    let replaced: Vec<&str> =
        RoundResult::ALL.iter().filter(|earlier| result.replaces(Some(**earlier))).map(|r| r.as_str()).collect();
    let unless =
        format!("(result IS NULL OR result IN (SELECT value FROM json_each('{}')))", serde_json::to_string(&replaced)?);
    update_result(tx, (morning_id, who), result.as_str(), key, now, &unless)
}

fn update_result(
    tx: &Connection,
    (morning_id, who): (i64, Who),
    result: &str,
    key: Option<&str>,
    now: Timestamp,
    when: &str,
) -> anyhow::Result<bool> {
    let sql = format!(
        "UPDATE round_calls SET result = ?4, key = coalesce(?5, key), ended_at = coalesce(ended_at, ?6)
         WHERE morning_id = ?1 AND who = ?2 AND n = ?3 AND {when}"
    );
    Ok(tx.execute(&sql, params![morning_id, who.kind(), who.n(), result, key, now.as_second()])? > 0)
}

/// Calls of mornings still open that were placed before `before` and whose end never came
/// (a status callback lost while the service was down): (morning, who).
pub fn unreported_calls(conn: &Connection, before: Timestamp) -> anyhow::Result<Vec<(i64, Who)>> {
    open_calls_before(conn, "1", before)
}

/// Calls stored before `before` but never placed (the service stopped between deciding
/// and asking the provider): (morning, who).
pub fn unplaced_calls(conn: &Connection, before: Timestamp) -> anyhow::Result<Vec<(i64, Who)>> {
    open_calls_before(conn, "c.leg_sid IS NULL", before)
}

/// Calls without a result, of mornings still open, placed before `before` and `also`.
fn open_calls_before(conn: &Connection, also: &str, before: Timestamp) -> anyhow::Result<Vec<(i64, Who)>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT morning_id, who, n FROM round_calls c JOIN round_mornings m ON m.id = c.morning_id
         WHERE c.result IS NULL AND m.ended_at IS NULL AND c.placed_at < ?1 AND {also}"
    ))?;
    let rows = stmt
        .query_map([before.as_second()], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, u32>(2)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows.into_iter().filter_map(|(m, kind, n)| Some((m, Who::from_parts(&kind, n)?))).collect())
}

/// The desk is alerted about morning `id`: the morning gets its `calls` row (outcome
/// `round`, the resident as caller) and an urgent follow-up with `reason` (`round`: nobody
/// confirmed; `round-missed`: the round could not be made). Returns the row's call sid.
pub fn alert_desk(
    tx: &Connection,
    morning: &StoredMorning,
    reason: FollowUpReason,
    now: Timestamp,
) -> anyhow::Result<String> {
    let sid = alert_sid(morning.id);
    let phone: Option<String> =
        tx.query_row("SELECT phone FROM participants WHERE id = ?1", [morning.resident_id], |r| r.get(0)).optional()?;
    tx.execute(
        "INSERT INTO calls (call_sid, dialplan_number, from_number, caller_id, phase, outcome, started_at, ended_at, seq,
                            neighbourhood, kind, morning_id)
         VALUES (?1, ?2, ?3, ?4, 'ended', ?7, ?5, ?6, 0,
                 (SELECT neighbourhood FROM round_residents WHERE participant_id = ?4), ?8, ?9)
         ON CONFLICT (call_sid) DO NOTHING",
        params![
            sid,
            morning.dialplan_number,
            phone,
            morning.resident_id,
            morning.started_at.as_second(),
            now.as_second(),
            crate::domain::call::Outcome::Round.as_str(),
            crate::domain::call::CallKind::Round.as_str(),
            morning.id
        ],
    )?;
    tx.execute(
        "INSERT INTO follow_ups (call_sid, reason, created_at, urgent) VALUES (?1, ?2, ?3, 1)
         ON CONFLICT (call_sid) DO NOTHING",
        params![sid, reason.as_str(), now.as_second()],
    )?;
    Ok(sid)
}

/// Someone is erased: the round's calls to them (as resident or as contact) are deleted at
/// the provider, their number leaves the round's log, and their own mornings go.
pub fn forget_person(conn: &Connection, id: i64, phone: &str, now: Timestamp) -> anyhow::Result<()> {
    let legs: Vec<String> = conn
        .prepare(
            "SELECT c.leg_sid FROM round_calls c JOIN round_mornings m ON m.id = c.morning_id
             WHERE (c.phone = ?2 OR c.contact_id = ?1 OR m.resident_id = ?1) AND c.leg_sid IS NOT NULL",
        )?
        .query_map(params![id, phone], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for leg in &legs {
        super::provider_jobs::enqueue(conn, super::provider_jobs::Kind::DeleteCall, leg, None, now)?;
    }
    conn.execute(
        "UPDATE round_calls SET phone = NULL, contact_id = NULL, leg_sid = NULL WHERE phone = ?2 OR contact_id = ?1",
        params![id, phone],
    )?;
    conn.execute("DELETE FROM round_mornings WHERE resident_id = ?1", [id])?;
    Ok(())
}

/// Retention: the round's calls placed before `before` lose their numbers and links, and
/// their records at the provider are deleted; the counts stay.
pub fn anonymise_before(conn: &Connection, before: Timestamp, now: Timestamp) -> anyhow::Result<usize> {
    let legs: Vec<String> = conn
        .prepare_cached("SELECT leg_sid FROM round_calls WHERE placed_at < ?1 AND leg_sid IS NOT NULL")?
        .query_map([before.as_second()], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for leg in &legs {
        super::provider_jobs::enqueue(conn, super::provider_jobs::Kind::DeleteCall, leg, None, now)?;
    }
    Ok(conn.execute(
        "UPDATE round_calls SET phone = NULL, contact_id = NULL, leg_sid = NULL
         WHERE placed_at < ?1 AND (phone IS NOT NULL OR leg_sid IS NOT NULL OR contact_id IS NOT NULL)",
        [before.as_second()],
    )?)
}

/// One call the round made, for the log.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct LogRow {
    pub morning: i64,
    pub date: String,
    pub resident_id: i64,
    pub resident: String,
    /// `resident`, `contact` or `desk`.
    pub who: String,
    /// The resident's try (1-based), or the contact's place (1-based), 0 for the desk.
    #[serde(rename = "try")]
    pub n: u32,
    /// Unix seconds.
    pub at: i64,
    #[serde(serialize_with = "result_word")]
    pub result: Option<RoundResult>,
    /// Who said they would go and look (a contact's name, or their masked number).
    pub confirmed_by: Option<String>,
    /// The number of a contact without a name who said so, in full: for the command line's
    /// `--show-numbers`, never in the JSON.
    #[serde(skip)]
    pub confirmed_number: Option<String>,
}

fn result_word<S: serde::Serializer>(result: &Option<RoundResult>, s: S) -> Result<S::Ok, S::Error> {
    serde::Serialize::serialize(&result.map(RoundResult::as_str), s)
}

/// The calls the round made, newest first: every call, or one resident's (`resident`), or
/// one morning's (`morning`).
pub fn log(conn: &Connection, resident: Option<i64>, morning: Option<i64>, limit: u32) -> anyhow::Result<Vec<LogRow>> {
    log_where(
        conn,
        "(?1 IS NULL OR m.resident_id = ?1) AND (?2 IS NULL OR m.id = ?2)",
        params![resident, morning, limit],
    )
}

/// The calls the round made to the residents in it now whom the account may see, newest
/// first (the desk's round page).
pub fn log_seen(conn: &Connection, scope: &Scope, limit: u32) -> anyhow::Result<Vec<LogRow>> {
    let seen = format!(
        "m.resident_id IN (SELECT r.participant_id FROM round_residents r WHERE {}) AND ?2 IS NULL",
        resident_in(1)
    );
    log_where(conn, &seen, params![scope.keys_json(), Option::<i64>::None, limit])
}

/// The log's rows that `filter` keeps (over ?1 and ?2; the limit is ?3).
fn log_where(conn: &Connection, filter: &str, values: impl rusqlite::Params) -> anyhow::Result<Vec<LogRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT m.id, m.date, m.resident_id, coalesce(p.name, '?'), c.who, c.n, c.placed_at, c.result, c.phone, cp.name
         FROM round_calls c JOIN round_mornings m ON m.id = c.morning_id
         LEFT JOIN participants p ON p.id = m.resident_id LEFT JOIN participants cp ON cp.id = c.contact_id
         WHERE {filter}
         ORDER BY c.placed_at DESC, c.id DESC LIMIT ?3"
    ))?;
    let rows = stmt
        .query_map(values, |r| {
            let who: String = r.get(4)?;
            let n: u32 = r.get(5)?;
            let result = match r.get_ref(7)?.as_str_or_null()? {
                Some(word) => Some(RoundResult::parse(word).ok_or_else(|| {
                    super::UnknownWord { column: "round_calls.result", word: word.to_string() }.at(7)
                })?),
                None => None,
            };
            let phone: Option<String> = r.get(8)?;
            let contact_name: Option<String> = r.get(9)?;
            let confirmed = result == Some(RoundResult::Confirmed);
            let confirmed_number = phone.filter(|_| confirmed && contact_name.is_none());
            let confirmed_by = if confirmed {
                contact_name.or_else(|| confirmed_number.as_deref().map(crate::domain::phone::mask))
            } else {
                None
            };
            Ok(LogRow {
                morning: r.get(0)?,
                date: r.get(1)?,
                resident_id: r.get(2)?,
                resident: r.get(3)?,
                n: if who == "contact" { n + 1 } else { n },
                who,
                at: r.get(6)?,
                result,
                confirmed_by,
                confirmed_number,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Today's morning of each resident: (resident, stage name).
pub fn mornings_on(conn: &Connection, date: Date) -> anyhow::Result<Vec<(i64, String)>> {
    let mut stmt = conn.prepare_cached("SELECT resident_id, stage FROM round_mornings WHERE date = ?1")?;
    let rows = stmt.query_map([date.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// The round's figures: anonymous totals of the mornings started in `[from, until)`.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct RoundFigures {
    pub rounds: i64,
    pub answered_first_time: i64,
    pub contacts_alerted: i64,
    pub desk_alerted: i64,
}

pub fn figures(
    conn: &Connection,
    from: Timestamp,
    until: Timestamp,
    scope: &super::scope::Scope,
) -> anyhow::Result<RoundFigures> {
    Ok(conn.query_row(
        "SELECT count(*),
            coalesce(sum(EXISTS (SELECT 1 FROM round_calls c WHERE c.morning_id = m.id AND c.who = 'resident' AND c.n = 1
                                   AND c.result IN (?4, ?5))), 0),
            coalesce(sum(EXISTS (SELECT 1 FROM round_calls c WHERE c.morning_id = m.id AND c.who = 'contact')), 0),
            coalesce(sum(m.stage IN ('desk-alerted', 'missed')), 0)
         FROM round_mornings m WHERE m.started_at >= ?1 AND m.started_at < ?2
           AND (?3 IS NULL OR m.dialplan_number IN (SELECT value FROM json_each(?3, '$.numbers')))",
        params![
            from.as_second(),
            until.as_second(),
            scope.json(),
            RoundResult::Answered.as_str(),
            RoundResult::AskedForHelp.as_str()
        ],
        |r| {
            Ok(RoundFigures {
                rounds: r.get(0)?,
                answered_first_time: r.get(1)?,
                contacts_alerted: r.get(2)?,
                desk_alerted: r.get(3)?,
            })
        },
    )?)
}

/// How many calls of the round were stored to a resident's number (the crash benchmark
/// holds it against the calls the provider saw).
pub fn calls_to_resident(conn: &Connection, phone: &str) -> anyhow::Result<i64> {
    Ok(conn
        .query_row("SELECT count(*) FROM round_calls WHERE who = 'resident' AND phone = ?1", [phone], |r| r.get(0))?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{date, time};

    #[test]
    fn a_resident_has_one_morning_a_day_and_a_call_is_stored_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::store::Store::open(&dir.path().join("t.db")).unwrap();
        let now = Timestamp::from_second(1_800_000_000).unwrap();
        store
            .write(|tx| {
                tx.execute(
                    "INSERT INTO participants (id, name, phone, created_at, updated_at) VALUES (1, 'Anna de Vries', '+31612345678', 0, 0)",
                    [],
                )?;
                let contact = PhoneNumber::parse("+31612340000")?;
                let e = Enrol {
                    participant_id: 1,
                    neighbourhood: "oost",
                    at: time(9, 30, 0, 0),
                    days: 0b001_1111,
                    retry_minutes: 10,
                    tries: 3,
                    contacts: &[(contact, None)],
                };
                assert!(enrol(tx, &e, now)?);
                assert!(!enrol(tx, &e, now)?, "enrolling again changes the enrolment");
                let r = resident(tx, 1)?.expect("enrolled");
                assert_eq!((r.first_name(), r.enrolment.contacts, r.enrolment.at), ("Anna", 1, time(9, 30, 0, 0)));
                let m = Morning { date: date(2026, 12, 2), stage: Stage::CallingResident { n: 1 } };
                let id = start_morning(tx, 1, "+31850000000", &m, now)?.expect("the first");
                assert_eq!(start_morning(tx, 1, "+31850000000", &m, now)?, None, "never twice a morning");
                assert!(add_call(tx, id, Who::Resident(1), Some(&r.phone), None, now)?);
                assert!(!add_call(tx, id, Who::Resident(1), Some(&r.phone), None, now)?);
                assert!(set_result(tx, id, Who::Resident(1), RoundResult::Answered, Some("1"), now)?);
                assert!(!set_result(tx, id, Who::Resident(1), RoundResult::NoKey, None, now)?, "the key counts");
                save_morning(tx, id, &Stage::Answered, now)?;
                assert_eq!(morning(tx, id)?.map(|m| m.morning.stage), Some(Stage::Answered));
                assert_eq!(last_handled(tx, 1)?, Some(date(2026, 12, 2)));
                let f = figures(tx, now, now + jiff::SignedDuration::from_secs(1), &crate::store::scope::Scope::all())?;
                assert_eq!((f.rounds, f.answered_first_time, f.desk_alerted), (1, 1, 0));
                assert!(remove(tx, 1)?);
                assert_eq!(log(tx, Some(1), None, 10)?.len(), 1, "the log stays");
                set_call_leg(tx, id, Who::Resident(1), "CA0000000000000001")?;
                let later = now + jiff::SignedDuration::from_secs(60);
                assert_eq!(anonymise_before(tx, later, later)?, 1);
                let kept: (Option<String>, Option<String>, Option<String>) = tx.query_row(
                    "SELECT phone, leg_sid, result FROM round_calls",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )?;
                assert_eq!(kept, (None, None, Some("answered".into())), "the number goes, the result stays");
                assert_eq!(figures(tx, now, later, &crate::store::scope::Scope::all())?.rounds, 1);
                Ok(())
            })
            .unwrap();
    }
}
