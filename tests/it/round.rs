//! The good-morning round, end to end through the emulator's REST side with the clock
//! moved: the switchboard calls Jan every weekday at 09:30; when he does not answer, his
//! contacts one by one; when no one says they will go and look, the desk.

use std::collections::HashMap;
use std::time::Duration;

use burenlijn::domain::call::Outcome;
use burenlijn::sim::network::KeyAndEnd;
use burenlijn::sim::people::{HelperAction, Line, Script};
use burenlijn::store::round::LogRow;
use burenlijn::switchboard::round::{self, Enrolling};

use crate::support::*;

/// Tuesday 1 December 2026, before Jan's time; the desk is open (mon-fri 09:00-12:30).
pub(crate) const TUESDAY_0925: &str = "2026-12-01T09:25:00+01:00";
/// A relative of Jan's: a plain number, not in the register.
pub(crate) const RELATIVE: &str = "+31612345000";
pub(crate) const DESK_PHONE: &str = "+31850000001";

async fn round_app(start: &str) -> TestApp {
    spawn_waves_app_at(start, 2, |p| p).await
}

/// The round's app through `provider` (its emulator's REST API places the calls).
pub(crate) async fn round_app_through(provider: Provider, start: &str) -> TestApp {
    spawn_waves_app_through(provider, start, 2, |p| p).await
}

/// Enrols `resident` at 09:30 on `days` with these contacts.
fn enrol(app: &TestApp, resident: &str, days: &str, tries: u32, contacts: &[&str]) {
    let e = Enrolling {
        resident_phone: resident.into(),
        at: "09:30".into(),
        days: days.into(),
        contacts: contacts.iter().map(|c| c.to_string()).collect(),
        tries: Some(tries),
        ..Default::default()
    };
    let sb = app.sandbox.state.switchboard.clone();
    let now = sb.clock.now();
    let hoods = sb.neighbourhoods.current();
    let enrolled = sb.store.write(|tx| round::enrol(tx, &hoods, &e, "test", now)).unwrap();
    assert!(matches!(enrolled, Ok((_, true))), "{enrolled:?}");
}

/// Enrols Jan at 09:30 on weekdays with these contacts.
pub(crate) async fn enrol_jan(app: &TestApp, tries: u32, contacts: &[&str]) {
    enrol(app, JAN, "ma-vr", tries, contacts);
}

pub(crate) async fn run_round(app: &TestApp) -> usize {
    burenlijn::switchboard::jobs::run_round(app.sandbox.state.switchboard.clone()).await.unwrap()
}

pub(crate) async fn round_log(app: &TestApp) -> Vec<LogRow> {
    let st = app.sandbox.state.clone();
    let mut rows = tokio::task::spawn_blocking(move || {
        st.switchboard.store.read(|c| burenlijn::store::round::log(c, None, None, 100)).unwrap()
    })
    .await
    .unwrap();
    rows.reverse();
    rows
}

pub(crate) fn results(log: &[LogRow]) -> Vec<(String, u32, Option<String>)> {
    log.iter().map(|r| (r.who.clone(), r.n, r.result.map(|w| w.as_str().to_string()))).collect()
}

pub(crate) async fn lines_of_morning(app: &TestApp, morning: i64) -> Vec<Line> {
    app.network().lines_of_created_calls(&format!("round-{morning}"), Duration::from_secs(10)).await
}

pub(crate) fn heard_by(lines: &[Line], who: &str) -> Vec<String> {
    lines
        .iter()
        .filter_map(|l| match l {
            Line::HelperHears { number, text } if number == who => Some(text.clone()),
            _ => None,
        })
        .collect()
}

pub(crate) fn script(actions: &[(&str, HelperAction)]) -> HashMap<String, HelperAction> {
    actions.iter().map(|(n, a)| (n.to_string(), a.clone())).collect()
}

