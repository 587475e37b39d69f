//! Voice providers: the only code that knows a wire format.
//!
//! Each provider module turns its webhooks into the typed events of `events` and the
//! switchboard's documents and commands into its own wire format. The rest of the service
//! names only what this module exports.

pub mod events;
pub mod twilio;

pub use events::{
    ConfirmReport, ConfirmWhat, Endpoint, Inbound, PlannedReport, PlannedWhat, Reported, RoundReport, RoundWhat,
    WaveReport,
};
