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
    let rows = |body: &str| body.matches("href=\"/desk/calls/CA").count();
    let own = b.get("/desk/calls?outcome=settings").await;
    assert_eq!((rows(&calls.body), rows(&own.body)), (4, 1), "{}", own.body);
    assert!(own.body.contains(&format!("href=\"/desk/calls/{}\"", report.call_sid)));
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

/// Their own language: a participant's is set in the register (the desk's form or the CSV).
async fn speaks(app: &TestApp, name: &'static str, language: &'static str) {
    let st = app.sandbox.state.clone();
    tokio::task::spawn_blocking(move || {
        st.switchboard
            .store
            .write(|tx| Ok(tx.execute("UPDATE participants SET language = ?1 WHERE name = ?2", [language, name])?))
            .unwrap();
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_english_speaking_helper_hears_the_whisper_in_english_for_a_dutch_caller() {
    let app = spawn_app().await;
    speaks(&app, "Anja Bakker", "en").await;
    let report = app.call(JAN, Script::keys(&["1"]).helper(ANJA, HelperAction::Accept)).await;
    let heard: Vec<String> = helpers_heard(&report).into_iter().filter(|(n, _)| n == ANJA).map(|(_, t)| t).collect();
    assert!(heard.iter().any(|t| t == "Good morning Anja. This is the Burenlijn of Voorbeeldwijk."), "{heard:?}");
    assert!(heard.iter().any(|t| t == "Jan from Kerkstraat would like help with shopping."), "{heard:?}");
    assert!(heard.iter().any(|t| t == "Thank you. I am putting you through now."), "{heard:?}");
    // In the English voice; Jan still hears Dutch, in the Dutch one.
    let whisper = report.documents.iter().find(|(path, _)| path.contains("whisper?")).map(|(_, b)| b.clone()).unwrap();
    assert!(whisper.contains(r#"<Say voice="Polly.Amy" language="en-GB">Good morning Anja."#), "{whisper}");
    assert!(caller_heard(&report).iter().any(|t| t.starts_with("U vraagt hulp bij boodschappen.")));
    assert_eq!(app.log_of(&report).await.outcome.as_deref(), Some("matched"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_participant_hears_their_own_language_as_caller() {
    let app = spawn_app().await;
    speaks(&app, "Jan de Vries", "tr").await;
    let report = app.call(JAN, Script::keys(&["1"]).helper(ANJA, HelperAction::Accept)).await;
    let heard = caller_heard(&report);
    assert!(heard[0].starts_with("Günaydın Jan de Vries."), "{heard:?}");
    assert!(heard.iter().any(|t| t == "alışveriş için 1 tuşlayın."), "{heard:?}");
    assert!(!heard.iter().any(|t| t.contains("For English")), "no language offer for a known caller: {heard:?}");
    let first = &report.documents[0].1;
    assert!(first.contains(r#"voice="Polly.Filiz" language="tr-TR""#), "{first}");
    // Anja hears the request in the neighbourhood's Dutch, with the kind of help in it.
    let anja: Vec<String> = helpers_heard(&report).into_iter().filter(|(n, _)| n == ANJA).map(|(_, t)| t).collect();
    assert!(anja.iter().any(|t| t == "Jan uit de Kerkstraat vraagt om hulp. Het gaat om boodschappen."), "{anja:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_caller_switches_to_english_with_the_dialplans_digit() {
    let app = spawn_app().await;
    let report = app.call("+31207654321", Script::keys(&["7", "1"]).helper(ANJA, HelperAction::Accept)).await;
    let heard = caller_heard(&report);
    let offer = heard.iter().position(|t| t == "For English, press 7.").expect("offered in English");
    let menu = heard.iter().position(|t| t == "Waarmee kunnen we u helpen?").unwrap();
    assert!(offer < menu, "the offer comes first, before the Dutch menu: {heard:?}");
    assert!(heard.iter().any(|t| t == "How can we help you?"), "{heard:?}");
    assert!(heard.iter().any(|t| t == "For shopping, press 1."), "{heard:?}");
    assert!(heard.iter().any(|t| t.starts_with("You would like help with shopping.")), "{heard:?}");
    assert_eq!(heard.iter().filter(|t| *t == "For English, press 7.").count(), 1, "not offered again: {heard:?}");
    // Anja, in the register without a language, hears the neighbourhood's Dutch.
    let anja: Vec<String> = helpers_heard(&report).into_iter().filter(|(n, _)| n == ANJA).map(|(_, t)| t).collect();
    assert!(anja.iter().any(|t| t == "Iemand uit de buurt vraagt om hulp. Het gaat om boodschappen."), "{anja:?}");
    assert_eq!(app.text("SELECT language FROM calls").await, "en");
    assert_eq!(app.log_of(&report).await.outcome.as_deref(), Some("matched"));
}

/// 9 repeats the current menu at every choice, for helpers too: the request again, in
/// both ringing modes, and then a 1 is a yes as ever.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_helper_presses_nine_to_hear_the_request_again() {
    for waves in [false, true] {
        let app = if waves { spawn_waves_app(1, |p| p).await } else { spawn_app().await };
        let report = app.call(JAN, Script::keys(&["1"]).helper(ANJA, HelperAction::AgainThenAccept)).await;
        let anja: Vec<String> = helpers_heard(&report).into_iter().filter(|(n, _)| n == ANJA).map(|(_, t)| t).collect();
        let request = "Jan uit de Kerkstraat vraagt om hulp. Het gaat om boodschappen.";
        assert_eq!(anja.iter().filter(|t| *t == request).count(), 2, "waves {waves}: {anja:?}");
        assert_eq!(anja.iter().filter(|t| *t == "Nog een keer horen? Toets 9.").count(), 2, "{anja:?}");
        let log = app.log_of(&report).await;
        assert_eq!(
            (log.outcome.as_deref(), log.helper_phone.as_deref()),
            (Some("matched"), Some(ANJA)),
            "waves {waves}"
        );
        assert!(!attempts(&log).iter().any(|(_, r)| r == "declined"), "a 9 is no no: {:?}", attempts(&log));
    }
}
