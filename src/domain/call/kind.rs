//! What a stored call is: a call that came in, or a call the switchboard made a row for
//! itself. Stored as itself (`calls.kind`), never read from the call's id.

/// What a `calls` row is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CallKind {
    /// A call that came in on the line: someone's own call.
    Incoming,
    /// A search the desk or a due call-back started for a resident who asked to be called
    /// back later (`store::callbacks`): no call came in, the resident is its caller.
    CallbackSearch,
    /// A morning of the good-morning round on which the desk was alerted
    /// (`store::round::alert_desk`); the row names its morning.
    Round,
    /// Help for later (issue 28) that needs the desk: nobody was found by the cut-off, or
    /// the requester could not be told (`store::planned::for_the_desk`).
    Planned,
}

impl CallKind {
    pub const ALL: [CallKind; 4] = [CallKind::Incoming, CallKind::CallbackSearch, CallKind::Round, CallKind::Planned];

    /// The word stored in `calls.kind`: the one mapping, with `parse` its inverse.
    pub fn as_str(self) -> &'static str {
        match self {
            CallKind::Incoming => "incoming",
            CallKind::CallbackSearch => "callback-search",
            CallKind::Round => "round",
            CallKind::Planned => "planned",
        }
    }

    /// The kind stored as `s`; `None` for a word no kind is stored as.
    pub fn parse(s: &str) -> Option<CallKind> {
        CallKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether a call came in on the line (rather than being a row the switchboard made).
    pub fn came_in(self) -> bool {
        self == CallKind::Incoming
    }
}

#[cfg(test)]
mod tests {
    use super::CallKind;

    #[test]
    fn every_kind_is_parsed_back_from_its_word_and_no_other_word_is() {
        for k in CallKind::ALL {
            assert_eq!(CallKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(CallKind::parse("CB"), None);
        assert_eq!(CallKind::parse(""), None);
    }
}
