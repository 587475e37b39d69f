//! The changes made from a person's page: pause, a note, "do not pair", and erasing
//! them on request.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::form::parse_id;
use super::visible::{not_found, Visible};
use crate::switchboard::desk::participants::{self as uc, Erased};
use crate::switchboard::desk::{read, write};
use crate::web::desk::text::Lang;
use crate::web::desk::{CheckedForm, Desk, Failure};
use crate::web::AppState;

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
    super::show::erase_page(&desk, &p).into_response()
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

/// The last day of a pause as the form gives it ("up to and including", empty: until
/// switched back on) read as the register keeps it: the first day back. A day before
/// `today` would pause nobody.
fn parse_until(
    until: &str,
    paused: bool,
    today: jiff::civil::Date,
    l: Lang,
) -> Result<Option<jiff::civil::Date>, &'static str> {
    match until.trim() {
        "" => Ok(None),
        s => match s.parse::<jiff::civil::Date>() {
            Ok(d) if paused && d < today => Err(l.t(
                "Die datum is al voorbij: kies vandaag of later. Er is niets gewijzigd.",
                "That date has passed: choose today or later. Nothing was changed.",
            )),
            Ok(d) => Ok(Some(d.tomorrow().unwrap_or(d))),
            Err(_) => Err(l.t("Geen geldige datum. Er is niets gewijzigd.", "Not a valid date. Nothing was changed.")),
        },
    }
}
