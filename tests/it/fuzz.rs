//! Property tests over everything that reads outside input: no input makes them panic,
//! and what they accept is well-formed. A short run here (proptest's 256 cases each);
//! longer: `PROPTEST_CASES=200000 cargo test --release --test it fuzz`.

use burenlijn::domain::action::{Action, Next};
use burenlijn::domain::dialplan::{self, Voice};
use burenlijn::domain::hours::WeeklyHours;
use burenlijn::domain::phone::PhoneNumber;
use burenlijn::domain::prompts::{Prompts, Speech};
use burenlijn::provider::twilio::{self, Endpoint, RenderContext};
use proptest::prelude::*;

const EXAMPLE: &str = include_str!("../../dialplans/example.toml");
const NL: &str = include_str!("../../prompts/nl.toml");
const CSV: &str = include_str!("../../dialplans/example-participants.csv");

/// The example text with a few bytes replaced, removed or inserted.
fn mutated(base: &'static str) -> impl Strategy<Value = String> {
    prop::collection::vec((0..base.len(), any::<u8>(), 0..3u8), 1..8).prop_map(move |edits| {
        let mut bytes = base.as_bytes().to_vec();
        for (at, byte, kind) in edits {
            let at = at.min(bytes.len().saturating_sub(1));
            match kind {
                0 => bytes[at] = byte,
                1 => {
                    bytes.remove(at);
                }
                _ => bytes.insert(at, byte),
            }
        }
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

fn pairs() -> impl Strategy<Value = Vec<(String, String)>> {
    let names = prop::sample::select(vec![
        "CallSid",
        "From",
        "To",
        "Digits",
        "DialCallStatus",
        "DialBridged",
        "CallStatus",
        "RecordingUrl",
        "RecordingDuration",
        "ParentCallSid",
        "ConferenceSid",
        "StatusCallbackEvent",
        "s",
        "n",
        "call",
        "m",
        "i",
        "c",
        "x",
    ]);
    prop::collection::vec((names.prop_map(str::to_string), ".{0,40}"), 0..10)
}

proptest! {
    /// Every endpoint there is (`Endpoint::ALL`), so a new one is fuzzed too.
    #[test]
    fn webhook_forms_never_panic(endpoint in prop::sample::select(Endpoint::ALL.to_vec()), query in pairs(), form in pairs()) {
        if let Ok(inbound) = twilio::parse(endpoint, &query, &form) {
            prop_assert!(inbound.call_sid.chars().all(|c| c.is_ascii_alphanumeric()));
            match &inbound.report {
                twilio::Reported::Wave(twilio::WaveReport::Entered { participant, conference }) => {
                    prop_assert!(participant.chars().chain(conference.chars()).all(|c| c.is_ascii_alphanumeric()));
                }
                twilio::Reported::Confirm(twilio::ConfirmReport { what: twilio::ConfirmWhat::Key { key: Some(key), .. }, .. }) => {
                    prop_assert!(!key.is_empty() && key.len() <= 8);
                }
                _ => {}
            }
        }
    }

    #[test]
    fn raw_bodies_and_signatures_never_panic(body in prop::collection::vec(any::<u8>(), 0..300), header in ".{0,60}", url in ".{0,80}") {
        let params = twilio::parse_pairs(&body);
        let _ = twilio::verify("token", &url, &params, &header);
    }

    #[test]
    fn dialplans_never_panic(text in ".{0,400}", changed in mutated(EXAMPLE)) {
        let _ = dialplan::parse(&text);
        if let Err(errors) = dialplan::parse(&changed) {
            prop_assert!(!errors.is_empty());
            for e in errors {
                prop_assert!(!e.field.is_empty(), "every error names a field: {e}");
            }
        }
    }

    #[test]
    fn prompts_never_panic(text in ".{0,400}", changed in mutated(NL)) {
        let _ = Prompts::parse(&text, &[]);
        let _ = Prompts::parse(&changed, &["not_emergency".to_string(), "x".to_string()]);
    }

    #[test]
    fn csv_imports_never_panic(text in ".{0,400}", changed in mutated(CSV)) {
        let cats: Vec<String> = ["shopping", "transport", "odd-jobs", "company"].iter().map(|s| s.to_string()).collect();
        let hoods = vec!["example".to_string()];
        let known = burenlijn::registry::Known { categories: &cats, neighbourhoods: &hoods, names: &[], languages: &[] };
        let _ = burenlijn::registry::parse(&text, &known);
        if let Err(errors) = burenlijn::registry::parse(&changed, &known) {
            prop_assert!(errors.iter().all(|e| e.line >= 1), "every error names its line: {errors:?}");
        }
    }

    /// Issue 25: whatever a cell holds, the quote put before a formula comes off again.
    #[test]
    fn csv_cells_round_trip(cell in "['=+@\t\r -]{0,3}.{0,20}") {
        let written = burenlijn::csv_cell::neutralise(&cell);
        prop_assert!(!written.starts_with(burenlijn::csv_cell::FORMULA_STARTS), "{written:?}");
        prop_assert_eq!(burenlijn::csv_cell::restore(&written), cell.as_str());
    }

    #[test]
    fn hours_and_numbers_never_panic(hours in "[a-z0-9:;, -]{0,60}", number in ".{0,30}") {
        let _ = WeeklyHours::parse(&hours);
        if let Ok(n) = PhoneNumber::parse(&number) {
            prop_assert!(n.as_str().starts_with('+'));
            prop_assert_eq!(PhoneNumber::from_stored(n.as_str()).unwrap(), n);
        }
    }

    /// Names and notes with markup or control characters never break a TwiML document:
    /// it parses, and the text comes back (less control characters, which XML cannot hold).
    #[test]
    fn any_spoken_text_stays_text(text in ".{0,80}") {
        let voice = burenlijn::domain::dialplan::Voices::single(Voice { name: "Polly.Lotte".into(), language: "nl-NL".into(), rate: Some("90%".into()), pause_ms: 600 });
        let actions = [Action::Say(Speech::text("nl", text.clone())), Action::Gather { say: vec![Speech::text("nl", text.clone())], timeout_seconds: 5, next: Next::Menu }];
        let xml = twilio::render(&actions, &RenderContext { call_sid: "CA1", seq: 1, voices: &voice, audio_base: "https://x/audio/", webhook_base: "https://x/twilio/" });
        let mut reader = quick_xml::Reader::from_str(&xml);
        let mut texts = String::new();
        let mut elements = 0;
        loop {
            match reader.read_event() {
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(quick_xml::events::Event::Start(_)) | Ok(quick_xml::events::Event::Empty(_)) => elements += 1,
                Ok(quick_xml::events::Event::Text(t)) => texts.push_str(&t.decode().unwrap()),
                Ok(quick_xml::events::Event::GeneralRef(r)) => {
                    let name = r.decode().unwrap();
                    texts.push_str(match name.as_ref() { "amp" => "&", "lt" => "<", "gt" => ">", "quot" => "\"", _ => "'" });
                }
                Ok(_) => {}
                Err(e) => return Err(TestCaseError::fail(format!("not well-formed: {e}: {xml}"))),
            }
        }
        // Response, Say, prosody, Gather, Say, prosody: markup in the text adds no elements.
        prop_assert_eq!(elements, 6);
        // Control characters, which XML cannot carry, are dropped; all else comes back.
        let kept: String = text.chars().filter(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r')).filter(|c| !matches!(c, '\u{FFFE}' | '\u{FFFF}')).collect();
        prop_assert_eq!(texts, format!("{kept}{kept}"));
    }
}
