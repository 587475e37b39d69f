//! Help for later's "where to" (issue 28), end to end through the emulator, with real
//! SQLite and HTTP on loopback: Jan books a lift by phone and says where to in a short
//! recording (at most 20 seconds, # ends it). The
//! recording is fetched into our own storage and deleted at the provider; the neighbour who
//! is asked hears the request and then the recording, played from our URL; and our copy
//! goes when the request is cancelled, and when Jan is erased. A booking without a
//! recording stands as well.

use std::time::Duration;

use burenlijn::domain::planned::By;
use burenlijn::sim::people::{HelperAction, Line, Script};
use burenlijn::switchboard::desk::{Act, Acting};

use crate::planned_phone::{keys, later_app};
use crate::support::*;

/// Transport, another day, tomorrow, the morning, 10 o'clock, right.
const BOOK: [&str; 6] = ["2", "2", "1", "1", "3", "1"];

const WHERE_ASK: &str = "Waar gaat u heen? Zeg het na de piep, toets dan een hekje.";
const GOODBYE: &str = "Dank u wel. Tot ziens.";

/// Jan books and speaks `seconds` after the beep (`None`: he says nothing), then presses #.
fn booking(seconds: Option<u32>) -> Script {
    let pressed: Vec<Option<&str>> = BOOK.iter().map(|k| Some(*k)).collect();
    Script { message_seconds: seconds, record_finish_key: Some("#".into()), ..keys(&pressed) }
}

async fn run_provider_jobs(app: &TestApp) {
    burenlijn::switchboard::provider_jobs::run_due(&app.sandbox.state.switchboard).await.unwrap();
}

/// The provider's copy of a recording, as the test asks the emulator's REST API for it.
async fn at_the_provider(app: &TestApp, recording_url: &str) -> u16 {
    let net = app.network();
    let sid = recording_url.rsplit('/').next().unwrap();
    let url = format!("{}2010-04-01/Accounts/{}/Recordings/{sid}.mp3", net.api_base, net.account_sid);
    reqwest::get(url).await.unwrap().status().as_u16()
}

/// The URL the provider plays "where to" from, as the document asking a neighbour has it.
fn played_url(document: &str) -> String {
    let play = document.split("<Play>").nth(1).unwrap_or_else(|| panic!("no <Play> in {document}"));
    play.split("</Play>").next().unwrap().to_string()
}

/// The ask call's document, once the first neighbour asked has said yes (each presses 9
/// first, to hear it again).
async fn asked(app: &TestApp) -> String {
    let again = [ANJA, BERT, CARLA, DIRK, ELS].map(|n| (n.to_string(), HelperAction::AgainThenAccept));
    app.network().script_helpers(again.into());
    burenlijn::switchboard::jobs::run_planned(app.sandbox.state.switchboard.clone()).await.unwrap();
    wait_for(app, "SELECT count(*) FROM planned_calls WHERE purpose = 'ask' AND result = 'yes'", 1).await;
    app.text("SELECT answer_document FROM planned_calls WHERE purpose = 'ask'").await
}

/// Jan books a lift with "where to"; the recording is fetched and
/// deleted at the provider; the neighbour asked hears the request, then the recording from
/// our URL; after the desk cancels, our copy is gone and the URL says nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn where_to_said_by_phone_is_kept_by_us_played_to_the_neighbour_asked_and_gone_after_cancel() {
    let app = later_app().await;
    let report = app.call(JAN, booking(Some(8))).await;
    let heard = caller_heard(&report);
    let ask = heard.iter().position(|t| t == WHERE_ASK).unwrap_or_else(|| panic!("{heard:?}"));
    assert!(heard[ask - 1].starts_with("Dank u wel. We vragen de buren"), "taken before the recording: {heard:?}");
    assert_eq!(&heard[ask + 1..], [GOODBYE], "he pressed #, and hears goodbye");
    assert!(report.lines.contains(&Line::CallerRecords { seconds: 8 }), "{:?}", report.lines);
    assert_eq!(app.text("SELECT status FROM planned_requests").await, "asking");
    assert_eq!(app.count("SELECT duration_seconds FROM planned_where").await, 8);

    // Fetched into our storage (by the service's own runner, nudged by the webhook, or
    // here), then deleted at the provider.
    let recording = app.text("SELECT recording_url FROM planned_where").await;
    run_provider_jobs(&app).await;
    assert_eq!(app.count("SELECT count(*) FROM planned_where WHERE audio IS NOT NULL").await, 1);
    assert_eq!(at_the_provider(&app, &recording).await, 404, "deleted at the provider after our copy");
    assert_eq!(app.count("SELECT count(*) FROM provider_jobs").await, 0);

    // The neighbour asked hears the request, and then Jan's own words from our copy.
    let document = asked(&app).await;
    let (request, play) =
        (document.find("vraagt om hulp op dinsdag 8 december").unwrap(), document.find("<Play>").unwrap());
    assert!(request < play, "{document}");
    assert!(document[request..play].contains("Waar naartoe? Jan zegt het zelf:"), "{document}");
    let url = played_url(&document);
    // 9: the request and "where to" again, then 1.
    let call = app.count("SELECT id FROM planned_calls WHERE purpose = 'ask'").await;
    let lines = app.network().lines_of_created_calls(&format!("planned-{call}"), Duration::from_secs(10)).await;
    let heard: Vec<String> = lines
        .iter()
        .filter_map(|l| match l {
            Line::HelperHears { text, .. } => Some(text.clone()),
            _ => None,
        })
        .collect();
    let played = format!("[recording {url}]");
    assert_eq!(heard.iter().filter(|t| **t == played).count(), 2, "{heard:?}");
    assert_eq!(heard.iter().filter(|t| t.starts_with("Jan uit de Kerkstraat vraagt")).count(), 2, "{heard:?}");
    assert!(!heard.iter().any(|t| t.contains("+31")), "a helper never hears a number: {heard:?}");
    let token = app.text("SELECT token FROM planned_where").await;
    assert!(url.ends_with(&format!("/audio/where/{token}")), "{url}");
    assert!(!document.contains(&recording), "never the provider's URL");
    let got = reqwest::get(&url).await.unwrap();
    assert_eq!(got.status(), 200);
    let sid = recording.rsplit('/').next().unwrap();
    assert_eq!(got.bytes().await.unwrap(), format!("ID3\u{4}\0\0\0\0\0\0 the message of {sid}").as_bytes());
    let wrong = format!("{}{}", &url[..url.len() - 1], if url.ends_with('0') { "1" } else { "0" });
    assert_eq!(reqwest::get(&wrong).await.unwrap().status(), 404, "another token plays nothing");

    // Cancelled: our copy goes, and the URL plays nothing any more.
    let sb = app.sandbox.state.switchboard.clone();
    let id = app.count("SELECT id FROM planned_requests").await;
    let cli = Acting::command_line();
    let now = sb.clock.now();
    sb.store
        .write(|tx| burenlijn::switchboard::planned::cancel(&Act { conn: tx, who: &cli, now }, id, By::Desk))
        .unwrap()
        .unwrap();
    assert_eq!(app.count("SELECT count(*) FROM planned_where").await, 0);
    assert_eq!(reqwest::get(&url).await.unwrap().status(), 404);
    run_provider_jobs(&app).await;
    assert_eq!(app.count("SELECT count(*) FROM provider_jobs WHERE kind LIKE '%recording%'").await, 0);
}

