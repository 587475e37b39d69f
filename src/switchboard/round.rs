//! The good-morning round (issue 16): every minute, the residents whose time has come are
//! called (`run_due`); their calls' webhooks move each morning on (`webhook`): tries, then
//! the contacts one by one, then the desk. Each morning is a row (`store::round`), so a
//! restart loses nothing and nobody is called twice for one morning; the rules are the pure
//! `domain::round`.

use rusqlite::Connection;

use super::commands::{self, Outbound, RoundCall};
use super::step::render;
use super::tx::Tx;
use super::Switchboard;
use crate::config::Neighbourhood;
use crate::domain::action::Action;
use crate::domain::call::DialStatus;
use crate::domain::desk::FollowUpReason;
use crate::domain::round::{self, say, Command, Context, Due, Event, Morning, Reached, RoundResult, Stage, Who};
use crate::provider::{Endpoint, Inbound, Reported, RoundReport, RoundWhat};
use crate::store::round::{self as store, Resident, StoredMorning};

/// Seconds the resident's phone rings before it counts as not answered: a little longer
/// than a helper's, for someone who needs a moment to reach the phone.
pub const RESIDENT_RING_SECONDS: u32 = 40;

/// A call of the round still without an end after this long lost its report.
pub const UNREPORTED_MINUTES: i64 = 15;

/// Starts the rounds that are due, makes the retries that are due, and tells the desk of
/// rounds that could not be made, in one transaction; what to ask of the provider is
/// returned (`jobs::run_round` runs it every minute and sends that).
pub fn due(sb: &Switchboard) -> anyhow::Result<(usize, Outbound)> {
    let now = sb.clock.now();
    sb.store.write(|tx| {
        let mut t = Tx::new(tx, sb, now);
        let mut started = 0;
        for resident in store::residents(tx)? {
            let Some(hood) = sb.neighbourhoods.current().by_key(&resident.neighbourhood).cloned() else { continue };
            let plan = &hood.dialplan;
            let local = now.to_zoned(plan.time_zone.clone()).datetime();
            let mut last = store::last_handled(tx, resident.participant_id)?;
            // Enrolled today after today's time: the first round is the next one.
            let enrolled = resident.changed_at.to_zoned(plan.time_zone.clone()).datetime();
            if enrolled.time() > resident.enrolment.at {
                last = last.max(Some(enrolled.date()));
            }
            let due = match round::when(&resident.enrolment, last, local, |t| plan.ringing.hours.contains(t)) {
                // Without the REST API nobody can be called: the desk is told at once, as for
                // a round that could not be made, rather than nothing happening.
                Due::Now(date) if sb.rest.is_none() => {
                    let credentials = sb.provider().credentials();
                    tracing::error!("the good-morning round cannot call anyone: set {credentials}");
                    Due::Missed(date)
                }
                due => due,
            };
            let date = match due {
                Due::Later(_) => continue,
                Due::Now(date) => date,
                Due::Missed(date) => {
                    let morning = Morning { date, stage: Stage::Missed };
                    let Some(id) = store::start_morning(tx, resident.participant_id, plan.number.as_str(), &morning, now)?
                    else {
                        continue;
                    };
                    let stored = stored(id, &resident, plan.number.as_str(), morning, now);
                    let sid = store::alert_desk(tx, &stored, FollowUpReason::RoundMissed, now)?;
                    t.tell(commands::Command::Changed(sid));
                    tracing::warn!(resident = resident.participant_id, %date, "the good-morning round could not be made; the desk is told");
                    continue;
                }
            };
            let ctx = context(&hood, &resident, now);
            let (Some(morning), commands) = round::step(None, date, Event::Start, &ctx) else { continue };
            let Some(id) = store::start_morning(tx, resident.participant_id, plan.number.as_str(), &morning, now)? else {
                continue;
            };
            let stored = stored(id, &resident, plan.number.as_str(), morning, now);
            carry_out(&mut t, &hood, &resident, &stored, &commands)?;
            tracing::info!(resident = resident.participant_id, morning = id, "the good-morning round calls a resident");
            started += 1;
        }
        // Calls whose end never came (lost while the service was down) count as not
        // answered after a quarter of an hour, so their mornings move on.
        for (morning, who) in store::unreported_calls(tx, now - jiff::SignedDuration::from_mins(UNREPORTED_MINUTES))? {
            tracing::warn!(morning, "a good-morning call whose end was never reported: counted as not answered");
            ended(&mut t, morning, who, Reached::NoAnswer, RoundResult::NeverReported)?;
        }
        // The retries that are due.
        for morning in store::open_mornings(tx)? {
            if matches!(morning.morning.stage, Stage::Waiting { next_at, .. } if next_at <= now) {
                advance(&mut t, morning, Event::Tick)?;
            }
        }
        Ok((started, t.finish()?))
    })
}

