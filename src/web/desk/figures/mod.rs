//! Figures for funders and the municipality: per month and per category, anonymous
//! totals only, as a table, an SVG bar chart and a CSV download.

mod views;

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use jiff::civil::Date;
use jiff::Timestamp;
use maud::html;
use serde::Deserialize;

use super::layout::{self, Nav};
use super::text::Lang;
use super::{Desk, DeskState, Failure};
use crate::domain::desk::{period, Period, PeriodError};
use crate::switchboard::desk::figures::{self as use_case, Figures, PlannedFigures, RoundFigures};
use crate::switchboard::desk::{self, Acting, Scope};
use crate::web::AppState;
use views::{
    category_name, chart, headline, planned_rows, planned_table, result_name, results_in_order, round_rows,
    round_table, summary, table, title,
};

#[derive(Deserialize, Default)]
pub struct PeriodQuery {
    #[serde(default)]
    year: String,
    /// `2026-4` or `2026-Q4`.
    #[serde(default)]
    quarter: String,
    /// Days, both included (YYYY-MM-DD).
    #[serde(default)]
    from: String,
    #[serde(default)]
    until: String,
    /// A neighbourhood's key; empty for all of them together.
    #[serde(default)]
    neighbourhood: String,
}

impl PeriodQuery {
    /// The same period and neighbourhood as a query string.
    fn link(&self) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("year", &self.year),
            ("quarter", &self.quarter),
            ("from", &self.from),
            ("until", &self.until),
            ("neighbourhood", &self.neighbourhood),
        ] {
            if !v.trim().is_empty() {
                out.append_pair(k, v.trim());
            }
        }
        out.finish()
    }
}

/// The neighbourhood asked for: `Ok(None)` for all, its (key, number, name), or `Err` for
/// a key that is not one.
fn neighbourhood_of(state: &AppState, desk: &Desk, key: &str) -> Result<Option<(String, String, String)>, ()> {
    let key = key.trim();
    if key.is_empty() {
        return Ok(None);
    }
    let hoods = state.switchboard.neighbourhoods.current();
    let hood = hoods.by_key(key).filter(|h| desk.scope.sees_key(&h.key)).ok_or(())?;
    Ok(Some((hood.key.clone(), hood.dialplan.number.as_str().to_string(), hood.dialplan.name.clone())))
}

/// Whose figures: the one neighbourhood asked for, or all the account sees together.
fn figures_scope(desk: &Desk, hood: &Option<(String, String, String)>) -> Scope {
    match hood {
        Some((key, number, _)) => Scope::only(vec![key.clone()], vec![number.clone()]),
        None => desk.scope.clone(),
    }
}

/// One month's figures (cut to the period): its first day, and the total first, then per
/// category.
type Month = (Date, Vec<Figures>);

/// Everything the page, the downloads and the printed report show.
struct Report {
    period: Period,
    /// The neighbourhood's (key, number, name), or all together.
    hood: Option<(String, String, String)>,
    /// Months with calls, oldest first (months without calls are left out).
    months: Vec<Month>,
    /// The whole period at once (different people are not added up month by month).
    total: Figures,
    /// How the period's follow-ups were closed (`None`: still open).
    results: Vec<(Option<String>, i64)>,
    /// The good-morning round's totals.
    round: RoundFigures,
    /// Help for later's totals.
    planned: PlannedFigures,
}

