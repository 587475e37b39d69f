//! The follow-up page as a helpdesk's work queue: one line per person, filters, "not
//! reached" with a day to try again, assigning, closing all of a person's calls at once,
//! reopening, and a printable day list.

use burenlijn::sim::people::{HelperAction, Script};

use crate::desk_support::*;
use crate::support::*;

/// Nobody can help with shopping (Tuesday morning: the desk is open, so the call ends
/// with a follow-up "nobody found").
fn nobody_helps() -> Script {
    Script::keys(&["1"])
        .helper(ANJA, HelperAction::Decline)
        .helper(BERT, HelperAction::Decline)
        .helper(CARLA, HelperAction::Decline)
}

/// The people listed, by their element ids.
fn people(body: &str) -> Vec<String> {
    body.split("<li id=\"person-").skip(1).map(|s| s.split('"').next().unwrap().to_string()).collect()
}

/// A person's line (from their element to the next).
fn line_of<'a>(body: &'a str, key: &str) -> &'a str {
    let start = body.find(&format!("<li id=\"person-{key}\"")).unwrap_or_else(|| panic!("{key} is listed: {body}"));
    let rest = &body[start..];
    &rest[..rest[1..].find("<li id=\"person-").map(|i| i + 1).unwrap_or(rest.len())]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_follow_up_queue_works_like_a_helpdesk() {
    let (app, mut b) = desk_app().await;
    app.call(JAN, nobody_helps()).await;
    app.call(JAN, nobody_helps()).await;
    app.call(DIRK, nobody_helps()).await;
    let jan = format!("p{}", app.count("SELECT id FROM participants WHERE name = 'Jan de Vries'").await);
    let dirk = format!("p{}", app.count("SELECT id FROM participants WHERE name = 'Dirk Visser'").await);
    let page = b.get("/desk/follow-up").await;
    assert_eq!(people(&page.body), vec![jan.clone(), dirk.clone()], "one line per person, the oldest first");
    let line = line_of(&page.body, &jan);
    for shown in [
        "2 gesprekken",
        "href=\"tel:+31201234567\"",
        "020 123 4567",
        "Is de hulp nog nodig?",
        "Gezegd:</strong> De beller hoorde dat er nu niemand gevonden is.",
        "<span class=\"status amber\">Vandaag</span>",
    ] {
        assert!(line.contains(shown), "Jan's line shows {shown}: {line}");
    }
    let newest = app
        .count("SELECT max(f.id) FROM follow_ups f JOIN calls c USING (call_sid) WHERE c.from_number = '+31201234567'")
        .await;
    let dirks = app
        .count("SELECT f.id FROM follow_ups f JOIN calls c USING (call_sid) WHERE c.from_number = '+31610000004'")
        .await;
    assert!(line.contains(&format!("/desk/follow-up/{newest}/close")), "its forms act on the newest call");

    // Filters and search.
    for (query, expected) in [
        ("q=dirk", vec![dirk.clone()]),
        ("q=123+4567", vec![jan.clone()]),
        ("q=Kerkstraat", vec![jan.clone()]),
        ("reason=voicemail", vec![]),
        ("reason=unmatched&category=shopping", vec![jan.clone(), dirk.clone()]),
        ("category=transport", vec![]),
        ("mine=1", vec![]),
        ("overdue=1", vec![]),
    ] {
        let got = b.get(&format!("/desk/follow-up?{query}")).await;
        assert_eq!(got.status, 200);
        assert_eq!(people(&got.body), expected, "{query}");
    }
    assert!(b.get("/desk/follow-up?q=zwob").await.body.contains("Niemand past bij deze filters."));

    // Not reached: counted, tried again tomorrow; both of Jan's calls stay open.
    let csrf = page.csrf();
    let path = format!("/desk/follow-up/{newest}/not-reached");
    let before = app.snapshot().await;
    for day in ["2026-11-20", "", "morgen", "2027-06-01"] {
        let refused = b.post(&path, &[("csrf", &csrf), ("day", day)]).await;
        assert_eq!(refused.status, 400, "{day}");
        assert!(refused.body.contains("Opnieuw proberen op: kies vandaag of later"), "{}", refused.body);
    }
    // A refusal says the note back: nothing typed is lost.
    let refused = b.post(&path, &[("csrf", &csrf), ("day", ""), ("note", "Dochter nam op")]).await;
    assert!(refused.body.contains("Uw notitie: Dochter nam op"), "{}", refused.body);
    assert_eq!(app.snapshot().await, before, "nothing saved");
    // The menu counts people, as the page does: Jan (two calls) and Dirk.
    assert!(page.body.contains("aria-label=\"2 personen\""), "{}", page.body);
    assert!(page.body.contains("<strong>2</strong> personen"), "{}", page.body);
    let back = format!("/desk/follow-up?q=Jan&saved=1#person-{jan}");
    let done = b
        .post(
            &path,
            &[("csrf", &csrf), ("day", "2026-11-25"), ("note", "Dochter nam op, na 15 uur bellen."), ("back", &back)],
        )
        .await;
    assert_eq!(done.location.as_deref(), Some(back.as_str()), "back where the coordinator was");
    let elsewhere = b.post(&path, &[("csrf", &csrf), ("day", "2026-11-25"), ("back", "https://example.com/")]).await;
    assert_eq!(elsewhere.location.as_deref(), Some("/desk/follow-up?saved=1"), "only back to the follow-up page");
    assert_eq!(
        app.count(
            "SELECT count(*) FROM follow_ups WHERE tries = 2 AND try_again_on = '2026-11-25' AND closed_at IS NULL"
        )
        .await,
        2
    );
    assert_eq!(app.count("SELECT count(*) FROM audit_log WHERE action = 'not reached on call back'").await, 2);
    let line_page = b.get("/desk/follow-up").await;
    let line = line_of(&line_page.body, &jan);
    assert!(line.contains("2× niet bereikt") && line.contains("Vanaf wo 25-11"), "{line}");
    assert!(
        line.contains("Niet bereikt, opnieuw proberen op wo 25-11. Notitie: Dochter nam op, na 15 uur bellen."),
        "the steps are shown, with the note on the try: {line}"
    );
    assert_eq!(
        line.matches("Notitie: Dochter nam op").count(),
        1,
        "a step on the person is shown once, not once per call: {line}"
    );
    assert_eq!(people(&line_page.body), vec![dirk.clone(), jan.clone()], "Jan waits for tomorrow, Dirk is for today");

    // Assigned to Piet: his, not Els's.
    let piet = app.count("SELECT id FROM desk_users WHERE name = 'Piet'").await.to_string();
    let assigned = b.post(&format!("/desk/follow-up/{dirks}/assign"), &[("csrf", &csrf), ("to", &piet)]).await;
    assert_eq!(assigned.status, 303, "{}", assigned.body);
    assert_eq!(b.post(&format!("/desk/follow-up/{dirks}/assign"), &[("csrf", &csrf), ("to", "999")]).await.status, 400);
    assert!(line_of(&b.get("/desk/follow-up").await.body, &dirk).contains("bij Piet"));
    assert!(people(&b.get("/desk/follow-up?mine=1").await.body).is_empty(), "not Els's");
    let mut piets = Browser::login(&app, "Piet").await;
    assert_eq!(people(&piets.get("/desk/follow-up?mine=1").await.body), vec![dirk.clone()]);

    // Two days later, neither was called back: both overdue.
    app.sandbox.clock.advance(2 * 24 * 3600);
    let mut b = Browser::login(&app, "Els").await;
    let csrf = b.csrf().await;
    let late = b.get("/desk/follow-up?overdue=1").await;
    assert_eq!(people(&late.body), vec![jan.clone(), dirk.clone()], "both overdue, the oldest first: {}", late.body);
    assert!(line_of(&late.body, &dirk).contains("<span class=\"status red\">Te laat</span>"));

    // The day list: one line per person, with the number.
    let print = b.get("/desk/follow-up/print").await;
    assert_eq!(print.body.matches("<td class=\"notes\">").count(), 2, "{}", print.body);
    assert!(print.body.contains("020 123 4567") && print.body.contains("06 10000004"), "{}", print.body);

    // Closing Jan closes both of his calls.
    let closed = b
        .post(
            &format!("/desk/follow-up/{newest}/close"),
            &[
                ("csrf", &csrf),
                ("result", "referred-to-wmo"),
                ("note", "Wmo-loket belt hem."),
                ("back", &format!("/desk/follow-up?closed=1#person-{dirk}")),
            ],
        )
        .await;
    assert_eq!(closed.location, Some(format!("/desk/follow-up?closed=1#person-{dirk}")));
    assert_eq!(
        app.count("SELECT count(*) FROM follow_ups WHERE result = 'referred-to-wmo' AND closed_by = 'Els'").await,
        2
    );
    assert_eq!(
        app.count("SELECT count(*) FROM notes WHERE text = 'Wmo-loket belt hem.'").await,
        1,
        "the note is kept once"
    );
    assert_eq!(people(&b.get("/desk/follow-up").await.body), vec![dirk.clone()]);

    // Reopened from the closed list: open again, with its history.
    let closed_list = b.get("/desk/follow-up?view=closed").await;
    assert_eq!(closed_list.body.matches("/reopen\"").count(), 2, "{}", closed_list.body);
    let reopen = format!("/desk/follow-up/{newest}/reopen");
    assert_eq!(b.post(&reopen, &[("csrf", &csrf)]).await.status, 303);
    assert_eq!(b.post(&reopen, &[("csrf", &csrf)]).await.status, 409, "open already");
    let page = b.get("/desk/follow-up").await;
    let line = line_of(&page.body, &jan);
    assert!(line.contains("Heropend") && line.contains("Afgehandeld: Doorverwezen"), "{line}");
    assert_eq!(app.count("SELECT count(*) FROM audit_log WHERE action = 'reopened follow-up'").await, 1);
    // The audit log says it in the account's language.
    let audit = b.get("/desk/audit").await;
    for said in [
        "opvolging afgehandeld",
        &format!("#{newest}: Doorverwezen naar het Wmo-loket"),
        "opvolging heropend",
        "niet bereikt bij terugbellen",
    ] {
        assert!(audit.body.contains(said), "{said}: {}", audit.body);
    }
    // And in the person's own history.
    let own = b.get(&format!("/desk/participants/{}", &jan[1..])).await;
    for step in
        ["Niet bereikt, opnieuw proberen op wo 25-11", "Afgehandeld: Doorverwezen naar het Wmo-loket", "Heropend"]
    {
        assert!(own.body.contains(step), "Jan's page shows {step}: {}", own.body);
    }
}

