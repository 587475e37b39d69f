//! A participant ("deelnemer"): a neighbour who may help, ask, or both.
//!
//! Validation of every field a person types (CSV import, CLI, the desk's forms) lives
//! here, so a bad value is refused with the field's name before anything is stored; free
//! text is held to a length (`MAX_NAME_CHARS`, `MAX_STREET_CHARS`, `MAX_AVAILABLE_CHARS`).

use jiff::civil::Date;

use super::hours::{HoursError, WeeklyHours};
use super::phone::PhoneNumber;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Distance {
    /// Happy to help anyone in the neighbourhood.
    Any,
    /// Prefers to help close to home: the same street or postcode area.
    Near,
    /// Prefers not to help their direct neighbours.
    NotOwnStreet,
}

impl Distance {
    pub fn parse(s: &str) -> Result<Distance, FieldProblem> {
        match s.trim().to_ascii_lowercase().as_str() {
            "" | "any" => Ok(Distance::Any),
            "near" => Ok(Distance::Near),
            "not-own-street" => Ok(Distance::NotOwnStreet),
            other => Err(FieldProblem::Distance(other.to_string())),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Distance::Any => "any",
            Distance::Near => "near",
            Distance::NotOwnStreet => "not-own-street",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Participant {
    pub id: i64,
    pub details: ParticipantDetails,
    pub paused: bool,
    /// When set, the pause ends on this date.
    pub paused_until: Option<Date>,
    /// The neighbourhoods (keys) they belong to, sorted.
    pub neighbourhoods: Vec<String>,
}

/// Everything a person fills in about a participant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParticipantDetails {
    pub name: String,
    pub phone: PhoneNumber,
    /// Category keys this person helps with; empty for someone who only asks.
    pub offers: Vec<String>,
    /// When they may be rung; empty means whenever the dialplan rings.
    pub available: WeeklyHours,
    pub street: String,
    pub postcode: String,
    pub distance: Distance,
    /// The language they hear, as caller and as helper (a prompt file's name); `None` is
    /// the neighbourhood's own.
    pub language: Option<String>,
    /// Issue 27: the slow line (every menu said twice, a pause before each choice, a
    /// longer wait for a key). `None`: not given (a new participant has none, one in the
    /// register keeps theirs); read from the register as `Some(true)` or `None`.
    pub slow_line: Option<bool>,
    /// Their say over who comes (issue 27); `None` only in what is typed without it (a
    /// file without those columns): what is stored is kept. Read it with [`Self::say`].
    pub say: Option<Say>,
}

/// A resident's say over who comes, and the desk's marks on a participant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Say {
    /// Helpers from near by, from further away, or either (the words of a helper's own
    /// `distance`: `near`, `not-own-street`, `any`).
    pub helpers_from: Distance,
    /// Whether their street is named to a helper before the helper says yes.
    pub street: StreetSaid,
    /// Set by a coordinator: their requests go to the desk, no neighbour is rung.
    pub desk_only: bool,
    /// Kinds of help the desk marked them as experienced in (category keys, sorted).
    pub experienced: Vec<String>,
}

impl Say {
    /// What nobody chose: either distance, the street named, no marks.
    pub const DEFAULT: Say =
        Say { helpers_from: Distance::Any, street: StreetSaid::Always, desk_only: false, experienced: Vec::new() };

    /// Checks typed fields (a form or a file's columns), each named when wrong.
    pub fn parse(input: &SayInput<'_>, known_categories: &[String]) -> Result<Say, FieldError> {
        let helpers_from =
            Distance::parse(input.helpers_from).map_err(|problem| FieldError { field: "helpers_from", problem })?;
        let street = StreetSaid::parse(input.street).map_err(|problem| FieldError { field: "street_said", problem })?;
        let desk_only = parse_yes_no(input.desk_only).map_err(|problem| FieldError { field: "desk_only", problem })?;
        let mut experienced: Vec<String> = Vec::new();
        for key in input.experienced.split(';').map(|k| k.trim().to_ascii_lowercase()).filter(|k| !k.is_empty()) {
            if !known_categories.contains(&key) {
                let known = known_categories.join(", ");
                return Err(FieldError { field: "experienced", problem: FieldProblem::UnknownCategory { key, known } });
            }
            experienced.push(key);
        }
        experienced.sort();
        experienced.dedup();
        Ok(Say { helpers_from, street, desk_only, experienced })
    }

    pub fn is_experienced_in(&self, category: &str) -> bool {
        self.experienced.iter().any(|c| c == category)
    }
}

impl Default for Say {
    fn default() -> Say {
        Say::DEFAULT
    }
}

/// The raw text of a say's fields, as typed.
#[derive(Clone, Debug, Default)]
pub struct SayInput<'a> {
    pub helpers_from: &'a str,
    pub street: &'a str,
    /// `yes` or `no` (empty: no).
    pub desk_only: &'a str,
    /// Category keys separated by `;`.
    pub experienced: &'a str,
}

