//! The database's upkeep from the command line: a backup checked by opening it, and
//! anonymising old calls in batches (the service does the same daily, `jobs`).

use std::path::Path;

use jiff::Timestamp;

use crate::store::{calls, Store};

/// Calls anonymised per transaction.
const ANONYMISE_BATCH: u32 = 1000;

/// Copies the database to `file` with SQLite's online backup, opens the copy (which checks
/// its integrity) and counts what it holds: (calls, participants).
pub fn backup(store: &Store, file: &Path) -> anyhow::Result<(i64, i64)> {
    store.backup_to(file)?;
    Store::open(file)?.read(calls::totals)
}

/// Anonymises every call that started before `before`; how many.
pub fn anonymise(store: &Store, before: Timestamp, now: Timestamp) -> anyhow::Result<usize> {
    calls::anonymise_all_before(store, before, now, ANONYMISE_BATCH)
}