/// Jan says where to, and is then erased: the recording goes with him, here and at the
/// provider, before it was even fetched.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn erasing_the_requester_deletes_where_to_here_and_at_the_provider() {
    let app = later_app().await;
    app.call(JAN, booking(Some(6))).await;
    let recording = app.text("SELECT recording_url FROM planned_where").await;
    let sb = app.sandbox.state.switchboard.clone();
    let jan = app.count("SELECT id FROM participants WHERE name = 'Jan de Vries'").await;
    let cli = Acting::command_line();
    let now = sb.clock.now();
    let erased =
        sb.store.write(|tx| burenlijn::switchboard::desk::participants::erase(&Act { conn: tx, who: &cli, now }, jan));
    assert!(matches!(erased.unwrap(), burenlijn::switchboard::desk::participants::Erased::Done));
    assert_eq!(app.count("SELECT count(*) FROM planned_where").await, 0);
    assert_eq!(app.count("SELECT count(*) FROM provider_jobs WHERE kind = 'fetch-where-to'").await, 0);
    run_provider_jobs(&app).await;
    assert_eq!(at_the_provider(&app, &recording).await, 404, "deleted at the provider");
}

/// Nothing said after the beep: the request stands, nothing is kept, and the neighbour
/// hears the request alone. A caller who talks past 20 seconds is cut off there and still
/// thanked; one who hangs up after speaking loses nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_recording_the_request_stands_and_a_long_one_is_cut_at_twenty_seconds() {
    let app = later_app().await;
    let report = app.call(JAN, booking(None)).await;
    let heard = caller_heard(&report);
    assert_eq!(heard.iter().rev().take(2).rev().cloned().collect::<Vec<_>>(), [WHERE_ASK, GOODBYE]);
    assert_eq!(app.text("SELECT status FROM planned_requests").await, "asking");
    assert_eq!(app.count("SELECT count(*) FROM planned_where").await, 0);
    let document = asked(&app).await;
    assert!(!document.contains("<Play>") && !document.contains("Waar naartoe"), "{document}");

    let app = later_app().await;
    let report = app.call(JAN, booking(Some(45))).await;
    assert!(report.lines.contains(&Line::CallerRecords { seconds: 20 }), "{:?}", report.lines);
    assert_eq!(caller_heard(&report).last().map(String::as_str), Some(GOODBYE), "cut off, still on the line");
    assert_eq!(app.count("SELECT duration_seconds FROM planned_where").await, 20);

    let app = later_app().await;
    let hangs_up = Script { record_finish_key: None, ..booking(Some(5)) };
    let report = app.call(JAN, hangs_up).await;
    assert_eq!(caller_heard(&report).last().map(String::as_str), Some(WHERE_ASK), "he has gone");
    assert_eq!(app.text("SELECT status FROM planned_requests").await, "asking");
    assert_eq!(app.count("SELECT duration_seconds FROM planned_where").await, 5);
}

/// Done when: a resident books help for a day and an hour by phone in under two minutes of
/// call time, "where to" included (the emulator's speaking time: every sentence heard in
/// full, a key at once, the recording as long as it is spoken). A lift tomorrow at ten,
/// "naar het ziekenhuis, de hoofdingang" in six seconds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lift_tomorrow_at_ten_with_where_to_is_booked_in_under_two_minutes_of_call_time() {
    use burenlijn::clock::Clock;
    let app = later_app().await;
    let started = app.sandbox.clock.now();
    let report = app.call(JAN, booking(Some(6))).await;
    let took = app.sandbox.clock.now().as_second() - started.as_second();
    assert_eq!(caller_heard(&report).last().map(String::as_str), Some(GOODBYE));
    assert_eq!(app.count("SELECT count(*) FROM planned_where").await, 1);
    assert!(took < 120, "the whole booking took {took} s of call time");
}
