//! The command line as clap parses it: every command, flag, default and help text.
//!
//! Raw arguments only. Checking them, reading the environment and doing the work happen
//! in the command files beside this one; `serve`'s flags become a `ServeSettings` there.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Parser)]
#[command(name = "burenlijn", version, about = "A telephone-first neighbour-help switchboard")]
pub struct Cli {
    /// The install's settings file (`db`, `dialplans`, `prompts`); a flag or its environment
    /// variable goes before it [default: /etc/burenlijn/burenlijn.toml when it exists]
    #[arg(long, global = true, env = "BURENLIJN_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Clone)]
pub struct DbArg {
    /// The SQLite database file [default: `db` in the settings file, else burenlijn.db]
    #[arg(long, env = "BURENLIJN_DB")]
    pub db: Option<PathBuf>,
}

/// `--show-numbers`, on every command that prints phone numbers.
#[derive(Args, Clone, Copy)]
pub struct NumbersArg {
    /// Print phone numbers in full, for a coordinator who must call someone [default:
    /// masked, like +316******78]
    #[arg(long)]
    pub show_numbers: bool,
}

#[derive(Args, Clone)]
pub struct PlansArgs {
    /// Folder with one dialplan (*.toml) per phone number [default: `dialplans` in the
    /// settings file, else the embedded example]
    #[arg(long, env = "BURENLIJN_DIALPLANS")]
    pub dialplans: Option<PathBuf>,
    /// Folder with the prompt files (nl.toml, en.toml, audio/) [default: `prompts` in the
    /// settings file, else the embedded prompts]
    #[arg(long, env = "BURENLIJN_PROMPTS")]
    pub prompts: Option<PathBuf>,
}

#[derive(Subcommand)]
pub enum Command {
    /// Run the switchboard: Twilio webhooks under /twilio/
    Serve(ServeArgs),
    /// Run one complete example call and print what everyone hears
    Demo(DemoArgs),
    /// Play a call in the terminal: you are the caller and every helper
    Simulate(SimulateArgs),
    /// Dialplans
    Dialplan {
        #[command(subcommand)]
        command: DialplanCommand,
    },
    /// The register of participants
    Participants {
        #[command(subcommand)]
        command: ParticipantsCommand,
    },
    /// Desk accounts (the web pages under /desk/)
    Desk {
        #[command(subcommand)]
        command: DeskCommand,
    },
    /// Copy the database to FILE with SQLite's online backup (safe while serving)
    Backup(BackupArgs),
    /// Remove numbers, names and recordings from calls older than N months (counts stay)
    Anonymise(AnonymiseArgs),
    /// Benchmarks that print figures
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
    /// The call log, newest first
    Calls(CallsArgs),
    /// Call-back requests: still open (a resident waits for a neighbour), or a new one
    #[command(alias = "requests")]
    Callbacks(CallbacksArgs),
    /// The good-morning round: residents called every morning, their contacts alerted when
    /// they do not answer (a daily reassurance call, not an emergency service: 112)
    #[command(alias = "checkins")]
    Round {
        #[command(subcommand)]
        command: RoundCommand,
    },
    /// Help for later: a request for a later day and hour; neighbours are asked ahead, one
    /// at a time, and the requester is called back with who comes
    #[command(alias = "later")]
    Planned {
        #[command(subcommand)]
        command: PlannedCommand,
    },
}

#[derive(Subcommand)]
pub enum PlannedCommand {
    /// Take a request for later (a kind of help the dialplan marks `later = true`)
    Add {
        /// The requester's phone (a registered participant)
        #[arg(long)]
        from: String,
        /// The kind of help, as in the dialplan (e.g. transport)
        #[arg(long)]
        kind: String,
        /// The day and hour of the help, in the neighbourhood's time zone: "2026-12-08 10:00"
        #[arg(long)]
        at: String,
        /// A short note for the desk (never spoken)
        #[arg(long)]
        note: Option<String>,
        /// The neighbourhood (a dialplan's file name without .toml) [default: theirs]
        #[arg(long)]
        neighbourhood: Option<String>,
        #[command(flatten)]
        db: DbArg,
        #[command(flatten)]
        plans: PlansArgs,
    },
    /// Every request for later, the soonest first, with the calls made for it
    List {
        /// Print a JSON array instead of a table
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        db: DbArg,
    },
    /// Cancel a request (as the desk): the requester and the helper are told by phone
    Cancel {
        id: i64,
        #[command(flatten)]
        db: DbArg,
    },
    /// A match the desk made by hand: this participant helps; the requester is told by phone
    Assign {
        id: i64,
        /// The helper's phone (a registered participant of the request's neighbourhood)
        #[arg(long)]
        helper: String,
        #[command(flatten)]
        db: DbArg,
    },
}

#[derive(Subcommand)]
pub enum RoundCommand {
    /// Enrol a registered participant (or change their enrolment)
    Add {
        /// The resident's phone (a registered participant)
        phone: String,
        /// Their time, in the neighbourhood's time zone (inside the ringing hours)
        #[arg(long)]
        at: String,
        /// The days, as availability names them without hours: ma-vr, ma,wo,vr, mon-fri
        #[arg(long)]
        days: String,
        /// Who is called when they do not answer, in this order: a participant or any
        /// number (a relative); give it once per contact
        #[arg(long = "contact", required = true)]
        contacts: Vec<String>,
        /// The neighbourhood (a dialplan's file name without .toml) [default: theirs]
        #[arg(long)]
        neighbourhood: Option<String>,
        /// Tries before the contacts are called
        #[arg(long, default_value_t = crate::domain::round::DEFAULT_TRIES)]
        tries: u32,
        /// Minutes between two tries
        #[arg(long, default_value_t = crate::domain::round::DEFAULT_RETRY_MINUTES)]
        retry_minutes: u32,
        #[command(flatten)]
        db: DbArg,
        #[command(flatten)]
        plans: PlansArgs,
    },
    /// Everyone in the round
    List {
        /// Print a JSON array instead of a table
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        db: DbArg,
        #[command(flatten)]
        numbers: NumbersArg,
    },
    /// Take a resident out of the round (their log stays)
    Remove {
        phone: String,
        #[command(flatten)]
        db: DbArg,
        #[command(flatten)]
        numbers: NumbersArg,
    },
    /// Every call the round made, newest first: resident, time, try, result, who confirmed
    Log {
        /// Print a JSON array instead of a table
        #[arg(long)]
        json: bool,
        /// Only this resident's
        #[arg(long)]
        phone: Option<String>,
        /// At most this many
        #[arg(long, default_value_t = 200)]
        limit: u32,
        #[command(flatten)]
        db: DbArg,
        #[command(flatten)]
        numbers: NumbersArg,
    },
}

#[derive(Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub db: DbArg,
    #[command(flatten)]
    pub plans: PlansArgs,
    /// Address to listen on
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// The public URL Twilio calls, e.g. https://burenlijn.example.nl (used to check signatures)
    #[arg(long)]
    pub public_url: String,
    /// Accept webhooks without a valid X-Twilio-Signature. Only for local experiments
    #[arg(long)]
    pub insecure_skip_signature: bool,
    /// Anonymise call details older than this many months, daily (0: keep everything)
    #[arg(long, default_value_t = 24)]
    pub retention_months: u32,
    /// Webhooks with a wrong signature a second from one source before 429 (every webhook
    /// with --insecure-skip-signature; 0: no limit)
    #[arg(long, default_value_t = 50)]
    pub rate_per_source: u32,
    /// When a commit is on disk: `full` before it is answered (a power cut loses nothing
    /// answered), `normal` soon after (a crash of the machine may lose the last commits)
    #[arg(long, value_enum, default_value_t = Synchronous::Full)]
    pub synchronous: Synchronous,
    /// Waves: outbound calls to helpers placed per second, at most (Twilio's default account limit is 1)
    #[arg(long, default_value_t = 1.0)]
    pub calls_per_second: f64,
    /// Waves: the FallbackUrl of every call the switchboard makes, a hosted copy of
    /// deploy/fallback-created-call.xml on another server (Twilio asks for it when a webhook fails)
    #[arg(long, env = "BURENLIJN_CREATED_CALL_FALLBACK_URL")]
    pub created_call_fallback_url: Option<String>,
    /// A reverse proxy in front of this service (an address or a network, e.g. 127.0.0.1
    /// for Caddy on the same machine): its X-Forwarded-For names the client, for the desk's
    /// login slow-down. Repeat it for several; the header of anyone else is ignored
    #[arg(long = "trusted-proxy", env = "BURENLIJN_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<String>,
    /// Connections open at once, at most (kept below the open-file limit)
    #[arg(long, default_value_t = 2048)]
    pub max_connections: usize,
    /// Seconds a connection may take to send a request's headers before it is closed
    #[arg(long, default_value_t = 5)]
    pub header_read_timeout: u64,
}

