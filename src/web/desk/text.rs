//! The desk's words, Dutch first with English alongside, and how times read.

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

    pub fn outcome(self, outcome: Option<&str>) -> &'static str {
        match outcome {
            None => self.t("Bezig", "In progress"),
            Some("matched") => self.t("Buur gevonden", "Neighbour found"),
            Some("unmatched") => self.t("Niemand gevonden", "Nobody found"),
            Some("desk") => self.t("Balie gesproken", "Spoke to the desk"),
            Some("voicemail") => self.t("Bericht ingesproken", "Left a message"),
            Some("abandoned") => self.t("Opgehangen", "Hung up"),
            Some("unconfirmed") => self.t("Buur zei ja, niet bevestigd", "Neighbour said yes, not confirmed"),
            Some(_) => self.t("Onbekend", "Unknown"),
        }
    }

    /// What the Now page shows while a call is going.
    pub fn phase(self, phase: &str) -> &'static str {
        match phase {
            "menu" => self.t("Kiest in het menu", "Choosing in the menu"),
            "ringing" => self.t("Zoekt een buur", "Looking for a neighbour"),
            "connected" => self.t("In gesprek met een buur", "Talking to a neighbour"),
            "desk" => self.t("Wordt doorverbonden met de balie", "Being put through to the desk"),
            "voicemail" => self.t("Spreekt een bericht in", "Leaving a message"),
            _ => self.t("Afgelopen", "Ended"),
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

    pub fn follow_up_reason(self, reason: &str) -> &'static str {
        match reason {
            "unmatched" => self.t("Niemand gevonden: terugbellen", "Nobody found: call back"),
            "voicemail" => self.t("Bericht ingesproken: terugbellen beloofd", "Left a message: call back promised"),
            "abandoned" => self.t("Opgehangen voor er hulp was", "Hung up before help was found"),
            "unconfirmed" => self.t(
                "Een buur zei ja, maar de verbinding is niet bevestigd: vraag of het gesprek er was",
                "A neighbour said yes, but the connection was not confirmed: ask whether they spoke",
            ),
            _ => self.t("Opvolgen", "Follow up"),
        }
    }

    /// An audit log action (stored in English) in the page's language.
    pub fn audit_action(self, action: &str) -> String {
        let (nl, en) = match action {
            "login" => ("ingelogd", "logged in"),
            "viewed call" => ("gesprek bekeken", "viewed a call"),
            "viewed follow-ups" => ("opvolgen bekeken", "viewed follow-ups"),
            "viewed participant" => ("deelnemer bekeken", "viewed a participant"),
            "played voicemail" => ("bericht afgespeeld", "played a message"),
            "printed follow-ups" => ("daglijst afgedrukt", "printed the day list"),
            "added note" => ("notitie toegevoegd", "added a note"),
            "added participant" => ("deelnemer toegevoegd", "added a participant"),
            "changed participant" => ("deelnemer gewijzigd", "changed a participant"),
            "paused participant" => ("deelnemer gepauzeerd", "paused a participant"),
            "resumed participant" => ("deelnemer weer actief", "resumed a participant"),
            "set do-not-pair" => ("niet koppelen ingesteld", "set do-not-pair"),
            "removed do-not-pair" => ("niet koppelen opgeheven", "removed do-not-pair"),
            "erased participant" => ("deelnemer gewist", "erased a participant"),
            "exported participants" => ("deelnemers gedownload", "downloaded participants"),
            "imported participants" => ("deelnemers ingelezen", "imported participants"),
            "closed follow-up" => ("opvolging afgehandeld", "closed a follow-up"),
            "reopened follow-up" => ("opvolging heropend", "reopened a follow-up"),
            "assigned follow-up" => ("opvolging toegewezen", "assigned a follow-up"),
            "not reached on call back" => ("niet bereikt bij terugbellen", "not reached on call back"),
            "started a call-back search" => ("terugbelzoektocht gestart", "started a call-back search"),
            "stopped a call-back search" => ("terugbelzoektocht gestopt", "stopped a call-back search"),
            "took a call-back request" => ("verzoek aangenomen", "took a request"),
            "added user" => ("gebruiker toegevoegd", "added a user"),
            "made coordinator" => ("coördinator gemaakt", "made coordinator"),
            "made desk" => ("balie gemaakt", "made desk"),
            "disabled user" => ("gebruiker uitgeschakeld", "disabled a user"),
            "enabled user" => ("gebruiker ingeschakeld", "enabled a user"),
            "set password" => ("wachtwoord gegeven", "set a password"),
            "changed own password" => ("eigen wachtwoord gewijzigd", "changed own password"),
            "set neighbourhoods" => ("buurten ingesteld", "set neighbourhoods"),
            other => return other.to_string(),
        };
        self.t(nl, en).to_string()
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

#[cfg(test)]
mod tests {
    use super::*;

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
