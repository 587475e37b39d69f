//! Follow-up: every request that still needs a person, oldest first, each closed with a
//! result and a note that stays with the caller.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;

use super::calls::{caller, note_list};
use super::layout::{self, Nav};
use super::{read, write, CheckedFields, CheckedForm, Desk, Failure};
use crate::domain::audit::{AuditAction, StoppedFrom};
use crate::domain::callback::RequestStatus;
use crate::domain::desk::{due, Due, FollowUpReason, FollowUpResult};
use crate::domain::dialplan::RingMode;
use crate::domain::phone::PhoneNumber;
use crate::store::desk::{self as q, Closed};
use crate::store::{accounts, callbacks};
use crate::switchboard::requests;
use crate::web::AppState;
use jiff::Timestamp;

#[derive(Deserialize, Default, Clone)]
pub struct ListQuery {
    #[serde(default)]
    closed: String,
    #[serde(default)]
    callback: String,
    #[serde(default)]
    stopped: String,
    #[serde(default)]
    saved: String,
    /// Filters: a kind of help, a reason, only overdue, only assigned to me, a search.
    #[serde(default)]
    category: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    overdue: String,
    #[serde(default)]
    mine: String,
    #[serde(default)]
    q: String,
    /// `closed`: the last 30 days' closed follow-ups, to reopen.
    #[serde(default)]
    view: String,
}

impl ListQuery {
    /// The filters as a query string, to come back to the same list.
    fn filters(&self) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("category", &self.category),
            ("reason", &self.reason),
            ("overdue", &self.overdue),
            ("mine", &self.mine),
            ("q", &self.q),
            ("view", &self.view),
        ] {
            if !v.trim().is_empty() {
                out.append_pair(k, v.trim());
            }
        }
        out.finish()
    }
}

/// One open follow-up with its call and its call-back request.
struct Item {
    up: q::FollowUp,
    row: crate::store::calls::CallLog,
    request: Option<callbacks::Request>,
    notes: Vec<q::Note>,
    /// The good-morning round: every call of that morning, in order.
    round: Vec<crate::store::round::LogRow>,
}

/// Everyone with something open: one person, all their open calls, newest first.
struct Person {
    /// The element's id: `person-p12` for a participant, `person-f34` (their oldest
    /// follow-up) for a number or an anonymous call.
    key: String,
    items: Vec<Item>,
    due: Due,
    /// When the caller was promised a call back (the desk's first opening after the call).
    promised: Option<Timestamp>,
    steps: Vec<q::StepRow>,
}

impl Person {
    fn newest(&self) -> &Item {
        &self.items[0]
    }
    fn tries(&self) -> i64 {
        self.items.iter().map(|i| i.up.tries).max().unwrap_or(0)
    }
    fn urgent(&self) -> bool {
        self.items.iter().any(|i| i.up.urgent)
    }
    fn assigned(&self) -> Option<&(i64, String)> {
        self.items.iter().find_map(|i| i.up.assigned_to.as_ref())
    }
}

/// The first moment the desk could call back after a call: its neighbourhood's office hours.
fn promised_after(state: &AppState, row: &crate::store::calls::CallLog) -> Option<Timestamp> {
    let hoods = state.switchboard.neighbourhoods.current();
    let hood = hoods.of_call(row.neighbourhood.as_deref(), &row.dialplan_number)?;
    let tz = &hood.dialplan.time_zone;
    let at = row.ended_at.unwrap_or(row.started_at).to_zoned(tz.clone());
    let open = hood.dialplan.desk.office_hours.next_open(at.datetime())?;
    open.to_zoned(tz.clone()).ok().map(|z| z.timestamp())
}

/// Groups the open follow-ups by person, the most pressing first.
fn queue(state: &AppState, items: Vec<Item>, steps: Vec<q::StepRow>, today: jiff::civil::Date) -> Vec<Person> {
    let tz = &state.desk.time_zone;
    let mut people: Vec<Person> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for item in items {
        let who = match (item.row.caller_id, &item.row.from) {
            (Some(id), _) => format!("p{id}"),
            (None, Some(from)) if !item.row.anonymised => format!("n{from}"),
            _ => format!("f{}", item.up.id),
        };
        match index.get(&who) {
            Some(&i) => people[i].items.push(item),
            None => {
                index.insert(who.clone(), people.len());
                let key = if who.starts_with('n') { format!("f{}", item.up.id) } else { who };
                people.push(Person { key, items: vec![item], due: Due::Today, promised: None, steps: Vec::new() });
            }
        }
    }
    for p in &mut people {
        p.promised = p.items.iter().filter_map(|i| promised_after(state, &i.row)).min();
        let try_again =
            p.items.iter().filter_map(|i| i.up.try_again_on.as_deref()).filter_map(|d| d.parse().ok()).max();
        p.due = due(p.promised.map(|t| t.to_zoned(tz.clone()).date()), try_again, today);
        p.items.sort_by(|a, b| b.up.created_at.cmp(&a.up.created_at).then(b.up.id.cmp(&a.up.id)));
        let ids: Vec<i64> = p.items.iter().map(|i| i.up.id).collect();
        p.steps = steps.iter().filter(|s| ids.contains(&s.follow_up_id)).cloned().collect();
    }
    // Urgent first (the good-morning round reached nobody), then overdue, then oldest.
    people.sort_by_key(|p| (!p.urgent(), p.due, p.items.last().map(|i| i.up.created_at)));
    people
}

fn matches(p: &Person, query: &ListQuery, me: i64) -> bool {
    let category = query.category.trim();
    let reason = query.reason.trim();
    let q = query.q.trim().to_lowercase();
    let digits: String = q.chars().filter(char::is_ascii_digit).collect();
    (category.is_empty() || p.items.iter().any(|i| i.row.category.as_deref() == Some(category)))
        && (reason.is_empty() || p.items.iter().any(|i| i.up.reason.as_str() == reason))
        && (query.overdue.is_empty() || p.due == Due::Overdue)
        && (query.mine.is_empty() || p.assigned().is_some_and(|(id, _)| *id == me))
        && (q.is_empty()
            || p.items.iter().any(|i| {
                let row = &i.row;
                !row.anonymised
                    && (row.caller_name.as_deref().is_some_and(|n| n.to_lowercase().contains(&q))
                        || row.caller_street.as_deref().is_some_and(|s| s.to_lowercase().contains(&q))
                        || (digits.len() >= 4
                            && row.from.as_deref().is_some_and(|f| {
                                let national = PhoneNumber::from_stored(f).map(|p| p.readable()).unwrap_or_default();
                                national.chars().filter(char::is_ascii_digit).collect::<String>().contains(&digits)
                                    || f.contains(&digits)
                            })))
            }))
}

