//! Help for later (issue 28): "a lift to the hospital on Tuesday at ten", asked ahead.
//!
//! Pure, like the call flow and the round: the clock is passed in. What a planned request
//! is and where it stands (`Status`, one stored word each), which moments may be asked for
//! (`check_when`: within `DAYS_AHEAD` days, never earlier than the kind of help's lead
//! time), the cut-off after which nobody is asked any more (`cutoff`), when the
//! switchboard may call anyone about it (`next_call_moment`: only inside the ringing
//! hours, never at night), who is asked (`rank`: `domain::ranking` with availability on
//! the day and hour of the help, not now; each helper asked at most once), and what the
//! search does next (`next`). `say` holds what each planned call says.
//!
//! The application layer keeps every request and every call as rows
//! (`store::planned`), so a restart loses no request and rings nobody twice
//! (`switchboard::planned` runs it).

use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use super::hours::WeeklyHours;
use super::ranking::{self, Candidate, Whereabouts};

/// A planned request is for a moment within this many days.
pub const DAYS_AHEAD: i64 = 14;

/// The cut-off when a dialplan names none: nobody is asked this many hours before the help.
pub const DEFAULT_CUTOFF_HOURS: u32 = 18;

/// A call about a planned request whose end is never reported counts as not answered after
/// this long (the provider's report was lost): the search goes on, nobody is rung twice.
pub const UNREPORTED_MINUTES: i64 = 15;

/// Who cancelled a planned request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum By {
    Requester,
    Helper,
    Desk,
}

/// Where a planned request stands: the word stored in `planned_requests.status`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    /// Open: neighbours are being asked, one at a time.
    Asking,
    /// A neighbour said yes (or the desk matched one by hand).
    Matched,
    /// The helper confirmed it the day before.
    Confirmed,
    /// Nobody by the cut-off: the requester was told, the desk follows it up.
    Unfilled,
    Cancelled(By),
    /// Afterwards: the help happened.
    Happened,
    /// Afterwards: the help did not happen.
    NotHappened,
}

impl Status {
    pub const ALL: [Status; 9] = [
        Status::Asking,
        Status::Matched,
        Status::Confirmed,
        Status::Unfilled,
        Status::Cancelled(By::Requester),
        Status::Cancelled(By::Helper),
        Status::Cancelled(By::Desk),
        Status::Happened,
        Status::NotHappened,
    ];

    /// The stored word; `parse` is its inverse.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Asking => "asking",
            Status::Matched => "matched",
            Status::Confirmed => "confirmed",
            Status::Unfilled => "unfilled",
            Status::Cancelled(By::Requester) => "cancelled-by-requester",
            Status::Cancelled(By::Helper) => "cancelled-by-helper",
            Status::Cancelled(By::Desk) => "cancelled-by-desk",
            Status::Happened => "happened",
            Status::NotHappened => "not-happened",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// Whether the request is still to come (it may be cancelled, or a helper found).
    pub fn is_open(self) -> bool {
        matches!(self, Status::Asking | Status::Matched | Status::Confirmed)
    }
}

/// How many hours after the help its "where to" is still kept: long enough for a helper
/// running late to hear it under 8, no longer.
pub const WHERE_TO_KEPT_HOURS: i64 = 6;

/// Whether a request's "where to" recording is still kept (and may be played to a helper
/// who is asked or reminded): only while the request is to come, and until a few hours
/// after its time. Once it is over (happened or not, cancelled by anyone, unfilled) or its
/// time has passed, our copy and the provider's go.
pub fn where_to_kept(status: Status, at: Timestamp, now: Timestamp) -> bool {
    status.is_open() && now < at + SignedDuration::from_hours(WHERE_TO_KEPT_HOURS)
}

/// What a call about a planned request is for: the word stored in `planned_calls.purpose`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Purpose {
    /// A neighbour is asked whether they can help then (1 yes, 2 no).
    Ask,
    /// The requester is told who comes, and when.
    TellMatched,
    /// The requester is told that nobody was found.
    TellUnfilled,
    /// The requester or the helper is told that the help does not go on.
    TellCancelled,
    /// The requester is told that their helper cannot after all (they said so under 8),
    /// and that someone else is asked.
    TellWithdrawn,
    /// The day before: the helper is asked to confirm (1) or say it does not work out (2).
    Remind,
    /// The next morning: the requester is asked whether the help went well (1) or not (2).
    Afterwards,
}

