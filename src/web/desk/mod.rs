//! The desk ("balie"): server-rendered pages for the coordinators, behind a login.
//!
//! HTTP only: every page and change calls a use case of `switchboard::desk`, which reads
//! off the async runtime, writes on the store's worker in one transaction, filters by what
//! the account may see and writes the audit log. Each route takes a [`Desk`] (a valid
//! session), each form comes through [`CheckedForm`] or [`CheckedFields`], which check its
//! CSRF token before anything is read from it, and a record in the path comes through an
//! extractor that finds it only when the account may see it.

mod auth;
pub mod calls;
pub mod figures;
mod follow_up;
mod layout;
mod login;
mod now;
mod participants;
mod people;
mod planned;
mod records;
mod round;
pub mod text;

pub use auth::{hash_password, verify_password};

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use jiff::tz::TimeZone;

use super::AppState;
use crate::config::Neighbourhoods;
use crate::domain::desk::Role;
use crate::switchboard::desk::accounts::User;
use crate::switchboard::desk::Scope;
use text::Lang;

pub use crate::switchboard::desk::sessions::{self, IDLE_SECONDS, MAX_SESSION_SECONDS};

const SESSION_COOKIE: &str = "burenlijn_desk";

/// What the desk keeps besides the database.
pub struct DeskState {
    /// Wrong passwords per account and per client address.
    pub throttle: crate::switchboard::logins::Throttle,
    /// The one thread that hashes passwords.
    pub hasher: crate::switchboard::logins::Hasher,
    /// Cookies get `Secure` when the service is reached over https.
    pub secure_cookies: bool,
    /// The desk reads times in the first neighbourhood's time zone (as it was at start).
    pub time_zone: TimeZone,
    /// What the desk shows of the dialplans; read again with them (`reload`).
    plans: std::sync::RwLock<Arc<DeskPlans>>,
    /// How long a failed login waits before it answers.
    pub failure_delay: std::time::Duration,
    /// Set when the figures counted in advance at start are ready.
    pub figures_ready: std::sync::atomic::AtomicBool,
    /// Figures of periods by (from, until, the neighbourhood's number or all): when they
    /// were counted, and what. Settled periods are kept; others are counted again after
    /// a few minutes.
    pub figures_cache:
        std::sync::Mutex<HashMap<FiguresKey, (jiff::Timestamp, Vec<crate::switchboard::desk::figures::Figures>)>>,
}

/// A posted form as its (name, value) pairs, in order: checkboxes send a name once per box.
pub(super) struct Fields(Vec<(String, String)>);

impl Fields {
    pub(super) fn parse(body: &[u8]) -> Fields {
        Fields(form_urlencoded::parse(body).map(|(k, v)| (k.into_owned(), v.into_owned())).collect())
    }
    /// The first value of `name`; empty when there is none.
    pub(super) fn get(&self, name: &str) -> &str {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or("")
    }
    pub(super) fn all(&self, name: &str) -> Vec<&str> {
        self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str()).collect()
    }
}

/// (from, until, whose) of a month's figures.
pub type FiguresKey = (i64, i64, Scope);

/// The dialplans as the desk shows them: the kinds of help with their names, and the
/// neighbourhoods.
pub struct DeskPlans {
    pub categories: Vec<String>,
    /// The neighbourhoods, (key, the dialplan's name), by key.
    pub neighbourhoods: Vec<(String, String)>,
    /// The languages a participant may hear (prompt files' names), sorted.
    pub languages: Vec<String>,
    labels: HashMap<(Lang, String), String>,
}

impl DeskPlans {
    fn new(neighbourhoods: &Neighbourhoods) -> DeskPlans {
        let mut hoods: Vec<_> = neighbourhoods.all().collect();
        hoods.sort_by(|a, b| a.dialplan.number.as_str().cmp(b.dialplan.number.as_str()));
        let categories = neighbourhoods.categories();
        let mut keyed: Vec<(String, String)> = hoods.iter().map(|h| (h.key.clone(), h.dialplan.name.clone())).collect();
        keyed.sort();
        let mut labels = HashMap::new();
        for lang in [Lang::Nl, Lang::En] {
            let own = hoods.iter().find(|h| h.prompts.language == lang.code()).map(|h| h.prompts.clone());
            let embedded = crate::config::load_prompts(None, lang.code()).ok();
            for key in &categories {
                let spoken = own
                    .as_ref()
                    .and_then(|p| p.category(key).map(str::to_string))
                    .or_else(|| embedded.as_ref().and_then(|p| p.category(key).map(str::to_string)));
                if let Some(spoken) = spoken {
                    labels.insert((lang, key.clone()), label_from_spoken(&spoken));
                }
            }
        }
        DeskPlans { categories, neighbourhoods: keyed, languages: neighbourhoods.language_keys(), labels }
    }

