//! Help for later's "where to" (issue 28): a short recording the requester makes after
//! the read-back, kept for their request (`planned_where`). The provider's copy is fetched
//! by the same provider jobs as a voicemail (`provider_jobs::Kind::FetchWhereTo`, then the
//! delete there); ours is played, by its token, to helpers who are asked or reminded, and
//! goes when the request is over (`forget`), with the requester on erase, and by retention.

use jiff::Timestamp;
use rusqlite::{params, Connection, OptionalExtension};

use super::exec;
use super::provider_jobs::{self, Kind};
use crate::domain::planned::{where_to_kept, Status};

/// Request `id` was taken by phone on call `call_sid`: its "where to" may follow.
pub fn taken_on(conn: &Connection, id: i64, call_sid: &str) -> anyhow::Result<()> {
    exec(conn, "UPDATE planned_requests SET taken_on_call = ?2 WHERE id = ?1", params![id, call_sid])?;
    Ok(())
}

/// "Where to" was recorded on call `call_sid` at the provider: kept for the request taken
/// on that call (while it is to come), and queued to be fetched into our own storage.
/// Returns the request, or `None` when no open request was taken on that call.
pub fn recorded(
    conn: &Connection,
    call_sid: &str,
    recording_url: &str,
    duration_seconds: u32,
    token: &str,
    now: Timestamp,
) -> anyhow::Result<Option<i64>> {
    let request: Option<(i64, String, i64)> = conn
        .prepare_cached("SELECT id, status, at_ts FROM planned_requests WHERE taken_on_call = ?1")?
        .query_row([call_sid], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    let kept = request.filter(|(_, status, at)| {
        Status::parse(status).is_some_and(|s| where_to_kept(s, Timestamp::from_second(*at).unwrap_or(now), now))
    });
    let Some((id, _, _)) = kept else {
        // Nothing to keep it for: the provider's copy goes at once.
        provider_jobs::enqueue(conn, Kind::DeleteRecording, recording_url, None, now)?;
        return Ok(None);
    };
    forget(conn, id, now)?;
    exec(
        conn,
        "INSERT INTO planned_where (request_id, recording_url, duration_seconds, token, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![id, recording_url, duration_seconds, token, now.as_second()],
    )?;
    provider_jobs::enqueue(conn, Kind::FetchWhereTo, recording_url, None, now)?;
    Ok(Some(id))
}

/// The token of request `id`'s "where to" when our copy is there to be played.
pub fn playable(conn: &Connection, id: i64, now: Timestamp) -> anyhow::Result<Option<String>> {
    let row: Option<(String, String, i64)> = conn
        .prepare_cached(
            "SELECT w.token, r.status, r.at_ts FROM planned_where w JOIN planned_requests r ON r.id = w.request_id
             WHERE w.request_id = ?1 AND w.audio IS NOT NULL",
        )?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    Ok(row.and_then(|(token, status, at)| kept(&status, at, now).then_some(token)))
}

/// Our copy of the recording named by `token`, while its request is to come: its media
/// type and audio.
pub fn audio(conn: &Connection, token: &str, now: Timestamp) -> anyhow::Result<Option<(String, Vec<u8>)>> {
    let row: Option<(String, Vec<u8>, String, i64)> = conn
        .prepare_cached(
            "SELECT w.content_type, w.audio, r.status, r.at_ts FROM planned_where w
             JOIN planned_requests r ON r.id = w.request_id
             WHERE w.token = ?1 AND w.audio IS NOT NULL AND w.content_type IS NOT NULL",
        )?
        .query_row([token], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .optional()?;
    Ok(row.and_then(|(content_type, audio, status, at)| kept(&status, at, now).then_some((content_type, audio))))
}

fn kept(status: &str, at: i64, now: Timestamp) -> bool {
    let at = Timestamp::from_second(at).unwrap_or(Timestamp::MIN);
    Status::parse(status).is_some_and(|s| where_to_kept(s, at, now))
}

/// Request `id`'s "where to" goes: our copy now, a fetch still waiting is dropped, and the
/// provider's copy is queued for deletion (a 404 there is fine: it went after our copy).
pub fn forget(conn: &Connection, id: i64, now: Timestamp) -> anyhow::Result<()> {
    let url: Option<String> = conn
        .prepare_cached("SELECT recording_url FROM planned_where WHERE request_id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?;
    let Some(url) = url else { return Ok(()) };
    exec(conn, "DELETE FROM provider_jobs WHERE kind = ?1 AND target = ?2", params![Kind::FetchWhereTo.as_str(), url])?;
    exec(conn, "DELETE FROM planned_where WHERE request_id = ?1", [id])?;
    provider_jobs::enqueue(conn, Kind::DeleteRecording, &url, None, now)?;
    Ok(())
}

/// Every "where to" no longer kept (its request is over, or its time has passed) goes.
/// Returns how many.
pub fn forget_over(conn: &Connection, now: Timestamp) -> anyhow::Result<usize> {
    let rows: Vec<(i64, String, i64)> = conn
        .prepare_cached(
            "SELECT r.id, r.status, r.at_ts FROM planned_where w JOIN planned_requests r ON r.id = w.request_id",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    let over: Vec<i64> =
        rows.into_iter().filter(|(_, status, at)| !kept(status, *at, now)).map(|(id, ..)| id).collect();
    for id in &over {
        forget(conn, *id, now)?;
    }
    Ok(over.len())
}

/// Participant `id` is erased: the "where to" of every request they asked for goes.
pub fn forget_requester(conn: &Connection, id: i64, now: Timestamp) -> anyhow::Result<()> {
    let ids: Vec<i64> = conn
        .prepare_cached(
            "SELECT w.request_id FROM planned_where w JOIN planned_requests r ON r.id = w.request_id
             WHERE r.requester_id = ?1",
        )?
        .query_map([id], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for request in ids {
        forget(conn, request, now)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::provider_jobs::{due, store_fetched};
    use crate::store::Store;

    const URL: &str = "https://api.twilio.com/2010-04-01/Accounts/AC00000000000000000000000000000000/Recordings/RE00000000000000000000000000000001";
    const CALL: &str = "CA00000000000000000000000000000001";
    const TOKEN: &str = "0123456789abcdef0123456789abcdef";
    /// The help's moment.
    const AT: i64 = 1_800_100_000;

    fn t(s: i64) -> Timestamp {
        Timestamp::from_second(AT + s).unwrap()
    }

    /// A store with one request taken by phone on `CALL`, asking, for `AT`.
    fn store_with_a_request() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.db")).unwrap();
        store
            .write(|tx| {
                tx.execute(
                    "INSERT INTO planned_requests (neighbourhood, dialplan_number, category, at, at_ts, cutoff_at,
                         status, taken_by, created_at)
                     VALUES ('example', '+31850000000', 'transport', '2027-01-15T10:00:00', ?1, ?1, 'asking', 'phone', ?2)",
                    params![AT, AT - 86_400],
                )?;
                taken_on(tx, 1, CALL)
            })
            .unwrap();
        (dir, store)
    }

    fn jobs(store: &Store) -> Vec<(Kind, String)> {
        store.read(|c| due(c, t(1_000_000), 100)).unwrap().into_iter().map(|j| (j.kind, j.target)).collect()
    }

    #[test]
    fn where_to_is_fetched_then_played_and_goes_when_its_time_has_passed() {
        let (_dir, store) = store_with_a_request();
        let now = t(-86_000);
        assert_eq!(store.write(|tx| recorded(tx, CALL, URL, 7, TOKEN, now)).unwrap(), Some(1));
        assert_eq!(jobs(&store), [(Kind::FetchWhereTo, URL.to_string())]);
        assert_eq!(store.read(|c| playable(c, 1, now)).unwrap(), None, "not before our copy is there");
        let job = store.read(|c| due(c, now, 10)).unwrap()[0].id;
        assert!(store.write(|tx| store_fetched(tx, job, "audio/mpeg", b"ID3 naar het ziekenhuis", now)).unwrap());
        assert_eq!(jobs(&store), [(Kind::DeleteRecording, URL.to_string())], "the provider's copy goes after ours");
        assert_eq!(store.read(|c| playable(c, 1, now)).unwrap().as_deref(), Some(TOKEN));
        let ours = store.read(|c| audio(c, TOKEN, now)).unwrap();
        assert_eq!(ours, Some(("audio/mpeg".to_string(), b"ID3 naar het ziekenhuis".to_vec())));
        assert_eq!(store.read(|c| audio(c, "ffffffffffffffffffffffffffffffff", now)).unwrap(), None);

        // Kept until six hours after the help; then it goes, here (the minute job).
        let kept = t(6 * 3600 - 1);
        assert_eq!(store.write(|tx| forget_over(tx, kept)).unwrap(), 0);
        assert!(store.read(|c| audio(c, TOKEN, kept)).unwrap().is_some());
        let over = t(6 * 3600);
        assert_eq!(store.read(|c| audio(c, TOKEN, over)).unwrap(), None, "never played once its time passed");
        assert_eq!(store.write(|tx| forget_over(tx, over)).unwrap(), 1);
        assert_eq!(
            store.read(|c| Ok(c.query_row("SELECT count(*) FROM planned_where", [], |r| r.get::<_, i64>(0))?)).unwrap(),
            0
        );
        assert_eq!(jobs(&store), [(Kind::DeleteRecording, URL.to_string())]);
    }

    #[test]
    fn where_to_for_a_request_that_is_over_is_deleted_at_once_and_retention_takes_it_too() {
        let (_dir, store) = store_with_a_request();
        let now = t(-86_000);
        store.write(|tx| recorded(tx, CALL, URL, 7, TOKEN, now)).unwrap();
        // Retention: the request is anonymised, its "where to" goes with it (a fetch too).
        let anonymised = store.write(|tx| crate::store::planned::anonymise_before(tx, t(10 * 86_400), t(11 * 86_400)));
        assert_eq!(anonymised.unwrap(), 1);
        assert_eq!(jobs(&store), [(Kind::DeleteRecording, URL.to_string())], "the fetch dropped, the delete queued");
        assert_eq!(store.read(|c| playable(c, 1, now)).unwrap(), None);
        // A recording for a request no longer to come is never kept.
        store
            .write(|tx| {
                tx.execute("UPDATE planned_requests SET status = 'cancelled-by-desk'", [])?;
                Ok(())
            })
            .unwrap();
        let other = URL.replace("RE00000000000000000000000000000001", "RE00000000000000000000000000000002");
        assert_eq!(store.write(|tx| recorded(tx, CALL, &other, 5, TOKEN, now)).unwrap(), None);
        assert!(jobs(&store).contains(&(Kind::DeleteRecording, other)));
        assert_eq!(
            store.read(|c| Ok(c.query_row("SELECT count(*) FROM planned_where", [], |r| r.get::<_, i64>(0))?)).unwrap(),
            0
        );
    }
}
