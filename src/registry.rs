//! The participants CSV: `name,phone,offers,available,street,postcode,distance`, and
//! optionally `neighbourhoods` (keys separated by `;`) and `language` (`nl`, `en`, `tr`;
//! empty: the neighbourhood's own), `slow_line` (issue 27: `yes` or `no`; empty: a
//! participant in the register keeps theirs, a new one has none), and a say over who
//! comes (`SAY`).
//!
//! Import checks every row first and reports every bad one with its line number; only a
//! file without errors is stored, in one transaction.

use std::collections::HashMap;

use crate::csv_cell;
use crate::domain::participant::{
    parse_slow_line, yes_no, Participant, ParticipantDetails, ParticipantInput, Say, SayInput,
};

pub const HEADER: [&str; 7] = ["name", "phone", "offers", "available", "street", "postcode", "distance"];
/// Columns a file may have besides `HEADER`.
pub const OPTIONAL: [&str; 3] = ["neighbourhoods", "language", "slow_line"];
/// A participant's say over who comes (issue 27), optional too: `helpers_from` (`any`,
/// `near`, `not-own-street`), `street_said` (`always`, `after-yes`), `desk_only` (`yes`,
/// `no`) and `experienced` (kinds of help, `;` between). A file with none of them keeps
/// what is stored; one with some sets the rest to what nobody chose.
pub const SAY: [&str; 4] = ["helpers_from", "street_said", "desk_only", "experienced"];

/// Every column's name in Dutch (issue 29): a file may use these as well as the English
/// ones, in any mix; a header is read without regard to case, and a space or a hyphen in
/// it counts as `_` ("Helpt met" is `helpt_met`). The desk's export in Dutch writes these.
pub const DUTCH: [(&str, &str); 14] = [
    ("name", "naam"),
    ("phone", "telefoon"),
    ("offers", "helpt_met"),
    ("available", "beschikbaar"),
    ("street", "straat"),
    ("postcode", "postcode"),
    ("distance", "afstand"),
    ("neighbourhoods", "buurten"),
    ("language", "taal"),
    ("slow_line", "langzame_lijn"),
    ("helpers_from", "hulp_van"),
    ("street_said", "straat_noemen"),
    ("desk_only", "alleen_via_de_balie"),
    ("experienced", "ervaren_in"),
];

/// A column's Dutch name, from its English one (itself when it has none).
pub fn dutch_column(column: &str) -> &str {
    DUTCH.iter().find(|(en, _)| *en == column).map(|(_, nl)| *nl).unwrap_or(column)
}

/// The column a header names (its English name), in either language.
fn column_of(header: &str) -> Option<&'static str> {
    let name: String = header
        .trim_start_matches('\u{feff}')
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| if c == ' ' || c == '-' { '_' } else { c })
        .collect();
    DUTCH.iter().find(|(en, nl)| *en == name || *nl == name).map(|(en, _)| *en)
}

/// One row of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub line: u64,
    pub details: ParticipantDetails,
    /// The row's `neighbourhoods` field, when the file has that column and the field is
    /// not empty: checked against the install's keys, sorted.
    pub neighbourhoods: Option<Vec<String>>,
}

/// What a row is checked against: the dialplans' categories and neighbourhoods.
pub struct Known<'a> {
    pub categories: &'a [String],
    pub neighbourhoods: &'a [String],
    /// Kinds of help by their names, lower case, with their keys
    /// (`config::Neighbourhoods::category_names`): `offers` may use either.
    pub names: &'a [(String, String)],
    /// The languages the switchboard speaks (its prompt files' names).
    pub languages: &'a [String],
}

/// The `offers` field with each kind of help named by its key.
fn offers_by_key(field: &str, known: &Known<'_>) -> String {
    field
        .split(';')
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(|o| {
            if known.categories.iter().any(|c| c == o) {
                return o.to_string();
            }
            let lower = o.to_lowercase();
            known
                .names
                .iter()
                .find(|(name, _)| *name == lower)
                .map(|(_, key)| key.clone())
                .unwrap_or_else(|| o.to_string())
        })
        .collect::<Vec<_>>()
        .join(";")
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: u64,
    pub problem: RowProblem,
}

