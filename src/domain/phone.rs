//! Phone numbers: parsed once at the edge into E.164, masked whenever they are logged.
//!
//! Not for: deciding who may be rung (see `ranking`).

use std::fmt;

/// A valid phone number in E.164 form (`+31612345678`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PhoneNumber(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{input}' is not a valid phone number (for example 06-12345678 or +31 20 123 4567)")]
pub struct PhoneError {
    pub input: String,
}

impl PhoneNumber {
    /// Parses Dutch numbers in any common form (`06-12345678`, `0031 6 1234 5678`,
    /// `+31 (0)6 12345678`) and international numbers with a `+` or `00` prefix.
    pub fn parse(input: &str) -> Result<PhoneNumber, PhoneError> {
        let err = || PhoneError { input: input.trim().to_string() };
        let trimmed = input.trim();
        if trimmed.is_empty() || trimmed.len() > 40 {
            return Err(err());
        }
        // "+31 (0)6 ..." is a common Dutch way to write a number; libphonenumber
        // does not accept the "(0)".
        let cleaned = trimmed.replace("(0)", "");
        let parsed = phonenumber::parse(Some(phonenumber::country::Id::NL), &cleaned).map_err(|_| err())?;
        if !phonenumber::is_valid(&parsed) {
            return Err(err());
        }
        let e164 = parsed.format().mode(phonenumber::Mode::E164).to_string();
        Ok(PhoneNumber(e164))
    }

    /// A number that was parsed before and stored in E.164 form. Checks the form only
    /// (cheap), not the numbering plan: storage holds nothing but parsed numbers.
    pub fn from_stored(e164: &str) -> Result<PhoneNumber, PhoneError> {
        let digits = e164.strip_prefix('+').unwrap_or("");
        if (8..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) && !digits.starts_with('0') {
            Ok(PhoneNumber(e164.to_string()))
        } else {
            Err(PhoneError { input: e164.to_string() })
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// How people write it: Dutch numbers in the national form (`020 123 4567`), others
    /// internationally (`+32 2 123 45 67`).
    pub fn readable(&self) -> String {
        match phonenumber::parse(None, &self.0) {
            Ok(n) if self.0.starts_with("+31") => n.format().mode(phonenumber::Mode::National).to_string(),
            Ok(n) => n.format().mode(phonenumber::Mode::International).to_string(),
            Err(_) => self.0.clone(),
        }
    }

    /// The number with its middle hidden, for logs: `+316****5678`.
    pub fn masked(&self) -> Masked<'_> {
        Masked(&self.0)
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Display adapter that hides all but the first four and last two characters.
pub struct Masked<'a>(&'a str);

impl fmt::Display for Masked<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        mask_into(self.0, f)
    }
}

/// Masks any string that may hold a phone number (also raw, unparsed input).
pub fn mask(raw: &str) -> String {
    struct M<'a>(&'a str);
    impl fmt::Display for M<'_> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            mask_into(self.0, f)
        }
    }
    M(raw).to_string()
}

fn mask_into(s: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= 6 {
        return f.write_str(&"*".repeat(chars.len()));
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 2..].iter().collect();
    write!(f, "{head}{}{tail}", "*".repeat(chars.len() - 6))
}

/// Who is calling, as far as the provider tells us.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallerNumber {
    Known(PhoneNumber),
    /// `anonymous`, `restricted`, an empty `From`, or anything that is not a number.
    Withheld,
}

impl CallerNumber {
    pub fn from_provider(raw: &str) -> CallerNumber {
        match PhoneNumber::parse(raw) {
            Ok(number) if raw.trim_start().starts_with('+') => CallerNumber::Known(number),
            _ => CallerNumber::Withheld,
        }
    }

    pub fn number(&self) -> Option<&PhoneNumber> {
        match self {
            CallerNumber::Known(n) => Some(n),
            CallerNumber::Withheld => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readable_forms() {
        assert_eq!(PhoneNumber::parse("0201234567").unwrap().readable(), "020 123 4567");
        assert_eq!(PhoneNumber::parse("06-12345678").unwrap().readable(), "06 12345678");
        assert_eq!(PhoneNumber::parse("+32 470 12 34 56").unwrap().readable(), "+32 470 12 34 56");
    }

    fn check(input: &str, expected: Option<&str>) {
        let got = PhoneNumber::parse(input).ok().map(|n| n.to_string());
        assert_eq!(got.as_deref(), expected, "input {input:?}");
    }

    #[test]
    fn dutch_forms_become_e164() {
        check("06-12345678", Some("+31612345678"));
        check("0612345678", Some("+31612345678"));
        check("0031 6 1234 5678", Some("+31612345678"));
        check("+31 (0)6 12345678", Some("+31612345678"));
        check("+31612345678", Some("+31612345678"));
        check("020-1234567", Some("+31201234567"));
        check("085 000 0000", Some("+31850000000"));
        check("+32 470 12 34 56", Some("+32470123456"));
    }

    #[test]
    fn garbage_is_refused() {
        check("", None);
        check("06-1234", None);
        check("anonymous", None);
        check("0612345678901234567890", None);
        check("<script>", None);
    }

    #[test]
    fn provider_caller_numbers() {
        assert_eq!(CallerNumber::from_provider("anonymous"), CallerNumber::Withheld);
        assert_eq!(CallerNumber::from_provider("+266696687"), CallerNumber::Withheld);
        assert_eq!(CallerNumber::from_provider(""), CallerNumber::Withheld);
        assert_eq!(
            CallerNumber::from_provider("+31201234567"),
            CallerNumber::Known(PhoneNumber::parse("+31201234567").unwrap())
        );
    }

    #[test]
    fn stored_numbers_are_checked_for_form_only() {
        assert_eq!(PhoneNumber::from_stored("+31612345678").unwrap().as_str(), "+31612345678");
        assert!(PhoneNumber::from_stored("0612345678").is_err());
        assert!(PhoneNumber::from_stored("+31 6 1234").is_err());
        assert!(PhoneNumber::from_stored("+0612345678").is_err());
    }

    #[test]
    fn masking_hides_the_middle() {
        let n = PhoneNumber::parse("0612345678").unwrap();
        assert_eq!(n.masked().to_string(), "+316******78");
        assert_eq!(mask("12345"), "*****");
    }
}
