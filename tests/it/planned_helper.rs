//! Help for later by phone (issue 28), the helper's side, end to end through the emulator:
//! under 8, after 4, a helper hears their planned help and cancels it (asked once more; the
//! requester is called and told, and a new search asks someone else at once); hears an open
//! request and takes it with 1 (the requester is told who comes); a request heard and
//! passed there is not asked again by the search ahead, and one the search asked is not
//! offered there; every menu says at most five choices, and 0 and two silences reach a
//! person.

use std::time::Duration;

use burenlijn::sim::people::{HelperAction, Line, Script};
use burenlijn::switchboard::desk::{Act, Acting};
use burenlijn::switchboard::planned::{self, Adding};

use crate::planned_phone::{keys, later_app, DESK};
use crate::support::*;

/// The caller presses `k`, one key after the other.
fn pressed(k: &[&str]) -> Script {
    keys(&k.iter().map(|k| Some(*k)).collect::<Vec<_>>())
}

/// Jan's request for a lift on `at`, taken by the command line; matched with `helper` by
/// hand when given. Returns its id.
fn request(app: &TestApp, at: &str, helper: Option<&str>) -> i64 {
    let sb = app.sandbox.state.switchboard.clone();
    let hoods = sb.neighbourhoods.current();
    let cli = Acting::command_line();
    let now = sb.clock.now();
    let adding = Adding { from: JAN.into(), kind: "transport".into(), at: at.into(), ..Default::default() };
    let added = sb.store.write(|tx| planned::add(&Act { conn: tx, who: &cli, now }, &hoods, &adding)).unwrap().unwrap();
    if let Some(helper) = helper {
        sb.store.write(|tx| planned::assign(&Act { conn: tx, who: &cli, now }, added.id, helper)).unwrap().unwrap();
    }
    added.id
}

