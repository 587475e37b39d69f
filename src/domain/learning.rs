//! How likely a helper is to pick up and say yes at a given time, learned from the
//! attempts already logged. Pure: the history comes in, numbers come out.
//!
//! Each attempt counts in one of six bands (weekday or weekend × morning, afternoon,
//! evening). An estimate is shrunk towards the helper's own overall rate, and that towards
//! the whole neighbourhood's, so a helper asked twice is not judged on two calls.
//!
//! [`Likelihoods::chance`] is what the sizing of a wave (`domain::waves::sizing`) reads:
//! the same estimate, lowered for a helper who said no in the last day (whoever said no
//! this morning is likely still busy this afternoon).

use std::collections::HashMap;

use jiff::civil::{DateTime, Weekday};

/// One logged attempt: who was rung, when (local time), and whether they said yes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Asked {
    pub helper_id: i64,
    pub at: DateTime,
    pub accepted: bool,
}

pub const BANDS: usize = 6;

/// Weekday or weekend, × before 12:00, 12:00–17:00, after 17:00.
pub fn band(at: DateTime) -> usize {
    let weekend = matches!(at.weekday(), Weekday::Saturday | Weekday::Sunday) as usize;
    let part = match at.hour() {
        0..=11 => 0,
        12..=16 => 1,
        _ => 2,
    };
    weekend * 3 + part
}

#[derive(Clone, Debug, Default)]
pub struct Likelihoods {
    per_band: HashMap<(i64, usize), (u32, u32)>,
    per_helper: HashMap<i64, (u32, u32)>,
    all: (u32, u32),
    /// Per helper, when they last said no (or did not answer), newest last, at most
    /// `RECENT_NOES_KEPT`.
    noes: HashMap<i64, Vec<DateTime>>,
}

/// A no counts as recent this many hours after it.
pub const RECENT_NO_HOURS: i64 = 24;
/// Each recent no multiplies a helper's chance by this.
pub const RECENT_NO_FACTOR: f64 = 0.5;
const RECENT_NOES_KEPT: usize = 2;

/// How many attempts' worth of weight the prior gets.
const PRIOR_WEIGHT: f64 = 3.0;

impl Likelihoods {
    pub fn estimate(history: &[Asked]) -> Likelihoods {
        let mut l = Likelihoods::default();
        for a in history {
            l.record(a);
        }
        l
    }

