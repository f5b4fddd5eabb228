//! Who is asking: the one place where access to unit pages is decided.
//!
//! A handler that takes [`UnitSession`] can only run for a logged-in,
//! active unit, and gets the unit and its municipality from the session,
//! never from the request. Without a live session the browser is sent to the
//! login page. Forms are checked against the session's CSRF token with
//! [`UnitSession::check_csrf`]; cross-site POSTs are refused earlier by
//! [`refuse_cross_site_posts`].

use crate::i18n::Lang;
use crate::{AppState, WebError};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use komhen_core::accounts::auth;
use komhen_core::registration::UnitContext;
use komhen_store::SessionRow;

pub(crate) const COOKIE: &str = "komhen_session";
/// Where the JSON API lives: token-authenticated, never cookie-authenticated.
pub(crate) const API_PREFIX: &str = "/api/";

/// A logged-in unit.
pub(crate) struct UnitSession {
    pub(crate) ctx: UnitContext,
    pub(crate) session: SessionRow,
    /// The language the unit's pages are shown in.
    pub(crate) lang: Lang,
}

impl UnitSession {
    pub(crate) fn check_csrf(&self, submitted: &str) -> Result<(), WebError> {
        if auth::csrf_matches(&self.session, submitted) {
            Ok(())
        } else {
            Err(WebError::Forbidden)
        }
    }
}

/// Where an anonymous request for a unit page goes.
pub(crate) struct ToLogin;

impl IntoResponse for ToLogin {
    fn into_response(self) -> Response {
        Redirect::to("/log-ind").into_response()
    }
}

impl FromRequestParts<AppState> for UnitSession {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(&parts.headers);
        let Some(token) = jar.get(COOKIE).map(|c| c.value().to_owned()) else {
            return Err(ToLogin.into_response());
        };
        let now = state.clock.now();
        let store = state.store.as_ref();
        match UnitContext::for_token(store, &state.catalogs, &token, now).await {
            Ok(Some((session, ctx))) => {
                let lang = crate::i18n::of_headers(&parts.headers);
                Ok(Self { ctx, session, lang })
            }
            // A personal user (a coordinator who followed "Registrering")
            // is told that registering takes a unit's login.
            Ok(None) => match auth::user_session(store, &token, now).await {
                Ok(Some(_)) => Err(Redirect::to(PERSONAL_TO_UNIT_LOGIN).into_response()),
                Ok(None) => Err(ToLogin.into_response()),
                Err(e) => Err(WebError::from(e).into_response()),
            },
            Err(e) => Err(WebError::from(e).into_response()),
        }
    }
}

/// Where a personal user who opens a unit's page is sent: the login page,
/// saying why.
pub(crate) const PERSONAL_TO_UNIT_LOGIN: &str = "/log-ind?registrering=enhed";

/// The session cookie: HttpOnly, SameSite=Lax, for the whole site.
pub(crate) fn session_cookie(token: String, secure: bool) -> Cookie<'static> {
    Cookie::build((COOKIE, token))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(time_hours(auth::SESSION_HOURS))
        .build()
}

fn time_hours(hours: i64) -> cookie::time::Duration {
    cookie::time::Duration::hours(hours)
}

/// Refuses a POST whose Origin names another site (login CSRF and the like).
/// Browsers send Origin on every cross-site POST; requests without it
/// (command-line tools) are judged by the session's CSRF token instead.
/// The JSON API (`/api/`) is exempt: it reads no cookie, and a bearer token
/// is never sent by a browser on its own, so another site cannot make a
/// visitor's browser post with one.
pub(crate) async fn refuse_cross_site_posts(
    State(_): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if request.method() == Method::POST && !request.uri().path().starts_with(API_PREFIX) {
        let origin_host = request
            .headers()
            .get(header::ORIGIN)
            .and_then(|o| o.to_str().ok())
            .map(|o| o.split("://").nth(1).unwrap_or(o).to_owned());
        let host = request
            .headers()
            .get(header::HOST)
            .and_then(|h| h.to_str().ok());
        if let (Some(origin), Some(host)) = (origin_host, host) {
            if origin != host {
                return (
                    StatusCode::FORBIDDEN,
                    "Forespørgslen kom fra et andet websted.",
                )
                    .into_response();
            }
        }
    }
    next.run(request).await
}
