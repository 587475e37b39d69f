//! The audit log's vocabulary: every action written to `audit_log`, each stored as one word
//! (`AuditKind::as_str`, read back with `AuditKind::parse`), and the shape of its detail
//! (`AuditAction`, written with `detail` and read back with `Recorded::read`). The desk
//! words them in Dutch and English in `web::desk::text`. Pure.

use jiff::civil::Date;

use super::desk::{FollowUpResult, Role};
use super::own::Change;

/// Which action an audit entry records: the word stored in `audit_log.action`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AuditKind {
    Login,
    ChangedOwnPassword,
    ViewedCall,
    PlayedVoicemail,
    ViewedFollowUps,
    PrintedFollowUps,
    PrintedPlanned,
    ClosedFollowUp,
    NotReachedOnCallBack,
    AssignedFollowUp,
    ReopenedFollowUp,
    TookCallBackRequest,
    StartedCallBackSearch,
    StoppedCallBackSearch,
    AddedParticipant,
    ViewedParticipant,
    ChangedParticipant,
    PausedParticipant,
    ResumedParticipant,
    SetDoNotPair,
    RemovedDoNotPair,
    AddedNote,
    ErasedParticipant,
    ExportedParticipants,
    ImportedParticipants,
    AddedUser,
    MadeCoordinator,
    MadeDesk,
    DisabledUser,
    EnabledUser,
    SetPassword,
    SetNeighbourhoods,
    PausedForAWeekByPhone,
    PausedUntilFurtherNoticeByPhone,
    ResumedByPhone,
    RoundPausedByPhone,
    RoundResumedByPhone,
    RoundResumedCalledTheLine,
    EnrolledInRound,
    ChangedRound,
    RemovedFromRound,
    SetDeskOnly,
    MarkedExperienced,
    AddedPlannedRequest,
    CancelledPlannedRequest,
    AssignedPlannedRequest,
}

impl AuditKind {
    pub const ALL: [AuditKind; 46] = [
        AuditKind::Login,
        AuditKind::ChangedOwnPassword,
        AuditKind::ViewedCall,
        AuditKind::PlayedVoicemail,
        AuditKind::ViewedFollowUps,
        AuditKind::PrintedFollowUps,
        AuditKind::PrintedPlanned,
        AuditKind::ClosedFollowUp,
        AuditKind::NotReachedOnCallBack,
        AuditKind::AssignedFollowUp,
        AuditKind::ReopenedFollowUp,
        AuditKind::TookCallBackRequest,
        AuditKind::StartedCallBackSearch,
        AuditKind::StoppedCallBackSearch,
        AuditKind::AddedParticipant,
        AuditKind::ViewedParticipant,
        AuditKind::ChangedParticipant,
        AuditKind::PausedParticipant,
        AuditKind::ResumedParticipant,
        AuditKind::SetDoNotPair,
        AuditKind::RemovedDoNotPair,
        AuditKind::AddedNote,
        AuditKind::ErasedParticipant,
        AuditKind::ExportedParticipants,
        AuditKind::ImportedParticipants,
        AuditKind::AddedUser,
        AuditKind::MadeCoordinator,
        AuditKind::MadeDesk,
        AuditKind::DisabledUser,
        AuditKind::EnabledUser,
        AuditKind::SetPassword,
        AuditKind::SetNeighbourhoods,
        AuditKind::PausedForAWeekByPhone,
        AuditKind::PausedUntilFurtherNoticeByPhone,
        AuditKind::ResumedByPhone,
        AuditKind::RoundPausedByPhone,
        AuditKind::RoundResumedByPhone,
        AuditKind::RoundResumedCalledTheLine,
        AuditKind::EnrolledInRound,
        AuditKind::ChangedRound,
        AuditKind::RemovedFromRound,
        AuditKind::SetDeskOnly,
        AuditKind::MarkedExperienced,
        AuditKind::AddedPlannedRequest,
        AuditKind::CancelledPlannedRequest,
        AuditKind::AssignedPlannedRequest,
    ];

