//! The web layer's error and how it is shown.
//!
//! Policy: a page that does not exist gets a Danish 404 page. Anything
//! internal keeps its cause (`Internal` holds the error itself, with its
//! `source` chain) and is logged exactly once, whole chain and all, where
//! it becomes the 500 response (`into_response`, or [`log_internal`] on the
//! JSON API's own error paths); the user gets a generic Danish message. An
//! internal error's text never reaches a client.

use crate::pages::ErrorPage;
use crate::t;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use komhen_core::{BoxError, CoreError};
use komhen_store::StoreError;
use std::error::Error;
use std::fmt;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("siden findes ikke")]
    NotFound,
    /// A form without the session's CSRF token, or a session of the wrong kind.
    #[error("afvist")]
    Forbidden,
    /// A signed-in user without the role the page needs.
    #[error("ingen adgang")]
    NoAccess,
    /// A request body over the limit.
    #[error("for stort")]
    TooLarge,
    /// Input the user can correct (a report's address, a date): the
    /// message says what is wrong, in Danish.
    #[error("{0}")]
    BadRequest(String),
    /// A failure of komhen's own, with its cause for the log.
    #[error("intern fejl")]
    Internal(#[source] BoxError),
    /// The database did not answer (`StoreError::Unavailable`): a 503 the
    /// user may retry, marked so `reads::fall_back` can read published
    /// figures from the primary instead of a replica that stopped.
    #[error("databasen svarer ikke")]
    Unavailable(#[source] BoxError),
}

/// On a response whose database did not answer: what `reads::fall_back`
/// looks for.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DatabaseUnavailable;

impl WebError {
    /// An internal failure of a step of the web layer's own (a file, a
    /// folder), named by `what`, with its cause.
    pub(crate) fn internal(what: &'static str, cause: impl Into<BoxError>) -> Self {
        Self::Internal(Box::new(Failed {
            what,
            cause: cause.into(),
        }))
    }
}

/// What failed in the web layer, and why.
#[derive(Debug, thiserror::Error)]
#[error("{what}")]
struct Failed {
    what: &'static str,
    #[source]
    cause: BoxError,
}

/// A route registered with the wrong access level: its handler asked the
/// guard for a municipality or unit the route does not name.
#[derive(Debug, thiserror::Error)]
#[error("ruten nævner ingen {0}")]
pub(crate) struct NotInRoute(pub(crate) &'static str);

/// An error and its sources, `: `-separated, for one log line.
pub(crate) struct Chain<'a>(pub(crate) &'a (dyn Error + 'static));

impl fmt::Display for Chain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(cause) = source {
            write!(f, ": {cause}")?;
            source = cause.source();
        }
        Ok(())
    }
}

/// Whether the database did not answer somewhere in `error`'s chain.
fn is_unavailable(error: &(dyn Error + 'static)) -> bool {
    let mut next = Some(error);
    while let Some(e) = next {
        if matches!(
            e.downcast_ref::<StoreError>(),
            Some(StoreError::Unavailable(_))
        ) {
            return true;
        }
        next = e.source();
    }
    false
}

/// A JSON API's failure: when the database did not answer, a 503
/// `unavailable` the client may retry (marked for `reads::fall_back`);
/// else the handler's own answer, `otherwise`, which logs it.
pub(crate) fn api_failure(
    error: &(dyn Error + 'static),
    otherwise: impl FnOnce() -> Response,
) -> Response {
    if !is_unavailable(error) {
        return otherwise();
    }
    tracing::warn!(error = %Chain(error), "the database did not answer");
    let mut response = crate::api::error_response(
        StatusCode::SERVICE_UNAVAILABLE,
        "unavailable",
        "Databasen svarer ikke lige nu. Prøv igen om lidt.",
    );
    response.extensions_mut().insert(DatabaseUnavailable);
    response
}

/// Logs an internal error with its whole chain: once per failed request,
/// where it becomes a 500.
pub(crate) fn log_internal(error: &(dyn Error + 'static)) {
    tracing::error!(error = %Chain(error), "request failed");
}

impl From<CoreError> for WebError {
    fn from(error: CoreError) -> Self {
        match error {
            CoreError::Invalid(message) => Self::BadRequest(message),
            CoreError::NotFound(_) | CoreError::Store(StoreError::NotFound { .. }) => {
                Self::NotFound
            }
            CoreError::Store(StoreError::Unavailable(_)) => Self::Unavailable(Box::new(error)),
            other => Self::Internal(Box::new(other)),
        }
    }
}

impl From<StoreError> for WebError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Unavailable(_) => Self::Unavailable(Box::new(error)),
            other => Self::Internal(Box::new(other)),
        }
    }
}

impl From<askama::Error> for WebError {
    fn from(error: askama::Error) -> Self {
        Self::internal("skabelonen kunne ikke udfyldes", error)
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let mut unavailable = false;
        let (status, title, message): (StatusCode, &str, String) = match self {
            Self::BadRequest(text) => (
                StatusCode::BAD_REQUEST,
                t("Siden kan ikke vises sådan"),
                crate::i18n::message(&text),
            ),
            Self::NotFound => (
                StatusCode::NOT_FOUND,
                t("Siden findes ikke"),
                t("Vi kan ikke finde den side, du leder efter. Tjek adressen, eller gå til forsiden.").into(),
            ),
            Self::Forbidden => (
                StatusCode::FORBIDDEN,
                t("Handlingen blev afvist"),
                t("Formularen var udløbet eller kom ikke fra denne side. Genindlæs siden, og prøv igen.").into(),
            ),
            Self::NoAccess => (
                StatusCode::FORBIDDEN,
                t("Du har ikke adgang til siden"),
                t("Din rolle giver ikke adgang til denne side eller kommune. Kontakt kommunens tovholder, hvis du mener, du skal have adgang.").into(),
            ),
            Self::TooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                t("Indholdet er for stort"),
                t("Formularen eller filen er større, end komhen tager imod her.").into(),
            ),
            Self::Internal(cause) => {
                log_internal(cause.as_ref());
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    t("Der opstod en fejl"),
                    t("Siden kunne ikke vises lige nu. Prøv igen om lidt. Fejlen er skrevet i systemets log.").into(),
                )
            }
            Self::Unavailable(cause) => {
                tracing::warn!(error = %Chain(cause.as_ref()), "the database did not answer");
                unavailable = true;
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    t("Databasen svarer ikke lige nu"),
                    t("Siden kunne ikke hente sine tal, fordi databasen ikke svarede. Prøv igen om lidt.").into(),
                )
            }
        };
        let page = ErrorPage {
            title: title.into(),
            message: message.clone(),
        };
        let mut response = match page.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(_) => (status, message).into_response(),
        };
        if unavailable {
            response.extensions_mut().insert(DatabaseUnavailable);
        }
        response
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn failure() -> WebError {
        CoreError::internal(
            "udtrækket kunne ikke skrives",
            std::io::Error::other("hemmelig drivertekst"),
        )
        .into()
    }

    #[test]
    fn the_chain_names_every_cause() {
        let WebError::Internal(cause) = failure() else {
            panic!("internal");
        };
        assert_eq!(
            Chain(cause.as_ref()).to_string(),
            "udtrækket kunne ikke skrives: hemmelig drivertekst"
        );
    }

    #[tokio::test]
    async fn a_database_that_does_not_answer_is_a_503_marked_for_the_fall_back() {
        let error: WebError = CoreError::Store(StoreError::Unavailable(
            komhen_store::Detail::caused_by("databasen kunne ikke nås", "hemmelig drivertekst"),
        ))
        .into();
        let response = error.into_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(response.extensions().get::<DatabaseUnavailable>().is_some());
        let body = axum::body::to_bytes(response.into_body(), 1_000_000)
            .await
            .unwrap();
        let body = String::from_utf8_lossy(&body);
        assert!(body.contains("Databasen svarer ikke lige nu"));
        assert!(!body.contains("hemmelig"));
        // The JSON API says the same with its own code.
        let cause = StoreError::Unavailable(komhen_store::Detail::new("x"));
        let json = api_failure(&cause, || panic!("not an internal error"));
        assert_eq!(json.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(json.extensions().get::<DatabaseUnavailable>().is_some());
        // Any other failure is the caller's own answer.
        let other = StoreError::internal("y");
        let answer = api_failure(&other, || StatusCode::IM_A_TEAPOT.into_response());
        assert_eq!(answer.status(), StatusCode::IM_A_TEAPOT);
    }

    #[tokio::test]
    async fn an_internal_error_is_a_500_without_its_text() {
        let response = failure().into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = axum::body::to_bytes(response.into_body(), 1_000_000)
            .await
            .unwrap();
        let body = String::from_utf8_lossy(&body);
        assert!(body.contains("Der opstod en fejl"));
        assert!(!body.contains("hemmelig") && !body.contains("udtrækket"));
    }
}