fn due_label(l: super::text::Lang, due: Due) -> maud::Markup {
    html! {
        @match due {
            Due::Overdue => span.status.red { (l.t("Te laat", "Overdue")) },
            Due::Today => span.status.amber { (l.t("Vandaag", "Today")) },
            Due::Later(day) => span.status { (l.t("Vanaf", "From")) " " (l.day(day)) },
        }
    }
}

/// What the caller heard would happen, in a sentence.
fn told(l: super::text::Lang, tz: &jiff::tz::TimeZone, p: &Person) -> String {
    let item = p.newest();
    let when = p.promised.map(|t| l.when(t, tz));
    match (item.up.reason, when) {
        (FollowUpReason::Voicemail, Some(when)) => format!(
            "{} {when}.",
            l.t(
                "De beller sprak een bericht in en hoorde dat de balie terugbelt vanaf",
                "The caller left a message and heard that the desk calls back from"
            )
        ),
        (FollowUpReason::Voicemail, None) => l
            .t(
                "De beller sprak een bericht in en hoorde dat de balie terugbelt.",
                "The caller left a message and heard that the desk calls back.",
            )
            .to_string(),
        (FollowUpReason::Abandoned, _) => l
            .t(
                "De beller hing op voordat er hulp was. Er is niets beloofd.",
                "The caller hung up before help was found. Nothing was promised.",
            )
            .to_string(),
        (FollowUpReason::Message, _) => l
            .t(
                "Een buur sprak een bericht in voor de balie. Er is niets beloofd.",
                "A neighbour left a message for the desk. Nothing was promised.",
            )
            .to_string(),
        (FollowUpReason::OwnSetting, _) => l
            .t(
                "Een deelnemer vroeg per telefoon om een andere pauze, en hoorde dat de balie terugbelt om het te regelen. Er is nog niets veranderd.",
                "A participant asked by phone for a different pause, and heard that the desk calls back to arrange it. Nothing has changed yet.",
            )
            .to_string(),
        (FollowUpReason::Unconfirmed, _) => l
            .t(
                "Een buur zei ja. Of ze elkaar gesproken hebben, is niet bevestigd.",
                "A neighbour said yes. Whether they spoke is not confirmed.",
            )
            .to_string(),
        _ => l
            .t("De beller hoorde dat er nu niemand gevonden is.", "The caller heard that nobody was found for now.")
            .to_string(),
    }
}

/// The few questions to ask on the phone.
fn checklist(l: super::text::Lang, reason: FollowUpReason) -> maud::Markup {
    html! {
        ul.checklist {
            @if reason == FollowUpReason::Message {
                li { (l.t("Luister eerst het bericht.", "Listen to the message first.")) }
                li { (l.t("Moet er iemand gaan kijken, of de huisarts of wijkverpleging gebeld?", "Should someone go and look, or the GP or district nurse be called?")) }
                li { (l.t("Bedank de buur voor het melden.", "Thank the neighbour for telling us.")) }
            }
            @if reason.is_round() {
                li { (l.t("Bel de bewoner zelf, nu.", "Call the resident yourself, now.")) }
                li { (l.t("Geen gehoor? Bel de contactpersonen, of vraag een buur met een sleutel om te gaan kijken.", "No answer? Call the contacts, or ask a neighbour with a key to go and look.")) }
                li { (l.t("Zorgen en niemand kan gaan? Bel 112.", "Worried and nobody can go? Call 112.")) }
            }
            @if reason == FollowUpReason::OwnSetting {
                li { (l.t("Bel het nummer in het register, niet een nummer dat iemand noemt: nummerweergave kan vervalst zijn.", "Call the number in the register, not one someone gives: caller ID can be forged.")) }
                li { (l.t("Vroeg de deelnemer dit zelf? Wat willen ze?", "Did the participant ask for this themselves? What do they want?")) }
                li { (l.t("Pas het aan op hun pagina, onder Pauze (of op de Goedemorgenronde).", "Change it on their page, under Pause (or on the good-morning round's page).")) }
            }
            @if reason == FollowUpReason::Unconfirmed {
                li { (l.t("Heeft u de buur gesproken? Is het gelukt?", "Did you speak to the neighbour? Did it work out?")) }
            }
            @if !(reason.is_round() || matches!(reason, FollowUpReason::Message | FollowUpReason::OwnSetting)) {
            li { (l.t("Is de hulp nog nodig?", "Is the help still needed?")) }
            li { (l.t("Wanneer komt het u goed uit?", "When would suit you?")) }
            li { (l.t("Mag er ook een buur van wat verder weg komen?", "May a neighbour from a bit further away come too?")) }
            }
        }
    }
}

pub(super) fn step_text(l: super::text::Lang, s: &q::StepRow) -> String {
    match s.step.as_str() {
        "not-reached" => {
            format!("{}: {}", l.t("Niet bereikt, opnieuw proberen op", "Not reached, try again on"), s.detail)
        }
        "assigned" => format!("{} {}", l.t("Toegewezen aan", "Assigned to"), s.detail),
        "unassigned" => l.t("Niet meer toegewezen", "No longer assigned").to_string(),
        "reopened" => l.t("Heropend", "Reopened").to_string(),
        "closed" => format!("{}: {}", l.t("Afgehandeld", "Closed"), l.follow_up_result(&s.detail)),
        other => other.to_string(),
    }
}

/// Where to come back to after a step: this list with its filters, at `anchor`.
fn back_to(query: &ListQuery, flag: &str, anchor: Option<&str>) -> String {
    let mut url = String::from("/desk/follow-up?");
    let filters = query.filters();
    if !filters.is_empty() {
        url.push_str(&filters);
        url.push('&');
    }
    url.push_str(flag);
    if let Some(a) = anchor {
        url.push_str("#person-");
        url.push_str(a);
    }
    url
}

/// A `back` field from a form: only a place on the follow-up page.
fn safe_back(back: &str, fallback: &str) -> String {
    let ok = back.starts_with("/desk/follow-up?")
        && back.chars().all(|c| c.is_ascii_graphic())
        && !back.contains("//")
        && !back.contains('\\');
    if ok {
        back.to_string()
    } else {
        fallback.to_string()
    }
}

