//! For coordinators: desk accounts and the audit log.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;

use super::layout::{self, Nav};
use super::{CheckedFields, Desk, DeskPlans, Failure, Fields};
use crate::domain::desk::{check_password, check_user_name, Role};
use crate::switchboard::desk::accounts::{self, AuditEntry, AuditFilter, Change, Changed};
use crate::switchboard::desk::{read, write};
use crate::web::AppState;

#[derive(Deserialize, Default)]
pub struct UsersQuery {
    #[serde(default)]
    msg: String,
}

async fn users_page(
    desk: &Desk,
    state: &Arc<AppState>,
    message: Option<(String, bool)>,
    status: StatusCode,
) -> Result<Response, Failure> {
    let l = desk.lang;
    let users = read(&state.switchboard, desk.acting(), accounts::users).await?;
    let plans = state.desk.plans();
    // With one neighbourhood on the install, limits mean nothing and are not shown.
    let several = plans.neighbourhoods.len() > 1;
    let role_name =
        |r: Role| if r == Role::Coordinator { l.t("coördinator", "coordinator") } else { l.t("balie", "desk") };
    let body = html! {
        @if let Some((m, e)) = &message { (layout::message_box(m, *e)) }
        (layout::scroll(l, html! { table {
            thead { tr { th scope="col" { (l.t("Naam", "Name")) } th scope="col" { (l.t("Rol", "Role")) } th scope="col" { (l.t("Stand", "Status")) } @if several { th scope="col" { (l.t("Buurten", "Neighbourhoods")) } } th scope="col" { (l.t("Wijzigen", "Change")) } } }
            tbody { @for u in &users {
                tr {
                    @let me = u.id == desk.user.id;
                    td { (u.name) @if me { " " span.muted { (l.t("(uzelf)", "(you)")) } } }
                    td { (role_name(u.role)) }
                    td { @if u.disabled { span.status.red { (l.t("Uitgeschakeld", "Disabled")) } } @else { (l.t("Actief", "Active")) } }
                    @if several { td { (reach_of(l, &plans, &u.neighbourhoods)) } }
                    td {
                        // Nobody takes away their own access from this page: another
                        // coordinator does, or `burenlijn desk` on the server.
                        @if !me {
                            form.inline method="post" action=(format!("/desk/users/{}", u.id)) {
                                (layout::csrf(desk))
                                @if u.role == Role::Desk {
                                    button.secondary type="submit" name="action" value="make-coordinator" { (l.t("Maak coördinator", "Make coordinator")) }
                                } @else {
                                    button.secondary type="submit" name="action" value="make-desk" { (l.t("Maak balie", "Make desk")) }
                                }
                                " "
                                @if u.disabled {
                                    button.secondary type="submit" name="action" value="enable" { (l.t("Inschakelen", "Enable")) }
                                }
                            }
                            @if several {
                                details {
                                    summary { (l.t("Buurten wijzigen…", "Change neighbourhoods…")) }
                                    form.stack method="post" action=(format!("/desk/users/{}", u.id)) {
                                        (layout::csrf(desk))
                                        input type="hidden" name="action" value="neighbourhoods";
                                        (reach_fields(l, &plans, &format!("reach-{}", u.id), &u.neighbourhoods))
                                        button type="submit" { (l.t("Opslaan", "Save")) }
                                    }
                                }
                            }
                            @if !u.disabled {
                                details {
                                    summary { (l.t("Uitschakelen…", "Disable…")) }
                                    form.stack method="post" action=(format!("/desk/users/{}", u.id)) {
                                        (layout::csrf(desk))
                                        p { (u.name) " " (l.t("kan dan niet meer inloggen. Weet u het zeker?", "will no longer be able to log in. Are you sure?")) }
                                        button type="submit" name="action" value="disable" { (l.t("Ja, uitschakelen", "Yes, disable")) }
                                    }
                                }
                            }
                        }
                        details {
                            summary { (l.t("Nieuw wachtwoord geven", "Set a new password")) }
                            form.stack method="post" action=(format!("/desk/users/{}", u.id)) {
                                (layout::csrf(desk))
                                input type="hidden" name="action" value="password";
                                label for=(format!("pw-{}", u.id)) { (l.t("Nieuw wachtwoord", "New password")) }
                                input id=(format!("pw-{}", u.id)) type="password" name="password" autocomplete="new-password" required minlength="10";
                                button type="submit" { (l.t("Opslaan", "Save")) }
                            }
                        }
                    }
                }
            } }
        } }))
        h2 { (l.t("Iemand toevoegen", "Add someone")) }
        form.stack method="post" action="/desk/users" {
            (layout::csrf(desk))
            label for="name" { (l.t("Naam", "Name")) }
            input #name type="text" name="name" required maxlength="60" autocomplete="off";
            label for="role" { (l.t("Rol", "Role")) }
            select #role name="role" {
                option value="desk" { (l.t("balie: gesprekken, opvolgen, deelnemers, cijfers", "desk: calls, follow-up, participants, figures")) }
                option value="coordinator" { (l.t("coördinator: ook gebruikers, wissen en logboek", "coordinator: also users, erasing and the audit log")) }
            }
            label for="password" { (l.t("Eerste wachtwoord", "First password")) span.hint { (l.t("Minstens 10 tekens. Geef het persoonlijk door; de nieuwe gebruiker kan het zelf wijzigen.", "At least 10 characters. Hand it over in person; the new user can change it.")) } }
            input #password type="password" name="password" autocomplete="new-password" required minlength="10";
            @if several { (reach_fields(l, &plans, "reach-new", &[])) }
            button type="submit" { (l.t("Toevoegen", "Add")) }
        }
    };
    Ok((status, layout::page(desk, Nav::Users, l.t("Gebruikers", "Users"), body)).into_response())
}

