//! Logging in and out, the language, and changing one's own password: the handlers
//! (the pages' markup is in `views`).

mod views;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use maud::html;
use serde::Deserialize;

use super::layout::{bare_page, message_box};
use super::{auth, cookie, safe_next, CheckedFields, CheckedForm, Desk, Failure, MAX_SESSION_SECONDS, SESSION_COOKIE};
use crate::domain::desk::check_password;
use crate::switchboard::desk::accounts;
use crate::switchboard::desk::{read, write, Acting, Scope};
use crate::web::AppState;
use views::{account_page, login_form};

const LOGIN_COOKIE: &str = "burenlijn_login";

#[derive(Deserialize, Default)]
pub struct LoginQuery {
    next: Option<String>,
    expired: Option<String>,
    bye: Option<String>,
    changed: Option<String>,
}

fn cookie_header(name: &str, value: &str, max_age: i64, secure: bool) -> String {
    format!(
        "{name}={value}; Path=/desk; HttpOnly; SameSite=Strict; Max-Age={max_age}{}",
        if secure { "; Secure" } else { "" }
    )
}

/// The login page. It sets a one-off cookie whose value the form must send back, so a
/// login cannot be posted from another site.
pub async fn form(State(state): State<Arc<AppState>>, Query(q): Query<LoginQuery>) -> Result<Response, Failure> {
    let token = auth::random_token()?;
    let next = safe_next(q.next.as_deref().unwrap_or(""));
    let message = if q.expired.is_some() {
        Some(("Uw sessie is verlopen. Log opnieuw in. / Your session has expired; please log in again.", false))
    } else if q.bye.is_some() {
        Some(("U bent uitgelogd. Tot de volgende keer! / You are logged out.", false))
    } else if q.changed.is_some() {
        Some(("Uw wachtwoord is gewijzigd. Log in met het nieuwe wachtwoord. / Your password was changed; log in with the new one.", false))
    } else {
        None
    };
    let secure = state.desk.secure_cookies;
    Ok((
        [(header::SET_COOKIE, cookie_header(LOGIN_COOKIE, &token, 3600, secure))],
        login_form(&token, next, "", message),
    )
        .into_response())
}

/// A name typed at the login is never longer than an account's name may be.
const MAX_NAME_CHARS: usize = 60;

/// The hasher's queue is full (a burst of logins): nothing was checked, the name stays.
fn busy(csrf: &str, next: &str, name: &str) -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::RETRY_AFTER, "5")],
        login_form(
            csrf,
            next,
            name,
            Some(("Het is nu erg druk. Probeer het over een paar seconden opnieuw. / It is very busy right now; try again in a few seconds.", true)),
        ),
    )
        .into_response()
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    next: String,
}

