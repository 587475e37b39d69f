//! Ringing in waves: the caller waits on hold while the service rings helpers itself,
//! `wave_size` at a time. A pure model of one search: which helpers are in flight, when to
//! ring more, who wins a yes, and when the limits are reached. No I/O, no clock: the
//! snapshot and `now` come in, decisions go out; the web layer stores them and then (after
//! the transaction commits) talks to the provider.
//!
//! A "wave" is topped up rather than waited out: as soon as one helper in flight says no
//! or does not answer, the next one is rung, so `wave_size` phones ring whenever there are
//! helpers left to ring.

use jiff::Timestamp;

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
    /// Cancelled by us (someone else won, the caller hung up, the limits were reached).
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
/// helper already hearing the request is not cut off: whatever they press, they are told
/// kindly that someone was found or that the caller has gone, and thanked.
fn ringing(legs: &[Leg], except: Option<u32>) -> Vec<u32> {
    legs.iter().filter(|l| l.status == LegStatus::Ringing && Some(l.attempt) != except).map(|l| l.attempt).collect()
}

/// One helper rung for this search.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Leg {
    /// 1 for the first helper rung for the call, 2 for the second, ...
    pub attempt: u32,
    pub helper_id: i64,
    pub status: LegStatus,
    pub started_at: Timestamp,
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
    pub wave_size: u32,
    pub max_helpers: u32,
    pub max_wait_seconds: u32,
    /// A leg still ringing or hearing the request this long after it was placed has lost
    /// its reports (the service was down when its end came): it no longer holds a place.
    pub leg_lost_after_seconds: u32,
}

impl Limits {
    /// The limits of a dialplan's `[ringing]`: a leg is given up for lost two minutes
    /// after its ring timeout (long enough to ring, pick up and hear the request).
    pub fn new(wave_size: u32, max_helpers: u32, max_wait_seconds: u32, ring_timeout_seconds: u32) -> Limits {
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
/// `available` is how many eligible helpers the ranking still offers.
pub fn next(
    status: SearchStatus,
    legs: &[Leg],
    limits: Limits,
    started_at: Timestamp,
    now: Timestamp,
    available: usize,
) -> Decision {
    if status != SearchStatus::Searching {
        return Decision::Done;
    }
    let lost_after = i64::from(limits.leg_lost_after_seconds);
    let in_flight: Vec<u32> = legs
        .iter()
        .filter(|l| l.status.in_flight() && now.as_second() - l.started_at.as_second() < lost_after)
        .map(|l| l.attempt)
        .collect();
    let waited = now.as_second() - started_at.as_second();
    if waited >= i64::from(limits.max_wait_seconds) {
        // As in `dial` mode, the limit stops the next ring, not the ones under way: a
        // helper already rung may still say yes.
        return if in_flight.is_empty() { Decision::GiveUp { cancel: Vec::new() } } else { Decision::Wait };
    }
    let free_places = limits.wave_size.saturating_sub(in_flight.len() as u32);
    let left_to_ring = limits.max_helpers.saturating_sub(legs.len() as u32);
    let ring = free_places.min(left_to_ring).min(u32::try_from(available).unwrap_or(u32::MAX));
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
    /// They are the first: join them to the caller, cancel these other legs (still ringing).
    Wins { cancel: Vec<u32> },
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
        (SearchStatus::Searching, Some(s)) if s.in_flight() => Yes::Wins { cancel: ringing(legs, Some(attempt)) },
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

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + s).unwrap()
    }

    fn legs(spec: &[LegStatus]) -> Vec<Leg> {
        spec.iter()
            .enumerate()
            .map(|(i, s)| Leg {
                attempt: i as u32 + 1,
                helper_id: 100 + i as i64,
                status: *s,
                started_at: at(i as i64),
            })
            .collect()
    }

    const LIMITS: Limits = Limits { wave_size: 2, max_helpers: 5, max_wait_seconds: 300, leg_lost_after_seconds: 140 };

