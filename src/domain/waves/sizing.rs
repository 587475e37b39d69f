//! How many helpers ring at once in waves (issue 31): enough that a yes is likely, from
//! each helper's learned chance of picking up and saying yes at this hour and day
//! (`domain::learning::Likelihoods::chance`, lowered for a recent no). Pure: the chances
//! come in, a number comes out.
//!
//! The rule: the phones in flight together should bring a yes with at least
//! [`FIRST_WAVE_YES`] (80 %). Each helper who ends without a yes raises that aim (the miss
//! chance left is multiplied by [`GROWTH`]), so a first wave that brings nothing is
//! followed by a bigger one; never more than the dialplan's cap (`ringing.max_wave_size`)
//! ring at once, and always at least one.
//!
//! The chances of the phones in flight are those of now, not of when they were rung
//! ([`Chance`]): once a helper picked up, their chance of a yes once picked up; while a
//! phone rings on unanswered, less with every second (`Chance::still_ringing`). The search
//! is looked at again at every tick while the caller holds, so a wave nobody picks up is
//! topped up long before its phones' ring time ends.

use std::collections::HashMap;

/// How a dialplan sizes its waves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaveSize {
    /// Always this many at once: a dialplan's explicit `wave_size`.
    Fixed(u32),
    /// As many as make a yes likely, never more than `cap` (`max_wave_size`): the
    /// default in waves.
    Learned { cap: u32 },
}

/// The chance of a yes the first wave aims at.
pub const FIRST_WAVE_YES: f64 = 0.8;
/// Each helper rung without a yes multiplies the miss chance aimed at by this.
pub const GROWTH: f64 = 0.7;
/// The chance of someone nobody knows anything about (as `Likelihoods` without history).
pub const UNKNOWN_CHANCE: f64 = 0.5;

/// One helper's learned chances, as they are before their phone rings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Chance {
    /// Of picking up and saying yes.
    pub yes: f64,
    /// Of picking up (whatever they say then): never below `yes`.
    pub pick_up: f64,
}

impl Chance {
    /// A chance of a yes with nothing known of picking up: as if everyone picked up, so
    /// the time a phone has rung tells nothing.
    pub fn of_yes(yes: f64) -> Chance {
        let yes = yes.clamp(0.0, 1.0);
        Chance { yes, pick_up: 1.0 }
    }

    /// The chance of a yes once they picked up.
    pub fn yes_once_picked_up(self) -> f64 {
        if self.pick_up <= 0.0 {
            return 0.0;
        }
        (self.yes / self.pick_up).clamp(0.0, 1.0)
    }

    /// The chance of a yes from a helper whose phone has rung `rung_for` seconds of at
    /// most `window` without being picked up: lower as the ring goes on, since who picks
    /// up mostly does so early. Nobody documents when people pick up; the model takes the
    /// pick-ups spread evenly over the ring time (`ring_timeout_seconds`), so after half of
    /// it, half of the chance of picking up is spent. (Bayes: the chance of a pick-up still
    /// to come, given none so far.)
    pub fn still_ringing(self, rung_for: i64, window: i64) -> f64 {
        let left = if window <= 0 { 0.0 } else { ((window - rung_for) as f64 / window as f64).clamp(0.0, 1.0) };
        let p = self.pick_up.clamp(0.0, 1.0);
        let not_yet = 1.0 - p + p * left;
        let picks_up = if not_yet <= 0.0 { 0.0 } else { p * left / not_yet };
        picks_up * self.yes_once_picked_up()
    }
}

/// Each helper's learned chances now, by id.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Chances(HashMap<i64, Chance>);

impl Chances {
    /// The chance of a yes of `helper_id`, before their phone rings.
    pub fn of(&self, helper_id: i64) -> f64 {
        self.chance(helper_id).yes
    }

    pub fn chance(&self, helper_id: i64) -> Chance {
        let c = self.0.get(&helper_id).copied().unwrap_or(Chance::of_yes(UNKNOWN_CHANCE));
        let yes = c.yes.clamp(0.0, 1.0);
        Chance { yes, pick_up: c.pick_up.clamp(yes, 1.0) }
    }
}

impl FromIterator<(i64, Chance)> for Chances {
    fn from_iter<I: IntoIterator<Item = (i64, Chance)>>(iter: I) -> Chances {
        Chances(iter.into_iter().collect())
    }
}

impl FromIterator<(i64, f64)> for Chances {
    fn from_iter<I: IntoIterator<Item = (i64, f64)>>(iter: I) -> Chances {
        iter.into_iter().map(|(id, yes)| (id, Chance::of_yes(yes))).collect()
    }
}

/// The chance of a yes aimed at after `noes` helpers of this search ended without one.
pub fn aim(noes: usize) -> f64 {
    let noes = i32::try_from(noes).unwrap_or(i32::MAX);
    1.0 - (1.0 - FIRST_WAVE_YES) * GROWTH.powi(noes)
}

/// The chance that at least one of these helpers says yes (each on their own).
pub fn chance_of_a_yes(chances: &[f64]) -> f64 {
    1.0 - chances.iter().map(|p| 1.0 - p.clamp(0.0, 1.0)).product::<f64>()
}