impl Purpose {
    pub const ALL: [Purpose; 7] = [
        Purpose::Ask,
        Purpose::TellMatched,
        Purpose::TellUnfilled,
        Purpose::TellCancelled,
        Purpose::TellWithdrawn,
        Purpose::Remind,
        Purpose::Afterwards,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Ask => "ask",
            Purpose::TellMatched => "tell-matched",
            Purpose::TellUnfilled => "tell-unfilled",
            Purpose::TellCancelled => "tell-cancelled",
            Purpose::TellWithdrawn => "tell-withdrawn",
            Purpose::Remind => "remind",
            Purpose::Afterwards => "afterwards",
        }
    }

    pub fn parse(s: &str) -> Option<Purpose> {
        Purpose::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// What became of one planned call: the word stored in `planned_calls.result`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CallResult {
    /// A neighbour pressed 1.
    Yes,
    /// A neighbour pressed 2 (thanked; it costs nothing).
    No,
    /// Pressed 1 after someone else had said yes, or after the request changed.
    TooLate,
    /// Picked up and heard the message (a call that tells).
    Heard,
    /// Picked up, pressed nothing (often a voicemail box).
    NoKey,
    NoAnswer,
    Busy,
    Failed,
    /// Its end was never reported, or the service stopped before it was placed: it is not
    /// placed again (nobody is rung twice).
    NeverReported,
    /// The request was cancelled or decided before this call was placed.
    NotNeeded,
}

impl CallResult {
    pub const ALL: [CallResult; 10] = [
        CallResult::Yes,
        CallResult::No,
        CallResult::TooLate,
        CallResult::Heard,
        CallResult::NoKey,
        CallResult::NoAnswer,
        CallResult::Busy,
        CallResult::Failed,
        CallResult::NeverReported,
        CallResult::NotNeeded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CallResult::Yes => "yes",
            CallResult::No => "no",
            CallResult::TooLate => "too-late",
            CallResult::Heard => "heard",
            CallResult::NoKey => "no-key",
            CallResult::NoAnswer => "no-answer",
            CallResult::Busy => "busy",
            CallResult::Failed => "failed",
            CallResult::NeverReported => "never-reported",
            CallResult::NotNeeded => "not-needed",
        }
    }

    pub fn parse(s: &str) -> Option<CallResult> {
        CallResult::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Whether the call reached someone who heard it.
    pub fn reached(self) -> bool {
        matches!(self, CallResult::Yes | CallResult::No | CallResult::TooLate | CallResult::Heard)
    }
}

/// A kind of help's rules for planning (`[[category]] later = true, later_min_hours = 24`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lead {
    /// At least this many hours between the request and the help.
    pub min_hours: u32,
}

/// Why a moment cannot be asked for, with what is possible instead.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("{at} has passed; the earliest possible is {earliest}")]
    Past { at: DateTime, earliest: DateTime },
    #[error(
        "{at} is sooner than the {min_hours} hours this kind of help needs ahead; the earliest possible is {earliest}"
    )]
    TooSoon { at: DateTime, min_hours: u32, earliest: DateTime },
    #[error("{at} is more than {DAYS_AHEAD} days ahead; the latest possible is {latest}")]
    TooFar { at: DateTime, latest: DateTime },
    #[error("{at} does not exist on the clock here (the clocks change)")]
    NoSuchTime { at: DateTime },
}

/// The instant of a local time in `tz` (a time the clocks skip is later, as jiff's
/// "compatible" does; one they repeat is the first).
pub fn instant(tz: &TimeZone, at: DateTime) -> Option<Timestamp> {
    tz.to_ambiguous_timestamp(at).compatible().ok()
}

/// The local time of `at` in `tz`.
pub fn local(tz: &TimeZone, at: Timestamp) -> DateTime {
    at.to_zoned(tz.clone()).datetime()
}