#[derive(Args)]
pub struct DemoArgs {
    /// Keep the demo's database in this file [default: a temporary file]
    #[arg(long)]
    pub db: Option<PathBuf>,
    /// Ring in waves: the caller waits on hold while as many neighbours as make a yes likely are rung
    /// through the provider's REST API (emulated on this machine)
    #[arg(long)]
    pub waves: bool,
    /// Issue 27: Anja, on the slow line, calls and presses nothing (docs/phone.md)
    #[arg(long, conflicts_with = "waves")]
    pub slow_line: bool,
}

#[derive(Args)]
pub struct SimulateArgs {
    /// Keep the database in this file [default: a temporary file]
    #[arg(long)]
    pub db: Option<PathBuf>,
    #[command(flatten)]
    pub plans: PlansArgs,
    /// Participants CSV to load when the database has none [default: the example participants]
    #[arg(long)]
    pub participants: Option<PathBuf>,
    /// The caller's number (or "anonymous")
    #[arg(long, default_value = "+31201234567")]
    pub from: String,
    /// The number called [default: the first dialplan's]
    #[arg(long)]
    pub to: Option<String>,
}

#[derive(Args)]
pub struct BackupArgs {
    pub file: PathBuf,
    #[command(flatten)]
    pub db: DbArg,
}

