//! Goedemorgenronde: who is called every morning, how this morning went, enrolling a
//! resident with their contacts, days away, a pause, and the log of the round's calls.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use serde::Deserialize;

use super::layout::{self, Nav};
use super::{read, write, CheckedFields, Desk, Failure, Fields};
use crate::domain::audit::{AuditAction, RoundChange};
use crate::domain::hours::{days_text, hh_mm};
use crate::store::round::{self as store, LogRow, Resident};
use crate::switchboard::round::{self as use_case, Enrolling};
use crate::web::AppState;

const DAYS_NL: [&str; 7] = ["ma", "di", "wo", "do", "vr", "za", "zo"];
const DAYS_EN: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const CONTACT_FIELDS: usize = 2;

#[derive(Deserialize, Default)]
pub struct PageQuery {
    #[serde(default)]
    saved: String,
}

/// What the page shows: the residents it may see, today's stage of each, the log, and the
/// participants who could be enrolled.
struct Seen {
    residents: Vec<(Resident, Option<String>)>,
    log: Vec<LogRow>,
    candidates: Vec<(i64, String, String)>,
}

async fn seen(state: &Arc<AppState>, desk: &Desk) -> Result<Seen, Failure> {
    let scope = desk.scope.clone();
    let today = state.switchboard.clock.now().to_zoned(state.desk.time_zone.clone()).date();
    read(state, move |c| {
        let stages: std::collections::HashMap<i64, String> = store::mornings_on(c, today)?.into_iter().collect();
        let residents: Vec<(Resident, Option<String>)> = store::residents(c)?
            .into_iter()
            .filter(|r| scope.sees_key(&r.neighbourhood))
            .map(|r| {
                let stage = stages.get(&r.participant_id).cloned();
                (r, stage)
            })
            .collect();
        let ids: Vec<i64> = residents.iter().map(|(r, _)| r.participant_id).collect();
        let log =
            store::log(c, None, None, 200)?.into_iter().filter(|l| ids.contains(&l.resident_id)).take(50).collect();
        let candidates = crate::store::participants::list(c)?
            .into_iter()
            .filter(|p| scope.sees_member(&p.neighbourhoods) && !ids.contains(&p.id))
            .map(|p| (p.id, p.details.name.clone(), p.details.phone.as_str().to_string()))
            .collect();
        Ok(Seen { residents, log, candidates })
    })
    .await
}

pub async fn page(
    desk: Desk,
    State(state): State<Arc<AppState>>,
    Query(q): Query<PageQuery>,
) -> Result<Response, Failure> {
    let seen = seen(&state, &desk).await?;
    let message = (!q.saved.is_empty()).then(|| (desk.lang.t("Opgeslagen.", "Saved.").to_string(), false));
    Ok(render(
        &desk,
        &state,
        seen,
        &Enrolling { at: "09:30".into(), days: "ma-vr".into(), ..Default::default() },
        message,
    )
    .into_response())
}

fn stage_text(l: super::text::Lang, stage: Option<&str>) -> (&'static str, &'static str) {
    match stage {
        None => ("", l.t("Nog niet gebeld", "Not called yet")),
        Some("answered") => ("green", l.t("Alles goed", "All well")),
        Some("asked-for-help") => ("green", l.t("Vroeg om hulp", "Asked for help")),
        Some("confirmed") => ("amber", l.t("Contactpersoon gaat kijken", "A contact goes to look")),
        Some("desk-alerted") => ("red", l.t("Niemand bereikt: balie", "Nobody reached: desk")),
        Some("missed") => ("red", l.t("Kon niet worden gemaakt", "Could not be made")),
        Some("calling-contact") => ("amber", l.t("Belt een contactpersoon", "Calling a contact")),
        Some(_) => ("amber", l.t("Bezig", "In progress")),
    }
}

