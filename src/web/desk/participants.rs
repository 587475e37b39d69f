//! Participants: search, add, edit, pause, notes, "do not pair", CSV import and export,
//! and erasing a person on request. Every view and change goes to the audit log.

use std::sync::Arc;

use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use serde::Deserialize;

use super::calls::note_list;
use super::layout::{self, Nav, DASH};
use super::text::Lang;
use super::{read, write, CheckedFields, CheckedForm, Desk, Failure, Fields};
use crate::domain::audit::AuditAction;
use crate::domain::hours::{hh_mm, DaysAndTimes, WeeklyHours};
use crate::domain::own::last_day;
use crate::domain::participant::{Participant, ParticipantDetails, ParticipantInput, MAX_NAME_CHARS, MAX_STREET_CHARS};
use crate::store::participants::{self as store, UpdateError};
use crate::store::scope::Scope;
use crate::store::{accounts, desk as q};
use crate::web::AppState;

/// A form body whose fields may repeat (`offers=a&offers=b`).
fn field_label(l: Lang, field: &str) -> &'static str {
    match field {
        "name" => l.t("Naam", "Name"),
        "phone" => l.t("Telefoonnummer", "Phone number"),
        "offers" => l.t("Helpt met", "Helps with"),
        "available" => l.t("Beschikbaar", "Available"),
        "street" => l.t("Straat", "Street"),
        "postcode" => l.t("Postcode", "Postcode"),
        "distance" => l.t("Waar helpen", "Where to help"),
        "language" => l.t("Taal", "Language"),
        _ => l.t("Veld", "Field"),
    }
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    msg: String,
    /// A kind of help they offer.
    #[serde(default)]
    offers: String,
    /// `paused`, `active`, or `ringable` (may be rung now, by their own hours).
    #[serde(default)]
    status: String,
    /// `name` (the default) or `last-asked` (longest ago first).
    #[serde(default)]
    sort: String,
}

pub async fn list(
    desk: Desk,
    State(state): State<Arc<AppState>>,
    Query(query): Query<ListQuery>,
) -> Result<Response, Failure> {
    let l = desk.lang;
    let text = query.q.clone();
    let scope = desk.scope.clone();
    let (people, asked) = read(&state, move |c| {
        let people = store::search(c, &text, 500, &scope)?;
        let ids: Vec<i64> = people.iter().map(|p| p.id).collect();
        let asked = store::asked_and_joined(c, &ids)?;
        Ok((people, asked))
    })
    .await?;
    let local_now = state.switchboard.clock.now().to_zoned(state.desk.time_zone.clone());
    let today = local_now.date();
    let ringable = |p: &Participant| {
        !p.is_paused_on(today)
            && !p.details.offers.is_empty()
            && (p.details.available.is_empty() || p.details.available.contains(local_now.datetime()))
    };
    let mut people: Vec<Participant> = people
        .into_iter()
        .filter(|p| query.offers.is_empty() || p.details.offers.contains(&query.offers))
        .filter(|p| match query.status.as_str() {
            "paused" => p.is_paused_on(today),
            "active" => !p.is_paused_on(today),
            "ringable" => ringable(p),
            _ => true,
        })
        .collect();
    let last_asked = |id: i64| asked.get(&id).and_then(|(a, _)| *a);
    if query.sort == "last-asked" {
        // Never asked first, then longest ago.
        people.sort_by_key(|p| last_asked(p.id));
    }
    let message = match query.msg.as_str() {
        "erased" => Some(l.t(
            "De gegevens van deze persoon zijn gewist. De anonieme totalen blijven.",
            "This person's data has been erased. The anonymous totals remain.",
        )),
        "imported" => Some(l.t("Het bestand is ingelezen.", "The file has been imported.")),
        _ => None,
    };
    let ds = &state.desk;
    let body = html! {
        @if let Some(m) = message { (layout::message_box(m, false)) }
        form.filters method="get" action="/desk/participants" role="search" {
            div { label for="q" { (l.t("Zoek op naam, straat, postcode of nummer", "Search by name, street, postcode or number")) } br;
                input #q type="search" name="q" value=(query.q); }
            div { label for="f-offers" { (l.t("Helpt met", "Helps with")) } br;
                select #f-offers name="offers" {
                    option value="" { (l.t("Alles", "Anything")) }
                    @for c in &ds.plans().categories { option value=(c) selected[query.offers == *c] { (ds.category(l, Some(c))) } }
                }
            }
            div { label for="f-status" { (l.t("Stand", "Status")) } br;
                select #f-status name="status" {
                    @for (v, nl, en) in [("", "Iedereen", "Everyone"), ("active", "Actief", "Active"), ("paused", "Gepauzeerd", "Paused"), ("ringable", "Nu te bellen", "Can be rung now")] {
                        option value=(v) selected[query.status == v] { (l.t(nl, en)) }
                    }
                }
            }
            div { label for="f-sort" { (l.t("Volgorde", "Order")) } br;
                select #f-sort name="sort" {
                    option value="name" selected[query.sort != "last-asked"] { (l.t("Op naam", "By name")) }
                    option value="last-asked" selected[query.sort == "last-asked"] { (l.t("Langst niet gevraagd eerst", "Longest not asked first")) }
                }
            }
            div { button type="submit" { (l.t("Zoeken", "Search")) } }
            div { a.button.secondary href="/desk/participants/new" { (l.t("Iemand toevoegen", "Add someone")) } }
        }
        @if people.is_empty() { p { (l.t("Niemand gevonden.", "Nobody found.")) } } @else {
            (layout::scroll(l, html! { table {
                thead { tr {
                    th scope="col" { (l.t("Naam", "Name")) }
                    th scope="col" { (l.t("Telefoon", "Phone")) }
                    th scope="col" { (l.t("Straat", "Street")) }
                    th scope="col" { (l.t("Helpt met", "Helps with")) }
                    th scope="col" { (l.t("Beschikbaar", "Available")) }
                    th scope="col" { (l.t("Stand", "Status")) }
                } }
                tbody { @for p in &people {
                    tr {
                        td { a href=(format!("/desk/participants/{}", p.id)) { (p.details.name) } }
                        td.when { a href=(format!("tel:{}", p.details.phone.as_str())) { (p.details.phone.readable()) } }
                        td { (p.details.street) }
                        td { @if p.details.offers.is_empty() { span.muted { (l.t("vraagt alleen", "only asks")) } } @else { (p.details.offers.iter().map(|o| ds.category(l, Some(o))).collect::<Vec<_>>().join(", ")) } }
                        td { @if p.details.available.as_str().is_empty() { (l.t("altijd (binnen de belmomenten)", "any time (within ringing hours)")) } @else { (p.details.available.written_with(&l.weekdays())) } }
                        td {
                            @if p.is_paused_on(today) {
                                span.status.amber { (l.t("Gepauzeerd", "Paused")) }
                                @if let Some(until) = p.paused_until { " " (l.t("tot en met", "up to and including")) " " (last_day(until).strftime("%d-%m-%Y").to_string()) }
                            } @else { (l.t("Actief", "Active")) }
                            @if let Some(at) = last_asked(p.id) { br; span.muted { (l.t("laatst gevraagd", "last asked")) " " (l.when_short(at, &ds.time_zone)) } }
                        }
                    }
                } }
            } }))
            p.muted { (people.len()) " " (l.t("deelnemers getoond", "participants shown")) }
        }
        h2 { (l.t("Bestand", "File")) }
        p { a href="/desk/participants.csv" download { (l.t("Alle deelnemers downloaden (CSV)", "Download all participants (CSV)")) } }
        form.stack method="post" action="/desk/participants/import" enctype="multipart/form-data" {
            (layout::csrf(&desk))
            label for="file" { (l.t("CSV-bestand inlezen", "Import a CSV file"))
                span.hint { (l.t("Zelfde kolommen als de download: name, phone, offers, available, street, postcode, distance. Alles of niets: bij een fout wordt niets opgeslagen.", "The same columns as the download: name, phone, offers, available, street, postcode, distance. All or nothing: on an error nothing is saved.")) } }
            input #file type="file" name="file" accept=".csv,text/csv" required;
            button type="submit" { (l.t("Inlezen", "Import")) }
        }
    };
    Ok(layout::page(&desk, Nav::Participants, l.t("Deelnemers", "Participants"), body).into_response())
}

