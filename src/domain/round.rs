//! The good-morning round (issue 16): every morning the switchboard calls
//! a resident who lives alone; when nobody answers after a few tries, their contacts are
//! called one by one; when no contact says they will go and look, the desk is alerted.
//!
//! Pure, like the call flow: `when(...)` says whether a resident's round is due, and
//! `step(morning, event, ctx) -> (morning, commands)` moves one morning's round on. The
//! application layer keeps each morning as a row, so a restart loses nothing and a
//! resident is never called twice for one morning (`switchboard::round` runs it, `store::round`
//! keeps it).

use jiff::civil::{Date, DateTime, Time};
use jiff::{SignedDuration, Timestamp};

/// How late a round may still be made after its time (the service was down): later than
/// this it is not made up, and the desk hears that it could not be made.
pub const MAKE_UP_MINUTES: i64 = 30;

/// One resident's place in the round.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Enrolment {
    /// Their time, in the neighbourhood's time zone.
    pub at: Time,
    /// The days of the round (Monday = bit 0), as availability writes them.
    pub days: u8,
    /// Minutes between two tries when nobody answers.
    pub retry_minutes: u32,
    /// Tries before the contacts are called.
    pub tries: u32,
    /// How many contacts they have, tried in order.
    pub contacts: usize,
    /// No round on these days (away): from, until (inclusive).
    pub away: Option<(Date, Date)>,
    /// No round until they call again (8 by phone, or the desk).
    pub paused: bool,
}

pub const DEFAULT_RETRY_MINUTES: u32 = 10;
pub const DEFAULT_TRIES: u32 = 3;

/// Whether a resident's round is to be made now, from the local time and the last morning
/// that was made (or given up).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Due {
    /// Nothing to do now; the next round is at this local time (if any is coming).
    Later(Option<DateTime>),
    /// Call now, for this morning.
    Now(Date),
    /// The round of this morning was missed by more than `MAKE_UP_MINUTES` (the service was
    /// down): not made up; the desk is told it could not be made.
    Missed(Date),
}

/// Whether `e`'s round is due at `now` (local), given the last morning already handled.
/// `ringing` says whether the switchboard may ring at a local time (the dialplan's hours).
pub fn when(e: &Enrolment, last_handled: Option<Date>, now: DateTime, ringing: impl Fn(DateTime) -> bool) -> Due {
    let today = now.date();
    let on = |d: Date| {
        let day_bit = 1u8 << d.weekday().to_monday_zero_offset();
        !e.paused && e.days & day_bit != 0 && !e.away.is_some_and(|(from, until)| from <= d && d <= until)
    };
    if on(today) && last_handled.is_none_or(|d| d < today) {
        let at = today.to_datetime(e.at);
        let late = now.duration_since(at);
        if late >= SignedDuration::ZERO {
            if late <= SignedDuration::from_mins(MAKE_UP_MINUTES) && ringing(now) {
                return Due::Now(today);
            }
            return Due::Missed(today);
        }
        return Due::Later(Some(at));
    }
    // The next morning of the round, within two weeks.
    let next = (1..=14).map(|n| today.saturating_add(jiff::Span::new().days(n))).find(|d| on(*d));
    Due::Later(next.map(|d| d.to_datetime(e.at)))
}

/// Who a call of the round is to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Who {
    /// The resident, try `n` (1-based).
    Resident(u32),
    /// Contact `index` (0-based).
    Contact(usize),
    /// The desk phone (in office hours, when nobody confirmed).
    Desk,
}

impl Who {
    pub fn kind(self) -> &'static str {
        match self {
            Who::Resident(_) => "resident",
            Who::Contact(_) => "contact",
            Who::Desk => "desk",
        }
    }

    pub fn n(self) -> u32 {
        match self {
            Who::Resident(n) => n,
            Who::Contact(i) => i as u32,
            Who::Desk => 0,
        }
    }

    pub fn from_parts(kind: &str, n: u32) -> Option<Who> {
        Some(match kind {
            "resident" => Who::Resident(n),
            "contact" => Who::Contact(n as usize),
            "desk" => Who::Desk,
            _ => return None,
        })
    }

    /// How the call's end reads as an event of the morning (the desk phone's is none).
    pub fn event(self, reached: Reached) -> Option<Event> {
        match self {
            Who::Resident(n) => Some(Event::Resident { n, reached }),
            Who::Contact(index) => Some(Event::Contact { index, reached }),
            Who::Desk => None,
        }
    }
}

