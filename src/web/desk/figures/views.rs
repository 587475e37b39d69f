//! The parts of the figures pages: the chart, the summary, the table, the round's totals,
//! help for later's totals.

use maud::{html, Markup, PreEscaped};

use super::super::layout::{self, DASH};
use super::super::text::Lang;
use super::super::DeskState;
use super::{Month, Report};
use crate::domain::desk::FollowUpResult;
use crate::switchboard::desk::figures::{Figures, PlannedFigures, RoundFigures};

pub(super) fn wait(l: Lang, w: Option<i64>) -> Markup {
    match w {
        Some(s) => html! { (l.duration(s)) },
        None => html! { (DASH) },
    }
}

/// Bars per month: matched (green) stacked on not matched (red), with the numbers written
/// on the chart so nobody needs to tell colours apart.
pub(super) fn chart(l: Lang, months: &[Month]) -> Markup {
    let max = months.iter().map(|(_, f)| f[0].matched + f[0].unmatched).max().unwrap_or(0).max(1);
    // Labels as large as the body text (18 px), so the bars are wide enough to hold them.
    let (bar, gap, height, top, bottom) = (56.0, 26.0, 220.0, 30.0, 50.0);
    let width = 50.0 + months.len() as f64 * (bar + gap);
    let scale = |n: i64| n as f64 / max as f64 * height;
    let label =
        l.t("Gesprekken per maand: buur gevonden en niet gevonden", "Calls per month: neighbour found and not found");
    html! {
        svg.chart role="img" aria-label=(label) width=(width) height=(height + top + bottom) viewBox=(format!("0 0 {width} {}", height + top + bottom)) xmlns="http://www.w3.org/2000/svg" {
            title { (label) }
            line x1="40" y1=(top + height) x2=(width) y2=(top + height) stroke="#1a1a1a" {}
            @for (i, (first, f)) in months.iter().enumerate() {
                @let x = 50.0 + i as f64 * (bar + gap);
                @let (m, u) = (f[0].matched, f[0].unmatched);
                @let hm = scale(m);
                @let hu = scale(u);
                rect x=(x) y=(top + height - hm) width=(bar) height=(hm) fill="#2e7d32" { title { (m) " " (l.t("gevonden", "found")) } }
                rect x=(x) y=(top + height - hm - hu) width=(bar) height=(hu) fill="#c62828" { title { (u) " " (l.t("niet gevonden", "not found")) } }
                text x=(x + bar / 2.0) y=(top + height - hm - hu - 8.0) text-anchor="middle" { (m) "/" (m + u) }
                text x=(x + bar / 2.0) y=(top + height + 24.0) text-anchor="middle" { (PreEscaped(short_month(l, first.month()))) }
                @if i == 0 || first.month() == 1 { text x=(x + bar / 2.0) y=(top + height + 44.0) text-anchor="middle" { (first.year()) } }
            }
        }
    }
}

pub(super) fn short_month(l: Lang, month: i8) -> &'static str {
    const NL: [&str; 12] = ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"];
    const EN: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let i = (month.clamp(1, 12) - 1) as usize;
    match l {
        Lang::Nl => NL[i],
        Lang::En => EN[i],
    }
}

pub(super) fn category_name(l: Lang, ds: &DeskState, f: &Figures) -> String {
    match f.category.as_deref() {
        None => l.t("Totaal", "Total").to_string(),
        Some(c) => ds.category(l, Some(c)),
    }
}

/// The follow-up results in the order a report lists them, with the ones still open last.
pub(super) fn results_in_order(r: &Report) -> Vec<(Option<&'static str>, i64)> {
    let count = |key: Option<&str>| r.results.iter().filter(|(k, _)| k.as_deref() == key).map(|(_, n)| n).sum::<i64>();
    let mut out: Vec<(Option<&'static str>, i64)> =
        FollowUpResult::ALL.iter().map(|res| (Some(res.as_str()), count(Some(res.as_str())))).collect();
    out.push((None, count(None)));
    out
}

pub(super) fn result_name(l: Lang, key: Option<&str>) -> &'static str {
    match key {
        Some(k) => l.follow_up_result(k),
        None => l.t("Nog open", "Still open"),
    }
}

