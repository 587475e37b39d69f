//! The people on the phones: what a helper does when rung (`HelperAction`, or at random
//! like people do: `random_helper`), the questions
//! the emulator asks (`Phones`), a scripted set of answers (`Script`), and what each person
//! hears and does (`Line`).

/// What a helper does when rung.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HelperAction {
    /// Picks up, hears the request, presses 1.
    Accept,
    /// Picks up, presses 2.
    Decline,
    /// Picks up, presses another key.
    Key(String),
    /// Picks up, presses 9 to hear the request again, then 1.
    AgainThenAccept,
    /// Picks up, needs a moment (presses nothing when first asked), then presses 1.
    SilentOnceThenAccept,
    /// Voicemail picks up, or the helper says nothing.
    Silent,
    /// Picks up and hangs up during the request.
    HangUp,
    /// Presses 1, hears the answer, then hangs up before being put through.
    AcceptThenHangUp,
    /// Presses 1 and hangs up at once, before the answer to the key: the provider's final
    /// status callback and the key's webhook race each other.
    AcceptAndHangUpAtOnce,
    NoAnswer,
    Busy,
    Failed,
}

/// What a helper does, like people do: about a third say yes.
pub fn random_helper(rng: &mut fastrand::Rng) -> HelperAction {
    match rng.u32(0..100) {
        0..=29 => HelperAction::Accept,
        30..=59 => HelperAction::Decline,
        60..=84 => HelperAction::NoAnswer,
        85..=94 => HelperAction::Silent,
        _ => HelperAction::Busy,
    }
}

/// The people on the phones: answers to what the emulator needs to know.
pub trait Phones: Send {
    /// The caller hears `heard` in a menu and presses keys, or `None` for nothing.
    fn caller_key(&mut self, heard: &[String]) -> Option<String>;
    fn helper(&mut self, number: &str) -> HelperAction;
    fn desk_answers(&mut self) -> bool;
    /// Seconds of message the caller leaves, or `None` for silence.
    fn message_seconds(&mut self) -> Option<u32>;
    /// The key the caller presses after their message to go on (`None`: they hang up).
    fn record_finish_key(&mut self) -> Option<String> {
        None
    }
    /// Whether the caller hangs up while the `ring`-th phone (1-based) is ringing.
    fn caller_hangs_up_while_ringing(&mut self, _ring: u32, _number: &str) -> bool {
        false
    }
    /// Everything that happens, as it happens.
    fn line(&mut self, _line: &Line) {}
    /// Waves: whether the caller hangs up in the `round`-th round of hold music (0: as
    /// soon as they are put on hold).
    fn caller_hangs_up_on_hold(&mut self, _round: u32) -> bool {
        false
    }
    /// Waves: what each helper does when the switchboard rings them itself (REST-created
    /// legs run apart from the caller, so they need the whole script up front).
    fn rest_helpers(&self) -> Option<std::collections::HashMap<String, HelperAction>> {
        None
    }
}

/// One thing that happened on the phones.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Line {
    CallerHears(String),
    CallerPresses(String),
    CallerSilent,
    Ringing {
        number: String,
    },
    HelperHears {
        number: String,
        text: String,
    },
    HelperPresses {
        number: String,
        key: String,
    },
    HelperSilent {
        number: String,
    },
    HelperHangsUp {
        number: String,
    },
    NotReached {
        number: String,
        status: String,
    },
    Connected {
        number: String,
    },
    DeskAnswers,
    CallerRecords {
        seconds: u32,
    },
    CallerHangsUp,
    CallEnded,
    /// Someone waits on a line that says nothing: a wait document ended without a
    /// `<Redirect>`, and Twilio does not fetch it again.
    Silence {
        number: String,
    },
    /// Waves: a helper was put into a conference nobody else is in.
    AloneInConference {
        number: String,
    },
    /// Call back later: `joining` (called by the switchboard) joined `waiting`.
    Joined {
        waiting: String,
        joining: String,
    },
    /// Waves: the switchboard's redirect (a REST update with `Url`) landed on this helper's
    /// call: what it was hearing stops, and the new document runs.
    HelperRedirected {
        number: String,
    },
}

