//! Burenlijn: a telephone-first neighbour-help switchboard.
//!
//! Reading order: `domain` (the pure core), `provider` (Twilio's wire formats),
//! `store` (SQLite), `web` (the HTTP service), `cli` (commands).

pub mod bench;
pub mod cli;
pub mod clock;
pub mod config;
pub mod csv_cell;
pub mod domain;
pub mod provider;
pub mod registry;
pub mod sim;
pub mod store;
pub mod switchboard;
pub mod web;