/// `at` rounded up to the next whole or half hour.
fn up_to_half_hour(at: DateTime) -> DateTime {
    let minutes = at.minute() as i64;
    let extra =
        if at.second() == 0 && at.subsec_nanosecond() == 0 && minutes % 30 == 0 { 0 } else { 30 - minutes % 30 };
    let trimmed = at.with().second(0).subsec_nanosecond(0).build().unwrap_or(at);
    trimmed.checked_add(SignedDuration::from_mins(extra)).unwrap_or(trimmed)
}

/// Whether help at local time `at` may be asked for at `now`: not past, at least
/// `lead.min_hours` ahead, within `DAYS_AHEAD` days. A refusal names what is possible.
pub fn check_when(tz: &TimeZone, now: Timestamp, at: DateTime, lead: Lead) -> Result<Timestamp, Refused> {
    let earliest_instant = now + SignedDuration::from_hours(lead.min_hours as i64);
    let earliest = up_to_half_hour(local(tz, earliest_instant));
    let latest = local(tz, now + SignedDuration::from_hours(DAYS_AHEAD * 24)).with().second(0).build().unwrap_or(at);
    let Some(when) = instant(tz, at) else { return Err(Refused::NoSuchTime { at }) };
    if when <= now {
        return Err(Refused::Past { at, earliest });
    }
    if when < earliest_instant {
        return Err(Refused::TooSoon { at, min_hours: lead.min_hours, earliest });
    }
    if when > now + SignedDuration::from_hours(DAYS_AHEAD * 24) {
        return Err(Refused::TooFar { at, latest });
    }
    Ok(when)
}

/// After this moment nobody is asked any more for help at `at`: the requester is told.
pub fn cutoff(at: Timestamp, cutoff_hours: u32) -> Timestamp {
    at - SignedDuration::from_hours(cutoff_hours as i64)
}

/// The next moment at or after `now` (local) at which the switchboard may call anyone about
/// a planned request: inside the ringing hours, which a dialplan keeps out of the night.
pub fn next_call_moment(ringing: &WeeklyHours, now: DateTime) -> Option<DateTime> {
    ringing.next_open(now)
}

/// What the ranking needs of a planned request.
#[derive(Clone, Copy, Debug)]
pub struct Wanted<'a> {
    pub category: &'a str,
    pub requester_phone: Option<&'a super::phone::PhoneNumber>,
    pub requester_at: Option<Whereabouts<'a>>,
    pub requester_wish: super::participant::Distance,
    pub experienced_only: bool,
    /// The help's local time: a helper's own hours and pause are looked at then.
    pub at: DateTime,
    /// Now, for fair rotation ("how long ago was this helper asked").
    pub now: Timestamp,
}

/// The helpers to ask for a planned request, best first: `domain::ranking::rank` with the
/// help's day and hour as "now" (their own hours and pauses then, not at this moment) and
/// nobody busy (a call now says nothing about then). Candidates asked for this request
/// before come with `asked_this_call`, and are left out: each is asked at most once.
pub fn rank<'c>(candidates: &'c [Candidate], wanted: &Wanted<'_>) -> Vec<&'c Candidate> {
    // The ringing hours hold for the call that asks (`next_call_moment`), not for the help.
    let any_time = WeeklyHours::parse("00:00-24:00").unwrap_or_else(|_| WeeklyHours::never());
    let request = ranking::Request {
        category: wanted.category,
        caller_phone: wanted.requester_phone,
        caller_at: wanted.requester_at,
        now: wanted.at,
        at: wanted.now,
        ringing_hours: &any_time,
        caller_wish: wanted.requester_wish,
        experienced_only: wanted.experienced_only,
    };
    // Busy now says nothing about then.
    let free: Vec<Candidate> = candidates.iter().map(|c| Candidate { busy: false, ..c.clone() }).collect();
    ranking::rank(&free, &request)
        .into_iter()
        .filter_map(|r| candidates.iter().find(|c| c.participant.id == r.participant.id))
        .collect()
}

/// What the search of one planned request does now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    /// Nothing now: not asking, a neighbour is being asked, outside the ringing hours, or
    /// nobody left to ask before the cut-off (someone may become available).
    Wait,
    /// Ask this participant (the first of the ranking).
    Ask(i64),
    /// The cut-off has passed without a helper: tell the requester, and the desk.
    Unfilled,
}