/// The add/edit form. `values` holds what was typed (after an error) or what is stored.
fn form(desk: &Desk, ds: &super::DeskState, action: &str, values: &Fields, error: Option<String>) -> Markup {
    let l = desk.lang;
    let offers = values.all("offers");
    let distance = values.get("distance");
    let plans = ds.plans();
    html! {
        @if let Some(e) = &error { (layout::message_box(e, true)) }
        form.stack method="post" action=(action) {
            (layout::csrf(desk))
            label for="name" { (field_label(l, "name")) }
            input #name type="text" name="name" value=(values.get("name")) required maxlength=(MAX_NAME_CHARS) autocomplete="off";
            label for="phone" { (field_label(l, "phone")) span.hint { (l.t("Bijvoorbeeld 06-12345678 of 020-1234567. Helpers horen dit nummer nooit.", "For example 06-12345678 or 020-1234567. Helpers never hear this number.")) } }
            input #phone type="tel" name="phone" value=(values.get("phone")) required autocomplete="off";
            label for="street" { (field_label(l, "street")) span.hint { (l.t("Alleen de straat; een helper hoort de voornaam en de straat.", "Street only; a helper hears the first name and the street.")) } }
            input #street type="text" name="street" value=(values.get("street")) maxlength=(MAX_STREET_CHARS);
            label for="postcode" { (field_label(l, "postcode")) }
            input #postcode type="text" name="postcode" value=(values.get("postcode")) maxlength="10";
            fieldset {
                legend { (field_label(l, "offers")) span.hint { (l.t("Niets aangevinkt: deze persoon vraagt alleen hulp.", "Nothing ticked: this person only asks for help.")) } }
                @for c in &plans.categories {
                    label.check { input type="checkbox" name="offers" value=(c) checked[offers.contains(&c.as_str())]; (ds.category(l, Some(c))) }
                }
            }
            (availability_fields(l, values))
            label for="distance" { (field_label(l, "distance")) }
            select #distance name="distance" {
                @for d in ["any", "near", "not-own-street"] { option value=(d) selected[distance == d] { (l.distance(d)) } }
            }
            @let language = values.get("language");
            label for="language" { (l.t("Taal", "Language")) span.hint { (l.t("Wat deze persoon hoort als beller en als helper.", "What this person hears as caller and as helper.")) } }
            select #language name="language" {
                option value="" selected[language.is_empty()] { (l.t("De taal van de buurt", "The neighbourhood's language")) }
                @for code in &plans.languages { option value=(code) lang=(code) selected[language == code.as_str()] { (super::text::language_name(code)) } }
            }
            @let offered: Vec<&(String, String)> = plans.neighbourhoods.iter().filter(|(k, _)| desk.scope.sees_key(k)).collect();
            @if offered.len() > 1 {
                @let chosen = values.all("neighbourhoods");
                fieldset {
                    legend { (l.t("Buurt", "Neighbourhood")) span.hint { (l.t("Waar deze persoon bij hoort: alleen daar wordt hij of zij gebeld.", "Where this person belongs: they are rung only there.")) } }
                    @for (key, name) in offered {
                        label.check { input type="checkbox" name="neighbourhoods" value=(key) checked[chosen.contains(&key.as_str())]; (name) }
                    }
                }
            }
            button type="submit" { (l.t("Opslaan", "Save")) }
        }
    }
}

/// What the person's page shows of their past: notes, follow-up steps, their latest calls
/// (as caller and as helper), and when they joined.
struct History {
    notes: Vec<q::Note>,
    steps: Vec<q::StepRow>,
    calls: Vec<crate::store::calls::CallRow>,
    joined: Option<jiff::Timestamp>,
    /// The latest changes this person made themselves by phone (8 in the menu).
    by_phone: Vec<accounts::AuditEntry>,
    /// Their place in the good-morning round, if they are in it.
    round: Option<crate::store::round::Resident>,
}

/// How many of a person's own changes by phone their page lists.
const CHANGES_BY_PHONE_ON_THE_PAGE: u32 = 5;

const CALLS_ON_THE_PAGE: u32 = 10;

