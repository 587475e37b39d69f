//! The Calls page and one call's timeline.

use maud::{html, Markup};

use super::views::{caller, note_list, row, table_head, voicemail_player};
use super::{ListQuery, IN_PROGRESS};
use crate::domain::call::Outcome;
use crate::domain::phone::PhoneNumber;
use crate::switchboard::desk::calls::Match;
use crate::switchboard::desk::{CallDetail, CallRow, Note};
use crate::web::desk::layout::{self, status};
use crate::web::desk::text::Lang;
use crate::web::AppState;

/// What the Calls page shows.
pub(super) struct List<'a> {
    pub query: &'a ListQuery,
    /// The participant chosen, by name.
    pub chosen: &'a Option<String>,
    /// Several participants matched the typed name: whom is meant?
    pub choices: &'a [Match],
    pub rows: &'a [CallRow],
    pub error: &'a Option<String>,
    /// The next page, when there is one.
    pub next: &'a Option<String>,
}

pub(super) fn list(l: Lang, state: &AppState, page: &List<'_>) -> Markup {
    let List { query, chosen, choices, rows, error, next } = *page;
    let ds = &state.desk;
    html! {
        form.filters method="get" action="/desk/calls" role="search" aria-label=(l.t("Gesprekken zoeken", "Search calls")) {
            div { label for="from" { (l.t("Van", "From")) } br; input #from type="date" name="from" value=(query.from); }
            div { label for="until" { (l.t("Tot en met", "Until")) } br; input #until type="date" name="until" value=(query.until); }
            div {
                label for="outcome" { (l.t("Afloop", "Outcome")) } br;
                select #outcome name="outcome" {
                    option value="" { (l.t("Alle", "All")) }
                    option value=(IN_PROGRESS) selected[query.outcome == IN_PROGRESS] { (l.outcome(None)) }
                    @for o in Outcome::ALL {
                        option value=(o.as_str()) selected[query.outcome == o.as_str()] { (l.outcome(Some(o))) }
                    }
                }
            }
            div {
                label for="category" { (l.t("Hulp bij", "Help with")) } br;
                select #category name="category" {
                    option value="" { (l.t("Alle", "All")) }
                    @for c in &ds.plans().categories { option value=(c) selected[&query.category == c] { (ds.category(l, Some(c))) } }
                    option value="none" selected[query.category == "none"] { (ds.category(l, None)) }
                }
            }
            div {
                label for="who" { (l.t("Deelnemer (naam)", "Participant (name)")) } br;
                input #who type="search" name="who" value=(chosen.clone().unwrap_or_else(|| query.who.clone())) placeholder=(l.t("iedereen", "everyone"));
            }
            div { button type="submit" { (l.t("Zoeken", "Search")) } " " a.button.secondary href="/desk/calls" { (l.t("Wissen", "Clear")) } }
        }
        (layout::period_shortcuts(l, "/desk/calls", state.switchboard.clock.now().to_zoned(ds.time_zone.clone()).date()))
        @if let Some(e) = &error { (layout::message_box(e, true)) }
        @if !choices.is_empty() {
            p { (l.t("Wie bedoelt u?", "Whom do you mean?")) }
            ul { @for p in choices.iter().take(10) {
                li { a href=(format!("/desk/calls?{}", form_urlencoded::Serializer::new(String::new()).extend_pairs([("participant", p.id.to_string().as_str()), ("from", &query.from), ("until", &query.until), ("outcome", &query.outcome), ("category", &query.category)]).finish())) { (p.name) } " " span.muted { (p.street) } }
            } }
        } @else if rows.is_empty() && error.is_none() {
            p { (l.t("Geen gesprekken gevonden.", "No calls found.")) }
        } @else if !rows.is_empty() {
            (layout::scroll(l, html! { table { (table_head(l)) tbody { @for r in rows { (row(l, ds, r)) } } } }))
        }
        @if let Some(next) = next { p { a.button.secondary href=(next) { (l.t("Oudere gesprekken", "Older calls")) " →" } } }
    }
}

