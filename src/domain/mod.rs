//! The pure core: phone numbers, hours, dialplans, prompts, participants, the ranking and
//! the call flow. No I/O, no clock, no randomness, no wire formats.

pub mod action;
pub mod audit;
pub mod call;
pub mod callback;
pub mod desk;
pub mod dialplan;
pub mod hours;
pub mod learning;
pub mod own;
pub mod participant;
pub mod password;
pub mod phone;
pub mod planned;
pub mod prompts;
pub mod ranking;
pub mod round;
pub mod waves;
