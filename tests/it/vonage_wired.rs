//! Vonage wired in (issue 30, part 2): a neighbourhood whose dialplan says
//! `provider = "vonage"` takes its calls through `/vonage/{endpoint}` on the real server on
//! loopback with real SQLite: JWT-signed webhooks in, NCCO JSON out; unsigned, forged or
//! stale webhooks are refused with 401 and change nothing.

use burenlijn::clock::Clock;
use burenlijn::provider::vonage::jwt::{check_startup, payload_hash, sign_webhook, SignatureSecret, WebhookClaims};
use burenlijn::sim::Sandbox;
use serde_json::{json, Value};

use crate::cli::{bin, run};
use crate::support::*;

const CALLER_UUID: &str = "aaaaaaaa-bbbb-cccc-dddd-0123456789ab";

/// The example dialplan spoken through Vonage: its voice a Vonage style.
fn vonage_dialplan() -> String {
    burenlijn::config::example_dialplan_through(burenlijn::provider::Provider::Vonage)
}

struct Vonage {
    app: TestApp,
    secret: SignatureSecret,
    base: String,
    http: reqwest::Client,
    _dir: tempfile::TempDir,
}

async fn spawn_vonage_app() -> Vonage {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("example.toml"), vonage_dialplan()).unwrap();
    let hoods = burenlijn::config::load(Some(dir.path()), None).unwrap();
    assert_eq!(hoods.provider.name(), "vonage");
    let start = TUESDAY_MORNING.parse().unwrap();
    let sandbox = Sandbox::start(None, hoods, start, Some(PARTICIPANTS.to_string())).await.unwrap();
    let secret = check_startup(sandbox.state.auth_token.as_deref()).unwrap();
    let base = sandbox.state.switchboard.public_url.clone();
    Vonage { app: TestApp { sandbox }, secret, base, http: reqwest::Client::new(), _dir: dir }
}

impl Vonage {
    fn now(&self) -> i64 {
        self.app.sandbox.clock.now().as_second()
    }

    fn token(&self, secret: &SignatureSecret, iat: i64, body: &[u8]) -> String {
        let claims = WebhookClaims {
            iat,
            exp: None,
            jti: Some(format!("jti-{iat}")),
            api_key: Some("abcd1234".into()),
            application_id: Some("aaaaaaaa-0000-0000-0000-000000000000".into()),
            payload_hash: (!body.is_empty()).then(|| payload_hash(body)),
        };
        format!("Bearer {}", sign_webhook(secret, &claims))
    }

    fn answer_url(&self) -> String {
        format!(
            "{}/vonage/voice?to=31850000000&from=31610000009&uuid={CALLER_UUID}&conversation_uuid=CON-{CALLER_UUID}",
            self.base
        )
    }

    /// The answer webhook (`GET`), with `authorization` when given.
    async fn answer(&self, authorization: Option<String>) -> reqwest::Response {
        let mut request = self.http.get(self.answer_url());
        if let Some(a) = authorization {
            request = request.header("authorization", a);
        }
        request.send().await.unwrap()
    }

    async fn post(&self, url: &str, body: &Value, authorization: Option<String>) -> reqwest::Response {
        let body = body.to_string();
        let mut request = self.http.post(url).header("content-type", "application/json").body(body);
        if let Some(a) = authorization {
            request = request.header("authorization", a);
        }
        request.send().await.unwrap()
    }
}

async fn ncco(response: reqwest::Response) -> Vec<Value> {
    assert_eq!(response.status(), 200);
    let content_type = response.headers().get("content-type").unwrap().to_str().unwrap().to_string();
    assert_eq!(content_type, "application/json");
    let text = response.text().await.unwrap();
    match serde_json::from_str(&text).unwrap() {
        Value::Array(actions) => actions,
        other => panic!("an NCCO is an array: {other}"),
    }
}

fn input_url(actions: &[Value]) -> String {
    let input = actions.iter().find(|a| a["action"] == "input").unwrap_or_else(|| panic!("no input: {actions:?}"));
    input["eventUrl"][0].as_str().unwrap().to_string()
}

