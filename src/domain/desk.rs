//! The desk's rules: roles, follow-up results, password rules (in `password`), login slow-down and the
//! figures' percentiles. Pure: the caller passes in the time.

use super::call::Outcome;
use super::participant::Distance;

/// What a desk account may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Sees calls, follows up, keeps the register.
    Desk,
    /// Also manages accounts, erases participants and reads the audit log.
    Coordinator,
}

impl Role {
    pub fn parse(s: &str) -> Option<Role> {
        match s.trim().to_ascii_lowercase().as_str() {
            "desk" | "balie" => Some(Role::Desk),
            "coordinator" | "coördinator" | "coordinater" => Some(Role::Coordinator),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Desk => "desk",
            Role::Coordinator => "coordinator",
        }
    }
}

/// Why the desk follows something up: the word stored in `follow_ups.reason`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FollowUpReason {
    /// Nobody was found: call back.
    Unmatched,
    /// The caller left a message and was promised a call back.
    Voicemail,
    /// The caller hung up before help was found.
    Abandoned,
    /// A neighbour said yes; whether they spoke was never confirmed.
    Unconfirmed,
    /// A participant left a message for the desk.
    Message,
    /// A participant asked by phone for a change the desk arranges.
    OwnSetting,
    /// Urgent: the good-morning round reached nobody and nobody goes to look.
    Round,
    /// Urgent: the morning's good-morning round could not be made.
    RoundMissed,
    /// Urgent: help for later, nobody found by the cut-off (issue 28); the requester was told.
    PlannedUnfilled,
    /// Help for later: the requester could not be told (a call that failed or was lost).
    PlannedNotTold,
    /// Help for later: the helper did not answer the reminder the day before, twice.
    PlannedNotConfirmed,
    /// Help for later: the requester said afterwards that it did not go well.
    PlannedNotHappened,
}

/// How long after it was answered a call that hangs up in the menu, without a key, still
/// said nothing to call back about: the greeting and the first second of the menu
/// (docs/desk.md, "Opgehangen in het menu").
pub const POCKET_DIAL_SECONDS: i64 = 12;

/// A hang-up in the menu, before any key and before the menu was said again, within
/// `POCKET_DIAL_SECONDS` of the call being answered: the call is kept and counted, but the
/// desk is not asked to call back a call that never said anything.
pub fn pocket_dial(state: &crate::domain::call::CallState, ended_at: jiff::Timestamp) -> bool {
    use crate::domain::call::{Outcome, Phase, Stage};
    matches!(state.phase, Phase::Ended { outcome: Outcome::Abandoned, from: Stage::Menu })
        && state.category.is_none()
        && state.menu_repeats == 0
        && state.menu_rounds == 0
        && ended_at.as_second() - state.started_at.as_second() <= POCKET_DIAL_SECONDS
}

impl FollowUpReason {
    pub const ALL: [FollowUpReason; 12] = [
        FollowUpReason::Unmatched,
        FollowUpReason::Voicemail,
        FollowUpReason::Abandoned,
        FollowUpReason::Unconfirmed,
        FollowUpReason::Message,
        FollowUpReason::OwnSetting,
        FollowUpReason::Round,
        FollowUpReason::RoundMissed,
        FollowUpReason::PlannedUnfilled,
        FollowUpReason::PlannedNotTold,
        FollowUpReason::PlannedNotConfirmed,
        FollowUpReason::PlannedNotHappened,
    ];

