use std::process::{Command, Stdio};

use burenlijn::sim::emulator::Emulator;
use burenlijn::sim::people::{HelperAction, Script};

use crate::support::*;

pub(crate) fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_burenlijn"));
    c.env_remove("BURENLIJN_DB").env_remove("BURENLIJN_NOW").env_remove("TWILIO_AUTH_TOKEN").env_remove("RUST_LOG");
    c.env_remove("BURENLIJN_DIALPLANS").env_remove("BURENLIJN_PROMPTS").env_remove("BURENLIJN_CONFIG");
    c
}

pub(crate) fn run(cmd: &mut Command) -> (bool, String, String) {
    let out = cmd.output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[test]
fn the_demo_ends_in_a_match() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let (ok, out, err) = run(bin().args(["demo", "--db"]).arg(&db));
    assert!(ok, "{out}\n{err}");
    assert!(out.contains("caller and +31610000004 are talking"), "{out}");
    // The log the demo wrote is what `calls --json` reads: numbers masked, unless
    // `--show-numbers`.
    let (ok, out, _) = run(bin().args(["calls", "--json", "--db"]).arg(&db));
    assert!(ok);
    let masked: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (masked[0]["from"].as_str(), masked[0]["helper"].as_str()),
        (Some("+312******67"), Some("+316******04"))
    );
    assert!(!out.contains("+31201234567") && !out.contains("+31610000004"), "{out}");
    let (ok, out, _) = run(bin().args(["calls", "--json", "--show-numbers", "--db"]).arg(&db));
    assert!(ok);
    let calls: serde_json::Value = serde_json::from_str(&out).unwrap();
    let call = &calls[0];
    assert_eq!(call["outcome"], "matched");
    assert_eq!(call["from"], "+31201234567");
    assert_eq!(call["category"], "shopping");
    assert_eq!(call["helper"], "+31610000004");
    let results: Vec<&str> =
        call["attempts"].as_array().unwrap().iter().map(|a| a["result"].as_str().unwrap()).collect();
    assert_eq!(results, ["no-answer", "declined", "accepted"]);
    assert!(call["wait_seconds"].as_i64().unwrap() > 0);
    assert!(call["started_at"].as_str().unwrap().parse::<jiff::Timestamp>().is_ok());
    let (ok, table, _) = run(bin().args(["calls", "--db"]).arg(&db));
    assert!(ok && table.contains("matched") && table.contains("Dirk accepted"), "{table}");
}

#[test]
fn the_demo_in_waves_holds_the_caller_and_rings_two_at_a_time() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("waves.db");
    let (ok, out, err) = run(bin().args(["demo", "--waves", "--db"]).arg(&db));
    assert!(ok, "{out}\n{err}");
    assert!(out.contains("caller hears:  U wacht nog even."), "the caller waits on hold: {out}");
    assert!(out.contains("+31610000004 presses 1") && out.contains("caller and +31610000004 are talking"), "{out}");
    let (ok, out, _) = run(bin().args(["calls", "--json", "--show-numbers", "--db"]).arg(&db));
    assert!(ok);
    let calls: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(calls[0]["outcome"], "matched");
    assert_eq!(calls[0]["helper"], "+31610000004");
    let started: Vec<&str> =
        calls[0]["attempts"].as_array().unwrap().iter().map(|a| a["started_at"].as_str().unwrap()).collect();
    assert!(started.len() >= 3 && started[0] == started[1], "the first two are rung together: {started:?}");
}

/// `dialplan check --prompts DIR` checks every prompt file in it alike: Dutch, English and
/// the Turkish draft; a broken one is named with its file, line and field.
#[test]
fn dialplan_check_checks_every_language_alike() {
    let (ok, out, err) = run(bin().args(["dialplan", "check", "--prompts", "prompts", "dialplans/example.toml"]));
    assert!(ok, "{out}{err}");
    assert!(out.contains("prompts in 'nl' (also checked: en, tr)"), "{out}");
    assert!(out.contains("callers who press 7 hear 'en'"), "{out}");
    let dir = tempfile::tempdir().unwrap();
    for f in ["nl.toml", "en.toml", "tr.toml"] {
        std::fs::copy(format!("prompts/{f}"), dir.path().join(f)).unwrap();
    }
    let tr = std::fs::read_to_string("prompts/tr.toml").unwrap();
    std::fs::write(
        dir.path().join("tr.toml"),
        tr.replace("{category} için {digit} tuşlayın.", "{kategori} için {digit} tuşlayın."),
    )
    .unwrap();
    let (ok, _, err) =
        run(bin().args(["dialplan", "check", "--prompts"]).arg(dir.path()).arg("dialplans/example.toml"));
    assert!(!ok);
    assert!(err.contains("tr.toml: line ") && err.contains("say.menu_item: uses {kategori}"), "{err}");
    // A caller language on a key of its own only, and one that has a prompt file.
    let plan = burenlijn::config::EXAMPLE_DIALPLAN.replace("key = \"en\"\ndigit = 7", "key = \"fr\"\ndigit = 7");
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, &plan).unwrap();
    let (ok, _, err) = run(bin().args(["dialplan", "check"]).arg(&bad));
    assert!(
        !ok && err.contains("field `caller_language.key`: there is no prompts/fr.toml (there are: en, nl, tr)"),
        "{err}"
    );
    for digit in ["8", "9", "1"] {
        let plan = burenlijn::config::EXAMPLE_DIALPLAN
            .replace("key = \"en\"\ndigit = 7", &format!("key = \"en\"\ndigit = {digit}"));
        std::fs::write(&bad, &plan).unwrap();
        let (ok, _, err) = run(bin().args(["dialplan", "check"]).arg(&bad));
        assert!(!ok && err.contains("field `caller_language.digit`"), "{digit}: {err}");
    }
}

#[test]
fn dialplan_check_names_line_and_field() {
    let (ok, out, _) = run(bin().args(["dialplan", "check", "dialplans/example.toml"]));
    assert!(ok, "{out}");
    assert!(out.contains("ok: Voorbeeldwijk on +31850000000, 4 categories"), "{out}");
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    let plan = edit_dialplan(burenlijn::config::EXAMPLE_DIALPLAN, &[("ringing.ring_timeout_seconds", 900.into())]);
    std::fs::write(&bad, &plan).unwrap();
    let (ok, _, err) = run(bin().args(["dialplan", "check"]).arg(&bad));
    assert!(!ok);
    let line = plan.lines().position(|l| l == "ring_timeout_seconds = 900").unwrap() + 1;
    assert!(
        err.contains(&format!(
            "line {line}, field `ringing.ring_timeout_seconds`: must be between 5 and 120 seconds, not 900"
        )),
        "{err}"
    );
}

