use burenlijn::sim::people::{HelperAction, Line, Script};

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn matched_after_a_no_answer_and_a_decline() {
    let app = spawn_app().await;
    let report = app
        .call(
            JAN,
            Script::keys(&["1"])
                .helper(ANJA, HelperAction::NoAnswer)
                .helper(BERT, HelperAction::Decline)
                .helper(CARLA, HelperAction::Accept),
        )
        .await;
    let log = app.log_of(&report).await;
    assert_eq!(log.outcome.map(|o| o.as_str()), Some("matched"));
    assert_eq!(log.category.as_deref(), Some("shopping"));
    assert_eq!(log.helper_phone.as_deref(), Some(CARLA));
    expect_attempts(&log, &[(ANJA, "no-answer"), (BERT, "declined"), (CARLA, "accepted")]);
    assert!(log.wait_seconds.unwrap() > 20, "the wait covers two helpers: {:?}", log.wait_seconds);
    assert_eq!(log.follow_up, None);
    assert!(report.lines.contains(&Line::Connected { number: CARLA.into() }));

    let heard = caller_heard(&report);
    // Known by caller ID alone, which can be spoofed: his first name, never his surname.
    assert!(heard[0].starts_with("Goedemorgen Jan."), "{heard:?}");
    assert!(!heard.iter().any(|t| t.contains("de Vries")), "{heard:?}");
    assert!(heard.iter().any(|t| t.contains("112") || t.contains("1 1 2")), "the emergency number is said");
    // Nothing about who declined reaches the caller.
    assert!(!heard.iter().any(|t| t.contains("Bert") || t.contains("Anja")), "{heard:?}");
    // Helpers hear a first name and a street, never a phone number.
    for (_, text) in helpers_heard(&report) {
        assert!(!text.contains("1234567") && !text.contains("de Vries"), "{text}");
    }
    assert!(helpers_heard(&report)
        .iter()
        .any(|(n, t)| n == CARLA && t == "Jan uit de Kerkstraat vraagt om hulp. Het gaat om boodschappen."));
    // A no is thanked.
    assert!(helpers_heard(&report).iter().any(|(n, t)| n == BERT && t.starts_with("Geen probleem. Dank u wel")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn helpers_outside_their_hours_or_category_are_never_rung() {
    let app = spawn_app().await;
    let report = app
        .call(
            JAN,
            Script::keys(&["1"])
                .helper(ANJA, HelperAction::Decline)
                .helper(BERT, HelperAction::Decline)
                .helper(CARLA, HelperAction::Decline),
        )
        .await;
    assert_eq!(rung(&report)[..3], [ANJA.to_string(), BERT.to_string(), CARLA.to_string()]);
    assert!(!rung(&report).iter().any(|n| n == DIRK || n == ELS || n == JAN), "{:?}", rung(&report));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_helper_whose_voicemail_answers_is_a_no() {
    let app = spawn_app().await;
    let report =
        app.call(JAN, Script::keys(&["1"]).helper(ANJA, HelperAction::Silent).helper(BERT, HelperAction::Accept)).await;
    let log = app.log_of(&report).await;
    expect_attempts(&log, &[(ANJA, "declined"), (BERT, "accepted")]);
    assert_eq!(log.attempts[0].key, None);
    assert_eq!(log.helper_phone.as_deref(), Some(BERT));
    assert!(
        !report.lines.contains(&Line::Connected { number: ANJA.into() }),
        "a voicemail box is never joined to the caller"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_keys_hang_ups_busy_and_failures_move_on() {
    let app = spawn_app().await;
    let report = app
        .call(
            JAN,
            Script::keys(&["1"])
                .helper(ANJA, HelperAction::Key("9".into()))
                .helper(BERT, HelperAction::HangUp)
                .helper(CARLA, HelperAction::Busy),
        )
        .await;
    let log = app.log_of(&report).await;
    // Nobody left for shopping on a Tuesday: to the desk, who answers.
    expect_attempts(&log, &[(ANJA, "declined"), (BERT, "declined"), (CARLA, "busy")]);
    // The desk does not answer and no message is left.
    assert_eq!(log.outcome.map(|o| o.as_str()), Some("unmatched"));
    assert_eq!(log.follow_up.as_deref(), Some("open"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nobody_accepts_in_office_hours_the_desk_takes_over() {
    let app = spawn_app().await;
    let mut script = Script::keys(&["1"])
        .helper(ANJA, HelperAction::Decline)
        .helper(BERT, HelperAction::Failed)
        .helper(CARLA, HelperAction::NoAnswer);
    script.desk_answers = true;
    let report = app.call(JAN, script).await;
    let log = app.log_of(&report).await;
    assert_eq!(log.outcome.map(|o| o.as_str()), Some("desk"));
    expect_attempts(&log, &[(ANJA, "declined"), (BERT, "failed"), (CARLA, "no-answer")]);
    assert_eq!(log.follow_up, None, "the desk talked to the caller");
    let heard = caller_heard(&report);
    assert!(heard.contains(&"Het spijt me. Ik heb nu niemand gevonden die kan helpen.".to_string()), "{heard:?}");
    assert!(rung(&report).last().unwrap() == "+31850000001", "the desk phone is rung last");

    // The desk does not answer either: a message, a callback promise, a follow-up.
    let mut script = Script::keys(&["1"])
        .helper(ANJA, HelperAction::Decline)
        .helper(BERT, HelperAction::Decline)
        .helper(CARLA, HelperAction::Decline);
    script.desk_answers = false;
    script.message_seconds = Some(20);
    let report = app.call(JAN, script).await;
    let log = app.log_of(&report).await;
    assert_eq!(log.outcome.map(|o| o.as_str()), Some("voicemail"));
    assert!(log.voicemail_url.as_deref().unwrap().starts_with("https://api.twilio.com/"));
    assert_eq!(log.follow_up.as_deref(), Some("open"));
    let heard = caller_heard(&report);
    assert!(heard.contains(&"Er neemt nu niemand op bij de balie.".to_string()), "{heard:?}");
    assert!(heard.contains(&"De balie belt u zo snel mogelijk terug.".to_string()), "{heard:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nobody_accepts_outside_office_hours_a_message_and_monday() {
    let app = spawn_app_at(SATURDAY_MORNING).await;
    let mut script = Script::keys(&["1"]);
    for n in [ANJA, BERT, CARLA, ELS] {
        script = script.helper(n, HelperAction::Decline);
    }
    script.message_seconds = Some(15);
    let report = app.call(JAN, script).await;
    let log = app.log_of(&report).await;
    // Anja only helps on weekdays; Els does on Saturday mornings.
    expect_attempts(&log, &[(BERT, "declined"), (CARLA, "declined"), (ELS, "declined")]);
    assert_eq!(log.outcome.map(|o| o.as_str()), Some("voicemail"));
    assert_eq!(log.follow_up.as_deref(), Some("open"));
    let heard = caller_heard(&report);
    assert!(heard.contains(&"De balie is nu gesloten.".to_string()), "{heard:?}");
    assert!(heard.contains(&"De balie belt u op maandag na 9 uur terug.".to_string()), "{heard:?}");
    assert!(heard.iter().any(|t| t.starts_with("Goedemiddag") || t.starts_with("Goedemorgen")));
    assert!(!rung(&report).contains(&"+31850000001".to_string()), "the closed desk is not rung");
    // Leaving no message: still a follow-up, as unmatched.
    let report = app.call(JAN, Script::keys(&["4"])).await;
    let log = app.log_of(&report).await;
    assert_eq!(log.attempts.len(), 0, "nobody offers company on Saturday");
    assert_eq!(log.outcome.map(|o| o.as_str()), Some("unmatched"));
    assert_eq!(log.follow_up.as_deref(), Some("open"));
    assert_eq!(caller_heard(&report).last().unwrap(), "Dank u wel voor uw bericht. Tot ziens.");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_and_anonymous_callers_are_served_all_the_same() {
    let app = spawn_app().await;
    let report = app.call("+31301234567", Script::keys(&["1"])).await;
    let log = app.log_of(&report).await;
    assert_eq!(log.outcome.map(|o| o.as_str()), Some("matched"));
    assert!(caller_heard(&report)[0].starts_with("Goedemorgen. Fijn dat u belt"));
    assert!(helpers_heard(&report)
        .iter()
        .any(|(_, t)| t == "Iemand uit de buurt vraagt om hulp. Het gaat om boodschappen."));

    let mut script = Script::keys(&["0"]);
    script.desk_answers = false;
    script.message_seconds = Some(10);
    let report = app.call("anonymous", script).await;
    let log = app.log_of(&report).await;
    assert_eq!(log.from, None);
    assert_eq!(log.outcome.map(|o| o.as_str()), Some("voicemail"));
    let heard = caller_heard(&report);
    let asked = heard.iter().position(|t| t == "Ik kan uw nummer niet zien. Noem daarom ook uw telefoonnummer.");
    let hang_up = heard.iter().position(|t| t == "Hang daarna gewoon op.");
    assert!(asked.is_some() && asked < hang_up, "asked for a number before told to hang up: {heard:?}");
    assert_eq!(log.to_json()["from"], "anonymous");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caller_who_hangs_up_mid_search_is_abandoned_and_frees_the_helper() {
    let app = spawn_app().await;
    let mut script = Script::keys(&["1"]).helper(ANJA, HelperAction::Decline);
    script.hang_up_at_ring = Some(2);
    let report = app.call(JAN, script).await;
    let log = app.log_of(&report).await;
    assert_eq!(log.outcome.map(|o| o.as_str()), Some("abandoned"));
    expect_attempts(&log, &[(ANJA, "declined"), (BERT, "canceled")]);
    assert_eq!(log.follow_up.as_deref(), Some("open"));
    // Bert is not left "busy": the next caller can reach him.
    let report = app
        .call(
            "+31301234567",
            Script::keys(&["1"]).helper(ANJA, HelperAction::Decline).helper(CARLA, HelperAction::Decline),
        )
        .await;
    assert_eq!(
        rung(&report),
        vec![CARLA.to_string(), ANJA.to_string(), BERT.to_string()],
        "never asked first, then least recently asked"
    );
    assert_eq!(app.log_of(&report).await.helper_phone.as_deref(), Some(BERT));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_webhook_delivered_twice_changes_nothing() {
    let once = spawn_app().await;
    let twice = spawn_app().await;
    let script = || {
        Script::keys(&["7", "1"])
            .helper(ANJA, HelperAction::NoAnswer)
            .helper(BERT, HelperAction::Decline)
            .helper(CARLA, HelperAction::Accept)
    };
    every_webhook_twice_changes_nothing(once, twice, script).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn menu_silence_is_offered_more_time_then_the_desk() {
    let app = spawn_app().await;
    let script = Script { desk_answers: true, ..Default::default() };
    let report = app.call(JAN, script).await;
    let heard = caller_heard(&report);
    assert_eq!(heard.iter().filter(|t| *t == "Waarmee kunnen we u helpen?").count(), 1, "the menu once");
    assert_eq!(heard.iter().filter(|t| *t == "Wilt u meer tijd? Toets 1.").count(), 1, "more time, once: {heard:?}");
    assert!(report.lines.contains(&Line::DeskAnswers), "{heard:?}");
    let log = app.log_of(&report).await;
    assert_eq!(log.outcome.map(|o| o.as_str()), Some("desk"));
}

/// Through the emulator: 9 plays the menu again (the first menu says so, once), and the
/// call goes on as if the caller had pressed their choice the first time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nine_plays_the_menu_again() {
    let app = spawn_app().await;
    let report = app.call(JAN, Script::keys(&["9", "1"]).helper(ANJA, HelperAction::Accept)).await;
    let heard = caller_heard(&report);
    assert_eq!(heard.iter().filter(|t| *t == "Waarmee kunnen we u helpen?").count(), 2, "{heard:?}");
    assert_eq!(heard.iter().filter(|t| *t == "Wilt u dit nog een keer horen? Toets 9.").count(), 1, "{heard:?}");
    assert!(!heard.iter().any(|t| t.starts_with("Die toets ken ik niet")), "{heard:?}");
    let log = app.log_of(&report).await;
    assert_eq!((log.outcome.map(|o| o.as_str()), log.helper_phone.as_deref()), (Some("matched"), Some(ANJA)));
    assert_eq!(app.count("SELECT menu_repeats FROM calls").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_helper_who_helped_before_is_asked_first() {
    let app = spawn_app().await;
    let first = app
        .call(JAN, Script::keys(&["1"]).helper(ANJA, HelperAction::Decline).helper(BERT, HelperAction::Accept))
        .await;
    assert_eq!(app.log_of(&first).await.helper_phone.as_deref(), Some(BERT));
    // Bert was asked most recently, but he helped Jan with shopping: he comes first.
    let again = app.call(JAN, Script::keys(&["1"])).await;
    assert_eq!(rung(&again)[0], BERT);
    // Someone else gets fair rotation: Carla was never asked, Anja and Bert were.
    let other = app.call("+31301234567", Script::keys(&["1"])).await;
    assert_eq!(rung(&other)[0], CARLA);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_helper_ringing_for_another_call_is_not_rung_and_a_late_yes_is_thanked() {
    let app = spawn_app().await;
    let em = &app.sandbox.emulator;
    // Call A by hand: Jan presses 1, so Anja's phone is ringing for A.
    let base = |sid: &str, from: &str| {
        pairs(&[
            ("CallSid", sid),
            ("From", from),
            ("To", SWITCHBOARD),
            ("CallStatus", "in-progress"),
            ("Direction", "inbound"),
        ])
    };
    let voice = em.voice_url().clone();
    let (status, _) = em.post(&voice, &base("CAaaaaaaaaaaaaaaaaaaaa", JAN)).await.unwrap();
    assert_eq!(status, 200);
    let mut menu = base("CAaaaaaaaaaaaaaaaaaaaa", JAN);
    menu.push(("Digits".into(), "1".into()));
    let (_, doc) = em.post(&voice.join("menu?s=1").unwrap(), &menu).await.unwrap();
    assert!(doc.contains(&format!(">{ANJA}</Number>")), "{doc}");
    // Call B meanwhile: Anja is busy with A.
    let b = app.call("+31301234567", Script::keys(&["1"])).await;
    assert_eq!(rung(&b)[0], BERT);
    // Caller A hangs up; then Anja presses 1 anyway.
    let mut gone = base("CAaaaaaaaaaaaaaaaaaaaa", JAN);
    gone[3].1 = "completed".into();
    em.post(&em.status_url(), &gone).await.unwrap();
    let key = pairs(&[
        ("CallSid", "CAchildchildchild01"),
        ("ParentCallSid", "CAaaaaaaaaaaaaaaaaaaaa"),
        ("From", SWITCHBOARD),
        ("To", ANJA),
        ("Digits", "1"),
        ("Direction", "outbound-dial"),
    ]);
    let (status, doc) =
        em.post(&voice.join("whisper-key?call=CAaaaaaaaaaaaaaaaaaaaa&n=1").unwrap(), &key).await.unwrap();
    assert_eq!(status, 200);
    assert!(doc.contains("De beller heeft al opgehangen") && doc.contains("<Hangup/>"), "{doc}");
    let log = app.sandbox.call_log("CAaaaaaaaaaaaaaaaaaaaa").await.unwrap().unwrap();
    assert_eq!(log.outcome.map(|o| o.as_str()), Some("abandoned"));
    assert_eq!(log.helper_phone, None, "nobody is joined to a caller who hung up");
    expect_attempts(&log, &[(ANJA, "canceled")]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dial_report_after_the_caller_hung_up_rings_nobody_new() {
    let mut app = spawn_app().await;
    app.sandbox.emulator.dial_action_after_hangup = true;
    let mut script = Script::keys(&["1"]).helper(ANJA, HelperAction::Decline);
    script.hang_up_at_ring = Some(2);
    let report = app.call(JAN, script).await;
    let log = app.log_of(&report).await;
    assert_eq!(log.outcome.map(|o| o.as_str()), Some("abandoned"));
    expect_attempts(&log, &[(ANJA, "declined"), (BERT, "canceled")]);
    assert_eq!(app.count("SELECT count(*) FROM attempts WHERE ended_at IS NULL").await, 0, "nobody is left ringing");
}

/// Every TwiML document the service returns, from calls that take every path.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twiml_documents() {
    let app = spawn_app().await;
    let mut docs: Vec<(String, String)> = Vec::new();
    let mut collect = |report: &burenlijn::sim::emulator::CallReport| {
        for (path, body) in &report.documents {
            let path = normalise(path);
            let body = normalise(body);
            let key = path.split('?').next().unwrap().to_string();
            if !docs.iter().any(|(p, b)| p.split('?').next().unwrap() == key && *b == body) {
                docs.push((path, body));
            }
        }
    };
    let r = app
        .call(
            JAN,
            Script::keys(&["5", "1"])
                .helper(ANJA, HelperAction::NoAnswer)
                .helper(BERT, HelperAction::Decline)
                .helper(CARLA, HelperAction::Accept),
        )
        .await;
    collect(&r);
    // Transport may be planned: 1 is help now.
    let mut s = Script::keys(&["2", "1"]).helper(BERT, HelperAction::Silent).helper(DIRK, HelperAction::Decline);
    s.desk_answers = false;
    s.message_seconds = Some(30);
    collect(&app.call("+31301234567", s).await);
    let s = Script { desk_answers: true, ..Default::default() };
    collect(&app.call("anonymous", s).await);
    let mut s = Script::keys(&["3", "1"]);
    s.hang_up_at_ring = Some(1);
    collect(&app.call(JAN, s).await);
    // A participant's own settings: the menu under 8, a week off, hearing the settings,
    // the other choices (5), and 0: the desk, which does not answer, so a word for it.
    let mut s = Script::keys(&["8", "1", "4", "5", "0"]);
    s.message_seconds = Some(20);
    collect(&app.call(ANJA, s).await);
    let mut text = String::new();
    for (path, body) in docs {
        text.push_str(&format!("POST {path}\n{}\n\n", body.replace("><", ">\n<")));
    }
    expect_test::expect_file!["snapshots/twiml.txt"].assert_eq(&text);
}

/// Replaces call identifiers so snapshots do not change from run to run.
fn normalise(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("CA") {
        out.push_str(&rest[..i]);
        let tail = &rest[i + 2..];
        let n = tail.chars().take_while(|c| c.is_ascii_hexdigit()).count();
        if n >= 16 {
            out.push_str("CAxxxx");
            rest = &tail[n..];
        } else {
            out.push_str("CA");
            rest = tail;
        }
    }
    out.push_str(rest);
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recorded_prompt_is_played_and_served() {
    let dir = tempfile::tempdir().unwrap();
    let prompts = dir.path().join("prompts");
    std::fs::create_dir_all(prompts.join("audio/nl")).unwrap();
    std::fs::copy("prompts/nl.toml", prompts.join("nl.toml")).unwrap();
    // The example offers English to unknown callers, so its prompts must be there too.
    std::fs::copy("prompts/en.toml", prompts.join("en.toml")).unwrap();
    std::fs::write(prompts.join("audio/nl/not_emergency.mp3"), b"ID3 fake mp3").unwrap();
    let hoods = burenlijn::config::load(Some(std::path::Path::new("dialplans")), Some(&prompts)).unwrap();
    let start = TUESDAY_MORNING.parse().unwrap();
    let sandbox = burenlijn::sim::Sandbox::start(None, hoods, start, Some(PARTICIPANTS.to_string())).await.unwrap();
    let app = TestApp { sandbox };
    let report = app.call(JAN, Script::keys(&["1"])).await;
    let url = format!("{}/audio/nl/not_emergency.mp3", app.sandbox.state.switchboard.public_url);
    assert!(caller_heard(&report).contains(&format!("[recording {url}]")), "{:?}", caller_heard(&report));
    let resp = reqwest::get(&url).await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "audio/mpeg");
    assert_eq!(resp.bytes().await.unwrap().as_ref(), b"ID3 fake mp3");
    let outside =
        reqwest::get(format!("{}/audio/nl/..%2Fnl.toml", app.sandbox.state.switchboard.public_url)).await.unwrap();
    assert_eq!(outside.status(), 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_whose_end_was_never_reported_is_closed_and_frees_its_helper() {
    let app = spawn_app().await;
    let em = &app.sandbox.emulator;
    let voice = em.voice_url().clone();
    let base = pairs(&[
        ("CallSid", "CAlostlostlost000001"),
        ("From", JAN),
        ("To", SWITCHBOARD),
        ("CallStatus", "in-progress"),
    ]);
    em.post(&voice, &base).await.unwrap();
    let mut menu = base.clone();
    menu.push(("Digits".into(), "1".into()));
    em.post(&voice.join("menu?s=1").unwrap(), &menu).await.unwrap();
    // The status callback never comes. An hour later nothing is swept yet.
    app.sandbox.clock.advance(3600);
    let st = app.sandbox.state.clone();
    assert_eq!(burenlijn::switchboard::jobs::sweep(&st.switchboard).unwrap(), 0);
    // After three hours the call is closed as abandoned and Anja is free again.
    app.sandbox.clock.advance(2 * 3600 + 1);
    assert_eq!(burenlijn::switchboard::jobs::sweep(&st.switchboard).unwrap(), 1);
    let log = app.sandbox.call_log("CAlostlostlost000001").await.unwrap().unwrap();
    assert_eq!(log.outcome.map(|o| o.as_str()), Some("abandoned"));
    expect_attempts(&log, &[(ANJA, "canceled")]);
    assert_eq!(log.follow_up.as_deref(), Some("open"));
    assert_eq!(burenlijn::switchboard::jobs::sweep(&st.switchboard).unwrap(), 0, "a swept call stays swept");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_number_that_calls_again_and_again_reaches_the_desk_instead_of_every_neighbour() {
    let app = spawn_app().await;
    for _ in 0..5 {
        let report = app.call("+31301234567", Script::keys(&["1"])).await;
        assert_eq!(app.log_of(&report).await.outcome.map(|o| o.as_str()), Some("matched"));
    }
    let mut script = Script::keys(&["1"]);
    script.desk_answers = true;
    let sixth = app.call("+31301234567", script).await;
    let log = app.log_of(&sixth).await;
    assert_eq!(log.attempts.len(), 0, "nobody is rung");
    assert_eq!(log.outcome.map(|o| o.as_str()), Some("desk"));
    assert!(
        caller_heard(&sixth).contains(&"U heeft vandaag al vaker gebeld. De balie helpt u graag verder.".to_string())
    );
    // Someone else is served as usual.
    let other = app.call(JAN, Script::keys(&["1"])).await;
    assert_eq!(app.log_of(&other).await.outcome.map(|o| o.as_str()), Some("matched"));
    // A day later the same number is served again.
    app.sandbox.clock.advance(24 * 3600);
    let later = app.call("+31301234567", Script::keys(&["1"])).await;
    assert_eq!(app.log_of(&later).await.outcome.map(|o| o.as_str()), Some("matched"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn old_calls_are_anonymised_and_their_counts_kept() {
    let app = spawn_app().await;
    let mut script = Script::keys(&["1"])
        .helper(ANJA, HelperAction::Decline)
        .helper(BERT, HelperAction::Decline)
        .helper(CARLA, HelperAction::Decline);
    script.message_seconds = Some(12);
    let old = app.call(JAN, script).await;
    let st = app.sandbox.state.clone();
    assert_eq!(burenlijn::switchboard::jobs::anonymise(&st.switchboard).unwrap(), 0, "nothing is old yet");
    app.sandbox.clock.advance(25 * 31 * 24 * 3600);
    let recent = app.call(JAN, Script::keys(&["1"])).await;
    assert_eq!(burenlijn::switchboard::jobs::anonymise(&st.switchboard).unwrap(), 1);
    let log = app.log_of(&old).await;
    assert!(log.anonymised);
    assert_eq!(log.from, None);
    assert_eq!(log.voicemail_url, None);
    assert!(log.attempts.iter().all(|a| a.phone.is_none() && a.first_name.is_empty()));
    // What the totals need stays.
    assert_eq!(log.outcome.map(|o| o.as_str()), Some("voicemail"));
    assert_eq!(log.category.as_deref(), Some("shopping"));
    assert_eq!(
        log.attempts.iter().map(|a| a.result.clone().unwrap()).collect::<Vec<_>>(),
        ["declined", "declined", "declined"]
    );
    let kept = app.log_of(&recent).await;
    assert!(!kept.anonymised && kept.from.as_deref() == Some(JAN));
    assert_eq!(
        app.count(
            "SELECT count(*) FROM webhook_responses w JOIN calls c USING (call_sid) WHERE c.anonymised_at IS NOT NULL"
        )
        .await,
        0
    );
    assert_eq!(app.count("SELECT count(*) FROM participants").await, 6, "the register is not touched");
}

/// Many callers at once and few helpers: nobody is ever rung for two calls at once (the
/// database refuses it, and no webhook fails), every call ends with one outcome.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_callers_at_once_never_share_a_helper() {
    let app = spawn_app().await;
    let sandbox = &app.sandbox;
    let mut tasks = Vec::new();
    for i in 0..24u32 {
        let emulator = &sandbox.emulator;
        tasks.push(async move {
            let mut script = Script::keys(&["1"]);
            if i % 3 == 0 {
                script = script.helper(ANJA, HelperAction::Decline);
            }
            script.desk_answers = i % 2 == 0;
            script.message_seconds = Some(10);
            emulator.call(&format!("+3130{:07}", 1_000_000 + i), SWITCHBOARD, &mut script).await
        });
    }
    let reports = futures_join_all(tasks).await;
    for r in &reports {
        let r = r.as_ref().expect("every call runs to its end");
        assert!(!caller_heard(r).iter().any(|t| t.contains("er ging iets mis")), "no webhook failed");
    }
    assert_eq!(app.count("SELECT count(*) FROM calls WHERE outcome IS NULL").await, 0);
    assert_eq!(app.count("SELECT count(*) FROM attempts WHERE ended_at IS NULL").await, 0);
    assert_eq!(
        app.count("SELECT count(*) FROM (SELECT call_sid FROM matches GROUP BY call_sid HAVING count(*) > 1)").await,
        0
    );
    let matched =
        reports
            .iter()
            .filter(|r| {
                r.as_ref().unwrap().lines.iter().any(
                    |l| matches!(l, burenlijn::sim::people::Line::Connected { number } if number != "+31850000001"),
                )
            })
            .count();
    assert_eq!(app.count("SELECT count(*) FROM matches").await, matched as i64);
}

/// Runs futures concurrently on this task (no extra crate needed).
async fn futures_join_all<F: std::future::Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut handles: Vec<std::pin::Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = handles.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (i, f) in handles.iter_mut().enumerate() {
            if outputs[i].is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => outputs[i] = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    outputs.into_iter().map(|o| o.expect("every future finished")).collect()
}

/// Jan hung up before anyone could help (a follow-up: call him back), and left a message
/// another time; then he calls again and Anja helps with the shopping. The first card is
/// closed by itself (solved by a neighbour, by the switchboard); the message stays for the
/// desk, as does a call for another kind of help.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caller_helped_later_needs_no_call_back_for_the_same_help() {
    let app = spawn_app().await;
    let shopping_gone = Script { hang_up_at_ring: Some(1), ..Script::keys(&["1"]) };
    let first = app.call(JAN, shopping_gone).await;
    let transport_gone = Script { hang_up_at_ring: Some(1), ..Script::keys(&["2", "1"]) };
    let other = app.call(JAN, transport_gone).await;
    let message = Script { message_seconds: Some(20), ..Script::keys(&["0"]) };
    let voicemail = app.call(JAN, message).await;
    let open = |sid: String| {
        let app = &app;
        async move { app.log_of_sid(&sid).await.follow_up.as_deref() == Some("open") }
    };
    assert!(open(first.call_sid.clone()).await && open(other.call_sid.clone()).await);
    let voicemail_open = app.log_of(&voicemail).await.follow_up;
    assert_eq!(voicemail_open.as_deref(), Some("open"), "the message has a card");
    let helped = app.call(JAN, Script::keys(&["1"]).helper(ANJA, HelperAction::Accept)).await;
    assert_eq!(app.log_of(&helped).await.outcome.map(|o| o.as_str()), Some("matched"));
    assert!(!open(first.call_sid.clone()).await, "the same help: closed by itself");
    assert_eq!(
        app.text("SELECT result || ' by ' || closed_by FROM follow_ups WHERE closed_at IS NOT NULL").await,
        "solved-by-neighbour by Burenlijn"
    );
    assert!(open(other.call_sid.clone()).await, "another kind of help stays open");
    assert_eq!(app.log_of(&voicemail).await.follow_up, voicemail_open, "a message stays as it was");
}

/// The desk's phone in the example dialplan.
const DESK: &str = "+31850000001";

fn keys_then_silence(keys: &[Option<&str>]) -> Script {
    Script {
        caller_keys: keys.iter().map(|k| k.map(str::to_string)).collect(),
        desk_answers: true,
        message_seconds: Some(10),
        ..Default::default()
    }
}

/// Issue 27, through the emulator: 0 reaches the desk from every menu a caller hears (the
/// main menu of an unknown caller, of a resident who asks, of a participant; their own
/// settings and its other choices; the offer of more time), and no menu says more than
/// five choices besides 9, six in a participant's main menu (8).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zero_is_a_person_from_every_menu_and_no_menu_says_more_than_five_choices() {
    let app = spawn_app().await;
    let cases: [(&str, &[Option<&str>]); 9] = [
        ("+31301234567", &[Some("0")]),
        (JAN, &[Some("0")]),
        (ANJA, &[Some("0")]),
        (ANJA, &[Some("8"), Some("0")]),
        (ANJA, &[Some("8"), Some("5"), Some("0")]),
        (ANJA, &[Some("8"), Some("5"), Some("8"), Some("0")]),
        (JAN, &[Some("8"), Some("0")]),
        (JAN, &[Some("8"), Some("8"), Some("0")]),
        (JAN, &[None, Some("0")]),
    ];
    for (from, keys) in cases {
        let report = app.call(from, keys_then_silence(keys)).await;
        let heard = caller_heard(&report);
        assert!(rung(&report).contains(&DESK.to_string()), "{from} {keys:?}: {heard:?}");
        assert!(report.lines.contains(&Line::DeskAnswers), "{from} {keys:?}: {heard:?}");
        assert!(rung(&report).iter().all(|n| n == DESK), "only the desk: {:?}", rung(&report));
        let menus = menus_in(&report);
        assert!(!menus.is_empty());
        for menu in menus {
            // A participant in the register (Jan who asks, Anja who helps) hears 8 too.
            let most = if from != "+31301234567" && menu.contains(&"8".to_string()) { 6 } else { 5 };
            assert!(menu.len() <= most, "{from} {keys:?}: {menu:?} in {heard:?}");
            assert!(from != "+31301234567" || !menu.contains(&"8".to_string()), "{from}: {menu:?}");
        }
    }
    // The longest menus really are six and five.
    let report = app.call(ANJA, keys_then_silence(&[Some("8"), Some("0")])).await;
    let sizes: Vec<usize> = menus_in(&report).iter().map(Vec::len).collect();
    assert_eq!(&sizes[..2], &[6, 5], "{:?}", menus_in(&report));
}

/// Issue 27: two silences, or two keys that are not one of the choices, end with a person
/// (the desk, in office hours) or a message (the desk closed) in every menu a caller hears:
/// never with a hang-up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_silences_or_two_wrong_keys_end_with_a_person_or_a_message_in_every_menu() {
    for (when, office) in [(TUESDAY_MORNING, true), (SATURDAY_MORNING, false)] {
        let app = spawn_app_at(when).await;
        let cases: [(&str, &[Option<&str>]); 8] = [
            (JAN, &[None, None]),
            (JAN, &[Some("6"), Some("6")]),
            (ANJA, &[Some("8"), None, None]),
            // 6 and 3 are not Anja's choices (not in the round, not paused); 7 is: the slow line.
            (ANJA, &[Some("8"), Some("6"), Some("6")]),
            (ANJA, &[Some("8"), Some("5"), None, None]),
            (ANJA, &[Some("8"), Some("5"), Some("6"), Some("3")]),
            // Jan's say (8, 8): 3 is his choice now ("either"), so not one of the choices.
            (JAN, &[Some("8"), Some("8"), None, None]),
            (JAN, &[Some("8"), Some("8"), Some("3"), Some("6")]),
        ];
        for (from, keys) in cases {
            let report = app.call(from, keys_then_silence(keys)).await;
            let heard = caller_heard(&report);
            let reached = if office {
                report.lines.contains(&Line::DeskAnswers)
            } else {
                report.lines.iter().any(|l| matches!(l, Line::CallerRecords { .. }))
            };
            assert!(reached, "{when} {from} {keys:?}: {heard:?}");
            assert!(!heard.iter().any(|t| t.starts_with("Ik hoor nog steeds geen toets")), "{heard:?}");
            // A first wrong key is named and the choices said again; the second goes on.
            let wrong_keys = keys.iter().flatten().filter(|k| !["8", "5"].contains(k)).count();
            let named = heard.iter().filter(|t| t.starts_with("Die toets hoort niet bij de keuzes.")).count();
            assert_eq!(named, usize::from(wrong_keys == 2), "{heard:?}");
            let log = app.log_of(&report).await;
            let in_settings = keys.first() == Some(&Some("8"));
            let expected = match (office, in_settings) {
                (true, false) => "desk",
                (false, false) => "voicemail",
                (true, true) => "settings",
                (false, true) => "message",
            };
            assert_eq!(log.outcome.map(|o| o.as_str()), Some(expected), "{when} {from} {keys:?}: {heard:?}");
        }
    }
}

/// Issue 27: a helper who needs a moment (silent when first asked) is asked again, and a
/// 1 then is a yes like any other; the caller is put through.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_helper_silent_once_at_the_whisper_is_asked_again() {
    let app = spawn_app().await;
    let report = app.call(JAN, Script::keys(&["1"]).helper(ANJA, HelperAction::SilentOnceThenAccept)).await;
    let asked =
        helpers_heard(&report).iter().filter(|(n, t)| n == ANJA && t.starts_with("Kunt u nu helpen? Toets 1.")).count();
    assert_eq!(asked, 2, "{:?}", helpers_heard(&report));
    let log = app.log_of(&report).await;
    assert_eq!((log.outcome.map(|o| o.as_str()), log.helper_phone.as_deref()), (Some("matched"), Some(ANJA)));
    assert_eq!(attempts(&log), pairs(&[(ANJA, "accepted")]));
}
