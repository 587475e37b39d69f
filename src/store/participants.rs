//! The registry of participants.

use crate::domain::desk::{SwitchboardNote, SWITCHBOARD_AUTHOR};
use jiff::civil::Date;
use jiff::Timestamp;
use std::collections::HashMap;

use rustc_hash::FxHashSet;
use std::sync::Arc;

use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::domain::hours::WeeklyHours;
use crate::domain::learning::{Asked, Likelihoods};
use crate::domain::participant::{Distance, Participant, ParticipantDetails, Say, StreetSaid};
use crate::domain::phone::PhoneNumber;
use crate::domain::ranking::{Calls, Candidate, Ready};

const COLUMNS: &str = "p.id, p.name, p.phone, p.available, p.street, p.postcode, p.distance, p.paused, p.paused_until, p.offers, p.last_asked_at,
    (SELECT group_concat(m.neighbourhood, ';') FROM (SELECT neighbourhood FROM memberships WHERE participant_id = p.id ORDER BY neighbourhood) m), p.language,
    p.helpers_from, p.street_said, p.desk_only, p.experienced, p.slow_line";
/// `COLUMNS` without the neighbourhoods (left empty): for the register the ranking keeps
/// in memory per neighbourhood, where they are known already and only take up room.
const RANKING_COLUMNS: &str = "p.id, p.name, p.phone, p.available, p.street, p.postcode, p.distance, p.paused, p.paused_until, p.offers, p.last_asked_at, NULL, p.language,
    p.helpers_from, p.street_said, p.desk_only, p.experienced, p.slow_line";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Participant> {
    let bad =
        |i: usize, msg: String| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, msg.into());
    let phone: String = row.get(2)?;
    let available: String = row.get(3)?;
    let distance: String = row.get(6)?;
    let paused_until: Option<String> = row.get(8)?;
    let offers: Option<String> = row.get(9)?;
    let neighbourhoods: Option<String> = row.get(11)?;
    let slow_line: i64 = row.get(17)?;
    Ok(Participant {
        id: row.get(0)?,
        details: ParticipantDetails {
            name: row.get(1)?,
            phone: PhoneNumber::from_stored(&phone).map_err(|e| bad(2, e.to_string()))?,
            offers: offers.unwrap_or_default().split(';').filter(|s| !s.is_empty()).map(str::to_string).collect(),
            available: WeeklyHours::parse(&available).map_err(|e| bad(3, e.to_string()))?,
            street: row.get(4)?,
            postcode: row.get(5)?,
            distance: Distance::parse(&distance).map_err(|e| bad(6, e.to_string()))?,
            language: row.get(12)?,
            // Issue 27: the slow line, as read: `Some(true)` or `None` (no).
            slow_line: Some(true).filter(|_| slow_line != 0),
            say: Some(say_at(row, 13)?),
        },
        paused: row.get::<_, i64>(7)? != 0,
        paused_until: paused_until.and_then(|d| d.parse::<Date>().ok()),
        neighbourhoods: neighbourhoods
            .unwrap_or_default()
            .split(';')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
    })
}

/// A say over who comes, from columns `i..i + 4` (`helpers_from`, `street_said`,
/// `desk_only`, `experienced`): a word no enum is stored as is an error naming it.
fn say_at(row: &Row<'_>, i: usize) -> rusqlite::Result<Say> {
    let from: String = row.get(i)?;
    let street: String = row.get(i + 1)?;
    let experienced: String = row.get(i + 3)?;
    let unknown = |column: &'static str, word: &str| super::UnknownWord { column, word: word.to_string() };
    Ok(Say {
        helpers_from: Distance::parse(&from).map_err(|_| unknown("participants.helpers_from", &from).at(i))?,
        street: StreetSaid::parse(&street).map_err(|_| unknown("participants.street_said", &street).at(i + 1))?,
        desk_only: row.get::<_, i64>(i + 2)? != 0,
        experienced: experienced.split(';').filter(|s| !s.is_empty()).map(str::to_string).collect(),
    })
}

/// Writes a say over who comes (kept as stored when `say` is `None`).
fn write_say(conn: &Connection, id: i64, say: Option<&Say>) -> anyhow::Result<()> {
    if let Some(say) = say {
        conn.prepare_cached(
            "UPDATE participants SET helpers_from = ?2, street_said = ?3, desk_only = ?4, experienced = ?5 WHERE id = ?1",
        )?
        .execute(params![
            id,
            say.helpers_from.as_str(),
            say.street.as_str(),
            say.desk_only as i64,
            say.experienced.join(";")
        ])?;
    }
    Ok(())
}

/// The switchboard's note on a call (and its caller), written once per call: why nobody
/// was rung (`domain::desk::SwitchboardNote`, stored as its words).
pub fn note_on_call(
    conn: &Connection,
    participant_id: Option<i64>,
    call_sid: &str,
    note: SwitchboardNote,
    now: Timestamp,
) -> anyhow::Result<()> {
    conn.prepare_cached(
        "INSERT INTO notes (participant_id, phone, call_sid, author, at, text)
         SELECT ?1, (SELECT from_number FROM calls WHERE call_sid = ?2), ?2, ?3, ?4, ?5
         WHERE NOT EXISTS (SELECT 1 FROM notes WHERE call_sid = ?2 AND author = ?3)
           AND (?1 IS NOT NULL OR (SELECT from_number FROM calls WHERE call_sid = ?2) IS NOT NULL)",
    )?
    .execute(params![participant_id, call_sid, SWITCHBOARD_AUTHOR, now.as_second(), note.as_stored()])?;
    Ok(())
}

/// Whether the participant was added or updated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    Added,
    Updated,
}

