//! Issue 31, end to end: in waves, as many neighbours ring at once as make a yes likely,
//! from what the log tells of who says yes at this hour and day (`ringing.wave_size =
//! "learned"`, the example's, and the default), never more than `ringing.max_wave_size`.

use burenlijn::config::Neighbourhoods;
use burenlijn::sim::people::{HelperAction, Script};
use burenlijn::sim::sandbox::Sandbox;
use burenlijn::store::synthetic::{self, PastCall};
use jiff::Timestamp;

use crate::support::*;

/// Six neighbours who help with shopping at any hour, and Jan who asks.
const SIX_HELPERS: &str = "name,phone,offers,available,street,postcode,distance
Jan de Vries,020-1234567,,,Kerkstraat,1234 AB,any
Anja Bakker,06-10000001,shopping,,Molenweg,1234 CD,any
Bert Jansen,06-10000002,shopping,,Dorpsweg,1234 EF,any
Carla Smit,06-10000003,shopping,,Beukenlaan,1234 GH,any
Dirk Visser,06-10000004,shopping,,Schoolstraat,1234 JK,any
Els de Boer,06-10000005,shopping,,Lindelaan,1234 LM,any
Fleur Mulder,06-10000006,shopping,,Havenweg,1234 NP,any
";

/// The example dialplan in waves, as it is: learned waves, at most four at once.
async fn spawn_learned_app() -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let plan = burenlijn::config::example_dialplan_in_waves();
    assert!(plan.contains("wave_size = \"learned\"") && plan.contains("max_wave_size = 4"), "the example's sizing");
    std::fs::write(dir.path().join("example.toml"), plan).unwrap();
    let hoods: Neighbourhoods = burenlijn::config::load(Some(dir.path()), None).unwrap();
    let start: Timestamp = TUESDAY_MORNING.parse().unwrap();
    let sandbox = Sandbox::start_waves(None, hoods, start, Some(SIX_HELPERS.to_string())).await.unwrap();
    TestApp { sandbox }
}

fn everyone_says_yes() -> Script {
    let mut script = Script::keys(&["1"]);
    for i in 1..=6 {
        script = script.helper(&format!("+3161000000{i}"), HelperAction::Accept);
    }
    script
}

/// Nothing learned yet: everyone counts as even odds, and three together (87.5 %) reach
/// the aim of 80 %. Everyone would say yes, so the first wave is all that rings.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fresh_neighbourhood_rings_three_at_once() {
    let app = spawn_learned_app().await;
    let report = app.call(JAN, everyone_says_yes()).await;
    let log = app.log_of(&report).await;
    assert_eq!(log.outcome.map(|o| o.as_str()), Some("matched"));
    assert_eq!(app.count("SELECT count(*) FROM wave_legs").await, 3, "{:#?}", log.attempts);
    assert_eq!(app.count("SELECT count(DISTINCT started_at) FROM wave_legs").await, 1, "all in one wave");
}

/// A month of Tuesday mornings on which nobody said yes: each neighbour is unlikely now,
/// so the first wave rings as many as the dialplan allows (four), not more.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_neighbourhood_that_rarely_says_yes_rings_up_to_the_cap() {
    let app = spawn_learned_app().await;
    let store = app.sandbox.state.switchboard.store.clone();
    let start: Timestamp = TUESDAY_MORNING.parse().unwrap();
    tokio::task::spawn_blocking(move || {
        store.write(|tx| {
            let helpers: Vec<i64> = burenlijn::store::participants::ids(tx)?;
            let past: Vec<PastCall> = (1..=4)
                .map(|week| PastCall {
                    call_sid: format!("CApast{week}"),
                    from: "+31201234567".into(),
                    caller_id: None,
                    category: Some("shopping".into()),
                    outcome: "unmatched",
                    started_at: start - jiff::SignedDuration::from_hours(24 * 7 * week),
                    attempts: helpers.iter().map(|&id| (id, format!("+316{id:08}"), "X".into(), "declined")).collect(),
                    wait_seconds: None,
                    follow_up_closed: true,
                })
                .collect();
            synthetic::insert(tx, &past)
        })
    })
    .await
    .unwrap()
    .unwrap();
    let report = app.call(JAN, everyone_says_yes()).await;
    assert_eq!(app.log_of(&report).await.outcome.map(|o| o.as_str()), Some("matched"));
    assert_eq!(app.count("SELECT count(*) FROM wave_legs").await, 4, "at most max_wave_size at once");
}
