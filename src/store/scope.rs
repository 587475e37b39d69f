//! What a desk account may see (`Scope`), for the queries of the desk's pages.

/// What a desk account may see: every neighbourhood, or only these (their keys, and the
/// numbers of their dialplans). Every query of the desk's pages takes it; SQL reads it as
/// one JSON object (`json`), and `NULL` for all.
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

    /// A participant in one of the neighbourhoods (every participant, when not limited).
    pub fn sees_member(&self, neighbourhoods: &[String]) -> bool {
        self.keys().is_none_or(|k| neighbourhoods.iter().any(|n| k.contains(n)))
    }

    /// The scope as one JSON object for SQL, `{"keys": [...], "numbers": [...]}` (read with
    /// `json_each(?, '$.keys')`), or `None` for all.
    pub fn json(&self) -> Option<String> {
        self.only.as_ref().map(|(keys, numbers)| serde_json::json!({ "keys": keys, "numbers": numbers }).to_string())
    }

    /// The keys as a JSON array, or `None` for all.
    pub fn keys_json(&self) -> Option<String> {
        self.only.as_ref().map(|(k, _)| serde_json::to_string(k).unwrap_or_else(|_| "[]".into()))
    }
}

/// SQL: a call (table alias `alias`) a limited scope may see: in one of its neighbourhoods
/// as stored on the call when it started (issue 26 §4), or, for a call from before that was
/// stored (`neighbourhood` NULL), on a number of one of them now. `keys` and `numbers` are
/// the parameters holding `Scope::json` (the same one twice, numbered or not).
pub fn call_seen(alias: &str, keys: &str, numbers: &str) -> String {
    format!(
        "({alias}.neighbourhood IN (SELECT value FROM json_each({keys}, '$.keys')) OR ({alias}.neighbourhood IS NULL AND {alias}.dialplan_number IN (SELECT value FROM json_each({numbers}, '$.numbers'))))"
    )
}