#[test]
fn participants_import_is_all_or_nothing_and_reports_lines() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, format!("{PARTICIPANTS}Fout,06-12,shopping,,,,any\nNog een,0612345678,breien,,,,any\n"))
        .unwrap();
    let (ok, _, err) = run(bin().args(["participants", "import"]).arg(&bad).arg("--db").arg(&db));
    assert!(!ok);
    assert!(err.contains("line 8: phone: '06-12' is not a valid phone number"), "{err}");
    assert!(err.contains("line 9: offers: 'breien' is not a category"), "{err}");
    assert!(err.contains("nothing imported"), "{err}");
    let (_, list, _) = run(bin().args(["participants", "list", "--db"]).arg(&db));
    assert!(list.contains("0 participants"), "{list}");

    let good = dir.path().join("good.csv");
    std::fs::write(&good, PARTICIPANTS).unwrap();
    let (ok, out, err) = run(bin().args(["participants", "import"]).arg(&good).arg("--db").arg(&db));
    assert!(ok, "{err}");
    assert!(out.contains("6 added, 0 updated"), "{out}");
    let (_, out, _) = run(bin().args(["participants", "import"]).arg(&good).arg("--db").arg(&db));
    assert!(out.contains("0 added, 6 updated"), "{out}");

    // The CLI runs on the real clock: a date that is still ahead.
    let until = jiff::Zoned::now().date().checked_add(jiff::Span::new().days(60)).unwrap().to_string();
    let (ok, out, _) = run(bin().args(["participants", "pause", "06-10000001", "--until", &until, "--db"]).arg(&db));
    assert!(ok && out.contains(&format!("+316******01 paused until {until}")), "masked: {out}");
    let (ok, out, err) = run(bin()
        .args([
            "participants",
            "add",
            "--name",
            "Fien Kok",
            "--phone",
            "0031 6 1000 0009",
            "--offers",
            "company",
            "--distance",
            "near",
            "--db",
        ])
        .arg(&db));
    assert!(ok && out.contains("added Fien Kok (+316******09)"), "{out}{err}");
    let (ok, _, err) = run(bin().args(["participants", "add", "--name", "X", "--phone", "12", "--db"]).arg(&db));
    assert!(!ok && err.contains("not saved: --phone: '12' is not a valid phone number"), "{err}");
    let (ok, _, err) = run(bin()
        .args(["participants", "add", "--name", "Y", "--phone", "0612345670", "--language", "fr", "--db"])
        .arg(&db));
    assert!(
        !ok && err.contains("not saved: --language: 'fr' is not a language of the switchboard (known: en, nl, tr)"),
        "{err}"
    );
    // Issue 25: free text is held to a length, the field named.
    // (One argument may not be longer than 128 KiB on Linux; the file has no such limit.)
    let street = "Kerkstraat ".repeat(2_000);
    let (ok, _, err) = run(bin()
        .args(["participants", "add", "--name", "Z", "--phone", "0612345671", "--street", &street, "--db"])
        .arg(&db));
    assert!(!ok && err.contains("not saved: --street: is longer than 100 characters"), "{err}");
    let long = dir.path().join("long.csv");
    std::fs::write(
        &long,
        format!(
            "name,phone,offers,available,street,postcode,distance\nZeynep,0612345671,,,{},,any\n",
            street.repeat(10)
        ),
    )
    .unwrap();
    let (ok, _, err) = run(bin().args(["participants", "import"]).arg(&long).arg("--db").arg(&db));
    assert!(!ok && err.contains("long.csv: line 2: street: is longer than 100 characters"), "{err}");
    let (_, list, _) = run(bin().args(["participants", "list", "--db"]).arg(&db));
    assert!(
        list.contains("7 participants") && list.contains(&format!("paused until {until}")) && list.contains("Fien Kok"),
        "{list}"
    );
    let (ok, _, _) = run(bin().args(["participants", "resume", "+31610000001", "--db"]).arg(&db));
    assert!(ok);
    let (_, export, _) = run(bin().args(["participants", "export", "--db"]).arg(&db));
    assert!(
        export.starts_with("name,phone,offers,available,street,postcode,distance,neighbourhoods,language,slow_line,helpers_from,street_said,desk_only,experienced\n")
            && export.contains(
                "Anja Bakker,'+31610000001,company;shopping,mon-fri 09:00-17:00,Molenweg,1234 CD,any,example,,,any,always,no,\n"
            ),
        "{export}"
    );
    let (ok, _, err) = run(bin().args(["participants", "pause", "0620000000", "--db"]).arg(&db));
    assert!(!ok && err.contains("nobody with phone +316******00"), "{err}");
    let (ok, _, err) = run(bin().args(["participants", "pause", "0620000000", "--show-numbers", "--db"]).arg(&db));
    assert!(!ok && err.contains("nobody with phone +31620000000"), "{err}");
}

/// Issue 26: the command line changes the register through the desk's use cases, so each
/// change is in the audit log, made by "the command line on the server".
#[test]
fn participant_commands_write_the_audit_log_as_the_command_line() {
    use burenlijn::domain::audit::{Actor, AuditKind};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("audit.db");
    let (ok, out, err) =
        run(bin().args(["participants", "add", "--name", "Fien Kok", "--phone", "0610000009", "--db"]).arg(&db));
    assert!(ok && out.contains("added Fien Kok"), "{out}{err}");
    let (ok, _, err) = run(bin().args(["participants", "pause", "0610000009", "--db"]).arg(&db));
    assert!(ok, "{err}");
    let file = dir.path().join("p.csv");
    std::fs::write(&file, PARTICIPANTS).unwrap();
    let (ok, _, err) = run(bin().args(["participants", "import"]).arg(&file).arg("--db").arg(&db));
    assert!(ok, "{err}");
    let store = burenlijn::store::Store::open(&db).unwrap();
    let fien = store
        .read(|c| {
            burenlijn::store::participants::find_by_phone(
                c,
                &burenlijn::domain::phone::PhoneNumber::parse("0610000009").unwrap(),
            )
        })
        .unwrap()
        .unwrap();
    let filter = burenlijn::store::accounts::AuditFilter::default();
    let log = store.read(|c| burenlijn::store::accounts::audit_log(c, &filter, 50)).unwrap();
    let seen: Vec<(&str, Option<AuditKind>, Option<i64>)> =
        log.iter().map(|e| (e.user_name.as_str(), e.recorded.kind(), e.participant_id)).collect();
    let cli = Actor::CommandLine.as_str();
    for wanted in [
        (cli, Some(AuditKind::AddedParticipant), Some(fien.id)),
        (cli, Some(AuditKind::PausedParticipant), Some(fien.id)),
        (cli, Some(AuditKind::ImportedParticipants), None),
    ] {
        assert!(seen.contains(&wanted), "{wanted:?} not in {seen:?}");
    }
}

/// A misspelt voice would fail every `<Say>` inside a `<Gather>`: `dialplan check` and
/// `serve` refuse it, with its line, its field and the voices there are.
#[test]
fn a_voice_the_provider_does_not_have_is_refused_before_any_call() {
    let dir = tempfile::tempdir().unwrap();
    let plans = dir.path().join("dialplans");
    std::fs::create_dir(&plans).unwrap();
    let bad = plans.join("bad.toml");
    let plan = edit_dialplan(burenlijn::config::EXAMPLE_DIALPLAN, &[("voice.name", "Polly.Lotta".into())]);
    std::fs::write(&bad, &plan).unwrap();
    let line = plan.lines().position(|l| l == "name = \"Polly.Lotta\"").unwrap() + 1;
    let expected = format!("line {line}, field `voice.name`: 'Polly.Lotta' is not a nl-NL voice of the provider; use one of: Polly.Lotte, Polly.Ruben, Polly.Laura-Neural, Polly.Laura-Generative, Google.nl-NL-Standard-A,");

    let (ok, out, err) = run(bin().args(["dialplan", "check"]).arg(&bad));
    assert!(!ok, "{out}");
    assert!(err.contains(&expected), "{err}");
    let (_, dutch) = burenlijn::provider::twilio::voices::KNOWN.iter().find(|(l, _)| *l == "nl-NL").unwrap();
    assert!(dutch.iter().all(|v| err.contains(v)), "every valid name is listed: {err}");

    let (ok, _, err) = run(bin()
        .args(["serve", "--public-url", "https://x.example", "--listen", "127.0.0.1:0", "--dialplans"])
        .arg(&plans)
        .arg("--db")
        .arg(dir.path().join("x.db"))
        .env("TWILIO_AUTH_TOKEN", "voice-test-token"));
    assert!(!ok);
    assert!(err.contains(&expected), "{err}");
}

