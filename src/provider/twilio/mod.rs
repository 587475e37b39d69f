//! Twilio: request signatures, form posts -> events, actions -> TwiML, and a small client
//! for its REST API (`rest`).
//!
//! URLs in TwiML are relative (`menu?s=3`), so they resolve against the document that
//! holds them and the service may live under any path prefix.

pub mod client;
pub mod rest;
mod signature;
mod twiml;
pub mod voices;

pub use signature::{signature, verify};
pub use twiml::{render, RenderContext};

/// The header a webhook's signature comes in.
pub const SIGNATURE_HEADER: &str = "X-Twilio-Signature";

use crate::domain::call::{DialStatus, Event};

pub use super::events::{
    ConfirmReport, ConfirmWhat, Endpoint, Inbound, ParseError, PlannedReport, PlannedWhat, Reported, RoundReport,
    RoundWhat, WaveReport,
};

/// The absolute URL of `endpoint` under the service's public URL, with `query`.
fn endpoint_url(public_url: &str, endpoint: Endpoint, query: &str) -> Result<url::Url, url::ParseError> {
    url::Url::parse(&format!("{}/twilio/{}?{query}", public_url.trim_end_matches('/'), endpoint.path()))
}

/// The absolute URLs a helper's REST-created leg uses: the whisper and its status callback.
pub fn wave_urls(public_url: &str, call_sid: &str, attempt: u32) -> Result<(url::Url, url::Url), url::ParseError> {
    let query = format!("call={call_sid}&n={attempt}");
    Ok((
        endpoint_url(public_url, Endpoint::WaveWhisper, &query)?,
        endpoint_url(public_url, Endpoint::WaveStatus, &query)?,
    ))
}

/// The absolute URLs of the resident's call (call back later): what they hear when they
/// pick up, and its status callback.
pub fn resident_urls(public_url: &str, search_sid: &str) -> Result<(url::Url, url::Url), url::ParseError> {
    let query = format!("call={search_sid}");
    Ok((
        endpoint_url(public_url, Endpoint::ResidentAnswer, &query)?,
        endpoint_url(public_url, Endpoint::ResidentStatus, &query)?,
    ))
}

/// The absolute URLs of a call of the good-morning round: what is heard when it is picked
/// up, and its status callback (none for the desk phone, whose end changes nothing).
pub fn round_urls(
    public_url: &str,
    morning: i64,
    who: crate::domain::round::Who,
) -> Result<(url::Url, Option<url::Url>), url::ParseError> {
    use crate::domain::round::Who;
    let url = |endpoint, query: &str| endpoint_url(public_url, endpoint, query);
    Ok(match who {
        Who::Resident(n) => {
            let query = format!("m={morning}&n={n}");
            (url(Endpoint::RoundAnswer, &query)?, Some(url(Endpoint::RoundStatus, &query)?))
        }
        Who::Contact(i) => {
            let query = format!("m={morning}&i={i}");
            (url(Endpoint::ContactAnswer, &query)?, Some(url(Endpoint::ContactStatus, &query)?))
        }
        Who::Desk => (url(Endpoint::DeskAlert, &format!("m={morning}"))?, None),
    })
}

/// The absolute URLs of a call back that confirms change `id`: what is heard when it is
/// picked up, and its status callback.
pub fn confirm_urls(public_url: &str, id: i64) -> Result<(url::Url, url::Url), url::ParseError> {
    let query = format!("c={id}");
    Ok((
        endpoint_url(public_url, Endpoint::ConfirmAnswer, &query)?,
        endpoint_url(public_url, Endpoint::ConfirmStatus, &query)?,
    ))
}

/// The absolute URLs of planned call `call` (issue 28): what is heard when it is picked
/// up, and its status callback.
pub fn planned_urls(public_url: &str, call: i64) -> Result<(url::Url, url::Url), url::ParseError> {
    let query = format!("p={call}");
    Ok((
        endpoint_url(public_url, Endpoint::PlannedAnswer, &query)?,
        endpoint_url(public_url, Endpoint::PlannedStatus, &query)?,
    ))
}

