//! Help for later by phone (issue 28), the requester's side, end to end through the
//! emulator: Jan asks on Monday for a lift on Tuesday at ten (read back, corrected once,
//! confirmed) and the request is in `planned list`; a moment inside the lead time is
//! refused with what is possible; a resident with planned help hears it first and cancels
//! it (asked once more), and the helper is called and told; every new menu says at most
//! five choices, and 0 and two silences reach a person from each.

use std::time::Duration;

use burenlijn::sim::people::{HelperAction, Line, Script};
use burenlijn::switchboard::desk::{Act, Acting};
use burenlijn::switchboard::planned::{self, Adding};

use crate::support::*;

/// Monday 7 December 2026, 9:30: in the desk's office hours and the ringing hours.
const MONDAY_TEN: &str = "2026-12-07T09:30:00+01:00";
pub(crate) const DESK: &str = "+31850000001";

/// The example dialplan (in waves) as shipped: transport (2) and odd jobs (3) are
/// plannable a day ahead (also for `planned_helper`).
fn plannable(plan: String) -> String {
    assert!(plan.contains("key = \"transport\"\n# Help for later"), "transport is plannable in the example");
    assert_eq!(
        plan.matches("\nlater = true\nlater_min_hours = 24\n").count(),
        2,
        "transport and odd jobs, a day ahead"
    );
    plan
}

pub(crate) async fn later_app() -> TestApp {
    spawn_waves_app_at(MONDAY_TEN, 2, plannable).await
}

pub(crate) fn keys(keys: &[Option<&str>]) -> Script {
    Script {
        caller_keys: keys.iter().map(|k| k.map(str::to_string)).collect(),
        desk_answers: true,
        message_seconds: Some(10),
        ..Default::default()
    }
}

fn list(app: &TestApp) -> Vec<planned::Listed> {
    let sb = app.sandbox.state.switchboard.clone();
    let cli = Acting::command_line();
    let now = sb.clock.now();
    sb.store.read(|c| planned::list(&Act { conn: c, who: &cli, now })).unwrap()
}

/// Monday: Jan presses 2 (transport), 2 (another day), 1 (tomorrow), 1 (the morning), 3
/// (10 o'clock): read back; 2 makes it half past, read back; 3 changes it: tomorrow, the
/// morning, 10 o'clock, and he confirms. The request is in `planned list`, asking, for
/// Tuesday 10:00.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lift_on_tuesday_at_ten_booked_by_phone_read_back_corrected_once_and_confirmed() {
    let app = later_app().await;
    let first = ["2", "2", "1", "1", "3", "2", "3"];
    let again = ["1", "1", "3", "1"];
    let all: Vec<Option<&str>> = first.iter().chain(again.iter()).map(|k| Some(*k)).collect();
    // He says nothing after "where to?" (see `planned_where` for what he says there).
    let report = app.call(JAN, Script { message_seconds: None, ..keys(&all) }).await;
    let heard = caller_heard(&report);
    let said = |start: &str| heard.iter().filter(|t| t.starts_with(start)).cloned().collect::<Vec<_>>();
    assert_eq!(said("Nu hulp?"), ["Nu hulp? Toets 1. Op een andere dag? Toets 2."]);
    assert!(
        heard.contains(&"Voor morgen, dinsdag 8 december, toets 1.".to_string())
            && heard.contains(&"Voor woensdag 9 december, toets 2.".to_string())
            && heard.contains(&"Een latere dag? Toets 3.".to_string()),
        "{heard:?}"
    );
    assert_eq!(
        said("U kiest"),
        [
            "U kiest dinsdag 8 december om 10 uur. Klopt dat? Toets 1.",
            "U kiest dinsdag 8 december om 10 uur 30. Klopt dat? Toets 1.",
            "U kiest dinsdag 8 december om 10 uur. Klopt dat? Toets 1.",
        ],
        "{heard:?}"
    );
    assert_eq!(
        heard.iter().rev().take(3).rev().cloned().collect::<Vec<_>>(),
        [
            "Dank u wel. We vragen de buren en bellen u altijd terug.",
            "Waar gaat u heen? Zeg het na de piep, toets dan een hekje.",
            "Dank u wel. Tot ziens.",
        ]
    );
    assert!(rung(&report).is_empty(), "nobody is rung during the call: {:?}", rung(&report));
    let listed = list(&app);
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(
        (listed[0].kind.as_str(), listed[0].at.to_string(), listed[0].status.as_str(), listed[0].requester.as_deref()),
        ("transport", "2026-12-08T10:00:00".to_string(), "asking", Some("Jan de Vries"))
    );
    assert_eq!(
        app.count("SELECT count(*) FROM audit_log WHERE user_name = '' AND action = 'took a request for later'").await,
        1
    );
    assert_eq!(app.text("SELECT outcome FROM calls").await, "planned", "help planned, not a request for help now");
    assert_eq!(app.count("SELECT count(*) FROM follow_ups").await, 0);
    // Then the search asks ahead as for a request the desk took.
    app.network().script_helpers([(BERT.to_string(), HelperAction::Accept)].into());
    burenlijn::switchboard::jobs::run_planned(app.sandbox.state.switchboard.clone()).await.unwrap();
    wait_for(&app, "SELECT count(*) FROM planned_calls WHERE purpose = 'ask' AND result = 'yes'", 1).await;
}

