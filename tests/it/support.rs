//! `spawn_app()`: the real server on a free loopback port with a fresh database, the
//! example dialplan and test participants, and a simulated clock.

use burenlijn::config::Neighbourhoods;
use burenlijn::sim::emulator::CallReport;
use burenlijn::sim::people::{Line, Script};
use burenlijn::sim::Sandbox;
use burenlijn::store::calls::CallLog;
use jiff::Timestamp;

pub const SWITCHBOARD: &str = "+31850000000";
pub const JAN: &str = "+31201234567";
pub const ANJA: &str = "+31610000001";
pub const BERT: &str = "+31610000002";
pub const CARLA: &str = "+31610000003";
pub const DIRK: &str = "+31610000004";
pub const ELS: &str = "+31610000005";

/// Jan asks; Anja, Bert and Carla help with shopping; Dirk only with transport; Els only
/// on Saturday mornings.
pub const PARTICIPANTS: &str = "name,phone,offers,available,street,postcode,distance
Jan de Vries,020-1234567,,,Kerkstraat,1234 AB,any
Anja Bakker,06-10000001,shopping;company,mon-fri 09:00-17:00,Molenweg,1234 CD,any
Bert Jansen,06-10000002,shopping;transport,,Dorpsweg,1234 EF,any
Carla Smit,06-10000003,shopping,,Beukenlaan,1234 GH,any
Dirk Visser,06-10000004,transport,,Schoolstraat,1234 JK,any
Els de Boer,06-10000005,shopping,sat 10:00-12:00,Lindelaan,1234 LM,any
";

/// Tuesday morning, inside ringing and office hours.
pub const TUESDAY_MORNING: &str = "2026-11-24T10:15:00+01:00";
/// Saturday morning: helpers may be rung, the desk is closed.
pub const SATURDAY_MORNING: &str = "2026-11-28T11:00:00+01:00";

pub struct TestApp {
    pub sandbox: Sandbox,
}

/// The only (table, column) that `TestApp::snapshot` leaves out. `desk_sessions.last_seen_at`:
/// every request of a logged-in desk user, refused ones too, is activity that keeps the
/// session from expiring (src/web/desk/mod.rs touches it at most once a minute), so a
/// refused form moves it while it changes nothing else.
const NOT_IN_SNAPSHOTS: &[(&str, &str)] = &[("desk_sessions", "last_seen_at")];

pub async fn spawn_app() -> TestApp {
    spawn_app_at(TUESDAY_MORNING).await
}

pub async fn spawn_app_at(start: &str) -> TestApp {
    if std::env::var("TEST_LOG").is_ok() {
        let _ = tracing_subscriber::fmt().with_env_filter("debug").with_test_writer().try_init();
    }
    let start: Timestamp = start.parse().unwrap();
    let sandbox =
        Sandbox::start(None, Neighbourhoods::embedded(), start, Some(PARTICIPANTS.to_string())).await.unwrap();
    TestApp { sandbox }
}

impl TestApp {
    pub async fn call(&self, from: &str, mut script: Script) -> CallReport {
        self.sandbox.emulator.call(from, SWITCHBOARD, &mut script).await.unwrap()
    }

    pub async fn log_of(&self, report: &CallReport) -> CallLog {
        self.log_of_sid(&report.call_sid).await
    }

    pub async fn log_of_sid(&self, call_sid: &str) -> CallLog {
        self.sandbox.call_log(call_sid).await.unwrap().expect("the call is logged")
    }

    /// Every row of every table, as text: to show that something changed nothing. The
    /// tables come from `sqlite_master`, so a new table is covered without a word here.
    pub async fn snapshot(&self) -> String {
        let st = self.sandbox.state.clone();
        tokio::task::spawn_blocking(move || {
            st.switchboard.store
                .read(|c| {
                    let tables: Vec<String> = c
                        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT GLOB 'sqlite_*' ORDER BY name")?
                        .query_map([], |r| r.get(0))?
                        .collect::<Result<_, _>>()?;
                    assert!(tables.iter().any(|t| t == "calls"), "the schema's tables: {tables:?}");
                    let mut out = String::new();
                    for table in tables {
                        let mut stmt = c.prepare(&format!("SELECT * FROM \"{table}\" ORDER BY rowid"))?;
                        let columns: Vec<usize> = (0..stmt.column_count())
                            .filter(|&i| !NOT_IN_SNAPSHOTS.contains(&(table.as_str(), stmt.column_name(i).unwrap())))
                            .collect();
                        let rows = stmt.query_map([], |r| {
                            let mut cells = Vec::new();
                            for &i in &columns {
                                let v: rusqlite::types::Value = r.get(i)?;
                                cells.push(format!("{v:?}"));
                            }
                            Ok(cells.join("|"))
                        })?;
                        for row in rows {
                            out.push_str(&format!("{table}: {}\n", row?));
                        }
                    }
                    Ok(out)
                })
                .unwrap()
        })
        .await
        .unwrap()
    }