pub(crate) const OVER: &str = "SELECT count(*) FROM round_mornings WHERE ended_at IS NOT NULL";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jan_answers_and_presses_1_once_a_morning() {
    let app = round_app(TUESDAY_0925).await;
    enrol_jan(&app, 3, &[ANJA, RELATIVE]).await;
    app.network().script_helpers(script(&[(JAN, HelperAction::Accept)]));
    assert_eq!(run_round(&app).await, 0, "not before his time");
    clock_to(&app, "2026-12-01T09:30:00+01:00");
    assert_eq!(run_round(&app).await, 1);
    wait_for(&app, OVER, 1).await;
    let lines = lines_of_morning(&app, 1).await;
    let heard = heard_by(&lines, JAN);
    assert_eq!(heard[0], "Goedemorgen Jan. Hier is de Burenlijn, voor de goedemorgenronde.");
    assert!(
        heard[1].contains("Dit is geen hulp bij spoed. Bij spoed belt u 1 1 2."),
        "the first call says what it is: {heard:?}"
    );
    assert!(heard.iter().any(|t| t == "Gaat alles goed? Toets 1."), "{heard:?}");
    assert_eq!(heard.last().map(String::as_str), Some("Fijn om te horen. Een fijne dag!"));
    // The status callback that follows the key changes nothing.
    wait_for(&app, "SELECT count(*) FROM round_calls WHERE ended_at IS NOT NULL", 1).await;
    assert_eq!(results(&round_log(&app).await), [("resident".into(), 1, Some("answered".into()))]);
    assert_eq!(app.count("SELECT count(*) FROM round_mornings WHERE stage = 'answered'").await, 1);
    // Never twice a morning; the next morning again, without the explanation.
    clock_to(&app, "2026-12-01T09:45:00+01:00");
    assert_eq!(run_round(&app).await, 0);
    clock_to(&app, "2026-12-02T09:30:00+01:00");
    assert_eq!(run_round(&app).await, 1);
    wait_for(&app, OVER, 2).await;
    let heard = heard_by(&lines_of_morning(&app, 2).await, JAN);
    assert!(!heard.iter().any(|t| t.contains("1 1 2")), "said on the first morning only: {heard:?}");
    assert_eq!(app.count("SELECT count(*) FROM follow_ups").await, 0, "nothing for the desk");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_tries_then_the_first_contact_goes_and_looks() {
    let app = round_app(TUESDAY_0925).await;
    enrol_jan(&app, 3, &[ANJA, RELATIVE]).await;
    app.network().script_helpers(script(&[(JAN, HelperAction::NoAnswer), (ANJA, HelperAction::Accept)]));
    clock_to(&app, "2026-12-01T09:30:00+01:00");
    assert_eq!(run_round(&app).await, 1);
    for (n, at) in [(1, "2026-12-01T09:40:00+01:00"), (2, "2026-12-01T09:50:00+01:00")] {
        wait_for(&app, "SELECT count(*) FROM round_mornings WHERE stage = 'waiting'", 1).await;
        clock_to(&app, &at.replace(":40:", ":39:").replace(":50:", ":49:"));
        run_round(&app).await;
        assert_eq!(
            app.count("SELECT count(*) FROM round_calls WHERE who = 'resident'").await,
            n,
            "not before the ten minutes"
        );
        clock_to(&app, at);
        run_round(&app).await;
    }
    wait_for(&app, OVER, 1).await;
    let log = round_log(&app).await;
    assert_eq!(
        results(&log),
        [
            ("resident".into(), 1, Some("no-answer".into())),
            ("resident".into(), 2, Some("no-answer".into())),
            ("resident".into(), 3, Some("no-answer".into())),
            ("contact".into(), 1, Some("confirmed".into())),
        ]
    );
    assert_eq!(log[3].confirmed_by.as_deref(), Some("Anja Bakker"));
    let heard = heard_by(&lines_of_morning(&app, 1).await, ANJA);
    assert_eq!(heard[0], "Hier is de Burenlijn. Jan uit de Kerkstraat nam vanmorgen niet op bij de goedemorgenronde.");
    assert_eq!(heard[1], "Kunt u even bij Jan gaan kijken? Toets 1 als u dat doet.");
    assert_eq!(heard.last().map(String::as_str), Some("Dank u wel. Fijn dat u even bij Jan gaat kijken."));
    assert!(!heard.iter().any(|t| t.contains("+31") || t.contains("06")), "a first name and street only: {heard:?}");
    assert_eq!(
        app.count("SELECT count(*) FROM round_calls WHERE phone = '+31612345000'").await,
        0,
        "the relative is not called"
    );
    assert_eq!(app.count("SELECT count(*) FROM follow_ups").await, 0);
}

// Nobody confirms, the desk's phone rings: `matrix::round_nobody_confirms_and_the_desk_phone_rings`,
// on both providers.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_saturday_the_desk_phone_is_not_rung_but_the_follow_up_is_there() {
    let app = round_app("2026-12-05T09:25:00+01:00").await;
    enrol(&app, JAN, "daily", 1, &[RELATIVE]);
    app.network().script_helpers(script(&[(JAN, HelperAction::Failed), (RELATIVE, HelperAction::NoAnswer)]));
    clock_to(&app, "2026-12-05T09:30:00+01:00");
    run_round(&app).await;
    wait_for(&app, OVER, 1).await;
    assert_eq!(app.count("SELECT count(*) FROM round_mornings WHERE stage = 'desk-alerted'").await, 1);
    assert_eq!(app.count("SELECT count(*) FROM follow_ups WHERE urgent = 1").await, 1);
    assert_eq!(app.count("SELECT count(*) FROM round_calls WHERE who = 'desk'").await, 0, "the desk is closed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn her_voicemail_answers_which_is_not_answered() {
    let app = round_app(TUESDAY_0925).await;
    enrol_jan(&app, 2, &[ANJA]).await;
    app.network().script_helpers(script(&[(JAN, HelperAction::Silent), (ANJA, HelperAction::Accept)]));
    clock_to(&app, "2026-12-01T09:30:00+01:00");
    run_round(&app).await;
    wait_for(&app, "SELECT count(*) FROM round_mornings WHERE stage = 'waiting'", 1).await;
    let heard = heard_by(&lines_of_morning(&app, 1).await, JAN);
    assert_eq!(heard.last().map(String::as_str), Some("Ik hoorde geen toets. We bellen u straks nog een keer."));
    clock_to(&app, "2026-12-01T09:40:00+01:00");
    run_round(&app).await;
    wait_for(&app, OVER, 1).await;
    assert_eq!(
        results(&round_log(&app).await),
        [
            ("resident".into(), 1, Some("no-key".into())),
            ("resident".into(), 2, Some("no-key".into())),
            ("contact".into(), 1, Some("confirmed".into())),
        ]
    );
    let st = app.sandbox.state.clone();
    let figures = tokio::task::spawn_blocking(move || {
        st.switchboard.store.read(|c| {
            burenlijn::store::round::figures(
                c,
                jiff::Timestamp::UNIX_EPOCH,
                jiff::Timestamp::MAX,
                &burenlijn::store::scope::Scope::all(),
            )
        })
    })
    .await
    .unwrap()
    .unwrap();
    assert_eq!((figures.rounds, figures.answered_first_time, figures.contacts_alerted), (1, 0, 1));
}

/// Jan presses 2: the main menu, exactly as if he had called, and a normal search follows
/// (in `dial` mode: the example dialplan, with the REST API for the round's own calls).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jan_presses_2_and_asks_for_shopping_and_a_neighbour_is_found() {
    let start: jiff::Timestamp = TUESDAY_0925.parse().unwrap();
    let sandbox = burenlijn::sim::Sandbox::start_waves(
        None,
        burenlijn::config::Neighbourhoods::embedded(),
        start,
        Some(PARTICIPANTS.to_string()),
    )
    .await
    .unwrap();
    let app = TestApp { sandbox };
    enrol_jan(&app, 3, &[ANJA]).await;
    let mut calls = app.network().answer_as_caller(JAN);
    clock_to(&app, "2026-12-01T09:30:00+01:00");
    run_round(&app).await;
    let created = tokio::time::timeout(Duration::from_secs(10), calls.recv()).await.unwrap().unwrap();
    let sid = created.sid.clone();
    let report = app.sandbox.emulator.answer(created, &mut Script::keys(&["2", "1"])).await.unwrap();
    let heard = caller_heard(&report);
    assert_eq!(heard[0], "Goedemorgen Jan. Hier is de Burenlijn, voor de goedemorgenronde.");
    assert!(heard.iter().any(|t| t.starts_with("Waarmee kunnen we u helpen?")), "the main menu: {heard:?}");
    assert!(!heard.iter().any(|t| t.contains("Fijn dat u belt")), "not greeted twice: {heard:?}");
    assert!(
        report.lines.iter().any(|l| matches!(l, Line::Connected { .. })),
        "a neighbour is found: {:#?}",
        report.lines
    );
    let log = app.log_of_sid(&sid).await;
    assert_eq!((log.outcome.map(|o| o.as_str()), log.category.as_deref()), (Some("matched"), Some("shopping")));
    assert_eq!(log.caller_name.as_deref(), Some("Jan de Vries"), "the resident is the caller");
    wait_for(&app, "SELECT count(*) FROM calls WHERE ended_at IS NOT NULL", 1).await;
    assert_eq!(results(&round_log(&app).await), [("resident".into(), 1, Some("asked-for-help".into()))]);
    assert_eq!(app.count("SELECT count(*) FROM round_mornings WHERE stage = 'asked-for-help'").await, 1);
    // The request counts as one, like any call.
    assert_eq!(app.count("SELECT count(*) FROM calls").await, 1);
}

