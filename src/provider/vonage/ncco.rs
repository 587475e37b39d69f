//! Actions -> an NCCO (Vonage's Call Control Object): a JSON array of actions, written with
//! serde so every text and URL is escaped.
//!
//! Facts, each from Vonage's NCCO reference (developer.vonage.com/voice/voice-api/ncco-reference)
//! unless another page is named; docs/vonage-facts.md lists them all:
//! - "When all the actions in the NCCO are complete, the Call ends." There is no `hangup`
//!   action: `Action::Hangup` ends the document (what follows it is never rendered).
//! - `eventUrl` "MUST be an array, even if it only contains a single value", and is absolute.
//! - `input` posts its result to its own `eventUrl` after `timeOut` seconds of quiet (max 10)
//!   or on `#` with `submitOnHash`, also when nothing was pressed (`timed_out`), and "your
//!   webhook endpoint should return another NCCO that replaces the existing NCCO". So a
//!   `Redirect` after a `Gather` is never reached.
//! - `talk`/`stream` with `bargeIn: true` stop on a key; "the next non-talk action in the
//!   NCCO stack must be an input action".
//! - `talk`: `text` up to 1,500 characters, SSML when enclosed in `<speak>`; `language`
//!   and `style` choose the voice (Text-to-Speech guide).
//! - `record` is asynchronous: it records until `endOnSilence` (3–10 s), `timeOut`
//!   (3–7200 s) or `endOnKey`, then the next action runs; the recording is posted to its
//!   `eventUrl` asynchronously, with `recording_url`.
//! - `connect` rings one `endpoint`; `timeout` is the ringing time (default 60 s);
//!   `eventType: synchronous` lets its `eventUrl` return an NCCO that replaces the current
//!   one when the call moves to a state such as timeout. A phone endpoint's `onAnswer.url`
//!   "serves an NCCO to execute in the number being connected to, before that call is
//!   joined to your existing conversation": the whisper. When that NCCO ends, the legs are
//!   joined: a declined whisper must be ended by the switchboard (`rest::UpdateCall::Hangup`).
//! - `conversation`: a named room ("names are namespaced to the application level");
//!   `startOnEnter: false` waits, hearing `musicOnHoldUrl` (an mp3), until someone with
//!   `startOnEnter: true` enters; `endOnExit: true` ends it for all when that one leaves.
//! - `notify` sends a payload to its `eventUrl`; "if you return an NCCO when you receive a
//!   notification, it will replace the current NCCO". It stands in for TwiML's `<Redirect>`.
//! - Numbers are E.164 digits without `+` (the NCCO schema's `^[0-9]+$`).
//!
//! Where an action has no Vonage equivalent (see docs/vonage-facts.md, "Gaps"):
//! - `Hold`/`WaitInHold`: no wait *document* exists, only `musicOnHoldUrl`, an mp3, so the
//!   held caller hears `{audio_base}hold.mp3`, never the hold sentences, and `HoldWait` is
//!   never asked for. When the room ends, a `notify` asks `done`.
//! - `Pause(n)`: an SSML `<break time='ns'/>` in a `talk` (no `wait` action in the schema
//!   we validate against).

use serde::Serialize;

use crate::domain::action::{Action, Next};
use crate::domain::dialplan::Voice;
use crate::domain::phone::PhoneNumber;
use crate::domain::prompts::Speech;
use crate::provider::twilio::RenderContext;
use crate::provider::Endpoint;

/// The longest `input` wait Vonage takes ("Max is 10").
pub const MAX_INPUT_TIMEOUT: u32 = 10;
/// `record.endOnSilence` range (3 to 10 seconds) and `record.timeOut` range (3 to 7200 s).
pub const SILENCE_RANGE: (u32, u32) = (3, 10);
pub const RECORD_RANGE: (u32, u32) = (3, 7200);

