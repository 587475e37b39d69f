//! The service under attack, as an outsider and a desk user would attack it (issue 25):
//! the real `burenlijn serve` on loopback, measured from outside (its memory from
//! /proc, its open sockets, its log), with signed webhooks flowing all the while.

use std::io::{Read as _, Write as _};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::desk_support::{Browser, PASSWORD};
use crate::support::*;

const TOKEN: &str = "attack-test-token";

/// `burenlijn serve` on a free port with a fresh database and a coordinator "Els";
/// its log goes to a file. Killed when dropped.
struct Served {
    child: Child,
    base: String,
    log: PathBuf,
    db: PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_burenlijn"));
    c.env_remove("BURENLIJN_DB").env_remove("BURENLIJN_NOW").env_remove("TWILIO_AUTH_TOKEN");
    c.env_remove("BURENLIJN_TRUSTED_PROXIES").env("RUST_LOG", "warn");
    c
}

async fn serve(extra: &[&str]) -> Served {
    let dir = tempfile::tempdir().unwrap();
    let (db, log) = (dir.path().join("serve.db"), dir.path().join("serve.log"));
    let mut add = bin()
        .args(["desk", "add-user", "Els", "--role", "coordinator", "--db"])
        .arg(&db)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    add.stdin.take().unwrap().write_all(format!("{PASSWORD}\n").as_bytes()).unwrap();
    assert!(add.wait().unwrap().success());
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let base = format!("http://127.0.0.1:{port}");
    let child = bin()
        .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--public-url", &base, "--db"])
        .arg(&db)
        .args(extra)
        .env("TWILIO_AUTH_TOKEN", TOKEN)
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let client = reqwest::Client::new();
    for _ in 0..200 {
        if client.get(format!("{base}/healthz")).send().await.is_ok_and(|r| r.status().is_success()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Served { child, base, log, db, _dir: dir }
}

impl Served {
    /// The most memory the process has held (VmHWM), in MiB.
    fn peak_mib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap().to_string();
        line.split_whitespace().nth(1).unwrap().parse::<u64>().unwrap() / 1024
    }

    /// Sockets the process holds open (its listener and every connection).
    fn sockets(&self) -> usize {
        std::fs::read_dir(format!("/proc/{}/fd", self.child.id()))
            .unwrap()
            .filter_map(|e| std::fs::read_link(e.ok()?.path()).ok())
            .filter(|target| target.to_string_lossy().starts_with("socket:"))
            .count()
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap()
    }
}

/// Signed `voice` webhooks, one new call each, sent one after the other until `stop`
/// says so; returns each answer's status and how long it took.
async fn webhooks_until(base: String, stop: tokio::sync::watch::Receiver<bool>) -> Vec<(u16, Duration)> {
    let client = reqwest::Client::new();
    let url = format!("{base}/twilio/voice");
    let mut answers = Vec::new();
    for i in 0.. {
        if *stop.borrow() {
            break;
        }
        let params = pairs(&[
            ("CallSid", &format!("CAattack{i:024}")),
            ("AccountSid", "AC00000000000000000000000000000000"),
            ("From", JAN),
            ("To", SWITCHBOARD),
            ("CallStatus", "ringing"),
            ("Direction", "inbound"),
        ]);
        let signature = burenlijn::provider::twilio::signature(TOKEN, &url, &params);
        let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(&params).finish();
        let started = Instant::now();
        let status = client
            .post(&url)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("X-Twilio-Signature", signature)
            .body(body)
            .send()
            .await
            .map(|r| r.status().as_u16())
            .unwrap_or(0);
        answers.push((status, started.elapsed()));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    answers
}

fn summary(answers: &[(u16, Duration)]) -> String {
    let mut times: Vec<Duration> = answers.iter().map(|(_, d)| *d).collect();
    times.sort();
    let at = |p: usize| times.get((times.len() * p / 100).min(times.len().saturating_sub(1))).copied();
    format!("{} webhooks, median {:?}, p99 {:?}, max {:?}", times.len(), at(50), at(99), times.last())
}

/// The login page's one-off cookie and token, as a browser gets them.
async fn login_form(base: &str) -> (String, String) {
    let page = Browser::at(base).get("/desk/login").await;
    let cookie = page.cookies().into_iter().find(|c| c.starts_with("burenlijn_login=")).unwrap();
    (cookie.split(';').next().unwrap().to_string(), page.csrf())
}

/// Posts a login as a browser would, with `extra` headers; returns the status.
async fn login(
    client: &reqwest::Client,
    base: &str,
    (cookie, csrf): &(String, String),
    name: impl AsRef<str>,
    password: &str,
    extra: &[(&str, &str)],
) -> u16 {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs([("name", name.as_ref()), ("password", password), ("csrf", csrf), ("next", "")])
        .finish();
    let mut request = client
        .post(format!("{base}/desk/login"))
        .header("Cookie", cookie)
        .header("Content-Type", "application/x-www-form-urlencoded");
    for (k, v) in extra {
        request = request.header(*k, *v);
    }
    request.body(body).send().await.map(|r| r.status().as_u16()).unwrap_or(0)
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// The shipped unit caps the service at 256 MB. Each argon2 check takes 19 MiB: 200 of
/// them at once once held 3.8 GB and would have got the phone line killed.
const MEMORY_CAP_MIB: u64 = 256;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_200_logins_stays_under_the_memory_cap_while_webhooks_are_answered() {
    let served = serve(&[]).await;
    let before = served.peak_mib();
    let form = login_form(&served.base).await;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let phone = tokio::spawn(webhooks_until(served.base.clone(), stopped));
    tokio::time::sleep(Duration::from_millis(200)).await;
    let client = no_redirects();
    let burst: Vec<_> =
        (0..200).map(|i| login(&client, &served.base, &form, format!("raad-{i}"), "een gok van iemand", &[])).collect();
    let statuses = futures_util::future::join_all(burst).await;
    stop.send(true).unwrap();
    let answers = phone.await.unwrap();
    let peak = served.peak_mib();
    let count = |s: u16| statuses.iter().filter(|&&x| x == s).count();
    println!(
        "200 logins at once: {} checked (401), {} told to try again (503); peak memory {peak} MiB (before: {before} MiB); {}",
        count(401),
        count(503),
        summary(&answers)
    );
    assert_eq!(count(401) + count(503), 200, "every login is checked or told to wait: {statuses:?}");
    assert!(count(401) >= 5, "some are checked: {statuses:?}");
    assert!(peak < MEMORY_CAP_MIB / 2, "peak memory {peak} MiB, cap {MEMORY_CAP_MIB} MiB");
    assert!(answers.len() >= 5, "webhooks went on during the burst: {}", summary(&answers));
    assert!(answers.iter().all(|(s, _)| *s == 200), "every signed webhook answered: {answers:?}");
    // And the right password still gets in afterwards.
    let form = login_form(&served.base).await;
    assert_eq!(login(&client, &served.base, &form, "Els", PASSWORD, &[]).await, 303);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_guesses_at_once_at_one_account_check_only_the_free_five() {
    let served = serve(&[]).await;
    let form = login_form(&served.base).await;
    let client = no_redirects();
    let burst: Vec<_> = (0..60).map(|_| login(&client, &served.base, &form, "Els", "een gok", &[])).collect();
    let statuses = futures_util::future::join_all(burst).await;
    assert_eq!(statuses.iter().filter(|&&s| s == 401).count(), 5, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|&&s| s == 429).count(), 55, "{statuses:?}");
}

/// Behind the documented proxy everyone is 127.0.0.1: wrong passwords of others slow an
/// attempt down, never refuse a right one. The log names the account and the address,
/// masked; with a trusted proxy, the address is the client's own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_peoples_wrong_passwords_never_lock_a_coordinator_out() {
    let served = serve(&[]).await;
    let form = login_form(&served.base).await;
    let client = no_redirects();
    let guesses: Vec<_> =
        (0..10).map(|i| login(&client, &served.base, &form, format!("Mallory{i}"), "een gok", &[])).collect();
    assert_eq!(futures_util::future::join_all(guesses).await, [401; 10]);
    assert_eq!(login(&client, &served.base, &form, "Els", PASSWORD, &[]).await, 303, "a right password gets in");
    let failures = |log: String| -> Vec<String> {
        log.lines().filter(|l| l.contains("a failed desk login")).map(str::to_string).collect()
    };
    let lines = failures(served.log());
    assert_eq!(lines.len(), 10, "{lines:?}");
    assert!(lines.iter().any(|l| l.contains("account=\"Mallory3\"")), "{lines:?}");
    assert!(lines.iter().all(|l| l.contains("address=127.0.0.x") && !l.contains("127.0.0.1")), "{lines:?}");

    // A forwarded address counts only from a trusted proxy.
    let behind = serve(&["--trusted-proxy", "127.0.0.1"]).await;
    let form = login_form(&behind.base).await;
    let from = |ip: &'static str| [("X-Forwarded-For", ip)];
    assert_eq!(login(&client, &behind.base, &form, "Mallory", "een gok", &from("203.0.113.9")).await, 401);
    assert_eq!(login(&client, &behind.base, &form, "Els", PASSWORD, &from("198.51.100.7")).await, 303);
    let lines = failures(behind.log());
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].contains("account=\"Mallory\"") && lines[0].contains("address=203.0.113.x"), "{lines:?}");
    assert!(!behind.log().contains("203.0.113.9"), "the log masks the address");
    // Without a trusted proxy, the header is anyone's to write, and ignored.
    let form = login_form(&served.base).await;
    assert_eq!(login(&client, &served.base, &form, "Eve", "een gok", &from("192.0.2.1")).await, 401);
    let eve: Vec<String> = failures(served.log()).into_iter().filter(|l| l.contains("\"Eve\"")).collect();
    assert!(eve.len() == 1 && eve[0].contains("address=127.0.0.x"), "{eve:?}");
}

