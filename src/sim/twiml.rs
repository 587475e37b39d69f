//! How the emulator reads TwiML: the verbs Twilio runs, with the nesting it allows, and how
//! long a sentence takes to speak.

use quick_xml::events::Event as XmlEvent;
use quick_xml::Reader;

#[derive(Clone, Debug, PartialEq)]
pub enum Verb {
    Say(String),
    Play(String),
    Pause(u32),
    Gather {
        action: Option<String>,
        timeout: u32,
        action_on_empty: bool,
        children: Vec<Verb>,
    },
    Redirect(String),
    Dial {
        action: Option<String>,
        timeout: u32,
        caller_id: Option<String>,
        number: String,
        url: Option<String>,
    },
    Record {
        action: Option<String>,
        timeout: u32,
        /// `maxLength`: the longest recording, in seconds (Twilio's default: 3600).
        max_length: u32,
        /// `finishOnKey` (Twilio's default: `1234567890*#`).
        finish_on_key: String,
        /// Vonage's `record`: the next verb runs when it ends, and the recording is posted
        /// on its own (TwiML's `<Record action>` instead asks the action for what follows).
        asynchronous: bool,
    },
    /// Vonage's `notify`: posts `payload` (JSON) to `url`; an NCCO in the answer replaces
    /// the current one.
    Notify {
        url: String,
        payload: String,
    },
    /// `<Dial><Conference>`: join the conference `name` (a caller waits hearing `wait_url`).
    /// `join_callback`: where to report `participant-join`, when its events include `join`.
    Conference {
        action: Option<String>,
        name: String,
        wait_url: Option<String>,
        join_callback: Option<String>,
    },
    Hangup,
}

/// Marks an SSML `<break>` in a `<Say>`'s text while it is read (XML text cannot hold it).
const SENTENCE_BREAK: char = '\u{1}';

pub fn speaking_seconds(text: &str) -> i64 {
    // About two and a half words a second at a slow, clear pace.
    ((text.split_whitespace().count() as f64) / 2.5).ceil() as i64
}

pub fn parse_twiml(xml: &str) -> Result<Vec<Verb>, String> {
    parse(xml)
}

fn attr(e: &quick_xml::events::BytesStart<'_>, name: &str) -> Result<Option<String>, String> {
    for a in e.attributes() {
        let a = a.map_err(|err| err.to_string())?;
        if a.key.as_ref() == name.as_bytes() {
            return Ok(Some(a.unescape_value().map_err(|err| err.to_string())?.into_owned()));
        }
    }
    Ok(None)
}

fn num_attr(e: &quick_xml::events::BytesStart<'_>, name: &str, default: u32) -> Result<u32, String> {
    match attr(e, name)? {
        Some(v) => v.parse().map_err(|_| format!("attribute {name}='{v}' is not a number")),
        None => Ok(default),
    }
}