/// What `number` heard on the call the switchboard created for planned call `id`, once its
/// goodbye was heard (within ten seconds).
async fn heard_on_planned_call(app: &TestApp, id: i64, number: &str) -> Vec<String> {
    let mut heard = Vec::new();
    for _ in 0..100 {
        let lines = app.network().lines_when_done(&format!("planned-{id}"), Duration::from_millis(200)).await;
        heard = lines
            .iter()
            .filter_map(|l| match l {
                Line::HelperHears { number: n, text } if n == number => Some(text.clone()),
                _ => None,
            })
            .collect();
        if heard.last().is_some_and(|t| t == "Dank u wel. Tot ziens.") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    heard
}

/// Jan is called and told that Bert comes on Tuesday at ten.
async fn jan_hears_that_bert_comes(app: &TestApp) {
    wait_for(app, "SELECT count(*) FROM planned_calls WHERE purpose = 'tell-matched' AND result = 'heard'", 1).await;
    let told = app.count("SELECT id FROM planned_calls WHERE purpose = 'tell-matched' AND result = 'heard'").await;
    let jan = heard_on_planned_call(app, told, JAN).await;
    assert!(jan.contains(&"Goed nieuws. Bert helpt u op dinsdag 8 december om 10 uur.".to_string()), "{jan:?}");
}

/// A helper never hears a phone number.
fn no_number(heard: &[String]) {
    for text in heard {
        assert!(!text.contains("+31") && !text.contains("06-") && !text.contains("020"), "{text}");
    }
}

/// Dirk helps Jan on Tuesday at ten (matched by the desk). Under 8, after 4, he hears it in
/// one sentence and cancels it: asked once more, then thanked. Jan is called and told, and
/// the new search asks Bert at once (never Dirk again); Bert says yes and Jan hears who
/// comes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_helper_hears_their_planned_help_cancels_it_and_a_new_search_asks_someone_else() {
    let app = later_app().await;
    request(&app, "2026-12-08 10:00", Some(DIRK));
    app.network()
        .script_helpers([(BERT.to_string(), HelperAction::Accept), (JAN.to_string(), HelperAction::Accept)].into());

    let report = app.call(DIRK, pressed(&["8", "4", "1", "1", "1", "0"])).await;
    let heard = caller_heard(&report);
    no_number(&heard);
    let first = heard.iter().position(|t| t.starts_with("Dan uw hulp")).unwrap_or_else(|| panic!("{heard:?}"));
    assert_eq!(
        &heard[first..first + 12],
        [
            "Dan uw hulp op een andere dag.",
            "Wilt u uw afspraken horen? Toets 1.",
            "Wilt u iemand van de balie spreken? Toets 0.",
            "Terug? Toets sterretje.",
            "Op dinsdag 8 december om 10 uur helpt u Jan uit de Kerkstraat, met vervoer, bijvoorbeeld naar de dokter of het ziekenhuis.",
            "Kunt u toch niet? Toets 1.",
            "Dat was uw laatste afspraak.",
            "Wilt u iemand van de balie spreken? Toets 0.",
            "Terug? Toets sterretje.",
            "Weet u het zeker? Dan laten we Jan weten dat u op dinsdag 8 december om 10 uur niet kunt. Afzeggen? Toets 1. Toch houden? Toets 2.",
            "Wilt u iemand van de balie spreken? Toets 0.",
            "Terug? Toets sterretje.",
        ]
    );
    assert!(
        heard.contains(
            &"Jammer, maar fijn dat u het zegt. We laten Jan het weten, en zoeken iemand anders. Dank u wel."
                .to_string()
        ),
        "{heard:?}"
    );
    assert!(report.lines.contains(&Line::DeskAnswers), "{heard:?}");
    for menu in &menus_in(&report)[1..] {
        assert!(menu.len() <= 5, "{menu:?}");
    }

    // A new search at once, without Dirk: Bert is asked, says yes; Jan hears both calls.
    wait_for(&app, "SELECT count(*) FROM planned_requests WHERE status = 'matched' AND matched_by = 'phone'", 1).await;
    assert_eq!(
        app.text("SELECT p.name FROM planned_requests r JOIN participants p ON p.id = r.helper_id").await,
        "Bert Jansen"
    );
    assert_eq!(
        app.count(
            "SELECT count(*) FROM planned_calls c JOIN participants p ON p.id = c.participant_id
             WHERE c.purpose = 'ask' AND p.name = 'Dirk Visser' AND c.leg_sid IS NULL AND c.result = 'no'"
        )
        .await,
        1,
        "Dirk counts as asked: never asked again for it"
    );
    assert_eq!(app.network().calls_created_to(DIRK, "planned-answer"), 0);
    wait_for(&app, "SELECT count(*) FROM planned_calls WHERE purpose = 'tell-withdrawn' AND result = 'heard'", 1).await;
    let told = app.count("SELECT id FROM planned_calls WHERE purpose = 'tell-withdrawn'").await;
    let jan = heard_on_planned_call(&app, told, JAN).await;
    assert!(
        jan.contains(&"Er is iets veranderd in uw hulp op dinsdag 8 december om 10 uur. Wie u zou helpen, kan dan toch niet. We zoeken iemand anders. We bellen u terug als we iemand hebben, en ook als het niet lukt.".to_string()),
        "{jan:?}"
    );
    // The desk's match with Dirk, not told yet (no minute's job ran), is not told any more.
    assert_eq!(
        app.count("SELECT count(*) FROM planned_calls WHERE purpose = 'tell-matched' AND result = 'not-needed'").await,
        1
    );
    jan_hears_that_bert_comes(&app).await;
}

/// Bert hears Jan's open request under 8 (after 4, then 2), in the words of the call that
/// asks ahead, and takes it with 1: a yes by phone, audited as by phone; Jan is called and
/// told who comes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_helper_hears_an_open_request_and_takes_it_and_the_requester_is_told() {
    let app = later_app().await;
    request(&app, "2026-12-08 10:00", None);
    app.network().script_helpers([(JAN.to_string(), HelperAction::Accept)].into());

    let report = app.call(BERT, pressed(&["8", "4", "2", "1", "0"])).await;
    let heard = caller_heard(&report);
    no_number(&heard);
    assert!(
        heard.contains(
            &"Wilt u horen waarvoor en wanneer wij u bellen, en uw hulp op een andere dag? Toets 4.".to_string()
        ),
        "{heard:?}"
    );
    let offer = heard.iter().position(|t| t.starts_with("Jan uit")).unwrap_or_else(|| panic!("{heard:?}"));
    assert_eq!(
        &heard[offer..offer + 5],
        [
            "Jan uit de Kerkstraat vraagt om hulp op dinsdag 8 december om 10 uur. Het gaat om vervoer, bijvoorbeeld naar de dokter of het ziekenhuis.",
            "Kunt u dan helpen? Toets 1. Komt het niet uit? Toets 2. Dat is helemaal goed.",
            "Wilt u iemand van de balie spreken? Toets 0.",
            "Terug? Toets sterretje.",
            "Dank u wel! We laten Jan weten dat u komt.",
        ]
    );
    for menu in &menus_in(&report)[1..] {
        assert!(menu.len() <= 5, "{menu:?}");
    }
    assert_eq!(
        app.text(
            "SELECT r.status || ' ' || r.matched_by || ' ' || p.name FROM planned_requests r
             JOIN participants p ON p.id = r.helper_id"
        )
        .await,
        "matched phone Bert Jansen"
    );
    assert_eq!(
        app.text("SELECT c.result || ' ' || c.key FROM planned_calls c WHERE c.purpose = 'ask'").await,
        "yes 1",
        "kept as a yes on an ask"
    );
    assert_eq!(
        app.count(
            "SELECT count(*) FROM audit_log WHERE user_name = '' AND action = 'matched a request for later by hand'"
        )
        .await,
        1
    );
    jan_hears_that_bert_comes(&app).await;
}