/// Which neighbourhoods an account sees, in words: "alle" or their names.
fn reach_of(l: super::text::Lang, plans: &DeskPlans, keys: &[String]) -> String {
    if keys.is_empty() {
        return l.t("alle", "all").to_string();
    }
    let names: Vec<&str> = keys
        .iter()
        .map(|k| plans.neighbourhoods.iter().find(|(key, _)| key == k).map(|(_, n)| n.as_str()).unwrap_or(k.as_str()))
        .collect();
    names.join(", ")
}

/// The choice between all neighbourhoods and only some, ticked.
fn reach_fields(l: super::text::Lang, plans: &DeskPlans, id: &str, keys: &[String]) -> maud::Markup {
    html! {
        fieldset {
            legend { (l.t("Buurten", "Neighbourhoods")) span.hint { (l.t("Een account voor één dorp of wijk ziet niets van de andere.", "An account for one village or district sees nothing of the others.")) } }
            label.check { input type="radio" name="reach" value="all" id=(format!("{id}-all")) checked[keys.is_empty()]; (l.t("Alle buurten", "All neighbourhoods")) }
            label.check { input type="radio" name="reach" value="some" id=(format!("{id}-some")) checked[!keys.is_empty()]; (l.t("Alleen de buurten hieronder", "Only the neighbourhoods below")) }
            @for (key, name) in &plans.neighbourhoods {
                label.check { input type="checkbox" name="neighbourhoods" value=(key) checked[keys.contains(key)]; (name) }
            }
        }
    }
}

/// The neighbourhoods chosen on a users form: empty for all of them; `Err` with words for
/// the desk when "only some" has none ticked or names one that does not exist.
fn parse_reach(l: super::text::Lang, plans: &DeskPlans, f: &Fields) -> Result<Vec<String>, &'static str> {
    if f.get("reach") != "some" {
        return Ok(Vec::new());
    }
    let mut keys = Vec::new();
    for given in f.all("neighbourhoods") {
        match plans.neighbourhoods.iter().find(|(k, _)| k == given) {
            Some((k, _)) => keys.push(k.clone()),
            None => return Err(l.t("Die buurt bestaat niet.", "That neighbourhood does not exist.")),
        }
    }
    keys.sort();
    keys.dedup();
    if keys.is_empty() {
        return Err(
            l.t("Kies minstens één buurt, of alle buurten.", "Choose at least one neighbourhood, or all of them.")
        );
    }
    Ok(keys)
}

