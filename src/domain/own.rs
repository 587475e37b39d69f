//! A registered participant's own settings by phone (key 8 in the menu): what they can
//! change themselves, and how their settings are read out to them. Pure: the day comes in.

use jiff::civil::Date;
use jiff::Timestamp;

use super::hours::{day_runs, WeeklyHours};
use super::participant::{Distance, StreetSaid};
use super::prompts::{PromptKey, Prompts};

/// What a registered caller's settings are, as they hear them under 8.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Own {
    /// The kinds of help they are rung for (category keys).
    pub offers: Vec<String>,
    /// Their own hours; empty is "whenever the switchboard rings".
    pub available: WeeklyHours,
    pub pause: Pause,
    /// In the good-morning round: `Some(paused)`; `None` when not in it.
    pub round: Option<bool>,
    /// How a change they ask for by phone is confirmed: caller ID proves nothing, so never
    /// by this call alone (see [`Confirm`]).
    pub confirm: Confirm,
    /// Issue 27: they asked for the slow line (`call::slow`).
    pub slow_line: bool,
    /// Issue 27, a resident's say over who comes: helpers from near by, further away or
    /// either, as they choose under 8, 8.
    pub helpers_from: Distance,
    /// Whether their street is named to a helper before the helper says yes.
    pub street: StreetSaid,
    /// Issue 28: their planned help, and the open requests they may take, heard under 8
    /// after 4 (`call::agenda`). Empty for anyone with neither.
    pub agenda: Agenda,
}

/// A helper's help for later, as they hear it under 8 (issue 28): the requests they help
/// with, and the open ones of their neighbourhood they may take, each soonest first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Agenda {
    /// Matched or confirmed with them, still to come.
    pub mine: Vec<Planned>,
    /// Still asking, for a kind of help they give, and the search ahead would ask them
    /// (the same ranking, on the day and hour of the help); none they were asked about.
    pub open: Vec<Planned>,
}

impl Agenda {
    pub fn is_empty(&self) -> bool {
        self.mine.is_empty() && self.open.is_empty()
    }
}

/// One planned request as a helper hears of it: never a number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Planned {
    pub id: i64,
    /// The help's local day and hour.
    pub at: jiff::civil::DateTime,
    /// The requester's first name.
    pub requester: String,
    /// Their street, if the register has one.
    pub street: Option<String>,
    /// Whether the street may be said before a yes (`StreetSaid::Always`).
    pub street_before_yes: bool,
    /// The kind of help (a category key).
    pub category: String,
    /// The requester's own "where to", played from our copy after the request: its path
    /// under the audio base URL.
    pub where_to: Option<String>,
}

impl Own {
    /// Rung to help: they offer a kind of help (pausing and the read-out apply to them).
    pub fn is_rung(&self) -> bool {
        !self.offers.is_empty()
    }

    /// Only a say to choose (issue 27): never rung, not in the round, not paused. Their 8
    /// in the main menu is said as choosing who helps them.
    pub fn only_a_say(&self) -> bool {
        !self.is_rung() && self.round.is_none() && self.pause == Pause::No
    }
}

/// How a change to one's own availability asked for by phone is confirmed. Caller ID can
/// be spoofed, so the call it is asked in proves nothing; a call the switchboard makes to
/// the register's number reaches whoever holds that number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Confirm {
    /// The switchboard calls the number back; a 1 on that call makes the change.
    CallBack,
    /// The switchboard cannot place calls (no REST credentials): the desk calls them and
    /// arranges it; nothing changes by phone.
    Desk,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pause {
    No,
    /// Not rung before `back_on`, the first day they are rung again.
    Until {
        back_on: Date,
    },
    /// Not rung until they say so (by phone, 3, or through the desk).
    UntilFurtherNotice,
}

impl Pause {
    /// The pause as the register stores it (`paused`, `paused_until`) on `today`.
    pub fn from_register(paused: bool, until: Option<Date>, today: Date) -> Pause {
        match (paused, until) {
            (false, _) => Pause::No,
            (true, Some(back_on)) if back_on <= today => Pause::No,
            (true, Some(back_on)) => Pause::Until { back_on },
            (true, None) => Pause::UntilFurtherNotice,
        }
    }
}

