//! The emulator's REST side: an HTTP endpoint on loopback that takes `Calls.json` creations
//! and call updates like Twilio's API, rings the helper legs it creates (running their
//! whisper documents with each helper's scripted action and posting their status
//! callbacks), and models conferences: a caller waiting in one, a helper joined to it.
//!
//! Helper legs run concurrently in real time, scaled: one simulated second is
//! `ms_per_second` milliseconds. They do not move the simulated clock; the caller's side
//! does (see `Emulator`).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tokio::sync::{mpsc, oneshot};
use url::Url;

use super::people::{HelperAction, Line};
use super::twiml::{parse_twiml, speaking_seconds, Verb};
use super::webhook::signed_post;
use super::whisper::{self, Document, HelperLeg, WhisperEnd, WhisperFailure};
use crate::provider::twilio::rest::is_sid;

/// What happens to a caller waiting in a conference.
#[derive(Debug)]
pub enum ConferenceEvent {
    /// A helper joined; send on `ended` when the conversation is over. `reported` resolves
    /// once the conference's report of the entry has been sent (or failed): sent at the
    /// entry, it reaches the service long before a conversation of minutes ends.
    HelperJoined { number: String, ended: oneshot::Sender<()>, reported: oneshot::Receiver<()> },
    /// The caller's call was redirected through the REST API.
    Redirect(Url),
    /// The caller's call was ended through the REST API.
    Hangup,
    /// A participant announcement (`AnnounceUrl` of a participant update): fetch it and
    /// play it to this participant alone, now.
    Announce(Url),
    /// A document to play now, given through the REST API (`Twiml`; Vonage: a transfer
    /// to an NCCO).
    Twiml(String),
    /// Speech played into the call where it waits (Vonage's `PUT /v1/calls/{uuid}/talk`),
    /// as an NCCO of one `talk`: heard by this participant alone.
    Talk(String),
}

/// A change to a live call through Vonage's REST API (`vonage_rest`).
pub(super) enum Change {
    Hangup,
    /// `transfer` to the NCCO at this URL.
    Transfer(Url),
    /// `transfer` to this NCCO.
    TransferNcco(String),
    /// Speech played into the call (an NCCO of one `talk`).
    Talk(String),
}

/// What became of a `Change`.
pub(super) enum Changed {
    Done,
    /// Not a call this network placed or holds in a conversation.
    NotHere,
    /// Refused with this HTTP status and why.
    Refused(u16, &'static str),
}

/// A call the switchboard created to a number that answers as a full caller
/// (`Network::answer_as_caller`): `Emulator::answer` plays it.
#[derive(Clone, Debug)]
pub struct CreatedCall {
    pub sid: String,
    pub to: String,
    pub from: String,
    pub url: Url,
    pub status_callback: Option<Url>,
}

struct LegHandle {
    parent: String,
    cancel: Arc<AtomicBool>,
    hang_up: Arc<AtomicBool>,
    answered: Arc<AtomicBool>,
    /// Where a REST update with `Url` sent the call, once it landed.
    redirect: Arc<Redirect>,
    /// `hang_up` was the helper's own doing, not the switchboard's.
    by_helper: Arc<AtomicBool>,
    done: bool,
}

/// How long after the REST update with `Url` that redirects a call in progress the new
/// document starts playing (simulated seconds): the update's own round trip, then the
/// provider's request for the new document and its answer. Twilio documents no figure;
/// a second or two is what a webhook round trip and a REST request take between data
/// centres. The bench (`bench match`) models the redirect with the same delay.
pub const REDIRECT_LANDS_AFTER_SECONDS: i64 = 2;

/// A redirect of a helper's leg in progress: where to, once it has landed. Landing stops
/// whatever the leg was hearing or waiting for (`Listening::pass`).
#[derive(Default)]
struct Redirect {
    to: Mutex<Option<Url>>,
    landed: AtomicBool,
}

impl Redirect {
    fn land(&self, url: Url) {
        *self.to.lock().unwrap_or_else(|e| e.into_inner()) = Some(url);
        self.landed.store(true, Ordering::SeqCst);
    }

    fn take(&self) -> Option<Url> {
        let url = self.to.lock().unwrap_or_else(|e| e.into_inner()).take();
        self.landed.store(false, Ordering::SeqCst);
        url
    }
}

/// A conference in progress: whoever waits in it, its identifier, and where its
/// `participant-join` events go (the callback of the participant who created it).
#[derive(Clone)]
struct Room {
    events: mpsc::UnboundedSender<ConferenceEvent>,
    sid: String,
    join_callback: Option<Url>,
    /// The conference's own event counter (`SequenceNumber`).
    sequence: Arc<AtomicU64>,
    /// Who opened it (and waits in it).
    owner: String,
}

/// Which reaches the service first when a helper presses a key and hangs up at once
/// (`HelperAction::AcceptAndHangUpAtOnce`): the key's webhook or the final status callback.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum KeyAndEnd {
    /// Both are sent at once and the scheduler decides, as with the real provider.
    #[default]
    Race,
    /// The key's webhook is answered before the final status callback is sent.
    KeyFirst,
    /// The final status callback is answered before the key's webhook is sent.
    EndFirst,
}

/// Helpers not scripted act at random: the generator and how it picks an action.
type RandomHelpers = (fastrand::Rng, fn(&mut fastrand::Rng) -> HelperAction);

#[derive(Default)]
struct Inner {
    helpers: HashMap<String, HelperAction>,
    /// Conference name -> the one waiting in it.
    conferences: HashMap<String, Room>,
    /// Caller CallSid -> conference name.
    callers: HashMap<String, String>,
    legs: HashMap<String, LegHandle>,
    /// (caller's CallSid, what happened on a helper leg).
    lines: Vec<(String, Line)>,
    /// Creations to these numbers are refused with this HTTP status.
    refuse: HashMap<String, u16>,
    /// The next creations answered with 503.
    fail_next: u32,
    create_requests: u32,
    /// The `FallbackUrl` each created call was given, in order.
    fallback_urls: Vec<Option<String>>,
    /// Helpers wait for each other before pressing a key (to press at the same moment).
    key_barrier: Option<Arc<tokio::sync::Barrier>>,
    /// The caller hangs up in the moment between a helper's yes and their join.
    hang_up_before_join: bool,
    /// The next helper whose call is redirected hangs up in that very moment: the redirect
    /// is answered with 21220.
    hang_up_before_redirect: bool,
    /// Calls leave the queue at most this many a (simulated) second: the account's
    /// calls-per-second limit (Twilio's default is 1).
    calls_per_second: u32,
    /// Simulated seconds every created call stays `queued` before the limit lets it ring.
    queue_for: i64,
    /// When (simulated seconds since the network started) the last call left the queue.
    last_dequeue: Option<f64>,
    /// Simulated seconds the next helper to join a conference waits before entering it.
    delay_next_join: i64,
    /// Seconds these numbers ring before they pick up (others: 8).
    ring_seconds: HashMap<String, i64>,
    /// Print each line as it happens (the demo).
    print: bool,
    /// Status callbacks of the legs are lost (as while the service is down).
    lose_status_callbacks: bool,
    /// The order of a key and the end of the call when a helper does both at once.
    key_and_end: KeyAndEnd,
    /// Conference status callbacks of created legs entering are lost (as while the
    /// service is down).
    lose_conference_callbacks: bool,
    /// The next redirect of a held caller never happens (as when the service dies between
    /// deciding it and asking for it).
    lose_next_redirect: bool,
    /// The answer to the next yes from a created leg never arrives (as when the service
    /// dies between committing the yes and replying).
    lose_answer_to_next_yes: bool,
    /// And the service stays down after that lost answer (`down`).
    down_after_lost_yes: bool,
    /// The service cannot be reached: every webhook fails (the caller's too).
    down: bool,
    /// Someone alone on a line waits at least this long in real time (`patience_at_least`).
    min_patience: Duration,
    /// Helpers not scripted act at random with this (the crash harness).
    random: Option<RandomHelpers>,
    /// How long webhooks that cannot connect or answer 5xx are tried again (as the
    /// provider's connection retries do while a service restarts; zero: not at all).
    retry_for: Duration,
    /// Recordings deleted through the REST API (their media and deletes then get 404).
    deleted_recordings: std::collections::HashSet<String>,
    /// Every conference there has been, in order, as `GET .../Conferences.json` lists
    /// them (Twilio keeps the records of conferences that have ended, and lists them when
    /// asked with `Status=completed`).
    conference_log: Vec<ConferenceRecord>,
    /// The next list requests (conferences, participants) answered with 502
    /// (`fail_list_requests`).
    fail_lists: u32,
    /// The `Status` of every conference list request, in order (`None`: without one).
    conference_lists: Vec<Option<String>>,
    /// How many calls were created to each (number, last segment of the call's `Url`).
    created_to: HashMap<(String, String), u32>,
    /// Calls created to these numbers are handed to the test, which plays them as a caller.
    hand_over: HashMap<String, mpsc::UnboundedSender<CreatedCall>>,
    /// Participant updates are answered with this HTTP status (`refuse_announcements`).
    refuse_participant_updates: Option<u16>,
}

