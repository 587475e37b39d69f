//! Vonage's provider module at its boundaries: every NCCO we render is held to Vonage's NCCO
//! JSON schema, and every REST request to Vonage's OpenAPI description of the Voice API
//! (both from Nexmo/api-specification, MIT, in `tests/vonage/`), sent by the real client to
//! a scripted server on loopback; and how the client treats refusals, failures and
//! timeouts.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use burenlijn::domain::action::{Action, Next};
use burenlijn::domain::dialplan::{Voice, Voices};
use burenlijn::domain::phone::PhoneNumber;
use burenlijn::domain::prompts::Speech;
use burenlijn::provider::twilio::RenderContext;
use burenlijn::provider::vonage::jwt::ApplicationKey;
use burenlijn::provider::vonage::ncco;
use burenlijn::provider::vonage::rest::{
    Answer, CreateCall, MachineDetection, RestClient, RestConfig, RestError, UpdateCall,
};
use serde_json::{json, Value};
use url::Url;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vonage");
const CALL: &str = "aaaaaaaa-bbbb-cccc-dddd-0123456789ab";

fn read_json(name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(format!("{DIR}/{name}")).unwrap()).unwrap()
}

/// The NCCO schema with what Vonage's NCCO reference documents since it was written: the
/// `notify` action ("send a request to your application"; `payload` and `eventUrl`
/// required), and `musicOnHoldUrl` as an array, as the reference's examples give it.
/// Nothing else is changed.
fn ncco_schema() -> jsonschema::Validator {
    let mut schema = read_json("ncco-schema.json");
    schema["definitions"]["ncco-notify"] = json!({
        "allOf": [{ "$ref": "#/definitions/ncco-base" }, {
            "properties": {
                "action": { "enum": ["notify"] },
                "payload": { "type": "object" },
                "eventUrl": { "type": "array", "items": { "format": "uri", "pattern": "^https?://" } },
                "eventMethod": { "type": "string", "enum": ["GET", "POST"] }
            },
            "required": ["payload", "eventUrl"]
        }]
    });
    schema["definitions"]["ncco"]["oneOf"].as_array_mut().unwrap().push(json!({ "$ref": "#/definitions/ncco-notify" }));
    schema["definitions"]["ncco-conversation"]["allOf"][1]["properties"]["musicOnHoldUrl"] =
        json!({ "type": "array", "items": { "type": "string", "pattern": "^https?://" } });
    jsonschema::draft4::new(&schema).expect("the NCCO schema compiles")
}

/// A validator for one schema of Vonage's Voice API description. One correction the
/// description's own words call for: each endpoint's `type` "Must be `phone`" (`sip`,
/// `websocket`, `vbc`), but is written without an enum, so a phone endpoint would also be a
/// SIP endpoint and fail `oneOf`.
fn api_schema(name: &str) -> jsonschema::Validator {
    let mut spec = read_json("voice.json");
    for (endpoint, kind) in [
        ("EndpointPhoneTo", "phone"),
        ("EndpointSip", "sip"),
        ("EndpointWebsocket", "websocket"),
        ("EndpointVBCExtension", "vbc"),
    ] {
        spec["components"]["schemas"][endpoint]["properties"]["type"]["enum"] = json!([kind]);
    }
    let schema = json!({
        "components": spec["components"],
        "allOf": [{ "$ref": format!("#/components/schemas/{name}") }]
    });
    jsonschema::draft4::new(&schema).expect("the Voice API schema compiles")
}

fn assert_valid(validator: &jsonschema::Validator, instance: &Value, what: &str) {
    let errors: Vec<String> =
        validator.iter_errors(instance).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "{what} does not pass Vonage's schema:\n{}\n{instance:#}", errors.join("\n"));
}

fn phone(s: &str) -> PhoneNumber {
    PhoneNumber::parse(s).unwrap()
}

fn rendered(actions: &[Action]) -> Value {
    let voices =
        Voices::single(Voice { name: "0".into(), language: "nl-NL".into(), rate: Some("90%".into()), pause_ms: 600 })
            .with("tr", "5", "tr-TR");
    let ctx = RenderContext {
        call_sid: CALL,
        seq: 3,
        voices: &voices,
        audio_base: "https://bl.example/audio/",
        webhook_base: "https://bl.example/vonage/",
    };
    serde_json::from_str(&ncco::render(actions, &ctx)).unwrap()
}

