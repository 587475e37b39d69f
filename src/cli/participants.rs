//! `participants`: the register from the command line (import, export, list, add,
//! pause, resume), through the same use cases as the desk (`switchboard::desk::
//! participants`): each change is in the audit log, made by the command line.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context as _;
use jiff::civil::Date;
use jiff::Timestamp;

use super::args::{AddParticipantArgs, NumbersArg, ParticipantsCommand};
use super::{number, Settings};
use crate::domain::participant::{ParticipantDetails, ParticipantInput};
use crate::domain::phone::PhoneNumber;
use crate::switchboard::desk::participants::{self as uc, Imported, Saved};
use crate::switchboard::desk::{read_here, write_here, Acting};
use crate::switchboard::memberships;
use crate::switchboard::Store;

pub fn run(command: ParticipantsCommand, settings: &Settings) -> anyhow::Result<ExitCode> {
    let now = Timestamp::now();
    match command {
        ParticipantsCommand::Import { file, neighbourhood, db, plans } => {
            let hoods = settings.load_plans(plans)?;
            let (categories, keys) = (hoods.categories(), hoods.keys());
            let default = match neighbourhood {
                Some(key) => match memberships::known(&hoods, std::slice::from_ref(&key)) {
                    Ok(_) => Some(key),
                    Err(e) => {
                        eprintln!("--neighbourhood: {e}");
                        return Ok(ExitCode::FAILURE);
                    }
                },
                None => hoods.only().map(str::to_string),
            };
            let text = std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
            if let Some(rows) = crate::switchboard::register::too_many_rows(&text) {
                eprintln!(
                    "{}: {rows} rows; at most {} can be imported at once. Nothing imported: split the file",
                    file.display(),
                    crate::switchboard::register::MAX_ROWS
                );
                return Ok(ExitCode::FAILURE);
            }
            let names = hoods.category_names();
            let languages = hoods.language_keys();
            let known = crate::registry::Known {
                categories: &categories,
                neighbourhoods: &keys,
                names: &names,
                languages: &languages,
            };
            let parsed = crate::registry::parse(&text, &known)
                .and_then(|rows| crate::registry::assign(&rows, default.as_deref(), &keys).map(|a| (rows, a)));
            let (rows, assigned) = match parsed {
                Ok(ok) => ok,
                Err(errors) => {
                    let shown = crate::switchboard::register::ERRORS_SHOWN;
                    for e in errors.iter().take(shown) {
                        eprintln!("{}: {e}", file.display());
                    }
                    if errors.len() > shown {
                        eprintln!("{}: and {} more lines with problems", file.display(), errors.len() - shown);
                    }
                    eprintln!("nothing imported: fix the {} problem(s) above and try again", errors.len());
                    return Ok(ExitCode::FAILURE);
                }
            };
            let store = Store::open(&settings.db(db))?;
            // In chunks, each its own short transaction: a running switchboard's webhooks
            // get the database in between (src/switchboard/register.rs).
            let cli = Acting::command_line();
            let mut total = Imported::default();
            let chunk = crate::switchboard::register::CHUNK_ROWS;
            for (rows, assigned) in rows.chunks(chunk).zip(assigned.chunks(chunk)) {
                let done = write_here(&store, &cli, now, |act| uc::import_chunk(act, rows, assigned))?;
                total.added += done.added;
                total.updated += done.updated;
            }
            write_here(&store, &cli, now, |act| uc::imported(act, total))?;
            let Imported { added, updated } = total;
            println!("imported {}: {added} added, {updated} updated", file.display());
            Ok(ExitCode::SUCCESS)
        }
        ParticipantsCommand::Assign { neighbourhood, db, plans } => {
            let hoods = settings.load_plans(plans)?;
            if let Err(e) = memberships::known(&hoods, std::slice::from_ref(&neighbourhood)) {
                eprintln!("--neighbourhood: {e}");
                return Ok(ExitCode::FAILURE);
            }
            let store = Store::open(&settings.db(db))?;
            let cli = Acting::command_line();
            let joined = write_here(&store, &cli, now, |act| uc::join_all_without(act, &neighbourhood))?;
            println!("{joined} participant(s) without a neighbourhood now belong to {neighbourhood}");
            Ok(ExitCode::SUCCESS)
        }
        ParticipantsCommand::Export { db } => {
            let store = Store::open(&settings.db(db))?;
            let cli = Acting::command_line();
            let csv = read_here(&store, &cli, now, uc::export)?;
            write_here(&store, &cli, now, uc::exported)?;
            print!("{csv}");
            Ok(ExitCode::SUCCESS)
        }
        ParticipantsCommand::List { db, numbers } => list(&settings.db(db), now, numbers),
        ParticipantsCommand::Add(args) => add(args, now, settings),
        ParticipantsCommand::Pause { phone, db, until, numbers } => {
            set_paused(&settings.db(db), &phone, Pause::Until(until), now, numbers)
        }
        ParticipantsCommand::Resume { phone, db, numbers } => {
            set_paused(&settings.db(db), &phone, Pause::Over, now, numbers)
        }
    }
}