/// At start: calls decided before this process started but never asked of the provider
/// (it stopped in between) count as failed, so their mornings move on. Returns how many.
pub fn fail_unplaced(t: &mut Tx<'_>) -> anyhow::Result<usize> {
    // A call being created now has no `CallSid` yet either: only what came before.
    let unplaced = store::unplaced_calls(t.conn, t.sb.started_at)?;
    for (morning, who) in &unplaced {
        ended(t, *morning, *who, Reached::Failed, RoundResult::Failed)?;
    }
    Ok(unplaced.len())
}

fn stored(id: i64, resident: &Resident, number: &str, morning: Morning, now: jiff::Timestamp) -> StoredMorning {
    StoredMorning {
        id,
        resident_id: resident.participant_id,
        dialplan_number: number.to_string(),
        morning,
        started_at: now,
    }
}

fn context(hood: &Neighbourhood, resident: &Resident, now: jiff::Timestamp) -> Context {
    let plan = &hood.dialplan;
    let local = now.to_zoned(plan.time_zone.clone()).datetime();
    Context {
        now,
        retry_minutes: resident.enrolment.retry_minutes,
        tries: resident.enrolment.tries,
        contacts: resident.contacts.len(),
        desk_open: plan.desk.phone.is_some() && plan.desk.office_hours.contains(local),
    }
}

/// Moves a stored morning on by `event`, and carries out what that asks.
fn advance(t: &mut Tx<'_>, morning: StoredMorning, event: Event) -> anyhow::Result<()> {
    let (tx, sb, now) = (t.conn, t.sb, t.now);
    let Some(resident) = store::resident(tx, morning.resident_id)? else { return Ok(()) };
    let Some(hood) = sb.neighbourhoods.by_number(&morning.dialplan_number) else { return Ok(()) };
    let ctx = context(&hood, &resident, now);
    let (Some(next), commands) = round::step(Some(morning.morning.clone()), morning.morning.date, event, &ctx) else {
        return Ok(());
    };
    if next == morning.morning {
        return Ok(());
    }
    store::save_morning(tx, morning.id, &next.stage, now)?;
    let moved = StoredMorning { morning: next, ..morning };
    carry_out(t, &hood, &resident, &moved, &commands)
}

/// Stores each call the round asks for before it is asked of the provider (so it is made
/// once), and alerts the desk.
fn carry_out(
    t: &mut Tx<'_>,
    hood: &Neighbourhood,
    resident: &Resident,
    morning: &StoredMorning,
    commands: &[Command],
) -> anyhow::Result<()> {
    let plan = &hood.dialplan;
    let call =
        |t: &mut Tx<'_>, who: Who, to: &crate::domain::phone::PhoneNumber, contact: Option<i64>, timeout: u32| {
            if store::add_call(t.conn, morning.id, who, Some(to), contact, t.now)? {
                let from = plan.number.clone();
                t.tell(commands::Command::Round(RoundCall { morning: morning.id, who, to: to.clone(), from, timeout }));
            }
            anyhow::Ok(())
        };
    for command in commands {
        match command {
            Command::CallResident { n } => call(t, Who::Resident(*n), &resident.phone, None, RESIDENT_RING_SECONDS)?,
            Command::CallContact { index } => {
                if let Some(c) = resident.contacts.get(*index) {
                    call(
                        t,
                        Who::Contact(*index),
                        &c.phone,
                        c.participant_id,
                        plan.ringing.ring_timeout_seconds.max(25),
                    )?;
                }
            }
            Command::RingDesk => {
                if let Some(desk) = &plan.desk.phone {
                    call(t, Who::Desk, desk, None, plan.desk.ring_timeout_seconds)?;
                }
            }
            Command::AlertDesk => {
                let sid = store::alert_desk(t.conn, morning, FollowUpReason::Round, t.now)?;
                tracing::warn!(
                    resident = resident.participant_id,
                    morning = morning.id,
                    "good-morning round: nobody answered and no contact confirmed; urgent follow-up for the desk"
                );
                t.tell(commands::Command::Changed(sid));
            }
        }
    }
    Ok(())
}

