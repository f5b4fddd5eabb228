//! What every router test starts from: a fresh database of the test
//! backend with the reference data loaded, and the application's router.
#![allow(clippy::unwrap_used, dead_code)] // test code: a failure should panic; not every test file uses every helper

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use komhen_backend::testing::TestStore;
use komhen_core::accounts::account::Grant;
use komhen_domain::{MunicipalityCode, Role};
use komhen_store::Store;
use tower::ServiceExt;

pub async fn app_with_reference_data() -> (TestStore, axum::Router) {
    let db = TestStore::new().await;
    komhen_core::reference::migrate_and_load(db.store.as_ref())
        .await
        .unwrap();
    let router = komhen_web::router(db.store.clone());
    (db, router)
}

pub const KOEGE: u16 = 259;

pub fn koege() -> MunicipalityCode {
    MunicipalityCode::new(KOEGE).unwrap()
}

pub struct App {
    pub db: TestStore,
    pub router: axum::Router,
}

pub struct Reply {
    pub status: StatusCode,
    pub location: String,
    pub cookie: Option<String>,
    pub body: String,
    /// The body as sent (downloads that are not text).
    pub bytes: Vec<u8>,
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

pub fn csrf_of(html: &str) -> String {
    html.split(r#"name="csrf" value=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
        .to_owned()
}

impl App {
    pub async fn new() -> Self {
        let (db, router) = app_with_reference_data().await;
        Self { db, router }
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
        let cookie = header_of(header::SET_COOKIE).map(|c| c.split(';').next().unwrap().to_owned());
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 10_000_000)
            .await
            .unwrap();
        Reply {
            status,
            location,
            cookie,
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

    pub async fn log_in(&self, login: &str, password: &str) -> Reply {
        self.post("/log-ind", "", &[("login", login), ("password", password)])
            .await
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
