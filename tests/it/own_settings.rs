//! The phone line for every participant (issue 15): a registered number hears 8 for its own
//! settings; a pause by phone takes effect for the ranking at once, is audited (by phone)
//! and shows on the desk; 4 reads the settings out; 0 is a person (a word for the desk when
//! it does not answer or is closed).

use burenlijn::domain::desk::Role;
use burenlijn::sim::people::{HelperAction, Line, Script};

use crate::desk_support::{add_user, Browser};
use crate::support::*;

/// Jan asks for shopping; Bert and Carla say no, so every shopping helper who may be rung
/// is rung (Els only on Saturdays).
pub(crate) async fn jan_asks_for_shopping(app: &TestApp) -> Vec<String> {
    let script = Script::keys(&["1"]).helper(BERT, HelperAction::Decline).helper(CARLA, HelperAction::Decline);
    rung(&app.call(JAN, script).await)
}

pub(crate) const ANJA_PAUSED: &str = "SELECT paused FROM participants WHERE name = 'Anja Bakker'";

pub(crate) const ANJA_AUDITED: &str =
    "SELECT count(*) FROM audit_log WHERE user_name = '' AND participant_id IS NOT NULL";

/// Dial mode with the REST API (`TWILIO_ACCOUNT_SID` set): the switchboard can call back,
/// through the emulator's REST network.
async fn spawn_app_with_rest() -> TestApp {
    let start: jiff::Timestamp = TUESDAY_MORNING.parse().unwrap();
    let sandbox = burenlijn::sim::Sandbox::start_waves(
        None,
        burenlijn::config::Neighbourhoods::embedded(),
        start,
        Some(PARTICIPANTS.to_string()),
    )
    .await
    .unwrap();
    TestApp { sandbox }
}

/// Someone calls from Anja's number (her, or anyone who spoofs it) and presses 8 and `key`;
/// the call back to the register's number is handed to the test, not yet answered.
pub(crate) async fn asked_from_annas_number(
    app: &TestApp,
    calls: &mut tokio::sync::mpsc::UnboundedReceiver<burenlijn::sim::network::CreatedCall>,
    key: &str,
) -> (Vec<String>, burenlijn::sim::network::CreatedCall) {
    let heard = caller_heard(&app.call(ANJA, Script::keys(&["8", key])).await);
    let created = tokio::time::timeout(std::time::Duration::from_secs(10), calls.recv())
        .await
        .expect("the switchboard calls the number back")
        .unwrap();
    assert_eq!((created.to.as_str(), created.from.as_str()), (ANJA, SWITCHBOARD));
    (heard, created)
}

/// Answers the call back with `keys`; returns what was heard on it.
pub(crate) async fn answer_call_back(
    app: &TestApp,
    created: burenlijn::sim::network::CreatedCall,
    keys: &[&str],
) -> Vec<String> {
    caller_heard(&app.sandbox.emulator.answer(created, &mut Script::keys(keys)).await.unwrap())
}

