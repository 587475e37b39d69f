//! The register's use cases, for the desk's pages and the command line: search, find,
//! add, change, pause, notes, "do not pair", erase, export and import. Each one sees only
//! the participants its account may see (the `Scope` is part of every query), and each
//! change, and each view the log has always kept, writes its own audit entry in the name
//! of who acts.

#[path = "participants_change.rs"]
mod change;
#[path = "participants_marks.rs"]
mod marks;
#[path = "participants_read.rs"]
mod read;

pub use self::change::*;
pub use self::read::*;

pub use crate::domain::participant::Participant;
pub use crate::store::accounts::AuditEntry;
pub use crate::store::calls::CallRow;
pub use crate::store::desk::{Note, StepRow};
pub use crate::store::participants::{Imported, Saved, UpdateError};
pub use crate::store::round::Resident;

#[cfg(test)]
#[path = "participants_tests.rs"]
mod tests;