/// Adds a participant, or updates the one with the same phone number.
pub fn upsert(conn: &Connection, d: &ParticipantDetails, now: Timestamp) -> anyhow::Result<(i64, Saved)> {
    let existing: Option<i64> =
        conn.query_row("SELECT id FROM participants WHERE phone = ?1", [d.phone.as_str()], |r| r.get(0)).optional()?;
    let at = now.as_second();
    let (id, saved) = match existing {
        Some(id) => {
            conn.execute(
                // A file without a language keeps the one they have.
                "UPDATE participants SET name = ?2, available = ?3, street = ?4, postcode = ?5, distance = ?6, updated_at = ?7, offers = ?8,
                        language = coalesce(?9, language) WHERE id = ?1",
                params![id, d.name, d.available.as_str(), d.street, d.postcode, d.distance.as_str(), at, offers_text(d), d.language],
            )?;
            conn.execute("DELETE FROM offers WHERE participant_id = ?1", [id])?;
            (id, Saved::Updated)
        }
        None => {
            conn.execute(
                "INSERT INTO participants (name, phone, available, street, postcode, distance, created_at, updated_at, offers, language) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8, ?9)",
                params![d.name, d.phone.as_str(), d.available.as_str(), d.street, d.postcode, d.distance.as_str(), at, offers_text(d), d.language],
            )?;
            (conn.last_insert_rowid(), Saved::Added)
        }
    };
    let mut insert = conn.prepare_cached("INSERT INTO offers (participant_id, category) VALUES (?1, ?2)")?;
    for category in &d.offers {
        insert.execute(params![id, category])?;
    }
    set_slow_line(conn, id, d.slow_line)?;
    write_say(conn, id, d.say.as_ref())?;
    Ok((id, saved))
}

/// Whether the helper rung on `attempt` of `call_sid` is on the slow line (issue 27).
pub fn helper_slow_line(conn: &Connection, call_sid: &str, attempt: u32) -> anyhow::Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT p.slow_line FROM attempts a JOIN participants p ON p.id = a.helper_id WHERE a.call_sid = ?1 AND a.attempt = ?2",
        )?
        .query_row(params![call_sid, attempt], |r| r.get::<_, i64>(0))
        .optional()?
        .is_some_and(|n| n != 0))
}

/// The slow line (issue 27), when it was given (`None`: they keep what they have; a new
/// participant has none).
pub fn set_slow_line(conn: &Connection, id: i64, slow_line: Option<bool>) -> anyhow::Result<()> {
    if let Some(on) = slow_line {
        conn.execute("UPDATE participants SET slow_line = ?2 WHERE id = ?1", params![id, on as i64])?;
    }
    Ok(())
}

/// Issue 27: a resident's own choice, by phone, of where their helpers come from.
pub fn set_helpers_from(conn: &Connection, id: i64, from: Distance) -> anyhow::Result<()> {
    conn.execute("UPDATE participants SET helpers_from = ?2 WHERE id = ?1", params![id, from.as_str()])?;
    Ok(())
}

/// Issue 27: a resident's own choice, by phone, of when their street is named.
pub fn set_street_said(conn: &Connection, id: i64, street: StreetSaid) -> anyhow::Result<()> {
    conn.execute("UPDATE participants SET street_said = ?2 WHERE id = ?1", params![id, street.as_str()])?;
    Ok(())
}

/// How many rows an import added and how many it updated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Imported {
    pub added: usize,
    pub updated: usize,
}

/// Adds or updates (by phone number) every row of an import, in the caller's
/// transaction (an import is all or nothing), each with its neighbourhoods and whether
/// they replace the ones the participant has (otherwise they are added).
pub fn import<'a>(
    conn: &Connection,
    rows: impl IntoIterator<Item = (&'a ParticipantDetails, &'a [String], bool)>,
    now: Timestamp,
) -> anyhow::Result<Imported> {
    let mut imported = Imported::default();
    for (details, keys, replace) in rows {
        let (id, saved) = upsert(conn, details, now)?;
        match saved {
            Saved::Added => imported.added += 1,
            Saved::Updated => imported.updated += 1,
        }
        if replace {
            set_neighbourhoods(conn, id, keys)?;
        } else {
            for key in keys {
                join(conn, id, key)?;
            }
        }
    }
    Ok(imported)
}

fn offers_text(d: &ParticipantDetails) -> String {
    let mut offers = d.offers.clone();
    offers.sort();
    offers.join(";")
}

/// Every participant's id.
pub fn ids(conn: &Connection) -> anyhow::Result<Vec<i64>> {
    Ok(conn.prepare("SELECT id FROM participants")?.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?)
}

pub fn find_by_phone(conn: &Connection, phone: &PhoneNumber) -> anyhow::Result<Option<Participant>> {
    let sql = format!("SELECT {COLUMNS} FROM participants p WHERE p.phone = ?1");
    Ok(conn.prepare_cached(&sql)?.query_row([phone.as_str()], from_row).optional()?)
}

pub fn find(conn: &Connection, id: i64) -> anyhow::Result<Option<Participant>> {
    let sql = format!("SELECT {COLUMNS} FROM participants p WHERE p.id = ?1");
    Ok(conn.prepare_cached(&sql)?.query_row([id], from_row).optional()?)
}

