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
    assert!(note.contains("verder weg"), "{note}");
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
    assert!(note.starts_with("Alleen via de balie"), "{note}");
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

/// The participant form: a resident's wishes and a coordinator's marks are saved and shown
/// again; a bad value is refused with its field named and what was typed kept; an account
/// that is no coordinator neither sees nor changes the marks.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_desk_form_sets_a_say_and_keeps_what_was_typed_on_an_error() {
    use crate::desk_support::{desk_app, Browser};
    let (app, mut b) = desk_app().await;
    let csrf = b.csrf().await;
    let form = |from: &'static str| {
        vec![
            ("name", "Fatima Yilmaz"),
            ("phone", "0612345699"),
            ("street", "Molenweg"),
            ("helpers_from", from),
            ("street_said", "after-yes"),
            ("desk_only", "yes"),
            ("experienced", "transport"),
        ]
    };
    let mut bad = form("far");
    bad.push(("csrf", &csrf));
    let page = b.post("/desk/participants", &bad).await;
    assert_eq!(page.status, 400);
    assert!(page.body.contains("Hulp van") && page.body.contains("Er is niets opgeslagen"), "{}", page.body);
    assert!(page.body.contains("value=\"Fatima Yilmaz\""), "what was typed is kept");
    assert!(page.body.contains("value=\"after-yes\" selected"), "the street's choice is kept");
    assert!(page.body.contains("name=\"desk_only\" value=\"yes\" checked"), "the flag is kept");
    let mut good = form("not-own-street");
    good.push(("csrf", &csrf));
    let page = b.post("/desk/participants", &good).await;
    assert_eq!(page.status, 303, "{}", page.body);
    let saved = "SELECT count(*) FROM participants WHERE name = 'Fatima Yilmaz' AND helpers_from = 'not-own-street'
                 AND street_said = 'after-yes' AND desk_only = 1 AND experienced = 'transport'";
    assert_eq!(app.count(saved).await, 1);
    let marks = "SELECT count(*) FROM audit_log WHERE action IN ('set desk only', 'marked experienced')";
    assert_eq!(app.count(marks).await, 2);

    // Piet (desk) changes her wishes; the coordinator's marks stay as they are.
    let id = app.count("SELECT id FROM participants WHERE name = 'Fatima Yilmaz'").await;
    let mut piet = Browser::login(&app, "Piet").await;
    let shown = piet.get(&format!("/desk/participants/{id}")).await;
    assert!(shown.body.contains("id=\"helpers_from\"") && !shown.body.contains("name=\"desk_only\""), "{}", shown.body);
    let csrf = piet.csrf().await;
    let mut change = form("near");
    change.retain(|(k, _)| *k != "desk_only" && *k != "experienced");
    change.push(("csrf", &csrf));
    let page = piet.post(&format!("/desk/participants/{id}"), &change).await;
    assert_eq!(page.status, 303, "{}", page.body);
    let kept = "SELECT count(*) FROM participants WHERE name = 'Fatima Yilmaz' AND helpers_from = 'near'
                AND desk_only = 1 AND experienced = 'transport'";
    assert_eq!(app.count(kept).await, 1);
}
