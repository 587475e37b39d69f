//! A tiny browser for handler tests: keeps cookies, reads CSRF tokens, never follows
//! redirects (so tests see them).

use std::collections::HashMap;

use burenlijn::domain::desk::Role;
use burenlijn::store::accounts;

use crate::support::TestApp;

pub const PASSWORD: &str = "de kat zit op de mat";

/// Every desk route behind the login, as the router names it, with its method. The test
/// `every_desk_route_is_in_the_tests_table` holds this against the router's source, so a
/// route added there and not here fails; the tests of logging in and of neighbourhoods go
/// through all of these.
pub const ROUTES: &[(&str, &str)] = &[
    ("GET", "/desk/now"),
    ("GET", "/desk/now/events"),
    ("GET", "/desk/calls"),
    ("GET", "/desk/calls/{sid}"),
    ("GET", "/desk/voicemail/{sid}"),
    ("GET", "/desk/follow-up"),
    ("GET", "/desk/follow-up/print"),
    ("POST", "/desk/follow-up/{id}/close"),
    ("POST", "/desk/follow-up/{id}/not-reached"),
    ("POST", "/desk/follow-up/{id}/assign"),
    ("POST", "/desk/follow-up/{id}/reopen"),
    ("POST", "/desk/follow-up/{id}/call-back"),
    ("POST", "/desk/follow-up/{id}/stop-call-back"),
    ("POST", "/desk/call-backs"),
    ("POST", "/desk/call-backs/{id}/stop"),
    ("GET", "/desk/participants"),
    ("POST", "/desk/participants"),
    ("GET", "/desk/participants/new"),
    ("GET", "/desk/participants.csv"),
    ("POST", "/desk/participants/import"),
    ("GET", "/desk/participants/{id}"),
    ("POST", "/desk/participants/{id}"),
    ("POST", "/desk/participants/{id}/pause"),
    ("POST", "/desk/participants/{id}/notes"),
    ("POST", "/desk/participants/{id}/apart"),
    ("GET", "/desk/participants/{id}/erase"),
    ("POST", "/desk/participants/{id}/erase"),
    ("GET", "/desk/round"),
    ("POST", "/desk/round"),
    ("POST", "/desk/round/{id}/away"),
    ("POST", "/desk/round/{id}/pause"),
    ("POST", "/desk/round/{id}/remove"),
    ("GET", "/desk/planned"),
    ("POST", "/desk/planned"),
    ("GET", "/desk/planned/print"),
    ("POST", "/desk/planned/{id}/assign"),
    ("POST", "/desk/planned/{id}/cancel"),
    ("GET", "/desk/figures"),
    ("GET", "/desk/figures.csv"),
    ("GET", "/desk/figures.xlsx"),
    ("GET", "/desk/figures/print"),
    ("GET", "/desk/users"),
    ("POST", "/desk/users"),
    ("POST", "/desk/users/{id}"),
    ("GET", "/desk/audit"),
    ("GET", "/desk/account"),
    ("POST", "/desk/account"),
    ("POST", "/desk/logout"),
    ("POST", "/desk/language"),
];

/// Desk routes anyone may open: the way in, and what the login page needs.
pub const PUBLIC_ROUTES: &[(&str, &str)] = &[
    ("GET", "/desk"),
    ("GET", "/desk/"),
    ("GET", "/desk/login"),
    ("POST", "/desk/login"),
    ("GET", "/desk/static/desk.css"),
    ("GET", "/desk/static/desk.js"),
];

/// The desk router's routes, (method, path), read from its source.
pub fn routes_in_the_router() -> Vec<(String, String)> {
    let source = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/web/desk/mod.rs")).unwrap();
    let mut found = Vec::new();
    for chunk in source.split(".route(").skip(1) {
        let path = chunk.trim_start().strip_prefix('"').unwrap().split('"').next().unwrap().to_string();
        // The handlers up to the route's closing: `get(..)`, `post(..)`, `get(..).post(..)`.
        let handlers = chunk.split("\n        .").next().unwrap();
        for (needle, method) in [("get(", "GET"), ("post(", "POST")] {
            if handlers.contains(needle) {
                found.push((method.to_string(), path.clone()));
            }
        }
    }
    found.sort();
    found
}