pub fn list(conn: &Connection) -> anyhow::Result<Vec<Participant>> {
    let sql = format!("SELECT {COLUMNS} FROM participants p ORDER BY p.name COLLATE NOCASE, p.id");
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map([], from_row)?.collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Pauses or resumes a participant; returns false when nobody has that number.
pub fn set_paused(
    conn: &Connection,
    phone: &PhoneNumber,
    paused: bool,
    until: Option<Date>,
    now: Timestamp,
) -> anyhow::Result<bool> {
    let changed = conn.execute(
        "UPDATE participants SET paused = ?2, paused_until = ?3, updated_at = ?4 WHERE phone = ?1",
        params![phone.as_str(), paused as i64, until.map(|d| d.to_string()), now.as_second()],
    )?;
    Ok(changed > 0)
}

/// Gives participant `id` exactly these neighbourhoods.
pub fn set_neighbourhoods(conn: &Connection, id: i64, keys: &[String]) -> anyhow::Result<()> {
    conn.prepare_cached("DELETE FROM memberships WHERE participant_id = ?1")?.execute([id])?;
    for key in keys {
        join(conn, id, key)?;
    }
    Ok(())
}

/// Adds participant `id` to neighbourhood `key` (nothing changes when they belong already).
pub fn join(conn: &Connection, id: i64, key: &str) -> anyhow::Result<()> {
    conn.prepare_cached("INSERT OR IGNORE INTO memberships (participant_id, neighbourhood) VALUES (?1, ?2)")?
        .execute(params![id, key])?;
    Ok(())
}

/// How many participants belong to no neighbourhood.
pub fn without_neighbourhood(conn: &Connection) -> anyhow::Result<i64> {
    Ok(conn.query_row(
        "SELECT count(*) FROM participants p WHERE NOT EXISTS (SELECT 1 FROM memberships m WHERE m.participant_id = p.id)",
        [],
        |r| r.get(0),
    )?)
}

/// Puts everyone who belongs to no neighbourhood in `key`; returns how many.
pub fn join_all_without(conn: &Connection, key: &str) -> anyhow::Result<usize> {
    Ok(conn.execute(
        "INSERT INTO memberships (participant_id, neighbourhood)
         SELECT p.id, ?1 FROM participants p WHERE NOT EXISTS (SELECT 1 FROM memberships m WHERE m.participant_id = p.id)",
        [key],
    )?)
}

/// Calls whose provider never told us they ended are closed after this long (see the sweep).
pub const STALE_AFTER_SECONDS: i64 = 3 * 60 * 60;

/// The register in memory, per category, read again whenever it changed; when each
/// participant was last rung; and what was learned from the history of attempts.
#[derive(Default)]
pub struct RegistryCache {
    inner: std::sync::Mutex<(i64, ByCategory)>,
    /// (register version, latest time seen, last rung per participant): read in full when
    /// the register changed, otherwise only the rows rung since the latest time seen.
    last_asked: std::sync::Mutex<Option<(i64, i64, LastAsked)>>,
    /// (history version, time zone, when computed, what was learned).
    learned: std::sync::Mutex<Option<Learned>>,
    /// Per (neighbourhood, category): (register version, minute, who may be rung then).
    ringable: std::sync::Mutex<HashMap<(String, String), Sieved>>,
    /// Per (neighbourhood, category): the same people kept ready for a pick, with what was
    /// learned about them (issue 31).
    ready: std::sync::Mutex<HashMap<(String, String), Kept>>,
}

/// (register version, minute, what was learned, who may be rung then, kept ready).
type Kept = (i64, i64, Arc<Likelihoods>, Arc<Ready>);

/// Who may be rung at a given minute (not paused, inside their own hours): a sieve the
/// application passes in, with the minute it holds for.
pub struct Ringable<'a> {
    /// Minutes since the epoch: the sieve's answer is kept for the rest of this minute.
    pub minute: i64,
    pub keep: &'a dyn Fn(&Participant) -> bool,
}

/// Participants, shared.
type People = Arc<Vec<Arc<Participant>>>;
/// (register version, minute, who may be rung in that minute).
type Sieved = (i64, i64, People);
/// The register per (neighbourhood, category).
type ByCategory = HashMap<(String, String), People>;
/// When each participant (by id) was last rung, in seconds.
/// (Keyed by id and looked up once per candidate on every pick: a fast hash, as ids are
/// ours, not an attacker's.)
type LastAsked = rustc_hash::FxHashMap<i64, i64>;
/// (history version, time zone, when computed, what was learned).
type Learned = (i64, String, i64, Arc<Likelihoods>);

/// Everyone in `neighbourhood` who offers `category`, and the register's version they are
/// from.
pub(super) fn offering(
    conn: &Connection,
    cache: &RegistryCache,
    neighbourhood: &str,
    category: &str,
) -> anyhow::Result<(i64, People)> {
    let version: i64 =
        conn.prepare_cached("SELECT version FROM registry_version WHERE id = 1")?.query_row([], |r| r.get(0))?;
    let mut guard = cache.inner.lock().unwrap_or_else(|p| p.into_inner());
    if guard.0 != version {
        *guard = (version, HashMap::new());
    }
    let key = (neighbourhood.to_string(), category.to_string());
    if let Some(list) = guard.1.get(&key) {
        return Ok((version, list.clone()));
    }
    // From the neighbourhood's members to their offers (`CROSS JOIN` keeps that order): a
    // neighbourhood is a small part of a large install's register.
    let sql = format!(
        "SELECT {RANKING_COLUMNS} FROM memberships ms CROSS JOIN offers o ON o.participant_id = ms.participant_id AND o.category = ?2
         CROSS JOIN participants p ON p.id = ms.participant_id WHERE ms.neighbourhood = ?1 ORDER BY p.id"
    );
    let list: Vec<Arc<Participant>> = conn
        .prepare_cached(&sql)?
        .query_map([neighbourhood, category], |r| from_row(r).map(Arc::new))?
        .collect::<Result<_, _>>()?;
    let list = Arc::new(list);
    guard.1.insert(key, list.clone());
    Ok((version, list))
}

/// Everyone in `neighbourhood` who offers `category` and passes the sieve, sieved once a
/// minute.
fn ringable(
    conn: &Connection,
    cache: &RegistryCache,
    neighbourhood: &str,
    category: &str,
    sieve: &Ringable<'_>,
) -> anyhow::Result<(i64, People)> {
    let (version, all) = offering(conn, cache, neighbourhood, category)?;
    let mut guard = cache.ringable.lock().unwrap_or_else(|p| p.into_inner());
    let key = (neighbourhood.to_string(), category.to_string());
    if let Some((v, minute, list)) = guard.get(&key) {
        if *v == version && *minute == sieve.minute {
            return Ok((version, list.clone()));
        }
    }
    let list: People = Arc::new(all.iter().filter(|p| (sieve.keep)(p)).cloned().collect());
    guard.insert(key, (version, sieve.minute, list.clone()));
    Ok((version, list))
}

