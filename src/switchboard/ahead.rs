//! Who the search ahead of a planned request asks (issue 28): the ranking on the day and
//! hour of the help (`domain::planned::rank`), for the search (`planned`) and for what a
//! helper may hear under 8 (`agenda`), so both keep the same eligibility.

use super::tx::Tx;
use crate::config::Neighbourhood;
use crate::domain::planned;
use crate::domain::ranking::Whereabouts;
use crate::store::planned as store;

/// Issue 28: whether the search ahead would ask `helper` for `r`, were it not that they
/// heard it on their own call (under 8) and did not answer yet: whether it may be said to
/// them there (`switchboard::agenda`).
pub(super) fn would_ask(t: &mut Tx<'_>, hood: &Neighbourhood, r: &store::Request, helper: i64) -> anyhow::Result<bool> {
    Ok(ranked(t, hood, r, Some(helper))?.contains(&helper))
}

/// The ranking of `r`'s search ahead; `hearing` is not left out for having heard it.
pub(super) fn ranked(
    t: &mut Tx<'_>,
    hood: &Neighbourhood,
    r: &store::Request,
    hearing: Option<i64>,
) -> anyhow::Result<Vec<i64>> {
    let mut candidates = store::candidates(t.conn, &t.sb.store.registry, r)?;
    for c in candidates.iter_mut().filter(|c| Some(c.participant.id) == hearing) {
        c.asked_this_call = false;
    }
    // A requester erased since: nobody is asked about them.
    let Some(requester) = (match r.requester_id {
        Some(id) => t.participant(id)?,
        None => None,
    }) else {
        return Ok(Vec::new());
    };
    let d = &requester.details;
    let wanted = planned::Wanted {
        category: &r.category,
        requester_phone: Some(&d.phone),
        requester_at: Some(Whereabouts { street: &d.street, postcode: &d.postcode }),
        requester_wish: d.say().helpers_from,
        experienced_only: hood.dialplan.experienced_only(&r.category),
        at: r.at,
        now: t.now,
    };
    Ok(planned::rank(&candidates, &wanted).into_iter().map(|c| c.participant.id).collect())
}
