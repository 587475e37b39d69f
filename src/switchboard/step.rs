//! One step of a call's flow, shared by the webhooks of both ringing modes: who the caller
//! is, who may be rung next (the ranking, fed with what was learned), the pure
//! `domain::call::step`, and rendering its reply as the provider's document.

use super::tx::Tx;
use super::Switchboard;
use crate::config::Neighbourhood;
use crate::domain::action::Action;
use crate::domain::call::{self, CallerInfo, CallerSay, Context, Event, NextHelper, Offered, Step, Upcoming};
use crate::domain::dialplan::{RingMode, Voices};
use crate::domain::own::{Confirm, Own, Pause};
use crate::domain::participant::{Distance, StreetSaid};
use crate::domain::phone::CallerNumber;
use crate::domain::ranking::{self, Whereabouts};
use crate::provider::Document;
use crate::store::calls::{self, StoredCall};
use crate::store::participants;

/// The voices of the first neighbourhood, for a document of no neighbourhood in particular.
pub fn default_voice(state: &Switchboard) -> Voices {
    state.neighbourhoods.current().all().next().map(|n| n.voices.clone()).unwrap_or(Voices::single(
        crate::domain::dialplan::Voice {
            name: "Polly.Lotte".into(),
            language: "nl-NL".into(),
            rate: None,
            pause_ms: crate::domain::dialplan::DEFAULT_PAUSE_MS,
        },
    ))
}

pub fn render(state: &Switchboard, voices: &Voices, call_sid: &str, seq: u64, actions: &[Action]) -> String {
    state.provider().render(actions, &Document { call_sid, seq, voices, public_url: &state.public_url })
}

/// What the request that brought an event says besides the event.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// The caller's call has already ended: record it, ring nobody new.
    pub caller_gone: bool,
    /// The held caller's `<Dial>` action says a conference took place.
    pub conference_took_place: bool,
}

impl Report {
    pub const CALLER_GONE: Report = Report { caller_gone: true, conference_took_place: false };
}

