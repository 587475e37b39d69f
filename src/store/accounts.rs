//! Desk accounts, sessions and the audit log.

use jiff::Timestamp;
use rusqlite::{params, Connection, OptionalExtension};

use crate::domain::audit::{AuditAction, AuditKind, Recorded};
use crate::domain::desk::Role;

#[derive(Clone, Debug)]
pub struct User {
    pub id: i64,
    pub name: String,
    pub role: Role,
    pub password_hash: String,
    pub language: String,
    pub disabled: bool,
    /// The neighbourhoods (keys) this account is limited to, sorted; empty: all of them.
    pub neighbourhoods: Vec<String>,
}

const USER_COLUMNS: &str = "u.id, u.name, u.role, u.password_hash, u.language, u.disabled_at IS NOT NULL,
    (SELECT group_concat(n.neighbourhood, ';') FROM (SELECT neighbourhood FROM desk_user_neighbourhoods WHERE user_id = u.id ORDER BY neighbourhood) n)";

fn user_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<User> {
    Ok(User {
        id: r.get(0)?,
        name: r.get(1)?,
        role: Role::parse(&r.get::<_, String>(2)?).unwrap_or(Role::Desk),
        password_hash: r.get(3)?,
        language: r.get(4)?,
        disabled: r.get(5)?,
        neighbourhoods: r
            .get::<_, Option<String>>(6)?
            .unwrap_or_default()
            .split(';')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
    })
}

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("there is already a user called '{0}'")]
    Exists(String),
    #[error("there is no user called '{0}'")]
    Unknown(String),
    #[error(transparent)]
    Db(#[from] rusqlite::Error),
}

/// Adds an account, limited to `neighbourhoods` (none: all of them).
pub fn add_user(
    conn: &Connection,
    name: &str,
    role: Role,
    password_hash: &str,
    neighbourhoods: &[String],
    now: Timestamp,
) -> Result<i64, AccountError> {
    let exists: Option<i64> =
        conn.query_row("SELECT id FROM desk_users WHERE name = ?1", [name], |r| r.get(0)).optional()?;
    if exists.is_some() {
        return Err(AccountError::Exists(name.to_string()));
    }
    conn.execute(
        "INSERT INTO desk_users (name, role, password_hash, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![name, role.as_str(), password_hash, now.as_second()],
    )?;
    let id = conn.last_insert_rowid();
    set_neighbourhoods(conn, id, neighbourhoods)?;
    Ok(id)
}

/// Sets a new password and ends the user's sessions everywhere.
pub fn set_password(conn: &Connection, name: &str, password_hash: &str) -> Result<(), AccountError> {
    let changed =
        conn.execute("UPDATE desk_users SET password_hash = ?2 WHERE name = ?1", params![name, password_hash])?;
    if changed == 0 {
        return Err(AccountError::Unknown(name.to_string()));
    }
    conn.execute("DELETE FROM desk_sessions WHERE user_id = (SELECT id FROM desk_users WHERE name = ?1)", [name])?;
    Ok(())
}

pub fn set_disabled(conn: &Connection, id: i64, disabled: bool, now: Timestamp) -> anyhow::Result<bool> {
    let at = disabled.then_some(now.as_second());
    let changed = conn.execute("UPDATE desk_users SET disabled_at = ?2 WHERE id = ?1", params![id, at])?;
    conn.execute("DELETE FROM desk_sessions WHERE user_id = ?1", [id])?;
    Ok(changed > 0)
}

pub fn set_role(conn: &Connection, id: i64, role: Role) -> anyhow::Result<bool> {
    Ok(conn.execute("UPDATE desk_users SET role = ?2 WHERE id = ?1", params![id, role.as_str()])? > 0)
}

pub fn set_language(conn: &Connection, id: i64, language: &str) -> anyhow::Result<()> {
    conn.execute("UPDATE desk_users SET language = ?2 WHERE id = ?1", params![id, language])?;
    Ok(())
}

pub fn find_user(conn: &Connection, name: &str) -> anyhow::Result<Option<User>> {
    let sql = format!("SELECT {USER_COLUMNS} FROM desk_users u WHERE u.name = ?1");
    Ok(conn.query_row(&sql, [name.trim()], user_row).optional()?)
}

pub fn users(conn: &Connection) -> anyhow::Result<Vec<User>> {
    let sql = format!("SELECT {USER_COLUMNS} FROM desk_users u ORDER BY u.name");
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map([], user_row)?.collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Coordinators of all neighbourhoods who can still log in: they manage the accounts, so
/// the last one cannot be disabled, demoted or limited.
pub fn account_managers(conn: &Connection) -> anyhow::Result<i64> {
    Ok(conn.query_row(
        "SELECT count(*) FROM desk_users u WHERE u.role = 'coordinator' AND u.disabled_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM desk_user_neighbourhoods n WHERE n.user_id = u.id)",
        [],
        |r| r.get(0),
    )?)
}

/// Limits an account to `neighbourhoods` (none: all of them). Its sessions go on: every
/// request reads the account again, so the new limit holds from the next page on.
pub fn set_neighbourhoods(conn: &Connection, id: i64, neighbourhoods: &[String]) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM desk_user_neighbourhoods WHERE user_id = ?1", [id])?;
    for key in neighbourhoods {
        conn.execute(
            "INSERT OR IGNORE INTO desk_user_neighbourhoods (user_id, neighbourhood) VALUES (?1, ?2)",
            params![id, key],
        )?;
    }
    Ok(())
}

