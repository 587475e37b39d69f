//! A record named in a page's path (a call by its SID, a follow-up, a call-back request, a
//! resident of the round, a request for help later) that is only found when the account
//! may see it: a handler that takes one never sees another neighbourhood's record; the
//! account gets a 404 page, as if it did not exist. `Seen<R>` for a page, `Posted<R, F>` for a form: its CSRF token is
//! checked first (`F` is a `CheckedForm` or `CheckedFields`), then the record is looked up.

use std::sync::Arc;

use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::{CheckedFields, CheckedForm, Desk, Failure};
use crate::switchboard::desk::{self, Act};
use crate::web::AppState;

/// A kind of record in a path.
pub trait Record: Sized + Send + 'static {
    /// What the 404 page says (Dutch, English).
    const MISSING: (&'static str, &'static str);
    /// The record's key in the path, if it can be one.
    fn parse(raw: &str) -> Option<Self>;
    /// Whether the account acting may see it.
    fn found(&self, act: &Act<'_>) -> anyhow::Result<bool>;
}

/// A call, by its SID.
pub struct CallSid(pub String);
/// A follow-up.
pub struct FollowUpId(pub i64);
/// A call-back request.
pub struct RequestId(pub i64);
/// A resident of the round.
pub struct ResidentId(pub i64);
/// A request for help later.
pub struct PlannedId(pub i64);

const NO_REQUEST: (&str, &str) = ("Dit verzoek bestaat niet.", "This request does not exist.");

impl Record for CallSid {
    const MISSING: (&'static str, &'static str) =
        ("Dit gesprek bestaat niet (meer).", "This call does not exist (any more).");
    fn parse(raw: &str) -> Option<Self> {
        Some(CallSid(raw.to_string()))
    }
    fn found(&self, act: &Act<'_>) -> anyhow::Result<bool> {
        desk::calls::visible(act, &self.0)
    }
}

impl Record for FollowUpId {
    const MISSING: (&'static str, &'static str) = NO_REQUEST;
    fn parse(raw: &str) -> Option<Self> {
        raw.parse().ok().map(FollowUpId)
    }
    fn found(&self, act: &Act<'_>) -> anyhow::Result<bool> {
        desk::follow_up::visible(act, self.0)
    }
}

impl Record for RequestId {
    const MISSING: (&'static str, &'static str) = NO_REQUEST;
    fn parse(raw: &str) -> Option<Self> {
        raw.parse().ok().map(RequestId)
    }
    fn found(&self, act: &Act<'_>) -> anyhow::Result<bool> {
        desk::follow_up::request_visible(act, self.0)
    }
}

impl Record for ResidentId {
    const MISSING: (&'static str, &'static str) =
        ("Deze bewoner staat niet in de goedemorgenronde.", "This resident is not in the good-morning round.");
    fn parse(raw: &str) -> Option<Self> {
        raw.parse().ok().map(ResidentId)
    }
    fn found(&self, act: &Act<'_>) -> anyhow::Result<bool> {
        desk::round::visible(act, self.0)
    }
}

impl Record for PlannedId {
    const MISSING: (&'static str, &'static str) = NO_REQUEST;
    fn parse(raw: &str) -> Option<Self> {
        raw.parse().ok().map(PlannedId)
    }
    fn found(&self, act: &Act<'_>) -> anyhow::Result<bool> {
        crate::switchboard::planned::visible(act, self.0)
    }
}

/// The record the path's value (`raw`) names, when the account may see it; otherwise the
/// 404 page.
async fn find<R: Record>(state: &Arc<AppState>, desk: &Desk, raw: Option<String>) -> Result<R, Response> {
    let not_found = || desk.refusal(StatusCode::NOT_FOUND, desk.lang.t(R::MISSING.0, R::MISSING.1));
    let Some(record) = raw.as_deref().and_then(R::parse) else { return Err(not_found()) };
    let (visible, record) = desk::read(&state.switchboard, desk.acting(), move |act| Ok((record.found(act)?, record)))
        .await
        .map_err(|e| Failure(e).into_response())?;
    if visible {
        Ok(record)
    } else {
        Err(not_found())
    }
}

async fn raw_path(parts: &mut Parts, state: &Arc<AppState>) -> Option<String> {
    Path::<String>::from_request_parts(parts, state).await.ok().map(|Path(raw)| raw)
}

/// A page about a record the account may see, with the session.
pub struct Seen<R>(pub Desk, pub R);

impl<R: Record> FromRequestParts<Arc<AppState>> for Seen<R> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> Result<Self, Response> {
        let desk = Desk::from_request_parts(parts, state).await?;
        let raw = raw_path(parts, state).await;
        let record = find(state, &desk, raw).await?;
        Ok(Seen(desk, record))
    }
}

/// A checked form's session.
pub trait Checked {
    fn desk(&self) -> &Desk;
}

impl<T> Checked for CheckedForm<T> {
    fn desk(&self) -> &Desk {
        &self.0
    }
}

impl Checked for CheckedFields {
    fn desk(&self) -> &Desk {
        &self.0
    }
}

/// A form about a record: its CSRF token checked before anything else (as `F` does), then
/// the record found only when the account may see it.
pub struct Posted<R, F>(pub R, pub F);

impl<R, F> FromRequest<Arc<AppState>> for Posted<R, F>
where
    R: Record,
    F: FromRequest<Arc<AppState>, Rejection = Response> + Checked + Send,
{
    type Rejection = Response;

    async fn from_request(req: Request, state: &Arc<AppState>) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let raw = raw_path(&mut parts, state).await;
        let form = F::from_request(Request::from_parts(parts, body), state).await?;
        let record = find(state, form.desk(), raw).await?;
        Ok(Posted(record, form))
    }
}
