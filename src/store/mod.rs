//! SQLite storage: the only module that holds SQL.
//!
//! One file, WAL mode, foreign keys on, embedded numbered migrations. Everything a call
//! needs between two webhooks is here, so a restart loses nothing. Calls run on a
//! thread of their own ([`Worker`]), never on the async runtime.

pub mod accounts;
pub mod callbacks;
pub mod calls;
pub mod confirmations;
pub mod desk;
pub mod participants;
pub mod planned;
pub mod planned_where;
pub mod provider_jobs;
pub mod round;
pub mod scope;
pub mod synthetic;
pub mod waves;

use std::path::Path;
use std::sync::Mutex;

use anyhow::Context as _;
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior};
use rusqlite_migration::{Migrations, M};

/// Read-only connections for the desk.
const READERS: usize = 3;

pub struct Store {
    conn: Mutex<Connection>,
    /// Read-only connections for the desk's pages: WAL lets them read while the webhooks
    /// write, so a long report never holds up a call, nor one page another.
    readers: Vec<Mutex<Connection>>,
    next_reader: std::sync::atomic::AtomicUsize,
    /// The register in memory, for ranking.
    pub registry: participants::RegistryCache,
}

/// A stored word that no variant of its enum is stored as (a newer version's data, or a
/// hand edit): reading it fails and says which word, rather than guessing.
#[derive(Debug)]
pub struct UnknownWord {
    pub column: &'static str,
    pub word: String,
}

impl std::fmt::Display for UnknownWord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "unknown {} '{}'", self.column, self.word)
    }
}

impl std::error::Error for UnknownWord {}

impl UnknownWord {
    /// As the error of reading column `i` of a row.
    pub fn at(self, i: usize) -> rusqlite::Error {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(self))
    }
}

// What a `calls` row is lives here, not in `calls`, so that `provider_jobs` can ask
// without a cycle.
/// The call kind stored as `word`: an unknown word is an error that names it.
fn kind_parse(word: &str) -> Result<crate::domain::call::CallKind, UnknownWord> {
    crate::domain::call::CallKind::parse(word)
        .ok_or_else(|| UnknownWord { column: "calls.kind", word: word.to_string() })
}

/// What call `call_sid` is, if it is stored.
pub fn call_kind(conn: &Connection, call_sid: &str) -> anyhow::Result<Option<crate::domain::call::CallKind>> {
    let word: Option<String> = conn
        .prepare_cached("SELECT kind FROM calls WHERE call_sid = ?1")?
        .query_row([call_sid], |r| r.get(0))
        .optional()?;
    Ok(word.map(|w| kind_parse(&w)).transpose()?)
}

/// Runs one statement, cached: webhooks run the same few statements again and again.
fn exec(conn: &Connection, sql: &str, params: impl rusqlite::Params) -> rusqlite::Result<usize> {
    conn.prepare_cached(sql)?.execute(params)
}

fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(include_str!("migrations/001_init.sql")),
        M::up(include_str!("migrations/002_desk.sql")),
        M::up(include_str!("migrations/003_waves.sql")),
        M::up(include_str!("migrations/004_callbacks.sql")),
        M::up(include_str!("migrations/005_conference_joins.sql")),
        M::up(include_str!("migrations/006_provider_jobs.sql")),
        M::up(include_str!("migrations/007_attempt_legs.sql")),
        M::up(include_str!("migrations/008_unconfirmed.sql")).foreign_key_check(),
        M::up(include_str!("migrations/009_neighbourhoods.sql")),
        M::up(include_str!("migrations/010_follow_up_queue.sql")),
        M::up(include_str!("migrations/011_erased_stand_ins.sql")),
        M::up(include_str!("migrations/012_menu_repeats.sql")),
        M::up(include_str!("migrations/013_follow_ups_by_created.sql")),
        M::up(include_str!("migrations/014_own_settings.sql")).foreign_key_check(),
        M::up(include_str!("migrations/015_languages.sql")),
        M::up(include_str!("migrations/016_round.sql")).foreign_key_check(),
        M::up(include_str!("migrations/017_own_confirmations.sql")),
        M::up(include_str!("migrations/018_call_neighbourhood.sql")),
        M::up(include_str!("migrations/019_call_kinds.sql")).foreign_key_check(),
        M::up(include_str!("migrations/020_callback_requests.sql")).foreign_key_check(),
        M::up(include_str!("migrations/021_a_say_over_who_comes.sql")),
        M::up(include_str!("migrations/022_slow_line.sql")).foreign_key_check(),
        M::up(include_str!("migrations/023_not_reached_note.sql")),
        M::up(include_str!("migrations/024_planned_requests.sql")).foreign_key_check(),
        M::up(include_str!("migrations/025_call_later.sql")),
        M::up(include_str!("migrations/026_planned_requests_by_created.sql")),
        M::up(include_str!("migrations/027_planned_retention.sql")),
        M::up(include_str!("migrations/028_planned_where_to.sql")).foreign_key_check(),
        M::up(include_str!("migrations/029_register_version_on_every_column.sql")),
    ])
}

/// How a commit survives a crash of the machine (`PRAGMA synchronous`, with WAL).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Durability {
    /// Every commit is on disk before it is answered: a power cut loses nothing that was
    /// answered. Commits are grouped (`Worker::write`), so the wait for the disk is shared.
    #[default]
    Full,
    /// A commit is on disk soon after: a crash of the process loses nothing, a power cut
    /// or a kernel crash may lose the last commits.
    Normal,
}

impl Durability {
    fn pragma(self) -> &'static str {
        match self {
            Durability::Full => "FULL",
            Durability::Normal => "NORMAL",
        }
    }
}

/// How many prepared statements a connection keeps: more than the different statements
/// the service runs (about 150 in the webhook path and the desk's pages together).
const STATEMENT_CACHE: usize = 512;

impl Store {
    /// Opens (creating if needed) and migrates the database file, committing durably.
    pub fn open(path: &Path) -> anyhow::Result<Store> {
        Store::open_with(path, Durability::Full)
    }

    /// As `open`, with the given durability.
    pub fn open_with(path: &Path, durability: Durability) -> anyhow::Result<Store> {
        let mut conn = Connection::open(path).with_context(|| format!("cannot open database {}", path.display()))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", durability.pragma())?;
        // Checkpoints run on a thread of their own (see `start_checkpointer`), not inside
        // whichever webhook's commit happens to fill the log.
        conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        // Every statement a webhook runs stays prepared (issue 31): with rusqlite's default
        // of 16, a webhook's statements pushed each other out and were parsed again.
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        // Foreign keys are off while migrating, so that a migration may rebuild a table
        // others refer to (008); a migration that does checks them itself.
        conn.pragma_update(None, "foreign_keys", "OFF")?;
        migrations().to_latest(&mut conn).with_context(|| format!("cannot migrate database {}", path.display()))?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let mut readers = Vec::with_capacity(READERS);
        for _ in 0..READERS {
            let reader = Connection::open_with_flags(
                path,
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .with_context(|| format!("cannot open database {} for reading", path.display()))?;
            reader.busy_timeout(std::time::Duration::from_secs(5))?;
            reader.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
            readers.push(Mutex::new(reader));
        }
        Ok(Store {
            conn: Mutex::new(conn),
            readers,
            next_reader: Default::default(),
            registry: participants::RegistryCache::default(),
        })
    }

    /// Copies the write-ahead log into the database file every second, on a thread of its
    /// own with its own connection, without blocking writers or readers (`PASSIVE`).
    /// Without it (command-line tools), the log is checkpointed when the store closes.
    /// The thread ends when the store is dropped.
    pub fn start_checkpointer(store: &std::sync::Arc<Store>, path: &Path) -> anyhow::Result<()> {
        let conn = Connection::open(path)
            .with_context(|| format!("cannot open database {} for checkpoints", path.display()))?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let alive = std::sync::Arc::downgrade(store);
        std::thread::Builder::new().name("burenlijn-checkpoint".into()).spawn(move || {
            while alive.strong_count() > 0 {
                std::thread::sleep(std::time::Duration::from_secs(1));
                if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
                    tracing::warn!(error = %e, "checkpointing the database log failed");
                }
            }
        })?;
        Ok(())
    }

