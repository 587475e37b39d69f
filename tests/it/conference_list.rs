//! Issue 30, part 1: Twilio's conference list since 2026-09-30. Without `Status` it gives
//! only conferences in progress; ended ones need `Status=completed`; list requests fail in
//! bursts of 5xx. The check of a winner whose entry was never reported asks for both, and
//! one join whose records cannot be had waits for the next sweep without holding up the
//! others, and not for ever.

use burenlijn::provider::twilio::rest::RestOptions;
use burenlijn::sim::emulator::CallReport;
use burenlijn::sim::people::{HelperAction, Script};

use crate::support::*;

/// Jan calls, a neighbour says yes, and Jan hangs up in the moment before the neighbour
/// enters; the reports that would tell (the neighbour's entry into a conference of their
/// own, their line's end) are lost, as while the service is down. The neighbour waits
/// alone until they give up: both conferences have ended when the sweep asks.
async fn winner_alone_unreported(app: &TestApp) -> CallReport {
    app.network().hang_up_before_the_next_join();
    app.network().lose_conference_callbacks_of_legs();
    app.network().lose_status_callbacks();
    let script = Script::keys(&["1"])
        .helper(ANJA, HelperAction::Accept)
        .helper(BERT, HelperAction::Accept)
        .helper(CARLA, HelperAction::Accept);
    let report = app.call(JAN, script).await;
    assert!(joined(&report).is_empty(), "{:#?}", report.lines);
    report
}

async fn outcome(app: &TestApp, report: &CallReport) -> Option<String> {
    app.log_of(report).await.outcome.map(|o| o.as_str().to_string())
}

async fn sweep_after(app: &TestApp, minutes: i64) {
    app.sandbox.clock.advance(minutes * 60);
    burenlijn::switchboard::jobs::sweep_all(&app.sandbox.state.switchboard).await.unwrap();
}

/// Attempts of one list request before the client gives up: one burst of this many 502s
/// fails exactly one request.
fn attempts_per_request() -> u32 {
    RestOptions::default().max_retries + 1
}

/// Fails on the code before issue 30: the one list request without `Status` no longer
/// shows the ended conference the neighbour was alone in, so the case went to the desk as
/// "cannot tell" instead of being undone at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ended_conference_is_asked_for_with_status_completed() {
    let app = spawn_waves_app(1, |p| p).await;
    let report = winner_alone_unreported(&app).await;
    assert_eq!(app.count("SELECT count(*) FROM matches").await, 1, "as far as the service heard, they were joined");
    sweep_after(&app, 5).await;
    assert_eq!(app.count("SELECT count(*) FROM matches").await, 0, "the records show the neighbour alone: undone");
    assert_eq!(outcome(&app, &report).await.as_deref(), Some("abandoned"));
    assert_eq!(app.count("SELECT count(*) FROM follow_ups WHERE closed_at IS NULL").await, 1, "the desk calls back");
    let asked = app.network().conference_list_requests();
    assert_eq!(asked, vec![Some("in-progress".to_string()), Some("completed".to_string())]);
    // The emulator answers as Twilio does now: without `Status`, only conferences in
    // progress (here none: both have ended).
    let net = app.network();
    let list = |query: &str| {
        let url = format!("{}2010-04-01/Accounts/{}/Conferences.json?{query}", net.api_base, net.account_sid);
        async move {
            serde_json::from_str::<serde_json::Value>(&reqwest::get(url).await.unwrap().text().await.unwrap()).unwrap()
        }
    };
    let name = format!("FriendlyName={}", report.call_sid);
    assert_eq!(list(&name).await["conferences"].as_array().map(Vec::len), Some(0));
    assert_eq!(list(&format!("{name}&Status=completed")).await["conferences"].as_array().map(Vec::len), Some(2));
    assert_eq!(list(&format!("{name}&Status=in-progress")).await["conferences"].as_array().map(Vec::len), Some(0));
    assert_eq!(list(&format!("{name}&Status=ended")).await["status"], 400, "not a status Twilio knows");
}

/// A burst of `502 Unable to fetch page` outlasting the client's retries on the first
/// join's records: that join waits for the next sweep, the second is decided in the same
/// sweep. On the code before issue 30, the failure ended the whole check (`?`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_502s_delays_only_the_join_it_hits() {
    let app = spawn_waves_app(1, |p| p).await;
    let first = winner_alone_unreported(&app).await;
    app.sandbox.clock.advance(60);
    let second = winner_alone_unreported(&app).await;
    assert_ne!(first.call_sid, second.call_sid);
    assert_eq!(app.count("SELECT count(*) FROM matches").await, 2);
    // The joins are checked in the order their winners' lines started: the first's first
    // request gets the whole burst.
    app.network().fail_list_requests(attempts_per_request());
    sweep_after(&app, 5).await;
    assert_eq!(outcome(&app, &second).await.as_deref(), Some("abandoned"), "the second is decided");
    assert_eq!(outcome(&app, &first).await.as_deref(), Some("matched"), "the first waits for the next sweep");
    assert_eq!(app.count("SELECT count(*) FROM matches").await, 1);
    assert_eq!(app.count("SELECT count(*) FROM follow_ups WHERE closed_at IS NULL").await, 1);
    // The burst is over at the next sweep, still within the winner's line's time.
    sweep_after(&app, 5).await;
    assert_eq!(outcome(&app, &first).await.as_deref(), Some("abandoned"), "asked again and decided");
    assert_eq!(app.count("SELECT count(*) FROM matches").await, 0);
    assert_eq!(app.count("SELECT count(*) FROM follow_ups WHERE closed_at IS NULL").await, 2);
}

/// Records that never come do not hold a join for ever: it is asked about at every sweep
/// until the sweep closes the winner's line (`LEG_LOST_AFTER_MINUTES` after it started),
/// then the call goes to the desk as unconfirmed, as when the records cannot tell, and
/// the provider is asked no more.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_join_whose_records_never_come_goes_to_the_desk_as_unconfirmed() {
    let app = spawn_waves_app(1, |p| p).await;
    let report = winner_alone_unreported(&app).await;
    app.network().fail_list_requests(u32::MAX);
    sweep_after(&app, 5).await;
    assert_eq!(outcome(&app, &report).await.as_deref(), Some("matched"), "asked again at the next sweep");
    assert_eq!(app.count("SELECT count(*) FROM follow_ups").await, 0);
    let asked_once = app.network().conference_list_requests().len();
    assert_eq!(asked_once, attempts_per_request() as usize, "one request, retried, then left for the next sweep");
    let lost_after = burenlijn::switchboard::jobs::LEG_LOST_AFTER_MINUTES;
    sweep_after(&app, lost_after).await;
    assert_eq!(app.network().conference_list_requests().len(), 2 * asked_once, "asked once more");
    assert_eq!(outcome(&app, &report).await.as_deref(), Some("unconfirmed"), "not counted as a match");
    assert_eq!(app.count("SELECT count(*) FROM matches").await, 0);
    assert_eq!(
        app.count("SELECT count(*) FROM follow_ups WHERE closed_at IS NULL AND reason = 'unconfirmed'").await,
        1,
        "the desk checks with the caller"
    );
    sweep_after(&app, lost_after).await;
    assert_eq!(app.network().conference_list_requests().len(), 2 * asked_once, "and then no more");
}
