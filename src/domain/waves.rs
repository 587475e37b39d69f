//! Ringing in waves: the caller waits on hold while the service rings helpers itself,
//! as many at a time as make a yes likely ([`sizing`], the default), or a fixed
//! `wave_size`. A pure model of one search: which helpers are in flight, when to
//! ring more, who wins a yes, and when the limits are reached. No I/O, no clock: the
//! search and `now` come in, the search as it is now and typed commands go out
//! ([`step`]); the application layer (`switchboard::waves`) stores them and, after the
//! transaction commits, talks to the provider.
//!
//! A "wave" is topped up rather than waited out: as soon as one helper in flight says no
//! or does not answer, the next one is rung (with sized waves: as many as the raised aim
//! asks), so a wave's phones ring whenever there are helpers left to ring.

use jiff::Timestamp;

pub mod sizing;

pub use sizing::{Chances, WaveSize};

/// Where one helper's outbound leg stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LegStatus {
    /// Created (or being created) and ringing.
    Ringing,
    /// Picked up; hearing the request.
    Answered,
    /// Pressed 1 and won: joined to the caller.
    Accepted,
    /// Pressed 1 after someone else had won, or after the caller had gone.
    Late,
    Declined,
    NoAnswer,
    Busy,
    Failed,
    /// Cancelled by us: someone else won (a phone still ringing is stopped, a helper
    /// hearing the request is thanked and let go), the caller hung up, the limits were
    /// reached.
    Canceled,
}

impl LegStatus {
    pub const ALL: [LegStatus; 9] = [
        LegStatus::Ringing,
        LegStatus::Answered,
        LegStatus::Accepted,
        LegStatus::Late,
        LegStatus::Declined,
        LegStatus::NoAnswer,
        LegStatus::Busy,
        LegStatus::Failed,
        LegStatus::Canceled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LegStatus::Ringing => "ringing",
            LegStatus::Answered => "answered",
            LegStatus::Accepted => "accepted",
            LegStatus::Late => "late",
            LegStatus::Declined => "declined",
            LegStatus::NoAnswer => "no-answer",
            LegStatus::Busy => "busy",
            LegStatus::Failed => "failed",
            LegStatus::Canceled => "canceled",
        }
    }

    pub fn parse(s: &str) -> Option<LegStatus> {
        LegStatus::ALL.into_iter().find(|l| l.as_str() == s)
    }

    /// Still taking up one of the wave's places: ringing or hearing the request.
    pub fn in_flight(self) -> bool {
        matches!(self, LegStatus::Ringing | LegStatus::Answered)
    }
}

/// The legs to cancel at the provider when the search stops: only those still ringing. A
/// helper already hearing the request is not cut off: after a yes they are thanked at once
/// ([`listening`]); when the caller hangs up, whatever they press, they are told kindly
/// that the caller has gone, and thanked.
fn ringing(legs: &[Leg], except: Option<u32>) -> Vec<u32> {
    with_status(legs, LegStatus::Ringing, except)
}

/// The legs whose helper picked up and is still hearing the request (in its gather,
/// before any key): after someone else's yes they are thanked at once (issue 31), so that
/// they need not say a yes that is no longer needed.
fn listening(legs: &[Leg], except: Option<u32>) -> Vec<u32> {
    with_status(legs, LegStatus::Answered, except)
}

fn with_status(legs: &[Leg], status: LegStatus, except: Option<u32>) -> Vec<u32> {
    legs.iter().filter(|l| l.status == status && Some(l.attempt) != except).map(|l| l.attempt).collect()
}

/// One helper rung for this search.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Leg {
    /// 1 for the first helper rung for the call, 2 for the second, ...
    pub attempt: u32,
    pub helper_id: i64,
    pub helper_first_name: String,
    pub status: LegStatus,
    pub started_at: Timestamp,
    /// The provider's CallSid, once the creation of the leg was answered.
    pub leg_sid: Option<String>,
    /// The conference this leg entered, once the provider reported it.
    pub conference: Option<String>,
    /// The leg's phone call is over (its final status came, or we ended it).
    pub ended: bool,
    /// The key the helper pressed ("" for none), once one was reported.
    pub key: Option<String>,
}

impl Leg {
    /// A leg just rung.
    pub fn new(attempt: u32, helper_id: i64, helper_first_name: &str, started_at: Timestamp) -> Leg {
        Leg {
            attempt,
            helper_id,
            helper_first_name: helper_first_name.to_string(),
            status: LegStatus::Ringing,
            started_at,
            leg_sid: None,
            conference: None,
            ended: false,
            key: None,
        }
    }
}

/// Where the whole search stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SearchStatus {
    Searching,
    /// Someone pressed 1 and was joined.
    Matched,
    /// Over without a yes: limits reached, or the caller hung up.
    Over,
}

impl SearchStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SearchStatus::Searching => "searching",
            SearchStatus::Matched => "matched",
            SearchStatus::Over => "over",
        }
    }

    pub fn parse(s: &str) -> Option<SearchStatus> {
        [SearchStatus::Searching, SearchStatus::Matched, SearchStatus::Over].into_iter().find(|x| x.as_str() == s)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub wave_size: WaveSize,
    pub max_helpers: u32,
    pub max_wait_seconds: u32,
    /// A leg still ringing or hearing the request this long after it was placed has lost
    /// its reports (the service was down when its end came): it no longer holds a place.
    pub leg_lost_after_seconds: u32,
}