    /// The stored word; `parse` is its inverse.
    pub fn as_str(self) -> &'static str {
        match self {
            FollowUpReason::Unmatched => "unmatched",
            FollowUpReason::Voicemail => "voicemail",
            FollowUpReason::Abandoned => "abandoned",
            FollowUpReason::Unconfirmed => "unconfirmed",
            FollowUpReason::Message => "message",
            FollowUpReason::OwnSetting => "own-setting",
            FollowUpReason::Round => "round",
            FollowUpReason::RoundMissed => "round-missed",
            FollowUpReason::PlannedUnfilled => "planned-unfilled",
            FollowUpReason::PlannedNotTold => "planned-not-told",
            FollowUpReason::PlannedNotConfirmed => "planned-not-confirmed",
            FollowUpReason::PlannedNotHappened => "planned-not-happened",
        }
    }

    pub fn parse(s: &str) -> Option<FollowUpReason> {
        FollowUpReason::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The follow-up a call that ended so needs, if any.
    pub fn for_outcome(outcome: Outcome) -> Option<FollowUpReason> {
        match outcome {
            Outcome::Unmatched => Some(FollowUpReason::Unmatched),
            Outcome::Voicemail => Some(FollowUpReason::Voicemail),
            Outcome::Abandoned => Some(FollowUpReason::Abandoned),
            Outcome::Unconfirmed => Some(FollowUpReason::Unconfirmed),
            Outcome::Message => Some(FollowUpReason::Message),
            // A round alert's follow-up comes with the alert (`Round` or `RoundMissed`).
            Outcome::Matched | Outcome::Desk | Outcome::OwnSettings | Outcome::Round | Outcome::Planned => None,
        }
    }

    /// The follow-up a call in this state needs: as `for_outcome`, except for a hang-up
    /// in the first seconds of the menu (a pocket dial, or a caller who changed their
    /// mind; see `pocket_dial`), which is counted but asks the desk for nothing.
    pub fn for_call(state: &crate::domain::call::CallState, ended_at: jiff::Timestamp) -> Option<FollowUpReason> {
        let outcome = state.outcome()?;
        if pocket_dial(state, ended_at) {
            return None;
        }
        FollowUpReason::for_outcome(outcome)
    }

    /// The good-morning round's: the resident may need someone now.
    pub fn is_round(self) -> bool {
        matches!(self, FollowUpReason::Round | FollowUpReason::RoundMissed)
    }

    /// A call for help that found none: helping the caller later closes it.
    pub fn closed_by_help(self) -> bool {
        matches!(self, FollowUpReason::Unmatched | FollowUpReason::Abandoned | FollowUpReason::Unconfirmed)
    }
}

/// How a follow-up was closed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FollowUpResult {
    SolvedByNeighbour,
    ReferredToWmo,
    ReferredToCare,
    NoLongerNeeded,
    Other,
}

