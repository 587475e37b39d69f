//! Voice providers: the only code that knows a wire format.
//!
//! Each provider turns its webhooks into call-flow events and call-flow actions into its
//! own documents. Twilio is the first; Telnyx TeXML and SignalWire take the same shapes.

pub mod twilio;
pub mod vonage;