impl Limits {
    /// The limits of a dialplan's `[ringing]`: a leg is given up for lost two minutes
    /// after its ring timeout (long enough to ring, pick up and hear the request).
    pub fn new(wave_size: WaveSize, max_helpers: u32, max_wait_seconds: u32, ring_timeout_seconds: u32) -> Limits {
        Limits { wave_size, max_helpers, max_wait_seconds, leg_lost_after_seconds: ring_timeout_seconds + 120 }
    }
}

/// What the search should do next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Ring this many more helpers (the next ones in the ranking).
    Ring(u32),
    /// Wait for the helpers in flight.
    Wait,
    /// The limits are reached: cancel these legs (attempt numbers) and move the caller to
    /// the desk or voicemail.
    GiveUp { cancel: Vec<u32> },
    /// The search is over already; nothing to do.
    Done,
}

/// After any change (the search started, a leg ended, time passed): what next.
/// `offered` is who the ranking still offers, best first; `chances` their chance of a yes
/// now, and that of the helpers in flight (read only by sized waves).
pub fn next(
    status: SearchStatus,
    legs: &[Leg],
    limits: Limits,
    started_at: Timestamp,
    now: Timestamp,
    offered: &[i64],
    chances: &Chances,
) -> Decision {
    if status != SearchStatus::Searching {
        return Decision::Done;
    }
    let lost_after = i64::from(limits.leg_lost_after_seconds);
    let in_flight: Vec<&Leg> = legs
        .iter()
        .filter(|l| l.status.in_flight() && now.as_second() - l.started_at.as_second() < lost_after)
        .collect();
    let waited = now.as_second() - started_at.as_second();
    if waited >= i64::from(limits.max_wait_seconds) {
        // As in `dial` mode, the limit stops the next ring, not the ones under way: a
        // helper already rung may still say yes.
        return if in_flight.is_empty() { Decision::GiveUp { cancel: Vec::new() } } else { Decision::Wait };
    }
    let free_places = match limits.wave_size {
        WaveSize::Fixed(size) => size.saturating_sub(in_flight.len() as u32),
        WaveSize::Learned { cap } => {
            // Helpers rung who ended without a yes (or whose reports were lost).
            let noes = legs.len()
                - in_flight.len()
                - legs
                    .iter()
                    .filter(|l| matches!(l.status, LegStatus::Accepted | LegStatus::Late | LegStatus::Canceled))
                    .count();
            let flying: Vec<f64> = in_flight.iter().map(|l| chances.of(l.helper_id)).collect();
            let next: Vec<f64> = offered.iter().map(|id| chances.of(*id)).collect();
            sizing::to_ring(&flying, &next, noes, cap)
        }
    };
    let left_to_ring = limits.max_helpers.saturating_sub(legs.len() as u32);
    let ring = free_places.min(left_to_ring).min(u32::try_from(offered.len()).unwrap_or(u32::MAX));
    if ring > 0 {
        Decision::Ring(ring)
    } else if in_flight.is_empty() {
        Decision::GiveUp { cancel: Vec::new() }
    } else {
        Decision::Wait
    }
}

/// What a helper who pressed 1 gets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Yes {
    /// They are the first: join them to the caller, cancel these other legs (still
    /// ringing), and thank these (picked up, still hearing the request) at once.
    Wins { cancel: Vec<u32>, thank: Vec<u32> },
    /// Someone else said yes first.
    AlreadyFound,
    /// The caller hung up.
    CallerGone,
    /// The search ended without a yes and the caller is being helped otherwise (the desk,
    /// a message), or this helper's leg had already ended.
    SearchOver,
    /// The same yes reported twice: they already won.
    AlreadyWon,
}

/// Decides a yes from `attempt`. Run inside the transaction that stores the result, so two
/// yeses at once are decided one after the other.
pub fn yes(status: SearchStatus, legs: &[Leg], attempt: u32, caller_gone: bool) -> Yes {
    let mine = legs.iter().find(|l| l.attempt == attempt);
    match (status, mine.map(|l| l.status)) {
        (SearchStatus::Matched, Some(LegStatus::Accepted)) => Yes::AlreadyWon,
        (SearchStatus::Matched, _) => Yes::AlreadyFound,
        (_, _) if caller_gone => Yes::CallerGone,
        (SearchStatus::Over, _) => Yes::SearchOver,
        (SearchStatus::Searching, Some(s)) if s.in_flight() => {
            Yes::Wins { cancel: ringing(legs, Some(attempt)), thank: listening(legs, Some(attempt)) }
        }
        // A leg that already ended (or that we never rang) cannot win.
        (SearchStatus::Searching, _) => Yes::SearchOver,
    }
}

/// How soon after winning a helper's line may drop, without their having entered the
/// caller's conference, for the yes to count as never having reached the caller. Later
/// than this, a dropped line is taken for the end of a conversation whose report of the
/// join was lost.
pub const JOIN_WITHIN_SECONDS: i64 = 60;