/// A restart just before his time still calls him at his time; a round missed by more
/// than half an hour while the service was down becomes an urgent follow-up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_just_before_his_time_and_a_morning_missed_while_down() {
    if std::env::var("TEST_LOG").is_ok() {
        let _ = tracing_subscriber::fmt().with_env_filter("debug").with_test_writer().try_init();
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("burenlijn.db");
    let plan = burenlijn::config::example_dialplan_in_waves();
    std::fs::write(dir.path().join("example.toml"), plan).unwrap();
    let hoods = || burenlijn::config::load(Some(dir.path()), None).unwrap();
    let start = |at: &str| at.parse::<jiff::Timestamp>().unwrap();
    let first = burenlijn::sim::Sandbox::start_waves(
        Some(db.clone()),
        hoods(),
        start("2026-12-01T09:00:00+01:00"),
        Some(PARTICIPANTS.to_string()),
    )
    .await
    .unwrap();
    let app = TestApp { sandbox: first };
    enrol_jan(&app, 3, &[ANJA]).await;
    clock_to(&app, "2026-12-01T09:29:00+01:00");
    app.sandbox.stop().await.unwrap();

    // Back at 09:29:30: nothing yet; at 09:30 he is called, once.
    let again =
        burenlijn::sim::Sandbox::start_waves(Some(db.clone()), hoods(), start("2026-12-01T09:29:30+01:00"), None)
            .await
            .unwrap();
    let app = TestApp { sandbox: again };
    app.network().script_helpers(script(&[(JAN, HelperAction::Accept)]));
    assert_eq!(run_round(&app).await, 0);
    clock_to(&app, "2026-12-01T09:30:00+01:00");
    assert_eq!(run_round(&app).await, 1);
    assert_eq!(run_round(&app).await, 0);
    wait_for(&app, OVER, 1).await;
    app.sandbox.stop().await.unwrap();

    // Down on Wednesday morning until 10:01: too late to make up. The jobs at start tell the desk.
    let late =
        burenlijn::sim::Sandbox::start_waves(Some(db.clone()), hoods(), start("2026-12-02T10:01:00+01:00"), None)
            .await
            .unwrap();
    let app = TestApp { sandbox: late };
    run_round(&app).await;
    wait_for(&app, "SELECT count(*) FROM follow_ups WHERE urgent = 1 AND reason = 'round-missed'", 1).await;
    assert_eq!(app.count("SELECT count(*) FROM round_calls").await, 1, "Wednesday's round is not made");
    // Thursday, back within half an hour of his time: made up.
    clock_to(&app, "2026-12-03T09:55:00+01:00");
    app.network().script_helpers(script(&[(JAN, HelperAction::Accept)]));
    assert_eq!(run_round(&app).await, 1);
    wait_for(&app, OVER, 3).await;
    app.sandbox.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn days_off_by_the_desk_and_by_phone_until_he_calls_again() {
    let app = round_app(TUESDAY_0925).await;
    enrol_jan(&app, 3, &[ANJA]).await;
    app.network().script_helpers(script(&[(JAN, HelperAction::Accept)]));
    // The desk: away Tuesday and Wednesday.
    let sb = app.sandbox.state.switchboard.clone();
    let jan_id = app.count("SELECT id FROM participants WHERE phone = '+31201234567'").await;
    let (from, until) = (jiff::civil::date(2026, 12, 1), jiff::civil::date(2026, 12, 2));
    sb.store.write(|tx| burenlijn::store::round::set_away(tx, jan_id, Some((from, until)), sb.clock.now())).unwrap();
    clock_to(&app, "2026-12-01T09:30:00+01:00");
    assert_eq!(run_round(&app).await, 0, "away");
    // Jan calls on Tuesday afternoon: 8, 5 (the other choices), then 6, "no good-morning
    // call until I call again".
    clock_to(&app, "2026-12-01T14:00:00+01:00");
    let report = app.call(JAN, Script::keys(&["8", "5", "6"])).await;
    let heard = caller_heard(&report);
    assert!(
        heard.iter().any(|t| t.contains("Bent u een tijdje weg, en wilt u geen goedemorgenbelletje? Toets 6.")),
        "{heard:?}"
    );
    // Asked for, and made only on the call back to his number (issue 25), where he presses 1.
    assert!(
        heard.iter().any(|t| t.starts_with("Dank u wel. U vraagt: geen goedemorgenbelletje, tot u zelf weer belt.")),
        "{heard:?}"
    );
    assert!(!heard.iter().any(|t| t.starts_with("Dat is goed.")), "not on this call: {heard:?}");
    let confirmed = heard_by(&app.network().lines_of_created_calls("confirm-1", Duration::from_secs(10)).await, JAN);
    assert_eq!(confirmed[0], "Goedemiddag Jan. Hier is de Burenlijn. U belde ons net.");
    assert!(
        confirmed.iter().any(|t| t == "Dat is goed. U krijgt geen goedemorgenbelletje, tot u zelf weer belt."),
        "{confirmed:?}"
    );
    wait_for(&app, "SELECT count(*) FROM round_residents WHERE paused = 1", 1).await;
    assert_eq!(
        app.count("SELECT count(*) FROM audit_log WHERE action = 'good-morning round paused by phone'").await,
        1
    );
    clock_to(&app, "2026-12-03T09:30:00+01:00");
    assert_eq!(run_round(&app).await, 0, "paused, and no longer away");
    // He calls again (for anything): the round is on again.
    clock_to(&app, "2026-12-03T15:00:00+01:00");
    app.call(JAN, Script::default()).await;
    assert_eq!(app.count("SELECT count(*) FROM round_residents WHERE paused = 0").await, 1);
    clock_to(&app, "2026-12-04T09:30:00+01:00");
    assert_eq!(run_round(&app).await, 1);
    // An unknown caller, or a participant not in the round, never hears of it.
    let report = app.call(ANJA, Script::keys(&["8"])).await;
    assert!(!caller_heard(&report).iter().any(|t| t.contains("goedemorgenbelletje")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enrolment_refuses_what_cannot_work_and_names_the_field() {
    let app = round_app(TUESDAY_0925).await;
    let sb = app.sandbox.state.switchboard.clone();
    let hoods = sb.neighbourhoods.current();
    let base = Enrolling {
        resident_phone: JAN.into(),
        at: "09:30".into(),
        days: "ma-vr".into(),
        contacts: vec![ANJA.into()],
        ..Default::default()
    };
    let cases: Vec<(Enrolling, &str)> = vec![
        (Enrolling { resident_phone: "+31699999999".into(), ..base.clone() }, "resident: "),
        (Enrolling { at: "9.30".into(), ..base.clone() }, "at: '9.30' is not a time"),
        (Enrolling { at: "07:00".into(), ..base.clone() }, "at: 07:00 is outside the ringing hours"),
        (Enrolling { days: "ma-xx".into(), ..base.clone() }, "days: 'xx' is not a day"),
        (Enrolling { contacts: vec![], ..base.clone() }, "contact: give at least one"),
        (Enrolling { contacts: vec![JAN.into()], ..base.clone() }, "contact 1: the resident cannot be their own"),
        (
            Enrolling { contacts: vec![ANJA.into(), "06-10000001".into()], ..base.clone() },
            "contact 2: this number is given twice",
        ),
        (Enrolling { contacts: vec!["12".into()], ..base.clone() }, "contact 1: "),
        (Enrolling { tries: Some(0), ..base.clone() }, "tries: "),
    ];
    for (e, want) in cases {
        let got = sb.store.write(|tx| round::enrol(tx, &hoods, &e, "test", sb.clock.now())).unwrap();
        let err = got.expect_err("refused").to_string();
        assert!(err.starts_with(want), "{err} should start with {want}");
    }
    assert_eq!(app.count("SELECT count(*) FROM round_residents").await, 0, "nothing stored");
}

/// The desk in Chromium: the urgent alert on the Now page and at the top of the queue,
/// then Jan enrolled with two contacts on the round's page; every page axe-clean.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_desk_sees_the_alert_and_enrols_jan_in_chromium() {
    let app = round_app(TUESDAY_0925).await;
    enrol(&app, CARLA, "ma-vr", 1, &[RELATIVE]);
    app.network().script_helpers(script(&[(CARLA, HelperAction::NoAnswer), (RELATIVE, HelperAction::NoAnswer)]));
    clock_to(&app, "2026-12-01T09:30:00+01:00");
    run_round(&app).await;
    wait_for(&app, "SELECT count(*) FROM round_mornings WHERE stage = 'desk-alerted'", 1).await;
    crate::desk_support::add_user(&app, "Els", burenlijn::domain::desk::Role::Desk).await;
    crate::browser::run_browser(&app, "round.mjs", std::future::ready(())).await;
    assert_eq!(
        app.count("SELECT count(*) FROM round_residents r JOIN round_contacts c ON c.resident_id = r.participant_id JOIN participants p ON p.id = r.participant_id WHERE p.name = 'Jan de Vries' AND r.at = '09:30' AND r.days = 31").await,
        2,
        "Jan with his two contacts"
    );
    assert_eq!(
        app.count(
            "SELECT count(*) FROM audit_log WHERE action = 'enrolled in the good-morning round' AND user_name = 'Els'"
        )
        .await,
        1
    );
}

/// The Now page in Chromium with a call for one's own settings, a message for the desk, a call
/// the desk took (green, issue 29), a
/// yes that was never confirmed and a round alert: each row's border and badge have one
/// colour, the four totals count them (nothing that asked for no help is "no neighbour
/// found"), on first render and after a call arrives live.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_now_page_s_colours_and_totals_agree_before_and_after_live_updates_in_chromium() {
    let mut app = spawn_waves_app_at(TUESDAY_0925, 1, |p| p).await;
    // The round reaches nobody: the desk is alerted.
    enrol(&app, CARLA, "ma-vr", 1, &[RELATIVE]);
    app.network().script_helpers(script(&[(CARLA, HelperAction::NoAnswer), (RELATIVE, HelperAction::NoAnswer)]));
    clock_to(&app, "2026-12-01T09:30:00+01:00");
    run_round(&app).await;
    wait_for(&app, "SELECT count(*) FROM calls WHERE outcome = 'round'", 1).await;
    // Issue 29: a caller who spoke with the desk (0, in office hours): a good end, green.
    let mut to_desk = Script::keys(&["0"]);
    to_desk.desk_answers = true;
    let desk = app.call(JAN, to_desk).await;
    assert_eq!(app.log_of(&desk).await.outcome, Some(Outcome::Desk));
    // Anja hears her own settings, then leaves a word for the desk.
    let settings = app.call(ANJA, Script::keys(&["8"])).await;
    assert_eq!(app.log_of(&settings).await.outcome, Some(Outcome::OwnSettings));
    let mut word = Script::keys(&["8", "0"]);
    word.message_seconds = Some(30);
    let message = app.call(ANJA, word).await;
    assert_eq!(app.log_of(&message).await.outcome, Some(Outcome::Message));
    // Jan's call: a yes, then an outage to the end of the call (as in `waves.rs`).
    app.sandbox.emulator.fallback_twiml = Some(include_str!("../../deploy/fallback.xml").to_string());
    app.network().go_down_after_next_yes();
    let lost = app.call(JAN, Script::keys(&["1"]).helper(ANJA, HelperAction::Accept)).await;
    app.network().come_back();
    app.sandbox.clock.advance(16 * 60);
    burenlijn::switchboard::jobs::sweep_all(&app.sandbox.state.switchboard).await.unwrap();
    app.sandbox.clock.advance(3 * 3600);
    burenlijn::switchboard::jobs::sweep_all(&app.sandbox.state.switchboard).await.unwrap();
    assert_eq!(app.log_of(&lost).await.outcome, Some(Outcome::Unconfirmed));
    // Issue 29: a neighbour found, and a caller who hung up as the yes came.
    let found = app.call(DIRK, Script::keys(&["1"]).helper(ANJA, HelperAction::Accept)).await;
    assert_eq!(app.log_of(&found).await.outcome, Some(Outcome::Matched));
    app.network().hang_up_before_the_next_join();
    let gone = app.call(DIRK, Script::keys(&["1"]).helper(BERT, HelperAction::Accept)).await;
    assert_eq!(app.log_of(&gone).await.outcome, Some(Outcome::Abandoned));
    assert_eq!(app.count("SELECT count(*) FROM calls").await, 7, "these seven calls, and no other");

    crate::desk_support::add_user(&app, "Els", burenlijn::domain::desk::Role::Desk).await;
    // While the page is open, Bert hears his own settings.
    let live = async {
        let bert = app.call(BERT, Script::keys(&["8"])).await;
        assert_eq!(app.log_of(&bert).await.outcome, Some(Outcome::OwnSettings));
    };
    crate::browser::run_browser(&app, "colours.mjs", live).await;
}

/// A refused enrolment says which field is wrong, in the desk's words, and keeps what was
/// typed; nothing is stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_desk_s_enrolment_form_names_the_field_and_keeps_what_was_typed() {
    let app = round_app(TUESDAY_0925).await;
    crate::desk_support::add_user(&app, "Els", burenlijn::domain::desk::Role::Desk).await;
    let mut els = crate::desk_support::Browser::login(&app, "Els").await;
    let csrf = els.csrf().await;
    let form = [
        ("csrf", csrf.as_str()),
        ("resident", "+31201234567"),
        ("at", "07:15"),
        ("day", "mon"),
        ("day", "wed"),
        ("contact", "06-10000001"),
        ("contact", "+31612345000"),
    ];
    let page = els.post("/desk/round", &form).await;
    assert_eq!(page.status, 400);
    assert!(page.body.contains("Tijd: 07:15 valt op maandag buiten de uren waarin de centrale belt"), "{}", page.body);
    for kept in ["value=\"07:15\"", "value=\"06-10000001\"", "value=\"+31612345000\""] {
        assert!(page.body.contains(kept), "{kept} is kept");
    }
    assert!(page.body.contains("value=\"+31201234567\" selected"), "Jan stays chosen");
    assert_eq!(app.count("SELECT count(*) FROM round_residents").await, 0);
    let mut fixed = form;
    fixed[2] = ("at", "09:15");
    let page = els.post("/desk/round", &fixed).await;
    assert_eq!((page.status, page.location.as_deref()), (303, Some("/desk/round?saved=1")));
    assert_eq!(app.count("SELECT count(*) FROM round_residents WHERE days = 5 AND at = '09:15'").await, 1);
    // Jan's own page says so.
    let jan = app.count("SELECT id FROM participants WHERE phone = '+31201234567'").await;
    let page = els.get(&format!("/desk/participants/{jan}")).await;
    assert!(page.body.contains("In de goedemorgenronde: gebeld om 09:15, ma,wo"), "{}", page.body);
}

/// Jan presses 1 and hangs up at once: the call's end and his key race (Twilio sends the
/// final status callback without waiting for the key's webhook). In either order he is
/// fine, and he is not called again. Each order is forced in a run of its own (the
/// emulator's `KeyAndEnd`), so both are run every time, not as the scheduler falls.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_and_the_end_of_the_call_in_either_order() {
    for order in [KeyAndEnd::KeyFirst, KeyAndEnd::EndFirst] {
        let app = round_app(TUESDAY_0925).await;
        enrol_jan(&app, 3, &[ANJA]).await;
        app.network().script_helpers(script(&[(JAN, HelperAction::AcceptAndHangUpAtOnce)]));
        app.network().key_and_end(order);
        for day in ["2026-12-01", "2026-12-02"] {
            clock_to(&app, &format!("{day}T09:30:00+01:00"));
            assert_eq!(run_round(&app).await, 1, "{order:?} {day}: {:?}", round_log(&app).await);
            wait_for(&app, "SELECT count(*) FROM round_calls WHERE result IS NULL", 0).await;
            app.network().lines_when_done("", Duration::from_millis(50)).await;
        }
        wait_for(&app, "SELECT count(*) FROM round_mornings WHERE stage = 'answered'", 2).await;
        clock_to(&app, "2026-12-02T09:45:00+01:00");
        run_round(&app).await;
        assert_eq!(app.count("SELECT count(*) FROM round_calls").await, 2, "{order:?}: one call a morning");
        assert_eq!(
            app.count("SELECT count(*) FROM round_calls WHERE result = 'answered' AND key = '1'").await,
            2,
            "{order:?}: {:?}",
            round_log(&app).await
        );
    }
}

