//! `round`: the good-morning round — enrol, list, remove, and the log of its calls.

use std::process::ExitCode;

use anyhow::bail;

use super::args::RoundCommand;
use super::{number, print_json_list, Settings};
use crate::clock;
use crate::domain::hours::{days_text, hh_mm};
use crate::domain::phone::PhoneNumber;
use crate::switchboard::desk::round::{self as use_case, NotEnrolled};
use crate::switchboard::desk::{read_here, write_here, Acting};
use crate::switchboard::round::Enrolling;
use crate::switchboard::Store;

const DAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

pub fn run(command: RoundCommand, settings: &Settings) -> anyhow::Result<ExitCode> {
    let now = || clock::from_env().map(|c| c.unwrap_or_else(jiff::Timestamp::now));
    // Changes from here are audited in the command line's name.
    let cli = Acting::command_line();
    match command {
        RoundCommand::Add { phone, at, days, contacts, neighbourhood, tries, retry_minutes, db, plans } => {
            let neighbourhoods = settings.load_plans(plans)?;
            let store = Store::open(&settings.db(db))?;
            let e = Enrolling {
                resident_phone: phone,
                at,
                days,
                contacts,
                neighbourhood,
                tries: Some(tries),
                retry_minutes: Some(retry_minutes),
            };
            let now = now()?;
            match write_here(&store, &cli, now, |act| use_case::enrol(act, &neighbourhoods, &e))? {
                Ok((id, new)) => {
                    let r = read_here(&store, &cli, now, |act| use_case::resident(act, id))?;
                    let Some(r) = r else { bail!("the enrolment was not stored") };
                    println!(
                        "{} {} in the good-morning round: called at {} on {}, {} tries {} minutes apart, then {} contact(s). This is a daily reassurance call, not an emergency service (112).",
                        r.name,
                        if new { "is now" } else { "stays" },
                        hh_mm(r.enrolment.at.hour() as u16 * 60 + r.enrolment.at.minute() as u16),
                        days_text(r.enrolment.days, &DAY_NAMES),
                        r.enrolment.tries,
                        r.enrolment.retry_minutes,
                        r.contacts.len()
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(NotEnrolled::Refused(refused)) => bail!("{refused}"),
                Err(NotEnrolled::NotFound) => bail!("the resident is not a registered participant"),
            }
        }
        RoundCommand::List { json, db, numbers } => {
            let store = Store::open(&settings.db(db))?;
            let residents =
                read_here(&store, &cli, now().unwrap_or_else(|_| jiff::Timestamp::now()), use_case::residents)?;
            if residents.is_empty() && !json {
                println!("nobody is in the good-morning round");
            }
            let mut items = Vec::new();
            for r in residents {
                let at = hh_mm(r.enrolment.at.hour() as u16 * 60 + r.enrolment.at.minute() as u16);
                let days = days_text(r.enrolment.days, &DAY_NAMES);
                let contacts: Vec<String> = r
                    .contacts
                    .iter()
                    .map(|c| c.name.clone().unwrap_or_else(|| number(c.phone.as_str(), numbers)))
                    .collect();
                let away = r.enrolment.away.map(|(f, u)| format!("{f}..{u}"));
                if json {
                    items.push(serde_json::json!({
                        "resident": r.name, "phone": number(r.phone.as_str(), numbers), "neighbourhood": r.neighbourhood,
                        "at": at, "days": days, "tries": r.enrolment.tries, "retry_minutes": r.enrolment.retry_minutes,
                        "contacts": contacts, "paused": r.enrolment.paused, "away": away,
                    }));
                } else {
                    let state = match (r.enrolment.paused, &away) {
                        (true, _) => "  paused until they call again".to_string(),
                        (false, Some(a)) => format!("  away {a}"),
                        _ => String::new(),
                    };
                    println!(
                        "{:<24} {:<14} {} {:<12} contacts: {}{state}",
                        r.name,
                        number(r.phone.as_str(), numbers),
                        at,
                        days,
                        contacts.join(", ")
                    );
                }
            }
            if json {
                print_json_list(&items)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        RoundCommand::Remove { phone, db, numbers } => {
            let phone = PhoneNumber::parse(&phone).map_err(|e| anyhow::anyhow!("phone: {e}"))?;
            let store = Store::open(&settings.db(db))?;
            let now = now()?;
            let shown = number(phone.as_str(), numbers);
            if !write_here(&store, &cli, now, |act| use_case::remove_by_phone(act, &phone))? {
                bail!("{shown} is not in the good-morning round");
            }
            println!("{shown} is out of the good-morning round; their log stays");
            Ok(ExitCode::SUCCESS)
        }
        RoundCommand::Log { json, phone, limit, db, numbers } => {
            let store = Store::open(&settings.db(db))?;
            let now = now().unwrap_or_else(|_| jiff::Timestamp::now());
            let resident = match phone {
                Some(p) => {
                    let p = PhoneNumber::parse(&p).map_err(|e| anyhow::anyhow!("--phone: {e}"))?;
                    match read_here(&store, &cli, now, |act| use_case::participant_by_phone(act, &p))? {
                        Some(found) => Some(found),
                        None => bail!("--phone: {} is not a registered participant", number(p.as_str(), numbers)),
                    }
                }
                None => None,
            };
            let mut rows = read_here(&store, &cli, now, |act| use_case::log(act, resident, limit))?;
            // A contact without a name is named by their number, masked unless asked.
            for r in &mut rows {
                if let Some(n) = &r.confirmed_number {
                    r.confirmed_by = Some(number(n, numbers));
                }
            }
            if rows.is_empty() && !json {
                println!("the good-morning round has made no calls yet");
            }
            if json {
                let items = rows.iter().map(serde_json::to_value).collect::<Result<Vec<_>, _>>()?;
                print_json_list(&items)?;
                return Ok(ExitCode::SUCCESS);
            }
            for r in rows {
                let at = jiff::Timestamp::from_second(r.at).map(|t| t.to_string()).unwrap_or_default();
                let who = match r.who.as_str() {
                    "resident" => format!("try {}", r.n),
                    "contact" => format!("contact {}", r.n),
                    _ => "desk phone".to_string(),
                };
                let confirmed = r.confirmed_by.map(|c| format!(" by {c}")).unwrap_or_default();
                println!(
                    "{at}  {:<24} {:<10} {}{confirmed}",
                    r.resident,
                    who,
                    r.result.map(|r| r.as_str()).unwrap_or("calling")
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
