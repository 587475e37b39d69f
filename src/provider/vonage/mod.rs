//! Vonage's Voice API: NCCO documents (`ncco`), JSON webhooks -> the switchboard's events
//! (`events`), signed webhooks and the application's token (`jwt`), the REST client
//! (`rest`) and the voices (`voices`).
//!
//! It takes the same shapes as `provider::twilio` (the switchboard's `Endpoint`, `Inbound`,
//! `RenderContext`), so plugging it in is mechanical: `render`, `parse`, `verify` and the
//! `*_urls` functions have Twilio's names. Every fact it relies on is in
//! docs/vonage-facts.md with the Vonage page it comes from. What works, and what differs
//! from Twilio: docs/connect.md, "Vonage".
//!
//! Vonage's retries (the "Troubleshooting" guide): it expects a TCP connection within 3 s
//! and the NCCO within 5 s, tries twice more, then asks the application's
//! `fallback_answer_url` twice; if that fails too, the call is dropped. So webhooks must
//! answer fast, and the fallback document (`ncco::fallback_ncco`) must be hosted elsewhere.
//!
//! URLs are absolute (an NCCO's `eventUrl` is), under `{public_url}/vonage/`.

pub mod client;
pub mod events;
pub mod jwt;
pub mod ncco;
pub mod rest;
pub mod voices;

pub use events::parse;
pub use jwt::{check_startup, verify};
pub use ncco::{fallback_ncco, render};

use crate::provider::twilio::{self, Endpoint};

/// The path segment every Vonage webhook lives under: `/vonage/{endpoint}`.
pub const PATH_PREFIX: &str = "vonage";

/// The absolute URL of `endpoint` under the service's public URL, with `query`.
fn endpoint_url(public_url: &str, endpoint: Endpoint, query: &str) -> Result<url::Url, url::ParseError> {
    url::Url::parse(&format!("{}/{PATH_PREFIX}/{}?{query}", public_url.trim_end_matches('/'), endpoint.path()))
}

/// A created call's URL as Twilio's module writes it (`{public}/twilio/{endpoint}?{query}`),
/// moved under `/vonage/`: the endpoints and their queries are the same for both.
fn moved(url: url::Url) -> url::Url {
    let mut segments: Vec<String> = url.path_segments().map(|s| s.map(str::to_string).collect()).unwrap_or_default();
    let endpoint = segments.pop().unwrap_or_default();
    segments.pop(); // "twilio"
    let mut out = url;
    out.set_path(&format!("{}/{PATH_PREFIX}/{endpoint}", segments.join("/")));
    out
}

/// The answer URL and event URL of a call the switchboard creates for `purpose`: the same
/// endpoints and queries as Twilio's, under `/vonage/`. `None` for the good-morning round's
/// call to the desk phone, whose events go to the application's event URL.
pub fn created_call_urls(
    public_url: &str,
    purpose: &crate::provider::commands::Purpose,
) -> Result<(url::Url, Option<url::Url>), url::ParseError> {
    let (answer, event) = twilio::client::urls(public_url, purpose)?;
    Ok((moved(answer), event.map(moved)))
}

/// Where the helper of `attempt` who still hears the request after someone else's yes is
/// sent (a `transfer` to this URL): the thank-you.
pub fn thanks_url(public_url: &str, call: &str, attempt: u32) -> Result<url::Url, url::ParseError> {
    Ok(moved(twilio::thanks_url(public_url, call, attempt)?))
}

/// Where a held caller is sent when the search ends without a yes (a `transfer` to this
/// URL): the hold's own `done`, answering document `seq`.
pub fn hold_done_url(public_url: &str, call: &str, seq: u64) -> Result<url::Url, url::ParseError> {
    endpoint_url(public_url, Endpoint::HoldDone, &format!("call={call}&s={seq}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_calls_are_told_absolute_urls_under_vonage() {
        use crate::provider::commands::Purpose;
        let urls = |base: &str, purpose: Purpose| created_call_urls(base, &purpose).unwrap();
        let leg = Purpose::Leg { call_sid: "aaaaaaaa-bbbb-cccc-dddd-0123456789ab".into(), attempt: 2 };
        let (answer, event) = urls("https://bl.example/", leg);
        assert_eq!(
            answer.as_str(),
            "https://bl.example/vonage/wave-whisper?call=aaaaaaaa-bbbb-cccc-dddd-0123456789ab&n=2"
        );
        assert_eq!(
            event.unwrap().as_str(),
            "https://bl.example/vonage/wave-status?call=aaaaaaaa-bbbb-cccc-dddd-0123456789ab&n=2"
        );
        let (answer, event) =
            urls("https://bl.example", Purpose::Round { morning: 7, who: crate::domain::round::Who::Desk });
        assert_eq!((answer.as_str(), event), ("https://bl.example/vonage/desk-alert?m=7", None));
        assert_eq!(
            urls("https://bl.example", Purpose::Planned { call: 9 }).1.unwrap().as_str(),
            "https://bl.example/vonage/planned-status?p=9"
        );
        assert_eq!(
            urls("https://bl.example", Purpose::Confirm { id: 3 }).0.as_str(),
            "https://bl.example/vonage/confirm-answer?c=3"
        );
        let resident = Purpose::Resident { search_sid: "abcdefghij".into() };
        assert_eq!(urls("https://bl.example", resident).0.path(), "/vonage/resident-answer");
        assert_eq!(hold_done_url("https://bl.example", "abcdefghij", 4).unwrap().query(), Some("call=abcdefghij&s=4"));
        // Under a path prefix, and with "twilio" in the public URL itself.
        let (answer, _) = urls("https://host.example/twilio/bl/", Purpose::Planned { call: 9 });
        assert_eq!(answer.as_str(), "https://host.example/twilio/bl/vonage/planned-answer?p=9");
    }
}
