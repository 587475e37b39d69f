//! One integration test binary: the real HTTP service on loopback, a real SQLite file,
//! and a phone emulator that follows Twilio's documented behaviour.

mod desk_support;
mod npm;
mod support;

/// The service under attack: bursts of logins, half-sent requests, big imports.
mod attacks;
/// The desk in headless Chromium.
mod browser;
/// Whole calls, end to end over HTTP.
mod calls;
/// The `burenlijn` binary: demo, serve, dialplan check, participants, calls.
mod cli;
/// Issue 30: Twilio's conference list since 2026-09-30, and its bursts of 5xx.
mod conference_list;
/// The desk's pages and forms, and their refusals.
mod desk;
/// The follow-up page as a work queue.
mod follow_up;
/// Property tests: no outside input makes a parser panic; text never breaks TwiML.
mod fuzz;
/// One configuration for every command: the settings file, its variables, the JSON and
/// the masked numbers of the command line.
mod install;
// The scenario matrix on both providers (issue 30).
mod matrix;
/// Several neighbourhoods on one install.
mod neighbourhoods;
/// The phone line for every participant: own settings by phone, a word for the desk.
mod own_settings;
/// Help for later (issue 28): asked ahead, the requester called back, the cut-off.
mod planned;
/// The desk's page for help for later: refusals naming the field, a match by hand, cancelling.
mod planned_desk;
mod planned_helper;
/// Help for later by phone (issue 28): the requester books, corrects and cancels.
mod planned_phone;
mod planned_where;
/// What the provider keeps: voicemails fetched into our own storage, then deleted at the
/// provider; call records deleted there when calls are anonymised or a person erased.
mod recordings;
/// Refusals: forged signatures, malformed webhooks, unknown numbers.
mod refusals;
/// The Twilio REST client: against the official OpenAPI description (prism), and its
/// retries and errors against a scripted server.
mod rest;
/// The good-morning round: daily calls, contacts, the desk alerted.
mod round;
/// Issue 27: a say over who comes (the resident's wishes, desk only, experienced only).
mod say;
/// Issue 27: a say over who comes, at the desk (the form, the coordinator's marks, the CSV).
mod say_desk;
/// Issue 26's limits: no function in `src/` over 200 lines or with more than five
/// parameters besides its context.
mod sizes;
/// Issue 27: the slow line, from the CSV, the desk and the phone, heard in the TwiML.
mod slow_line;
/// Vonage's provider module: NCCOs and REST requests held to Vonage's own schemas.
mod vonage;
/// Issue 30, part 2: Vonage wired in: its routes, its signatures, its dialplans, `serve`.
mod vonage_wired;
/// Issue 31: waves sized by who tends to say yes, up to the dialplan's cap.
mod wave_sizing;
/// Ringing in waves through the (emulated) REST API.
mod waves;
