//! Participants: search, add, edit, pause, notes, "do not pair", CSV import and export,
//! and erasing a person on request. The handlers read the request and answer it; the use
//! cases (and their audit entries) are in `switchboard::desk::participants`, the markup in
//! `views`, the reading of the forms in `form`.

mod form;
mod import;
mod views;

use std::sync::Arc;

use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use self::form::{field_label, parse_details, parse_id, parse_neighbourhoods, parse_until, values_of};
use self::views::{ListView, ShowPage};
use super::layout::{self, Nav};
use super::{CheckedFields, CheckedForm, Desk, Failure, Fields};
use crate::switchboard::desk::participants::{self as uc, Erased, Participant, UpdateError};
use crate::switchboard::desk::{read, write};
use crate::web::AppState;

pub use self::import::import;

/// A participant the account may see, from the path's id; otherwise the request ends in
/// the desk's "not found" page (or the login, without a session).
pub struct Visible(pub Participant);

impl FromRequestParts<Arc<AppState>> for Visible {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> Result<Visible, Response> {
        let desk = Desk::from_request_parts(parts, state).await?;
        let id = Path::<String>::from_request_parts(parts, state).await.ok().and_then(|Path(id)| parse_id(&id));
        let Some(id) = id else { return Err(not_found(&desk)) };
        match read(&state.switchboard, desk.acting(), move |act| uc::find(act, id)).await {
            Ok(Some(p)) => Ok(Visible(p)),
            Ok(None) => Err(not_found(&desk)),
            Err(e) => Err(Failure(e).into_response()),
        }
    }
}

fn not_found(desk: &Desk) -> Response {
    desk.refusal(
        StatusCode::NOT_FOUND,
        desk.lang.t("Deze deelnemer bestaat niet (meer).", "This participant does not exist (any more)."),
    )
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    msg: String,
    /// A kind of help they offer.
    #[serde(default)]
    offers: String,
    /// `paused`, `active`, or `ringable` (may be rung now, by their own hours).
    #[serde(default)]
    status: String,
    /// `name` (the default) or `last-asked` (longest ago first).
    #[serde(default)]
    sort: String,
}

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
    let details = match parse_details(&f, &state.desk.plans(), l) {
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
    Ok(views::show_page(ShowPage { desk: &desk, state: &state, page: &page, values: &values, message }).into_response())
}

pub async fn update(
    Visible(p): Visible,
    State(state): State<Arc<AppState>>,
    CheckedFields(desk, f): CheckedFields,
) -> Result<Response, Failure> {
    let (id, l) = (p.id, desk.lang);
    let details = parse_details(&f, &state.desk.plans(), l)
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
    Ok((StatusCode::BAD_REQUEST, views::show_page(view)).into_response())
}

#[derive(Deserialize)]
pub struct PauseForm {
    #[serde(default)]
    paused: String,
    #[serde(default)]
    until: String,
}

pub async fn pause(
    Visible(p): Visible,
    State(state): State<Arc<AppState>>,
    CheckedForm(desk, f): CheckedForm<PauseForm>,
) -> Result<Response, Failure> {
    let (id, l) = (p.id, desk.lang);
    let paused = match f.paused.as_str() {
        "yes" => true,
        "no" => false,
        _ => {
            return Ok(desk.refusal(
                StatusCode::BAD_REQUEST,
                l.t("Onbekende keuze. Er is niets gewijzigd.", "Unknown choice. Nothing was changed."),
            ))
        }
    };
    let today = state.switchboard.clock.now().to_zoned(state.desk.time_zone.clone()).date();
    let until = match parse_until(&f.until, paused, today, l) {
        Ok(until) => until,
        Err(e) => return Ok(desk.refusal(StatusCode::BAD_REQUEST, e)),
    };
    if !write(&state.switchboard, desk.acting(), move |act| uc::set_paused(act, id, paused, until)).await? {
        return Ok(not_found(&desk));
    }
    Ok(Redirect::to(&format!("/desk/participants/{id}?msg={}", if paused { "paused" } else { "resumed" }))
        .into_response())
}

#[derive(Deserialize)]
pub struct NoteForm {
    #[serde(default)]
    note: String,
}

