//! Who may be rung for a request, and in what order.
//!
//! One pure function, [`rank`]: eligibility first (hard rules a helper can count on),
//! then order: continuity, the helper's near/far wish, fair rotation.

use std::sync::Arc;

use jiff::civil::DateTime;
use jiff::Timestamp;

use super::hours::WeeklyHours;
use super::participant::{Distance, Participant};
use super::phone::PhoneNumber;

/// A participant as seen for one request, with what the store knows about their calls.
#[derive(Clone, Debug)]
pub struct Candidate {
    /// Shared: the store keeps the register in memory and hands out the same records.
    pub participant: Arc<Participant>,
    /// Being rung, or talking, for another call right now.
    pub busy: bool,
    /// Already rung for this call.
    pub asked_this_call: bool,
    /// Said yes to this caller before, for this category.
    pub helped_caller_before: bool,
    /// The last time this helper was rung for any call.
    pub last_asked: Option<Timestamp>,
    /// The learned chance that they pick up and say yes now (see `learning`); `None`
    /// ranks by rotation alone.
    pub likelihood: Option<f64>,
}

/// Where the caller lives, when they are registered.
#[derive(Clone, Copy, Debug, Default)]
pub struct Whereabouts<'a> {
    pub street: &'a str,
    pub postcode: &'a str,
}

#[derive(Clone, Debug)]
pub struct Request<'a> {
    pub category: &'a str,
    pub caller_phone: Option<&'a PhoneNumber>,
    pub caller_at: Option<Whereabouts<'a>>,
    /// Local time in the dialplan's time zone.
    pub now: DateTime,
    /// The same moment, as an instant (for "how long ago").
    pub at: Timestamp,
    pub ringing_hours: &'a WeeklyHours,
    /// The resident's say (issue 27): helpers from near by, further away, or either; a hard
    /// rule, like the helper's own hours.
    pub caller_wish: Distance,
    /// The kind of help rings only helpers the desk marked as experienced in it.
    pub experienced_only: bool,
}

/// Why a participant is not rung.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ineligible {
    DoesNotOffer,
    Paused,
    IsCaller,
    OutsideOwnHours,
    OutsideRingingHours,
    Busy,
    AlreadyAsked,
    /// Not marked by the desk as experienced in a kind of help that asks for it.
    NotExperienced,
    /// Lives too near, or too far, for the resident's wish.
    CallerWish,
}

impl Ineligible {
    /// Whether only a wish (the resident's, or the kind of help's) stands in the way.
    pub fn is_a_wish(self) -> bool {
        matches!(self, Ineligible::NotExperienced | Ineligible::CallerWish)
    }
}

/// What a pick knows about one participant's calls: a [`Candidate`] without the
/// participant and the likelihood.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Calls {
    pub busy: bool,
    pub asked_this_call: bool,
    pub helped_caller_before: bool,
    pub last_asked: Option<Timestamp>,
}

/// A candidate as the rules read it, borrowed (from a [`Candidate`] or a [`Ready`] entry).
#[derive(Clone, Copy)]
struct View<'c> {
    participant: &'c Participant,
    calls: Calls,
    likelihood: Option<f64>,
}