/// One step of `call`'s flow with `event`, in the transaction `t`.
pub fn run_step(
    t: &mut Tx<'_>,
    hood: &Neighbourhood,
    call: &StoredCall,
    event: Event,
    report: Report,
) -> anyhow::Result<Step> {
    let (now, rest) = (t.now, t.sb.rest.is_some());
    let caller_gone = report.caller_gone;
    let plan = &hood.dialplan;
    let caller_participant = match call.caller_id {
        Some(id) => t.participant(id)?,
        None => None,
    };
    let tx = t.conn;
    let caller = match &caller_participant {
        Some(p) => CallerInfo {
            number: CallerNumber::Known(p.details.phone.clone()),
            first_name: Some(p.details.first_name().to_string()),
            street: Some(p.details.street.clone()).filter(|s| !s.is_empty()),
            own: Some(Own {
                offers: p.details.offers.clone(),
                available: p.details.available.clone(),
                pause: Pause::from_register(p.paused, p.paused_until, now.to_zoned(plan.time_zone.clone()).date()),
                round: crate::store::round::paused(tx, p.id)?,
                // Without the REST API the switchboard cannot call them back: the desk does.
                confirm: if rest { Confirm::CallBack } else { Confirm::Desk },
                slow_line: p.details.slow_line(),
                helpers_from: p.details.say().helpers_from,
                street: p.details.say().street,
                // Issue 28: a helper's help for later, only where it may be said (under 8).
                agenda: if super::agenda::wanted(&call.state.phase, &event) {
                    super::agenda::load(t, hood, p)?
                } else {
                    Default::default()
                },
            }),
            say: CallerSay {
                anonymous_until_yes: p.details.say().street == StreetSaid::AfterYes,
                desk_only: p.details.say().desk_only,
            },
            // Issue 28: heard first when they call (only at the menu: nothing else says it).
            planned: match call.state.phase {
                call::Phase::Menu => upcoming(tx, p.id, now)?,
                _ => None,
            },
        },
        None => CallerInfo::unknown(match &call.from {
            Some(n) => CallerNumber::Known(n.clone()),
            None => CallerNumber::Withheld,
        }),
    };
    let next_helper = match call::wants_helper(&call.state, &event, plan) {
        // Issue 27: nobody is rung for a desk-only resident; the desk reads why.
        Some(_) if caller.say.desk_only => {
            let note = crate::domain::desk::SwitchboardNote::DeskOnly;
            participants::note_on_call(t.conn, call.caller_id, &call.call_sid, note, now)?;
            None
        }
        // In waves, whether anyone can be rung at all: the search that starts next in this
        // transaction rings from the same ranking.
        Some(category) if plan.ringing.mode == RingMode::Waves => {
            let helpers = ranked(t, hood, call, caller_participant.as_ref(), Wanted { category, limit: usize::MAX })?;
            let first = helpers.first().cloned();
            t.keep_ranked(&call.call_sid, helpers);
            first
        }
        Some(category) => {
            ranked(t, hood, call, caller_participant.as_ref(), Wanted { category, limit: 1 })?.into_iter().next()
        }
        None => None,
    };
    let caller_over_limit = match (&call.from, &event, &call.state.phase) {
        (Some(from), Event::MenuKey(Some(_)), call::Phase::Menu) => {
            let since = now - jiff::SignedDuration::from_hours(24);
            calls::searches_since(tx, from, since, &call.call_sid)? >= plan.ringing.max_searches_per_caller_per_day
        }
        _ => false,
    };
    if caller_over_limit {
        tracing::warn!(call = %call.call_sid, "caller is over the daily search limit: to the desk");
    }
    let holding = matches!(call.state.phase, call::Phase::Holding { .. });
    let callback = holding && t.request(&call.call_sid)?.is_some();
    // Whether a held caller whose hold ended should wait on (`waves::Search::hold_goes_on`).
    let hold_goes_on = holding
        && !caller_gone
        && event == Event::HoldEnded
        && t.search(&call.call_sid)?.is_some_and(|s| s.hold_goes_on(report.conference_took_place));
    // Whether this process may have missed what followed the yes (it started since).
    let yes_before_start = matches!((&event, &call.state.phase), (Event::CallerGone, call::Phase::Connected(_)))
        && calls::match_accepted_at(tx, &call.call_sid)?.is_some_and(|at| at <= t.sb.started_at.as_second());
    // The call's language, or the caller's own from the register (a call-back search's
    // resident too).
    let language =
        call.state.language.clone().or_else(|| caller_participant.as_ref().and_then(|p| p.details.language.clone()));
    let prompts = hood.prompts_in(language.as_deref());
    let helper_language = match helper_attempt(&event) {
        Some(attempt) => calls::helper_language(tx, &call.call_sid, attempt)?,
        None => None,
    };
    let helper_prompts = hood.prompts_in(helper_language.as_deref());
    // Issue 27: a helper on the slow line gets longer for their 1 or 2.
    let helper_slow_line = match helper_attempt(&event) {
        Some(attempt) => crate::store::participants::helper_slow_line(tx, &call.call_sid, attempt)?,
        None => false,
    };
    let offered: Vec<Offered<'_>> = plan
        .caller_languages
        .iter()
        .filter_map(|l| hood.languages.get(&l.key).map(|p| Offered { digit: l.digit, prompts: p }))
        .collect();
    let ctx = Context {
        now,
        dialplan: plan,
        prompts,
        helper_prompts,
        offered: &offered,
        caller: &caller,
        next_helper,
        caller_gone,
        caller_over_limit,
        callback,
        hold_goes_on,
        yes_before_start,
        helper_slow_line,
    };
    Ok(call::step(call.state.clone(), event, &ctx))
}

/// The soonest planned help still to come that `requester` asked for (issue 28): what they
/// hear first when they call.
fn upcoming(conn: &rusqlite::Connection, requester: i64, now: jiff::Timestamp) -> anyhow::Result<Option<Upcoming>> {
    let Some(r) = crate::store::planned::upcoming_for(conn, requester, now)? else { return Ok(None) };
    let helper_first_name = match r.helper_id {
        Some(id) => participants::find(conn, id)?.map(|p| p.details.first_name().to_string()),
        None => None,
    };
    Ok(Some(Upcoming { id: r.id, at: r.at, helper_first_name }))
}