    /// The stored word (as the log has always been written: old rows still read).
    pub fn as_str(self) -> &'static str {
        match self {
            AuditKind::Login => "login",
            AuditKind::ChangedOwnPassword => "changed own password",
            AuditKind::ViewedCall => "viewed call",
            AuditKind::PlayedVoicemail => "played voicemail",
            AuditKind::ViewedFollowUps => "viewed follow-ups",
            AuditKind::PrintedFollowUps => "printed follow-ups",
            AuditKind::PrintedPlanned => "printed planned help",
            AuditKind::ClosedFollowUp => "closed follow-up",
            AuditKind::NotReachedOnCallBack => "not reached on call back",
            AuditKind::AssignedFollowUp => "assigned follow-up",
            AuditKind::ReopenedFollowUp => "reopened follow-up",
            AuditKind::TookCallBackRequest => "took a call-back request",
            AuditKind::StartedCallBackSearch => "started a call-back search",
            AuditKind::StoppedCallBackSearch => "stopped a call-back search",
            AuditKind::AddedParticipant => "added participant",
            AuditKind::ViewedParticipant => "viewed participant",
            AuditKind::ChangedParticipant => "changed participant",
            AuditKind::PausedParticipant => "paused participant",
            AuditKind::ResumedParticipant => "resumed participant",
            AuditKind::SetDoNotPair => "set do-not-pair",
            AuditKind::RemovedDoNotPair => "removed do-not-pair",
            AuditKind::AddedNote => "added note",
            AuditKind::ErasedParticipant => "erased participant",
            AuditKind::ExportedParticipants => "exported participants",
            AuditKind::ImportedParticipants => "imported participants",
            AuditKind::AddedUser => "added user",
            AuditKind::MadeCoordinator => "made coordinator",
            AuditKind::MadeDesk => "made desk",
            AuditKind::DisabledUser => "disabled user",
            AuditKind::EnabledUser => "enabled user",
            AuditKind::SetPassword => "set password",
            AuditKind::SetNeighbourhoods => "set neighbourhoods",
            AuditKind::PausedForAWeekByPhone => "paused for a week by phone",
            AuditKind::PausedUntilFurtherNoticeByPhone => "paused until further notice by phone",
            AuditKind::ResumedByPhone => "resumed by phone",
            AuditKind::RoundPausedByPhone => "good-morning round paused by phone",
            AuditKind::RoundResumedByPhone => "good-morning round resumed by phone",
            AuditKind::RoundResumedCalledTheLine => "good-morning round resumed: called the line",
            AuditKind::EnrolledInRound => "enrolled in the good-morning round",
            AuditKind::SetDeskOnly => "set desk only",
            AuditKind::MarkedExperienced => "marked experienced",
            AuditKind::AddedPlannedRequest => "took a request for later",
            AuditKind::CancelledPlannedRequest => "cancelled a request for later",
            AuditKind::AssignedPlannedRequest => "matched a request for later by hand",
            AuditKind::ChangedRound => "changed the good-morning round",
            AuditKind::RemovedFromRound => "removed from the good-morning round",
        }
    }

    pub fn parse(s: &str) -> Option<AuditKind> {
        AuditKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Reading rather than changing: such entries fold into one line per person,
    /// participant and day on the audit page.
    pub fn is_reading(self) -> bool {
        matches!(
            self,
            AuditKind::ViewedCall
                | AuditKind::ViewedFollowUps
                | AuditKind::ViewedParticipant
                | AuditKind::PlayedVoicemail
                | AuditKind::PrintedFollowUps
                | AuditKind::PrintedPlanned
        )
    }
}

/// Which neighbourhoods a desk account sees: all, or these (by key).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reach(pub Vec<String>);

impl Reach {
    pub fn is_all(&self) -> bool {
        self.0.is_empty()
    }

    /// As stored: `all`, or the keys joined by `;`.
    pub fn as_stored(&self) -> String {
        if self.is_all() {
            "all".to_string()
        } else {
            self.0.join(";")
        }
    }

    fn read(s: &str) -> Option<Reach> {
        if s == "all" {
            return Some(Reach(Vec::new()));
        }
        let keys: Vec<String> = s.split(';').map(str::to_string).collect();
        (!keys.iter().any(|k| k.is_empty() || k.contains(' '))).then_some(Reach(keys))
    }
}

/// A resident's place in the good-morning round as enrolled: the time, the days, how many
/// contacts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Enrolment {
    /// The time of day as it was entered (`09:00`).
    pub at: String,
    /// Monday = bit 0.
    pub days: u8,
    pub contacts: usize,
}

/// The day names the detail is stored with.
const STORED_DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// What changed in someone's good-morning round.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RoundChange {
    Enrolment(Enrolment),
    /// Days away, first and last; `None`: no longer away.
    Away(Option<(Date, Date)>),
    /// Paused until they call again.
    Paused,
    Resumed,
}