fn list(db: &Path, now: Timestamp, numbers: NumbersArg) -> anyhow::Result<ExitCode> {
    let store = Store::open(db)?;
    let all = read_here(&store, &Acting::command_line(), now, uc::list)?;
    let today = now.to_zoned(jiff::tz::TimeZone::system()).date();
    println!("{:<24} {:<14} {:<28} {:<26} {:<20} STATUS", "NAME", "PHONE", "OFFERS", "AVAILABLE", "STREET");
    for p in &all {
        let d = &p.details;
        let status = match (p.is_paused_on(today), p.paused_until) {
            (true, Some(until)) => format!("paused until {until}"),
            (true, None) => "paused".to_string(),
            _ => "active".to_string(),
        };
        let available = if d.available.is_empty() { "(ringing hours)" } else { d.available.as_str() };
        println!(
            "{:<24} {:<14} {:<28} {:<26} {:<20} {}",
            d.name,
            number(d.phone.as_str(), numbers),
            d.offers.join(";"),
            available,
            d.street,
            status
        );
    }
    println!("{} participants", all.len());
    Ok(ExitCode::SUCCESS)
}

fn add(args: AddParticipantArgs, now: Timestamp, settings: &Settings) -> anyhow::Result<ExitCode> {
    let AddParticipantArgs {
        db,
        plans,
        numbers,
        name,
        phone,
        neighbourhoods,
        offers,
        available,
        street,
        postcode,
        distance,
        language,
    } = args;
    let hoods = settings.load_plans(plans)?;
    let categories = hoods.categories();
    let neighbourhoods = match memberships::known(&hoods, &neighbourhoods) {
        Ok(keys) if keys.is_empty() => match memberships::default_for_new(&hoods) {
            Some(keys) => keys,
            None => {
                eprintln!(
                    "not saved: --neighbourhood: there are several ({}); name at least one",
                    hoods.keys().join(", ")
                );
                return Ok(ExitCode::FAILURE);
            }
        },
        Ok(keys) => keys,
        Err(e) => {
            eprintln!("not saved: --neighbourhood: {e}");
            return Ok(ExitCode::FAILURE);
        }
    };
    let input = ParticipantInput {
        name: &name,
        phone: &phone,
        offers: &offers,
        available: &available,
        street: &street,
        postcode: &postcode,
        distance: &distance,
        language: &language,
    };
    let details = match ParticipantDetails::parse(&input, &categories)
        .and_then(|d| d.check_language(&hoods.language_keys()).map(|_| d))
    {
        Ok(d) => d,
        Err(e) => {
            eprintln!("not saved: --{e}");
            return Ok(ExitCode::FAILURE);
        }
    };
    let store = Store::open(&settings.db(db))?;
    let (_, saved) =
        write_here(&store, &Acting::command_line(), now, |act| uc::add_or_update(act, &details, &neighbourhoods))?;
    println!(
        "{} {} ({})",
        if saved == Saved::Added { "added" } else { "updated" },
        details.name,
        number(details.phone.as_str(), numbers)
    );
    Ok(ExitCode::SUCCESS)
}

/// `pause` (until a date, or until resumed) or `resume`.
enum Pause {
    Until(Option<Date>),
    Over,
}

fn set_paused(db: &Path, phone: &str, pause: Pause, now: Timestamp, numbers: NumbersArg) -> anyhow::Result<ExitCode> {
    let phone = PhoneNumber::parse(phone)?;
    let shown = number(phone.as_str(), numbers);
    let (paused, until) = match pause {
        Pause::Until(until) => (true, until),
        Pause::Over => (false, None),
    };
    let today = now.to_zoned(jiff::tz::TimeZone::system()).date();
    if let Some(d) = until.filter(|d| *d < today) {
        eprintln!("--until {d} has passed: choose today or later; nothing was changed");
        return Ok(ExitCode::FAILURE);
    }
    let store = Store::open(db)?;
    let cli = Acting::command_line();
    if write_here(&store, &cli, now, |act| uc::set_paused_by_phone(act, &phone, paused, until))?.is_none() {
        eprintln!("nobody with phone {shown} is registered");
        return Ok(ExitCode::FAILURE);
    }
    match pause {
        Pause::Until(Some(d)) => println!("{shown} paused until {d}"),
        Pause::Until(None) => println!("{shown} paused until resumed"),
        Pause::Over => println!("{shown} will be rung again"),
    }
    Ok(ExitCode::SUCCESS)
}
