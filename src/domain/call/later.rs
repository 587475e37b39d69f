//! Help for later by phone (issue 28): the requester's side.
//!
//! A kind of help the dialplan marks `later = true` asks after its key: now (1), or
//! another day (2). The day and the part of the day are each a menu of at most three
//! choices besides 0 (a person) and * (back); the hours on the hour three at a time, with 4
//! for later hours. The moment is read back ("U kiest dinsdag 8 december om 10 uur. Klopt
//! dat?") with the other half hour (2) and a change (3). No menu says more than five
//! choices, and a whole booking ("where to" included) fits in two minutes of call time. A moment inside the kind of help's lead time, or past the 14 days,
//! is refused with what is possible, and the caller may then ask for help now, choose
//! again, or reach a person. A 1 on the read-back is `Effect::PlannedAsked`: the
//! application takes the request (`switchboard::planned::add`).
//!
//! A resident with planned help to come hears it first, in one sentence, and can cancel it
//! with 1 (asked once more): `Effect::PlannedCancelled`, the helper is told by a call.
//!
//! Where the caller is, between webhooks: `CallState::later` (stored in `calls.later` as
//! one word, `Later::as_str`), while the phase stays `Phase::Menu`.

use jiff::civil::{Date, DateTime};
use jiff::SignedDuration;

use super::menus::Common;
use super::tries::Tries;
use super::{Effect, Outcome, Stage, Stepper, BACK_KEY};
use crate::domain::action::{Action, Next};
use crate::domain::dialplan::RingMode;
use crate::domain::own::{spoken_date, spoken_time};
use crate::domain::planned::{self, Refused, DAYS_AHEAD};
use crate::domain::prompts::{PromptKey, Speech};

/// Which menu of help for later the caller is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Later {
    /// "Wilt u nu hulp? Toets 1. Wilt u hulp op een andere dag? Toets 2."
    NowOrLater,
    /// Two days from `first` (days after today), and 3: a later day.
    Day { first: i64 },
    /// In the morning, afternoon or evening of `day`.
    Part { day: Date },
    /// Three hours of `part` from `first` (each on the hour), and 4: a later hour.
    Hour { day: Date, part: Part, first: i8 },
    /// On the hour, or half past (no longer entered: the read-back offers the other half
    /// hour; kept for a call stored in it).
    Half { day: Date, hour: i8 },
    /// The moment read back: 1 it is right, 2 the other half hour, 3 change it.
    Check { at: DateTime },
    /// "U heeft op dinsdag ... hulp van Bert. Wilt u die afzeggen? Toets 1."
    Upcoming,
    /// "Weet u het zeker?": 1 cancels it.
    CancelSure,
    /// A helper's planned help under 8 (`agenda`), while the phase is `Phase::Settings`.
    Agenda(super::AgendaAt),
    /// The request is taken; "Waar moet u naartoe?" is being recorded (the call has ended
    /// as `Outcome::Planned` already, so a hang-up loses nothing).
    WhereTo,
}

/// The longest "where to" a requester can say, in seconds.
pub const WHERE_TO_MAX_SECONDS: u32 = 20;
/// Seconds of silence that end the recording of "where to".
pub const WHERE_TO_SILENCE_SECONDS: u32 = 5;

/// The parts of a day a moment is chosen in: whole and half hours from 8:00 to 19:30.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Morning,
    Afternoon,
    Evening,
}

impl Part {
    pub const ALL: [Part; 3] = [Part::Morning, Part::Afternoon, Part::Evening];

    /// The first and the last hour that may be chosen in it.
    pub fn hours(self) -> (i8, i8) {
        match self {
            Part::Morning => (8, 11),
            Part::Afternoon => (12, 16),
            Part::Evening => (17, 19),
        }
    }

    fn digit(self) -> u8 {
        match self {
            Part::Morning => 1,
            Part::Afternoon => 2,
            Part::Evening => 3,
        }
    }

    fn prompt(self) -> PromptKey {
        match self {
            Part::Morning => PromptKey::LaterMorning,
            Part::Afternoon => PromptKey::LaterAfternoon,
            Part::Evening => PromptKey::LaterEvening,
        }
    }
}

/// The last moment of a day that may be chosen.
const LAST_HOUR: i8 = 19;

/// Hours said in one menu: 1, 2 and 3, then 4 for later hours, and 0: five choices said
/// (* goes back here too, said in the first menus of a booking).
const HOURS_A_PAGE: i8 = 3;

/// The hour a key 1, 2 or 3 of an hour menu stands for, counted from the page's first.
fn hour_digit(digit: &str) -> i8 {
    digit.parse().unwrap_or(1)
}