pub(super) fn detail(l: Lang, state: &AppState, d: &CallDetail, notes: &[Note]) -> Markup {
    let r = &d.log;
    let tz = &state.desk.time_zone;
    html! {
        p { (status(l, &r.phase, r.outcome)) }
        dl {
            dt { (l.t("Beller", "Caller")) }
            dd {
                @if let Some(id) = r.caller_id { a href=(format!("/desk/participants/{id}")) { (caller(l, r)) } } @else { (caller(l, r)) }
                // The number as a link that calls it (issue 29).
                @if let Some(from) = r.from.as_deref().filter(|_| !r.anonymised) {
                    " · " a.tel href=(format!("tel:{from}")) { (PhoneNumber::from_stored(from).map(|p| p.readable()).unwrap_or_else(|_| from.to_string())) }
                }
                @if let Some(street) = r.caller_street.as_deref().filter(|s| !s.is_empty()) { " · " (street) }
            }
            dt { (l.t("Hulp bij", "Help with")) } dd { (state.desk.category(l, r.category.as_deref())) }
        }
        h2 { (l.t("Verloop", "Timeline")) }
        ol.timeline {
            li { strong { (l.time(r.started_at, tz)) } " " (l.t("Het gesprek begint.", "The call begins.")) }
            @if let (Some(at), Some(_)) = (r.search_started_at, &r.category) {
                li { strong { (l.time(at, tz)) } " " (l.t("Kiest", "Chooses")) " " em { (state.desk.category(l, r.category.as_deref())) } "; " (l.t("het zoeken begint.", "the search begins.")) }
            }
            @for a in &r.attempts {
                li {
                    strong { (l.time(a.started_at, tz)) } " "
                    (l.t("Belt", "Rings")) " "
                    @if let Some(h) = a.helper_id { a href=(format!("/desk/participants/{h}")) { (if a.first_name.is_empty() { "?" } else { &a.first_name }) } } @else { (if a.first_name.is_empty() { "—" } else { &a.first_name }) }
                    ": " (l.attempt_result(a.result.as_deref()))
                    @if let Some(ans) = a.answered_at { " " span.muted { "(" (l.t("opgenomen", "answered")) " " (l.time(ans, tz)) ")" } }
                }
            }
            @if let Some(w) = r.wait_seconds {
                li { strong { (l.t("Ja na", "Yes after")) " " (l.duration(w)) } " — " (r.helper_first_name.clone().unwrap_or_default()) " " (l.t("helpt.", "helps.")) }
            }
            @if r.outcome == Some(Outcome::Desk) { li { (l.t("Doorverbonden met de balie.", "Put through to the desk.")) } }
            @if let Some(secs) = r.voicemail_seconds {
                li {
                    (l.t("Bericht ingesproken", "Left a message")) " (" (l.duration(secs)) ")"
                    br;
                    (voicemail_player(l, state, r))
                }
            }
            @if let Some(end) = r.ended_at { li { strong { (l.time(end, tz)) } " " (l.t("Het gesprek is afgelopen:", "The call ended:")) " " (l.outcome(r.outcome)) "." } }
        }
        @if let Some(f) = &d.follow_up {
            h2 { (l.t("Opvolgen", "Follow-up")) }
            p {
                (l.follow_up_reason(f.reason)) ". "
                @if let (Some(at), Some(res)) = (f.closed_at, &f.result) {
                    (l.t("Afgehandeld", "Closed")) " " (l.when(at, tz)) " " (l.t("door", "by")) " " (f.closed_by.clone().unwrap_or_default()) ": " strong { (l.follow_up_result(res)) }
                    @if let Some(n) = &f.note { br; "“" (n) "”" }
                } @else {
                    a href="/desk/follow-up" { (l.t("Staat open bij Opvolgen.", "Open under Follow-up.")) }
                }
            }
        }
        @if !notes.is_empty() {
            h2 { (l.t("Notities over deze beller", "Notes about this caller")) }
            (note_list(l, tz, notes))
        }
        p { a href="/desk/calls" { "← " (l.t("Alle gesprekken", "All calls")) } }
    }
}
