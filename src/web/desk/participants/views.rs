//! The participant pages' markup: the list with its filters, the add/edit form, a
//! person's page and the erase page.

use maud::{html, Markup};

use super::form::{availability_rows, field_label, ListQuery, AVAILABILITY_ROWS};
use crate::domain::own::last_day;
use crate::domain::participant::{MAX_NAME_CHARS, MAX_STREET_CHARS};
use crate::switchboard::desk::participants::Participant;
use crate::web::desk::layout::{self, Nav};
use crate::web::desk::text::Lang;
use crate::web::desk::{Desk, DeskState, Fields};
use crate::web::AppState;

/// What the list shows: the people found (after the page's own filters), when each was
/// last asked, the day, and a message after an erase or an import.
pub(super) struct ListView<'a> {
    pub query: &'a ListQuery,
    pub people: &'a [Participant],
    pub last_asked: &'a dyn Fn(i64) -> Option<jiff::Timestamp>,
    pub today: jiff::civil::Date,
    pub message: Option<&'static str>,
}

/// The list of participants, with its filters and the file's download and import.
pub(super) fn list_page(desk: &Desk, state: &AppState, view: ListView<'_>) -> Markup {
    let l = desk.lang;
    let ListView { query, people, last_asked, today, message } = view;
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
                tbody { @for p in people {
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
            (layout::csrf(desk))
            label for="file" { (l.t("CSV-bestand inlezen", "Import a CSV file"))
                span.hint { (import_hint(l)) } }
            input #file type="file" name="file" accept=".csv,text/csv" required;
            button type="submit" { (l.t("Inlezen", "Import")) }
        }
    };
    layout::page(desk, Nav::Participants, l.t("Deelnemers", "Participants"), body)
}

/// The add/edit form. `values` holds what was typed (after an error) or what is stored.
pub(super) fn form(desk: &Desk, ds: &DeskState, action: &str, values: &Fields, error: Option<String>) -> Markup {
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
            label for="phone" { (field_label(l, "phone")) span.hint { (l.t("Bijvoorbeeld 06-12345678 of 020-1234567. Buren die helpen horen dit nummer nooit.", "For example 06-12345678 or 020-1234567. Helpers never hear this number.")) } }
            input #phone type="tel" name="phone" value=(values.get("phone")) required autocomplete="off";
            label for="street" { (field_label(l, "street")) span.hint { (l.t("Alleen de straat; een buur die helpt hoort de voornaam en de straat.", "Street only; a helper hears the first name and the street.")) } }
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
            label for="language" { (l.t("Taal", "Language")) span.hint { (l.t("Wat deze persoon hoort als beller en als buur die helpt.", "What this person hears as caller and as helper.")) } }
            select #language name="language" {
                option value="" selected[language.is_empty()] { (l.t("De taal van de buurt", "The neighbourhood's language")) }
                @for code in &plans.languages { option value=(code) lang=(code) selected[language == code.as_str()] { (crate::web::desk::text::language_name(code)) } }
            }
            // Issue 27: the slow line.
            input type="hidden" name="slow-line-shown" value="1";
            label.check { input type="checkbox" name="slow_line" checked[values.get("slow_line") == "on"]; (l.t("Langzame lijn: elke keuze met een pauze ervoor, korte keuzelijsten twee keer, en meer tijd om te kiezen (ook bij het vragen om te helpen).", "Slow line: a pause before each choice, short menus said twice, and more time to choose (also when asked to help).")) }
            (super::say::fields(desk, ds, values))
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

/// The import's columns in the page's language (the file may use either language's names).
fn import_hint(l: Lang) -> String {
    use crate::registry::{dutch_column, HEADER};
    match l {
        Lang::Nl => format!(
            "Zelfde kolommen als de download: {}. Engelse kolomnamen mogen ook. Alles of niets: bij een fout wordt niets opgeslagen.",
            HEADER.map(dutch_column).join(", ")
        ),
        Lang::En => format!(
            "The same columns as the download: {}. Dutch column names (naam, telefoon, …) work too. All or nothing: on an error nothing is saved.",
            HEADER.join(", ")
        ),
    }
}

pub(super) fn message(l: Lang, msg: &str) -> Option<(String, bool)> {
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
