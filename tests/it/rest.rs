//! The REST client against Twilio's official OpenAPI description (prism as a validating
//! mock: every request must pass its request validation), and its retries, backoff and
//! errors against a scripted axum server.

use std::collections::VecDeque;
use std::io::Read;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use burenlijn::provider::twilio::rest::{
    CallEvent, CallStatus, CreateCall, MachineDetection, RestClient, RestConfig, RestError, RestOptions, UpdateCall,
};
use url::Url;

const ACCOUNT: &str = "AC0123456789abcdef0123456789abcdef";
const TOKEN: &str = "test-auth-token";
const CALL: &str = "CA00000000000000000000000000000001";
const RECORDING: &str = "RE00000000000000000000000000000001";

fn config(api_base: &str) -> RestConfig {
    RestConfig::new(ACCOUNT.into(), TOKEN.into(), Url::parse(api_base).unwrap()).unwrap()
}

fn whisper_call() -> CreateCall {
    CreateCall {
        to: "+31610000001".into(),
        from: "+31850000000".into(),
        url: Url::parse("https://burenlijn.example/twilio/whisper?call=CA1&s=2").unwrap(),
        status_callback: Some(Url::parse("https://burenlijn.example/twilio/status").unwrap()),
        status_callback_events: vec![
            CallEvent::Initiated,
            CallEvent::Ringing,
            CallEvent::Answered,
            CallEvent::Completed,
        ],
        timeout_secs: Some(20),
        machine_detection: Some(MachineDetection::Enable),
        fallback_url: Some(Url::parse("https://elsewhere.example/fallback-created-call.xml").unwrap()),
    }
}

// ---------------------------------------------------------------------------------------
// Prism: one instance for the whole test binary.

/// A prism process. Dropping it ends prism; the shared instance lives in a static, which is
/// never dropped, so prism runs under a small shell that also ends it when our end of its
/// stdin closes, which the kernel does when the test binary exits, however it exits.
struct Prism {
    base: String,
    child: Child,
    stdin: Option<ChildStdin>,
}

