//! Ringing in waves, end to end: the caller on hold in a conference of their own, helper
//! legs created through the (emulated) REST API, status callbacks, cancellations.

use burenlijn::sim::people::{HelperAction, Line, Script};

use crate::support::*;

fn no_one_alone(report: &burenlijn::sim::emulator::CallReport) {
    assert!(
        !report.lines.iter().any(|l| matches!(l, Line::AloneInConference { .. })),
        "nobody is ever joined to an empty line: {:#?}",
        report.lines
    );
    nobody_waits_in_silence(report);
}

/// Twilio does not fetch a wait document again once it runs out of verbs: every document
/// anyone waits on must end in a `<Redirect>`, or they hear nothing from then on.
fn nobody_waits_in_silence(report: &burenlijn::sim::emulator::CallReport) {
    assert!(
        !report.lines.iter().any(|l| matches!(l, Line::Silence { .. })),
        "nobody waits in silence longer than one round of a wait document: {:#?}",
        report.lines
    );
}

// Two yeses in one wave, exactly one joined; the caller hanging up while helpers ring; nobody
// says yes and the desk answers: `matrix::waves_*`, on both providers.

// A held caller whose move to the desk was lost is moved again:
// `matrix::waves_a_held_caller_whose_move_to_the_desk_was_lost_is_moved_again`.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rest_errors_a_503_is_retried_and_a_refused_helper_is_skipped() {
    let app = spawn_waves_app(2, |p| p).await;
    app.network().fail_next_creations(1);
    app.network().refuse_calls_to(ANJA, 400);
    let report = app
        .call(JAN, Script::keys(&["1"]).helper(BERT, HelperAction::Decline).helper(CARLA, HelperAction::Accept))
        .await;
    let log = app.log_of(&report).await;
    let mut results = attempts(&log);
    results.sort();
    // Bert and Carla hear the request at the same time: Bert's no usually comes first, but
    // should Carla's yes win the race, Bert, still listening, is thanked at once (issue 31).
    let bert = if results.contains(&(BERT.to_string(), "canceled".to_string())) { "canceled" } else { "declined" };
    assert_eq!(results, pairs(&[(ANJA, "failed"), (BERT, bert), (CARLA, "accepted")]));
    assert_eq!(log.outcome.map(|o| o.as_str()), Some("matched"));
    assert_eq!(joined(&report), vec![CARLA.to_string()]);
    // One 503 retried, one final 400, Bert and Carla created.
    assert_eq!(app.network().create_requests(), 4);
    no_one_alone(&report);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caller_who_waited_too_long_hears_nobody_new_rung_and_is_moved_to_the_desk() {
    let app = spawn_waves_app(2, |p| {
        edit_dialplan(&p, &[("ringing.ring_timeout_seconds", 120.into()), ("ringing.max_wait_seconds", 30.into())])
    })
    .await;
    let script = Script { desk_answers: true, ..Script::keys(&["1"]) }
        .helper(ANJA, HelperAction::NoAnswer)
        .helper(BERT, HelperAction::NoAnswer)
        .helper(CARLA, HelperAction::NoAnswer);
    let report = app.call(JAN, script).await;
    let log = app.log_of(&report).await;
    assert_eq!(log.outcome.map(|o| o.as_str()), Some("desk"), "{:#?}", report.lines);
    let helpers_rung: Vec<String> = rung(&report).into_iter().filter(|n| n.starts_with("+316")).collect();
    assert_eq!(helpers_rung.len(), 2, "the second wave never started: {:#?}", report.lines);
    assert!(report.lines.contains(&Line::DeskAnswers));
    // As in dial mode the limit stops the next ring, not the ones under way.
    assert!(attempts(&log).iter().all(|(_, r)| r == "no-answer"), "{:?}", attempts(&log));
    assert!(joined(&report).is_empty());
    assert_eq!(app.count("SELECT count(*) FROM attempts WHERE ended_at IS NULL").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_caller_hangs_up_between_the_yes_and_the_join_and_the_helper_is_told() {
    let app = spawn_waves_app(1, |p| p).await;
    app.network().hang_up_before_the_next_join();
    let report = app.call(JAN, Script::keys(&["1"]).helper(ANJA, HelperAction::Accept)).await;
    let log = app.log_of(&report).await;
    assert!(joined(&report).is_empty(), "nobody is joined to a caller who hung up: {:#?}", report.lines);
    no_one_alone(&report);
    let winner = rung(&report)[0].clone();
    assert!(
        helpers_heard(&report)
            .iter()
            .any(|(n, t)| *n == winner && t.starts_with("Het spijt me. De beller heeft net opgehangen")),
        "the neighbour who said yes is told: {:#?}",
        helpers_heard(&report)
    );
    // The caller hung up before anyone could help: the desk calls them back.
    assert_eq!(log.outcome.map(|o| o.as_str()), Some("abandoned"));
    assert_eq!(app.count("SELECT count(*) FROM follow_ups WHERE closed_at IS NULL").await, 1);
    assert_eq!(app.count("SELECT count(*) FROM matches").await, 0, "no match counted");
    assert_eq!(attempts(&log), vec![(winner, "canceled".to_string())]);
    assert_eq!(log.attempts[0].key.as_deref(), Some("1"), "the yes itself stays in the log");
    // The caller's conference and the one the helper entered, as the provider reported them.
    assert_eq!(app.count("SELECT count(*) FROM wave_searches s JOIN wave_legs l ON l.call_sid = s.call_sid WHERE s.conference_sid IS NOT NULL AND l.conference_sid IS NOT NULL AND s.conference_sid <> l.conference_sid").await, 1);
    assert_eq!(app.count("SELECT count(*) FROM attempts WHERE ended_at IS NULL").await, 0);
    // The desk sees who said yes, to tell the caller when it calls back.
    use crate::desk_support::{add_user, Browser};
    use burenlijn::domain::desk::Role;
    add_user(&app, "Els", Role::Desk).await;
    let page = Browser::login(&app, "Els").await.get("/desk/follow-up").await;
    assert!(page.body.contains("Een buur zei ja, maar ze zijn niet verbonden: terugbellen"), "{}", page.body);
    assert!(page.body.contains("Anja (zei ja)"), "{}", page.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_yes_whose_line_drops_before_the_join_does_not_end_the_search() {
    let app = spawn_waves_app(1, |p| p).await;
    let report = app
        .call(
            JAN,
            Script::keys(&["1"])
                .helper(ANJA, HelperAction::AcceptThenHangUp)
                .helper(BERT, HelperAction::AcceptThenHangUp)
                .helper(CARLA, HelperAction::Accept),
        )
        .await;
    let log = app.log_of(&report).await;
    assert_eq!(joined(&report), vec![CARLA.to_string()], "{:#?}", report.lines);
    no_one_alone(&report);
    assert_eq!(log.outcome.map(|o| o.as_str()), Some("matched"));
    assert_eq!(log.helper_phone.as_deref(), Some(CARLA));
    let mut results = attempts(&log);
    results.sort();
    assert_eq!(results, pairs(&[(ANJA, "canceled"), (BERT, "canceled"), (CARLA, "accepted")]));
    assert_eq!(app.count("SELECT count(*) FROM matches").await, 1);
    // The caller only ever heard the hold's kind words and the goodbye.
    let heard = caller_heard(&report);
    assert!(!heard.iter().any(|t| t.starts_with("Het spijt me")), "{heard:?}");
    assert_eq!(heard.last().map(String::as_str), Some("Fijn dat er iemand kon helpen. Tot ziens."));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phones_whose_ends_are_never_reported_do_not_keep_the_caller_waiting() {
    let app = spawn_waves_app(2, |p| p).await;
    // As while the service restarts: the ends of the first two phones never arrive.
    app.network().lose_status_callbacks();
    let report = app
        .call(
            JAN,
            Script::keys(&["1"])
                .helper(ANJA, HelperAction::NoAnswer)
                .helper(BERT, HelperAction::NoAnswer)
                .helper(CARLA, HelperAction::Accept),
        )
        .await;
    let log = app.log_of(&report).await;
    assert_eq!(
        joined(&report),
        vec![CARLA.to_string()],
        "after two minutes past their ring time, the lost phones free their places: {:#?}",
        report.lines
    );
    assert_eq!(log.outcome.map(|o| o.as_str()), Some("matched"));
    no_one_alone(&report);
    // The sweep frees them for other calls a quarter of an hour later.
    app.sandbox.clock.advance(16 * 60);
    let st = app.sandbox.state.clone();
    tokio::task::spawn_blocking(move || burenlijn::switchboard::jobs::sweep(&st.switchboard).unwrap()).await.unwrap();
    assert_eq!(app.count("SELECT count(*) FROM wave_legs WHERE status IN ('ringing', 'answered')").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_winner_alone_whose_reports_were_lost_is_found_in_the_provider_s_records() {
    let app = spawn_waves_app(1, |p| p).await;
    // The caller hangs up just before the join, and the reports that would tell (the
    // conference's of the winner entering, the winner's leg ending) are lost, as while the
    // service is down.
    app.network().hang_up_before_the_next_join();
    app.network().lose_conference_callbacks_of_legs();
    app.network().lose_status_callbacks();
    let report = app.call(JAN, Script::keys(&["1"]).helper(ANJA, HelperAction::Accept)).await;
    assert!(joined(&report).is_empty(), "{:#?}", report.lines);
    assert_eq!(app.count("SELECT count(*) FROM matches").await, 1, "as far as the service heard, they were joined");
    // A quarter of an hour later the sweep asks the provider: the winner's conference is
    // not the caller's.
    app.sandbox.clock.advance(16 * 60);
    let closed = burenlijn::switchboard::jobs::sweep_all(&app.sandbox.state.switchboard).await.unwrap();
    assert_eq!(closed, 0, "the caller's end was reported");
    let log = app.log_of(&report).await;
    assert_eq!(app.count("SELECT count(*) FROM matches").await, 0, "the match is undone");
    assert_eq!(log.outcome.map(|o| o.as_str()), Some("abandoned"));
    assert_eq!(app.count("SELECT count(*) FROM follow_ups WHERE closed_at IS NULL").await, 1, "the desk calls back");
    assert_eq!(app.count("SELECT count(*) FROM wave_legs WHERE ended_at IS NULL").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_conversation_whose_reports_were_lost_stays_a_match() {
    let app = spawn_waves_app(1, |p| p).await;
    app.network().lose_conference_callbacks_of_legs();
    app.network().lose_status_callbacks();
    let report = app.call(JAN, Script::keys(&["1"]).helper(ANJA, HelperAction::Accept)).await;
    assert_eq!(joined(&report), vec![ANJA.to_string()], "{:#?}", report.lines);
    app.sandbox.clock.advance(16 * 60);
    burenlijn::switchboard::jobs::sweep_all(&app.sandbox.state.switchboard).await.unwrap();
    let log = app.log_of(&report).await;
    assert_eq!(log.outcome.map(|o| o.as_str()), Some("matched"), "one conference in the records: they were together");
    assert_eq!(app.count("SELECT count(*) FROM matches").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_yes_whose_answer_was_lost_does_not_keep_the_caller_waiting() {
    let app = spawn_waves_app(1, |p| p).await;
    // The service dies between storing the first yes and answering it, and is back before
    // the caller's next round of hold music: that neighbour hears the call's fallback, and
    // the end of their call is never reported.
    app.network().lose_answer_to_next_yes();
    app.network().lose_status_callbacks();
    let script = Script::keys(&["1"])
        .helper(ANJA, HelperAction::Accept)
        .helper(BERT, HelperAction::Accept)
        .helper(CARLA, HelperAction::Accept);
    let report = app.call(JAN, script).await;
    let log = app.log_of(&report).await;
    let rung = rung(&report);
    assert_eq!(rung.len(), 2, "{:#?}", report.lines);
    let heard_fallback = helpers_heard(&report)
        .into_iter()
        .any(|(n, t)| n == rung[0] && t.starts_with("Goedendag, hier is de Burenlijn. Dank u wel dat u opneemt."));
    assert!(heard_fallback, "the first heard the call's fallback: {:#?}", report.lines);
    // Still hearing hold music half a minute after the yes, the caller was evidently not
    // joined: the search went on.
    assert_eq!(joined(&report), vec![rung[1].clone()], "{:#?}", report.lines);
    no_one_alone(&report);
    assert_eq!(log.outcome.map(|o| o.as_str()), Some("matched"));
    assert_eq!(log.helper_phone.as_deref(), Some(rung[1].as_str()));
    assert_eq!(
        attempts(&log),
        vec![(rung[0].clone(), "canceled".to_string()), (rung[1].clone(), "accepted".to_string())]
    );
    assert_eq!(app.count("SELECT count(*) FROM matches").await, 1);
    let heard = caller_heard(&report);
    assert_eq!(heard.last().map(String::as_str), Some("Fijn dat er iemand kon helpen. Tot ziens."), "{heard:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_yes_followed_by_an_outage_to_the_end_of_the_call_is_left_for_the_desk_to_check() {
    let mut app = spawn_waves_app(1, |p| p).await;
    // The number's fallback, as configured at Twilio (deploy/fallback.xml): the desk.
    app.sandbox.emulator.fallback_twiml = Some(include_str!("../../deploy/fallback.xml").to_string());
    // The service dies between storing the yes and answering it, and stays down until the
    // call is over: the neighbour hears the call's fallback, the caller the number's, and
    // no report of either call arrives. Twilio's records then show one conference, ended by
    // the caller, as a conversation the caller ended would.
    app.network().go_down_after_next_yes();
    let report = app.call(JAN, Script::keys(&["1"]).helper(ANJA, HelperAction::Accept)).await;
    assert!(joined(&report).is_empty(), "{:#?}", report.lines);
    assert!(report.fell_back, "{:#?}", report.lines);
    app.network().come_back();
    assert_eq!(app.count("SELECT count(*) FROM matches").await, 1, "as far as the service heard, a yes");
    // The sweeps while the neighbour's line may still be open find nothing that tells;
    // three hours on, the call is closed.
    app.sandbox.clock.advance(16 * 60);
    burenlijn::switchboard::jobs::sweep_all(&app.sandbox.state.switchboard).await.unwrap();
    assert_eq!(app.count("SELECT count(*) FROM matches").await, 1, "the records cannot tell");
    app.sandbox.clock.advance(3 * 3600);
    let closed = burenlijn::switchboard::jobs::sweep_all(&app.sandbox.state.switchboard).await.unwrap();
    assert_eq!(closed, 1);
    let log = app.log_of(&report).await;
    assert_eq!(log.outcome.map(|o| o.as_str()), Some("unconfirmed"), "not counted as a match, nor as nobody found");
    assert_eq!(app.count("SELECT count(*) FROM matches").await, 0);
    assert_eq!(attempts(&log), vec![(ANJA.to_string(), "accepted".to_string())], "the yes itself stays in the log");
    assert_eq!(
        app.count("SELECT count(*) FROM follow_ups WHERE closed_at IS NULL AND reason = 'unconfirmed'").await,
        1
    );
    assert_eq!(app.count("SELECT count(*) FROM attempts WHERE ended_at IS NULL").await, 0);
    assert_eq!(app.count("SELECT count(*) FROM wave_legs WHERE ended_at IS NULL").await, 0);
    // The desk reads what to ask.
    use crate::desk_support::{add_user, Browser};
    use burenlijn::domain::desk::Role;
    add_user(&app, "Els", Role::Desk).await;
    let page = Browser::login(&app, "Els").await.get("/desk/follow-up").await;
    assert!(
        page.body.contains("Een buur zei ja, maar de verbinding is niet bevestigd: vraag of het gesprek er was"),
        "{}",
        page.body
    );
}

/// Jan calls on Tuesday evening; Bert and Carla say no; the desk is closed; Jan asks to be
/// called back. Returns the app (clock still on Tuesday evening).
pub(crate) async fn jan_asks_to_be_called_back() -> TestApp {
    jan_asks_to_be_called_back_through(Provider::Twilio).await
}

/// As `jan_asks_to_be_called_back`, through `provider`.
pub(crate) async fn jan_asks_to_be_called_back_through(provider: Provider) -> TestApp {
    let app = spawn_waves_app_through(provider, TUESDAY_EVENING, 2, |p| p).await;
    let report = app
        .call(JAN, Script::keys(&["1", "1"]).helper(BERT, HelperAction::Decline).helper(CARLA, HelperAction::Decline))
        .await;
    let heard = caller_heard(&report);
    assert!(heard.iter().any(|t| t.starts_with("Wilt u dat we u terugbellen zodra een buur kan helpen?")), "{heard:?}");
    assert!(heard.iter().any(|t| t.starts_with("Dat is goed. We zoeken verder.")), "{heard:?}");
    assert_eq!(app.count("SELECT count(*) FROM callback_requests WHERE status = 'open'").await, 1);
    app
}

// Call back later, accepted the next morning: `matrix::call_back_accepted_the_next_morning`,
// on both providers.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resident_who_does_not_answer_the_callback() {
    let app = jan_asks_to_be_called_back().await;
    app.sandbox.clock.advance(12 * 3600);
    // Anja too says no, should the held call's waits have moved the clock into her hours.
    app.network().script_helpers(
        [
            (BERT.to_string(), HelperAction::Accept),
            (CARLA.to_string(), HelperAction::Decline),
            (ANJA.to_string(), HelperAction::Decline),
            (JAN.to_string(), HelperAction::NoAnswer),
        ]
        .into_iter()
        .collect(),
    );
    assert_eq!(burenlijn::switchboard::start_due_callbacks(app.sandbox.state.switchboard.clone()).await.unwrap(), 1);
    let search = app.text("SELECT search_sid FROM callback_requests").await;
    let lines = app.network().lines_of_created_calls(&search, std::time::Duration::from_secs(10)).await;
    assert!(lines.contains(&Line::NotReached { number: JAN.into(), status: "no-answer".into() }), "{lines:#?}");
    assert!(
        lines.iter().any(|l| matches!(l, Line::HelperHears { number, text } if number == BERT && text.starts_with("Jan neemt helaas niet op. De balie belt Jan nog. Dank u wel"))),
        "Bert is told: {lines:#?}"
    );
    assert!(!lines.iter().any(|l| matches!(l, Line::Joined { .. })));
    assert_eq!(app.text("SELECT status FROM callback_requests").await, "unanswered");
    // The desk follows up, with both: the resident is the call's caller, Bert its yes.
    assert_eq!(app.count("SELECT count(*) FROM follow_ups f JOIN calls c ON c.call_sid = f.call_sid WHERE c.kind = 'callback-search' AND f.closed_at IS NULL AND c.caller_id IS NOT NULL").await, 1);
    assert_eq!(app.count("SELECT count(*) FROM attempts a JOIN calls c ON c.call_sid = a.call_sid WHERE c.kind = 'callback-search' AND a.helper_phone = '+31610000002' AND a.key = '1'").await, 1);
    assert_eq!(app.count("SELECT count(*) FROM matches WHERE call_sid IN (SELECT call_sid FROM calls WHERE kind = 'callback-search')").await, 0, "no match counted");
}

/// Jan's request is searched for on Wednesday morning: Bert says yes (as `bert` says),
/// Carla and Anja no. Returns the app and what happened on the search's phones.
async fn a_morning_search(bert: HelperAction, before: impl FnOnce(&TestApp)) -> (TestApp, Vec<Line>) {
    let app = jan_asks_to_be_called_back().await;
    app.sandbox.clock.advance(12 * 3600);
    app.network().script_helpers(
        [
            (BERT.to_string(), bert),
            (CARLA.to_string(), HelperAction::Decline),
            (ANJA.to_string(), HelperAction::Decline),
        ]
        .into_iter()
        .collect(),
    );
    before(&app);
    assert_eq!(burenlijn::switchboard::start_due_callbacks(app.sandbox.state.switchboard.clone()).await.unwrap(), 1);
    let search = app.text("SELECT search_sid FROM callback_requests").await;
    let lines = app.network().lines_of_created_calls(&search, std::time::Duration::from_secs(10)).await;
    (app, lines)
}

/// After a search whose helper left: the request is open again, nobody is counted as
/// matched, the desk is not bothered, and a later search starts.
async fn the_request_stays_open(app: &TestApp) {
    assert_eq!(app.text("SELECT status FROM callback_requests").await, "open");
    assert_eq!(app.count("SELECT count(*) FROM matches WHERE call_sid IN (SELECT call_sid FROM calls WHERE kind = 'callback-search')").await, 0);
    assert_eq!(app.count("SELECT count(*) FROM follow_ups f WHERE f.call_sid IN (SELECT call_sid FROM calls WHERE kind = 'callback-search')").await, 0, "{}", app.text("SELECT group_concat(f.reason || ' ' || c.phase || ' ' || coalesce(c.outcome, '-'), '; ') FROM follow_ups f JOIN calls c USING (call_sid)").await);
    assert_eq!(
        app.count("SELECT count(*) FROM calls WHERE kind = 'callback-search' AND ended_at IS NULL").await,
        0,
        "the search's own row is closed"
    );
    assert_eq!(
        app.count(
            "SELECT count(*) FROM attempts WHERE helper_phone = '+31610000002' AND key = '1' AND result = 'canceled'"
        )
        .await,
        1
    );
    app.sandbox.clock.advance(3600);
    app.network().script_helpers(
        [
            (ANJA.to_string(), HelperAction::Decline),
            (CARLA.to_string(), HelperAction::Decline),
            (BERT.to_string(), HelperAction::Decline),
        ]
        .into_iter()
        .collect(),
    );
    assert_eq!(
        burenlijn::switchboard::start_due_callbacks(app.sandbox.state.switchboard.clone()).await.unwrap(),
        1,
        "searched for again later"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_helper_who_hangs_up_while_the_resident_is_called_leaves_the_request_open() {
    let (app, lines) = a_morning_search(HelperAction::AcceptThenHangUp, |app| app.network().ring_for(JAN, 60)).await;
    assert!(lines.contains(&Line::HelperHangsUp { number: BERT.into() }), "{lines:#?}");
    assert!(
        lines.contains(&Line::NotReached { number: JAN.into(), status: "canceled".into() }),
        "Jan's phone stops ringing: {lines:#?}"
    );
    assert!(
        !lines.iter().any(|l| matches!(l, Line::HelperHears { number, .. } if number == JAN)),
        "Jan hears nothing: {lines:#?}"
    );
    the_request_stays_open(&app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_helper_whose_line_drops_as_the_resident_is_joined_leaves_the_request_open() {
    let (app, lines) = a_morning_search(HelperAction::Accept, |app| app.network().hang_up_before_the_next_join()).await;
    let heard_by_jan: Vec<&String> = lines
        .iter()
        .filter_map(|l| match l {
            Line::HelperHears { number, text } if number == JAN => Some(text),
            _ => None,
        })
        .collect();
    assert!(heard_by_jan.iter().any(|t| t.starts_with("Goed nieuws. Bert")), "{lines:#?}");
    assert!(
        heard_by_jan.iter().any(|t| t.as_str() == "Het spijt me. Bert kon helaas niet aan de lijn blijven. We zoeken verder. Zodra een buur kan helpen, bellen we u terug. Tot ziens."),
        "Jan is told, not left on a silent line: {lines:#?}"
    );
    assert!(!lines.iter().any(|l| matches!(l, Line::AloneInConference { .. } | Line::Joined { .. })), "{lines:#?}");
    the_request_stays_open(&app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_back_search_whose_end_was_lost_is_closed_and_tried_again() {
    let (app, _) = a_morning_search(HelperAction::NoAnswer, |app| {
        app.network().script_helpers(
            [
                (BERT.to_string(), HelperAction::NoAnswer),
                (CARLA.to_string(), HelperAction::NoAnswer),
                (ANJA.to_string(), HelperAction::NoAnswer),
            ]
            .into_iter()
            .collect(),
        );
        app.network().lose_status_callbacks();
    })
    .await;
    assert_eq!(
        app.text("SELECT status FROM callback_requests").await,
        "searching",
        "the phones' ends were never reported"
    );
    app.sandbox.clock.advance(4 * 3600);
    let st = app.sandbox.state.clone();
    tokio::task::spawn_blocking(move || burenlijn::switchboard::jobs::sweep(&st.switchboard).unwrap()).await.unwrap();
    assert_eq!(app.text("SELECT status FROM callback_requests").await, "open", "the request is tried again");
    assert_eq!(app.count("SELECT count(*) FROM calls WHERE kind = 'callback-search' AND ended_at IS NULL").await, 0);
    assert_eq!(
        app.count("SELECT count(*) FROM follow_ups WHERE call_sid IN (SELECT call_sid FROM calls WHERE kind = 'callback-search')").await,
        0,
        "no follow-up for the search itself"
    );
    assert_eq!(
        app.count("SELECT count(*) FROM attempts WHERE ended_at IS NULL").await,
        0,
        "nobody stays marked as being rung"
    );
    app.sandbox.clock.advance(3600);
    assert_eq!(burenlijn::switchboard::start_due_callbacks(app.sandbox.state.switchboard.clone()).await.unwrap(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_desk_sees_a_call_back_search_and_can_stop_it() {
    use crate::desk_support::{add_user, Browser};
    use burenlijn::domain::desk::Role;
    let app = jan_asks_to_be_called_back().await;
    add_user(&app, "Els", Role::Desk).await;
    let mut b = Browser::login(&app, "Els").await;
    let page = b.get("/desk/follow-up").await;
    assert!(page.body.contains("De centrale zoekt een buur en belt terug zodra iemand ja zegt."), "{}", page.body);
    let id = app.count("SELECT id FROM follow_ups").await;
    let start_button = format!(r#"action="/desk/follow-up/{id}/call-back""#);
    assert!(
        page.body.contains("Stop met zoeken") && !page.body.contains(&start_button),
        "no second search while one runs: {}",
        page.body
    );
    let path = format!("/desk/follow-up/{id}/stop-call-back");
    assert_eq!(b.post(&path, &[("csrf", "wrong")]).await.status, 403);
    assert_eq!(app.text("SELECT status FROM callback_requests").await, "open", "a refused form changes nothing");
    let done = b.post(&path, &[("csrf", &page.csrf())]).await;
    assert_eq!(done.location.as_deref(), Some("/desk/follow-up?stopped=1"), "{}", done.body);
    assert_eq!(app.text("SELECT status FROM callback_requests").await, "closed");
    assert_eq!(app.count("SELECT count(*) FROM audit_log WHERE action = 'stopped a call-back search'").await, 1);
    assert_eq!(b.post(&path, &[("csrf", &page.csrf())]).await.status, 409, "stopped already");
    // The desk may start a new search; nobody is rung for Jan any more.
    let page = b.get("/desk/follow-up").await;
    assert!(
        page.body.contains("Het zoeken is gestopt door de balie.") && page.body.contains(&start_button),
        "{}",
        page.body
    );
    app.sandbox.clock.advance(12 * 3600);
    assert_eq!(burenlijn::switchboard::start_due_callbacks(app.sandbox.state.switchboard.clone()).await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_desk_takes_a_request_itself_and_can_stop_it() {
    use crate::desk_support::{add_user, Browser};
    use burenlijn::domain::desk::Role;
    let app = spawn_waves_app_at(TUESDAY_EVENING, 2, |p| p).await;
    add_user(&app, "Els", Role::Desk).await;
    let mut b = Browser::login(&app, "Els").await;
    let page = b.get("/desk/follow-up").await;
    assert!(
        page.body.contains("Zelf een verzoek aannemen") && page.body.contains(r#"action="/desk/call-backs""#),
        "{}",
        page.body
    );
    let csrf = page.csrf();
    let take = |phone: &'static str, category: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("phone", phone.to_string()),
            ("category", category.to_string()),
            ("number", "+31850000000".to_string()),
        ]
    };
    // Bad input: a clear answer, nothing saved.
    for (phone, category, says) in [
        ("12", "shopping", "Telefoonnummer"),
        ("020-1234567", "flying", "Kies waarbij"),
        ("", "shopping", "Telefoonnummer"),
    ] {
        let form = take(phone, category);
        let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let refused = b.post("/desk/call-backs", &pairs).await;
        assert_eq!(refused.status, 400, "{phone} {category}");
        assert!(refused.body.contains(says) && refused.body.contains("Er is niets opgeslagen."), "{}", refused.body);
    }
    assert_eq!(
        b.post(
            "/desk/call-backs",
            &[("csrf", "wrong"), ("phone", "020-1234567"), ("category", "shopping"), ("number", "+31850000000")]
        )
        .await
        .status,
        403
    );
    assert_eq!(app.count("SELECT count(*) FROM callback_requests").await, 0);
    // Jan phones the desk: he is known, so his request carries his name.
    let form = take("020-1234567", "shopping");
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let done = b.post("/desk/call-backs", &pairs).await;
    assert_eq!(done.location.as_deref(), Some("/desk/follow-up?callback=1"), "{}", done.body);
    assert_eq!(app.count("SELECT count(*) FROM callback_requests WHERE status = 'open' AND call_sid IS NULL AND participant_id IS NOT NULL AND category = 'shopping'").await, 1);
    assert_eq!(app.count("SELECT count(*) FROM audit_log WHERE action = 'took a call-back request'").await, 1);
    let page = b.get("/desk/follow-up").await;
    assert!(page.body.contains("Jan de Vries") && page.body.contains("De centrale zoekt een buur"), "{}", page.body);
    let id = app.count("SELECT id FROM callback_requests").await;
    let stop = b.post(&format!("/desk/call-backs/{id}/stop"), &[("csrf", &page.csrf())]).await;
    assert_eq!(stop.location.as_deref(), Some("/desk/follow-up?stopped=1"), "{}", stop.body);
    assert_eq!(app.text("SELECT status FROM callback_requests").await, "closed");
    assert_eq!(b.post(&format!("/desk/call-backs/{id}/stop"), &[("csrf", &page.csrf())]).await.status, 409);
    assert_eq!(b.post("/desk/call-backs/999/stop", &[("csrf", &page.csrf())]).await.status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopping_a_search_under_way_stops_its_phones() {
    use crate::desk_support::{add_user, Browser};
    use burenlijn::domain::desk::Role;
    // The phones' ends are never reported, so the search is still under way when stopped.
    let (app, _) = a_morning_search(HelperAction::NoAnswer, |app| app.network().lose_status_callbacks()).await;
    assert_eq!(app.text("SELECT status FROM callback_requests").await, "searching");
    add_user(&app, "Els", Role::Desk).await;
    let mut b = Browser::login(&app, "Els").await;
    let page = b.get("/desk/follow-up").await;
    let id = app.count("SELECT id FROM follow_ups WHERE call_sid NOT IN (SELECT call_sid FROM calls WHERE kind = 'callback-search')").await;
    let done = b.post(&format!("/desk/follow-up/{id}/stop-call-back"), &[("csrf", &page.csrf())]).await;
    assert_eq!(done.location.as_deref(), Some("/desk/follow-up?stopped=1"), "{}", done.body);
    assert_eq!(app.text("SELECT status FROM callback_requests").await, "closed");
    assert_eq!(app.count("SELECT count(*) FROM wave_searches WHERE status = 'searching'").await, 0);
    assert_eq!(
        app.count("SELECT count(*) FROM wave_legs WHERE status IN ('ringing', 'answered')").await,
        0,
        "the phones still ringing are stopped"
    );
    assert_eq!(app.count("SELECT count(*) FROM calls WHERE kind = 'callback-search' AND ended_at IS NULL").await, 0);
    assert_eq!(app.count("SELECT count(*) FROM follow_ups WHERE call_sid IN (SELECT call_sid FROM calls WHERE kind = 'callback-search')").await, 0);
    // A search that found nobody is no call: the Now page (this morning) and the log leave
    // it out; Jan's own call of last night stays in the log.
    let now = b.get("/desk/now").await.body;
    assert!(now.contains("Vandaag nog geen gesprekken.") && !now.contains("terugbelpoging"), "{now}");
    let log = b.get("/desk/calls").await.body;
    assert!(log.contains("Jan de Vries") && !log.contains("terugbelpoging"), "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_desk_starts_a_call_back_search_from_a_follow_up() {
    use crate::desk_support::{add_user, Browser};
    use burenlijn::domain::desk::Role;
    let app = spawn_waves_app_at(TUESDAY_EVENING, 2, |p| p).await;
    // Jan says nothing at the offer and leaves a message instead.
    let script = Script { message_seconds: Some(12), ..Script::keys(&["1"]) }
        .helper(BERT, HelperAction::Decline)
        .helper(CARLA, HelperAction::Decline);
    app.call(JAN, script).await;
    assert_eq!(app.count("SELECT count(*) FROM callback_requests").await, 0);
    add_user(&app, "Els", Role::Coordinator).await;
    let mut b = Browser::login(&app, "Els").await;
    let list = b.get("/desk/follow-up").await;
    let id = app.count("SELECT id FROM follow_ups").await;
    assert!(list.body.contains(&format!(r#"action="/desk/follow-up/{id}/call-back""#)), "{}", list.body);
    let csrf = list.csrf();
    let path = format!("/desk/follow-up/{id}/call-back");
    assert_eq!(b.post(&path, &[("csrf", "wrong")]).await.status, 403);
    assert_eq!(app.count("SELECT count(*) FROM callback_requests").await, 0, "a refused form changes nothing");
    let done = b.post(&path, &[("csrf", &csrf)]).await;
    assert_eq!(done.location.as_deref(), Some("/desk/follow-up?callback=1"), "{}", done.body);
    assert_eq!(app.count("SELECT count(*) FROM callback_requests WHERE status = 'open' AND call_sid IS NOT NULL AND category = 'shopping'").await, 1);
    assert_eq!(app.count("SELECT count(*) FROM audit_log WHERE action = 'started a call-back search'").await, 1);
    assert_eq!(b.post(&path, &[("csrf", &csrf)]).await.status, 409, "one search at a time");
    // Due at once, and it rings while the ringing hours last.
    assert_eq!(burenlijn::switchboard::start_due_callbacks(app.sandbox.state.switchboard.clone()).await.unwrap(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_helper_leg_whose_end_was_never_reported_is_closed_by_the_sweep() {
    let app = spawn_waves_app(2, |p| p).await;
    app.call(JAN, Script::keys(&["1"]).helper(ANJA, HelperAction::Decline).helper(BERT, HelperAction::Accept)).await;
    // As if the legs' status callbacks had been lost.
    let st = app.sandbox.state.clone();
    tokio::task::spawn_blocking(move || {
        st.switchboard
            .store
            .write(|tx| {
                Ok(tx.execute_batch("UPDATE attempts SET ended_at = NULL; UPDATE wave_legs SET ended_at = NULL;")?)
            })
            .unwrap()
    })
    .await
    .unwrap();
    assert!(app.count("SELECT count(*) FROM attempts WHERE ended_at IS NULL").await >= 2);
    app.sandbox.clock.advance(4 * 3600);
    let st = app.sandbox.state.clone();
    tokio::task::spawn_blocking(move || burenlijn::switchboard::jobs::sweep(&st.switchboard).unwrap()).await.unwrap();
    assert_eq!(
        app.count("SELECT count(*) FROM attempts WHERE ended_at IS NULL").await,
        0,
        "nobody stays marked as being rung"
    );
    assert_eq!(
        app.count("SELECT count(*) FROM attempts WHERE result = 'accepted'").await,
        1,
        "results already known are kept"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wait_request_that_fails_inside_still_asks_again() {
    let app = spawn_waves_app(2, |p| p).await;
    // A call the service never saw: handling it fails, and the fallback document answers.
    let url = app.sandbox.emulator.voice_url().join("hold-wait?call=CA0123456789abcdef0123456789abcdef").unwrap();
    let params: Vec<(String, String)> = [
        ("CallSid", "CA0123456789abcdef0123456789abcdef"),
        ("CallStatus", "in-progress"),
        ("From", JAN),
        ("To", SWITCHBOARD),
        ("AccountSid", "AC00000000000000000000000000000000"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let (status, body) = app.sandbox.emulator.post(&url, &params).await.unwrap();
    assert_eq!(status, 200);
    let verbs = burenlijn::sim::twiml::parse_twiml(&body).unwrap();
    assert_eq!(
        verbs.last(),
        Some(&burenlijn::sim::twiml::Verb::Redirect("hold-wait?call=CA0123456789abcdef0123456789abcdef".into())),
        "{body}"
    );
}

/// The held caller's wait document cannot be fetched (the service is restarting, say):
/// Twilio moves the call on to the `<Dial>` action. While the search runs, that must put
/// the caller back on hold, not send them to the desk.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_held_caller_whose_wait_document_fails_goes_back_on_hold() {
    let app = spawn_waves_app(1, |p| p).await;
    app.network().ring_for(ANJA, 30);
    app.sandbox.emulator.lose_next_wait_fetch.store(true, std::sync::atomic::Ordering::SeqCst);
    let script = Script { desk_answers: true, ..Script::keys(&["1"]) }.helper(ANJA, HelperAction::Accept);
    let report = app.call(JAN, script).await;
    let log = app.log_of(&report).await;
    let failed = Line::NotReached { number: report.call_sid.clone(), status: "wait document failed".into() };
    assert!(report.lines.contains(&failed), "the fault happened: {:#?}", report.lines);
    assert_eq!(log.outcome.map(|o| o.as_str()), Some("matched"), "{:#?}", report.lines);
    assert!(report.lines.contains(&Line::Connected { number: ANJA.into() }), "{:#?}", report.lines);
    assert!(!report.lines.contains(&Line::DeskAnswers), "{:#?}", report.lines);
    no_one_alone(&report);
}

/// As above, in the moment after a neighbour said yes but before they entered: the caller
/// is put back to wait for them, not hung up on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_held_caller_whose_wait_document_fails_after_the_yes_is_still_put_through() {
    let app = spawn_waves_app(1, |p| p).await;
    let script = Script { desk_answers: true, ..Script::keys(&["1"]) }.helper(ANJA, HelperAction::Accept);
    app.sandbox.emulator.fail_wait_fetch_after_a_yes.store(true, std::sync::atomic::Ordering::SeqCst);
    app.network().delay_next_join(40);
    let report = app.call(JAN, script).await;
    let log = app.log_of(&report).await;
    let failed = Line::NotReached { number: report.call_sid.clone(), status: "wait document failed".into() };
    assert!(report.lines.contains(&failed), "the fault happened: {:#?}", report.lines);
    assert_eq!(log.outcome.map(|o| o.as_str()), Some("matched"), "{:#?}", report.lines);
    assert!(report.lines.contains(&Line::Connected { number: ANJA.into() }), "{:#?}", report.lines);
    no_one_alone(&report);
}

/// Every created call starts `queued`, and a call cancelled while still queued gets no
/// status callback at all: the service ends such a leg from the answer to its cancel, so
/// the neighbour is free for the next call at once (not a quarter of an hour later).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_helper_cancelled_while_still_queued_is_free_at_once() {
    let app = spawn_waves_app(2, |p| p).await;
    app.network().queue_for(120);
    let script = Script { hang_up_on_hold_round: Some(0), ..Script::keys(&["1"]) };
    let report = app.call(JAN, script).await;
    assert!(rung(&report).is_empty(), "nobody's phone left the queue: {:#?}", report.lines);
    let canceled =
        report.lines.iter().filter(|l| matches!(l, Line::NotReached { status, .. } if status == "canceled")).count();
    assert_eq!(canceled, 2, "both queued calls were cancelled: {:#?}", report.lines);
    assert_eq!(
        app.count("SELECT count(*) FROM attempts WHERE ended_at IS NULL").await,
        0,
        "no neighbour is left marked as being rung"
    );
    // The same neighbours are rung for the next caller straight away.
    app.network().queue_for(0);
    let script = Script::keys(&["1"]).helper(ANJA, HelperAction::Accept).helper(CARLA, HelperAction::Decline);
    let second = app.call(BERT, script).await;
    let log = app.log_of(&second).await;
    assert_eq!(log.outcome.map(|o| o.as_str()), Some("matched"), "{:#?}", second.lines);
    assert_eq!(log.helper_phone.as_deref(), Some(ANJA));
}

/// A neighbour presses 1 and hangs up at once: Twilio sends the final status callback as
/// soon as the call ends, so it may arrive before the key's webhook is answered. Either
/// way the yes never reached the caller, who keeps waiting for the next neighbour.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_yes_and_a_hang_up_at_once_in_either_order_do_not_end_the_search() {
    for _ in 0..3 {
        let app = spawn_waves_app(1, |p| p).await;
        let script =
            Script::keys(&["1"]).helper(ANJA, HelperAction::AcceptAndHangUpAtOnce).helper(BERT, HelperAction::Accept);
        let report = app.call(JAN, script).await;
        let log = app.log_of(&report).await;
        assert_eq!(log.outcome.map(|o| o.as_str()), Some("matched"), "{:#?}", report.lines);
        assert_eq!(log.helper_phone.as_deref(), Some(BERT), "{:#?}", report.lines);
        assert_eq!(joined(&report), vec![BERT.to_string()], "{:#?}", report.lines);
        let mut results = attempts(&log);
        results.sort();
        assert_eq!(results, pairs(&[(ANJA, "canceled"), (BERT, "accepted")]), "{:#?}", report.lines);
        assert_eq!(app.count("SELECT count(*) FROM attempts WHERE ended_at IS NULL").await, 0);
        no_one_alone(&report);
    }
}

/// Twilio does not retry a webhook that fails: it asks for the call's `FallbackUrl`. Every
/// call the service creates has one, and the document there thanks whoever picked up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_created_call_falls_back_to_a_kind_goodbye() {
    let app = spawn_waves_app(2, |p| p).await;
    let script = Script::keys(&["1"]).helper(ANJA, HelperAction::Decline).helper(BERT, HelperAction::Accept);
    let report = app.call(JAN, script).await;
    assert_eq!(app.log_of(&report).await.outcome.map(|o| o.as_str()), Some("matched"));
    let fallback = burenlijn::sim::network::created_call_fallback_url(app.network()).to_string();
    let given = app.network().fallback_urls();
    assert!(!given.is_empty());
    assert!(given.iter().all(|f| f.as_deref() == Some(fallback.as_str())), "{given:?}");

    // A created call whose webhook cannot be reached at all (the service is down).
    use burenlijn::provider::twilio::rest::CreateCall;
    let parent = "CA00000000000000000000000000000abc";
    let create = CreateCall {
        to: CARLA.into(),
        from: SWITCHBOARD.into(),
        url: url::Url::parse(&format!("http://127.0.0.1:9/twilio/wave-whisper?call={parent}&n=1")).unwrap(),
        status_callback: None,
        status_callback_events: vec![],
        timeout_secs: Some(20),
        machine_detection: None,
        fallback_url: Some(url::Url::parse(&fallback).unwrap()),
    };
    app.sandbox.state.switchboard.rest.as_ref().unwrap().as_twilio().unwrap().create_call(&create).await.unwrap();
    let lines = app.network().lines_of_created_calls(parent, std::time::Duration::from_secs(10)).await;
    assert!(
        lines.iter().any(|l| matches!(l, Line::HelperHears { number, text } if number == CARLA && text.contains("Dank u wel dat u opneemt"))),
        "{lines:#?}"
    );
}

/// Moving the held caller with a REST redirect also requests the `<Dial action>` the caller
/// sits in (Twilio ignores what that returns): the two requests are one move, decided once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dial_action_that_comes_with_a_redirect_changes_nothing_more() {
    let app = spawn_waves_app(2, |p| p).await;
    let script = Script { desk_answers: true, ..Script::keys(&["1"]) }
        .helper(ANJA, HelperAction::Decline)
        .helper(BERT, HelperAction::Decline)
        .helper(CARLA, HelperAction::Decline);
    let report = app.call(JAN, script).await;
    let moves: Vec<&(String, String)> =
        report.documents.iter().filter(|(path, _)| path.starts_with("/twilio/hold-done")).collect();
    assert_eq!(moves.len(), 2, "the Dial action and the redirect: {moves:#?}");
    assert_eq!(moves[0].1, moves[1].1, "both get the same document");
    let log = app.log_of(&report).await;
    assert_eq!(log.outcome.map(|o| o.as_str()), Some("desk"));
    assert_eq!(caller_heard(&report).iter().filter(|t| t.starts_with("Het spijt me.")).count(), 1);
    assert_eq!(app.count("SELECT count(*) FROM attempts").await, 3, "nothing counted twice");
    assert_eq!(report.lines.iter().filter(|l| **l == Line::DeskAnswers).count(), 1, "put through to the desk once");
    no_one_alone(&report);
}

/// Ringing in waves: a helper who speaks English hears the whisper and the thanks in
/// English, in the English voice, while Jan hears Dutch (issue 15).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_waves_an_english_speaking_helper_hears_english() {
    let app = spawn_waves_app(1, |p| p).await;
    let st = app.sandbox.state.clone();
    tokio::task::spawn_blocking(move || {
        st.switchboard
            .store
            .write(|tx| Ok(tx.execute("UPDATE participants SET language = 'en' WHERE phone <> '+31201234567'", [])?))
            .unwrap();
    })
    .await
    .unwrap();
    let report = app.call(JAN, Script::keys(&["1"])).await;
    let heard = helpers_heard(&report);
    assert!(heard.iter().any(|(_, t)| t == "Jan from Kerkstraat would like help with shopping."), "{heard:#?}");
    assert!(heard.iter().any(|(_, t)| t.starts_with("Thank you. Please stay on the line.")), "{heard:#?}");
    assert!(!heard.iter().any(|(_, t)| t.contains("vraagt om hulp")), "{heard:#?}");
    assert!(caller_heard(&report).iter().any(|t| t.starts_with("U vraagt hulp bij boodschappen.")));
    assert_eq!(app.log_of(&report).await.outcome.map(|o| o.as_str()), Some("matched"));
}

/// Issue 27: the held caller is told who is coming before the helper who said yes is put
/// through: "Bert uit de Dorpsweg neemt nu op", a first name and a street, never a number,
/// heard by the caller alone (a participant announcement on their conference).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_held_caller_hears_who_is_coming_before_the_join() {
    let app = spawn_waves_app(1, |p| p).await;
    // The helper hears their thanks (some seconds) before they enter; the announcement is
    // one REST request and one webhook in that time. Here that time runs in real time too.
    app.network().slow_down(25);
    app.network().delay_next_join(4);
    let script = Script::keys(&["1"])
        .helper(ANJA, HelperAction::Decline)
        .helper(CARLA, HelperAction::Decline)
        .helper(BERT, HelperAction::Accept);
    let report = app.call(JAN, script).await;
    assert_eq!(joined(&report), vec![BERT.to_string()], "{:#?}", report.lines);
    let said = Line::CallerHears("Bert uit de Dorpsweg neemt nu op.".into());
    let announced = report.lines.iter().position(|l| *l == said);
    let connected = report.lines.iter().position(|l| matches!(l, Line::Connected { .. }));
    assert!(
        matches!((announced, connected), (Some(a), Some(c)) if a < c),
        "the caller hears who comes before the join: {:#?}",
        report.lines
    );
    assert_eq!(report.lines.iter().filter(|l| **l == said).count(), 1, "said once");
    let heard = caller_heard(&report);
    assert!(
        !heard.iter().any(|t| t.contains("06") || t.contains("+31") || t.contains("10000002")),
        "never a number: {heard:?}"
    );
    // After the yes, no "still searching" while the helper comes.
    let after_yes = &report.lines[announced.unwrap()..connected.unwrap()];
    assert!(
        !after_yes.iter().any(|l| matches!(l, Line::CallerHears(t) if t.starts_with("Ik ben nog"))),
        "{after_yes:#?}"
    );
    // Nobody but the caller hears it.
    assert!(!helpers_heard(&report).iter().any(|(_, t)| t.contains("neemt nu op")), "{:#?}", helpers_heard(&report));
    assert_eq!(app.log_of(&report).await.outcome.map(|o| o.as_str()), Some("matched"));
    no_one_alone(&report);
}

/// Issue 27: when the announcement cannot be made (the provider refuses the participant
/// update), the caller is put through all the same, without it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caller_is_put_through_when_the_announcement_cannot_be_made() {
    let app = spawn_waves_app(1, |p| p).await;
    app.network().refuse_announcements(500);
    let script = Script::keys(&["1"])
        .helper(ANJA, HelperAction::Decline)
        .helper(CARLA, HelperAction::Decline)
        .helper(BERT, HelperAction::Accept);
    let report = app.call(JAN, script).await;
    assert_eq!(joined(&report), vec![BERT.to_string()], "{:#?}", report.lines);
    assert!(!caller_heard(&report).iter().any(|t| t.contains("neemt nu op")), "{:#?}", report.lines);
    assert_eq!(app.log_of(&report).await.outcome.map(|o| o.as_str()), Some("matched"));
    no_one_alone(&report);
}

/// Issue 31, fewer needless yeses: a wave of two, both helpers pick up; the first to hear
/// the request out presses 1 while the other still listens. The other's call is redirected
/// at once (a REST update with `Url`) to a short thank-you, which lands before they get to
/// press: they are thanked and let go, and their leg counts as cancelled, not as a no nor a
/// yes that was not needed.
///
/// Each helper's phone rings a different time (6 simulated seconds apart, the whisper
/// lasting about 16), so whoever of the three is in the first wave, the later of the two
/// picks up while the earlier listens and would press some 6 seconds after the earlier's
/// yes; the redirect lands 2 seconds after it. Slowed down so a busy machine keeps that
/// order.
async fn two_listen_one_says_yes(before: impl FnOnce(&TestApp)) -> (TestApp, burenlijn::sim::emulator::CallReport) {
    let app = spawn_waves_app(2, |p| p).await;
    app.network().slow_down(40);
    app.network().ring_for(ANJA, 8);
    app.network().ring_for(BERT, 14);
    app.network().ring_for(CARLA, 20);
    before(&app);
    let report = app.call(JAN, Script::keys(&["1"])).await;
    (app, report)
}

/// The first two rung and who of them picked up first (the winner).
fn first_wave(report: &burenlijn::sim::emulator::CallReport) -> (String, String) {
    let rung = rung(report);
    assert_eq!(rung.len(), 2, "one wave of two, nobody else: {:#?}", report.lines);
    let ring_seconds = |n: &str| [ANJA, BERT, CARLA].iter().position(|h| *h == n).unwrap();
    let mut wave = rung.clone();
    wave.sort_by_key(|n| ring_seconds(n));
    (wave[0].clone(), wave[1].clone())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_helper_still_listening_when_another_says_yes_is_thanked_at_once() {
    let (app, report) = two_listen_one_says_yes(|_| {}).await;
    let (winner, other) = first_wave(&report);
    assert_eq!(joined(&report), vec![winner.clone()], "{:#?}", report.lines);
    let presses: Vec<&Line> =
        report.lines.iter().filter(|l| matches!(l, Line::HelperPresses { number, .. } if *number == other)).collect();
    assert!(presses.is_empty(), "the other never gets to press: {:#?}", report.lines);
    assert!(
        report.lines.contains(&Line::HelperRedirected { number: other.clone() }),
        "the other's call is redirected: {:#?}",
        report.lines
    );
    let heard: Vec<String> = helpers_heard(&report).into_iter().filter(|(n, _)| *n == other).map(|(_, t)| t).collect();
    assert!(
        heard.iter().any(|t| t.contains("Kunt u nu helpen")) || heard.iter().any(|t| t.contains("vraagt om hulp")),
        "they were hearing the request: {heard:#?}"
    );
    assert!(
        heard.last().is_some_and(|t| t.starts_with("Dank u wel dat u opnam. Er is al iemand gevonden die helpt.")),
        "and last hear the thank-you: {heard:#?}"
    );
    the_winner_is_joined_the_other_cancelled(&app, &report, &winner, &other).await;
    assert_eq!(app.count("SELECT count(*) FROM wave_legs WHERE status = 'late'").await, 0);
    assert_eq!(app.count("SELECT count(*) FROM attempts WHERE key IS NOT NULL").await, 1, "one key: the yes");
}

/// A match with `winner`, and the other helper's leg cancelled by us (not a yes that was
/// not needed, "late", nor a no), both free again.
async fn the_winner_is_joined_the_other_cancelled(
    app: &TestApp,
    report: &burenlijn::sim::emulator::CallReport,
    winner: &str,
    other: &str,
) {
    let log = app.log_of(report).await;
    assert_eq!(log.outcome.map(|o| o.as_str()), Some("matched"));
    assert_eq!(log.helper_phone.as_deref(), Some(winner));
    let mut results = attempts(&log);
    results.sort();
    let mut want = pairs(&[(winner, "accepted"), (other, "canceled")]);
    want.sort();
    assert_eq!(results, want);
    assert_eq!(app.count("SELECT count(*) FROM wave_searches WHERE status = 'matched'").await, 1);
    assert_eq!(app.count("SELECT count(*) FROM wave_legs WHERE status = 'canceled'").await, 1);
    assert_eq!(app.count("SELECT count(*) FROM attempts WHERE ended_at IS NULL").await, 0, "both free again");
    no_one_alone(report);
}

/// The helper to be thanked hangs up in the very moment of the redirect, which Twilio then
/// refuses with 21220: nothing else changes. The match stands, nobody else is rung, and
/// the helper's leg ends with its own status callback.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thank_you_refused_because_the_helper_hung_up_changes_nothing_else() {
    let (app, report) = two_listen_one_says_yes(|app| app.network().hang_up_before_the_next_redirect()).await;
    let (winner, other) = first_wave(&report);
    assert_eq!(joined(&report), vec![winner.clone()], "{:#?}", report.lines);
    assert!(
        report.lines.contains(&Line::HelperHangsUp { number: other.clone() }),
        "the other hung up as the redirect came: {:#?}",
        report.lines
    );
    assert!(!report.lines.contains(&Line::HelperRedirected { number: other.clone() }), "{:#?}", report.lines);
    assert!(
        !report.lines.iter().any(|l| matches!(l, Line::HelperPresses { number, .. } if *number == other)),
        "{:#?}",
        report.lines
    );
    assert_eq!(app.network().create_requests(), 2, "nobody else is rung");
    the_winner_is_joined_the_other_cancelled(&app, &report, &winner, &other).await;
}
