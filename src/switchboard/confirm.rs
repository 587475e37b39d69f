//! A change to one's own availability asked for by phone (key 8: a pause, "ring me again",
//! the good-morning round's 6) takes effect only when confirmed. Caller ID can be spoofed,
//! so the call it was asked in proves nothing; a call the switchboard makes to the
//! register's number reaches whoever holds that number. So once the call it was asked in
//! has ended (`caller_gone`, or a minute later from `due` when that end was never
//! reported) the switchboard calls the number back (`Outbound::confirm`), and a 1 there
//! applies the change, with its audit entry, in that webhook's transaction. No answer, no
//! key, a 2, or more than `own::CONFIRM_MINUTES` later: nothing changes. Without the REST
//! API nothing is placed: the change went to the desk as it was asked (`store::confirmations::ask`).

use rusqlite::Connection;

use super::commands::{Command, ConfirmCall, Outbound};
use super::step::{default_voice, render};
use super::tx::Tx;
use super::Switchboard;
use crate::domain::action::Action;
use crate::domain::audit::AuditAction;
use crate::domain::own::{self, say, Answer, Confirmation};
use crate::provider::{ConfirmReport, ConfirmWhat, Inbound, Reported};
use crate::store::confirmations as store;

/// Seconds the phone rings: as long as the good-morning round's, for someone who needs a
/// moment to reach the phone.
pub const RING_SECONDS: u32 = super::round::RESIDENT_RING_SECONDS;

/// A call back whose call it was asked in never reported its end is placed this long after.
pub const UNREPORTED_SECONDS: i64 = 60;

/// The call a change was asked in has ended: its number is called back now.
pub fn caller_gone(t: &mut Tx<'_>, call_sid: &str) -> anyhow::Result<()> {
    for id in store::waiting_in_call(t.conn, call_sid)? {
        place(t, id)?;
    }
    Ok(())
}

/// Every minute: changes not confirmed in time expire; call backs whose call never
/// reported its end are placed. One transaction; what to ask of the provider is returned.
pub fn due(sb: &Switchboard) -> anyhow::Result<Outbound> {
    let now = sb.clock.now();
    sb.store.write(|tx| {
        let mut t = Tx::new(tx, sb, now);
        let expired = store::expire(tx, now)?;
        if expired > 0 {
            tracing::info!(expired, "changes asked for by phone were not confirmed in time: nothing changed");
        }
        for id in store::waiting_since(tx, now - jiff::SignedDuration::from_secs(UNREPORTED_SECONDS))? {
            place(&mut t, id)?;
        }
        t.finish()
    })
}

/// Marks the call back of `id` as placed and asks the provider for it (once).
fn place(t: &mut Tx<'_>, id: i64) -> anyhow::Result<()> {
    let (tx, sb, now) = (t.conn, t.sb, t.now);
    let Some(asked) = store::load(tx, id)? else { return Ok(()) };
    let participant = crate::store::participants::find(tx, asked.participant_id)?;
    let hood = sb.neighbourhoods.by_number(&asked.dialplan_number);
    let (Some(participant), Some(hood), true) = (participant, hood, sb.rest.is_some()) else {
        // Erased since, its neighbourhood gone, or no REST API any more: the desk.
        store::failed(tx, id, now)?;
        return Ok(());
    };
    if store::start_calling(tx, id, now)? {
        tracing::info!(
            confirmation = id,
            participant = asked.participant_id,
            "calling back to confirm a change asked for by phone"
        );
        t.tell(Command::Confirm(ConfirmCall {
            id,
            to: participant.details.phone.clone(),
            from: hood.dialplan.number.clone(),
            timeout: RING_SECONDS,
        }));
    }
    Ok(())
}

/// The call back was created: its `CallSid`, so its webhooks can be checked.
pub fn created(tx: &Connection, call: &ConfirmCall, leg_sid: &str) -> anyhow::Result<()> {
    store::set_leg(tx, call.id, leg_sid)
}

/// The provider could not create the call back: the desk arranges the change.
pub fn failed(tx: &Connection, sb: &Switchboard, call: &ConfirmCall) -> anyhow::Result<()> {
    store::failed(tx, call.id, sb.clock.now())
}

