//! Issue 27, "a say over who comes", end to end through the emulator: a resident's wish
//! for helpers from further away, their street named only after a yes, a desk-only
//! resident, and a kind of help for experienced helpers only.

use burenlijn::config::Neighbourhoods;
use burenlijn::sim::people::{HelperAction, Script};
use burenlijn::sim::sandbox::Sandbox;
use jiff::Timestamp;

use crate::support::*;

/// Jan asks from the Kerkstraat; Anja lives next door (the Kerkstraat too), Bert and Carla
/// further away; `jan` is Jan's say (`helpers_from,street_said,desk_only`), and Carla alone
/// is marked as experienced in shopping.
fn register(jan: &str) -> String {
    format!(
        "name,phone,offers,available,street,postcode,distance,helpers_from,street_said,desk_only,experienced
Jan de Vries,020-1234567,,,Kerkstraat,1234 AB,any,{jan},
Anja Bakker,06-10000001,shopping,,Kerkstraat,1234 AB,any,,,,
Bert Jansen,06-10000002,shopping,,Dorpsweg,1234 EF,any,,,,
Carla Smit,06-10000003,shopping,,Beukenlaan,1234 GH,any,,,,shopping
"
    )
}

async fn spawn(csv: String, dialplan: Option<String>) -> TestApp {
    let start: Timestamp = TUESDAY_MORNING.parse().unwrap();
    let hoods = match dialplan {
        None => Neighbourhoods::embedded(),
        Some(plan) => {
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(dir.path().join("example.toml"), plan).unwrap();
            burenlijn::config::load(Some(dir.path()), None).unwrap()
        }
    };
    TestApp { sandbox: Sandbox::start(None, hoods, start, Some(csv)).await.unwrap() }
}