#[derive(Args)]
pub struct AnonymiseArgs {
    #[arg(long)]
    pub older_than_months: u32,
    #[command(flatten)]
    pub db: DbArg,
}

#[derive(Args)]
pub struct CallsArgs {
    #[command(flatten)]
    pub db: DbArg,
    #[command(flatten)]
    pub numbers: NumbersArg,
    /// Print a JSON array instead of a table
    #[arg(long)]
    pub json: bool,
    /// At most this many calls
    #[arg(long, default_value_t = 100)]
    pub limit: u32,
    /// Time zone for the table's times
    #[arg(long, default_value = "Europe/Amsterdam")]
    pub tz: String,
    /// Only the calls on this neighbourhood's number (a dialplan's file name without .toml)
    #[arg(long)]
    pub neighbourhood: Option<String>,
    #[command(flatten)]
    pub plans: PlansArgs,
}

#[derive(Args)]
pub struct CallbacksArgs {
    #[command(subcommand)]
    pub command: Option<CallbacksCommand>,
    #[command(flatten)]
    pub db: DbArg,
    /// Also the requests that are over (connected, unanswered, expired)
    #[arg(long)]
    pub all: bool,
    #[command(flatten)]
    pub numbers: NumbersArg,
}

#[derive(Subcommand)]
pub enum CallbacksCommand {
    /// The desk starts the search for a request it took itself: neighbours are rung (in
    /// ringing hours) and the resident is called back when one says yes
    New(NewCallbackArgs),
}

#[derive(Args)]
pub struct NewCallbackArgs {
    /// The resident's phone
    #[arg(long)]
    pub phone: String,
    /// The kind of help, as in the dialplan (e.g. shopping)
    #[arg(long)]
    pub category: String,
    /// The switchboard number whose dialplan to use [default: the only one]
    #[arg(long)]
    pub number: Option<String>,
    #[command(flatten)]
    pub db: DbArg,
    #[command(flatten)]
    pub plans: PlansArgs,
    #[command(flatten)]
    pub numbers: NumbersArg,
}