/// The menu's count of open follow-ups is kept up to date on every page: a call nobody
/// could help adds one, closing it (in another browser) takes it away.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_open_count_in_the_menu_updates_live() {
    let (app, mut b) = desk_app().await;
    let page = b.get("/desk/participants").await;
    assert!(page.body.contains("data-events=\"/desk/now/events\""), "every page listens");
    assert!(page.body.contains("id=\"open-count\" hidden"), "no count shown when nothing is open: {}", page.body);
    let mut events = b
        .http
        .get(format!("{}/desk/now/events", b.base))
        .header("Cookie", format!("burenlijn_desk={}", b.cookies["burenlijn_desk"]))
        .send()
        .await
        .unwrap();
    let mut seen = String::new();
    async fn read_until(events: &mut reqwest::Response, seen: &mut String, want: &str) {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
        while !seen.contains(want) {
            let chunk = tokio::time::timeout_at(deadline, events.chunk())
                .await
                .unwrap_or_else(|_| panic!("{want} arrives; so far: {seen}"))
                .unwrap()
                .unwrap();
            seen.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
    app.call(JAN, nobody_helps()).await;
    read_until(&mut events, &mut seen, "event: follow-ups\ndata: 1\n").await;
    let id = app.count("SELECT id FROM follow_ups").await;
    let mut piet = Browser::login(&app, "Piet").await;
    let csrf = piet.csrf().await;
    let closed = piet.post(&format!("/desk/follow-up/{id}/close"), &[("csrf", &csrf), ("result", "other")]).await;
    assert_eq!(closed.status, 303);
    read_until(&mut events, &mut seen, "event: follow-ups\ndata: 0\n").await;
}

/// Issue 29: a hang-up in the first seconds of the menu (a pocket dial, or a caller who
/// changed their mind) is counted as a call, but asks the desk for nothing; one that heard
/// the menu and then hung up is called back. Where the line is: `POCKET_DIAL_SECONDS`,
/// docs/desk.md.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pocket_dial_is_counted_but_not_called_back() {
    let (app, mut b) = desk_app().await;
    let em = &app.sandbox.emulator;
    let form = |sid: &str, status: &str| {
        pairs(&[
            ("CallSid", sid),
            ("From", DIRK),
            ("To", SWITCHBOARD),
            ("CallStatus", status),
            ("Direction", "inbound"),
        ])
    };
    let voice = em.voice_url().clone();
    for (sid, seconds) in [("CApocketpocketpocket01", 1), ("CAthoughtthoughtthou02", 40)] {
        let (status, _) = em.post(&voice, &form(sid, "in-progress")).await.unwrap();
        assert_eq!(status, 200);
        app.sandbox.clock.advance(seconds);
        let (status, _) = em.post(&em.status_url(), &form(sid, "completed")).await.unwrap();
        assert_eq!(status, 200);
    }
    assert_eq!(app.count("SELECT count(*) FROM calls WHERE outcome = 'abandoned'").await, 2, "both are counted");
    assert_eq!(
        app.count("SELECT count(*) FROM follow_ups f JOIN calls c USING (call_sid) WHERE c.call_sid = 'CAthoughtthoughtthou02' AND f.reason = 'abandoned'").await,
        1,
        "the one who heard the menu is called back"
    );
    assert_eq!(app.count("SELECT count(*) FROM follow_ups").await, 1, "the pocket dial asks the desk for nothing");
    let page = b.get("/desk/follow-up").await;
    assert_eq!(people(&page.body).len(), 1, "{}", page.body);
    let calls = b.get("/desk/calls").await;
    assert!(calls.body.contains("CApocketpocketpocket01"), "the pocket dial is in the calls list");
}