pub struct Page {
    pub status: u16,
    pub location: Option<String>,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Page {
    /// The CSRF token of the page's first form.
    pub fn csrf(&self) -> String {
        let at = self.body.find("name=\"csrf\" value=\"").expect("the page has a form with a CSRF token")
            + "name=\"csrf\" value=\"".len();
        self.body[at..].split('"').next().unwrap().to_string()
    }

    pub fn cookies(&self) -> Vec<String> {
        self.headers.get_all(reqwest::header::SET_COOKIE).iter().map(|v| v.to_str().unwrap().to_string()).collect()
    }
}

pub struct Browser {
    pub http: reqwest::Client,
    pub base: String,
    pub cookies: HashMap<String, String>,
}

impl Browser {
    pub fn new(app: &TestApp) -> Browser {
        Browser::at(&app.sandbox.state.switchboard.public_url)
    }

    /// A browser for a service at `base` (a `serve` started by the test).
    pub fn at(base: &str) -> Browser {
        Browser {
            http: reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap(),
            base: base.to_string(),
            cookies: HashMap::new(),
        }
    }

    /// A second browser with this one's cookies, to send requests at the same time.
    pub fn twin(&self) -> Browser {
        Browser { http: self.http.clone(), base: self.base.clone(), cookies: self.cookies.clone() }
    }

    fn cookie_header(&self) -> String {
        self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    async fn finish(&mut self, response: reqwest::Response) -> Page {
        for v in response.headers().get_all(reqwest::header::SET_COOKIE) {
            let text = v.to_str().unwrap();
            let (pair, attrs) = text.split_once(';').unwrap_or((text, ""));
            let (k, val) = pair.split_once('=').unwrap();
            if attrs.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_string(), val.to_string());
            }
        }
        let status = response.status().as_u16();
        let location = response.headers().get(reqwest::header::LOCATION).map(|v| v.to_str().unwrap().to_string());
        let headers = response.headers().clone();
        let body = response.text().await.unwrap();
        Page { status, location, headers, body }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let r =
            self.http.get(format!("{}{path}", self.base)).header("Cookie", self.cookie_header()).send().await.unwrap();
        self.finish(r).await
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let body: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .header("Cookie", self.cookie_header())
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        self.finish(r).await
    }

    /// A file upload, as a browser sends it.
    pub async fn upload(&mut self, path: &str, csrf: &str, file: &str) -> Page {
        let boundary = "----burenlijn-test-boundary";
        let body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"people.csv\"\r\nContent-Type: text/csv\r\n\r\n{file}\r\n--{boundary}--\r\n"
        );
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .header("Cookie", self.cookie_header())
            .header("Content-Type", format!("multipart/form-data; boundary={boundary}"))
            .body(body)
            .send()
            .await
            .unwrap();
        self.finish(r).await
    }

    /// Logs in through the login form; panics unless it works.
    pub async fn login(app: &TestApp, name: &str) -> Browser {
        let mut b = Browser::new(app);
        let page = b.get("/desk/login").await;
        let csrf = page.csrf();
        let done = b
            .post("/desk/login", &[("name", name), ("password", PASSWORD), ("csrf", &csrf), ("next", "/desk/now")])
            .await;
        assert_eq!(done.status, 303, "{}", done.body);
        assert_eq!(done.location.as_deref(), Some("/desk/now"));
        b
    }

    /// Any page's CSRF token (they are per session).
    pub async fn csrf(&mut self) -> String {
        self.get("/desk/account").await.csrf()
    }
}

pub async fn add_user(app: &TestApp, name: &str, role: Role) {
    add_user_in(app, name, role, &[]).await
}

/// A desk account limited to these neighbourhoods (none: all of them).
pub async fn add_user_in(app: &TestApp, name: &str, role: Role, neighbourhoods: &[&str]) {
    let st = app.sandbox.state.clone();
    let name = name.to_string();
    let keys: Vec<String> = neighbourhoods.iter().map(|k| k.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        let hash = burenlijn::web::desk::hash_password(PASSWORD).unwrap();
        st.switchboard
            .store
            .write(|tx| Ok(accounts::add_user(tx, &name, role, &hash, &keys, jiff::Timestamp::now())?))
            .unwrap();
    })
    .await
    .unwrap();
}

/// A coordinator "Els" and a desk user "Piet", and a browser logged in as Els.
pub async fn desk_app() -> (TestApp, Browser) {
    let app = crate::support::spawn_app().await;
    add_user(&app, "Els", Role::Coordinator).await;
    add_user(&app, "Piet", Role::Desk).await;
    let b = Browser::login(&app, "Els").await;
    (app, b)
}
