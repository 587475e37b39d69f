//! The participant pages' markup: the list with its filters, the add/edit form, a
//! person's page and the erase page.

use maud::{html, Markup};

use super::form::{availability_rows, field_label, AVAILABILITY_ROWS};
use super::ListQuery;
use crate::domain::own::last_day;
use crate::domain::participant::{MAX_NAME_CHARS, MAX_STREET_CHARS};
use crate::switchboard::desk::participants::{History, Page, Participant};
use crate::web::desk::calls::note_list;
use crate::web::desk::layout::{self, Nav, DASH};
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
                span.hint { (l.t("Zelfde kolommen als de download: name, phone, offers, available, street, postcode, distance. Alles of niets: bij een fout wordt niets opgeslagen.", "The same columns as the download: name, phone, offers, available, street, postcode, distance. All or nothing: on an error nothing is saved.")) } }
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
                @for code in &plans.languages { option value=(code) lang=(code) selected[language == code.as_str()] { (crate::web::desk::text::language_name(code)) } }
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

/// A person's page as it is shown: who asks, to whom, the form's values (what is stored,
/// or what was typed after an error) and a message.
pub(super) struct ShowPage<'a> {
    pub desk: &'a Desk,
    pub state: &'a AppState,
    pub page: &'a Page,
    pub values: &'a Fields,
    pub message: Option<(String, bool)>,
}

/// A person's page: their state, details, pause, "do not pair", calls, notes and erase.
pub(super) fn show_page(view: ShowPage<'_>) -> Markup {
    let ShowPage { desk, state, page, values, message } = view;
    let Page { participant: p, history, apart, everyone } = page;
    let History { notes, steps, calls, joined, by_phone, round } = history;
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
            ul.steps { @for st in steps.iter() { li { (l.when(st.at, tz)) " · " (st.user_name) ": " (crate::web::desk::follow_up::step_text(l, st)) } } }
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

/// The page that asks to be sure before erasing someone.
pub(super) fn erase_page(desk: &Desk, p: &Participant) -> Markup {
    let l = desk.lang;
    let id = p.id;
    let body = html! {
        p { (l.t("Op verzoek van deze persoon wist u alles wat Burenlijn van hen weet: de inschrijving, notities, telefoonnummer en berichten bij hun gesprekken. De anonieme totalen (aantallen gesprekken en wachttijden) blijven. Dit kan niet ongedaan worden gemaakt.",
                 "At this person's request you erase everything Burenlijn knows about them: the registration, notes, phone number and messages of their calls. The anonymous totals (numbers of calls and waits) remain. This cannot be undone.")) }
        form.stack method="post" action=(format!("/desk/participants/{id}/erase")) {
            (layout::csrf(desk))
            label.check { input type="checkbox" name="sure" value="yes" required; " " (l.t("Ja, wis", "Yes, erase")) " " strong { (p.details.name) } }
            button.danger type="submit" { (l.t("Definitief wissen", "Erase for good")) }
            " " a href=(format!("/desk/participants/{id}")) { (l.t("Terug", "Back")) }
        }
    };
    layout::page(desk, Nav::Participants, l.t("Gegevens wissen", "Erase data"), body)
}