async fn load_queue(state: &Arc<AppState>, desk: &Desk) -> Result<Vec<Person>, Failure> {
    let scope = desk.scope.clone();
    let (items, steps) = read(state, move |c| {
        let mut out = Vec::new();
        for (up, row) in q::open_follow_ups(c, 500, &scope)? {
            let notes = q::notes_for(c, row.caller_id, row.from.as_deref())?;
            let request = callbacks::latest_for_call(c, &row.call_sid)?;
            let round = match row.morning_id {
                Some(morning) => {
                    let mut calls = crate::store::round::log(c, None, Some(morning), 50)?;
                    calls.reverse();
                    calls
                }
                None => Vec::new(),
            };
            out.push(Item { up, row, request, notes, round });
        }
        let ids: Vec<i64> = out.iter().map(|i| i.up.id).collect();
        let steps = q::steps(c, &ids)?;
        Ok((out, steps))
    })
    .await?;
    let today = state.switchboard.clock.now().to_zoned(state.desk.time_zone.clone()).date();
    Ok(queue(state, items, steps, today))
}

fn filters_form(desk: &Desk, state: &AppState, query: &ListQuery) -> maud::Markup {
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

pub async fn list(
    desk: Desk,
    State(state): State<Arc<AppState>>,
    Query(query): Query<ListQuery>,
) -> Result<Response, Failure> {
    if query.view == "closed" {
        return closed_list(desk, state, query).await;
    }
    let l = desk.lang;
    let week_ago = state.switchboard.clock.now() - jiff::SignedDuration::from_hours(7 * 24);
    let scope = desk.scope.clone();
    let taken = read(&state, move |c| {
        let mut out = Vec::new();
        for r in callbacks::taken_at_desk(c, week_ago)?.into_iter().filter(|r| scope.sees_number(&r.dialplan_number)) {
            let name = match r.participant_id {
                Some(id) => crate::store::participants::find(c, id)?.map(|p| p.details.name),
                None => None,
            };
            out.push((r, name));
        }
        Ok(out)
    })
    .await?;
    let all = load_queue(&state, &desk).await?;
    let total = all.len();
    let people: Vec<Person> = all.into_iter().filter(|p| matches(p, &query, desk.user.id)).collect();
    let (user, shown) = (desk.user.name.clone(), people.len());
    write(&state, move |tx, now| accounts::audit(tx, now, &user, &AuditAction::ViewedFollowUps { open: shown }, None))
        .await?;
    let users = read(&state, accounts::users).await?;
    let users: Vec<_> = users.into_iter().filter(|u| !u.disabled).collect();
    let tz = &state.desk.time_zone;
    let today = state.switchboard.clock.now().to_zoned(tz.clone()).date();
    let tomorrow = today.tomorrow().unwrap_or(today);
    let waves = state.switchboard.neighbourhoods.current().all().any(|n| n.dialplan.ringing.mode == RingMode::Waves);
    let overdue = people.iter().filter(|p| p.due == Due::Overdue).count();
    let filters = query.filters();
    let body = html! {
        @if !query.closed.is_empty() { (layout::message_box(l.t("Afgehandeld. Dank u wel!", "Closed. Thank you!"), false)) }
        @if !query.saved.is_empty() { (layout::message_box(l.t("Opgeslagen.", "Saved."), false)) }
        @if !query.callback.is_empty() { (layout::message_box(l.t("De centrale zoekt een buur en belt de beller terug zodra iemand ja zegt.", "The switchboard looks for a neighbour and calls the caller back as soon as someone says yes."), false)) }
        @if !query.stopped.is_empty() { (layout::message_box(l.t("Het zoeken is gestopt. Er worden geen buren meer gebeld voor deze beller.", "The search has stopped. No more neighbours are rung for this caller."), false)) }
        (filters_form(&desk, &state, &query))
        @if total == 0 {
            p { (l.t("Er staat niets open. Iedereen is geholpen of teruggebeld.", "Nothing is open. Everyone has been helped or called back.")) }
        } @else {
            p #queue-summary {
                strong { (people.len()) } " " (if people.len() == 1 { l.t("persoon", "person") } else { l.t("personen", "people") })
                @if people.len() < total { " " (l.t("van de", "of")) " " (total) }
                @if overdue > 0 { " · " strong { (overdue) } " " (l.t("te laat", "overdue")) }
                " · " (l.t("te laat bovenaan", "overdue first"))
                " · " a href=(format!("/desk/follow-up/print{}{filters}", if filters.is_empty() { "" } else { "?" })) { (l.t("Daglijst afdrukken", "Print the day list")) }
                " · " a href="/desk/follow-up?view=closed" { (l.t("Afgehandeld (30 dagen)", "Closed (30 days)")) }
            }
        }
        @if people.is_empty() && total > 0 { p { (l.t("Niemand past bij deze filters.", "Nobody matches these filters.")) } }
        ul.queue {
            @for (i, p) in people.iter().enumerate() {
                @let item = p.newest();
                @let row = &item.row;
                // After closing, come back at the next person (or the one before, at the end).
                @let next = people.get(i + 1).or(if i > 0 { people.get(i - 1) } else { None }).map(|n| n.key.as_str());
                li id=(format!("person-{}", p.key)) {
                    details {
                        summary {
                            @if p.urgent() { span.status.red { (l.t("Dringend", "Urgent")) } " " }
                            strong { (caller(l, row)) }
                            @if let Some(street) = row.caller_street.as_deref().filter(|s| !s.is_empty()) { ", " (street) }
                            " · " (l.follow_up_reason(item.up.reason))
                            " · " (state.desk.category(l, row.category.as_deref()))
                            " " (due_label(l, p.due))
                            @if p.items.len() > 1 { " · " (p.items.len()) " " (l.t("gesprekken", "calls")) }
                            @if p.tries() > 0 { " · " (p.tries()) "× " (l.t("niet bereikt", "not reached")) }
                            @if let Some((_, name)) = p.assigned() { " · " (l.t("bij", "with")) " " (name) }
                        }
                        div.card {
                            @if let Some(from) = row.from.as_deref().filter(|_| !row.anonymised) {
                                @let readable = PhoneNumber::from_stored(from).map(|p| p.readable()).unwrap_or_else(|_| from.to_string());
                                p.call-link { a.button href=(format!("tel:{from}")) { (l.t("Bel", "Call")) " " (readable) } }
                            } @else {
                                p.muted { (l.t("Geen nummer: de beller belde anoniem.", "No number: the caller withheld it.")) }
                            }
                            p { strong { (l.t("Gezegd:", "Told:")) } " " (told(l, tz, p)) }
                            h3 { (l.t("Vraag", "Ask")) }
                            (checklist(l, item.up.reason))
                            h3 { (l.t("Gesprekken", "Calls")) }
                            @for it in &p.items {
                                @let attempts = &it.row.attempts;
                                div.call id=(format!("follow-up-{}", it.up.id)) {
                                    p {
                                        @if it.up.reason != FollowUpReason::Unconfirmed && attempts.iter().any(|a| a.key.as_deref() == Some("1")) {
                                            // Someone said yes, but the two never talked (the caller hung up just
                                            // before, or did not answer when called back).
                                            strong { (l.t("Een buur zei ja, maar ze zijn niet verbonden: terugbellen", "A neighbour said yes, but they were not put through: call back")) } br;
                                        } @else {
                                            strong { (l.follow_up_reason(it.up.reason)) } br;
                                        }
                                        (l.t("Belde", "Called")) " " a href=(format!("/desk/calls/{}", it.row.call_sid)) { (l.when(it.row.started_at, tz)) }
                                        " · " (state.desk.category(l, it.row.category.as_deref()))
                                        @if !attempts.is_empty() {
                                            br; span.muted { (l.t("Gebeld:", "Rung:")) " " @for (i, a) in attempts.iter().enumerate() { @if i > 0 { ", " } (if a.first_name.is_empty() { "—" } else { &a.first_name }) " (" (if a.key.as_deref() == Some("1") { l.attempt_result(Some("accepted")) } else { l.attempt_result(a.result.as_deref()) }) ")" } }
                                        }
                                    }
                                    @if it.row.voicemail_url.is_some() {
                                        p { (l.t("Het bericht:", "The message:")) br; (super::calls::voicemail_player(l, &state, &it.row)) }
                                    }
                                    @if !it.round.is_empty() {
                                        p { strong { (l.t("De ronde van die ochtend:", "That morning's round:")) } }
                                        ol.timeline {
                                            @for r in &it.round {
                                                li {
                                                    (l.when(jiff::Timestamp::from_second(r.at).unwrap_or(jiff::Timestamp::UNIX_EPOCH), tz))
                                                    " · " (l.round_who(&r.who, r.n)) ": " (l.round_result(r.result))
                                                    @if let Some(by) = &r.confirmed_by { " (" (by) ")" }
                                                }
                                            }
                                        }
                                    }
                                    @if let Some(about) = &it.up.about_call {
                                        p { (l.t("Over het gesprek waarbij deze buur het laatst hielp:", "About the call this neighbour last helped with:")) " " a href=(format!("/desk/calls/{about}")) { (l.t("bekijk", "view")) } }
                                    }
                                    @let searching = it.request.as_ref().is_some_and(|r| r.status.in_progress());
                                    @if let Some(r) = &it.request {
                                        (callback_status(l, tz, r))
                                        @if r.status.stoppable() {
                                            form method="post" action=(format!("/desk/follow-up/{}/stop-call-back", it.up.id)) {
                                                (layout::csrf(&desk))
                                                button.secondary type="submit" { (l.t("Stop met zoeken", "Stop searching")) }
                                            }
                                        }
                                    }
                                    @if waves && !searching && it.row.from.is_some() && it.row.category.is_some() {
                                        form method="post" action=(format!("/desk/follow-up/{}/call-back", it.up.id)) {
                                            (layout::csrf(&desk))
                                            button type="submit" { (l.t("Zoek een buur en bel terug", "Find a neighbour and call back")) }
                                        }
                                    }
                                }
                            }
                            @if !item.notes.is_empty() {
                                h3 { (l.t("Eerdere notities", "Earlier notes")) }
                                (note_list(l, tz, &item.notes))
                            }
                            @if !p.steps.is_empty() {
                                h3 { (l.t("Wat er al gedaan is", "Done so far")) }
                                ul.steps { @for s in &p.steps { li { (l.when(s.at, tz)) " · " (s.user_name) ": " (step_text(l, s)) } } }
                            }
                            div.actions {
                                form.stack method="post" action=(format!("/desk/follow-up/{}/not-reached", item.up.id)) {
                                    (layout::csrf(&desk))
                                    input type="hidden" name="back" value=(back_to(&query, "saved=1", Some(&p.key)));
                                    label for=(format!("day-{}", p.key)) { (l.t("Niet bereikt? Opnieuw proberen op", "Not reached? Try again on")) }
                                    input id=(format!("day-{}", p.key)) type="date" name="day" value=(tomorrow.to_string()) min=(today.to_string()) required;
                                    button.secondary type="submit" { (l.t("Niet bereikt", "Not reached")) }
                                }
                                form.stack method="post" action=(format!("/desk/follow-up/{}/assign", item.up.id)) {
                                    (layout::csrf(&desk))
                                    input type="hidden" name="back" value=(back_to(&query, "saved=1", Some(&p.key)));
                                    label for=(format!("to-{}", p.key)) { (l.t("Toewijzen aan", "Assign to")) }
                                    select id=(format!("to-{}", p.key)) name="to" {
                                        option value="" { (l.t("niemand", "nobody")) }
                                        @for u in &users { option value=(u.id) selected[p.assigned().is_some_and(|(id, _)| *id == u.id)] { (u.name) @if u.id == desk.user.id { " " (l.t("(uzelf)", "(you)")) } } }
                                    }
                                    button.secondary type="submit" { (l.t("Toewijzen", "Assign")) }
                                }
                            }
                            form.stack method="post" action=(format!("/desk/follow-up/{}/close", item.up.id)) {
                                (layout::csrf(&desk))
                                input type="hidden" name="back" value=(back_to(&query, "closed=1", next));
                                fieldset {
                                    legend { (l.t("Hoe is het afgehandeld?", "How was it resolved?")) @if p.items.len() > 1 { span.hint { (l.t("Voor alle gesprekken van deze persoon hierboven.", "For all of this person's calls above.")) } } }
                                    @for r in FollowUpResult::ALL {
                                        label.check { input type="radio" name="result" value=(r.as_str()) required; (l.follow_up_result(r.as_str())) }
                                    }
                                }
                                label for=(format!("note-{}", p.key)) { (l.t("Notitie", "Note")) span.hint { (l.t("Blijft bewaard bij deze beller, voor de volgende coördinator.", "Kept with this caller, for the next coordinator.")) } }
                                textarea id=(format!("note-{}", p.key)) name="note" maxlength="2000" {}
                                button type="submit" { (l.t("Afhandelen", "Close")) }
                            }
                        }
                    }
                }
            }
        }
        @if waves { (take_request_form(&desk, &state, &taken)) }
    };
    Ok(layout::page(&desk, Nav::FollowUp, l.t("Opvolgen", "Follow-up"), body).into_response())
}