/// Someone joining a party who waits in a conference (the helper who said yes joining the
/// held caller; the resident we called back joining the helper) entered conference
/// `entered`: whether they are alone there, because the one waiting hung up in the moment
/// before. Twilio starts a new conference under the same name when the old one has ended,
/// so the conference identifiers tell; without the waiting party's (its report may be
/// late), whether their call has ended does.
pub fn entered_alone(waiting_in: Option<&str>, entered: &str, waiting_gone: bool) -> bool {
    match waiting_in {
        Some(waiting) => waiting != entered,
        None => waiting_gone,
    }
}

/// One conference under the caller's room name, as the provider's records give it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConferenceFacts {
    pub sid: String,
    /// The call whose exit ended it, once it has ended.
    pub ended_by: Option<String>,
    /// Who is in it, while it is in progress.
    pub participants: Vec<String>,
}

/// What the provider's records say of a winner whose entry was never reported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JoinRecords {
    /// The winner entered this conference, without the caller.
    Alone(String),
    /// The winner is in this conference with the caller: the lost report, found.
    Together(String),
    /// The records cannot tell (a conference over lists no participants).
    CannotTell,
}

/// A match whose join was never reported (the service was down when the conference's
/// report of it came), checked against the provider's records of the conferences under
/// the caller's room name. `Alone` when the records show the winner without the caller:
/// one in progress with the winner in it and not the caller, or one the winner's exit
/// ended that is not the caller's own (`caller_conference`, as last reported); `Together`
/// when one in progress holds both, or the winner's exit ended the caller's own.
pub fn join_from_records(
    caller_conference: Option<&str>,
    caller_sid: &str,
    winner_leg_sid: &str,
    records: &[ConferenceFacts],
) -> JoinRecords {
    let in_it = |c: &ConferenceFacts, sid: &str| c.participants.iter().any(|p| p == sid);
    if let Some(c) = records.iter().find(|c| c.ended_by.is_none() && in_it(c, winner_leg_sid)) {
        return if in_it(c, caller_sid) {
            JoinRecords::Together(c.sid.clone())
        } else {
            JoinRecords::Alone(c.sid.clone())
        };
    }
    let Some(ended_by_winner) = records.iter().find(|c| c.ended_by.as_deref() == Some(winner_leg_sid)) else {
        return JoinRecords::CannotTell;
    };
    // Both parties' exits end the conference (`endConferenceOnExit`): a winner whose exit
    // ended the caller's own was in it while the caller still was.
    match caller_conference {
        Some(caller) if ended_by_winner.sid != caller => JoinRecords::Alone(ended_by_winner.sid.clone()),
        Some(_) => JoinRecords::Together(ended_by_winner.sid.clone()),
        None => JoinRecords::CannotTell,
    }
}

/// How long after a yes the winner may take to enter the caller's conference. Twilio waits
/// at most 15 s for the answer to the yes before it runs the call's fallback instead
/// (11205), and a winner who hears the answer enters after its few words (about 5 s); this
/// leaves more than twice that. A held caller still hearing hold music later than this is
/// waiting for someone who will not come.
pub const WINNER_ENTERS_WITHIN_SECONDS: i64 = 45;

/// Whether a winner who won at `won_at` and has not entered is overdue at `now`.
pub fn winner_overdue(won_at: Option<Timestamp>, now: Timestamp) -> bool {
    won_at.is_some_and(|won| now.as_second() - won.as_second() > WINNER_ENTERS_WITHIN_SECONDS)
}

/// The line of the helper who said yes ended: whether their yes never reached the caller
/// (they had not entered the caller's conference, shortly after winning), so the search
/// goes on.
pub fn winner_dropped(entered: bool, won_at: Option<Timestamp>, now: Timestamp) -> bool {
    !entered && won_at.is_some_and(|won| now.as_second() - won.as_second() <= JOIN_WITHIN_SECONDS)
}

/// How long a held caller may still ask for hold music after their search ended without a
/// yes before the move to the desk or voicemail is taken for lost and asked again. (The
/// provider follows a redirect within a second; a wait document lasts about twenty.)
pub const MOVE_AGAIN_AFTER_SECONDS: i64 = 10;

/// Whether a caller still on hold `now`, whose search ended at `over`, should be moved on
/// again.
pub fn move_on_again(over: Timestamp, now: Timestamp) -> bool {
    now.as_second() - over.as_second() >= MOVE_AGAIN_AFTER_SECONDS
}

/// Call back later: whether an open request may be searched for at `local_now` (inside
/// the dialplan's ringing hours), and when to try again after a search that found nobody.
pub fn callback_window(ringing_hours: &super::hours::WeeklyHours, local_now: jiff::civil::DateTime) -> bool {
    ringing_hours.contains(local_now)
}

pub fn next_callback_try(now: Timestamp, spacing_minutes: u32) -> Timestamp {
    now + jiff::SignedDuration::from_mins(i64::from(spacing_minutes))
}

/// The caller hung up: every leg still ringing is cancelled.
pub fn caller_gone(legs: &[Leg]) -> Vec<u32> {
    ringing(legs, None)
}

// ---------------------------------------------------------------------------------------
// The search as a state machine: `step(search, event, context) -> (search, commands)`.
// ---------------------------------------------------------------------------------------