fn history(c: &rusqlite::Connection, p: &Participant, scope: &Scope) -> anyhow::Result<History> {
    let filter = q::CallFilter { participant: Some(p.id), scope: scope.clone(), ..Default::default() };
    Ok(History {
        notes: q::notes_for(c, Some(p.id), Some(p.details.phone.as_str()))?,
        steps: q::steps_of_participant(c, p.id)?,
        calls: q::calls(c, &filter, CALLS_ON_THE_PAGE)?,
        joined: store::asked_and_joined(c, &[p.id])?.get(&p.id).map(|(_, joined)| *joined),
        by_phone: accounts::audit_log(
            c,
            &accounts::AuditFilter {
                participant: Some(p.id),
                user_name: Some(accounts::BY_PHONE.to_string()),
                ..Default::default()
            },
            CHANGES_BY_PHONE_ON_THE_PAGE,
        )?,
        round: crate::store::round::resident(c, p.id)?,
    })
}

/// Rows of day boxes offered on the form.
const AVAILABILITY_ROWS: usize = 4;

/// The availability as the form shows it: "any time", or rows of day boxes with a start
/// and an end, from what was typed (after an error) or what is stored.
fn availability_rows(values: &Fields) -> (bool, Vec<(Vec<usize>, String, String)>) {
    if !values.get("avail-mode").is_empty() {
        let rows = (0..AVAILABILITY_ROWS)
            .map(|n| {
                let days = values.all(&format!("avail-{n}-days")).iter().filter_map(|d| d.parse().ok()).collect();
                (
                    days,
                    values.get(&format!("avail-{n}-from")).to_string(),
                    values.get(&format!("avail-{n}-to")).to_string(),
                )
            })
            .collect();
        return (values.get("avail-mode") == "always", rows);
    }
    let hours = WeeklyHours::parse(values.get("available")).unwrap_or_else(|_| WeeklyHours::never());
    let rows = hours
        .windows()
        .into_iter()
        .map(|w| ((0..7).filter(|d| w.days & (1 << d) != 0).collect(), hh_mm(w.start), hh_mm(w.end)))
        .collect();
    (hours.is_empty(), rows)
}

fn availability_fields(l: Lang, values: &Fields) -> Markup {
    let (always, mut rows) = availability_rows(values);
    rows.resize(AVAILABILITY_ROWS.max(rows.len()), (Vec::new(), String::new(), String::new()));
    let names = l.weekdays();
    html! {
        fieldset.availability {
            legend { (field_label(l, "available")) span.hint { (l.t("Wanneer we deze persoon mogen bellen, binnen de belmomenten van de buurt.", "When we may ring this person, within the neighbourhood's ringing hours.")) } }
            label.check { input type="radio" name="avail-mode" value="always" checked[always]; (l.t("Altijd (binnen de belmomenten)", "Any time (within ringing hours)")) }
            label.check { input type="radio" name="avail-mode" value="times" checked[!always]; (l.t("Alleen op deze dagen en tijden:", "Only on these days and times:")) }
            @for (n, (days, from, to)) in rows.iter().enumerate() {
                div.avail-row role="group" aria-label=(format!("{} {}", l.t("Tijden", "Times"), n + 1)) {
                    @for (d, name) in names.iter().enumerate() {
                        label.check.day { input type="checkbox" name=(format!("avail-{n}-days")) value=(d) checked[days.contains(&d)]; (name) }
                    }
                    label.time { (l.t("van", "from")) " " input type="time" name=(format!("avail-{n}-from")) value=(from); }
                    label.time { (l.t("tot", "until")) " " input type="time" name=(format!("avail-{n}-to")) value=(to); }
                }
            }
        }
    }
}

/// The availability ticked on the form, as stored (`ma-vr 09:00-12:00`); a form without
/// the day boxes may send `available` as text (the CSV's format).
fn parse_availability(f: &Fields, l: Lang) -> Result<String, String> {
    let nothing = l.t("Er is niets opgeslagen.", "Nothing was saved.");
    match f.get("avail-mode") {
        "" => return Ok(f.get("available").to_string()),
        "always" => return Ok(String::new()),
        _ => {}
    }
    let minutes = |t: &str| -> Option<u16> {
        let (h, m) = t.trim().split_once(':')?;
        let (h, m): (u16, u16) = (h.parse().ok()?, m.get(..2)?.parse().ok()?);
        (h < 24 && m < 60).then_some(h * 60 + m)
    };
    let mut windows = Vec::new();
    for n in 0..AVAILABILITY_ROWS {
        let days: u8 = f
            .all(&format!("avail-{n}-days"))
            .iter()
            .filter_map(|d| d.parse::<u8>().ok().filter(|d| *d < 7))
            .fold(0, |bits, d| bits | (1 << d));
        let (from, to) = (f.get(&format!("avail-{n}-from")), f.get(&format!("avail-{n}-to")));
        if days == 0 && from.trim().is_empty() && to.trim().is_empty() {
            continue;
        }
        let row = format!("{}, {} {}", field_label(l, "available"), l.t("regel", "row"), n + 1);
        if days == 0 {
            return Err(format!("{row}: {} {nothing}", l.t("kies minstens één dag.", "choose at least one day.")));
        }
        let (Some(start), Some(end)) = (minutes(from), minutes(to)) else {
            return Err(format!(
                "{row}: {} {nothing}",
                l.t("vul een begin- en een eindtijd in.", "fill in a start and an end time.")
            ));
        };
        if start >= end {
            return Err(format!(
                "{row}: {} {nothing}",
                l.t("de eindtijd ligt voor de begintijd.", "the end is before the start.")
            ));
        }
        windows.push(DaysAndTimes { days, start, end });
    }
    if windows.is_empty() {
        return Err(format!(
            "{}: {} {nothing}",
            field_label(l, "available"),
            l.t("kies dagen en tijden, of 'altijd'.", "choose days and times, or 'any time'.")
        ));
    }
    WeeklyHours::from_windows(&windows)
        .map(|h| h.as_str().to_string())
        .map_err(|e| format!("{}: {e}. {nothing}", field_label(l, "available")))
}

fn values_of(p: &Participant) -> Fields {
    let d = &p.details;
    let mut v = vec![
        ("name".to_string(), d.name.clone()),
        ("phone".to_string(), d.phone.readable()),
        ("street".to_string(), d.street.clone()),
        ("postcode".to_string(), d.postcode.clone()),
        ("available".to_string(), d.available.as_str().to_string()),
        ("distance".to_string(), d.distance.as_str().to_string()),
        ("language".to_string(), d.language.clone().unwrap_or_default()),
    ];
    v.extend(d.offers.iter().map(|o| ("offers".to_string(), o.clone())));
    v.extend(p.neighbourhoods.iter().map(|n| ("neighbourhoods".to_string(), n.clone())));
    Fields(v)
}

