//! `burenlijn bench match`: time until a neighbour says yes, simulated over many months
//! of a neighbourhood at real scale (Anna Zorgt: 540 households, 84 helpers, about 139
//! matches a year), for the ringing strategies helplines use and for Burenlijn's own
//! ranking (`domain::ranking::rank`, the production code, with and without learning).
//!
//! Every strategy meets the same requests and the same people: whether helper h picks up
//! and says yes to request r is drawn once, from (seed, r, h), so differences come from
//! the order of ringing alone. Deterministic for a given seed.

use std::collections::HashMap;

use jiff::civil::{date, DateTime};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde_json::json;

use super::percentile;
use crate::domain::hours::WeeklyHours;
use crate::domain::learning::{band, Asked, Likelihoods, BANDS};
use crate::domain::participant::{Participant, ParticipantDetails, ParticipantInput};
use crate::domain::phone::PhoneNumber;
use crate::domain::ranking::{self, Candidate, Request, Whereabouts};

pub struct MatchOptions {
    pub months: u32,
    pub seed: u64,
    pub households: usize,
    pub helpers: usize,
    pub requests_per_year: f64,
}

const CATEGORIES: [&str; 4] = ["shopping", "transport", "odd-jobs", "company"];
const STREETS: [(&str, &str); 12] = [
    ("Kerkstraat", "4411 AB"),
    ("Molenweg", "4411 CD"),
    ("Dorpsweg", "4411 EF"),
    ("Schoolstraat", "4412 AB"),
    ("Lindelaan", "4412 CD"),
    ("Beukenlaan", "4412 EF"),
    ("Havenweg", "4413 AB"),
    ("Julianastraat", "4413 CD"),
    ("Raadhuisplein", "4413 EF"),
    ("Stationsweg", "4414 AB"),
    ("Zeedijk", "4414 CD"),
    ("Oude Weg", "4414 EF"),
];
const MAX_HELPERS: usize = 6;
const MAX_WAIT: i64 = 300;
const RING_TIMEOUT: i64 = 20;
const BETWEEN: i64 = 4;

struct SimHelper {
    participant: std::sync::Arc<Participant>,
    pick: [f64; BANDS],
    yes: [f64; BANDS],
}

struct Asker {
    phone: PhoneNumber,
    street: &'static str,
    postcode: &'static str,
}

struct Req {
    local: DateTime,
    at: Timestamp,
    asker: usize,
    category: &'static str,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Strategy {
    List,
    Random,
    AllAtOnce,
    Rotation,
    Burenlijn,
    /// Burenlijn's learned ranking, rung in waves of two (`domain::waves`).
    Waves2,
}

impl Strategy {
    fn key(self) -> &'static str {
        match self {
            Strategy::List => "list",
            Strategy::Random => "random",
            Strategy::AllAtOnce => "all-at-once",
            Strategy::Rotation => "rotation",
            Strategy::Burenlijn => "burenlijn",
            Strategy::Waves2 => "waves-2",
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Strategy::List => "fixed list order",
            Strategy::Random => "random order",
            Strategy::AllAtOnce => "ring everyone at once",
            Strategy::Rotation => "burenlijn, rotation only",
            Strategy::Burenlijn => "burenlijn, learned",
            Strategy::Waves2 => "burenlijn, waves of 2",
        }
    }
}

#[derive(Clone, Debug)]
pub struct StrategyFigures {
    pub key: &'static str,
    pub description: &'static str,
    pub median_wait_s: f64,
    pub p90_wait_s: f64,
    pub matched_share: f64,
    pub phones_per_match: f64,
    pub gini: f64,
    pub max_asks_week: u32,
}

pub struct MatchReport {
    pub requests: usize,
    pub months: u32,
    pub seed: u64,
    pub helpers: usize,
    pub households: usize,
    pub strategies: Vec<StrategyFigures>,
}