impl Later {
    /// The word stored in `calls.later`; `parse` is its inverse.
    pub fn as_str(self) -> String {
        match self {
            Later::NowOrLater => "now-or-later".into(),
            Later::Day { first } => format!("day:{first}"),
            Later::Part { day } => format!("part:{day}"),
            Later::Hour { day, part, first } => format!("hour:{day}:{}:{first}", part.digit()),
            Later::Half { day, hour } => format!("half:{day}:{hour}"),
            Later::Check { at } => format!("check:{at}"),
            Later::Upcoming => "upcoming".into(),
            Later::CancelSure => "cancel-sure".into(),
            Later::WhereTo => "where-to".into(),
            Later::Agenda(at) => at.as_str(),
        }
    }

    pub fn parse(s: &str) -> Option<Later> {
        if let Some(at) = super::AgendaAt::parse(s) {
            return Some(Later::Agenda(at));
        }
        let mut parts = s.split(':');
        let word = parts.next()?;
        let later = match word {
            "now-or-later" => Later::NowOrLater,
            "upcoming" => Later::Upcoming,
            "cancel-sure" => Later::CancelSure,
            "where-to" => Later::WhereTo,
            "day" => Later::Day { first: parts.next()?.parse().ok()? },
            "part" => Later::Part { day: parts.next()?.parse().ok()? },
            "hour" => {
                let day = parts.next()?.parse().ok()?;
                let digit: u8 = parts.next()?.parse().ok()?;
                let part = Part::ALL.into_iter().find(|p| p.digit() == digit)?;
                Later::Hour { day, part, first: parts.next()?.parse().ok()? }
            }
            "half" => Later::Half { day: parts.next()?.parse().ok()?, hour: parts.next()?.parse().ok()? },
            "check" => return Some(Later::Check { at: s.strip_prefix("check:")?.parse().ok()? }),
            _ => return None,
        };
        parts.next().is_none().then_some(later)
    }
}

/// Planned help a resident has to come, as they hear it when they call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Upcoming {
    pub id: i64,
    pub at: DateTime,
    /// Who helps, by first name; `None` while neighbours are still asked.
    pub helper_first_name: Option<String>,
}

impl<'c, 'a> Stepper<'c, 'a> {
    /// The hook after a kind of help's key: a kind marked `later = true` asks now or later.
    pub(super) fn asks_now_or_later(&self, category: &str) -> bool {
        self.ctx.dialplan.later(category).is_some()
    }

    pub(super) fn now_or_later(&mut self) {
        self.enter(Later::NowOrLater);
    }

    /// A resident with planned help hears it first: one sentence, and one key to cancel.
    pub(super) fn upcoming(&mut self) {
        self.enter(Later::Upcoming);
    }

    /// Into a later menu: fresh tries, then the menu.
    fn enter(&mut self, later: Later) {
        self.state.later = Some(later);
        self.set_tries(self.tries().fresh());
        self.later_menu(None);
    }

    fn local_today(&self) -> Date {
        self.local_now().date()
    }

    /// The earliest and the latest day a moment may be chosen on, as days after today.
    fn day_range(&self) -> (i64, i64) {
        let lead = self.lead();
        let earliest = planned::local(
            &self.ctx.dialplan.time_zone,
            self.ctx.now + SignedDuration::from_hours(i64::from(lead.min_hours)),
        );
        let mut first = (earliest.date() - self.local_today()).get_days() as i64;
        // Past the day's last half hour: the next day.
        if earliest.hour() > LAST_HOUR || (earliest.hour() == LAST_HOUR && earliest.minute() > 30) {
            first += 1;
        }
        (first, DAYS_AHEAD)
    }

    fn lead(&self) -> planned::Lead {
        let key = self.state.category.as_deref().unwrap_or_default();
        self.ctx.dialplan.later(key).unwrap_or(planned::Lead { min_hours: 0 })
    }

    fn day_of(&self, offset: i64) -> Date {
        self.local_today().checked_add(jiff::Span::new().days(offset)).unwrap_or(self.local_today())
    }

    /// "morgen, dinsdag 8 december"
    fn spoken_day(&self, offset: i64) -> String {
        let p = self.p();
        let date = spoken_date(p, self.day_of(offset));
        match offset {
            0 => p.text(PromptKey::LaterToday, &[("date", &date)]),
            1 => p.text(PromptKey::LaterTomorrow, &[("date", &date)]),
            _ => date,
        }
    }

