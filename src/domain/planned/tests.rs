use std::sync::Arc;

use jiff::civil::date;
use jiff::tz::TimeZone;

use super::*;
use crate::domain::participant::{Distance, Participant, ParticipantDetails, ParticipantInput};

fn amsterdam() -> TimeZone {
    TimeZone::get("Europe/Amsterdam").unwrap()
}

/// Monday 7 December 2026, 10:00 in Amsterdam.
fn monday_ten() -> Timestamp {
    "2026-12-07T10:00:00+01:00".parse().unwrap()
}

const DAY: Lead = Lead { min_hours: 24 };

#[test]
fn every_word_is_read_back_as_itself_and_no_other() {
    for s in Status::ALL {
        assert_eq!(Status::parse(s.as_str()), Some(s));
    }
    for p in Purpose::ALL {
        assert_eq!(Purpose::parse(p.as_str()), Some(p));
    }
    for r in CallResult::ALL {
        assert_eq!(CallResult::parse(r.as_str()), Some(r));
    }
    assert_eq!(Status::parse("cancelled"), None, "cancelled always says by whom");
    assert_eq!(Status::parse("open"), None);
    assert_eq!(CallResult::parse(""), None);
}

#[test]
fn tuesday_ten_asked_on_monday_at_ten_is_possible_and_its_instant_is_in_the_zone() {
    let at = date(2026, 12, 8).at(10, 0, 0, 0);
    let when = check_when(&amsterdam(), monday_ten(), at, DAY).unwrap();
    assert_eq!(when, "2026-12-08T09:00:00Z".parse::<Timestamp>().unwrap());
}

#[test]
fn inside_the_lead_time_is_refused_naming_the_earliest_possible_moment() {
    let at = date(2026, 12, 8).at(9, 0, 0, 0);
    let refused = check_when(&amsterdam(), monday_ten(), at, DAY).unwrap_err();
    assert_eq!(refused, Refused::TooSoon { at, min_hours: 24, earliest: date(2026, 12, 8).at(10, 0, 0, 0) });
    assert_eq!(
        refused.to_string(),
        "2026-12-08T09:00:00 is sooner than the 24 hours this kind of help needs ahead; the earliest possible is 2026-12-08T10:00:00"
    );
    // Asked at 10:10, the earliest is rounded up to the next half hour.
    let later = monday_ten() + SignedDuration::from_mins(10);
    let Err(Refused::TooSoon { earliest, .. }) = check_when(&amsterdam(), later, at, DAY) else { panic!() };
    assert_eq!(earliest, date(2026, 12, 8).at(10, 30, 0, 0));
}

#[test]
fn the_past_and_more_than_fourteen_days_ahead_are_refused() {
    let past = date(2026, 12, 7).at(9, 0, 0, 0);
    assert!(matches!(check_when(&amsterdam(), monday_ten(), past, DAY), Err(Refused::Past { .. })));
    let far = date(2026, 12, 21).at(10, 30, 0, 0);
    let refused = check_when(&amsterdam(), monday_ten(), far, DAY).unwrap_err();
    assert_eq!(refused, Refused::TooFar { at: far, latest: date(2026, 12, 21).at(10, 0, 0, 0) });
    assert!(check_when(&amsterdam(), monday_ten(), date(2026, 12, 21).at(10, 0, 0, 0), DAY).is_ok());
}

#[test]
fn the_cut_off_is_hours_before_the_help() {
    let at: Timestamp = "2026-12-08T09:00:00Z".parse().unwrap();
    assert_eq!(cutoff(at, 18), "2026-12-07T15:00:00Z".parse::<Timestamp>().unwrap());
}

#[test]
fn planned_calls_wait_for_the_ringing_hours_never_at_night() {
    let ringing = WeeklyHours::parse("08:00-21:00").unwrap();
    let night = date(2026, 12, 7).at(23, 30, 0, 0);
    assert_eq!(next_call_moment(&ringing, night), Some(date(2026, 12, 8).at(8, 0, 0, 0)));
    let day = date(2026, 12, 7).at(14, 0, 0, 0);
    assert_eq!(next_call_moment(&ringing, day), Some(day));
}

