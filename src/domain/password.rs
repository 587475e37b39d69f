//! The rules for a desk account's new password (NIST SP 800-63B, 5.1.1.2): long enough,
//! not the user name, not one of the commonest passwords (a small bundled list,
//! `common_passwords.txt`), and not a trivial pattern. No rules about kinds of
//! characters: a short sentence only its owner knows is the advice.

/// The shortest password accepted: a short sentence is easier to remember than a code.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// The longest password accepted.
pub const MAX_PASSWORD_CHARS: usize = 200;

/// The commonest passwords in English and Dutch, and the words they are made of.
const COMMON: &str = include_str!("common_passwords.txt");

/// Why a new password is refused; `Display` says it in English (the CLI), the desk in its
/// own words (`web::desk::text`). Every message says what to do instead.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PasswordProblem {
    #[error("the password must be at least {MIN_PASSWORD_CHARS} characters long (a short sentence works well)")]
    TooShort,
    #[error("the password is longer than {MAX_PASSWORD_CHARS} characters")]
    TooLong,
    #[error("the password must not be the user name, also not with digits or marks added: choose a short sentence only you know")]
    UserName,
    /// Only spaces, fewer than four different characters, a row of the keyboard or the
    /// alphabet, or one part typed again and again.
    #[error("the password is too easy to guess (the same characters again and again, or a row of the keyboard or the alphabet): choose a short sentence only you know")]
    TooSimple,
    /// On the list, also with digits or marks before or after it.
    #[error("the password is one of the most used ones (also with digits or marks added), so it is guessed first: choose a short sentence only you know")]
    Common,
}

/// Checks a new password for the account `user_name`.
pub fn check_password(user_name: &str, password: &str) -> Result<(), PasswordProblem> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(PasswordProblem::TooShort);
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(PasswordProblem::TooLong);
    }
    let typed = squeezed(password);
    let word = core(&typed);
    let name = squeezed(user_name);
    if !name.is_empty() && (typed == name || word == name) {
        return Err(PasswordProblem::UserName);
    }
    if too_simple(&typed) || (word.chars().count() >= 4 && (repeated(word) || along_rows(word))) {
        return Err(PasswordProblem::TooSimple);
    }
    let as_letters = read_as_letters(&typed);
    let candidates = [typed.as_str(), word, &read_as_letters(word), core(&as_letters)];
    if common().any(|entry| candidates.contains(&entry)) {
        return Err(PasswordProblem::Common);
    }
    Ok(())
}

/// `check_password` with its message in English, as a `String`.
pub fn check_new_password(user_name: &str, password: &str) -> Result<(), String> {
    check_password(user_name, password).map_err(|e| e.to_string())
}

/// The entries of the list.
fn common() -> impl Iterator<Item = &'static str> {
    COMMON.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// Lower case, without white space.
fn squeezed(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_lowercase).collect()
}

/// Without the digits and marks before and after the word (`welkom2024!` is `welkom`).
fn core(s: &str) -> &str {
    s.trim_matches(|c: char| !c.is_alphabetic())
}

/// Common look-alikes read as the letters they stand for (`p@ssw0rd` is `password`).
fn read_as_letters(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '@' | '4' => 'a',
            '0' => 'o',
            '1' | '!' => 'i',
            '3' => 'e',
            '$' | '5' => 's',
            '7' => 't',
            other => other,
        })
        .collect()
}

/// Rows that people type as passwords, read in either direction and round again: the
/// alphabet, the digits, the shifted digits and three keyboards' letter rows.
const ROWS: [&str; 6] = [
    "abcdefghijklmnopqrstuvwxyz",
    "1234567890",
    "!@#$%^&*()",
    "qwertyuiopasdfghjklzxcvbnm",
    "azertyuiopqsdfghjklmwxcvbn",
    "qwertzuiopasdfghjklyxcvbnm",
];

/// Whether `b` follows `a` on a row (either way), or is `a` again.
fn follows(a: char, b: char) -> bool {
    a == b
        || ROWS.iter().any(|row| {
            let row: Vec<char> = row.chars().collect();
            let n = row.len();
            row.iter().position(|&c| c == a).is_some_and(|i| row[(i + 1) % n] == b || row[(i + n - 1) % n] == b)
        })
}

/// Only spaces, fewer than four different characters, one part again and again
/// (`zomerzomer`), or runs along the rows (`1234567890`, `qwertyuiop`, `abcdef1234`).
/// `s` is squeezed: lower case, no white space.
fn too_simple(s: &str) -> bool {
    let mut distinct: Vec<char> = s.chars().collect();
    distinct.sort_unstable();
    distinct.dedup();
    distinct.len() < 4 || repeated(s) || along_rows(s)
}

