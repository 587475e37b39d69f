//! The switchboard's typed commands (`provider::commands`) carried out through Twilio's
//! REST API (`rest`): a call's purpose becomes the URLs of our webhooks it reports to,
//! an update becomes a call update, and Twilio's errors become the kinds the switchboard
//! acts on (`ProviderError`).

use super::rest::{CallEvent, CallStatus, CreateCall, RestClient, RestError, UpdateCall};
use crate::domain::call::DialStatus;
use crate::domain::waves::ConferenceFacts;
use crate::provider::commands::{MachineDetection, NewCall, ProviderError, Purpose, Recording, Update};

/// Twilio's error code for "Call is not in-progress. Cannot redirect." (also when a call
/// to be cancelled or completed has ended already).
const CALL_ENDED: i64 = 21220;

impl From<RestError> for ProviderError {
    fn from(e: RestError) -> ProviderError {
        let message = e.to_string();
        match e {
            RestError::Refused { error: Some(super::rest::TwilioError { code: Some(CALL_ENDED), .. }), .. } => {
                ProviderError::AlreadyEnded(message)
            }
            e if e.is_not_found() => ProviderError::NotFound(message),
            e if e.is_passing() => ProviderError::Passing(message),
            _ => ProviderError::Refused(message),
        }
    }
}

/// What is heard when a call for `purpose` is picked up, and its status callback (none for
/// the good-morning round's desk phone).
pub(crate) fn urls(public_url: &str, purpose: &Purpose) -> Result<(url::Url, Option<url::Url>), url::ParseError> {
    let some = |(url, status): (url::Url, url::Url)| (url, Some(status));
    Ok(match purpose {
        Purpose::Leg { call_sid, attempt } => some(super::wave_urls(public_url, call_sid, *attempt)?),
        Purpose::Resident { search_sid } => some(super::resident_urls(public_url, search_sid)?),
        Purpose::Round { morning, who } => super::round_urls(public_url, *morning, *who)?,
        Purpose::Confirm { id } => some(super::confirm_urls(public_url, *id)?),
        Purpose::Planned { call } => some(super::planned_urls(public_url, *call)?),
    })
}

/// The call as Twilio's create request: its end reported when it has a status callback.
pub fn create_request(public_url: &str, call: &NewCall) -> Result<CreateCall, url::ParseError> {
    let (url, status_callback) = urls(public_url, &call.purpose)?;
    Ok(CreateCall {
        to: call.to.as_str().to_string(),
        from: call.from.as_str().to_string(),
        url,
        status_callback_events: if status_callback.is_some() { vec![CallEvent::Completed] } else { Vec::new() },
        status_callback,
        timeout_secs: Some(call.timeout_secs),
        machine_detection: call.machine_detection.map(|m| match m {
            MachineDetection::Enable => super::rest::MachineDetection::Enable,
            MachineDetection::DetectMessageEnd => super::rest::MachineDetection::DetectMessageEnd,
        }),
        fallback_url: call.fallback_url.clone(),
    })
}

/// Places `call`: its `CallSid`.
pub async fn create_call(rest: &RestClient, public_url: &str, call: &NewCall) -> Result<String, ProviderError> {
    let create = create_request(public_url, call)?;
    Ok(rest.create_call(&create).await?.sid)
}

/// Changes a live call: its final status when the answer says it is over.
pub async fn update_call(
    rest: &RestClient,
    public_url: &str,
    call_sid: &str,
    update: &Update,
) -> Result<Option<DialStatus>, ProviderError> {
    let update = match update {
        Update::Play(document) => UpdateCall::Twiml(document.clone()),
        Update::MoveOn { seq } => UpdateCall::Redirect(super::hold_done_url(public_url, *seq)?),
        Update::Thank { call_sid, attempt } => UpdateCall::Redirect(super::thanks_url(public_url, call_sid, *attempt)?),
        Update::Cancel => UpdateCall::Cancel,
        Update::HangUp => UpdateCall::Complete,
    };
    Ok(ended(rest.update_call(call_sid, &update).await?.status))
}

/// A call's status as Twilio gives it, when the call is over.
fn ended(status: CallStatus) -> Option<DialStatus> {
    match status {
        CallStatus::Canceled => Some(DialStatus::Canceled),
        CallStatus::Completed => Some(DialStatus::Completed),
        CallStatus::Busy => Some(DialStatus::Busy),
        CallStatus::Failed => Some(DialStatus::Failed),
        CallStatus::NoAnswer => Some(DialStatus::NoAnswer),
        CallStatus::Queued | CallStatus::Ringing | CallStatus::InProgress | CallStatus::Other => None,
    }
}

