//! The register's use cases: an account limited to one neighbourhood neither finds nor
//! changes anyone outside it, and each change writes its audit entry.

use super::*;
use crate::clock::Clock;
use crate::domain::audit::Actor;
use crate::domain::participant::ParticipantDetails;
use crate::domain::participant::ParticipantInput;
use crate::store::accounts::{audit_log, AuditFilter};
use crate::store::participants as store;
use crate::store::scope::Scope;
use crate::switchboard::desk::{read_here, write_here, Acting};
use crate::switchboard::test_support::{switchboard, TUESDAY_MORNING};

fn details(name: &str, phone: &str) -> ParticipantDetails {
    let input = ParticipantInput {
        name,
        phone,
        offers: "",
        available: "",
        street: "Kerkstraat",
        postcode: "",
        distance: "any",
        language: "",
    };
    ParticipantDetails::parse(&input, &[]).unwrap()
}

/// Two people, one in `dorp-a` and one in `dorp-b`, added from the command line.
fn two_villages(sb: &crate::switchboard::test_support::TestSwitchboard) -> (i64, i64) {
    let cli = Acting::command_line();
    write_here(&sb.store, &cli, sb.clock.now(), |act| {
        let a = add(act, &details("Anna", "0610000091"), &["dorp-a".into()])?.unwrap();
        let b = add(act, &details("Bram", "0610000092"), &["dorp-b".into()])?.unwrap();
        Ok((a, b))
    })
    .unwrap()
}

fn log(sb: &crate::switchboard::test_support::TestSwitchboard, participant: i64) -> Vec<AuditEntry> {
    let filter = AuditFilter { participant: Some(participant), ..Default::default() };
    sb.store.read(|c| audit_log(c, &filter, 50)).unwrap()
}

#[test]
fn an_account_of_one_village_neither_finds_nor_changes_anyone_in_another() {
    let sb = switchboard(false, TUESDAY_MORNING);
    let (anna, bram) = two_villages(&sb);
    let ria = Acting::account("ria", Scope::only(vec!["dorp-a".into()], vec![]));
    let now = sb.clock.now();
    read_here(&sb.store, &ria, now, |act| {
        assert!(find(act, anna)?.is_some());
        assert!(find(act, bram)?.is_none());
        assert!(page(act, bram)?.is_none());
        let found: Vec<i64> = search(act, "", 500)?.iter().map(|p| p.id).collect();
        assert!(found.contains(&anna) && !found.contains(&bram), "{found:?}");
        assert!(!list(act)?.iter().any(|p| p.id == bram));
        Ok(())
    })
    .unwrap();
    let before = log(&sb, bram).len();
    write_here(&sb.store, &ria, now, |act| {
        assert!(!set_paused(act, bram, true, None)?);
        assert!(!add_note(act, bram, "nee")?);
        assert!(!keep_apart(act, anna, bram, true)?);
        assert!(!viewed(act, bram)?);
        assert_eq!(erase(act, bram)?, Erased::NotFound);
        assert!(matches!(
            update(act, bram, &details("Bram B", "0610000092"), vec!["dorp-a".into()])?,
            Err(UpdateError::NotFound)
        ));
        Ok(())
    })
    .unwrap();
    let bram_now = sb.store.read(|c| store::find(c, bram)).unwrap().unwrap();
    assert_eq!(bram_now.details.name, "Bram");
    assert!(!bram_now.paused);
    assert_eq!(bram_now.neighbourhoods, vec!["dorp-b".to_string()]);
    assert_eq!(log(&sb, bram).len(), before, "nothing written in Bram's name");
}

#[test]
fn a_change_writes_its_audit_entry_in_the_name_of_who_acts() {
    let sb = switchboard(false, TUESDAY_MORNING);
    let (anna, _) = two_villages(&sb);
    let added = log(&sb, anna);
    assert_eq!(added.len(), 1);
    assert_eq!(added[0].user_name, Actor::CommandLine.as_str());
    assert_eq!(added[0].recorded.kind(), Some(crate::domain::audit::AuditKind::AddedParticipant));
    let ria = Acting::account("ria", Scope::only(vec!["dorp-a".into()], vec![]));
    write_here(&sb.store, &ria, sb.clock.now(), |act| {
        assert!(set_paused(act, anna, true, None)?);
        assert!(add_note(act, anna, "belt liever 's middags")?);
        Ok(())
    })
    .unwrap();
    let entries = log(&sb, anna);
    let kinds: Vec<_> = entries.iter().map(|e| (e.user_name.as_str(), e.recorded.kind())).collect();
    use crate::domain::audit::AuditKind;
    assert!(kinds.contains(&("ria", Some(AuditKind::PausedParticipant))), "{kinds:?}");
    assert!(kinds.contains(&("ria", Some(AuditKind::AddedNote))), "{kinds:?}");
}

#[test]
fn a_coordinators_marks_are_stored_and_each_change_is_logged() {
    use crate::domain::audit::{AuditAction, Recorded};
    use crate::domain::participant::{Distance, Say, StreetSaid};
    let sb = switchboard(false, TUESDAY_MORNING);
    let (anna, _) = two_villages(&sb);
    let cli = Acting::command_line();
    let say = Say {
        helpers_from: Distance::NotOwnStreet,
        street: StreetSaid::AfterYes,
        desk_only: true,
        experienced: vec!["shopping".into()],
    };
    let changed = ParticipantDetails { say: Some(say.clone()), ..details("Anna", "0610000091") };
    write_here(&sb.store, &cli, sb.clock.now(), |act| update(act, anna, &changed, vec!["dorp-a".into()]))
        .unwrap()
        .unwrap();
    let stored = sb.store.read(|c| store::find(c, anna)).unwrap().unwrap();
    assert_eq!(stored.details.say(), &say);
    let actions: Vec<Recorded> = log(&sb, anna).into_iter().map(|e| e.recorded).collect();
    assert!(actions.contains(&Recorded::Action(AuditAction::SetDeskOnly { desk_only: true })), "{actions:?}");
    let marked = AuditAction::MarkedExperienced { kinds: vec!["shopping".into()] };
    assert!(actions.contains(&Recorded::Action(marked)), "{actions:?}");
    // Without a say (the command line's details), what is stored is kept, and nothing logged.
    let plain = details("Anna", "0610000091");
    write_here(&sb.store, &cli, sb.clock.now(), |act| update(act, anna, &plain, vec!["dorp-a".into()]))
        .unwrap()
        .unwrap();
    assert_eq!(sb.store.read(|c| store::find(c, anna)).unwrap().unwrap().details.say(), &say);
    assert_eq!(log(&sb, anna).len(), actions.len() + 1, "one more: changed participant");
}