    #[test]
    fn next_tops_up_the_wave_until_the_limits() {
        use LegStatus::*;
        use SearchStatus::*;
        // (name, search, legs, limits, seconds waited, helpers left, expected)
        type Case = (&'static str, SearchStatus, Vec<LegStatus>, Limits, i64, usize, Decision);
        let cases: Vec<Case> = vec![
            ("first wave", Searching, vec![], LIMITS, 0, 10, Decision::Ring(2)),
            (
                "wave of one rings one by one",
                Searching,
                vec![],
                Limits { wave_size: 1, ..LIMITS },
                0,
                10,
                Decision::Ring(1),
            ),
            ("fewer helpers than places", Searching, vec![], LIMITS, 0, 1, Decision::Ring(1)),
            ("both ringing: wait", Searching, vec![Ringing, Answered], LIMITS, 30, 10, Decision::Wait),
            ("one said no: the next at once", Searching, vec![Declined, Ringing], LIMITS, 30, 10, Decision::Ring(1)),
            ("both gone: two more", Searching, vec![NoAnswer, Busy], LIMITS, 30, 10, Decision::Ring(2)),
            (
                "max helpers caps the wave",
                Searching,
                vec![NoAnswer, Declined, Failed, Ringing],
                LIMITS,
                60,
                10,
                Decision::Ring(1),
            ),
            (
                "max helpers reached, one ringing: wait",
                Searching,
                vec![NoAnswer, Declined, Failed, Declined, Ringing],
                LIMITS,
                60,
                10,
                Decision::Wait,
            ),
            (
                "max helpers reached, none left",
                Searching,
                vec![NoAnswer, Declined, Failed, Declined, Busy],
                LIMITS,
                60,
                10,
                Decision::GiveUp { cancel: vec![] },
            ),
            (
                "nobody left to ring, none in flight",
                Searching,
                vec![Declined],
                LIMITS,
                20,
                0,
                Decision::GiveUp { cancel: vec![] },
            ),
            ("nobody left to ring, one in flight", Searching, vec![Declined, Ringing], LIMITS, 20, 0, Decision::Wait),
            (
                "waited too long: nobody new, those rung may still answer",
                Searching,
                vec![Declined, Ringing, Answered],
                Limits { leg_lost_after_seconds: 1000, ..LIMITS },
                300,
                10,
                Decision::Wait,
            ),
            (
                "waited too long, none in flight",
                Searching,
                vec![Declined, NoAnswer],
                LIMITS,
                300,
                10,
                Decision::GiveUp { cancel: vec![] },
            ),
            ("matched: nothing more", Matched, vec![Accepted, Canceled], LIMITS, 30, 10, Decision::Done),
            // Legs placed at 0 and 1 s whose ends were never reported.
            (
                "legs still in time hold their places",
                Searching,
                vec![Ringing, Answered],
                LIMITS,
                139,
                10,
                Decision::Wait,
            ),
            (
                "legs lost: their places are free again",
                Searching,
                vec![Ringing, Answered],
                LIMITS,
                141,
                10,
                Decision::Ring(2),
            ),
            (
                "legs lost, the wait is over: give up",
                Searching,
                vec![Ringing, Answered],
                LIMITS,
                400,
                10,
                Decision::GiveUp { cancel: vec![] },
            ),
            ("over: nothing more", Over, vec![Canceled], LIMITS, 30, 10, Decision::Done),
        ];
        for (name, status, spec, limits, now, available, expected) in cases {
            assert_eq!(next(status, &legs(&spec), limits, at(0), at(now), available), expected, "{name}");
        }
    }

    #[test]
    fn the_first_yes_wins_and_the_others_are_cancelled() {
        use LegStatus::*;
        use SearchStatus::*;
        // (name, search, legs, leg that pressed 1, caller gone, expected)
        type Case = (&'static str, SearchStatus, Vec<LegStatus>, u32, bool, Yes);
        let cases: Vec<Case> = vec![
            ("first yes", Searching, vec![Answered, Ringing, Declined], 1, false, Yes::Wins { cancel: vec![2] }),
            (
                "second leg first; the other is hearing the request",
                Searching,
                vec![Answered, Answered],
                2,
                false,
                Yes::Wins { cancel: vec![] },
            ),
            (
                "ringing legs are cancelled",
                Searching,
                vec![Ringing, Answered, Ringing, NoAnswer],
                2,
                false,
                Yes::Wins { cancel: vec![1, 3] },
            ),
            ("the other pressed 1 first", Matched, vec![Accepted, Answered], 2, false, Yes::AlreadyFound),
            ("the same yes twice", Matched, vec![Accepted, Canceled], 1, false, Yes::AlreadyWon),
            ("caller hung up", Over, vec![Answered], 1, true, Yes::CallerGone),
            ("caller hung up before the search noticed", Searching, vec![Answered], 1, true, Yes::CallerGone),
            ("limits reached, caller sent to the desk", Over, vec![Answered], 1, false, Yes::SearchOver),
            ("a leg that already ended", Searching, vec![Declined, Ringing], 1, false, Yes::SearchOver),
            ("an attempt we never rang", Searching, vec![Ringing], 7, false, Yes::SearchOver),
        ];
        for (name, status, spec, attempt, caller_gone, expected) in cases {
            assert_eq!(yes(status, &legs(&spec), attempt, caller_gone), expected, "{name}");
        }
    }

    #[test]
    fn a_caller_who_hangs_up_cancels_every_leg_still_ringing() {
        use LegStatus::*;
        assert_eq!(caller_gone(&legs(&[Declined, Ringing, Answered, NoAnswer, Ringing])), vec![2, 5]);
        assert_eq!(caller_gone(&legs(&[Declined])), Vec::<u32>::new());
    }

    #[test]
    fn a_winner_who_enters_a_conference_of_their_own_is_alone() {
        let cases: Vec<(&str, Option<&str>, &str, bool, bool)> = vec![
            ("the caller's conference", Some("CF1"), "CF1", false, false),
            ("the caller's conference, the caller hung up after the join", Some("CF1"), "CF1", true, false),
            ("another conference: the caller's had ended", Some("CF1"), "CF2", false, true),
            ("caller's conference not reported yet, caller still on", None, "CF2", false, false),
            ("caller's conference not reported yet, caller gone", None, "CF2", true, true),
        ];
        for (name, caller, entered, ended, expected) in cases {
            assert_eq!(entered_alone(caller, entered, ended), expected, "{name}");
        }
    }

    #[test]
    fn a_winner_whose_line_drops_before_the_join_lets_the_search_go_on() {
        let cases: Vec<(&str, bool, Option<Timestamp>, i64, bool)> = vec![
            ("dropped two seconds after the yes", false, Some(at(0)), 2, true),
            ("dropped at the limit", false, Some(at(0)), JOIN_WITHIN_SECONDS, true),
            ("dropped later: taken for a conversation", false, Some(at(0)), JOIN_WITHIN_SECONDS + 1, false),
            ("entered the conference: a conversation", true, Some(at(0)), 2, false),
            ("no win recorded", false, None, 2, false),
        ];
        for (name, entered, won_at, now, expected) in cases {
            assert_eq!(winner_dropped(entered, won_at, at(now)), expected, "{name}");
        }
    }

    #[test]
    fn a_caller_still_on_hold_after_the_end_is_moved_on_again_but_not_at_once() {
        assert!(!move_on_again(at(0), at(0)), "the move is under way");
        assert!(!move_on_again(at(0), at(MOVE_AGAIN_AFTER_SECONDS - 1)));
        assert!(move_on_again(at(0), at(MOVE_AGAIN_AFTER_SECONDS)));
    }

    #[test]
    fn statuses_round_trip() {
        for s in LegStatus::ALL {
            assert_eq!(LegStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(LegStatus::parse("maybe"), None);
        assert_eq!(SearchStatus::parse("matched"), Some(SearchStatus::Matched));
    }
}