/// With two dialplans, an import must say where each row belongs, and a database whose
/// participants belong nowhere (from before neighbourhoods) is not served until they do.
#[test]
fn with_two_neighbourhoods_nobody_is_placed_by_guessing() {
    let dir = tempfile::tempdir().unwrap();
    let plans = dir.path().join("dialplans");
    std::fs::create_dir(&plans).unwrap();
    std::fs::write(plans.join("example.toml"), burenlijn::config::EXAMPLE_DIALPLAN).unwrap();
    let b = burenlijn::config::EXAMPLE_DIALPLAN.replacen("+31850000000", "+31850000099", 1);
    std::fs::write(plans.join("dorp-b.toml"), b).unwrap();
    let (db, csv) = (dir.path().join("x.db"), dir.path().join("p.csv"));
    std::fs::write(&csv, PARTICIPANTS).unwrap();
    let import = |extra: &[&str]| {
        run(bin()
            .args(["participants", "import"])
            .arg(&csv)
            .args(extra)
            .arg("--dialplans")
            .arg(&plans)
            .arg("--db")
            .arg(&db))
    };
    let (ok, _, err) = import(&[]);
    assert!(!ok, "{err}");
    assert!(err.contains("line 2: neighbourhoods: none given, and there are several (dorp-b, example)"), "{err}");
    assert!(err.contains("line 7:") && err.contains("nothing imported"), "{err}");
    let (ok, _, err) = import(&["--neighbourhood", "dorp-c"]);
    assert!(!ok && err.contains("unknown neighbourhood 'dorp-c' (there are: dorp-b, example)"), "{err}");
    let (ok, out, err) = import(&["--neighbourhood", "dorp-b"]);
    assert!(ok && out.contains("6 added"), "{out}{err}");
    let (_, export, _) = run(bin().args(["participants", "export", "--db"]).arg(&db));
    assert!(
        export
            .contains("Anja Bakker,'+31610000001,company;shopping,mon-fri 09:00-17:00,Molenweg,1234 CD,any,dorp-b,,,any,always,no,\n"),
        "{export}"
    );
    // Someone added without a neighbourhood (as a database from before them would hold).
    let (ok, _, err) = run(bin()
        .args(["participants", "add", "--name", "Fien Kok", "--phone", "06-10000009", "--dialplans"])
        .arg(&plans)
        .arg("--db")
        .arg(&db));
    assert!(!ok && err.contains("--neighbourhood: there are several (dorp-b, example); name at least one"), "{err}");
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute(
            "DELETE FROM memberships WHERE participant_id = (SELECT id FROM participants WHERE name = 'Bert Jansen')",
            [],
        )
        .unwrap();
    let serve = || {
        run(bin()
            .args(["serve", "--public-url", "https://x.example", "--listen", "127.0.0.1:0", "--dialplans"])
            .arg(&plans)
            .arg("--db")
            .arg(&db)
            .env("TWILIO_AUTH_TOKEN", "t"))
    };
    let (ok, _, err) = serve();
    assert!(!ok);
    assert!(
        err.contains("1 participant(s) belong to no neighbourhood, and there are several (dorp-b, example)")
            && err.contains("burenlijn participants assign --neighbourhood KEY"),
        "{err}"
    );
    let (ok, out, err) = run(bin()
        .args(["participants", "assign", "--neighbourhood", "example", "--dialplans"])
        .arg(&plans)
        .arg("--db")
        .arg(&db));
    assert!(ok && out.contains("1 participant(s) without a neighbourhood now belong to example"), "{out}{err}");
    let (_, export, _) = run(bin().args(["participants", "export", "--db"]).arg(&db));
    assert!(export.contains(",Dorpsweg,1234 EF,any,example,,,any,always,no,\n"), "{export}");
    // The call log names each call's neighbourhood, and shows one alone.
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute_batch(
            "INSERT INTO calls (call_sid, dialplan_number, phase, started_at, seq) VALUES ('CAa', '+31850000000', 'menu', 10, 1);
             INSERT INTO calls (call_sid, dialplan_number, phase, started_at, seq) VALUES ('CAb', '+31850000099', 'menu', 20, 1);
             INSERT INTO calls (call_sid, dialplan_number, phase, started_at, seq, neighbourhood)
                 VALUES ('CAc', '+31850000099', 'menu', 5, 1, 'example');",
        )
        .unwrap();
    let calls = |extra: &[&str]| -> serde_json::Value {
        let (ok, out, err) =
            run(bin().args(["calls", "--json", "--dialplans"]).arg(&plans).args(extra).arg("--db").arg(&db));
        assert!(ok, "{err}");
        serde_json::from_str(&out).unwrap()
    };
    let all = calls(&[]);
    let keys: Vec<&str> = all.as_array().unwrap().iter().map(|c| c["neighbourhood"].as_str().unwrap()).collect();
    // Calls from before the neighbourhood was stored take the one of their number; CAc
    // came in on dorp-b's number when it was still example's, and stays example's.
    assert_eq!(keys, ["dorp-b", "example", "example"], "newest first: {all}");
    let example: Vec<String> = calls(&["--neighbourhood", "example"])
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["call_sid"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(example, ["CAa", "CAc"]);
    let b = calls(&["--neighbourhood", "dorp-b"]);
    assert_eq!(b.as_array().unwrap().len(), 1, "{b}");
    assert_eq!(b[0]["call_sid"], "CAb");
}

#[test]
fn serve_refuses_to_start_without_a_way_to_check_signatures() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, _, err) = run(bin()
        .args(["serve", "--public-url", "https://x.example", "--listen", "127.0.0.1:0", "--db"])
        .arg(dir.path().join("x.db")));
    assert!(!ok);
    assert!(err.contains("TWILIO_AUTH_TOKEN is not set"), "{err}");
}

#[test]
fn waves_need_rest_credentials_at_serve_time() {
    let dir = tempfile::tempdir().unwrap();
    let plans = dir.path().join("plans");
    std::fs::create_dir(&plans).unwrap();
    let plan = burenlijn::config::example_dialplan_in_waves();
    std::fs::write(plans.join("buurt.toml"), &plan).unwrap();
    let (ok, out, err) = run(bin().args(["dialplan", "check"]).arg(plans.join("buurt.toml")));
    assert!(ok, "{err}");
    assert!(out.contains("`serve` needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN"), "{out}");
    let (ok, _, err) = run(bin()
        .args(["serve", "--public-url", "https://x.example", "--listen", "127.0.0.1:0", "--dialplans"])
        .arg(&plans)
        .arg("--db")
        .arg(dir.path().join("x.db"))
        .env("TWILIO_AUTH_TOKEN", "t")
        .env_remove("TWILIO_ACCOUNT_SID"));
    assert!(!ok);
    assert!(err.contains("rings in waves") && err.contains("TWILIO_ACCOUNT_SID is not set"), "{err}");
}

