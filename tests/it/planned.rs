//! Help for later (issue 28), end to end through the emulator's REST side with the clock
//! moved: a request for Tuesday 10:00 taken on Monday; neighbours asked ahead one at a
//! time by a created call (a no is thanked); the requester called back with who comes; at
//! the cut-off nobody found, the requester told honestly and the desk alerted; a restart
//! in between rings nobody twice; a moment inside the lead time refused, naming what is
//! possible.

use std::collections::HashMap;
use std::time::Duration;

use burenlijn::sim::people::{HelperAction, Line};
use burenlijn::switchboard::desk::{Act, Acting};
use burenlijn::switchboard::planned::{self, AddError, Adding};

use crate::support::*;

/// Monday 7 December 2026, 10:00: inside the ringing hours (08:00-21:00).
pub(crate) const MONDAY_TEN: &str = "2026-12-07T10:00:00+01:00";

/// The example dialplan (in waves) as shipped: transport (2) and odd jobs (3) are
/// plannable a day ahead.
pub(crate) fn plannable(plan: String) -> String {
    assert!(plan.contains("key = \"transport\"\n# Help for later"), "transport is plannable in the example");
    assert_eq!(
        plan.matches("\nlater = true\nlater_min_hours = 24\n").count(),
        2,
        "transport and odd jobs, a day ahead"
    );
    plan
}

async fn later_app() -> TestApp {
    spawn_waves_app_at(MONDAY_TEN, 2, plannable).await
}

/// The app for help for later through `provider`.
pub(crate) async fn later_app_through(provider: Provider) -> TestApp {
    spawn_waves_app_through(provider, MONDAY_TEN, 2, plannable).await
}

/// Takes a request from Jan for transport at `at`, as the command line does.
pub(crate) fn add(app: &TestApp, at: &str) -> Result<planned::Added, AddError> {
    let sb = app.sandbox.state.switchboard.clone();
    let hoods = sb.neighbourhoods.current();
    let adding = Adding { from: JAN.into(), kind: "transport".into(), at: at.into(), ..Default::default() };
    let cli = Acting::command_line();
    let now = sb.clock.now();
    sb.store.write(|tx| planned::add(&Act { conn: tx, who: &cli, now }, &hoods, &adding)).unwrap()
}

/// Takes a request from Jan for transport at `at` with a note for the desk.
fn add_noted(app: &TestApp, at: &str, note: &str) {
    let sb = app.sandbox.state.switchboard.clone();
    let hoods = sb.neighbourhoods.current();
    let adding = Adding {
        from: JAN.into(),
        kind: "transport".into(),
        at: at.into(),
        note: Some(note.into()),
        ..Default::default()
    };
    let (cli, now) = (Acting::command_line(), sb.clock.now());
    sb.store.write(|tx| planned::add(&Act { conn: tx, who: &cli, now }, &hoods, &adding)).unwrap().unwrap();
}

pub(crate) async fn run_planned(app: &TestApp) {
    burenlijn::switchboard::jobs::run_planned(app.sandbox.state.switchboard.clone()).await.unwrap();
}

pub(crate) fn script(actions: &[(&str, HelperAction)]) -> HashMap<String, HelperAction> {
    actions.iter().map(|(n, a)| (n.to_string(), a.clone())).collect()
}

/// What `who` heard on planned call `call`.
pub(crate) async fn heard_on(app: &TestApp, call: i64, who: &str) -> Vec<String> {
    let lines = app.network().lines_of_created_calls(&format!("planned-{call}"), Duration::from_secs(10)).await;
    lines
        .iter()
        .filter_map(|l| match l {
            Line::HelperHears { number, text } if number == who => Some(text.clone()),
            _ => None,
        })
        .collect()
}

