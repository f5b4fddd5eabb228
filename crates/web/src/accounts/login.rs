//! Logging in (a unit by its shared login, a personal user by e-mail: one
//! form, told apart by the `@`) and out. A login this client's address must
//! not try yet (`komhen_core::accounts::auth` decides) is answered 429 with
//! `Retry-After`; a refusal is a page, or the API's JSON error for a client
//! that asks for JSON.

use crate::address::Client;
use crate::forms::CsrfForm;
use crate::frame::NoticeQuery;
use crate::session::{session_cookie, COOKIE};
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use axum_extra::extract::cookie::{Cookie, CookieJar};
use komhen_core::accounts::auth::{self, LoginError};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    t: &'static crate::i18n::Text,
    login: String,
    error: Option<String>,
    notice: Option<String>,
    back: String,
    /// A personal user came from the registration, which takes a unit.
    unit_needed: bool,
}

#[derive(Deserialize, Default)]
pub(crate) struct LoginQuery {
    tilbage: Option<String>,
    /// `enhed`: sent here from the registration, signed in as a person.
    registrering: Option<String>,
    #[serde(flatten)]
    notice: NoticeQuery,
}

/// Only a path on this site, never another site.
fn local_path(path: Option<String>) -> String {
    path.as_deref()
        .and_then(crate::forms::local_path)
        .unwrap_or_default()
        .to_owned()
}

/// `GET /log-ind`
pub(crate) async fn show_login(
    jar: CookieJar,
    Query(query): Query<LoginQuery>,
) -> Result<Html<String>, WebError> {
    Ok(Html(
        LoginPage {
            t: lang_of(&jar).text(),
            login: String::new(),
            error: None,
            notice: query.notice.text(),
            back: local_path(query.tilbage),
            unit_needed: query.registrering.as_deref() == Some("enhed"),
        }
        .render()?,
    ))
}

fn lang_of(jar: &CookieJar) -> crate::i18n::Lang {
    crate::i18n::Lang::from_code(
        jar.get(crate::i18n::LANG_COOKIE)
            .map_or("da", |c| c.value()),
    )
}

/// A unit's login or a person's e-mail, the password, and where to go back.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct LoginForm {
    login: String,
    password: String,
    tilbage: Option<String>,
}

/// `POST /log-ind`
pub(crate) async fn log_in(
    State(state): State<AppState>,
    Client(address): Client,
    headers: HeaderMap,
    jar: CookieJar,
    Form(form): Form<LoginForm>,
) -> Result<Response, WebError> {
    let store = state.store.as_ref();
    let now = state.clock.now();
    let personal = form.login.contains('@');
    let outcome = if personal {
        auth::log_in_user(store, &form.login, &form.password, &address, now).await
    } else {
        auth::log_in_unit(store, &form.login, &form.password, &address, now).await
    };
    match outcome {
        Ok(login) => {
            let secure = headers
                .get("x-forwarded-proto")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|p| p == "https");
            let back = local_path(form.tilbage.clone());
            let user = if personal {
                auth::user_session(store, &login.token, now).await?
            } else {
                None
            };
            // The language a personal user chose comes back with the login.
            let saved_lang = user.as_ref().and_then(|(_, u)| u.user.lang.clone());
            let target = if !personal {
                "/registrering".to_owned()
            } else if !back.is_empty() {
                back
            } else {
                match user {
                    Some((_, user)) => crate::accounts::account::landing(&user),
                    None => "/mit".to_owned(),
                }
            };
            let mut jar = jar.add(session_cookie(login.token, secure));
            if let Some(lang) = saved_lang {
                jar = jar.add(lang_cookie(crate::i18n::Lang::from_code(&lang)));
            }
            Ok((jar, Redirect::to(&target)).into_response())
        }
        Err(LoginError::Core(e)) => Err(e.into()),
        Err(refused) => {
            let lang = lang_of(&jar);
            let (status, error, wait) = match refused {
                LoginError::Throttled(wait) => (
                    StatusCode::TOO_MANY_REQUESTS,
                    lang.too_many_attempts(wait),
                    Some(wait),
                ),
                _ => (StatusCode::UNAUTHORIZED, refused.to_string(), None),
            };
            let mut response = if wants_json(&headers) {
                let code = if wait.is_some() {
                    "too_many_attempts"
                } else {
                    "wrong_login"
                };
                crate::api::error_response(status, code, error)
            } else {
                let page = LoginPage {
                    t: lang.text(),
                    login: form.login.trim().to_owned(),
                    error: Some(error),
                    notice: None,
                    back: local_path(form.tilbage),
                    unit_needed: false,
                };
                (status, Html(page.render()?)).into_response()
            };
            if let Some(wait) = wait {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(wait.seconds));
            }
            Ok(response)
        }
    }
}

/// Whether the client (a program logging in for the API) asked for JSON
/// rather than a page.
fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json") && !v.contains("text/html"))
}

/// `POST /log-ud`: ends the session, a unit's or a personal user's.
pub(crate) async fn log_out(
    State(state): State<AppState>,
    jar: CookieJar,
    Form(form): Form<CsrfForm>,
) -> Result<Response, WebError> {
    if let Some(cookie) = jar.get(COOKIE) {
        let store = state.store.as_ref();
        if let Some(session) = auth::session(store, cookie.value(), chrono::Utc::now()).await? {
            if !auth::csrf_matches(&session, &form.csrf) {
                return Err(WebError::Forbidden);
            }
            auth::log_out(store, cookie.value()).await?;
        }
    }
    let jar = jar.remove(Cookie::build(COOKIE).path("/"));
    Ok((jar, Redirect::to("/log-ind")).into_response())
}

#[derive(Deserialize)]
pub(crate) struct LanguageQuery {
    til: String,
    tilbage: Option<String>,
}

/// The cookie that keeps the chosen language in this browser.
fn lang_cookie(lang: crate::i18n::Lang) -> Cookie<'static> {
    Cookie::build((crate::i18n::LANG_COOKIE, lang.code()))
        .path("/")
        .same_site(axum_extra::extract::cookie::SameSite::Lax)
        .permanent()
        .build()
}

/// `GET /sprog?til=en&tilbage=/kommune/259`: Danish or English pages, kept
/// in this browser and, for a signed-in personal user, on the user.
pub(crate) async fn choose_language(
    State(state): State<AppState>,
    jar: CookieJar,
    axum::extract::Query(query): axum::extract::Query<LanguageQuery>,
) -> Result<Response, WebError> {
    let lang = crate::i18n::Lang::from_code(&query.til);
    if let Some(session) = jar.get(COOKIE) {
        let now = state.clock.now();
        auth::keep_language(state.store.as_ref(), session.value(), lang.code(), now).await?;
    }
    // Only a path on this site, never another site.
    let back = query
        .tilbage
        .as_deref()
        .and_then(crate::forms::local_path)
        .unwrap_or("/registrering")
        .to_owned();
    Ok((jar.add(lang_cookie(lang)), Redirect::to(&back)).into_response())
}
