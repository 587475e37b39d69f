//! The text-to-speech voices Twilio's `<Say>` takes, by language code: the one list of them.
//!
//! Since 2024-07-22 an invalid voice in a `<Say>` inside `<Gather>` fails the call (to the
//! fallback URL), so a misspelt name in a dialplan would silence every menu and whisper.
//! `config::check_dialplan` passes `KNOWN` to the dialplan parser, which refuses a voice
//! not listed here for the dialplan's `voice.language`, with its line and the valid names.
//!
//! Where the names come from:
//! - Twilio's table of available voices as Twilio itself published it for its
//!   Text-to-Speech page (TwilioDevEd/api-snippets, `voice/tts/voices-list.md`, April 2023):
//!   every Amazon Polly and Google voice listed there for nl-NL, en-GB, en-US and tr-TR. Its
//!   footnote marks (`Polly.Joanna-Neural*`) are dropped.
//! - `Polly.Laura-Generative`, named with the other nl-NL Polly voices in
//!   `../shared/notes/twilio.md` (from Twilio's documentation).
//!
//! Left out on purpose: the basic voices `man`, `woman` and `alice` (that table lists none
//! of them for nl-NL, and the rate we send is SSML `<prosody>`, written for Polly and
//! Google voices). Voices added to Twilio's page later (for example newer
//! Google nl-NL letters or Chirp3-HD voices) could not be confirmed against Twilio's own
//! page here; add a name once it is on https://www.twilio.com/docs/voice/twiml/say/text-speech.
//! Only languages our prompts are written in are listed (`prompts/nl.toml`, `prompts/en.toml`,
//! `prompts/tr.toml`).

/// Every known voice, by Twilio's language code.
pub const KNOWN: &[(&str, &[&str])] = &[("nl-NL", NL_NL), ("en-GB", EN_GB), ("en-US", EN_US), ("tr-TR", TR_TR)];

/// Turkish, for `prompts/tr.toml`: every tr-TR voice of the same table.
const TR_TR: &[&str] = &[
    "Polly.Filiz",
    "Google.tr-TR-Standard-A",
    "Google.tr-TR-Standard-B",
    "Google.tr-TR-Standard-C",
    "Google.tr-TR-Standard-D",
    "Google.tr-TR-Standard-E",
    "Google.tr-TR-Wavenet-A",
    "Google.tr-TR-Wavenet-B",
    "Google.tr-TR-Wavenet-C",
    "Google.tr-TR-Wavenet-D",
    "Google.tr-TR-Wavenet-E",
];

const NL_NL: &[&str] = &[
    "Polly.Lotte",
    "Polly.Ruben",
    "Polly.Laura-Neural",
    "Polly.Laura-Generative",
    "Google.nl-NL-Standard-A",
    "Google.nl-NL-Standard-B",
    "Google.nl-NL-Standard-C",
    "Google.nl-NL-Standard-D",
    "Google.nl-NL-Standard-E",
    "Google.nl-NL-Wavenet-A",
    "Google.nl-NL-Wavenet-B",
    "Google.nl-NL-Wavenet-C",
    "Google.nl-NL-Wavenet-D",
    "Google.nl-NL-Wavenet-E",
];

const EN_GB: &[&str] = &[
    "Polly.Amy",
    "Polly.Brian",
    "Polly.Emma",
    "Polly.Amy-Neural",
    "Polly.Emma-Neural",
    "Polly.Brian-Neural",
    "Polly.Arthur-Neural",
    "Google.en-GB-Standard-A",
    "Google.en-GB-Standard-B",
    "Google.en-GB-Standard-C",
    "Google.en-GB-Standard-D",
    "Google.en-GB-Standard-F",
    "Google.en-GB-Wavenet-A",
    "Google.en-GB-Wavenet-B",
    "Google.en-GB-Wavenet-C",
    "Google.en-GB-Wavenet-D",
    "Google.en-GB-Wavenet-F",
    "Google.en-GB-Neural2-A",
    "Google.en-GB-Neural2-B",
    "Google.en-GB-Neural2-C",
    "Google.en-GB-Neural2-D",
    "Google.en-GB-Neural2-F",
];

const EN_US: &[&str] = &[
    "Polly.Ivy",
    "Polly.Joanna",
    "Polly.Joey",
    "Polly.Justin",
    "Polly.Kendra",
    "Polly.Kimberly",
    "Polly.Matthew",
    "Polly.Salli",
    "Polly.Ivy-Neural",
    "Polly.Joanna-Neural",
    "Polly.Kendra-Neural",
    "Polly.Kevin-Neural",
    "Polly.Kimberly-Neural",
    "Polly.Salli-Neural",
    "Polly.Joey-Neural",
    "Polly.Justin-Neural",
    "Polly.Matthew-Neural",
    "Google.en-US-Standard-A",
    "Google.en-US-Standard-B",
    "Google.en-US-Standard-C",
    "Google.en-US-Standard-D",
    "Google.en-US-Standard-E",
    "Google.en-US-Standard-F",
    "Google.en-US-Standard-G",
    "Google.en-US-Standard-H",
    "Google.en-US-Standard-I",
    "Google.en-US-Standard-J",
    "Google.en-US-Wavenet-A",
    "Google.en-US-Wavenet-B",
    "Google.en-US-Wavenet-C",
    "Google.en-US-Wavenet-D",
    "Google.en-US-Wavenet-E",
    "Google.en-US-Wavenet-F",
    "Google.en-US-Wavenet-G",
    "Google.en-US-Wavenet-H",
    "Google.en-US-Wavenet-I",
    "Google.en-US-Wavenet-J",
    "Google.en-US-Neural2-A",
    "Google.en-US-Neural2-C",
    "Google.en-US-Neural2-D",
    "Google.en-US-Neural2-E",
    "Google.en-US-Neural2-F",
    "Google.en-US-Neural2-G",
    "Google.en-US-Neural2-H",
    "Google.en-US-Neural2-I",
    "Google.en-US-Neural2-J",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_is_the_providers_and_in_its_language() {
        for (language, names) in KNOWN {
            assert!(!names.is_empty(), "{language}");
            for name in *names {
                let ok = match name.strip_prefix("Google.") {
                    Some(google) => google.starts_with(&format!("{language}-")),
                    None => name.strip_prefix("Polly.").is_some_and(|n| !n.is_empty()),
                };
                assert!(ok && !name.contains(['*', ' ']), "{language}: {name}");
                assert_eq!(names.iter().filter(|n| *n == name).count(), 1, "{name} is listed once");
            }
        }
        assert!(KNOWN.iter().any(|(l, names)| *l == "nl-NL" && names.contains(&"Polly.Lotte")));
    }
}