/// Bert (asked first) says no, Dirk yes, and Jan hears who comes.
pub(crate) async fn bert_says_no_dirk_yes_and_jan_is_told(app: &TestApp) {
    app.network().script_helpers(script(&[
        (BERT, HelperAction::Decline),
        (DIRK, HelperAction::Accept),
        (JAN, HelperAction::Accept),
    ]));
    run_planned(app).await;
    wait_for(app, "SELECT count(*) FROM planned_calls WHERE purpose = 'tell-matched' AND result = 'heard'", 1).await;
}

pub(crate) const STATUS: &str = "SELECT status FROM planned_requests WHERE id = 1";
pub(crate) const ASKED: &str = "SELECT count(*) FROM planned_calls WHERE purpose = 'ask'";

// Taken on Monday for Tuesday 10:00, the first says no, the second yes, Jan is told:
// `matrix::help_for_later_first_no_second_yes_requester_told`, on both providers.

/// What each call about request `id` was for, and what became of it, in order.
pub(crate) fn purposes_and_results(app: &TestApp, id: i64) -> Vec<String> {
    app.sandbox
        .state
        .switchboard
        .store
        .read(|c| {
            Ok(c.prepare("SELECT purpose || ':' || result FROM planned_calls WHERE request_id = ?1 ORDER BY id")?
                .query_map([id], |r| r.get(0))?
                .collect::<Result<Vec<String>, _>>()?)
        })
        .unwrap()
}

/// Nobody says yes: after the cut-off (Monday 16:00 for Tuesday 10:00) nobody is asked any
/// more; Jan is told honestly and the desk gets an urgent follow-up with the request. A
/// request taken in the evening waits for the morning: nobody is rung at night.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nobody_by_the_cut_off_jan_is_told_and_the_desk_follows_up() {
    let app = later_app().await;
    add(&app, "2026-12-08 10:00").unwrap();
    app.network().script_helpers(script(&[
        (BERT, HelperAction::Decline),
        (DIRK, HelperAction::NoAnswer),
        (JAN, HelperAction::Accept),
    ]));
    run_planned(&app).await;
    wait_for(&app, "SELECT count(*) FROM planned_calls WHERE purpose = 'ask' AND result IS NOT NULL", 2).await;
    run_planned(&app).await;
    assert_eq!(app.text(STATUS).await, "asking", "still open before the cut-off");
    assert_eq!(app.count(ASKED).await, 2, "each neighbour once");

    clock_to(&app, "2026-12-07T16:00:00+01:00");
    run_planned(&app).await;
    wait_for(&app, "SELECT count(*) FROM planned_calls WHERE purpose = 'tell-unfilled' AND result = 'heard'", 1).await;
    assert_eq!(app.text(STATUS).await, "unfilled");
    let jan = heard_on(&app, 3, JAN).await;
    assert_eq!(
        jan[1],
        "Het spijt ons. We hebben niemand gevonden voor dinsdag 8 december om 10 uur. Iemand van de Burenlijn belt u nog."
    );
    assert_eq!(
        app.count("SELECT count(*) FROM follow_ups f JOIN calls c USING (call_sid) WHERE f.urgent = 1 AND f.reason = 'planned-unfilled' AND c.kind = 'planned' AND c.planned_id = 1").await,
        1
    );
    assert_eq!(app.count(ASKED).await, 2, "nobody asked after the cut-off");

    // Taken at 21:30 for Thursday: nobody is rung until the ringing hours open at 08:00.
    clock_to(&app, "2026-12-07T21:30:00+01:00");
    let second = add(&app, "2026-12-10 14:00").unwrap();
    run_planned(&app).await;
    clock_to(&app, "2026-12-08T07:59:00+01:00");
    run_planned(&app).await;
    assert_eq!(app.count("SELECT count(*) FROM planned_calls WHERE request_id = 2").await, 0, "never at night");
    app.network().script_helpers(script(&[(BERT, HelperAction::Accept), (JAN, HelperAction::Accept)]));
    clock_to(&app, "2026-12-08T08:00:00+01:00");
    run_planned(&app).await;
    wait_for(&app, "SELECT count(*) FROM planned_requests WHERE id = 2 AND status = 'matched'", 1).await;
    assert_eq!(second.id, 2);
}

