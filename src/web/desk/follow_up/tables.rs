//! The follow-ups closed in the last 30 days, to reopen; the day list to print; the list's
//! filters.

use maud::{html, Markup};

use super::parts::due_label;
use super::queue::{back_to, Person};
use super::ListQuery;
use crate::domain::desk::FollowUpReason;
use crate::domain::phone::PhoneNumber;
use crate::switchboard::desk::{CallLog, FollowUp};
use crate::web::desk::calls::caller;
use crate::web::desk::{layout, Desk};
use crate::web::AppState;

/// The closed follow-ups, each with a button to open it again.
pub(super) fn closed(desk: &Desk, state: &AppState, query: &ListQuery, closed: &[(FollowUp, CallLog)]) -> Markup {
    let l = desk.lang;
    let tz = &state.desk.time_zone;
    html! {
        p { a href="/desk/follow-up" { "← " (l.t("Wat open staat", "What is open")) } }
        @if closed.is_empty() { p { (l.t("De laatste 30 dagen is niets afgehandeld.", "Nothing was closed in the last 30 days.")) } }
        (layout::scroll(l, html! { table {
            thead { tr {
                th scope="col" { (l.t("Beller", "Caller")) } th scope="col" { (l.t("Reden", "Reason")) }
                th scope="col" { (l.t("Afgehandeld", "Closed")) } th scope="col" { (l.t("Hoe", "How")) } th scope="col" { (l.t("Heropenen", "Reopen")) }
            } }
            tbody { @for (up, row) in closed {
                tr {
                    td { a href=(format!("/desk/calls/{}", row.call_sid)) { (caller(l, row)) } }
                    td { (l.follow_up_reason(up.reason)) }
                    td { @if let Some(at) = up.closed_at { (l.when_short(at, tz)) } " " (up.closed_by.as_deref().unwrap_or("")) }
                    td { (l.follow_up_result(up.result.as_deref().unwrap_or("other"))) }
                    td {
                        form method="post" action=(format!("/desk/follow-up/{}/reopen", up.id)) {
                            (layout::csrf(desk))
                            input type="hidden" name="back" value=(back_to(&ListQuery { view: String::new(), ..query.clone() }, "saved=1", None));
                            button.secondary type="submit" { (l.t("Heropenen", "Reopen")) }
                        }
                    }
                }
            } }
        } }))
    }
}

/// The day list: one line per person with their number and reason, and room for notes.
pub(super) fn day_list(desk: &Desk, state: &AppState, query: &ListQuery, people: &[Person]) -> Markup {
    let l = desk.lang;
    let tz = &state.desk.time_zone;
    let today = state.switchboard.clock.now().to_zoned(tz.clone()).date();
    html! {
        p.no-print { a href=(format!("/desk/follow-up?{}", query.filters())) { "← " (l.t("Opvolgen", "Follow-up")) } " · " (l.t("Druk af met Ctrl+P.", "Print with Ctrl+P.")) }
        p { (l.t("Daglijst van", "Day list of")) " " (l.day(today)) " · " (people.len()) " " (if people.len() == 1 { l.t("persoon", "person") } else { l.t("personen", "people") }) }
        table.day-list {
            thead { tr {
                th scope="col" { (l.t("Naam", "Name")) } th scope="col" { (l.t("Telefoon", "Phone")) }
                th scope="col" { (l.t("Reden", "Reason")) } th scope="col" { (l.t("Notities", "Notes")) }
            } }
            tbody { @for p in people {
                @let row = &p.newest().row;
                tr {
                    td { strong { (caller(l, row)) } @if let Some(s) = row.caller_street.as_deref().filter(|s| !s.is_empty()) { br; (s) } }
                    td.phone { @if let Some(from) = row.from.as_deref().filter(|_| !row.anonymised) { (PhoneNumber::from_stored(from).map(|p| p.readable()).unwrap_or_else(|_| from.to_string())) } @else { "—" } }
                    td { (l.follow_up_reason(p.newest().up.reason)) br; (state.desk.category(l, row.category.as_deref())) " " (due_label(l, p.due)) }
                    td.notes {}
                }
            } }
        }
    }
}

pub(super) fn filters_form(desk: &Desk, state: &AppState, query: &ListQuery) -> maud::Markup {
    let l = desk.lang;
    let plans = state.desk.plans();
    html! {
        form.filters method="get" action="/desk/follow-up" role="search" aria-label=(l.t("Opvolgen filteren", "Filter follow-ups")) {
            div { label for="f-q" { (l.t("Zoek", "Search")) } br; input #f-q type="search" name="q" value=(query.q) placeholder=(l.t("naam, straat of nummer", "name, street or number")); }
            div { label for="f-category" { (l.t("Hulp bij", "Help with")) } br;
                select #f-category name="category" {
                    option value="" { (l.t("Alle", "All")) }
                    @for c in &plans.categories { option value=(c) selected[query.category == *c] { (state.desk.category(l, Some(c))) } }
                }
            }
            div { label for="f-reason" { (l.t("Reden", "Reason")) } br;
                select #f-reason name="reason" {
                    option value="" { (l.t("Alle", "All")) }
                    @for r in FollowUpReason::ALL { option value=(r.as_str()) selected[query.reason == r.as_str()] { (l.follow_up_reason(r)) } }
                }
            }
            div {
                label.check { input type="checkbox" name="overdue" value="1" checked[!query.overdue.is_empty()]; (l.t("Alleen te laat", "Overdue only")) }
                label.check { input type="checkbox" name="mine" value="1" checked[!query.mine.is_empty()]; (l.t("Alleen aan mij toegewezen", "Assigned to me only")) }
            }
            div { button type="submit" { (l.t("Filteren", "Filter")) } " " a.button.secondary href="/desk/follow-up" { (l.t("Wissen", "Clear")) } }
        }
    }
}
