//! The one interpreter of what a helper hears after picking up: the whisper document of a
//! `<Dial><Number url>` (the caller's own call rings the helper) and the document of a
//! REST-created helper call (ringing in waves) run through the same verbs, and the helper's
//! scripted `HelperAction` answers the `<Gather>`.
//!
//! Where the two differ is left to the caller: how time passes (the emulator moves a
//! simulated clock, the REST network waits in scaled real time and can be hung up on),
//! how webhooks are posted, and what the end of the document means (a whisper that ends
//! without `<Hangup/>` bridges the legs; a created call whose document ends hangs up).

use std::ops::ControlFlow;

use url::Url;

use super::people::{HelperAction, Line};
use super::twiml::{parse_twiml, speaking_seconds, Verb};

/// The helper's leg, as the network it runs on sees it.
pub(super) trait HelperLeg {
    type Error;
    /// `seconds` of the helper's time pass (speaking, a pause, waiting for a key).
    async fn pass(&mut self, seconds: i64);
    /// Posts a webhook of this leg and returns the document it answered.
    async fn post(&mut self, url: &Url, params: &[(String, String)]) -> Result<String, Self::Error>;
    /// Asks for a document (the first, or where a redirect sends the leg): a `GET` on
    /// Vonage's wire, a post like any other on Twilio's.
    async fn fetch(&mut self, url: &Url, params: &[(String, String)]) -> Result<String, Self::Error> {
        self.post(url, params).await
    }
    /// Reads a document this leg got (TwiML unless the leg speaks another wire).
    fn parse(&self, body: &str) -> Result<Vec<Verb>, String> {
        parse_twiml(body)
    }
    fn line(&mut self, line: Line);
    /// Whether the switchboard has ended this leg meanwhile (a REST `Status=completed`).
    fn ended_by_switchboard(&self) -> bool {
        false
    }
    /// Where the switchboard redirected this leg (a REST update with `Url`), once the
    /// redirect has landed: taken, so it is followed once. Whatever the leg was hearing or
    /// waiting for stops there (`pass` returns early when it lands).
    fn redirected(&mut self) -> Option<Url> {
        None
    }
    /// Just before the helper presses a key (helpers told to press together wait here).
    async fn before_key(&mut self) {}
}

/// What a helper does when asked for a key.
#[derive(Debug, PartialEq, Eq)]
enum Answer {
    Key(String),
    HangUp,
    Silent,
}

/// How a helper's document ended.
#[derive(Debug, PartialEq)]
pub(super) enum WhisperEnd {
    /// A `<Hangup/>`: the switchboard let the helper go.
    Hangup,
    /// The helper hung up: during the request, or after pressing 1 but before the join.
    HelperHungUp,
    /// The switchboard ended the leg while the helper listened.
    EndedBySwitchboard,
    /// The document ran out of verbs without `<Hangup/>`.
    RanOut,
    /// `<Dial><Conference>`: the helper is to join conference `name` (URLs made absolute).
    Conference { name: String, wait_url: Option<Url>, join_callback: Option<Url> },
}

#[derive(Debug)]
pub(super) enum WhisperFailure<E> {
    Webhook(E),
    Twiml {
        url: String,
        message: String,
    },
    /// More documents than any real whisper needs: the service sends the helper in circles.
    Runaway(usize),
}

/// Where the document runs, which decides the verbs it may hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Document {
    /// A `<Number url>` whisper: only `Say`, `Play`, `Pause`, `Gather`, `Hangup`.
    DialWhisper,
    /// A call the service created: also `<Dial><Conference>`.
    CreatedCall,
}

const MAX_DOCUMENTS: usize = 20;

/// A quiet this long inside a question is the wait for a key (shorter ones are breaths
/// between sentences, as on a slow line).
const KEY_WAIT_SECONDS: u32 = 5;

/// The helper listening: their number and what they will do.
#[derive(Clone, Copy)]
pub(super) struct Helper<'a> {
    pub number: &'a str,
    pub action: &'a HelperAction,
}

