//! Actions -> TwiML, written with quick-xml so every text and attribute is escaped.

use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;

use crate::domain::action::{Action, Next};
use crate::domain::dialplan::Voices;
use crate::domain::prompts::Speech;

use super::Endpoint;

pub struct RenderContext<'a> {
    /// The caller's call.
    pub call_sid: &'a str,
    /// The sequence number this document carries in its action URLs.
    pub seq: u64,
    /// The voice for each language spoken (the dialplan's own for its language).
    pub voices: &'a Voices,
    /// Absolute base URL of recorded prompts, ending in `/`.
    pub audio_base: &'a str,
    /// Absolute base URL of the webhooks, ending in `/` (for status callbacks, which are
    /// given as absolute URLs).
    pub webhook_base: &'a str,
}

impl RenderContext<'_> {
    fn url(&self, next: Next) -> String {
        let (seq, sid) = (self.seq, self.call_sid);
        let (endpoint, query) = match next {
            Next::Menu => (Endpoint::Menu, format!("s={seq}")),
            Next::HelperDone { attempt } => (Endpoint::HelperDone, format!("s={seq}&n={attempt}")),
            Next::Whisper { attempt } => (Endpoint::Whisper, format!("call={sid}&n={attempt}")),
            Next::WhisperKey { attempt } => (Endpoint::WhisperKey, format!("call={sid}&n={attempt}")),
            Next::DeskDone => (Endpoint::DeskDone, format!("s={seq}")),
            Next::Recorded => (Endpoint::Recorded, format!("s={seq}")),
            Next::HoldWait => (Endpoint::HoldWait, format!("call={sid}")),
            Next::HoldDone => (Endpoint::HoldDone, format!("s={seq}")),
            Next::WaveKey { attempt } => (Endpoint::WaveKey, format!("call={sid}&n={attempt}")),
            Next::CallbackOffer => (Endpoint::CallbackOffer, format!("s={seq}")),
            Next::Settings => (Endpoint::Settings, format!("s={seq}")),
            Next::HelperWait { attempt } => (Endpoint::HelperWait, format!("call={sid}&n={attempt}")),
            Next::WhisperOver { attempt } => (Endpoint::WhisperOver, format!("call={sid}&n={attempt}")),
            // A status callback, given as an absolute URL.
            Next::ConferenceEvents => {
                return format!("{}{}?call={sid}", self.webhook_base, Endpoint::Conference.path());
            }
            Next::RoundKey { morning, n } => (Endpoint::RoundKey, format!("m={morning}&n={n}")),
            Next::ContactKey { morning, index } => (Endpoint::ContactKey, format!("m={morning}&i={index}")),
            Next::ConfirmKey { id, seq } => (Endpoint::ConfirmKey, format!("c={id}&s={seq}")),
            Next::PlannedKey { call } => (Endpoint::PlannedKey, format!("p={call}")),
        };
        format!("{}?{query}", endpoint.path())
    }
}

type W = Writer<Vec<u8>>;

fn start(w: &mut W, name: &str, attrs: &[(&str, &str)]) {
    let el = BytesStart::new(name).with_attributes(attrs.iter().copied());
    w.write_event(Event::Start(el)).expect("writing to a Vec cannot fail");
}

fn empty(w: &mut W, name: &str, attrs: &[(&str, &str)]) {
    let el = BytesStart::new(name).with_attributes(attrs.iter().copied());
    w.write_event(Event::Empty(el)).expect("writing to a Vec cannot fail");
}

fn end(w: &mut W, name: &str) {
    w.write_event(Event::End(BytesEnd::new(name))).expect("writing to a Vec cannot fail");
}

/// Writes text, escaped; characters XML cannot hold at all (control characters) are left out.
fn text(w: &mut W, t: &str) {
    let clean: std::borrow::Cow<'_, str> = if t.chars().any(forbidden) {
        t.chars().filter(|c| !forbidden(*c)).collect::<String>().into()
    } else {
        t.into()
    };
    w.write_event(Event::Text(BytesText::new(&clean))).expect("writing to a Vec cannot fail");
}

fn forbidden(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{FFFE}' | '\u{FFFF}')
}

fn speech(w: &mut W, s: &Speech, ctx: &RenderContext<'_>) {
    match s {
        Speech::Text { text, language } => say(w, &[text.as_str()], language, ctx),
        Speech::Audio(path) => {
            start(w, "Play", &[]);
            text(w, &format!("{}{}", ctx.audio_base, path));
            end(w, "Play");
        }
        Speech::Pause(seconds) => empty(w, "Pause", &[("length", &seconds.to_string())]),
    }
}

