//! Cells of every CSV file the service writes (the register, the desk's figures) and
//! reads (the register): a cell that a spreadsheet would take for a formula is written
//! with a single quote in front, and that quote is taken off again on import.
//!
//! A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (and, in some, a tab
//! or a carriage return before one) as a formula: a name typed as
//! `=HYPERLINK("http://evil","x")` would become a link in the coordinator's sheet
//! (OWASP, "CSV Injection"). The quote makes it text; the sheet shows the cell as typed.
//! Phone numbers start with `+` and get the quote too; import takes it off, so an exported
//! file imports back exactly.
//!
//! So that every cell round-trips, a cell that already starts with quotes before such a
//! character gets one more: `restore(neutralise(s)) == s` for every `s`.

use std::borrow::Cow;

/// The first characters that make a spreadsheet read a cell as a formula.
pub const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

fn starts_a_formula(s: &str) -> bool {
    s.trim_start_matches('\'').starts_with(FORMULA_STARTS)
}

/// The cell as written to a CSV file: with a `'` in front when it could start a formula.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    if starts_a_formula(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// The cell as read from a CSV file: the quote `neutralise` added is taken off.
pub fn restore(cell: &str) -> Cow<'_, str> {
    match cell.strip_prefix('\'') {
        Some(rest) if starts_a_formula(rest) => Cow::Borrowed(rest),
        _ => Cow::Borrowed(cell),
    }
}

/// Writes one record, every cell through `neutralise`: the one way the service writes a
/// CSV row.
pub fn write_row<W, I, S>(w: &mut csv::Writer<W>, record: I) -> csv::Result<()>
where
    W: std::io::Write,
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    w.write_record(record.into_iter().map(|cell| neutralise(cell.as_ref()).into_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_restored() {
        for (typed, written) in [
            ("=HYPERLINK(\"http://evil\",\"x\")", "'=HYPERLINK(\"http://evil\",\"x\")"),
            ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("+31612345678", "'+31612345678"),
            // Already quoted before a formula: one more quote, so it comes back as it was.
            ("'=1", "''=1"),
            ("''+1", "'''+1"),
            // Nothing to do.
            ("Jan de Vries", "Jan de Vries"),
            ("'t Hoekje", "'t Hoekje"),
            ("a=b", "a=b"),
            ("", ""),
            ("'", "'"),
            ("not-own-street", "not-own-street"),
        ] {
            assert_eq!(neutralise(typed), written, "{typed:?}");
            assert_eq!(restore(written), typed, "{written:?}");
        }
    }

    #[test]
    fn every_cell_round_trips() {
        let pieces = ["", "'", "''", "=", "+", "-", "@", "\t", "\r", "a", "1", " "];
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    let s = format!("{a}{b}{c}");
                    assert_eq!(restore(&neutralise(&s)), s, "{s:?}");
                    assert!(!neutralise(&s).starts_with(FORMULA_STARTS), "{s:?}");
                }
            }
        }
    }

    #[test]
    fn rows_are_written_neutralised() {
        let mut w = csv::Writer::from_writer(Vec::new());
        write_row(&mut w, ["=1+1", "+31612345678", "Anja"]).unwrap();
        let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
        assert_eq!(text, "'=1+1,'+31612345678,Anja\n");
    }
}