/// The neighbourhoods ticked on the form: with one on the install, that one (the form does
/// not ask); with several, at least one of them.
fn parse_neighbourhoods(f: &Fields, ds: &super::DeskState, desk: &Desk) -> Result<Vec<String>, String> {
    let l = desk.lang;
    let plans = ds.plans();
    let offered: Vec<&String> =
        plans.neighbourhoods.iter().map(|(k, _)| k).filter(|k| desk.scope.sees_key(k)).collect();
    if let [only] = offered.as_slice() {
        return Ok(vec![(*only).clone()]);
    }
    let mut keys: Vec<String> = Vec::new();
    for given in f.all("neighbourhoods") {
        match offered.iter().find(|k| k.as_str() == given) {
            Some(k) => keys.push((*k).clone()),
            None => {
                return Err(l
                    .t(
                        "Die buurt bestaat niet. Er is niets opgeslagen.",
                        "That neighbourhood does not exist. Nothing was saved.",
                    )
                    .to_string())
            }
        }
    }
    keys.sort();
    keys.dedup();
    if keys.is_empty() {
        return Err(l
            .t(
                "Buurt: kies er minstens één. Er is niets opgeslagen.",
                "Neighbourhood: choose at least one. Nothing was saved.",
            )
            .to_string());
    }
    Ok(keys)
}

use crate::switchboard::register::kept_with;

fn parse_details(f: &Fields, plans: &super::DeskPlans, l: Lang) -> Result<ParticipantDetails, String> {
    let categories = &plans.categories;
    let offers = f.all("offers").join(";");
    let available = parse_availability(f, l)?;
    let input = ParticipantInput {
        name: f.get("name"),
        phone: f.get("phone"),
        offers: &offers,
        available: &available,
        street: f.get("street"),
        postcode: f.get("postcode"),
        distance: f.get("distance"),
        language: f.get("language"),
    };
    ParticipantDetails::parse(&input, categories).and_then(|d| d.check_language(&plans.languages).map(|_| d)).map_err(
        |e| {
            format!(
                "{}: {}. {}",
                field_label(l, e.field),
                l.field_problem(&e.problem),
                l.t("Er is niets opgeslagen.", "Nothing was saved.")
            )
        },
    )
}

pub async fn new_form(desk: Desk, State(state): State<Arc<AppState>>) -> Response {
    let l = desk.lang;
    let body = form(&desk, &state.desk, "/desk/participants", &Fields(vec![("distance".into(), "any".into())]), None);
    layout::page(&desk, Nav::Participants, l.t("Iemand toevoegen", "Add someone"), body).into_response()
}

pub async fn create(
    State(state): State<Arc<AppState>>,
    CheckedFields(desk, f): CheckedFields,
) -> Result<Response, Failure> {
    let l = desk.lang;
    let invalid = |e: String| {
        (
            StatusCode::BAD_REQUEST,
            layout::page(
                &desk,
                Nav::Participants,
                l.t("Iemand toevoegen", "Add someone"),
                form(&desk, &state.desk, "/desk/participants", &f, Some(e)),
            ),
        )
            .into_response()
    };
    let details = match parse_details(&f, &state.desk.plans(), l) {
        Ok(d) => d,
        Err(e) => return Ok(invalid(e)),
    };
    let neighbourhoods = match parse_neighbourhoods(&f, &state.desk, &desk) {
        Ok(n) => n,
        Err(e) => return Ok(invalid(e)),
    };
    let user = desk.user.name.clone();
    let phone = details.phone.clone();
    let added = write(&state, move |tx, now| {
        if store::find_by_phone(tx, &phone)?.is_some() {
            return Ok(None);
        }
        let (id, _) = store::upsert(tx, &details, now)?;
        store::set_neighbourhoods(tx, id, &neighbourhoods)?;
        accounts::audit(tx, now, &user, &AuditAction::AddedParticipant, Some(id))?;
        Ok(Some(id))
    })
    .await?;
    match added {
        Some(id) => Ok(Redirect::to(&format!("/desk/participants/{id}?msg=added")).into_response()),
        None => Ok(invalid(format!(
            "{}: {}",
            field_label(l, "phone"),
            l.t(
                "dit nummer is al ingeschreven. Er is niets opgeslagen.",
                "this number is already registered. Nothing was saved."
            )
        ))),
    }
}

fn not_found(desk: &Desk) -> Response {
    desk.refusal(
        StatusCode::NOT_FOUND,
        desk.lang.t("Deze deelnemer bestaat niet (meer).", "This participant does not exist (any more)."),
    )
}

fn parse_id(id: &str) -> Option<i64> {
    id.parse().ok().filter(|i: &i64| *i > 0)
}

/// A participant's id from a path or form, if they exist and the account may see them
/// (one of its neighbourhoods); otherwise the page is not found.
async fn visible_id(state: &Arc<AppState>, desk: &Desk, id: &str) -> Result<Option<i64>, Failure> {
    let Some(id) = parse_id(id) else { return Ok(None) };
    let found = read(state, move |c| store::find(c, id)).await?;
    Ok(found.filter(|p| desk.scope.sees_member(&p.neighbourhoods)).map(|p| p.id))
}

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    #[serde(default)]
    msg: String,
}

pub async fn show(
    desk: Desk,
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    Query(query): Query<ShowQuery>,
) -> Result<Response, Failure> {
    let Some(id) = visible_id(&state, &desk, &id).await? else { return Ok(not_found(&desk)) };
    let scope = desk.scope.clone();
    let found = read(&state, move |c| {
        let Some(p) = store::find(c, id)? else { return Ok(None) };
        let notes = history(c, &p, &scope)?;
        let apart = q::do_not_pair(c, id)?;
        let everyone = store::list_in(c, &scope)?;
        Ok(Some((p, notes, apart, everyone)))
    })
    .await?;
    let Some((p, notes, apart, everyone)) = found else { return Ok(not_found(&desk)) };
    let apart: Vec<(i64, String)> = apart.into_iter().filter(|(o, _)| everyone.iter().any(|e| e.id == *o)).collect();
    let user = desk.user.name.clone();
    write(&state, move |tx, now| accounts::audit(tx, now, &user, &AuditAction::ViewedParticipant, Some(id))).await?;
    Ok(show_page(&desk, &state, &p, &notes, &apart, &everyone, &values_of(&p), message(desk.lang, &query.msg))
        .into_response())
}