pub async fn users(
    desk: Desk,
    State(state): State<Arc<AppState>>,
    Query(query): Query<UsersQuery>,
) -> Result<Response, Failure> {
    if let Err(r) = desk.require_account_manager() {
        return Ok(r);
    }
    let l = desk.lang;
    let message = match query.msg.as_str() {
        "added" => Some((l.t("Toegevoegd.", "Added.").to_string(), false)),
        "saved" => Some((l.t("Opgeslagen.", "Saved.").to_string(), false)),
        _ => None,
    };
    users_page(&desk, &state, message, StatusCode::OK).await
}

pub async fn add_user(
    State(state): State<Arc<AppState>>,
    CheckedFields(desk, f): CheckedFields,
) -> Result<Response, Failure> {
    if let Err(r) = desk.require_account_manager() {
        return Ok(r);
    }
    let l = desk.lang;
    let nothing = l.t("Er is niets opgeslagen.", "Nothing was saved.");
    let name = match check_user_name(f.get("name")) {
        Ok(n) => n,
        Err(e) => {
            return users_page(&desk, &state, Some((format!("{e}. {nothing}"), true)), StatusCode::BAD_REQUEST).await
        }
    };
    let Some(role) = Role::parse(f.get("role")) else {
        return users_page(
            &desk,
            &state,
            Some((format!("{} {nothing}", l.t("Onbekende rol.", "Unknown role.")), true)),
            StatusCode::BAD_REQUEST,
        )
        .await;
    };
    if let Err(e) = check_password(&name, f.get("password")) {
        let e = l.password_problem(&e);
        return users_page(&desk, &state, Some((format!("{e}. {nothing}"), true)), StatusCode::BAD_REQUEST).await;
    }
    let keys = match parse_reach(l, &state.desk.plans(), &f) {
        Ok(keys) => keys,
        Err(e) => {
            return users_page(&desk, &state, Some((format!("{e} {nothing}"), true)), StatusCode::BAD_REQUEST).await
        }
    };
    let password = f.get("password").to_string();
    let hash = accounts::hash_new_password(&state.desk.hasher, password).await?;
    let n = name.clone();
    let added =
        write(&state.switchboard, desk.acting(), move |act| accounts::add_user(act, &n, role, &hash, keys)).await?;
    if !added {
        return users_page(
            &desk,
            &state,
            Some((
                format!(
                    "{} '{name}'. {nothing}",
                    l.t("Er is al een gebruiker met de naam", "There already is a user called")
                ),
                true,
            )),
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    Ok(Redirect::to("/desk/users?msg=added").into_response())
}

pub async fn change_user(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    CheckedFields(desk, f): CheckedFields,
) -> Result<Response, Failure> {
    if let Err(r) = desk.require_account_manager() {
        return Ok(r);
    }
    let l = desk.lang;
    let nothing = l.t("Er is niets gewijzigd.", "Nothing was changed.");
    let Ok(id) = id.parse::<i64>() else {
        return users_page(
            &desk,
            &state,
            Some((format!("{} {nothing}", l.t("Onbekende gebruiker.", "Unknown user.")), true)),
            StatusCode::NOT_FOUND,
        )
        .await;
    };
    let users = read(&state.switchboard, desk.acting(), accounts::users).await?;
    let Some(target) = users.into_iter().find(|u| u.id == id) else {
        return users_page(
            &desk,
            &state,
            Some((format!("{} {nothing}", l.t("Onbekende gebruiker.", "Unknown user.")), true)),
            StatusCode::NOT_FOUND,
        )
        .await;
    };
    let hash = if f.get("action") == "password" {
        if let Err(e) = check_password(&target.name, f.get("password")) {
            let e = l.password_problem(&e);
            return users_page(&desk, &state, Some((format!("{e}. {nothing}"), true)), StatusCode::BAD_REQUEST).await;
        }
        let password = f.get("password").to_string();
        Some(accounts::hash_new_password(&state.desk.hasher, password).await?)
    } else {
        None
    };
    let limits = if f.get("action") == "neighbourhoods" {
        match parse_reach(l, &state.desk.plans(), &f) {
            Ok(keys) => keys,
            Err(e) => {
                return users_page(&desk, &state, Some((format!("{e} {nothing}"), true)), StatusCode::BAD_REQUEST).await
            }
        }
    } else {
        Vec::new()
    };
    if target.id == desk.user.id && matches!(f.get("action"), "make-desk" | "disable" | "neighbourhoods") {
        let message = l.t(
            "U kunt uw eigen account hier niet uitschakelen, balie maken of tot buurten beperken. Vraag het een andere coördinator.",
            "You cannot disable your own account, make it a desk account or limit it to neighbourhoods here. Ask another coordinator.",
        );
        return users_page(&desk, &state, Some((format!("{message} {nothing}"), true)), StatusCode::CONFLICT).await;
    }
    let change = match f.get("action") {
        "make-coordinator" => Some(Change::MakeCoordinator),
        "make-desk" => Some(Change::MakeDesk),
        "disable" => Some(Change::Disable),
        "enable" => Some(Change::Enable),
        "password" => Some(Change::Password(hash.unwrap_or_default())),
        "neighbourhoods" => Some(Change::Neighbourhoods(limits)),
        _ => None,
    };
    let result = match change {
        Some(change) => {
            write(&state.switchboard, desk.acting(), move |act| accounts::change(act, &target, change)).await?.into()
        }
        None => None,
    };
    match result {
        Some(Changed::Done) => Ok(Redirect::to("/desk/users?msg=saved").into_response()),
        Some(Changed::LastCoordinator) => {
            users_page(
                &desk,
                &state,
                Some((
                    format!(
                        "{} {nothing}",
                        l.t(
                            "Dit is de laatste coördinator van alle buurten; er moet er altijd één blijven.",
                            "This is the last coordinator of all neighbourhoods; there must always be one."
                        )
                    ),
                    true,
                )),
                StatusCode::CONFLICT,
            )
            .await
        }
        None => {
            users_page(
                &desk,
                &state,
                Some((format!("{} {nothing}", l.t("Onbekende wijziging.", "Unknown change.")), true)),
                StatusCode::BAD_REQUEST,
            )
            .await
        }
    }
}

#[derive(Deserialize, Default)]
pub struct AuditQuery {
    #[serde(default)]
    participant: String,
    #[serde(default)]
    before: String,
    /// An account's name.
    #[serde(default)]
    user: String,
    /// A day (YYYY-MM-DD).
    #[serde(default)]
    day: String,
}

/// One line of the log as shown: page views by one person of one participant on one day
/// are one line, with how often.
struct Line<'a> {
    entry: &'a AuditEntry,
    times: usize,
}

/// Views and plays (reading, not changing) fold into one line per person, participant,
/// action and day.
fn summarised<'a>(entries: &'a [AuditEntry], tz: &jiff::tz::TimeZone) -> Vec<Line<'a>> {
    let mut lines: Vec<Line<'a>> = Vec::new();
    for e in entries {
        let day = e.at.to_zoned(tz.clone()).date();
        let same = lines.iter_mut().find(|l| {
            e.recorded.kind().is_some_and(|k| k.is_reading())
                && l.entry.recorded.word() == e.recorded.word()
                && l.entry.user_name == e.user_name
                && l.entry.participant_id == e.participant_id
                && l.entry.at.to_zoned(tz.clone()).date() == day
        });
        match same {
            Some(line) => line.times += 1,
            None => lines.push(Line { entry: e, times: 1 }),
        }
    }
    lines
}

