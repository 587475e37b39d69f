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
        let line = csv.lines().find(|l| l.starts_with("2026-11,Totaal,")).unwrap_or_else(|| panic!("{csv}"));
        line.split(',').nth(2).unwrap().to_string()
    };
    let all = b.get("/desk/figures.csv?year=2026").await;
    assert_eq!(total(&all.body), "3");
    let village_b = b.get("/desk/figures.csv?year=2026&neighbourhood=dorp-b").await;
    assert_eq!(total(&village_b.body), "2");
    assert!(village_b.headers["content-disposition"]
        .to_str()
        .unwrap()
        .contains("burenlijn-cijfers-dorp-b-2026-01-01-2026-11-24.csv"));
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

/// The two villages ringing in waves, Tuesday evening: helpers may be rung until 21:00, the
/// desk is closed, so a caller nobody helps may leave a message.
async fn two_villages_in_waves() -> (TestApp, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let plan = burenlijn::config::example_dialplan_in_waves();
    std::fs::write(dir.path().join("example.toml"), &plan).unwrap();
    let b = edit_dialplan(&plan, &[("number", DORP_B.into()), ("name", "Dorp B".into())]);
    std::fs::write(dir.path().join("dorp-b.toml"), b).unwrap();
    let hoods = burenlijn::config::load(Some(dir.path()), None).unwrap();
    let start = TUESDAY_EVENING.parse().unwrap();
    let sandbox = Sandbox::start_waves(None, hoods, start, Some(TWO_VILLAGES.to_string())).await.unwrap();
    (TestApp { sandbox }, dir)
}