#[test]
fn every_document_we_render_passes_vonages_ncco_schema() {
    let schema = ncco_schema();
    let say = |t: &str| Speech::text("nl", t);
    let documents: Vec<(&str, Vec<Action>)> = vec![
        (
            "menu",
            vec![
                Action::Say(say("Goedemorgen.")),
                Action::Gather {
                    say: vec![
                        say("Toets 1."),
                        Speech::Audio("nl/x.mp3".into()),
                        Speech::Pause(2),
                        Speech::text("tr", "Bir."),
                    ],
                    timeout_seconds: 30,
                    next: Next::Menu,
                },
                Action::Redirect(Next::Menu),
            ],
        ),
        (
            "ring a helper",
            vec![
                Action::Say(say("Ik bel Bert.")),
                Action::DialHelper {
                    number: phone("+31610000007"),
                    caller_id: phone("+31850000000"),
                    timeout_seconds: 20,
                    whisper: Next::Whisper { attempt: 2 },
                    done: Next::HelperDone { attempt: 2 },
                },
            ],
        ),
        ("desk", vec![Action::DialDesk { number: phone("+31850000001"), timeout_seconds: 25, done: Next::DeskDone }]),
        (
            "message",
            vec![
                Action::Record { max_seconds: 9000, silence_seconds: 60, done: Next::Recorded },
                Action::Redirect(Next::Recorded),
            ],
        ),
        ("hold", vec![Action::Say(say("Even geduld.")), Action::Hold { wait: Next::HoldWait, done: Next::HoldDone }]),
        ("join", vec![Action::JoinHold]),
        ("wait in hold", vec![Action::WaitInHold { wait: Next::HelperWait { attempt: 1 } }]),
        ("pause and goodbye", vec![Action::Pause(4), Action::Say(say("Dag.")), Action::Hangup]),
        ("a long name", vec![Action::Say(say(&"Jan & <Piet> ".repeat(100)))]),
    ];
    for (what, actions) in documents {
        let document = rendered(&actions);
        assert!(!document.as_array().unwrap().is_empty(), "{what}");
        assert_valid(&schema, &document, what);
    }
    // The fallback document to host elsewhere too.
    let voice = Voice { name: "0".into(), language: "nl-NL".into(), rate: None, pause_ms: 600 };
    let words = ncco::FallbackWords { sorry: "Er is even een storing.", nobody: "Tot ziens." };
    let fallback: Value =
        serde_json::from_str(&ncco::fallback_ncco(&words, &phone("+31850000001"), &phone("+31850000000"), &voice))
            .unwrap();
    assert_valid(&schema, &fallback, "the fallback");
}

#[test]
fn the_schema_check_can_fail() {
    let schema = ncco_schema();
    let wrong = json!([{ "action": "talk", "text": "Hallo", "language": "nl-XX" }, { "action": "connect", "endpoint": [{ "type": "phone", "number": "+31610000007" }] }]);
    assert!(!schema.is_valid(&wrong), "an unknown language and a number with + are refused");
    let create = api_schema("CreateCallRequestNcco");
    assert!(!create.is_valid(&json!({ "ncco": [], "to": [{ "type": "phone", "number": "123" }] })));
}

// ---------------------------------------------------------------------------------------
// A scripted Vonage on loopback.

#[derive(Debug, Clone)]
struct Seen {
    method: Method,
    path: String,
    authorization: Option<String>,
    body: Option<Value>,
}

enum Reply {
    Json(u16, Value),
    Status(u16),
    Bytes(Vec<u8>),
    /// Never answer (the client's timeout ends the request).
    Hang,
}

