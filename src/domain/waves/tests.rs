use super::*;

fn at(s: i64) -> Timestamp {
    Timestamp::from_second(1_800_000_000 + s).unwrap()
}

fn legs(spec: &[LegStatus]) -> Vec<Leg> {
    spec.iter()
        .enumerate()
        .map(|(i, s)| Leg { status: *s, ..Leg::new(i as u32 + 1, 100 + i as i64, "Anja", at(i as i64)) })
        .collect()
}

const LIMITS: Limits =
    Limits { wave_size: WaveSize::Fixed(2), max_helpers: 5, max_wait_seconds: 300, leg_lost_after_seconds: 140 };

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
            Limits { wave_size: WaveSize::Fixed(1), ..LIMITS },
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
        ("legs still in time hold their places", Searching, vec![Ringing, Answered], LIMITS, 139, 10, Decision::Wait),
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
        let offered: Vec<i64> = (0..available as i64).map(|i| 200 + i).collect();
        let decision = next(status, &legs(&spec), limits, at(0), at(now), &offered, &Chances::default());
        assert_eq!(decision, expected, "{name}");
    }
}

#[test]
fn the_first_yes_wins_and_the_others_are_cancelled() {
    use LegStatus::*;
    use SearchStatus::*;
    // (name, search, legs, leg that pressed 1, caller gone, expected)
    type Case = (&'static str, SearchStatus, Vec<LegStatus>, u32, bool, Yes);
    let cases: Vec<Case> = vec![
        (
            "first yes",
            Searching,
            vec![Answered, Ringing, Declined],
            1,
            false,
            Yes::Wins { cancel: vec![2], thank: vec![] },
        ),
        (
            "second leg first; the other, hearing the request, is thanked",
            Searching,
            vec![Answered, Answered],
            2,
            false,
            Yes::Wins { cancel: vec![], thank: vec![1] },
        ),
        (
            "ringing legs are cancelled, listening ones thanked, ended ones left",
            Searching,
            vec![Ringing, Answered, Ringing, NoAnswer, Answered, Declined],
            2,
            false,
            Yes::Wins { cancel: vec![1, 3], thank: vec![5] },
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

// ---------------------------------------------------------------------------------------
// `step`: one table per kind of event. Each row: a search, an event, the caller's call and
// the call-back request (if any); expected: the search's status and legs after, and the
// commands in order.
// ---------------------------------------------------------------------------------------

use crate::domain::callback::RequestStatus;

fn search(status: SearchStatus, spec: &[LegStatus]) -> Search {
    let mut s = Search::new(at(0));
    s.status = status;
    s.legs = legs(spec);
    for leg in &mut s.legs {
        leg.leg_sid = Some(format!("CAleg{}", leg.attempt));
    }
    if status == SearchStatus::Matched {
        let winner = s.legs.iter().find(|l| l.status == LegStatus::Accepted).map(|l| l.attempt);
        s.winner = winner;
        s.won_at = Some(at(10));
    }
    if status == SearchStatus::Over {
        s.over_at = Some(at(0));
    }
    s
}

fn helpers(n: i64) -> Vec<Candidate> {
    (0..n).map(|i| Candidate { id: 200 + i, first_name: format!("H{i}") }).collect()
}

struct Case {
    name: &'static str,
    search: Search,
    event: SearchEvent,
    caller: Caller,
    callback: Option<Callback>,
    now: i64,
    helpers: i64,
    status: SearchStatus,
    leg_statuses: Vec<LegStatus>,
    commands: Vec<Command>,
}

fn run_cases(cases: Vec<Case>) {
    for c in cases {
        let candidates = helpers(c.helpers);
        let ctx = Context {
            now: at(c.now),
            limits: LIMITS,
            caller: c.caller,
            callback: c.callback.as_ref(),
            helpers: &candidates,
            chances: &Chances::default(),
            attempts: c.search.legs.len() as u32,
            records_tell: true,
        };
        let (after, commands) = step(c.search, c.event, &ctx);
        assert_eq!(after.status, c.status, "{}: status", c.name);
        assert_eq!(after.legs.iter().map(|l| l.status).collect::<Vec<_>>(), c.leg_statuses, "{}: legs", c.name);
        assert_eq!(commands, c.commands, "{}: commands", c.name);
        if after.status == SearchStatus::Over {
            assert!(after.over_at.is_some(), "{}: an ended search knows when", c.name);
        }
    }
}

const HOLDING: Caller = Caller::Holding { matched: false };
const JOINED: Caller = Caller::Holding { matched: true };

fn cancel(attempt: u32, answered: bool) -> Command {
    Command::Cancel { attempt, leg_sid: Some(format!("CAleg{attempt}")), answered }
}

/// Leg 2's 1, after leg 1's yes: someone has been found already.
fn second_yes_already_found() -> Command {
    let key = Some("1".into());
    tell(Tell::Key { attempt: 2, helper_id: 101, key, verdict: Some(Yes::AlreadyFound) }, Hearer::Reporter)
}

fn thank(attempt: u32) -> Command {
    Command::Thank { attempt, leg_sid: Some(format!("CAleg{attempt}")) }
}

fn tell(tell: Tell, hearer: Hearer) -> Command {
    Command::Tell { tell, hearer }
}

fn callback(status: RequestStatus) -> Option<Callback> {
    Some(Callback { status, resident_leg: Some("CAresident".into()), spacing_minutes: 30 })
}

#[test]
fn step_rings_waves_and_gives_up_at_the_limits() {
    use LegStatus::*;
    use SearchStatus::*;
    let base = |name, search: Search, event, now, helpers| Case {
        name,
        search,
        event,
        caller: HOLDING,
        callback: None,
        now,
        helpers,
        status: Searching,
        leg_statuses: vec![],
        commands: vec![],
    };
    run_cases(vec![
        Case {
            leg_statuses: vec![Ringing, Ringing],
            commands: vec![Command::Ring { attempt: 1, helper_id: 200 }, Command::Ring { attempt: 2, helper_id: 201 }],
            ..base("the first wave rings two", search(Searching, &[]), SearchEvent::Start, 0, 5)
        },
        Case {
            status: Over,
            commands: vec![Command::MoveCallerOn],
            ..base("nobody to ring: the caller is moved on", search(Searching, &[]), SearchEvent::Start, 0, 0)
        },
        Case {
            status: Over,
            commands: vec![Command::RetryRequestAt(at(30 * 60))],
            callback: callback(RequestStatus::Searching),
            ..base(
                "call back later, nobody to ring: tried again later",
                search(Searching, &[]),
                SearchEvent::Start,
                0,
                0,
            )
        },
        Case {
            leg_statuses: vec![Ringing, Answered],
            ..base("a tick while both ring: wait", search(Searching, &[Ringing, Answered]), SearchEvent::Tick, 30, 5)
        },
        Case {
            status: Over,
            leg_statuses: vec![Declined, NoAnswer],
            commands: vec![Command::MoveCallerOn],
            ..base("waited too long", search(Searching, &[Declined, NoAnswer]), SearchEvent::Tick, 300, 5)
        },
        Case {
            status: Over,
            commands: vec![],
            ..base("over a moment ago: the move is under way", search(Over, &[]), SearchEvent::Tick, 5, 5)
        },
        Case {
            status: Over,
            commands: vec![Command::MoveCallerOn],
            ..base("over, still on hold 10 s later: moved on again", search(Over, &[]), SearchEvent::Tick, 10, 5)
        },
        Case {
            status: Over,
            caller: Caller::Elsewhere,
            ..base("over, caller at the desk: nothing", search(Over, &[]), SearchEvent::Tick, 60, 5)
        },
        Case {
            leg_statuses: vec![NoAnswer, Ringing, Ringing],
            commands: vec![Command::Ring { attempt: 3, helper_id: 200 }],
            ..base(
                "a leg not answered: the next rings at once",
                search(Searching, &[Ringing, Ringing]),
                SearchEvent::LegEnded { attempt: 1, end: LegEnd::NoAnswer },
                20,
                5,
            )
        },
        Case {
            leg_statuses: vec![Failed, Ringing, Ringing],
            commands: vec![Command::Ring { attempt: 3, helper_id: 200 }],
            ..base(
                "a leg not placed: its place goes to the next",
                search(Searching, &[Ringing, Ringing]),
                SearchEvent::LegNotPlaced { attempt: 1 },
                1,
                5,
            )
        },
        Case {
            leg_statuses: vec![Declined, Ringing],
            ..base(
                "hung up while hearing the request, no key: a no",
                search(Searching, &[Answered, Ringing]),
                SearchEvent::LegEnded { attempt: 1, end: LegEnd::Completed },
                20,
                0,
            )
        },
    ]);
}

#[test]
fn step_decides_keys_first_yes_wins() {
    use LegStatus::*;
    use SearchStatus::*;
    let key = |attempt: u32, k: &str| SearchEvent::Key { attempt, key: Some(k.to_string()) };
    let base = |name, search: Search, event| Case {
        name,
        search,
        event,
        caller: HOLDING,
        callback: None,
        now: 20,
        helpers: 5,
        status: Searching,
        leg_statuses: vec![],
        commands: vec![],
    };
    run_cases(vec![
        Case {
            status: Matched,
            leg_statuses: vec![Accepted, Canceled, Canceled],
            commands: vec![
                cancel(2, false),
                thank(3),
                tell(
                    Tell::Key {
                        attempt: 1,
                        helper_id: 100,
                        key: Some("1".into()),
                        verdict: Some(Yes::Wins { cancel: vec![2], thank: vec![3] }),
                    },
                    Hearer::Reporter,
                ),
            ],
            ..base(
                "a yes wins; ringing legs stop, one hearing the request is thanked at once",
                search(Searching, &[Answered, Ringing, Answered]),
                key(1, "1"),
            )
        },
        Case {
            status: Matched,
            leg_statuses: vec![Accepted, Late],
            commands: vec![second_yes_already_found()],
            ..base(
                "a yes that raced the thank-you is late: not needed, and thanked",
                search(Matched, &[Accepted, Canceled]),
                key(2, "1"),
            )
        },
        Case {
            status: Matched,
            leg_statuses: vec![Accepted, Canceled],
            commands: vec![tell(Tell::Key { attempt: 2, helper_id: 101, key: None, verdict: None }, Hearer::Reporter)],
            ..base(
                "a thanked helper's gather ending without a key stays cancelled, not a no",
                search(Matched, &[Accepted, Canceled]),
                SearchEvent::Key { attempt: 2, key: None },
            )
        },
        Case {
            leg_statuses: vec![Declined, Ringing, Ringing],
            commands: vec![
                tell(Tell::Key { attempt: 1, helper_id: 100, key: Some("2".into()), verdict: None }, Hearer::Reporter),
                Command::Ring { attempt: 3, helper_id: 200 },
            ],
            ..base("a no is thanked and the next one rings", search(Searching, &[Answered, Ringing]), key(1, "2"))
        },
        Case {
            status: Matched,
            leg_statuses: vec![Accepted, Late],
            commands: vec![second_yes_already_found()],
            ..base("a second yes is late", search(Matched, &[Accepted, Answered]), key(2, "1"))
        },
        Case {
            status: Over,
            leg_statuses: vec![Late],
            caller: Caller::Gone { matched: false },
            commands: vec![tell(
                Tell::Key { attempt: 1, helper_id: 100, key: Some("1".into()), verdict: Some(Yes::CallerGone) },
                Hearer::Reporter,
            )],
            ..base("the caller has gone", search(Over, &[Answered]), key(1, "1"))
        },
        Case {
            status: Matched,
            leg_statuses: vec![Accepted],
            callback: callback(RequestStatus::Searching),
            commands: vec![
                tell(
                    Tell::Key {
                        attempt: 1,
                        helper_id: 100,
                        key: Some("1".into()),
                        verdict: Some(Yes::Wins { cancel: vec![], thank: vec![] }),
                    },
                    Hearer::Reporter,
                ),
                Command::CallResident { helper_id: 100 },
            ]
            .into_iter()
            .rev()
            .collect(),
            ..base("call back later: a yes rings the resident", search(Searching, &[Answered]), key(1, "1"))
        },
    ]);
}

#[test]
fn step_handles_a_winner_who_is_alone_or_drops() {
    use LegStatus::*;
    use SearchStatus::*;
    let mut entered_other = search(Matched, &[Accepted]);
    entered_other.conference = Some("CF1".into());
    let mut gone_without_entering = search(Matched, &[Accepted]);
    gone_without_entering.legs[0].ended = true;
    let mut entered_then_caller_left = search(Matched, &[Accepted]);
    entered_then_caller_left.conference = Some("CF1".into());
    entered_then_caller_left.legs[0].conference = Some("CF2".into());
    let mut entered = search(Matched, &[Accepted]);
    entered.legs[0].conference = Some("CF1".into());
    let base = |name, search: Search, event, caller| Case {
        name,
        search,
        event,
        caller,
        callback: None,
        now: 20,
        helpers: 5,
        status: Matched,
        leg_statuses: vec![Accepted],
        commands: vec![],
    };
    run_cases(vec![
        Case {
            commands: vec![tell(Tell::WinnerAlone { attempt: 1 }, Hearer::Leg("CAleg1".into()))],
            ..base(
                "the winner enters a conference the caller is not in",
                entered_other.clone(),
                SearchEvent::Entered { participant: "CAleg1".into(), conference: "CF2".into() },
                JOINED,
            )
        },
        base(
            "the winner enters the caller's conference",
            entered_other,
            SearchEvent::Entered { participant: "CAleg1".into(), conference: "CF1".into() },
            JOINED,
        ),
        Case {
            status: Searching,
            leg_statuses: vec![Canceled, Ringing, Ringing],
            commands: vec![
                tell(Tell::WinnerDropped { attempt: 1 }, Hearer::Nobody),
                Command::Ring { attempt: 2, helper_id: 200 },
                Command::Ring { attempt: 3, helper_id: 201 },
            ],
            ..base(
                "the winner's line drops before the join: the search goes on",
                search(Matched, &[Accepted]),
                SearchEvent::LegEnded { attempt: 1, end: LegEnd::Completed },
                JOINED,
            )
        },
        Case {
            now: 10 + JOIN_WITHIN_SECONDS + 1,
            ..base(
                "the winner's line drops long after: the end of a conversation",
                search(Matched, &[Accepted]),
                SearchEvent::LegEnded { attempt: 1, end: LegEnd::Completed },
                JOINED,
            )
        },
        Case {
            commands: vec![tell(Tell::WinnerDropped { attempt: 1 }, Hearer::Nobody)],
            ..base(
                "the caller leaves after the winner left without entering",
                gone_without_entering,
                SearchEvent::CallerLeft { conference_took_place: false },
                Caller::Gone { matched: true },
            )
        },
        Case {
            commands: vec![tell(Tell::WinnerAlone { attempt: 1 }, Hearer::Leg("CAleg1".into()))],
            ..base(
                "the caller leaves; the winner had entered a conference of their own",
                entered_then_caller_left,
                SearchEvent::CallerLeft { conference_took_place: false },
                Caller::Gone { matched: true },
            )
        },
        Case {
            now: 10 + WINNER_ENTERS_WITHIN_SECONDS,
            ..base(
                "the caller still on hold just after a yes: the winner is on the way",
                search(Matched, &[Accepted]),
                SearchEvent::Tick,
                JOINED,
            )
        },
        Case {
            now: 10 + WINNER_ENTERS_WITHIN_SECONDS + 1,
            status: Searching,
            leg_statuses: vec![Canceled, Ringing, Ringing],
            commands: vec![
                cancel(1, true),
                tell(Tell::WinnerDropped { attempt: 1 }, Hearer::Nobody),
                Command::Ring { attempt: 2, helper_id: 200 },
                Command::Ring { attempt: 3, helper_id: 201 },
            ],
            ..base(
                "the caller still on hold well after a yes: its answer was lost, the search goes on",
                search(Matched, &[Accepted]),
                SearchEvent::Tick,
                JOINED,
            )
        },
        Case {
            now: 10 + WINNER_ENTERS_WITHIN_SECONDS + 1,
            ..base(
                "the winner's entry was reported: a tick changes nothing",
                entered.clone(),
                SearchEvent::Tick,
                JOINED,
            )
        },
        Case {
            now: 10 + WINNER_ENTERS_WITHIN_SECONDS + 1,
            callback: callback(RequestStatus::Calling),
            ..base(
                "call back later: the helper waits for the resident, not the other way round",
                search(Matched, &[Accepted]),
                SearchEvent::Tick,
                JOINED,
            )
        },
        Case {
            status: Over,
            leg_statuses: vec![Declined, Canceled, Answered],
            commands: vec![cancel(2, false)],
            ..base(
                "the caller hangs up while searching: ringing phones stop",
                search(Searching, &[Declined, Ringing, Answered]),
                SearchEvent::CallerLeft { conference_took_place: false },
                Caller::Gone { matched: false },
            )
        },
    ]);
}

#[test]
fn step_handles_call_back_later() {
    use LegStatus::*;
    use SearchStatus::*;
    let mut resident_alone = search(Matched, &[Accepted]);
    resident_alone.legs[0].conference = Some("CF1".into());
    resident_alone.legs[0].ended = true;
    let base = |name, search: Search, event, callback| Case {
        name,
        search,
        event,
        caller: JOINED,
        callback,
        now: 20,
        helpers: 5,
        status: Over,
        leg_statuses: vec![Canceled],
        commands: vec![],
    };
    run_cases(vec![
        Case {
            commands: vec![
                Command::RetryRequestAt(at(20 + 30 * 60)),
                Command::StopResident { leg_sid: "CAresident".into() },
                tell(Tell::WinnerDropped { attempt: 1 }, Hearer::Nobody),
            ],
            ..base(
                "the helper leaves while the resident's phone rings",
                search(Matched, &[Accepted]),
                SearchEvent::LegEnded { attempt: 1, end: LegEnd::Completed },
                callback(RequestStatus::Calling),
            )
        },
        Case {
            commands: vec![
                Command::RetryRequestAt(at(20 + 30 * 60)),
                tell(
                    Tell::ResidentAlone { attempt: 1, helper_first_name: "Anja".into() },
                    Hearer::Leg("CAresident".into()),
                ),
            ],
            ..base(
                "the resident enters after the helper's line dropped",
                resident_alone,
                SearchEvent::Entered { participant: "CAresident".into(), conference: "CF2".into() },
                callback(RequestStatus::Connected),
            )
        },
        Case {
            leg_statuses: vec![Canceled, Declined],
            caller: HOLDING,
            commands: vec![cancel(1, false)],
            ..base(
                "the desk stops the request",
                search(Searching, &[Ringing, Declined]),
                SearchEvent::DeskStopped,
                callback(RequestStatus::Closed),
            )
        },
        Case {
            leg_statuses: vec![Ringing],
            caller: HOLDING,
            commands: vec![Command::RetryRequestAt(at(20 + 30 * 60))],
            ..base(
                "a lost search: the request is tried again",
                search(Searching, &[Ringing]),
                SearchEvent::Lost,
                callback(RequestStatus::Searching),
            )
        },
    ]);
}

#[test]
fn a_yes_after_its_line_ended_never_reached_the_caller() {
    let mut s = search(SearchStatus::Searching, &[LegStatus::Declined, LegStatus::Ringing]);
    s.legs[0].ended = true;
    let candidates = helpers(0);
    let ctx = Context {
        now: at(20),
        limits: LIMITS,
        caller: HOLDING,
        callback: None,
        helpers: &candidates,
        chances: &Chances::default(),
        attempts: 2,
        records_tell: true,
    };
    let (after, commands) = step(s, SearchEvent::Key { attempt: 1, key: Some("1".into()) }, &ctx);
    assert_eq!(after.legs[0].status, LegStatus::Canceled, "counted as a yes that never reached the caller");
    assert_eq!(after.legs[0].key.as_deref(), Some("1"));
    assert_eq!(after.status, SearchStatus::Searching, "an ended leg cannot win");
    assert!(matches!(&commands[0], Command::Tell { tell: Tell::Key { verdict: Some(Yes::SearchOver), .. }, .. }));
}

#[test]
fn hold_goes_on_while_searching_or_the_winner_is_on_the_way() {
    let mut s = search(SearchStatus::Searching, &[LegStatus::Ringing]);
    assert!(s.hold_goes_on(false));
    s = search(SearchStatus::Matched, &[LegStatus::Accepted]);
    assert!(s.hold_goes_on(false), "the winner has not entered yet");
    assert!(!s.hold_goes_on(true), "the Dial action says a conference took place: the entry's report was lost");
    s.legs[0].conference = Some("CF1".into());
    assert!(!s.hold_goes_on(false), "they talked");
    s = search(SearchStatus::Over, &[]);
    assert!(!s.hold_goes_on(false));
}

#[test]
fn the_provider_s_records_tell_a_winner_who_entered_alone() {
    let ended =
        |sid: &str, by: &str| ConferenceFacts { sid: sid.into(), ended_by: Some(by.into()), participants: vec![] };
    let going = |sid: &str, who: &[&str]| ConferenceFacts {
        sid: sid.into(),
        ended_by: None,
        participants: who.iter().map(|w| w.to_string()).collect(),
    };
    use JoinRecords::{Alone, CannotTell, Together};
    let alone = |sid: &str| Alone(sid.into());
    type Case = (&'static str, Option<&'static str>, Vec<ConferenceFacts>, JoinRecords);
    let cases: Vec<Case> = vec![
        (
            "the caller's conference only: together, or never entered",
            Some("CF1"),
            vec![ended("CF1", "CAcaller")],
            CannotTell,
        ),
        ("none listed", None, vec![], CannotTell),
        (
            "the winner alone in one in progress",
            Some("CF1"),
            vec![ended("CF1", "CAcaller"), going("CF2", &["CAwinner"])],
            alone("CF2"),
        ),
        ("alone in progress, the caller's never reported", None, vec![going("CF2", &["CAwinner"])], alone("CF2")),
        ("the two together, in progress", None, vec![going("CF1", &["CAcaller", "CAwinner"])], Together("CF1".into())),
        (
            "the winner's exit ended another",
            Some("CF1"),
            vec![ended("CF1", "CAcaller"), ended("CF2", "CAwinner")],
            alone("CF2"),
        ),
        (
            "the winner's exit ended the caller's own",
            Some("CF1"),
            vec![ended("CF1", "CAwinner")],
            Together("CF1".into()),
        ),
        (
            "ended by the winner, the caller's unknown: cannot tell",
            None,
            vec![ended("CF1", "CAcaller"), ended("CF2", "CAwinner")],
            CannotTell,
        ),
        (
            "the caller's new hold, in progress",
            None,
            vec![ended("CF1", "CAcaller"), going("CF2", &["CAcaller"])],
            CannotTell,
        ),
    ];
    for (name, caller, records, expected) in cases {
        let got = join_from_records(caller, "CAcaller", "CAwinner", &records);
        assert_eq!(got, expected, "{name}");
    }
}

/// Sized waves (issue 31), through `step` as the switchboard runs it.
fn sized(cap: u32) -> Limits {
    Limits { wave_size: WaveSize::Learned { cap }, ..LIMITS }
}

fn sized_step(search: Search, event: SearchEvent, candidates: &[Candidate], chances: &Chances, now: i64) -> Search {
    let ctx = Context {
        now: at(now),
        limits: Limits { max_helpers: 12, ..sized(4) },
        caller: HOLDING,
        callback: None,
        helpers: candidates,
        chances,
        attempts: search.legs.len() as u32,
        records_tell: true,
    };
    step(search, event, &ctx).0
}

#[test]
fn sized_waves_ring_as_many_as_make_a_yes_likely() {
    // (chances of the ranking's helpers best first, phones in the first wave)
    let cases: [(&[f64], usize); 4] = [(&[0.9, 0.9, 0.9], 1), (&[0.6, 0.6, 0.6], 2), (&[0.5; 6], 3), (&[0.2; 6], 4)];
    for (odds, expected) in cases {
        let candidates = helpers(odds.len() as i64);
        let chances: Chances = candidates.iter().zip(odds).map(|(c, p)| (c.id, *p)).collect();
        let after = sized_step(Search::new(at(0)), SearchEvent::Start, &candidates, &chances, 0);
        assert_eq!(after.legs.len(), expected, "{odds:?}");
        assert!(after.legs.iter().zip(&candidates).all(|(l, c)| l.helper_id == c.id), "best first");
    }
}

#[test]
fn a_sized_wave_that_brings_nothing_is_followed_by_a_bigger_one() {
    let candidates = helpers(10);
    let chances: Chances = candidates.iter().map(|c| (c.id, 0.5)).collect();
    let s = sized_step(Search::new(at(0)), SearchEvent::Start, &candidates, &chances, 0);
    assert_eq!(s.legs.len(), 3, "first wave: 87.5 % for an aim of 80 %");
    // All three say no, one after another; the ranking offers the rest.
    let mut s = s;
    for attempt in 1..=3 {
        s.legs.iter_mut().find(|l| l.attempt == attempt).unwrap().status = LegStatus::Answered;
        let left: Vec<Candidate> =
            candidates.iter().filter(|c| !s.legs.iter().any(|l| l.helper_id == c.id)).cloned().collect();
        s = sized_step(
            s,
            SearchEvent::Key { attempt, key: Some("2".into()) },
            &left,
            &chances,
            20 + i64::from(attempt),
        );
    }
    let in_flight = s.legs.iter().filter(|l| l.status.in_flight()).count();
    assert_eq!(in_flight, 4, "after three noes, four ring: {:?}", s.legs);
    // Never past the cap, however unlikely the helpers.
    let unlikely: Chances = candidates.iter().map(|c| (c.id, 0.05)).collect();
    let s = sized_step(Search::new(at(0)), SearchEvent::Start, &candidates, &unlikely, 0);
    assert_eq!(s.legs.len(), 4);
}

#[test]
fn a_recent_no_makes_the_first_wave_bigger() {
    use crate::domain::learning::{Asked, Likelihoods};
    use jiff::civil::date;
    let candidates = helpers(6);
    let morning = date(2026, 11, 24).at(10, 0, 0, 0);
    let history: Vec<Asked> = (0..20)
        .flat_map(|d| candidates.iter().map(move |c| (c.id, d)))
        .map(|(helper_id, d)| Asked { helper_id, at: date(2026, 10, 1 + d).at(10, 0, 0, 0), accepted: d % 3 != 0 })
        .collect();
    let chances_at = |history: &[Asked]| -> Chances {
        let learned = Likelihoods::estimate(history);
        candidates.iter().map(|c| (c.id, learned.chance(c.id, morning))).collect()
    };
    let before = sized_step(Search::new(at(0)), SearchEvent::Start, &candidates, &chances_at(&history), 0);
    let mut with_noes = history.clone();
    for c in &candidates[..2] {
        with_noes.push(Asked { helper_id: c.id, at: date(2026, 11, 24).at(8, 30, 0, 0), accepted: false });
    }
    let after = sized_step(Search::new(at(0)), SearchEvent::Start, &candidates, &chances_at(&with_noes), 0);
    assert!(after.legs.len() > before.legs.len(), "{} then {}", before.legs.len(), after.legs.len());
}

#[test]
fn a_winner_entering_while_the_caller_s_entry_is_unknown_is_left_for_the_records() {
    let entered = SearchEvent::Entered { participant: "CAleg1".into(), conference: "CF2".into() };
    let chances = Chances::default();
    let ctx = |caller| Context {
        now: at(30),
        limits: LIMITS,
        caller,
        callback: None,
        helpers: &[],
        chances: &chances,
        attempts: 1,
        records_tell: true,
    };
    // The caller's own entry was never reported (lost while the service was down), and the
    // caller is not known to have gone: the fallback may have taken them. Not confirmed.
    let won = search(SearchStatus::Matched, &[LegStatus::Accepted]);
    let (after, commands) = step(won.clone(), entered.clone(), &ctx(JOINED));
    assert_eq!(after.legs[0].conference, None, "unconfirmed: the sweep asks the provider's records");
    assert!(commands.is_empty(), "{commands:?}");
    // With the caller's entry known, the same entry is the join.
    let mut known = won.clone();
    known.conference = Some("CF2".into());
    let (after, commands) = step(known, entered.clone(), &ctx(JOINED));
    assert_eq!(after.legs[0].conference.as_deref(), Some("CF2"));
    assert!(commands.is_empty(), "{commands:?}");
    // The caller known gone: the winner is alone, and told.
    let (after, commands) = step(won, entered.clone(), &ctx(Caller::Gone { matched: true }));
    assert_eq!(after.legs[0].conference.as_deref(), Some("CF2"));
    assert_eq!(commands, vec![tell(Tell::WinnerAlone { attempt: 1 }, Hearer::Leg("CAleg1".into()))]);
    // A provider without such records: nothing could tell later, so the entry is the join.
    let blind = Context { records_tell: false, ..ctx(JOINED) };
    let (after, _) = step(search(SearchStatus::Matched, &[LegStatus::Accepted]), entered, &blind);
    assert_eq!(after.legs[0].conference.as_deref(), Some("CF2"));
}
