//! Which neighbourhood a participant belongs to, where nobody said: with one neighbourhood
//! on the install, that one; with several, nobody guesses.

use anyhow::bail;

use crate::config::Neighbourhoods;
use crate::store::participants;
use crate::store::Store;

/// At start-up: participants who belong to no neighbourhood (a database from before
/// neighbourhoods) join the only one; with several, the service refuses to start and says
/// how to assign them. Returns how many joined.
pub fn settle(store: &Store, hoods: &Neighbourhoods) -> anyhow::Result<usize> {
    if let Some(key) = hoods.only() {
        let joined = store.write(|tx| participants::join_all_without(tx, key))?;
        if joined > 0 {
            tracing::info!(
                participants = joined,
                neighbourhood = key,
                "participants without a neighbourhood joined the only one"
            );
        }
        return Ok(joined);
    }
    let without = store.read(participants::without_neighbourhood)?;
    if without > 0 {
        bail!(
            "{without} participant(s) belong to no neighbourhood, and there are several ({}): Burenlijn does not guess. \
             Assign them with `burenlijn participants assign --neighbourhood KEY` (everyone who has none), \
             or import them again with a `neighbourhoods` column",
            hoods.keys().join(", ")
        );
    }
    Ok(0)
}

/// The neighbourhoods a participant added without any named joins: the only one, or, with
/// several, none (the caller must ask).
pub fn default_for_new(hoods: &Neighbourhoods) -> Option<Vec<String>> {
    hoods.only().map(|k| vec![k.to_string()])
}

/// Checks neighbourhood keys someone gave (a form, a CSV field, a flag): each must be one
/// of the install's. Returns the sorted, deduplicated list, or the first unknown key.
pub fn known(hoods: &Neighbourhoods, given: &[String]) -> Result<Vec<String>, String> {
    let keys = hoods.keys();
    let mut out = Vec::new();
    for g in given {
        let g = g.trim();
        if g.is_empty() {
            continue;
        }
        if !keys.iter().any(|k| k == g) {
            return Err(format!("unknown neighbourhood '{g}' (there are: {})", keys.join(", ")));
        }
        out.push(g.to_string());
    }
    out.sort();
    out.dedup();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn with_one_neighbourhood_everyone_without_one_joins_it() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("old.db")).unwrap();
        let hoods = Neighbourhoods::embedded();
        let csv = crate::config::EXAMPLE_PARTICIPANTS;
        let (categories, keys, names) = (hoods.categories(), hoods.keys(), hoods.category_names());
        let rows = crate::registry::parse(
            csv,
            &crate::registry::Known {
                categories: &categories,
                neighbourhoods: &keys,
                names: &names,
                languages: &hoods.language_keys(),
            },
        )
        .unwrap();
        let now = jiff::Timestamp::from_second(1_800_000_000).unwrap();
        // As a database from before neighbourhoods holds them: in none.
        store.write(|tx| rows.iter().try_for_each(|r| participants::upsert(tx, &r.details, now).map(|_| ()))).unwrap();
        assert_eq!(store.read(participants::without_neighbourhood).unwrap(), 6);
        assert_eq!(settle(&store, &hoods).unwrap(), 6);
        assert_eq!(store.read(participants::without_neighbourhood).unwrap(), 0);
        let all = store.read(participants::list).unwrap();
        assert!(all.iter().all(|p| p.neighbourhoods == ["example"]), "{all:?}");
        assert_eq!(settle(&store, &hoods).unwrap(), 0, "once");
    }
}