/// The real binary, serving on loopback, driven by the emulator; stopped with SIGTERM.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_answers_a_whole_call_and_stops_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("serve.db");
    let csv = dir.path().join("p.csv");
    std::fs::write(&csv, PARTICIPANTS).unwrap();
    assert!(run(bin().args(["participants", "import"]).arg(&csv).arg("--db").arg(&db)).0);
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let base = format!("http://127.0.0.1:{port}");
    let child = bin()
        .args([
            "serve",
            "--dialplans",
            "dialplans",
            "--prompts",
            "prompts",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--public-url",
            &base,
            "--db",
        ])
        .arg(&db)
        .env("TWILIO_AUTH_TOKEN", "serve-test-token")
        .env("BURENLIJN_NOW", TUESDAY_MORNING)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let client = reqwest::Client::new();
    let mut up = false;
    for _ in 0..100 {
        if let Ok(r) = client.get(format!("{base}/healthz")).send().await {
            up = r.status() == 200;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(up, "the server answers /healthz");
    let emulator = Emulator::new(&base, "serve-test-token", None).unwrap();
    let mut script = Script::keys(&["1"]).helper(ANJA, HelperAction::Decline);
    let report = emulator.call(JAN, SWITCHBOARD, &mut script).await.unwrap();
    assert!(report
        .lines
        .iter()
        .any(|l| matches!(l, burenlijn::sim::people::Line::Connected { number } if number == BERT)));
    // A forged request is refused by the real binary too.
    let wrong = Emulator::new(&base, "not-the-token", None).unwrap();
    let (status, _) = wrong
        .post(wrong.voice_url(), &pairs(&[("CallSid", "CAforged000000000001"), ("From", JAN), ("To", SWITCHBOARD)]))
        .await
        .unwrap();
    assert_eq!(status, 403);

    // Metrics: counts and latency, no personal data.
    let metrics = client.get(format!("{base}/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains("burenlijn_calls_total{outcome=\"matched\"} 1"), "{metrics}");
    assert!(metrics.contains("burenlijn_attempts_total{result=\"declined\"} 1"), "{metrics}");
    assert!(metrics.contains("burenlijn_webhooks_refused_total{reason=\"signature\"} 1"), "{metrics}");
    let answered: u64 = metrics
        .lines()
        .find_map(|l| l.strip_prefix("burenlijn_webhook_seconds_count "))
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert!(answered >= 8, "every webhook of the call is counted: {metrics}");
    assert!(!metrics.contains("+316"), "{metrics}");

    // An online backup while serving; the copy is a working database (that is the restore).
    let backup = dir.path().join("backup.db");
    let (ok, out, err) = run(bin().args(["backup"]).arg(&backup).arg("--db").arg(&db));
    assert!(ok && out.contains("1 calls, 6 participants, integrity ok"), "{out}{err}");
    let (_, original, _) = run(bin().args(["calls", "--json", "--db"]).arg(&db));
    let (_, restored, _) = run(bin().args(["calls", "--json", "--db"]).arg(&backup));
    assert_eq!(original, restored);

    let pid = child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "exit after SIGTERM: {:?}", out.status);
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(log.contains("call came in") && log.contains("shutting down"), "{log}");
    // Numbers are masked in the log.
    assert!(!log.contains("+31201234567") && log.contains("+312******67"), "{log}");

    let (_, json, _) = run(bin().args(["calls", "--json", "--show-numbers", "--db"]).arg(&db));
    let calls: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(calls[0]["outcome"], "matched");
    assert_eq!(calls[0]["started_at"], "2026-11-24T09:15:00Z");
    assert_eq!(calls[0]["helper"], BERT);
}

/// Runs `simulate` with `args` on Tuesday morning, typing `input`; returns its output
/// after checking it ended well.
fn simulate(args: &[&std::ffi::OsStr], input: &[u8]) -> String {
    use std::io::Write;
    let mut child = bin()
        .arg("simulate")
        .args(args)
        .env("BURENLIJN_NOW", TUESDAY_MORNING)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    stdout
}

#[test]
fn simulate_reads_the_callers_and_helpers_choices() {
    // Caller presses 1; the first helper (Anja) presses 2; the second (Bert) does not answer; Dirk presses 1.
    let stdout = simulate(&[], b"1\n2\nn\n1\n");
    assert!(stdout.contains("+31610000001 presses 2"), "{stdout}");
    assert!(stdout.contains("+31610000002: no-answer"), "{stdout}");
    assert!(stdout.contains("caller and +31610000004 are talking"), "{stdout}");
    assert!(stdout.contains("\"outcome\": \"matched\""), "{stdout}");
}

/// `burenlijn calls | head`: when the reader has had enough, the command ends quietly.
#[test]
fn calls_into_a_pipe_that_closes_early_end_quietly() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
    burenlijn::store::Store::open(&db).unwrap();
    let conn = rusqlite::Connection::open(&db).unwrap();
    for i in 0..4000 {
        conn.execute(
            "INSERT INTO calls (call_sid, dialplan_number, phase, started_at, seq) VALUES (?1, '+31850000000', 'menu', ?2, 1)",
            rusqlite::params![format!("CA{i:032}"), 1_800_000_000 + i],
        )
        .unwrap();
    }
    let mut child = bin()
        .args(["calls", "--limit", "4000", "--db"])
        .arg(&db)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    assert!(first.starts_with("STARTED"), "{first}");
    // The reader is gone now (as `head` is after ten lines).
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(!err.contains("Broken pipe") && !err.contains("panicked"), "{err}");
}

/// A number written the Dutch way reaches the service as Twilio sends it (E.164): the
/// call is logged as from that number, not as anonymous.
#[test]
fn simulate_sends_a_dutch_number_as_twilio_does() {
    let stdout = simulate(&["--from".as_ref(), "0301234567".as_ref()], b"\n\n\n");
    assert!(stdout.contains("from +31301234567 at"), "{stdout}");
    assert!(stdout.contains("\"from\": \"+31301234567\""), "{stdout}");
}

/// A neighbourhood ringing in waves: the simulator holds the caller, the neighbours answer
/// at random (several ring at once), and the call ends in the log.
#[test]
fn simulate_rings_in_waves_when_the_dialplan_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let plan = burenlijn::config::example_dialplan_in_waves();
    std::fs::write(dir.path().join("waves.toml"), plan).unwrap();
    // The caller presses 1, and nothing after that (should nobody say yes: no call back).
    let stdout = simulate(&["--dialplans".as_ref(), dir.path().as_os_str()], b"1\n");
    assert!(
        stdout.contains("rings in waves") && stdout.contains("caller hears:  U wacht nog even."),
        "the caller waits on hold: {stdout}"
    );
    assert!(stdout.contains("ringing +3161"), "neighbours are rung: {stdout}");
    assert!(stdout.contains("\"outcome\": "), "the call is in the log: {stdout}");
}