/// The absolute URL of the announcement to the held caller of `call_sid` that the helper of
/// `attempt` is coming (a conference participant's `AnnounceUrl`).
pub fn announce_url(public_url: &str, call_sid: &str, attempt: u32) -> Result<url::Url, url::ParseError> {
    endpoint_url(public_url, Endpoint::Announce, &format!("call={call_sid}&n={attempt}"))
}

/// Where the leg of the helper of `attempt` is redirected (REST update with `Url`) when
/// someone else said yes while they still heard the request: their thank-you (issue 31).
pub fn thanks_url(public_url: &str, call_sid: &str, attempt: u32) -> Result<url::Url, url::ParseError> {
    endpoint_url(public_url, Endpoint::WaveThanks, &format!("call={call_sid}&n={attempt}"))
}

/// Where a held caller is sent when the search ends without a yes (REST redirect): the
/// hold's own action, answering document `seq`.
pub fn hold_done_url(public_url: &str, seq: u64) -> Result<url::Url, url::ParseError> {
    endpoint_url(public_url, Endpoint::HoldDone, &format!("s={seq}"))
}

/// Form or query parameters, as sent.
pub type Params = [(String, String)];

fn get<'p>(params: &'p Params, name: &str) -> Option<&'p str> {
    params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

fn require<'p>(params: &'p Params, name: &str) -> Result<&'p str, ParseError> {
    get(params, name).filter(|v| !v.is_empty()).ok_or_else(|| ParseError(format!("missing parameter {name}")))
}

fn valid_sid(sid: &str) -> Result<&str, ParseError> {
    if sid.len() >= 10 && sid.len() <= 64 && sid.chars().all(|c| c.is_ascii_alphanumeric()) {
        Ok(sid)
    } else {
        Err(ParseError("CallSid is not a call identifier".into()))
    }
}

fn number<T: std::str::FromStr>(params: &Params, name: &str) -> Result<T, ParseError> {
    require(params, name)?.parse().map_err(|_| ParseError(format!("parameter {name} is not a number")))
}

fn dial_status(params: &Params) -> Result<DialStatus, ParseError> {
    Ok(match require(params, "DialCallStatus")? {
        "completed" => DialStatus::Completed,
        "answered" => DialStatus::Answered,
        "no-answer" => DialStatus::NoAnswer,
        "busy" => DialStatus::Busy,
        "failed" => DialStatus::Failed,
        "canceled" => DialStatus::Canceled,
        other => return Err(ParseError(format!("unknown DialCallStatus '{other}'"))),
    })
}

/// A call's final `CallStatus`, or `None` while it is still going.
fn final_status(form: &Params) -> Result<Option<DialStatus>, ParseError> {
    Ok(match require(form, "CallStatus")? {
        "completed" => Some(DialStatus::Completed),
        "no-answer" => Some(DialStatus::NoAnswer),
        "busy" => Some(DialStatus::Busy),
        "failed" => Some(DialStatus::Failed),
        "canceled" => Some(DialStatus::Canceled),
        _ => None,
    })
}

fn digits(params: &Params) -> Option<String> {
    get(params, "Digits").filter(|d| !d.is_empty() && *d != "hangup" && d.len() <= 8).map(str::to_string)
}