/// Answers a webhook of a call back. A repeated request gets the document sent the first
/// time and changes nothing (the key's documents are numbered, like a call's).
pub(super) fn webhook(t: &mut Tx<'_>, inbound: &Inbound) -> anyhow::Result<String> {
    let (tx, sb, now) = (t.conn, t.sb, t.now);
    let hang_up = || render(sb, &default_voice(sb), &inbound.call_sid, 0, &[Action::Hangup]);
    let Reported::Confirm(ConfirmReport { id, what }) = inbound.report.clone() else {
        // A status that is not final yet.
        return Ok(render(sb, &default_voice(sb), &inbound.call_sid, 0, &[]));
    };
    let Some(asked) = store::load(tx, id)? else { return Ok(hang_up()) };
    match &asked.leg_sid {
        Some(leg) if *leg != inbound.call_sid => {
            tracing::warn!(confirmation = id, "a confirmation webhook for another call than the one placed: ignored");
            return Ok(hang_up());
        }
        // Answered before its creation was stored.
        None if asked.status != Confirmation::Pending => store::set_leg(tx, id, &inbound.call_sid)?,
        None => return Ok(hang_up()),
        Some(_) => {}
    }
    let (Some(participant), Some(hood)) = (
        crate::store::participants::find(tx, asked.participant_id)?,
        sb.neighbourhoods.by_number(&asked.dialplan_number),
    ) else {
        return Ok(hang_up());
    };
    let prompts = hood.prompts_in(participant.details.language.as_deref());
    let (seq, actions) = match what {
        ConfirmWhat::Ended(_) => {
            if store::ended_without_key(tx, id)? {
                tracing::info!(confirmation = id, "the call back ended without a key (yet): nothing changes");
            }
            return Ok(render(sb, &hood.voices, &inbound.call_sid, 0, &[]));
        }
        ConfirmWhat::Answered => {
            if let Some(body) = store::document(tx, id, 1)? {
                return Ok(body);
            }
            let actions = if own::answer(asked.status, Some("1"), asked.expires_at, now) == Answer::TooLate {
                store::decide(tx, id, Confirmation::Expired, now)?;
                say::too_late(prompts)
            } else {
                let hour = now.to_zoned(hood.dialplan.time_zone.clone()).hour();
                // Said to whoever holds the number: still a first name, no more.
                say::greeting(prompts, hour, participant.details.first_name(), asked.change, id)
            };
            (1, actions)
        }
        ConfirmWhat::Key { seq, key } => {
            if seq < asked.seq {
                tracing::info!(confirmation = id, seq, "repeated confirmation key: sending the same document again");
                return match store::document(tx, id, seq + 1)? {
                    Some(body) => Ok(body),
                    None => anyhow::bail!("no document {} stored for a repeated confirmation key", seq + 1),
                };
            }
            if seq > asked.seq {
                anyhow::bail!("confirmation key answers document {seq}, but only {} was sent", asked.seq);
            }
            let actions = match own::answer(asked.status, key.as_deref(), asked.expires_at, now) {
                Answer::Apply => {
                    store::decide(tx, id, Confirmation::Confirmed, now)?;
                    store::apply(tx, asked.participant_id, asked.change, now)?;
                    t.audit(&AuditAction::by_phone(asked.change), Some(asked.participant_id))?;
                    tracing::info!(
                        confirmation = id,
                        participant = asked.participant_id,
                        "a change asked for by phone is confirmed on the call back"
                    );
                    say::done(prompts, asked.change)
                }
                Answer::Keep => {
                    store::decide(tx, id, Confirmation::Declined, now)?;
                    tracing::info!(confirmation = id, "a change asked for by phone was not confirmed: nothing changes");
                    say::kept(prompts)
                }
                Answer::Again { unknown } => say::again(prompts, unknown, asked.change, id, seq + 1),
                Answer::Silent => say::no_key(prompts),
                Answer::TooLate => {
                    store::decide(tx, id, Confirmation::Expired, now)?;
                    say::too_late(prompts)
                }
            };
            (seq + 1, actions)
        }
    };
    let body = render(sb, &hood.voices, &inbound.call_sid, 0, &actions);
    store::save_document(tx, id, seq, &body)?;
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{participant, rest_never_reached, stored_call, switchboard, TUESDAY_MORNING};
    use super::*;
    use crate::clock::Clock;
    use crate::domain::call::Phase;
    use crate::domain::own::{Change, Confirm};

    /// A change asked for in a call: once that call has ended, the register's number is
    /// called back, once; without the REST API it goes to the desk and nobody is called.
    #[test]
    fn the_caller_gone_the_change_is_confirmed_on_a_call_back_placed_once() {
        for with_rest in [true, false] {
            let mut test = switchboard(false, TUESDAY_MORNING);
            if with_rest {
                test.sb.rest = Some(rest_never_reached());
            }
            let anja = participant(&test, "06-10000001");
            let sid = "CA00000000000000000000000000000002";
            let now = test.clock.now();
            let (first, second) = test
                .store
                .write(|tx| {
                    stored_call(tx, sid, "06-10000001", "", Phase::Settings, now);
                    store::ask(tx, anja.id, sid, "+31850000000", Change::Resume, Confirm::CallBack, now)?;
                    let mut first = Tx::new(tx, &test, now);
                    caller_gone(&mut first, sid)?;
                    let mut second = Tx::new(tx, &test, now);
                    caller_gone(&mut second, sid)?;
                    Ok((first.finish()?, second.finish()?))
                })
                .unwrap();
            assert!(second.is_empty(), "placed once: {second:?}");
            if with_rest {
                let [Command::Confirm(call)] = first.commands() else { panic!("one call back: {first:?}") };
                assert_eq!((call.to.as_str(), call.from.as_str()), ("+31610000001", "+31850000000"));
            } else {
                assert!(first.is_empty(), "the desk, not a call: {first:?}");
            }
        }
    }
}