/// The last 30 days' closed follow-ups, each with a button to open it again.
async fn closed_list(desk: Desk, state: Arc<AppState>, query: ListQuery) -> Result<Response, Failure> {
    let l = desk.lang;
    let since = state.switchboard.clock.now() - jiff::SignedDuration::from_hours(30 * 24);
    let scope = desk.scope.clone();
    let closed = read(&state, move |c| q::closed_follow_ups(c, since, 200, &scope)).await?;
    let tz = &state.desk.time_zone;
    let body = html! {
        p { a href="/desk/follow-up" { "← " (l.t("Wat open staat", "What is open")) } }
        @if closed.is_empty() { p { (l.t("De laatste 30 dagen is niets afgehandeld.", "Nothing was closed in the last 30 days.")) } }
        (layout::scroll(l, html! { table {
            thead { tr {
                th scope="col" { (l.t("Beller", "Caller")) } th scope="col" { (l.t("Reden", "Reason")) }
                th scope="col" { (l.t("Afgehandeld", "Closed")) } th scope="col" { (l.t("Hoe", "How")) } th scope="col" { (l.t("Heropenen", "Reopen")) }
            } }
            tbody { @for (up, row) in &closed {
                tr {
                    td { a href=(format!("/desk/calls/{}", row.call_sid)) { (caller(l, row)) } }
                    td { (l.follow_up_reason(up.reason)) }
                    td { @if let Some(at) = up.closed_at { (l.when_short(at, tz)) } " " (up.closed_by.as_deref().unwrap_or("")) }
                    td { (l.follow_up_result(up.result.as_deref().unwrap_or("other"))) }
                    td {
                        form method="post" action=(format!("/desk/follow-up/{}/reopen", up.id)) {
                            (layout::csrf(&desk))
                            input type="hidden" name="back" value=(back_to(&ListQuery { view: String::new(), ..query.clone() }, "saved=1", None));
                            button.secondary type="submit" { (l.t("Heropenen", "Reopen")) }
                        }
                    }
                }
            } }
        } }))
    };
    Ok(layout::page(&desk, Nav::FollowUp, l.t("Afgehandeld", "Closed"), body).into_response())
}

