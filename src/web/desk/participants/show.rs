//! A person's page and the page that asks to be sure before erasing them.

use maud::{html, Markup};

use super::views::form;
use crate::domain::own::last_day;
use crate::switchboard::desk::participants::{History, Page, Participant};
use crate::web::desk::calls::note_list;
use crate::web::desk::layout::{self, Nav, DASH};
use crate::web::desk::text::Lang;
use crate::web::desk::{Desk, Fields};
use crate::web::AppState;

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

/// The form's values from what is stored.
pub(super) fn values_of(p: &Participant) -> Fields {
    let d = &p.details;
    let mut v = vec![
        ("name".to_string(), d.name.clone()),
        ("phone".to_string(), d.phone.readable()),
        ("street".to_string(), d.street.clone()),
        ("postcode".to_string(), d.postcode.clone()),
        ("available".to_string(), d.available.as_str().to_string()),
        ("distance".to_string(), d.distance.as_str().to_string()),
        ("language".to_string(), d.language.clone().unwrap_or_default()),
        ("slow_line".to_string(), if d.slow_line() { "on" } else { "" }.to_string()), // issue 27
    ];
    v.extend(d.offers.iter().map(|o| ("offers".to_string(), o.clone())));
    v.extend(p.neighbourhoods.iter().map(|n| ("neighbourhoods".to_string(), n.clone())));
    v.extend(super::say::values(d.say()));
    Fields(v)
}