/// A draw in [0, 1) that depends only on its inputs.
fn draw(seed: u64, request: usize, helper: i64, what: u64) -> f64 {
    let mut rng = fastrand::Rng::with_seed(
        seed ^ (request as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
            ^ (helper as u64).wrapping_mul(0xC2B2_AE3D_27D4_EB4F)
            ^ what.wrapping_mul(0x1656_67B1_9E37_79F9),
    );
    rng.f64()
}

fn make_helpers(opts: &MatchOptions, rng: &mut fastrand::Rng) -> Vec<SimHelper> {
    let known: Vec<String> = CATEGORIES.iter().map(|c| c.to_string()).collect();
    let hours = [
        "",
        "",
        "",
        "",
        "mon-fri 09:00-17:00",
        "mon-sat 10:00-20:00",
        "daily 08:00-12:00",
        "mon,wed,fri 13:00-21:00",
        "tue,thu 09:00-21:00",
    ];
    (0..opts.helpers)
        .map(|i| {
            let mut offers: Vec<&str> = CATEGORIES
                .iter()
                .zip([0.6, 0.45, 0.35, 0.4])
                .filter(|(_, p)| rng.f64() < *p)
                .map(|(c, _)| *c)
                .collect();
            if offers.is_empty() {
                offers.push(CATEGORIES[rng.usize(..CATEGORIES.len())]);
            }
            let (street, postcode) = STREETS[rng.usize(..STREETS.len())];
            let distance = match rng.u32(0..100) {
                0..=69 => "any",
                70..=84 => "near",
                _ => "not-own-street",
            };
            let details = ParticipantDetails::parse(
                &ParticipantInput {
                    name: &format!("Helper{i} X"),
                    phone: &format!("+3161{:07}", i),
                    offers: &offers.join(";"),
                    available: hours[rng.usize(..hours.len())],
                    street,
                    postcode,
                    distance,
                    language: "",
                },
                &known,
            )
            .expect("simulated helpers are valid");
            // Working people rarely pick up on weekday daytime; retired people less in the evening.
            let working = rng.f64() < 0.4;
            let base_pick = 0.35 + rng.f64() * 0.55;
            let base_yes = 0.25 + rng.f64() * 0.6;
            let mut pick = [0.0; BANDS];
            let mut yes = [0.0; BANDS];
            for b in 0..BANDS {
                let weekday = b < 3;
                let part = b % 3;
                let factor = match (working, weekday, part) {
                    (true, true, 0 | 1) => 0.3,
                    (true, _, 2) => 1.1,
                    (false, _, 0) => 1.1,
                    (false, _, 2) => 0.7,
                    _ => 1.0,
                };
                pick[b] = (base_pick * factor).clamp(0.02, 0.95);
                yes[b] = (base_yes * (0.6 + rng.f64() * 0.6)).clamp(0.02, 0.95);
            }
            SimHelper {
                participant: std::sync::Arc::new(Participant {
                    id: i as i64 + 1,
                    details,
                    paused: false,
                    paused_until: None,
                    neighbourhoods: Vec::new(),
                }),
                pick,
                yes,
            }
        })
        .collect()
}

fn make_requests(opts: &MatchOptions, rng: &mut fastrand::Rng, askers: usize, tz: &TimeZone) -> Vec<Req> {
    // Some people ask often, most rarely: weights 1/rank^0.8.
    let weights: Vec<f64> = (1..=askers).map(|r| 1.0 / (r as f64).powf(0.8)).collect();
    let total: f64 = weights.iter().sum();
    let per_day = opts.requests_per_year / 365.0;
    let hour_weights = [
        (8, 6.0),
        (9, 12.0),
        (10, 14.0),
        (11, 12.0),
        (12, 6.0),
        (13, 8.0),
        (14, 9.0),
        (15, 8.0),
        (16, 7.0),
        (17, 5.0),
        (18, 5.0),
        (19, 4.0),
        (20, 2.0),
    ];
    let hour_total: f64 = hour_weights.iter().map(|(_, w)| w).sum();
    let mut out = Vec::new();
    let start = date(2026, 1, 5);
    let days = (f64::from(opts.months) * 30.44).round() as i64;
    for d in 0..days {
        let Ok(day) = start.checked_add(SignedDuration::from_hours(24 * d)) else { continue };
        // Poisson arrivals by inversion.
        let (mut n, mut p, l) = (0, 1.0, (-per_day).exp());
        loop {
            p *= rng.f64();
            if p <= l {
                break;
            }
            n += 1;
        }
        for _ in 0..n {
            let mut x = rng.f64() * hour_total;
            let hour = hour_weights.iter().find(|(_, w)| {
                x -= w;
                x <= 0.0
            });
            let hour = hour.map(|(h, _)| *h).unwrap_or(10);
            let local = day.at(hour, rng.i8(0..60), 0, 0);
            let Ok(zoned) = local.to_zoned(tz.clone()) else { continue };
            let mut x = rng.f64() * total;
            let asker = weights.iter().position(|w| {
                x -= w;
                x <= 0.0
            });
            let category = match rng.u32(0..100) {
                0..=39 => "shopping",
                40..=69 => "transport",
                70..=84 => "odd-jobs",
                _ => "company",
            };
            out.push(Req { local, at: zoned.timestamp(), asker: asker.unwrap_or(0), category });
        }
    }
    out
}

struct Tally {
    waits: Vec<f64>,
    matched: usize,
    rung: usize,
    asks: HashMap<i64, u32>,
    asks_week: HashMap<(i64, i16, i8), u32>,
}

pub fn run(opts: &MatchOptions) -> MatchReport {
    let tz = TimeZone::get("Europe/Amsterdam").unwrap_or(TimeZone::UTC);
    let mut rng = fastrand::Rng::with_seed(opts.seed);
    let helpers = make_helpers(opts, &mut rng);
    let askers: Vec<Asker> = (0..opts.households.saturating_sub(opts.helpers).max(1))
        .map(|i| {
            let (street, postcode) = STREETS[rng.usize(..STREETS.len())];
            Asker { phone: PhoneNumber::from_stored(&format!("+3120{:07}", i)).expect("valid"), street, postcode }
        })
        .collect();
    let requests = make_requests(opts, &mut rng, askers.len(), &tz);
    let ringing = WeeklyHours::parse("08:00-21:00").expect("valid");
    let strategies = [
        Strategy::List,
        Strategy::Random,
        Strategy::AllAtOnce,
        Strategy::Rotation,
        Strategy::Burenlijn,
        Strategy::Waves2,
    ];
    let world = World { opts, helpers: &helpers, askers: &askers, requests: &requests, ringing: &ringing };
    let figures = strategies.iter().map(|s| simulate(*s, &world)).collect();
    MatchReport {
        requests: requests.len(),
        months: opts.months,
        seed: opts.seed,
        helpers: opts.helpers,
        households: opts.households,
        strategies: figures,
    }
}

/// The same neighbourhood and requests, met by every strategy.
struct World<'a> {
    opts: &'a MatchOptions,
    helpers: &'a [SimHelper],
    askers: &'a [Asker],
    requests: &'a [Req],
    ringing: &'a WeeklyHours,
}

