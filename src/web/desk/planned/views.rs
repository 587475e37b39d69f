//! The planned-help page: the day list by day (those without a helper first), the form to
//! take a request, and the drivers' printed day list.

use maud::{html, Markup};

use super::super::layout::{self, Nav, DASH};
use super::super::text::Lang;
use super::super::Desk;
use super::Typed;
use crate::domain::planned::Status;
use crate::switchboard::planned::{needs_a_helper, Coming, Listed, MAX_NOTE_CHARS};
use crate::web::AppState;

/// What the page shows.
pub(super) struct Page<'a> {
    pub today: jiff::civil::Date,
    pub requests: &'a [Coming],
    /// The kinds of help that may be planned.
    pub kinds: &'a [String],
    pub typed: &'a Typed,
    /// A message on top, and whether it is an error.
    pub said: Option<(String, bool)>,
}

fn status(l: Lang, s: Status) -> Markup {
    let (colour, words) = l.planned_status(s);
    html! { span class=(format!("status {colour}")) { (words) } }
}

/// Whether the helper confirmed the day before: only said once someone helps.
fn confirmed(l: Lang, s: Status) -> &'static str {
    match s {
        Status::Confirmed | Status::Happened | Status::NotHappened => l.t("Ja", "Yes"),
        Status::Matched => l.t("Nog niet", "Not yet"),
        _ => "",
    }
}

fn who(r: &Listed) -> Markup {
    html! {
        strong { (r.requester.as_deref().unwrap_or("?")) }
        @if let Some(street) = &r.requester_street { br; span.muted { (street) } }
    }
}

/// The actions on one request: match by hand while nobody helps, cancel (asked once) while
/// it is still to come.
fn actions(desk: &Desk, c: &Coming) -> Markup {
    let l = desk.lang;
    let r = &c.request;
    html! {
        @if needs_a_helper(r.status) {
            @if c.helpers.is_empty() {
                p.muted { (l.t("Geen buur in deze buurt helpt hierbij.", "No neighbour here helps with this.")) }
            } @else {
                form.stack method="post" action=(format!("/desk/planned/{}/assign", r.id)) {
                    (layout::csrf(desk))
                    label for=(format!("helper-{}", r.id)) { (l.t("Zelf een buur gevonden", "Found a neighbour yourself")) }
                    select id=(format!("helper-{}", r.id)) name="helper" required {
                        option value="" { (l.t("Kies…", "Choose…")) }
                        @for (name, phone) in &c.helpers { option value=(phone.as_str()) { (name) } }
                    }
                    button.secondary type="submit" { (l.t("Koppelen", "Match")) }
                }
            }
        }
        @if r.status.is_open() || r.status == Status::Unfilled {
            details.confirm {
                summary { (l.t("Afzeggen…", "Cancel…")) }
                form.stack method="post" action=(format!("/desk/planned/{}/cancel", r.id)) {
                    (layout::csrf(desk))
                    p { (l.t("De bewoner en de buur die zou helpen worden gebeld en horen dat het niet doorgaat. Weet u het zeker?", "The resident and the neighbour who would help are called and told it does not go on. Are you sure?")) }
                    button.danger type="submit" { (l.t("Ja, afzeggen", "Yes, cancel")) }
                }
            }
        }
    }
}

/// The requests grouped by their day, in order.
fn by_day(requests: &[Coming]) -> Vec<(jiff::civil::Date, Vec<&Coming>)> {
    let mut days: Vec<(jiff::civil::Date, Vec<&Coming>)> = Vec::new();
    for c in requests {
        let day = c.request.at.date();
        match days.last_mut() {
            Some((d, list)) if *d == day => list.push(c),
            _ => days.push((day, vec![c])),
        }
    }
    days
}

fn day_title(l: Lang, today: jiff::civil::Date, day: jiff::civil::Date) -> String {
    let name = l.day(day);
    match (day - today).get_days() {
        0 => format!("{} · {name}", l.t("Vandaag", "Today")),
        1 if day > today => format!("{} · {name}", l.t("Morgen", "Tomorrow")),
        _ if day < today => format!("{name} · {}", l.t("voorbij, niemand gevonden", "past, nobody found")),
        _ => name,
    }
}

