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

/// Each helper's chance of picking up and saying yes now, by id.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Chances(HashMap<i64, f64>);

impl Chances {
    pub fn of(&self, helper_id: i64) -> f64 {
        self.0.get(&helper_id).copied().unwrap_or(UNKNOWN_CHANCE).clamp(0.0, 1.0)
    }
}

impl FromIterator<(i64, f64)> for Chances {
    fn from_iter<I: IntoIterator<Item = (i64, f64)>>(iter: I) -> Chances {
        Chances(iter.into_iter().collect())
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
    fn chances_unknown_are_even_and_out_of_range_is_clamped() {
        let chances: Chances = [(1, 0.9), (2, 1.7)].into_iter().collect();
        assert_eq!(chances.of(1), 0.9);
        assert_eq!(chances.of(2), 1.0);
        assert_eq!(chances.of(3), UNKNOWN_CHANCE);
        assert!((chance_of_a_yes(&[0.5, 0.5]) - 0.75).abs() < 1e-12);
        assert_eq!(chance_of_a_yes(&[]), 0.0);
    }
}