#[derive(Clone, Default)]
struct Script {
    replies: Arc<Mutex<VecDeque<Reply>>>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

async fn answer(State(script): State<Script>, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    script.seen.lock().unwrap().push(Seen {
        method,
        path: uri.path().to_string(),
        authorization: headers.get("authorization").and_then(|v| v.to_str().ok()).map(str::to_string),
        body: serde_json::from_slice(&body).ok(),
    });
    let reply = script.replies.lock().unwrap().pop_front().unwrap_or(Reply::Status(500));
    match reply {
        Reply::Json(status, value) => (StatusCode::from_u16(status).unwrap(), axum::Json(value)).into_response(),
        Reply::Status(status) => StatusCode::from_u16(status).unwrap().into_response(),
        Reply::Bytes(bytes) => (StatusCode::OK, bytes).into_response(),
        Reply::Hang => {
            tokio::time::sleep(Duration::from_secs(30)).await;
            StatusCode::OK.into_response()
        }
    }
}

fn key() -> ApplicationKey {
    ApplicationKey::new(CALL, &std::fs::read(format!("{DIR}/test-private-key.pem")).unwrap()).unwrap()
}

async fn vonage(replies: Vec<Reply>) -> (RestClient, Script, Url) {
    let script = Script { replies: Arc::new(Mutex::new(replies.into())), ..Script::default() };
    let app = axum::Router::new().fallback(answer).with_state(script.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = Url::parse(&format!("http://{}", listener.local_addr().unwrap())).unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let mut config = RestConfig::new(key(), base.clone());
    config.timeout = Duration::from_millis(500);
    config.backoff = Duration::from_millis(1);
    (RestClient::new(config).unwrap(), script, base)
}

fn created() -> Reply {
    Reply::Json(
        201,
        json!({ "uuid": CALL, "status": "started", "direction": "outbound", "conversation_uuid": "CON-f972836a-550f-45fa-956c-12a2ab5b7d22" }),
    )
}

fn whisper_call(answer: Answer) -> CreateCall {
    CreateCall {
        to: "+31610000007".into(),
        from: "+31850000000".into(),
        answer,
        event_url: Some(Url::parse("https://bl.example/vonage/wave-status?call=x&n=1").unwrap()),
        machine_detection: Some(MachineDetection::Continue),
        ringing_timer: Some(20),
        length_timer: Some(3600),
    }
}

/// The Bearer token is RS256, signed by the application's key, with its id.
fn assert_application_token(seen: &Seen) {
    let token = seen.authorization.as_deref().and_then(|a| a.strip_prefix("Bearer ")).expect("a Bearer token");
    let public =
        jsonwebtoken::DecodingKey::from_rsa_pem(&std::fs::read(format!("{DIR}/test-public-key.pem")).unwrap()).unwrap();
    let claims =
        jsonwebtoken::decode::<Value>(token, &public, &jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256))
            .expect("a token the application's public key verifies")
            .claims;
    assert_eq!(claims["application_id"], CALL);
    assert!(claims["jti"].as_str().is_some_and(|j| j.len() == 32));
}

#[tokio::test]
async fn every_request_passes_vonages_openapi_description() {
    let (client, script, _) = vonage(vec![
        created(),
        created(),
        Reply::Status(204),
        Reply::Status(204),
        Reply::Status(204),
        Reply::Json(200, json!({ "uuid": CALL, "status": "answered", "conversation_uuid": "CON-1" })),
        Reply::Json(200, json!({ "message": "Talk started", "uuid": CALL })),
    ])
    .await;
    let answer_url = Url::parse("https://bl.example/vonage/wave-whisper?call=x&n=1").unwrap();
    let made = client.create_call(&whisper_call(Answer::Url(answer_url.clone()))).await.unwrap();
    assert_eq!(made.uuid, CALL);
    let ncco = ncco::actions(
        &[Action::JoinHold],
        &RenderContext {
            call_sid: CALL,
            seq: 1,
            voices: &Voices::single(Voice { name: "0".into(), language: "nl-NL".into(), rate: None, pause_ms: 600 }),
            audio_base: "https://bl.example/audio/",
            webhook_base: "https://bl.example/vonage/",
        },
    );
    client.create_call(&whisper_call(Answer::Ncco(ncco.clone()))).await.unwrap();
    client.update_call(CALL, &UpdateCall::TransferUrl(answer_url)).await.unwrap();
    client.update_call(CALL, &UpdateCall::TransferNcco(serde_json::to_value(&ncco).unwrap())).await.unwrap();
    client.update_call(CALL, &UpdateCall::Hangup).await.unwrap();
    assert_eq!(client.get_call(CALL).await.unwrap().status.as_deref(), Some("answered"));
    // The held caller told who comes: speech into their call.
    let announcement =
        r#"[{"action":"talk","text":"<speak>Bert uit de Dorpsweg neemt nu op.</speak>","language":"nl-NL","style":4}]"#;
    burenlijn::provider::vonage::client::announce(&client, CALL, announcement).await.unwrap();

    let seen = script.seen.lock().unwrap().clone();
    let expected = [
        (Method::POST, "/v1/calls", Some("CreateCallRequestAnswerUrl")),
        (Method::POST, "/v1/calls", Some("CreateCallRequestNcco")),
        (Method::PUT, "/v1/calls/aaaaaaaa-bbbb-cccc-dddd-0123456789ab", Some("UpdateCallRequestTransferAnswerUrl")),
        (Method::PUT, "/v1/calls/aaaaaaaa-bbbb-cccc-dddd-0123456789ab", Some("UpdateCallRequestTransferNcco")),
        (Method::PUT, "/v1/calls/aaaaaaaa-bbbb-cccc-dddd-0123456789ab", Some("UpdateCallRequestHangup")),
        (Method::GET, "/v1/calls/aaaaaaaa-bbbb-cccc-dddd-0123456789ab", None),
        (Method::PUT, "/v1/calls/aaaaaaaa-bbbb-cccc-dddd-0123456789ab/talk", Some("StartTalkRequest")),
    ];
    assert_eq!(seen.len(), expected.len(), "{seen:#?}");
    // The operations' own request schemas, each as `oneOf` of its operation has them.
    let create = api_schema("CreateCallRequestBase");
    for (seen, (method, path, schema)) in seen.iter().zip(expected) {
        assert_eq!((&seen.method, seen.path.as_str()), (&method, path));
        assert_application_token(seen);
        match schema {
            Some(name) => {
                let body = seen.body.as_ref().expect("a JSON body");
                assert_valid(&api_schema(name), body, name);
                if method == Method::POST {
                    assert_valid(&create, body, "CreateCallRequestBase");
                    assert_eq!(body["to"][0]["number"], "31610000007", "digits, no +");
                }
            }
            None => assert!(seen.body.is_none()),
        }
    }
    // A hangup is not also a transfer (the oneOf of updateCall has one match).
    let hangup = seen[4].body.clone().expect("the hangup's body");
    assert!(!api_schema("UpdateCallRequestTransferNcco").is_valid(&hangup));
}

#[tokio::test]
async fn a_refusal_is_final_and_says_why() {
    let (client, script, _) =
        vonage(vec![Reply::Json(400, json!({ "title": "Bad Request", "detail": "Invalid number" }))]).await;
    let err = client.get_call(CALL).await.unwrap_err();
    assert!(matches!(&err, RestError::Refused { status: 400, body } if body.contains("Invalid number")), "{err}");
    assert!(!err.is_passing());
    assert_eq!(script.seen.lock().unwrap().len(), 1, "a 4xx is not asked again");
    let (client, _, _) = vonage(vec![Reply::Status(404)]).await;
    assert!(client.update_call(CALL, &UpdateCall::Hangup).await.unwrap_err().is_not_found());
}

#[tokio::test]
async fn a_call_that_may_have_been_made_is_never_made_twice() {
    // A 5xx: Vonage may have placed it.
    let (client, script, _) = vonage(vec![Reply::Status(503), created()]).await;
    let answer = Answer::Url(Url::parse("https://bl.example/vonage/wave-whisper").unwrap());
    let err = client.create_call(&whisper_call(answer.clone())).await.unwrap_err();
    assert!(matches!(err, RestError::Unknown(_)), "{err}");
    assert_eq!(script.seen.lock().unwrap().len(), 1);
    // No answer in time: the same.
    let (client, script, _) = vonage(vec![Reply::Hang, created()]).await;
    let err = client.create_call(&whisper_call(answer.clone())).await.unwrap_err();
    assert!(matches!(err, RestError::Unknown(_)), "{err}");
    assert_eq!(script.seen.lock().unwrap().len(), 1);
    // A 429 was not carried out: asked again.
    let (client, script, _) = vonage(vec![Reply::Status(429), created()]).await;
    assert_eq!(client.create_call(&whisper_call(answer.clone())).await.unwrap().uuid, CALL);
    assert_eq!(script.seen.lock().unwrap().len(), 2);
    // Nobody listening: the request never left, so it is asked again, then given up as passing.
    let port = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap().port();
    let mut config = RestConfig::new(key(), Url::parse(&format!("http://127.0.0.1:{port}")).unwrap());
    config.backoff = Duration::from_millis(1);
    let err = RestClient::new(config).unwrap().create_call(&whisper_call(answer)).await.unwrap_err();
    assert!(matches!(err, RestError::Transport { attempts: 3, .. }) && err.is_passing(), "{err}");
}

#[tokio::test]
async fn reads_and_hangups_are_asked_again_a_transfer_is_not() {
    let (client, script, _) =
        vonage(vec![Reply::Status(502), Reply::Status(502), Reply::Json(200, json!({ "uuid": CALL }))]).await;
    assert_eq!(client.get_call(CALL).await.unwrap().uuid, CALL);
    assert_eq!(script.seen.lock().unwrap().len(), 3);
    let (client, _, _) = vonage(vec![Reply::Status(500), Reply::Status(500), Reply::Status(500)]).await;
    let err = client.update_call(CALL, &UpdateCall::Hangup).await.unwrap_err();
    assert!(matches!(err, RestError::Failed { status: 500, attempts: 3, .. }) && err.is_passing(), "{err}");
    let (client, script, _) = vonage(vec![Reply::Status(500), Reply::Status(204)]).await;
    let transfer = UpdateCall::TransferUrl(Url::parse("https://bl.example/vonage/hold-done?call=x&s=1").unwrap());
    assert!(matches!(client.update_call(CALL, &transfer).await.unwrap_err(), RestError::Unknown(_)));
    assert_eq!(script.seen.lock().unwrap().len(), 1);
    assert!(matches!(client.get_call("../../v2/other").await.unwrap_err(), RestError::InvalidUuid(_)));
}

#[tokio::test]
async fn recordings_are_fetched_and_deleted_only_at_vonage() {
    let (client, script, base) = vonage(vec![Reply::Bytes(b"ID3 audio".to_vec()), Reply::Status(204)]).await;
    let url = format!("{base}v1/files/cccccccc-bbbb-cccc-dddd-0123456789ab");
    assert_eq!(client.fetch_recording(&url).await.unwrap(), b"ID3 audio");
    client.delete_recording(&url).await.unwrap();
    for elsewhere in ["https://evil.example/v1/files/x", "http://api.nexmo.com/v1/files/x", "not a url"] {
        assert!(matches!(client.fetch_recording(elsewhere).await.unwrap_err(), RestError::NotVonage(_)), "{elsewhere}");
    }
    let seen = script.seen.lock().unwrap().clone();
    assert_eq!(seen.iter().map(|s| s.method.clone()).collect::<Vec<_>>(), [Method::GET, Method::DELETE]);
    assert!(seen.iter().all(|s| s.path == "/v1/files/cccccccc-bbbb-cccc-dddd-0123456789ab"));
    assert!(client.recording_url("https://api-eu.vonage.com/v1/files/x").is_ok());
}

proptest::proptest! {
    /// No webhook body or query makes the parser panic, for every endpoint; what it
    /// accepts names a call by a plain identifier.
    #[test]
    fn no_webhook_makes_the_parser_panic(
        body in proptest::prop_oneof![
            proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200),
            proptest::prelude::Just(br#"{"status":"completed","uuid":"aaaaaaaa-bbbb-cccc-dddd-0123456789ab"}"#.to_vec()),
            proptest::prelude::Just(br#"{"dtmf":{"digits":"1","timed_out":false},"uuid":"aaaaaaaa-bbbb-cccc-dddd-0123456789ab"}"#.to_vec()),
        ],
        query in proptest::collection::vec(
            (proptest::sample::select(vec!["call", "s", "n", "m", "i", "c", "p", "uuid", "from", "to"]), "[-a-z0-9<>%&=]{0,40}"),
            0..6,
        ),
    ) {
        use burenlijn::provider::Endpoint;
        let query: Vec<(String, String)> = query.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        for endpoint in Endpoint::ALL {
            if let Ok(inbound) = burenlijn::provider::vonage::parse(endpoint, &query, &body) {
                proptest::prop_assert!(inbound.call_sid.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
            }
        }
    }
}