/// Where one morning's round stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stage {
    /// The resident's phone is ringing (try `n`, 1-based).
    CallingResident { n: u32 },
    /// Nobody answered try `n`; the next try is at `next_at`.
    Waiting { n: u32, next_at: Timestamp },
    /// Contact `index` (0-based) is being called.
    CallingContact { index: usize },
    /// Over: the resident pressed 1.
    Answered,
    /// Over: the resident pressed 2 and went on to the main menu (a request for help).
    AskedForHelp,
    /// Over: contact `index` pressed 1: they go and look.
    Confirmed { index: usize },
    /// Over: nobody answered and no contact confirmed; the desk was alerted.
    DeskAlerted,
    /// Over: the round could not be made this morning (the service was down past its
    /// time, or outside the ringing hours); the desk was told.
    Missed,
}

impl Stage {
    pub fn is_over(&self) -> bool {
        matches!(
            self,
            Stage::Answered | Stage::AskedForHelp | Stage::Confirmed { .. } | Stage::DeskAlerted | Stage::Missed
        )
    }
}

/// One morning of one resident.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Morning {
    pub date: Date,
    pub stage: Stage,
}

/// What became of one call of the round: the word stored in `round_calls.result`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoundResult {
    /// The resident pressed 1: all well.
    Answered,
    /// The resident pressed 2: they asked for help.
    AskedForHelp,
    /// A contact pressed 1: they go and look.
    Confirmed,
    /// A contact pressed another key: they cannot.
    Declined,
    /// Picked up, no key (often a voicemail box).
    NoKey,
    NoAnswer,
    Busy,
    Failed,
    /// Stopped by the switchboard.
    Canceled,
    /// The desk's phone: the desk heard the alert.
    Heard,
    /// The end was never reported (an outage): counts as not answered.
    NeverReported,
}

impl RoundResult {
    pub const ALL: [RoundResult; 11] = [
        RoundResult::Answered,
        RoundResult::AskedForHelp,
        RoundResult::Confirmed,
        RoundResult::Declined,
        RoundResult::NoKey,
        RoundResult::NoAnswer,
        RoundResult::Busy,
        RoundResult::Failed,
        RoundResult::Canceled,
        RoundResult::Heard,
        RoundResult::NeverReported,
    ];

    /// The stored word; `parse` is its inverse.
    pub fn as_str(self) -> &'static str {
        match self {
            RoundResult::Answered => "answered",
            RoundResult::AskedForHelp => "asked-for-help",
            RoundResult::Confirmed => "confirmed",
            RoundResult::Declined => "declined",
            RoundResult::NoKey => "no-key",
            RoundResult::NoAnswer => "no-answer",
            RoundResult::Busy => "busy",
            RoundResult::Failed => "failed",
            RoundResult::Canceled => "canceled",
            RoundResult::Heard => "heard",
            RoundResult::NeverReported => "never-reported",
        }
    }

    pub fn parse(s: &str) -> Option<RoundResult> {
        RoundResult::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The rule "a key beats an end without a key": whether `self` is stored over the
    /// result a call already has (`None`: none yet). Twilio reports a call's end as soon
    /// as it ends, so the end may come before the key pressed in it: a key that moves the
    /// morning (1 or 2 from the resident, 1 from a contact) replaces an end without a key;
    /// nothing else replaces anything, so only the first result counts.
    pub fn replaces(self, earlier: Option<RoundResult>) -> bool {
        let Some(earlier) = earlier else { return true };
        let counts_over_an_end =
            matches!(self, RoundResult::Answered | RoundResult::AskedForHelp | RoundResult::Confirmed);
        let an_end_without_a_key = matches!(
            earlier,
            RoundResult::NoKey
                | RoundResult::NoAnswer
                | RoundResult::Busy
                | RoundResult::Failed
                | RoundResult::Canceled
                | RoundResult::NeverReported
        );
        counts_over_an_end && an_end_without_a_key
    }
}

/// How a call of the round ended, as the provider reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reached {
    /// Picked up and pressed this key.
    Key(char),
    /// Picked up but pressed nothing (often a voicemail box): not answered.
    NoKey,
    NoAnswer,
    Busy,
    Failed,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// Start this morning's round (`when` said `Now`).
    Start,
    /// Time passes (the minute job): a retry may be due.
    Tick,
    /// How the resident's try `n` ended.
    Resident { n: u32, reached: Reached },
    /// How the call to contact `index` ended.
    Contact { index: usize, reached: Reached },
}