/// When a helper hears the resident's street.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StreetSaid {
    /// In the request, as always.
    Always,
    /// Only once the helper said yes: before it, "iemand uit de buurt".
    AfterYes,
}

impl StreetSaid {
    pub const ALL: [StreetSaid; 2] = [StreetSaid::Always, StreetSaid::AfterYes];

    /// The stored word; `parse` is its inverse (empty: `always`).
    pub fn as_str(self) -> &'static str {
        match self {
            StreetSaid::Always => "always",
            StreetSaid::AfterYes => "after-yes",
        }
    }

    pub fn parse(s: &str) -> Result<StreetSaid, FieldProblem> {
        match s.trim().to_ascii_lowercase().as_str() {
            "" => Ok(StreetSaid::Always),
            word => StreetSaid::ALL
                .into_iter()
                .find(|w| w.as_str() == word)
                .ok_or_else(|| FieldProblem::StreetSaid(word.to_string())),
        }
    }
}

/// `yes` or `no`, as a file or a form says it (empty: no).
fn parse_yes_no(s: &str) -> Result<bool, FieldProblem> {
    match s.trim().to_ascii_lowercase().as_str() {
        "" | "no" => Ok(false),
        "yes" => Ok(true),
        other => Err(FieldProblem::YesNo(other.to_string())),
    }
}

/// `yes` or `no`, as the CSV writes a flag.
pub fn yes_no(flag: bool) -> &'static str {
    if flag {
        "yes"
    } else {
        "no"
    }
}

/// The longest name, in characters: the desk shows it, a helper hears its first word.
pub const MAX_NAME_CHARS: usize = 80;
/// The longest street, in characters: a helper hears it in the whisper.
pub const MAX_STREET_CHARS: usize = 100;
/// The longest availability as written (`mon-fri 09:00-17:00; sat 10:00-12:00`), in
/// characters: a participant hears it by phone (key 8). Two times a day for every day of
/// the week, written out day by day, is under 200.
pub const MAX_AVAILABLE_CHARS: usize = 300;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct FieldError {
    pub field: &'static str,
    pub problem: FieldProblem,
}

/// What is wrong with a field; the desk says it in its own words (`web::desk::text`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldProblem {
    #[error("is empty")]
    Empty,
    #[error("is longer than {0} characters")]
    TooLong(usize),
    #[error(transparent)]
    Phone(#[from] crate::domain::phone::PhoneError),
    #[error("'{key}' is not a category of the dialplans (known: {known})")]
    UnknownCategory { key: String, known: String },
    #[error(transparent)]
    Hours(#[from] HoursError),
    #[error("'{0}' is not a Dutch postcode like 1234 AB")]
    Postcode(String),
    #[error("'{0}' is not one of any, near, not-own-street")]
    Distance(String),
    #[error("'{0}' is not one of always, after-yes")]
    StreetSaid(String),
    #[error("'{0}' is not one of yes, no")]
    YesNo(String),
    #[error("'{language}' is not a language of the switchboard (known: {known})")]
    UnknownLanguage { language: String, known: String },
    /// Issue 27: the slow line's field is not yes or no.
    #[error("'{0}' is not one of yes, no (or empty)")]
    SlowLine(String),
}

/// Issue 27: the slow line as typed (the CSV's `slow_line`): `yes`/`ja`/`1`/`true` on,
/// `no`/`nee`/`0`/`false` off, empty: not given (they keep what they have).
pub fn parse_slow_line(s: &str) -> Result<Option<bool>, FieldError> {
    match s.trim().to_lowercase().as_str() {
        "" => Ok(None),
        "yes" | "ja" | "1" | "true" => Ok(Some(true)),
        "no" | "nee" | "0" | "false" => Ok(Some(false)),
        other => Err(FieldError { field: "slow_line", problem: FieldProblem::SlowLine(other.to_string()) }),
    }
}

/// The raw text of each field, as typed.
#[derive(Clone, Debug, Default)]
pub struct ParticipantInput<'a> {
    pub name: &'a str,
    pub phone: &'a str,
    pub offers: &'a str,
    pub available: &'a str,
    pub street: &'a str,
    pub postcode: &'a str,
    pub distance: &'a str,
    /// Empty: the neighbourhood's own language.
    pub language: &'a str,
}

