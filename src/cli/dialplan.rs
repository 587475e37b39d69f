//! `dialplan check`: a dialplan and its prompts, every problem with its line and field.

use std::process::ExitCode;

use anyhow::Context as _;

use super::args::DialplanCommand;
use super::Settings;
use crate::config;
use crate::domain::dialplan::RingMode;

pub fn run(command: DialplanCommand, settings: &Settings) -> anyhow::Result<ExitCode> {
    let DialplanCommand::Check { file, prompts } = command;
    let prompts = settings.prompts(prompts);
    let source = std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
    match config::check_dialplan(&source, &file.display().to_string(), prompts.as_deref()) {
        Ok((plan, languages)) => {
            let others: Vec<&str> = languages.keys().map(String::as_str).filter(|l| *l != plan.language).collect();
            println!(
                "{}: ok: {} on {}, {} categories, prompts in '{}' (also checked: {})",
                file.display(),
                plan.name,
                plan.number,
                plan.categories.len(),
                plan.language,
                if others.is_empty() { "none".to_string() } else { others.join(", ") }
            );
            for offered in &plan.caller_languages {
                println!("  callers who press {} hear '{}'", offered.digit, offered.key);
            }
            if plan.provider.as_deref() == Some(crate::provider::Provider::Vonage.name()) {
                println!("note: provider = \"vonage\": `serve` needs VONAGE_SIGNATURE_SECRET, and VONAGE_APPLICATION_ID with VONAGE_PRIVATE_KEY (a helper who says no is let go through Vonage's REST API); host deploy/fallback-vonage.json as the application's fallback answer URL (docs/connect.md)");
            }
            if plan.ringing.mode == RingMode::Waves {
                println!("note: ringing.mode = \"waves\" rings neighbours through Twilio's REST API: `serve` needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN, and --created-call-fallback-url (a hosted copy of deploy/fallback-created-call.xml)");
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(errors) => {
            for e in errors {
                eprintln!("{e}");
            }
            Ok(ExitCode::FAILURE)
        }
    }
}