/// A change a participant makes by phone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// "No calls for a week": rung again from `back_on`.
    PauseUntil { back_on: Date },
    /// "No calls until I call again".
    PauseUntilFurtherNotice,
    /// "Ring me again".
    Resume,
    /// The good-morning round: "no good-morning call until I call again".
    RoundPause,
    /// The good-morning round: "call me every morning again".
    RoundResume,
    /// Issue 27: the slow line on (`true`) or off.
    SlowLine(bool),
    /// Issue 27, a resident's say: helpers from near by, further away or either.
    HelpersFrom(Distance),
    /// Issue 27, a resident's say: their street named at once, or only after a yes.
    Street(StreetSaid),
}

/// Days "no calls for a week" lasts: pressed on a Wednesday, rung again next Wednesday.
pub const PAUSE_DAYS: i32 = 7;

/// "No calls for a week", pressed on `today`: the first day they are rung again.
pub fn back_after_a_week(today: Date) -> Date {
    today.saturating_add(jiff::Span::new().days(PAUSE_DAYS))
}

impl Change {
    /// "No calls for a week", pressed on `today`.
    pub fn week_from(today: Date) -> Change {
        Change::PauseUntil { back_on: back_after_a_week(today) }
    }

    /// Whether it is about the good-morning round (not about being rung to help).
    pub fn is_round(self) -> bool {
        matches!(self, Change::RoundPause | Change::RoundResume)
    }

    /// How the register stores it: `(paused, paused_until)` (a round change: neither).
    pub fn register(self) -> (bool, Option<Date>) {
        match self {
            Change::PauseUntil { back_on } => (true, Some(back_on)),
            Change::PauseUntilFurtherNotice => (true, None),
            Change::Resume | Change::RoundPause | Change::RoundResume => (false, None),
            // Not about being rung: the register's pause stays (`store::confirmations::apply`).
            Change::SlowLine(_) | Change::HelpersFrom(_) | Change::Street(_) => (false, None),
        }
    }

    /// Whether it would change anything for someone whose pause is `pause` ("ring me
    /// again" while not paused changes nothing, and needs no confirmation).
    pub fn changes_anything(self, pause: Pause) -> bool {
        !(self == Change::Resume && pause == Pause::No)
    }

    /// How the store keeps it: its kind and, for a week's pause, the first day back.
    pub fn stored(self) -> (&'static str, Option<Date>) {
        match self {
            Change::PauseUntil { back_on } => ("pause-until", Some(back_on)),
            Change::PauseUntilFurtherNotice => ("pause", None),
            Change::Resume => ("resume", None),
            Change::RoundPause => ("round-pause", None),
            Change::RoundResume => ("round-resume", None),
            Change::SlowLine(true) => ("slow-line-on", None),
            Change::SlowLine(false) => ("slow-line-off", None),
            Change::HelpersFrom(Distance::Any) => ("helpers-from-any", None),
            Change::HelpersFrom(Distance::Near) => ("helpers-from-near", None),
            Change::HelpersFrom(Distance::NotOwnStreet) => ("helpers-from-further", None),
            Change::Street(StreetSaid::Always) => ("street-always", None),
            Change::Street(StreetSaid::AfterYes) => ("street-after-yes", None),
        }
    }

    /// The change the store kept as `stored` gives.
    pub fn from_stored(kind: &str, back_on: Option<Date>) -> Option<Change> {
        Some(match (kind, back_on) {
            ("pause-until", Some(back_on)) => Change::PauseUntil { back_on },
            ("pause", _) => Change::PauseUntilFurtherNotice,
            ("resume", _) => Change::Resume,
            ("round-pause", _) => Change::RoundPause,
            ("round-resume", _) => Change::RoundResume,
            ("slow-line-on", _) => Change::SlowLine(true),
            ("slow-line-off", _) => Change::SlowLine(false),
            ("helpers-from-any", _) => Change::HelpersFrom(Distance::Any),
            ("helpers-from-near", _) => Change::HelpersFrom(Distance::Near),
            ("helpers-from-further", _) => Change::HelpersFrom(Distance::NotOwnStreet),
            ("street-always", _) => Change::Street(StreetSaid::Always),
            ("street-after-yes", _) => Change::Street(StreetSaid::AfterYes),
            _ => return None,
        })
    }

