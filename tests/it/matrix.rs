//! The scenario matrix, run through each provider's emulator (issue 30): the same call, the
//! same people, the same expectations, whether the dialplan says `provider = "twilio"` or
//! `provider = "vonage"`. What differs is only the wire (TwiML and signed form posts, or
//! NCCO and JWT-signed JSON), which the emulators in `src/sim` speak as each provider
//! documents it.
//!
//! Dial mode here (helpers one after another, rung by the caller's own call).

use burenlijn::sim::people::{HelperAction, Line, Script};

use crate::support::*;

/// `name::twilio` and `name::vonage`, each running `name(provider)`.
macro_rules! on_both_providers {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn twilio() {
                super::$name(Provider::Twilio).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn vonage() {
                super::$name(Provider::Vonage).await
            }
        }
    )*};
}

on_both_providers!(
    yes_after_no_answer_and_busy,
    yes_after_no_answer_and_no,
    voicemail_is_a_no_and_never_joined,
    other_keys_hang_ups_busy_and_failures_move_on,
    nobody_then_the_desk_answers,
    nobody_and_no_desk_a_message,
    silence_in_the_menu_reaches_a_person,
    hang_up_while_a_helper_rings,
    every_webhook_twice_changes_nothing,
);

/// Vonage joins a helper to the caller when their whisper (`onAnswer` NCCO) ends (NCCO
/// reference, "Endpoint Types and Values"): a helper who says no is let go by the
/// switchboard ending their call through the REST API, after their thanks.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_vonage_a_no_is_ended_through_the_rest_api_after_the_thanks() {
    let app = spawn_app_on(Provider::Vonage, TUESDAY_MORNING).await;
    let script = Script::keys(&["1"]).helper(ANJA, HelperAction::Decline).helper(BERT, HelperAction::Accept);
    let report = app.call(JAN, script).await;
    let log = app.log_of(&report).await;
    expect_attempts(&log, &[(ANJA, "declined"), (BERT, "accepted")]);
    assert_eq!(connected(&report), vec![BERT.to_string()], "{:?}", report.lines);
    // The legs as their whispers named them.
    let anja = app.text("SELECT leg_sid FROM attempts WHERE attempt = 1").await;
    let bert = app.text("SELECT leg_sid FROM attempts WHERE attempt = 2").await;
    assert!(!anja.is_empty() && anja != bert, "{anja} {bert}");
    let rest = app.sandbox.emulator.vonage_rest.as_ref().unwrap();
    assert_eq!(rest.updates(&anja), vec!["hangup".to_string()]);
    assert!(rest.updates(&bert).is_empty(), "a yes is never hung up");
    // Her thanks came first, and was whole.
    assert!(helpers_heard(&report)
        .iter()
        .any(|(n, t)| n == ANJA && t == "Geen probleem. Dank u wel dat u opnam. Tot een volgende keer."));
}

fn outcome(log: &burenlijn::store::calls::CallLog) -> Option<&'static str> {
    log.outcome.map(|o| o.as_str())
}

/// Who the caller was put through to.
fn connected(report: &burenlijn::sim::emulator::CallReport) -> Vec<String> {
    report
        .lines
        .iter()
        .filter_map(|l| match l {
            Line::Connected { number } => Some(number.clone()),
            _ => None,
        })
        .collect()
}

async fn yes_after_no_answer_and_no(provider: Provider) {
    let app = spawn_app_on(provider, TUESDAY_MORNING).await;
    let script = Script::keys(&["1"])
        .helper(ANJA, HelperAction::NoAnswer)
        .helper(BERT, HelperAction::Decline)
        .helper(CARLA, HelperAction::Accept);
    let report = app.call(JAN, script).await;
    let log = app.log_of(&report).await;
    assert_eq!(outcome(&log), Some("matched"));
    expect_attempts(&log, &[(ANJA, "no-answer"), (BERT, "declined"), (CARLA, "accepted")]);
    assert_eq!(log.helper_phone.as_deref(), Some(CARLA));
    assert_eq!(connected(&report), vec![CARLA.to_string()], "only the yes is put through");
    assert!(caller_heard(&report)[0].starts_with("Goedemorgen Jan."), "{:?}", caller_heard(&report));
    let heard = helpers_heard(&report);
    assert!(heard
        .iter()
        .any(|(n, t)| n == CARLA && t == "Jan uit de Kerkstraat vraagt om hulp. Het gaat om boodschappen."));
    assert!(heard.iter().any(|(n, t)| n == BERT && t.starts_with("Geen probleem. Dank u wel")), "a no is thanked");
    for (_, text) in heard {
        assert!(!text.contains("1234567") && !text.contains("de Vries"), "{text}");
    }
}