/// One NCCO action, as Vonage reads it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum NccoAction {
    Talk(Talk),
    Stream(Stream),
    Input(Input),
    Record(Record),
    Connect(Connect),
    Conversation(Conversation),
    Notify(Notify),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Talk {
    action: &'static str,
    pub text: String,
    pub language: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub style: Option<u8>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub barge_in: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Stream {
    action: &'static str,
    pub stream_url: [String; 1],
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub barge_in: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Dtmf {
    pub max_digits: u32,
    pub time_out: u32,
    pub submit_on_hash: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Input {
    action: &'static str,
    #[serde(rename = "type")]
    pub kind: [&'static str; 1],
    pub dtmf: Dtmf,
    pub event_url: [String; 1],
    pub event_method: &'static str,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Record {
    action: &'static str,
    pub end_on_silence: u32,
    pub time_out: u32,
    pub end_on_key: &'static str,
    pub beep_start: bool,
    pub event_url: [String; 1],
    pub event_method: &'static str,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OnAnswer {
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PhoneEndpoint {
    #[serde(rename = "type")]
    kind: &'static str,
    pub number: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_answer: Option<OnAnswer>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Connect {
    action: &'static str,
    pub endpoint: [PhoneEndpoint; 1],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    pub timeout: u32,
    /// With `eventUrl`; a static document has none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_url: Option<[String; 1]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_method: Option<&'static str>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Conversation {
    action: &'static str,
    pub name: String,
    pub start_on_enter: bool,
    pub end_on_exit: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub music_on_hold_url: Option<[String; 1]>,
    pub event_url: [String; 1],
    pub event_method: &'static str,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Notify {
    action: &'static str,
    pub payload: serde_json::Value,
    pub event_url: [String; 1],
    pub event_method: &'static str,
}

/// E.164 digits without the `+`, as Vonage writes numbers.
pub fn digits(number: &PhoneNumber) -> String {
    number.as_str().trim_start_matches('+').to_string()
}

/// The absolute URL the provider reports `next` to. Unlike TwiML's relative URLs, each
/// names the caller's call (`call=`): the body of a `connect`'s, `record`'s or `notify`'s
/// report names another leg or none.
pub fn url(ctx: &RenderContext<'_>, next: Next) -> String {
    let (seq, sid) = (ctx.seq, ctx.call_sid);
    let (endpoint, query) = match next {
        Next::Menu => (Endpoint::Menu, format!("call={sid}&s={seq}")),
        Next::HelperDone { attempt } => (Endpoint::HelperDone, format!("call={sid}&s={seq}&n={attempt}")),
        Next::Whisper { attempt } => (Endpoint::Whisper, format!("call={sid}&n={attempt}")),
        Next::WhisperKey { attempt } => (Endpoint::WhisperKey, format!("call={sid}&n={attempt}")),
        Next::DeskDone => (Endpoint::DeskDone, format!("call={sid}&s={seq}")),
        Next::Recorded => (Endpoint::Recorded, format!("call={sid}&s={seq}")),
        Next::HoldWait => (Endpoint::HoldWait, format!("call={sid}")),
        Next::HoldDone => (Endpoint::HoldDone, format!("call={sid}&s={seq}")),
        Next::WaveKey { attempt } => (Endpoint::WaveKey, format!("call={sid}&n={attempt}")),
        Next::CallbackOffer => (Endpoint::CallbackOffer, format!("call={sid}&s={seq}")),
        Next::Settings => (Endpoint::Settings, format!("call={sid}&s={seq}")),
        Next::HelperWait { attempt } => (Endpoint::HelperWait, format!("call={sid}&n={attempt}")),
        Next::WhisperOver { attempt } => (Endpoint::WhisperOver, format!("call={sid}&n={attempt}")),
        Next::ConferenceEvents => (Endpoint::Conference, format!("call={sid}")),
        Next::RoundKey { morning, n } => (Endpoint::RoundKey, format!("m={morning}&n={n}")),
        Next::ContactKey { morning, index } => (Endpoint::ContactKey, format!("m={morning}&i={index}")),
        Next::ConfirmKey { id, seq } => (Endpoint::ConfirmKey, format!("c={id}&s={seq}")),
        Next::PlannedKey { call } => (Endpoint::PlannedKey, format!("p={call}")),
    };
    format!("{}{}?{query}", ctx.webhook_base, endpoint.path())
}

/// Text for SSML: the characters XML gives a meaning escaped, the ones it cannot hold left out.
fn ssml_text(t: &str) -> String {
    let clean: String = t.chars().filter(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r')).collect();
    quick_xml::escape::escape(clean.as_str()).into_owned()
}

/// The longest `text` of a `talk`: "up to 1,500 characters (excluding SSML tags)"; we count
/// the tags too, as Vonage's NCCO schema does (`maxLength: 1500`).
pub const MAX_TALK_CHARS: usize = 1500;

/// Sentences in one language as `talk`s, SSML with a `<break>` between them and the voice's
/// rate as `<prosody>` (Vonage's "Customizing Spoken Text" guide: `break time`, `prosody
/// rate`). Always SSML, so no text can start SSML of its own. Text longer than a `talk` takes
/// goes on in the next one, split between words.
fn talks(out: &mut Vec<NccoAction>, sentences: &[&str], voice: &Voice, barge_in: bool) {
    let pause = format!("<break time='{}ms'/>", voice.pause_ms);
    let (open, close) = match &voice.rate {
        Some(rate) => (format!("<speak><prosody rate='{}'>", ssml_text(rate)), "</prosody></speak>"),
        None => ("<speak>".to_string(), "</speak>"),
    };
    let budget = MAX_TALK_CHARS.saturating_sub(open.chars().count() + close.chars().count()).max(1);
    let emit = |out: &mut Vec<NccoAction>, body: &str| {
        out.push(NccoAction::Talk(Talk {
            action: "talk",
            text: format!("{open}{body}{close}"),
            language: voice.language.clone(),
            style: voice.name.parse().ok(),
            barge_in,
        }))
    };
    let mut body = String::new();
    for (i, sentence) in sentences.iter().enumerate() {
        for (j, piece) in pieces(sentence, budget).into_iter().enumerate() {
            let glue = if j > 0 {
                " "
            } else if i > 0 {
                pause.as_str()
            } else {
                ""
            };
            if !body.is_empty() && body.chars().count() + glue.chars().count() + piece.chars().count() > budget {
                emit(out, &body);
                body.clear();
            }
            if !body.is_empty() {
                body.push_str(glue);
            }
            body.push_str(&piece);
        }
    }
    if !body.is_empty() {
        emit(out, &body);
    }
}

/// A sentence as escaped pieces of at most `budget` characters each, split between words
/// (inside a word only when one word is longer than that).
fn pieces(sentence: &str, budget: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in sentence.split_whitespace() {
        let escaped = ssml_text(word);
        let needed = current.chars().count() + usize::from(!current.is_empty()) + escaped.chars().count();
        if needed <= budget {
            if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(&escaped);
            continue;
        }
        if !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        // One word longer than a talk: cut it between characters, never inside an entity.
        for c in word.chars() {
            let e = ssml_text(&c.to_string());
            if current.chars().count() + e.chars().count() > budget {
                out.push(std::mem::take(&mut current));
            }
            current.push_str(&e);
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

fn pause(seconds: u32, voice: &Voice, barge_in: bool) -> NccoAction {
    NccoAction::Talk(Talk {
        action: "talk",
        text: format!("<speak><break time='{seconds}s'/></speak>"),
        language: voice.language.clone(),
        style: voice.name.parse().ok(),
        barge_in,
    })
}

/// What is said: each run of sentences in one language one `talk`; a recording a `stream`.
fn speech(out: &mut Vec<NccoAction>, said: &[Speech], ctx: &RenderContext<'_>, barge_in: bool) {
    let mut run: Vec<&str> = Vec::new();
    let mut run_language = "";
    for s in said {
        let continues = matches!(s, Speech::Text { language, .. } if language == run_language);
        if !continues && !run.is_empty() {
            talks(out, &run, ctx.voices.for_language(run_language), barge_in);
            run.clear();
        }
        match s {
            Speech::Text { text, language } => {
                run_language = language;
                run.push(text);
            }
            Speech::Audio(path) => out.push(NccoAction::Stream(Stream {
                action: "stream",
                stream_url: [format!("{}{}", ctx.audio_base, path)],
                barge_in,
            })),
            Speech::Pause(seconds) => out.push(pause(*seconds, ctx.voices.for_language(""), barge_in)),
        }
    }
    if !run.is_empty() {
        talks(out, &run, ctx.voices.for_language(run_language), barge_in);
    }
}

fn notify(url: String) -> NccoAction {
    NccoAction::Notify(Notify {
        action: "notify",
        payload: serde_json::json!({ "redirect": true }),
        event_url: [url],
        event_method: "POST",
    })
}

/// The `notify` after a `connect`, to the connect's own `eventUrl` (the same document
/// number): "what now?" once the connect is over. A synchronous connect's event answer
/// replaces the NCCO only "when a timeout occurs" (a callee who never answered); after an
/// answered callee's leg ends, Vonage runs the next action instead, so without this the
/// caller's call would end there. Whichever of the two (this and the callee's `completed`)
/// comes second is a repeat of the same document number and gets the same answer
/// (events::parse reads this one as the connect's end).
fn connect_ended(done: String) -> NccoAction {
    NccoAction::Notify(Notify {
        action: "notify",
        payload: serde_json::json!({ CONNECT_ENDED: true }),
        event_url: [done],
        event_method: "POST",
    })
}

/// The payload field of the `notify` after a `connect` (`connect_ended`).
pub const CONNECT_ENDED: &str = "connect_ended";

fn conversation(ctx: &RenderContext<'_>, start_on_enter: bool) -> NccoAction {
    NccoAction::Conversation(Conversation {
        action: "conversation",
        name: ctx.call_sid.to_string(),
        start_on_enter,
        end_on_exit: true,
        music_on_hold_url: (!start_on_enter).then(|| [format!("{}hold.mp3", ctx.audio_base)]),
        event_url: [url(ctx, Next::ConferenceEvents)],
        event_method: "POST",
    })
}

fn connect(
    number: &PhoneNumber,
    from: Option<&PhoneNumber>,
    timeout: u32,
    whisper: Option<String>,
    done: String,
) -> NccoAction {
    NccoAction::Connect(Connect {
        action: "connect",
        endpoint: [PhoneEndpoint {
            kind: "phone",
            number: digits(number),
            on_answer: whisper.map(|url| OnAnswer { url }),
        }],
        from: from.map(digits),
        timeout,
        event_type: Some("synchronous"),
        event_url: Some([done]),
        event_method: Some("POST"),
    })
}

/// The NCCO actions for the actions of one step.
pub fn actions(actions: &[Action], ctx: &RenderContext<'_>) -> Vec<NccoAction> {
    let mut out = Vec::new();
    for (i, action) in actions.iter().enumerate() {
        match action {
            Action::Say(s) => speech(&mut out, std::slice::from_ref(s), ctx, false),
            Action::Gather { say, timeout_seconds, next } => {
                speech(&mut out, say, ctx, true);
                // A question asked again when nothing was pressed (the next gathers with
                // the same `next`): the input reports after the first wait, so the askings
                // are said in one go, each wait a pause a key cuts short (`bargeIn`), and
                // the input waits after the last.
                let mut timeout_seconds = timeout_seconds;
                for again in actions[i + 1..].iter() {
                    let Action::Gather { say, timeout_seconds: wait, next: same } = again else { break };
                    if same != next {
                        break;
                    }
                    out.push(pause(*timeout_seconds, ctx.voices.for_language(""), true));
                    speech(&mut out, say, ctx, true);
                    timeout_seconds = wait;
                }
                out.push(NccoAction::Input(Input {
                    action: "input",
                    kind: ["dtmf"],
                    dtmf: Dtmf {
                        max_digits: 1,
                        time_out: (*timeout_seconds).clamp(1, MAX_INPUT_TIMEOUT),
                        submit_on_hash: true,
                    },
                    event_url: [url(ctx, *next)],
                    event_method: "POST",
                }));
                // The input always reports, so nothing after it in this document is reached.
                break;
            }
            Action::Redirect(next) => {
                out.push(notify(url(ctx, *next)));
                break;
            }
            Action::DialHelper { number, caller_id, timeout_seconds, whisper, done } => {
                out.push(connect(number, Some(caller_id), *timeout_seconds, Some(url(ctx, *whisper)), url(ctx, *done)));
                out.push(connect_ended(url(ctx, *done)));
                break;
            }
            Action::DialDesk { number, timeout_seconds, done } => {
                out.push(connect(number, None, *timeout_seconds, None, url(ctx, *done)));
                out.push(connect_ended(url(ctx, *done)));
                break;
            }
            Action::Record { max_seconds, silence_seconds, done } => {
                out.push(NccoAction::Record(Record {
                    action: "record",
                    end_on_silence: (*silence_seconds).clamp(SILENCE_RANGE.0, SILENCE_RANGE.1),
                    time_out: (*max_seconds).clamp(RECORD_RANGE.0, RECORD_RANGE.1),
                    end_on_key: "#",
                    beep_start: true,
                    event_url: [url(ctx, *done)],
                    event_method: "POST",
                }));
            }
            Action::Pause(seconds) => out.push(pause(*seconds, ctx.voices.for_language(""), false)),
            Action::Hold { wait: _, done } => {
                out.push(conversation(ctx, false));
                out.push(notify(url(ctx, *done)));
                break;
            }
            Action::JoinHold => out.push(conversation(ctx, true)),
            Action::WaitInHold { wait: _ } => out.push(conversation(ctx, false)),
            Action::Hangup => break,
            Action::LetHelperGo { attempt } => {
                // An `onAnswer` NCCO that ends joins the helper to the caller: so once the
                // thanks is said, a `notify` asks the switchboard to end the helper's call.
                out.push(notify(url(ctx, Next::WhisperOver { attempt: *attempt })));
                break;
            }
        }
    }
    out
}

/// One NCCO document (a JSON array) for the actions of one step.
pub fn render(actions: &[Action], ctx: &RenderContext<'_>) -> String {
    serde_json::to_string(&self::actions(actions, ctx)).expect("NCCO actions serialize")
}

/// The words of the fallback document: read from the prompts by whoever writes it out.
pub struct FallbackWords<'a> {
    /// Before ringing the desk ("there is a fault; for emergencies call 112; I put you through").
    pub sorry: &'a str,
    /// When the desk does not answer ("nobody answers now; please try later; goodbye").
    pub nobody: &'a str,
}

/// A static NCCO to host somewhere other than the switchboard, as the application's
/// `fallback_answer_url`: Vonage asks it when the answer URL fails ("Troubleshooting" guide:
/// a TCP connection within 3 s, an NCCO within 5 s, two retries, then two attempts at the
/// fallback answer URL; if that fails too, the call is disconnected). It says sorry and puts
/// the caller through to the desk phone.
pub fn fallback_ncco(words: &FallbackWords<'_>, desk: &PhoneNumber, from: &PhoneNumber, voice: &Voice) -> String {
    let mut document = Vec::new();
    talks(&mut document, &[words.sorry], voice, false);
    document.push(NccoAction::Connect(Connect {
        action: "connect",
        endpoint: [PhoneEndpoint { kind: "phone", number: digits(desk), on_answer: None }],
        from: Some(digits(from)),
        timeout: 30,
        // No event URL of ours: the connect ends when nobody answers, and the talk after it runs.
        event_type: None,
        event_url: None,
        event_method: None,
    }));
    talks(&mut document, &[words.nobody], voice, false);
    serde_json::to_string_pretty(&document).expect("NCCO actions serialize")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::dialplan::Voices;
    use expect_test::expect;

    pub(crate) fn voice(rate: Option<&str>) -> Voice {
        Voice { name: "0".into(), language: "nl-NL".into(), rate: rate.map(str::to_string), pause_ms: 600 }
    }

    fn doc(actions: &[Action], rate: Option<&str>) -> String {
        let v = Voices::single(voice(rate)).with("tr", "5", "tr-TR");
        render(
            actions,
            &RenderContext {
                call_sid: "aaaaaaaa-bbbb-cccc-dddd-0123456789ab",
                seq: 3,
                voices: &v,
                audio_base: "https://bl.example/audio/",
                webhook_base: "https://bl.example/vonage/",
            },
        )
    }

    fn phone(s: &str) -> PhoneNumber {
        PhoneNumber::parse(s).unwrap()
    }

    #[test]
    fn a_menu_is_talk_with_barge_in_then_its_own_input() {
        let actions = [
            Action::Say(Speech::text("nl", "Goedemorgen.")),
            Action::Gather {
                say: vec![
                    Speech::text("nl", "Toets 1."),
                    Speech::text("nl", "Toets 2."),
                    Speech::Audio("nl/x.mp3".into()),
                    Speech::Pause(2),
                    Speech::text("tr", "Bir."),
                ],
                timeout_seconds: 8,
                next: Next::Menu,
            },
            Action::Redirect(Next::Menu),
        ];
        expect![[r#"[{"action":"talk","text":"<speak><prosody rate='90%'>Goedemorgen.</prosody></speak>","language":"nl-NL","style":0},{"action":"talk","text":"<speak><prosody rate='90%'>Toets 1.<break time='600ms'/>Toets 2.</prosody></speak>","language":"nl-NL","style":0,"bargeIn":true},{"action":"stream","streamUrl":["https://bl.example/audio/nl/x.mp3"],"bargeIn":true},{"action":"talk","text":"<speak><break time='2s'/></speak>","language":"nl-NL","style":0,"bargeIn":true},{"action":"talk","text":"<speak><prosody rate='90%'>Bir.</prosody></speak>","language":"tr-TR","style":5,"bargeIn":true},{"action":"input","type":["dtmf"],"dtmf":{"maxDigits":1,"timeOut":8,"submitOnHash":true},"eventUrl":["https://bl.example/vonage/menu?call=aaaaaaaa-bbbb-cccc-dddd-0123456789ab&s=3"],"eventMethod":"POST"}]"#]]
        .assert_eq(&doc(&actions, Some("90%")));
    }

    /// An input reports after its first wait, so a question asked again when nothing was
    /// pressed is said in one go: the first asking, the wait as a pause a key cuts short,
    /// the second asking, then the one input. What follows the askings is the switchboard's
    /// answer to the input's silence.
    #[test]
    fn a_question_asked_again_is_said_in_one_go_before_its_one_input() {
        let ask = |text: &str, next| Action::Gather { say: vec![Speech::text("nl", text)], timeout_seconds: 8, next };
        let actions = [
            ask("Kunt u helpen? Toets 1.", Next::Menu),
            ask("Toets 1.", Next::Menu),
            Action::Say(Speech::text("nl", "Tot ziens.")),
            Action::Hangup,
        ];
        let ncco: serde_json::Value = serde_json::from_str(&doc(&actions, None)).unwrap();
        let kinds: Vec<&str> = ncco.as_array().unwrap().iter().map(|a| a["action"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["talk", "talk", "talk", "input"]);
        assert_eq!(ncco[1]["text"], "<speak><break time='8s'/></speak>", "the first wait");
        assert!(ncco[2]["text"].as_str().unwrap().contains("Toets 1."));
        assert!(ncco.as_array().unwrap()[..3].iter().all(|t| t["bargeIn"] == true), "a key cuts every part short");
        assert_eq!(ncco[3]["dtmf"]["timeOut"], 8);
        // A question that goes elsewhere is not merged: its input comes first.
        let other = [ask("Toets 1.", Next::Menu), ask("Toets 2.", Next::Settings)];
        let ncco: serde_json::Value = serde_json::from_str(&doc(&other, None)).unwrap();
        assert_eq!(ncco.as_array().unwrap().len(), 2, "{ncco}");
    }

    #[test]
    fn a_long_wait_is_vonages_longest() {
        let actions = [Action::Gather { say: vec![], timeout_seconds: 25, next: Next::Settings }];
        expect![[r#"[{"action":"input","type":["dtmf"],"dtmf":{"maxDigits":1,"timeOut":10,"submitOnHash":true},"eventUrl":["https://bl.example/vonage/settings?call=aaaaaaaa-bbbb-cccc-dddd-0123456789ab&s=3"],"eventMethod":"POST"}]"#]]
            .assert_eq(&doc(&actions, None));
    }

    #[test]
    fn ringing_a_helper_is_a_synchronous_connect_with_the_whisper_on_answer() {
        let actions = [Action::DialHelper {
            number: phone("+31610000007"),
            caller_id: phone("+31850000000"),
            timeout_seconds: 20,
            whisper: Next::Whisper { attempt: 2 },
            done: Next::HelperDone { attempt: 2 },
        }];
        expect![[r#"[{"action":"connect","endpoint":[{"type":"phone","number":"31610000007","onAnswer":{"url":"https://bl.example/vonage/whisper?call=aaaaaaaa-bbbb-cccc-dddd-0123456789ab&n=2"}}],"from":"31850000000","timeout":20,"eventType":"synchronous","eventUrl":["https://bl.example/vonage/helper-done?call=aaaaaaaa-bbbb-cccc-dddd-0123456789ab&s=3&n=2"],"eventMethod":"POST"},{"action":"notify","payload":{"connect_ended":true},"eventUrl":["https://bl.example/vonage/helper-done?call=aaaaaaaa-bbbb-cccc-dddd-0123456789ab&s=3&n=2"],"eventMethod":"POST"}]"#]]
            .assert_eq(&doc(&actions, None));
    }

    #[test]
    fn whisper_desk_and_record_documents() {
        let whisper = [
            Action::Say(Speech::text("nl", "Dank u wel.")),
            Action::Hangup,
            Action::Say(Speech::text("nl", "never said")),
        ];
        expect![[r#"[{"action":"talk","text":"<speak>Dank u wel.</speak>","language":"nl-NL","style":0}]"#]]
            .assert_eq(&doc(&whisper, None));
        let desk = [Action::DialDesk { number: phone("+31850000001"), timeout_seconds: 25, done: Next::DeskDone }];
        expect![[r#"[{"action":"connect","endpoint":[{"type":"phone","number":"31850000001"}],"timeout":25,"eventType":"synchronous","eventUrl":["https://bl.example/vonage/desk-done?call=aaaaaaaa-bbbb-cccc-dddd-0123456789ab&s=3"],"eventMethod":"POST"},{"action":"notify","payload":{"connect_ended":true},"eventUrl":["https://bl.example/vonage/desk-done?call=aaaaaaaa-bbbb-cccc-dddd-0123456789ab&s=3"],"eventMethod":"POST"}]"#]]
            .assert_eq(&doc(&desk, None));
        let record = [
            Action::Record { max_seconds: 120, silence_seconds: 1, done: Next::Recorded },
            Action::Redirect(Next::Recorded),
        ];
        expect![[r##"[{"action":"record","endOnSilence":3,"timeOut":120,"endOnKey":"#","beepStart":true,"eventUrl":["https://bl.example/vonage/recorded?call=aaaaaaaa-bbbb-cccc-dddd-0123456789ab&s=3"],"eventMethod":"POST"},{"action":"notify","payload":{"redirect":true},"eventUrl":["https://bl.example/vonage/recorded?call=aaaaaaaa-bbbb-cccc-dddd-0123456789ab&s=3"],"eventMethod":"POST"}]"##]]
            .assert_eq(&doc(&record, None));
    }

    #[test]
    fn hold_and_join_are_one_named_room() {
        let hold = [
            Action::Say(Speech::text("nl", "Even geduld.")),
            Action::Hold { wait: Next::HoldWait, done: Next::HoldDone },
        ];
        expect![[r#"[{"action":"talk","text":"<speak>Even geduld.</speak>","language":"nl-NL","style":0},{"action":"conversation","name":"aaaaaaaa-bbbb-cccc-dddd-0123456789ab","startOnEnter":false,"endOnExit":true,"musicOnHoldUrl":["https://bl.example/audio/hold.mp3"],"eventUrl":["https://bl.example/vonage/conference?call=aaaaaaaa-bbbb-cccc-dddd-0123456789ab"],"eventMethod":"POST"},{"action":"notify","payload":{"redirect":true},"eventUrl":["https://bl.example/vonage/hold-done?call=aaaaaaaa-bbbb-cccc-dddd-0123456789ab&s=3"],"eventMethod":"POST"}]"#]]
            .assert_eq(&doc(&hold, None));
        let join = [Action::JoinHold];
        expect![[r#"[{"action":"conversation","name":"aaaaaaaa-bbbb-cccc-dddd-0123456789ab","startOnEnter":true,"endOnExit":true,"eventUrl":["https://bl.example/vonage/conference?call=aaaaaaaa-bbbb-cccc-dddd-0123456789ab"],"eventMethod":"POST"}]"#]]
            .assert_eq(&doc(&join, None));
        let wait = [Action::WaitInHold { wait: Next::HelperWait { attempt: 1 } }, Action::Pause(4)];
        assert!(doc(&wait, None).contains(r#""startOnEnter":false"#));
    }

    /// `deploy/fallback-vonage.json`, the application's fallback answer document to host
    /// elsewhere, is what `fallback_ncco` writes for the example dialplan, with the words of
    /// `deploy/fallback.xml`.
    #[test]
    fn the_deploy_fallback_is_what_fallback_ncco_writes_for_the_example() {
        let words = FallbackWords {
            sorry: "Goedendag. Er is even een storing bij de Burenlijn. Bij spoed belt u 1 1 2. Ik verbind u nu met de balie.",
            nobody: "Er neemt nu niemand op. Wilt u het straks nog eens proberen? Dank u wel, en tot ziens.",
        };
        let twiml = include_str!("../../../deploy/fallback.xml");
        assert!(twiml.contains(words.sorry) && twiml.contains(words.nobody), "the same words as for Twilio");
        let written = fallback_ncco(&words, &phone("+31850000001"), &phone("+31850000000"), &voice(None));
        let file: serde_json::Value =
            serde_json::from_str(include_str!("../../../deploy/fallback-vonage.json")).unwrap();
        assert_eq!(file, serde_json::from_str::<serde_json::Value>(&written).unwrap(), "{written}");
    }

    #[test]
    fn a_long_text_goes_on_in_the_next_talk_between_words() {
        let long = "Goedemorgen buurvrouw ".repeat(100);
        let json: serde_json::Value =
            serde_json::from_str(&doc(&[Action::Say(Speech::text("nl", long.trim()))], Some("90%"))).unwrap();
        let texts: Vec<&str> = json.as_array().unwrap().iter().map(|t| t["text"].as_str().unwrap()).collect();
        assert_eq!(texts.len(), 2);
        assert!(texts.iter().all(|t| t.chars().count() <= MAX_TALK_CHARS && t.starts_with("<speak><prosody")));
        let words: usize = texts.iter().map(|t| t.split_whitespace().filter(|w| w.contains("buurvrouw")).count()).sum();
        assert_eq!(words, 100, "no word is lost or cut");
        let one_word = "x".repeat(3000);
        let json: serde_json::Value =
            serde_json::from_str(&doc(&[Action::Say(Speech::text("nl", &one_word))], None)).unwrap();
        assert_eq!(json.as_array().unwrap().len(), 3);
    }

    #[test]
    fn names_with_markup_cannot_break_the_document() {
        let actions = [Action::Say(Speech::text("nl", "Jan </speak><break time='60s'/> & \"Piet\"\u{7}"))];
        let json = doc(&actions, None);
        let text = serde_json::from_str::<serde_json::Value>(&json).unwrap()[0]["text"].as_str().unwrap().to_string();
        assert_eq!(text, "<speak>Jan &lt;/speak&gt;&lt;break time=&apos;60s&apos;/&gt; &amp; &quot;Piet&quot;</speak>");
    }

    #[test]
    fn the_fallback_says_sorry_and_rings_the_desk() {
        let words = FallbackWords { sorry: "Er is even een storing.", nobody: "Er neemt nu niemand op. Tot ziens." };
        expect![[r#"
            [
              {
                "action": "talk",
                "text": "<speak>Er is even een storing.</speak>",
                "language": "nl-NL",
                "style": 0
              },
              {
                "action": "connect",
                "endpoint": [
                  {
                    "type": "phone",
                    "number": "31850000001"
                  }
                ],
                "from": "31850000000",
                "timeout": 30
              },
              {
                "action": "talk",
                "text": "<speak>Er neemt nu niemand op. Tot ziens.</speak>",
                "language": "nl-NL",
                "style": 0
              }
            ]"#]]
        .assert_eq(&fallback_ncco(&words, &phone("+31850000001"), &phone("+31850000000"), &voice(None)));
    }
}
