//! What the provider keeps: the local copies of voicemails (`recordings`, the audio as a
//! BLOB) and the durable jobs that fetch a voicemail (or a planned request's "where to",
//! into `planned_where`) and delete it, or a call record, at
//! the provider (`provider_jobs`). The jobs are run by `switchboard::provider_jobs`; here they are
//! queued in the same transaction as what calls for them (a voicemail stored, a call
//! anonymised, a person erased), so none is ever forgotten.

use jiff::Timestamp;
use rusqlite::{params, Connection, OptionalExtension};

use super::exec;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Fetch a voicemail's audio into `recordings`; then queue its delete.
    FetchRecording,
    /// Fetch a planned request's "where to" into `planned_where` (issue 28); then queue
    /// its delete, as for a voicemail.
    FetchWhereTo,
    /// Delete a recording at the provider.
    DeleteRecording,
    /// Delete a call record at the provider.
    DeleteCall,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::FetchRecording => "fetch-recording",
            Kind::FetchWhereTo => "fetch-where-to",
            Kind::DeleteRecording => "delete-recording",
            Kind::DeleteCall => "delete-call",
        }
    }

    fn parse(s: &str) -> Option<Kind> {
        [Kind::FetchRecording, Kind::FetchWhereTo, Kind::DeleteRecording, Kind::DeleteCall]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// One request the provider still has to get.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Job {
    pub id: i64,
    pub kind: Kind,
    /// A recording's URL (as the provider's webhook gave it) or a CallSid.
    pub target: String,
    /// For a fetch: the call whose voicemail it is.
    pub call_sid: Option<String>,
    /// Failed tries so far.
    pub tries: u32,
}

/// Queues a job; a job already queued for the same thing stays as it is.
pub fn enqueue(
    conn: &Connection,
    kind: Kind,
    target: &str,
    call_sid: Option<&str>,
    now: Timestamp,
) -> anyhow::Result<()> {
    exec(
        conn,
        "INSERT INTO provider_jobs (kind, target, call_sid, created_at, next_try_at) VALUES (?1, ?2, ?3, ?4, ?4)
         ON CONFLICT (kind, target) DO NOTHING",
        params![kind.as_str(), target, call_sid, now.as_second()],
    )?;
    Ok(())
}

/// Jobs whose next try is due, oldest first.
pub fn due(conn: &Connection, now: Timestamp, limit: u32) -> anyhow::Result<Vec<Job>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, kind, target, call_sid, tries FROM provider_jobs WHERE next_try_at <= ?1 ORDER BY next_try_at, id LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![now.as_second(), limit], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
    })?;
    let mut jobs = Vec::new();
    for row in rows {
        let (id, kind, target, call_sid, tries) = row?;
        let kind = Kind::parse(&kind).ok_or_else(|| anyhow::anyhow!("unknown provider job kind {kind:?}"))?;
        jobs.push(Job { id, kind, target, call_sid, tries });
    }
    Ok(jobs)
}

/// The provider did it (or had nothing left to do).
pub fn done(conn: &Connection, id: i64) -> anyhow::Result<()> {
    exec(conn, "DELETE FROM provider_jobs WHERE id = ?1", [id])?;
    Ok(())
}

/// A try failed: the job waits until `next_try_at`, with the reason kept.
pub fn failed(conn: &Connection, id: i64, next_try_at: Timestamp, error: &str) -> anyhow::Result<()> {
    let error: String = error.chars().take(500).collect();
    exec(
        conn,
        "UPDATE provider_jobs SET tries = tries + 1, next_try_at = ?2, last_error = ?3 WHERE id = ?1",
        params![id, next_try_at.as_second(), error],
    )?;
    Ok(())
}

