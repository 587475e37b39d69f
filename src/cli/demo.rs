//! `demo` and `simulate`: an example call, or one played in the terminal (`crate::sim::demo`).

use std::process::ExitCode;

use anyhow::Context as _;

use super::args::{DemoArgs, SimulateArgs};
use super::{runtime, Settings};
use crate::sim::demo::SimulateOptions;

pub fn demo(DemoArgs { db, waves, slow_line }: DemoArgs) -> anyhow::Result<ExitCode> {
    let matched = runtime()?.block_on(crate::sim::demo::demo(db, waves, slow_line))?;
    Ok(if matched { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// Plays a call on the install's dialplans when it has any (found as by every command),
/// else, without a word about it, on the example: that is what it is for.
pub fn simulate(
    SimulateArgs { db, plans, participants, from, to }: SimulateArgs,
    settings: &Settings,
) -> anyhow::Result<ExitCode> {
    let neighbourhoods = settings.plan_dirs(plans).load()?;
    let participants_csv = participants
        .map(|p| std::fs::read_to_string(&p).with_context(|| format!("cannot read {}", p.display())))
        .transpose()?;
    runtime()?.block_on(crate::sim::demo::simulate(SimulateOptions {
        db,
        neighbourhoods,
        participants_csv,
        from,
        to,
    }))?;
    Ok(ExitCode::SUCCESS)
}