/// Waits until the service has no work left for the provider (a voicemail fetched).
async fn provider_jobs_done(app: &TestApp) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while app.count("SELECT count(*) FROM provider_jobs").await > 0 {
        assert!(std::time::Instant::now() < deadline, "the provider jobs were not done");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// The database without the audit log (opening a page is audited).
async fn all_but_audit(app: &TestApp) -> Vec<String> {
    app.snapshot().await.lines().filter(|l| !l.starts_with("audit")).map(str::to_string).collect()
}

/// Village B as a coordinator of all sees it: Dirk's call with his message and follow-up,
/// a note and a do-not-pair on Dirk, a call-back search for Dirk and a request taken for
/// Carla (both waiting for the morning). A limited account of the example neighbourhood,
/// Hanna, then goes through every desk route: with B's ids it gets exactly what an id
/// that does not exist gets, no response shows B's names, streets, numbers, note or
/// call, and nothing of B changes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn route_by_route_a_limited_account_sees_and_changes_nothing_of_another_neighbourhood() {
    use crate::desk_support::{add_user, add_user_in, Browser, ROUTES};
    use burenlijn::domain::desk::Role;
    let (app, _dir) = two_villages_in_waves().await;
    let dirk_asks = Script { message_seconds: Some(12), ..all_decline() };
    let b_call = app.sandbox.emulator.call(DIRK, DORP_B, &mut dirk_asks.clone()).await.unwrap();
    provider_jobs_done(&app).await;
    assert_eq!(app.count("SELECT count(*) FROM recordings").await, 1, "Dirk's message is kept");
    app.call(JAN, all_decline()).await;
    provider_jobs_done(&app).await;
    // After 21:00: the call-back searches wait for the morning, nobody is rung.
    app.sandbox.clock.advance(3600);
    add_user(&app, "Anne", Role::Coordinator).await;
    add_user_in(&app, "Hanna", Role::Coordinator, &["example"]).await;
    let dirk = app.count("SELECT id FROM participants WHERE name = 'Dirk Visser'").await.to_string();
    let carla = app.count("SELECT id FROM participants WHERE name = 'Carla Smit'").await.to_string();
    let anja = app.count("SELECT id FROM participants WHERE name = 'Anja Bakker'").await.to_string();
    let b_follow_up = app
        .count("SELECT f.id FROM follow_ups f JOIN calls c ON c.call_sid = f.call_sid WHERE c.dialplan_number = '+31850000099'")
        .await
        .to_string();
    {
        let mut anne = Browser::login(&app, "Anne").await;
        let csrf = anne.csrf().await;
        let done = |p: crate::desk_support::Page| assert_eq!(p.status, 303, "{}", p.body);
        done(
            anne.post(
                &format!("/desk/participants/{dirk}/notes"),
                &[("csrf", &csrf), ("note", "Dirk heeft een nieuwe heup")],
            )
            .await,
        );
        done(
            anne.post(
                &format!("/desk/participants/{dirk}/apart"),
                &[("csrf", &csrf), ("other", &carla), ("apart", "yes")],
            )
            .await,
        );
        done(anne.post(&format!("/desk/follow-up/{b_follow_up}/call-back"), &[("csrf", &csrf)]).await);
        let take = [("csrf", csrf.as_str()), ("phone", "06-10000003"), ("category", "shopping"), ("number", DORP_B)];
        done(anne.post("/desk/call-backs", &take).await);
        // Dirk is in B's good-morning round, with Carla as his contact.
        let round = [
            ("csrf", csrf.as_str()),
            ("resident", "06-10000004"),
            ("at", "09:30"),
            ("day", "mon"),
            ("contact", "06-10000003"),
        ];
        done(anne.post("/desk/round", &round).await);
    }
    assert_eq!(app.count("SELECT count(*) FROM round_residents").await, 1, "Dirk is in the round");
    assert_eq!(app.count("SELECT count(*) FROM callback_requests WHERE status = 'open'").await, 2);
    assert_eq!(app.count("SELECT count(*) FROM do_not_pair").await, 1);
    let b_request = app.count("SELECT id FROM callback_requests WHERE call_sid IS NULL").await.to_string();
    let anne_id = app.count("SELECT id FROM desk_users WHERE name = 'Anne'").await.to_string();

    let secrets = [
        "Dirk",
        "Carla",
        "10000003",
        "10000004",
        "Schoolstraat",
        "Beukenlaan",
        "nieuwe heup",
        "Dorp B",
        &b_call.call_sid,
    ];
    let shows_nothing_of_b = |what: &str, page: &crate::desk_support::Page| {
        for s in secrets {
            assert!(!page.body.contains(s), "{what} shows {s}: {}", page.body);
        }
    };
    let mut h = Browser::login(&app, "Hanna").await;
    let csrf = h.csrf().await;
    // B's ids, and ids that do not exist.
    let b_ids = |path: &str| {
        path.replace("{sid}", &b_call.call_sid).replace(
            "{id}",
            match path {
                p if p.starts_with("/desk/follow-up/") => &b_follow_up,
                p if p.starts_with("/desk/call-backs/") => &b_request,
                p if p.starts_with("/desk/users/") => &anne_id,
                _ => &dirk,
            },
        )
    };
    let no_ids = |path: &str| path.replace("{sid}", "CA99999999999999999999999999999999").replace("{id}", "999999");
    let mut before = all_but_audit(&app).await;
    let mut covered = Vec::new();
    for &(method, route) in ROUTES {
        covered.push((method, route));
        let form: Vec<(&str, &str)> = match route {
            "/desk/follow-up/{id}/close" => vec![("result", "other"), ("note", "x")],
            "/desk/participants/{id}" | "/desk/participants" => vec![
                ("name", "Mallory Mol"),
                ("phone", "06-10000098"),
                ("offers", "shopping"),
                ("distance", "any"),
                ("neighbourhoods", "dorp-b"),
            ],
            "/desk/participants/{id}/pause" => vec![("paused", "yes")],
            "/desk/participants/{id}/notes" => vec![("note", "gezien")],
            "/desk/participants/{id}/apart" => vec![("other", &anja), ("apart", "yes")],
            "/desk/call-backs" => vec![("phone", "06-10000003"), ("category", "shopping"), ("number", DORP_B)],
            "/desk/users" => vec![("name", "Mallory"), ("role", "coordinator"), ("password", "een lang wachtwoord")],
            "/desk/users/{id}" => vec![("action", "disable")],
            "/desk/account" => {
                vec![("current", "fout"), ("password", "een lang wachtwoord"), ("repeat", "een lang wachtwoord")]
            }
            "/desk/language" => vec![("language", "nl")],
            _ => vec![],
        };
        let mut form = form;
        form.push(("csrf", &csrf));
        match (method, route) {
            // Checked below, once nothing else is left to open.
            ("GET", "/desk/now/events") | ("POST", "/desk/logout") => {}
            ("GET", "/desk/participants.csv") => {
                let got = h.get(route).await;
                assert_eq!(got.status, 200);
                shows_nothing_of_b(route, &got);
            }
            ("GET", _) if !route.contains('{') => {
                let expected = if ["/desk/users", "/desk/audit"].contains(&route) { 403 } else { 200 };
                let got = h.get(route).await;
                assert_eq!(got.status, expected, "{route}: {}", got.body);
                shows_nothing_of_b(route, &got);
                // Searching for B: the same answer as for someone nobody has heard of, with
                // the words typed shown back.
                let searches: &[(&str, &str, &str)] = match route {
                    "/desk/calls" => &[("who", "Dirk", "Zwob"), ("who", "06-10000004", "06-10000098"), ("who", "Schoolstraat", "Zwobstraat"), ("participant", &dirk, "999999")],
                    "/desk/participants" => &[("q", "Dirk", "Zwob"), ("q", "1234 JK", "1234 ZZ"), ("q", "10000004", "10000098"), ("q", "Beukenlaan", "Zwoblaan")],
                    "/desk/figures" | "/desk/figures.csv" => &[("neighbourhood", "dorp-b", "dorp-z")],
                    _ => &[],
                };
                for (field, of_b, of_nobody) in searches {
                    let url = |v: &str| format!("{route}?{}", form_urlencoded::Serializer::new(String::new()).append_pair(field, v).finish());
                    let (mut b_page, nobody_page) = (h.get(&url(of_b)).await, h.get(&url(of_nobody)).await);
                    let shown = |body: &str, typed: &str| {
                        let mut body = body.replace(&url(typed), "");
                        for echo in [format!("value=\"{typed}\""), format!("'{typed}'"), format!("“{typed}”")] {
                            body = body.replace(&echo, "ECHO");
                        }
                        body
                    };
                    assert_eq!(
                        (b_page.status, shown(&b_page.body, of_b)),
                        (nobody_page.status, shown(&nobody_page.body, of_nobody)),
                        "{route} with {field}={of_b}: as if B's did not exist"
                    );
                    b_page.body = shown(&b_page.body, of_b);
                    shows_nothing_of_b(&url(of_b), &b_page);
                }
            }
            ("GET", _) => {
                let (b_path, nobody_path) = (b_ids(route), no_ids(route));
                let (mut of_b, mut of_nobody) = (h.get(&b_path).await, h.get(&nobody_path).await);
                // The page names where to come back to after a change of language.
                of_b.body = of_b.body.replace(&b_path, "");
                of_nobody.body = of_nobody.body.replace(&nobody_path, "");
                assert_eq!(of_b.status, 404, "{route}");
                assert_eq!((of_b.status, &of_b.body), (of_nobody.status, &of_nobody.body), "{route}: as if B's did not exist");
                shows_nothing_of_b(route, &of_b);
            }
            ("POST", "/desk/participants/import") => {
                for file in [
                    "name,phone,offers,available,street,postcode,distance,neighbourhoods\nMallory Mol,06-10000099,shopping,,Molenweg,1234 CD,any,dorp-b\n",
                    "name,phone,offers,available,street,postcode,distance\nMallory Mol,06-10000004,shopping,,Molenweg,1234 CD,any\n",
                    "name,phone,offers,available,street,postcode,distance,neighbourhoods\nEls de Boer,06-10000005,shopping,,Lindelaan,1234 LM,any,example\n",
                ] {
                    let got = h.upload(route, &csrf, file).await;
                    shows_nothing_of_b(route, &got);
                }
            }
            ("POST", _) if route.contains('{') => {
                let (b_path, nobody_path) = (b_ids(route), no_ids(route));
                let (mut of_b, mut of_nobody) = (h.post(&b_path, &form).await, h.post(&nobody_path, &form).await);
                of_b.body = of_b.body.replace(&b_path, "");
                of_nobody.body = of_nobody.body.replace(&nobody_path, "");
                // Users are for an account for all neighbourhoods (403, as their pages above);
                // anything else of B's does not exist for this account (404).
                let expected = if route.starts_with("/desk/users/") { 403 } else { 404 };
                assert_eq!(of_b.status, expected, "{route}: {}", of_b.body);
                assert_eq!((of_b.status, &of_b.body), (of_nobody.status, &of_nobody.body), "{route}: as if B's did not exist");
                shows_nothing_of_b(route, &of_b);
            }
            ("POST", _) => {
                let got = h.post(route, &form).await;
                assert!(got.status >= 300, "{route} answered {}", got.status);
                shows_nothing_of_b(route, &got);
            }
            _ => panic!("{method} {route}: not covered"),
        }
        // Doing something with one's own neighbourhood's people may touch B only where
        // they are B's too: Anja is the example's alone.
        if route == "/desk/participants/{id}/apart" {
            let path = format!("/desk/participants/{anja}/apart");
            let got = h.post(&path, &[("csrf", &csrf), ("other", &dirk), ("apart", "yes")]).await;
            let nobody = h.post(&path, &[("csrf", &csrf), ("other", "999999"), ("apart", "yes")]).await;
            assert_eq!((got.status, &got.body), (nobody.status, &nobody.body), "Dirk cannot be named as the other");
            assert_eq!(got.status, 400);
            shows_nothing_of_b(route, &got);
        }
        if (method, route) == ("POST", "/desk/participants") {
            // The account sees one neighbourhood, so the form does not ask: Mallory joins
            // the example, whatever was posted.
            assert_eq!(app.text("SELECT group_concat(m.neighbourhood) FROM memberships m JOIN participants p ON p.id = m.participant_id WHERE p.name = 'Mallory Mol'").await, "example");
            before = all_but_audit(&app).await;
        }
        let after = all_but_audit(&app).await;
        let mut changed: Vec<String> = after
            .iter()
            .filter(|l| !before.contains(l))
            .chain(before.iter().filter(|l| !after.contains(l)))
            .cloned()
            .collect();
        if route == "/desk/participants/import" {
            // Els is the example's too: her row was read in again (only her time of change,
            // and the register's version, moved).
            changed.retain(|l| !l.contains("Els de Boer") && !l.starts_with("registry_version"));
            before = after.clone();
        }
        assert!(changed.is_empty(), "after {method} {route}, B (and all else) is as it was; changed: {changed:#?}");
    }
    assert_eq!(covered.len(), ROUTES.len());
    // Els is in both villages: the example account's import left her in B too.
    assert_eq!(app.text("SELECT group_concat(neighbourhood, ';') FROM (SELECT neighbourhood FROM memberships m JOIN participants p ON p.id = m.participant_id WHERE p.name = 'Els de Boer' ORDER BY 1)").await, "dorp-b;example");

    // The live updates: a call in B, then one in the example neighbourhood.
    let mut events = h
        .http
        .get(format!("{}/desk/now/events", h.base))
        .header("Cookie", format!("burenlijn_desk={}", h.cookies["burenlijn_desk"]))
        .send()
        .await
        .unwrap();
    assert_eq!(events.status(), 200);
    let carla_asks = app.sandbox.emulator.call(CARLA, DORP_B, &mut all_decline()).await.unwrap();
    let jan_asks = app.call(JAN, all_decline()).await;
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    while !seen.contains(&format!("id=\"call-{}\"", jan_asks.call_sid)) {
        let chunk =
            tokio::time::timeout_at(deadline, events.chunk()).await.expect("Jan's call shows").unwrap().unwrap();
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    while let Ok(Ok(Some(chunk))) = tokio::time::timeout(std::time::Duration::from_millis(300), events.chunk()).await {
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(!seen.contains(&carla_asks.call_sid), "{seen}");
    for s in secrets {
        assert!(!seen.contains(s), "the live updates show {s}: {seen}");
    }
    let out = h.post("/desk/logout", &[("csrf", &csrf)]).await;
    assert_eq!(out.status, 303);
}

/// A coordinator of all neighbourhoods limits an account on the users page, changes the
/// limit (it holds from the next page on), and cannot limit their own account.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_users_page_limits_an_account_to_neighbourhoods() {
    use crate::desk_support::{add_user, Browser, PASSWORD};
    use burenlijn::domain::desk::Role;
    let (app, _dir) = two_villages().await;
    add_user(&app, "Anne", Role::Coordinator).await;
    let mut anne = Browser::login(&app, "Anne").await;
    let page = anne.get("/desk/users").await;
    assert!(
        page.body.contains("Alleen de buurten hieronder") && page.body.contains("value=\"dorp-b\""),
        "{}",
        page.body
    );
    let csrf = page.csrf();
    let hanna = |reach: &'static str, keys: &[&'static str]| {
        let mut f = vec![
            ("csrf", csrf.clone()),
            ("name", "Hanna".to_string()),
            ("role", "desk".to_string()),
            ("password", PASSWORD.to_string()),
            ("reach", reach.to_string()),
        ];
        f.extend(keys.iter().map(|k| ("neighbourhoods", k.to_string())));
        f
    };
    let post = |f: &Vec<(&'static str, String)>| f.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>();
    let before = app.snapshot().await;
    for (form, says) in
        [(hanna("some", &[]), "Kies minstens één buurt"), (hanna("some", &["dorp-c"]), "Die buurt bestaat niet")]
    {
        let form = post(&form);
        let refs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let refused = anne.post("/desk/users", &refs).await;
        assert_eq!(refused.status, 400);
        assert!(refused.body.contains(says) && refused.body.contains("Er is niets opgeslagen."), "{}", refused.body);
    }
    assert_eq!(app.snapshot().await, before, "nothing saved");
    let form = post(&hanna("some", &["example"]));
    let refs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(anne.post("/desk/users", &refs).await.location.as_deref(), Some("/desk/users?msg=added"));
    let users = anne.get("/desk/users").await;
    assert!(users.body.contains("<td>Voorbeeldwijk</td>") && users.body.contains("<td>alle</td>"), "{}", users.body);

    let mut h = Browser::login(&app, "Hanna").await;
    let list = h.get("/desk/participants").await;
    assert!(list.body.contains("Anja Bakker") && !list.body.contains("Dirk Visser"), "{}", list.body);
    // Village B instead: Hanna's next page shows B's register.
    let hanna_id = app.count("SELECT id FROM desk_users WHERE name = 'Hanna'").await;
    let change = |reach: &'static str, keys: &[&'static str]| {
        let mut f =
            vec![("csrf", csrf.clone()), ("action", "neighbourhoods".to_string()), ("reach", reach.to_string())];
        f.extend(keys.iter().map(|k| ("neighbourhoods", k.to_string())));
        f
    };
    let form = change("some", &["dorp-b"]);
    let refs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let done = anne.post(&format!("/desk/users/{hanna_id}"), &refs).await;
    assert_eq!(done.location.as_deref(), Some("/desk/users?msg=saved"), "{}", done.body);
    let list = h.get("/desk/participants").await;
    assert!(!list.body.contains("Anja Bakker") && list.body.contains("Dirk Visser"), "{}", list.body);
    assert_eq!(
        app.count("SELECT count(*) FROM audit_log WHERE action = 'set neighbourhoods' AND detail = 'Hanna: dorp-b'")
            .await,
        1
    );
    // All of them again.
    let form = change("all", &["dorp-b"]);
    let refs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    anne.post(&format!("/desk/users/{hanna_id}"), &refs).await;
    let list = h.get("/desk/participants").await;
    assert!(list.body.contains("Anja Bakker") && list.body.contains("Dirk Visser"), "{}", list.body);
    // Anne cannot limit herself (she would lose the users page).
    let anne_id = app.count("SELECT id FROM desk_users WHERE name = 'Anne'").await;
    let form = change("some", &["example"]);
    let refs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = anne.post(&format!("/desk/users/{anne_id}"), &refs).await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert_eq!(app.count("SELECT count(*) FROM desk_user_neighbourhoods").await, 0);
}