fn simulate(strategy: Strategy, world: &World<'_>) -> StrategyFigures {
    let mut sim = Sim {
        strategy,
        last_asked: HashMap::new(),
        helped: HashMap::new(),
        learned: Likelihoods::default(),
        shuffle: fastrand::Rng::with_seed(world.opts.seed ^ 0xABCD),
        t: Tally { waits: Vec::new(), matched: 0, rung: 0, asks: HashMap::new(), asks_week: HashMap::new() },
    };
    for (r, req) in world.requests.iter().enumerate() {
        let order = sim.order(world, req);
        let ask = Ask { world, r, req };
        let yes_after = match strategy {
            Strategy::AllAtOnce => sim.all_at_once(&ask, &order),
            Strategy::Waves2 => sim.in_waves(&ask, &order),
            _ => sim.one_by_one(&ask, &order),
        };
        if let Some((id, wait)) = yes_after {
            sim.t.matched += 1;
            sim.t.waits.push(wait as f64);
            sim.helped.entry((req.asker, req.category)).or_default().push(id);
        }
    }
    sim.figures(world)
}

/// One request being rung for.
struct Ask<'a> {
    world: &'a World<'a>,
    /// Its number, for the draws.
    r: usize,
    req: &'a Req,
}

impl Ask<'_> {
    /// What helper `id` does for this request: whether they pick up, seconds until they
    /// do, and whether they say yes.
    fn answer(&self, id: i64) -> (bool, i64, bool) {
        let h = &self.world.helpers[(id - 1) as usize];
        let (b, seed) = (band(self.req.local), self.world.opts.seed);
        let picks = draw(seed, self.r, id, 1) < h.pick[b];
        let delay = 5 + (draw(seed, self.r, id, 2) * 11.0) as i64;
        let yes = draw(seed, self.r, id, 3) < h.yes[b];
        (picks, delay, picks && yes)
    }
}