    /// Copies the log into the database file now and empties it, and refreshes the query
    /// planner's statistics (after writing a lot at once).
    pub fn checkpoint(&self) -> anyhow::Result<()> {
        let conn = self.conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        conn.execute_batch("PRAGMA optimize; PRAGMA wal_checkpoint(TRUNCATE);")?;
        Ok(())
    }

    /// Runs `f` in one write transaction: all of it is stored, or none.
    pub fn write<T>(&self, f: impl FnOnce(&Transaction<'_>) -> anyhow::Result<T>) -> anyhow::Result<T> {
        let mut conn = self.conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = f(&tx)?;
        tx.commit()?;
        Ok(value)
    }

    /// Group commit: runs each job in a savepoint of its own inside one transaction,
    /// commits once, and only then hands each job's result on. A job that fails rolls back
    /// its own savepoint only, and gets its own error; should the commit fail, every job
    /// gets that error (nothing of the batch was stored).
    fn write_batch(&self, jobs: Vec<WriteJob>) {
        let mut conn = self.conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut done: Vec<Deliver> = Vec::with_capacity(jobs.len());
        let tx = match conn.transaction_with_behavior(TransactionBehavior::Immediate) {
            Ok(tx) => tx,
            Err(e) => {
                let why = e.to_string();
                for job in jobs {
                    job(None).1(Some(why.clone()));
                }
                return;
            }
        };
        // Each job's savepoint by cached statements (issue 31): `Transaction::savepoint`
        // parses its SQL anew every time, twice per webhook.
        let run = |sql: &str| tx.prepare_cached(sql).and_then(|mut s| s.execute([])).map(|_| ());
        for job in jobs {
            match run("SAVEPOINT burenlijn_job") {
                Ok(()) => {
                    let (ok, deliver) = job(Some(&tx));
                    let end = if ok {
                        run("RELEASE burenlijn_job")
                    } else {
                        run("ROLLBACK TO burenlijn_job").and_then(|()| run("RELEASE burenlijn_job"))
                    };
                    if let Err(e) = end {
                        // As a savepoint dropped: rolled back (and released) still.
                        let _ = run("ROLLBACK TO burenlijn_job").and_then(|()| run("RELEASE burenlijn_job"));
                        deliver(Some(e.to_string()));
                        continue;
                    }
                    done.push(deliver);
                }
                Err(e) => job(None).1(Some(e.to_string())),
            }
        }
        let commit = tx.commit().err().map(|e| e.to_string());
        for deliver in done {
            deliver(commit.clone());
        }
    }

    /// Copies the whole database to `dest` with SQLite's online backup, while others keep
    /// reading and writing; then checks the copy.
    pub fn backup_to(&self, dest: &Path) -> anyhow::Result<()> {
        let conn = self.conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut target = Connection::open(dest).with_context(|| format!("cannot create {}", dest.display()))?;
        {
            let backup = rusqlite::backup::Backup::new(&conn, &mut target)?;
            backup.run_to_completion(256, std::time::Duration::from_millis(2), None)?;
        }
        let check: String = target.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        if check != "ok" {
            anyhow::bail!("the backup in {} does not pass SQLite's integrity check: {check}", dest.display());
        }
        Ok(())
    }

    /// Runs `f` for reading.
    pub fn read<T>(&self, f: impl FnOnce(&Connection) -> anyhow::Result<T>) -> anyhow::Result<T> {
        let conn = self.conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&conn)
    }
}