/// Where one planned request's search stands, as the store knows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Search {
    pub status: Status,
    /// A neighbour's phone is ringing, or they are listening, about this request.
    pub asking_now: bool,
    pub cutoff: Timestamp,
}

/// The search's next step at `now`: `in_ringing_hours` whether anyone may be called now,
/// `first` the best helper not yet asked.
pub fn next(search: Search, now: Timestamp, in_ringing_hours: bool, first: Option<i64>) -> Next {
    if search.status != Status::Asking || search.asking_now {
        return Next::Wait;
    }
    if now >= search.cutoff {
        return Next::Unfilled;
    }
    match (in_ringing_hours, first) {
        (true, Some(id)) => Next::Ask(id),
        _ => Next::Wait,
    }
}

/// The reminder is made the day before the help, from this hour on (inside the ringing hours).
pub const REMIND_FROM_HOUR: i8 = 10;

/// Tries of the reminder before the desk is told; minutes between them.
pub const REMIND_TRIES: usize = 2;
pub const REMIND_RETRY_MINUTES: i64 = 60;

/// What the reminder of a matched request does now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reminder {
    /// Not now (not the day before yet, too early in the day, a try still going, or done).
    Wait,
    /// Call the helper (try `n`, 1-based).
    Call(usize),
    /// No answer after the last try: the desk checks with the helper (never an automatic cancel).
    ToDesk,
}

/// The reminder's next step at local time `now` for help at `at`, matched at local time
/// `matched_at`: the day before, from `REMIND_FROM_HOUR`, when anyone may be called. A
/// match made on the day before or later needs none (the yes is fresh). `tries` are the
/// reminder's calls so far: (placed at, whether it reached the helper, whether it is over).
pub fn reminder(
    at: DateTime,
    matched_at: DateTime,
    now: DateTime,
    may_call: bool,
    tries: &[(DateTime, bool, bool)],
) -> Reminder {
    let Ok(day_before) = at.date().yesterday() else { return Reminder::Wait };
    if matched_at.date() >= day_before || now.date() != day_before {
        return Reminder::Wait;
    }
    if tries.iter().any(|(_, reached, over)| *reached || !*over) {
        return Reminder::Wait;
    }
    if tries.len() >= REMIND_TRIES {
        return Reminder::ToDesk;
    }
    let after_last = tries
        .last()
        .is_none_or(|(placed, _, _)| now.duration_since(*placed) >= SignedDuration::from_mins(REMIND_RETRY_MINUTES));
    if may_call && now.hour() >= REMIND_FROM_HOUR && after_last {
        return Reminder::Call(tries.len() + 1);
    }
    Reminder::Wait
}

/// What the helper's key on the reminder does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RemindAnswer {
    /// 1: it goes on.
    Confirm,
    /// 2: it does not work out; a new search starts at once.
    Withdraw,
    /// The request changed meanwhile (cancelled): thanked.
    TooLate,
    Again,
    /// Nothing pressed through every asking (a provider whose key webhook also reports
    /// silence, where another's askings run out): what follows the askings.
    Silent,
}

pub fn remind_answer(status: Status, key: Option<&str>) -> RemindAnswer {
    match key {
        Some("1" | "2") if !matches!(status, Status::Matched | Status::Confirmed) => RemindAnswer::TooLate,
        Some("1") => RemindAnswer::Confirm,
        Some("2") => RemindAnswer::Withdraw,
        None => RemindAnswer::Silent,
        _ => RemindAnswer::Again,
    }
}

/// Whether the call afterwards is due at local time `now` for help at `at`: the next
/// morning, from `REMIND_FROM_HOUR`, inside the ringing hours, once (`made`: it was made).
pub fn afterwards_due(at: DateTime, now: DateTime, may_call: bool, made: bool) -> bool {
    let Ok(next_day) = at.date().tomorrow() else { return false };
    !made && may_call && now.date() == next_day && now.hour() >= REMIND_FROM_HOUR
}

/// What the requester's key on the call afterwards does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AfterwardsAnswer {
    /// 1: it went well: the help happened.
    Happened,
    /// 2: it did not: the desk follows it up.
    NotHappened,
    /// The request is not one with a helper any more: thanked.
    TooLate,
    Again,
    /// Nothing pressed through every asking (a provider whose key webhook also reports
    /// silence, where another's askings run out): what follows the askings.
    Silent,
}