    /// What was asked, as it is said inside a sentence: "een week niet gebeld worden, tot
    /// en met maandag 30 november".
    pub fn spoken(self, prompts: &Prompts) -> String {
        match self {
            Change::PauseUntil { back_on } => {
                prompts.text(PromptKey::ChangePauseWeek, &[("date", &spoken_date(prompts, last_day(back_on)))])
            }
            Change::PauseUntilFurtherNotice => prompts.text(PromptKey::ChangePause, &[]),
            Change::Resume => prompts.text(PromptKey::ChangeResume, &[]),
            Change::RoundPause => prompts.text(PromptKey::ChangeRoundPause, &[]),
            Change::RoundResume => prompts.text(PromptKey::ChangeRoundResume, &[]),
            Change::SlowLine(true) => prompts.text(PromptKey::ChangeSlowOn, &[]),
            Change::SlowLine(false) => prompts.text(PromptKey::ChangeSlowOff, &[]),
            Change::HelpersFrom(Distance::Any) => prompts.text(PromptKey::ChangeHelpersAny, &[]),
            Change::HelpersFrom(Distance::Near) => prompts.text(PromptKey::ChangeHelpersNear, &[]),
            Change::HelpersFrom(Distance::NotOwnStreet) => prompts.text(PromptKey::ChangeHelpersFurther, &[]),
            Change::Street(StreetSaid::Always) => prompts.text(PromptKey::ChangeStreetAlways, &[]),
            Change::Street(StreetSaid::AfterYes) => prompts.text(PromptKey::ChangeStreetAfterYes, &[]),
        }
    }

    /// What is said once it is done: "Dat is goed. U wordt tot en met ... niet gebeld."
    pub fn done(self, prompts: &Prompts) -> super::prompts::Speech {
        match self {
            Change::PauseUntil { back_on } => {
                prompts.speech(PromptKey::SettingsPausedUntil, &[("date", &spoken_date(prompts, last_day(back_on)))])
            }
            Change::PauseUntilFurtherNotice => prompts.speech(PromptKey::SettingsPaused, &[]),
            Change::Resume => prompts.speech(PromptKey::SettingsResumed, &[]),
            Change::RoundPause => prompts.speech(PromptKey::SettingsRoundPaused, &[]),
            Change::RoundResume => prompts.speech(PromptKey::SettingsRoundResumed, &[]),
            Change::SlowLine(true) => prompts.speech(PromptKey::SettingsSlowOnDone, &[]),
            Change::SlowLine(false) => prompts.speech(PromptKey::SettingsSlowOffDone, &[]),
            Change::HelpersFrom(from) => {
                prompts.speech(PromptKey::SayDone, &[("say", &Change::HelpersFrom(from).spoken(prompts))])
            }
            Change::Street(street) => {
                prompts.speech(PromptKey::SayDone, &[("say", &Change::Street(street).spoken(prompts))])
            }
        }
    }
}

/// Minutes a change asked for by phone waits for its confirmation; after that the call
/// back's 1 changes nothing.
pub const CONFIRM_MINUTES: i64 = 30;

/// When a change asked for at `asked_at` can no longer be confirmed.
pub fn confirm_expires(asked_at: Timestamp) -> Timestamp {
    asked_at.saturating_add(jiff::SignedDuration::from_mins(CONFIRM_MINUTES)).unwrap_or(asked_at)
}

/// Where a change asked for by phone stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Confirmation {
    /// Waiting for the call it was asked in to end, to call the number back.
    Pending,
    /// The call back is placed (or ringing, or being answered).
    Calling,
    /// The call back ended without a key; a key that was on its way still counts.
    NoKey,
    /// A 1 on the call back: the change is made.
    Confirmed,
    /// A 2 (or no key) on the call back: nothing changed.
    Declined,
    /// Not confirmed within [`CONFIRM_MINUTES`].
    Expired,
    /// A newer change was asked for before this one was confirmed.
    Replaced,
    /// The call back could not be placed: the desk arranges it.
    Failed,
    /// No call back possible (no REST API): the desk arranges it.
    Desk,
}

impl Confirmation {
    pub const ALL: [Confirmation; 9] = [
        Confirmation::Pending,
        Confirmation::Calling,
        Confirmation::NoKey,
        Confirmation::Confirmed,
        Confirmation::Declined,
        Confirmation::Expired,
        Confirmation::Replaced,
        Confirmation::Failed,
        Confirmation::Desk,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Confirmation::Pending => "pending",
            Confirmation::Calling => "calling",
            Confirmation::NoKey => "no-key",
            Confirmation::Confirmed => "confirmed",
            Confirmation::Declined => "declined",
            Confirmation::Expired => "expired",
            Confirmation::Replaced => "replaced",
            Confirmation::Failed => "failed",
            Confirmation::Desk => "desk",
        }
    }

    pub fn parse(s: &str) -> Option<Confirmation> {
        Confirmation::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// Still waiting for the person's 1.
    pub fn is_open(self) -> bool {
        matches!(self, Confirmation::Pending | Confirmation::Calling | Confirmation::NoKey)
    }
}