    /// The neighbourhoods' keys.
    pub fn keys(&self) -> Vec<String> {
        self.neighbourhoods.iter().map(|(k, _)| k.clone()).collect()
    }
}

impl DeskState {
    pub fn new(neighbourhoods: &Neighbourhoods, public_url: &str) -> DeskState {
        let mut hoods: Vec<_> = neighbourhoods.all().collect();
        hoods.sort_by(|a, b| a.dialplan.number.as_str().cmp(b.dialplan.number.as_str()));
        let time_zone = hoods.first().map(|h| h.dialplan.time_zone.clone()).unwrap_or(TimeZone::UTC);
        DeskState {
            throttle: Default::default(),
            hasher: crate::switchboard::logins::Hasher::start(),
            secure_cookies: public_url.starts_with("https://"),
            time_zone,
            plans: std::sync::RwLock::new(Arc::new(DeskPlans::new(neighbourhoods))),
            failure_delay: std::time::Duration::from_millis(700),
            figures_cache: Default::default(),
            figures_ready: Default::default(),
        }
    }

    /// The dialplans as the desk shows them now.
    pub fn plans(&self) -> Arc<DeskPlans> {
        self.plans.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The dialplans were read again.
    pub fn reload(&self, neighbourhoods: &Neighbourhoods) {
        *self.plans.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(DeskPlans::new(neighbourhoods));
    }

    /// A category's name for the desk: `Boodschappen`.
    pub fn category(&self, lang: Lang, key: Option<&str>) -> String {
        match key {
            None | Some("") => lang.t("Geen keuze", "No choice").to_string(),
            Some(key) => self.plans().labels.get(&(lang, key.to_string())).cloned().unwrap_or_else(|| key.to_string()),
        }
    }
}

/// "vervoer, bijvoorbeeld naar de dokter" -> "Vervoer".
fn label_from_spoken(spoken: &str) -> String {
    let first = spoken.split(',').next().unwrap_or(spoken).trim();
    let mut chars = first.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A logged-in desk user, taken from the session cookie. Any route that takes one is
/// closed to everyone else: they are sent to the login page.
pub struct Desk {
    pub user: User,
    pub csrf: String,
    pub lang: Lang,
    /// The neighbourhoods this account may see.
    pub scope: Scope,
    pub open_follow_ups: i64,
    /// The page asked for, to come back to (after switching language, say).
    pub path: String,
    token_hash: String,
}

impl Desk {
    /// Who acts in the desk's use cases: this account, with what it may see.
    pub fn acting(&self) -> crate::switchboard::desk::Acting {
        crate::switchboard::desk::Acting::account(&self.user.name, self.scope.clone())
    }

    pub fn is_coordinator(&self) -> bool {
        self.user.role == Role::Coordinator
    }

    /// Refuses a form whose CSRF token is not this session's.
    pub fn check_csrf(&self, token: &str) -> Result<(), Response> {
        if auth::same_token(token, &self.csrf) {
            Ok(())
        } else {
            Err(self.refusal(StatusCode::FORBIDDEN, self.lang.t(
                "Dit formulier is verlopen of komt niet van de balie. Er is niets opgeslagen. Ga terug, laad de pagina opnieuw en probeer het nog eens.",
                "This form has expired or did not come from the desk. Nothing was saved. Go back, reload the page and try again.",
            )))
        }
    }

    /// Managing accounts and reading the audit log span every neighbourhood: a coordinator
    /// of all of them (an account not limited to some).
    pub fn manages_accounts(&self) -> bool {
        self.is_coordinator() && self.scope.is_all()
    }

    pub fn require_account_manager(&self) -> Result<(), Response> {
        self.allowed_if(
            self.manages_accounts(),
            self.lang.t(
                "Dit mag alleen een coördinator van alle buurten.",
                "Only a coordinator of all neighbourhoods may do this.",
            ),
        )
    }

    pub fn require_coordinator(&self) -> Result<(), Response> {
        self.allowed_if(
            self.is_coordinator(),
            self.lang.t("Dit mag alleen een coördinator.", "Only a coordinator may do this."),
        )
    }

    /// `Ok` when `allowed`, otherwise a 403 page that says why.
    fn allowed_if(&self, allowed: bool, why: &str) -> Result<(), Response> {
        if allowed {
            Ok(())
        } else {
            Err(self.refusal(StatusCode::FORBIDDEN, why))
        }
    }

    pub fn refusal(&self, status: StatusCode, message: &str) -> Response {
        (
            status,
            layout::page(
                self,
                layout::Nav::None,
                self.lang.t("Niet gelukt", "Not done"),
                layout::message_box(message, true),
            ),
        )
            .into_response()
    }
}

/// A form posted by a desk session, its CSRF token checked before anything else in it is
/// read: a handler that takes one cannot forget the check. A token that is not the
/// session's gets `Desk::check_csrf`'s 403 page; a body that does not make a `T` gets axum's
/// `Form` rejection, as before. (The import's multipart body checks its own token.)
pub(super) struct CheckedForm<T>(pub Desk, pub T);

/// The same for a form read as `Fields` (checkboxes send a name once per box).
pub(super) struct CheckedFields(pub Desk, pub Fields);

/// The session, the request's head and its body, once the body's `csrf` is the session's.
async fn checked_body(
    req: axum::extract::Request,
    state: &Arc<AppState>,
) -> Result<(Desk, Parts, axum::body::Bytes, Fields), Response> {
    use axum::extract::FromRequest;
    let (mut parts, body) = req.into_parts();
    let desk = Desk::from_request_parts(&mut parts, state).await?;
    let bytes = axum::body::Bytes::from_request(axum::extract::Request::from_parts(parts.clone(), body), state)
        .await
        .map_err(IntoResponse::into_response)?;
    let fields = Fields::parse(&bytes);
    desk.check_csrf(fields.get("csrf"))?;
    Ok((desk, parts, bytes, fields))
}

impl<T: serde::de::DeserializeOwned + Send> axum::extract::FromRequest<Arc<AppState>> for CheckedForm<T> {
    type Rejection = Response;

    async fn from_request(req: axum::extract::Request, state: &Arc<AppState>) -> Result<Self, Response> {
        let (desk, parts, bytes, _) = checked_body(req, state).await?;
        let request = axum::extract::Request::from_parts(parts, axum::body::Body::from(bytes));
        let axum::Form(form) =
            axum::Form::<T>::from_request(request, state).await.map_err(IntoResponse::into_response)?;
        Ok(CheckedForm(desk, form))
    }
}

impl axum::extract::FromRequest<Arc<AppState>> for CheckedFields {
    type Rejection = Response;

    async fn from_request(req: axum::extract::Request, state: &Arc<AppState>) -> Result<Self, Response> {
        let (desk, _, _, fields) = checked_body(req, state).await?;
        Ok(CheckedFields(desk, fields))
    }
}

fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Only our own pages are places to go back to.
pub fn safe_next(next: &str) -> &str {
    if next.starts_with("/desk/") && !next.starts_with("//") && !next.contains('\\') && !next.starts_with("/desk/login")
    {
        next
    } else {
        "/desk/now"
    }
}

fn to_login(parts: &Parts, expired: bool) -> Response {
    let next = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/desk/now");
    let mut url = format!("/desk/login?next={}", form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>());
    if expired {
        url.push_str("&expired=1");
    }
    Redirect::to(&url).into_response()
}

impl FromRequestParts<Arc<AppState>> for Desk {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> Result<Desk, Response> {
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE).filter(|t| !t.is_empty()) else {
            return Err(to_login(parts, false));
        };
        let hash = auth::token_hash(token);
        let (session, scope, open_follow_ups) =
            match sessions::resume(&state.switchboard, &hash).await.map_err(|e| Failure(e).into_response())? {
                sessions::Resumed::Unknown => return Err(to_login(parts, false)),
                sessions::Resumed::Expired => return Err(to_login(parts, true)),
                sessions::Resumed::Holds(h) => (h.session, h.scope, h.open_follow_ups),
            };
        let lang = Lang::parse(&session.user.language);
        let path = parts.uri.path_and_query().map(|p| p.as_str().to_string()).unwrap_or_default();
        Ok(Desk { lang, csrf: session.csrf, open_follow_ups, user: session.user, scope, path, token_hash: hash })
    }
}

/// A failure inside: logged, and shown as a plain page without details.
pub struct Failure(pub anyhow::Error);

impl<E: Into<anyhow::Error>> From<E> for Failure {
    fn from(e: E) -> Failure {
        Failure(e.into())
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        tracing::error!(error = %self.0, "a desk page failed");
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            layout::bare_page(
                "Burenlijn",
                layout::message_box(
                    "Er ging iets mis. Probeer het later opnieuw. / Something went wrong. Please try again later.",
                    true,
                ),
            ),
        )
            .into_response()
    }
}