/// A call of the round ended (or could not be made): its result, and the morning moves on.
fn ended(t: &mut Tx<'_>, morning_id: i64, who: Who, reached: Reached, result: RoundResult) -> anyhow::Result<()> {
    if !store::set_result(t.conn, morning_id, who, result, None, t.now)? {
        // Its key came first (or this is a repeat): that already moved the morning.
        return Ok(());
    }
    let (Some(morning), Some(event)) = (store::morning(t.conn, morning_id)?, who.event(reached)) else { return Ok(()) };
    advance(t, morning, event)
}

/// The provider could not create a call of the round.
pub fn failed(t: &mut Tx<'_>, call: &RoundCall) -> anyhow::Result<()> {
    ended(t, call.morning, call.who, Reached::Failed, RoundResult::Failed)
}

/// A call of the round was created: its `CallSid`, so its webhooks can be checked.
pub fn created(tx: &Connection, call: &RoundCall, leg_sid: &str) -> anyhow::Result<()> {
    store::set_call_leg(tx, call.morning, call.who, leg_sid)
}

/// What a webhook of the round's calls is answered with.
pub enum Reply {
    Document(String),
    /// The resident pressed 2: the main menu, exactly as if they had called (this is their
    /// call, from their number to the switchboard's).
    AsIfTheyCalled(Box<Inbound>),
}

/// Answers a webhook of the round's calls.
pub(super) fn webhook(t: &mut Tx<'_>, endpoint: Endpoint, inbound: &Inbound) -> anyhow::Result<Reply> {
    let (tx, sb, now) = (t.conn, t.sb, t.now);
    let hang_up = |sb: &Switchboard| {
        Reply::Document(render(sb, &super::step::default_voice(sb), &inbound.call_sid, 0, &[Action::Hangup]))
    };
    let Reported::Round(RoundReport { morning: morning_id, who, what }) = inbound.report.clone() else {
        // A status that is not final yet.
        return Ok(Reply::Document(render(sb, &super::step::default_voice(sb), &inbound.call_sid, 0, &[])));
    };
    let Some(morning) = store::morning(tx, morning_id)? else { return Ok(hang_up(sb)) };
    let (Some(resident), Some(hood)) =
        (store::resident(tx, morning.resident_id)?, sb.neighbourhoods.by_number(&morning.dialplan_number))
    else {
        // Taken out of the round since (or the neighbourhood is gone): nothing to say.
        return Ok(hang_up(sb));
    };
    match store::call_leg(tx, morning_id, who)? {
        Some(leg) if leg != inbound.call_sid => {
            tracing::warn!(morning = morning_id, "a round webhook for another call than the one placed: ignored");
            return Ok(hang_up(sb));
        }
        // Answered before its creation was stored.
        None => store::set_call_leg(tx, morning_id, who, &inbound.call_sid)?,
        Some(_) => {}
    }
    let local = now.to_zoned(hood.dialplan.time_zone.clone()).datetime();
    let resident_prompts = hood.prompts_in(resident.language.as_deref()).clone();
    let first = resident.first_name().to_string();
    let actions = match (endpoint, who, what) {
        (_, _, RoundWhat::Ended(status)) => {
            let (reached, result) = match status {
                DialStatus::Completed | DialStatus::Answered => (Reached::NoKey, RoundResult::NoKey),
                DialStatus::Busy => (Reached::Busy, RoundResult::Busy),
                DialStatus::Failed => (Reached::Failed, RoundResult::Failed),
                DialStatus::NoAnswer => (Reached::NoAnswer, RoundResult::NoAnswer),
                // Stopped by us: what becomes of the morning was decided already.
                DialStatus::Canceled => (Reached::NoAnswer, RoundResult::Canceled),
            };
            ended(t, morning_id, who, reached, result)?;
            Vec::new()
        }
        (Endpoint::RoundAnswer, Who::Resident(n), RoundWhat::Answered) => {
            let first_time = !store::had_a_morning_before(tx, resident.participant_id, morning.morning.date)?;
            let greeting = say::Greeting { first_name: &first, hour: local.hour(), first_time };
            say::resident(&resident_prompts, greeting, morning_id, n)
        }
        (Endpoint::RoundKey, Who::Resident(n), RoundWhat::Key(key)) => match key.as_deref() {
            Some(k @ ("1" | "2")) => {
                let result = if k == "1" { RoundResult::Answered } else { RoundResult::AskedForHelp };
                if store::set_result(tx, morning_id, who, result, Some(k), now)? {
                    let reached = Reached::Key(if k == "1" { '1' } else { '2' });
                    advance(t, morning, Event::Resident { n, reached })?;
                }
                if k == "1" {
                    say::fine(&resident_prompts)
                } else {
                    // The main menu, exactly as if they had called.
                    let call = Inbound {
                        from: resident.phone.as_str().to_string(),
                        to: hood.dialplan.number.as_str().to_string(),
                        ..inbound.clone()
                    };
                    tracing::info!(morning = morning_id, call = %inbound.call_sid, "the resident asks for help from the good-morning call");
                    return Ok(Reply::AsIfTheyCalled(Box::new(call)));
                }
            }
            Some(k) => say::resident_again(&resident_prompts, k != "9", morning_id, n),
            // Nothing pressed through every asking (a provider whose key webhook also
            // reports silence): what follows the askings, the goodbye; the call's end
            // records that no key came.
            None => say::no_key(&resident_prompts),
        },
        (Endpoint::ContactAnswer, Who::Contact(index), RoundWhat::Answered) => {
            let street = resident.street.clone();
            say::contact(contact_prompts(&hood, &resident, index), &first, &street, morning_id, index)
        }
        (Endpoint::ContactKey, Who::Contact(index), RoundWhat::Key(None)) => {
            // Nothing pressed through every asking (a voicemail box, say): no key, as when
            // the askings run out and the call ends; the contact is let go.
            if store::set_result(tx, morning_id, who, RoundResult::NoKey, None, now)? {
                advance(t, morning, Event::Contact { index, reached: Reached::NoKey })?;
            }
            vec![Action::Hangup]
        }
        (Endpoint::ContactKey, Who::Contact(index), RoundWhat::Key(key)) => {
            let yes = key.as_deref() == Some("1");
            let (result, reached) =
                if yes { (RoundResult::Confirmed, Reached::Key('1')) } else { (RoundResult::Declined, Reached::NoKey) };
            let taken = store::set_result(tx, morning_id, who, result, key.as_deref(), now)?;
            if taken {
                if yes {
                    tracing::info!(
                        morning = morning_id,
                        contact = index,
                        "a contact goes and looks in on the resident"
                    );
                }
                advance(t, morning, Event::Contact { index, reached })?;
            }
            say::contact_key(contact_prompts(&hood, &resident, index), &first, yes)
        }
        (Endpoint::DeskAlert, Who::Desk, RoundWhat::Answered) => {
            store::set_result(tx, morning_id, who, RoundResult::Heard, None, now)?;
            say::desk(&hood.prompts, &resident.name)
        }
        _ => vec![Action::Hangup],
    };
    Ok(Reply::Document(render(sb, &hood.voices, &inbound.call_sid, 0, &actions)))
}