fn form(desk: &Desk, state: &AppState, page: &Page<'_>) -> Markup {
    let l = desk.lang;
    let t = page.typed;
    let plans = state.desk.plans();
    let hoods: Vec<&(String, String)> = plans.neighbourhoods.iter().filter(|(k, _)| desk.scope.sees_key(k)).collect();
    html! {
        h2 #take { (l.t("Een verzoek aannemen", "Take a request")) }
        p.hint { (l.t("Aangenomen aan de telefoon of aan de balie. De centrale vraagt daarna zelf buren, één voor één, en belt de bewoner terug.", "Taken by phone or at the counter. The switchboard then asks neighbours itself, one at a time, and calls the resident back.")) }
        @if page.kinds.is_empty() {
            p { (l.t("Geen enkele hulp kan hier vooruit gevraagd worden: het belplan van de buurt moet dat eerst toestaan.", "No kind of help can be planned here: the neighbourhood's dialplan must allow it first.")) }
        } @else {
            form.stack method="post" action="/desk/planned" {
                (layout::csrf(desk))
                label for="p-from" { (l.t("Telefoonnummer van de bewoner", "The resident's phone number")) span.hint { (l.t("De bewoner moet bij de deelnemers staan.", "The resident must be in the register.")) } }
                input #p-from type="tel" name="from" value=(t.from) required autocomplete="off";
                label for="p-kind" { (l.t("Hulp bij", "Help with")) }
                select #p-kind name="kind" required {
                    @for k in page.kinds { option value=(k) selected[t.kind == *k] { (state.desk.category(l, Some(k))) } }
                }
                label for="p-day" { (l.t("Dag", "Day")) span.hint { (l.t("Binnen twee weken.", "Within two weeks.")) } }
                input #p-day type="date" name="day" value=(t.day) required;
                label for="p-time" { (l.t("Tijd", "Time")) }
                input #p-time type="time" name="time" value=(t.time) step="1800" required;
                @if hoods.len() > 1 {
                    label for="p-hood" { (l.t("Buurt", "Neighbourhood")) span.hint { (l.t("Leeg: de buurt van de bewoner.", "Empty: the resident's neighbourhood.")) } }
                    select #p-hood name="neighbourhood" {
                        option value="" { (l.t("De buurt van de bewoner", "The resident's neighbourhood")) }
                        @for (key, name) in &hoods { option value=(key) selected[t.neighbourhood == *key] { (name) } }
                    }
                }
                label for="p-note" { (l.t("Notitie voor de balie", "Note for the desk")) span.hint { (l.t("Bijvoorbeeld waar naartoe. Wordt nooit voorgelezen.", "Where to, for example. Never read out.")) } }
                input #p-note type="text" name="note" value=(t.note) maxlength=(MAX_NOTE_CHARS);
                button type="submit" { (l.t("Aannemen", "Take the request")) }
            }
        }
    }
}