/// Monday 10:00 with a day's lead time: Tuesday at 9 is too soon. Jan hears from when it is
/// possible, and may then ask for help now, choose again, or press 0 for the desk.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_moment_inside_the_lead_time_is_refused_with_what_is_possible() {
    let app = later_app().await;
    let report = app.call(JAN, keys(&[Some("2"), Some("2"), Some("1"), Some("1"), Some("2"), Some("0")])).await;
    let heard = caller_heard(&report);
    let refused = heard.iter().position(|t| t.starts_with("Zo snel")).unwrap_or_else(|| panic!("{heard:?}"));
    assert_eq!(
        &heard[refused..refused + 2],
        [
            "Zo snel kan het helaas niet. Het kan vanaf dinsdag 8 december om 10 uur.",
            "Nu hulp? Toets 1. Op een andere dag? Toets 2.",
        ]
    );
    assert!(report.lines.contains(&Line::DeskAnswers), "{heard:?}");
    assert_eq!(app.count("SELECT count(*) FROM planned_requests").await, 0);
    assert_eq!(app.text("SELECT outcome FROM calls").await, "desk");
}

/// A resident who cannot be found in the register cannot plan: the desk arranges it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_caller_who_wants_another_day_is_put_through_to_the_desk() {
    let app = later_app().await;
    let report = app.call("+31301234567", keys(&[Some("2"), Some("2")])).await;
    let heard = caller_heard(&report);
    assert!(
        heard.contains(&"Hulp op een andere dag regelt iemand van de Burenlijn graag met u.".to_string()),
        "{heard:?}"
    );
    assert!(report.lines.contains(&Line::DeskAnswers), "{heard:?}");
    assert_eq!(app.count("SELECT count(*) FROM planned_requests").await, 0);
}

