//! The phone line for every participant (issue 15): a registered number hears 8 for its own
//! settings; a pause by phone takes effect for the ranking at once, is audited (by phone)
//! and shows on the desk; 4 reads the settings out; 5 leaves a word for the desk.

use burenlijn::domain::desk::Role;
use burenlijn::sim::people::{HelperAction, Script};

use crate::desk_support::{add_user, Browser};
use crate::support::*;

/// Jan asks for shopping; Bert and Carla say no, so every shopping helper who may be rung
/// is rung (Els only on Saturdays).
async fn jan_asks_for_shopping(app: &TestApp) -> Vec<String> {
    let script = Script::keys(&["1"]).helper(BERT, HelperAction::Decline).helper(CARLA, HelperAction::Decline);
    rung(&app.call(JAN, script).await)
}

const ANJA_PAUSED: &str = "SELECT paused FROM participants WHERE name = 'Anja Bakker'";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_helper_pauses_for_a_week_by_phone_and_is_rung_again_after_it() {
    let app = spawn_app().await;
    add_user(&app, "Els", Role::Coordinator).await;
    let report = app.call(ANJA, Script::keys(&["8", "1"])).await;
    let heard = caller_heard(&report);
    assert!(
        heard.iter().any(|t| t == "Belt u voor uw eigen instellingen, of heeft u een bericht voor de balie? Toets 8."),
        "{heard:?}"
    );
    // Tuesday 24 November: rung again from Tuesday 1 December.
    assert!(
        heard.iter().any(|t| t == "Dat is goed. U wordt tot en met maandag 30 november niet gebeld. Daarna weer wel."),
        "{heard:?}"
    );
    let log = app.log_of(&report).await;
    assert_eq!(log.outcome.as_deref(), Some("settings"), "no request for help");
    assert_eq!(app.count("SELECT count(*) FROM follow_ups").await, 0, "nothing for the desk to do");
    assert_eq!(app.text("SELECT paused_until FROM participants WHERE name = 'Anja Bakker'").await, "2026-12-01");
    assert_eq!(
        app.count("SELECT count(*) FROM audit_log WHERE user_name = '' AND action = 'paused for a week by phone'")
            .await,
        1
    );

    // At once: Jan's call the same morning rings everyone else, not Anja.
    let rung_now = jan_asks_for_shopping(&app).await;
    assert!(!rung_now.iter().any(|n| n == ANJA) && rung_now.iter().any(|n| n == BERT), "{rung_now:?}");
    // The next day still not.
    app.sandbox.clock.advance(24 * 3600);
    assert!(!jan_asks_for_shopping(&app).await.iter().any(|n| n == ANJA));
    // A week after she pressed 1 (Tuesday 1 December), she is rung again.
    app.sandbox.clock.advance(6 * 24 * 3600);
    let rung_later = jan_asks_for_shopping(&app).await;
    assert!(rung_later.iter().any(|n| n == ANJA), "{rung_later:?}");

    // The desk sees the change made by phone on her page and in the audit log.
    let mut b = Browser::login(&app, "Els").await;
    let anja = app.count("SELECT id FROM participants WHERE name = 'Anja Bakker'").await;
    let page = b.get(&format!("/desk/participants/{anja}")).await;
    assert!(
        page.body.contains("Zelf gewijzigd per telefoon:")
            && page.body.contains("zelf een week gepauzeerd, per telefoon"),
        "{}",
        page.body
    );
    let audit = b.get("/desk/audit").await;
    assert!(audit.body.contains("de deelnemer zelf (telefoon)"), "{}", audit.body);
    // Her call is on the desk's list, as own settings.
    let calls = b.get("/desk/calls").await;
    assert!(calls.body.contains("Eigen instellingen"), "{}", calls.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_helper_pauses_until_further_notice_and_resumes_by_phone() {
    let app = spawn_app().await;
    let heard = caller_heard(&app.call(ANJA, Script::keys(&["8", "2"])).await);
    assert!(
        heard.iter().any(|t| t == "Dat is goed. U wordt niet gebeld, tot u zelf weer belt en 3 toetst."),
        "{heard:?}"
    );
    assert_eq!(app.count(ANJA_PAUSED).await, 1);
    app.sandbox.clock.advance(30 * 24 * 3600);
    assert!(!jan_asks_for_shopping(&app).await.iter().any(|n| n == ANJA), "still paused a month later");
    // Her next call says where she stands first.
    let heard = caller_heard(&app.call(ANJA, Script::keys(&["8", "3"])).await);
    assert!(heard.iter().any(|t| t == "U wordt nu niet gebeld, tot u zelf weer belt."), "{heard:?}");
    assert!(heard.iter().any(|t| t == "Fijn. U kunt weer gebeld worden."), "{heard:?}");
    assert_eq!(app.count(ANJA_PAUSED).await, 0);
    assert!(jan_asks_for_shopping(&app).await.iter().any(|n| n == ANJA));
    assert_eq!(
        app.count("SELECT count(*) FROM audit_log WHERE user_name = '' AND participant_id IS NOT NULL").await,
        2
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_reads_out_what_and_when_and_nine_repeats_every_menu() {
    let app = spawn_app().await;
    let heard = caller_heard(&app.call(ANJA, Script::keys(&["9", "8", "9", "4", "0", "9"])).await);
    // What she heard before the keys ran out (then the menu asks again, and on).
    let pressing = heard.iter().position(|t| t.starts_with("Ik hoorde geen toets")).unwrap_or(heard.len());
    let heard = &heard[..pressing];
    let count = |text: &str| heard.iter().filter(|t| *t == text).count();
    assert_eq!(count("Waarmee kunnen we u helpen?"), 4, "the menu, 9, back with 0, 9: {heard:?}");
    assert_eq!(count("Dit zijn uw eigen instellingen."), 2, "the settings, and 9: {heard:?}");
    assert_eq!(count("Wij bellen u voor boodschappen en een praatje of wat gezelschap."), 1, "{heard:?}");
    assert_eq!(count("Wij bellen u op maandag tot en met vrijdag, van 9 uur tot 17 uur."), 1, "{heard:?}");
    assert!(!heard.iter().any(|t| t.starts_with("Die toets ken ik niet")), "9 is never a wrong key: {heard:?}");
    assert_eq!(app.count(ANJA_PAUSED).await, 0, "hearing changes nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_and_withheld_numbers_never_hear_eight() {
    let app = spawn_app().await;
    for from in ["+31207654321", "anonymous"] {
        let report = app.call(from, Script::keys(&["8"])).await;
        let heard = caller_heard(&report);
        assert!(!heard.iter().any(|t| t.contains("Toets 8")), "{from}: {heard:?}");
        assert!(heard.iter().any(|t| t.starts_with("Die toets ken ik niet")), "8 is a key they do not have: {heard:?}");
    }
    assert_eq!(app.count("SELECT count(*) FROM calls WHERE phase = 'settings' OR outcome = 'settings'").await, 0);
    assert_eq!(app.count("SELECT count(*) FROM audit_log").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_word_for_the_desk_is_its_own_follow_up_about_the_call_she_helped_with() {
    let app = spawn_app().await;
    add_user(&app, "Els", Role::Coordinator).await;
    // Anja helps Jan with his shopping; an hour later she calls with a word for the desk.
    let helped = app.call(JAN, Script::keys(&["1"]).helper(ANJA, HelperAction::Accept)).await;
    assert_eq!(app.log_of(&helped).await.helper_phone.as_deref(), Some(ANJA));
    app.sandbox.clock.advance(3600);
    let mut script = Script::keys(&["8", "5"]);
    script.message_seconds = Some(40);
    let report = app.call(ANJA, script).await;
    let heard = caller_heard(&report);
    assert!(
        heard.iter().any(|t| t.starts_with("Spreek na de piep uw bericht in. Alleen de balie hoort het.")),
        "{heard:?}"
    );
    assert_eq!(app.log_of(&report).await.outcome.as_deref(), Some("message"));
    assert_eq!(app.text("SELECT reason FROM follow_ups").await, "message");
    assert_eq!(app.text("SELECT about_call FROM follow_ups").await, helped.call_sid);

    let mut b = Browser::login(&app, "Els").await;
    let list = b.get("/desk/follow-up").await;
    assert!(list.body.contains("Bericht van een buur: luister het af"), "{}", list.body);
    // Its recording is fetched and played as a voicemail's (recordings.rs plays one).
    assert!(list.body.contains("Het bericht:"), "{}", list.body);
    assert!(
        list.body.contains(&format!("href=\"/desk/calls/{}\"", helped.call_sid)),
        "linked to the call she helped with"
    );
    // The figures count Jan's request, not Anja's message.
    let figures = b.get("/desk/figures.csv").await.body;
    let nov: Vec<&str> = figures.lines().filter(|l| l.starts_with("2026-11,Totaal,")).collect();
    assert!(nov.len() == 1 && nov[0].starts_with("2026-11,Totaal,1,1,0,"), "one request, one match: {figures}");
}