/// One search in waves, whole: what `step` reads and returns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Search {
    pub status: SearchStatus,
    pub started_at: Timestamp,
    /// When it ended without a yes.
    pub over_at: Option<Timestamp>,
    /// The attempt that said yes first, and when.
    pub winner: Option<u32>,
    pub won_at: Option<Timestamp>,
    /// The caller's own conference, once the provider reported the caller entering it.
    pub conference: Option<String>,
    pub legs: Vec<Leg>,
}

impl Search {
    pub fn new(started_at: Timestamp) -> Search {
        Search {
            status: SearchStatus::Searching,
            started_at,
            over_at: None,
            winner: None,
            won_at: None,
            conference: None,
            legs: Vec::new(),
        }
    }

    pub fn leg(&self, attempt: u32) -> Option<&Leg> {
        self.legs.iter().find(|l| l.attempt == attempt)
    }

    fn leg_mut(&mut self, attempt: u32) -> Option<&mut Leg> {
        self.legs.iter_mut().find(|l| l.attempt == attempt)
    }

    /// The leg of the helper who said yes.
    pub fn winner_leg(&self) -> Option<&Leg> {
        self.winner.and_then(|w| self.leg(w))
    }

    /// The attempt that said yes, if the provider never reported it entering a conference.
    pub fn unjoined_winner(&self) -> Option<u32> {
        self.winner_leg().filter(|l| self.status == SearchStatus::Matched && l.conference.is_none()).map(|l| l.attempt)
    }

    /// Whether a held caller whose hold ended should wait on: the search still runs, or
    /// the helper who said yes is still on their way in (not entered, line not ended).
    /// `conference_took_place`: the hold's `<Dial>` action says `DialCallStatus=answered`,
    /// which Twilio documents for the end of a conference: the two have talked, even when
    /// the report of the winner's entry was lost. (Which status follows a failed wait
    /// document is not documented; should it be `answered` too, the caller is let go and
    /// the winner, alone, is told, and the desk calls the caller back.)
    pub fn hold_goes_on(&self, conference_took_place: bool) -> bool {
        match self.status {
            SearchStatus::Searching => true,
            SearchStatus::Matched => {
                !conference_took_place && self.winner_leg().is_some_and(|l| !l.ended && l.conference.is_none())
            }
            SearchStatus::Over => false,
        }
    }

    fn end(&mut self, now: Timestamp) {
        if self.status == SearchStatus::Searching {
            self.status = SearchStatus::Over;
            self.over_at = Some(now);
        }
    }
}

/// How a helper's phone call ended, as the provider reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LegEnd {
    /// Picked up and hung up (or the call was completed).
    Completed,
    NoAnswer,
    Busy,
    Failed,
    Canceled,
}

/// What happened to a search.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SearchEvent {
    /// The caller was put on hold (or a call-back search began): ring the first wave.
    Start,
    /// Time passed (the held caller asked for hold music again): ring more, or give up.
    Tick,
    /// A helper's leg picked up.
    Answered { attempt: u32 },
    /// A helper pressed a key (`None`: none before the gather ended).
    Key { attempt: u32, key: Option<String> },
    /// The provider reports the caller entering their conference.
    CallerEntered { conference: String },
    /// The provider reports someone else entering a conference: one of this search's
    /// legs, or (call back later) the resident.
    Entered { participant: String, conference: String },
    /// The provider's records show this leg in `conference`, without the caller (its
    /// reports were lost).
    EnteredAlone { participant: String, conference: String },
    /// The held caller goes back on hold, into a new conference under the same name.
    CallerHeldAgain,
    /// A helper's phone call ended.
    LegEnded { attempt: u32, end: LegEnd },
    /// A helper's leg could not be placed at the provider.
    LegNotPlaced { attempt: u32 },
    /// The caller left the hold: hung up, or moved on. `conference_took_place`: the
    /// hold's `<Dial>` action says `DialCallStatus=answered`, which Twilio documents for
    /// the end of a conference. The caller waits with `startConferenceOnEnter=false`, so
    /// the conference started only when the winner entered: their entry, even when its
    /// report was lost.
    CallerLeft { conference_took_place: bool },
    /// The desk stopped the call-back request this search is for.
    DeskStopped,
    /// The search's end was never reported (the service was down): the sweep closes it.
    Lost,
}

impl SearchEvent {
    /// Whether this event may ring more helpers, so `Context::helpers` must be filled.
    pub fn may_ring(&self) -> bool {
        matches!(
            self,
            SearchEvent::Start
                | SearchEvent::Tick
                | SearchEvent::Key { .. }
                | SearchEvent::LegEnded { .. }
                | SearchEvent::LegNotPlaced { .. }
        )
    }
}

/// Where the caller's own call stands, as the call flow has it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Caller {
    /// On hold; `matched` once a helper said yes and is joined.
    Holding { matched: bool },
    /// Moved on to the desk or voicemail, still on the line.
    Elsewhere,
    /// Hung up; `matched` when they had been put through to a helper.
    Gone { matched: bool },
}

