//! The desk's words, Dutch first with English alongside, and how times read.

use crate::domain::audit::{AuditAction, AuditKind, Reach, Recorded, RoundChange, StoppedFrom};
use crate::domain::call::{Colour, Outcome};
use crate::domain::desk::{FollowUpReason, Role};
use crate::domain::hours::days_text;
use crate::domain::hours::HoursError;
use crate::domain::participant::FieldProblem;
use crate::domain::password::{PasswordProblem, MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS};
use crate::domain::round::RoundResult;
use crate::registry::{RowError, RowProblem};
use jiff::tz::TimeZone;
use jiff::Timestamp;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    Nl,
    En,
}

impl Lang {
    pub fn parse(s: &str) -> Lang {
        if s.eq_ignore_ascii_case("en") {
            Lang::En
        } else {
            Lang::Nl
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Nl => "nl",
            Lang::En => "en",
        }
    }

    /// Picks the Dutch or the English text.
    pub fn t(self, nl: &'static str, en: &'static str) -> &'static str {
        match self {
            Lang::Nl => nl,
            Lang::En => en,
        }
    }

    pub fn outcome(self, outcome: Option<Outcome>) -> &'static str {
        match outcome {
            None => self.t("Bezig", "In progress"),
            Some(Outcome::Matched) => self.t("Buur gevonden", "Neighbour found"),
            Some(Outcome::Unmatched) => self.t("Niemand gevonden", "Nobody found"),
            Some(Outcome::Desk) => self.t("Balie gesproken", "Spoke to the desk"),
            Some(Outcome::Voicemail) => self.t("Bericht ingesproken", "Left a message"),
            Some(Outcome::Abandoned) => self.t("Opgehangen", "Hung up"),
            Some(Outcome::Unconfirmed) => self.t("Buur zei ja, niet bevestigd", "Neighbour said yes, not confirmed"),
            Some(Outcome::OwnSettings) => self.t("Eigen instellingen", "Own settings"),
            Some(Outcome::Message) => self.t("Bericht van een buur", "Message from a neighbour"),
            // Both of the round's alarms (`round_alarm`) are this row; the follow-up says which.
            Some(Outcome::Round) => self.t("Goedemorgenronde: dringend", "Good-morning round: urgent"),
            Some(Outcome::Planned) => self.t("Hulp gepland", "Help planned"),
        }
    }

    /// The Now page's total of the calls of one colour.
    pub fn colour_total(self, colour: Colour) -> &'static str {
        match colour {
            Colour::Green => self
                .t("Buur gevonden, balie gesproken of hulp gepland", "Neighbour found, desk spoken to or help planned"),
            Colour::Amber => self.t("Bezig of na te gaan", "In progress or to check"),
            Colour::Red => self.t("Geen buur gevonden of dringend", "No neighbour found or urgent"),
            Colour::Grey => self.t("Geen hulpvraag", "Not a request for help"),
        }
    }

    /// What the Now page shows while a call is going.
    pub fn phase(self, phase: &str) -> &'static str {
        match phase {
            "menu" => self.t("Kiest in het menu", "Choosing in the menu"),
            "ringing" => self.t("Zoekt een buur", "Looking for a neighbour"),
            "connected" => self.t("In gesprek met een buur", "Talking to a neighbour"),
            "desk" => self.t("Wordt doorverbonden met de balie", "Being put through to the desk"),
            "voicemail" | "message" => self.t("Spreekt een bericht in", "Leaving a message"),
            "settings" => self.t("In de eigen instellingen", "In their own settings"),
            _ => self.t("Afgelopen", "Ended"),
        }
    }

    /// A call of the good-morning round: to whom (try or contact) and how it ended.
    pub fn round_result(self, result: Option<RoundResult>) -> &'static str {
        match result {
            None => self.t("gaat over", "ringing"),
            Some(RoundResult::Answered) => self.t("alles goed (toets 1)", "all well (pressed 1)"),
            Some(RoundResult::AskedForHelp) => self.t("vroeg om hulp (toets 2)", "asked for help (pressed 2)"),
            Some(RoundResult::Confirmed) => self.t("gaat kijken", "goes to look"),
            Some(RoundResult::Declined) => self.t("kon niet", "could not"),
            Some(RoundResult::NoKey) => self.t("nam op, geen toets (voicemail?)", "picked up, no key (voicemail?)"),
            Some(RoundResult::NoAnswer) => self.t("nam niet op", "did not answer"),
            Some(RoundResult::Busy) => self.t("in gesprek", "busy"),
            Some(RoundResult::Failed) => self.t("onbereikbaar", "unreachable"),
            Some(RoundResult::Canceled) => self.t("afgebroken", "cancelled"),
            Some(RoundResult::Heard) => self.t("balie hoorde de melding", "the desk heard the alert"),
            Some(RoundResult::NeverReported) => self.t(
                "einde nooit gemeld (storing): telt als niet opgenomen",
                "end never reported (outage): counts as not answered",
            ),
        }
    }

    /// Who a call of the good-morning round was to.
    pub fn round_who(self, who: &str, n: u32) -> String {
        match who {
            "resident" => format!("{} {n}", self.t("Poging", "Try")),
            "contact" => format!("{} {n}", self.t("Contactpersoon", "Contact")),
            _ => self.t("Telefoon van de balie", "The desk phone").to_string(),
        }
    }

    /// Why an enrolment was refused, in the page's language (the field first).
    pub fn enrol_error(self, e: &crate::switchboard::round::EnrolError) -> String {
        use crate::switchboard::round::EnrolError as E;
        if self == Lang::En {
            return e.to_string();
        }
        match e {
            E::BadPhone(p) => format!("Bewoner: {p}"),
            E::NotRegistered(p) => format!("Bewoner: {p} is geen deelnemer. Voeg de bewoner eerst toe bij Deelnemers."),
            E::WhichNeighbourhood(_) => "Buurt: de bewoner hoort bij meer buurten; kies er een.".into(),
            E::UnknownNeighbourhood(k) => format!("Buurt: '{k}' is geen buurt van de bewoner."),
            E::BadTime(t) => format!("Tijd: '{t}' is geen tijd zoals 09:30."),
            E::BadDays(d) => format!("Dagen: {d}"),
            E::OutsideRingingHours { at, hours, day } => {
                let en = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
                let nl = ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"];
                let day = en.iter().position(|d| d == day).map(|i| nl[i]).unwrap_or(day);
                format!("Tijd: {at} valt op {day} buiten de uren waarin de centrale belt ({hours}).")
            }
            E::NoContact => {
                "Contactpersoon: geef er minstens één, die gebeld wordt als de bewoner niet opneemt.".into()
            }
            E::TooManyContacts(n) => format!("Contactpersoon: hoogstens {n}."),
            E::BadContact { n, problem } => format!("Contactpersoon {n}: {problem}"),
            E::BadTries(n) => format!("Pogingen: van 1 tot 10, niet {n}."),
            E::BadRetry(n) => format!("Minuten tussen pogingen: van 1 tot 120, niet {n}."),
        }
    }

    pub fn attempt_result(self, result: Option<&str>) -> &'static str {
        match result {
            None => self.t("gaat over", "ringing"),
            Some("accepted") => self.t("zei ja", "said yes"),
            Some("declined") => self.t("kon niet", "could not"),
            Some("no-answer") => self.t("nam niet op", "did not answer"),
            Some("busy") => self.t("in gesprek", "busy"),
            Some("failed") => self.t("onbereikbaar", "unreachable"),
            Some("canceled") => self.t("afgebroken", "cancelled"),
            Some(_) => self.t("onbekend", "unknown"),
        }
    }

    pub fn follow_up_result(self, result: &str) -> &'static str {
        match result {
            "solved-by-neighbour" => self.t("Opgelost door een buur", "Solved by a neighbour"),
            "referred-to-wmo" => self.t("Doorverwezen naar het Wmo-loket", "Referred to the Wmo desk"),
            "referred-to-care" => self.t("Doorverwezen naar professionele zorg", "Referred to professional care"),
            "no-longer-needed" => self.t("Niet meer nodig", "No longer needed"),
            _ => self.t("Anders", "Other"),
        }
    }

    pub fn follow_up_reason(self, reason: FollowUpReason) -> &'static str {
        match reason {
            FollowUpReason::Unmatched => self.t("Niemand gevonden: terugbellen", "Nobody found: call back"),
            FollowUpReason::Voicemail => {
                self.t("Bericht ingesproken: terugbellen beloofd", "Left a message: call back promised")
            }
            FollowUpReason::Abandoned => self.t("Opgehangen voor er hulp was", "Hung up before help was found"),
            FollowUpReason::Message => {
                self.t("Bericht van een buur: luister het af", "Message from a neighbour: listen to it")
            }
            FollowUpReason::OwnSetting => self.t(
                "Wil per telefoon een andere pauze: bel terug op hun eigen nummer",
                "Asked by phone for a different pause: call back on their own number",
            ),
            FollowUpReason::Round => self.round_alarm(false),
            FollowUpReason::RoundMissed => self.round_alarm(true),
            FollowUpReason::PlannedUnfilled => self.t(
                "Dringend: hulp voor later, niemand gevonden (de bewoner weet het): bel terug",
                "Urgent: help for later, nobody found (the resident was told): call back",
            ),
            FollowUpReason::PlannedNotTold => self.t(
                "Hulp voor later: de bewoner kon niet worden gebeld, vertel het zelf",
                "Help for later: the resident could not be called, tell them yourself",
            ),
            FollowUpReason::PlannedNotConfirmed => self.t(
                "Hulp voor later: de buur die helpt nam de herinnering niet op, vraag of het doorgaat",
                "Help for later: the helper did not answer the reminder, ask whether it goes on",
            ),
            FollowUpReason::PlannedNotHappened => self.t(
                "Hulp voor later: de bewoner zegt dat het niet goed ging, bel terug",
                "Help for later: the resident says it did not go well, call back",
            ),
            FollowUpReason::Unconfirmed => self.t(
                "Een buur zei ja, maar de verbinding is niet bevestigd: vraag of het gesprek er was",
                "A neighbour said yes, but the connection was not confirmed: ask whether they spoke",
            ),
        }
    }

    /// The good-morning round's alarm for the desk, one name on every page (Now, Opvolgen,
    /// the round's page): nobody answered or went to look, or (`missed`) the round could
    /// not call at all.
    pub fn round_alarm(self, missed: bool) -> &'static str {
        if missed {
            self.t("Goedemorgenronde: kon niet bellen", "Good-morning round: could not call")
        } else {
            self.t("Goedemorgenronde: niemand bereikt", "Good-morning round: nobody reached")
        }
    }

    /// What is wrong with written hours, in the page's language.
    pub fn hours_problem(self, e: &HoursError) -> String {
        if self == Lang::En {
            return e.to_string();
        }
        match e {
            HoursError::NoHours(s) => format!("'{s}' heeft dagen maar geen tijden, zoals 09:00-17:00"),
            HoursError::NotADay(s) => format!("'{s}' is geen dag (gebruik ma, di, wo, do, vr, za, zo)"),
            HoursError::Backwards { part, fix } => format!("'{part}' loopt achteruit; schrijf het als {fix}"),
            HoursError::NoDay(s) => format!("'{s}' noemt geen dag"),
            HoursError::NotATime(s) => format!("'{s}' is geen tijd zoals 09:00"),
            HoursError::NotARange(s) => format!("'{s}' is geen tijdvak zoals 09:00-17:00"),
            HoursError::EndsBeforeStart(s) => format!("'{s}' eindigt voordat het begint"),
        }
    }

    /// What is wrong with a participant's field, in the page's language.
    pub fn field_problem(self, e: &FieldProblem) -> String {
        if self == Lang::En {
            return e.to_string();
        }
        match e {
            FieldProblem::Empty => "is leeg".into(),
            FieldProblem::TooLong(max) => format!("is langer dan {max} tekens"),
            FieldProblem::Phone(p) => {
                format!("'{}' is geen geldig telefoonnummer (bijvoorbeeld 06-12345678 of 020-1234567)", p.input)
            }
            FieldProblem::UnknownCategory { key, known } => {
                format!("'{key}' is geen soort hulp van deze buurten (wel: {known})")
            }
            FieldProblem::Hours(h) => self.hours_problem(h),
            FieldProblem::Postcode(s) => format!("'{s}' is geen Nederlandse postcode zoals 1234 AB"),
            FieldProblem::Distance(s) => format!("'{s}' is niet een van any, near, not-own-street"),
            FieldProblem::SlowLine(s) => format!("'{s}' is niet een van yes, no (of leeg)"), // issue 27
            FieldProblem::StreetSaid(s) => format!("'{s}' is niet een van always, after-yes"),
            FieldProblem::YesNo(s) => format!("'{s}' is niet een van yes, no"),
            FieldProblem::UnknownLanguage { language, known } => {
                format!("'{language}' is geen taal van de centrale (wel: {known})")
            }
        }
    }

    /// Why a new password is refused, in the page's language, as a sentence.
    pub fn password_problem(self, e: &PasswordProblem) -> String {
        if self == Lang::En {
            let said = e.to_string();
            let mut chars = said.chars();
            return chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default();
        }
        match e {
            PasswordProblem::TooShort => format!(
                "Het wachtwoord moet minstens {MIN_PASSWORD_CHARS} tekens lang zijn (een korte zin werkt goed)"
            ),
            PasswordProblem::TooLong => format!("Het wachtwoord is langer dan {MAX_PASSWORD_CHARS} tekens"),
            PasswordProblem::UserName => "Het wachtwoord mag niet de gebruikersnaam zijn, ook niet met cijfers of tekens erbij: kies een korte zin die alleen u kent".into(),
            PasswordProblem::TooSimple => "Dit wachtwoord is te makkelijk te raden (steeds dezelfde tekens, of een rij van het toetsenbord of het alfabet): kies een korte zin die alleen u kent".into(),
            PasswordProblem::Common => "Dit wachtwoord is een van de meest gebruikte (ook met cijfers of tekens erbij) en wordt als eerste geraden: kies een korte zin die alleen u kent".into(),
        }
    }

    /// A line of an imported file that cannot be read, in the page's language.
    pub fn row_error(self, e: &RowError) -> String {
        if self == Lang::En {
            return e.to_string();
        }
        use crate::registry::{dutch_column, HEADER, OPTIONAL, SAY};
        let header = HEADER.map(dutch_column).join(",");
        let optional = OPTIONAL.iter().chain(SAY.iter()).map(|c| dutch_column(c)).collect::<Vec<_>>().join(", ");
        let problem = match &e.problem {
            RowProblem::Header(why) => format!("de kopregel is niet te lezen: {why}"),
            RowProblem::UnknownColumn(c) => format!("onbekende kolom '{c}' (de kopregel is {header}, eventueel met {optional})"),
            RowProblem::ColumnTwice(c) => format!("kolom '{}' staat er twee keer in", dutch_column(c)),
            RowProblem::MissingColumn(c) => format!("kolom '{}' ontbreekt (de kopregel is {header})", dutch_column(c)),
            RowProblem::Unreadable(why) => format!("deze regel is niet te lezen: {why}"),
            RowProblem::FieldCount { got, want } => format!(
                "heeft {got} velden, de kopregel {want} (zet een veld met een komma erin tussen dubbele aanhalingstekens)"
            ),
            RowProblem::UnknownNeighbourhood { key, known } => {
                format!("buurten: '{key}' is geen buurt van deze installatie (wel: {known})")
            }
            RowProblem::PhoneTwice { phone, first } => format!("telefoon: {phone} staat ook op regel {first}"),
            RowProblem::Field(f) => format!("{}: {}", dutch_column(f.field), self.field_problem(&f.problem)),
            RowProblem::NoNeighbourhood { known } => format!(
                "buurten: geen buurt opgegeven, en er zijn er meer ({known}): voeg een kolom buurten toe"
            ),
        };
        format!("regel {}: {problem}", e.line)
    }

    /// An audit entry's action in the page's language; a word this version does not
    /// know is shown as stored.
    pub fn audit_action(self, recorded: &Recorded) -> String {
        match recorded.kind() {
            Some(kind) => self.audit_kind(kind).to_string(),
            None => recorded.word().to_string(),
        }
    }

    /// Each action of the audit log, in Dutch and English: one exhaustive match.
    pub fn audit_kind(self, kind: AuditKind) -> &'static str {
        let (nl, en) = match kind {
            AuditKind::Login => ("ingelogd", "logged in"),
            AuditKind::ChangedOwnPassword => ("eigen wachtwoord gewijzigd", "changed own password"),
            AuditKind::ViewedCall => ("gesprek bekeken", "viewed a call"),
            AuditKind::PlayedVoicemail => ("bericht afgespeeld", "played a message"),
            AuditKind::ViewedFollowUps => ("opvolgen bekeken", "viewed follow-ups"),
            AuditKind::PrintedFollowUps => ("daglijst afgedrukt", "printed the day list"),
            AuditKind::PrintedPlanned => {
                ("daglijst hulp voor later afgedrukt", "printed the day list of help for later")
            }
            AuditKind::ClosedFollowUp => ("opvolging afgehandeld", "closed a follow-up"),
            AuditKind::NotReachedOnCallBack => ("niet bereikt bij terugbellen", "not reached on call back"),
            AuditKind::AssignedFollowUp => ("opvolging toegewezen", "assigned a follow-up"),
            AuditKind::ReopenedFollowUp => ("opvolging heropend", "reopened a follow-up"),
            AuditKind::TookCallBackRequest => ("verzoek aangenomen", "took a request"),
            AuditKind::StartedCallBackSearch => ("terugbelpoging gestart", "started a call-back search"),
            AuditKind::StoppedCallBackSearch => ("terugbelpoging gestopt", "stopped a call-back search"),
            AuditKind::AddedParticipant => ("deelnemer toegevoegd", "added a participant"),
            AuditKind::ViewedParticipant => ("deelnemer bekeken", "viewed a participant"),
            AuditKind::ChangedParticipant => ("deelnemer gewijzigd", "changed a participant"),
            AuditKind::PausedParticipant => ("deelnemer gepauzeerd", "paused a participant"),
            AuditKind::ResumedParticipant => ("deelnemer weer actief", "resumed a participant"),
            AuditKind::SetDoNotPair => ("niet koppelen ingesteld", "set do-not-pair"),
            AuditKind::RemovedDoNotPair => ("niet koppelen opgeheven", "removed do-not-pair"),
            AuditKind::AddedNote => ("notitie toegevoegd", "added a note"),
            AuditKind::ErasedParticipant => ("deelnemer gewist", "erased a participant"),
            AuditKind::ExportedParticipants => ("deelnemers gedownload", "downloaded participants"),
            AuditKind::ImportedParticipants => ("deelnemers ingelezen", "imported participants"),
            AuditKind::AddedUser => ("gebruiker toegevoegd", "added a user"),
            AuditKind::MadeCoordinator => ("coördinator gemaakt", "made coordinator"),
            AuditKind::MadeDesk => ("balie gemaakt", "made desk"),
            AuditKind::DisabledUser => ("gebruiker uitgeschakeld", "disabled a user"),
            AuditKind::EnabledUser => ("gebruiker ingeschakeld", "enabled a user"),
            AuditKind::SetPassword => ("wachtwoord gegeven", "set a password"),
            AuditKind::SetNeighbourhoods => ("buurten ingesteld", "set neighbourhoods"),
            AuditKind::SetDeskOnly => ("alleen via de balie ingesteld", "set desk only"),
            AuditKind::MarkedExperienced => ("ervaring aangegeven", "marked experienced"),
            AuditKind::AddedPlannedRequest => ("hulp voor later aangenomen", "took a request for later"),
            AuditKind::CancelledPlannedRequest => ("hulp voor later afgezegd", "cancelled a request for later"),
            AuditKind::AssignedPlannedRequest => {
                ("hulp voor later zelf gekoppeld", "matched a request for later by hand")
            }
            AuditKind::PausedForAWeekByPhone => {
                ("zelf een week gepauzeerd, per telefoon", "paused for a week, by phone")
            }
            AuditKind::PausedUntilFurtherNoticeByPhone => {
                ("zelf gepauzeerd tot nader order, per telefoon", "paused until further notice, by phone")
            }
            AuditKind::ResumedByPhone => ("zelf weer actief, per telefoon", "resumed, by phone"),
            AuditKind::RoundPausedByPhone => {
                ("goedemorgenronde gepauzeerd, per telefoon", "good-morning round paused by phone")
            }
            AuditKind::RoundResumedByPhone => {
                ("goedemorgenronde weer aan, per telefoon", "good-morning round resumed by phone")
            }
            AuditKind::RoundResumedCalledTheLine => {
                ("goedemorgenronde weer aan: belde zelf", "good-morning round resumed: called the line")
            }
            AuditKind::EnrolledInRound => ("aangemeld bij de goedemorgenronde", "enrolled in the good-morning round"),
            AuditKind::ChangedRound => ("goedemorgenronde gewijzigd", "changed the good-morning round"),
            AuditKind::RemovedFromRound => ("afgemeld bij de goedemorgenronde", "removed from the good-morning round"),
        };
        self.t(nl, en)
    }

    /// An audit entry's detail in the page's language; a detail this version cannot read
    /// (an older row's, or an unknown action's) is shown as stored.
    pub fn audit_detail(self, recorded: &Recorded) -> String {
        match (recorded, self) {
            (Recorded::Action(action), Lang::Nl) => Self::audit_detail_nl(action),
            (Recorded::Action(action), Lang::En) => Self::audit_detail_en(action),
            (Recorded::Untyped { detail, .. } | Recorded::Unknown { detail, .. }, _) => detail.clone(),
        }
    }

    fn reach(self, reach: &Reach) -> String {
        if reach.is_all() {
            self.t("alle buurten", "all neighbourhoods").to_string()
        } else {
            reach.0.join(", ")
        }
    }

    fn role(self, role: Role) -> &'static str {
        match role {
            Role::Desk => self.t("balie", "desk"),
            Role::Coordinator => self.t("coördinator", "coordinator"),
        }
    }

    /// Every audit detail in Dutch: one exhaustive match.
    fn audit_detail_nl(action: &AuditAction) -> String {
        let l = Lang::Nl;
        match action {
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
            AuditAction::PrintedFollowUps { people } => format!("{people} personen"),
            AuditAction::PrintedPlanned { requests: 1 } => "1 aanvraag".to_string(),
            AuditAction::PrintedPlanned { requests } => format!("{requests} aanvragen"),
            AuditAction::ClosedFollowUp { id, result } => format!("#{id}: {}", l.follow_up_result(result.as_str())),
            AuditAction::NotReachedOnCallBack { id, try_again_on } => {
                format!("#{id}: opnieuw proberen op {try_again_on}")
            }
            AuditAction::AssignedFollowUp { id, to: Some(name) } => format!("#{id}: aan {name}"),
            AuditAction::AssignedFollowUp { id, to: None } => format!("#{id}: aan niemand"),
            AuditAction::ReopenedFollowUp { id } => format!("#{id}"),
            AuditAction::TookCallBackRequest { request } => format!("verzoek {request}"),
            AuditAction::StartedCallBackSearch { request, follow_up } => {
                format!("verzoek {request} bij opvolging {follow_up}")
            }
            AuditAction::StoppedCallBackSearch { from: StoppedFrom::Request(id) } => format!("verzoek {id}"),
            AuditAction::StoppedCallBackSearch { from: StoppedFrom::FollowUp(id) } => format!("opvolging {id}"),
            AuditAction::PausedParticipant { until: Some(back) } => format!("weer beschikbaar vanaf {back}"),
            AuditAction::PausedParticipant { until: None } => "tot nader order".to_string(),
            AuditAction::SetDoNotPair { other } | AuditAction::RemovedDoNotPair { other } => {
                format!("met deelnemer {other}")
            }
            AuditAction::ImportedParticipants { added, updated } => format!("{added} toegevoegd, {updated} bijgewerkt"),
            AuditAction::AddedUser { name, role, reach } => format!("{name} ({}, {})", l.role(*role), l.reach(reach)),
            AuditAction::MadeCoordinator { name }
            | AuditAction::MadeDesk { name }
            | AuditAction::DisabledUser { name }
            | AuditAction::EnabledUser { name }
            | AuditAction::SetPassword { name } => name.clone(),
            AuditAction::SetNeighbourhoods { name, reach } => format!("{name}: {}", l.reach(reach)),
            AuditAction::PausedForAWeekByPhone { back_on } => format!("weer beschikbaar vanaf {back_on}"),
            AuditAction::EnrolledInRound(e) | AuditAction::ChangedRound(RoundChange::Enrolment(e)) => {
                format!("{} {}, {} contact(en)", e.at, days_text(e.days, &Self::WEEKDAYS_NL), e.contacts)
            }
            AuditAction::ChangedRound(RoundChange::Away(Some((a, b)))) => format!("afwezig van {a} tot en met {b}"),
            AuditAction::ChangedRound(RoundChange::Away(None)) => "niet meer afwezig".to_string(),
            AuditAction::ChangedRound(RoundChange::Paused) => "gepauzeerd tot de bewoner zelf belt".to_string(),
            AuditAction::ChangedRound(RoundChange::Resumed) => "weer aan".to_string(),
            AuditAction::SetDeskOnly { desk_only } => if *desk_only { "aan" } else { "uit" }.to_string(),
            AuditAction::MarkedExperienced { kinds } if kinds.is_empty() => "geen".to_string(),
            AuditAction::MarkedExperienced { kinds } => kinds.join(", "),
            AuditAction::AddedPlannedRequest { id } | AuditAction::CancelledPlannedRequest { id } => {
                format!("verzoek {id}")
            }
            AuditAction::AssignedPlannedRequest { id, helper } => format!("verzoek {id}, aan deelnemer {helper}"),
        }
    }

    /// Every audit detail in English: one exhaustive match.
    fn audit_detail_en(action: &AuditAction) -> String {
        let l = Lang::En;
        match action {
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
            AuditAction::PrintedPlanned { requests: 1 } => "1 request".to_string(),
            AuditAction::PrintedPlanned { requests } => format!("{requests} requests"),
            AuditAction::ClosedFollowUp { id, result } => format!("#{id}: {}", l.follow_up_result(result.as_str())),
            AuditAction::NotReachedOnCallBack { id, try_again_on } => format!("#{id}: try again on {try_again_on}"),
            AuditAction::AssignedFollowUp { id, to: Some(name) } => format!("#{id}: to {name}"),
            AuditAction::AssignedFollowUp { id, to: None } => format!("#{id}: to nobody"),
            AuditAction::ReopenedFollowUp { id } => format!("#{id}"),
            AuditAction::TookCallBackRequest { request } => format!("request {request}"),
            AuditAction::StartedCallBackSearch { request, follow_up } => {
                format!("request {request} for follow-up {follow_up}")
            }
            AuditAction::StoppedCallBackSearch { from: StoppedFrom::Request(id) } => format!("request {id}"),
            AuditAction::StoppedCallBackSearch { from: StoppedFrom::FollowUp(id) } => format!("follow-up {id}"),
            AuditAction::PausedParticipant { until: Some(back) } => format!("available again from {back}"),
            AuditAction::PausedParticipant { until: None } => "until further notice".to_string(),
            AuditAction::SetDoNotPair { other } | AuditAction::RemovedDoNotPair { other } => {
                format!("with participant {other}")
            }
            AuditAction::ImportedParticipants { added, updated } => format!("{added} added, {updated} updated"),
            AuditAction::AddedUser { name, role, reach } => format!("{name} ({}, {})", l.role(*role), l.reach(reach)),
            AuditAction::MadeCoordinator { name }
            | AuditAction::MadeDesk { name }
            | AuditAction::DisabledUser { name }
            | AuditAction::EnabledUser { name }
            | AuditAction::SetPassword { name } => name.clone(),
            AuditAction::SetNeighbourhoods { name, reach } => format!("{name}: {}", l.reach(reach)),
            AuditAction::PausedForAWeekByPhone { back_on } => format!("available again from {back_on}"),
            AuditAction::EnrolledInRound(e) | AuditAction::ChangedRound(RoundChange::Enrolment(e)) => {
                format!("{} {}, {} contact(s)", e.at, days_text(e.days, &Self::WEEKDAYS_EN), e.contacts)
            }
            AuditAction::ChangedRound(RoundChange::Away(Some((a, b)))) => {
                format!("away from {a} up to and including {b}")
            }
            AuditAction::ChangedRound(RoundChange::Away(None)) => "no longer away".to_string(),
            AuditAction::ChangedRound(RoundChange::Paused) => "paused until the resident calls".to_string(),
            AuditAction::ChangedRound(RoundChange::Resumed) => "resumed".to_string(),
            AuditAction::SetDeskOnly { desk_only } => if *desk_only { "on" } else { "off" }.to_string(),
            AuditAction::MarkedExperienced { kinds } if kinds.is_empty() => "none".to_string(),
            AuditAction::MarkedExperienced { kinds } => kinds.join(", "),
            AuditAction::AddedPlannedRequest { id } | AuditAction::CancelledPlannedRequest { id } => {
                format!("request {id}")
            }
            AuditAction::AssignedPlannedRequest { id, helper } => format!("request {id}, to participant {helper}"),
        }
    }

    /// Who did it, in the audit log: a desk account, the participant by phone, or the
    /// command line on the server.
    pub fn audit_who(self, user_name: &str) -> &str {
        use crate::domain::audit::Actor;
        match Actor::read(user_name) {
            Actor::Account(_) => user_name,
            Actor::Phone => self.t("de deelnemer zelf (telefoon)", "the participant (by phone)"),
            Actor::CommandLine => self.t("de opdrachtregel op de server", "the command line on the server"),
        }
    }

    /// A resident's wish for where their helpers come from (issue 27).
    pub fn helpers_from(self, d: &str) -> &'static str {
        match d {
            "near" => self.t("Hulp van dichtbij", "Help from near by"),
            "not-own-street" => self
                .t("Hulp van verder weg (niet uit de eigen straat)", "Help from further away (not their own street)"),
            _ => self.t("Maakt niet uit", "Either"),
        }
    }

    /// When a helper hears the resident's street (issue 27).
    pub fn street_said(self, s: &str) -> &'static str {
        match s {
            "after-yes" => self
                .t("Pas na ja: eerst 'iemand uit de buurt'", "Only after a yes: 'someone in the neighbourhood' first"),
            _ => self.t("Meteen", "Straight away"),
        }
    }

    /// A note the switchboard wrote on a call, in this language; other notes as written.
    pub fn note_text(self, author: &str, text: &str) -> String {
        use crate::domain::desk::{SwitchboardNote, SWITCHBOARD_AUTHOR};
        use crate::domain::participant::Distance;
        let note = match SwitchboardNote::read(text) {
            Some(note) if author == SWITCHBOARD_AUTHOR => note,
            _ => return text.to_string(),
        };
        match note {
            SwitchboardNote::DeskOnly => self
                .t(
                    "Alleen via de balie: er is niemand gebeld, de balie belt terug.",
                    "Desk only: nobody was rung, the desk calls back.",
                )
                .to_string(),
            SwitchboardNote::Wishes { helpers_from, experienced_only } => {
                let mut why: Vec<&str> = Vec::new();
                match helpers_from {
                    Distance::Near => {
                        why.push(self.t("de beller wil hulp van dichtbij", "the caller wants help from near by"))
                    }
                    Distance::NotOwnStreet => {
                        why.push(self.t("de beller wil hulp van verder weg", "the caller wants help from further away"))
                    }
                    Distance::Any => {}
                }
                if experienced_only {
                    why.push(
                        self.t("deze hulp vraagt om ervaren buren", "this kind of help asks for experienced helpers"),
                    );
                }
                format!(
                    "{}: {}.",
                    self.t("Niemand gebeld door de wensen", "Nobody rung because of the wishes"),
                    why.join("; ")
                )
            }
        }
    }

    pub fn distance(self, d: &str) -> &'static str {
        match d {
            "near" => self.t("Liefst dichtbij huis", "Prefers close to home"),
            "not-own-street" => self.t("Liefst niet in de eigen straat", "Prefers not their own street"),
            _ => self.t("Overal in de buurt", "Anywhere in the neighbourhood"),
        }
    }

    const WEEKDAYS_NL: [&'static str; 7] = ["ma", "di", "wo", "do", "vr", "za", "zo"];
    const WEEKDAYS_EN: [&'static str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const MONTHS_NL: [&'static str; 12] = [
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ];
    const MONTHS_EN: [&'static str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];

    /// `di 24-11 10:15`: day, date and time in the neighbourhood's time zone.
    pub fn when(self, at: Timestamp, tz: &TimeZone) -> String {
        let z = at.to_zoned(tz.clone());
        let day = z.weekday().to_monday_zero_offset() as usize;
        let name = match self {
            Lang::Nl => Self::WEEKDAYS_NL[day],
            Lang::En => Self::WEEKDAYS_EN[day],
        };
        format!("{name} {:02}-{:02}-{} {:02}:{:02}", z.day(), z.month(), z.year(), z.hour(), z.minute())
    }

    /// The days' short names, Monday first.
    pub fn weekdays(self) -> [&'static str; 7] {
        match self {
            Lang::Nl => Self::WEEKDAYS_NL,
            Lang::En => Self::WEEKDAYS_EN,
        }
    }

    /// `do 03-12`: a day, as the queue shows it.
    pub fn day(self, date: jiff::civil::Date) -> String {
        let day = date.weekday().to_monday_zero_offset() as usize;
        let name = match self {
            Lang::Nl => Self::WEEKDAYS_NL[day],
            Lang::En => Self::WEEKDAYS_EN[day],
        };
        format!("{name} {:02}-{:02}", date.day(), date.month())
    }

    /// `di 24-11 10:15`: as `when`, without the year (for tables).
    pub fn when_short(self, at: Timestamp, tz: &TimeZone) -> String {
        let full = self.when(at, tz);
        match full.rsplit_once(' ') {
            Some((date, time)) => format!("{} {time}", &date[..date.len().saturating_sub(5)]),
            None => full,
        }
    }

    /// `10:15:30`.
    pub fn time(self, at: Timestamp, tz: &TimeZone) -> String {
        let z = at.to_zoned(tz.clone());
        format!("{:02}:{:02}:{:02}", z.hour(), z.minute(), z.second())
    }

    /// `oktober`, `October`.
    pub fn month_name(self, month: i8) -> &'static str {
        let i = (month.clamp(1, 12) - 1) as usize;
        match self {
            Lang::Nl => Self::MONTHS_NL[i],
            Lang::En => Self::MONTHS_EN[i],
        }
    }

    pub fn month(self, year: i16, month: i8) -> String {
        let i = (month.clamp(1, 12) - 1) as usize;
        match self {
            Lang::Nl => format!("{} {year}", Self::MONTHS_NL[i]),
            Lang::En => format!("{} {year}", Self::MONTHS_EN[i]),
        }
    }

    /// `2 min 05 s`, `45 s`.
    pub fn duration(self, seconds: i64) -> String {
        if seconds >= 60 {
            format!("{} min {:02} s", seconds / 60, seconds % 60)
        } else {
            format!("{seconds} s")
        }
    }
}