fn everyone_says_yes() -> Script {
    Script::keys(&["1"])
        .helper(ANJA, HelperAction::Accept)
        .helper(BERT, HelperAction::Accept)
        .helper(CARLA, HelperAction::Accept)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_far_away_resident_is_not_rung_to_a_next_door_helper() {
    let app = spawn(register("not-own-street,always,no"), None).await;
    let report = app.call(JAN, everyone_says_yes()).await;
    assert!(!rung(&report).contains(&ANJA.to_string()), "{:?}", rung(&report));
    let log = app.log_of(&report).await;
    assert_eq!(log.outcome.map(|o| o.as_str()), Some("matched"));
    assert_ne!(log.helper_phone.as_deref(), Some(ANJA));

    // Only the neighbour next door offers it: nobody is rung, and the desk reads why.
    let only_next_door = register("not-own-street,always,no").replace("Dorpsweg,1234 EF", "Kerkstraat,1234 AB");
    let only_next_door = only_next_door.replace("Beukenlaan,1234 GH", "Kerkstraat,1234 AB");
    let app = spawn(only_next_door, None).await;
    let mut script = everyone_says_yes();
    script.desk_answers = false;
    script.message_seconds = Some(10);
    let report = app.call(JAN, script).await;
    assert!(![ANJA, BERT, CARLA].iter().any(|h| rung(&report).contains(&h.to_string())), "{:?}", rung(&report));
    assert_eq!(app.log_of(&report).await.follow_up.as_deref(), Some("open"));
    let note = app.text("SELECT text FROM notes WHERE author = 'Burenlijn'").await;
    assert_eq!(note, "wishes not-own-street", "stored as its words, worded by the desk");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_anonymous_residents_street_is_said_only_after_a_one() {
    let app = spawn(register("any,after-yes,no"), None).await;
    let script = Script::keys(&["1"]).helper(ANJA, HelperAction::Decline).helper(BERT, HelperAction::Accept);
    let report = app.call(JAN, script).await;
    let heard = helpers_heard(&report);
    // Anja said no: she never heard who asked.
    let anja: Vec<&String> = heard.iter().filter(|(n, _)| n == ANJA).map(|(_, t)| t).collect();
    assert!(anja.iter().any(|t| t.starts_with("Iemand uit de buurt vraagt om hulp")), "{anja:?}");
    assert!(!anja.iter().any(|t| t.contains("Kerkstraat") || t.contains("Jan")), "{anja:?}");
    // Bert said yes: the name and the street come after his 1, not before.
    let bert: Vec<&String> = heard.iter().filter(|(n, _)| n == BERT).map(|(_, t)| t).collect();
    let who = bert.iter().position(|t| *t == "Het gaat om Jan uit de Kerkstraat.").expect("said after the yes");
    let asked = bert.iter().position(|t| t.starts_with("Kunt u nu helpen?")).unwrap();
    assert!(asked < who, "{bert:?}");
    assert!(!bert[..who].iter().any(|t| t.contains("Kerkstraat")), "{bert:?}");
    assert_eq!(app.log_of(&report).await.helper_phone.as_deref(), Some(BERT));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_desk_only_resident_rings_nobody_and_opens_a_follow_up() {
    let app = spawn(register("any,always,yes"), None).await;
    let mut script = everyone_says_yes();
    script.message_seconds = Some(10);
    let report = app.call(JAN, script).await;
    assert!(rung(&report).is_empty(), "{:?}", rung(&report));
    let heard = caller_heard(&report);
    let warm = "Fijn dat u belt. Voor u regelt de balie de hulp zelf. De balie belt u terug.";
    assert!(heard.iter().any(|t| t == warm), "{heard:?}");
    let log = app.log_of(&report).await;
    assert_eq!(log.follow_up.as_deref(), Some("open"));
    assert_eq!(log.outcome.map(|o| o.as_str()), Some("voicemail"));
    let note = app.text("SELECT text FROM notes WHERE author = 'Burenlijn'").await;
    assert_eq!(note, "desk-only", "stored as its word, worded by the desk");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_experienced_only_kind_rings_only_marked_helpers() {
    let plan = burenlijn::config::EXAMPLE_DIALPLAN.replacen(
        "key = \"shopping\"",
        "key = \"shopping\"\nexperienced_only = true",
        1,
    );
    let app = spawn(register("any,always,no"), Some(plan)).await;
    let report = app.call(JAN, everyone_says_yes()).await;
    assert_eq!(rung(&report), [CARLA.to_string()]);
    assert_eq!(app.log_of(&report).await.helper_phone.as_deref(), Some(CARLA));
}

/// Ringing in waves: the same, for the helper whose 1 wins.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_waves_too_the_street_is_said_only_to_the_helper_who_said_yes() {
    let start: Timestamp = TUESDAY_MORNING.parse().unwrap();
    let hoods = Neighbourhoods::embedded_in_waves();
    let sandbox = Sandbox::start_waves(None, hoods, start, Some(register("any,after-yes,no"))).await.unwrap();
    let app = TestApp { sandbox };
    let script = Script::keys(&["1"])
        .helper(ANJA, HelperAction::Decline)
        .helper(BERT, HelperAction::Decline)
        .helper(CARLA, HelperAction::Accept);
    let report = app.call(JAN, script).await;
    assert_eq!(joined(&report), [CARLA.to_string()]);
    let heard = helpers_heard(&report);
    for (number, text) in &heard {
        if text.contains("Kerkstraat") || text.contains("Jan") {
            assert!(number == CARLA && text == "Het gaat om Jan uit de Kerkstraat.", "{heard:?}");
        }
    }
    assert!(heard.iter().any(|(n, t)| n == CARLA && t == "Het gaat om Jan uit de Kerkstraat."), "{heard:?}");
}

/// Issue 27, the say by phone: Jan, who only asks, hears 8 as his say, chooses helpers from
/// further away (8, 8, 2); caller ID alone changes nothing; the call back's 1 makes it, and
/// from then on the neighbour next door is not rung for him.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resident_chooses_helpers_from_further_away_by_phone_and_the_next_door_helper_is_not_rung() {
    let start: Timestamp = TUESDAY_MORNING.parse().unwrap();
    let csv = register("any,always,no");
    let app =
        TestApp { sandbox: Sandbox::start_waves(None, Neighbourhoods::embedded(), start, Some(csv)).await.unwrap() };
    const JANS_SAY: &str = "SELECT helpers_from || ',' || street_said FROM participants WHERE name = 'Jan de Vries'";
    let mut calls = app.network().answer_as_caller(JAN);
    let heard = caller_heard(&app.call(JAN, Script::keys(&["8", "8", "2"])).await);
    assert!(heard.iter().any(|t| t.starts_with("Wilt u kiezen welke buren u helpen?")), "{heard:?}");
    assert!(heard.iter().any(|t| t == "Nu helpen buren van dichtbij en van verder weg."), "{heard:?}");
    assert!(
        heard.iter().any(|t| t.starts_with("Dank u wel. U vraagt: alleen hulp van buren van verder weg.")),
        "{heard:?}"
    );
    assert_eq!(app.text(JANS_SAY).await, "any,always", "caller ID alone changes nothing");
    let created = tokio::time::timeout(std::time::Duration::from_secs(10), calls.recv()).await.unwrap().unwrap();
    assert_eq!(created.to, JAN);
    let heard = caller_heard(&app.sandbox.emulator.answer(created, &mut Script::keys(&["1"])).await.unwrap());
    assert!(heard.iter().any(|t| t == "Dat is goed. Vanaf nu: alleen hulp van buren van verder weg."), "{heard:?}");
    assert_eq!(app.text(JANS_SAY).await, "not-own-street,always", "the call back's 1 makes it");
    let audited =
        app.count("SELECT count(*) FROM audit_log WHERE action = 'changed participant' AND user_name = ''").await;
    assert!(audited >= 1, "the change is in the audit log");

    // The same choice, now from the register: Anja next door is not rung for him.
    let report = app.call(JAN, everyone_says_yes()).await;
    assert!(!rung(&report).contains(&ANJA.to_string()), "{:?}", rung(&report));
    assert_eq!(app.log_of(&report).await.outcome.map(|o| o.as_str()), Some("matched"));
}
