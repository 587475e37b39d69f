//! `desk`: the accounts of the desk's web pages (add, new password, list).

use std::process::ExitCode;

use anyhow::{bail, Context as _};

use super::args::DeskCommand;
use super::Settings;
use crate::domain::desk::{check_password, check_user_name, Role};
use crate::switchboard::desk::accounts::{self, Change};
use crate::switchboard::desk::{read_here, write_here, Acting};
use crate::switchboard::logins::hash_password;
use crate::switchboard::Store;

pub fn run(command: DeskCommand, settings: &Settings) -> anyhow::Result<ExitCode> {
    let now = jiff::Timestamp::now();
    // The audit log says a change made here was made by the command line on the server.
    let cli = Acting::command_line();
    match command {
        DeskCommand::AddUser { name, role, neighbourhoods, db, plans } => {
            let name = check_user_name(&name).map_err(|e| anyhow::anyhow!("{e}"))?;
            let role =
                Role::parse(&role).with_context(|| format!("--role '{role}' is not one of desk, coordinator"))?;
            let hoods = settings.load_plans(plans)?;
            let neighbourhoods = crate::switchboard::memberships::known(&hoods, &neighbourhoods)
                .map_err(|e| anyhow::anyhow!("--neighbourhood: {e}"))?;
            let store = Store::open(&settings.db(db))?;
            if read_here(&store, &cli, now, |act| accounts::find_user(act, &name))?.is_some() {
                bail!("there is already a user called '{name}' (use `burenlijn desk passwd` to set a new password)");
            }
            let hash = hash_password(&read_new_password(&name)?)?;
            let keys = neighbourhoods.clone();
            if !write_here(&store, &cli, now, |act| accounts::add_user(act, &name, role, &hash, keys))? {
                bail!("there is already a user called '{name}' (use `burenlijn desk passwd` to set a new password)");
            }
            let sees =
                if neighbourhoods.is_empty() { "every neighbourhood".to_string() } else { neighbourhoods.join(", ") };
            println!("added {} '{name}' (sees {sees}); they can log in at /desk/login", role.as_str());
            Ok(ExitCode::SUCCESS)
        }
        DeskCommand::Passwd { name, db } => {
            let store = Store::open(&settings.db(db))?;
            let Some(user) = read_here(&store, &cli, now, |act| accounts::find_user(act, &name))? else {
                bail!("there is no user called '{name}' (see `burenlijn desk users`)");
            };
            let hash = hash_password(&read_new_password(&user.name)?)?;
            write_here(&store, &cli, now, |act| accounts::change(act, &user, Change::Password(hash)))?;
            println!("new password set for '{}'; their sessions have ended", user.name);
            Ok(ExitCode::SUCCESS)
        }
        DeskCommand::Enable { name, db } => {
            let store = Store::open(&settings.db(db))?;
            let Some(user) = read_here(&store, &cli, now, |act| accounts::find_user(act, &name))? else {
                bail!("there is no user called '{name}' (see `burenlijn desk users`)");
            };
            if !user.disabled {
                println!("'{}' is active already", user.name);
                return Ok(ExitCode::SUCCESS);
            }
            write_here(&store, &cli, now, |act| accounts::change(act, &user, Change::Enable))?;
            println!("'{}' can log in again", user.name);
            Ok(ExitCode::SUCCESS)
        }
        DeskCommand::Users { db } => {
            let store = Store::open(&settings.db(db))?;
            let users = read_here(&store, &cli, now, accounts::users)?;
            println!("{:<30} {:<12} {:<10} NEIGHBOURHOODS", "NAME", "ROLE", "STATUS");
            for u in users {
                let sees = if u.neighbourhoods.is_empty() { "all".to_string() } else { u.neighbourhoods.join(", ") };
                let status = if u.disabled { "disabled" } else { "active" };
                println!("{:<30} {:<12} {:<10} {sees}", u.name, u.role.as_str(), status);
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// A new password: asked twice on a terminal (not echoed), or one line from standard input.
fn read_new_password(name: &str) -> anyhow::Result<String> {
    use std::io::IsTerminal;
    let password = if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password(format!("New password for {name}: "))?;
        let again = rpassword::prompt_password("The same password again: ")?;
        if first != again {
            bail!("the two passwords differ; nothing was changed");
        }
        first
    } else {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        line.trim_end_matches(['\r', '\n']).to_string()
    };
    check_password(name, &password).map_err(|e| anyhow::anyhow!("{e}; nothing was changed"))?;
    Ok(password)
}