/// Benchmarks are not timed tests: this only checks that `bench load` runs at a small
/// size and reports every figure.
#[test]
fn bench_load_runs_at_a_small_size() {
    let (ok, out, err) =
        run(bin().args(["bench", "load", "--calls", "12", "--concurrency", "4", "--participants", "60", "--json"]));
    assert!(ok, "{err}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    for side in ["ours", "baseline"] {
        for key in ["calls_per_s", "p50_ms", "p99_ms", "max_ms", "errors", "peak_rss_mb"] {
            assert!(report[side][key].is_number(), "{side}.{key} in {out}");
        }
        assert_eq!(report[side]["errors"], 0, "{out}");
        assert_eq!(report[side]["calls"], 12, "{out}");
    }
    assert!(report["ratio"]["calls_per_s"].is_number());
}

/// Only checks that `bench match` runs at a small size, reports every strategy with every
/// figure, and gives the same figures for the same seed.
#[test]
fn bench_match_runs_and_is_deterministic() {
    let args = ["bench", "match", "--months", "6", "--seed", "3", "--json"];
    let (ok, first, err) = run(bin().args(args));
    assert!(ok, "{err}");
    let (_, second, _) = run(bin().args(args));
    assert_eq!(first, second, "the same seed gives the same figures");
    let report: serde_json::Value = serde_json::from_str(&first).unwrap();
    for key in ["list", "random", "all-at-once", "burenlijn"] {
        for figure in ["median_wait_s", "p90_wait_s", "matched_share", "phones_per_match", "gini", "max_asks_week"] {
            assert!(report["strategies"][key][figure].is_number(), "{key}.{figure} in {first}");
        }
    }
    let (_, other, _) = run(bin().args(["bench", "match", "--months", "6", "--seed", "4", "--json"]));
    assert_ne!(first, other, "another seed, another neighbourhood");
}

/// The crash harness at a small size: the server is killed with SIGKILL during calls and
/// started again; nothing may be lost or doubled. (Longer runs: BENCHMARKS.md.)
#[test]
fn crash_harness_loses_nothing() {
    check_crash_run(&[]);
}

/// The same in waves: helpers' calls placed through the emulated REST API while the
/// server dies; nobody is put through twice or left alone on an empty line.
#[test]
fn crash_harness_loses_nothing_in_waves() {
    check_crash_run(&["--waves"]);
}

/// The same through Vonage (dial mode), under its retry model: two more tries of a webhook
/// that cannot connect or answers 5xx, then the application's fallback answer document
/// (`deploy/fallback-vonage.json`); a no is let go through the emulated REST API.
#[test]
fn crash_harness_loses_nothing_through_vonage() {
    check_crash_run(&["--provider", "vonage"]);
}

/// The same in waves through Vonage: held callers hear Vonage's hold music, which asks
/// nothing of the service, so they stay on hold through an outage (no fallback takes
/// them) and wait for the service's clock to find what it missed (a lost end of a leg:
/// its ring time and two minutes). So this run takes minutes.
#[test]
fn crash_harness_loses_nothing_in_waves_through_vonage() {
    check_crash_run(&["--waves", "--provider", "vonage"]);
}

fn check_crash_run(extra: &[&str]) {
    // Twilio's documented retry model: two connection attempts, no retry of a 5xx, then the
    // fallback (the number's for the caller, the call's for a neighbour).
    let (ok, out, err) = run(bin()
        .args(["bench", "crash", "--calls", "80", "--concurrency", "8", "--kills", "3", "--json"])
        .args(extra));
    let report: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
    assert!(ok, "{out}\n{err}");
    assert_eq!(report["calls_run"], 80, "{out}");
    // The harness holds calls back until each kill asked for has happened, so all three do.
    assert_eq!(report["kills"], 3, "the server was killed three times: {out}");
    for zero in [
        "call_errors",
        "matches_lost",
        "matches_extra",
        "unconfirmed_unfollowed",
        "calls_without_outcome",
        "helpers_left_ringing",
        "joined_twice",
        "left_alone",
        "round_calls_doubled",
    ] {
        assert_eq!(report[zero], 0, "{zero} in {out}");
    }
    if extra.contains(&"--waves") {
        // The good-morning round was made while the server died: every resident called.
        assert_eq!(report["round_residents"], 20, "{out}");
        assert!(report["round_calls"].as_u64().unwrap() >= 20, "{out}");
        // Ten requests for help later asked neighbours ahead while the server died: none
        // lost, every search cut off went on after the restart, nobody asked or called twice.
        assert_eq!((&report["planned_requests"], &report["planned_kept"]), (&10.into(), &10.into()), "{out}");
        assert!(report["planned_asked"].as_u64().unwrap() >= 10, "{out}");
        for zero in ["planned_asked_twice", "planned_calls_doubled", "planned_yes_lost", "planned_not_resumed"] {
            assert_eq!(report[zero], 0, "{zero} in {out}");
        }
    }
    // A conversation the service could only record as unconfirmed is left for the desk.
    let stored = report["matches_stored"].as_u64().unwrap() + report["unconfirmed_talked"].as_u64().unwrap();
    assert_eq!(report["matches_heard"].as_u64().unwrap(), stored, "{out}");
}