fn render(desk: &Desk, state: &AppState, seen: Seen, form: &Enrolling, message: Option<(String, bool)>) -> Markup {
    let l = desk.lang;
    let tz = &state.desk.time_zone;
    let names = if l == super::text::Lang::Nl { &DAYS_NL } else { &DAYS_EN };
    let form_days = crate::domain::hours::parse_day_names(&form.days).unwrap_or(0);
    let body = html! {
        @if let Some((m, is_error)) = &message { (layout::message_box(m, *is_error)) }
        p.message.ok role="note" {
            (l.t(
                "De goedemorgenronde is een dagelijks belletje ter geruststelling voor wie alleen woont. Het is geen alarmdienst: bij spoed belt u 112.",
                "The good-morning round is a daily reassurance call for people who live alone. It is not an emergency service: in an emergency, call 112.",
            ))
        }
        h2 { (l.t("Wie er elke ochtend gebeld wordt", "Who is called every morning")) }
        @if seen.residents.is_empty() {
            p { (l.t("Nog niemand. Meld hieronder iemand aan.", "Nobody yet. Enrol someone below.")) }
        } @else {
            (layout::scroll(l, html! {
                table #round-residents {
                    caption.sr-only { (l.t("Bewoners in de goedemorgenronde", "Residents in the good-morning round")) }
                    thead { tr {
                        th scope="col" { (l.t("Bewoner", "Resident")) }
                        th scope="col" { (l.t("Tijd en dagen", "Time and days")) }
                        th scope="col" { (l.t("Contactpersonen", "Contacts")) }
                        th scope="col" { (l.t("Vandaag", "Today")) }
                        th scope="col" { (l.t("Weg of pauze", "Away or paused")) }
                    } }
                    tbody {
                        @for (r, stage) in &seen.residents {
                            @let (class, words) = stage_text(l, stage.as_deref());
                            tr data-status=[(!class.is_empty()).then_some(class)] {
                                td { a href=(format!("/desk/participants/{}", r.participant_id)) { (r.name) } @if !r.street.is_empty() { br; span.muted { (r.street) } } }
                                td { (hh_mm(r.enrolment.at.hour() as u16 * 60 + r.enrolment.at.minute() as u16)) br; span.muted { (days_text(r.enrolment.days, names)) } }
                                td { ol { @for c in &r.contacts { li { (c.name.clone().unwrap_or_else(|| c.phone.readable())) } } } }
                                td { @if class.is_empty() { (words) } @else { span class=(format!("status {class}")) { (words) } } }
                                td {
                                    @if r.enrolment.paused {
                                        p { (l.t("Gepauzeerd tot de bewoner zelf weer belt", "Paused until the resident calls again")) }
                                    }
                                    @if let Some((from, until)) = r.enrolment.away {
                                        p { (l.t("Weg van", "Away from")) " " (from) " " (l.t("tot en met", "up to and including")) " " (until) }
                                    }
                                    form.stack method="post" action=(format!("/desk/round/{}/away", r.participant_id)) {
                                        (layout::csrf(desk))
                                        label for=(format!("from-{}", r.participant_id)) { (l.t("Weg van", "Away from")) }
                                        input type="date" id=(format!("from-{}", r.participant_id)) name="from" value=[r.enrolment.away.map(|a| a.0.to_string())];
                                        label for=(format!("until-{}", r.participant_id)) { (l.t("tot en met", "up to and including")) }
                                        input type="date" id=(format!("until-{}", r.participant_id)) name="until" value=[r.enrolment.away.map(|a| a.1.to_string())];
                                        button.secondary type="submit" { (l.t("Dagen weg opslaan", "Save days away")) }
                                    }
                                    form method="post" action=(format!("/desk/round/{}/pause", r.participant_id)) {
                                        (layout::csrf(desk))
                                        @if r.enrolment.paused {
                                            button.secondary type="submit" name="paused" value="no" { (l.t("Weer elke ochtend bellen", "Call every morning again")) }
                                        } @else {
                                            button.secondary type="submit" name="paused" value="yes" { (l.t("Pauzeren tot de bewoner belt", "Pause until the resident calls")) }
                                        }
                                    }
                                    form method="post" action=(format!("/desk/round/{}/remove", r.participant_id)) {
                                        (layout::csrf(desk))
                                        button.danger type="submit" { (l.t("Afmelden", "Remove from the round")) }
                                    }
                                }
                            }
                        }
                    }
                }
            }))
        }
        h2 #enrol { (l.t("Iemand aanmelden", "Enrol someone")) }
        form.stack method="post" action="/desk/round" {
            (layout::csrf(desk))
            label for="r-resident" { (l.t("Bewoner", "Resident")) span.hint { (l.t("Een deelnemer; nog niet ingeschreven? Voeg hem of haar eerst toe bij Deelnemers.", "A participant; not registered yet? Add them under Participants first.")) } }
            select #r-resident name="resident" required {
                option value="" { (l.t("Kies…", "Choose…")) }
                @for (_, name, phone) in &seen.candidates {
                    option value=(phone) selected[*phone == form.resident_phone] { (name) }
                }
            }
            label for="r-at" { (l.t("Tijd", "Time")) span.hint { (l.t("Binnen de uren waarin de centrale belt.", "Within the hours the switchboard rings.")) } }
            input #r-at type="time" name="at" value=(form.at) required;
            fieldset {
                legend { (l.t("Dagen", "Days")) }
                @for (i, day) in names.iter().enumerate() {
                    label.check { input type="checkbox" name="day" value=(DAYS_EN[i]) checked[form_days & (1 << i) != 0]; (day) }
                }
            }
            @for i in 0..CONTACT_FIELDS {
                label for=(format!("r-contact-{i}")) {
                    (l.t("Contactpersoon", "Contact")) " " (i + 1)
                    span.hint { @if i == 0 { (l.t("Telefoonnummer van een buur met een sleutel, of familie. Wordt gebeld als de bewoner niet opneemt.", "Phone number of a neighbour with a key, or family. Called when the resident does not answer.")) } @else { (l.t("Niet verplicht; gebeld als de eerste niet kan.", "Optional; called when the first cannot.")) } }
                }
                input type="tel" id=(format!("r-contact-{i}")) name="contact" value=(form.contacts.get(i).cloned().unwrap_or_default()) autocomplete="off";
            }
            p.hint { (l.t("De bewoner krijgt bij het eerste belletje te horen dat dit geen alarmdienst is.", "The first call tells the resident that this is not an emergency service.")) }
            button type="submit" { (l.t("Aanmelden", "Enrol")) }
        }
        h2 { (l.t("Logboek van de ronde", "Log of the round")) }
        @if seen.log.is_empty() {
            p { (l.t("De ronde heeft nog niet gebeld.", "The round has made no calls yet.")) }
        } @else {
            (layout::scroll(l, html! {
                table #round-log {
                    caption.sr-only { (l.t("De laatste belletjes van de ronde, nieuwste bovenaan", "The round's latest calls, newest first")) }
                    thead { tr {
                        th scope="col" { (l.t("Wanneer", "When")) }
                        th scope="col" { (l.t("Bewoner", "Resident")) }
                        th scope="col" { (l.t("Gebeld", "Called")) }
                        th scope="col" { (l.t("Uitkomst", "Result")) }
                    } }
                    tbody {
                        @for r in &seen.log {
                            tr {
                                td.when { (l.when(jiff::Timestamp::from_second(r.at).unwrap_or(jiff::Timestamp::UNIX_EPOCH), tz)) }
                                td { (r.resident) }
                                td { (l.round_who(&r.who, r.n)) }
                                td { (l.round_result(r.result)) @if let Some(by) = &r.confirmed_by { " (" (by) ")" } }
                            }
                        }
                    }
                }
            }))
        }
    };
    layout::page(desk, Nav::Round, l.t("Goedemorgenronde", "Good-morning round"), body)
}

