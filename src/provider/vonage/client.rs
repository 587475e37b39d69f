//! The switchboard's typed commands (`provider::commands`) carried out through Vonage's
//! REST API (`rest`), as `provider::twilio::client` does through Twilio's: a call's purpose
//! becomes the URLs of our webhooks under `/vonage/`, an update becomes a transfer or a
//! hangup, and Vonage's errors become the kinds the switchboard acts on (`ProviderError`).
//!
//! A rendered document played on a live leg (`Update::Play`) is a transfer to that NCCO;
//! telling a held caller alone who comes (`announce`) is speech played into their call
//! (`PUT /v1/calls/{uuid}/talk`, which a leg in a conversation hears alone).
//!
//! The records of a conversation (`conference_records`) are another API's (the
//! Conversation API): none are read, so they never tell. Not wired, a
//! `ProviderError::Refused` that says so (docs/connect.md, "Vonage"): deleting a call's
//! record (Vonage's Voice API has no such request). The good-morning
//! round's call to the desk phone has no event URL
//! of its own: it is created without one, so its events go to the application's. What
//! differs from Twilio: no per-call fallback URL (Vonage asks
//! the application's `fallback_answer_url`), and answering-machine detection only reports
//! a machine (`continue`), it does not wait for the beep.

use super::rest::{self, Answer, CreateCall, RestClient, RestError, Talk, UpdateCall};
use crate::domain::call::DialStatus;
use crate::domain::waves::ConferenceFacts;
use crate::provider::commands::{NewCall, ProviderError, Recording, Update};

impl From<RestError> for ProviderError {
    fn from(e: RestError) -> ProviderError {
        let message = e.to_string();
        match e {
            e if e.is_not_found() => ProviderError::NotFound(message),
            e if e.is_passing() => ProviderError::Passing(message),
            _ => ProviderError::Refused(message),
        }
    }
}

/// A command Vonage is not asked for yet, refused with what it was.
fn not_wired(what: &str) -> ProviderError {
    ProviderError::Refused(format!("{what} is not wired for Vonage yet (docs/connect.md, \"Vonage\")"))
}

/// The call as Vonage's create request.
pub fn create_request(public_url: &str, call: &NewCall) -> Result<CreateCall, ProviderError> {
    let (answer, event_url) = super::created_call_urls(public_url, &call.purpose)?;
    Ok(CreateCall {
        to: call.to.as_str().to_string(),
        from: call.from.as_str().to_string(),
        answer: Answer::Url(answer),
        event_url,
        machine_detection: call.machine_detection.map(|_| rest::MachineDetection::Continue),
        ringing_timer: Some(call.timeout_secs),
        length_timer: None,
    })
}

/// Places `call`: its `uuid`.
pub async fn create_call(rest: &RestClient, public_url: &str, call: &NewCall) -> Result<String, ProviderError> {
    let create = create_request(public_url, call)?;
    Ok(rest.create_call(&create).await?.uuid)
}

/// The request for `update` of live call `call_sid`.
pub fn update_request(public_url: &str, call_sid: &str, update: &Update) -> Result<UpdateCall, ProviderError> {
    Ok(match update {
        Update::Play(document) => UpdateCall::TransferNcco(
            serde_json::from_str(document)
                .map_err(|e| ProviderError::Refused(format!("a document to play is not an NCCO: {e}")))?,
        ),
        Update::MoveOn { seq } => UpdateCall::TransferUrl(super::hold_done_url(public_url, call_sid, *seq)?),
        Update::Thank { call_sid, attempt } => {
            UpdateCall::TransferUrl(super::thanks_url(public_url, call_sid, *attempt)?)
        }
        Update::Cancel | Update::HangUp => UpdateCall::Hangup,
    })
}

/// Changes live call `call_sid` as `request` says. Vonage's answer (204) says nothing of
/// the call's status: `None`.
pub async fn update_call(
    rest: &RestClient,
    call_sid: &str,
    request: UpdateCall,
) -> Result<Option<DialStatus>, ProviderError> {
    rest.update_call(call_sid, &request).await?;
    Ok(None)
}

/// What `document` (an NCCO we rendered) says, as one piece of speech: the texts of its
/// `talk` actions in order, in the first one's language and style. `None` when it says
/// nothing.
pub fn talk_of(document: &str) -> Option<Talk> {
    let actions: Vec<serde_json::Value> = serde_json::from_str(document).ok()?;
    let talks: Vec<&serde_json::Value> = actions.iter().filter(|a| a["action"] == "talk").collect();
    let first = talks.first()?;
    let inner = |t: &serde_json::Value| -> String {
        let text = t["text"].as_str().unwrap_or_default();
        text.strip_prefix("<speak>").and_then(|t| t.strip_suffix("</speak>")).unwrap_or(text).to_string()
    };
    let text = talks.iter().map(|t| inner(t)).collect::<Vec<_>>().join(" ");
    Some(Talk {
        text: format!("<speak>{text}</speak>"),
        language: first["language"].as_str().unwrap_or("nl-NL").to_string(),
        style: first["style"].as_u64().and_then(|s| u32::try_from(s).ok()).unwrap_or(0),
    })
}