/// The service stops while Bert's phone rings about the request, and his call's end is
/// never reported: after the restart Bert is not rung again; a quarter of an hour later
/// his call counts as not answered and Dirk is asked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_in_between_rings_nobody_twice() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("burenlijn.db");
    std::fs::write(dir.path().join("example.toml"), plannable(burenlijn::config::example_dialplan_in_waves())).unwrap();
    let hoods = || burenlijn::config::load(Some(dir.path()), None).unwrap();
    let start = |at: &str| at.parse::<jiff::Timestamp>().unwrap();
    let first =
        burenlijn::sim::Sandbox::start_waves(Some(db.clone()), hoods(), start(MONDAY_TEN), Some(PARTICIPANTS.into()))
            .await
            .unwrap();
    let app = TestApp { sandbox: first };
    add(&app, "2026-12-08 10:00").unwrap();
    // Bert's call is handed to the test, which never answers it.
    let mut bert = app.network().answer_as_caller(BERT);
    run_planned(&app).await;
    let created = tokio::time::timeout(Duration::from_secs(10), bert.recv()).await.unwrap().unwrap();
    assert_eq!(created.from, SWITCHBOARD);
    wait_for(&app, "SELECT count(*) FROM planned_calls WHERE leg_sid IS NOT NULL", 1).await;
    app.sandbox.stop().await.unwrap();

    let again =
        burenlijn::sim::Sandbox::start_waves(Some(db.clone()), hoods(), start("2026-12-07T10:05:00+01:00"), None)
            .await
            .unwrap();
    let app = TestApp { sandbox: again };
    app.network().script_helpers(script(&[(DIRK, HelperAction::Accept), (JAN, HelperAction::Accept)]));
    run_planned(&app).await;
    run_planned(&app).await;
    assert_eq!(app.count(ASKED).await, 1, "Bert's call is still out: nobody else yet, Bert not again");
    assert_eq!(app.network().calls_created_to(BERT, "planned-answer"), 0, "not rung again after the restart");
    clock_to(&app, "2026-12-07T10:16:00+01:00");
    run_planned(&app).await;
    wait_for(&app, "SELECT count(*) FROM planned_calls WHERE purpose = 'tell-matched' AND result = 'heard'", 1).await;
    assert_eq!(app.text("SELECT result FROM planned_calls WHERE id = 1").await, "never-reported");
    assert_eq!(app.network().calls_created_to(DIRK, "planned-answer"), 1);
    assert_eq!(app.network().calls_created_to(BERT, "planned-answer"), 0);
    app.sandbox.stop().await.unwrap();
}

/// A moment inside the lead time, past, or too far ahead is refused with what is possible;
/// a kind of help the dialplan does not plan says which ones it does; nothing is kept.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_inside_the_lead_time_is_refused_naming_what_is_possible() {
    let app = later_app().await;
    let refused = add(&app, "2026-12-08 09:00").unwrap_err();
    assert_eq!(
        refused.to_string(),
        "--at: 2026-12-08T09:00:00 is sooner than the 24 hours this kind of help needs ahead; the earliest possible is 2026-12-08T10:00:00"
    );
    let far = add(&app, "2026-12-30 10:00").unwrap_err();
    assert_eq!(
        far.to_string(),
        "--at: 2026-12-30T10:00:00 is more than 14 days ahead; the latest possible is 2026-12-21T10:00:00"
    );
    assert!(matches!(add(&app, "dinsdag tien uur"), Err(AddError::At(_))));
    let sb = app.sandbox.state.switchboard.clone();
    let hoods = sb.neighbourhoods.current();
    let shopping =
        Adding { from: JAN.into(), kind: "shopping".into(), at: "2026-12-09 10:00".into(), ..Default::default() };
    let cli = Acting::command_line();
    let now = sb.clock.now();
    let refused = sb.store.write(|tx| planned::add(&Act { conn: tx, who: &cli, now }, &hoods, &shopping)).unwrap();
    assert_eq!(
        refused.unwrap_err().to_string(),
        "--kind: 'shopping' cannot be planned in example (the dialplan's [[category]] has no `later = true`; plannable: transport, odd-jobs)"
    );
    assert_eq!(app.count("SELECT count(*) FROM planned_requests").await, 0);
    assert_eq!(app.count("SELECT count(*) FROM audit_log").await, 0);
}

