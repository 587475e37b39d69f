//! Follow-up: every request that still needs a person, oldest first, each closed with a
//! result and a note that stays with the caller.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use maud::html;
use serde::Deserialize;

use super::calls::{caller, note_list};
use super::layout::{self, Nav};
use super::{read, write, Desk, Failure};
use crate::domain::callback::RequestStatus;
use crate::domain::desk::FollowUpResult;
use crate::domain::dialplan::RingMode;
use crate::domain::phone::PhoneNumber;
use crate::store::desk::{self as q, Closed};
use crate::store::{accounts, callbacks};
use crate::switchboard::requests;
use crate::web::AppState;

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    closed: String,
    #[serde(default)]
    callback: String,
    #[serde(default)]
    stopped: String,
}

pub async fn list(
    desk: Desk,
    State(state): State<Arc<AppState>>,
    Query(query): Query<ListQuery>,
) -> Result<Response, Failure> {
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
    let scope = desk.scope.clone();
    let items = read(&state, move |c| {
        let mut out = Vec::new();
        for (up, row) in q::open_follow_ups(c, 200, &scope)? {
            let notes = q::notes_for(c, row.caller_id, row.from.as_deref())?;
            let request = callbacks::latest_for_call(c, &row.call_sid)?;
            out.push((up, row, notes, request));
        }
        Ok(out)
    })
    .await?;
    let (user, shown) = (desk.user.name.clone(), items.len());
    write(&state, move |tx, now| accounts::audit(tx, now, &user, "viewed follow-ups", None, &format!("{shown} open")))
        .await?;
    let tz = &state.desk.time_zone;
    let waves = state.switchboard.neighbourhoods.current().all().any(|n| n.dialplan.ringing.mode == RingMode::Waves);
    let body = html! {
        @if !query.closed.is_empty() { (layout::message_box(l.t("Afgehandeld. Dank u wel!", "Closed. Thank you!"), false)) }
        @if !query.callback.is_empty() { (layout::message_box(l.t("De centrale zoekt een buur en belt de beller terug zodra iemand ja zegt.", "The switchboard looks for a neighbour and calls the caller back as soon as someone says yes."), false)) }
        @if !query.stopped.is_empty() { (layout::message_box(l.t("Het zoeken is gestopt. Er worden geen buren meer gebeld voor deze beller.", "The search has stopped. No more neighbours are rung for this caller."), false)) }
        @if items.is_empty() {
            p { (l.t("Er staat niets open. Iedereen is geholpen of teruggebeld.", "Nothing is open. Everyone has been helped or called back.")) }
        }
        p.muted { (l.t("Oudste bovenaan.", "Oldest first.")) }
        @for (up, row, notes, request) in &items {
            @let attempts = &row.attempts;
            section.card id=(format!("follow-up-{}", up.id)) aria-labelledby=(format!("fu-{}", up.id)) {
                h2 id=(format!("fu-{}", up.id)) {
                    (caller(row))
                    @if let Some(street) = row.caller_street.as_deref().filter(|s| !s.is_empty()) { ", " (street) }
                }
                p {
                    @if up.reason != "unconfirmed" && attempts.iter().any(|a| a.key.as_deref() == Some("1")) {
                        // Someone said yes, but the two never talked (the caller hung up just
                        // before, or did not answer when called back).
                        strong { (l.t("Een buur zei ja, maar ze zijn niet verbonden: terugbellen", "A neighbour said yes, but they were not put through: call back")) } br;
                    } @else {
                        strong { (l.follow_up_reason(&up.reason)) } br;
                    }
                    (l.t("Belde", "Called")) " " a href=(format!("/desk/calls/{}", row.call_sid)) { (l.when(row.started_at, tz)) }
                    " · " (state.desk.category(l, row.category.as_deref()))
                    @if let Some(from) = &row.from { " · " (l.t("nummer", "number")) " " strong { (PhoneNumber::from_stored(from).map(|p| p.readable()).unwrap_or_else(|_| from.clone())) } }
                    @if !attempts.is_empty() {
                        br; span.muted { (l.t("Gebeld:", "Rung:")) " " @for (i, a) in attempts.iter().enumerate() { @if i > 0 { ", " } (if a.first_name.is_empty() { "—" } else { &a.first_name }) " (" (if a.key.as_deref() == Some("1") { l.attempt_result(Some("accepted")) } else { l.attempt_result(a.result.as_deref()) }) ")" } }
                    }
                }
                @if row.voicemail_url.is_some() {
                    p { (l.t("Het bericht:", "The message:")) br; (super::calls::voicemail_player(l, &state, row)) }
                }
                @if !notes.is_empty() {
                    h3 { (l.t("Eerdere notities", "Earlier notes")) }
                    (note_list(l, tz, notes))
                }
                @let searching = request.as_ref().is_some_and(|r| r.status.in_progress());
                @if let Some(r) = request {
                    (callback_status(l, tz, r))
                    @if r.status.stoppable() {
                        form method="post" action=(format!("/desk/follow-up/{}/stop-call-back", up.id)) {
                            (layout::csrf(&desk))
                            button.secondary type="submit" { (l.t("Stop met zoeken", "Stop searching")) }
                        }
                    }
                }
                @if waves && !searching && row.from.is_some() && row.category.is_some() {
                    form method="post" action=(format!("/desk/follow-up/{}/call-back", up.id)) {
                        (layout::csrf(&desk))
                        button type="submit" { (l.t("Zoek een buur en bel terug", "Find a neighbour and call back")) }
                    }
                }
                form.stack method="post" action=(format!("/desk/follow-up/{}/close", up.id)) {
                    (layout::csrf(&desk))
                    fieldset {
                        legend { (l.t("Hoe is het afgehandeld?", "How was it resolved?")) }
                        @for r in FollowUpResult::ALL {
                            label.check { input type="radio" name="result" value=(r.as_str()) required; (l.follow_up_result(r.as_str())) }
                        }
                    }
                    label for=(format!("note-{}", up.id)) { (l.t("Notitie", "Note")) span.hint { (l.t("Blijft bewaard bij deze beller, voor de volgende coördinator.", "Kept with this caller, for the next coordinator.")) } }
                    textarea id=(format!("note-{}", up.id)) name="note" maxlength="2000" {}
                    button type="submit" { (l.t("Afhandelen", "Close")) }
                }
            }
        }
        @if waves { (take_request_form(&desk, &state, &taken)) }
    };
    Ok(layout::page(&desk, Nav::FollowUp, l.t("Opvolgen", "Follow-up"), body).into_response())
}

