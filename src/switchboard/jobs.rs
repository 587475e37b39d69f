//! The background jobs: closing calls and legs whose end was never reported, searching
//! again for residents who asked to be called back, anonymising old calls, and the
//! provider's jobs (voicemails fetched, records deleted there).

use std::sync::Arc;
use std::time::Duration;

use super::step::{run_step, Report};
use super::tx::Tx;
use super::Switchboard;
use crate::domain::call::Event;
use crate::store::{calls, participants};

/// The running background jobs; dropping this stops them.
pub struct Jobs(Vec<tokio::task::JoinHandle<()>>);

impl Drop for Jobs {
    fn drop(&mut self) {
        for job in &self.0 {
            job.abort();
        }
    }
}

/// Runs what must happen before the first webhook is answered, then starts the jobs that
/// run every so often.
pub async fn start(sb: Arc<Switchboard>) -> Jobs {
    let st = sb.clone();
    match sb
        .worker
        .run(move |store| store.write(|tx| crate::store::waves::fail_unplaced_legs(tx, st.clock.now())))
        .await
    {
        Ok(Ok(n)) if n > 0 => {
            tracing::warn!(legs = n, "helper calls decided before the last stop but never placed: counted as failed")
        }
        Ok(Err(e)) | Err(e) => tracing::error!(error = %e, "checking for helper calls never placed failed"),
        _ => {}
    }
    let st = sb.clone();
    match sb
        .worker
        .write(move |tx| {
            let mut t = super::tx::Tx::starting_now(tx, &st);
            let n = super::round::fail_unplaced(&mut t)?;
            Ok((n, t.finish()?))
        })
        .await
    {
        Ok((n, out)) => {
            if n > 0 {
                tracing::warn!(
                    calls = n,
                    "good-morning calls decided before the last stop but never placed: counted as failed"
                );
            }
            super::dispatch::dispatch(sb.clone(), out);
        }
        Err(e) => tracing::error!(error = %e, "checking for good-morning calls never placed failed"),
    }
    // Help for later: calls asked of the provider before the last stop whose creation was
    // never answered count as never reported (nobody is rung twice).
    let st = sb.clone();
    match sb.worker.run(move |_| super::planned::at_start(&st)).await {
        Ok(Ok((n, out))) => {
            if n > 0 {
                tracing::warn!(calls = n, "calls about planned requests placed before the last stop, never answered by the provider: not placed again");
            }
            super::dispatch::dispatch(sb.clone(), out);
        }
        Ok(Err(e)) | Err(e) => tracing::error!(error = %e, "checking the calls about planned requests at start failed"),
    }
    // Call back later: open requests are searched for again when due; the good-morning
    // round's calls and retries that are due (every minute, the first at once, so a round
    // missed while the service was down is made up when it comes back in time).
    let st = sb.clone();
    let callbacks = tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(60));
        loop {
            every.tick().await;
            if let Err(e) = super::start_due_callbacks(st.clone()).await {
                tracing::error!(error = %e, "could not start the searches for open call-back requests");
            }
            if let Err(e) = run_round(st.clone()).await {
                tracing::error!(error = %e, "could not make the good-morning round");
            }
            if let Err(e) = run_confirmations(st.clone()).await {
                tracing::error!(error = %e, "could not place the call backs that confirm changes asked for by phone");
            }
            if let Err(e) = run_planned(st.clone()).await {
                tracing::error!(error = %e, "could not move the requests for later on");
            }
            st.jobs_ready.store(true, std::sync::atomic::Ordering::SeqCst);
        }
    });
    // What the provider keeps: voicemails fetched and deleted there, call records deleted.
    let provider = tokio::spawn(super::provider_jobs::runner(sb.clone()));
    // Calls and legs whose end was lost while the service was down are closed before the
    // first webhook is answered, so nobody is still marked as being rung.
    sweep_now(&sb).await;
    let st = sb.clone();
    let sweeper = tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(600));
        every.tick().await;
        let mut last_retention: Option<jiff::Timestamp> = None;
        loop {
            let now = st.clock.now();
            if st.retention_months > 0 && last_retention.is_none_or(|t| (now - t).get_hours() >= 24) {
                last_retention = Some(now);
                anonymise_all(&st).await;
            }
            sweep_now(&st).await;
            every.tick().await;
        }
    });
    // The searches of held callers, ticked by the clock as well as by their hold music.
    let st = sb.clone();
    let ticker = tokio::spawn(async move {
        let mut every = tokio::time::interval(TICK_HELD_EVERY);
        loop {
            every.tick().await;
            if let Err(e) = tick_held(st.clone()).await {
                tracing::error!(error = %e, "could not tick the searches of held callers");
            }
        }
    });
    Jobs(vec![callbacks, provider, sweeper, ticker])
}