impl Drop for Prism {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Started once; a failure to start is kept too, so every test reports it without retrying.
static PRISM: OnceLock<Result<Mutex<Prism>, String>> = OnceLock::new();

/// The shared prism's base URL, started on first use.
fn prism() -> String {
    let started = PRISM.get_or_init(|| start_prism().map(Mutex::new));
    match started {
        Ok(prism) => prism.lock().unwrap_or_else(|e| e.into_inner()).base.clone(),
        Err(why) => panic!("{why}"),
    }
}

fn start_prism() -> Result<Prism, String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/prism");
    // SCARF_ANALYTICS: prism depends on @scarf/scarf, whose install step would report the install.
    let bin = crate::npm::node_modules("tests/prism", &[("SCARF_ANALYTICS", "false")])?.join(".bin/prism");
    if !bin.exists() {
        let hint = "remove tests/prism/node_modules and the tests install it again";
        return Err(format!("prism is not installed ({} is missing); {hint}", bin.display()));
    }
    let spec = prism_spec(&dir.join("twilio_api_v2010.json"));
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let log = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("prism-{port}.log"));
    // A background job's stdin is /dev/null unless redirected: hand it ours as fd 3.
    let script = r#"
        exec 3<&0
        "$0" "$@" > "$PRISM_LOG" 2>&1 &
        pid=$!
        (cat <&3 > /dev/null; kill $pid 2>/dev/null) &
        wait $pid
    "#;
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(&bin)
        .args(["mock", "--host", "127.0.0.1", "--port", &port.to_string(), "--errors"])
        .arg(&spec)
        .env("PRISM_LOG", &log)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("sh starts");
    let stdin = child.stdin.take();
    let prism = Prism { base: format!("http://127.0.0.1:{port}"), child, stdin };
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let deadline = Instant::now() + Duration::from_secs(60);
    let log_text = || {
        let mut text = String::new();
        let _ = std::fs::File::open(&log).map(|mut f| f.read_to_string(&mut text));
        text
    };
    let mut prism = prism;
    loop {
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return Ok(prism);
        }
        if let Ok(Some(status)) = prism.child.try_wait() {
            let hint = "is tests/prism/node_modules complete? Remove it and the tests install it again";
            return Err(format!("prism exited ({status}) before it listened; {hint}\n{}", log_text()));
        }
        if Instant::now() > deadline {
            return Err(format!("prism did not listen within 60 s:\n{}", log_text()));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The official description with one thing made explicit for prism: array parameters of
/// form bodies are sent as the same name repeated (OpenAPI 3.0's default for form bodies,
/// `style: form, explode: true`, and what Twilio and its own libraries do). Prism applies
/// no default for form bodies and calls any such parameter "not an array" unless an
/// `encoding` says so (stoplightio/prism#2473). And two corrections the description's own
/// words and examples call for, without which prism refuses its own example answers: a
/// conference's `reason_conference_ended` "will be `null`" while it is in progress, but
/// its enum does not allow null; and a list page's `uri`, `first_page_uri`,
/// `next_page_uri` and `previous_page_uri` are paths (`/2010-04-01/...`, in the examples
/// and in Twilio's answers), but are described as `format: uri`. Nothing else is changed.
fn prism_spec(official: &Path) -> PathBuf {
    let text = std::fs::read_to_string(official).expect("tests/prism/twilio_api_v2010.json");
    let mut spec: serde_json::Value = serde_json::from_str(&text).expect("the spec is JSON");
    for item in spec["paths"].as_object_mut().expect("paths").values_mut() {
        for op in item.as_object_mut().expect("a path item").values_mut() {
            let Some(content) = op.pointer_mut("/requestBody/content/application~1x-www-form-urlencoded") else {
                continue;
            };
            let arrays: Vec<String> = content["schema"]["properties"]
                .as_object()
                .map(|props| props.iter().filter(|(_, p)| p["type"] == "array").map(|(name, _)| name.clone()).collect())
                .unwrap_or_default();
            if arrays.is_empty() {
                continue;
            }
            let encoding = content.as_object_mut().unwrap().entry("encoding").or_insert_with(|| serde_json::json!({}));
            for name in arrays {
                encoding[name.as_str()] = serde_json::json!({ "style": "form", "explode": true });
            }
        }
    }
    for item in spec["paths"].as_object_mut().expect("paths").values_mut() {
        let Some(props) = item.pointer_mut("/get/responses/200/content/application~1json/schema/properties") else {
            continue;
        };
        for name in ["uri", "first_page_uri", "next_page_uri", "previous_page_uri"] {
            if let Some(prop) = props.get_mut(name).and_then(|p| p.as_object_mut()) {
                prop.remove("format");
            }
        }
    }
    if let Some(reason) = spec.pointer_mut("/components/schemas/conference_enum_reason_conference_ended") {
        reason["nullable"] = serde_json::json!(true);
        if let Some(values) = reason["enum"].as_array_mut() {
            values.push(serde_json::Value::Null);
        }
    }
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("twilio_api_v2010.prism.json");
    std::fs::write(&out, serde_json::to_vec(&spec).unwrap()).unwrap();
    out
}

fn prism_client() -> RestClient {
    let options = RestOptions { max_retries: 0, calls_per_second: 50.0, ..RestOptions::default() };
    RestClient::new(config(&prism()), options).unwrap()
}

#[tokio::test]
async fn prism_accepts_every_call_creation() {
    let client = prism_client();
    let created = client.create_call(&whisper_call()).await.expect("the full creation validates");
    assert!(created.sid.starts_with("CA"), "{created:?}");

    let minimal = CreateCall {
        status_callback: None,
        status_callback_events: vec![],
        timeout_secs: None,
        machine_detection: None,
        fallback_url: None,
        ..whisper_call()
    };
    client.create_call(&minimal).await.expect("the minimal creation validates");

    let one_event = CreateCall {
        status_callback_events: vec![CallEvent::Completed],
        machine_detection: Some(MachineDetection::DetectMessageEnd),
        ..whisper_call()
    };
    client.create_call(&one_event).await.expect("a creation with one event validates");
}

#[tokio::test]
async fn prism_accepts_every_call_update() {
    let client = prism_client();
    let updates = [
        UpdateCall::Redirect(Url::parse("https://burenlijn.example/twilio/menu?s=4").unwrap()),
        UpdateCall::Twiml("<Response><Say language=\"nl-NL\">Dag &amp; tot ziens</Say><Hangup/></Response>".into()),
        UpdateCall::Cancel,
        UpdateCall::Complete,
    ];
    for update in updates {
        let call = client.update_call(CALL, &update).await.unwrap_or_else(|e| panic!("{update:?}: {e}"));
        assert!(call.sid.starts_with("CA"), "{call:?}");
    }
}

#[tokio::test]
async fn prism_accepts_a_recording_fetch() {
    let client = prism_client();
    let recording = client.fetch_recording(RECORDING).await.expect("the recording fetch validates");
    assert!(recording.sid.starts_with("RE"), "{recording:?}");
    // The description has no `.mp3` path: the media is tested against the scripted server.
}

#[tokio::test]
async fn prism_accepts_a_conference_list() {
    let client = prism_client();
    let conferences = client.list_conferences(CALL).await.expect("the conference list validates");
    for c in &conferences {
        assert!(c.sid.starts_with("CF"), "{c:?}");
    }
    let participants =
        client.list_participants("CF0123456789abcdef0123456789abcdef").await.expect("the participant list validates");
    for p in &participants {
        assert!(p.call_sid.starts_with("CA"), "{p:?}");
    }
}

/// Issue 27: the announcement to a held caller (a participant update with `AnnounceUrl`).
#[tokio::test]
async fn prism_accepts_an_announcement_to_a_participant() {
    let client = prism_client();
    let url =
        Url::parse("https://burenlijn.example/twilio/announce?call=CA0123456789abcdef0123456789abcdef&n=2").unwrap();
    client
        .announce_to_participant("CF0123456789abcdef0123456789abcdef", CALL, &url)
        .await
        .expect("the participant update validates");
}

#[tokio::test]
async fn prism_accepts_the_deletes() {
    let client = prism_client();
    client.delete_recording(RECORDING).await.expect("the recording delete validates (and answers 204)");
    client.delete_call(CALL).await.expect("the call record delete validates (and answers 204)");
}

/// The validation bites: requests that break the description are refused.
#[tokio::test]
async fn prism_refuses_malformed_requests() {
    let base = prism();
    let http = reqwest::Client::new();
    let calls = format!("{base}/2010-04-01/Accounts/{ACCOUNT}/Calls.json");
    let post = |body: &'static str| {
        http.post(&calls)
            .basic_auth(ACCOUNT, Some(TOKEN))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };
    let valid = "To=%2B31610000001&From=%2B31850000000&Url=https%3A%2F%2Fburenlijn.example%2Fw";
    assert_eq!(post(valid).await.unwrap().status(), 201, "the control request validates");

    let no_to = post("From=%2B31850000000&Url=https%3A%2F%2Fburenlijn.example%2Fw").await.unwrap();
    assert_eq!(no_to.status(), 422);
    let text = no_to.text().await.unwrap();
    assert!(text.contains("'To'"), "{text}");

    let bad_timeout =
        post("To=%2B31610000001&From=%2B31850000000&Url=https%3A%2F%2Fx.example%2Fw&Timeout=soon").await.unwrap();
    assert_eq!(bad_timeout.status(), 422);
    let relative_url = post("To=%2B31610000001&From=%2B31850000000&Url=whisper").await.unwrap();
    assert_eq!(relative_url.status(), 422);

    let no_auth =
        http.post(&calls).header("content-type", "application/x-www-form-urlencoded").body(valid).send().await.unwrap();
    assert_eq!(no_auth.status(), 401);

    let bad_status = http
        .post(format!("{base}/2010-04-01/Accounts/{ACCOUNT}/Calls/{CALL}.json"))
        .basic_auth(ACCOUNT, Some(TOKEN))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("Status=hung-up")
        .send()
        .await
        .unwrap();
    assert_eq!(bad_status.status(), 422);

    // Deletes: the SID's pattern is part of the description.
    for path in ["Recordings/RE123.json", "Calls/RE00000000000000000000000000000001.json"] {
        let bad_sid = http
            .delete(format!("{base}/2010-04-01/Accounts/{ACCOUNT}/{path}"))
            .basic_auth(ACCOUNT, Some(TOKEN))
            .send()
            .await
            .unwrap();
        assert_eq!(bad_sid.status(), 422, "{path}");
    }
    let no_auth = http.delete(format!("{base}/2010-04-01/Accounts/{ACCOUNT}/Recordings/{RECORDING}.json")).send();
    assert_eq!(no_auth.await.unwrap().status(), 401);
}