async fn yes_after_no_answer_and_busy(provider: Provider) {
    let app = spawn_app_on(provider, TUESDAY_MORNING).await;
    let script = Script::keys(&["1"])
        .helper(ANJA, HelperAction::NoAnswer)
        .helper(BERT, HelperAction::Busy)
        .helper(CARLA, HelperAction::Accept);
    let report = app.call(JAN, script).await;
    let log = app.log_of(&report).await;
    assert_eq!(outcome(&log), Some("matched"));
    expect_attempts(&log, &[(ANJA, "no-answer"), (BERT, "busy"), (CARLA, "accepted")]);
    assert_eq!(log.helper_phone.as_deref(), Some(CARLA));
    assert_eq!(connected(&report), vec![CARLA.to_string()]);
    let heard = helpers_heard(&report);
    assert!(heard
        .iter()
        .any(|(n, t)| n == CARLA && t == "Jan uit de Kerkstraat vraagt om hulp. Het gaat om boodschappen."));
    assert!(!heard.iter().any(|(n, _)| n == ANJA || n == BERT), "{heard:?}");
    let caller = caller_heard(&report);
    assert!(caller[0].starts_with("Goedemorgen Jan."), "{caller:?}");
    assert!(!caller.iter().any(|t| t.contains("Carla") || t.contains("Bert")), "{caller:?}");
}

async fn voicemail_is_a_no_and_never_joined(provider: Provider) {
    let app = spawn_app_on(provider, TUESDAY_MORNING).await;
    let report =
        app.call(JAN, Script::keys(&["1"]).helper(ANJA, HelperAction::Silent).helper(BERT, HelperAction::Accept)).await;
    let log = app.log_of(&report).await;
    expect_attempts(&log, &[(ANJA, "declined"), (BERT, "accepted")]);
    assert_eq!(connected(&report), vec![BERT.to_string()], "a voicemail box is never joined to the caller");
}

async fn other_keys_hang_ups_busy_and_failures_move_on(provider: Provider) {
    let app = spawn_app_on(provider, TUESDAY_MORNING).await;
    let script = Script::keys(&["1"])
        .helper(ANJA, HelperAction::Key("9".into()))
        .helper(BERT, HelperAction::HangUp)
        .helper(CARLA, HelperAction::Busy);
    let report = app.call(JAN, script).await;
    let log = app.log_of(&report).await;
    expect_attempts(&log, &[(ANJA, "declined"), (BERT, "declined"), (CARLA, "busy")]);
    assert_eq!(outcome(&log), Some("unmatched"));
    assert_eq!(log.follow_up.as_deref(), Some("open"));
    assert!(connected(&report).is_empty(), "{:?}", connected(&report));
}

async fn nobody_then_the_desk_answers(provider: Provider) {
    let app = spawn_app_on(provider, TUESDAY_MORNING).await;
    let mut script = Script::keys(&["1"])
        .helper(ANJA, HelperAction::Decline)
        .helper(BERT, HelperAction::Failed)
        .helper(CARLA, HelperAction::NoAnswer);
    script.desk_answers = true;
    let report = app.call(JAN, script).await;
    let log = app.log_of(&report).await;
    assert_eq!(outcome(&log), Some("desk"));
    expect_attempts(&log, &[(ANJA, "declined"), (BERT, "failed"), (CARLA, "no-answer")]);
    assert!(!connected(&report).iter().any(|n| n != "+31850000001"), "{:?}", connected(&report));
    assert_eq!(log.follow_up, None, "the desk talked to the caller");
    assert!(caller_heard(&report).contains(&"Het spijt me. Ik heb nu niemand gevonden die kan helpen.".to_string()));
    assert_eq!(rung(&report).last().map(String::as_str), Some("+31850000001"), "the desk phone is rung last");
    assert!(report.lines.contains(&Line::DeskAnswers));
}