/// The record of one conference.
#[derive(Clone, Debug)]
struct ConferenceRecord {
    sid: String,
    name: String,
    created: String,
    /// The call whose exit ended it. The emulator ends a conference when the one who
    /// opened it leaves (with `endConferenceOnExit`, as ours are, whoever leaves first
    /// ends it; a conference where two talked is one record either way).
    ended_by: Option<String>,
    /// Who entered. With `endConferenceOnExit` on everyone, nobody leaves a conference
    /// that goes on, so while it is in progress these are its participants.
    entrants: Vec<String>,
}

/// The network speaking Vonage's wire (`Network::start_vonage`): webhooks are JWT-signed
/// JSON (documents asked with `GET`) and documents NCCO; its REST side is Vonage's
/// (`vonage_rest`).
pub(super) struct VonageWire {
    pub(super) secret: crate::provider::vonage::jwt::SignatureSecret,
    /// The service's clock: Vonage's tokens carry their time, checked against it.
    pub(super) clock: Arc<dyn crate::clock::Clock>,
}

pub struct Network {
    pub account_sid: String,
    auth_token: String,
    /// Vonage's wire, or (`None`) Twilio's.
    pub(super) vonage: Option<VonageWire>,
    client: reqwest::Client,
    /// Where the REST API listens, e.g. `http://127.0.0.1:4567`.
    pub api_base: Url,
    /// Real milliseconds per simulated second for helper legs (`slow_down`).
    ms_per_second: AtomicU64,
    next_sid: AtomicU64,
    inner: Mutex<Inner>,
    started: tokio::time::Instant,
}

impl Network {
    /// Starts the REST endpoint on a free loopback port.
    pub async fn start(auth_token: &str) -> std::io::Result<Arc<Network>> {
        Network::start_on(auth_token, None, |_| axum::Router::new()).await
    }