impl FollowUpResult {
    pub const ALL: [FollowUpResult; 5] = [
        FollowUpResult::SolvedByNeighbour,
        FollowUpResult::ReferredToWmo,
        FollowUpResult::ReferredToCare,
        FollowUpResult::NoLongerNeeded,
        FollowUpResult::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FollowUpResult::SolvedByNeighbour => "solved-by-neighbour",
            FollowUpResult::ReferredToWmo => "referred-to-wmo",
            FollowUpResult::ReferredToCare => "referred-to-care",
            FollowUpResult::NoLongerNeeded => "no-longer-needed",
            FollowUpResult::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<FollowUpResult> {
        FollowUpResult::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

pub use super::password::{check_new_password, check_password, PasswordProblem, MIN_PASSWORD_CHARS};

/// Checks a user name: letters, digits, spaces, dots, dashes; at most 60 characters.
/// Who the switchboard's own notes on a call are by.
pub const SWITCHBOARD_AUTHOR: &str = "Burenlijn";

/// A note the switchboard writes on a call itself (issue 27), stored as one word and worded
/// by the desk in the account's language (`web::desk::text`), like every stored word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SwitchboardNote {
    /// A desk-only resident's call: nobody was rung, the desk calls back.
    DeskOnly,
    /// The search rang nobody only because of the wishes: the resident's (`helpers_from`),
    /// or a kind of help's for experienced helpers.
    Wishes { helpers_from: Distance, experienced_only: bool },
}

impl SwitchboardNote {
    const DESK_ONLY: &'static str = "desk-only";
    const WISHES: &'static str = "wishes";
    const EXPERIENCED: &'static str = "experienced";

    /// The stored words: `desk-only`, or `wishes <distance>[ experienced]`.
    pub fn as_stored(&self) -> String {
        match self {
            SwitchboardNote::DeskOnly => Self::DESK_ONLY.to_string(),
            SwitchboardNote::Wishes { helpers_from, experienced_only } => {
                let experienced = if *experienced_only { format!(" {}", Self::EXPERIENCED) } else { String::new() };
                format!("{} {}{experienced}", Self::WISHES, helpers_from.as_str())
            }
        }
    }

    /// The stored words read back; `None` for any other text (a note written before).
    pub fn read(stored: &str) -> Option<SwitchboardNote> {
        let mut words = stored.split(' ');
        match (words.next()?, words.next(), words.next(), words.next()) {
            (Self::DESK_ONLY, None, None, None) => Some(SwitchboardNote::DeskOnly),
            (Self::WISHES, Some(from), experienced, None) => Some(SwitchboardNote::Wishes {
                helpers_from: Distance::parse(from).ok()?,
                experienced_only: match experienced {
                    None => false,
                    Some(Self::EXPERIENCED) => true,
                    Some(_) => return None,
                },
            }),
            _ => None,
        }
    }
}

pub fn check_user_name(name: &str) -> Result<String, String> {
    let name = name.trim();
    if name.is_empty() {
        return Err("the name is empty".into());
    }
    if name.chars().count() > 60 {
        return Err("the name is longer than 60 characters".into());
    }
    if !name.chars().all(|c| c.is_alphanumeric() || matches!(c, ' ' | '.' | '-' | '_' | '\'')) {
        return Err("the name may only hold letters, digits, spaces and . - _ '".into());
    }
    Ok(name.to_string())
}

/// Failed logins before the slow-down starts.
pub const FREE_LOGIN_FAILURES: u32 = 5;
/// The longest wait between attempts once slowed down.
pub const MAX_LOGIN_WAIT_SECONDS: i64 = 15 * 60;

/// Failed logins for one account or one address.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LoginFailures {
    pub count: u32,
    pub last_at: i64,
}

impl LoginFailures {
    /// Seconds to wait before the next attempt is even checked: none for the first few
    /// failures, then doubling from 2 s up to 15 minutes.
    pub fn wait_seconds(&self, now: i64) -> i64 {
        if self.count < FREE_LOGIN_FAILURES {
            return 0;
        }
        let exp = (self.count - FREE_LOGIN_FAILURES).min(20);
        let wait = (2_i64 << exp).min(MAX_LOGIN_WAIT_SECONDS);
        (self.last_at + wait - now).max(0)
    }

    pub fn failed(&mut self, now: i64) {
        self.count = self.count.saturating_add(1);
        self.last_at = now;
    }

    /// Failures of a client address are forgotten a quarter of an hour after the last.
    pub fn forgotten(&self, now: i64) -> bool {
        now - self.last_at >= MAX_LOGIN_WAIT_SECONDS
    }

    /// How long an attempt from a client address with these failures is held before it is
    /// checked. Behind a proxy many people share one address, so an address is slowed
    /// down, never refused: a right password from it always gets in, a little later.
    pub fn address_delay_seconds(&self) -> u64 {
        if self.count <= FREE_LOGIN_FAILURES {
            return 0;
        }
        (1_u64 << (self.count - FREE_LOGIN_FAILURES - 1).min(8)).min(MAX_ADDRESS_DELAY_SECONDS)
    }
}

/// The longest an attempt from a failing address is held before it is checked.
pub const MAX_ADDRESS_DELAY_SECONDS: u64 = 4;

/// The `p`-th percentile (0–100) of `values` by the nearest-rank method; `None` when empty.
pub fn percentile(values: &mut [i64], p: u32) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let rank = (u64::from(p.min(100)) * values.len() as u64).div_ceil(100).max(1) as usize;
    Some(values[rank - 1])
}

