//! The planned-help page's words in the account's language: where a request stands, and
//! why a form was refused, naming the field.

use super::super::text::Lang;
use crate::domain::planned::{By, Refused, Status, DAYS_AHEAD};
use crate::switchboard::planned::{AddError, ChangeError, MAX_NOTE_CHARS};

impl Lang {
    /// A request's status, with its colour on the page.
    pub(super) fn planned_status(self, status: Status) -> (&'static str, &'static str) {
        match status {
            Status::Asking => ("amber", self.t("Zoekt een buur", "Looking for a neighbour")),
            Status::Unfilled => ("red", self.t("Niemand gevonden", "Nobody found")),
            Status::Matched => ("green", self.t("Buur gevonden", "Neighbour found")),
            Status::Confirmed => ("green", self.t("Buur gevonden en bevestigd", "Neighbour found and confirmed")),
            Status::Cancelled(By::Requester) => {
                ("grey", self.t("Afgezegd door de bewoner", "Cancelled by the resident"))
            }
            Status::Cancelled(By::Helper) => {
                ("grey", self.t("Afgezegd door de buur die zou helpen", "Cancelled by the neighbour who would help"))
            }
            Status::Cancelled(By::Desk) => ("grey", self.t("Afgezegd door de balie", "Cancelled by the desk")),
            Status::Happened => ("green", self.t("Is gebeurd", "Happened")),
            Status::NotHappened => ("red", self.t("Niet goed gegaan", "Did not happen")),
        }
    }

    /// `di 08-12 10:00`: a local day and time.
    pub(super) fn day_and_time(self, at: jiff::civil::DateTime) -> String {
        format!("{} {:02}:{:02}", self.day(at.date()), at.hour(), at.minute())
    }

    /// Why a moment cannot be asked for, with what is possible instead.
    fn planned_refused(self, refused: &Refused) -> String {
        match (self, refused) {
            (Lang::Nl, Refused::Past { earliest, .. }) => {
                format!("Dag en tijd: dat moment is al voorbij. Het vroegst mogelijke is {}.", self.day_and_time(*earliest))
            }
            (Lang::En, Refused::Past { earliest, .. }) => {
                format!("Day and time: that moment has passed. The earliest possible is {}.", self.day_and_time(*earliest))
            }
            (Lang::Nl, Refused::TooSoon { min_hours, earliest, .. }) => format!(
                "Dag en tijd: deze hulp moet minstens {min_hours} uur van tevoren gevraagd worden. Het vroegst mogelijke is {}.",
                self.day_and_time(*earliest)
            ),
            (Lang::En, Refused::TooSoon { min_hours, earliest, .. }) => format!(
                "Day and time: this kind of help must be asked for at least {min_hours} hours ahead. The earliest possible is {}.",
                self.day_and_time(*earliest)
            ),
            (Lang::Nl, Refused::TooFar { latest, .. }) => format!(
                "Dag en tijd: hoogstens {DAYS_AHEAD} dagen vooruit. Het laatst mogelijke is {}.",
                self.day_and_time(*latest)
            ),
            (Lang::En, Refused::TooFar { latest, .. }) => format!(
                "Day and time: at most {DAYS_AHEAD} days ahead. The latest possible is {}.",
                self.day_and_time(*latest)
            ),
            (_, Refused::NoSuchTime { .. }) => self
                .t(
                    "Dag en tijd: die tijd bestaat niet op die dag (de klok wordt verzet).",
                    "Day and time: that time does not exist on that day (the clocks change).",
                )
                .to_string(),
        }
    }

    /// Why a request was not taken, naming the field.
    pub(super) fn planned_add_error(self, error: &AddError) -> String {
        let t = |nl: &'static str, en: &'static str| self.t(nl, en).to_string();
        match error {
            AddError::Phone(_) => t(
                "Telefoonnummer van de bewoner: dit is geen geldig nummer.",
                "The resident's phone number: this is not a valid number.",
            ),
            AddError::NotInRegister(_) => t(
                "Telefoonnummer van de bewoner: dit nummer staat niet bij de deelnemers. Voeg de bewoner eerst toe bij Deelnemers.",
                "The resident's phone number: this number is not in the register. Add the resident under Participants first.",
            ),
            AddError::UnknownNeighbourhood { .. } => t("Buurt: deze buurt kent de balie niet.", "Neighbourhood: unknown."),
            AddError::WhichNeighbourhood { .. } => t(
                "Buurt: kies de buurt; de bewoner staat in meer dan één buurt.",
                "Neighbourhood: choose one; the resident is in more than one.",
            ),
            AddError::UnknownKind { .. } => {
                t("Hulp bij: deze hulp bestaat niet in deze buurt.", "Help with: no such kind of help in this neighbourhood.")
            }
            AddError::NotPlannable { .. } => t(
                "Hulp bij: deze hulp kan in deze buurt niet vooruit gevraagd worden.",
                "Help with: this kind of help cannot be planned in this neighbourhood.",
            ),
            AddError::At(_) => t(
                "Dag en tijd: vul een dag en een tijd in.",
                "Day and time: fill in a day and a time.",
            ),
            AddError::When(refused) => self.planned_refused(refused),
            AddError::NoteTooLong => match self {
                Lang::Nl => format!("Notitie: hoogstens {MAX_NOTE_CHARS} tekens."),
                Lang::En => format!("Note: at most {MAX_NOTE_CHARS} characters."),
            },
        }
    }

    /// Why a request could not be matched or cancelled. Nothing was changed.
    pub(super) fn planned_change_error(self, error: &ChangeError) -> String {
        let t = |nl: &'static str, en: &'static str| self.t(nl, en).to_string();
        match error {
            ChangeError::NoSuchRequest(_) => t("Dit verzoek bestaat niet.", "This request does not exist."),
            ChangeError::NotOpen { status, .. } => format!(
                "{} “{}”. {}",
                self.t("Dit verzoek staat al op", "This request already stands at"),
                self.planned_status(*status).1,
                self.t("Er is niets gewijzigd.", "Nothing was changed."),
            ),
            ChangeError::Phone(_) | ChangeError::NotAHelper(_) => {
                t("Wie helpt: kies een buur uit deze buurt.", "Who helps: choose a neighbour of this neighbourhood.")
            }
            ChangeError::IsRequester => {
                t("Wie helpt: de bewoner kan zichzelf niet helpen.", "Who helps: the resident cannot help themselves.")
            }
        }
    }
}
