//! Issue 27, "a say over who comes", at the desk: the participant form and the CSV import.

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

/// The coordinator's columns in a file: only a coordinator may import them; the audit log
/// then has the import, and the register the marks.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_a_coordinator_imports_the_desk_only_and_experienced_columns() {
    use crate::desk_support::{desk_app, Browser};
    let (app, mut els) = desk_app().await;
    let file = "name,phone,offers,available,street,postcode,distance,helpers_from,street_said,desk_only,experienced\n\
                Fatima Yilmaz,0612345699,shopping,,Molenweg,,any,near,after-yes,yes,shopping\n";
    let mut piet = Browser::login(&app, "Piet").await;
    let csrf = piet.csrf().await;
    let refused = piet.upload("/desk/participants/import", &csrf, file).await;
    assert_eq!(refused.status, 400);
    assert!(refused.body.contains("Alleen een coördinator"), "{}", refused.body);
    assert_eq!(app.count("SELECT count(*) FROM participants WHERE name = 'Fatima Yilmaz'").await, 0);
    let csrf = els.csrf().await;
    let done = els.upload("/desk/participants/import", &csrf, file).await;
    assert!(done.status == 303 || done.status == 200, "{} {}", done.status, done.body);
    let saved = "SELECT count(*) FROM participants WHERE name = 'Fatima Yilmaz' AND helpers_from = 'near'
                 AND street_said = 'after-yes' AND desk_only = 1 AND experienced = 'shopping'";
    assert_eq!(app.count(saved).await, 1);
}
