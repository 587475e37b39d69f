//! The parts of the call pages others show too: one call's row (Now and Calls), the
//! table's head, the caller's name, a voicemail's player, notes about a caller.

use maud::{html, Markup};

use super::super::layout::{status, DASH};
use super::super::text::Lang;
use super::super::DeskState;
use crate::domain::call::Colour;
use crate::domain::phone::PhoneNumber;
use crate::switchboard::desk::{CallRow, LogEntry, Note};
use crate::web::AppState;

/// A call's message in the page: our own copy to play, or words saying it is still on its
/// way from the provider (or cannot come without credentials).
pub fn voicemail_player<A>(l: Lang, state: &AppState, r: &LogEntry<A>) -> Markup {
    html! {
        @if r.voicemail_stored {
            audio controls preload="none" src=(format!("/desk/voicemail/{}", r.call_sid)) { (l.t("Uw browser kan dit bericht niet afspelen.", "Your browser cannot play this message.")) }
        } @else if let Some(tries) = r.voicemail_failed_tries.filter(|t| *t >= FETCH_TRIES_TO_SAY_SO) {
            // Tried for about an hour (the wait doubles from a minute): say so, and what to do.
            span.status.red role="status" {
                (l.t("De opname kon nog niet worden opgehaald", "The recording could not be fetched yet")) " (" (tries) " " (l.t("pogingen", "tries")) "). "
                (l.t("De centrale blijft het proberen. Bel de beller terug: wat er gezegd is, weten we nog niet.", "The switchboard keeps trying. Call the caller back: what they said is not known yet."))
            }
        } @else {
            span.muted role="status" { (not_here_yet(l, state)) }
        }
    }
}

/// After this many failed fetches (about an hour, the wait doubling from a minute) the
/// desk is told the recording could not be fetched, rather than that it is on its way.
const FETCH_TRIES_TO_SAY_SO: u32 = 6;

pub(super) fn not_here_yet(l: Lang, state: &AppState) -> &'static str {
    if state.switchboard.provider_api().is_some() {
        l.t(
            "De opname wordt nog opgehaald bij de telefoonaanbieder. Kijk over een paar minuten opnieuw.",
            "The recording is still being fetched from the telephone provider. Look again in a few minutes.",
        )
    } else {
        // The technical reason is on /healthz and in the log (`web::machinery`).
        l.t(
            "Het bericht staat nog bij de telefoonaanbieder; vraag de beheerder om de koppeling. Bel de beller intussen terug.",
            "The message is still at the telephone provider; ask whoever runs the server to connect it. Meanwhile, call the caller back.",
        )
    }
}

/// The caller as the desk sees them: a name, or the number.
pub fn caller<A>(l: Lang, row: &LogEntry<A>) -> String {
    if row.anonymised {
        return "—".into();
    }
    match (&row.caller_name, &row.from) {
        (Some(name), _) => name.clone(),
        (None, Some(from)) => PhoneNumber::from_stored(from).map(|p| p.readable()).unwrap_or_else(|_| from.clone()),
        (None, None) => l.t("anoniem", "anonymous").into(),
    }
}

/// One line of the Now and Calls tables.
pub fn row(l: Lang, desk: &DeskState, r: &CallRow) -> Markup {
    let tz = &desk.time_zone;
    let status_class = Colour::of(r.outcome).as_str();
    let who = caller(l, r);
    let announce = format!(
        "{} {}: {}",
        l.time(r.started_at, tz),
        who,
        if r.outcome.is_some() { l.outcome(r.outcome) } else { l.phase(&r.phase) }
    );
    html! {
        tr id=(format!("call-{}", r.call_sid)) data-status=(status_class) data-announce=(announce) {
            td.when { a href=(format!("/desk/calls/{}", r.call_sid)) title=(l.when(r.started_at, tz)) { (l.when_short(r.started_at, tz)) } }
            td {
                (who)
                @if let Some(street) = r.caller_street.as_deref().filter(|s| !s.is_empty()) { br; span.muted { (street) } }
                // Not a call that came in: the switchboard looking again for someone who asked to be called back.
                @if r.kind == crate::domain::call::CallKind::CallbackSearch { br; span.muted { (l.t("terugbelpoging", "call-back search")) } }
            }
            td { (desk.category(l, r.category.as_deref())) }
            td { (status(l, &r.phase, r.outcome)) }
            td { @match &r.helper_first_name { Some(h) if !h.is_empty() => { (h) }, _ => { (DASH) } } }
            td.num.wide { @match r.wait_seconds { Some(w) => { (l.duration(w)) }, None => { (DASH) } } }
            td.num.wide { (r.rung) }
            td {
                @match r.follow_up.as_deref() {
                    Some("open") => { a href="/desk/follow-up" { (l.t("open", "open")) } },
                    Some(_) => { (l.t("afgehandeld", "closed")) },
                    None => { (DASH) },
                }
            }
        }
    }
}

pub fn table_head(l: Lang) -> Markup {
    html! {
        thead { tr {
            th scope="col" { (l.t("Begonnen", "Started")) }
            th scope="col" { (l.t("Beller", "Caller")) }
            th scope="col" { (l.t("Hulp bij", "Help with")) }
            th scope="col" { (l.t("Stand", "Status")) }
            th scope="col" { (l.t("Buur", "Neighbour")) }
            th.num.wide scope="col" { (l.t("Wachttijd", "Wait")) }
            th.num.wide scope="col" { (l.t("Gebeld", "Rung")) }
            th scope="col" { (l.t("Opvolgen", "Follow-up")) }
        } }
    }
}

pub fn note_list(l: Lang, tz: &jiff::tz::TimeZone, notes: &[Note]) -> Markup {
    html! {
        ul.notes {
            @for n in notes {
                li { span.muted { (l.when(n.at, tz)) ", " (n.author) } br; (l.note_text(&n.author, &n.text)) }
            }
        }
    }
}