/// How often the searches of held callers are ticked (`tick_held`), besides the ticks
/// their hold music brings.
pub const TICK_HELD_EVERY: Duration = Duration::from_secs(5);

/// Ticks the search of every caller still on hold for whom nobody has said yes, as their
/// hold music's requests do (`waves::tick`): the next wave when one is due, a search that
/// waited too long given up, a caller not moved on moved again. A provider
/// whose held caller hears music without asking for it (an mp3 the provider plays
/// itself) brings no such requests, so this runs every `TICK_HELD_EVERY` for every
/// provider (where the hold music ticks, it finds nothing new between those). Each search is
/// its own transaction; a failing one does not hold up the others. Returns how many were
/// ticked.
pub async fn tick_held(sb: Arc<Switchboard>) -> anyhow::Result<usize> {
    let open = sb.worker.run(|store| store.read(crate::store::waves::open_searches)).await??;
    let mut ticked = 0;
    for call_sid in open {
        let st = sb.clone();
        let ticking = sb.worker.write(move |tx| super::waves::tick_held_call(tx, &st, &call_sid)).await;
        match ticking {
            Ok(out) => {
                ticked += 1;
                super::dispatch::dispatch(sb.clone(), out);
            }
            Err(e) => tracing::error!(error = %e, "ticking a held caller's search failed"),
        }
    }
    Ok(ticked)
}

/// The good-morning round: starts the rounds that are due, makes the retries that are due,
/// tells the desk of rounds that could not be made. Runs every minute (and from tests,
/// after moving the clock). Returns how many rounds were started.
pub async fn run_round(sb: Arc<Switchboard>) -> anyhow::Result<usize> {
    let st = sb.clone();
    let (started, out) = sb.worker.run(move |_| super::round::due(&st)).await??;
    super::dispatch::dispatch(sb, out);
    Ok(started)
}

/// Help for later (issue 28): each asking request's next step, and the calls about
/// planned requests that wait for the ringing hours. Runs every minute (and from tests,
/// after moving the clock).
pub async fn run_planned(sb: Arc<Switchboard>) -> anyhow::Result<()> {
    let st = sb.clone();
    let out = sb.worker.run(move |_| super::planned::due(&st)).await??;
    super::dispatch::dispatch(sb, out);
    Ok(())
}

/// Changes asked for by phone: those not confirmed in time expire; call backs whose call
/// never reported its end are placed. Runs every minute (and from tests).
pub async fn run_confirmations(sb: Arc<Switchboard>) -> anyhow::Result<()> {
    let st = sb.clone();
    let out = sb.worker.run(move |_| super::confirm::due(&st)).await??;
    super::dispatch::dispatch(sb, out);
    Ok(())
}

async fn sweep_now(sb: &Arc<Switchboard>) {
    match sweep_all(sb).await {
        Ok(n) if n > 0 => tracing::info!(calls = n, "closed calls whose end was never reported"),
        Err(e) => tracing::error!(error = %e, "sweeping unfinished calls failed"),
        _ => {}
    }
}

/// The whole sweep: the matches whose join was never reported are checked with the
/// provider's records first, then `sweep` closes legs and calls whose end never came.
/// Returns how many calls were closed.
pub async fn sweep_all(sb: &Arc<Switchboard>) -> anyhow::Result<usize> {
    if let Err(e) = check_unconfirmed_joins(sb).await {
        tracing::error!(error = %e, "checking matches whose join was never reported failed");
    }
    let st = sb.clone();
    sb.worker.run(move |_| sweep(&st)).await?
}

