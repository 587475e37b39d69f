//! Participants: search, add, edit, pause, notes, "do not pair", CSV import and export,
//! and erasing a person on request. The handlers read the request and answer it; the use
//! cases (and their audit entries) are in `switchboard::desk::participants`, the markup in
//! `views` and `show`, the reading of the forms in `form`.

mod changes;
mod form;
mod import;
mod say;
mod show;
mod views;
mod visible;

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use self::form::{field_label, parse_details, parse_neighbourhoods, ListQuery};
use self::show::{values_of, ShowPage};
use self::views::ListView;
use self::visible::not_found;
use super::layout::{self, Nav};
use super::text::Lang;
use super::{CheckedFields, Desk, Failure, Fields};
use crate::switchboard::desk::participants::{self as uc, Participant, UpdateError};
use crate::switchboard::desk::{read, write};
use crate::web::AppState;

pub use self::changes::{add_note, apart, erase, erase_form, pause};
pub use self::import::import;
pub use self::visible::Visible;

pub async fn list(
    desk: Desk,
    State(state): State<Arc<AppState>>,
    Query(query): Query<ListQuery>,
) -> Result<Response, Failure> {
    let l = desk.lang;
    let text = query.q.clone();
    let (people, asked) = read(&state.switchboard, desk.acting(), move |act| {
        let people = uc::search(act, &text, 500)?;
        let ids: Vec<i64> = people.iter().map(|p| p.id).collect();
        let asked = uc::asked_and_joined(act, &ids)?;
        Ok((people, asked))
    })
    .await?;
    let local_now = state.switchboard.clock.now().to_zoned(state.desk.time_zone.clone());
    let today = local_now.date();
    let ringable = |p: &Participant| {
        !p.is_paused_on(today)
            && !p.details.offers.is_empty()
            && (p.details.available.is_empty() || p.details.available.contains(local_now.datetime()))
    };
    let mut people: Vec<Participant> = people
        .into_iter()
        .filter(|p| query.offers.is_empty() || p.details.offers.contains(&query.offers))
        .filter(|p| match query.status.as_str() {
            "paused" => p.is_paused_on(today),
            "active" => !p.is_paused_on(today),
            "ringable" => ringable(p),
            _ => true,
        })
        .collect();
    let last_asked = |id: i64| asked.get(&id).and_then(|(a, _)| *a);
    if query.sort == "last-asked" {
        // Never asked first, then longest ago.
        people.sort_by_key(|p| last_asked(p.id));
    }
    let message = match query.msg.as_str() {
        "erased" => Some(l.t(
            "De gegevens van deze persoon zijn gewist. De anonieme totalen blijven.",
            "This person's data has been erased. The anonymous totals remain.",
        )),
        "imported" => Some(l.t("Het bestand is ingelezen.", "The file has been imported.")),
        _ => None,
    };
    let view = ListView { query: &query, people: &people, last_asked: &last_asked, today, message };
    Ok(views::list_page(&desk, &state, view).into_response())
}

pub async fn new_form(desk: Desk, State(state): State<Arc<AppState>>) -> Response {
    let l = desk.lang;
    let values = Fields(vec![("distance".into(), "any".into())]);
    let body = views::form(&desk, &state.desk, "/desk/participants", &values, None);
    layout::page(&desk, Nav::Participants, l.t("Iemand toevoegen", "Add someone"), body).into_response()
}

