//! Several neighbourhoods on one install: each number rings only its own register.

use burenlijn::sim::people::{HelperAction, Script};
use burenlijn::sim::Sandbox;

use crate::support::*;

/// Village B: the example dialplan on another number.
const DORP_B: &str = "+31850000099";

/// Anja and Bert in the example neighbourhood, Carla and Dirk in `dorp-b`, Els in both;
/// Jan (who asks) is registered in the example neighbourhood only.
const TWO_VILLAGES: &str = "name,phone,offers,available,street,postcode,distance,neighbourhoods
Jan de Vries,020-1234567,,,Kerkstraat,1234 AB,any,example
Anja Bakker,06-10000001,shopping,,Molenweg,1234 CD,any,example
Bert Jansen,06-10000002,shopping,,Dorpsweg,1234 EF,any,example
Carla Smit,06-10000003,shopping,,Beukenlaan,1234 GH,any,dorp-b
Dirk Visser,06-10000004,shopping,,Schoolstraat,1234 JK,any,dorp-b
Els de Boer,06-10000005,shopping,,Lindelaan,1234 LM,any,example;dorp-b
";

async fn two_villages() -> (TestApp, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("example.toml"), burenlijn::config::EXAMPLE_DIALPLAN).unwrap();
    let b = burenlijn::config::EXAMPLE_DIALPLAN
        .replacen("number = \"+31850000000\"", &format!("number = \"{DORP_B}\""), 1)
        .replacen("name = \"Voorbeeldwijk\"", "name = \"Dorp B\"", 1);
    std::fs::write(dir.path().join("dorp-b.toml"), b).unwrap();
    let hoods = burenlijn::config::load(Some(dir.path()), None).unwrap();
    assert_eq!(hoods.keys(), vec!["dorp-b".to_string(), "example".to_string()]);
    let start = TUESDAY_MORNING.parse().unwrap();
    let sandbox = Sandbox::start(None, hoods, start, Some(TWO_VILLAGES.to_string())).await.unwrap();
    (TestApp { sandbox }, dir)
}

/// Everyone says no: the numbers rung are everyone the line may ring.
fn all_decline() -> Script {
    [ANJA, BERT, CARLA, DIRK, ELS].iter().fold(Script::keys(&["1"]), |s, n| s.helper(n, HelperAction::Decline))
}

