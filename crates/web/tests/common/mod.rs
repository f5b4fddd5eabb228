//! What every router test starts from: a fresh database of the test
//! backend with the reference data loaded, the application's router, and
//! the helpers every test file shares (requests, logins, users and units,
//! uploads, reading a page's form fields).
#![allow(clippy::unwrap_used, dead_code)] // test code: a failure should panic; not every test file uses every helper

use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use komhen_backend::testing::TestStore;
use komhen_core::accounts::account::Grant;
use komhen_core::demo::{self, DemoOptions, DEMO_USER_PASSWORD};
use komhen_domain::{DepartmentId, MunicipalityCode, Role, UnitId, UserId};
use komhen_store::{NewRoleGrant, NewUnit, NewUser, Store};
use komhen_store_conformance::SetupShortcuts;
use tower::ServiceExt;

pub async fn app_with_reference_data() -> (TestStore, axum::Router, komhen_web::Clock) {
    let db = TestStore::new().await;
    komhen_core::reference::migrate_and_load(db.store.as_ref())
        .await
        .unwrap();
    let clock = komhen_web::Clock::default();
    let options = komhen_web::Options {
        clock: clock.clone(),
        ..komhen_web::Options::default()
    };
    let router = komhen_web::router_with(db.store.clone(), options);
    (db, router, clock)
}

pub const KOEGE: u16 = 259;
pub const KBH: u16 = 101;
/// The password of every user and unit the helpers create.
pub const PASSWORD: &str = "en lang adgangskode";

pub fn code(n: u16) -> MunicipalityCode {
    MunicipalityCode::new(n).unwrap()
}

pub fn koege() -> MunicipalityCode {
    code(KOEGE)
}

pub struct App {
    pub db: TestStore,
    pub router: axum::Router,
    /// The router's clock: a test moves it forward instead of sleeping.
    pub clock: komhen_web::Clock,
}