/// Runs the helper's documents from `url` (first posted with `params`; each `<Gather>`
/// action gets them with `Digits`) until the helper, the switchboard or the document ends it.
pub(super) async fn run<L: HelperLeg>(
    leg: &mut L,
    helper: Helper<'_>,
    document: Document,
    url: Url,
    params: &[(String, String)],
) -> Result<WhisperEnd, WhisperFailure<L::Error>> {
    let mut run = Run { helper, document, url, heard_again: false };
    let mut body = leg.fetch(&run.url, params).await.map_err(WhisperFailure::Webhook)?;
    for _ in 0..MAX_DOCUMENTS {
        let (target, key) = match run.document(leg, &body).await? {
            ControlFlow::Continue(Then::Pressed(target, key)) => (target, key),
            ControlFlow::Continue(Then::Notified(target, payload)) => {
                // Vonage's `notify`: the payload is posted, and the answer (an NCCO) runs next.
                let mut with_payload = params.to_vec();
                with_payload.push((super::webhook::NOTIFY_PAYLOAD.into(), payload));
                body = leg.post(&target, &with_payload).await.map_err(WhisperFailure::Webhook)?;
                run.url = target;
                continue;
            }
            ControlFlow::Continue(Then::Redirected(target)) => {
                // Twilio asks for the new document (nothing else is reported: no key, no
                // callback), and runs it instead of whatever was playing.
                leg.line(Line::HelperRedirected { number: helper.number.to_string() });
                body = leg.fetch(&target, params).await.map_err(WhisperFailure::Webhook)?;
                run.url = target;
                continue;
            }
            ControlFlow::Break(end) => return Ok(end),
        };
        let mut with_digits = params.to_vec();
        with_digits.push(("Digits".into(), key));
        body = leg.post(&target, &with_digits).await.map_err(WhisperFailure::Webhook)?;
        if *helper.action == HelperAction::AcceptAndHangUpAtOnce {
            // Gone before the answer to the key was played.
            leg.line(Line::HelperHangsUp { number: helper.number.to_string() });
            return Ok(WhisperEnd::HelperHungUp);
        }
        run.url = target;
    }
    Err(WhisperFailure::Runaway(MAX_DOCUMENTS))
}

/// What a verb leaves the run with.
enum Step {
    /// On to the next verb.
    Next,
    /// A key was pressed: it goes to this URL.
    Pressed(Url, String),
    /// The switchboard's redirect landed: the document at this URL runs instead.
    Redirected(Url),
    /// A `notify` (Vonage): its payload goes to this URL, whose answer runs next.
    Notified(Url, String),
    End(WhisperEnd),
}

/// How a document that did not end the call goes on.
enum Then {
    /// A key was pressed: it goes to this URL.
    Pressed(Url, String),
    /// The switchboard redirected the call to this URL.
    Redirected(Url),
    /// A `notify` (Vonage) posted its payload to this URL.
    Notified(Url, String),
}

/// A run of the helper's documents, at the document from `url`.
struct Run<'a> {
    helper: Helper<'a>,
    document: Document,
    url: Url,
    /// Whether the helper already asked to hear the request again.
    heard_again: bool,
}