async fn nobody_and_no_desk_a_message(provider: Provider) {
    let app = spawn_app_on(provider, TUESDAY_MORNING).await;
    let mut script = Script::keys(&["1"])
        .helper(ANJA, HelperAction::Decline)
        .helper(BERT, HelperAction::Silent)
        .helper(CARLA, HelperAction::Decline);
    script.desk_answers = false;
    script.message_seconds = Some(20);
    let report = app.call(JAN, script).await;
    let log = app.log_of(&report).await;
    assert_eq!(outcome(&log), Some("voicemail"));
    let url = log.voicemail_url.as_deref().unwrap_or_default();
    let provider_url = match provider {
        Provider::Twilio => "https://api.twilio.com/",
        Provider::Vonage => "https://api-eu.vonage.com/",
    };
    assert!(url.starts_with(provider_url), "{url}");
    assert_eq!(log.follow_up.as_deref(), Some("open"));
    assert!(connected(&report).is_empty(), "{:?}", connected(&report));
    let heard = caller_heard(&report);
    assert!(heard.contains(&"Er neemt nu niemand op bij de balie.".to_string()), "{heard:?}");
    assert!(heard.contains(&"De balie belt u zo snel mogelijk terug.".to_string()), "{heard:?}");
}

async fn silence_in_the_menu_reaches_a_person(provider: Provider) {
    let app = spawn_app_on(provider, TUESDAY_MORNING).await;
    let report = app.call(JAN, Script { desk_answers: true, ..Default::default() }).await;
    let heard = caller_heard(&report);
    assert_eq!(heard.iter().filter(|t| *t == "Wilt u meer tijd? Toets 1.").count(), 1, "more time, once: {heard:?}");
    assert!(report.lines.contains(&Line::DeskAnswers), "{heard:?}");
    assert_eq!(outcome(&app.log_of(&report).await), Some("desk"));
}

async fn hang_up_while_a_helper_rings(provider: Provider) {
    let app = spawn_app_on(provider, TUESDAY_MORNING).await;
    let mut script = Script::keys(&["1"]).helper(ANJA, HelperAction::Decline);
    script.hang_up_at_ring = Some(2);
    let report = app.call(JAN, script).await;
    let log = app.log_of(&report).await;
    assert_eq!(outcome(&log), Some("abandoned"));
    expect_attempts(&log, &[(ANJA, "declined"), (BERT, "canceled")]);
    assert!(connected(&report).is_empty(), "{:?}", connected(&report));
    assert_eq!(log.follow_up.as_deref(), Some("open"));
}

/// Providers may deliver a webhook twice (Twilio after a timeout; Vonage's events "may
/// arrive late, twice or out of order"): every one sent twice, the second gets the same
/// answer and changes nothing.
async fn every_webhook_twice_changes_nothing(provider: Provider) {
    let script = || {
        Script::keys(&["1"])
            .helper(ANJA, HelperAction::NoAnswer)
            .helper(BERT, HelperAction::Decline)
            .helper(CARLA, HelperAction::Accept)
    };
    let once = spawn_app_on(provider, TUESDAY_MORNING).await;
    let twice = spawn_app_on(provider, TUESDAY_MORNING).await;
    crate::support::every_webhook_twice_changes_nothing(once, twice, script).await;
}

/// Vonage: nothing orders a connect's event and the NCCO's next action. When the callee's
/// `completed` comes after the `notify` that follows the connect, the call goes the same
/// way: the later of the two is a repeat of the same document.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_vonage_a_connects_event_after_its_notify_changes_nothing() {
    let script = || {
        Script::keys(&["1"])
            .helper(ANJA, HelperAction::Decline)
            .helper(BERT, HelperAction::Silent)
            .helper(CARLA, HelperAction::Accept)
    };
    let first = spawn_app_on(Provider::Vonage, TUESDAY_MORNING).await;
    let a = first.call(JAN, script()).await;
    let mut late = spawn_app_on(Provider::Vonage, TUESDAY_MORNING).await;
    late.sandbox.emulator.connect_events_late = true;
    let b = late.call(JAN, script()).await;
    assert_eq!(a.lines, b.lines, "the call sounds the same");
    assert_eq!(a.requests, b.requests, "the same webhooks, in another order");
    let (la, lb) = (first.log_of(&a).await, late.log_of(&b).await);
    assert_eq!(attempts(&lb), attempts(&la));
    assert_eq!((lb.outcome, lb.wait_seconds), (la.outcome, la.wait_seconds));
    assert_eq!(connected(&b), vec![CARLA.to_string()]);
}