/// What a key on the call back does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// 1, in time: the change is made, now.
    Apply,
    /// 2: nothing changes, and they are thanked.
    Keep,
    /// Nothing pressed through every asking (a provider whose key webhook also reports
    /// silence, where another's askings run out): what follows the askings.
    Silent,
    /// 9 (`unknown`: false) or a key the question does not know: the question again.
    Again { unknown: bool },
    /// Expired, or replaced by a newer change: nothing changes.
    TooLate,
}

/// What `key` on the call back of a change in `status`, asked until `expires_at`, does at
/// `now`. Only a 1 while it is open and in time makes the change.
pub fn answer(status: Confirmation, key: Option<&str>, expires_at: Timestamp, now: Timestamp) -> Answer {
    if !status.is_open() || now >= expires_at {
        return Answer::TooLate;
    }
    match key {
        Some("1") => Answer::Apply,
        Some("2") => Answer::Keep,
        None => Answer::Silent,
        Some("9") => Answer::Again { unknown: false },
        Some(_) => Answer::Again { unknown: true },
    }
}

/// What the call back says.
pub mod say {
    use super::super::action::{Action, Next};
    use super::super::prompts::{PromptKey, Prompts, Speech};
    use super::Change;

    /// Seconds to wait for a key: older people may need a moment.
    pub const KEY_SECONDS: u32 = 8;

    fn question(p: &Prompts, change: Change) -> Speech {
        p.speech(PromptKey::ConfirmQuestion, &[("change", &change.spoken(p))])
    }

    /// Nothing pressed through every asking: nothing changes (the end of the call says so).
    pub fn no_key(p: &Prompts) -> Vec<Action> {
        vec![Action::Say(p.speech(PromptKey::ConfirmNoKey, &[])), Action::Hangup]
    }

    /// Asked twice; then nothing changes (a voicemail box hears it too, and presses nothing).
    fn asked(p: &Prompts, mut say: Vec<Speech>, change: Change, id: i64, seq: u64) -> Vec<Action> {
        let next = Next::ConfirmKey { id, seq };
        say.push(question(p, change));
        vec![
            Action::Gather { say, timeout_seconds: KEY_SECONDS, next },
            Action::Gather { say: vec![question(p, change)], timeout_seconds: KEY_SECONDS, next },
        ]
        .into_iter()
        .chain(no_key(p))
        .collect()
    }

    /// They pick up (`hour`, local): a greeting by first name only, what was asked, and
    /// the question.
    pub fn greeting(p: &Prompts, hour: i8, first_name: &str, change: Change, id: i64) -> Vec<Action> {
        let hello = p.speech(PromptKey::ConfirmGreeting, &[("daypart", &p.daypart(hour)), ("name", first_name)]);
        asked(p, vec![hello], change, id, 1)
    }

    /// 9, or a key the question does not know: the question again (document `seq`).
    pub fn again(p: &Prompts, unknown: bool, change: Change, id: i64, seq: u64) -> Vec<Action> {
        let say = if unknown { vec![p.speech(PromptKey::RoundUnknownKey, &[])] } else { Vec::new() };
        asked(p, say, change, id, seq)
    }

    /// 1: it is done, said in words.
    pub fn done(p: &Prompts, change: Change) -> Vec<Action> {
        vec![Action::Say(change.done(p)), Action::Say(p.speech(PromptKey::ConfirmThanks, &[])), Action::Hangup]
    }

    /// 2: nothing changes, and thank you.
    pub fn kept(p: &Prompts) -> Vec<Action> {
        vec![Action::Say(p.speech(PromptKey::ConfirmKept, &[])), Action::Hangup]
    }

    /// Too late (or replaced): nothing changes.
    pub fn too_late(p: &Prompts) -> Vec<Action> {
        vec![Action::Say(p.speech(PromptKey::ConfirmTooLate, &[])), Action::Hangup]
    }
}

/// The last day without calls of a pause that ends before `back_on`: "tot en met dinsdag".
pub fn last_day(back_on: Date) -> Date {
    back_on.yesterday().unwrap_or(back_on)
}

/// A date as it is said: "dinsdag 8 december".
pub fn spoken_date(prompts: &Prompts, date: Date) -> String {
    let weekday = prompts.weekday(date.weekday().to_monday_zero_offset() as usize);
    let month = prompts.month(date.month() as usize - 1);
    prompts.text(PromptKey::DateSpoken, &[("weekday", weekday), ("day", &date.day().to_string()), ("month", month)])
}