/// What the round asks of the world, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    CallResident {
        n: u32,
    },
    CallContact {
        index: usize,
    },
    /// Urgent follow-up for the desk, at the top of the queue, with the morning's tries.
    AlertDesk,
    /// In office hours: ring the desk phone with the same message.
    RingDesk,
}

pub struct Context {
    pub now: Timestamp,
    pub retry_minutes: u32,
    pub tries: u32,
    pub contacts: usize,
    /// The desk is open now (its phone is rung too).
    pub desk_open: bool,
}

/// Starts a morning (`Event::Start`), or moves it on. A report that does not fit the stage
/// (a duplicate, or one for an earlier try) changes nothing.
pub fn step(morning: Option<Morning>, date: Date, event: Event, ctx: &Context) -> (Option<Morning>, Vec<Command>) {
    let mut out = Vec::new();
    let Some(mut m) = morning else {
        if event != Event::Start {
            return (None, out);
        }
        out.push(Command::CallResident { n: 1 });
        return (Some(Morning { date, stage: Stage::CallingResident { n: 1 } }), out);
    };
    match (m.stage.clone(), event) {
        (Stage::CallingResident { n }, Event::Resident { n: reported, reached }) if n == reported => match reached {
            Reached::Key('1') => m.stage = Stage::Answered,
            Reached::Key('2') => m.stage = Stage::AskedForHelp,
            _ if n < ctx.tries => {
                let next_at = ctx.now + SignedDuration::from_mins(i64::from(ctx.retry_minutes));
                m.stage = Stage::Waiting { n, next_at };
            }
            _ => next_contact(&mut m, 0, ctx, &mut out),
        },
        // A key whose webhook arrived after the call's status callback (Twilio sends the final
        // status as soon as the call ends, so the two may come in either order): she is
        // fine after all, or asks for help; the retry is not made.
        (Stage::Waiting { n, .. }, Event::Resident { n: reported, reached: Reached::Key(k @ ('1' | '2')) })
            if n == reported =>
        {
            m.stage = if k == '1' { Stage::Answered } else { Stage::AskedForHelp };
        }
        (Stage::CallingContact { .. }, Event::Resident { n: reported, reached: Reached::Key(k @ ('1' | '2')) })
            if reported == ctx.tries =>
        {
            m.stage = if k == '1' { Stage::Answered } else { Stage::AskedForHelp };
        }
        (Stage::Waiting { n, next_at }, Event::Tick) if ctx.now >= next_at => {
            m.stage = Stage::CallingResident { n: n + 1 };
            out.push(Command::CallResident { n: n + 1 });
        }
        (Stage::CallingContact { index }, Event::Contact { index: reported, reached }) if index == reported => {
            match reached {
                Reached::Key('1') => m.stage = Stage::Confirmed { index },
                _ => next_contact(&mut m, index + 1, ctx, &mut out),
            }
        }
        // A late yes from a contact already passed over still counts: they go and look.
        (Stage::CallingContact { .. } | Stage::DeskAlerted, Event::Contact { index, reached: Reached::Key('1') }) => {
            m.stage = Stage::Confirmed { index };
        }
        _ => {}
    }
    (Some(m), out)
}

fn next_contact(m: &mut Morning, index: usize, ctx: &Context, out: &mut Vec<Command>) {
    if index < ctx.contacts {
        m.stage = Stage::CallingContact { index };
        out.push(Command::CallContact { index });
    } else {
        m.stage = Stage::DeskAlerted;
        out.push(Command::AlertDesk);
        if ctx.desk_open {
            out.push(Command::RingDesk);
        }
    }
}

/// What the round's calls say, as provider-neutral actions.
pub mod say {
    use super::super::action::{Action, Next};
    use super::super::prompts::{PromptKey, Prompts};

    /// Seconds to wait for a key: older people may need a moment.
    pub const KEY_SECONDS: u32 = 8;

