//! Voice providers: the only code that knows a wire format.
//!
//! Each provider is a module (`twilio`, `vonage`) that reads its webhooks into the typed events of
//! `events`, writes the call flow's actions as its own documents, and carries out the
//! switchboard's typed commands (`commands`) through its own REST API. Providers differ in
//! every one of these (forms or JSON, XML or JSON documents, how a webhook is signed),
//! so nothing outside this folder names a provider: the rest of the service holds a
//! `Provider` (which one an install speaks through, named by its dialplans' `provider`)
//! and a `Client` (its REST API), and calls what they dispatch to.

pub mod commands;
pub mod events;
pub mod twilio;
pub mod vonage;

pub use commands::{MachineDetection, NewCall, ProviderError, Purpose, Recording, Update};
pub use events::{
    ConfirmReport, ConfirmWhat, Endpoint, Inbound, ParseError, PlannedReport, PlannedWhat, Reported, RoundReport,
    RoundWhat, WaveReport,
};

use crate::domain::action::Action;
use crate::domain::call::DialStatus;
use crate::domain::dialplan::{KnownProviders, KnownVoices, Voices};
use crate::domain::waves::ConferenceFacts;

/// The voice provider an install speaks through: named by `provider = "…"` at the top of
/// its dialplans (`name`), the first of `ALL` when a dialplan names none.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Provider {
    #[default]
    Twilio,
    Vonage,
}

/// A webhook as it was received, for a provider to verify and read.
#[derive(Clone, Copy, Debug)]
pub struct Webhook<'a> {
    /// The absolute URL it was sent to: the service's public URL, the path and the query.
    pub url: &'a str,
    /// The query of that URL (what our own URLs carry), without the `?`.
    pub query: &'a str,
    pub headers: &'a reqwest::header::HeaderMap,
    pub body: &'a [u8],
}

/// What a document is rendered for.
#[derive(Clone, Copy, Debug)]
pub struct Document<'a> {
    /// The caller's call.
    pub call_sid: &'a str,
    /// The sequence number this document carries in the URLs it reports back to.
    pub seq: u64,
    /// The voice for each language spoken (the dialplan's own for its language).
    pub voices: &'a Voices,
    /// The URL the provider reaches this service at, without a trailing slash.
    pub public_url: &'a str,
}

impl Provider {
    /// Every provider, the default first.
    pub const ALL: [Provider; 2] = [Provider::Twilio, Provider::Vonage];