    /// Adds one attempt to what is known.
    pub fn record(&mut self, a: &Asked) {
        let yes = a.accepted as u32;
        let e = self.per_band.entry((a.helper_id, band(a.at))).or_default();
        *e = (e.0 + 1, e.1 + yes);
        let e = self.per_helper.entry(a.helper_id).or_default();
        *e = (e.0 + 1, e.1 + yes);
        self.all = (self.all.0 + 1, self.all.1 + yes);
        if !a.accepted {
            let noes = self.noes.entry(a.helper_id).or_default();
            let at = noes.partition_point(|t| *t <= a.at);
            noes.insert(at, a.at);
            if noes.len() > RECENT_NOES_KEPT {
                noes.remove(0);
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.all.0 == 0
    }

    /// The estimated chance that `helper_id`, rung at `at`, picks up and says yes.
    pub fn likelihood(&self, helper_id: i64, at: DateTime) -> f64 {
        let shrink =
            |(n, k): (u32, u32), prior: f64| (f64::from(k) + PRIOR_WEIGHT * prior) / (f64::from(n) + PRIOR_WEIGHT);
        // With no history at all, everyone is alike.
        let global = if self.all.0 == 0 { 0.5 } else { f64::from(self.all.1) / f64::from(self.all.0) };
        let helper = shrink(self.per_helper.get(&helper_id).copied().unwrap_or_default(), global);
        shrink(self.per_band.get(&(helper_id, band(at))).copied().unwrap_or_default(), helper)
    }

    /// How many times `helper_id` said no (or did not answer) in the `RECENT_NO_HOURS`
    /// before `at`.
    pub fn recent_noes(&self, helper_id: i64, at: DateTime) -> usize {
        let since = at - jiff::SignedDuration::from_hours(RECENT_NO_HOURS);
        self.noes.get(&helper_id).map_or(0, |noes| noes.iter().filter(|t| **t > since && **t <= at).count())
    }

    /// The chance that `helper_id`, rung at `at`, picks up and says yes, for sizing a
    /// wave: [`likelihood`](Self::likelihood) (their daypart, weekday or weekend), halved
    /// for each recent no.
    pub fn chance(&self, helper_id: i64, at: DateTime) -> f64 {
        let noes = i32::try_from(self.recent_noes(helper_id, at)).unwrap_or(i32::MAX);
        self.likelihood(helper_id, at) * RECENT_NO_FACTOR.powi(noes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn asked(helper_id: i64, day: i8, hour: i8, accepted: bool) -> Asked {
        Asked { helper_id, at: date(2026, 11, day).at(hour, 0, 0, 0), accepted }
    }

    #[test]
    fn bands_split_weekdays_weekends_and_dayparts() {
        assert_eq!(band(date(2026, 11, 24).at(9, 0, 0, 0)), 0);
        assert_eq!(band(date(2026, 11, 24).at(14, 0, 0, 0)), 1);
        assert_eq!(band(date(2026, 11, 24).at(19, 0, 0, 0)), 2);
        assert_eq!(band(date(2026, 11, 28).at(9, 0, 0, 0)), 3);
        assert_eq!(band(date(2026, 11, 29).at(20, 0, 0, 0)), 5);
    }

    #[test]
    fn a_helper_who_says_yes_in_the_morning_ranks_high_in_the_morning() {
        let mut history = Vec::new();
        for day in 2..=27 {
            // Helper 1: yes in the morning, never in the evening. Helper 2: the other way round.
            history.push(asked(1, day, 10, true));
            history.push(asked(1, day, 19, false));
            history.push(asked(2, day, 10, false));
            history.push(asked(2, day, 19, true));
        }
        let l = Likelihoods::estimate(&history);
        let morning = date(2026, 11, 30).at(9, 30, 0, 0);
        let evening = date(2026, 11, 30).at(19, 30, 0, 0);
        assert!(l.likelihood(1, morning) > 0.85 && l.likelihood(1, evening) < 0.15);
        assert!(l.likelihood(2, morning) < 0.15 && l.likelihood(2, evening) > 0.85);
        // Someone never asked gets the neighbourhood's average.
        assert!((l.likelihood(3, morning) - 0.5).abs() < 1e-9);
    }

    #[test]
    fn little_history_is_shrunk_towards_the_average() {
        let history =
            vec![asked(1, 24, 10, true), asked(2, 24, 10, false), asked(2, 24, 11, false), asked(2, 24, 12, false)];
        let l = Likelihoods::estimate(&history);
        let at = date(2026, 11, 25).at(10, 0, 0, 0);
        let one = l.likelihood(1, at);
        assert!(one > 0.25 && one < 0.75, "one yes is not certainty: {one}");
        assert!(l.likelihood(2, at) < one);
        assert!(Likelihoods::default().is_empty());
    }

    #[test]
    fn a_recent_no_halves_the_chance_for_a_day() {
        let history = vec![asked(1, 24, 10, true), asked(1, 24, 11, false), asked(2, 24, 10, true)];
        let l = Likelihoods::estimate(&history);
        let afternoon = date(2026, 11, 24).at(15, 0, 0, 0);
        assert_eq!(l.recent_noes(1, afternoon), 1);
        assert!((l.chance(1, afternoon) - l.likelihood(1, afternoon) * 0.5).abs() < 1e-12);
        assert_eq!(l.chance(2, afternoon), l.likelihood(2, afternoon));
        // A day later the no no longer counts; a no after `at` never does.
        let next_day = date(2026, 11, 25).at(11, 30, 0, 0);
        assert_eq!(l.chance(1, next_day), l.likelihood(1, next_day));
        assert_eq!(l.recent_noes(1, date(2026, 11, 24).at(10, 30, 0, 0)), 0);
    }
}
