//! For coordinators: desk accounts and the audit log; the handlers (the markup is in
//! `views`).

mod views;

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use serde::Deserialize;

use super::{CheckedFields, Desk, DeskPlans, Failure, Fields};
use crate::domain::desk::{check_password, check_user_name, Role};
use crate::switchboard::desk::accounts::{self, AuditFilter, Change, Changed};
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
    let users = read(&state.switchboard, desk.acting(), accounts::users).await?;
    let page = views::users(desk, &users, &state.desk.plans(), message.as_ref().map(|(m, e)| (m.as_str(), *e)));
    Ok((status, page).into_response())
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
    pub participant: String,
    #[serde(default)]
    pub before: String,
    /// An account's name.
    #[serde(default)]
    pub user: String,
    /// A day (YYYY-MM-DD).
    #[serde(default)]
    pub day: String,
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
    let page = views::audit(&desk, views::AuditPage { query: &query, users: &users, entries, more, tz: &tz });
    Ok(page.into_response())
}