impl Store {
    /// Runs `f` on a free read-only connection (each sees every committed write); when
    /// all are busy, waits for one in turn.
    pub fn read_only<T>(&self, f: impl FnOnce(&Connection) -> anyhow::Result<T>) -> anyhow::Result<T> {
        for reader in &self.readers {
            if let Ok(conn) = reader.try_lock() {
                return f(&conn);
            }
        }
        let i = self.next_reader.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % self.readers.len();
        let conn = self.readers[i].lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&conn)
    }
}

/// Hands a write job's result on once its batch has committed (or with the commit's error).
type Deliver = Box<dyn FnOnce(Option<String>) + Send>;
/// A write job: runs on a savepoint's connection (`None`: there is none, the job only
/// delivers the error) and says whether it succeeded.
type WriteJob = Box<dyn FnOnce(Option<&Connection>) -> (bool, Deliver) + Send>;

enum Job {
    /// Anything: runs alone, and does its own transactions.
    Any(Box<dyn FnOnce(&Store) + Send>),
    /// One write transaction, grouped with the others waiting.
    Write(WriteJob),
}

/// Write jobs grouped into one commit at most.
pub const MAX_BATCH: usize = 64;

/// One thread that owns the database for the web service: webhooks hand it their work
/// and await the answer, so the async runtime never blocks and many webhooks at once do
/// not fight over a lock. Write jobs waiting together are committed together (group
/// commit): each in a savepoint of its own, so each is still all-or-nothing and they run
/// one after the other, but they share one commit and one wait for the disk.
#[derive(Clone)]
pub struct Worker {
    jobs: std::sync::mpsc::Sender<Job>,
}

impl Worker {
    pub fn start(store: std::sync::Arc<Store>) -> Worker {
        let (jobs, queue) = std::sync::mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("burenlijn-store".into())
            .spawn(move || {
                let mut next = None;
                loop {
                    let job = match next.take() {
                        Some(job) => job,
                        None => match queue.recv() {
                            Ok(job) => job,
                            Err(_) => return,
                        },
                    };
                    match job {
                        Job::Any(job) => job(&store),
                        Job::Write(first) => {
                            let mut batch = vec![first];
                            while batch.len() < MAX_BATCH {
                                match queue.try_recv() {
                                    Ok(Job::Write(job)) => batch.push(job),
                                    // Runs after this batch, in the order it came.
                                    Ok(other) => {
                                        next = Some(other);
                                        break;
                                    }
                                    Err(_) => break,
                                }
                            }
                            store.write_batch(batch);
                        }
                    }
                }
            })
            .expect("the store thread starts");
        Worker { jobs }
    }