/// A language by its own name, as its speakers know it: `Nederlands`, `English`, `Türkçe`.
pub fn language_name(code: &str) -> &str {
    match code {
        "nl" => "Nederlands",
        "en" => "English",
        "tr" => "Türkçe",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_switchboards_notes_are_worded_in_the_pages_language_and_other_notes_as_written() {
        use crate::domain::desk::{SwitchboardNote, SWITCHBOARD_AUTHOR};
        let wishes = SwitchboardNote::Wishes {
            helpers_from: crate::domain::participant::Distance::Near,
            experienced_only: true,
        }
        .as_stored();
        assert_eq!(
            Lang::Nl.note_text(SWITCHBOARD_AUTHOR, &wishes),
            "Niemand gebeld door de wensen: de beller wil hulp van dichtbij; deze hulp vraagt om ervaren buren."
        );
        assert_eq!(
            Lang::En.note_text(SWITCHBOARD_AUTHOR, "desk-only"),
            "Desk only: nobody was rung, the desk calls back."
        );
        assert_eq!(Lang::Nl.note_text("Els", "desk-only"), "desk-only", "a person's note is theirs");
        assert_eq!(Lang::Nl.note_text(SWITCHBOARD_AUTHOR, "Oud bericht"), "Oud bericht");
    }

    #[test]
    fn times_read_in_the_neighbourhoods_zone() {
        let tz = TimeZone::get("Europe/Amsterdam").unwrap();
        let at: Timestamp = "2026-11-24T09:15:00Z".parse().unwrap();
        assert_eq!(Lang::Nl.when(at, &tz), "di 24-11-2026 10:15");
        assert_eq!(Lang::En.when(at, &tz), "Tue 24-11-2026 10:15");
        assert_eq!(Lang::Nl.when_short(at, &tz), "di 24-11 10:15");
        assert_eq!(Lang::Nl.month(2026, 11), "november 2026");
        assert_eq!(Lang::Nl.duration(125), "2 min 05 s");
        assert_eq!(Lang::En.duration(45), "45 s");
    }
}
