//! Reading the participant forms: the details, the availability's day boxes, the
//! neighbourhoods ticked, and the ids in paths and forms. Errors are the desk's words.

use serde::Deserialize;

use crate::domain::hours::{hh_mm, DaysAndTimes, WeeklyHours};
use crate::domain::participant::{ParticipantDetails, ParticipantInput};
use crate::web::desk::text::Lang;
use crate::web::desk::{Desk, DeskPlans, DeskState, Fields};

/// The list's search and filters.
#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    pub(super) q: String,
    #[serde(default)]
    pub(super) msg: String,
    /// A kind of help they offer.
    #[serde(default)]
    pub(super) offers: String,
    /// `paused`, `active`, or `ringable` (may be rung now, by their own hours).
    #[serde(default)]
    pub(super) status: String,
    /// `name` (the default) or `last-asked` (longest ago first).
    #[serde(default)]
    pub(super) sort: String,
}

/// The form's name of a field, for its errors.
pub(super) fn field_label(l: Lang, field: &str) -> &'static str {
    match field {
        "name" => l.t("Naam", "Name"),
        "phone" => l.t("Telefoonnummer", "Phone number"),
        "offers" => l.t("Helpt met", "Helps with"),
        "available" => l.t("Beschikbaar", "Available"),
        "street" => l.t("Straat", "Street"),
        "postcode" => l.t("Postcode", "Postcode"),
        "distance" => l.t("Waar helpen", "Where to help"),
        "language" => l.t("Taal", "Language"),
        other => super::say::label(l, other).unwrap_or(l.t("Veld", "Field")),
    }
}

/// Rows of day boxes offered on the form.
pub(super) const AVAILABILITY_ROWS: usize = 4;

/// The availability as the form shows it: "any time", or rows of day boxes with a start
/// and an end, from what was typed (after an error) or what is stored.
pub(super) fn availability_rows(values: &Fields) -> (bool, Vec<(Vec<usize>, String, String)>) {
    if !values.get("avail-mode").is_empty() {
        let rows = (0..AVAILABILITY_ROWS)
            .map(|n| {
                let days = values.all(&format!("avail-{n}-days")).iter().filter_map(|d| d.parse().ok()).collect();
                (
                    days,
                    values.get(&format!("avail-{n}-from")).to_string(),
                    values.get(&format!("avail-{n}-to")).to_string(),
                )
            })
            .collect();
        return (values.get("avail-mode") == "always", rows);
    }
    let hours = WeeklyHours::parse(values.get("available")).unwrap_or_else(|_| WeeklyHours::never());
    let rows = hours
        .windows()
        .into_iter()
        .map(|w| ((0..7).filter(|d| w.days & (1 << d) != 0).collect(), hh_mm(w.start), hh_mm(w.end)))
        .collect();
    (hours.is_empty(), rows)
}

/// The availability ticked on the form, as stored (`ma-vr 09:00-12:00`); a form without
/// the day boxes may send `available` as text (the CSV's format).
pub(super) fn parse_availability(f: &Fields, l: Lang) -> Result<String, String> {
    let nothing = l.t("Er is niets opgeslagen.", "Nothing was saved.");
    let typed = |n: usize| {
        !f.all(&format!("avail-{n}-days")).is_empty()
            || !f.get(&format!("avail-{n}-from")).trim().is_empty()
            || !f.get(&format!("avail-{n}-to")).trim().is_empty()
    };
    match f.get("avail-mode") {
        "" => return Ok(f.get("available").to_string()),
        // Days or times typed under "any time" are never thrown away without a word: the
        // form comes back with both, and the coordinator says which was meant.
        "always" if (0..AVAILABILITY_ROWS).any(typed) => {
            return Err(format!(
                "{}: {} {nothing}",
                field_label(l, "available"),
                l.t(
                    "u vinkte dagen of tijden aan, maar koos 'Altijd'. Kies 'Alleen op deze dagen en tijden', of haal de dagen en tijden weg.",
                    "you ticked days or times, but chose 'Any time'. Choose 'Only on these days and times', or clear the days and times.",
                )
            ))
        }
        "always" => return Ok(String::new()),
        _ => {}
    }
    let minutes = |t: &str| -> Option<u16> {
        let (h, m) = t.trim().split_once(':')?;
        let (h, m): (u16, u16) = (h.parse().ok()?, m.get(..2)?.parse().ok()?);
        (h < 24 && m < 60).then_some(h * 60 + m)
    };
    let mut windows = Vec::new();
    for n in 0..AVAILABILITY_ROWS {
        let days: u8 = f
            .all(&format!("avail-{n}-days"))
            .iter()
            .filter_map(|d| d.parse::<u8>().ok().filter(|d| *d < 7))
            .fold(0, |bits, d| bits | (1 << d));
        let (from, to) = (f.get(&format!("avail-{n}-from")), f.get(&format!("avail-{n}-to")));
        if days == 0 && from.trim().is_empty() && to.trim().is_empty() {
            continue;
        }
        let row = format!("{}, {} {}", field_label(l, "available"), l.t("regel", "row"), n + 1);
        if days == 0 {
            return Err(format!("{row}: {} {nothing}", l.t("kies minstens één dag.", "choose at least one day.")));
        }
        let (Some(start), Some(end)) = (minutes(from), minutes(to)) else {
            return Err(format!(
                "{row}: {} {nothing}",
                l.t("vul een begin- en een eindtijd in.", "fill in a start and an end time.")
            ));
        };
        if start >= end {
            return Err(format!(
                "{row}: {} {nothing}",
                l.t("de eindtijd ligt voor de begintijd.", "the end is before the start.")
            ));
        }
        windows.push(DaysAndTimes { days, start, end });
    }
    if windows.is_empty() {
        return Err(format!(
            "{}: {} {nothing}",
            field_label(l, "available"),
            l.t("kies dagen en tijden, of 'altijd'.", "choose days and times, or 'any time'.")
        ));
    }
    WeeklyHours::from_windows(&windows)
        .map(|h| h.as_str().to_string())
        .map_err(|e| format!("{}: {e}. {nothing}", field_label(l, "available")))
}