/// The neighbours rung, sorted (the desk phone, rung when nobody could help, left out).
fn neighbours_rung(report: &burenlijn::sim::emulator::CallReport) -> Vec<String> {
    let mut numbers: Vec<String> = rung(report).into_iter().filter(|n| n != "+31850000001").collect();
    numbers.sort();
    numbers
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_number_rings_only_its_own_neighbourhood() {
    let (app, _dir) = two_villages().await;
    let on_a = neighbours_rung(&app.call(JAN, all_decline()).await);
    assert_eq!(on_a, vec![ANJA.to_string(), BERT.to_string(), ELS.to_string()]);
    // Jan is known on village B's line too (by his number), and only B's neighbours ring.
    let mut script = all_decline();
    let report = app.sandbox.emulator.call(JAN, DORP_B, &mut script).await.unwrap();
    let on_b = neighbours_rung(&report);
    assert_eq!(on_b, vec![CARLA.to_string(), DIRK.to_string(), ELS.to_string()]);
    let log = app.log_of(&report).await;
    assert_eq!(log.caller_name.as_deref(), Some("Jan de Vries"), "recognised on any line");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_desk_places_a_new_participant_in_a_neighbourhood() {
    use crate::desk_support::{add_user, Browser};
    use burenlijn::domain::desk::Role;
    let (app, _dir) = two_villages().await;
    add_user(&app, "Els", Role::Desk).await;
    let mut b = Browser::login(&app, "Els").await;
    let form = b.get("/desk/participants/new").await;
    assert!(form.body.contains("value=\"dorp-b\"") && form.body.contains("Dorp B"), "{}", form.body);
    let csrf = b.csrf().await;
    let fatima = [("csrf", csrf.as_str()), ("name", "Fatima Yilmaz"), ("phone", "0612345699"), ("offers", "shopping")];
    let before = app.snapshot().await;
    let refused = b.post("/desk/participants", &fatima).await;
    assert_eq!(refused.status, 400);
    assert!(refused.body.contains("Buurt: kies er minstens één. Er is niets opgeslagen."), "{}", refused.body);
    assert_eq!(app.snapshot().await, before, "nothing saved");
    let mut placed = fatima.to_vec();
    placed.push(("neighbourhoods", "dorp-b"));
    let added = b.post("/desk/participants", &placed).await;
    assert_eq!(added.status, 303, "{}", added.body);
    let page = b.get(added.location.as_deref().unwrap()).await;
    assert!(page.body.contains("value=\"dorp-b\" checked"), "{}", page.body);
    // She is rung on village B's line, not on the example's.
    let fatima_declines = all_decline().helper("+31612345699", HelperAction::Decline);
    let report = app.sandbox.emulator.call(JAN, DORP_B, &mut fatima_declines.clone()).await.unwrap();
    assert!(neighbours_rung(&report).contains(&"+31612345699".to_string()));
    let report = app.call(JAN, fatima_declines).await;
    assert!(!neighbours_rung(&report).contains(&"+31612345699".to_string()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn figures_are_per_neighbourhood_and_for_all_together() {
    use crate::desk_support::{add_user, Browser};
    use burenlijn::domain::desk::Role;
    let (app, _dir) = two_villages().await;
    app.call(JAN, all_decline()).await;
    for _ in 0..2 {
        app.sandbox.emulator.call(JAN, DORP_B, &mut all_decline()).await.unwrap();
    }
    add_user(&app, "Els", Role::Desk).await;
    let mut b = Browser::login(&app, "Els").await;
    // The month's total line: month, "all", calls.
    let total = |csv: &str| -> String {
        let line = csv.lines().find(|l| l.starts_with("2026-11,all,")).unwrap_or_else(|| panic!("{csv}"));
        line.split(',').nth(2).unwrap().to_string()
    };
    let all = b.get("/desk/figures.csv?year=2026").await;
    assert_eq!(total(&all.body), "3");
    let village_b = b.get("/desk/figures.csv?year=2026&neighbourhood=dorp-b").await;
    assert_eq!(total(&village_b.body), "2");
    assert!(village_b.headers["content-disposition"].to_str().unwrap().contains("burenlijn-cijfers-dorp-b-2026.csv"));
    let example = b.get("/desk/figures.csv?year=2026&neighbourhood=example").await;
    assert_eq!(total(&example.body), "1");
    let page = b.get("/desk/figures?year=2026&neighbourhood=dorp-b").await;
    assert!(page.body.contains("<option value=\"dorp-b\" selected>Dorp B</option>"), "{}", page.body);
    assert_eq!(b.get("/desk/figures?neighbourhood=dorp-c").await.status, 400);
}

/// A desk account limited to the example neighbourhood sees nothing of village B: not on
/// any page it can open, not by B's ids.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_limited_desk_account_sees_only_its_own_neighbourhood() {
    use crate::desk_support::{add_user_in, Browser};
    use burenlijn::domain::desk::Role;
    let (app, _dir) = two_villages().await;
    // Dirk (B only) calls B's line, nobody helps: a follow-up in B.
    let mut dirk_asks = all_decline();
    let b_call = app.sandbox.emulator.call(DIRK, DORP_B, &mut dirk_asks).await.unwrap();
    app.call(JAN, all_decline()).await;
    add_user_in(&app, "Els", Role::Coordinator, &["example"]).await;
    let mut b = Browser::login(&app, "Els").await;
    let dirk_id = app.count("SELECT id FROM participants WHERE name = 'Dirk Visser'").await;
    let carla_id = app.count("SELECT id FROM participants WHERE name = 'Carla Smit'").await;
    let b_follow_up = app.count("SELECT f.id FROM follow_ups f JOIN calls c ON c.call_sid = f.call_sid WHERE c.dialplan_number = '+31850000099'").await;
    let secrets = ["Dirk", "Carla", "10000003", "10000004", "Schoolstraat", "Beukenlaan", b_call.call_sid.as_str()];
    for page in [
        "/desk/now",
        "/desk/calls",
        "/desk/follow-up",
        "/desk/participants",
        "/desk/participants.csv",
        "/desk/figures",
        "/desk/participants/new",
    ] {
        let got = b.get(page).await;
        assert_eq!(got.status, 200, "{page}");
        for s in secrets {
            assert!(!got.body.contains(s), "{page} shows {s}: {}", got.body);
        }
    }
    for page in [
        format!("/desk/calls/{}", b_call.call_sid),
        format!("/desk/participants/{dirk_id}"),
        format!("/desk/participants/{carla_id}"),
        format!("/desk/voicemail/{}", b_call.call_sid),
    ] {
        assert_eq!(b.get(&page).await.status, 404, "{page}");
    }
    assert_eq!(b.get("/desk/users").await.status, 403);
    assert_eq!(b.get("/desk/audit").await.status, 403);
    assert_eq!(b.get("/desk/figures?neighbourhood=dorp-b").await.status, 400);
    let csrf = b.csrf().await;
    let before = app.snapshot().await;
    let close = b.post(&format!("/desk/follow-up/{b_follow_up}/close"), &[("csrf", &csrf), ("result", "other")]).await;
    assert_eq!(close.status, 404);
    let pause = b.post(&format!("/desk/participants/{dirk_id}/pause"), &[("csrf", &csrf), ("paused", "yes")]).await;
    assert_eq!(pause.status, 404);
    let _ = b.get("/desk/now").await;
    assert_eq!(
        app.snapshot().await.lines().filter(|l| !l.starts_with("audit")).collect::<Vec<_>>(),
        before.lines().filter(|l| !l.starts_with("audit")).collect::<Vec<_>>(),
        "B is left as it was"
    );
    // Its own neighbourhood works as before.
    let page = b.get("/desk/participants").await;
    assert!(page.body.contains("Anja Bakker") && page.body.contains("Els de Boer"), "{}", page.body);
}