/// What an audit entry records, with its detail in the shape it has.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuditAction {
    Login,
    ChangedOwnPassword,
    ViewedCall {
        sid: String,
    },
    PlayedVoicemail {
        sid: String,
    },
    ViewedFollowUps {
        open: usize,
    },
    PrintedFollowUps {
        people: usize,
    },
    /// Help for later (issue 28): the day list for the drivers, with their requests.
    PrintedPlanned {
        requests: usize,
    },
    ClosedFollowUp {
        id: i64,
        result: FollowUpResult,
    },
    NotReachedOnCallBack {
        id: i64,
        try_again_on: Date,
    },
    /// To a desk account by name, or to nobody.
    AssignedFollowUp {
        id: i64,
        to: Option<String>,
    },
    ReopenedFollowUp {
        id: i64,
    },
    TookCallBackRequest {
        request: i64,
    },
    StartedCallBackSearch {
        request: i64,
        follow_up: i64,
    },
    /// From the request's own page, or from a follow-up's.
    StoppedCallBackSearch {
        from: StoppedFrom,
    },
    AddedParticipant,
    ViewedParticipant,
    ChangedParticipant,
    PausedParticipant {
        until: Option<Date>,
    },
    ResumedParticipant,
    SetDoNotPair {
        other: i64,
    },
    RemovedDoNotPair {
        other: i64,
    },
    AddedNote,
    ErasedParticipant,
    ExportedParticipants,
    ImportedParticipants {
        added: usize,
        updated: usize,
    },
    AddedUser {
        name: String,
        role: Role,
        reach: Reach,
    },
    MadeCoordinator {
        name: String,
    },
    MadeDesk {
        name: String,
    },
    DisabledUser {
        name: String,
    },
    EnabledUser {
        name: String,
    },
    SetPassword {
        name: String,
    },
    SetNeighbourhoods {
        name: String,
        reach: Reach,
    },
    /// The first day they are rung again.
    PausedForAWeekByPhone {
        back_on: Date,
    },
    PausedUntilFurtherNoticeByPhone,
    ResumedByPhone,
    RoundPausedByPhone,
    RoundResumedByPhone,
    RoundResumedCalledTheLine,
    EnrolledInRound(Enrolment),
    ChangedRound(RoundChange),
    RemovedFromRound,
    /// Issue 27: their requests go to the desk (or no longer).
    SetDeskOnly {
        desk_only: bool,
    },
    /// Issue 27: the kinds of help the desk marked them as experienced in (all of them).
    MarkedExperienced {
        kinds: Vec<String>,
    },
    /// Issue 28: help for later, taken by the desk (or the command line).
    AddedPlannedRequest {
        id: i64,
    },
    CancelledPlannedRequest {
        id: i64,
    },
    /// A match the desk made by hand: request `id`, helped by participant `helper`.
    AssignedPlannedRequest {
        id: i64,
        helper: i64,
    },
}

/// Where a call-back search was stopped from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoppedFrom {
    Request(i64),
    FollowUp(i64),
}

impl AuditAction {
    /// The entry for a change a participant made to their own availability by phone.
    pub fn by_phone(change: Change) -> AuditAction {
        match change {
            Change::PauseUntil { back_on } => AuditAction::PausedForAWeekByPhone { back_on },
            Change::PauseUntilFurtherNotice => AuditAction::PausedUntilFurtherNoticeByPhone,
            Change::Resume => AuditAction::ResumedByPhone,
            Change::RoundPause => AuditAction::RoundPausedByPhone,
            Change::RoundResume => AuditAction::RoundResumedByPhone,
            // Issue 27: the slow line and a resident's say.
            Change::SlowLine(_) | Change::HelpersFrom(_) | Change::Street(_) => AuditAction::ChangedParticipant,
        }
    }

