//! The desk's page for help for later (issue 28) through the real HTTP server, in the
//! switchboard's ordinary ringing mode (not waves): a refused request names its field,
//! says what is possible, keeps what was typed and changes nothing; a request taken shows
//! on the day list without a neighbour; a match by hand and a cancellation; an account of
//! another neighbourhood sees none of it.

use burenlijn::domain::desk::Role;
use burenlijn::sim::Sandbox;

use crate::desk_support::*;
use crate::support::*;

/// Monday 7 December 2026, 10:00.
const MONDAY_TEN: &str = "2026-12-07T10:00:00+01:00";

/// The example neighbourhood as shipped (not in waves): transport and odd jobs are
/// plannable a day ahead.
pub(crate) async fn plannable_app() -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("example.toml"), burenlijn::config::EXAMPLE_DIALPLAN).unwrap();
    let hoods = burenlijn::config::load(Some(dir.path()), None).unwrap();
    let sandbox =
        Sandbox::start(None, hoods, MONDAY_TEN.parse().unwrap(), Some(PARTICIPANTS.to_string())).await.unwrap();
    TestApp { sandbox }
}

fn take<'a>(csrf: &'a str, from: &'a str, day: &'a str, time: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("from", from),
        ("kind", "transport"),
        ("day", day),
        ("time", time),
        ("note", "naar het ziekenhuis"),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_request_names_the_field_says_what_is_possible_and_keeps_what_was_typed() {
    let app = plannable_app().await;
    add_user(&app, "Els", Role::Coordinator).await;
    let mut b = Browser::login(&app, "Els").await;
    let csrf = b.csrf().await;
    let page = b.get("/desk/planned").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Er is nog geen hulp voor later gevraagd."), "{}", page.body);
    assert!(page.body.contains("<option value=\"transport\""), "transport may be planned: {}", page.body);

    let before = app.snapshot().await;
    let cases = [
        (
            take(&csrf, "020-1234567", "2026-12-07", "15:00"),
            "Dag en tijd: deze hulp moet minstens 24 uur van tevoren gevraagd worden. Het vroegst mogelijke is di 08-12 10:00.",
        ),
        (
            take(&csrf, "020-1234567", "2026-12-25", "10:00"),
            "Dag en tijd: hoogstens 14 dagen vooruit. Het laatst mogelijke is ma 21-12 10:00.",
        ),
        (take(&csrf, "020-1234567", "2026-12-06", "10:00"), "Dag en tijd: dat moment is al voorbij."),
        (take(&csrf, "020-1234567", "", "10:00"), "Dag en tijd: vul een dag en een tijd in."),
        (
            take(&csrf, "020-7654321", "2026-12-08", "10:00"),
            "Telefoonnummer van de bewoner: dit nummer staat niet bij de deelnemers.",
        ),
        (take(&csrf, "nul twintig", "2026-12-08", "10:00"), "Telefoonnummer van de bewoner: dit is geen geldig nummer."),
    ];
    for (form, says) in cases {
        let got = b.post("/desk/planned", &form).await;
        assert_eq!(got.status, 400, "{says}");
        assert!(got.body.contains(says), "says {says:?}: {}", got.body);
        // What was typed is there again.
        let from = form[1].1;
        assert!(got.body.contains(&format!("value=\"{from}\"")), "keeps {from}");
        assert!(got.body.contains("value=\"naar het ziekenhuis\""), "keeps the note");
        assert!(got.body.contains(&format!("value=\"{}\"", form[4].1)), "keeps the time");
    }
    let mut shopping = take(&csrf, "020-1234567", "2026-12-08", "10:00");
    shopping[2] = ("kind", "shopping");
    let got = b.post("/desk/planned", &shopping).await;
    assert!(got.body.contains("Hulp bij: deze hulp kan in deze buurt niet vooruit gevraagd worden."), "{}", got.body);
    assert_eq!(app.snapshot().await, before, "a refused request changes nothing");

    // In English, the same refusal in English.
    let english = b.post("/desk/language", &[("csrf", &csrf), ("language", "en"), ("back", "/desk/planned")]).await;
    assert_eq!(english.status, 303);
    let got = b.post("/desk/planned", &take(&csrf, "020-1234567", "2026-12-07", "15:00")).await;
    assert!(
        got.body.contains("Day and time: this kind of help must be asked for at least 24 hours ahead. The earliest possible is Tue 08-12 10:00."),
        "{}",
        got.body
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn taken_matched_by_hand_and_cancelled_at_the_desk_and_unseen_by_another_neighbourhood() {
    let app = plannable_app().await;
    add_user(&app, "Els", Role::Coordinator).await;
    add_user_in(&app, "Hanna", Role::Coordinator, &["elders"]).await;
    let mut b = Browser::login(&app, "Els").await;
    let csrf = b.csrf().await;
    let done = b.post("/desk/planned", &take(&csrf, "020-1234567", "2026-12-08", "10:00")).await;
    assert_eq!((done.status, done.location.as_deref()), (303, Some("/desk/planned?saved=taken")), "{}", done.body);
    assert_eq!(
        app.text("SELECT status || ' ' || at || ' ' || note FROM planned_requests").await,
        "asking 2026-12-08T10:00:00 naar het ziekenhuis"
    );
    let page = b.get("/desk/planned?saved=taken").await;
    assert!(page.body.contains("Het verzoek is aangenomen."));
    assert!(page.body.contains("Morgen · di 08-12"), "{}", page.body);
    assert!(page.body.contains("Jan de Vries") && page.body.contains("Zoekt een buur"));
    // Who may be matched: those who drive, not Jan himself.
    assert!(page.body.contains(">Dirk Visser</option>") && page.body.contains(">Bert Jansen</option>"));
    assert!(!page.body.contains(">Jan de Vries</option>"));

    // Another neighbourhood's account: not on its page, not by its id.
    let mut h = Browser::login(&app, "Hanna").await;
    let hanna_csrf = h.csrf().await;
    let theirs = h.get("/desk/planned").await;
    assert_eq!(theirs.status, 200);
    assert!(!theirs.body.contains("Jan de Vries"), "{}", theirs.body);
    assert!(!h.get("/desk/planned/print?day=2026-12-08").await.body.contains("Jan de Vries"));
    let before = app.snapshot().await;
    for path in ["/desk/planned/1/assign", "/desk/planned/1/cancel"] {
        let got = h.post(path, &[("csrf", &hanna_csrf), ("helper", DIRK)]).await;
        assert_eq!(got.status, 404, "{path}");
    }
    let got = h.post("/desk/planned", &take(&hanna_csrf, "020-1234567", "2026-12-08", "11:00")).await;
    assert!(got.body.contains("dit nummer staat niet bij de deelnemers"), "Jan is not Hanna's: {}", got.body);
    assert_eq!(app.snapshot().await, before);

    // Jan cannot help himself; Dirk can.
    let got = b.post("/desk/planned/1/assign", &[("csrf", &csrf), ("helper", JAN)]).await;
    assert_eq!(got.status, 400);
    assert!(got.body.contains("Wie helpt: de bewoner kan zichzelf niet helpen."), "{}", got.body);
    let done = b.post("/desk/planned/1/assign", &[("csrf", &csrf), ("helper", DIRK)]).await;
    assert_eq!(done.location.as_deref(), Some("/desk/planned?saved=assigned"), "{}", done.body);
    assert_eq!(app.text("SELECT status || ' ' || matched_by FROM planned_requests").await, "matched desk");
    let page = b.get("/desk/planned").await;
    assert!(page.body.contains("Buur gevonden") && page.body.contains("Dirk Visser") && page.body.contains("Nog niet"));
    let print = b.get("/desk/planned/print?day=2026-12-08").await;
    assert!(print.body.contains("Daglijst van di 08-12 · 1 verzoek"), "{}", print.body);
    assert!(print.body.contains("020 123 4567") || print.body.contains("020-1234567"), "Jan's number: {}", print.body);
    // A printed list holds names and numbers: it is in the audit log, with how many.
    assert_eq!(
        app.text("SELECT detail FROM audit_log WHERE user_name = 'Els' AND action = 'printed planned help'").await,
        "1 requests"
    );

    let done = b.post("/desk/planned/1/cancel", &[("csrf", &csrf)]).await;
    assert_eq!(done.location.as_deref(), Some("/desk/planned?saved=cancelled"));
    assert_eq!(app.text("SELECT status FROM planned_requests").await, "cancelled-by-desk");
    assert!(b.get("/desk/planned").await.body.contains("Afgezegd door de balie"));
    let again = b.post("/desk/planned/1/cancel", &[("csrf", &csrf)]).await;
    assert_eq!(again.status, 400);
    assert!(
        again.body.contains("Dit verzoek staat al op “Afgezegd door de balie”. Er is niets gewijzigd."),
        "{}",
        again.body
    );
    assert_eq!(
        app.count("SELECT count(*) FROM audit_log WHERE user_name = 'Els' AND action IN ('took a request for later', 'matched a request for later by hand', 'cancelled a request for later')").await,
        3
    );
}

/// The figures count help for later per neighbourhood and period, on the page and in the
/// CSV and Excel downloads: taken, matched (by the desk), cancelled by whom, unfilled, and
/// the median hours asked ahead.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_figures_count_help_for_later_in_the_page_and_the_downloads() {
    let app = plannable_app().await;
    add_user(&app, "Els", Role::Coordinator).await;
    add_user_in(&app, "Hanna", Role::Coordinator, &["elders"]).await;
    let mut b = Browser::login(&app, "Els").await;
    let csrf = b.csrf().await;
    let page = b.get("/desk/figures").await;
    assert!(!page.body.contains("planned-figures"), "no table without requests");
    for (day, time) in [("2026-12-08", "10:00"), ("2026-12-09", "10:00"), ("2026-12-10", "14:00")] {
        assert_eq!(b.post("/desk/planned", &take(&csrf, "020-1234567", day, time)).await.status, 303);
    }
    assert_eq!(b.post("/desk/planned/1/assign", &[("csrf", &csrf), ("helper", DIRK)]).await.status, 303);
    assert_eq!(b.post("/desk/planned/2/cancel", &[("csrf", &csrf)]).await.status, 303);

    let page = b.get("/desk/figures").await;
    let table = page.body.split("id=\"planned-figures\"").nth(1).unwrap_or_else(|| panic!("{}", page.body));
    for row in [
        "Verzoeken aangenomen</th><td class=\"num\">3<",
        "Buur gevonden</th><td class=\"num\">1<",
        "waarvan door de balie gekoppeld</th><td class=\"num\">1<",
        "Afgezegd door de balie</th><td class=\"num\">1<",
        "Niemand gevonden</th><td class=\"num\">0<",
        "Nog niet voorbij</th><td class=\"num\">2<",
        // 24, 48 and 76 hours ahead.
        "Mediaan: uren vooruit gevraagd</th><td class=\"num\">48<",
    ] {
        assert!(table.contains(row), "{row}: {table}");
    }
    let csv = b.get("/desk/figures.csv").await.body;
    assert!(csv.contains("hulp voor later,Verzoeken aangenomen,3,"), "{csv}");
    assert!(csv.contains("hulp voor later,Afgezegd door de balie,1,"), "{csv}");
    let bytes = b
        .http
        .get(format!("{}/desk/figures.xlsx", b.base))
        .header("Cookie", format!("burenlijn_desk={}", b.cookies["burenlijn_desk"]))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let rows = crate::desk::xlsx_rows(&bytes);
    let at = rows.iter().position(|r| r[0] == "Hulp voor later").unwrap_or_else(|| panic!("{rows:?}"));
    assert_eq!(rows[at + 1][..3], ["Verzoeken aangenomen", "", "3"], "{rows:?}");
    assert_eq!(rows[at + 12][..3], ["Mediaan: uren vooruit gevraagd", "", "48"], "{rows:?}");

    // Another neighbourhood's account counts none of them.
    let mut h = Browser::login(&app, "Hanna").await;
    assert!(!h.get("/desk/figures").await.body.contains("planned-figures"));
}