/// One part typed again and again (`zomerzomer`, `1212121212`).
fn repeated(s: &str) -> bool {
    let chars: Vec<char> = s.chars().collect();
    let n = chars.len();
    (1..=n / 2).any(|p| n.is_multiple_of(p) && chars.chunks(p).all(|c| c == &chars[..p]))
}

/// At most two runs along a row: every next character follows the one before it on some
/// row (or repeats it), but for at most one.
fn along_rows(s: &str) -> bool {
    let chars: Vec<char> = s.chars().collect();
    chars.windows(2).filter(|w| !follows(w[0], w[1])).count() <= 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_lower_case_and_long_enough() {
        let words: Vec<&str> = common().collect();
        assert!(words.len() >= 300, "{}", words.len());
        for w in &words {
            assert_eq!(*w, squeezed(w), "written as it is compared: {w}");
        }
        for w in ["123456", "password", "qwerty", "welkom", "wachtwoord", "geheim", "voetbal", "ajax", "feyenoord"] {
            assert!(words.contains(&w), "{w}");
        }
    }

    #[test]
    fn refused_passwords_with_the_reason() {
        use PasswordProblem::*;
        let long = "a b ".repeat(60);
        for (user, password, problem) in [
            ("els", "kort", TooShort),
            ("els", "welkom123", TooShort),
            ("Els de Boer", "els de boer", UserName),
            ("Els de Boer", "ElsdeBoer2024", UserName),
            ("piet", "Piet1234567", UserName),
            ("piet", "!!piet!!2026", UserName),
            ("els", "          ", TooSimple),
            ("els", "\t\t\t\t\t     ", TooSimple),
            ("els", "aaaaaaaaaa", TooSimple),
            ("els", "AaAaAaAaAa", TooSimple),
            ("els", "ab ab ab ab ab", TooSimple),
            ("els", "1234567890", TooSimple),
            ("els", "0987654321", TooSimple),
            ("els", "12345678901234", TooSimple),
            ("els", "abcdefghij", TooSimple),
            ("els", "jihgfedcba", TooSimple),
            ("els", "qwertyuiop", TooSimple),
            ("els", "azertyuiop", TooSimple),
            ("els", "asdfghjkl;", TooSimple),
            ("els", "abcdef1234", TooSimple),
            ("els", "qwertyuiopasdf", TooSimple),
            ("els", "zomerzomer", TooSimple),
            ("els", "1212121212", TooSimple),
            ("els", "password12", Common),
            ("els", "Password2024!", Common),
            ("els", "PASSWORD!!!!", Common),
            ("els", "P@ssw0rd123", Common),
            ("els", "Welkom2024!", Common),
            ("els", "wachtwoord", Common),
            ("els", "Wachtwoord1", Common),
            ("els", "geheim2025", Common),
            ("els", "voetbal123", Common),
            ("els", "Feyenoord1908", Common),
            ("els", "iloveyou!!", Common),
            ("els", "i love you 2", Common),
            ("els", "1loveyou12", Common),
            ("els", "zomer2024!", Common),
            ("els", "Winter2025", Common),
            ("els", "ajax123456", Common),
            ("els", long.as_str(), TooLong),
        ] {
            assert_eq!(check_password(user, password), Err(problem), "{password:?}");
        }
    }

    #[test]
    fn accepted_passwords() {
        for (user, password) in [
            ("els", "de kat zit op de mat"),
            ("els", "een ander wachtwoord"),
            ("els", "een lang wachtwoord"),
            ("Els de Boer", "boer zoekt vrouw op tv"),
            ("els", "Mijn fiets is blauw!"),
            ("els", "correct horse battery staple"),
            ("els", "tulpen in de vensterbank"),
            ("piet", "koffie om half elf"),
            ("els", "Xk4#pq9!zR"),
            ("els", "welkom in ons huis"),
        ] {
            assert_eq!(check_password(user, password), Ok(()), "{password:?}");
        }
    }

    #[test]
    fn the_message_says_what_to_do() {
        for p in [PasswordProblem::UserName, PasswordProblem::TooSimple, PasswordProblem::Common] {
            assert!(p.to_string().contains("choose a short sentence only you know"), "{p}");
        }
        assert_eq!(check_new_password("els", "kort"), Err(PasswordProblem::TooShort.to_string()));
    }
}