/// A match whose winner's entry into the caller's conference was never reported (lost
/// while the service was down), and whose winner's line has not ended, is checked with the
/// provider's records of the conferences under the caller's room name, at start-up and at
/// every sweep until that line is closed (`join_from_records`). The winner in a conference
/// without the caller means they entered after the caller had gone (the fallback took the
/// caller, say), and are alone there: the match is undone, the winner (if still there) is
/// told, and the desk calls the caller back. The two together is the lost report, found.
/// Without the REST API, or when the records cannot tell, the match waits: should the
/// call's end be lost too, the sweep closes it as unconfirmed, for the desk to check.
///
/// Each join is checked on its own (issue 30): when the provider's records of one cannot
/// be had (a burst of 5xx outlasting the client's retries, a timeout), that join is asked
/// about again at the next sweep and the others are decided now. It is not asked about for
/// ever: the sweep closes the winner's line `LEG_LOST_AFTER_MINUTES` after it started,
/// and from then on it is what it is when the records cannot tell, an unconfirmed call for
/// the desk. Only failing to read the joins from the store ends the check early.
async fn check_unconfirmed_joins(sb: &Arc<Switchboard>) -> anyhow::Result<()> {
    use crate::domain::waves::{join_from_records, JoinRecords};
    let Some(rest) = sb.rest.clone() else { return Ok(()) };
    let before = sb.clock.now();
    let joins = sb.worker.run(move |store| store.read(|c| crate::store::waves::unconfirmed_joins(c, before))).await??;
    for join in joins {
        // Conferences are named after the held caller's call.
        let records = match rest.conference_records(&join.call_sid).await {
            Ok(records) => records,
            Err(e) if e.is_passing() => {
                tracing::warn!(call = %join.call_sid, error = %e, "the provider's conference records could not be had: asked again at the next sweep");
                continue;
            }
            Err(e) => {
                tracing::error!(call = %join.call_sid, error = %e, "the provider refused the conference records: asked again at the next sweep");
                continue;
            }
        };
        let found =
            join_from_records(join.caller_conference.as_deref(), &join.call_sid, &join.winner_leg_sid, &records);
        let (conference, alone) = match found {
            JoinRecords::Alone(c) => (c, true),
            JoinRecords::Together(c) => (c, false),
            JoinRecords::CannotTell => continue,
        };
        let (st, call) = (sb.clone(), join.call_sid.clone());
        let recorded = sb
            .worker
            .write(move |tx| {
                super::waves::records_show_entry(tx, &st, &join.call_sid, &join.winner_leg_sid, conference, alone)
            })
            .await;
        match recorded {
            Ok(out) => super::dispatch::dispatch(sb.clone(), out),
            Err(e) => {
                tracing::error!(call = %call, error = %e, "recording what the provider's records show failed: asked again at the next sweep")
            }
        }
    }
    Ok(())
}

/// Anonymises every call older than the retention period, in batches, each its own job on
/// the store's thread, so webhooks go in between.
async fn anonymise_all(sb: &Arc<Switchboard>) {
    let mut total = 0;
    loop {
        let st = sb.clone();
        match sb.worker.run(move |_| anonymise(&st)).await {
            Ok(Ok(n)) => {
                total += n;
                if n < ANONYMISE_BATCH as usize {
                    break;
                }
            }
            Ok(Err(e)) | Err(e) => {
                tracing::error!(error = %e, "anonymising old calls failed");
                break;
            }
        }
    }
    if total > 0 {
        tracing::info!(calls = total, months = sb.retention_months, "anonymised old calls");
        sb.provider_jobs.notify_one();
    }
}

/// Calls anonymised per transaction: small enough that a webhook waits at most a few
/// milliseconds behind one batch.
pub const ANONYMISE_BATCH: u32 = 200;

/// Anonymises one batch of calls older than the retention period.
pub fn anonymise(sb: &Switchboard) -> anyhow::Result<usize> {
    let now = sb.clock.now();
    let cutoff = crate::clock::months_before(now, sb.retention_months)?;
    sb.store.write(|tx| crate::store::calls::anonymise_before(tx, cutoff, now, ANONYMISE_BATCH))
}