/// A contact hears their own language (a registered participant), else the resident's.
fn contact_prompts<'h>(
    hood: &'h Neighbourhood,
    resident: &Resident,
    index: usize,
) -> &'h crate::domain::prompts::Prompts {
    let language = resident.contacts.get(index).and_then(|c| c.language.as_deref()).or(resident.language.as_deref());
    hood.prompts_in(language)
}

/// A participant who paused their round "until I call again" has called again: the round
/// is on again.
pub fn called_again(t: &Tx<'_>, participant_id: i64) -> anyhow::Result<()> {
    if store::set_paused(t.conn, participant_id, false, t.now)? {
        t.audit(&crate::domain::audit::AuditAction::RoundResumedCalledTheLine, Some(participant_id))?;
        tracing::info!(participant = participant_id, "the good-morning round is on again: they called the line");
    }
    Ok(())
}

/// What the desk or the CLI fills in to enrol a resident.
#[derive(Clone, Debug, Default)]
pub struct Enrolling {
    pub resident_phone: String,
    /// `09:30`.
    pub at: String,
    /// Day names as availability takes them, without hours: `ma-vr`, `ma,wo,vr`, `mon-fri`.
    pub days: String,
    /// Numbers, in the order they are called.
    pub contacts: Vec<String>,
    /// The neighbourhood (a dialplan's key) [default: the resident's only one].
    pub neighbourhood: Option<String>,
    pub tries: Option<u32>,
    pub retry_minutes: Option<u32>,
}