    /// Every provider by its name, with its voices, for checking a dialplan.
    pub const KNOWN: KnownProviders<'static> = KnownProviders(&[
        ("twilio", KnownVoices(twilio::voices::KNOWN)),
        ("vonage", KnownVoices(vonage::voices::KNOWN)),
    ]);

    /// Its name in a dialplan's `provider`.
    pub fn name(self) -> &'static str {
        match self {
            Provider::Twilio => "twilio",
            Provider::Vonage => "vonage",
        }
    }

    pub fn from_name(name: &str) -> Option<Provider> {
        Provider::ALL.into_iter().find(|p| p.name() == name)
    }

    /// Its name for people (in messages to whoever runs the service).
    pub fn title(self) -> &'static str {
        match self {
            Provider::Twilio => "Twilio",
            Provider::Vonage => "Vonage",
        }
    }

    /// The settings that give the service its REST API (the account and its secret).
    pub fn credentials(self) -> &'static str {
        match self {
            Provider::Twilio => "TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN",
            Provider::Vonage => "VONAGE_APPLICATION_ID and VONAGE_PRIVATE_KEY",
        }
    }

    /// The setting that names the account, for "start it again with …".
    pub fn account_setting(self) -> &'static str {
        match self {
            Provider::Twilio => "TWILIO_ACCOUNT_SID",
            Provider::Vonage => "VONAGE_APPLICATION_ID",
        }
    }

    /// The first segment of its webhooks' paths: `/{prefix}/{endpoint}`.
    pub fn path_prefix(self) -> &'static str {
        match self {
            Provider::Twilio => "twilio",
            Provider::Vonage => vonage::PATH_PREFIX,
        }
    }

    /// Whether it asks its answer webhook with `GET` (the URL's query carries the call);
    /// every provider posts its other webhooks.
    pub fn answers_by_get(self) -> bool {
        match self {
            Provider::Twilio => false,
            Provider::Vonage => true,
        }
    }

    /// The secret its webhooks are signed with, from the environment (`env`): the
    /// setting's name and why it is refused when it is missing or unusable.
    pub fn webhook_secret(self, env: &dyn Fn(&str) -> Option<String>) -> Result<String, String> {
        match self {
            Provider::Twilio => env("TWILIO_AUTH_TOKEN").filter(|t| !t.is_empty()).ok_or_else(|| {
                "TWILIO_AUTH_TOKEN is not set: it is needed to check that webhooks come from Twilio".to_string()
            }),
            Provider::Vonage => {
                let secret = env("VONAGE_SIGNATURE_SECRET");
                vonage::check_startup(secret.as_deref()).map_err(|e| e.to_string())?;
                Ok(secret.unwrap_or_default().trim().to_string())
            }
        }
    }

    /// The HTTP status a webhook with a missing or wrong signature is refused with.
    pub fn refused_signature_status(self) -> u16 {
        match self {
            Provider::Twilio => 403,
            Provider::Vonage => 401,
        }
    }

    /// The voices its text-to-speech has, by language code.
    pub fn voices(self) -> KnownVoices<'static> {
        match self {
            Provider::Twilio => KnownVoices(twilio::voices::KNOWN),
            Provider::Vonage => KnownVoices(vonage::voices::KNOWN),
        }
    }

    /// The webhook at the last segment of a path under `path_prefix`.
    pub fn endpoint(self, last_segment: &str) -> Option<Endpoint> {
        match self {
            Provider::Twilio | Provider::Vonage => Endpoint::from_path(last_segment),
        }
    }

    /// Whether `webhook` was signed with `secret` (the account's token or signature secret),
    /// at `now` (Unix seconds: a signature that carries its time is only good near it).
    pub fn verify(self, secret: &str, webhook: &Webhook<'_>, now: i64) -> bool {
        match self {
            Provider::Twilio => {
                let form = twilio::parse_pairs(webhook.body);
                let signature = webhook.headers.get(twilio::SIGNATURE_HEADER).and_then(|v| v.to_str().ok());
                twilio::verify(secret, webhook.url, &form, signature.unwrap_or(""))
            }
            Provider::Vonage => {
                let Ok(secret) = vonage::check_startup(Some(secret)) else { return false };
                let authorization = webhook.headers.get(reqwest::header::AUTHORIZATION).and_then(|v| v.to_str().ok());
                vonage::verify(&secret, authorization, webhook.body, now).is_ok()
            }
        }
    }

    /// How a refused signature is named in the log.
    pub fn signature_name(self) -> &'static str {
        match self {
            Provider::Twilio => twilio::SIGNATURE_HEADER,
            Provider::Vonage => "Authorization (a JWT signed with VONAGE_SIGNATURE_SECRET)",
        }
    }

    /// Reads `webhook` as `endpoint`.
    pub fn parse(self, endpoint: Endpoint, webhook: &Webhook<'_>) -> Result<Inbound, ParseError> {
        match self {
            Provider::Twilio => {
                let query = twilio::parse_pairs(webhook.query.as_bytes());
                twilio::parse(endpoint, &query, &twilio::parse_pairs(webhook.body))
            }
            Provider::Vonage => vonage::parse(endpoint, &twilio::parse_pairs(webhook.query.as_bytes()), webhook.body),
        }
    }

    /// The call flow's actions as this provider's document.
    pub fn render(self, actions: &[Action], doc: &Document<'_>) -> String {
        let audio_base = format!("{}/audio/", doc.public_url);
        let webhook_base = format!("{}/{}/", doc.public_url, self.path_prefix());
        let context = twilio::RenderContext {
            call_sid: doc.call_sid,
            seq: doc.seq,
            voices: doc.voices,
            audio_base: &audio_base,
            webhook_base: &webhook_base,
        };
        match self {
            Provider::Twilio => twilio::render(actions, &context),
            Provider::Vonage => vonage::render(actions, &context),
        }
    }

    /// The `Content-Type` of its documents.
    pub fn content_type(self) -> &'static str {
        match self {
            Provider::Twilio => "text/xml; charset=utf-8",
            Provider::Vonage => "application/json",
        }
    }
}

/// A provider's REST API with the account's credentials: what the switchboard holds to
/// carry out its commands, whichever the provider.
#[derive(Debug)]
pub enum Client {
    Twilio(twilio::rest::RestClient),
    Vonage(vonage::rest::RestClient),
}

impl Client {
    /// A client of the default provider whose API is never reached (a closed local port):
    /// for tests of what the switchboard decides to ask, which dispatch nothing.
    #[cfg(test)]
    pub fn never_reached() -> Client {
        use twilio::rest::{RestClient, RestConfig, RestOptions};
        let config =
            RestConfig::new(format!("AC{}", "0".repeat(32)), "token".into(), "http://127.0.0.1:9".parse().unwrap())
                .unwrap();
        Client::Twilio(RestClient::new(config, RestOptions::default()).unwrap())
    }

    pub fn provider(&self) -> Provider {
        match self {
            Client::Twilio(_) => Provider::Twilio,
            Client::Vonage(_) => Provider::Vonage,
        }
    }

    /// Twilio's own client, when this is one (for tests that speak Twilio's wire format).
    pub fn as_twilio(&self) -> Option<&twilio::rest::RestClient> {
        match self {
            Client::Twilio(rest) => Some(rest),
            Client::Vonage(_) => None,
        }
    }

    /// Places `call`, reporting to this service at `public_url`: the provider's id of the call.
    pub async fn create_call(&self, public_url: &str, call: &NewCall) -> Result<String, ProviderError> {
        match self {
            Client::Twilio(rest) => twilio::client::create_call(rest, public_url, call).await,
            Client::Vonage(rest) => vonage::client::create_call(rest, public_url, call).await,
        }
    }