/// Items as they are said: "boodschappen", "boodschappen en vervoer", "a, b en c".
pub fn spoken_list(prompts: &Prompts, items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => prompts.text(PromptKey::ListAnd, &[("first", &rest.join(", ")), ("last", last)]),
    }
}

/// A time of day as it is said: "9 uur", "9 uur 30".
pub fn spoken_time(prompts: &Prompts, minutes: u16) -> String {
    let hour = (minutes / 60).to_string();
    match minutes % 60 {
        0 => prompts.text(PromptKey::TimeWholeHour, &[("hour", &hour)]),
        m => prompts.text(PromptKey::TimeHourMinutes, &[("hour", &hour), ("minutes", &format!("{m:02}"))]),
    }
}

/// Weekly hours as they are said: "op maandag tot en met vrijdag, van 9 uur tot 17 uur en op
/// zaterdag, van 10 uur tot 12 uur". Windows on the same days are said together.
pub fn spoken_hours(prompts: &Prompts, hours: &WeeklyHours) -> String {
    let mut groups: Vec<(u8, Vec<String>)> = Vec::new();
    for w in hours.windows() {
        let span = prompts.text(
            PromptKey::HoursSpan,
            &[("from", &spoken_time(prompts, w.start)), ("until", &spoken_time(prompts, w.end))],
        );
        match groups.iter_mut().find(|(d, _)| *d == w.days) {
            Some((_, spans)) => spans.push(span),
            None => groups.push((w.days, vec![span])),
        }
    }
    let parts: Vec<String> = groups
        .into_iter()
        .map(|(days, spans)| {
            let spans = spoken_list(prompts, &spans);
            if days & EVERY_DAY == EVERY_DAY {
                prompts.text(PromptKey::HoursEveryDay, &[("hours", &spans)])
            } else {
                prompts.text(PromptKey::HoursOnDays, &[("days", &spoken_days(prompts, days)), ("hours", &spans)])
            }
        })
        .collect();
    spoken_list(prompts, &parts)
}

const EVERY_DAY: u8 = 0b111_1111;

