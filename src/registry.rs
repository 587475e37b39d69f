//! The participants CSV: `name,phone,offers,available,street,postcode,distance`.
//!
//! Import checks every row first and reports every bad one with its line number; only a
//! file without errors is stored, in one transaction.

use std::collections::HashMap;

use crate::domain::participant::{Participant, ParticipantDetails, ParticipantInput};

pub const HEADER: [&str; 7] = ["name", "phone", "offers", "available", "street", "postcode", "distance"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: u64,
    pub message: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// Parses a whole CSV file. `categories` are the keys the dialplans offer.
pub fn parse(csv_text: &str, categories: &[String]) -> Result<Vec<ParticipantDetails>, Vec<RowError>> {
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).flexible(true).from_reader(csv_text.as_bytes());
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => return Err(vec![RowError { line: 1, message: format!("cannot read the header: {e}") }]),
    };
    let mut columns = HashMap::new();
    let mut errors = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        let name = h.trim_start_matches('\u{feff}').to_ascii_lowercase();
        if !HEADER.contains(&name.as_str()) {
            errors.push(RowError {
                line: 1,
                message: format!("unknown column '{h}' (the header is {})", HEADER.join(",")),
            });
        } else if columns.insert(name.clone(), i).is_some() {
            errors.push(RowError { line: 1, message: format!("column '{name}' appears twice") });
        }
    }
    for required in HEADER {
        if !columns.contains_key(required) {
            errors.push(RowError {
                line: 1,
                message: format!("missing column '{required}' (the header is {})", HEADER.join(",")),
            });
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
                errors.push(RowError { line, message: format!("cannot read this row: {e}") });
                continue;
            }
        };
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        if record.iter().all(|f| f.is_empty()) {
            continue;
        }
        if record.len() != headers.len() {
            errors.push(RowError {
                line,
                message: format!(
                    "has {} fields, the header has {} (put a field that holds a comma in double quotes)",
                    record.len(),
                    headers.len()
                ),
            });
            continue;
        }
        let field = |name: &str| record.get(columns[name]).unwrap_or("");
        let input = ParticipantInput {
            name: field("name"),
            phone: field("phone"),
            offers: field("offers"),
            available: field("available"),
            street: field("street"),
            postcode: field("postcode"),
            distance: field("distance"),
        };
        match ParticipantDetails::parse(&input, categories) {
            Ok(details) => {
                if let Some(first) = seen.insert(details.phone.as_str().to_string(), line) {
                    errors
                        .push(RowError { line, message: format!("phone: {} is also on line {first}", details.phone) });
                    continue;
                }
                rows.push(details);
            }
            Err(e) => errors.push(RowError { line, message: e.to_string() }),
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

/// Writes participants in the import format.
pub fn export(participants: &[Participant]) -> anyhow::Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(HEADER)?;
    for p in participants {
        let d = &p.details;
        w.write_record([
            d.name.as_str(),
            d.phone.as_str(),
            &d.offers.join(";"),
            d.available.as_str(),
            &d.street,
            &d.postcode,
            d.distance.as_str(),
        ])?;
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cats() -> Vec<String> {
        ["shopping", "transport", "odd-jobs", "company"].iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_example_file_imports() {
        let rows = parse(crate::config::EXAMPLE_PARTICIPANTS, &cats()).unwrap();
        assert_eq!(rows.len(), 6);
        assert_eq!(rows[1].phone.as_str(), "+31610000001");
        assert_eq!(rows[1].offers, vec!["shopping", "company"]);
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
    fn header_problems_are_reported() {
        let errors: Vec<String> =
            parse("name,phone,offer\nA,0612345678,x\n", &cats()).unwrap_err().iter().map(|e| e.to_string()).collect();
        assert_eq!(
            errors[0],
            "line 1: unknown column 'offer' (the header is name,phone,offers,available,street,postcode,distance)"
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
            .map(|(i, details)| Participant { id: i as i64, details, paused: false, paused_until: None })
            .collect();
        let text = export(&participants).unwrap();
        let again = parse(&text, &cats()).unwrap();
        assert_eq!(again, participants.into_iter().map(|p| p.details).collect::<Vec<_>>());
    }
}