    /// Changes live call `call_sid`: its final status when the answer says it is over.
    pub async fn update_call(
        &self,
        public_url: &str,
        call_sid: &str,
        update: &Update,
    ) -> Result<Option<DialStatus>, ProviderError> {
        match self {
            Client::Twilio(rest) => twilio::client::update_call(rest, public_url, call_sid, update).await,
            Client::Vonage(rest) => {
                let request = vonage::client::update_request(public_url, call_sid, update)?;
                vonage::client::update_call(rest, call_sid, request).await
            }
        }
    }

    /// Tells the held caller of `call_sid` (in conference `conference_sid`) alone that the
    /// helper of `attempt` is coming: `document` is what they hear, rendered by this
    /// provider (Twilio asks for it again at our announcement URL; Vonage is given its
    /// words). Sent once, never retried.
    pub async fn announce(
        &self,
        public_url: &str,
        conference_sid: &str,
        call_sid: &str,
        attempt: u32,
        document: &str,
    ) -> Result<(), ProviderError> {
        match self {
            Client::Twilio(rest) => twilio::client::announce(rest, public_url, conference_sid, call_sid, attempt).await,
            Client::Vonage(rest) => vonage::client::announce(rest, call_sid, document).await,
        }
    }

    /// Whether `conference_records` can tell who was in a room: Twilio lists a
    /// conference's participants; Vonage's Voice API keeps no such records.
    pub fn keeps_conference_records(&self) -> bool {
        matches!(self, Client::Twilio(_))
    }

    /// The records of the conferences (rooms) named `name`, in progress and ended.
    pub async fn conference_records(&self, name: &str) -> Result<Vec<ConferenceFacts>, ProviderError> {
        match self {
            Client::Twilio(rest) => twilio::client::conference_records(rest, name).await,
            Client::Vonage(_) => vonage::client::conference_records().await,
        }
    }

    /// The provider's id of the recording a webhook gave the URL of, if it names one.
    pub fn recording_id(&self, recording_url: &str) -> Option<String> {
        match self {
            Client::Twilio(_) => twilio::rest::recording_sid_from_url(recording_url),
            Client::Vonage(rest) => vonage::client::recording_id(rest, recording_url),
        }
    }

    /// A recording's audio, by `recording_id`.
    pub async fn fetch_recording(&self, recording_id: &str) -> Result<Recording, ProviderError> {
        match self {
            Client::Twilio(rest) => twilio::client::fetch_recording(rest, recording_id).await,
            Client::Vonage(rest) => vonage::client::fetch_recording(rest, recording_id).await,
        }
    }

    /// Deletes a recording at the provider (`NotFound`: it is gone already).
    pub async fn delete_recording(&self, recording_id: &str) -> Result<(), ProviderError> {
        match self {
            Client::Twilio(rest) => Ok(rest.delete_recording(recording_id).await?),
            Client::Vonage(rest) => Ok(rest.delete_recording(recording_id).await?),
        }
    }

    /// Deletes a call's record from the provider's logs (`NotFound`: it is gone already).
    pub async fn delete_call(&self, call_sid: &str) -> Result<(), ProviderError> {
        match self {
            Client::Twilio(rest) => Ok(rest.delete_call(call_sid).await?),
            Client::Vonage(_) => vonage::client::delete_call().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_provider_is_known_by_its_name_and_checked_with_its_voices() {
        assert_eq!(Provider::default(), Provider::ALL[0]);
        assert_eq!(Provider::KNOWN.0.len(), Provider::ALL.len());
        for (provider, (name, voices)) in Provider::ALL.into_iter().zip(Provider::KNOWN.0) {
            assert_eq!((provider.name(), Provider::from_name(name)), (*name, Some(provider)));
            assert_eq!(voices.0, provider.voices().0);
        }
        assert_eq!(Provider::from_name("Twilio"), None, "names are written as they are");
    }

    #[test]
    fn each_provider_names_the_secret_it_cannot_start_without() {
        let none = |_: &str| None;
        let twilio = Provider::Twilio.webhook_secret(&none).unwrap_err();
        assert!(twilio.contains("TWILIO_AUTH_TOKEN"), "{twilio}");
        let vonage = Provider::Vonage.webhook_secret(&none).unwrap_err();
        assert!(vonage.contains("VONAGE_SIGNATURE_SECRET is not set"), "{vonage}");
        // A Twilio token does not stand in for Vonage's secret.
        let only_twilio = |name: &str| (name == "TWILIO_AUTH_TOKEN").then(|| "t".repeat(32));
        assert!(Provider::Vonage.webhook_secret(&only_twilio).is_err());
        let set = |name: &str| (name == "VONAGE_SIGNATURE_SECRET").then(|| " a-secret-of-enough-length ".to_string());
        assert_eq!(Provider::Vonage.webhook_secret(&set).as_deref(), Ok("a-secret-of-enough-length"));
    }
}