/// One `<Say>` of sentences with a clear pause between them: SSML `<break>` inside the
/// `<Say>` (Twilio's documented SSML tags for Polly and Google voices), not separate verbs.
fn say(w: &mut W, sentences: &[&str], language: &str, ctx: &RenderContext<'_>) {
    let voice = ctx.voices.for_language(language);
    start(w, "Say", &[("voice", &voice.name), ("language", &voice.language)]);
    if let Some(rate) = &voice.rate {
        start(w, "prosody", &[("rate", rate)]);
    }
    let pause = format!("{}ms", voice.pause_ms);
    for (i, sentence) in sentences.iter().enumerate() {
        if i > 0 {
            empty(w, "break", &[("time", &pause)]);
        }
        text(w, sentence);
    }
    if voice.rate.is_some() {
        end(w, "prosody");
    }
    end(w, "Say");
}

/// A menu's sentences: each run of spoken sentences in one language is one `<Say>` with
/// pauses between them; a recording is its own `<Play>`.
fn menu_speech(w: &mut W, said: &[Speech], ctx: &RenderContext<'_>) {
    let mut run: Vec<&str> = Vec::new();
    let mut run_language = "";
    for s in said {
        let continues = matches!(s, Speech::Text { language, .. } if language == run_language);
        if !continues && !run.is_empty() {
            say(w, &run, run_language, ctx);
            run.clear();
        }
        match s {
            Speech::Text { text, language } => {
                run_language = language;
                run.push(text);
            }
            Speech::Audio(_) | Speech::Pause(_) => speech(w, s, ctx),
        }
    }
    if !run.is_empty() {
        say(w, &run, run_language, ctx);
    }
}

/// One TwiML document for the actions of one step.
pub fn render(actions: &[Action], ctx: &RenderContext<'_>) -> String {
    let mut w = Writer::new(Vec::with_capacity(1024));
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None))).expect("writing to a Vec cannot fail");
    start(&mut w, "Response", &[]);
    for action in actions {
        match action {
            Action::Say(s) => speech(&mut w, s, ctx),
            Action::Gather { say, timeout_seconds, next } => {
                let (timeout, url) = (timeout_seconds.to_string(), ctx.url(*next));
                start(
                    &mut w,
                    "Gather",
                    &[
                        ("input", "dtmf"),
                        ("numDigits", "1"),
                        ("timeout", &timeout),
                        ("action", &url),
                        ("method", "POST"),
                    ],
                );
                menu_speech(&mut w, say, ctx);
                end(&mut w, "Gather");
            }
            Action::Redirect(next) => {
                start(&mut w, "Redirect", &[("method", "POST")]);
                text(&mut w, &ctx.url(*next));
                end(&mut w, "Redirect");
            }
            Action::DialHelper { number, caller_id, timeout_seconds, whisper, done } => {
                let (timeout, action, whisper) = (timeout_seconds.to_string(), ctx.url(*done), ctx.url(*whisper));
                start(
                    &mut w,
                    "Dial",
                    &[
                        ("action", &action),
                        ("method", "POST"),
                        ("timeout", &timeout),
                        ("callerId", caller_id.as_str()),
                        ("ringTone", "nl"),
                    ],
                );
                start(&mut w, "Number", &[("url", &whisper), ("method", "POST")]);
                text(&mut w, number.as_str());
                end(&mut w, "Number");
                end(&mut w, "Dial");
            }
            Action::DialDesk { number, timeout_seconds, done } => {
                let (timeout, action) = (timeout_seconds.to_string(), ctx.url(*done));
                start(
                    &mut w,
                    "Dial",
                    &[("action", &action), ("method", "POST"), ("timeout", &timeout), ("ringTone", "nl")],
                );
                start(&mut w, "Number", &[]);
                text(&mut w, number.as_str());
                end(&mut w, "Number");
                end(&mut w, "Dial");
            }
            Action::Record { max_seconds, silence_seconds, done } => {
                let (max, silence, action) = (max_seconds.to_string(), silence_seconds.to_string(), ctx.url(*done));
                empty(
                    &mut w,
                    "Record",
                    &[
                        ("action", &action),
                        ("method", "POST"),
                        ("maxLength", &max),
                        ("timeout", &silence),
                        ("playBeep", "true"),
                        ("finishOnKey", "#"),
                    ],
                );
            }
            Action::Pause(seconds) => empty(&mut w, "Pause", &[("length", &seconds.to_string())]),
            Action::Hold { wait, done } => {
                // A conference of the caller's own, named after their call; it starts (and
                // the wait document stops) when a helper joins.
                let (action, wait) = (ctx.url(*done), ctx.url(*wait));
                start(&mut w, "Dial", &[("action", &action), ("method", "POST")]);
                conference(
                    &mut w,
                    ctx,
                    &[("waitUrl", &wait), ("waitMethod", "POST"), ("startConferenceOnEnter", "false")],
                );
                end(&mut w, "Dial");
            }
            Action::JoinHold => {
                start(&mut w, "Dial", &[]);
                conference(&mut w, ctx, &[("startConferenceOnEnter", "true")]);
                end(&mut w, "Dial");
            }
            Action::WaitInHold { wait } => {
                let wait = ctx.url(*wait);
                start(&mut w, "Dial", &[]);
                conference(
                    &mut w,
                    ctx,
                    &[("waitUrl", &wait), ("waitMethod", "POST"), ("startConferenceOnEnter", "false")],
                );
                end(&mut w, "Dial");
            }
            // A whisper that ends in `<Hangup/>` is never joined (TwiML `<Number url>`).
            Action::Hangup | Action::LetHelperGo { .. } => empty(&mut w, "Hangup", &[]),
        }
    }
    end(&mut w, "Response");
    String::from_utf8(w.into_inner()).expect("quick-xml writes UTF-8")
}