/// The neighbourhoods ticked on the form: with one on the install, that one (the form does
/// not ask); with several, at least one of them.
pub(super) fn parse_neighbourhoods(f: &Fields, ds: &DeskState, desk: &Desk) -> Result<Vec<String>, String> {
    let l = desk.lang;
    let plans = ds.plans();
    let offered: Vec<&String> =
        plans.neighbourhoods.iter().map(|(k, _)| k).filter(|k| desk.scope.sees_key(k)).collect();
    if let [only] = offered.as_slice() {
        return Ok(vec![(*only).clone()]);
    }
    let mut keys: Vec<String> = Vec::new();
    for given in f.all("neighbourhoods") {
        match offered.iter().find(|k| k.as_str() == given) {
            Some(k) => keys.push((*k).clone()),
            None => {
                return Err(l
                    .t(
                        "Die buurt bestaat niet. Er is niets opgeslagen.",
                        "That neighbourhood does not exist. Nothing was saved.",
                    )
                    .to_string())
            }
        }
    }
    keys.sort();
    keys.dedup();
    if keys.is_empty() {
        return Err(l
            .t(
                "Buurt: kies er minstens één. Er is niets opgeslagen.",
                "Neighbourhood: choose at least one. Nothing was saved.",
            )
            .to_string());
    }
    Ok(keys)
}

/// The details typed, with the say over who comes (`kept`: the marks an account that is no
/// coordinator keeps, see `say::parse`).
pub(super) fn parse_details(
    f: &Fields,
    plans: &DeskPlans,
    l: Lang,
    kept: Option<&crate::domain::participant::Say>,
) -> Result<ParticipantDetails, String> {
    let categories = &plans.categories;
    let offers = f.all("offers").join(";");
    let available = parse_availability(f, l)?;
    let input = ParticipantInput {
        name: f.get("name"),
        phone: f.get("phone"),
        offers: &offers,
        available: &available,
        street: f.get("street"),
        postcode: f.get("postcode"),
        distance: f.get("distance"),
        language: f.get("language"),
    };
    // Issue 27: the slow line's box, on a form that shows it (`slow-line-shown`).
    let slow_line = Some(f.get("slow_line") == "on").filter(|_| f.get("slow-line-shown") == "1");
    ParticipantDetails::parse(&input, categories)
        .map(|d| ParticipantDetails { slow_line, ..d })
        .and_then(|d| d.check_language(&plans.languages).map(|_| d))
        .and_then(|d| super::say::parse(f, plans, d, kept))
        .map_err(|e| {
            format!(
                "{}: {}. {}",
                field_label(l, e.field),
                l.field_problem(&e.problem),
                l.t("Er is niets opgeslagen.", "Nothing was saved.")
            )
        })
}

/// An id from a path or a form: a positive number.
pub(super) fn parse_id(id: &str) -> Option<i64> {
    id.parse().ok().filter(|i: &i64| *i > 0)
}