// Waves: helpers rung by calls the switchboard places through the provider's REST API,
// the caller waiting in a conference (Vonage: a conversation) they are joined to.

on_both_providers!(
    waves_two_yeses_exactly_one_joined_and_announced,
    waves_nobody_says_yes_the_desk_answers,
    waves_hang_up_while_helpers_ring,
);

/// Nobody is left alone in a conference, and nobody's end went unreported.
fn no_one_alone_in_waves(report: &burenlijn::sim::emulator::CallReport) {
    assert!(!report.lines.iter().any(|l| matches!(l, Line::AloneInConference { .. })), "{:#?}", report.lines);
}

async fn waves_two_yeses_exactly_one_joined_and_announced(provider: Provider) {
    let app = spawn_waves_app_through(provider, TUESDAY_MORNING, 2, |p| p).await;
    app.network().press_together(2);
    let report = app.call(JAN, Script::keys(&["1"])).await;
    let log = app.log_of(&report).await;
    let rung = rung(&report);
    assert_eq!(rung.len(), 2, "one wave of two: {rung:?}");
    let pressed_1 = report.lines.iter().filter(|l| matches!(l, Line::HelperPresses { key, .. } if key == "1")).count();
    assert_eq!(pressed_1, 2, "both pressed 1: {:#?}", report.lines);
    let joined = joined(&report);
    assert_eq!(joined.len(), 1, "exactly one is joined: {:#?}", report.lines);
    let winner = joined[0].clone();
    let other = rung.iter().find(|n| **n != winner).unwrap().clone();
    assert!(
        helpers_heard(&report).iter().any(|(n, t)| *n == other && t.contains("Er is al iemand gevonden")),
        "the other is told someone was found: {:#?}",
        helpers_heard(&report)
    );
    no_one_alone_in_waves(&report);
    assert_eq!(outcome(&log), Some("matched"));
    assert_eq!(log.helper_phone.as_deref(), Some(winner.as_str()));
    let mut results = attempts(&log);
    results.sort();
    let mut want = vec![(winner.clone(), "accepted".to_string()), (other.clone(), "canceled".to_string())];
    want.sort();
    assert_eq!(results, want);
    assert!(log.attempts.iter().all(|a| a.key.as_deref() == Some("1")));
    assert_eq!(app.count("SELECT count(*) FROM matches").await, 1);
    assert_eq!(app.count("SELECT count(*) FROM wave_legs WHERE status = 'accepted'").await, 1);
    assert_eq!(app.count("SELECT count(*) FROM attempts WHERE ended_at IS NULL").await, 0, "everyone is free again");
    // The provider reported the caller's and the winner's entries into the same room.
    assert_eq!(
        app.count(
            "SELECT count(*) FROM wave_searches s JOIN wave_legs l ON l.call_sid = s.call_sid
             WHERE l.status = 'accepted' AND s.conference_sid IS NOT NULL AND l.conference_sid = s.conference_sid"
        )
        .await,
        1
    );
    // The caller heard who comes (their first name and street, never a number), then the goodbye.
    let heard = caller_heard(&report);
    assert!(heard.iter().any(|t| t.ends_with("neemt nu op.") && !t.contains("06")), "{heard:?}");
    if provider == Provider::Twilio {
        // Kind words while waiting (Vonage has no wait documents: hold music).
        assert!(heard.iter().any(|t| t.starts_with("U wacht nog even.")), "{heard:?}");
    }
    assert_eq!(heard.last().map(String::as_str), Some("Fijn dat er iemand kon helpen. Tot ziens."), "{heard:?}");
}