/// Issue 25: caller ID can be spoofed. Whoever calls from Anja's number hears "Anja", never
/// her surname, and a pause asked for on that call changes nothing until the person who
/// answers the switchboard's call to the register's number presses 1. Every request is sent
/// twice (as Twilio may): the same document comes back, and the call back is made once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spoofed_number_hears_a_first_name_and_a_pause_waits_for_the_call_backs_one() {
    let mut app = spawn_app_with_rest().await;
    app.sandbox.emulator.repeat_every_request = true;
    add_user(&app, "Els", Role::Coordinator).await;
    let mut calls = app.network().answer_as_caller(ANJA);
    let (heard, created) = asked_from_annas_number(&app, &mut calls, "1").await;
    assert_eq!(heard[0], "Goedemorgen Anja. Fijn dat u belt met de Burenlijn van Voorbeeldwijk.");
    assert!(!heard.iter().any(|t| t.contains("Bakker")), "a first name only: {heard:?}");
    assert!(heard.iter().any(|t| t == "Voor uw eigen instellingen, toets 8."), "{heard:?}");
    // Tuesday 24 November: asked for, not done.
    assert!(
        heard.iter().any(|t| t
            == "Dank u wel. U vraagt: een week niet gebeld worden, tot en met maandag 30 november. We hangen nu op, en bellen u zo meteen terug op uw eigen nummer. Neem dan op, en toets 1. Pas dan gaat het in."),
        "{heard:?}"
    );
    assert!(!heard.iter().any(|t| t.starts_with("Dat is goed.")), "nothing is done on this call: {heard:?}");
    assert_eq!(app.count(ANJA_PAUSED).await, 0, "caller ID alone changes nothing");
    assert_eq!(app.count(ANJA_AUDITED).await, 0);
    assert_eq!(app.count("SELECT count(*) FROM follow_ups").await, 0, "nothing for the desk to do");
    // Until the 1, Jan's call still rings Anja.
    assert!(jan_asks_for_shopping(&app).await.iter().any(|n| n == ANJA), "not paused yet");

    // The call back to the register's number: greeted by first name, the question, a 1.
    let heard = answer_call_back(&app, created, &["1"]).await;
    assert_eq!(heard[0], "Goedemorgen Anja. Hier is de Burenlijn. U belde ons net.");
    assert!(
        heard.iter().any(|t| t
            == "U vroeg: een week niet gebeld worden, tot en met maandag 30 november. Klopt dat? Toets 1. Was u het niet, of wilt u het toch niet? Toets 2."),
        "{heard:?}"
    );
    assert!(
        heard.iter().any(|t| t == "Dat is goed. U wordt tot en met maandag 30 november niet gebeld. Daarna weer wel."),
        "{heard:?}"
    );
    assert_eq!(heard.last().map(String::as_str), Some("Dank u wel. Tot ziens."));
    assert!(!heard.iter().any(|t| t.contains("Bakker")), "{heard:?}");
    assert_eq!(app.network().calls_created_to(ANJA, "confirm-answer"), 1, "called back once");
    assert_eq!(app.text("SELECT paused_until FROM participants WHERE name = 'Anja Bakker'").await, "2026-12-01");
    assert_eq!(
        app.count("SELECT count(*) FROM audit_log WHERE user_name = '' AND action = 'paused for a week by phone'")
            .await,
        1
    );
    assert_eq!(app.text("SELECT status FROM own_confirmations").await, "confirmed");

    // From now: Jan's call the same morning rings everyone else, not Anja.
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
    // Her call is on the desk's list, as own settings; the call back is no call of the log.
    let calls = b.get("/desk/calls").await;
    assert!(calls.body.contains("Eigen instellingen"), "{}", calls.body);
    let rows = |body: &str| body.matches("href=\"/desk/calls/CA").count();
    let own = b.get("/desk/calls?outcome=settings").await;
    assert_eq!((rows(&calls.body), rows(&own.body)), (5, 1), "{}", own.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pause_until_further_notice_and_ring_me_again_each_wait_for_their_call_back() {
    let app = spawn_app_with_rest().await;
    let mut calls = app.network().answer_as_caller(ANJA);
    let (heard, created) = asked_from_annas_number(&app, &mut calls, "2").await;
    assert!(heard.iter().any(|t| t.starts_with("Dank u wel. U vraagt: niet gebeld worden, tot u zelf weer belt.")));
    assert_eq!(app.count(ANJA_PAUSED).await, 0);
    let heard = answer_call_back(&app, created, &["1"]).await;
    assert!(
        heard.iter().any(|t| t == "Dat is goed. U wordt niet gebeld, tot u zelf weer belt en 3 toetst."),
        "{heard:?}"
    );
    assert_eq!(app.count(ANJA_PAUSED).await, 1);
    app.sandbox.clock.advance(30 * 24 * 3600);
    assert!(!jan_asks_for_shopping(&app).await.iter().any(|n| n == ANJA), "still paused a month later");
    // Her next call says where she stands first; "ring me again" waits for its 1 too.
    let (heard, created) = asked_from_annas_number(&app, &mut calls, "3").await;
    assert!(heard.iter().any(|t| t == "U wordt nu niet gebeld, tot u zelf weer belt."), "{heard:?}");
    assert!(heard.iter().any(|t| t.starts_with("Dank u wel. U vraagt: weer gebeld worden.")), "{heard:?}");
    assert_eq!(app.count(ANJA_PAUSED).await, 1, "not before the call back's 1");
    let heard = answer_call_back(&app, created, &["1"]).await;
    assert!(heard.iter().any(|t| t == "Fijn. U kunt weer gebeld worden."), "{heard:?}");
    assert_eq!(app.count(ANJA_PAUSED).await, 0);
    assert!(jan_asks_for_shopping(&app).await.iter().any(|n| n == ANJA));
    assert_eq!(app.count(ANJA_AUDITED).await, 2);
}

// No key, a 2, or a 1 after half an hour on the call back that confirms: nothing changes:
// `matrix::a_call_back_that_confirms_answered_with_two_silence_or_late_changes_nothing`.

/// A 1 for the call back that does not come from it changes nothing: a forged signature is
/// refused, and a correctly signed request from another call than the one placed hears
/// only a hang-up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_one_that_is_not_from_the_call_back_changes_nothing() {
    let app = spawn_app_with_rest().await;
    let mut calls = app.network().answer_as_caller(ANJA);
    let (_, created) = asked_from_annas_number(&app, &mut calls, "1").await;
    for _ in 0..500 {
        if app.count("SELECT count(*) FROM own_confirmations WHERE leg_sid IS NOT NULL").await == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(app.text("SELECT leg_sid FROM own_confirmations").await, created.sid);
    let em = &app.sandbox.emulator;
    let before = app.snapshot().await;
    let url = em.voice_url().join("confirm-key?c=1&s=1").unwrap();
    let key = |sid: &str| pairs(&[("CallSid", sid), ("From", SWITCHBOARD), ("To", ANJA), ("Digits", "1")]);
    let (status, _) = em.post_with_signature(&url, &key(&created.sid), Some("garbage")).await.unwrap();
    assert_eq!(status, 403);
    let (status, body) = em.post(&url, &key("CAsomeoneelse000001")).await.unwrap();
    assert!(status == 200 && body.contains("<Hangup/>") && !body.contains("<Say"), "{body}");
    let (status, body) =
        em.post(&em.voice_url().join("confirm-answer?c=1").unwrap(), &key("CAsomeoneelse000001")).await.unwrap();
    assert!(status == 200 && body.contains("<Hangup/>") && !body.contains("Anja"), "{body}");
    assert_eq!(app.snapshot().await, before, "nothing changed");
    assert_eq!(app.count(ANJA_PAUSED).await, 0);
    // The real call back still works.
    answer_call_back(&app, created, &["1"]).await;
    assert_eq!(app.count(ANJA_PAUSED).await, 1);
}

/// The phone is not picked up: the call back's end is reported, and once the half hour is
/// over the change has expired. Nothing changed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_back_nobody_answers_changes_nothing_and_expires() {
    let app = spawn_app_with_rest().await;
    let script = Script::keys(&["8", "1"]).helper(ANJA, HelperAction::NoAnswer);
    let heard = caller_heard(&app.call(ANJA, script).await);
    assert!(heard.iter().any(|t| t.contains("bellen u zo meteen terug")), "{heard:?}");
    let lines = app.network().lines_of_created_calls("confirm-1", std::time::Duration::from_secs(10)).await;
    assert!(lines.iter().any(|l| matches!(l, Line::NotReached { status, .. } if status == "no-answer")), "{lines:?}");
    for _ in 0..500 {
        if app.text("SELECT status FROM own_confirmations").await == "no-key" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(app.text("SELECT status FROM own_confirmations").await, "no-key");
    assert_eq!(app.count(ANJA_PAUSED).await, 0);
    app.sandbox.clock.advance(30 * 60);
    burenlijn::switchboard::jobs::run_confirmations(app.sandbox.state.switchboard.clone()).await.unwrap();
    assert_eq!(app.text("SELECT status FROM own_confirmations").await, "expired");
    assert_eq!((app.count(ANJA_PAUSED).await, app.count(ANJA_AUDITED).await), (0, 0));
    assert_eq!(app.network().calls_created_to(ANJA, "confirm-answer"), 1, "not called again");
}

/// Without REST credentials (dial mode without `TWILIO_ACCOUNT_SID`) the switchboard cannot
/// call back: the change is not made, the desk gets a follow-up to arrange it, and the
/// caller hears so (and may go on in their settings).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_rest_credentials_a_change_by_phone_goes_to_the_desk_and_is_not_applied() {
    let app = spawn_app().await;
    add_user(&app, "Els", Role::Coordinator).await;
    let report = app.call(ANJA, Script::keys(&["8", "1"])).await;
    let heard = caller_heard(&report);
    assert_eq!(heard[0], "Goedemorgen Anja. Fijn dat u belt met de Burenlijn van Voorbeeldwijk.");
    let asked = heard
        .iter()
        .position(|t| t == "Dank u wel. U vraagt: een week niet gebeld worden, tot en met maandag 30 november. De balie belt u hierover terug op uw eigen nummer, en regelt het dan met u. Tot die tijd blijft alles zoals het was.")
        .unwrap_or_else(|| panic!("{heard:?}"));
    assert_eq!(heard[asked + 1], "Wilt u nog iets anders? Kies dan nu. Of hang gewoon op.", "{heard:?}");
    assert_eq!(app.count(ANJA_PAUSED).await, 0, "not applied");
    assert_eq!(app.count(ANJA_AUDITED).await, 0);
    assert_eq!(app.log_of(&report).await.outcome.map(|o| o.as_str()), Some("settings"));
    assert_eq!(app.text("SELECT status FROM own_confirmations").await, "desk");
    assert_eq!(
        app.text("SELECT reason || ' ' || call_sid FROM follow_ups WHERE closed_at IS NULL").await,
        format!("own-setting {}", report.call_sid),
        "a follow-up for the desk on her call, kept when the call ends"
    );
    assert!(jan_asks_for_shopping(&app).await.iter().any(|n| n == ANJA), "rung as before");
    let mut b = Browser::login(&app, "Els").await;
    let list = b.get("/desk/follow-up").await;
    assert!(list.body.contains("Wil per telefoon een andere pauze: bel terug op hun eigen nummer"), "{}", list.body);
    assert!(list.body.contains("nummerweergave kan vervalst zijn"), "{}", list.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_reads_out_what_and_when_and_nine_repeats_every_menu() {
    let app = spawn_app().await;
    let heard = caller_heard(&app.call(ANJA, Script::keys(&["9", "8", "9", "4", "*", "9"])).await);
    // What she heard before the keys ran out (then the menu asks again, and on).
    let pressing = heard.iter().position(|t| t.starts_with("Ik hoorde geen toets")).unwrap_or(heard.len());
    let heard = &heard[..pressing];
    let count = |text: &str| heard.iter().filter(|t| *t == text).count();
    assert_eq!(count("Waarmee kunnen we u helpen?"), 4, "the menu, 9, back with *, 9: {heard:?}");
    assert_eq!(count("Dit zijn uw eigen instellingen."), 2, "the settings, and 9: {heard:?}");
    assert_eq!(count("Wij bellen u voor boodschappen en een praatje of wat gezelschap."), 1, "{heard:?}");
    assert_eq!(count("Wij bellen u op maandag tot en met vrijdag, van 9 uur tot 17 uur."), 1, "{heard:?}");
    assert!(!heard.iter().any(|t| t.starts_with("Die toets hoort niet")), "9 is never a wrong key: {heard:?}");
    assert_eq!(app.count(ANJA_PAUSED).await, 0, "hearing changes nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_and_withheld_numbers_never_hear_eight() {
    let app = spawn_app().await;
    // Jan is in the register and only asks: he hears 8 as his say (issue 27, `say.rs`).
    for from in ["+31207654321", "anonymous"] {
        let report = app.call(from, Script::keys(&["8"])).await;
        let heard = caller_heard(&report);
        assert!(!heard.iter().any(|t| t.to_lowercase().contains("toets 8")), "{from}: {heard:?}");
        assert!(
            heard.iter().any(|t| t.starts_with("Die toets hoort niet bij de keuzes")),
            "8 is a key they do not have: {heard:?}"
        );
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
    // 0 is a person (issue 27): the desk in office hours, which does not answer now, so a
    // message for it.
    let mut script = Script::keys(&["8", "0"]);
    script.message_seconds = Some(40);
    let report = app.call(ANJA, script).await;
    let heard = caller_heard(&report);
    assert!(
        heard.iter().any(|t| t.starts_with("Spreek na de piep uw bericht in. Alleen de balie hoort het.")),
        "{heard:?}"
    );
    assert_eq!(app.log_of(&report).await.outcome.map(|o| o.as_str()), Some("message"));
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
    assert_eq!(app.log_of(&report).await.outcome.map(|o| o.as_str()), Some("matched"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_participant_hears_their_own_language_as_caller() {
    let app = spawn_app().await;
    speaks(&app, "Jan de Vries", "tr").await;
    let report = app.call(JAN, Script::keys(&["1"]).helper(ANJA, HelperAction::Accept)).await;
    let heard = caller_heard(&report);
    assert!(heard[0].starts_with("Günaydın Jan."), "first name only: {heard:?}");
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
    assert_eq!(app.log_of(&report).await.outcome.map(|o| o.as_str()), Some("matched"));
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
            (log.outcome.map(|o| o.as_str()), log.helper_phone.as_deref()),
            (Some("matched"), Some(ANJA)),
            "waves {waves}"
        );
        assert!(!attempts(&log).iter().any(|(_, r)| r == "declined"), "a 9 is no no: {:?}", attempts(&log));
    }
}