    /// Starts it on `vonage`'s wire (or Twilio's), with `more` routes (another provider's
    /// API) on the same port.
    pub(super) async fn start_on(
        auth_token: &str,
        vonage: Option<VonageWire>,
        more: impl FnOnce(Arc<Network>) -> axum::Router,
    ) -> std::io::Result<Arc<Network>> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let api_base = Url::parse(&format!("http://{}", listener.local_addr()?)).expect("a socket address is a URL");
        let network = Arc::new(Network {
            account_sid: "AC00000000000000000000000000000000".into(),
            auth_token: auth_token.to_string(),
            vonage,
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(15))
                .build()
                .expect("a plain HTTP client builds"),
            api_base,
            ms_per_second: AtomicU64::new(2),
            next_sid: AtomicU64::new(1),
            inner: Mutex::new(Inner { calls_per_second: 1, ..Inner::default() }),
            started: tokio::time::Instant::now(),
        });
        let app = axum::Router::new()
            .route("/2010-04-01/Accounts/{account}/Calls.json", post(create))
            .route("/2010-04-01/Accounts/{account}/Calls/{file}", post(update).delete(delete_call))
            .route("/2010-04-01/Accounts/{account}/Recordings/{file}", get(recording_media).delete(delete_recording))
            .route("/2010-04-01/Accounts/{account}/Conferences.json", get(list_conferences))
            .route("/2010-04-01/Accounts/{account}/Conferences/{sid}/Participants.json", get(list_participants))
            .route("/2010-04-01/Accounts/{account}/Conferences/{sid}/Participants/{file}", post(update_participant))
            // Hosted apart from the service, as `deploy/README.md` says it must be.
            .route("/fallback/created-call.xml", post(created_call_fallback))
            .with_state(network.clone())
            .merge(more(network.clone()));
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(network)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn is_vonage(&self) -> bool {
        self.vonage.is_some()
    }

    /// Reads a document as this wire's provider does: TwiML or NCCO.
    fn parse(&self, body: &str) -> Result<Vec<Verb>, String> {
        match &self.vonage {
            Some(_) => super::ncco::parse_ncco(body),
            None => parse_twiml(body),
        }
    }

    /// A conference's (Vonage: a conversation's) own identifier.
    fn new_room_sid(&self) -> String {
        let n = self.next_sid.fetch_add(1, Ordering::SeqCst);
        match &self.vonage {
            Some(_) => format!("CON-{:08x}-0000-4000-8000-{n:012x}", std::process::id()),
            None => format!("CF{n:032x}"),
        }
    }

    fn new_sid(&self) -> String {
        let n = self.next_sid.fetch_add(1, Ordering::SeqCst);
        format!("CA{:016x}{:016x}", 0xfeed_0000_u64 ^ u64::from(std::process::id()), n)
    }

    /// What each helper number does when a REST-created leg rings it (others accept).
    pub fn script_helpers(&self, helpers: HashMap<String, HelperAction>) {
        self.lock().helpers = helpers;
    }

    /// Calls the switchboard creates to `number` are not played as a helper's leg but
    /// handed over here, to be played as a full caller (`Emulator::answer`): someone the
    /// switchboard calls who may then go through the menus, as a resident in the
    /// good-morning round does.
    pub fn answer_as_caller(&self, number: &str) -> mpsc::UnboundedReceiver<CreatedCall> {
        let (tx, rx) = mpsc::unbounded_channel();
        self.lock().hand_over.insert(number.to_string(), tx);
        rx
    }

    /// Creations of calls to `number` are refused with `status` (a 4xx is final).
    pub fn refuse_calls_to(&self, number: &str, status: u16) {
        self.lock().refuse.insert(number.to_string(), status);
    }

    /// The next `n` list requests (`GET .../Conferences.json` and `.../Participants.json`)
    /// answer `502 Unable to fetch page`, each retry counting as one: other Twilio users
    /// see list requests fail in bursts like this (../shared/notes/twilio.md, "The
    /// conference list returns only running conferences"). Twilio documents no such burst;
    /// by default the emulator's lists answer.
    pub fn fail_list_requests(&self, n: u32) {
        self.lock().fail_lists = n;
    }

    /// The `Status` each conference list request asked for, in order (`None`: without
    /// one, which since 2026-09-30 means `in-progress`).
    pub fn conference_list_requests(&self) -> Vec<Option<String>> {
        self.lock().conference_lists.clone()
    }

    /// A list request that is to fail (`fail_list_requests`), counted.
    fn list_fails(&self) -> bool {
        let mut inner = self.lock();
        let fail = inner.fail_lists > 0;
        inner.fail_lists = inner.fail_lists.saturating_sub(1);
        fail
    }

    /// The next `n` creations answer 503 (the client should retry).
    pub fn fail_next_creations(&self, n: u32) {
        self.lock().fail_next = n;
    }

    /// The `FallbackUrl` of every call created so far, in order.
    pub fn fallback_urls(&self) -> Vec<Option<String>> {
        self.lock().fallback_urls.clone()
    }

    /// How many calls were created to `number` whose `Url` ends in `endpoint` (e.g.
    /// `round-answer`: the good-morning round's calls to a resident).
    pub fn calls_created_to(&self, number: &str, endpoint: &str) -> u32 {
        self.lock().created_to.get(&(number.to_string(), endpoint.to_string())).copied().unwrap_or(0)
    }

    /// Creation requests received, retries included.
    pub fn create_requests(&self) -> u32 {
        self.lock().create_requests
    }

    /// The next `n` helpers who press a key wait for each other and press together.
    pub fn press_together(&self, n: usize) {
        self.lock().key_barrier = Some(Arc::new(tokio::sync::Barrier::new(n)));
    }

    /// The next helper about to join a conference waits `seconds` (simulated) first: the
    /// moment between a yes and the join, drawn out.
    pub fn delay_next_join(&self, seconds: i64) {
        self.lock().delay_next_join = seconds;
    }

    /// Real milliseconds per simulated second for helper legs.
    pub fn ms_per_second(&self) -> u64 {
        self.ms_per_second.load(Ordering::SeqCst)
    }

    /// Runs helper legs slower against the real clock (`ms` real milliseconds a simulated
    /// second, 2 unless a test asks): for a test whose caller must act while a phone still
    /// rings, however busy the machine is. Set it before the first call.
    pub fn slow_down(&self, ms: u64) {
        self.ms_per_second.store(ms.max(1), Ordering::SeqCst);
    }

    /// Whether a helper rung for `parent` has pressed 1.
    pub fn pressed_one(&self, parent: &str) -> bool {
        self.lock().lines.iter().any(|(p, l)| p == parent && matches!(l, Line::HelperPresses { key, .. } if key == "1"))
    }

    /// Every created call stays `queued` at least `seconds` (simulated) before it rings, as
    /// calls do at Twilio beyond the account's calls-per-second limit.
    pub fn queue_for(&self, seconds: i64) {
        self.lock().queue_for = seconds;
    }

    /// The account's calls-per-second limit (1 unless a test says otherwise).
    pub fn calls_per_second(&self, n: u32) {
        self.lock().calls_per_second = n.max(1);
    }

    /// How long (simulated seconds) a call created now stays `queued`: every call starts
    /// `queued`, and leaves the queue no faster than the calls-per-second limit.
    fn queue_seconds(&self) -> f64 {
        let now = self.started.elapsed().as_millis() as f64 / self.ms_per_second() as f64;
        let mut inner = self.lock();
        let spacing = 1.0 / f64::from(inner.calls_per_second);
        let leaves = match inner.last_dequeue {
            Some(last) => (last + spacing).max(now),
            None => now,
        } + inner.queue_for as f64;
        inner.last_dequeue = Some(leaves - inner.queue_for as f64);
        leaves - now
    }

    /// `number` rings this many (simulated) seconds before it picks up.
    pub fn ring_for(&self, number: &str, seconds: i64) {
        self.lock().ring_seconds.insert(number.to_string(), seconds);
    }

    /// The next time a leg is about to join someone waiting in a conference (a helper who
    /// said yes joining the held caller; the resident we called back joining the helper),
    /// the one waiting hangs up first: the moment between a yes and the join.
    /// Every participant update (an announcement) is answered with `status` and changes
    /// nothing, as when the provider has a fault.
    pub fn refuse_announcements(&self, status: u16) {
        self.lock().refuse_participant_updates = Some(status);
    }

    pub fn hang_up_before_the_next_join(&self) {
        self.lock().hang_up_before_join = true;
    }

    /// The next helper whose call the switchboard redirects hangs up in that very moment,
    /// so the redirect comes too late: Twilio answers it with error 21220 ("Call is not
    /// in-progress. Cannot redirect."), and the call's final status callback is all that
    /// follows.
    pub fn hang_up_before_the_next_redirect(&self) {
        self.lock().hang_up_before_redirect = true;
    }

    /// `participant_sid` creates conference `name` and waits in it. Like Twilio, the
    /// conference gets an identifier of its own (a new one each time the name is reused
    /// after the last one ended) and reports its creator's entry to `join_callback`.
    pub(super) async fn open_conference(
        &self,
        name: &str,
        participant_sid: &str,
        events: mpsc::UnboundedSender<ConferenceEvent>,
        join_callback: Option<Url>,
    ) {
        // Twilio reports every entry to the first participant's callback; Vonage reports
        // each leg's move into the conversation to that leg's own event URL (`transfer`).
        let (room_callback, own_events) = match self.vonage {
            Some(_) => (None, join_callback),
            None => (join_callback, None),
        };
        let room = Room {
            events,
            sid: self.new_room_sid(),
            join_callback: room_callback,
            sequence: Arc::new(AtomicU64::new(0)),
            owner: participant_sid.to_string(),
        };
        {
            let mut inner = self.lock();
            inner.conferences.insert(name.to_string(), room.clone());
            inner.callers.insert(participant_sid.to_string(), name.to_string());
            let record = ConferenceRecord {
                sid: room.sid.clone(),
                name: name.to_string(),
                created: httpdate_now(),
                ended_by: None,
                entrants: vec![participant_sid.to_string()],
            };
            inner.conference_log.push(record);
        }
        self.report_join(&room, name, participant_sid, own_events.as_ref()).await;
    }

    /// The conference status callback: `participant_sid` entered `room`. On Vonage, the
    /// `transfer` event of the leg that moved into the conversation, to its own event URL
    /// `own_events` ("Voice API Webhooks Reference", Transfer: "sent ... when a leg has been
    /// transferred from one conversation to another. This can be done using an NCCO or the
    /// transfer action").
    async fn report_join(&self, room: &Room, name: &str, participant_sid: &str, own_events: Option<&Url>) {
        let callback = match self.vonage {
            Some(_) => own_events,
            None => room.join_callback.as_ref(),
        };
        let Some(callback) = callback else { return };
        let lost = {
            let inner = self.lock();
            inner.lose_conference_callbacks && inner.legs.contains_key(participant_sid)
        };
        if lost {
            let status = "conference status callback lost (emulated)".to_string();
            self.line(name, Line::NotReached { number: participant_sid.to_string(), status });
            return;
        }
        let params = if self.is_vonage() {
            let transfer = serde_json::json!({
                "type": "transfer",
                "uuid": participant_sid,
                "conversation_uuid_from": format!("CON-{participant_sid}"),
                "conversation_uuid_to": room.sid,
                "timestamp": jiff::Timestamp::now().to_string(),
            });
            vec![(super::webhook::NOTIFY_PAYLOAD.to_string(), transfer.to_string())]
        } else {
            vec![
                ("CallSid".to_string(), participant_sid.to_string()),
                ("ConferenceSid".into(), room.sid.clone()),
                ("FriendlyName".into(), name.to_string()),
                ("StatusCallbackEvent".into(), "participant-join".into()),
                ("SequenceNumber".into(), room.sequence.fetch_add(1, Ordering::SeqCst).to_string()),
                ("Timestamp".into(), httpdate_now()),
                ("Muted".into(), "false".into()),
                ("Hold".into(), "false".into()),
                ("Coaching".into(), "false".into()),
            ]
        };
        if let Err(e) = self.post(callback, &params).await {
            // Conferences are named after the held call, whose lines these are.
            self.line(
                name,
                Line::NotReached {
                    number: participant_sid.to_string(),
                    status: format!("conference status callback failed: {e}"),
                },
            );
        }
    }

    /// `participant_sid` entered the conference `conference_sid`.
    fn entered(&self, conference_sid: &str, participant_sid: &str) {
        if let Some(record) = self.lock().conference_log.iter_mut().find(|r| r.sid == conference_sid) {
            record.entrants.push(participant_sid.to_string());
        }
    }

    pub(super) fn close_conference(&self, name: &str, caller_sid: &str) {
        let mut inner = self.lock();
        // Only the room this one opened: another may have opened one of the same name
        // since (a caller held again after a helper waited alone under their name).
        if let Some(room) = inner.conferences.remove_entry(name).map(|(_, room)| room) {
            if room.owner != caller_sid {
                inner.conferences.insert(name.to_string(), room);
            } else if let Some(record) =
                inner.conference_log.iter_mut().find(|r| r.sid == room.sid && r.ended_by.is_none())
            {
                record.ended_by = Some(caller_sid.to_string());
            }
        }
        inner.callers.remove(caller_sid);
    }

    fn line(&self, parent: &str, line: Line) {
        let mut inner = self.lock();
        if inner.print {
            println!("{line}");
        }
        inner.lines.push((parent.to_string(), line));
    }

    /// Webhooks (whispers, keys, status and conference callbacks) that cannot connect or
    /// answer 5xx are tried again for `retry_for`, as the caller's are.
    pub fn retry_webhooks_for(&self, retry_for: Duration) {
        self.lock().retry_for = retry_for;
    }

    /// Helpers not scripted act as `pick` draws with a generator seeded with `seed`.
    pub fn random_helpers(&self, seed: u64, pick: fn(&mut fastrand::Rng) -> HelperAction) {
        self.lock().random = Some((fastrand::Rng::with_seed(seed), pick));
    }

    /// The next redirect of a held caller is answered but never carried out.
    pub fn lose_next_redirect(&self) {
        self.lock().lose_next_redirect = true;
    }

    /// The next yes (`Digits=1`) from a created leg reaches the service, but its answer is
    /// lost, as when the service dies between committing the yes and replying: Twilio runs
    /// the call's `FallbackUrl` instead (11205).
    pub fn lose_answer_to_next_yes(&self) {
        self.lock().lose_answer_to_next_yes = true;
    }

    /// As `lose_answer_to_next_yes`, and the service stays down from then on, for the
    /// caller's webhooks too, until `come_back`: every report of the call after the yes is
    /// lost, and the number's fallback takes the caller at their next webhook.
    pub fn go_down_after_next_yes(&self) {
        let mut inner = self.lock();
        inner.lose_answer_to_next_yes = true;
        inner.down_after_lost_yes = true;
    }

    /// Someone alone on a line (a winner who entered after the caller had gone) waits at
    /// least `real` in real time before giving up. Their patience is in emulated seconds,
    /// a few milliseconds each, but a restart of the service in the crash harness takes
    /// real time; a real restart takes seconds and a real person waits minutes, so without
    /// this the harness would have people give up faster than any restart.
    pub fn patience_at_least(&self, real: Duration) {
        self.lock().min_patience = real;
    }

    /// The service can be reached again.
    pub fn come_back(&self) {
        self.lock().down = false;
    }

    /// Whether the service cannot be reached (`go_down_after_next_yes`).
    pub fn is_down(&self) -> bool {
        self.lock().down
    }

    /// When a helper presses a key and hangs up at once, which reaches the service first
    /// (`KeyAndEnd::Race` unless asked): a test forces each order in turn.
    pub fn key_and_end(&self, order: KeyAndEnd) {
        self.lock().key_and_end = order;
    }

    /// From now on the legs' status callbacks are lost, as they are while the service is
    /// down (Twilio does not retry them).
    pub fn lose_status_callbacks(&self) {
        self.lock().lose_status_callbacks = true;
    }

    /// From now on the conferences' reports (`participant-join`) of the created legs
    /// entering are lost, as they are while the service is down (the held caller's entry
    /// is still reported).
    pub fn lose_conference_callbacks_of_legs(&self) {
        self.lock().lose_conference_callbacks = true;
    }

    /// Prints what happens on the legs as it happens (they are still added to the call's
    /// report at its end).
    pub fn print_lines(&self) {
        self.lock().print = true;
    }

    /// Whether lines are printed as they happen.
    pub fn prints_lines(&self) -> bool {
        self.lock().print
    }

    /// Waits (at most `limit`) until every helper leg for `parent` is over, then returns
    /// what happened on them.
    pub async fn lines_when_done(&self, parent: &str, limit: Duration) -> Vec<Line> {
        let deadline = tokio::time::Instant::now() + limit;
        // Quiet for a while: creations the service sent just before the end still arrive.
        let mut quiet = 0;
        while quiet < 10 && tokio::time::Instant::now() < deadline {
            let busy = self.lock().legs.values().any(|l| l.parent == parent && !l.done);
            quiet = if busy { 0 } else { quiet + 1 };
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        self.lock().lines.iter().filter(|(p, _)| p == parent).map(|(_, l)| l.clone()).collect()
    }

    /// As [`Network::lines_when_done`], for calls the service creates on its own (a
    /// call-back search, the round, a planned call): first waits (within `limit`) until the
    /// first of them exists, so a machine slow to place it is not taken for one that placed
    /// nothing.
    pub async fn lines_of_created_calls(&self, parent: &str, limit: Duration) -> Vec<Line> {
        let deadline = tokio::time::Instant::now() + limit;
        while !self.lock().legs.values().any(|l| l.parent == parent) && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        self.lines_when_done(parent, deadline.saturating_duration_since(tokio::time::Instant::now())).await
    }

    async fn wait(&self, seconds: i64, stop: &AtomicBool) -> bool {
        self.wait_for(seconds.max(0) as f64, stop).await
    }

    /// Waits `seconds` of simulated time; `false` when `stop` was set meanwhile.
    async fn wait_for(&self, seconds: f64, stop: &AtomicBool) -> bool {
        let until = tokio::time::Instant::now()
            + Duration::from_secs_f64(self.ms_per_second() as f64 * seconds.max(0.0) / 1000.0);
        while tokio::time::Instant::now() < until {
            if stop.load(Ordering::SeqCst) {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        !stop.load(Ordering::SeqCst)
    }

    async fn post(&self, url: &Url, params: &[(String, String)]) -> Result<String, String> {
        self.post_for(url, params, None).await
    }

    /// A webhook as Twilio sends it (error 11205): two connection attempts, no retry of an
    /// answer (a 5xx included), then the call's `FallbackUrl`, if it has one, whose
    /// document runs instead. A test may ask for kinder retries (`retry_webhooks_for`).
    async fn post_for(&self, url: &Url, params: &[(String, String)], fallback: Option<&Url>) -> Result<String, String> {
        if let Some(vonage) = &self.vonage {
            return self.post_vonage(vonage, url, params).await;
        }
        let mut params = params.to_vec();
        params.retain(|(k, _)| k != super::webhook::FETCH);
        params.push(("AccountSid".into(), self.account_sid.clone()));
        params.sort();
        if self.is_down() {
            return self.fall_back(url, params, fallback, format!("{url}: could not connect (emulated outage)")).await;
        }
        let deadline = tokio::time::Instant::now() + self.lock().retry_for;
        let mut connection_attempts = 0;
        let failed = loop {
            let outcome = signed_post(&self.client, &self.auth_token, url, &params).await;
            connection_attempts += 1;
            let could_not_connect = outcome.is_err();
            let kinder = tokio::time::Instant::now() < deadline
                && (could_not_connect || matches!(&outcome, Ok((status, _)) if *status >= 500));
            if (could_not_connect && connection_attempts < 2) || kinder {
                tokio::time::sleep(Duration::from_millis(if kinder { 40 } else { 5 })).await;
                continue;
            }
            match outcome {
                Ok((200, body)) => return Ok(body),
                Ok((status, body)) => break format!("{url} answered HTTP {status}: {body}"),
                Err(e) => break e.to_string(),
            }
        };
        self.fall_back(url, params, fallback, failed).await
    }

    /// A webhook as Vonage sends it ("Troubleshooting" guide): when it cannot connect, the
    /// answer is late or a 5xx, it is tried twice more; then the application's
    /// `fallback_answer_url`, which the created legs here do not have (a test of the
    /// fallback uses the caller's side, `Emulator::fallback_twiml`). A test may ask for
    /// kinder retries (`retry_webhooks_for`).
    async fn post_vonage(&self, vonage: &VonageWire, url: &Url, params: &[(String, String)]) -> Result<String, String> {
        if self.is_down() {
            return Err(format!("{url}: could not connect (emulated outage)"));
        }
        let deadline = tokio::time::Instant::now() + self.lock().retry_for;
        let mut attempts = 0;
        loop {
            let now = vonage.clock.now();
            let outcome = super::webhook::vonage_send(&self.client, &vonage.secret, url, params, now).await;
            attempts += 1;
            let failed = outcome.is_err() || matches!(&outcome, Ok((status, _)) if *status >= 500);
            if failed && (attempts < 3 || tokio::time::Instant::now() < deadline) {
                tokio::time::sleep(Duration::from_millis(if attempts < 3 { 5 } else { 40 })).await;
                continue;
            }
            return match outcome {
                Ok((200, body)) => Ok(body),
                Ok((status, body)) => Err(format!("{url} answered HTTP {status}: {body}")),
                Err(e) => Err(e.to_string()),
            };
        }
    }

    /// After a webhook to `url` failed: the call's `FallbackUrl`, if it has one, whose
    /// document runs instead (with `ErrorCode` and `ErrorUrl`).
    async fn fall_back(
        &self,
        url: &Url,
        mut params: Vec<(String, String)>,
        fallback: Option<&Url>,
        failed: String,
    ) -> Result<String, String> {
        let Some(fallback) = fallback else { return Err(failed) };
        params.push(("ErrorCode".into(), "11200".into()));
        params.push(("ErrorUrl".into(), url.to_string()));
        match signed_post(&self.client, &self.auth_token, fallback, &params).await {
            Ok((200, body)) => Ok(body),
            Ok((status, body)) => Err(format!("{failed}; the fallback {fallback} answered HTTP {status}: {body}")),
            Err(e) => Err(format!("{failed}; the fallback {fallback} failed: {e}")),
        }
    }
}

/// Where the Sandbox's created calls fall back to: `deploy/fallback-created-call.xml`.
pub fn created_call_fallback_url(net: &Network) -> Url {
    net.api_base.join("/fallback/created-call.xml").expect("a path joins a base URL")
}

async fn created_call_fallback() -> Response {
    let xml = include_str!("../../deploy/fallback-created-call.xml");
    ([("Content-Type", "text/xml")], xml).into_response()
}

fn twilio_error(status: u16, code: u32, message: &str) -> Response {
    let body = serde_json::json!({ "code": code, "message": message, "more_info": format!("https://www.twilio.com/docs/errors/{code}"), "status": status });
    (
        StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
        [("Content-Type", "application/json")],
        body.to_string(),
    )
        .into_response()
}

fn call_json(status: StatusCode, sid: &str, call_status: &str, to: &str, from: &str) -> Response {
    let body = serde_json::json!({ "sid": sid, "status": call_status, "to": to, "from": from });
    (status, [("Content-Type", "application/json")], body.to_string()).into_response()
}

async fn create(State(net): State<Arc<Network>>, Path(account): Path<String>, body: axum::body::Bytes) -> Response {
    if account != net.account_sid || net.is_vonage() {
        return twilio_error(404, 20404, "The requested resource was not found");
    }
    let form = crate::provider::twilio::parse_pairs(&body);
    let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let (Some(to), Some(from), Some(url)) = (get("To"), get("From"), get("Url").and_then(|u| Url::parse(&u).ok()))
    else {
        return twilio_error(400, 21201, "To, From and an absolute Url are required");
    };
    let placement = Placement {
        to: to.clone(),
        from: from.clone(),
        url,
        status_callback: get("StatusCallback").and_then(|u| Url::parse(&u).ok()),
        fallback_url: get("FallbackUrl"),
        timeout: get("Timeout").and_then(|t| t.parse().ok()).unwrap_or(60),
    };
    match net.place(placement) {
        // Every created call starts `queued` (Call resource).
        Ok(sid) => call_json(StatusCode::CREATED, &sid, "queued", &to, &from),
        Err(NotPlaced::Unavailable) => twilio_error(503, 20500, "Service unavailable (emulated)"),
        Err(NotPlaced::Refused(status)) => {
            twilio_error(status, 21217, "Phone number does not appear to be valid (emulated)")
        }
    }
}

/// A call to place, whichever API asked for it.
pub(super) struct Placement {
    pub(super) to: String,
    pub(super) from: String,
    /// Its first document.
    pub(super) url: Url,
    /// Where its end (Vonage: its events) is reported.
    pub(super) status_callback: Option<Url>,
    pub(super) fallback_url: Option<String>,
    /// Seconds it rings before it counts as not answered.
    pub(super) timeout: i64,
}

/// Why a call was not placed.
pub(super) enum NotPlaced {
    /// The API failed for a moment (`fail_next_creations`).
    Unavailable,
    /// The number is refused with this HTTP status (`refuse_calls_to`).
    Refused(u16),
}

impl Network {
    /// Places a call: it waits in the queue, rings, and runs its documents (or is handed
    /// to the test, `answer_as_caller`). Returns its identifier.
    pub(super) fn place(self: &Arc<Self>, placement: Placement) -> Result<String, NotPlaced> {
        let net = self;
        let Placement { to, from, url, status_callback, fallback_url, timeout } = placement;
        {
            let mut inner = net.lock();
            inner.create_requests += 1;
            if inner.fail_next > 0 {
                inner.fail_next -= 1;
                return Err(NotPlaced::Unavailable);
            }
            if let Some(status) = inner.refuse.get(&to) {
                return Err(NotPlaced::Refused(*status));
            }
            inner.fallback_urls.push(fallback_url.clone());
        }
        // Whose lines these are: the held call (waves), the morning of the good-morning round,
        // the change a call back confirms, or a call about a planned request.
        let parent = url
            .query_pairs()
            .find(|(k, _)| k == "call" || k == "m" || k == "c" || k == "p")
            .map(|(k, v)| match k.as_ref() {
                "m" => format!("round-{v}"),
                "c" => format!("confirm-{v}"),
                "p" => format!("planned-{v}"),
                _ => v.to_string(),
            })
            .unwrap_or_default();
        let sid = net.new_sid();
        let endpoint = url.path_segments().and_then(|mut s| s.next_back()).unwrap_or_default().to_string();
        *net.lock().created_to.entry((to.clone(), endpoint)).or_default() += 1;
        let handed = net.lock().hand_over.get(&to).cloned();
        if let Some(hand_over) = handed {
            // Queued like any created call (and cancelled there without a status callback);
            // once it rings it is the test's to play as a caller. While it is in progress only
            // what any caller's call takes is modelled (a redirect or a hang-up in a conference).
            let cancel = Arc::new(AtomicBool::new(false));
            let handle = LegHandle {
                parent: String::new(),
                cancel: cancel.clone(),
                hang_up: Arc::new(AtomicBool::new(false)),
                answered: Arc::new(AtomicBool::new(false)),
                redirect: Arc::default(),
                by_helper: Arc::default(),
                done: false,
            };
            net.lock().legs.insert(sid.clone(), handle);
            let queued = net.queue_seconds();
            let (network, created) = (
                net.clone(),
                CreatedCall { sid: sid.clone(), to: to.clone(), from: from.clone(), url, status_callback },
            );
            tokio::spawn(async move {
                let rings = network.wait_for(queued, &cancel).await;
                network.lock().legs.remove(&created.sid);
                if rings {
                    let _ = hand_over.send(created);
                }
            });
            return Ok(sid);
        }
        let (cancel, hang_up, answered) =
            (Arc::new(AtomicBool::new(false)), Arc::new(AtomicBool::new(false)), Arc::new(AtomicBool::new(false)));
        let redirect: Arc<Redirect> = Arc::default();
        let by_helper: Arc<AtomicBool> = Arc::default();
        net.lock().legs.insert(
            sid.clone(),
            LegHandle {
                parent: parent.clone(),
                cancel: cancel.clone(),
                hang_up: hang_up.clone(),
                answered: answered.clone(),
                redirect: redirect.clone(),
                by_helper: by_helper.clone(),
                done: false,
            },
        );
        let leg = Arc::new(Leg {
            net: net.clone(),
            sid: sid.clone(),
            parent,
            to,
            from,
            cancel,
            hang_up,
            answered,
            redirect,
            by_helper,
            status_callback,
            fallback_url: fallback_url.and_then(|u| Url::parse(&u).ok()),
            final_sent: AtomicBool::new(false),
        });
        let queued = net.queue_seconds();
        tokio::spawn(async move {
            match leg.run(url, timeout, queued).await {
                Some(status) => leg.finish(status).await,
                // Cancelled while still queued: Twilio sends no status callback at all (Call
                // resource, "Call Status values"). Vonage has no queue in its documents: a
                // call ended before it was answered is reported `cancelled` ("Voice API
                // Webhooks Reference", the event's statuses).
                None if leg.net.is_vonage() => leg.finish("canceled").await,
                None => leg.forget(),
            }
        });
        Ok(sid)
    }
}

async fn update(
    State(net): State<Arc<Network>>,
    Path((account, file)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Response {
    let Some(sid) = file.strip_suffix(".json").filter(|_| account == net.account_sid && !net.is_vonage()) else {
        return twilio_error(404, 20404, "The requested resource was not found");
    };
    let form = crate::provider::twilio::parse_pairs(&body);
    let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    if hangs_up_before_redirect(&net, sid, get("Status").is_none() && get("Url").is_some()) {
        // The helper hangs up first (`hang_up_before_the_next_redirect`): by the time the
        // update is looked at, the call has ended.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        loop {
            let done = net.lock().legs.get(sid).is_none_or(|l| l.done);
            if done || tokio::time::Instant::now() >= deadline {
                break;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        return twilio_error(400, 21220, "Call is not in-progress. Cannot redirect.");
    }
    let inner = net.lock();
    if let (Some(twiml), Some(conference)) = (get("Twiml"), inner.callers.get(sid)) {
        // A leg waiting in a conference of its own hears this document now.
        if let Some(room) = inner.conferences.get(conference) {
            let _ = room.events.send(ConferenceEvent::Twiml(twiml));
        }
        return call_json(StatusCode::OK, sid, "in-progress", "", "");
    }
    if let Some(leg) = inner.legs.get(sid) {
        if leg.done {
            // Updating a call that has ended (error 21220).
            return twilio_error(400, 21220, "Call is not in-progress. Cannot redirect.");
        }
        return match get("Status").as_deref() {
            // `Status=canceled` hangs up a call that is queued or ringing, and does nothing
            // to a call in progress (Call resource, "Update a Call resource").
            Some("canceled") if !leg.answered.load(Ordering::SeqCst) => {
                leg.cancel.store(true, Ordering::SeqCst);
                call_json(StatusCode::OK, sid, "canceled", "", "")
            }
            Some("canceled") => call_json(StatusCode::OK, sid, "in-progress", "", ""),
            // `Status=completed` ends it whatever its state.
            Some("completed") => {
                leg.cancel.store(true, Ordering::SeqCst);
                leg.hang_up.store(true, Ordering::SeqCst);
                let status = if leg.answered.load(Ordering::SeqCst) { "completed" } else { "canceled" };
                call_json(StatusCode::OK, sid, status, "", "")
            }
            // A `Url` redirects a call in progress (Call resource, "Update a Call
            // resource"): the answer comes at once; the new document is asked for a moment
            // later (`REDIRECT_LANDS_AFTER_SECONDS`), and no callback says it landed. A
            // call not (yet) in progress cannot be redirected here (21220). What Twilio does
            // with a `Url` for a call still ringing is not in our notes; the service sends
            // one only to a helper who answered, and takes a 21220 as harmless either way.
            None => match get("Url").and_then(|u| Url::parse(&u).ok()) {
                Some(url) if leg.answered.load(Ordering::SeqCst) => {
                    net.land_later(leg, url);
                    call_json(StatusCode::OK, sid, "in-progress", "", "")
                }
                Some(_) => twilio_error(400, 21220, "Call is not in-progress. Cannot redirect."),
                None => twilio_error(400, 21220, "this emulator only cancels, completes or redirects helper legs"),
            },
            _ => twilio_error(400, 21220, "this emulator only cancels, completes or redirects helper legs"),
        };
    }
    let mut inner = inner;
    if get("Url").is_some() && inner.callers.contains_key(sid) && std::mem::take(&mut inner.lose_next_redirect) {
        return call_json(StatusCode::OK, sid, "in-progress", "", "");
    }
    if let Some(conference) = inner.callers.get(sid) {
        let event = match (get("Url").and_then(|u| Url::parse(&u).ok()), get("Status").as_deref()) {
            (Some(url), _) => ConferenceEvent::Redirect(url),
            (None, Some("completed" | "canceled")) => ConferenceEvent::Hangup,
            _ => return twilio_error(400, 21220, "an update needs an absolute Url or a Status"),
        };
        if let Some(room) = inner.conferences.get(conference) {
            let _ = room.events.send(event);
        }
        return call_json(StatusCode::OK, sid, "in-progress", "", "");
    }
    twilio_error(404, 20404, "The requested resource was not found")
}

impl Network {
    /// A redirect of `leg`, in progress, lands `REDIRECT_LANDS_AFTER_SECONDS` from now
    /// (unless the call ends first): what it was hearing stops and `url` runs.
    fn land_later(self: &Arc<Self>, leg: &LegHandle, url: Url) {
        let (redirect, hang_up, network) = (leg.redirect.clone(), leg.hang_up.clone(), self.clone());
        tokio::spawn(async move {
            if network.wait(REDIRECT_LANDS_AFTER_SECONDS, &hang_up).await {
                redirect.land(url);
            }
        });
    }

    /// Carries out `change` of call `sid` as Vonage does. A leg it placed can be hung up
    /// (whatever its state) or, once answered, transferred: its new NCCO is asked for a
    /// moment later (`REDIRECT_LANDS_AFTER_SECONDS`). Someone waiting in a conversation
    /// can be hung up, transferred (out of the conversation), or spoken to alone.
    pub(super) fn change(self: &Arc<Self>, sid: &str, change: Change) -> Changed {
        let mut inner = self.lock();
        let waiting = inner.callers.get(sid).and_then(|name| inner.conferences.get(name)).cloned();
        if let Some(leg) = inner.legs.get(sid) {
            if leg.done {
                return Changed::NotHere;
            }
            match (&change, leg.answered.load(Ordering::SeqCst)) {
                (Change::Hangup, _) => {
                    leg.cancel.store(true, Ordering::SeqCst);
                    leg.hang_up.store(true, Ordering::SeqCst);
                    if let Some(room) = &waiting {
                        let _ = room.events.send(ConferenceEvent::Hangup);
                    }
                    return Changed::Done;
                }
                (Change::Transfer(url), true) if waiting.is_none() => {
                    self.land_later(leg, url.clone());
                    return Changed::Done;
                }
                (Change::Transfer(_), false) => return Changed::Refused(400, "the call is not answered yet"),
                _ if waiting.is_none() => {
                    return Changed::Refused(400, "this emulator transfers helpers' legs only to a URL")
                }
                _ => {}
            }
        }
        let Some(room) = waiting else { return Changed::NotHere };
        let event = match change {
            Change::Hangup => ConferenceEvent::Hangup,
            Change::Transfer(url) => {
                if std::mem::take(&mut inner.lose_next_redirect) {
                    return Changed::Done;
                }
                ConferenceEvent::Redirect(url)
            }
            Change::TransferNcco(ncco) => ConferenceEvent::Twiml(ncco),
            Change::Talk(ncco) => {
                if let Some(status) = inner.refuse_participant_updates {
                    return Changed::Refused(status, "refused (emulated)");
                }
                ConferenceEvent::Talk(ncco)
            }
        };
        let _ = room.events.send(event);
        Changed::Done
    }
}

/// Whether a redirect (`redirect`: an update with `Url` and no `Status`) of helper leg
/// `sid`, in progress, meets the helper hanging up in that moment
/// (`hang_up_before_the_next_redirect`): then the helper hangs up now.
fn hangs_up_before_redirect(net: &Network, sid: &str, redirect: bool) -> bool {
    let mut inner = net.lock();
    let in_progress = inner.legs.get(sid).is_some_and(|l| !l.done && l.answered.load(Ordering::SeqCst));
    if !(redirect && in_progress && std::mem::take(&mut inner.hang_up_before_redirect)) {
        return false;
    }
    if let Some(leg) = inner.legs.get(sid) {
        leg.by_helper.store(true, Ordering::SeqCst);
        leg.hang_up.store(true, Ordering::SeqCst);
    }
    true
}

/// `GET .../Conferences.json?FriendlyName=...&Status=...`: the conferences of that name
/// with that status, as Twilio's list resource gives them (one page). Without `Status`,
/// only those in progress: Twilio's changelog of 2026-06-10, "Conference list endpoint
/// will default to in-progress conferences only", in force since 2026-09-30 (changelog
/// 2026-07-08); ended ones only with `Status=completed`. `init` (created, not started) is
/// not modelled: every conference here counts as started, so that list is empty.
async fn list_conferences(
    State(net): State<Arc<Network>>,
    Path(account): Path<String>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> Response {
    if account != net.account_sid {
        return twilio_error(404, 20404, "The requested resource was not found");
    }
    let query = crate::provider::twilio::parse_pairs(query.unwrap_or_default().as_bytes());
    let name = query.iter().find(|(k, _)| k == "FriendlyName").map(|(_, v)| v.clone());
    let status = query.iter().find(|(k, _)| k == "Status").map(|(_, v)| v.clone());
    net.lock().conference_lists.push(status.clone());
    if net.list_fails() {
        return twilio_error(502, 20500, "Unable to fetch page (emulated)");
    }
    // Which conferences the status asks for: ended or not.
    let ended = match status.as_deref() {
        None | Some("in-progress") => Some(false),
        Some("completed") => Some(true),
        Some("init") => None,
        Some(other) => return twilio_error(400, 20001, &format!("Invalid Status: {other}")),
    };
    let uri = format!("/2010-04-01/Accounts/{account}/Conferences.json");
    let conferences: Vec<serde_json::Value> = net
        .lock()
        .conference_log
        .iter()
        .filter(|r| name.as_ref().is_none_or(|n| *n == r.name))
        .filter(|r| ended == Some(r.ended_by.is_some()))
        .map(|r| {
            serde_json::json!({
                "account_sid": account,
                "api_version": "2010-04-01",
                "date_created": r.created,
                "date_updated": r.created,
                "friendly_name": r.name,
                "region": "us1",
                "sid": r.sid,
                "status": if r.ended_by.is_some() { "completed" } else { "in-progress" },
                "reason_conference_ended": r.ended_by.as_ref().map(|_| "participant-with-end-conference-on-exit-left"),
                "call_sid_ending_conference": r.ended_by,
                "uri": format!("/2010-04-01/Accounts/{account}/Conferences/{}.json", r.sid),
                "subresource_uris": {},
            })
        })
        .collect();
    let body = serde_json::json!({
        "conferences": conferences,
        "end": conferences.len().saturating_sub(1),
        "first_page_uri": format!("{uri}?PageSize=50&Page=0"),
        "next_page_uri": null,
        "previous_page_uri": null,
        "page": 0,
        "page_size": 50,
        "start": 0,
        "uri": uri,
    });
    (StatusCode::OK, [("Content-Type", "application/json")], body.to_string()).into_response()
}

/// `GET .../Conferences/{Sid}/Participants.json`: who is in a conference in progress; an
/// ended conference has nobody (Twilio lists participants only while they are in it).
async fn list_participants(State(net): State<Arc<Network>>, Path((account, sid)): Path<(String, String)>) -> Response {
    if net.list_fails() {
        return twilio_error(502, 20500, "Unable to fetch page (emulated)");
    }
    let inner = net.lock();
    let Some(record) = inner.conference_log.iter().find(|r| r.sid == sid).filter(|_| account == net.account_sid) else {
        return twilio_error(404, 20404, "The requested resource was not found");
    };
    let entrants = if record.ended_by.is_some() { Vec::new() } else { record.entrants.clone() };
    let uri = format!("/2010-04-01/Accounts/{account}/Conferences/{sid}/Participants.json");
    let participants: Vec<serde_json::Value> = entrants
        .iter()
        .map(|call| {
            serde_json::json!({
                "account_sid": account, "call_sid": call, "conference_sid": sid, "label": null,
                "date_created": record.created, "date_updated": record.created, "end_conference_on_exit": true,
                "muted": false, "hold": false, "coaching": false, "call_sid_to_coach": null, "status": "connected",
                "start_conference_on_enter": true, "queue_time": null,
                "uri": format!("/2010-04-01/Accounts/{account}/Conferences/{sid}/Participants/{call}.json"),
            })
        })
        .collect();
    let body = serde_json::json!({
        "participants": participants, "end": participants.len().saturating_sub(1), "start": 0, "page": 0,
        "page_size": 50, "first_page_uri": format!("{uri}?PageSize=50&Page=0"), "next_page_uri": null,
        "previous_page_uri": null, "uri": uri,
    });
    (StatusCode::OK, [("Content-Type", "application/json")], body.to_string()).into_response()
}

/// `POST .../Conferences/{Sid}/Participants/{CallSid}.json`: a participant of a conference
/// in progress is updated. Only `AnnounceUrl` does anything here: the caller waiting in the
/// conference fetches it and hears it alone (Conference Participant resource: "an
/// announcement to the participant"), at once, also before the conference has started
/// (which Twilio does not document either way). Anyone not in a conference in progress is
/// 404 (20404), as the resource lists only current participants.
async fn update_participant(
    State(net): State<Arc<Network>>,
    Path((account, sid, file)): Path<(String, String, String)>,
    body: axum::body::Bytes,
) -> Response {
    let not_found = || twilio_error(404, 20404, "The requested resource was not found");
    let Some(call) = file.strip_suffix(".json").filter(|_| account == net.account_sid) else { return not_found() };
    let form = crate::provider::twilio::parse_pairs(&body);
    let inner = net.lock();
    if let Some(status) = inner.refuse_participant_updates {
        return twilio_error(status, 20500, "An internal server error has occurred (emulated)");
    }
    let Some(record) = inner
        .conference_log
        .iter()
        .find(|r| r.sid == sid && r.ended_by.is_none() && r.entrants.iter().any(|e| e == call))
    else {
        return not_found();
    };
    let announce = form.iter().find(|(k, _)| k == "AnnounceUrl").and_then(|(_, v)| Url::parse(v).ok());
    let waiting = inner.callers.get(call) == Some(&record.name);
    if let (Some(url), true, Some(room)) = (announce, waiting, inner.conferences.get(&record.name)) {
        let _ = room.events.send(ConferenceEvent::Announce(url));
    }
    let body = serde_json::json!({
        "account_sid": account, "call_sid": call, "conference_sid": sid, "label": null,
        "date_created": record.created, "date_updated": httpdate_now(), "end_conference_on_exit": true,
        "muted": false, "hold": false, "coaching": false, "call_sid_to_coach": null, "status": "connected",
        "start_conference_on_enter": false, "queue_time": null,
        "uri": format!("/2010-04-01/Accounts/{account}/Conferences/{sid}/Participants/{call}.json"),
    });
    (StatusCode::OK, [("Content-Type", "application/json")], body.to_string()).into_response()
}

/// `GET .../Recordings/{Sid}.mp3`: a recording's audio. The emulator's recordings are
/// made on the caller's side, which this network does not see, so any recording SID of the
/// account counts as made until it is deleted; then, like Twilio, 404 with an error body.
async fn recording_media(State(net): State<Arc<Network>>, Path((account, file)): Path<(String, String)>) -> Response {
    match file.strip_suffix(".mp3").filter(|sid| account == net.account_sid && is_sid("RE", sid)) {
        Some(sid) if !net.lock().deleted_recordings.contains(sid) => {
            let audio = format!("ID3\u{4}\0\0\0\0\0\0 the message of {sid}").into_bytes();
            (StatusCode::OK, [("Content-Type", "audio/mpeg")], audio).into_response()
        }
        _ => twilio_error(404, 20404, "The requested resource was not found"),
    }
}

/// `DELETE .../Recordings/{Sid}.json`: 204, and from then on 404.
async fn delete_recording(State(net): State<Arc<Network>>, Path((account, file)): Path<(String, String)>) -> Response {
    match file.strip_suffix(".json").filter(|sid| account == net.account_sid && is_sid("RE", sid)) {
        Some(sid) if net.lock().deleted_recordings.insert(sid.to_string()) => StatusCode::NO_CONTENT.into_response(),
        _ => twilio_error(404, 20404, "The requested resource was not found"),
    }
}

/// `DELETE .../Calls/{Sid}.json`: the record of a call this network placed goes (204; later
/// updates and deletes of it get 404). Any other call is unknown here: 404. A leg still
/// running is refused with Twilio's error 20009 (its page gives no HTTP status; 400 here).
async fn delete_call(State(net): State<Arc<Network>>, Path((account, file)): Path<(String, String)>) -> Response {
    let Some(sid) = file.strip_suffix(".json").filter(|_| account == net.account_sid) else {
        return twilio_error(404, 20404, "The requested resource was not found");
    };
    let mut inner = net.lock();
    match inner.legs.get(sid).map(|leg| leg.done) {
        Some(true) => {
            inner.legs.remove(sid);
            StatusCode::NO_CONTENT.into_response()
        }
        Some(false) => twilio_error(400, 20009, "Cannot delete this resource before it is complete"),
        None => twilio_error(404, 20404, "The requested resource was not found"),
    }
}

struct Leg {
    net: Arc<Network>,
    sid: String,
    parent: String,
    to: String,
    from: String,
    cancel: Arc<AtomicBool>,
    hang_up: Arc<AtomicBool>,
    answered: Arc<AtomicBool>,
    /// Where a REST update with `Url` sent the call, once it landed.
    redirect: Arc<Redirect>,
    /// `hang_up` was the helper's own doing (`hang_up_before_the_next_redirect`).
    by_helper: Arc<AtomicBool>,
    status_callback: Option<Url>,
    /// The call's `FallbackUrl`: requested when one of its webhooks fails.
    fallback_url: Option<Url>,
    /// The final status callback went out (it goes out once, as soon as the call ends).
    final_sent: AtomicBool,
}

impl Leg {
    fn line(&self, line: Line) {
        self.net.line(&self.parent, line);
    }

    /// Waits in the queue, rings, runs the whisper, and returns the final `CallStatus`;
    /// `None` when it was cancelled while still queued.
    async fn run(self: &Arc<Self>, url: Url, timeout: i64, queued: f64) -> Option<&'static str> {
        let number = self.to.clone();
        if !self.net.wait_for(queued, &self.cancel).await {
            self.line(Line::NotReached { number, status: "canceled".into() });
            return None;
        }
        self.line(Line::Ringing { number: number.clone() });
        let action = {
            let mut inner = self.net.lock();
            match inner.helpers.get(&number).cloned() {
                Some(action) => action,
                None => inner.random.as_mut().map(|(rng, pick)| pick(rng)).unwrap_or(HelperAction::Accept),
            }
        };
        let (ring, status) = match action {
            HelperAction::NoAnswer => (timeout, Some("no-answer")),
            HelperAction::Busy => (2, Some("busy")),
            HelperAction::Failed => (1, Some("failed")),
            _ => (self.net.lock().ring_seconds.get(&number).copied().unwrap_or(8), None),
        };
        if !self.net.wait(ring, &self.cancel).await {
            self.line(Line::NotReached { number, status: "canceled".into() });
            return Some("canceled");
        }
        if let Some(status) = status {
            self.line(Line::NotReached { number, status: status.into() });
            return Some(status);
        }
        self.answered.store(true, Ordering::SeqCst);
        let params = vec![
            ("ApiVersion".to_string(), "2010-04-01".to_string()),
            ("CallSid".into(), self.sid.clone()),
            ("CallStatus".into(), "in-progress".into()),
            ("Direction".into(), "outbound-api".into()),
            ("From".into(), self.from.clone()),
            ("To".into(), number.clone()),
        ];
        let mut listening = Listening { leg: self.clone(), action: action.clone() };
        let end = whisper::run(
            &mut listening,
            whisper::Helper { number: &number, action: &action },
            Document::CreatedCall,
            url,
            &params,
        )
        .await;
        Some(match end {
            Ok(WhisperEnd::Conference { name, wait_url, join_callback }) => {
                let delay = std::mem::take(&mut self.net.lock().delay_next_join);
                self.net.wait(delay, &self.hang_up).await;
                let hang_up_first = {
                    let mut inner = self.net.lock();
                    inner.conferences.contains_key(&name) && std::mem::take(&mut inner.hang_up_before_join)
                };
                if hang_up_first {
                    self.waiting_party_hangs_up(&name).await;
                }
                let room = self.net.lock().conferences.get(&name).cloned();
                let (ended, over) = oneshot::channel();
                let (reported_tx, reported) = oneshot::channel();
                let joined = match room {
                    // Entering is at once; the conference's report of it follows (a status
                    // callback notifies, it does not hold the entry up).
                    Some(room) => {
                        let entry = ConferenceEvent::HelperJoined { number: number.clone(), ended, reported };
                        match room.events.send(entry) {
                            Ok(()) => {
                                self.net.entered(&room.sid, &self.sid);
                                // The `statusCallback` of the first participant applies; later
                                // participants' are ignored (TwiML `<Conference>` docs).
                                self.net.report_join(&room, &name, &self.sid, self.status_callback.as_ref()).await;
                                let _ = reported_tx.send(());
                                let _ = over.await;
                                true
                            }
                            Err(_) => false,
                        }
                    }
                    None => false,
                };
                if !joined {
                    // Nobody there (any more): a new conference, waiting for the other side.
                    self.host(&name, timeout, wait_url, join_callback).await;
                }
                "completed"
            }
            Ok(WhisperEnd::EndedBySwitchboard) if self.by_helper.load(Ordering::SeqCst) => {
                self.line(Line::HelperHangsUp { number });
                "completed"
            }
            Ok(WhisperEnd::EndedBySwitchboard) => {
                self.line(Line::NotReached { number, status: "hung up by the switchboard".into() });
                "completed"
            }
            // A created call whose document ends simply hangs up.
            Ok(_) => "completed",
            Err(WhisperFailure::Webhook(e)) => {
                self.line(Line::NotReached { number, status: format!("webhook failed: {e}") });
                "failed"
            }
            Err(WhisperFailure::Twiml { message, .. }) => {
                self.line(Line::NotReached { number, status: format!("invalid TwiML: {message}") });
                "failed"
            }
            Err(WhisperFailure::Runaway(_)) => "failed",
        })
    }

    /// Whoever waits in conference `name` hangs up (and the conference ends).
    async fn waiting_party_hangs_up(&self, name: &str) {
        let room = self.net.lock().conferences.get(name).cloned();
        if let Some(room) = room {
            let _ = room.events.send(ConferenceEvent::Hangup);
            let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
            while !room.events.is_closed() && tokio::time::Instant::now() < deadline {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        }
    }

    /// Waits alone in conference `name` until someone joins, a document is played to
    /// this leg, or the wait runs out (then: alone on an empty line). With `wait_url`,
    /// hears its documents meanwhile, again and again.
    async fn host(&self, name: &str, timeout: i64, wait_url: Option<Url>, join_callback: Option<Url>) {
        let number = self.to.clone();
        let (events_tx, mut events) = mpsc::unbounded_channel();
        // Vonage reports this leg's move into the conversation to its own event URL.
        let join_callback = if self.net.is_vonage() { self.status_callback.clone() } else { join_callback };
        self.net.open_conference(name, &self.sid, events_tx, join_callback).await;
        let limit = Duration::from_millis(self.net.ms_per_second() * (timeout.max(30) as u64 + 60))
            .max(self.net.lock().min_patience);
        let waiting = async {
            // Without a `waitUrl`: Twilio's hold music until someone joins.
            let mut wait_url = wait_url;
            loop {
                let Some(wait) = wait_url.take() else { return events.recv().await };
                let params = vec![
                    ("CallSid".to_string(), self.sid.clone()),
                    ("CallStatus".into(), "in-progress".into()),
                    ("To".into(), number.clone()),
                ];
                let body = self.net.post(&wait, &params).await.unwrap_or_default();
                let mut seconds = 1;
                for verb in parse_twiml(&body).unwrap_or_default() {
                    match verb {
                        Verb::Say(text) | Verb::Play(text) => {
                            seconds += speaking_seconds(&text);
                            self.line(Line::HelperHears { number: number.clone(), text });
                        }
                        Verb::Pause(s) => seconds += i64::from(s),
                        // Only a `<Redirect>` asks for another wait document; a document that
                        // runs out is not fetched again (TwiML `<Conference>` docs).
                        Verb::Redirect(target) => {
                            wait_url = wait.join(&target).ok();
                            break;
                        }
                        _ => {}
                    }
                }
                if wait_url.is_none() {
                    self.line(Line::Silence { number: number.clone() });
                    return events.recv().await;
                }
                let round = Duration::from_millis(self.net.ms_per_second() * seconds as u64);
                if let Ok(event) = tokio::time::timeout(round, events.recv()).await {
                    return event;
                }
            }
        };
        match tokio::time::timeout(limit, waiting).await {
            Ok(Some(ConferenceEvent::HelperJoined { number: joining, ended, reported })) => {
                self.line(Line::Joined { waiting: number, joining });
                let _ = tokio::time::timeout(Duration::from_secs(20), reported).await;
                self.net.wait(60, &self.hang_up).await;
                let _ = ended.send(());
            }
            Ok(Some(ConferenceEvent::Twiml(xml))) => {
                for verb in self.net.parse(&xml).unwrap_or_default() {
                    if let Verb::Say(text) | Verb::Play(text) = verb {
                        self.line(Line::HelperHears { number: number.clone(), text });
                    }
                }
            }
            Ok(_) => {}
            Err(_) => self.line(Line::AloneInConference { number }),
        }
        self.net.close_conference(name, &self.sid);
    }

    /// The call is over: its final status callback, once (with `SequenceNumber`, as
    /// Twilio sends it; only the `completed` event is asked for, so it is the first).
    async fn finish(&self, status: &str) {
        if self.final_sent.swap(true, Ordering::SeqCst) {
            return;
        }
        let lost = self.net.lock().lose_status_callbacks;
        if let Some(url) = self.status_callback.clone().filter(|_| !lost) {
            let params = vec![
                ("ApiVersion".to_string(), "2010-04-01".to_string()),
                ("CallSid".into(), self.sid.clone()),
                ("CallStatus".into(), status.to_string()),
                ("Direction".into(), "outbound-api".into()),
                ("From".into(), self.from.clone()),
                ("SequenceNumber".into(), "0".into()),
                ("Timestamp".into(), httpdate_now()),
                ("To".into(), self.to.clone()),
            ];
            if let Err(e) = self.net.post(&url, &params).await {
                self.line(Line::NotReached { number: self.to.clone(), status: format!("status callback failed: {e}") });
            }
        }
        self.forget();
    }

    /// The call is over at the provider.
    fn forget(&self) {
        if let Some(leg) = self.net.lock().legs.get_mut(&self.sid) {
            leg.done = true;
        }
    }
}

/// A created helper leg while its documents run: time is the network's scaled real time,
/// cut short when the switchboard ends the call.
struct Listening {
    leg: Arc<Leg>,
    action: HelperAction,
}

impl Listening {
    /// A key's webhook (the yes whose answer is lost, when asked).
    async fn post_key(&self, url: &Url, params: &[(String, String)]) -> Result<String, String> {
        let yes = params.iter().any(|(k, v)| k == "Digits" && v == "1");
        if yes && std::mem::take(&mut self.leg.net.lock().lose_answer_to_next_yes) {
            let _ = self.leg.net.post_for(url, params, None).await;
            {
                let mut inner = self.leg.net.lock();
                inner.down = std::mem::take(&mut inner.down_after_lost_yes);
            }
            let mut params = params.to_vec();
            params.push(("AccountSid".into(), self.leg.net.account_sid.clone()));
            params.sort();
            let failed = format!("{url}: the answer was lost (emulated)");
            return self.leg.net.fall_back(url, params, self.leg.fallback_url.as_ref(), failed).await;
        }
        self.leg.net.post_for(url, params, self.leg.fallback_url.as_ref()).await
    }
}

impl HelperLeg for Listening {
    type Error = String;

    async fn pass(&mut self, seconds: i64) {
        // Cut short when the switchboard ends the call, or when its redirect lands.
        let until =
            tokio::time::Instant::now() + Duration::from_millis(self.leg.net.ms_per_second() * seconds.max(0) as u64);
        while tokio::time::Instant::now() < until {
            if self.leg.hang_up.load(Ordering::SeqCst) || self.leg.redirect.landed.load(Ordering::SeqCst) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }

    async fn post(&mut self, url: &Url, params: &[(String, String)]) -> Result<String, String> {
        if self.action == HelperAction::AcceptAndHangUpAtOnce && params.iter().any(|(k, _)| k == "Digits") {
            // Pressed 1 and hung up at once: since 2024-03-20 Twilio sends the final status
            // callback as soon as the call ends, without waiting for the webhook of the key
            // to be answered, so the two may arrive in either order.
            let order = self.leg.net.lock().key_and_end;
            match order {
                KeyAndEnd::Race => {
                    let leg = self.leg.clone();
                    tokio::spawn(async move { leg.finish("completed").await });
                }
                KeyAndEnd::EndFirst => self.leg.finish("completed").await,
                KeyAndEnd::KeyFirst => {
                    let answer = self.post_key(url, params).await;
                    self.leg.finish("completed").await;
                    return answer;
                }
            }
        }
        self.post_key(url, params).await
    }

    async fn fetch(&mut self, url: &Url, params: &[(String, String)]) -> Result<String, String> {
        let mut params = params.to_vec();
        if self.leg.net.is_vonage() {
            params.push((super::webhook::FETCH.into(), String::new()));
        }
        self.leg.net.post_for(url, &params, self.leg.fallback_url.as_ref()).await
    }

    fn parse(&self, body: &str) -> Result<Vec<Verb>, String> {
        self.leg.net.parse(body)
    }

    fn line(&mut self, line: Line) {
        self.leg.line(line);
    }

    fn ended_by_switchboard(&self) -> bool {
        self.leg.hang_up.load(Ordering::SeqCst)
    }

    fn redirected(&mut self) -> Option<Url> {
        if self.leg.redirect.landed.load(Ordering::SeqCst) {
            self.leg.redirect.take()
        } else {
            None
        }
    }

    async fn before_key(&mut self) {
        let barrier = self.leg.net.lock().key_barrier.clone();
        if let Some(barrier) = barrier {
            barrier.wait().await;
        }
    }
}

/// The time now as Twilio writes it in callbacks (RFC 2822).
fn httpdate_now() -> String {
    jiff::Timestamp::now().strftime("%a, %d %b %Y %H:%M:%S +0000").to_string()
}