/// The day list: one line per person with their number and reason, and room for notes,
/// on one or two A4 pages.
pub async fn print(
    desk: Desk,
    State(state): State<Arc<AppState>>,
    Query(query): Query<ListQuery>,
) -> Result<Response, Failure> {
    let l = desk.lang;
    let people: Vec<Person> =
        load_queue(&state, &desk).await?.into_iter().filter(|p| matches(p, &query, desk.user.id)).collect();
    let (user, shown) = (desk.user.name.clone(), people.len());
    write(&state, move |tx, now| {
        accounts::audit(tx, now, &user, &AuditAction::PrintedFollowUps { people: shown }, None)
    })
    .await?;
    let tz = &state.desk.time_zone;
    let today = state.switchboard.clock.now().to_zoned(tz.clone()).date();
    let body = html! {
        p.no-print { a href=(format!("/desk/follow-up?{}", query.filters())) { "← " (l.t("Opvolgen", "Follow-up")) } " · " (l.t("Druk af met Ctrl+P.", "Print with Ctrl+P.")) }
        p { (l.t("Daglijst van", "Day list of")) " " (l.day(today)) " · " (people.len()) " " (if people.len() == 1 { l.t("persoon", "person") } else { l.t("personen", "people") }) }
        table.day-list {
            thead { tr {
                th scope="col" { (l.t("Naam", "Name")) } th scope="col" { (l.t("Telefoon", "Phone")) }
                th scope="col" { (l.t("Reden", "Reason")) } th scope="col" { (l.t("Notities", "Notes")) }
            } }
            tbody { @for p in &people {
                @let row = &p.newest().row;
                tr {
                    td { strong { (caller(l, row)) } @if let Some(s) = row.caller_street.as_deref().filter(|s| !s.is_empty()) { br; (s) } }
                    td { @if let Some(from) = row.from.as_deref().filter(|_| !row.anonymised) { (PhoneNumber::from_stored(from).map(|p| p.readable()).unwrap_or_else(|_| from.to_string())) } @else { "—" } }
                    td { (l.follow_up_reason(p.newest().up.reason)) br; (state.desk.category(l, row.category.as_deref())) " " (due_label(l, p.due)) }
                    td.notes {}
                }
            } }
        }
    };
    Ok(layout::page(&desk, Nav::FollowUp, l.t("Daglijst", "Day list"), body).into_response())
}

#[derive(Deserialize)]
pub struct CloseForm {
    #[serde(default)]
    result: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    back: String,
}

pub async fn close(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    CheckedForm(desk, f): CheckedForm<CloseForm>,
) -> Result<Response, Failure> {
    let id = match visible_follow_up(&state, &desk, &id).await? {
        Ok(id) => id,
        Err(refused) => return Ok(refused),
    };
    let l = desk.lang;
    let Some(result) = FollowUpResult::parse(&f.result) else {
        return Ok(desk.refusal(
            StatusCode::BAD_REQUEST,
            l.t(
                "Kies hoe het is afgehandeld. Er is niets opgeslagen.",
                "Choose how it was resolved. Nothing was saved.",
            ),
        ));
    };
    if f.note.chars().count() > 2000 {
        return Ok(desk.refusal(
            StatusCode::BAD_REQUEST,
            l.t(
                "De notitie is langer dan 2000 tekens. Er is niets opgeslagen.",
                "The note is longer than 2000 characters. Nothing was saved.",
            ),
        ));
    }
    let note: String = f.note.chars().filter(|c| !c.is_control() || *c == '\n').collect();
    let user = desk.user.name.clone();
    let scope = desk.scope.clone();
    let closed = write(&state, move |tx, now| {
        // One call back answers for all of the person's open calls.
        let mut ids = q::same_person_open(tx, id, &scope)?;
        if ids.is_empty() {
            ids.push(id);
        }
        let mut outcome = Closed::AlreadyClosed;
        for (i, each) in ids.into_iter().enumerate() {
            // The note is kept once, with the first.
            let closed = q::close_follow_up(tx, each, result, if i == 0 { &note } else { "" }, &user, now)?;
            if closed == Closed::Closed {
                let caller = q::caller_of_follow_up(tx, each)?;
                accounts::audit(tx, now, &user, &AuditAction::ClosedFollowUp { id: each, result }, caller)?;
                outcome = Closed::Closed;
            } else if each == id {
                outcome = closed;
            }
        }
        Ok(outcome)
    })
    .await?;
    if closed == Closed::Closed {
        // Every open desk page's menu counts one fewer.
        let _ = state.switchboard.changes.send(String::new());
    }
    Ok(match closed {
        Closed::Closed => Redirect::to(&safe_back(&f.back, "/desk/follow-up?closed=1")).into_response(),
        Closed::AlreadyClosed => desk.refusal(
            StatusCode::CONFLICT,
            l.t(
                "Iemand anders heeft dit al afgehandeld. Er is niets gewijzigd.",
                "Someone else already closed this. Nothing was changed.",
            ),
        ),
        Closed::NotFound => {
            desk.refusal(StatusCode::NOT_FOUND, l.t("Dit verzoek bestaat niet.", "This request does not exist."))
        }
    })
}