/// Keeps a fetched (and checked) voicemail, or a planned request's "where to", and, in the
/// same transaction, swaps its fetch job for the delete at the provider: the provider's
/// copy goes only once ours is stored. Returns false, keeping nothing, when the fetch job
/// is gone (the call was erased or anonymised, or the request is over, while the audio was
/// on its way).
pub fn store_fetched(
    conn: &Connection,
    job_id: i64,
    content_type: &str,
    audio: &[u8],
    now: Timestamp,
) -> anyhow::Result<bool> {
    let job: Option<(String, String, Option<String>)> = conn
        .query_row(
            "SELECT kind, target, call_sid FROM provider_jobs
             WHERE id = ?1 AND kind IN ('fetch-recording', 'fetch-where-to')",
            [job_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((kind, url, call_sid)) = job else { return Ok(false) };
    if kind == Kind::FetchWhereTo.as_str() {
        // A planned request's "where to" (`planned_where`): kept while its row is.
        let kept = exec(
            conn,
            "UPDATE planned_where SET content_type = ?2, audio = ?3, fetched_at = ?4 WHERE recording_url = ?1",
            params![url, content_type, audio, now.as_second()],
        )?;
        if kept != 1 {
            // Its request is over: nothing kept, and the provider's copy goes.
            done(conn, job_id)?;
            enqueue(conn, Kind::DeleteRecording, &url, None, now)?;
            return Ok(false);
        }
    } else {
        exec(
            conn,
            "INSERT OR REPLACE INTO recordings (call_sid, content_type, size, fetched_at, audio) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![call_sid, content_type, audio.len() as i64, now.as_second(), audio],
        )?;
    }
    done(conn, job_id)?;
    enqueue(conn, Kind::DeleteRecording, &url, None, now)?;
    Ok(true)
}

/// A call's voicemail as we keep it: its media type and audio.
pub fn audio(conn: &Connection, call_sid: &str) -> anyhow::Result<Option<(String, Vec<u8>)>> {
    Ok(conn
        .prepare_cached("SELECT content_type, audio FROM recordings WHERE call_sid = ?1")?
        .query_row([call_sid], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// Whether a call's voicemail is still waiting to be fetched, and how often that failed.
pub fn fetch_pending(conn: &Connection, call_sid: &str) -> anyhow::Result<Option<u32>> {
    Ok(conn
        .prepare_cached("SELECT tries FROM provider_jobs WHERE kind = 'fetch-recording' AND call_sid = ?1")?
        .query_row([call_sid], |r| r.get(0))
        .optional()?)
}

/// Everything the provider keeps of one call is to go (it is being anonymised, or its
/// caller erased): the local copy of its voicemail goes now and a fetch still waiting is
/// dropped; the provider's copy of the recording, the call's record and the records of the
/// helpers' legs rung for it (waves, and a resident called back) are queued for deletion.
/// Call it before the rows that name those go. Only a call that came in is a call at the
/// provider: a call-back search's or a round alert's row is not (its legs are).
pub fn forget_call(conn: &Connection, call_sid: &str, now: Timestamp) -> anyhow::Result<()> {
    exec(conn, "DELETE FROM provider_jobs WHERE kind = 'fetch-recording' AND call_sid = ?1", [call_sid])?;
    exec(conn, "DELETE FROM recordings WHERE call_sid = ?1", [call_sid])?;
    let url: Option<String> = conn
        .prepare_cached("SELECT recording_url FROM voicemails WHERE call_sid = ?1")?
        .query_row([call_sid], |r| r.get(0))
        .optional()?;
    if let Some(url) = url {
        enqueue(conn, Kind::DeleteRecording, &url, None, now)?;
    }
    if super::call_kind(conn, call_sid)?.is_none_or(crate::domain::call::CallKind::came_in) {
        enqueue(conn, Kind::DeleteCall, call_sid, None, now)?;
    }
    let legs: Vec<String> = conn
        .prepare_cached(
            "SELECT leg_sid FROM wave_legs WHERE call_sid = ?1 AND leg_sid IS NOT NULL
             UNION SELECT leg_sid FROM attempts WHERE call_sid = ?1 AND leg_sid IS NOT NULL
             UNION SELECT resident_leg_sid FROM callback_requests
             WHERE (search_sid = ?1 OR call_sid = ?1) AND resident_leg_sid IS NOT NULL",
        )?
        .query_map([call_sid], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for leg in legs {
        enqueue(conn, Kind::DeleteCall, &leg, None, now)?;
    }
    Ok(())
}

/// Jobs waiting, by kind: how many, and how many of those have failed at least once.
pub fn counts(conn: &Connection) -> anyhow::Result<Vec<(Kind, i64, i64)>> {
    let mut stmt = conn
        .prepare_cached("SELECT kind, count(*), count(*) FILTER (WHERE tries > 0) FROM provider_jobs GROUP BY kind")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (kind, waiting, failing) = row?;
        if let Some(kind) = Kind::parse(&kind) {
            out.push((kind, waiting, failing));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    const URL: &str = "https://api.twilio.com/2010-04-01/Accounts/AC00000000000000000000000000000000/Recordings/RE00000000000000000000000000000001";
    const CALL: &str = "CA00000000000000000000000000000001";
    const LEG: &str = "CA00000000000000000000000000000002";

    fn t(s: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + s).unwrap()
    }

    /// A store with one ended call that left a voicemail, and one helper leg rung for it.
    fn store_with_a_voicemail() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.db")).unwrap();
        store
            .write(|tx| {
                tx.execute_batch(&format!(
                    "INSERT INTO calls (call_sid, dialplan_number, from_number, phase, started_at, ended_at, seq)
                         VALUES ('{CALL}', '+31850000000', '+31201234567', 'ended', 1800000000, 1800000060, 3);
                     INSERT INTO attempts (call_sid, attempt, helper_first_name, started_at) VALUES ('{CALL}', 1, 'Anja', 1800000010);
                     INSERT INTO wave_searches (call_sid, status, started_at) VALUES ('{CALL}', 'over', 1800000010);
                     INSERT INTO wave_legs (call_sid, attempt, leg_sid, status, started_at) VALUES ('{CALL}', 1, '{LEG}', 'declined', 1800000010);
                     INSERT INTO voicemails (call_sid, recording_url, duration_seconds, created_at) VALUES ('{CALL}', '{URL}', 25, 1800000060);"
                ))?;
                enqueue(tx, Kind::FetchRecording, URL, Some(CALL), t(60))
            })
            .unwrap();
        (dir, store)
    }

    fn jobs(store: &Store) -> Vec<(Kind, String)> {
        store.read(|c| due(c, t(1_000_000), 100)).unwrap().into_iter().map(|j| (j.kind, j.target)).collect()
    }

    #[test]
    fn a_fetched_voicemail_is_kept_before_its_delete_is_queued() {
        let (_dir, store) = store_with_a_voicemail();
        let job = store.read(|c| due(c, t(60), 10)).unwrap();
        assert_eq!(job.len(), 1);
        assert_eq!((job[0].kind, job[0].call_sid.as_deref(), job[0].tries), (Kind::FetchRecording, Some(CALL), 0));
        // Queued twice, kept once.
        store.write(|tx| enqueue(tx, Kind::FetchRecording, URL, Some(CALL), t(61))).unwrap();
        assert_eq!(jobs(&store).len(), 1);

        store.write(|tx| failed(tx, job[0].id, t(120), "503")).unwrap();
        assert!(store.read(|c| due(c, t(119), 10)).unwrap().is_empty(), "not before its next try");
        assert_eq!(store.read(|c| fetch_pending(c, CALL)).unwrap(), Some(1));
        assert_eq!(store.read(|c| audio(c, CALL)).unwrap(), None);

        assert!(store.write(|tx| store_fetched(tx, job[0].id, "audio/mpeg", b"ID3 hello", t(120))).unwrap());
        assert_eq!(store.read(|c| audio(c, CALL)).unwrap(), Some(("audio/mpeg".into(), b"ID3 hello".to_vec())));
        assert_eq!(store.read(|c| fetch_pending(c, CALL)).unwrap(), None);
        assert_eq!(jobs(&store), [(Kind::DeleteRecording, URL.to_string())]);
        // A second answer for the same fetch finds its job gone and keeps nothing.
        assert!(!store.write(|tx| store_fetched(tx, job[0].id, "audio/mpeg", b"ID3 other", t(121))).unwrap());
        assert_eq!(store.read(|c| audio(c, CALL)).unwrap().unwrap().1, b"ID3 hello");
    }

    #[test]
    fn forgetting_a_call_drops_our_copy_and_queues_every_delete_at_the_provider() {
        let (_dir, store) = store_with_a_voicemail();
        let fetch = store.read(|c| due(c, t(60), 10)).unwrap().remove(0);
        store.write(|tx| store_fetched(tx, fetch.id, "audio/mpeg", b"ID3 hello", t(61))).unwrap();
        store.write(|tx| forget_call(tx, CALL, t(62))).unwrap();
        assert_eq!(store.read(|c| audio(c, CALL)).unwrap(), None);
        let mut queued = jobs(&store);
        queued.sort_by(|a, b| a.1.cmp(&b.1));
        assert_eq!(
            queued,
            [(Kind::DeleteCall, CALL.into()), (Kind::DeleteCall, LEG.into()), (Kind::DeleteRecording, URL.into())]
        );
        // A call-back search and a round's alert are no calls at the provider: their kind
        // says so, whatever their ids look like.
        for (sid, kind) in [("CAsearch", "callback-search"), ("CAround", "round")] {
            store
                .write(|tx| {
                    tx.execute("INSERT INTO calls (call_sid, dialplan_number, phase, started_at, seq, kind) VALUES (?1, '+31850000000', 'ended', 1800000000, 1, ?2)", [sid, kind])?;
                    forget_call(tx, sid, t(63))
                })
                .unwrap();
        }
        assert_eq!(jobs(&store).len(), 3);
    }

    #[test]
    fn a_fetch_still_waiting_is_dropped_when_the_call_is_forgotten() {
        let (_dir, store) = store_with_a_voicemail();
        let fetch = store.read(|c| due(c, t(60), 10)).unwrap().remove(0);
        store.write(|tx| forget_call(tx, CALL, t(61))).unwrap();
        assert!(jobs(&store).iter().all(|(k, _)| *k != Kind::FetchRecording));
        assert!(jobs(&store).contains(&(Kind::DeleteRecording, URL.into())), "the provider's copy still goes");
        // The audio arriving afterwards is not kept.
        assert!(!store.write(|tx| store_fetched(tx, fetch.id, "audio/mpeg", b"ID3 late", t(62))).unwrap());
        assert_eq!(store.read(|c| audio(c, CALL)).unwrap(), None);
    }

    #[test]
    fn the_local_copy_goes_with_its_voicemail() {
        let (_dir, store) = store_with_a_voicemail();
        let fetch = store.read(|c| due(c, t(60), 10)).unwrap().remove(0);
        store.write(|tx| store_fetched(tx, fetch.id, "audio/mpeg", b"ID3 hello", t(61))).unwrap();
        store.write(|tx| Ok(tx.execute("DELETE FROM voicemails", [])?)).unwrap();
        assert_eq!(store.read(|c| audio(c, CALL)).unwrap(), None);
    }
}