/// One strategy's run so far: what it knows of the helpers, and what it counted. A ringing
/// returns who said yes first and the wait in seconds until then.
struct Sim {
    strategy: Strategy,
    last_asked: HashMap<i64, Timestamp>,
    helped: HashMap<(usize, &'static str), Vec<i64>>,
    learned: Likelihoods,
    shuffle: fastrand::Rng,
    t: Tally,
}

impl Sim {
    /// Helper `id` is rung at `at` for `req`, and says yes or not.
    fn note(&mut self, req: &Req, id: i64, at: Timestamp, accepted: bool) {
        self.t.rung += 1;
        *self.t.asks.entry(id).or_default() += 1;
        let week = at.to_zoned(TimeZone::UTC).date().iso_week_date();
        *self.t.asks_week.entry((id, week.year(), week.week())).or_default() += 1;
        self.last_asked.insert(id, at);
        self.learned.record(&Asked { helper_id: id, at: req.local, accepted });
    }

    fn candidates(&self, world: &World<'_>, req: &Req) -> Vec<Candidate> {
        let learns = matches!(self.strategy, Strategy::Burenlijn | Strategy::Waves2);
        world
            .helpers
            .iter()
            .map(|h| Candidate {
                participant: h.participant.clone(),
                busy: false,
                asked_this_call: false,
                helped_caller_before: self
                    .helped
                    .get(&(req.asker, req.category))
                    .is_some_and(|v| v.contains(&h.participant.id)),
                last_asked: self.last_asked.get(&h.participant.id).copied(),
                likelihood: learns.then(|| self.learned.likelihood(h.participant.id, req.local)),
            })
            .collect()
    }

    /// The helpers in the order this strategy rings them for `req`.
    fn order(&mut self, world: &World<'_>, req: &Req) -> Vec<i64> {
        let candidates = self.candidates(world, req);
        let asker = &world.askers[req.asker];
        let request = Request {
            category: req.category,
            caller_phone: Some(&asker.phone),
            caller_at: Some(Whereabouts { street: asker.street, postcode: asker.postcode }),
            now: req.local,
            at: req.at,
            ringing_hours: world.ringing,
            caller_wish: crate::domain::participant::Distance::Any,
            experienced_only: false,
        };
        let eligible = || {
            candidates
                .iter()
                .filter(|c| ranking::eligibility(c, &request).is_ok())
                .map(|c| c.participant.id)
                .collect::<Vec<i64>>()
        };
        match self.strategy {
            Strategy::List | Strategy::AllAtOnce => eligible(),
            Strategy::Random => {
                let mut ids = eligible();
                self.shuffle.shuffle(&mut ids);
                ids
            }
            Strategy::Rotation | Strategy::Burenlijn | Strategy::Waves2 => {
                ranking::rank(&candidates, &request).iter().map(|c| c.participant.id).collect()
            }
        }
    }

    /// Everyone at once: the quickest yes wins.
    fn all_at_once(&mut self, ask: &Ask<'_>, order: &[i64]) -> Option<(i64, i64)> {
        let mut yes_after: Option<(i64, i64)> = None;
        for &id in order {
            let (_, delay, yes) = ask.answer(id);
            self.note(ask.req, id, ask.req.at, yes);
            if yes && yes_after.is_none_or(|(_, w)| delay + 15 < w) {
                yes_after = Some((id, delay + 15));
            }
        }
        yes_after
    }

    /// One after another, up to `MAX_HELPERS` and `MAX_WAIT`.
    fn one_by_one(&mut self, ask: &Ask<'_>, order: &[i64]) -> Option<(i64, i64)> {
        let mut waited = 0;
        for &id in order.iter().take(MAX_HELPERS) {
            if waited >= MAX_WAIT {
                break;
            }
            let (picks, delay, yes) = ask.answer(id);
            self.note(ask.req, id, ask.req.at + SignedDuration::from_secs(waited), yes);
            if yes {
                return Some((id, waited + delay + 15));
            }
            waited += if picks { delay + 20 + BETWEEN } else { RING_TIMEOUT + BETWEEN };
        }
        None
    }