#[derive(Deserialize)]
pub struct CloseForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    result: String,
    #[serde(default)]
    note: String,
}

pub async fn close(
    desk: Desk,
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    Form(f): Form<CloseForm>,
) -> Result<Response, Failure> {
    let id = match visible_follow_up(&state, &desk, &f.csrf, &id).await? {
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
    let closed = write(&state, move |tx, now| {
        let closed = q::close_follow_up(tx, id, result, &note, &user, now)?;
        if closed == Closed::Closed {
            let caller = q::caller_of_follow_up(tx, id)?;
            accounts::audit(tx, now, &user, "closed follow-up", caller, &format!("{id}: {}", result.as_str()))?;
        }
        Ok(closed)
    })
    .await?;
    Ok(match closed {
        Closed::Closed => Redirect::to("/desk/follow-up?closed=1").into_response(),
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
pub struct CallBackForm {
    #[serde(default)]
    csrf: String,
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
    csrf: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    number: String,
}

/// The desk takes a request itself: the same search as "press 1 to be called back".
pub async fn take_request(
    desk: Desk,
    State(state): State<Arc<AppState>>,
    Form(f): Form<TakeForm>,
) -> Result<Response, Failure> {
    if let Err(r) = desk.check_csrf(&f.csrf) {
        return Ok(r);
    }
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
        accounts::audit(tx, now, &user, "took a call-back request", opened.participant, &format!("request {request}"))
    })
    .await?;
    Ok(Redirect::to("/desk/follow-up?callback=1").into_response())
}

/// The desk stops a request it took itself.
pub async fn stop_taken(
    desk: Desk,
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    Form(f): Form<CallBackForm>,
) -> Result<Response, Failure> {
    let id = match checked_form_id(&desk, &f.csrf, &id) {
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
            &format!("request {id}"),
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
    detail: &str,
) -> anyhow::Result<(crate::switchboard::requests::StopOutcome, crate::switchboard::dispatch::Outbound)> {
    if let (crate::switchboard::requests::StopOutcome::Stopped, Some(request)) = (&stopped, &request) {
        accounts::audit(tx, now, user, "stopped a call-back search", request.participant_id, detail)?;
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

/// A form's CSRF token checked and the id in its path read, or the refusal.
fn checked_form_id(desk: &Desk, csrf: &str, id: &str) -> Result<i64, Response> {
    desk.check_csrf(csrf)?;
    id.parse::<i64>().map_err(|_| {
        desk.refusal(StatusCode::NOT_FOUND, desk.lang.t("Dit verzoek bestaat niet.", "This request does not exist."))
    })
}

/// A follow-up's id from a form, checked as `checked_form_id` does, and only for a call
/// the account may see (otherwise it does not exist, as far as this account knows).
async fn visible_follow_up(
    state: &Arc<AppState>,
    desk: &Desk,
    csrf: &str,
    id: &str,
) -> Result<Result<i64, Response>, Failure> {
    let id = match checked_form_id(desk, csrf, id) {
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
    desk: Desk,
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    Form(f): Form<CallBackForm>,
) -> Result<Response, Failure> {
    let id = match visible_follow_up(&state, &desk, &f.csrf, &id).await? {
        Ok(id) => id,
        Err(refused) => return Ok(refused),
    };
    let user = desk.user.name.clone();
    let st = state.clone();
    let (stopped, out) = write(&state, move |tx, now| {
        audited_stop(tx, now, &user, requests::stop_callback(tx, &st.switchboard, id, now)?, &format!("follow-up {id}"))
    })
    .await?;
    Ok(stopped_response(&desk, &state, stopped, out))
}

/// The desk starts the same search as "press 1 to be called back" for a caller who needs
/// it: neighbours are rung (in ringing hours) and the caller is called back on a yes.
pub async fn call_back(
    desk: Desk,
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    Form(f): Form<CallBackForm>,
) -> Result<Response, Failure> {
    let id = match visible_follow_up(&state, &desk, &f.csrf, &id).await? {
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
        accounts::audit(
            tx,
            now,
            &user,
            "started a call-back search",
            caller,
            &format!("request {request} for follow-up {id}"),
        )?;
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
