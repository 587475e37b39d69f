//! Vonage's webhooks -> the typed events the switchboard reads (`Inbound`), the same ones
//! Twilio's form posts become.
//!
//! Facts (Vonage's "Voice API Webhooks Reference", developer.vonage.com/voice/voice-api/webhook-reference,
//! and the NCCO reference; docs/vonage-facts.md lists them):
//! - The answer webhook is a `GET` by default (`answer_method` can make it a `POST`): its
//!   fields `to`, `from`, `uuid`, `conversation_uuid` come in the query. Numbers are E.164
//!   digits without `+`; `from` may be absent (a Client SDK user: `from_user`).
//! - Every other webhook is a `POST` with a JSON body.
//! - Call progress on `event_url`: `status` is one of `started`, `ringing`, `answered`,
//!   `machine`, `human`, `completed`, `busy`, `timeout`, `failed`, `rejected`,
//!   `unanswered`, `cancelled` (the Voice API description's status list, plus `human` from
//!   answering-machine detection). Final: `completed`, `busy`, `timeout`, `failed`,
//!   `rejected`, `unanswered`, `cancelled`. Events may arrive out of order, late or twice:
//!   a `ringing` after a final status changes nothing (it is `Reported::Nothing`).
//! - An `input` posts `dtmf` to its own `eventUrl`: `{ "digits": "1", "timed_out": false }`
//!   in today's format; older documents show `"dtmf": "1"` beside `"timed_out"`. Both are read.
//! - A `record` posts `recording_url`, `recording_uuid`, `start_time`, `end_time`, `size`.
//! - "rejected" may stand for busy: "a call might not be completed because the callee was on
//!   another line (busy) but it is relayed as rejected by the carrier" (Call Statuses page).
//!
//! Unknown statuses are an error naming the status, never a guess.

use serde_json::Value;

use crate::domain::call::{DialStatus, Event};
use crate::provider::twilio::Params;
use crate::provider::{
    ConfirmReport, ConfirmWhat, Endpoint, Inbound, ParseError, PlannedReport, PlannedWhat, Reported, RoundReport,
    RoundWhat, WaveReport,
};

/// A call's progress, as Vonage names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallStatus {
    Started,
    Ringing,
    Answered,
    Machine,
    Human,
    Completed,
    Busy,
    Timeout,
    Failed,
    Rejected,
    Unanswered,
    Cancelled,
}

impl CallStatus {
    pub fn parse(word: &str) -> Result<CallStatus, ParseError> {
        Ok(match word {
            "started" => CallStatus::Started,
            "ringing" => CallStatus::Ringing,
            "answered" => CallStatus::Answered,
            "machine" => CallStatus::Machine,
            "human" => CallStatus::Human,
            "completed" => CallStatus::Completed,
            "busy" => CallStatus::Busy,
            "timeout" => CallStatus::Timeout,
            "failed" => CallStatus::Failed,
            "rejected" => CallStatus::Rejected,
            "unanswered" => CallStatus::Unanswered,
            "cancelled" => CallStatus::Cancelled,
            other => return Err(ParseError(format!("unknown status '{}'", shorten(other)))),
        })
    }

    /// The end of the call, as the switchboard counts ends; `None` while it goes on.
    pub fn final_status(self) -> Option<DialStatus> {
        match self {
            CallStatus::Started
            | CallStatus::Ringing
            | CallStatus::Answered
            | CallStatus::Machine
            | CallStatus::Human => None,
            CallStatus::Completed => Some(DialStatus::Completed),
            // "relayed as rejected by the carrier" when the callee was on another line.
            CallStatus::Busy | CallStatus::Rejected => Some(DialStatus::Busy),
            CallStatus::Timeout | CallStatus::Unanswered => Some(DialStatus::NoAnswer),
            CallStatus::Failed => Some(DialStatus::Failed),
            CallStatus::Cancelled => Some(DialStatus::Canceled),
        }
    }
}

fn shorten(s: &str) -> String {
    s.chars().take(40).collect()
}

/// A webhook's fields: the JSON body's, then the query's (the answer webhook's `GET`).
struct Fields<'a> {
    body: Value,
    query: &'a Params,
}

