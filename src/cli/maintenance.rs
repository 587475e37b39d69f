//! `backup` and `anonymise`: the database's upkeep from the command line.

use std::process::ExitCode;

use anyhow::bail;

use super::args::{AnonymiseArgs, BackupArgs};
use super::Settings;
use crate::switchboard::{upkeep, Store};

pub fn backup(BackupArgs { file, db }: BackupArgs, settings: &Settings) -> anyhow::Result<ExitCode> {
    let db = settings.db(db);
    if file.exists() && std::fs::canonicalize(&file).ok() == std::fs::canonicalize(&db).ok() {
        bail!("the backup file is the database itself");
    }
    let store = Store::open(&db)?;
    let (calls, people) = upkeep::backup(&store, &file)?;
    println!("backed up {} to {}: {calls} calls, {people} participants, integrity ok", db.display(), file.display());
    Ok(ExitCode::SUCCESS)
}

pub fn anonymise(
    AnonymiseArgs { older_than_months, db }: AnonymiseArgs,
    settings: &Settings,
) -> anyhow::Result<ExitCode> {
    let store = Store::open(&settings.db(db))?;
    let now = jiff::Timestamp::now();
    let before = crate::clock::months_before(now, older_than_months)?;
    let n = upkeep::anonymise(&store, before, now)?;
    println!("anonymised {n} calls older than {older_than_months} months");
    Ok(ExitCode::SUCCESS)
}