fn helper(id: i64, available: &str, paused_until: Option<jiff::civil::Date>) -> Candidate {
    let cats = vec!["transport".to_string()];
    let details = ParticipantDetails::parse(
        &ParticipantInput {
            name: &format!("Helper{id} X"),
            phone: &format!("+316{:08}", 20_000_000 + id),
            offers: "transport",
            available,
            street: "Dorpsweg",
            postcode: "4321 XY",
            distance: "any",
            language: "",
        },
        &cats,
    )
    .unwrap();
    Candidate {
        participant: Arc::new(Participant {
            id,
            details,
            paused: paused_until.is_some(),
            paused_until,
            neighbourhoods: Vec::new(),
        }),
        // Ringing for another call right now says nothing about Tuesday.
        busy: id == 3,
        asked_this_call: false,
        helped_caller_before: false,
        last_asked: None,
        likelihood: None,
    }
}

fn wanted(at: DateTime) -> Wanted<'static> {
    Wanted {
        category: "transport",
        requester_phone: None,
        requester_at: None,
        requester_wish: Distance::Any,
        experienced_only: false,
        at,
        now: monday_ten(),
    }
}

#[test]
fn the_ranking_looks_at_the_day_and_hour_of_the_help_not_now() {
    let tuesday_ten = date(2026, 12, 8).at(10, 0, 0, 0);
    let candidates = vec![
        // Only on Mondays: can be rung now, cannot help on Tuesday.
        helper(1, "mon 09:00-17:00", None),
        // Only on Tuesday mornings: not now, but then.
        helper(2, "tue 09:00-12:00", None),
        // Busy now: not then.
        helper(3, "", None),
        // Paused until Wednesday (back on 9 December): not then.
        helper(4, "", Some(date(2026, 12, 9))),
    ];
    let ids: Vec<i64> = rank(&candidates, &wanted(tuesday_ten)).iter().map(|c| c.participant.id).collect();
    assert_eq!(ids, vec![2, 3]);
    // Help at 07:00, before the ringing hours: the help's hour is not a ringing hour.
    let early: Vec<i64> =
        rank(&candidates, &wanted(date(2026, 12, 8).at(7, 0, 0, 0))).iter().map(|c| c.participant.id).collect();
    assert_eq!(early, vec![3]);
}

#[test]
fn each_helper_is_asked_at_most_once_per_request() {
    let tuesday_ten = date(2026, 12, 8).at(10, 0, 0, 0);
    let mut candidates = vec![helper(2, "", None), helper(5, "", None)];
    candidates[0].asked_this_call = true;
    let ids: Vec<i64> = rank(&candidates, &wanted(tuesday_ten)).iter().map(|c| c.participant.id).collect();
    assert_eq!(ids, vec![5]);
}

#[test]
fn the_search_asks_one_at_a_time_inside_the_hours_and_gives_up_at_the_cut_off() {
    let now = monday_ten();
    let search = Search { status: Status::Asking, asking_now: false, cutoff: now + SignedDuration::from_hours(5) };
    assert_eq!(next(search, now, true, Some(7)), Next::Ask(7));
    assert_eq!(next(search, now, false, Some(7)), Next::Wait, "outside the ringing hours");
    assert_eq!(next(Search { asking_now: true, ..search }, now, true, Some(7)), Next::Wait, "one at a time");
    assert_eq!(next(search, now, true, None), Next::Wait, "nobody left: wait for the cut-off");
    let at_cutoff = search.cutoff;
    assert_eq!(next(search, at_cutoff, true, Some(7)), Next::Unfilled);
    assert_eq!(next(search, at_cutoff, false, None), Next::Unfilled);
    assert_eq!(next(Search { status: Status::Matched, ..search }, at_cutoff, true, None), Next::Wait);
}