/// Where a person stands in the desk's follow-up queue on a day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Due {
    /// The day they were promised (or were to be tried again) has gone by.
    Overdue,
    Today,
    /// Not before this day: tried and not reached, or promised a later day.
    Later(jiff::civil::Date),
}

/// When a follow-up is due: the day to try again after one that reached nobody, else the
/// day the caller was promised a call back (the desk's first opening after the call),
/// else today.
pub fn due(
    promised: Option<jiff::civil::Date>,
    try_again_on: Option<jiff::civil::Date>,
    today: jiff::civil::Date,
) -> Due {
    let day = try_again_on.or(promised).unwrap_or(today);
    match day.cmp(&today) {
        std::cmp::Ordering::Less => Due::Overdue,
        std::cmp::Ordering::Equal => Due::Today,
        std::cmp::Ordering::Greater => Due::Later(day),
    }
}

/// A period the figures cover: days `from` up to (not including) `until`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Period {
    pub from: jiff::civil::Date,
    pub until: jiff::civil::Date,
}

/// What is wrong with the period asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeriodError {
    /// Not a year from 2000 to this one.
    Year,
    /// Not a quarter like `2026-4`.
    Quarter,
    /// A date that is not a date (YYYY-MM-DD), or only one of the two.
    Date,
    /// The end before the start, or longer than five years.
    Span,
}

impl Period {
    /// The period's calendar months, each cut to the period: (first day, day after).
    pub fn months(&self) -> Vec<(jiff::civil::Date, jiff::civil::Date)> {
        let mut out = Vec::new();
        let mut start = self.from.first_of_month();
        while start < self.until {
            let Ok(next) = start.checked_add(jiff::Span::new().months(1)) else { break };
            out.push((start.max(self.from), next.min(self.until)));
            start = next;
        }
        out
    }

    /// The last day in the period.
    pub fn last_day(&self) -> jiff::civil::Date {
        self.until.yesterday().unwrap_or(self.until)
    }
}