    pub fn kind(&self) -> AuditKind {
        match self {
            AuditAction::Login => AuditKind::Login,
            AuditAction::ChangedOwnPassword => AuditKind::ChangedOwnPassword,
            AuditAction::ViewedCall { .. } => AuditKind::ViewedCall,
            AuditAction::PlayedVoicemail { .. } => AuditKind::PlayedVoicemail,
            AuditAction::ViewedFollowUps { .. } => AuditKind::ViewedFollowUps,
            AuditAction::PrintedFollowUps { .. } => AuditKind::PrintedFollowUps,
            AuditAction::PrintedPlanned { .. } => AuditKind::PrintedPlanned,
            AuditAction::ClosedFollowUp { .. } => AuditKind::ClosedFollowUp,
            AuditAction::NotReachedOnCallBack { .. } => AuditKind::NotReachedOnCallBack,
            AuditAction::AssignedFollowUp { .. } => AuditKind::AssignedFollowUp,
            AuditAction::ReopenedFollowUp { .. } => AuditKind::ReopenedFollowUp,
            AuditAction::TookCallBackRequest { .. } => AuditKind::TookCallBackRequest,
            AuditAction::StartedCallBackSearch { .. } => AuditKind::StartedCallBackSearch,
            AuditAction::StoppedCallBackSearch { .. } => AuditKind::StoppedCallBackSearch,
            AuditAction::AddedParticipant => AuditKind::AddedParticipant,
            AuditAction::ViewedParticipant => AuditKind::ViewedParticipant,
            AuditAction::ChangedParticipant => AuditKind::ChangedParticipant,
            AuditAction::PausedParticipant { .. } => AuditKind::PausedParticipant,
            AuditAction::ResumedParticipant => AuditKind::ResumedParticipant,
            AuditAction::SetDoNotPair { .. } => AuditKind::SetDoNotPair,
            AuditAction::RemovedDoNotPair { .. } => AuditKind::RemovedDoNotPair,
            AuditAction::AddedNote => AuditKind::AddedNote,
            AuditAction::ErasedParticipant => AuditKind::ErasedParticipant,
            AuditAction::ExportedParticipants => AuditKind::ExportedParticipants,
            AuditAction::ImportedParticipants { .. } => AuditKind::ImportedParticipants,
            AuditAction::AddedUser { .. } => AuditKind::AddedUser,
            AuditAction::MadeCoordinator { .. } => AuditKind::MadeCoordinator,
            AuditAction::MadeDesk { .. } => AuditKind::MadeDesk,
            AuditAction::DisabledUser { .. } => AuditKind::DisabledUser,
            AuditAction::EnabledUser { .. } => AuditKind::EnabledUser,
            AuditAction::SetPassword { .. } => AuditKind::SetPassword,
            AuditAction::SetNeighbourhoods { .. } => AuditKind::SetNeighbourhoods,
            AuditAction::PausedForAWeekByPhone { .. } => AuditKind::PausedForAWeekByPhone,
            AuditAction::PausedUntilFurtherNoticeByPhone => AuditKind::PausedUntilFurtherNoticeByPhone,
            AuditAction::ResumedByPhone => AuditKind::ResumedByPhone,
            AuditAction::RoundPausedByPhone => AuditKind::RoundPausedByPhone,
            AuditAction::RoundResumedByPhone => AuditKind::RoundResumedByPhone,
            AuditAction::RoundResumedCalledTheLine => AuditKind::RoundResumedCalledTheLine,
            AuditAction::EnrolledInRound(_) => AuditKind::EnrolledInRound,
            AuditAction::ChangedRound(_) => AuditKind::ChangedRound,
            AuditAction::RemovedFromRound => AuditKind::RemovedFromRound,
            AuditAction::SetDeskOnly { .. } => AuditKind::SetDeskOnly,
            AuditAction::MarkedExperienced { .. } => AuditKind::MarkedExperienced,
            AuditAction::AddedPlannedRequest { .. } => AuditKind::AddedPlannedRequest,
            AuditAction::CancelledPlannedRequest { .. } => AuditKind::CancelledPlannedRequest,
            AuditAction::AssignedPlannedRequest { .. } => AuditKind::AssignedPlannedRequest,
        }
    }