pub(super) fn render(desk: &Desk, state: &AppState, page: &Page<'_>) -> Markup {
    let l = desk.lang;
    let open = page.requests.iter().filter(|c| needs_a_helper(c.request.status)).count();
    let body = html! {
        @if let Some((message, is_error)) = &page.said { (layout::message_box(message, *is_error)) }
        ul.summary #planned-summary {
            li { strong { (open) } " " (l.t("zonder buur", "without a neighbour")) }
            li { strong { (page.requests.len()) } " " (l.t("vandaag en later", "today and later")) }
        }
        p.no-print { a href="#take" { (l.t("Een verzoek aannemen", "Take a request")) } }
        @if page.requests.is_empty() {
            p { (l.t("Er is nog geen hulp voor later gevraagd.", "No help for later has been asked for yet.")) }
        }
        @for (day, list) in by_day(page.requests) {
            h2 { (day_title(l, page.today, day)) }
            p.no-print { a href=(format!("/desk/planned/print?day={day}")) { (l.t("Daglijst afdrukken", "Print the day list")) } }
            (layout::scroll(l, html! {
                table.planned data-day=(day.to_string()) {
                    caption.sr-only { (l.t("Hulp voor later op", "Help for later on")) " " (l.day(day)) }
                    thead { tr {
                        th scope="col" { (l.t("Tijd", "Time")) }
                        th scope="col" { (l.t("Bewoner", "Resident")) }
                        th scope="col" { (l.t("Hulp bij", "Help with")) }
                        th scope="col" { (l.t("Wie helpt", "Who helps")) }
                        th scope="col" { (l.t("Bevestigd", "Confirmed")) }
                        th scope="col" { (l.t("Stand", "Status")) }
                        th scope="col" { (l.t("Doen", "Actions")) }
                    } }
                    tbody { @for c in &list {
                        @let r = &c.request;
                        tr #(format!("planned-{}", r.id)) data-status=(l.planned_status(r.status).0) {
                            td.when { (format!("{:02}:{:02}", r.at.hour(), r.at.minute())) }
                            td { (who(r)) }
                            td { (state.desk.category(l, Some(&r.kind))) @if let Some(n) = &r.note { br; span.muted { (n) } } }
                            td { @if let Some(h) = &r.helper { (h) } @else { (DASH) } }
                            td { (confirmed(l, r.status)) }
                            td { (status(l, r.status)) }
                            td { (actions(desk, c)) }
                        }
                    } }
                }
            }))
        }
        (form(desk, state, page))
    };
    layout::page(desk, Nav::Planned, l.t("Hulp voor later", "Help for later"), body)
}

/// One day's list for the drivers: time, resident with street and number, what, who
/// helps; numbers are never split over two lines.
pub(super) fn day_list(desk: &Desk, state: &AppState, day: jiff::civil::Date, requests: &[Coming]) -> Markup {
    let l = desk.lang;
    let shown: Vec<&Listed> = requests.iter().map(|c| &c.request).filter(|r| r.status.is_open()).collect();
    let body = html! {
        p.no-print { a href="/desk/planned" { "← " (l.t("Hulp voor later", "Help for later")) } " · " (l.t("Druk af met Ctrl+P.", "Print with Ctrl+P.")) }
        p { (l.t("Daglijst van", "Day list of")) " " (l.day(day)) " · " (shown.len()) " " (if shown.len() == 1 { l.t("verzoek", "request") } else { l.t("verzoeken", "requests") }) }
        table.day-list #planned-day-list {
            thead { tr {
                th scope="col" { (l.t("Tijd", "Time")) }
                th scope="col" { (l.t("Bewoner", "Resident")) }
                th scope="col" { (l.t("Telefoon", "Phone")) }
                th scope="col" { (l.t("Hulp bij", "Help with")) }
                th scope="col" { (l.t("Wie helpt", "Who helps")) }
                th scope="col" { (l.t("Notities", "Notes")) }
            } }
            tbody { @for r in &shown {
                tr {
                    td.when { (format!("{:02}:{:02}", r.at.hour(), r.at.minute())) }
                    td { (who(r)) }
                    td.phone { @if let Some(p) = &r.requester_phone { (p.readable()) } @else { (DASH) } }
                    td { (state.desk.category(l, Some(&r.kind))) @if let Some(n) = &r.note { br; (n) } }
                    td {
                        @if let Some(h) = &r.helper { (h) @if let Some(p) = &r.helper_phone { br; span.phone { (p.readable()) } } } @else { (l.planned_status(r.status).1) }
                        @if r.status == Status::Confirmed { br; (l.t("bevestigd", "confirmed")) }
                    }
                    td.notes {}
                }
            } }
        }
    };
    layout::page(desk, Nav::Planned, l.t("Daglijst hulp voor later", "Day list of help for later"), body)
}
