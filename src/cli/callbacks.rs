//! `callbacks`: call-back requests — those still open (or all), or a new one the desk
//! took itself.

use std::process::ExitCode;

use anyhow::{bail, Context as _};

use super::args::{CallbacksArgs, CallbacksCommand, NewCallbackArgs};
use super::{number, Settings};
use crate::clock;
use crate::domain::phone::PhoneNumber;
use crate::switchboard::callbacks::Refused;
use crate::switchboard::desk::follow_up as use_case;
use crate::switchboard::desk::{read_here, write_here, Acting};
use crate::switchboard::Store;

pub fn run(
    CallbacksArgs { command, db, all, numbers }: CallbacksArgs,
    settings: &Settings,
) -> anyhow::Result<ExitCode> {
    if let Some(CallbacksCommand::New(args)) = command {
        return new(args, settings);
    }
    let store = Store::open(&settings.db(db))?;
    let now = clock::from_env().ok().flatten().unwrap_or_else(jiff::Timestamp::now);
    let requests = read_here(&store, &Acting::command_line(), now, |act| use_case::requests(act, all))?;
    if requests.is_empty() {
        println!("no open requests");
    }
    for r in requests {
        let phone = r.phone.as_deref().map(|p| number(p, numbers)).unwrap_or_else(|| "-".into());
        println!(
            "#{:<4} {:<11} {:<12} {:<14} open until {}  next try {}  tries {}",
            r.id,
            r.status.as_str(),
            r.category,
            phone,
            r.open_until,
            r.next_try_at,
            r.tries
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn new(
    NewCallbackArgs { phone, category, number: on, db, plans, numbers }: NewCallbackArgs,
    settings: &Settings,
) -> anyhow::Result<ExitCode> {
    let neighbourhoods = settings.load_plans(plans)?;
    let hood = match on {
        Some(n) => {
            let n = PhoneNumber::parse(&n).map_err(|e| anyhow::anyhow!("--number: {e}"))?;
            neighbourhoods.by_number(n.as_str()).cloned().with_context(|| format!("no dialplan for {n}"))?
        }
        None => {
            let all: Vec<_> = neighbourhoods.all().cloned().collect();
            match all.as_slice() {
                [one] => one.clone(),
                _ => bail!("there are {} dialplans: say which with --number", all.len()),
            }
        }
    };
    let phone = PhoneNumber::parse(&phone).map_err(|e| anyhow::anyhow!("--phone: {e}"))?;
    let now = clock::from_env()?.unwrap_or_else(jiff::Timestamp::now);
    let store = Store::open(&settings.db(db))?;
    // Taken in the command line's name, and audited as the desk's are.
    let cli = Acting::command_line();
    let opened = write_here(&store, &cli, now, |act| use_case::take_request(act, &hood, &phone, &category))?;
    let (id, open_until) = match opened {
        Ok(opened) => (opened.id, opened.open_until),
        Err(Refused::UnknownCategory { known }) => {
            bail!("--category '{category}' is not in the dialplan (known: {})", known.join(", "))
        }
        Err(Refused::NotInWaves) => bail!(
            "the dialplan for {} rings with mode = \"dial\"; calling back later needs mode = \"waves\"",
            hood.dialplan.number
        ),
        Err(Refused::InProgress) => bail!("a call-back request for this call is still in progress"),
    };
    println!("request #{id} is open until {open_until}: the switchboard rings neighbours (in ringing hours) and calls {} back when one says yes", number(phone.as_str(), numbers));
    Ok(ExitCode::SUCCESS)
}