async fn waves_nobody_says_yes_the_desk_answers(provider: Provider) {
    let app = spawn_waves_app_through(provider, TUESDAY_MORNING, 2, |p| p).await;
    let script = Script { desk_answers: true, ..Script::keys(&["1"]) }
        .helper(ANJA, HelperAction::Decline)
        .helper(BERT, HelperAction::Decline)
        .helper(CARLA, HelperAction::Silent);
    let report = app.call(JAN, script).await;
    let log = app.log_of(&report).await;
    let mut results = attempts(&log);
    results.sort();
    assert_eq!(results, pairs(&[(ANJA, "declined"), (BERT, "declined"), (CARLA, "declined")]));
    assert!(report.lines.contains(&Line::DeskAnswers), "{:#?}", report.lines);
    assert_eq!(outcome(&log), Some("desk"));
    assert!(caller_heard(&report).iter().any(|t| t.starts_with("Het spijt me.")), "{:?}", caller_heard(&report));
    for number in [ANJA, BERT] {
        assert!(helpers_heard(&report).iter().any(|(n, t)| n == number && t.starts_with("Geen probleem. Dank u wel")));
    }
    assert!(joined(&report).is_empty(), "a no is never joined: {:#?}", report.lines);
    no_one_alone_in_waves(&report);
}

async fn waves_hang_up_while_helpers_ring(provider: Provider) {
    let app = spawn_waves_app_through(provider, TUESDAY_MORNING, 3, |p| {
        edit_dialplan(&p, &[("ringing.ring_timeout_seconds", 60.into())])
    })
    .await;
    // Slowed so a busy machine cannot let a ring run out before the caller's hang-up.
    app.network().slow_down(25);
    let script = Script { hang_up_on_hold_round: Some(2), ..Script::keys(&["1"]) }
        .helper(ANJA, HelperAction::NoAnswer)
        .helper(BERT, HelperAction::NoAnswer)
        .helper(CARLA, HelperAction::NoAnswer);
    let report = app.call(JAN, script).await;
    let log = app.log_of(&report).await;
    assert_eq!(outcome(&log), Some("abandoned"));
    assert_eq!(rung(&report).len(), 3, "{:#?}", report.lines);
    assert!(joined(&report).is_empty());
    let canceled =
        report.lines.iter().filter(|l| matches!(l, Line::NotReached { status, .. } if status == "canceled")).count();
    assert_eq!(canceled, 3, "every ringing phone was cancelled: {:#?}", report.lines);
    assert!(attempts(&log).iter().all(|(_, r)| r == "canceled"), "{:?}", attempts(&log));
    // Every phone's end is known: nobody stays marked as being rung.
    wait_for(&app, "SELECT count(*) FROM attempts WHERE ended_at IS NULL", 0).await;
    assert_eq!(app.count("SELECT count(*) FROM wave_searches WHERE status = 'over'").await, 1);
}

on_both_providers!(call_back_accepted_the_next_morning, round_nobody_confirms_and_the_desk_phone_rings);

