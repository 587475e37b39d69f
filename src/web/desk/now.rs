//! Now: calls in progress and today's calls, updated live over server-sent events.

use std::convert::Infallible;
use std::sync::Arc;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::Stream;
use maud::html;
use tokio::sync::broadcast::error::RecvError;

use super::calls::{row, table_head};
use super::layout::{self, Nav};
use super::{Desk, Failure};
use crate::domain::call::Colour;
use crate::switchboard::desk::{self, now as use_case};
use crate::web::AppState;

pub async fn page(desk: Desk, State(state): State<Arc<AppState>>) -> Result<Response, Failure> {
    let l = desk.lang;
    let now = state.switchboard.clock.now();
    let midnight = now.to_zoned(state.desk.time_zone.clone()).start_of_day()?.timestamp();
    let use_case::Today { rows, since_last, urgent } =
        desk::read(&state.switchboard, desk.acting(), move |act| use_case::today(act, midnight)).await?;
    let tz = state.desk.time_zone.clone();
    // The same rule as each row's border and badge (`Colour::of`); the live script
    // recounts the rows by the colour the server put on them.
    let count = |colour: Colour| rows.iter().filter(|r| Colour::of(r.outcome) == colour).count();
    let ds = &state.desk;
    let body = html! {
        @if !urgent.is_empty() {
            section.urgent role="alert" aria-labelledby="urgent-title" {
                h2 #urgent-title { (l.t("Dringend: goedemorgenronde", "Urgent: good-morning round")) }
                ul {
                    @for u in &urgent {
                        li {
                            strong { (u.name) } @if !u.street.is_empty() { ", " (u.street) }
                            " · " (l.follow_up_reason(u.reason)) " · " (l.when(u.created_at, &state.desk.time_zone))
                            " · " a href=(format!("/desk/follow-up#follow-up-{}", u.id)) { (l.t("Naar Opvolgen", "To Follow-up")) }
                        }
                    }
                }
            }
        }
        ul.summary aria-label=(l.t("Vandaag", "Today")) {
            @for colour in Colour::ALL {
                li data-count=(colour.as_str()) {
                    span class=(format!("status {}", colour.as_str())) { (l.colour_total(colour)) } " "
                    strong id=(format!("count-{}", colour.as_str())) { (count(colour)) }
                }
            }
        }
        @if let Some((at, n)) = since_last {
            p {
                (l.t("Sinds uw vorige keer", "Since your last visit")) " (" (l.when(at, &tz)) "): " strong { (n) } " " (if n == 1 { l.t("gesprek", "call") } else { l.t("gesprekken", "calls") }) ". "
                a href=(format!("/desk/calls?from={}", at.to_zoned(tz.clone()).date())) { (l.t("Bekijk ze allemaal", "See them all")) }
                " · " a href="/desk/follow-up" { (desk.open_follow_ups) " " (if desk.open_follow_ups == 1 { l.t("persoon wacht bij Opvolgen", "person waits under Follow-up") } else { l.t("personen wachten bij Opvolgen", "people wait under Follow-up") }) }
            }
        }
        p.muted { (l.t("Deze pagina werkt zichzelf bij; u hoeft niet te verversen.", "This page updates itself; there is no need to reload.")) }
        p #live-note.sr-only aria-live="polite" {}
        p #no-calls hidden[!rows.is_empty()] { (l.t("Vandaag nog geen gesprekken.", "No calls yet today.")) }
        (layout::scroll(l, html! {
            table #today data-live="/desk/now/events" {
                caption.sr-only { (l.t("Gesprekken van vandaag, nieuwste bovenaan", "Today's calls, newest first")) }
                (table_head(l))
                tbody { @for r in &rows { (row(l, ds, r)) } }
            }
        }))
    };
    Ok(layout::page(&desk, Nav::Now, l.t("Nu", "Now"), body).into_response())
}

/// Each change to a call, as its rendered table row (`call`), and the number of open
/// follow-ups whenever it changes (`follow-ups`, for the menu on every page; not `open`,
/// which is EventSource's own event). The stream ends when the session does.
pub async fn events(
    desk: Desk,
    State(state): State<Arc<AppState>>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let rx = state.switchboard.changes.subscribe();
    let token_hash = desk.token_hash.clone();
    let lang = desk.lang;
    let acting = desk.acting();
    struct Listening {
        rx: tokio::sync::broadcast::Receiver<String>,
        state: Arc<AppState>,
        done: bool,
        /// The count last sent (the page came with it).
        open: i64,
        /// A count to send after the row just sent.
        pending: Option<i64>,
    }
    let start = Listening { rx, state, done: false, open: desk.open_follow_ups, pending: None };
    let stream = futures_util::stream::unfold(start, move |mut l| {
        let token_hash = token_hash.clone();
        let acting = acting.clone();
        async move {
            if l.done {
                return None;
            }
            if let Some(n) = l.pending.take() {
                return Some((Ok(Event::default().event("follow-ups").data(n.to_string())), l));
            }
            loop {
                let sid = match l.rx.recv().await {
                    Ok(sid) => sid,
                    Err(RecvError::Lagged(_)) => continue,
                    Err(RecvError::Closed) => return None,
                };
                let now = l.state.switchboard.clock.now();
                let h = token_hash.clone();
                let found =
                    desk::read(&l.state.switchboard, acting.clone(), move |act| use_case::live(act, &h, &sid)).await;
                let Ok(use_case::Live { session, call, open }) = found else { continue };
                let valid = session.is_some_and(|s| desk::sessions::holds(&s, now));
                if !valid {
                    l.done = true;
                    return Some((Ok(Event::default().event("expired").data("")), l));
                }
                let changed = (open != l.open).then_some(open);
                l.open = open;
                // Only calls on this account's neighbourhoods' numbers (`live` finds no other).
                match call {
                    Some(use_case::Changed::Row(call)) => {
                        l.pending = changed;
                        let html = row(lang, &l.state.desk, &call).into_string();
                        return Some((Ok(Event::default().event("call").data(html)), l));
                    }
                    Some(use_case::Changed::Gone(sid)) => {
                        l.pending = changed;
                        return Some((Ok(Event::default().event("gone").data(format!("call-{sid}"))), l));
                    }
                    None => {
                        if let Some(n) = changed {
                            return Some((Ok(Event::default().event("follow-ups").data(n.to_string())), l));
                        }
                    }
                }
            }
        }
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}