// ---------------------------------------------------------------------------------------
// A scripted server: answers requests from a list, in order, and remembers them.

#[derive(Clone)]
struct Reply {
    status: u16,
    headers: Vec<(&'static str, &'static str)>,
    body: &'static str,
    delay: Duration,
}

fn reply(status: u16, body: &'static str) -> Reply {
    Reply { status, headers: vec![("content-type", "application/json")], body, delay: Duration::ZERO }
}

#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    authorization: Option<String>,
    content_type: Option<String>,
    body: String,
}

#[derive(Clone, Default)]
struct Script {
    replies: Arc<Mutex<VecDeque<Reply>>>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

async fn scripted(
    State(script): State<Script>,
    method: axum::http::Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
    script.seen.lock().unwrap().push(Seen {
        method: method.to_string(),
        path: uri.path().to_string(),
        authorization: header("authorization"),
        content_type: header("content-type"),
        body: String::from_utf8_lossy(&body).into_owned(),
    });
    let next = script.replies.lock().unwrap().pop_front();
    let Some(reply) = next else {
        return (StatusCode::IM_A_TEAPOT, "the script ran out").into_response();
    };
    tokio::time::sleep(reply.delay).await;
    let mut response = (StatusCode::from_u16(reply.status).unwrap(), reply.body).into_response();
    for (name, value) in reply.headers {
        response.headers_mut().insert(name, value.parse().unwrap());
    }
    response
}

struct Scripted {
    script: Script,
    client: RestClient,
}

impl Scripted {
    fn seen(&self) -> Vec<Seen> {
        self.script.seen.lock().unwrap().clone()
    }
}

async fn scripted_server(replies: Vec<Reply>, options: RestOptions) -> Scripted {
    let script = Script { replies: Arc::new(Mutex::new(replies.into())), ..Script::default() };
    let app = axum::Router::new().fallback(scripted).with_state(script.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let client = RestClient::new(config(&format!("http://{addr}")), options).unwrap();
    Scripted { script, client }
}

/// Fast retries, so the tests measure only what they mean to.
fn quick() -> RestOptions {
    RestOptions { base_backoff: Duration::from_millis(5), calls_per_second: 1000.0, ..RestOptions::default() }
}

const CREATED: &str = r#"{"sid":"CA00000000000000000000000000000002","status":"queued","to":"+31610000001","from":"+31850000000","price":null}"#;
const BAD_TO: &str = r#"{"code":21211,"message":"The 'To' number is not a valid phone number","more_info":"https://www.twilio.com/docs/errors/21211","status":400}"#;

#[tokio::test]
async fn sends_twilio_s_request_shape() {
    let server = scripted_server(vec![reply(201, CREATED)], quick()).await;
    let call = server.client.create_call(&whisper_call()).await.unwrap();
    assert_eq!(call.sid, "CA00000000000000000000000000000002");
    assert_eq!(call.status, CallStatus::Queued);
    assert_eq!(call.to.as_deref(), Some("+31610000001"));
    let seen = server.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].method, "POST");
    assert_eq!(seen[0].path, format!("/2010-04-01/Accounts/{ACCOUNT}/Calls.json"));
    use base64::Engine;
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{ACCOUNT}:{TOKEN}"));
    assert_eq!(seen[0].authorization.as_deref(), Some(format!("Basic {basic}").as_str()));
    assert_eq!(seen[0].content_type.as_deref(), Some("application/x-www-form-urlencoded"));
    assert_eq!(seen[0].body, whisper_call().form());
}