/// Ends calls whose end the provider never reported (a status callback lost while the
/// service was down): after three hours without an end, a call is treated as if the
/// caller hung up, which also frees any helper still marked as rung for it. A yes that
/// was never reported reaching the caller is not counted as a match: the call ends
/// unconfirmed, and the desk checks with the caller (`Event::EndNeverReported`).
pub fn sweep(state: &Switchboard) -> anyhow::Result<usize> {
    let now = state.clock.now();
    let before = now - jiff::SignedDuration::from_secs(participants::STALE_AFTER_SECONDS);
    let legs_before = now - jiff::SignedDuration::from_mins(LEG_LOST_AFTER_MINUTES);
    let (legs, unjoined) = state.store.write(|tx| {
        let unjoined = crate::store::waves::stale_unjoined_winners(tx, legs_before)?;
        Ok((crate::store::waves::close_stale_legs(tx, legs_before, now)?, unjoined))
    })?;
    if legs > 0 {
        tracing::info!(legs, "closed helper legs whose end was never reported");
    }
    // A winner whose entry and end were both never reported, of a call whose end was: the
    // call is closed as unconfirmed (one still going is closed so when its time comes).
    // (Call back later: the search has a request of its own, followed up there.)
    for (sid, attempt) in unjoined {
        close_lost(state, &sid, now, |t, call| {
            let is_search = t.request(&call.call_sid)?.is_some();
            let matched = call.state.outcome() == Some(crate::domain::call::Outcome::Matched);
            Ok(if matched && !is_search { Lost::Close { unjoined_winner: Some(attempt) } } else { Lost::Leave })
        })?;
    }
    // `dial` mode: a caller's end after a yes from before the last start, whose `<Dial>`
    // action (DialBridged) never came either: closed as unconfirmed.
    for sid in state.store.read(|c| calls::awaiting_bridge_before(c, legs_before))? {
        close_lost(state, &sid, now, |_, _| Ok(Lost::Close { unjoined_winner: None }))?;
    }
    let mut ended = 0;
    for sid in state.store.read(|c| calls::unfinished_before(c, before))? {
        let closed = close_lost(state, &sid, now, |t, call| {
            let Some(hood) = state.neighbourhoods.by_number(&call.dialplan_number) else {
                return Ok(Lost::Leave);
            };
            if super::callbacks::close_stale_search(t, &hood, call)? {
                return Ok(Lost::Closed);
            }
            // A yes whose entry into the caller's conference was never reported either.
            let unjoined_winner = t.search(&call.call_sid)?.and_then(|s| s.unjoined_winner());
            Ok(Lost::Close { unjoined_winner })
        })?;
        if closed {
            ended += 1;
        }
    }
    Ok(ended)
}

/// A helper's leg rings for at most a few minutes before it is answered or not: one still
/// without an end this long after it started lost its reports, and the sweep closes it.
/// This also bounds how long a winner's unreported entry is asked about at the provider.
pub const LEG_LOST_AFTER_MINUTES: i64 = 15;

/// What the sweep does with a call some of whose reports never came.
enum Lost {
    /// Close it (`Event::EndNeverReported`).
    Close { unjoined_winner: Option<u32> },
    /// Closed already, otherwise (a call-back search).
    Closed,
    /// Nothing to do.
    Leave,
}

/// Closes what the provider never reported for call `sid`, in one transaction, as `which`
/// decides from the call as stored. Returns whether the call was closed.
fn close_lost(
    state: &Switchboard,
    sid: &str,
    now: jiff::Timestamp,
    which: impl FnOnce(&mut Tx<'_>, &calls::StoredCall) -> anyhow::Result<Lost>,
) -> anyhow::Result<bool> {
    state.store.write(|tx| {
        let Some(mut call) = calls::load(tx, sid)? else { return Ok(false) };
        let Some(hood) = state.neighbourhoods.by_number(&call.dialplan_number) else { return Ok(false) };
        let mut t = Tx::new(tx, state, now);
        let closed = match which(&mut t, &call)? {
            Lost::Close { unjoined_winner } => {
                let event = Event::EndNeverReported { unjoined_winner };
                let step = run_step(&mut t, &hood, &call, event, Report::CALLER_GONE)?;
                call.state = step.state;
                calls::save(tx, &call, &step.effects, now)?;
                let outcome = call.state.outcome().map(|o| o.as_str()).unwrap_or("-");
                tracing::info!(call = %call.call_sid, outcome, "closed what was never reported of a call");
                true
            }
            Lost::Closed => true,
            Lost::Leave => false,
        };
        // What was never reported only changes what is stored: nothing is asked of the
        // provider (the legs were closed by the sweep already).
        t.finish()?;
        Ok(closed)
    })
}