/// Reads a webhook: `query` from the URL we rendered, `form` from Twilio's POST body.
pub fn parse(endpoint: Endpoint, query: &Params, form: &Params) -> Result<Inbound, ParseError> {
    // An announcement's request is about the caller named in our URL; which parameters
    // Twilio sends with it is not documented, so `CallSid` is not required there.
    let call_sid = match endpoint {
        Endpoint::Announce => valid_sid(require(query, "call")?)?.to_string(),
        _ => valid_sid(require(form, "CallSid")?)?.to_string(),
    };
    let from = get(form, "From").unwrap_or("").to_string();
    let to = get(form, "To").unwrap_or("").to_string();
    let seq = || number::<u64>(query, "s");
    let attempt = || number::<u32>(query, "n");
    let (call_sid, seq, report) = match endpoint {
        Endpoint::ConfirmAnswer | Endpoint::ConfirmKey | Endpoint::ConfirmStatus => {
            let id = number::<i64>(query, "c")?;
            let what = match endpoint {
                Endpoint::ConfirmAnswer => Some(ConfirmWhat::Answered),
                Endpoint::ConfirmKey => Some(ConfirmWhat::Key { seq: seq()?, key: digits(form) }),
                _ => final_status(form)?.map(ConfirmWhat::Ended),
            };
            (call_sid, None, what.map_or(Reported::Nothing, |what| Reported::Confirm(ConfirmReport { id, what })))
        }
        Endpoint::PlannedAnswer | Endpoint::PlannedKey | Endpoint::PlannedStatus => {
            let call = number::<i64>(query, "p")?;
            let what = match endpoint {
                Endpoint::PlannedAnswer => Some(PlannedWhat::Answered),
                Endpoint::PlannedKey => Some(PlannedWhat::Key(digits(form))),
                _ => final_status(form)?.map(PlannedWhat::Ended),
            };
            (call_sid, None, what.map_or(Reported::Nothing, |what| Reported::Planned(PlannedReport { call, what })))
        }
        Endpoint::RoundAnswer
        | Endpoint::RoundKey
        | Endpoint::RoundStatus
        | Endpoint::ContactAnswer
        | Endpoint::ContactKey
        | Endpoint::ContactStatus
        | Endpoint::DeskAlert => {
            use crate::domain::round::Who;
            let morning = number::<i64>(query, "m")?;
            let who = match endpoint {
                Endpoint::RoundAnswer | Endpoint::RoundKey | Endpoint::RoundStatus => Who::Resident(attempt()?),
                Endpoint::DeskAlert => Who::Desk,
                _ => Who::Contact(number::<usize>(query, "i")?),
            };
            let what = match endpoint {
                Endpoint::RoundAnswer | Endpoint::ContactAnswer | Endpoint::DeskAlert => Some(RoundWhat::Answered),
                Endpoint::RoundKey | Endpoint::ContactKey => Some(RoundWhat::Key(digits(form))),
                _ => final_status(form)?.map(RoundWhat::Ended),
            };
            // The resident's call may have become a call for help (2): its end is that
            // call's end too (`Inbound::event`).
            (call_sid, None, what.map_or(Reported::Nothing, |what| Reported::Round(RoundReport { morning, who, what })))
        }
        Endpoint::Voice => (call_sid, None, Reported::Call(Event::Incoming)),
        Endpoint::Menu => (call_sid, Some(seq()?), Reported::Call(Event::MenuKey(digits(form)))),
        Endpoint::Settings => (call_sid, Some(seq()?), Reported::Call(Event::SettingsKey(digits(form)))),
        Endpoint::HelperDone => {
            let bridged = match get(form, "DialBridged") {
                Some("true") => Some(true),
                Some("false") => Some(false),
                _ => None,
            };
            (
                call_sid,
                Some(seq()?),
                Reported::Call(Event::HelperDialEnded { attempt: attempt()?, status: dial_status(form)?, bridged }),
            )
        }
        Endpoint::DeskDone => {
            (call_sid, Some(seq()?), Reported::Call(Event::DeskDialEnded { status: dial_status(form)? }))
        }
        Endpoint::Recorded => {
            let url = get(form, "RecordingUrl")
                .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
                .map(str::to_string);
            let duration = get(form, "RecordingDuration").and_then(|d| d.parse().ok()).unwrap_or(0);
            (call_sid, Some(seq()?), Reported::Call(Event::Recorded { recording_url: url, duration_seconds: duration }))
        }
        // `<Hangup/>` ends a whisper on Twilio: this is never asked (`Action::LetHelperGo`).
        Endpoint::WhisperOver => return Err(ParseError("whisper-over is not a Twilio webhook".into())),
        Endpoint::Whisper | Endpoint::WhisperKey => {
            // The request comes from the helper's leg; the caller's call is in our URL.
            let parent = valid_sid(require(query, "call")?)?.to_string();
            if let Some(p) = get(form, "ParentCallSid") {
                if p != parent {
                    return Err(ParseError("ParentCallSid does not match the call in the URL".into()));
                }
            }
            let event = if endpoint == Endpoint::Whisper {
                Event::HelperAnswered { attempt: attempt()? }
            } else {
                Event::HelperKey { attempt: attempt()?, key: digits(form) }
            };
            (parent, None, Reported::Call(event))
        }
        Endpoint::HoldWait => (valid_sid(require(query, "call")?)?.to_string(), None, Reported::Call(Event::HoldTick)),
        Endpoint::HelperWait => (
            valid_sid(require(query, "call")?)?.to_string(),
            None,
            Reported::Call(Event::HelperWaitTick { attempt: attempt()? }),
        ),
        Endpoint::Conference => {
            // `CallSid` is the participant's call; the conference is named after the held call.
            let held = valid_sid(require(query, "call")?)?.to_string();
            if require(form, "StatusCallbackEvent")? == "participant-join" {
                let conference = valid_sid(require(form, "ConferenceSid")?)?.to_string();
                (held, None, Reported::Wave(WaveReport::Entered { participant: call_sid, conference }))
            } else {
                (held, None, Reported::Nothing)
            }
        }
        Endpoint::Announce => (call_sid, None, Reported::Wave(WaveReport::Announce { attempt: attempt()? })),
        Endpoint::HoldDone => (call_sid, Some(seq()?), Reported::Call(Event::HoldEnded)),
        Endpoint::CallbackOffer => (call_sid, Some(seq()?), Reported::Call(Event::CallbackKey(digits(form)))),
        Endpoint::ResidentAnswer | Endpoint::ResidentStatus => {
            let parent = valid_sid(require(query, "call")?)?.to_string();
            let wave = if endpoint == Endpoint::ResidentAnswer {
                Some(WaveReport::ResidentAnswered)
            } else {
                final_status(form)?.map(|status| WaveReport::ResidentEnded { status })
            };
            (parent, None, wave.map_or(Reported::Nothing, Reported::Wave))
        }
        Endpoint::WaveWhisper | Endpoint::WaveKey | Endpoint::WaveStatus | Endpoint::WaveThanks => {
            // From the helper's own leg; the caller's call is in our URL.
            let parent = valid_sid(require(query, "call")?)?.to_string();
            let attempt = attempt()?;
            let wave = match endpoint {
                Endpoint::WaveWhisper => Some(WaveReport::Answered { attempt }),
                Endpoint::WaveKey => Some(WaveReport::Key { attempt, key: digits(form) }),
                Endpoint::WaveThanks => Some(WaveReport::Thanks { attempt }),
                _ => final_status(form)?.map(|status| WaveReport::Ended { attempt, status }),
            };
            (parent, None, wave.map_or(Reported::Nothing, Reported::Wave))
        }
        Endpoint::Status => {
            let report = match require(form, "CallStatus")? {
                "completed" | "canceled" | "failed" | "busy" | "no-answer" => Reported::Call(Event::CallerGone),
                _ => Reported::Nothing,
            };
            (call_sid, None, report)
        }
    };
    let caller_gone =
        matches!(
            endpoint,
            Endpoint::Menu
                | Endpoint::Settings
                | Endpoint::HelperDone
                | Endpoint::DeskDone
                | Endpoint::Recorded
                | Endpoint::HoldDone
                | Endpoint::CallbackOffer
        ) && matches!(get(form, "CallStatus"), Some("completed" | "canceled" | "failed" | "busy" | "no-answer"));
    let conference_took_place = endpoint == Endpoint::HoldDone && get(form, "DialCallStatus") == Some("answered");
    let helper_leg = match endpoint {
        Endpoint::HelperDone => get(form, "DialCallSid"),
        Endpoint::Whisper => get(form, "ParentCallSid").and(get(form, "CallSid")),
        _ => None,
    }
    .and_then(|sid| valid_sid(sid).ok())
    .and_then(|sid| Some((number::<u32>(query, "n").ok()?, sid.to_string())));
    Ok(Inbound { call_sid, seq, from, to, report, caller_gone, conference_took_place, helper_leg })
}