/// How many of `next` (the chances of the helpers the ranking offers, best first) to ring
/// now, beside the helpers `in_flight`, after `noes` helpers ended without a yes: the
/// fewest that bring the chance of a yes to [`aim`], at least one in flight, never more
/// than `cap` in flight.
pub fn to_ring(in_flight: &[f64], next: &[f64], noes: usize, cap: u32) -> u32 {
    let aim = aim(noes);
    let places = (cap.max(1) as usize).saturating_sub(in_flight.len());
    let mut miss: f64 = in_flight.iter().map(|p| 1.0 - p.clamp(0.0, 1.0)).product();
    let mut ring = 0;
    for p in next.iter().take(places) {
        // At least one in flight, whatever the chances.
        if (!in_flight.is_empty() || ring > 0) && 1.0 - miss >= aim {
            break;
        }
        miss *= 1.0 - p.clamp(0.0, 1.0);
        ring += 1;
    }
    ring as u32
}

/// How big the first wave of a search is, for these helpers best first: what the demo
/// and the benchmark show.
pub fn first_wave(next: &[f64], cap: u32) -> u32 {
    to_ring(&[], next, 0, cap)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_wave_rings_enough_for_a_likely_yes() {
        // (chances best first, cap, how many ring)
        let cases: [(&[f64], u32, u32); 7] = [
            (&[0.9, 0.5], 4, 1),
            (&[0.6, 0.6, 0.6], 4, 2),
            (&[0.5, 0.5, 0.5, 0.5], 4, 3),
            (&[0.3; 8], 4, 4),
            (&[0.3; 8], 6, 5),
            (&[0.2, 0.2], 4, 2),
            (&[], 4, 0),
        ];
        for (next, cap, expected) in cases {
            assert_eq!(first_wave(next, cap), expected, "{next:?}, cap {cap}");
            let rung = &next[..expected as usize];
            if (expected as usize) < next.len().min(cap as usize) {
                assert!(chance_of_a_yes(rung) >= FIRST_WAVE_YES, "{next:?}: {}", chance_of_a_yes(rung));
            }
        }
    }

    #[test]
    fn an_unlikely_neighbourhood_still_rings_one_and_never_past_the_cap() {
        assert_eq!(to_ring(&[], &[0.01, 0.01], 0, 1), 1);
        assert_eq!(to_ring(&[0.01], &[0.01, 0.01], 0, 1), 0);
        assert_eq!(to_ring(&[0.1, 0.1, 0.1], &[0.1; 5], 0, 3), 0);
        assert_eq!(to_ring(&[], &[0.5; 3], 0, 0), 1, "a cap of 0 still rings one");
    }

    #[test]
    fn phones_in_flight_count_and_each_no_raises_the_aim() {
        // Two likely helpers in flight: nobody more.
        assert_eq!(to_ring(&[0.6, 0.6], &[0.5; 5], 0, 4), 0);
        // One of three said no: the two left (75 %) fall short of the raised aim (86 %).
        assert!(aim(1) > aim(0));
        assert_eq!(to_ring(&[0.5, 0.5], &[0.5; 5], 1, 4), 1);
        // A first wave of three that brought nothing: the next is four.
        assert_eq!(first_wave(&[0.5; 8], 5), 3);
        assert_eq!(to_ring(&[], &[0.5; 8], 3, 5), 4);
        assert!(aim(3) > 0.93 && aim(3) < 0.94);
    }

    #[test]
    fn a_phone_ringing_unanswered_loses_its_chance_as_the_ring_goes_on() {
        let c = Chance { yes: 0.6, pick_up: 0.8 };
        assert!((c.yes_once_picked_up() - 0.75).abs() < 1e-12);
        // At the first ring, the chance is the learned one; at the ring's end, none.
        assert!((c.still_ringing(0, 20) - 0.6).abs() < 1e-12);
        assert_eq!(c.still_ringing(20, 20), 0.0);
        assert_eq!(c.still_ringing(35, 20), 0.0);
        // Halfway: of 100 such calls, 40 picked up already, 40 will, 20 never: 40 of the
        // 60 left pick up, and three in four of those say yes.
        assert!((c.still_ringing(10, 20) - 0.5).abs() < 1e-12, "{}", c.still_ringing(10, 20));
        // Lower all the way down.
        let by_second: Vec<f64> = (0..=20).map(|s| c.still_ringing(s, 20)).collect();
        assert!(by_second.windows(2).all(|w| w[1] < w[0]), "{by_second:?}");
        // Someone who always picks up and is not picking up: the ring so far tells nothing
        // until it ends. Nothing known of picking up: the same.
        assert!((Chance { yes: 0.5, pick_up: 1.0 }.still_ringing(15, 20) - 0.5).abs() < 1e-12);
        assert_eq!(Chance::of_yes(0.5), Chance { yes: 0.5, pick_up: 1.0 });
        assert_eq!(Chance { yes: 0.0, pick_up: 0.0 }.still_ringing(5, 20), 0.0);
        assert_eq!(c.still_ringing(5, 0), 0.0, "no ring time: nothing to wait for");
    }

    #[test]
    fn chances_unknown_are_even_and_out_of_range_is_clamped() {
        let chances: Chances = [(1, 0.9), (2, 1.7)].into_iter().collect();
        assert_eq!(chances.of(1), 0.9);
        assert_eq!(chances.of(2), 1.0);
        assert_eq!(chances.of(3), UNKNOWN_CHANCE);
        // A chance of picking up below that of a yes (they cannot say yes unheard) is
        // raised to it.
        let odd: Chances = [(1, Chance { yes: 0.6, pick_up: 0.3 })].into_iter().collect();
        assert_eq!(odd.chance(1), Chance { yes: 0.6, pick_up: 0.6 });
        assert!((chance_of_a_yes(&[0.5, 0.5]) - 0.75).abs() < 1e-12);
        assert_eq!(chance_of_a_yes(&[]), 0.0);
    }
}