/// Half-sent requests once held every descriptor, and every signed webhook timed out:
/// now a connection waits for a free place and is closed when its headers do not come.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_sent_requests_are_closed_and_never_hold_the_phone_line() {
    let served = serve(&["--max-connections", "20", "--header-read-timeout", "1"]).await;
    let address = served.base.trim_start_matches("http://").to_string();
    let mut slow: Vec<std::net::TcpStream> = (0..150)
        .map(|_| {
            let mut s = std::net::TcpStream::connect(&address).unwrap();
            s.write_all(b"POST /twilio/voice HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-f").unwrap();
            s
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let open = served.sockets();
    // The listener, the connections let in, and a few more (the runtime, a closing one).
    assert!(open <= 20 + 5, "{open} sockets open with 150 half-sent requests and a limit of 20");
    // Signed webhooks are answered: the half-sent ones are closed in turn.
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let phone = tokio::spawn(webhooks_until(served.base.clone(), stopped));
    tokio::time::sleep(Duration::from_millis(100)).await;
    stop.send(true).unwrap();
    let answers = phone.await.unwrap();
    println!("with 150 half-sent requests: {}", summary(&answers));
    assert!(!answers.is_empty() && answers.iter().all(|(s, _)| *s == 200), "{answers:?}");
    // The first half-sent request was closed by the server, not answered.
    let first = &mut slow[0];
    first.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut buf = [0u8; 256];
    let read = first.read(&mut buf);
    assert!(
        matches!(read, Ok(0)) || matches!(&read, Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset),
        "{read:?}: {}",
        String::from_utf8_lossy(&buf)
    );
}

/// The header of a register file and `rows` rows of new people, numbered from `from`.
fn register(rows: usize) -> String {
    let mut csv = String::from("name,phone,offers,available,street,postcode,distance\n");
    for i in 0..rows {
        csv.push_str(&format!("Buur {i},06{:08},shopping,,Kerkstraat,1234 AB,any\n", 20_000_000 + i));
    }
    csv
}

/// A big import is written in chunks: webhooks keep their place on the database writer
/// and no webhook waits for the whole import.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_large_import_lets_webhooks_through_and_tells_the_desk_what_happened() {
    let served = serve(&[]).await;
    let mut els = Browser::at(&served.base);
    let form = els.get("/desk/login").await.csrf();
    let done = els.post("/desk/login", &[("name", "Els"), ("password", PASSWORD), ("csrf", &form), ("next", "")]).await;
    assert_eq!(done.status, 303);
    let csrf = els.csrf().await;
    let file = register(burenlijn::switchboard::register::MAX_ROWS);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let phone = tokio::spawn(webhooks_until(served.base.clone(), stopped));
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    let page = els.upload("/desk/participants/import", &csrf, &file).await;
    let import_took = started.elapsed();
    stop.send(true).unwrap();
    let answers = phone.await.unwrap();
    println!(
        "import of {} rows took {import_took:?}; meanwhile {}",
        burenlijn::switchboard::register::MAX_ROWS,
        summary(&answers)
    );
    assert!(
        page.location.as_deref() == Some("/desk/participants?msg=imported")
            || (page.status == 202 && page.body.contains("wordt nog opgeslagen")),
        "{} {}",
        page.status,
        page.body
    );
    assert!(answers.iter().all(|(s, _)| *s == 200), "{answers:?}");
    // No webhook waited for more than a small part of the import.
    let longest = answers.iter().map(|(_, d)| *d).max().unwrap();
    assert!(longest < import_took / 3, "a webhook waited {longest:?} during an import of {import_took:?}");
    // Everything arrives, and the audit log says so.
    let store = burenlijn::store::Store::open(&served.db).unwrap();
    for _ in 0..600 {
        let n = store.read(|c| Ok(burenlijn::store::participants::list(c)?.len())).unwrap();
        if n == burenlijn::switchboard::register::MAX_ROWS {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        store.read(|c| Ok(burenlijn::store::participants::list(c)?.len())).unwrap(),
        burenlijn::switchboard::register::MAX_ROWS
    );
    let audit = els.get("/desk/audit").await.body;
    assert!(audit.contains("10000"), "{audit}");
}

/// Over the limit, or thousands of bad rows: a clear page, not an 8 MB one, and nothing saved.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_too_big_or_full_of_errors_is_refused_with_a_short_page() {
    let (app, mut b) = crate::desk_support::desk_app().await;
    let before = app.snapshot().await;
    let csrf = b.csrf().await;
    let too_big =
        b.upload("/desk/participants/import", &csrf, &register(burenlijn::switchboard::register::MAX_ROWS + 1)).await;
    assert_eq!(too_big.status, 400);
    assert!(too_big.body.contains("10001 regels") && too_big.body.contains("hoogstens 10000"), "{}", too_big.body);
    let bad: String = register(3000).replace(",shopping,", ",vliegen,");
    let page = b.upload("/desk/participants/import", &csrf, &bad).await;
    assert_eq!(page.status, 400);
    assert_eq!(page.body.matches("vliegen").count(), burenlijn::switchboard::register::ERRORS_SHOWN, "{}", page.body);
    assert!(page.body.contains("En nog 2900 andere regels met fouten (3000 in totaal)."), "{}", page.body);
    assert!(page.body.len() < 100_000, "{} bytes", page.body.len());
    assert_eq!(app.snapshot().await, before, "nothing saved");
}

