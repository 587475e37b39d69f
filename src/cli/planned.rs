//! `planned`: help for later (issue 28) — take a request, list them with their calls,
//! cancel one, or record a match the desk made by hand. Through `switchboard::planned`
//! only, audited in the command line's name; the running service places the calls.

use std::process::ExitCode;

use anyhow::bail;

use super::args::PlannedCommand;
use super::{print_json_list, Settings};
use crate::clock;
use crate::domain::planned::By;
use crate::switchboard::desk::{read_here, write_here, Acting};
use crate::switchboard::planned as use_case;
use crate::switchboard::Store;

pub fn run(command: PlannedCommand, settings: &Settings) -> anyhow::Result<ExitCode> {
    let now = || clock::from_env().map(|c| c.unwrap_or_else(jiff::Timestamp::now));
    let cli = Acting::command_line();
    match command {
        PlannedCommand::Add { from, kind, at, note, neighbourhood, db, plans } => {
            let neighbourhoods = settings.load_plans(plans)?;
            let store = Store::open(&settings.db(db))?;
            let adding = use_case::Adding { from, kind, at, note, neighbourhood };
            match write_here(&store, &cli, now()?, |act| use_case::add(act, &neighbourhoods, &adding))? {
                Ok(added) => {
                    println!(
                        "request #{} for {} in {}: neighbours are asked ahead, one at a time (inside the ringing hours, until {}); the requester is called back with who comes",
                        added.id,
                        added.at.strftime("%Y-%m-%d %H:%M"),
                        added.neighbourhood,
                        added.cutoff
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => bail!("{e}"),
            }
        }
        PlannedCommand::List { json, db } => {
            let store = Store::open(&settings.db(db))?;
            let requests = read_here(&store, &cli, now()?, use_case::list)?;
            if json {
                let items: Vec<serde_json::Value> = requests
                    .iter()
                    .map(|r| {
                        let calls: Vec<serde_json::Value> = r
                            .calls
                            .iter()
                            .map(|c| {
                                serde_json::json!({
                                    "purpose": c.purpose.as_str(),
                                    "to": c.to,
                                    "placed_at": c.placed_at.map(|t| t.to_string()),
                                    "result": c.result.map(|r| r.as_str()),
                                })
                            })
                            .collect();
                        serde_json::json!({
                            "id": r.id,
                            "kind": r.kind,
                            "at": r.at.strftime("%Y-%m-%d %H:%M").to_string(),
                            "neighbourhood": r.neighbourhood,
                            "requester": r.requester,
                            "helper": r.helper,
                            "status": r.status.as_str(),
                            "note": r.note,
                            "calls": calls,
                        })
                    })
                    .collect();
                print_json_list(&items)?;
                return Ok(ExitCode::SUCCESS);
            }
            if requests.is_empty() {
                println!("no requests for later");
            }
            for r in requests {
                println!(
                    "#{:<4} {} {:<10} {:<22} {:<18} {:<18} {} call(s)",
                    r.id,
                    r.at.strftime("%Y-%m-%d %H:%M"),
                    r.kind,
                    r.status.as_str(),
                    r.requester.as_deref().unwrap_or("-"),
                    r.helper.as_deref().unwrap_or("-"),
                    r.calls.len()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        PlannedCommand::Cancel { id, db } => {
            let store = Store::open(&settings.db(db))?;
            match write_here(&store, &cli, now()?, |act| use_case::cancel(act, id, By::Desk))? {
                Ok(()) => {
                    println!("request #{id} is cancelled; the requester and the helper (if any) are told by phone");
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => bail!("{e}"),
            }
        }
        PlannedCommand::Assign { id, helper, db } => {
            let store = Store::open(&settings.db(db))?;
            match write_here(&store, &cli, now()?, |act| use_case::assign(act, id, &helper))? {
                Ok(()) => {
                    println!("request #{id} is matched by hand; the requester is told by phone");
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => bail!("{e}"),
            }
        }
    }
}