pub async fn create(
    State(state): State<Arc<AppState>>,
    CheckedFields(desk, f): CheckedFields,
) -> Result<Response, Failure> {
    let l = desk.lang;
    let invalid = |e: String| {
        let body = views::form(&desk, &state.desk, "/desk/participants", &f, Some(e));
        (StatusCode::BAD_REQUEST, layout::page(&desk, Nav::Participants, l.t("Iemand toevoegen", "Add someone"), body))
            .into_response()
    };
    let kept = (!desk.is_coordinator()).then(crate::domain::participant::Say::default);
    let details = match parse_details(&f, &state.desk.plans(), l, kept.as_ref()) {
        Ok(d) => d,
        Err(e) => return Ok(invalid(e)),
    };
    let neighbourhoods = match parse_neighbourhoods(&f, &state.desk, &desk) {
        Ok(n) => n,
        Err(e) => return Ok(invalid(e)),
    };
    let added = write(&state.switchboard, desk.acting(), move |act| uc::add(act, &details, &neighbourhoods)).await?;
    match added {
        Some(id) => Ok(Redirect::to(&format!("/desk/participants/{id}?msg=added")).into_response()),
        None => Ok(invalid(format!(
            "{}: {}",
            field_label(l, "phone"),
            l.t(
                "dit nummer is al ingeschreven. Er is niets opgeslagen.",
                "this number is already registered. Nothing was saved."
            )
        ))),
    }
}

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    #[serde(default)]
    msg: String,
}

pub async fn show(
    Visible(p): Visible,
    desk: Desk,
    State(state): State<Arc<AppState>>,
    Query(query): Query<ShowQuery>,
) -> Result<Response, Failure> {
    let id = p.id;
    let Some(page) = read(&state.switchboard, desk.acting(), move |act| uc::page(act, id)).await? else {
        return Ok(not_found(&desk));
    };
    write(&state.switchboard, desk.acting(), move |act| uc::viewed(act, id)).await?;
    let values = values_of(&page.participant);
    let message = views::message(desk.lang, &query.msg);
    Ok(show::show_page(ShowPage { desk: &desk, state: &state, page: &page, values: &values, message }).into_response())
}

pub async fn update(
    Visible(p): Visible,
    State(state): State<Arc<AppState>>,
    CheckedFields(desk, f): CheckedFields,
) -> Result<Response, Failure> {
    let (id, l) = (p.id, desk.lang);
    let kept = (!desk.is_coordinator()).then(|| p.details.say().clone());
    let details = parse_details(&f, &state.desk.plans(), l, kept.as_ref())
        .and_then(|d| parse_neighbourhoods(&f, &state.desk, &desk).map(|n| (d, n)));
    let outcome = match details {
        Err(e) => Err(e),
        Ok((details, chosen)) => {
            write(&state.switchboard, desk.acting(), move |act| uc::update(act, id, &details, chosen)).await?.map_err(
                |e| match e {
                    UpdateError::PhoneTaken(_) => format!(
                        "{}: {}",
                        field_label(l, "phone"),
                        l.t(
                            "dit nummer is al van iemand anders. Er is niets opgeslagen.",
                            "this number belongs to someone else. Nothing was saved."
                        )
                    ),
                    _ => l
                        .t("Deze deelnemer bestaat niet (meer).", "This participant does not exist (any more).")
                        .to_string(),
                },
            )
        }
    };
    let Err(e) = outcome else {
        return Ok(Redirect::to(&format!("/desk/participants/{id}?msg=saved")).into_response());
    };
    let Some(page) = read(&state.switchboard, desk.acting(), move |act| uc::page(act, id)).await? else {
        return Ok(not_found(&desk));
    };
    let view = ShowPage { desk: &desk, state: &state, page: &page, values: &f, message: Some((e, true)) };
    Ok((StatusCode::BAD_REQUEST, show::show_page(view)).into_response())
}

pub async fn export(desk: Desk, State(state): State<Arc<AppState>>) -> Result<Response, Failure> {
    // In the account's language, with a header row the import reads back.
    let csv = match desk.lang {
        Lang::Nl => read(&state.switchboard, desk.acting(), uc::export_dutch).await?,
        Lang::En => read(&state.switchboard, desk.acting(), uc::export).await?,
    };
    write(&state.switchboard, desk.acting(), uc::exported).await?;
    let name = desk.lang.t("attachment; filename=\"deelnemers.csv\"", "attachment; filename=\"participants.csv\"");
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8"), (header::CONTENT_DISPOSITION, name)], csv).into_response())
}
