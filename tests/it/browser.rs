//! The desk in a real browser: headless Chromium (Debian's package) driven by
//! playwright-core from npm (`npm ci --prefix tests/browser`; `.ci/run` installs both).
//! Screenshots of every page land in `artifacts/screenshots/`.

use std::path::PathBuf;
use std::process::Stdio;

use burenlijn::domain::desk::Role;
use burenlijn::provider::twilio::emulator::{HelperAction, Script};
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::desk_support::*;
use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coordinator_works_through_the_desk_in_chromium() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let script = root.join("tests/browser/desk.mjs");
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        std::path::Path::new(&chromium).exists() && root.join("tests/browser/node_modules/playwright-core").exists(),
        "the browser test needs Chromium and playwright-core: apt-get install chromium chromium-driver; npm ci --prefix tests/browser (see README)"
    );
    let app = spawn_app().await;
    add_user(&app, "Els", Role::Coordinator).await;
    add_user(&app, "Piet", Role::Desk).await;
    // Yesterday's work for the desk: a call nobody could take.
    app.call(JAN, Script::keys(&["1"]).helper(ANJA, HelperAction::Decline).helper(BERT, HelperAction::Decline).helper(CARLA, HelperAction::Decline)).await;

    let shots = root.join("artifacts/screenshots");
    let mut node = tokio::process::Command::new("node")
        .arg(&script)
        .env("DESK_URL", &app.sandbox.state.public_url)
        .env("DESK_USER", "Els")
        .env("DESK_PASSWORD", PASSWORD)
        .env("SCREENSHOTS", &shots)
        .env("CHROMIUM", &chromium)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .expect("node runs (apt-get install nodejs npm)");
    let mut lines = BufReader::new(node.stdout.take().unwrap()).lines();
    let mut said = Vec::new();
    let run = async {
        while let Some(line) = lines.next_line().await.unwrap() {
            println!("browser: {line}");
            if line == "WATCHING" {
                // While the Now page is open, a call finds a neighbour.
                app.call(DIRK, Script::keys(&["1"]).helper(ANJA, HelperAction::Decline).helper(BERT, HelperAction::Accept).helper(CARLA, HelperAction::Accept)).await;
            }
            said.push(line);
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(240), run).await.expect("the browser finishes within 4 minutes");
    let status = node.wait().await.unwrap();
    assert!(status.success(), "the browser script failed:\n{}", said.join("\n"));
    assert_eq!(said.last().map(String::as_str), Some("DONE"));

    // What the browser did is in the database.
    assert_eq!(app.count("SELECT count(*) FROM follow_ups WHERE result = 'referred-to-wmo' AND closed_by = 'Els' AND note LIKE 'Doorverwezen%'").await, 1);
    assert_eq!(app.count("SELECT count(*) FROM participants WHERE name = 'Fatima Yilmaz' AND phone = '+31612345699' AND available = 'ma-vr 09:00-12:00'").await, 1);
    for page in ["login", "now-green", "follow-up", "participants", "participant-new", "calls", "call", "figures", "users", "audit"] {
        assert!(shots.join(format!("laptop-{page}.png")).exists(), "a screenshot of {page}");
    }
}