    /// Runs `f` in a write transaction of its own on the store's thread, grouped with the
    /// other write jobs waiting (see `Worker`): all of it is stored, or none, and the
    /// result comes back only once it is committed.
    pub async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> anyhow::Result<T> + Send + 'static,
    ) -> anyhow::Result<T> {
        let (tx, rx) = tokio::sync::oneshot::channel::<anyhow::Result<T>>();
        let job: WriteJob = Box::new(move |conn| {
            let result = match conn {
                Some(conn) => f(conn),
                None => Err(anyhow::anyhow!("no transaction could be started")),
            };
            let ok = result.is_ok();
            let deliver: Deliver = Box::new(move |commit_error| {
                let _ = tx.send(match (result, commit_error) {
                    (Ok(value), None) => Ok(value),
                    (Ok(_), Some(e)) => Err(anyhow::anyhow!("the database could not store this: {e}")),
                    (Err(e), _) => Err(e),
                });
            });
            (ok, deliver)
        });
        self.jobs.send(Job::Write(job)).map_err(|_| anyhow::anyhow!("the store thread has stopped"))?;
        rx.await.map_err(|_| anyhow::anyhow!("the store thread dropped a job"))?
    }

    /// Runs `f` on the store's thread.
    pub async fn run<T: Send + 'static>(&self, f: impl FnOnce(&Store) -> T + Send + 'static) -> anyhow::Result<T> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.jobs
            .send(Job::Any(Box::new(move |store| {
                let _ = tx.send(f(store));
            })))
            .map_err(|_| anyhow::anyhow!("the store thread has stopped"))?;
        rx.await.map_err(|_| anyhow::anyhow!("the store thread dropped a job"))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    /// Write jobs waiting together share one commit; the one that fails loses only its own
    /// writes and gets its own error.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_batch_with_a_failing_job_commits_the_others() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(super::Store::open(&dir.path().join("t.db")).unwrap());
        store.write(|tx| Ok(tx.execute_batch("CREATE TABLE t (x INTEGER NOT NULL)")?)).unwrap();
        let worker = super::Worker::start(store.clone());
        // Hold the store's thread so the writes below queue up and form one batch.
        let (release, held) = std::sync::mpsc::channel::<()>();
        let holder = worker.clone();
        let hold = tokio::spawn(async move { holder.run(move |_| held.recv().unwrap()).await });
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let insert = |x: i64, fail: bool| {
            let worker = worker.clone();
            tokio::spawn(async move {
                worker
                    .write(move |tx| {
                        tx.execute("INSERT INTO t (x) VALUES (?1)", [x])?;
                        if fail {
                            anyhow::bail!("job {x} refused");
                        }
                        Ok(x)
                    })
                    .await
            })
        };
        let jobs = [insert(1, false), insert(2, true), insert(3, false)];
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        release.send(()).unwrap();
        hold.await.unwrap().unwrap();
        let mut results = Vec::new();
        for job in jobs {
            results.push(job.await.unwrap().map_err(|e| e.to_string()));
        }
        assert_eq!(results, vec![Ok(1), Err("job 2 refused".to_string()), Ok(3)]);
        let stored: Vec<i64> = store
            .read(|c| {
                let mut stmt = c.prepare("SELECT x FROM t ORDER BY x")?;
                let rows = stmt.query_map([], |r| r.get(0))?.collect::<Result<Vec<i64>, _>>()?;
                Ok(rows)
            })
            .unwrap();
        assert_eq!(stored, vec![1, 3], "the failing job's own insert is rolled back, the others are committed");
    }

    #[test]
    fn migrations_are_valid() {
        super::migrations().validate().unwrap();
    }

    #[test]
    fn rebuilding_the_calls_table_keeps_every_call_and_what_refers_to_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        let mut conn = rusqlite::Connection::open(&path).unwrap();
        conn.pragma_update(None, "foreign_keys", "ON").unwrap();
        super::migrations().to_version(&mut conn, 7).unwrap();
        conn.execute_batch(
            "INSERT INTO calls (call_sid, dialplan_number, phase, outcome, started_at, ended_at, seq) VALUES ('CA1', '+31850000000', 'ended', 'matched', 10, 20, 3);
             INSERT INTO attempts (call_sid, attempt, helper_phone, helper_first_name, started_at) VALUES ('CA1', 1, '+31612345678', 'Anja', 11);
             INSERT INTO follow_ups (call_sid, reason, created_at) VALUES ('CA1', 'unmatched', 20);",
        )
        .unwrap();
        drop(conn);
        // As the service opens it: foreign keys off while migrating, checked by 008.
        let store = super::Store::open(&path).unwrap();
        let (outcome, attempts, follow_ups) = store
            .read(|c| {
                Ok(c.query_row(
                    "SELECT outcome, (SELECT count(*) FROM attempts), (SELECT count(*) FROM follow_ups) FROM calls",
                    [],
                    |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?)),
                )?)
            })
            .unwrap();
        assert_eq!((outcome.as_str(), attempts, follow_ups), ("matched", 1, 1));
        store
            .write(|tx| {
                tx.execute("UPDATE calls SET outcome = 'unconfirmed' WHERE call_sid = 'CA1'", [])?;
                // The other tables still refer to the rebuilt one: deleting cascades.
                tx.execute("DELETE FROM calls WHERE call_sid = 'CA1'", [])?;
                Ok(())
            })
            .unwrap();
        let left =
            store.read(|c| Ok(c.query_row("SELECT count(*) FROM attempts", [], |r| r.get::<_, i64>(0))?)).unwrap();
        assert_eq!(left, 0, "foreign keys are on again, and point at the rebuilt table");
    }

    #[test]
    fn voicemails_left_before_the_provider_jobs_are_fetched_too() {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        super::migrations().to_version(&mut conn, 5).unwrap();
        conn.execute_batch(
            "INSERT INTO calls (call_sid, dialplan_number, phase, started_at, seq) VALUES ('CA1', '+31850000000', 'ended', 10, 1);
             INSERT INTO voicemails (call_sid, recording_url, duration_seconds, created_at) VALUES ('CA1', 'https://x/Recordings/RE1', 5, 20);",
        )
        .unwrap();
        super::migrations().to_latest(&mut conn).unwrap();
        let job: (String, String, String, i64) = conn
            .query_row("SELECT kind, target, call_sid, next_try_at FROM provider_jobs", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .unwrap();
        assert_eq!(job, ("fetch-recording".into(), "https://x/Recordings/RE1".into(), "CA1".into(), 20));
    }

    /// Issue 26 §5: migration 020 gives the call-back requests their one name and keeps
    /// every request, what it refers to and its indexes.
    #[test]
    fn migration_020_renames_the_call_back_requests_and_keeps_them() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = rusqlite::Connection::open(dir.path().join("old.db")).unwrap();
        super::migrations().to_version(&mut conn, 19).unwrap();
        conn.execute_batch(
            "INSERT INTO participants (id, name, phone, street, created_at, updated_at) VALUES (1, 'Anja', '+31612345678', 'Kerkstraat', 1, 1);
             INSERT INTO open_requests (id, dialplan_number, participant_id, phone, category, status, created_at, open_until, next_try_at)
               VALUES (4, '+31850000000', 1, '+31612345678', 'shopping', 'open', 1, 100, 2);",
        )
        .unwrap();
        super::migrations().to_latest(&mut conn).unwrap();
        let kept: (i64, String, i64) = conn
            .query_row("SELECT id, status, participant_id FROM callback_requests", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .unwrap();
        assert_eq!(kept, (4, "open".to_string(), 1));
        let indexes: Vec<String> = conn
            .prepare(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'callback_requests' ORDER BY name",
            )
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(indexes, ["callback_requests_by_call", "callback_requests_by_search", "callback_requests_due"]);
        conn.execute("DELETE FROM participants WHERE id = 1", []).unwrap();
        let orphan: Option<i64> =
            conn.query_row("SELECT participant_id FROM callback_requests WHERE id = 4", [], |r| r.get(0)).unwrap();
        assert_eq!(orphan, None, "the foreign key still sets NULL");
    }

    /// Issue 26: migration 019 stores each call's kind, from what its id told before (a
    /// call-back search's `CB…`, a round's `GM…` with its morning), and keeps every call,
    /// what refers to it, and the indexes; `phase` and `outcome` take any word afterwards.
    #[test]
    fn migration_019_stores_the_kind_each_call_had_by_its_id() {
        use crate::domain::call::CallKind;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        let mut conn = rusqlite::Connection::open(&path).unwrap();
        super::migrations().to_version(&mut conn, 18).unwrap();
        conn.execute_batch(
            "INSERT INTO participants (id, name, phone, street, created_at, updated_at) VALUES (1, 'Anja', '+31612345678', 'Kerkstraat', 1, 1);
             INSERT INTO round_mornings (id, resident_id, date, dialplan_number, stage, started_at) VALUES (7, 1, '2026-12-01', '+31850000000', 'desk-alerted', 5);
             INSERT INTO calls (call_sid, dialplan_number, from_number, caller_id, category, phase, ended_from, outcome, menu_rounds, attempts, started_at, search_started_at, ended_at, seq, menu_repeats, language, neighbourhood)
               VALUES ('CA1', '+31850000000', '+31612345678', 1, 'shopping', 'ended', 'ringing', 'matched', 1, 2, 10, 12, 20, 3, 1, 'en', 'example');
             INSERT INTO calls (call_sid, dialplan_number, caller_id, category, phase, ended_from, outcome, started_at, ended_at, seq)
               VALUES ('CB00000000000000010000000000003e9', '+31850000000', 1, 'shopping', 'ended', 'ringing', 'unmatched', 30, 40, 1);
             INSERT INTO calls (call_sid, dialplan_number, caller_id, phase, outcome, started_at, ended_at, seq)
               VALUES ('GM0000000000000007', '+31850000000', 1, 'ended', 'round', 50, 60, 0);
             INSERT INTO attempts (call_sid, attempt, helper_phone, helper_first_name, started_at) VALUES ('CA1', 1, '+31687654321', 'Piet', 11);
             INSERT INTO follow_ups (call_sid, reason, created_at, urgent) VALUES ('GM0000000000000007', 'round', 60, 1);",
        )
        .unwrap();
        let before: String = conn
            .query_row("SELECT group_concat(quote(call_sid) || ' ' || quote(dialplan_number) || ' ' || quote(from_number) || ' ' || quote(caller_id) || ' ' || quote(category) || ' ' || quote(phase) || ' ' || quote(ended_from) || ' ' || quote(outcome) || ' ' || menu_rounds || ' ' || attempts || ' ' || started_at || ' ' || quote(search_started_at) || ' ' || quote(ended_at) || ' ' || seq || ' ' || quote(language) || ' ' || quote(neighbourhood) || ' ' || menu_repeats, '; ') FROM (SELECT * FROM calls ORDER BY call_sid)", [], |r| r.get(0))
            .unwrap();
        drop(conn);
        // As the service opens it: foreign keys off while migrating, checked by 019.
        let store = super::Store::open(&path).unwrap();
        store
            .read(|c| {
                let after: String = c.query_row("SELECT group_concat(quote(call_sid) || ' ' || quote(dialplan_number) || ' ' || quote(from_number) || ' ' || quote(caller_id) || ' ' || quote(category) || ' ' || quote(phase) || ' ' || quote(ended_from) || ' ' || quote(outcome) || ' ' || menu_rounds || ' ' || attempts || ' ' || started_at || ' ' || quote(search_started_at) || ' ' || quote(ended_at) || ' ' || seq || ' ' || quote(language) || ' ' || quote(neighbourhood) || ' ' || menu_repeats, '; ') FROM (SELECT * FROM calls ORDER BY call_sid)", [], |r| r.get(0))?;
                assert_eq!(after, before, "every column of every call is kept");
                let kinds: Vec<(String, CallKind, Option<i64>)> = super::calls::log(c, 10)?
                    .into_iter()
                    .map(|l| (l.call_sid, l.kind, l.morning_id))
                    .collect();
                assert_eq!(
                    kinds,
                    [
                        ("GM0000000000000007".to_string(), CallKind::Round, Some(7)),
                        ("CB00000000000000010000000000003e9".to_string(), CallKind::CallbackSearch, None),
                        ("CA1".to_string(), CallKind::Incoming, None),
                    ]
                );
                assert_eq!(super::calls::load(c, "CB00000000000000010000000000003e9")?.unwrap().kind, CallKind::CallbackSearch);
                let indexes: Vec<String> = c
                    .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'calls' AND name NOT LIKE 'sqlite_%' ORDER BY name")?
                    .query_map([], |r| r.get(0))?
                    .collect::<Result<_, _>>()?;
                assert_eq!(indexes, ["calls_awaiting_bridge", "calls_by_caller", "calls_by_from", "calls_by_morning", "calls_by_start", "calls_open"]);
                Ok(())
            })
            .unwrap();
        store
            .write(|tx| {
                // No CHECK list: a word is checked by its enum when read.
                tx.execute(
                    "UPDATE calls SET phase = 'transferred', outcome = 'helped-later' WHERE call_sid = 'CA1'",
                    [],
                )?;
                // What refers to the calls still does: deleting cascades, a morning's going
                // leaves its alert without one.
                tx.execute("DELETE FROM round_mornings WHERE id = 7", [])?;
                tx.execute("DELETE FROM calls WHERE call_sid IN ('CA1', 'GM0000000000000007')", [])?;
                let left: (i64, i64) = tx.query_row(
                    "SELECT (SELECT count(*) FROM attempts), (SELECT count(*) FROM follow_ups)",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )?;
                assert_eq!(left, (0, 0));
                Ok(())
            })
            .unwrap();
    }

    /// An unknown kind (a newer version's, a hand edit) is an error that names it.
    #[test]
    fn an_unknown_stored_kind_is_an_error_that_names_it() {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        super::migrations().to_latest(&mut conn).unwrap();
        conn.execute(
            "INSERT INTO calls (call_sid, dialplan_number, phase, started_at, seq, kind) VALUES ('CA1', '+31850000000', 'menu', 10, 1, 'conference')",
            [],
        )
        .unwrap();
        let load = super::calls::load(&conn, "CA1").unwrap_err().to_string();
        assert!(load.contains("unknown calls.kind 'conference'") && load.contains("CA1"), "{load}");
        let row = format!("{:#}", super::calls::row(&conn, "CA1").unwrap_err());
        assert!(row.contains("unknown calls.kind 'conference'"), "{row}");
    }

    /// Issue 26: a call from before migration 018 has no neighbourhood (its readers ask the
    /// dialplans); a new call keeps the one it started in, and reads it back.
    #[test]
    fn a_call_keeps_the_neighbourhood_it_started_in() {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        super::migrations().to_version(&mut conn, 17).unwrap();
        conn.execute(
            "INSERT INTO calls (call_sid, dialplan_number, phase, started_at, seq) VALUES ('CAold', '+31850000000', 'ended', 10, 1)",
            [],
        )
        .unwrap();
        super::migrations().to_latest(&mut conn).unwrap();
        let now = jiff::Timestamp::from_second(20).unwrap();
        let call = super::calls::StoredCall {
            call_sid: "CAnew".into(),
            dialplan_number: "+31850000000".into(),
            neighbourhood: Some("dorp-a".into()),
            from: None,
            caller_id: None,
            kind: crate::domain::call::CallKind::Incoming,
            state: crate::domain::call::CallState::new(now),
            seq: 1,
        };
        assert!(super::calls::insert(&conn, &call, "<Response/>").unwrap());
        let loaded = super::calls::load(&conn, "CAnew").unwrap().unwrap();
        assert_eq!(loaded.neighbourhood.as_deref(), Some("dorp-a"));
        let log = super::calls::log(&conn, 10).unwrap();
        let keys: Vec<(&str, Option<&str>)> =
            log.iter().map(|c| (c.call_sid.as_str(), c.neighbourhood.as_deref())).collect();
        assert_eq!(keys, [("CAnew", Some("dorp-a")), ("CAold", None)]);
        let only_a = super::calls::log_on(&conn, Some(("dorp-a", "+31859999999")), 10).unwrap();
        assert_eq!(only_a.iter().map(|c| c.call_sid.as_str()).collect::<Vec<_>>(), ["CAnew"]);
    }
}
