//! Goedemorgenronde: who is called every morning, how this morning went, enrolling a
//! resident with their contacts, days away, a pause, and the log of the round's calls.

mod views;

use views::Said;

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::records::{Posted, ResidentId};
use super::{CheckedFields, Desk, Failure};
use crate::switchboard::desk::round::{self as use_case, Kept, NotEnrolled, Seen};
use crate::switchboard::desk::{self};
use crate::switchboard::round::Enrolling;
use crate::web::AppState;

#[derive(Deserialize, Default)]
pub struct PageQuery {
    #[serde(default)]
    saved: String,
}

async fn seen(state: &Arc<AppState>, desk: &Desk) -> Result<Seen, Failure> {
    let today = state.switchboard.clock.now().to_zoned(state.desk.time_zone.clone()).date();
    Ok(desk::read(&state.switchboard, desk.acting(), move |act| use_case::seen(act, today)).await?)
}

pub async fn page(
    desk: Desk,
    State(state): State<Arc<AppState>>,
    Query(q): Query<PageQuery>,
) -> Result<Response, Failure> {
    let seen = seen(&state, &desk).await?;
    let message = (!q.saved.is_empty()).then(|| Said::Message(desk.lang.t("Opgeslagen.", "Saved.").to_string(), false));
    Ok(views::render(
        &desk,
        &state,
        seen,
        &Enrolling { at: "09:30".into(), days: "ma-vr".into(), ..Default::default() },
        message,
    )
    .into_response())
}

pub async fn enrol(
    State(state): State<Arc<AppState>>,
    CheckedFields(desk, f): CheckedFields,
) -> Result<Response, Failure> {
    let days: Vec<&str> = f.all("day");
    let form = Enrolling {
        resident_phone: f.get("resident").to_string(),
        at: f.get("at").to_string(),
        days: days.join(","),
        contacts: f.all("contact").into_iter().filter(|c| !c.trim().is_empty()).map(str::to_string).collect(),
        // Sent only by "Weer aanmelden" after taking someone out: their enrolment as it was.
        neighbourhood: Some(f.get("neighbourhood").to_string()).filter(|n| !n.is_empty()),
        tries: f.get("tries").parse().ok(),
        retry_minutes: f.get("retry").parse().ok(),
    };
    let date = |s: &str| s.parse::<jiff::civil::Date>().ok();
    let kept =
        Kept { away: date(f.get("away-from")).zip(date(f.get("away-until"))), paused: f.get("was-paused") == "yes" };
    let l = desk.lang;
    if form.days.is_empty() {
        return refused(
            &desk,
            &state,
            l.t("Dagen: kies minstens één dag.", "Days: choose at least one day.").to_string(),
            &form,
        )
        .await;
    }
    let hoods = state.switchboard.neighbourhoods.current();
    let e = form.clone();
    match desk::write(&state.switchboard, desk.acting(), move |act| use_case::enrol_again(act, &hoods, &e, &kept))
        .await?
    {
        Ok(_) => Ok(Redirect::to("/desk/round?saved=1").into_response()),
        // Only a participant this account may see can be enrolled by it.
        Err(NotEnrolled::NotFound) => {
            refused(&desk, &state, l.t("Bewoner: niet gevonden.", "Resident: not found.").to_string(), &form).await
        }
        Err(NotEnrolled::Refused(refusal)) => refused(&desk, &state, l.enrol_error(&refusal), &form).await,
    }
}

/// The page again with what was filled in and why it was refused: nothing is lost.
async fn refused(desk: &Desk, state: &Arc<AppState>, message: String, form: &Enrolling) -> Result<Response, Failure> {
    let seen = seen(state, desk).await?;
    Ok((StatusCode::BAD_REQUEST, views::render(desk, state, seen, form, Some(Said::Message(message, true))))
        .into_response())
}

fn not_in_round(desk: &Desk) -> Response {
    desk.refusal(
        StatusCode::NOT_FOUND,
        desk.lang
            .t("Deze bewoner staat niet in de goedemorgenronde.", "This resident is not in the good-morning round."),
    )
}

pub async fn away(
    State(state): State<Arc<AppState>>,
    Posted(ResidentId(id), CheckedFields(desk, f)): Posted<ResidentId, CheckedFields>,
) -> Result<Response, Failure> {
    let l = desk.lang;
    let date = |s: &str| s.trim().parse::<jiff::civil::Date>();
    let away = match (f.get("from").trim(), f.get("until").trim()) {
        ("", "") => None,
        (from, "") | ("", from) => match date(from) {
            Ok(d) => Some((d, d)),
            Err(_) => {
                return Ok(bad(
                    &desk,
                    l.t("Geen geldige datum. Er is niets gewijzigd.", "Not a valid date. Nothing was changed."),
                ))
            }
        },
        (from, until) => match (date(from), date(until)) {
            (Ok(a), Ok(b)) if a <= b => Some((a, b)),
            (Ok(_), Ok(_)) => {
                return Ok(bad(
                    &desk,
                    l.t(
                        "De einddatum ligt voor de begindatum. Er is niets gewijzigd.",
                        "The last day is before the first. Nothing was changed.",
                    ),
                ))
            }
            _ => {
                return Ok(bad(
                    &desk,
                    l.t("Geen geldige datum. Er is niets gewijzigd.", "Not a valid date. Nothing was changed."),
                ))
            }
        },
    };
    let found = desk::write(&state.switchboard, desk.acting(), move |act| use_case::set_away(act, id, away)).await?;
    Ok(saved(&desk, found))
}

fn bad(desk: &Desk, message: &str) -> Response {
    desk.refusal(StatusCode::BAD_REQUEST, message)
}

pub async fn pause(
    State(state): State<Arc<AppState>>,
    Posted(ResidentId(id), CheckedFields(desk, f)): Posted<ResidentId, CheckedFields>,
) -> Result<Response, Failure> {
    let paused = match f.get("paused") {
        "yes" => true,
        "no" => false,
        _ => {
            return Ok(bad(
                &desk,
                desk.lang.t("Onbekende keuze. Er is niets gewijzigd.", "Unknown choice. Nothing was changed."),
            ))
        }
    };
    let found =
        desk::write(&state.switchboard, desk.acting(), move |act| use_case::set_paused(act, id, paused)).await?;
    Ok(saved(&desk, found))
}

pub async fn remove(
    State(state): State<Arc<AppState>>,
    Posted(ResidentId(id), CheckedFields(desk, _)): Posted<ResidentId, CheckedFields>,
) -> Result<Response, Failure> {
    let Some(was) = desk::write(&state.switchboard, desk.acting(), move |act| use_case::remove(act, id)).await? else {
        return Ok(not_in_round(&desk));
    };
    // The page at once, saying what stopped, with a button that enrols them again as they
    // were (their log stayed).
    let seen = seen(&state, &desk).await?;
    let form = Enrolling { at: "09:30".into(), days: "ma-vr".into(), ..Default::default() };
    Ok(views::render(&desk, &state, seen, &form, Some(Said::Removed(&was))).into_response())
}

/// Back to the page, saved; or, when the resident left the round meanwhile, why not.
fn saved(desk: &Desk, found: bool) -> Response {
    if found {
        Redirect::to("/desk/round?saved=1").into_response()
    } else {
        not_in_round(desk)
    }
}