impl Run<'_> {
    fn bad_document<E>(&self, message: String) -> WhisperFailure<E> {
        WhisperFailure::Twiml { url: self.url.to_string(), message }
    }

    fn hangs_up(&self, leg: &mut impl HelperLeg) -> Step {
        leg.line(Line::HelperHangsUp { number: self.helper.number.to_string() });
        Step::End(WhisperEnd::HelperHungUp)
    }

    /// Plays one document: goes on with the key pressed and where it goes, or ends.
    async fn document<L: HelperLeg>(
        &mut self,
        leg: &mut L,
        body: &str,
    ) -> Result<ControlFlow<WhisperEnd, Then>, WhisperFailure<L::Error>> {
        let verbs = leg.parse(body).map_err(|message| self.bad_document(message))?;
        for verb in verbs {
            if leg.ended_by_switchboard() {
                return Ok(ControlFlow::Break(WhisperEnd::EndedBySwitchboard));
            }
            if let Some(target) = leg.redirected() {
                return Ok(ControlFlow::Continue(Then::Redirected(target)));
            }
            match self.verb(leg, verb).await? {
                Step::Next => {}
                Step::Pressed(target, key) => return Ok(ControlFlow::Continue(Then::Pressed(target, key))),
                Step::Redirected(target) => return Ok(ControlFlow::Continue(Then::Redirected(target))),
                Step::Notified(target, payload) => return Ok(ControlFlow::Continue(Then::Notified(target, payload))),
                Step::End(end) => return Ok(ControlFlow::Break(end)),
            }
        }
        if let Some(target) = leg.redirected() {
            return Ok(ControlFlow::Continue(Then::Redirected(target)));
        }
        if *self.helper.action == HelperAction::AcceptThenHangUp && self.document == Document::DialWhisper {
            // Pressed 1 and hung up before the legs were joined.
            leg.line(Line::HelperHangsUp { number: self.helper.number.to_string() });
            return Ok(ControlFlow::Break(WhisperEnd::HelperHungUp));
        }
        Ok(ControlFlow::Break(WhisperEnd::RanOut))
    }

    async fn verb<L: HelperLeg>(&mut self, leg: &mut L, verb: Verb) -> Result<Step, WhisperFailure<L::Error>> {
        let number = self.helper.number;
        match verb {
            Verb::Say(text) | Verb::Play(text) => hear(leg, number, text).await,
            Verb::Pause(seconds) => leg.pass(i64::from(seconds)).await,
            Verb::Gather { action, timeout, children, action_on_empty } => {
                for child in children {
                    if let Some(target) = leg.redirected() {
                        return Ok(Step::Redirected(target));
                    }
                    match child {
                        Verb::Say(text) | Verb::Play(text) => hear(leg, number, text).await,
                        // A long quiet inside a question is a wait for a key (Vonage's
                        // askings said in one go, `provider::vonage::ncco`): whoever means to
                        // press, presses then, cutting the rest short (`bargeIn`).
                        Verb::Pause(seconds) if seconds >= KEY_WAIT_SECONDS && self.presses() => break,
                        Verb::Pause(seconds) => leg.pass(i64::from(seconds)).await,
                        _ => {}
                    }
                }
                // Redirected (or ended) while still hearing the request: no key gets pressed.
                if let Some(target) = leg.redirected() {
                    return Ok(Step::Redirected(target));
                }
                if leg.ended_by_switchboard() {
                    return Ok(Step::End(WhisperEnd::EndedBySwitchboard));
                }
                return self.gather(leg, action, timeout, action_on_empty).await;
            }
            Verb::Hangup => return Ok(Step::End(WhisperEnd::Hangup)),
            Verb::Notify { url, payload } => {
                let target = self.url.join(&url).map_err(|e| self.bad_document(e.to_string()))?;
                return Ok(Step::Notified(target, payload));
            }
            Verb::Conference { name, wait_url, join_callback, .. } if self.document == Document::CreatedCall => {
                if *self.helper.action == HelperAction::AcceptThenHangUp {
                    return Ok(self.hangs_up(leg));
                }
                let absolute = |u: Option<String>| u.map(|u| self.url.join(&u)).transpose();
                let (Ok(wait_url), Ok(join_callback)) = (absolute(wait_url), absolute(join_callback)) else {
                    return Err(self.bad_document("a bad URL".into()));
                };
                return Ok(Step::End(WhisperEnd::Conference { name, wait_url, join_callback }));
            }
            other => {
                let allowed = match self.document {
                    Document::DialWhisper => "only Say, Play, Pause, Gather, Hangup",
                    Document::CreatedCall => "only Say, Play, Pause, Gather, Hangup, Dial with a Conference",
                };
                return Err(self.bad_document(format!("{other:?} is not allowed in a helper's document ({allowed})")));
            }
        }
        Ok(Step::Next)
    }

    /// What the helper does with the question now (pure: `gather` notes a first hearing).
    fn answer(&self) -> Answer {
        let key = |k: &str| Answer::Key(k.to_string());
        match self.helper.action {
            HelperAction::Accept | HelperAction::AcceptThenHangUp | HelperAction::AcceptAndHangUpAtOnce => key("1"),
            HelperAction::Decline => key("2"),
            HelperAction::Key(k) => Answer::Key(k.clone()),
            HelperAction::AgainThenAccept if !self.heard_again => key("9"),
            HelperAction::AgainThenAccept | HelperAction::SilentOnceThenAccept if self.heard_again => key("1"),
            HelperAction::HangUp => Answer::HangUp,
            _ => Answer::Silent,
        }
    }

    /// Whether the helper's answer to the question now is a key (or hanging up), not
    /// silence.
    fn presses(&self) -> bool {
        self.answer() != Answer::Silent
    }

    /// The helper's answer to a `<Gather>` (its `action`, waiting `timeout` seconds).
    async fn gather<L: HelperLeg>(
        &mut self,
        leg: &mut L,
        action: Option<String>,
        timeout: u32,
        action_on_empty: bool,
    ) -> Result<Step, WhisperFailure<L::Error>> {
        let number = self.helper.number;
        let answer = self.answer();
        if matches!(self.helper.action, HelperAction::AgainThenAccept | HelperAction::SilentOnceThenAccept) {
            // The first hearing is over (a 9, or silence): next time they press 1.
            self.heard_again = true;
        }
        let key = match answer {
            Answer::Key(key) => Some(key),
            Answer::HangUp => return Ok(self.hangs_up(leg)),
            Answer::Silent => None,
        };
        let Some(key) = key else {
            // No key within the timeout: Twilio goes on with the next verb; Vonage's input
            // (`action_on_empty`) reports that nothing was pressed (`timed_out`).
            leg.line(Line::HelperSilent { number: number.to_string() });
            leg.pass(i64::from(timeout)).await;
            if let Some(target) = leg.redirected() {
                return Ok(Step::Redirected(target));
            }
            if action_on_empty {
                return Ok(Step::Pressed(self.action_url(action.as_deref())?, String::new()));
            }
            return Ok(Step::Next);
        };
        leg.before_key().await;
        leg.line(Line::HelperPresses { number: number.to_string(), key: key.clone() });
        Ok(Step::Pressed(self.action_url(action.as_deref())?, key))
    }

    /// Where a gather's result goes: its action, or (without one, as Twilio does) the
    /// document's own URL.
    fn action_url<E>(&self, action: Option<&str>) -> Result<Url, WhisperFailure<E>> {
        self.url.join(action.unwrap_or(self.url.as_str())).map_err(|e| self.bad_document(e.to_string()))
    }
}

async fn hear<L: HelperLeg>(leg: &mut L, number: &str, text: String) {
    let seconds = speaking_seconds(&text);
    leg.line(Line::HelperHears { number: number.to_string(), text });
    leg.pass(seconds).await;
}