/// Call back later: Jan asked on Tuesday evening; on Wednesday morning Bert says yes, waits
/// on the line while Jan is called, and Jan is joined to him.
async fn call_back_accepted_the_next_morning(provider: Provider) {
    let app = crate::waves::jan_asks_to_be_called_back_through(provider).await;
    let start_searches = || burenlijn::switchboard::start_due_callbacks(app.sandbox.state.switchboard.clone());
    app.sandbox.clock.advance(3 * 3600);
    assert_eq!(start_searches().await.unwrap(), 0, "never at night");
    app.sandbox.clock.advance(9 * 3600 + 30 * 60);
    app.network().script_helpers(
        [
            (BERT.to_string(), HelperAction::Accept),
            (CARLA.to_string(), HelperAction::Decline),
            (ANJA.to_string(), HelperAction::Decline),
        ]
        .into_iter()
        .collect(),
    );
    app.network().ring_for(JAN, 40);
    app.network().patience_at_least(std::time::Duration::from_secs(5));
    assert_eq!(start_searches().await.unwrap(), 1);
    let search = app.text("SELECT search_sid FROM callback_requests").await;
    let lines = app.network().lines_of_created_calls(&search, std::time::Duration::from_secs(10)).await;
    assert!(
        lines.contains(&Line::Joined { waiting: BERT.into(), joining: JAN.into() }),
        "Bert waits, and Jan is joined to him: {lines:#?}"
    );
    let heard = |who: &str| {
        lines
            .iter()
            .filter_map(|l| match l {
                Line::HelperHears { number, text } if number == who => Some(text.clone()),
                _ => None,
            })
            .collect::<Vec<_>>()
    };
    assert!(
        heard(BERT).iter().any(|t| t == "Jan uit de Kerkstraat vraagt om hulp. Het gaat om boodschappen."),
        "{:?}",
        heard(BERT)
    );
    assert!(
        heard(BERT).iter().any(|t| t == "Dank u wel. Blijft u aan de lijn. Ik bel Jan nu op."),
        "{:?}",
        heard(BERT)
    );
    if provider == Provider::Twilio {
        // While Jan's phone rings, Bert hears kind words again and again, never silence.
        // (Vonage has no wait documents: he hears the hold music, docs/vonage-facts.md.)
        let waiting_words = heard(BERT)
            .iter()
            .filter(|t| *t == "Ik bel Jan nog. Blijft u nog even aan de lijn. Fijn dat u wacht.")
            .count();
        assert!(waiting_words >= 2, "{:?}", heard(BERT));
    }
    assert!(
        heard(JAN).iter().any(|t| t == "Goed nieuws. Bert uit de Dorpsweg kan u helpen. Ik verbind u nu."),
        "{:?}",
        heard(JAN)
    );
    assert!(!lines.iter().any(|l| matches!(l, Line::AloneInConference { .. })), "{lines:#?}");
    assert_eq!(app.text("SELECT status FROM callback_requests").await, "connected");
    assert_eq!(app.count("SELECT count(*) FROM calls WHERE kind = 'callback-search' AND outcome = 'matched'").await, 1);
    wait_for(&app, "SELECT count(*) FROM attempts WHERE ended_at IS NULL", 0).await;
    // Every call of it, the search too, has its neighbourhood stored (issue 26).
    assert_eq!(app.count("SELECT count(*) FROM calls WHERE neighbourhood IS NOT 'example'").await, 0);

    // The desk: the searches are shown as such, and the figures count Jan's one call, helped.
    use crate::desk_support::{add_user, Browser};
    use burenlijn::domain::desk::Role;
    add_user(&app, "Els", Role::Coordinator).await;
    let mut b = Browser::login(&app, "Els").await;
    assert!(b.get("/desk/calls").await.body.contains("terugbelpoging"));
    let csv = b.get("/desk/figures.csv").await;
    let november = csv.body.lines().find(|l| l.starts_with("2026-11,Totaal,")).unwrap_or_default().to_string();
    assert!(november.starts_with("2026-11,Totaal,1,1,0,"), "one call, matched by the call back: {}", csv.body);
    assert!(november.ends_with(",1,0,1"), "Bert helped, Jan was helped: {}", csv.body);
    // Jan's own call needs no calling back by the desk any more.
    assert_eq!(app.count("SELECT count(*) FROM follow_ups WHERE closed_at IS NOT NULL AND result = 'solved-by-neighbour' AND closed_by = 'Burenlijn'").await, 1);
    assert_eq!(app.count("SELECT count(*) FROM follow_ups WHERE closed_at IS NULL").await, 0);
}

/// The good-morning round: Jan is busy, his first contact says no, the second's voicemail
/// presses nothing; the desk's phone is rung and hears who it is about.
async fn round_nobody_confirms_and_the_desk_phone_rings(provider: Provider) {
    use crate::round::*;
    let app = round_app_through(provider, TUESDAY_0925).await;
    enrol_jan(&app, 1, &[ANJA, RELATIVE]).await;
    app.network().script_helpers(script(&[
        (JAN, HelperAction::Busy),
        (ANJA, HelperAction::Decline),
        (RELATIVE, HelperAction::Silent),
        (DESK_PHONE, HelperAction::Accept),
    ]));
    clock_to(&app, "2026-12-01T09:30:00+01:00");
    run_round(&app).await;
    wait_for(&app, "SELECT count(*) FROM round_calls WHERE who = 'desk' AND result = 'heard'", 1).await;
    assert_eq!(
        results(&round_log(&app).await),
        [
            ("resident".into(), 1, Some("busy".into())),
            ("contact".into(), 1, Some("declined".into())),
            ("contact".into(), 2, Some("no-key".into())),
            ("desk".into(), 0, Some("heard".into())),
        ]
    );
    let lines = lines_of_morning(&app, 1).await;
    assert_eq!(
        heard_by(&lines, ANJA).last().map(String::as_str),
        Some("Dank u wel. Dan vragen we iemand anders."),
        "a no is thanked"
    );
    let desk = heard_by(&lines, DESK_PHONE);
    assert!(desk[0].starts_with("Dringend, van de goedemorgenronde. Jan de Vries nam vanmorgen niet op"), "{desk:?}");
    assert_eq!(
        app.count("SELECT count(*) FROM follow_ups WHERE urgent = 1 AND reason = 'round' AND closed_at IS NULL").await,
        1
    );
    assert_eq!(app.count("SELECT count(*) FROM calls WHERE outcome = 'round' AND caller_id IS NOT NULL").await, 1);
    // Its neighbourhood is stored with it (issue 26).
    assert_eq!(app.text("SELECT neighbourhood FROM calls WHERE outcome = 'round'").await, "example");
    // A round is not a request for help: the figures leave it out.
    let st = app.sandbox.state.clone();
    let figures = tokio::task::spawn_blocking(move || {
        st.switchboard.store.read(|c| {
            let scope = burenlijn::store::scope::Scope::all();
            burenlijn::store::desk::figures(c, jiff::Timestamp::UNIX_EPOCH, jiff::Timestamp::MAX, &scope)
        })
    })
    .await
    .unwrap()
    .unwrap();
    assert_eq!(figures[0].calls, 0);
}

