//! Command-line interface: flags (`args`) -> validated settings -> calls into the modules.
//!
//! One file per command group; each turns its flags into values, calls `config`,
//! `registry`, `store`, `web`, `bench` or `sim`, and prints. No SQL here, and no rules
//! that the web pages need too: those live in the modules the commands call.
//!
//! Every command finds the install the same way (`settings`): a flag, its environment
//! variable, the settings file. And prints alike: every `--json` list is one JSON array
//! (`print_json_list`), and every phone number is masked unless `--show-numbers`
//! (`number`).

mod args;
mod bench;
mod callbacks;
mod calls;
mod demo;
mod desk;
mod dialplan;
mod maintenance;
mod participants;
mod planned;
mod round;
mod serve;
mod settings;

use std::io::Write as _;
use std::process::ExitCode;

pub use args::Cli;
use args::{Command, NumbersArg};
pub use settings::Settings;

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    // The demo and the benchmarks make their own neighbourhoods; every other command reads
    // the settings file once, here.
    let settings = || Settings::load(cli.config.as_deref());
    match cli.command {
        Command::Demo(args) => demo::demo(args),
        Command::Bench { command } => bench::run(command),
        Command::Serve(args) => {
            serve::run(serve::ServeSettings::from_args(args, &settings()?, |name| std::env::var(name).ok())?)
        }
        Command::Simulate(args) => demo::simulate(args, &settings()?),
        Command::Dialplan { command } => dialplan::run(command, &settings()?),
        Command::Participants { command } => participants::run(command, &settings()?),
        Command::Desk { command } => desk::run(command, &settings()?),
        Command::Backup(args) => maintenance::backup(args, &settings()?),
        Command::Anonymise(args) => maintenance::anonymise(args, &settings()?),
        Command::Calls(args) => calls::run(args, &settings()?),
        Command::Callbacks(args) => callbacks::run(args, &settings()?),
        Command::Round { command } => round::run(command, &settings()?),
        Command::Planned { command } => planned::run(command, &settings()?),
    }
}

/// Serving logs every call at info level; the other commands keep the terminal for
/// their own output.
pub fn default_log_filter(cli: &Cli) -> &'static str {
    match cli.command {
        Command::Serve { .. } => "info",
        _ => "warn",
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread().enable_all().build()?)
}

/// A phone number (or anything that may hold one) as every command prints it: masked,
/// like `+316******78` (`domain::phone::mask`), unless `--show-numbers`.
fn number(raw: &str, numbers: NumbersArg) -> String {
    if numbers.show_numbers {
        raw.to_string()
    } else {
        crate::domain::phone::mask(raw)
    }
}

/// Every `--json` that prints a list prints it as one JSON array (an empty list too),
/// pretty-printed, on standard output.
fn print_json_list(items: &[serde_json::Value]) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", serde_json::to_string_pretty(items)?)?;
    Ok(())
}