/// The report asked for, or the refusal that says what is wrong with the question.
async fn report(state: &Arc<AppState>, desk: &Desk, query: &PeriodQuery) -> Result<Result<Report, Response>, Failure> {
    let l = desk.lang;
    let tz = state.desk.time_zone.clone();
    let now = state.switchboard.clock.now();
    let today = now.to_zoned(tz.clone()).date();
    let period = match period(&query.year, &query.quarter, &query.from, &query.until, today) {
        Ok(p) => p,
        Err(e) => {
            let why = match e {
                PeriodError::Year => l.t("Geen geldig jaar.", "Not a valid year."),
                PeriodError::Quarter => {
                    l.t("Geen geldig kwartaal (bijvoorbeeld 2026-4).", "Not a valid quarter (for example 2026-4).")
                }
                PeriodError::Date => {
                    l.t("Vul twee datums in: van en tot en met.", "Fill in two dates: from and until.")
                }
                PeriodError::Span => l.t(
                    "De einddatum ligt voor de begindatum, of de periode is langer dan vijf jaar.",
                    "The end is before the start, or the period is longer than five years.",
                ),
            };
            return Ok(Err(desk.refusal(StatusCode::BAD_REQUEST, why)));
        }
    };
    let Ok(hood) = neighbourhood_of(state, desk, &query.neighbourhood) else {
        return Ok(Err(
            desk.refusal(StatusCode::BAD_REQUEST, l.t("Die buurt bestaat niet.", "That neighbourhood does not exist."))
        ));
    };
    let scope = figures_scope(desk, &hood);
    let instant = |d: Date| -> Result<Timestamp, Failure> { Ok(d.to_zoned(tz.clone())?.timestamp()) };
    let mut months = Vec::new();
    for (first, next) in period.months() {
        let figures =
            cached(state, (instant(first)?.as_second(), instant(next)?.as_second(), scope.clone()), now).await?;
        if figures.first().is_some_and(|f| f.calls > 0) {
            months.push((first, figures));
        }
    }
    let (from, until) = (instant(period.from)?, instant(period.until)?);
    // The whole period's total from the same cache as its months (counted at start for this
    // year and last): counting a year of calls again for every page took 0.3 to 0.5 s.
    let total = cached(state, (from.as_second(), until.as_second(), scope.clone()), now).await?;
    let total = total.into_iter().next().unwrap_or_default();
    let acting = Acting { scope: scope.clone(), ..desk.acting() };
    let (results, round, planned) = desk::read(&state.switchboard, acting, move |act| {
        let (results, round) = use_case::follow_ups_and_round(act, from, until)?;
        Ok((results, round, use_case::planned(act, from, until)?))
    })
    .await?;
    Ok(Ok(Report { period, hood, months, total, results, round, planned }))
}

/// "1 oktober 2026 t/m 31 december 2026".
fn period_text(l: Lang, p: &Period) -> String {
    let day = |d: Date| format!("{} {} {}", d.day(), l.month_name(d.month()), d.year());
    format!("{} {} {}", day(p.from), l.t("t/m", "to"), day(p.last_day()))
}

/// Computes this year's and last year's settled months in the background at start, so the
/// first coordinator to open the figures does not wait for a year of calls to be counted.
pub async fn warm(state: Arc<AppState>) {
    let tz = state.desk.time_zone.clone();
    let now = state.switchboard.clock.now();
    let today = now.to_zoned(tz.clone()).date();
    for year in [today.year(), today.year() - 1] {
        let Ok(p) = period(&year.to_string(), "", "", "", today) else { continue };
        let whole = (p.from, p.until);
        for (first, next) in p.months().into_iter().chain([whole]) {
            let (Ok(from), Ok(until)) = (first.to_zoned(tz.clone()), next.to_zoned(tz.clone())) else { continue };
            let key = (from.timestamp().as_second(), until.timestamp().as_second(), Scope::all());
            if let Err(e) = cached(&state, key, now).await {
                tracing::warn!(error = %e.0, "counting the figures in advance failed");
            }
        }
    }
    state.desk.figures_ready.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// How long the figures of a period that is still going (this month, this year so far)
/// are reused: they are totals for funders, not a live view.
const FRESH_SECONDS: i64 = 300;

async fn cached(state: &Arc<AppState>, key: super::FiguresKey, now: Timestamp) -> Result<Vec<Figures>, Failure> {
    let settled = |until: i64| until + 24 * 3600 < now.as_second();
    if let Some((at, f)) = state.desk.figures_cache.lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
        // A period is settled a day after it ended (late reports from the provider included).
        if settled(key.1) || now.as_second() - at.as_second() < FRESH_SECONDS {
            return Ok(f.clone());
        }
    }
    let (from, until, scope) = (Timestamp::from_second(key.0)?, Timestamp::from_second(key.1)?, key.2.clone());
    // Anonymous totals, not audited: the one counting in advance at start is the service
    // itself, acting as the command line does (seeing every neighbourhood).
    let acting = Acting { scope, ..Acting::command_line() };
    let figures = desk::read(&state.switchboard, acting, move |act| use_case::calls(act, from, until)).await?;
    state.desk.figures_cache.lock().unwrap_or_else(|p| p.into_inner()).insert(key, (now, figures.clone()));
    Ok(figures)
}