/// A village joins while the line is live: a new dialplan file, then SIGHUP (what
/// `systemctl reload` sends). A file that does not check changes nothing, and says why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dialplan_added_while_serving_takes_calls_after_a_reload() {
    let dir = tempfile::tempdir().unwrap();
    let (plans, db) = (dir.path().join("dialplans"), dir.path().join("serve.db"));
    std::fs::create_dir(&plans).unwrap();
    std::fs::write(plans.join("example.toml"), burenlijn::config::EXAMPLE_DIALPLAN).unwrap();
    let csv = dir.path().join("p.csv");
    std::fs::write(&csv, PARTICIPANTS).unwrap();
    assert!(run(bin().args(["participants", "import"]).arg(&csv).arg("--db").arg(&db)).0);
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let base = format!("http://127.0.0.1:{port}");
    let child = bin()
        .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--public-url", &base, "--dialplans"])
        .arg(&plans)
        .arg("--db")
        .arg(&db)
        .env("TWILIO_AUTH_TOKEN", "reload-token")
        .env("BURENLIJN_NOW", TUESDAY_MORNING)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    until_up(&base).await;
    let emulator = Emulator::new(&base, "reload-token", None).unwrap();
    const DORP_B: &str = "+31850000099";
    let greeting =
        |report: &burenlijn::sim::emulator::CallReport| caller_heard(report).first().cloned().unwrap_or_default();
    let call_b = || async { emulator.call(JAN, DORP_B, &mut Script::keys(&[])).await.unwrap() };
    assert!(greeting(&call_b().await).starts_with("Dit nummer is nog niet in gebruik"), "not yet");

    let b = burenlijn::config::EXAMPLE_DIALPLAN.replacen("+31850000000", DORP_B, 1).replacen(
        "name = \"Voorbeeldwijk\"",
        "name = \"Dorp B\"",
        1,
    );
    std::fs::write(plans.join("dorp-b.toml"), &b).unwrap();
    let pid = child.id().to_string();
    let hup = || assert!(Command::new("kill").args(["-HUP", &pid]).status().unwrap().success());
    hup();
    let mut served = false;
    for _ in 0..100 {
        if greeting(&call_b().await).contains("Dorp B") {
            served = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(served, "village B's number is answered with its own dialplan after the reload");

    // A misspelt voice in a third file: refused with its line and field; A and B go on.
    let c = b.replacen(DORP_B, "+31850000098", 1).replacen("Polly.Lotte", "Polly.Lotta", 1);
    std::fs::write(plans.join("dorp-c.toml"), &c).unwrap();
    hup();
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(greeting(&call_b().await).contains("Dorp B"));
    let c_call = emulator.call(JAN, "+31850000098", &mut Script::keys(&[])).await.unwrap();
    assert!(greeting(&c_call).starts_with("Dit nummer is nog niet in gebruik"), "the bad file is not served");

    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let out = child.wait_with_output().unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    let line = c.lines().position(|l| l == "name = \"Polly.Lotta\"").unwrap() + 1;
    assert!(log.contains("dialplans and prompts read again"), "{log}");
    assert!(
        log.contains("dialplans not read again: the ones being served stay")
            && log.contains(&format!("dorp-c.toml: line {line}, field `voice.name`")),
        "{log}"
    );
}

/// `serve` on a free loopback port with the example dialplan and `extra` flags, reached
/// by Twilio at `public_url` (the loopback address when `None`); killed when dropped.
struct Served {
    child: std::process::Child,
    base: String,
    _dir: tempfile::TempDir,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn serve_with(token: &str, public_url: Option<&str>, extra: &[&str]) -> Served {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let base = format!("http://127.0.0.1:{port}");
    let child = bin()
        .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--public-url", public_url.unwrap_or(&base)])
        .args(extra)
        .arg("--db")
        .arg(dir.path().join("serve.db"))
        .env("TWILIO_AUTH_TOKEN", token)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    until_up(&base).await;
    Served { child, base, _dir: dir }
}

/// Waits (at most five seconds) until a service started at `base` answers.
async fn until_up(base: &str) {
    let client = reqwest::Client::new();
    for _ in 0..100 {
        if client.get(format!("{base}/healthz")).send().await.is_ok() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// POSTs `params` to `url` with `X-Twilio-Signature: signature`; returns the status.
async fn post_signed(client: &reqwest::Client, url: &str, params: &[(String, String)], signature: &str) -> u16 {
    let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(params).finish();
    let response = client
        .post(url)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("X-Twilio-Signature", signature)
        .body(body)
        .send()
        .await
        .unwrap();
    response.status().as_u16()
}

/// Twilio drops the port of an HTTPS voice callback before signing: a service whose public
/// URL has a port takes the port-less signature, and still refuses one for another host.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_public_url_with_a_port_accepts_the_signature_twilio_sends() {
    let token = "port-test-token";
    let served = serve_with(token, Some("https://burenlijn.example.nl:8443"), &[]).await;
    let client = reqwest::Client::new();
    let voice = format!("{}/twilio/voice", served.base);
    let sign = |url: &str, params: &[(String, String)]| burenlijn::provider::twilio::signature(token, url, params);
    let call = |sid: &str| pairs(&[("CallSid", sid), ("From", JAN), ("To", SWITCHBOARD), ("CallStatus", "ringing")]);

    let params = call("CAport00000000000001");
    let port_less = sign("https://burenlijn.example.nl/twilio/voice", &params);
    assert_eq!(post_signed(&client, &voice, &params, &port_less).await, 200, "signed without the port");
    let params = call("CAport00000000000002");
    let as_given = sign("https://burenlijn.example.nl:8443/twilio/voice", &params);
    assert_eq!(post_signed(&client, &voice, &params, &as_given).await, 200, "signed with the port");
    let params = call("CAport00000000000003");
    for other in ["https://other.example.nl/twilio/voice", "http://burenlijn.example.nl/twilio/voice"] {
        assert_eq!(post_signed(&client, &voice, &params, &sign(other, &params)).await, 403, "{other}");
    }
}

/// The limit per source is on failed signatures only: a burst of genuine webhooks from one
/// address is never refused, a flood of forged ones is (403 up to the limit, then 429).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_source_sending_too_many_forged_webhooks_is_slowed_down_and_twilio_never_is() {
    let token = "rate-test-token";
    let served = serve_with(token, None, &["--rate-per-source", "2"]).await;
    let client = reqwest::Client::new();
    let voice = format!("{}/twilio/voice", served.base);
    let forged = pairs(&[("CallSid", "CA0000000000000001"), ("From", JAN), ("To", SWITCHBOARD)]);
    let started = std::time::Instant::now();
    let mut statuses = Vec::new();
    for _ in 0..10 {
        statuses.push(post_signed(&client, &voice, &forged, "forged").await);
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 403).count(),
        4,
        "a burst of twice the rate gets through to the signature check: {statuses:?}"
    );
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 6, "{statuses:?}");

    // The same source, now over its limit, sends 100 genuine webhooks at once.
    let url = voice.clone();
    let genuine = (0..100).map(|i| {
        let params = pairs(&[
            ("CallSid", &format!("CAburst{i:013}")),
            ("From", JAN),
            ("To", SWITCHBOARD),
            ("CallStatus", "ringing"),
        ]);
        let signature = burenlijn::provider::twilio::signature(token, &url, &params);
        let (client, url) = (client.clone(), url.clone());
        async move { post_signed(&client, &url, &params, &signature).await }
    });
    let statuses = futures_util::future::join_all(genuine).await;
    assert!(statuses.iter().all(|s| *s == 200), "every genuine webhook is answered: {statuses:?}");

    // Forged ones are still refused for rate; only tokens that came back since are 403s.
    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.push(post_signed(&client, &voice, &forged, "forged").await);
    }
    let refilled = (started.elapsed().as_secs_f64() * 2.0).floor() as usize;
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert!(refused >= 5usize.saturating_sub(refilled) && refused > 0, "{statuses:?} after {:?}", started.elapsed());
    assert!(statuses.iter().all(|s| *s == 429 || *s == 403), "{statuses:?}");
}

/// With `--insecure-skip-signature` nothing is verified, so the limit counts every request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_signatures_every_webhook_counts_against_the_limit() {
    let served = serve_with("unused", None, &["--rate-per-source", "2", "--insecure-skip-signature"]).await;
    let client = reqwest::Client::new();
    let status = format!("{}/twilio/status", served.base);
    let params = pairs(&[("CallSid", "CAnotsigned000000001"), ("CallStatus", "completed")]);
    let mut statuses = Vec::new();
    for _ in 0..10 {
        statuses.push(post_signed(&client, &status, &params, "").await);
    }
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 4, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 6, "{statuses:?}");
}