impl<'c> View<'c> {
    fn of(c: &'c Candidate) -> View<'c> {
        View {
            participant: &c.participant,
            calls: Calls {
                busy: c.busy,
                asked_this_call: c.asked_this_call,
                helped_caller_before: c.helped_caller_before,
                last_asked: c.last_asked,
            },
            likelihood: c.likelihood,
        }
    }
}

pub fn eligibility(c: &Candidate, req: &Request<'_>) -> Result<(), Ineligible> {
    eligibility_within(&View::of(c), req, req.ringing_hours.contains(req.now))
}

/// `eligibility`, with whether it is within the ringing hours known already (the same for
/// every candidate of a request, so `rank` and `best` look it up once).
fn eligibility_within(c: &View<'_>, req: &Request<'_>, in_ringing_hours: bool) -> Result<(), Ineligible> {
    let p = c.participant;
    let c = &c.calls;
    if !p.details.offers(req.category) {
        return Err(Ineligible::DoesNotOffer);
    }
    if p.is_paused_on(req.now.date()) {
        return Err(Ineligible::Paused);
    }
    if req.caller_phone == Some(&p.details.phone) {
        return Err(Ineligible::IsCaller);
    }
    if !in_ringing_hours {
        return Err(Ineligible::OutsideRingingHours);
    }
    if !p.details.available.is_empty() && !p.details.available.contains(req.now) {
        return Err(Ineligible::OutsideOwnHours);
    }
    if c.asked_this_call {
        return Err(Ineligible::AlreadyAsked);
    }
    if c.busy {
        return Err(Ineligible::Busy);
    }
    // Wishes last: a helper refused only for them is one the wishes kept away.
    if req.experienced_only && !p.details.say().is_experienced_in(req.category) {
        return Err(Ineligible::NotExperienced);
    }
    if !caller_wish_met(p, req.caller_wish, req.caller_at) {
        return Err(Ineligible::CallerWish);
    }
    Ok(())
}

/// Whether this helper lives where the resident wants their helper from: `Near`, the same
/// street or postcode area (a helper whose address is unknown is not near); `NotOwnStreet`,
/// not the resident's own street. Unknown whereabouts of the caller meet every wish.
pub fn caller_wish_met(helper: &Participant, wish: Distance, caller_at: Option<Whereabouts<'_>>) -> bool {
    let (d, Some(at)) = (&helper.details, caller_at) else { return true };
    let helper_at = Whereabouts { street: &d.street, postcode: &d.postcode };
    match wish {
        Distance::Any => true,
        Distance::Near => same_street(&d.street, &d.postcode, at) || same_area(&d.postcode, at.postcode),
        Distance::NotOwnStreet => !same_street(at.street, at.postcode, helper_at),
    }
}

/// Whether a request that rings nobody rings nobody only because of the wishes: someone
/// would be rung without them.
pub fn kept_away_by_wishes(candidates: &[Candidate], req: &Request<'_>) -> bool {
    req.ringing_hours.contains(req.now)
        && candidates.iter().all(|c| eligibility_within(&View::of(c), req, true).is_err())
        && candidates.iter().any(|c| eligibility_within(&View::of(c), req, true).is_err_and(Ineligible::is_a_wish))
}

/// Whether ringing this helper for this caller fits the helper's near/far wish.
/// When the caller's address is unknown, only an explicit "near" counts as not met.
pub fn wish_respected(p: &Participant, caller_at: Option<Whereabouts<'_>>) -> bool {
    match (p.details.distance, caller_at) {
        (Distance::Any, _) => true,
        (Distance::Near, None) => false,
        (Distance::Near, Some(at)) => {
            same_street(&p.details.street, &p.details.postcode, at) || same_area(&p.details.postcode, at.postcode)
        }
        (Distance::NotOwnStreet, None) => true,
        (Distance::NotOwnStreet, Some(at)) => !same_street(&p.details.street, &p.details.postcode, at),
    }
}

fn same_street(street: &str, postcode: &str, at: Whereabouts<'_>) -> bool {
    // Word by word, ignoring case and spacing (without building new strings: this runs
    // for every candidate).
    if street.trim().is_empty() || !words(street).eq(words(at.street)) {
        return false;
    }
    // A Kerkstraat in the next village is not the same street.
    postcode.is_empty() || at.postcode.is_empty() || same_area(postcode, at.postcode)
}

/// A street's words in lower case, each followed by a space.
fn words(s: &str) -> impl Iterator<Item = char> + '_ {
    s.split_whitespace().flat_map(|w| w.chars().flat_map(char::to_lowercase).chain([' ']))
}

/// Same four-digit postcode area.
fn same_area(a: &str, b: &str) -> bool {
    a.len() >= 4 && b.len() >= 4 && a[..4] == b[..4]
}

/// A helper asked within this long is given a lower priority, in proportion.
pub const REST_SECONDS: i64 = 2 * 24 * 60 * 60;

/// Learned likelihood, lowered for helpers asked recently: likely helpers first, without
/// wearing out the same few.
pub fn rested_score(c: &Candidate, at: Timestamp) -> f64 {
    score_of(c.likelihood.unwrap_or(0.5), c.last_asked, at)
}

/// [`rested_score`] of a likelihood and a last ring: never above the likelihood.
fn score_of(likelihood: f64, last_asked: Option<Timestamp>, at: Timestamp) -> f64 {
    let rest = match last_asked {
        None => 1.0,
        Some(t) => ((at.as_second() - t.as_second()) as f64 / REST_SECONDS as f64).clamp(0.0, 1.0),
    };
    likelihood * rest
}

