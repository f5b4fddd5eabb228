//! Logging a unit in and out.

use crate::session::{session_cookie, UnitSession, COOKIE};
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use axum_extra::extract::cookie::{Cookie, CookieJar};
use komhen_core::auth::{self, LoginError};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    t: &'static crate::i18n::Text,
    login: String,
    error: Option<String>,
}

/// `GET /log-ind`
pub(crate) async fn show_login(jar: CookieJar) -> Result<Html<String>, WebError> {
    Ok(Html(
        LoginPage {
            t: lang_of(&jar).text(),
            login: String::new(),
            error: None,
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

#[derive(Deserialize)]
pub(crate) struct LoginForm {
    login: String,
    password: String,
}

/// `POST /log-ind`
pub(crate) async fn log_in(
    State(state): State<AppState>,
    headers: HeaderMap,
    jar: CookieJar,
    Form(form): Form<LoginForm>,
) -> Result<Response, WebError> {
    match auth::log_in_unit(
        state.store.as_ref(),
        &form.login,
        &form.password,
        chrono::Utc::now(),
    )
    .await
    {
        Ok(login) => {
            let secure = headers
                .get("x-forwarded-proto")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|p| p == "https");
            let jar = jar.add(session_cookie(login.token, secure));
            Ok((jar, Redirect::to("/registrering")).into_response())
        }
        Err(LoginError::Core(e)) => Err(e.into()),
        Err(refused) => {
            let status = match refused {
                LoginError::Throttled(_) => StatusCode::TOO_MANY_REQUESTS,
                _ => StatusCode::UNAUTHORIZED,
            };
            let page = LoginPage {
                t: lang_of(&jar).text(),
                login: form.login.trim().to_owned(),
                error: Some(refused.to_string()),
            };
            Ok((status, Html(page.render()?)).into_response())
        }
    }
}

#[derive(Deserialize)]
pub(crate) struct CsrfForm {
    csrf: String,
}

/// `POST /log-ud`
pub(crate) async fn log_out(
    State(state): State<AppState>,
    unit: UnitSession,
    jar: CookieJar,
    Form(form): Form<CsrfForm>,
) -> Result<Response, WebError> {
    unit.check_csrf(&form.csrf)?;
    if let Some(cookie) = jar.get(COOKIE) {
        auth::log_out(state.store.as_ref(), cookie.value()).await?;
    }
    let jar = jar.remove(Cookie::build(COOKIE).path("/"));
    Ok((jar, Redirect::to("/log-ind")).into_response())
}

#[derive(Deserialize)]
pub(crate) struct LanguageQuery {
    til: String,
    tilbage: Option<String>,
}

/// `GET /sprog?til=en&tilbage=/registrering`: Danish or English unit pages.
pub(crate) async fn choose_language(
    jar: CookieJar,
    axum::extract::Query(query): axum::extract::Query<LanguageQuery>,
) -> Response {
    let lang = if query.til == "en" { "en" } else { "da" };
    // Only a path on this site, never another site.
    let back = query
        .tilbage
        .filter(|p| p.starts_with('/') && !p.starts_with("//"))
        .unwrap_or_else(|| "/registrering".into());
    let cookie = Cookie::build((crate::i18n::LANG_COOKIE, lang))
        .path("/")
        .same_site(axum_extra::extract::cookie::SameSite::Lax)
        .permanent()
        .build();
    (jar.add(cookie), Redirect::to(&back)).into_response()
}