pub struct Reply {
    pub status: StatusCode,
    pub location: String,
    pub cookie: Option<String>,
    pub content_type: String,
    pub headers: HeaderMap,
    pub body: String,
    /// The body as sent (downloads that are not text).
    pub bytes: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

/// A signed-in user's or unit's session cookie and a page's CSRF token.
pub struct Session {
    pub cookie: String,
    pub csrf: String,
}

pub fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A login form posted over a connection from the IPv4 address `from`.
pub fn login_request(from: &str, login: &str, password: &str) -> Request<Body> {
    let peer: std::net::SocketAddr = format!("{from}:50000").parse().unwrap();
    let body = format!("login={}&password={}", encode(login), encode(password));
    let mut request = Request::post("/log-ind")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    request
        .extensions_mut()
        .insert(axum::extract::ConnectInfo(peer));
    request
}

/// The value of a hidden or text input in a page.
pub fn input(html: &str, name: &str) -> String {
    html.split(&format!(r#"name="{name}" value=""#))
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
        .to_owned()
}

pub fn csrf_of(html: &str) -> String {
    input(html, "csrf")
}

/// The `action` of the form with this id.
pub fn form_action(html: &str, id: &str) -> String {
    let form = html
        .split(&format!(r#"id="{id}""#))
        .next()
        .and_then(|before| before.rsplit("<form").next())
        .unwrap_or_default();
    form.split(r#"action=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no form {id}"))
        .to_owned()
}

/// Stores `quantity` inquiries of the municipality's first task by
/// telephone at `at`, as one uploaded row (test rows or not).
pub async fn add_inquiries(
    store: &dyn Store,
    municipality: u16,
    at: chrono::DateTime<chrono::Utc>,
    quantity: i64,
    is_test: bool,
) {
    use komhen_domain::{ChannelCode, Completion, InquiryType, NewRegistration, Source};
    let code = code(municipality);
    let task = store.list_tasks(code).await.unwrap().remove(0);
    store
        .insert_registration(&NewRegistration {
            municipality: code,
            unit: None,
            task: task.id,
            channel: ChannelCode::parse("TLFIND").unwrap(),
            inquiry_type: Some(InquiryType::Guidance),
            completion: Some(Completion::AtOnce),
            has_form: None,
            registered_at: at,
            duration_ms: None,
            quantity,
            source: Source::Upload,
            is_test,
            idempotency_key: None,
            answers: vec![],
        })
        .await
        .unwrap();
}

/// An application with the demo data loaded.
pub async fn demo_app() -> App {
    let app = App::new().await;
    demo::load(app.store(), &DemoOptions { size: 20_000 }, &mut |_, _| {})
        .await
        .unwrap();
    app
}

/// The demo's national counting period of the year (2025 or 2026).
pub async fn demo_period(app: &App, year: i32) -> komhen_domain::CountingPeriod {
    app.store()
        .list_periods(None)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.period.year == year)
        .unwrap()
        .period
}

/// Logs in as a demo user; returns the session cookie.
pub async fn log_in_demo(app: &App, email: &str) -> String {
    let reply = app.log_in(email, DEMO_USER_PASSWORD).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    reply.cookie.unwrap()
}

impl App {
    pub async fn new() -> Self {
        let (db, router, clock) = app_with_reference_data().await;
        Self { db, router, clock }
    }

    pub fn store(&self) -> &dyn Store {
        self.db.store.as_ref()
    }

    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let header_of = |name| {
            response
                .headers()
                .get(name)
                .map(|v: &header::HeaderValue| v.to_str().unwrap().to_owned())
        };
        let location = header_of(header::LOCATION).unwrap_or_default();
        // The first cookie set, the session's before the language's (a
        // login may set both, in either order).
        let mut set: Vec<String> = response
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
            .collect();
        set.sort_by_key(|c| c.starts_with("komhen_lang="));
        let cookie = set.into_iter().next();
        let content_type = header_of(header::CONTENT_TYPE).unwrap_or_default();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), 50_000_000)
            .await
            .unwrap();
        Reply {
            status,
            location,
            cookie,
            content_type,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes: bytes.to_vec(),
        }
    }

    pub async fn get(&self, path: &str, cookie: &str) -> Reply {
        self.send(
            Request::get(path)
                .header(header::COOKIE, cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await
    }

    pub async fn post(&self, path: &str, cookie: &str, form: &[(&str, &str)]) -> Reply {
        let body = form
            .iter()
            .map(|(k, v)| format!("{k}={}", encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        self.send(
            Request::post(path)
                .header(header::COOKIE, cookie)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .unwrap(),
        )
        .await
    }

    /// Posts a file (after the text fields) as a browser's upload form
    /// does, with the CSRF token as the first part.
    pub async fn upload(
        &self,
        path: &str,
        cookie: &str,
        csrf: &str,
        file: (&str, &[u8]),
        fields: &[(&str, &str)],
    ) -> Reply {
        let boundary = "----komhengrense7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        for (name, value) in std::iter::once(&("csrf", csrf)).chain(fields) {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{}\"\r\n\
                 Content-Type: text/csv\r\n\r\n",
                file.0
            )
            .as_bytes(),
        );
        body.extend_from_slice(file.1);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        self.send(
            Request::post(path)
                .header(header::COOKIE, cookie)
                .header(
                    header::CONTENT_TYPE,
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .body(Body::from(body))
                .unwrap(),
        )
        .await
    }

    /// Logs in from the client address `from`, as a served router sees it.
    pub async fn log_in_from(&self, from: &str, login: &str, password: &str) -> Reply {
        self.send(login_request(from, login, password)).await
    }

    pub async fn log_in(&self, login: &str, password: &str) -> Reply {
        self.post("/log-ind", "", &[("login", login), ("password", password)])
            .await
    }

    /// Logs in with [`PASSWORD`] and opens `page`: the session and the
    /// page's CSRF token.
    pub async fn session(&self, login: &str, page: &str) -> Session {
        let reply = self.log_in(login, PASSWORD).await;
        assert_eq!(
            reply.status,
            StatusCode::SEE_OTHER,
            "log in as {login}: {}",
            reply.body
        );
        let cookie = reply.cookie.unwrap();
        let html = self.get(page, &cookie).await.body;
        Session {
            csrf: csrf_of(&html),
            cookie,
        }
    }

    /// A user with [`PASSWORD`] and these grants (role, municipality, unit).
    pub async fn add_user(
        &self,
        email: &str,
        grants: &[(Role, Option<u16>, Option<UnitId>)],
    ) -> UserId {
        let hash = komhen_core::accounts::auth::hash_password(PASSWORD)
            .await
            .unwrap();
        let id = self
            .store()
            .create_user(&NewUser {
                email: email.into(),
                name: email.into(),
                password_hash: Some(hash),
            })
            .await
            .unwrap();
        for (role, m, unit) in grants {
            self.store()
                .grant_role(&NewRoleGrant {
                    user: id,
                    role: *role,
                    municipality: m.map(code),
                    unit: *unit,
                })
                .await
                .unwrap();
        }
        id
    }

    /// A unit with a login and [`PASSWORD`].
    pub async fn add_unit(
        &self,
        municipality: u16,
        login: &str,
        department: Option<DepartmentId>,
    ) -> UnitId {
        let hash = komhen_core::accounts::auth::hash_password(PASSWORD)
            .await
            .unwrap();
        self.store()
            .create_unit(&NewUnit {
                municipality: code(municipality),
                department,
                name: format!("Enhed {login}"),
                login: login.into(),
                password_hash: Some(hash),
            })
            .await
            .unwrap()
    }

    /// A user invited with the grant who set a password through the link
    /// and logged in: the cookie and the CSRF token of `page`.
    pub async fn invited(&self, email: &str, grant: Grant, page: &str) -> (String, String) {
        let link = komhen_core::accounts::account::invite(
            self.store(),
            None,
            email,
            "Kim",
            grant,
            chrono::Utc::now(),
        )
        .await
        .unwrap();
        let password = "et langt kodeord";
        self.post(
            &link.path(),
            "",
            &[("password", password), ("repeated", password)],
        )
        .await;
        let cookie = self.log_in(email, password).await.cookie.unwrap();
        let page = self.get(page, &cookie).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        (cookie, csrf_of(&page.body))
    }
}

/// Follows an invitation as the CLI makes it, sets the password, logs in;
/// returns the session cookie and the page's CSRF token.
pub async fn coordinator(app: &App, email: &str) -> (String, String) {
    let link = komhen_core::accounts::account::invite(
        app.store(),
        None,
        email,
        "Kim Tovholder",
        Grant {
            role: Role::Coordinator,
            municipality: Some(koege()),
            unit: None,
        },
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    let page = app.get(&link.path(), "").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(email));
    let password = "et langt kodeord";
    let set = app
        .post(
            &link.path(),
            "",
            &[("password", password), ("repeated", password)],
        )
        .await;
    assert_eq!(set.status, StatusCode::SEE_OTHER, "{}", set.body);
    let used = app.get(&link.path(), "").await;
    assert_eq!(used.status, StatusCode::GONE, "a link works once");
    assert!(used.body.contains("allerede brugt"));

    let login = app.log_in(email, password).await;
    assert_eq!(login.status, StatusCode::SEE_OTHER, "{}", login.body);
    assert_eq!(
        login.location, "/kommune/259",
        "one municipality: straight there"
    );
    let cookie = login.cookie.unwrap();
    let overview = app.get("/kommune/259", &cookie).await;
    assert_eq!(overview.status, StatusCode::OK);
    (cookie, csrf_of(&overview.body))
}