pub(crate) fn with_stdin(cmd: &mut Command, input: &str) -> (bool, String, String) {
    use std::io::Write;
    let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    // A command that refuses before reading its input closes the pipe early: that is fine.
    let _ = child.stdin.take().unwrap().write_all(input.as_bytes());
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[test]
fn desk_accounts_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.db");
    let (ok, out, err) = with_stdin(
        bin().args(["desk", "add-user", "Els de Boer", "--role", "coordinator", "--db"]).arg(&db),
        "de kat zit op de mat\n",
    );
    assert!(ok, "{out}{err}");
    assert!(out.contains("added coordinator 'Els de Boer'"), "{out}");
    let (ok, _, err) = with_stdin(bin().args(["desk", "add-user", "Piet", "--db"]).arg(&db), "kort\n");
    assert!(!ok && err.contains("at least 10 characters"), "{err}");
    // Issue 25: the commonest passwords are refused, saying what to do instead.
    for common in ["Welkom2024!", "password12", "aaaaaaaaaa", "piet123456"] {
        let (ok, _, err) =
            with_stdin(bin().args(["desk", "add-user", "Piet", "--db"]).arg(&db), &format!("{common}\n"));
        assert!(!ok && err.contains("choose a short sentence only you know; nothing was changed"), "{common}: {err}");
    }
    let (ok, _, err) =
        with_stdin(bin().args(["desk", "add-user", "els de boer", "--db"]).arg(&db), "de kat zit op de mat\n");
    assert!(!ok && err.contains("already a user"), "{err}");
    let (ok, _, err) = with_stdin(
        bin().args(["desk", "add-user", "Piet", "--role", "admin", "--db"]).arg(&db),
        "de kat zit op de mat\n",
    );
    assert!(!ok && err.contains("not one of desk, coordinator"), "{err}");
    let (ok, out, _) =
        with_stdin(bin().args(["desk", "passwd", "Els de Boer", "--db"]).arg(&db), "een ander wachtwoord\n");
    assert!(ok && out.contains("new password set"), "{out}");
    let (ok, _, err) = with_stdin(bin().args(["desk", "passwd", "Niemand", "--db"]).arg(&db), "een ander wachtwoord\n");
    assert!(!ok && err.contains("no user called"), "{err}");
    let (ok, out, _) = run(bin().args(["desk", "users", "--db"]).arg(&db));
    assert!(ok && out.contains("Els de Boer") && out.contains("coordinator") && !out.contains("Piet"), "{out}");
    // Issue 26: made by the command line, in the audit log.
    let filter = burenlijn::store::accounts::AuditFilter::default();
    let store = burenlijn::store::Store::open(&db).unwrap();
    let log = store.read(|c| burenlijn::store::accounts::audit_log(c, &filter, 50)).unwrap();
    let cli = burenlijn::domain::audit::Actor::CommandLine.as_str();
    for kind in [burenlijn::domain::audit::AuditKind::AddedUser, burenlijn::domain::audit::AuditKind::SetPassword] {
        assert!(log.iter().any(|e| e.user_name == cli && e.recorded.kind() == Some(kind)), "{kind:?}");
    }
    drop(store);
    // The stored password is the new one, hashed.
    let store = burenlijn::store::Store::open(&db).unwrap();
    let user = store.read(|c| burenlijn::store::accounts::find_user(c, "els de boer")).unwrap().unwrap();
    assert!(user.password_hash.starts_with("$argon2id$"));
    assert!(burenlijn::web::desk::verify_password("een ander wachtwoord", Some(&user.password_hash)));
    assert!(!burenlijn::web::desk::verify_password("de kat zit op de mat", Some(&user.password_hash)));
    // An account disabled from the page is turned back on from the server.
    store.write(|tx| burenlijn::store::accounts::set_disabled(tx, user.id, true, jiff::Timestamp::now())).unwrap();
    drop(store);
    let (ok, out, _) = run(bin().args(["desk", "enable", "els de boer", "--db"]).arg(&db));
    assert!(ok && out.contains("'Els de Boer' can log in again"), "{out}");
    let (ok, out, _) = run(bin().args(["desk", "users", "--db"]).arg(&db));
    assert!(ok && out.lines().any(|l| l.starts_with("Els de Boer") && l.contains(" active ")), "{out}");
    let (ok, _, err) = run(bin().args(["desk", "enable", "Niemand", "--db"]).arg(&db));
    assert!(!ok && err.contains("no user called 'Niemand'"), "{err}");
}

/// Only checks that `bench desk` runs at a small size and reports every page.
#[test]
fn bench_desk_runs_at_a_small_size() {
    let (ok, out, err) =
        run(bin().args(["bench", "desk", "--calls", "3000", "--participants", "50", "--requests", "2", "--json"]));
    assert!(ok, "{out}\n{err}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["calls"], 3000);
    let pages = report["pages"].as_array().unwrap();
    assert!(pages.len() >= 10);
    for p in pages {
        assert!(p["p99_ms"].as_f64().unwrap() > 0.0 && p["bytes"].as_u64().unwrap() > 500, "{p}");
    }
}

#[test]
fn the_desk_opens_a_call_back_request_and_it_is_listed_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    let plans = dir.path().join("plans");
    std::fs::create_dir(&plans).unwrap();
    std::fs::write(plans.join("buurt.toml"), burenlijn::config::example_dialplan_in_waves()).unwrap();
    let (ok, out, err) = run(bin()
        .args(["callbacks", "new", "--phone", "020-1234567", "--category", "shopping", "--dialplans"])
        .arg(&plans)
        .arg("--db")
        .arg(&db)
        .env("BURENLIJN_NOW", TUESDAY_MORNING));
    assert!(ok, "{out}\n{err}");
    assert!(out.starts_with("request #1 is open until 2026-11-25T21:15:00Z"), "{out}");
    assert!(!out.contains("1234567"), "numbers are masked: {out}");
    // Another process (as after a restart) sees it.
    let (ok, out, _) = run(bin().args(["callbacks", "--db"]).arg(&db));
    assert!(ok);
    assert!(out.contains("#1") && out.contains("open") && out.contains("shopping"), "{out}");
    // The name it had before is kept for scripts written then.
    let (ok, old, _) = run(bin().args(["requests", "--db"]).arg(&db));
    assert!(ok && old == out, "{old}");
    let (ok, _, err) = run(bin()
        .args(["callbacks", "new", "--phone", "020-1234567", "--category", "knitting", "--dialplans"])
        .arg(&plans)
        .arg("--db")
        .arg(&db));
    assert!(!ok && err.contains("--category 'knitting' is not in the dialplan"), "{err}");
    let (ok, _, err) =
        run(bin().args(["callbacks", "new", "--phone", "020-1234567", "--category", "shopping", "--db"]).arg(&db));
    assert!(!ok && err.contains("needs mode = \"waves\""), "{err}");
}