/// "A helper offered the same request twice by different routes is asked once": Dirk hears
/// Jan's request under 8 and passes (thanked); the search ahead then asks Bert, never Dirk.
/// Bert, asked by the search, does not hear it again under 8.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_passed_under_eight_is_not_asked_again_by_the_search_ahead() {
    let app = later_app().await;
    request(&app, "2026-12-08 10:00", None);
    let report = app.call(DIRK, pressed(&["8", "4", "2", "2", "0"])).await;
    let heard = caller_heard(&report);
    let thanks = heard.iter().position(|t| t == "Geen probleem. Dank u wel.").unwrap_or_else(|| panic!("{heard:?}"));
    assert_eq!(heard[thanks + 1], "Er zijn nu geen andere vragen.");
    assert_eq!(app.text("SELECT c.result || ' ' || c.key FROM planned_calls c WHERE c.purpose = 'ask'").await, "no 2");

    app.network().script_helpers([(BERT.to_string(), HelperAction::Decline)].into());
    burenlijn::switchboard::jobs::run_planned(app.sandbox.state.switchboard.clone()).await.unwrap();
    wait_for(&app, "SELECT count(*) FROM planned_calls WHERE purpose = 'ask' AND result = 'no'", 2).await;
    burenlijn::switchboard::jobs::run_planned(app.sandbox.state.switchboard.clone()).await.unwrap();
    assert_eq!(app.network().calls_created_to(BERT, "planned-answer"), 1);
    assert_eq!(app.network().calls_created_to(DIRK, "planned-answer"), 0, "Dirk said no already, by phone");
    assert_eq!(app.text("SELECT status FROM planned_requests").await, "asking");

    // Neither hears it under 8 any more: 4 is the read-out alone.
    for who in [DIRK, BERT] {
        let report = app.call(who, pressed(&["8", "4", "0"])).await;
        let heard = caller_heard(&report);
        assert!(!heard.iter().any(|t| t.contains("andere dag") || t.contains("Jan")), "{who}: {heard:?}");
        assert!(heard.iter().any(|t| t.starts_with("Wilt u nog iets anders?")), "{who}: {heard:?}");
    }
}

/// From each new menu 0 reaches the desk, and so do two silences; nothing changes, and no
/// menu says more than five choices.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zero_and_two_silences_reach_a_person_from_every_new_menu() {
    let zero = Some("0");
    let (eight, four, one, two) = (Some("8"), Some("4"), Some("1"), Some("2"));
    let cases: [&[Option<&str>]; 5] = [
        &[eight, four, zero],
        &[eight, four, one, zero],
        &[eight, four, one, one, zero],
        &[eight, four, two, zero],
        &[eight, four, one, None, None],
    ];
    for keys_pressed in cases {
        let app = later_app().await;
        request(&app, "2026-12-08 10:00", Some(DIRK));
        request(&app, "2026-12-09 10:00", None);
        let report = app.call(DIRK, keys(keys_pressed)).await;
        let heard = caller_heard(&report);
        assert!(report.lines.contains(&Line::DeskAnswers), "{keys_pressed:?}: {heard:?}");
        assert_eq!(rung(&report), [DESK.to_string()], "{keys_pressed:?}");
        for menu in &menus_in(&report)[1..] {
            assert!(menu.len() <= 5, "{keys_pressed:?}: {menu:?}");
        }
        assert_eq!(
            app.count("SELECT count(*) FROM planned_requests WHERE status = 'matched'").await,
            1,
            "{keys_pressed:?}"
        );
        assert_eq!(app.count("SELECT count(*) FROM planned_calls WHERE result IN ('yes', 'no')").await, 0);
    }
}