pub async fn page(
    desk: Desk,
    State(state): State<Arc<AppState>>,
    Query(query): Query<PeriodQuery>,
) -> Result<Response, Failure> {
    let l = desk.lang;
    let r = match report(&state, &desk, &query).await? {
        Ok(r) => r,
        Err(refused) => return Ok(refused),
    };
    let ds = &state.desk;
    let plans = ds.plans();
    let chosen = r.hood.as_ref().map(|(k, _, _)| k.as_str()).unwrap_or("");
    let today = state.switchboard.clock.now().to_zoned(ds.time_zone.clone()).date();
    let link = query.link();
    let quarters: Vec<(i16, i8)> = (0..8)
        .map(|i| {
            let n = (today.year() as i32 * 4 + (today.month() as i32 - 1) / 3) - i;
            ((n / 4) as i16, (n % 4 + 1) as i8)
        })
        .collect();
    let seen: Vec<&(String, String)> = plans.neighbourhoods.iter().filter(|(k, _)| desk.scope.sees_key(k)).collect();
    let hood_field = html! {
        @if seen.len() > 1 {
            div {
                label for="neighbourhood" { (l.t("Buurt", "Neighbourhood")) } br;
                select #neighbourhood name="neighbourhood" {
                    option value="" { (l.t("Alle buurten samen", "All neighbourhoods together")) }
                    @for (key, name) in &seen { option value=(key) selected[chosen == key] { (name) } }
                }
            }
        }
    };
    let body = html! {
        p { (l.t("Alleen anonieme totalen: geen namen, geen nummers. Zo kunt u ze delen met de gemeente en fondsen.", "Anonymous totals only: no names, no numbers. You can share them with the municipality and funders.")) }
        form.filters method="get" action="/desk/figures" aria-label=(l.t("Periode kiezen", "Choose a period")) {
            div { label for="year" { (l.t("Jaar", "Year")) } br; input #year type="text" inputmode="numeric" name="year" value=(query.year) placeholder=(today.year()) size="6"; }
            div { label for="quarter" { (l.t("of een kwartaal", "or a quarter")) } br;
                select #quarter name="quarter" {
                    option value="" { "—" }
                    @for (y, n) in &quarters { @let v = format!("{y}-{n}"); option value=(v) selected[query.quarter == v] { (l.t("kwartaal", "quarter")) " " (n) " " (y) } }
                }
            }
            div { label for="from" { (l.t("of van", "or from")) } br; input #from type="date" name="from" value=(query.from); }
            div { label for="until" { (l.t("tot en met", "until")) } br; input #until type="date" name="until" value=(query.until); }
            (hood_field)
            div { button type="submit" { (l.t("Tonen", "Show")) } }
        }
        (layout::period_shortcuts(l, "/desk/figures", today))
        p.downloads {
            strong { (period_text(l, &r.period)) } " · "
            a href=(format!("/desk/figures.csv?{link}")) download { (l.t("Download als CSV", "Download as CSV")) } " · "
            a href=(format!("/desk/figures.xlsx?{link}")) download { (l.t("Download als Excel", "Download as Excel")) } " · "
            a href=(format!("/desk/figures/print?{link}")) { (l.t("Verslag om af te drukken", "Report to print")) }
        }
        (summary(l, &r))
        (round_table(l, &r.round))
        (planned_table(l, &r.planned))
        h2 { (l.t("Per maand", "Per month")) }
        @if r.months.is_empty() { p { (l.t("In deze periode waren er geen gesprekken.", "There were no calls in this period.")) } } @else {
            ul.legend {
                li { span.swatch.matched {} (l.t("Buur gevonden", "Neighbour found")) }
                li { span.swatch.unmatched {} (l.t("Geen buur gevonden", "No neighbour found")) }
            }
            (layout::scroll(l, html! { (chart(l, &r.months)) }))
            h2 { (l.t("Tabel", "Table")) }
            (table(l, ds, &r, true))
        }
    };
    let heading = format!("{} · {}", title(l, &r), period_text(l, &r.period));
    Ok(layout::page(&desk, Nav::Figures, &heading, body).into_response())
}

/// A one-page report for a funder: the period's figures, month by month, and the desk's
/// follow-up; printed without the menu.
pub async fn print(
    desk: Desk,
    State(state): State<Arc<AppState>>,
    Query(query): Query<PeriodQuery>,
) -> Result<Response, Failure> {
    let l = desk.lang;
    let r = match report(&state, &desk, &query).await? {
        Ok(r) => r,
        Err(refused) => return Ok(refused),
    };
    let body = html! {
        p.no-print { a href=(format!("/desk/figures?{}", query.link())) { "← " (l.t("Cijfers", "Figures")) } " · " (l.t("Druk af met Ctrl+P.", "Print with Ctrl+P.")) }
        p { strong { (period_text(l, &r.period)) } " · " (l.t("Alleen anonieme totalen.", "Anonymous totals only.")) }
        (summary(l, &r))
        (round_table(l, &r.round))
        (planned_table(l, &r.planned))
        h2 { (l.t("Per maand", "Per month")) }
        (table(l, &state.desk, &r, false))
    };
    let heading = format!("Burenlijn · {}", title(l, &r));
    Ok(layout::page(&desk, Nav::Figures, &heading, body).into_response())
}

/// The file name of a download: `burenlijn-cijfers-dorp-b-2026-10-01-2026-12-31.csv`.
fn file_name(r: &Report, ext: &str) -> String {
    let who = r.hood.as_ref().map(|(k, _, _)| format!("-{k}")).unwrap_or_default();
    format!("burenlijn-cijfers{who}-{}-{}.{ext}", r.period.from, r.period.last_day())
}

/// The table's rows as the downloads write them: month, kind of help, then the numbers.
fn rows(l: Lang, ds: &DeskState, r: &Report) -> Vec<(String, String, Vec<Option<i64>>)> {
    let mut out = Vec::new();
    for (first, figures) in &r.months {
        for f in figures {
            out.push((
                format!("{}-{:02}", first.year(), first.month()),
                category_name(l, ds, f),
                vec![
                    Some(f.calls),
                    Some(f.matched),
                    Some(f.unmatched),
                    f.median_wait_seconds,
                    f.p90_wait_seconds,
                    Some(f.helpers_active),
                    Some(f.asked_and_helped),
                    Some(f.residents_helped),
                ],
            ));
        }
    }
    out
}

fn headers(l: Lang) -> [&'static str; 10] {
    [
        l.t("maand", "month"),
        l.t("hulp bij", "help with"),
        l.t("gesprekken", "calls"),
        l.t("buur gevonden", "matched"),
        l.t("niet gevonden", "unmatched"),
        l.t("wachttijd mediaan (s)", "median wait (s)"),
        l.t("wachttijd 9 op 10 binnen (s)", "90th percentile wait (s)"),
        l.t("buren die hielpen", "neighbours who helped"),
        l.t("vroegen en hielpen", "asked and helped"),
        l.t("bewoners geholpen", "residents helped"),
    ]
}

fn download(content_type: &str, name: String, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        body,
    )
        .into_response()
}