/// Days (Monday = bit 0) as they are said: "maandag tot en met vrijdag", "maandag, woensdag
/// en vrijdag".
fn spoken_days(prompts: &Prompts, days: u8) -> String {
    let parts: Vec<String> = day_runs(days)
        .into_iter()
        .map(|(first, last)| {
            let (a, b) = (prompts.weekday(first), prompts.weekday(last));
            match last - first {
                0 => a.to_string(),
                1 => prompts.text(PromptKey::ListAnd, &[("first", a), ("last", b)]),
                _ => prompts.text(PromptKey::DaysRange, &[("first", a), ("last", b)]),
            }
        })
        .collect();
    spoken_list(prompts, &parts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn nl() -> Prompts {
        Prompts::parse(include_str!("../../prompts/nl.toml"), &[]).unwrap()
    }

    fn en() -> Prompts {
        Prompts::parse(include_str!("../../prompts/en.toml"), &[]).unwrap()
    }

    #[test]
    fn a_week_from_wednesday_is_said_to_the_tuesday_after() {
        let change = Change::week_from(date(2026, 12, 2));
        assert_eq!(change, Change::PauseUntil { back_on: date(2026, 12, 9) });
        assert_eq!(change.register(), (true, Some(date(2026, 12, 9))));
        assert_eq!(spoken_date(&nl(), last_day(date(2026, 12, 9))), "dinsdag 8 december");
        assert_eq!(spoken_date(&en(), last_day(date(2026, 12, 9))), "Tuesday 8 December");
    }

    #[test]
    fn hours_are_said_plainly() {
        let hours = WeeklyHours::parse("ma-vr 09:00-17:00; za 10:00-12:30").unwrap();
        assert_eq!(
            spoken_hours(&nl(), &hours),
            "op maandag tot en met vrijdag, van 9 uur tot 17 uur en op zaterdag, van 10 uur tot 12 uur 30"
        );
        let hours = WeeklyHours::parse("mon,wed 09:00-12:00 14:00-16:00").unwrap();
        assert_eq!(
            spoken_hours(&nl(), &hours),
            "op maandag en woensdag, van 9 uur tot 12 uur en van 14 uur tot 16 uur"
        );
        let hours = WeeklyHours::parse("08:00-21:00").unwrap();
        assert_eq!(spoken_hours(&en(), &hours), "every day, from 8 o'clock to 21 o'clock");
        let list = ["a".to_string(), "b".to_string(), "c".to_string()];
        assert_eq!(spoken_list(&nl(), &list), "a, b en c");
    }

    #[test]
    fn only_a_one_in_time_on_an_open_confirmation_makes_the_change() {
        let asked: Timestamp = "2026-11-24T09:15:00Z".parse().unwrap();
        let expires = confirm_expires(asked);
        assert_eq!(expires, "2026-11-24T09:45:00Z".parse::<Timestamp>().unwrap());
        let soon: Timestamp = "2026-11-24T09:16:00Z".parse().unwrap();
        assert_eq!(answer(Confirmation::Calling, Some("1"), expires, soon), Answer::Apply);
        assert_eq!(answer(Confirmation::NoKey, Some("1"), expires, soon), Answer::Apply, "a key on its way counts");
        assert_eq!(answer(Confirmation::Calling, Some("2"), expires, soon), Answer::Keep);
        // Silence through every asking decides nothing (the end of the call says no key came).
        assert_eq!(answer(Confirmation::Calling, None, expires, soon), Answer::Silent);
        assert_eq!(answer(Confirmation::Calling, Some("9"), expires, soon), Answer::Again { unknown: false });
        assert_eq!(answer(Confirmation::Calling, Some("7"), expires, soon), Answer::Again { unknown: true });
        assert_eq!(answer(Confirmation::Calling, Some("1"), expires, expires), Answer::TooLate, "expired");
        for closed in [Confirmation::Replaced, Confirmation::Expired, Confirmation::Declined, Confirmation::Desk] {
            assert_eq!(answer(closed, Some("1"), expires, soon), Answer::TooLate, "{closed:?}");
        }
        for c in Confirmation::ALL {
            assert_eq!(Confirmation::parse(c.as_str()), Some(c));
        }
    }

    #[test]
    fn a_change_is_stored_and_said_as_it_was_asked() {
        let week = Change::week_from(date(2026, 11, 24));
        for change in [
            week,
            Change::PauseUntilFurtherNotice,
            Change::Resume,
            Change::RoundPause,
            Change::RoundResume,
            Change::SlowLine(true),
            Change::SlowLine(false),
            Change::HelpersFrom(Distance::Any),
            Change::HelpersFrom(Distance::Near),
            Change::HelpersFrom(Distance::NotOwnStreet),
            Change::Street(StreetSaid::Always),
            Change::Street(StreetSaid::AfterYes),
        ] {
            let (kind, back_on) = change.stored();
            assert_eq!(Change::from_stored(kind, back_on), Some(change));
        }
        assert_eq!(Change::from_stored("pause-until", None), None);
        assert_eq!(week.spoken(&nl()), "een week niet gebeld worden, tot en met maandag 30 november");
        assert!(!Change::Resume.changes_anything(Pause::No));
        assert!(Change::Resume.changes_anything(Pause::UntilFurtherNotice));
        assert!(week.changes_anything(Pause::No));
        let asked = say::greeting(&nl(), 14, "Anja", week, 7);
        let said: Vec<String> = asked
            .iter()
            .flat_map(|a| match a {
                crate::domain::action::Action::Gather { say, .. } => say.clone(),
                crate::domain::action::Action::Say(s) => vec![s.clone()],
                _ => Vec::new(),
            })
            .map(|s| match s {
                crate::domain::prompts::Speech::Text { text, .. } => text,
                crate::domain::prompts::Speech::Audio(a) => a,
                crate::domain::prompts::Speech::Pause(n) => format!("[pause {n}]"),
            })
            .collect();
        assert!(said[0].starts_with("Goedemiddag Anja. "), "{said:?}");
        assert!(said[1].contains("een week niet gebeld worden, tot en met maandag 30 november"), "{said:?}");
    }

    #[test]
    fn a_pause_that_ended_is_no_pause() {
        let today = date(2026, 12, 2);
        assert_eq!(Pause::from_register(true, Some(today), today), Pause::No);
        assert_eq!(
            Pause::from_register(true, Some(date(2026, 12, 3)), today),
            Pause::Until { back_on: date(2026, 12, 3) }
        );
        assert_eq!(Pause::from_register(true, None, today), Pause::UntilFurtherNotice);
        assert_eq!(Pause::from_register(false, None, today), Pause::No);
    }
}
