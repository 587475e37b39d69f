//! Issue 27, the slow line, end to end through the emulator and read from the TwiML: a
//! participant on it hears a pause before each choice and waits longer for a key, and
//! still reaches a person within a minute when they press nothing; a helper on it gets
//! longer at the whisper; an ordinary caller's documents do not change. The setting comes
//! from the CSV, the desk's form and the phone (8, 5, 7), and goes back out in the export.

use burenlijn::config::Neighbourhoods;
use burenlijn::domain::desk::Role;
use burenlijn::sim::people::{HelperAction, Line, Script};
use burenlijn::sim::twiml::{parse_twiml, speaking_seconds, Verb};
use burenlijn::sim::Sandbox;

use crate::desk_support::{add_user, Browser};
use crate::support::*;

/// The test register with the CSV's optional `slow_line` column: Anja on the slow line.
fn register_with_slow_anja() -> String {
    let mut csv = String::new();
    for (i, line) in PARTICIPANTS.lines().enumerate() {
        let cell = match i {
            0 => "slow_line",
            _ if line.starts_with("Anja") => "yes",
            _ => "",
        };
        csv.push_str(&format!("{line},{cell}\n"));
    }
    csv
}

/// Dial mode, with the REST API (for the call back that confirms a change by phone).
async fn spawn_slow_app() -> TestApp {
    let start: jiff::Timestamp = TUESDAY_MORNING.parse().unwrap();
    let csv = Some(register_with_slow_anja());
    let sandbox = Sandbox::start_waves(None, Neighbourhoods::embedded(), start, csv).await.unwrap();
    TestApp { sandbox }
}

const ANJA_SLOW: &str = "SELECT slow_line FROM participants WHERE name = 'Anja Bakker'";

/// The first `<Gather>` of a document: its wait and what it says (pauses as seconds).
fn first_gather(body: &str) -> (u32, Vec<Verb>) {
    parse_twiml(body)
        .unwrap()
        .into_iter()
        .find_map(|v| match v {
            Verb::Gather { timeout, children, .. } => Some((timeout, children)),
            _ => None,
        })
        .expect("a menu")
}