#[derive(Deserialize)]
pub struct StepForm {
    /// Not reached: the day to try again (YYYY-MM-DD).
    #[serde(default)]
    day: String,
    /// Assign: a desk account's id, or empty for nobody.
    #[serde(default)]
    to: String,
    #[serde(default)]
    back: String,
}

/// The follow-up a step form names (after its CSRF token and the account's scope are
/// checked), with the open follow-ups of its person; or the refusal to answer.
async fn person_open(
    state: &Arc<AppState>,
    desk: &Desk,
    id: &str,
) -> Result<Result<(i64, Vec<i64>), Response>, Failure> {
    let id = match visible_follow_up(state, desk, id).await? {
        Ok(id) => id,
        Err(refused) => return Ok(Err(refused)),
    };
    let scope = desk.scope.clone();
    let ids = read(state, move |c| q::same_person_open(c, id, &scope)).await?;
    if ids.is_empty() {
        let l = desk.lang;
        return Ok(Err(desk.refusal(
            StatusCode::CONFLICT,
            l.t("Dit is al afgehandeld. Er is niets gewijzigd.", "This is closed already. Nothing was changed."),
        )));
    }
    Ok(Ok((id, ids)))
}

/// A call back that reached nobody: counted, tried again on the chosen day; it stays open.
pub async fn not_reached(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    CheckedForm(desk, f): CheckedForm<StepForm>,
) -> Result<Response, Failure> {
    let (id, ids) = match person_open(&state, &desk, &id).await? {
        Ok(found) => found,
        Err(refused) => return Ok(refused),
    };
    let l = desk.lang;
    let today = state.switchboard.clock.now().to_zoned(state.desk.time_zone.clone()).date();
    let day = match f.day.trim().parse::<jiff::civil::Date>() {
        Ok(day) if day >= today && day <= today + jiff::Span::new().days(92) => day,
        _ => {
            return Ok(desk.refusal(
                StatusCode::BAD_REQUEST,
                l.t(
                    "Kies een dag om het opnieuw te proberen: vandaag of later, binnen drie maanden. Er is niets opgeslagen.",
                    "Choose a day to try again: today or later, within three months. Nothing was saved.",
                ),
            ))
        }
    };
    let user = desk.user.name.clone();
    write(&state, move |tx, now| {
        q::not_reached(tx, &ids, &day.to_string(), &user, now)?;
        let caller = q::caller_of_follow_up(tx, id)?;
        accounts::audit(tx, now, &user, &AuditAction::NotReachedOnCallBack { id, try_again_on: day }, caller)
    })
    .await?;
    Ok(Redirect::to(&safe_back(&f.back, "/desk/follow-up?saved=1")).into_response())
}

/// Assigns a person's open follow-ups to a desk account, or to nobody.
pub async fn assign(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    CheckedForm(desk, f): CheckedForm<StepForm>,
) -> Result<Response, Failure> {
    let (id, ids) = match person_open(&state, &desk, &id).await? {
        Ok(found) => found,
        Err(refused) => return Ok(refused),
    };
    let l = desk.lang;
    let users = read(&state, accounts::users).await?;
    let to = match f.to.trim() {
        "" => None,
        given => match users.into_iter().find(|u| !u.disabled && u.id.to_string() == given) {
            Some(u) => Some((u.id, u.name)),
            None => {
                return Ok(desk.refusal(
                    StatusCode::BAD_REQUEST,
                    l.t(
                        "Die gebruiker bestaat niet. Er is niets opgeslagen.",
                        "That user does not exist. Nothing was saved.",
                    ),
                ))
            }
        },
    };
    let user = desk.user.name.clone();
    write(&state, move |tx, now| {
        q::assign(tx, &ids, to.as_ref().map(|(i, n)| (*i, n.as_str())), &user, now)?;
        let caller = q::caller_of_follow_up(tx, id)?;
        let action = AuditAction::AssignedFollowUp { id, to: to.map(|(_, name)| name) };
        accounts::audit(tx, now, &user, &action, caller)
    })
    .await?;
    Ok(Redirect::to(&safe_back(&f.back, "/desk/follow-up?saved=1")).into_response())
}

/// Opens a closed follow-up again.
pub async fn reopen(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    CheckedForm(desk, f): CheckedForm<StepForm>,
) -> Result<Response, Failure> {
    let id = match visible_follow_up(&state, &desk, &id).await? {
        Ok(id) => id,
        Err(refused) => return Ok(refused),
    };
    let l = desk.lang;
    let user = desk.user.name.clone();
    let reopened = write(&state, move |tx, now| {
        let done = q::reopen(tx, id, &user, now)?;
        if done {
            let caller = q::caller_of_follow_up(tx, id)?;
            accounts::audit(tx, now, &user, &AuditAction::ReopenedFollowUp { id }, caller)?;
        }
        Ok(done)
    })
    .await?;
    if reopened {
        let _ = state.switchboard.changes.send(String::new());
    } else {
        return Ok(desk.refusal(
            StatusCode::CONFLICT,
            l.t("Dit staat al open. Er is niets gewijzigd.", "This is open already. Nothing was changed."),
        ));
    }
    Ok(Redirect::to(&safe_back(&f.back, "/desk/follow-up?saved=1")).into_response())
}

