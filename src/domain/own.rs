//! A registered participant's own settings by phone (key 8 in the menu): what they can
//! change themselves, and how their settings are read out to them. Pure: the day comes in.

use jiff::civil::Date;

use super::hours::{day_runs, WeeklyHours};
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
        }
    }

    /// The audit log's action for it.
    pub fn audit_action(self) -> &'static str {
        match self {
            Change::PauseUntil { .. } => "paused for a week by phone",
            Change::PauseUntilFurtherNotice => "paused until further notice by phone",
            Change::Resume => "resumed by phone",
            Change::RoundPause => "good-morning round paused by phone",
            Change::RoundResume => "good-morning round resumed by phone",
        }
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
