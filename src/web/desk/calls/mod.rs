//! The call log with its filters, one call's timeline, and voicemail playback (from our
//! own copy: `switchboard::provider_jobs` fetches it from the provider).

mod pages;
mod views;

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use jiff::civil::Date;
use jiff::Timestamp;
use serde::Deserialize;

use super::layout::{self, Nav};
use super::records::{CallSid, Seen};
use super::text::Lang;
use super::{Desk, DeskState, Failure};
use crate::domain::call::Outcome;
use crate::switchboard::desk::calls::{self as use_case, Voicemail};
use crate::switchboard::desk::{self, CallFilter, Scope};
use crate::web::AppState;
pub use views::{caller, note_list, row, table_head, voicemail_player};

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
    let page = pages::List { query: &query, chosen: &chosen, choices: &choices, rows, error: &error, next: &next };
    let body = pages::list(l, &state, &page);
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
    let body = pages::detail(l, &state, &d, &notes);
    Ok(layout::page(
        &desk,
        Nav::Calls,
        &format!("{} {}", l.t("Gesprek van", "Call of"), l.when(r.started_at, tz)),
        body,
    )
    .into_response())
}

/// Plays a voicemail from our own copy. Until it has been fetched from the provider, says
/// so (503, with words).
pub async fn voicemail(
    State(state): State<Arc<AppState>>,
    Seen(desk, CallSid(sid)): Seen<CallSid>,
) -> Result<Response, Failure> {
    Ok(match desk::write(&state.switchboard, desk.acting(), move |act| use_case::play_voicemail(act, &sid)).await? {
        Voicemail::NotFound => not_found(&desk),
        Voicemail::NotYet => (StatusCode::SERVICE_UNAVAILABLE, views::not_here_yet(desk.lang, &state)).into_response(),
        Voicemail::Audio(content_type, audio) => ([(header::CONTENT_TYPE, content_type)], audio).into_response(),
    })
}
