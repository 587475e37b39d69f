//! The participant a request is about, found only when the account may see them.

use std::sync::Arc;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::form::parse_id;
use crate::switchboard::desk::participants::{self as uc, Participant};
use crate::switchboard::desk::read;
use crate::web::desk::{Desk, Failure};
use crate::web::AppState;

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

pub(super) fn not_found(desk: &Desk) -> Response {
    desk.refusal(
        StatusCode::NOT_FOUND,
        desk.lang.t("Deze deelnemer bestaat niet (meer).", "This participant does not exist (any more)."),
    )
}