    /// The stored word.
    pub fn as_str(&self) -> &'static str {
        self.kind().as_str()
    }

    /// The detail as stored (in English, in the shape the log has always had).
    pub fn detail(&self) -> String {
        match self {
            AuditAction::Login
            | AuditAction::ChangedOwnPassword
            | AuditAction::AddedParticipant
            | AuditAction::ViewedParticipant
            | AuditAction::ChangedParticipant
            | AuditAction::ResumedParticipant
            | AuditAction::AddedNote
            | AuditAction::ErasedParticipant
            | AuditAction::ExportedParticipants
            | AuditAction::PausedUntilFurtherNoticeByPhone
            | AuditAction::ResumedByPhone
            | AuditAction::RoundPausedByPhone
            | AuditAction::RoundResumedByPhone
            | AuditAction::RoundResumedCalledTheLine
            | AuditAction::RemovedFromRound => String::new(),
            AuditAction::ViewedCall { sid } | AuditAction::PlayedVoicemail { sid } => sid.clone(),
            AuditAction::ViewedFollowUps { open } => format!("{open} open"),
            AuditAction::PrintedFollowUps { people } => format!("{people} people"),
            AuditAction::PrintedPlanned { requests } => format!("{requests} requests"),
            AuditAction::ClosedFollowUp { id, result } => format!("{id}: {}", result.as_str()),
            AuditAction::NotReachedOnCallBack { id, try_again_on } => format!("{id}: try again on {try_again_on}"),
            AuditAction::AssignedFollowUp { id, to: Some(name) } => format!("{id}: to {name}"),
            AuditAction::AssignedFollowUp { id, to: None } => format!("{id}: to nobody"),
            AuditAction::ReopenedFollowUp { id } => id.to_string(),
            AuditAction::TookCallBackRequest { request } => format!("request {request}"),
            AuditAction::StartedCallBackSearch { request, follow_up } => {
                format!("request {request} for follow-up {follow_up}")
            }
            AuditAction::StoppedCallBackSearch { from: StoppedFrom::Request(id) } => format!("request {id}"),
            AuditAction::StoppedCallBackSearch { from: StoppedFrom::FollowUp(id) } => format!("follow-up {id}"),
            AuditAction::PausedParticipant { until } => until.map(|d| d.to_string()).unwrap_or_default(),
            AuditAction::SetDoNotPair { other } | AuditAction::RemovedDoNotPair { other } => {
                format!("with participant {other}")
            }
            AuditAction::ImportedParticipants { added, updated } => format!("{added} added, {updated} updated"),
            AuditAction::AddedUser { name, role, reach } => {
                format!("{name} ({}, {})", role.as_str(), reach.as_stored())
            }
            AuditAction::MadeCoordinator { name }
            | AuditAction::MadeDesk { name }
            | AuditAction::DisabledUser { name }
            | AuditAction::EnabledUser { name }
            | AuditAction::SetPassword { name } => name.clone(),
            AuditAction::SetNeighbourhoods { name, reach } => format!("{name}: {}", reach.as_stored()),
            AuditAction::PausedForAWeekByPhone { back_on } => back_on.to_string(),
            AuditAction::EnrolledInRound(e) | AuditAction::ChangedRound(RoundChange::Enrolment(e)) => {
                format!("{} {}, {} contact(s)", e.at, super::hours::days_text(e.days, &STORED_DAYS), e.contacts)
            }
            AuditAction::ChangedRound(RoundChange::Away(Some((a, b)))) => format!("away {a}..{b}"),
            AuditAction::ChangedRound(RoundChange::Away(None)) => "not away".to_string(),
            AuditAction::ChangedRound(RoundChange::Paused) => "paused until they call again".to_string(),
            AuditAction::ChangedRound(RoundChange::Resumed) => "resumed".to_string(),
            AuditAction::SetDeskOnly { desk_only } => if *desk_only { "on" } else { "off" }.to_string(),
            AuditAction::MarkedExperienced { kinds } if kinds.is_empty() => "none".to_string(),
            AuditAction::MarkedExperienced { kinds } => kinds.join(";"),
            AuditAction::AddedPlannedRequest { id } | AuditAction::CancelledPlannedRequest { id } => {
                format!("planned {id}")
            }
            AuditAction::AssignedPlannedRequest { id, helper } => format!("planned {id} to participant {helper}"),
        }
    }

    /// The action of `kind` whose stored detail is `detail`, if the detail has the shape
    /// this version writes.
    pub fn read(kind: AuditKind, detail: &str) -> Option<AuditAction> {
        let empty = |a: AuditAction| detail.is_empty().then_some(a);
        let name = || (!detail.is_empty()).then(|| detail.to_string());
        let number_then = |sep: &str| -> Option<(i64, String)> {
            let (n, rest) = detail.split_once(sep)?;
            Some((n.parse().ok()?, rest.to_string()))
        };
        Some(match kind {
            AuditKind::Login => return empty(AuditAction::Login),
            AuditKind::ChangedOwnPassword => return empty(AuditAction::ChangedOwnPassword),
            AuditKind::AddedParticipant => return empty(AuditAction::AddedParticipant),
            AuditKind::ViewedParticipant => return empty(AuditAction::ViewedParticipant),
            AuditKind::ChangedParticipant => return empty(AuditAction::ChangedParticipant),
            AuditKind::ResumedParticipant => return empty(AuditAction::ResumedParticipant),
            AuditKind::AddedNote => return empty(AuditAction::AddedNote),
            AuditKind::ErasedParticipant => return empty(AuditAction::ErasedParticipant),
            AuditKind::ExportedParticipants => return empty(AuditAction::ExportedParticipants),
            AuditKind::PausedUntilFurtherNoticeByPhone => return empty(AuditAction::PausedUntilFurtherNoticeByPhone),
            AuditKind::ResumedByPhone => return empty(AuditAction::ResumedByPhone),
            AuditKind::RoundPausedByPhone => return empty(AuditAction::RoundPausedByPhone),
            AuditKind::RoundResumedByPhone => return empty(AuditAction::RoundResumedByPhone),
            AuditKind::RoundResumedCalledTheLine => return empty(AuditAction::RoundResumedCalledTheLine),
            AuditKind::RemovedFromRound => return empty(AuditAction::RemovedFromRound),
            AuditKind::ViewedCall => AuditAction::ViewedCall { sid: name()? },
            AuditKind::PlayedVoicemail => AuditAction::PlayedVoicemail { sid: name()? },
            AuditKind::ViewedFollowUps => {
                AuditAction::ViewedFollowUps { open: detail.strip_suffix(" open")?.parse().ok()? }
            }
            AuditKind::PrintedFollowUps => {
                AuditAction::PrintedFollowUps { people: detail.strip_suffix(" people")?.parse().ok()? }
            }
            AuditKind::PrintedPlanned => {
                AuditAction::PrintedPlanned { requests: detail.strip_suffix(" requests")?.parse().ok()? }
            }
            AuditKind::ClosedFollowUp => {
                let (id, result) = number_then(": ")?;
                AuditAction::ClosedFollowUp { id, result: FollowUpResult::parse(&result)? }
            }
            AuditKind::NotReachedOnCallBack => {
                let (id, rest) = number_then(": try again on ")?;
                AuditAction::NotReachedOnCallBack { id, try_again_on: rest.parse().ok()? }
            }
            AuditKind::AssignedFollowUp => {
                let (id, to) = number_then(": to ")?;
                AuditAction::AssignedFollowUp { id, to: (to != "nobody").then_some(to) }
            }
            AuditKind::ReopenedFollowUp => AuditAction::ReopenedFollowUp { id: detail.parse().ok()? },
            AuditKind::TookCallBackRequest => {
                AuditAction::TookCallBackRequest { request: detail.strip_prefix("request ")?.parse().ok()? }
            }
            AuditKind::StartedCallBackSearch => {
                let (request, follow_up) = detail.strip_prefix("request ")?.split_once(" for follow-up ")?;
                AuditAction::StartedCallBackSearch {
                    request: request.parse().ok()?,
                    follow_up: follow_up.parse().ok()?,
                }
            }
            AuditKind::StoppedCallBackSearch => {
                let from = if let Some(n) = detail.strip_prefix("request ") {
                    StoppedFrom::Request(n.parse().ok()?)
                } else {
                    StoppedFrom::FollowUp(detail.strip_prefix("follow-up ")?.parse().ok()?)
                };
                AuditAction::StoppedCallBackSearch { from }
            }
            AuditKind::PausedParticipant => AuditAction::PausedParticipant {
                until: if detail.is_empty() { None } else { Some(detail.parse().ok()?) },
            },
            AuditKind::SetDoNotPair => {
                AuditAction::SetDoNotPair { other: detail.strip_prefix("with participant ")?.parse().ok()? }
            }
            AuditKind::RemovedDoNotPair => {
                AuditAction::RemovedDoNotPair { other: detail.strip_prefix("with participant ")?.parse().ok()? }
            }
            AuditKind::ImportedParticipants => {
                let (added, updated) = detail.strip_suffix(" updated")?.split_once(" added, ")?;
                AuditAction::ImportedParticipants { added: added.parse().ok()?, updated: updated.parse().ok()? }
            }
            AuditKind::AddedUser => {
                let (name, rest) = detail.rsplit_once(" (")?;
                let (role, reach) = rest.strip_suffix(')')?.split_once(", ")?;
                let role = Role::parse(role).filter(|r| r.as_str() == role)?;
                AuditAction::AddedUser { name: name.to_string(), role, reach: Reach::read(reach)? }
            }
            AuditKind::MadeCoordinator => AuditAction::MadeCoordinator { name: name()? },
            AuditKind::MadeDesk => AuditAction::MadeDesk { name: name()? },
            AuditKind::DisabledUser => AuditAction::DisabledUser { name: name()? },
            AuditKind::EnabledUser => AuditAction::EnabledUser { name: name()? },
            AuditKind::SetPassword => AuditAction::SetPassword { name: name()? },
            AuditKind::SetNeighbourhoods => {
                let (name, reach) = detail.rsplit_once(": ")?;
                AuditAction::SetNeighbourhoods { name: name.to_string(), reach: Reach::read(reach)? }
            }
            AuditKind::PausedForAWeekByPhone => AuditAction::PausedForAWeekByPhone { back_on: detail.parse().ok()? },
            AuditKind::EnrolledInRound => AuditAction::EnrolledInRound(read_enrolment(detail)?),
            AuditKind::SetDeskOnly => AuditAction::SetDeskOnly { desk_only: detail == "on" },
            AuditKind::MarkedExperienced => AuditAction::MarkedExperienced {
                kinds: detail.split(';').filter(|k| !k.is_empty() && *k != "none").map(str::to_string).collect(),
            },
            AuditKind::AddedPlannedRequest => {
                AuditAction::AddedPlannedRequest { id: detail.strip_prefix("planned ")?.parse().ok()? }
            }
            AuditKind::CancelledPlannedRequest => {
                AuditAction::CancelledPlannedRequest { id: detail.strip_prefix("planned ")?.parse().ok()? }
            }
            AuditKind::AssignedPlannedRequest => {
                let (id, helper) = detail.strip_prefix("planned ")?.split_once(" to participant ")?;
                AuditAction::AssignedPlannedRequest { id: id.parse().ok()?, helper: helper.parse().ok()? }
            }
            AuditKind::ChangedRound => AuditAction::ChangedRound(match detail {
                "not away" => RoundChange::Away(None),
                "paused until they call again" => RoundChange::Paused,
                "resumed" => RoundChange::Resumed,
                _ => match detail.strip_prefix("away ") {
                    Some(days) => {
                        let (a, b) = days.split_once("..")?;
                        RoundChange::Away(Some((a.parse().ok()?, b.parse().ok()?)))
                    }
                    None => RoundChange::Enrolment(read_enrolment(detail)?),
                },
            }),
        })
        .filter(|a| a.detail() == detail)
    }

    /// One of each kind, for tests that go over every action.
    pub fn examples() -> Vec<AuditAction> {
        let date = Date::constant(2026, 3, 9);
        let enrolment = Enrolment { at: "09:00".into(), days: 0b0011111, contacts: 2 };
        vec![
            AuditAction::Login,
            AuditAction::ChangedOwnPassword,
            AuditAction::ViewedCall { sid: "CA123".into() },
            AuditAction::PlayedVoicemail { sid: "CA123".into() },
            AuditAction::ViewedFollowUps { open: 4 },
            AuditAction::PrintedFollowUps { people: 3 },
            AuditAction::PrintedPlanned { requests: 2 },
            AuditAction::ClosedFollowUp { id: 7, result: FollowUpResult::ReferredToWmo },
            AuditAction::NotReachedOnCallBack { id: 7, try_again_on: date },
            AuditAction::AssignedFollowUp { id: 7, to: Some("Els de Vries".into()) },
            AuditAction::ReopenedFollowUp { id: 7 },
            AuditAction::TookCallBackRequest { request: 2 },
            AuditAction::StartedCallBackSearch { request: 2, follow_up: 7 },
            AuditAction::StoppedCallBackSearch { from: StoppedFrom::FollowUp(7) },
            AuditAction::AddedParticipant,
            AuditAction::ViewedParticipant,
            AuditAction::ChangedParticipant,
            AuditAction::PausedParticipant { until: Some(date) },
            AuditAction::ResumedParticipant,
            AuditAction::SetDoNotPair { other: 5 },
            AuditAction::RemovedDoNotPair { other: 5 },
            AuditAction::AddedNote,
            AuditAction::ErasedParticipant,
            AuditAction::ExportedParticipants,
            AuditAction::ImportedParticipants { added: 12, updated: 3 },
            AuditAction::AddedUser {
                name: "Els (avond)".into(),
                role: Role::Coordinator,
                reach: Reach(vec!["dorp-a".into(), "dorp-b".into()]),
            },
            AuditAction::MadeCoordinator { name: "Els".into() },
            AuditAction::MadeDesk { name: "Els".into() },
            AuditAction::DisabledUser { name: "Els".into() },
            AuditAction::EnabledUser { name: "Els".into() },
            AuditAction::SetPassword { name: "Els".into() },
            AuditAction::SetNeighbourhoods { name: "Els".into(), reach: Reach(Vec::new()) },
            AuditAction::PausedForAWeekByPhone { back_on: date },
            AuditAction::PausedUntilFurtherNoticeByPhone,
            AuditAction::ResumedByPhone,
            AuditAction::RoundPausedByPhone,
            AuditAction::RoundResumedByPhone,
            AuditAction::RoundResumedCalledTheLine,
            AuditAction::EnrolledInRound(enrolment.clone()),
            AuditAction::ChangedRound(RoundChange::Away(Some((date, date)))),
            AuditAction::RemovedFromRound,
            AuditAction::SetDeskOnly { desk_only: true },
            AuditAction::MarkedExperienced { kinds: vec!["shopping".into(), "transport".into()] },
            AuditAction::AddedPlannedRequest { id: 3 },
            AuditAction::CancelledPlannedRequest { id: 3 },
            AuditAction::AssignedPlannedRequest { id: 3, helper: 5 },
        ]
    }
}

