//! What the demo in waves says of how many neighbours ring at once (issue 31): the first
//! wave as `domain::waves::sizing` sizes it in the demo's fresh neighbourhood.

use crate::domain::waves::{sizing, WaveSize};

/// The demo's words for a dialplan's `wave_size`, where nothing was learned yet.
pub fn explain(wave_size: WaveSize) -> String {
    match wave_size {
        WaveSize::Fixed(n) => format!("the switchboard rings {n} neighbours at a time"),
        WaveSize::Learned { cap } => {
            // Nobody has been rung yet: everyone counts as even odds.
            let odds = [sizing::UNKNOWN_CHANCE; 8];
            let first = sizing::first_wave(&odds, cap);
            let together = sizing::chance_of_a_yes(&odds[..first as usize]);
            format!(
                "nothing has been learned yet, so each neighbour counts as {:.0}% likely to say yes;\n\
                 the switchboard rings {first} at once (together {:.0}%, the aim is {:.0}%, at most {cap}),\n\
                 and rings one more after a no, as each no raises the aim",
                100.0 * sizing::UNKNOWN_CHANCE,
                100.0 * together,
                100.0 * sizing::FIRST_WAVE_YES,
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_says_the_first_wave_the_sizing_rings() {
        let said = explain(WaveSize::Learned { cap: 4 });
        assert!(said.contains("rings 3 at once (together 88%, the aim is 80%, at most 4)"), "{said}");
        assert_eq!(explain(WaveSize::Fixed(2)), "the switchboard rings 2 neighbours at a time");
    }
}