/// The helper an event is about, by their attempt: what they hear is in their language.
fn helper_attempt(event: &Event) -> Option<u32> {
    use crate::domain::waves::Tell;
    match event {
        Event::HelperAnswered { attempt }
        | Event::HelperKey { attempt, .. }
        | Event::HelperWaitTick { attempt }
        | Event::ResidentUnreachable { attempt }
        | Event::WaveThanks { attempt }
        | Event::Search(Tell::Answered { attempt, .. })
        | Event::Search(Tell::Key { attempt, .. })
        | Event::Search(Tell::WinnerAlone { attempt })
        | Event::Search(Tell::WinnerDropped { attempt }) => Some(*attempt),
        _ => None,
    }
}

/// Which helpers a ranking is for: the kind of help, and how many at most.
pub struct Wanted<'a> {
    pub category: &'a str,
    pub limit: usize,
}

/// The helpers who may be rung for this call now, best first.
pub fn ranked(
    t: &Tx<'_>,
    hood: &Neighbourhood,
    call: &StoredCall,
    caller_participant: Option<&crate::domain::participant::Participant>,
    wanted: Wanted<'_>,
) -> anyhow::Result<Vec<NextHelper>> {
    let Wanted { category, limit } = wanted;
    let (tx, registry, now) = (t.conn, &t.sb.store.registry, t.now);
    let plan = &hood.dialplan;
    let local_now = now.to_zoned(plan.time_zone.clone()).datetime();
    if !plan.ringing.hours.contains(local_now) {
        return Ok(Vec::new());
    }
    // Only who may be rung at this hour is looked up further (the ranking checks it again,
    // with everything else).
    let minute = local_now.with().second(0).subsec_nanosecond(0).build()?;
    let keep = |p: &crate::domain::participant::Participant| {
        !p.is_paused_on(minute.date()) && (p.details.available.is_empty() || p.details.available.contains(minute))
    };
    let sieve = participants::Ringable { minute: now.as_second().div_euclid(60), keep: &keep };
    let wanted = participants::Wanted {
        neighbourhood: &hood.key,
        category,
        call_sid: &call.call_sid,
        caller_phone: call.from.as_ref(),
    };
    // Learned from the attempts logged so far: who tends to say yes at this time.
    let learned = participants::learned(tx, registry, &plan.time_zone, now)?;
    let caller_at =
        caller_participant.map(|p| Whereabouts { street: &p.details.street, postcode: &p.details.postcode });
    let request = ranking::Request {
        category,
        caller_phone: call.from.as_ref(),
        caller_at,
        now: local_now,
        at: now,
        ringing_hours: &plan.ringing.hours,
        caller_wish: caller_participant.map_or(Distance::Any, |p| p.details.say().helpers_from),
        experienced_only: plan.experienced_only(category),
    };
    let learned_at = participants::LearnedAt { learned: &learned, at: local_now };
    // Issue 31: from who may be rung this minute, kept ready; one helper (dial mode) is
    // the best, found without looking at everyone.
    let chosen = participants::with_ready(tx, registry, &wanted, &sieve, &learned_at, |ready, helped, calls| {
        if limit == 1 {
            ready.best(&request, helped.iter().copied(), calls).into_iter().cloned().collect::<Vec<_>>()
        } else {
            ready.rank(&request, calls).into_iter().take(limit).cloned().collect()
        }
    })?;
    if chosen.is_empty() {
        // Nobody: whether only the wishes kept everyone away, from everyone who offers the
        // kind of help this minute (the desk reads why with the follow-up).
        let mut candidates = participants::candidates(tx, registry, &wanted, &sieve)?;
        for c in &mut candidates {
            c.likelihood = Some(learned.likelihood(c.participant.id, local_now));
        }
        if ranking::kept_away_by_wishes(&candidates, &request) {
            let note = crate::domain::desk::SwitchboardNote::Wishes {
                helpers_from: request.caller_wish,
                experienced_only: request.experienced_only,
            };
            participants::note_on_call(tx, caller_participant.map(|p| p.id), &call.call_sid, note, now)?;
        }
    }
    Ok(chosen
        .iter()
        .map(|p| NextHelper {
            id: p.id,
            first_name: p.details.first_name().to_string(),
            phone: p.details.phone.clone(),
        })
        .collect())
}