pub async fn enrol(
    State(state): State<Arc<AppState>>,
    CheckedFields(desk, f): CheckedFields,
) -> Result<Response, Failure> {
    let days: Vec<&str> = f.all("day");
    let form = Enrolling {
        resident_phone: f.get("resident").to_string(),
        at: f.get("at").to_string(),
        days: days.join(","),
        contacts: f.all("contact").into_iter().map(str::to_string).collect::<Vec<_>>(),
        ..Default::default()
    };
    let l = desk.lang;
    // Only a participant this account may see can be enrolled by it.
    let phone = form.resident_phone.clone();
    let scope = desk.scope.clone();
    let visible = read(&state, move |c| {
        Ok(match crate::domain::phone::PhoneNumber::parse(&phone) {
            Ok(p) => {
                crate::store::participants::find_by_phone(c, &p)?.is_none_or(|p| scope.sees_member(&p.neighbourhoods))
            }
            Err(_) => true,
        })
    })
    .await?;
    if !visible {
        return refused(&desk, &state, l.t("Bewoner: niet gevonden.", "Resident: not found.").to_string(), &form).await;
    }
    if form.days.is_empty() {
        return refused(
            &desk,
            &state,
            l.t("Dagen: kies minstens één dag.", "Days: choose at least one day.").to_string(),
            &form,
        )
        .await;
    }
    let hoods = state.switchboard.neighbourhoods.current();
    let (user, e) = (desk.user.name.clone(), form.clone());
    match write(&state, move |tx, now| use_case::enrol(tx, &hoods, &e, &user, now)).await? {
        Ok(_) => Ok(Redirect::to("/desk/round?saved=1").into_response()),
        Err(refusal) => refused(&desk, &state, l.enrol_error(&refusal), &form).await,
    }
}

/// The page again with what was filled in and why it was refused: nothing is lost.
async fn refused(desk: &Desk, state: &Arc<AppState>, message: String, form: &Enrolling) -> Result<Response, Failure> {
    let seen = seen(state, desk).await?;
    Ok((StatusCode::BAD_REQUEST, render(desk, state, seen, form, Some((message, true)))).into_response())
}

