use expect_test::{expect, Expect};
use jiff::civil::date;
use jiff::tz::TimeZone;

use super::*;
use crate::domain::dialplan;
use crate::domain::own::{Change, Confirm, Own, Pause};

struct World {
    plan: Dialplan,
    prompts: Prompts,
    caller: CallerInfo,
}

fn world() -> World {
    let plan = dialplan::parse(include_str!("../../../dialplans/example.toml")).unwrap();
    let prompts = Prompts::parse(include_str!("../../../prompts/nl.toml"), &[]).unwrap();
    let number = PhoneNumber::parse("+31201234567").unwrap();
    let caller = CallerInfo {
        number: CallerNumber::Known(number),
        first_name: Some("Jan".into()),
        street: Some("Kerkstraat".into()),
        own: None,
        say: CallerSay::default(),
        planned: None,
    };
    World { plan, prompts, caller }
}

/// Local Amsterdam time on a given day of November 2026 (the 24th is a Tuesday).
fn at(day: i8, h: i8, m: i8, s: i8) -> Timestamp {
    date(2026, 11, day).at(h, m, s, 0).to_zoned(TimeZone::get("Europe/Amsterdam").unwrap()).unwrap().timestamp()
}

fn helper(id: i64, name: &str) -> NextHelper {
    NextHelper { id, first_name: name.into(), phone: PhoneNumber::parse(&format!("+316100000{id:02}")).unwrap() }
}

/// Jan's call up to the moment Anja's phone rings for shopping, then `rest`.
fn anja_ringing(rest: Vec<(Timestamp, Event, Option<NextHelper>)>) -> Vec<(Timestamp, Event, Option<NextHelper>)> {
    let mut events =
        vec![(t(0), Event::Incoming, None), (t(10), Event::MenuKey(Some("1".into())), Some(helper(7, "Anja")))];
    events.extend(rest);
    events
}

/// Jan's call up to Anja's yes (at 20 s), then `rest`.
fn anja_says_yes(rest: Vec<(Timestamp, Event, Option<NextHelper>)>) -> Vec<(Timestamp, Event, Option<NextHelper>)> {
    let mut events = anja_ringing(vec![(t(20), Event::HelperKey { attempt: 1, key: Some("1".into()) }, None)]);
    events.extend(rest);
    events
}

/// Waves: Anja (attempt 1) presses 1 and is the first.
fn anja_wins() -> Event {
    let verdict = Some(crate::domain::waves::Yes::Wins { cancel: vec![], thank: vec![] });
    Event::Search(Tell::Key { attempt: 1, helper_id: 7, key: Some("1".into()), verdict })
}

/// Runs events in order; each comes with the time and the helper the ranking offers.
fn run(w: &World, events: Vec<(Timestamp, Event, Option<NextHelper>)>) -> (CallState, Vec<Step>) {
    let mut state = CallState::new(events[0].0);
    let mut steps = Vec::new();
    for (now, event, next_helper) in events {
        let ctx = Context {
            now,
            dialplan: &w.plan,
            prompts: &w.prompts,
            helper_prompts: &w.prompts,
            offered: &[],
            caller: &w.caller,
            next_helper,
            caller_gone: false,
            caller_over_limit: false,
            callback: false,
            hold_goes_on: false,
            yes_before_start: false,
            helper_slow_line: false,
        };
        let step = step(state, event, &ctx);
        state = step.state.clone();
        steps.push(step);
    }
    (state, steps)
}

fn describe(step: &Step) -> String {
    let mut out = String::new();
    let speech = |s: &Speech| match s {
        Speech::Text { text, .. } => text.clone(),
        Speech::Audio(a) => format!("[audio {a}]"),
        Speech::Pause(n) => format!("[pause {n}]"),
    };
    for action in &step.reply {
        let line = match action {
            Action::Say(s) => format!("say {}", speech(s)),
            Action::Gather { say, timeout_seconds, next } => {
                format!(
                    "gather {timeout_seconds}s -> {next:?}: {}",
                    say.iter().map(speech).collect::<Vec<_>>().join(" | ")
                )
            }
            Action::Redirect(next) => format!("redirect {next:?}"),
            Action::DialHelper { number, caller_id, timeout_seconds, whisper, done } => {
                format!("dial helper {number} from {caller_id} {timeout_seconds}s whisper {whisper:?} done {done:?}")
            }
            Action::DialDesk { number, timeout_seconds, done } => {
                format!("dial desk {number} {timeout_seconds}s done {done:?}")
            }
            Action::Record { max_seconds, silence_seconds, done } => {
                format!("record {max_seconds}s silence {silence_seconds}s done {done:?}")
            }
            Action::Pause(s) => format!("pause {s}s"),
            Action::Hold { wait, done } => format!("hold wait {wait:?} done {done:?}"),
            Action::JoinHold => "join the held caller".to_string(),
            Action::WaitInHold { wait } => format!("wait in the conference hearing {wait:?}"),
            Action::Hangup => "hangup".to_string(),
            Action::LetHelperGo { attempt } => format!("let helper {attempt} go"),
        };
        out.push_str(&line);
        out.push('\n');
    }
    for effect in &step.effects {
        out.push_str(&format!("effect {effect:?}\n"));
    }
    out.push_str(&format!("phase {:?}\n", step.state.phase));
    out
}

/// A context with nobody to ring and nothing unusual: for events that ring nobody.
fn plain_ctx(w: &World, now: Timestamp, callback: bool) -> Context<'_> {
    Context {
        now,
        dialplan: &w.plan,
        prompts: &w.prompts,
        helper_prompts: &w.prompts,
        offered: &[],
        caller: &w.caller,
        next_helper: None,
        caller_gone: false,
        caller_over_limit: false,
        callback,
        hold_goes_on: false,
        yes_before_start: false,
        helper_slow_line: false,
    }
}

fn check(step: &Step, expect: Expect) {
    expect.assert_eq(&describe(step));
}

const TUE_MORNING: (i8, i8, i8) = (24, 10, 15);

fn t(secs: i64) -> Timestamp {
    at(TUE_MORNING.0, TUE_MORNING.1, TUE_MORNING.2, 0) + jiff::SignedDuration::from_secs(secs)
}