impl Fields<'_> {
    fn text(&self, name: &str) -> Option<String> {
        match self.body.get(name) {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            Some(Value::Bool(b)) => Some(b.to_string()),
            _ => self.query.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()),
        }
    }

    fn require(&self, name: &str) -> Result<String, ParseError> {
        self.text(name).filter(|v| !v.is_empty()).ok_or_else(|| ParseError(format!("missing field {name}")))
    }

    fn status(&self) -> Result<CallStatus, ParseError> {
        CallStatus::parse(&self.require("status")?)
    }

    /// The key pressed on an `input`: today's `dtmf.digits`, or an older `dtmf` string.
    /// Nothing pressed (`timed_out` with no digits) is `None`.
    fn key(&self) -> Option<String> {
        let digits = match self.body.get("dtmf") {
            Some(Value::Object(dtmf)) => dtmf.get("digits").and_then(Value::as_str),
            Some(Value::String(s)) => Some(s.as_str()),
            _ => None,
        }?;
        (!digits.is_empty() && digits.len() <= 8 && digits.chars().all(|c| c.is_ascii_digit() || c == '*' || c == '#'))
            .then(|| digits.to_string())
    }
}

fn query_get<'p>(query: &'p Params, name: &str) -> Option<&'p str> {
    query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

fn query_number<T: std::str::FromStr>(query: &Params, name: &str) -> Result<T, ParseError> {
    query_get(query, name)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| ParseError(format!("missing parameter {name}")))?
        .parse()
        .map_err(|_| ParseError(format!("parameter {name} is not a number")))
}

/// A Vonage call id (`uuid`, a UUID) or one of our own call ids in a URL.
pub fn valid_uuid(id: &str, field: &str) -> Result<String, ParseError> {
    if (10..=64).contains(&id.len()) && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        Ok(id.to_string())
    } else {
        Err(ParseError(format!("{field} is not a call identifier")))
    }
}

/// Vonage's digits-only number as the switchboard reads numbers: E.164 with `+`. Anything
/// that is not digits (a withheld number, a user name) is passed on as it is.
fn e164(number: Option<String>) -> String {
    match number {
        Some(n) if !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()) => format!("+{n}"),
        Some(other) => other,
        None => String::new(),
    }
}

/// How long a recording lasted, from its `start_time` and `end_time` (ISO 8601 in the
/// example, `YYYY-MM-DD HH:MM:SS` in the table: both are read; anything else is 0).
fn recording_seconds(fields: &Fields<'_>) -> u32 {
    let instant = |name: &str| -> Option<jiff::Timestamp> {
        let text = fields.text(name)?;
        text.parse::<jiff::Timestamp>().ok().or_else(|| {
            let civil: jiff::civil::DateTime = text.replace(' ', "T").parse().ok()?;
            civil.to_zoned(jiff::tz::TimeZone::UTC).ok().map(|z| z.timestamp())
        })
    };
    match (instant("start_time"), instant("end_time")) {
        (Some(start), Some(end)) if end >= start => u32::try_from(end.as_second() - start.as_second()).unwrap_or(0),
        _ => 0,
    }
}