    /// Runs one SQL query that returns one text.
    pub async fn text(&self, sql: &'static str) -> String {
        let st = self.sandbox.state.clone();
        tokio::task::spawn_blocking(move || {
            st.switchboard.store.read(|c| Ok(c.query_row(sql, [], |r| r.get::<_, String>(0))?)).unwrap()
        })
        .await
        .unwrap()
    }

    /// Runs one SQL count.
    pub async fn count(&self, sql: &'static str) -> i64 {
        let st = self.sandbox.state.clone();
        tokio::task::spawn_blocking(move || {
            st.switchboard.store.read(|c| Ok(c.query_row(sql, [], |r| r.get::<_, i64>(0))?)).unwrap()
        })
        .await
        .unwrap()
    }
}

/// What the caller heard, one line each.
pub fn caller_heard(report: &CallReport) -> Vec<String> {
    report.lines.iter().filter_map(|l| if let Line::CallerHears(t) = l { Some(t.clone()) } else { None }).collect()
}

/// What helpers heard, with their numbers.
pub fn helpers_heard(report: &CallReport) -> Vec<(String, String)> {
    report
        .lines
        .iter()
        .filter_map(|l| {
            if let Line::HelperHears { number, text } = l {
                Some((number.clone(), text.clone()))
            } else {
                None
            }
        })
        .collect()
}

/// The numbers rung, in order.
pub fn rung(report: &CallReport) -> Vec<String> {
    report
        .lines
        .iter()
        .filter_map(|l| if let Line::Ringing { number } = l { Some(number.clone()) } else { None })
        .collect()
}

/// Asserts the attempts of a call: (helper's number, result), in order.
pub fn expect_attempts(log: &CallLog, expected: &[(&str, &str)]) {
    let want: Vec<(String, String)> = expected.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
    assert_eq!(attempts(log), want);
}

pub fn attempts(log: &CallLog) -> Vec<(String, String)> {
    log.attempts
        .iter()
        .map(|a| (a.phone.clone().unwrap_or_default(), a.result.clone().unwrap_or_else(|| "open".into())))
        .collect()
}

pub fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
    p.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

/// `dialplan` with each field set to its value: a path is `table.key` (`ringing.wave_size`)
/// or a top-level `key`. Panics, naming the path, when a field is not in the dialplan, so a
/// renamed field fails the test instead of leaving the plan as it was.
///
/// Only the field's own line is rewritten and every other line stays where it was, since
/// tests assert dialplan errors by line number. The result is checked against the parsed
/// TOML with the same fields set, so the edit changed those fields and nothing else.
pub fn edit_dialplan(dialplan: &str, fields: &[(&str, toml::Value)]) -> String {
    let mut expected: toml::Table = dialplan.parse().expect("the dialplan to edit is TOML");
    let mut lines: Vec<String> = dialplan.lines().map(str::to_string).collect();
    for (path, value) in fields {
        let (table, key) = path.rsplit_once('.').unwrap_or(("", path));
        let mut slot = &mut expected;
        for name in table.split('.').filter(|n| !n.is_empty()) {
            slot = slot
                .get_mut(name)
                .and_then(toml::Value::as_table_mut)
                .unwrap_or_else(|| panic!("the dialplan has no table [{name}] for the field `{path}`"));
        }
        *slot.get_mut(key).unwrap_or_else(|| panic!("the dialplan has no field `{path}`")) = value.clone();
        // The one line `key = ...` under the header `[table]` (top-level: before any header).
        let mut section = String::new();
        let at: Vec<usize> = (0..lines.len())
            .filter(|&i| {
                let line = lines[i].trim();
                if line.starts_with('[') {
                    section = line.trim_matches(|c| c == '[' || c == ']').trim().to_string();
                    return false;
                }
                section == table && line.split_once('=').is_some_and(|(k, _)| k.trim() == key)
            })
            .collect();
        let [i] = at[..] else { panic!("the dialplan has the field `{path}` on lines {at:?}, not on one line") };
        let indent = &lines[i][..lines[i].len() - lines[i].trim_start().len()];
        lines[i] = format!("{indent}{key} = {value}");
    }
    let mut edited = lines.join("\n");
    if dialplan.ends_with('\n') {
        edited.push('\n');
    }
    let parsed: toml::Table = edited.parse().unwrap_or_else(|e| panic!("the edited dialplan is not TOML: {e}"));
    assert_eq!(parsed, expected, "setting {fields:?} changed the dialplan otherwise");
    edited
}

/// The example neighbourhood ringing in waves of `wave_size`, with `edit` applied to its
/// dialplan; the emulator's REST API stands in for Twilio's.
pub async fn spawn_waves_app(wave_size: u32, edit: impl Fn(String) -> String) -> TestApp {
    spawn_waves_app_at(TUESDAY_MORNING, wave_size, edit).await
}

/// Tuesday evening: helpers may still be rung until 21:00, the desk is closed.
pub const TUESDAY_EVENING: &str = "2026-11-24T20:30:00+01:00";

pub async fn spawn_waves_app_at(start: &str, wave_size: u32, edit: impl Fn(String) -> String) -> TestApp {
    spawn_waves_app_through(Provider::Twilio, start, wave_size, edit).await
}