/// The resident of `id`, when this account may see them and they are in the round.
async fn visible_resident(state: &Arc<AppState>, desk: &Desk, id: &str) -> Result<Option<i64>, Failure> {
    let Ok(id) = id.parse::<i64>() else { return Ok(None) };
    let found = read(state, move |c| store::resident(c, id)).await?;
    Ok(found.filter(|r| desk.scope.sees_key(&r.neighbourhood)).map(|r| r.participant_id))
}

/// A form posted about resident `id` (its CSRF token checked already): its fields, once the
/// resident is one this account may see in the round; otherwise the refusal.
async fn posted(
    state: &Arc<AppState>,
    desk: &Desk,
    id: &str,
    f: Fields,
) -> Result<Result<(Fields, i64), Response>, Failure> {
    Ok(match visible_resident(state, desk, id).await? {
        Some(id) => Ok((f, id)),
        None => Err(not_in_round(desk)),
    })
}

fn not_in_round(desk: &Desk) -> Response {
    desk.refusal(
        StatusCode::NOT_FOUND,
        desk.lang
            .t("Deze bewoner staat niet in de goedemorgenronde.", "This resident is not in the good-morning round."),
    )
}

pub async fn away(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    CheckedFields(desk, f): CheckedFields,
) -> Result<Response, Failure> {
    let (f, id) = match posted(&state, &desk, &id, f).await? {
        Ok(posted) => posted,
        Err(refused) => return Ok(refused),
    };
    let l = desk.lang;
    let date = |s: &str| s.trim().parse::<jiff::civil::Date>();
    let away = match (f.get("from").trim(), f.get("until").trim()) {
        ("", "") => None,
        (from, "") | ("", from) => match date(from) {
            Ok(d) => Some((d, d)),
            Err(_) => {
                return Ok(bad(
                    &desk,
                    l.t("Geen geldige datum. Er is niets gewijzigd.", "Not a valid date. Nothing was changed."),
                ))
            }
        },
        (from, until) => match (date(from), date(until)) {
            (Ok(a), Ok(b)) if a <= b => Some((a, b)),
            (Ok(_), Ok(_)) => {
                return Ok(bad(
                    &desk,
                    l.t(
                        "De einddatum ligt voor de begindatum. Er is niets gewijzigd.",
                        "The last day is before the first. Nothing was changed.",
                    ),
                ))
            }
            _ => {
                return Ok(bad(
                    &desk,
                    l.t("Geen geldige datum. Er is niets gewijzigd.", "Not a valid date. Nothing was changed."),
                ))
            }
        },
    };
    let user = desk.user.name.clone();
    write(&state, move |tx, now| {
        store::set_away(tx, id, away, now)?;
        let action = AuditAction::ChangedRound(RoundChange::Away(away));
        crate::store::accounts::audit(tx, now, &user, &action, Some(id))
    })
    .await?;
    Ok(Redirect::to("/desk/round?saved=1").into_response())
}

fn bad(desk: &Desk, message: &str) -> Response {
    desk.refusal(StatusCode::BAD_REQUEST, message)
}

pub async fn pause(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    CheckedFields(desk, f): CheckedFields,
) -> Result<Response, Failure> {
    let (f, id) = match posted(&state, &desk, &id, f).await? {
        Ok(posted) => posted,
        Err(refused) => return Ok(refused),
    };
    let paused = match f.get("paused") {
        "yes" => true,
        "no" => false,
        _ => {
            return Ok(bad(
                &desk,
                desk.lang.t("Onbekende keuze. Er is niets gewijzigd.", "Unknown choice. Nothing was changed."),
            ))
        }
    };
    let user = desk.user.name.clone();
    write(&state, move |tx, now| {
        store::set_paused(tx, id, paused, now)?;
        let change = if paused { RoundChange::Paused } else { RoundChange::Resumed };
        crate::store::accounts::audit(tx, now, &user, &AuditAction::ChangedRound(change), Some(id))
    })
    .await?;
    Ok(Redirect::to("/desk/round?saved=1").into_response())
}

pub async fn remove(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    CheckedFields(desk, f): CheckedFields,
) -> Result<Response, Failure> {
    let (_, id) = match posted(&state, &desk, &id, f).await? {
        Ok(posted) => posted,
        Err(refused) => return Ok(refused),
    };
    let user = desk.user.name.clone();
    write(&state, move |tx, now| {
        store::remove(tx, id)?;
        crate::store::accounts::audit(tx, now, &user, &AuditAction::RemovedFromRound, Some(id))
    })
    .await?;
    Ok(Redirect::to("/desk/round?saved=1").into_response())
}