impl ParticipantDetails {
    /// Validates typed input. `known_categories` are the keys that some dialplan offers;
    /// an offer outside them would never be rung, so it is refused.
    pub fn parse(input: &ParticipantInput<'_>, known_categories: &[String]) -> Result<ParticipantDetails, FieldError> {
        let name = clean_text(input.name);
        if name.is_empty() {
            return Err(FieldError { field: "name", problem: FieldProblem::Empty });
        }
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(FieldError { field: "name", problem: FieldProblem::TooLong(MAX_NAME_CHARS) });
        }
        let phone = PhoneNumber::parse(input.phone).map_err(|e| FieldError { field: "phone", problem: e.into() })?;
        let mut offers: Vec<String> = Vec::new();
        for key in input.offers.split(';').map(|k| k.trim().to_ascii_lowercase()).filter(|k| !k.is_empty()) {
            if !known_categories.contains(&key) {
                return Err(FieldError {
                    field: "offers",
                    problem: FieldProblem::UnknownCategory { key, known: known_categories.join(", ") },
                });
            }
            if !offers.contains(&key) {
                offers.push(key);
            }
        }
        if input.available.trim().chars().count() > MAX_AVAILABLE_CHARS {
            return Err(FieldError { field: "available", problem: FieldProblem::TooLong(MAX_AVAILABLE_CHARS) });
        }
        let available =
            WeeklyHours::parse(input.available).map_err(|e| FieldError { field: "available", problem: e.into() })?;
        let street = clean_text(input.street);
        if street.chars().count() > MAX_STREET_CHARS {
            return Err(FieldError { field: "street", problem: FieldProblem::TooLong(MAX_STREET_CHARS) });
        }
        let postcode =
            normalise_postcode(input.postcode).map_err(|problem| FieldError { field: "postcode", problem })?;
        let distance = Distance::parse(input.distance).map_err(|problem| FieldError { field: "distance", problem })?;
        let language = Some(input.language.trim().to_ascii_lowercase()).filter(|l| !l.is_empty());
        Ok(ParticipantDetails {
            name,
            phone,
            offers,
            available,
            street,
            postcode,
            distance,
            language,
            slow_line: None,
            say: None,
        })
    }

    /// Refuses a language the switchboard cannot speak (`known`: its prompt files' names).
    pub fn check_language(&self, known: &[String]) -> Result<(), FieldError> {
        match &self.language {
            Some(l) if !known.contains(l) => Err(FieldError {
                field: "language",
                problem: FieldProblem::UnknownLanguage { language: l.clone(), known: known.join(", ") },
            }),
            _ => Ok(()),
        }
    }

    /// The first name, the only part of the name a helper hears.
    pub fn slow_line(&self) -> bool {
        self.slow_line == Some(true)
    }

    pub fn first_name(&self) -> &str {
        self.name.split_whitespace().next().unwrap_or(&self.name)
    }

    pub fn offers(&self, category: &str) -> bool {
        self.offers.iter().any(|o| o == category)
    }

    /// Their say over who comes (what nobody chose, when not known).
    pub fn say(&self) -> &Say {
        static NONE: Say = Say::DEFAULT;
        self.say.as_ref().unwrap_or(&NONE)
    }
}

impl Participant {
    pub fn is_paused_on(&self, today: Date) -> bool {
        self.paused && self.paused_until.is_none_or(|until| today < until)
    }
}

/// Collapses whitespace and drops control characters.
fn clean_text(s: &str) -> String {
    s.split(|c: char| c.is_whitespace() || c.is_control()).filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ")
}

