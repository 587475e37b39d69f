//! The one interpreter of what a helper hears after picking up: the whisper document of a
//! `<Dial><Number url>` (the caller's own call rings the helper) and the document of a
//! REST-created helper call (ringing in waves) run through the same verbs, and the helper's
//! scripted `HelperAction` answers the `<Gather>`.
//!
//! Where the two differ is left to the caller: how time passes (the emulator moves a
//! simulated clock, the REST network waits in scaled real time and can be hung up on),
//! how webhooks are posted, and what the end of the document means (a whisper that ends
//! without `<Hangup/>` bridges the legs; a created call whose document ends hangs up).

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
    fn line(&mut self, line: Line);
    /// Whether the switchboard has ended this leg meanwhile (a REST `Status=completed`).
    fn ended_by_switchboard(&self) -> bool {
        false
    }
    /// Just before the helper presses a key (helpers told to press together wait here).
    async fn before_key(&mut self) {}
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

/// Runs the helper's documents from `url` (first posted with `params`; each `<Gather>`
/// action gets them with `Digits`) until the helper, the switchboard or the document ends it.
pub(super) async fn run<L: HelperLeg>(
    leg: &mut L,
    number: &str,
    action: &HelperAction,
    document: Document,
    url: Url,
    params: &[(String, String)],
) -> Result<WhisperEnd, WhisperFailure<L::Error>> {
    let mut url = url;
    let mut heard_again = false;
    let mut body = leg.post(&url, params).await.map_err(WhisperFailure::Webhook)?;
    for _ in 0..MAX_DOCUMENTS {
        let verbs = parse_twiml(&body).map_err(|message| WhisperFailure::Twiml { url: url.to_string(), message })?;
        let mut pressed: Option<(Url, String)> = None;
        for verb in verbs {
            if leg.ended_by_switchboard() {
                return Ok(WhisperEnd::EndedBySwitchboard);
            }
            match verb {
                Verb::Say(text) | Verb::Play(text) => hear(leg, number, text).await,
                Verb::Pause(seconds) => leg.pass(i64::from(seconds)).await,
                Verb::Gather { action: gather_action, timeout, children, .. } => {
                    for child in children {
                        if let Verb::Say(text) | Verb::Play(text) = child {
                            hear(leg, number, text).await;
                        }
                    }
                    let key = match action {
                        HelperAction::Accept | HelperAction::AcceptThenHangUp | HelperAction::AcceptAndHangUpAtOnce => {
                            Some("1".to_string())
                        }
                        HelperAction::Decline => Some("2".to_string()),
                        HelperAction::Key(k) => Some(k.clone()),
                        HelperAction::AgainThenAccept if !heard_again => {
                            heard_again = true;
                            Some("9".to_string())
                        }
                        HelperAction::AgainThenAccept => Some("1".to_string()),
                        HelperAction::SilentOnceThenAccept if !heard_again => {
                            heard_again = true;
                            None
                        }
                        HelperAction::SilentOnceThenAccept => Some("1".to_string()),
                        HelperAction::HangUp => {
                            leg.line(Line::HelperHangsUp { number: number.to_string() });
                            return Ok(WhisperEnd::HelperHungUp);
                        }
                        _ => None,
                    };
                    match key {
                        Some(key) => {
                            leg.before_key().await;
                            leg.line(Line::HelperPresses { number: number.to_string(), key: key.clone() });
                            // Without an action, Twilio posts to the document's own URL.
                            let target = url
                                .join(gather_action.as_deref().unwrap_or(url.as_str()))
                                .map_err(|e| WhisperFailure::Twiml { url: url.to_string(), message: e.to_string() })?;
                            pressed = Some((target, key));
                            break;
                        }
                        None => {
                            // No key within the timeout: Twilio goes on with the next verb.
                            leg.line(Line::HelperSilent { number: number.to_string() });
                            leg.pass(i64::from(timeout)).await;
                        }
                    }
                }
                Verb::Hangup => return Ok(WhisperEnd::Hangup),
                Verb::Conference { name, wait_url, join_callback, .. } if document == Document::CreatedCall => {
                    if *action == HelperAction::AcceptThenHangUp {
                        leg.line(Line::HelperHangsUp { number: number.to_string() });
                        return Ok(WhisperEnd::HelperHungUp);
                    }
                    let absolute = |u: Option<String>| u.map(|u| url.join(&u)).transpose();
                    let (Ok(wait_url), Ok(join_callback)) = (absolute(wait_url), absolute(join_callback)) else {
                        return Err(WhisperFailure::Twiml { url: url.to_string(), message: "a bad URL".into() });
                    };
                    return Ok(WhisperEnd::Conference { name, wait_url, join_callback });
                }
                other => {
                    let allowed = match document {
                        Document::DialWhisper => "only Say, Play, Pause, Gather, Hangup",
                        Document::CreatedCall => "only Say, Play, Pause, Gather, Hangup, Dial with a Conference",
                    };
                    let message = format!("{other:?} is not allowed in a helper's document ({allowed})");
                    return Err(WhisperFailure::Twiml { url: url.to_string(), message });
                }
            }
        }
        let Some((target, key)) = pressed else {
            if *action == HelperAction::AcceptThenHangUp && document == Document::DialWhisper {
                // Pressed 1 and hung up before the legs were joined.
                leg.line(Line::HelperHangsUp { number: number.to_string() });
                return Ok(WhisperEnd::HelperHungUp);
            }
            return Ok(WhisperEnd::RanOut);
        };
        let mut with_digits = params.to_vec();
        with_digits.push(("Digits".into(), key));
        body = leg.post(&target, &with_digits).await.map_err(WhisperFailure::Webhook)?;
        if *action == HelperAction::AcceptAndHangUpAtOnce {
            // Gone before the answer to the key was played.
            leg.line(Line::HelperHangsUp { number: number.to_string() });
            return Ok(WhisperEnd::HelperHungUp);
        }
        url = target;
    }
    Err(WhisperFailure::Runaway(MAX_DOCUMENTS))
}

async fn hear<L: HelperLeg>(leg: &mut L, number: &str, text: String) {
    let seconds = speaking_seconds(&text);
    leg.line(Line::HelperHears { number: number.to_string(), text });
    leg.pass(seconds).await;
}