/// Seconds the verbs take, as the emulator counts them.
fn seconds(verbs: &[Verb]) -> i64 {
    verbs
        .iter()
        .map(|v| match v {
            Verb::Say(t) | Verb::Play(t) => speaking_seconds(t),
            Verb::Pause(s) => i64::from(*s),
            _ => 0,
        })
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_caller_on_the_slow_line_hears_pauses_waits_longer_and_reaches_a_person_within_a_minute() {
    let app = spawn_slow_app().await;
    let report = app.call(ANJA, Script { desk_answers: true, ..Default::default() }).await;
    let (timeout, menu) = first_gather(&report.documents[0].1);
    let pauses = menu.iter().filter(|v| **v == Verb::Pause(1)).count();
    let said = menu.iter().filter(|v| matches!(v, Verb::Say(_))).count();
    assert!(pauses >= 4 && pauses + 1 == said, "a second's pause before each choice: {menu:?}");
    assert!(timeout > 8 && timeout <= 12, "longer than the dialplan's 8 s, within the minute: {timeout}");
    // The minute counts from the end of the greeting: the menu, the wait, and what is said
    // before the desk rings.
    let next = parse_twiml(&report.documents[1].1).unwrap();
    let before_the_desk: Vec<Verb> = next.into_iter().take_while(|v| !matches!(v, Verb::Dial { .. })).collect();
    let silent = seconds(&menu) + i64::from(timeout) + seconds(&before_the_desk);
    assert!(silent <= 60, "a person within a minute: {silent} s");
    assert!(report.lines.contains(&Line::DeskAnswers), "{:?}", caller_heard(&report));
    assert!(!caller_heard(&report).iter().any(|t| t.contains("meer tijd")), "the slow line had its time");
    let documents = report.documents.iter().filter(|(path, _)| !path.starts_with("/twilio/status")).count();
    assert_eq!(documents, 3, "menu, desk, goodbye: {:?}", report.documents);

    // An ordinary caller's menu is as before: no pauses, the dialplan's 8 seconds.
    let report = app.call(JAN, Script { desk_answers: true, ..Default::default() }).await;
    let (timeout, menu) = first_gather(&report.documents[0].1);
    assert_eq!(timeout, 8);
    assert!(!menu.iter().any(|v| matches!(v, Verb::Pause(_))), "{menu:?}");
    assert!(caller_heard(&report).iter().any(|t| t == "Wilt u meer tijd? Toets 1."));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_helper_on_the_slow_line_gets_longer_for_their_one_or_two() {
    let app = spawn_slow_app().await;
    let script = Script::keys(&["1"]).helper(ANJA, HelperAction::Decline).helper(BERT, HelperAction::Accept);
    let report = app.call(JAN, script).await;
    let whispers: Vec<&String> =
        report.documents.iter().filter(|(path, _)| path.contains("whisper?")).map(|(_, b)| b).collect();
    assert_eq!(whispers.len(), 2, "Anja, then Bert: {:?}", report.documents);
    assert_eq!(first_gather(whispers[0]).0, 12, "Anja is on the slow line");
    assert_eq!(first_gather(whispers[1]).0, 6, "Bert is not");
}

/// By phone: 8, 5 (the other choices), 7 asks for the slow line off; the call back's 1
/// makes it. The export then writes it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_slow_line_goes_off_by_phone_after_the_call_back_and_on_at_the_desk() {
    let app = spawn_slow_app().await;
    assert_eq!(app.count(ANJA_SLOW).await, 1, "from the CSV");
    let mut calls = app.network().answer_as_caller(ANJA);
    let heard = caller_heard(&app.call(ANJA, Script::keys(&["8", "5", "7"])).await);
    assert!(
        heard.iter().any(|t| t == "Wilt u de keuzes weer één keer horen, zonder extra tijd? Toets 7."),
        "{heard:?}"
    );
    assert!(heard.iter().any(|t| t.starts_with("Dank u wel. U vraagt: de keuzes weer één keer horen")), "{heard:?}");
    assert_eq!(app.count(ANJA_SLOW).await, 1, "caller ID alone changes nothing");
    let created = tokio::time::timeout(std::time::Duration::from_secs(10), calls.recv()).await.unwrap().unwrap();
    let heard = caller_heard(&app.sandbox.emulator.answer(created, &mut Script::keys(&["1"])).await.unwrap());
    assert!(heard.iter().any(|t| t == "Dat is goed. U hoort de keuzes voortaan één keer."), "{heard:?}");
    assert_eq!(app.count(ANJA_SLOW).await, 0, "the call back's 1 makes it");
    // Now an ordinary caller: her menu has no pauses.
    let report = app.call(ANJA, Script::keys(&["0"])).await;
    assert!(!first_gather(&report.documents[0].1).1.iter().any(|v| matches!(v, Verb::Pause(_))));

    // At the desk: the box on her form, ticked, saved, shown ticked again.
    add_user(&app, "Els", Role::Coordinator).await;
    let mut b = Browser::login(&app, "Els").await;
    let anja = app.count("SELECT id FROM participants WHERE name = 'Anja Bakker'").await;
    let page = b.get(&format!("/desk/participants/{anja}")).await;
    assert!(page.body.contains("name=\"slow_line\"") && !page.body.contains("name=\"slow_line\" checked"));
    let csrf = page.csrf();
    let form = [
        ("csrf", csrf.as_str()),
        ("name", "Anja Bakker"),
        ("phone", "06-10000001"),
        ("offers", "shopping"),
        ("available", "mon-fri 09:00-17:00"),
        ("street", "Molenweg"),
        ("distance", "any"),
        ("slow-line-shown", "1"),
        ("slow_line", "on"),
    ];
    let saved = b.post(&format!("/desk/participants/{anja}"), &form).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(app.count(ANJA_SLOW).await, 1, "ticked at the desk");
    let page = b.get(&format!("/desk/participants/{anja}")).await;
    assert!(page.body.contains("name=\"slow_line\" checked"), "shown ticked");
    let audited = "SELECT count(*) FROM audit_log WHERE action = 'changed participant' AND user_name = 'Els'";
    assert_eq!(app.count(audited).await, 1);
    // A form without the box (an older page) keeps it.
    let saved = b.post(&format!("/desk/participants/{anja}"), &form[..7]).await;
    assert_eq!(saved.status, 303);
    assert_eq!(app.count(ANJA_SLOW).await, 1, "kept");
    let export = b.get("/desk/participants.csv").await;
    assert!(export
        .body
        .starts_with("naam,telefoon,helpt_met,beschikbaar,straat,postcode,afstand,buurten,taal,langzame_lijn"));
    assert!(
        export.body.lines().any(|l| l.starts_with("Anja Bakker,") && l.ends_with(",example,,yes,any,always,no,")),
        "{}",
        export.body
    );
}

/// `burenlijn demo --slow-line` shows it: the pauses, the wait, the desk within a minute.
#[test]
fn the_demo_shows_the_slow_line() {
    let (ok, out, err) = crate::cli::run(crate::cli::bin().args(["demo", "--slow-line"]));
    assert!(ok, "{out}\n{err}");
    assert!(
        out.contains("Her menu's TwiML: 7 pauses of a second (<Pause length=\"1\"/>) and a wait of 12 s;"),
        "{out}"
    );
    let seconds: i64 = out
        .split("to the desk's phone ringing: ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|s| s.trim_end_matches('.').parse().ok())
        .expect("the seconds to the desk");
    assert!(seconds <= 60, "{out}");
    assert!(out.contains("the desk answers and talks with the caller"), "{out}");
}