/// Parses `a=1&b=2` into pairs, keeping order and duplicates.
pub fn parse_pairs(bytes: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(bytes).into_owned().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    #[test]
    fn every_endpoint_is_found_by_its_own_path_and_no_other() {
        for e in Endpoint::ALL {
            assert_eq!(Endpoint::from_path(e.path()), Some(e), "{e:?}");
            assert!(!e.path().is_empty() && e.path().bytes().all(|b| b.is_ascii_lowercase() || b == b'-'), "{e:?}");
        }
        let paths: std::collections::HashSet<&str> = Endpoint::ALL.iter().map(|e| e.path()).collect();
        assert_eq!(paths.len(), Endpoint::ALL.len(), "two endpoints share a path");
        let endpoints: std::collections::HashSet<Endpoint> = Endpoint::ALL.into_iter().collect();
        assert_eq!(endpoints.len(), Endpoint::ALL.len(), "an endpoint is listed twice");
        for unknown in ["", "Voice", "voice/", "twilio/voice", "nope"] {
            assert_eq!(Endpoint::from_path(unknown), None, "{unknown:?}");
        }
    }

    /// ARCHITECTURE.md's API boundaries name every webhook, so a new one is documented.
    #[test]
    fn the_architecture_names_every_endpoint() {
        let doc = include_str!("../../../ARCHITECTURE.md");
        let api = &doc[doc.find("## API boundaries").expect("the section")..];
        for e in Endpoint::ALL {
            let path = e.path();
            assert!(
                api.contains(&format!("`{path}`")) || api.contains(&format!("`POST /twilio/{path}`")),
                "ARCHITECTURE.md's API boundaries do not name `{path}`"
            );
        }
    }

    /// The announcement's request is for the caller in our URL, whatever Twilio sends with it.
    #[test]
    fn an_announcement_is_for_the_caller_in_its_url() {
        let query = p(&[("call", "CAcaller00001"), ("n", "3")]);
        let announce = parse(Endpoint::Announce, &query, &p(&[("ConferenceSid", "CFroom0000001")])).unwrap();
        assert_eq!(announce.call_sid, "CAcaller00001");
        assert_eq!(announce.report, Reported::Wave(WaveReport::Announce { attempt: 3 }));
        assert!(parse(Endpoint::Announce, &p(&[("n", "3")]), &p(&[("CallSid", "CAcaller00001")])).is_err());
        let url = announce_url("https://bl.example/", "CAcaller00001", 3).unwrap();
        assert_eq!(url.as_str(), "https://bl.example/twilio/announce?call=CAcaller00001&n=3");
    }

    #[test]
    fn the_helper_s_leg_is_named_by_the_dial_action_and_the_whisper() {
        let done = parse(
            Endpoint::HelperDone,
            &p(&[("s", "4"), ("n", "2")]),
            &p(&[("CallSid", "CAparent0001"), ("DialCallStatus", "completed"), ("DialCallSid", "CAchild00002")]),
        )
        .unwrap();
        assert_eq!(done.helper_leg, Some((2, "CAchild00002".to_string())));
        let whisper = parse(
            Endpoint::Whisper,
            &p(&[("call", "CAparent0001"), ("n", "3")]),
            &p(&[("CallSid", "CAchild00003"), ("ParentCallSid", "CAparent0001")]),
        )
        .unwrap();
        assert_eq!(whisper.helper_leg, Some((3, "CAchild00003".to_string())));
        let menu =
            parse(Endpoint::Menu, &p(&[("s", "1")]), &p(&[("CallSid", "CAparent0001"), ("Digits", "1")])).unwrap();
        assert_eq!(menu.helper_leg, None);
    }

    #[test]
    fn helper_done_reads_status_and_bridged() {
        let got = parse(
            Endpoint::HelperDone,
            &p(&[("s", "4"), ("n", "2")]),
            &p(&[("CallSid", "CA0123456789"), ("DialCallStatus", "completed"), ("DialBridged", "false")]),
        )
        .unwrap();
        assert_eq!(got.seq, Some(4));
        assert_eq!(
            got.event(),
            Some(Event::HelperDialEnded { attempt: 2, status: DialStatus::Completed, bridged: Some(false) })
        );
    }

    #[test]
    fn whisper_belongs_to_the_parent_call() {
        let got = parse(
            Endpoint::WhisperKey,
            &p(&[("call", "CAparent0001"), ("n", "1")]),
            &p(&[("CallSid", "CAchild00001"), ("ParentCallSid", "CAparent0001"), ("Digits", "1")]),
        )
        .unwrap();
        assert_eq!(got.call_sid, "CAparent0001");
        assert_eq!(got.event(), Some(Event::HelperKey { attempt: 1, key: Some("1".into()) }));
        let err = parse(
            Endpoint::WhisperKey,
            &p(&[("call", "CAparent0001"), ("n", "1")]),
            &p(&[("CallSid", "CAchild00001"), ("ParentCallSid", "CAother00001")]),
        );
        assert!(err.is_err());
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        // (endpoint, query, form, expected error)
        type Case = (Endpoint, Vec<(String, String)>, Vec<(String, String)>, &'static str);
        let cases: Vec<Case> = vec![
            (Endpoint::Voice, p(&[]), p(&[]), "missing parameter CallSid"),
            (Endpoint::Voice, p(&[]), p(&[("CallSid", "<script>")]), "CallSid is not a call identifier"),
            (Endpoint::Menu, p(&[("s", "x")]), p(&[("CallSid", "CA0123456789")]), "parameter s is not a number"),
            (
                Endpoint::HelperDone,
                p(&[("s", "1"), ("n", "1")]),
                p(&[("CallSid", "CA0123456789"), ("DialCallStatus", "maybe")]),
                "unknown DialCallStatus 'maybe'",
            ),
            (Endpoint::Status, p(&[]), p(&[("CallSid", "CA0123456789")]), "missing parameter CallStatus"),
        ];
        for (endpoint, query, form, expected) in cases {
            assert_eq!(parse(endpoint, &query, &form).unwrap_err().0, expected);
        }
    }

    #[test]
    fn status_callbacks_only_end_on_final_statuses() {
        let form = |s: &str| p(&[("CallSid", "CA0123456789"), ("CallStatus", s)]);
        assert_eq!(parse(Endpoint::Status, &[], &form("completed")).unwrap().event(), Some(Event::CallerGone));
        assert_eq!(parse(Endpoint::Status, &[], &form("in-progress")).unwrap().report, Reported::Nothing);
    }

    #[test]
    fn wave_reports_belong_to_the_held_call() {
        let q = p(&[("call", "CAparent0001"), ("n", "3")]);
        let leg = |extra: &[(&str, &str)]| {
            let mut form = p(&[("CallSid", "CAleg0000001")]);
            form.extend(p(extra));
            form
        };
        let got = parse(Endpoint::WaveKey, &q, &leg(&[("Digits", "1")])).unwrap();
        assert_eq!(
            (got.call_sid.as_str(), got.report),
            ("CAparent0001", Reported::Wave(WaveReport::Key { attempt: 3, key: Some("1".into()) }))
        );
        let got = parse(Endpoint::WaveStatus, &q, &leg(&[("CallStatus", "no-answer")])).unwrap();
        assert_eq!(got.report, Reported::Wave(WaveReport::Ended { attempt: 3, status: DialStatus::NoAnswer }));
        assert_eq!(
            parse(Endpoint::WaveStatus, &q, &leg(&[("CallStatus", "ringing")])).unwrap().report,
            Reported::Nothing
        );
        assert_eq!(
            parse(Endpoint::WaveWhisper, &q, &leg(&[])).unwrap().report,
            Reported::Wave(WaveReport::Answered { attempt: 3 })
        );
        assert!(parse(Endpoint::WaveKey, &p(&[("n", "3")]), &leg(&[])).is_err());
        // Issue 31: the thank-you a listening helper's leg is redirected to.
        let url = thanks_url("https://bl.example/", "CAparent0001", 3).unwrap();
        assert_eq!(url.as_str(), "https://bl.example/twilio/wave-thanks?call=CAparent0001&n=3");
        let query: Vec<(String, String)> = url.query_pairs().map(|(k, v)| (k.into(), v.into())).collect();
        let got = parse(Endpoint::WaveThanks, &query, &leg(&[("CallStatus", "in-progress")])).unwrap();
        assert_eq!(
            (got.call_sid.as_str(), got.report),
            ("CAparent0001", Reported::Wave(WaveReport::Thanks { attempt: 3 }))
        );
        let entered = |event: &str| {
            parse(
                Endpoint::Conference,
                &p(&[("call", "CAparent0001")]),
                &p(&[("CallSid", "CAleg0000001"), ("ConferenceSid", "CF0000000001"), ("StatusCallbackEvent", event)]),
            )
        };
        let got = entered("participant-join").unwrap();
        assert_eq!(
            (got.call_sid.as_str(), got.report),
            (
                "CAparent0001",
                Reported::Wave(WaveReport::Entered {
                    participant: "CAleg0000001".into(),
                    conference: "CF0000000001".into()
                })
            )
        );
        assert_eq!(entered("conference-end").unwrap().report, Reported::Nothing);
        assert!(parse(
            Endpoint::Conference,
            &p(&[("call", "CAparent0001")]),
            &p(&[("CallSid", "CAleg0000001"), ("StatusCallbackEvent", "participant-join")])
        )
        .is_err());
        let got = parse(
            Endpoint::HoldDone,
            &p(&[("s", "4")]),
            &p(&[("CallSid", "CAparent0001"), ("CallStatus", "completed")]),
        )
        .unwrap();
        assert_eq!((got.seq, got.report, got.caller_gone), (Some(4), Reported::Call(Event::HoldEnded), true));
        assert!(!got.conference_took_place);
        let after_a_conference = |status: &str| {
            let form = p(&[("CallSid", "CAparent0001"), ("CallStatus", "in-progress"), ("DialCallStatus", status)]);
            parse(Endpoint::HoldDone, &p(&[("s", "4")]), &form).unwrap().conference_took_place
        };
        assert!(after_a_conference("answered"), "Twilio's status after a conference");
        assert!(!after_a_conference("failed"));
    }

    #[test]
    fn round_reports_name_the_morning_and_who() {
        use crate::domain::round::Who;
        let leg = |extra: &[(&str, &str)]| {
            let mut form = p(&[("CallSid", "CAround00001")]);
            form.extend(p(extra));
            form
        };
        let got = parse(Endpoint::RoundKey, &p(&[("m", "7"), ("n", "2")]), &leg(&[("Digits", "1")])).unwrap();
        assert_eq!(
            got.report,
            Reported::Round(RoundReport { morning: 7, who: Who::Resident(2), what: RoundWhat::Key(Some("1".into())) })
        );
        let got = parse(Endpoint::ContactStatus, &p(&[("m", "7"), ("i", "1")]), &leg(&[("CallStatus", "busy")]));
        let got = got.unwrap();
        assert_eq!(
            got.report,
            Reported::Round(RoundReport { morning: 7, who: Who::Contact(1), what: RoundWhat::Ended(DialStatus::Busy) })
        );
        assert_eq!(got.event(), None, "a contact's call is no call for help");
        let ended = parse(Endpoint::RoundStatus, &p(&[("m", "7"), ("n", "1")]), &leg(&[("CallStatus", "completed")]));
        assert_eq!(ended.unwrap().event(), Some(Event::CallerGone), "a call for help it became ends with it");
        let ringing = parse(Endpoint::RoundStatus, &p(&[("m", "7"), ("n", "1")]), &leg(&[("CallStatus", "ringing")]));
        assert_eq!(ringing.unwrap().report, Reported::Nothing);
        assert_eq!(
            parse(Endpoint::RoundKey, &p(&[("m", "x"), ("n", "1")]), &leg(&[])).unwrap_err().0,
            "parameter m is not a number"
        );
    }

    #[test]
    fn confirm_reports_name_the_confirmation() {
        let leg = |extra: &[(&str, &str)]| {
            let mut form = p(&[("CallSid", "CAconfirm001")]);
            form.extend(p(extra));
            form
        };
        let got = parse(Endpoint::ConfirmKey, &p(&[("c", "3"), ("s", "1")]), &leg(&[("Digits", "1")])).unwrap();
        assert_eq!(
            (got.call_sid.as_str(), got.report),
            (
                "CAconfirm001",
                Reported::Confirm(ConfirmReport { id: 3, what: ConfirmWhat::Key { seq: 1, key: Some("1".into()) } })
            )
        );
        let got = parse(Endpoint::ConfirmStatus, &p(&[("c", "3")]), &leg(&[("CallStatus", "no-answer")])).unwrap();
        assert_eq!(
            got.report,
            Reported::Confirm(ConfirmReport { id: 3, what: ConfirmWhat::Ended(DialStatus::NoAnswer) })
        );
        let ringing = parse(Endpoint::ConfirmStatus, &p(&[("c", "3")]), &leg(&[("CallStatus", "ringing")]));
        assert_eq!(ringing.unwrap().report, Reported::Nothing);
        assert_eq!(
            parse(Endpoint::ConfirmAnswer, &p(&[("c", "3")]), &leg(&[])).unwrap().report,
            Reported::Confirm(ConfirmReport { id: 3, what: ConfirmWhat::Answered })
        );
        assert!(parse(Endpoint::ConfirmKey, &p(&[("c", "3")]), &leg(&[])).is_err(), "the document it answers");
        assert!(parse(Endpoint::ConfirmAnswer, &p(&[("c", "x")]), &leg(&[])).is_err());
        assert_eq!(Endpoint::from_path(Endpoint::ConfirmKey.path()), Some(Endpoint::ConfirmKey));
    }

    #[test]
    fn menu_silence_and_hangup_digits_are_no_key() {
        let q = p(&[("s", "1")]);
        let ev = |d: Option<&str>| {
            let mut form = p(&[("CallSid", "CA0123456789")]);
            if let Some(d) = d {
                form.push(("Digits".into(), d.into()));
            }
            parse(Endpoint::Menu, &q, &form).unwrap().report
        };
        assert_eq!(ev(None), Reported::Call(Event::MenuKey(None)));
        assert_eq!(ev(Some("")), Reported::Call(Event::MenuKey(None)));
        assert_eq!(ev(Some("hangup")), Reported::Call(Event::MenuKey(None)));
        assert_eq!(ev(Some("3")), Reported::Call(Event::MenuKey(Some("3".into()))));
    }
}