#[tokio::test]
async fn vonage_signed_answer_gets_the_menu_as_ncco_and_a_key_gets_the_next() {
    let v = spawn_vonage_app().await;
    let menu = ncco(v.answer(Some(v.token(&v.secret, v.now(), b""))).await).await;
    let talk = menu.iter().find(|a| a["action"] == "talk").unwrap_or_else(|| panic!("no talk: {menu:?}"));
    assert_eq!(talk["language"], "nl-NL");
    assert_eq!(talk["style"], 0);
    let url = input_url(&menu);
    assert!(url.starts_with(&format!("{}/vonage/menu?call={CALLER_UUID}&s=", v.base)), "{url}");
    assert_eq!(v.app.count("SELECT count(*) FROM calls").await, 1);

    let key = json!({ "uuid": CALLER_UUID, "conversation_uuid": format!("CON-{CALLER_UUID}"),
        "dtmf": { "digits": "1", "timed_out": false } });
    let body = key.to_string();
    let next = ncco(v.post(&url, &key, Some(v.token(&v.secret, v.now(), body.as_bytes()))).await).await;
    assert!(!next.is_empty());
    assert_ne!(next, menu, "a key moves the call on");
    // Key 1 is shopping in the example dialplan: a helper who offers it is rung.
    let connect = next.iter().find(|a| a["action"] == "connect").unwrap_or_else(|| panic!("no connect: {next:?}"));
    assert_eq!(connect["endpoint"][0]["number"], "31610000001");
    let done = connect["eventUrl"][0].as_str().unwrap();
    assert!(done.starts_with(&format!("{}/vonage/helper-done?call={CALLER_UUID}&", v.base)), "{done}");
    assert_eq!(v.app.count("SELECT count(*) FROM calls").await, 1);
}

#[tokio::test]
async fn vonage_unsigned_forged_or_stale_webhooks_get_401_and_change_nothing() {
    let v = spawn_vonage_app().await;
    let before = v.app.snapshot().await;
    let other = check_startup(Some("another-secret-of-enough-length")).unwrap();
    let now = v.now();
    let refused = [
        ("unsigned", None),
        ("not a bearer token", Some("Basic abc".to_string())),
        ("forged", Some(v.token(&other, now, b""))),
        ("too old", Some(v.token(&v.secret, now - 400, b""))),
        ("from the future", Some(v.token(&v.secret, now + 400, b""))),
    ];
    for (what, authorization) in refused {
        let response = v.answer(authorization).await;
        assert_eq!(response.status(), 401, "{what}");
    }
    // An input result whose body is not the one signed.
    let signed = json!({ "uuid": CALLER_UUID, "dtmf": { "digits": "1", "timed_out": false } });
    let sent = json!({ "uuid": CALLER_UUID, "dtmf": { "digits": "2", "timed_out": false } });
    let url = format!("{}/vonage/menu?call={CALLER_UUID}&s=1", v.base);
    let response = v.post(&url, &sent, Some(v.token(&v.secret, now, signed.to_string().as_bytes()))).await;
    assert_eq!(response.status(), 401, "a body that is not the one signed");
    assert_eq!(v.app.snapshot().await, before, "a refused webhook writes nothing");
    // The same answer, signed now, is taken: the refusals were for their signatures.
    ncco(v.answer(Some(v.token(&v.secret, now, b""))).await).await;
    assert_ne!(v.app.snapshot().await, before);
}