on_both_providers!(help_for_later_first_no_second_yes_requester_told);

/// Taken on Monday for Tuesday 10:00: Bert (asked first) says no and is thanked, Dirk says
/// yes; Jan is called back with Dirk's first name, the day and the time. Nobody else is asked.
async fn help_for_later_first_no_second_yes_requester_told(provider: Provider) {
    use crate::planned::*;
    let app = later_app_through(provider).await;
    let added = add(&app, "2026-12-08 10:00").unwrap();
    assert_eq!((added.id, added.neighbourhood.as_str()), (1, "example"));
    assert_eq!(added.cutoff, "2026-12-07T16:00:00+01:00".parse::<jiff::Timestamp>().unwrap(), "18 hours before");
    assert_eq!(app.text(STATUS).await, "asking");
    assert_eq!(app.count("SELECT count(*) FROM audit_log WHERE user_name = '#cli'").await, 1);

    bert_says_no_dirk_yes_and_jan_is_told(&app).await;
    assert_eq!(app.text(STATUS).await, "matched");
    assert_eq!(app.text("SELECT matched_by FROM planned_requests").await, "phone");

    let bert = heard_on(&app, 1, BERT).await;
    assert_eq!(
        bert,
        [
            "Goedemorgen Bert. Hier is de Burenlijn.",
            "Jan uit de Kerkstraat vraagt om hulp op dinsdag 8 december om 10 uur. Het gaat om vervoer, bijvoorbeeld naar de dokter of het ziekenhuis.",
            "Kunt u dan helpen? Toets 1. Komt het niet uit? Toets 2. Dat is helemaal goed.",
            "Nog een keer horen? Toets 9.",
            "Geen probleem. Dank u wel dat u opnam. Tot een volgende keer.",
        ]
    );
    let dirk = heard_on(&app, 2, DIRK).await;
    assert_eq!(dirk.last().map(String::as_str), Some("Dank u wel! We laten Jan weten dat u komt."), "{dirk:?}");
    let jan = heard_on(&app, 3, JAN).await;
    assert_eq!(
        jan,
        [
            "Goedemorgen Jan. Hier is de Burenlijn.",
            "Goed nieuws. Dirk helpt u op dinsdag 8 december om 10 uur.",
            "Dank u wel. Tot ziens.",
        ]
    );
    for heard in [&bert, &dirk, &jan] {
        assert!(
            !heard.iter().any(|t| t.contains("1234567") || t.contains("Visser") || t.contains("de Vries")),
            "{heard:?}"
        );
    }
    // Each asked once, the requester told once; nothing more after the match.
    run_planned(&app).await;
    clock_to(&app, "2026-12-07T17:00:00+01:00");
    run_planned(&app).await;
    assert_eq!(app.count(ASKED).await, 2);
    assert_eq!(app.network().calls_created_to(BERT, "planned-answer"), 1);
    assert_eq!(app.network().calls_created_to(DIRK, "planned-answer"), 1);
    assert_eq!(app.network().calls_created_to(JAN, "planned-answer"), 1);
    assert_eq!(app.count("SELECT count(*) FROM follow_ups").await, 0, "nothing for the desk");
    assert_eq!(purposes_and_results(&app, 1), ["ask:no", "ask:yes", "tell-matched:heard"]);
}

