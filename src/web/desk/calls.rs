//! The call log with its filters, one call's timeline, and voicemail playback (from our
//! own copy: `switchboard::provider_jobs` fetches it from the provider).

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use jiff::civil::Date;
use jiff::Timestamp;
use maud::{html, Markup};
use serde::Deserialize;

use super::layout::{self, status, Nav, DASH};
use super::records::{CallSid, Seen};
use super::text::Lang;
use super::{Desk, DeskState, Failure};
use crate::domain::call::{Colour, Outcome};
use crate::domain::phone::PhoneNumber;
use crate::switchboard::desk::calls::{self as use_case, Voicemail};
use crate::switchboard::desk::{self, CallFilter, CallRow, LogEntry, Note, Scope};
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

fn not_here_yet(l: Lang, state: &AppState) -> &'static str {
    if state.switchboard.provider().is_some() {
        l.t(
            "De opname wordt nog opgehaald bij de telefoonaanbieder. Kijk over een paar minuten opnieuw.",
            "The recording is still being fetched from the telephone provider. Look again in a few minutes.",
        )
    } else {
        l.t(
            "De opname staat nog bij de telefoonaanbieder: ophalen kan pas als TWILIO_ACCOUNT_SID en TWILIO_AUTH_TOKEN zijn ingesteld.",
            "The recording is still at the telephone provider: fetching it needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN to be set.",
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
                @if use_case::is_search(&r.call_sid) { br; span.muted { (l.t("terugbelpoging", "call-back search")) } }
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

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    until: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    participant: String,
    /// A name (or street, or number) typed to find one participant's calls.
    #[serde(default)]
    who: String,
    #[serde(default)]
    before: String,
}

/// The Calls page's choice of outcome: calls still going, or one outcome (its stored word).
const IN_PROGRESS: &str = "in-progress";
const PAGE: u32 = 50;

fn day_start(date: &str, desk: &DeskState) -> Result<Option<Timestamp>, ()> {
    if date.trim().is_empty() {
        return Ok(None);
    }
    let d: Date = date.trim().parse().map_err(|_| ())?;
    d.to_zoned(desk.time_zone.clone()).map(|z| Some(z.timestamp())).map_err(|_| ())
}

/// Turns the typed filters into a query; a bad value is named, not ignored.
fn filter(q: &ListQuery, desk: &DeskState, desk_scope: &Scope, l: Lang) -> Result<CallFilter, String> {
    let from = day_start(&q.from, desk)
        .map_err(|_| format!("{} '{}'", l.t("Geen geldige datum bij 'van':", "Not a valid date in 'from':"), q.from))?;
    let until = match day_start(&q.until, desk) {
        Ok(Some(t)) => Some(t + jiff::SignedDuration::from_hours(24)),
        Ok(None) => None,
        Err(()) => {
            return Err(format!(
                "{} '{}'",
                l.t("Geen geldige datum bij 'tot en met':", "Not a valid date in 'until':"),
                q.until
            ))
        }
    };
    let outcome = match q.outcome.as_str() {
        "" => None,
        IN_PROGRESS => Some(None),
        o => match Outcome::parse(o) {
            Some(o) => Some(Some(o)),
            None => return Err(format!("{} '{o}'", l.t("Onbekende afloop:", "Unknown outcome:"))),
        },
    };
    let category = match q.category.as_str() {
        "" => None,
        "none" => Some("none".to_string()),
        c if desk.plans().categories.iter().any(|k| k == c) => Some(c.to_string()),
        c => return Err(format!("{} '{c}'", l.t("Onbekende soort hulp:", "Unknown kind of help:"))),
    };
    let participant = match q.participant.as_str() {
        "" => None,
        p => Some(
            p.parse::<i64>().map_err(|_| format!("{} '{p}'", l.t("Onbekende deelnemer:", "Unknown participant:")))?,
        ),
    };
    let before = match q.before.split_once('~') {
        None if q.before.is_empty() => None,
        Some((at, sid)) => Some((
            at.parse::<i64>()
                .ok()
                .and_then(|s| Timestamp::from_second(s).ok())
                .ok_or_else(|| l.t("Ongeldige pagina.", "Invalid page.").to_string())?,
            sid.to_string(),
        )),
        None => return Err(l.t("Ongeldige pagina.", "Invalid page.").to_string()),
    };
    Ok(CallFilter { from, until, outcome, category, participant, before, scope: desk_scope.clone() })
}

pub async fn list(
    desk: Desk,
    State(state): State<Arc<AppState>>,
    Query(query): Query<ListQuery>,
) -> Result<Response, Failure> {
    let l = desk.lang;
    let mut query = query;
    // A typed name becomes one participant; several matches are offered to choose from.
    let mut choices = Vec::new();
    if query.participant.is_empty() && !query.who.trim().is_empty() {
        let who = query.who.clone();
        let found =
            desk::read(&state.switchboard, desk.acting(), move |act| use_case::find_participants(act, &who, 11))
                .await?;
        match found.as_slice() {
            [one] => query.participant = one.id.to_string(),
            _ => choices = found,
        }
    }
    let chosen = match query.participant.parse::<i64>() {
        Ok(id) => desk::read(&state.switchboard, desk.acting(), move |act| use_case::participant_name(act, id)).await?,
        Err(_) => None,
    };
    let (rows, error) = match filter(&query, &state.desk, &desk.scope, l) {
        _ if !query.who.trim().is_empty() && query.participant.is_empty() && choices.is_empty() => {
            (Vec::new(), Some(format!("{} '{}'.", l.t("Niemand gevonden bij", "Nobody found for"), query.who.trim())))
        }
        _ if !choices.is_empty() => (Vec::new(), None),
        Ok(f) => {
            (desk::read(&state.switchboard, desk.acting(), move |act| use_case::list(act, &f, PAGE + 1)).await?, None)
        }
        Err(e) => (Vec::new(), Some(e)),
    };
    let more = rows.len() > PAGE as usize;
    let rows = &rows[..rows.len().min(PAGE as usize)];
    let next = rows.last().filter(|_| more).map(|r| {
        let mut pairs = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("from", &query.from),
            ("until", &query.until),
            ("outcome", &query.outcome),
            ("category", &query.category),
            ("participant", &query.participant),
        ] {
            if !v.is_empty() {
                pairs.append_pair(k, v);
            }
        }
        pairs.append_pair("before", &format!("{}~{}", r.started_at.as_second(), r.call_sid));
        format!("/desk/calls?{}", pairs.finish())
    });
    let ds = &state.desk;
    let body = html! {
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
    };
    let status = if error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    Ok((status, layout::page(&desk, Nav::Calls, l.t("Gesprekken", "Calls"), body)).into_response())
}

