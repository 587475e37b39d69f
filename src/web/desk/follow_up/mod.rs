//! Follow-up: every request that still needs a person, oldest first, each closed with a
//! result and a note that stays with the caller.

mod parts;
mod queue;
mod tables;
mod views;

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::layout::{self, Nav};
use super::records::{FollowUpId, Posted, RequestId};
use super::{CheckedFields, CheckedForm, Desk, Failure};
use crate::domain::desk::FollowUpResult;
use crate::domain::dialplan::RingMode;
use crate::domain::phone::PhoneNumber;
use crate::switchboard::callbacks::StopOutcome;
use crate::switchboard::desk::follow_up::{self as use_case, Assigned, NoCallBack, Request};
use crate::switchboard::desk::{self, Closed};
use crate::web::AppState;
pub(super) use parts::step_text;
use queue::{matches, safe_back, Person};

#[derive(Deserialize, Default, Clone)]
pub struct ListQuery {
    #[serde(default)]
    closed: String,
    #[serde(default)]
    callback: String,
    #[serde(default)]
    stopped: String,
    #[serde(default)]
    saved: String,
    /// Filters: a kind of help, a reason, only overdue, only assigned to me, a search.
    #[serde(default)]
    category: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    overdue: String,
    #[serde(default)]
    mine: String,
    #[serde(default)]
    q: String,
    /// `closed`: the last 30 days' closed follow-ups, to reopen.
    #[serde(default)]
    view: String,
}

impl ListQuery {
    /// The filters as a query string, to come back to the same list.
    fn filters(&self) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("category", &self.category),
            ("reason", &self.reason),
            ("overdue", &self.overdue),
            ("mine", &self.mine),
            ("q", &self.q),
            ("view", &self.view),
        ] {
            if !v.trim().is_empty() {
                out.append_pair(k, v.trim());
            }
        }
        out.finish()
    }
}

/// What the list shows.
struct ListPage<'a> {
    desk: &'a Desk,
    state: &'a AppState,
    query: &'a ListQuery,
    /// The people the filters let through (most pressing first), of `total` with something open.
    people: &'a [Person],
    total: usize,
    /// The desk accounts to assign to (id, name); the requests the desk took itself.
    users: &'a [(i64, String)],
    taken: &'a [(Request, Option<String>)],
    /// Whether some neighbourhood rings in waves (so the switchboard can call back).
    waves: bool,
}

pub async fn list(
    desk: Desk,
    State(state): State<Arc<AppState>>,
    Query(query): Query<ListQuery>,
) -> Result<Response, Failure> {
    if query.view == "closed" {
        return closed_list(desk, state, query).await;
    }
    let l = desk.lang;
    let week_ago = state.switchboard.clock.now() - jiff::SignedDuration::from_hours(7 * 24);
    let taken = desk::read(&state.switchboard, desk.acting(), move |act| use_case::taken(act, week_ago)).await?;
    let all = queue::load(&state, &desk).await?;
    let total = all.len();
    let people: Vec<Person> = all.into_iter().filter(|p| matches(p, &query, desk.user.id)).collect();
    let shown = people.len();
    desk::write(&state.switchboard, desk.acting(), move |act| use_case::viewed(act, shown)).await?;
    let users = desk::read(&state.switchboard, desk.acting(), use_case::assignees).await?;
    let waves = state.switchboard.neighbourhoods.current().all().any(|n| n.dialplan.ringing.mode == RingMode::Waves);
    let page = ListPage {
        desk: &desk,
        state: &state,
        query: &query,
        people: &people,
        total,
        users: &users,
        taken: &taken,
        waves,
    };
    let body = views::list(&page);
    Ok(layout::page(&desk, Nav::FollowUp, l.t("Opvolgen", "Follow-up"), body).into_response())
}

/// The last 30 days' closed follow-ups, each with a button to open it again.
async fn closed_list(desk: Desk, state: Arc<AppState>, query: ListQuery) -> Result<Response, Failure> {
    let l = desk.lang;
    let since = state.switchboard.clock.now() - jiff::SignedDuration::from_hours(30 * 24);
    let closed = desk::read(&state.switchboard, desk.acting(), move |act| use_case::closed(act, since)).await?;
    let body = tables::closed(&desk, &state, &query, &closed);
    Ok(layout::page(&desk, Nav::FollowUp, l.t("Afgehandeld", "Closed"), body).into_response())
}