/// Reads a webhook: `query` from the URL we gave (and, for a `GET` answer webhook, Vonage's
/// own fields), `body` the raw JSON body (empty for a `GET`).
pub fn parse(endpoint: Endpoint, query: &Params, body: &[u8]) -> Result<Inbound, ParseError> {
    let body: Value = if body.iter().all(u8::is_ascii_whitespace) {
        Value::Object(Default::default())
    } else {
        serde_json::from_slice(body).map_err(|e| ParseError(format!("the body is not JSON: {e}")))?
    };
    if !body.is_object() {
        return Err(ParseError("the body is not a JSON object".into()));
    }
    let f = Fields { body, query };
    let from = e164(f.text("from"));
    let to = e164(f.text("to"));
    let seq = || query_number::<u64>(query, "s");
    let attempt = || query_number::<u32>(query, "n");
    // The call in our own URL (`call=`): whose flow a helper's leg or a hold belongs to.
    let ours = || valid_uuid(query_get(query, "call").unwrap_or(""), "the call in the URL");
    let leg = || valid_uuid(&f.require("uuid")?, "uuid");
    // The `notify` after a `connect` (ncco::connect_ended): the connect is over and its callee
    // had answered (a callee who never answered brings the connect's own event, which
    // replaces the NCCO instead).
    let connect_ended =
        f.text("status").is_none() && f.body.get(super::ncco::CONNECT_ENDED).and_then(Value::as_bool) == Some(true);
    // An event URL also hears what is not a call's status: a leg moved into a conversation
    // (`type: transfer`), an error report (`reason`). Such an event ends nothing and is
    // answered, not refused: a 4xx on an event webhook makes Vonage run the fallback answer
    // document in the middle of the call ("Fallback URL", Webhooks reference).
    let ended = || -> Result<Option<DialStatus>, ParseError> {
        if connect_ended {
            return Ok(Some(DialStatus::Completed));
        }
        if f.text("status").is_none() {
            return Ok(None);
        }
        Ok(f.status()?.final_status())
    };
    // `type: transfer`: leg `uuid` entered conversation `conversation_uuid_to` ("Transfer",
    // Webhooks reference: "sent ... when a leg has been transferred from one conversation to
    // another. This can be done using an NCCO or the transfer action").
    let entered = || -> Option<WaveReport> {
        if f.text("type").as_deref() != Some("transfer") {
            return None;
        }
        let participant = valid_uuid(&f.text("uuid")?, "uuid").ok()?;
        let conference = valid_uuid(&f.text("conversation_uuid_to")?, "conversation_uuid_to").ok()?;
        Some(WaveReport::Entered { participant, conference })
    };
    let (call_sid, seq, report) = match endpoint {
        Endpoint::Voice => (leg()?, None, Reported::Call(Event::Incoming)),
        Endpoint::Status => {
            let report = match (entered(), ended()?) {
                (Some(entry), _) => Reported::Wave(entry),
                (None, Some(_)) => Reported::Call(Event::CallerGone),
                (None, None) => Reported::Nothing,
            };
            (leg()?, None, report)
        }
        Endpoint::Menu => (ours()?, Some(seq()?), Reported::Call(Event::MenuKey(f.key()))),
        Endpoint::Settings => (ours()?, Some(seq()?), Reported::Call(Event::SettingsKey(f.key()))),
        Endpoint::CallbackOffer => (ours()?, Some(seq()?), Reported::Call(Event::CallbackKey(f.key()))),
        Endpoint::HelperDone => {
            // The connect's eventUrl hears every state of the helper's leg; only its end counts.
            let report = match ended()? {
                Some(status) => Reported::Call(Event::HelperDialEnded { attempt: attempt()?, status, bridged: None }),
                None => Reported::Nothing,
            };
            (ours()?, Some(seq()?), report)
        }
        Endpoint::DeskDone => {
            let report = match ended()? {
                Some(status) => Reported::Call(Event::DeskDialEnded { status }),
                None => Reported::Nothing,
            };
            (ours()?, Some(seq()?), report)
        }
        Endpoint::Recorded => {
            let url = f.text("recording_url").filter(|u| u.starts_with("https://") || u.starts_with("http://"));
            let duration_seconds = recording_seconds(&f);
            (ours()?, Some(seq()?), Reported::Call(Event::Recorded { recording_url: url, duration_seconds }))
        }
        Endpoint::Whisper => (ours()?, None, Reported::Call(Event::HelperAnswered { attempt: attempt()? })),
        // The notify after a whisper that ends without a yes (ncco, `Action::LetHelperGo`).
        Endpoint::WhisperOver => (ours()?, None, Reported::LetHelperGo { attempt: attempt()? }),
        Endpoint::WhisperKey => (ours()?, None, Reported::Call(Event::HelperKey { attempt: attempt()?, key: f.key() })),
        Endpoint::HoldWait => (ours()?, None, Reported::Call(Event::HoldTick)),
        Endpoint::HelperWait => (ours()?, None, Reported::Call(Event::HelperWaitTick { attempt: attempt()? })),
        Endpoint::HoldDone => (ours()?, Some(seq()?), Reported::Call(Event::HoldEnded)),
        // Who entered a conversation is not in a documented event (docs/vonage-facts.md, Gaps).
        Endpoint::Conference => (ours()?, None, Reported::Nothing),
        Endpoint::Announce => (ours()?, None, Reported::Wave(WaveReport::Announce { attempt: attempt()? })),
        Endpoint::WaveWhisper | Endpoint::WaveKey | Endpoint::WaveStatus | Endpoint::WaveThanks => {
            let attempt = attempt()?;
            let wave = match endpoint {
                Endpoint::WaveWhisper => Some(WaveReport::Answered { attempt }),
                Endpoint::WaveKey => Some(WaveReport::Key { attempt, key: f.key() }),
                // A transfer's NCCO is fetched like any other answer URL.
                Endpoint::WaveThanks => Some(WaveReport::Thanks { attempt }),
                _ => match entered() {
                    Some(entry) => Some(entry),
                    None => ended()?.map(|status| WaveReport::Ended { attempt, status }),
                },
            };
            (ours()?, None, wave.map_or(Reported::Nothing, Reported::Wave))
        }
        Endpoint::ResidentAnswer | Endpoint::ResidentStatus => {
            let wave = if endpoint == Endpoint::ResidentAnswer {
                Some(WaveReport::ResidentAnswered)
            } else {
                ended()?.map(|status| WaveReport::ResidentEnded { status })
            };
            (ours()?, None, wave.map_or(Reported::Nothing, Reported::Wave))
        }
        Endpoint::RoundAnswer
        | Endpoint::RoundKey
        | Endpoint::RoundStatus
        | Endpoint::ContactAnswer
        | Endpoint::ContactKey
        | Endpoint::ContactStatus
        | Endpoint::DeskAlert => {
            use crate::domain::round::Who;
            let morning = query_number::<i64>(query, "m")?;
            let who = match endpoint {
                Endpoint::RoundAnswer | Endpoint::RoundKey | Endpoint::RoundStatus => Who::Resident(attempt()?),
                Endpoint::DeskAlert => Who::Desk,
                _ => Who::Contact(query_number::<usize>(query, "i")?),
            };
            let what = match endpoint {
                Endpoint::RoundAnswer | Endpoint::ContactAnswer | Endpoint::DeskAlert => Some(RoundWhat::Answered),
                Endpoint::RoundKey | Endpoint::ContactKey => Some(RoundWhat::Key(f.key())),
                _ => ended()?.map(RoundWhat::Ended),
            };
            (leg()?, None, what.map_or(Reported::Nothing, |what| Reported::Round(RoundReport { morning, who, what })))
        }
        Endpoint::ConfirmAnswer | Endpoint::ConfirmKey | Endpoint::ConfirmStatus => {
            let id = query_number::<i64>(query, "c")?;
            let what = match endpoint {
                Endpoint::ConfirmAnswer => Some(ConfirmWhat::Answered),
                Endpoint::ConfirmKey => Some(ConfirmWhat::Key { seq: seq()?, key: f.key() }),
                _ => ended()?.map(ConfirmWhat::Ended),
            };
            (leg()?, None, what.map_or(Reported::Nothing, |what| Reported::Confirm(ConfirmReport { id, what })))
        }
        Endpoint::PlannedAnswer | Endpoint::PlannedKey | Endpoint::PlannedStatus => {
            let call = query_number::<i64>(query, "p")?;
            let what = match endpoint {
                Endpoint::PlannedAnswer => Some(PlannedWhat::Answered),
                Endpoint::PlannedKey => Some(PlannedWhat::Key(f.key())),
                _ => ended()?.map(PlannedWhat::Ended),
            };
            (leg()?, None, what.map_or(Reported::Nothing, |what| Reported::Planned(PlannedReport { call, what })))
        }
    };
    let helper_leg = match endpoint {
        // The callee's leg: the `onAnswer` request's own `uuid`, the input's "leg that pressed".
        Endpoint::HelperDone | Endpoint::Whisper | Endpoint::WhisperKey => {
            f.text("uuid").and_then(|u| valid_uuid(&u, "uuid").ok()).and_then(|u| Some((attempt().ok()?, u)))
        }
        _ => None,
    };
    Ok(Inbound { call_sid, seq, from, to, report, caller_gone: false, conference_took_place: false, helper_leg })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CALL: &str = "aaaaaaaa-bbbb-cccc-dddd-0123456789ab";
    const LEG: &str = "bbbbbbbb-cccc-dddd-eeee-0123456789ab";

    fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    fn event(status: &str) -> Vec<u8> {
        serde_json::json!({ "uuid": LEG, "conversation_uuid": "CON-1", "status": status, "direction": "outbound",
            "timestamp": "2026-12-07T06:00:00.000Z", "from": "31850000000", "to": "31610000007" })
        .to_string()
        .into_bytes()
    }

    #[test]
    fn the_answer_webhook_is_a_get_with_numbers_without_plus() {
        let query =
            q(&[("to", "31850000000"), ("from", "31612345678"), ("uuid", CALL), ("conversation_uuid", "CON-x")]);
        let got = parse(Endpoint::Voice, &query, b"").unwrap();
        assert_eq!((got.call_sid.as_str(), got.from.as_str(), got.to.as_str()), (CALL, "+31612345678", "+31850000000"));
        assert_eq!(got.event(), Some(Event::Incoming));
        // A POST answer webhook carries the same fields as JSON.
        let body = serde_json::json!({ "to": "31850000000", "from": "31612345678", "uuid": CALL }).to_string();
        assert_eq!(parse(Endpoint::Voice, &[], body.as_bytes()).unwrap().call_sid, CALL);
        // A caller whose number is withheld (or a Client SDK user) has no digits to read.
        let anonymous = parse(Endpoint::Voice, &q(&[("uuid", CALL), ("from", "Unknown")]), b"").unwrap();
        assert_eq!(anonymous.from, "Unknown");
    }

    #[test]
    fn input_results_in_both_documented_shapes() {
        let key = |body: serde_json::Value| {
            let got = parse(Endpoint::Menu, &q(&[("call", CALL), ("s", "4")]), body.to_string().as_bytes()).unwrap();
            assert_eq!((got.call_sid.as_str(), got.seq), (CALL, Some(4)));
            got.event()
        };
        assert_eq!(
            key(serde_json::json!({ "uuid": CALL, "dtmf": { "digits": "3", "timed_out": false } })),
            Some(Event::MenuKey(Some("3".into())))
        );
        assert_eq!(
            key(serde_json::json!({ "uuid": CALL, "dtmf": { "digits": "", "timed_out": true } })),
            Some(Event::MenuKey(None))
        );
        assert_eq!(
            key(serde_json::json!({ "uuid": CALL, "dtmf": "1", "timed_out": false })),
            Some(Event::MenuKey(Some("1".into())))
        );
        assert_eq!(
            key(serde_json::json!({ "uuid": CALL, "dtmf": "<b>", "timed_out": false })),
            Some(Event::MenuKey(None))
        );
        assert_eq!(key(serde_json::json!({ "uuid": CALL })), Some(Event::MenuKey(None)));
    }

    #[test]
    fn a_helpers_dial_ends_only_on_a_final_status_out_of_order_or_not() {
        let query = q(&[("call", CALL), ("s", "5"), ("n", "2")]);
        let report = |status: &str| parse(Endpoint::HelperDone, &query, &event(status)).unwrap();
        let ended = |status| Reported::Call(Event::HelperDialEnded { attempt: 2, status, bridged: None });
        assert_eq!(report("completed").report, ended(DialStatus::Completed));
        assert_eq!(report("completed").helper_leg, Some((2, LEG.to_string())));
        assert_eq!(report("completed").call_sid, CALL, "the caller's flow, not the helper's leg");
        assert_eq!(report("timeout").report, ended(DialStatus::NoAnswer));
        assert_eq!(report("unanswered").report, ended(DialStatus::NoAnswer));
        assert_eq!(report("busy").report, ended(DialStatus::Busy));
        assert_eq!(report("rejected").report, ended(DialStatus::Busy));
        assert_eq!(report("failed").report, ended(DialStatus::Failed));
        assert_eq!(report("cancelled").report, ended(DialStatus::Canceled));
        // A late "ringing" or "answered" after the end changes nothing.
        for status in ["started", "ringing", "answered", "machine", "human"] {
            assert_eq!(report(status).report, Reported::Nothing, "{status}");
        }
        // The notify after the connect (ncco::connect_ended): the connect is over.
        let notified = parse(Endpoint::HelperDone, &query, br#"{"connect_ended":true}"#).unwrap();
        assert_eq!(notified.report, ended(DialStatus::Completed));
        assert_eq!(notified.seq, Some(5), "the connect's own document number: the later of the two is a repeat");
        let desk = parse(Endpoint::DeskDone, &q(&[("call", CALL), ("s", "6")]), br#"{"connect_ended":true}"#);
        assert_eq!(desk.unwrap().report, Reported::Call(Event::DeskDialEnded { status: DialStatus::Completed }));
        // Anything else without a status (a transfer, an error report) ends nothing, and is
        // answered: a refusal would run the fallback answer document mid-call.
        for other in [
            r#"{"connect_ended":false}"#,
            r#"{"type":"transfer","uuid":"bbbbbbbb-bbbb-cccc-dddd-0123456789ab","conversation_uuid_from":"CON-1a","conversation_uuid_to":"CON-2bbbbbbbbb"}"#,
            r#"{"reason":"Syntax error in NCCO. Invalid value type or action.","conversation_uuid":"CON-1"}"#,
        ] {
            assert_eq!(
                parse(Endpoint::HelperDone, &query, other.as_bytes()).unwrap().report,
                Reported::Nothing,
                "{other}"
            );
        }
        // An unknown status word is still an error that names it.
        assert!(parse(Endpoint::HelperDone, &query, br#"{"status":"teleported"}"#).is_err());
    }

    #[test]
    fn a_transfer_into_a_conversation_is_an_entry() {
        let transfer = |uuid: &str| {
            serde_json::json!({
                "type": "transfer", "uuid": uuid, "timestamp": "2020-01-01T12:00:00.000Z",
                "conversation_uuid_from": "CON-aaaaaaaa-0000", "conversation_uuid_to": "CON-cccccccc-1111",
            })
            .to_string()
        };
        let entered = |participant: &str| {
            Reported::Wave(WaveReport::Entered {
                participant: participant.into(),
                conference: "CON-cccccccc-1111".into(),
            })
        };
        // A helper's created leg, on its own event URL: the caller's flow is in our URL.
        let query = q(&[("call", CALL), ("n", "2")]);
        let got = parse(Endpoint::WaveStatus, &query, transfer(LEG).as_bytes()).unwrap();
        assert_eq!((got.call_sid.as_str(), got.report), (CALL, entered(LEG)));
        // The caller's own call, on the application's event URL.
        let got = parse(Endpoint::Status, &[], transfer(CALL).as_bytes()).unwrap();
        assert_eq!((got.call_sid.as_str(), got.report), (CALL, entered(CALL)));
    }

    #[test]
    fn a_recording_names_its_url_and_length() {
        let body = serde_json::json!({
            "start_time": "2020-01-01T12:00:00Z", "end_time": "2020-01-01T12:01:05Z", "size": 12345,
            "recording_url": "https://api-eu.vonage.com/v1/files/aaaaaaaa-bbbb-cccc-dddd-0123456789ab",
            "recording_uuid": "cccccccc-bbbb-cccc-dddd-0123456789ab", "conversation_uuid": "CON-1",
            "timestamp": "2020-01-01T14:00:00.000Z"
        });
        let got = parse(Endpoint::Recorded, &q(&[("call", CALL), ("s", "7")]), body.to_string().as_bytes()).unwrap();
        assert_eq!(
            got.event(),
            Some(Event::Recorded {
                recording_url: Some("https://api-eu.vonage.com/v1/files/aaaaaaaa-bbbb-cccc-dddd-0123456789ab".into()),
                duration_seconds: 65
            })
        );
        let table_format = serde_json::json!({ "start_time": "2020-01-01 12:00:00", "end_time": "2020-01-01 12:00:30",
            "recording_url": "javascript:alert(1)" });
        let got = parse(Endpoint::Recorded, &q(&[("call", CALL), ("s", "7")]), table_format.to_string().as_bytes());
        assert_eq!(got.unwrap().event(), Some(Event::Recorded { recording_url: None, duration_seconds: 30 }));
    }

    #[test]
    fn created_calls_report_like_twilios() {
        use crate::domain::round::Who;
        let status = parse(Endpoint::WaveStatus, &q(&[("call", CALL), ("n", "3")]), &event("unanswered")).unwrap();
        assert_eq!(
            (status.call_sid.as_str(), status.report),
            (CALL, Reported::Wave(WaveReport::Ended { attempt: 3, status: DialStatus::NoAnswer }))
        );
        let answer = parse(Endpoint::WaveWhisper, &q(&[("call", CALL), ("n", "3"), ("uuid", LEG)]), b"").unwrap();
        assert_eq!(answer.report, Reported::Wave(WaveReport::Answered { attempt: 3 }));
        let round = parse(Endpoint::RoundStatus, &q(&[("m", "7"), ("n", "1")]), &event("busy")).unwrap();
        assert_eq!(
            round.report,
            Reported::Round(RoundReport {
                morning: 7,
                who: Who::Resident(1),
                what: RoundWhat::Ended(DialStatus::Busy)
            })
        );
        assert_eq!(round.event(), Some(Event::CallerGone));
        let key = serde_json::json!({ "uuid": LEG, "dtmf": { "digits": "1", "timed_out": false } }).to_string();
        let confirm = parse(Endpoint::ConfirmKey, &q(&[("c", "3"), ("s", "1")]), key.as_bytes()).unwrap();
        assert_eq!(
            confirm.report,
            Reported::Confirm(ConfirmReport { id: 3, what: ConfirmWhat::Key { seq: 1, key: Some("1".into()) } })
        );
        let planned = parse(Endpoint::PlannedStatus, &q(&[("p", "9")]), &event("ringing")).unwrap();
        assert_eq!(planned.report, Reported::Nothing);
        assert_eq!(parse(Endpoint::Status, &[], &event("completed")).unwrap().event(), Some(Event::CallerGone));
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        // (endpoint, query, body, expected error)
        type Case = (Endpoint, Vec<(String, String)>, Vec<u8>, &'static str);
        let cases: Vec<Case> = vec![
            (Endpoint::Status, vec![], event("exploded"), "unknown status 'exploded'"),
            // Without a status it is no call status (a transfer, an error report), but it must
            // still name its call.
            (Endpoint::Status, vec![], b"{}".to_vec(), "missing field uuid"),
            (Endpoint::Status, vec![], b"[1]".to_vec(), "the body is not a JSON object"),
            (Endpoint::Voice, vec![], b"".to_vec(), "missing field uuid"),
            (
                Endpoint::Voice,
                q(&[("uuid", "<script>alert(1)</script>")]),
                b"".to_vec(),
                "uuid is not a call identifier",
            ),
            (Endpoint::Menu, q(&[("call", CALL), ("s", "x")]), b"{}".to_vec(), "parameter s is not a number"),
            (Endpoint::Menu, q(&[("s", "1")]), b"{}".to_vec(), "the call in the URL is not a call identifier"),
            (
                Endpoint::HelperDone,
                q(&[("call", CALL), ("s", "1"), ("n", "1")]),
                event("maybe"),
                "unknown status 'maybe'",
            ),
        ];
        for (endpoint, query, body, expected) in cases {
            assert_eq!(parse(endpoint, &query, &body).unwrap_err().0, expected, "{endpoint:?}");
        }
        let err = parse(Endpoint::Status, &[], b"{not json").unwrap_err().0;
        assert!(err.starts_with("the body is not JSON"), "{err}");
    }
}