/// As `spawn_waves_app_at`, through `provider` (its emulator's REST API stands in for the
/// provider's).
pub async fn spawn_waves_app_through(
    provider: Provider,
    start: &str,
    wave_size: u32,
    edit: impl Fn(String) -> String,
) -> TestApp {
    if std::env::var("TEST_LOG").is_ok() {
        let _ = tracing_subscriber::fmt().with_env_filter("debug").with_test_writer().try_init();
    }
    let dir = tempfile::tempdir().unwrap();
    let in_waves =
        burenlijn::config::example_dialplan_through(provider).replacen("mode = \"dial\"", "mode = \"waves\"", 1);
    let plan = edit_dialplan(&in_waves, &[("ringing.wave_size", wave_size.into())]);
    std::fs::write(dir.path().join("example.toml"), edit(plan)).unwrap();
    let hoods = burenlijn::config::load(Some(dir.path()), None).unwrap();
    let start: Timestamp = start.parse().unwrap();
    let sandbox = Sandbox::start_waves(None, hoods, start, Some(PARTICIPANTS.to_string())).await.unwrap();
    TestApp { sandbox }
}

impl TestApp {
    pub fn network(&self) -> &burenlijn::sim::network::Network {
        self.sandbox.emulator.network.as_deref().expect("a waves app has the emulator's REST network")
    }
}

/// The helpers joined to the caller, in order.
pub fn joined(report: &CallReport) -> Vec<String> {
    report
        .lines
        .iter()
        .filter_map(|l| if let Line::Connected { number } = l { Some(number.clone()) } else { None })
        .collect()
}

/// Moves the clock to `at` (it only moves forward).
pub fn clock_to(app: &TestApp, at: &str) {
    use burenlijn::clock::Clock;
    let at: Timestamp = at.parse().unwrap();
    let now = app.sandbox.clock.now();
    app.sandbox.clock.advance(at.as_second() - now.as_second());
}

/// Waits (at most ten seconds) until `sql` counts `want`.
pub async fn wait_for(app: &TestApp, sql: &'static str, want: i64) {
    for _ in 0..1000 {
        if app.count(sql).await == want {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("{sql} never came to {want}: {}", app.count(sql).await);
}

/// Every menu a caller heard, read from the TwiML: per `<Gather>`, the keys it offers
/// ("toets 1", "toets sterretje"), the repeat key (9) left out. (The languages offered to
/// unknown callers are said in their own language, before the menu, and are not counted.)
pub fn menus_in(report: &burenlijn::sim::emulator::CallReport) -> Vec<Vec<String>> {
    let mut menus = Vec::new();
    for (_, body) in &report.documents {
        for gather in body.split("<Gather").skip(1) {
            let inside = gather.split("</Gather>").next().unwrap_or_default().to_lowercase();
            let mut keys: Vec<String> = Vec::new();
            for after in inside.split("toets ").skip(1) {
                let key: String = after.chars().take_while(|c| c.is_alphanumeric()).collect();
                if key != "9" && !keys.contains(&key) {
                    keys.push(key);
                }
            }
            menus.push(keys);
        }
    }
    menus
}

/// Which provider a scenario runs through: its dialplan names it, and the emulator speaks
/// its wire (`burenlijn::sim::webhook::Wire`).
pub use burenlijn::provider::Provider;

/// The example dialplan (dial mode) on `provider`, its voice one that provider has.
pub async fn spawn_app_on(provider: Provider, start: &str) -> TestApp {
    if provider == Provider::Twilio {
        return spawn_app_at(start).await;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("example.toml"), burenlijn::config::example_dialplan_through(provider)).unwrap();
    let hoods = burenlijn::config::load(Some(dir.path()), None).unwrap();
    assert_eq!(hoods.provider, provider);
    let start: Timestamp = start.parse().unwrap();
    let sandbox = Sandbox::start(None, hoods, start, Some(PARTICIPANTS.to_string())).await.unwrap();
    TestApp { sandbox }
}

/// Jan's call played on `once`, and again on `twice` with every webhook sent twice: the
/// same call, the same log, one match and three attempts (`script` rings three helpers).
pub async fn every_webhook_twice_changes_nothing(once: TestApp, mut twice: TestApp, script: impl Fn() -> Script) {
    let a = once.call(JAN, script()).await;
    twice.sandbox.emulator.repeat_every_request = true;
    let b = twice.call(JAN, script()).await;
    assert_eq!(b.requests, a.requests * 2, "every webhook was sent twice");
    assert_eq!(a.lines, b.lines, "the call sounds the same");
    let (la, lb) = (once.log_of(&a).await, twice.log_of(&b).await);
    assert_eq!(attempts(&la), attempts(&lb));
    assert_eq!((la.outcome, la.wait_seconds), (lb.outcome, lb.wait_seconds));
    assert_eq!(twice.count("SELECT count(*) FROM matches").await, 1);
    assert_eq!(twice.count("SELECT count(*) FROM attempts").await, 3);
}
