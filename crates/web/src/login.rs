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
    login: String,
    error: Option<String>,
}

/// `GET /log-ind`
pub(crate) async fn show_login() -> Result<Html<String>, WebError> {
    Ok(Html(
        LoginPage {
            login: String::new(),
            error: None,
        }
        .render()?,
    ))
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
