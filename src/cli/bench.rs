//! `bench`: the benchmarks of `crate::bench`, printed as a table or as JSON.

use std::process::ExitCode;

use anyhow::{bail, Context as _};

use super::args::BenchCommand;
use super::runtime;
use crate::bench::{crash, desk, load, matching};

pub fn run(command: BenchCommand) -> anyhow::Result<ExitCode> {
    match command {
        BenchCommand::Load { calls, concurrency, participants, neighbourhoods, seed, pace_ms, synchronous, json } => {
            if neighbourhoods == 0 || neighbourhoods > 1000 {
                bail!("--neighbourhoods must be between 1 and 1000");
            }
            let synchronous = format!("{synchronous:?}").to_lowercase();
            let options =
                load::LoadOptions { calls, concurrency, participants, neighbourhoods, seed, pace_ms, synchronous };
            let report = runtime()?.block_on(load::run(options))?;
            print(json, || report.json(), || report.table())?;
            Ok(ExitCode::SUCCESS)
        }
        BenchCommand::Match { months, seed, households, helpers, requests_per_year, svg, json } => {
            if helpers == 0 || helpers > households || months == 0 {
                bail!("--helpers must be between 1 and --households, and --months at least 1");
            }
            let report = matching::run_with_sizes(&matching::MatchOptions {
                months,
                seed,
                households,
                helpers,
                requests_per_year,
            });
            if let Some(path) = svg {
                std::fs::write(&path, report.svg()).with_context(|| format!("cannot write {}", path.display()))?;
            }
            print(json, || report.json(), || report.table())?;
            Ok(ExitCode::SUCCESS)
        }
        BenchCommand::Crash {
            calls,
            concurrency,
            kills,
            seed,
            waves,
            kinder_retries,
            explain,
            synchronous,
            provider,
            json,
        } => {
            let Some(provider) = crate::provider::Provider::ALL.into_iter().find(|p| p.name() == provider) else {
                bail!("--provider must be twilio or vonage, not '{provider}'");
            };
            let options = crash::CrashOptions {
                calls,
                concurrency,
                kills,
                seed,
                waves,
                kinder_retries: std::time::Duration::from_secs(kinder_retries),
                explain,
                synchronous: format!("{synchronous:?}").to_lowercase(),
                provider,
            };
            let report = runtime()?.block_on(crash::run(options))?;
            print(json, || report.json(), || report.table())?;
            Ok(if report.ok() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
        BenchCommand::Desk { calls, participants, months, requests, seed, db, json } => {
            if participants == 0 || requests == 0 {
                bail!("--participants and --requests must be at least 1");
            }
            let options = desk::DeskOptions { calls, participants, months, requests, seed, db };
            let report = runtime()?.block_on(desk::run(options))?;
            print(json, || report.json(), || report.table())?;
            Ok(ExitCode::SUCCESS)
        }
        BenchCommand::BaselineServer { listen } => {
            let durable = std::env::var_os(load::DURABLE_BASELINE_DB).map(std::path::PathBuf::from);
            runtime()?.block_on(load::baseline_server(listen, durable))?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// A report as one JSON object, or as its table.
fn print(json: bool, object: impl FnOnce() -> serde_json::Value, table: impl FnOnce() -> String) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(&object())?);
    } else {
        print!("{}", table());
    }
    Ok(())
}