/// `round`: enrol, list, the log of the calls the round made (here by a running
/// switchboard on the same database), remove.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn round_enrols_lists_logs_and_removes() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db");
    let plans = dir.path().join("plans");
    std::fs::create_dir(&plans).unwrap();
    std::fs::write(plans.join("example.toml"), burenlijn::config::example_dialplan_in_waves()).unwrap();
    let csv = dir.path().join("p.csv");
    std::fs::write(&csv, PARTICIPANTS).unwrap();
    let (ok, out, err) =
        run(bin().args(["participants", "import"]).arg(&csv).arg("--db").arg(&db).arg("--dialplans").arg(&plans));
    assert!(ok, "{out}\n{err}");
    let add = |resident: &str| {
        let mut c = bin();
        c.args(["round", "add", resident, "--at", "09:30", "--days", "ma-vr", "--contact", "06-10000001"])
            .args(["--contact", "+31612345000", "--db"])
            .arg(&db)
            .arg("--dialplans")
            .arg(&plans)
            .env("BURENLIJN_NOW", "2026-12-01T08:00:00+01:00");
        run(&mut c)
    };
    let (ok, out, err) = add("020-1234567");
    assert!(ok, "{out}\n{err}");
    assert!(out.contains("Jan de Vries is now in the good-morning round: called at 09:30 on mon-fri, 3 tries 10 minutes apart, then 2 contact(s)"), "{out}");
    assert!(out.contains("not an emergency service (112)"), "{out}");
    let (ok, _, err) = add("06-19999999");
    assert!(!ok && err.contains("resident: ") && err.contains("is not a registered participant"), "{err}");
    let (ok, out, _) = run(bin().args(["round", "list", "--json", "--db"]).arg(&db));
    assert!(ok);
    let listed: Vec<serde_json::Value> = serde_json::from_str(&out).expect("one JSON array");
    assert_eq!(listed.len(), 1, "{out}");
    let listed = &listed[0];
    assert_eq!(
        (listed["resident"].as_str(), listed["at"].as_str(), listed["days"].as_str()),
        (Some("Jan de Vries"), Some("09:30"), Some("mon-fri"))
    );
    assert_eq!(listed["contacts"][0], "Anja Bakker");
    assert!(!out.contains("1234567") && !out.contains("12345000"), "numbers are masked: {out}");
    let (ok, out, _) = run(bin().args(["round", "list", "--json", "--show-numbers", "--db"]).arg(&db));
    assert!(ok && out.contains("\"+31201234567\"") && out.contains("\"+31612345000\""), "in full: {out}");

    // The switchboard on this database makes Tuesday's round.
    let start: jiff::Timestamp = "2026-12-01T09:30:00+01:00".parse().unwrap();
    let hoods = burenlijn::config::load(Some(&plans), None).unwrap();
    let sandbox = burenlijn::sim::Sandbox::start_waves(Some(db.clone()), hoods, start, None).await.unwrap();
    let network = sandbox.emulator.network.clone().unwrap();
    network.script_helpers([(JAN.to_string(), HelperAction::Accept)].into_iter().collect());
    burenlijn::switchboard::jobs::run_round(sandbox.state.switchboard.clone()).await.unwrap();
    network.lines_of_created_calls("round-1", std::time::Duration::from_secs(10)).await;
    let st = sandbox.state.clone();
    for _ in 0..500 {
        let done: i64 = st
            .switchboard
            .store
            .read(|c| Ok(c.query_row("SELECT count(*) FROM round_calls WHERE result IS NOT NULL", [], |r| r.get(0))?))
            .unwrap();
        if done == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    sandbox.stop().await.unwrap();
    let (ok, out, _) = run(bin().args(["round", "log", "--json", "--db"]).arg(&db));
    assert!(ok);
    let lines: Vec<serde_json::Value> = serde_json::from_str(&out).expect("one JSON array");
    let line = &lines[0];
    assert_eq!(
        (line["resident"].as_str(), line["who"].as_str(), line["try"].as_u64(), line["result"].as_str()),
        (Some("Jan de Vries"), Some("resident"), Some(1), Some("answered"))
    );
    assert_eq!(line["date"], "2026-12-01");

    let (ok, out, err) = run(bin().args(["round", "remove", "020-1234567", "--db"]).arg(&db));
    assert!(ok && out.contains("out of the good-morning round; their log stays"), "{out}{err}");
    let (ok, out, _) = run(bin().args(["round", "list", "--db"]).arg(&db));
    assert!(ok && out.contains("nobody is in the good-morning round"), "{out}");
    // The name it had before is kept for scripts written then.
    let (ok, out, _) = run(bin().args(["checkins", "list", "--db"]).arg(&db));
    assert!(ok && out.contains("nobody is in the good-morning round"), "{out}");
    let (ok, out, _) = run(bin().args(["round", "log", "--db"]).arg(&db));
    assert!(ok && out.contains("Jan de Vries") && out.contains("try 1") && out.contains("answered"), "{out}");
}

/// `planned` (issue 28): a request for later taken on the command line, refused inside
/// the lead time with what is possible, listed as one JSON array with its calls,
/// cancelled (the requester is to be told by phone), audited as the command line.
#[test]
fn planned_adds_lists_and_cancels_a_request_for_later() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("l.db");
    let plans = dir.path().join("plans");
    std::fs::create_dir(&plans).unwrap();
    // The example marks transport plannable a day ahead.
    std::fs::write(plans.join("buurt.toml"), burenlijn::config::example_dialplan_in_waves()).unwrap();
    let csv = dir.path().join("p.csv");
    std::fs::write(&csv, PARTICIPANTS).unwrap();
    let (ok, _, err) = run(bin().args(["participants", "import"]).arg(&csv).arg("--db").arg(&db));
    assert!(ok, "{err}");
    let add = |at: &str| {
        run(bin()
            .args(["planned", "add", "--from", "020-1234567", "--kind", "transport", "--at", at])
            .args(["--note", "naar het ziekenhuis", "--dialplans"])
            .arg(&plans)
            .arg("--db")
            .arg(&db)
            .env("BURENLIJN_NOW", "2026-12-07T10:00:00+01:00"))
    };
    let (ok, _, err) = add("2026-12-08 09:30");
    assert!(!ok);
    assert!(
        err.contains("--at: 2026-12-08T09:30:00 is sooner than the 24 hours this kind of help needs ahead; the earliest possible is 2026-12-08T10:00:00"),
        "{err}"
    );
    let (ok, out, err) = add("2026-12-08 10:00");
    assert!(ok, "{err}");
    assert!(out.starts_with("request #1 for 2026-12-08 10:00 in buurt"), "{out}");
    let (ok, _, err) = run(bin()
        .args([
            "planned",
            "add",
            "--from",
            "020-1234567",
            "--kind",
            "shopping",
            "--at",
            "2026-12-09 10:00",
            "--dialplans",
        ])
        .arg(&plans)
        .arg("--db")
        .arg(&db)
        .env("BURENLIJN_NOW", "2026-12-07T10:00:00+01:00"));
    assert!(!ok && err.contains("--kind: 'shopping' cannot be planned in buurt"), "{err}");

    let (ok, _, err) = run(bin().args(["planned", "cancel", "1", "--db"]).arg(&db));
    assert!(ok, "{err}");
    let (ok, _, err) = run(bin().args(["planned", "cancel", "1", "--db"]).arg(&db));
    assert!(!ok && err.contains("request 1 is cancelled-by-desk already"), "{err}");
    let (ok, out, err) = run(bin().args(["planned", "list", "--json", "--db"]).arg(&db));
    assert!(ok, "{err}");
    let list: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        list,
        serde_json::json!([{
            "id": 1, "kind": "transport", "at": "2026-12-08 10:00", "neighbourhood": "buurt",
            "requester": "Jan de Vries", "helper": null, "status": "cancelled-by-desk",
            "note": "naar het ziekenhuis",
            "calls": [{ "purpose": "tell-cancelled", "to": "Jan", "placed_at": null, "result": null }],
        }])
    );
    let (ok, out, _) = run(bin().args(["planned", "list", "--db"]).arg(&db));
    assert!(ok && out.contains("#1") && out.contains("cancelled-by-desk") && !out.contains("1234567"), "{out}");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let audited: Vec<(String, String)> = conn
        .prepare("SELECT action, detail FROM audit_log WHERE user_name = '#cli' AND action LIKE '%later%' ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        audited,
        [
            ("took a request for later".to_string(), "planned 1".to_string()),
            ("cancelled a request for later".to_string(), "planned 1".to_string())
        ]
    );
}