#[tokio::test]
async fn retries_a_503() {
    let server = scripted_server(vec![reply(503, ""), reply(201, CREATED)], quick()).await;
    let call = server.client.create_call(&whisper_call()).await.unwrap();
    assert_eq!(call.status, CallStatus::Queued);
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].body, seen[1].body, "the retry sends the same request");
}

#[tokio::test]
async fn honours_retry_after_on_429() {
    let mut busy = reply(429, r#"{"code":20429,"message":"Too Many Requests","status":429}"#);
    busy.headers.push(("retry-after", "1"));
    let server = scripted_server(vec![busy, reply(200, CREATED)], quick()).await;
    let started = Instant::now();
    server.client.update_call(CALL, &UpdateCall::Complete).await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(950), "waited only {:?}", started.elapsed());
    assert_eq!(server.seen().len(), 2);
}

#[tokio::test]
async fn a_400_is_final_and_says_why() {
    let server = scripted_server(vec![reply(400, BAD_TO), reply(201, CREATED)], quick()).await;
    let error = server.client.create_call(&whisper_call()).await.unwrap_err();
    assert!(matches!(error, RestError::Refused { status: 400, .. }), "{error:?}");
    assert_eq!(
        error.to_string(),
        "Twilio refused the request (400, code 21211): The 'To' number is not a valid phone number"
    );
    assert_eq!(server.seen().len(), 1, "no retry on a 4xx");
}

