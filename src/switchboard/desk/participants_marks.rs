//! The coordinator's marks on a participant (issue 27): desk only, and experienced in some
//! kinds of help. Each change is its own audit entry.

use crate::domain::audit::AuditAction;
use crate::domain::participant::Say;
use crate::switchboard::desk::Act;

/// The coordinator's marks (issue 27), each change with its own audit entry.
pub(super) fn audit_marks(act: &Act<'_>, id: i64, before: &Say, after: Option<&Say>) -> anyhow::Result<()> {
    let Some(after) = after else { return Ok(()) };
    let desk_only =
        (after.desk_only != before.desk_only).then_some(AuditAction::SetDeskOnly { desk_only: after.desk_only });
    let kinds = (after.experienced != before.experienced).then(|| after.experienced.clone());
    let marked = kinds.map(|kinds| AuditAction::MarkedExperienced { kinds });
    desk_only.into_iter().chain(marked).try_for_each(|a| act.audit(&a, Some(id)))
}