pub async fn csv(
    desk: Desk,
    State(state): State<Arc<AppState>>,
    Query(query): Query<PeriodQuery>,
) -> Result<Response, Failure> {
    let l = desk.lang;
    let r = match report(&state, &desk, &query).await? {
        Ok(r) => r,
        Err(refused) => return Ok(refused),
    };
    let mut w = csv::Writer::from_writer(Vec::new());
    crate::csv_cell::write_row(&mut w, headers(l))?;
    for (month, category, numbers) in rows(l, &state.desk, &r) {
        let mut record = vec![month, category];
        record.extend(numbers.iter().map(|n| n.map(|v| v.to_string()).unwrap_or_default()));
        crate::csv_cell::write_row(&mut w, record)?;
    }
    // Help for later below the table, one figure a row: its name, then the number.
    if r.planned.made > 0 {
        let width = headers(l).len();
        for (what, n) in planned_rows(l, &r.planned) {
            let mut record = vec![l.t("hulp voor later", "help for later").to_string(), what.to_string()];
            record.push(n.map(|v| v.to_string()).unwrap_or_default());
            record.resize(width, String::new());
            crate::csv_cell::write_row(&mut w, record)?;
        }
    }
    let body = w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(download("text/csv; charset=utf-8", file_name(&r, "csv"), body))
}