    /// In waves of two: the production search model decides when to ring whom; time moves
    /// from one leg's end to the next. Calls are placed one a second (Twilio's default
    /// limit).
    fn in_waves(&mut self, ask: &Ask<'_>, order: &[i64]) -> Option<(i64, i64)> {
        use crate::domain::waves::{self, Decision, Leg, LegStatus, Limits, SearchStatus};
        let req = ask.req;
        let limits = Limits::new(2, MAX_HELPERS as u32, MAX_WAIT as u32, RING_TIMEOUT as u32);
        let mut legs: Vec<Leg> = Vec::new();
        // Per leg: when it ends (seconds after the search began) and whether with a yes.
        let mut ends: Vec<(i64, bool)> = Vec::new();
        let (mut now, mut next_free, mut queue) = (0i64, 0i64, order.iter());
        loop {
            let at = req.at + SignedDuration::from_secs(now);
            let available = order.len() - legs.len();
            match waves::next(SearchStatus::Searching, &legs, limits, req.at, at, available) {
                Decision::Ring(n) => {
                    for &id in queue.by_ref().take(n as usize) {
                        let start = next_free.max(now);
                        next_free = start + 1;
                        let (picks, delay, yes) = ask.answer(id);
                        let started = req.at + SignedDuration::from_secs(start);
                        self.note(req, id, started, yes);
                        let end = if yes {
                            start + delay + 15
                        } else if picks {
                            start + delay + 20
                        } else {
                            start + RING_TIMEOUT
                        };
                        legs.push(Leg::new(legs.len() as u32 + 1, id, "", started));
                        ends.push((end, yes));
                    }
                }
                Decision::Wait => {
                    let i = (0..legs.len()).filter(|i| legs[*i].status.in_flight()).min_by_key(|i| ends[*i].0)?;
                    let (end, yes) = ends[i];
                    now = end;
                    if yes {
                        return Some((legs[i].helper_id, end));
                    }
                    legs[i].status = LegStatus::Declined;
                }
                Decision::GiveUp { .. } | Decision::Done => return None,
            }
        }
    }

    fn figures(mut self, world: &World<'_>) -> StrategyFigures {
        let t = &mut self.t;
        t.waits.sort_by(|a, b| a.total_cmp(b));
        let counts: Vec<f64> =
            world.helpers.iter().map(|h| f64::from(t.asks.get(&h.participant.id).copied().unwrap_or(0))).collect();
        StrategyFigures {
            key: self.strategy.key(),
            description: self.strategy.describe(),
            median_wait_s: percentile(&t.waits, 50.0),
            p90_wait_s: percentile(&t.waits, 90.0),
            matched_share: t.matched as f64 / world.requests.len().max(1) as f64,
            phones_per_match: t.rung as f64 / t.matched.max(1) as f64,
            gini: gini(&counts),
            max_asks_week: t.asks_week.values().copied().max().unwrap_or(0),
        }
    }
}

/// The Gini coefficient: 0 when everyone is asked equally often, towards 1 when a few are asked for everything.
pub fn gini(values: &[f64]) -> f64 {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n.max(1.0);
    if mean == 0.0 {
        return 0.0;
    }
    let mut sum = 0.0;
    for a in values {
        for b in values {
            sum += (a - b).abs();
        }
    }
    sum / (2.0 * n * n * mean)
}

fn r2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

impl MatchReport {
    pub fn json(&self) -> serde_json::Value {
        let strategies: serde_json::Map<String, serde_json::Value> = self
            .strategies
            .iter()
            .map(|s| {
                (
                    s.key.to_string(),
                    json!({
                        "median_wait_s": r2(s.median_wait_s), "p90_wait_s": r2(s.p90_wait_s), "matched_share": r2(s.matched_share),
                        "phones_per_match": r2(s.phones_per_match), "gini": r2(s.gini), "max_asks_week": s.max_asks_week,
                    }),
                )
            })
            .collect();
        json!({ "strategies": strategies, "requests": self.requests, "months": self.months, "seed": self.seed, "helpers": self.helpers, "households": self.households })
    }