/// A session, as found by its token's hash.
#[derive(Clone, Debug)]
pub struct Session {
    pub user: User,
    pub csrf: String,
    pub created_at: i64,
    pub last_seen_at: i64,
}

pub fn create_session(
    conn: &Connection,
    token_hash: &str,
    user_id: i64,
    csrf: &str,
    now: Timestamp,
) -> anyhow::Result<()> {
    conn.execute(
        "INSERT INTO desk_sessions (token_hash, user_id, csrf, created_at, last_seen_at) VALUES (?1, ?2, ?3, ?4, ?4)",
        params![token_hash, user_id, csrf, now.as_second()],
    )?;
    Ok(())
}

pub fn session(conn: &Connection, token_hash: &str) -> anyhow::Result<Option<Session>> {
    let sql = format!(
        "SELECT {USER_COLUMNS}, s.csrf, s.created_at, s.last_seen_at FROM desk_sessions s JOIN desk_users u ON u.id = s.user_id WHERE s.token_hash = ?1"
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([token_hash], |r| {
            Ok(Session { user: user_row(r)?, csrf: r.get(7)?, created_at: r.get(8)?, last_seen_at: r.get(9)? })
        })
        .optional()?)
}

pub fn touch_session(conn: &Connection, token_hash: &str, now: Timestamp) -> anyhow::Result<()> {
    conn.prepare_cached("UPDATE desk_sessions SET last_seen_at = ?2 WHERE token_hash = ?1")?
        .execute(params![token_hash, now.as_second()])?;
    Ok(())
}

pub fn delete_session(conn: &Connection, token_hash: &str) -> anyhow::Result<()> {
    conn.execute("DELETE FROM desk_sessions WHERE token_hash = ?1", [token_hash])?;
    Ok(())
}

/// Removes sessions idle since `idle_before` or started before `started_before`.
pub fn purge_sessions(conn: &Connection, idle_before: Timestamp, started_before: Timestamp) -> anyhow::Result<usize> {
    Ok(conn.execute(
        "DELETE FROM desk_sessions WHERE last_seen_at < ?1 OR created_at < ?2",
        params![idle_before.as_second(), started_before.as_second()],
    )?)
}

/// One line of the audit log.
#[derive(Clone, Debug)]
pub struct AuditEntry {
    pub id: i64,
    pub at: Timestamp,
    pub user_name: String,
    /// The action and its detail, or as stored when this version cannot read them.
    pub recorded: Recorded,
    pub participant_id: Option<i64>,
    /// The participant's name, while they are registered.
    pub participant_name: Option<String>,
}

/// Which audit entries to show.
#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    pub participant: Option<i64>,
    pub user_name: Option<String>,
    /// Entries in `[from, until)`.
    pub from: Option<Timestamp>,
    pub until: Option<Timestamp>,
    /// Only entries with an id below this (paging).
    pub before: Option<i64>,
}

pub fn audit(
    conn: &Connection,
    now: Timestamp,
    user_name: &str,
    action: &AuditAction,
    participant_id: Option<i64>,
) -> anyhow::Result<()> {
    conn.prepare_cached(
        "INSERT INTO audit_log (at, user_name, action, participant_id, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![now.as_second(), user_name, action.as_str(), participant_id, action.detail()])?;
    Ok(())
}

/// The newest entries the filter allows, newest first.
pub fn audit_log(conn: &Connection, filter: &AuditFilter, limit: u32) -> anyhow::Result<Vec<AuditEntry>> {
    let mut stmt = conn.prepare_cached(
        "SELECT a.id, a.at, a.user_name, a.action, a.participant_id, p.name, a.detail FROM audit_log a
         LEFT JOIN participants p ON p.id = a.participant_id
         WHERE (?1 IS NULL OR a.participant_id = ?1) AND (?2 IS NULL OR a.id < ?2) AND (?3 IS NULL OR a.user_name = ?3)
           AND (?4 IS NULL OR a.at >= ?4) AND (?5 IS NULL OR a.at < ?5)
         ORDER BY a.id DESC LIMIT ?6",
    )?;
    let rows = stmt
        .query_map(
            params![
                filter.participant,
                filter.before,
                filter.user_name,
                filter.from.map(|t| t.as_second()),
                filter.until.map(|t| t.as_second()),
                limit
            ],
            |r| {
                Ok(AuditEntry {
                    id: r.get(0)?,
                    at: Timestamp::from_second(r.get(1)?).unwrap_or(Timestamp::UNIX_EPOCH),
                    user_name: r.get(2)?,
                    recorded: Recorded::read(&r.get::<_, String>(3)?, &r.get::<_, String>(6)?),
                    participant_id: r.get(4)?,
                    participant_name: r.get(5)?,
                })
            },
        )?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// When `user_name` logged in before their current session, if ever.
pub fn previous_login(conn: &Connection, user_name: &str) -> anyhow::Result<Option<Timestamp>> {
    let at: Option<i64> = conn
        .prepare_cached(
            "SELECT at FROM audit_log WHERE user_name = ?1 AND action = ?2 ORDER BY id DESC LIMIT 1 OFFSET 1",
        )?
        .query_row(params![user_name, AuditKind::Login.as_str()], |r| r.get(0))
        .optional()?;
    Ok(at.and_then(|s| Timestamp::from_second(s).ok()))
}
