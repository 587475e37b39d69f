//! Issue 26, section 4: every command finds the install's settings the same way (a flag,
//! its environment variable, the settings file), says so when it falls back to the
//! example, prints every `--json` list as one array, and masks numbers unless
//! `--show-numbers`.

use std::path::{Path, PathBuf};

use crate::cli::{bin, run, with_stdin};
use crate::support::*;

/// An install in `dir`: `dialplans/dorp-a.toml` (the example dialplan under another key)
/// and a settings file naming it and the database, both relative to the file.
fn install(dir: &Path) -> PathBuf {
    let plans = dir.join("dialplans");
    std::fs::create_dir(&plans).unwrap();
    std::fs::write(plans.join("dorp-a.toml"), burenlijn::config::EXAMPLE_DIALPLAN).unwrap();
    let file = dir.join("burenlijn.toml");
    std::fs::write(&file, "# the install\ndb = \"burenlijn.db\"\ndialplans = \"dialplans\"\n").unwrap();
    file
}

/// Plays a matched call with `simulate` on Tuesday morning, on the install's dialplans
/// (through the settings file) and database (`simulate` keeps its own unless told).
fn a_matched_call(config: &Path) {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = bin()
        .arg("simulate")
        .arg("--config")
        .arg(config)
        .arg("--db")
        .arg(config.with_file_name("burenlijn.db"))
        .env("BURENLIJN_NOW", TUESDAY_MORNING)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"1\n2\nn\n1\n").unwrap();
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(!err.contains("embedded example"), "simulate never speaks of the example: {err}");
}

#[test]
fn without_a_flag_every_command_uses_the_settings_file() {
    let dir = tempfile::tempdir().unwrap();
    let config = install(dir.path());
    let (ok, out, err) = with_stdin(
        bin().args(["desk", "add-user", "Els", "--neighbourhood", "dorp-a", "--config"]).arg(&config),
        "de kat zit op de mat\n",
    );
    assert!(ok, "{out}{err}");
    assert!(out.contains("added desk 'Els' (sees dorp-a)"), "{out}");
    assert!(!err.contains("embedded example"), "{err}");
    assert!(dir.path().join("burenlijn.db").exists(), "`db` is read from the file's folder");

    // A call's neighbourhood is stored when it starts: moving its number to another
    // neighbourhood later leaves its history alone.
    a_matched_call(&config);
    let plans = dir.path().join("dialplans");
    std::fs::rename(plans.join("dorp-a.toml"), plans.join("dorp-b.toml")).unwrap();
    let (ok, out, err) = run(bin().args(["calls", "--json", "--config"]).arg(&config));
    assert!(ok, "{err}");
    let calls: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(calls.len(), 1, "{out}");
    assert_eq!((calls[0]["neighbourhood"].as_str(), calls[0]["outcome"].as_str()), (Some("dorp-a"), Some("matched")));
    let stored: Option<String> = rusqlite::Connection::open(dir.path().join("burenlijn.db"))
        .unwrap()
        .query_row("SELECT neighbourhood FROM calls", [], |r| r.get(0))
        .unwrap();
    assert_eq!(stored.as_deref(), Some("dorp-a"));

    // A flag goes before the file.
    let other = dir.path().join("other.db");
    let (ok, out, _) = run(bin().args(["calls", "--json", "--config"]).arg(&config).arg("--db").arg(&other));
    assert!(ok && serde_json::from_str::<Vec<serde_json::Value>>(&out).unwrap().is_empty(), "{out}");
}

#[test]
fn the_environment_names_the_settings_file_or_each_path() {
    let dir = tempfile::tempdir().unwrap();
    let config = install(dir.path());
    let (ok, out, err) = with_stdin(
        bin().args(["desk", "add-user", "Els", "--neighbourhood", "dorp-a"]).env("BURENLIJN_CONFIG", &config),
        "de kat zit op de mat\n",
    );
    assert!(ok && out.contains("(sees dorp-a)"), "{out}{err}");

    // One variable per path, without a settings file.
    let db = dir.path().join("env.db");
    let env = |c: &mut std::process::Command| {
        c.env("BURENLIJN_DIALPLANS", dir.path().join("dialplans")).env("BURENLIJN_DB", &db);
    };
    let mut add = bin();
    add.args(["desk", "add-user", "Piet", "--neighbourhood", "dorp-a"]);
    env(&mut add);
    let (ok, out, err) = with_stdin(&mut add, "een ander wachtwoord\n");
    assert!(ok && out.contains("(sees dorp-a)"), "{out}{err}");
    assert!(!err.contains("embedded example"), "{err}");
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute("INSERT INTO calls (call_sid, dialplan_number, phase, started_at, seq) VALUES ('CAold', '+31850000000', 'menu', 10, 1)", [])
        .unwrap();
    let mut calls = bin();
    calls.args(["calls", "--json"]);
    env(&mut calls);
    let (ok, out, err) = run(&mut calls);
    assert!(ok, "{err}");
    let calls: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(calls[0]["neighbourhood"], "dorp-a", "a call from before keys were stored: by its number");
}