/// Parses a TwiML document into verbs, refusing what Twilio would refuse.
fn parse(xml: &str) -> Result<Vec<Verb>, String> {
    let mut reader = Reader::from_str(xml);
    let mut stack: Vec<(String, quick_xml::events::BytesStart<'static>, String, Vec<Verb>)> = Vec::new();
    let mut top: Vec<Verb> = Vec::new();
    let mut seen_response = false;
    loop {
        let ev = reader.read_event().map_err(|e| format!("XML error: {e}"))?;
        match ev {
            XmlEvent::Start(e) | XmlEvent::Empty(e) if !seen_response => {
                if e.name().as_ref() != b"Response" {
                    return Err("the root element must be <Response>".into());
                }
                seen_response = true;
            }
            XmlEvent::Start(e) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).to_string();
                stack.push((name, e.into_owned(), String::new(), Vec::new()));
            }
            XmlEvent::Empty(e) if e.name().as_ref() == b"break" => {
                // SSML inside <Say> (or its <prosody>): a pause between two sentences,
                // which the listener hears as two.
                match stack.last_mut() {
                    Some(parent) if parent.0 == "Say" || parent.0 == "prosody" => parent.2.push(SENTENCE_BREAK),
                    _ => return Err("<break> outside <Say>".into()),
                }
            }
            XmlEvent::Empty(e) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).to_string();
                let verb = build(&name, &e, String::new(), Vec::new())?;
                push(&mut stack, &mut top, verb)?;
            }
            XmlEvent::Text(t) => {
                let text = t.decode().map_err(|e| e.to_string())?;
                let text = quick_xml::escape::unescape(&text).map_err(|e| e.to_string())?.into_owned();
                if let Some(last) = stack.last_mut() {
                    last.2.push_str(&text);
                }
            }
            XmlEvent::GeneralRef(r) => {
                let name = r.decode().map_err(|e| e.to_string())?;
                let ch = match name.as_ref() {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "apos" => "'",
                    other => return Err(format!("unknown entity &{other};")),
                };
                if let Some(last) = stack.last_mut() {
                    last.2.push_str(ch);
                }
            }
            XmlEvent::End(e) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).to_string();
                if name == "Response" && stack.is_empty() {
                    continue;
                }
                let Some((open, start, text, children)) = stack.pop() else {
                    return Err(format!("unexpected </{name}>"));
                };
                if open == "prosody" {
                    // SSML inside <Say>: its text belongs to the Say.
                    match stack.last_mut() {
                        Some(parent) if parent.0 == "Say" => parent.2.push_str(&text),
                        _ => return Err("<prosody> outside <Say>".into()),
                    }
                    continue;
                }
                if open == "Say" {
                    // Each sentence between pauses is heard as its own.
                    for sentence in text.split(SENTENCE_BREAK).map(str::trim).filter(|t| !t.is_empty()) {
                        push(&mut stack, &mut top, Verb::Say(sentence.to_string()))?;
                    }
                    continue;
                }
                let verb = build(&open, &start, text, children)?;
                push(&mut stack, &mut top, verb)?;
            }
            XmlEvent::Eof => break,
            _ => {}
        }
    }
    if !seen_response {
        return Err("no <Response>".into());
    }
    Ok(top)
}