    /// Who the resident is greeted as, and when.
    #[derive(Clone, Copy, Debug)]
    pub struct Greeting<'a> {
        pub first_name: &'a str,
        /// The local hour: good morning, afternoon or evening.
        pub hour: i8,
        /// Their first morning of the round: what it is is said too.
        pub first_time: bool,
    }

    /// The resident picks up: the greeting, what the round is (on the first morning), and
    /// the two choices; asked twice before hanging up (a voicemail box hears it too, and
    /// presses nothing: not answered).
    pub fn resident(p: &Prompts, greeting: Greeting<'_>, morning: i64, n: u32) -> Vec<Action> {
        let Greeting { first_name, hour, first_time } = greeting;
        let mut say = vec![p.speech(PromptKey::RoundGreeting, &[("daypart", &p.daypart(hour)), ("name", first_name)])];
        if first_time {
            say.push(p.speech(PromptKey::RoundWhatItIs, &[]));
        }
        say.extend(choices(p));
        again(p, say, morning, n)
    }

    fn choices(p: &Prompts) -> Vec<super::super::prompts::Speech> {
        [PromptKey::RoundQuestion, PromptKey::RoundAsk, PromptKey::MenuRepeatHint].map(|k| p.speech(k, &[])).to_vec()
    }

    fn again(p: &Prompts, say: Vec<super::super::prompts::Speech>, morning: i64, n: u32) -> Vec<Action> {
        let next = Next::RoundKey { morning, n };
        vec![
            Action::Gather { say, timeout_seconds: KEY_SECONDS, next },
            Action::Gather { say: choices(p), timeout_seconds: KEY_SECONDS, next },
        ]
        .into_iter()
        .chain(no_key(p))
        .collect()
    }

    /// 9, or a key the round does not know: the choices again.
    pub fn resident_again(p: &Prompts, unknown: bool, morning: i64, n: u32) -> Vec<Action> {
        let mut say = Vec::new();
        if unknown {
            say.push(p.speech(PromptKey::RoundUnknownKey, &[]));
        }
        say.extend(choices(p));
        again(p, say, morning, n)
    }

    /// Nothing pressed through every asking: the goodbye that follows them.
    pub fn no_key(p: &Prompts) -> Vec<Action> {
        vec![Action::Say(p.speech(PromptKey::RoundNoKey, &[])), Action::Hangup]
    }

    /// 1: all is well.
    pub fn fine(p: &Prompts) -> Vec<Action> {
        vec![Action::Say(p.speech(PromptKey::RoundFine, &[])), Action::Hangup]
    }

    /// A contact picks up: who did not answer (first name and street only), and the question.
    pub fn contact(p: &Prompts, resident: &str, street: &str, morning: i64, index: usize) -> Vec<Action> {
        let alert = if street.is_empty() {
            p.speech(PromptKey::ContactAlertName, &[("resident", resident)])
        } else {
            p.speech(PromptKey::ContactAlert, &[("resident", resident), ("street", street)])
        };
        let question = || p.speech(PromptKey::ContactQuestion, &[("resident", resident)]);
        let next = Next::ContactKey { morning, index };
        vec![
            Action::Gather { say: vec![alert, question()], timeout_seconds: KEY_SECONDS, next },
            Action::Gather { say: vec![question()], timeout_seconds: KEY_SECONDS, next },
            Action::Hangup,
        ]
    }

    /// A contact's key: a 1 is thanked and so is anything else.
    pub fn contact_key(p: &Prompts, resident: &str, yes: bool) -> Vec<Action> {
        let said = if yes {
            p.speech(PromptKey::ContactThanks, &[("resident", resident)])
        } else {
            p.speech(PromptKey::ContactNotNow, &[])
        };
        vec![Action::Say(said), Action::Hangup]
    }

    /// The desk phone, in office hours, when nobody confirmed: the message twice.
    pub fn desk(p: &Prompts, resident: &str) -> Vec<Action> {
        let said = || Action::Say(p.speech(PromptKey::DeskAlert, &[("resident", resident)]));
        vec![said(), Action::Pause(1), said(), Action::Hangup]
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn each_round_result_is_stored_as_its_own_word_and_a_key_beats_an_end_without_a_key() {
        for r in RoundResult::ALL {
            assert_eq!(RoundResult::parse(r.as_str()), Some(r), "{r:?}");
            assert!(r.replaces(None), "{r:?} is stored on a call without a result");
        }
        assert_eq!(RoundResult::parse("no_key"), None);
        use RoundResult::*;
        let cases = [
            // (later, earlier, stored)
            (Answered, NoKey, true),
            (AskedForHelp, NoAnswer, true),
            (Confirmed, NeverReported, true),
            (Answered, Canceled, true),
            (Answered, Busy, true),
            (Confirmed, Failed, true),
            (Answered, Answered, false),
            (AskedForHelp, Answered, false),
            (NoKey, Answered, false),
            (NoAnswer, NoKey, false),
            (NeverReported, NoAnswer, false),
            (Declined, NoKey, false),
            (Confirmed, Declined, false),
            (Answered, Heard, false),
            (Heard, NoAnswer, false),
        ];
        for (later, earlier, stored) in cases {
            assert_eq!(later.replaces(Some(earlier)), stored, "{later:?} over {earlier:?}");
        }
    }
    use super::*;
    use jiff::civil::{date, time};

    fn anna() -> Enrolment {
        Enrolment {
            at: time(9, 30, 0, 0),
            days: 0b001_1111,
            retry_minutes: DEFAULT_RETRY_MINUTES,
            tries: DEFAULT_TRIES,
            contacts: 2,
            away: None,
            paused: false,
        }
    }

    fn always(_: DateTime) -> bool {
        true
    }

    /// Wednesday 2 December 2026.
    fn wed(h: i8, m: i8) -> DateTime {
        date(2026, 12, 2).at(h, m, 0, 0)
    }

    #[test]
    fn a_round_is_due_at_its_time_once_a_morning_and_made_up_for_half_an_hour() {
        let e = anna();
        assert_eq!(when(&e, None, wed(9, 29), always), Due::Later(Some(wed(9, 30))));
        assert_eq!(when(&e, None, wed(9, 30), always), Due::Now(date(2026, 12, 2)));
        assert_eq!(when(&e, None, wed(10, 0), always), Due::Now(date(2026, 12, 2)), "back within 30 minutes");
        assert_eq!(when(&e, None, wed(10, 1), always), Due::Missed(date(2026, 12, 2)), "too late: the desk hears");
        // Made (or given up) this morning: never twice.
        let next = date(2026, 12, 3).at(9, 30, 0, 0);
        assert_eq!(when(&e, Some(date(2026, 12, 2)), wed(9, 31), always), Due::Later(Some(next)));
        // Weekdays only: Friday's next is Monday.
        let fri = date(2026, 12, 4).at(10, 5, 0, 0);
        assert_eq!(when(&e, Some(date(2026, 12, 4)), fri, always), Due::Later(Some(date(2026, 12, 7).at(9, 30, 0, 0))));
        // Outside the ringing hours it is not made.
        assert_eq!(when(&e, None, wed(9, 30), |_| false), Due::Missed(date(2026, 12, 2)));
    }

    #[test]
    fn days_off_and_a_pause_skip_the_round() {
        let mut e = anna();
        e.away = Some((date(2026, 12, 2), date(2026, 12, 3)));
        assert_eq!(when(&e, None, wed(9, 30), always), Due::Later(Some(date(2026, 12, 4).at(9, 30, 0, 0))));
        e.away = None;
        e.paused = true;
        assert_eq!(when(&e, None, wed(9, 30), always), Due::Later(None));
    }

    fn ctx(now: Timestamp) -> Context {
        Context { now, retry_minutes: 10, tries: 3, contacts: 2, desk_open: true }
    }

    fn at(mins: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000).unwrap() + SignedDuration::from_mins(mins)
    }

    #[test]
    fn anna_answers_and_presses_one() {
        let d = date(2026, 12, 2);
        let (m, out) = step(None, d, Event::Start, &ctx(at(0)));
        assert_eq!(out, [Command::CallResident { n: 1 }]);
        let (m, out) = step(m, d, Event::Resident { n: 1, reached: Reached::Key('1') }, &ctx(at(1)));
        assert_eq!(m.as_ref().map(|m| &m.stage), Some(&Stage::Answered));
        assert!(out.is_empty());
        // The same report again changes nothing.
        let (again, out) = step(m.clone(), d, Event::Resident { n: 1, reached: Reached::NoKey }, &ctx(at(2)));
        assert_eq!((again, out), (m, vec![]));
    }

    #[test]
    fn three_tries_then_the_contacts_one_by_one_then_the_desk() {
        let d = date(2026, 12, 2);
        let (mut m, _) = step(None, d, Event::Start, &ctx(at(0)));
        for n in 1..=2 {
            let (next, out) =
                step(m, d, Event::Resident { n, reached: Reached::NoAnswer }, &ctx(at(i64::from(n) * 10)));
            assert!(out.is_empty(), "waits before trying again");
            let (early, out) = step(next.clone(), d, Event::Tick, &ctx(at(i64::from(n) * 10 + 5)));
            assert_eq!((early, out), (next.clone(), vec![]), "not before the ten minutes");
            let (next, out) = step(next, d, Event::Tick, &ctx(at(i64::from(n) * 10 + 10)));
            assert_eq!(out, [Command::CallResident { n: n + 1 }]);
            m = next;
        }
        // Her voicemail picks up on the third try: not answered.
        let (m, out) = step(m, d, Event::Resident { n: 3, reached: Reached::NoKey }, &ctx(at(40)));
        assert_eq!(out, [Command::CallContact { index: 0 }]);
        let (m, out) = step(m, d, Event::Contact { index: 0, reached: Reached::Busy }, &ctx(at(41)));
        assert_eq!(out, [Command::CallContact { index: 1 }]);
        let (m, out) = step(m, d, Event::Contact { index: 1, reached: Reached::NoKey }, &ctx(at(42)));
        assert_eq!(out, [Command::AlertDesk, Command::RingDesk]);
        assert_eq!(m.as_ref().map(|m| m.stage.is_over()), Some(true));
        // The first contact calls back and presses 1 after all: they go and look.
        let (m, _) = step(m, d, Event::Contact { index: 0, reached: Reached::Key('1') }, &ctx(at(50)));
        assert_eq!(m.map(|m| m.stage), Some(Stage::Confirmed { index: 0 }));
    }

    #[test]
    fn the_first_contact_confirms_and_the_desk_is_rung_only_in_office_hours() {
        let d = date(2026, 12, 2);
        let one_try = Context { tries: 1, ..ctx(at(0)) };
        let (m, _) = step(None, d, Event::Start, &one_try);
        let (m, out) = step(m, d, Event::Resident { n: 1, reached: Reached::NoAnswer }, &one_try);
        assert_eq!(out, [Command::CallContact { index: 0 }]);
        let (m, out) = step(m, d, Event::Contact { index: 0, reached: Reached::Key('1') }, &one_try);
        assert_eq!((m.map(|m| m.stage), out), (Some(Stage::Confirmed { index: 0 }), vec![]));
        let closed = Context { tries: 1, contacts: 0, desk_open: false, ..ctx(at(0)) };
        let (m, _) = step(None, d, Event::Start, &closed);
        let (_, out) = step(m, d, Event::Resident { n: 1, reached: Reached::Failed }, &closed);
        assert_eq!(out, [Command::AlertDesk], "the desk phone is not rung when it is closed");
    }

    #[test]
    fn a_key_that_arrives_after_the_end_of_the_call_still_counts() {
        let d = date(2026, 12, 2);
        let (m, _) = step(None, d, Event::Start, &ctx(at(0)));
        let (m, _) = step(m, d, Event::Resident { n: 1, reached: Reached::NoKey }, &ctx(at(1)));
        assert!(matches!(m.as_ref().map(|m| &m.stage), Some(Stage::Waiting { n: 1, .. })));
        let (m, out) = step(m, d, Event::Resident { n: 1, reached: Reached::Key('1') }, &ctx(at(1)));
        assert_eq!((m.map(|m| m.stage), out), (Some(Stage::Answered), vec![]));
        // On the last try the contacts were being called already: her yes still counts.
        let one = Context { tries: 1, ..ctx(at(0)) };
        let (m, _) = step(None, d, Event::Start, &one);
        let (m, out) = step(m, d, Event::Resident { n: 1, reached: Reached::NoKey }, &one);
        assert_eq!(out, [Command::CallContact { index: 0 }]);
        let (m, _) = step(m, d, Event::Resident { n: 1, reached: Reached::Key('2') }, &one);
        assert_eq!(m.map(|m| m.stage), Some(Stage::AskedForHelp));
        // A key for an earlier try changes nothing.
        let (m, _) = step(None, d, Event::Start, &ctx(at(0)));
        let (m, _) = step(m, d, Event::Resident { n: 1, reached: Reached::NoAnswer }, &ctx(at(1)));
        let (m, _) = step(m, d, Event::Tick, &ctx(at(11)));
        let (m2, out) = step(m.clone(), d, Event::Resident { n: 1, reached: Reached::Key('1') }, &ctx(at(12)));
        assert_eq!((m2, out), (m, vec![]));
    }

    #[test]
    fn two_goes_on_to_the_main_menu() {
        let d = date(2026, 12, 2);
        let (m, _) = step(None, d, Event::Start, &ctx(at(0)));
        let (m, out) = step(m, d, Event::Resident { n: 1, reached: Reached::Key('2') }, &ctx(at(1)));
        assert_eq!((m.map(|m| m.stage), out), (Some(Stage::AskedForHelp), vec![]));
    }
}