/// Why an enrolment was refused: each names the field that is wrong.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EnrolError {
    #[error("resident: {0}")]
    BadPhone(String),
    #[error("resident: {0} is not a registered participant (add them first)")]
    NotRegistered(String),
    #[error("neighbourhood: the resident belongs to {0:?}; say which")]
    WhichNeighbourhood(Vec<String>),
    #[error("neighbourhood: '{0}' is not one of the resident's neighbourhoods with a dialplan")]
    UnknownNeighbourhood(String),
    #[error("at: '{0}' is not a time like 09:30")]
    BadTime(String),
    #[error("days: {0}")]
    BadDays(String),
    #[error("at: {at} is outside the ringing hours ({hours}) on {day}")]
    OutsideRingingHours { at: String, hours: String, day: String },
    #[error("contact: give at least one contact, who is called when the resident does not answer")]
    NoContact,
    #[error("contact: at most {0} contacts")]
    TooManyContacts(usize),
    #[error("contact {n}: {problem}")]
    BadContact { n: usize, problem: String },
    #[error("tries: from 1 to 10, not {0}")]
    BadTries(u32),
    #[error("retry minutes: from 1 to 120, not {0}")]
    BadRetry(u32),
}

pub const MAX_CONTACTS: usize = 5;

/// Enrols a resident (or changes their enrolment), checked field by field. Returns the
/// participant and whether they were new to the round.
pub fn enrol(
    tx: &Connection,
    neighbourhoods: &crate::config::Neighbourhoods,
    e: &Enrolling,
    actor: &str,
    now: jiff::Timestamp,
) -> anyhow::Result<Result<(i64, bool), EnrolError>> {
    use crate::domain::phone::PhoneNumber;
    let phone = match PhoneNumber::parse(&e.resident_phone) {
        Ok(p) => p,
        Err(err) => return Ok(Err(EnrolError::BadPhone(err.to_string()))),
    };
    let Some(resident) = crate::store::participants::find_by_phone(tx, &phone)? else {
        return Ok(Err(EnrolError::NotRegistered(phone.masked().to_string())));
    };
    let loaded: Vec<String> =
        resident.neighbourhoods.iter().filter(|k| neighbourhoods.by_key(k).is_some()).cloned().collect();
    let key = match (&e.neighbourhood, loaded.as_slice()) {
        (Some(k), _) if loaded.contains(k) => k.clone(),
        (Some(k), _) => return Ok(Err(EnrolError::UnknownNeighbourhood(k.clone()))),
        (None, [one]) => one.clone(),
        // In no neighbourhood yet, on an install with one: that one (as at start-up).
        (None, []) if neighbourhoods.only().is_some() => neighbourhoods.only().unwrap_or_default().to_string(),
        (None, _) => return Ok(Err(EnrolError::WhichNeighbourhood(loaded))),
    };
    let hood = neighbourhoods.by_key(&key).expect("checked above");
    let Ok(minutes) = crate::domain::hours::parse_clock(&e.at) else {
        return Ok(Err(EnrolError::BadTime(e.at.clone())));
    };
    let at = jiff::civil::Time::new((minutes / 60) as i8, (minutes % 60) as i8, 0, 0)?;
    let days = match crate::domain::hours::parse_day_names(&e.days) {
        Ok(d) => d,
        Err(err) => return Ok(Err(EnrolError::BadDays(err.to_string()))),
    };
    // Every day of the round must be inside the ringing hours at its time (a Monday to
    // Sunday of one week stands for every week).
    let monday = jiff::civil::date(2024, 1, 1);
    for i in 0..7 {
        let day = monday.saturating_add(jiff::Span::new().days(i));
        if days & (1 << i) != 0 && !hood.dialplan.ringing.hours.contains(day.to_datetime(at)) {
            return Ok(Err(EnrolError::OutsideRingingHours {
                at: e.at.trim().to_string(),
                hours: hood.dialplan.ringing.hours.as_str().to_string(),
                day: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][i as usize].to_string(),
            }));
        }
    }
    let wanted: Vec<&String> = e.contacts.iter().filter(|c| !c.trim().is_empty()).collect();
    if wanted.is_empty() {
        return Ok(Err(EnrolError::NoContact));
    }
    if wanted.len() > MAX_CONTACTS {
        return Ok(Err(EnrolError::TooManyContacts(MAX_CONTACTS)));
    }
    let mut contacts: Vec<(PhoneNumber, Option<i64>)> = Vec::new();
    for (i, c) in wanted.iter().enumerate() {
        let bad = |problem: String| Ok(Err(EnrolError::BadContact { n: i + 1, problem }));
        let number = match PhoneNumber::parse(c) {
            Ok(n) => n,
            Err(err) => return bad(err.to_string()),
        };
        if number == phone {
            return bad("the resident cannot be their own contact".into());
        }
        if contacts.iter().any(|(n, _)| *n == number) {
            return bad("this number is given twice".into());
        }
        let participant = crate::store::participants::find_by_phone(tx, &number)?.map(|p| p.id);
        contacts.push((number, participant));
    }
    let tries = e.tries.unwrap_or(round::DEFAULT_TRIES);
    if !(1..=10).contains(&tries) {
        return Ok(Err(EnrolError::BadTries(tries)));
    }
    let retry_minutes = e.retry_minutes.unwrap_or(round::DEFAULT_RETRY_MINUTES);
    if !(1..=120).contains(&retry_minutes) {
        return Ok(Err(EnrolError::BadRetry(retry_minutes)));
    }
    let enrol = store::Enrol {
        participant_id: resident.id,
        neighbourhood: &key,
        at,
        days,
        retry_minutes,
        tries,
        contacts: &contacts,
    };
    let new = store::enrol(tx, &enrol, now)?;
    use crate::domain::audit::{AuditAction, Enrolment, RoundChange};
    let enrolment = Enrolment { at: e.at.trim().to_string(), days, contacts: contacts.len() };
    let action = if new {
        AuditAction::EnrolledInRound(enrolment)
    } else {
        AuditAction::ChangedRound(RoundChange::Enrolment(enrolment))
    };
    crate::store::accounts::audit(tx, now, actor, &action, Some(resident.id))?;
    Ok(Ok((resident.id, new)))
}