impl std::fmt::Display for Line {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Line::CallerHears(t) => write!(f, "  caller hears:  {t}"),
            Line::CallerPresses(k) => write!(f, "  caller presses {k}"),
            Line::CallerSilent => write!(f, "  caller presses nothing"),
            Line::Ringing { number } => write!(f, "  ringing {number} ..."),
            Line::HelperHears { number, text } => write!(f, "    {number} hears: {text}"),
            Line::HelperPresses { number, key } => write!(f, "    {number} presses {key}"),
            Line::HelperSilent { number } => write!(f, "    {number} presses nothing"),
            Line::HelperHangsUp { number } => write!(f, "    {number} hangs up"),
            Line::NotReached { number, status } => write!(f, "    {number}: {status}"),
            Line::Connected { number } => write!(f, "  caller and {number} are talking"),
            Line::DeskAnswers => write!(f, "  the desk answers and talks with the caller"),
            Line::CallerRecords { seconds } => write!(f, "  caller leaves a message of {seconds} s and hangs up"),
            Line::CallerHangsUp => write!(f, "  caller hangs up"),
            Line::CallEnded => write!(f, "  (call ended)"),
            Line::AloneInConference { number } => write!(f, "    {number} is alone on an empty line"),
            Line::Silence { number } => write!(f, "    {number} waits in silence"),
            Line::Joined { waiting, joining } => write!(f, "  {joining} and {waiting} are talking"),
            Line::HelperRedirected { number } => write!(f, "    {number}'s call is redirected by the switchboard"),
        }
    }
}

/// Phones that follow a script: for the demo and the tests.
#[derive(Clone, Debug, Default)]
pub struct Script {
    /// Keys the caller presses at each menu, in order; `None` is silence. When the list
    /// runs out the caller presses nothing.
    pub caller_keys: std::collections::VecDeque<Option<String>>,
    /// What each helper number does; numbers not listed accept.
    pub helpers: std::collections::HashMap<String, HelperAction>,
    pub desk_answers: bool,
    pub message_seconds: Option<u32>,
    /// The key the caller presses after their message (`None`: they hang up after it).
    pub record_finish_key: Option<String>,
    /// The caller hangs up while this ring (1-based) is ringing.
    pub hang_up_at_ring: Option<u32>,
    /// Waves: the caller hangs up in this round of hold music (0: at once).
    pub hang_up_on_hold_round: Option<u32>,
    /// Print every line to standard output as it happens.
    pub print: bool,
}

impl Script {
    pub fn keys(keys: &[&str]) -> Script {
        Script { caller_keys: keys.iter().map(|k| Some(k.to_string())).collect(), ..Default::default() }
    }

    pub fn helper(mut self, number: &str, action: HelperAction) -> Script {
        self.helpers.insert(number.to_string(), action);
        self
    }
}

impl Phones for Script {
    fn caller_key(&mut self, _heard: &[String]) -> Option<String> {
        self.caller_keys.pop_front().flatten()
    }

    fn helper(&mut self, number: &str) -> HelperAction {
        self.helpers.get(number).cloned().unwrap_or(HelperAction::Accept)
    }

    fn desk_answers(&mut self) -> bool {
        self.desk_answers
    }

    fn message_seconds(&mut self) -> Option<u32> {
        self.message_seconds
    }

    fn record_finish_key(&mut self) -> Option<String> {
        self.record_finish_key.clone()
    }

    fn caller_hangs_up_while_ringing(&mut self, ring: u32, _number: &str) -> bool {
        self.hang_up_at_ring == Some(ring)
    }

    fn caller_hangs_up_on_hold(&mut self, round: u32) -> bool {
        self.hang_up_on_hold_round == Some(round)
    }

    fn rest_helpers(&self) -> Option<std::collections::HashMap<String, HelperAction>> {
        Some(self.helpers.clone())
    }

    fn line(&mut self, line: &Line) {
        if self.print {
            println!("{line}");
        }
    }
}