/// Tells the held caller of `call_sid`, in conference `conference_sid`, that the helper of
/// `attempt` is coming: a participant announcement (`AnnounceUrl`), heard by them alone.
pub async fn announce(
    rest: &RestClient,
    public_url: &str,
    conference_sid: &str,
    call_sid: &str,
    attempt: u32,
) -> Result<(), ProviderError> {
    let url = super::announce_url(public_url, call_sid, attempt)?;
    Ok(rest.announce_to_participant(conference_sid, call_sid, &url).await?)
}

/// The provider's records of the conferences named `name`: those in progress with who is
/// in them, and those that ended with the call that ended them (their participant lists
/// are empty, so they are not asked for). Any request failing fails them all.
pub async fn conference_records(rest: &RestClient, name: &str) -> Result<Vec<ConferenceFacts>, ProviderError> {
    let mut records = Vec::new();
    for c in rest.list_conferences(name).await? {
        let participants = match c.call_sid_ending_conference {
            None => rest.list_participants(&c.sid).await?.into_iter().map(|p| p.call_sid).collect(),
            Some(_) => Vec::new(),
        };
        records.push(ConferenceFacts { sid: c.sid, ended_by: c.call_sid_ending_conference, participants });
    }
    Ok(records)
}

/// The recording's audio.
pub async fn fetch_recording(rest: &RestClient, recording_sid: &str) -> Result<Recording, ProviderError> {
    Ok(rest.fetch_recording_media(recording_sid).await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::phone::PhoneNumber;
    use crate::domain::round::Who;

    fn call(purpose: Purpose) -> CreateCall {
        let number = |n: &str| PhoneNumber::parse(n).unwrap();
        let call = NewCall {
            to: number("+31612345678"),
            from: number("+31850000000"),
            purpose,
            timeout_secs: 20,
            machine_detection: None,
            fallback_url: None,
        };
        create_request("https://bl.example", &call).unwrap()
    }

    /// Each purpose reports to its own webhooks, its end reported when it has a status
    /// callback (the desk phone of the good-morning round has none).
    #[test]
    fn every_purpose_reports_to_its_own_webhooks() {
        let leg = call(Purpose::Leg { call_sid: "CAparent0001".into(), attempt: 2 });
        assert_eq!(leg.url.as_str(), "https://bl.example/twilio/wave-whisper?call=CAparent0001&n=2");
        assert_eq!(
            leg.status_callback.as_ref().map(|u| u.as_str()),
            Some("https://bl.example/twilio/wave-status?call=CAparent0001&n=2")
        );
        assert_eq!((leg.status_callback_events, leg.timeout_secs), (vec![CallEvent::Completed], Some(20)));
        let desk = call(Purpose::Round { morning: 7, who: Who::Desk });
        assert_eq!(desk.url.as_str(), "https://bl.example/twilio/desk-alert?m=7");
        assert_eq!((desk.status_callback, desk.status_callback_events), (None, Vec::new()));
        let planned = call(Purpose::Planned { call: 4 });
        assert_eq!(planned.url.as_str(), "https://bl.example/twilio/planned-answer?p=4");
        let confirm = call(Purpose::Confirm { id: 3 });
        assert_eq!(confirm.url.as_str(), "https://bl.example/twilio/confirm-answer?c=3");
        let resident = call(Purpose::Resident { search_sid: "CAsearch0001".into() });
        assert_eq!(resident.url.as_str(), "https://bl.example/twilio/resident-answer?call=CAsearch0001");
    }

    /// The switchboard never reads a Twilio error code: 21220 is "the call has ended".
    #[test]
    fn twilio_errors_become_the_kinds_the_switchboard_acts_on() {
        let refused = |status: u16, code: Option<i64>| RestError::Refused {
            status,
            error: Some(super::super::rest::TwilioError { code, message: None, more_info: None, status: Some(status) }),
            body: String::new(),
        };
        assert!(matches!(ProviderError::from(refused(400, Some(21220))), ProviderError::AlreadyEnded(_)));
        assert!(ProviderError::from(refused(404, Some(20404))).is_not_found());
        assert!(matches!(ProviderError::from(refused(400, Some(21201))), ProviderError::Refused(_)));
        let gave_up = RestError::GaveUp { status: 502, attempts: 3, error: None, body: String::new() };
        assert!(ProviderError::from(gave_up).is_passing());
    }
}