/// The call-back request a search is for (call back later).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Callback {
    pub status: super::callback::RequestStatus,
    /// The resident's call, once it was placed.
    pub resident_leg: Option<String>,
    /// Minutes until the request is tried again after a search that found nobody.
    pub spacing_minutes: u32,
}

/// A helper the ranking offers to ring, best first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub id: i64,
    pub first_name: String,
}

pub struct Context<'a> {
    pub now: Timestamp,
    pub limits: Limits,
    pub caller: Caller,
    pub callback: Option<&'a Callback>,
    /// Who may be rung now, best first (only read for events that `may_ring`).
    pub helpers: &'a [Candidate],
    /// The chance of a yes now of those helpers and of the ones in flight (read only by
    /// sized waves).
    pub chances: &'a Chances,
    /// The highest attempt number the call has used so far; new legs count on from it.
    pub attempts: u32,
    /// The provider keeps records of who was in a conference, which the sweep can ask
    /// (`join_from_records`); without them, a winner's entry the reports cannot place is
    /// taken for the join.
    pub records_tell: bool,
}

/// What the call flow is told, and so what someone hears.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tell {
    Answered {
        attempt: u32,
        helper_first_name: String,
        still_wanted: bool,
    },
    Key {
        attempt: u32,
        helper_id: i64,
        key: Option<String>,
        verdict: Option<Yes>,
    },
    /// The helper who said yes is alone in a conference: the caller hung up just before.
    WinnerAlone {
        attempt: u32,
    },
    /// The line of the helper who said yes dropped before the two could talk.
    WinnerDropped {
        attempt: u32,
    },
    /// Call back later: the resident entered after the helper's line had dropped.
    ResidentAlone {
        attempt: u32,
        helper_first_name: String,
    },
}

/// Who hears what the call flow answers to a `Tell`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Hearer {
    /// The leg whose report this is (in the answer to its webhook).
    Reporter,
    /// This live leg, through the REST API.
    Leg(String),
    /// Nobody: only the call's state changes.
    Nobody,
}

/// What the search asks of the world, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// Ring this helper (already a leg in the returned search).
    Ring { attempt: u32, helper_id: i64 },
    /// Stop this helper's phone, still ringing. `leg_sid` is `None` while its creation
    /// has not been answered: it is stopped when that answer comes.
    Cancel { attempt: u32, leg_sid: Option<String>, answered: bool },
    /// Issue 31: someone else said yes while this helper, who picked up, still hears the
    /// request: their call is redirected at once to a short thank-you, which ends it
    /// (their leg is `Canceled` already). `leg_sid` is `None` while its creation has not
    /// been answered: then nothing is redirected, and a yes they still press is thanked
    /// as late. A redirect that comes too late (the call has ended) changes nothing.
    Thank { attempt: u32, leg_sid: Option<String> },
    /// The search ended without a yes: move the held caller on to the desk or voicemail.
    MoveCallerOn,
    /// Call back later: this search is over without a conversation; try the request again
    /// at this time.
    RetryRequestAt(Timestamp),
    /// Call back later: a helper said yes; ring the resident.
    CallResident { helper_id: i64 },
    /// Call back later: stop ringing the resident (the helper who said yes left).
    StopResident { leg_sid: String },
    /// Tell the call flow; `hearer` hears its answer.
    Tell { tell: Tell, hearer: Hearer },
}