pub fn afterwards_answer(status: Status, key: Option<&str>) -> AfterwardsAnswer {
    match key {
        Some("1" | "2") if !matches!(status, Status::Matched | Status::Confirmed) => AfterwardsAnswer::TooLate,
        Some("1") => AfterwardsAnswer::Happened,
        Some("2") => AfterwardsAnswer::NotHappened,
        None => AfterwardsAnswer::Silent,
        _ => AfterwardsAnswer::Again,
    }
}

/// What a neighbour's key on an asking call does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// 1, and the request is still asking: they help.
    Yes,
    /// 1, but someone else said yes already (or the request changed): thanked all the same.
    TooLate,
    /// 2: thanked; it costs nothing.
    No,
    /// 9: the request again ("where to" too), and the question.
    Repeat,
    /// Another key: the question once more.
    Again,
    /// Nothing pressed through every asking (a provider whose key webhook also reports
    /// silence, where another's askings run out): what follows the askings.
    Silent,
}

pub fn answer(status: Status, key: Option<&str>) -> Answer {
    match key {
        Some("1") if status == Status::Asking => Answer::Yes,
        Some("1") => Answer::TooLate,
        Some("2") => Answer::No,
        Some("9") => Answer::Repeat,
        None => Answer::Silent,
        _ => Answer::Again,
    }
}

/// What each planned call says.
pub mod say {
    use super::super::action::{Action, Next};
    use super::super::prompts::{PromptKey, Prompts, Speech};

    /// Seconds to wait for a key.
    pub const KEY_SECONDS: u32 = 8;

    /// The help as it is said: "dinsdag 8 december om 10 uur".
    pub fn when(p: &Prompts, at: jiff::civil::DateTime) -> String {
        let date = super::super::own::spoken_date(p, at.date());
        let time = super::super::own::spoken_time(p, at.hour() as u16 * 60 + at.minute() as u16);
        p.text(PromptKey::PlannedWhen, &[("date", &date), ("time", &time)])
    }

    /// Who the call is for, by first name, at this local hour.
    fn greeting(p: &Prompts, hour: i8, first_name: &str) -> Speech {
        p.speech(PromptKey::PlannedGreeting, &[("daypart", &p.daypart(hour)), ("name", first_name)])
    }

