//! Figures for funders and the municipality: anonymous totals of a period, of the
//! neighbourhoods the account may see (or one of them: act with that narrower scope).

use jiff::Timestamp;

use super::Act;
pub use crate::store::desk::Figures;
pub use crate::store::planned::PlannedFigures;
pub use crate::store::round::RoundFigures;
use crate::store::{desk as q, round};

/// How many follow-ups were closed with each result (`None`: still open).
pub type Results = Vec<(Option<String>, i64)>;

/// The calls of `[from, until)`: the total first, then per category.
pub fn calls(act: &Act<'_>, from: Timestamp, until: Timestamp) -> anyhow::Result<Vec<Figures>> {
    q::figures(act.conn, from, until, act.scope())
}

/// How the period's follow-ups were closed (`None`: still open), and the good-morning
/// round's totals.
pub fn follow_ups_and_round(
    act: &Act<'_>,
    from: Timestamp,
    until: Timestamp,
) -> anyhow::Result<(Results, RoundFigures)> {
    Ok((q::follow_up_results(act.conn, from, until, act.scope())?, round::figures(act.conn, from, until, act.scope())?))
}

/// Help for later's totals of the requests taken in `[from, until)`.
pub fn planned(act: &Act<'_>, from: Timestamp, until: Timestamp) -> anyhow::Result<PlannedFigures> {
    crate::store::planned::figures(act.conn, from, until, act.scope())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Clock;
    use crate::domain::call::Phase;
    use crate::switchboard::desk::{read_here, Acting, Scope};
    use crate::switchboard::test_support::{stored_call, switchboard, TUESDAY_MORNING};

    #[test]
    fn the_figures_count_only_the_calls_the_account_may_see() {
        let sb = switchboard(false, TUESDAY_MORNING);
        let now = sb.clock.now();
        sb.store.write(|tx| Ok(stored_call(tx, "CA1", "+31612345678", "shopping", Phase::Menu, now))).unwrap();
        let (from, until) = (now - jiff::SignedDuration::from_hours(1), now + jiff::SignedDuration::from_hours(1));
        let count = |who: &Acting| read_here(&sb.store, who, now, |act| calls(act, from, until)).unwrap()[0].calls;
        assert_eq!(count(&Acting::account("ann", Scope::all())), 1);
        assert_eq!(count(&Acting::account("ann", Scope::only(vec!["other".into()], vec!["+31859999999".into()]))), 0);
    }
}