pub async fn submit(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Result<Response, Failure> {
    let next = safe_next(&f.next).to_string();
    let expected = cookie(&headers, LOGIN_COOKIE).unwrap_or("");
    if expected.is_empty() || !auth::same_token(expected, &f.csrf) {
        return Ok((StatusCode::FORBIDDEN, bare_page("Inloggen", html! {
            (message_box("Dit inlogformulier is verlopen. Er is niets gebeurd. / This login form has expired.", true))
            p { a href="/desk/login" { "Opnieuw inloggen / Log in again" } }
        }))
            .into_response());
    }
    let name: String = f.name.trim().chars().take(MAX_NAME_CHARS).collect();
    let client = crate::web::client::address(peer, &headers, &state.trusted_proxies);
    let wall = jiff::Timestamp::now().as_second();
    // Counted before the hash: a burst of guesses at one account is refused after the
    // free few, however many arrive at once.
    let attempt = match state.desk.throttle.begin(&name, client, wall) {
        Ok(attempt) => attempt,
        Err(wait) => {
            tracing::warn!(account = ?name, address = %crate::web::client::masked(client), wait, "a desk login refused: too many wrong passwords for this account");
            let message = format!("Te vaak een verkeerd wachtwoord. Probeer het over {wait} seconden opnieuw. / Too many failed attempts; try again in {wait} seconds.");
            return Ok((
                StatusCode::TOO_MANY_REQUESTS,
                [(header::RETRY_AFTER, wait.to_string())],
                login_form(&f.csrf, &next, &name, Some((&message, true))),
            )
                .into_response());
        }
    };
    // Other people's wrong passwords on this address (everyone, behind a proxy that is not
    // trusted) slow this attempt down a little; they never refuse it.
    if !attempt.delay.is_zero() {
        tokio::time::sleep(attempt.delay).await;
    }
    let n = name.clone();
    // Nobody has logged in yet: the name looks for its own account, and sees nothing else.
    let nobody = Acting::account(&name, Scope::only(Vec::new(), Vec::new()));
    let user = read(&state.switchboard, nobody, move |act| accounts::find_user(act, &n)).await?;
    let password = f.password;
    let stored = user.as_ref().filter(|u| !u.disabled).map(|u| u.password_hash.clone());
    let Ok(ok) = state.desk.hasher.run(move || auth::verify_password(&password, stored.as_deref())).await else {
        state.desk.throttle.not_checked(&attempt);
        return Ok(busy(&f.csrf, &next, &name));
    };
    let Some(user) = user.filter(|_| ok) else {
        state.desk.throttle.failed(&attempt, jiff::Timestamp::now().as_second());
        tokio::time::sleep(state.desk.failure_delay).await;
        tracing::warn!(account = ?name, address = %crate::web::client::masked(client), "a failed desk login");
        return Ok((
            StatusCode::UNAUTHORIZED,
            login_form(
                &f.csrf,
                &next,
                &name,
                Some(("Naam of wachtwoord klopt niet. / Name or password is not right.", true)),
            ),
        )
            .into_response());
    };
    state.desk.throttle.succeeded(&attempt);
    let token = auth::random_token()?;
    let csrf = auth::random_token()?;
    let hash = auth::token_hash(&token);
    let user_id = user.id;
    // Who logs in acts as their account; what they may see is read again on every page.
    let who = Acting::account(&user.name, Scope::only(Vec::new(), Vec::new()));
    write(&state.switchboard, who, move |act| accounts::log_in(act, user_id, &hash, &csrf)).await?;
    let secure = state.desk.secure_cookies;
    let mut response = Redirect::to(&next).into_response();
    let h = response.headers_mut();
    h.append(header::SET_COOKIE, cookie_header(SESSION_COOKIE, &token, MAX_SESSION_SECONDS, secure).parse()?);
    h.append(header::SET_COOKIE, cookie_header(LOGIN_COOKIE, "", 0, secure).parse()?);
    Ok(response)
}

pub async fn logout(
    State(state): State<Arc<AppState>>,
    CheckedFields(desk, _): CheckedFields,
) -> Result<Response, Failure> {
    let hash = desk.token_hash.clone();
    write(&state.switchboard, desk.acting(), move |act| accounts::log_out(act, &hash)).await?;
    let mut response = Redirect::to("/desk/login?bye=1").into_response();
    response
        .headers_mut()
        .append(header::SET_COOKIE, cookie_header(SESSION_COOKIE, "", 0, state.desk.secure_cookies).parse()?);
    Ok(response)
}

#[derive(Deserialize)]
pub struct LanguageForm {
    #[serde(default)]
    language: String,
    #[serde(default)]
    back: String,
}

pub async fn language(
    State(state): State<Arc<AppState>>,
    CheckedForm(desk, f): CheckedForm<LanguageForm>,
) -> Result<Response, Failure> {
    let lang = super::text::Lang::parse(&f.language).code();
    let id = desk.user.id;
    write(&state.switchboard, desk.acting(), move |act| accounts::set_language(act, id, lang)).await?;
    Ok(Redirect::to(safe_next(&f.back)).into_response())
}

pub async fn account(desk: Desk) -> Response {
    account_page(&desk, None).into_response()
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    again: String,
}

pub async fn change_password(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    CheckedForm(desk, f): CheckedForm<PasswordForm>,
) -> Result<Response, Failure> {
    let l = desk.lang;
    let stored = desk.user.password_hash.clone();
    let current = f.current.clone();
    // The current password is guessed no faster here than at the login.
    let client = crate::web::client::address(peer, &headers, &state.trusted_proxies);
    let attempt = match state.desk.throttle.begin(&desk.user.name, client, jiff::Timestamp::now().as_second()) {
        Ok(attempt) => attempt,
        Err(wait) => {
            let message = format!(
                "{} {wait} {}",
                l.t(
                    "Te vaak een verkeerd wachtwoord. Er is niets gewijzigd. Probeer het opnieuw over",
                    "Too many wrong passwords. Nothing was changed. Try again in"
                ),
                l.t("seconden.", "seconds.")
            );
            return Ok((
                StatusCode::TOO_MANY_REQUESTS,
                [(header::RETRY_AFTER, wait.to_string())],
                account_page(&desk, Some((&message, true))),
            )
                .into_response());
        }
    };
    if !attempt.delay.is_zero() {
        tokio::time::sleep(attempt.delay).await;
    }
    let Ok(right) = state.desk.hasher.run(move || auth::verify_password(&current, Some(&stored))).await else {
        state.desk.throttle.not_checked(&attempt);
        let message = l.t(
            "Het is nu erg druk. Er is niets gewijzigd. Probeer het over een paar seconden opnieuw.",
            "It is very busy right now. Nothing was changed. Try again in a few seconds.",
        );
        return Ok((
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, "5")],
            account_page(&desk, Some((message, true))),
        )
            .into_response());
    };
    if !right {
        state.desk.throttle.failed(&attempt, jiff::Timestamp::now().as_second());
        tokio::time::sleep(state.desk.failure_delay).await;
        tracing::warn!(account = ?desk.user.name, address = %crate::web::client::masked(client), "a wrong current password at a password change");
        return Ok((
            StatusCode::BAD_REQUEST,
            account_page(
                &desk,
                Some((
                    l.t(
                        "Het huidige wachtwoord klopt niet. Er is niets gewijzigd.",
                        "The current password is not right. Nothing was changed.",
                    ),
                    true,
                )),
            ),
        )
            .into_response());
    }
    state.desk.throttle.succeeded(&attempt);
    if f.new != f.again {
        return Ok((
            StatusCode::BAD_REQUEST,
            account_page(
                &desk,
                Some((
                    l.t(
                        "De twee nieuwe wachtwoorden zijn niet gelijk. Er is niets gewijzigd.",
                        "The two new passwords differ. Nothing was changed.",
                    ),
                    true,
                )),
            ),
        )
            .into_response());
    }
    if let Err(e) = check_password(&desk.user.name, &f.new) {
        let message = format!("{} {}", l.password_problem(&e), l.t("Er is niets gewijzigd.", "Nothing was changed."));
        return Ok((StatusCode::BAD_REQUEST, account_page(&desk, Some((&message, true)))).into_response());
    }
    let hash = accounts::hash_new_password(&state.desk.hasher, f.new).await?;
    let name = desk.user.name.clone();
    write(&state.switchboard, desk.acting(), move |act| accounts::change_own_password(act, &name, &hash)).await?;
    let mut response = Redirect::to("/desk/login?changed=1").into_response();
    response
        .headers_mut()
        .append(header::SET_COOKIE, cookie_header(SESSION_COOKIE, "", 0, state.desk.secure_cookies).parse()?);
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_secure_behind_https() {
        let hoods = crate::config::Neighbourhoods::embedded();
        assert!(super::super::DeskState::new(&hoods, "https://burenlijn.example.nl").secure_cookies);
        assert!(!super::super::DeskState::new(&hoods, "http://127.0.0.1:8080").secure_cookies);
        assert_eq!(
            cookie_header("burenlijn_desk", "abc", 60, true),
            "burenlijn_desk=abc; Path=/desk; HttpOnly; SameSite=Strict; Max-Age=60; Secure"
        );
        assert_eq!(
            cookie_header("burenlijn_desk", "", 0, false),
            "burenlijn_desk=; Path=/desk; HttpOnly; SameSite=Strict; Max-Age=0"
        );
    }

    #[test]
    fn only_desk_pages_are_places_to_go_back_to() {
        for (next, safe) in [
            ("/desk/calls?outcome=matched", "/desk/calls?outcome=matched"),
            ("https://evil.example/desk/", "/desk/now"),
            ("//evil.example/desk/", "/desk/now"),
            ("/desk/login?next=/x", "/desk/now"),
            ("/twilio/voice", "/desk/now"),
            ("", "/desk/now"),
        ] {
            assert_eq!(safe_next(next), safe, "{next}");
        }
    }
}
