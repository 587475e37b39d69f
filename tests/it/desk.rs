use burenlijn::domain::desk::Role;
use burenlijn::sim::people::{HelperAction, Script};

use crate::desk_support::*;
use crate::support::*;

/// A desk route with made-up ids.
fn with_ids(path: &str) -> String {
    path.replace("{sid}", "CA00000000000000000000000000000000").replace("{id}", "1")
}

#[test]
fn every_desk_route_is_in_the_tests_table() {
    let mut listed: Vec<(String, String)> =
        ROUTES.iter().chain(PUBLIC_ROUTES).map(|(m, p)| (m.to_string(), p.to_string())).collect();
    listed.sort();
    assert_eq!(routes_in_the_router(), listed, "the router and the tests' table differ");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_of_the_desk_is_reachable_without_login() {
    let app = spawn_app().await;
    add_user(&app, "Els", Role::Coordinator).await;
    let before = app.snapshot().await;
    let mut anon = Browser::new(&app);
    for (method, path) in ROUTES {
        let path = &with_ids(path);
        let page = if *method == "GET" {
            anon.get(path).await
        } else {
            anon.post(path, &[("csrf", "x"), ("name", "Mallory"), ("phone", "0612345678")]).await
        };
        assert_eq!(page.status, 303, "{method} {path} answered {}", page.status);
        assert!(page.location.as_deref().unwrap().starts_with("/desk/login?next="), "{method} {path}");
        assert!(!page.body.contains("Jan") && !page.body.contains("+31"), "{method} {path} leaked: {}", page.body);
    }
    // A made-up session cookie is no better.
    anon.cookies.insert("burenlijn_desk".into(), "forged-token".into());
    for (method, path) in ROUTES {
        let path = &with_ids(path);
        let page = if *method == "GET" { anon.get(path).await } else { anon.post(path, &[("csrf", "x")]).await };
        assert_eq!(page.status, 303, "{method} {path} with a forged session");
    }
    assert_eq!(app.snapshot().await, before, "refused requests changed nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_sets_a_strict_http_only_cookie_and_logout_ends_the_session() {
    let app = spawn_app().await;
    add_user(&app, "Els", Role::Coordinator).await;
    let mut b = Browser::new(&app);
    let form = b.get("/desk/login?next=/desk/figures").await;
    assert_eq!(form.status, 200);
    let csrf = form.csrf();
    let done = b
        .post("/desk/login", &[("name", "els"), ("password", PASSWORD), ("csrf", &csrf), ("next", "/desk/figures")])
        .await;
    assert_eq!(done.status, 303);
    assert_eq!(done.location.as_deref(), Some("/desk/figures"), "back to the page asked for");
    let session = done.cookies().into_iter().find(|c| c.starts_with("burenlijn_desk=")).unwrap();
    assert!(
        session.contains("HttpOnly") && session.contains("SameSite=Strict") && session.contains("Path=/desk"),
        "{session}"
    );
    assert!(!session.contains("Secure"), "plain http on loopback: no Secure flag");
    let now = b.get("/desk/now").await;
    assert_eq!(now.status, 200);
    assert!(now.body.contains("Els"));
    for h in ["content-security-policy", "x-frame-options", "cache-control", "x-content-type-options"] {
        assert!(now.headers.contains_key(h), "{h} is set");
    }
    assert_eq!(now.headers["cache-control"], "no-store");

    let old_cookie = b.cookies["burenlijn_desk"].clone();
    let out = b.post("/desk/logout", &[("csrf", &now.csrf())]).await;
    assert_eq!(out.location.as_deref(), Some("/desk/login?bye=1"));
    b.cookies.insert("burenlijn_desk".into(), old_cookie);
    assert_eq!(b.get("/desk/now").await.status, 303, "the old cookie no longer opens anything");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_needs_the_forms_own_token_and_wrong_passwords_are_slowed_down() {
    let app = spawn_app().await;
    add_user(&app, "Els", Role::Coordinator).await;
    let mut b = Browser::new(&app);
    // Posted from elsewhere: no login cookie to match.
    let forged = b.post("/desk/login", &[("name", "Els"), ("password", PASSWORD), ("csrf", "abc"), ("next", "")]).await;
    assert_eq!(forged.status, 403);
    assert!(!forged.cookies().iter().any(|c| c.starts_with("burenlijn_desk=")));

    let csrf = b.get("/desk/login").await.csrf();
    for _ in 0..5 {
        let wrong = b
            .post(
                "/desk/login",
                &[("name", "Els"), ("password", "niet het goede wachtwoord"), ("csrf", &csrf), ("next", "")],
            )
            .await;
        assert_eq!(wrong.status, 401);
        assert!(wrong.body.contains("Naam of wachtwoord klopt niet"));
    }
    // Now even the right password waits.
    let right = b.post("/desk/login", &[("name", "Els"), ("password", PASSWORD), ("csrf", &csrf), ("next", "")]).await;
    assert_eq!(right.status, 429, "{}", right.body);
    assert!(right.body.contains("Probeer het over"), "{}", right.body);
    assert!(right.headers.contains_key("retry-after"));
    // An unknown name gets the same answer as a wrong password for a known name: five
    // wrong tries, then a wait (the account is the name typed, known or not). Sent at
    // once: other people's failures on this address only slow an attempt down.
    let tries: Vec<_> = (0..5)
        .map(|_| {
            let (mut twin, csrf) = (b.twin(), csrf.clone());
            async move {
                twin.post("/desk/login", &[("name", "Niemand"), ("password", PASSWORD), ("csrf", &csrf), ("next", "")])
                    .await
                    .status
            }
        })
        .collect();
    assert_eq!(futures_util::future::join_all(tries).await, [401; 5], "the free tries of another name are checked");
    let unknown =
        b.post("/desk/login", &[("name", "Niemand"), ("password", PASSWORD), ("csrf", &csrf), ("next", "")]).await;
    // Els's two-second wait has passed while those were held: one wrong try is checked,
    // and the wait after it (four seconds, from its answer) refuses the next.
    let wrong = [("name", "Els"), ("password", "niet het goede wachtwoord"), ("csrf", &csrf), ("next", "")];
    assert_eq!(b.post("/desk/login", &wrong).await.status, 401);
    let known = b.post("/desk/login", &wrong).await;
    assert_eq!(known.status, 429, "{}", known.body);
    assert_eq!(unknown.status, known.status, "{}", unknown.body);
    assert!(known.headers.contains_key("retry-after") && unknown.headers.contains_key("retry-after"));
    // The same page but for the name typed in (and the seconds, should a second pass between).
    let shape = |page: &Page, name: &str| {
        page.body.replace(&format!("value=\"{name}\""), "value=\"NAME\"").replace(|c: char| c.is_ascii_digit(), "#")
    };
    assert_eq!(shape(&unknown, "Niemand"), shape(&known, "Els"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_expire_after_two_idle_hours() {
    let (app, mut b) = desk_app().await;
    assert_eq!(b.get("/desk/now").await.status, 200);
    app.sandbox.clock.advance(2 * 3600 + 60);
    let page = b.get("/desk/calls").await;
    assert_eq!(page.status, 303);
    assert!(page.location.unwrap().contains("expired=1"));
    assert_eq!(b.get("/desk/now").await.status, 303, "the session is gone for good");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_desk_user_cannot_manage_users_erase_or_read_the_audit_log() {
    let (app, _) = desk_app().await;
    let mut piet = Browser::login(&app, "Piet").await;
    let csrf = piet.csrf().await;
    assert_eq!(piet.get("/desk/users").await.status, 403);
    assert_eq!(piet.get("/desk/audit").await.status, 403);
    assert_eq!(piet.get("/desk/participants/1/erase").await.status, 403);
    let before = app.snapshot().await;
    assert_eq!(piet.post("/desk/participants/1/erase", &[("csrf", &csrf), ("sure", "yes")]).await.status, 403);
    assert_eq!(
        piet.post(
            "/desk/users",
            &[("csrf", &csrf), ("name", "Mallory"), ("role", "coordinator"), ("password", PASSWORD)]
        )
        .await
        .status,
        403
    );
    assert_eq!(app.snapshot().await, before);
    assert_eq!(app.count("SELECT count(*) FROM desk_users").await, 2);
    // The menu does not offer what is refused.
    let now = piet.get("/desk/now").await;
    assert!(!now.body.contains("/desk/users") && !now.body.contains("/desk/audit"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_form_with_a_wrong_csrf_token_changes_nothing() {
    let (app, mut b) = desk_app().await;
    app.call(
        JAN,
        Script::keys(&["1"])
            .helper(ANJA, HelperAction::Decline)
            .helper(BERT, HelperAction::Decline)
            .helper(CARLA, HelperAction::Decline),
    )
    .await;
    let before = app.snapshot().await;
    let audit_before = app.count("SELECT count(*) FROM audit_log").await;
    let forms: &[(&str, &[(&str, &str)])] = &[
        ("/desk/follow-up/1/close", &[("result", "other"), ("note", "x")]),
        ("/desk/participants", &[("name", "Mallory"), ("phone", "0612345670")]),
        ("/desk/participants/1", &[("name", "Mallory"), ("phone", "0612345670")]),
        ("/desk/participants/2/pause", &[("paused", "yes")]),
        ("/desk/participants/2/notes", &[("note", "x")]),
        ("/desk/participants/2/apart", &[("other", "3"), ("apart", "yes")]),
        ("/desk/participants/2/erase", &[("sure", "yes")]),
        ("/desk/users", &[("name", "Mallory"), ("role", "desk"), ("password", PASSWORD)]),
        ("/desk/users/2", &[("action", "disable")]),
        (
            "/desk/account",
            &[("current", PASSWORD), ("new", "een heel nieuw wachtwoord"), ("again", "een heel nieuw wachtwoord")],
        ),
        ("/desk/language", &[("language", "en")]),
        ("/desk/logout", &[]),
    ];
    for (path, fields) in forms {
        for token in ["", "wrong"] {
            let mut f: Vec<(&str, &str)> = fields.to_vec();
            f.push(("csrf", token));
            let page = b.post(path, &f).await;
            assert_eq!(page.status, 403, "{path} with csrf '{token}'");
            assert!(page.body.contains("Er is niets opgeslagen"), "{path}: {}", page.body);
        }
    }
    let upload = b.upload("/desk/participants/import", "wrong", "name,phone\nMallory,0612345670\n").await;
    assert_eq!(upload.status, 403);
    assert_eq!(app.snapshot().await, before);
    assert_eq!(app.count("SELECT count(*) FROM audit_log").await, audit_before);
    assert_eq!(b.get("/desk/now").await.status, 200, "still logged in");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_now_page_shows_todays_calls_and_streams_changes() {
    let (app, mut b) = desk_app().await;
    let page = b.get("/desk/now").await;
    assert!(page.body.contains("Vandaag nog geen gesprekken"));
    // Listen to the live stream, then let a call happen.
    let mut events = b
        .http
        .get(format!("{}/desk/now/events", b.base))
        .header("Cookie", format!("burenlijn_desk={}", b.cookies["burenlijn_desk"]))
        .send()
        .await
        .unwrap();
    assert_eq!(events.status(), 200);
    assert_eq!(events.headers()["content-type"], "text/event-stream");
    let report = app
        .call(JAN, Script::keys(&["1"]).helper(ANJA, HelperAction::Decline).helper(BERT, HelperAction::Accept))
        .await;
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    while !seen.contains("data-status=\"green\"") {
        let chunk =
            tokio::time::timeout_at(deadline, events.chunk()).await.expect("a green row arrives").unwrap().unwrap();
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(seen.contains("event: call"));
    assert!(seen.contains(&format!("id=\"call-{}\"", report.call_sid)));
    assert!(seen.contains("data-status=\"amber\""), "the call was amber while it searched");
    assert!(seen.contains("Jan de Vries") && seen.contains("Bert"), "{seen}");

    let page = b.get("/desk/now").await;
    assert!(page.body.contains(&format!("call-{}", report.call_sid)));
    assert!(page.body.contains("<strong id=\"count-green\">1</strong>"), "{}", page.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_call_log_filters_and_shows_each_calls_timeline() {
    let (app, mut b) = desk_app().await;
    let matched = app
        .call(JAN, Script::keys(&["1"]).helper(ANJA, HelperAction::NoAnswer).helper(BERT, HelperAction::Accept))
        .await;
    let transport = app
        .call(JAN, Script::keys(&["2", "1"]).helper(BERT, HelperAction::Decline).helper(DIRK, HelperAction::Decline))
        .await;
    let all = b.get("/desk/calls").await;
    assert!(all.body.contains(&matched.call_sid) && all.body.contains(&transport.call_sid));
    let only_matched = b.get("/desk/calls?outcome=matched").await;
    assert!(only_matched.body.contains(&matched.call_sid) && !only_matched.body.contains(&transport.call_sid));
    let only_transport = b.get("/desk/calls?category=transport&from=2026-11-24&until=2026-11-24").await;
    assert!(!only_transport.body.contains(&matched.call_sid) && only_transport.body.contains(&transport.call_sid));
    let other_day = b.get("/desk/calls?from=2026-11-25").await;
    assert!(other_day.body.contains("Geen gesprekken gevonden"));
    // Dirk was rung only for transport.
    let dirk = app.count("SELECT id FROM participants WHERE name = 'Dirk Visser'").await;
    let by_dirk = b.get(&format!("/desk/calls?participant={dirk}")).await;
    assert!(by_dirk.body.contains(&transport.call_sid) && !by_dirk.body.contains(&matched.call_sid));
    let dirk_matched = b.get(&format!("/desk/calls?participant={dirk}&outcome=matched")).await;
    assert!(dirk_matched.status == 200 && dirk_matched.body.contains("Geen gesprekken gevonden"));
    let bert = app.count("SELECT id FROM participants WHERE name = 'Bert Jansen'").await;
    let bert_matched = b.get(&format!("/desk/calls?participant={bert}&outcome=matched&from=2026-11-24")).await;
    assert!(bert_matched.body.contains(&matched.call_sid) && !bert_matched.body.contains(&transport.call_sid));

    // A typed name: one match filters at once, several are offered, none is said.
    let by_name = b.get("/desk/calls?who=dirk").await;
    assert!(by_name.body.contains(&transport.call_sid) && !by_name.body.contains(&matched.call_sid));
    assert!(by_name.body.contains("value=\"Dirk Visser\""));
    let several = b.get("/desk/calls?who=straat").await;
    assert!(
        several.body.contains("Wie bedoelt u?") && several.body.contains(&format!("/desk/calls?participant={dirk}")),
        "{}",
        several.body
    );
    assert!(!several.body.contains(&matched.call_sid));
    for bad in
        ["from=24-11-2026", "outcome=great", "category=knitting", "participant=abc", "before=xyz", "who=Nobody+Here"]
    {
        let page = b.get(&format!("/desk/calls?{bad}")).await;
        assert_eq!(page.status, 400, "{bad}");
        assert!(page.body.contains("role=\"alert\""), "{bad}: a clear message");
    }

    let detail = b.get(&format!("/desk/calls/{}", matched.call_sid)).await;
    assert_eq!(detail.status, 200);
    for text in ["Boodschappen", "Belt", "Anja", "nam niet op", "Bert", "zei ja", "Ja na", "Buur gevonden"] {
        assert!(detail.body.contains(text), "the timeline shows '{text}': {}", detail.body);
    }
    assert_eq!(b.get("/desk/calls/CAnothere").await.status, 404);
    assert_eq!(app.count("SELECT count(*) FROM audit_log WHERE action = 'viewed call'").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_follow_up_is_closed_with_a_result_and_its_note_stays_with_the_caller() {
    let (app, mut b) = desk_app().await;
    app.call(
        JAN,
        Script::keys(&["1"])
            .helper(ANJA, HelperAction::Decline)
            .helper(BERT, HelperAction::Decline)
            .helper(CARLA, HelperAction::Decline),
    )
    .await;
    let list = b.get("/desk/follow-up").await;
    assert!(list.body.contains("Jan de Vries") && list.body.contains("Niemand gevonden: terugbellen"), "{}", list.body);
    assert!(list.body.contains("020 123 4567"), "the desk sees the number to call back");
    assert!(list.body.contains("<span class=\"badge\""), "the menu counts open follow-ups");
    let id = app.count("SELECT id FROM follow_ups").await.to_string();
    let csrf = list.csrf();

    // Malformed input: a clear message, nothing half-saved. A result that is none of the
    // list is a bad request (400) on a follow-up that exists; an id that names no
    // follow-up, a number or not, is not found (404), as `/desk/participants/abc` is.
    let before = app.snapshot().await;
    for (path, fields, status, message) in [
        (format!("/desk/follow-up/{id}/close"), vec![("result", "solved")], 400, "Kies hoe het is afgehandeld."),
        (format!("/desk/follow-up/{id}/close"), vec![("result", "")], 400, "Kies hoe het is afgehandeld."),
        ("/desk/follow-up/abc/close".to_string(), vec![("result", "other")], 404, "Dit verzoek bestaat niet."),
        ("/desk/follow-up/999/close".to_string(), vec![("result", "other")], 404, "Dit verzoek bestaat niet."),
    ] {
        let mut f = fields.clone();
        f.push(("csrf", &csrf));
        let page = b.post(&path, &f).await;
        assert_eq!(page.status, status, "{path} {fields:?}: {}", page.body);
        assert!(
            page.body.contains("role=\"alert\"") && page.body.contains(message),
            "{path} {fields:?}: {}",
            page.body
        );
    }
    let long_note = "x".repeat(2001);
    assert_eq!(
        b.post(&format!("/desk/follow-up/{id}/close"), &[("csrf", &csrf), ("result", "other"), ("note", &long_note)])
            .await
            .status,
        400
    );
    assert_eq!(app.snapshot().await, before);

    let done = b
        .post(
            &format!("/desk/follow-up/{id}/close"),
            &[
                ("csrf", &csrf),
                ("result", "solved-by-neighbour"),
                ("note", "Buurvrouw Carla gaat donderdag mee naar de markt."),
            ],
        )
        .await;
    assert_eq!(done.location.as_deref(), Some("/desk/follow-up?closed=1"));
    let list = b.get("/desk/follow-up?closed=1").await;
    assert!(list.body.contains("Afgehandeld. Dank u wel") && list.body.contains("Er staat niets open"));
    // Closed twice (two coordinators at once): the second is told, nothing changes.
    let again =
        b.post(&format!("/desk/follow-up/{id}/close"), &[("csrf", &csrf), ("result", "other"), ("note", "")]).await;
    assert_eq!(again.status, 409);
    assert_eq!(
        app.count("SELECT count(*) FROM follow_ups WHERE result = 'solved-by-neighbour' AND closed_by = 'Els'").await,
        1
    );
    // The next coordinator finds the note with Jan.
    let jan = app.count("SELECT id FROM participants WHERE name = 'Jan de Vries'").await;
    let page = b.get(&format!("/desk/participants/{jan}")).await;
    assert!(page.body.contains("Buurvrouw Carla gaat donderdag mee naar de markt."), "{}", page.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn participants_are_added_edited_paused_and_refused_with_the_field_named() {
    let (app, mut b) = desk_app().await;
    let csrf = b.csrf().await;
    let before = app.snapshot().await;
    let bad = b
        .post(
            "/desk/participants",
            &[("csrf", &csrf), ("name", "Fatima Yilmaz"), ("phone", "06-123"), ("offers", "shopping")],
        )
        .await;
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("Telefoonnummer") && bad.body.contains("Er is niets opgeslagen"), "{}", bad.body);
    assert!(bad.body.contains("value=\"Fatima Yilmaz\""), "what was typed is kept");
    let bad = b
        .post(
            "/desk/participants",
            &[("csrf", &csrf), ("name", "Fatima"), ("phone", "0612345699"), ("available", "ma 9-5")],
        )
        .await;
    assert!(bad.status == 400 && bad.body.contains("Beschikbaar"));
    let bad = b
        .post(
            "/desk/participants",
            &[("csrf", &csrf), ("name", "Fatima"), ("phone", "0612345699"), ("offers", "knitting")],
        )
        .await;
    assert!(bad.status == 400 && bad.body.contains("Helpt met"));
    // Issue 25: a street that would make the whisper a speech is refused, the field named,
    // and what was typed is still in the form.
    let long_street = ["Lange Leidsedwarsstraat"; 5].join(" ");
    let bad = b
        .post(
            "/desk/participants",
            &[("csrf", &csrf), ("name", "Fatima Yilmaz"), ("phone", "0612345699"), ("street", &long_street)],
        )
        .await;
    assert_eq!(bad.status, 400);
    assert!(
        bad.body.contains("Straat: is langer dan 100 tekens. Er is niets opgeslagen."),
        "the field and its limit are named: {}",
        bad.body
    );
    assert!(bad.body.contains(&format!("value=\"{long_street}\"")), "what was typed is kept");
    let dup = b.post("/desk/participants", &[("csrf", &csrf), ("name", "Fatima"), ("phone", BERT)]).await;
    assert!(dup.status == 400 && dup.body.contains("al ingeschreven"));
    // The day boxes: each wrong row is named, and what was ticked is kept.
    for (rows, says) in [
        (vec![], "Beschikbaar: kies dagen en tijden, of 'altijd'."),
        (vec![("avail-0-from", "09:00"), ("avail-0-to", "12:00")], "Beschikbaar, regel 1: kies minstens één dag."),
        (
            vec![("avail-0-days", "9"), ("avail-0-from", "09:00"), ("avail-0-to", "12:00")],
            "Beschikbaar, regel 1: kies minstens één dag.",
        ),
        (
            vec![("avail-1-days", "0"), ("avail-1-from", "09:00")],
            "Beschikbaar, regel 2: vul een begin- en een eindtijd in.",
        ),
        (
            vec![("avail-0-days", "2"), ("avail-0-from", "13:00"), ("avail-0-to", "12:00")],
            "Beschikbaar, regel 1: de eindtijd ligt voor de begintijd.",
        ),
        (
            vec![("avail-0-days", "2"), ("avail-0-from", "nine"), ("avail-0-to", "12:00")],
            "Beschikbaar, regel 1: vul een begin- en een eindtijd in.",
        ),
    ] {
        let mut form =
            vec![("csrf", csrf.as_str()), ("name", "Fatima"), ("phone", "0612345699"), ("avail-mode", "times")];
        form.extend(rows.iter().cloned());
        let bad = b.post("/desk/participants", &form).await;
        assert_eq!(bad.status, 400, "{rows:?}");
        assert!(bad.body.contains(says) && bad.body.contains("Er is niets opgeslagen."), "{says}: {}", bad.body);
        if rows.iter().any(|(k, v)| *k == "avail-0-days" && *v == "2") {
            assert!(
                bad.body.contains("name=\"avail-0-days\" value=\"2\" checked"),
                "the ticked day is kept: {}",
                bad.body
            );
        }
    }
    // Issue 29: a neighbour who drives on Tuesdays is not saved as "any day" because the
    // choice above still said "Altijd": refused, the field named, the Tuesday kept.
    let tuesdays = b
        .post(
            "/desk/participants",
            &[
                ("csrf", &csrf),
                ("name", "Fatima"),
                ("phone", "0612345699"),
                ("avail-mode", "always"),
                ("avail-0-days", "1"),
                ("avail-0-from", "10:00"),
                ("avail-0-to", "12:00"),
            ],
        )
        .await;
    assert_eq!(tuesdays.status, 400, "{}", tuesdays.body);
    assert!(
        tuesdays.body.contains("Beschikbaar: u vinkte dagen of tijden aan, maar koos &#39;Altijd&#39;.")
            || tuesdays.body.contains("Beschikbaar: u vinkte dagen of tijden aan, maar koos 'Altijd'."),
        "{}",
        tuesdays.body
    );
    assert!(
        tuesdays.body.contains("name=\"avail-0-days\" value=\"1\" checked")
            && tuesdays.body.contains("name=\"avail-0-from\" value=\"10:00\"")
            && tuesdays.body.contains("name=\"avail-0-to\" value=\"12:00\""),
        "Tuesday 10:00-12:00 is kept: {}",
        tuesdays.body
    );
    assert_eq!(app.snapshot().await, before, "nothing half-saved");

    let added = b
        .post(
            "/desk/participants",
            &[
                ("csrf", &csrf),
                ("name", "Fatima Yilmaz"),
                ("phone", "06 1234 5699"),
                ("street", "Molenweg"),
                ("postcode", "1234cd"),
                ("offers", "shopping"),
                ("offers", "company"),
                ("available", "ma-vr 09:00-12:00"),
                ("distance", "near"),
            ],
        )
        .await;
    assert_eq!(added.status, 303, "{}", added.body);
    let url = added.location.unwrap();
    let page = b.get(&url).await;
    assert!(
        page.body.contains("Toegevoegd")
            && page.body.contains("value=\"1234 CD\"")
            && page.body.contains("name=\"avail-0-days\" value=\"4\" checked")
            && !page.body.contains("name=\"avail-0-days\" value=\"5\" checked")
            && page.body.contains("name=\"avail-0-to\" value=\"12:00\""),
        "{}",
        page.body
    );
    let id: i64 = url.trim_start_matches("/desk/participants/").split('?').next().unwrap().parse().unwrap();

    // Fix her hours.
    let fields = |language: &'static str| {
        [
            ("name", "Fatima Yilmaz"),
            ("phone", "0612345699"),
            ("street", "Molenweg"),
            ("offers", "shopping"),
            ("available", "za 10:00-12:00"),
            ("distance", "any"),
            ("language", language),
        ]
    };
    let mut with_csrf = vec![("csrf", csrf.as_str())];
    with_csrf.extend(fields(""));
    let edit = b.post(&format!("/desk/participants/{id}"), &with_csrf).await;
    assert_eq!(edit.status, 303);
    let p = app.sandbox.state.switchboard.store.read(|c| burenlijn::store::participants::find(c, id)).unwrap().unwrap();
    assert_eq!(p.details.available.as_str(), "za 10:00-12:00");
    assert_eq!(p.details.offers, vec!["shopping"]);
    assert_eq!(p.details.language, None, "the neighbourhood's language unless chosen");
    // Her own language: Turkish is offered on the form (by its own name) and kept.
    let form = b.get(&format!("/desk/participants/{id}")).await.body;
    assert!(form.contains(r#"<option value="tr" lang="tr">Türkçe</option>"#), "{form}");
    let mut with_csrf = vec![("csrf", csrf.as_str())];
    with_csrf.extend(fields("tr"));
    assert_eq!(b.post(&format!("/desk/participants/{id}"), &with_csrf).await.status, 303);
    let lang = |app: &crate::support::TestApp| {
        app.sandbox
            .state
            .switchboard
            .store
            .read(|c| burenlijn::store::participants::find(c, id))
            .unwrap()
            .unwrap()
            .details
            .language
    };
    assert_eq!(lang(&app).as_deref(), Some("tr"));
    assert!(b
        .get(&format!("/desk/participants/{id}"))
        .await
        .body
        .contains(r#"<option value="tr" lang="tr" selected>Türkçe</option>"#));
    // A language the switchboard cannot speak is refused, and nothing changes.
    let mut bad = vec![("csrf", csrf.as_str())];
    bad.extend(fields("fr"));
    let refused = b.post(&format!("/desk/participants/{id}"), &bad).await;
    assert!(
        refused.status == 400 && refused.body.contains("Taal: 'fr' is geen taal van de centrale"),
        "{}",
        refused.body
    );
    assert_eq!(lang(&app).as_deref(), Some("tr"));
    // Taking someone else's number is refused.
    let taken =
        b.post(&format!("/desk/participants/{id}"), &[("csrf", &csrf), ("name", "Fatima"), ("phone", BERT)]).await;
    assert!(taken.status == 400 && taken.body.contains("iemand anders"));

    // Pause until a date, then resume.
    assert_eq!(
        b.post(
            &format!("/desk/participants/{id}/pause"),
            &[("csrf", &csrf), ("paused", "yes"), ("until", "2026-12-01")]
        )
        .await
        .status,
        303
    );
    let page = b.get(&format!("/desk/participants/{id}?msg=paused")).await;
    assert!(page.body.contains("Gepauzeerd") && page.body.contains("tot en met 01-12-2026"));
    let list = b.get("/desk/participants").await;
    assert!(list.body.contains("Gepauzeerd</span> tot en met 01-12-2026"), "the list says until when: {}", list.body);
    assert_eq!(
        b.post(&format!("/desk/participants/{id}/pause"), &[("csrf", &csrf), ("paused", "yes"), ("until", "morgen")])
            .await
            .status,
        400
    );
    // Tuesday 24 November: a pause that ended yesterday pauses nobody, and is refused.
    let before = app.snapshot().await;
    let past = b
        .post(&format!("/desk/participants/{id}/pause"), &[("csrf", &csrf), ("paused", "yes"), ("until", "2026-11-23")])
        .await;
    assert!(
        past.status == 400 && past.body.contains("Die datum is al voorbij: kies vandaag of later."),
        "{}",
        past.body
    );
    assert_eq!(app.snapshot().await, before);
    assert_eq!(
        b.post(&format!("/desk/participants/{id}/pause"), &[("csrf", &csrf), ("paused", "no")]).await.status,
        303
    );
    assert_eq!(
        b.post(&format!("/desk/participants/{id}/notes"), &[("csrf", &csrf), ("note", "Heeft een auto.")]).await.status,
        303
    );
    assert_eq!(b.post(&format!("/desk/participants/{id}/notes"), &[("csrf", &csrf), ("note", "  ")]).await.status, 400);
    assert!(b.get(&format!("/desk/participants/{id}")).await.body.contains("Heeft een auto."));
    assert_eq!(b.get("/desk/participants/abc").await.status, 404);
    assert_eq!(b.get("/desk/participants/9999").await.status, 404);

    // Every view and change is in the audit log, which a coordinator can read.
    let actions = app
        .count(Box::leak(
            format!("SELECT count(DISTINCT action) FROM audit_log WHERE participant_id = {id}").into_boxed_str(),
        ))
        .await;
    assert!(actions >= 5, "added, viewed, changed, paused, resumed, note: {actions}");
    let audit = b.get(&format!("/desk/audit?participant={id}")).await;
    for a in [
        "deelnemer toegevoegd",
        "deelnemer bekeken",
        "deelnemer gewijzigd",
        "deelnemer gepauzeerd",
        "deelnemer weer actief",
        "notitie toegevoegd",
    ] {
        assert!(audit.body.contains(a), "{a}: {}", audit.body);
    }
    // By name, not by number; views summed up per person per day.
    assert!(audit.body.contains(">Fatima Yilmaz</a>") && !audit.body.contains(">#"), "{}", audit.body);
    let views = app
        .count(Box::leak(
            format!("SELECT count(*) FROM audit_log WHERE participant_id = {id} AND action = 'viewed participant'")
                .into_boxed_str(),
        ))
        .await;
    assert!(views > 1, "viewed more than once: {views}");
    assert_eq!(audit.body.matches("deelnemer bekeken").count(), 1, "one line for Els's views today");
    assert!(
        audit.body.contains(&format!("deelnemer bekeken <span class=\"muted\">({views}×)</span>")),
        "{}",
        audit.body
    );
    // Filters: an account, a day.
    assert!(!b.get("/desk/audit?user=Piet").await.body.contains("deelnemer bekeken"), "Piet viewed nobody");
    assert!(b.get("/desk/audit?day=2026-11-24").await.body.contains("deelnemer toegevoegd"));
    assert!(!b.get("/desk/audit?day=2026-11-23").await.body.contains("deelnemer toegevoegd"));
    assert_eq!(b.get("/desk/audit?day=gisteren").await.status, 400);
    let search = b.get("/desk/participants?q=molen").await;
    assert!(
        search.body.contains("Fatima Yilmaz")
            && search.body.contains("Anja Bakker")
            && !search.body.contains("Bert Jansen")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn do_not_pair_is_a_silent_no() {
    let (app, mut b) = desk_app().await;
    let csrf = b.csrf().await;
    let jan = app.count("SELECT id FROM participants WHERE name = 'Jan de Vries'").await;
    let anja = app.count("SELECT id FROM participants WHERE name = 'Anja Bakker'").await;
    let done = b
        .post(
            &format!("/desk/participants/{jan}/apart"),
            &[("csrf", &csrf), ("other", &anja.to_string()), ("apart", "yes")],
        )
        .await;
    assert_eq!(done.status, 303);
    assert_eq!(
        b.post(
            &format!("/desk/participants/{jan}/apart"),
            &[("csrf", &csrf), ("other", &jan.to_string()), ("apart", "yes")]
        )
        .await
        .status,
        400
    );
    let report = app.call(JAN, Script::keys(&["1"]).helper(BERT, HelperAction::Accept)).await;
    assert!(!rung(&report).contains(&ANJA.to_string()), "Anja is never rung for Jan: {:?}", rung(&report));
    // Others still ring Anja.
    let report = app.call(DIRK, Script::keys(&["1"]).helper(ANJA, HelperAction::Accept)).await;
    assert_eq!(rung(&report)[0], ANJA);
    assert!(b.get(&format!("/desk/participants/{anja}")).await.body.contains("Jan de Vries"), "shown on both sides");
    assert_eq!(
        b.post(
            &format!("/desk/participants/{anja}/apart"),
            &[("csrf", &csrf), ("other", &jan.to_string()), ("apart", "no")]
        )
        .await
        .status,
        303
    );
    assert_eq!(app.count("SELECT count(*) FROM do_not_pair").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_is_all_or_nothing_and_export_is_the_clis_format() {
    let (app, mut b) = desk_app().await;
    let csrf = b.csrf().await;
    let before = app.snapshot().await;
    let bad = b.upload("/desk/participants/import", &csrf, "name,phone,offers,available,street,postcode,distance\nFatima,0612345699,shopping,,,,\nGert,06-1,shopping,,,,\nHenk,0612345698,knitting,,,,\n").await;
    assert_eq!(bad.status, 400);
    for said in [
        "regel 3: telefoon: '06-1' is geen geldig telefoonnummer",
        "regel 4: helpt_met: 'knitting' is geen soort hulp van deze buurten",
    ] {
        assert!(bad.body.contains(said), "in Dutch, with the line and the field's Dutch name: {said}: {}", bad.body);
    }
    assert_eq!(app.snapshot().await, before);
    // Issue 29: Dutch column names are read as well as English ones.
    let good = b
        .upload(
            "/desk/participants/import",
            &csrf,
            "Naam,Telefoon,Helpt met,Beschikbaar,Straat,Postcode,Afstand\nFatima,0612345699,shopping,di 10:00-12:00,Molenweg,,any\n",
        )
        .await;
    assert_eq!(good.location.as_deref(), Some("/desk/participants?msg=imported"));
    assert_eq!(
        app.count("SELECT count(*) FROM participants WHERE name = 'Fatima' AND available = 'di 10:00-12:00'").await,
        1
    );

    // The download is in the account's language, with a header row the import reads back.
    let csv = b.get("/desk/participants.csv").await;
    assert_eq!(csv.status, 200);
    assert!(csv.headers["content-disposition"].to_str().unwrap().contains("attachment"));
    assert!(csv.body.starts_with("naam,telefoon,helpt_met,beschikbaar,"), "{}", csv.body);
    let all = app.sandbox.state.switchboard.store.read(burenlijn::store::participants::list).unwrap();
    assert_eq!(csv.body, burenlijn::registry::export_dutch(&all).unwrap(), "as `participants export`, in Dutch");
    let again = b.upload("/desk/participants/import", &csrf, &csv.body).await;
    assert_eq!(again.location.as_deref(), Some("/desk/participants?msg=imported"), "{}", again.body);
    assert_eq!(app.count("SELECT count(*) FROM participants").await, all.len() as i64, "read back, nobody new");
    // In English, the CLI's own file.
    let english = b.post("/desk/language", &[("csrf", &csrf), ("language", "en"), ("back", "/desk/now")]).await;
    assert_eq!(english.status, 303);
    let csv = b.get("/desk/participants.csv").await;
    assert_eq!(csv.body, burenlijn::registry::export(&all).unwrap(), "the same file as `participants export`");
}

/// Issue 25: a name typed as a formula is a formula nowhere: the downloaded file holds it
/// behind a quote, and importing that file gives back exactly what was typed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_formula_typed_as_a_name_is_text_in_the_csv_and_imports_back_unchanged() {
    let (app, mut b) = desk_app().await;
    let csrf = b.csrf().await;
    let formula = "=HYPERLINK(\"http://evil\",\"x\")";
    let added = b
        .post(
            "/desk/participants",
            &[
                ("csrf", &csrf),
                ("name", formula),
                ("phone", "0612345699"),
                ("street", "@SUM(A1:A9)"),
                ("offers", "shopping"),
                ("distance", "any"),
            ],
        )
        .await;
    assert_eq!(added.status, 303, "{}", added.body);
    let csv = b.get("/desk/participants.csv").await;
    assert_eq!(csv.status, 200);
    let line = csv.body.lines().find(|l| l.contains("HYPERLINK")).expect("the planted name is exported");
    assert!(
        line.starts_with("\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\",'+31612345699,shopping,,'@SUM(A1:A9),"),
        "{line}"
    );
    for line in csv.body.lines().skip(1) {
        let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(line.as_bytes());
        for cell in reader.records().next().unwrap().unwrap().iter() {
            assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']), "a cell a spreadsheet would run: {line}");
        }
    }
    let list = || app.sandbox.state.switchboard.store.read(burenlijn::store::participants::list).unwrap();
    let details = |all: Vec<burenlijn::domain::participant::Participant>| {
        all.into_iter().map(|p| (p.details, p.neighbourhoods)).collect::<Vec<_>>()
    };
    let before = details(list());
    let imported = b.upload("/desk/participants/import", &csrf, &csv.body).await;
    assert_eq!(imported.location.as_deref(), Some("/desk/participants?msg=imported"), "{}", imported.body);
    assert_eq!(details(list()), before, "names, streets and phone numbers come back exactly");
    assert!(before.iter().any(|(d, _)| d.name == formula && d.street == "@SUM(A1:A9)"), "{before:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn erasing_a_person_removes_their_data_and_keeps_the_totals() {
    let (app, mut b) = desk_app().await;
    app.call(JAN, Script::keys(&["1"]).helper(ANJA, HelperAction::Decline).helper(BERT, HelperAction::Accept)).await;
    app.call(
        JAN,
        Script::keys(&["1"])
            .helper(ANJA, HelperAction::Decline)
            .helper(BERT, HelperAction::Decline)
            .helper(CARLA, HelperAction::Decline),
    )
    .await;
    let jan = app.count("SELECT id FROM participants WHERE name = 'Jan de Vries'").await;
    // Jan also waits to be called back (a request taken at the desk last year, still open,
    // so this year's totals below do not include it).
    let sb = app.sandbox.state.switchboard.clone();
    let number = sb.neighbourhoods.current().all().next().unwrap().dialplan.number.as_str().to_string();
    let phone = burenlijn::domain::phone::PhoneNumber::parse(JAN).unwrap();
    let now = burenlijn::clock::Clock::now(app.sandbox.clock.as_ref());
    let until = now + jiff::SignedDuration::from_hours(36);
    sb.store
        .write(|tx| {
            let taken = now - jiff::SignedDuration::from_hours(400 * 24);
            burenlijn::store::callbacks::open(tx, &number, None, Some(jan), &phone, "shopping", taken, until, now)
        })
        .unwrap();
    let figures_before = b.get("/desk/figures.csv?year=2026").await.body;
    let csrf = b.csrf().await;
    let confirm = b.get(&format!("/desk/participants/{jan}/erase")).await;
    assert!(confirm.body.contains("kan niet ongedaan"));
    assert_eq!(
        b.post(&format!("/desk/participants/{jan}/erase"), &[("csrf", &csrf)]).await.status,
        400,
        "not without ticking 'sure'"
    );
    assert_eq!(app.count("SELECT count(*) FROM participants").await, 6);
    let done = b.post(&format!("/desk/participants/{jan}/erase"), &[("csrf", &csrf), ("sure", "yes")]).await;
    assert_eq!(done.location.as_deref(), Some("/desk/participants?msg=erased"));

    assert_eq!(app.count("SELECT count(*) FROM participants").await, 5);
    let dump = app.snapshot().await;
    assert!(!dump.contains("+31201234567") && !dump.contains("Jan de Vries"), "{dump}");
    assert_eq!(
        app.count("SELECT count(*) FROM callback_requests WHERE status IN ('open', 'searching', 'calling')").await,
        0,
        "nobody is called back who was erased"
    );
    assert_eq!(app.count("SELECT count(*) FROM calls").await, 2, "the calls stay, without who made them");
    // Past the few minutes for which the figures of a period still going are reused.
    app.sandbox.clock.advance(301);
    assert_eq!(b.get("/desk/figures.csv?year=2026").await.body, figures_before, "the totals do not change");
    let calls = b.get("/desk/calls").await;
    assert!(!calls.body.contains("Jan de Vries") && !calls.body.contains("020 123"));
    // Bert, who helped Jan, is erased too: still one neighbour who helped, one resident helped.
    assert!(figures_before.contains("2026-11,Totaal,2,1,1,73,73,1,0,1"), "{figures_before}");
    let bert = app.count("SELECT id FROM participants WHERE name = 'Bert Jansen'").await;
    let done = b.post(&format!("/desk/participants/{bert}/erase"), &[("csrf", &csrf), ("sure", "yes")]).await;
    assert_eq!(done.status, 303);
    app.sandbox.clock.advance(301);
    assert_eq!(b.get("/desk/figures.csv?year=2026").await.body, figures_before, "the totals still do not change");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn figures_are_anonymous_totals_per_month_and_category() {
    let (app, mut b) = desk_app().await;
    app.call(JAN, Script::keys(&["1"]).helper(ANJA, HelperAction::NoAnswer).helper(BERT, HelperAction::Accept)).await;
    app.call(
        JAN,
        Script::keys(&["1"])
            .helper(ANJA, HelperAction::Decline)
            .helper(BERT, HelperAction::Decline)
            .helper(CARLA, HelperAction::Decline),
    )
    .await;
    app.call(ANJA, Script::keys(&["2", "1"]).helper(DIRK, HelperAction::Decline).helper(BERT, HelperAction::Accept))
        .await;
    app.call(
        DIRK,
        Script::keys(&["1"])
            .helper(BERT, HelperAction::Decline)
            .helper(CARLA, HelperAction::Decline)
            .helper(ANJA, HelperAction::Accept),
    )
    .await;
    let page = b.get("/desk/figures").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<svg") && page.body.contains("november 2026"));
    let csv = b.get("/desk/figures.csv").await;
    assert_eq!(csv.headers["content-type"], "text/csv; charset=utf-8");
    let lines: Vec<&str> = csv.body.lines().collect();
    assert_eq!(
        lines[0],
        "maand,hulp bij,gesprekken,buur gevonden,niet gevonden,wachttijd mediaan (s),wachttijd 9 op 10 binnen (s),buren die hielpen,vroegen en hielpen,bewoners geholpen"
    );
    let nov: Vec<&str> = lines.iter().copied().filter(|l| l.starts_with("2026-11,")).collect();
    // Bert helped twice and Anja once; Anja also asked (for transport). Jan, Anja and
    // Dirk were each put through once: three residents helped.
    assert!(nov[0].starts_with("2026-11,Totaal,4,3,1,"), "{nov:?}");
    assert!(nov[0].ends_with(",2,1,3"), "two helpers active, one who also asked, three helped: {nov:?}");
    assert!(nov.iter().any(|l| l.starts_with("2026-11,Boodschappen,3,2,1,") && l.ends_with(",2,0,2")), "{nov:?}");
    assert!(nov.iter().any(|l| l.starts_with("2026-11,Vervoer,1,1,0,") && l.ends_with(",1,1,1")), "{nov:?}");
    assert!(!csv.body.contains("2026-10,") && !csv.body.contains("2026-01,"), "no months of zeros: {}", csv.body);
    let english = {
        let csrf = b.csrf().await;
        b.post("/desk/language", &[("csrf", &csrf), ("language", "en"), ("back", "/desk/now")]).await;
        let csv = b.get("/desk/figures.csv").await.body;
        let csrf = b.csrf().await;
        b.post("/desk/language", &[("csrf", &csrf), ("language", "nl"), ("back", "/desk/now")]).await;
        csv
    };
    assert!(english.starts_with("month,help with,calls,matched,"), "in the account's language: {english}");
    assert!(english.contains("2026-11,Total,4,3,1,") && english.contains("2026-11,Shopping,3,2,1,"), "{english}");
    // Jan by his full name and surname: "Jan" alone is in month names (januari, Jan).
    for secret in ["Jan de Vries", "Vries", "Bert", "+31", "0201234567"] {
        assert!(!csv.body.contains(secret) && !page.body.contains(secret), "{secret}");
    }
    assert_eq!(b.get("/desk/figures?year=abc").await.status, 400);
    assert_eq!(b.get("/desk/figures.csv?year=3000").await.status, 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn coordinators_manage_users_and_the_last_coordinator_stays() {
    let (app, mut b) = desk_app().await;
    let csrf = b.csrf().await;
    for (name, role, password, why) in [
        ("", "desk", PASSWORD, "empty"),
        ("Mallory<script>", "desk", PASSWORD, "name may only"),
        ("Karin", "admin", PASSWORD, "Onbekende rol"),
        ("Karin", "desk", "kort", "Het wachtwoord moet minstens 10 tekens lang zijn"),
        ("piet", "desk", PASSWORD, "al een gebruiker"),
    ] {
        let page =
            b.post("/desk/users", &[("csrf", &csrf), ("name", name), ("role", role), ("password", password)]).await;
        assert_eq!(page.status, 400, "{name}");
        assert!(page.body.contains(why), "{why}: {}", page.body);
    }
    assert_eq!(app.count("SELECT count(*) FROM desk_users").await, 2);
    let added =
        b.post("/desk/users", &[("csrf", &csrf), ("name", "Karin"), ("role", "desk"), ("password", PASSWORD)]).await;
    assert_eq!(added.status, 303);
    let mut karin = Browser::login(&app, "Karin").await;
    assert_eq!(karin.get("/desk/now").await.status, 200);
    let els = app.count("SELECT id FROM desk_users WHERE name = 'Els'").await;
    // Nobody locks themselves out from the page: no button for it, and a forged form is refused.
    let users = b.get("/desk/users").await;
    let own_row =
        users.body.split("<td>Els <span class=\"muted\">(uzelf)</span>").nth(1).and_then(|r| r.split("</tr>").next());
    let own_row = own_row.unwrap_or_else(|| panic!("{}", users.body));
    assert!(!own_row.contains("value=\"disable\"") && !own_row.contains("value=\"make-desk\""), "{own_row}");
    assert!(
        users.body.contains("Karin kan dan niet meer inloggen. Weet u het zeker?"),
        "disabling asks once: {}",
        users.body
    );
    for action in ["disable", "make-desk"] {
        let before = app.snapshot().await;
        let own = b.post(&format!("/desk/users/{els}"), &[("csrf", &csrf), ("action", action)]).await;
        assert_eq!(own.status, 409, "{action}");
        assert!(
            own.body.contains("U kunt uw eigen account hier niet uitschakelen, balie maken of tot buurten beperken."),
            "{}",
            own.body
        );
        assert_eq!(app.snapshot().await, before, "{action} changed nothing");
    }
    let karin_id = app.count("SELECT id FROM desk_users WHERE name = 'Karin'").await;
    assert_eq!(b.post(&format!("/desk/users/{karin_id}"), &[("csrf", &csrf), ("action", "disable")]).await.status, 303);
    assert_eq!(karin.get("/desk/now").await.status, 303, "a disabled account is logged out at once");
    assert!(b.get("/desk/audit").await.body.contains("gebruiker uitgeschakeld"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn english_is_one_click_away() {
    let (_app, mut b) = desk_app().await;
    let csrf = b.csrf().await;
    let page = b.get("/desk/calls").await;
    assert!(page.body.contains("<html lang=\"nl\"") && page.body.contains("Gesprekken"));
    let switched = b.post("/desk/language", &[("csrf", &csrf), ("language", "en"), ("back", "/desk/calls")]).await;
    assert_eq!(switched.location.as_deref(), Some("/desk/calls"));
    let page = b.get("/desk/calls").await;
    assert!(
        page.body.contains("<html lang=\"en\"") && !page.body.contains("Older calls") && page.body.contains("Calls")
    );
    let off_site =
        b.post("/desk/language", &[("csrf", &csrf), ("language", "nl"), ("back", "https://evil.example/")]).await;
    assert_eq!(off_site.location.as_deref(), Some("/desk/now"));
}

/// Issue 25: the commonest passwords and trivial ones are refused, in Dutch on the users
/// page, saying what to do instead; the account page refuses them too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn common_and_trivial_passwords_are_refused_in_plain_words() {
    let (app, mut b) = desk_app().await;
    let csrf = b.csrf().await;
    let before = app.snapshot().await;
    for (password, says) in [
        ("Welkom2024!", "Dit wachtwoord is een van de meest gebruikte"),
        ("password12", "Dit wachtwoord is een van de meest gebruikte"),
        ("          ", "Dit wachtwoord is te makkelijk te raden"),
        ("aaaaaaaaaa", "Dit wachtwoord is te makkelijk te raden"),
        ("1234567890", "Dit wachtwoord is te makkelijk te raden"),
        ("Karin2024!", "Het wachtwoord mag niet de gebruikersnaam zijn"),
    ] {
        let page = b
            .post("/desk/users", &[("csrf", &csrf), ("name", "Karin"), ("role", "desk"), ("password", password)])
            .await;
        assert_eq!(page.status, 400, "{password:?}");
        assert!(
            page.body.contains(says)
                && page.body.contains("kies een korte zin die alleen u kent. Er is niets opgeslagen."),
            "{password:?}: {}",
            page.body
        );
    }
    let piet = app.count("SELECT id FROM desk_users WHERE name = 'Piet'").await;
    let page = b
        .post(&format!("/desk/users/{piet}"), &[("csrf", &csrf), ("action", "password"), ("password", "wachtwoord")])
        .await;
    assert!(page.status == 400 && page.body.contains("meest gebruikte"), "{}", page.body);
    let own = b
        .post(
            "/desk/account",
            &[("csrf", &csrf), ("current", PASSWORD), ("new", "qwertyuiop"), ("again", "qwertyuiop")],
        )
        .await;
    // The account page words it in the account's language (`Lang::password_problem`).
    assert_eq!(own.status, 400, "{}", own.body);
    assert!(
        own.body.contains("Dit wachtwoord is te makkelijk te raden")
            && own.body.contains("kies een korte zin die alleen u kent")
            && !own.body.contains("choose a short sentence only you know"),
        "{}",
        own.body
    );
    assert_eq!(app.snapshot().await, before, "no account added, no password changed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changing_ones_own_password_ends_the_session() {
    let (app, mut b) = desk_app().await;
    let csrf = b.csrf().await;
    let wrong = b
        .post(
            "/desk/account",
            &[
                ("csrf", &csrf),
                ("current", "niet goed wachtwoord"),
                ("new", "een nieuw lang wachtwoord"),
                ("again", "een nieuw lang wachtwoord"),
            ],
        )
        .await;
    assert_eq!(wrong.status, 400);
    let differ = b
        .post(
            "/desk/account",
            &[
                ("csrf", &csrf),
                ("current", PASSWORD),
                ("new", "een nieuw lang wachtwoord"),
                ("again", "een ander lang wachtwoord"),
            ],
        )
        .await;
    assert_eq!(differ.status, 400);
    let done = b
        .post(
            "/desk/account",
            &[
                ("csrf", &csrf),
                ("current", PASSWORD),
                ("new", "een nieuw lang wachtwoord"),
                ("again", "een nieuw lang wachtwoord"),
            ],
        )
        .await;
    assert_eq!(done.location.as_deref(), Some("/desk/login?changed=1"));
    assert_eq!(b.get("/desk/now").await.status, 303);
    let mut again = Browser::new(&app);
    let csrf = again.get("/desk/login").await.csrf();
    assert_eq!(
        again
            .post(
                "/desk/login",
                &[("name", "Els"), ("password", "een nieuw lang wachtwoord"), ("csrf", &csrf), ("next", "")]
            )
            .await
            .status,
        303
    );
}

// Voicemail playback (from our own copy) is tested in `recordings.rs`.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_next_morning_the_now_page_says_what_happened_since_the_last_visit() {
    let (app, mut first) = desk_app().await;
    assert!(!first.get("/desk/now").await.body.contains("Sinds uw vorige keer"), "a first visit has no 'since'");
    app.call(JAN, Script::keys(&["1"]).helper(ANJA, HelperAction::Accept)).await;
    app.call(
        DIRK,
        Script::keys(&["1"])
            .helper(ANJA, HelperAction::Decline)
            .helper(BERT, HelperAction::Decline)
            .helper(CARLA, HelperAction::Decline),
    )
    .await;
    app.sandbox.clock.advance(20 * 3600);
    let mut next_day = Browser::login(&app, "Els").await;
    let now = next_day.get("/desk/now").await;
    assert!(
        now.body.contains("Sinds uw vorige keer (di 24-11-2026 10:15): <strong>2</strong> gesprekken"),
        "{}",
        now.body
    );
    assert!(now.body.contains("href=\"/desk/calls?from=2026-11-24\""));
    assert!(now.body.contains("1 persoon wacht bij Opvolgen"), "one, in the singular");
    // One call more by the morning after: in the singular too.
    app.call(JAN, Script::keys(&["1"]).helper(ANJA, HelperAction::Accept)).await;
    app.sandbox.clock.advance(20 * 3600);
    let now = Browser::login(&app, "Els").await.get("/desk/now").await;
    assert!(now.body.contains("<strong>1</strong> gesprek. "), "{}", now.body);
}

/// The register as the desk reads it: a phone column, filters by kind of help and by who
/// can be rung now, the longest-not-asked first, a postcode finds that postcode only, and
/// a person's page lists their calls and when they joined.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_register_is_filtered_sorted_and_shows_each_persons_calls() {
    let (app, mut b) = desk_app().await;
    app.call(
        JAN,
        Script::keys(&["1"])
            .helper(ANJA, HelperAction::Decline)
            .helper(BERT, HelperAction::Decline)
            .helper(CARLA, HelperAction::Decline),
    )
    .await;
    let names = |body: &str| -> Vec<String> {
        body.split("<a href=\"/desk/participants/")
            .skip(1)
            .filter_map(|s| s.split_once("\">"))
            .filter(|(id, _)| id.chars().all(|c| c.is_ascii_digit()))
            .map(|(_, rest)| rest.split('<').next().unwrap().to_string())
            .collect()
    };
    let all = b.get("/desk/participants").await;
    assert!(all.body.contains("<a href=\"tel:+31610000001\">06 10000001</a>"), "a phone column: {}", all.body);
    for (query, expected) in [
        ("offers=transport", vec!["Bert Jansen", "Dirk Visser"]),
        // Tuesday 10:15: Els only on Saturdays, Jan offers nothing.
        ("status=ringable", vec!["Anja Bakker", "Bert Jansen", "Carla Smit", "Dirk Visser"]),
        ("status=paused", vec![]),
        // Jan's number holds 1234 too; a postcode finds the postcode only.
        ("q=1234+CD", vec!["Anja Bakker"]),
        ("q=1234cd", vec!["Anja Bakker"]),
        ("q=567", vec![]),
        ("q=1234567", vec!["Jan de Vries"]),
        // Never asked first (by name), then the longest ago.
        (
            "sort=last-asked",
            vec!["Dirk Visser", "Els de Boer", "Jan de Vries", "Anja Bakker", "Bert Jansen", "Carla Smit"],
        ),
    ] {
        let page = b.get(&format!("/desk/participants?{query}")).await;
        assert_eq!(page.status, 200);
        assert_eq!(names(&page.body), expected, "{query}");
    }
    let jan = app.count("SELECT id FROM participants WHERE name = 'Jan de Vries'").await;
    let page = b.get(&format!("/desk/participants/{jan}")).await;
    assert!(page.body.contains("Ingeschreven op di 24-11-2026") && page.body.contains("vroeg hulp"), "{}", page.body);
    let anja = app.count("SELECT id FROM participants WHERE name = 'Anja Bakker'").await;
    assert!(b.get(&format!("/desk/participants/{anja}")).await.body.contains("werd gebeld om te helpen"));
    let dirk = app.count("SELECT id FROM participants WHERE name = 'Dirk Visser'").await;
    assert!(b.get(&format!("/desk/participants/{dirk}")).await.body.contains("Nog geen gesprekken."));
}

/// The cells of an Excel download's first sheet, as text, row by row.
pub fn xlsx_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    use calamine::{open_workbook_from_rs, Reader, Xlsx};
    let mut book: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).expect("an Excel file");
    let sheet = book.worksheet_range_at(0).expect("a sheet").expect("readable");
    sheet.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
}

/// Figures for a funder: a quarter or any days, the desk's follow-up results and the
/// residents helped, as CSV, as an Excel file read back here, and as a report to print.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn figures_cover_any_period_and_download_as_excel() {
    let (app, mut b) = desk_app().await;
    app.call(JAN, Script::keys(&["1"]).helper(ANJA, HelperAction::Accept)).await;
    app.call(
        DIRK,
        Script::keys(&["1"])
            .helper(ANJA, HelperAction::Decline)
            .helper(BERT, HelperAction::Decline)
            .helper(CARLA, HelperAction::Decline),
    )
    .await;
    let id = app.count("SELECT id FROM follow_ups").await;
    let csrf = b.csrf().await;
    b.post(&format!("/desk/follow-up/{id}/close"), &[("csrf", &csrf), ("result", "referred-to-wmo")]).await;

    let page = b.get("/desk/figures?quarter=2026-4").await;
    assert_eq!(page.status, 200);
    for shown in [
        "1 oktober 2026 t/m 24 november 2026",
        "<strong>1</strong><br>verschillende bewoners geholpen",
        "<td>Doorverwezen naar het Wmo-loket</td><td class=\"num\">1</td>",
        "href=\"/desk/figures.xlsx?quarter=2026-4\"",
    ] {
        assert!(page.body.contains(shown), "{shown}: {}", page.body);
    }
    assert!(!page.body.contains("oktober 2026</th>"), "October had no calls: no row of zeros");

    let xlsx = b.get("/desk/figures.xlsx?quarter=2026-4").await;
    assert_eq!(xlsx.status, 200);
    assert_eq!(xlsx.headers["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    assert!(xlsx.headers["content-disposition"]
        .to_str()
        .unwrap()
        .contains("burenlijn-cijfers-2026-10-01-2026-11-24.xlsx"));
    let bytes = b
        .http
        .get(format!("{}/desk/figures.xlsx?quarter=2026-4", b.base))
        .header("Cookie", format!("burenlijn_desk={}", b.cookies["burenlijn_desk"]))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let rows = xlsx_rows(&bytes);
    assert_eq!(rows[0][0], "Burenlijn · Cijfers");
    assert_eq!(rows[1][0], "Periode: 1 oktober 2026 t/m 24 november 2026");
    assert_eq!(rows[3][..4], ["maand", "hulp bij", "gesprekken", "buur gevonden"]);
    assert_eq!(rows[4][..5], ["2026-11", "Totaal", "2", "1", "1"], "{rows:?}");
    let wmo = rows.iter().find(|r| r[0] == "Doorverwezen naar het Wmo-loket").unwrap_or_else(|| panic!("{rows:?}"));
    assert_eq!(wmo[2], "1");
    // Issue 29: the period's headline figures, as on the page.
    let at = rows.iter().position(|r| r[0] == "De periode in het kort").unwrap_or_else(|| panic!("{rows:?}"));
    assert_eq!(rows[at + 1][..3], ["gesprekken", "", "2"], "{rows:?}");
    assert_eq!(rows[at + 2][..3], ["keer een buur gevonden", "", "1"], "{rows:?}");

    // Any days; a period outside the calls has none.
    let csv = b.get("/desk/figures.csv?from=2026-11-01&until=2026-11-30").await;
    assert!(csv.body.contains("2026-11,Totaal,2,1,1,"), "{}", csv.body);
    let empty = b.get("/desk/figures?from=2026-10-01&until=2026-10-31").await;
    assert!(empty.body.contains("In deze periode waren er geen gesprekken."), "{}", empty.body);
    let print = b.get("/desk/figures/print?quarter=2026-4").await;
    assert!(print.body.contains("Burenlijn · Cijfers") && print.body.contains("class=\"no-print\""), "{}", print.body);
    for (query, says) in [
        ("quarter=2026-7", "Geen geldig kwartaal"),
        ("from=2026-11-01", "Vul twee datums in"),
        ("from=2026-11-10&until=2026-11-01", "De einddatum ligt voor de begindatum"),
        ("year=1999", "Geen geldig jaar."),
    ] {
        for route in ["/desk/figures", "/desk/figures.csv", "/desk/figures.xlsx", "/desk/figures/print"] {
            let refused = b.get(&format!("{route}?{query}")).await;
            assert_eq!(refused.status, 400, "{route}?{query}");
            assert!(refused.body.contains(says), "{route}?{query}: {}", refused.body);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_log_words_typed_details_in_dutch_and_shows_what_it_cannot_read_as_stored() {
    let (app, mut b) = desk_app().await;
    let csrf = b.csrf().await;
    let added =
        b.post("/desk/users", &[("csrf", &csrf), ("name", "Karin"), ("role", "desk"), ("password", PASSWORD)]).await;
    assert_eq!(added.status, 303);
    assert_eq!(
        app.count("SELECT count(*) FROM audit_log WHERE action = 'added user' AND detail = 'Karin (desk, all)'").await,
        1,
        "stored as it always was"
    );
    // An action a newer version wrote, and an older row's detail in a shape no longer written.
    let st = app.sandbox.state.clone();
    tokio::task::spawn_blocking(move || {
        st.switchboard
            .store
            .write(|tx| {
                tx.execute(
                    "INSERT INTO audit_log (at, user_name, action, participant_id, detail) VALUES
                     (1, 'Els', 'teleported participant', NULL, 'to the moon'),
                     (2, 'Els', 'added user', NULL, 'Wim (coordinator)')",
                    [],
                )?;
                Ok(())
            })
            .unwrap();
    })
    .await
    .unwrap();
    let audit = b.get("/desk/audit").await;
    assert_eq!(audit.status, 200);
    assert!(audit.body.contains("Karin (balie, alle buurten)"), "{}", audit.body);
    assert!(!audit.body.contains("Karin (desk, all)"), "{}", audit.body);
    assert!(audit.body.contains("teleported participant") && audit.body.contains("to the moon"), "{}", audit.body);
    assert!(audit.body.contains("Wim (coordinator)"), "{}", audit.body);
    let rows = audit.body.matches("gebruiker toegevoegd").count();
    assert_eq!(rows, 2, "Karin's and Wim's, and the unknown word as no other action: {}", audit.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_desk_form_refuses_a_wrong_csrf_token_before_it_reads_the_form() {
    let (app, mut b) = desk_app().await;
    app.call(JAN, Script::keys(&["1"]).helper(ANJA, HelperAction::Decline).helper(BERT, HelperAction::Decline)).await;
    let before = app.snapshot().await;
    let audit_before = app.count("SELECT count(*) FROM audit_log").await;
    // The import's multipart body checks its own token (held in the test above).
    let posts = ROUTES.iter().filter(|(m, p)| *m == "POST" && *p != "/desk/participants/import");
    let mut tried = 0;
    for (_, route) in posts {
        let path = route.replace("{id}", "1");
        // A field no form has, and one that a form would read as a choice.
        let page = b.post(&path, &[("csrf", "wrong"), ("action", "disable"), ("unknown", "x")]).await;
        assert_eq!(page.status, 403, "{path}");
        assert!(page.body.contains("Er is niets opgeslagen"), "{path}: {}", page.body);
        tried += 1;
    }
    assert_eq!(tried, ROUTES.iter().filter(|(m, _)| *m == "POST").count() - 1);
    assert_eq!(app.snapshot().await, before);
    assert_eq!(app.count("SELECT count(*) FROM audit_log").await, audit_before);
    assert_eq!(b.get("/desk/now").await.status, 200, "still logged in");
}