on_both_providers!(waves_a_held_caller_whose_move_to_the_desk_was_lost_is_moved_again);

/// The service decided to move the held caller on (nobody said yes), but the move never
/// happened (as when it dies between deciding and asking the provider): the search's
/// next tick moves them again. On Twilio the hold music's requests tick the search; on
/// Vonage, whose hold music asks nothing, the service's own clock does (`jobs::tick_held`).
async fn waves_a_held_caller_whose_move_to_the_desk_was_lost_is_moved_again(provider: Provider) {
    let app = spawn_waves_app_through(provider, TUESDAY_MORNING, 2, |p| p).await;
    app.network().lose_next_redirect();
    let script = Script { desk_answers: true, ..Script::keys(&["1"]) }
        .helper(ANJA, HelperAction::Decline)
        .helper(BERT, HelperAction::Decline)
        .helper(CARLA, HelperAction::Decline);
    let report = app.call(JAN, script).await;
    let log = app.log_of(&report).await;
    assert!(report.lines.contains(&Line::DeskAnswers), "{:#?}", report.lines);
    assert_eq!(outcome(&log), Some("desk"));
    // Moved once more, and only once: the sorry is said once.
    let sorry = caller_heard(&report).iter().filter(|t| t.starts_with("Het spijt me.")).count();
    assert_eq!(sorry, 1, "{:?}", caller_heard(&report));
}

on_both_providers!(a_call_back_that_confirms_answered_with_two_silence_or_late_changes_nothing);

/// No answer, no key, a 2, or a 1 after half an hour: nothing changes, and a no is thanked.
async fn a_call_back_that_confirms_answered_with_two_silence_or_late_changes_nothing(provider: Provider) {
    use crate::own_settings::*;
    // Dial mode, with the provider's REST API for the call back.
    let app =
        spawn_waves_app_through(provider, TUESDAY_MORNING, 2, |p| p.replacen("mode = \"waves\"", "mode = \"dial\"", 1))
            .await;
    let mut calls = app.network().answer_as_caller(ANJA);
    // A 2: "it was not me".
    let (_, created) = asked_from_annas_number(&app, &mut calls, "1").await;
    let heard = answer_call_back(&app, created, &["2"]).await;
    assert_eq!(heard.last().map(String::as_str), Some("Dank u wel dat u het zegt. Er verandert niets. Tot ziens."));
    assert_eq!(app.text("SELECT status FROM own_confirmations ORDER BY id DESC LIMIT 1").await, "declined");
    // Picked up, no key (a voicemail box, say): asked twice, then nothing changes.
    let (_, created) = asked_from_annas_number(&app, &mut calls, "2").await;
    let heard = answer_call_back(&app, created, &[]).await;
    assert_eq!(heard.iter().filter(|t| t.starts_with("U vroeg: niet gebeld worden")).count(), 2, "{heard:?}");
    assert_eq!(
        heard.last().map(String::as_str),
        Some("Ik hoorde geen toets. Er verandert niets. Belt u gerust nog een keer. Tot ziens.")
    );
    // A 1 more than half an hour after it was asked for: too late.
    let (_, created) = asked_from_annas_number(&app, &mut calls, "1").await;
    app.sandbox.clock.advance(31 * 60);
    let heard = answer_call_back(&app, created, &["1"]).await;
    assert!(heard.iter().any(|t| t.starts_with("Dit is te lang geleden gevraagd. Er verandert niets.")), "{heard:?}");
    assert_eq!(app.count(ANJA_PAUSED).await, 0);
    assert_eq!(app.count(ANJA_AUDITED).await, 0);
    assert_eq!(
        app.text("SELECT group_concat(status, ',') FROM (SELECT status FROM own_confirmations ORDER BY id)").await,
        "declined,replaced,expired",
        "the one without a key was still open (a key on its way counts) until the newer one"
    );
    assert!(jan_asks_for_shopping(&app).await.iter().any(|n| n == ANJA), "rung as before");
}