/// The desk finds someone after all (a match by hand, counted with that helper): Jan is
/// told who comes. Then the desk cancels: both Jan and the helper are called and told.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_desk_matches_by_hand_then_cancels_and_both_are_told() {
    let app = later_app().await;
    add(&app, "2026-12-08 10:00").unwrap();
    clock_to(&app, "2026-12-07T16:00:00+01:00");
    app.network().script_helpers(script(&[(JAN, HelperAction::Accept), (CARLA, HelperAction::Accept)]));
    run_planned(&app).await;
    wait_for(&app, "SELECT count(*) FROM planned_calls WHERE purpose = 'tell-unfilled' AND result = 'heard'", 1).await;
    assert_eq!(app.count(ASKED).await, 0, "nobody asked after the cut-off");

    let sb = app.sandbox.state.switchboard.clone();
    let cli = Acting::command_line();
    let now = sb.clock.now();
    let act = |f: &dyn Fn(&Act<'_>) -> anyhow::Result<Result<(), planned::ChangeError>>| {
        sb.store.write(|tx| f(&Act { conn: tx, who: &cli, now })).unwrap()
    };
    assert_eq!(act(&|a| planned::assign(a, 1, JAN)), Err(planned::ChangeError::IsRequester));
    assert_eq!(act(&|a| planned::assign(a, 9, CARLA)), Err(planned::ChangeError::NoSuchRequest(9)));
    act(&|a| planned::assign(a, 1, CARLA)).unwrap();
    assert_eq!(app.text("SELECT status || ' ' || matched_by FROM planned_requests").await, "matched desk");
    run_planned(&app).await;
    wait_for(&app, "SELECT count(*) FROM planned_calls WHERE purpose = 'tell-matched' AND result = 'heard'", 1).await;
    let told = heard_on(&app, 2, JAN).await;
    assert_eq!(told[1], "Goed nieuws. Carla helpt u op dinsdag 8 december om 10 uur.");

    act(&|a| planned::cancel(a, 1, burenlijn::domain::planned::By::Desk)).unwrap();
    run_planned(&app).await;
    wait_for(&app, "SELECT count(*) FROM planned_calls WHERE purpose = 'tell-cancelled' AND result = 'heard'", 2).await;
    assert_eq!(app.text(STATUS).await, "cancelled-by-desk");
    let carla = heard_on(&app, 3, CARLA).await;
    assert_eq!(
        carla,
        [
            "Goedemiddag Carla. Hier is de Burenlijn.",
            "De hulp op dinsdag 8 december om 10 uur gaat niet door. Die is afgezegd.",
            "Dank u wel. Tot ziens.",
        ]
    );
    assert_eq!(
        heard_on(&app, 4, JAN).await[1],
        "De hulp op dinsdag 8 december om 10 uur gaat niet door. Die is afgezegd."
    );
    assert_eq!(
        app.count("SELECT count(*) FROM audit_log WHERE user_name = '#cli' AND action = 'matched a request for later by hand'").await,
        1
    );
}

/// A request for Thursday 10:00 taken on Monday: Bert says no, Dirk yes, Jan is told.
async fn dirk_helps_on_thursday(app: &TestApp) {
    add(app, "2026-12-10 10:00").unwrap();
    bert_says_no_dirk_yes_and_jan_is_told(app).await;
    // Tuesday: no reminder yet.
    clock_to(app, "2026-12-08T12:00:00+01:00");
    run_planned(app).await;
    assert_eq!(app.count(REMINDED).await, 0);
}

const REMINDED: &str = "SELECT count(*) FROM planned_calls WHERE purpose = 'remind'";

