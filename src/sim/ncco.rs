//! How the emulator reads an NCCO (Vonage's Call Control Object): the actions Vonage runs,
//! as the emulator's verbs, checked the way Vonage checks them.
//!
//! Facts, each from Vonage's "NCCO reference" (developer.vonage.com/voice/voice-api/ncco-reference)
//! unless another page is named; docs/vonage-facts.md lists them:
//! - An NCCO is a JSON array of actions run in order; "when all the actions in the NCCO are
//!   complete, the Call ends". There is no hang-up action.
//! - `talk` with `bargeIn: true`: "the next non-talk action in the NCCO stack must be an
//!   `input` action"; such talks are what the caller hears while they may press a key (a
//!   `Gather`'s children here). `stream` likewise.
//! - `input`: its result goes to its own `eventUrl`, also when nothing was pressed
//!   (`timed_out`), and "your webhook endpoint should return another NCCO that replaces the
//!   existing NCCO": so nothing after an `input` is ever reached. `dtmf.timeOut` "Max is 10"
//!   (default 3), `maxDigits` at most 20.
//! - `record` is asynchronous: the next action runs when it ends, and the recording is posted
//!   to its `eventUrl` on its own (`Verb::Record` with `asynchronous`).
//! - `connect` rings one endpoint (`timeout`: 1–120 s, default 60); a phone endpoint's
//!   `onAnswer.url` is the NCCO the callee hears before being joined.
//! - `conversation`: a named room (`Verb::Conference`); `musicOnHoldUrl` is an mp3, not a
//!   document.
//! - `notify`: posts `payload` to `eventUrl`; an NCCO in the answer replaces the current one.
//! - `eventUrl` "MUST be an array, even if it only contains a single value".
//! - `talk` text in `<speak>` is SSML ("Customizing Spoken Text" guide); a `<break>` between
//!   two sentences is heard as two, a `<break>` alone is a pause.

use serde_json::Value;

use super::twiml::Verb;

/// The longest `input` wait ("Max is 10").
const MAX_INPUT_TIMEOUT: u64 = 10;