/// Posts `file` as raw bytes to the desk's import, as a browser sends a file.
async fn upload_bytes(b: &Browser, csrf: &str, file: &[u8]) -> (u16, String) {
    let boundary = "----burenlijn-bytes-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"people.csv\"\r\nContent-Type: text/csv\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let cookies = b.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
    let r = b
        .http
        .post(format!("{}/desk/participants/import", b.base))
        .header("Cookie", cookies)
        .header("Content-Type", format!("multipart/form-data; boundary={boundary}"))
        .body(body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// What already held, kept held: a file in Latin-1, with a quote left open, or with one
/// bad row imports nothing and says why; a byte-order mark (as Excel writes) is no problem.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_in_latin_1_with_bad_quoting_or_one_bad_row_import_nothing() {
    let (app, mut b) = crate::desk_support::desk_app().await;
    let csrf = b.csrf().await;
    let before = app.snapshot().await;
    let header = "name,phone,offers,available,street,postcode,distance\n";
    let latin1: Vec<u8> =
        [header.as_bytes(), b"Jos\xe9 Peeters,0612340001,shopping,,Kerkstraat,1234 AB,any\n"].concat();
    let (status, page) = upload_bytes(&b, &csrf, &latin1).await;
    assert_eq!(status, 400);
    assert!(page.contains("geen tekst (UTF-8)") && page.contains("niets opgeslagen"), "{page}");
    let open_quote = format!("{header}\"Jos Peeters,0612340001,shopping,,Kerkstraat,1234 AB,any\n");
    let (status, page) = upload_bytes(&b, &csrf, open_quote.as_bytes()).await;
    assert_eq!(status, 400);
    assert!(page.contains("regel 2") && page.contains("niets opgeslagen"), "{page}");
    let one_bad = format!(
        "{header}Jos Peeters,0612340001,shopping,,Kerkstraat,1234 AB,any\nAnna Smit,0612340002,vliegen,,Kerkstraat,1234 AB,any\n"
    );
    let (status, page) = upload_bytes(&b, &csrf, one_bad.as_bytes()).await;
    assert_eq!(status, 400);
    assert!(page.contains("regel 3") && !page.contains("regel 2:"), "{page}");
    assert_eq!(app.snapshot().await, before, "nothing saved");
    let with_bom = format!("\u{feff}{header}Jos Peeters,0612340001,shopping,,Kerkstraat,1234 AB,any\n");
    let (status, _) = upload_bytes(&b, &csrf, with_bom.as_bytes()).await;
    assert_eq!(status, 303);
    assert_eq!(app.count("SELECT count(*) FROM participants WHERE name = 'Jos Peeters'").await, 1);
}