#[tokio::test]
async fn vonage_install_refuses_the_other_providers_webhooks() {
    let v = spawn_vonage_app().await;
    let before = v.app.snapshot().await;
    let response = v
        .http
        .post(format!("{}/twilio/voice", v.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("CallSid=CA{}&From=%2B31610000009&To=%2B31850000000", "0".repeat(32)))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    assert_eq!(v.app.snapshot().await, before);
}

/// A Twilio install refuses Vonage's webhooks, signed or not.
#[tokio::test]
async fn twilio_install_refuses_vonage_webhooks() {
    let app = spawn_app().await;
    let base = app.sandbox.state.switchboard.public_url.clone();
    let response =
        reqwest::get(format!("{base}/vonage/voice?to=31850000000&from=31610000009&uuid={CALLER_UUID}")).await.unwrap();
    assert_eq!(response.status(), 404);
    assert_eq!(app.count("SELECT count(*) FROM calls").await, 0);
}

#[test]
fn vonage_dialplan_check_takes_the_provider_and_its_voices() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.toml");
    std::fs::write(&good, vonage_dialplan()).unwrap();
    let (ok, out, err) = run(bin().args(["dialplan", "check"]).arg(&good));
    assert!(ok, "{out}\n{err}");
    // What `serve` will need is said before it is tried.
    assert!(
        out.contains("note: provider = \"vonage\": `serve` needs VONAGE_SIGNATURE_SECRET, and VONAGE_APPLICATION_ID with VONAGE_PRIVATE_KEY"),
        "{out}"
    );
    let (_, twilio, _) = run(bin().args(["dialplan", "check", "dialplans/example.toml"]));
    assert!(!twilio.contains("VONAGE"), "{twilio}");

    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, vonage_dialplan().replace("provider = \"vonage\"", "provider = \"vonnage\"")).unwrap();
    let (ok, _, err) = run(bin().args(["dialplan", "check"]).arg(&bad));
    assert!(!ok && err.contains("field `provider`") && err.contains("vonnage"), "{err}");

    // The example switches provider with its first line alone: it has the Vonage voice too.
    assert_eq!(vonage_dialplan(), format!("provider = \"vonage\"\n{}", burenlijn::config::EXAMPLE_DIALPLAN));
    // Without `[voices.vonage]`, its Twilio voice is not a Vonage one.
    let twilio_voice = vonage_dialplan().replace("[voices.vonage]\nname = \"0\"\n", "");
    std::fs::write(&bad, twilio_voice).unwrap();
    let (ok, _, err) = run(bin().args(["dialplan", "check"]).arg(&bad));
    assert!(!ok && err.contains("field `voice.name`") && err.contains("Polly.Lotte"), "{err}");
}

#[test]
fn vonage_serve_refuses_to_start_without_the_signature_secret() {
    let dir = tempfile::tempdir().unwrap();
    let plans = dir.path().join("dialplans");
    std::fs::create_dir(&plans).unwrap();
    std::fs::write(plans.join("example.toml"), vonage_dialplan()).unwrap();
    let serve = |secret: Option<&str>, application: &[(&str, &str)]| {
        let mut c = bin();
        c.env_remove("VONAGE_SIGNATURE_SECRET").env_remove("VONAGE_APPLICATION_ID").env_remove("VONAGE_PRIVATE_KEY");
        c.envs(application.iter().copied())
            .args(["serve", "--public-url", "https://x.example", "--listen", "127.0.0.1:0", "--dialplans"])
            .arg(&plans)
            .arg("--db")
            .arg(dir.path().join("x.db"))
            .env("TWILIO_AUTH_TOKEN", "a-twilio-token-is-not-enough");
        if let Some(s) = secret {
            c.env("VONAGE_SIGNATURE_SECRET", s);
        }
        run(&mut c)
    };
    let (ok, _, err) = serve(None, &[]);
    assert!(!ok && err.contains("VONAGE_SIGNATURE_SECRET is not set"), "{err}");
    let (ok, _, err) = serve(Some("short"), &[]);
    assert!(!ok && err.contains("VONAGE_SIGNATURE_SECRET is too short"), "{err}");
    // The application's id without its key: refused, naming the key.
    let (ok, _, err) = serve(Some("a-secret-of-enough-length"), &[("VONAGE_APPLICATION_ID", "app")]);
    assert!(!ok && err.contains("VONAGE_PRIVATE_KEY"), "{err}");
    // Ringing in waves through Vonage places the helpers' calls with the application's
    // key: without it, refused naming it.
    let waves = format!("provider = \"vonage\"\n{}", burenlijn::config::example_dialplan_in_waves())
        .replace("name = \"Polly.Lotte\"", "name = \"0\"");
    std::fs::write(plans.join("example.toml"), waves).unwrap();
    let (ok, _, err) = serve(Some("a-secret-of-enough-length"), &[]);
    assert!(!ok && err.contains("needs VONAGE_APPLICATION_ID and VONAGE_PRIVATE_KEY"), "{err}");
    // Without the REST API a helper's no could not be ended, and would be put through.
    std::fs::write(plans.join("example.toml"), vonage_dialplan()).unwrap();
    let (ok, _, err) = serve(Some("a-secret-of-enough-length"), &[]);
    assert!(!ok && err.contains("needs VONAGE_APPLICATION_ID and VONAGE_PRIVATE_KEY"), "{err}");
}