/// The end of Jan's call was never reported (lost while the service was down): after a
/// quarter of an hour it counts as not answered, and the morning moves on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_whose_end_was_never_reported_counts_as_not_answered() {
    let app = round_app(TUESDAY_0925).await;
    enrol_jan(&app, 2, &[ANJA]).await;
    app.network().script_helpers(script(&[(JAN, HelperAction::NoAnswer), (ANJA, HelperAction::Accept)]));
    app.network().lose_status_callbacks();
    clock_to(&app, "2026-12-01T09:30:00+01:00");
    run_round(&app).await;
    app.network().lines_of_created_calls("round-1", Duration::from_secs(10)).await;
    clock_to(&app, "2026-12-01T09:44:00+01:00");
    run_round(&app).await;
    assert_eq!(app.count("SELECT count(*) FROM round_calls WHERE result IS NULL").await, 1, "not yet");
    clock_to(&app, "2026-12-01T09:46:00+01:00");
    run_round(&app).await;
    assert_eq!(
        results(&round_log(&app).await),
        [("resident".into(), 1, Some("never-reported".into()))],
        "counted as not answered"
    );
    assert_eq!(app.count("SELECT count(*) FROM round_mornings WHERE stage = 'waiting'").await, 1);
}

/// Without the REST API (no TWILIO_ACCOUNT_SID) nobody can be called: the desk hears at
/// once that the round could not be made, instead of nothing happening.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_rest_api_the_desk_is_told_the_round_could_not_be_made() {
    let app = spawn_app_at(TUESDAY_0925).await;
    enrol_jan(&app, 3, &[ANJA]).await;
    clock_to(&app, "2026-12-01T09:30:00+01:00");
    assert_eq!(run_round(&app).await, 0);
    assert_eq!(app.count("SELECT count(*) FROM follow_ups WHERE urgent = 1 AND reason = 'round-missed'").await, 1);
    assert_eq!(app.count("SELECT count(*) FROM round_calls").await, 0);
}