/// Jan has a lift from Dirk on Tuesday at ten. When he calls he hears it first, in one
/// sentence; 1 cancels it, asked once more. Dirk is called and told; Jan hears it is done.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_requester_cancels_by_phone_and_the_helper_is_told() {
    let app = later_app().await;
    let sb = app.sandbox.state.switchboard.clone();
    let hoods = sb.neighbourhoods.current();
    let cli = Acting::command_line();
    let now = sb.clock.now();
    let adding =
        Adding { from: JAN.into(), kind: "transport".into(), at: "2026-12-08 10:00".into(), ..Default::default() };
    let added = sb.store.write(|tx| planned::add(&Act { conn: tx, who: &cli, now }, &hoods, &adding)).unwrap().unwrap();
    sb.store.write(|tx| planned::assign(&Act { conn: tx, who: &cli, now }, added.id, DIRK)).unwrap().unwrap();

    // Pressing 2 keeps it: the main menu follows, and nothing changes.
    let report = app.call(JAN, keys(&[Some("1"), Some("2"), Some("0")])).await;
    let heard = caller_heard(&report);
    assert!(heard.contains(&"Goed, de hulp blijft staan.".to_string()), "{heard:?}");
    assert_eq!(app.text("SELECT status FROM planned_requests").await, "matched");

    let report = app.call(JAN, keys(&[Some("1"), Some("1")])).await;
    let heard = caller_heard(&report);
    let first = heard.iter().position(|t| t.starts_with("U heeft")).unwrap_or_else(|| panic!("{heard:?}"));
    assert_eq!(
        &heard[first..],
        [
            "U heeft op dinsdag 8 december om 10 uur hulp van Dirk.",
            "Wilt u die hulp afzeggen? Toets 1. Belt u voor iets anders? Toets 2.",
            "Iemand van de balie? Toets 0.",
            "Weet u het zeker? Dan gaat de hulp op dinsdag 8 december om 10 uur niet door. Afzeggen? Toets 1. Toch houden? Toets 2.",
            "Iemand van de balie? Toets 0.",
            "Terug? Toets sterretje.",
            "De hulp is afgezegd. We laten Dirk het weten.",
            "Dank u wel. Tot ziens.",
        ]
    );
    assert_eq!(app.text("SELECT status FROM planned_requests").await, "cancelled-by-requester");
    assert_eq!(
        app.count("SELECT count(*) FROM audit_log WHERE user_name = '' AND action = 'cancelled a request for later'")
            .await,
        1
    );

    // Dirk is called and told (Jan's "who comes" call is not placed any more).
    app.network().script_helpers([(DIRK.to_string(), HelperAction::Accept)].into());
    burenlijn::switchboard::jobs::run_planned(sb.clone()).await.unwrap();
    wait_for(&app, "SELECT count(*) FROM planned_calls WHERE purpose = 'tell-cancelled' AND result = 'heard'", 1).await;
    let id = app.count("SELECT id FROM planned_calls WHERE purpose = 'tell-cancelled'").await;
    let lines = app.network().lines_of_created_calls(&format!("planned-{id}"), Duration::from_secs(10)).await;
    let dirk: Vec<String> = lines
        .iter()
        .filter_map(|l| match l {
            Line::HelperHears { number, text } if number == DIRK => Some(text.clone()),
            _ => None,
        })
        .collect();
    assert!(
        dirk.contains(&"De hulp op dinsdag 8 december om 10 uur gaat niet door. Die is afgezegd.".to_string()),
        "{dirk:?}"
    );
    assert_eq!(app.network().calls_created_to(JAN, "planned-answer"), 0, "Jan knows already");
}

/// Every new menu says at most five choices counting 0 and * (* works in each, and is said
/// in the first two); 0 reaches the desk from each, and two silences too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_new_menu_says_at_most_five_choices_and_zero_or_two_silences_reach_a_person() {
    let zero = Some("0");
    let cases: [&[Option<&str>]; 8] = [
        &[Some("2"), zero],
        &[Some("2"), Some("2"), zero],
        &[Some("2"), Some("2"), Some("3"), zero],
        &[Some("2"), Some("2"), Some("1"), zero],
        &[Some("2"), Some("2"), Some("1"), Some("2"), zero],
        &[Some("2"), Some("2"), Some("1"), Some("2"), Some("4"), zero],
        &[Some("2"), Some("2"), Some("1"), Some("2"), Some("1"), zero],
        &[Some("2"), Some("2"), Some("1"), Some("2"), None, None],
    ];
    let mut sizes = Vec::new();
    for keys_pressed in cases {
        // A fresh line for each (a caller may start five searches a day).
        let app = later_app().await;
        let report = app.call(JAN, keys(keys_pressed)).await;
        let heard = caller_heard(&report);
        assert!(report.lines.contains(&Line::DeskAnswers), "{keys_pressed:?}: {heard:?}");
        assert_eq!(rung(&report), [DESK.to_string()], "{keys_pressed:?}");
        let menus = menus_in(&report);
        for menu in &menus[1..] {
            assert!(menu.len() <= 5, "{keys_pressed:?}: {menu:?}");
            // Each says 0, but the offer of more time ("Toets 1."), as in the main menu.
            assert!(menu.len() == 1 || menu.contains(&"0".to_string()), "{keys_pressed:?}: {menu:?}");
        }
        sizes.push(menus.last().map(Vec::len).unwrap_or_default());
        assert_eq!(app.count("SELECT count(*) FROM planned_requests").await, 0);
    }
    // Now or later and the day say * too (it works in every menu); the part; the
    // afternoon's first hours (with 4, later hours); its last; the read-back (1, 2 the other
    // half hour, 3 another time, and 0); the silences' last menu is the offer of more time.
    assert_eq!(sizes, [4, 5, 5, 4, 5, 3, 4, 1]);
}