/// The day before, from ten, Dirk is reminded and presses 1: confirmed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_day_before_the_helper_confirms_with_one() {
    let app = later_app().await;
    dirk_helps_on_thursday(&app).await;
    clock_to(&app, "2026-12-09T10:00:00+01:00");
    run_planned(&app).await;
    wait_for(&app, "SELECT count(*) FROM planned_requests WHERE status = 'confirmed'", 1).await;
    let dirk = heard_on(&app, 4, DIRK).await;
    assert_eq!(
        dirk,
        [
            "Goedemorgen Dirk. Hier is de Burenlijn.",
            "Morgen, donderdag 10 december om 10 uur, helpt u Jan uit de Kerkstraat.",
            "Gaat dat door? Toets 1. Lukt het toch niet? Toets 2.",
            "Dank u wel. Jan rekent op u.",
        ]
    );
    run_planned(&app).await;
    clock_to(&app, "2026-12-09T15:00:00+01:00");
    run_planned(&app).await;
    assert_eq!(app.count(REMINDED).await, 1, "reminded once");

    // Friday morning: Jan is asked whether it went well, and presses 1: it happened.
    clock_to(&app, "2026-12-10T20:00:00+01:00");
    run_planned(&app).await;
    assert_eq!(app.count(AFTERWARDS).await, 0, "not the same day");
    clock_to(&app, "2026-12-11T10:00:00+01:00");
    run_planned(&app).await;
    wait_for(&app, "SELECT count(*) FROM planned_requests WHERE status = 'happened'", 1).await;
    let jan = heard_on(&app, 5, JAN).await;
    assert_eq!(
        jan,
        [
            "Goedemorgen Jan. Hier is de Burenlijn.",
            "Is de hulp van gisteren goed gegaan? Toets 1. Niet? Toets 2.",
            "Fijn om te horen. Dank u wel.",
        ]
    );
    run_planned(&app).await;
    assert_eq!(app.count(AFTERWARDS).await, 1, "asked once");
    assert_eq!(app.count("SELECT count(*) FROM follow_ups").await, 0);
}

const AFTERWARDS: &str = "SELECT count(*) FROM planned_calls WHERE purpose = 'afterwards'";

