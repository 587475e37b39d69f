//! What the provider keeps: runs the durable jobs of `store::provider_jobs`. A voicemail is
//! fetched into our own database, checked, and only then deleted at the provider; the
//! recordings and call records of anonymised calls and erased people are deleted there.
//!
//! The runner (started by `Application::run`, beside the sweeper) runs the due jobs at
//! start, whenever it is nudged (`Switchboard::provider_jobs`: a voicemail came in, someone
//! was erased, calls were anonymised), and every half minute. One job at a time: the REST
//! call on the async runtime, never inside a webhook; what it changes, on the store's
//! thread. A failure (an outage, a 5xx or 429 the client's own quick retries did not get
//! past, a timeout, a recording that does not check out) leaves the job queued for a
//! later try: a minute, then twice as long each time, at most six hours, for as long as it
//! takes. Nothing is ever deleted at the provider before our copy is stored, and no failure
//! touches our copy. A delete the provider answers with 404 is done: it is already gone.

use std::sync::Arc;
use std::time::Duration;

use jiff::SignedDuration;

use super::Switchboard;
use crate::provider::Client;
use crate::store::provider_jobs::{self, Job, Kind};

/// How often the runner looks for due jobs when nobody nudges it.
pub const EVERY: Duration = Duration::from_secs(30);

/// Jobs looked up at a time.
const BATCH: u32 = 20;

/// The wait after the `tries`-th failed try: a minute, doubling, at most six hours.
pub fn retry_delay(tries: u32) -> SignedDuration {
    let minutes = 1i64 << tries.saturating_sub(1).min(16);
    SignedDuration::from_mins(minutes.min(6 * 60))
}

/// Runs until aborted.
pub async fn runner(state: Arc<Switchboard>) {
    if state.provider_api().is_none() {
        tracing::warn!("no provider credentials: voicemails stay at the provider, and nothing is deleted there");
        return;
    }
    loop {
        match run_due(&state).await {
            Ok(n) if n > 0 => tracing::debug!(jobs = n, "ran the provider jobs that were due"),
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "running the provider jobs failed"),
        }
        tokio::select! {
            _ = state.provider_jobs.notified() => {}
            _ = tokio::time::sleep(EVERY) => {}
        }
    }
}

/// Runs every job that is due now (and those they queue, such as the delete after a
/// fetch). Returns how many ran.
pub async fn run_due(state: &Arc<Switchboard>) -> anyhow::Result<usize> {
    let Some(rest) = state.provider_api() else { return Ok(0) };
    let mut ran = 0;
    loop {
        let now = state.clock.now();
        let jobs = state.worker.run(move |store| store.read(|c| provider_jobs::due(c, now, BATCH))).await??;
        if jobs.is_empty() {
            return Ok(ran);
        }
        for job in jobs {
            ran += 1;
            let (id, tries) = (job.id, job.tries);
            let outcome = run_one(state, rest, job).await;
            let now = state.clock.now();
            match outcome {
                Ok(()) => {}
                Err(why) => {
                    let next = now + retry_delay(tries + 1);
                    if tries + 1 >= 5 {
                        tracing::error!(job = id, tries = tries + 1, %next, "a request to the provider keeps failing: {why}");
                    } else {
                        tracing::warn!(job = id, tries = tries + 1, %next, "a request to the provider failed: {why}");
                    }
                    let error = why.clone();
                    state
                        .worker
                        .run(move |store| store.write(|tx| provider_jobs::failed(tx, id, next, &error)))
                        .await??;
                }
            }
        }
    }
}

/// One job; `Err` is why it has to be tried again.
async fn run_one(state: &Arc<Switchboard>, rest: &Client, job: Job) -> Result<(), String> {
    let id = job.id;
    let finish = move |store: &crate::store::Store| store.write(|tx| provider_jobs::done(tx, id));
    match job.kind {
        Kind::FetchRecording | Kind::FetchWhereTo => {
            let sid = rest.recording_id(&job.target).ok_or("the recording's URL names no recording")?;
            let recording = rest.fetch_recording(&sid).await.map_err(|e| e.to_string())?;
            let content_type = recording.check().map_err(|why| format!("recording {sid} was not kept: {why}"))?;
            let now = state.clock.now();
            let audio = recording.bytes;
            let kept = state
                .worker
                .run(move |store| store.write(|tx| provider_jobs::store_fetched(tx, id, content_type, &audio, now)))
                .await
                .and_then(|r| r)
                .map_err(|e| format!("storing recording {sid} failed: {e}"))?;
            match (kept, job.kind) {
                (true, Kind::FetchWhereTo) => tracing::info!("a \"where to\" stored; deleting it at the provider"),
                (true, _) => {
                    tracing::info!(
                        call = job.call_sid.as_deref().unwrap_or(""),
                        "voicemail stored; deleting it at the provider"
                    );
                    let _ = state.changes.send(job.call_sid.unwrap_or_default());
                }
                (false, _) => tracing::info!("a recording fetched while it was being forgotten was not kept"),
            }
            Ok(())
        }
        Kind::DeleteRecording | Kind::DeleteCall => {
            let deleted = match job.kind {
                Kind::DeleteRecording => {
                    let sid = rest.recording_id(&job.target).ok_or("the URL names no recording")?;
                    rest.delete_recording(&sid).await
                }
                _ => rest.delete_call(&job.target).await,
            };
            match deleted {
                Ok(()) => {}
                Err(e) if e.is_not_found() => tracing::debug!(job = id, "already gone at the provider"),
                Err(e) => return Err(e.to_string()),
            }
            state.worker.run(finish).await.and_then(|r| r).map_err(|e| e.to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_doubles_from_a_minute_to_six_hours() {
        let minutes: Vec<i64> = (1..=12).map(|t| retry_delay(t).as_mins()).collect();
        assert_eq!(minutes, [1, 2, 4, 8, 16, 32, 64, 128, 256, 360, 360, 360]);
        assert_eq!(retry_delay(0).as_mins(), 1);
        assert_eq!(retry_delay(u32::MAX).as_mins(), 360);
    }
}