/// The day list: one line per person with their number and reason, and room for notes,
/// on one or two A4 pages.
pub async fn print(
    desk: Desk,
    State(state): State<Arc<AppState>>,
    Query(query): Query<ListQuery>,
) -> Result<Response, Failure> {
    let l = desk.lang;
    let people: Vec<Person> =
        queue::load(&state, &desk).await?.into_iter().filter(|p| matches(p, &query, desk.user.id)).collect();
    let shown = people.len();
    desk::write(&state.switchboard, desk.acting(), move |act| use_case::printed(act, shown)).await?;
    let body = tables::day_list(&desk, &state, &query, &people);
    Ok(layout::page(&desk, Nav::FollowUp, l.t("Daglijst", "Day list"), body).into_response())
}

#[derive(Deserialize)]
pub struct CloseForm {
    #[serde(default)]
    result: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    back: String,
}

pub async fn close(
    State(state): State<Arc<AppState>>,
    Posted(FollowUpId(id), CheckedForm(desk, f)): Posted<FollowUpId, CheckedForm<CloseForm>>,
) -> Result<Response, Failure> {
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
    let closed =
        desk::write(&state.switchboard, desk.acting(), move |act| use_case::close(act, id, result, &note)).await?;
    if closed == Closed::Closed {
        // Every open desk page's menu counts one fewer.
        let _ = state.switchboard.changes.send(String::new());
    }
    Ok(match closed {
        Closed::Closed => Redirect::to(&safe_back(&f.back, "/desk/follow-up?closed=1")).into_response(),
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
pub struct StepForm {
    /// Not reached: the day to try again (YYYY-MM-DD).
    #[serde(default)]
    day: String,
    /// Assign: a desk account's id, or empty for nobody.
    #[serde(default)]
    to: String,
    #[serde(default)]
    back: String,
    /// Not reached: what the desk heard on the try ("dochter nam op, na 15 uur bellen").
    #[serde(default)]
    note: String,
}

/// The longest note on a step, as the form's `maxlength`.
const STEP_NOTE_CHARS: usize = 2000;

/// The refusal when nothing of the person is open any more.
fn closed_already(desk: &Desk) -> Response {
    desk.refusal(
        StatusCode::CONFLICT,
        desk.lang.t("Dit is al afgehandeld. Er is niets gewijzigd.", "This is closed already. Nothing was changed."),
    )
}

/// A call back that reached nobody: counted, tried again on the chosen day; it stays open.
pub async fn not_reached(
    State(state): State<Arc<AppState>>,
    Posted(FollowUpId(id), CheckedForm(desk, f)): Posted<FollowUpId, CheckedForm<StepForm>>,
) -> Result<Response, Failure> {
    let l = desk.lang;
    let today = state.switchboard.clock.now().to_zoned(state.desk.time_zone.clone()).date();
    // A refusal never loses the note: it is said back, to copy.
    let refused = |why: &str| {
        let kept = match f.note.trim() {
            "" => String::new(),
            note => format!(" {} {note}", l.t("Uw notitie:", "Your note:")),
        };
        desk.refusal(StatusCode::BAD_REQUEST, &format!("{why}{kept}"))
    };
    let day = match f.day.trim().parse::<jiff::civil::Date>() {
        Ok(day) if day >= today && day <= today + jiff::Span::new().days(92) => day,
        _ => {
            return Ok(refused(l.t(
                "Opnieuw proberen op: kies vandaag of later, binnen drie maanden. Er is niets opgeslagen.",
                "Try again on: choose today or later, within three months. Nothing was saved.",
            )))
        }
    };
    if f.note.trim().chars().count() > STEP_NOTE_CHARS {
        return Ok(refused(l.t(
            "Notitie: hoogstens 2000 tekens. Er is niets opgeslagen.",
            "Note: at most 2000 characters. Nothing was saved.",
        )));
    }
    let note = f.note.clone();
    if !desk::write(&state.switchboard, desk.acting(), move |act| use_case::not_reached(act, id, day, &note)).await? {
        return Ok(closed_already(&desk));
    }
    Ok(Redirect::to(&safe_back(&f.back, "/desk/follow-up?saved=1")).into_response())
}

/// Assigns a person's open follow-ups to a desk account, or to nobody.
pub async fn assign(
    State(state): State<Arc<AppState>>,
    Posted(FollowUpId(id), CheckedForm(desk, f)): Posted<FollowUpId, CheckedForm<StepForm>>,
) -> Result<Response, Failure> {
    let l = desk.lang;
    let no_such_user = || {
        desk.refusal(
            StatusCode::BAD_REQUEST,
            l.t("Die gebruiker bestaat niet. Er is niets opgeslagen.", "That user does not exist. Nothing was saved."),
        )
    };
    let to = match f.to.trim() {
        "" => None,
        given => match given.parse::<i64>() {
            Ok(to) => Some(to),
            Err(_) => return Ok(no_such_user()),
        },
    };
    match desk::write(&state.switchboard, desk.acting(), move |act| use_case::assign(act, id, to)).await? {
        Assigned::Done => {}
        Assigned::NothingOpen => return Ok(closed_already(&desk)),
        Assigned::NoSuchAccount => return Ok(no_such_user()),
    }
    Ok(Redirect::to(&safe_back(&f.back, "/desk/follow-up?saved=1")).into_response())
}

/// Opens a closed follow-up again.
pub async fn reopen(
    State(state): State<Arc<AppState>>,
    Posted(FollowUpId(id), CheckedForm(desk, f)): Posted<FollowUpId, CheckedForm<StepForm>>,
) -> Result<Response, Failure> {
    let l = desk.lang;
    let reopened = desk::write(&state.switchboard, desk.acting(), move |act| use_case::reopen(act, id)).await?;
    if reopened {
        let _ = state.switchboard.changes.send(String::new());
    } else {
        return Ok(desk.refusal(
            StatusCode::CONFLICT,
            l.t("Dit staat al open. Er is niets gewijzigd.", "This is open already. Nothing was changed."),
        ));
    }
    Ok(Redirect::to(&safe_back(&f.back, "/desk/follow-up?saved=1")).into_response())
}

#[derive(Deserialize)]
pub struct TakeForm {
    #[serde(default)]
    phone: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    number: String,
}

/// The desk takes a request itself: the same search as "press 1 to be called back".
pub async fn take_request(
    State(state): State<Arc<AppState>>,
    CheckedForm(desk, f): CheckedForm<TakeForm>,
) -> Result<Response, Failure> {
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
    let category = f.category.clone();
    desk::write(&state.switchboard, desk.acting(), move |act| {
        // Checked above already, with words for the desk.
        use_case::take_request(act, &hood, &phone, &category)?
            .map_err(|refused| anyhow::anyhow!("the request was refused: {refused:?}"))
    })
    .await?;
    Ok(Redirect::to("/desk/follow-up?callback=1").into_response())
}

/// The desk stops a request it took itself.
pub async fn stop_taken(
    State(state): State<Arc<AppState>>,
    Posted(RequestId(id), CheckedFields(desk, _)): Posted<RequestId, CheckedFields>,
) -> Result<Response, Failure> {
    let sb = state.switchboard.clone();
    let (stopped, out) =
        desk::write(&state.switchboard, desk.acting(), move |act| use_case::stop_taken(act, &sb, id)).await?;
    Ok(stopped_response(&desk, &state, stopped, out))
}

/// The answer to a stop: back to the list, or why nothing changed. Phones to stop are told
/// to the provider now.
fn stopped_response(
    desk: &Desk,
    state: &Arc<AppState>,
    stopped: StopOutcome,
    out: crate::switchboard::dispatch::Outbound,
) -> Response {
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

/// The desk stops a call-back search it no longer wants (the caller found help another
/// way, say): no more neighbours are rung, phones still ringing stop.
pub async fn stop_call_back(
    State(state): State<Arc<AppState>>,
    Posted(FollowUpId(id), CheckedFields(desk, _)): Posted<FollowUpId, CheckedFields>,
) -> Result<Response, Failure> {
    let sb = state.switchboard.clone();
    let (stopped, out) =
        desk::write(&state.switchboard, desk.acting(), move |act| use_case::stop_call_back(act, &sb, id)).await?;
    Ok(stopped_response(&desk, &state, stopped, out))
}

/// The desk starts the same search as "press 1 to be called back" for a caller who needs
/// it: neighbours are rung (in ringing hours) and the caller is called back on a yes.
pub async fn call_back(
    State(state): State<Arc<AppState>>,
    Posted(FollowUpId(id), CheckedFields(desk, _)): Posted<FollowUpId, CheckedFields>,
) -> Result<Response, Failure> {
    let l = desk.lang;
    let sb = state.switchboard.clone();
    let outcome = desk::write(&state.switchboard, desk.acting(), move |act| use_case::call_back(act, &sb, id)).await?;
    Ok(match outcome {
        Ok(_) => Redirect::to("/desk/follow-up?callback=1").into_response(),
        Err(NoCallBack::NotFound) => desk.refusal(StatusCode::NOT_FOUND, l.t("Dit verzoek bestaat niet.", "This request does not exist.")),
        Err(NoCallBack::InProgress) => desk.refusal(StatusCode::CONFLICT, l.t("Voor deze beller wordt al gezocht. Er is niets gewijzigd.", "A search for this caller is already running. Nothing was changed.")),
        Err(NoCallBack::CannotSearch) => desk.refusal(
            StatusCode::BAD_REQUEST,
            l.t("Terugbellen kan alleen met een bekend nummer, een soort hulp en een buurt die in golven belt. Er is niets gewijzigd.", "Calling back needs a known number, a kind of help and a neighbourhood that rings in waves. Nothing was changed."),
        ),
    })
}
