//! The small parts of the follow-up page: when it is due, what the caller was told, what
//! to ask, the steps taken, a call-back search, and the form to take a request.

use maud::html;

use jiff::Timestamp;

use super::queue::Item;
use crate::domain::callback::RequestStatus;
use crate::domain::desk::{Due, FollowUpReason};
use crate::domain::dialplan::RingMode;
use crate::domain::phone::PhoneNumber;
use crate::switchboard::desk::follow_up::Request;
use crate::switchboard::desk::StepRow;
use crate::web::desk::layout;
use crate::web::desk::text::Lang;
use crate::web::desk::Desk;
use crate::web::AppState;

pub(super) fn due_label(l: Lang, due: Due) -> maud::Markup {
    html! {
        @match due {
            Due::Overdue => span.status.red { (l.t("Te laat", "Overdue")) },
            Due::Today => span.status.amber { (l.t("Vandaag", "Today")) },
            Due::Later(day) => span.status { (l.t("Vanaf", "From")) " " (l.day(day)) },
        }
    }
}

/// What the caller heard would happen on this call, in a sentence; `None` for the
/// good-morning round, whose resident did not call (the round's own calls say what happened).
pub(super) fn told(l: Lang, tz: &jiff::tz::TimeZone, item: &Item, promised: Option<Timestamp>) -> Option<String> {
    if item.up.reason.is_round() {
        return None;
    }
    let when = promised.map(|t| l.when(t, tz));
    Some(match (item.up.reason, when) {
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
    })
}

/// The few questions to ask on the phone.
pub(super) fn checklist(l: Lang, reason: FollowUpReason) -> maud::Markup {
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

pub(in crate::web::desk) fn step_text(l: Lang, s: &StepRow) -> String {
    match s.step.as_str() {
        "not-reached" => {
            let day = s.detail.parse().map(|d| l.day(d)).unwrap_or_else(|_| s.detail.clone());
            let tried = format!("{} {day}", l.t("Niet bereikt, opnieuw proberen op", "Not reached, try again on"));
            match s.note.trim() {
                "" => tried,
                note => format!("{tried}. {} {note}", l.t("Notitie:", "Note:")),
            }
        }
        "assigned" => format!("{} {}", l.t("Toegewezen aan", "Assigned to"), s.detail),
        "unassigned" => l.t("Niet meer toegewezen", "No longer assigned").to_string(),
        "reopened" => l.t("Heropend", "Reopened").to_string(),
        "closed" => format!("{}: {}", l.t("Afgehandeld", "Closed"), l.follow_up_result(&s.detail)),
        other => other.to_string(),
    }
}

/// What became of a caller's call-back request, in a sentence.
pub(super) fn callback_status(l: Lang, tz: &jiff::tz::TimeZone, r: &Request) -> maud::Markup {
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
pub(super) fn take_request_form(desk: &Desk, state: &AppState, taken: &[(Request, Option<String>)]) -> maud::Markup {
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
