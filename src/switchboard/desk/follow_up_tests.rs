use super::*;
use crate::clock::Clock;
use crate::domain::call::{Outcome, Phase, Stage};
use crate::domain::phone::PhoneNumber;
use crate::switchboard::desk::{read_here, write_here, Acting, Scope};
use crate::switchboard::test_support::{stored_call, switchboard, TUESDAY_MORNING};

fn elsewhere() -> Acting {
    Acting::account("ann", Scope::only(vec!["other".into()], vec!["+31859999999".into()]))
}

fn mine() -> Acting {
    Acting::account("bob", Scope::only(vec!["example".into()], vec!["+31850000000".into()]))
}

#[test]
fn a_follow_up_outside_the_scope_is_not_found_and_closing_one_is_audited_in_the_actors_name() {
    let sb = switchboard(false, TUESDAY_MORNING);
    let now = sb.clock.now();
    let ended = Phase::Ended { outcome: Outcome::Unmatched, from: Stage::Ringing };
    sb.store.write(|tx| Ok(stored_call(tx, "CA1", "+31612345678", "shopping", ended, now))).unwrap();
    let (items, _) = read_here(&sb.store, &mine(), now, open).unwrap();
    assert_eq!(items.len(), 1);
    let id = items[0].up.id;
    assert!(read_here(&sb.store, &elsewhere(), now, open).unwrap().0.is_empty());
    assert!(!read_here(&sb.store, &elsewhere(), now, |act| visible(act, id)).unwrap());
    let closed =
        write_here(&sb.store, &elsewhere(), now, |act| close(act, id, FollowUpResult::SolvedByNeighbour, "")).unwrap();
    assert_eq!(closed, Closed::NotFound);
    assert!(!write_here(&sb.store, &elsewhere(), now, |act| reopen(act, id)).unwrap());
    let closed =
        write_here(&sb.store, &mine(), now, |act| close(act, id, FollowUpResult::SolvedByNeighbour, "ok")).unwrap();
    assert_eq!(closed, Closed::Closed);
    let log = sb
        .store
        .read(|c| crate::store::accounts::audit_log(c, &crate::store::accounts::AuditFilter::default(), 10))
        .unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].user_name, "bob");
    let none = write_here(&sb.store, &elsewhere(), now, |act| call_back(act, &sb, id)).unwrap();
    assert_eq!(none, Err(NoCallBack::NotFound));
}

#[test]
fn a_request_taken_on_the_command_line_is_audited_and_listed_only_within_the_scope() {
    let sb = switchboard(true, TUESDAY_MORNING);
    let now = sb.clock.now();
    let hood = sb.neighbourhoods.by_number("+31850000000").expect("the example");
    let phone = PhoneNumber::parse("+31612345678").unwrap();
    let cli = Acting::command_line();
    let opened = write_here(&sb.store, &cli, now, |act| take_request(act, &hood, &phone, "shopping")).unwrap();
    assert!(opened.is_ok(), "{opened:?}");
    assert!(write_here(&sb.store, &elsewhere(), now, |act| take_request(act, &hood, &phone, "shopping")).is_err());
    assert_eq!(read_here(&sb.store, &cli, now, |act| requests(act, false)).unwrap().len(), 1);
    assert!(read_here(&sb.store, &elsewhere(), now, |act| requests(act, true)).unwrap().is_empty());
    let since = now - jiff::SignedDuration::from_hours(1);
    assert_eq!(read_here(&sb.store, &mine(), now, |act| taken(act, since)).unwrap().len(), 1);
    assert!(read_here(&sb.store, &elsewhere(), now, |act| taken(act, since)).unwrap().is_empty());
    let log = sb
        .store
        .read(|c| crate::store::accounts::audit_log(c, &crate::store::accounts::AuditFilter::default(), 10))
        .unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].user_name, "#cli");
}
