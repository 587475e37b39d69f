//! The typed commands the switchboard sends a provider, whatever the provider: place a call
//! for a purpose, change or end a live call, tell a held caller who comes, read the
//! records of a conference, fetch and delete a recording, delete a call record; and the
//! one error they fail with (`ProviderError`), in the kinds the switchboard acts on.
//! `Client` carries them out through the install's provider; each provider module turns
//! them into its own requests and its own error codes into these kinds.

use std::fmt;

use crate::domain::phone::PhoneNumber;
use crate::domain::round::Who;

/// What a call the switchboard places is for: where its provider reports about it (what
/// is heard when it is picked up, its keys, its end).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// Ringing in waves: attempt `attempt` for the caller of `call_sid`.
    Leg { call_sid: String, attempt: u32 },
    /// Call back later: the resident of the search `search_sid`.
    Resident { search_sid: String },
    /// The good-morning round: `who` of the morning `morning` (the desk phone's end
    /// changes nothing and is not reported).
    Round { morning: i64, who: Who },
    /// The call back that confirms change `id` asked for by phone.
    Confirm { id: i64 },
    /// The planned call `call` (`planned_calls.id`) about help for later.
    Planned { call: i64 },
}

/// A call the switchboard places.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewCall {
    pub to: PhoneNumber,
    /// Our own number, as caller ID.
    pub from: PhoneNumber,
    pub purpose: Purpose,
    /// Seconds it rings before it counts as not answered.
    pub timeout_secs: u32,
    /// Answering-machine detection (none: a voicemail box presses no key, which is enough).
    pub machine_detection: Option<MachineDetection>,
    /// The document the provider runs when a webhook of this call fails, hosted elsewhere.
    pub fallback_url: Option<url::Url>,
}

/// Answering-machine detection on a placed call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MachineDetection {
    /// Told as soon as a person or a machine is recognised.
    Enable,
    /// Waits for the end of a machine's greeting (the beep).
    DetectMessageEnd,
}

/// A change to a live call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Update {
    /// Run this document (rendered by the same provider) now.
    Play(String),
    /// Move the held caller on: the hold's own end, answering document `seq`.
    MoveOn { seq: u64 },
    /// Thank the helper of `attempt` of the search of `call_sid`, who still hears the
    /// request after someone else's yes: their leg is redirected to the thank-you.
    Thank { call_sid: String, attempt: u32 },
    /// End a call that is still queued or ringing.
    Cancel,
    /// End a call whatever its state.
    HangUp,
}

/// Why a request to the provider failed, in the kinds the switchboard acts on.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// The service's public URL does not make the URLs the provider needs.
    #[error("bad public URL: {0}")]
    PublicUrl(#[from] url::ParseError),
    /// The call had ended already (nothing left to stop).
    #[error("{0}")]
    AlreadyEnded(String),
    /// No such thing at the provider (for a delete: it is already gone).
    #[error("{0}")]
    NotFound(String),
    /// Failed for a while (5xx or 429 after the retries), unreachable, or no answer in
    /// time: worth asking again later.
    #[error("{0}")]
    Passing(String),
    /// Refused, or an answer that cannot be read: the same next time.
    #[error("{0}")]
    Refused(String),
}

impl ProviderError {
    pub fn is_not_found(&self) -> bool {
        matches!(self, ProviderError::NotFound(_))
    }

    /// A passing fault, worth asking again later.
    pub fn is_passing(&self) -> bool {
        matches!(self, ProviderError::Passing(_))
    }
}

/// A recording's audio.
#[derive(Clone, PartialEq, Eq)]
pub struct Recording {
    pub bytes: Vec<u8>,
    pub content_type: Option<String>,
    /// The length the answer announced (`Content-Length`), if it did.
    pub content_length: Option<u64>,
}

impl fmt::Debug for Recording {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recording")
            .field("bytes", &self.bytes.len())
            .field("content_type", &self.content_type)
            .field("content_length", &self.content_length)
            .finish()
    }
}

/// No voicemail (two minutes at most) comes near this; a bigger answer is not one.
pub const MAX_RECORDING_BYTES: usize = 32 * 1024 * 1024;

impl Recording {
    /// Whether this is plausibly the whole recording, before the provider's copy may go:
    /// not empty, as long as announced, an `audio/*` content type (when one is given), and
    /// the first bytes of an MP3 (an ID3 tag or a frame sync) or a WAV file. Returns the
    /// media type to serve it with.
    pub fn check(&self) -> Result<&'static str, String> {
        let bytes = &self.bytes;
        if bytes.is_empty() {
            return Err("the recording is empty".into());
        }
        if bytes.len() > MAX_RECORDING_BYTES {
            return Err(format!("the recording is {} bytes, more than any voicemail", bytes.len()));
        }
        if let Some(announced) = self.content_length.filter(|&n| n != bytes.len() as u64) {
            return Err(format!("got {} bytes of the {announced} announced", bytes.len()));
        }
        if let Some(content_type) = &self.content_type {
            let essence = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
            if !essence.starts_with("audio/") {
                return Err(format!("the content type is {content_type:?}, not audio"));
            }
        }
        let mp3 = bytes.starts_with(b"ID3") || (bytes.len() >= 2 && bytes[0] == 0xFF && bytes[1] & 0xE0 == 0xE0);
        let wav = bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WAVE";
        match (mp3, wav) {
            (true, _) => Ok("audio/mpeg"),
            (_, true) => Ok("audio/wav"),
            _ => Err("the first bytes are neither MP3 nor WAV".into()),
        }
    }
}
