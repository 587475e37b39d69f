//! For the switchboard's own unit tests: a `Switchboard` on a real SQLite file in a
//! temporary directory, with the example neighbourhood and its example register, on a
//! simulated clock, without the provider's REST API.

use std::sync::Arc;

use super::{Settings, Switchboard};
use crate::clock::{Clock, SimClock};
use crate::config::{Neighbourhoods, EXAMPLE_PARTICIPANTS};
use crate::store::{participants, Store};

/// Tuesday 24 November 2026, 10:15 in Amsterdam: inside the example's ringing hours and
/// the desk's office hours.
pub const TUESDAY_MORNING: &str = "2026-11-24T10:15:00+01:00";

pub struct TestSwitchboard {
    pub sb: Switchboard,
    pub clock: Arc<SimClock>,
    _dir: tempfile::TempDir,
}

impl std::ops::Deref for TestSwitchboard {
    type Target = Switchboard;
    fn deref(&self) -> &Switchboard {
        &self.sb
    }
}

/// A switchboard in `waves` (or else `dial`) mode at `at`, with the example register.
pub fn switchboard(waves: bool, at: &str) -> TestSwitchboard {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(&dir.path().join("test.db")).unwrap());
    let hoods = if waves { Neighbourhoods::embedded_in_waves() } else { Neighbourhoods::embedded() };
    let clock = Arc::new(SimClock::new(at.parse().unwrap()));
    let now = clock.now();
    let categories = hoods.categories();
    let keys = hoods.keys();
    let names = hoods.category_names();
    let languages = hoods.language_keys();
    let known =
        crate::registry::Known { categories: &categories, neighbourhoods: &keys, names: &names, languages: &languages };
    let rows = crate::registry::parse(EXAMPLE_PARTICIPANTS, &known).unwrap();
    let only = hoods.only().map(str::to_string);
    store
        .write(|tx| {
            for row in &rows {
                participants::upsert(tx, &row.details, now)?;
            }
            if let Some(key) = &only {
                participants::join_all_without(tx, key)?;
            }
            Ok(())
        })
        .unwrap();
    let settings = Settings {
        neighbourhoods: hoods,
        public_url: "http://switchboard.test".into(),
        clock: clock.clone(),
        retention_months: 0,
        rest: None,
        recordings: None,
        created_call_fallback: None,
    };
    TestSwitchboard { sb: Switchboard::new(store, settings), clock, _dir: dir }
}

/// A REST client that is never reached (nothing is dispatched in these tests): only so that
/// the use cases that need the provider's REST API decide what to ask of it.
pub fn rest_never_reached() -> Arc<crate::provider::Client> {
    Arc::new(crate::provider::Client::never_reached())
}

/// A participant of the example register, by number.
pub fn participant(sb: &Switchboard, number: &str) -> crate::domain::participant::Participant {
    let phone = crate::domain::phone::PhoneNumber::parse(number).unwrap();
    sb.store.write(|tx| participants::find_by_phone(tx, &phone)).unwrap().expect("in the example register")
}

/// Stores a caller's call on the example number, in `phase`, asking for `category`: as a
/// call's first webhook would have left it.
pub fn stored_call(
    tx: &rusqlite::Connection,
    sid: &str,
    from: &str,
    category: &str,
    phase: crate::domain::call::Phase,
    now: jiff::Timestamp,
) -> crate::store::calls::StoredCall {
    let mut state = crate::domain::call::CallState::new(now);
    state.category = Some(category.to_string());
    state.search_started_at = Some(now);
    state.phase = phase;
    let call = crate::store::calls::StoredCall {
        call_sid: sid.to_string(),
        dialplan_number: "+31850000000".into(),
        neighbourhood: Some("example".into()),
        from: Some(crate::domain::phone::PhoneNumber::parse(from).unwrap()),
        caller_id: None,
        kind: crate::domain::call::CallKind::Incoming,
        state,
        seq: 1,
    };
    crate::store::calls::insert(tx, &call, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>").unwrap();
    crate::store::calls::save(tx, &call, &[], now).unwrap();
    call
}

/// The statements SQLite runs on `conn` while `f` runs, each by its SQL (not counting the
/// statements of triggers): to count what one transaction loads.
pub fn statements<T>(conn: &rusqlite::Connection, f: impl FnOnce() -> T) -> (T, Vec<String>) {
    use std::ffi::{c_char, c_int, c_uint, c_void, CStr};
    use std::sync::Mutex;
    unsafe extern "C" fn seen(_: c_uint, ctx: *mut c_void, _: *mut c_void, sql: *mut c_void) -> c_int {
        // SAFETY: `ctx` is the `Mutex` below, alive while tracing is on; `sql` is the
        // statement's text, NUL-terminated (SQLITE_TRACE_STMT).
        let (all, sql) = unsafe { (&*(ctx as *const Mutex<Vec<String>>), CStr::from_ptr(sql as *const c_char)) };
        let sql = sql.to_string_lossy();
        if !sql.starts_with("--") {
            all.lock().unwrap().push(sql.split_whitespace().collect::<Vec<_>>().join(" "));
        }
        0
    }
    let all = Mutex::new(Vec::new());
    let ctx = &all as *const Mutex<Vec<String>> as *mut c_void;
    // SAFETY: tracing is turned off again before `all` goes.
    unsafe {
        rusqlite::ffi::sqlite3_trace_v2(conn.handle(), rusqlite::ffi::SQLITE_TRACE_STMT as c_uint, Some(seen), ctx);
    }
    let out = f();
    unsafe {
        rusqlite::ffi::sqlite3_trace_v2(conn.handle(), 0, None, std::ptr::null_mut());
    }
    (out, all.into_inner().unwrap())
}