/// An account limited to its own neighbourhood sees every call the round made to its own
/// residents, however many calls the round made elsewhere since: the log is filtered in
/// its query (it was filtered after a `LIMIT 200`, so 250 newer calls elsewhere hid them).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_limited_account_sees_all_of_its_own_round_log_behind_many_calls_elsewhere() {
    let app = round_app(TUESDAY_0925).await;
    enrol_jan(&app, 3, &[ANJA]).await;
    let st = app.sandbox.state.clone();
    tokio::task::spawn_blocking(move || {
        st.switchboard
            .store
            .write(|tx| {
                let id = |phone: &str| -> rusqlite::Result<i64> {
                    tx.query_row("SELECT id FROM participants WHERE phone = ?1", [phone], |r| r.get(0))
                };
                let (jan, bert) = (id(JAN)?, id(BERT)?);
                tx.execute(
                    "INSERT INTO round_residents (participant_id, neighbourhood, at, days, created_at, updated_at)
                     VALUES (?1, 'elsewhere', '09:30', 31, 1, 1)",
                    [bert],
                )?;
                for (morning, resident) in [(1, jan), (2, bert)] {
                    tx.execute(
                        "INSERT INTO round_mornings (id, resident_id, date, dialplan_number, stage, started_at)
                         VALUES (?1, ?2, '2026-11-30', '+31850000000', 'answered', 1000)",
                        [morning, resident],
                    )?;
                }
                for n in 1..=3 {
                    tx.execute(
                        "INSERT INTO round_calls (morning_id, who, n, placed_at, result) VALUES (1, 'resident', ?1, ?2, 'no-answer')",
                        [n, 1000 + n],
                    )?;
                }
                for n in 1..=250 {
                    tx.execute(
                        "INSERT INTO round_calls (morning_id, who, n, placed_at, result) VALUES (2, 'resident', ?1, ?2, 'answered')",
                        [n, 2000 + n],
                    )?;
                }
                Ok(())
            })
            .unwrap();
    })
    .await
    .unwrap();
    crate::desk_support::add_user_in(&app, "Els", burenlijn::domain::desk::Role::Coordinator, &["example"]).await;
    let mut els = crate::desk_support::Browser::login(&app, "Els").await;
    let page = els.get("/desk/round").await;
    assert_eq!(page.status, 200);
    let log = page.body.split("id=\"round-log\"").nth(1).expect("the log is shown, not 'no calls yet'");
    let rows = log.split("</table>").next().unwrap().matches("<tr>").count() - 1;
    assert_eq!(rows, 3, "Jan's three calls, none of Bert's: {log}");
    assert!(!log.contains("Bert"), "{log}");
}