#[test]
fn without_settings_a_command_says_it_uses_the_example() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
    let (ok, out, err) = run(bin().args(["calls", "--json", "--db"]).arg(&db));
    assert!(ok, "{err}");
    assert_eq!(out.trim(), "[]", "an empty list is an empty array");
    assert_eq!(
        err.lines().filter(|l| l.contains("embedded example")).count(),
        1,
        "one line says where the dialplans come from: {err}"
    );
    assert!(err.contains("--dialplans, BURENLIJN_DIALPLANS, or `dialplans` in /etc/burenlijn/burenlijn.toml"), "{err}");
    let (ok, _, err) = with_stdin(
        bin().args(["desk", "add-user", "Els", "--neighbourhood", "dorp-a", "--db"]).arg(&db),
        "de kat zit op de mat\n",
    );
    assert!(!ok && err.contains("embedded example") && err.contains("dorp-a"), "{err}");
    let (ok, _, err) = run(bin().args(["calls", "--dialplans", "dialplans", "--db"]).arg(&db));
    assert!(ok && !err.contains("embedded example"), "{err}");
    let (ok, out, err) = run(bin().args(["demo", "--db"]).arg(dir.path().join("demo.db")));
    assert!(ok && !err.contains("embedded example") && !out.contains("embedded example"), "{err}");
}

#[test]
fn a_bad_settings_file_is_refused_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("burenlijn.toml");
    std::fs::write(&config, "db = \"x.db\"\ndialplan = \"/etc/burenlijn/dialplans\"\n").unwrap();
    let (ok, _, err) = run(bin().args(["calls", "--config"]).arg(&config));
    assert!(!ok);
    assert!(err.contains(&format!("{}:2: unknown field `dialplan`", config.display())), "{err}");
    assert!(err.contains("expected one of `db`, `dialplans`, `prompts`"), "{err}");
    let missing = dir.path().join("none.toml");
    let (ok, _, err) = run(bin().args(["participants", "list", "--config"]).arg(&missing));
    assert!(!ok && err.contains("cannot read the settings file") && err.contains("none.toml"), "{err}");
    assert!(!dir.path().join("x.db").exists(), "nothing was opened");
}

#[test]
fn every_json_list_is_an_array_and_numbers_are_masked_unless_asked() {
    let dir = tempfile::tempdir().unwrap();
    let config = install(dir.path());
    for args in [&["round", "list", "--json"][..], &["round", "log", "--json"], &["calls", "--json"]] {
        let (ok, out, err) = run(bin().args(args).arg("--config").arg(&config));
        assert!(ok, "{args:?}: {err}");
        assert!(serde_json::from_str::<Vec<serde_json::Value>>(&out).is_ok(), "{args:?}: {out}");
    }
    let csv = dir.path().join("p.csv");
    std::fs::write(&csv, PARTICIPANTS).unwrap();
    let (ok, out, err) = run(bin().args(["participants", "import"]).arg(&csv).arg("--config").arg(&config));
    assert!(ok, "{out}{err}");
    let (ok, out, _) = run(bin().args(["participants", "list", "--config"]).arg(&config));
    assert!(ok && out.contains("+316******01") && !out.contains("+31610000001"), "{out}");
    let (ok, out, _) = run(bin().args(["participants", "list", "--show-numbers", "--config"]).arg(&config));
    assert!(ok && out.contains("+31610000001"), "{out}");
    let (ok, out, _) = run(bin().args(["participants", "pause", "06-10000001", "--config"]).arg(&config));
    assert!(ok && out.contains("+316******01 paused until resumed"), "{out}");
    let (ok, out, _) =
        run(bin().args(["participants", "resume", "06-10000001", "--show-numbers", "--config"]).arg(&config));
    assert!(ok && out.contains("+31610000001 will be rung again"), "{out}");
    // The export is the register itself, in the import format: in full.
    let (ok, out, _) = run(bin().args(["participants", "export", "--config"]).arg(&config));
    assert!(ok && out.contains("+31610000001"), "{out}");
    a_matched_call(&config);
    let (ok, table, _) = run(bin().args(["calls", "--config"]).arg(&config));
    assert!(ok && table.contains("+312******67") && !table.contains("+31201234567"), "{table}");
    let (ok, table, _) = run(bin().args(["calls", "--show-numbers", "--config"]).arg(&config));
    assert!(ok && table.contains("+31201234567"), "{table}");
}

/// `round log` names a contact without a name by their number: masked, in the table and
/// the JSON alike, unless `--show-numbers`.
#[test]
fn the_round_log_masks_a_relative_unless_asked() {
    let dir = tempfile::tempdir().unwrap();
    let config = install(dir.path());
    let csv = dir.path().join("p.csv");
    std::fs::write(&csv, PARTICIPANTS).unwrap();
    let (ok, out, err) = run(bin().args(["participants", "import"]).arg(&csv).arg("--config").arg(&config));
    assert!(ok, "{out}{err}");
    rusqlite::Connection::open(dir.path().join("burenlijn.db"))
        .unwrap()
        .execute_batch(
            "INSERT INTO round_mornings (id, resident_id, date, dialplan_number, stage, started_at, ended_at)
                 SELECT 1, id, '2026-12-01', '+31850000000', 'confirmed', 1764577800, 1764579000 FROM participants WHERE name = 'Jan de Vries';
             INSERT INTO round_calls (morning_id, who, n, phone, placed_at, result) VALUES (1, 'contact', 0, '+31612345000', 1764578400, 'confirmed');",
        )
        .unwrap();
    let (ok, out, err) = run(bin().args(["round", "log", "--config"]).arg(&config));
    assert!(ok && out.contains("confirmed by +316******00") && !out.contains("+31612345000"), "{out}{err}");
    let (ok, out, _) = run(bin().args(["round", "log", "--show-numbers", "--config"]).arg(&config));
    assert!(ok && out.contains("confirmed by +31612345000"), "{out}");
    let (ok, out, _) = run(bin().args(["round", "log", "--json", "--config"]).arg(&config));
    let rows: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    assert!(ok && rows[0]["confirmed_by"] == "+316******00" && !out.contains("+31612345000"), "{out}");
}
