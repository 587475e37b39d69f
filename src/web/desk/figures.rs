//! Figures for funders and the municipality: per month and per category, anonymous
//! totals only, as a table, an SVG bar chart and a CSV download.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use jiff::civil::Date;
use jiff::Timestamp;
use maud::{html, Markup, PreEscaped};
use serde::Deserialize;

use super::layout::{self, Nav, DASH};
use super::text::Lang;
use super::{read, Desk, DeskState, Failure};
use crate::store::desk::{self as q, Figures};
use crate::web::AppState;

#[derive(Deserialize, Default)]
pub struct YearQuery {
    #[serde(default)]
    year: String,
    /// A neighbourhood's key; empty for all of them together.
    #[serde(default)]
    neighbourhood: String,
}

/// The neighbourhood asked for: `Ok(None)` for all, its (key, number), or `Err` for a key
/// that is not one.
fn neighbourhood_of(state: &AppState, desk: &Desk, query: &YearQuery) -> Result<Option<(String, String)>, ()> {
    let key = query.neighbourhood.trim();
    if key.is_empty() {
        return Ok(None);
    }
    let hoods = state.switchboard.neighbourhoods.current();
    let hood = hoods.by_key(key).filter(|h| desk.scope.sees_key(&h.key)).ok_or(())?;
    Ok(Some((hood.key.clone(), hood.dialplan.number.as_str().to_string())))
}

/// Whose figures: the one neighbourhood asked for, or all the account sees together.
fn figures_scope(desk: &Desk, hood: &Option<(String, String)>) -> q::Scope {
    match hood {
        Some((key, number)) => q::Scope::only(vec![key.clone()], vec![number.clone()]),
        None => desk.scope.clone(),
    }
}

/// One month's figures: (year, month, total first then per category).
type Month = (i16, i8, Vec<Figures>);

fn year_of(query: &YearQuery, today: Date) -> Option<i16> {
    if query.year.trim().is_empty() {
        return Some(today.year());
    }
    query.year.trim().parse::<i16>().ok().filter(|y| (2000..=today.year()).contains(y))
}

/// The months of `year` up to this one, each computed on the read-only connection.
/// Months that ended are kept in memory: their calls no longer change.
async fn months(state: &Arc<AppState>, year: i16, scope: &q::Scope) -> Result<Vec<Month>, Failure> {
    let tz = state.desk.time_zone.clone();
    let now = state.switchboard.clock.now();
    let today = now.to_zoned(tz.clone()).date();
    let mut out = Vec::new();
    for month in 1..=12i8 {
        let first = Date::new(year, month, 1)?;
        if first > today {
            break;
        }
        let from = first.to_zoned(tz.clone())?.timestamp();
        let until = first.checked_add(jiff::Span::new().months(1))?.to_zoned(tz.clone())?.timestamp();
        let figures = cached(state, (from.as_second(), until.as_second(), scope.clone()), now).await?;
        out.push((year, month, figures));
    }
    Ok(out)
}

/// Computes this year's and last year's settled months in the background at start, so the
/// first coordinator to open the figures does not wait for a year of calls to be counted.
pub async fn warm(state: Arc<AppState>) {
    let this_year = state.switchboard.clock.now().to_zoned(state.desk.time_zone.clone()).year();
    for year in [this_year, this_year - 1] {
        if let Err(e) = months(&state, year, &q::Scope::all()).await {
            tracing::warn!(error = %e.0, "counting the figures in advance failed");
        }
    }
    state.desk.figures_ready.store(true, std::sync::atomic::Ordering::Relaxed);
}

async fn cached(state: &Arc<AppState>, key: super::FiguresKey, now: Timestamp) -> Result<Vec<Figures>, Failure> {
    if let Some(f) = state.desk.figures_cache.lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
        return Ok(f.clone());
    }
    let (from, until, scope) = (Timestamp::from_second(key.0)?, Timestamp::from_second(key.1)?, key.2.clone());
    let figures = read(state, move |c| q::figures(c, from, until, &scope)).await?;
    // A month is settled a day after it ended (late reports from the provider included).
    if until.as_second() + 24 * 3600 < now.as_second() {
        state.desk.figures_cache.lock().unwrap_or_else(|p| p.into_inner()).insert(key, figures.clone());
    }
    Ok(figures)
}

fn wait(l: Lang, w: Option<i64>) -> Markup {
    match w {
        Some(s) => html! { (l.duration(s)) },
        None => html! { (DASH) },
    }
}