pub async fn add_note(
    Visible(p): Visible,
    State(state): State<Arc<AppState>>,
    CheckedForm(desk, f): CheckedForm<NoteForm>,
) -> Result<Response, Failure> {
    let (id, l) = (p.id, desk.lang);
    let note: String = f.note.chars().filter(|c| !c.is_control() || *c == '\n').collect();
    if note.trim().is_empty() || note.chars().count() > 2000 {
        return Ok(desk.refusal(
            StatusCode::BAD_REQUEST,
            l.t(
                "Een notitie is 1 tot 2000 tekens lang. Er is niets opgeslagen.",
                "A note is 1 to 2000 characters long. Nothing was saved.",
            ),
        ));
    }
    if !write(&state.switchboard, desk.acting(), move |act| uc::add_note(act, id, &note)).await? {
        return Ok(not_found(&desk));
    }
    Ok(Redirect::to(&format!("/desk/participants/{id}?msg=note")).into_response())
}

#[derive(Deserialize)]
pub struct ApartForm {
    #[serde(default)]
    other: String,
    #[serde(default)]
    apart: String,
}

pub async fn apart(
    Visible(p): Visible,
    State(state): State<Arc<AppState>>,
    CheckedForm(desk, f): CheckedForm<ApartForm>,
) -> Result<Response, Failure> {
    let (id, l) = (p.id, desk.lang);
    let other = match parse_id(&f.other) {
        Some(other) => read(&state.switchboard, desk.acting(), move |act| uc::find(act, other)).await?.map(|o| o.id),
        None => None,
    };
    let apart = match f.apart.as_str() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    };
    let (Some(other), Some(apart)) = (other, apart) else {
        return Ok(desk.refusal(
            StatusCode::BAD_REQUEST,
            l.t("Kies eerst iemand. Er is niets gewijzigd.", "Choose someone first. Nothing was changed."),
        ));
    };
    if other == id {
        return Ok(desk.refusal(
            StatusCode::BAD_REQUEST,
            l.t("Iemand kan niet van zichzelf gescheiden worden.", "A person cannot be kept apart from themselves."),
        ));
    }
    if !write(&state.switchboard, desk.acting(), move |act| uc::keep_apart(act, id, other, apart)).await? {
        return Ok(not_found(&desk));
    }
    Ok(Redirect::to(&format!("/desk/participants/{id}?msg=apart")).into_response())
}

pub async fn erase_form(Visible(p): Visible, desk: Desk) -> Response {
    if let Err(r) = desk.require_coordinator() {
        return r;
    }
    views::erase_page(&desk, &p).into_response()
}

#[derive(Deserialize)]
pub struct EraseForm {
    #[serde(default)]
    sure: String,
}

pub async fn erase(
    Visible(p): Visible,
    State(state): State<Arc<AppState>>,
    CheckedForm(desk, f): CheckedForm<EraseForm>,
) -> Result<Response, Failure> {
    if let Err(r) = desk.require_coordinator() {
        return Ok(r);
    }
    let elsewhere = desk.refusal(
        StatusCode::FORBIDDEN,
        desk.lang.t(
            "Deze persoon hoort ook bij een andere buurt: vraag een coördinator van alle buurten om te wissen. Er is niets gewist.",
            "This person also belongs to another neighbourhood: ask a coordinator of all neighbourhoods to erase them. Nothing was erased.",
        ),
    );
    if !uc::may_erase(&desk.scope, &p) {
        return Ok(elsewhere);
    }
    if f.sure != "yes" {
        return Ok(desk.refusal(
            StatusCode::BAD_REQUEST,
            desk.lang.t(
                "Vink eerst aan dat u het zeker weet. Er is niets gewist.",
                "First tick that you are sure. Nothing was erased.",
            ),
        ));
    }
    let id = p.id;
    match write(&state.switchboard, desk.acting(), move |act| uc::erase(act, id)).await? {
        Erased::Done => {}
        Erased::NotFound => return Ok(not_found(&desk)),
        Erased::Elsewhere => return Ok(elsewhere),
    }
    // Their recordings and call records are queued for deletion at the provider.
    state.switchboard.provider_jobs.notify_one();
    Ok(Redirect::to("/desk/participants?msg=erased").into_response())
}

pub async fn export(desk: Desk, State(state): State<Arc<AppState>>) -> Result<Response, Failure> {
    let csv = read(&state.switchboard, desk.acting(), uc::export).await?;
    write(&state.switchboard, desk.acting(), uc::exported).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"deelnemers.csv\""),
        ],
        csv,
    )
        .into_response())
}