/// What is wrong with a line of the file; the desk says it in its own words
/// (`web::desk::text`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RowProblem {
    #[error("cannot read the header: {0}")]
    Header(String),
    #[error("unknown column '{0}' (the header is name,phone,offers,available,street,postcode,distance, optionally with neighbourhoods, language, slow_line, helpers_from, street_said, desk_only and experienced)")]
    UnknownColumn(String),
    #[error("column '{0}' appears twice")]
    ColumnTwice(String),
    #[error("missing column '{0}' (the header is name,phone,offers,available,street,postcode,distance)")]
    MissingColumn(String),
    #[error("cannot read this row: {0}")]
    Unreadable(String),
    #[error("has {got} fields, the header has {want} (put a field that holds a comma in double quotes)")]
    FieldCount { got: usize, want: usize },
    #[error("neighbourhoods: '{key}' is not a neighbourhood of this install (known: {known})")]
    UnknownNeighbourhood { key: String, known: String },
    #[error("phone: {phone} is also on line {first}")]
    PhoneTwice { phone: String, first: u64 },
    #[error(transparent)]
    Field(#[from] crate::domain::participant::FieldError),
    #[error("neighbourhoods: none given, and there are several ({known}): add a `neighbourhoods` column or import with --neighbourhood KEY")]
    NoNeighbourhood { known: String },
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.problem)
    }
}

/// Parses a whole CSV file against the dialplans' categories and neighbourhoods.
pub fn parse(csv_text: &str, known: &Known<'_>) -> Result<Vec<Row>, Vec<RowError>> {
    let categories = known.categories;
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).flexible(true).from_reader(csv_text.as_bytes());
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => return Err(vec![RowError { line: 1, problem: RowProblem::Header(e.to_string()) }]),
    };
    let mut columns = HashMap::new();
    let mut errors = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        match column_of(h) {
            None => errors.push(RowError { line: 1, problem: RowProblem::UnknownColumn(h.to_string()) }),
            Some(name) => {
                if columns.insert(name.to_string(), i).is_some() {
                    errors.push(RowError { line: 1, problem: RowProblem::ColumnTwice(name.to_string()) });
                }
            }
        }
    }
    for required in HEADER {
        if !columns.contains_key(required) {
            errors.push(RowError { line: 1, problem: RowProblem::MissingColumn(required.to_string()) });
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut rows = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                errors.push(RowError { line, problem: RowProblem::Unreadable(e.to_string()) });
                continue;
            }
        };
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        if record.iter().all(|f| f.is_empty()) {
            continue;
        }
        if record.len() != headers.len() {
            errors.push(RowError { line, problem: RowProblem::FieldCount { got: record.len(), want: headers.len() } });
            continue;
        }
        // Cells as typed: the quote an export put before a formula-like cell comes off.
        let record: Vec<std::borrow::Cow<'_, str>> = record.iter().map(csv_cell::restore).collect();
        let field = |name: &str| record.get(columns[name]).map(|c| c.as_ref()).unwrap_or("");
        let offers = offers_by_key(field("offers"), known);
        let input = ParticipantInput {
            name: field("name"),
            phone: field("phone"),
            offers: &offers,
            available: field("available"),
            street: field("street"),
            postcode: field("postcode"),
            distance: field("distance"),
            language: columns.get("language").and_then(|&i| record.get(i)).map(|c| c.as_ref()).unwrap_or(""),
        };
        let neighbourhoods = match columns.get("neighbourhoods").and_then(|&i| record.get(i)).map(|c| c.as_ref()) {
            Some(field) if !field.trim().is_empty() => {
                let mut keys: Vec<String> =
                    field.split(';').map(str::trim).filter(|k| !k.is_empty()).map(str::to_string).collect();
                if let Some(unknown) = keys.iter().find(|k| !known.neighbourhoods.contains(k)) {
                    errors.push(RowError {
                        line,
                        problem: RowProblem::UnknownNeighbourhood {
                            key: unknown.clone(),
                            known: known.neighbourhoods.join(", "),
                        },
                    });
                    continue;
                }
                keys.sort();
                keys.dedup();
                Some(keys)
            }
            _ => None,
        };
        // Issue 27: the slow line, when the file has the column.
        let slow = columns.get("slow_line").and_then(|&i| record.get(i)).map(|c| c.as_ref()).unwrap_or("");
        let optional = |name: &str| columns.get(name).and_then(|&i| record.get(i)).map(|c| c.as_ref()).unwrap_or("");
        let experienced = offers_by_key(optional("experienced"), known);
        let say = SayInput {
            helpers_from: optional("helpers_from"),
            street: optional("street_said"),
            desk_only: optional("desk_only"),
            experienced: &experienced,
        };
        let has_say = SAY.iter().any(|c| columns.contains_key(*c));
        let parsed = ParticipantDetails::parse(&input, categories)
            .and_then(|d| d.check_language(known.languages).map(|_| d))
            .and_then(|d| Ok(ParticipantDetails { slow_line: parse_slow_line(slow)?, ..d }))
            .and_then(|d| match has_say {
                true => Say::parse(&say, categories).map(|say| ParticipantDetails { say: Some(say), ..d }),
                false => Ok(d),
            });
        match parsed {
            Ok(details) => {
                if let Some(first) = seen.insert(details.phone.as_str().to_string(), line) {
                    let phone = details.phone.to_string();
                    errors.push(RowError { line, problem: RowProblem::PhoneTwice { phone, first } });
                    continue;
                }
                rows.push(Row { line, details, neighbourhoods });
            }
            Err(e) => errors.push(RowError { line, problem: e.into() }),
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

/// The columns of `SAY` only a coordinator may import (`desk_only`, `experienced`).
pub const COORDINATOR_ONLY: [&str; 2] = ["desk_only", "experienced"];

/// Whether the file's header has a column only a coordinator may import.
pub fn has_coordinator_columns(csv_text: &str) -> bool {
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).flexible(true).from_reader(csv_text.as_bytes());
    reader.headers().is_ok_and(|h| h.iter().any(|c| column_of(c).is_some_and(|c| COORDINATOR_ONLY.contains(&c))))
}