/// Bars per month: matched (green) stacked on not matched (red), with the numbers written
/// on the chart so nobody needs to tell colours apart.
fn chart(l: Lang, months: &[Month]) -> Markup {
    let max = months.iter().map(|(_, _, f)| f[0].matched + f[0].unmatched).max().unwrap_or(0).max(1);
    let (bar, gap, height, top, bottom) = (40.0, 22.0, 200.0, 24.0, 40.0);
    let width = 50.0 + months.len() as f64 * (bar + gap);
    let scale = |n: i64| n as f64 / max as f64 * height;
    let label =
        l.t("Gesprekken per maand: buur gevonden en niet gevonden", "Calls per month: neighbour found and not found");
    html! {
        svg.chart role="img" aria-label=(label) width=(width) height=(height + top + bottom) viewBox=(format!("0 0 {width} {}", height + top + bottom)) xmlns="http://www.w3.org/2000/svg" {
            title { (label) }
            line x1="40" y1=(top + height) x2=(width) y2=(top + height) stroke="#1a1a1a" {}
            @for (i, (_, month, f)) in months.iter().enumerate() {
                @let x = 50.0 + i as f64 * (bar + gap);
                @let (m, u) = (f[0].matched, f[0].unmatched);
                @let hm = scale(m);
                @let hu = scale(u);
                rect x=(x) y=(top + height - hm) width=(bar) height=(hm) fill="#2e7d32" { title { (m) " " (l.t("gevonden", "found")) } }
                rect x=(x) y=(top + height - hm - hu) width=(bar) height=(hu) fill="#c62828" { title { (u) " " (l.t("niet gevonden", "not found")) } }
                text x=(x + bar / 2.0) y=(top + height - hm - hu - 6.0) text-anchor="middle" { (m) "/" (m + u) }
                text x=(x + bar / 2.0) y=(top + height + 18.0) text-anchor="middle" { (PreEscaped(short_month(l, *month))) }
            }
        }
    }
}

fn short_month(l: Lang, month: i8) -> &'static str {
    const NL: [&str; 12] = ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"];
    const EN: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let i = (month.clamp(1, 12) - 1) as usize;
    match l {
        Lang::Nl => NL[i],
        Lang::En => EN[i],
    }
}

fn category_name(l: Lang, ds: &DeskState, f: &Figures) -> String {
    match f.category.as_deref() {
        None => l.t("Totaal", "Total").to_string(),
        Some(c) => ds.category(l, Some(c)),
    }
}