fn message(l: Lang, msg: &str) -> Option<(String, bool)> {
    let m = match msg {
        "added" => l.t("Toegevoegd.", "Added."),
        "saved" => l.t("Opgeslagen.", "Saved."),
        "paused" => l.t("Gepauzeerd: deze persoon wordt niet gebeld.", "Paused: this person will not be rung."),
        "resumed" => l.t("Weer actief.", "Active again."),
        "note" => l.t("Notitie bewaard.", "Note saved."),
        "apart" => l.t("Bijgewerkt.", "Updated."),
        _ => return None,
    };
    Some((m.to_string(), false))
}

#[allow(clippy::too_many_arguments)]
fn show_page(
    desk: &Desk,
    state: &AppState,
    p: &Participant,
    History { notes, steps, calls, joined, by_phone, round }: &History,
    apart: &[(i64, String)],
    everyone: &[Participant],
    values: &Fields,
    message: Option<(String, bool)>,
) -> Markup {
    let l = desk.lang;
    let tz = &state.desk.time_zone;
    let today = state.switchboard.clock.now().to_zoned(tz.clone()).date();
    let id = p.id;
    let body = html! {
        @if let Some((m, e)) = &message { (layout::message_box(m, *e)) }
        p {
            @if p.is_paused_on(today) {
                span.status.amber { (l.t("Gepauzeerd", "Paused")) }
                @if let Some(until) = p.paused_until { " " (l.t("tot en met", "up to and including")) " " (last_day(until).strftime("%d-%m-%Y").to_string()) }
            } @else { span.status.green { (l.t("Actief", "Active")) } }
            " · " a href=(format!("/desk/calls?participant={id}")) { (l.t("Gesprekken van deze persoon", "This person's calls")) }
        }
        @if let Some(r) = round {
            @let names = if l == Lang::Nl { ["ma", "di", "wo", "do", "vr", "za", "zo"] } else { ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] };
            p #in-round {
                (l.t("In de goedemorgenronde: gebeld om", "In the good-morning round: called at")) " "
                (crate::domain::hours::hh_mm(r.enrolment.at.hour() as u16 * 60 + r.enrolment.at.minute() as u16)) ", "
                (crate::domain::hours::days_text(r.enrolment.days, &names))
                @if r.enrolment.paused { " · " (l.t("gepauzeerd tot de bewoner zelf belt", "paused until they call")) }
                " · " a href="/desk/round" { (l.t("Goedemorgenronde", "Good-morning round")) }
            }
        }
        h2 { (l.t("Gegevens", "Details")) }
        (form(desk, &state.desk, &format!("/desk/participants/{id}"), values, None))
        h2 { (l.t("Pauze", "Pause")) }
        @if !by_phone.is_empty() {
            p { (l.t("Zelf gewijzigd per telefoon:", "Changed by themselves by phone:")) }
            ul.steps { @for e in by_phone { li { (l.when(e.at, tz)) " · " (l.audit_action(&e.recorded)) } } }
        }
        @if p.is_paused_on(today) {
            form method="post" action=(format!("/desk/participants/{id}/pause")) {
                (layout::csrf(desk))
                input type="hidden" name="paused" value="no";
                button type="submit" { (l.t("Weer laten bellen", "Start ringing again")) }
            }
        } @else {
            form.stack method="post" action=(format!("/desk/participants/{id}/pause")) {
                (layout::csrf(desk))
                input type="hidden" name="paused" value="yes";
                label for="until" { (l.t("Pauzeren tot en met", "Pause up to and including")) span.hint { (l.t("Leeg: tot u het weer aanzet.", "Empty: until you switch it back on.")) } }
                input #until type="date" name="until";
                button.secondary type="submit" { (l.t("Pauzeren", "Pause")) }
            }
        }
        h2 { (l.t("Niet samen laten helpen", "Do not pair")) }
        p.hint { (l.t("Deze twee worden nooit aan elkaar gekoppeld. Niemand hoort dat; het is een stille nee.", "These two are never paired. Nobody hears it; it is a silent no.")) }
        @if apart.is_empty() { p { (DASH) } } @else {
            ul { @for (other, name) in apart {
                li {
                    a href=(format!("/desk/participants/{other}")) { (name) } " "
                    form.inline method="post" action=(format!("/desk/participants/{id}/apart")) {
                        (layout::csrf(desk))
                        input type="hidden" name="other" value=(other);
                        input type="hidden" name="apart" value="no";
                        button.link type="submit" { (l.t("weghalen", "remove")) }
                    }
                }
            } }
        }
        form.stack method="post" action=(format!("/desk/participants/{id}/apart")) {
            (layout::csrf(desk))
            input type="hidden" name="apart" value="yes";
            label for="other" { (l.t("Niet koppelen aan", "Never pair with")) }
            select #other name="other" required {
                option value="" { (l.t("Kies iemand", "Choose someone")) }
                @for o in everyone.iter().filter(|o| o.id != id && !apart.iter().any(|(a, _)| *a == o.id)) { option value=(o.id) { (o.details.name) } }
            }
            button.secondary type="submit" { (l.t("Toevoegen", "Add")) }
        }
        h2 { (l.t("Gesprekken", "Calls")) }
        @if let Some(at) = joined { p { (l.t("Ingeschreven op", "Joined on")) " " (l.when(*at, tz)) } }
        @if calls.is_empty() { p { (l.t("Nog geen gesprekken.", "No calls yet.")) } } @else {
            ul.notes { @for c in calls {
                li {
                    a href=(format!("/desk/calls/{}", c.call_sid)) { (l.when(c.started_at, tz)) }
                    " · " @if c.caller_id == Some(p.id) { (l.t("vroeg hulp", "asked for help")) } @else { (l.t("werd gebeld om te helpen", "was rung to help")) }
                    " · " (state.desk.category(l, c.category.as_deref()))
                    " · " (l.outcome(c.outcome))
                }
            } }
        }
        h2 { (l.t("Notities", "Notes")) }
        @if notes.is_empty() { p { (DASH) } } @else { (note_list(l, tz, notes)) }
        @if !steps.is_empty() {
            h2 { (l.t("Opvolgen", "Follow-up")) }
            ul.steps { @for st in steps.iter() { li { (l.when(st.at, tz)) " · " (st.user_name) ": " (super::follow_up::step_text(l, st)) } } }
        }
        form.stack method="post" action=(format!("/desk/participants/{id}/notes")) {
            (layout::csrf(desk))
            label for="note" { (l.t("Nieuwe notitie", "New note")) }
            textarea #note name="note" required maxlength="2000" {}
            button.secondary type="submit" { (l.t("Notitie bewaren", "Save note")) }
        }
        @if desk.is_coordinator() {
            h2 { (l.t("Wissen", "Erase")) }
            p { a href=(format!("/desk/participants/{id}/erase")) { (l.t("Alle gegevens van deze persoon wissen (op verzoek)", "Erase all of this person's data (on request)")) } }
        }
    };
    layout::page(desk, Nav::Participants, &p.details.name, body)
}