/// One step of a search. Pure: the search, the event and the context in; the search as it
/// is now and what to do out.
pub fn step(search: Search, event: SearchEvent, ctx: &Context<'_>) -> (Search, Vec<Command>) {
    let mut s = search;
    let mut out = Vec::new();
    let now = ctx.now;
    let caller = ctx.caller;
    match event {
        SearchEvent::Start => advance(&mut s, ctx, caller, &mut out),
        SearchEvent::Tick => match (s.status, s.over_at) {
            // A caller still on hold well after their search ended was not moved on (the
            // service died between deciding it and telling the provider): again, now.
            (SearchStatus::Over, Some(over)) => {
                if move_on_again(over, now) && caller == (Caller::Holding { matched: false }) && ctx.callback.is_none()
                {
                    out.push(Command::MoveCallerOn);
                }
            }
            (SearchStatus::Matched, _) => {
                // The held caller still asks for hold music well after a yes whose entry
                // was never reported: the winner never entered (once they do, the
                // conference starts and the wait music stops). The answer to their yes was
                // lost: the search goes on, and their phone, should it still be on the
                // line, is ended.
                let overdue = s
                    .winner_leg()
                    .filter(|l| l.conference.is_none() && !l.ended)
                    .filter(|_| winner_overdue(s.won_at, now))
                    .map(|l| (l.attempt, l.leg_sid.clone()));
                if let Some((attempt, leg_sid)) =
                    overdue.filter(|_| caller == (Caller::Holding { matched: true }) && ctx.callback.is_none())
                {
                    unwin(&mut s, attempt);
                    out.push(Command::Cancel { attempt, leg_sid, answered: true });
                    out.push(Command::Tell { tell: Tell::WinnerDropped { attempt }, hearer: Hearer::Nobody });
                    advance(&mut s, ctx, Caller::Holding { matched: false }, &mut out);
                }
            }
            _ => advance(&mut s, ctx, caller, &mut out),
        },
        SearchEvent::Answered { attempt } => {
            let still_wanted = s.leg(attempt).is_some_and(|l| l.status.in_flight());
            let helper_first_name = s.leg(attempt).map(|l| l.helper_first_name.clone()).unwrap_or_default();
            if let Some(leg) = s.leg_mut(attempt).filter(|_| still_wanted) {
                leg.status = LegStatus::Answered;
            }
            let tell = Tell::Answered { attempt, helper_first_name, still_wanted };
            out.push(Command::Tell { tell, hearer: Hearer::Reporter });
        }
        SearchEvent::Key { attempt, key }
            if key.as_deref() == Some("9")
                && s.leg(attempt).is_some_and(|l| l.status == LegStatus::Answered && l.key.is_none()) =>
        {
            // Not an answer: the helper hears the request again. (The search's own limits
            // end a leg whose phone keeps sending 9.)
            let helper_first_name = s.leg(attempt).map(|l| l.helper_first_name.clone()).unwrap_or_default();
            let tell = Tell::Answered { attempt, helper_first_name, still_wanted: true };
            out.push(Command::Tell { tell, hearer: Hearer::Reporter });
        }
        SearchEvent::Key { attempt, key } => key_pressed(&mut s, ctx, attempt, key, &mut out),
        SearchEvent::CallerEntered { conference } => s.conference = Some(conference),
        SearchEvent::CallerHeldAgain => s.conference = None,
        SearchEvent::EnteredAlone { participant, conference } => {
            let Some(leg) = s.legs.iter_mut().find(|l| l.leg_sid.as_deref() == Some(participant.as_str())) else {
                return (s, out);
            };
            leg.conference = Some(conference);
            let attempt = leg.attempt;
            let joined = matches!(caller, Caller::Holding { matched: true } | Caller::Gone { matched: true });
            if s.winner == Some(attempt) && joined && ctx.callback.is_none() {
                out.push(Command::Tell { tell: Tell::WinnerAlone { attempt }, hearer: Hearer::Leg(participant) });
            }
        }
        SearchEvent::Entered { participant, conference } => {
            let winner_sid = s.winner_leg().and_then(|l| l.leg_sid.clone());
            let caller_gone = matches!(caller, Caller::Gone { .. });
            // The winner entering while the caller's own entry is unknown (its report was
            // lost while the service was down: the caller enters long before any helper can)
            // and the caller is not known to have gone: whether the two are together cannot
            // be told from the reports. Where the provider keeps records, the entry is left
            // unconfirmed, for them to decide at the next sweep (`join_from_records`),
            // rather than taken for a conversation (the fallback may have taken the caller).
            // Without records it is taken for the join: undoing it would undo a real
            // conversation whose report was lost, and nothing could tell the two apart.
            let unknown = s.conference.is_none() && !caller_gone && ctx.callback.is_none() && ctx.records_tell;
            if unknown && winner_sid.as_deref() == Some(participant.as_str()) {
                return (s, out);
            }
            if let Some(leg) = s.legs.iter_mut().find(|l| l.leg_sid.as_deref() == Some(participant.as_str())) {
                leg.conference = Some(conference.clone());
                let attempt = leg.attempt;
                // Should the caller hang up in the moment between the yes and the join, the
                // winner enters a conference of their own, and is told.
                let joined = matches!(caller, Caller::Holding { matched: true } | Caller::Gone { matched: true });
                if s.winner == Some(attempt)
                    && joined
                    && ctx.callback.is_none()
                    && entered_alone(s.conference.as_deref(), &conference, caller_gone)
                {
                    let tell = Tell::WinnerAlone { attempt };
                    out.push(Command::Tell { tell, hearer: Hearer::Leg(participant) });
                }
            } else if let Some(callback) = ctx.callback {
                // Call back later: the resident entering the helper's conference.
                let ours = callback.status == super::callback::RequestStatus::Connected
                    && callback.resident_leg.as_deref() == Some(participant.as_str());
                let Some(winner) = s.winner_leg().filter(|_| ours).cloned() else { return (s, out) };
                if entered_alone(winner.conference.as_deref(), &conference, winner.ended) {
                    // The helper's line dropped just before: the request stays open.
                    reopen_request(&mut s, winner.attempt, callback, now, &mut out);
                    let tell =
                        Tell::ResidentAlone { attempt: winner.attempt, helper_first_name: winner.helper_first_name };
                    out.push(Command::Tell { tell, hearer: Hearer::Leg(participant) });
                }
            }
        }
        SearchEvent::LegEnded { attempt, end } => leg_ended(&mut s, ctx, attempt, end, &mut out),
        SearchEvent::LegNotPlaced { attempt } => {
            set_if_in_flight(&mut s, attempt, LegStatus::Failed);
            if let Some(leg) = s.leg_mut(attempt) {
                leg.ended = true;
            }
            advance(&mut s, ctx, caller, &mut out);
        }
        SearchEvent::CallerLeft { conference_took_place } => caller_left(&mut s, ctx, conference_took_place, &mut out),
        SearchEvent::DeskStopped => {
            if s.status == SearchStatus::Searching {
                s.end(now);
                let ringing = caller_gone(&s.legs);
                cancel_ringing(&mut s, &ringing, &mut out);
            }
        }
        SearchEvent::Lost => {
            s.end(now);
            if let Some(callback) = ctx.callback {
                use super::callback::RequestStatus;
                if matches!(callback.status, RequestStatus::Searching | RequestStatus::Calling) {
                    out.push(Command::RetryRequestAt(next_callback_try(now, callback.spacing_minutes)));
                }
            }
        }
    }
    (s, out)
}