#[test]
fn a_one_helps_only_while_asking_and_a_two_is_a_no() {
    assert_eq!(answer(Status::Asking, Some("1")), Answer::Yes);
    assert_eq!(answer(Status::Matched, Some("1")), Answer::TooLate);
    assert_eq!(answer(Status::Cancelled(By::Requester), Some("1")), Answer::TooLate);
    assert_eq!(answer(Status::Asking, Some("2")), Answer::No);
    assert_eq!(answer(Status::Asking, Some("5")), Answer::Again);
    assert_eq!(answer(Status::Asking, Some("9")), Answer::Repeat);
    assert_eq!(answer(Status::Asking, None), Answer::Silent, "silence through every asking is not asked again");
}

#[test]
fn open_means_still_to_come() {
    let open: Vec<Status> = Status::ALL.into_iter().filter(|s| s.is_open()).collect();
    assert_eq!(open, vec![Status::Asking, Status::Matched, Status::Confirmed]);
}

#[test]
fn the_reminder_is_the_day_before_from_ten_twice_an_hour_apart_then_the_desk() {
    let at = date(2026, 12, 10).at(10, 0, 0, 0);
    let monday = date(2026, 12, 7).at(11, 0, 0, 0);
    let wednesday = |h: i8, m: i8| date(2026, 12, 9).at(h, m, 0, 0);
    assert_eq!(reminder(at, monday, date(2026, 12, 8).at(12, 0, 0, 0), true, &[]), Reminder::Wait, "two days before");
    assert_eq!(reminder(at, monday, wednesday(9, 59), true, &[]), Reminder::Wait, "not before ten");
    assert_eq!(reminder(at, monday, wednesday(10, 0), false, &[]), Reminder::Wait, "outside the ringing hours");
    assert_eq!(reminder(at, monday, wednesday(10, 0), true, &[]), Reminder::Call(1));
    let first = (wednesday(10, 0), false, false);
    assert_eq!(reminder(at, monday, wednesday(10, 30), true, &[first]), Reminder::Wait, "the first still rings");
    let unanswered = (wednesday(10, 0), false, true);
    assert_eq!(reminder(at, monday, wednesday(10, 59), true, &[unanswered]), Reminder::Wait, "an hour apart");
    assert_eq!(reminder(at, monday, wednesday(11, 0), true, &[unanswered]), Reminder::Call(2));
    let second = (wednesday(11, 0), false, true);
    assert_eq!(reminder(at, monday, wednesday(12, 0), true, &[unanswered, second]), Reminder::ToDesk);
    let reached = (wednesday(10, 0), true, true);
    assert_eq!(reminder(at, monday, wednesday(12, 0), true, &[reached]), Reminder::Wait, "reached: done");
    // Matched on the day before: the yes is fresh, no reminder.
    assert_eq!(reminder(at, wednesday(9, 0), wednesday(12, 0), true, &[]), Reminder::Wait);
    assert_eq!(reminder(at, monday, date(2026, 12, 10).at(8, 0, 0, 0), true, &[]), Reminder::Wait, "the day itself");
}

#[test]
fn on_the_reminder_one_confirms_two_withdraws_and_a_cancelled_request_thanks() {
    assert_eq!(remind_answer(Status::Matched, Some("1")), RemindAnswer::Confirm);
    assert_eq!(remind_answer(Status::Matched, Some("2")), RemindAnswer::Withdraw);
    assert_eq!(remind_answer(Status::Cancelled(By::Requester), Some("1")), RemindAnswer::TooLate);
    assert_eq!(remind_answer(Status::Matched, Some("7")), RemindAnswer::Again);
    assert_eq!(remind_answer(Status::Matched, None), RemindAnswer::Silent);
}

