//! Hulp voor later (issue 28): today's and the coming days' planned requests as a day list,
//! those without a helper first; a request taken by phone or at the counter; a match the
//! desk made by hand; cancelling (asked once); the drivers' printed day list. Only the
//! requests of the neighbourhoods the account sees. HTTP only: the use cases are
//! `switchboard::planned`'s.

mod views;
mod words;

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::records::{PlannedId, Posted};
use super::{CheckedFields, Desk, Failure};
use crate::domain::planned::By;
use crate::switchboard::desk;
use crate::switchboard::planned::{self as use_case, Adding, Coming};
use crate::web::AppState;

/// What the form to take a request holds, as typed: a refused form shows it again.
#[derive(Clone, Debug, Default)]
pub(super) struct Typed {
    pub from: String,
    pub kind: String,
    pub day: String,
    pub time: String,
    pub note: String,
    pub neighbourhood: String,
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    #[serde(default)]
    saved: String,
}

#[derive(Deserialize, Default)]
pub struct PrintQuery {
    #[serde(default)]
    day: String,
}

fn today(state: &AppState) -> jiff::civil::Date {
    state.switchboard.clock.now().to_zoned(state.desk.time_zone.clone()).date()
}

async fn coming(state: &Arc<AppState>, desk: &Desk) -> Result<Vec<Coming>, Failure> {
    let from = today(state);
    Ok(desk::read(&state.switchboard, desk.acting(), move |act| use_case::coming(act, from)).await?)
}

fn kinds(state: &AppState, desk: &Desk) -> Vec<String> {
    use_case::plannable_kinds(&state.switchboard.neighbourhoods.current(), &desk.scope)
}

/// The page, with a message on top when there is one (an error or not) and the form as typed.
async fn render(
    state: &Arc<AppState>,
    desk: &Desk,
    said: Option<(String, bool)>,
    typed: &Typed,
) -> Result<maud::Markup, Failure> {
    let requests = coming(state, desk).await?;
    let page = views::Page { today: today(state), requests: &requests, kinds: &kinds(state, desk), typed, said };
    Ok(views::render(desk, state, &page))
}

pub async fn page(
    desk: Desk,
    State(state): State<Arc<AppState>>,
    Query(q): Query<PageQuery>,
) -> Result<Response, Failure> {
    let l = desk.lang;
    let said = match q.saved.as_str() {
        "" => None,
        "taken" => Some(l.t(
            "Het verzoek is aangenomen. De centrale gaat buren vragen.",
            "The request was taken. The switchboard will ask neighbours.",
        )),
        "assigned" => Some(l.t(
            "Gekoppeld. De bewoner wordt gebeld en hoort wie er komt.",
            "Matched. The resident is called and told who comes.",
        )),
        "cancelled" => {
            Some(l.t("Afgezegd. Wie het moet weten, wordt gebeld.", "Cancelled. Whoever needs to know is called."))
        }
        _ => Some(l.t("Opgeslagen.", "Saved.")),
    };
    let typed = Typed { time: "10:00".into(), ..Default::default() };
    Ok(render(&state, &desk, said.map(|s| (s.to_string(), false)), &typed).await?.into_response())
}

/// Takes a request typed at the desk: on a refusal the page again, with what was typed and
/// the field named.
pub async fn add(
    State(state): State<Arc<AppState>>,
    CheckedFields(desk, f): CheckedFields,
) -> Result<Response, Failure> {
    let typed = Typed {
        from: f.get("from").trim().to_string(),
        kind: f.get("kind").to_string(),
        day: f.get("day").trim().to_string(),
        time: f.get("time").trim().to_string(),
        note: f.get("note").to_string(),
        neighbourhood: f.get("neighbourhood").to_string(),
    };
    let adding = Adding {
        from: typed.from.clone(),
        kind: typed.kind.clone(),
        at: format!("{} {}", typed.day, typed.time),
        note: Some(typed.note.clone()),
        neighbourhood: Some(typed.neighbourhood.clone()).filter(|n| !n.is_empty()),
    };
    let hoods = state.switchboard.neighbourhoods.current();
    match desk::write(&state.switchboard, desk.acting(), move |act| use_case::add(act, &hoods, &adding)).await? {
        Ok(_) => Ok(Redirect::to("/desk/planned?saved=taken").into_response()),
        Err(error) => {
            let said = Some((desk.lang.planned_add_error(&error), true));
            Ok((StatusCode::BAD_REQUEST, render(&state, &desk, said, &typed).await?).into_response())
        }
    }
}

/// The page again after a match or a cancellation, or why it was refused.
async fn changed(
    state: &Arc<AppState>,
    desk: &Desk,
    done: Result<(), use_case::ChangeError>,
    saved: &str,
) -> Result<Response, Failure> {
    match done {
        Ok(()) => Ok(Redirect::to(&format!("/desk/planned?saved={saved}")).into_response()),
        Err(error) => {
            let said = Some((desk.lang.planned_change_error(&error), true));
            let typed = Typed { time: "10:00".into(), ..Default::default() };
            Ok((StatusCode::BAD_REQUEST, render(state, desk, said, &typed).await?).into_response())
        }
    }
}

/// A match the desk made: the chosen neighbour helps; the resident is called and told.
pub async fn assign(
    State(state): State<Arc<AppState>>,
    Posted(PlannedId(id), CheckedFields(desk, f)): Posted<PlannedId, CheckedFields>,
) -> Result<Response, Failure> {
    let helper = f.get("helper").to_string();
    let done = desk::write(&state.switchboard, desk.acting(), move |act| use_case::assign(act, id, &helper)).await?;
    changed(&state, &desk, done, "assigned").await
}

/// Cancelled by the desk (asked once on the page): whoever needs to know is called.
pub async fn cancel(
    State(state): State<Arc<AppState>>,
    Posted(PlannedId(id), CheckedFields(desk, _)): Posted<PlannedId, CheckedFields>,
) -> Result<Response, Failure> {
    let done = desk::write(&state.switchboard, desk.acting(), move |act| use_case::cancel(act, id, By::Desk)).await?;
    changed(&state, &desk, done, "cancelled").await
}

/// One day's list for the drivers, to print: time, who, where, what, who helps.
pub async fn print(
    desk: Desk,
    State(state): State<Arc<AppState>>,
    Query(q): Query<PrintQuery>,
) -> Result<Response, Failure> {
    let day = q.day.trim().parse::<jiff::civil::Date>().unwrap_or_else(|_| today(&state));
    let from = today(&state);
    let requests: Vec<Coming> =
        desk::write(&state.switchboard, desk.acting(), move |act| use_case::printed(act, from, day)).await?;
    Ok(views::day_list(&desk, &state, day, &requests).into_response())
}