/// A key on a helper's leg (other than a 9 that asks to hear the request again): a yes
/// wins or is late, anything else is a no, and the next helper rings at once.
fn key_pressed(s: &mut Search, ctx: &Context<'_>, attempt: u32, key: Option<String>, out: &mut Vec<Command>) {
    let (now, caller) = (ctx.now, ctx.caller);
    let pressed_yes = key.as_deref() == Some("1");
    let helper_id = s.leg(attempt).map(|l| l.helper_id).unwrap_or(0);
    // A helper thanked after someone else's yes (issue 31) whose own yes raced the
    // redirect: a yes that was not needed, and it is said so.
    let thanked = s.leg(attempt).is_some_and(|l| l.status == LegStatus::Canceled && !l.ended && l.key.is_none());
    if let Some(leg) = s.leg_mut(attempt) {
        // A yes from a leg whose end was reported before its key (Twilio sends the
        // final status callback as soon as a call ends): counted as a silent no,
        // it was a yes that never reached the caller.
        if pressed_yes && leg.status == LegStatus::Declined && leg.ended && leg.key.is_none() {
            leg.status = LegStatus::Canceled;
        }
        if leg.key.is_none() {
            leg.key = Some(key.clone().unwrap_or_default());
        }
    }
    let verdict = if pressed_yes {
        let verdict = yes(s.status, &s.legs, attempt, matches!(caller, Caller::Gone { .. }));
        if let Yes::Wins { cancel, thank } = &verdict {
            s.status = SearchStatus::Matched;
            s.winner = Some(attempt);
            s.won_at = Some(now);
            if let Some(leg) = s.leg_mut(attempt) {
                leg.status = LegStatus::Accepted;
            }
            cancel_ringing(s, cancel, out);
            thank_listening(s, thank, out);
            if ctx.callback.is_some() {
                out.push(Command::CallResident { helper_id });
            }
        } else if !set_if_in_flight(s, attempt, LegStatus::Late) && thanked && verdict == Yes::AlreadyFound {
            if let Some(leg) = s.leg_mut(attempt) {
                leg.status = LegStatus::Late;
            }
        }
        Some(verdict)
    } else {
        set_if_in_flight(s, attempt, LegStatus::Declined);
        None
    };
    out.push(Command::Tell { tell: Tell::Key { attempt, helper_id, key, verdict }, hearer: Hearer::Reporter });
    // A no: the next helper rings at once.
    advance(s, ctx, caller, out);
}

/// A helper's leg ended: its status, a winner who dropped, and the search moves on.
fn leg_ended(s: &mut Search, ctx: &Context<'_>, attempt: u32, end: LegEnd, out: &mut Vec<Command>) {
    let now = ctx.now;
    let mut caller = ctx.caller;
    let Some(leg) = s.leg_mut(attempt) else {
        advance(s, ctx, caller, out);
        return;
    };
    if leg.status.in_flight() {
        leg.status = match end {
            // Hung up while hearing the request, without a key: a no.
            LegEnd::Completed if leg.status == LegStatus::Answered => LegStatus::Declined,
            LegEnd::Completed | LegEnd::NoAnswer => LegStatus::NoAnswer,
            LegEnd::Busy => LegStatus::Busy,
            LegEnd::Failed => LegStatus::Failed,
            LegEnd::Canceled => LegStatus::Canceled,
        };
    }
    leg.ended = true;
    let entered = leg.conference.is_some();
    let joined = matches!(caller, Caller::Holding { matched: true } | Caller::Gone { matched: true });
    if s.winner == Some(attempt) && joined {
        let dropped = match ctx.callback {
            // The caller ended too, and this helper never entered: they never talked.
            None if caller == (Caller::Gone { matched: true }) => !entered,
            // Their yes never reached the caller, who still hears the hold's kind
            // words: the search goes on.
            None if winner_dropped(entered, s.won_at, now) => {
                unwin(s, attempt);
                caller = Caller::Holding { matched: false };
                true
            }
            None => false,
            // Call back later: they left while we were calling the resident, whose
            // phone stops ringing; the request stays open.
            Some(callback) if callback.status == super::callback::RequestStatus::Calling => {
                reopen_request(s, attempt, callback, now, out);
                if let Some(resident) = &callback.resident_leg {
                    out.push(Command::StopResident { leg_sid: resident.clone() });
                }
                true
            }
            Some(_) => false,
        };
        if dropped {
            out.push(Command::Tell { tell: Tell::WinnerDropped { attempt }, hearer: Hearer::Nobody });
        }
    }
    advance(s, ctx, caller, out);
}