#[test]
fn the_call_afterwards_is_the_next_morning_once_and_a_two_did_not_happen() {
    let at = date(2026, 12, 10).at(10, 0, 0, 0);
    let friday = |h: i8| date(2026, 12, 11).at(h, 0, 0, 0);
    assert!(afterwards_due(at, friday(10), true, false));
    assert!(!afterwards_due(at, friday(9), true, false), "not before ten");
    assert!(!afterwards_due(at, friday(10), false, false), "inside the ringing hours only");
    assert!(!afterwards_due(at, friday(10), true, true), "once");
    assert!(!afterwards_due(at, date(2026, 12, 10).at(15, 0, 0, 0), true, false), "not the same day");
    assert!(!afterwards_due(at, date(2026, 12, 12).at(10, 0, 0, 0), true, false), "only the next morning");
    assert_eq!(afterwards_answer(Status::Confirmed, Some("1")), AfterwardsAnswer::Happened);
    assert_eq!(afterwards_answer(Status::Matched, Some("2")), AfterwardsAnswer::NotHappened);
    assert_eq!(afterwards_answer(Status::Cancelled(By::Desk), Some("2")), AfterwardsAnswer::TooLate);
    assert_eq!(afterwards_answer(Status::Confirmed, None), AfterwardsAnswer::Silent);
}

#[test]
fn where_to_is_kept_only_while_the_request_is_to_come_and_until_a_few_hours_after_it() {
    let at = monday_ten();
    let hours = |h: i64| at + SignedDuration::from_hours(h);
    for open in [Status::Asking, Status::Matched, Status::Confirmed] {
        assert!(where_to_kept(open, at, hours(-48)), "{open:?} days before");
        assert!(where_to_kept(open, at, hours(WHERE_TO_KEPT_HOURS) - SignedDuration::from_secs(1)), "{open:?}");
        assert!(!where_to_kept(open, at, hours(WHERE_TO_KEPT_HOURS)), "{open:?}: its time has passed");
    }
    for over in Status::ALL.into_iter().filter(|s| !s.is_open()) {
        assert!(!where_to_kept(over, at, hours(-48)), "{over:?} is over: the recording goes");
    }
}

#[test]
fn the_neighbour_asked_or_reminded_hears_the_request_then_where_to_in_the_requesters_own_words() {
    use super::super::action::Action;
    use super::super::prompts::{Prompts, Speech};
    let p = Prompts::parse(include_str!("../../../prompts/nl.toml"), &[]).unwrap();
    let requester = say::Requester { first_name: "Jan", street: Some("Kerkstraat") };
    let when = "dinsdag 8 december om 10 uur";
    let to = |where_to| say::Helper { hour: 10, first_name: "Bert", requester, when, call: 7, where_to };
    let said = |actions: Vec<Action>| match actions.into_iter().next() {
        Some(Action::Gather { say, .. }) => say,
        other => panic!("{other:?}"),
    };
    let text = |s: &Speech| match s {
        Speech::Text { text, .. } => text.clone(),
        Speech::Audio(path) => format!("[{path}]"),
        Speech::Pause(n) => format!("<{n}>"),
    };
    for (actions, first) in [
        (say::ask(&p, &to(Some("where/abc")), "vervoer"), "Jan uit de Kerkstraat vraagt om hulp op"),
        (say::ask_repeat(&p, &to(Some("where/abc")), "vervoer"), "Jan uit de Kerkstraat vraagt om hulp op"),
        (say::remind(&p, &to(Some("where/abc"))), "Morgen, dinsdag 8 december om 10 uur, helpt u Jan"),
    ] {
        let heard: Vec<String> = said(actions).iter().map(text).collect();
        let request = heard.iter().position(|t| t.starts_with(first)).unwrap_or_else(|| panic!("{heard:?}"));
        assert_eq!(heard[request + 1..request + 3], ["Waar naartoe? Jan zegt het zelf:", "[where/abc]"], "{heard:?}");
    }
    for actions in [say::ask(&p, &to(None), "vervoer"), say::remind(&p, &to(None))] {
        let heard: Vec<String> = said(actions).iter().map(text).collect();
        assert!(!heard.iter().any(|t| t.starts_with("Waar naartoe") || t.starts_with('[')), "{heard:?}");
    }
}