/// Issue 29: the round's alarm about Carla is a card of its own on Opvolgen, in the round's
/// words (she did not call; nothing was "told"), with her contacts' numbers to call; closing
/// it leaves her own call for help open. Its name is the same on Now, Opvolgen and the
/// round's page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_round_s_alarm_is_its_own_card_with_the_contacts_and_closes_alone() {
    let app = round_app(TUESDAY_0925).await;
    enrol(&app, CARLA, "ma-vr", 1, &[RELATIVE]);
    // Carla asked for help just before and hung up as Anja said yes: the desk calls back.
    app.network().hang_up_before_the_next_join();
    app.call(CARLA, Script::keys(&["1"]).helper(ANJA, HelperAction::Accept)).await;
    let own = app.count("SELECT count(*) FROM follow_ups WHERE closed_at IS NULL").await;
    assert!(own >= 1, "Carla's own call needs the desk");
    app.network().script_helpers(script(&[(CARLA, HelperAction::NoAnswer), (RELATIVE, HelperAction::NoAnswer)]));
    clock_to(&app, "2026-12-01T09:30:00+01:00");
    run_round(&app).await;
    wait_for(&app, "SELECT count(*) FROM round_mornings WHERE stage = 'desk-alerted'", 1).await;
    crate::desk_support::add_user(&app, "Els", burenlijn::domain::desk::Role::Desk).await;
    let mut els = crate::desk_support::Browser::login(&app, "Els").await;
    let carla = app.count("SELECT id FROM participants WHERE phone = '+31610000003'").await;

    let page = els.get("/desk/follow-up").await;
    let alarm = page.body.split(&format!("id=\"person-up{carla}\"")).nth(1).expect("the alarm's own card");
    let alarm = alarm.split("<li id=\"person-").next().unwrap();
    assert!(alarm.contains("Goedemorgenronde: niemand bereikt"), "{alarm}");
    assert!(alarm.contains(&format!("href=\"tel:{RELATIVE}\"")), "the contact's number to call: {alarm}");
    assert!(!alarm.contains("Gezegd:") && !alarm.contains("Belde"), "Carla did not call this morning: {alarm}");
    assert!(page.body.contains(&format!("id=\"person-p{carla}\"")), "her own call has its card");
    assert!(page.body.contains("<strong>2</strong> personen"), "{}", page.body);
    let now = els.get("/desk/now").await;
    assert!(now.body.contains("Goedemorgenronde: niemand bereikt"), "{}", now.body);
    let round_page = els.get("/desk/round").await;
    assert!(round_page.body.contains("Goedemorgenronde: niemand bereikt"), "one name: {}", round_page.body);
    assert!(round_page.body.contains(&format!("href=\"tel:{RELATIVE}\"")), "{}", round_page.body);

    // Closing the alarm closes the alarm only.
    let alarm_id = app.count("SELECT id FROM follow_ups WHERE urgent = 1").await;
    let csrf = els.csrf().await;
    let closed = els
        .post(
            &format!("/desk/follow-up/{alarm_id}/close"),
            &[("csrf", &csrf), ("result", "other"), ("note", "Dochter ging kijken.")],
        )
        .await;
    assert_eq!(closed.status, 303, "{}", closed.body);
    assert_eq!(app.count("SELECT count(*) FROM follow_ups WHERE urgent = 1 AND closed_at IS NOT NULL").await, 1);
    assert_eq!(
        app.count("SELECT count(*) FROM follow_ups WHERE urgent = 0 AND closed_at IS NULL").await,
        own,
        "her request for a lift is still open"
    );
}