fn not_found(desk: &Desk) -> Response {
    desk.refusal(
        StatusCode::NOT_FOUND,
        desk.lang.t("Dit gesprek bestaat niet (meer).", "This call does not exist (any more)."),
    )
}

pub async fn detail(
    State(state): State<Arc<AppState>>,
    Seen(desk, CallSid(sid)): Seen<CallSid>,
) -> Result<Response, Failure> {
    let l = desk.lang;
    let read = desk::write(&state.switchboard, desk.acting(), move |act| use_case::read(act, &sid)).await?;
    let Some((d, notes)) = read else { return Ok(not_found(&desk)) };
    let r = &d.log;
    let tz = &state.desk.time_zone;
    let body = html! {
        p { (status(l, &r.phase, r.outcome)) }
        dl {
            dt { (l.t("Beller", "Caller")) }
            dd {
                @if let Some(id) = r.caller_id { a href=(format!("/desk/participants/{id}")) { (caller(l, r)) } } @else { (caller(l, r)) }
                @if let (Some(_), Some(from)) = (&r.caller_name, &r.from) { " · " (PhoneNumber::from_stored(from).map(|p| p.readable()).unwrap_or_default()) }
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
                    (voicemail_player(l, &state, r))
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
            (note_list(l, tz, &notes))
        }
        p { a href="/desk/calls" { "← " (l.t("Alle gesprekken", "All calls")) } }
    };
    Ok(layout::page(
        &desk,
        Nav::Calls,
        &format!("{} {}", l.t("Gesprek van", "Call of"), l.when(r.started_at, tz)),
        body,
    )
    .into_response())
}

pub fn note_list(l: Lang, tz: &jiff::tz::TimeZone, notes: &[Note]) -> Markup {
    html! {
        ul.notes {
            @for n in notes {
                li { span.muted { (l.when(n.at, tz)) ", " (n.author) } br; (n.text) }
            }
        }
    }
}

/// Plays a voicemail from our own copy. Until it has been fetched from the provider, says
/// so (503, with words).
pub async fn voicemail(
    State(state): State<Arc<AppState>>,
    Seen(desk, CallSid(sid)): Seen<CallSid>,
) -> Result<Response, Failure> {
    Ok(match desk::write(&state.switchboard, desk.acting(), move |act| use_case::play_voicemail(act, &sid)).await? {
        Voicemail::NotFound => not_found(&desk),
        Voicemail::NotYet => (StatusCode::SERVICE_UNAVAILABLE, not_here_yet(desk.lang, &state)).into_response(),
        Voicemail::Audio(content_type, audio) => ([(header::CONTENT_TYPE, content_type)], audio).into_response(),
    })
}