    pub fn table(&self) -> String {
        let mut out = format!(
            "{} requests over {} months, {} households, {} helpers, seed {}\n\n{:<12} {:<26} {:>8} {:>8} {:>8} {:>8} {:>6} {:>9}\n",
            self.requests, self.months, self.households, self.helpers, self.seed, "strategy", "", "median s", "p90 s", "matched", "phones", "gini", "max/week"
        );
        for s in &self.strategies {
            out.push_str(&format!(
                "{:<12} {:<26} {:>8.0} {:>8.0} {:>7.0}% {:>8.2} {:>6.2} {:>9}\n",
                s.key,
                s.description,
                s.median_wait_s,
                s.p90_wait_s,
                s.matched_share * 100.0,
                s.phones_per_match,
                s.gini,
                s.max_asks_week
            ));
        }
        out
    }

    /// A bar chart of the median and 90th percentile wait per strategy.
    pub fn svg(&self) -> String {
        let max = self.strategies.iter().map(|s| s.p90_wait_s).fold(1.0, f64::max);
        let (w, row, left) = (640.0, 44.0, 190.0);
        let h = 40.0 + row * self.strategies.len() as f64;
        let scale = (w - left - 60.0) / max;
        let mut out = format!("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" font-family=\"sans-serif\" font-size=\"13\">\n<text x=\"10\" y=\"20\">Seconds until a neighbour says yes (bar: median, line: 90th percentile)</text>\n");
        for (i, s) in self.strategies.iter().enumerate() {
            let y = 36.0 + row * i as f64;
            out.push_str(&format!("<text x=\"10\" y=\"{}\">{}</text>\n", y + 18.0, s.description));
            out.push_str(&format!(
                "<rect x=\"{left}\" y=\"{y}\" width=\"{:.1}\" height=\"24\" fill=\"{}\"/>\n",
                s.median_wait_s * scale,
                if s.key == "burenlijn" { "#1b7f3b" } else { "#6b7b8c" }
            ));
            out.push_str(&format!(
                "<line x1=\"{left}\" x2=\"{:.1}\" y1=\"{}\" y2=\"{}\" stroke=\"#222\" stroke-width=\"2\"/>\n",
                left + s.p90_wait_s * scale,
                y + 12.0,
                y + 12.0
            ));
            out.push_str(&format!(
                "<text x=\"{:.1}\" y=\"{}\">{:.0} / {:.0} s</text>\n",
                left + s.p90_wait_s * scale + 6.0,
                y + 18.0,
                s.median_wait_s,
                s.p90_wait_s
            ));
        }
        out.push_str("</svg>\n");
        out
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn waves_of_two_wait_less_than_one_by_one_on_the_same_neighbourhood() {
        for seed in [7, 11, 23] {
            let report = super::run(&super::MatchOptions {
                months: 12,
                seed,
                households: 540,
                helpers: 84,
                requests_per_year: 165.0,
            });
            let get = |key: &str| report.strategies.iter().find(|s| s.key == key).expect("strategy present").clone();
            let (one_by_one, waves) = (get("burenlijn"), get("waves-2"));
            assert!(
                waves.median_wait_s < one_by_one.median_wait_s,
                "seed {seed}: median {} vs {}",
                waves.median_wait_s,
                one_by_one.median_wait_s
            );
            assert!(
                waves.p90_wait_s < one_by_one.p90_wait_s,
                "seed {seed}: p90 {} vs {}",
                waves.p90_wait_s,
                one_by_one.p90_wait_s
            );
            // Who is matched at all differs a little (histories, and so rankings, diverge
            // once different people have been asked), not systematically.
            assert!(
                (waves.matched_share - one_by_one.matched_share).abs() < 0.04,
                "seed {seed}: {} vs {}",
                waves.matched_share,
                one_by_one.matched_share
            );
        }
    }

    #[test]
    fn gini_of_equal_and_unequal_counts() {
        assert_eq!(super::gini(&[3.0, 3.0, 3.0]), 0.0);
        assert!((super::gini(&[0.0, 0.0, 0.0, 4.0]) - 0.75).abs() < 1e-9);
        assert_eq!(super::gini(&[0.0, 0.0]), 0.0);
    }
}