#[test]
fn a_known_caller_is_greeted_by_first_name_only_and_hears_the_menu() {
    // Caller ID can be spoofed: whoever calls from Jan's number hears "Jan", no more.
    let w = world();
    let (_, steps) = run(&w, vec![(t(0), Event::Incoming, None)]);
    check(
        &steps[0],
        expect![[r#"
        say Goedemorgen Jan. Fijn dat u belt met de Burenlijn van Voorbeeldwijk.
        say Deze lijn is niet voor spoed. Bij spoed belt u 1 1 2.
        gather 8s -> Menu: Waarmee kunnen we u helpen? | Voor boodschappen, toets 1. | Voor vervoer, bijvoorbeeld naar de dokter of het ziekenhuis, toets 2. | Voor een klusje in of om het huis, toets 3. | Voor een praatje of wat gezelschap, toets 4. | Wilt u iemand van de balie spreken? Toets 0. | Wilt u dit nog een keer horen? Toets 9.
        redirect Menu
        phase Menu
    "#]],
    );
}

#[test]
fn nine_hears_the_menu_again_and_the_first_menu_says_so() {
    let w = world();
    let mut events = vec![(t(0), Event::Incoming, None), (t(12), Event::MenuKey(Some("9".into())), None)];
    events.push((t(25), Event::MenuKey(Some("1".into())), Some(helper(7, "Anja"))));
    let (state, steps) = run(&w, events);
    let first = describe(&steps[0]);
    assert!(first.contains("Toets 0. | Wilt u dit nog een keer horen? Toets 9.\n"), "said once, last: {first}");
    let again = describe(&steps[1]);
    assert!(
        again.starts_with("gather 8s -> Menu: Waarmee kunnen we u helpen?"),
        "the menu again, no 'wrong key': {again}"
    );
    assert!(!again.contains("Toets 9."), "not said twice: {again}");
    assert!(describe(&steps[2]).contains("U vraagt hulp bij boodschappen."), "{}", describe(&steps[2]));
    assert_eq!((state.menu_repeats, state.menu_rounds), (1, 0), "a repeat is not a wrong key");
}

#[test]
fn a_phone_that_keeps_sending_nine_still_reaches_the_desk() {
    let w = world();
    let mut events = vec![(t(0), Event::Incoming, None)];
    // Five repeats, then a wrong key, then a second wrong key: a person.
    for i in 1..=7 {
        events.push((t(i * 10), Event::MenuKey(Some("9".into())), None));
    }
    let (state, steps) = run(&w, events);
    assert!(!describe(&steps[5]).contains("hoort niet bij de keuzes"), "five repeats are repeats");
    assert!(describe(&steps[6]).starts_with("say Die toets hoort niet bij de keuzes."), "{}", describe(&steps[6]));
    assert!(describe(&steps[7]).starts_with("say Die toets hoort ook niet bij de keuzes."), "{}", describe(&steps[7]));
    assert_eq!(state.menu_repeats, 5);
    assert_eq!(state.phase, Phase::Desk, "after a second wrong key, the desk");
}

#[test]
fn an_unknown_caller_in_the_evening_hears_the_closed_desk_option() {
    let mut w = world();
    w.caller = CallerInfo::unknown(CallerNumber::Withheld);
    let (_, steps) = run(&w, vec![(at(24, 19, 0, 0), Event::Incoming, None)]);
    let text = describe(&steps[0]);
    assert!(text.starts_with("say Goedenavond. Fijn dat u belt"), "{text}");
    assert!(text.contains("Wilt u een bericht inspreken voor de balie? Toets 0."), "{text}");
}

#[test]
fn silence_is_offered_more_time_once_then_the_desk() {
    let w = world();
    let (state, steps) = run(
        &w,
        vec![(t(0), Event::Incoming, None), (t(40), Event::MenuKey(None), None), (t(52), Event::MenuKey(None), None)],
    );
    check(
        &steps[1],
        expect![[r#"
        gather 8s -> Menu: Ik hoorde geen toets. | Wilt u meer tijd? Toets 1.
        redirect Menu
        phase Menu
    "#]],
    );
    check(
        &steps[2],
        expect![[r#"
        say Dat geeft niets. Ik help u verder.
        say Ik verbind u met de balie. Een ogenblik.
        dial desk +31850000001 25s done DeskDone
        phase Desk
    "#]],
    );
    assert_eq!((state.phase, tries::Tries::from_stored(state.menu_rounds).from_settings), (Phase::Desk, false));
}

/// Issue 27: a caller who does nothing reaches a person within a minute of the greeting,
/// counted as the TwiML would take: every sentence said, every wait for a key.
#[test]
fn a_silent_caller_reaches_a_person_within_a_minute_of_the_greeting() {
    // An unknown caller's menu, and a registered participant's with 8 (the longest).
    for w in [world(), registered()] {
        let (_, steps) = run(
            &w,
            vec![
                (t(0), Event::Incoming, None),
                (t(40), Event::MenuKey(None), None),
                (t(52), Event::MenuKey(None), None),
            ],
        );
        let mut seconds = 0;
        for (i, step) in steps.iter().enumerate() {
            for action in &step.reply {
                match action {
                    // The greeting itself is not counted: the minute starts after it.
                    Action::Say(s) if i > 0 => seconds += tries::said_seconds(std::slice::from_ref(s), 0),
                    Action::Gather { say, timeout_seconds, .. } => {
                        let menu: Vec<Speech> = say.clone();
                        seconds += tries::said_seconds(&menu, w.plan.voice.pause_ms) + timeout_seconds;
                    }
                    _ => {}
                }
            }
        }
        assert!(steps[2].reply.iter().any(|a| matches!(a, Action::DialDesk { .. })), "{}", describe(&steps[2]));
        assert!(seconds <= 60, "{seconds} s before the desk rings");
    }
}

/// The "more time" offer: a 1 says the menu again, with a longer wait; a silence after it
/// goes to a person (it is offered once).
#[test]
fn more_time_says_the_menu_again_with_a_longer_wait_and_is_offered_once() {
    let w = world();
    let (_, steps) = run(
        &w,
        vec![
            (t(0), Event::Incoming, None),
            (t(40), Event::MenuKey(None), None),
            (t(50), Event::MenuKey(Some("1".into())), None),
            (t(90), Event::MenuKey(None), None),
        ],
    );
    let again = describe(&steps[2]);
    assert!(
        again.starts_with("say Neemt u rustig de tijd. Ik zeg de keuzes nog een keer.\ngather 16s -> Menu: Waarmee"),
        "{again}"
    );
    assert!(steps[2].effects.is_empty() && !again.contains("dial helper"), "1 was 'more time', not shopping: {again}");
    assert!(describe(&steps[3]).contains("dial desk"), "{}", describe(&steps[3]));
}

#[test]
fn silence_outside_office_hours_ends_in_a_message_for_the_desk() {
    let w = world();
    let sat = |s| at(28, 11, 0, s);
    let (_, steps) = run(
        &w,
        vec![
            (sat(0), Event::Incoming, None),
            (sat(40), Event::MenuKey(None), None),
            (sat(52), Event::MenuKey(None), None),
        ],
    );
    check(
        &steps[2],
        expect![[r#"
        say Dat geeft niets. Ik help u verder.
        say De balie belt u op maandag na 9 uur terug.
        say U kunt een bericht inspreken voor de balie. Zeg na de piep uw naam, en waarmee we u kunnen helpen.
        say Hang daarna gewoon op.
        record 120s silence 5s done Recorded
        redirect Recorded
        phase Voicemail
    "#]],
    );
}

#[test]
fn an_unknown_key_is_named_and_the_menu_repeated() {
    let w = world();
    let (state, steps) = run(&w, vec![(t(0), Event::Incoming, None), (t(10), Event::MenuKey(Some("7".into())), None)]);
    let text = describe(&steps[1]);
    assert!(
        text.starts_with(
            "say Die toets hoort niet bij de keuzes. Ik zeg de keuzes nog een keer.\ngather 8s -> Menu: Waarmee"
        ),
        "{text}"
    );
    assert_eq!(state.phase, Phase::Menu);
}

#[test]
fn a_category_key_rings_the_first_helper() {
    let w = world();
    let (state, steps) = run(
        &w,
        vec![(t(0), Event::Incoming, None), (t(10), Event::MenuKey(Some("1".into())), Some(helper(7, "Anja")))],
    );
    check(
        &steps[1],
        expect![[r#"
        say U vraagt hulp bij boodschappen. Ik zoek nu een buur die u kan helpen. Blijft u aan de lijn, het kan even duren.
        dial helper +31610000007 from +31850000000 20s whisper Whisper { attempt: 1 } done HelperDone { attempt: 1 }
        effect AttemptStarted { attempt: 1, helper_id: 7, phone: PhoneNumber("+31610000007") }
        phase Ringing(Ring { attempt: 1, helper_id: 7, helper_first_name: "Anja", key: None })
    "#]],
    );
    assert_eq!(state.category.as_deref(), Some("shopping"));
    assert_eq!(state.search_started_at, Some(t(10)));
}

#[test]
fn the_helper_hears_first_name_street_and_category_never_a_number() {
    let w = world();
    let (_, steps) = run(
        &w,
        vec![
            (t(0), Event::Incoming, None),
            // Transport may be planned: "nu, of een andere dag?", and 1 for now.
            (t(10), Event::MenuKey(Some("2".into())), None),
            (t(15), Event::MenuKey(Some("1".into())), Some(helper(7, "Anja"))),
            (t(25), Event::HelperAnswered { attempt: 1 }, None),
        ],
    );
    check(
        &steps[3],
        expect![[r#"
            gather 6s -> WhisperKey { attempt: 1 }: Goedemorgen Anja. U wordt gebeld door de Burenlijn van Voorbeeldwijk. | Jan uit de Kerkstraat vraagt om hulp. Het gaat om vervoer, bijvoorbeeld naar de dokter of het ziekenhuis. | Kunt u nu helpen? Toets 1. Komt het nu niet uit? Toets 2. Dat is helemaal goed. | Nog een keer horen? Toets 9.
            gather 6s -> WhisperKey { attempt: 1 }: Kunt u nu helpen? Toets 1. Komt het nu niet uit? Toets 2. Dat is helemaal goed.
            say Dank u wel. Ik vraag iemand anders. Tot ziens.
            hangup
            effect HelperAnswered { attempt: 1 }
            phase Ringing(Ring { attempt: 1, helper_id: 7, helper_first_name: "Anja", key: None })
        "#]],
    );
    assert!(!describe(&steps[2]).contains("1234567"));
}

#[test]
fn a_no_is_thanked_and_the_next_helper_is_rung_then_a_yes_connects() {
    let w = world();
    let (state, steps) = run(
        &w,
        anja_ringing(vec![
            (t(20), Event::HelperAnswered { attempt: 1 }, None),
            (t(30), Event::HelperKey { attempt: 1, key: Some("2".into()) }, None),
            (
                t(31),
                Event::HelperDialEnded { attempt: 1, status: DialStatus::Completed, bridged: Some(false) },
                Some(helper(8, "Bert")),
            ),
            (t(40), Event::HelperAnswered { attempt: 2 }, None),
            (t(50), Event::HelperKey { attempt: 2, key: Some("1".into()) }, None),
        ]),
    );
    check(
        &steps[3],
        expect![[r#"
            say Geen probleem. Dank u wel dat u opnam. Tot een volgende keer.
            let helper 1 go
            effect HelperKey { attempt: 1, key: "2" }
            phase Ringing(Ring { attempt: 1, helper_id: 7, helper_first_name: "Anja", key: Some("2") })
        "#]],
    );
    check(
        &steps[4],
        expect![[r#"
        say Ik probeer nog iemand. Blijft u aan de lijn.
        dial helper +31610000008 from +31850000000 20s whisper Whisper { attempt: 2 } done HelperDone { attempt: 2 }
        effect AttemptEnded { attempt: 1, result: Declined }
        effect AttemptStarted { attempt: 2, helper_id: 8, phone: PhoneNumber("+31610000008") }
        phase Ringing(Ring { attempt: 2, helper_id: 8, helper_first_name: "Bert", key: None })
    "#]],
    );
    check(
        &steps[6],
        expect![[r#"
            say Dank u wel. Ik verbind u nu.
            say Zeg eerst even uw naam. Dan weet de beller wie u bent.
            effect HelperKey { attempt: 2, key: "1" }
            effect Matched { attempt: 2, helper_id: 8, wait_seconds: 40 }
            phase Connected(Ring { attempt: 2, helper_id: 8, helper_first_name: "Bert", key: Some("1") })
        "#]],
    );
    assert!(!describe(&steps[6]).contains("hangup"), "a yes must not hang up: that joins the two");

    // After the conversation the Dial action arrives.
    let ctx = Context {
        now: t(59),
        dialplan: &w.plan,
        prompts: &w.prompts,
        helper_prompts: &w.prompts,
        offered: &[],
        caller: &w.caller,
        next_helper: None,
        caller_gone: false,
        caller_over_limit: false,
        callback: false,
        hold_goes_on: false,
        yes_before_start: false,
        helper_slow_line: false,
    };
    let end =
        step(state, Event::HelperDialEnded { attempt: 2, status: DialStatus::Completed, bridged: Some(true) }, &ctx);
    check(
        &end,
        expect![[r#"
        say Fijn dat er iemand kon helpen. Tot ziens.
        hangup
        effect AttemptEnded { attempt: 2, result: Accepted }
        phase Ended { outcome: Matched, from: Connected }
    "#]],
    );
    assert_eq!(end.state.ended_at, Some(t(59)));
}

#[test]
fn completed_without_a_keypress_is_a_no_never_a_yes() {
    // A voicemail box "answers" and hears the request; nothing is pressed.
    let w = world();
    let (state, steps) = run(
        &w,
        anja_ringing(vec![
            (t(20), Event::HelperAnswered { attempt: 1 }, None),
            (t(50), Event::HelperDialEnded { attempt: 1, status: DialStatus::Completed, bridged: None }, None),
        ]),
    );
    assert!(steps[3].effects.contains(&Effect::AttemptEnded { attempt: 1, result: AttemptResult::Declined }));
    assert!(!steps[3].effects.iter().any(|e| matches!(e, Effect::Matched { .. })));
    assert_eq!(state.phase, Phase::Desk, "nobody else: to the desk in office hours");
}

#[test]
fn dial_statuses_map_to_attempt_results() {
    let w = world();
    for (status, bridged, expected) in [
        (DialStatus::NoAnswer, Some(false), AttemptResult::NoAnswer),
        (DialStatus::Busy, Some(false), AttemptResult::Busy),
        (DialStatus::Failed, Some(false), AttemptResult::Failed),
        (DialStatus::Canceled, None, AttemptResult::Canceled),
        (DialStatus::Completed, Some(false), AttemptResult::Declined),
        (DialStatus::Answered, None, AttemptResult::Declined),
    ] {
        let (_, steps) = run(
            &w,
            vec![
                (t(0), Event::Incoming, None),
                (t(10), Event::MenuKey(Some("1".into())), Some(helper(7, "Anja"))),
                (t(30), Event::HelperDialEnded { attempt: 1, status, bridged }, Some(helper(8, "Bert"))),
            ],
        );
        assert_eq!(steps[2].effects[0], Effect::AttemptEnded { attempt: 1, result: expected }, "{status:?}");
        assert!(matches!(steps[2].state.phase, Phase::Ringing(Ring { attempt: 2, .. })));
    }
}

#[test]
fn limits_end_the_search_honestly() {
    let mut w = world();
    w.plan.ringing.max_helpers = 2;
    let busy = |n| Event::HelperDialEnded { attempt: n, status: DialStatus::Busy, bridged: Some(false) };
    let (state, steps) = run(
        &w,
        anja_ringing(vec![(t(20), busy(1), Some(helper(8, "Bert"))), (t(30), busy(2), Some(helper(9, "Carla")))]),
    );
    check(
        &steps[3],
        expect![[r#"
        say Het spijt me. Ik heb nu niemand gevonden die kan helpen.
        say Ik verbind u met de balie. Een ogenblik.
        dial desk +31850000001 25s done DeskDone
        effect AttemptEnded { attempt: 2, result: Busy }
        phase Desk
    "#]],
    );
    assert_eq!(state.attempts, 2);

    // The waiting limit: 300 s after the category was chosen, nobody new is rung.
    let w = world();
    let late = at(24, 10, 20, 10);
    let (state, _) = run(
        &w,
        vec![
            (t(0), Event::Incoming, None),
            (t(10), Event::MenuKey(Some("1".into())), Some(helper(7, "Anja"))),
            (late, busy(1), Some(helper(8, "Bert"))),
        ],
    );
    assert_eq!(state.phase, Phase::Desk);
    assert_eq!(state.attempts, 1);
}

#[test]
fn nobody_eligible_at_the_weekend_leads_to_a_message_and_a_callback_promise() {
    let w = world();
    let sat = |s| at(28, 11, 0, s);
    let (state, steps) = run(
        &w,
        vec![
            (sat(0), Event::Incoming, None),
            (sat(10), Event::MenuKey(Some("4".into())), None),
            (
                sat(50),
                Event::Recorded { recording_url: Some("https://api.twilio.com/rec/RE1".into()), duration_seconds: 12 },
                None,
            ),
        ],
    );
    check(
        &steps[1],
        expect![[r#"
            say Het spijt me. Ik heb nu niemand gevonden die kan helpen.
            say De balie is nu gesloten.
            say De balie belt u op maandag na 9 uur terug.
            say U kunt een bericht inspreken voor de balie. Zeg na de piep uw naam, en waarmee we u kunnen helpen.
            say Hang daarna gewoon op.
            record 120s silence 5s done Recorded
            redirect Recorded
            phase Voicemail
        "#]],
    );
    check(
        &steps[2],
        expect![[r#"
        say Dank u wel voor uw bericht. Tot ziens.
        hangup
        effect Voicemail { recording_url: "https://api.twilio.com/rec/RE1", duration_seconds: 12 }
        phase Ended { outcome: Voicemail, from: Voicemail }
    "#]],
    );
    assert_eq!(state.outcome(), Some(Outcome::Voicemail));
}

#[test]
fn callback_promises_name_the_right_day() {
    let w = world();
    let thanks = |now: Timestamp| {
        let s = CallState::new(now);
        let ctx = Context {
            now,
            dialplan: &w.plan,
            prompts: &w.prompts,
            helper_prompts: &w.prompts,
            offered: &[],
            caller: &w.caller,
            next_helper: None,
            caller_gone: false,
            caller_over_limit: false,
            callback: false,
            hold_goes_on: false,
            yes_before_start: false,
            helper_slow_line: false,
        };
        describe(&step(s, Event::MenuKey(Some("0".into())), &ctx))
    };
    assert!(thanks(at(24, 7, 30, 0)).contains("vandaag na 9 uur"));
    assert!(thanks(at(24, 14, 0, 0)).contains("morgen na 9 uur"));
    // In office hours the desk is rung first, so no promise is spoken yet.
    assert!(!thanks(at(24, 10, 0, 0)).contains("belt u"));
    assert!(thanks(at(27, 14, 0, 0)).contains("op maandag na 9 uur"));
}

#[test]
fn a_withheld_number_is_asked_for_in_the_message() {
    let mut w = world();
    w.caller = CallerInfo::unknown(CallerNumber::Withheld);
    let (_, steps) = run(
        &w,
        vec![(at(28, 11, 0, 0), Event::Incoming, None), (at(28, 11, 0, 5), Event::MenuKey(Some("0".into())), None)],
    );
    let text = describe(&steps[1]);
    let asked = text.find("Ik kan uw nummer niet zien. Noem daarom ook uw telefoonnummer.").expect("asked");
    // Asked before anything that sounds like the end: the call back, "hang up".
    assert!(asked < text.find("De balie belt u").unwrap() && asked < text.find("Hang daarna").unwrap(), "{text}");
}

/// Issue 27: a held caller hears kind words that change from one wait document to the
/// next, how long they have waited every other time, and never one sentence more than
/// three times in a row.
#[test]
fn a_held_caller_hears_varied_words_and_how_long_they_have_waited() {
    let mut w = world();
    w.plan.ringing.mode = crate::domain::dialplan::RingMode::Waves;
    let mut events = vec![(t(0), Event::Incoming, None), (t(10), Event::MenuKey(key("1")), Some(helper(7, "Anja")))];
    // A wait document about every fifteen seconds, for five minutes.
    events.extend((1..=20).map(|i| (t(10 + i * 15), Event::HoldTick, None)));
    let (_, steps) = run(&w, events);
    let said: Vec<String> = steps[2..]
        .iter()
        .flat_map(|s| s.reply.iter())
        .filter_map(|a| match a {
            Action::Say(Speech::Text { text, .. }) => Some(text.clone()),
            _ => None,
        })
        .collect();
    // The issue allows three in a row; the turn never says one twice.
    assert!(said.windows(2).all(|pair| pair[0] != pair[1]), "{said:?}");
    assert!(said.iter().any(|t| t == "U wacht nu ongeveer een minuut."), "{said:?}");
    assert!(said.iter().any(|t| t == "U wacht nu ongeveer 4 minuten."), "{said:?}");
    let kinds: std::collections::HashSet<&String> = said.iter().filter(|t| !t.starts_with("U wacht nu")).collect();
    assert_eq!(kinds.len(), 3, "{kinds:?}");
    assert!(steps[2..].iter().all(|s| matches!(s.reply.last(), Some(Action::Redirect(Next::HoldWait)))));
}

#[test]
fn the_desk_not_answering_leads_to_voicemail() {
    let w = world();
    let (state, steps) = run(
        &w,
        vec![
            (t(0), Event::Incoming, None),
            (t(5), Event::MenuKey(Some("0".into())), None),
            (t(35), Event::DeskDialEnded { status: DialStatus::NoAnswer }, None),
        ],
    );
    assert!(describe(&steps[1]).contains("dial desk +31850000001"));
    assert!(describe(&steps[2]).starts_with("say Er neemt nu niemand op bij de balie.\nsay De balie belt u zo snel mogelijk terug.\nsay U kunt een bericht inspreken"), "{}", describe(&steps[2]));
    assert_eq!(state.phase, Phase::Voicemail);
}

#[test]
fn a_caller_who_hangs_up_mid_search_is_abandoned_and_the_helper_told() {
    let w = world();
    let (state, steps) = run(
        &w,
        anja_ringing(vec![
            (t(20), Event::CallerGone, None),
            (t(25), Event::HelperKey { attempt: 1, key: Some("1".into()) }, None),
        ]),
    );
    assert_eq!(steps[2].effects, vec![Effect::AttemptEnded { attempt: 1, result: AttemptResult::Canceled }]);
    assert!(steps[2].reply.is_empty());
    check(
        &steps[3],
        expect![[r#"
            say Dank u wel dat u wilde helpen. De beller heeft al opgehangen. U hoeft niets te doen. Tot ziens.
            let helper 1 go
            effect HelperKey { attempt: 1, key: "1" }
            phase Ended { outcome: Abandoned, from: Ringing }
        "#]],
    );
    assert_eq!(state.outcome(), Some(Outcome::Abandoned));
    assert!(state.outcome().unwrap().needs_follow_up());
}

#[test]
fn duplicate_keypresses_log_nothing_new() {
    let w = world();
    let (_, steps) = run(
        &w,
        anja_ringing(vec![
            (t(20), Event::HelperKey { attempt: 1, key: Some("1".into()) }, None),
            (t(21), Event::HelperKey { attempt: 1, key: Some("1".into()) }, None),
        ]),
    );
    assert!(steps[3].effects.is_empty());
    assert_eq!(steps[3].reply, steps[2].reply);
}

#[test]
fn a_yes_that_never_bridged_is_undone_and_the_search_goes_on() {
    let w = world();
    let (state, steps) = run(
        &w,
        anja_ringing(vec![
            (t(20), Event::HelperKey { attempt: 1, key: Some("1".into()) }, None),
            (
                t(22),
                Event::HelperDialEnded { attempt: 1, status: DialStatus::Completed, bridged: Some(false) },
                Some(helper(8, "Bert")),
            ),
        ]),
    );
    assert_eq!(
        steps[3].effects[..2],
        [Effect::MatchUndone { attempt: 1 }, Effect::AttemptEnded { attempt: 1, result: AttemptResult::Canceled }]
    );
    assert!(matches!(state.phase, Phase::Ringing(Ring { attempt: 2, helper_id: 8, .. })));
}

#[test]
fn late_reports_can_still_tell_what_happened() {
    let w = world();
    // The hang-up arrives before the desk's Dial action says the desk answered.
    let (state, _) = run(
        &w,
        vec![
            (t(0), Event::Incoming, None),
            (t(5), Event::MenuKey(Some("0".into())), None),
            (t(200), Event::CallerGone, None),
            (t(201), Event::DeskDialEnded { status: DialStatus::Completed }, None),
        ],
    );
    assert_eq!(state.outcome(), Some(Outcome::Desk));
    // A recording that arrives after the hang-up still counts.
    let sat = |s| at(28, 11, 0, s);
    let (state, _) = run(
        &w,
        vec![
            (sat(0), Event::Incoming, None),
            (sat(5), Event::MenuKey(Some("0".into())), None),
            (sat(40), Event::CallerGone, None),
            (sat(41), Event::Recorded { recording_url: Some("https://x/RE1".into()), duration_seconds: 20 }, None),
        ],
    );
    assert_eq!(state.outcome(), Some(Outcome::Voicemail));
    // A hang-up while connected is a match.
    let (state, _) = run(
        &w,
        anja_ringing(vec![
            (t(20), Event::HelperKey { attempt: 1, key: Some("1".into()) }, None),
            (t(200), Event::CallerGone, None),
        ]),
    );
    assert_eq!(state.outcome(), Some(Outcome::Matched));
}

#[test]
fn a_yes_whose_end_was_never_reported_is_not_counted_as_a_match() {
    let w = world();
    // Dial: nothing is reported between the whisper's yes and the end; a call still
    // connected when the sweep closes it may never have been bridged. The desk checks.
    let (state, steps) =
        run(&w, anja_says_yes(vec![(t(10_800), Event::EndNeverReported { unjoined_winner: None }, None)]));
    assert_eq!(state.outcome(), Some(Outcome::Unconfirmed));
    assert!(Outcome::Unconfirmed.needs_follow_up());
    assert_eq!(
        steps[3].effects,
        [Effect::AttemptEnded { attempt: 1, result: AttemptResult::Accepted }, Effect::MatchUndone { attempt: 1 }]
    );
    // Waves: a winner whose entry was reported (or found in the provider's records) talked
    // to the caller; one whose entry was never reported is unconfirmed.
    let w = waves_world();
    let yes = anja_wins();
    let (state, _) = run(
        &w,
        held(vec![(t(40), yes.clone(), None), (t(10_800), Event::EndNeverReported { unjoined_winner: None }, None)]),
    );
    assert_eq!(state.outcome(), Some(Outcome::Matched));
    let (state, steps) = run(
        &w,
        held(vec![(t(40), yes, None), (t(10_800), Event::EndNeverReported { unjoined_winner: Some(1) }, None)]),
    );
    assert_eq!(state.outcome(), Some(Outcome::Unconfirmed));
    assert_eq!(steps[3].effects, [Effect::MatchUndone { attempt: 1 }]);
    // Lost ends elsewhere are what a hang-up would have been.
    let (state, _) = run(&w, held(vec![(t(60), Event::EndNeverReported { unjoined_winner: None }, None)]));
    assert_eq!(state.outcome(), Some(Outcome::Abandoned));
}

#[test]
fn a_caller_s_end_after_a_yes_from_before_a_restart_waits_for_the_dial_action() {
    let w = world();
    let (connected, _) =
        run(&w, anja_ringing(vec![(t(20), Event::HelperKey { attempt: 1, key: Some("1".into()) }, None)]));
    let ctx =
        |now, caller_gone, yes_before_start| Context { caller_gone, yes_before_start, ..plain_ctx(&w, now, false) };
    // The service started again after the yes: the caller's end proves nothing yet.
    let waiting = step(connected.clone(), Event::CallerGone, &ctx(t(200), true, true));
    assert_eq!(waiting.state.outcome(), None);
    assert_eq!(waiting.state.ended_at, Some(t(200)));
    assert_eq!(waiting.effects, [Effect::AttemptEnded { attempt: 1, result: AttemptResult::Accepted }]);
    // The `<Dial>` action says they were bridged: a match.
    let bridged = Event::HelperDialEnded { attempt: 1, status: DialStatus::Completed, bridged: Some(true) };
    let done = step(waiting.state.clone(), bridged, &ctx(t(201), true, false));
    assert_eq!(done.state.outcome(), Some(Outcome::Matched));
    // It says they were not: the yes never reached the helper, and the desk calls back.
    let not_bridged = Event::HelperDialEnded { attempt: 1, status: DialStatus::Completed, bridged: Some(false) };
    let done = step(waiting.state.clone(), not_bridged, &ctx(t(201), true, false));
    assert_eq!(done.state.outcome(), Some(Outcome::Abandoned));
    assert!(done.effects.contains(&Effect::MatchUndone { attempt: 1 }), "{:?}", done.effects);
    // It never comes: unconfirmed, ended when the caller's end came.
    let lost = step(waiting.state, Event::EndNeverReported { unjoined_winner: None }, &ctx(t(1200), true, false));
    assert_eq!(lost.state.outcome(), Some(Outcome::Unconfirmed));
    assert_eq!(lost.state.ended_at, Some(t(200)));
    // Without a start in between, the caller's end while connected is a match, as ever.
    let ended = step(connected, Event::CallerGone, &ctx(t(200), true, false));
    assert_eq!(ended.state.outcome(), Some(Outcome::Matched));
}

#[test]
fn wants_helper_only_when_a_helper_may_be_rung() {
    let w = world();
    let s = CallState::new(t(0));
    assert_eq!(wants_helper(&s, &Event::MenuKey(Some("3".into())), &w.plan), Some("odd-jobs"));
    assert_eq!(wants_helper(&s, &Event::MenuKey(Some("0".into())), &w.plan), None);
    assert_eq!(wants_helper(&s, &Event::MenuKey(None), &w.plan), None);
    assert_eq!(wants_helper(&s, &Event::CallerGone, &w.plan), None);
}

#[test]
fn a_dial_report_after_the_caller_hung_up_rings_nobody_new() {
    let w = world();
    let (state, _) = run(
        &w,
        vec![(t(0), Event::Incoming, None), (t(10), Event::MenuKey(Some("1".into())), Some(helper(7, "Anja")))],
    );
    let ctx = Context {
        now: t(20),
        dialplan: &w.plan,
        prompts: &w.prompts,
        helper_prompts: &w.prompts,
        offered: &[],
        caller: &w.caller,
        next_helper: Some(helper(8, "Bert")),
        caller_gone: true,
        caller_over_limit: false,
        callback: false,
        hold_goes_on: false,
        yes_before_start: false,
        helper_slow_line: false,
    };
    let result =
        step(state, Event::HelperDialEnded { attempt: 1, status: DialStatus::Canceled, bridged: Some(false) }, &ctx);
    assert_eq!(result.effects, vec![Effect::AttemptEnded { attempt: 1, result: AttemptResult::Canceled }]);
    assert_eq!(result.state.outcome(), Some(Outcome::Abandoned));
    assert_eq!(result.state.attempts, 1);

    // The desk not answering while the caller hangs up: unmatched, no recording offered.
    let (state, _) = run(&w, vec![(t(0), Event::Incoming, None), (t(5), Event::MenuKey(Some("0".into())), None)]);
    let ctx = Context {
        now: t(40),
        dialplan: &w.plan,
        prompts: &w.prompts,
        helper_prompts: &w.prompts,
        offered: &[],
        caller: &w.caller,
        next_helper: None,
        caller_gone: true,
        caller_over_limit: false,
        callback: false,
        hold_goes_on: false,
        yes_before_start: false,
        helper_slow_line: false,
    };
    let result = step(state, Event::DeskDialEnded { status: DialStatus::NoAnswer }, &ctx);
    assert_eq!(result.state.outcome(), Some(Outcome::Unmatched));
}

#[test]
fn a_caller_over_the_daily_limit_goes_to_the_desk_without_ringing_anyone() {
    let w = world();
    let (state, _) = run(&w, vec![(t(0), Event::Incoming, None)]);
    let ctx = Context {
        now: t(10),
        dialplan: &w.plan,
        prompts: &w.prompts,
        helper_prompts: &w.prompts,
        offered: &[],
        caller: &w.caller,
        next_helper: Some(helper(7, "Anja")),
        caller_gone: false,
        caller_over_limit: true,
        callback: false,
        hold_goes_on: false,
        yes_before_start: false,
        helper_slow_line: false,
    };
    let result = step(state, Event::MenuKey(Some("1".into())), &ctx);
    check(
        &result,
        expect![[r#"
        say U heeft vandaag al vaker gebeld. De balie helpt u graag verder.
        say Ik verbind u met de balie. Een ogenblik.
        dial desk +31850000001 25s done DeskDone
        phase Desk
    "#]],
    );
}

fn waves_world() -> World {
    let mut w = world();
    w.plan.ringing.mode = dialplan::RingMode::Waves;
    w
}

fn held(rest: Vec<(Timestamp, Event, Option<NextHelper>)>) -> Vec<(Timestamp, Event, Option<NextHelper>)> {
    let mut events =
        vec![(t(0), Event::Incoming, None), (t(10), Event::MenuKey(Some("1".into())), Some(helper(7, "Anja")))];
    events.extend(rest);
    events
}

#[test]
fn waves_hold_the_caller_with_kind_words_and_whisper_to_helpers() {
    let w = waves_world();
    let (_, steps) = run(
        &w,
        held(vec![
            (t(20), Event::HoldTick, None),
            (
                t(25),
                Event::Search(Tell::Answered { attempt: 2, helper_first_name: "Bert".into(), still_wanted: true }),
                None,
            ),
        ]),
    );
    check(
        &steps[1],
        expect![[r#"
        say U vraagt hulp bij boodschappen. Ik zoek nu een buur die u kan helpen. Blijft u aan de lijn, het kan even duren.
        hold wait HoldWait done HoldDone
        phase Holding { matched: false }
    "#]],
    );
    check(
        &steps[2],
        expect![[r#"
            say U wacht nog even. Ik bel nu buren die u misschien kunnen helpen.
            pause 4s
            say Ik ben nog aan het zoeken. Blijft u aan de lijn.
            pause 4s
            redirect HoldWait
            phase Holding { matched: false }
        "#]],
    );
    check(
        &steps[3],
        expect![[r#"
            gather 6s -> WaveKey { attempt: 2 }: Goedemorgen Bert. U wordt gebeld door de Burenlijn van Voorbeeldwijk. | Jan uit de Kerkstraat vraagt om hulp. Het gaat om boodschappen. | Kunt u nu helpen? Toets 1. Komt het nu niet uit? Toets 2. Dat is helemaal goed. | Nog een keer horen? Toets 9.
            gather 6s -> WaveKey { attempt: 2 }: Kunt u nu helpen? Toets 1. Komt het nu niet uit? Toets 2. Dat is helemaal goed.
            say Dank u wel. Ik vraag iemand anders. Tot ziens.
            hangup
            effect HelperAnswered { attempt: 2 }
            phase Holding { matched: false }
        "#]],
    );
}

#[test]
fn waves_the_winner_is_joined_the_others_are_thanked() {
    use crate::domain::waves::Yes;
    let w = waves_world();
    let yes = |attempt: u32, verdict: Yes| {
        Event::Search(Tell::Key { attempt, helper_id: 7, key: Some("1".into()), verdict: Some(verdict) })
    };
    let (state, steps) = run(
        &w,
        held(vec![
            (t(40), yes(1, Yes::Wins { cancel: vec![2], thank: vec![] }), None),
            (t(41), yes(2, Yes::AlreadyFound), None),
            (
                t(42),
                Event::Search(Tell::Answered { attempt: 3, helper_first_name: "Carla".into(), still_wanted: false }),
                None,
            ),
            (t(300), Event::HoldEnded, None),
        ]),
    );
    check(
        &steps[2],
        expect![[r#"
        say Dank u wel. Blijft u aan de lijn. Ik verbind u nu.
        join the held caller
        effect HelperKey { attempt: 1, key: "1" }
        effect Matched { attempt: 1, helper_id: 7, wait_seconds: 30 }
        phase Holding { matched: true }
    "#]],
    );
    check(
        &steps[3],
        expect![[r#"
        say Dank u wel dat u opnam. Er is al iemand gevonden die helpt. U hoeft niets te doen. Tot ziens.
        hangup
        effect HelperKey { attempt: 2, key: "1" }
        phase Holding { matched: true }
    "#]],
    );
    check(
        &steps[4],
        expect![[r#"
        say Dank u wel dat u opnam. Er is al iemand gevonden die helpt. U hoeft niets te doen. Tot ziens.
        hangup
        phase Holding { matched: true }
    "#]],
    );
    assert_eq!(state.outcome(), Some(Outcome::Matched));
}

#[test]
fn waves_without_a_yes_end_at_the_desk_and_a_late_yes_hears_the_caller_is_gone() {
    use crate::domain::waves::Yes;
    let w = waves_world();
    let (state, steps) = run(
        &w,
        held(vec![
            (t(300), Event::HoldEnded, None),
            (
                t(301),
                Event::Search(Tell::Key {
                    attempt: 1,
                    helper_id: 7,
                    key: Some("1".into()),
                    verdict: Some(Yes::CallerGone),
                }),
                None,
            ),
            (
                t(302),
                Event::Search(Tell::Key {
                    attempt: 2,
                    helper_id: 8,
                    key: Some("1".into()),
                    verdict: Some(Yes::SearchOver),
                }),
                None,
            ),
        ]),
    );
    check(
        &steps[4],
        expect![[r#"
        say Dank u wel dat u wilde helpen. De beller wordt al verder geholpen. U hoeft niets te doen. Tot ziens.
        hangup
        effect HelperKey { attempt: 2, key: "1" }
        phase Desk
    "#]],
    );
    check(
        &steps[2],
        expect![[r#"
        say Het spijt me. Ik heb nu niemand gevonden die kan helpen.
        say Ik verbind u met de balie. Een ogenblik.
        dial desk +31850000001 25s done DeskDone
        phase Desk
    "#]],
    );
    check(
        &steps[3],
        expect![[r#"
        say Dank u wel dat u wilde helpen. De beller heeft al opgehangen. U hoeft niets te doen. Tot ziens.
        hangup
        effect HelperKey { attempt: 1, key: "1" }
        phase Desk
    "#]],
    );
    assert_eq!(state.phase, Phase::Desk);
    // A caller who hangs up on hold: abandoned.
    let (state, _) = run(&w, held(vec![(t(60), Event::CallerGone, None)]));
    assert_eq!(state.outcome(), Some(Outcome::Abandoned));
}

/// Tuesday 20:30: the desk is closed.
fn t_evening(secs: i64) -> Timestamp {
    at(24, 20, 30, 0) + jiff::SignedDuration::from_secs(secs)
}

#[test]
fn waves_offer_a_call_back_before_the_voicemail_when_the_desk_is_closed() {
    let w = waves_world();
    let events = vec![
        (t_evening(0), Event::Incoming, None),
        (t_evening(10), Event::MenuKey(Some("1".into())), Some(helper(7, "Anja"))),
        (t_evening(200), Event::HoldEnded, None),
        (t_evening(220), Event::CallbackKey(Some("1".into())), None),
    ];
    let (state, steps) = run(&w, events);
    check(
        &steps[2],
        expect![[r#"
        say Het spijt me. Ik heb nu niemand gevonden die kan helpen.
        say De balie is nu gesloten.
        gather 8s -> CallbackOffer: Wilt u dat we u terugbellen zodra een buur kan helpen? Toets dan 1. Wilt u liever een bericht inspreken voor de balie? Blijft u dan aan de lijn.
        redirect CallbackOffer
        phase Holding { matched: false }
    "#]],
    );
    let first_try = t_evening(220) + jiff::SignedDuration::from_mins(20);
    assert_eq!(steps[3].effects, vec![Effect::CallbackRequested { first_try_at: first_try }]);
    assert_eq!(state.outcome(), Some(Outcome::Unmatched));
    // Nothing pressed: the voicemail, as before.
    let (state, _) = run(
        &w,
        vec![
            (t_evening(0), Event::Incoming, None),
            (t_evening(10), Event::MenuKey(Some("1".into())), Some(helper(7, "Anja"))),
            (t_evening(200), Event::HoldEnded, None),
            (t_evening(220), Event::CallbackKey(None), None),
        ],
    );
    assert_eq!(state.phase, Phase::Voicemail); // 9: the offer again, and then a 1 is a request as ever.
    let (state, steps) = run(
        &w,
        vec![
            (t_evening(0), Event::Incoming, None),
            (t_evening(10), Event::MenuKey(Some("1".into())), Some(helper(7, "Anja"))),
            (t_evening(200), Event::HoldEnded, None),
            (t_evening(220), Event::CallbackKey(key("9")), None),
            (t_evening(240), Event::CallbackKey(key("1")), None),
        ],
    );
    assert!(
        describe(&steps[3]).starts_with("gather 8s -> CallbackOffer: Wilt u dat we u terugbellen"),
        "{}",
        describe(&steps[3])
    );
    assert_eq!(state.outcome(), Some(Outcome::Unmatched));
    assert!(matches!(steps[4].effects[..], [Effect::CallbackRequested { .. }]));
}

#[test]
fn a_call_back_search_tells_the_resident_who_helps_or_the_helper_that_nobody_answered() {
    use crate::domain::waves::Yes;
    let w = waves_world();
    let mut events = held(vec![(
        t(40),
        Event::Search(Tell::Key {
            attempt: 1,
            helper_id: 8,
            key: Some("1".into()),
            verdict: Some(Yes::Wins { cancel: vec![], thank: vec![] }),
        }),
        None,
    )]);
    events.push((
        t(60),
        Event::ResidentAnswered { helper_first_name: "Bert".into(), helper_street: Some("Dorpsweg".into()) },
        None,
    ));
    let mut steps = Vec::new();
    let mut state = CallState::new(t(0));
    for (now, event, next_helper) in events {
        let ctx = Context {
            now,
            dialplan: &w.plan,
            prompts: &w.prompts,
            helper_prompts: &w.prompts,
            offered: &[],
            caller: &w.caller,
            next_helper,
            caller_gone: false,
            caller_over_limit: false,
            callback: true,
            hold_goes_on: false,
            yes_before_start: false,
            helper_slow_line: false,
        };
        let s = step(state, event, &ctx);
        state = s.state.clone();
        steps.push(s);
    }
    check(
        &steps[2],
        expect![[r#"
        say Dank u wel. Blijft u aan de lijn. Ik bel Jan nu op.
        wait in the conference hearing HelperWait { attempt: 1 }
        effect HelperKey { attempt: 1, key: "1" }
        effect Matched { attempt: 1, helper_id: 8, wait_seconds: 30 }
        phase Holding { matched: true }
    "#]],
    );
    check(
        &steps[3],
        expect![[r#"
        say Goed nieuws. Bert uit de Dorpsweg kan u helpen. Ik verbind u nu.
        join the held caller
        phase Holding { matched: true }
    "#]],
    );
    let ctx = Context {
        now: t(90),
        dialplan: &w.plan,
        prompts: &w.prompts,
        helper_prompts: &w.prompts,
        offered: &[],
        caller: &w.caller,
        next_helper: None,
        caller_gone: false,
        caller_over_limit: false,
        callback: true,
        hold_goes_on: false,
        yes_before_start: false,
        helper_slow_line: false,
    };
    let unreachable = step(state, Event::ResidentUnreachable { attempt: 1 }, &ctx);
    check(
        &unreachable,
        expect![[r#"
        say Jan neemt helaas niet op. De balie belt Jan nog. Dank u wel dat u wilde helpen. Tot ziens.
        hangup
        effect MatchUndone { attempt: 1 }
        phase Ended { outcome: Unmatched, from: Connected }
    "#]],
    );
}

#[test]
fn waves_a_winner_left_alone_is_told_and_the_desk_calls_the_caller_back() {
    let w = waves_world();
    let yes = anja_wins();
    // The caller's end is reported first, then the winner's entry into an empty conference.
    let (state, steps) = run(
        &w,
        held(vec![
            (t(40), yes.clone(), None),
            (t(41), Event::CallerGone, None),
            (t(42), Event::Search(Tell::WinnerAlone { attempt: 1 }), None),
        ]),
    );
    check(
        &steps[4],
        expect![[r#"
        say Het spijt me. De beller heeft net opgehangen, vlak voordat ik u kon verbinden. De balie belt de beller terug. Dank u wel dat u wilde helpen. Tot ziens.
        hangup
        effect MatchUndone { attempt: 1 }
        effect AttemptEnded { attempt: 1, result: Canceled }
        phase Ended { outcome: Abandoned, from: Ringing }
    "#]],
    );
    assert!(state.outcome().is_some_and(|o| o.needs_follow_up()));
    assert_eq!(state.ended_at, Some(t(41)), "the call ended when the caller hung up");
    // Reported the other way round: the caller is still on hold as far as we know.
    let (state, _) =
        run(&w, held(vec![(t(40), yes.clone(), None), (t(41), Event::Search(Tell::WinnerAlone { attempt: 1 }), None)]));
    assert_eq!(state.outcome(), Some(Outcome::Abandoned));
}

#[test]
fn waves_a_winner_whose_line_drops_before_the_join_lets_the_search_go_on() {
    let w = waves_world();
    let yes = anja_wins();
    let (state, steps) = run(
        &w,
        held(vec![
            (t(40), yes, None),
            (t(42), Event::Search(Tell::WinnerDropped { attempt: 1 }), None),
            (t(45), Event::HoldTick, None),
        ]),
    );
    check(
        &steps[3],
        expect![[r#"
        effect MatchUndone { attempt: 1 }
        effect AttemptEnded { attempt: 1, result: Canceled }
        phase Holding { matched: false }
    "#]],
    );
    // The caller hears the same kind words as before, and nothing about the dropped line.
    assert!(matches!(steps[4].reply.first(), Some(Action::Say(_))));
    assert_eq!(state.phase, Phase::Holding { matched: false });
}

#[test]
fn a_helper_waiting_for_the_resident_hears_kind_words_again_and_again() {
    let w = waves_world();
    let mut state = CallState::new(t(0));
    state.phase = Phase::Holding { matched: true };
    let ctx = |callback| plain_ctx(&w, t(60), callback);
    check(
        &step(state.clone(), Event::HelperWaitTick { attempt: 3 }, &ctx(true)),
        expect![[r#"
        pause 5s
        say Ik bel Jan nog. Blijft u nog even aan de lijn. Fijn dat u wacht.
        redirect HelperWait { attempt: 3 }
        phase Holding { matched: true }
    "#]],
    );
    // Not a call-back search: a stray wait request changes nothing and says nothing, but
    // asks again (Twilio never repeats a wait document by itself).
    check(
        &step(state, Event::HelperWaitTick { attempt: 3 }, &ctx(false)),
        expect![[r#"
        pause 1s
        redirect HelperWait { attempt: 3 }
        phase Holding { matched: true }
    "#]],
    );
}

/// Twilio does not repeat a wait document: whatever the state, every answer to a wait
/// request ends in a `<Redirect>`, or whoever waits hears silence from then on.
#[test]
fn every_wait_document_ends_in_a_redirect() {
    let w = waves_world();
    let phases = [
        Phase::Menu,
        Phase::Holding { matched: false },
        Phase::Holding { matched: true },
        Phase::Desk,
        Phase::Voicemail,
        Phase::Ended { outcome: Outcome::Matched, from: Stage::Connected },
        Phase::Ended { outcome: Outcome::Abandoned, from: Stage::Ringing },
    ];
    for phase in phases {
        for callback in [false, true] {
            let mut state = CallState::new(t(0));
            state.phase = phase.clone();
            let ctx = plain_ctx(&w, t(60), callback);
            for event in [Event::HoldTick, Event::HelperWaitTick { attempt: 2 }] {
                let step = step(state.clone(), event.clone(), &ctx);
                assert!(
                    matches!(step.reply.last(), Some(Action::Redirect(_))),
                    "{event:?} in {phase:?} (call back: {callback}) ends in {:?}",
                    step.reply
                );
                assert!(
                    step.reply.iter().all(|a| matches!(a, Action::Say(_) | Action::Pause(_) | Action::Redirect(_))),
                    "only Say, Play, Pause and Redirect are allowed in a wait document (13238): {:?}",
                    step.reply
                );
            }
        }
    }
}

#[test]
fn a_call_back_whose_helper_left_tells_the_resident_and_stays_open() {
    use crate::domain::waves::Yes;
    let w = waves_world();
    let callback_ctx = |now| Context {
        now,
        dialplan: &w.plan,
        prompts: &w.prompts,
        helper_prompts: &w.prompts,
        offered: &[],
        caller: &w.caller,
        next_helper: None,
        caller_gone: false,
        caller_over_limit: false,
        callback: true,
        hold_goes_on: false,
        yes_before_start: false,
        helper_slow_line: false,
    };
    let mut won = CallState::new(t(0));
    won.phase = Phase::Holding { matched: false };
    won = step(
        won,
        Event::Search(Tell::Key {
            attempt: 1,
            helper_id: 8,
            key: Some("1".into()),
            verdict: Some(Yes::Wins { cancel: vec![], thank: vec![] }),
        }),
        &callback_ctx(t(40)),
    )
    .state;
    // The helper's line drops in the moment between the good news and the join.
    check(
        &step(
            won.clone(),
            Event::Search(Tell::ResidentAlone { attempt: 1, helper_first_name: "Bert".into() }),
            &callback_ctx(t(60)),
        ),
        expect![[r#"
        say Het spijt me. Bert kon helaas niet aan de lijn blijven. We zoeken verder. Zodra een buur kan helpen, bellen we u terug. Tot ziens.
        hangup
        effect MatchUndone { attempt: 1 }
        effect AttemptEnded { attempt: 1, result: Canceled }
        phase Holding { matched: false }
    "#]],
    );
    // It drops while the resident's phone rings; they pick up just after.
    let dropped = step(won, Event::Search(Tell::WinnerDropped { attempt: 1 }), &callback_ctx(t(50)));
    assert_eq!(dropped.state.phase, Phase::Holding { matched: false });
    assert!(dropped.reply.is_empty());
    check(
        &step(
            dropped.state,
            Event::ResidentAnswered { helper_first_name: "Bert".into(), helper_street: None },
            &callback_ctx(t(55)),
        ),
        expect![[r#"
        say Het spijt me. Bert kon helaas niet aan de lijn blijven. We zoeken verder. Zodra een buur kan helpen, bellen we u terug. Tot ziens.
        hangup
        phase Holding { matched: false }
    "#]],
    );
}

/// The caller's call ended (their line, or the provider's fallback while the service was
/// down) and the helper who said yes is gone without ever entering: they never talked.
#[test]
fn a_winner_who_never_entered_after_the_caller_left_is_no_match() {
    let w = waves_world();
    let mut state = CallState::new(t(0));
    state.phase = Phase::Ended { outcome: Outcome::Matched, from: Stage::Connected };
    let ctx = plain_ctx(&w, t(60), false);
    let dropped = step(state, Event::Search(Tell::WinnerDropped { attempt: 2 }), &ctx);
    assert_eq!(dropped.state.phase, Phase::Ended { outcome: Outcome::Abandoned, from: Stage::Ringing });
    assert_eq!(
        dropped.effects,
        vec![Effect::MatchUndone { attempt: 2 }, Effect::AttemptEnded { attempt: 2, result: AttemptResult::Canceled }]
    );
    assert!(dropped.reply.is_empty(), "said to nobody: {:?}", dropped.reply);
}

/// Jan as a registered participant: he helps with shopping and company on weekdays.
fn registered() -> World {
    let mut w = world();
    w.caller.own = Some(Own {
        offers: vec!["shopping".into(), "company".into()],
        available: crate::domain::hours::WeeklyHours::parse("ma-vr 09:00-17:00").unwrap(),
        pause: Pause::No,
        round: None,
        confirm: Confirm::CallBack,
        slow_line: false,
        helpers_from: crate::domain::participant::Distance::Any,
        street: crate::domain::participant::StreetSaid::Always,
        agenda: Default::default(),
    });
    w
}

fn key(k: &str) -> Option<String> {
    Some(k.to_string())
}

#[test]
fn only_a_registered_caller_hears_eight_and_gets_their_own_settings() {
    let w = registered();
    let (_, steps) = run(&w, vec![(t(0), Event::Incoming, None), (t(10), Event::MenuKey(key("8")), None)]);
    assert!(describe(&steps[0]).contains("Voor uw eigen instellingen, toets 8."), "{}", describe(&steps[0]));
    assert!(!describe(&steps[0]).contains("bericht voor de balie? Toets 8"), "8 is not a second way to the desk");
    // Only what applies (not paused: no "rung again"), the rarer choices under 5, 0 a person.
    check(
        &steps[1],
        expect![[r#"
            gather 8s -> Settings: Dit zijn uw eigen instellingen. | Wilt u een week niet gebeld worden? Toets 1. | Wilt u horen waarvoor en wanneer wij u bellen? Toets 4. | Wilt u andere keuzes horen? Toets 5. | Wilt u iemand van de balie spreken? Toets 0. | Terug naar het begin? Toets sterretje. | Wilt u dit nog een keer horen? Toets 9.
            redirect Settings
            phase Settings
        "#]],
    );
    // A resident in the register who only asks (no kinds of help, no pause, not in the
    // good-morning round) hears 8 as their say over who comes (issue 27), and under it
    // only what applies to them: the say (8 again) and the other choices (5).
    let mut asks = registered();
    if let Some(own) = asks.caller.own.as_mut() {
        own.offers.clear();
    }
    let (state, steps) = run(&asks, vec![(t(0), Event::Incoming, None), (t(10), Event::MenuKey(key("8")), None)]);
    assert!(describe(&steps[0]).contains("Wilt u kiezen welke buren u helpen? Toets 8."), "{}", describe(&steps[0]));
    assert!(!describe(&steps[0]).contains("eigen instellingen"), "{}", describe(&steps[0]));
    check(
        &steps[1],
        expect![[r#"
            gather 8s -> Settings: Dit zijn uw eigen instellingen. | Wilt u kiezen welke buren u helpen? Toets 8. | Wilt u andere keuzes horen? Toets 5. | Wilt u iemand van de balie spreken? Toets 0. | Terug naar het begin? Toets sterretje. | Wilt u dit nog een keer horen? Toets 9.
            redirect Settings
            phase Settings
        "#]],
    );
    assert_eq!(state.phase, Phase::Settings);
    // Unknown and withheld numbers never hear it, and 8 is a key the menu does not know.
    for number in [CallerNumber::Withheld, CallerNumber::Known(PhoneNumber::parse("+31207654321").unwrap())] {
        let mut w = world();
        w.caller = CallerInfo::unknown(number);
        let (state, steps) = run(&w, vec![(t(0), Event::Incoming, None), (t(10), Event::MenuKey(key("8")), None)]);
        assert!(!describe(&steps[0]).contains("Toets 8"), "{}", describe(&steps[0]));
        assert!(describe(&steps[1]).starts_with("say Die toets hoort niet bij de keuzes."), "{}", describe(&steps[1]));
        assert_eq!(state.phase, Phase::Menu);
    }
}

/// 8, then `k`, for `w`'s caller.
fn settings_then(w: &World, k: &str) -> (CallState, Vec<Step>) {
    run(
        w,
        vec![
            (t(0), Event::Incoming, None),
            (t(10), Event::MenuKey(key("8")), None),
            (t(20), Event::SettingsKey(key(k)), None),
        ],
    )
}

#[test]
fn a_change_by_phone_is_only_asked_for_and_the_number_is_called_back() {
    let w = registered();
    // Tuesday 24 November: no calls up to and including Monday 30 November, once confirmed.
    let (state, steps) = settings_then(&w, "1");
    check(
        &steps[2],
        expect![[r#"
            say Dank u wel. U vraagt: een week niet gebeld worden, tot en met maandag 30 november. We hangen nu op, en bellen u zo meteen terug op uw eigen nummer. Neem dan op, en toets 1. Pas dan gaat het in.
            hangup
            effect OwnSettingAsked { change: PauseUntil { back_on: 2026-12-01 }, confirm: CallBack }
            phase Ended { outcome: OwnSettings, from: Settings }
        "#]],
    );
    assert_eq!(state.outcome(), Some(Outcome::OwnSettings));
    assert!(!Outcome::OwnSettings.needs_follow_up() && !Outcome::OwnSettings.is_request());
    let (_, steps) = settings_then(&w, "2");
    assert!(describe(&steps[2]).starts_with("say Dank u wel. U vraagt: niet gebeld worden, tot u zelf weer belt."));
    assert_eq!(
        steps[2].effects,
        vec![Effect::OwnSettingAsked { change: Change::PauseUntilFurtherNotice, confirm: Confirm::CallBack }]
    );
    // "Ring me again" while not paused is not one of the choices (issue 27): nothing to confirm.
    let (state, steps) = settings_then(&w, "3");
    assert!(describe(&steps[2]).starts_with("say Die toets hoort niet bij de keuzes."), "{}", describe(&steps[2]));
    assert!(steps[2].effects.is_empty());
    assert_eq!(state.phase, Phase::Settings);
    // Paused, it is a change like any other.
    let mut paused = registered();
    if let Some(own) = paused.caller.own.as_mut() {
        own.pause = Pause::UntilFurtherNotice;
        own.round = Some(false);
    }
    let (_, steps) = settings_then(&paused, "3");
    assert_eq!(steps[2].effects, vec![Effect::OwnSettingAsked { change: Change::Resume, confirm: Confirm::CallBack }]);
    // The good-morning round's 6 too.
    let (_, steps) = settings_then(&paused, "6");
    assert_eq!(
        steps[2].effects,
        vec![Effect::OwnSettingAsked { change: Change::RoundPause, confirm: Confirm::CallBack }]
    );
    assert!(describe(&steps[2]).contains("U vraagt: geen goedemorgenbelletje, tot u zelf weer belt."));
}

#[test]
fn without_a_call_back_the_desk_arranges_a_change_and_the_menu_goes_on() {
    let mut w = registered();
    if let Some(own) = w.caller.own.as_mut() {
        own.confirm = Confirm::Desk;
    }
    let (state, steps) = settings_then(&w, "1");
    let text = describe(&steps[2]);
    assert!(
        text.starts_with("say Dank u wel. U vraagt: een week niet gebeld worden, tot en met maandag 30 november. De balie belt u hierover terug op uw eigen nummer, en regelt het dan met u.")
            && text.contains("\ngather 8s -> Settings: Wilt u nog iets anders?"),
        "{text}"
    );
    let change = Change::PauseUntil { back_on: date(2026, 12, 1) };
    assert_eq!(steps[2].effects, vec![Effect::OwnSettingAsked { change, confirm: Confirm::Desk }]);
    assert_eq!(state.phase, Phase::Settings);
}

#[test]
fn four_reads_out_what_and_when_and_a_pause() {
    let mut w = registered();
    if let Some(own) = w.caller.own.as_mut() {
        own.pause = Pause::Until { back_on: date(2026, 12, 1) };
    }
    let events = vec![
        (t(0), Event::Incoming, None),
        (t(10), Event::MenuKey(key("8")), None),
        (t(20), Event::SettingsKey(key("4")), None),
        (t(40), Event::SettingsKey(key("*")), None),
    ];
    let (state, steps) = run(&w, events);
    assert!(
        describe(&steps[1])
            .contains("Dit zijn uw eigen instellingen. | U wordt nu niet gebeld, tot en met maandag 30 november. |"),
        "{}",
        describe(&steps[1])
    );
    let text = describe(&steps[2]);
    assert!(
        text.starts_with("say Wij bellen u voor boodschappen en een praatje of wat gezelschap.\nsay Wij bellen u op maandag tot en met vrijdag, van 9 uur tot 17 uur.\nsay U wordt nu niet gebeld, tot en met maandag 30 november.\n"),
        "{text}"
    );
    assert!(steps[2].effects.is_empty(), "hearing changes nothing");
    assert!(
        describe(&steps[3]).starts_with("gather 8s -> Menu: Waarmee kunnen we u helpen?"),
        "* goes back: {}",
        describe(&steps[3])
    );
    assert_eq!(state.phase, Phase::Menu);
    // Without hours of their own: the switchboard's ringing hours.
    if let Some(own) = w.caller.own.as_mut() {
        own.available = crate::domain::hours::WeeklyHours::never();
        own.offers.clear();
        own.pause = Pause::No;
        // In the good-morning round: 8 is theirs even without kinds of help.
        own.round = Some(false);
    }
    let (_, steps) = run(
        &w,
        vec![
            (t(0), Event::Incoming, None),
            (t(10), Event::MenuKey(key("8")), None),
            (t(20), Event::SettingsKey(key("4")), None),
        ],
    );
    let text = describe(&steps[2]);
    assert!(text.starts_with("say U heeft nog niet gekozen waarmee u wilt helpen. De balie helpt u daar graag bij.\nsay Wij bellen u alleen binnen onze beltijden: elke dag, van 8 uur tot 21 uur.\ngather"), "{text}");
}

/// 0 in one's own settings is a person, as everywhere: with the desk closed, a message for
/// the desk (the one way to leave one); in office hours, the desk. Neither asks for help.
#[test]
fn a_word_for_the_desk_is_recorded_and_followed_up() {
    let w = registered();
    let sat = |s: i64| at(28, 11, 0, 0) + jiff::SignedDuration::from_secs(s);
    let events = vec![
        (sat(0), Event::Incoming, None),
        (sat(10), Event::MenuKey(key("8")), None),
        (sat(20), Event::SettingsKey(key("0")), None),
        (
            sat(90),
            Event::Recorded { recording_url: Some("https://api.twilio.com/RE1".into()), duration_seconds: 60 },
            None,
        ),
    ];
    let (state, steps) = run(&w, events);
    assert!(describe(&steps[1]).contains("Wilt u iets vertellen aan de balie? Toets 0."), "{}", describe(&steps[1]));
    check(
        &steps[2],
        expect![[r#"
            say Spreek na de piep uw bericht in. Alleen de balie hoort het. U heeft twee minuten. Hang daarna gewoon op.
            record 120s silence 5s done Recorded
            redirect Recorded
            phase Message
        "#]],
    );
    // In office hours: the desk, and a talk with the desk is no request for help either.
    let (_, desk) = settings_then(&w, "0");
    assert!(describe(&desk[2]).contains("dial desk"), "{}", describe(&desk[2]));
    let talked = step(
        desk[2].state.clone(),
        Event::DeskDialEnded { status: DialStatus::Completed },
        &plain_ctx(&w, t(90), false),
    );
    assert_eq!(talked.state.outcome(), Some(Outcome::OwnSettings));
    let nobody = step(
        desk[2].state.clone(),
        Event::DeskDialEnded { status: DialStatus::NoAnswer },
        &plain_ctx(&w, t(60), false),
    );
    assert_eq!(nobody.state.phase, Phase::Message, "the desk did not answer: a message");
    assert!(describe(&steps[3]).starts_with("say Dank u wel voor uw bericht."), "{}", describe(&steps[3]));
    assert_eq!(state.outcome(), Some(Outcome::Message));
    assert!(Outcome::Message.needs_follow_up() && !Outcome::Message.is_request());
    // Hung up at the beep, the recording reported after the end: still a message.
    let gone = step(steps[2].state.clone(), Event::CallerGone, &plain_ctx(&w, t(80), false)).state;
    assert_eq!(gone.outcome(), Some(Outcome::OwnSettings));
    let late = step(
        gone,
        Event::Recorded { recording_url: Some("https://api.twilio.com/RE1".into()), duration_seconds: 40 },
        &plain_ctx(&w, t(85), false),
    );
    assert_eq!(late.state.outcome(), Some(Outcome::Message));
    assert!(matches!(late.effects[..], [Effect::Voicemail { duration_seconds: 40, .. }]));
    // Nothing said: no message, and nothing to follow up.
    let silent = step(
        steps[2].state.clone(),
        Event::Recorded { recording_url: None, duration_seconds: 0 },
        &plain_ctx(&w, t(85), false),
    );
    assert_eq!(silent.state.outcome(), Some(Outcome::OwnSettings));
}

#[test]
fn nine_repeats_the_settings_and_silence_goes_to_a_person() {
    let w = registered();
    let mut events = vec![
        (t(0), Event::Incoming, None),
        (t(10), Event::MenuKey(key("8")), None),
        (t(20), Event::SettingsKey(key("9")), None),
    ];
    events.extend((3..5).map(|i| (t(i * 10), Event::SettingsKey(None), None)));
    let (state, steps) = run(&w, events);
    assert!(
        describe(&steps[2]).starts_with("gather 8s -> Settings: Dit zijn uw eigen instellingen."),
        "{}",
        describe(&steps[2])
    );
    assert!(
        describe(&steps[3]).starts_with("gather 5s -> Settings: Ik hoorde geen toets. | Wilt u meer tijd? Toets 1."),
        "{}",
        describe(&steps[3])
    );
    assert!(
        describe(&steps[4]).starts_with("say Dat geeft niets. Ik help u verder.\nsay Ik verbind u met de balie."),
        "never a hang-up: {}",
        describe(&steps[4])
    );
    assert_eq!(state.phase, Phase::Desk);
}

/// "Andere keuzes" (5): the rarer settings, one level down; a key that applies works on
/// either level, and a second wrong key goes to a person.
#[test]
fn other_choices_are_one_level_down_and_only_those_that_apply() {
    let mut w = registered();
    if let Some(own) = w.caller.own.as_mut() {
        own.pause = Pause::Until { back_on: date(2026, 12, 1) };
        own.round = Some(false);
    }
    let (_, steps) = settings_then(&w, "5");
    check(
        &steps[2],
        expect![[r#"
            gather 8s -> Settings: Dit zijn de andere keuzes. | Bent u een tijdje weg, en wilt u geen goedemorgenbelletje? Toets 6. | Wilt u meer tijd om te kiezen, en alles twee keer horen? Toets 7. | Wilt u kiezen welke buren u helpen? Toets 8. | Wilt u iemand van de balie spreken? Toets 0. | Terug naar het begin? Toets sterretje. | Wilt u dit nog een keer horen? Toets 9.
            redirect Settings
            phase Settings
        "#]],
    );
    let paused_menu = describe(&steps[1]);
    assert!(paused_menu.contains("Wilt u weer gebeld worden? Toets 3."), "{paused_menu}");
    assert!(!paused_menu.contains("Toets 1.") && !paused_menu.contains("Toets 2."), "{paused_menu}");
    let (state, steps) = run(
        &w,
        vec![
            (t(0), Event::Incoming, None),
            (t(10), Event::MenuKey(key("8")), None),
            (t(20), Event::SettingsKey(key("1")), None),
            // Paused: 2 ("not until I call") does not apply (7, the slow line, always does).
            (t(30), Event::SettingsKey(key("2")), None),
        ],
    );
    assert!(describe(&steps[2]).starts_with("say Die toets hoort niet bij de keuzes."), "{}", describe(&steps[2]));
    assert!(describe(&steps[3]).contains("dial desk"), "{}", describe(&steps[3]));
    assert_eq!(state.phase, Phase::Desk);
}

/// Issue 27: a resident's say by phone, 8 then 8: what it is now, the two other distances
/// and the street, each a change confirmed by a call back like any other; a key of the top
/// level means nothing here.
#[test]
fn a_residents_say_is_chosen_under_eight_eight_and_confirmed_by_a_call_back() {
    let mut w = registered();
    if let Some(own) = w.caller.own.as_mut() {
        own.offers.clear();
        own.street = crate::domain::participant::StreetSaid::AfterYes;
    }
    let start = vec![
        (t(0), Event::Incoming, None),
        (t(10), Event::MenuKey(key("8")), None),
        (t(20), Event::SettingsKey(key("8")), None),
    ];
    let (_, steps) = run(&w, start.clone());
    check(
        &steps[2],
        expect![[r#"
            gather 8s -> Settings: U kiest zelf welke buren u helpen. | Nu helpen buren van dichtbij en van verder weg. | Wij noemen uw straat pas als iemand ja zegt. | Alleen buren van dichtbij? Toets 1. | Alleen buren van verder weg? Toets 2. | Uw straat meteen noemen? Toets 4. | Wilt u iemand van de balie spreken? Toets 0. | Terug naar het begin? Toets sterretje. | Wilt u dit nog een keer horen? Toets 9.
            redirect Settings
            phase Settings
        "#]],
    );
    let mut far = start.clone();
    far.push((t(40), Event::SettingsKey(key("2")), None));
    let (state, steps) = run(&w, far);
    let asked = describe(&steps[3]);
    assert!(asked.contains("OwnSettingAsked { change: HelpersFrom(NotOwnStreet), confirm: CallBack }"), "{asked}");
    assert!(asked.contains("U vraagt: alleen hulp van buren van verder weg."), "{asked}");
    assert_eq!(state.outcome(), Some(Outcome::OwnSettings));
    let mut street = start.clone();
    street.push((t(40), Event::SettingsKey(key("4")), None));
    let (_, steps) = run(&w, street);
    assert!(describe(&steps[3]).contains("change: Street(Always)"), "{}", describe(&steps[3]));
    // 3 ("either") is the choice now: not a choice; 5 is the top level's, not the say's.
    for k in ["3", "5"] {
        let mut wrong = start.clone();
        wrong.push((t(40), Event::SettingsKey(key(k)), None));
        let (state, steps) = run(&w, wrong);
        assert!(describe(&steps[3]).starts_with("say Die toets hoort niet bij de keuzes."), "{}", describe(&steps[3]));
        assert_eq!(state.phase, Phase::Settings);
    }
    // A helper reaches the say under "andere keuzes" (5, then 8), and 8 works on the top too.
    let helper = registered();
    let (_, steps) = settings_then(&helper, "5");
    assert!(describe(&steps[2]).contains("Wilt u kiezen welke buren u helpen? Toets 8."), "{}", describe(&steps[2]));
    let (_, steps) = settings_then(&helper, "8");
    assert!(describe(&steps[2]).contains("U kiest zelf welke buren u helpen."), "{}", describe(&steps[2]));
}

#[test]
fn an_unknown_caller_hears_the_offer_in_english_and_switches_the_rest_of_the_call() {
    let mut w = world();
    w.caller = CallerInfo::unknown(CallerNumber::Withheld);
    let en = Prompts::parse(include_str!("../../../prompts/en.toml"), &[]).unwrap();
    let offered = [Offered { digit: 7, prompts: &en }];
    let ctx = |now| Context { offered: &offered, ..plain_ctx(&w, now, false) };
    let first = step(CallState::new(t(0)), Event::Incoming, &ctx(t(0)));
    let text = describe(&first);
    assert!(text.contains("gather 8s -> Menu: For English, press 7. | Waarmee kunnen we u helpen?"), "{text}");
    let Some(Action::Gather { say, .. }) = first.reply.iter().find(|a| matches!(a, Action::Gather { .. })) else {
        panic!("a menu")
    };
    assert_eq!(say[0], Speech::text("en", "For English, press 7."), "said in English, in the English voice");
    let switched = step(first.state, Event::MenuKey(key("7")), &ctx(t(10)));
    assert_eq!(switched.state.language.as_deref(), Some("en"));
    let text = describe(&switched);
    assert!(text.starts_with("gather 8s -> Menu: How can we help you? | For shopping, press 1."), "{text}");
    assert!(!text.contains("For English"), "not offered again: {text}");
    // A registered caller is never offered a language: they have their own.
    let w = registered();
    let ctx = Context { offered: &offered, ..plain_ctx(&w, t(0), false) };
    assert!(!describe(&step(CallState::new(t(0)), Event::Incoming, &ctx)).contains("For English"));
}

#[test]
fn the_whisper_is_in_the_helpers_language_and_the_caller_hears_theirs() {
    let w = world();
    let en = Prompts::parse(include_str!("../../../prompts/en.toml"), &[]).unwrap();
    let ringing = run(&w, anja_ringing(vec![])).0;
    let ctx = Context { helper_prompts: &en, ..plain_ctx(&w, t(15), false) };
    let whisper = step(ringing, Event::HelperAnswered { attempt: 1 }, &ctx);
    let text = describe(&whisper);
    assert!(text.starts_with("gather 6s -> WhisperKey { attempt: 1 }: Good morning Anja. This is the Burenlijn of Voorbeeldwijk. | Jan from Kerkstraat would like help with shopping."), "{text}");
    let yes = step(whisper.state, Event::HelperKey { attempt: 1, key: key("1") }, &ctx);
    assert!(describe(&yes).starts_with("say Thank you. I am putting you through now."), "{}", describe(&yes));
}

/// Every stored word maps back to its outcome, no two outcomes share one, and a word no
/// outcome is stored as is not read as any of them.
#[test]
fn each_outcome_is_stored_as_its_own_word_and_read_back() {
    let words: std::collections::HashSet<&str> = Outcome::ALL.iter().map(|o| o.as_str()).collect();
    assert_eq!(words.len(), Outcome::ALL.len(), "one word per outcome");
    for o in Outcome::ALL {
        assert_eq!(Outcome::parse(o.as_str()), Some(o), "{o:?}");
    }
    assert_eq!(Outcome::parse("round"), Some(Outcome::Round), "migration 016 stores round alerts as 'round'");
    for unknown in ["", "Matched", "in-progress", "callback", "matched "] {
        assert_eq!(Outcome::parse(unknown), None, "{unknown:?}");
    }
}

/// The one colour rule, over every outcome: green a neighbour found, amber still going or
/// to be checked, red nobody found or the desk must act, grey no request for help (help
/// planned for another day is green, a good end, though not a request for help now).
#[test]
fn each_outcome_has_one_colour() {
    let cases: [(Option<Outcome>, Colour, bool); 11] = [
        // (outcome, colour, asked for help)
        (None, Colour::Amber, true),
        (Some(Outcome::Matched), Colour::Green, true),
        (Some(Outcome::Unmatched), Colour::Red, true),
        (Some(Outcome::Desk), Colour::Green, true),
        (Some(Outcome::Voicemail), Colour::Red, true),
        (Some(Outcome::Abandoned), Colour::Red, true),
        (Some(Outcome::Unconfirmed), Colour::Amber, true),
        (Some(Outcome::OwnSettings), Colour::Grey, false),
        (Some(Outcome::Message), Colour::Grey, false),
        (Some(Outcome::Round), Colour::Red, false),
        // Help planned for another day: a good end, counted with help for later.
        (Some(Outcome::Planned), Colour::Green, false),
    ];
    for o in Outcome::ALL {
        assert!(cases.iter().any(|(c, ..)| *c == Some(o)), "{o:?} has a case here");
    }
    for (outcome, colour, request) in cases {
        assert_eq!(Colour::of(outcome), colour, "{outcome:?}");
        if let Some(o) = outcome {
            assert_eq!(o.is_request(), request, "{o:?}");
            // Nothing that asked for no help is counted as "nobody found".
            assert!(request || o == Outcome::Round || colour != Colour::Red, "{o:?}");
        }
    }
    let names: std::collections::HashSet<&str> = Colour::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(names.len(), Colour::ALL.len());
}

/// A choice made in one's own settings starts the count again: a silence after hearing
/// one's settings is a first silence, not a second.
#[test]
fn a_choice_made_starts_the_count_of_silences_again() {
    let w = registered();
    let (state, steps) = run(
        &w,
        vec![
            (t(0), Event::Incoming, None),
            (t(10), Event::MenuKey(key("8")), None),
            (t(30), Event::SettingsKey(None), None),
            (t(40), Event::SettingsKey(key("1")), None),
            (t(50), Event::SettingsKey(key("4")), None),
            (t(80), Event::SettingsKey(None), None),
        ],
    );
    assert!(describe(&steps[3]).starts_with("say Neemt u rustig de tijd."), "{}", describe(&steps[3]));
    assert!(steps[3].effects.is_empty(), "1 at the offer is more time, not a week off");
    assert!(describe(&steps[5]).contains("Wilt u meer tijd? Toets 1."), "{}", describe(&steps[5]));
    assert_eq!(state.phase, Phase::Settings);
}

/// Issue 27: a registered caller on the slow line.
fn slow_line() -> World {
    let mut w = registered();
    if let Some(own) = w.caller.own.as_mut() {
        own.slow_line = true;
    }
    w
}

#[test]
fn the_slow_line_pauses_before_each_choice_and_a_silence_goes_to_a_person() {
    let w = slow_line();
    let first = step(CallState::new(t(0)), Event::Incoming, &plain_ctx(&w, t(0), false));
    let Some(Action::Gather { say, timeout_seconds, .. }) =
        first.reply.iter().find(|a| matches!(a, Action::Gather { .. }))
    else {
        panic!("a menu")
    };
    // The main menu is long: said once, with a second's pause before each choice.
    let pauses = say.iter().filter(|s| **s == Speech::Pause(slow::PAUSE_BEFORE_CHOICE)).count();
    let sentences = say.len() - pauses;
    assert_eq!(pauses, sentences - 1, "{say:?}");
    let said = tries::said_seconds(say, w.plan.voice.pause_ms);
    assert!(*timeout_seconds > w.plan.menu.timeout_seconds, "a longer wait: {timeout_seconds}");
    // The greeting ends before the menu; the minute counts from there.
    let silent = step(first.state, Event::MenuKey(None), &plain_ctx(&w, t(40), false));
    let text = describe(&silent);
    assert!(text.starts_with("say Dat geeft niets. Ik help u verder.\nsay Ik verbind u met de balie."), "{text}");
    let before = tries::said_seconds(
        &[w.prompts.speech(PromptKey::MenuGiveUp, &[]), w.prompts.speech(PromptKey::ToDesk, &[])],
        0,
    );
    assert!(said + timeout_seconds + before <= tries::PERSON_WITHIN_SECONDS, "{said} + {timeout_seconds} + {before}");
}

#[test]
fn the_slow_line_says_a_short_menu_twice_and_a_slow_helper_gets_longer() {
    // One kind of help: the main menu is short enough to be said twice within the minute.
    let mut w = slow_line();
    w.plan.categories.truncate(1);
    let first = step(CallState::new(t(0)), Event::Incoming, &plain_ctx(&w, t(0), false));
    let text = describe(&first);
    assert!(
        text.contains("| [pause 1] | Ik zeg het nog een keer. | [pause 1] | Waarmee kunnen we u helpen?"),
        "{text}"
    );
    assert_eq!(text.matches("Voor uw eigen instellingen, toets 8.").count(), 2, "{text}");
    assert_eq!(text.matches("Wilt u dit nog een keer horen? Toets 9.").count(), 1, "{text}");
    let Some(Action::Gather { say, timeout_seconds, .. }) =
        first.reply.iter().find(|a| matches!(a, Action::Gather { .. }))
    else {
        panic!("a menu")
    };
    let before = tries::said_seconds(
        &[w.prompts.speech(PromptKey::MenuGiveUp, &[]), w.prompts.speech(PromptKey::ToDesk, &[])],
        0,
    );
    assert!(tries::said_seconds(say, w.plan.voice.pause_ms) + timeout_seconds + before <= tries::PERSON_WITHIN_SECONDS);
    // The settings' other choices: the slow line off (7).
    let (_, steps) = settings_then(&w, "5");
    let text = describe(&steps[2]);
    assert!(text.contains("| [pause 1] | Wilt u de keuzes weer één keer horen, zonder extra tijd? Toets 7."), "{text}");
    // 7 asks for the slow line off, confirmed by the call back.
    let (_, steps) = run(
        &w,
        vec![
            (t(0), Event::Incoming, None),
            (t(10), Event::MenuKey(key("8")), None),
            (t(20), Event::SettingsKey(key("7")), None),
        ],
    );
    let asked = Effect::OwnSettingAsked { change: Change::SlowLine(false), confirm: Confirm::CallBack };
    assert!(steps[2].effects.contains(&asked), "{:?}", steps[2].effects);
    // An ordinary helper's whisper waits 6 seconds; a slow-line helper's 12.
    let ring = Ring { attempt: 1, helper_id: 7, helper_first_name: "Bert".into(), key: None };
    let mut state = CallState::new(t(0));
    state.phase = Phase::Ringing(ring);
    state.category = Some("shopping".into());
    let ordinary = step(state.clone(), Event::HelperAnswered { attempt: 1 }, &plain_ctx(&w, t(30), false));
    assert_eq!(describe(&ordinary).matches("gather 6s -> WhisperKey").count(), 2, "{}", describe(&ordinary));
    let ctx = Context { helper_slow_line: true, ..plain_ctx(&w, t(30), false) };
    let slow = step(state, Event::HelperAnswered { attempt: 1 }, &ctx);
    assert_eq!(describe(&slow).matches("gather 12s -> WhisperKey").count(), 2, "{}", describe(&slow));
}

/// Issue 27: after a yes in waves the held caller is never left in a long silence while
/// the helper enters: every third wait document says they are being put through.
#[test]
fn after_a_yes_the_held_caller_hears_a_word_every_third_wait_document() {
    let w = waves_world();
    let ctx = plain_ctx(&w, t(60), false);
    let mut state = CallState::new(t(0));
    state.phase = Phase::Holding { matched: true };
    let mut said = Vec::new();
    for _ in 0..6 {
        let s = step(state, Event::HoldTick, &ctx);
        said.push(describe(&s).contains("say Een moment nog. Ik verbind u zo."));
        state = s.state;
    }
    assert_eq!(said, [false, false, true, false, false, true]);
}

/// Issue 28: Jan, registered, with transport (2) plannable a day ahead.
fn planner() -> World {
    let mut w = registered();
    let transport = w.plan.categories.iter_mut().find(|c| c.key == "transport").unwrap();
    transport.later = Some(crate::domain::planned::Lead { min_hours: 24 });
    w
}

fn keys_at(keys: &[&str]) -> Vec<(Timestamp, Event, Option<NextHelper>)> {
    let mut events = vec![(t(0), Event::Incoming, None)];
    for (i, k) in keys.iter().enumerate() {
        events.push((t(10 * (i as i64 + 1)), Event::MenuKey(key(k)), None));
    }
    events
}

#[test]
fn a_kind_of_help_for_later_asks_now_or_another_day_then_the_day_part_hour_and_half_hour() {
    let w = planner();
    let (state, steps) = run(&w, keys_at(&["2", "2", "1", "1", "3", "2", "2"]));
    check(
        &steps[1],
        expect![[r#"
            gather 8s -> Menu: Nu hulp? Toets 1. Op een andere dag? Toets 2. | Iemand van de balie? Toets 0. | Terug? Toets sterretje.
            redirect Menu
            phase Menu
        "#]],
    );
    // Tuesday 10:15 with a day ahead: Wednesday first, by name.
    check(
        &steps[2],
        expect![[r#"
            gather 8s -> Menu: Welke dag? | Voor morgen, woensdag 25 november, toets 1. | Voor donderdag 26 november, toets 2. | Een latere dag? Toets 3. | Iemand van de balie? Toets 0. | Terug? Toets sterretje.
            redirect Menu
            phase Menu
        "#]],
    );
    check(
        &steps[3],
        expect![[r#"
            gather 8s -> Menu: Hoe laat? | Voor de ochtend, toets 1. | Voor de middag, toets 2. | Voor de avond, toets 3. | Iemand van de balie? Toets 0.
            redirect Menu
            phase Menu
        "#]],
    );
    check(
        &steps[4],
        expect![[r#"
            gather 8s -> Menu: Om 8 uur, toets 1. | Om 9 uur, toets 2. | Om 10 uur, toets 3. | Een later uur? Toets 4. | Iemand van de balie? Toets 0.
            redirect Menu
            phase Menu
        "#]],
    );
    // 10 o'clock is too soon (a day after 10:15), half past is not: said, and read back.
    check(
        &steps[5],
        expect![[r#"
        gather 8s -> Menu: Zo snel kan het helaas niet. Het kan vanaf woensdag 25 november om 10 uur 30. | U kiest woensdag 25 november om 10 uur 30. Klopt dat? Toets 1. | Om 10 uur precies? Toets 2. | Een andere tijd? Toets 3. | Iemand van de balie? Toets 0.
        redirect Menu
        phase Menu
    "#]],
    );
    // 2: the other half hour (too soon again: read back as it was); 2 again: still so.
    check(
        &steps[6],
        expect![[r#"
        gather 8s -> Menu: Zo snel kan het helaas niet. Het kan vanaf woensdag 25 november om 10 uur 30. | U kiest woensdag 25 november om 10 uur 30. Klopt dat? Toets 1. | Om 10 uur precies? Toets 2. | Een andere tijd? Toets 3. | Iemand van de balie? Toets 0.
        redirect Menu
        phase Menu
    "#]],
    );
    assert_eq!(state.later, Some(Later::Check { at: date(2026, 11, 25).at(10, 30, 0, 0) }));
}

#[test]
fn a_moment_inside_the_lead_time_is_refused_naming_the_earliest_then_read_back_and_taken() {
    let w = planner();
    let (state, steps) = run(&w, keys_at(&["2", "2", "1", "1", "3", "3", "2", "2", "1", "1"]));
    // 10 o'clock on Wednesday is too soon; half past is read back; 3 changes it: Thursday,
    // the afternoon, 12 o'clock, read back and taken.
    check(
        &steps[5],
        expect![[r#"
        gather 8s -> Menu: Zo snel kan het helaas niet. Het kan vanaf woensdag 25 november om 10 uur 30. | U kiest woensdag 25 november om 10 uur 30. Klopt dat? Toets 1. | Om 10 uur precies? Toets 2. | Een andere tijd? Toets 3. | Iemand van de balie? Toets 0.
        redirect Menu
        phase Menu
    "#]],
    );
    check(
        &steps[9],
        expect![[r#"
        gather 8s -> Menu: U kiest donderdag 26 november om 12 uur. Klopt dat? Toets 1. | Om half 1? Toets 2. | Een andere tijd? Toets 3. | Iemand van de balie? Toets 0.
        redirect Menu
        phase Menu
    "#]],
    );
    check(
        &steps[10],
        expect![[r#"
        say Dank u wel. We vragen de buren en bellen u altijd terug.
        say Waar gaat u heen? Zeg het na de piep, toets dan een hekje.
        record 20s silence 5s done Recorded
        redirect Recorded
        effect PlannedAsked { category: "transport", at: 2026-11-26T12:00:00 }
        phase Ended { outcome: Planned, from: Menu }
    "#]],
    );
    // Taken; "where to" follows (transport, in the example).
    assert_eq!(state.later, Some(Later::WhereTo));
}

#[test]
fn the_day_menu_pages_two_days_at_a_time_within_fourteen_days() {
    let w = planner();
    // Wednesday and Thursday; 3: Friday and Saturday; ... the last page has no "later day".
    let mut keys = vec!["2", "2"];
    keys.extend(std::iter::repeat_n("3", 6));
    let (_, steps) = run(&w, keys_at(&keys));
    check(
        &steps[3],
        expect![[r#"
            gather 8s -> Menu: Welke dag? | Voor vrijdag 27 november, toets 1. | Voor zaterdag 28 november, toets 2. | Een latere dag? Toets 3. | Iemand van de balie? Toets 0. | Terug? Toets sterretje.
            redirect Menu
            phase Menu
        "#]],
    );
    check(
        &steps[8],
        expect![[r#"
            gather 8s -> Menu: Welke dag? | Voor maandag 7 december, toets 1. | Voor dinsdag 8 december, toets 2. | Iemand van de balie? Toets 0. | Terug? Toets sterretje.
            redirect Menu
            phase Menu
        "#]],
    );
}

#[test]
fn an_unknown_caller_cannot_plan_and_is_put_through_to_the_desk() {
    let mut w = planner();
    w.caller.own = None;
    let (_, steps) = run(&w, keys_at(&["2", "2"]));
    check(
        &steps[2],
        expect![[r#"
        say Hulp op een andere dag regelt iemand van de Burenlijn graag met u.
        say Ik verbind u met de balie. Een ogenblik.
        dial desk +31850000001 25s done DeskDone
        phase Desk
    "#]],
    );
}

#[test]
fn star_goes_back_one_menu_and_zero_is_a_person_in_every_later_menu() {
    let w = planner();
    let (_, steps) = run(&w, keys_at(&["2", "2", "1", "*", "*", "*"]));
    let said: Vec<String> =
        steps[4..].iter().map(|s| describe(s).lines().next().unwrap_or_default().to_string()).collect();
    expect![[r#"
        [
            "gather 8s -> Menu: Welke dag? | Voor morgen, woensdag 25 november, toets 1. | Voor donderdag 26 november, toets 2. | Een latere dag? Toets 3. | Iemand van de balie? Toets 0. | Terug? Toets sterretje.",
            "gather 8s -> Menu: Nu hulp? Toets 1. Op een andere dag? Toets 2. | Iemand van de balie? Toets 0. | Terug? Toets sterretje.",
            "gather 8s -> Menu: Waarmee kunnen we u helpen? | Voor boodschappen, toets 1. | Voor vervoer, bijvoorbeeld naar de dokter of het ziekenhuis, toets 2. | Voor een klusje in of om het huis, toets 3. | Voor een praatje of wat gezelschap, toets 4. | Wilt u iemand van de balie spreken? Toets 0. | Voor uw eigen instellingen, toets 8. | Wilt u dit nog een keer horen? Toets 9.",
        ]
    "#]].assert_debug_eq(&said);
    let (_, steps) = run(&w, keys_at(&["2", "2", "1", "0"]));
    check(
        &steps[4],
        expect![[r#"
        say Ik verbind u met de balie. Een ogenblik.
        dial desk +31850000001 25s done DeskDone
        phase Desk
    "#]],
    );
}

#[test]
fn planned_help_to_come_is_heard_first_and_cancelled_after_asking_once_more() {
    let mut w = planner();
    w.caller.planned =
        Some(Upcoming { id: 5, at: date(2026, 11, 26).at(10, 0, 0, 0), helper_first_name: Some("Bert".into()) });
    let (_, steps) = run(&w, keys_at(&["1", "1"]));
    check(
        &steps[0],
        expect![[r#"
            say Goedemorgen Jan. Fijn dat u belt met de Burenlijn van Voorbeeldwijk.
            say Deze lijn is niet voor spoed. Bij spoed belt u 1 1 2.
            gather 8s -> Menu: U heeft op donderdag 26 november om 10 uur hulp van Bert. | Wilt u die hulp afzeggen? Toets 1. Belt u voor iets anders? Toets 2. | Iemand van de balie? Toets 0.
            redirect Menu
            phase Menu
        "#]],
    );
    check(
        &steps[1],
        expect![[r#"
            gather 8s -> Menu: Weet u het zeker? Dan gaat de hulp op donderdag 26 november om 10 uur niet door. Afzeggen? Toets 1. Toch houden? Toets 2. | Iemand van de balie? Toets 0. | Terug? Toets sterretje.
            redirect Menu
            phase Menu
        "#]],
    );
    check(
        &steps[2],
        expect![[r#"
        say De hulp is afgezegd. We laten Bert het weten.
        say Dank u wel. Tot ziens.
        hangup
        effect PlannedCancelled { id: 5 }
        phase Ended { outcome: OwnSettings, from: Menu }
    "#]],
    );
    // 2: something else, the main menu; nothing is cancelled.
    let (state, steps) = run(&w, keys_at(&["2"]));
    assert!(steps.iter().all(|s| s.effects.is_empty()));
    assert_eq!((state.phase, state.later), (Phase::Menu, None));
}

#[test]
fn where_a_caller_is_in_the_later_menus_is_stored_as_one_word_and_read_back() {
    let day = date(2026, 12, 8);
    for later in [
        Later::NowOrLater,
        Later::Day { first: 3 },
        Later::Part { day },
        Later::Hour { day, part: Part::Afternoon, first: 14 },
        Later::Half { day, hour: 10 },
        Later::Check { at: day.at(10, 30, 0, 0) },
        Later::Upcoming,
        Later::CancelSure,
        Later::WhereTo,
    ] {
        assert_eq!(Later::parse(&later.as_str()), Some(later), "{}", later.as_str());
    }
    assert_eq!(Later::parse("hour:2026-12-08:4:10"), None);
    assert_eq!(Later::parse("day:1:2"), None);
    assert_eq!(Later::parse("soon"), None);
}

/// Issue 28: Jan helps, with two planned helps to come and two open requests he may take.
fn helper_with_agenda() -> World {
    use crate::domain::own::{Agenda, Planned};
    let mut w = registered();
    let planned = |id, day, hour, requester: &str, street: Option<&str>, before_yes, category: &str| Planned {
        id,
        at: date(2026, 12, day).at(hour, 0, 0, 0),
        requester: requester.into(),
        street: street.map(str::to_string),
        street_before_yes: before_yes,
        where_to: None,
        category: category.into(),
    };
    if let Some(own) = w.caller.own.as_mut() {
        own.agenda = Agenda {
            mine: vec![
                planned(11, 1, 10, "Els", Some("Dorpsweg"), true, "transport"),
                planned(12, 3, 14, "Bert", None, true, "shopping"),
            ],
            open: vec![
                planned(21, 2, 9, "Piet", Some("Molenweg"), false, "odd-jobs"),
                planned(22, 4, 11, "Kees", Some("Laan"), true, "shopping"),
            ],
        };
    }
    w
}

/// 8, 4, then `keys`, for `w`'s caller.
fn agenda_then(w: &World, keys: &[Option<&str>]) -> (CallState, Vec<Step>) {
    let mut events = vec![
        (t(0), Event::Incoming, None),
        (t(10), Event::MenuKey(key("8")), None),
        (t(20), Event::SettingsKey(key("4")), None),
    ];
    for (i, k) in keys.iter().enumerate() {
        events.push((t(30 + 10 * i as i64), Event::SettingsKey(k.map(str::to_string)), None));
    }
    run(w, events)
}

/// The choices a menu says: each "Toets ..." (0 and `*` included; 9, which says it again,
/// is not one).
fn choices_said(step: &Step) -> usize {
    step.reply
        .iter()
        .filter_map(|a| match a {
            Action::Gather { say, .. } => Some(say),
            _ => None,
        })
        .flatten()
        .map(|s| match s {
            Speech::Text { text, .. } => text.matches("Toets ").count() - text.matches("Toets 9.").count(),
            _ => 0,
        })
        .sum()
}

#[test]
fn a_helper_hears_their_planned_help_after_four_one_by_one_and_cancels_it_when_asked_again() {
    let w = helper_with_agenda();
    let (_, steps) = agenda_then(&w, &[Some("1"), Some("2"), Some("*"), Some("1"), Some("1"), Some("1")]);
    // The top level keeps its three choices; 4 says it leads on.
    let top = describe(&steps[1]);
    assert!(
        top.contains("Wilt u horen waarvoor en wanneer wij u bellen, en uw hulp op een andere dag? Toets 4."),
        "{top}"
    );
    assert_eq!(choices_said(&steps[1]), 5, "1, 4, 5, 0 and *: {top}");
    check(
        &steps[2],
        expect![[r#"
            say Wij bellen u voor boodschappen en een praatje of wat gezelschap.
            say Wij bellen u op maandag tot en met vrijdag, van 9 uur tot 17 uur.
            gather 8s -> Settings: Dan uw hulp op een andere dag. | Wilt u uw afspraken horen? Toets 1. | Wilt u horen wie er hulp vraagt op een andere dag? Toets 2. | Wilt u iemand van de balie spreken? Toets 0. | Terug? Toets sterretje.
            redirect Settings
            phase Settings
        "#]],
    );
    check(
        &steps[3],
        expect![[r#"
            gather 8s -> Settings: Op dinsdag 1 december om 10 uur helpt u Els uit de Dorpsweg, met vervoer, bijvoorbeeld naar de dokter of het ziekenhuis. | Kunt u toch niet? Toets 1. | De volgende afspraak? Toets 2. | Wilt u iemand van de balie spreken? Toets 0. | Terug? Toets sterretje.
            redirect Settings
            phase Settings
        "#]],
    );
    let next = describe(&steps[4]);
    assert!(next.contains("Op donderdag 3 december om 14 uur helpt u Bert, met boodschappen."), "{next}");
    assert!(next.contains("Dat was uw laatste afspraak.") && !next.contains("Toets 2."), "{next}");
    assert!(describe(&steps[5]).contains("Dan uw hulp op een andere dag."), "* is one back: {}", describe(&steps[5]));
    check(
        &steps[7],
        expect![[r#"
            gather 8s -> Settings: Weet u het zeker? Dan laten we Els weten dat u op dinsdag 1 december om 10 uur niet kunt. Afzeggen? Toets 1. Toch houden? Toets 2. | Wilt u iemand van de balie spreken? Toets 0. | Terug? Toets sterretje.
            redirect Settings
            phase Settings
        "#]],
    );
    assert!(steps[..8].iter().all(|s| s.effects.is_empty()), "nothing is done before the second 1");
    check(
        &steps[8],
        expect![[r#"
            say Jammer, maar fijn dat u het zegt. We laten Els het weten, en zoeken iemand anders. Dank u wel.
            gather 8s -> Settings: Wilt u nog iets anders? Kies dan nu. Of hang gewoon op. | Wilt u een week niet gebeld worden? Toets 1. | Wilt u horen waarvoor en wanneer wij u bellen, en uw hulp op een andere dag? Toets 4. | Wilt u andere keuzes horen? Toets 5. | Wilt u iemand van de balie spreken? Toets 0. | Terug naar het begin? Toets sterretje. | Wilt u dit nog een keer horen? Toets 9.
            redirect Settings
            effect PlannedWithdrawn { id: 11 }
            phase Settings
        "#]],
    );
    // "Toch houden": kept, and the same one is said again.
    let (_, steps) = agenda_then(&w, &[Some("1"), Some("1"), Some("2")]);
    let kept = describe(&steps[5]);
    assert!(kept.starts_with("gather 8s -> Settings: Goed, de hulp blijft staan. | Op dinsdag 1 december"), "{kept}");
    assert!(steps[5].effects.is_empty(), "{kept}");
}

#[test]
fn open_requests_are_said_one_by_one_a_no_is_thanked_and_a_yes_takes_it() {
    let w = helper_with_agenda();
    let (_, steps) = agenda_then(&w, &[Some("2"), Some("2"), Some("1")]);
    // Piet wants his street said only after a yes: "uit de buurt", as on the call ahead.
    check(
        &steps[3],
        expect![[r#"
            gather 8s -> Settings: Piet uit de buurt vraagt om hulp op woensdag 2 december om 9 uur. Het gaat om een klusje in of om het huis. | Kunt u dan helpen? Toets 1. Komt het niet uit? Toets 2. Dat is helemaal goed. | Wilt u iemand van de balie spreken? Toets 0. | Terug? Toets sterretje.
            redirect Settings
            effect PlannedOffered { id: 21 }
            phase Settings
        "#]],
    );
    check(
        &steps[4],
        expect![[r#"
            gather 8s -> Settings: Geen probleem. Dank u wel. | Kees uit de Laan vraagt om hulp op vrijdag 4 december om 11 uur. Het gaat om boodschappen. | Kunt u dan helpen? Toets 1. Komt het niet uit? Toets 2. Dat is helemaal goed. | Wilt u iemand van de balie spreken? Toets 0. | Terug? Toets sterretje.
            redirect Settings
            effect PlannedPassed { id: 21 }
            effect PlannedOffered { id: 22 }
            phase Settings
        "#]],
    );
    let taken = describe(&steps[5]);
    assert!(taken.starts_with("say Dank u wel! We laten Kees weten dat u komt.\ngather"), "{taken}");
    assert!(taken.contains("effect PlannedTaken { id: 22 }"), "{taken}");
    // A yes on Piet's: his street now, as after a yes on the call ahead.
    let (_, steps) = agenda_then(&w, &[Some("2"), Some("1")]);
    let taken = describe(&steps[4]);
    assert!(
        taken.starts_with("say Piet woont in de Molenweg.\nsay Dank u wel! We laten Piet weten dat u komt."),
        "{taken}"
    );
    // The last one passed: thanked, nothing more, back to the top level.
    let (_, steps) = agenda_then(&w, &[Some("2"), Some("2"), Some("2")]);
    let last = describe(&steps[5]);
    assert!(last.starts_with("say Geen probleem. Dank u wel.\nsay Er zijn nu geen andere vragen.\ngather"), "{last}");
    assert!(last.contains("effect PlannedPassed { id: 22 }") && !last.contains("PlannedOffered"), "{last}");
}

#[test]
fn every_menu_of_a_helpers_help_for_later_says_at_most_five_choices_and_never_a_number() {
    let w = helper_with_agenda();
    for keys in [
        vec![],
        vec![Some("1")],
        vec![Some("1"), Some("1")],
        vec![Some("1"), Some("2")],
        vec![Some("2")],
        vec![Some("2"), Some("2")],
    ] {
        let (_, steps) = agenda_then(&w, &keys);
        let last = steps.last().unwrap();
        assert!(choices_said(last) <= 5, "{keys:?}: {}", describe(last));
        assert!(!describe(last).contains("+31"), "{}", describe(last));
    }
    // Without help for later, 4 is what it always was: the read-out, then the top level.
    let (_, steps) = agenda_then(&registered(), &[]);
    assert!(describe(&steps[2]).contains("Wilt u nog iets anders?"), "{}", describe(&steps[2]));
    assert!(!describe(&steps[1]).contains("andere dag"), "{}", describe(&steps[1]));
}

#[test]
fn zero_and_two_silences_in_a_helpers_help_for_later_reach_a_person() {
    let w = helper_with_agenda();
    let (state, steps) = agenda_then(&w, &[Some("2"), Some("0")]);
    assert!(describe(&steps[4]).contains("dial desk"), "{}", describe(&steps[4]));
    assert_eq!((state.phase, state.later), (Phase::Desk, None));
    let (state, steps) = agenda_then(&w, &[Some("1"), None, None]);
    assert!(describe(&steps[4]).contains("Wilt u meer tijd? Toets 1."), "{}", describe(&steps[4]));
    assert!(describe(&steps[5]).starts_with("say Dat geeft niets. Ik help u verder."), "{}", describe(&steps[5]));
    assert_eq!(state.phase, Phase::Desk);
    // More time once: the same one again, with longer to choose.
    let (_, steps) = agenda_then(&w, &[Some("1"), None, Some("1")]);
    let again = describe(&steps[5]);
    assert!(again.starts_with("gather 16s -> Settings: Neemt u rustig de tijd.") && again.contains("Els"), "{again}");
    // A wrong key twice: a person.
    let (state, _) = agenda_then(&w, &[Some("2"), Some("7"), Some("7")]);
    assert_eq!(state.phase, Phase::Desk);
}

#[test]
fn a_request_that_changed_since_it_was_said_is_not_acted_on() {
    let mut w = helper_with_agenda();
    let (state, _) = agenda_then(&w, &[Some("2")]);
    // Taken by someone else between the two webhooks: gone from the list.
    if let Some(own) = w.caller.own.as_mut() {
        own.agenda.open.retain(|p| p.id != 21);
    }
    let ctx = plain_ctx(&w, t(60), false);
    let step = step(state, Event::SettingsKey(key("1")), &ctx);
    let said = describe(&step);
    assert!(
        said.starts_with("gather 8s -> Settings: Dat is intussen veranderd. | Dan uw hulp op een andere dag."),
        "{said}"
    );
    assert!(!said.contains("PlannedTaken"), "{said}");
}

#[test]
fn where_a_helper_is_in_their_help_for_later_is_one_stored_word() {
    use super::agenda::At;
    for at in [At::Menu, At::Mine { id: 3 }, At::MineSure { id: 4 }, At::Open { id: 5 }] {
        let later = Later::Agenda(at);
        assert_eq!(Later::parse(&later.as_str()), Some(later));
    }
    assert_eq!(Later::parse("agenda-open:x"), None);
}

/// A kind of help marked `later_where`: after the read-back the request is taken first, then
/// "where to" is recorded (at most 20 seconds, # ends it); what was said is kept for the
/// request, and nothing said is fine.
#[test]
fn where_to_is_recorded_after_the_request_is_taken_and_nothing_said_is_fine() {
    let mut w = planner();
    w.plan.categories.iter_mut().find(|c| c.key == "transport").unwrap().where_to = true;
    let mut events = keys_at(&["2", "2", "1", "1", "3", "1"]);
    let recorded = |url: Option<&str>, seconds| Event::Recorded {
        recording_url: url.map(str::to_string),
        duration_seconds: seconds,
    };
    events.push((t(200), recorded(Some("https://api.example/Recordings/RE1"), 7), None));
    let (state, steps) = run(&w, events.clone());
    check(
        &steps[6],
        expect![[r#"
            say Dank u wel. We vragen de buren en bellen u altijd terug.
            say Waar gaat u heen? Zeg het na de piep, toets dan een hekje.
            record 20s silence 5s done Recorded
            redirect Recorded
            effect PlannedAsked { category: "transport", at: 2026-11-25T10:30:00 }
            phase Ended { outcome: Planned, from: Menu }
        "#]],
    );
    check(
        &steps[7],
        expect![[r#"
            say Dank u wel. Tot ziens.
            hangup
            effect PlannedWhereTo { recording_url: "https://api.example/Recordings/RE1", duration_seconds: 7 }
            phase Ended { outcome: Planned, from: Menu }
        "#]],
    );
    assert_eq!(state.later, None);
    // Nothing recorded (silence, or # at once): the request stands, no recording is kept.
    for nothing in [recorded(None, 0), recorded(Some("https://api.example/Recordings/RE2"), 0)] {
        let mut events = events.clone();
        events.last_mut().unwrap().1 = nothing;
        let (_, steps) = run(&w, events);
        check(
            &steps[7],
            expect![[r#"
            say Dank u wel. Tot ziens.
            hangup
            phase Ended { outcome: Planned, from: Menu }
        "#]],
        );
    }
    // Without `later_where` the call ends after the read-back, as before.
    w.plan.categories.iter_mut().find(|c| c.key == "transport").unwrap().where_to = false;
    let (_, steps) = run(&w, keys_at(&["2", "2", "1", "1", "3", "1"]));
    assert!(describe(&steps[6]).contains("hangup") && !describe(&steps[6]).contains("record"));
}

/// Under 8, an open request and one's own planned help say "where to" after the request,
/// in the requester's own words, when they made a recording.
#[test]
fn under_eight_where_to_follows_the_request_when_there_is_one() {
    let mut w = helper_with_agenda();
    if let Some(own) = w.caller.own.as_mut() {
        own.agenda.open[0].where_to = Some("where/0123".into());
        own.agenda.mine[0].where_to = Some("where/4567".into());
    }
    let (_, steps) = agenda_then(&w, &[Some("2"), Some("2")]);
    let open = describe(&steps[3]);
    assert!(
        open.contains("om 9 uur. Het gaat om een klusje in of om het huis. | Waar naartoe? Piet zegt het zelf: | [audio where/0123] | Kunt u dan helpen?"),
        "{open}"
    );
    assert!(!describe(&steps[4]).contains("[audio"), "Kees made no recording");
    let (_, steps) = agenda_then(&w, &[Some("1")]);
    assert!(
        describe(&steps[3]).contains("Waar naartoe? Els zegt het zelf: | [audio where/4567]"),
        "{}",
        describe(&steps[3])
    );
}
