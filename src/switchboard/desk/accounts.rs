//! The desk accounts' use cases, for the Users and Audit log pages, the login and the
//! command line's `desk`: add an account, change its role, access, password or
//! neighbourhoods, log in and out, and read the audit log. Each change writes its own
//! audit entry in the name of who acts. The passwords are hashed and checked in
//! `switchboard::logins`.

use super::Act;
use crate::domain::audit::{AuditAction, Reach};
use crate::domain::desk::Role;
use crate::store::accounts as store;
use crate::switchboard::logins::{hash_password, Busy, Hasher};

pub use crate::store::accounts::{AccountError, AuditEntry, AuditFilter, User};

/// Hashes a new password on the service's one hasher thread (a burst of logins keeps it
/// busy: then this fails, and nothing is changed).
pub async fn hash_new_password(hasher: &Hasher, password: String) -> anyhow::Result<String> {
    match hasher.run(move || hash_password(&password)).await {
        Ok(hash) => hash,
        Err(Busy) => Err(anyhow::anyhow!("the password hasher is busy (a burst of logins)")),
    }
}

/// Every account, by name.
pub fn users(act: &Act<'_>) -> anyhow::Result<Vec<User>> {
    store::users(act.conn)
}

/// The account with this name (any case), if there is one.
pub fn find_user(act: &Act<'_>, name: &str) -> anyhow::Result<Option<User>> {
    store::find_user(act.conn, name)
}

/// Adds an account, limited to `neighbourhoods` (none: all of them); false when the name
/// is taken.
pub fn add_user(
    act: &Act<'_>,
    name: &str,
    role: Role,
    password_hash: &str,
    neighbourhoods: Vec<String>,
) -> anyhow::Result<bool> {
    match store::add_user(act.conn, name, role, password_hash, &neighbourhoods, act.now) {
        Ok(_) => {
            let action = AuditAction::AddedUser { name: name.to_string(), role, reach: Reach(neighbourhoods) };
            act.audit(&action, None)?;
            Ok(true)
        }
        Err(AccountError::Exists(_)) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// A change to someone's account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    MakeCoordinator,
    MakeDesk,
    Disable,
    Enable,
    /// A new password, hashed (`hash_new_password`); their sessions end.
    Password(String),
    /// Only these neighbourhoods (none: all of them).
    Neighbourhoods(Vec<String>),
}

/// What became of a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Changed {
    Done,
    /// It would leave nobody who manages the accounts (a coordinator of every
    /// neighbourhood who can log in): nothing was changed.
    LastCoordinator,
}

/// Changes `target`'s account.
pub fn change(act: &Act<'_>, target: &User, change: Change) -> anyhow::Result<Changed> {
    let c = act.conn;
    let (id, name) = (target.id, target.name.clone());
    // Someone must always be left who manages accounts: a coordinator of all.
    let manages = target.role == Role::Coordinator && !target.disabled && target.neighbourhoods.is_empty();
    let last = manages && store::account_managers(c)? <= 1;
    let what = match change {
        Change::MakeCoordinator => {
            store::set_role(c, id, Role::Coordinator)?;
            AuditAction::MadeCoordinator { name }
        }
        Change::MakeDesk | Change::Disable if last => return Ok(Changed::LastCoordinator),
        Change::MakeDesk => {
            store::set_role(c, id, Role::Desk)?;
            AuditAction::MadeDesk { name }
        }
        Change::Disable => {
            store::set_disabled(c, id, true, act.now)?;
            AuditAction::DisabledUser { name }
        }
        Change::Enable => {
            store::set_disabled(c, id, false, act.now)?;
            AuditAction::EnabledUser { name }
        }
        Change::Password(hash) => {
            store::set_password(c, &target.name, &hash)?;
            AuditAction::SetPassword { name }
        }
        Change::Neighbourhoods(limits) if last && !limits.is_empty() => return Ok(Changed::LastCoordinator),
        Change::Neighbourhoods(limits) => {
            store::set_neighbourhoods(c, id, &limits)?;
            AuditAction::SetNeighbourhoods { name, reach: Reach(limits) }
        }
    };
    act.audit(&what, None)?;
    Ok(Changed::Done)
}

/// The account that acts changes its own password (hashed); its other sessions end.
pub fn change_own_password(act: &Act<'_>, name: &str, password_hash: &str) -> anyhow::Result<()> {
    store::set_password(act.conn, name, password_hash)?;
    act.audit(&AuditAction::ChangedOwnPassword, None)
}

/// A new session for the account that acts, who just gave the right password: its token's
/// hash and its CSRF token.
pub fn log_in(act: &Act<'_>, user_id: i64, token_hash: &str, csrf: &str) -> anyhow::Result<()> {
    store::create_session(act.conn, token_hash, user_id, csrf, act.now)?;
    act.audit(&AuditAction::Login, None)
}

/// Ends the session with this token's hash.
pub fn log_out(act: &Act<'_>, token_hash: &str) -> anyhow::Result<()> {
    store::delete_session(act.conn, token_hash)
}

/// The language an account's pages are in.
pub fn set_language(act: &Act<'_>, user_id: i64, language: &str) -> anyhow::Result<()> {
    store::set_language(act.conn, user_id, language)
}

/// The audit log, newest first, at most `limit` entries.
pub fn audit_log(act: &Act<'_>, filter: &AuditFilter, limit: u32) -> anyhow::Result<Vec<AuditEntry>> {
    store::audit_log(act.conn, filter, limit)
}