/// What became of a caller's call-back request, in a sentence.
fn callback_status(l: super::text::Lang, tz: &jiff::tz::TimeZone, r: &callbacks::Request) -> maud::Markup {
    html! {
        @match r.status {
            RequestStatus::Open | RequestStatus::Searching => {
                p.callback {
                    (l.t("De centrale zoekt een buur en belt terug zodra iemand ja zegt. Dat doet ze tot ", "The switchboard is looking for a neighbour and will call back as soon as someone says yes, until "))
                    (l.when(r.open_until, tz)) "."
                }
            },
            RequestStatus::Calling => { p.callback { (l.t("Een buur zei ja. De centrale belt de beller nu terug.", "A neighbour said yes. The switchboard is calling the caller back now.")) } },
            RequestStatus::Connected => { p.callback { (l.t("Teruggebeld: een buur helpt.", "Called back: a neighbour helps.")) } },
            RequestStatus::Expired => { p.callback { (l.t("De centrale heeft niemand gevonden om terug te bellen. Gezocht tot ", "The switchboard found nobody to call back with. Searched until ")) (l.when(r.open_until, tz)) "." } },
            RequestStatus::Unanswered => { p.callback { (l.t("Een buur zei ja, maar de beller nam niet op toen de centrale terugbelde.", "A neighbour said yes, but the caller did not answer when the switchboard called back.")) } },
            RequestStatus::Closed => { p.callback { (l.t("Het zoeken is gestopt door de balie.", "The desk stopped the search.")) } },
        }
    }
}

/// For a request someone brings to the desk (in person, or on the desk's own phone): the
/// switchboard looks for a neighbour and calls them back. With the requests taken this
/// way in the last week, and where each stands.
fn take_request_form(desk: &Desk, state: &AppState, taken: &[(callbacks::Request, Option<String>)]) -> maud::Markup {
    let l = desk.lang;
    let tz = &state.desk.time_zone;
    let all = state.switchboard.neighbourhoods.current();
    let hoods: Vec<_> =
        all.all().filter(|n| n.dialplan.ringing.mode == RingMode::Waves && desk.scope.sees_key(&n.key)).collect();
    let mut categories: Vec<&str> =
        hoods.iter().flat_map(|h| h.dialplan.categories.iter().map(|c| c.key.as_str())).collect();
    categories.sort();
    categories.dedup();
    html! {
        section.card aria-labelledby="take-request" {
            h2 #take-request { (l.t("Zelf een verzoek aannemen", "Take a request yourself")) }
            p.muted { (l.t("Vraagt iemand aan de balie of aan de telefoon om hulp? De centrale zoekt een buur en belt die persoon terug zodra iemand ja zegt.", "Someone asks for help at the desk or on the phone? The switchboard looks for a neighbour and calls them back as soon as someone says yes.")) }
            form.stack method="post" action="/desk/call-backs" {
                (layout::csrf(desk))
                label for="cb-phone" { (l.t("Telefoonnummer", "Phone number")) span.hint { (l.t("Waarop we terugbellen. Bijvoorbeeld 020-1234567.", "Where we call back. For example 020-1234567.")) } }
                input #cb-phone type="tel" name="phone" required autocomplete="off";
                label for="cb-category" { (l.t("Hulp bij", "Help with")) }
                select #cb-category name="category" required {
                    @for c in &categories { option value=(c) { (state.desk.category(l, Some(c))) } }
                }
                @if hoods.len() > 1 {
                    label for="cb-number" { (l.t("Buurt", "Neighbourhood")) }
                    select #cb-number name="number" { @for h in &hoods { option value=(h.dialplan.number.as_str()) { (h.dialplan.name) } } }
                } @else if let Some(h) = hoods.first() {
                    input type="hidden" name="number" value=(h.dialplan.number.as_str());
                }
                button type="submit" { (l.t("Zoek een buur en bel terug", "Find a neighbour and call back")) }
            }
            @if !taken.is_empty() {
                h3 { (l.t("Aangenomen verzoeken", "Requests taken")) }
                @for (r, name) in taken {
                    div.taken {
                        p {
                            strong { @match name { Some(n) => { (n) }, None => { (r.phone.as_deref().and_then(|p| PhoneNumber::from_stored(p).ok()).map(|p| p.readable()).unwrap_or_default()) } } }
                            " · " (state.desk.category(l, Some(&r.category))) " · " (l.when(r.created_at, tz))
                        }
                        (callback_status(l, tz, r))
                        @if r.status.stoppable() {
                            form method="post" action=(format!("/desk/call-backs/{}/stop", r.id)) {
                                (layout::csrf(desk))
                                button.secondary type="submit" { (l.t("Stop met zoeken", "Stop searching")) }
                            }
                        }
                    }
                }
            }
        }
    }
}

#[derive(Deserialize)]
pub struct TakeForm {
    #[serde(default)]
    phone: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    number: String,
}

/// The desk takes a request itself: the same search as "press 1 to be called back".
pub async fn take_request(
    State(state): State<Arc<AppState>>,
    CheckedForm(desk, f): CheckedForm<TakeForm>,
) -> Result<Response, Failure> {
    let l = desk.lang;
    let nothing = l.t("Er is niets opgeslagen.", "Nothing was saved.");
    let refuse = |message: String| desk.refusal(StatusCode::BAD_REQUEST, &format!("{message} {nothing}"));
    let Some(hood) = state
        .switchboard
        .neighbourhoods
        .by_number(f.number.trim())
        .filter(|h| h.dialplan.ringing.mode == RingMode::Waves && desk.scope.sees_key(&h.key))
    else {
        return Ok(refuse(
            l.t("Kies een buurt die in golven belt.", "Choose a neighbourhood that rings in waves.").to_string(),
        ));
    };
    if !hood.dialplan.has_category(&f.category) {
        return Ok(refuse(l.t("Kies waarbij de hulp nodig is.", "Choose what the help is for.").to_string()));
    }
    let phone = match PhoneNumber::parse(&f.phone) {
        Ok(p) => p,
        Err(e) => return Ok(refuse(format!("{}: {e}.", l.t("Telefoonnummer", "Phone number")))),
    };
    let user = desk.user.name.clone();
    let category = f.category.clone();
    write(&state, move |tx, now| {
        // Checked above already, with words for the desk.
        let opened = requests::open(tx, &hood, &phone, &category, requests::Origin::Desk, now)?
            .map_err(|refused| anyhow::anyhow!("the request was refused: {refused:?}"))?;
        let request = opened.id;
        accounts::audit(tx, now, &user, &AuditAction::TookCallBackRequest { request }, opened.participant)
    })
    .await?;
    Ok(Redirect::to("/desk/follow-up?callback=1").into_response())
}

/// The desk stops a request it took itself.
pub async fn stop_taken(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    CheckedFields(desk, _): CheckedFields,
) -> Result<Response, Failure> {
    let id = match form_id(&desk, &id) {
        Ok(id) => id,
        Err(refused) => return Ok(refused),
    };
    let (user, scope) = (desk.user.name.clone(), desk.scope.clone());
    let st = state.clone();
    let (stopped, out) = write(&state, move |tx, now| {
        let Some(request) = callbacks::find(tx, id)?.filter(|r| scope.sees_number(&r.dialplan_number)) else {
            return Ok((crate::switchboard::requests::StopOutcome::NotFound, Default::default()));
        };
        audited_stop(
            tx,
            now,
            &user,
            requests::stop_request(tx, &st.switchboard, request, now)?,
            StoppedFrom::Request(id),
        )
    })
    .await?;
    Ok(stopped_response(&desk, &state, stopped, out))
}