pub async fn update(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    CheckedFields(desk, f): CheckedFields,
) -> Result<Response, Failure> {
    let Some(id) = visible_id(&state, &desk, &id).await? else { return Ok(not_found(&desk)) };
    let l = desk.lang;
    let had = read(&state, move |c| store::find(c, id)).await?.map(|p| p.neighbourhoods).unwrap_or_default();
    let details = parse_details(&f, &state.desk.plans(), l)
        .and_then(|d| parse_neighbourhoods(&f, &state.desk, &desk).map(|n| (d, kept_with(n, &had, &desk.scope))));
    let user = desk.user.name.clone();
    let outcome = match details {
        Err(e) => Err(e),
        Ok((details, neighbourhoods)) => write(&state, move |tx, now| {
            Ok(match store::update(tx, id, &details, now) {
                Ok(()) => {
                    store::set_neighbourhoods(tx, id, &neighbourhoods)?;
                    accounts::audit(tx, now, &user, &AuditAction::ChangedParticipant, Some(id))?;
                    Ok(())
                }
                Err(UpdateError::Db(e)) => return Err(e),
                Err(e) => Err(e),
            })
        })
        .await?
        .map_err(|e| match e {
            UpdateError::PhoneTaken(_) => format!(
                "{}: {}",
                field_label(l, "phone"),
                l.t(
                    "dit nummer is al van iemand anders. Er is niets opgeslagen.",
                    "this number belongs to someone else. Nothing was saved."
                )
            ),
            _ => l.t("Deze deelnemer bestaat niet (meer).", "This participant does not exist (any more).").to_string(),
        }),
    };
    match outcome {
        Ok(()) => Ok(Redirect::to(&format!("/desk/participants/{id}?msg=saved")).into_response()),
        Err(e) => {
            let scope = desk.scope.clone();
            let found = read(&state, move |c| {
                let Some(p) = store::find(c, id)? else { return Ok(None) };
                Ok(Some((history(c, &p, &scope)?, q::do_not_pair(c, id)?, store::list_in(c, &scope)?, p)))
            })
            .await?;
            let Some((notes, apart, everyone, p)) = found else { return Ok(not_found(&desk)) };
            let apart: Vec<(i64, String)> =
                apart.into_iter().filter(|(o, _)| everyone.iter().any(|e| e.id == *o)).collect();
            Ok((StatusCode::BAD_REQUEST, show_page(&desk, &state, &p, &notes, &apart, &everyone, &f, Some((e, true))))
                .into_response())
        }
    }
}

#[derive(Deserialize)]
pub struct PauseForm {
    #[serde(default)]
    paused: String,
    #[serde(default)]
    until: String,
}

pub async fn pause(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    CheckedForm(desk, f): CheckedForm<PauseForm>,
) -> Result<Response, Failure> {
    let Some(id) = visible_id(&state, &desk, &id).await? else { return Ok(not_found(&desk)) };
    let l = desk.lang;
    let paused = match f.paused.as_str() {
        "yes" => true,
        "no" => false,
        _ => {
            return Ok(desk.refusal(
                StatusCode::BAD_REQUEST,
                l.t("Onbekende keuze. Er is niets gewijzigd.", "Unknown choice. Nothing was changed."),
            ))
        }
    };
    let today = state.switchboard.clock.now().to_zoned(state.desk.time_zone.clone()).date();
    let until = match f.until.trim() {
        "" => None,
        s => match s.parse::<jiff::civil::Date>() {
            // A pause that ended before today would not pause anyone.
            Ok(d) if paused && d < today => {
                return Ok(desk.refusal(
                    StatusCode::BAD_REQUEST,
                    l.t(
                        "Die datum is al voorbij: kies vandaag of later. Er is niets gewijzigd.",
                        "That date has passed: choose today or later. Nothing was changed.",
                    ),
                ))
            }
            // The form says "up to and including"; the register keeps the first day back.
            Ok(d) => Some(d.tomorrow().unwrap_or(d)),
            Err(_) => {
                return Ok(desk.refusal(
                    StatusCode::BAD_REQUEST,
                    l.t("Geen geldige datum. Er is niets gewijzigd.", "Not a valid date. Nothing was changed."),
                ))
            }
        },
    };
    let user = desk.user.name.clone();
    let done = write(&state, move |tx, now| {
        let ok = store::set_paused_by_id(tx, id, paused, until, now)?;
        if ok {
            let action =
                if paused { AuditAction::PausedParticipant { until } } else { AuditAction::ResumedParticipant };
            accounts::audit(tx, now, &user, &action, Some(id))?;
        }
        Ok(ok)
    })
    .await?;
    if !done {
        return Ok(not_found(&desk));
    }
    Ok(Redirect::to(&format!("/desk/participants/{id}?msg={}", if paused { "paused" } else { "resumed" }))
        .into_response())
}

#[derive(Deserialize)]
pub struct NoteForm {
    #[serde(default)]
    note: String,
}

pub async fn add_note(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    CheckedForm(desk, f): CheckedForm<NoteForm>,
) -> Result<Response, Failure> {
    let Some(id) = visible_id(&state, &desk, &id).await? else { return Ok(not_found(&desk)) };
    let l = desk.lang;
    let note: String = f.note.chars().filter(|c| !c.is_control() || *c == '\n').collect();
    if note.trim().is_empty() || note.chars().count() > 2000 {
        return Ok(desk.refusal(
            StatusCode::BAD_REQUEST,
            l.t(
                "Een notitie is 1 tot 2000 tekens lang. Er is niets opgeslagen.",
                "A note is 1 to 2000 characters long. Nothing was saved.",
            ),
        ));
    }
    let user = desk.user.name.clone();
    let done = write(&state, move |tx, now| {
        if store::find(tx, id)?.is_none() {
            return Ok(false);
        }
        q::add_note(tx, Some(id), None, None, &user, &note, now)?;
        accounts::audit(tx, now, &user, &AuditAction::AddedNote, Some(id))?;
        Ok(true)
    })
    .await?;
    if !done {
        return Ok(not_found(&desk));
    }
    Ok(Redirect::to(&format!("/desk/participants/{id}?msg=note")).into_response())
}