/// Takes a resident out of the round. Returns whether they were in it.
pub fn remove(
    tx: &Connection,
    phone: &crate::domain::phone::PhoneNumber,
    actor: &str,
    now: jiff::Timestamp,
) -> anyhow::Result<bool> {
    let Some(p) = crate::store::participants::find_by_phone(tx, phone)? else { return Ok(false) };
    if !store::remove(tx, p.id)? {
        return Ok(false);
    }
    crate::store::accounts::audit(tx, now, actor, &crate::domain::audit::AuditAction::RemovedFromRound, Some(p.id))?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{rest_never_reached, switchboard, TUESDAY_MORNING};
    use super::*;

    fn enrol_jan(sb: &Switchboard) {
        let e = Enrolling {
            resident_phone: "020-1234567".into(),
            at: "10:30".into(),
            days: "ma-vr".into(),
            contacts: vec!["06-10000001".into()],
            ..Default::default()
        };
        let hoods = sb.neighbourhoods.current();
        let enrolled = sb.store.write(|tx| enrol(tx, &hoods, &e, "test", sb.clock.now())).unwrap();
        assert!(matches!(enrolled, Ok((_, true))), "{enrolled:?}");
    }

    /// At the resident's time their first call is decided and stored before it is asked
    /// of the provider; once a morning, however often the minute job runs.
    #[test]
    fn the_resident_is_called_at_their_time_once_a_morning() {
        let mut test = switchboard(false, TUESDAY_MORNING);
        test.sb.rest = Some(rest_never_reached());
        enrol_jan(&test);
        let (started, out) = due(&test).unwrap();
        assert_eq!((started, out.is_empty()), (0, true), "10:15 is before 10:30");
        test.clock.advance(16 * 60);
        let (started, out) = due(&test).unwrap();
        assert_eq!(started, 1);
        let [commands::Command::Round(call)] = out.commands() else { panic!("one call of the round: {out:?}") };
        assert_eq!(
            (call.who, call.to.as_str(), call.timeout),
            (Who::Resident(1), "+31201234567", RESIDENT_RING_SECONDS)
        );
        let (again, out) = due(&test).unwrap();
        assert_eq!((again, out.is_empty()), (0, true), "{out:?}");
    }

    /// Without the REST API nobody can be called: the desk is told at once (a row of kind
    /// `round`, naming its morning, for its live page), not nothing.
    #[test]
    fn without_the_rest_api_the_desk_is_told_the_round_could_not_be_made() {
        let test = switchboard(false, TUESDAY_MORNING);
        enrol_jan(&test);
        test.clock.advance(16 * 60);
        let (started, out) = due(&test).unwrap();
        assert_eq!(started, 0);
        let [commands::Command::Changed(sid)] = out.commands() else { panic!("the desk told: {out:?}") };
        let row = test.store.read(|c| crate::store::calls::row(c, sid)).unwrap().expect("the desk's row");
        assert_eq!((row.kind, row.morning_id.is_some()), (crate::domain::call::CallKind::Round, true), "{sid}");
    }
}