pub async fn page(
    desk: Desk,
    State(state): State<Arc<AppState>>,
    Query(query): Query<YearQuery>,
) -> Result<Response, Failure> {
    let l = desk.lang;
    let today = state.switchboard.clock.now().to_zoned(state.desk.time_zone.clone()).date();
    let Some(year) = year_of(&query, today) else {
        return Ok(desk.refusal(StatusCode::BAD_REQUEST, l.t("Geen geldig jaar.", "Not a valid year.")));
    };
    let Ok(hood) = neighbourhood_of(&state, &desk, &query) else {
        return Ok(
            desk.refusal(StatusCode::BAD_REQUEST, l.t("Die buurt bestaat niet.", "That neighbourhood does not exist."))
        );
    };
    let months = months(&state, year, &figures_scope(&desk, &hood)).await?;
    let ds = &state.desk;
    let plans = ds.plans();
    let chosen = hood.as_ref().map(|(k, _)| k.as_str()).unwrap_or("");
    let csv_link = if chosen.is_empty() {
        format!("/desk/figures.csv?year={year}")
    } else {
        format!("/desk/figures.csv?year={year}&neighbourhood={chosen}")
    };
    let body = html! {
        p { (l.t("Alleen anonieme totalen: geen namen, geen nummers. Zo kunt u ze delen met de gemeente en fondsen.", "Anonymous totals only: no names, no numbers. You can share them with the municipality and funders.")) }
        form.filters method="get" action="/desk/figures" {
            div { label for="year" { (l.t("Jaar", "Year")) } br; input #year type="text" inputmode="numeric" name="year" value=(year) size="6"; }
            @let seen: Vec<&(String, String)> = plans.neighbourhoods.iter().filter(|(k, _)| desk.scope.sees_key(k)).collect();
            @if seen.len() > 1 {
                div {
                    label for="neighbourhood" { (l.t("Buurt", "Neighbourhood")) } br;
                    select #neighbourhood name="neighbourhood" {
                        option value="" { (l.t("Alle buurten samen", "All neighbourhoods together")) }
                        @for (key, name) in seen { option value=(key) selected[chosen == key] { (name) } }
                    }
                }
            }
            div { button type="submit" { (l.t("Tonen", "Show")) } }
            div { a.button.secondary href=(csv_link) download { (l.t("Download als CSV", "Download as CSV")) } }
        }
        h2 { (l.t("Per maand", "Per month")) }
        ul.legend {
            li { span.swatch.matched {} (l.t("Buur gevonden", "Neighbour found")) }
            li { span.swatch.unmatched {} (l.t("Geen buur gevonden", "No neighbour found")) }
        }
        (layout::scroll(l, html! { (chart(l, &months)) }))
        h2 { (l.t("Tabel", "Table")) }
        (layout::scroll(l, html! { table {
            thead { tr {
                th scope="col" { (l.t("Maand", "Month")) }
                th scope="col" { (l.t("Hulp bij", "Help with")) }
                th.num scope="col" { (l.t("Gesprekken", "Calls")) }
                th.num scope="col" { (l.t("Buur gevonden", "Matched")) }
                th.num scope="col" { (l.t("Niet gevonden", "Unmatched")) }
                th.num scope="col" { (l.t("Wachttijd (mediaan)", "Wait (median)")) }
                th.num scope="col" { (l.t("Wachttijd (90%)", "Wait (90th pct)")) }
                th.num scope="col" { (l.t("Actieve helpers", "Helpers active")) }
                th.num scope="col" { (l.t("Vroeg én hielp", "Asked and helped")) }
            } }
            tbody {
                @for (y, m, figures) in months.iter().rev() {
                    @for f in figures {
                        tr {
                            @if f.category.is_none() { th scope="row" { (l.month(*y, *m)) } } @else { td {} }
                            td { @if f.category.is_none() { strong { (category_name(l, ds, f)) } } @else { (category_name(l, ds, f)) } }
                            td.num { (f.calls) } td.num { (f.matched) } td.num { (f.unmatched) }
                            td.num { (wait(l, f.median_wait_seconds)) } td.num { (wait(l, f.p90_wait_seconds)) }
                            td.num { (f.helpers_active) } td.num { (f.asked_and_helped) }
                        }
                    }
                }
            }
        } }))
    };
    Ok(layout::page(&desk, Nav::Figures, &format!("{} {year}", l.t("Cijfers", "Figures")), body).into_response())
}

pub async fn csv(
    desk: Desk,
    State(state): State<Arc<AppState>>,
    Query(query): Query<YearQuery>,
) -> Result<Response, Failure> {
    let today = state.switchboard.clock.now().to_zoned(state.desk.time_zone.clone()).date();
    let Some(year) = year_of(&query, today) else {
        return Ok(desk.refusal(StatusCode::BAD_REQUEST, desk.lang.t("Geen geldig jaar.", "Not a valid year.")));
    };
    let Ok(hood) = neighbourhood_of(&state, &desk, &query) else {
        let l = desk.lang;
        return Ok(
            desk.refusal(StatusCode::BAD_REQUEST, l.t("Die buurt bestaat niet.", "That neighbourhood does not exist."))
        );
    };
    let months = months(&state, year, &figures_scope(&desk, &hood)).await?;
    let name = match &hood {
        Some((key, _)) => format!("burenlijn-cijfers-{key}-{year}.csv"),
        None => format!("burenlijn-cijfers-{year}.csv"),
    };
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "month",
        "category",
        "calls",
        "matched",
        "unmatched",
        "median_wait_s",
        "p90_wait_s",
        "helpers_active",
        "asked_and_helped",
    ])?;
    for (y, m, figures) in &months {
        for f in figures {
            let opt = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
            let category = match f.category.as_deref() {
                None => "all".to_string(),
                Some("") => "none".to_string(),
                Some(c) => c.to_string(),
            };
            w.write_record([
                format!("{y}-{m:02}"),
                category,
                f.calls.to_string(),
                f.matched.to_string(),
                f.unmatched.to_string(),
                opt(f.median_wait_seconds),
                opt(f.p90_wait_seconds),
                f.helpers_active.to_string(),
                f.asked_and_helped.to_string(),
            ])?;
        }
    }
    let body = w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        body,
    )
        .into_response())
}