/// The eligible helpers, best first: a helper who helped this caller before with this
/// category; then helpers whose near/far wish this request fits; then, when likelihoods
/// are known, the highest [`rested_score`]; then the least recently asked (never asked
/// first); ties by registration order.
pub fn rank<'c>(candidates: &'c [Candidate], req: &Request<'_>) -> Vec<&'c Candidate> {
    if !req.ringing_hours.contains(req.now) {
        return Vec::new();
    }
    let mut eligible: Vec<(&'c Candidate, Key)> =
        candidates.iter().filter_map(|c| Some((c, key(&View::of(c), req)?))).collect();
    eligible.sort_by(|(_, a), (_, b)| order(a, b));
    eligible.into_iter().map(|(c, _)| c).collect()
}

/// The first of `rank`, without sorting everyone: who to ring next.
pub fn best<'c>(candidates: &'c [Candidate], req: &Request<'_>) -> Option<&'c Candidate> {
    if !req.ringing_hours.contains(req.now) {
        return None;
    }
    candidates
        .iter()
        .filter_map(|c| Some((c, key(&View::of(c), req)?)))
        .min_by(|(_, a), (_, b)| order(a, b))
        .map(|(c, _)| c)
}

/// Where an eligible candidate stands: tier (continuity, wish), score, last ring, id.
#[derive(Clone, Copy, Debug)]
struct Key {
    tier: (bool, bool),
    score: f64,
    last_asked: Option<Timestamp>,
    id: i64,
}

/// Only for a request within the ringing hours; `None` for who may not be rung.
fn key(c: &View<'_>, req: &Request<'_>) -> Option<Key> {
    eligibility_within(c, req, true).ok()?;
    Some(key_of_eligible(c, req))
}

fn key_of_eligible(c: &View<'_>, req: &Request<'_>) -> Key {
    let tier = (!c.calls.helped_caller_before, !wish_respected(c.participant, req.caller_at));
    let score = match c.likelihood {
        Some(l) => score_of(l, c.calls.last_asked, req.at),
        None => 0.0,
    };
    Key { tier, score, last_asked: c.calls.last_asked, id: c.participant.id }
}

fn order(a: &Key, b: &Key) -> std::cmp::Ordering {
    a.tier.cmp(&b.tier).then(b.score.total_cmp(&a.score)).then(a.last_asked.cmp(&b.last_asked)).then(a.id.cmp(&b.id))
}

/// Whether `e`, and so everyone after it in a [`Ready`] (less likely, or as likely with a
/// higher id), cannot beat `f`, a best of the first tier they could reach. Nobody scores
/// above their likelihood; one who scores as much as `f` comes first only if rung longer
/// ago, never rung first, then by id: so a best never rung is beaten by nobody after it
/// with the same likelihood. (Without this, a new neighbourhood, where everyone has the
/// same likelihood, walked its whole register for every pick.)
fn cannot_beat(e: &Entry, f: &Key) -> bool {
    e.likelihood < f.score || (e.likelihood == f.score && f.last_asked.is_none() && e.participant.id > f.id)
}

/// Who may be rung for one kind of help in one minute, kept ready (issue 31): the
/// neighbourhood's helpers who offer it, are not paused and are inside their own hours
/// then (the store's sieve), each with their learned likelihood at that minute's daypart,
/// most likely first. A pick asks only about the calls of those it looks at, and stops as
/// soon as nobody further down can beat the best found (a score is never above the
/// likelihood): [`Ready::best`] gives exactly what [`best`] gives for the same people as
/// candidates, [`Ready::rank`] what [`rank`] gives.
#[derive(Debug)]
pub struct Ready {
    entries: Vec<Entry>,
    /// Position in `entries` by participant id.
    by_id: std::collections::HashMap<i64, usize>,
}

#[derive(Debug)]
struct Entry {
    participant: Arc<Participant>,
    likelihood: f64,
}

impl Ready {
    /// `people` with `likelihood` of each (by id), most likely first (ties by id).
    pub fn new(people: &[Arc<Participant>], likelihood: impl Fn(i64) -> f64) -> Ready {
        let mut entries: Vec<Entry> =
            people.iter().map(|p| Entry { participant: p.clone(), likelihood: likelihood(p.id) }).collect();
        entries.sort_by(|a, b| b.likelihood.total_cmp(&a.likelihood).then(a.participant.id.cmp(&b.participant.id)));
        let by_id = entries.iter().enumerate().map(|(i, e)| (e.participant.id, i)).collect();
        Ready { entries, by_id }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn view<'r>(&'r self, e: &'r Entry, calls: &impl Fn(i64) -> Option<Calls>) -> Option<View<'r>> {
        Some(View { participant: &e.participant, calls: calls(e.participant.id)?, likelihood: Some(e.likelihood) })
    }

    /// The best to ring, as [`best`] over these people with `calls` (`None`: left out of
    /// the pick altogether, like a "do not pair"); `helped` are the ids `calls` says
    /// helped the caller before (looked at first: they come before everyone else).
    pub fn best(
        &self,
        req: &Request<'_>,
        helped: impl IntoIterator<Item = i64>,
        calls: impl Fn(i64) -> Option<Calls>,
    ) -> Option<&Arc<Participant>> {
        if !req.ringing_hours.contains(req.now) {
            return None;
        }
        let mut found: Option<(&Entry, Key)> = None;
        let better = |k: &Key, found: &Option<(&Entry, Key)>| found.as_ref().is_none_or(|(_, f)| order(k, f).is_lt());
        // Who helped this caller before comes first, if anyone of them may be rung.
        for id in helped {
            let Some(e) = self.by_id.get(&id).map(|&i| &self.entries[i]) else { continue };
            let Some(v) = self.view(e, &calls) else { continue };
            if let Some(k) = key(&v, req) {
                if better(&k, &found) {
                    found = Some((e, k));
                }
            }
        }
        if let Some((e, k)) = found {
            if !k.tier.0 {
                return Some(&e.participant);
            }
        }
        for e in &self.entries {
            // Nobody further down scores above their likelihood: none of them can beat a
            // best of the first tier they could reach.
            if let Some((_, f)) = &found {
                if f.tier == (true, false) && cannot_beat(e, f) {
                    break;
                }
            }
            let Some(v) = self.view(e, &calls) else { continue };
            if let Some(k) = key(&v, req) {
                if better(&k, &found) {
                    found = Some((e, k));
                }
            }
        }
        found.map(|(e, _)| &e.participant)
    }

    /// Everyone who may be rung, best first, as [`rank`] over these people with `calls`.
    pub fn rank(&self, req: &Request<'_>, calls: impl Fn(i64) -> Option<Calls>) -> Vec<&Arc<Participant>> {
        if !req.ringing_hours.contains(req.now) {
            return Vec::new();
        }
        let mut eligible: Vec<(&Arc<Participant>, Key)> =
            self.entries.iter().filter_map(|e| Some((&e.participant, key(&self.view(e, &calls)?, req)?))).collect();
        eligible.sort_by(|(_, a), (_, b)| order(a, b));
        eligible.into_iter().map(|(p, _)| p).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::participant::{ParticipantDetails, ParticipantInput, Say, SayInput};
    use jiff::civil::date;

    struct Person {
        id: i64,
        offers: &'static str,
        available: &'static str,
        street: &'static str,
        postcode: &'static str,
        distance: &'static str,
        paused: bool,
        busy: bool,
        asked: bool,
        helped: bool,
        last_asked_hours_ago: Option<i64>,
        /// Kinds of help the desk marked them as experienced in.
        experienced: &'static str,
    }

    fn person(id: i64) -> Person {
        Person {
            id,
            offers: "shopping",
            available: "",
            street: "Dorpsweg",
            postcode: "4321 XY",
            distance: "any",
            paused: false,
            busy: false,
            asked: false,
            helped: false,
            last_asked_hours_ago: None,
            experienced: "",
        }
    }

    fn base_time() -> Timestamp {
        Timestamp::from_second(1_790_000_000).unwrap()
    }

    fn now() -> DateTime {
        // Tuesday morning.
        date(2026, 11, 24).at(10, 15, 0, 0)
    }

    fn candidates(people: Vec<Person>) -> Vec<Candidate> {
        let cats = vec!["shopping".to_string(), "transport".to_string()];
        people
            .into_iter()
            .map(|p| {
                let phone = format!("+316{:08}", 10_000_000 + p.id);
                let details = ParticipantDetails::parse(
                    &ParticipantInput {
                        name: &format!("Helper{} X", p.id),
                        phone: &phone,
                        offers: p.offers,
                        available: p.available,
                        street: p.street,
                        postcode: p.postcode,
                        distance: p.distance,
                        language: "",
                    },
                    &cats,
                )
                .unwrap();
                let say = SayInput { experienced: p.experienced, ..Default::default() };
                let details = ParticipantDetails { say: Some(Say::parse(&say, &cats).unwrap()), ..details };
                let base = Timestamp::from_second(1_790_000_000).unwrap();
                Candidate {
                    participant: Arc::new(Participant {
                        id: p.id,
                        details,
                        paused: p.paused,
                        paused_until: None,
                        neighbourhoods: Vec::new(),
                    }),
                    busy: p.busy,
                    asked_this_call: p.asked,
                    helped_caller_before: p.helped,
                    last_asked: p.last_asked_hours_ago.map(|h| base - jiff::SignedDuration::from_hours(h)),
                    likelihood: None,
                }
            })
            .collect()
    }

    /// A request for shopping from `caller`, with no wishes, at `now`.
    fn shopping<'a>(
        caller: Option<&'a PhoneNumber>,
        caller_at: Option<Whereabouts<'a>>,
        now: DateTime,
        ringing_hours: &'a WeeklyHours,
    ) -> Request<'a> {
        Request {
            category: "shopping",
            caller_phone: caller,
            caller_at,
            now,
            at: base_time(),
            ringing_hours,
            caller_wish: Distance::Any,
            experienced_only: false,
        }
    }

    fn order(people: Vec<Person>, caller_at: Option<Whereabouts<'_>>, now: DateTime) -> Vec<i64> {
        let cands = candidates(people);
        let ringing = WeeklyHours::parse("08:00-21:00").unwrap();
        let caller = PhoneNumber::parse("+31612345678").unwrap();
        let req = shopping(Some(&caller), caller_at, now, &ringing);
        let ranked: Vec<i64> = rank(&cands, &req).iter().map(|c| c.participant.id).collect();
        assert_eq!(best(&cands, &req).map(|c| c.participant.id), ranked.first().copied(), "best is rank's first");
        ranked
    }

    const KERKSTRAAT: Whereabouts<'static> = Whereabouts { street: "Kerkstraat", postcode: "1234 AB" };

    #[test]
    fn only_eligible_helpers_are_rung() {
        let people = vec![
            person(1),
            Person { offers: "transport", ..person(2) },
            Person { paused: true, ..person(3) },
            Person { busy: true, ..person(4) },
            Person { asked: true, ..person(5) },
            Person { available: "mon 09:00-12:00", ..person(6) },
            Person { available: "tue 10:00-11:00", ..person(7) },
            Person { offers: "", ..person(8) },
        ];
        assert_eq!(order(people, None, now()), vec![1, 7]);
    }

    #[test]
    fn the_caller_is_never_their_own_helper() {
        // The caller is registered as a helper too.
        let cands = candidates(vec![person(1), person(2)]);
        let ringing = WeeklyHours::parse("08:00-21:00").unwrap();
        let caller = cands[0].participant.details.phone.clone();
        let req = shopping(Some(&caller), None, now(), &ringing);
        assert_eq!(eligibility(&cands[0], &req), Err(Ineligible::IsCaller));
        assert_eq!(rank(&cands, &req).len(), 1);
    }

    #[test]
    fn nobody_is_rung_at_night() {
        let late = date(2026, 11, 24).at(21, 0, 0, 0);
        let early = date(2026, 11, 24).at(7, 59, 0, 0);
        let people = || vec![person(1), Person { available: "daily 00:00-24:00", ..person(2) }];
        assert_eq!(order(people(), None, late), Vec::<i64>::new());
        assert_eq!(order(people(), None, early), Vec::<i64>::new());
        assert_eq!(order(people(), None, date(2026, 11, 24).at(20, 59, 0, 0)), vec![1, 2]);
    }

    #[test]
    fn continuity_comes_first() {
        let people = vec![person(1), Person { helped: true, last_asked_hours_ago: Some(1), ..person(2) }, person(3)];
        assert_eq!(order(people, None, now()), vec![2, 1, 3]);
    }

    #[test]
    fn near_far_wishes_order_helpers() {
        let people = || {
            vec![
                Person { street: "Kerkstraat", postcode: "1234 AB", distance: "not-own-street", ..person(1) },
                Person { street: "Molenweg", postcode: "9999 ZZ", distance: "near", ..person(2) },
                Person { street: "Molenweg", postcode: "1234 CD", distance: "near", ..person(3) },
                person(4),
            ]
        };
        // Caller in the Kerkstraat: 1 lives there and does not want that; 2 lives far away.
        assert_eq!(order(people(), Some(KERKSTRAAT), now()), vec![3, 4, 1, 2]);
        // Unknown address: only "near" cannot be honoured.
        assert_eq!(order(people(), None, now()), vec![1, 4, 2, 3]);
        // The same street name in another village is not the own street.
        let elsewhere = Whereabouts { street: "Kerkstraat", postcode: "5555 AA" };
        assert_eq!(order(people(), Some(elsewhere), now()), vec![1, 4, 2, 3]);
    }

    /// Who is rung, for a resident in the Kerkstraat (1234 AB) with each wish, and for a
    /// kind of help that asks for experienced helpers; and whether a ranking that rings
    /// nobody says the wishes kept everyone away.
    #[test]
    fn the_residents_say_is_a_hard_rule() {
        let people = || {
            vec![
                Person { street: "Kerkstraat", postcode: "1234 AB", ..person(1) },
                Person { street: "Molenweg", postcode: "1234 CD", experienced: "shopping", ..person(2) },
                Person { street: "Dorpsweg", postcode: "9999 ZZ", experienced: "transport", ..person(3) },
                Person { street: "", postcode: "", experienced: "shopping", ..person(4) },
            ]
        };
        let cases: [(Distance, bool, &[i64]); 6] = [
            (Distance::Any, false, &[1, 2, 3, 4]),
            // Next door is not "further away"; nor is a helper whose address is unknown near.
            (Distance::NotOwnStreet, false, &[2, 3, 4]),
            (Distance::Near, false, &[1, 2]),
            (Distance::Any, true, &[2, 4]),
            (Distance::Near, true, &[2]),
            (Distance::NotOwnStreet, true, &[2, 4]),
        ];
        let cands = candidates(people());
        let ringing = WeeklyHours::parse("08:00-21:00").unwrap();
        for (caller_wish, experienced_only, want) in cases {
            let req = Request { caller_wish, experienced_only, ..shopping(None, Some(KERKSTRAAT), now(), &ringing) };
            let got: Vec<i64> = rank(&cands, &req).iter().map(|c| c.participant.id).collect();
            assert_eq!(got, want, "{caller_wish:?}, experienced only: {experienced_only}");
            assert!(!kept_away_by_wishes(&cands, &req));
        }
        // Only next door and unmarked: nobody, and the wishes are why.
        let next_door = candidates(vec![Person { street: "Kerkstraat", postcode: "1234 AB", ..person(1) }]);
        let req = Request { caller_wish: Distance::NotOwnStreet, ..shopping(None, Some(KERKSTRAAT), now(), &ringing) };
        assert_eq!(eligibility(&next_door[0], &req), Err(Ineligible::CallerWish));
        assert!(rank(&next_door, &req).is_empty() && kept_away_by_wishes(&next_door, &req));
        let req = Request { caller_wish: Distance::Any, experienced_only: true, ..req };
        assert_eq!(eligibility(&next_door[0], &req), Err(Ineligible::NotExperienced));
        assert!(kept_away_by_wishes(&next_door, &req));
        // Busy is no wish: nobody, but not because of the wishes.
        let busy = candidates(vec![Person { busy: true, ..person(2) }]);
        assert!(rank(&busy, &req).is_empty() && !kept_away_by_wishes(&busy, &req));
    }

    #[test]
    fn rotation_prefers_the_least_recently_asked() {
        let people = vec![
            Person { last_asked_hours_ago: Some(2), ..person(1) },
            Person { last_asked_hours_ago: Some(200), ..person(2) },
            person(3),
            Person { last_asked_hours_ago: Some(20), ..person(4) },
        ];
        assert_eq!(order(people, None, now()), vec![3, 2, 4, 1]);
    }

    #[test]
    fn wishes_beat_rotation_and_continuity_beats_wishes() {
        let people = vec![
            Person {
                street: "Kerkstraat",
                postcode: "1234 AB",
                distance: "not-own-street",
                helped: true,
                last_asked_hours_ago: Some(1),
                ..person(1)
            },
            Person { street: "Kerkstraat", postcode: "1234 AB", distance: "not-own-street", ..person(2) },
            Person { last_asked_hours_ago: Some(1), ..person(3) },
        ];
        assert_eq!(order(people, Some(KERKSTRAAT), now()), vec![1, 3, 2]);
    }

    #[test]
    fn likely_helpers_come_first_unless_asked_recently() {
        let mut cands =
            candidates(vec![person(1), person(2), Person { last_asked_hours_ago: Some(6), ..person(3) }, person(4)]);
        for (c, l) in cands.iter_mut().zip([0.2, 0.6, 0.9, 0.6]) {
            c.likelihood = Some(l);
        }
        let ringing = WeeklyHours::parse("08:00-21:00").unwrap();
        let req = shopping(None, None, now(), &ringing);
        let order: Vec<i64> = rank(&cands, &req).iter().map(|c| c.participant.id).collect();
        // 3 is the likeliest but was asked six hours ago (0.9 x 6/48); 2 and 4 tie and were never asked.
        assert_eq!(order, vec![2, 4, 1, 3]);
        // Rested, 3 comes first.
        let later = base_time() + jiff::SignedDuration::from_secs(REST_SECONDS);
        let req = Request { at: later, ..req };
        assert_eq!(rank(&cands, &req)[0].participant.id, 3);
    }

    #[test]
    fn rotation_spreads_asks_evenly() {
        // Ask the first-ranked helper 300 times, updating last_asked as the store would:
        // every one of 6 helpers is asked 50 times.
        let mut cands = candidates((1..=6).map(person).collect());
        let ringing = WeeklyHours::parse("08:00-21:00").unwrap();
        let mut counts = [0u32; 7];
        let mut clock = Timestamp::from_second(1_790_000_000).unwrap();
        for _ in 0..300 {
            let req = Request { at: clock, ..shopping(None, None, now(), &ringing) };
            let first = rank(&cands, &req)[0].participant.id;
            assert_eq!(best(&cands, &req).unwrap().participant.id, first);
            counts[first as usize] += 1;
            clock += jiff::SignedDuration::from_mins(7);
            cands.iter_mut().find(|c| c.participant.id == first).unwrap().last_asked = Some(clock);
        }
        assert_eq!(&counts[1..], &[50, 50, 50, 50, 50, 50]);
    }

    /// Issue 31: in a new neighbourhood everyone has the same likelihood. A pick looks at
    /// the few before the first helper never rung, not at the whole register: among equals
    /// who score alike, the one never rung with the lowest id comes first, and the rest
    /// come after it in the register kept ready.
    #[test]
    fn a_pick_among_equals_stops_at_the_first_never_rung() {
        let mut people: Vec<Person> = (1..=1000).map(person).collect();
        for p in people.iter_mut().take(5) {
            p.last_asked_hours_ago = Some(1);
        }
        people[5].busy = true;
        let cands = candidates(people);
        let by_id: std::collections::HashMap<i64, Calls> =
            cands.iter().map(|c| (c.participant.id, View::of(c).calls)).collect();
        let people: Vec<Arc<Participant>> = cands.iter().map(|c| c.participant.clone()).collect();
        let ready = Ready::new(&people, |_| 0.5);
        let ringing = WeeklyHours::parse("08:00-21:00").unwrap();
        let caller = PhoneNumber::parse("+31612345678").unwrap();
        let req = shopping(Some(&caller), None, now(), &ringing);
        let looked = std::cell::Cell::new(0);
        let calls = |id: i64| {
            looked.set(looked.get() + 1);
            by_id.get(&id).copied()
        };
        // 1-5 rung an hour ago, 6 busy: 7 is the first never rung.
        assert_eq!(ready.best(&req, [], calls).map(|p| p.id), Some(7));
        assert!(looked.get() <= 8, "looked at {} of 1000", looked.get());
        let cands: Vec<Candidate> = cands.into_iter().map(|c| Candidate { likelihood: Some(0.5), ..c }).collect();
        assert_eq!(best(&cands, &req).map(|c| c.participant.id), Some(7));
    }

    /// Issue 31: `Ready::best` and `Ready::rank` give exactly what `best` and `rank` give
    /// for the same people as candidates: random registers (offers, hours, pauses, wishes,
    /// experience), calls (busy, asked, helped before, last rung: never, seconds, hours or
    /// days ago, or left out as "do not pair"), likelihoods with many ties, and requests
    /// (the caller among them or not, their whereabouts and wish, inside and outside the
    /// hours). The early stop is exercised: rested helpers score their likelihood.
    #[test]
    fn ready_picks_what_the_full_ranking_picks() {
        let cats = vec!["shopping".to_string(), "transport".to_string()];
        let ringing = WeeklyHours::parse("08:00-21:00").unwrap();
        let streets = ["Dorpsweg", "Kerkstraat", "dorpsweg", ""];
        let postcodes = ["4321 XY", "4321 AB", "1234 CD", ""];
        let hours = ["", "", "mon-fri 09:00-17:00", "daily 11:00-12:00"];
        let distances = ["any", "any", "near", "not-own-street"];
        let offers = ["shopping", "transport", "shopping;transport", "", "shopping"];
        let likelihoods = [0.1, 0.3, 0.5, 0.5, 0.5, 0.9, 0.0];
        let times = [
            date(2026, 11, 24).at(10, 15, 0, 0),
            date(2026, 11, 28).at(11, 30, 0, 0),
            now().with().hour(22).build().unwrap(),
        ];
        let base = base_time();
        let mut rng = fastrand::Rng::with_seed(31);
        let (mut picked, mut rested_picked) = (0, 0);
        for _ in 0..2000 {
            let n = rng.i64(0..30);
            let people: Vec<Arc<Participant>> = (1..=n)
                .map(|id| {
                    let details = ParticipantDetails::parse(
                        &ParticipantInput {
                            name: &format!("Helper{id} X"),
                            phone: &format!("+316{:08}", 10_000_000 + id),
                            offers: offers[rng.usize(..offers.len())],
                            available: hours[rng.usize(..hours.len())],
                            street: streets[rng.usize(..streets.len())],
                            postcode: postcodes[rng.usize(..postcodes.len())],
                            distance: distances[rng.usize(..distances.len())],
                            language: "",
                        },
                        &cats,
                    )
                    .unwrap();
                    let say = SayInput { experienced: ["", "shopping"][rng.usize(..2)], ..Default::default() };
                    let details = ParticipantDetails { say: Some(Say::parse(&say, &cats).unwrap()), ..details };
                    let paused = rng.u8(0..8) == 0;
                    Arc::new(Participant { id, details, paused, paused_until: None, neighbourhoods: Vec::new() })
                })
                .collect();
            let calls: std::collections::HashMap<i64, Option<Calls>> = people
                .iter()
                .map(|p| {
                    let last_asked = match rng.u8(0..4) {
                        0 => None,
                        1 => Some(base - jiff::SignedDuration::from_secs(rng.i64(0..600))),
                        2 => Some(base - jiff::SignedDuration::from_hours(rng.i64(0..48))),
                        _ => Some(base - jiff::SignedDuration::from_hours(rng.i64(48..200))),
                    };
                    let calls = Calls {
                        busy: rng.u8(0..5) == 0,
                        asked_this_call: rng.u8(0..6) == 0,
                        helped_caller_before: rng.u8(0..8) == 0,
                        last_asked,
                    };
                    (p.id, (rng.u8(0..15) != 0).then_some(calls))
                })
                .collect();
            let likelihood: std::collections::HashMap<i64, f64> =
                people.iter().map(|p| (p.id, likelihoods[rng.usize(..likelihoods.len())])).collect();
            let caller = match rng.u8(0..3) {
                0 if n > 0 => people[rng.usize(..people.len())].details.phone.clone(),
                _ => PhoneNumber::parse("+31612345678").unwrap(),
            };
            let caller_at = match rng.u8(0..3) {
                0 => None,
                _ => Some(Whereabouts {
                    street: streets[rng.usize(..streets.len())],
                    postcode: postcodes[rng.usize(..postcodes.len())],
                }),
            };
            let req = Request {
                category: ["shopping", "transport"][rng.usize(..2)],
                caller_phone: Some(&caller),
                caller_at,
                now: times[rng.usize(..times.len())],
                at: base,
                ringing_hours: &ringing,
                caller_wish: [Distance::Any, Distance::Any, Distance::Near, Distance::NotOwnStreet][rng.usize(..4)],
                experienced_only: rng.u8(0..4) == 0,
            };
            let candidates: Vec<Candidate> = people
                .iter()
                .filter_map(|p| {
                    let c = calls[&p.id]?;
                    Some(Candidate {
                        participant: p.clone(),
                        busy: c.busy,
                        asked_this_call: c.asked_this_call,
                        helped_caller_before: c.helped_caller_before,
                        last_asked: c.last_asked,
                        likelihood: Some(likelihood[&p.id]),
                    })
                })
                .collect();
            let ready = Ready::new(&people, |id| likelihood[&id]);
            assert_eq!(ready.len(), people.len());
            let helped: Vec<i64> =
                calls.iter().filter(|(_, c)| c.is_some_and(|c| c.helped_caller_before)).map(|(id, _)| *id).collect();
            let lookup = |id: i64| calls[&id];
            let want = best(&candidates, &req);
            let got = ready.best(&req, helped.iter().copied(), lookup);
            assert_eq!(got.map(|p| p.id), want.map(|c| c.participant.id), "{req:?}");
            let want: Vec<i64> = rank(&candidates, &req).iter().map(|c| c.participant.id).collect();
            let got: Vec<i64> = ready.rank(&req, lookup).iter().map(|p| p.id).collect();
            assert_eq!(got, want, "{req:?}");
            if let Some(c) = best(&candidates, &req) {
                picked += 1;
                rested_picked +=
                    usize::from(c.last_asked.is_none_or(|t| base.as_second() - t.as_second() >= REST_SECONDS));
            }
        }
        // Enough picks, and picks of a rested helper (where the early stop can cut in).
        assert!(picked > 500 && rested_picked > 200, "{picked} picks, {rested_picked} of a rested helper");
    }
}
