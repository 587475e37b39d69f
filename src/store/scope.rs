//! What a desk account may see (`Scope`), for the queries of the desk's pages.

/// What a desk account may see: every neighbourhood, or only these (their keys, and the
/// numbers of their dialplans). Every query of the desk's pages takes it; SQL reads each
/// list as a JSON array (`json_each`), and `NULL` for all.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Scope {
    only: Option<(Vec<String>, Vec<String>)>,
}

impl Scope {
    /// Every neighbourhood.
    pub fn all() -> Scope {
        Scope { only: None }
    }

    /// Only the neighbourhoods with these keys, whose dialplans have these numbers.
    pub fn only(keys: Vec<String>, numbers: Vec<String>) -> Scope {
        Scope { only: Some((keys, numbers)) }
    }

    pub fn is_all(&self) -> bool {
        self.only.is_none()
    }

    /// The keys, when limited.
    pub fn keys(&self) -> Option<&[String]> {
        self.only.as_ref().map(|(k, _)| k.as_slice())
    }

    pub fn sees_key(&self, key: &str) -> bool {
        self.keys().is_none_or(|k| k.iter().any(|x| x == key))
    }

    pub fn sees_number(&self, number: &str) -> bool {
        self.only.as_ref().is_none_or(|(_, n)| n.iter().any(|x| x == number))
    }

    /// A participant in one of the neighbourhoods (every participant, when not limited).
    pub fn sees_member(&self, neighbourhoods: &[String]) -> bool {
        self.keys().is_none_or(|k| neighbourhoods.iter().any(|n| k.contains(n)))
    }

    /// The numbers as a JSON array, or `None` for all.
    pub fn numbers_json(&self) -> Option<String> {
        self.only.as_ref().map(|(_, n)| serde_json::to_string(n).unwrap_or_else(|_| "[]".into()))
    }

    /// The keys as a JSON array, or `None` for all.
    pub fn keys_json(&self) -> Option<String> {
        self.only.as_ref().map(|(k, _)| serde_json::to_string(k).unwrap_or_else(|_| "[]".into()))
    }
}