    /// What the later menu the caller is in says, with the person (0) and back (*).
    fn later_speech(&self, later: Later) -> Vec<Speech> {
        let p = self.p();
        let mut say = Vec::new();
        let choice =
            |key: PromptKey, what: &str, digit: u8| self.speech(key, &[("what", what), ("digit", &digit.to_string())]);
        match later {
            Later::NowOrLater => say.push(self.speech(PromptKey::LaterNowOrLater, &[])),
            Later::Day { first } => {
                let (_, last) = self.day_range();
                say.push(self.speech(PromptKey::LaterWhichDay, &[]));
                for (digit, offset) in (first..=last.min(first + 1)).enumerate() {
                    say.push(choice(PromptKey::LaterChoice, &self.spoken_day(offset), digit as u8 + 1));
                }
                if first + 2 <= last {
                    say.push(self.speech(PromptKey::LaterLaterDay, &[]));
                }
            }
            Later::Part { day } => {
                let date = spoken_date(p, day);
                say.push(self.speech(PromptKey::LaterWhichPart, &[("date", &date)]));
                for part in Part::ALL {
                    say.push(choice(PromptKey::LaterChoice, &p.text(part.prompt(), &[]), part.digit()));
                }
            }
            Later::Hour { part, first, .. } => {
                // "Om 8 uur, toets 1." says itself what is asked.
                let (_, last) = part.hours();
                for (digit, hour) in (first..=last.min(first + HOURS_A_PAGE - 1)).enumerate() {
                    // "Om 10 uur": "voor 10 uur" would sound like "before ten".
                    let time = spoken_time(p, hour as u16 * 60);
                    say.push(choice(PromptKey::LaterHourChoice, &time, digit as u8 + 1));
                }
                if first + HOURS_A_PAGE <= last {
                    say.push(self.speech(PromptKey::LaterLaterHour, &[]));
                }
            }
            Later::Half { hour, .. } => {
                say.push(
                    self.speech(
                        PromptKey::LaterHalf,
                        &[("hour", &hour.to_string()), ("next", &(hour + 1).to_string())],
                    ),
                );
            }
            Later::Check { at } => {
                let when = planned::say::when(p, at);
                say.push(self.speech(PromptKey::LaterCheck, &[("when", &when)]));
                // "Om half 1" is 12:30: the next hour on the clock's face.
                let (hour, next) = (at.hour().to_string(), (at.hour() % 12 + 1).to_string());
                let other = if at.minute() == 0 { PromptKey::LaterCheckHalf } else { PromptKey::LaterCheckSharp };
                say.push(self.speech(other, &[("hour", &hour), ("next", &next)]));
                say.push(self.speech(PromptKey::LaterCheckChange, &[]));
            }
            Later::Upcoming => {
                if let Some(up) = &self.ctx.caller.planned {
                    let when = planned::say::when(p, up.at);
                    say.push(match &up.helper_first_name {
                        Some(helper) => self.speech(PromptKey::LaterYouHave, &[("when", &when), ("helper", helper)]),
                        None => self.speech(PromptKey::LaterYouAsked, &[("when", &when)]),
                    });
                }
                say.push(self.speech(PromptKey::LaterCancelOrMenu, &[]));
            }
            Later::CancelSure => {
                let when = self.ctx.caller.planned.as_ref().map(|up| planned::say::when(p, up.at)).unwrap_or_default();
                say.push(self.speech(PromptKey::LaterCancelSure, &[("when", &when)]));
            }
            // Said by `agenda`, in the settings; "where to" is a recording, not a menu.
            Later::Agenda(_) | Later::WhereTo => {}
        }
        // Short: said in every menu of a booking, which must fit in two minutes.
        say.push(
            self.speech(if self.desk_open() { PromptKey::LaterDeskOpen } else { PromptKey::LaterDeskClosed }, &[]),
        );
        // Back (*) works in every menu, and is said in the first ones of a booking (and in
        // "Weet u het zeker?"): the whole booking must fit in two minutes.
        if matches!(later, Later::NowOrLater | Later::Day { .. } | Later::CancelSure) {
            say.push(self.speech(PromptKey::LaterBack, &[]));
        }
        say
    }

    /// Says the later menu the caller is in (after `before`, if any).
    fn later_menu(&mut self, before: Option<Speech>) {
        let Some(later) = self.state.later else { return self.menu() };
        if self.ctx.caller_gone {
            self.end(Outcome::Abandoned, Stage::Menu);
            return;
        }
        let mut said = self.later_speech(later);
        if let Some(before) = before {
            said.insert(0, before);
        }
        let (say, timeout_seconds) = self.as_said(said);
        self.reply.push(Action::Gather { say, timeout_seconds, next: Next::Menu });
        self.reply.push(Action::Redirect(Next::Menu));
    }