/// Issue 29: "Afmelden" asks once and says what stops; after it, the page says what
/// stopped and one button enrols the resident again as they were.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn taking_someone_out_of_the_round_asks_once_and_can_be_undone() {
    let app = round_app(TUESDAY_0925).await;
    enrol(&app, JAN, "ma,wo,vr", 2, &[ANJA, RELATIVE]);
    crate::desk_support::add_user(&app, "Els", burenlijn::domain::desk::Role::Desk).await;
    let mut els = crate::desk_support::Browser::login(&app, "Els").await;
    let jan = app.count("SELECT id FROM participants WHERE phone = '+31201234567'").await;
    let csrf = els.csrf().await;
    let away = els
        .post(&format!("/desk/round/{jan}/away"), &[("csrf", &csrf), ("from", "2026-12-20"), ("until", "2026-12-27")])
        .await;
    assert_eq!(away.status, 303);
    let page = els.get("/desk/round").await;
    assert!(
        page.body.contains("<summary>Afmelden…</summary>")
            && page.body.contains(
                "De ronde belt Jan de Vries dan niet meer elke ochtend, en belt ook de contactpersonen niet meer."
            ),
        "asks once, says what stops: {}",
        page.body
    );
    let removed = els.post(&format!("/desk/round/{jan}/remove"), &[("csrf", &csrf)]).await;
    assert_eq!(removed.status, 200, "{}", removed.body);
    assert!(removed.body.contains("<strong>Jan de Vries is afgemeld.</strong>"), "{}", removed.body);
    assert_eq!(app.count("SELECT count(*) FROM round_residents").await, 0);
    // The undo button's form, as the page gives it.
    let form = removed.body.split("Ongedaan maken").next().unwrap();
    let form = &form[form.rfind("<form method=\"post\" action=\"/desk/round\">").expect("the undo form")..];
    let fields: Vec<(String, String)> = form
        .split("<input type=\"hidden\" ")
        .skip(1)
        .filter_map(|i| {
            let name = i.split("name=\"").nth(1)?.split('"').next()?.to_string();
            let value = i.split("value=\"").nth(1)?.split('"').next()?.to_string();
            Some((name, value))
        })
        .collect();
    let fields: Vec<(&str, &str)> = fields.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    let undone = els.post("/desk/round", &fields).await;
    assert_eq!((undone.status, undone.location.as_deref()), (303, Some("/desk/round?saved=1")), "{}", undone.body);
    assert_eq!(
        app.count("SELECT count(*) FROM round_residents WHERE at = '09:30' AND days = 21 AND tries = 2 AND away_from = '2026-12-20' AND away_until = '2026-12-27'").await,
        1,
        "as he was"
    );
    assert_eq!(app.count("SELECT count(*) FROM round_contacts").await, 2);
}
