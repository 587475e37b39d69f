//! The text-to-speech voices Vonage's `talk` takes, by language code: the one list of them.
//!
//! A Vonage voice is a `language` (BCP-47) and a `style` (a small number: "vocal range,
//! timbre and tessitura"; style 0 when none is given). A dialplan served through Vonage
//! names its voice by the style, as text: `[voice] name = "0"`, `language = "nl-NL"`.
//! `config::check_dialplan` can pass `KNOWN` to the dialplan parser exactly as it passes
//! Twilio's list, so a style that does not exist for the language is refused with its line.
//!
//! Where the styles come from: Vonage's Text-to-Speech guide
//! (developer.vonage.com/voice/voice-api/guides/text-to-speech, "Supported Languages"), the
//! table of language, code, style and SSML support. Only the styles with SSML support are
//! listed: a menu's sentences are one `talk` with SSML `<break>`s between them
//! (`ncco::talk`), and "not all the voice styles support SSML". Only languages our prompts
//! are written in are listed (`prompts/nl.toml`, `prompts/en.toml`, `prompts/tr.toml`).
//!
//! Left out: the deprecated `voiceName` parameter (the same guide: "deprecated ... will not
//! contain new styles and languages"), and `premium` styles (a paid option).

/// Every known style, by Vonage's language code. nl-NL style 0 is the legacy voice "Lotte",
/// style 4 "Ruben" (the guide's table of legacy voice names).
pub const KNOWN: &[(&str, &[&str])] = &[
    ("nl-NL", &["0", "1", "2", "3", "4", "5", "6"]),
    ("en-GB", &["0", "1", "2", "3", "4", "5", "6", "7"]),
    ("en-US", &["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"]),
    // tr-TR styles 4 and 7 have no SSML support in the guide's table.
    ("tr-TR", &["0", "1", "2", "3", "5", "6"]),
];

/// The style a dialplan's voice name stands for, when it is one Vonage has for `language`.
pub fn style(language: &str, name: &str) -> Option<u8> {
    let styles = KNOWN.iter().find(|(l, _)| *l == language).map(|(_, s)| *s)?;
    styles.contains(&name).then(|| name.parse().ok()).flatten()
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Vonage has no voice style {name:?} for language {language:?}; known: {known}")]
pub struct UnknownVoice {
    pub language: String,
    pub name: String,
    pub known: String,
}

/// Refuses a voice Vonage does not have, naming the styles it has for the language (or the
/// languages it has), as Twilio's voices are refused.
pub fn check(language: &str, name: &str) -> Result<u8, UnknownVoice> {
    style(language, name).ok_or_else(|| UnknownVoice {
        language: language.to_string(),
        name: name.to_string(),
        known: match KNOWN.iter().find(|(l, _)| *l == language) {
            Some((_, styles)) => format!("styles {}", styles.join(", ")),
            None => format!("languages {}", KNOWN.iter().map(|(l, _)| *l).collect::<Vec<_>>().join(", ")),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_style_is_a_small_number_listed_once() {
        for (language, styles) in KNOWN {
            assert!(!styles.is_empty(), "{language}");
            for s in *styles {
                assert!(s.parse::<u8>().is_ok(), "{language}: {s}");
                assert_eq!(styles.iter().filter(|x| *x == s).count(), 1, "{language}: {s} is listed once");
            }
        }
    }

    #[test]
    fn an_unknown_style_or_language_is_refused_by_name() {
        assert_eq!(check("nl-NL", "4"), Ok(4));
        assert_eq!(
            check("nl-NL", "7").unwrap_err().to_string(),
            "Vonage has no voice style \"7\" for language \"nl-NL\"; known: styles 0, 1, 2, 3, 4, 5, 6"
        );
        assert!(check("nl-NL", "Polly.Lotte").is_err(), "a Twilio voice is no Vonage voice");
        assert!(check("tr-TR", "4").is_err(), "no SSML for tr-TR style 4");
        let err = check("nl-BE", "0").unwrap_err().to_string();
        assert!(err.contains("languages nl-NL, en-GB, en-US, tr-TR"), "{err}");
    }
}