    /// A key (or a silence) in a later menu.
    pub(super) fn later_key(&mut self, key: Option<String>) {
        let Some(later) = self.state.later else { return self.menu_key(key) };
        let digit = match self.common(key) {
            Common::Person => return self.later_to_a_person(false),
            Common::Again => return self.later_menu(None),
            Common::MoreTime => {
                let given = self.speech(PromptKey::MenuMoreTimeGiven, &[]);
                return self.later_menu(Some(given));
            }
            Common::Silence(true) => return self.later_to_a_person(true),
            Common::Silence(false) => {
                let menu = self.later_speech(later);
                return self.offer_more_time(&menu, Next::Menu);
            }
            Common::Choice(digit) => digit,
        };
        if digit == BACK_KEY && later != Later::Upcoming {
            return self.back(later);
        }
        match (later, digit.as_str()) {
            (Later::NowOrLater, "1") => self.search_now(),
            (Later::NowOrLater, "2") if self.ctx.caller.own.is_none() => {
                // Planning needs a resident in the register: the desk arranges it.
                self.say(PromptKey::LaterUnknownCaller);
                self.state.later = None;
                self.desk_or_voicemail(false);
            }
            (Later::NowOrLater, "2") => {
                let (first, _) = self.day_range();
                self.enter(Later::Day { first });
            }
            (Later::Day { first }, "1") => self.enter(Later::Part { day: self.day_of(first) }),
            (Later::Day { first }, "2") if first < self.day_range().1 => {
                self.enter(Later::Part { day: self.day_of(first + 1) })
            }
            (Later::Day { first }, "3") if first + 2 <= self.day_range().1 => {
                self.enter(Later::Day { first: first + 2 })
            }
            (Later::Part { day }, d) if Part::ALL.iter().any(|p| p.digit().to_string() == d) => {
                let part = Part::ALL.into_iter().find(|p| p.digit().to_string() == d).expect("just found");
                self.enter(Later::Hour { day, part, first: part.hours().0 })
            }
            (Later::Hour { day, part, first }, "1" | "2" | "3") if first + hour_digit(&digit) - 1 <= part.hours().1 => {
                self.chosen(day.at(first + hour_digit(&digit) - 1, 0, 0, 0));
            }
            (Later::Hour { day, part, first }, "4") if first + HOURS_A_PAGE <= part.hours().1 => {
                self.enter(Later::Hour { day, part, first: first + HOURS_A_PAGE })
            }
            (Later::Half { day, hour }, "1" | "2") => {
                let minute = if digit == "1" { 0 } else { 30 };
                self.chosen(day.at(hour, minute, 0, 0));
            }
            (Later::Check { at }, "1") => self.take(at),
            (Later::Check { at }, "2") => {
                let minute = if at.minute() == 0 { 30 } else { 0 };
                self.chosen(at.date().at(at.hour(), minute, 0, 0));
            }
            (Later::Check { .. }, "3") => {
                let (first, _) = self.day_range();
                self.enter(Later::Day { first });
            }
            (Later::Upcoming, "1") => self.enter(Later::CancelSure),
            (Later::Upcoming, "2") => self.back_to_the_menu(),
            (Later::CancelSure, "1") => self.cancel_upcoming(),
            (Later::CancelSure, "2") => {
                self.say(PromptKey::LaterKept);
                self.back_to_the_menu();
            }
            _ => {
                if self.wrong_key() {
                    self.later_menu(None);
                } else {
                    self.state.later = None;
                    self.desk_or_voicemail(false);
                }
            }
        }
    }

    /// A person: the desk in office hours, a message otherwise.
    fn later_to_a_person(&mut self, after_silences: bool) {
        if after_silences {
            self.say(PromptKey::MenuGiveUp);
        }
        self.state.later = None;
        self.desk_or_voicemail(false);
    }

    /// `*`: one menu back; from the first, the main menu.
    fn back(&mut self, later: Later) {
        let first = self.day_range().0;
        match later {
            Later::NowOrLater | Later::Upcoming => self.back_to_the_menu(),
            Later::Day { .. } => self.enter(Later::NowOrLater),
            Later::Part { .. } | Later::Check { .. } => self.enter(Later::Day { first }),
            Later::Hour { day, .. } | Later::Half { day, .. } => self.enter(Later::Part { day }),
            Later::CancelSure => self.enter(Later::Upcoming),
            Later::Agenda(_) | Later::WhereTo => self.back_to_the_menu(),
        }
    }

    fn back_to_the_menu(&mut self) {
        self.state.later = None;
        self.state.category = None;
        self.set_tries(Tries::default());
        self.menu();
    }