pub async fn audit(
    desk: Desk,
    State(state): State<Arc<AppState>>,
    Query(query): Query<AuditQuery>,
) -> Result<Response, Failure> {
    if let Err(r) = desk.require_account_manager() {
        return Ok(r);
    }
    let l = desk.lang;
    let tz = state.desk.time_zone.clone();
    let day = match query.day.trim() {
        "" => None,
        d => match d.parse::<jiff::civil::Date>() {
            Ok(day) => Some(day),
            Err(_) => {
                return Ok(desk.refusal(StatusCode::BAD_REQUEST, l.t("Geen geldige datum.", "Not a valid date.")));
            }
        },
    };
    let (from, until) = match day {
        Some(d) => (Some(d.to_zoned(tz.clone())?.timestamp()), Some(d.tomorrow()?.to_zoned(tz.clone())?.timestamp())),
        None => (None, None),
    };
    let filter = AuditFilter {
        participant: query.participant.parse::<i64>().ok(),
        user_name: Some(query.user.trim().to_string()).filter(|u| !u.is_empty()),
        from,
        until,
        before: query.before.parse::<i64>().ok(),
    };
    let f = filter.clone();
    let (entries, users) = read(&state.switchboard, desk.acting(), move |act| {
        Ok((accounts::audit_log(act, &f, 201)?, accounts::users(act)?))
    })
    .await?;
    let more = entries.len() > 200;
    let entries = &entries[..entries.len().min(200)];
    let lines = summarised(entries, &tz);
    let next = {
        let mut q = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [("participant", &query.participant), ("user", &query.user), ("day", &query.day)] {
            if !v.is_empty() {
                q.append_pair(k, v);
            }
        }
        q.finish()
    };
    let body = html! {
        p { (l.t("Wie heeft wanneer gegevens van deelnemers bekeken of gewijzigd. Bekijken wordt per persoon per dag samengevat.", "Who viewed or changed participants' data, and when. Viewing is summarised per person per day.")) }
        form.filters method="get" action="/desk/audit" aria-label=(l.t("Logboek filteren", "Filter the audit log")) {
            div { label for="a-user" { (l.t("Account", "Account")) } br;
                select #a-user name="user" {
                    option value="" { (l.t("Iedereen", "Everyone")) }
                    @for u in &users { option value=(u.name) selected[query.user == u.name] { (u.name) } }
                }
            }
            div { label for="a-day" { (l.t("Dag", "Day")) } br; input #a-day type="date" name="day" value=(query.day); }
            @if !query.participant.is_empty() { input type="hidden" name="participant" value=(query.participant); }
            div { button type="submit" { (l.t("Filteren", "Filter")) } " " a.button.secondary href="/desk/audit" { (l.t("Wissen", "Clear")) } }
        }
        @if lines.is_empty() { p { (l.t("Geen regels.", "No entries.")) } }
        (layout::scroll(l, html! { table.audit {
            thead { tr { th scope="col" { (l.t("Wanneer", "When")) } th scope="col" { (l.t("Wie", "Who")) } th scope="col" { (l.t("Wat", "What")) } th scope="col" { (l.t("Deelnemer", "Participant")) } th.wide scope="col" { (l.t("Details", "Details")) } } }
            tbody { @for line in &lines {
                @let e = line.entry;
                tr {
                    td.when { (l.when_short(e.at, &tz)) } td { (l.audit_who(&e.user_name)) }
                    td { (l.audit_action(&e.recorded)) @if line.times > 1 { " " span.muted { "(" (line.times) "×)" } } }
                    td { @if let Some(p) = e.participant_id {
                        a href=(format!("/desk/audit?participant={p}")) {
                            @match &e.participant_name { Some(name) => { (name) }, None => { (l.t("gewist", "erased")) " (#" (p) ")" } }
                        }
                    } }
                    td.wide { (l.audit_detail(&e.recorded)) }
                }
            } }
        } }))
        @if more { @if let Some(last) = entries.last() {
            p { a.button.secondary href=(format!("/desk/audit?{next}{}before={}", if next.is_empty() { "" } else { "&" }, last.id)) { (l.t("Oudere regels", "Older entries")) " →" } }
        } }
    };
    Ok(layout::page(&desk, Nav::Audit, l.t("Logboek", "Audit log"), body).into_response())
}