/// Dirk presses 2 the day before: thanked, and a new search starts at once (Bert was asked
/// already, Dirk withdrew: nobody is left); at the cut-off Jan is told and the desk alerted.
/// Reminded twice without an answer: the desk checks, the request is not cancelled.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_two_the_day_before_starts_a_new_search_and_no_answer_twice_goes_to_the_desk() {
    let app = later_app().await;
    dirk_helps_on_thursday(&app).await;
    app.network().script_helpers(script(&[(DIRK, HelperAction::Decline), (JAN, HelperAction::Accept)]));
    clock_to(&app, "2026-12-09T10:00:00+01:00");
    run_planned(&app).await;
    wait_for(&app, "SELECT count(*) FROM planned_requests WHERE status = 'asking' AND helper_id IS NULL", 1).await;
    let dirk = heard_on(&app, 4, DIRK).await;
    assert_eq!(
        dirk.last().map(String::as_str),
        Some("Jammer, maar fijn dat u het zegt. We zoeken iemand anders. Dank u wel.")
    );
    assert_eq!(app.count(ASKED).await, 2, "nobody asked twice");
    clock_to(&app, "2026-12-09T16:00:00+01:00");
    run_planned(&app).await;
    wait_for(&app, "SELECT count(*) FROM planned_calls WHERE purpose = 'tell-unfilled' AND result = 'heard'", 1).await;
    assert_eq!(app.text(STATUS).await, "unfilled");

    // A second request, for Friday: Dirk does not answer the reminder, twice.
    let app = later_app().await;
    add(&app, "2026-12-11 10:00").unwrap();
    app.network().script_helpers(script(&[(BERT, HelperAction::Accept), (JAN, HelperAction::Accept)]));
    run_planned(&app).await;
    wait_for(&app, "SELECT count(*) FROM planned_calls WHERE purpose = 'tell-matched' AND result = 'heard'", 1).await;
    app.network().script_helpers(script(&[(BERT, HelperAction::NoAnswer)]));
    clock_to(&app, "2026-12-10T10:00:00+01:00");
    run_planned(&app).await;
    wait_for(&app, "SELECT count(*) FROM planned_calls WHERE purpose = 'remind' AND result = 'no-answer'", 1).await;
    run_planned(&app).await;
    assert_eq!(app.count(REMINDED).await, 1, "an hour apart");
    clock_to(&app, "2026-12-10T11:00:00+01:00");
    run_planned(&app).await;
    wait_for(&app, "SELECT count(*) FROM planned_calls WHERE purpose = 'remind' AND result = 'no-answer'", 2).await;
    run_planned(&app).await;
    assert_eq!(
        app.count("SELECT count(*) FROM follow_ups WHERE reason = 'planned-not-confirmed' AND urgent = 0").await,
        1
    );
    assert_eq!(app.text(STATUS).await, "matched", "not cancelled by itself");
    assert_eq!(app.count(REMINDED).await, 2);

    // Saturday morning Jan says it did not go well: the desk follows that up too.
    app.network().script_helpers(script(&[(JAN, HelperAction::Decline)]));
    clock_to(&app, "2026-12-12T10:30:00+01:00");
    run_planned(&app).await;
    wait_for(&app, "SELECT count(*) FROM planned_requests WHERE status = 'not-happened'", 1).await;
    wait_for(&app, "SELECT count(*) FROM follow_ups WHERE reason = 'planned-not-happened'", 1).await;
    assert_eq!(app.count("SELECT count(*) FROM calls WHERE kind = 'planned' AND planned_id = 1").await, 2);
}