    /// Help now, as any other kind of help.
    fn search_now(&mut self) {
        self.state.later = None;
        self.state.search_started_at = Some(self.ctx.now);
        self.set_tries(Tries::default());
        if self.ctx.dialplan.ringing.mode == RingMode::Waves {
            self.hold();
        } else {
            self.try_next_helper(true);
        }
    }

    /// A moment chosen: read back, or refused with what is possible.
    fn chosen(&mut self, at: DateTime) {
        match planned::check_when(&self.ctx.dialplan.time_zone, self.ctx.now, at, self.lead()) {
            Ok(_) => self.enter(Later::Check { at }),
            // On the hour is too soon, half past is not: said, and half past read back.
            Err(Refused::TooSoon { earliest, .. }) if earliest.date() == at.date() && earliest.hour() == at.hour() => {
                let p = self.p();
                let said = self.speech(PromptKey::LaterTooSoon, &[("earliest", &planned::say::when(p, earliest))]);
                self.state.later = Some(Later::Check { at: earliest });
                self.set_tries(self.tries().fresh());
                self.later_menu(Some(said));
            }
            Err(refused) => self.refused(&refused),
        }
    }

    /// What is possible instead, then: now, another moment, or a person.
    fn refused(&mut self, refused: &Refused) {
        let p = self.p();
        let said = match refused {
            Refused::TooFar { latest, .. } => {
                self.speech(PromptKey::LaterTooFar, &[("latest", &spoken_date(p, latest.date()))])
            }
            Refused::Past { earliest, .. } | Refused::TooSoon { earliest, .. } => {
                self.speech(PromptKey::LaterTooSoon, &[("earliest", &planned::say::when(p, *earliest))])
            }
            Refused::NoSuchTime { .. } => self.speech(PromptKey::LaterNoSuchTime, &[]),
        };
        self.state.later = Some(Later::NowOrLater);
        self.set_tries(self.tries().fresh());
        self.later_menu(Some(said));
    }

    /// The read-back confirmed: the request is taken (checked again: time went by).
    fn take(&mut self, at: DateTime) {
        if let Err(refused) = planned::check_when(&self.ctx.dialplan.time_zone, self.ctx.now, at, self.lead()) {
            return self.refused(&refused);
        }
        let category = self.state.category.clone().unwrap_or_default();
        let where_to = self.ctx.dialplan.where_to(&category);
        self.effects.push(Effect::PlannedAsked { category, at });
        let when = planned::say::when(self.p(), at);
        let taken = self.speech(PromptKey::LaterTaken, &[("when", &when)]);
        self.reply.push(Action::Say(taken));
        if where_to {
            // Taken first: a hang-up during the recording loses nothing.
            self.say(PromptKey::LaterWhereAsk);
            self.reply.push(Action::Record {
                max_seconds: WHERE_TO_MAX_SECONDS,
                silence_seconds: WHERE_TO_SILENCE_SECONDS,
                done: Next::Recorded,
            });
            // Reached only when nothing was recorded.
            self.reply.push(Action::Redirect(Next::Recorded));
            self.state.later = Some(Later::WhereTo);
        } else {
            self.say(PromptKey::PlannedGoodbye);
            self.reply.push(Action::Hangup);
            self.state.later = None;
        }
        // Help planned: a good end of its own; the planned request is its own record.
        self.end(Outcome::Planned, Stage::Menu);
    }

    /// "Where to" was recorded (or nothing was): kept for the request when it holds
    /// something; the request stands either way.
    pub(super) fn where_to_recorded(&mut self, url: Option<String>, duration_seconds: u32) {
        self.state.later = None;
        match url {
            Some(recording_url) if duration_seconds > 0 => {
                self.effects.push(Effect::PlannedWhereTo { recording_url, duration_seconds });
            }
            _ => {}
        }
        self.say(PromptKey::PlannedGoodbye);
        self.reply.push(Action::Hangup);
    }

    /// Cancelled after "Weet u het zeker?": the helper is called and told.
    fn cancel_upcoming(&mut self) {
        let Some(up) = self.ctx.caller.planned.clone() else { return self.back_to_the_menu() };
        self.effects.push(Effect::PlannedCancelled { id: up.id });
        let said = match &up.helper_first_name {
            Some(helper) => self.speech(PromptKey::LaterCancelledHelper, &[("helper", helper)]),
            None => self.speech(PromptKey::LaterCancelled, &[]),
        };
        self.reply.push(Action::Say(said));
        self.say(PromptKey::PlannedGoodbye);
        self.reply.push(Action::Hangup);
        self.state.later = None;
        self.end(Outcome::OwnSettings, Stage::Menu);
    }
}
