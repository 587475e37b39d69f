//! Command-line interface: flags (`args`) -> validated settings -> calls into the modules.
//!
//! One file per command group; each turns its flags into values, calls `config`,
//! `registry`, `store`, `web`, `bench` or `sim`, and prints. No SQL here, and no rules
//! that the web pages need too: those live in the modules the commands call.

mod args;
mod bench;
mod calls;
mod checkins;
mod demo;
mod desk;
mod dialplan;
mod maintenance;
mod participants;
mod requests;
mod serve;

use std::process::ExitCode;

pub use args::Cli;
use args::{Command, PlansArgs};

use crate::config::{self, Neighbourhoods};

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Serve(args) => serve::run(serve::ServeSettings::from_args(args, |name| std::env::var(name).ok())?),
        Command::Demo(args) => demo::demo(args),
        Command::Simulate(args) => demo::simulate(args),
        Command::Dialplan { command } => dialplan::run(command),
        Command::Participants { command } => participants::run(command),
        Command::Desk { command } => desk::run(command),
        Command::Backup(args) => maintenance::backup(args),
        Command::Anonymise(args) => maintenance::anonymise(args),
        Command::Bench { command } => bench::run(command),
        Command::Calls(args) => calls::run(args),
        Command::Requests(args) => requests::run(args),
        Command::Checkins { command } => checkins::run(command),
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

fn load_plans(plans: &PlansArgs) -> anyhow::Result<Neighbourhoods> {
    config::load(plans.dialplans.as_deref(), plans.prompts.as_deref())
}
