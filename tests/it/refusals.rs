use burenlijn::sim::people::Script;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forged_or_missing_signature_changes_nothing() {
    let app = spawn_app().await;
    let em = &app.sandbox.emulator;
    let before = app.snapshot().await;
    let params =
        pairs(&[("CallSid", "CAforgedforgedforged"), ("From", JAN), ("To", SWITCHBOARD), ("CallStatus", "ringing")]);
    let voice = em.voice_url().clone();
    let (status, _) = em.post_with_signature(&voice, &params, Some("RSOYDt4T1cUTdK1PDd93/VVr8B8=")).await.unwrap();
    assert_eq!(status, 403);
    let (status, _) = em.post_with_signature(&voice, &params, None).await.unwrap();
    assert_eq!(status, 403);
    assert_eq!(app.snapshot().await, before);

    // A real call in progress; a forged "caller hung up" and a forged keypress change nothing.
    let report = app.call(JAN, Script::keys(&["1"])).await;
    let before = app.snapshot().await;
    let gone = pairs(&[("CallSid", &report.call_sid), ("CallStatus", "completed")]);
    let (status, _) =
        em.post_with_signature(&em.status_url(), &gone, Some("AAAAAAAAAAAAAAAAAAAAAAAAAAA=")).await.unwrap();
    assert_eq!(status, 403);
    let key = pairs(&[("CallSid", "CAchild000000000001"), ("Digits", "1")]);
    let url = voice.join(&format!("whisper-key?call={}&n=1", report.call_sid)).unwrap();
    let (status, _) = em.post_with_signature(&url, &key, Some("garbage")).await.unwrap();
    assert_eq!(status, 403);
    assert_eq!(app.snapshot().await, before);
}

/// Every webhook endpoint there is (`Endpoint::ALL`) is routed and signature-checked: a
/// forged request to any of them is refused with 403 and changes nothing, and a path that
/// is none of them is 404 whatever its signature.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_endpoint_is_routed_and_refuses_a_forgery() {
    use burenlijn::provider::twilio::Endpoint;
    let app = spawn_app().await;
    let em = &app.sandbox.emulator;
    let voice = em.voice_url().clone();
    let params =
        pairs(&[("CallSid", "CAforgedforgedforged"), ("From", JAN), ("To", SWITCHBOARD), ("CallStatus", "completed")]);
    let before = app.snapshot().await;
    for endpoint in Endpoint::ALL {
        let url = voice.join(endpoint.path()).unwrap();
        for signature in [Some("RSOYDt4T1cUTdK1PDd93/VVr8B8="), None] {
            let (status, body) = em.post_with_signature(&url, &params, signature).await.unwrap();
            assert_eq!((status, body.as_str()), (403, "signature does not match\n"), "{endpoint:?}");
        }
    }
    let (status, body) = em.post(&voice.join("voice-nonsense").unwrap(), &params).await.unwrap();
    assert_eq!((status, body.as_str()), (404, "no such webhook\n"));
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signature_for_other_parameters_is_refused() {
    let app = spawn_app().await;
    let em = &app.sandbox.emulator;
    let voice = em.voice_url().clone();
    let signed = pairs(&[("CallSid", "CAtampered0000000001"), ("From", JAN), ("To", SWITCHBOARD)]);
    let sig = burenlijn::provider::twilio::signature("wrong-token", voice.as_str(), &signed);
    let (status, _) = em.post_with_signature(&voice, &signed, Some(&sig)).await.unwrap();
    assert_eq!(status, 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_webhooks_get_a_clear_error_and_change_nothing() {
    let app = spawn_app().await;
    let em = &app.sandbox.emulator;
    let voice = em.voice_url().clone();
    let before = app.snapshot().await;
    let (status, body) = em.post(&voice, &pairs(&[("From", JAN)])).await.unwrap();
    assert_eq!((status, body.as_str()), (400, "missing parameter CallSid\n"));
    let (status, body) = em
        .post(
            &voice.join("helper-done?s=abc&n=1").unwrap(),
            &pairs(&[("CallSid", "CA0000000000000001"), ("DialCallStatus", "completed")]),
        )
        .await
        .unwrap();
    assert_eq!((status, body.as_str()), (400, "parameter s is not a number\n"));
    let (status, _) =
        em.post(&voice.join("nonsense").unwrap(), &pairs(&[("CallSid", "CA0000000000000001")])).await.unwrap();
    assert_eq!(status, 404);
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_number_without_a_dialplan_says_so_and_hangs_up() {
    let app = spawn_app().await;
    let em = &app.sandbox.emulator;
    let params =
        pairs(&[("CallSid", "CAunknownnumber00001"), ("From", JAN), ("To", "+31209999999"), ("CallStatus", "ringing")]);
    let (status, doc) = em.post(em.voice_url(), &params).await.unwrap();
    assert_eq!(status, 200);
    assert!(doc.contains("Dit nummer is nog niet in gebruik.") && doc.ends_with("<Hangup/></Response>"), "{doc}");
    assert_eq!(app.count("SELECT count(*) FROM calls").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_for_a_document_never_sent_is_refused_kindly() {
    let app = spawn_app().await;
    let em = &app.sandbox.emulator;
    let voice = em.voice_url().clone();
    let base = pairs(&[("CallSid", "CAjumpjumpjump000001"), ("From", JAN), ("To", SWITCHBOARD)]);
    em.post(&voice, &base).await.unwrap();
    let before = app.snapshot().await;
    let mut menu = base.clone();
    menu.push(("Digits".into(), "1".into()));
    let (status, doc) = em.post(&voice.join("menu?s=7").unwrap(), &menu).await.unwrap();
    // The caller still hears something and reaches the desk; the call is not changed.
    assert_eq!(status, 200);
    assert!(doc.contains("er ging iets mis") && doc.contains("+31850000001"), "{doc}");
    assert_eq!(app.snapshot().await, before);
}

/// Issue 27: `dialplan check` refuses a dialplan whose main menu would say more than five
/// choices, naming the count.
#[test]
fn dialplan_check_refuses_a_main_menu_of_six_choices() {
    use crate::cli::{bin, run};
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("six.toml");
    let plan = format!("{}\n[[category]]\ndigit = 5\nkey = \"garden\"\n", burenlijn::config::EXAMPLE_DIALPLAN);
    std::fs::write(&bad, &plan).unwrap();
    let (ok, out, err) = run(bin().args(["dialplan", "check", "--prompts", "prompts"]).arg(&bad));
    assert!(!ok, "{out}");
    assert!(
        err.contains(
            "field `category`: the main menu would say 6 choices (5 kinds of help and 0 for a person); at most 5"
        ),
        "{err}"
    );
    let (ok, out, err) = run(bin().args(["dialplan", "check", "--prompts", "prompts", "dialplans/example.toml"]));
    assert!(ok, "{out}\n{err}");
}