/// The period asked for: days `from`–`until` (both included), else a quarter
/// (`2026-4`, `2026-Q4`), else a year, else this year. A period ends today at the latest.
pub fn period(
    year: &str,
    quarter: &str,
    from: &str,
    until: &str,
    today: jiff::civil::Date,
) -> Result<Period, PeriodError> {
    use jiff::civil::Date;
    let tomorrow = today.tomorrow().unwrap_or(today);
    let (from, until) = (from.trim(), until.trim());
    let (start, end) = if !from.is_empty() || !until.is_empty() {
        let (Ok(a), Ok(b)) = (from.parse::<Date>(), until.parse::<Date>()) else { return Err(PeriodError::Date) };
        (a, b.tomorrow().map_err(|_| PeriodError::Date)?)
    } else if !quarter.trim().is_empty() {
        let q = quarter.trim().to_ascii_uppercase().replace("-Q", "-");
        let (y, n) = q.split_once('-').ok_or(PeriodError::Quarter)?;
        let (y, n): (i16, i8) =
            (y.parse().map_err(|_| PeriodError::Quarter)?, n.parse().map_err(|_| PeriodError::Quarter)?);
        if !(1..=4).contains(&n) || !(2000..=today.year()).contains(&y) {
            return Err(PeriodError::Quarter);
        }
        let a = Date::new(y, (n - 1) * 3 + 1, 1).map_err(|_| PeriodError::Quarter)?;
        (a, a.checked_add(jiff::Span::new().months(3)).map_err(|_| PeriodError::Quarter)?)
    } else {
        let y: i16 =
            if year.trim().is_empty() { today.year() } else { year.trim().parse().map_err(|_| PeriodError::Year)? };
        if !(2000..=today.year()).contains(&y) {
            return Err(PeriodError::Year);
        }
        let a = Date::new(y, 1, 1).map_err(|_| PeriodError::Year)?;
        (a, Date::new(y + 1, 1, 1).map_err(|_| PeriodError::Year)?)
    };
    let end = end.min(tomorrow);
    if start >= end || start.year() < 2000 || (end - start).get_days() > 5 * 366 {
        return Err(PeriodError::Span);
    }
    Ok(Period { from: start, until: end })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_figures_cover_a_year_a_quarter_or_any_days() {
        use super::{period, Period, PeriodError};
        use jiff::civil::date;
        let today = date(2026, 12, 2);
        let p = |y, q, f, u| period(y, q, f, u, today);
        assert_eq!(
            p("", "", "", ""),
            Ok(Period { from: date(2026, 1, 1), until: date(2026, 12, 3) }),
            "this year, to today"
        );
        assert_eq!(p("2025", "", "", ""), Ok(Period { from: date(2025, 1, 1), until: date(2026, 1, 1) }));
        assert_eq!(p("", "2026-Q3", "", ""), Ok(Period { from: date(2026, 7, 1), until: date(2026, 10, 1) }));
        assert_eq!(p("", "2026-3", "", ""), p("", "2026-q3", "", ""));
        assert_eq!(
            p("", "", "2026-02-10", "2026-03-05"),
            Ok(Period { from: date(2026, 2, 10), until: date(2026, 3, 6) })
        );
        assert_eq!(p("1999", "", "", ""), Err(PeriodError::Year));
        assert_eq!(p("2027", "", "", ""), Err(PeriodError::Year));
        assert_eq!(p("twee", "", "", ""), Err(PeriodError::Year));
        assert_eq!(p("", "2026-5", "", ""), Err(PeriodError::Quarter));
        assert_eq!(p("", "", "2026-02-10", ""), Err(PeriodError::Date));
        assert_eq!(p("", "", "2026-03-05", "2026-02-10"), Err(PeriodError::Span));
        assert_eq!(p("", "", "2010-01-01", "2026-01-01"), Err(PeriodError::Span));
        let months = p("", "", "2026-02-10", "2026-04-05").unwrap().months();
        assert_eq!(
            months,
            [
                (date(2026, 2, 10), date(2026, 3, 1)),
                (date(2026, 3, 1), date(2026, 4, 1)),
                (date(2026, 4, 1), date(2026, 4, 6))
            ]
        );
    }

    #[test]
    fn a_follow_up_is_due_on_the_day_to_try_again_else_the_day_promised() {
        use super::{due, Due};
        use jiff::civil::date;
        let today = date(2026, 12, 2);
        assert_eq!(due(Some(date(2026, 12, 1)), None, today), Due::Overdue);
        assert_eq!(due(Some(today), None, today), Due::Today);
        assert_eq!(due(None, None, today), Due::Today);
        assert_eq!(due(Some(date(2026, 12, 7)), None, today), Due::Later(date(2026, 12, 7)));
        // Not reached yesterday, to try again on Friday: not overdue, though promised Monday.
        assert_eq!(due(Some(date(2026, 11, 30)), Some(date(2026, 12, 4)), today), Due::Later(date(2026, 12, 4)));
        assert_eq!(due(None, Some(date(2026, 12, 1)), today), Due::Overdue);
        assert!(Due::Overdue < Due::Today && Due::Today < Due::Later(today), "the queue's order");
    }

    use super::*;

    #[test]
    fn roles_and_results_round_trip() {
        for r in [Role::Desk, Role::Coordinator] {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("admin"), None);
        for r in FollowUpResult::ALL {
            assert_eq!(FollowUpResult::parse(r.as_str()), Some(r));
        }
        assert_eq!(FollowUpResult::parse("solved"), None);
    }

    #[test]
    fn passwords_and_names() {
        assert!(check_new_password("els", "kort").unwrap_err().contains("at least 10"));
        assert!(check_new_password("Els de Boer", "els de boer").unwrap_err().contains("user name"));
        assert_eq!(check_new_password("els", "de kat zit op de mat"), Ok(()));
        assert_eq!(check_password("els", "Welkom2024!"), Err(PasswordProblem::Common));
        assert_eq!(check_user_name("  Els de Boer "), Ok("Els de Boer".into()));
        assert!(check_user_name("<script>").is_err());
        assert!(check_user_name(" ").is_err());
    }

    #[test]
    fn logins_slow_down_after_five_failures_and_cap_at_fifteen_minutes() {
        let mut f = LoginFailures::default();
        for i in 0..5 {
            assert_eq!(f.wait_seconds(100 + i), 0);
            f.failed(100 + i);
        }
        assert_eq!(f.wait_seconds(104), 2);
        assert_eq!(f.wait_seconds(106), 0);
        f.failed(106);
        assert_eq!(f.wait_seconds(106), 4);
        for _ in 0..30 {
            f.failed(1000);
        }
        assert_eq!(f.wait_seconds(1000), MAX_LOGIN_WAIT_SECONDS);
    }

    #[test]
    fn an_address_is_slowed_down_a_little_never_refused_and_forgotten() {
        let mut f = LoginFailures::default();
        let mut delays = Vec::new();
        for _ in 0..10 {
            f.failed(100);
            delays.push(f.address_delay_seconds());
        }
        assert_eq!(delays, [0, 0, 0, 0, 0, 1, 2, 4, 4, 4]);
        assert!(!f.forgotten(100 + MAX_LOGIN_WAIT_SECONDS - 1));
        assert!(f.forgotten(100 + MAX_LOGIN_WAIT_SECONDS));
    }

    #[test]
    fn percentiles_by_nearest_rank() {
        assert_eq!(percentile(&mut [], 50), None);
        assert_eq!(percentile(&mut [30], 90), Some(30));
        assert_eq!(percentile(&mut [50, 10, 40, 20, 30], 50), Some(30));
        assert_eq!(percentile(&mut [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90), Some(9));
        assert_eq!(percentile(&mut [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50), Some(5));
    }
}

#[cfg(test)]
mod reason_tests {
    use super::*;

    #[test]
    fn each_follow_up_reason_is_stored_as_its_own_word_and_follows_its_outcome() {
        for r in FollowUpReason::ALL {
            assert_eq!(FollowUpReason::parse(r.as_str()), Some(r), "{r:?}");
        }
        assert_eq!(FollowUpReason::parse("own-settings"), None);
        // A call needs a follow-up exactly when its outcome has a reason, stored as the
        // outcome's own word.
        for o in Outcome::ALL {
            let reason = FollowUpReason::for_outcome(o);
            assert_eq!(reason.is_some(), o.needs_follow_up(), "{o:?}");
            if let Some(r) = reason {
                assert_eq!(r.as_str(), o.as_str(), "{o:?}");
            }
        }
    }
}

#[cfg(test)]
mod switchboard_note_tests {
    use super::{Distance, SwitchboardNote};

    #[test]
    fn each_note_reads_back_as_itself_and_other_text_as_none() {
        for note in [
            SwitchboardNote::DeskOnly,
            SwitchboardNote::Wishes { helpers_from: Distance::Near, experienced_only: false },
            SwitchboardNote::Wishes { helpers_from: Distance::NotOwnStreet, experienced_only: true },
            SwitchboardNote::Wishes { helpers_from: Distance::Any, experienced_only: true },
        ] {
            assert_eq!(SwitchboardNote::read(&note.as_stored()), Some(note));
        }
        for other in ["", "Dochter belt terug", "wishes far", "wishes near twice", "desk-only now"] {
            assert_eq!(SwitchboardNote::read(other), None, "{other}");
        }
    }
}
