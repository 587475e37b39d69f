//! Call back later: where one call-back request stands.
//!
//! A request is `Open` while it waits for its next try, `Searching` while neighbours are
//! rung for it, `Calling` while the resident is rung after a yes; it ends `Connected`,
//! `Unanswered` (the resident did not pick up), `Expired` (nobody found in time) or
//! `Closed` (the desk stopped it). A search that finds nobody puts it back to `Open`.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RequestStatus {
    Open,
    Searching,
    Calling,
    Connected,
    Unanswered,
    Expired,
    Closed,
}

impl RequestStatus {
    pub const ALL: [RequestStatus; 7] = [
        RequestStatus::Open,
        RequestStatus::Searching,
        RequestStatus::Calling,
        RequestStatus::Connected,
        RequestStatus::Unanswered,
        RequestStatus::Expired,
        RequestStatus::Closed,
    ];

    /// Still in progress: waiting for the next try, searched for, or the resident being called.
    pub const IN_PROGRESS: [RequestStatus; 3] = [RequestStatus::Open, RequestStatus::Searching, RequestStatus::Calling];

    /// What the desk may stop: a request waiting for its next try or being searched for
    /// (not while the resident is being called).
    pub const STOPPABLE: [RequestStatus; 2] = [RequestStatus::Open, RequestStatus::Searching];

    /// The one text of each status, as stored and as `burenlijn callbacks` prints it.
    pub fn as_str(self) -> &'static str {
        match self {
            RequestStatus::Open => "open",
            RequestStatus::Searching => "searching",
            RequestStatus::Calling => "calling",
            RequestStatus::Connected => "connected",
            RequestStatus::Unanswered => "unanswered",
            RequestStatus::Expired => "expired",
            RequestStatus::Closed => "closed",
        }
    }

    pub fn parse(text: &str) -> Option<RequestStatus> {
        RequestStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }

    pub fn in_progress(self) -> bool {
        RequestStatus::IN_PROGRESS.contains(&self)
    }

    pub fn stoppable(self) -> bool {
        RequestStatus::STOPPABLE.contains(&self)
    }
}

impl fmt::Display for RequestStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_reads_back_from_its_text() {
        for status in RequestStatus::ALL {
            assert_eq!(RequestStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(RequestStatus::parse("Open"), None);
        assert_eq!(RequestStatus::parse(""), None);
    }

    #[test]
    fn only_waiting_and_searching_requests_can_be_stopped() {
        let stoppable: Vec<&str> =
            RequestStatus::ALL.into_iter().filter(|s| s.stoppable()).map(RequestStatus::as_str).collect();
        assert_eq!(stoppable, ["open", "searching"]);
        let in_progress: Vec<&str> =
            RequestStatus::ALL.into_iter().filter(|s| s.in_progress()).map(RequestStatus::as_str).collect();
        assert_eq!(in_progress, ["open", "searching", "calling"]);
    }
}