#[derive(Subcommand)]
pub enum DeskCommand {
    /// Add a desk account; asks for the password (or reads one line from standard input)
    AddUser {
        name: String,
        /// desk: calls, follow-up, participants, figures; coordinator: also users, erasing, audit log
        #[arg(long, default_value = "desk")]
        role: String,
        /// Limit the account to this neighbourhood (repeatable) [default: it sees all of them]
        #[arg(long = "neighbourhood")]
        neighbourhoods: Vec<String>,
        #[command(flatten)]
        db: DbArg,
        #[command(flatten)]
        plans: PlansArgs,
    },
    /// Set a new password for an account (ends its sessions)
    Passwd {
        name: String,
        #[command(flatten)]
        db: DbArg,
    },
    /// List the desk accounts
    Users {
        #[command(flatten)]
        db: DbArg,
    },
    /// Turn a disabled account back on
    Enable {
        name: String,
        #[command(flatten)]
        db: DbArg,
    },
}

#[derive(Subcommand)]
pub enum BenchCommand {
    /// Complete calls against the real server, and a bare axum baseline, in one run
    Load {
        /// Complete calls to play
        #[arg(long, default_value_t = 2000)]
        calls: usize,
        /// Calls in progress at the same time
        #[arg(long, default_value_t = 200)]
        concurrency: usize,
        /// Size of the generated neighbourhood
        #[arg(long, default_value_t = 3000)]
        participants: usize,
        /// Neighbourhoods on the install: one dialplan each, the participants shared out
        /// among them, the calls too
        #[arg(long, default_value_t = 1)]
        neighbourhoods: usize,
        #[arg(long, default_value_t = 7)]
        seed: u64,
        /// Real milliseconds before each webhook of a call, like people speaking and phones
        /// ringing; 0 sends them back to back (a saturation test)
        #[arg(long, default_value_t = 0)]
        pace_ms: u64,
        /// The served database's `--synchronous`
        #[arg(long, value_enum, default_value_t = Synchronous::Full)]
        synchronous: Synchronous,
        /// Print one JSON object instead of a table
        #[arg(long)]
        json: bool,
    },
    /// Time until yes: ringing strategies compared on a simulated neighbourhood
    Match {
        /// Simulated months
        #[arg(long, default_value_t = 60)]
        months: u32,
        #[arg(long, default_value_t = 7)]
        seed: u64,
        #[arg(long, default_value_t = 540)]
        households: usize,
        #[arg(long, default_value_t = 84)]
        helpers: usize,
        /// Requests a year (about 139 matches a year at Anna Zorgt)
        #[arg(long, default_value_t = 165.0)]
        requests_per_year: f64,
        /// Also write a bar chart of the waits to this SVG file
        #[arg(long)]
        svg: Option<PathBuf>,
        /// Print one JSON object instead of a table
        #[arg(long)]
        json: bool,
    },
    /// The desk's pages on a big call log (a million calls by default)
    Desk {
        #[arg(long, default_value_t = 1_000_000)]
        calls: usize,
        #[arg(long, default_value_t = 3000)]
        participants: usize,
        /// The calls are spread over this many months
        #[arg(long, default_value_t = 36)]
        months: u32,
        /// Timed requests per page (after a first, untimed-for-p99 one)
        #[arg(long, default_value_t = 20)]
        requests: usize,
        #[arg(long, default_value_t = 7)]
        seed: u64,
        /// Keep the generated database in this (new) file
        #[arg(long)]
        db: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// The crash harness: calls while the server is killed and restarted; nothing may be lost
    Crash {
        #[arg(long, default_value_t = 300)]
        calls: usize,
        #[arg(long, default_value_t = 20)]
        concurrency: usize,
        /// How often the server is killed with SIGKILL
        #[arg(long, default_value_t = 20)]
        kills: usize,
        #[arg(long, default_value_t = 7)]
        seed: u64,
        /// Ring in waves: helpers' calls placed through the (emulated) REST API
        #[arg(long)]
        waves: bool,
        /// A provider kinder than Twilio: webhooks that cannot connect or answer 5xx are
        /// tried again for this many seconds (0: Twilio's documented model, no retries)
        #[arg(long, default_value_t = 0)]
        kinder_retries: u64,
        /// For each match stored that the phones did not have: what the phones did, and
        /// what the database holds for it (on stderr)
        #[arg(long)]
        explain: bool,
        /// The served database's `--synchronous`
        #[arg(long, value_enum, default_value_t = Synchronous::Full)]
        synchronous: Synchronous,
        /// Whose wire and retry model: `twilio` or `vonage` (with or without `--waves`)
        #[arg(long, default_value = "twilio")]
        provider: String,
        #[arg(long)]
        json: bool,
    },
    /// The bare baseline server that `bench load` starts
    #[command(hide = true)]
    BaselineServer {
        #[arg(long)]
        listen: SocketAddr,
    },
}

#[derive(Subcommand)]
pub enum DialplanCommand {
    /// Check a dialplan and its prompts; every problem with its line and field
    Check {
        file: PathBuf,
        /// Folder with the prompt files [default: `prompts` in the settings file, else the
        /// embedded prompts]
        #[arg(long, env = "BURENLIJN_PROMPTS")]
        prompts: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
pub enum ParticipantsCommand {
    /// Import a CSV (name,phone,offers,available,street,postcode,distance[,neighbourhoods][,language]); all or nothing
    Import {
        file: PathBuf,
        /// Put rows without a `neighbourhoods` field in this neighbourhood (a dialplan's file
        /// name without .toml) [default: the only one, when there is one]
        #[arg(long)]
        neighbourhood: Option<String>,
        #[command(flatten)]
        db: DbArg,
        #[command(flatten)]
        plans: PlansArgs,
    },
    /// Put everyone who belongs to no neighbourhood in one (for a database from before
    /// neighbourhoods, on an install with several)
    Assign {
        #[arg(long)]
        neighbourhood: String,
        #[command(flatten)]
        db: DbArg,
        #[command(flatten)]
        plans: PlansArgs,
    },
    /// Write all participants as CSV in the import format (numbers in full: it is the register
    /// itself, to import again; keep the file as safe as the database)
    Export {
        #[command(flatten)]
        db: DbArg,
    },
    /// List all participants
    List {
        #[command(flatten)]
        db: DbArg,
        #[command(flatten)]
        numbers: NumbersArg,
    },
    /// Add a participant, or update the one with the same phone number
    Add(AddParticipantArgs),
    /// Stop ringing someone for a while
    Pause {
        phone: String,
        #[command(flatten)]
        db: DbArg,
        /// The pause ends on this date (YYYY-MM-DD) [default: until resumed]
        #[arg(long)]
        until: Option<jiff::civil::Date>,
        #[command(flatten)]
        numbers: NumbersArg,
    },
    /// Ring someone again
    Resume {
        phone: String,
        #[command(flatten)]
        db: DbArg,
        #[command(flatten)]
        numbers: NumbersArg,
    },
}

#[derive(Args)]
pub struct AddParticipantArgs {
    #[command(flatten)]
    pub db: DbArg,
    #[command(flatten)]
    pub plans: PlansArgs,
    #[command(flatten)]
    pub numbers: NumbersArg,
    #[arg(long)]
    pub name: String,
    #[arg(long)]
    pub phone: String,
    /// The neighbourhood they belong to (repeatable) [default: the only one, when there is one]
    #[arg(long = "neighbourhood")]
    pub neighbourhoods: Vec<String>,
    /// Categories, separated by ';' (e.g. "shopping;transport"); empty for someone who only asks
    #[arg(long, default_value = "")]
    pub offers: String,
    /// When they may be rung, e.g. "mon-fri 09:00-17:00; sat 10:00-12:00" [default: whenever the dialplan rings]
    #[arg(long, default_value = "")]
    pub available: String,
    #[arg(long, default_value = "")]
    pub street: String,
    #[arg(long, default_value = "")]
    pub postcode: String,
    /// any, near, or not-own-street
    #[arg(long, default_value = "any")]
    pub distance: String,
    /// The language they hear as caller and as helper: nl, en or tr (a prompt file's name) [default: the neighbourhood's]
    #[arg(long, default_value = "")]
    pub language: String,
}

/// `--synchronous`: SQLite's `synchronous` setting for the service's database.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Synchronous {
    Full,
    Normal,
}

impl Synchronous {
    pub fn durability(self) -> crate::switchboard::Durability {
        match self {
            Synchronous::Full => crate::switchboard::Durability::Full,
            Synchronous::Normal => crate::switchboard::Durability::Normal,
        }
    }
}
