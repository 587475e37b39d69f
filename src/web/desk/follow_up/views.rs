//! The follow-up list: everyone with something open, one card per person with their calls,
//! what to ask, and the steps to take.

use maud::{html, Markup};

use super::parts::{callback_status, checklist, due_label, step_text, take_request_form, told};
use super::queue::{back_to, promised_after, Item, Person};
use super::tables::filters_form;
use super::ListPage;
use crate::domain::desk::{Due, FollowUpReason, FollowUpResult};
use crate::domain::phone::PhoneNumber;
use crate::web::desk::calls::{caller, note_list, voicemail_player};
use crate::web::desk::layout;

pub(super) fn list(page: &ListPage<'_>) -> Markup {
    let ListPage { desk, state, query, people, total, taken, waves, .. } = *page;
    let l = desk.lang;
    let overdue = people.iter().filter(|p| p.due == Due::Overdue).count();
    let filters = query.filters();
    html! {
        @if !query.closed.is_empty() { (layout::message_box(l.t("Afgehandeld. Dank u wel!", "Closed. Thank you!"), false)) }
        @if !query.saved.is_empty() { (layout::message_box(l.t("Opgeslagen.", "Saved."), false)) }
        @if !query.callback.is_empty() { (layout::message_box(l.t("De centrale zoekt een buur en belt de beller terug zodra iemand ja zegt.", "The switchboard looks for a neighbour and calls the caller back as soon as someone says yes."), false)) }
        @if !query.stopped.is_empty() { (layout::message_box(l.t("Het zoeken is gestopt. Er worden geen buren meer gebeld voor deze beller.", "The search has stopped. No more neighbours are rung for this caller."), false)) }
        (filters_form(desk, state, query))
        @if total == 0 {
            p { (l.t("Er staat niets open. Iedereen is geholpen of teruggebeld.", "Nothing is open. Everyone has been helped or called back.")) }
        } @else {
            p #queue-summary {
                strong { (people.len()) } " " (if people.len() == 1 { l.t("persoon", "person") } else { l.t("personen", "people") })
                @if people.len() < total { " " (l.t("van de", "of")) " " (total) }
                @let calls: usize = people.iter().map(|p| p.items.len()).sum();
                " (" (calls) " " (if calls == 1 { l.t("gesprek", "call") } else { l.t("gesprekken", "calls") }) ")"
                @if overdue > 0 { " · " strong { (overdue) } " " (l.t("te laat", "overdue")) }
                " · " (l.t("te laat bovenaan", "overdue first"))
                " · " a href=(format!("/desk/follow-up/print{}{filters}", if filters.is_empty() { "" } else { "?" })) { (l.t("Daglijst afdrukken", "Print the day list")) }
                " · " a href="/desk/follow-up?view=closed" { (l.t("Afgehandeld (30 dagen)", "Closed (30 days)")) }
            }
        }
        @if people.is_empty() && total > 0 { p { (l.t("Niemand past bij deze filters.", "Nobody matches these filters.")) } }
        ul.queue {
            @for (i, p) in people.iter().enumerate() { (person(page, i, p)) }
        }
        @if waves { (take_request_form(desk, state, taken)) }
    }
}

