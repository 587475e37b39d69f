//! The open follow-ups grouped by person, the most pressing first; the list's filters; and
//! where to come back to after a step.

use std::collections::HashMap;
use std::sync::Arc;

use jiff::Timestamp;

use super::ListQuery;
use crate::domain::desk::{due, Due};
use crate::domain::phone::PhoneNumber;
pub(super) use crate::switchboard::desk::follow_up::Open as Item;
use crate::switchboard::desk::{self, CallLog, StepRow};
use crate::web::desk::{Desk, Failure};
use crate::web::AppState;

/// The open follow-ups the account may see, by person.
pub(super) async fn load(state: &Arc<AppState>, desk: &Desk) -> Result<Vec<Person>, Failure> {
    let (items, steps) = desk::read(&state.switchboard, desk.acting(), desk::follow_up::open).await?;
    let today = state.switchboard.clock.now().to_zoned(state.desk.time_zone.clone()).date();
    Ok(queue(state, items, steps, today))
}

/// Everyone with something open: one person, all their open calls, newest first.
pub(super) struct Person {
    /// The element's id: `person-p12` for a participant (`person-up12` for a good-morning
    /// round's alarm about them), `person-f34` (their oldest follow-up) for a number or an
    /// anonymous call.
    pub key: String,
    pub items: Vec<Item>,
    pub due: Due,
    /// When the caller was promised a call back (the desk's first opening after the call).
    pub promised: Option<Timestamp>,
    pub steps: Vec<StepRow>,
}

impl Person {
    pub fn newest(&self) -> &Item {
        &self.items[0]
    }
    pub fn tries(&self) -> i64 {
        self.items.iter().map(|i| i.up.tries).max().unwrap_or(0)
    }
    pub fn urgent(&self) -> bool {
        self.items.iter().any(|i| i.up.urgent)
    }
    pub fn assigned(&self) -> Option<&(i64, String)> {
        self.items.iter().find_map(|i| i.up.assigned_to.as_ref())
    }
}

/// The first moment the desk could call back after a call: its neighbourhood's office hours.
pub(super) fn promised_after(state: &AppState, row: &CallLog) -> Option<Timestamp> {
    let hoods = state.switchboard.neighbourhoods.current();
    let hood = hoods.of_call(row.neighbourhood.as_deref(), &row.dialplan_number)?;
    let tz = &hood.dialplan.time_zone;
    let at = row.ended_at.unwrap_or(row.started_at).to_zoned(tz.clone());
    let open = hood.dialplan.desk.office_hours.next_open(at.datetime())?;
    open.to_zoned(tz.clone()).ok().map(|z| z.timestamp())
}

/// Groups the open follow-ups by person, the most pressing first.
fn queue(state: &AppState, items: Vec<Item>, steps: Vec<StepRow>, today: jiff::civil::Date) -> Vec<Person> {
    let tz = &state.desk.time_zone;
    let mut people: Vec<Person> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for item in items {
        let who = desk::follow_up::person_of(&item);
        match index.get(&who) {
            Some(&i) => people[i].items.push(item),
            None => {
                index.insert(who.clone(), people.len());
                // A number is no element id: the person's first follow-up names the card.
                let key = if who.starts_with('n') || who.starts_with("un") { format!("f{}", item.up.id) } else { who };
                people.push(Person { key, items: vec![item], due: Due::Today, promised: None, steps: Vec::new() });
            }
        }
    }
    for p in &mut people {
        p.promised = p.items.iter().filter_map(|i| promised_after(state, &i.row)).min();
        let try_again =
            p.items.iter().filter_map(|i| i.up.try_again_on.as_deref()).filter_map(|d| d.parse().ok()).max();
        p.due = due(p.promised.map(|t| t.to_zoned(tz.clone()).date()), try_again, today);
        p.items.sort_by(|a, b| b.up.created_at.cmp(&a.up.created_at).then(b.up.id.cmp(&a.up.id)));
        let ids: Vec<i64> = p.items.iter().map(|i| i.up.id).collect();
        // A step on the person is kept on each of their follow-ups: shown once.
        p.steps = steps.iter().filter(|s| ids.contains(&s.follow_up_id)).cloned().collect();
        p.steps.dedup_by(|a, b| {
            (a.at, &a.user_name, &a.step, &a.detail, &a.note) == (b.at, &b.user_name, &b.step, &b.detail, &b.note)
        });
    }
    // Urgent first (the good-morning round reached nobody), then overdue, then oldest.
    people.sort_by_key(|p| (!p.urgent(), p.due, p.items.last().map(|i| i.up.created_at)));
    people
}

pub(super) fn matches(p: &Person, query: &ListQuery, me: i64) -> bool {
    let category = query.category.trim();
    let reason = query.reason.trim();
    let q = query.q.trim().to_lowercase();
    let digits: String = q.chars().filter(char::is_ascii_digit).collect();
    (category.is_empty() || p.items.iter().any(|i| i.row.category.as_deref() == Some(category)))
        && (reason.is_empty() || p.items.iter().any(|i| i.up.reason.as_str() == reason))
        && (query.overdue.is_empty() || p.due == Due::Overdue)
        && (query.mine.is_empty() || p.assigned().is_some_and(|(id, _)| *id == me))
        && (q.is_empty()
            || p.items.iter().any(|i| {
                let row = &i.row;
                !row.anonymised
                    && (row.caller_name.as_deref().is_some_and(|n| n.to_lowercase().contains(&q))
                        || row.caller_street.as_deref().is_some_and(|s| s.to_lowercase().contains(&q))
                        || (digits.len() >= 4
                            && row.from.as_deref().is_some_and(|f| {
                                let national = PhoneNumber::from_stored(f).map(|p| p.readable()).unwrap_or_default();
                                national.chars().filter(char::is_ascii_digit).collect::<String>().contains(&digits)
                                    || f.contains(&digits)
                            })))
            }))
}

/// Where to come back to after a step: this list with its filters, at `anchor`.
pub(super) fn back_to(query: &ListQuery, flag: &str, anchor: Option<&str>) -> String {
    let mut url = String::from("/desk/follow-up?");
    let filters = query.filters();
    if !filters.is_empty() {
        url.push_str(&filters);
        url.push('&');
    }
    url.push_str(flag);
    if let Some(a) = anchor {
        url.push_str("#person-");
        url.push_str(a);
    }
    url
}

/// A `back` field from a form: only a place on the follow-up page.
pub(super) fn safe_back(back: &str, fallback: &str) -> String {
    let ok = back.starts_with("/desk/follow-up?")
        && back.chars().all(|c| c.is_ascii_graphic())
        && !back.contains("//")
        && !back.contains('\\');
    if ok {
        back.to_string()
    } else {
        fallback.to_string()
    }
}
