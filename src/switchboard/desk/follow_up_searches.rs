//! The call-back searches the desk starts and stops: a request taken at the desk, a
//! search for a follow-up's caller. Only those on the account's numbers are found; each
//! is audited.

use super::{visible, Act, Request};
use crate::config::Neighbourhood;
use crate::domain::audit::{AuditAction, StoppedFrom};
use crate::domain::phone::PhoneNumber;
use crate::store::{callbacks, desk as q};
use crate::switchboard::callbacks::{self as requests, StopOutcome};
use crate::switchboard::dispatch::Outbound;
use crate::switchboard::Switchboard;

/// Whether there is a call-back request `id` the account may see.
pub fn request_visible(act: &Act<'_>, id: i64) -> anyhow::Result<bool> {
    q::request_visible(act.conn, id, act.scope())
}

/// The call-back requests still in progress (or all of them) the account may see, oldest
/// first.
pub fn requests(act: &Act<'_>, all: bool) -> anyhow::Result<Vec<Request>> {
    callbacks::list(act.conn, all, act.scope())
}

/// The desk takes a request itself (the same search as "press 1 to be called back"):
/// audited. Refused as `requests::open` refuses.
pub fn take_request(
    act: &Act<'_>,
    hood: &Neighbourhood,
    phone: &PhoneNumber,
    category: &str,
) -> anyhow::Result<Result<requests::Opened, requests::Refused>> {
    if !act.scope().sees_key(&hood.key) {
        anyhow::bail!("a neighbourhood this account may not see");
    }
    let opened = match requests::open(act.conn, hood, phone, category, requests::Origin::Desk, act.now)? {
        Ok(opened) => opened,
        Err(refused) => return Ok(Err(refused)),
    };
    act.audit(&AuditAction::TookCallBackRequest { request: opened.id }, opened.participant)?;
    Ok(Ok(opened))
}

/// A stop carried out: audited when it stopped something.
fn audited_stop(
    act: &Act<'_>,
    (stopped, request, out): (StopOutcome, Option<Request>, Outbound),
    from: StoppedFrom,
) -> anyhow::Result<(StopOutcome, Outbound)> {
    if let (StopOutcome::Stopped, Some(request)) = (&stopped, &request) {
        act.audit(&AuditAction::StoppedCallBackSearch { from }, request.participant_id)?;
    }
    Ok((stopped, out))
}

/// The desk stops a request it took itself. The phones to stop are in `Outbound`.
pub fn stop_taken(act: &Act<'_>, sb: &Switchboard, id: i64) -> anyhow::Result<(StopOutcome, Outbound)> {
    if !request_visible(act, id)? {
        return Ok((StopOutcome::NotFound, Outbound::default()));
    }
    let Some(request) = callbacks::find(act.conn, id)? else {
        return Ok((StopOutcome::NotFound, Outbound::default()));
    };
    audited_stop(act, requests::stop_request(act.conn, sb, request, act.now)?, StoppedFrom::Request(id))
}

/// The desk stops the call-back search of follow-up `id`.
pub fn stop_call_back(act: &Act<'_>, sb: &Switchboard, id: i64) -> anyhow::Result<(StopOutcome, Outbound)> {
    if !visible(act, id)? {
        return Ok((StopOutcome::NotFound, Outbound::default()));
    }
    audited_stop(act, requests::stop_callback(act.conn, sb, id, act.now)?, StoppedFrom::FollowUp(id))
}

/// Why the desk could not start a call-back search.
#[derive(Debug, PartialEq, Eq)]
pub enum NoCallBack {
    NotFound,
    /// A search for this caller is already running.
    InProgress,
    /// No known number, no kind of help, or not a neighbourhood that rings in waves.
    CannotSearch,
}

/// The desk starts the same search as "press 1 to be called back" for the caller of
/// follow-up `id`: audited.
pub fn call_back(act: &Act<'_>, sb: &Switchboard, id: i64) -> anyhow::Result<Result<i64, NoCallBack>> {
    if !visible(act, id)? {
        return Ok(Err(NoCallBack::NotFound));
    }
    let Some((number, call_sid, caller, from, category)) = callbacks::follow_up_call(act.conn, id)? else {
        return Ok(Err(NoCallBack::NotFound));
    };
    let hood = sb.neighbourhoods.by_number(&number);
    let phone = from.as_deref().and_then(|p| PhoneNumber::from_stored(p).ok());
    let (Some(hood), Some(phone), Some(category)) = (hood, phone, category) else {
        return Ok(Err(NoCallBack::CannotSearch));
    };
    let origin = requests::Origin::FollowUp { call_sid: &call_sid, caller };
    let request = match requests::open(act.conn, &hood, &phone, &category, origin, act.now)? {
        Ok(opened) => opened.id,
        Err(requests::Refused::InProgress) => return Ok(Err(NoCallBack::InProgress)),
        Err(_) => return Ok(Err(NoCallBack::CannotSearch)),
    };
    act.audit(&AuditAction::StartedCallBackSearch { request, follow_up: id }, caller)?;
    Ok(Ok(request))
}