/// One person's card.
fn person(page: &ListPage<'_>, i: usize, p: &Person) -> Markup {
    let ListPage { desk, state, query, people, users, .. } = *page;
    let (l, tz) = (desk.lang, &state.desk.time_zone);
    let today = state.switchboard.clock.now().to_zoned(tz.clone()).date();
    let tomorrow = today.tomorrow().unwrap_or(today);
    let item = p.newest();
    let row = &item.row;
    // After closing, come back at the next person (or the one before, at the end).
    let next = people.get(i + 1).or(if i > 0 { people.get(i - 1) } else { None }).map(|n| n.key.as_str());
    html! {
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
                @if item.up.reason.is_round() && !item.contacts.is_empty() {
                    h3 { (l.t("Contactpersonen", "Contacts")) }
                    (layout::contact_list(&item.contacts))
                }
                h3 { (l.t("Vraag", "Ask")) }
                (checklist(l, item.up.reason))
                h3 { @if item.up.reason.is_round() { (l.t("De ochtend", "The morning")) } @else { (l.t("Gesprekken", "Calls")) } }
                @for it in &p.items { (call(page, it)) }
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
                        (layout::csrf(desk))
                        input type="hidden" name="back" value=(back_to(query, "saved=1", Some(&p.key)));
                        label for=(format!("day-{}", p.key)) { (l.t("Niet bereikt? Opnieuw proberen op", "Not reached? Try again on")) }
                        input id=(format!("day-{}", p.key)) type="date" name="day" value=(tomorrow.to_string()) min=(today.to_string()) required;
                        label for=(format!("try-note-{}", p.key)) { (l.t("Notitie bij deze poging", "Note on this try")) span.hint { (l.t("Niet verplicht. Bijvoorbeeld: dochter nam op, na 15 uur bellen.", "Optional. For example: daughter answered, call after 3 pm.")) } }
                        textarea id=(format!("try-note-{}", p.key)) name="note" maxlength="2000" rows="2" {}
                        button.secondary type="submit" { (l.t("Niet bereikt", "Not reached")) }
                    }
                    form.stack method="post" action=(format!("/desk/follow-up/{}/assign", item.up.id)) {
                        (layout::csrf(desk))
                        input type="hidden" name="back" value=(back_to(query, "saved=1", Some(&p.key)));
                        label for=(format!("to-{}", p.key)) { (l.t("Toewijzen aan", "Assign to")) }
                        select id=(format!("to-{}", p.key)) name="to" {
                            option value="" { (l.t("niemand", "nobody")) }
                            @for (id, name) in users { option value=(id) selected[p.assigned().is_some_and(|(a, _)| a == id)] { (name) @if *id == desk.user.id { " " (l.t("(uzelf)", "(you)")) } } }
                        }
                        button.secondary type="submit" { (l.t("Toewijzen", "Assign")) }
                    }
                }
                form.stack method="post" action=(format!("/desk/follow-up/{}/close", item.up.id)) {
                    (layout::csrf(desk))
                    input type="hidden" name="back" value=(back_to(query, "closed=1", next));
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

/// One of the person's calls, with its call-back search.
fn call(page: &ListPage<'_>, it: &Item) -> Markup {
    let ListPage { desk, state, waves, .. } = *page;
    let (l, tz) = (desk.lang, &state.desk.time_zone);
    let attempts = &it.row.attempts;
    html! {
        div.call id=(format!("follow-up-{}", it.up.id)) {
            p {
                @if it.up.reason != FollowUpReason::Unconfirmed && attempts.iter().any(|a| a.key.as_deref() == Some("1")) {
                    // Someone said yes, but the two never talked (the caller hung up just
                    // before, or did not answer when called back).
                    strong { (l.t("Een buur zei ja, maar ze zijn niet verbonden: terugbellen", "A neighbour said yes, but they were not put through: call back")) } br;
                } @else {
                    strong { (l.follow_up_reason(it.up.reason)) } br;
                }
                @if it.up.reason.is_round() {
                    (l.t("Ochtend van", "Morning of")) " " a href=(format!("/desk/calls/{}", it.row.call_sid)) { (l.when(it.row.started_at, tz)) }
                } @else {
                    (l.t("Belde", "Called")) " " a href=(format!("/desk/calls/{}", it.row.call_sid)) { (l.when(it.row.started_at, tz)) }
                    " · " (state.desk.category(l, it.row.category.as_deref()))
                }
                @if !attempts.is_empty() {
                    br; span.muted { (l.t("Gebeld:", "Rung:")) " " @for (i, a) in attempts.iter().enumerate() { @if i > 0 { ", " } (if a.first_name.is_empty() { "—" } else { &a.first_name }) " (" (if a.key.as_deref() == Some("1") { l.attempt_result(Some("accepted")) } else { l.attempt_result(a.result.as_deref()) }) ")" } }
                }
            }
            @if let Some(said) = told(l, tz, it, promised_after(state, &it.row)) {
                p.told { strong { (l.t("Gezegd:", "Told:")) } " " (said) }
            }
            @if it.row.voicemail_url.is_some() {
                p { (l.t("Het bericht:", "The message:")) br; (voicemail_player(l, state, &it.row)) }
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
                        (layout::csrf(desk))
                        button.secondary type="submit" { (l.t("Stop met zoeken", "Stop searching")) }
                    }
                }
            }
            @if waves && !searching && it.row.from.is_some() && it.row.category.is_some() {
                form method="post" action=(format!("/desk/follow-up/{}/call-back", it.up.id)) {
                    (layout::csrf(desk))
                    button type="submit" { (l.t("Zoek een buur en bel terug", "Find a neighbour and call back")) }
                }
            }
        }
    }
}