fn read_enrolment(detail: &str) -> Option<Enrolment> {
    let (at_days, contacts) = detail.rsplit_once(", ")?;
    let (at, days) = at_days.split_once(' ')?;
    Some(Enrolment {
        at: at.to_string(),
        days: super::hours::parse_day_names(days).ok()?,
        contacts: contacts.strip_suffix(" contact(s)")?.parse().ok()?,
    })
}

/// An audit entry as read back: whole, or shown as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Recorded {
    Action(AuditAction),
    /// A known action whose stored detail has a shape this version does not write (an
    /// older row): its detail is shown as stored.
    Untyped {
        kind: AuditKind,
        detail: String,
    },
    /// A word no action is stored as (a newer version's, or a hand edit): shown as stored,
    /// never read as another action.
    Unknown {
        word: String,
        detail: String,
    },
}

impl Recorded {
    pub fn read(word: &str, detail: &str) -> Recorded {
        match AuditKind::parse(word) {
            None => Recorded::Unknown { word: word.to_string(), detail: detail.to_string() },
            Some(kind) => match AuditAction::read(kind, detail) {
                Some(action) => Recorded::Action(action),
                None => Recorded::Untyped { kind, detail: detail.to_string() },
            },
        }
    }

    pub fn kind(&self) -> Option<AuditKind> {
        match self {
            Recorded::Action(a) => Some(a.kind()),
            Recorded::Untyped { kind, .. } => Some(*kind),
            Recorded::Unknown { .. } => None,
        }
    }