/// A stop carried out: audited when it stopped something.
fn audited_stop(
    tx: &rusqlite::Connection,
    now: jiff::Timestamp,
    user: &str,
    (stopped, request, out): (
        crate::switchboard::requests::StopOutcome,
        Option<callbacks::Request>,
        crate::switchboard::dispatch::Outbound,
    ),
    from: StoppedFrom,
) -> anyhow::Result<(crate::switchboard::requests::StopOutcome, crate::switchboard::dispatch::Outbound)> {
    if let (crate::switchboard::requests::StopOutcome::Stopped, Some(request)) = (&stopped, &request) {
        let action = AuditAction::StoppedCallBackSearch { from };
        accounts::audit(tx, now, user, &action, request.participant_id)?;
    }
    Ok((stopped, out))
}

/// The answer to a stop: back to the list, or why nothing changed. Phones to stop are told
/// to the provider now.
fn stopped_response(
    desk: &Desk,
    state: &Arc<AppState>,
    stopped: crate::switchboard::requests::StopOutcome,
    out: crate::switchboard::dispatch::Outbound,
) -> Response {
    use crate::switchboard::requests::StopOutcome;
    let l = desk.lang;
    crate::switchboard::dispatch::dispatch(state.switchboard.clone(), out);
    match stopped {
        StopOutcome::Stopped => Redirect::to("/desk/follow-up?stopped=1").into_response(),
        StopOutcome::TooLate => desk.refusal(
            StatusCode::CONFLICT,
            l.t("De centrale belt de beller op dit moment terug, of het zoeken is al voorbij. Er is niets gewijzigd.", "The switchboard is calling the caller back right now, or the search is over already. Nothing was changed."),
        ),
        StopOutcome::NotFound => desk.refusal(StatusCode::NOT_FOUND, l.t("Dit verzoek bestaat niet.", "This request does not exist.")),
    }
}

/// The id in a form's path, or the refusal.
fn form_id(desk: &Desk, id: &str) -> Result<i64, Response> {
    id.parse::<i64>().map_err(|_| {
        desk.refusal(StatusCode::NOT_FOUND, desk.lang.t("Dit verzoek bestaat niet.", "This request does not exist."))
    })
}

/// A follow-up's id from a form, checked as `checked_form_id` does, and only for a call
/// the account may see (otherwise it does not exist, as far as this account knows).
async fn visible_follow_up(state: &Arc<AppState>, desk: &Desk, id: &str) -> Result<Result<i64, Response>, Failure> {
    let id = match form_id(desk, id) {
        Ok(id) => id,
        Err(refused) => return Ok(Err(refused)),
    };
    let number = read(state, move |c| q::follow_up_number(c, id)).await?;
    if number.is_some_and(|n| desk.scope.sees_number(&n)) {
        Ok(Ok(id))
    } else {
        Ok(Err(desk
            .refusal(StatusCode::NOT_FOUND, desk.lang.t("Dit verzoek bestaat niet.", "This request does not exist."))))
    }
}

/// The desk stops a call-back search it no longer wants (the caller found help another
/// way, say): no more neighbours are rung, phones still ringing stop.
pub async fn stop_call_back(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    CheckedFields(desk, _): CheckedFields,
) -> Result<Response, Failure> {
    let id = match visible_follow_up(&state, &desk, &id).await? {
        Ok(id) => id,
        Err(refused) => return Ok(refused),
    };
    let user = desk.user.name.clone();
    let st = state.clone();
    let (stopped, out) = write(&state, move |tx, now| {
        audited_stop(tx, now, &user, requests::stop_callback(tx, &st.switchboard, id, now)?, StoppedFrom::FollowUp(id))
    })
    .await?;
    Ok(stopped_response(&desk, &state, stopped, out))
}

/// The desk starts the same search as "press 1 to be called back" for a caller who needs
/// it: neighbours are rung (in ringing hours) and the caller is called back on a yes.
pub async fn call_back(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    CheckedFields(desk, _): CheckedFields,
) -> Result<Response, Failure> {
    let id = match visible_follow_up(&state, &desk, &id).await? {
        Ok(id) => id,
        Err(refused) => return Ok(refused),
    };
    let l = desk.lang;
    let user = desk.user.name.clone();
    let st = state.clone();
    let outcome = write(&state, move |tx, now| {
        let Some((number, call_sid, caller, from, category)) = callbacks::follow_up_call(tx, id)? else {
            return Ok(Err(StatusCode::NOT_FOUND));
        };
        let hood = st.switchboard.neighbourhoods.by_number(&number);
        let phone = from.as_deref().and_then(|p| PhoneNumber::from_stored(p).ok());
        let (Some(hood), Some(phone), Some(category)) = (hood, phone, category) else {
            return Ok(Err(StatusCode::BAD_REQUEST));
        };
        let origin = requests::Origin::FollowUp { call_sid: &call_sid, caller };
        let request = match requests::open(tx, &hood, &phone, &category, origin, now)? {
            Ok(opened) => opened.id,
            Err(requests::Refused::InProgress) => return Ok(Err(StatusCode::CONFLICT)),
            Err(_) => return Ok(Err(StatusCode::BAD_REQUEST)),
        };
        accounts::audit(tx, now, &user, &AuditAction::StartedCallBackSearch { request, follow_up: id }, caller)?;
        Ok(Ok(()))
    })
    .await?;
    Ok(match outcome {
        Ok(()) => Redirect::to("/desk/follow-up?callback=1").into_response(),
        Err(StatusCode::NOT_FOUND) => desk.refusal(StatusCode::NOT_FOUND, l.t("Dit verzoek bestaat niet.", "This request does not exist.")),
        Err(StatusCode::CONFLICT) => desk.refusal(StatusCode::CONFLICT, l.t("Voor deze beller wordt al gezocht. Er is niets gewijzigd.", "A search for this caller is already running. Nothing was changed.")),
        Err(_) => desk.refusal(
            StatusCode::BAD_REQUEST,
            l.t("Terugbellen kan alleen met een bekend nummer, een soort hulp en een buurt die in golven belt. Er is niets gewijzigd.", "Calling back needs a known number, a kind of help and a neighbourhood that rings in waves. Nothing was changed."),
        ),
    })
}