#[derive(Deserialize)]
pub struct ApartForm {
    #[serde(default)]
    other: String,
    #[serde(default)]
    apart: String,
}

pub async fn apart(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    CheckedForm(desk, f): CheckedForm<ApartForm>,
) -> Result<Response, Failure> {
    let Some(id) = visible_id(&state, &desk, &id).await? else { return Ok(not_found(&desk)) };
    let l = desk.lang;
    let (Some(other), Some(apart)) = (
        visible_id(&state, &desk, &f.other).await?,
        match f.apart.as_str() {
            "yes" => Some(true),
            "no" => Some(false),
            _ => None,
        },
    ) else {
        return Ok(desk.refusal(
            StatusCode::BAD_REQUEST,
            l.t("Kies eerst iemand. Er is niets gewijzigd.", "Choose someone first. Nothing was changed."),
        ));
    };
    if other == id {
        return Ok(desk.refusal(
            StatusCode::BAD_REQUEST,
            l.t("Iemand kan niet van zichzelf gescheiden worden.", "A person cannot be kept apart from themselves."),
        ));
    }
    let user = desk.user.name.clone();
    let done = write(&state, move |tx, now| {
        if store::find(tx, id)?.is_none() || store::find(tx, other)?.is_none() {
            return Ok(false);
        }
        q::set_do_not_pair(tx, id, other, apart, now)?;
        let action =
            |other| if apart { AuditAction::SetDoNotPair { other } } else { AuditAction::RemovedDoNotPair { other } };
        accounts::audit(tx, now, &user, &action(other), Some(id))?;
        accounts::audit(tx, now, &user, &action(id), Some(other))?;
        Ok(true)
    })
    .await?;
    if !done {
        return Ok(not_found(&desk));
    }
    Ok(Redirect::to(&format!("/desk/participants/{id}?msg=apart")).into_response())
}

pub async fn erase_form(
    desk: Desk,
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    if let Err(r) = desk.require_coordinator() {
        return Ok(r);
    }
    let Some(id) = visible_id(&state, &desk, &id).await? else { return Ok(not_found(&desk)) };
    let Some(p) = read(&state, move |c| store::find(c, id)).await? else { return Ok(not_found(&desk)) };
    let l = desk.lang;
    let body = html! {
        p { (l.t("Op verzoek van deze persoon wist u alles wat Burenlijn van hen weet: de inschrijving, notities, telefoonnummer en berichten bij hun gesprekken. De anonieme totalen (aantallen gesprekken en wachttijden) blijven. Dit kan niet ongedaan worden gemaakt.",
                 "At this person's request you erase everything Burenlijn knows about them: the registration, notes, phone number and messages of their calls. The anonymous totals (numbers of calls and waits) remain. This cannot be undone.")) }
        form.stack method="post" action=(format!("/desk/participants/{id}/erase")) {
            (layout::csrf(&desk))
            label.check { input type="checkbox" name="sure" value="yes" required; " " (l.t("Ja, wis", "Yes, erase")) " " strong { (p.details.name) } }
            button.danger type="submit" { (l.t("Definitief wissen", "Erase for good")) }
            " " a href=(format!("/desk/participants/{id}")) { (l.t("Terug", "Back")) }
        }
    };
    Ok(layout::page(&desk, Nav::Participants, l.t("Gegevens wissen", "Erase data"), body).into_response())
}

#[derive(Deserialize)]
pub struct EraseForm {
    #[serde(default)]
    sure: String,
}

pub async fn erase(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    CheckedForm(desk, f): CheckedForm<EraseForm>,
) -> Result<Response, Failure> {
    if let Err(r) = desk.require_coordinator() {
        return Ok(r);
    }
    let Some(id) = visible_id(&state, &desk, &id).await? else { return Ok(not_found(&desk)) };
    // Erasing takes a person out of every neighbourhood: only an account that sees all of
    // theirs may.
    let theirs = read(&state, move |c| store::find(c, id)).await?.map(|p| p.neighbourhoods).unwrap_or_default();
    if !theirs.iter().all(|k| desk.scope.sees_key(k)) {
        return Ok(desk.refusal(
            StatusCode::FORBIDDEN,
            desk.lang.t(
                "Deze persoon hoort ook bij een andere buurt: vraag een coördinator van alle buurten om te wissen. Er is niets gewist.",
                "This person also belongs to another neighbourhood: ask a coordinator of all neighbourhoods to erase them. Nothing was erased.",
            ),
        ));
    }
    if f.sure != "yes" {
        return Ok(desk.refusal(
            StatusCode::BAD_REQUEST,
            desk.lang.t(
                "Vink eerst aan dat u het zeker weet. Er is niets gewist.",
                "First tick that you are sure. Nothing was erased.",
            ),
        ));
    }
    let user = desk.user.name.clone();
    let done = write(&state, move |tx, now| {
        let ok = store::erase(tx, id, now)?;
        if ok {
            accounts::audit(tx, now, &user, &AuditAction::ErasedParticipant, Some(id))?;
        }
        Ok(ok)
    })
    .await?;
    if !done {
        return Ok(not_found(&desk));
    }
    // Their recordings and call records are queued for deletion at the provider.
    state.switchboard.provider_jobs.notify_one();
    Ok(Redirect::to("/desk/participants?msg=erased").into_response())
}

pub async fn export(desk: Desk, State(state): State<Arc<AppState>>) -> Result<Response, Failure> {
    let scope = desk.scope.clone();
    let csv = read(&state, move |c| crate::registry::export(&store::list_in(c, &scope)?)).await?;
    let user = desk.user.name.clone();
    write(&state, move |tx, now| accounts::audit(tx, now, &user, &AuditAction::ExportedParticipants, None)).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"deelnemers.csv\""),
        ],
        csv,
    )
        .into_response())
}

