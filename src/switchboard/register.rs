//! Importing the register without holding the phone line.
//!
//! Every change to the database goes through one writer, the same one the webhooks use.
//! A 55,000-row import written in one transaction held it for almost ten seconds: every
//! call waited. So a file is checked whole first (a bad row anywhere imports nothing),
//! then written in chunks of `CHUNK_ROWS`, each its own short job on the writer, with the
//! webhooks that arrived in the meantime going first. A file has at most `MAX_ROWS` rows.
//! Should the service stop halfway, importing the same file again finishes it: an import
//! adds who is new and updates who is there, by phone number.

use std::sync::Arc;

use jiff::Timestamp;

use super::Switchboard;
use crate::registry::Row;
use crate::store::participants::{self as store, Imported};
use crate::store::scope::Scope;

/// The most data rows one file may have. The largest schemes have a few hundred members.
pub const MAX_ROWS: usize = 10_000;
/// Rows written in one job on the writer.
pub const CHUNK_ROWS: usize = 200;
/// The row errors shown; the rest are counted.
pub const ERRORS_SHOWN: usize = 100;

/// The data rows in a CSV text (not counting the header), when there are more than
/// `MAX_ROWS`: the file is refused before anything else is read.
pub fn too_many_rows(csv_text: &str) -> Option<usize> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(csv_text.as_bytes());
    let mut record = csv::ByteRecord::new();
    let mut rows = 0;
    while let Ok(true) = reader.read_byte_record(&mut record) {
        rows += 1;
    }
    (rows > MAX_ROWS).then_some(rows)
}

/// What the import did, or the lines of people it may not change.
pub enum Outcome {
    Imported(Imported),
    /// These lines are people registered only in neighbourhoods the account cannot see;
    /// nothing was imported.
    Outside(Vec<u64>),
}

/// Who imports: a desk account (with its scope and its name for the audit log).
pub struct Importer {
    pub user: String,
    pub scope: Scope,
}

/// Writes checked rows in chunks on the writer, after a read that finds anyone the
/// account may not change (then nothing is written). The audit entry follows the last
/// chunk.
pub async fn import(
    sb: &Arc<Switchboard>,
    rows: Vec<Row>,
    assigned: Vec<(Vec<String>, bool)>,
    by: Importer,
    now: Timestamp,
) -> anyhow::Result<Outcome> {
    let (rows, assigned, scope) = (Arc::new(rows), Arc::new(assigned), Arc::new(by.scope));
    let (r, s, st) = (rows.clone(), scope.clone(), sb.store.clone());
    // On the read-only connection, not the writer.
    let outside = tokio::task::spawn_blocking(move || {
        st.read_only(|c| {
            let mut outside = Vec::new();
            for row in r.iter() {
                if let Some(p) = store::find_by_phone(c, &row.details.phone)? {
                    if !s.sees_member(&p.neighbourhoods) {
                        outside.push(row.line);
                    }
                }
            }
            Ok(outside)
        })
    })
    .await??;
    if !outside.is_empty() {
        return Ok(Outcome::Outside(outside));
    }
    let mut total = Imported::default();
    for start in (0..rows.len()).step_by(CHUNK_ROWS) {
        let end = (start + CHUNK_ROWS).min(rows.len());
        let (rows, assigned, scope) = (rows.clone(), assigned.clone(), scope.clone());
        let done = sb
            .worker
            .run(move |st| {
                st.write(|tx| {
                    // A limited account neither changes nor takes in someone registered only
                    // in a neighbourhood it cannot see, and leaves their memberships there alone.
                    let mut keyed = Vec::with_capacity(end - start);
                    for (row, (keys, replace)) in rows[start..end].iter().zip(&assigned[start..end]) {
                        match store::find_by_phone(tx, &row.details.phone)? {
                            Some(p) if !scope.sees_member(&p.neighbourhoods) => {
                                anyhow::bail!("line {}: moved out of reach during the import", row.line)
                            }
                            Some(p) if *replace => {
                                keyed.push((kept_with(keys.clone(), &p.neighbourhoods, &scope), true))
                            }
                            _ => keyed.push((keys.clone(), *replace)),
                        }
                    }
                    store::import(tx, crate::registry::with_assigned(&rows[start..end], &keyed), now)
                })
            })
            .await??;
        total.added += done.added;
        total.updated += done.updated;
    }
    let (added, updated, user) = (total.added, total.updated, by.user);
    sb.worker
        .run(move |st| {
            st.write(|tx| {
                crate::store::accounts::audit(
                    tx,
                    now,
                    &user,
                    &crate::domain::audit::AuditAction::ImportedParticipants { added, updated },
                    None,
                )
            })
        })
        .await??;
    Ok(Outcome::Imported(total))
}

/// The neighbourhoods a participant keeps after a change by an account with `scope`: the
/// ones chosen, and those the account cannot see (it can neither show nor take them away).
pub fn kept_with(chosen: Vec<String>, had: &[String], scope: &Scope) -> Vec<String> {
    let mut keys = chosen;
    keys.extend(had.iter().filter(|k| !scope.sees_key(k)).cloned());
    keys.sort();
    keys.dedup();
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_over_the_limit_is_counted_and_refused_before_it_is_read() {
        let header = "name,phone,offers,available,street,postcode,distance\n";
        let row = "Jan,0612345678,,,Kerkstraat,1234 AB,any\n";
        assert_eq!(too_many_rows(&format!("{header}{}", row.repeat(MAX_ROWS))), None);
        assert_eq!(too_many_rows(&format!("{header}{}", row.repeat(MAX_ROWS + 1))), Some(MAX_ROWS + 1));
        // A quoted field over two lines is one row.
        let quoted = format!("{header}{}", "\"Jan\nde Vries\",0612345678,,,Kerkstraat,1234 AB,any\n".repeat(MAX_ROWS));
        assert_eq!(too_many_rows(&quoted), None);
    }
}