/// What was learned (`participants::learned`), read at `at`: local time, in the sieve's
/// minute.
#[derive(Clone, Copy)]
pub struct LearnedAt<'a> {
    pub learned: &'a Arc<Likelihoods>,
    pub at: jiff::civil::DateTime,
}

/// Who may be rung for `category` in `neighbourhood` this minute (`ringable`), kept ready
/// with their learned likelihood then: built again
/// when the register changed (its version, bumped by triggers on every change to
/// participants, offers and memberships), the minute passed, or what was learned was
/// refreshed.
fn ready(
    conn: &Connection,
    cache: &RegistryCache,
    wanted: &Wanted<'_>,
    sieve: &Ringable<'_>,
    learned: &LearnedAt<'_>,
) -> anyhow::Result<Arc<Ready>> {
    let LearnedAt { learned, at } = *learned;
    let (version, people) = ringable(conn, cache, wanted.neighbourhood, wanted.category, sieve)?;
    let mut guard = cache.ready.lock().unwrap_or_else(|p| p.into_inner());
    let key = (wanted.neighbourhood.to_string(), wanted.category.to_string());
    if let Some((v, minute, l, ready)) = guard.get(&key) {
        if *v == version && *minute == sieve.minute && Arc::ptr_eq(l, learned) {
            return Ok(ready.clone());
        }
    }
    let ready = Arc::new(Ready::new(&people, |id| learned.likelihood(id, at)));
    guard.insert(key, (version, sieve.minute, learned.clone(), ready.clone()));
    Ok(ready)
}

/// A pick (issue 31): `f` gets who may be rung for the wanted kind of help this minute,
/// kept ready (`ready`), the ids of those who helped this caller with it before, and what
/// the pick needs to know about anyone's calls (`None`: never paired with this caller).
/// Nothing is built for the people the pick does not look at.
pub fn with_ready<T>(
    conn: &Connection,
    cache: &RegistryCache,
    wanted: &Wanted<'_>,
    sieve: &Ringable<'_>,
    learned: &LearnedAt<'_>,
    f: impl FnOnce(&Ready, &[i64], &dyn Fn(i64) -> Option<Calls>) -> T,
) -> anyhow::Result<T> {
    let known = known(conn, wanted)?;
    let ready = ready(conn, cache, wanted, sieve, learned)?;
    let helped: Vec<i64> = known.helped.iter().copied().collect();
    with_last_asked(conn, cache, |last_asked| {
        let calls = |id: i64| {
            if known.apart.contains(&id) {
                return None;
            }
            Some(Calls {
                busy: known.busy.contains(&id),
                asked_this_call: known.asked.contains(&id),
                helped_caller_before: known.helped.contains(&id),
                last_asked: last_asked.get(&id).and_then(|s| Timestamp::from_second(*s).ok()),
            })
        };
        f(&ready, &helped, &calls)
    })
}

/// Whom a pick is for: the call's neighbourhood and kind of help, the call, and the
/// caller's number (when known).
pub struct Wanted<'a> {
    pub neighbourhood: &'a str,
    pub category: &'a str,
    pub call_sid: &'a str,
    pub caller_phone: Option<&'a PhoneNumber>,
}

/// The small sets a pick leaves out or weighs, each from an index: who is busy elsewhere,
/// who was asked for this call, who may never be paired with this caller, who helped this
/// caller with this category before.
struct Known {
    busy: FxHashSet<i64>,
    asked: FxHashSet<i64>,
    apart: FxHashSet<i64>,
    helped: FxHashSet<i64>,
}

fn known(conn: &Connection, wanted: &Wanted<'_>) -> anyhow::Result<Known> {
    let ids = |sql: &str, p: &[&dyn rusqlite::ToSql]| -> anyhow::Result<FxHashSet<i64>> {
        let mut stmt = conn.prepare_cached(sql)?;
        let set = stmt.query_map(p, |r| r.get::<_, Option<i64>>(0))?.filter_map(|r| r.ok().flatten()).collect();
        Ok(set)
    };
    let call_sid = wanted.call_sid;
    // Open attempts are closed when their call ends, and calls whose end was never
    // reported are closed by the sweep, so an open attempt means: ringing or talking.
    let busy = ids("SELECT helper_id FROM attempts WHERE ended_at IS NULL AND call_sid <> ?1", &[&call_sid])?;
    let asked = ids("SELECT helper_id FROM attempts WHERE call_sid = ?1", &[&call_sid])?;
    // "Do not pair": a silent no, never rung for this caller.
    let apart = ids(
        "SELECT CASE WHEN d.a = c.caller_id THEN d.b ELSE d.a END FROM calls c JOIN do_not_pair d ON d.a = c.caller_id OR d.b = c.caller_id WHERE c.call_sid = ?1",
        &[&call_sid],
    )?;
    let helped = match wanted.caller_phone {
        Some(phone) => ids(
            "SELECT helper_id FROM matches WHERE caller_phone = ?1 AND category = ?2",
            &[&phone.as_str(), &wanted.category],
        )?,
        None => FxHashSet::default(),
    };
    Ok(Known { busy, asked, apart, helped })
}

/// When each participant was last rung: read in full when the register changed, otherwise
/// only the rows rung since the latest time seen; kept in the cache.
fn with_last_asked<T>(conn: &Connection, cache: &RegistryCache, f: impl FnOnce(&LastAsked) -> T) -> anyhow::Result<T> {
    let registry_version = cache.inner.lock().unwrap_or_else(|p| p.into_inner()).0;
    let mut guard = cache.last_asked.lock().unwrap_or_else(|p| p.into_inner());
    let (since, mut map) = match guard.take() {
        Some((v, latest, map)) if v == registry_version => (latest, map),
        _ => (i64::MIN, LastAsked::default()),
    };
    let mut latest = since;
    let mut rows = conn.prepare_cached("SELECT id, last_asked_at FROM participants WHERE last_asked_at >= ?1")?;
    for row in rows.query_map([since], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))? {
        let (id, at) = row?;
        latest = latest.max(at);
        map.insert(id, at);
    }
    Ok(f(&guard.insert((registry_version, latest, map)).2))
}

