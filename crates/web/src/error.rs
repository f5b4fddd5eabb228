//! The web layer's error and how it is shown.
//!
//! Policy: a page that does not exist gets a Danish 404 page. Anything
//! internal is logged in full with tracing and the user gets a generic
//! Danish 500 page: an internal error's text never reaches a client.

use crate::pages::ErrorPage;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

#[derive(Debug)]
pub enum WebError {
    NotFound,
    /// A form without the session's CSRF token, or a session of the wrong kind.
    Forbidden,
    /// A signed-in user without the role the page needs.
    NoAccess,
    /// A request body over the limit.
    TooLarge,
    /// Input the user can correct (a report's address, a date): the
    /// message says what is wrong, in Danish.
    BadRequest(String),
    Internal(String),
}

impl From<komhen_core::CoreError> for WebError {
    fn from(error: komhen_core::CoreError) -> Self {
        match error {
            komhen_core::CoreError::Invalid(message) => Self::BadRequest(message),
            komhen_core::CoreError::Store(komhen_store::StoreError::NotFound(_)) => Self::NotFound,
            other => Self::Internal(other.to_string()),
        }
    }
}

impl From<komhen_store::StoreError> for WebError {
    fn from(error: komhen_store::StoreError) -> Self {
        Self::Internal(error.to_string())
    }
}

impl From<askama::Error> for WebError {
    fn from(error: askama::Error) -> Self {
        Self::Internal(format!("skabelon: {error}"))
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let (status, title, message): (StatusCode, &str, String) = match self {
            Self::BadRequest(text) => (StatusCode::BAD_REQUEST, "Siden kan ikke vises sådan", text),
            Self::NotFound => (
                StatusCode::NOT_FOUND,
                "Siden findes ikke",
                "Vi kan ikke finde den side, du leder efter. Tjek adressen, eller gå til forsiden.".into(),
            ),
            Self::Forbidden => (
                StatusCode::FORBIDDEN,
                "Handlingen blev afvist",
                "Formularen var udløbet eller kom ikke fra denne side. Genindlæs siden, og prøv igen.".into(),
            ),
            Self::NoAccess => (
                StatusCode::FORBIDDEN,
                "Du har ikke adgang til siden",
                "Din rolle giver ikke adgang til denne side eller kommune. Kontakt kommunens tovholder, hvis du mener, du skal have adgang.".into(),
            ),
            Self::TooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "Indholdet er for stort",
                "Formularen eller filen er større, end komhen tager imod her.".into(),
            ),
            Self::Internal(detail) => {
                tracing::error!(%detail, "request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Der opstod en fejl",
                    "Siden kunne ikke vises lige nu. Prøv igen om lidt. Fejlen er skrevet i systemets log.".into(),
                )
            }
        };
        let page = ErrorPage {
            title: title.into(),
            message: message.clone(),
        };
        match page.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(_) => (status, message).into_response(),
        }
    }
}