/// The conference named after the call. Whoever leaves ends it, and every participant's
/// entry is reported (`participant-join`), so a helper who enters after the caller has
/// gone is noticed. The callback is on every participant: Twilio takes the conference's
/// callback from the participant who creates it, and after a hang-up that may be the helper.
fn conference(w: &mut W, ctx: &RenderContext<'_>, attrs: &[(&str, &str)]) {
    let events = ctx.url(Next::ConferenceEvents);
    let mut all = attrs.to_vec();
    all.extend([
        ("endConferenceOnExit", "true"),
        ("beep", "false"),
        ("statusCallback", events.as_str()),
        ("statusCallbackMethod", "POST"),
        ("statusCallbackEvent", "join"),
    ]);
    start(w, "Conference", &all);
    text(w, ctx.call_sid);
    end(w, "Conference");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::phone::PhoneNumber;
    use expect_test::expect;

    fn voice(rate: Option<&str>) -> crate::domain::dialplan::Voice {
        crate::domain::dialplan::Voice {
            name: "Polly.Lotte".into(),
            language: "nl-NL".into(),
            rate: rate.map(str::to_string),
            pause_ms: 600,
        }
    }

    fn doc(actions: &[Action], rate: Option<&str>) -> String {
        let v = Voices::single(voice(rate));
        render(
            actions,
            &RenderContext {
                call_sid: "CA0001",
                seq: 3,
                voices: &v,
                audio_base: "https://bl.example/audio/",
                webhook_base: "https://bl.example/twilio/",
            },
        )
    }

    fn phone(s: &str) -> PhoneNumber {
        PhoneNumber::parse(s).unwrap()
    }

    #[test]
    fn menu_document() {
        let actions = [
            Action::Say(Speech::text("nl", "Goedemorgen.")),
            Action::Gather {
                say: vec![Speech::text("nl", "Toets 1."), Speech::Audio("nl/menu_intro.mp3".into())],
                timeout_seconds: 8,
                next: Next::Menu,
            },
            Action::Redirect(Next::Menu),
        ];
        expect![[r#"<?xml version="1.0" encoding="UTF-8"?><Response><Say voice="Polly.Lotte" language="nl-NL"><prosody rate="90%">Goedemorgen.</prosody></Say><Gather input="dtmf" numDigits="1" timeout="8" action="menu?s=3" method="POST"><Say voice="Polly.Lotte" language="nl-NL"><prosody rate="90%">Toets 1.</prosody></Say><Play>https://bl.example/audio/nl/menu_intro.mp3</Play></Gather><Redirect method="POST">menu?s=3</Redirect></Response>"#]]
            .assert_eq(&doc(&actions, Some("90%")));
    }

    #[test]
    fn a_menus_options_are_one_say_with_pauses_between_them() {
        let text = |t: &str| Speech::text("nl", t);
        let actions = vec![Action::Gather {
            say: vec![text("Waarmee?"), text("Toets 1."), Speech::Audio("nl/x.mp3".into()), text("Toets 9.")],
            timeout_seconds: 8,
            next: Next::Menu,
        }];
        expect![[r#"<?xml version="1.0" encoding="UTF-8"?><Response><Gather input="dtmf" numDigits="1" timeout="8" action="menu?s=3" method="POST"><Say voice="Polly.Lotte" language="nl-NL">Waarmee?<break time="600ms"/>Toets 1.</Say><Play>https://bl.example/audio/nl/x.mp3</Play><Say voice="Polly.Lotte" language="nl-NL">Toets 9.</Say></Gather></Response>"#]]
        .assert_eq(&doc(&actions, None));
    }

    #[test]
    fn helper_dial_document_has_whisper_and_own_caller_id() {
        let actions = [Action::DialHelper {
            number: phone("+31610000007"),
            caller_id: phone("+31850000000"),
            timeout_seconds: 20,
            whisper: Next::Whisper { attempt: 2 },
            done: Next::HelperDone { attempt: 2 },
        }];
        expect![[r#"<?xml version="1.0" encoding="UTF-8"?><Response><Dial action="helper-done?s=3&amp;n=2" method="POST" timeout="20" callerId="+31850000000" ringTone="nl"><Number url="whisper?call=CA0001&amp;n=2" method="POST">+31610000007</Number></Dial></Response>"#]]
            .assert_eq(&doc(&actions, None));
    }

    #[test]
    fn whisper_desk_and_record_documents() {
        let whisper = [
            Action::Gather {
                say: vec![Speech::text("nl", "Kunt u helpen?")],
                timeout_seconds: 6,
                next: Next::WhisperKey { attempt: 1 },
            },
            Action::Say(Speech::text("nl", "Dank u wel.")),
            Action::Hangup,
        ];
        expect![[r#"<?xml version="1.0" encoding="UTF-8"?><Response><Gather input="dtmf" numDigits="1" timeout="6" action="whisper-key?call=CA0001&amp;n=1" method="POST"><Say voice="Polly.Lotte" language="nl-NL">Kunt u helpen?</Say></Gather><Say voice="Polly.Lotte" language="nl-NL">Dank u wel.</Say><Hangup/></Response>"#]]
            .assert_eq(&doc(&whisper, None));
        let desk = [Action::DialDesk { number: phone("+31850000001"), timeout_seconds: 25, done: Next::DeskDone }];
        expect![[r#"<?xml version="1.0" encoding="UTF-8"?><Response><Dial action="desk-done?s=3" method="POST" timeout="25" ringTone="nl"><Number>+31850000001</Number></Dial></Response>"#]]
            .assert_eq(&doc(&desk, None));
        let record = [
            Action::Record { max_seconds: 120, silence_seconds: 5, done: Next::Recorded },
            Action::Redirect(Next::Recorded),
        ];
        expect![[r##"<?xml version="1.0" encoding="UTF-8"?><Response><Record action="recorded?s=3" method="POST" maxLength="120" timeout="5" playBeep="true" finishOnKey="#"/><Redirect method="POST">recorded?s=3</Redirect></Response>"##]]
            .assert_eq(&doc(&record, None));
    }

    #[test]
    fn hold_and_join_documents() {
        let hold = [
            Action::Say(Speech::text("nl", "Even geduld.")),
            Action::Hold { wait: Next::HoldWait, done: Next::HoldDone },
        ];
        expect![[r#"<?xml version="1.0" encoding="UTF-8"?><Response><Say voice="Polly.Lotte" language="nl-NL">Even geduld.</Say><Dial action="hold-done?s=3" method="POST"><Conference waitUrl="hold-wait?call=CA0001" waitMethod="POST" startConferenceOnEnter="false" endConferenceOnExit="true" beep="false" statusCallback="https://bl.example/twilio/conference?call=CA0001" statusCallbackMethod="POST" statusCallbackEvent="join">CA0001</Conference></Dial></Response>"#]]
            .assert_eq(&doc(&hold, None));
        let wait = [Action::Say(Speech::text("nl", "Nog even.")), Action::Pause(4)];
        expect![[r#"<?xml version="1.0" encoding="UTF-8"?><Response><Say voice="Polly.Lotte" language="nl-NL">Nog even.</Say><Pause length="4"/></Response>"#]].assert_eq(&doc(&wait, None));
        let join = [Action::Say(Speech::text("nl", "Ik verbind u.")), Action::JoinHold];
        expect![[r#"<?xml version="1.0" encoding="UTF-8"?><Response><Say voice="Polly.Lotte" language="nl-NL">Ik verbind u.</Say><Dial><Conference startConferenceOnEnter="true" endConferenceOnExit="true" beep="false" statusCallback="https://bl.example/twilio/conference?call=CA0001" statusCallbackMethod="POST" statusCallbackEvent="join">CA0001</Conference></Dial></Response>"#]]
            .assert_eq(&doc(&join, None));
        let gather = [Action::Gather { say: vec![], timeout_seconds: 6, next: Next::WaveKey { attempt: 4 } }];
        assert!(doc(&gather, None).contains(r#"action="wave-key?call=CA0001&amp;n=4""#));
    }

    #[test]
    fn names_with_markup_cannot_break_the_document() {
        let actions = [Action::Say(Speech::text("nl", "Jan <Hangup/> & \"Piet\""))];
        let xml = doc(&actions, None);
        assert!(xml.contains("Jan &lt;Hangup/&gt; &amp; &quot;Piet&quot;"), "{xml}");
        assert!(!xml.contains("<Hangup/>"));
    }
}