/// Tells the held caller `call_sid` alone what `document` says: speech played into their
/// call, which they hear where they wait ("Play text to speech into a call"). Sent once.
pub async fn announce(rest: &RestClient, call_sid: &str, document: &str) -> Result<(), ProviderError> {
    let Some(talk) = talk_of(document) else { return Ok(()) };
    Ok(rest.talk(call_sid, &talk).await?)
}

/// The records of the conversations named so: none. The Voice API keeps no records of a
/// conversation's members (they belong to the Conversation API, which Burenlijn does not
/// use), so the records never tell, and a match whose join was never reported is left
/// for the desk to check as unconfirmed (`switchboard::jobs`). Joins are reported by each
/// leg's `transfer` event.
pub async fn conference_records() -> Result<Vec<ConferenceFacts>, ProviderError> {
    Ok(Vec::new())
}

/// A recording is named by its URL (Vonage's `recording_url`), when Vonage serves it.
pub fn recording_id(rest: &RestClient, recording_url: &str) -> Option<String> {
    rest.recording_url(recording_url).ok().map(|u| u.to_string())
}

pub async fn fetch_recording(rest: &RestClient, recording_id: &str) -> Result<Recording, ProviderError> {
    let bytes = rest.fetch_recording(recording_id).await?;
    Ok(Recording { bytes, content_type: None, content_length: None })
}

pub async fn delete_call() -> Result<(), ProviderError> {
    Err(not_wired("deleting a call's record"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::phone::PhoneNumber;
    use crate::domain::round::Who;
    use crate::provider::commands::Purpose;

    fn call(purpose: Purpose) -> NewCall {
        NewCall {
            to: PhoneNumber::parse("+31610000001").unwrap(),
            from: PhoneNumber::parse("+31850000000").unwrap(),
            purpose,
            timeout_secs: 20,
            machine_detection: None,
            fallback_url: None,
        }
    }

    #[test]
    fn a_created_call_reports_under_vonage_and_what_is_not_wired_says_so() {
        let leg = Purpose::Leg { call_sid: "aaaaaaaa-bbbb-cccc-dddd-0123456789ab".into(), attempt: 2 };
        let body = create_request("https://bl.example", &call(leg)).unwrap().body();
        assert_eq!(body["to"][0]["number"], "31610000001");
        assert_eq!(
            body["answer_url"][0],
            "https://bl.example/vonage/wave-whisper?call=aaaaaaaa-bbbb-cccc-dddd-0123456789ab&n=2"
        );
        assert_eq!(
            body["event_url"][0],
            "https://bl.example/vonage/wave-status?call=aaaaaaaa-bbbb-cccc-dddd-0123456789ab&n=2"
        );
        assert_eq!(body["ringing_timer"], 20);
        // The round's call to the desk phone: its events go to the application's event URL.
        let desk = Purpose::Round { morning: 7, who: Who::Desk };
        let body = create_request("https://bl.example", &call(desk)).unwrap().body();
        assert_eq!(body["answer_url"][0], "https://bl.example/vonage/desk-alert?m=7");
        assert!(body.get("event_url").is_none() && body.get("event_method").is_none(), "{body}");

        let thank = Update::Thank { call_sid: "aaaaaaaa-bbbb-cccc-dddd-0123456789ab".into(), attempt: 3 };
        let body = update_request("https://bl.example", "bbbbbbbb-bbbb-cccc-dddd-0123456789ab", &thank).unwrap().body();
        assert_eq!(body["action"], "transfer");
        assert_eq!(
            body["destination"]["url"][0],
            "https://bl.example/vonage/wave-thanks?call=aaaaaaaa-bbbb-cccc-dddd-0123456789ab&n=3"
        );
        let hang_up = update_request("https://bl.example", "x", &Update::HangUp).unwrap().body();
        assert_eq!(hang_up["action"], "hangup");
        let play =
            update_request("https://bl.example", "x", &Update::Play(r#"[{"action":"talk","text":"Hoi"}]"#.into()));
        assert_eq!(play.unwrap().body()["destination"]["ncco"][0]["text"], "Hoi");
        assert!(update_request("https://bl.example", "x", &Update::Play("<Response/>".into())).is_err());
    }

    #[test]
    fn an_announcement_is_the_documents_talks_as_one() {
        let document = r#"[{"action":"talk","text":"<speak>Goed nieuws.</speak>","language":"nl-NL","style":4},{"action":"talk","text":"<speak>Bert komt.</speak>","language":"nl-NL","style":4},{"action":"conversation","name":"x"}]"#;
        let talk = talk_of(document).unwrap();
        assert_eq!(
            (talk.text.as_str(), talk.language.as_str(), talk.style),
            ("<speak>Goed nieuws. Bert komt.</speak>", "nl-NL", 4)
        );
        assert_eq!(talk_of("[]"), None, "nothing to say");
        assert_eq!(talk_of("not json"), None);
    }
}