/// The caller hung up or left the hold: the search ends, phones still ringing stop, and a
/// winner who entered a conference of their own is told.
fn caller_left(s: &mut Search, ctx: &Context<'_>, conference_took_place: bool, out: &mut Vec<Command>) {
    let now = ctx.now;
    let was = s.status;
    s.end(now);
    if let Some(winner) = s.winner.filter(|_| conference_took_place && ctx.callback.is_none()) {
        let conference = s.conference.clone();
        if let Some(leg) = s.leg_mut(winner).filter(|l| l.conference.is_none()) {
            leg.conference = conference;
        }
    }
    let winner = s.winner_leg().cloned();
    if was != SearchStatus::Matched {
        // Nobody rings for them any more.
        let ringing = caller_gone(&s.legs);
        cancel_ringing(s, &ringing, out);
    } else if let Some(winner) = winner.filter(|_| ctx.callback.is_none()) {
        if winner.ended && winner.conference.is_none() {
            // The helper who said yes is gone already without ever entering: the
            // two never talked (their end was reported before the caller's).
            let tell = Tell::WinnerDropped { attempt: winner.attempt };
            out.push(Command::Tell { tell, hearer: Hearer::Nobody });
        } else if let (Some(caller_conference), Some(entered), Some(leg_sid)) =
            (s.conference.as_deref(), winner.conference.as_deref(), winner.leg_sid)
        {
            // The winner's entry was reported before the caller's end: they may
            // have entered a conference of their own after the caller's had ended.
            if entered_alone(Some(caller_conference), entered, true) {
                let tell = Tell::WinnerAlone { attempt: winner.attempt };
                out.push(Command::Tell { tell, hearer: Hearer::Leg(leg_sid) });
            }
        }
    }
}

/// After any change to a search: ring more helpers, wait, or give up.
fn advance(s: &mut Search, ctx: &Context<'_>, caller: Caller, out: &mut Vec<Command>) {
    let now = ctx.now;
    let offered: Vec<i64> = ctx.helpers.iter().map(|h| h.id).collect();
    match next(s.status, &s.legs, ctx.limits, s.started_at, now, &offered, ctx.chances) {
        Decision::Ring(n) => {
            let mut attempt = s.legs.iter().map(|l| l.attempt).max().unwrap_or(0).max(ctx.attempts);
            for helper in ctx.helpers.iter().take(n as usize) {
                attempt += 1;
                s.legs.push(Leg::new(attempt, helper.id, &helper.first_name, now));
                out.push(Command::Ring { attempt, helper_id: helper.id });
            }
        }
        Decision::GiveUp { cancel } => {
            s.end(now);
            cancel_ringing(s, &cancel, out);
            match ctx.callback {
                // Call back later: nobody this time; try again later, inside ringing hours.
                Some(callback) => out.push(Command::RetryRequestAt(next_callback_try(now, callback.spacing_minutes))),
                None if caller == (Caller::Holding { matched: false }) => out.push(Command::MoveCallerOn),
                None => {}
            }
        }
        Decision::Wait | Decision::Done => {}
    }
}

/// Only a leg still in flight moves on: a late report of an older state changes nothing.
fn set_if_in_flight(s: &mut Search, attempt: u32, status: LegStatus) -> bool {
    match s.leg_mut(attempt).filter(|l| l.status.in_flight()) {
        Some(leg) => {
            leg.status = status;
            true
        }
        None => false,
    }
}

fn cancel_ringing(s: &mut Search, attempts: &[u32], out: &mut Vec<Command>) {
    for &attempt in attempts {
        let Some(leg) = s.leg(attempt) else { continue };
        let (leg_sid, answered) = (leg.leg_sid.clone(), leg.status == LegStatus::Answered);
        if set_if_in_flight(s, attempt, LegStatus::Canceled) {
            out.push(Command::Cancel { attempt, leg_sid, answered });
        }
    }
}

/// Issue 31: helpers who picked up and still hear the request when someone else says yes
/// are thanked at once (their call redirected to a short thank-you), so they need not
/// press a yes that is no longer needed.
fn thank_listening(s: &mut Search, attempts: &[u32], out: &mut Vec<Command>) {
    for &attempt in attempts {
        let Some(leg_sid) = s.leg(attempt).filter(|l| l.status == LegStatus::Answered).map(|l| l.leg_sid.clone())
        else {
            continue;
        };
        if set_if_in_flight(s, attempt, LegStatus::Canceled) {
            out.push(Command::Thank { attempt, leg_sid });
        }
    }
}

/// The winner's yes never reached the caller: the search goes on, that leg cancelled.
fn unwin(s: &mut Search, attempt: u32) {
    if s.status == SearchStatus::Matched && s.winner == Some(attempt) {
        s.status = SearchStatus::Searching;
        s.winner = None;
        s.won_at = None;
        if let Some(leg) = s.leg_mut(attempt) {
            leg.status = LegStatus::Canceled;
        }
    }
}

/// Call back later: the helper who said yes is gone before the two could talk. The request
/// stays open and is tried again later; this search ends.
fn reopen_request(s: &mut Search, attempt: u32, callback: &Callback, now: Timestamp, out: &mut Vec<Command>) {
    unwin(s, attempt);
    s.end(now);
    out.push(Command::RetryRequestAt(next_callback_try(now, callback.spacing_minutes)));
}

#[cfg(test)]
mod tests;
