//! A phone network that behaves like Twilio, or like Vonage, for the demo, the terminal
//! simulator, the benchmarks and the tests. Not part of the provider: nothing here talks
//! to the real Twilio or Vonage, and the service never depends on it.
//!
//! - `emulator`: the caller's side. Runs the TwiML the service returns, verb by verb, as
//!   Twilio documents it: menus, `<Dial>` with a whisper, voicemail, a caller held in a
//!   `<Conference>`.
//! - `network`: the REST side. `Calls.json` create and update on loopback, helper and
//!   resident legs, conferences and their callbacks, and the faults a test may ask for;
//!   on Vonage's wire, its API is `vonage_network` (`POST /v1/calls`, transfers, hang-ups,
//!   speech into a call), and `vonage_rest` ends the legs a caller's own call rings.
//! - `whisper`: the one interpreter of what a helper hears after picking up, for both.
//! - `people`: what the people on the phones do (`HelperAction`, `Script`) and hear (`Line`).
//! - `twiml`: how the emulator reads TwiML; `ncco`: how it reads Vonage's NCCO; `webhook`:
//!   webhooks as each provider sends them (`Wire`: Twilio's signed form posts, Vonage's
//!   JWT-signed JSON and `GET`s).
//! - `sandbox`: the real server on loopback with a simulated clock, wired to the emulator.
//! - `demo`: the demo call and the terminal phone.

pub mod demo;
pub mod emulator;
pub mod ncco;
pub mod network;
pub mod people;
pub mod sandbox;
pub mod twiml;
pub mod vonage_network;
pub mod vonage_rest;
pub mod webhook;
mod whisper;

pub use sandbox::Sandbox;