/// Hashes a new password on the service's one hasher thread (`switchboard::logins`).
pub async fn hash_new_password(state: &Arc<AppState>, password: String) -> Result<String, Failure> {
    match state.desk.hasher.run(move || auth::hash_password(&password)).await {
        Ok(hash) => Ok(hash?),
        Err(crate::switchboard::logins::Busy) => {
            Err(anyhow::anyhow!("the password hasher is busy (a burst of logins)").into())
        }
    }
}

/// Security headers on every desk response: no caching, no framing, only our own scripts.
async fn headers(response: Response) -> Response {
    let mut response = response;
    let h = response.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"),
    );
    response
}

pub fn router() -> Router<Arc<AppState>> {
    Router::new()
        .route("/desk", get(|| async { Redirect::to("/desk/now") }))
        .route("/desk/", get(|| async { Redirect::to("/desk/now") }))
        .route("/desk/login", get(login::form).post(login::submit))
        .route("/desk/logout", post(login::logout))
        .route("/desk/language", post(login::language))
        .route("/desk/account", get(login::account).post(login::change_password))
        .route(
            "/desk/static/desk.css",
            get(|| async { ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], layout::CSS) }),
        )
        .route(
            "/desk/static/desk.js",
            get(|| async { ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], layout::JS) }),
        )
        .route("/desk/now", get(now::page))
        .route("/desk/now/events", get(now::events))
        .route("/desk/calls", get(calls::list))
        .route("/desk/calls/{sid}", get(calls::detail))
        .route("/desk/voicemail/{sid}", get(calls::voicemail))
        .route("/desk/follow-up", get(follow_up::list))
        .route("/desk/follow-up/print", get(follow_up::print))
        .route("/desk/follow-up/{id}/close", post(follow_up::close))
        .route("/desk/follow-up/{id}/not-reached", post(follow_up::not_reached))
        .route("/desk/follow-up/{id}/assign", post(follow_up::assign))
        .route("/desk/follow-up/{id}/reopen", post(follow_up::reopen))
        .route("/desk/follow-up/{id}/call-back", post(follow_up::call_back))
        .route("/desk/follow-up/{id}/stop-call-back", post(follow_up::stop_call_back))
        .route("/desk/call-backs", post(follow_up::take_request))
        .route("/desk/call-backs/{id}/stop", post(follow_up::stop_taken))
        .route("/desk/participants", get(participants::list).post(participants::create))
        .route("/desk/participants/new", get(participants::new_form))
        .route("/desk/participants.csv", get(participants::export))
        .route("/desk/participants/import", post(participants::import))
        .route("/desk/participants/{id}", get(participants::show).post(participants::update))
        .route("/desk/participants/{id}/pause", post(participants::pause))
        .route("/desk/participants/{id}/notes", post(participants::add_note))
        .route("/desk/participants/{id}/apart", post(participants::apart))
        .route("/desk/participants/{id}/erase", get(participants::erase_form).post(participants::erase))
        .route("/desk/round", get(round::page).post(round::enrol))
        .route("/desk/round/{id}/away", post(round::away))
        .route("/desk/round/{id}/pause", post(round::pause))
        .route("/desk/round/{id}/remove", post(round::remove))
        .route("/desk/planned", get(planned::page).post(planned::add))
        .route("/desk/planned/print", get(planned::print))
        .route("/desk/planned/{id}/assign", post(planned::assign))
        .route("/desk/planned/{id}/cancel", post(planned::cancel))
        .route("/desk/figures", get(figures::page))
        .route("/desk/figures.csv", get(figures::csv))
        .route("/desk/figures.xlsx", get(figures::xlsx))
        .route("/desk/figures/print", get(figures::print))
        .route("/desk/users", get(people::users).post(people::add_user))
        .route("/desk/users/{id}", post(people::change_user))
        .route("/desk/audit", get(people::audit))
        .layer(axum::middleware::map_response(headers))
}

/// Removes sessions that have expired (run by the service's periodic job).
pub fn purge_sessions(state: &AppState) -> anyhow::Result<usize> {
    sessions::purge(&state.switchboard.store, state.switchboard.clock.now())
}