/// The figures as an Excel workbook: a title row, the period, the table, and the desk's
/// follow-up below it.
pub async fn xlsx(
    desk: Desk,
    State(state): State<Arc<AppState>>,
    Query(query): Query<PeriodQuery>,
) -> Result<Response, Failure> {
    use rust_xlsxwriter::{Format, Workbook};
    let l = desk.lang;
    let r = match report(&state, &desk, &query).await? {
        Ok(r) => r,
        Err(refused) => return Ok(refused),
    };
    let rows = rows(l, &state.desk, &r);
    let title_text = format!("Burenlijn · {}", title(l, &r));
    let period_line = format!("{}: {}", l.t("Periode", "Period"), period_text(l, &r.period));
    let headers = headers(l);
    let results: Vec<(String, i64)> =
        results_in_order(&r).into_iter().map(|(k, n)| (result_name(l, k).to_string(), n)).collect();
    let follow_up_title = l.t("Opvolging door de balie", "Follow-up by the desk");
    // Issue 29: the period's headline figures and the round's table, as on the page.
    let headline_title = l.t("De periode in het kort", "The period in short");
    let headline: Vec<(String, &str)> = headline(l, &r).into_iter().collect();
    let round_title = l.t("Goedemorgenronde", "Good-morning round");
    let round: Vec<(&str, i64)> =
        if r.round.rounds > 0 { round_rows(l, &r.round).into_iter().collect() } else { Vec::new() };
    let planned_title = l.t("Hulp voor later", "Help for later");
    let planned: Vec<(&str, Option<i64>)> =
        if r.planned.made > 0 { planned_rows(l, &r.planned).into_iter().collect() } else { Vec::new() };
    let sheet_name = l.t("Cijfers", "Figures");
    // Writing a workbook is CPU work: off the async runtime.
    let body = tokio::task::spawn_blocking(move || -> anyhow::Result<Vec<u8>> {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name(sheet_name)?;
        let bold = Format::new().set_bold();
        sheet.write_string_with_format(0, 0, &title_text, &Format::new().set_bold().set_font_size(14))?;
        sheet.write_string(1, 0, &period_line)?;
        for (c, h) in headers.iter().enumerate() {
            sheet.write_string_with_format(3, c as u16, *h, &bold)?;
        }
        for (i, (month, category, numbers)) in rows.iter().enumerate() {
            let row = 4 + i as u32;
            sheet.write_string(row, 0, month)?;
            sheet.write_string(row, 1, category)?;
            for (c, n) in numbers.iter().enumerate() {
                if let Some(n) = n {
                    sheet.write_number(row, 2 + c as u16, *n as f64)?;
                }
            }
        }
        let mut row = 5 + rows.len() as u32;
        sheet.write_string_with_format(row, 0, follow_up_title, &bold)?;
        for (name, n) in &results {
            row += 1;
            sheet.write_string(row, 0, name)?;
            sheet.write_number(row, 2, *n as f64)?;
        }
        row += 2;
        sheet.write_string_with_format(row, 0, headline_title, &bold)?;
        for (figure, what) in &headline {
            row += 1;
            sheet.write_string(row, 0, *what)?;
            match figure.parse::<f64>() {
                Ok(n) => sheet.write_number(row, 2, n)?,
                Err(_) => sheet.write_string(row, 2, figure)?,
            };
        }
        if !round.is_empty() {
            row += 2;
            sheet.write_string_with_format(row, 0, round_title, &bold)?;
            for (what, n) in &round {
                row += 1;
                sheet.write_string(row, 0, *what)?;
                sheet.write_number(row, 2, *n as f64)?;
            }
        }
        if !planned.is_empty() {
            row += 2;
            sheet.write_string_with_format(row, 0, planned_title, &bold)?;
            for (what, n) in &planned {
                row += 1;
                sheet.write_string(row, 0, *what)?;
                if let Some(n) = n {
                    sheet.write_number(row, 2, *n as f64)?;
                }
            }
        }
        sheet.set_column_width(0, 28)?;
        sheet.set_column_width(1, 30)?;
        Ok(book.save_to_buffer()?)
    })
    .await??;
    Ok(download("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", file_name(&r, "xlsx"), body))
}
