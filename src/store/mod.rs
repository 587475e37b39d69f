//! SQLite storage: the only module that holds SQL.
//!
//! One file, WAL mode, foreign keys on, embedded numbered migrations. Everything a call
//! needs between two webhooks is here, so a restart loses nothing. Calls run on a
//! thread of their own ([`Worker`]), never on the async runtime.

pub mod accounts;
pub mod callbacks;
pub mod calls;
pub mod desk;
pub mod participants;
pub mod provider_jobs;
pub mod synthetic;
pub mod waves;

use std::path::Path;
use std::sync::Mutex;

use anyhow::Context as _;
use rusqlite::{Connection, Transaction, TransactionBehavior};
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

// Call-back searches are `calls` rows of their own (`store::callbacks`, which re-exports
// these); they live here so that `provider_jobs` can tell them apart without a cycle.
/// How the `call_sid` of a call-back search begins (a real call's begins with `CA`).
pub const SEARCH_PREFIX: &str = "CB";

/// Whether a `calls` row is a call-back search rather than a call that came in.
pub fn is_search(call_sid: &str) -> bool {
    call_sid.starts_with(SEARCH_PREFIX)
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
    ])
}

impl Store {
    /// Opens (creating if needed) and migrates the database file.
    pub fn open(path: &Path) -> anyhow::Result<Store> {
        let mut conn = Connection::open(path).with_context(|| format!("cannot open database {}", path.display()))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        // Checkpoints run on a thread of their own (see `start_checkpointer`), not inside
        // whichever webhook's commit happens to fill the log.
        conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        migrations().to_latest(&mut conn).with_context(|| format!("cannot migrate database {}", path.display()))?;
        let mut readers = Vec::with_capacity(READERS);
        for _ in 0..READERS {
            let reader = Connection::open_with_flags(
                path,
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .with_context(|| format!("cannot open database {} for reading", path.display()))?;
            reader.busy_timeout(std::time::Duration::from_secs(5))?;
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

type Job = Box<dyn FnOnce(&Store) + Send>;

/// One thread that owns the database for the web service: webhooks hand it their work
/// and await the answer, so the async runtime never blocks and many webhooks at once do
/// not fight over a lock.
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
                for job in queue {
                    job(&store);
                }
            })
            .expect("the store thread starts");
        Worker { jobs }
    }

    /// Runs `f` on the store's thread.
    pub async fn run<T: Send + 'static>(&self, f: impl FnOnce(&Store) -> T + Send + 'static) -> anyhow::Result<T> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.jobs
            .send(Box::new(move |store| {
                let _ = tx.send(f(store));
            }))
            .map_err(|_| anyhow::anyhow!("the store thread has stopped"))?;
        rx.await.map_err(|_| anyhow::anyhow!("the store thread dropped a job"))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn migrations_are_valid() {
        super::migrations().validate().unwrap();
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
}
