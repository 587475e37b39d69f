//! `burenlijn demo --slow-line` (issue 27): Anja, on the slow line, calls and presses
//! nothing. She hears a pause before each choice and has longer to press a key, and
//! reaches the desk within a minute all the same.

use std::path::PathBuf;

use anyhow::Context as _;
use jiff::Timestamp;

use crate::config::Neighbourhoods;
use crate::sim::people::Script;
use crate::sim::sandbox::Sandbox;
use crate::sim::twiml::{parse_twiml, speaking_seconds, Verb};

/// The example register with its optional `slow_line` column: Anja on the slow line.
fn register() -> String {
    let cell = |i: usize, line: &str| match i {
        0 => "slow_line",
        _ if line.starts_with("Anja") => "yes",
        _ => "",
    };
    crate::config::EXAMPLE_PARTICIPANTS.lines().enumerate().map(|(i, l)| format!("{l},{}\n", cell(i, l))).collect()
}

/// Seconds the verbs take, as the emulator counts them; and a `<Gather>`'s wait.
fn seconds(verbs: &[Verb]) -> i64 {
    verbs
        .iter()
        .map(|v| match v {
            Verb::Say(t) | Verb::Play(t) => speaking_seconds(t),
            Verb::Pause(s) => i64::from(*s),
            Verb::Gather { timeout, children, .. } => seconds(children) + i64::from(*timeout),
            _ => 0,
        })
        .sum()
}

/// Returns whether Anja reached the desk.
pub(super) async fn demo(db: Option<PathBuf>, start: Timestamp) -> anyhow::Result<bool> {
    let sandbox = Sandbox::start(db, Neighbourhoods::embedded(), start, Some(register())).await?;
    println!("Anja Bakker (06-10000001) is on the slow line: a pause of a second before each choice, a short");
    println!("menu said twice, and up to 12 seconds to press a key (docs/phone.md). She calls and presses nothing.");
    println!();
    let mut script = Script { desk_answers: true, print: true, ..Default::default() };
    let report = sandbox.emulator.call("+31610000001", "+31850000000", &mut script).await?;
    let docs: Vec<Vec<Verb>> = report.documents.iter().take(2).filter_map(|(_, b)| parse_twiml(b).ok()).collect();
    if let [first, second] = docs.as_slice() {
        let menu: Vec<Verb> = first.iter().filter(|v| matches!(v, Verb::Gather { .. })).cloned().collect();
        let (pauses, wait) = match menu.first() {
            Some(Verb::Gather { timeout, children, .. }) => {
                (children.iter().filter(|v| matches!(v, Verb::Pause(_))).count(), *timeout)
            }
            _ => (0, 0),
        };
        let before: Vec<Verb> = second.iter().take_while(|v| !matches!(v, Verb::Dial { .. })).cloned().collect();
        println!();
        println!("Her menu's TwiML: {pauses} pauses of a second (<Pause length=\"1\"/>) and a wait of {wait} s;");
        println!("from the end of the greeting to the desk's phone ringing: {} s.", seconds(&menu) + seconds(&before));
    }
    let log = sandbox.call_log(&report.call_sid).await?.context("the call is not in the log")?;
    super::print_summary(&report);
    sandbox.stop().await?;
    Ok(log.outcome == Some(crate::domain::call::Outcome::Desk))
}