/// Reads an NCCO into the emulator's verbs, refusing what Vonage refuses.
pub fn parse_ncco(json: &str) -> Result<Vec<Verb>, String> {
    let value: Value = serde_json::from_str(json).map_err(|e| format!("not JSON: {e}"))?;
    let Value::Array(actions) = value else {
        return Err("an NCCO is a JSON array of actions".into());
    };
    let mut verbs = Vec::new();
    // Talks and streams with `bargeIn`, waiting for their `input`.
    let mut barge_in: Vec<Verb> = Vec::new();
    for (i, action) in actions.iter().enumerate() {
        let at = |message: String| format!("action {i}: {message}");
        let name = action.get("action").and_then(Value::as_str).ok_or_else(|| at("no \"action\"".into()))?;
        let barges = action.get("bargeIn").and_then(Value::as_bool).unwrap_or(false);
        if !barge_in.is_empty() && !matches!(name, "talk" | "stream" | "input") {
            return Err(at(format!("a talk with bargeIn must be followed by an input, not a {name}")));
        }
        match name {
            "talk" => {
                let text = action.get("text").and_then(Value::as_str).ok_or_else(|| at("talk without text".into()))?;
                if text.chars().count() > 1500 + 200 {
                    return Err(at("talk text over 1,500 characters".into()));
                }
                let spoken = speak(text).map_err(at)?;
                if barges || !barge_in.is_empty() {
                    // "Once bargeIn is set to true it will stay true ... until an input".
                    barge_in.extend(spoken);
                } else {
                    verbs.extend(spoken);
                }
            }
            "stream" => {
                let url = first_url(action, "streamUrl").map_err(at)?;
                let verb = Verb::Play(format!("[recording {url}]"));
                if barges || !barge_in.is_empty() {
                    barge_in.push(verb);
                } else {
                    verbs.push(verb);
                }
            }
            "input" => {
                let kinds =
                    action.get("type").and_then(Value::as_array).ok_or_else(|| at("input without type".into()))?;
                if !kinds.iter().any(|k| k.as_str() == Some("dtmf")) {
                    return Err(at("an input that does not take keys".into()));
                }
                let dtmf = action.get("dtmf").cloned().unwrap_or(Value::Null);
                let timeout = dtmf.get("timeOut").and_then(Value::as_u64).unwrap_or(3);
                if timeout > MAX_INPUT_TIMEOUT {
                    return Err(at(format!("dtmf.timeOut {timeout} is over Vonage's maximum of 10")));
                }
                if dtmf.get("maxDigits").and_then(Value::as_u64).unwrap_or(4) > 20 {
                    return Err(at("dtmf.maxDigits over 20".into()));
                }
                let url = first_url(action, "eventUrl").map_err(at)?;
                verbs.push(Verb::Gather {
                    action: Some(url),
                    timeout: timeout as u32,
                    // Vonage posts the result also when nothing was pressed (`timed_out`).
                    action_on_empty: true,
                    children: std::mem::take(&mut barge_in),
                });
                // The answer replaces this NCCO: nothing after an input is reached.
                return Ok(verbs);
            }
            "record" => {
                let url = first_url(action, "eventUrl").map_err(at)?;
                let silence = action.get("endOnSilence").and_then(Value::as_u64).unwrap_or(10);
                let max = action.get("timeOut").and_then(Value::as_u64).unwrap_or(7200);
                if !(3..=10).contains(&silence) || !(3..=7200).contains(&max) {
                    return Err(at(format!("record endOnSilence {silence} or timeOut {max} out of range")));
                }
                verbs.push(Verb::Record {
                    action: Some(url),
                    timeout: silence as u32,
                    max_length: max as u32,
                    finish_on_key: action.get("endOnKey").and_then(Value::as_str).unwrap_or("").to_string(),
                    asynchronous: true,
                });
            }
            "connect" => {
                let endpoint = action
                    .get("endpoint")
                    .and_then(Value::as_array)
                    .and_then(|e| e.first())
                    .ok_or_else(|| at("connect without endpoint".into()))?;
                if endpoint.get("type").and_then(Value::as_str) != Some("phone") {
                    return Err(at("only phone endpoints are emulated".into()));
                }
                let number = endpoint.get("number").and_then(Value::as_str).unwrap_or("");
                if number.is_empty() || !number.chars().all(|c| c.is_ascii_digit()) {
                    return Err(at(format!("endpoint number '{number}' is not E.164 digits without '+'")));
                }
                let timeout = action.get("timeout").and_then(Value::as_u64).unwrap_or(60);
                if !(1..=120).contains(&timeout) {
                    return Err(at(format!("connect timeout {timeout} is not between 1 and 120")));
                }
                let url = endpoint.get("onAnswer").and_then(|o| o.get("url")).and_then(Value::as_str);
                verbs.push(Verb::Dial {
                    action: match action.get("eventUrl") {
                        Some(_) => Some(first_url(action, "eventUrl").map_err(at)?),
                        None => None,
                    },
                    timeout: timeout as u32,
                    caller_id: action.get("from").and_then(Value::as_str).map(|f| format!("+{f}")),
                    number: format!("+{number}"),
                    url: url.map(str::to_string),
                });
            }
            "conversation" => {
                let name =
                    action.get("name").and_then(Value::as_str).ok_or_else(|| at("conversation without name".into()))?;
                verbs.push(Verb::Conference {
                    action: None,
                    name: name.to_string(),
                    wait_url: None,
                    join_callback: None,
                });
            }
            "notify" => {
                let url = first_url(action, "eventUrl").map_err(at)?;
                let payload = action.get("payload").cloned().ok_or_else(|| at("notify without payload".into()))?;
                verbs.push(Verb::Notify { url, payload: payload.to_string() });
            }
            other => return Err(at(format!("unknown action '{other}'"))),
        }
    }
    if !barge_in.is_empty() {
        return Err("a talk with bargeIn at the end, without its input".into());
    }
    Ok(verbs)
}

/// The first URL of an array field (`eventUrl`, `streamUrl`), absolute.
fn first_url(action: &Value, field: &str) -> Result<String, String> {
    let Some(Value::Array(urls)) = action.get(field) else {
        return Err(format!("{field} must be an array"));
    };
    let url = urls.first().and_then(Value::as_str).ok_or_else(|| format!("{field} is empty"))?;
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err(format!("{field} '{url}' is not an absolute URL"));
    }
    Ok(url.to_string())
}