    /// The stored word.
    pub fn word(&self) -> &str {
        match self {
            Recorded::Action(a) => a.as_str(),
            Recorded::Untyped { kind, .. } => kind.as_str(),
            Recorded::Unknown { word, .. } => word,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_audit_kind_round_trips_through_its_stored_word() {
        for kind in AuditKind::ALL {
            assert_eq!(AuditKind::parse(kind.as_str()), Some(kind), "{kind:?}");
        }
        let mut words: Vec<&str> = AuditKind::ALL.iter().map(|k| k.as_str()).collect();
        words.sort_unstable();
        words.dedup();
        assert_eq!(words.len(), AuditKind::ALL.len(), "two kinds share a stored word");
    }

    #[test]
    fn every_audit_action_round_trips_through_its_word_and_detail() {
        let examples = AuditAction::examples();
        for kind in AuditKind::ALL {
            assert!(examples.iter().any(|a| a.kind() == kind), "no example of {kind:?}");
        }
        let more = [
            AuditAction::AssignedFollowUp { id: 1, to: None },
            AuditAction::StoppedCallBackSearch { from: StoppedFrom::Request(3) },
            AuditAction::PausedParticipant { until: None },
            AuditAction::ChangedRound(RoundChange::Away(None)),
            AuditAction::ChangedRound(RoundChange::Paused),
            AuditAction::ChangedRound(RoundChange::Resumed),
            AuditAction::ChangedRound(RoundChange::Enrolment(Enrolment {
                at: "08:30".into(),
                days: 0b1010101,
                contacts: 1,
            })),
            AuditAction::AddedUser { name: "Piet".into(), role: Role::Desk, reach: Reach(Vec::new()) },
        ];
        for action in examples.into_iter().chain(more) {
            let (word, detail) = (action.as_str(), action.detail());
            assert_eq!(Recorded::read(word, &detail), Recorded::Action(action.clone()), "{word}: {detail}");
        }
    }

    #[test]
    fn an_old_detail_and_an_unknown_word_are_kept_as_stored() {
        // The CLI wrote users without their reach before.
        assert_eq!(
            Recorded::read("added user", "Els (coordinator)"),
            Recorded::Untyped { kind: AuditKind::AddedUser, detail: "Els (coordinator)".into() }
        );
        assert_eq!(
            Recorded::read("imported participants", "12 added"),
            Recorded::Untyped { kind: AuditKind::ImportedParticipants, detail: "12 added".into() }
        );
        let unknown = Recorded::read("teleported participant", "to the moon");
        assert_eq!(unknown, Recorded::Unknown { word: "teleported participant".into(), detail: "to the moon".into() });
        assert_eq!(unknown.kind(), None);
        assert_eq!(unknown.word(), "teleported participant");
    }
}

/// Who made a change, as `audit_log.user_name` stores it: a desk account by its name, the
/// participant themselves by phone (an empty name), or the command line on the server
/// (`#cli`). No desk account can have either of the last two names: account names are
/// never empty and never hold `#` (`domain::desk::check_user_name`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Actor {
    Account(String),
    Phone,
    CommandLine,
}

impl Actor {
    const PHONE: &'static str = "";
    const COMMAND_LINE: &'static str = "#cli";

    /// The stored word.
    pub fn as_str(&self) -> &str {
        match self {
            Actor::Account(name) => name,
            Actor::Phone => Self::PHONE,
            Actor::CommandLine => Self::COMMAND_LINE,
        }
    }

    /// The stored word read back; any other name is an account's.
    pub fn read(stored: &str) -> Actor {
        match stored {
            Self::PHONE => Actor::Phone,
            Self::COMMAND_LINE => Actor::CommandLine,
            name => Actor::Account(name.to_string()),
        }
    }
}

#[cfg(test)]
mod actor_tests {
    use super::Actor;

    #[test]
    fn each_actor_reads_back_as_itself_and_no_account_name_is_taken_for_another() {
        for a in [Actor::Account("ria".into()), Actor::Phone, Actor::CommandLine] {
            assert_eq!(Actor::read(a.as_str()), a);
        }
        assert!(crate::domain::desk::check_user_name("#cli").is_err());
        assert!(crate::domain::desk::check_user_name("").is_err());
    }
}