/// Which neighbourhoods each row's participant is to be in, and whether that replaces the
/// ones they have: a row's own `neighbourhoods` field replaces them; otherwise `default`
/// (the import's `--neighbourhood`, or the install's only neighbourhood) is added. With
/// neither, every such row is named and nothing is imported.
pub fn assign(
    rows: &[Row],
    default: Option<&str>,
    known: &[String],
) -> Result<Vec<(Vec<String>, bool)>, Vec<RowError>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for row in rows {
        match (&row.neighbourhoods, default) {
            (Some(keys), _) => out.push((keys.clone(), true)),
            (None, Some(key)) => out.push((vec![key.to_string()], false)),
            (None, None) => errors
                .push(RowError { line: row.line, problem: RowProblem::NoNeighbourhood { known: known.join(", ") } }),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// The rows with what `assign` gave them, as `store::participants::import` takes them.
pub fn with_assigned<'a>(
    rows: &'a [Row],
    assigned: &'a [(Vec<String>, bool)],
) -> impl Iterator<Item = (&'a ParticipantDetails, &'a [String], bool)> {
    rows.iter().zip(assigned).map(|(r, (keys, replace))| (&r.details, keys.as_slice(), *replace))
}

/// Writes participants in the import format, with their neighbourhoods.
pub fn export(participants: &[Participant]) -> anyhow::Result<String> {
    export_with(participants, |column| column)
}

/// The export with its header row in Dutch (`DUTCH`), for the desk in Dutch; it imports
/// back the same.
pub fn export_dutch(participants: &[Participant]) -> anyhow::Result<String> {
    export_with(participants, dutch_column)
}

fn export_with(participants: &[Participant], header: fn(&str) -> &str) -> anyhow::Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    csv_cell::write_row(&mut w, HEADER.iter().chain(OPTIONAL.iter()).chain(SAY.iter()).map(|c| header(c)))?;
    for p in participants {
        let d = &p.details;
        let say = d.say();
        csv_cell::write_row(
            &mut w,
            [
                d.name.as_str(),
                d.phone.as_str(),
                &d.offers.join(";"),
                d.available.as_str(),
                &d.street,
                &d.postcode,
                d.distance.as_str(),
                &p.neighbourhoods.join(";"),
                d.language.as_deref().unwrap_or(""),
                if d.slow_line() { "yes" } else { "" },
                say.helpers_from.as_str(),
                say.street.as_str(),
                yes_no(say.desk_only),
                &say.experienced.join(";"),
            ],
        )?;
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cats() -> Vec<String> {
        ["shopping", "transport", "odd-jobs", "company"].iter().map(|s| s.to_string()).collect()
    }

    fn langs() -> Vec<String> {
        vec!["en".to_string(), "nl".to_string(), "tr".to_string()]
    }

    fn hoods() -> Vec<String> {
        vec!["dorp-a".to_string(), "dorp-b".to_string()]
    }

    /// The embedded prompts' names of the kinds of help.
    fn names() -> Vec<(String, String)> {
        crate::config::Neighbourhoods::embedded().category_names()
    }

    #[test]
    fn a_kind_of_help_may_be_named_as_people_say_it() {
        let text = "name,phone,offers,available,street,postcode,distance\nFatima,0612345678,Boodschappen; transport;SHOPPING;odd jobs,za 10:00-12:00,Molenweg,1234 AB,any\n";
        let rows = parse(text, &cats());
        let errors = rows.unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].to_string().contains("odd jobs"), "the unknown one is named: {errors:?}");
        let text = "name,phone,offers,available,street,postcode,distance\nFatima,0612345678,Boodschappen; transport;Een praatje of wat gezelschap;A small job in or around the house,za 10:00-12:00,Molenweg,1234 AB,any\n";
        let rows = parse(text, &cats()).unwrap();
        let mut offers = rows[0].details.offers.clone();
        offers.sort();
        assert_eq!(offers, ["company", "odd-jobs", "shopping", "transport"]);
    }

    fn parse(text: &str, categories: &[String]) -> Result<Vec<Row>, Vec<RowError>> {
        super::parse(text, &Known { categories, neighbourhoods: &hoods(), names: &names(), languages: &langs() })
    }

    #[test]
    fn a_language_column_is_read_and_checked() {
        let text = "name,phone,offers,available,street,postcode,distance,language\nFatma,0612345678,shopping,,Molenweg,,any,TR\nAnja,0612345679,shopping,,Molenweg,,any,\nPiet,0612345670,shopping,,Molenweg,,any,fr\n";
        let errors = parse(text, &cats()).unwrap_err();
        assert_eq!(
            errors.iter().map(|e| e.to_string()).collect::<Vec<_>>(),
            ["line 4: language: 'fr' is not a language of the switchboard (known: en, nl, tr)"]
        );
        let rows = parse(&text.replace(",fr\n", ",\n"), &cats()).unwrap();
        assert_eq!(rows[0].details.language.as_deref(), Some("tr"));
        assert_eq!(rows[1].details.language, None, "empty: the neighbourhood's own");
    }

    #[test]
    fn a_slow_line_column_is_read_checked_and_exported() {
        let text = "name,phone,offers,available,street,postcode,distance,slow_line\nFatma,0612345678,shopping,,Molenweg,,any,yes\nAnja,0612345679,shopping,,Molenweg,,any,\nPiet,0612345670,shopping,,Molenweg,,any,misschien\nKees,0612345671,,,Molenweg,,any,Nee\n";
        let errors = parse(text, &cats()).unwrap_err();
        assert_eq!(
            errors.iter().map(|e| e.to_string()).collect::<Vec<_>>(),
            ["line 4: slow_line: 'misschien' is not one of yes, no (or empty)"]
        );
        let rows = parse(&text.replace(",misschien\n", ",ja\n"), &cats()).unwrap();
        let slow: Vec<Option<bool>> = rows.iter().map(|r| r.details.slow_line).collect();
        assert_eq!(slow, [Some(true), None, Some(true), Some(false)], "empty: not given, they keep theirs");
        let participants: Vec<Participant> = rows
            .into_iter()
            .map(|row| Participant {
                id: row.line as i64,
                details: row.details,
                paused: false,
                paused_until: None,
                neighbourhoods: Vec::new(),
            })
            .collect();
        let exported = export(&participants).unwrap();
        assert!(exported
            .starts_with("name,phone,offers,available,street,postcode,distance,neighbourhoods,language,slow_line,helpers_from,street_said,desk_only,experienced\n"));
        assert!(exported.lines().nth(1).unwrap().ends_with(",any,,,yes,any,always,no,"), "{exported}");
        assert!(exported.lines().nth(2).unwrap().ends_with(",any,,,,any,always,no,"), "{exported}");
    }

    #[test]
    fn the_example_file_imports() {
        let rows = parse(crate::config::EXAMPLE_PARTICIPANTS, &cats()).unwrap();
        assert_eq!(rows.len(), 6);
        assert_eq!(rows[1].details.phone.as_str(), "+31610000001");
        assert_eq!(rows[1].details.offers, vec!["shopping", "company"]);
        assert_eq!(rows[1].neighbourhoods, None);
    }

    #[test]
    fn every_bad_row_is_named_by_line() {
        let csv = "name,phone,offers,available,street,postcode,distance\n\
                   Anja,06-10000001,shopping,,Molenweg,1234 CD,any\n\
                   Bert,06-1000,shopping,,Dorpsweg,,any\n\
                   Carla,06-10000003,knitting,,Kerkstraat,,any\n\
                   \"Dirk, de \"\"klusser\"\"\",06-10000001,shopping,,Schoolstraat,,any\n\
                   Els,06-10000005,shopping,mon 25:00-26:00,,,any\n\
                   Fien,06-10000006,shopping,,,,far\n";
        let errors: Vec<String> = parse(csv, &cats()).unwrap_err().iter().map(|e| e.to_string()).collect();
        assert_eq!(
            errors,
            vec![
                "line 3: phone: '06-1000' is not a valid phone number (for example 06-12345678 or +31 20 123 4567)",
                "line 4: offers: 'knitting' is not a category of the dialplans (known: shopping, transport, odd-jobs, company)",
                "line 5: phone: +31610000001 is also on line 2",
                "line 6: available: '25:00' is not a time like 09:00",
                "line 7: distance: 'far' is not one of any, near, not-own-street",
            ]
        );
    }

    #[test]
    fn a_too_long_field_is_named_with_its_line() {
        let street = "Kerkstraat ".repeat(20_000);
        let name = "N".repeat(81);
        let csv = format!(
            "name,phone,offers,available,street,postcode,distance\n\
             Anja,06-10000001,shopping,,Molenweg,,any\n\
             Bert,06-10000002,shopping,,{street},,any\n\
             {name},06-10000003,shopping,,Kerkstraat,,any\n"
        );
        let errors: Vec<String> = parse(&csv, &cats()).unwrap_err().iter().map(|e| e.to_string()).collect();
        assert_eq!(
            errors,
            ["line 3: street: is longer than 100 characters", "line 4: name: is longer than 80 characters"]
        );
    }

    #[test]
    fn dutch_column_names_are_read_and_the_dutch_export_reads_back() {
        let text = "Naam,Telefoon,Helpt met,Beschikbaar,Straat,Postcode,Afstand,Taal\nFatima,0612345678,shopping,di 10:00-12:00,Molenweg,1234 AB,any,nl\n";
        let rows = parse(text, &cats()).unwrap();
        assert_eq!(rows[0].details.name, "Fatima");
        assert_eq!(rows[0].details.available.as_str(), "di 10:00-12:00");
        let twice = parse("naam,name,phone,offers,available,street,postcode,distance\n", &cats()).unwrap_err();
        assert_eq!(twice[0].problem, RowProblem::ColumnTwice("name".into()));
    }

    #[test]
    fn header_problems_are_reported() {
        let errors: Vec<String> =
            parse("name,phone,offer\nA,0612345678,x\n", &cats()).unwrap_err().iter().map(|e| e.to_string()).collect();
        assert_eq!(
            errors[0],
            "line 1: unknown column 'offer' (the header is name,phone,offers,available,street,postcode,distance, optionally with neighbourhoods, language, slow_line, helpers_from, street_said, desk_only and experienced)"
        );
        assert!(errors.iter().any(|e| e
            == "line 1: missing column 'offers' (the header is name,phone,offers,available,street,postcode,distance)"));
    }

    #[test]
    fn export_round_trips() {
        let rows = parse(crate::config::EXAMPLE_PARTICIPANTS, &cats()).unwrap();
        let participants: Vec<Participant> = rows
            .into_iter()
            .enumerate()
            .map(|(i, row)| Participant {
                id: i as i64,
                // As the register reads them: with a say.
                details: ParticipantDetails { say: Some(row.details.say().clone()), ..row.details },
                paused: false,
                paused_until: None,
                neighbourhoods: if i % 2 == 0 { vec!["dorp-a".into()] } else { hoods() },
            })
            .collect();
        let dutch = export_dutch(&participants).unwrap();
        assert!(dutch.starts_with("naam,telefoon,helpt_met,beschikbaar,straat,postcode,afstand,buurten,taal,langzame_lijn,hulp_van,straat_noemen,alleen_via_de_balie,ervaren_in\n"), "{dutch}");
        for text in [export(&participants).unwrap(), dutch] {
            let again = parse(&text, &cats()).unwrap();
            assert_eq!(
                again.iter().map(|r| r.details.clone()).collect::<Vec<_>>(),
                participants.iter().map(|p| p.details.clone()).collect::<Vec<_>>()
            );
            assert_eq!(
                again.into_iter().map(|r| r.neighbourhoods.unwrap()).collect::<Vec<_>>(),
                participants.iter().map(|p| p.neighbourhoods.clone()).collect::<Vec<_>>()
            );
        }
    }

    #[test]
    fn formulas_are_exported_as_text_and_imported_back_as_typed() {
        let text = "name,phone,offers,available,street,postcode,distance,neighbourhoods,language\n\
                    \"=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\",0612345678,shopping,,@SUM(A1:A9),,any,dorp-a,\n\
                    +cmd|' /C calc'!A0,0612345679,,,-2+3,,near,dorp-b,nl\n\
                    ''=quoted twice,0612345670,,,'t Hoekje,,any,dorp-a,\n";
        let rows = parse(text, &cats()).unwrap();
        assert_eq!(rows[0].details.name, "=HYPERLINK(\"http://evil\",\"x\")");
        assert_eq!(rows[0].details.street, "@SUM(A1:A9)");
        assert_eq!(rows[1].details.name, "+cmd|' /C calc'!A0");
        assert_eq!(rows[2].details.name, "'=quoted twice", "one quote before a formula comes off on import");
        let participants: Vec<Participant> = rows
            .into_iter()
            .map(|row| Participant {
                id: row.line as i64,
                details: ParticipantDetails { say: Some(row.details.say().clone()), ..row.details },
                paused: false,
                paused_until: None,
                neighbourhoods: row.neighbourhoods.unwrap(),
            })
            .collect();
        let exported = export(&participants).unwrap();
        let lines: Vec<&str> = exported.lines().collect();
        assert_eq!(
            lines[1],
            "\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\",'+31612345678,shopping,,'@SUM(A1:A9),,any,dorp-a,,,any,always,no,"
        );
        assert_eq!(lines[2], "'+cmd|' /C calc'!A0,'+31612345679,,,'-2+3,,near,dorp-b,nl,,any,always,no,");
        assert_eq!(lines[3], "''=quoted twice,'+31612345670,,,'t Hoekje,,any,dorp-a,,,any,always,no,");
        for line in &lines {
            for cell in line.split(',') {
                assert!(!cell.trim_start_matches('"').starts_with(crate::csv_cell::FORMULA_STARTS), "{line}");
            }
        }
        let again = parse(&exported, &cats()).unwrap();
        assert_eq!(
            again.iter().map(|r| r.details.clone()).collect::<Vec<_>>(),
            participants.iter().map(|p| p.details.clone()).collect::<Vec<_>>(),
            "phone numbers, names and streets come back exactly"
        );
    }

    #[test]
    fn a_say_over_who_comes_round_trips_and_bad_values_are_named_with_their_line() {
        let text =
            "name,phone,offers,available,street,postcode,distance,helpers_from,street_said,desk_only,experienced\n\
                    Anja,06-10000001,shopping,,Molenweg,,any,not-own-street,after-yes,yes,transport; Boodschappen\n\
                    Bert,06-10000002,shopping,,Dorpsweg,,any,,,,\n";
        let rows = parse(text, &cats()).unwrap();
        let say = rows[0].details.say.clone().unwrap();
        assert_eq!(say.helpers_from, crate::domain::participant::Distance::NotOwnStreet);
        assert_eq!(say.street, crate::domain::participant::StreetSaid::AfterYes);
        assert!(say.desk_only);
        assert_eq!(say.experienced, ["shopping", "transport"], "named as people say it, kept by key");
        assert_eq!(rows[1].details.say, Some(Say::DEFAULT), "empty fields: what nobody chose");
        // Without the columns, the register keeps what it has.
        let plain = parse("name,phone,offers,available,street,postcode,distance\nBert,06-10000002,,,,,any\n", &cats());
        assert_eq!(plain.unwrap()[0].details.say, None);
        let participants: Vec<Participant> = rows
            .into_iter()
            .map(|r| Participant {
                id: r.line as i64,
                details: r.details,
                paused: false,
                paused_until: None,
                neighbourhoods: vec!["dorp-a".into()],
            })
            .collect();
        let again = parse(&export(&participants).unwrap(), &cats()).unwrap();
        assert_eq!(
            again.iter().map(|r| r.details.clone()).collect::<Vec<_>>(),
            participants.iter().map(|p| p.details.clone()).collect::<Vec<_>>()
        );
        let bad = text.replace("after-yes,yes", "never,ja").replace(",,,,\n", ",far,,,knitting\n");
        let errors: Vec<String> = parse(&bad, &cats()).unwrap_err().iter().map(|e| e.to_string()).collect();
        assert_eq!(
            errors,
            [
                "line 2: street_said: 'never' is not one of always, after-yes",
                "line 3: helpers_from: 'far' is not one of any, near, not-own-street",
            ]
        );
        let bad = text.replace("transport; Boodschappen", "knitting");
        let errors: Vec<String> = parse(&bad, &cats()).unwrap_err().iter().map(|e| e.to_string()).collect();
        assert_eq!(
            errors,
            ["line 2: experienced: 'knitting' is not a category of the dialplans (known: shopping, transport, odd-jobs, company)"]
        );
    }

    #[test]
    fn the_coordinators_columns_are_known_by_the_header() {
        assert!(has_coordinator_columns("name,phone,offers,available,street,postcode,distance,Desk_Only\n"));
        assert!(has_coordinator_columns("\u{feff}experienced,name\n"));
        assert!(!has_coordinator_columns("name,phone,offers,available,street,postcode,distance,helpers_from\n"));
    }

    #[test]
    fn neighbourhoods_are_read_checked_and_assigned() {
        let csv = "name,phone,offers,available,street,postcode,distance,neighbourhoods\n\
                   Anja,06-10000001,shopping,,Molenweg,,any,dorp-b; dorp-a\n\
                   Bert,06-10000002,shopping,,Dorpsweg,,any,\n\
                   Carla,06-10000003,shopping,,Kerkstraat,,any,dorp-c\n";
        let errors: Vec<String> = parse(csv, &cats()).unwrap_err().iter().map(|e| e.to_string()).collect();
        assert_eq!(
            errors,
            vec!["line 4: neighbourhoods: 'dorp-c' is not a neighbourhood of this install (known: dorp-a, dorp-b)"]
        );
        let rows = parse(&csv.replace("dorp-c", "dorp-a"), &cats()).unwrap();
        assert_eq!(rows[0].neighbourhoods, Some(hoods()), "sorted");
        assert_eq!(rows[1].neighbourhoods, None, "an empty field names none");
        // A row's own field replaces; one without takes the import's default, added.
        let assigned = assign(&rows, Some("dorp-b"), &hoods()).unwrap();
        assert_eq!(assigned[0], (hoods(), true));
        assert_eq!(assigned[1], (vec!["dorp-b".to_string()], false));
        // Without a default, with several neighbourhoods: every such line is named.
        let errors: Vec<String> = assign(&rows, None, &hoods()).unwrap_err().iter().map(|e| e.to_string()).collect();
        assert_eq!(
            errors,
            vec!["line 3: neighbourhoods: none given, and there are several (dorp-a, dorp-b): add a `neighbourhoods` column or import with --neighbourhood KEY"]
        );
    }
}