#[tokio::test]
async fn a_404_without_a_twilio_body_is_still_clear() {
    let server = scripted_server(vec![reply(404, "<html>nope</html>")], quick()).await;
    let error = server.client.fetch_recording(RECORDING).await.unwrap_err();
    assert_eq!(error.to_string(), "Twilio refused the request (404): <html>nope</html>");
}

#[tokio::test]
async fn gives_up_on_a_persistent_500() {
    let failing = reply(500, r#"{"code":20500,"message":"Internal Server Error","status":500}"#);
    let options = RestOptions { max_retries: 2, ..quick() };
    let server =
        scripted_server(vec![failing.clone(), failing.clone(), failing.clone(), reply(201, CREATED)], options).await;
    let error = server.client.create_call(&whisper_call()).await.unwrap_err();
    assert!(matches!(error, RestError::GaveUp { status: 500, attempts: 3, .. }), "{error:?}");
    assert_eq!(error.to_string(), "Twilio kept failing (500, code 20500) after 3 attempts: Internal Server Error");
    assert_eq!(server.seen().len(), 3);
}

#[tokio::test]
async fn a_broken_body_is_an_error_not_a_panic() {
    let bodies = ["{not json", "", "[]", r#"{"sid":1}"#, "\u{0}\u{1}"];
    let server = scripted_server(bodies.into_iter().map(|b| reply(201, b)).collect(), quick()).await;
    for body in bodies {
        let error = server.client.create_call(&whisper_call()).await.unwrap_err();
        assert!(matches!(error, RestError::UnexpectedBody { status: 201, .. }), "{body:?}: {error:?}");
        assert!(error.to_string().starts_with("unexpected answer from Twilio (201): "), "{error}");
    }
    assert_eq!(server.seen().len(), bodies.len(), "no retries");
}

#[tokio::test]
async fn retries_a_timeout() {
    let slow = Reply { delay: Duration::from_secs(2), ..reply(201, CREATED) };
    let options = RestOptions { request_timeout: Duration::from_millis(300), ..quick() };
    let server = scripted_server(vec![slow, reply(201, CREATED)], options).await;
    server.client.create_call(&whisper_call()).await.unwrap();
    assert_eq!(server.seen().len(), 2);
}

#[tokio::test]
async fn retries_a_refused_connection_then_says_so() {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let options = RestOptions { max_retries: 2, ..quick() };
    let client = RestClient::new(config(&format!("http://127.0.0.1:{port}")), options).unwrap();
    let error = client.fetch_recording(RECORDING).await.unwrap_err();
    assert!(matches!(error, RestError::Transport { attempts: 3, .. }), "{error:?}");
    assert!(error.to_string().starts_with("could not reach Twilio (attempts: 3): "), "{error}");
    assert!(!error.to_string().contains(TOKEN));
}

#[tokio::test]
async fn fetches_recording_media() {
    let audio = Reply { headers: vec![("content-type", "audio/mpeg")], ..reply(200, "ID3\u{3}fake-mp3") };
    let server = scripted_server(vec![audio], quick()).await;
    let recording = server.client.fetch_recording_media(RECORDING).await.unwrap();
    assert_eq!(recording.bytes, b"ID3\x03fake-mp3");
    assert_eq!(recording.content_type.as_deref(), Some("audio/mpeg"));
    assert_eq!(recording.content_length, Some(12), "the announced length is kept, to check against");
    assert_eq!(recording.check(), Ok("audio/mpeg"));
    let seen = server.seen();
    assert_eq!(seen[0].method, "GET");
    assert_eq!(seen[0].path, format!("/2010-04-01/Accounts/{ACCOUNT}/Recordings/{RECORDING}.mp3"));
}

const NOT_FOUND: &str = r#"{"code":20404,"message":"The requested resource /2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Recordings/RE00000000000000000000000000000001.json was not found","more_info":"https://www.twilio.com/docs/errors/20404","status":404}"#;

#[tokio::test]
async fn deletes_recordings_and_calls() {
    let gone = Reply { headers: vec![], ..reply(204, "") };
    let server = scripted_server(vec![gone.clone(), reply(503, ""), gone], quick()).await;
    server.client.delete_recording(RECORDING).await.unwrap();
    server.client.delete_call(CALL).await.expect("a 503 is retried");
    let seen = server.seen();
    let shape: Vec<(&str, &str, &str)> =
        seen.iter().map(|s| (s.method.as_str(), s.path.as_str(), s.body.as_str())).collect();
    let recording = format!("/2010-04-01/Accounts/{ACCOUNT}/Recordings/{RECORDING}.json");
    let call = format!("/2010-04-01/Accounts/{ACCOUNT}/Calls/{CALL}.json");
    assert_eq!(shape, [("DELETE", recording.as_str(), ""), ("DELETE", &call, ""), ("DELETE", &call, "")]);
    assert!(seen.iter().all(|s| s.authorization.as_deref().is_some_and(|a| a.starts_with("Basic "))));
}

#[tokio::test]
async fn a_delete_of_something_gone_is_a_404_that_says_so() {
    let server = scripted_server(vec![reply(404, NOT_FOUND), reply(204, "")], quick()).await;
    let error = server.client.delete_recording(RECORDING).await.unwrap_err();
    assert!(error.is_not_found(), "{error:?}");
    assert!(
        error.to_string().starts_with("Twilio refused the request (404, code 20404): The requested resource"),
        "{error}"
    );
    assert_eq!(server.seen().len(), 1, "no retry on a 404");
    let refused = RestError::Refused { status: 401, error: None, body: String::new() };
    assert!(!refused.is_not_found());
}

#[tokio::test]
async fn a_delete_that_answers_anything_but_204_is_not_taken_for_done() {
    let server = scripted_server(vec![reply(200, CREATED)], quick()).await;
    let error = server.client.delete_call(CALL).await.unwrap_err();
    assert!(matches!(error, RestError::UnexpectedBody { status: 200, .. }), "{error:?}");
}

#[tokio::test]
async fn odd_sids_never_reach_the_network() {
    let server = scripted_server(vec![], quick()).await;
    for sid in
        ["", "CA123", "../../Accounts", "RE00000000000000000000000000000001", "CA0000000000000000000000000000000/"]
    {
        let error = server.client.update_call(sid, &UpdateCall::Cancel).await.unwrap_err();
        assert!(matches!(error, RestError::InvalidSid { kind: "CA", .. }), "{sid:?}: {error:?}");
    }
    let error = server.client.fetch_recording_media(CALL).await.unwrap_err();
    assert!(matches!(error, RestError::InvalidSid { kind: "RE", .. }), "{error:?}");
    let error = server.client.delete_recording("../Calls/CA00000000000000000000000000000001").await.unwrap_err();
    assert!(matches!(error, RestError::InvalidSid { kind: "RE", .. }), "{error:?}");
    let error = server.client.delete_call(RECORDING).await.unwrap_err();
    assert!(matches!(error, RestError::InvalidSid { kind: "CA", .. }), "{error:?}");
    assert!(server.seen().is_empty());
}