pub async fn import(
    desk: Desk,
    State(state): State<Arc<AppState>>,
    mut multipart: Multipart,
) -> Result<Response, Failure> {
    let l = desk.lang;
    let mut csrf = String::new();
    let mut file: Option<String> = None;
    let bad = |m: &str| desk.refusal(StatusCode::BAD_REQUEST, m);
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => {
                return Ok(bad(l.t(
                    "Het bestand kwam niet goed aan. Er is niets opgeslagen.",
                    "The file did not arrive properly. Nothing was saved.",
                )))
            }
        };
        match field.name() {
            Some("csrf") => csrf = field.text().await.unwrap_or_default(),
            Some("file") => match field.bytes().await {
                Ok(bytes) => match String::from_utf8(bytes.to_vec()) {
                    Ok(text) => file = Some(text),
                    Err(_) => {
                        return Ok(bad(l.t(
                            "Het bestand is geen tekst (UTF-8). Sla het op als CSV UTF-8. Er is niets opgeslagen.",
                            "The file is not text (UTF-8). Save it as CSV UTF-8. Nothing was saved.",
                        )))
                    }
                },
                Err(_) => {
                    return Ok(bad(l.t(
                        "Het bestand kwam niet goed aan. Er is niets opgeslagen.",
                        "The file did not arrive properly. Nothing was saved.",
                    )))
                }
            },
            _ => {}
        }
    }
    if let Err(r) = desk.check_csrf(&csrf) {
        return Ok(r);
    }
    let Some(text) = file.filter(|t| !t.trim().is_empty()) else {
        return Ok(bad(
            l.t("Kies eerst een bestand. Er is niets opgeslagen.", "Choose a file first. Nothing was saved.")
        ));
    };
    use crate::switchboard::register::{self, Importer, Outcome, ERRORS_SHOWN, MAX_ROWS};
    // Rows without a `neighbourhoods` field join the only neighbourhood; with several, the
    // file must name them.
    // An account limited to some neighbourhoods imports into those only.
    let plans = state.desk.plans();
    let keys: Vec<String> = plans.keys().into_iter().filter(|k| desk.scope.sees_key(k)).collect();
    let names = state.switchboard.neighbourhoods.current().category_names();
    let languages = state.switchboard.neighbourhoods.current().language_keys();
    // Reading a big file is work: off the runtime.
    let checked = tokio::task::spawn_blocking(move || {
        if let Some(rows) = register::too_many_rows(&text) {
            return Err(Err(rows));
        }
        let only = match keys.as_slice() {
            [only] => Some(only.as_str()),
            _ => None,
        };
        let known = crate::registry::Known {
            categories: &plans.categories,
            neighbourhoods: &keys,
            names: &names,
            languages: &languages,
        };
        crate::registry::parse(&text, &known)
            .and_then(|rows| crate::registry::assign(&rows, only, &keys).map(|a| (rows, a)))
            .map_err(Ok)
    })
    .await?;
    let failed = |body: Markup| {
        (StatusCode::BAD_REQUEST, layout::page(&desk, Nav::Participants, l.t("Inlezen mislukt", "Import failed"), body))
            .into_response()
    };
    let back = html! { p { a href="/desk/participants" { "← " (l.t("Deelnemers", "Participants")) } } };
    let (rows, assigned) = match checked {
        Ok(ok) => ok,
        Err(Err(rows)) => {
            return Ok(failed(html! {
                (layout::message_box(&match l {
                    Lang::Nl => format!("Het bestand heeft {rows} regels; er mogen er hoogstens {MAX_ROWS} in één keer. Er is niets opgeslagen. Verdeel het over kleinere bestanden."),
                    Lang::En => format!("The file has {rows} rows; at most {MAX_ROWS} can be read at once. Nothing was saved. Split it into smaller files."),
                }, true))
                (back)
            }))
        }
        Err(Ok(errors)) => {
            let more = errors.len().saturating_sub(ERRORS_SHOWN);
            return Ok(failed(html! {
                (layout::message_box(l.t("Het bestand heeft fouten. Er is niets opgeslagen. Verbeter deze regels en lees het opnieuw in:", "The file has errors. Nothing was saved. Fix these lines and import it again:"), true))
                ul { @for e in errors.iter().take(ERRORS_SHOWN) { li { (l.row_error(e)) } } }
                @if more > 0 {
                    p { (match l {
                        Lang::Nl => format!("En nog {more} andere regels met fouten ({} in totaal).", errors.len()),
                        Lang::En => format!("And {more} more lines with errors ({} in all).", errors.len()),
                    }) }
                }
                (back)
            }));
        }
    };
    let by = Importer { user: desk.user.name.clone(), scope: desk.scope.clone() };
    let (sb, now) = (state.switchboard.clone(), state.switchboard.clock.now());
    // The import goes on when the page has to answer before it is done.
    let importing = tokio::spawn(async move { register::import(&sb, rows, assigned, by, now).await });
    let outcome = match tokio::time::timeout(std::time::Duration::from_secs(8), importing).await {
        Ok(done) => done??,
        Err(_) => {
            return Ok((
                StatusCode::ACCEPTED,
                layout::page(&desk, Nav::Participants, l.t("Bezig met inlezen", "Importing"), html! {
                    (layout::message_box(l.t(
                        "Het bestand is goed en wordt nog opgeslagen. Kijk over een minuut bij Deelnemers; het logboek zegt wanneer het klaar is.",
                        "The file is fine and is still being saved. Look at Participants in a minute; the audit log says when it is done.",
                    ), false))
                    (back)
                }),
            )
                .into_response())
        }
    };
    if let Outcome::Outside(lines) = outcome {
        let body = html! {
            (layout::message_box(l.t("Het bestand heeft fouten. Er is niets opgeslagen. Verbeter deze regels en lees het opnieuw in:", "The file has errors. Nothing was saved. Fix these lines and import it again:"), true))
            ul { @for line in lines.iter().take(ERRORS_SHOWN) { li { (l.t("regel", "line")) " " (line) ": " (l.t(
                "dit telefoonnummer hoort bij iemand in een buurt die u niet beheert. Een coördinator van alle buurten kan deze persoon ook hier inschrijven.",
                "this phone number belongs to someone in a neighbourhood you do not manage. A coordinator of all neighbourhoods can register them here too.",
            )) } } }
            @if lines.len() > ERRORS_SHOWN {
                p { (match l {
                    Lang::Nl => format!("En nog {} andere regels.", lines.len() - ERRORS_SHOWN),
                    Lang::En => format!("And {} more lines.", lines.len() - ERRORS_SHOWN),
                }) }
            }
            (back)
        };
        return Ok(failed(body));
    }
    Ok(Redirect::to("/desk/participants?msg=imported").into_response())
}