/// Everyone in the wanted neighbourhood who offers the wanted category and may be rung
/// this minute (`sieve`, kept for the minute so that the whole register is not looked at
/// on every pick), with what the ranking needs to know about their calls.
pub fn candidates(
    conn: &Connection,
    cache: &RegistryCache,
    wanted: &Wanted<'_>,
    sieve: &Ringable<'_>,
) -> anyhow::Result<Vec<Candidate>> {
    let known = known(conn, wanted)?;
    let (_, people) = ringable(conn, cache, wanted.neighbourhood, wanted.category, sieve)?;
    with_last_asked(conn, cache, |last_asked| {
        people
            .iter()
            .filter(|p| !known.apart.contains(&p.id))
            .map(|p| Candidate {
                participant: p.clone(),
                busy: known.busy.contains(&p.id),
                asked_this_call: known.asked.contains(&p.id),
                helped_caller_before: known.helped.contains(&p.id),
                last_asked: last_asked.get(&p.id).and_then(|s| Timestamp::from_second(*s).ok()),
                likelihood: None,
            })
            .collect()
    })
}

/// Notes that a participant was rung now (for fair rotation).
pub fn mark_asked(conn: &Connection, id: i64, now: Timestamp) -> anyhow::Result<()> {
    conn.prepare_cached("UPDATE participants SET last_asked_at = max(coalesce(last_asked_at, 0), ?2) WHERE id = ?1")?
        .execute(params![id, now.as_second()])?;
    Ok(())
}

/// How long what was learned is used before new results are read in. It moves slowly
/// (a helper's habits over months), so a busy switchboard need not re-learn on every ring.
const RELEARN_AFTER_SECONDS: i64 = 30;

/// What the recent attempts tell about who says yes when, in the neighbourhood's time
/// zone; kept in memory until an attempt got a new result and 30 s have passed (or an
/// hour, whatever happened).
pub fn learned(
    conn: &Connection,
    cache: &RegistryCache,
    tz: &jiff::tz::TimeZone,
    now: Timestamp,
) -> anyhow::Result<Arc<Likelihoods>> {
    let version: i64 =
        conn.prepare_cached("SELECT version FROM history_version WHERE id = 1")?.query_row([], |r| r.get(0))?;
    let zone = tz.iana_name().unwrap_or("").to_string();
    let mut guard = cache.learned.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((v, z, at, learned)) = guard.as_ref() {
        let age = (now.as_second() - at).abs();
        if *z == zone && (age < RELEARN_AFTER_SECONDS || (*v == version && age < 3600)) {
            return Ok(learned.clone());
        }
    }
    let history: Vec<Asked> = recent_asks(conn, now)?
        .into_iter()
        .map(|(helper_id, at, accepted)| Asked { helper_id, at: at.to_zoned(tz.clone()).datetime(), accepted })
        .collect();
    let learned = Arc::new(Likelihoods::estimate(&history));
    *guard = Some((version, zone, now.as_second(), learned.clone()));
    Ok(learned)
}

/// How much history the learned ranking reads: a year, at most this many attempts.
const HISTORY_LIMIT: u32 = 2000;

/// Recent attempts with a result: (helper, when, said yes), newest first.
pub fn recent_asks(conn: &Connection, now: Timestamp) -> anyhow::Result<Vec<(i64, Timestamp, bool)>> {
    let since = now.as_second() - 365 * 24 * 60 * 60;
    let mut stmt = conn.prepare_cached(
        "SELECT helper_id, started_at, result = 'accepted' FROM attempts
         WHERE started_at > ?1 AND helper_id IS NOT NULL AND result IS NOT NULL AND result <> 'canceled'
         ORDER BY started_at DESC LIMIT ?2",
    )?;
    let rows = stmt
        .query_map(params![since, HISTORY_LIMIT], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, bool>(2)?))
        })?
        .filter_map(|r| r.ok())
        .filter_map(|(id, at, yes)| Timestamp::from_second(at).ok().map(|t| (id, t, yes)))
        .collect();
    Ok(rows)
}