/// Jan is erased while his request is still asking: the calls made about it are deleted
/// at the provider, the request is cancelled and its note goes; nobody is asked any more.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn erasing_the_requester_cancels_the_request_and_forgets_its_calls() {
    let app = later_app().await;
    let sb = app.sandbox.state.switchboard.clone();
    add_noted(&app, "2026-12-08 10:00", "naar het ziekenhuis");
    let (cli, now) = (Acting::command_line(), sb.clock.now());
    app.network().script_helpers(script(&[(BERT, HelperAction::Decline), (DIRK, HelperAction::NoAnswer)]));
    run_planned(&app).await;
    wait_for(&app, "SELECT count(*) FROM planned_calls WHERE purpose = 'ask' AND result IS NOT NULL", 2).await;
    let jan = app.count("SELECT id FROM participants WHERE name = 'Jan de Vries'").await;
    // Erased through the desk's door (as the CLI and the desk page do), and in the erasing
    // transaction (the provider jobs' runner may do them any moment after).
    let queued: i64 = sb
        .store
        .write(|tx| {
            let erased = burenlijn::switchboard::desk::participants::erase(&Act { conn: tx, who: &cli, now }, jan)?;
            assert!(matches!(erased, burenlijn::switchboard::desk::participants::Erased::Done));
            Ok(tx.query_row(
                "SELECT count(*) FROM provider_jobs WHERE kind = 'delete-call' AND target IN (SELECT leg_sid FROM planned_calls)",
                [],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    assert_eq!(queued, 2, "both calls about it are deleted at the provider");
    assert_eq!(app.text("SELECT status FROM planned_requests").await, "cancelled-by-desk");
    assert_eq!(app.count("SELECT count(*) FROM planned_requests WHERE note IS NULL AND requester_id IS NULL").await, 1);
    clock_to(&app, "2026-12-07T16:30:00+01:00");
    run_planned(&app).await;
    assert_eq!(app.count("SELECT count(*) FROM planned_calls").await, 2, "nobody called about it any more");
}

/// Retention covers help for later as it covers calls: a request whose help was longer ago
/// than the retention keeps what the figures count and loses who asked, who helped, its
/// note and what its calls said; its calls' records are deleted at the provider. A recent
/// request is kept whole, and the figures count the same before and after.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn old_requests_for_later_lose_who_and_keep_their_counts() {
    let app = later_app().await;
    let sb = app.sandbox.state.switchboard.clone();
    let cli = Acting::command_line();
    add_noted(&app, "2026-12-08 10:00", "naar het ziekenhuis");
    bert_says_no_dirk_yes_and_jan_is_told(&app).await;
    // The figures of the week the request was taken.
    let figures = || {
        let now = sb.clock.now();
        let (from, until): (jiff::Timestamp, jiff::Timestamp) =
            ("2026-12-01T00:00:00Z".parse().unwrap(), "2026-12-08T00:00:00Z".parse().unwrap());
        sb.store
            .read(|c| burenlijn::switchboard::desk::figures::planned(&Act { conn: c, who: &cli, now }, from, until))
            .unwrap()
    };
    let before = figures();
    assert_eq!((before.made, before.matched), (1, 1));
    assert_eq!(burenlijn::switchboard::jobs::anonymise(&sb).unwrap(), 0, "nothing is old yet");
    assert_eq!(app.count("SELECT count(*) FROM planned_requests WHERE anonymised_at IS NOT NULL").await, 0);

    // Two years and a month on, Jan asks again; then retention runs (24 months here).
    app.sandbox.clock.advance(25 * 31 * 24 * 3600);
    let at = (sb.clock.now() + jiff::SignedDuration::from_hours(72))
        .to_zoned(jiff::tz::TimeZone::get("Europe/Amsterdam").unwrap())
        .strftime("%Y-%m-%d 10:00")
        .to_string();
    add_noted(&app, &at, "naar de tandarts");
    let now = sb.clock.now();
    // In the retention's own transaction (the provider jobs' runner may do them any moment after).
    let (legs, queued) = sb
        .store
        .write(|tx| {
            let legs: Vec<String> = tx
                .prepare("SELECT leg_sid FROM planned_calls WHERE request_id = 1 AND leg_sid IS NOT NULL")?
                .query_map([], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            let cutoff = burenlijn::clock::months_before(now, 24)?;
            burenlijn::store::calls::anonymise_before(tx, cutoff, now, 200)?;
            let mut queued = 0;
            for leg in &legs {
                queued += tx.query_row(
                    "SELECT count(*) FROM provider_jobs WHERE kind = 'delete-call' AND target = ?1",
                    [leg],
                    |r| r.get::<_, i64>(0),
                )?;
            }
            Ok((legs.len(), queued))
        })
        .unwrap();
    assert_eq!((legs, queued), (3, 3), "the records of its three calls are deleted at the provider");

    let gone = "SELECT count(*) FROM planned_requests WHERE id = 1
                AND requester_id IS NULL AND helper_id IS NULL AND note IS NULL AND anonymised_at IS NOT NULL";
    assert_eq!(app.count(gone).await, 1, "who asked, who helped and the note are gone");
    assert_eq!(
        app.count(
            "SELECT count(*) FROM planned_calls WHERE request_id = 1 AND (participant_id IS NOT NULL OR leg_sid IS NOT NULL
             OR answer_document IS NOT NULL OR key_document IS NOT NULL)"
        )
        .await,
        0,
        "nor whom its calls went to and what they said"
    );
    // What the figures count stays.
    assert_eq!(
        app.text("SELECT status || ' ' || matched_by || ' ' || category FROM planned_requests WHERE id = 1").await,
        "matched phone transport"
    );
    assert_eq!(purposes_and_results(&app, 1), ["ask:no", "ask:yes", "tell-matched:heard"]);
    assert_eq!(figures(), before, "the figures of that week are the same");
    // The recent request is kept whole.
    assert_eq!(
        app.count(
            "SELECT count(*) FROM planned_requests
             WHERE id = 2 AND requester_id IS NOT NULL AND note IS NOT NULL AND anonymised_at IS NULL"
        )
        .await,
        1
    );
}