    /// The requester, as a helper hears of them before saying yes: a first name, and the
    /// street unless they want it said only after a yes.
    #[derive(Clone, Copy, Debug)]
    pub struct Requester<'a> {
        pub first_name: &'a str,
        pub street: Option<&'a str>,
    }

    /// A call to a helper about a request: when it is said (the local hour), to whom, about
    /// whom, for when, and which planned call it is.
    #[derive(Clone, Copy, Debug)]
    pub struct Helper<'a> {
        pub hour: i8,
        pub first_name: &'a str,
        pub requester: Requester<'a>,
        pub when: &'a str,
        pub call: i64,
        /// The requester's own "where to", played from our copy after the request: its
        /// path under the audio base URL.
        pub where_to: Option<&'a str>,
    }

    /// The request, then, when there is one, "where to" in the requester's own words.
    fn with_where_to(p: &Prompts, request: Speech, to: &Helper<'_>) -> Vec<Speech> {
        let mut said = vec![request];
        if let Some(path) = to.where_to {
            said.push(p.speech(PromptKey::PlannedWhereTo, &[("caller", to.requester.first_name)]));
            said.push(Speech::Audio(path.to_string()));
        }
        said
    }

    /// A neighbour is asked: the request with its day and time, then 1 or 2 (asked twice).
    pub fn ask(p: &Prompts, to: &Helper<'_>, category: &str) -> Vec<Action> {
        let Helper { hour, first_name: helper, requester, when, call, .. } = *to;
        let request = match requester.street {
            Some(street) => p.speech(
                PromptKey::PlannedAsk,
                &[("caller", requester.first_name), ("street", street), ("category", category), ("when", when)],
            ),
            None => p.speech(
                PromptKey::PlannedAskName,
                &[("caller", requester.first_name), ("category", category), ("when", when)],
            ),
        };
        let question = p.speech(PromptKey::PlannedQuestion, &[]);
        let next = Next::PlannedKey { call };
        let mut say = vec![greeting(p, hour, helper)];
        say.extend(with_where_to(p, request, to));
        say.push(question.clone());
        say.push(p.speech(PromptKey::WhisperRepeatHint, &[]));
        vec![
            Action::Gather { say, timeout_seconds: KEY_SECONDS, next },
            Action::Gather { say: vec![question], timeout_seconds: KEY_SECONDS, next },
            Action::Say(p.speech(PromptKey::PlannedNoKey, &[])),
            Action::Hangup,
        ]
    }

    /// 9: the request again, with "where to", then the question (asked twice).
    pub fn ask_repeat(p: &Prompts, to: &Helper<'_>, category: &str) -> Vec<Action> {
        let mut actions = ask(p, to, category);
        if let Some(Action::Gather { say, .. }) = actions.first_mut() {
            // No greeting the second time.
            say.remove(0);
        }
        actions
    }

    /// Asked again after a key that is neither 1 nor 2 nor 9.
    pub fn ask_again(p: &Prompts, call: i64) -> Vec<Action> {
        let question = p.speech(PromptKey::PlannedQuestion, &[]);
        vec![
            Action::Gather { say: vec![question], timeout_seconds: KEY_SECONDS, next: Next::PlannedKey { call } },
            Action::Say(p.speech(PromptKey::PlannedNoKey, &[])),
            Action::Hangup,
        ]
    }

    /// Nothing pressed through every asking on an asking call: what follows the askings.
    pub fn no_key(p: &Prompts) -> Vec<Action> {
        vec![Action::Say(p.speech(PromptKey::PlannedNoKey, &[])), Action::Hangup]
    }

    /// Nothing pressed through every asking on a reminder or the call afterwards.
    pub fn goodbye(p: &Prompts) -> Vec<Action> {
        vec![Action::Say(p.speech(PromptKey::PlannedGoodbye, &[])), Action::Hangup]
    }

    /// 1: thanked; the street now if it was not said before; the requester will be told.
    pub fn yes(p: &Prompts, requester: &str, street_after_yes: Option<&str>) -> Vec<Action> {
        let mut actions = Vec::new();
        if let Some(street) = street_after_yes {
            actions.push(Action::Say(p.speech(PromptKey::PlannedWhere, &[("caller", requester), ("street", street)])));
        }
        actions.push(Action::Say(p.speech(PromptKey::PlannedYes, &[("caller", requester)])));
        actions.push(Action::Hangup);
        actions
    }

    /// 2: thanked, no questions asked.
    pub fn no(p: &Prompts) -> Vec<Action> {
        vec![Action::Say(p.speech(PromptKey::WhisperDeclined, &[])), Action::Hangup]
    }

    /// 1 after someone else said yes.
    pub fn too_late(p: &Prompts) -> Vec<Action> {
        vec![Action::Say(p.speech(PromptKey::PlannedTaken, &[])), Action::Hangup]
    }

    /// The requester: who comes, and when.
    pub fn matched(p: &Prompts, hour: i8, requester: &str, helper: &str, when: &str) -> Vec<Action> {
        vec![
            Action::Say(greeting(p, hour, requester)),
            Action::Say(p.speech(PromptKey::PlannedMatched, &[("helper", helper), ("when", when)])),
            Action::Say(p.speech(PromptKey::PlannedGoodbye, &[])),
            Action::Hangup,
        ]
    }

    /// The requester: nobody was found, honestly; the desk will call.
    pub fn unfilled(p: &Prompts, hour: i8, requester: &str, when: &str) -> Vec<Action> {
        news(p, hour, requester, PromptKey::PlannedUnfilled, when)
    }

    /// The day before, the helper: confirm with 1, or 2 when it does not work out (asked twice).
    pub fn remind(p: &Prompts, to: &Helper<'_>) -> Vec<Action> {
        let Helper { hour, first_name: helper, requester, when, call, .. } = *to;
        let caller = requester.first_name;
        let reminder = match requester.street {
            Some(street) => {
                p.speech(PromptKey::PlannedRemind, &[("caller", caller), ("street", street), ("when", when)])
            }
            None => p.speech(PromptKey::PlannedRemindName, &[("caller", caller), ("when", when)]),
        };
        let question = p.speech(PromptKey::PlannedRemindQuestion, &[]);
        let next = Next::PlannedKey { call };
        let mut say = vec![greeting(p, hour, helper)];
        say.extend(with_where_to(p, reminder, to));
        say.push(question.clone());
        vec![
            Action::Gather { say, timeout_seconds: KEY_SECONDS, next },
            Action::Gather { say: vec![question], timeout_seconds: KEY_SECONDS, next },
            Action::Say(p.speech(PromptKey::PlannedGoodbye, &[])),
            Action::Hangup,
        ]
    }

    /// The reminder's question again, after another key.
    pub fn remind_again(p: &Prompts, call: i64) -> Vec<Action> {
        let question = p.speech(PromptKey::PlannedRemindQuestion, &[]);
        vec![
            Action::Gather { say: vec![question], timeout_seconds: KEY_SECONDS, next: Next::PlannedKey { call } },
            Action::Say(p.speech(PromptKey::PlannedGoodbye, &[])),
            Action::Hangup,
        ]
    }

    /// 1 on the reminder.
    pub fn remind_confirmed(p: &Prompts, requester: &str) -> Vec<Action> {
        vec![Action::Say(p.speech(PromptKey::PlannedRemindConfirmed, &[("caller", requester)])), Action::Hangup]
    }

    /// 2 on the reminder: thanked; someone else is looked for.
    pub fn remind_withdrawn(p: &Prompts) -> Vec<Action> {
        vec![Action::Say(p.speech(PromptKey::PlannedRemindWithdrawn, &[])), Action::Hangup]
    }

    /// The next morning, the requester: did the help go well? (Asked twice.)
    pub fn afterwards(p: &Prompts, hour: i8, requester: &str, call: i64) -> Vec<Action> {
        let question = p.speech(PromptKey::PlannedAfterwards, &[]);
        let next = Next::PlannedKey { call };
        vec![
            Action::Gather {
                say: vec![greeting(p, hour, requester), question.clone()],
                timeout_seconds: KEY_SECONDS,
                next,
            },
            Action::Gather { say: vec![question], timeout_seconds: KEY_SECONDS, next },
            Action::Say(p.speech(PromptKey::PlannedGoodbye, &[])),
            Action::Hangup,
        ]
    }

    /// The question afterwards again, after another key.
    pub fn afterwards_again(p: &Prompts, call: i64) -> Vec<Action> {
        let question = p.speech(PromptKey::PlannedAfterwards, &[]);
        vec![
            Action::Gather { say: vec![question], timeout_seconds: KEY_SECONDS, next: Next::PlannedKey { call } },
            Action::Say(p.speech(PromptKey::PlannedGoodbye, &[])),
            Action::Hangup,
        ]
    }

    /// 1 afterwards.
    pub fn afterwards_fine(p: &Prompts) -> Vec<Action> {
        vec![Action::Say(p.speech(PromptKey::PlannedAfterwardsFine, &[])), Action::Hangup]
    }

    /// 2 afterwards: the desk will call.
    pub fn afterwards_not(p: &Prompts) -> Vec<Action> {
        vec![Action::Say(p.speech(PromptKey::PlannedAfterwardsNot, &[])), Action::Hangup]
    }

    /// The requester: their helper cannot after all; someone else is asked.
    pub fn withdrawn(p: &Prompts, hour: i8, to: &str, when: &str) -> Vec<Action> {
        news(p, hour, to, PromptKey::PlannedWithdrawn, when)
    }

    /// The requester or the helper: the help does not go on.
    pub fn cancelled(p: &Prompts, hour: i8, to: &str, when: &str) -> Vec<Action> {
        news(p, hour, to, PromptKey::PlannedCancelled, when)
    }

    /// A call that tells `to` one thing about the help `when`, and says goodbye.
    fn news(p: &Prompts, hour: i8, to: &str, said: PromptKey, when: &str) -> Vec<Action> {
        vec![
            Action::Say(greeting(p, hour, to)),
            Action::Say(p.speech(said, &[("when", when)])),
            Action::Say(p.speech(PromptKey::PlannedGoodbye, &[])),
            Action::Hangup,
        ]
    }
}

#[cfg(test)]
mod tests;