#[derive(Debug, thiserror::Error)]
pub enum UpdateError {
    #[error("phone: {0} is already registered for someone else")]
    PhoneTaken(String),
    #[error("this participant does not exist (any more)")]
    NotFound,
    #[error(transparent)]
    Db(#[from] anyhow::Error),
}

/// Changes a participant's details, found by id (the phone number may change too).
pub fn update(conn: &Connection, id: i64, d: &ParticipantDetails, now: Timestamp) -> Result<(), UpdateError> {
    let other: Option<i64> = conn
        .query_row("SELECT id FROM participants WHERE phone = ?1 AND id <> ?2", params![d.phone.as_str(), id], |r| {
            r.get(0)
        })
        .optional()
        .map_err(anyhow::Error::from)?;
    if other.is_some() {
        return Err(UpdateError::PhoneTaken(d.phone.to_string()));
    }
    let changed = conn
        .execute(
            "UPDATE participants SET name = ?2, phone = ?3, available = ?4, street = ?5, postcode = ?6, distance = ?7, updated_at = ?8, offers = ?9, language = ?10 WHERE id = ?1",
            params![id, d.name, d.phone.as_str(), d.available.as_str(), d.street, d.postcode, d.distance.as_str(), now.as_second(), offers_text(d), d.language],
        )
        .map_err(anyhow::Error::from)?;
    if changed == 0 {
        return Err(UpdateError::NotFound);
    }
    let write_offers = || -> anyhow::Result<()> {
        conn.execute("DELETE FROM offers WHERE participant_id = ?1", [id])?;
        let mut insert = conn.prepare_cached("INSERT INTO offers (participant_id, category) VALUES (?1, ?2)")?;
        for category in &d.offers {
            insert.execute(params![id, category])?;
        }
        Ok(())
    };
    write_offers()?;
    set_slow_line(conn, id, d.slow_line)?;
    write_say(conn, id, d.say.as_ref())?;
    Ok(())
}

/// Pauses or resumes a participant by id; returns false when there is no such participant.
pub fn set_paused_by_id(
    conn: &Connection,
    id: i64,
    paused: bool,
    until: Option<Date>,
    now: Timestamp,
) -> anyhow::Result<bool> {
    let changed = conn.execute(
        "UPDATE participants SET paused = ?2, paused_until = ?3, updated_at = ?4 WHERE id = ?1",
        params![id, paused as i64, if paused { until.map(|d| d.to_string()) } else { None }, now.as_second()],
    )?;
    Ok(changed > 0)
}

/// A participant (`p`) in one of the neighbourhoods of the scope's JSON array (`?{n}`), or
/// any for `NULL`.
fn member_in(n: usize) -> String {
    format!("(?{n} IS NULL OR EXISTS (SELECT 1 FROM memberships ms WHERE ms.participant_id = p.id AND ms.neighbourhood IN (SELECT value FROM json_each(?{n}))))")
}

/// Everyone the desk account may see, by name.
pub fn list_in(conn: &Connection, scope: &super::scope::Scope) -> anyhow::Result<Vec<Participant>> {
    let sql =
        format!("SELECT {COLUMNS} FROM participants p WHERE {} ORDER BY p.name COLLATE NOCASE, p.id", member_in(1));
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map([scope.keys_json()], from_row)?.collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Participant `id`, only if the desk account may see them (a member of one of its
/// neighbourhoods).
pub fn find_in(conn: &Connection, id: i64, scope: &super::scope::Scope) -> anyhow::Result<Option<Participant>> {
    let sql = format!("SELECT {COLUMNS} FROM participants p WHERE p.id = ?1 AND {}", member_in(2));
    Ok(conn.prepare_cached(&sql)?.query_row(params![id, scope.keys_json()], from_row).optional()?)
}

/// The people participant `id` is never paired with, those the desk account may see, by
/// name: (id, name).
pub fn apart_in(conn: &Connection, id: i64, scope: &super::scope::Scope) -> anyhow::Result<Vec<(i64, String)>> {
    let sql = format!(
        "SELECT p.id, p.name FROM do_not_pair d JOIN participants p ON p.id = CASE WHEN d.a = ?1 THEN d.b ELSE d.a END
         WHERE (d.a = ?1 OR d.b = ?1) AND {} ORDER BY p.name",
        member_in(2)
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![id, scope.keys_json()], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// Participants the desk account may see whose name, street, postcode or number holds
/// `query`, by name.
pub fn search(
    conn: &Connection,
    query: &str,
    limit: u32,
    scope: &super::scope::Scope,
) -> anyhow::Result<Vec<Participant>> {
    let q = query.trim();
    // A postcode (`1234 AB`) finds that postcode only, not numbers that hold its digits.
    let compact: String = q.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase();
    let is_postcode = compact.len() == 6
        && compact[..4].chars().all(|c| c.is_ascii_digit())
        && compact[4..].chars().all(|c| c.is_ascii_alphabetic());
    if is_postcode {
        let sql = format!(
            "SELECT {COLUMNS} FROM participants p WHERE {} AND upper(replace(p.postcode, ' ', '')) = ?1
             ORDER BY p.name COLLATE NOCASE, p.id LIMIT ?2",
            member_in(3)
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let rows =
            stmt.query_map(params![compact, limit, scope.keys_json()], from_row)?.collect::<Result<Vec<_>, _>>()?;
        return Ok(rows);
    }
    let digits: String = q.chars().filter(char::is_ascii_digit).collect();
    let digits = digits.trim_start_matches('0');
    let sql = format!(
        "SELECT {COLUMNS} FROM participants p
         WHERE {} AND (?1 = '' OR p.name LIKE '%' || ?1 || '%' OR p.street LIKE '%' || ?1 || '%' OR replace(p.postcode, ' ', '') LIKE '%' || replace(?1, ' ', '') || '%'
            OR (length(?2) >= 4 AND p.phone LIKE '%' || ?2 || '%'))
         ORDER BY p.name COLLATE NOCASE, p.id LIMIT ?3",
        member_in(4)
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows =
        stmt.query_map(params![q, digits, limit, scope.keys_json()], from_row)?.collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// When each of these participants was last rung for someone, and when they joined, by id.
pub fn asked_and_joined(
    conn: &Connection,
    ids: &[i64],
) -> anyhow::Result<std::collections::HashMap<i64, (Option<Timestamp>, Timestamp)>> {
    let ts = |s: i64| Timestamp::from_second(s).unwrap_or(Timestamp::UNIX_EPOCH);
    let mut stmt = conn.prepare_cached(
        "SELECT id, last_asked_at, created_at FROM participants WHERE id IN (SELECT value FROM json_each(?1))",
    )?;
    let rows = stmt
        .query_map([serde_json::to_string(ids)?], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, Option<i64>>(1)?, r.get::<_, i64>(2)?))
        })?
        .map(|r| r.map(|(id, asked, joined)| (id, (asked.map(ts), ts(joined)))))
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// Erases a person on request: their registration, notes and "do not pair" entries are
/// deleted, and their number, name and recordings are removed from every call they took
/// part in; the deletion of those recordings and call records at the provider is queued
/// (`provider_jobs`). What the anonymous totals need (times, categories, outcomes, waits) stays.
/// Returns false when there is no such participant.
pub fn erase(conn: &Connection, id: i64, now: Timestamp) -> anyhow::Result<bool> {
    let Some(phone): Option<String> =
        conn.query_row("SELECT phone FROM participants WHERE id = ?1", [id], |r| r.get(0)).optional()?
    else {
        return Ok(false);
    };
    let theirs = "SELECT call_sid FROM calls WHERE caller_id = ?1 OR from_number = ?2";
    // What the provider keeps of them: the recordings and call records of their calls, and
    // the records of the legs that rang them as a helper (in waves, or the child call of a
    // `<Dial>`) or called them back.
    let their_calls: Vec<String> =
        conn.prepare(theirs)?.query_map(params![id, phone], |r| r.get(0))?.collect::<Result<_, _>>()?;
    for sid in &their_calls {
        super::provider_jobs::forget_call(conn, sid, now)?;
    }
    let their_legs: Vec<String> = conn
        .prepare(
            "SELECT w.leg_sid FROM wave_legs w JOIN attempts a ON a.call_sid = w.call_sid AND a.attempt = w.attempt
             WHERE (w.helper_id = ?1 OR a.helper_phone = ?2) AND w.leg_sid IS NOT NULL
             UNION SELECT leg_sid FROM attempts WHERE (helper_id = ?1 OR helper_phone = ?2) AND leg_sid IS NOT NULL
             UNION SELECT resident_leg_sid FROM callback_requests
             WHERE (participant_id = ?1 OR phone = ?2) AND resident_leg_sid IS NOT NULL",
        )?
        .query_map(params![id, phone], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for leg in &their_legs {
        super::provider_jobs::enqueue(conn, super::provider_jobs::Kind::DeleteCall, leg, None, now)?;
    }
    // The good-morning round: the calls it made to them (as resident or contact) go at the
    // provider, and their number from the round's log; their own mornings go with them.
    super::round::forget_person(conn, id, &phone, now)?;
    // Help for later: `store::planned::forget_person`, before this (`switchboard::desk`).
    // The call backs that confirmed their changes by phone go at the provider (their
    // `own_confirmations` rows go with them).
    let call_backs: Vec<String> = conn
        .prepare_cached("SELECT leg_sid FROM own_confirmations WHERE participant_id = ?1 AND leg_sid IS NOT NULL")?
        .query_map([id], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for leg in &call_backs {
        super::provider_jobs::enqueue(conn, super::provider_jobs::Kind::DeleteCall, leg, None, now)?;
    }
    conn.execute(&format!("DELETE FROM voicemails WHERE call_sid IN ({theirs})"), params![id, phone])?;
    conn.execute(&format!("DELETE FROM webhook_responses WHERE call_sid IN ({theirs})"), params![id, phone])?;
    conn.execute(&format!("UPDATE follow_ups SET note = NULL WHERE call_sid IN ({theirs})"), params![id, phone])?;
    conn.execute(
        &format!(
            "UPDATE follow_up_steps SET note = '' WHERE follow_up_id IN (SELECT id FROM follow_ups WHERE call_sid IN ({theirs}))"
        ),
        params![id, phone],
    )?;
    conn.execute("DELETE FROM notes WHERE participant_id = ?1 OR phone = ?2", params![id, phone])?;
    // Their call-back requests: nobody calls them back any more, and the number goes.
    conn.execute(
        &format!(
            "UPDATE callback_requests SET phone = NULL, status = CASE WHEN status IN ({}) THEN ?3 ELSE status END
             WHERE participant_id = ?1 OR phone = ?2",
            super::callbacks::sql_list(&crate::domain::callback::RequestStatus::IN_PROGRESS)
        ),
        params![id, phone, crate::domain::callback::RequestStatus::Closed],
    )?;
    conn.execute(
        "UPDATE attempts SET helper_phone = NULL, helper_first_name = '' WHERE helper_id = ?1 OR helper_phone = ?2",
        params![id, phone],
    )?;
    conn.execute("UPDATE matches SET caller_phone = NULL WHERE caller_phone = ?1", [&phone])?;
    // A stand-in for them in the anonymous totals (see migration 011): a number, new for
    // each person erased, that says nothing about who they were.
    let stand_in: i64 = conn.query_row(
        "SELECT 1 + max(coalesce((SELECT max(erased_caller) FROM calls), 0), coalesce((SELECT max(erased_helper) FROM matches), 0))",
        [],
        |r| r.get(0),
    )?;
    conn.execute(
        "UPDATE calls SET erased_caller = ?3 WHERE (caller_id = ?1 OR from_number = ?2) AND erased_caller IS NULL",
        params![id, phone, stand_in],
    )?;
    conn.execute("UPDATE matches SET erased_helper = ?2 WHERE helper_id = ?1", params![id, stand_in])?;
    conn.execute(
        "UPDATE calls SET from_number = NULL, anonymised_at = coalesce(anonymised_at, ?3) WHERE caller_id = ?1 OR from_number = ?2",
        params![id, phone, now.as_second()],
    )?;
    // Foreign keys clear the remaining links (calls.caller_id, attempts.helper_id,
    // matches.helper_id) and delete offers and "do not pair".
    conn.execute("DELETE FROM participants WHERE id = ?1", [id])?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::participant::ParticipantInput;
    use crate::domain::ranking::{self, Request};

    fn conn() -> Connection {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::store::migrations().to_latest(&mut conn).unwrap();
        conn
    }

    fn details(i: i64, offers: &str, available: &str) -> ParticipantDetails {
        let cats = ["shopping".to_string(), "transport".to_string()];
        let input = ParticipantInput {
            name: &format!("Buur{i} Test"),
            phone: &format!("+3162{i:07}"),
            offers,
            available,
            street: "Kerkstraat",
            postcode: "1234 AB",
            distance: "any",
            language: "",
        };
        ParticipantDetails::parse(&input, &cats).unwrap()
    }

    /// A Tuesday morning in the example's time zone.
    fn at() -> Timestamp {
        "2026-11-24T10:15:00+01:00".parse().unwrap()
    }

    /// Who a pick for shopping in "dorp" ranks, from the kept-ready register in `cache`
    /// (kept across the changes of a test), and from everyone read afresh (the full
    /// ranking over a new cache's candidates).
    fn both(conn: &Connection, cache: &RegistryCache, learned: &Arc<Likelihoods>) -> (Vec<i64>, Vec<i64>) {
        let local = at().to_zoned(jiff::tz::TimeZone::get("Europe/Amsterdam").unwrap()).datetime();
        let keep = |p: &Participant| {
            !p.is_paused_on(local.date()) && (p.details.available.is_empty() || p.details.available.contains(local))
        };
        let sieve = Ringable { minute: at().as_second().div_euclid(60), keep: &keep };
        let wanted = Wanted { neighbourhood: "dorp", category: "shopping", call_sid: "CA1", caller_phone: None };
        let ringing = WeeklyHours::parse("08:00-21:00").unwrap();
        let req = Request {
            category: "shopping",
            caller_phone: None,
            caller_at: None,
            now: local,
            at: at(),
            ringing_hours: &ringing,
            caller_wish: Distance::Any,
            experienced_only: false,
        };
        let learned_at = LearnedAt { learned, at: local };
        let kept = with_ready(conn, cache, &wanted, &sieve, &learned_at, |ready, helped, calls| {
            let ranked: Vec<i64> = ready.rank(&req, calls).iter().map(|p| p.id).collect();
            let best = ready.best(&req, helped.iter().copied(), calls).map(|p| p.id);
            assert_eq!(best, ranked.first().copied(), "the best is the first of the ranking");
            ranked
        })
        .unwrap();
        let mut candidates = candidates(conn, &RegistryCache::default(), &wanted, &sieve).unwrap();
        for c in &mut candidates {
            c.likelihood = Some(learned.likelihood(c.participant.id, local));
        }
        let full = ranking::rank(&candidates, &req).iter().map(|c| c.participant.id).collect();
        (kept, full)
    }

    /// Issue 31: the register kept ready for picks follows every kind of change to the
    /// register within the same minute (an import, an edit of offers or hours, a pause,
    /// a move to another neighbourhood, an erasure) and every ring, and always ranks as
    /// the full ranking over everyone read afresh.
    #[test]
    fn the_register_kept_ready_follows_every_change() {
        let conn = conn();
        let (cache, learned) = (RegistryCache::default(), Arc::new(Likelihoods::default()));
        let add = |i: i64, offers: &str, available: &str| {
            let (id, _) = upsert(&conn, &details(i, offers, available), at()).unwrap();
            join(&conn, id, "dorp").unwrap();
            id
        };
        let ids: Vec<i64> = (1..=6).map(|i| add(i, "shopping", "")).collect();
        add(7, "transport", "");
        add(8, "shopping", "mon-fri 14:00-17:00");
        let step = |what: &str| {
            let (kept, full) = both(&conn, &cache, &learned);
            assert_eq!(kept, full, "after {what}");
            kept
        };
        assert_eq!(step("the first import"), ids);

        let new = add(9, "shopping", "");
        assert!(step("an import").contains(&new));

        update(&conn, ids[0], &details(1, "transport", ""), at()).unwrap();
        assert!(!step("an edit of what they offer").contains(&ids[0]));
        upsert(&conn, &details(1, "shopping;transport", ""), at()).unwrap();
        assert!(step("an import that changes what they offer").contains(&ids[0]));

        update(&conn, ids[1], &details(2, "shopping", "mon-fri 14:00-17:00"), at()).unwrap();
        assert!(!step("an edit of their hours").contains(&ids[1]));

        set_paused_by_id(&conn, ids[2], true, None, at()).unwrap();
        assert!(!step("a pause").contains(&ids[2]));
        set_paused_by_id(&conn, ids[2], false, None, at()).unwrap();
        assert!(step("the end of a pause").contains(&ids[2]));

        set_neighbourhoods(&conn, ids[3], &["elders".to_string()]).unwrap();
        assert!(!step("a move to another neighbourhood").contains(&ids[3]));

        assert!(erase(&conn, ids[4], at()).unwrap());
        assert!(!step("an erasure").contains(&ids[4]));

        // Rung just now: last in the rotation, as in the full ranking.
        let first = step("nothing")[0];
        mark_asked(&conn, first, at()).unwrap();
        assert_eq!(step("a ring").last(), Some(&first));
    }

    fn version(conn: &Connection) -> i64 {
        conn.query_row("SELECT version FROM registry_version WHERE id = 1", [], |r| r.get(0)).unwrap()
    }

    /// Every column the caches of who may be rung read bumps the register's version, also
    /// when it changes alone (migration 029): a slow line confirmed by phone, a say over
    /// who comes, a language.
    #[test]
    fn a_change_of_any_column_the_caches_read_bumps_the_version() {
        let conn = conn();
        conn.execute_batch(
            "INSERT INTO participants (name, phone, available, street, postcode, distance, offers, created_at, updated_at)
             VALUES ('Anja Bakker', '+31610000001', 'ma-vr 9-17', 'Kerkstraat', '1234 AB', 'any', 'shopping', 0, 0)",
        )
        .unwrap();
        let id: i64 = conn.query_row("SELECT id FROM participants", [], |r| r.get(0)).unwrap();
        for (column, value) in [
            ("slow_line", "1"),
            ("experienced", "'shopping'"),
            ("helpers_from", "'street'"),
            ("street_said", "'never'"),
            ("desk_only", "1"),
            ("language", "'en'"),
        ] {
            let before = version(&conn);
            conn.execute(&format!("UPDATE participants SET {column} = {value} WHERE id = ?1"), [id]).unwrap();
            assert_eq!(version(&conn), before + 1, "{column}");
        }
        let before = version(&conn);
        set_slow_line(&conn, id, Some(false)).unwrap();
        assert_eq!(version(&conn), before + 1, "set_slow_line");
    }
}