/// The period in a few figures, and how the follow-ups ended.
/// The period's headline figures: (the figure, what it counts), on the page and in the
/// Excel file alike.
pub(super) fn headline(l: Lang, r: &Report) -> [(String, &'static str); 5] {
    let t = &r.total;
    [
        (t.calls.to_string(), l.t("gesprekken", "calls")),
        (t.matched.to_string(), l.t("keer een buur gevonden", "times a neighbour was found")),
        (t.residents_helped.to_string(), l.t("verschillende bewoners geholpen", "different residents helped")),
        (t.helpers_active.to_string(), l.t("buren die hielpen", "neighbours who helped")),
        (wait(l, t.median_wait_seconds).into_string(), l.t("wachttijd (mediaan)", "wait (median)")),
    ]
}

pub(super) fn summary(l: Lang, r: &Report) -> Markup {
    html! {
        ul.summary {
            @for (figure, what) in headline(l, r) { li { strong { (figure) } br; (what) } }
        }
        h2 { (l.t("Opvolging door de balie", "Follow-up by the desk")) }
        table.results {
            thead { tr { th scope="col" { (l.t("Afgehandeld als", "Closed as")) } th.num scope="col" { (l.t("Aantal", "Number")) } } }
            tbody { @for (key, n) in results_in_order(r) { tr { td { (result_name(l, key)) } td.num { (n) } } } }
        }
    }
}

pub(super) fn table(l: Lang, ds: &DeskState, r: &Report, per_category: bool) -> Markup {
    html! {
        (layout::scroll(l, html! { table {
            thead { tr {
                th scope="col" { (l.t("Maand", "Month")) }
                @if per_category { th scope="col" { (l.t("Hulp bij", "Help with")) } }
                th.num scope="col" { (l.t("Gesprekken", "Calls")) }
                th.num scope="col" { (l.t("Buur gevonden", "Matched")) }
                th.num scope="col" { (l.t("Niet gevonden", "Unmatched")) }
                th.num scope="col" { (l.t("Wachttijd (mediaan)", "Wait (median)")) }
                th.num.wide scope="col" { (l.t("Wachttijd, 9 op 10 binnen", "Wait (90th pct)")) }
                th.num scope="col" { (l.t("Buren die hielpen", "Neighbours who helped")) }
                th.num.wide scope="col" { (l.t("Vroegen én hielpen", "Asked and helped")) }
                th.num scope="col" { (l.t("Bewoners geholpen", "Residents helped")) }
            } }
            tbody {
                @for (first, figures) in r.months.iter().rev() {
                    @for f in figures.iter().take(if per_category { usize::MAX } else { 1 }) {
                        tr {
                            @if f.category.is_none() { th scope="row" { (l.month(first.year(), first.month())) } } @else { td {} }
                            @if per_category { td { @if f.category.is_none() { strong { (category_name(l, ds, f)) } } @else { (category_name(l, ds, f)) } } }
                            td.num { (f.calls) } td.num { (f.matched) } td.num { (f.unmatched) }
                            td.num { (wait(l, f.median_wait_seconds)) } td.num.wide { (wait(l, f.p90_wait_seconds)) }
                            td.num { (f.helpers_active) } td.num.wide { (f.asked_and_helped) } td.num { (f.residents_helped) }
                        }
                    }
                }
            }
        } }))
    }
}

pub(super) fn title(l: Lang, r: &Report) -> String {
    match &r.hood {
        Some((_, _, name)) => format!("{} {name}", l.t("Cijfers", "Figures")),
        None => l.t("Cijfers", "Figures").to_string(),
    }
}

/// The good-morning round's totals (nothing when it made no rounds in the period).
/// The good-morning round's figures, on the page and in the Excel file alike.
pub(super) fn round_rows(l: Lang, round: &RoundFigures) -> [(&'static str, i64); 4] {
    [
        (l.t("Ochtenden gebeld", "Mornings called"), round.rounds),
        (l.t("De eerste keer opgenomen", "Answered the first time"), round.answered_first_time),
        (l.t("Contactpersoon gebeld", "A contact called"), round.contacts_alerted),
        (l.t("Balie gewaarschuwd", "The desk alerted"), round.desk_alerted),
    ]
}

pub(super) fn round_table(l: Lang, round: &RoundFigures) -> maud::Markup {
    html! {
        @if round.rounds > 0 {
            h2 { (l.t("Goedemorgenronde", "Good-morning round")) }
            table #round-figures {
                caption.sr-only { (l.t("De goedemorgenronde in deze periode", "The good-morning round in this period")) }
                tbody {
                    @for (what, n) in round_rows(l, round) { tr { th scope="row" { (what) } td.num { (n) } } }
                }
            }
        }
    }
}

/// Help for later's figures, on the page and in the downloads alike: taken, matched,
/// confirmed, happened, cancelled by whom, unfilled, and the median hours ahead.
pub(super) fn planned_rows(l: Lang, p: &PlannedFigures) -> [(&'static str, Option<i64>); 12] {
    [
        (l.t("Verzoeken aangenomen", "Requests taken"), Some(p.made)),
        (l.t("Buur gevonden", "Neighbour found"), Some(p.matched)),
        (l.t("waarvan door de balie gekoppeld", "of which matched by the desk"), Some(p.matched_by_desk)),
        (l.t("Bevestigd de dag ervoor", "Confirmed the day before"), Some(p.confirmed)),
        (l.t("Is gebeurd", "Happened"), Some(p.happened)),
        (l.t("Niet goed gegaan", "Did not happen"), Some(p.not_happened)),
        (l.t("Afgezegd door de bewoner", "Cancelled by the resident"), Some(p.cancelled_by_requester)),
        (
            l.t("Afgezegd door de buur die zou helpen", "Cancelled by the neighbour who would help"),
            Some(p.cancelled_by_helper),
        ),
        (l.t("Afgezegd door de balie", "Cancelled by the desk"), Some(p.cancelled_by_desk)),
        (l.t("Niemand gevonden", "Nobody found"), Some(p.unfilled)),
        (
            l.t("Nog niet voorbij", "Still to come"),
            Some(
                p.made
                    - p.happened
                    - p.not_happened
                    - p.cancelled_by_requester
                    - p.cancelled_by_helper
                    - p.cancelled_by_desk
                    - p.unfilled,
            ),
        ),
        (l.t("Mediaan: uren vooruit gevraagd", "Median: hours asked ahead"), p.median_lead_hours),
    ]
}

/// Help for later's totals (nothing when no request was taken in the period).
pub(super) fn planned_table(l: Lang, planned: &PlannedFigures) -> maud::Markup {
    html! {
        @if planned.made > 0 {
            h2 { (l.t("Hulp voor later", "Help for later")) }
            table #planned-figures {
                caption.sr-only { (l.t("Hulp voor later: de verzoeken aangenomen in deze periode", "Help for later: the requests taken in this period")) }
                tbody {
                    @for (what, n) in planned_rows(l, planned) {
                        tr { th scope="row" { (what) } td.num { @if let Some(n) = n { (n) } @else { (DASH) } } }
                    }
                }
            }
        }
    }
}