fn push(
    stack: &mut [(String, quick_xml::events::BytesStart<'static>, String, Vec<Verb>)],
    top: &mut Vec<Verb>,
    verb: Verb,
) -> Result<(), String> {
    match stack.last_mut() {
        None => top.push(verb),
        Some((parent, _, _, children)) if parent == "Gather" => match verb {
            Verb::Say(_) | Verb::Play(_) | Verb::Pause(_) => children.push(verb),
            other => return Err(format!("{other:?} may not be nested in <Gather>")),
        },
        Some((parent, _, _, children)) if parent == "Dial" => match verb {
            // A <Number> noun (built as a Dial without timeout), or a <Conference>.
            Verb::Dial { timeout: 0, .. } | Verb::Conference { .. } => children.push(verb),
            other => return Err(format!("{other:?} may not be nested in <Dial>")),
        },
        Some((parent, ..)) => return Err(format!("{verb:?} may not be nested in <{parent}>")),
    }
    Ok(())
}

/// A `<Number>` noun is built as a `Dial` with timeout 0 and folded into its `<Dial>`.
fn build(name: &str, e: &quick_xml::events::BytesStart<'_>, text: String, children: Vec<Verb>) -> Result<Verb, String> {
    Ok(match name {
        "Say" => Verb::Say(text.trim().to_string()),
        "Play" => Verb::Play(format!("[recording {}]", text.trim())),
        "Pause" => Verb::Pause(num_attr(e, "length", 1)?),
        "Gather" => {
            if let Some(input) = attr(e, "input")? {
                if !input.split_whitespace().any(|i| i == "dtmf") {
                    return Err(format!("Gather input='{input}' does not take keys"));
                }
            }
            Verb::Gather {
                action: attr(e, "action")?,
                timeout: num_attr(e, "timeout", 5)?,
                action_on_empty: attr(e, "actionOnEmptyResult")?.as_deref() == Some("true"),
                children,
            }
        }
        "Redirect" => Verb::Redirect(text.trim().to_string()),
        "Hangup" => Verb::Hangup,
        "Record" => Verb::Record {
            action: attr(e, "action")?,
            timeout: num_attr(e, "timeout", 5)?,
            max_length: num_attr(e, "maxLength", 3600)?,
            finish_on_key: attr(e, "finishOnKey")?.unwrap_or_else(|| "1234567890*#".into()),
            asynchronous: false,
        },
        "Number" => Verb::Dial {
            action: None,
            timeout: 0,
            caller_id: None,
            number: text.trim().to_string(),
            url: attr(e, "url")?,
        },
        "Conference" => {
            let events = attr(e, "statusCallbackEvent")?.unwrap_or_default();
            for event in events.split_whitespace() {
                if !["start", "end", "join", "leave", "mute", "hold", "modify", "speaker", "announcement"]
                    .contains(&event)
                {
                    return Err(format!("unknown conference statusCallbackEvent '{event}'"));
                }
            }
            let join_callback = attr(e, "statusCallback")?.filter(|_| events.split_whitespace().any(|e| e == "join"));
            Verb::Conference {
                action: None,
                name: text.trim().to_string(),
                wait_url: attr(e, "waitUrl")?,
                join_callback,
            }
        }
        "Dial" if matches!(children.as_slice(), [Verb::Conference { .. }]) => match children.into_iter().next() {
            Some(Verb::Conference { name, wait_url, join_callback, .. }) if !name.is_empty() => {
                Verb::Conference { action: attr(e, "action")?, name, wait_url, join_callback }
            }
            _ => return Err("a <Conference> needs a name".into()),
        },
        "Dial" => {
            let timeout = num_attr(e, "timeout", 30)?;
            if !(5..=600).contains(&timeout) {
                return Err(format!("Dial timeout {timeout} is outside 5..600"));
            }
            let (number, url) = match children.as_slice() {
                [] => (text.trim().to_string(), None),
                [Verb::Dial { number, url, .. }] => (number.clone(), url.clone()),
                _ => return Err("this emulator rings one <Number> per <Dial>".into()),
            };
            if number.is_empty() {
                return Err("Dial without a number".into());
            }
            Verb::Dial { action: attr(e, "action")?, timeout, caller_id: attr(e, "callerId")?, number, url }
        }
        other => return Err(format!("unknown verb <{other}>")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_between_pauses_are_heard_one_by_one() {
        let xml = r#"<Response><Gather action="menu?s=1"><Say voice="Polly.Lotte"><prosody rate="100%">Waarmee?<break time="600ms"/>Toets 1.</prosody></Say><Say>Toets 0.<break time="600ms"/></Say></Gather></Response>"#;
        let Verb::Gather { children, .. } = &parse(xml).unwrap()[0] else { panic!("a Gather") };
        assert_eq!(
            children,
            &[Verb::Say("Waarmee?".into()), Verb::Say("Toets 1.".into()), Verb::Say("Toets 0.".into())]
        );
        assert!(parse(r#"<Response><break time="1s"/></Response>"#).is_err(), "SSML only inside <Say>");
    }

    #[test]
    fn parses_what_the_service_renders() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?><Response><Say voice="Polly.Lotte" language="nl-NL"><prosody rate="90%">Jan &amp; Piet</prosody></Say><Gather input="dtmf" numDigits="1" timeout="8" action="menu?s=1" method="POST"><Say>Toets 1.</Say></Gather><Redirect method="POST">menu?s=1</Redirect></Response>"#;
        let verbs = parse(xml).unwrap();
        assert_eq!(verbs[0], Verb::Say("Jan & Piet".into()));
        assert!(matches!(&verbs[1], Verb::Gather { action: Some(a), timeout: 8, .. } if a == "menu?s=1"));
        assert_eq!(verbs[2], Verb::Redirect("menu?s=1".into()));
        let dial = r#"<Response><Dial action="helper-done?s=2&amp;n=1" timeout="20" callerId="+31850000000"><Number url="whisper?call=CA1&amp;n=1">+31610000001</Number></Dial></Response>"#;
        assert_eq!(
            parse(dial).unwrap()[0],
            Verb::Dial {
                action: Some("helper-done?s=2&n=1".into()),
                timeout: 20,
                caller_id: Some("+31850000000".into()),
                number: "+31610000001".into(),
                url: Some("whisper?call=CA1&n=1".into())
            }
        );
    }

    #[test]
    fn refuses_what_twilio_refuses() {
        assert!(parse("<Response><Gather><Dial>+31610000001</Dial></Gather></Response>").is_err());
        assert!(parse("<Response><Speak>hi</Speak></Response>").is_err());
        assert!(parse("<Foo/>").is_err());
        assert!(parse("<Response><Dial timeout=\"2\">+31610000001</Dial></Response>").is_err());
    }
}