/// What a `talk` says: plain text as one sentence; SSML as the sentences between its
/// `<break>`s, and a `<break>` alone as a pause.
fn speak(text: &str) -> Result<Vec<Verb>, String> {
    let Some(inner) = text.trim().strip_prefix("<speak>").and_then(|t| t.strip_suffix("</speak>")) else {
        return Ok(vec![Verb::Say(text.trim().to_string())]);
    };
    let mut out = Vec::new();
    let mut sentence = String::new();
    let mut rest = inner;
    let flush = |sentence: &mut String, out: &mut Vec<Verb>| {
        let t = sentence.split_whitespace().collect::<Vec<_>>().join(" ");
        if !t.is_empty() {
            out.push(Verb::Say(t));
        }
        sentence.clear();
    };
    while let Some(open) = rest.find('<') {
        sentence.push_str(&unescape(&rest[..open])?);
        let close = rest[open..].find('>').ok_or("an SSML tag is not closed")? + open;
        let tag = &rest[open + 1..close];
        if let Some(attrs) = tag.strip_prefix("break") {
            let alone = sentence.trim().is_empty() && out.is_empty();
            flush(&mut sentence, &mut out);
            if alone {
                out.push(Verb::Pause(break_seconds(attrs)));
            }
        } else if !(tag.starts_with("prosody") || tag == "/prosody") {
            return Err(format!("SSML tag <{tag}> is not one the switchboard uses"));
        }
        rest = &rest[close + 1..];
    }
    sentence.push_str(&unescape(rest)?);
    flush(&mut sentence, &mut out);
    Ok(out)
}

fn unescape(text: &str) -> Result<String, String> {
    quick_xml::escape::unescape(text).map(|t| t.into_owned()).map_err(|e| e.to_string())
}

/// `time='2s'` or `time='300ms'`, in whole seconds (at least 1).
fn break_seconds(attrs: &str) -> u32 {
    let value = attrs.split(['\'', '"']).nth(1).unwrap_or("");
    let seconds = if let Some(ms) = value.strip_suffix("ms") {
        ms.parse::<u32>().map(|m| m / 1000).unwrap_or(1)
    } else {
        value.strip_suffix('s').and_then(|s| s.parse().ok()).unwrap_or(1)
    };
    seconds.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_menu_is_its_talks_then_the_input_and_nothing_after() {
        let ncco = r#"[
            {"action":"talk","text":"<speak>Goedemorgen.<break time='300ms'/>Toets 1.</speak>","language":"nl-NL","bargeIn":true},
            {"action":"input","type":["dtmf"],"dtmf":{"maxDigits":1,"timeOut":8,"submitOnHash":true},"eventUrl":["https://x.example/vonage/menu?call=abcdefghij&s=1"]},
            {"action":"talk","text":"never"}
        ]"#;
        let verbs = parse_ncco(ncco).unwrap();
        assert_eq!(
            verbs,
            vec![Verb::Gather {
                action: Some("https://x.example/vonage/menu?call=abcdefghij&s=1".into()),
                timeout: 8,
                action_on_empty: true,
                children: vec![Verb::Say("Goedemorgen.".into()), Verb::Say("Toets 1.".into())],
            }]
        );
    }

    #[test]
    fn what_vonage_refuses_is_refused() {
        for bad in [
            r#"{"action":"talk"}"#,
            r#"[{"action":"talk","text":"a","bargeIn":true},{"action":"connect","endpoint":[{"type":"phone","number":"31"}]}]"#,
            r#"[{"action":"input","type":["dtmf"],"dtmf":{"timeOut":11},"eventUrl":["https://x.example/a"]}]"#,
            r#"[{"action":"input","type":["dtmf"],"eventUrl":"https://x.example/a"}]"#,
            r#"[{"action":"connect","endpoint":[{"type":"phone","number":"+31612345678"}]}]"#,
            r#"[{"action":"hangup"}]"#,
            r#"[{"action":"talk","text":"a","bargeIn":true}]"#,
        ] {
            assert!(parse_ncco(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_connect_rings_e164_and_a_break_alone_is_a_pause() {
        let ncco = r#"[
            {"action":"talk","text":"<speak><break time='2s'/></speak>"},
            {"action":"connect","from":"31850000000","timeout":25,"eventType":"synchronous","eventUrl":["https://x.example/d"],
             "endpoint":[{"type":"phone","number":"31612345678","onAnswer":{"url":"https://x.example/w"}}]}
        ]"#;
        let verbs = parse_ncco(ncco).unwrap();
        assert_eq!(verbs[0], Verb::Pause(2));
        assert_eq!(
            verbs[1],
            Verb::Dial {
                action: Some("https://x.example/d".into()),
                timeout: 25,
                caller_id: Some("+31850000000".into()),
                number: "+31612345678".into(),
                url: Some("https://x.example/w".into()),
            }
        );
    }
}