/// Dutch postcodes as `1234 AB`; other text is kept as typed (trimmed, upper case).
fn normalise_postcode(s: &str) -> Result<String, FieldProblem> {
    let compact: String = s.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
    if compact.is_empty() {
        return Ok(String::new());
    }
    let bytes = compact.as_bytes();
    if bytes.len() == 6 && bytes[..4].iter().all(u8::is_ascii_digit) && bytes[4..].iter().all(u8::is_ascii_uppercase) {
        return Ok(format!("{} {}", &compact[..4], &compact[4..]));
    }
    if bytes.len() == 4 && bytes.iter().all(u8::is_ascii_digit) {
        return Ok(compact);
    }
    Err(FieldProblem::Postcode(s.trim().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cats() -> Vec<String> {
        vec!["shopping".into(), "transport".into()]
    }

    fn input<'a>(phone: &'a str, offers: &'a str, postcode: &'a str) -> ParticipantInput<'a> {
        ParticipantInput {
            name: "  Jan   de Vries ",
            phone,
            offers,
            available: "mon-fri 09:00-17:00",
            street: "Kerkstraat",
            postcode,
            distance: "near",
            language: "",
        }
    }

    #[test]
    fn a_good_row() {
        let p = ParticipantDetails::parse(&input("06-12345678", "shopping; transport;shopping", "1234ab"), &cats())
            .unwrap();
        assert_eq!(p.name, "Jan de Vries");
        assert_eq!(p.first_name(), "Jan");
        assert_eq!(p.phone.as_str(), "+31612345678");
        assert_eq!(p.offers, vec!["shopping", "transport"]);
        assert_eq!(p.postcode, "1234 AB");
        assert_eq!(p.distance, Distance::Near);
    }

    #[test]
    fn each_bad_field_is_named() {
        let err = |i: ParticipantInput<'_>| ParticipantDetails::parse(&i, &cats()).unwrap_err().to_string();
        assert_eq!(
            err(input("06-123", "", "")),
            "phone: '06-123' is not a valid phone number (for example 06-12345678 or +31 20 123 4567)"
        );
        assert_eq!(
            err(input("0612345678", "knitting", "")),
            "offers: 'knitting' is not a category of the dialplans (known: shopping, transport)"
        );
        assert_eq!(err(input("0612345678", "", "12")), "postcode: '12' is not a Dutch postcode like 1234 AB");
        let mut i = input("0612345678", "", "");
        i.distance = "far";
        assert_eq!(err(i.clone()), "distance: 'far' is not one of any, near, not-own-street");
        i.distance = "any";
        i.available = "mon 9-5";
        assert_eq!(err(i.clone()), "available: '9' is not a time like 09:00");
        i.available = "";
        i.name = " \t";
        assert_eq!(err(i), "name: is empty");
    }

    #[test]
    fn free_text_is_held_to_its_length() {
        let parse = |i: ParticipantInput<'_>| ParticipantDetails::parse(&i, &cats());
        let long_name = "Jan ".repeat(20) + "de Vries";
        let mut i = input("0612345678", "", "");
        i.name = &long_name;
        assert_eq!(parse(i.clone()).unwrap_err().to_string(), "name: is longer than 80 characters");
        let name = "é".repeat(MAX_NAME_CHARS);
        i.name = &name;
        assert_eq!(parse(i.clone()).unwrap().name, name, "characters are counted, not bytes");
        let street = "Kerkstraat".repeat(20_000);
        i.street = &street;
        let err = parse(i.clone()).unwrap_err();
        assert_eq!((err.field, &err.problem), ("street", &FieldProblem::TooLong(100)));
        assert_eq!(err.to_string(), "street: is longer than 100 characters");
        let street = format!("  {}  ", "s".repeat(MAX_STREET_CHARS));
        i.street = &street;
        assert_eq!(parse(i.clone()).unwrap().street.len(), MAX_STREET_CHARS, "counted as it is kept");
        let available = "mon 09:00-10:00; ".repeat(20);
        i.available = &available;
        assert_eq!(parse(i).unwrap_err().to_string(), "available: is longer than 300 characters");
    }

    #[test]
    fn a_say_is_checked_field_by_field() {
        let parse = |i: SayInput<'_>| Say::parse(&i, &cats());
        assert_eq!(parse(SayInput::default()).unwrap(), Say::DEFAULT);
        let say = parse(SayInput {
            helpers_from: "not-own-street",
            street: "After-Yes",
            desk_only: "yes",
            experienced: "transport; shopping;transport",
        })
        .unwrap();
        assert_eq!(say.helpers_from, Distance::NotOwnStreet);
        assert_eq!(say.street, StreetSaid::AfterYes);
        assert!(say.desk_only && say.is_experienced_in("shopping"));
        assert_eq!(say.experienced, ["shopping", "transport"]);
        let err = |i: SayInput<'_>| parse(i).unwrap_err().to_string();
        assert_eq!(
            err(SayInput { helpers_from: "far", ..Default::default() }),
            "helpers_from: 'far' is not one of any, near, not-own-street"
        );
        assert_eq!(
            err(SayInput { street: "never", ..Default::default() }),
            "street_said: 'never' is not one of always, after-yes"
        );
        assert_eq!(err(SayInput { desk_only: "ja", ..Default::default() }), "desk_only: 'ja' is not one of yes, no");
        assert_eq!(
            err(SayInput { experienced: "knitting", ..Default::default() }),
            "experienced: 'knitting' is not a category of the dialplans (known: shopping, transport)"
        );
        for w in StreetSaid::ALL {
            assert_eq!(StreetSaid::parse(w.as_str()), Ok(w));
        }
    }

    #[test]
    fn pauses_end_on_their_date() {
        let details = ParticipantDetails::parse(&input("0612345678", "", ""), &cats()).unwrap();
        let mut p = Participant { id: 1, details, paused: true, paused_until: None, neighbourhoods: Vec::new() };
        let day = jiff::civil::date(2026, 11, 23);
        assert!(p.is_paused_on(day));
        p.paused_until = Some(jiff::civil::date(2026, 11, 24));
        assert!(p.is_paused_on(day));
        assert!(!p.is_paused_on(jiff::civil::date(2026, 11, 24)));
        p.paused = false;
        assert!(!p.is_paused_on(day));
    }
}
