//! A helper's help for later by phone (issue 28, "Helpers by phone"): what they hear under
//! 8 (`load`, into `Own::agenda`).
//!
//! - Their planned help: the requests they help with that are still to come.
//! - The open requests of the call's neighbourhood they may take: still asking before the
//!   cut-off, of a kind of help they give, and the search ahead would ask them (the same
//!   ranking on the day and hour of the help: never "do not pair", never one they were
//!   asked about by any route).
//! - Heard is asked: an open request said to them is kept as an asking call to them
//!   (`store::planned::asked_by_phone`), so the search ahead never asks them again, and a
//!   request they were asked about (by a call, or here with a 1 or 2) is never said here.
//!   One they heard here without answering may be said here again.
//! - What they do there is carried out by `planned::helper_by_phone`: a 1 on an open request
//!   is a yes on the call that asks ahead (`planned::taken_by_phone`); their "I cannot after
//!   all" asks again at once without them, and the requester is told
//!   (`planned::withdrawn_by_phone`).

use super::tx::Tx;
use crate::config::Neighbourhood;
use crate::domain::call::Phase;
use crate::domain::own::{Agenda, Planned};
use crate::domain::participant::{Participant, StreetSaid};
use crate::store::planned as store;

/// Whether this step of a call may say a helper's help for later: in their own settings,
/// or as they press 8.
pub fn wanted(phase: &Phase, event: &crate::domain::call::Event) -> bool {
    use crate::domain::call::Event;
    match (phase, event) {
        (Phase::Settings, Event::SettingsKey(_)) => true,
        (Phase::Menu, Event::MenuKey(Some(key))) => key == "8",
        _ => false,
    }
}

/// What `helper` hears under 8 in `hood` now.
pub fn load(t: &mut Tx<'_>, hood: &Neighbourhood, helper: &Participant) -> anyhow::Result<Agenda> {
    let mut agenda = Agenda::default();
    for r in store::helping(t.conn, helper.id, t.now)? {
        agenda.mine.extend(heard(t, &r)?);
    }
    let offers = &helper.details.offers;
    if offers.is_empty() {
        return Ok(agenda);
    }
    for r in store::open_for(t.conn, &hood.key, offers, helper.id, t.now)? {
        if super::ahead::would_ask(t, hood, &r, helper.id)? {
            agenda.open.extend(heard(t, &r)?);
        }
    }
    Ok(agenda)
}

/// A request as a helper hears of it: a first name and a street, never a number.
fn heard(t: &mut Tx<'_>, r: &store::Request) -> anyhow::Result<Option<Planned>> {
    let Some(requester) = (match r.requester_id {
        Some(id) => t.participant(id)?,
        None => None,
    }) else {
        return Ok(None);
    };
    let street = requester.details.street.trim();
    Ok(Some(Planned {
        id: r.id,
        at: r.at,
        requester: requester.details.first_name().to_string(),
        street: (!street.is_empty()).then(|| street.to_string()),
        street_before_yes: requester.details.say().street == StreetSaid::Always,
        category: r.category.clone(),
        where_to: super::where_to::path(t.conn, r.id, t.now)?,
    }))
}