/// Prompt files speak each provider's voice: `[voices.vonage]` on Vonage, `[voice]` on
/// Twilio. On Vonage a prompt file without a Vonage voice, or with a style Vonage does not
/// have for its language, is refused by `dialplan check` naming the file and the field.
#[test]
fn prompt_files_are_checked_against_the_providers_own_voices() {
    let dir = tempfile::tempdir().unwrap();
    let prompts = dir.path().join("prompts");
    std::fs::create_dir(&prompts).unwrap();
    for f in ["nl.toml", "en.toml", "tr.toml"] {
        std::fs::copy(format!("prompts/{f}"), prompts.join(f)).unwrap();
    }
    let plan = dir.path().join("vonage.toml");
    std::fs::write(&plan, vonage_dialplan()).unwrap();
    let check = |plan: &std::path::Path| run(bin().args(["dialplan", "check", "--prompts"]).arg(&prompts).arg(plan));
    let (ok, out, err) = check(&plan);
    assert!(ok, "the shipped prompt files have a Vonage voice each: {out}{err}");

    let tr = std::fs::read_to_string("prompts/tr.toml").unwrap();
    let without = tr.replace("[voices.vonage]\nname = \"0\"\nlanguage = \"tr-TR\"\n", "");
    assert_ne!(without, tr);
    std::fs::write(prompts.join("tr.toml"), &without).unwrap();
    let (ok, _, err) = check(&plan);
    assert!(
        !ok && err.contains("tr.toml: voice.name: 'Polly.Filiz' is not a tr-TR voice of Vonage")
            && err.contains("(or give [voices.vonage])"),
        "{err}"
    );
    // A style Vonage's tr-TR voices have without SSML (4) is not offered.
    std::fs::write(
        prompts.join("tr.toml"),
        tr.replace("name = \"0\"\nlanguage = \"tr-TR\"", "name = \"4\"\nlanguage = \"tr-TR\""),
    )
    .unwrap();
    let (ok, _, err) = check(&plan);
    assert!(!ok && err.contains("tr.toml: voices.vonage.name: '4' is not a tr-TR voice of Vonage"), "{err}");
    // The same files on Twilio: its own `[voice]` is what counts there.
    let (ok, out, err) = check(std::path::Path::new("dialplans/example.toml"));
    assert!(ok, "{out}{err}");

    // A neighbourhood on Vonage speaks its other languages in their Vonage style.
    std::fs::write(prompts.join("tr.toml"), &tr).unwrap();
    let plans = dir.path().join("dialplans");
    std::fs::create_dir(&plans).unwrap();
    std::fs::write(plans.join("example.toml"), vonage_dialplan()).unwrap();
    let hoods = burenlijn::config::load(Some(&plans), Some(&prompts)).unwrap();
    let hood = hoods.all().next().unwrap();
    let english = hood.voices.for_language("en");
    assert_eq!((english.name.as_str(), english.language.as_str()), ("0", "en-GB"));
}

/// The provider seam holds (issue 30): outside `src/provider` (and the emulators in
/// `src/sim`), no module names Vonage, in code or in comments.
#[test]
fn no_module_outside_the_provider_names_vonage() {
    fn walk(dir: &std::path::Path, found: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap().to_lowercase();
                for (n, line) in text.lines().enumerate() {
                    if line.contains("vonage") {
                        found.push(format!("{}:{}", path.display(), n + 1));
                    }
                }
            }
        }
    }
    let mut found = Vec::new();
    for dir in ["src/domain", "src/store", "src/switchboard", "src/web"] {
        walk(std::path::Path::new(dir), &mut found);
    }
    assert!(found.is_empty(), "{found:?}");
}
